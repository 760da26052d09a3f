//! Process workers. Each is a Web Worker with its own wasm instance and
//! memory, made from the one compiled module, reached by a [`Mailbox`].
//! [`Launcher`] starts and ends them; the models use them in their own
//! ways: the `procs` [`Pool`] started up front, `fork`'s fresh process per
//! task from a [`ForkServer`]'s warm spares, and `hybrid`'s processes with
//! threads of their own ([`HybridPool`]). [`Processes`] holds all of them
//! for the engine and runs a step's tasks on them.

use super::fork::ForkServer;
use super::hybrid::HybridPool;
use super::mailbox::{Mailbox, Outgoing, Requested};
use super::now_ms;
use super::shared::{new_counter_buffer, Sender};
use super::{factory, js_object};
use crate::calibrate::Boot;
use crate::config;
use crate::models::{RunControl, Span, SpanKind, TaskOutcome};
use crate::protocol::{FromProcess, Role, ToProcess};
use crate::workloads::transfer::Handover;
use crate::workloads::{TaskFailure, Workload};
use futures_util::future::join_all;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use wasm_bindgen::prelude::*;

/// Starts and ends process workers, and knows which are alive (a cancel
/// ends them all).
pub struct Launcher {
    /// The engine's own compiled module: a process instantiates it afresh,
    /// with memory of its own, so starting one costs no download or compile.
    module: JsValue,
    live: RefCell<Vec<Rc<Mailbox>>>,
}

impl Launcher {
    fn new() -> Launcher {
        Launcher {
            module: wasm_bindgen::module(),
            live: RefCell::new(Vec::new()),
        }
    }

    /// Starts one process worker and waits until it is ready, with when
    /// each part of its start happened (if the worker said).
    pub async fn spawn_timed(&self) -> Result<(Rc<Mailbox>, Option<Boot>), String> {
        let asked_ms = now_ms();
        let mb = Rc::new(
            factory::request(Role::Process, &self.init(false))?
                .open()
                .await?,
        );
        self.adopt(&mb);
        match mb.said::<FromProcess>().await?.0 {
            FromProcess::Ready { boot } => {
                let ready_ms = now_ms();
                let boot = boot.map(|b| Boot {
                    asked_ms,
                    ready_ms,
                    ..b
                });
                Ok((mb, boot))
            }
            FromProcess::Failed { message } => Err(message),
            other => Err(format!("a process first said {other:?}")),
        }
    }

    pub async fn spawn(&self) -> Result<Rc<Mailbox>, String> {
        self.spawn_timed().await.map(|(mb, _)| mb)
    }

    /// A spare: a worker that loads its scripts and waits, with no
    /// instance or memory of its own yet (see `www/process_boot.js`).
    pub fn request_spare(&self) -> Result<Requested, String> {
        factory::request(Role::Process, &self.init(true))
    }

    /// What a process worker starts with: the engine's module, whether it
    /// waits as a spare, and in the full build the size of the shared
    /// memory it makes for itself (see `config::PROCESS_MEMORY_MAX_MIB`):
    /// the glue would make one as large as the engine's.
    fn init(&self, hold: bool) -> JsValue {
        let hold = JsValue::from_bool(hold);
        if !cfg!(feature = "threads") {
            return js_object(&[("module", &self.module), ("hold", &hold)]);
        }
        // In wasm pages of 64 KiB, as `WebAssembly.Memory` takes them.
        let memory = js_object(&[
            ("initial", &JsValue::from(config::MODULE_INITIAL_PAGES)),
            (
                "maximum",
                &JsValue::from(config::PROCESS_MEMORY_MAX_MIB * 16),
            ),
        ]);
        js_object(&[
            ("module", &self.module),
            ("hold", &hold),
            ("memory", &memory),
        ])
    }

    /// From now on `mb` is a process of the run: a cancel ends it too.
    pub fn adopt(&self, mb: &Rc<Mailbox>) {
        self.live.borrow_mut().push(mb.clone());
    }

