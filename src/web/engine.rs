//! The engine worker: owns the rayon thread pool (through wasm-bindgen-rayon,
//! which needs a worker because it blocks) and the pool of process workers,
//! and runs every measurement so the page's main thread never computes.

use super::{
    from_js, js_error_text, now_ms, sleep_ms, spawn_module_worker, to_js, worker_scope, WebClock,
};
use crate::models::{measure, seq, threads, Measurement, ModelId, TaskOutcome};
use crate::protocol::{FromEngine, FromProcess, ToEngine, ToProcess};
use crate::workloads::{TaskFailure, Workload};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{MessageEvent, Worker};

/// The engine learns its worker count from its Worker `name` ("engine:N"),
/// so it can build both pools before it takes its first message.
pub fn main() {
    console_error_panic_hook::set_once();
    let workers: u32 = worker_scope()
        .name()
        .strip_prefix("engine:")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
        .max(1);
    spawn_local(async move {
        match start(workers).await {
            Ok(ready) => post(&ready),
            Err(message) => post(&FromEngine::Failed { run: None, message }),
        }
    });
}

fn post(msg: &FromEngine) {
    let _ = worker_scope().post_message(&to_js(msg));
}

async fn start(workers: u32) -> Result<FromEngine, String> {
    let t0 = now_ms();
    JsFuture::from(wasm_bindgen_rayon::init_thread_pool(workers as usize))
        .await
        .map_err(|e| {
            format!(
                "could not start {workers} rayon threads: {}",
                js_error_text(&e)
            )
        })?;
    let t1 = now_ms();
    let pool = ProcessPool::start(workers).await?;
    let t2 = now_ms();

    let pool = Rc::new(pool);
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            match from_js::<ToEngine>(ev.data()) {
                Ok(ToEngine::Run {
                    run,
                    workload,
                    models,
                    repeats,
                    warmup,
                }) => {
                    let pool = pool.clone();
                    spawn_local(async move {
                        let msg =
                            match run_all(run, &workload, &models, repeats, warmup, &pool).await {
                                Ok(measurements) => FromEngine::Done { run, measurements },
                                Err(message) => FromEngine::Failed {
                                    run: Some(run),
                                    message,
                                },
                            };
                        post(&msg);
                    });
                }
                Err(message) => post(&FromEngine::Failed { run: None, message }),
            }
        });
    worker_scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    Ok(FromEngine::Ready {
        threads: workers,
        thread_pool_ms: t1 - t0,
        procs: workers,
        process_pool_ms: t2 - t1,
    })
}

const SETTLE_MS: f64 = 25.0;

/// Warm-up rounds first, then measured rounds; within a round every model
/// runs once, so a slow phase of the machine hits all models alike.
async fn run_all(
    run: u32,
    workload: &Workload,
    models: &[ModelId],
    repeats: u32,
    warmup: u32,
    pool: &ProcessPool,
) -> Result<Vec<Measurement>, String> {
    let cancel = AtomicBool::new(false);
    let mut out = Vec::new();
    let rounds = warmup + repeats;
    for round in 0..rounds {
        for &model in models {
            post(&FromEngine::Progress {
                run,
                model,
                round: round + 1,
                rounds,
                warmup: round < warmup,
            });
            // The page redraws its progress line when this message lands; on a
            // 2-core machine that redraw would steal a core from the
            // measurement, so give it a moment to happen first.
            sleep_ms(SETTLE_MS);
            let m = match model {
                ModelId::Seq => seq::run(workload, &WebClock, sleep_ms, &cancel),
                ModelId::Threads => threads::run(workload, None, &WebClock, sleep_ms, &cancel),
                ModelId::Procs => pool.run(run, workload).await?,
                other => {
                    return Err(format!(
                        "the {other} model is not available in this version of the page"
                    ))
                }
            };
            if round >= warmup {
                out.push(m);
            }
        }
    }
    Ok(out)
}

/// K process workers started up front (a `multiprocessing.Pool`): each is
/// its own wasm instance with its own memory; tasks go to whichever is idle.
struct ProcessPool {
    workers: Vec<Worker>,
    state: Rc<RefCell<PoolState>>,
}

#[derive(Default)]
struct PoolState {
    /// While starting: how many workers have not said "ready" yet.
    starting: u32,
    /// Settles the promise the engine is awaiting (start-up or a batch).
    resolve: Option<js_sys::Function>,
    reject: Option<js_sys::Function>,
    batch: Option<Batch>,
}

struct Batch {
    run: u32,
    workload: Workload,
    next_task: u32,
    outcomes: Vec<TaskOutcome>,
}

