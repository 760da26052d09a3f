//! The report: measurements + environment → medians and speedups. It is the
//! document behind `#report-json`, "Export JSON" and share links.

use crate::config::RunConfig;
use crate::models::{Measurement, ModelId, Span, TaskError};
use crate::stats;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Env {
    pub cores: u32,
    pub isolated: bool,
    pub user_agent: String,
    pub build: String,
    pub date: String,
    /// The smallest step of the page's clock (browsers coarsen it).
    #[serde(default)]
    pub timer_resolution_ms: Option<f64>,
    /// Whether workers could share memory (threads ran); `None` where
    /// unknown (reports that came in a share link do not carry it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_memory: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelResult {
    pub model: ModelId,
    pub workers: u32,
    pub samples_ms: Vec<f64>,
    pub median_ms: Option<f64>,
    pub min_ms: Option<f64>,
    pub max_ms: Option<f64>,
    /// median(seq) / median(this); `None` when `seq` was not run.
    pub speedup: Option<f64>,
    pub efficiency: Option<f64>,
    /// Bootstrap 95% intervals of the median and of the speedup.
    #[serde(default)]
    pub median_ci_ms: Option<(f64, f64)>,
    #[serde(default)]
    pub speedup_ci: Option<(f64, f64)>,
    /// Every measured repeat matched the oracle.
    pub correct: bool,
    pub value: String,
    pub expected: String,
    pub lost_updates: Option<String>,
    pub errors: Vec<TaskError>,
    /// The spans of the last measured repeat.
    pub spans: Vec<Span>,
    /// Each named figure of the measurements, as its median over repeats.
    #[serde(default)]
    pub figures: BTreeMap<String, f64>,
    /// Why the speedup cannot be a true result (it is above what the
    /// machine allows), in words; absent when it can.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspect: Option<String>,
}

impl ModelResult {
    /// A result with its samples and nothing else: the statistics are left
    /// to [`derive_stats`], the outcome to the caller, so the two ways a
    /// result is made (measured, or decoded from a link) set only what they know.
    pub fn of_samples(model: ModelId, workers: u32, samples_ms: Vec<f64>) -> ModelResult {
        ModelResult {
            model,
            workers,
            samples_ms,
            median_ms: None,
            min_ms: None,
            max_ms: None,
            speedup: None,
            efficiency: None,
            median_ci_ms: None,
            speedup_ci: None,
            correct: false,
            value: String::new(),
            expected: String::new(),
            lost_updates: None,
            errors: Vec::new(),
            spans: Vec::new(),
            figures: BTreeMap::new(),
            suspect: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    pub model: ModelId,
    pub workers: u32,
    pub median_ms: Option<f64>,
    pub speedup: Option<f64>,
}

/// One point of the transfer lesson's size series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizePoint {
    pub model: ModelId,
    pub via: crate::workloads::transfer::Via,
    pub bytes: u64,
    pub median_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub version: u32,
    pub env: Env,
    pub config: Map<String, Value>,
    pub results: Vec<ModelResult>,
    pub sweep: Vec<SweepPoint>,
    /// `transfer` with `sizes=1`: time against buffer size per via.
    #[serde(default)]
    pub sizes: Vec<SizePoint>,
    pub share_url: String,
}

impl Report {
    /// Groups `measurements` (all measured repeats of all models, in any
    /// order) by model, in the configuration's model order.
    pub fn build(
        cfg: &RunConfig,
        env: Env,
        measurements: &[Measurement],
        share_url: String,
    ) -> Report {
        let expected = cfg.workload.expected().to_string();
        let summaries: Vec<(ModelId, Vec<&Measurement>)> = cfg
            .models
            .iter()
            .map(|m| (*m, measurements.iter().filter(|x| x.model == *m).collect()))
            .collect();
        let results = summaries
            .iter()
            .map(|(model, ms)| ModelResult {
                correct: !ms.is_empty() && ms.iter().all(|m| m.correct),
                value: ms.last().map(|m| m.value.clone()).unwrap_or_default(),
                expected: expected.clone(),
                lost_updates: ms
                    .last()
                    .and_then(|m| m.value.parse::<u128>().ok())
                    .and_then(|v| cfg.workload.lost_updates(v))
                    .map(|v| v.to_string()),
                errors: ms.iter().flat_map(|m| m.errors.iter().cloned()).collect(),
                spans: ms.last().map(|m| m.spans.clone()).unwrap_or_default(),
                figures: median_figures(ms),
                ..ModelResult::of_samples(
                    *model,
                    ms.last().map_or(cfg.workers, |m| m.workers),
                    ms.iter().map(|m| m.wall_ms).collect(),
                )
            })
            .collect();
        let mut report = Report {
            version: REPORT_VERSION,
            env,
            config: config_map(cfg),
            results,
            sweep: Vec::new(),
            sizes: Vec::new(),
            share_url,
        };
        report.derive();
        report
    }

