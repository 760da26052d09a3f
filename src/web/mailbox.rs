//! A worker of the engine as something to `await`: [`Mailbox::ask`] posts
//! a request and waits for exactly its answer, found by the id the
//! envelope carries; [`Mailbox::said`] waits for what the worker says
//! unasked (that it is warm, ready or parked). Whatever the worker sends,
//! on its port or through the page, lands in one inbox; a worker that
//! fails closes it, and every wait hears why.
//!
//! The engine does not make these workers itself: it asks the page's
//! worker factory (`factory.rs`), which answers with one end of a
//! `MessageChannel` whose other end the new worker holds.

use super::factory;
use super::{envelope_id, envelope_with_id, instantiate_envelope, js_error_text, open_envelope};
use crate::protocol::FromBoot;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, MessagePort};

/// Everything a worker said or suffered, until someone takes it.
#[derive(Default)]
pub(super) struct Inbox {
    /// The engine's end of the worker's channel, once the page made it.
    port: Option<MessagePort>,
    /// Requests sent and not yet answered, and answers not yet taken.
    asked: HashSet<u32>,
    answers: HashMap<u32, JsValue>,
    /// What the worker said unasked, in order.
    said: VecDeque<JsValue>,
    /// Why the worker is gone: every wait, now and later, hears it.
    closed: Option<String>,
    wakers: Vec<Waker>,
}

pub(super) type SharedInbox = Rc<RefCell<Inbox>>;

/// Files a message of the worker: an answer under its id, a boot script's
/// failure as the worker's end, anything else as said unasked.
pub(super) fn deliver(inbox: &SharedInbox, data: JsValue) {
    let mut ib = inbox.borrow_mut();
    if ib.closed.is_some() {
        return;
    }
    let id = envelope_id(&data);
    if ib.asked.remove(&id) {
        ib.answers.insert(id, data);
    } else if let Some(why) = boot_failure(&data) {
        ib.closed = Some(why);
    } else if id == 0 {
        ib.said.push_back(data);
    }
    // An answer nobody waits for any more (its asker was cancelled) is dropped.
    wake(&mut ib);
}

/// Closes the inbox: the worker could not be made, failed, or was ended.
pub(super) fn close(inbox: &SharedInbox, why: String) {
    let mut ib = inbox.borrow_mut();
    ib.closed.get_or_insert(why);
    wake(&mut ib);
}

/// The page made the worker: this is the engine's end of its channel.
pub(super) fn made(inbox: &SharedInbox, port: MessagePort) {
    let mut ib = inbox.borrow_mut();
    ib.port = Some(port);
    wake(&mut ib);
}

fn wake(ib: &mut Inbox) {
    for w in ib.wakers.drain(..) {
        w.wake();
    }
}

/// A boot script's `{boot: "failed"}`: the worker could not start.
fn boot_failure(data: &JsValue) -> Option<String> {
    let msg =
        js_sys::Array::is_array(data).then(|| data.unchecked_ref::<js_sys::Array>().get(0))?;
    match super::boot_message(&msg)? {
        crate::protocol::BootMessage::Failed { message } => Some(message),
        _ => None,
    }
}

/// Waits until `take` finds what it waits for in the inbox.
struct Until<T, F: FnMut(&mut Inbox) -> Option<T>> {
    inbox: SharedInbox,
    take: F,
}

