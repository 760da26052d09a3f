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
}
