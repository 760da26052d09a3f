//! The engine worker: owns the rayon thread pool (through wasm-bindgen-rayon,
//! which needs a worker because it blocks) and the process workers, and
//! runs every measurement so the page's main thread never computes.

use super::factory::{self, Scripts};
use super::parked::ParkedThreads;
use super::procs::Processes;
use super::{envelope, now_ms, open_envelope, pause_ms, sleep_ms, worker_scope, WebClock, RUN};
use crate::models::gil::{self, GilKind};
use crate::models::{
    event_loop, measure, rebase, seq, threads, Measurement, ModelId, OnThreads, Span, SpanKind,
    TaskOutcome,
};
use crate::protocol::{FromEngine, FromEngineWorker, Role, StepRequest, ToEngine, ToEngineWorker};
use crate::stats;
use crate::workloads::counter::CounterSync;
use crate::workloads::transfer::Handover;
use crate::workloads::Workload;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::MessageEvent;

const SETTLE_MS: f64 = 25.0;

struct Engine {
    workers: u32,
    procs: Processes,
    /// The spawn lesson's threads.
    threads: ParkedThreads,
    /// The step in progress, if any.
    running: Cell<Option<u32>>,
}

thread_local! {
    /// The engine, once its pools are up: commands find it here.
    static ENGINE: RefCell<Option<Rc<Engine>>> = const { RefCell::new(None) };
}

/// The module's entry in a worker (the page's is `ui::start`). The boot
/// script says which role this worker has (`web::role`): the engine, or a
/// process, which runs this same module in an instance and memory of its
/// own, so every model runs the same machine code and no ratio compares
/// two differently optimized copies of a workload. Threads join a memory
/// that already runs, and never reach `main`.
pub fn main() {
    console_error_panic_hook::set_once();
    match super::role() {
        Some(Role::Process) => super::process::main(),
        Some(Role::Engine { workers }) => start(workers),
        other => {
            let message = format!("a worker started in no role this module runs: {other:?}");
            post(&FromEngine::Failed {
                step: None,
                message,
            });
        }
    }
}

fn post(msg: &FromEngine) {
    let msg = FromEngineWorker::Event(msg.clone());
    let _ = worker_scope().post_message(&envelope(&msg, &JsValue::UNDEFINED));
}

/// The engine's one message handler: the factory's answers go to the
/// workers waiting for them (the process pool starts with their help, so
/// they come before the engine is ready); the UI's commands go to the
/// engine.
fn on_message(ev: MessageEvent) {
    match open_envelope::<ToEngineWorker>(ev.data()) {
        Ok(opened) => match opened.msg {
            ToEngineWorker::Factory(reply) => factory::on_reply(reply, opened.attachment),
            ToEngineWorker::Command(command) => {
                let engine = ENGINE.with(|e| e.borrow().clone());
                match engine {
                    Some(engine) => engine.on_command(command),
                    // The page queues its commands until the engine is ready.
                    None => post(&FromEngine::Failed {
                        step: None,
                        message: "a command came before the engine was ready".to_string(),
                    }),
                }
            }
        },
        Err(message) => post(&FromEngine::Failed {
            step: None,
            message,
        }),
    }
}

fn start(workers: u32) {
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
    worker_scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The handler is needed for as long as the engine worker lives, and the
    // worker ends by `terminate`, which frees its whole memory: there is no
    // earlier moment at which dropping it would be right.
    handler.forget();
    spawn_local(async move {
        if let Err(message) = start_pools(workers).await {
            post(&FromEngine::Failed {
                step: None,
                message,
            });
        }
    });
}

