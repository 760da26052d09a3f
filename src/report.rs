//! The report: measurements + environment → medians and speedups. It is the
//! document behind `#report-json`, "Export JSON" and share links.

use crate::config::RunConfig;
use crate::interleaving::{self, Event};
use crate::models::{Measurement, ModelId, Span, TaskError};
use crate::stats::{self, Outliers, Warning};
use crate::workloads::transfer::Handover;
use crate::workloads::Workload;
use serde::{Deserialize, Serialize, Serializer};
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

impl Env {
    /// A cross-origin isolated machine with `cores` cores and nothing else
    /// known (browser, build, date, clock): what tests and examples start
    /// from, naming only what matters to them
    /// (`Env { user_agent, ..Env::with_cores(2) }`).
    pub fn with_cores(cores: u32) -> Env {
        Env {
            cores,
            isolated: true,
            user_agent: String::new(),
            build: String::new(),
            date: String::new(),
            timer_resolution_ms: None,
            shared_memory: None,
        }
    }
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
    /// Median absolute deviation of the samples, unscaled ([`stats::mad`]).
    #[serde(default)]
    pub mad_ms: Option<f64>,
    /// The samples beyond Tukey's fences and what they do to the spread
    /// ([`stats::outliers`]); `None` without samples.
    #[serde(default)]
    pub outliers: Option<Outliers>,
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
    /// Reasons to doubt the samples themselves ([`stats::warnings`]), each
    /// written with its sentence under `words` for readers of the JSON.
    #[serde(default, serialize_with = "warnings_with_words")]
    pub warnings: Vec<Warning>,
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
            mad_ms: None,
            outliers: None,
            correct: false,
            value: String::new(),
            expected: String::new(),
            lost_updates: None,
            errors: Vec::new(),
            spans: Vec::new(),
            figures: BTreeMap::new(),
            warnings: Vec::new(),
            suspect: None,
        }
    }

    /// What figure `key` is under, in µs, when the clock was too coarse to
    /// time it (its `figure_below_clock` warning).
    fn bound_us(&self, key: &str) -> Option<f64> {
        self.warnings.iter().find_map(|w| match w {
            Warning::FigureBelowClock {
                figure,
                timer_resolution_ms,
                ..
            } if figure == key => Some(stats::clock_bound_us(*timer_resolution_ms)),
            _ => None,
        })
    }

    /// Figure `key` (in µs) as a reader should take it: "120 µs", or
    /// "under 2000 µs" when the clock was too coarse to time it.
    pub fn figure_us(&self, key: &str) -> Option<String> {
        let v = *self.figures.get(key)?;
        Some(match self.bound_us(key) {
            Some(b) => format!("under {b:.0} µs"),
            None => format!("{v:.0} µs"),
        })
    }

    /// Whether figure `key` was timed finely enough to be set against another.
    pub fn timed(&self, key: &str) -> bool {
        self.figures.contains_key(key) && self.bound_us(key).is_none()
    }
}

fn warnings_with_words<S: Serializer>(warnings: &[Warning], s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct WithWords<'a> {
        #[serde(flatten)]
        warning: &'a Warning,
        words: String,
    }
    s.collect_seq(warnings.iter().map(|warning| WithWords {
        warning,
        words: warning.words(),
    }))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    pub model: ModelId,
    pub workers: u32,
    pub median_ms: Option<f64>,
    pub speedup: Option<f64>,
}

/// A Universal Scalability Law fit of one model's sweep ([`stats::usl_fit`]).
/// Capacity is relative to the same model on one worker, the USL's own
/// baseline, not to `seq`: a model's start-up cost then does not pass for
/// contention, and the fit works without a `seq` run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UslModelFit {
    pub model: ModelId,
    /// Contention (the serial share, as in Amdahl's law) and crosstalk.
    pub sigma: f64,
    pub kappa: f64,
    /// See [`stats::UslFit::peak_workers`].
    pub peak_workers: Option<f64>,
    /// Capacity at `peak_workers`, relative to this model on one worker.
    pub peak_speedup: Option<f64>,
    /// The whole worker count the curve favours: more workers than this
    /// are slower. `None` when the curve never turns down.
    pub slower_beyond: Option<u32>,
}

