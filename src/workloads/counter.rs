//! Lesson 5: shared state. Every task adds `increments` to one counter that
//! all tasks share, in one of four ways (`sync`):
//! - `racy`: read the value, then write value + 1, as `value += 1` does in
//!   Python. Two workers that read the same value both write the same
//!   successor, and one increment is lost. (Atomic loads and stores, so a
//!   lost update is the only harm: no undefined behaviour.)
//! - `locked`: the same read and write, under a lock.
//! - `atomic`: one indivisible fetch-and-add.
//! - `messages`: nothing is shared; each task counts alone and the counts
//!   are summed at the end, as workers sending their result to the parent.
//!
//! One short traced repeat after the timed ones records the interleaving
//! ([`crate::interleaving`]): with a log set ([`Counter::traced`]), every
//! read and write goes into it, by the same code on threads and on
//! processes. Without one, the timed loops below run untouched.
//!
//! The counter is run state, not configuration: it is skipped by serde and
//! ignored by `==`, as is the log. A copy made by deserializing (a process
//! worker's copy) gets a counter of its own, just as a Python process does
//! unless the counter is declared shared; the page's process models
//! declare it, by handing each process a counter in a `SharedArrayBuffer`
//! (and, for the traced repeat, a log in another).

use super::cpu::count_steps;
use super::{Lesson, ParamError, TaskEnv, TaskFailure};
use crate::interleaving::{Event, Log, LogHandle, LogShape};
use crate::params::{words, DefaultValue, Kind, ParamSpec};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, TryLockError};

pub const LESSON: Lesson = Lesson {
    title: "Shared state and lost updates",
    question: "Several workers increment one counter. Does the final count equal the number \
               of increments?",
    expect: &[
        ("seq", "always exact: one worker cannot race itself"),
        (
            "threads",
            "racy loses updates, often many; locked, atomic and messages are exact, \
                     locked being the slowest",
        ),
        (
            "gil",
            "racy still loses updates: the GIL can pass to another thread between the read \
                 and the write of `value += 1`",
        ),
        (
            "procs",
            "processes share only what they declare: the page hands each one the counter \
                   in a SharedArrayBuffer (a multiprocessing.Value). Then racy loses updates as \
                   threads do, locked and atomic are exact but pay a round trip through JS per \
                   update, and messages is exact and cheapest",
        ),
        ("async", "nothing lost even with sync=racy: a coroutine is never interrupted between its read and its write"),
    ],
    why: "`value += 1` is a read followed by a write. If another worker writes in between, \
          its update is overwritten and nobody is told. A lock makes the pair indivisible at \
          the cost of waiting for it, an atomic instruction does so in hardware, and counting \
          locally then sending the result avoids sharing altogether.",
};

/// Loop steps between the read and the write of a racy `value += 1`: CPython
/// runs several bytecodes there (load the attribute, load 1, add, store),
/// tens of nanoseconds in which another worker can write. Without them the
/// window is two instructions wide and the race rarely shows in short runs.
pub const STEPS_BETWEEN_READ_AND_WRITE: u64 = 64;

#[inline(always)]
fn interpreter_steps() {
    std::hint::black_box(super::cpu::spin(
        std::hint::black_box(super::cpu::seed(0)),
        STEPS_BETWEEN_READ_AND_WRITE,
    ));
}

/// The traced repeat's size: enough workers and increments to catch a race,
/// few enough events to show and to carry (a read and a write each).
pub const TRACE_TASKS: u32 = 4;
pub const TRACE_INCREMENTS: u64 = 1_000;
/// How long a traced task waits for the others to start with it.
const ARRIVAL_WAIT_MS: f64 = 50.0;

/// Increments between two ticks: the counter's operations are much slower
/// than a countdown step, so the GIL and cancellation get a chance as often.
pub const COUNTER_TICK: u64 = 1_000;
// `messages` burns a chunk through `count_steps`, which must tick once per chunk.
const _: () = assert!(COUNTER_TICK <= super::TICK_STEPS);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CounterSync {
    Racy,
    Locked,
    Atomic,
    Messages,
}

impl CounterSync {
    pub const ALL: [(&'static str, CounterSync); 4] = [
        ("racy", CounterSync::Racy),
        ("locked", CounterSync::Locked),
        ("atomic", CounterSync::Atomic),
        ("messages", CounterSync::Messages),
    ];

    pub fn id(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, s)| *s == self)
            .map(|(n, _)| *n)
            .unwrap_or("racy")
    }
}

