//! Lesson 3: I/O-bound work. Each task blocks for `wait_ms` as a download
//! would, then does `cpu_n` steps of the countdown to handle what it got.

use super::cpu::count_steps;
use super::{fmt_num, Lesson, ParamError, TaskEnv, TaskFailure};
use crate::params::{DefaultValue, Kind, ParamSpec};
use serde::{Deserialize, Serialize};

pub const LESSON: Lesson = Lesson {
    title: "I/O-bound work",
    question: "Do threads help when each task mostly waits, even under a GIL?",
    expect: &[
        ("seq", "the sum of all the waits"),
        (
            "threads",
            "close to tasks-x while there are as many workers as tasks: the waits overlap",
        ),
        (
            "gil",
            "nearly as fast as threads for pure waiting, because a blocking call lets go of \
                 the GIL; the gain shrinks as cpu_n grows",
        ),
        (
            "procs",
            "like threads, but each process costs more to start",
        ),
        ("async", "close to tasks-x on one thread: every coroutine awaits at once; with cpu_n the loop is blocked while one computes"),
        ("hybrid", "processes × threads: the waits overlap on every thread and the CPU part runs in every process; with cpu_n it beats both gil threads and a plain process pool"),
    ],
    why: "Waiting needs no interpreter, so CPython releases the GIL around blocking calls and \
          the other threads run meanwhile. Only the CPU part of each task still takes turns, \
          so the more of it there is, the closer GIL threads fall back to 1x.",
};

const TASKS: ParamSpec = ParamSpec {
    key: "tasks",
    label: "Tasks",
    help: "waits to run",
    kind: Kind::Int { min: 1, max: 256 },
    default: DefaultValue::Int(8),
};
const WAIT_MS: ParamSpec = ParamSpec {
    key: "wait_ms",
    label: "Wait per task",
    help: "ms of blocking I/O",
    kind: Kind::Float {
        min: 0.0,
        max: 10_000.0,
    },
    default: DefaultValue::Float(50.0),
};
const CPU_N: ParamSpec = ParamSpec {
    key: "cpu_n",
    label: "CPU steps",
    help: "work after the wait",
    kind: Kind::Int {
        min: 0,
        max: 1_000_000_000,
    },
    default: DefaultValue::Int(0),
};
/// The keys of this lesson, in URL order.
pub const PARAMS: &[ParamSpec] = &[TASKS, WAIT_MS, CPU_N];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Io {
    pub tasks: u32,
    pub wait_ms: f64,
    pub cpu_n: u64,
}

impl Default for Io {
    fn default() -> Self {
        Io::from_pairs(&[], &mut Vec::new())
    }
}

impl Io {
    pub fn from_pairs(pairs: &[(String, String)], errors: &mut Vec<ParamError>) -> Self {
        Io {
            tasks: TASKS.int(pairs, errors) as u32,
            wait_ms: WAIT_MS.float(pairs, errors),
            cpu_n: CPU_N.int(pairs, errors),
        }
    }

    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            (TASKS.key, self.tasks.to_string()),
            (WAIT_MS.key, fmt_num(self.wait_ms)),
            (CPU_N.key, self.cpu_n.to_string()),
        ]
    }

    /// Each task reports its finished wait as one unit plus its CPU steps,
    /// so a task that skipped either part shows in the value.
    pub fn expected(&self) -> u128 {
        u128::from(self.tasks) * (u128::from(self.cpu_n) + 1)
    }

    pub fn run_task(&self, task: u32, env: &mut dyn TaskEnv) -> Result<u128, TaskFailure> {
        env.block(self.wait_ms)?;
        self.after_wait(task, env)
    }

    /// What a task does once its download is in: an event loop resumes the
    /// coroutine here when the wait's timer fires.
    pub fn after_wait(&self, _task: u32, env: &mut dyn TaskEnv) -> Result<u128, TaskFailure> {
        let steps = count_steps(self.cpu_n, env)?;
        Ok(u128::from(steps) + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::test_util::{judged, pairs, run_all, Recorder};
    use crate::workloads::{Workload, TICK_STEPS};

    #[test]
    fn each_task_waits_once_then_counts() {
        for cpu_n in [0, 1, TICK_STEPS, 2 * TICK_STEPS + 3] {
            let io = Io {
                tasks: 3,
                wait_ms: 12.5,
                cpu_n,
            };
            let mut env = Recorder::default();
            assert_eq!(io.run_task(0, &mut env), Ok(u128::from(cpu_n) + 1));
            assert_eq!(env.blocked_ms, vec![12.5]);
            assert_eq!(env.ticks, cpu_n.div_ceil(TICK_STEPS));

            let w = Workload::Io(io);
            let (value, failures) = run_all(&w);
            assert_eq!(value, w.expected());
            assert!(judged(&w, value, &failures));
        }
        let w = Workload::Io(Io::default());
        assert_eq!(w.expected(), 8);
        assert!(!judged(&w, 7, &[]), "a task that never came back is wrong");
    }

    #[test]
    fn a_cancelled_wait_stops_the_task() {
        struct Cancelled;
        impl TaskEnv for Cancelled {
            fn tick(&mut self) -> Result<(), TaskFailure> {
                Ok(())
            }
            fn block(&mut self, _ms: f64) -> Result<(), TaskFailure> {
                Err(TaskFailure::Cancelled)
            }
            fn now_ms(&self) -> f64 {
                0.0
            }
        }
        assert_eq!(
            Io::default().run_task(0, &mut Cancelled),
            Err(TaskFailure::Cancelled)
        );
    }

    #[test]
    fn parameters_parse_with_limits_named() {
        let mut errors = Vec::new();
        let io = Io::from_pairs(
            &pairs(&[("tasks", "256"), ("wait_ms", "0.25"), ("cpu_n", "1e9")]),
            &mut errors,
        );
        assert!(errors.is_empty());
        assert_eq!(
            io,
            Io {
                tasks: 256,
                wait_ms: 0.25,
                cpu_n: 1_000_000_000
            }
        );
        assert_eq!(
            io.to_pairs(),
            vec![
                ("tasks", "256".to_string()),
                ("wait_ms", "0.25".to_string()),
                ("cpu_n", "1000000000".to_string())
            ]
        );
        let io = Io::from_pairs(
            &pairs(&[("tasks", "257"), ("wait_ms", "10001"), ("cpu_n", "-1")]),
            &mut errors,
        );
        assert_eq!(io, Io::default());
        assert_eq!(
            errors,
            vec![
                ParamError::new("tasks", "257", "a whole number from 1 to 256"),
                ParamError::new("wait_ms", "10001", "a number from 0 to 10000"),
                ParamError::new("cpu_n", "-1", "a whole number from 0 to 1,000,000,000"),
            ]
        );
    }
}
