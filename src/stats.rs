//! Summary statistics of repeated measurements.

/// The median of `samples`; `None` when there are none. NaNs sort last so a
/// broken sample cannot make the median panic.
pub fn median(samples: &[f64]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut s = samples.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let mid = s.len() / 2;
    Some(if s.len() % 2 == 1 {
        s[mid]
    } else {
        (s[mid - 1] + s[mid]) / 2.0
    })
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
    median(scratch).unwrap_or(f64::NAN)
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
}
