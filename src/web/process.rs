//! A process worker: its own wasm instance and memory, reached only by
//! `postMessage`, as a `multiprocessing` worker is reached only by pickles.
//! `www/process_boot.js` instantiates it from the module the engine posts,
//! and leaves the port it talks to the engine through (the page made the
//! worker and the channel, see `mailbox.rs`) in `self.tvpPort`.

use super::shared::{received_bytes, SabCounter, SabLog};
use super::{envelope, envelope_with_id, open_envelope};
use super::{now_ms, sleep_ms, WebClock};
use crate::calibrate::Boot;
use crate::interleaving::LogHandle;
use crate::models::gil::{self, GilKind};
use crate::models::{
    threads, FreeEnv, OnThreads, Recording, Response, RunControl, Span, TaskOutcome,
};
use crate::protocol::{FromProcess, ProcessToPage, Received, TaskReport, ToProcess};
use crate::workloads::counter::Shared;
use crate::workloads::transfer::Via;
use crate::workloads::{TaskEnv, TaskFailure, Workload};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, MessagePort};

pub fn main() {
    let main_ms = now_ms();
    console_error_panic_hook::set_once();
    let port: MessagePort = js_sys::Reflect::get(&js_sys::global(), &"tvpPort".into())
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .expect_throw("process_boot.js leaves the engine's port in self.tvpPort");
    let reply_port = port.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let arrived_ms = now_ms();
        let (reply, back, id) = match open_envelope::<ToProcess>(ev.data()) {
            Ok(opened) => {
                let (reply, back) = answer(opened.msg, opened.attachment, arrived_ms);
                (reply, back, opened.id)
            }
            Err(message) => (FromProcess::Failed { message }, JsValue::UNDEFINED, 0),
        };
        send(&reply_port, &reply, back, id);
    });
    // Requests come on the port, and those that carry a buffer through
    // the page (see `web::factory`): one handler for both.
    port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    super::worker_scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the process (this worker does nothing
    // else), and the process ends by `terminate`, which frees its memory:
    // leaking it is its lifetime, not a leak.
    on_message.forget();
    // A spare's boot script left the id of the `instantiate` it answers;
    // a process started cold says it is ready unasked (0).
    let asked = js_sys::Reflect::get(&js_sys::global(), &"tvpReplyTo".into())
        .ok()
        .and_then(|v| v.as_f64())
        .map_or(0, |id| id as u32);
    let ready = FromProcess::Ready {
        boot: boot_times(main_ms),
    };
    send(&port, &ready, JsValue::UNDEFINED, asked);
}

/// What a request asks of this process, and what goes back beside the
/// answer (a buffer to be reused).
fn answer(request: ToProcess, attachment: JsValue, arrived_ms: f64) -> (FromProcess, JsValue) {
    match request {
        ToProcess::Task { task, workload } => {
            let start_ms = now_ms();
            let done = run_task(task, workload, attachment);
            let report = TaskReport {
                task,
                worker: 0,
                start_ms,
                end_ms: now_ms(),
                result: done.result.map(|v| v.to_string()),
                responses: done.responses,
            };
            let received = done.received.map(|r| Received { arrived_ms, ..r });
            (FromProcess::TaskDone { report, received }, done.back)
        }
        ToProcess::Ping => (FromProcess::Pong, JsValue::UNDEFINED),
        ToProcess::Memcpy { bytes, from_js } => (
            super::calibrate::copy_rates(bytes as usize, from_js),
            JsValue::UNDEFINED,
        ),
        ToProcess::StartPool { threads } => (start_pool(threads), JsValue::UNDEFINED),
        ToProcess::Chunk {
            tasks,
            workload,
            gil_switch_ms,
            first_worker,
        } => (
            run_chunk(&tasks, &workload, gil_switch_ms, first_worker),
            JsValue::UNDEFINED,
        ),
    }
}