async fn start_pools(workers: u32) -> Result<(), String> {
    let t0 = now_ms();
    let threads = start_threads(workers).await?;
    let t1 = now_ms();
    factory::set_scripts(Scripts::beside(
        &worker_scope().location().href(),
        super::glue_url()?,
    ));
    let procs = Processes::start(workers, &RUN).await?;
    let process_pool_ms = now_ms() - t1;
    ENGINE.with(|e| {
        *e.borrow_mut() = Some(Rc::new(Engine {
            workers,
            procs,
            threads: ParkedThreads::default(),
            running: Cell::new(None),
        }))
    });
    // Where the page writes to cancel: the engine's memory and the flag's
    // address. A memory that is not shared cannot be posted; the reduced
    // page cancels by message (processes at once, `seq` after its repeat).
    if super::shared_memory() {
        post_cancel_cell();
    }
    post(&FromEngine::Ready {
        threads,
        thread_pool_ms: t1 - t0,
        procs: workers,
        process_pool_ms,
    });
    Ok(())
}

impl Engine {
    fn on_command(self: Rc<Self>, command: ToEngine) {
        match command {
            ToEngine::Run(req) => {
                // At most the pool's threads, and at least one of everything.
                let plan = StepRequest {
                    workers: req.workers.clamp(1, self.workers),
                    procs: req.procs.max(1),
                    threads: req.threads.max(1),
                    ..req
                };
                spawn_local(async move {
                    let msg = self.run_all(&plan).await;
                    post(&msg);
                });
            }
            ToEngine::Calibrate { step } => spawn_local(async move {
                let msg = match super::calibrate::measure(&self.procs).await {
                    Ok(calibration) => FromEngine::Calibrated { step, calibration },
                    Err(message) => FromEngine::Failed {
                        step: Some(step),
                        message: format!("measuring this machine's limits: {message}"),
                    },
                };
                post(&msg);
            }),
            ToEngine::Cancel { step } => {
                if self.running.get() == Some(step) {
                    RUN.cancel.store(true, Ordering::Relaxed);
                    self.procs.launcher.terminate_all("cancelled");
                }
            }
        }
    }
}

/// `workers` threads of the engine's rayon pool, on the page's clock.
/// Traced repeats a model whose timed repeats lost updates may take to show
/// one: each is a few milliseconds.
const TRACE_TRIES: u32 = 10;

fn on_threads(workers: u32) -> OnThreads<'static, WebClock, fn(f64)> {
    OnThreads {
        pool: None,
        workers,
        clock: &WebClock,
        sleep: sleep_ms,
        control: &RUN,
    }
}

fn post_cancel_cell() {
    let cell = FromEngineWorker::CancelCell {
        cancel: RUN.cancel.as_ptr() as usize as u32,
        tasks_finished: RUN.finished.as_ptr() as usize as u32,
    };
    let _ = worker_scope().post_message(&envelope(&cell, &wasm_bindgen::memory()));
}

// Firefox may collect a Web Worker that shares wasm memory with its parent
// once no JS value refers to it (bugzilla 1702191), and wasm-bindgen-rayon
// keeps no reference to the rayon threads it starts: every Worker made in
// the engine is kept here until it is terminated.
#[cfg(feature = "threads")]
#[wasm_bindgen(inline_js = "
export function keep_workers_alive() {
  const Base = globalThis.Worker;
  if (!Base || Base.keepsItsWorkers) return;
  const kept = new Set();
  class KeptWorker extends Base {
    constructor(url, options) { super(url, options); kept.add(this); }
    terminate() { kept.delete(this); super.terminate(); }
  }
  KeptWorker.keepsItsWorkers = true;
  globalThis.Worker = KeptWorker;
}")]
extern "C" {
    fn keep_workers_alive();
}

/// Starts rayon's pool where the page has shared memory; the reduced build
/// (no `threads` feature) and a browser without `SharedArrayBuffer` run
/// `seq` on this thread and processes only.
async fn start_threads(workers: u32) -> Result<u32, String> {
    #[cfg(feature = "threads")]
    if super::shared_memory() {
        keep_workers_alive();
        let pool = wasm_bindgen_rayon::init_thread_pool(workers as usize);
        wasm_bindgen_futures::JsFuture::from(pool)
            .await
            .map_err(|e| {
                format!(
                    "could not start {workers} rayon threads: {}",
                    super::js_error_text(&e)
                )
            })?;
        return Ok(workers);
    }
    let _ = workers;
    Ok(0)
}

