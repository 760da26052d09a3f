//! Summary statistics of repeated measurements.

use crate::format::ms;
use serde::{Deserialize, Serialize};

/// The median of `samples`; `None` when there are none. NaNs sort last so a
/// broken sample cannot make the median panic.
pub fn median(samples: &[f64]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    Some(median_in_place(&mut samples.to_vec()))
}

/// [`median`] of a non-empty `s`, sorting it where it lies.
fn median_in_place(s: &mut [f64]) -> f64 {
    s.sort_by(|a, b| a.total_cmp(b));
    let mid = s.len() / 2;
    if s.len() % 2 == 1 {
        s[mid]
    } else {
        (s[mid - 1] + s[mid]) / 2.0
    }
}

pub fn min_max(samples: &[f64]) -> Option<(f64, f64)> {
    let mut it = samples.iter().copied();
    let first = it.next()?;
    Some(it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
}

/// How many times faster than the baseline: `baseline / this`, both medians.
/// `None` when either is missing or the time is not positive.
pub fn speedup(baseline_ms: Option<f64>, this_ms: Option<f64>) -> Option<f64> {
    match (baseline_ms, this_ms) {
        (Some(b), Some(t)) if t > 0.0 && b.is_finite() && t.is_finite() => Some(b / t),
        _ => None,
    }
}

/// Speedup per worker: 1.0 means every worker was fully used.
pub fn efficiency(speedup: Option<f64>, workers: u32) -> Option<f64> {
    speedup
        .filter(|_| workers > 0)
        .map(|s| s / f64::from(workers))
}

/// A small deterministic generator for resampling: the same samples give
/// the same interval on every machine, so a report is reproducible.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn index(&mut self, len: usize) -> usize {
        (self.next() % len as u64) as usize
    }
}

/// Enough for stable 2.5% and 97.5% points, cheap enough for the page.
const RESAMPLES: usize = 1000;

fn resampled_median(samples: &[f64], rng: &mut SplitMix, scratch: &mut Vec<f64>) -> f64 {
    scratch.clear();
    scratch.extend((0..samples.len()).map(|_| samples[rng.index(samples.len())]));
    // In the scratch itself: an interval takes a thousand medians, and a
    // copy for each added about a sixth to decoding a share link (a class
    // set decodes hundreds).
    if scratch.is_empty() {
        return f64::NAN;
    }
    median_in_place(scratch)
}

fn percentile_interval(mut values: Vec<f64>) -> Option<(f64, f64)> {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return None;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    Some((at(0.025), at(0.975)))
}

/// A bootstrap 95% interval for the median: resample with replacement,
/// take each resample's median, keep the middle 95%. `None` below 3
/// samples, where an interval would only pretend to know.
pub fn median_ci(samples: &[f64]) -> Option<(f64, f64)> {
    if samples.len() < 3 {
        return None;
    }
    let mut rng = SplitMix(samples.len() as u64);
    let mut scratch = Vec::with_capacity(samples.len());
    percentile_interval(
        (0..RESAMPLES)
            .map(|_| resampled_median(samples, &mut rng, &mut scratch))
            .collect(),
    )
}

/// A bootstrap 95% interval for median(baseline) / median(samples), both
/// resampled independently.
pub fn speedup_ci(baseline: &[f64], samples: &[f64]) -> Option<(f64, f64)> {
    if baseline.len() < 3 || samples.len() < 3 {
        return None;
    }
    let mut rng = SplitMix((baseline.len() * 1000 + samples.len()) as u64);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    percentile_interval(
        (0..RESAMPLES)
            .map(|_| {
                let base = resampled_median(baseline, &mut rng, &mut a);
                let this = resampled_median(samples, &mut rng, &mut b);
                if this > 0.0 {
                    base / this
                } else {
                    f64::NAN
                }
            })
            .collect(),
    )
}

/// Amdahl's law: the speedup on `n` workers when a fraction `serial` of the
/// work cannot be shared out.
pub fn amdahl(serial: f64, n: f64) -> f64 {
    1.0 / (serial + (1.0 - serial) / n)
}

/// The serial fraction in 0..=1 whose Amdahl curve best fits `points`
/// (workers, speedup) in least squares; `None` without two usable points.
/// The error is unimodal in the fraction, so a golden-section search finds
/// the minimum without derivatives.
pub fn amdahl_fit(points: &[(f64, f64)]) -> Option<f64> {
    let usable: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(n, s)| *n >= 1.0 && s.is_finite() && *s > 0.0)
        .collect();
    if usable.len() < 2 {
        return None;
    }
    let error = |f: f64| {
        usable
            .iter()
            .map(|(n, s)| (amdahl(f, *n) - s).powi(2))
            .sum::<f64>()
    };
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..80 {
        let a = hi - ratio * (hi - lo);
        let b = lo + ratio * (hi - lo);
        if error(a) < error(b) {
            hi = b;
        } else {
            lo = a;
        }
    }
    Some((lo + hi) / 2.0)
}

/// The median absolute deviation: the median of |x − median|, in the
/// samples' unit. Raw, not scaled by 1.4826 to estimate a normal
/// distribution's standard deviation: timings are not normal, and the raw
/// figure reads directly as "half the samples lie within this of the median".
/// `None` when there are no samples.
pub fn mad(samples: &[f64]) -> Option<f64> {
    let m = median(samples)?;
    let deviations: Vec<f64> = samples.iter().map(|x| (x - m).abs()).collect();
    median(&deviations)
}

/// The first and third quartiles by linear interpolation between closest
/// ranks (Hyndman & Fan type 7: the quantile p sits at 0-based rank
/// (n − 1)·p of the sorted samples). It is the default of R, NumPy and
/// spreadsheets' QUARTILE.INC, so anyone can check a fence by hand.
pub fn quartiles(samples: &[f64]) -> Option<(f64, f64)> {
    if samples.is_empty() {
        return None;
    }
    let mut s = samples.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    Some((quantile_sorted(&s, 0.25), quantile_sorted(&s, 0.75)))
}

/// The quantile `p` (0..=1) of `samples` by the same rule as
/// [`quartiles`]: the convoy's p50 and p99. `None` when there are none.
pub fn quantile(samples: &[f64], p: f64) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut s = samples.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    Some(quantile_sorted(&s, p.clamp(0.0, 1.0)))
}

fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let rank = (sorted.len() - 1) as f64 * p;
    let lo = rank.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let t = rank - lo as f64;
    // A weighted sum rather than lo + t·(hi − lo): the difference of two
    // huge timings can overflow where neither does.
    sorted[lo] * (1.0 - t) + sorted[hi] * t
}

/// How much the outliers change the picture, from the share of the
/// variance they account for (see [`Outliers::variance_share`]). The
/// thresholds (1%, 10%, 50%) are the conventional ones for "outlier
/// variance"; the rule that feeds them is this module's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierEffect {
    /// Under 1% of the variance: the mean and the spread barely move.
    Unaffected,
    /// 1% to under 10%.
    Slight,
    /// 10% to under 50%.
    Moderate,
    /// Half the variance or more comes from the outliers: the spread is
    /// mostly theirs, and a mean would be pulled away from the median.
    Severe,
}

impl OutlierEffect {
    pub fn of_share(share: f64) -> OutlierEffect {
        match share {
            s if s >= 0.5 => OutlierEffect::Severe,
            s if s >= 0.1 => OutlierEffect::Moderate,
            s if s >= 0.01 => OutlierEffect::Slight,
            _ => OutlierEffect::Unaffected,
        }
    }
}

/// The samples beyond Tukey's fences, as indices into the samples in
/// their original order. With IQR = q3 − q1, a sample is a mild outlier
/// beyond 1.5·IQR outside the quartiles and a severe one beyond 3·IQR
/// (strictly beyond: a sample on a fence is normal). Each index is in at
/// most one list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outliers {
    /// The quartiles the fences stand on ([`quartiles`]), in the samples' unit.
    pub q1_ms: f64,
    pub q3_ms: f64,
    /// Below q1 − 1.5·IQR but not below q1 − 3·IQR.
    pub low_mild: Vec<usize>,
    /// Below q1 − 3·IQR.
    pub low_severe: Vec<usize>,
    /// Above q3 + 1.5·IQR but not above q3 + 3·IQR.
    pub high_mild: Vec<usize>,
    /// Above q3 + 3·IQR.
    pub high_severe: Vec<usize>,
    /// 1 − var(normal samples) / var(all samples), both population
    /// variances, clamped to 0..=1: the part of the spread that exists only
    /// because of the outliers. 0 without outliers.
    pub variance_share: f64,
    pub effect: OutlierEffect,
}

impl Outliers {
    pub fn count(&self) -> usize {
        self.low_mild.len() + self.low_severe.len() + self.high_mild.len() + self.high_severe.len()
    }
}

/// Tukey's fences on `samples` and the outliers' effect; `None` without
/// samples. NaN samples are never outliers (they compare with nothing).
pub fn outliers(samples: &[f64]) -> Option<Outliers> {
    let (q1, q3) = quartiles(samples)?;
    let iqr = q3 - q1;
    let mut out = Outliers {
        q1_ms: q1,
        q3_ms: q3,
        low_mild: Vec::new(),
        low_severe: Vec::new(),
        high_mild: Vec::new(),
        high_severe: Vec::new(),
        variance_share: 0.0,
        effect: OutlierEffect::Unaffected,
    };
    let mut normal = Vec::with_capacity(samples.len());
    for (i, &x) in samples.iter().enumerate() {
        if x < q1 - 3.0 * iqr {
            out.low_severe.push(i);
        } else if x < q1 - 1.5 * iqr {
            out.low_mild.push(i);
        } else if x > q3 + 3.0 * iqr {
            out.high_severe.push(i);
        } else if x > q3 + 1.5 * iqr {
            out.high_mild.push(i);
        } else {
            normal.push(x);
        }
    }
    if out.count() > 0 {
        // Scaled to at most 1 in magnitude first, so squaring timings near
        // f64::MAX cannot overflow; the ratio does not change with scale.
        let scale = samples
            .iter()
            .map(|x| x.abs())
            .filter(|x| x.is_finite())
            .fold(0.0, f64::max);
        let all = population_variance(samples, scale);
        let share = 1.0 - population_variance(&normal, scale) / all;
        out.variance_share = if share.is_finite() {
            share.clamp(0.0, 1.0)
        } else {
            0.0
        };
        out.effect = OutlierEffect::of_share(out.variance_share);
    }
    Some(out)
}

fn population_variance(samples: &[f64], scale: f64) -> f64 {
    let scaled: Vec<f64> = samples.iter().map(|x| x / scale).collect();
    let n = scaled.len() as f64;
    let mean = scaled.iter().sum::<f64>() / n;
    scaled.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n
}

/// A reason to doubt a model's timings, with the numbers it rests on.
/// Serialized with a `kind` tag: `{"kind": "too_short", "median_ms": …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// The sorted samples split into two clusters (see [`bimodal`]).
    Bimodal {
        /// The median of each cluster and how many samples it holds.
        low_ms: f64,
        low_count: usize,
        high_ms: f64,
        high_count: usize,
        /// The empty stretch between the clusters.
        gap_ms: f64,
        /// Within-cluster sum of squares / total sum of squares: how little
        /// of the spread is left once the two clusters are told apart.
        within_share: f64,
    },
    /// Most samples read the same value, or at most one tick of the clock
    /// (see [`timer_saturated`]).
    TimerSaturated {
        /// The largest group of samples within half a tick of each other,
        /// and their median.
        equal: usize,
        value_ms: f64,
        /// Samples no longer than 1.5 ticks (0 without a known resolution).
        one_tick: usize,
        samples: usize,
        timer_resolution_ms: Option<f64>,
    },
    /// The median is under [`TICKS_PER_RUN`] ticks of the clock.
    TooShort {
        median_ms: f64,
        timer_resolution_ms: f64,
    },
    /// A figure in µs (one step timed by itself, such as `per_step_us`)
    /// is under two ticks of the clock: what was read is a count of ticks,
    /// not the step's length, and reads only as "under" the bound.
    FigureBelowClock {
        figure: String,
        value_us: f64,
        timer_resolution_ms: f64,
    },
}

