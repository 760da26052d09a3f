//! `threads`: free threads over one shared memory, as CPython 3.13t would run
//! them. Tasks go to a rayon pool; each worker takes the next task when it is
//! free, like `ThreadPoolExecutor.map`.

use super::{measure, run_one, Clock, FreeEnv, Measurement, ModelId};
use crate::workloads::Workload;
use rayon::prelude::*;
use std::sync::atomic::AtomicBool;

/// Runs on `pool`, whose size is the model's worker count, or on rayon's
/// global pool when `None`: in the browser that is the one wasm-bindgen-rayon
/// built in the engine worker.
pub fn run(
    workload: &Workload,
    pool: Option<&rayon::ThreadPool>,
    clock: &impl Clock,
    sleep: impl Fn(f64) + Sync,
    cancel: &AtomicBool,
) -> Measurement {
    let workers = pool.map_or_else(rayon::current_num_threads, |p| p.current_num_threads()) as u32;
    let start = clock.now_ms();
    let job = || {
        // One task per rayon job: without `with_max_len(1)` rayon may hand a
        // worker several tasks in one split, which unbalances small task counts.
        (0..workload.tasks())
            .into_par_iter()
            .with_max_len(1)
            .map(|t| {
                let worker = rayon::current_thread_index().unwrap_or(0) as u32;
                let mut env = FreeEnv {
                    clock,
                    cancel,
                    sleep: &sleep,
                };
                run_one(workload, t, worker, &mut env)
            })
            .collect()
    };
    let outcomes = match pool {
        Some(p) => p.install(job),
        None => job(),
    };
    let end = clock.now_ms();
    measure(ModelId::Threads, workers, workload, start, end, outcomes)
}