/// `seq` on one of rayon's threads when there are any: the same kind of
/// thread, made the same way, as every other thread model runs on. On the
/// engine's own thread WebKitGTK ran the same loop ~20% slower, which made
/// GIL threads look faster than one thread. The reduced page has no pool.
/// The event loop of `async` runs on the same kind of thread, for the same
/// reason.
fn on_one_thread(job: impl Fn() -> Measurement + Send + Sync) -> Measurement {
    #[cfg(feature = "threads")]
    if super::shared_memory() {
        let mut out = None;
        rayon::scope(|s| s.spawn(|_| out = Some(job())));
        if let Some(m) = out {
            return m;
        }
    }
    job()
}

impl Engine {
    /// Warm-up rounds first, then measured rounds; within a round every
    /// model runs once, so a slow phase of the machine hits all models alike.
    async fn run_all(&self, plan: &StepRequest) -> FromEngine {
        let (step, workload) = (plan.step, &plan.workload);
        let (repeats, warmup) = (plan.repeats, plan.warmup);
        if let Some(m) = plan
            .models
            .iter()
            .find(|m| m.needs_shared_memory() && !super::shared_memory())
        {
            return FromEngine::Failed {
                step: Some(step),
                message: format!("{m} {}", crate::capabilities::WHY_SHARED),
            };
        }
        RUN.cancel.store(false, Ordering::Relaxed);
        self.running.set(Some(step));
        let mut out: Vec<Measurement> = Vec::new();
        // The warm-up's cold handovers (a pool's first touch of its memory)
        // join the first measured repeat of their model: the breakdown
        // shows cold beside warm, though the timing leaves them out.
        let mut cold_in_warmup: Vec<(ModelId, Vec<Handover>)> = Vec::new();
        let rounds = warmup + repeats;
        for round in 0..rounds {
            for &model in &plan.models {
                if RUN.cancel.load(Ordering::Relaxed) {
                    return self.cancelled(step, None, now_ms()).await;
                }
                post(&FromEngine::Progress {
                    step,
                    model,
                    round: round + 1,
                    rounds,
                    warmup: round < warmup,
                });
                // The page redraws its progress line when this message lands;
                // on a 2-core machine that would steal a core from the
                // measurement, so give it a moment to happen first.
                pause_ms(SETTLE_MS).await;
                RUN.finished.store(0, Ordering::Relaxed);
                let mut m = self.measure(workload, model, plan).await;
                if RUN.cancel.load(Ordering::Relaxed) {
                    return self.cancelled(step, Some(model), now_ms()).await;
                }
                if round < warmup {
                    let cold = m.handovers.into_iter().filter(|h| h.cold).collect();
                    cold_in_warmup.push((model, cold));
                } else {
                    if !out.iter().any(|o| o.model == model) {
                        for (_, cold) in cold_in_warmup.iter_mut().filter(|(k, _)| *k == model) {
                            m.handovers.append(cold);
                        }
                    }
                    out.push(m);
                }
            }
        }
        // The counter lesson: one short traced repeat per model, after the
        // timed ones, whose interleaving goes with the model's last
        // measurement (never a sample of its own).
        if matches!(workload, Workload::Counter(_)) {
            for &model in &plan.models {
                if RUN.cancel.load(Ordering::Relaxed) {
                    return self.cancelled(step, Some(model), now_ms()).await;
                }
                // A race is a matter of timing: a short trace on a busy
                // machine (another core drawing the page) may show none
                // where the timed repeats lost thousands. Where they did,
                // the model gets a few more tries to show one; each trace
                // is a real one, and one that never loses says so.
                let lost_when_timed = match workload {
                    Workload::Counter(c) if c.sync == CounterSync::Racy => out
                        .iter()
                        .filter(|m| m.model == model)
                        .filter_map(|m| m.value.parse::<u128>().ok())
                        .any(|v| c.lost_updates(v) > 0),
                    _ => false,
                };
                pause_ms(SETTLE_MS).await;
                let mut trace = self.traced(workload, model, plan).await;
                for tried in 1..TRACE_TRIES {
                    if !lost_when_timed || !crate::interleaving::lost_updates(&trace).is_empty() {
                        break;
                    }
                    // Spaced out: what kept a core busy (WebKit compiling
                    // the module's faster tier in the background, the page
                    // drawing) lasts longer than a trace.
                    pause_ms(SETTLE_MS * f64::from(tried)).await;
                    trace = self.traced(workload, model, plan).await;
                }
                if let Some(m) = out.iter_mut().rev().find(|m| m.model == model) {
                    m.trace = trace;
                }
            }
        }
        self.running.set(None);
        self.end_step();
        // A crashed process worker was ended; the next run gets a full pool.
        if let Err(message) = self.procs.fill_pool(self.workers).await {
            return FromEngine::Failed {
                step: Some(step),
                message,
            };
        }
        FromEngine::Done {
            step,
            measurements: out,
            live_processes: self.procs.launcher.live_count(),
        }
    }

