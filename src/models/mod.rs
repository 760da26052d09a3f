//! Execution models: how the tasks of a workload are run. One interface (a
//! model takes a workload and a worker count and yields a [`Measurement`]),
//! several implementations, as `concurrent.futures` hides whether its
//! workers are threads or processes.
//!
//! `seq` and `threads` are plain Rust (rayon) and run natively and in the
//! browser's engine worker alike; `procs` needs process workers and lives in
//! the web glue, speaking the same [`Measurement`].

pub mod event_loop;
pub mod gil;
pub mod seq;
pub mod threads;

use crate::workloads::{TaskEnv, TaskFailure, Workload};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelId {
    Seq,
    Threads,
    Gil,
    OldGil,
    Procs,
    Fork,
    Async,
    Hybrid,
}

impl ModelId {
    pub const ALL: [ModelId; 8] = [
        ModelId::Seq,
        ModelId::Async,
        ModelId::Threads,
        ModelId::Gil,
        ModelId::OldGil,
        ModelId::Procs,
        ModelId::Fork,
        ModelId::Hybrid,
    ];

    pub const fn id(self) -> &'static str {
        match self {
            ModelId::Seq => "seq",
            ModelId::Threads => "threads",
            ModelId::Gil => "gil",
            ModelId::OldGil => "oldgil",
            ModelId::Procs => "procs",
            ModelId::Fork => "fork",
            ModelId::Async => "async",
            ModelId::Hybrid => "hybrid",
        }
    }

    pub fn parse(s: &str) -> Option<ModelId> {
        ModelId::ALL.into_iter().find(|m| m.id() == s)
    }

    /// A short name for sentences ("GIL threads: 1.02×").
    pub fn name(self) -> &'static str {
        match self {
            ModelId::Seq => "One thread",
            ModelId::Threads => "Free threads",
            ModelId::Gil => "GIL threads",
            ModelId::OldGil => "Old-GIL threads",
            ModelId::Procs => "Process pool",
            ModelId::Fork => "Process per task",
            ModelId::Async => "Event loop",
            ModelId::Hybrid => "Processes × threads",
        }
    }

    /// What the model stands for, in the words of a Python programmer.
    pub fn stands_for(self) -> &'static str {
        match self {
            ModelId::Seq => "one thread, no parallelism",
            ModelId::Threads => "free threads (no GIL, like CPython 3.13t)",
            ModelId::Gil => "CPython ≥ 3.2 threads under the GIL",
            ModelId::OldGil => "CPython 2 threads under the old GIL",
            ModelId::Procs => "a multiprocessing.Pool started up front",
            ModelId::Fork => "a fresh process per task",
            ModelId::Async => "asyncio: coroutines on one thread, awaiting I/O",
            ModelId::Hybrid => "a process pool whose workers each run a thread pool",
        }
    }

    /// Threads share the engine's memory, which needs a `SharedArrayBuffer`;
    /// `seq` runs on the engine's own thread and processes own their memory.
    pub fn needs_shared_memory(self) -> bool {
        matches!(
            self,
            ModelId::Threads | ModelId::Gil | ModelId::OldGil | ModelId::Hybrid
        )
    }

    /// Models whose workers share the engine's memory (rayon threads).
    pub fn is_thread_model(self) -> bool {
        matches!(
            self,
            ModelId::Seq | ModelId::Async | ModelId::Threads | ModelId::Gil | ModelId::OldGil
        )
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    Run,
    GilWait,
    Io,
    Spawn,
    /// A coroutine is ready, but another one has the event loop.
    LoopWait,
}

impl SpanKind {
    /// Every kind, in the order timelines, their legends and their
    /// summaries list them.
    pub const ALL: [SpanKind; 5] = [
        SpanKind::Run,
        SpanKind::GilWait,
        SpanKind::Io,
        SpanKind::Spawn,
        SpanKind::LoopWait,
    ];

