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

use crate::report::ModelResult;
use crate::workloads::Workload;

/// The sentence for `r`, given every model's result of the same run and the
/// machine's core count.
pub fn verdict(workload: &Workload, cores: u32, all: &[ModelResult], r: &ModelResult) -> String {
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
        Workload::Counter(c) => counter::verdict(c.sync, r),
        Workload::Transfer(t) => transfer::verdict(t.via, r),
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
            cpu::band(workload, cores, r)
        }
        Workload::Io(io) => io::band(io, r),
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
}
