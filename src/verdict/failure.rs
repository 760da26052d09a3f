//! Lesson 7 (`failure`): one task fails; what a model keeps of its error,
//! then the CPU-bound sentence for the rest of the run.

use crate::models::ModelId;
use crate::predict::{Ask, Choice, Prediction, Question};
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

// ---- predictions ----

/// For each model: what the parent learns of the task that failed.
pub(super) fn question(fail_at: u32, models: &[ModelId]) -> Question {
    let asks = models
        .iter()
        .map(|&model| Ask::Model {
            model,
            choices: vec![
                Choice {
                    id: "error",
                    words: "the error itself, with where it was raised".into(),
                },
                Choice {
                    id: "text",
                    words: "only a text describing it".into(),
                },
                Choice {
                    id: "nothing",
                    words: "nothing: the failure is lost".into(),
                },
            ],
        })
        .collect();
    Question {
        prompt: format!(
            "Task {fail_at} fails halfway. Before you run: what does the parent learn of its \
             failure, under each model?"
        ),
        asks,
    }
}

/// What came back of the failure: the error as a value, only its text
/// (a process says so in the message), or nothing.
pub(super) fn band(fail_at: u32, r: &ModelResult) -> &'static str {
    match r.errors.iter().find(|e| e.task == fail_at) {
        Some(e) if e.message.contains("as text") => "text",
        Some(_) => "error",
        None => "nothing",
    }
}

pub(super) fn explain(fail_at: u32, p: &Prediction, said: &str, r: &ModelResult) -> String {
    let subject = super::cpu::subject(p.model);
    let measured = band(fail_at, r);
    let got = match measured {
        "text" => "only its text came back",
        "error" => "the error came back as a value, with where it was raised",
        _ => "nothing came back",
    };
    let gap = if measured == p.choice {
        format!("{got}, as you said")
    } else {
        got.to_string()
    };
    let why = match measured {
        "text" => {
            "a process can only send bytes, so its error crosses as a description, as a \
             pickled traceback would"
        }
        "error" => {
            "a thread's failure stays in memory its parent can read, so the error itself is \
             handed over"
        }
        _ => "the failing task did not report: that is a bug of the model, not the lesson",
    };
    format!("You expected {subject} to tell the parent {said}; {gap}: {why}.")
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