    /// What serves the repeats of one step only (hybrid's processes, the
    /// spares of forks and threads) would between steps only hold memory.
    fn end_step(&self) {
        self.procs.end_step();
        self.threads.end_spares();
    }

    async fn cancelled(&self, step: u32, model: Option<ModelId>, stopped_at_ms: f64) -> FromEngine {
        self.running.set(None);
        self.procs.launcher.terminate_all("cancelled");
        self.end_step();
        let t = now_ms();
        let rebuilt = self.procs.fill_pool(self.workers).await;
        RUN.cancel.store(false, Ordering::Relaxed);
        match rebuilt {
            Ok(()) => FromEngine::Cancelled {
                step,
                model,
                stopped_at_ms,
                rebuild_ms: now_ms() - t,
                live_processes: self.procs.launcher.live_count(),
            },
            Err(message) => FromEngine::Failed {
                step: Some(step),
                message,
            },
        }
    }

    /// One repeat of one model.
    async fn measure(
        &self,
        workload: &Workload,
        model: ModelId,
        plan: &StepRequest,
    ) -> Measurement {
        let workers = plan.workers;
        if let Workload::Spawn(s) = workload {
            return self.spawn_lesson(workload, s.count, model, workers).await;
        }
        match model {
            ModelId::Seq => on_one_thread(|| seq::run(workload, &WebClock, sleep_ms, &RUN)),
            ModelId::Async => {
                on_one_thread(|| event_loop::run(workload, &WebClock, sleep_ms, &RUN))
            }
            ModelId::Threads => threads::run_on(workload, &on_threads(workers)),
            ModelId::Gil | ModelId::OldGil => {
                let kind = GilKind::of_model(model).expect("a GIL model");
                let on = on_threads(workers);
                let (mut m, gil_stats) = gil::run_on(workload, &on, plan.switch_ms, kind);
                m.figures
                    .insert("gil_hand_offs".into(), gil_stats.hand_offs as f64);
                m.figures
                    .insert("gil_drop_requests".into(), gil_stats.drop_requests as f64);
                m
            }
            ModelId::Hybrid => self.hybrid(workload, plan).await,
            ModelId::Procs | ModelId::Fork => {
                let start = now_ms();
                let (outcomes, spans) = if model == ModelId::Procs {
                    self.procs.run_pool(workload, workers).await
                } else {
                    self.procs.run_fork(workload, workers).await
                };
                let end = now_ms();
                let mut m = measure(model, workers, workload, start, end, outcomes);
                m.spans.extend(rebase(spans, start));
                self.start_figures(&mut m);
                m.handovers = self.procs.take_handovers();
                m
            }
        }
    }

