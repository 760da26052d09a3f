//! Lesson 5 (`counter`): a shared counter, and the updates lost when a
//! read and its write are not one step.

use crate::models::ModelId;
use crate::report::ModelResult;
use crate::workloads::counter::CounterSync;

pub(super) fn verdict(sync: CounterSync, r: &ModelResult) -> String {
    let lost: u128 = r
        .lost_updates
        .as_deref()
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    match (sync, lost, r.model) {
        (_, 0, ModelId::Seq) => "all counted: one worker cannot race itself".to_string(),
        (_, 0, ModelId::Async) => {
            "all counted: a coroutine is never interrupted between its read and its write — \
            no pre-emption, so no lost update (only an await there would let another coroutine in)"
                .to_string()
        }
        (CounterSync::Racy, 0, _) => {
            "none lost this time, but the race is there: try more increments or tasks".to_string()
        }
        (CounterSync::Racy, n, _) => format!(
            "{n} updates lost: `value += 1` reads, then writes, and another worker wrote in between"
        ),
        (CounterSync::Locked, 0, _) => {
            "all counted: the lock makes read-and-write one step, at the cost of waiting for it"
                .to_string()
        }
        (CounterSync::Atomic, 0, _) => "all counted: one indivisible add in hardware".to_string(),
        (CounterSync::Messages, 0, _) => {
            "all counted: nothing shared; each worker counted alone and sent its total".to_string()
        }
        (_, n, _) => format!("{n} updates lost where none should be"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::{result, verdict};
    use crate::workloads::counter::Counter;
    use crate::workloads::Workload;

    #[test]
    fn lost_updates_are_counted_and_explained() {
        let racy = Workload::default_for("counter").unwrap();
        let mut r = result(ModelId::Threads, 1.0, 2);
        r.lost_updates = Some("1234".into());
        assert!(verdict(&racy, 2, &[], &r).starts_with("1234 updates lost"));
    }

    #[test]
    fn a_coroutine_is_never_interrupted_between_read_and_write() {
        let racy = Workload::Counter(Counter::new(4, 1000, CounterSync::Racy));
        let mut counted = result(ModelId::Async, 1.0, 1);
        counted.lost_updates = Some("0".into());
        assert!(verdict(&racy, 2, &[], &counted).contains("never interrupted"));
    }
}
