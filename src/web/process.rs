//! A process worker: its own wasm instance and memory, reached only by
//! `postMessage`, as a `multiprocessing` worker is reached only by pickles.

use super::{from_js, now_ms, sleep_ms, to_js, worker_scope, WebClock};
use crate::models::FreeEnv;
use crate::protocol::{FromProcess, ToProcess};
use std::sync::atomic::AtomicBool;
use wasm_bindgen::prelude::*;
use web_sys::MessageEvent;

pub fn main() {
    console_error_panic_hook::set_once();
    let scope = worker_scope();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let reply = match from_js::<ToProcess>(ev.data()) {
            Ok(ToProcess::Task {
                run,
                task,
                workload,
            }) => {
                // Cancelling a process is done from outside (terminate), so the
                // flag a free task checks is never set here.
                let never = AtomicBool::new(false);
                let mut env = FreeEnv {
                    clock: &WebClock,
                    cancel: &never,
                    sleep: sleep_ms,
                };
                let start_ms = now_ms();
                let result = workload.run_task(task, &mut env).map(|v| v.to_string());
                FromProcess::TaskDone {
                    run,
                    task,
                    start_ms,
                    end_ms: now_ms(),
                    result,
                }
            }
            Err(e) => FromProcess::TaskDone {
                run: 0,
                task: 0,
                start_ms: 0.0,
                end_ms: 0.0,
                result: Err(crate::workloads::TaskFailure::Failed(e)),
            },
        };
        let _ = worker_scope().post_message(&to_js(&reply));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&to_js(&FromProcess::Ready));
}
