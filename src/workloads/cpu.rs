//! Lesson 1: CPU-bound work. Each task counts `n` down to zero, the
//! `while n > 0: n -= 1` loop of the classic GIL demonstration.

use super::{int_param, Lesson, TaskEnv, TaskFailure, TICK_STEPS};
use serde::{Deserialize, Serialize};

pub const LESSON: Lesson = Lesson {
    title: "CPU-bound work",
    question: "Does running a pure countdown loop on several threads make it finish sooner?",
    expect: &[
        (
            "seq",
            "the baseline: every task's loop, one after the other",
        ),
        (
            "threads",
            "about min(tasks, cores) times faster: free threads really run at once",
        ),
        (
            "gil",
            "about 1x: only the thread holding the GIL counts, the others wait their turn",
        ),
        (
            "oldgil",
            "1x or worse: the holder takes the lock straight back, so the others wake for \
             nothing and the tasks run one after another",
        ),
        (
            "procs",
            "about min(tasks, cores) times faster, minus the cost of starting and feeding workers",
        ),
    ],
    why: "A loop like `while n > 0: n -= 1` never waits for anything, so a lock that lets one \
          thread run at a time turns four threads into one. Processes each have their own \
          interpreter and lock, so they scale with the cores.",
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cpu {
    pub tasks: u32,
    pub n: u64,
}

impl Default for Cpu {
    fn default() -> Self {
        Cpu {
            tasks: 4,
            n: 10_000_000,
        }
    }
}

impl Cpu {
    pub const KEYS: &'static [&'static str] = &["tasks", "n"];
    pub const MAX_TASKS: u64 = 256;
    pub const MAX_N: u64 = 10_000_000_000;

    pub fn from_pairs(pairs: &[(String, String)], errors: &mut Vec<super::ParamError>) -> Self {
        let d = Cpu::default();
        Cpu {
            tasks: int_param(pairs, "tasks", d.tasks.into(), 1, Self::MAX_TASKS, errors) as u32,
            n: int_param(pairs, "n", d.n, 1, Self::MAX_N, errors),
        }
    }

    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        vec![("tasks", self.tasks.to_string()), ("n", self.n.to_string())]
    }

    /// Every task counts every one of its `n` steps.
    pub fn expected(&self) -> u128 {
        u128::from(self.tasks) * u128::from(self.n)
    }

    /// Returns the number of steps taken, which the oracle checks.
    pub fn run_task(&self, _task: u32, env: &mut dyn TaskEnv) -> Result<u128, TaskFailure> {
        count_steps(self.n, env).map(u128::from)
    }
}

/// The countdown of `n` steps cut into ticks, so a GIL can switch and a
/// cancelled run can stop between chunks. Returns the steps taken.
pub fn count_steps(n: u64, env: &mut dyn TaskEnv) -> Result<u64, TaskFailure> {
    let mut left = n;
    let mut steps: u64 = 0;
    while left > 0 {
        let chunk = left.min(TICK_STEPS);
        steps += countdown(chunk);
        left -= chunk;
        env.tick()?;
    }
    Ok(steps)
}

/// The countdown itself. `black_box` hides the counter from the optimizer at
/// every step, otherwise LLVM replaces the loop with its closed form and the
/// "work" takes no time at all.
#[inline(never)]
pub fn countdown(n: u64) -> u64 {
    let mut n = n;
    let mut steps = 0;
    while std::hint::black_box(n) > 0 {
        n -= 1;
        steps += 1;
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::{ParamError, Workload};

    struct Counting(u32);
    impl TaskEnv for Counting {
        fn tick(&mut self) -> Result<(), TaskFailure> {
            self.0 += 1;
            Ok(())
        }
        fn block(&mut self, _ms: f64) -> Result<(), TaskFailure> {
            Ok(())
        }
        fn now_ms(&self) -> f64 {
            0.0
        }
    }

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_step_is_counted_and_ticks_split_the_loop() {
        let cpu = Cpu {
            tasks: 3,
            n: 3 * TICK_STEPS + 7,
        };
        let mut env = Counting(0);
        let out = cpu.run_task(0, &mut env).unwrap();
        assert_eq!(out, u128::from(cpu.n));
        assert_eq!(
            env.0, 4,
            "one tick after each full chunk and one after the rest"
        );
        let w = Workload::Cpu(cpu.clone());
        let outs: Vec<u128> = (0..3)
            .map(|t| w.run_task(t, &mut Counting(0)).unwrap())
            .collect();
        assert_eq!(w.combine(&outs), w.expected());
    }

    #[test]
    fn countdown_is_not_folded_to_a_constant() {
        assert_eq!(countdown(0), 0);
        assert_eq!(countdown(1), 1);
        assert_eq!(countdown(123_457), 123_457);
    }

    #[test]
    fn cancellation_stops_at_the_next_tick() {
        struct Cancel;
        impl TaskEnv for Cancel {
            fn tick(&mut self) -> Result<(), TaskFailure> {
                Err(TaskFailure::Cancelled)
            }
            fn block(&mut self, _ms: f64) -> Result<(), TaskFailure> {
                Ok(())
            }
            fn now_ms(&self) -> f64 {
                0.0
            }
        }
        let cpu = Cpu::default();
        assert_eq!(cpu.run_task(0, &mut Cancel), Err(TaskFailure::Cancelled));
    }

    #[test]
    fn parameters_parse_with_limits_named() {
        let mut errors = Vec::new();
        let c = Cpu::from_pairs(&pairs(&[("tasks", "8"), ("n", "1e6")]), &mut errors);
        assert!(errors.is_empty());
        assert_eq!(
            c,
            Cpu {
                tasks: 8,
                n: 1_000_000
            }
        );

        let c = Cpu::from_pairs(&pairs(&[("tasks", "0"), ("n", "abc")]), &mut errors);
        assert_eq!(c, Cpu::default(), "bad values fall back to the defaults");
        assert_eq!(
            errors,
            vec![
                ParamError::new("tasks", "0", "a whole number from 1 to 256"),
                ParamError::new("n", "abc", "a whole number from 1 to 10,000,000,000"),
            ]
        );
        assert_eq!(
            errors[0].to_string(),
            "tasks = \"0\" is not allowed: a whole number from 1 to 256"
        );
    }
}
