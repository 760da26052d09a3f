//! This machine's limits: what the browser lets any model reach, measured
//! in the page before the first run. Every model is bounded by them, so the
//! page sets each model's overhead beside the limit it cannot beat
//! ([`crate::verdict::overheads`]: a fork against instantiating the module,
//! a thread's start against a process's, a dispatch against a message
//! round trip) instead of leaving readers to guess whether a figure is the
//! page's fault or the browser's.
//!
//! The measurements that need the browser (starting a worker, instantiating
//! the module, a message round trip) are taken by the engine
//! (`web/calibrate.rs`); the ones that are plain Rust live here and are
//! tested natively.

use crate::models::Clock;
use crate::stats;
use serde::{Deserialize, Serialize};
use std::sync::{Condvar, Mutex, PoisonError};

/// The limits, each `None` where this page could not measure it (the
/// reduced page has no shared memory, so no wait/notify between threads).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// The smallest step of the page's clock.
    pub timer_resolution_ms: Option<f64>,
    pub cores: u32,
    /// From asking for a fresh process to its script running: making the
    /// worker (through the page) and loading its boot script.
    pub worker_start_ms: Option<f64>,
    /// Instantiating the compiled module with a memory of its own.
    pub instantiate_ms: Option<f64>,
    /// From asking to the process saying it is ready: the whole cold start.
    pub process_start_ms: Option<f64>,
    /// One message to a running process and its answer.
    pub message_rtt_us: Option<f64>,
    /// One `Atomics.wait`/`notify` exchange between two threads and back.
    pub atomics_rtt_us: Option<f64>,
    /// Copying within wasm memory that was touched before, and memory that
    /// was not (its first touch, after `memory.grow`).
    pub memcpy_gbps: Option<f64>,
    pub memcpy_cold_gbps: Option<f64>,
    /// Copying from a JS `ArrayBuffer` into wasm memory touched before
    /// (`TypedArray.set`): the one copy a process pays for every buffer it
    /// is sent, whatever the via.
    #[serde(default)]
    pub copy_in_gbps: Option<f64>,
}

/// The limits timed one step at a time (a start is not repeated in a
/// batch): under two ticks of the clock, each is a bound, not a length.
const SINGLE_STEPS: [&str; 3] = ["worker_start_ms", "instantiate_ms", "process_start_ms"];

/// What one limit is called, in words, with its unit.
pub const LIMITS: [(&str, &str); 8] = [
    ("worker_start_ms", "a worker start"),
    ("instantiate_ms", "instantiating the module"),
    ("process_start_ms", "a process start"),
    ("message_rtt_us", "a message round trip"),
    ("atomics_rtt_us", "an Atomics wait/notify round trip"),
    ("memcpy_gbps", "memcpy in wasm (warm)"),
    ("memcpy_cold_gbps", "memcpy in wasm (first touch)"),
    ("copy_in_gbps", "copying from JS into wasm memory"),
];

impl Calibration {
    /// The limits as `(key, words, value, unit)`, in [`LIMITS`] order, for
    /// the panel and its table; those not measured are left out.
    pub fn rows(&self) -> Vec<(&'static str, &'static str, f64, &'static str)> {
        let values = [
            (self.worker_start_ms, "ms"),
            (self.instantiate_ms, "ms"),
            (self.process_start_ms, "ms"),
            (self.message_rtt_us, "µs"),
            (self.atomics_rtt_us, "µs"),
            (self.memcpy_gbps, "GB/s"),
            (self.memcpy_cold_gbps, "GB/s"),
            (self.copy_in_gbps, "GB/s"),
        ];
        LIMITS
            .iter()
            .zip(values)
            .filter_map(|((key, words), (v, unit))| v.map(|v| (*key, *words, v, unit)))
            .collect()
    }

    fn value(&self, key: &str) -> Option<f64> {
        self.rows()
            .into_iter()
            .find_map(|(k, _, v, _)| (k == key).then_some(v))
    }

