//! The lessons' experiments. A workload splits into tasks; each task runs on
//! whatever worker a model gives it, and talks to the platform only through
//! [`TaskEnv`], so the same code runs on native threads, rayon threads in the
//! browser, and process workers.

pub mod counter;
pub mod cpu;
pub mod failure;
pub mod io;
pub mod spawn;
pub mod squares;
pub mod transfer;

#[cfg(test)]
pub(crate) mod test_util;

use crate::interleaving::{LogHandle, MemoryLog};
pub use crate::params::{lookup, parse_int, ParamError, ParamSpec};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// Loop steps between two calls to [`TaskEnv::tick`]: the unit at which the
/// simulated GIL can switch threads and a run can be cancelled. Small enough
/// that a 5 ms switch interval is honoured, large enough that the check costs
/// well under 1% of the loop.
pub const TICK_STEPS: u64 = 20_000;

/// Why a task stopped before finishing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskFailure {
    /// The run was cancelled; the task stopped cooperatively at a tick.
    Cancelled,
    /// The task itself failed (the `failure` lesson), with its message.
    Failed(String),
}

impl fmt::Display for TaskFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskFailure::Cancelled => f.write_str("cancelled"),
            TaskFailure::Failed(m) => f.write_str(m),
        }
    }
}

/// What a task may ask of the worker it runs on.
pub trait TaskEnv {
    /// Called between ticks of CPU-bound work. A GIL model may hand the lock
    /// over here; a cancelled run returns `Err(Cancelled)`.
    fn tick(&mut self) -> Result<(), TaskFailure>;
    /// Block for `ms` milliseconds as blocking I/O would (a GIL model releases
    /// the lock around it).
    fn block(&mut self, ms: f64) -> Result<(), TaskFailure>;
    /// Milliseconds on a clock shared by every worker of the run.
    fn now_ms(&self) -> f64;
    /// Starts one worker that does nothing and waits for it to end (the
    /// `spawn` lesson). What a worker is belongs to the platform and model: a
    /// thread here, a Web Worker in the page. Environments that cannot start
    /// workers keep this default, so the run reports why instead of hanging.
    fn spawn_join(&mut self) -> Result<(), TaskFailure> {
        Err(TaskFailure::Failed(
            "this worker cannot start workers of its own".to_string(),
        ))
    }
    /// A request that arrived at `arrived_ms` was answered at `done_ms`
    /// (the `io` lesson's convoy). Environments that do not keep response
    /// times let it go.
    fn responded(&mut self, _arrived_ms: f64, _done_ms: f64) {}
    /// How many times so far this worker let another run in its place at
    /// a tick (a GIL hand-off). The traced counter reads it on both sides
    /// of the tick between a read and its write, to mark a switch there.
    /// Environments that never hand over keep 0.
    fn handed_off(&self) -> u64 {
        0
    }
}

/// Where a task stands after one stage: it awaits `ms` of I/O, having
/// produced `value` so far, or it is done with the rest of its value.
#[derive(Debug, Clone, PartialEq)]
pub enum Resume {
    Await { ms: f64, value: u128 },
    Done(u128),
}

/// Runs a task's stages one after another on its own worker, blocking
/// through each await: what a thread or a process does with a task an event
/// loop would run as a coroutine. A request arrives when its wait is over,
/// however late the worker wakes or gets the GIL back after it.
pub fn run_staged(
    env: &mut dyn TaskEnv,
    mut stage_fn: impl FnMut(u32, f64, &mut dyn TaskEnv) -> Result<Resume, TaskFailure>,
) -> Result<u128, TaskFailure> {
    let mut value = 0;
    let mut arrived_ms = env.now_ms();
    let mut stage = 0;
    loop {
        match stage_fn(stage, arrived_ms, env)? {
            Resume::Done(v) => return Ok(value + v),
            Resume::Await { ms, value: v } => {
                value += v;
                let asked_ms = env.now_ms();
                env.block(ms)?;
                arrived_ms = asked_ms + ms;
                stage += 1;
            }
        }
    }
}

/// A lesson in the playground's words: what the experiment asks, what each
/// model should show, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lesson {
    pub title: &'static str,
    pub question: &'static str,
    /// `(model id, what its bars should look like)`.
    pub expect: &'static [(&'static str, &'static str)],
    pub why: &'static str,
}

