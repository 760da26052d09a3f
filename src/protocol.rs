//! Typed messages between the UI, the engine worker and the process workers.
//! They cross `postMessage` as plain JS objects (serde-wasm-bindgen); numbers
//! that can exceed 2^53 travel as decimal strings. What serde cannot carry
//! (a shared counter's `SharedArrayBuffer`, a transferred buffer) rides
//! beside the message as an attachment, see `web::envelope`.

use crate::models::{Measurement, ModelId};
use crate::workloads::{TaskFailure, Workload};
use serde::{Deserialize, Serialize};

/// UI → engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToEngine {
    Run {
        run: u32,
        workload: Workload,
        models: Vec<ModelId>,
        /// Threads or processes to use, at most the engine's pool size.
        workers: u32,
        repeats: u32,
        warmup: u32,
        switch_ms: f64,
    },
    /// Stop run `run` now: process workers are terminated at once; thread
    /// models were already told through the cancel flag in shared memory.
    Cancel { run: u32 },
}

/// Engine → UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromEngine {
    /// The engine takes messages from now on: its thread pool and its process
    /// pool are up, and this is what starting them cost.
    Ready {
        threads: u32,
        thread_pool_ms: f64,
        procs: u32,
        /// Starting the pool's workers from the compiled module.
        process_pool_ms: f64,
    },
    Progress {
        run: u32,
        model: ModelId,
        /// 1-based; warm-up rounds come first and are counted in `warmup`.
        round: u32,
        rounds: u32,
        warmup: bool,
    },
    Done {
        run: u32,
        measurements: Vec<Measurement>,
        live_processes: u32,
    },
    /// The run stopped early on request.
    Cancelled {
        run: u32,
        /// The model that was running when the request came.
        model: Option<ModelId>,
        /// When the model had stopped, on the shared clock.
        stopped_at_ms: f64,
        /// Rebuilding the process pool after its workers were terminated.
        rebuild_ms: f64,
        live_processes: u32,
    },
    Failed {
        run: Option<u32>,
        message: String,
    },
}

/// Engine → process worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToProcess {
    Task {
        run: u32,
        task: u32,
        workload: Workload,
    },
    /// An empty task: what dispatching to a pool costs, with no work.
    Ping { run: u32 },
}

/// Process worker → engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromProcess {
    Ready,
    TaskDone {
        run: u32,
        task: u32,
        /// On the shared clock (`performance.timeOrigin + now()`).
        start_ms: f64,
        end_ms: f64,
        /// The task's output as a decimal string, or why it failed: an error
        /// crosses a process boundary only as text, as a pickled traceback would.
        result: Result<String, TaskFailure>,
    },
    Pong {
        run: u32,
    },
    /// The worker could not start (its boot script reports this).
    Failed {
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::cpu::Cpu;

    #[test]
    fn messages_round_trip_through_json() {
        let task = ToProcess::Task {
            run: 3,
            task: 1,
            workload: Workload::Cpu(Cpu {
                tasks: 2,
                n: 10_000_000_000,
            }),
        };
        let s = serde_json::to_string(&task).unwrap();
        assert!(
            s.contains("\"type\":\"task\"") && s.contains("\"w\":\"cpu\""),
            "{s}"
        );
        assert_eq!(serde_json::from_str::<ToProcess>(&s).unwrap(), task);

        let done = FromProcess::TaskDone {
            run: 1,
            task: 0,
            start_ms: 1.5,
            end_ms: 2.5,
            result: Err(TaskFailure::Failed("boom".into())),
        };
        let s = serde_json::to_string(&done).unwrap();
        assert_eq!(serde_json::from_str::<FromProcess>(&s).unwrap(), done);

        let cancel = ToEngine::Cancel { run: 4 };
        let s = serde_json::to_string(&cancel).unwrap();
        assert_eq!(serde_json::from_str::<ToEngine>(&s).unwrap(), cancel);
    }

    #[test]
    fn every_workload_crosses_to_a_process() {
        for id in crate::workloads::WORKLOAD_IDS {
            let workload = Workload::default_for(id).unwrap();
            let msg = ToProcess::Task {
                run: 1,
                task: 0,
                workload,
            };
            let s = serde_json::to_string(&msg).unwrap();
            assert_eq!(serde_json::from_str::<ToProcess>(&s).unwrap(), msg, "{id}");
        }
    }
}
