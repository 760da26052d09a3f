//! Each chart's message in one line of words, built from the same report
//! figures the chart draws. A screen reader reads the line before the
//! drawing (which it cannot see), and the live region announces the
//! speedup line when a run ends; a sighted reader gets the gist at a glance.

use crate::format::{bytes, decimal, ms, times, MISSING};
use crate::models::{ModelId, SpanKind};
use crate::report::{MixPoint, ModelResult, SizePoint, SweepPoint};

/// "threads 1.98×, procs 1.93×, gil 0.95× over seq": every model with a
/// speedup but the baseline, fastest first, with the two decimals the bars
/// are labelled with. None where the chart draws nothing (fewer than two
/// models with a speedup).
pub fn speedup(results: &[ModelResult]) -> Option<String> {
    let mut with: Vec<(&ModelResult, f64)> = results
        .iter()
        .filter_map(|r| r.speedup.map(|s| (r, s)))
        .collect();
    if with.len() < 2 {
        return None;
    }
    // Stable: equal speedups keep the report's order.
    with.sort_by(|a, b| b.1.total_cmp(&a.1));
    let parts: Vec<String> = with
        .iter()
        .filter(|(r, _)| r.model != ModelId::Seq)
        .map(|(r, s)| {
            let flag = if r.suspect.is_some() {
                " (suspect)"
            } else {
                ""
            };
            format!("{} {}{flag}", r.model.id(), times(*s))
        })
        .collect();
    Some(format!("{} over seq", parts.join(", ")))
}

/// "median per repeat: seq 66.7 ms, threads 35.2 ms (3 repeats each); no
/// repeat beyond Tukey's fences".
pub fn samples(results: &[ModelResult]) -> Option<String> {
    if results.is_empty() {
        return None;
    }
    let medians: Vec<String> = results
        .iter()
        .map(|r| {
            let m = r.median_ms.map_or("no samples".to_string(), ms);
            format!("{} {m}", r.model.id())
        })
        .collect();
    let n = results[0].samples_ms.len();
    let each = if results.iter().all(|r| r.samples_ms.len() == n) {
        format!(" ({n} repeat{} each)", plural(n))
    } else {
        String::new()
    };
    let far: Vec<(ModelId, usize)> = results
        .iter()
        .filter_map(|r| {
            let o = r.outliers.as_ref()?;
            let k = o.low_mild.len() + o.low_severe.len() + o.high_mild.len() + o.high_severe.len();
            (k > 0).then_some((r.model, k))
        })
        .collect();
    let outliers = if far.is_empty() {
        "no repeat beyond Tukey's fences".to_string()
    } else {
        let list: Vec<String> = far.iter().map(|(m, k)| format!("{m} {k}")).collect();
        format!("repeats beyond Tukey's fences: {}", list.join(", "))
    };
    Some(format!(
        "median per repeat: {}{each}; {outliers}",
        medians.join(", ")
    ))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// What a kind of span is, in the timeline's words.
pub fn span_words(k: SpanKind) -> &'static str {
    match k {
        SpanKind::Run => "running",
        SpanKind::GilWait => "waiting for the GIL",
        SpanKind::Io => "blocked on I/O",
        SpanKind::Spawn => "starting workers",
        SpanKind::LoopWait => "ready while the loop was busy",
    }
}

/// "gil: 2 workers, 4 tasks, the last done at 70.1 ms; in all running
/// 66.0 ms, waiting for the GIL 68.3 ms".
pub fn timeline(r: &ModelResult) -> Option<String> {
    if r.spans.is_empty() {
        return None;
    }
    let count = |mut xs: Vec<u32>| {
        xs.sort_unstable();
        xs.dedup();
        xs.len()
    };
    let workers = count(r.spans.iter().map(|s| s.worker).collect());
    let tasks = count(r.spans.iter().map(|s| s.task).collect());
    let end = r.spans.iter().map(|s| s.end_ms).fold(0.0, f64::max);
    let totals: Vec<String> = SpanKind::seen_in(&r.spans)
        .into_iter()
        .map(|k| {
            let t: f64 = r
                .spans
                .iter()
                .filter(|s| s.kind == k)
                .map(|s| (s.end_ms - s.start_ms).max(0.0))
                .sum();
            format!("{} {}", span_words(k), ms(t))
        })
        .collect();
    Some(format!(
        "{}: {workers} worker{}, {tasks} task{}, the last done at {}; in all {}",
        r.model.id(),
        plural(workers),
        plural(tasks),
        ms(end),
        totals.join(", ")
    ))
}

