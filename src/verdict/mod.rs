//! Results in context: one sentence per model that says whether a figure is
//! what the lesson predicts, and why ("GIL threads: 1.02× — as expected, the
//! GIL serializes CPU-bound work"). What a lesson says is in one file, with
//! its tests; [`overheads`] sets the models' starts and transfers against
//! this machine's limits.

mod counter;
mod cpu;
mod failure;
mod io;
mod overheads;
mod spawn;
mod transfer;

pub use overheads::{overheads, Overhead};

use crate::config::RunConfig;
use crate::models::ModelId;
use crate::predict::{Prediction, Question};
use crate::report::{Interleaving, ModelResult};
use crate::workloads::Workload;

/// The sentence for `r`, given every model's result of the same run and the
/// machine's core count.
pub fn verdict(workload: &Workload, cores: u32, all: &[ModelResult], r: &ModelResult) -> String {
    verdict_with_trace(workload, cores, all, r, None)
}

/// [`verdict`], with the model's traced repeat ([`crate::report::Report::interleaving`]):
/// the counter lesson then tells the first lost update it proves.
pub fn verdict_with_trace(
    workload: &Workload,
    cores: u32,
    all: &[ModelResult],
    r: &ModelResult,
    trace: Option<&Interleaving>,
) -> String {
    if !r.correct {
        return "wrong result: the oracle disagrees, so its time means nothing".to_string();
    }
    if let Some(why) = &r.suspect {
        return format!("suspect, not a result: {why}");
    }
    match workload {
        Workload::Cpu(_) | Workload::Squares(_) => cpu::verdict(workload, cores, r),
        Workload::Failure(f) => failure::verdict(workload, f.fail_at, cores, r),
        Workload::Io(io) => io::verdict(io, r),
        Workload::Spawn(_) => spawn::verdict(all, r),
        Workload::Counter(c) => counter::verdict(c.sync, r, trace),
        Workload::Transfer(t) => transfer::verdict(t.via, r),
    }
}

/// The lesson's question before a run of `cfg` on a machine with `cores`,
/// in its own terms; `None` where the view asks none (the convoy, whose
/// figures are response times, or a comparison with one model only).
pub fn question(cfg: &RunConfig, cores: u32) -> Option<Question> {
    let models = &cfg.models;
    match &cfg.workload {
        Workload::Cpu(_) | Workload::Squares(_) => Some(cpu::question(models, cores)),
        Workload::Io(io) if io.convoy.is_some() => None,
        Workload::Io(io) => Some(io::question(io, models, |m| match m {
            ModelId::Seq => 1,
            ModelId::Async => io.tasks,
            ModelId::Hybrid => cfg.procs * cfg.threads,
            _ => cfg.workers,
        })),
        Workload::Spawn(_) => spawn::question(models),
        Workload::Counter(c) => Some(counter::question(c, models)),
        Workload::Transfer(t) => transfer::question(t, models),
        Workload::Failure(f) => Some(failure::question(f.fail_at, models)),
    }
    .filter(|q| !q.asks.is_empty())
}

/// `predictions`, each judged against the run's `results`: right where the
/// result bears the choice out, off where it does not, and not judged
/// where the result cannot say (wrong, suspect, not measured).
pub fn judge(
    workload: &Workload,
    results: &[ModelResult],
    predictions: &[Prediction],
) -> Vec<Prediction> {
    predictions
        .iter()
        .map(|p| Prediction {
            right: borne_out(workload, results, p).map(|b| match b {
                Borne::Choice(c) => c == p.choice,
                Borne::Model(m) => m == p.model,
            }),
            ..p.clone()
        })
        .collect()
}

/// What a result bears out: a lesson's choice for a model, or, for a
/// question that picks a model, the model that fits.
#[derive(Debug, Clone, PartialEq)]
pub enum Borne {
    Choice(String),
    Model(ModelId),
}

