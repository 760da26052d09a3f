//! Numbers as the page writes them, for readers and for links. One place,
//! so that a time, a ratio or a size reads the same in a verdict, a chart's
//! summary, a warning and a table, and a link writes a value the way its
//! parser reads it back.

/// A time in milliseconds with as many decimals as its size deserves:
/// about three significant figures ("160 ms", "35.2 ms", "0.021 ms").
pub fn ms(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0} ms")
    } else if a >= 10.0 {
        format!("{v:.1} ms")
    } else if a >= 1.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.3} ms")
    }
}

/// What a table or a sentence shows where a figure is missing.
pub const MISSING: &str = "—";

/// A table's cell: `v` to `decimals` places, or [`MISSING`].
pub fn cell(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| MISSING.to_string(), |v| format!("{v:.decimals$}"))
}

/// A ratio, as the speedup bars are labelled: "1.98×".
pub fn times(x: f64) -> String {
    format!("{x:.2}×")
}

/// Two or three significant digits: what a measured limit is known to.
pub fn figure(v: f64) -> String {
    match v.abs() {
        a if a >= 100.0 => format!("{v:.0}"),
        a if a >= 10.0 => format!("{v:.1}"),
        _ => format!("{v:.2}"),
    }
}

/// `10000000` → `10,000,000`, for limits and counts people can read at a
/// glance.
pub fn group(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A decimal for a URL: `16` rather than `16.0`, `0.5` as is. Rust prints
/// the shortest text that parses back to the same `f64`, so links
/// round-trip.
pub fn decimal(v: f64) -> String {
    let s = format!("{v}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// A buffer size in the largest whole binary unit: "64 MiB", "1 KiB".
pub fn bytes(n: usize) -> String {
    match n {
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 => format!("{} KiB", b >> 10),
        b => format!("{b} B"),
    }
}

/// The step of a page's clock: "5 µs" below a millisecond, "1.0 ms" from
/// one on (Firefox without isolation).
pub fn clock_step(ms: f64) -> String {
    if ms < 1.0 {
        format!("{:.0} µs", ms * 1e3)
    } else {
        format!("{ms:.1} ms")
    }
}

/// An axis label: whole where the tick is whole or large, else one or two
/// decimals, so a scale of 0.25 steps does not read 0.2, 0.5, 0.8.
pub fn tick(v: f64) -> String {
    if v == 0.0 || v.abs() >= 10.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if (v * 10.0).fract().abs() < 1e-9 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_keep_about_three_figures() {
        assert_eq!(ms(160.4), "160 ms");
        assert_eq!(ms(35.24), "35.2 ms");
        assert_eq!(ms(2.345), "2.35 ms");
        assert_eq!(ms(0.0212), "0.021 ms");
    }

    #[test]
    fn ratios_figures_and_counts() {
        assert_eq!(times(1.984), "1.98×");
        assert_eq!(
            (cell(Some(35.24), 1), cell(None, 2)),
            ("35.2".into(), "—".into())
        );
        assert_eq!(
            (figure(145.2), figure(34.0), figure(4.0)),
            ("145".into(), "34.0".into(), "4.00".into())
        );
        assert_eq!(group(10_000_000), "10,000,000");
        assert_eq!(group(999), "999");
        assert_eq!((decimal(16.0), decimal(0.5)), ("16".into(), "0.5".into()));
    }

    #[test]
    fn sizes_clock_steps_and_ticks() {
        assert_eq!(
            (bytes(64 << 20), bytes(1024), bytes(12)),
            ("64 MiB".into(), "1 KiB".into(), "12 B".into())
        );
        assert_eq!(
            (clock_step(0.005), clock_step(1.0)),
            ("5 µs".into(), "1.0 ms".into())
        );
        let labels: Vec<String> = [0.0, 0.25, 0.5, 1.5, 20.0].into_iter().map(tick).collect();
        assert_eq!(labels, ["0", "0.25", "0.5", "1.5", "20"]);
    }
}
