//! The engine's half of the calibration ([`crate::calibrate`]): what only
//! a browser can measure, with the engine's own pools.

use super::mailbox::Outgoing;
use super::now_ms;
use super::procs::{unexpected, Processes};
use super::WebClock;
use crate::calibrate::{self, Calibration};
use crate::protocol::{FromProcess, ToProcess};
use crate::stats;

/// Fresh processes started (and ended) to time a start.
const STARTS: usize = 3;
/// Messages to a pool process and back, in at least this many batches.
const PINGS: u32 = 60;
const PING_BATCHES: usize = 3;
/// Bytes copied for the memcpy rates: the transfer lesson's largest size.
const MEMCPY_BYTES: usize = 64 << 20;

/// Measures the limits with `procs` (whose pool must have a worker) and,
/// with shared memory, the engine's thread pool. The timer resolution
/// and core count are the page's to add.
pub async fn measure(procs: &Processes) -> Result<Calibration, String> {
    let mut boots = Vec::with_capacity(STARTS);
    let (mut within, mut from_js) = ((None, None), None);
    for i in 0..STARTS {
        let (mb, boot) = procs.launcher.spawn_timed().await?;
        // The copy rates in the last two processes started, one each: the
        // buffers (128 MiB within wasm memory, 64 MiB from JS) go with
        // their process, where the engine would keep them for good.
        if i + 2 >= STARTS {
            let last = i + 1 == STARTS;
            let asked = ToProcess::Memcpy {
                bytes: MEMCPY_BYTES as u64,
                from_js: last,
            };
            match mb.ask::<_, FromProcess>(&asked, &Outgoing::none()).await?.0 {
                FromProcess::Copied { copy_in_gbps, .. } if last => from_js = copy_in_gbps,
                FromProcess::Copied {
                    cold_gbps,
                    warm_gbps,
                    ..
                } => within = (cold_gbps, warm_gbps),
                other => return Err(unexpected("the copy rates", &other)),
            }
        }
        procs.launcher.end(&mb);
        boots.extend(boot);
    }
    let (cold, warm) = within;
    // The best of the starts: a limit is what the browser can do, and the
    // first start of a page is also its coldest.
    let best_of = |f: fn(&calibrate::Boot) -> f64| boots.iter().map(f).reduce(f64::min);
    // Timed in batches of 20 clock ticks: a round trip (about 0.1 ms) is
    // shorter than a tick of a coarse clock (1 ms), and alone would read 0
    // or a tick. On a fine clock a batch is a trip or two, and the median
    // of many leaves out a slow one, as it did when each was timed alone.
    let batch = calibrate::batch_ms(calibrate::clock_step_ms(&WebClock, 2.0));
    let mut rtts = Vec::new();
    let mut pings = 0;
    while pings < PINGS || rtts.len() < PING_BATCHES {
        let t = now_ms();
        let mut n = 0u32;
        while n == 0 || now_ms() - t < batch {
            procs.pool.ping(0).await?;
            n += 1;
        }
        pings += n;
        rtts.push((now_ms() - t) * 1e3 / f64::from(n));
    }
    Ok(Calibration {
        worker_start_ms: best_of(calibrate::Boot::worker_start_ms),
        instantiate_ms: best_of(calibrate::Boot::instantiate_ms),
        process_start_ms: best_of(calibrate::Boot::process_start_ms),
        message_rtt_us: stats::median(&rtts),
        atomics_rtt_us: atomics_rtt_us(),
        memcpy_gbps: warm,
        memcpy_cold_gbps: cold,
        copy_in_gbps: from_js,
        ..Calibration::default()
    })
}

/// The copy rates of [`ToProcess::Memcpy`], in the memory of the process
/// that runs this.
pub fn copy_rates(bytes: usize, from_js: bool) -> FromProcess {
    let batch = calibrate::batch_ms(calibrate::clock_step_ms(&WebClock, 2.0));
    if from_js {
        return FromProcess::Copied {
            cold_gbps: None,
            warm_gbps: None,
            copy_in_gbps: Some(copy_in_gbps(bytes, batch)),
        };
    }
    let (cold, warm) = calibrate::memcpy_gbps(bytes, &WebClock, batch);
    FromProcess::Copied {
        cold_gbps: Some(cold),
        warm_gbps: Some(warm),
        copy_in_gbps: None,
    }
}

/// GB/s of copying `bytes` from a JS `ArrayBuffer` into wasm memory that
/// was touched before (`TypedArray.prototype.set`), best of three batches:
/// the copy every process pays to get bytes it was sent into its own memory.
fn copy_in_gbps(bytes: usize, batch_ms: f64) -> f64 {
    let src = js_sys::Uint8Array::new_with_length(bytes as u32);
    src.fill(7, 0, bytes as u32);
    let mut dst = vec![0u8; bytes];
    let best = (0..3)
        .map(|_| {
            // SAFETY: `dst` holds exactly `bytes` bytes, the length of `src`.
            let ms = calibrate::per_step_ms(&WebClock, 1, batch_ms, || unsafe {
                src.raw_copy_to_ptr(dst.as_mut_ptr())
            });
            bytes as f64 / (ms.max(1e-6) * 1e6)
        })
        .fold(0.0f64, f64::max);
    std::hint::black_box(&dst);
    best
}

/// Two of the engine's rayon threads waiting on each other; the reduced
/// build has one thread and no shared memory to wait on.
fn atomics_rtt_us() -> Option<f64> {
    if !super::shared_memory() {
        return None;
    }
    calibrate::atomics_rtt_us(500, 5, &WebClock)
}