    /// The kind as the report's JSON names it (`gil_wait`): a trace
    /// event's category, a timeline bar's class.
    pub const fn id(self) -> &'static str {
        match self {
            SpanKind::Run => "run",
            SpanKind::GilWait => "gil_wait",
            SpanKind::Io => "io",
            SpanKind::Spawn => "spawn",
            SpanKind::LoopWait => "loop_wait",
        }
    }

    /// The kinds of `spans`, each once, in [`SpanKind::ALL`] order.
    pub fn seen_in(spans: &[Span]) -> Vec<SpanKind> {
        SpanKind::ALL
            .into_iter()
            .filter(|k| spans.iter().any(|s| s.kind == *k))
            .collect()
    }
}

/// A stretch of one task's time on one worker, in ms since the run started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub worker: u32,
    pub task: u32,
    pub kind: SpanKind,
    pub start_ms: f64,
    pub end_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskError {
    pub task: u32,
    pub message: String,
}

/// One repeat of one model: what the report is made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub model: ModelId,
    pub workers: u32,
    pub wall_ms: f64,
    /// The combined result as a decimal string: it can exceed 2^53.
    pub value: String,
    pub correct: bool,
    pub errors: Vec<TaskError>,
    pub spans: Vec<Span>,
    /// Named figures a model or lesson adds (µs per spawn, compile time,
    /// GIL hand-offs, …), for the report's readers.
    pub figures: BTreeMap<String, f64>,
    /// The answers to requests that arrived while another task was running
    /// (the `io` lesson's convoy): the response times the convoy is about.
    /// (No field of a message is skipped when empty: see `protocol`.)
    pub responses: Vec<Response>,
    /// The `transfer` lesson on process models: where each task's buffer
    /// spent its time, cold and warm.
    pub handovers: Vec<crate::workloads::transfer::Handover>,
    /// The counter lesson: the interleaving of the one traced repeat run
    /// after this model's timed ones ([`Workload::traced`]), carried by
    /// the model's last timed measurement; empty in every other. The traced
    /// repeat is never a measurement itself: its time is not a sample.
    pub trace: Vec<crate::interleaving::Event>,
}

impl Measurement {
    /// A correct repeat with no spans, errors or figures: what tests and
    /// examples build reports from.
    pub fn plain(model: ModelId, workers: u32, wall_ms: f64, value: String) -> Measurement {
        Measurement {
            model,
            workers,
            wall_ms,
            value,
            correct: true,
            errors: Vec::new(),
            spans: Vec::new(),
            figures: BTreeMap::new(),
            responses: Vec::new(),
            handovers: Vec::new(),
            trace: Vec::new(),
        }
    }
}

/// What one task produced on one worker.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskOutcome {
    pub task: u32,
    pub worker: u32,
    pub start_ms: f64,
    pub end_ms: f64,
    pub result: Result<u128, TaskFailure>,
    /// The requests the task answered (the `io` lesson's convoy).
    pub responses: Vec<Response>,
}

/// One answered request: when it arrived and when its answer was out, on
/// the run's clock (ms since the run started, once in a measurement).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub arrived_ms: f64,
    pub done_ms: f64,
}

impl Response {
    pub fn ms(&self) -> f64 {
        self.done_ms - self.arrived_ms
    }
}

/// A task's environment that keeps the response times the task reports,
/// so no model's own environment has to.
pub struct Recording<'e> {
    pub env: &'e mut dyn TaskEnv,
    pub responses: Vec<Response>,
}

impl<'e> Recording<'e> {
    pub fn new(env: &'e mut dyn TaskEnv) -> Self {
        Recording {
            env,
            responses: Vec::new(),
        }
    }
}

impl TaskEnv for Recording<'_> {
    fn tick(&mut self) -> Result<(), TaskFailure> {
        self.env.tick()
    }
    fn block(&mut self, ms: f64) -> Result<(), TaskFailure> {
        self.env.block(ms)
    }
    fn now_ms(&self) -> f64 {
        self.env.now_ms()
    }
    fn spawn_join(&mut self) -> Result<(), TaskFailure> {
        self.env.spawn_join()
    }
    fn responded(&mut self, arrived_ms: f64, done_ms: f64) {
        self.responses.push(Response {
            arrived_ms,
            done_ms,
        });
    }
    fn handed_off(&self) -> u64 {
        self.env.handed_off()
    }
}

