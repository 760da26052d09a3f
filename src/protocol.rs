//! Typed messages between the UI, the engine worker and the process workers.
//! They cross `postMessage` as bytes, postcard's encoding ([`encode`]):
//! its code in the wasm is a fraction of a JS-object format's
//! (serde-wasm-bindgen made the module 31 KiB larger gzipped, JSON text
//! 36 KiB). Postcard writes fields in order with no names, so a message
//! type must not skip a field when it serializes (`skip_serializing_if`),
//! nor use an internally tagged or untagged enum; each is tested below.
//! Enums are externally tagged, by variant number.
//!
//! The boot scripts in `www/` cannot write postcard: what they say before
//! an instance runs ([`BootMessage`]) is a plain JS object that each
//! receiving message type turns into one of its own ([`FromBoot`]); what
//! they read (`start`, `instantiate`) the page and engine write as plain
//! JS too (`web::start_envelope`, `web::INSTANTIATE`). What serde cannot
//! carry (a shared counter's `SharedArrayBuffer`, a transferred buffer)
//! rides beside the message as an attachment, see `web::envelope`.

use crate::calibrate::{Boot, Calibration};
use crate::models::{Measurement, ModelId, Response, Span};
use crate::workloads::{TaskFailure, Workload};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A message as it crosses `postMessage`.
pub fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    // Our messages hold only strings, numbers, vecs, maps and externally
    // tagged enums, which postcard all writes; failure is a programming error.
    postcard::to_allocvec(msg).expect("postcard writes every message type")
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("malformed message: {e}"))
}

/// What a boot script in `www/` posts, as `{boot: "failed", message}`,
/// `{boot: "warm", script_ms, warm_ms}` or `{boot: "joined"}`.
#[derive(Debug, Clone, PartialEq)]
pub enum BootMessage {
    /// The worker could not start (its instance could not be made).
    Failed { message: String },
    /// A spare process worker loaded its scripts and waits for `instantiate`.
    Warm { script_ms: f64, warm_ms: f64 },
    /// A spawn-lesson thread joined the engine's memory and left it again.
    Joined,
}

/// A message type a boot script may also answer in: what its boot message
/// means in this type's words, or `None` where it has no place.
pub trait FromBoot: Sized {
    fn from_boot(_: BootMessage) -> Option<Self> {
        None
    }
}

impl FromBoot for ToEngine {}
impl FromBoot for ToProcess {}
impl FromBoot for ProcessRequest {}

impl FromBoot for FromEngineWorker {
    /// The engine's boot script, when the engine could not start.
    fn from_boot(b: BootMessage) -> Option<Self> {
        match b {
            BootMessage::Failed { message } => Some(FromEngineWorker::Event(FromEngine::Failed {
                run: None,
                message,
            })),
            _ => None,
        }
    }
}

