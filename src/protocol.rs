//! Typed messages between the page, the engine worker, the process workers
//! and the threads. They cross `postMessage` as bytes, postcard's encoding
//! ([`encode`]): its code in the wasm is a fraction of a JS-object format's
//! (serde-wasm-bindgen made the module 31 KiB larger gzipped, JSON text
//! 36 KiB). Postcard writes fields in order with no names, so a message
//! type must not skip a field when it serializes (`skip_serializing_if`),
//! nor use an internally tagged or untagged enum; each is tested below.
//! Enums are externally tagged, by variant number.
//!
//! Every message travels in an envelope `[bytes, attachment, id]`
//! (`web::envelope`): what serde cannot carry (a port, a compiled module, a
//! memory, a shared or transferred buffer) rides beside the bytes as the
//! attachment, and a request that wants an answer carries an id that its
//! answer repeats, so the asker gets exactly its own reply
//! (`web::mailbox::Mailbox::ask`), as a job id multiplexes jobs over one
//! connection.
//!
//! Three small protocols share this file:
//! - the run: [`ToEngine`] from the UI, [`FromEngine`] back;
//! - the worker factory: the engine asks the page to make, reach and end
//!   its workers ([`FactoryRequest`], [`FactoryReply`]), since Firefox can
//!   deadlock a worker that makes workers of its own;
//! - the processes: [`ToProcess`] asks, [`FromProcess`] answers.
//!
//! The boot scripts in `www/` cannot write postcard: what they say before
//! an instance runs ([`BootMessage`]) is a plain JS object that each
//! receiving message type turns into one of its own ([`FromBoot`]); what
//! they read (their start, a spare's `instantiate`) the page and engine
//! write as plain JS too (`web::start_envelope`, `web::instantiate_envelope`).

use crate::calibrate::{Boot, Calibration};
use crate::models::{Measurement, ModelId, Response, Span, TaskOutcome};
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

/// What a worker is for. The page writes it in the worker's start message
/// (`web::start_envelope`); the boot script leaves it where the module's
/// `main` reads it (`web::role`), so no worker's role is guessed from its
/// name, which only names it in the browser's tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// The engine, with a rayon pool of this many threads.
    Engine { workers: u32 },
    /// A process: an instance and memory of its own.
    Process,
    /// A thread of the spawn lesson: it joins the engine's memory and
    /// parks there until it is handed a function.
    Thread,
    /// A rayon thread of a `hybrid` process's pool, in that process's memory.
    PoolThread,
}

impl Role {
    /// How the boot scripts spell it.
    pub fn id(self) -> &'static str {
        match self {
            Role::Engine { .. } => "engine",
            Role::Process => "process",
            Role::Thread => "thread",
            Role::PoolThread => "pool-thread",
        }
    }

    /// The boot script of a worker of this role, in the build's folder.
    pub fn boot_script(self) -> &'static str {
        match self {
            Role::Engine { .. } => "engine_boot.js",
            Role::Process => "process_boot.js",
            Role::Thread => "thread_boot.js",
            Role::PoolThread => "pool_thread_boot.js",
        }
    }

    /// The role a start message names; `workers` only matters to the engine.
    pub fn parse(id: &str, workers: u32) -> Option<Role> {
        Some(match id {
            "engine" => Role::Engine {
                workers: workers.max(1),
            },
            "process" => Role::Process,
            "thread" => Role::Thread,
            "pool-thread" => Role::PoolThread,
            _ => return None,
        })
    }
}

/// What a boot script in `www/` posts, as `{boot: "failed", message}`,
/// `{boot: "warm", script_ms, warm_ms}` or `{boot: "parked"}`.
#[derive(Debug, Clone, PartialEq)]
pub enum BootMessage {
    /// The worker could not start (its instance could not be made).
    Failed { message: String },
    /// A spare process worker loaded its scripts and waits for `instantiate`.
    Warm { script_ms: f64, warm_ms: f64 },
    /// A thread joined the engine's memory and waits there for a function.
    Parked { script_ms: f64, parked_ms: f64 },
}

/// A message type a boot script may also answer in: what its boot message
/// means in this type's words, or `None` where it has no place.
pub trait FromBoot: Sized {
    fn from_boot(_: BootMessage) -> Option<Self> {
        None
    }
}

