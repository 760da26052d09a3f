//! The page's handle on the engine worker. Messages sent before the engine
//! is ready would be lost (a wasm worker listens only once it has loaded), so
//! they wait here until it says `ready`.

use super::factory::Children;
use super::{envelope, glue_url, js_error_text, js_object, open_envelope, start_worker};
use crate::protocol::{FromEngine, FromEngineWorker, Role, ToEngine, ToEngineWorker};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

pub struct EngineClient {
    pub workers: u32,
    inner: Rc<Inner>,
}

/// How long a healthy engine takes to start, or to answer Cancel, many
/// times over: past it, the engine is taken for hung (see `watch`).
const WATCHDOG_MS: i32 = 10_000;
const START_ATTEMPTS: u32 = 3;
/// Between ending a hung engine and starting the next: far longer than
/// ending workers takes, and paid only after a hang.
const RESTART_PAUSE_MS: i32 = 1_000;

type Handler = Closure<dyn FnMut(JsValue)>;

struct Inner {
    workers: u32,
    worker: RefCell<Option<Worker>>,
    queue: RefCell<Queue>,
    on_event: Rc<dyn Fn(FromEngine)>,
    /// The current worker's handlers; replaced with the worker.
    handlers: RefCell<Vec<Handler>>,
    /// Counts starts and cancels, so a watchdog fires only for its own.
    epoch: std::cell::Cell<u32>,
    attempts: std::cell::Cell<u32>,
    /// The current engine's workers, which the page makes and ends for
    /// it (see `factory.rs`).
    children: RefCell<Option<Rc<Children>>>,
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
    /// A Cancel the engine has not answered yet.
    cancelling: Option<u32>,
}

impl EngineClient {
    pub fn start(
        workers: u32,
        on_event: impl Fn(FromEngine) + 'static,
    ) -> Result<EngineClient, String> {
        let inner = Rc::new(Inner {
            workers,
            worker: RefCell::new(None),
            queue: RefCell::new(Queue::default()),
            on_event: Rc::new(on_event),
            handlers: RefCell::new(Vec::new()),
            epoch: std::cell::Cell::new(0),
            attempts: std::cell::Cell::new(0),
            children: RefCell::new(None),
        });
        boot(&inner)?;
        Ok(EngineClient { workers, inner })
    }

    /// Whether this engine can take a run with `workers` workers.
    pub fn fits(&self, workers: u32) -> bool {
        self.workers >= workers && !self.inner.queue.borrow().broken
    }

    /// Tasks the engine has finished in the model it is measuring.
    pub fn tasks_finished(&self) -> Option<u32> {
        let q = self.inner.queue.borrow();
        let (memory, _, address) = q.cancel_cell.as_ref()?;
        let words = js_sys::Uint32Array::new(&memory.buffer());
        js_sys::Atomics::load(&words, address / 4)
            .ok()
            .map(|v| v as u32)
    }

    /// Stops step `step`. Thread models read a flag in the engine's memory
    /// at every tick; the page writes it directly, since the engine's thread
    /// is inside rayon and reads no messages until the model returns.
    /// Process models are terminated by the engine when the message arrives.
    pub fn cancel(&self, step: u32) {
        if let Some((memory, address, _)) = &self.inner.queue.borrow().cancel_cell {
            let bytes = js_sys::Uint8Array::new(&memory.buffer());
            let _ = js_sys::Atomics::store(&bytes, *address, 1);
        }
        self.inner.queue.borrow_mut().cancelling = Some(step);
        self.send(ToEngine::Cancel { step });
        watch(&self.inner, Watch::Cancel(step));
    }

    pub fn send(&self, msg: ToEngine) {
        let mut q = self.inner.queue.borrow_mut();
        match (q.ready, self.inner.worker.borrow().as_ref()) {
            (true, Some(w)) => post(w, msg),
            _ => q.pending.push(msg),
        }
    }
}

impl Drop for EngineClient {
    /// Terminating the engine also ends its rayon threads (nested workers
    /// die with their parent); its process workers are the page's, ended
    /// here too.
    fn drop(&mut self) {
        self.inner.epoch.set(self.inner.epoch.get() + 1);
        end_engine(&self.inner);
    }
}