/// A run shorter than this many clock ticks is timed to worse than 1%
/// (one tick of rounding at each end of a run).
pub const TICKS_PER_RUN: f64 = 100.0;

impl Warning {
    /// The `kind` tag, for the page's markup and tests.
    pub fn kind(&self) -> &'static str {
        match self {
            Warning::Bimodal { .. } => "bimodal",
            Warning::TimerSaturated { .. } => "timer_saturated",
            Warning::TooShort { .. } => "too_short",
            Warning::FigureBelowClock { .. } => "figure_below_clock",
        }
    }

    /// The warning in one plain English sentence, numbers included.
    pub fn words(&self) -> String {
        match self {
            Warning::Bimodal {
                low_ms,
                low_count,
                high_ms,
                high_count,
                ..
            } => format!(
                "The samples form two separate clusters, {low_count} around {} and \
                 {high_count} around {}, so the median stands for neither.",
                ms(*low_ms),
                ms(*high_ms)
            ),
            Warning::TimerSaturated {
                equal,
                value_ms,
                one_tick,
                samples,
                timer_resolution_ms,
            } => {
                let tick = timer_resolution_ms
                    .map_or(String::new(), |t| format!(" (its step is {})", ms(t)));
                if equal >= one_tick {
                    format!(
                        "{equal} of {samples} samples read the same {}: the clock{tick} is \
                         too coarse to tell these runs apart.",
                        ms(*value_ms)
                    )
                } else {
                    format!(
                        "{one_tick} of {samples} samples last at most one tick of the \
                         clock{tick}, which is too coarse to time them."
                    )
                }
            }
            Warning::TooShort {
                median_ms,
                timer_resolution_ms,
            } => format!(
                "The median run, {}, is shorter than {TICKS_PER_RUN:.0} ticks of the {} \
                 clock ({}), so a single tick is over 1% of it.",
                ms(*median_ms),
                ms(*timer_resolution_ms),
                ms(TICKS_PER_RUN * timer_resolution_ms)
            ),
            Warning::FigureBelowClock {
                figure,
                value_us,
                timer_resolution_ms,
            } => format!(
                "{} read {value_us:.0} µs, under two ticks of the {} clock: a step this short \
                 cannot be timed by itself here, so it is shown as under {:.0} µs.",
                figure_words(figure),
                ms(*timer_resolution_ms),
                clock_bound_us(*timer_resolution_ms)
            ),
        }
    }
}

/// A figure's key in words, to begin a sentence.
fn figure_words(key: &str) -> &str {
    match key {
        "per_step_us" => "The time per step",
        "fork_start_us" => "Making a process from a warm spare",
        "fork_instantiate_us" => "Instantiating the module",
        "cold_start_us" => "A spare worker's cold start",
        other => other,
    }
}

/// What a figure timed one step at a time can be told from nothing on a
/// clock with this step: two ticks (a step may begin just before one tick
/// and end just after the next), in µs.
pub fn clock_bound_us(timer_resolution_ms: f64) -> f64 {
    2.0 * timer_resolution_ms * 1e3
}

/// The µs figures (keys ending `_us`) under two ticks of the clock.
pub fn figures_below_clock(
    figures: &std::collections::BTreeMap<String, f64>,
    timer_resolution_ms: Option<f64>,
) -> Vec<Warning> {
    let Some(res) = tick(timer_resolution_ms) else {
        return Vec::new();
    };
    figures
        .iter()
        .filter(|(k, v)| k.ends_with("_us") && **v < clock_bound_us(res))
        .map(|(k, v)| Warning::FigureBelowClock {
            figure: k.clone(),
            value_us: *v,
            timer_resolution_ms: res,
        })
        .collect()
}

/// A usable clock step: known, finite and positive.
fn tick(timer_resolution_ms: Option<f64>) -> Option<f64> {
    timer_resolution_ms.filter(|t| t.is_finite() && *t > 0.0)
}

fn sum_of_squares(xs: &[f64]) -> f64 {
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    xs.iter().map(|x| (x - mean).powi(2)).sum()
}

/// The two clusters must explain this much of the variance…
pub const BIMODAL_WITHIN_SHARE: f64 = 0.05;
/// …the gap must be this many times either cluster's MAD (or the clock's
/// step, if larger)…
pub const BIMODAL_GAP_MADS: f64 = 4.0;
/// …and at least this fraction of the median.
pub const BIMODAL_MIN_GAP: f64 = 0.05;

/// Whether the samples form two separated clusters. Every split of the
/// sorted samples into a low and a high part of at least 2 samples each is
/// tried; a split counts when
///
/// 1. the two parts leave under [`BIMODAL_WITHIN_SHARE`] of the total sum
///    of squares within them (two tight groups far apart, not one spread
///    out group: this is what keeps noisy unimodal samples of 5–8 repeats
///    from passing often; simulated normal samples of 6 pass about 2% of
///    the time),
/// 2. the gap between the parts exceeds [`BIMODAL_GAP_MADS`] times the MAD
///    of each part and the clock's step (robust to a stray sample inside a
///    cluster, and no two neighbouring ticks of a coarse clock make two
///    modes), and
/// 3. the gap is at least [`BIMODAL_MIN_GAP`] of the median, so two modes a
///    fraction of a percent apart, real or not, do not cry wolf.
///
/// At least 2 per part means a single outlier is never a second mode. The
/// widest qualifying gap is reported; `None` when no split qualifies.
pub fn bimodal(samples: &[f64], timer_resolution_ms: Option<f64>) -> Option<Warning> {
    let mut s: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if s.len() < 4 {
        return None;
    }
    s.sort_by(|a, b| a.total_cmp(b));
    let total = sum_of_squares(&s);
    let floor = tick(timer_resolution_ms).unwrap_or(0.0);
    let min_gap = BIMODAL_MIN_GAP * median(&s)?.abs();
    let mut best: Option<(f64, Warning)> = None;
    for i in 2..=s.len() - 2 {
        let (low, high) = s.split_at(i);
        let gap = high[0] - low[i - 1];
        let within = (sum_of_squares(low) + sum_of_squares(high)) / total;
        let spread = mad(low)?.max(mad(high)?).max(floor);
        let qualifies = within < BIMODAL_WITHIN_SHARE
            && gap > BIMODAL_GAP_MADS * spread
            && gap >= min_gap
            && gap > 0.0;
        if qualifies && best.as_ref().is_none_or(|(g, _)| gap > *g) {
            let warning = Warning::Bimodal {
                low_ms: median(low)?,
                low_count: low.len(),
                high_ms: median(high)?,
                high_count: high.len(),
                gap_ms: gap,
                within_share: within,
            };
            best = Some((gap, warning));
        }
    }
    best.map(|(_, w)| w)
}