    /// For a limit timed in one step under two ticks of the clock: what it
    /// is under, in ms. `None` when it was timed.
    pub fn bound_ms(&self, key: &str) -> Option<f64> {
        let res = self
            .timer_resolution_ms
            .filter(|t| t.is_finite() && *t > 0.0)?;
        let bound = stats::clock_bound_us(res) / 1e3;
        (SINGLE_STEPS.contains(&key) && self.value(key)? < bound).then_some(bound)
    }

    /// Limit `key` where it can be set against a model's figure: measured,
    /// and not a bound.
    pub fn timed(&self, key: &str) -> Option<f64> {
        self.value(key).filter(|_| self.bound_ms(key).is_none())
    }
}

/// The smallest step `clock` takes, seen over `spin_ms` of reading it:
/// browsers coarsen it (5 µs in an isolated page, 0.1 to 1 ms otherwise),
/// which bounds how finely one step can be timed.
pub fn clock_step_ms(clock: &impl Clock, spin_ms: f64) -> Option<f64> {
    let start = clock.now_ms();
    let mut last = start;
    let mut best = f64::INFINITY;
    while last - start < spin_ms {
        let now = clock.now_ms();
        if now > last {
            best = best.min(now - last);
            last = now;
        }
    }
    best.is_finite().then_some(best)
}

/// How long a batch of repeated steps lasts at least on a clock with this
/// step: 20 ticks, so a step shorter than a tick is still timed, as the
/// batch's share, to 5%. Where the step is unknown, 10 ms: ten ticks of
/// the coarsest clock a page gets (Firefox without isolation).
pub fn batch_ms(clock_step_ms: Option<f64>) -> f64 {
    clock_step_ms.map_or(10.0, |s| 20.0 * s)
}

/// Ms per call of `step`, called until `min_ms` have passed and at least
/// `min_steps` times.
pub fn per_step_ms(clock: &impl Clock, min_steps: u32, min_ms: f64, mut step: impl FnMut()) -> f64 {
    let t = clock.now_ms();
    let mut n = 0u32;
    loop {
        step();
        n += 1;
        let elapsed = clock.now_ms() - t;
        if n >= min_steps && elapsed >= min_ms {
            return elapsed / f64::from(n);
        }
    }
}

/// GB/s of copying `bytes` inside this memory: first into memory never
/// touched (a fresh allocation that grows the memory), then, best of three
/// batches of at least `batch_ms`, into the same memory again. `(cold, warm)`.
pub fn memcpy_gbps(bytes: usize, clock: &impl Clock, batch_ms: f64) -> (f64, f64) {
    let src: Vec<u8> = (0..bytes).map(|i| i as u8).collect();
    let gbps = |ms: f64| bytes as f64 / (ms.max(1e-6) * 1e6);
    let t = clock.now_ms();
    let mut dst: Vec<u8> = Vec::with_capacity(bytes);
    dst.extend_from_slice(&src);
    let cold = gbps(clock.now_ms() - t);
    let warm = (0..3)
        .map(|_| {
            gbps(per_step_ms(clock, 1, batch_ms, || {
                dst.copy_from_slice(std::hint::black_box(&src))
            }))
        })
        .fold(0.0f64, f64::max);
    std::hint::black_box(&dst);
    (cold, warm)
}