/// One counter that the tasks of a run share, and the bookkeeping that lets
/// the last task to finish read the final count. The page may implement it
/// over a `SharedArrayBuffer` to share a counter between process workers.
pub trait SharedCounter: Send + Sync {
    fn load(&self) -> u64;
    fn store(&self, value: u64);
    /// Writes `value` and returns the value it replaced, indivisibly. Still
    /// an unconditional overwrite, so it loses updates exactly as `store`
    /// does; the traced repeat uses it to prove each loss from what was
    /// replaced.
    fn swap(&self, value: u64) -> u64;
    /// Adds `n` indivisibly; returns the previous value.
    fn fetch_add(&self, n: u64) -> u64;
    /// Reads and writes back value + `n` while holding the counter's lock.
    fn locked_add(&self, n: u64);
    /// Runs `critical` while holding the lock `locked_add` takes; first
    /// calls `waits` if another worker holds it, before waiting for it.
    /// For the traced repeat, which records what happens under the lock.
    fn with_lock(&self, waits: &mut dyn FnMut(), critical: &mut dyn FnMut());
    /// Marks one task of the run finished, failed or not; returns how many
    /// have finished so far, this one included.
    fn task_done(&self) -> u32;
    /// Back to zero, with no task finished, for the next run.
    fn reset(&self);
}

/// A counter in one memory that threads share: std atomics and a mutex, so
/// it works on native threads and on rayon threads in the page alike.
#[derive(Debug, Default)]
pub struct MemoryCounter {
    value: AtomicU64,
    lock: Mutex<()>,
    done: AtomicU32,
}

impl SharedCounter for MemoryCounter {
    fn load(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }
    fn store(&self, value: u64) {
        self.value.store(value, Ordering::Relaxed)
    }
    fn swap(&self, value: u64) -> u64 {
        self.value.swap(value, Ordering::Relaxed)
    }
    fn fetch_add(&self, n: u64) -> u64 {
        self.value.fetch_add(n, Ordering::Relaxed)
    }
    fn locked_add(&self, n: u64) {
        let _held = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        self.store(self.load() + n);
    }
    fn with_lock(&self, waits: &mut dyn FnMut(), critical: &mut dyn FnMut()) {
        let _held = match self.lock.try_lock() {
            Ok(held) => held,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => {
                waits();
                self.lock.lock().unwrap_or_else(PoisonError::into_inner)
            }
        };
        critical();
    }
    fn task_done(&self) -> u32 {
        // AcqRel chains every task's writes before the last task's read.
        self.done.fetch_add(1, Ordering::AcqRel) + 1
    }
    fn reset(&self) {
        self.value.store(0, Ordering::Relaxed);
        self.done.store(0, Ordering::Release);
    }
}

/// The handle a [`Counter`] carries to its shared counter. Clones share it.
#[derive(Clone)]
pub struct Shared(pub Arc<dyn SharedCounter>);

impl Default for Shared {
    fn default() -> Self {
        Shared(Arc::new(MemoryCounter::default()))
    }
}

impl PartialEq for Shared {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Shared({})", self.0.load())
    }
}

const TASKS: ParamSpec = ParamSpec {
    key: "tasks",
    label: "Tasks",
    help: "workers incrementing",
    kind: Kind::Int { min: 1, max: 64 },
    default: DefaultValue::Int(4),
};
const INCREMENTS: ParamSpec = ParamSpec {
    key: "increments",
    label: "Increments",
    help: "per task",
    kind: Kind::Int {
        min: 1,
        max: 100_000_000,
    },
    default: DefaultValue::Int(100_000),
};
const SYNC_WORDS: [&str; 4] = words(&CounterSync::ALL);
const SYNC: ParamSpec = ParamSpec {
    key: "sync",
    label: "Sync",
    help: "how the counter is updated",
    kind: Kind::Choice(&SYNC_WORDS),
    default: DefaultValue::Word("racy"),
};
/// The keys of this lesson, in URL order.
pub const PARAMS: &[ParamSpec] = &[TASKS, INCREMENTS, SYNC];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counter {
    pub tasks: u32,
    pub increments: u64,
    pub sync: CounterSync,
    #[serde(skip)]
    pub shared: Shared,
    /// Set only for the traced repeat: where its reads and writes go.
    #[serde(skip)]
    pub log: LogHandle,
}