/// The workload ids, in lesson order (the order of the tabs and of `docs/url.md`).
pub const WORKLOAD_IDS: [&str; 7] = [
    "cpu", "squares", "io", "spawn", "counter", "transfer", "failure",
];

/// The key specs of workload `w`, in URL order.
pub fn params_of(w: &str) -> Option<&'static [ParamSpec]> {
    Some(match w {
        "cpu" => cpu::PARAMS,
        "squares" => squares::PARAMS,
        "io" => io::PARAMS,
        "spawn" => spawn::PARAMS,
        "counter" => counter::PARAMS,
        "transfer" => transfer::PARAMS,
        "failure" => failure::PARAMS,
        _ => return None,
    })
}

/// One lesson's experiment with validated parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    Cpu(cpu::Cpu),
    Squares(squares::Squares),
    Io(io::Io),
    Spawn(spawn::Spawn),
    Counter(counter::Counter),
    Transfer(transfer::Transfer),
    Failure(failure::Failure),
}

impl Workload {
    /// Parses the workload named by `w` and its parameters. Bad parameters
    /// are reported and replaced by their defaults so the rest survives.
    pub fn from_pairs(
        w: &str,
        pairs: &[(String, String)],
        errors: &mut Vec<ParamError>,
    ) -> Option<Workload> {
        Some(match w {
            "cpu" => Workload::Cpu(cpu::Cpu::from_pairs(pairs, errors)),
            "squares" => Workload::Squares(squares::Squares::from_pairs(pairs, errors)),
            "io" => Workload::Io(io::Io::from_pairs(pairs, errors)),
            "spawn" => Workload::Spawn(spawn::Spawn::from_pairs(pairs, errors)),
            "counter" => Workload::Counter(counter::Counter::from_pairs(pairs, errors)),
            "transfer" => Workload::Transfer(transfer::Transfer::from_pairs(pairs, errors)),
            "failure" => Workload::Failure(failure::Failure::from_pairs(pairs, errors)),
            _ => return None,
        })
    }

    pub fn default_for(w: &str) -> Option<Workload> {
        Workload::from_pairs(w, &[], &mut Vec::new())
    }

