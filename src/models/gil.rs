//! `gil` and `oldgil`: the free threads of [`super::threads`], except that a
//! task may only run while its worker holds one global lock, as CPython
//! threads must hold the GIL to run Python code.
//!
//! - [`GilKind::New`] follows CPython ≥ 3.2. A thread that wants the GIL
//!   waits up to `switch_ms` (`sys.setswitchinterval`); if the GIL has not
//!   changed hands by then it sets a drop request. The holder sees the
//!   request at its next tick, lets go, hands the GIL to the thread that has
//!   waited longest, and does not compete again until that thread has it
//!   (forced switching).
//! - [`GilKind::Old`] follows CPython 2: every 100 ticks the holder releases
//!   the GIL, signals one waiter and at once takes the GIL again. Nothing
//!   hands it over. In CPython the holder, already running, usually wins
//!   against the thread the OS still has to wake; here it always does, so
//!   the woken waiter finds the GIL taken and goes back to sleep: the convoy
//!   effect. The GIL changes hands only when a task ends or blocks.
//!
//! Under both, blocking (`TaskEnv::block`, i.e. I/O) and starting a worker
//! release the GIL first and take it again after.
//!
//! Built only from std's `Mutex` and `Condvar` and a [`Clock`], so it runs on
//! native threads and on rayon threads in the page's engine worker alike.

use super::{
    measure, par_list, run_one, Clock, FreeEnv, Measurement, ModelId, OnThreads, RunControl, Span,
    SpanKind, TaskOutcome,
};
use crate::workloads::{TaskEnv, TaskFailure, Workload};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GilKind {
    /// CPython ≥ 3.2: switch interval, drop requests, forced switching.
    New,
    /// CPython 2: release and re-acquire every 100 ticks, no hand-over.
    Old,
}

impl GilKind {
    pub fn model(self) -> ModelId {
        match self {
            GilKind::New => ModelId::Gil,
            GilKind::Old => ModelId::OldGil,
        }
    }

    pub fn of_model(model: ModelId) -> Option<GilKind> {
        match model {
            ModelId::Gil => Some(GilKind::New),
            ModelId::OldGil => Some(GilKind::Old),
            _ => None,
        }
    }
}

/// Ticks between two releases of the old GIL. CPython 2 checked every 100
/// bytecodes (`sys.setcheckinterval(100)`), a few microseconds of work; one
/// tick here is already longer than that, so the old GIL checks at every
/// tick, and its futile signalling costs what it cost there.
pub const OLD_CHECK_INTERVAL: u32 = 1;

/// How long a waiter that has no timer of its own sleeps before it looks at
/// the cancel flag again.
const POLL_MS: f64 = 10.0;

/// The smallest switch interval honoured: a zero interval would make every
/// waiter spin on the lock.
const MIN_SWITCH_MS: f64 = 0.01;

/// The new GIL's switch in the counter lesson's traced repeat: the holder
/// lets go every this many ticks. The trace lasts a few hundred increments,
/// well under a millisecond: at the run's 5 ms switch interval the GIL
/// would never change hands inside it, and shorter intervals are at the
/// mercy of the platform's timers (a timed wait takes 50 µs on Linux and a
/// millisecond or more elsewhere), so the trace would show no race where
/// the timed repeats lost thousands of updates. Counted in ticks, the GIL
/// changes hands several times in every trace, each time at a tick
/// between a read and its write as in the timed repeats: the mechanism is
/// the same, only its rate is higher and does not depend on a clock.
pub const TRACE_SWITCH_TICKS: u32 = 50;

/// What the GIL did during one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GilStats {
    /// Times the GIL passed from one worker to a different one.
    pub hand_offs: u64,
    /// Times any worker took the GIL, including taking it back itself.
    pub acquisitions: u64,
    /// `gil` only: times a waiter ran out of patience and asked the holder
    /// to let go.
    pub drop_requests: u64,
    /// Times the holder let go at a tick: on request (`gil`) or every 100
    /// ticks (`oldgil`, which takes it straight back).
    pub tick_releases: u64,
    /// Times a waiter was woken and found the GIL taken: under `oldgil`
    /// every periodic release wakes one waiter for nothing.
    pub futile_wakeups: u64,
}

