//! A run as the engine sees it: one or more steps. The main step is the
//! configuration as given; `sweep=1` adds the same run at every worker count
//! from 1 to twice the cores (the scaling curve), and `sizes=1` runs the
//! transfer lesson at each buffer size for every via. The page sends the
//! steps one after another and assembles one report from them.

use crate::config::RunConfig;
use crate::models::{Measurement, ModelId};
use crate::report::{ConvoyPoint, Env, MixPoint, Report, SizePoint, SweepPoint};
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
    /// The convoy at another GIL switch interval than the main step's.
    Convoy,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub kind: StepKind,
    pub workload: Workload,
    pub models: Vec<ModelId>,
    pub workers: u32,
    /// The GIL switch interval of the step's GIL models.
    pub switch_ms: f64,
}

impl Step {
    /// What the progress line calls this step.
    pub fn label(&self) -> String {
        match &self.kind {
            StepKind::Main => "main run".to_string(),
            StepKind::Sweep => format!("scaling sweep, {} workers", self.workers),
            StepKind::Size { via, bytes } => {
                format!(
                    "size series, {} via {}",
                    crate::format::bytes(*bytes),
                    via.id()
                )
            }
            StepKind::Mix { io_pct } => format!("I/O share sweep, {io_pct}% waiting"),
            StepKind::Convoy => format!("convoy, switch interval {} ms", self.switch_ms),
        }
    }
}

/// The steps of `cfg` on a machine with `cores` cores.
pub fn steps(cfg: &RunConfig, cores: u32) -> Vec<Step> {
    let mut out = vec![Step {
        kind: StepKind::Main,
        workload: cfg.workload.clone(),
        models: cfg.models.clone(),
        workers: cfg.workers,
        switch_ms: cfg.switch_ms,
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
                    switch_ms: cfg.switch_ms,
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
                switch_ms: cfg.switch_ms,
            });
        }
    }
    if let Workload::Io(Io {
        convoy: Some(_), ..
    }) = &cfg.workload
    {
        // Only a GIL's switch interval changes what the convoy does; the
        // other models' answers come from the main step.
        let models: Vec<ModelId> = cfg
            .models
            .iter()
            .copied()
            .filter(|&m| uses_switch_interval(cfg, m))
            .collect();
        if !models.is_empty() {
            for switch_ms in CONVOY_SWITCH_MS.into_iter().filter(|s| *s != cfg.switch_ms) {
                out.push(Step {
                    kind: StepKind::Convoy,
                    workload: cfg.workload.clone(),
                    models: models.clone(),
                    workers: cfg.workers,
                    switch_ms,
                });
            }
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
                    switch_ms: cfg.switch_ms,
                });
            }
        }
    }
    out
}

/// The switch intervals the convoy is measured at: CPython's default
/// (5 ms), ten times shorter and ten times longer.
pub const CONVOY_SWITCH_MS: [f64; 3] = [0.5, 5.0, 50.0];

/// Whether `model` in `cfg` runs under a GIL that has a switch interval:
/// `gil`, and `hybrid` with a GIL per process. (`oldgil` switches by ticks.)
pub fn uses_switch_interval(cfg: &RunConfig, model: ModelId) -> bool {
    model == ModelId::Gil || (model == ModelId::Hybrid && cfg.hybrid_gil)
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
        convoy: None,
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
            StepKind::Convoy => {}
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
    if matches!(
        &cfg.workload,
        Workload::Io(Io {
            convoy: Some(_),
            ..
        })
    ) {
        report.convoy = convoy_points(cfg, steps, measured);
    }
    // The report was derived before its sweep existed.
    report.fit_sweep();
    report
}

