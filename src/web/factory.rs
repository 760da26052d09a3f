//! The worker factory: the engine asks, the page makes. Firefox can
//! deadlock a worker that makes workers of its own (its `new Worker` never
//! returns, seen at random while other workers of the page started or
//! ended); on the main thread, making and ending workers is the ordinary,
//! safe path. So every worker of the engine (processes, spares, parked
//! threads, and a hybrid process's pool threads) is made by the page.
//!
//! ```text
//! engine                      page (Children)                new worker
//!   │ Spawn{id, role} + init ──▶ new Worker(boot script)
//!   │                           │ start{role, script} + init + port ──▶ boots
//!   │ ◀── Made{id} + port       │
//!   │ ◀════════ messages on the port (MessageChannel) ════════════▶ │
//!   │ Relay{id} + [envelope] ──▶ │ postMessage(envelope) ──────────▶ │
//!   │ ◀── Relayed{id} + envelope │ ◀── ProcessToPage::Relay ───────── │
//!   │ End{id} ─────────────────▶ │ terminate()
//! ```
//!
//! A port between workers carries most messages. Firefox refuses a
//! `WebAssembly.Module` or a `SharedArrayBuffer` there (`messageerror`),
//! and copies a buffer it was asked to transfer, so those travel through
//! the page, by `Worker.postMessage`, both ways: the module and memory at
//! the start, a shared or transferred buffer with a task and its answer.

use super::mailbox::{self, Requested, SharedInbox};
use super::{envelope, js_error_text, open_envelope, start_worker, worker_scope};
use crate::protocol::{FactoryReply, FactoryRequest, FromEngineWorker, ProcessToPage};
use crate::protocol::{Role, ToEngineWorker};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageChannel, MessageEvent, MessagePort, Worker};

/// Where the worker scripts are: every boot script lies beside the
/// engine's own, and every worker imports the glue the page was loaded by.
#[derive(Clone)]
pub struct Scripts {
    dir: String,
    pub glue: String,
}

impl Scripts {
    /// Beside the script at `href` (the running worker's own).
    pub fn beside(href: &str, glue: String) -> Scripts {
        let dir = href[..href.rfind('/').map_or(0, |i| i + 1)].to_string();
        Scripts { dir, glue }
    }

    pub fn boot(&self, role: Role) -> String {
        format!("{}{}", self.dir, role.boot_script())
    }
}

// ---- the engine's half: asking ----

#[derive(Default)]
struct Registry {
    next_id: Cell<u32>,
    scripts: RefCell<Option<Scripts>>,
    /// The inbox of every worker asked for and not yet ended, by id: where
    /// the page's answers about it go.
    inboxes: RefCell<HashMap<u32, Weak<RefCell<mailbox::Inbox>>>>,
}

thread_local! {
    static REGISTRY: Registry = Registry::default();
}

/// Where this engine's workers' scripts are; set once, at its start.
pub fn set_scripts(scripts: Scripts) {
    REGISTRY.with(|r| *r.scripts.borrow_mut() = Some(scripts));
}

pub fn scripts() -> Result<Scripts, String> {
    REGISTRY
        .with(|r| r.scripts.borrow().clone())
        .ok_or_else(|| "the engine has not said where its scripts are".to_string())
}

/// Asks the page for a worker in `role`, started with `init`, without
/// waiting: the worker starts while the engine goes on, and what it says
/// meanwhile waits in its inbox until [`Requested::open`].
pub fn request(role: Role, init: &JsValue) -> Result<Requested, String> {
    let scripts = scripts()?;
    let (id, inbox) = REGISTRY.with(|r| {
        let id = r.next_id.get();
        r.next_id.set(id + 1);
        let inbox: SharedInbox = Rc::default();
        r.inboxes.borrow_mut().insert(id, Rc::downgrade(&inbox));
        (id, inbox)
    });
    let spawn = FactoryRequest::Spawn {
        id,
        role,
        boot: scripts.boot(role),
        script: scripts.glue,
    };
    post(&spawn, init, &js_sys::Array::new())?;
    Ok(Requested { id, inbox })
}