/// "best: threads 1.95× at 2 workers, procs 1.90× at 4 workers; 2 cores
/// here", models in the chart's order.
pub fn sweep(points: &[SweepPoint], cores: u32) -> Option<String> {
    let mut models: Vec<ModelId> = points.iter().map(|p| p.model).collect();
    models.sort();
    models.dedup();
    let best: Vec<String> = models
        .iter()
        .filter_map(|m| {
            points
                .iter()
                .filter(|p| p.model == *m)
                .filter_map(|p| p.speedup.map(|s| (p.workers, s)))
                // The fewest workers among equal bests.
                .fold(None, |acc: Option<(u32, f64)>, (w, s)| match acc {
                    Some((_, b)) if b >= s => acc,
                    _ => Some((w, s)),
                })
                .map(|(w, s)| format!("{m} {} at {w} worker{}", times(s), plural(w as usize)))
        })
        .collect();
    if best.is_empty() {
        return None;
    }
    Some(format!(
        "best: {}; {cores} core{} here",
        best.join(", "),
        plural(cores as usize)
    ))
}

/// "at 64 MiB: threads via shared 0.210 ms, …, procs via copy 160 ms
/// (fastest first); at 1 KiB all between 0.020 ms and 0.200 ms".
pub fn sizes(points: &[SizePoint]) -> Option<String> {
    let largest = points.iter().map(|p| p.bytes).max()?;
    let smallest = points.iter().map(|p| p.bytes).min()?;
    let mut top: Vec<&SizePoint> = points.iter().filter(|p| p.bytes == largest).collect();
    top.sort_by(|a, b| a.median_ms.total_cmp(&b.median_ms));
    let list: Vec<String> = top
        .iter()
        .map(|p| format!("{} via {} {}", p.model, p.via.id(), ms(p.median_ms)))
        .collect();
    let mut out = format!(
        "at {}: {} (fastest first)",
        bytes(largest as usize),
        list.join(", ")
    );
    if smallest < largest {
        let at: Vec<f64> = points
            .iter()
            .filter(|p| p.bytes == smallest)
            .map(|p| p.median_ms)
            .collect();
        let lo = at.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = at.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        out.push_str(&format!(
            "; at {} all between {} and {}",
            bytes(smallest as usize),
            ms(lo),
            ms(hi)
        ));
    }
    Some(out)
}

/// At each I/O share, the model with the highest speedup.
pub fn winners(points: &[MixPoint]) -> Vec<(u32, ModelId, f64)> {
    let mut shares: Vec<u32> = points.iter().map(|p| p.io_pct).collect();
    shares.sort_unstable();
    shares.dedup();
    shares
        .into_iter()
        .filter_map(|pct| {
            points
                .iter()
                .filter(|p| p.io_pct == pct)
                .filter_map(|p| p.speedup.map(|s| (pct, p.model, s)))
                .max_by(|a, b| a.2.total_cmp(&b.2))
        })
        .collect()
}

/// "fastest at each share of waiting: 0% threads 1.90×, …, 100% async 7.90×".
pub fn mix(points: &[MixPoint]) -> Option<String> {
    let won = winners(points);
    if won.is_empty() {
        return None;
    }
    let list: Vec<String> = won
        .iter()
        .map(|(pct, m, s)| format!("{pct}% {m} {}", times(*s)))
        .collect();
    Some(format!(
        "fastest at each share of waiting: {}",
        list.join(", ")
    ))
}

