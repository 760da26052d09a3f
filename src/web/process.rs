//! A process worker: its own wasm instance and memory, reached only by
//! `postMessage`, as a `multiprocessing` worker is reached only by pickles.
//! `www/process_boot.js` instantiates it from the module the engine posts,
//! and leaves the port it talks to the engine through (the page made the
//! worker and the channel, see `mailbox.rs`) in `self.tvpPort`.

use super::shared::{received_bytes, SabCounter};
use super::{envelope, open_envelope};
use super::{now_ms, sleep_ms, WebClock};
use crate::models::FreeEnv;
use crate::protocol::{FromProcess, ToProcess};
use crate::workloads::counter::Shared;
use crate::workloads::transfer::Via;
use crate::workloads::{TaskFailure, Workload};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, MessagePort};

pub fn main() {
    console_error_panic_hook::set_once();
    let port: MessagePort = js_sys::Reflect::get(&js_sys::global(), &"tvpPort".into())
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .expect_throw("process_boot.js leaves the engine's port in self.tvpPort");
    let reply_port = port.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let (reply, back) = match open_envelope::<ToProcess>(ev.data()) {
            Ok((
                ToProcess::Task {
                    run,
                    task,
                    workload,
                },
                attachment,
            )) => {
                let start_ms = now_ms();
                let (result, back) = run_task(task, workload, attachment);
                let reply = FromProcess::TaskDone {
                    run,
                    task,
                    start_ms,
                    end_ms: now_ms(),
                    result: result.map(|v| v.to_string()),
                };
                (reply, back)
            }
            Ok((ToProcess::Ping { run }, _)) => (FromProcess::Pong { run }, JsValue::UNDEFINED),
            Err(message) => (FromProcess::Failed { message }, JsValue::UNDEFINED),
        };
        // A moved buffer goes back the way it came: transferred, not copied.
        let transfer = if back.is_undefined() {
            js_sys::Array::new()
        } else {
            js_sys::Array::of1(&back)
        };
        let _ = reply_port.post_message_with_transferable(&envelope(&reply, &back), &transfer);
    });
    port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // Tasks that carry a SharedArrayBuffer come through the page instead.
    super::worker_scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the process (this worker does nothing
    // else), and the process ends by `terminate`, which frees its memory:
    // leaking it is its lifetime, not a leak.
    on_message.forget();
    let _ = port.post_message(&envelope(&FromProcess::Ready, &JsValue::UNDEFINED));
}

/// Runs one task with what came beside it; returns the result and what to
/// send back (a moved buffer).
fn run_task(
    task: u32,
    workload: Workload,
    attachment: JsValue,
) -> (Result<u128, TaskFailure>, JsValue) {
    // Cancelling a process is done from outside (terminate), so the flag a
    // free task checks is never set here.
    let never = AtomicBool::new(false);
    let mut env = FreeEnv {
        clock: &WebClock,
        cancel: &never,
        sleep: sleep_ms,
    };
    match workload {
        Workload::Counter(mut c) => {
            // The counter this process was handed: without it the
            // deserialized copy would count in this process's memory alone.
            if let Some(sab) = attachment.dyn_ref::<js_sys::SharedArrayBuffer>() {
                c.shared = Shared(Arc::new(SabCounter::new(sab)));
            }
            (c.run_task(task, &mut env), JsValue::UNDEFINED)
        }
        Workload::Transfer(t) => match received_bytes(&attachment) {
            Some(bytes) => {
                let result = t.checksum_received(&bytes, &mut env);
                let back = if t.via == Via::Move {
                    attachment
                } else {
                    JsValue::UNDEFINED
                };
                (result, back)
            }
            None => (t.run_task(task, &mut env), JsValue::UNDEFINED),
        },
        other => (other.run_task(task, &mut env), JsValue::UNDEFINED),
    }
}
