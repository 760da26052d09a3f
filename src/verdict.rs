//! Results in context: one sentence per model that says whether a figure is
//! what the lesson predicts, and why ("GIL threads: 1.02× — as expected, the
//! GIL serializes CPU-bound work").

use crate::format::times;
use crate::models::ModelId;
use crate::report::ModelResult;
use crate::workloads::counter::CounterSync;
use crate::workloads::transfer::Via;
use crate::workloads::Workload;

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

/// The sentence for `r`, given every model's result of the same run and the
/// machine's core count.
pub fn verdict(workload: &Workload, cores: u32, all: &[ModelResult], r: &ModelResult) -> String {
    if !r.correct {
        return "wrong result: the oracle disagrees, so its time means nothing".to_string();
    }
    if let Some(why) = &r.suspect {
        return format!("suspect, not a result: {why}");
    }
    let s = r.speedup;
    match workload {
        Workload::Cpu(_) | Workload::Squares(_) | Workload::Failure(_) => {
            let parallel = crate::report::hybrid_parallel(r, false).unwrap_or(r.workers);
            let ideal = (workload.tasks().min(parallel).min(cores.max(1))).max(1) as f64;
            let failed = match workload {
                Workload::Failure(f) => Some(failure_note(f.fail_at, r)),
                _ => None,
            };
            let speed = cpu_bound(r.model, s, ideal);
            match failed {
                Some(note) => format!("{note}; {speed}"),
                None => speed,
            }
        }
        Workload::Io(io) if io.convoy.is_some() => convoy(r.model).to_string(),
        Workload::Io(io) => {
            let ideal = workload.tasks().min(r.workers).max(1) as f64;
            match (r.model, s) {
                (ModelId::Seq, _) => "the baseline: each wait after the other".to_string(),
                (ModelId::Async, Some(s)) => event_loop_io(s, workload.tasks(), io.cpu_n),
                (ModelId::Gil | ModelId::OldGil, Some(s)) if io.cpu_n == 0 && s >= 0.6 * ideal => format!(
                    "{} — as expected: a thread waiting on I/O releases the GIL, so the waits overlap",
                    times(s)
                ),
                (ModelId::Gil | ModelId::OldGil, Some(s)) if io.cpu_n > 0 => format!(
                    "{} — the waits overlap, but the CPU part after each wait still runs one thread at a time",
                    times(s)
                ),
                (_, Some(s)) if s >= 0.6 * ideal => format!(
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
        Workload::Spawn(_) => {
            const STEP: &str = "per_step_us";
            let Some(mine) = r.figure_us(STEP) else {
                return "no start was measured".to_string();
            };
            let what = match r.model {
                ModelId::Procs => "handing an empty task to the running pool and getting the reply",
                ModelId::Fork => {
                    "making a fresh process (a new wasm instance and memory) in a warm spare \
                     worker and ending it"
                }
                _ => "starting a thread (a worker joining the shared memory) and joining it",
            };
            // A ratio needs both steps timed: a step under the clock's
            // resolution is a bound, not a length.
            let timed = |m: &ModelResult| m.timed(STEP).then(|| m.figures[STEP]);
            let cheapest = all
                .iter()
                .filter(|o| o.model == ModelId::Procs)
                .find_map(timed)
                .filter(|p| *p > 0.0 && r.model != ModelId::Procs);
            let said = match (cheapest, timed(r)) {
                (Some(p), Some(v)) => format!(
                    "{mine} per step for {what} — {:.0}× the cost of using the pool: why pools exist",
                    v / p
                ),
                _ => format!("{mine} per step for {what}"),
            };
            // A fork is cheap only because its worker was started before:
            // that cold start is what a thread start pays every time here.
            match r
                .figures
                .get("cold_start_us")
                .filter(|_| r.model == ModelId::Fork)
            {
                Some(cold) => format!(
                    "{said}; each spare worker took {:.1} ms to start, cold, before it was needed",
                    cold / 1e3
                ),
                None => said,
            }
        }
        Workload::Counter(c) => {
            let lost: u128 = r
                .lost_updates
                .as_deref()
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            match (c.sync, lost, r.model) {
                (_, 0, ModelId::Seq) => "all counted: one worker cannot race itself".to_string(),
                (_, 0, ModelId::Async) => "all counted: a coroutine is never interrupted between its read and its write — \
                    no pre-emption, so no lost update (only an await there would let another coroutine in)".to_string(),
                (CounterSync::Racy, 0, _) => {
                    "none lost this time, but the race is there: try more increments or tasks".to_string()
                }
                (CounterSync::Racy, n, _) => format!(
                    "{n} updates lost: `value += 1` reads, then writes, and another worker wrote in between"
                ),
                (CounterSync::Locked, 0, _) => "all counted: the lock makes read-and-write one step, at the cost of waiting for it".to_string(),
                (CounterSync::Atomic, 0, _) => "all counted: one indivisible add in hardware".to_string(),
                (CounterSync::Messages, 0, _) => "all counted: nothing shared; each worker counted alone and sent its total".to_string(),
                (_, n, _) => format!("{n} updates lost where none should be"),
            }
        }
        Workload::Transfer(t) => {
            let how = match (r.model.is_thread_model(), t.via) {
                (true, Via::Copy) => "each thread copied the buffer inside the shared memory",
                (true, Via::Move) => "each thread took a buffer of its own, no copy",
                (true, Via::Shared) => "every thread read the one buffer where it lies",
                (false, Via::Copy) => {
                    "each process got its own copy: the sender wrote it and handed it over, like pickling"
                }
                (false, Via::Move) => {
                    "each buffer was transferred: no copy, and the sender lost it"
                }
                (false, Via::Shared) => {
                    "every process read one SharedArrayBuffer: no copy on the way"
                }
            };
            match s {
                Some(s) if r.model != ModelId::Seq => format!("{} — {how}", times(s)),
                _ => how.to_string(),
            }
        }
    }
}

fn event_loop_io(s: f64, tasks: u32, cpu_n: u64) -> String {
    let ideal = f64::from(tasks.max(1));
    let x = times(s);
    if cpu_n > 0 {
        format!(
            "{x} — the waits overlap on one thread, but while one coroutine computes the loop is blocked \
             and the ready ones wait (the timeline shows it)"
        )
    } else if s >= 0.8 * ideal {
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

fn failure_note(fail_at: u32, r: &ModelResult) -> String {
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

fn cpu_bound(model: ModelId, s: Option<f64>, ideal: f64) -> String {
    let Some(s) = s else {
        return match model {
            ModelId::Seq => "the baseline".to_string(),
            _ => "run seq too to see the speedup".to_string(),
        };
    };
    let x = times(s);
    match model {
        ModelId::Seq => "the baseline: one task after the other".to_string(),
        ModelId::Async if (0.85..=1.15).contains(&s) => format!(
            "{x} — as expected: concurrency is not parallelism; the coroutines take turns on one thread and none awaits"
        ),
        ModelId::Async if s < 0.85 => format!("{x} — slower than one thread: the event loop's bookkeeping costs time"),
        ModelId::Async => format!("{x} — faster than one thread can be; the machine may have been busy during seq"),
        ModelId::Gil if (0.85..=1.15).contains(&s) => {
            format!("{x} — as expected, the GIL serializes CPU-bound work")
        }
        ModelId::Gil if s < 0.85 => format!("{x} — slower than one thread: handing the GIL back and forth costs time"),
        ModelId::Gil => format!("{x} — faster than GIL threads should be; the machine may have been busy during seq"),
        ModelId::OldGil if s < 1.0 => format!(
            "{x} — slower than one thread, as in CPython 2: the holder keeps retaking the GIL while the others wake for nothing (the convoy effect)"
        ),
        ModelId::OldGil => format!("{x} — one thread's speed: the old GIL still lets one thread run at a time"),
        _ => {
            let start = match model {
                ModelId::Fork => " (it also pays for starting a process per task)",
                ModelId::Hybrid => " (processes × threads; under a GIL in each process, one thread of each computes at a time)",
                _ => "",
            };
            if s >= 0.8 * ideal {
                format!("{x} — as expected: {ideal:.0} cores work at once (ideal {}){start}", times(ideal))
            } else if s >= 1.2 {
                format!(
                    "{x} — faster than one, short of the ideal {}{start}: other work on the machine or short tasks eat the gain",
                    times(ideal)
                )
            } else {
                format!("{x} — no gain over one thread{start}; with {ideal:.0} free cores this should reach {}", times(ideal))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::TaskError;

    fn result(model: ModelId, speedup: f64, workers: u32) -> ModelResult {
        ModelResult {
            median_ms: Some(1.0),
            speedup: Some(speedup),
            correct: true,
            ..ModelResult::of_samples(model, workers, vec![])
        }
    }

    #[test]
    fn the_event_loop_gets_its_own_sentences() {
        let io = Workload::Io(crate::workloads::io::Io {
            tasks: 8,
            wait_ms: 50.0,
            cpu_n: 0,
            convoy: None,
        });
        let r = result(ModelId::Async, 7.6, 1);
        assert!(verdict(&io, 2, &[], &r).contains("all 8 coroutines await at once"));
        let racy = Workload::Counter(crate::workloads::counter::Counter::new(
            4,
            1000,
            CounterSync::Racy,
        ));
        let mut counted = result(ModelId::Async, 1.0, 1);
        counted.lost_updates = Some("0".into());
        assert!(verdict(&racy, 2, &[], &counted).contains("never interrupted"));
        let cpu = Workload::default_for("cpu").unwrap();
        assert!(verdict(&cpu, 2, &[], &result(ModelId::Async, 1.0, 1))
            .contains("concurrency is not parallelism"));
    }

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
    fn cpu_bound_sentences_follow_the_lesson() {
        let w = Workload::default_for("cpu").unwrap();
        let v = |m, s| verdict(&w, 2, &[], &result(m, s, 2));
        assert!(v(ModelId::Gil, 1.02).contains("as expected, the GIL serializes"));
        assert!(v(ModelId::OldGil, 0.8).contains("convoy effect"));
        assert!(v(ModelId::Threads, 1.9).contains("as expected: 2 cores work at once"));
        assert!(v(ModelId::Procs, 1.3).contains("short of the ideal 2.00×"));
        assert!(v(ModelId::Fork, 1.0).contains("no gain"));
        let mut wrong = result(ModelId::Threads, 2.0, 2);
        wrong.correct = false;
        assert!(verdict(&w, 2, &[], &wrong).starts_with("wrong result"));
    }

    #[test]
    fn io_counter_spawn_failure_and_transfer_have_their_own_words() {
        let io = Workload::default_for("io").unwrap();
        assert!(verdict(&io, 2, &[], &result(ModelId::Gil, 7.6, 8)).contains("releases the GIL"));

        let racy = Workload::default_for("counter").unwrap();
        let mut r = result(ModelId::Threads, 1.0, 2);
        r.lost_updates = Some("1234".into());
        assert!(verdict(&racy, 2, &[], &r).starts_with("1234 updates lost"));

        let spawn = Workload::default_for("spawn").unwrap();
        let mut pool = result(ModelId::Procs, 1.0, 2);
        pool.figures.insert("per_step_us".into(), 100.0);
        let mut fork = result(ModelId::Fork, 1.0, 1);
        fork.figures.insert("per_step_us".into(), 20_000.0);
        let all = vec![pool.clone(), fork.clone()];
        assert!(verdict(&spawn, 2, &all, &fork).contains("200× the cost of using the pool"));
        fork.figures.insert("cold_start_us".into(), 26_000.0);
        assert!(verdict(&spawn, 2, &all, &fork).ends_with(
            "why pools exist; each spare worker took 26.0 ms to start, cold, before it was needed"
        ));

        // On a 1 ms clock (Firefox, not isolated) a pool's 100 µs step reads
        // 0 or 1000 µs: a bound, and no ratio is drawn from it.
        let mut coarse = vec![pool, fork];
        coarse[0].figures.insert("per_step_us".into(), 0.0);
        crate::report::derive_stats(&mut coarse, Some(1.0));
        assert_eq!(
            verdict(&spawn, 2, &coarse, &coarse[0]),
            "under 2000 µs per step for handing an empty task to the running pool and getting \
             the reply"
        );
        assert!(verdict(&spawn, 2, &coarse, &coarse[1])
            .starts_with("20000 µs per step for making a fresh process"));
        assert!(!verdict(&spawn, 2, &coarse, &coarse[1]).contains("× the cost"));

        let failure = Workload::default_for("failure").unwrap();
        let mut f = result(ModelId::Procs, 1.8, 2);
        f.errors = vec![TaskError {
            task: 2,
            message: "boom".into(),
        }];
        assert!(
            verdict(&failure, 2, &[], &f).starts_with("task 2 failed and only its text crossed")
        );

        let transfer = Workload::default_for("transfer").unwrap();
        assert!(
            verdict(&transfer, 2, &[], &result(ModelId::Procs, 0.5, 2)).contains("like pickling")
        );
    }
}
