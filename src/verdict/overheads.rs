//! Each model's overhead set against the limit of this machine that bounds
//! it ("fork: 2.16 ms per start = 2.2 × instantiating the module"), so a
//! reader can tell whether a figure is the page's fault or the browser's.
//! The limits themselves are [`crate::calibrate`]'s.

use crate::calibrate::Calibration;
use crate::config::RunConfig;
use crate::format::figure;
use crate::models::ModelId;
use crate::report::{HandoverBar, Report};
use crate::workloads::{transfer::Via, Workload};

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
    let workload = RunConfig::from_map(&report.config, report.env.cores.max(1))
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
                // A thread starts from a worker parked on the engine's
                // memory: waking it and hearing it ended is a wait/notify
                // round trip at best.
                m if m.is_thread_model() => over(
                    format!("{} µs per start", figure(us)),
                    c.atomics_rtt_us,
                    "an Atomics wait/notify round trip",
                    "µs",
                    us,
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

    #[test]
    fn overheads_are_set_against_their_limits() {
        use crate::config::parse_query;
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
                with(ModelId::Seq, 90.0),
            ],
            String::new(),
        );
        let o = overheads(&r, &c);
        assert_eq!(
            o.len(),
            2,
            "no wait/notify round trip to set seq's threads against: {o:?}"
        );
        let with_atomics = Calibration {
            atomics_rtt_us: Some(30.0),
            ..c.clone()
        };
        assert_eq!(
            overheads(&r, &with_atomics)[2].words,
            "seq: 90.0 µs per start = 3.0 × an Atomics wait/notify round trip (30.0 µs)",
            "a thread start is set against waking a parked worker, not against a process start"
        );
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
