//! Lesson 2: data-parallel map/reduce. The numbers 1..=n are cut into one
//! equal chunk per task; each task sums the squares of its chunk (the map)
//! and the run adds the partial sums (the reduce).

use super::{Lesson, ParamError, TaskEnv, TaskFailure, TICK_STEPS};
use crate::params::{DefaultValue, Kind, ParamSpec};
use serde::{Deserialize, Serialize};

pub const LESSON: Lesson = Lesson {
    title: "Map/reduce over equal chunks",
    question: "If the data is split into equal parts, one per worker, how close do we get to \
               a speedup equal to the number of workers?",
    expect: &[
        ("seq", "the baseline: one pass over 1..=n"),
        (
            "threads",
            "close to min(tasks, cores)x: the chunks are independent",
        ),
        (
            "gil",
            "about 1x: squaring numbers is CPU work, and the GIL lets one chunk run at a time",
        ),
        (
            "procs",
            "close to threads once n is large; for small n the dispatch and the gathering \
                   of results eat the gain",
        ),
        ("async", "1.0×: the coroutines take turns on one thread"),
        (
            "hybrid",
            "like procs: the chunks are dealt to the processes, whose threads share them",
        ),
    ],
    why: "Nothing is shared while the chunks are squared, so the only costs beyond the work \
          itself are cutting the data and adding up the partial results. More tasks than \
          workers balance the load better but pay that overhead more often.",
};

const N: ParamSpec = ParamSpec {
    key: "n",
    label: "Numbers",
    help: "square 1..n and sum",
    kind: Kind::Int {
        min: 1,
        max: 1_000_000_000,
    },
    default: DefaultValue::Int(1_000_000),
};
const TASKS: ParamSpec = ParamSpec {
    key: "tasks",
    label: "Tasks",
    help: "equal chunks of 1..n",
    kind: Kind::Int { min: 1, max: 1024 },
    default: DefaultValue::Int(4),
};
/// The keys of this lesson, in URL order.
pub const PARAMS: &[ParamSpec] = &[N, TASKS];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Squares {
    pub n: u64,
    pub tasks: u32,
}

impl Default for Squares {
    fn default() -> Self {
        Squares::from_pairs(&[], &mut Vec::new())
    }
}

impl Squares {
    /// The largest `n` a link may ask for.
    pub const MAX_N: u64 = match N.kind {
        Kind::Int { max, .. } => max,
        _ => panic!("n is an integer key"),
    };

    pub fn from_pairs(pairs: &[(String, String)], errors: &mut Vec<ParamError>) -> Self {
        Squares {
            n: N.int(pairs, errors),
            tasks: TASKS.int(pairs, errors) as u32,
        }
    }

    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            (N.key, self.n.to_string()),
            (TASKS.key, self.tasks.to_string()),
        ]
    }

    /// The first and last number of `task`'s chunk. Chunk sizes differ by at
    /// most one; with more tasks than numbers some chunks are empty (`lo > hi`).
    pub fn chunk(&self, task: u32) -> (u64, u64) {
        let (n, tasks) = (u128::from(self.n), u128::from(self.tasks.max(1)));
        let bound = |t: u32| (n * u128::from(t) / tasks) as u64;
        (bound(task) + 1, bound(task + 1))
    }

    /// 1² + 2² + … + n² = n(n+1)(2n+1)/6, exact in u128 for every allowed n.
    pub fn expected(&self) -> u128 {
        let n = u128::from(self.n);
        n * (n + 1) * (2 * n + 1) / 6
    }

    pub fn run_task(&self, task: u32, env: &mut dyn TaskEnv) -> Result<u128, TaskFailure> {
        let (mut lo, hi) = self.chunk(task);
        let mut sum: u128 = 0;
        while lo <= hi {
            let last = hi.min(lo + (TICK_STEPS - 1));
            sum += sum_squares(lo, last);
            lo = last + 1;
            env.tick()?;
        }
        Ok(sum)
    }
}

