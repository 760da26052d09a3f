//! Lesson 3 (`io`): waits overlap on any number of cores, under the GIL
//! and on one event loop too; and the convoy, where a task that answers
//! requests shares the workers with tasks that compute.

use crate::format::times;
use crate::models::ModelId;
use crate::predict::{Ask, Choice, Prediction, Question};
use crate::report::ModelResult;
use crate::workloads::io::Io;

/// The share of the ideal overlap from which workers' waits are "as
/// expected"; an event loop, which starts no workers, is held to more.
const OVERLAP: f64 = 0.6;
const LOOP_OVERLAP: f64 = 0.8;

/// The speedups [`verdict`] calls as expected; none for the convoy, whose
/// measure is a response time, nor where a CPU part follows the waits and
/// the verdict names no figure.
pub(super) fn expected_band(io: &Io, r: &ModelResult) -> Option<(f64, f64)> {
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
            let ideal = f64::from(ideal(io, r));
            Some((OVERLAP * ideal, ideal))
        }
    }
}

pub(super) fn verdict(io: &Io, r: &ModelResult) -> String {
    if io.convoy.is_some() {
        return convoy(r.model).to_string();
    }
    let ideal = f64::from(ideal(io, r));
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

// ---- predictions ----

/// For each model but the baseline: how many times faster than one task
/// after another, up to `workers(model)` waits at once.
pub(super) fn question(io: &Io, models: &[ModelId], workers: impl Fn(ModelId) -> u32) -> Question {
    let asks = models
        .iter()
        .filter(|m| **m != ModelId::Seq)
        .map(|&model| {
            let n = io.tasks.min(workers(model)).max(1);
            let mut choices = vec![Choice {
                id: "one",
                words: "no faster than one after another (about 1×)".into(),
            }];
            if n > 2 {
                choices.push(Choice {
                    id: "some",
                    words: format!("faster, but less than {n}×"),
                });
            }
            if n > 1 {
                choices.push(Choice {
                    id: "all",
                    words: format!("about {n}× faster: every wait overlaps"),
                });
            }
            Ask::Model { model, choices }
        })
        .collect();
    let cpu = if io.cpu_n > 0 {
        ", then compute a little"
    } else {
        ""
    };
    Question {
        prompt: format!(
            "{} tasks each wait {} ms{cpu}. Before you run: how many times faster than one \
             after another will each model be?",
            io.tasks,
            crate::format::decimal(io.wait_ms)
        ),
        asks,
    }
}

/// The most waits `r` could overlap: one per worker and task, and on an
/// event loop one per task.
fn ideal(io: &Io, r: &ModelResult) -> u32 {
    let workers = if r.model == ModelId::Async {
        io.tasks
    } else {
        r.workers
    };
    io.tasks.min(workers).max(1)
}

/// The question's answer a speedup bears out, for `r`'s workers.
pub(super) fn band(io: &Io, r: &ModelResult) -> Option<&'static str> {
    let s = r.speedup?;
    let n = f64::from(ideal(io, r));
    Some(if n >= 2.0 && s >= 0.6 * n {
        "all"
    } else if s < 1.5 {
        "one"
    } else {
        "some"
    })
}

pub(super) fn explain(io: &Io, p: &Prediction, said: &str, r: &ModelResult) -> String {
    let subject = super::cpu::subject(p.model);
    let (Some(s), Some(measured)) = (r.speedup, band(io, r)) else {
        return format!("You expected {subject} to be {said}; run seq too to see how fast it was.");
    };
    let n = ideal(io, r);
    let gap = if measured == p.choice {
        format!("the run measured {}, as you said", times(s))
    } else {
        let what = match measured {
            "all" => format!("close to {n}×"),
            "one" => "about one after another".to_string(),
            _ => format!("short of {n}×"),
        };
        format!("the run measured {}, {what}", times(s))
    };
    let why = match (p.model, measured) {
        (ModelId::Gil | ModelId::OldGil, _) if io.cpu_n > 0 => {
            "the waits overlap, but the CPU part after each wait runs one thread at a time under \
             the GIL"
                .to_string()
        }
        (ModelId::Gil | ModelId::OldGil, "all") => {
            "a thread waiting on I/O lets go of the GIL, so the waits overlap even under it"
                .to_string()
        }
        (ModelId::Async, _) if io.cpu_n > 0 => {
            "the waits overlap on one thread, but while one coroutine computes the loop is \
             blocked and the ready ones wait"
                .to_string()
        }
        (ModelId::Async, "all") => {
            "every coroutine awaits at once on one thread: concurrency without parallelism"
                .to_string()
        }
        (_, "all") => format!("its {n} workers wait at once, on any number of cores"),
        _ => format!(
            "the waits overlapped less than {n} at a time: starting workers or the CPU part took \
             its share"
        ),
    };
    format!("You expected {subject} to be {said}; {gap}: {why}.")
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