/// Milliseconds on a clock that all workers of a run share.
pub trait Clock: Sync {
    fn now_ms(&self) -> f64;
}

/// The environment of a free-running task (no GIL): ticks only check for
/// cancellation; blocking sleeps through the platform's `sleep`.
pub struct FreeEnv<'a, C: Clock, S: Fn(f64)> {
    pub clock: &'a C,
    pub cancel: &'a AtomicBool,
    pub sleep: S,
}

impl<'a, C: Clock, S: Fn(f64)> FreeEnv<'a, C, S> {
    /// The environment of a task of the run that `control` can cancel.
    pub fn new(clock: &'a C, control: &'a RunControl, sleep: S) -> Self {
        FreeEnv {
            clock,
            cancel: &control.cancel,
            sleep,
        }
    }
}

impl<C: Clock, S: Fn(f64)> TaskEnv for FreeEnv<'_, C, S> {
    fn tick(&mut self) -> Result<(), TaskFailure> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(TaskFailure::Cancelled)
        } else {
            Ok(())
        }
    }
    fn block(&mut self, ms: f64) -> Result<(), TaskFailure> {
        (self.sleep)(ms);
        self.tick()
    }
    fn now_ms(&self) -> f64 {
        self.clock.now_ms()
    }
    /// Free threads start real threads where the platform has them; in the
    /// page the engine starts the spawn lesson's workers itself.
    #[cfg(not(target_arch = "wasm32"))]
    fn spawn_join(&mut self) -> Result<(), TaskFailure> {
        crate::workloads::spawn::native::spawn_join_thread().map_err(TaskFailure::Failed)
    }
}

/// Runs `f(task, worker)` for every task on exactly `workers` workers:
/// `workers` rayon jobs, each taking the next task until none are left, so
/// a pool of N threads can stand for any smaller pool (the scaling sweep
/// runs 1..N workers on one pool). Worker indices are the jobs', 0-based.
/// Results come back in no particular order.
pub fn par_tasks<R: Send>(tasks: u32, workers: u32, f: impl Fn(u32, u32) -> R + Sync) -> Vec<R> {
    par_list(&(0..tasks).collect::<Vec<_>>(), workers, f)
}

/// As [`par_tasks`] for the tasks in `list`: a process of `hybrid` runs
/// its share of a workload's tasks on its own threads.
pub fn par_list<R: Send>(list: &[u32], workers: u32, f: impl Fn(u32, u32) -> R + Sync) -> Vec<R> {
    let next = AtomicU32::new(0);
    let count = list.len() as u32;
    let results = Mutex::new(Vec::with_capacity(list.len()));
    rayon::scope(|s| {
        for worker in 0..workers.min(count).max(1) {
            let (next, results, f) = (&next, &results, &f);
            s.spawn(move |_| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&task) = list.get(i as usize) else {
                    break;
                };
                let r = f(task, worker);
                results
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(r);
            });
        }
    });
    results.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// Where a thread model runs and what its tasks see: `workers` threads
/// of `pool` (rayon's global pool when `None`: in the browser, the one
/// wasm-bindgen-rayon built in the engine worker), the clock, how a task
/// blocks, and the run's cancel flag and progress counter.
pub struct OnThreads<'a, C, S> {
    pub pool: Option<&'a rayon::ThreadPool>,
    pub workers: u32,
    pub clock: &'a C,
    pub sleep: S,
    pub control: &'a RunControl,
}

impl<'a, C: Clock, S: Fn(f64) + Sync> OnThreads<'a, C, S> {
    /// Every thread of `pool`.
    pub fn all_of(
        pool: Option<&'a rayon::ThreadPool>,
        clock: &'a C,
        sleep: S,
        control: &'a RunControl,
    ) -> Self {
        let workers = pool.map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
        OnThreads {
            pool,
            workers: workers as u32,
            clock,
            sleep,
            control,
        }
    }