    pub fn id(&self) -> &'static str {
        match self {
            Workload::Cpu(_) => "cpu",
            Workload::Squares(_) => "squares",
            Workload::Io(_) => "io",
            Workload::Spawn(_) => "spawn",
            Workload::Counter(_) => "counter",
            Workload::Transfer(_) => "transfer",
            Workload::Failure(_) => "failure",
        }
    }

    /// The workload's keys and values in URL order.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        match self {
            Workload::Cpu(c) => c.to_pairs(),
            Workload::Squares(s) => s.to_pairs(),
            Workload::Io(i) => i.to_pairs(),
            Workload::Spawn(s) => s.to_pairs(),
            Workload::Counter(c) => c.to_pairs(),
            Workload::Transfer(t) => t.to_pairs(),
            Workload::Failure(f) => f.to_pairs(),
        }
    }

    /// The specs of the keys this workload reads from a URL, in URL order.
    pub fn params(&self) -> &'static [ParamSpec] {
        params_of(self.id()).expect("every workload has its specs")
    }

    pub fn tasks(&self) -> u32 {
        match self {
            Workload::Cpu(c) => c.tasks,
            Workload::Squares(s) => s.tasks,
            Workload::Io(i) => i.tasks,
            Workload::Spawn(_) => spawn::Spawn::TASKS,
            Workload::Counter(c) => c.tasks,
            Workload::Transfer(t) => t.tasks,
            Workload::Failure(f) => f.tasks,
        }
    }

    pub fn run_task(&self, task: u32, env: &mut dyn TaskEnv) -> Result<u128, TaskFailure> {
        match self {
            Workload::Cpu(c) => c.run_task(task, env),
            Workload::Squares(s) => s.run_task(task, env),
            Workload::Io(i) => i.run_task(task, env),
            Workload::Spawn(s) => s.run_task(task, env),
            Workload::Counter(c) => c.run_task(task, env),
            Workload::Transfer(t) => t.run_task(task, env),
            Workload::Failure(f) => f.run_task(task, env),
        }
    }

    /// Stage `stage` of `task` as a coroutine runs it (see
    /// [`io::Io::resume`]). Only the `io` lesson's tasks await; every other
    /// lesson's task is one stage that runs start to end.
    pub fn resume(
        &self,
        task: u32,
        stage: u32,
        arrived_ms: f64,
        env: &mut dyn TaskEnv,
    ) -> Result<Resume, TaskFailure> {
        match self {
            Workload::Io(i) => i.resume(task, stage, arrived_ms, env),
            other => other.run_task(task, env).map(Resume::Done),
        }
    }

    /// Combines the outputs of the tasks that finished (in task order) into
    /// the run's value. Every workload's tasks return a share of the value,
    /// so the sum is the value; `counter` arranges for its final count to be
    /// one task's share (see [`counter::Counter::run_task`]).
    pub fn combine(&self, outputs: &[u128]) -> u128 {
        outputs.iter().sum()
    }

    /// The oracle: the value a correct run produces.
    pub fn expected(&self) -> u128 {
        match self {
            Workload::Cpu(c) => c.expected(),
            Workload::Squares(s) => s.expected(),
            Workload::Io(i) => i.expected(),
            Workload::Spawn(s) => s.expected(),
            Workload::Counter(c) => c.expected(),
            Workload::Transfer(t) => t.expected(),
            Workload::Failure(f) => f.expected(),
        }
    }

    /// Whether a run that produced `value`, with `failures` as the tasks that
    /// did not finish, is the result the lesson calls correct. Usually: every
    /// task finished and the value is the oracle's; `failure` expects its one
    /// failing task and `counter`'s racy mode accepts lost updates.
    pub fn correct(&self, value: u128, failures: &[(u32, &TaskFailure)]) -> bool {
        match self {
            Workload::Counter(c) => c.correct(value, failures),
            Workload::Failure(f) => f.correct(value, failures),
            _ => failures.is_empty() && value == self.expected(),
        }
    }

    /// `counter` only: how many increments the final count is missing.
    pub fn lost_updates(&self, value: u128) -> Option<u128> {
        match self {
            Workload::Counter(c) => Some(c.lost_updates(value)),
            _ => None,
        }
    }

    /// The counter lesson's traced repeat of this workload on `workers`
    /// workers, recording into `log` ([`counter::Counter::traced`]); `None`
    /// for every other lesson, which records no interleaving. A process
    /// model sends this (the log does not travel) and each process sets
    /// the counter's log to one over the run's shared log buffer, shaped
    /// by [`counter::Counter::trace_log_shape`].
    pub fn traced(&self, workers: u32, log: LogHandle) -> Option<Workload> {
        match self {
            Workload::Counter(c) => Some(Workload::Counter(c.traced(workers, log))),
            _ => None,
        }
    }

    /// [`Workload::traced`] with a log in this memory, for the models whose
    /// workers share it (`seq`, `async`, `threads`, `gil`, `oldgil`): run
    /// the workload once, then read the log's events. `None` for every
    /// lesson but the counter.
    pub fn traced_in_memory(&self, workers: u32) -> Option<(Workload, Arc<MemoryLog>)> {
        let Workload::Counter(c) = self else {
            return None;
        };
        let log = Arc::new(MemoryLog::new(c.trace_log_shape(workers)));
        let traced = c.traced(workers, LogHandle::new(log.clone()));
        Some((Workload::Counter(traced), log))
    }

    pub fn lesson(&self) -> &'static Lesson {
        match self {
            Workload::Cpu(_) => &cpu::LESSON,
            Workload::Squares(_) => &squares::LESSON,
            Workload::Io(_) => &io::LESSON,
            Workload::Spawn(_) => &spawn::LESSON,
            Workload::Counter(_) => &counter::LESSON,
            Workload::Transfer(_) => &transfer::LESSON,
            Workload::Failure(_) => &failure::LESSON,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_workload_writes_its_spec_keys_in_spec_order() {
        for id in WORKLOAD_IDS {
            let w = Workload::default_for(id).unwrap();
            let written: Vec<&str> = w.to_pairs().iter().map(|(k, _)| *k).collect();
            // The convoy's keys are written only when it is on.
            let specs: Vec<&str> = w
                .params()
                .iter()
                .map(|s| s.key)
                .filter(|k| !matches!(*k, "convoy" | "requests"))
                .collect();
            assert_eq!(written, specs, "{id}");
            for (spec, (_, value)) in w.params().iter().zip(w.to_pairs()) {
                if let Some(default) = spec.default_text() {
                    assert_eq!(
                        value, default,
                        "{id}.{}: the default is the spec's",
                        spec.key
                    );
                }
            }
        }
    }
}