#[derive(Default)]
struct State {
    holder: Option<u32>,
    /// Who held it most recently; a change of it is a hand-off.
    last_holder: Option<u32>,
    /// Counts changes of `last_holder`: a waiter's patience restarts with each.
    switches: u64,
    /// Workers waiting for the GIL, in the order they started waiting.
    queue: VecDeque<u32>,
    /// After a forced drop, the GIL is kept for this waiter.
    reserved: Option<u32>,
    /// Switching by ticks: workers that let go at a switch and have not
    /// taken the GIL back yet. The holder at a switch waits for one of
    /// them as for a waiter: a thread that let go is asleep until it is
    /// woken, and a holder that went on meanwhile would run a whole trace
    /// before it queued again.
    rejoining: u32,
    stats: GilStats,
}

impl State {
    fn free_for(&self, worker: u32) -> bool {
        self.holder.is_none() && self.reserved.is_none_or(|w| w == worker)
    }

    fn leave_queue(&mut self, worker: u32) {
        self.queue.retain(|w| *w != worker);
        if self.reserved == Some(worker) {
            self.reserved = None;
        }
    }
}

/// How one acquisition went, on the run's clock.
struct Acquired {
    asked_ms: f64,
    at_ms: f64,
    waited: bool,
    /// Someone else held the GIL since this worker last did.
    others_ran: bool,
}

struct Gil<'a, C: Clock> {
    kind: GilKind,
    switch_ms: f64,
    /// The traced repeat's switch ([`TRACE_SWITCH_TICKS`]): the holder
    /// lets go every this many ticks, and waiters never ask it to.
    switch_ticks: Option<u32>,
    clock: &'a C,
    cancel: &'a AtomicBool,
    state: Mutex<State>,
    changed: Condvar,
    /// Read by the holder at every tick without taking the mutex.
    drop_request: AtomicBool,
}

