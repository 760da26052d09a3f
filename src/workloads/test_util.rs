//! Helpers shared by the workloads' unit tests.

use super::{TaskEnv, TaskFailure, Workload};

/// An environment that runs everything at once and remembers what it was asked.
#[derive(Default)]
pub struct Recorder {
    pub ticks: u64,
    pub blocked_ms: Vec<f64>,
    pub spawned: u32,
    /// Fail the tick with this index (0-based), as a cancelled run would.
    pub cancel_at_tick: Option<u64>,
    /// Time moves by what the task blocks and a microsecond per tick.
    pub clock_ms: f64,
    pub responses: Vec<(f64, f64)>,
}

impl TaskEnv for Recorder {
    fn tick(&mut self) -> Result<(), TaskFailure> {
        self.ticks += 1;
        self.clock_ms += 0.001;
        match self.cancel_at_tick {
            Some(t) if self.ticks > t => Err(TaskFailure::Cancelled),
            _ => Ok(()),
        }
    }
    fn block(&mut self, ms: f64) -> Result<(), TaskFailure> {
        self.blocked_ms.push(ms);
        self.clock_ms += ms;
        Ok(())
    }
    fn now_ms(&self) -> f64 {
        self.clock_ms
    }
    fn responded(&mut self, arrived_ms: f64, done_ms: f64) {
        self.responses.push((arrived_ms, done_ms));
    }
    fn spawn_join(&mut self) -> Result<(), TaskFailure> {
        self.spawned += 1;
        Ok(())
    }
}

pub fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
    q.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Runs every task in order on one [`Recorder`] and returns the outputs and
/// failures as `measure` would see them.
pub fn run_all(w: &Workload) -> (u128, Vec<(u32, TaskFailure)>) {
    let mut env = Recorder::default();
    let mut outputs = Vec::new();
    let mut failures = Vec::new();
    for t in 0..w.tasks() {
        match w.run_task(t, &mut env) {
            Ok(v) => outputs.push(v),
            Err(e) => failures.push((t, e)),
        }
    }
    (w.combine(&outputs), failures)
}

/// Whether the workload calls a run with this value and these failures correct.
pub fn judged(w: &Workload, value: u128, failures: &[(u32, TaskFailure)]) -> bool {
    let refs: Vec<(u32, &TaskFailure)> = failures.iter().map(|(t, e)| (*t, e)).collect();
    w.correct(value, &refs)
}
