//! Lesson 7 (`failure`): one task fails; what a model keeps of its error,
//! then the CPU-bound sentence for the rest of the run.

use crate::report::ModelResult;
use crate::workloads::Workload;

/// Task `fail_at` should have failed: whether it said so, and how, before
/// the speedup of the tasks that finished.
pub(super) fn verdict(workload: &Workload, fail_at: u32, cores: u32, r: &ModelResult) -> String {
    let speed = super::cpu::verdict(workload, cores, r);
    format!("{}; {speed}", note(fail_at, r))
}

fn note(fail_at: u32, r: &ModelResult) -> String {
    let kept = if r.model.is_thread_model() {
        "its error kept the message and where it was raised"
    } else {
        "only its text crossed back from the process"
    };
    match r.errors.first() {
        Some(e) if e.task == fail_at => {
            format!("task {fail_at} failed and {kept}; the others finished")
        }
        _ => "the failing task did not report".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::models::{ModelId, TaskError};
    use crate::verdict::{result, verdict};
    use crate::workloads::Workload;

    #[test]
    fn a_process_sends_back_only_the_text_of_its_error() {
        let failure = Workload::default_for("failure").unwrap();
        let mut f = result(ModelId::Procs, 1.8, 2);
        f.errors = vec![TaskError {
            task: 2,
            message: "boom".into(),
        }];
        assert!(
            verdict(&failure, 2, &[], &f).starts_with("task 2 failed and only its text crossed")
        );
        let mut thread = result(ModelId::Threads, 1.8, 2);
        thread.errors = f.errors.clone();
        assert!(verdict(&failure, 2, &[], &thread).contains("kept the message"));
        assert!(verdict(&failure, 2, &[], &result(ModelId::Procs, 1.8, 2))
            .starts_with("the failing task did not report"));
    }
}
