//! `threads`: free threads over one shared memory, as CPython 3.13t would run
//! them. Each worker takes the next task when it is free, like
//! `ThreadPoolExecutor.map`.

use super::{
    measure, par_list, run_one, Clock, FreeEnv, Measurement, ModelId, OnThreads, RunControl,
    TaskOutcome,
};
use crate::workloads::Workload;

/// Runs on every thread of `pool`, or of rayon's global pool when `None`.
pub fn run(
    workload: &Workload,
    pool: Option<&rayon::ThreadPool>,
    clock: &impl Clock,
    sleep: impl Fn(f64) + Sync,
    control: &RunControl,
) -> Measurement {
    run_on(workload, &OnThreads::all_of(pool, clock, sleep, control))
}

/// Runs with exactly `on.workers` workers, at most the pool's threads.
pub fn run_on<C: Clock, S: Fn(f64) + Sync>(
    workload: &Workload,
    on: &OnThreads<C, S>,
) -> Measurement {
    let start = on.clock.now_ms();
    let all: Vec<u32> = (0..workload.tasks()).collect();
    let outcomes = run_tasks(workload, on, &all);
    let end = on.clock.now_ms();
    measure(ModelId::Threads, on.workers, workload, start, end, outcomes)
}

/// The tasks in `list` only, each on the next free worker.
pub fn run_tasks<C: Clock, S: Fn(f64) + Sync>(
    workload: &Workload,
    on: &OnThreads<C, S>,
    list: &[u32],
) -> Vec<TaskOutcome> {
    on.install(|| {
        par_list(list, on.workers, |t, worker| {
            let mut env = FreeEnv::new(on.clock, on.control, &on.sleep);
            run_one(workload, t, worker, &mut env, &on.control.finished)
        })
    })
}
