//! `seq`: every task, one after the other, on the calling thread.

use super::{measure, run_one, Clock, FreeEnv, Measurement, ModelId, RunControl};
use crate::workloads::Workload;

pub fn run(
    workload: &Workload,
    clock: &impl Clock,
    sleep: impl Fn(f64),
    control: &RunControl,
) -> Measurement {
    let mut env = FreeEnv::new(clock, control, sleep);
    let start = clock.now_ms();
    let outcomes = (0..workload.tasks())
        .map(|t| run_one(workload, t, 0, &mut env, &control.finished))
        .collect();
    let end = clock.now_ms();
    measure(ModelId::Seq, 1, workload, start, end, outcomes)
}
