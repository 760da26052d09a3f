//! `threads`: free threads over one shared memory, as CPython 3.13t would run
//! them. Each worker takes the next task when it is free, like
//! `ThreadPoolExecutor.map`.

use super::{measure, par_tasks, run_one, Clock, FreeEnv, Measurement, ModelId, RunControl};
use crate::workloads::Workload;

/// Runs on `pool` with as many workers as it has threads, or on rayon's
/// global pool when `None`: in the browser that is the one wasm-bindgen-rayon
/// built in the engine worker.
pub fn run(
    workload: &Workload,
    pool: Option<&rayon::ThreadPool>,
    clock: &impl Clock,
    sleep: impl Fn(f64) + Sync,
    control: &RunControl,
) -> Measurement {
    let workers = pool.map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
    run_on(workload, pool, workers as u32, clock, sleep, control)
}

/// Like [`run`] with exactly `workers` workers, at most the pool's threads.
pub fn run_on(
    workload: &Workload,
    pool: Option<&rayon::ThreadPool>,
    workers: u32,
    clock: &impl Clock,
    sleep: impl Fn(f64) + Sync,
    control: &RunControl,
) -> Measurement {
    let start = clock.now_ms();
    let job = || {
        par_tasks(workload.tasks(), workers, |t, worker| {
            let mut env = FreeEnv {
                clock,
                cancel: &control.cancel,
                sleep: &sleep,
            };
            run_one(workload, t, worker, &mut env, &control.finished)
        })
    };
    let outcomes = match pool {
        Some(p) => p.install(job),
        None => job(),
    };
    let end = clock.now_ms();
    measure(ModelId::Threads, workers, workload, start, end, outcomes)
}
