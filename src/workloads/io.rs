//! Lesson 3: I/O-bound work. Each task blocks for `wait_ms` as a download
//! would, then does `cpu_n` steps of the countdown to handle what it got.
//!
//! With `convoy=1` the lesson asks how quickly an I/O-bound thread answers
//! while CPU-bound ones compute (the convoy effect of CPython's GIL): task 0
//! serves `requests` requests, one every `wait_ms`, each answered with a
//! tick of work, and every other task counts `cpu_n` steps without waiting.
//! Each answer reports its response time, from the moment the request
//! arrived to the moment the answer was out, through
//! [`TaskEnv::responded`].

use super::cpu::count_steps;
use super::{run_staged, Lesson, ParamError, Resume, TaskEnv, TaskFailure, TICK_STEPS};
use crate::format::decimal;
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
pub const CONVOY: ParamSpec = ParamSpec {
    key: "convoy",
    label: "Convoy",
    help: "task 0 answers requests while the others compute",
    kind: Kind::Flag,
    default: DefaultValue::Off,
};
pub const REQUESTS: ParamSpec = ParamSpec {
    key: "requests",
    label: "Requests",
    help: "convoy: requests task 0 answers, one per wait",
    kind: Kind::Int {
        min: 1,
        max: 10_000,
    },
    default: DefaultValue::Int(40),
};
/// The keys of this lesson, in URL order. `convoy` and `requests` are
/// written only when the convoy is on, so plain io links stay as they were.
pub const PARAMS: &[ParamSpec] = &[TASKS, WAIT_MS, CPU_N, CONVOY, REQUESTS];

/// Steps of the countdown in one answer: one tick, so that under a GIL an
/// answer needs the lock as any Python code would.
pub const ANSWER_STEPS: u64 = TICK_STEPS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Io {
    pub tasks: u32,
    pub wait_ms: f64,
    pub cpu_n: u64,
    /// `convoy=1`: the requests task 0 answers; `None` for the plain lesson.
    pub convoy: Option<u32>,
}

impl Default for Io {
    fn default() -> Self {
        Io::from_pairs(&[], &mut Vec::new())
    }
}