impl PoolState {
    fn settle(&mut self, result: Result<(), String>) {
        let (resolve, reject) = (self.resolve.take(), self.reject.take());
        let _ = match result {
            Ok(()) => resolve.map(|f| f.call0(&JsValue::NULL)),
            Err(e) => reject.map(|f| f.call1(&JsValue::NULL, &JsValue::from_str(&e))),
        };
    }
}

impl ProcessPool {
    async fn start(count: u32) -> Result<ProcessPool, String> {
        let state = Rc::new(RefCell::new(PoolState {
            starting: count,
            ..Default::default()
        }));
        let mut workers = Vec::with_capacity(count as usize);
        for index in 0..count {
            let worker = spawn_module_worker("./process_loader.js", &format!("process:{index}"))?;
            let st = state.clone();
            let w = worker.clone();
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                on_process_message(&st, &w, index, ev.data());
            });
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            on_message.forget();
            let st = state.clone();
            let on_error = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                st.borrow_mut().settle(Err(format!(
                    "process worker {index} failed: {}",
                    js_error_text(&e)
                )));
            });
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            on_error.forget();
            workers.push(worker);
        }
        let pool = ProcessPool { workers, state };
        pool.wait().await?;
        Ok(pool)
    }

    /// Waits until the state machine settles the current promise.
    async fn wait(&self) -> Result<(), String> {
        let state = self.state.clone();
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            let mut s = state.borrow_mut();
            s.resolve = Some(resolve);
            s.reject = Some(reject);
        });
        // A batch or start-up that completed before we got here settled nothing.
        if self.already_settled() {
            return Ok(());
        }
        JsFuture::from(promise)
            .await
            .map(|_| ())
            .map_err(|e| e.as_string().unwrap_or_else(|| js_error_text(&e)))
    }

    fn already_settled(&self) -> bool {
        let s = self.state.borrow();
        s.starting == 0
            && s.batch
                .as_ref()
                .is_none_or(|b| b.outcomes.len() as u32 == b.workload.tasks())
    }

    /// Runs every task of `workload` on the pool and measures the batch from
    /// the first dispatch to the last result, as the parent process sees it.
    async fn run(&self, run: u32, workload: &Workload) -> Result<Measurement, String> {
        let start = now_ms();
        {
            let mut s = self.state.borrow_mut();
            s.batch = Some(Batch {
                run,
                workload: workload.clone(),
                next_task: 0,
                outcomes: Vec::new(),
            });
        }
        // Prime every worker with one task; each result pulls the next one.
        for worker in &self.workers {
            if !dispatch_next(&mut self.state.borrow_mut(), worker) {
                break;
            }
        }
        self.wait().await?;
        let end = now_ms();
        let batch = self.state.borrow_mut().batch.take().expect("batch present");
        Ok(measure(
            ModelId::Procs,
            self.workers.len() as u32,
            workload,
            start,
            end,
            batch.outcomes,
        ))
    }
}

/// Sends the next task of the batch to `worker`; false when none are left.
fn dispatch_next(s: &mut PoolState, worker: &Worker) -> bool {
    let Some(b) = s.batch.as_mut() else {
        return false;
    };
    if b.next_task >= b.workload.tasks() {
        return false;
    }
    let msg = ToProcess::Task {
        run: b.run,
        task: b.next_task,
        workload: b.workload.clone(),
    };
    b.next_task += 1;
    let _ = worker.post_message(&to_js(&msg));
    true
}

fn on_process_message(state: &Rc<RefCell<PoolState>>, worker: &Worker, index: u32, data: JsValue) {
    let mut s = state.borrow_mut();
    match from_js::<FromProcess>(data) {
        Ok(FromProcess::Ready) => {
            s.starting = s.starting.saturating_sub(1);
            if s.starting == 0 {
                s.settle(Ok(()));
            }
        }
        Ok(FromProcess::TaskDone {
            run,
            task,
            start_ms,
            end_ms,
            result,
        }) => {
            let Some(b) = s.batch.as_mut() else { return };
            if b.run != run {
                return;
            }
            let result = result.and_then(|v| {
                v.parse::<u128>()
                    .map_err(|_| TaskFailure::Failed(format!("unreadable result {v:?}")))
            });
            b.outcomes.push(TaskOutcome {
                task,
                worker: index,
                start_ms,
                end_ms,
                result,
            });
            let done = b.outcomes.len() as u32 == b.workload.tasks();
            if done {
                s.settle(Ok(()));
            } else {
                dispatch_next(&mut s, worker);
            }
        }
        Err(e) => s.settle(Err(format!("process worker {index}: {e}"))),
    }
}
