//! Typed messages between the UI, the engine worker and the process workers.
//! They cross `postMessage` as plain JS objects (serde-wasm-bindgen); numbers
//! that can exceed 2^53 travel as decimal strings. Enums are externally
//! tagged (`{"done": {...}}`, or `"instantiate"` for a variant without
//! fields): an internally tagged enum (`{"type": "done", ...}`) must buffer
//! the whole object before it knows its variant, and that code made the
//! wasm 30 KiB larger gzipped. Two small enums keep a `type` field
//! (`ToWorker`, `FromThread`): a boot script in `www/` reads or writes
//! every message of theirs. What serde cannot carry
//! (a shared counter's `SharedArrayBuffer`, a transferred buffer) rides
//! beside the message as an attachment, see `web::envelope`.

use crate::calibrate::{Boot, Calibration};
use crate::models::{Measurement, ModelId, Response, Span};
use crate::workloads::{TaskFailure, Workload};
use serde::{Deserialize, Serialize};

/// UI → engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToEngine {
    Run(RunRequest),
    /// Measure this machine's limits ([`crate::calibrate`]) and answer
    /// with [`FromEngine::Calibrated`].
    Calibrate {
        run: u32,
    },
    /// Stop run `run` now: process workers are terminated at once; thread
    /// models were already told through the cancel flag in shared memory.
    Cancel {
        run: u32,
    },
    /// The page made worker `id` as asked ([`EngineRequest::SpawnWorker`]).
    /// Attachment: the engine's end of a channel to it.
    WorkerPort {
        id: u32,
    },
    /// Worker `id` could not be made, or failed later.
    WorkerError {
        id: u32,
        message: String,
    },
}

/// Engine → page, beside its [`FromEngine`] events: what only the page can
/// do for it. Firefox deadlocks a worker that makes workers while others
/// start or end, so the page makes and ends the engine's workers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineRequest {
    /// Where the engine's cancel flag (a byte) and finished-task counter (a
    /// `u32`) are. Attachment: the engine's shared `WebAssembly.Memory`, so
    /// the page can write the flag and read the counter while the engine is
    /// busy inside rayon.
    CancelCell {
        cancel: u32,
        tasks_finished: u32,
    },
    /// Make a module worker from the boot script `url`, named `name`, that
    /// will import the engine's glue `script`. Attachment: the compiled
    /// module (and, for a spawn-lesson thread, the engine's memory).
    SpawnWorker {
        id: u32,
        url: String,
        name: String,
        script: String,
    },
    /// Pass the attachment on to worker `id`: a task holding a
    /// `SharedArrayBuffer`, which Firefox refuses on a port between workers.
    Relay {
        id: u32,
    },
    EndWorker {
        id: u32,
    },
}

/// Everything the engine worker posts to the page: its events for the UI,
/// and what it asks the page to do for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FromEngineWorker {
    Event(FromEngine),
    Request(EngineRequest),
}

/// Page → a worker it made: start, importing the glue at `script`. The
/// engine's attachment is the page's compiled `module`; a worker made for
/// the engine gets `port` (its end of its channel to the engine), `module`,
/// and `memory` for a thread that joins the engine's memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    Start { script: String },
}

/// A spawn-lesson thread → the engine, once: it joined the engine's
/// memory and left it again, or could not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromThread {
    Joined,
    Failed { message: String },
}

/// One step of a run: these models on this workload, measured
/// `warmup + repeats` times each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRequest {
    /// Each step has its own id: late messages of an earlier one are ignored.
    pub run: u32,
    pub workload: Workload,
    pub models: Vec<ModelId>,
    /// Threads or processes to use, at most the engine's pool size.
    pub workers: u32,
    pub repeats: u32,
    pub warmup: u32,
    pub switch_ms: f64,
    /// `hybrid`: process workers, and threads in each.
    #[serde(default = "one")]
    pub procs: u32,
    #[serde(default = "one")]
    pub threads: u32,
    /// `hybrid`: each process's threads under a GIL of the process's own.
    #[serde(default)]
    pub hybrid_gil: bool,
}