impl FromBoot for ToEngineWorker {}
impl FromBoot for ToProcess {}
impl FromBoot for ProcessToPage {}

impl FromBoot for FromEngineWorker {
    /// The engine's boot script, when the engine could not start.
    fn from_boot(b: BootMessage) -> Option<Self> {
        match b {
            BootMessage::Failed { message } => Some(FromEngineWorker::Event(FromEngine::Failed {
                step: None,
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
            BootMessage::Parked {
                script_ms,
                parked_ms,
            } => Some(FromProcess::Parked {
                script_ms,
                parked_ms,
            }),
        }
    }
}

/// Everything the page posts to the engine worker: the UI's commands, and
/// the factory's answers about the workers it made for the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToEngineWorker {
    Command(ToEngine),
    Factory(FactoryReply),
}

/// UI → engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToEngine {
    Run(StepRequest),
    /// Measure this machine's limits ([`crate::calibrate`]) and answer
    /// with [`FromEngine::Calibrated`].
    Calibrate {
        step: u32,
    },
    /// Stop step `step` now: process workers are terminated at once; thread
    /// models were already told through the cancel flag in shared memory.
    Cancel {
        step: u32,
    },
}

/// Everything the engine worker posts to the page: its events for the UI,
/// where its cancel flag is, and what it asks the worker factory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FromEngineWorker {
    Event(FromEngine),
    /// Where the engine's cancel flag (a byte) and finished-task counter (a
    /// `u32`) are. Attachment: the engine's shared `WebAssembly.Memory`, so
    /// the page can write the flag and read the counter while the engine is
    /// busy inside rayon.
    CancelCell {
        cancel: u32,
        tasks_finished: u32,
    },
    Factory(FactoryRequest),
}

/// Engine → page: what only the page can do for the engine's workers.
/// Firefox deadlocks a worker that makes workers while others start or
/// end, and refuses a `WebAssembly.Module` or a `SharedArrayBuffer` on a
/// port between workers, so the page makes every worker of the engine and
/// carries what a port cannot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactoryRequest {
    /// Make worker `id` in `role` from the boot script `boot` (a URL), to
    /// import the engine's glue `script`. Attachment: what it starts with
    /// (the compiled module; a memory to join or the size of its own).
    /// Answered with [`FactoryReply::Made`] or [`FactoryReply::Failed`].
    Spawn {
        id: u32,
        role: Role,
        boot: String,
        script: String,
    },
    /// Hand worker `id` an envelope through the page (`Worker.postMessage`).
    /// Attachment: `[envelope, transfer list]`. For what a port between
    /// workers cannot carry (a `SharedArrayBuffer` in Firefox) or would
    /// copy (a transferred buffer in Firefox, see `docs/architecture.md`).
    Relay { id: u32 },
    /// End worker `id` (and the threads the page made for it).
    End { id: u32 },
}

/// Page → engine: the factory's answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactoryReply {
    /// Worker `id` runs. Attachment: the engine's end of a channel to it.
    Made { id: u32 },
    /// Worker `id` could not be made, or failed later.
    Failed { id: u32, message: String },
    /// Worker `id` sent the engine an envelope through the page (see
    /// [`ProcessToPage::Relay`]). Attachment: that envelope.
    Relayed { id: u32 },
}

/// One step of a run: these models on this workload, measured
/// `warmup + repeats` times each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRequest {
    /// Each step has its own id: late messages of an earlier one are ignored.
    pub step: u32,
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
        step: u32,
        model: ModelId,
        /// 1-based; warm-up rounds come first and are counted in `warmup`.
        round: u32,
        rounds: u32,
        warmup: bool,
    },
    Done {
        step: u32,
        measurements: Vec<Measurement>,
        live_processes: u32,
    },
    /// This machine's limits, as [`ToEngine::Calibrate`] asked.
    Calibrated {
        step: u32,
        calibration: Calibration,
    },
    /// The step stopped early on request.
    Cancelled {
        step: u32,
        /// The model that was running when the request came.
        model: Option<ModelId>,
        /// When the model had stopped, on the shared clock.
        stopped_at_ms: f64,
        /// Rebuilding the process pool after its workers were terminated.
        rebuild_ms: f64,
        live_processes: u32,
    },
    Failed {
        step: Option<u32>,
        message: String,
    },
}