/// What the page answered about worker `id`.
pub fn on_reply(reply: FactoryReply, attachment: JsValue) {
    let id = match &reply {
        FactoryReply::Made { id }
        | FactoryReply::Failed { id, .. }
        | FactoryReply::Relayed { id } => *id,
    };
    let inbox = REGISTRY.with(|r| r.inboxes.borrow().get(&id).and_then(Weak::upgrade));
    let Some(inbox) = inbox else { return };
    match reply {
        FactoryReply::Made { .. } => match attachment.dyn_into::<MessagePort>() {
            Ok(port) => mailbox::made(&inbox, port),
            Err(_) => mailbox::close(&inbox, "the page sent no port".to_string()),
        },
        FactoryReply::Failed { message, .. } => mailbox::close(&inbox, message),
        FactoryReply::Relayed { .. } => mailbox::deliver(&inbox, attachment),
    }
}

/// Hands worker `id` an envelope through the page.
pub(super) fn relay(id: u32, data: &JsValue, transfer: &js_sys::Array) -> Result<(), String> {
    let bag = js_sys::Array::of2(data, transfer);
    post(&FactoryRequest::Relay { id }, &bag, transfer)
}

/// Ends worker `id`; the page terminates it.
pub(super) fn end(id: u32) {
    REGISTRY.with(|r| r.inboxes.borrow_mut().remove(&id));
    let _ = post(
        &FactoryRequest::End { id },
        &JsValue::UNDEFINED,
        &js_sys::Array::new(),
    );
}

fn post(
    request: &FactoryRequest,
    attachment: &JsValue,
    transfer: &js_sys::Array,
) -> Result<(), String> {
    let msg = FromEngineWorker::Factory(request.clone());
    worker_scope()
        .post_message_with_transfer(&envelope(&msg, attachment), transfer)
        .map_err(|e| js_error_text(&e))
}

// ---- the page's half: making ----

type Handler = Closure<dyn FnMut(JsValue)>;

/// The workers the page made for one engine, by the engine's id.
pub struct Children {
    engine: Worker,
    made: RefCell<HashMap<u32, Child>>,
}

struct Child {
    worker: Worker,
    /// The threads of a hybrid process's pool, made here at its request;
    /// they end with it.
    threads: Vec<(Worker, Handler)>,
    _on_error: Handler,
    _on_message: Handler,
}

impl Child {
    fn end(self) {
        self.worker.terminate();
        for (t, _) in self.threads {
            t.terminate();
        }
    }
}

impl Children {
    pub fn new(engine: Worker) -> Rc<Children> {
        Rc::new(Children {
            engine,
            made: RefCell::new(HashMap::new()),
        })
    }

    /// Carries out what the engine asked of the factory.
    pub fn on_request(self: &Rc<Self>, request: FactoryRequest, attachment: JsValue) {
        match request {
            FactoryRequest::Spawn {
                id,
                role,
                boot,
                script,
            } => match self.make(id, role, &boot, &script, &attachment) {
                Ok(port) => {
                    let transfer = js_sys::Array::of1(&port);
                    self.answer(&FactoryReply::Made { id }, &port, &transfer);
                }
                Err(message) => self.failed(id, message),
            },
            FactoryRequest::Relay { id } => {
                let bag: js_sys::Array = attachment.unchecked_into();
                let (data, transfer) = (bag.get(0), bag.get(1));
                let sent = self.made.borrow().get(&id).map(|child| {
                    child
                        .worker
                        .post_message_with_transfer(&data, transfer.unchecked_ref())
                });
                if let Some(Err(e)) = sent {
                    self.failed(id, js_error_text(&e));
                }
            }
            FactoryRequest::End { id } => self.end(id),
        }
    }

    /// Ends every worker made for the engine.
    pub fn end_all(&self) {
        for (_, child) in self.made.borrow_mut().drain() {
            child.end();
        }
    }

    fn end(&self, id: u32) {
        let child = self.made.borrow_mut().remove(&id);
        if let Some(child) = child {
            child.end();
        }
    }

    /// Worker `id` failed: it is ended, and the engine told.
    fn failed(&self, id: u32, message: String) {
        self.end(id);
        self.answer(
            &FactoryReply::Failed { id, message },
            &JsValue::UNDEFINED,
            &js_sys::Array::new(),
        );
    }

