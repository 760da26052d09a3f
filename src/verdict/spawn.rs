//! Lesson 4 (`spawn`): what one start costs, set against handing a task to
//! a pool that is already running.

use crate::models::ModelId;
use crate::predict::{Ask, Choice, Prediction, Question};
use crate::report::ModelResult;

const STEP: &str = "per_step_us";

/// `r`'s cost per start, set against a thread start and, for a process,
/// against handing a task to a pool that is already running.
pub(super) fn verdict(all: &[ModelResult], r: &ModelResult) -> String {
    let Some(mine) = r.figure_us(STEP) else {
        return "no start was measured".to_string();
    };
    let what = match r.model {
        ModelId::Procs => "handing an empty task to the running pool and getting the reply",
        ModelId::Fork => {
            "making a fresh process (a new wasm instance and memory) in a warm spare \
             worker and ending it"
        }
        _ => {
            "starting a thread (an empty function handed to a worker parked on the shared \
             memory) and joining it"
        }
    };
    // A ratio needs both steps timed: a step under the clock's
    // resolution is a bound, not a length.
    let timed = |m: &ModelResult| m.timed(STEP).then(|| m.figures[STEP]);
    let cheapest = |of: fn(ModelId) -> bool| {
        all.iter()
            .filter(|o| of(o.model))
            .filter_map(timed)
            .filter(|v| *v > 0.0)
            .reduce(f64::min)
    };
    let thread = cheapest(ModelId::is_thread_model);
    let pool = cheapest(|m| m == ModelId::Procs);
    let mut said = format!("{mine} per step for {what}");
    if let (ModelId::Fork, Some(v)) = (r.model, timed(r)) {
        let mut against = Vec::new();
        if let Some(t) = thread {
            against.push(format!(
                "{:.0}× a thread start: a process needs a memory and a runtime of its own",
                v / t
            ));
        }
        if let Some(p) = pool {
            against.push(format!(
                "{:.0}× the cost of using the pool: why pools exist",
                v / p
            ));
        }
        if !against.is_empty() {
            said = format!("{said} — {}", against.join("; "));
        }
    }
    // A fork or a thread is quick only because its worker was started
    // before: that cold start is what a browser pays for any new worker.
    let cold = r.figures.get("cold_start_us").map(|us| us / 1e3);
    match (r.model, cold) {
        (ModelId::Fork, Some(cold)) => format!(
            "{said}; each spare worker took {cold:.1} ms to start, cold, before it was needed"
        ),
        (m, Some(cold)) if m.is_thread_model() => format!(
            "{said}; each parked worker took {cold:.1} ms to start, cold, before it was needed \
             (a browser has no cheaper thread)"
        ),
        _ => said,
    }
}

// ---- predictions ----

const FASTEST: &str = "fastest";
const SLOWEST: &str = "slowest";

/// Which of the models starts fastest, and which slowest: a question only
/// where there are two to compare.
pub(super) fn question(models: &[ModelId]) -> Option<Question> {
    if models.len() < 2 {
        return None;
    }
    let pick = |id: &'static str, words: &str, legend: &str| Ask::Pick {
        choice: Choice {
            id,
            words: words.into(),
        },
        legend: legend.into(),
        models: models.to_vec(),
    };
    Some(Question {
        prompt: "Each model starts a worker, runs nothing in it and waits for it to end, \
                 again and again. Before you run: which starts fastest, and which slowest?"
            .into(),
        asks: vec![
            pick(FASTEST, "starts fastest", "Which starts fastest?"),
            pick(SLOWEST, "starts slowest", "Which starts slowest?"),
        ],
    })
}

/// The model that fits `choice`, among those whose step was timed.
pub(super) fn pick(all: &[ModelResult], choice: &str) -> Option<ModelId> {
    let timed = all
        .iter()
        .filter(|r| r.correct && r.timed(STEP))
        .map(|r| (r.model, r.figures[STEP]));
    let cmp = |a: &(ModelId, f64), b: &(ModelId, f64)| a.1.total_cmp(&b.1);
    match choice {
        FASTEST => timed.min_by(cmp),
        SLOWEST => timed.max_by(cmp),
        _ => None,
    }
    .map(|(m, _)| m)
}

pub(super) fn explain(all: &[ModelResult], p: &Prediction) -> String {
    let subject = super::cpu::subject;
    let fastest = p.choice == FASTEST;
    let what = if fastest { "fastest" } else { "slowest" };
    let per = |m: ModelId| {
        all.iter()
            .find(|r| r.model == m)
            .and_then(|r| r.figure_us(STEP))
            .unwrap_or_else(|| "no figure".into())
    };
    let Some(actual) = pick(all, &p.choice) else {
        return format!(
            "You picked {} to start {what}; the run timed too few starts to tell.",
            subject(p.model)
        );
    };
    let why = match (fastest, actual) {
        (true, ModelId::Procs) => {
            "a pool starts nothing: its processes were started before, which is why pools exist"
        }
        (true, ModelId::Fork) => {
            "a process made in a warm spare beat the rest here, which a thread should not allow"
        }
        (true, _) => {
            "a thread shares its parent's memory: starting one wakes a worker already parked on it"
        }
        (false, ModelId::Fork) => {
            "a fresh process needs a memory and a runtime of its own, even made in a warm spare"
        }
        (false, ModelId::Procs) => {
            "handing a task to a running process is a message there and back"
        }
        (false, _) => "waking a parked thread and hearing it end took longest here",
    };
    if actual == p.model {
        format!(
            "You picked {} to start {what}, as the run found ({} per start): {why}.",
            subject(p.model),
            per(actual)
        )
    } else {
        format!(
            "You picked {} to start {what} ({} per start); {} did ({}): {why}.",
            subject(p.model),
            per(p.model),
            subject(actual),
            per(actual)
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::models::ModelId;
    use crate::verdict::{result, verdict};
    use crate::workloads::Workload;

    #[test]
    fn a_start_is_set_against_using_the_pool() {
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
    }

    #[test]
    fn a_fork_is_set_against_a_thread_start_and_each_shows_its_cold_start_apart() {
        let spawn = Workload::default_for("spawn").unwrap();
        let mut thread = result(ModelId::Threads, 1.0, 2);
        thread.figures.insert("per_step_us".into(), 80.0);
        thread.figures.insert("cold_start_us".into(), 24_000.0);
        let mut fork = result(ModelId::Fork, 1.0, 1);
        fork.figures.insert("per_step_us".into(), 2_400.0);
        let all = vec![thread.clone(), fork.clone()];
        assert_eq!(
            verdict(&spawn, 2, &all, &fork),
            "2400 µs per step for making a fresh process (a new wasm instance and memory) in a \
             warm spare worker and ending it — 30× a thread start: a process needs a memory and \
             a runtime of its own"
        );
        assert_eq!(
            verdict(&spawn, 2, &all, &thread),
            "80 µs per step for starting a thread (an empty function handed to a worker parked \
             on the shared memory) and joining it; each parked worker took 24.0 ms to start, \
             cold, before it was needed (a browser has no cheaper thread)"
        );
    }
}