/// One point of the io lesson's I/O share sweep (`mix=1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MixPoint {
    pub model: ModelId,
    /// How much of each task was waiting, in percent of its work.
    pub io_pct: u32,
    pub median_ms: f64,
    /// Against `seq` at the same share.
    pub speedup: Option<f64>,
}

/// The convoy's response times of one model at one GIL switch interval:
/// the answers to requests that arrived while other tasks computed, every
/// repeat pooled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvoyPoint {
    pub model: ModelId,
    /// The run's switch interval (it matters only when `uses_switch`).
    pub switch_ms: f64,
    /// Whether the model has a switch interval: `gil`, and `hybrid` with a
    /// GIL per process.
    pub uses_switch: bool,
    /// Answers measured; the quantiles are `None` when there were none.
    pub answers: u32,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
}

/// One point of the transfer lesson's size series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizePoint {
    pub model: ModelId,
    pub via: crate::workloads::transfer::Via,
    pub bytes: u64,
    pub median_ms: f64,
}

/// One bar of the transfer lesson's breakdown: one model's tasks, cold or
/// warm, each phase the median over them (every repeat pooled).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoverBar {
    pub model: ModelId,
    pub cold: bool,
    pub tasks: u32,
    /// Bytes per task.
    pub bytes: u64,
    /// Median ms per phase, in [`Handover::PHASES`] order.
    pub phases_ms: [f64; 5],
}

impl HandoverBar {
    /// Handing over (all but the checksum), in ms.
    pub fn handing_ms(&self) -> f64 {
        self.phases_ms[..4].iter().sum()
    }

    /// GB/s of handing over: bytes into the receiver's memory per second.
    pub fn handing_gbps(&self) -> Option<f64> {
        let ms = self.handing_ms();
        (ms > 0.0).then(|| self.bytes as f64 / (ms * 1e6))
    }
}

/// The breakdown bars of `measurements`: per model, its cold tasks and its
/// warm tasks, where it had any.
pub fn handover_bars(cfg: &RunConfig, measurements: &[Measurement]) -> Vec<HandoverBar> {
    let Workload::Transfer(t) = &cfg.workload else {
        return Vec::new();
    };
    let mut bars = Vec::new();
    for model in &cfg.models {
        for cold in [true, false] {
            let tasks: Vec<&Handover> = measurements
                .iter()
                .filter(|m| m.model == *model)
                .flat_map(|m| m.handovers.iter())
                .filter(|h| h.cold == cold)
                .collect();
            if tasks.is_empty() {
                continue;
            }
            let phase = |i: usize| {
                let v: Vec<f64> = tasks.iter().map(|h| h.phases()[i]).collect();
                stats::median(&v).unwrap_or(0.0)
            };
            bars.push(HandoverBar {
                model: *model,
                cold,
                tasks: tasks.len() as u32,
                bytes: t.len_bytes() as u64,
                phases_ms: [phase(0), phase(1), phase(2), phase(3), phase(4)],
            });
        }
    }
    bars
}

/// The counter lesson's traced repeat of one model, as the report keeps it:
/// how long the trace was, how many lost updates it proves, and the first
/// examples to draw ([`interleaving::examples`]: proofs of lost updates,
/// or where none was lost one excerpt where the workers meet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interleaving {
    pub model: ModelId,
    /// Events recorded.
    pub events: u64,
    /// Lost updates found in them.
    pub lost: u64,
    pub examples: Vec<Vec<Event>>,
}

impl Interleaving {
    /// What `trace` shows, for `model`.
    pub fn of_trace(model: ModelId, trace: &[Event]) -> Interleaving {
        let lost = interleaving::lost_updates(trace);
        Interleaving {
            model,
            events: trace.len() as u64,
            lost: lost.len() as u64,
            examples: interleaving::examples(trace, &lost),
        }
    }

