//! A worker as something to `await`: every message or error it sends lands
//! in a queue, and `recv` waits for the next one. Lets the engine drive many
//! workers with plain async code instead of callback webs.
//!
//! The engine does not create these workers itself: it asks the page to
//! (`EngineRequest::SpawnWorker`), and the page hands it one end of a `MessageChannel`
//! whose other end the new worker holds. Firefox can deadlock a worker that
//! creates workers of its own (its `new Worker` never returns, seen at
//! random while other workers of the page started or ended); on the main
//! thread, creating and ending workers is the ordinary, safe path. Firefox
//! also refuses a `WebAssembly.Module` or a `SharedArrayBuffer` on a port
//! between workers (`messageerror`), so those travel through the page, by
//! `Worker.postMessage`: the module and memory at the start, shared buffers
//! with their task (`post_via_page`).

use super::{envelope, js_error_text, worker_scope};
use crate::protocol::{EngineRequest, FromEngineWorker};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, MessagePort};

/// What a worker said: a message's data, or why it died.
pub type Delivery = Result<JsValue, String>;

#[derive(Default)]
struct Inbox {
    queue: VecDeque<Delivery>,
    wake: Option<js_sys::Function>,
    closed: Option<String>,
}

pub struct Mailbox {
    id: u32,
    port: MessagePort,
    inbox: Rc<RefCell<Inbox>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

/// Spawns waiting for their port, and the inboxes of live workers, by id:
/// where the page's answers about workers go.
#[derive(Default)]
struct Registry {
    next_id: Cell<u32>,
    waiting: RefCell<HashMap<u32, js_sys::Function>>,
    inboxes: RefCell<HashMap<u32, Weak<RefCell<Inbox>>>>,
}

thread_local! {
    static REGISTRY: Registry = Registry::default();
}

/// The page made worker `id`: `port` is the engine's end of its channel.
pub fn on_worker_port(id: u32, port: JsValue) {
    REGISTRY.with(|r| {
        if let Some(resolve) = r.waiting.borrow_mut().remove(&id) {
            let _ = resolve.call1(&JsValue::NULL, &port);
        }
    });
}

/// Worker `id` could not be made, or crashed later: whoever waits for it,
/// to start or to answer, hears why.
pub fn on_worker_error(id: u32, message: String) {
    REGISTRY.with(|r| {
        if let Some(resolve) = r.waiting.borrow_mut().remove(&id) {
            let _ = resolve.call1(&JsValue::NULL, &message.into());
        } else {
            let inbox = r.inboxes.borrow().get(&id).and_then(Weak::upgrade);
            if let Some(inbox) = inbox {
                deliver(&inbox, Err(message));
            }
        }
    });
}

impl Mailbox {
    /// A new module worker from the boot script `url`, named `name`, made
    /// by the page, which starts it with the engine's glue `script` and
    /// hands it `init` (module, memory) with its port.
    pub async fn spawn(
        url: &str,
        name: &str,
        script: &str,
        init: &JsValue,
    ) -> Result<Mailbox, String> {
        Mailbox::request(url, name, script, init)?.open().await
    }

    /// Asks the page for the worker [`Mailbox::spawn`] makes, without
    /// waiting: the worker starts while the engine goes on, and what it
    /// says meanwhile waits in its port until [`Requested::open`].
    pub fn request(
        url: &str,
        name: &str,
        script: &str,
        init: &JsValue,
    ) -> Result<Requested, String> {
        let id = REGISTRY.with(|r| {
            let id = r.next_id.get();
            r.next_id.set(id + 1);
            id
        });
        let answer = js_sys::Promise::new(&mut |resolve, _| {
            REGISTRY.with(|r| r.waiting.borrow_mut().insert(id, resolve));
        });
        let request = FromEngineWorker::Request(EngineRequest::SpawnWorker {
            id,
            url: url.to_string(),
            name: name.to_string(),
            script: script.to_string(),
        });
        worker_scope()
            .post_message(&envelope(&request, init))
            .map_err(|e| js_error_text(&e))?;
        // Registered now, so a worker that dies before anyone opens it
        // still leaves its reason here.
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        REGISTRY.with(|r| r.inboxes.borrow_mut().insert(id, Rc::downgrade(&inbox)));
        Ok(Requested { id, answer, inbox })
    }
}

/// A worker asked of the page, whose port may not have come yet.
pub struct Requested {
    id: u32,
    answer: js_sys::Promise,
    inbox: Rc<RefCell<Inbox>>,
}

impl Requested {
    /// Ends the worker without waiting for it: the page made it (or will,
    /// having the request first) and ends it on this message.
    pub fn end(self) {
        REGISTRY.with(|r| {
            r.waiting.borrow_mut().remove(&self.id);
            r.inboxes.borrow_mut().remove(&self.id);
        });
        let end = FromEngineWorker::Request(EngineRequest::EndWorker { id: self.id });
        let _ = worker_scope().post_message(&envelope(&end, &JsValue::UNDEFINED));
    }

    /// Waits for the worker's port (or why it could not be made).
    pub async fn open(self) -> Result<Mailbox, String> {
        let Requested { id, answer, inbox } = self;
        let answer = JsFuture::from(answer).await.unwrap_or(JsValue::UNDEFINED);
        let port = match answer.dyn_into::<MessagePort>() {
            Ok(port) => port,
            Err(other) => {
                let why = other.as_string();
                return Err(why.unwrap_or_else(|| "the page sent no port".to_string()));
            }
        };
        let ib = inbox.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            deliver(&ib, Ok(ev.data()));
        });
        // Setting `onmessage` also starts the port.
        port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Ok(Mailbox {
            id,
            port,
            inbox,
            _on_message: on_message,
        })
    }
}

impl Mailbox {
    pub fn post(&self, data: &JsValue, transfer: &js_sys::Array) -> Result<(), String> {
        if let Some(why) = &self.inbox.borrow().closed {
            return Err(why.clone());
        }
        self.port
            .post_message_with_transferable(data, transfer)
            .map_err(|e| js_error_text(&e))
    }

    /// As [`Mailbox::post`], relayed by the page: for messages that carry a
    /// `SharedArrayBuffer`.
    pub fn post_via_page(&self, data: &JsValue, transfer: &js_sys::Array) -> Result<(), String> {
        if let Some(why) = &self.inbox.borrow().closed {
            return Err(why.clone());
        }
        let relay = FromEngineWorker::Request(EngineRequest::Relay { id: self.id });
        let relay = envelope(&relay, data);
        worker_scope()
            .post_message_with_transfer(&relay, transfer)
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

    /// Ends the worker now, as `Process.terminate()` does (the page calls
    /// `terminate()` on it); whoever waits on it hears `why`.
    pub fn terminate(&self, why: &str) {
        let first = self.inbox.borrow().closed.is_none();
        {
            let mut ib = self.inbox.borrow_mut();
            ib.closed.get_or_insert_with(|| why.to_string());
            if let Some(f) = ib.wake.take() {
                let _ = f.call0(&JsValue::NULL);
            }
        }
        if first {
            self.port.close();
            let end = FromEngineWorker::Request(EngineRequest::EndWorker { id: self.id });
            let _ = worker_scope().post_message(&envelope(&end, &JsValue::UNDEFINED));
            REGISTRY.with(|r| r.inboxes.borrow_mut().remove(&self.id));
        }
    }

    pub fn is_closed(&self) -> bool {
        self.inbox.borrow().closed.is_some()
    }
}

impl Drop for Mailbox {
    fn drop(&mut self) {
        self.terminate("dropped");
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