    /// Runs `job` inside the pool, so its rayon calls use the pool's threads.
    pub fn install<R: Send>(&self, job: impl FnOnce() -> R + Send) -> R {
        match self.pool {
            Some(p) => p.install(job),
            None => job(),
        }
    }
}

/// What a run shares with whoever started it while it runs: a flag that
/// stops its tasks at their next tick, and a count of finished tasks for a
/// progress display. The caller owns it, so the models hold no globals: the
/// page keeps one in the engine's shared memory, native code one per run.
#[derive(Debug, Default)]
pub struct RunControl {
    pub cancel: AtomicBool,
    pub finished: AtomicU32,
}

impl RunControl {
    pub const fn new() -> Self {
        RunControl {
            cancel: AtomicBool::new(false),
            finished: AtomicU32::new(0),
        }
    }
}

/// Runs one task and times it: the common step of every model.
pub fn run_one(
    workload: &Workload,
    task: u32,
    worker: u32,
    env: &mut dyn TaskEnv,
    finished: &AtomicU32,
) -> TaskOutcome {
    let start_ms = env.now_ms();
    let mut env = Recording::new(env);
    let result = workload.run_task(task, &mut env);
    finished.fetch_add(1, Ordering::Relaxed);
    TaskOutcome {
        task,
        worker,
        start_ms,
        end_ms: env.now_ms(),
        result,
        responses: env.responses,
    }
}

/// Spans on a run's own timeline: ms since the run started at `start_ms`.
pub fn rebase(spans: impl IntoIterator<Item = Span>, start_ms: f64) -> Vec<Span> {
    spans
        .into_iter()
        .map(|s| Span {
            start_ms: s.start_ms - start_ms,
            end_ms: s.end_ms - start_ms,
            ..s
        })
        .collect()
}

impl TaskOutcome {
    /// A task that did not run: it failed at `at_ms` on `worker`.
    pub fn failed(task: u32, worker: u32, at_ms: f64, why: TaskFailure) -> TaskOutcome {
        TaskOutcome {
            task,
            worker,
            start_ms: at_ms,
            end_ms: at_ms,
            result: Err(why),
            responses: Vec::new(),
        }
    }

    /// The task's whole time on its worker, as one `run` span.
    pub fn run_span(&self) -> Span {
        Span {
            worker: self.worker,
            task: self.task,
            kind: SpanKind::Run,
            start_ms: self.start_ms,
            end_ms: self.end_ms,
        }
    }
}

/// Turns the outcomes of one repeat into a measurement: combines values in
/// task order, asks the oracle, and rebases span times on the run's start.
pub fn measure(
    model: ModelId,
    workers: u32,
    workload: &Workload,
    run_start_ms: f64,
    run_end_ms: f64,
    mut outcomes: Vec<TaskOutcome>,
) -> Measurement {
    outcomes.sort_by_key(|o| o.task);
    let mut values = Vec::with_capacity(outcomes.len());
    let mut failures = Vec::new();
    for o in &outcomes {
        match &o.result {
            Ok(v) => values.push(*v),
            Err(e) => failures.push((o.task, e)),
        }
    }
    let value = workload.combine(&values);
    // A task that never reported counts as failed, so a lost result cannot pass.
    let reported = outcomes.len() == workload.tasks() as usize;
    let correct = reported && workload.correct(value, &failures);
    let errors = failures
        .iter()
        .map(|(task, e)| TaskError {
            task: *task,
            message: e.to_string(),
        })
        .collect();
    let spans = rebase(outcomes.iter().map(TaskOutcome::run_span), run_start_ms);
    Measurement {
        model,
        workers,
        wall_ms: run_end_ms - run_start_ms,
        value: value.to_string(),
        correct,
        errors,
        spans,
        figures: BTreeMap::new(),
        responses: contended(&outcomes, run_start_ms),
        handovers: Vec::new(),
        trace: Vec::new(),
    }
}