/// The transfer breakdown in words: each bar's handing-over time and
/// rate, and the phase that took most of a cold start beyond the warm one.
pub fn handovers(bars: &[crate::report::HandoverBar]) -> Option<String> {
    use crate::workloads::transfer::Handover;
    let first = bars.first()?;
    let parts: Vec<String> = bars
        .iter()
        .map(|b| {
            let rate = b
                .handing_gbps()
                .map_or(String::new(), |g| format!(" ({g:.2} GB/s)"));
            format!(
                "{} {} {}{rate}",
                b.model,
                if b.cold { "cold" } else { "warm" },
                ms(b.handing_ms())
            )
        })
        .collect();
    let mut out = format!(
        "handing {} over took {}",
        bytes(first.bytes as usize),
        parts.join(", ")
    );
    let pair = bars.iter().find(|c| c.cold).and_then(|c| {
        let w = bars.iter().find(|w| w.model == c.model && !w.cold)?;
        Some((c, w))
    });
    if let Some((c, w)) = pair {
        let (k, extra) = (0..4)
            .map(|k| (k, c.phases_ms[k] - w.phases_ms[k]))
            .fold((0, f64::NEG_INFINITY), |a, b| if b.1 > a.1 { b } else { a });
        if extra > 0.0 {
            out.push_str(&format!(
                "; a cold start of {} costs {} more, most of it in {}",
                c.model,
                ms(c.handing_ms() - w.handing_ms()),
                Handover::PHASES[k]
            ));
        }
    }
    Some(out)
}

/// "median answer while the others computed: threads 0.13 ms, gil 1.33 ms
/// at a 0.5 ms switch interval, 5.75 ms at 5 ms, …", in the points' order.
pub fn convoy(points: &[crate::report::ConvoyPoint]) -> Option<String> {
    let parts: Vec<String> = points
        .iter()
        .filter_map(|p| {
            let v = ms(p.p50_ms?);
            Some(if p.uses_switch {
                format!(
                    "{} {v} at a {} ms switch interval",
                    p.model,
                    decimal(p.switch_ms)
                )
            } else {
                format!("{} {v}", p.model)
            })
        })
        .collect();
    (!parts.is_empty()).then(|| {
        format!(
            "median answer while the others computed: {}",
            parts.join(", ")
        )
    })
}

/// One convoy point in words, as the chart's caption reads it: "gil at a
/// 5 ms switch interval: p50 5.75 ms, p99 15.4 ms (1.2× the interval)".
pub fn convoy_point(p: &crate::report::ConvoyPoint) -> String {
    let model = p.model.id();
    let (Some(p50), Some(p99)) = (p.p50_ms, p.p99_ms) else {
        return format!("{model}: no request arrived while the others computed");
    };
    if p.uses_switch {
        format!(
            "{model} at a {} ms switch interval: p50 {}, p99 {} ({:.1}× the interval)",
            decimal(p.switch_ms),
            ms(p50),
            ms(p99),
            p50 / p.switch_ms
        )
    } else {
        format!("{model}: p50 {}, p99 {}", ms(p50), ms(p99))
    }
}

/// Two reports' speedups per model, in the paired chart's order:
/// "speedup over seq, first vs second: procs 1.93× vs 1.88×, …".
pub fn compare(a: &[ModelResult], b: &[ModelResult]) -> Option<String> {
    let mut models: Vec<ModelId> = a.iter().chain(b).map(|r| r.model).collect();
    models.sort();
    models.dedup();
    let of = |rs: &[ModelResult], m: ModelId| {
        rs.iter()
            .find(|r| r.model == m)
            .and_then(|r| r.speedup)
            .map_or_else(|| MISSING.into(), times)
    };
    let list: Vec<String> = models
        .iter()
        .filter(|m| **m != ModelId::Seq)
        .map(|m| format!("{m} {} vs {}", of(a, *m), of(b, *m)))
        .collect();
    if list.is_empty() {
        return None;
    }
    Some(format!(
        "speedup over seq, first vs second: {}",
        list.join(", ")
    ))
}

