//! The page's handle on the engine worker. Messages sent before the engine
//! is ready would be lost (a wasm worker listens only once it has loaded), so
//! they wait here until it says `ready`.

use super::{from_js, js_error_text, spawn_module_worker, to_js};
use crate::protocol::{FromEngine, ToEngine};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

pub struct EngineClient {
    pub workers: u32,
    worker: Worker,
    queue: Rc<RefCell<Queue>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(JsValue)>,
}

#[derive(Default)]
struct Queue {
    ready: bool,
    /// The engine failed outside any run (start-up, a crashed worker): the
    /// next run starts a fresh one rather than talk to a dead worker.
    broken: bool,
    pending: Vec<ToEngine>,
    /// The engine's shared memory, the address of its cancel flag and of
    /// its finished-task counter.
    cancel_cell: Option<(js_sys::WebAssembly::Memory, u32, u32)>,
}

impl EngineClient {
    pub fn start(
        workers: u32,
        on_event: impl Fn(FromEngine) + 'static,
    ) -> Result<EngineClient, String> {
        let worker = spawn_module_worker("./engine_loader.js", &format!("engine:{workers}"))?;
        let queue = Rc::new(RefCell::new(Queue::default()));
        let on_event = Rc::new(on_event);

        let (q, w, ev_cb) = (queue.clone(), worker.clone(), on_event.clone());
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            if let Some(cell) = cancel_cell(&data) {
                q.borrow_mut().cancel_cell = Some(cell);
                return;
            }
            let msg = from_js::<FromEngine>(data)
                .unwrap_or_else(|message| FromEngine::Failed { run: None, message });
            if matches!(msg, FromEngine::Failed { run: None, .. }) {
                q.borrow_mut().broken = true;
            }
            if matches!(msg, FromEngine::Ready { .. }) {
                let pending = {
                    let mut q = q.borrow_mut();
                    q.ready = true;
                    std::mem::take(&mut q.pending)
                };
                for m in pending {
                    let _ = w.post_message(&to_js(&m));
                }
            }
            ev_cb(msg);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));

        let q = queue.clone();
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            q.borrow_mut().broken = true;
            on_event(FromEngine::Failed {
                run: None,
                message: format!("the engine worker failed: {}", js_error_text(&e)),
            });
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));

        Ok(EngineClient {
            workers,
            worker,
            queue,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Whether this engine can take a run with `workers` workers.
    pub fn fits(&self, workers: u32) -> bool {
        self.workers >= workers && !self.queue.borrow().broken
    }

    /// Tasks the engine has finished in the model it is measuring.
    pub fn tasks_finished(&self) -> Option<u32> {
        let q = self.queue.borrow();
        let (memory, _, address) = q.cancel_cell.as_ref()?;
        let words = js_sys::Uint32Array::new(&memory.buffer());
        js_sys::Atomics::load(&words, address / 4)
            .ok()
            .map(|v| v as u32)
    }

    /// Stops run `run`. Thread models read a flag in the engine's memory at
    /// every tick; the page writes it directly, since the engine's thread is
    /// inside rayon and reads no messages until the model returns. Process
    /// models are terminated by the engine when the message arrives.
    pub fn cancel(&self, run: u32) {
        if let Some((memory, address, _)) = &self.queue.borrow().cancel_cell {
            let bytes = js_sys::Uint8Array::new(&memory.buffer());
            let _ = js_sys::Atomics::store(&bytes, *address, 1);
        }
        self.send(ToEngine::Cancel { run });
    }

    pub fn send(&self, msg: ToEngine) {
        let mut q = self.queue.borrow_mut();
        if q.ready {
            let _ = self.worker.post_message(&to_js(&msg));
        } else {
            q.pending.push(msg);
        }
    }
}

impl Drop for EngineClient {
    /// Terminating the engine also ends its rayon threads and its process
    /// workers: nested workers die with their parent.
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

fn cancel_cell(data: &JsValue) -> Option<(js_sys::WebAssembly::Memory, u32, u32)> {
    let get = |k: &str| js_sys::Reflect::get(data, &k.into()).ok();
    if get("type")?.as_string()? != "cancel_cell" {
        return None;
    }
    let memory = get("memory")?
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()?;
    let address = get("address")?.as_f64()? as u32;
    let tasks = get("tasks_finished")?.as_f64()? as u32;
    Some((memory, address, tasks))
}