/// Starts an engine worker and hands it the queued messages once ready.
fn boot(inner: &Rc<Inner>) -> Result<(), String> {
    // The reduced build lives in `st/` beside the full one, with its own
    // boot scripts, so that its processes are reduced ones too.
    let role = Role::Engine {
        workers: inner.workers,
    };
    let dir = if cfg!(feature = "threads") {
        "./"
    } else {
        "./st/"
    };
    let url = format!("{dir}{}", role.boot_script());
    // The engine runs the page's own module, already compiled: no second
    // download or compile before the first run.
    let module = js_object(&[("module", &wasm_bindgen::module())]);
    let name = format!("engine:{}", inner.workers);
    let none = js_sys::Array::new();
    let worker = start_worker(role, &url, &name, &glue_url()?, &module, &none)?;
    inner.attempts.set(inner.attempts.get() + 1);
    let children = Children::new(worker.clone());
    *inner.children.borrow_mut() = Some(children.clone());
    let weak = Rc::downgrade(inner);
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
        let Some(inner) = weak.upgrade() else { return };
        let data = ev.unchecked_into::<MessageEvent>().data();
        let msg = match open_envelope::<FromEngineWorker>(data).map(|o| (o.msg, o.attachment)) {
            Ok((FromEngineWorker::Factory(request), attachment)) => {
                return children.on_request(request, attachment);
            }
            Ok((
                FromEngineWorker::CancelCell {
                    cancel,
                    tasks_finished,
                },
                attachment,
            )) => {
                if let Ok(memory) = attachment.dyn_into::<js_sys::WebAssembly::Memory>() {
                    inner.queue.borrow_mut().cancel_cell = Some((memory, cancel, tasks_finished));
                }
                return;
            }
            Ok((FromEngineWorker::Event(msg), _)) => msg,
            Err(message) => FromEngine::Failed {
                step: None,
                message,
            },
        };
        match &msg {
            FromEngine::Failed { step: None, .. } => inner.queue.borrow_mut().broken = true,
            FromEngine::Ready { .. } => {
                let pending = {
                    let mut q = inner.queue.borrow_mut();
                    q.ready = true;
                    inner.attempts.set(0);
                    std::mem::take(&mut q.pending)
                };
                if let Some(w) = inner.worker.borrow().as_ref() {
                    for m in pending {
                        post(w, m);
                    }
                }
            }
            FromEngine::Cancelled { .. } | FromEngine::Done { .. } | FromEngine::Failed { .. } => {
                inner.queue.borrow_mut().cancelling = None;
            }
            _ => {}
        }
        (inner.on_event)(msg);
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));

    let weak = Rc::downgrade(inner);
    let on_error = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        // Said in the page as a failed step, and not also reported as an
        // error nobody caught, as the factory's workers' errors are not.
        if let Some(ev) = e.dyn_ref::<web_sys::Event>() {
            ev.prevent_default();
        }
        let Some(inner) = weak.upgrade() else { return };
        inner.queue.borrow_mut().broken = true;
        (inner.on_event)(FromEngine::Failed {
            step: None,
            message: format!("the engine worker failed: {}", js_error_text(&e)),
        });
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    *inner.handlers.borrow_mut() = vec![on_message, on_error];
    *inner.worker.borrow_mut() = Some(worker);
    watch(inner, Watch::Start);
    Ok(())
}

enum Watch {
    Start,
    Cancel(u32),
}

/// A watchdog. Firefox can deadlock a worker that starts workers while
/// others of the page start or end; the engine still starts rayon's threads
/// itself (only at its start, see `mailbox.rs` for the rest), and an engine
/// stuck there, or one that does not answer Cancel, never answers. Past
/// `WATCHDOG_MS` the page ends it, as `terminate()` ends a hung process,
/// and starts a fresh one (a cancelled run reports as cancelled).
fn watch(inner: &Rc<Inner>, what: Watch) {
    let epoch = inner.epoch.get() + 1;
    inner.epoch.set(epoch);
    let weak = Rc::downgrade(inner);
    super::on_page_later(WATCHDOG_MS, move || {
        let Some(inner) = weak.upgrade() else { return };
        if inner.epoch.get() != epoch {
            return;
        }
        let hung = match what {
            Watch::Start => !inner.queue.borrow().ready,
            Watch::Cancel(step) => inner.queue.borrow().cancelling == Some(step),
        };
        if !hung {
            return;
        }
        end_engine(&inner);
        {
            let mut q = inner.queue.borrow_mut();
            q.ready = false;
            q.cancel_cell = None;
            q.cancelling = None;
        }
        if let Watch::Cancel(step) = what {
            inner.queue.borrow_mut().pending.clear();
            (inner.on_event)(FromEngine::Cancelled {
                step,
                model: None,
                stopped_at_ms: super::now_ms(),
                rebuild_ms: 0.0,
                live_processes: 0,
            });
            inner.attempts.set(0);
        }
        if inner.attempts.get() >= START_ATTEMPTS {
            broken(
                &inner,
                format!(
                    "the engine worker did not start in {} tries of {} s each",
                    START_ATTEMPTS,
                    WATCHDOG_MS / 1000
                ),
            );
            return;
        }
        // The workers just ended are still ending, and a new engine that
        // made rayon's workers meanwhile could hang as the last one did: in
        // one Firefox page load all three tries hung, each begun as the one
        // before was ended. So the next try begins once they are gone.
        let weak = Rc::downgrade(&inner);
        super::on_page_later(RESTART_PAUSE_MS, move || {
            let Some(inner) = weak.upgrade() else { return };
            // Something else (the page coming back from the Back button)
            // started one meanwhile.
            if inner.worker.borrow().is_some() {
                return;
            }
            if let Err(message) = boot(&inner) {
                broken(&inner, message);
            }
        });
    });
}

fn broken(inner: &Inner, message: String) {
    inner.queue.borrow_mut().broken = true;
    (inner.on_event)(FromEngine::Failed {
        step: None,
        message,
    });
}

fn post(engine: &Worker, msg: ToEngine) {
    let msg = ToEngineWorker::Command(msg);
    let _ = engine.post_message(&envelope(&msg, &JsValue::UNDEFINED));
}

/// Ends the engine worker and the workers the page made for it.
fn end_engine(inner: &Inner) {
    if let Some(w) = inner.worker.borrow_mut().take() {
        w.terminate();
    }
    if let Some(children) = inner.children.borrow_mut().take() {
        children.end_all();
    }
}
