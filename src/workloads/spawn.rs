//! Lesson 4: start-up cost. One task starts `count` workers one after the
//! other; each does nothing and is joined at once, so the time is all
//! creation and teardown. The model decides what a worker is (through the
//! task's [`TaskEnv::spawn_join`]): a thread for the thread models, a fresh
//! process for the process models in the page (in the page a thread starts
//! from a worker parked on the shared memory, see `web/parked.rs`).

use super::{Lesson, ParamError, TaskEnv, TaskFailure};
use crate::params::{DefaultValue, Kind, ParamSpec};
use serde::{Deserialize, Serialize};

pub const LESSON: Lesson = Lesson {
    title: "Start-up cost",
    question: "What does it cost to create a worker, run nothing in it and wait for it to end?",
    expect: &[
        (
            "seq",
            "one thread started and joined after the other: a thread start, count times over",
        ),
        (
            "threads",
            "the same per start: having more threads does not make starting one faster",
        ),
        (
            "gil",
            "about the same: starting and joining a thread lets go of the GIL",
        ),
        (
            "fork",
            "many times a thread start: a fresh process needs a memory and a runtime of its own",
        ),
        (
            "procs",
            "no start at all: an empty task handed to processes started before, which is why \
             pools exist",
        ),
    ],
    why: "A thread shares everything with its parent, so the system only has to set up a \
          stack and wake it. A process gets a memory of its own, and with the `spawn` start \
          method a whole new interpreter. In a browser every thread is a worker, and making \
          one takes tens of milliseconds, more than a process made in a spare worker. So here \
          a thread starts as close to `pthread_create` as a browser allows: a worker started \
          ahead of time has joined the shared memory and waits, parked, until it is handed a \
          function; its own cold start is shown apart, as a fork server's spares are. That is \
          also why work goes to workers started once and kept waiting in a pool, rather than \
          to a new worker per job.",
};

const COUNT: ParamSpec = ParamSpec {
    key: "count",
    label: "Workers to start",
    help: "one after another",
    kind: Kind::Int { min: 1, max: 1000 },
    default: DefaultValue::Int(50),
};
/// The keys of this lesson, in URL order.
pub const PARAMS: &[ParamSpec] = &[COUNT];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spawn {
    pub count: u32,
}

impl Default for Spawn {
    fn default() -> Self {
        Spawn::from_pairs(&[], &mut Vec::new())
    }
}

impl Spawn {
    /// Workers are started one after another by one parent, so there is one task.
    pub const TASKS: u32 = 1;

    pub fn from_pairs(pairs: &[(String, String)], errors: &mut Vec<ParamError>) -> Self {
        Spawn {
            count: COUNT.int(pairs, errors) as u32,
        }
    }

    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        vec![(COUNT.key, self.count.to_string())]
    }

    /// Every worker started was joined.
    pub fn expected(&self) -> u128 {
        u128::from(self.count)
    }

    /// Returns how many workers were started and joined.
    pub fn run_task(&self, _task: u32, env: &mut dyn TaskEnv) -> Result<u128, TaskFailure> {
        let mut joined: u32 = 0;
        while joined < self.count {
            env.spawn_join()?;
            joined += 1;
            env.tick()?;
        }
        Ok(u128::from(joined))
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub mod native {
    /// Starts one OS thread that does nothing and joins it, as
    /// `threading.Thread(target=lambda: None)` followed by `start()` and
    /// `join()`: what a free thread model's task does in this lesson,
    /// natively. (In the page the engine starts workers itself.)
    pub fn spawn_join_thread() -> Result<(), String> {
        let handle = std::thread::Builder::new()
            .name("tvp-spawn".into())
            .spawn(|| {})
            .map_err(|e| format!("could not start a thread: {e}"))?;
        handle
            .join()
            .map_err(|_| "the empty thread panicked".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::test_util::{judged, pairs, run_all, Recorder};
    use crate::workloads::Workload;

    #[test]
    fn every_worker_is_started_and_joined() {
        for count in [1, 2, 50] {
            let w = Workload::Spawn(Spawn { count });
            assert_eq!(w.tasks(), 1);
            let (value, failures) = run_all(&w);
            assert_eq!(value, u128::from(count));
            assert!(judged(&w, value, &failures));
        }
        let mut env = Recorder::default();
        Spawn { count: 7 }.run_task(0, &mut env).unwrap();
        assert_eq!((env.spawned, env.ticks), (7, 7));
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn free_threads_start_real_threads() {
        use crate::models::{native::InstantClock, FreeEnv, RunControl};
        let (clock, control) = (InstantClock::default(), RunControl::new());
        let mut env = FreeEnv::new(&clock, &control, |_| {});
        assert_eq!(Spawn { count: 5 }.run_task(0, &mut env), Ok(5));
    }

    #[test]
    fn a_start_that_fails_fails_the_task() {
        // An environment that never learned to start workers says so.
        struct Bare;
        impl TaskEnv for Bare {
            fn tick(&mut self) -> Result<(), TaskFailure> {
                Ok(())
            }
            fn block(&mut self, _ms: f64) -> Result<(), TaskFailure> {
                Ok(())
            }
            fn now_ms(&self) -> f64 {
                0.0
            }
        }
        assert!(
            matches!(Spawn::default().run_task(0, &mut Bare), Err(TaskFailure::Failed(m)) if m.contains("cannot start"))
        );
    }

    #[test]
    fn parameters_parse_with_limits_named() {
        let mut errors = Vec::new();
        assert_eq!(
            Spawn::from_pairs(&pairs(&[("count", "1000")]), &mut errors),
            Spawn { count: 1000 }
        );
        assert_eq!(
            Spawn::from_pairs(&pairs(&[("count", "1001")]), &mut errors),
            Spawn::default()
        );
        assert_eq!(
            errors,
            vec![ParamError::new(
                "count",
                "1001",
                "a whole number from 1 to 1,000"
            )]
        );
    }
}
