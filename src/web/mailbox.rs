//! A Web Worker as something to `await`: every message or error it sends
//! lands in a queue, and `recv` waits for the next one. Lets the engine
//! drive many workers with plain async code instead of callback webs.

use super::{js_error_text, spawn_module_worker};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker};

/// What a worker said: a message's data, or why it died.
pub type Delivery = Result<JsValue, String>;

#[derive(Default)]
struct Inbox {
    queue: VecDeque<Delivery>,
    wake: Option<js_sys::Function>,
    closed: Option<String>,
}

pub struct Mailbox {
    pub worker: Worker,
    inbox: Rc<RefCell<Inbox>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(JsValue)>,
}

impl Mailbox {
    pub fn spawn(url: &str, name: &str) -> Result<Mailbox, String> {
        let worker = spawn_module_worker(url, name)?;
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        let ib = inbox.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            deliver(&ib, Ok(ev.data()));
        });
        let ib = inbox.clone();
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            if let Some(ev) = e.dyn_ref::<web_sys::Event>() {
                ev.prevent_default();
            }
            deliver(&ib, Err(js_error_text(&e)));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Mailbox {
            worker,
            inbox,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    pub fn post(&self, data: &JsValue, transfer: &js_sys::Array) -> Result<(), String> {
        if let Some(why) = &self.inbox.borrow().closed {
            return Err(why.clone());
        }
        self.worker
            .post_message_with_transfer(data, transfer)
            .map_err(|e| js_error_text(&e))
    }

    /// The next message, or the reason the worker is gone.
    pub async fn recv(&self) -> Delivery {
        loop {
            let promise = {
                let mut ib = self.inbox.borrow_mut();
                if let Some(d) = ib.queue.pop_front() {
                    return d;
                }
                if let Some(why) = &ib.closed {
                    return Err(why.clone());
                }
                let mut wake = None;
                let p = js_sys::Promise::new(&mut |resolve, _| wake = Some(resolve));
                ib.wake = wake;
                p
            };
            let _ = JsFuture::from(promise).await;
        }
    }

    /// Ends the worker now, as `Process.terminate()` does; whoever waits on
    /// it hears `why`.
    pub fn terminate(&self, why: &str) {
        self.worker.terminate();
        let mut ib = self.inbox.borrow_mut();
        ib.closed.get_or_insert_with(|| why.to_string());
        if let Some(f) = ib.wake.take() {
            let _ = f.call0(&JsValue::NULL);
        }
    }

    pub fn is_closed(&self) -> bool {
        self.inbox.borrow().closed.is_some()
    }
}

impl Drop for Mailbox {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

fn deliver(inbox: &Rc<RefCell<Inbox>>, d: Delivery) {
    let wake = {
        let mut ib = inbox.borrow_mut();
        if ib.closed.is_some() {
            return;
        }
        if let Err(why) = &d {
            // A worker that failed to load or crashed is gone for good.
            ib.closed = Some(why.clone());
        }
        ib.queue.push_back(d);
        ib.wake.take()
    };
    if let Some(f) = wake {
        let _ = f.call0(&JsValue::NULL);
    }
}
