//! Lesson 5 (`counter`): a shared counter, and the updates lost when a
//! read and its write are not one step.

use crate::models::ModelId;
use crate::report::{Interleaving, ModelResult};
use crate::workloads::counter::CounterSync;

pub(super) fn verdict(sync: CounterSync, r: &ModelResult, trace: Option<&Interleaving>) -> String {
    let sentence = counted(sync, r);
    match trace.and_then(Interleaving::first_lost) {
        Some(l) if sync == CounterSync::Racy => {
            let w = l.write.worker;
            let switch = if l.write.switched {
                format!(" (the GIL passed to another thread between w{w}'s read and its write)")
            } else {
                String::new()
            };
            format!("{sentence}; in the traced run, {}{switch}", l.words())
        }
        _ => sentence,
    }
}

/// What the final count says.
fn counted(sync: CounterSync, r: &ModelResult) -> String {
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
    fn the_first_lost_update_of_the_trace_is_told() {
        use crate::interleaving::Event;
        use crate::verdict::verdict_with_trace;
        let racy = Workload::default_for("counter").unwrap();
        let mut r = result(ModelId::Gil, 1.0, 2);
        r.lost_updates = Some("1000".into());
        let trace = [
            Event::read(0, 999, 10),
            Event::read(1, 1998, 1008),
            Event::write(1, 1999, 1998, 1009),
            Event {
                switched: true,
                ..Event::write(0, 1000, 1999, 1010)
            },
        ];
        let seen = Interleaving::of_trace(ModelId::Gil, &trace);
        assert_eq!((seen.events, seen.lost), (4, 1));
        let v = verdict_with_trace(&racy, 2, &[], &r, Some(&seen));
        assert!(v.starts_with("1000 updates lost"), "{v}");
        assert!(
            v.ends_with(
                "; in the traced run, w0 wrote 1000 over w1's 1999: 1,000 updates lost \
                 (the GIL passed to another thread between w0's read and its write)"
            ),
            "{v}"
        );
        // Without a trace, or with one that lost nothing, the sentence alone.
        assert_eq!(
            verdict_with_trace(&racy, 2, &[], &r, None),
            verdict(&racy, 2, &[], &r)
        );
        let calm = Interleaving::of_trace(ModelId::Gil, &trace[..1]);
        assert_eq!(
            verdict_with_trace(&racy, 2, &[], &r, Some(&calm)),
            verdict(&racy, 2, &[], &r)
        );
    }

    #[test]
    fn a_coroutine_is_never_interrupted_between_read_and_write() {
        let racy = Workload::Counter(Counter::new(4, 1000, CounterSync::Racy));
        let mut counted = result(ModelId::Async, 1.0, 1);
        counted.lost_updates = Some("0".into());
        assert!(verdict(&racy, 2, &[], &counted).contains("never interrupted"));
    }
}
