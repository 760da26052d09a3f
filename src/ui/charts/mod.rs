//! Charts as SVG from Yew: speedup bars with intervals, every sample as a
//! dot, the per-worker timeline, the scaling sweep with Amdahl's curve, and
//! the transfer size series. Each has a title, labelled axes with units, and
//! a table with the same numbers.

mod convoy;
mod deferred;
mod handover;
mod mix;
mod samples;
mod sizes;
mod speedup;
mod sweep;
mod timeline;

pub use convoy::ConvoyChart;
pub use deferred::Deferred;
pub use handover::HandoverChart;
pub use mix::MixChart;
pub use samples::SamplesChart;
pub use sizes::SizesChart;
pub use speedup::SpeedupChart;
pub use sweep::SweepChart;
pub use timeline::Timeline;

use crate::models::{ModelId, Span, SpanKind};
use crate::plan::human_bytes;
use crate::report::{ModelResult, Report, SizePoint, SweepPoint};
use crate::stats;
use crate::workloads::transfer::Via;
use yew::prelude::*;

const W: f64 = 640.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 42.0;

/// The x axis's title under the plot.
fn x_label(h: f64, text: &str) -> Html {
    html! {
        <text class="label" x={((LEFT + W - RIGHT) / 2.0).to_string()} y={(h - 6.0).to_string()} text-anchor="middle">{ text.to_string() }</text>
    }
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

fn fmt_tick(v: f64) -> String {
    if v == 0.0 || v.abs() >= 10.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if (v * 10.0).fract().abs() < 1e-9 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A linear y axis with grid lines: the scale maps a value to its y.
fn y_axis(max: f64, h: f64, label: &str) -> (Html, impl Fn(f64) -> f64) {
    let bottom = h - BOTTOM;
    let scale = move |v: f64| bottom - (v / max).clamp(0.0, 1.05) * (bottom - TOP);
    let html = html! {
        <g class="axis y">
            { for ticks(max).into_iter().map(|t| {
                let y = scale(t);
                html! { <g>
                    <line class="grid" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={y.to_string()} y2={y.to_string()} />
                    <text x={(LEFT - 6.0).to_string()} y={(y + 4.0).to_string()} text-anchor="end">{ fmt_tick(t) }</text>
                </g> }
            }) }
            <text class="label" transform={format!("translate(14 {}) rotate(-90)", (TOP + bottom) / 2.0)} text-anchor="middle">{ label.to_string() }</text>
        </g>
    };
    (html, scale)
}

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub report: std::rc::Rc<Report>,
    #[prop_or_default]
    pub ideal: f64,
}