/// Engine → process worker: each a request its answer names by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToProcess {
    /// Run task `task`; answered by [`FromProcess::TaskDone`].
    Task { task: u32, workload: Workload },
    /// An empty task: what dispatching to a pool costs, with no work.
    /// Answered by [`FromProcess::Pong`].
    Ping,
    /// `hybrid`: start a pool of `threads` threads in this process (the
    /// page makes them, see [`ProcessToPage`]); answered by `PoolReady`.
    StartPool { threads: u32 },
    /// `hybrid`: run these tasks on the process's pool, under a GIL of the
    /// process's own when `gil_switch_ms` is given, as
    /// `ProcessPoolExecutor.map` hands a chunk of its tasks to a process.
    /// Worker numbers in the answer start at `first_worker`, so rows of
    /// all processes differ. Answered by [`FromProcess::ChunkDone`].
    Chunk {
        tasks: Vec<u32>,
        workload: Workload,
        gil_switch_ms: Option<f64>,
        first_worker: u32,
    },
    /// This machine's copy rates for its limits, measured in this
    /// process's own memory, which ends with it (in the engine's, the
    /// buffers would stay for the page's life: wasm memory never shrinks):
    /// `bytes` within wasm memory, or, `from_js`, from a JS buffer into it
    /// (one or the other, so that no process holds both sets of buffers).
    /// Answered by [`FromProcess::Copied`].
    Memcpy { bytes: u64, from_js: bool },
}

/// What one task did, on the shared clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskReport {
    pub task: u32,
    pub worker: u32,
    pub start_ms: f64,
    pub end_ms: f64,
    /// The task's output as a decimal string, or why it failed: an error
    /// crosses a process boundary only as text, as a pickled traceback would.
    pub result: Result<String, TaskFailure>,
    /// The requests it answered (the io lesson's convoy).
    pub responses: Vec<Response>,
}

impl TaskReport {
    pub fn of(outcome: TaskOutcome) -> TaskReport {
        TaskReport {
            task: outcome.task,
            worker: outcome.worker,
            start_ms: outcome.start_ms,
            end_ms: outcome.end_ms,
            result: outcome.result.map(|v| v.to_string()),
            responses: outcome.responses,
        }
    }

    /// The outcome the engine keeps, with `sender` (which process, in
    /// words) named in what came back as text: the error value stayed
    /// behind in the process, as a traceback would.
    pub fn into_outcome(self, sender: &str) -> TaskOutcome {
        TaskOutcome {
            task: self.task,
            worker: self.worker,
            start_ms: self.start_ms,
            end_ms: self.end_ms,
            result: match self.result {
                Ok(v) => v
                    .parse::<u128>()
                    .map_err(|_| TaskFailure::Failed(format!("{sender} sent {v:?}"))),
                Err(TaskFailure::Failed(m)) => Err(TaskFailure::Failed(format!(
                    "{m} — reported by {sender} as text"
                ))),
                Err(other) => Err(other),
            },
            responses: self.responses,
        }
    }
}

/// A process → the page that made it (not the engine).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessToPage {
    /// `hybrid`: make the threads of this process's pool. Attachment:
    /// `{ module, memory }`, the process's own compiled module and memory,
    /// which each thread instantiates and joins.
    SpawnThreads {
        /// The boot script of a pool thread, and the glue it imports.
        url: String,
        script: String,
        /// Per thread, where its rayon thread state lies in the memory.
        ptrs: Vec<u32>,
    },
    /// Pass an answer on to the engine. Attachment: `[envelope, transfer
    /// list]`. A buffer sent back this way is transferred at each hop; on
    /// a port between workers Firefox would copy it.
    Relay,
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