    /// The counter lesson's traced repeat of `model`: every read and write
    /// of the shared value, with the worker and a global order
    /// (`crate::interleaving`); empty where a model has none (`hybrid`).
    async fn traced(
        &self,
        workload: &Workload,
        model: ModelId,
        plan: &StepRequest,
    ) -> Vec<crate::interleaving::Event> {
        let workers = match model {
            ModelId::Seq | ModelId::Async => 1,
            _ => plan.workers,
        };
        let Some((traced, log)) = workload.traced_in_memory(workers) else {
            return Vec::new();
        };
        match model {
            ModelId::Seq => {
                on_one_thread(|| seq::run(&traced, &WebClock, sleep_ms, &RUN));
            }
            ModelId::Async => {
                on_one_thread(|| event_loop::run(&traced, &WebClock, sleep_ms, &RUN));
            }
            ModelId::Threads => {
                threads::run_on(&traced, &on_threads(workers));
            }
            ModelId::Gil | ModelId::OldGil => {
                let kind = GilKind::of_model(model).expect("a GIL model");
                gil::run_traced(&traced, &on_threads(workers), kind);
            }
            ModelId::Procs | ModelId::Fork => {
                // Processes record into a SharedArrayBuffer, which a page
                // without shared memory does not have.
                let Workload::Counter(c) = workload.clone() else {
                    return Vec::new();
                };
                if !super::shared_memory() {
                    return Vec::new();
                }
                let shape = c.trace_log_shape(workers);
                return self
                    .procs
                    .run_traced(
                        model,
                        &Workload::Counter(c.traced(workers, Default::default())),
                        workers,
                        shape,
                    )
                    .await;
            }
            ModelId::Hybrid => return Vec::new(),
        }
        log.events()
    }

    /// `hybrid`: its processes and their threads are started before the
    /// clock, as a pool is, and kept for the next repeat; what starting
    /// them cost is a figure of its own.
    async fn hybrid(&self, workload: &Workload, plan: &StepRequest) -> Measurement {
        let (procs, threads) = (plan.procs, plan.threads);
        let gil = plan.hybrid_gil.then_some(plan.switch_ms);
        let workers = procs * threads;
        let launcher = &self.procs.launcher;
        let (processes, start_cost) = match self.procs.hybrid.get(launcher, procs, threads).await {
            Ok(started) => started,
            Err(why) => {
                let now = now_ms();
                let failed = (0..workload.tasks())
                    .map(|task| {
                        TaskOutcome::failed(
                            task,
                            0,
                            now,
                            crate::workloads::TaskFailure::Failed(format!(
                                "the hybrid processes could not start: {why}"
                            )),
                        )
                    })
                    .collect();
                return measure(ModelId::Hybrid, workers, workload, now, now, failed);
            }
        };
        let start = now_ms();
        let (outcomes, spans) = super::hybrid::run(workload, &processes, threads, gil).await;
        let end = now_ms();
        let mut m = measure(ModelId::Hybrid, workers, workload, start, end, outcomes);
        // The processes' own spans: under a GIL they say more than one
        // span per task.
        m.spans = rebase(spans, start);
        m.figures.insert("processes".into(), f64::from(procs));
        m.figures
            .insert("threads_per_process".into(), f64::from(threads));
        if gil.is_some() {
            m.figures.insert("gil_per_process".into(), 1.0);
        }
        if start_cost > 0.0 {
            m.figures.insert("pool_start_ms".into(), start_cost);
        }
        m
    }

