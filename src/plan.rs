//! A run as the engine sees it: one or more steps. The main step is the
//! configuration as given; `sweep=1` adds the same run at every worker count
//! from 1 to twice the cores (the scaling curve), and `sizes=1` runs the
//! transfer lesson at each buffer size for every via. The page sends the
//! steps one after another and assembles one report from them.

use crate::config::RunConfig;
use crate::models::{Measurement, ModelId};
use crate::report::{Env, MixPoint, Report, SizePoint, SweepPoint};
use crate::stats;
use crate::workloads::io::Io;
use crate::workloads::transfer::{Transfer, Via, SIZES_BYTES};
use crate::workloads::Workload;

#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    Main,
    Sweep,
    Size {
        via: Via,
        bytes: usize,
    },
    /// The I/O share sweep: each task waits `io_pct`% of its work.
    Mix {
        io_pct: u32,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub kind: StepKind,
    pub workload: Workload,
    pub models: Vec<ModelId>,
    pub workers: u32,
}

impl Step {
    /// What the progress line calls this step.
    pub fn label(&self) -> String {
        match &self.kind {
            StepKind::Main => "main run".to_string(),
            StepKind::Sweep => format!("scaling sweep, {} workers", self.workers),
            StepKind::Size { via, bytes } => {
                format!("size series, {} via {}", human_bytes(*bytes), via.id())
            }
            StepKind::Mix { io_pct } => format!("I/O share sweep, {io_pct}% waiting"),
        }
    }
}

pub fn human_bytes(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 => format!("{} KiB", b >> 10),
        b => format!("{b} B"),
    }
}

/// The steps of `cfg` on a machine with `cores` cores.
pub fn steps(cfg: &RunConfig, cores: u32) -> Vec<Step> {
    let mut out = vec![Step {
        kind: StepKind::Main,
        workload: cfg.workload.clone(),
        models: cfg.models.clone(),
        workers: cfg.workers,
    }];
    if cfg.sweep {
        // `seq` and `async` run on one thread whatever the worker count:
        // the main step's measurement serves.
        let models: Vec<ModelId> = cfg
            .models
            .iter()
            .copied()
            .filter(|m| !matches!(m, ModelId::Seq | ModelId::Async))
            .collect();
        if !models.is_empty() {
            for workers in 1..=(2 * cores.max(1)).min(crate::config::MAX_WORKERS as u32) {
                out.push(Step {
                    kind: StepKind::Sweep,
                    workload: cfg.workload.clone(),
                    models: models.clone(),
                    workers,
                });
            }
        }
    }
    if let (true, Workload::Io(io)) = (cfg.mix, &cfg.workload) {
        for io_pct in MIX_SHARES {
            out.push(Step {
                kind: StepKind::Mix { io_pct },
                workload: Workload::Io(mixed(io, io_pct)),
                models: cfg.models.clone(),
                workers: cfg.workers,
            });
        }
    }
    if let (true, Workload::Transfer(t)) = (cfg.sizes, &cfg.workload) {
        for (_, via) in Via::ALL {
            for bytes in SIZES_BYTES {
                out.push(Step {
                    kind: StepKind::Size { via, bytes },
                    workload: Workload::Transfer(Transfer::new(
                        t.tasks,
                        bytes as f64 / crate::workloads::transfer::MIB,
                        via,
                    )),
                    models: cfg.models.clone(),
                    workers: cfg.workers,
                });
            }
        }
    }
    out
}

/// The I/O shares of the mix sweep, in percent of each task.
pub const MIX_SHARES: [u32; 5] = [0, 25, 50, 75, 100];

/// A task that waits `io_pct`% of `io.wait_ms` and computes the rest of
/// `io.cpu_n`: at 0% all computing, at 100% all waiting. With `wait_ms` and
/// `cpu_n` of about the same duration, the share is the time share too.
pub fn mixed(io: &Io, io_pct: u32) -> Io {
    let share = f64::from(io_pct.min(100)) / 100.0;
    Io {
        tasks: io.tasks,
        wait_ms: io.wait_ms * share,
        cpu_n: (io.cpu_n as f64 * (1.0 - share)).round() as u64,
    }
}

/// The largest worker count any step needs: the engine's pool size.
pub fn max_workers(steps: &[Step]) -> u32 {
    steps.iter().map(|s| s.workers).max().unwrap_or(1)
}