fn one() -> u32 {
    1
}

/// Engine → UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    /// This machine's limits, as [`ToEngine::Calibrate`] asked.
    Calibrated {
        run: u32,
        calibration: Calibration,
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
#[serde(rename_all = "snake_case")]
pub enum ToProcess {
    Task {
        run: u32,
        task: u32,
        workload: Workload,
    },
    /// An empty task: what dispatching to a pool costs, with no work.
    Ping { run: u32 },
    /// To a spare that said `Warm`: make the instance and its memory now.
    /// The boot script answers it (there is no instance yet to do so).
    Instantiate,
    /// `hybrid`: start a pool of `threads` threads in this process (the
    /// page makes them, see [`ProcessRequest`]); answered by `PoolReady`.
    StartPool { threads: u32 },
    /// `hybrid`: run these tasks on the process's pool, under a GIL of the
    /// process's own when `gil_switch_ms` is given. Worker numbers in the
    /// answer start at `first_worker`, so rows of all processes differ.
    Batch {
        run: u32,
        tasks: Vec<u32>,
        workload: Workload,
        gil_switch_ms: Option<f64>,
        first_worker: u32,
    },
}

/// What one task of a batch did, on the shared clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskReport {
    pub task: u32,
    pub worker: u32,
    pub start_ms: f64,
    pub end_ms: f64,
    pub result: Result<String, TaskFailure>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responses: Vec<Response>,
}

/// A `hybrid` process → the page that made it (not the engine): make the
/// threads of its pool. Attachment: `{ module, memory }`, the process's own
/// compiled module and memory, which each thread instantiates and joins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessRequest {
    SpawnThreads {
        /// The boot script of a pool thread, and the glue it imports.
        url: String,
        script: String,
        /// Per thread, where its rayon thread state lies in the memory.
        ptrs: Vec<u32>,
    },
}

/// The receiver's half of a transfer task's [`Handover`](crate::workloads::transfer::Handover).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Received {
    /// When the task's message reached the process's handler (shared clock).
    pub arrived_ms: f64,
    pub grow_ms: f64,
    pub copy_ms: f64,
    pub checksum_ms: f64,
    /// The bytes landed in memory this process never used before: its
    /// first transfer (a fresh instance), or its memory grew for them.
    pub first_touch: bool,
}

