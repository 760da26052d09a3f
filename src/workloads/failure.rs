//! Lesson 7: failure. Every task counts `n` steps like `cpu`, except task
//! `fail_at`, which fails halfway. The others must finish regardless, and
//! the failure must reach the parent with its message.
//!
//! [`Failure::run_task`] fails by returning an error, which every build can
//! carry (the page is built with `panic = "abort"`, where a panic would kill
//! the whole worker). [`Failure::run_task_panicking`] really panics, for
//! models that catch panics on native threads; [`panic_message`] recovers
//! the message from what `catch_unwind` returns.

use super::cpu::count_steps;
use super::{Lesson, ParamError, TaskEnv, TaskFailure};
use crate::format::group;
use crate::params::{DefaultValue, Kind, ParamSpec};
use serde::{Deserialize, Serialize};
use std::any::Any;

pub const LESSON: Lesson = Lesson {
    title: "Failure and control",
    question: "One task fails halfway. Do the others finish, and what does the parent learn?",
    expect: &[
        (
            "seq",
            "the other tasks finish; the failure arrives with its full error value",
        ),
        (
            "threads",
            "the same: a thread's error is an ordinary value in the shared memory",
        ),
        ("gil", "the same as threads"),
        (
            "procs",
            "the other tasks finish; the failure arrives only as text, as a traceback \
                   that had to be turned into a string to leave the process",
        ),
        ("async", "like one thread: the failing coroutine's error is kept with its traceback, the others finish"),
        ("hybrid", "the failing task's error crosses back from its process as text; the others finish"),
    ],
    why: "A thread's failure stays in the memory its parent can read, so the error itself can \
          be handed over. A process can only send bytes, so what arrives is a description of \
          the error. In return a process can be killed from outside at any moment, while a \
          thread can only be asked to stop and must check for the request itself.",
};

const TASKS: ParamSpec = ParamSpec {
    key: "tasks",
    label: "Tasks",
    help: "countdown loops, one of which fails",
    kind: Kind::Int { min: 1, max: 64 },
    default: DefaultValue::Int(4),
};
const FAIL_AT: ParamSpec = ParamSpec {
    key: "fail_at",
    label: "Failing task",
    help: "its index",
    kind: Kind::Index { of: "tasks" },
    default: DefaultValue::Int(2),
};
const N: ParamSpec = ParamSpec {
    key: "n",
    label: "Steps per task",
    help: "loop steps",
    kind: Kind::Int {
        min: 1,
        max: 1_000_000_000,
    },
    // As large as cpu's: a failure lesson of 10 ms per model showed
    // speedups above what 2 cores allow (a run that short is mostly
    // start-up and tier-up), which the page flagged as suspect.
    default: DefaultValue::Int(10_000_000),
};
/// The keys of this lesson, in URL order.
pub const PARAMS: &[ParamSpec] = &[TASKS, FAIL_AT, N];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub tasks: u32,
    pub fail_at: u32,
    pub n: u64,
}

impl Default for Failure {
    fn default() -> Self {
        Failure::from_pairs(&[], &mut Vec::new())
    }
}

impl Failure {
    /// `fail_at` is checked against the `tasks` of the same link. When the
    /// link leaves `fail_at` out and has fewer than three tasks, the default
    /// task 2 does not exist and the last task fails instead.
    pub fn from_pairs(pairs: &[(String, String)], errors: &mut Vec<ParamError>) -> Self {
        let tasks = TASKS.int(pairs, errors) as u32;
        Failure {
            tasks,
            fail_at: FAIL_AT.index(pairs, tasks, errors),
            n: N.int(pairs, errors),
        }
    }

    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            (TASKS.key, self.tasks.to_string()),
            (FAIL_AT.key, self.fail_at.to_string()),
            (N.key, self.n.to_string()),
        ]
    }

    /// The steps of the tasks that finish; the failing one adds nothing.
    pub fn expected(&self) -> u128 {
        u128::from(self.tasks.saturating_sub(1)) * u128::from(self.n)
    }

    /// Correct when exactly task `fail_at` failed, by its own failure (not a
    /// cancellation), and the tasks that finished counted all their steps.
    pub fn correct(&self, value: u128, failures: &[(u32, &TaskFailure)]) -> bool {
        matches!(failures, [(t, TaskFailure::Failed(_))] if *t == self.fail_at)
            && value == self.expected()
    }

    /// The error a failing task reports: it names the task and how far it got.
    /// With the place it is raised, as a traceback's last line would say.
    pub fn message(&self, task: u32, steps: u64) -> String {
        format!(
            "task {task} failed on purpose after {} of {} steps (raised at {}:{})",
            group(steps),
            group(self.n),
            file!(),
            line!()
        )
    }

    pub fn run_task(&self, task: u32, env: &mut dyn TaskEnv) -> Result<u128, TaskFailure> {
        let half = self.n / 2;
        let first = count_steps(half, env)?;
        if task == self.fail_at {
            return Err(TaskFailure::Failed(self.message(task, first)));
        }
        let rest = count_steps(self.n - half, env)?;
        Ok(u128::from(first + rest))
    }

    /// Like [`Failure::run_task`], but task `fail_at` panics halfway with
    /// the same message. Only for builds that unwind (native threads).
    pub fn run_task_panicking(
        &self,
        task: u32,
        env: &mut dyn TaskEnv,
    ) -> Result<u128, TaskFailure> {
        match self.run_task(task, env) {
            Err(TaskFailure::Failed(message)) => panic!("{message}"),
            other => other,
        }
    }
}