impl Io {
    pub fn from_pairs(pairs: &[(String, String)], errors: &mut Vec<ParamError>) -> Self {
        let mut io = Io {
            tasks: TASKS.int(pairs, errors) as u32,
            wait_ms: WAIT_MS.float(pairs, errors),
            cpu_n: CPU_N.int(pairs, errors),
            convoy: None,
        };
        let requests = REQUESTS.int(pairs, errors) as u32;
        if CONVOY.flag(pairs, errors) {
            if io.tasks < 2 || io.cpu_n == 0 {
                errors.push(ParamError::new(
                    CONVOY.key,
                    "1",
                    "the convoy needs something to compete with: tasks ≥ 2 (task 0 answers, \
                     the others compute) and cpu_n > 0",
                ));
            } else {
                io.convoy = Some(requests);
            }
        }
        io
    }

    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            (TASKS.key, self.tasks.to_string()),
            (WAIT_MS.key, decimal(self.wait_ms)),
            (CPU_N.key, self.cpu_n.to_string()),
        ];
        if let Some(requests) = self.convoy {
            out.push((CONVOY.key, "1".to_string()));
            out.push((REQUESTS.key, requests.to_string()));
        }
        out
    }

    /// Each task reports its finished wait as one unit plus its CPU steps,
    /// so a task that skipped either part shows in the value. Under the
    /// convoy, each answer counts one unit plus its steps, and the
    /// computing tasks their steps.
    pub fn expected(&self) -> u128 {
        match self.convoy {
            None => u128::from(self.tasks) * (u128::from(self.cpu_n) + 1),
            Some(requests) => {
                u128::from(requests) * (u128::from(ANSWER_STEPS) + 1)
                    + u128::from(self.tasks - 1) * u128::from(self.cpu_n)
            }
        }
    }

    pub fn run_task(&self, task: u32, env: &mut dyn TaskEnv) -> Result<u128, TaskFailure> {
        run_staged(env, |stage, arrived_ms, env| {
            self.resume(task, stage, arrived_ms, env)
        })
    }

    /// Stage `stage` of `task`: stage 0 starts it, stage k > 0 goes on once
    /// its k-th wait was over, at `arrived_ms`. An event loop runs the
    /// stages as a coroutine's steps between awaits.
    pub fn resume(
        &self,
        task: u32,
        stage: u32,
        arrived_ms: f64,
        env: &mut dyn TaskEnv,
    ) -> Result<Resume, TaskFailure> {
        let Some(requests) = self.convoy else {
            if stage == 0 {
                return Ok(Resume::Await {
                    ms: self.wait_ms,
                    value: 0,
                });
            }
            let steps = count_steps(self.cpu_n, env)?;
            return Ok(Resume::Done(u128::from(steps) + 1));
        };
        if task > 0 {
            return Ok(Resume::Done(u128::from(count_steps(self.cpu_n, env)?)));
        }
        if stage == 0 {
            return Ok(Resume::Await {
                ms: self.wait_ms,
                value: 0,
            });
        }
        let value = u128::from(count_steps(ANSWER_STEPS, env)?) + 1;
        env.responded(arrived_ms, env.now_ms());
        Ok(if stage < requests {
            Resume::Await {
                ms: self.wait_ms,
                value,
            }
        } else {
            Resume::Done(value)
        })
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
                convoy: None,
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
    fn the_convoy_answers_requests_while_the_others_compute() {
        let mut errors = Vec::new();
        let q = [
            ("tasks", "3"),
            ("wait_ms", "2"),
            ("cpu_n", "50000"),
            ("convoy", "1"),
            ("requests", "4"),
        ];
        let io = Io::from_pairs(&pairs(&q), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(io.convoy, Some(4));
        assert_eq!(
            io.to_pairs()
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&"),
            "tasks=3&wait_ms=2&cpu_n=50000&convoy=1&requests=4"
        );

        // Task 0 waits before each request and answers it with one tick;
        // each answer's response time runs from the wait's end.
        let mut env = Recorder::default();
        assert_eq!(
            io.run_task(0, &mut env),
            Ok(4 * (u128::from(ANSWER_STEPS) + 1))
        );
        assert_eq!(env.blocked_ms, vec![2.0; 4]);
        assert_eq!(env.ticks, 4);
        assert_eq!(env.responses.len(), 4);
        for (i, (arrived, done)) in env.responses.iter().enumerate() {
            let i = i as f64;
            assert!((arrived - (2.0 * (i + 1.0) + 0.001 * i)).abs() < 1e-9);
            assert!((done - arrived - 0.001).abs() < 1e-9, "one tick");
        }
        // The others compute without waiting.
        let mut env = Recorder::default();
        assert_eq!(io.run_task(2, &mut env), Ok(50_000));
        assert!(env.blocked_ms.is_empty() && env.responses.is_empty());

        let w = Workload::Io(io);
        let (value, failures) = run_all(&w);
        assert_eq!(value, w.expected());
        assert_eq!(
            w.expected(),
            4 * (u128::from(ANSWER_STEPS) + 1) + 2 * 50_000
        );
        assert!(judged(&w, value, &failures));
    }

    #[test]
    fn a_convoy_without_competition_is_refused_by_name() {
        for q in [
            [("tasks", "1"), ("cpu_n", "1000"), ("convoy", "1")],
            [("tasks", "4"), ("cpu_n", "0"), ("convoy", "1")],
        ] {
            let mut errors = Vec::new();
            let io = Io::from_pairs(&pairs(&q), &mut errors);
            assert_eq!(io.convoy, None);
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].key, "convoy");
            assert!(errors[0].limit.contains("tasks ≥ 2") && errors[0].limit.contains("cpu_n > 0"));
        }
        let mut errors = Vec::new();
        Io::from_pairs(&pairs(&[("convoy", "1"), ("requests", "0")]), &mut errors);
        assert!(errors.iter().any(|e| e.key == "requests"));
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
                cpu_n: 1_000_000_000,
                convoy: None,
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
