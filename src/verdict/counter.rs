//! Lesson 5 (`counter`): a shared counter, and the updates lost when a
//! read and its write are not one step.

use crate::models::ModelId;
use crate::predict::{Ask, Choice, Prediction, Question};
use crate::report::{Interleaving, ModelResult};
use crate::workloads::counter::{Counter, CounterSync};

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

// ---- predictions ----

/// For each model but the baseline: how many of the updates it loses.
pub(super) fn question(c: &Counter, models: &[ModelId]) -> Question {
    let asks = models
        .iter()
        .filter(|m| **m != ModelId::Seq)
        .map(|&model| Ask::Model {
            model,
            choices: vec![
                Choice {
                    id: "none",
                    words: "none: every increment counts".into(),
                },
                Choice {
                    id: "some",
                    words: "some".into(),
                },
                Choice {
                    id: "most",
                    words: "most of them".into(),
                },
            ],
        })
        .collect();
    Question {
        prompt: format!(
            "{} workers each add 1 to one shared counter {} times, with sync={}. Before you \
             run: how many updates will each model lose?",
            c.tasks,
            crate::format::group(c.increments),
            c.sync.id()
        ),
        asks,
    }
}

fn lost(r: &ModelResult) -> Option<u128> {
    r.lost_updates.as_deref()?.parse().ok()
}

/// None lost, some, or most (more than half of all the increments).
pub(super) fn band(c: &Counter, r: &ModelResult) -> Option<&'static str> {
    let lost = lost(r)?;
    let total = u128::from(c.tasks) * u128::from(c.increments);
    Some(match lost {
        0 => "none",
        n if n * 2 > total => "most",
        _ => "some",
    })
}

pub(super) fn explain(c: &Counter, p: &Prediction, said: &str, r: &ModelResult) -> String {
    let subject = super::cpu::subject(p.model);
    let Some(measured) = band(c, r) else {
        return format!(
            "You expected {subject} to lose {said}; the run did not count its updates."
        );
    };
    let n = lost(r).unwrap_or(0);
    let count = if n == 0 {
        "none was lost".to_string()
    } else {
        format!("{} were lost", crate::format::group(n as u64))
    };
    let gap = if measured == p.choice {
        format!("{count}, as you said")
    } else {
        count
    };
    let why = match (c.sync, p.model, n) {
        (_, ModelId::Async, 0) => {
            "a coroutine is never interrupted between its read and its write: only an await \
             there would let another in"
        }
        (CounterSync::Racy, _, 0) => {
            "the race is there, but this run was lucky: `value += 1` still reads, then writes"
        }
        (CounterSync::Racy, ModelId::Gil | ModelId::OldGil, _) => {
            "the GIL can pass to another thread between the read and the write of `value += 1`, \
             and that thread's update is then overwritten"
        }
        (CounterSync::Racy, _, _) => {
            "`value += 1` reads, then writes: another worker's write in between is overwritten, \
             and nobody is told"
        }
        (CounterSync::Locked, _, 0) => "the lock makes the read and the write one step",
        (CounterSync::Atomic, _, 0) => "an atomic add is one indivisible step in hardware",
        (CounterSync::Messages, _, 0) => {
            "nothing is shared: each worker counts alone and sends its total"
        }
        _ => "updates were lost where none should be",
    };
    format!("You expected {subject} to lose {said}; {gap}: {why}.")
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