/// µs per round trip of two threads that take turns through a mutex and a
/// condition variable: each waits until the other notifies it, which is
/// `Atomics.wait`/`notify` in wasm and a futex natively. The median of
/// `batches` batches of `rounds` round trips. `None` with fewer than two
/// threads in the current rayon pool (the two would wait on each other).
pub fn atomics_rtt_us(rounds: u32, batches: u32, clock: &impl Clock) -> Option<f64> {
    if rayon::current_num_threads() < 2 || rounds == 0 {
        return None;
    }
    let per_batch: Vec<f64> = (0..batches.max(1))
        .map(|_| {
            let turn = Mutex::new(0u64);
            let changed = Condvar::new();
            // Side `side` moves the count from even (0) or odd (1) on.
            let play = |side: u64| {
                for _ in 0..rounds {
                    let mut n = turn.lock().unwrap_or_else(PoisonError::into_inner);
                    while *n % 2 != side {
                        n = changed.wait(n).unwrap_or_else(PoisonError::into_inner);
                    }
                    *n += 1;
                    changed.notify_one();
                }
            };
            let t = clock.now_ms();
            rayon::scope(|s| {
                s.spawn(|_| play(0));
                s.spawn(|_| play(1));
            });
            (clock.now_ms() - t) * 1e3 / f64::from(rounds)
        })
        .collect();
    stats::median(&per_batch)
}

/// When each part of a fresh process's start happened, on the shared clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Boot {
    /// The engine asked for the worker.
    pub asked_ms: f64,
    /// The worker's boot script began to run.
    pub script_ms: f64,
    /// It began to instantiate the module.
    pub init_ms: f64,
    /// The instance's `main` began: instantiated.
    pub main_ms: f64,
    /// The engine heard that it was ready.
    pub ready_ms: f64,
}

impl Boot {
    pub fn worker_start_ms(&self) -> f64 {
        self.script_ms - self.asked_ms
    }
    pub fn instantiate_ms(&self) -> f64 {
        self.main_ms - self.init_ms
    }
    pub fn process_start_ms(&self) -> f64 {
        self.ready_ms - self.asked_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::native::InstantClock;

    #[test]
    fn memcpy_and_wait_notify_are_measured_and_positive() {
        let clock = InstantClock::default();
        let (cold, warm) = memcpy_gbps(8 << 20, &clock, 1.0);
        assert!(cold > 0.0 && warm > 0.0 && cold.is_finite() && warm.is_finite());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let rtt = pool.install(|| atomics_rtt_us(200, 3, &clock)).unwrap();
        assert!(rtt > 0.0 && rtt.is_finite(), "{rtt}");
        let single = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(
            single.install(|| atomics_rtt_us(10, 1, &clock)),
            None,
            "one thread cannot play both sides"
        );
    }

    /// A clock that steps by 1 ms over a time kept to the µs; with `drift`,
    /// each read moves that time on (a clock that is spun on advances).
    struct Coarse {
        now: Mutex<f64>,
        drift: f64,
    }
    impl Clock for Coarse {
        fn now_ms(&self) -> f64 {
            let mut t = self.now.lock().unwrap();
            *t += self.drift;
            t.floor()
        }
    }

    #[test]
    fn a_step_shorter_than_a_tick_is_timed_in_a_batch() {
        // A step of 0.1 ms alone reads 0 or 1 ms; a batch reads 0.1.
        let clock = Coarse {
            now: Mutex::new(0.3),
            drift: 0.0,
        };
        let ms = per_step_ms(&clock, 20, batch_ms(Some(1.0)), || {
            *clock.now.lock().unwrap() += 0.1
        });
        assert!((ms - 0.1).abs() < 0.01, "{ms}");
        let spun = Coarse {
            now: Mutex::new(0.0),
            drift: 0.00025,
        };
        let step = clock_step_ms(&spun, 5.0).unwrap();
        assert_eq!(step, 1.0);
        assert_eq!(batch_ms(Some(step)), 20.0);
        assert_eq!(batch_ms(None), 10.0);
    }

    #[test]
    fn a_boot_splits_into_its_parts() {
        let b = Boot {
            asked_ms: 100.0,
            script_ms: 112.0,
            init_ms: 113.0,
            main_ms: 121.5,
            ready_ms: 123.0,
        };
        assert_eq!(
            (
                b.worker_start_ms(),
                b.instantiate_ms(),
                b.process_start_ms()
            ),
            (12.0, 8.5, 23.0)
        );
    }
}
