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
//! The counter is run state, not configuration: it is skipped by serde and
//! ignored by `==`. A copy made by deserializing (a process worker's copy)
//! gets a counter of its own, just as a Python process does unless the
//! counter is declared shared; the page's process models declare it, by
//! handing each process a counter in a `SharedArrayBuffer`.

use super::cpu::count_steps;
use super::{Lesson, ParamError, TaskEnv, TaskFailure};
use crate::params::{words, DefaultValue, Kind, ParamSpec};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

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
    /// Adds `n` indivisibly; returns the previous value.
    fn fetch_add(&self, n: u64) -> u64;
    /// Reads and writes back value + `n` while holding the counter's lock.
    fn locked_add(&self, n: u64);
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
    fn fetch_add(&self, n: u64) -> u64 {
        self.value.fetch_add(n, Ordering::Relaxed)
    }
    fn locked_add(&self, n: u64) {
        let _held = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        self.store(self.load() + n);
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
    pub fn run_task(&self, _task: u32, env: &mut dyn TaskEnv) -> Result<u128, TaskFailure> {
        let counted = self.increment(env);
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
}

#[cfg(test)]
mod tests {
    use super::*;
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