/// Answers request `id` on the port; an answer that carries a buffer back
/// goes through the page in Firefox, whose ports copy what they should
/// transfer (`ports_copy_transfers`).
fn send(port: &MessagePort, reply: &FromProcess, back: JsValue, id: u32) {
    let transfer = if back.is_undefined() {
        js_sys::Array::new()
    } else {
        js_sys::Array::of1(&back)
    };
    if back.is_undefined() || !super::ports_copy_transfers() {
        let data = envelope_with_id(reply, &back, id);
        let _ = port.post_message_with_transferable(&data, &transfer);
        return;
    }
    let inner = envelope_with_id(reply, &back, id);
    let bag = js_sys::Array::of2(&inner, &transfer);
    let relay = envelope(&ProcessToPage::Relay, &bag);
    let _ = super::worker_scope().post_message_with_transfer(&relay, &transfer);
}

/// When the boot script began and began to instantiate (it leaves both in
/// `self.tvpBoot`), and when `main` began. The engine adds when it asked
/// and when it heard back.
fn boot_times(main_ms: f64) -> Option<Boot> {
    let boot = js_sys::Reflect::get(&js_sys::global(), &"tvpBoot".into()).ok()?;
    let at = |key: &str| {
        js_sys::Reflect::get(&boot, &key.into())
            .ok()
            .and_then(|v| v.as_f64())
    };
    Some(Boot {
        script_ms: at("script_ms")?,
        init_ms: at("init_ms")?,
        main_ms,
        ..Boot::default()
    })
}

/// What one task gave back: its result, what to send back (a moved or
/// copied buffer, to be reused), the requests it answered, and how its
/// buffer came in.
struct Done {
    result: Result<u128, TaskFailure>,
    back: JsValue,
    responses: Vec<Response>,
    received: Option<Received>,
}

/// Runs one task with what came beside it.
fn run_task(task: u32, workload: Workload, attachment: JsValue) -> Done {
    // Cancelling a process is done from outside (terminate), so the flag a
    // free task checks is never set here.
    let never = AtomicBool::new(false);
    let mut free = FreeEnv {
        clock: &WebClock,
        cancel: &never,
        sleep: sleep_ms,
    };
    let mut env = Recording::new(&mut free);
    let mut done = run_with(task, workload, attachment, &mut env);
    done.responses = env.responses;
    done
}

fn run_with(task: u32, workload: Workload, attachment: JsValue, env: &mut dyn TaskEnv) -> Done {
    let plain = |result| Done {
        result,
        back: JsValue::UNDEFINED,
        responses: Vec::new(),
        received: None,
    };
    match workload {
        Workload::Counter(mut c) => {
            // The counter this process was handed: without it the
            // deserialized copy would count in this process's memory alone.
            // A traced repeat hands a log beside it: `{counter, log}`.
            let field = |k: &str| js_sys::Reflect::get(&attachment, &k.into()).ok();
            let (counter, log) = match attachment.dyn_ref::<js_sys::SharedArrayBuffer>() {
                Some(sab) => (Some(sab.clone()), None),
                None => (
                    field("counter").and_then(|v| v.dyn_into().ok()),
                    field("log").and_then(|v| v.dyn_into::<js_sys::SharedArrayBuffer>().ok()),
                ),
            };
            if let Some(sab) = counter {
                c.shared = Shared(Arc::new(SabCounter::new(&sab)));
            }
            if let Some(log) = log {
                c.log = LogHandle::new(Arc::new(SabLog::new(&log)));
            }
            plain(c.run_task(task, env))
        }
        Workload::Transfer(t) => match received_bytes(&attachment) {
            Some((bytes, mut received)) => {
                let t0 = now_ms();
                let result = t.checksum_received(&bytes, env);
                received.checksum_ms = now_ms() - t0;
                // A buffer the sender gave away goes back to be filled
                // again, transferred, not copied; a shared one stays put.
                let back = if t.via == Via::Shared {
                    JsValue::UNDEFINED
                } else {
                    attachment
                };
                Done {
                    result,
                    back,
                    responses: Vec::new(),
                    received: Some(received),
                }
            }
            None => plain(t.run_task(task, env)),
        },
        other => plain(other.run_task(task, env)),
    }
}

thread_local! {
    /// This process's own thread pool (`hybrid`), once started.
    static POOL: std::cell::RefCell<Option<rayon::ThreadPool>> = const { std::cell::RefCell::new(None) };
}

