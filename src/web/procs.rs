//! Process workers: the `procs` pool started up front, a fresh process per
//! task for `fork`, and the `spawn` lesson's start-and-join loops. Each
//! process is a Web Worker with its own wasm instance and memory, made from
//! one compiled module.

use super::mailbox::{Mailbox, Requested};
use super::shared::{new_counter_buffer, Outbox, Outgoing};
use super::{boot_message, envelope, instantiate_envelope, open_envelope};
use super::{js_object, now_ms};
use crate::calibrate::Boot;
use crate::config;
use crate::models::{RunControl, Span, SpanKind, TaskOutcome};
use crate::protocol::{BootMessage, FromProcess, ToProcess};
use crate::workloads::transfer::Handover;
use crate::workloads::{TaskFailure, Workload};
use futures_util::future::join_all;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use wasm_bindgen::prelude::*;

/// Where the worker scripts are: boot scripts beside the engine's own
/// (`base`), and the glue every worker imports (`glue`).
pub struct Urls {
    pub process_boot: String,
    pub thread_boot: String,
    pub pool_thread_boot: String,
    pub glue: String,
}

impl Urls {
    pub fn beside(base: &str, glue: String) -> Urls {
        let dir = &base[..base.rfind('/').map_or(0, |i| i + 1)];
        Urls {
            process_boot: format!("{dir}process_boot.js"),
            thread_boot: format!("{dir}thread_boot.js"),
            pool_thread_boot: format!("{dir}pool_thread_boot.js"),
            glue,
        }
    }
}

/// A worker started with `hold` (see `www/process_boot.js`): it loads
/// its scripts and waits, with no instance or memory of its own yet.
enum Spare {
    /// Asked of the page; it may still be starting.
    Asked { requested: Requested, asked_ms: f64 },
    /// It said `warm`.
    Warm(WarmSpare),
}

/// A spare that said it is warm, and how long that took from asking for
/// it: the cold start a fork server pays ahead of time.
pub struct WarmSpare {
    mb: Rc<Mailbox>,
    cold_ms: f64,
}

/// How one fork started, in ms.
pub struct ForkStart {
    /// From asking a warm spare to instantiate to hearing it is ready.
    pub start_ms: f64,
    /// The spare's own start, from asking for it to its saying `warm`.
    pub cold_ms: f64,
    /// Of `start_ms`, instantiating the module (if the process said).
    pub instantiate_ms: Option<f64>,
}

struct Hybrid {
    threads: u32,
    procs: Vec<Rc<Mailbox>>,
}

/// Every process worker the engine has started and not yet ended.
pub struct Processes {
    pub urls: Urls,
    /// The engine's own compiled module: a process instantiates it afresh,
    /// with memory of its own, so starting one costs no download or compile.
    pub module: JsValue,
    pub pool: RefCell<Vec<Rc<Mailbox>>>,
    /// `hybrid`'s processes, each with its pool of threads, kept for the
    /// runs that ask for the same shape.
    hybrid: RefCell<Option<Hybrid>>,
    live: RefCell<Vec<Rc<Mailbox>>>,
    started: Cell<u32>,
    /// Workers started with their scripts loaded and no instance yet, for
    /// `fork` to make processes from (a fork server's idle children), and
    /// how many to keep.
    spares: RefCell<VecDeque<Spare>>,
    spare_target: Cell<u32>,
    /// Each fork's start since the engine last took them.
    fork_starts: RefCell<Vec<ForkStart>>,
    /// The transfer lesson's sender, kept between runs of one size and via.
    outbox: RefCell<Option<Outbox>>,
    /// The transfer lesson's breakdowns since the engine last took them.
    handovers: RefCell<Vec<Handover>>,
    /// The engine's run control, passed in rather than imported so this
    /// module does not depend on the engine that drives it.
    control: &'static RunControl,
}

