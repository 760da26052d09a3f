//! Lesson 4 (`spawn`): what one start costs, set against handing a task to
//! a pool that is already running.

use crate::models::ModelId;
use crate::report::ModelResult;

const STEP: &str = "per_step_us";

/// `r`'s cost per start; beside the pool's, when both were timed, how many
/// times dearer it is.
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
}