    /// Ends every process worker at once, as `terminate()` does: whatever
    /// they were running is lost, and whoever waited on them hears `why`.
    pub fn terminate_all(&self, why: &str) {
        for mb in self.live.borrow().iter() {
            mb.terminate(why);
        }
        self.prune();
    }

    pub fn end(&self, mb: &Mailbox) {
        mb.terminate("ended");
        self.prune();
    }

    fn prune(&self) {
        self.live.borrow_mut().retain(|mb| !mb.is_closed());
    }

    pub fn live_count(&self) -> u32 {
        self.prune();
        self.live.borrow().len() as u32
    }
}

/// `procs`: processes started before the run and reused by every task.
#[derive(Default)]
pub struct Pool {
    workers: RefCell<Vec<Rc<Mailbox>>>,
}

impl Pool {
    /// Tops the pool up to `size` live workers (after a cancel or a crash).
    pub async fn fill(&self, launcher: &Launcher, size: u32) -> Result<(), String> {
        self.workers.borrow_mut().retain(|mb| !mb.is_closed());
        let missing = size.saturating_sub(self.workers.borrow().len() as u32);
        let started = join_all((0..missing).map(|_| launcher.spawn())).await;
        for mb in started {
            self.workers.borrow_mut().push(mb?);
        }
        Ok(())
    }

    fn first(&self, n: u32) -> Vec<Rc<Mailbox>> {
        let workers = self.workers.borrow();
        workers.iter().take(n as usize).cloned().collect()
    }

    /// One dispatch of an empty task to pool worker `index` and its
    /// reply: the cost of handing work to a process that is already running.
    pub async fn ping(&self, index: usize) -> Result<(), String> {
        let mb = {
            let workers = self.workers.borrow();
            let n = workers.len().max(1);
            workers
                .get(index % n)
                .cloned()
                .ok_or("the pool has no workers")?
        };
        match mb.ask(&ToProcess::Ping, &Outgoing::none()).await?.0 {
            FromProcess::Pong => Ok(()),
            other => Err(unexpected("a ping", &other)),
        }
    }
}

/// An answer that is not the one asked for, in words.
pub fn unexpected(asked: &str, said: &FromProcess) -> String {
    match said {
        FromProcess::Failed { message } => message.clone(),
        other => format!("a process answered {asked} with {other:?}"),
    }
}

/// Every process worker the engine has started and not yet ended, by use.
pub struct Processes {
    pub launcher: Launcher,
    pub pool: Pool,
    pub forks: ForkServer,
    pub hybrid: HybridPool,
    /// The transfer lesson's sender, kept between runs of one size and via.
    sender: RefCell<Option<Sender>>,
    /// The transfer lesson's breakdowns since the engine last took them.
    handovers: RefCell<Vec<Handover>>,
    /// The engine's run control, passed in rather than imported so this
    /// module does not depend on the engine that drives it.
    control: &'static RunControl,
}

/// The tasks of one step handed to process workers: what each task
/// carries beside its message, and what came back.
struct Dispatch<'a> {
    control: &'a RunControl,
    workload: &'a Workload,
    next: Cell<u32>,
    outcomes: RefCell<Vec<TaskOutcome>>,
    spans: RefCell<Vec<Span>>,
    counter: Option<js_sys::SharedArrayBuffer>,
    /// A traced repeat's log, beside the counter.
    log: Option<js_sys::SharedArrayBuffer>,
    sender: RefCell<Option<Sender>>,
    handovers: RefCell<Vec<Handover>>,
}