/// What the run's `results` bear out for the part of the question `p`
/// answers; `None` where they cannot tell.
pub fn borne_out(workload: &Workload, results: &[ModelResult], p: &Prediction) -> Option<Borne> {
    let valid = |r: &&ModelResult| r.correct && r.suspect.is_none();
    let r = results.iter().find(|r| r.model == p.model).filter(valid);
    let choice = |c: Option<&'static str>| c.map(|c| Borne::Choice(c.to_string()));
    match workload {
        Workload::Spawn(_) => spawn::pick(results, &p.choice).map(Borne::Model),
        Workload::Transfer(_) => transfer::pick(results).map(Borne::Model),
        Workload::Cpu(_) | Workload::Squares(_) => choice(r?.speedup.map(cpu::band)),
        Workload::Io(io) => choice(io::band(io, r?)),
        Workload::Counter(c) => choice(counter::band(c, r?)),
        // A failure's lesson is what came back, whatever the speed: a
        // suspect speedup does not hide it.
        Workload::Failure(f) => {
            let r = results.iter().find(|r| r.model == p.model)?;
            choice(Some(failure::band(f.fail_at, r)))
        }
    }
}

/// An answer's words where no one machine's question is at hand (a class
/// of machines): `choice` as its lesson's question says it, without a
/// figure that depends on the machine.
pub fn choice_words(workload: &Workload, choice: &str) -> &'static str {
    match (workload, choice) {
        (Workload::Io(_), "one") => "no faster than one after another",
        (Workload::Io(_), "some") => "faster, short of every wait overlapping",
        (Workload::Io(_), "all") => "every wait overlapping",
        (Workload::Counter(_), "none") => "no update lost",
        (Workload::Counter(_), "some") => "some updates lost",
        (Workload::Counter(_), "most") => "most updates lost",
        (_, "slower") => "slower than one thread",
        (_, "same") => "about as fast as one thread",
        (_, "faster") => "faster than one thread",
        (Workload::Spawn(_), "fastest") => "starts fastest",
        (Workload::Spawn(_), "slowest") => "starts slowest",
        (_, "fastest") => "hands the data over fastest",
        (_, "error") => "the error itself",
        (_, "text") => "only its text",
        (_, "nothing") => "nothing",
        _ => "another answer",
    }
}

/// The explanation of `p` after the run, leading with the gap between
/// what was expected and what was measured ("You expected GIL threads to
/// be up to 2× faster; the run measured 0.96×, about as fast as one
/// thread: the GIL lets one thread run Python at a time…").
pub fn explain(
    workload: &Workload,
    cores: u32,
    question: &Question,
    results: &[ModelResult],
    p: &Prediction,
) -> String {
    let said = question.words_of(p).unwrap_or_else(|| p.choice.clone());
    let r = results.iter().find(|r| r.model == p.model);
    let unjudged = |why: &str| {
        format!(
            "You expected {} to be {said}; {why}, so it cannot say whether you were right.",
            cpu::subject(p.model)
        )
    };
    match (workload, r) {
        (Workload::Spawn(_), _) => spawn::explain(results, p),
        (Workload::Transfer(t), _) => transfer::explain(t, results, p),
        (Workload::Failure(f), Some(r)) => failure::explain(f.fail_at, p, &said, r),
        (_, None) => unjudged("it did not run"),
        (_, Some(r)) if !r.correct => unjudged("its result was wrong"),
        (_, Some(r)) if r.suspect.is_some() => unjudged("its speedup is suspect"),
        (Workload::Cpu(_) | Workload::Squares(_), Some(r)) => cpu::explain(p, &said, r, cores),
        (Workload::Io(io), Some(r)) => io::explain(io, p, &said, r),
        (Workload::Counter(c), Some(r)) => counter::explain(c, p, &said, r),
    }
}