    /// The first example's lost update, when the trace lost any:
    /// re-proven from its own four events, so a report read from JSON or
    /// a link says the same as the run.
    pub fn first_lost(&self) -> Option<interleaving::LostUpdate> {
        if self.lost == 0 {
            return None;
        }
        let first = self.examples.first()?;
        let write = *first.last()?;
        interleaving::lost_updates(first)
            .into_iter()
            .find(|l| l.write == write)
    }
}

/// Per model of `cfg` with a traced repeat, in the configuration's order:
/// the trace of its last measurement that carries one.
pub fn interleavings(cfg: &RunConfig, measurements: &[Measurement]) -> Vec<Interleaving> {
    cfg.models
        .iter()
        .filter_map(|model| {
            let m = measurements
                .iter()
                .rev()
                .find(|m| m.model == *model && !m.trace.is_empty())?;
            Some(Interleaving::of_trace(*model, &m.trace))
        })
        .collect()
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
    /// `io` with `mix=1`: every model at each I/O share.
    #[serde(default)]
    pub mix: Vec<MixPoint>,
    /// A USL fit per model with at least [`USL_MIN_POINTS`] sweep points,
    /// one of them at one worker; in order of first appearance in `sweep`.
    #[serde(default)]
    pub usl: Vec<UslModelFit>,
    /// `io` with `convoy=1`: how fast task 0 answered while the others
    /// computed, per model and GIL switch interval.
    #[serde(default)]
    pub convoy: Vec<ConvoyPoint>,
    /// The limits of the machine the report was made on
    /// ([`crate::calibrate`]); `None` in reports made before they existed.
    #[serde(default)]
    pub calibration: Option<crate::calibrate::Calibration>,
    /// `transfer` on process models: where the time of handing a buffer
    /// over went, cold and warm.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handovers: Vec<HandoverBar>,
    /// What the reader predicted before the run, each judged against the
    /// results (`crate::predict`); none when they ran without predicting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub predictions: Vec<crate::predict::Prediction>,
    /// `counter`: the interleaving of each model's traced repeat; absent
    /// in other lessons and in reports made before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interleavings: Vec<Interleaving>,
    /// The models with a repeat measured while the page was hidden (the
    /// tab in the background, the window minimised): browsers slow a hidden
    /// page's timers and workers, so their figures are marked suspect and
    /// left out of the verdicts. Absent when the page stayed in view.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub background: Vec<ModelId>,
    pub share_url: String,
}