impl Dispatch<'_> {
    /// The next task nobody has taken; none once the run is cancelled, so a
    /// worker terminated mid-task does not start the next one elsewhere.
    fn take_task(&self) -> Option<u32> {
        if self.control.cancel.load(Ordering::Relaxed) {
            return None;
        }
        let t = self.next.get();
        (t < self.workload.tasks()).then(|| {
            self.next.set(t + 1);
            t
        })
    }

    fn attachment(&self) -> Outgoing {
        if let (Some(sab), Some(log)) = (&self.counter, &self.log) {
            return Outgoing::plain(js_object(&[("counter", sab), ("log", log)]));
        }
        if let Some(sab) = &self.counter {
            return Outgoing::plain(sab.clone().into());
        }
        match self.sender.borrow_mut().as_mut() {
            Some(s) => s.take(),
            None => Outgoing::none(),
        }
    }

    /// Hands task `task` to `mb` and waits for its result.
    async fn run_on(&self, mb: &Mailbox, worker: u32, task: u32) -> Result<(), String> {
        // A process made while Cancel was being carried out (a fork whose
        // spare was still starting) escaped `terminate_all`: it must not
        // start a task the run no longer wants.
        if self.control.cancel.load(Ordering::Relaxed) {
            return Err("cancelled".to_string());
        }
        let t0 = now_ms();
        let out = self.attachment();
        let msg = ToProcess::Task {
            task,
            workload: self.workload.clone(),
        };
        let (answer, posted_ms) = mb.ask_timed(&msg, &out).await?;
        let (report, received) = match answer {
            (FromProcess::TaskDone { report, received }, back) => {
                if let Some(s) = self.sender.borrow_mut().as_mut() {
                    s.give_back(back);
                }
                (report, received)
            }
            (other, _) => return Err(unexpected("a task", &other)),
        };
        if let Some(r) = received {
            self.handovers.borrow_mut().push(Handover {
                serialize_ms: posted_ms - t0,
                deliver_ms: (r.arrived_ms - posted_ms).max(0.0),
                grow_ms: r.grow_ms,
                copy_ms: r.copy_ms,
                checksum_ms: r.checksum_ms,
                cold: r.first_touch || out.fresh,
            });
        }
        let outcome = report.into_outcome(&format!("process worker {worker}"));
        // The engine's worker numbers, not the process's own.
        self.outcomes.borrow_mut().push(TaskOutcome {
            task,
            worker,
            ..outcome
        });
        self.control.finished.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn fail(&self, task: u32, worker: u32, why: &str) {
        self.outcomes.borrow_mut().push(TaskOutcome::failed(
            task,
            worker,
            now_ms(),
            TaskFailure::Failed(format!("process worker {worker} died: {why}")),
        ));
    }
}

impl Processes {
    pub async fn start(workers: u32, control: &'static RunControl) -> Result<Processes, String> {
        let p = Processes {
            launcher: Launcher::new(),
            pool: Pool::default(),
            forks: ForkServer::default(),
            hybrid: HybridPool::default(),
            sender: RefCell::new(None),
            handovers: RefCell::new(Vec::new()),
            control,
        };
        p.fill_pool(workers).await?;
        Ok(p)
    }

    pub async fn fill_pool(&self, size: u32) -> Result<(), String> {
        self.pool.fill(&self.launcher, size).await
    }

    /// Ends what serves one step only: hybrid's processes and fork's
    /// spares (between runs they would only hold memory and threads).
    pub fn end_step(&self) {
        self.hybrid.end(&self.launcher);
        self.forks.end_spares();
    }

