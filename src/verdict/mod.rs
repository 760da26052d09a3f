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

    #[test]
    fn a_wrong_result_has_no_time_to_speak_of() {
        let w = Workload::default_for("cpu").unwrap();
        let mut wrong = result(ModelId::Threads, 2.0, 2);
        wrong.correct = false;
        assert!(verdict(&w, 2, &[], &wrong).starts_with("wrong result"));
    }
}