/// The one-worker baseline and two more: σ and κ need two equations.
pub const USL_MIN_POINTS: usize = 3;

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
            handovers: handover_bars(cfg, measurements),
            interleavings: interleavings(cfg, measurements),
            ..Report::new(env, config_map(cfg), results, share_url)
        };
        report.derive();
        report
    }

    /// A report of `results` alone, in this version, with no sweep, series
    /// or limits and nothing derived yet: the common start of a report
    /// measured here, one decoded from a link, and a test's.
    pub fn new(
        env: Env,
        config: Map<String, Value>,
        results: Vec<ModelResult>,
        share_url: String,
    ) -> Report {
        Report {
            version: REPORT_VERSION,
            env,
            config,
            results,
            sweep: Vec::new(),
            sizes: Vec::new(),
            mix: Vec::new(),
            usl: Vec::new(),
            convoy: Vec::new(),
            calibration: None,
            handovers: Vec::new(),
            predictions: Vec::new(),
            interleavings: Vec::new(),
            background: Vec::new(),
            share_url,
        }
    }

    /// The result of `model`, if it ran.
    pub fn result(&self, model: ModelId) -> Option<&ModelResult> {
        self.results.iter().find(|r| r.model == model)
    }

    /// The interleaving of `model`'s traced repeat, if it had one.
    pub fn interleaving(&self, model: ModelId) -> Option<&Interleaving> {
        self.interleavings.iter().find(|i| i.model == model)
    }

    /// Everything a report works out from its samples, environment and
    /// sweep: the statistics, the suspect flags that read them, the USL
    /// fits. A report built from measurements and one decoded from a link
    /// both end here, so equal samples give equal numbers.
    pub fn derive(&mut self) {
        self.derive_with(Intervals::Bootstrap);
    }

    /// [`Report::derive`], with or without the bootstrap intervals.
    pub fn derive_with(&mut self, intervals: Intervals) {
        derive_stats_with(&mut self.results, self.env.timer_resolution_ms, intervals);
        self.mark_suspects();
        self.fit_sweep();
    }

    /// Fits the USL to each model's sweep, replacing `usl`. Part of
    /// [`Report::derive`]; on its own for whoever adds sweep points to a
    /// report that was already derived.
    pub fn fit_sweep(&mut self) {
        let mut models: Vec<ModelId> = Vec::new();
        for p in &self.sweep {
            if !models.contains(&p.model) {
                models.push(p.model);
            }
        }
        self.usl = models
            .into_iter()
            .filter_map(|model| {
                let points: Vec<(f64, f64)> = self
                    .sweep
                    .iter()
                    .filter(|p| p.model == model)
                    .filter_map(|p| Some((f64::from(p.workers), p.median_ms?)))
                    .filter(|(_, ms)| ms.is_finite() && *ms > 0.0)
                    .collect();
                let one = points.iter().find(|(n, _)| *n == 1.0)?.1;
                if points.len() < USL_MIN_POINTS {
                    return None;
                }
                let capacity: Vec<(f64, f64)> =
                    points.iter().map(|&(n, ms)| (n, one / ms)).collect();
                let fit = stats::usl_fit(&capacity)?;
                Some(UslModelFit {
                    model,
                    sigma: fit.sigma,
                    kappa: fit.kappa,
                    peak_workers: fit.peak_workers,
                    peak_speedup: fit.peak_speedup,
                    slower_beyond: fit.best_workers(),
                })
            })
            .collect();
    }

    /// Flags every speedup above what this machine allows. Parallel work
    /// cannot beat seq by more than it has workers, cores and tasks to
    /// share; waiting (the io lesson) overlaps on any number of cores. A
    /// ratio above that means the baseline ran slower than the code beside
    /// it (a cold tier, other machine code, a thread of another priority):
    /// it is shown, but as suspect, never as a result. The 10% margin
    /// leaves room for noise between the medians. A figure measured while
    /// the page was hidden is suspect as well ([`Report::background`]).
    pub fn mark_suspects(&mut self) {
        self.mark_beyond_the_machine();
        self.mark_background();
    }

    /// A model measured while the page was hidden is not this machine's
    /// figure, and neither is any speedup over a `seq` that was.
    fn mark_background(&mut self) {
        const WHY: &str = "measured while the tab was in the background: browsers slow the \
                           timers and workers of a hidden page, so this figure is not what this \
                           machine does. Run it again with the tab in view";
        let baseline = self.background.contains(&ModelId::Seq);
        for r in &mut self.results {
            if self.background.contains(&r.model) {
                r.suspect = Some(WHY.to_string());
            } else if baseline && r.speedup.is_some() && r.suspect.is_none() {
                r.suspect = Some(
                    "seq, the baseline of every speedup, was measured while the tab was in the \
                     background, so this ratio is not a speedup. Run it again with the tab in view"
                        .to_string(),
                );
            }
        }
    }

    /// The warning over a run with models measured while the page was
    /// hidden; empty when it stayed in view.
    pub fn background_words(&self) -> String {
        let names: Vec<&str> = self.background.iter().map(|m| m.id()).collect();
        match names.as_slice() {
            [] => String::new(),
            _ => format!(
                "Measured while the tab was in the background: {}. Browsers slow the timers \
                 and workers of a hidden page, so {} left out of the verdicts{}. Keep the tab \
                 in view while it runs.",
                names.join(", "),
                if names.len() == 1 {
                    "its figure is"
                } else {
                    "their figures are"
                },
                if self.background.contains(&ModelId::Seq) {
                    ", and so is every speedup over seq"
                } else {
                    ""
                }
            ),
        }
    }

    fn mark_beyond_the_machine(&mut self) {
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
            // An event loop overlaps the waits of all its coroutines on
            // one thread: in the io lesson its bound is the task count.
            let overlap = if w == "io" && r.model == ModelId::Async {
                u32::MAX
            } else {
                hybrid_parallel(r, w == "io").unwrap_or(r.workers.max(1))
            };
            let mut bound = u64::from(overlap);
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

/// Whether a report's statistics include the bootstrap intervals of its
/// medians and speedups. A class view reads hundreds of links and draws
/// medians only, and the intervals are most of the work of reading one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intervals {
    Bootstrap,
    Left,
}