impl Default for Counter {
    fn default() -> Self {
        Counter::from_pairs(&[], &mut Vec::new())
    }
}

impl Counter {
    pub fn new(tasks: u32, increments: u64, sync: CounterSync) -> Counter {
        Counter {
            tasks,
            increments,
            sync,
            shared: Shared::default(),
            log: LogHandle::default(),
        }
    }

    /// The traced repeat of this run: at most [`TRACE_TASKS`] tasks (no
    /// more than `workers`, so each task has a worker of its own, but at
    /// least 2, so one worker taking turns shows too) of at most
    /// [`TRACE_INCREMENTS`] increments, recording into `log`, on a counter
    /// of its own. A process model replaces that counter with the shared
    /// one it hands its processes, and the log with one over shared memory.
    pub fn traced(&self, workers: u32, log: LogHandle) -> Counter {
        Counter {
            log,
            ..Counter::new(
                self.tasks.min(TRACE_TASKS).min(workers.max(2)),
                self.increments.min(TRACE_INCREMENTS),
                self.sync,
            )
        }
    }

    /// The log the traced repeat of [`Counter::traced`]`(workers, _)`
    /// needs: room for every event it can record (a read, a write and a
    /// wait per increment, an add per task), and its tasks that start at
    /// once, one per worker, which wait for each other before counting.
    pub fn trace_log_shape(&self, workers: u32) -> LogShape {
        let traced = self.traced(workers, LogHandle::default());
        let per_task = 3 * traced.increments as usize + 1;
        LogShape {
            capacity: traced.tasks as usize * per_task,
            parties: traced.tasks.min(workers.max(1)),
        }
    }