    fn answer(&self, reply: &FactoryReply, attachment: &JsValue, transfer: &js_sys::Array) {
        let msg = ToEngineWorker::Factory(reply.clone());
        let _ = self
            .engine
            .post_message_with_transfer(&envelope(&msg, attachment), transfer);
    }

    /// A worker from the boot script `boot`, started in `role` with the
    /// engine's `init` and its end of a new channel; the other end.
    fn make(
        self: &Rc<Self>,
        id: u32,
        role: Role,
        boot: &str,
        script: &str,
        init: &JsValue,
    ) -> Result<MessagePort, String> {
        let channel = MessageChannel::new().map_err(|e| js_error_text(&e))?;
        let (mine, theirs) = (channel.port1(), channel.port2());
        js_sys::Reflect::set(init, &"port".into(), &theirs).map_err(|e| js_error_text(&e))?;
        let name = format!("{}:{id}", role.id());
        let transfer = js_sys::Array::of1(&theirs);
        let worker = start_worker(role, boot, &name, script, init, &transfer)?;
        let on_error = self.error_handler(id);
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let on_message = self.message_handler(id);
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let child = Child {
            worker,
            threads: Vec::new(),
            _on_error: on_error,
            _on_message: on_message,
        };
        self.made.borrow_mut().insert(id, child);
        Ok(mine)
    }

    /// A child that fails to load or crashes is ended, and the engine told.
    fn error_handler(self: &Rc<Self>, id: u32) -> Handler {
        let weak = Rc::downgrade(self);
        Closure::new(move |e: JsValue| {
            if let Some(ev) = e.dyn_ref::<web_sys::Event>() {
                ev.prevent_default();
            }
            if let Some(children) = weak.upgrade() {
                children.failed(id, js_error_text(&e));
            }
        })
    }

    /// What a process asks of the page that made it.
    fn message_handler(self: &Rc<Self>, id: u32) -> Handler {
        let weak: Weak<Children> = Rc::downgrade(self);
        Closure::new(move |ev: JsValue| {
            let Some(children) = weak.upgrade() else {
                return;
            };
            let data = ev.unchecked_into::<MessageEvent>().data();
            let Ok(opened) = open_envelope::<ProcessToPage>(data) else {
                return;
            };
            match opened.msg {
                ProcessToPage::SpawnThreads { url, script, ptrs } => {
                    children.spawn_threads(id, &url, &script, ptrs, &opened.attachment)
                }
                ProcessToPage::Relay => {
                    let bag: js_sys::Array = opened.attachment.unchecked_into();
                    let (inner, transfer) = (bag.get(0), bag.get(1));
                    children.answer(
                        &FactoryReply::Relayed { id },
                        &inner,
                        transfer.unchecked_ref(),
                    );
                }
            }
        })
    }

    /// A hybrid process's pool: one worker per thread, each joining the
    /// process's memory (`bag`: its module and memory) to run the rayon
    /// thread whose state lies at its `ptr`.
    fn spawn_threads(
        self: &Rc<Self>,
        id: u32,
        url: &str,
        script: &str,
        ptrs: Vec<u32>,
        bag: &JsValue,
    ) {
        let mut made = Vec::new();
        for (k, ptr) in ptrs.into_iter().enumerate() {
            let start = js_sys::Object::assign(&js_sys::Object::new(), bag.unchecked_ref());
            let _ = js_sys::Reflect::set(&start, &"ptr".into(), &ptr.into());
            let name = format!("process:{id}:thread:{k}");
            let none = js_sys::Array::new();
            match start_worker(Role::PoolThread, url, &name, script, &start, &none) {
                Ok(w) => {
                    // A thread that fails ends its whole process, as a
                    // crashed thread would.
                    let on_error = self.error_handler(id);
                    w.set_onerror(Some(on_error.as_ref().unchecked_ref()));
                    made.push((w, on_error));
                }
                Err(message) => {
                    for (w, _) in made {
                        w.terminate();
                    }
                    self.failed(id, message);
                    return;
                }
            }
        }
        match self.made.borrow_mut().get_mut(&id) {
            Some(child) => child.threads.extend(made),
            // The process ended while its threads were being made.
            None => made.into_iter().for_each(|(w, _)| w.terminate()),
        }
    }
}