/// One batch of tasks on process workers: what each task carries beside
/// its message, and what came back.
struct Batch<'a> {
    run: u32,
    control: &'a RunControl,
    workload: &'a Workload,
    next: Cell<u32>,
    outcomes: RefCell<Vec<TaskOutcome>>,
    spans: RefCell<Vec<Span>>,
    counter: Option<js_sys::SharedArrayBuffer>,
    outbox: RefCell<Option<Outbox>>,
    handovers: RefCell<Vec<Handover>>,
}

impl Batch<'_> {
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
        if let Some(sab) = &self.counter {
            return Outgoing::plain(sab.clone().into());
        }
        match self.outbox.borrow_mut().as_mut() {
            Some(o) => o.take(),
            None => Outgoing::plain(JsValue::UNDEFINED),
        }
    }

    /// Posts task `task` to `mb` and waits for its result.
    async fn run_on(&self, mb: &Mailbox, worker: u32, task: u32) -> Result<(), String> {
        let t0 = now_ms();
        let out = self.attachment();
        let msg = ToProcess::Task {
            run: self.run,
            task,
            workload: self.workload.clone(),
        };
        let data = envelope(&msg, &out.attachment);
        if out.attachment.is_instance_of::<js_sys::SharedArrayBuffer>() {
            mb.post_via_page(&data, &out.transfer)?;
        } else {
            mb.post(&data, &out.transfer)?;
        }
        let posted_ms = now_ms();
        loop {
            let data = mb.recv().await?;
            let (reply, back) = open_envelope::<FromProcess>(data)?;
            match reply {
                FromProcess::TaskDone {
                    run,
                    task: t,
                    start_ms,
                    end_ms,
                    result,
                    responses,
                    received,
                } if run == self.run && t == task => {
                    if let Some(o) = self.outbox.borrow_mut().as_mut() {
                        o.give_back(back);
                    }
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
                    let result = match result {
                        Ok(v) => v.parse::<u128>().map_err(|_| {
                            TaskFailure::Failed(format!("process worker {worker} sent {v:?}"))
                        }),
                        // Only the text crossed: the error value stayed behind.
                        Err(TaskFailure::Failed(m)) => Err(TaskFailure::Failed(format!(
                            "{m} — reported by process worker {worker} as text"
                        ))),
                        Err(other) => Err(other),
                    };
                    self.outcomes.borrow_mut().push(TaskOutcome {
                        task,
                        worker,
                        start_ms,
                        end_ms,
                        result,
                        responses,
                    });
                    self.control.finished.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                FromProcess::Failed { message } => return Err(message),
                _ => continue,
            }
        }
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
    pub async fn start(
        urls: Urls,
        workers: u32,
        control: &'static RunControl,
    ) -> Result<Processes, String> {
        let p = Processes {
            urls,
            module: wasm_bindgen::module(),
            pool: RefCell::new(Vec::new()),
            hybrid: RefCell::new(None),
            live: RefCell::new(Vec::new()),
            started: Cell::new(0),
            spares: RefCell::new(VecDeque::new()),
            spare_target: Cell::new(0),
            fork_starts: RefCell::new(Vec::new()),
            outbox: RefCell::new(None),
            handovers: RefCell::new(Vec::new()),
            control,
        };
        p.fill_pool(workers).await?;
        Ok(p)
    }

    /// Starts one process worker and waits until it is ready.
    pub async fn spawn(&self) -> Result<Rc<Mailbox>, String> {
        self.spawn_timed().await.map(|(mb, _)| mb)
    }

    /// [`Processes::spawn`], and when each part of the start happened (if
    /// the worker said).
    pub async fn spawn_timed(&self) -> Result<(Rc<Mailbox>, Option<Boot>), String> {
        let asked_ms = now_ms();
        let n = self.started.get();
        self.started.set(n + 1);
        let init = self.process_init(false);
        let name = format!("process:{n}");
        let mb = Mailbox::spawn(&self.urls.process_boot, &name, &self.urls.glue, &init);
        let mb = Rc::new(mb.await?);
        self.live.borrow_mut().push(mb.clone());
        let (reply, _) = open_envelope::<FromProcess>(mb.recv().await?)?;
        match reply {
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
            other => Err(format!("unexpected first message {other:?}")),
        }
    }

    /// What a process worker starts with: the engine's module, whether it
    /// waits as a spare, and in the full build the size of the shared
    /// memory it makes for itself (see `config::PROCESS_MEMORY_MAX_MIB`):
    /// the glue would make one as large as the engine's.
    fn process_init(&self, hold: bool) -> JsValue {
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

    /// Keeps `n` spares started from now on, so a fork finds one warm.
    pub fn keep_spares(&self, n: u32) {
        self.spare_target.set(n);
        self.top_up_spares();
    }

    fn top_up_spares(&self) {
        while self.spares.borrow().len() < self.spare_target.get() as usize {
            match self.request_spare() {
                Ok(spare) => self.spares.borrow_mut().push_back(spare),
                // The fork that needs one asks again, and reports why.
                Err(_) => break,
            }
        }
    }

    fn request_spare(&self) -> Result<Spare, String> {
        let n = self.started.get();
        self.started.set(n + 1);
        let init = self.process_init(true);
        let name = format!("process:{n}");
        let asked_ms = now_ms();
        let requested = Mailbox::request(&self.urls.process_boot, &name, &self.urls.glue, &init)?;
        Ok(Spare::Asked {
            requested,
            asked_ms,
        })
    }

    /// Ends every spare, and keeps none until asked again.
    pub fn end_spares(&self) {
        self.spare_target.set(0);
        for spare in self.spares.borrow_mut().drain(..) {
            match spare {
                Spare::Warm(warm) => warm.mb.terminate("no longer kept"),
                Spare::Asked { requested, .. } => requested.end(),
            }
        }
    }

    /// Waits until every spare kept is warm, so that none is starting (and
    /// taking a core) while a fork is timed.
    pub async fn settle_spares(&self) {
        self.top_up_spares();
        let kept: Vec<Spare> = self.spares.borrow_mut().drain(..).collect();
        for spare in kept {
            // A spare that failed is dropped: the next fork asks anew.
            if let Ok(warm) = Self::warmed(spare).await {
                self.spares.borrow_mut().push_back(Spare::Warm(warm));
            }
        }
    }

    /// `spare` once it has said `warm`.
    async fn warmed(spare: Spare) -> Result<WarmSpare, String> {
        let (requested, asked_ms) = match spare {
            Spare::Warm(warm) => return Ok(warm),
            Spare::Asked {
                requested,
                asked_ms,
            } => (requested, asked_ms),
        };
        // Dropping a spare that failed ends its worker.
        let mb = Rc::new(requested.open().await?);
        match mb.recv().await.and_then(open_envelope::<FromProcess>)? {
            (FromProcess::Warm { warm_ms, .. }, _) => Ok(WarmSpare {
                mb,
                cold_ms: warm_ms - asked_ms,
            }),
            (FromProcess::Failed { message }, _) => Err(message),
            (other, _) => Err(format!("a spare worker first said {other:?}")),
        }
    }

    /// The oldest spare once it is warm (a new one if none is kept). It is
    /// replaced once it has made its process ([`Processes::instantiate`]):
    /// a worker starting beside it would take a core from its start.
    pub async fn warm_spare(&self) -> Result<WarmSpare, String> {
        let spare = self.spares.borrow_mut().pop_front();
        let spare = match spare {
            Some(spare) => spare,
            None => self.request_spare()?,
        };
        let warm = Self::warmed(spare).await?;
        // From here it is a process of the run: a cancel ends it too.
        self.live.borrow_mut().push(warm.mb.clone());
        Ok(warm)
    }

    /// Makes a process of `spare`: a new instance of the module with a
    /// memory of its own, in a worker already running. Its start is timed
    /// from the ask to the process saying it is ready.
    pub async fn instantiate(&self, spare: WarmSpare) -> Result<Rc<Mailbox>, String> {
        let WarmSpare { mb, cold_ms } = spare;
        let asked_ms = now_ms();
        let ask = instantiate_envelope();
        let said = match mb.post(&ask, &js_sys::Array::new()) {
            Ok(()) => mb.recv().await.and_then(open_envelope::<FromProcess>),
            Err(why) => Err(why),
        };
        self.top_up_spares();
        match said {
            Ok((FromProcess::Ready { boot }, _)) => {
                let ready_ms = now_ms();
                self.fork_starts.borrow_mut().push(ForkStart {
                    start_ms: ready_ms - asked_ms,
                    cold_ms,
                    instantiate_ms: boot.map(|b| b.instantiate_ms()),
                });
                Ok(mb)
            }
            Ok((FromProcess::Failed { message }, _)) | Err(message) => {
                self.end(&mb);
                Err(message)
            }
            Ok((other, _)) => {
                self.end(&mb);
                Err(format!("a spare asked to instantiate said {other:?}"))
            }
        }
    }

    /// `fork`'s start, as a fork server makes one: a fresh process from a
    /// warm spare.
    pub async fn fork(&self) -> Result<Rc<Mailbox>, String> {
        let spare = self.warm_spare().await?;
        self.instantiate(spare).await
    }

    /// The start of every fork since the last call.
    pub fn take_fork_starts(&self) -> Vec<ForkStart> {
        std::mem::take(&mut self.fork_starts.borrow_mut())
    }

    /// Tops the pool up to `size` live workers (after a cancel or a crash).
    pub async fn fill_pool(&self, size: u32) -> Result<(), String> {
        self.pool.borrow_mut().retain(|mb| !mb.is_closed());
        let missing = size.saturating_sub(self.pool.borrow().len() as u32);
        let started = join_all((0..missing).map(|_| self.spawn())).await;
        for mb in started {
            self.pool.borrow_mut().push(mb?);
        }
        Ok(())
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

    fn batch<'a>(&self, run: u32, workload: &'a Workload) -> Batch<'a> {
        // Without shared memory only `sync=messages` runs, which needs no
        // common counter (see `capabilities.rs`).
        let counter = (matches!(workload, Workload::Counter(_)) && super::shared_memory())
            .then(new_counter_buffer);
        let outbox = match workload {
            Workload::Transfer(t) => {
                let kept = self.outbox.borrow_mut().take();
                let (via, len) = (t.via, t.len_bytes());
                Some(
                    kept.filter(|o| o.fits(via, len))
                        .unwrap_or_else(|| Outbox::new(via, len)),
                )
            }
            _ => None,
        };
        Batch {
            run,
            control: self.control,
            workload,
            next: Cell::new(0),
            outcomes: RefCell::new(Vec::new()),
            spans: RefCell::new(Vec::new()),
            counter,
            outbox: RefCell::new(outbox),
            handovers: RefCell::new(Vec::new()),
        }
    }

    /// `procs`: the tasks go to the pool's workers, each taking the next
    /// task when it is free (`Pool.map` with chunks of one).
    pub async fn run_pool(
        &self,
        run: u32,
        workload: &Workload,
        workers: u32,
    ) -> (Vec<TaskOutcome>, Vec<Span>) {
        let batch = self.batch(run, workload);
        let pool: Vec<Rc<Mailbox>> = self
            .pool
            .borrow()
            .iter()
            .take(workers as usize)
            .cloned()
            .collect();
        join_all(pool.iter().enumerate().map(|(i, mb)| {
            let batch = &batch;
            async move {
                while let Some(task) = batch.take_task() {
                    if let Err(why) = batch.run_on(mb, i as u32, task).await {
                        batch.fail(task, i as u32, &why);
                        mb.terminate(&why);
                        break;
                    }
                }
            }
        }))
        .await;
        self.finish(batch)
    }

    /// `fork`: every task gets a fresh process, made from a spare when the
    /// task is due and ended after it; at most `workers` at a time. A task
    /// that finds no spare warm waits for one, and its start shows it.
    pub async fn run_fork(
        &self,
        run: u32,
        workload: &Workload,
        workers: u32,
    ) -> (Vec<TaskOutcome>, Vec<Span>) {
        let batch = self.batch(run, workload);
        self.keep_spares(workers);
        join_all((0..workers).map(|slot| {
            let batch = &batch;
            async move {
                while let Some(task) = batch.take_task() {
                    let t0 = now_ms();
                    let mb = match self.fork().await {
                        Ok(mb) => mb,
                        Err(why) => {
                            batch.fail(task, slot, &why);
                            continue;
                        }
                    };
                    batch.spans.borrow_mut().push(Span {
                        worker: slot,
                        task,
                        kind: SpanKind::Spawn,
                        start_ms: t0,
                        end_ms: now_ms(),
                    });
                    if let Err(why) = batch.run_on(&mb, slot, task).await {
                        batch.fail(task, slot, &why);
                    }
                    self.end(&mb);
                }
            }
        }))
        .await;
        self.finish(batch)
    }

    fn finish(&self, batch: Batch<'_>) -> (Vec<TaskOutcome>, Vec<Span>) {
        // Tasks no worker got to (every worker died) are failures too.
        let mut outcomes = batch.outcomes.into_inner();
        let now = now_ms();
        for task in 0..batch.workload.tasks() {
            if !outcomes.iter().any(|o| o.task == task) {
                outcomes.push(TaskOutcome::failed(
                    task,
                    0,
                    now,
                    TaskFailure::Failed("never ran: no process worker was left".to_string()),
                ));
            }
        }
        self.prune();
        *self.outbox.borrow_mut() = batch.outbox.into_inner();
        self.handovers
            .borrow_mut()
            .extend(batch.handovers.into_inner());
        (outcomes, batch.spans.into_inner())
    }

    /// The transfer breakdowns of every task since the last call.
    pub fn take_handovers(&self) -> Vec<Handover> {
        std::mem::take(&mut self.handovers.borrow_mut())
    }

    /// `procs` processes with `threads` threads each, and what starting
    /// them took (0 when the last run's are still up).
    pub async fn hybrid_pool(
        &self,
        procs: u32,
        threads: u32,
    ) -> Result<(Vec<Rc<Mailbox>>, f64), String> {
        let kept = self.hybrid.borrow().as_ref().and_then(|h| {
            let fits = h.threads == threads
                && h.procs.len() == procs as usize
                && h.procs.iter().all(|mb| !mb.is_closed());
            fits.then(|| h.procs.clone())
        });
        if let Some(kept) = kept {
            return Ok((kept, 0.0));
        }
        self.end_hybrid();
        let t0 = now_ms();
        let started = join_all((0..procs).map(|_| self.spawn_with_pool(threads))).await;
        let mut made = Vec::new();
        let mut failed = None;
        for s in started {
            match s {
                Ok(mb) => made.push(mb),
                Err(e) => failed = Some(e),
            }
        }
        if let Some(why) = failed {
            for mb in made {
                self.end(&mb);
            }
            return Err(why);
        }
        *self.hybrid.borrow_mut() = Some(Hybrid {
            threads,
            procs: made.clone(),
        });
        Ok((made, now_ms() - t0))
    }

    /// Ends hybrid's processes (the page ends their threads with them).
    pub fn end_hybrid(&self) {
        if let Some(old) = self.hybrid.borrow_mut().take() {
            for mb in old.procs {
                self.end(&mb);
            }
        }
    }

    async fn spawn_with_pool(&self, threads: u32) -> Result<Rc<Mailbox>, String> {
        let mb = self.spawn().await?;
        mb.post(
            &envelope(&ToProcess::StartPool { threads }, &JsValue::UNDEFINED),
            &js_sys::Array::new(),
        )?;
        match open_envelope::<FromProcess>(mb.recv().await?)?.0 {
            FromProcess::PoolReady { .. } => Ok(mb),
            FromProcess::Failed { message } => Err(message),
            other => Err(format!("unexpected answer to StartPool: {other:?}")),
        }
    }

    /// `hybrid`: the tasks dealt round-robin to `procs`, each running its
    /// share on its own threads (under a GIL of its own with
    /// `gil_switch_ms`), as `ProcessPoolExecutor.map` over chunks would.
    pub async fn run_hybrid(
        &self,
        run: u32,
        workload: &Workload,
        procs: &[Rc<Mailbox>],
        threads: u32,
        gil_switch_ms: Option<f64>,
    ) -> (Vec<TaskOutcome>, Vec<Span>) {
        let n = workload.tasks();
        let p = procs.len().max(1) as u32;
        let shares = join_all(procs.iter().enumerate().map(|(i, mb)| {
            let tasks: Vec<u32> = (0..n).filter(|t| t % p == i as u32).collect();
            let batch = ToProcess::Batch {
                run,
                tasks: tasks.clone(),
                workload: workload.clone(),
                gil_switch_ms,
                first_worker: i as u32 * threads,
            };
            async move {
                let answer = async {
                    if tasks.is_empty() {
                        return Ok((Vec::new(), Vec::new()));
                    }
                    mb.post(
                        &envelope(&batch, &JsValue::UNDEFINED),
                        &js_sys::Array::new(),
                    )?;
                    loop {
                        match open_envelope::<FromProcess>(mb.recv().await?)?.0 {
                            FromProcess::BatchDone {
                                run: r,
                                outcomes,
                                spans,
                            } if r == run => return Ok((outcomes, spans)),
                            FromProcess::Failed { message } => return Err(message),
                            _ => continue,
                        }
                    }
                };
                let answer = answer.await;
                (i as u32, tasks, answer)
            }
        }))
        .await;
        let mut outcomes = Vec::new();
        let mut spans = Vec::new();
        for (i, tasks, share) in shares {
            match share {
                Ok((reports, s)) => {
                    outcomes.extend(reports.into_iter().map(|r| TaskOutcome {
                        task: r.task,
                        worker: r.worker,
                        start_ms: r.start_ms,
                        end_ms: r.end_ms,
                        result: match r.result {
                            Ok(v) => v.parse::<u128>().map_err(|_| {
                                TaskFailure::Failed(format!("process {i} sent {v:?}"))
                            }),
                            Err(TaskFailure::Failed(m)) => Err(TaskFailure::Failed(format!(
                                "{m} — reported by process {i} as text"
                            ))),
                            Err(other) => Err(other),
                        },
                        responses: r.responses,
                    }));
                    spans.extend(s);
                }
                Err(why) => {
                    let now = now_ms();
                    outcomes.extend(tasks.into_iter().map(|task| {
                        TaskOutcome::failed(
                            task,
                            i * threads,
                            now,
                            TaskFailure::Failed(format!("process {i} ended: {why}")),
                        )
                    }));
                }
            }
        }
        self.prune();
        (outcomes, spans)
    }

    /// One dispatch of an empty task to a pool worker and its reply: the
    /// cost of handing work to a process that is already running.
    pub async fn ping(&self, run: u32, index: usize) -> Result<(), String> {
        let mb = self
            .pool
            .borrow()
            .get(index % self.pool.borrow().len().max(1))
            .cloned()
            .ok_or("the pool has no workers")?;
        mb.post(
            &envelope(&ToProcess::Ping { run }, &JsValue::UNDEFINED),
            &js_sys::Array::new(),
        )?;
        loop {
            let (reply, _) = open_envelope::<FromProcess>(mb.recv().await?)?;
            if reply == (FromProcess::Pong { run }) {
                return Ok(());
            }
        }
    }

    /// One "thread" start and join: a worker that instantiates the engine's
    /// module over the engine's shared memory, runs nothing and ends.
    pub async fn spawn_thread(&self, index: u32) -> Result<(), String> {
        let init = js_object(&[
            ("module", &wasm_bindgen::module()),
            ("memory", &wasm_bindgen::memory()),
        ]);
        let name = format!("thread:{index}");
        let mb = Mailbox::spawn(&self.urls.thread_boot, &name, &self.urls.glue, &init);
        let mb = mb.await?;
        let reply = mb.recv().await?;
        mb.terminate("joined");
        // Only thread_boot.js speaks for a thread: it has no instance of its own.
        let said = js_sys::Array::from(&reply).get(0);
        match boot_message(&said) {
            Some(BootMessage::Joined) => Ok(()),
            Some(BootMessage::Failed { message }) => Err(message),
            other => Err(format!("a thread said {other:?}, not that it joined")),
        }
    }
}