/// Whether the clock, not the work, decides the samples: more than half of
/// them (of at least 3) lie within half a tick of one value of at most
/// [`SATURATED_TICKS`] ticks, or last at most 1.5 ticks. Without a known
/// resolution only (near-)exact repeats count, within a relative 1e-9 to
/// absorb the rounding of subtracting two clock readings.
pub fn timer_saturated(samples: &[f64], timer_resolution_ms: Option<f64>) -> Option<Warning> {
    let mut s: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if s.len() < 3 {
        return None;
    }
    s.sort_by(|a, b| a.total_cmp(b));
    let res = tick(timer_resolution_ms);
    let largest = s[0].abs().max(s[s.len() - 1].abs());
    // One width for every window, so the window's end only moves forward.
    let tolerance = res.map_or(0.0, |t| t / 2.0).max(largest * 1e-9);
    let (mut equal, mut value, mut end) = (0, s[0], 0);
    for start in 0..s.len() {
        end = end.max(start);
        while end + 1 < s.len() && s[end + 1] - s[start] <= tolerance {
            end += 1;
        }
        if end + 1 - start > equal {
            equal = end + 1 - start;
            value = median(&s[start..=end])?;
        }
    }
    // Runs many ticks long that read the same are close, not unresolved:
    // the clock tells them apart to a tenth or better.
    if res.is_some_and(|t| value > SATURATED_TICKS * t) {
        equal = 0;
    }
    let one_tick = res.map_or(0, |t| s.iter().filter(|x| **x <= 1.5 * t).count());
    (2 * equal.max(one_tick) > s.len()).then_some(Warning::TimerSaturated {
        equal,
        value_ms: value,
        one_tick,
        samples: s.len(),
        timer_resolution_ms: res,
    })
}

/// Equal readings count as the clock's doing only for runs this many
/// ticks long or shorter (see [`timer_saturated`]).
pub const SATURATED_TICKS: f64 = 10.0;

/// Whether the median is under [`TICKS_PER_RUN`] ticks; needs a resolution.
pub fn too_short(samples: &[f64], timer_resolution_ms: Option<f64>) -> Option<Warning> {
    let res = tick(timer_resolution_ms)?;
    let m = median(samples)?;
    (m < TICKS_PER_RUN * res).then_some(Warning::TooShort {
        median_ms: m,
        timer_resolution_ms: res,
    })
}

/// Every warning that applies to `samples_ms`, in a fixed order: bimodal,
/// timer_saturated, too_short.
pub fn warnings(samples_ms: &[f64], timer_resolution_ms: Option<f64>) -> Vec<Warning> {
    [
        bimodal(samples_ms, timer_resolution_ms),
        timer_saturated(samples_ms, timer_resolution_ms),
        too_short(samples_ms, timer_resolution_ms),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Gunther's Universal Scalability Law: the relative capacity of `n`
/// workers when a fraction `sigma` of the work contends for a shared
/// resource (queueing, as in Amdahl's law) and `kappa` is the cost of
/// every pair of workers keeping each other coherent (crosstalk), which
/// makes capacity fall past a peak.
pub fn usl(n: f64, sigma: f64, kappa: f64) -> f64 {
    n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))
}

/// A USL curve fitted to (workers, capacity relative to one worker).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UslFit {
    pub sigma: f64,
    pub kappa: f64,
    /// Where the curve peaks, at least 1: √((1 − σ)/κ), or 1 when σ ≥ 1
    /// (every worker added already costs more than it brings). `None` when
    /// the curve never turns down (κ = 0, σ < 1).
    pub peak_workers: Option<f64>,
    /// The curve's value at `peak_workers`.
    pub peak_speedup: Option<f64>,
}

impl UslFit {
    fn new(sigma: f64, kappa: f64) -> UslFit {
        let peak_workers = if sigma >= 1.0 {
            Some(1.0)
        } else if kappa > 0.0 {
            Some(((1.0 - sigma) / kappa).sqrt().max(1.0))
        } else {
            None
        }
        .filter(|p| p.is_finite());
        UslFit {
            sigma,
            kappa,
            peak_workers,
            peak_speedup: peak_workers
                .map(|p| usl(p, sigma, kappa))
                .filter(|s| s.is_finite()),
        }
    }

    /// The whole worker count with the most capacity on the curve: more
    /// workers than this are slower. `None` when the curve never turns down.
    pub fn best_workers(&self) -> Option<u32> {
        let p = self.peak_workers?;
        if p >= f64::from(u32::MAX) {
            return None;
        }
        let lo = p.floor();
        let best = if usl(lo, self.sigma, self.kappa) >= usl(lo + 1.0, self.sigma, self.kappa) {
            lo
        } else {
            lo + 1.0
        };
        Some(best as u32)
    }
}

