//! `seq`: every task, one after the other, on the calling thread.

use super::{measure, run_one, Clock, FreeEnv, Measurement, ModelId};
use crate::workloads::Workload;
use std::sync::atomic::AtomicBool;

pub fn run(
    workload: &Workload,
    clock: &impl Clock,
    sleep: impl Fn(f64),
    cancel: &AtomicBool,
) -> Measurement {
    let mut env = FreeEnv {
        clock,
        cancel,
        sleep,
    };
    let start = clock.now_ms();
    let outcomes = (0..workload.tasks())
        .map(|t| run_one(workload, t, 0, &mut env))
        .collect();
    let end = clock.now_ms();
    measure(ModelId::Seq, 1, workload, start, end, outcomes)
}
