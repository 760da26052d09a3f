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
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};

/// The states of a slot. The engine writes `GIVEN` or `QUIT`; the thread's
/// boot script writes `DONE` once the thread has ended.
const PARKED: i32 = 0;
const GIVEN: i32 = 1;
const QUIT: i32 = 2;
const DONE: i32 = 3;

/// Far longer than a healthy thread takes to run nothing and end.
const JOIN_TIMEOUT_MS: f64 = 10_000.0;

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
/// `QUIT`. Its boot script then frees the thread's stack and storage and
/// writes `DONE`. Slot 0 is a dry run, an empty function run before the
/// worker parks: the first call of a function in a fresh worker compiles
/// its JS glue, which belongs to the cold start, not to the start.
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
    // (`request`) and frees only once this worker wrote `DONE`, after this
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
    /// Threads told to quit whose slot may still be in use: freed once
    /// their worker says `DONE`.
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

    /// One thread start and join: a parked thread is handed an empty
    /// function (`Thread(target=lambda: None)`), runs it and ends. Returns
    /// how long that took, in ms.
    pub async fn start_join(&self) -> Result<f64, String> {
        let spare = match self.spares.borrow_mut().pop_front() {
            Some(spare) => spare,
            None => request()?,
        };
        let thread = self.parked(spare).await?;
        let state = &thread.slot.state;
        let t0 = now_ms();
        thread
            .slot
            .job
            .store(job_address(Box::new(|| {})), Ordering::SeqCst);
        state.store(GIVEN, Ordering::SeqCst);
        notify(state);
        // The joiner sleeps at once, as `pthread_join` does: a joiner that
        // spun kept the thread from a core where none was free (WebKitGTK,
        // whose display server shares the 2 cores, woke it milliseconds
        // late), and gained nothing elsewhere. It blocks the engine's thread
        // (a worker, never the page); a thread that never ends is given up
        // on, as a hung process is.
        let mut seen = GIVEN;
        while seen != DONE && now_ms() - t0 < JOIN_TIMEOUT_MS {
            wait_while(state, seen, JOIN_TIMEOUT_MS);
            seen = state.load(Ordering::SeqCst);
        }
        let ms = now_ms() - t0;
        if seen != DONE {
            self.retire(Hold::Open(thread.mb), thread.slot);
            return Err(format!("a thread did not end within {JOIN_TIMEOUT_MS} ms"));
        }
        self.cold_ms.borrow_mut().push(thread.cold_ms);
        thread.mb.terminate("joined");
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
        match (opened, said) {
            (Ok(mb), Ok(FromProcess::Parked { parked_ms, .. })) => Ok(ParkedThread {
                mb,
                slot,
                cold_ms: parked_ms - asked_ms,
            }),
            (mb, said) => {
                // A worker that never parked may still reach its slot.
                match mb {
                    Ok(mb) => self.retire(Hold::Open(mb), slot),
                    Err(_) => self.retiring.borrow_mut().push((None, slot)),
                }
                Err(match said {
                    Ok(other) => super::procs::unexpected("its start", &other),
                    Err(why) => why,
                })
            }
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
        self.reap();
    }

    fn retire(&self, worker: Hold, slot: Box<Slot>) {
        if slot
            .state
            .compare_exchange(PARKED, QUIT, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            notify(&slot.state);
        }
        self.retiring.borrow_mut().push((Some(worker), slot));
    }

    /// Frees the slots of threads that have ended, and ends their workers.
    fn reap(&self) {
        let retiring = std::mem::take(&mut *self.retiring.borrow_mut());
        for (worker, slot) in retiring {
            // A worker that failed or was never made cannot reach its slot.
            let gone = worker.as_ref().is_none_or(Hold::is_closed);
            if gone || slot.state.load(Ordering::SeqCst) == DONE {
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