/// The convoy's response times per model and switch interval, every
/// repeat's answers pooled: the main step gives every model at the run's
/// interval, the convoy steps the GIL models at the others.
fn convoy_points(
    cfg: &RunConfig,
    steps: &[Step],
    measured: &[Vec<Measurement>],
) -> Vec<ConvoyPoint> {
    let mut out = Vec::new();
    for (step, ms) in steps.iter().zip(measured) {
        if !matches!(step.kind, StepKind::Main | StepKind::Convoy) {
            continue;
        }
        for &model in &step.models {
            let answers: Vec<f64> = ms
                .iter()
                .filter(|m| m.model == model)
                .flat_map(|m| m.responses.iter().map(|r| r.ms()))
                .collect();
            out.push(ConvoyPoint {
                model,
                switch_ms: step.switch_ms,
                uses_switch: uses_switch_interval(cfg, model),
                answers: answers.len() as u32,
                p50_ms: stats::quantile(&answers, 0.5),
                p99_ms: stats::quantile(&answers, 0.99),
                max_ms: answers.iter().copied().reduce(f64::max),
            });
        }
    }
    out.sort_by(|a, b| {
        let order = |m: ModelId| cfg.models.iter().position(|x| *x == m);
        order(a.model)
            .cmp(&order(b.model))
            .then(a.switch_ms.total_cmp(&b.switch_ms))
    });
    out
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
        let env = Env::with_cores(2);
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
    fn the_convoy_runs_the_gil_again_at_the_other_switch_intervals() {
        let c = cfg("w=io&tasks=3&wait_ms=2&cpu_n=1000000&convoy=1&requests=5\
                     &models=seq,threads,gil,oldgil,async&switch_ms=5");
        let s = steps(&c, 2);
        assert_eq!(s.len(), 3, "main, then gil at 0.5 and 50 ms");
        assert!(s[1..]
            .iter()
            .all(|x| x.kind == StepKind::Convoy && x.models == [ModelId::Gil]));
        assert_eq!((s[1].switch_ms, s[2].switch_ms), (0.5, 50.0));
        assert_eq!(s[2].label(), "convoy, switch interval 50 ms");

        // Each step's answers, pooled over its repeats.
        let answered = |model, ms: &[f64]| {
            let mut m = Measurement::plain(model, 3, 100.0, s[0].workload.expected().to_string());
            m.responses = ms
                .iter()
                .map(|&d| crate::models::Response {
                    arrived_ms: 10.0,
                    done_ms: 10.0 + d,
                })
                .collect();
            m
        };
        let measured = vec![
            vec![
                answered(ModelId::Seq, &[]),
                answered(ModelId::Threads, &[0.1, 0.3]),
                answered(ModelId::Threads, &[0.2]),
                answered(ModelId::Gil, &[5.0, 6.0, 7.0]),
                answered(ModelId::OldGil, &[200.0]),
                answered(ModelId::Async, &[150.0]),
            ],
            vec![answered(ModelId::Gil, &[0.5, 0.7])],
            vec![answered(ModelId::Gil, &[50.0, 90.0])],
        ];
        let env = Env::with_cores(2);
        let r = assemble(&c, env, &s, &measured, String::new());
        let at = |m, sw: f64| {
            r.convoy
                .iter()
                .find(|p| p.model == m && p.switch_ms == sw)
                .unwrap()
        };
        assert_eq!(r.convoy.len(), 7, "{:?}", r.convoy);
        assert_eq!(
            (at(ModelId::Seq, 5.0).answers, at(ModelId::Seq, 5.0).p50_ms),
            (0, None)
        );
        let t = at(ModelId::Threads, 5.0);
        assert_eq!((t.answers, t.uses_switch), (3, false));
        assert!((t.p50_ms.unwrap() - 0.2).abs() < 1e-9);
        assert_eq!(at(ModelId::Gil, 5.0).p50_ms, Some(6.0));
        assert!(at(ModelId::Gil, 0.5).uses_switch);
        assert!((at(ModelId::Gil, 50.0).p99_ms.unwrap() - 89.6).abs() < 1e-9);
        assert_eq!(at(ModelId::Gil, 50.0).max_ms, Some(90.0));
        assert_eq!(
            r.convoy.iter().map(|p| p.model).collect::<Vec<_>>()[..5],
            [
                ModelId::Seq,
                ModelId::Threads,
                ModelId::Gil,
                ModelId::Gil,
                ModelId::Gil
            ],
            "model order, then switch interval"
        );
        assert_eq!(
            crate::summary::convoy_point(at(ModelId::Gil, 5.0)),
            "gil at a 5 ms switch interval: p50 6.00 ms, p99 6.98 ms (1.2× the interval)"
        );

        assert_eq!(
            crate::summary::convoy(&r.convoy).unwrap(),
            "median answer while the others computed: threads 0.200 ms, \
             gil 0.600 ms at a 0.5 ms switch interval, gil 6.00 ms at a 5 ms switch interval, \
             gil 70.0 ms at a 50 ms switch interval, oldgil 200 ms, async 150 ms"
        );

        // Without the convoy, no extra steps and no points.
        let plain = cfg("w=io&models=seq,gil");
        assert_eq!(steps(&plain, 2).len(), 1);
        let (c, errors) = RunConfig::from_pairs(&parse_query("w=io&cpu_n=10&convoy=1&mix=1"), 2);
        assert!(!c.mix && errors[0].key == "mix" && errors[0].limit.contains("convoy=0"));
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
        let env = Env::with_cores(1);
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
        let env = Env::with_cores(2);
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