impl<'a, C: Clock> Gil<'a, C> {
    fn new(kind: GilKind, switch_ms: f64, clock: &'a C, cancel: &'a AtomicBool) -> Self {
        Gil {
            kind,
            switch_ms: switch_ms.max(MIN_SWITCH_MS),
            switch_ticks: None,
            clock,
            cancel,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            drop_request: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a signal or `ms`; true when it was a signal.
    fn wait<'g>(&self, guard: MutexGuard<'g, State>, ms: f64) -> (MutexGuard<'g, State>, bool) {
        let timeout = Duration::from_secs_f64(ms.max(0.0) / 1e3);
        let (g, result) = self
            .changed
            .wait_timeout(guard, timeout)
            .unwrap_or_else(PoisonError::into_inner);
        (g, !result.timed_out())
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    fn acquire(&self, worker: u32) -> Result<Acquired, TaskFailure> {
        let mut st = self.lock();
        let asked_ms = self.clock.now_ms();
        let waited = !st.free_for(worker);
        if waited {
            st.queue.push_back(worker);
            let mut seen = st.switches;
            let mut deadline = asked_ms + self.switch_ms;
            while !st.free_for(worker) {
                if self.cancelled() {
                    st.leave_queue(worker);
                    drop(st);
                    self.changed.notify_all();
                    return Err(TaskFailure::Cancelled);
                }
                let now = self.clock.now_ms();
                let timeout = match self.kind {
                    GilKind::New if self.switch_ticks.is_none() => {
                        if st.switches != seen {
                            seen = st.switches;
                            deadline = now + self.switch_ms;
                        } else if now >= deadline {
                            if st.holder.is_some()
                                && !self.drop_request.swap(true, Ordering::Relaxed)
                            {
                                st.stats.drop_requests += 1;
                            }
                            deadline = now + self.switch_ms;
                        }
                        deadline - now
                    }
                    // Woken by every release; the timeout is only for
                    // looking at the cancel flag.
                    _ => POLL_MS,
                };
                let (g, signalled) = self.wait(st, timeout);
                st = g;
                if signalled && !st.free_for(worker) {
                    st.stats.futile_wakeups += 1;
                }
            }
        }
        st.leave_queue(worker);
        st.holder = Some(worker);
        st.stats.acquisitions += 1;
        let others_ran = st.last_holder != Some(worker);
        if others_ran {
            if st.last_holder.is_some() {
                st.stats.hand_offs += 1;
            }
            st.last_holder = Some(worker);
            st.switches += 1;
        }
        // A pending request was aimed at the previous holder.
        self.drop_request.store(false, Ordering::Relaxed);
        let at_ms = self.clock.now_ms();
        drop(st);
        if others_ran && self.kind == GilKind::New {
            // The previous holder may be waiting to see the switch happen.
            self.changed.notify_all();
        }
        Ok(Acquired {
            asked_ms,
            at_ms,
            waited,
            others_ran,
        })
    }

    /// Lets go; returns when. `forced` is the new GIL's drop on request:
    /// the GIL is kept for the longest waiter, as a condition variable
    /// signals its waiters about in the order they came.
    fn release(&self, worker: u32, forced: bool) -> f64 {
        let mut st = self.lock();
        debug_assert_eq!(st.holder, Some(worker), "only the holder releases");
        let at_ms = self.clock.now_ms();
        st.holder = None;
        if forced {
            st.stats.tick_releases += 1;
            st.reserved = st.queue.front().copied();
            if self.switch_ticks.is_some() {
                st.rejoining += 1;
            }
        }
        drop(st);
        match self.kind {
            GilKind::New => self.changed.notify_all(),
            // Like a released lock: one waiter is woken to try its luck.
            GilKind::Old => self.changed.notify_one(),
        }
        at_ms
    }

    /// The old GIL's periodic check: release, signal a waiter, re-acquire.
    /// The three happen before the woken waiter can look, so it always loses.
    fn release_and_retake(&self, worker: u32) {
        let mut st = self.lock();
        debug_assert_eq!(st.holder, Some(worker), "only the holder releases");
        st.stats.tick_releases += 1;
        st.stats.acquisitions += 1;
        let anyone_waiting = !st.queue.is_empty();
        drop(st);
        if anyone_waiting {
            self.changed.notify_one();
        }
    }

    /// Forced switching: after a drop on request, the old holder does not
    /// compete until another thread has taken the GIL (one that waits, or,
    /// switching by ticks, one that let go before and will take it back).
    fn wait_for_switch(&self, worker: u32) {
        let mut st = self.lock();
        // This worker is one of the rejoining.
        let others = |st: &State| !st.queue.is_empty() || st.rejoining > 1;
        while st.last_holder == Some(worker) && others(&st) && !self.cancelled() {
            st = self.wait(st, self.switch_ms).0;
        }
    }

    /// A worker that let go at a switch by ticks has the GIL back (or
    /// gave up on it, cancelled).
    fn rejoined(&self) {
        if self.switch_ticks.is_some() {
            let mut st = self.lock();
            st.rejoining = st.rejoining.saturating_sub(1);
        }
    }

    fn stats(&self) -> GilStats {
        self.lock().stats.clone()
    }
}

/// A task's environment under the GIL. Platform work (sleeping, starting
/// workers, the cancel flag) is delegated to the free environment inside.
struct GilEnv<'g, 'a, C: Clock, S: Fn(f64)> {
    gil: &'g Gil<'a, C>,
    free: FreeEnv<'a, C, S>,
    worker: u32,
    task: u32,
    holding: bool,
    run_start_ms: f64,
    ticks: u32,
    spans: Vec<Span>,
    /// Times this worker let go at a tick and another ran before it got
    /// the GIL back (see [`TaskEnv::handed_off`]).
    handed_off: u64,
}

impl<'g, 'a, C: Clock, S: Fn(f64)> GilEnv<'g, 'a, C, S> {
    fn push(&mut self, kind: SpanKind, start_ms: f64, end_ms: f64) {
        self.spans.push(Span {
            worker: self.worker,
            task: self.task,
            kind,
            start_ms,
            end_ms,
        });
    }

    fn take(&mut self) -> Result<(), TaskFailure> {
        let a = self.gil.acquire(self.worker)?;
        if a.waited {
            self.push(SpanKind::GilWait, a.asked_ms, a.at_ms);
        }
        self.run_start_ms = a.at_ms;
        self.holding = true;
        Ok(())
    }

    fn let_go(&mut self) {
        if self.holding {
            let released = self.gil.release(self.worker, false);
            self.holding = false;
            self.push(SpanKind::Run, self.run_start_ms, released);
        }
    }

    /// The new GIL's drop on request: lets go, waits until another thread
    /// has the GIL, and queues for it again. If the waiter vanished (a
    /// cancelled run) and nobody else took it, the run span simply goes on.
    fn drop_on_request(&mut self) -> Result<(), TaskFailure> {
        let released = self.gil.release(self.worker, true);
        self.holding = false;
        self.gil.wait_for_switch(self.worker);
        let acquired = self.gil.acquire(self.worker);
        self.gil.rejoined();
        let a = match acquired {
            Ok(a) => a,
            Err(e) => {
                self.push(SpanKind::Run, self.run_start_ms, released);
                return Err(e);
            }
        };
        self.holding = true;
        if a.others_ran {
            self.handed_off += 1;
            self.push(SpanKind::Run, self.run_start_ms, released);
            if a.waited {
                self.push(SpanKind::GilWait, a.asked_ms, a.at_ms);
            }
            self.run_start_ms = a.at_ms;
        }
        Ok(())
    }

    /// Runs `f` without the GIL, as a blocking call does, and records it.
    fn without_gil(
        &mut self,
        kind: SpanKind,
        f: impl FnOnce(&mut FreeEnv<'a, C, S>) -> Result<(), TaskFailure>,
    ) -> Result<(), TaskFailure> {
        self.let_go();
        let start = self.free.now_ms();
        let result = f(&mut self.free);
        let end = self.free.now_ms();
        self.push(kind, start, end);
        result?;
        self.take()
    }
}

impl<C: Clock, S: Fn(f64)> TaskEnv for GilEnv<'_, '_, C, S> {
    fn tick(&mut self) -> Result<(), TaskFailure> {
        self.free.tick()?;
        match self.gil.kind {
            GilKind::New => match self.gil.switch_ticks {
                None => {
                    if self.gil.drop_request.load(Ordering::Relaxed) {
                        self.drop_on_request()?;
                    }
                }
                Some(every) => {
                    self.ticks += 1;
                    if self.ticks >= every {
                        self.ticks = 0;
                        // With nobody waiting it simply takes the GIL back.
                        self.drop_on_request()?;
                    }
                }
            },
            GilKind::Old => {
                self.ticks += 1;
                if self.ticks >= OLD_CHECK_INTERVAL {
                    self.ticks = 0;
                    self.gil.release_and_retake(self.worker);
                }
            }
        }
        Ok(())
    }

    fn block(&mut self, ms: f64) -> Result<(), TaskFailure> {
        self.without_gil(SpanKind::Io, |free| free.block(ms))?;
        self.free.tick()
    }

    fn now_ms(&self) -> f64 {
        self.free.now_ms()
    }

    fn spawn_join(&mut self) -> Result<(), TaskFailure> {
        self.without_gil(SpanKind::Spawn, |free| free.spawn_join())
    }

    fn handed_off(&self) -> u64 {
        self.handed_off
    }
}

/// Runs every task of `workload` on `pool` (or rayon's global pool), each
/// worker holding the simulated GIL while it runs. The measurement's spans
/// are the GIL's: `run` (holding it), `gil_wait`, `io` and `spawn`, in ms
/// since the run started; `run` spans of different workers never overlap.
pub fn run(
    workload: &Workload,
    pool: Option<&rayon::ThreadPool>,
    clock: &impl Clock,
    sleep: impl Fn(f64) + Sync,
    control: &RunControl,
    switch_ms: f64,
    kind: GilKind,
) -> (Measurement, GilStats) {
    run_on(
        workload,
        &OnThreads::all_of(pool, clock, sleep, control),
        switch_ms,
        kind,
    )
}

/// Like [`run`] with exactly `on.workers` threads, at most the pool's.
pub fn run_on<C: Clock, S: Fn(f64) + Sync>(
    workload: &Workload,
    on: &OnThreads<C, S>,
    switch_ms: f64,
    kind: GilKind,
) -> (Measurement, GilStats) {
    run_all(workload, on, kind, Switch::Interval(switch_ms))
}

/// The counter lesson's traced repeat ([`Workload::traced`]) under this
/// GIL, on exactly `on.workers` threads: as [`run_on`], except that the new
/// GIL changes hands every [`TRACE_SWITCH_TICKS`] ticks rather than after a
/// switch interval (the old GIL still never hands over).
pub fn run_traced<C: Clock, S: Fn(f64) + Sync>(
    workload: &Workload,
    on: &OnThreads<C, S>,
    kind: GilKind,
) -> (Measurement, GilStats) {
    run_all(workload, on, kind, Switch::Ticks(TRACE_SWITCH_TICKS))
}

/// When the new GIL changes hands.
#[derive(Debug, Clone, Copy)]
enum Switch {
    /// A waiter asks after this many ms (`sys.setswitchinterval`).
    Interval(f64),
    /// The holder lets go every this many ticks.
    Ticks(u32),
}

fn run_all<C: Clock, S: Fn(f64) + Sync>(
    workload: &Workload,
    on: &OnThreads<C, S>,
    kind: GilKind,
    switch: Switch,
) -> (Measurement, GilStats) {
    let OnThreads { workers, clock, .. } = *on;
    let start = clock.now_ms();
    let all: Vec<u32> = (0..workload.tasks()).collect();
    let (outcomes, spans, stats) = run_list(workload, on, switch, kind, &all);
    let end = clock.now_ms();
    let mut m = measure(kind.model(), workers, workload, start, end, outcomes);
    m.spans = super::rebase(spans, start);
    (m, stats)
}

/// The tasks in `list` only, under one GIL of their own: a process of
/// `hybrid` + GIL. Spans on the shared clock, sorted by start.
pub fn run_tasks<C: Clock, S: Fn(f64) + Sync>(
    workload: &Workload,
    on: &OnThreads<C, S>,
    switch_ms: f64,
    kind: GilKind,
    list: &[u32],
) -> (Vec<TaskOutcome>, Vec<Span>, GilStats) {
    run_list(workload, on, Switch::Interval(switch_ms), kind, list)
}

fn run_list<C: Clock, S: Fn(f64) + Sync>(
    workload: &Workload,
    on: &OnThreads<C, S>,
    switch: Switch,
    kind: GilKind,
    list: &[u32],
) -> (Vec<TaskOutcome>, Vec<Span>, GilStats) {
    let OnThreads {
        workers,
        clock,
        control,
        ..
    } = *on;
    let sleep = &on.sleep;
    let gil = match switch {
        Switch::Interval(ms) => Gil::new(kind, ms, clock, &control.cancel),
        Switch::Ticks(every) => Gil {
            switch_ticks: Some(every),
            // Only how long the holder waits to see a waiter take over
            // (woken when one does) or the cancel flag.
            ..Gil::new(kind, POLL_MS, clock, &control.cancel)
        },
    };
    let results = on.install(|| {
        par_list(list, workers, |t, worker| {
            let mut env = GilEnv {
                gil: &gil,
                free: FreeEnv::new(clock, control, sleep),
                worker,
                task: t,
                holding: false,
                run_start_ms: 0.0,
                ticks: 0,
                spans: Vec::new(),
                handed_off: 0,
            };
            // A thread must hold the GIL before it runs any of its task.
            let outcome = match env.take() {
                Ok(()) => run_one(workload, t, worker, &mut env, &control.finished),
                Err(e) => TaskOutcome::failed(t, worker, clock.now_ms(), e),
            };
            env.let_go();
            (outcome, env.spans)
        })
    });
    let (outcomes, spans): (Vec<_>, Vec<_>) = results.into_iter().unzip();
    let mut spans: Vec<Span> = spans.into_iter().flatten().collect();
    spans.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
    (outcomes, spans, gil.stats())
}
