//! Thread starts for the spawn lesson, from parked workers. In a browser a
//! thread is a worker joined to the shared memory, and making a worker
//! costs tens of milliseconds: far more than a process made in a warm
//! spare (`fork.rs`), which would teach the opposite of the lesson. What
//! `pthread_create` does over an address space that already exists is
//! closest to this: a worker started ahead of time joins the engine's
//! memory (its stack and thread-local storage are set up there) and parks
//! on a slot of its own with `Atomics.wait`. Starting a thread writes its
//! function into the slot and wakes it; joining waits until the thread
//! ran it, freed its stack and storage, and said so in the slot. The cold
//! start of the worker is paid before the step and shown apart, as a
//! fork's spare is.

use super::mailbox::{Mailbox, Requested};
use super::{factory, js_object, now_ms};
use crate::protocol::{FromProcess, Role};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::Arc;

/// The states of a slot. The engine writes `GIVEN`, `QUIT`, `REHEARSE` and
/// `JOINED`; the thread's boot script writes `PARKED` again after a
/// rehearsal, `DONE` once its function has returned (what a join waits
/// for), and `FREED` once it freed its stack and storage, which it does
/// when joined (ending its worker and freeing the slot wait for that).
const PARKED: i32 = 0;
const GIVEN: i32 = 1;
const QUIT: i32 = 2;
const DONE: i32 = 3;
const JOINED: i32 = 4;
const FREED: i32 = 5;
const REHEARSE: i32 = 6;

/// Far longer than a healthy thread takes to run nothing and end.
const JOIN_TIMEOUT_MS: f64 = 10_000.0;
/// Far longer than a rehearsal takes; short enough not to hold the engine
/// up for long when a worker is lost.
const REHEARSAL_TIMEOUT_MS: f64 = 1_000.0;
/// Far longer than a joined thread takes to free its stack.
const FREE_TIMEOUT_MS: f64 = 100.0;

/// Where a parked thread waits, in the engine's memory.
#[repr(C)]
struct Slot {
    state: AtomicI32,
    /// A `Box<Job>` turned into an address, once `GIVEN`.
    job: AtomicUsize,
}

type Job = Box<dyn FnOnce() + Send>;

/// A thread's function, handed over by address.
fn job_address(job: Job) -> usize {
    Box::into_raw(Box::new(job)) as usize
}

/// What a parked thread runs once its boot script saw its slot leave
/// `PARKED` (the script waits with `Atomics.wait` itself: Firefox woke a
/// thread parked by wasm's own wait instruction two or three times more
/// slowly): the function it was given, if `GIVEN`; nothing if told to
/// `QUIT`. Its boot script then writes `DONE`, and once joined frees the
/// thread's stack and storage and writes `FREED`. Slot 0 is a rehearsal's
/// empty function (see `rehearse`).
#[cfg(feature = "threads")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn tvp_thread_run(slot: u32) {
    if slot == 0 {
        // The same way as a given function, so that every call a start
        // makes has run once in this worker.
        // SAFETY: made here by `job_address`, and run once.
        return unsafe { run_job(job_address(Box::new(|| {}))) };
    }
    // SAFETY: `slot` is a `Slot` the engine allocated for this worker
    // (`request`) and frees only once this worker wrote `FREED`, after this
    // function returned.
    let slot = unsafe { &*(slot as usize as *const Slot) };
    if slot.state.load(Ordering::SeqCst) != GIVEN {
        return;
    }
    let address = slot.job.swap(0, Ordering::SeqCst);
    // SAFETY: the engine wrote a `Box<Job>` made by `job_address` before
    // it set `GIVEN`, and only this thread takes it.
    unsafe { run_job(address) }
}

/// Runs the function at `address` and frees it.
///
/// # Safety
/// `address` was made by [`job_address`] and is run only once.
#[cfg(feature = "threads")]
unsafe fn run_job(address: usize) {
    // SAFETY: the caller's promise.
    let job = unsafe { Box::from_raw(address as *mut Job) };
    job();
}