/// Process (or parked thread) worker → engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FromProcess {
    /// A spare (started with `hold`): its worker and scripts are loaded,
    /// and it waits for `instantiate`. On the shared clock: when its boot
    /// script began, and when it was ready to instantiate.
    Warm {
        script_ms: f64,
        warm_ms: f64,
    },
    /// A thread joined the engine's memory and is parked on its slot.
    Parked {
        script_ms: f64,
        parked_ms: f64,
    },
    /// Instantiated; when each part of its start happened. Unasked from
    /// a process started cold, the answer to `instantiate` from a spare.
    Ready {
        boot: Option<Boot>,
    },
    TaskDone {
        report: TaskReport,
        /// The transfer lesson: how the task's buffer came in.
        received: Option<Received>,
    },
    Pong,
    PoolReady {
        threads: u32,
    },
    ChunkDone {
        reports: Vec<TaskReport>,
        spans: Vec<Span>,
    },
    /// GB/s of copying within wasm memory, first touch and touched before,
    /// or from a JS buffer into it ([`ToProcess::Memcpy`]).
    Copied {
        cold_gbps: Option<f64>,
        warm_gbps: Option<f64>,
        copy_in_gbps: Option<f64>,
    },
    /// The worker could not start (its boot script says so, [`BootMessage`]),
    /// or could not read a request.
    Failed {
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::Calibration;
    use crate::interleaving::Event;
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

    fn report(result: Result<String, TaskFailure>, responses: Vec<Response>) -> TaskReport {
        TaskReport {
            task: 0,
            worker: 1,
            start_ms: 1.5,
            end_ms: 9.0,
            result,
            responses,
        }
    }

    #[test]
    fn messages_cross_with_every_field_set_or_empty() {
        crosses(ToProcess::Task {
            task: 1,
            workload: Workload::Cpu(Cpu {
                tasks: 2,
                n: 10_000_000_000,
            }),
        });
        crosses(ToProcess::Ping);
        for from_js in [false, true] {
            crosses(ToProcess::Memcpy {
                bytes: 64 << 20,
                from_js,
            });
        }
        crosses(FromProcess::Copied {
            cold_gbps: Some(1.4),
            warm_gbps: Some(7.8),
            copy_in_gbps: None,
        });
        crosses(FromProcess::Copied {
            cold_gbps: None,
            warm_gbps: None,
            copy_in_gbps: Some(9.6),
        });
        // Empty and full optional parts alike: postcard has no field names,
        // so a field skipped when empty would shift every field after it.
        crosses(FromProcess::TaskDone {
            report: report(Err(TaskFailure::Failed("boom".into())), vec![]),
            received: None,
        });
        crosses(FromProcess::TaskDone {
            report: report(
                Ok("42".into()),
                vec![Response {
                    arrived_ms: 3.0,
                    done_ms: 8.25,
                }],
            ),
            received: Some(Received {
                arrived_ms: 1.25,
                grow_ms: 0.01,
                copy_ms: 6.0,
                checksum_ms: 1.0,
                first_touch: true,
            }),
        });
        crosses(ToEngineWorker::Command(ToEngine::Cancel { step: 4 }));
        crosses(ToEngineWorker::Command(ToEngine::Run(StepRequest {
            step: 2,
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
        })));
        crosses(ToEngineWorker::Factory(FactoryReply::Failed {
            id: 3,
            message: "no".into(),
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
        // Every kind of event, with and without what a write replaced.
        full.trace = vec![
            Event::read(0, 41, 0),
            Event::wait(1, 1),
            Event {
                switched: true,
                ..Event::write(0, 42, 41, 2)
            },
            Event::store(1, 42, 3),
            Event::add(1, u64::MAX, u64::MAX - 1, u64::MAX),
        ];
        crosses(FromEngineWorker::Event(FromEngine::Done {
            step: 7,
            measurements: vec![bare, full],
            live_processes: 2,
        }));
        crosses(FromEngine::Calibrated {
            step: 1,
            calibration: Calibration::default(),
        });
        crosses(FromProcess::Ready { boot: None });
        crosses(FromProcess::ChunkDone {
            reports: vec![report(Ok("1".into()), vec![])],
            spans: vec![],
        });
        crosses(ProcessToPage::SpawnThreads {
            url: "./pool_thread_boot.js".into(),
            script: "./app.js".into(),
            ptrs: vec![8, 16],
        });
    }

    #[test]
    fn every_workload_crosses_to_a_process() {
        for id in crate::workloads::WORKLOAD_IDS {
            let workload = Workload::default_for(id).unwrap();
            crosses(ToProcess::Chunk {
                tasks: vec![0, 2],
                workload: workload.clone(),
                gil_switch_ms: Some(5.0),
                first_worker: 2,
            });
            crosses(ToProcess::Task { task: 0, workload });
        }
        // The counter's traced repeat crosses as its shape; its log stays.
        let traced = Workload::default_for("counter")
            .unwrap()
            .traced(2, crate::interleaving::LogHandle::default())
            .unwrap();
        crosses(ToProcess::Task {
            task: 1,
            workload: traced,
        });
    }

    #[test]
    fn the_page_tells_events_factory_requests_and_the_cancel_cell_apart() {
        let spawn = FromEngineWorker::Factory(FactoryRequest::Spawn {
            id: 3,
            role: Role::Process,
            boot: "./process_boot.js".into(),
            script: "./engine.js".into(),
        });
        crosses(spawn.clone());
        let event = FromEngineWorker::Event(FromEngine::Progress {
            step: 1,
            model: ModelId::Seq,
            round: 1,
            rounds: 2,
            warmup: true,
        });
        crosses(event.clone());
        let cell = FromEngineWorker::CancelCell {
            cancel: 8,
            tasks_finished: 12,
        };
        crosses(cell.clone());
        let tags: Vec<u8> = [&spawn, &event, &cell]
            .iter()
            .map(|m| encode(m)[0])
            .collect();
        assert!(tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2]);
        assert!(
            decode::<FromEngineWorker>(&[9, 0]).is_err(),
            "no such variant"
        );
    }

    #[test]
    fn a_role_is_spelled_the_same_both_ways() {
        for role in [
            Role::Engine { workers: 3 },
            Role::Process,
            Role::Thread,
            Role::PoolThread,
        ] {
            assert_eq!(Role::parse(role.id(), 3), Some(role));
            assert!(role.boot_script().ends_with("_boot.js"));
            crosses(FactoryRequest::Spawn {
                id: 1,
                role,
                boot: String::new(),
                script: String::new(),
            });
        }
        assert_eq!(
            Role::parse("engine", 0),
            Some(Role::Engine { workers: 1 }),
            "an engine has at least one thread"
        );
        assert_eq!(Role::parse("process:3", 1), None, "no role from a name");
    }

    #[test]
    fn a_process_result_is_read_once_with_its_sender_named() {
        let ok = report(Ok("42".into()), vec![]).into_outcome("process worker 1");
        assert_eq!(ok.result, Ok(42));
        let garbled = report(Ok("4x".into()), vec![]).into_outcome("process worker 1");
        assert_eq!(
            garbled.result,
            Err(TaskFailure::Failed("process worker 1 sent \"4x\"".into()))
        );
        let failed =
            report(Err(TaskFailure::Failed("boom".into())), vec![]).into_outcome("process 0");
        assert_eq!(
            failed.result,
            Err(TaskFailure::Failed(
                "boom — reported by process 0 as text".into()
            ))
        );
        let cancelled = report(Err(TaskFailure::Cancelled), vec![]).into_outcome("process 0");
        assert_eq!(cancelled.result, Err(TaskFailure::Cancelled));
        let back = TaskReport::of(ok);
        assert_eq!(back.result, Ok("42".to_string()));
    }

    #[test]
    fn boot_messages_mean_what_the_receiver_expects() {
        let failed = || BootMessage::Failed {
            message: "x".into(),
        };
        assert_eq!(
            FromEngineWorker::from_boot(failed()),
            Some(FromEngineWorker::Event(FromEngine::Failed {
                step: None,
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
        assert_eq!(
            FromProcess::from_boot(BootMessage::Parked {
                script_ms: 1.0,
                parked_ms: 2.0
            }),
            Some(FromProcess::Parked {
                script_ms: 1.0,
                parked_ms: 2.0
            })
        );
        // Only a worker's boot script speaks first; the engine never
        // answers the page with one, nor the page a process.
        assert_eq!(
            FromEngineWorker::from_boot(BootMessage::Parked {
                script_ms: 0.0,
                parked_ms: 0.0
            }),
            None
        );
        assert_eq!(ToEngineWorker::from_boot(failed()), None);
        assert_eq!(ToProcess::from_boot(failed()), None);
        assert_eq!(ProcessToPage::from_boot(failed()), None);
    }
}