/// `lo² + … + hi²` one number at a time. `black_box` keeps LLVM from
/// replacing the loop by the closed form the oracle uses.
#[inline(never)]
pub fn sum_squares(lo: u64, hi: u64) -> u128 {
    // A square of n ≤ 10⁹ (the key's limit) fits in 64 bits, so only the sum
    // needs 128: a 64-bit multiply is one instruction, a 128-bit one is a
    // call into compiler_builtins, which the size-optimized build does not
    // inline (it made the loop 1.6× slower).
    debug_assert!(hi <= u64::from(u32::MAX));
    let mut sum: u128 = 0;
    for i in lo..=hi {
        let x = std::hint::black_box(i);
        sum += u128::from(x * x);
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::test_util::{judged, pairs, run_all, Recorder};
    use crate::workloads::Workload;

    #[test]
    fn chunks_cover_one_to_n_exactly_once() {
        for (n, tasks) in [(1, 1), (10, 3), (7, 7), (5, 8), (1_000_003, 1024), (10, 1)] {
            let s = Squares { n, tasks };
            let mut next = 1;
            for t in 0..tasks {
                let (lo, hi) = s.chunk(t);
                assert_eq!(
                    lo, next,
                    "n={n} tasks={tasks} task {t} starts where the last ended"
                );
                assert!(hi + 1 >= lo);
                let len = hi + 1 - lo;
                assert!(len == n / u64::from(tasks) || len == n / u64::from(tasks) + 1);
                next = hi + 1;
            }
            assert_eq!(next, n + 1, "n={n} tasks={tasks}");
        }
    }

    #[test]
    fn the_oracle_matches_the_sum_for_every_split() {
        for (n, tasks) in [
            (1, 1),
            (2, 4),
            (3 * TICK_STEPS + 5, 3),
            (1_000, 1024),
            (123_457, 7),
        ] {
            let w = Workload::Squares(Squares { n, tasks });
            let (value, failures) = run_all(&w);
            assert!(failures.is_empty());
            assert_eq!(value, w.expected(), "n={n} tasks={tasks}");
            assert!(judged(&w, value, &failures));
            assert!(!judged(&w, value - 1, &failures));
        }
        // The oracle itself, against a few known values and the largest n.
        assert_eq!(Squares { n: 3, tasks: 1 }.expected(), 14);
        assert_eq!(
            Squares {
                n: 1_000_000,
                tasks: 1
            }
            .expected(),
            333_333_833_333_500_000
        );
        let n = u128::from(Squares::MAX_N);
        assert_eq!(
            Squares {
                n: Squares::MAX_N,
                tasks: 1
            }
            .expected()
                * 6,
            n * (n + 1) * (2 * n + 1)
        );
        assert_eq!(sum_squares(4, 2), 0, "an empty chunk adds nothing");
    }

    #[test]
    fn ticks_split_each_chunk() {
        let s = Squares {
            n: 2 * TICK_STEPS + 1,
            tasks: 1,
        };
        let mut env = Recorder::default();
        s.run_task(0, &mut env).unwrap();
        assert_eq!(env.ticks, 3);
        let mut cancelled = Recorder {
            cancel_at_tick: Some(1),
            ..Default::default()
        };
        assert_eq!(s.run_task(0, &mut cancelled), Err(TaskFailure::Cancelled));
    }

    #[test]
    fn parameters_parse_with_limits_named() {
        let mut errors = Vec::new();
        let s = Squares::from_pairs(&pairs(&[("n", "1e9"), ("tasks", "1024")]), &mut errors);
        assert!(errors.is_empty());
        assert_eq!(
            s,
            Squares {
                n: 1_000_000_000,
                tasks: 1024
            }
        );
        let s = Squares::from_pairs(
            &pairs(&[("n", "1000000001"), ("tasks", "1025")]),
            &mut errors,
        );
        assert_eq!(s, Squares::default());
        assert_eq!(
            errors,
            vec![
                ParamError::new("n", "1000000001", "a whole number from 1 to 1,000,000,000"),
                ParamError::new("tasks", "1025", "a whole number from 1 to 1,024"),
            ]
        );
    }
}