/// Sleeps until `cell` may no longer hold `value` (a wake-up, it changed,
/// or `timeout_ms` passed).
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
fn wait_while(cell: &AtomicI32, value: i32, timeout_ms: f64) {
    let ns = if timeout_ms.is_finite() {
        (timeout_ms * 1e6) as i64
    } else {
        -1
    };
    // SAFETY: the address is an aligned i32 in this shared memory.
    unsafe {
        core::arch::wasm32::memory_atomic_wait32(cell.as_ptr(), value, ns);
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
fn notify(cell: &AtomicI32) {
    // SAFETY: as above.
    unsafe {
        core::arch::wasm32::memory_atomic_notify(cell.as_ptr(), 1);
    }
}

// Without shared memory there are no threads to park (the reduced page
// refuses thread starts), but the code must still build.
#[cfg(not(all(target_arch = "wasm32", target_feature = "atomics")))]
fn wait_while(_: &AtomicI32, _: i32, _: f64) {
    std::hint::spin_loop();
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "atomics")))]
fn notify(_: &AtomicI32) {}

/// A thread worker asked for, or parked.
enum Spare {
    Asked {
        requested: Requested,
        slot: Box<Slot>,
        asked_ms: f64,
    },
    Parked(ParkedThread),
}

struct ParkedThread {
    mb: Mailbox,
    slot: Box<Slot>,
    /// From asking for the worker to its parking: the cold start.
    cold_ms: f64,
}

/// A thread worker kept only to be ended once its thread has.
enum Hold {
    Asked(Requested),
    Open(Mailbox),
}

impl Hold {
    fn is_closed(&self) -> bool {
        match self {
            Hold::Asked(r) => r.is_closed(),
            Hold::Open(mb) => mb.is_closed(),
        }
    }

    fn end(self) {
        match self {
            Hold::Asked(r) => r.end(),
            Hold::Open(mb) => mb.terminate("ended"),
        }
    }
}

/// Spare thread workers parked on the engine's memory, for the spawn
/// lesson's thread starts.
#[derive(Default)]
pub struct ParkedThreads {
    spares: RefCell<VecDeque<Spare>>,
    target: Cell<u32>,
    /// Threads told to quit, or joined, whose slot may still be in use:
    /// freed once their worker says `FREED`.
    retiring: RefCell<Vec<(Option<Hold>, Box<Slot>)>>,
    /// The cold start of each spare used since the engine last took them.
    cold_ms: RefCell<Vec<f64>>,
}

impl ParkedThreads {
    /// Keeps `n` parked threads from now on.
    pub fn keep(&self, n: u32) {
        self.target.set(n);
        self.top_up();
    }

    fn top_up(&self) {
        self.reap();
        while self.spares.borrow().len() < self.target.get() as usize {
            match request() {
                Ok(spare) => self.spares.borrow_mut().push_back(spare),
                // The start that needs one asks again, and reports why.
                Err(_) => break,
            }
        }
    }

    /// Waits until every spare is parked, so that none is starting (and
    /// taking a core) while a thread start is timed.
    pub async fn settle(&self) {
        self.top_up();
        let kept: Vec<Spare> = self.spares.borrow_mut().drain(..).collect();
        for spare in kept {
            // A spare that failed is dropped: the next start asks anew.
            if let Ok(parked) = self.parked(spare).await {
                self.spares.borrow_mut().push_back(Spare::Parked(parked));
            }
        }
    }

