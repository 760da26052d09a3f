//! Lesson 6 (`transfer`): what handing a buffer to a worker costs, by how
//! it goes (copied, moved or shared) and to what (a thread or a process).

use crate::format::times;
use crate::models::ModelId;
use crate::predict::{Ask, Choice, Prediction, Question};
use crate::report::ModelResult;
use crate::workloads::transfer::{Transfer, Via};

pub(super) fn verdict(via: Via, r: &ModelResult) -> String {
    let how = match (r.model.is_thread_model(), via) {
        (true, Via::Copy) => "each thread copied the buffer inside the shared memory",
        (true, Via::Move) => "each thread took a buffer of its own, no copy",
        (true, Via::Shared) => "every thread read the one buffer where it lies",
        (false, Via::Copy) => {
            "each process got its own copy: the sender wrote it and handed it over, like pickling"
        }
        (false, Via::Move) => "each buffer was transferred: no copy, and the sender lost it",
        (false, Via::Shared) => "every process read one SharedArrayBuffer: no copy on the way",
    };
    match r.speedup {
        Some(s) if r.model != ModelId::Seq => format!("{} — {how}", times(s)),
        _ => how.to_string(),
    }
}

// ---- predictions ----

/// Which model hands the data over fastest: a question only where there
/// are two to compare.
pub(super) fn question(t: &Transfer, models: &[ModelId]) -> Option<Question> {
    if models.len() < 2 {
        return None;
    }
    let size = crate::format::bytes(t.len_bytes());
    Some(Question {
        prompt: format!(
            "{} workers each get {size} with via={}. Before you run: which model hands the \
             data over and reads it fastest?",
            t.tasks,
            t.via.id()
        ),
        asks: vec![Ask::Pick {
            choice: Choice {
                id: "fastest",
                words: format!("hands {size} over fastest"),
            },
            legend: format!("Which hands {size} over fastest?"),
            models: models.to_vec(),
        }],
    })
}

/// The model with the shortest run, among those that were right.
pub(super) fn pick(all: &[ModelResult]) -> Option<ModelId> {
    all.iter()
        .filter(|r| r.correct)
        .filter_map(|r| r.median_ms.map(|ms| (r.model, ms)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(m, _)| m)
}

pub(super) fn explain(t: &Transfer, all: &[ModelResult], p: &Prediction) -> String {
    let subject = super::cpu::subject;
    let Some(actual) = pick(all) else {
        return format!(
            "You picked {} to hand the data over fastest; no model finished with a right result.",
            subject(p.model)
        );
    };
    let ms = |m: ModelId| {
        all.iter()
            .find(|r| r.model == m)
            .and_then(|r| r.median_ms)
            .map_or("no time".into(), crate::format::ms)
    };
    let why = match (actual.is_thread_model(), t.via) {
        (true, _) => {
            "threads read the one memory they share, so the buffer barely moves, whatever the via"
        }
        (false, Via::Copy) => {
            "even a copy to a process ran fastest here: several cores checked their shares at once"
        }
        (false, Via::Move) => "a move hands a process the buffer without copying it on the way",
        (false, Via::Shared) => {
            "a SharedArrayBuffer lets every process read the one buffer where it lies"
        }
    };
    if actual == p.model {
        format!(
            "You picked {} to hand the data over fastest, as the run found ({}): {why}.",
            subject(p.model),
            ms(actual)
        )
    } else {
        format!(
            "You picked {} to hand the data over fastest ({}); {} did ({}): {why}.",
            subject(p.model),
            ms(p.model),
            subject(actual),
            ms(actual)
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::models::ModelId;
    use crate::verdict::{result, verdict};
    use crate::workloads::Workload;

    #[test]
    fn a_copy_to_a_process_is_pickling() {
        let transfer = Workload::default_for("transfer").unwrap();
        assert!(
            verdict(&transfer, 2, &[], &result(ModelId::Procs, 0.5, 2)).contains("like pickling")
        );
        assert!(verdict(&transfer, 2, &[], &result(ModelId::Seq, 1.0, 1))
            .starts_with("each thread copied"));
    }
}