impl FromBoot for FromProcess {
    fn from_boot(b: BootMessage) -> Option<Self> {
        match b {
            BootMessage::Failed { message } => Some(FromProcess::Failed { message }),
            BootMessage::Warm { script_ms, warm_ms } => {
                Some(FromProcess::Warm { script_ms, warm_ms })
            }
            BootMessage::Joined => None,
        }
    }
}

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
    pub procs: u32,
    pub threads: u32,
    /// `hybrid`: each process's threads under a GIL of the process's own.
    pub hybrid_gil: bool,
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
        responses: Vec<Response>,
        /// The transfer lesson: how the task's buffer came in.
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
    /// The worker could not start (its boot script says so, [`BootMessage`]).
    Failed {
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::Calibration;
    use crate::models::{Measurement, SpanKind, TaskError};
    use crate::workloads::transfer::Handover;
    use crate::workloads::{cpu::Cpu, io::Io};
    use std::fmt::Debug;

    fn crosses<T: Serialize + DeserializeOwned + PartialEq + Debug>(msg: T) {
        let bytes = encode(&msg);
        assert_eq!(decode::<T>(&bytes).as_ref(), Ok(&msg), "{bytes:?}");
        // Nothing is left unread, and a cut message is refused, not misread.
        assert!(decode::<T>(&bytes[..bytes.len() - 1]).is_err(), "{msg:?}");
    }

    #[test]
    fn messages_cross_with_every_field_set_or_empty() {
        crosses(ToProcess::Task {
            run: 3,
            task: 1,
            workload: Workload::Cpu(Cpu {
                tasks: 2,
                n: 10_000_000_000,
            }),
        });
        // Empty and full optional parts alike: postcard has no field names,
        // so a field skipped when empty would shift every field after it.
        crosses(FromProcess::TaskDone {
            run: 1,
            task: 0,
            start_ms: 1.5,
            end_ms: 2.5,
            result: Err(TaskFailure::Failed("boom".into())),
            responses: vec![],
            received: None,
        });
        crosses(FromProcess::TaskDone {
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
        });
        crosses(ToEngine::Cancel { run: 4 });
        crosses(ToEngine::Run(RunRequest {
            run: 2,
            workload: Workload::Io(Io {
                convoy: Some(12),
                ..Io::default()
            }),
            models: vec![ModelId::Seq, ModelId::Hybrid],
            workers: 2,
            repeats: 5,
            warmup: 1,
            switch_ms: 5.0,
            procs: 2,
            threads: 2,
            hybrid_gil: true,
        }));
        let bare = Measurement::plain(ModelId::Procs, 2, 61.5, "40".into());
        let mut full = bare.clone();
        full.correct = false;
        full.errors.push(TaskError {
            task: 1,
            message: "x".into(),
        });
        full.spans.push(Span {
            worker: 1,
            task: 1,
            kind: SpanKind::Run,
            start_ms: 0.5,
            end_ms: 30.0,
        });
        full.figures.insert("per_step_us".into(), 70.1);
        full.responses.push(Response {
            arrived_ms: 1.0,
            done_ms: 2.0,
        });
        full.handovers.push(Handover::default());
        crosses(FromEngineWorker::Event(FromEngine::Done {
            run: 7,
            measurements: vec![bare, full],
            live_processes: 2,
        }));
        crosses(FromEngine::Calibrated {
            run: 1,
            calibration: Calibration::default(),
        });
        crosses(FromProcess::Ready { boot: None });
    }

    #[test]
    fn every_workload_crosses_to_a_process() {
        for id in crate::workloads::WORKLOAD_IDS {
            let workload = Workload::default_for(id).unwrap();
            crosses(ToProcess::Batch {
                run: 1,
                tasks: vec![0, 2],
                workload: workload.clone(),
                gil_switch_ms: Some(5.0),
                first_worker: 2,
            });
            crosses(ToProcess::Task {
                run: 1,
                task: 0,
                workload,
            });
        }
    }

    #[test]
    fn the_page_tells_engine_events_from_requests() {
        let request = FromEngineWorker::Request(EngineRequest::SpawnWorker {
            id: 3,
            url: "./process_boot.js".into(),
            name: "process:0".into(),
            script: "./engine.js".into(),
        });
        crosses(request.clone());
        let event = FromEngineWorker::Event(FromEngine::Progress {
            run: 1,
            model: ModelId::Seq,
            round: 1,
            rounds: 2,
            warmup: true,
        });
        crosses(event.clone());
        assert_ne!(encode(&request)[0], encode(&event)[0]);
        // A bare event, as the engine posted before it said which kind.
        let bare = encode(&FromEngine::Progress {
            run: 1,
            model: ModelId::Seq,
            round: 1,
            rounds: 2,
            warmup: true,
        });
        assert!(decode::<FromEngineWorker>(&bare).is_err());
        assert!(
            decode::<FromEngineWorker>(&[9, 0]).is_err(),
            "no such variant"
        );
    }

    #[test]
    fn boot_messages_mean_what_the_receiver_expects() {
        let failed = || BootMessage::Failed {
            message: "x".into(),
        };
        assert_eq!(
            FromEngineWorker::from_boot(failed()),
            Some(FromEngineWorker::Event(FromEngine::Failed {
                run: None,
                message: "x".into()
            }))
        );
        assert_eq!(
            FromProcess::from_boot(failed()),
            Some(FromProcess::Failed {
                message: "x".into()
            })
        );
        assert_eq!(
            FromProcess::from_boot(BootMessage::Warm {
                script_ms: 1.5,
                warm_ms: 20.25
            }),
            Some(FromProcess::Warm {
                script_ms: 1.5,
                warm_ms: 20.25
            })
        );
        // Only a thread joins; the engine never answers with a boot message.
        assert_eq!(FromProcess::from_boot(BootMessage::Joined), None);
        assert_eq!(FromEngineWorker::from_boot(BootMessage::Joined), None);
        assert_eq!(ToEngine::from_boot(failed()), None);
        assert_eq!(ToProcess::from_boot(failed()), None);
    }
}
