//! Typed messages between the UI, the engine worker and the process workers.
//! They cross `postMessage` as plain JS objects (serde-wasm-bindgen); numbers
//! that can exceed 2^53 travel as decimal strings.

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
        repeats: u32,
        warmup: u32,
    },
}

/// Engine → UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromEngine {
    /// The engine took messages from now on: its thread pool and its process
    /// pool are up, and this is what starting them cost.
    Ready {
        threads: u32,
        thread_pool_ms: f64,
        procs: u32,
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::cpu::Cpu;

    #[test]
    fn messages_round_trip_through_json() {
        let msgs = vec![ToProcess::Task {
            run: 3,
            task: 1,
            workload: Workload::Cpu(Cpu {
                tasks: 2,
                n: 10_000_000_000,
            }),
        }];
        for m in msgs {
            let s = serde_json::to_string(&m).unwrap();
            assert!(
                s.contains("\"type\":\"task\"") && s.contains("\"w\":\"cpu\""),
                "{s}"
            );
            assert_eq!(serde_json::from_str::<ToProcess>(&s).unwrap(), m);
        }
        let done = FromProcess::TaskDone {
            run: 1,
            task: 0,
            start_ms: 1.5,
            end_ms: 2.5,
            result: Err(TaskFailure::Failed("boom".into())),
        };
        let s = serde_json::to_string(&done).unwrap();
        assert_eq!(serde_json::from_str::<FromProcess>(&s).unwrap(), done);
    }
}