/// A finished run's results in two sentences, for the live region: the
/// speedups (or, without `seq`, the medians), then whether every model
/// got the right answer.
pub fn results(results: &[ModelResult]) -> String {
    let figures = speedup(results)
        .map(|s| format!("Speedup: {s}."))
        .or_else(|| samples(results).map(|s| format!("{}{}.", s[..1].to_uppercase(), &s[1..])))
        .unwrap_or_default();
    let wrong: Vec<&str> = results
        .iter()
        .filter(|r| !r.correct)
        .map(|r| r.model.id())
        .collect();
    let check = match (results.is_empty(), wrong.is_empty()) {
        (true, _) => "No model ran.".to_string(),
        (false, true) => "Every result is correct.".to_string(),
        (false, false) => format!("Wrong or incomplete results: {}.", wrong.join(", ")),
    };
    [figures, check]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Span;
    use crate::workloads::transfer::Via;

    fn result(model: ModelId, samples: &[f64], speedup: Option<f64>) -> ModelResult {
        let mut r = [ModelResult::of_samples(model, 2, samples.to_vec())];
        crate::report::derive_stats(&mut r, None);
        let [mut r] = r;
        r.speedup = speedup;
        r
    }

    #[test]
    fn speedups_fastest_first_without_the_baseline() {
        let rs = [
            result(ModelId::Seq, &[60.0], Some(1.0)),
            result(ModelId::Threads, &[30.0], Some(1.984)),
            result(ModelId::Gil, &[63.0], Some(0.951)),
            result(ModelId::Procs, &[31.0], Some(1.926)),
        ];
        assert_eq!(
            speedup(&rs).unwrap(),
            "threads 1.98×, procs 1.93×, gil 0.95× over seq"
        );
    }

    #[test]
    fn a_suspect_speedup_says_so_and_one_bar_is_no_chart() {
        let mut fast = result(ModelId::Threads, &[10.0], Some(6.0));
        fast.suspect = Some("above what 2 cores allow".into());
        let rs = [result(ModelId::Seq, &[60.0], Some(1.0)), fast];
        assert_eq!(speedup(&rs).unwrap(), "threads 6.00× (suspect) over seq");
        assert_eq!(speedup(&rs[..1]), None);
        assert_eq!(speedup(&[result(ModelId::Threads, &[1.0], None)]), None);
    }

    #[test]
    fn samples_name_each_median_and_the_outliers() {
        let rs = [
            result(ModelId::Seq, &[60.0, 61.0, 62.0], None),
            result(ModelId::Procs, &[30.0, 30.5, 31.0], None),
        ];
        assert_eq!(
            samples(&rs).unwrap(),
            "median per repeat: seq 61.0 ms, procs 30.5 ms (3 repeats each); no repeat beyond Tukey's fences"
        );
        let mut far = rs[1].clone();
        far.outliers.as_mut().unwrap().high_severe = vec![2];
        let line = samples(&[rs[0].clone(), far]).unwrap();
        assert!(
            line.ends_with("repeats beyond Tukey's fences: procs 1"),
            "{line}"
        );
        assert_eq!(samples(&[]), None);
    }

    #[test]
    fn a_timeline_counts_workers_tasks_and_time_by_kind() {
        let span = |worker, task, kind, start_ms, end_ms| Span {
            worker,
            task,
            kind,
            start_ms,
            end_ms,
        };
        let mut r = result(ModelId::Gil, &[70.0], None);
        r.spans = vec![
            span(0, 0, SpanKind::Run, 0.0, 30.0),
            span(1, 1, SpanKind::GilWait, 0.0, 30.0),
            span(1, 1, SpanKind::Run, 30.0, 60.5),
        ];
        assert_eq!(
            timeline(&r).unwrap(),
            "gil: 2 workers, 2 tasks, the last done at 60.5 ms; in all running 60.5 ms, waiting for the GIL 30.0 ms"
        );
        r.spans.clear();
        assert_eq!(timeline(&r), None);
    }

    #[test]
    fn the_sweep_names_each_models_best_worker_count() {
        let p = |model, workers, speedup| SweepPoint {
            model,
            workers,
            median_ms: Some(1.0),
            speedup: Some(speedup),
        };
        let points = [
            p(ModelId::Procs, 1, 0.9),
            p(ModelId::Procs, 2, 1.8),
            p(ModelId::Threads, 1, 1.0),
            p(ModelId::Threads, 2, 1.95),
            p(ModelId::Threads, 3, 1.95),
            p(ModelId::Procs, 4, 1.9),
        ];
        assert_eq!(
            sweep(&points, 2).unwrap(),
            "best: threads 1.95× at 2 workers, procs 1.90× at 4 workers; 2 cores here"
        );
        assert_eq!(sweep(&[], 2), None);
    }

    #[test]
    fn sizes_rank_the_largest_buffer_and_bound_the_smallest() {
        let p = |model, via, bytes, median_ms| SizePoint {
            model,
            via,
            bytes,
            median_ms,
        };
        let points = [
            p(ModelId::Procs, Via::Copy, 1024, 0.2),
            p(ModelId::Procs, Via::Copy, 64 << 20, 160.0),
            p(ModelId::Threads, Via::Shared, 1024, 0.02),
            p(ModelId::Threads, Via::Shared, 64 << 20, 0.21),
        ];
        assert_eq!(
            sizes(&points).unwrap(),
            "at 64 MiB: threads via shared 0.210 ms, procs via copy 160 ms (fastest first); at 1 KiB all between 0.020 ms and 0.200 ms"
        );
        assert_eq!(sizes(&[]), None);
    }

    #[test]
    fn mix_names_the_winner_at_each_share() {
        let p = |model, io_pct, speedup| MixPoint {
            model,
            io_pct,
            median_ms: 1.0,
            speedup: Some(speedup),
        };
        let points = [
            p(ModelId::Threads, 0, 1.9),
            p(ModelId::Async, 0, 1.0),
            p(ModelId::Threads, 100, 7.5),
            p(ModelId::Async, 100, 7.9),
        ];
        assert_eq!(
            mix(&points).unwrap(),
            "fastest at each share of waiting: 0% threads 1.90×, 100% async 7.90×"
        );
        assert_eq!(mix(&[]), None);
    }

    #[test]
    fn compare_pairs_each_models_speedups() {
        let a = [
            result(ModelId::Seq, &[60.0], Some(1.0)),
            result(ModelId::Procs, &[31.0], Some(1.934)),
        ];
        let b = [
            result(ModelId::Seq, &[60.0], Some(1.0)),
            result(ModelId::Threads, &[30.0], Some(1.9)),
            result(ModelId::Procs, &[32.0], Some(1.88)),
        ];
        assert_eq!(
            compare(&a, &b).unwrap(),
            "speedup over seq, first vs second: threads — vs 1.90×, procs 1.93× vs 1.88×"
        );
        assert_eq!(compare(&a[..1], &b[..1]), None);
    }

    #[test]
    fn results_in_words_give_speedups_then_correctness() {
        let mut rs = vec![
            result(ModelId::Seq, &[60.0], Some(1.0)),
            result(ModelId::Threads, &[30.0], Some(2.0)),
        ];
        rs.iter_mut().for_each(|r| r.correct = true);
        assert_eq!(
            results(&rs),
            "Speedup: threads 2.00× over seq. Every result is correct."
        );
        rs[1].correct = false;
        rs.remove(0);
        rs[0].speedup = None;
        assert_eq!(
            results(&rs),
            "Median per repeat: threads 30.0 ms (1 repeat each); no repeat beyond Tukey's fences. \
             Wrong or incomplete results: threads."
        );
        assert_eq!(results(&[]), "No model ran.");
    }

    #[test]
    fn a_handover_says_its_rates_and_where_a_cold_start_went() {
        use crate::report::HandoverBar;
        let bar = |cold, copy_ms| HandoverBar {
            model: ModelId::Procs,
            cold,
            tasks: 2,
            bytes: 64 << 20,
            phases_ms: [4.0, 1.0, 0.0, copy_ms, 20.0],
        };
        assert_eq!(handovers(&[]), None);
        assert_eq!(
            handovers(&[bar(true, 30.0), bar(false, 7.0)]).unwrap(),
            "handing 64 MiB over took procs cold 35.0 ms (1.92 GB/s), procs warm 12.0 ms \
             (5.59 GB/s); a cold start of procs costs 23.0 ms more, most of it in copy in"
        );
    }
}