/// One report from every step's measurements (in step order).
pub fn assemble(
    cfg: &RunConfig,
    env: Env,
    steps: &[Step],
    measured: &[Vec<Measurement>],
    share_url: String,
) -> Report {
    let main = measured.first().map(Vec::as_slice).unwrap_or(&[]);
    let mut report = Report::build(cfg, env, main, share_url);
    let seq_median = report
        .results
        .iter()
        .find(|r| r.model == ModelId::Seq)
        .and_then(|r| r.median_ms);
    for (step, ms) in steps.iter().zip(measured) {
        let medians = cfg.models.iter().filter_map(|&model| {
            let samples: Vec<f64> = ms
                .iter()
                .filter(|m| m.model == model)
                .map(|m| m.wall_ms)
                .collect();
            stats::median(&samples).map(|median| (model, median))
        });
        match &step.kind {
            StepKind::Main => {}
            StepKind::Sweep => report
                .sweep
                .extend(medians.map(|(model, median)| SweepPoint {
                    model,
                    workers: step.workers,
                    median_ms: Some(median),
                    speedup: stats::speedup(seq_median, Some(median)),
                })),
            StepKind::Mix { io_pct } => {
                // Each share has its own baseline: seq at the same share.
                let medians: Vec<(ModelId, f64)> = medians.collect();
                let seq = medians
                    .iter()
                    .find(|(m, _)| *m == ModelId::Seq)
                    .map(|(_, v)| *v);
                report
                    .mix
                    .extend(medians.iter().map(|&(model, median_ms)| MixPoint {
                        model,
                        io_pct: *io_pct,
                        median_ms,
                        speedup: stats::speedup(seq, Some(median_ms)),
                    }))
            }
            StepKind::Size { via, bytes } => {
                report
                    .sizes
                    .extend(medians.map(|(model, median_ms)| SizePoint {
                        model,
                        via: *via,
                        bytes: *bytes as u64,
                        median_ms,
                    }))
            }
        }
    }
    // The report was derived before its sweep existed.
    report.fit_sweep();
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_query;

    fn cfg(q: &str) -> RunConfig {
        let (cfg, errors) = RunConfig::from_pairs(&parse_query(q), 2);
        assert!(errors.is_empty(), "{errors:?}");
        cfg
    }

    #[test]
    fn a_plain_run_is_one_step() {
        let s = steps(&cfg("models=seq,threads&workers=3"), 2);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].kind.clone(), s[0].workers), (StepKind::Main, 3));
        assert_eq!(max_workers(&s), 3);
    }

    #[test]
    fn the_mix_sweep_trades_waiting_for_computing() {
        let c = cfg("w=io&tasks=4&wait_ms=40&cpu_n=1000000&models=seq,async,gil&mix=1");
        let s = steps(&c, 2);
        let mixes: Vec<&Step> = s
            .iter()
            .filter(|x| matches!(x.kind, StepKind::Mix { .. }))
            .collect();
        assert_eq!(mixes.len(), MIX_SHARES.len());
        let io = |st: &Step| match &st.workload {
            Workload::Io(io) => io.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!((io(mixes[0]).wait_ms, io(mixes[0]).cpu_n), (0.0, 1_000_000));
        assert_eq!((io(mixes[2]).wait_ms, io(mixes[2]).cpu_n), (20.0, 500_000));
        assert_eq!((io(mixes[4]).wait_ms, io(mixes[4]).cpu_n), (40.0, 0));
        assert!(mixes
            .iter()
            .all(|m| m.models == c.models && io(m).tasks == 4));
        assert_eq!(mixes[1].label(), "I/O share sweep, 25% waiting");

        // Each share's speedups are against seq at that share.
        let measured: Vec<Vec<Measurement>> = s
            .iter()
            .map(|st| {
                st.models
                    .iter()
                    .map(|&m| {
                        let wall_ms = if m == ModelId::Seq { 100.0 } else { 25.0 };
                        Measurement::plain(m, 2, wall_ms, st.workload.expected().to_string())
                    })
                    .collect()
            })
            .collect();
        let env = crate::report::Env {
            cores: 2,
            isolated: true,
            user_agent: "test".into(),
            build: "0".into(),
            date: "2026-11-23".into(),
            timer_resolution_ms: None,
            shared_memory: None,
        };
        let r = assemble(&c, env, &s, &measured, String::new());
        assert_eq!(r.mix.len(), MIX_SHARES.len() * 3);
        let p = r
            .mix
            .iter()
            .find(|p| p.model == ModelId::Async && p.io_pct == 75)
            .unwrap();
        assert_eq!(p.speedup, Some(4.0));
        assert_eq!(p.median_ms, 25.0);
    }

    #[test]
    fn the_mix_sweep_needs_the_io_lesson_and_a_cpu_part() {
        let (c, errors) = RunConfig::from_pairs(&parse_query("w=io&mix=1"), 2);
        assert!(!c.mix && errors[0].key == "mix" && errors[0].limit.contains("cpu_n > 0"));
        let (c, errors) = RunConfig::from_pairs(&parse_query("w=cpu&mix=1"), 2);
        assert!(!c.mix && errors[0].limit.contains("w=io"));
    }

    #[test]
    fn a_sweep_covers_one_to_twice_the_cores_without_seq() {
        let s = steps(&cfg("models=seq,threads,procs&sweep=1"), 2);
        assert_eq!(s.len(), 5);
        assert_eq!(
            s[1..].iter().map(|x| x.workers).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        assert!(s[1..]
            .iter()
            .all(|x| x.models == [ModelId::Threads, ModelId::Procs]));
        assert_eq!(max_workers(&s), 4);
    }

    #[test]
    fn the_size_series_runs_every_via_at_every_size() {
        let s = steps(&cfg("w=transfer&models=threads,procs&sizes=1"), 2);
        assert_eq!(s.len(), 1 + 3 * SIZES_BYTES.len());
        let Workload::Transfer(t) = &s[1].workload else {
            panic!()
        };
        assert_eq!(t.len_bytes(), 1024);
        let Workload::Transfer(t) = &s[15].workload else {
            panic!()
        };
        assert_eq!((t.len_bytes(), t.via), (64 << 20, Via::Shared));
        assert_eq!(s[15].label(), "size series, 64 MiB via shared");
    }

    #[test]
    fn assembled_reports_carry_the_sweep_and_sizes() {
        let c = cfg("models=seq,threads&sweep=1");
        let s = steps(&c, 1);
        let m = |model, workers, wall_ms| {
            Measurement::plain(model, workers, wall_ms, "40000000".into())
        };
        let measured = vec![
            vec![m(ModelId::Seq, 1, 100.0), m(ModelId::Threads, 2, 50.0)],
            vec![m(ModelId::Threads, 1, 100.0)],
            vec![
                m(ModelId::Threads, 2, 52.0),
                m(ModelId::Threads, 2, 48.0),
                m(ModelId::Threads, 2, 50.0),
            ],
        ];
        let env = Env {
            cores: 1,
            isolated: true,
            user_agent: String::new(),
            build: String::new(),
            date: String::new(),
            timer_resolution_ms: None,
            shared_memory: None,
        };
        let r = assemble(&c, env, &s, &measured, String::new());
        assert_eq!(r.results.len(), 2);
        assert_eq!(r.sweep.len(), 2);
        assert_eq!(
            (r.sweep[1].workers, r.sweep[1].median_ms, r.sweep[1].speedup),
            (2, Some(50.0), Some(2.0))
        );
        assert!(r.usl.is_empty(), "two sweep points are too few to fit");
    }

    #[test]
    fn assembled_sweeps_are_fitted() {
        let c = cfg("models=seq,procs&sweep=1");
        let s = steps(&c, 2);
        let m = |model, workers, wall_ms| {
            Measurement::plain(model, workers, wall_ms, "40000000".into())
        };
        // procs on a USL curve with σ = κ = 0.1, whose peak is at
        // √(0.9/0.1) = 3 workers: capacities 1, 2/1.3, 3/1.8, 4/2.5, so
        // 100, 65, 60 and 62.5 ms.
        let mut measured = vec![vec![m(ModelId::Seq, 1, 100.0), m(ModelId::Procs, 2, 65.0)]];
        for (workers, ms) in [(1, 100.0), (2, 65.0), (3, 60.0), (4, 62.5)] {
            measured.push(vec![m(ModelId::Procs, workers, ms)]);
        }
        let env = Env {
            cores: 2,
            isolated: true,
            user_agent: String::new(),
            build: String::new(),
            date: String::new(),
            timer_resolution_ms: None,
            shared_memory: None,
        };
        let r = assemble(&c, env, &s, &measured, String::new());
        assert_eq!(r.sweep.len(), 4);
        assert_eq!(r.usl.len(), 1);
        assert_eq!(r.usl[0].model, ModelId::Procs);
        let fit = &r.usl[0];
        assert!((fit.sigma - 0.1).abs() < 1e-9 && (fit.kappa - 0.1).abs() < 1e-9);
        assert!((fit.peak_workers.unwrap() - 3.0).abs() < 1e-6);
        assert!((fit.peak_speedup.unwrap() - 3.0 / 1.8).abs() < 1e-9);
        assert_eq!(fit.slower_beyond, Some(3));
    }
}