/// Fills each result's statistics from its samples: median, range, MAD,
/// outliers, warnings (which read the clock's resolution), and speedup and
/// efficiency against `seq` with their intervals.
pub fn derive_stats(results: &mut [ModelResult], timer_resolution_ms: Option<f64>) {
    derive_stats_with(results, timer_resolution_ms, Intervals::Bootstrap);
}

fn derive_stats_with(
    results: &mut [ModelResult],
    timer_resolution_ms: Option<f64>,
    intervals: Intervals,
) {
    let bootstrap = intervals == Intervals::Bootstrap;
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
        r.median_ci_ms = bootstrap.then(|| stats::median_ci(&r.samples_ms)).flatten();
        r.mad_ms = stats::mad(&r.samples_ms);
        r.outliers = stats::outliers(&r.samples_ms);
        r.warnings = stats::warnings(&r.samples_ms, timer_resolution_ms);
        r.warnings
            .extend(stats::figures_below_clock(&r.figures, timer_resolution_ms));
        r.speedup_ci = if r.model == ModelId::Seq || !bootstrap {
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
        parts.push(format!("timer {}", crate::format::clock_step(t)));
    }
    parts.push(e.date.get(..16).unwrap_or(&e.date).replace('T', " "));
    parts.join(" · ")
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
    let mut out = String::from(
        "w,model,workers,repeat,wall_ms,median_ms,speedup,correct,value,lost_updates,cores,browser,date,\
         predicted,confidence,right\n",
    );
    for r in &report.results {
        // What the reader predicted of this model: a choice, or the pick
        // it was ("fastest"); both picks may name one model.
        let mine: Vec<_> = report
            .predictions
            .iter()
            .filter(|p| p.model == r.model)
            .collect();
        let joined = |f: &dyn Fn(&crate::predict::Prediction) -> String| {
            mine.iter().map(|p| f(p)).collect::<Vec<_>>().join(";")
        };
        let predicted = [
            joined(&|p| p.choice.clone()),
            joined(&|p| p.confidence.id().to_string()),
            joined(&|p| p.right.map_or(String::new(), |r| r.to_string())),
        ];
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
                field(&predicted[0]),
                field(&predicted[1]),
                field(&predicted[2]),
            ];
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    out
}