/// Process worker → engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FromProcess {
    /// A spare (started with `hold`): its worker and scripts are loaded,
    /// and it waits for `Instantiate`. On the shared clock: when its boot
    /// script began, and when it was ready to instantiate.
    Warm {
        script_ms: f64,
        warm_ms: f64,
    },
    /// Instantiated; when each part of its start happened.
    Ready {
        #[serde(default)]
        boot: Option<Boot>,
    },
    TaskDone {
        run: u32,
        task: u32,
        /// On the shared clock (`performance.timeOrigin + now()`).
        start_ms: f64,
        end_ms: f64,
        /// The task's output as a decimal string, or why it failed: an error
        /// crosses a process boundary only as text, as a pickled traceback would.
        result: Result<String, TaskFailure>,
        /// The requests it answered (the io lesson's convoy).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        responses: Vec<Response>,
        /// The transfer lesson: how the task's buffer came in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        received: Option<Received>,
    },
    Pong {
        run: u32,
    },
    PoolReady {
        threads: u32,
    },
    BatchDone {
        run: u32,
        outcomes: Vec<TaskReport>,
        spans: Vec<Span>,
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
            s.starts_with("{\"task\":{") && s.contains("\"w\":\"cpu\""),
            "{s}"
        );
        assert_eq!(serde_json::from_str::<ToProcess>(&s).unwrap(), task);

        let done = FromProcess::TaskDone {
            run: 1,
            task: 0,
            start_ms: 1.5,
            end_ms: 2.5,
            result: Err(TaskFailure::Failed("boom".into())),
            responses: vec![],
            received: None,
        };
        let s = serde_json::to_string(&done).unwrap();
        assert!(
            !s.contains("responses"),
            "a task that answered nothing sends none: {s}"
        );
        assert_eq!(serde_json::from_str::<FromProcess>(&s).unwrap(), done);
        let answered = FromProcess::TaskDone {
            run: 1,
            task: 0,
            start_ms: 1.5,
            end_ms: 9.0,
            result: Ok("42".into()),
            responses: vec![Response {
                arrived_ms: 3.0,
                done_ms: 8.25,
            }],
            received: Some(Received {
                arrived_ms: 1.25,
                grow_ms: 0.01,
                copy_ms: 6.0,
                checksum_ms: 1.0,
                first_touch: true,
            }),
        };
        let s = serde_json::to_string(&answered).unwrap();
        assert_eq!(serde_json::from_str::<FromProcess>(&s).unwrap(), answered);

        let cancel = ToEngine::Cancel { run: 4 };
        let s = serde_json::to_string(&cancel).unwrap();
        assert_eq!(serde_json::from_str::<ToEngine>(&s).unwrap(), cancel);

        // A spare's boot script writes `warm` and `failed`, and reads
        // `instantiate`, by hand.
        let warm = r#"{"warm":{"script_ms":1.5,"warm_ms":20.25}}"#;
        assert_eq!(
            serde_json::from_str::<FromProcess>(warm).unwrap(),
            FromProcess::Warm {
                script_ms: 1.5,
                warm_ms: 20.25
            }
        );
        assert_eq!(
            serde_json::to_string(&ToProcess::Instantiate).unwrap(),
            r#""instantiate""#
        );
        assert_eq!(
            serde_json::from_str::<FromProcess>(r#"{"failed":{"message":"x"}}"#).unwrap(),
            FromProcess::Failed {
                message: "x".into()
            }
        );
        // And the engine's boot script, when the engine cannot start.
        assert_eq!(
            serde_json::from_str::<FromEngineWorker>(
                r#"{"event":{"failed":{"run":null,"message":"x"}}}"#
            )
            .unwrap(),
            FromEngineWorker::Event(FromEngine::Failed {
                run: None,
                message: "x".into()
            })
        );

        // The boot scripts in www/ write these by hand.
        assert_eq!(
            serde_json::to_string(&FromThread::Failed {
                message: "x".into()
            })
            .unwrap(),
            r#"{"type":"failed","message":"x"}"#
        );
        assert_eq!(
            serde_json::from_str::<FromThread>(r#"{"type":"joined"}"#).unwrap(),
            FromThread::Joined
        );
        assert_eq!(
            serde_json::to_string(&ToWorker::Start {
                script: "./e.js".into()
            })
            .unwrap(),
            r#"{"type":"start","script":"./e.js"}"#
        );
    }

    #[test]
    fn the_page_tells_engine_events_from_requests() {
        let request = EngineRequest::SpawnWorker {
            id: 3,
            url: "./process_boot.js".into(),
            name: "process:0".into(),
            script: "./engine.js".into(),
        };
        let request = FromEngineWorker::Request(request);
        let s = serde_json::to_string(&request).unwrap();
        assert_eq!(
            serde_json::from_str::<FromEngineWorker>(&s).unwrap(),
            request
        );
        let event = FromEngine::Progress {
            run: 1,
            model: ModelId::Seq,
            round: 1,
            rounds: 2,
            warmup: true,
        };
        let event = FromEngineWorker::Event(event);
        let s = serde_json::to_string(&event).unwrap();
        assert_eq!(serde_json::from_str::<FromEngineWorker>(&s).unwrap(), event);
        assert!(serde_json::from_str::<FromEngineWorker>(r#"{"nonsense":{}}"#).is_err());
        // A bare event, as the engine posted before it said which kind.
        assert!(serde_json::from_str::<FromEngineWorker>(&s[9..s.len() - 1]).is_err());
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
