//! Lessons 1 and 2 (`cpu`, `squares`): CPU-bound work, which only models
//! that compute on several cores at once speed up. The `failure` lesson
//! says the same after its note on the failed task.

use crate::format::times;
use crate::models::ModelId;
use crate::report::{hybrid_parallel, ModelResult};
use crate::workloads::Workload;

/// Where a model that computes on one thread at a time is "as expected":
/// one thread's speed, give or take the noise between two medians.
const ONE_THREAD: (f64, f64) = (0.85, 1.15);
/// The share of the ideal from which parallel work is "as expected".
const NEAR_IDEAL: f64 = 0.8;

/// The most `r`'s workers could reach: a worker per core, a task per
/// worker, and for `hybrid` under a GIL per process one computing thread
/// per process.
fn ideal(workload: &Workload, cores: u32, r: &ModelResult) -> f64 {
    let parallel = hybrid_parallel(r, false).unwrap_or(r.workers);
    (workload.tasks().min(parallel).min(cores.max(1))).max(1) as f64
}

/// `r`'s speedup against the most its workers could reach.
pub(super) fn verdict(workload: &Workload, cores: u32, r: &ModelResult) -> String {
    cpu_bound(r.model, r.speedup, ideal(workload, cores, r))
}

/// The speedups [`verdict`] calls as expected for `r`'s model; the old GIL
/// is expected at one thread's speed or below (the convoy effect).
pub(super) fn band(workload: &Workload, cores: u32, r: &ModelResult) -> Option<(f64, f64)> {
    match r.model {
        ModelId::Seq => None,
        ModelId::Async | ModelId::Gil => Some(ONE_THREAD),
        ModelId::OldGil => Some((0.0, ONE_THREAD.1)),
        ModelId::Threads | ModelId::Procs | ModelId::Fork | ModelId::Hybrid => {
            let ideal = ideal(workload, cores, r);
            Some((NEAR_IDEAL * ideal, ideal))
        }
    }
}

fn cpu_bound(model: ModelId, s: Option<f64>, ideal: f64) -> String {
    let Some(s) = s else {
        return match model {
            ModelId::Seq => "the baseline".to_string(),
            _ => "run seq too to see the speedup".to_string(),
        };
    };
    let x = times(s);
    let one_thread = ONE_THREAD.0..=ONE_THREAD.1;
    match model {
        ModelId::Seq => "the baseline: one task after the other".to_string(),
        ModelId::Async if one_thread.contains(&s) => format!(
            "{x} — as expected: concurrency is not parallelism; the coroutines take turns on one thread and none awaits"
        ),
        ModelId::Async if s < ONE_THREAD.0 => format!("{x} — slower than one thread: the event loop's bookkeeping costs time"),
        ModelId::Async => format!("{x} — faster than one thread can be; the machine may have been busy during seq"),
        ModelId::Gil if one_thread.contains(&s) => {
            format!("{x} — as expected, the GIL serializes CPU-bound work")
        }
        ModelId::Gil if s < ONE_THREAD.0 => format!("{x} — slower than one thread: handing the GIL back and forth costs time"),
        ModelId::Gil => format!("{x} — faster than GIL threads should be; the machine may have been busy during seq"),
        ModelId::OldGil if s < 1.0 => format!(
            "{x} — slower than one thread, as in CPython 2: the holder keeps retaking the GIL while the others wake for nothing (the convoy effect)"
        ),
        ModelId::OldGil => format!("{x} — one thread's speed: the old GIL still lets one thread run at a time"),
        _ => {
            let start = match model {
                ModelId::Fork => " (it also pays for starting a process per task)",
                ModelId::Hybrid => " (processes × threads; under a GIL in each process, one thread of each computes at a time)",
                _ => "",
            };
            if s >= NEAR_IDEAL * ideal {
                format!("{x} — as expected: {ideal:.0} cores work at once (ideal {}){start}", times(ideal))
            } else if s >= 1.2 {
                format!(
                    "{x} — faster than one, short of the ideal {}{start}: other work on the machine or short tasks eat the gain",
                    times(ideal)
                )
            } else {
                format!("{x} — no gain over one thread{start}; with {ideal:.0} free cores this should reach {}", times(ideal))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::models::ModelId;
    use crate::verdict::{result, verdict};
    use crate::workloads::Workload;

    #[test]
    fn cpu_bound_sentences_follow_the_lesson() {
        let w = Workload::default_for("cpu").unwrap();
        let v = |m, s| verdict(&w, 2, &[], &result(m, s, 2));
        assert!(v(ModelId::Gil, 1.02).contains("as expected, the GIL serializes"));
        assert!(v(ModelId::OldGil, 0.8).contains("convoy effect"));
        assert!(v(ModelId::Threads, 1.9).contains("as expected: 2 cores work at once"));
        assert!(v(ModelId::Procs, 1.3).contains("short of the ideal 2.00×"));
        assert!(v(ModelId::Fork, 1.0).contains("no gain"));
    }

    #[test]
    fn an_event_loop_on_cpu_work_is_concurrency_not_parallelism() {
        let cpu = Workload::default_for("cpu").unwrap();
        assert!(verdict(&cpu, 2, &[], &result(ModelId::Async, 1.0, 1))
            .contains("concurrency is not parallelism"));
    }

    #[test]
    fn squares_share_the_cpu_bound_sentences() {
        let squares = Workload::default_for("squares").unwrap();
        assert!(verdict(&squares, 2, &[], &result(ModelId::Gil, 1.0, 2))
            .contains("as expected, the GIL serializes"));
    }
}
