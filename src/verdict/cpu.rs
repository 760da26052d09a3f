//! Lessons 1 and 2 (`cpu`, `squares`): CPU-bound work, which only models
//! that compute on several cores at once speed up. The `failure` lesson
//! says the same after its note on the failed task.

use crate::format::times;
use crate::models::ModelId;
use crate::predict::{Ask, Choice, Prediction, Question};
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
pub(super) fn expected_band(
    workload: &Workload,
    cores: u32,
    r: &ModelResult,
) -> Option<(f64, f64)> {
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

// ---- predictions ----

/// For each model but the baseline: slower than one thread, about the
/// same, or faster, up to the core count.
pub(super) fn question(models: &[ModelId], cores: u32) -> Question {
    let asks = models
        .iter()
        .filter(|m| **m != ModelId::Seq)
        .map(|&model| Ask::Model {
            model,
            choices: vec![
                Choice {
                    id: "slower",
                    words: "slower than one thread".into(),
                },
                Choice {
                    id: "same",
                    words: "about as fast as one thread".into(),
                },
                Choice {
                    id: "faster",
                    words: format!("up to {}× faster", cores.max(1)),
                },
            ],
        })
        .collect();
    Question {
        prompt: format!(
            "This machine has {} cores. Before you run: how fast will each model be,              against one thread doing all the work?",
            cores.max(1)
        ),
        asks,
    }
}

/// The band a speedup falls in, in the question's terms: within 15 % of
/// one thread is "about the same", as the verdicts count it.
pub(super) fn band(speedup: f64) -> &'static str {
    if speedup < 0.85 {
        "slower"
    } else if speedup <= 1.15 {
        "same"
    } else {
        "faster"
    }
}

/// "You expected GIL threads to be up to 2× faster; the run measured
/// 0.96×: …", leading with the gap.
pub(super) fn explain(p: &Prediction, said: &str, r: &ModelResult, cores: u32) -> String {
    let Some(s) = r.speedup else {
        return format!(
            "You expected {} to be {said}; run seq too to see how fast they were.",
            subject(p.model)
        );
    };
    let measured = band(s);
    let gap = if measured == p.choice {
        format!("the run measured {}, as you said", times(s))
    } else {
        format!("the run measured {}, {}", times(s), band_words(measured))
    };
    format!(
        "You expected {} to be {said}; {gap}: {}.",
        subject(p.model),
        why(p.model, measured, cores)
    )
}

fn band_words(band: &str) -> &'static str {
    match band {
        "slower" => "slower than one thread",
        "same" => "about as fast as one thread",
        _ => "faster than one thread",
    }
}

/// What a model is called in the middle of a sentence.
pub(super) fn subject(model: ModelId) -> &'static str {
    match model {
        ModelId::Seq => "one thread",
        ModelId::Threads => "free threads",
        ModelId::Gil => "GIL threads",
        ModelId::OldGil => "old-GIL threads",
        ModelId::Procs => "the process pool",
        ModelId::Fork => "a process per task",
        ModelId::Async => "the event loop",
        ModelId::Hybrid => "processes with threads",
    }
}

/// Why `model` lands in `band` on CPU-bound work.
fn why(model: ModelId, band: &str, cores: u32) -> String {
    match (model, band) {
        (ModelId::Gil, "faster") | (ModelId::OldGil, "faster") | (ModelId::Async, "faster") => {
            "faster than one thread can be, so the machine was probably busier while seq ran; \
             run it again"
                .into()
        }
        (ModelId::Gil, _) => "the GIL lets one thread run Python at a time, so CPU-bound \
             threads take turns on the cores instead of sharing them"
            .into(),
        (ModelId::OldGil, _) => "the old GIL lets one thread run at a time, and its holder \
             keeps retaking it while the others wake for nothing"
            .into(),
        (ModelId::Async, _) => "coroutines take turns on one thread and none awaits: \
             concurrency is not parallelism"
            .into(),
        (ModelId::Hybrid, "faster") => format!(
            "its processes compute on {cores} cores at once; under a GIL in each process, \
             one thread of each"
        ),
        (_, "faster") => {
            format!("each worker computes on a core of its own, and this machine has {cores}")
        }
        (ModelId::Fork, _) => "it pays a process start for every task, and on short tasks \
             that eats the gain of the extra cores"
            .into(),
        _ => format!(
            "with {cores} cores it should have gained: other work on the machine, or tasks \
             too short for their start-up, took the difference"
        ),
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