/// How many of a `hybrid` result's workers can compute at once: one per
/// process when each process's threads share a GIL (waits overlap anyway).
pub fn hybrid_parallel(r: &ModelResult, io: bool) -> Option<u32> {
    if r.model != ModelId::Hybrid || io || !r.figures.contains_key("gil_per_process") {
        return None;
    }
    r.figures.get("processes").map(|p| (*p as u32).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::SpanKind;

    fn m(model: ModelId, wall_ms: f64, correct: bool) -> Measurement {
        Measurement {
            correct,
            spans: vec![Span {
                worker: 0,
                task: 0,
                kind: SpanKind::Run,
                start_ms: 0.0,
                end_ms: wall_ms,
            }],
            ..Measurement::plain(model, 2, wall_ms, "8".into())
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
        let r = Report::build(&cfg, Env::with_cores(2), &ms, String::new());
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
        let r = Report::build(&cfg, Env::with_cores(2), &ms, String::new());
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
            Env::with_cores(2),
            &[wait(ModelId::Seq, 400.0), wait(ModelId::Gil, 51.0)],
            String::new(),
        );
        assert_eq!(r.results[1].suspect, None, "7.8× of waiting on 8 workers");
        let r = Report::build(
            &io,
            Env::with_cores(2),
            &[wait(ModelId::Seq, 400.0), wait(ModelId::Gil, 40.0)],
            String::new(),
        );
        assert!(
            r.results[1].suspect.is_some(),
            "10× with 8 workers cannot be"
        );
    }

    fn samples(model: ModelId, walls: &[f64]) -> Vec<Measurement> {
        walls.iter().map(|&w| m(model, w, true)).collect()
    }

    /// seq with one slow repeat, threads split between two speeds, procs
    /// far too short for a 0.1 ms clock.
    fn doubtful() -> Report {
        let mut cfg = RunConfig::with_cores(2);
        cfg.models = vec![ModelId::Seq, ModelId::Threads, ModelId::Procs];
        let mut ms = samples(
            ModelId::Seq,
            &[100.0, 101.0, 99.0, 100.5, 99.5, 100.2, 160.0],
        );
        ms.extend(samples(
            ModelId::Threads,
            &[50.0, 50.5, 49.8, 80.0, 80.4, 79.9],
        ));
        ms.extend(samples(ModelId::Procs, &[0.3, 0.4, 0.3, 0.5, 0.4]));
        let env = Env {
            timer_resolution_ms: Some(0.1),
            ..Env::with_cores(2)
        };
        Report::build(&cfg, env, &ms, String::new())
    }

    #[test]
    fn doubtful_samples_are_flagged() {
        let r = doubtful();
        let [seq, threads, procs] = &r.results[..] else {
            panic!()
        };

        // Sorted 99 99.5 100 100.2 100.5 101 160: Q1 at rank 1.5 = 99.75,
        // Q3 at rank 4.5 = 100.75, so above 103.75 is severe: the 160, index 6.
        let o = seq.outliers.as_ref().unwrap();
        assert_eq!((o.q1_ms, o.q3_ms), (99.75, 100.75));
        assert_eq!(o.high_severe, [6]);
        assert_eq!(o.count(), 1);
        assert_eq!(o.effect, stats::OutlierEffect::Severe);
        // Median 100.2; |x − 100.2| sorted: 0 0.2 0.3 0.7 0.8 1.2 59.8.
        assert!((seq.mad_ms.unwrap() - 0.7).abs() < 1e-12);
        assert!(seq.warnings.is_empty(), "{:?}", seq.warnings);

        assert!(
            matches!(
                threads.warnings[..],
                [Warning::Bimodal {
                    low_count: 3,
                    high_count: 3,
                    ..
                }]
            ),
            "{:?}",
            threads.warnings
        );
        assert_eq!(threads.outliers.as_ref().unwrap().count(), 0);

        assert!(procs.warnings.contains(&Warning::TooShort {
            median_ms: 0.4,
            timer_resolution_ms: 0.1,
        }));
    }

    #[test]
    fn the_new_statistics_in_json_and_older_reports_without_them() {
        let r = doubtful();
        let json = serde_json::to_value(&r).unwrap();
        let seq = &json["results"][0];
        assert_eq!(seq["outliers"]["high_severe"], serde_json::json!([6]));
        assert_eq!(seq["outliers"]["effect"], "severe");
        assert!(seq["mad_ms"].is_number());
        let bimodal = &json["results"][1]["warnings"][0];
        assert_eq!(bimodal["kind"], "bimodal");
        assert_eq!(bimodal["low_count"], 3);
        assert_eq!(bimodal["words"], r.results[1].warnings[0].words());
        assert_eq!(json["usl"], serde_json::json!([]));
        // `words` is for readers; reading it back ignores it.
        let back: Report = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, r);

        let mut old = json;
        old.as_object_mut().unwrap().remove("usl");
        for result in old["results"].as_array_mut().unwrap() {
            let result = result.as_object_mut().unwrap();
            for key in ["mad_ms", "outliers", "warnings"] {
                result.remove(key);
            }
        }
        let old: Report = serde_json::from_value(old).unwrap();
        assert_eq!(old.results[0].mad_ms, None);
        assert_eq!(old.results[0].outliers, None);
        assert!(old.results[1].warnings.is_empty() && old.usl.is_empty());
    }

    #[test]
    fn each_model_with_three_sweep_points_gets_a_usl_fit() {
        let mut r = doubtful();
        let point = |model, workers: u32, median_ms| SweepPoint {
            model,
            workers,
            median_ms: Some(median_ms),
            speedup: None,
        };
        // threads: 120 ms on one worker, then exactly σ = 0.05, κ = 0.02.
        for n in [1, 2, 4, 8] {
            let capacity = stats::usl(f64::from(n), 0.05, 0.02);
            r.sweep.push(point(ModelId::Threads, n, 120.0 / capacity));
        }
        // procs: two points only; gil: no one-worker baseline.
        r.sweep.push(point(ModelId::Procs, 1, 100.0));
        r.sweep.push(point(ModelId::Procs, 2, 50.0));
        for n in [2, 3, 4] {
            r.sweep.push(point(ModelId::Gil, n, 100.0));
        }
        r.fit_sweep();
        assert_eq!(r.usl.len(), 1);
        let fit = &r.usl[0];
        assert_eq!(fit.model, ModelId::Threads);
        assert!((fit.sigma - 0.05).abs() < 1e-9 && (fit.kappa - 0.02).abs() < 1e-9);
        assert!((fit.peak_workers.unwrap() - 47.5f64.sqrt()).abs() < 1e-6);
        assert_eq!(fit.slower_beyond, Some(7));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["usl"][0]["model"], "threads");
        assert_eq!(json["usl"][0]["slower_beyond"], 7);

        // derive recomputes it from the sweep, like a decoded link does.
        let fitted = r.usl.clone();
        r.usl.clear();
        r.derive();
        assert_eq!(r.usl, fitted);
    }

    #[test]
    fn without_seq_there_is_no_speedup() {
        let mut cfg = RunConfig::with_cores(2);
        cfg.models = vec![ModelId::Threads];
        let r = Report::build(
            &cfg,
            Env::with_cores(2),
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
    #[test]
    fn handovers_make_a_cold_and_a_warm_bar_per_model() {
        use crate::config::{parse_query, RunConfig};
        use crate::workloads::transfer::Handover;
        let (cfg, _) = RunConfig::from_pairs(
            &parse_query("w=transfer&tasks=2&mib=1&via=move&models=procs,fork,seq"),
            2,
        );
        let h = |copy_ms: f64, cold: bool| Handover {
            serialize_ms: 0.5,
            deliver_ms: 0.25,
            grow_ms: 0.0,
            copy_ms,
            checksum_ms: 1.0,
            cold,
        };
        let with = |model, handovers: Vec<Handover>| Measurement {
            handovers,
            ..Measurement::plain(model, 2, 5.0, cfg.workload.expected().to_string())
        };
        let r = Report::build(
            &cfg,
            Env::with_cores(2),
            &[
                with(ModelId::Procs, vec![h(4.0, true), h(1.0, false)]),
                with(ModelId::Procs, vec![h(1.0, false), h(3.0, false)]),
                with(ModelId::Fork, vec![h(4.0, true), h(6.0, true)]),
                with(ModelId::Seq, vec![]),
            ],
            String::new(),
        );
        let bars: Vec<(ModelId, bool, u32, f64)> = r
            .handovers
            .iter()
            .map(|b| (b.model, b.cold, b.tasks, b.phases_ms[3]))
            .collect();
        assert_eq!(
            bars,
            vec![
                (ModelId::Procs, true, 1, 4.0),
                (ModelId::Procs, false, 3, 1.0),
                (ModelId::Fork, true, 2, 5.0),
            ],
            "seq has no breakdown, fork no warm start"
        );
        let warm = &r.handovers[1];
        assert_eq!(warm.handing_ms(), 1.75);
        assert_eq!(warm.bytes, 1 << 20);
        assert!((warm.handing_gbps().unwrap() - 1_048_576.0 / 1.75e6).abs() < 1e-9);
        let json = serde_json::to_string(&r).unwrap();
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back.handovers, r.handovers);
    }

    #[test]
    fn each_models_last_trace_becomes_its_interleaving() {
        use crate::config::parse_query;
        use crate::interleaving::Event;
        let (cfg, _) = RunConfig::from_pairs(
            &parse_query("w=counter&tasks=2&increments=300&models=threads,gil,seq"),
            2,
        );
        let lost_one = vec![
            Event::read(0, 41, 0),
            Event::read(1, 41, 1),
            Event::write(0, 42, 41, 2),
            Event::write(1, 42, 42, 3),
        ];
        let with = |model, trace: Vec<Event>| Measurement {
            trace,
            ..Measurement::plain(model, 2, 5.0, "599".into())
        };
        let ms = [
            with(ModelId::Gil, lost_one[..2].to_vec()),
            with(ModelId::Threads, vec![]),
            // Only the last trace of a model counts (there is one per run).
            with(ModelId::Gil, lost_one.clone()),
            with(ModelId::Threads, lost_one[..3].to_vec()),
            with(ModelId::Seq, vec![]),
        ];
        let r = Report::build(&cfg, Env::with_cores(2), &ms, String::new());
        assert_eq!(
            r.interleavings
                .iter()
                .map(|i| (i.model, i.events, i.lost))
                .collect::<Vec<_>>(),
            [(ModelId::Threads, 3, 0), (ModelId::Gil, 4, 1)],
            "in the configuration's order; seq traced nothing"
        );
        let gil = r.interleaving(ModelId::Gil).unwrap();
        assert_eq!(gil.examples, vec![lost_one.clone()]);
        assert_eq!(
            gil.first_lost().unwrap().words(),
            "w1 wrote 42 over w0's 42: one update lost"
        );
        assert_eq!(r.interleaving(ModelId::Threads).unwrap().first_lost(), None);
        assert_eq!(r.interleaving(ModelId::Seq), None);

        let json = serde_json::to_value(&r).unwrap();
        let first = &json["interleavings"][1];
        assert_eq!(first["model"], "gil");
        assert_eq!(
            (first["events"].as_u64(), first["lost"].as_u64()),
            (Some(4), Some(1))
        );
        assert_eq!(
            first["examples"][0][3],
            serde_json::json!({"worker": 1, "op": "write", "value": 42, "order": 3,
                               "replaced": 42, "switched": false})
        );
        let back: Report = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, r);

        // Other lessons, and reports made before, have none.
        let mut old = json;
        old.as_object_mut().unwrap().remove("interleavings");
        let old: Report = serde_json::from_value(old).unwrap();
        assert!(old.interleavings.is_empty());
        let plain = Report::build(&cfg, Env::with_cores(2), &ms[4..], String::new());
        assert!(serde_json::to_value(&plain)
            .unwrap()
            .get("interleavings")
            .is_none());
    }

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
            user_agent: "Mozilla/5.0 (X11; rv:140.0) Gecko/20100101 Firefox/140.0".into(),
            date: "2026-11-22T10:04:31.123Z".into(),
            timer_resolution_ms: Some(0.005),
            ..Env::with_cores(2)
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

    #[test]
    fn one_row_per_model_and_sample() {
        let mut cfg = RunConfig::with_cores(2);
        cfg.models = vec![ModelId::Seq, ModelId::Procs];
        let m = |model, wall_ms| Measurement::plain(model, 2, wall_ms, "40000000".into());
        let env = Env {
            user_agent: "Mozilla/5.0, \"quoted\" Chrome/156.0".into(),
            date: "2026-11-22".into(),
            ..Env::with_cores(2)
        };
        let mut r = Report::build(
            &cfg,
            env,
            &[
                m(ModelId::Seq, 10.0),
                m(ModelId::Procs, 5.0),
                m(ModelId::Seq, 12.0),
            ],
            String::new(),
        );
        r.predictions = vec![crate::predict::Prediction {
            model: ModelId::Procs,
            choice: "faster".into(),
            confidence: crate::predict::Confidence::Sure,
            right: Some(true),
        }];
        let csv = to_csv(&r);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 1 + 3);
        assert!(lines[0].starts_with("w,model,workers,repeat,wall_ms"));
        assert!(lines[0].ends_with(",predicted,confidence,right"));
        assert_eq!(
            lines[1],
            "cpu,seq,2,1,10,11,1,true,40000000,,2,Chrome 156,2026-11-22,,,"
        );
        assert!(lines[3].starts_with("cpu,procs,2,1,5,5,2.2,true"));
        assert!(lines[3].ends_with(",faster,sure,true"));
    }
}