    pub fn from_pairs(pairs: &[(String, String)], errors: &mut Vec<ParamError>) -> Self {
        Counter::new(
            TASKS.int(pairs, errors) as u32,
            INCREMENTS.int(pairs, errors),
            SYNC.choice(pairs, &CounterSync::ALL, errors),
        )
    }

    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            (TASKS.key, self.tasks.to_string()),
            (INCREMENTS.key, self.increments.to_string()),
            (SYNC.key, self.sync.id().to_string()),
        ]
    }

    /// Every increment of every task counted.
    pub fn expected(&self) -> u128 {
        u128::from(self.tasks) * u128::from(self.increments)
    }

    pub fn lost_updates(&self, value: u128) -> u128 {
        self.expected().saturating_sub(value)
    }

    /// A racy run is correct when it completed without counting more than
    /// was added: losing updates is what it is there to show, so a loss is
    /// reported as `lost_updates`, not as a wrong result. The other modes
    /// must count every increment.
    pub fn correct(&self, value: u128, failures: &[(u32, &TaskFailure)]) -> bool {
        failures.is_empty()
            && match self.sync {
                CounterSync::Racy => value <= self.expected(),
                _ => value == self.expected(),
            }
    }

    /// For `messages` the task returns its own count. For the shared modes
    /// the run's value is the counter after every task finished: the task
    /// that finishes last reads it, returns it, and resets the counter for
    /// the next run; the others return 0, so the usual sum is the count.
    pub fn run_task(&self, task: u32, env: &mut dyn TaskEnv) -> Result<u128, TaskFailure> {
        // Checked once per task, outside every loop: a timed repeat pays
        // nothing for the traced one.
        let counted = match &self.log.0 {
            Some(log) => self.increment_traced(task, &**log, env),
            None => self.increment(env),
        };
        let counter = &self.shared.0;
        let last = counter.task_done() == self.tasks;
        let final_count = if last {
            let v = counter.load();
            counter.reset();
            v
        } else {
            0
        };
        let mine = counted?;
        Ok(u128::from(match self.sync {
            CounterSync::Messages => mine,
            _ => final_count,
        }))
    }

    /// Adds this task's increments as `sync` says; returns how many it made.
    fn increment(&self, env: &mut dyn TaskEnv) -> Result<u64, TaskFailure> {
        let c = &*self.shared.0;
        let mut left = self.increments;
        while left > 0 {
            let chunk = left.min(COUNTER_TICK);
            match self.sync {
                CounterSync::Racy => {
                    for _ in 1..chunk {
                        let v = c.load();
                        interpreter_steps();
                        c.store(v + 1);
                    }
                    // The tick sits between a read and its write, where the
                    // interpreter can switch threads in the middle of
                    // `value += 1`: a GIL does not make the update indivisible.
                    let v = c.load();
                    env.tick()?;
                    c.store(v + 1);
                }
                CounterSync::Locked => {
                    for _ in 0..chunk {
                        c.locked_add(1);
                    }
                    // Outside the lock: a simulated GIL switching threads while
                    // one holds the lock would leave the others spinning on it.
                    env.tick()?;
                }
                CounterSync::Atomic => {
                    for _ in 0..chunk {
                        c.fetch_add(1);
                    }
                    env.tick()?;
                }
                CounterSync::Messages => {
                    // A chunk fits in one tick's steps, so this ticks once, after it.
                    count_steps(chunk, env)?;
                }
            }
            left -= chunk;
        }
        Ok(self.increments)
    }

    /// [`Counter::increment`] recording every operation on the counter
    /// into `log` as worker `task`. Each ticket is taken right after its
    /// operation (see [`Event`] on why that order can be slightly off).
    fn increment_traced(
        &self,
        task: u32,
        log: &dyn Log,
        env: &mut dyn TaskEnv,
    ) -> Result<u64, TaskFailure> {
        let c = &*self.shared.0;
        let n = self.increments;
        // Wait for the workers that start at once, ticking so that a GIL
        // can let them in. A worker that never comes (an old GIL never
        // hands over inside a task; a process that starts late) is waited
        // for only so long.
        log.arrive();
        let since = env.now_ms();
        while !log.all_arrived() && env.now_ms() - since < ARRIVAL_WAIT_MS {
            env.tick()?;
            std::hint::spin_loop();
        }
        match self.sync {
            CounterSync::Racy => {
                for _ in 0..n {
                    let v = c.load();
                    log.record(Event::read(task, v, 0));
                    interpreter_steps();
                    // A tick between every read and its write, not every
                    // COUNTER_TICK increments: the trace is a few hundred
                    // increments long, and a GIL switches only at a tick.
                    let handed_off = env.handed_off();
                    env.tick()?;
                    let replaced = c.swap(v + 1);
                    log.record(Event {
                        switched: env.handed_off() != handed_off,
                        ..Event::write(task, v + 1, replaced, 0)
                    });
                }
            }
            CounterSync::Locked => {
                for _ in 0..n {
                    // Recorded under the lock, so their tickets are in the
                    // true order; a wait is recorded before the waiting.
                    let mut waits = || {
                        log.record(Event::wait(task, 0));
                    };
                    c.with_lock(&mut waits, &mut || {
                        let v = c.load();
                        log.record(Event::read(task, v, 0));
                        let replaced = c.swap(v + 1);
                        log.record(Event::write(task, v + 1, replaced, 0));
                    });
                    env.tick()?;
                }
            }
            CounterSync::Atomic => {
                // One event per add: the read is inside the write, and
                // drawing it as one step is the point.
                for _ in 0..n {
                    let old = c.fetch_add(1);
                    log.record(Event::add(task, old + 1, old, 0));
                    env.tick()?;
                }
            }
            CounterSync::Messages => {
                // Nothing is shared while counting. The owner adds each
                // worker's total as its message arrives: one indivisible
                // add each, in arrival order, as a queue hands them over.
                // (The count the run reports is still the sum of the
                // tasks' own totals.)
                count_steps(n, env)?;
                let old = c.fetch_add(n);
                log.record(Event::add(task, old + n, old, 0));
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interleaving::MemoryLog;
    use crate::workloads::test_util::{judged, pairs, run_all, Recorder};
    use crate::workloads::Workload;

    #[test]
    fn one_worker_counts_every_increment_in_every_mode() {
        for (_, sync) in CounterSync::ALL {
            for (tasks, increments) in [(1, 1), (4, 2_500), (3, COUNTER_TICK + 1)] {
                let w = Workload::Counter(Counter::new(tasks, increments, sync));
                for round in 0..2 {
                    let (value, failures) = run_all(&w);
                    assert_eq!(
                        value,
                        w.expected(),
                        "{sync:?} {tasks}x{increments} round {round}"
                    );
                    assert_eq!(w.lost_updates(value), Some(0));
                    assert!(judged(&w, value, &failures));
                }
            }
        }
    }

    #[test]
    fn racy_is_judged_by_completion_and_bound_the_rest_by_the_count() {
        let racy = Workload::Counter(Counter::new(4, 100, CounterSync::Racy));
        assert!(judged(&racy, 250, &[]), "lost updates are the lesson");
        assert_eq!(racy.lost_updates(250), Some(150));
        assert!(!judged(&racy, 401, &[]), "more than was added is a bug");
        assert!(!judged(&racy, 400, &[(1, TaskFailure::Cancelled)]));
        let locked = Workload::Counter(Counter::new(4, 100, CounterSync::Locked));
        assert!(!judged(&locked, 399, &[]));
        assert!(judged(&locked, 400, &[]));
    }

    #[test]
    fn the_last_task_to_finish_reports_and_resets() {
        let c = Counter::new(3, 10, CounterSync::Atomic);
        let mut env = Recorder::default();
        assert_eq!(c.run_task(0, &mut env), Ok(0));
        assert_eq!(c.run_task(1, &mut env), Ok(0));
        assert_eq!(c.shared.0.load(), 20);
        assert_eq!(c.run_task(2, &mut env), Ok(30));
        assert_eq!(c.shared.0.load(), 0, "ready for the next run");

        // A cancelled task still counts as finished, so the next run starts clean.
        let mut cancelled = Recorder {
            cancel_at_tick: Some(0),
            ..Default::default()
        };
        let c = Counter::new(2, 5_000, CounterSync::Locked);
        assert_eq!(c.run_task(0, &mut cancelled), Err(TaskFailure::Cancelled));
        assert_eq!(c.run_task(1, &mut env), Ok(5_000 + COUNTER_TICK as u128));
        assert_eq!(c.run_task(0, &mut env), Ok(0));
        assert_eq!(c.run_task(1, &mut env), Ok(10_000));
    }

    #[test]
    fn a_copy_sent_to_a_process_shares_nothing() {
        for (_, sync) in CounterSync::ALL {
            let w = Workload::Counter(Counter::new(4, 1_000, sync));
            let json = serde_json::to_string(&w).unwrap();
            assert!(
                json.contains(&format!("\"sync\":\"{}\"", sync.id())),
                "{json}"
            );
            assert!(!json.contains("shared"), "{json}");
            // Each task on its own deserialized copy, as in a process worker.
            let outputs: Vec<u128> = (0..w.tasks())
                .map(|t| {
                    let copy: Workload = serde_json::from_str(&json).unwrap();
                    assert_eq!(copy, w);
                    copy.run_task(t, &mut Recorder::default()).unwrap()
                })
                .collect();
            let value = w.combine(&outputs);
            if sync == CounterSync::Messages {
                assert_eq!(value, w.expected());
            } else {
                assert_eq!(value, 0, "{sync:?}: no copy saw the others finish");
                assert!(sync == CounterSync::Racy || !judged(&w, value, &[]));
            }
        }
    }

    fn traced_on(c: &Counter, workers: u32) -> (Counter, Arc<MemoryLog>) {
        let log = Arc::new(MemoryLog::new(c.trace_log_shape(workers)));
        let handle = LogHandle::new(log.clone());
        (c.traced(workers, handle), log)
    }

    #[test]
    fn the_traced_repeat_is_short_and_counts_on_its_own() {
        let c = Counter::new(16, 100_000, CounterSync::Locked);
        let (t, _) = traced_on(&c, 8);
        assert_eq!(
            (t.tasks, t.increments, t.sync),
            (4, TRACE_INCREMENTS, CounterSync::Locked)
        );
        assert!(t.log.0.is_some() && c.log.0.is_none());
        assert_eq!(
            t.traced(1, LogHandle::default()).tasks,
            2,
            "one worker takes turns"
        );
        assert_eq!(c.traced(3, LogHandle::default()).tasks, 3);
        let small = Counter::new(1, 5, CounterSync::Racy).traced(4, LogHandle::default());
        assert_eq!((small.tasks, small.increments), (1, 5));
        assert_eq!(
            c.trace_log_shape(8),
            LogShape {
                capacity: 4 * (3 * TRACE_INCREMENTS as usize + 1),
                parties: 4
            }
        );
        assert_eq!(
            c.trace_log_shape(1).parties,
            1,
            "one worker waits for nobody"
        );
        // Its own counter: the timed repeats' is untouched.
        c.shared.0.store(7);
        assert_eq!(t.shared.0.load(), 0);
        // A process's copy carries no log: the page hands it one.
        let json = serde_json::to_string(&t).unwrap();
        assert!(!json.contains("log"), "{json}");
        let copy: Counter = serde_json::from_str(&json).unwrap();
        assert!(copy.log.0.is_none());
    }

    #[test]
    fn every_sync_records_what_it_does_to_the_counter() {
        use crate::interleaving::{lost_updates, net_erased, Op};
        for (_, sync) in CounterSync::ALL {
            let (t, log) = traced_on(&Counter::new(3, 50, sync), 3);
            let w = Workload::Counter(t);
            let (value, failures) = run_all(&w);
            assert!(failures.is_empty());
            assert_eq!(value, 150, "{sync:?}: one after another, nothing lost");
            let events = log.events();
            let ops = |op| events.iter().filter(|e| e.op == op).count();
            let (reads, writes, waits, adds) =
                (ops(Op::Read), ops(Op::Write), ops(Op::Wait), ops(Op::Add));
            match sync {
                CounterSync::Racy | CounterSync::Locked => {
                    assert_eq!((reads, writes, waits, adds), (150, 150, 0, 0), "{sync:?}")
                }
                CounterSync::Atomic => assert_eq!((reads, writes, adds), (0, 0, 150)),
                // The owner adds each worker's total: 0 → 50 → 100 → 150.
                CounterSync::Messages => {
                    let totals: Vec<(u32, Option<u64>, u64)> = events
                        .iter()
                        .map(|e| (e.worker, e.replaced, e.value))
                        .collect();
                    assert_eq!(
                        totals,
                        [(0, Some(0), 50), (1, Some(50), 100), (2, Some(100), 150)]
                    );
                }
            }
            assert_eq!(
                events.len() as u64,
                log.tickets(),
                "every ticket has its event"
            );
            assert!(lost_updates(&events).is_empty());
            assert_eq!(net_erased(&events), Some(0));
            // Each worker's writes follow its reads, value by value.
            for e in events.iter().filter(|e| e.op == Op::Write) {
                assert_eq!(e.replaced, Some(e.value - 1));
                assert!(!e.switched);
            }
            assert_eq!(events.iter().map(|e| e.worker).max(), Some(2));
        }
    }

    #[test]
    fn a_cancelled_traced_task_stops_at_its_tick() {
        // One worker: nobody to wait for before counting.
        let (t, log) = traced_on(&Counter::new(2, 100, CounterSync::Racy), 1);
        let mut cancelled = Recorder {
            cancel_at_tick: Some(10),
            ..Default::default()
        };
        assert_eq!(t.run_task(0, &mut cancelled), Err(TaskFailure::Cancelled));
        // Cancelled at the 11th tick, between its read and its write.
        assert_eq!(log.events().len(), 2 * 10 + 1);
    }

    #[test]
    fn a_traced_task_waits_a_while_for_the_others_then_counts() {
        let (t, log) = traced_on(&Counter::new(2, 10, CounterSync::Atomic), 2);
        let mut env = Recorder::default();
        // Alone: it ticks (a GIL could let the other in) until the wait is over.
        assert_eq!(t.run_task(0, &mut env), Ok(0));
        assert!(env.clock_ms >= ARRIVAL_WAIT_MS, "{}", env.clock_ms);
        let waited = env.ticks;
        // The second finds the first arrived and counts at once.
        assert_eq!(t.run_task(1, &mut env), Ok(20));
        assert_eq!(env.ticks - waited, 10, "one tick per increment, no wait");
        assert_eq!(log.events().len(), 20);
    }

    #[test]
    fn parameters_parse_with_limits_named() {
        let mut errors = Vec::new();
        let c = Counter::from_pairs(
            &pairs(&[("tasks", "64"), ("increments", "1e8"), ("sync", "Atomic")]),
            &mut errors,
        );
        assert!(errors.is_empty());
        assert_eq!(c, Counter::new(64, 100_000_000, CounterSync::Atomic));
        let c = Counter::from_pairs(
            &pairs(&[("tasks", "65"), ("increments", "0"), ("sync", "gil")]),
            &mut errors,
        );
        assert_eq!(c, Counter::default());
        assert_eq!(
            errors,
            vec![
                ParamError::new("tasks", "65", "a whole number from 1 to 64"),
                ParamError::new("increments", "0", "a whole number from 1 to 100,000,000"),
                ParamError::new("sync", "gil", "one of racy, locked, atomic, messages"),
            ]
        );
        let again = Counter::from_pairs(
            &c.to_pairs()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Vec<_>>(),
            &mut Vec::new(),
        );
        assert_eq!(again, c);
    }
}
