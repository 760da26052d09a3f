//! Lesson 6 (`transfer`): what handing a buffer to a worker costs, by how
//! it goes (copied, moved or shared) and to what (a thread or a process).

use crate::format::times;
use crate::models::ModelId;
use crate::report::ModelResult;
use crate::workloads::transfer::Via;

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