/// Builds a pool of `threads` rayon threads whose workers the page makes:
/// a worker may not safely make workers in every browser (see
/// `mailbox.rs`), so each thread's state is handed over by address and a
/// page-made worker joins this memory and runs it. Returns once every
/// thread runs, so the run's clock never includes their start.
#[cfg(feature = "threads")]
fn start_pool(threads: u32) -> FromProcess {
    let mut ptrs = Vec::new();
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(threads as usize)
        .spawn_handler(|thread| {
            ptrs.push(Box::into_raw(Box::new(thread)) as usize as u32);
            Ok(())
        })
        .build();
    let pool = match built {
        Ok(pool) => pool,
        Err(e) => {
            return FromProcess::Failed {
                message: format!("the process could not build its pool: {e}"),
            }
        }
    };
    let scope = super::worker_scope();
    // This worker's boot script lies beside the engine's, as every worker
    // script does.
    let glue = match super::glue_url() {
        Ok(glue) => glue,
        Err(message) => return FromProcess::Failed { message },
    };
    let scripts = super::factory::Scripts::beside(&scope.location().href(), glue);
    let request = ProcessToPage::SpawnThreads {
        url: scripts.boot(crate::protocol::Role::PoolThread),
        script: scripts.glue,
        ptrs,
    };
    let attachment = super::js_object(&[
        ("module", &wasm_bindgen::module()),
        ("memory", &wasm_bindgen::memory()),
    ]);
    if let Err(e) = scope.post_message(&envelope(&request, &attachment)) {
        return FromProcess::Failed {
            message: format!(
                "the process could not ask for threads: {}",
                super::js_error_text(&e)
            ),
        };
    }
    // Blocks this worker (never the page) until every thread has joined.
    pool.broadcast(|_| ());
    POOL.with(|p| *p.borrow_mut() = Some(pool));
    FromProcess::PoolReady { threads }
}

#[cfg(not(feature = "threads"))]
fn start_pool(_threads: u32) -> FromProcess {
    FromProcess::Failed {
        message: format!("hybrid {}", crate::capabilities::WHY_SHARED),
    }
}

/// Where a pool thread the page made starts: the rayon thread whose state
/// lies at `ptr` in this memory runs here until the process ends.
#[cfg(feature = "threads")]
#[wasm_bindgen]
pub fn tvp_pool_thread(ptr: u32) {
    // SAFETY: `ptr` came from `Box::into_raw` in `start_pool` of the process
    // that owns this memory, and the page hands each pointer to one worker.
    let thread = unsafe { Box::from_raw(ptr as usize as *mut rayon::ThreadBuilder) };
    thread.run();
}

/// Runs `tasks` on this process's pool; spans and outcomes on the shared clock.
fn run_chunk(
    tasks: &[u32],
    workload: &Workload,
    gil_switch_ms: Option<f64>,
    first_worker: u32,
) -> FromProcess {
    POOL.with(|p| {
        let pool = p.borrow();
        let Some(pool) = pool.as_ref() else {
            return FromProcess::Failed {
                message: "a chunk came before the pool".to_string(),
            };
        };
        let control = RunControl::default();
        let on = OnThreads {
            pool: Some(pool),
            workers: pool.current_num_threads() as u32,
            clock: &WebClock,
            sleep: sleep_ms,
            control: &control,
        };
        let (outcomes, spans) = match gil_switch_ms {
            Some(switch_ms) => {
                let (o, s, _) = gil::run_tasks(workload, &on, switch_ms, GilKind::New, tasks);
                (o, s)
            }
            None => {
                let o = threads::run_tasks(workload, &on, tasks);
                let s = o.iter().map(TaskOutcome::run_span).collect();
                (o, s)
            }
        };
        FromProcess::ChunkDone {
            reports: outcomes
                .into_iter()
                .map(|o| TaskReport {
                    worker: first_worker + o.worker,
                    ..TaskReport::of(o)
                })
                .collect(),
            spans: spans
                .into_iter()
                .map(|s| Span {
                    worker: first_worker + s.worker,
                    ..s
                })
                .collect(),
        }
    })
}
