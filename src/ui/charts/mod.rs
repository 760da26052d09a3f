//! Charts: speedup bars with intervals, every sample as a dot, the
//! per-worker timeline, the scaling sweep with Amdahl's curve, and the
//! transfer size series. Each has a title, labelled axes with units, and a
//! table with the same numbers. The drawing itself is SVG markup from
//! `crate::svg`, not Yew nodes: it never changes once drawn, and as markup
//! it costs one string instead of a generic call per attribute.

mod class;
mod convoy;
mod deferred;
mod handover;
mod mix;
mod samples;
mod sizes;
mod speedup;
mod sweep;
mod timeline;

pub use class::ClassChart;
pub use convoy::ConvoyChart;
pub use deferred::Deferred;
pub use handover::HandoverChart;
pub use mix::MixChart;
pub use samples::SamplesChart;
pub use sizes::SizesChart;
pub use speedup::SpeedupChart;
pub use sweep::SweepChart;
pub use timeline::Timeline;

use crate::format::{bytes, cell, decimal, tick, times, MISSING};
use crate::models::{ModelId, Span, SpanKind};
use crate::report::{ModelResult, Report, SizePoint, SweepPoint};
use crate::stats;
use crate::svg::{Svg, BOTTOM, LEFT, RIGHT, TOP, W};
use crate::workloads::transfer::Via;
use yew::prelude::*;
use yew::AttrValue;

/// A finished drawing as one node of the page.
fn drawn(s: Svg) -> Html {
    Html::from_html_unchecked(AttrValue::from(s.finish()))
}

/// The chart's message in one line of words (`crate::summary`), before
/// the drawing so that a screen reader meets it first; the SVG names it as
/// its description. Returns the line and the id to describe the SVG by,
/// which is None when there is no line.
fn summary_line(id: &str, text: Option<String>) -> (Html, Option<String>) {
    match text {
        Some(t) => (
            html! { <p class="chart-summary" id={id.to_string()}>{ t }</p> },
            Some(id.to_string()),
        ),
        None => (html! {}, None),
    }
}

/// The chart's numbers as a table, folded under it.
fn table_alt(heads: &[&str], rows: Html) -> Html {
    html! {
        <details class="table-alt">
            <summary>{ "Table" }</summary>
            // A wide table scrolls inside its box, never the page; the box
            // takes focus so a keyboard can scroll it too.
            <div class="table-scroll" tabindex="0">
                <table>
                    <thead><tr>{ for heads.iter().map(|h| html! { <th>{ h.to_string() }</th> }) }</tr></thead>
                    <tbody>{ rows }</tbody>
                </table>
            </div>
        </details>
    }
}

pub fn model_class(m: ModelId) -> String {
    format!("m-{}", m.id())
}

/// One model's speedups as a line through its points; each point carries
/// its x value as `data-{key}` and its speedup, which the tests read.
fn speedup_series(s: &mut Svg, m: ModelId, key: &str, pts: &[(u32, (f64, f64), f64)]) {
    s.tag("g")
        .a("class", format_args!("series {}", model_class(m)))
        .a("data-model", m.id());
    s.polyline(None, pts.iter().map(|p| p.1));
    for &(at, (cx, cy), speedup) in pts {
        s.tag("circle")
            .a("class", "point")
            .a("cx", cx)
            .a("cy", cy)
            .a("r", 4)
            .a("data-model", m.id())
            .a(key, at)
            .a("data-speedup", format_args!("{speedup:.4}"))
            .end();
    }
    s.close("g");
}

/// Round tick values covering 0..=max (about five of them).
fn ticks(max: f64) -> Vec<f64> {
    if !(max.is_finite() && max > 0.0) {
        return vec![0.0];
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    (0..=((max / step).floor() as usize))
        .map(|i| i as f64 * step)
        .collect()
}

/// A linear y axis with grid lines: the scale maps a value to its y.
fn y_axis(s: &mut Svg, max: f64, h: f64, label: &str) -> impl Fn(f64) -> f64 {
    let bottom = h - BOTTOM;
    let scale = move |v: f64| bottom - (v / max).clamp(0.0, 1.05) * (bottom - TOP);
    s.tag("g").a("class", "axis y").open();
    for t in ticks(max) {
        s.y_tick(scale(t), tick(t));
    }
    s.y_label(h, label);
    s.close("g");
    scale
}

/// Where time `ms` sits on a log axis from 10^`lo` to 10^`hi` ms, in a
/// chart `h` high. Times under a microsecond sit at one.
fn log_y(lo: f64, hi: f64, h: f64, ms: f64) -> f64 {
    let bottom = h - BOTTOM;
    bottom - (ms.max(0.001).log10() - lo) / (hi - lo) * (bottom - TOP)
}

/// That log axis drawn: a grid line at each power of ten.
fn log_y_axis(s: &mut Svg, lo: f64, hi: f64, h: f64, label: &str) {
    s.tag("g").a("class", "axis y");
    for e in lo as i32..=hi as i32 {
        let v = 10f64.powi(e);
        s.y_tick(log_y(lo, hi, h, v), decimal(v));
    }
    s.y_label(h, label);
    s.close("g");
}

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub report: std::rc::Rc<Report>,
    #[prop_or_default]
    pub ideal: f64,
}