    /// Everything a report works out from its samples: the statistics, then
    /// the suspect flags that read them. A report built from measurements
    /// and one decoded from a link both end here, so equal samples give
    /// equal numbers.
    pub fn derive(&mut self) {
        derive_stats(&mut self.results);
        self.mark_suspects();
    }

    /// Flags every speedup above what this machine allows. Parallel work
    /// cannot beat seq by more than it has workers, cores and tasks to
    /// share; waiting (the io lesson) overlaps on any number of cores. A
    /// ratio above that means the baseline ran slower than the code beside
    /// it (a cold tier, other machine code, a thread of another priority):
    /// it is shown, but as suspect, never as a result. The 10% margin
    /// leaves room for noise between the medians.
    pub fn mark_suspects(&mut self) {
        let w = self
            .config
            .get("w")
            .and_then(Value::as_str)
            .unwrap_or("cpu");
        if w == "spawn" {
            // One start against another kind of start: not a parallel speedup.
            return;
        }
        let tasks = self.config.get("tasks").and_then(Value::as_u64);
        let cores = self.env.cores.max(1);
        for r in &mut self.results {
            r.suspect = None;
            let Some(speedup) = r.speedup else { continue };
            let mut bound = u64::from(r.workers.max(1));
            if let Some(t) = tasks {
                bound = bound.min(t.max(1));
            }
            let (limit, why) = if w == "io" {
                (
                    bound,
                    format!("{bound} workers or tasks to overlap their waits"),
                )
            } else {
                let b = bound.min(u64::from(cores));
                (
                    b,
                    format!(
                        "min(workers {}, cores {cores}{})",
                        r.workers,
                        tasks.map_or(String::new(), |t| format!(", tasks {t}"))
                    ),
                )
            };
            if speedup > limit as f64 * 1.1 {
                r.suspect = Some(format!(
                    "{speedup:.2}× is above the {limit}× this machine allows ({why}, +10%): \
                     the seq baseline ran slower than the same work does here, so this ratio \
                     is not a speedup"
                ));
            }
        }
    }
}

fn median_figures(ms: &[&Measurement]) -> BTreeMap<String, f64> {
    let mut all: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for m in ms {
        for (k, v) in &m.figures {
            all.entry(k.clone()).or_default().push(*v);
        }
    }
    all.into_iter()
        .filter_map(|(k, vs)| stats::median(&vs).map(|v| (k, v)))
        .collect()
}

/// The configuration as JSON: numbers where the URL value is a number,
/// `models` as a list.
pub fn config_map(cfg: &RunConfig) -> Map<String, Value> {
    config_map_from_pairs(&cfg.to_pairs())
}

/// [`config_map`] of a configuration already in its URL form, so a share
/// link can carry the query string and still rebuild the same map.
pub fn config_map_from_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| {
            let (k, v) = (k.as_ref(), v.as_ref());
            let value = if k == "models" {
                Value::Array(v.split(',').map(|m| Value::String(m.to_string())).collect())
            } else if let Ok(i) = v.parse::<u64>() {
                Value::from(i)
            } else if let Ok(f) = v.parse::<f64>() {
                Value::from(f)
            } else {
                Value::String(v.to_string())
            };
            (k.to_string(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::SpanKind;

    fn m(model: ModelId, wall_ms: f64, correct: bool) -> Measurement {
        Measurement {
            model,
            workers: 2,
            wall_ms,
            value: "8".into(),
            correct,
            errors: vec![],
            figures: Default::default(),
            spans: vec![Span {
                worker: 0,
                task: 0,
                kind: SpanKind::Run,
                start_ms: 0.0,
                end_ms: wall_ms,
            }],
        }
    }

    fn env() -> Env {
        Env {
            cores: 2,
            isolated: true,
            user_agent: "test".into(),
            build: "0".into(),
            date: "2026-11-22".into(),
            timer_resolution_ms: None,
            shared_memory: None,
        }
    }

    #[test]
    fn speedups_are_against_the_seq_median() {
        let mut cfg = RunConfig::with_cores(2);
        cfg.models = vec![ModelId::Seq, ModelId::Threads, ModelId::Procs];
        let ms = vec![
            m(ModelId::Seq, 100.0, true),
            m(ModelId::Threads, 50.0, true),
            m(ModelId::Procs, 60.0, true),
            m(ModelId::Seq, 120.0, true),
            m(ModelId::Threads, 52.0, true),
            m(ModelId::Procs, 40.0, false),
            m(ModelId::Seq, 110.0, true),
            m(ModelId::Threads, 55.0, true),
        ];
        let r = Report::build(&cfg, env(), &ms, String::new());
        assert_eq!(
            r.results.iter().map(|x| x.model).collect::<Vec<_>>(),
            cfg.models
        );
        let seq = &r.results[0];
        assert_eq!(seq.samples_ms, vec![100.0, 120.0, 110.0]);
        assert_eq!(seq.median_ms, Some(110.0));
        assert_eq!(seq.speedup, Some(1.0));
        assert_eq!(r.results[1].median_ms, Some(52.0));
        assert!((r.results[1].speedup.unwrap() - 110.0 / 52.0).abs() < 1e-12);
        assert_eq!(r.results[1].efficiency, Some(110.0 / 52.0 / 2.0));
        assert!(
            !r.results[2].correct,
            "one wrong repeat makes the model wrong"
        );
        assert_eq!(
            (r.results[2].min_ms, r.results[2].max_ms),
            (Some(40.0), Some(60.0))
        );
    }

    #[test]
    fn speedups_above_what_the_machine_allows_are_suspect() {
        // 2 workers on 2 cores: 2.2× is the most a true speedup can show.
        let mut cfg = RunConfig::with_cores(2);
        cfg.models = vec![ModelId::Seq, ModelId::Threads, ModelId::Procs];
        let ms = [
            m(ModelId::Seq, 100.0, true),
            m(ModelId::Threads, 50.0, true),
            m(ModelId::Procs, 35.0, true),
        ];
        let r = Report::build(&cfg, env(), &ms, String::new());
        assert_eq!(r.results[0].suspect, None);
        assert_eq!(r.results[1].suspect, None, "2.0× on 2 cores is possible");
        let why = r.results[2]
            .suspect
            .as_deref()
            .expect("2.86× on 2 cores is not");
        assert!(
            why.starts_with("2.86× is above the 2× this machine allows"),
            "{why}"
        );
        let json = serde_json::to_value(&r).unwrap();
        assert!(json["results"][2]["suspect"].is_string());
        assert!(json["results"][1].get("suspect").is_none());

        // Waiting overlaps on any number of cores: 8 waits on 8 workers.
        let pairs: Vec<(String, String)> = [("w", "io"), ("tasks", "8"), ("workers", "8")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (mut io, errors) = RunConfig::from_pairs(&pairs, 2);
        assert!(errors.is_empty());
        io.models = vec![ModelId::Seq, ModelId::Gil];
        let wait = |model, wall_ms| Measurement {
            workers: 8,
            ..m(model, wall_ms, true)
        };
        let r = Report::build(
            &io,
            env(),
            &[wait(ModelId::Seq, 400.0), wait(ModelId::Gil, 51.0)],
            String::new(),
        );
        assert_eq!(r.results[1].suspect, None, "7.8× of waiting on 8 workers");
        let r = Report::build(
            &io,
            env(),
            &[wait(ModelId::Seq, 400.0), wait(ModelId::Gil, 40.0)],
            String::new(),
        );
        assert!(
            r.results[1].suspect.is_some(),
            "10× with 8 workers cannot be"
        );
    }

    #[test]
    fn without_seq_there_is_no_speedup() {
        let mut cfg = RunConfig::with_cores(2);
        cfg.models = vec![ModelId::Threads];
        let r = Report::build(
            &cfg,
            env(),
            &[m(ModelId::Threads, 5.0, true)],
            String::new(),
        );
        assert_eq!(r.results[0].speedup, None);
        let json = serde_json::to_value(&r).unwrap();
        assert!(json["results"][0]["speedup"].is_null());
        assert_eq!(json["config"]["w"], "cpu");
        assert_eq!(json["config"]["models"], serde_json::json!(["threads"]));
        assert_eq!(json["config"]["workers"], 2);
        assert_eq!(json["config"]["n"], 10_000_000);
    }
}

/// Fills each result's statistics from its samples: median, range, and
/// speedup and efficiency against `seq` with their intervals.
pub fn derive_stats(results: &mut [ModelResult]) {
    for r in results.iter_mut() {
        r.median_ms = stats::median(&r.samples_ms);
    }
    let seq = results.iter().find(|r| r.model == ModelId::Seq);
    let seq_median = seq.and_then(|r| r.median_ms);
    let seq_samples = seq.map(|r| r.samples_ms.clone()).unwrap_or_default();
    for r in results.iter_mut() {
        (r.min_ms, r.max_ms) = stats::min_max(&r.samples_ms).unzip();
        r.speedup = stats::speedup(seq_median, r.median_ms);
        r.efficiency = stats::efficiency(r.speedup, r.workers);
        r.median_ci_ms = stats::median_ci(&r.samples_ms);
        r.speedup_ci = if r.model == ModelId::Seq {
            None
        } else {
            stats::speedup_ci(&seq_samples, &r.samples_ms)
        };
    }
}

/// A short browser name from a user-agent string ("Chrome 156"), for labels.
pub fn browser_label(ua: &str) -> String {
    let version_after = |token: &str| {
        ua.split_whitespace()
            .find_map(|part| part.strip_prefix(token))
            .map(|v| v.split('.').next().unwrap_or(v).to_string())
    };
    for (token, name) in [
        ("Edg/", "Edge"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chrome/", "Chrome"),
        ("Firefox/", "Firefox"),
    ] {
        if let Some(v) = version_after(token) {
            return format!("{name} {v}");
        }
    }
    if ua.contains("Safari/") {
        if let Some(v) = version_after("Version/") {
            return format!("Safari {v}");
        }
    }
    if ua.is_empty() {
        "unknown browser".to_string()
    } else {
        ua.to_string()
    }
}

/// "2 cores · Chrome 156 · isolated · timer 5 µs · 2026-11-22 10:04": where
/// a result came from, shown with every result.
pub fn env_line(e: &Env) -> String {
    let mut parts = vec![
        format!("{} cores", e.cores),
        browser_label(&e.user_agent),
        if e.isolated {
            "isolated"
        } else {
            "not isolated"
        }
        .to_string(),
    ];
    if let Some(t) = e.timer_resolution_ms {
        parts.push(if t < 1.0 {
            format!("timer {:.0} µs", t * 1e3)
        } else {
            format!("timer {t:.1} ms")
        });
    }
    parts.push(e.date.get(..16).unwrap_or(&e.date).replace('T', " "));
    parts.join(" · ")
}

#[cfg(test)]
mod label_tests {
    use super::{browser_label, env_line, Env};

    #[test]
    fn browsers_are_named_with_major_versions() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.8078.73 Safari/537.36";
        assert_eq!(browser_label(chrome), "Chrome 156");
        assert_eq!(
            browser_label(&chrome.replace("Chrome/", "HeadlessChrome/")),
            "Headless Chrome 156"
        );
        assert_eq!(
            browser_label("Mozilla/5.0 (X11; rv:140.0) Gecko/20100101 Firefox/140.0"),
            "Firefox 140"
        );
        assert_eq!(
            browser_label("Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15"),
            "Safari 18"
        );
        assert_eq!(browser_label(""), "unknown browser");
    }

    #[test]
    fn env_line_names_cores_browser_isolation_timer_and_minute() {
        let mut e = Env {
            cores: 2,
            isolated: true,
            user_agent: "Mozilla/5.0 (X11; rv:140.0) Gecko/20100101 Firefox/140.0".into(),
            build: "b".into(),
            date: "2026-11-22T10:04:31.123Z".into(),
            timer_resolution_ms: Some(0.005),
            shared_memory: None,
        };
        assert_eq!(
            env_line(&e),
            "2 cores · Firefox 140 · isolated · timer 5 µs · 2026-11-22 10:04"
        );
        e.isolated = false;
        e.timer_resolution_ms = Some(1.0);
        assert_eq!(
            env_line(&e),
            "2 cores · Firefox 140 · not isolated · timer 1.0 ms · 2026-11-22 10:04"
        );
        e.timer_resolution_ms = None;
        e.date = "today".into();
        assert_eq!(env_line(&e), "2 cores · Firefox 140 · not isolated · today");
    }
}

/// The report as CSV: one row per model and sample, with the run's
/// configuration and environment repeated on every row so a spreadsheet of
/// many machines can be filtered by them.
pub fn to_csv(report: &Report) -> String {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }
    let w = report
        .config
        .get("w")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let mut out =
        String::from("w,model,workers,repeat,wall_ms,median_ms,speedup,correct,value,lost_updates,cores,browser,date\n");
    for r in &report.results {
        for (i, ms) in r.samples_ms.iter().enumerate() {
            let cells = [
                field(w),
                r.model.id().to_string(),
                r.workers.to_string(),
                (i + 1).to_string(),
                format!("{ms}"),
                r.median_ms.map(|v| format!("{v}")).unwrap_or_default(),
                r.speedup.map(|v| format!("{v}")).unwrap_or_default(),
                r.correct.to_string(),
                field(&r.value),
                r.lost_updates.clone().unwrap_or_default(),
                report.env.cores.to_string(),
                field(&browser_label(&report.env.user_agent)),
                field(&report.env.date),
            ];
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod csv_tests {
    use super::*;
    use crate::models::Measurement;

    #[test]
    fn one_row_per_model_and_sample() {
        let mut cfg = RunConfig::with_cores(2);
        cfg.models = vec![ModelId::Seq, ModelId::Procs];
        let m = |model, wall_ms| Measurement {
            model,
            workers: 2,
            wall_ms,
            value: "40000000".into(),
            correct: true,
            errors: vec![],
            spans: vec![],
            figures: Default::default(),
        };
        let env = Env {
            cores: 2,
            isolated: true,
            user_agent: "Mozilla/5.0, \"quoted\" Chrome/156.0".into(),
            build: "0".into(),
            date: "2026-11-22".into(),
            timer_resolution_ms: None,
            shared_memory: None,
        };
        let r = Report::build(
            &cfg,
            env,
            &[
                m(ModelId::Seq, 10.0),
                m(ModelId::Procs, 5.0),
                m(ModelId::Seq, 12.0),
            ],
            String::new(),
        );
        let csv = to_csv(&r);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 1 + 3);
        assert!(lines[0].starts_with("w,model,workers,repeat,wall_ms"));
        assert_eq!(
            lines[1],
            "cpu,seq,2,1,10,11,1,true,40000000,,2,Chrome 156,2026-11-22"
        );
        assert!(lines[3].starts_with("cpu,procs,2,1,5,5,2.2,true"));
    }
}
