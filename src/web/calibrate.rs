//! The engine's half of the calibration ([`crate::calibrate`]): what only
//! a browser can measure, with the engine's own pools.

use super::now_ms;
use super::procs::Processes;
use super::WebClock;
use crate::calibrate::{self, Calibration};
use crate::stats;

/// Fresh processes started (and ended) to time a start.
const STARTS: usize = 3;
/// Messages to a pool process and back.
const PINGS: usize = 60;
/// Bytes copied for the memcpy rates: the transfer lesson's largest size.
const MEMCPY_BYTES: usize = 64 << 20;

/// Measures the limits with `procs` (whose pool must have a worker) and,
/// with shared memory, the engine's thread pool. `run` tags the pings.
/// The timer resolution and core count are the page's to add.
pub async fn measure(procs: &Processes, run: u32) -> Result<Calibration, String> {
    let mut boots = Vec::with_capacity(STARTS);
    for _ in 0..STARTS {
        let (mb, boot) = procs.spawn_timed().await?;
        procs.end(&mb);
        boots.extend(boot);
    }
    // The best of the starts: a limit is what the browser can do, and the
    // first start of a page is also its coldest.
    let best_of = |f: fn(&calibrate::Boot) -> f64| boots.iter().map(f).reduce(f64::min);
    let mut rtts = Vec::with_capacity(PINGS);
    for _ in 0..PINGS {
        let t = now_ms();
        procs.ping(run, 0).await?;
        rtts.push((now_ms() - t) * 1e3);
    }
    let (cold, warm) = calibrate::memcpy_gbps(MEMCPY_BYTES, &WebClock);
    Ok(Calibration {
        worker_start_ms: best_of(calibrate::Boot::worker_start_ms),
        instantiate_ms: best_of(calibrate::Boot::instantiate_ms),
        process_start_ms: best_of(calibrate::Boot::process_start_ms),
        message_rtt_us: stats::median(&rtts),
        atomics_rtt_us: atomics_rtt_us(),
        memcpy_gbps: Some(warm),
        memcpy_cold_gbps: Some(cold),
        ..Calibration::default()
    })
}

/// Two of the engine's rayon threads waiting on each other; the reduced
/// build has one thread and no shared memory to wait on.
fn atomics_rtt_us() -> Option<f64> {
    if !super::shared_memory() {
        return None;
    }
    calibrate::atomics_rtt_us(500, 5, &WebClock)
}