    fn dispatch<'a>(&self, workload: &'a Workload) -> Dispatch<'a> {
        // Without shared memory only `sync=messages` runs, which needs no
        // common counter (see `capabilities.rs`).
        let counter = (matches!(workload, Workload::Counter(_)) && super::shared_memory())
            .then(new_counter_buffer);
        let sender = match workload {
            Workload::Transfer(t) => {
                let kept = self.sender.borrow_mut().take();
                let (via, len) = (t.via, t.len_bytes());
                Some(
                    kept.filter(|s| s.fits(via, len))
                        .unwrap_or_else(|| Sender::new(via, len)),
                )
            }
            _ => None,
        };
        Dispatch {
            control: self.control,
            workload,
            next: Cell::new(0),
            outcomes: RefCell::new(Vec::new()),
            spans: RefCell::new(Vec::new()),
            counter,
            log: None,
            sender: RefCell::new(sender),
            handovers: RefCell::new(Vec::new()),
        }
    }

    /// `procs`: the tasks go to the pool's workers, each taking the next
    /// task when it is free (`Pool.map` with chunks of one).
    pub async fn run_pool(
        &self,
        workload: &Workload,
        workers: u32,
    ) -> (Vec<TaskOutcome>, Vec<Span>) {
        self.pool_tasks(self.dispatch(workload), workers).await
    }

    /// The counter lesson's traced repeat on `model`'s processes: `traced`
    /// (`Counter::traced`) with a log of `shape` in a `SharedArrayBuffer`
    /// beside the shared counter, which every process records into.
    pub async fn run_traced(
        &self,
        model: crate::models::ModelId,
        traced: &Workload,
        workers: u32,
        shape: crate::interleaving::LogShape,
    ) -> Vec<crate::interleaving::Event> {
        let log = super::shared::SabLog::new_buffer(shape);
        let mut dispatch = self.dispatch(traced);
        dispatch.log = Some(log.clone());
        if model == crate::models::ModelId::Fork {
            self.fork_tasks(dispatch, workers).await;
        } else {
            self.pool_tasks(dispatch, workers).await;
        }
        super::shared::SabLog::events(&log)
    }

    async fn pool_tasks(
        &self,
        dispatch: Dispatch<'_>,
        workers: u32,
    ) -> (Vec<TaskOutcome>, Vec<Span>) {
        let pool = self.pool.first(workers);
        join_all(pool.iter().enumerate().map(|(i, mb)| {
            let dispatch = &dispatch;
            async move {
                while let Some(task) = dispatch.take_task() {
                    if let Err(why) = dispatch.run_on(mb, i as u32, task).await {
                        dispatch.fail(task, i as u32, &why);
                        mb.terminate(&why);
                        break;
                    }
                }
            }
        }))
        .await;
        self.finish(dispatch)
    }

    /// `fork`: every task gets a fresh process, made from a spare when the
    /// task is due and ended after it; at most `workers` at a time. A task
    /// that finds no spare warm waits for one, and its start shows it.
    pub async fn run_fork(
        &self,
        workload: &Workload,
        workers: u32,
    ) -> (Vec<TaskOutcome>, Vec<Span>) {
        self.fork_tasks(self.dispatch(workload), workers).await
    }

    async fn fork_tasks(
        &self,
        dispatch: Dispatch<'_>,
        workers: u32,
    ) -> (Vec<TaskOutcome>, Vec<Span>) {
        self.forks.keep(&self.launcher, workers);
        join_all((0..workers).map(|slot| {
            let dispatch = &dispatch;
            async move {
                while let Some(task) = dispatch.take_task() {
                    let t0 = now_ms();
                    let mb = match self.forks.fork(&self.launcher).await {
                        Ok(mb) => mb,
                        Err(why) => {
                            dispatch.fail(task, slot, &why);
                            continue;
                        }
                    };
                    dispatch.spans.borrow_mut().push(Span {
                        worker: slot,
                        task,
                        kind: SpanKind::Spawn,
                        start_ms: t0,
                        end_ms: now_ms(),
                    });
                    if let Err(why) = dispatch.run_on(&mb, slot, task).await {
                        dispatch.fail(task, slot, &why);
                    }
                    self.launcher.end(&mb);
                }
            }
        }))
        .await;
        self.finish(dispatch)
    }

    fn finish(&self, dispatch: Dispatch<'_>) -> (Vec<TaskOutcome>, Vec<Span>) {
        // Tasks no worker got to (every worker died) are failures too.
        let mut outcomes = dispatch.outcomes.into_inner();
        let now = now_ms();
        for task in 0..dispatch.workload.tasks() {
            if !outcomes.iter().any(|o| o.task == task) {
                outcomes.push(TaskOutcome::failed(
                    task,
                    0,
                    now,
                    TaskFailure::Failed("never ran: no process worker was left".to_string()),
                ));
            }
        }
        self.launcher.prune();
        *self.sender.borrow_mut() = dispatch.sender.into_inner();
        self.handovers
            .borrow_mut()
            .extend(dispatch.handovers.into_inner());
        (outcomes, dispatch.spans.into_inner())
    }

    /// The transfer breakdowns of every task since the last call.
    pub fn take_handovers(&self) -> Vec<Handover> {
        std::mem::take(&mut self.handovers.borrow_mut())
    }
}
