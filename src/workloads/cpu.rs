//! Lesson 1: CPU-bound work. Each task counts `n` down to zero, the
//! `while n > 0: n -= 1` loop of the classic GIL demonstration.

use super::{Lesson, TaskEnv, TaskFailure, TICK_STEPS};
use crate::params::{DefaultValue, Kind, ParamSpec};
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
        (
            "async",
            "1.0×: one thread, no parallelism; a coroutine that never awaits runs start to end",
        ),
        ("hybrid", "like procs: the processes run in parallel; with hybrid_gil=1 only one thread per process computes at a time"),
    ],
    why: "A loop like `while n > 0: n -= 1` never waits for anything, so a lock that lets one \
          thread run at a time turns four threads into one. Processes each have their own \
          interpreter and lock, so they scale with the cores.",
};

const TASKS: ParamSpec = ParamSpec {
    key: "tasks",
    label: "Tasks",
    help: "countdown loops to run",
    kind: Kind::Int { min: 1, max: 256 },
    default: DefaultValue::Int(4),
};
const N: ParamSpec = ParamSpec {
    key: "n",
    label: "Steps per task",
    help: "loop steps",
    kind: Kind::Int {
        min: 1,
        max: 10_000_000_000,
    },
    default: DefaultValue::Int(10_000_000),
};
/// The keys of this lesson, in URL order.
pub const PARAMS: &[ParamSpec] = &[TASKS, N];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cpu {
    pub tasks: u32,
    pub n: u64,
}

impl Default for Cpu {
    fn default() -> Self {
        Cpu::from_pairs(&[], &mut Vec::new())
    }
}

impl Cpu {
    pub fn from_pairs(pairs: &[(String, String)], errors: &mut Vec<super::ParamError>) -> Self {
        Cpu {
            tasks: TASKS.int(pairs, errors) as u32,
            n: N.int(pairs, errors),
        }
    }

    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            (TASKS.key, self.tasks.to_string()),
            (N.key, self.n.to_string()),
        ]
    }

    /// Every task counts every one of its `n` steps.
    pub fn expected(&self) -> u128 {
        u128::from(self.tasks) * u128::from(self.n)
    }

    /// Returns the number of steps taken, which the oracle checks. Each
    /// step also advances a small generator, and the task checks the final
    /// state against the jump-ahead formula: a loop that skipped or repeated
    /// a step fails, even if it counted right.
    pub fn run_task(&self, task: u32, env: &mut dyn TaskEnv) -> Result<u128, TaskFailure> {
        let state = spin_ticked(seed(task), self.n, env)?;
        if state != jump(seed(task), self.n) {
            return Err(TaskFailure::Failed(format!(
                "task {task}: the loop state after {} steps is wrong",
                self.n
            )));
        }
        Ok(u128::from(self.n))
    }
}

/// `n` steps cut into ticks, so a GIL can switch and a cancelled run can
/// stop between chunks. Returns the generator's final state.
pub fn spin_ticked(state: u64, n: u64, env: &mut dyn TaskEnv) -> Result<u64, TaskFailure> {
    let mut state = state;
    let mut left = n;
    while left > 0 {
        let chunk = left.min(TICK_STEPS);
        state = spin(state, chunk);
        left -= chunk;
        env.tick()?;
    }
    Ok(state)
}

/// The countdown of `n` steps for workloads that burn CPU between other
/// things (I/O, failures). Returns the steps taken.
pub fn count_steps(n: u64, env: &mut dyn TaskEnv) -> Result<u64, TaskFailure> {
    std::hint::black_box(spin_ticked(seed(0), n, env)?);
    Ok(n)
}

// Each step is one xorshift64 update. The shifts and xors depend on the
// step before, and unlike a multiply-add (whose unrolled copies LLVM merges
// into one) they do not fold together, so the loop really runs `n` times,
// natively and in wasm alike.
#[inline(always)]
fn step(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

/// `steps` countdown steps, each advancing the generator once. A zero
/// state never changes, so callers seed with a non-zero value.
#[inline(never)]
pub fn spin(state: u64, steps: u64) -> u64 {
    let mut x = state;
    let mut n = steps;
    while n > 0 {
        x = step(x);
        n -= 1;
    }
    x
}

/// The seed of task `task`: distinct per task and never zero.
pub fn seed(task: u32) -> u64 {
    0x9E37_79B9_7F4A_7C15 ^ u64::from(task)
}

/// A linear map on 64-bit vectors over GF(2), by the images of the unit
/// vectors: xorshift is such a map, so `steps` of it is its `steps`-th power.
type Gf2Map = [u64; 64];

fn apply(m: &Gf2Map, v: u64) -> u64 {
    let mut out = 0;
    let mut bits = v;
    while bits != 0 {
        out ^= m[bits.trailing_zeros() as usize];
        bits &= bits - 1;
    }
    out
}

fn compose(outer: &Gf2Map, inner: &Gf2Map) -> Gf2Map {
    std::array::from_fn(|j| apply(outer, inner[j]))
}

/// The generator's state after `steps` steps, in O(log steps) matrix
/// squarings: the oracle for [`spin`] that does not run the loop.
pub fn jump(state: u64, steps: u64) -> u64 {
    let mut power: Gf2Map = std::array::from_fn(|j| step(1 << j));
    let mut acc: Gf2Map = std::array::from_fn(|j| 1 << j);
    let mut n = steps;
    while n > 0 {
        if n & 1 == 1 {
            acc = compose(&power, &acc);
        }
        power = compose(&power, &power);
        n >>= 1;
    }
    apply(&acc, state)
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
    fn jump_ahead_matches_the_loop() {
        for (state, steps) in [(1, 0), (1, 1), (7, 2), (seed(3), 1000), (u64::MAX, 123_457)] {
            assert_eq!(
                jump(state, steps),
                spin(state, steps),
                "state {state}, {steps} steps"
            );
        }
        assert_ne!(
            jump(seed(0), 1000),
            jump(seed(0), 1001),
            "one step more is told apart"
        );
        assert_ne!(seed(0), seed(1));
        assert_eq!(count_steps(123_457, &mut Counting(0)), Ok(123_457));
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