/// The speedups `r`'s verdict calls as expected on a machine with `cores`
/// cores, as `(low, high)`: what a chart of many machines draws as the
/// lesson's band. `None` for `seq` (the baseline) and where the lesson's
/// measure is not a speedup (a start's cost, lost updates, a hand-over, a
/// response time).
pub fn expected_band(workload: &Workload, cores: u32, r: &ModelResult) -> Option<(f64, f64)> {
    match workload {
        Workload::Cpu(_) | Workload::Squares(_) | Workload::Failure(_) => {
            cpu::expected_band(workload, cores, r)
        }
        Workload::Io(io) => io::expected_band(io, r),
        Workload::Spawn(_) | Workload::Counter(_) | Workload::Transfer(_) => None,
    }
}

/// A correct result with this speedup and nothing else, for the lessons'
/// tests.
#[cfg(test)]
fn result(model: crate::models::ModelId, speedup: f64, workers: u32) -> ModelResult {
    ModelResult {
        median_ms: Some(1.0),
        speedup: Some(speedup),
        correct: true,
        ..ModelResult::of_samples(model, workers, vec![])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelId;

    #[test]
    fn a_suspect_ratio_is_never_a_verdict() {
        let w = Workload::default_for("cpu").unwrap();
        let mut r = result(ModelId::Procs, 2.84, 2);
        r.suspect = Some("2.84× is above the 2× this machine allows".into());
        let v = verdict(&w, 2, &[], &r);
        assert!(
            v.starts_with("suspect, not a result: 2.84× is above"),
            "{v}"
        );
    }

    /// Every speedup inside a band reads "as expected", and just below it does not.
    #[test]
    fn bands_are_where_the_verdicts_say_as_expected() {
        let cpu = Workload::default_for("cpu").unwrap();
        for (model, workers) in [
            (ModelId::Gil, 4),
            (ModelId::Threads, 4),
            (ModelId::Procs, 2),
        ] {
            let r = result(model, 1.0, workers);
            let (low, high) = expected_band(&cpu, 8, &r).unwrap();
            for s in [low, (low + high) / 2.0, high] {
                let v = verdict(&cpu, 8, &[], &result(model, s, workers));
                assert!(v.contains("as expected"), "{model} {s}: {v}");
            }
            let v = verdict(&cpu, 8, &[], &result(model, low - 0.01, workers));
            assert!(!v.contains("as expected"), "{model}: {v}");
        }
        assert_eq!(
            expected_band(&cpu, 2, &result(ModelId::Threads, 1.0, 4)),
            Some((1.6, 2.0)),
            "min(tasks 4, workers 4, cores 2)"
        );
        assert_eq!(expected_band(&cpu, 2, &result(ModelId::Seq, 1.0, 1)), None);
        let io = Workload::default_for("io").unwrap();
        let (low, high) = expected_band(&io, 2, &result(ModelId::Gil, 1.0, 8)).unwrap();
        assert_eq!(
            (low, high),
            (0.6 * 8.0, 8.0),
            "waits overlap on any core count"
        );
        assert!(verdict(&io, 2, &[], &result(ModelId::Gil, low, 8)).contains("as expected"));
        let spawn = Workload::default_for("spawn").unwrap();
        assert_eq!(
            expected_band(&spawn, 2, &result(ModelId::Fork, 1.0, 2)),
            None
        );
    }

    #[test]
    fn a_wrong_result_has_no_time_to_speak_of() {
        let w = Workload::default_for("cpu").unwrap();
        let mut wrong = result(ModelId::Threads, 2.0, 2);
        wrong.correct = false;
        assert!(verdict(&w, 2, &[], &wrong).starts_with("wrong result"));
    }

    use crate::config::parse_query;
    use crate::predict::{Ask, Confidence};
    use crate::report::Report;

    /// A report of `query` with each model's result made by `shape`.
    fn report(query: &str, shape: impl Fn(&mut ModelResult)) -> (RunConfig, Report) {
        let (cfg, _) = RunConfig::from_pairs(&parse_query(query), 2);
        let results = cfg
            .models
            .iter()
            .map(|&m| {
                let mut r = result(m, 1.0, 2);
                r.value = cfg.workload.expected().to_string();
                r.expected = r.value.clone();
                shape(&mut r);
                r
            })
            .collect();
        let report = Report::new(
            crate::report::Env::with_cores(2),
            crate::report::config_map(&cfg),
            results,
            String::new(),
        );
        (cfg, report)
    }

    /// Every answer of every part of `query`'s question, judged against a
    /// run shaped by `shape`: exactly the answers `expect_right` names are
    /// right, the others off, and each explanation leads with the reader's
    /// own expectation, in its words.
    fn every_answer(
        query: &str,
        shape: impl Fn(&mut ModelResult),
        expect_right: &[(ModelId, &str)],
    ) {
        let (cfg, report) = report(query, shape);
        let q = question(&cfg, 2).unwrap_or_else(|| panic!("{query} asks a question"));
        for ask in &q.asks {
            for (value, _) in ask.options() {
                let p = ask.predict(&value, Confidence::Sure).unwrap();
                let judged = judge(&cfg.workload, &report.results, std::slice::from_ref(&p));
                let right = expect_right
                    .iter()
                    .any(|(m, c)| *m == p.model && *c == p.choice);
                assert_eq!(judged[0].right, Some(right), "{query}: {p:?}");
                let words = explain(&cfg.workload, 2, &q, &report.results, &judged[0]);
                assert!(
                    words.starts_with("You expected") || words.starts_with("You picked"),
                    "{words}"
                );
                assert!(
                    words.contains(&q.words_of(&p).unwrap()) || matches!(ask, Ask::Pick { .. }),
                    "{words}"
                );
                assert_eq!(
                    right,
                    words.contains("as you said") || words.contains("as the run found"),
                    "{query} {p:?}: {words}"
                );
            }
        }
    }

    #[test]
    fn cpu_predictions_are_judged_by_the_speedup_band_and_explained() {
        let speedups = |r: &mut ModelResult| {
            r.speedup = Some(match r.model {
                ModelId::Seq => 1.0,
                ModelId::Gil | ModelId::Async => 0.97,
                ModelId::OldGil => 0.8,
                _ => 1.9,
            })
        };
        for w in ["cpu", "squares"] {
            every_answer(
                &format!("w={w}&models=seq,async,threads,gil,oldgil,procs,fork,hybrid"),
                speedups,
                &[
                    (ModelId::Async, "same"),
                    (ModelId::Threads, "faster"),
                    (ModelId::Gil, "same"),
                    (ModelId::OldGil, "slower"),
                    (ModelId::Procs, "faster"),
                    (ModelId::Fork, "faster"),
                    (ModelId::Hybrid, "faster"),
                ],
            );
        }
        let (cfg, report) = report("w=cpu&models=seq,gil", speedups);
        let q = question(&cfg, 2).unwrap();
        let p = q.asks[0].predict("faster", Confidence::Sure).unwrap();
        assert_eq!(
            explain(&cfg.workload, 2, &q, &report.results, &p),
            "You expected GIL threads to be up to 2× faster; the run measured 0.97×, about as fast \
             as one thread: the GIL lets one thread run Python at a time, so CPU-bound threads take \
             turns on the cores instead of sharing them."
        );
    }

    #[test]
    fn io_predictions_count_the_waits_that_overlap() {
        every_answer(
            "w=io&tasks=8&wait_ms=50&models=seq,async,threads,gil,procs&workers=8",
            |r| {
                r.workers = if r.model == ModelId::Async { 1 } else { 8 };
                r.speedup = Some(match r.model {
                    ModelId::Seq => 1.0,
                    ModelId::Procs => 3.0,
                    _ => 7.8,
                })
            },
            &[
                (ModelId::Async, "all"),
                (ModelId::Threads, "all"),
                (ModelId::Gil, "all"),
                (ModelId::Procs, "some"),
            ],
        );
        // The convoy's figures are response times: it asks nothing.
        let (cfg, _) = RunConfig::from_pairs(&parse_query("w=io&tasks=3&cpu_n=1000&convoy=1"), 2);
        assert_eq!(question(&cfg, 2), None);
    }

    #[test]
    fn spawn_predictions_pick_the_fastest_and_the_slowest_start() {
        every_answer(
            "w=spawn&models=seq,threads,gil,procs,fork",
            |r| {
                let us = match r.model {
                    ModelId::Procs => 80.0,
                    ModelId::Fork => 2500.0,
                    ModelId::Seq => 100.0,
                    _ => 95.0,
                };
                r.figures.insert("per_step_us".into(), us);
            },
            &[(ModelId::Procs, "fastest"), (ModelId::Fork, "slowest")],
        );
        let (cfg, _) = RunConfig::from_pairs(&parse_query("w=spawn&models=fork"), 2);
        assert_eq!(question(&cfg, 2), None, "one model: nothing to compare");
    }

    #[test]
    fn counter_predictions_count_the_lost_updates() {
        // 4 × 100,000 increments: more than half lost is "most".
        every_answer(
            "w=counter&sync=racy&models=seq,async,threads,gil,procs",
            |r| {
                r.lost_updates = Some(
                    match r.model {
                        ModelId::Seq | ModelId::Async => "0",
                        ModelId::Threads => "250000",
                        _ => "120000",
                    }
                    .into(),
                )
            },
            &[
                (ModelId::Async, "none"),
                (ModelId::Threads, "most"),
                (ModelId::Gil, "some"),
                (ModelId::Procs, "some"),
            ],
        );
        every_answer(
            "w=counter&sync=locked&models=seq,threads,procs",
            |r| r.lost_updates = Some("0".into()),
            &[(ModelId::Threads, "none"), (ModelId::Procs, "none")],
        );
    }

    #[test]
    fn transfer_predictions_pick_the_fastest_hand_over() {
        for via in ["copy", "move", "shared"] {
            every_answer(
                &format!("w=transfer&via={via}&models=seq,threads,gil,procs,fork"),
                |r| {
                    r.median_ms = Some(match r.model {
                        ModelId::Threads => 10.0,
                        ModelId::Procs => 30.0,
                        _ => 40.0,
                    })
                },
                &[(ModelId::Threads, "fastest")],
            );
        }
    }

    #[test]
    fn failure_predictions_read_what_came_back() {
        every_answer(
            "w=failure&tasks=4&fail_at=2&models=seq,async,threads,gil,procs,fork,hybrid",
            |r| {
                let text = if r.model.is_thread_model() {
                    ""
                } else {
                    " — reported by process 0 as text"
                };
                r.errors = vec![crate::models::TaskError {
                    task: 2,
                    message: format!("task 2 failed on purpose{text}"),
                }];
            },
            &[
                (ModelId::Seq, "error"),
                (ModelId::Async, "error"),
                (ModelId::Threads, "error"),
                (ModelId::Gil, "error"),
                (ModelId::Procs, "text"),
                (ModelId::Fork, "text"),
                (ModelId::Hybrid, "text"),
            ],
        );
    }

    #[test]
    fn a_result_that_cannot_tell_leaves_a_prediction_unjudged() {
        let (cfg, report) = report("w=cpu&models=seq,threads,gil", |r| {
            r.speedup = Some(1.0);
            if r.model == ModelId::Threads {
                r.suspect = Some("above what 2 cores allow".into());
            }
            if r.model == ModelId::Gil {
                r.correct = false;
            }
        });
        let q = question(&cfg, 2).unwrap();
        for ask in &q.asks {
            let p = ask.predict("same", Confidence::Guessing).unwrap();
            let judged = judge(&cfg.workload, &report.results, &[p]);
            assert_eq!(judged[0].right, None);
            let words = explain(&cfg.workload, 2, &q, &report.results, &judged[0]);
            assert!(
                words.ends_with("so it cannot say whether you were right."),
                "{words}"
            );
        }
    }
}