impl<T, F: FnMut(&mut Inbox) -> Option<T> + Unpin> Future for Until<T, F> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let inbox = self.inbox.clone();
        let mut ib = inbox.borrow_mut();
        match (self.take)(&mut ib) {
            Some(v) => Poll::Ready(v),
            None => {
                ib.wakers.push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

fn until<T, F: FnMut(&mut Inbox) -> Option<T> + Unpin>(
    inbox: &SharedInbox,
    take: F,
) -> Until<T, F> {
    Until {
        inbox: inbox.clone(),
        take,
    }
}

thread_local! {
    static NEXT_REQUEST: Cell<u32> = const { Cell::new(1) };
}

fn next_request() -> u32 {
    NEXT_REQUEST.with(|n| {
        let id = n.get();
        n.set(id.checked_add(1).unwrap_or(1));
        id
    })
}

/// What goes beside a request: its attachment, and what to transfer
/// rather than copy. Through the page when it holds a buffer (see
/// `FactoryRequest::Relay`).
pub struct Outgoing {
    pub attachment: JsValue,
    pub transfer: js_sys::Array,
    /// The sender had to make a new buffer for it (a cold start).
    pub fresh: bool,
}

impl Outgoing {
    /// Nothing beside the message.
    pub fn none() -> Outgoing {
        Outgoing::plain(JsValue::UNDEFINED)
    }

    /// An attachment that is posted as it is: nothing transferred, nothing made.
    pub fn plain(attachment: JsValue) -> Outgoing {
        Outgoing {
            attachment,
            transfer: js_sys::Array::new(),
            fresh: false,
        }
    }

    /// Whether a port between workers may carry it as it should: Firefox
    /// refuses a `SharedArrayBuffer` there and copies a transferred buffer
    /// (see `ports_copy_transfers`).
    fn fits_a_port(&self) -> bool {
        let shared = self
            .attachment
            .is_instance_of::<js_sys::SharedArrayBuffer>();
        !shared && (self.transfer.length() == 0 || !super::ports_copy_transfers())
    }
}

/// A worker of the engine, made by the page, reached by its port.
pub struct Mailbox {
    id: u32,
    inbox: SharedInbox,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

/// A worker asked of the page, whose port may not have come yet.
pub struct Requested {
    pub(super) id: u32,
    pub(super) inbox: SharedInbox,
}

impl Requested {
    /// Whether the worker could not be made, or failed.
    pub fn is_closed(&self) -> bool {
        self.inbox.borrow().closed.is_some()
    }

    /// Ends the worker without waiting for it: the page made it (or will,
    /// having the request first) and ends it on this message.
    pub fn end(self) {
        close(&self.inbox, "ended".to_string());
        factory::end(self.id);
    }

    /// Waits for the worker's port (or why it could not be made).
    pub async fn open(self) -> Result<Mailbox, String> {
        let port = until(&self.inbox, |ib| {
            if let Some(port) = &ib.port {
                return Some(Ok(port.clone()));
            }
            ib.closed.clone().map(Err)
        })
        .await?;
        let inbox = self.inbox.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            deliver(&inbox, ev.data());
        });
        // Setting `onmessage` also starts the port.
        port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Ok(Mailbox {
            id: self.id,
            inbox: self.inbox,
            _on_message: on_message,
        })
    }
}

impl Mailbox {
    /// Sends `msg` with `out` and waits for its answer, or for the reason
    /// the worker is gone.
    pub async fn ask<Q: Serialize, A: DeserializeOwned + FromBoot>(
        &self,
        msg: &Q,
        out: &Outgoing,
    ) -> Result<(A, JsValue), String> {
        self.ask_timed(msg, out).await.map(|(answer, _)| answer)
    }

    /// [`Mailbox::ask`], and when the post returned (shared clock): what
    /// writing the message took, a transfer's "serialize" phase.
    pub async fn ask_timed<Q: Serialize, A: DeserializeOwned + FromBoot>(
        &self,
        msg: &Q,
        out: &Outgoing,
    ) -> Result<((A, JsValue), f64), String> {
        let id = next_request();
        let data = envelope_with_id(msg, &out.attachment, id);
        let asked = self.post(id, data, out)?;
        let posted_ms = super::now_ms();
        let opened = open_envelope::<A>(asked.await?)?;
        Ok(((opened.msg, opened.attachment), posted_ms))
    }

    /// Asks a spare to make its instance; the instance's `Ready` answers.
    pub async fn ask_to_instantiate<A: DeserializeOwned + FromBoot>(&self) -> Result<A, String> {
        let id = next_request();
        let data = self
            .post(id, instantiate_envelope(id), &Outgoing::none())?
            .await?;
        Ok(open_envelope::<A>(data)?.msg)
    }

    fn post(&self, id: u32, data: JsValue, out: &Outgoing) -> Result<Asked, String> {
        {
            let mut ib = self.inbox.borrow_mut();
            if let Some(why) = &ib.closed {
                return Err(why.clone());
            }
            ib.asked.insert(id);
        }
        let posted = if out.fits_a_port() {
            let port = self.inbox.borrow().port.clone();
            port.ok_or("the worker has no port")?
                .post_message_with_transferable(&data, &out.transfer)
                .map_err(|e| js_error_text(&e))
        } else {
            factory::relay(self.id, &data, &out.transfer)
        };
        if let Err(why) = posted {
            self.inbox.borrow_mut().asked.remove(&id);
            return Err(why);
        }
        Ok(Asked {
            id,
            inbox: self.inbox.clone(),
        })
    }

    /// The next thing the worker says unasked, or why it is gone.
    pub async fn said<A: DeserializeOwned + FromBoot>(&self) -> Result<(A, JsValue), String> {
        let data = until(&self.inbox, |ib| {
            if let Some(d) = ib.said.pop_front() {
                return Some(Ok(d));
            }
            ib.closed.clone().map(Err)
        })
        .await?;
        let opened = open_envelope::<A>(data)?;
        Ok((opened.msg, opened.attachment))
    }

    /// Ends the worker now, as `Process.terminate()` does (the page calls
    /// `terminate()` on it); whoever waits on it hears `why`.
    pub fn terminate(&self, why: &str) {
        if self.is_closed() {
            return;
        }
        close(&self.inbox, why.to_string());
        if let Some(port) = self.inbox.borrow_mut().port.take() {
            port.close();
        }
        factory::end(self.id);
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

/// A request on its way: resolves to its answer's envelope.
struct Asked {
    id: u32,
    inbox: SharedInbox,
}

impl std::future::IntoFuture for Asked {
    type Output = Result<JsValue, String>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output>>>;
    fn into_future(self) -> Self::IntoFuture {
        let Asked { id, inbox } = self;
        Box::pin(async move {
            let answer = until(&inbox, move |ib| {
                if let Some(d) = ib.answers.remove(&id) {
                    return Some(Ok(d));
                }
                ib.closed.clone().map(Err)
            })
            .await;
            inbox.borrow_mut().asked.remove(&id);
            answer
        })
    }
}