/// The responses to requests that arrived while some other task was
/// running, on the run's own timeline. A request that met no competing work
/// (as every one does under `seq`) says nothing about the convoy.
fn contended(outcomes: &[TaskOutcome], run_start_ms: f64) -> Vec<Response> {
    let mut out: Vec<Response> = outcomes
        .iter()
        .flat_map(|o| {
            o.responses.iter().filter(move |r| {
                outcomes.iter().any(|other| {
                    other.task != o.task
                        && other.start_ms <= r.arrived_ms
                        && r.arrived_ms < other.end_ms
                })
            })
        })
        .map(|r| Response {
            arrived_ms: r.arrived_ms - run_start_ms,
            done_ms: r.done_ms - run_start_ms,
        })
        .collect();
    out.sort_by(|a, b| a.arrived_ms.total_cmp(&b.arrived_ms));
    out
}

#[cfg(not(target_arch = "wasm32"))]
pub mod native {
    //! Native platform pieces: a monotonic clock and a real sleep.
    use super::Clock;
    use std::time::{Duration, Instant};

    pub struct InstantClock(pub Instant);

    impl Default for InstantClock {
        fn default() -> Self {
            InstantClock(Instant::now())
        }
    }

    impl Clock for InstantClock {
        fn now_ms(&self) -> f64 {
            self.0.elapsed().as_secs_f64() * 1e3
        }
    }

    pub fn sleep_ms(ms: f64) {
        std::thread::sleep(Duration::from_secs_f64(ms.max(0.0) / 1e3));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_answers_that_met_competing_work_count() {
        let outcome = |task, start_ms, end_ms, responses: &[(f64, f64)]| TaskOutcome {
            task,
            worker: task,
            start_ms,
            end_ms,
            result: Ok(1),
            responses: responses
                .iter()
                .map(|&(arrived_ms, done_ms)| Response {
                    arrived_ms,
                    done_ms,
                })
                .collect(),
        };
        // Task 0 answers at 101, 150 and 260 (ms on the shared clock); task
        // 1 computes from 120 to 250: only the answer to the request that
        // arrived at 150 met it.
        let outcomes = vec![
            outcome(
                0,
                100.0,
                270.0,
                &[(101.0, 102.0), (150.0, 155.5), (260.0, 261.0)],
            ),
            outcome(1, 120.0, 250.0, &[]),
        ];
        let w = Workload::Cpu(crate::workloads::cpu::Cpu { tasks: 2, n: 1 });
        let m = measure(ModelId::Threads, 2, &w, 100.0, 270.0, outcomes);
        assert_eq!(
            m.responses,
            vec![Response {
                arrived_ms: 50.0,
                done_ms: 55.5
            }]
        );
        assert_eq!(m.responses[0].ms(), 5.5);
    }

    #[test]
    fn a_span_kind_is_named_as_in_the_json() {
        for k in SpanKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.id());
        }
        let span = |kind| Span {
            worker: 0,
            task: 0,
            kind,
            start_ms: 0.0,
            end_ms: 1.0,
        };
        let spans = [span(SpanKind::Io), span(SpanKind::Run), span(SpanKind::Io)];
        assert_eq!(SpanKind::seen_in(&spans), [SpanKind::Run, SpanKind::Io]);
    }

    #[test]
    fn par_tasks_uses_exactly_the_workers_asked_for() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        for workers in 1..=4 {
            let mut seen = pool.install(|| par_tasks(10, workers, |task, worker| (task, worker)));
            seen.sort();
            assert_eq!(
                seen.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
                (0..10).collect::<Vec<_>>()
            );
            assert!(
                seen.iter().all(|(_, w)| *w < workers),
                "{workers}: {seen:?}"
            );
        }
        assert_eq!(
            par_tasks(3, 8, |t, w| (t, w)).len(),
            3,
            "more workers than tasks"
        );
    }
}
