//! This machine's limits: what the browser lets any model reach, measured
//! in the page before the first run. Every model is bounded by them, so the
//! page sets each model's overhead beside the limit it cannot beat ("fork:
//! 34 ms per start = 1.0 × a process start") instead of leaving readers to
//! guess whether a figure is the page's fault or the browser's.
//!
//! The measurements that need the browser (starting a worker, instantiating
//! the module, a message round trip) are taken by the engine
//! (`web/calibrate.rs`); the ones that are plain Rust live here and are
//! tested natively.

use crate::format::figure;
use crate::models::{Clock, ModelId};
use crate::report::{HandoverBar, Report};
use crate::stats;
use crate::workloads::{transfer::Via, Workload};
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

/// One model's overhead set against the limit that bounds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Overhead {
    pub model: ModelId,
    pub words: String,
    /// The figure over the limit: 1.0 is as fast as the browser allows
    /// (for throughputs, the share of the limit reached).
    pub ratio: f64,
}

/// Each model's overhead in `report` against the calibration: starts and
/// dispatches in the spawn lesson, throughput in the transfer lesson.
pub fn overheads(report: &Report, c: &Calibration) -> Vec<Overhead> {
    let workload = crate::config::RunConfig::from_map(&report.config, report.env.cores.max(1))
        .0
        .workload;
    let mut out = Vec::new();
    for r in &report.results {
        let over = |measured: String, limit: Option<f64>, what: &str, unit: &str, v: f64| {
            limit.filter(|l| *l > 0.0).map(|l| {
                // Below 1 the limit was not one: it was measured at the
                // page's first run, and this run did better. Said, not hidden.
                // A time under its limit, or a rate over it.
                let ratio = if unit == "GB/s" { l / v } else { v / l };
                let beat = if ratio < 0.95 {
                    "; faster than the limit measured before the first run, so that one was not the floor"
                } else {
                    ""
                };
                Overhead {
                    model: r.model,
                    words: format!(
                        "{}: {measured} = {:.1} × {what} ({} {unit}){beat}",
                        r.model.id(),
                        v / l,
                        figure(l)
                    ),
                    ratio: v / l,
                }
            })
        };
        let found = match &workload {
            // A step the clock could not time is a bound: no ratio from it.
            Workload::Spawn(_) if !r.timed("per_step_us") => None,
            Workload::Spawn(_) => r.figures.get("per_step_us").and_then(|&us| match r.model {
                // A fork is made in a spare worker that is already running,
                // so what bounds it is instantiating the module.
                ModelId::Fork => over(
                    format!("{} ms per start", figure(us / 1e3)),
                    c.timed("instantiate_ms"),
                    "instantiating the module",
                    "ms",
                    us / 1e3,
                ),
                // A thread here is a worker too, joining the engine's memory:
                // its start is bounded by a worker's cold start.
                ModelId::Threads | ModelId::Gil | ModelId::OldGil => over(
                    format!("{} ms per start", figure(us / 1e3)),
                    c.timed("process_start_ms"),
                    "a process start",
                    "ms",
                    us / 1e3,
                ),
                ModelId::Procs => over(
                    format!("{} µs per dispatch", figure(us)),
                    c.message_rtt_us,
                    "a message round trip",
                    "µs",
                    us,
                ),
                _ => None,
            }),
            Workload::Transfer(t) => {
                // A process model's own breakdown says how fast the bytes
                // got into the receiver's memory, apart from the checksum
                // and the dispatch; the others have the whole run only.
                let handed = report
                    .handovers
                    .iter()
                    .find(|b| b.model == r.model && !b.cold)
                    .and_then(HandoverBar::handing_gbps);
                let whole = r
                    .median_ms
                    .filter(|ms| *ms > 0.0)
                    .map(|ms| t.len_bytes() as f64 * f64::from(t.tasks) / (ms * 1e6));
                let (gbps, how) = match (handed, whole) {
                    (Some(g), _) => (Some(g), "handed over (warm)"),
                    (None, g) => (g, "handed over and checksummed"),
                };
                gbps.and_then(|gbps| {
                    let mut o = over(
                        format!("{} GB/s {how} via {}", figure(gbps), t.via.id()),
                        c.memcpy_gbps,
                        "memcpy",
                        "GB/s",
                        gbps,
                    )?;
                    // The copy into a process's memory is the browser's,
                    // and every via pays it once. `copy` pays a second of
                    // the same kind (`TypedArray.set` into a new buffer)
                    // before it posts, so two in a row bound it.
                    if let (Some(_), Some(limit)) = (handed, c.copy_in_gbps) {
                        o.words.push_str(&format!(
                            "; the copy into a process's memory alone runs at {} GB/s here",
                            figure(limit)
                        ));
                        if t.via == Via::Copy {
                            let best = limit / 2.0;
                            o.words.push_str(&format!(
                                ", and via copy it is two such copies in a row: {} GB/s at best{}",
                                figure(best),
                                if gbps > best * 1.05 {
                                    ", which this run beat, so that copy was slower before the first run"
                                } else {
                                    ""
                                }
                            ));
                        }
                    }
                    Some(o)
                })
            }
            _ => None,
        };
        out.extend(found);
    }
    out
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

    #[test]
    fn overheads_are_set_against_their_limits() {
        use crate::config::{parse_query, RunConfig};
        use crate::models::Measurement;
        let c = Calibration {
            process_start_ms: Some(20.0),
            instantiate_ms: Some(20.0),
            message_rtt_us: Some(50.0),
            memcpy_gbps: Some(4.0),
            ..Calibration::default()
        };
        let env = || crate::report::Env::with_cores(2);
        let (cfg, _) = RunConfig::from_pairs(&parse_query("w=spawn&models=fork,procs,seq"), 2);
        let with = |model, us: f64| {
            let mut m = Measurement::plain(model, 2, 10.0, cfg.workload.expected().to_string());
            m.figures.insert("per_step_us".into(), us);
            m
        };
        let r = Report::build(
            &cfg,
            env(),
            &[
                with(ModelId::Fork, 34_000.0),
                with(ModelId::Procs, 145.0),
                with(ModelId::Seq, 1.0),
            ],
            String::new(),
        );
        let o = overheads(&r, &c);
        assert_eq!(o.len(), 2, "seq starts nothing: {o:?}");
        let beaten = Calibration {
            instantiate_ms: Some(40.0),
            ..c.clone()
        };
        assert!(overheads(&r, &beaten)[0].words.starts_with(
            "fork: 34.0 ms per start = 0.8 × instantiating the module (40.0 ms); faster than the limit"
        ));
        assert_eq!(
            o[0].words,
            "fork: 34.0 ms per start = 1.7 × instantiating the module (20.0 ms)"
        );
        assert_eq!(
            o[1].words,
            "procs: 145 µs per dispatch = 2.9 × a message round trip (50.0 µs)"
        );
        // On a 1 ms clock a 0.8 ms instantiation, timed once, is only
        // under 2 ms: no limit to set a fork against. A batched round trip
        // is timed on any clock.
        let coarse = Calibration {
            timer_resolution_ms: Some(1.0),
            instantiate_ms: Some(1.0),
            ..c.clone()
        };
        assert_eq!(coarse.bound_ms("instantiate_ms"), Some(2.0));
        assert_eq!(coarse.bound_ms("process_start_ms"), None);
        assert_eq!(coarse.bound_ms("message_rtt_us"), None);
        assert_eq!(coarse.timed("instantiate_ms"), None);
        assert_eq!(coarse.timed("process_start_ms"), Some(20.0));
        let o = overheads(&r, &coarse);
        assert_eq!(o.len(), 1, "{o:?}");
        assert_eq!(o[0].model, ModelId::Procs);

        // 2 tasks × 64 MiB in 100 ms: 1.34 GB/s, a third of memcpy.
        let (cfg, _) = RunConfig::from_pairs(
            &parse_query("w=transfer&tasks=2&mib=64&via=copy&models=procs"),
            2,
        );
        let m = Measurement::plain(
            ModelId::Procs,
            2,
            100.0,
            cfg.workload.expected().to_string(),
        );
        let r = Report::build(&cfg, env(), &[m], String::new());
        let o = overheads(&r, &c);
        assert_eq!(
            o[0].words,
            "procs: 1.34 GB/s handed over and checksummed via copy = 0.3 × memcpy (4.00 GB/s)"
        );
        assert!((o[0].ratio - 0.3355).abs() < 1e-3);
        assert!(
            overheads(&r, &Calibration::default()).is_empty(),
            "nothing measured, nothing said"
        );

        // With a breakdown, the rate is the handing over alone: 64 MiB
        // into the receiver's memory in 10 ms, the checksum left out.
        use crate::workloads::transfer::Handover;
        let mut m = Measurement::plain(
            ModelId::Procs,
            2,
            100.0,
            cfg.workload.expected().to_string(),
        );
        let warm = Handover {
            serialize_ms: 3.0,
            deliver_ms: 1.0,
            grow_ms: 0.0,
            copy_ms: 6.0,
            checksum_ms: 40.0,
            cold: false,
        };
        m.handovers = vec![warm, warm];
        let r = Report::build(&cfg, env(), &[m.clone()], String::new());
        assert_eq!(
            overheads(&r, &c)[0].words,
            "procs: 6.71 GB/s handed over (warm) via copy = 1.7 × memcpy (4.00 GB/s); faster than the limit measured before the first run, so that one was not the floor"
        );
        let with_copy_in = Calibration {
            memcpy_gbps: Some(16.0),
            copy_in_gbps: Some(8.5),
            ..c.clone()
        };
        assert_eq!(
            overheads(&r, &with_copy_in)[0].words,
            "procs: 6.71 GB/s handed over (warm) via copy = 0.4 × memcpy (16.0 GB/s); the copy into a process's memory alone runs at 8.50 GB/s here, and via copy it is two such copies in a row: 4.25 GB/s at best, which this run beat, so that copy was slower before the first run"
        );
        let fast_copy_in = Calibration {
            copy_in_gbps: Some(15.0),
            ..with_copy_in.clone()
        };
        assert_eq!(
            overheads(&r, &fast_copy_in)[0].words,
            "procs: 6.71 GB/s handed over (warm) via copy = 0.4 × memcpy (16.0 GB/s); the copy into a process's memory alone runs at 15.0 GB/s here, and via copy it is two such copies in a row: 7.50 GB/s at best"
        );
        // `move` copies once: only the one copy bounds it.
        let (moved, _) = RunConfig::from_pairs(
            &parse_query("w=transfer&tasks=2&mib=64&via=move&models=procs"),
            2,
        );
        let r = Report::build(&moved, env(), &[m], String::new());
        assert_eq!(
            overheads(&r, &fast_copy_in)[0].words,
            "procs: 6.71 GB/s handed over (warm) via move = 0.4 × memcpy (16.0 GB/s); the copy into a process's memory alone runs at 15.0 GB/s here"
        );
    }
}
