//! Lesson 3 (`io`): waits overlap on any number of cores, under the GIL
//! and on one event loop too; and the convoy, where a task that answers
//! requests shares the workers with tasks that compute.

use crate::format::times;
use crate::models::ModelId;
use crate::report::ModelResult;
use crate::workloads::io::Io;

/// The share of the ideal overlap from which workers' waits are "as
/// expected"; an event loop, which starts no workers, is held to more.
const OVERLAP: f64 = 0.6;
const LOOP_OVERLAP: f64 = 0.8;

/// Waits overlap up to one per worker and task.
fn ideal(io: &Io, r: &ModelResult) -> f64 {
    io.tasks.min(r.workers).max(1) as f64
}

/// The speedups [`verdict`] calls as expected; none for the convoy, whose
/// measure is a response time, nor where a CPU part follows the waits and
/// the verdict names no figure.
pub(super) fn band(io: &Io, r: &ModelResult) -> Option<(f64, f64)> {
    if io.convoy.is_some() || io.cpu_n > 0 {
        return None;
    }
    match r.model {
        ModelId::Seq => None,
        ModelId::Async => {
            let ideal = f64::from(io.tasks.max(1));
            Some((LOOP_OVERLAP * ideal, ideal))
        }
        _ => {
            let ideal = ideal(io, r);
            Some((OVERLAP * ideal, ideal))
        }
    }
}

pub(super) fn verdict(io: &Io, r: &ModelResult) -> String {
    if io.convoy.is_some() {
        return convoy(r.model).to_string();
    }
    let ideal = ideal(io, r);
    match (r.model, r.speedup) {
        (ModelId::Seq, _) => "the baseline: each wait after the other".to_string(),
        (ModelId::Async, Some(s)) => event_loop(s, io.tasks, io.cpu_n),
        (ModelId::Gil | ModelId::OldGil, Some(s)) if io.cpu_n == 0 && s >= OVERLAP * ideal => format!(
            "{} — as expected: a thread waiting on I/O releases the GIL, so the waits overlap",
            times(s)
        ),
        (ModelId::Gil | ModelId::OldGil, Some(s)) if io.cpu_n > 0 => format!(
            "{} — the waits overlap, but the CPU part after each wait still runs one thread at a time",
            times(s)
        ),
        (_, Some(s)) if s >= OVERLAP * ideal => format!(
            "{} — the waits overlap: {} workers wait at once (ideal {})",
            times(s),
            r.workers,
            times(ideal)
        ),
        (_, Some(s)) => format!(
            "{} — less overlap than the ideal {}: starting workers or the CPU part takes its share",
            times(s),
            times(ideal)
        ),
        (_, None) => "run seq too to see the speedup".to_string(),
    }
}

/// What each model does to the convoy's answers; the figures are in the
/// convoy chart, per switch interval.
fn convoy(model: ModelId) -> &'static str {
    match model {
        ModelId::Seq => {
            "the baseline: the answering task runs before the others, so no request meets \
             competing work"
        }
        ModelId::Gil => {
            "each answer waits for the GIL: the answering thread gave it up to wait, and gets it \
             back only after about one switch interval, when it asks the computing thread to let go"
        }
        ModelId::OldGil => {
            "the answering thread gets the GIL back only when a computing task ends or waits: \
             answers wait for whole computations"
        }
        ModelId::Async => {
            "a request that arrives while a coroutine computes waits for the whole computation: \
             nothing interrupts a coroutine between two awaits"
        }
        _ => "answers come at once: the answering worker runs beside the computing ones",
    }
}

fn event_loop(s: f64, tasks: u32, cpu_n: u64) -> String {
    let ideal = f64::from(tasks.max(1));
    let x = times(s);
    if cpu_n > 0 {
        format!(
            "{x} — the waits overlap on one thread, but while one coroutine computes the loop is blocked \
             and the ready ones wait (the timeline shows it)"
        )
    } else if s >= LOOP_OVERLAP * ideal {
        format!(
            "{x} — as expected: all {tasks} coroutines await at once on one thread (ideal {}); concurrency without parallelism",
            times(ideal)
        )
    } else {
        format!(
            "{x} — less overlap than the ideal {}: the loop's own work takes its share",
            times(ideal)
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::models::ModelId;
    use crate::verdict::{result, verdict};
    use crate::workloads::{io::Io, Workload};

    #[test]
    fn the_event_loop_gets_its_own_sentences() {
        let io = Workload::Io(Io {
            tasks: 8,
            wait_ms: 50.0,
            cpu_n: 0,
            convoy: None,
        });
        let r = result(ModelId::Async, 7.6, 1);
        assert!(verdict(&io, 2, &[], &r).contains("all 8 coroutines await at once"));
    }

    #[test]
    fn a_thread_waiting_on_io_lets_go_of_the_gil() {
        let io = Workload::default_for("io").unwrap();
        assert!(verdict(&io, 2, &[], &result(ModelId::Gil, 7.6, 8)).contains("releases the GIL"));
    }

    #[test]
    fn the_convoy_says_what_each_model_does_to_the_answers() {
        let convoy = Workload::Io(Io {
            convoy: Some(20),
            ..Io::default()
        });
        assert!(verdict(&convoy, 2, &[], &result(ModelId::Gil, 1.0, 3))
            .starts_with("each answer waits for the GIL"));
        assert!(verdict(&convoy, 2, &[], &result(ModelId::Procs, 1.0, 3))
            .starts_with("answers come at once"));
    }
}