/// The message of a caught panic: `panic!` with a format carries a
/// `String`, with a literal a `&str`.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else {
        "the task panicked with a value that is not text".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::test_util::{judged, pairs, run_all, Recorder};
    use crate::workloads::{Workload, TICK_STEPS};

    #[test]
    fn the_others_finish_and_the_failure_names_its_task() {
        for (tasks, fail_at, n) in [
            (4, 2, 1_000_000),
            (1, 0, 5),
            (3, 0, 1),
            (64, 63, 3 * TICK_STEPS),
        ] {
            let f = Failure { tasks, fail_at, n };
            let w = Workload::Failure(f.clone());
            let (value, failures) = run_all(&w);
            assert_eq!(value, w.expected(), "{f:?}");
            assert_eq!(failures.len(), 1);
            assert_eq!(
                failures[0],
                (fail_at, TaskFailure::Failed(f.message(fail_at, n / 2)))
            );
            assert!(failures[0]
                .1
                .to_string()
                .starts_with(&format!("task {fail_at} failed")));
            assert!(judged(&w, value, &failures));
        }
        let w = Workload::Failure(Failure::default());
        assert_eq!(w.expected(), 30_000_000);
        let wrong = TaskFailure::Failed("x".into());
        assert!(!judged(&w, 30_000_000, &[]), "the failure must happen");
        assert!(
            !judged(&w, 30_000_000, &[(1, wrong.clone())]),
            "in the right task"
        );
        assert!(
            !judged(&w, 30_000_000, &[(2, TaskFailure::Cancelled)]),
            "by itself"
        );
        assert!(
            !judged(&w, 2_000_000, &[(2, wrong.clone()), (1, wrong)]),
            "alone"
        );
        assert!(!judged(
            &w,
            2_999_999,
            &[(2, TaskFailure::Failed("x".into()))]
        ));
    }

    #[test]
    fn the_failing_task_stops_halfway() {
        let f = Failure {
            tasks: 2,
            fail_at: 1,
            n: 4 * TICK_STEPS,
        };
        let mut env = Recorder::default();
        assert!(f.run_task(1, &mut env).is_err());
        assert_eq!(env.ticks, 2, "half of the four chunks");
        let mut env = Recorder::default();
        assert_eq!(f.run_task(0, &mut env), Ok(u128::from(f.n)));
        assert_eq!(env.ticks, 4);
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn a_real_panic_keeps_its_message() {
        let f = Failure {
            tasks: 3,
            fail_at: 1,
            n: 10,
        };
        let ok = std::panic::catch_unwind(|| f.run_task_panicking(0, &mut Recorder::default()));
        assert_eq!(ok.unwrap(), Ok(10));
        // Silences the default hook's report of the expected panic.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let caught = std::panic::catch_unwind(|| f.run_task_panicking(1, &mut Recorder::default()));
        std::panic::set_hook(hook);
        let payload = caught.expect_err("task 1 panics");
        assert_eq!(panic_message(payload.as_ref()), f.message(1, 5));
        assert_eq!(panic_message(&"plain"), "plain");
    }

    #[test]
    fn parameters_parse_with_limits_named() {
        let mut errors = Vec::new();
        let f = Failure::from_pairs(
            &pairs(&[("tasks", "64"), ("fail_at", "63"), ("n", "1e9")]),
            &mut errors,
        );
        assert!(errors.is_empty());
        assert_eq!(
            f,
            Failure {
                tasks: 64,
                fail_at: 63,
                n: 1_000_000_000
            }
        );

        let f = Failure::from_pairs(
            &pairs(&[("tasks", "4"), ("fail_at", "4"), ("n", "0")]),
            &mut errors,
        );
        assert_eq!(f, Failure::default());
        assert_eq!(
            errors,
            vec![
                ParamError::new(
                    "fail_at",
                    "4",
                    "a whole number from 0 to 3 (a task index: tasks = 4)"
                ),
                ParamError::new("n", "0", "a whole number from 1 to 1,000,000,000"),
            ]
        );

        let mut errors = Vec::new();
        let f = Failure::from_pairs(&pairs(&[("tasks", "2")]), &mut errors);
        assert!(
            errors.is_empty(),
            "the default fail_at follows a small task count"
        );
        assert_eq!(f.fail_at, 1);
        let f = Failure::from_pairs(&pairs(&[("tasks", "65"), ("fail_at", "3")]), &mut errors);
        assert_eq!(
            (f.tasks, f.fail_at),
            (4, 3),
            "checked against the tasks actually used"
        );
        assert_eq!(
            errors,
            vec![ParamError::new(
                "tasks",
                "65",
                "a whole number from 1 to 64"
            )]
        );
    }
}