/// The USL's σ, κ ≥ 0 that fit `points` (workers, capacity relative to one
/// worker) in least squares. The curve passes through (1, 1) by
/// construction, so points at one worker add nothing; `None` without
/// points at two different worker counts above 1.
///
/// Why linearized: n/C − 1 = σ(n − 1) + κ·n(n − 1) is linear in σ and κ
/// (Gunther's own regression), so the fit has a closed form with no
/// starting point, iteration count or tolerance to tune, and exact data
/// gives back exactly its parameters. Each equation is weighted by
/// (C²/n)², since an error δ in n/C is an error of about δ·C²/n in C: the
/// squares minimized are then, to first order, those of the measured
/// capacities, and the large worker counts, whose n/C is large, do not
/// outweigh the rest. With two unknowns, non-negative least squares needs
/// no general solver: the problem is convex, so if the free optimum has a
/// negative coordinate the constrained one lies on an axis, where a
/// one-variable fit clamped at 0 is optimal; the better axis wins.
pub fn usl_fit(points: &[(f64, f64)]) -> Option<UslFit> {
    // (x1, x2, y, weight) per point.
    let usable: Vec<[f64; 4]> = points
        .iter()
        .filter(|(n, c)| n.is_finite() && c.is_finite() && *n > 1.0 && *c > 0.0)
        .map(|&(n, c)| [n - 1.0, n * (n - 1.0), n / c - 1.0, (c * c / n).powi(2)])
        .filter(|p| p.iter().all(|v| v.is_finite()) && p[3] > 0.0)
        .collect();
    let first = usable.first()?[0];
    if usable.iter().all(|p| p[0] == first) {
        return None;
    }
    let (mut a11, mut a12, mut a22, mut b1, mut b2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &[x1, x2, y, w] in &usable {
        a11 += w * x1 * x1;
        a12 += w * x1 * x2;
        a22 += w * x2 * x2;
        b1 += w * x1 * y;
        b2 += w * x2 * y;
    }
    if ![a11, a12, a22, b1, b2].iter().all(|v| v.is_finite()) {
        return None;
    }
    let sse = |(sigma, kappa): (f64, f64)| {
        usable
            .iter()
            .map(|&[x1, x2, y, w]| w * (y - sigma * x1 - kappa * x2).powi(2))
            .sum::<f64>()
    };
    let det = a11 * a22 - a12 * a12;
    let free = (det > 0.0).then(|| ((b1 * a22 - b2 * a12) / det, (a11 * b2 - a12 * b1) / det));
    let (sigma, kappa) = match free {
        Some((s, k)) if s >= 0.0 && k >= 0.0 => (s, k),
        _ => {
            let sigma_only = ((b1 / a11).max(0.0), 0.0);
            let kappa_only = (0.0, (b2 / a22).max(0.0));
            // Ties go to κ = 0: the simpler, Amdahl-shaped curve.
            if sse(kappa_only) < sse(sigma_only) {
                kappa_only
            } else {
                sigma_only
            }
        }
    };
    (sigma.is_finite() && kappa.is_finite()).then(|| UslFit::new(sigma, kappa))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn median_survives_nan() {
        assert_eq!(median(&[1.0, f64::NAN, 2.0]), Some(2.0));
    }

    #[test]
    fn min_max_and_speedup() {
        assert_eq!(min_max(&[2.0, 7.0, -1.0]), Some((-1.0, 7.0)));
        assert_eq!(min_max(&[]), None);
        assert_eq!(speedup(Some(100.0), Some(25.0)), Some(4.0));
        assert_eq!(speedup(None, Some(25.0)), None);
        assert_eq!(speedup(Some(100.0), Some(0.0)), None);
        assert_eq!(efficiency(Some(3.0), 4), Some(0.75));
        assert_eq!(efficiency(Some(3.0), 0), None);
    }

    #[test]
    fn bootstrap_intervals_hold_the_median_and_are_reproducible() {
        let samples = [10.0, 11.0, 9.5, 10.5, 12.0, 10.2, 9.8];
        let (lo, hi) = median_ci(&samples).unwrap();
        let m = median(&samples).unwrap();
        assert!(lo <= m && m <= hi, "{lo} <= {m} <= {hi}");
        assert!(lo >= 9.5 && hi <= 12.0, "inside the sample range");
        assert_eq!(median_ci(&samples), Some((lo, hi)), "deterministic");
        assert_eq!(median_ci(&[1.0, 2.0]), None);
        assert_eq!(median_ci(&[5.0; 4]), Some((5.0, 5.0)));

        let base = [100.0, 102.0, 98.0, 101.0, 99.0];
        let half = [50.0, 51.0, 49.0, 50.5, 49.5];
        let (lo, hi) = speedup_ci(&base, &half).unwrap();
        assert!(lo > 1.9 && hi < 2.1 && lo <= 2.0 && 2.0 <= hi, "{lo}..{hi}");
    }

    #[test]
    fn amdahl_fit_recovers_the_serial_fraction() {
        for serial in [0.0, 0.05, 0.3, 1.0] {
            let points: Vec<_> = (1..=8)
                .map(|n| (n as f64, amdahl(serial, n as f64)))
                .collect();
            let fit = amdahl_fit(&points).unwrap();
            assert!((fit - serial).abs() < 1e-6, "{serial} → {fit}");
        }
        assert_eq!(amdahl(0.5, 1.0), 1.0);
        assert_eq!(amdahl_fit(&[(1.0, 1.0)]), None);
        // Noisy measurements of a 10% serial program.
        let noisy = [(1.0, 1.02), (2.0, 1.79), (3.0, 2.55), (4.0, 3.02)];
        let fit = amdahl_fit(&noisy).unwrap();
        assert!((0.05..0.15).contains(&fit), "{fit}");
    }

    #[test]
    fn mad_is_the_raw_median_of_absolute_deviations() {
        assert_eq!(mad(&[]), None);
        assert_eq!(mad(&[7.0]), Some(0.0));
        // median 3; deviations 2, 1, 0, 1, 97 → median 1. The 100 moves nothing.
        assert_eq!(mad(&[1.0, 2.0, 3.0, 4.0, 100.0]), Some(1.0));
        // median 2.5; deviations 1.5, 0.5, 0.5, 1.5 → median 1, not scaled.
        assert_eq!(mad(&[4.0, 1.0, 3.0, 2.0]), Some(1.0));
    }

    #[test]
    fn quartiles_interpolate_between_closest_ranks() {
        let one_to_ten: Vec<f64> = (1..=10).map(f64::from).collect();
        // Q1 at rank 9·0.25 = 2.25: 3 + 0.25·(4 − 3); Q3 at rank 6.75.
        assert_eq!(quartiles(&one_to_ten), Some((3.25, 7.75)));
        assert_eq!(quartiles(&[5.0]), Some((5.0, 5.0)));
        assert_eq!(quartiles(&[]), None);
        // No overflow where the difference of two samples would overflow.
        let (q1, q3) = quartiles(&[-f64::MAX, f64::MAX]).unwrap();
        assert!(q1.is_finite() && q3.is_finite());
    }

    #[test]
    fn tukey_fences_sort_outliers_by_side_and_severity() {
        // Sorted: 1 5 10 11 11 11 12 16 30; Q1 = s[2] = 10, Q3 = s[6] = 12,
        // IQR 2: mild below 7 or above 15, severe below 4 or above 18.
        let samples = [11.0, 30.0, 10.0, 5.0, 11.0, 16.0, 1.0, 12.0, 11.0];
        let o = outliers(&samples).unwrap();
        assert_eq!((o.q1_ms, o.q3_ms), (10.0, 12.0));
        assert_eq!(o.low_severe, [6]);
        assert_eq!(o.low_mild, [3]);
        assert_eq!(o.high_mild, [5]);
        assert_eq!(o.high_severe, [1]);
        assert_eq!(o.count(), 4);
        // var(all) = (9·1789 − 107²)/81 = 4652/81; var(11 10 11 12 11) = 0.4.
        let share = 1.0 - 0.4 * 81.0 / 4652.0;
        assert!(
            (o.variance_share - share).abs() < 1e-12,
            "{}",
            o.variance_share
        );
        assert_eq!(o.effect, OutlierEffect::Severe);

        // A sample on a fence is not beyond it: 7 = 10 − 1.5·2, 18 = 12 + 3·2.
        let on_fences = [7.0, 10.0, 10.0, 11.0, 11.0, 11.0, 12.0, 12.0, 18.0];
        let o = outliers(&on_fences).unwrap();
        assert_eq!(
            (o.low_mild.len(), o.high_mild.len(), o.high_severe.len()),
            (0, 1, 0)
        );
        assert_eq!(o.high_mild, [8]);

        let calm = outliers(&[10.0, 10.2, 10.1, 9.9, 10.0]).unwrap();
        assert_eq!(calm.count(), 0);
        assert_eq!(
            (calm.variance_share, calm.effect),
            (0.0, OutlierEffect::Unaffected)
        );
        assert_eq!(outliers(&[]), None);
    }

    #[test]
    fn the_outlier_effect_is_graded_by_the_variance_it_explains() {
        assert_eq!(OutlierEffect::of_share(0.0), OutlierEffect::Unaffected);
        assert_eq!(OutlierEffect::of_share(0.0099), OutlierEffect::Unaffected);
        assert_eq!(OutlierEffect::of_share(0.01), OutlierEffect::Slight);
        assert_eq!(OutlierEffect::of_share(0.0999), OutlierEffect::Slight);
        assert_eq!(OutlierEffect::of_share(0.1), OutlierEffect::Moderate);
        assert_eq!(OutlierEffect::of_share(0.5), OutlierEffect::Severe);
        assert_eq!(OutlierEffect::of_share(1.0), OutlierEffect::Severe);

        // Sorted 0 0 0 10×6 20 20 20 36: Q1 = s[3] = 10, Q3 = s[9] = 20, so
        // 36 is a mild high outlier (above 35). Without it the variance is
        // 600/12 = 50; with it (13·3096 − 156²)/169 = 15912/169.
        let mut s = vec![0.0, 0.0, 0.0, 20.0, 20.0, 20.0, 36.0];
        s.extend([10.0; 6]);
        let o = outliers(&s).unwrap();
        assert_eq!(o.high_mild, [6]);
        let share = 1.0 - 50.0 * 169.0 / 15912.0;
        assert!((o.variance_share - share).abs() < 1e-12);
        assert_eq!(o.effect, OutlierEffect::Moderate, "{share}");
    }

    #[test]
    fn two_clusters_are_bimodal_one_spread_out_group_is_not() {
        let two = [10.0, 10.2, 10.1, 20.0, 20.3, 19.9];
        let Some(Warning::Bimodal {
            low_ms,
            low_count,
            high_ms,
            high_count,
            gap_ms,
            within_share,
        }) = bimodal(&two, None)
        else {
            panic!("{:?}", bimodal(&two, None))
        };
        assert_eq!((low_ms, low_count, high_ms, high_count), (10.1, 3, 20.0, 3));
        assert!((gap_ms - 9.7).abs() < 1e-12, "19.9 − 10.2");
        // Within: 0.02 + 0.0867; between: 3·3/6 · (20.0667 − 10.1)² ≈ 149.0.
        assert!(
            within_share > 0.0007 && within_share < 0.0008,
            "{within_share}"
        );

        assert_eq!(bimodal(&[10.0, 10.2, 10.1, 10.3, 9.9, 10.05], None), None);
        assert_eq!(
            bimodal(&[10.0, 10.2, 10.1, 10.3, 9.9, 30.0], None),
            None,
            "one outlier"
        );
        let noisy = [
            98.0, 103.0, 95.0, 110.0, 101.0, 99.0, 92.0, 105.0, 100.0, 97.0, 108.0, 94.0,
        ];
        assert_eq!(bimodal(&noisy, None), None);

        // Ten fast repeats and two slow ones: two is enough for a cluster.
        let mut late = vec![10.0, 10.1, 9.9, 10.2, 10.0, 9.8, 10.1, 10.0, 10.05, 9.95];
        late.extend([15.0, 15.2]);
        assert!(matches!(
            bimodal(&late, None),
            Some(Warning::Bimodal {
                low_count: 10,
                high_count: 2,
                ..
            })
        ));
        assert!(bimodal(&[1.0, 1.1, 5.0, 5.1], None).is_some(), "2 + 2");
        assert_eq!(bimodal(&[1.0, 5.0, 5.1], None), None);
    }

    #[test]
    fn neighbouring_ticks_of_a_coarse_clock_are_not_two_modes() {
        let ticks = [0.1, 0.1, 0.1, 0.2, 0.2, 0.2];
        // The gap is one tick, not over 4 ticks…
        assert_eq!(bimodal(&ticks, Some(0.1)), None);
        // …but without the clock's step, two exact values are two clusters.
        assert!(bimodal(&ticks, None).is_some());
    }

    #[test]
    fn a_coarse_clock_saturates() {
        assert_eq!(
            timer_saturated(&[0.1, 0.1, 0.2, 0.1, 0.1], Some(0.1)),
            Some(Warning::TimerSaturated {
                equal: 4,
                value_ms: 0.1,
                one_tick: 4,
                samples: 5,
                timer_resolution_ms: Some(0.1),
            })
        );
        // Zero or one tick, split evenly between the two.
        let Some(Warning::TimerSaturated {
            equal, one_tick, ..
        }) = timer_saturated(&[0.0, 0.1, 0.0, 0.1, 0.1, 0.0], Some(0.1))
        else {
            panic!()
        };
        assert_eq!((equal, one_tick), (3, 6));
        // Without a resolution, differences of clock readings that differ
        // only by rounding still count as equal.
        let a = 100.1 - 100.0;
        let b = 300.1 - 300.0;
        let w = timer_saturated(&[a, b, 0.1, 5.0], None).unwrap();
        assert!(
            matches!(
                w,
                Warning::TimerSaturated {
                    equal: 3,
                    one_tick: 0,
                    ..
                }
            ),
            "{w:?}"
        );
        assert!(timer_saturated(&[5.0, 5.0, 5.0, 6.0], None).is_some());
        assert_eq!(
            timer_saturated(&[5.0, 5.0, 6.0, 7.0], None),
            None,
            "half is not most"
        );
        assert_eq!(
            timer_saturated(&[10.0, 10.2, 10.1, 10.3], Some(0.005)),
            None
        );
        // Two runs of 226 ticks that read the same are close runs, not a
        // clock too coarse to tell them apart.
        assert_eq!(timer_saturated(&[1.13, 1.13, 1.4], Some(0.005)), None);
        assert!(timer_saturated(&[0.05, 0.05, 0.07], Some(0.005)).is_some());
        assert_eq!(timer_saturated(&[5.0, 5.0], None), None, "too few to say");
    }

    #[test]
    fn runs_under_a_hundred_ticks_are_too_short() {
        assert_eq!(
            too_short(&[0.3, 0.4, 0.5], Some(0.1)),
            Some(Warning::TooShort {
                median_ms: 0.4,
                timer_resolution_ms: 0.1,
            })
        );
        assert_eq!(
            too_short(&[10.0, 10.0, 10.0], Some(0.1)),
            None,
            "exactly 100 ticks"
        );
        assert_eq!(too_short(&[0.4], None), None);
        assert_eq!(too_short(&[0.4], Some(0.0)), None);
        assert_eq!(too_short(&[], Some(0.1)), None);
    }

    #[test]
    fn a_step_under_two_ticks_is_a_bound() {
        let figures: std::collections::BTreeMap<String, f64> = [
            ("per_step_us", 1000.0),
            ("cold_start_us", 2000.0),
            ("gil_hand_offs", 3.0),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let w = figures_below_clock(&figures, Some(1.0));
        assert_eq!(
            w,
            [Warning::FigureBelowClock {
                figure: "per_step_us".into(),
                value_us: 1000.0,
                timer_resolution_ms: 1.0
            }]
        );
        assert_eq!(w[0].kind(), "figure_below_clock");
        assert!(w[0]
            .words()
            .starts_with("The time per step read 1000 µs, under two ticks of the 1.00 ms clock"));
        assert!(w[0].words().ends_with("shown as under 2000 µs."));
        // An isolated page's 5 µs clock times a 100 µs step.
        assert!(figures_below_clock(&figures, Some(0.005)).is_empty());
        assert!(figures_below_clock(&figures, None).is_empty());
    }

    #[test]
    fn warnings_come_in_a_fixed_order_and_in_words() {
        let w = warnings(&[0.1, 0.1, 0.1, 0.2], Some(0.1));
        assert_eq!(w.len(), 2);
        assert!(matches!(w[0], Warning::TimerSaturated { .. }));
        assert!(matches!(w[1], Warning::TooShort { .. }));
        assert_eq!(
            w[0].words(),
            "3 of 4 samples read the same 0.100 ms: the clock (its step is 0.100 ms) is too \
             coarse to tell these runs apart."
        );
        assert_eq!(
            w[1].words(),
            "The median run, 0.100 ms, is shorter than 100 ticks of the 0.100 ms clock \
             (10.0 ms), so a single tick is over 1% of it."
        );
        let ticks = timer_saturated(&[0.0, 0.1, 0.0, 0.1, 0.1, 0.0], Some(0.1)).unwrap();
        assert_eq!(
            ticks.words(),
            "6 of 6 samples last at most one tick of the clock (its step is 0.100 ms), which \
             is too coarse to time them."
        );
        let two = bimodal(&[10.0, 10.2, 10.1, 20.0, 20.3, 19.9], None).unwrap();
        assert_eq!(
            two.words(),
            "The samples form two separate clusters, 3 around 10.1 ms and 3 around 20.0 ms, \
             so the median stands for neither."
        );
        assert!(warnings(&[10.0, 10.2, 10.1, 10.3], Some(0.005)).is_empty());
        assert!(warnings(&[], Some(0.1)).is_empty());
    }

    #[test]
    fn warnings_serialize_with_snake_case_kinds() {
        let w = Warning::TooShort {
            median_ms: 0.4,
            timer_resolution_ms: 0.1,
        };
        let json = serde_json::to_value(&w).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "too_short", "median_ms": 0.4, "timer_resolution_ms": 0.1})
        );
        assert_eq!(serde_json::from_value::<Warning>(json).unwrap(), w);
        let saturated = timer_saturated(&[1.0, 1.0, 1.0], None).unwrap();
        assert_eq!(
            serde_json::to_value(&saturated).unwrap()["kind"],
            "timer_saturated"
        );
        assert_eq!(saturated.kind(), "timer_saturated");
        assert_eq!(w.kind(), "too_short");
        assert_eq!(
            serde_json::to_value(OutlierEffect::Moderate).unwrap(),
            serde_json::json!("moderate")
        );
    }

    fn usl_points(sigma: f64, kappa: f64, ns: impl Iterator<Item = u32>) -> Vec<(f64, f64)> {
        ns.map(|n| (f64::from(n), usl(f64::from(n), sigma, kappa)))
            .collect()
    }

    #[test]
    fn the_usl_has_its_textbook_values() {
        assert_eq!(usl(1.0, 0.3, 0.1), 1.0);
        assert_eq!(usl(4.0, 0.0, 0.0), 4.0);
        // 4 / (1 + 0.1·3 + 0.01·4·3) = 4 / 1.42
        assert_eq!(usl(4.0, 0.1, 0.01), 4.0 / 1.42);
        // κ = 0 is Amdahl's law with the same serial fraction.
        assert!((usl(8.0, 0.2, 0.0) - amdahl(0.2, 8.0)).abs() < 1e-12);
    }

    #[test]
    fn usl_fit_recovers_exact_parameters() {
        for (sigma, kappa) in [
            (0.05, 0.002),
            (0.3, 0.0),
            (0.0, 0.01),
            (0.0, 0.0),
            (0.12, 0.03),
        ] {
            let fit = usl_fit(&usl_points(sigma, kappa, 1..=16)).unwrap();
            assert!((fit.sigma - sigma).abs() < 1e-6, "{sigma} → {}", fit.sigma);
            assert!((fit.kappa - kappa).abs() < 1e-6, "{kappa} → {}", fit.kappa);
        }
        // Three points, no (1, 1) among them: it is implied.
        let fit = usl_fit(&usl_points(0.05, 0.002, [2, 4, 8].into_iter())).unwrap();
        assert!((fit.sigma - 0.05).abs() < 1e-6 && (fit.kappa - 0.002).abs() < 1e-6);
    }

    #[test]
    fn usl_fit_of_amdahl_data_has_no_crosstalk() {
        // n / amdahl(s, n) − 1 = s(n − 1) exactly: all σ, no κ, no peak.
        let points: Vec<_> = (1..=8)
            .map(|n| (f64::from(n), amdahl(0.1, f64::from(n))))
            .collect();
        let fit = usl_fit(&points).unwrap();
        assert!(fit.kappa.abs() < 1e-9, "{}", fit.kappa);
        assert!((fit.sigma - 0.1).abs() < 1e-9, "{}", fit.sigma);
        assert_eq!((fit.peak_workers, fit.peak_speedup), (None, None));
        assert_eq!(fit.best_workers(), None);
    }

    #[test]
    fn usl_fit_finds_the_peak_of_a_curve_that_turns_down() {
        // Exact: √(0.95 / 0.02) = √47.5; usl(6) = 6/1.85 = 3.243,
        // usl(7) = 7/2.14 = 3.271, usl(8) = 8/2.47 = 3.239.
        let fit = usl_fit(&usl_points(0.05, 0.02, 1..=12)).unwrap();
        let peak = fit.peak_workers.unwrap();
        assert!((peak - 47.5f64.sqrt()).abs() < 1e-6, "{peak}");
        assert!((fit.peak_speedup.unwrap() - usl(47.5f64.sqrt(), 0.05, 0.02)).abs() < 1e-6);
        assert_eq!(fit.best_workers(), Some(7));

        // Measured-looking: up to 3.0× at 6 workers, 2.7× at 8.
        let measured = [(1.0, 1.0), (2.0, 1.8), (4.0, 2.8), (6.0, 3.0), (8.0, 2.7)];
        let fit = usl_fit(&measured).unwrap();
        let peak = fit.peak_workers.unwrap();
        assert!(fit.kappa > 0.0);
        assert!((4.0..8.0).contains(&peak), "{peak}");
        let top = fit.peak_speedup.unwrap();
        assert!((2.8..3.3).contains(&top), "{top}");
    }

    #[test]
    fn usl_fit_keeps_sigma_and_kappa_non_negative() {
        // Data with κ = −0.005, which n/C − 1 = σ(n − 1) + κ·n(n − 1) cannot
        // have: the best non-negative fit lies on the κ = 0 axis, where it is
        // the weighted projection Σw·x1·y / Σw·x1², w = (C²/n)².
        let points: Vec<_> = (2..=8)
            .map(|n| {
                let n = f64::from(n);
                (n, n / (1.0 + 0.2 * (n - 1.0) - 0.005 * n * (n - 1.0)))
            })
            .collect();
        let (mut xy, mut xx) = (0.0, 0.0);
        for &(n, c) in &points {
            let w = (c * c / n).powi(2);
            xy += w * (n - 1.0) * (n / c - 1.0);
            xx += w * (n - 1.0) * (n - 1.0);
        }
        let fit = usl_fit(&points).unwrap();
        assert_eq!(fit.kappa, 0.0);
        assert!(
            (fit.sigma - xy / xx).abs() < 1e-12,
            "{} vs {}",
            fit.sigma,
            xy / xx
        );
        // Below the 0.2 of the data: σ alone has to absorb the negative κ.
        assert!(fit.sigma < 0.2);

        // Faster than linear: nothing to fit but σ = κ = 0.
        let fit = usl_fit(&[(2.0, 2.5), (4.0, 5.5)]).unwrap();
        assert_eq!((fit.sigma, fit.kappa), (0.0, 0.0));

        // Each added worker halves capacity: σ = κ = 1 solves it exactly
        // (3 = σ + 2κ, 15 = 3σ + 12κ), and the best is one worker.
        let fit = usl_fit(&[(1.0, 1.0), (2.0, 0.5), (4.0, 0.25)]).unwrap();
        assert!((fit.sigma - 1.0).abs() < 1e-12 && (fit.kappa - 1.0).abs() < 1e-12);
        assert_eq!(fit.peak_workers, Some(1.0));
        assert_eq!(fit.best_workers(), Some(1));
    }

    #[test]
    fn usl_fit_needs_two_worker_counts_above_one() {
        assert_eq!(usl_fit(&[]), None);
        assert_eq!(usl_fit(&[(1.0, 1.0), (2.0, 1.9)]), None);
        assert_eq!(usl_fit(&[(2.0, 1.9), (2.0, 1.8), (1.0, 1.0)]), None);
        assert_eq!(usl_fit(&[(2.0, 1.9), (4.0, f64::NAN), (3.0, 0.0)]), None);
        assert!(usl_fit(&[(2.0, 1.9), (3.0, 2.7)]).is_some());
    }
}