    /// One thread start and join: a parked thread is handed a function that
    /// only marks that it ran (`Thread(target=lambda: None)`), runs it and
    /// ends. Returns how long that took, in ms.
    pub async fn start_join(&self) -> Result<f64, String> {
        let spare = match self.spares.borrow_mut().pop_front() {
            Some(spare) => spare,
            None => request()?,
        };
        let thread = self.parked(spare).await?;
        let state = &thread.slot.state;
        // The oracle: the function ran, on the thread, before the join.
        let ran = Arc::new(AtomicBool::new(false));
        let on_thread = Arc::clone(&ran);
        let t0 = now_ms();
        let job: Job = Box::new(move || on_thread.store(true, Ordering::SeqCst));
        thread.slot.job.store(job_address(job), Ordering::SeqCst);
        state.store(GIVEN, Ordering::SeqCst);
        notify(state);
        // The joiner sleeps at once, as `pthread_join` does: a joiner that
        // spun kept the thread from a core where none was free (WebKitGTK,
        // whose display server shares the 2 cores: 270 µs a step against
        // 120 µs), and gained nothing elsewhere. It blocks the engine's thread
        // (a worker, never the page); a thread that never ends is given up
        // on, as a hung process is.
        let seen = wait_past(state, GIVEN, t0, JOIN_TIMEOUT_MS);
        let ms = now_ms() - t0;
        let joined = matches!(seen, DONE | FREED);
        // The thread frees its stack once told it was joined, and its
        // worker is ended once it has.
        self.retire(Hold::Open(thread.mb), thread.slot);
        if !joined {
            return Err(format!("a thread did not end within {JOIN_TIMEOUT_MS} ms"));
        }
        if !ran.load(Ordering::SeqCst) {
            return Err("a thread ended without running its function".into());
        }
        self.cold_ms.borrow_mut().push(thread.cold_ms);
        Ok(ms)
    }

    async fn parked(&self, spare: Spare) -> Result<ParkedThread, String> {
        let (requested, slot, asked_ms) = match spare {
            Spare::Parked(p) => return Ok(p),
            Spare::Asked {
                requested,
                slot,
                asked_ms,
            } => (requested, slot, asked_ms),
        };
        let opened = requested.open().await;
        let said = match &opened {
            Ok(mb) => mb.said::<FromProcess>().await.map(|(m, _)| m),
            Err(why) => Err(why.clone()),
        };
        let said = match (&opened, said) {
            (Ok(_), Ok(FromProcess::Parked { parked_ms, .. })) => match rehearse(&slot) {
                Some(rehearsal_ms) => Ok(parked_ms - asked_ms + rehearsal_ms),
                None => Err(format!(
                    "a parked thread did not come back from its rehearsal within \
                     {REHEARSAL_TIMEOUT_MS} ms"
                )),
            },
            (_, Ok(other)) => Err(super::procs::unexpected("its start", &other)),
            (_, Err(why)) => Err(why),
        };
        match (opened, said) {
            (Ok(mb), Ok(cold_ms)) => Ok(ParkedThread { mb, slot, cold_ms }),
            (mb, Err(why)) => {
                // A worker that never parked may still reach its slot.
                match mb {
                    Ok(mb) => self.retire(Hold::Open(mb), slot),
                    Err(_) => self.retiring.borrow_mut().push((None, slot)),
                }
                Err(why)
            }
            (Err(why), Ok(_)) => Err(why),
        }
    }

    /// Ends every spare, and keeps none until asked again. A parked one is
    /// told to quit, so that it frees its stack in the engine's memory
    /// before it ends.
    pub fn end_spares(&self) {
        self.target.set(0);
        let spares: Vec<Spare> = self.spares.borrow_mut().drain(..).collect();
        for spare in spares {
            match spare {
                Spare::Parked(p) => self.retire(Hold::Open(p.mb), p.slot),
                // It will find `QUIT` when it parks.
                Spare::Asked {
                    requested, slot, ..
                } => self.retire(Hold::Asked(requested), slot),
            }
        }
        // A thread just joined is freeing its stack, for microseconds:
        // waiting for that here ends its worker now, not at the next run.
        for (_, slot) in self.retiring.borrow().iter() {
            wait_past(&slot.state, JOINED, now_ms(), FREE_TIMEOUT_MS);
        }
        self.reap();
    }