    /// The `spawn` lesson. Starting a worker in the browser completes only
    /// once the parent returns to its event loop, so the engine drives the
    /// start-and-join loop itself (asynchronously) rather than from inside
    /// a task, which would wait forever. What a "worker" is depends on the
    /// model: a thread handed a function by a worker parked on the shared
    /// memory (thread models), a fresh process made in a warm spare
    /// (`fork`), or an empty task handed to the running pool (`procs`).
    async fn spawn_lesson(
        &self,
        workload: &Workload,
        count: u32,
        model: ModelId,
        workers: u32,
    ) -> Measurement {
        let launcher = &self.procs.launcher;
        match model {
            ModelId::Fork => self.procs.forks.keep(launcher, workers),
            ModelId::Procs => {}
            _ => self.threads.keep(workers),
        }
        let start = now_ms();
        let mut outcome = Ok(0u128);
        let mut spans = Vec::new();
        let mut steps_ms = Vec::new();
        for i in 0..count {
            if RUN.cancel.load(Ordering::Relaxed) {
                outcome = Err(crate::workloads::TaskFailure::Cancelled);
                break;
            }
            // A fork server's child and a parked thread are ready before
            // anyone waits for them: the step times the start itself, with
            // no spare starting beside it, and the spares' own cold start
            // is a figure of its own.
            let t0;
            // A thread's start and join is timed where it happens; ending
            // its worker afterwards is the page's bookkeeping.
            let mut joined_ms = None;
            let step = match model {
                ModelId::Procs => {
                    t0 = now_ms();
                    self.procs.pool.ping((i % workers) as usize).await
                }
                ModelId::Fork => {
                    self.procs.forks.settle(launcher).await;
                    match self.procs.forks.warm_spare(launcher).await {
                        Ok(spare) => {
                            t0 = now_ms();
                            self.procs
                                .forks
                                .instantiate(launcher, spare)
                                .await
                                .map(|mb| launcher.end(&mb))
                        }
                        Err(e) => {
                            t0 = now_ms();
                            Err(e)
                        }
                    }
                }
                _ => {
                    self.threads.settle().await;
                    t0 = now_ms();
                    self.threads
                        .start_join()
                        .await
                        .map(|ms| joined_ms = Some(ms))
                }
            };
            let t1 = joined_ms.map_or_else(now_ms, |ms| t0 + ms);
            steps_ms.push(t1 - t0);
            spans.push(Span {
                worker: 0,
                task: 0,
                kind: SpanKind::Spawn,
                start_ms: t0 - start,
                end_ms: t1 - start,
            });
            match step {
                Ok(()) => outcome = outcome.map(|n| n + 1),
                Err(e) => {
                    outcome = Err(crate::workloads::TaskFailure::Failed(format!(
                        "start {} of {count} failed: {e}",
                        i + 1
                    )));
                    break;
                }
            }
        }
        let end = now_ms();
        let workers = if model == ModelId::Procs { workers } else { 1 };
        let mut m = measure(
            model,
            workers,
            workload,
            start,
            end,
            vec![TaskOutcome {
                task: 0,
                worker: 0,
                start_ms: start,
                end_ms: end,
                result: outcome,
                responses: Vec::new(),
            }],
        );
        m.spans = spans;
        if let Some(median) = stats::median(&steps_ms) {
            // The repeat's time is what its starts and joins take: as many
            // as it made, times the median one. Waiting for a spare or a parked worker to
            // start is their cold start, a figure apart, and would make every
            // model's time mostly that wait; and one start the machine
            // delayed would weigh on a sum as much as all the others.
            m.wall_ms = median * steps_ms.len() as f64;
            m.figures.insert("per_step_us".into(), median * 1e3);
        }
        self.start_figures(&mut m);
        m
    }

    /// How `fork`'s processes and the parked threads started, each the
    /// median over the starts of this repeat: a fork from a warm spare,
    /// and the spares' (or parked threads') own cold starts, paid before.
    fn start_figures(&self, m: &mut Measurement) {
        let forks = self.procs.forks.take_starts();
        let mut cold: Vec<f64> = forks.iter().map(|s| s.cold_ms).collect();
        cold.extend(self.threads.take_cold_ms());
        let figures = [
            (
                "fork_start_us",
                forks.iter().map(|s| s.start_ms).collect::<Vec<_>>(),
            ),
            (
                "fork_instantiate_us",
                forks.iter().filter_map(|s| s.instantiate_ms).collect(),
            ),
            ("cold_start_us", cold),
        ];
        for (key, ms) in figures {
            if let Some(median) = stats::median(&ms) {
                m.figures.insert(key.into(), median * 1e3);
            }
        }
    }
}