    fn retire(&self, worker: Hold, slot: Box<Slot>) {
        tell_to_end(&slot.state);
        self.retiring.borrow_mut().push((Some(worker), slot));
    }

    /// Frees the slots of threads that have ended, and ends their workers.
    fn reap(&self) {
        let retiring = std::mem::take(&mut *self.retiring.borrow_mut());
        for (worker, slot) in retiring {
            // A worker that failed or was never made cannot reach its slot.
            let gone = worker.as_ref().is_none_or(Hold::is_closed);
            // One that came back late from its rehearsal, or ended after
            // its join was given up on, is told now.
            tell_to_end(&slot.state);
            if gone || slot.state.load(Ordering::SeqCst) == FREED {
                if let Some(worker) = worker {
                    worker.end();
                }
            } else {
                self.retiring.borrow_mut().push((worker, slot));
            }
        }
    }

    /// The cold start of every thread used since the last call.
    pub fn take_cold_ms(&self) -> Vec<f64> {
        std::mem::take(&mut self.cold_ms.borrow_mut())
    }
}

/// Tells a thread that is parked to quit, and one whose function has
/// returned that it was joined: glibc frees or caches a joined thread's
/// stack after the join, and this thread frees its own once told, so that
/// the freeing does not take a core while the joiner wakes (WebKitGTK: a
/// start and join took 120 µs when the thread freed its stack at once,
/// 60 µs with this).
fn tell_to_end(state: &AtomicI32) {
    let told = [(PARKED, QUIT), (DONE, JOINED)].iter().any(|&(was, now)| {
        state
            .compare_exchange(was, now, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    });
    if told {
        notify(state);
    }
}

/// Wakes a thread that has just parked once, and waits until it ran an
/// empty function and parked again: the cold start's last part. A worker's
/// first wake-up from `Atomics.wait`, and the first run of the code after
/// it, cost far more than the next ones (WebKitGTK: a start and join took
/// 210–240 µs, the wake-up alone 100 µs; after one rehearsal, 120–140 µs
/// and 40 µs), and a thread made by `pthread_create` pays no such cost.
/// Returns how long it took, in ms; `None` if the thread did not come back.
fn rehearse(slot: &Slot) -> Option<f64> {
    let state = &slot.state;
    state
        .compare_exchange(PARKED, REHEARSE, Ordering::SeqCst, Ordering::SeqCst)
        .ok()?;
    let t0 = now_ms();
    notify(state);
    (wait_past(state, REHEARSE, t0, REHEARSAL_TIMEOUT_MS) == PARKED).then(|| now_ms() - t0)
}

/// Sleeps until `state` leaves `value`, or `timeout_ms` after `t0`, and
/// returns what it holds then.
fn wait_past(state: &AtomicI32, value: i32, t0: f64, timeout_ms: f64) -> i32 {
    let mut seen = state.load(Ordering::SeqCst);
    while seen == value {
        let left = timeout_ms - (now_ms() - t0);
        if left <= 0.0 {
            break;
        }
        wait_while(state, value, left);
        seen = state.load(Ordering::SeqCst);
    }
    seen
}

/// Asks the page for a thread worker that joins the engine's memory and
/// parks on a new slot.
fn request() -> Result<Spare, String> {
    let slot = Box::new(Slot {
        state: AtomicI32::new(PARKED),
        job: AtomicUsize::new(0),
    });
    let address = &*slot as *const Slot as usize as u32;
    let init = js_object(&[
        ("module", &wasm_bindgen::module()),
        ("memory", &wasm_bindgen::memory()),
        ("slot", &address.into()),
    ]);
    let asked_ms = now_ms();
    let requested = factory::request(Role::Thread, &init)?;
    Ok(Spare::Asked {
        requested,
        slot,
        asked_ms,
    })
}
