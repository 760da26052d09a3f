//! The convoy: how long task 0's answers took while the other tasks
//! computed, per model, against the GIL's switch interval.

use super::*;
use crate::params::fmt_num;
use crate::plan::CONVOY_SWITCH_MS;
use crate::report::ConvoyPoint;

#[derive(Properties, PartialEq)]
pub struct ConvoyProps {
    pub points: Vec<ConvoyPoint>,
}

/// Log scales: x over the switch intervals measured, y over every
/// response time shown (and the switch intervals, whose diagonal is drawn).
struct Scales {
    lo: f64,
    hi: f64,
    h: f64,
}

impl Scales {
    fn of(points: &[ConvoyPoint], h: f64) -> Scales {
        let shown = points
            .iter()
            .flat_map(|p| [p.p50_ms, p.p99_ms])
            .flatten()
            .chain(CONVOY_SWITCH_MS)
            .filter(|v| *v > 0.0);
        let (lo, hi) = shown.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let lo = lo.max(0.001).log10().floor();
        Scales {
            lo,
            hi: hi.log10().ceil().max(lo + 1.0),
            h,
        }
    }
    fn x(&self, switch_ms: f64) -> f64 {
        let (a, b) = (CONVOY_SWITCH_MS[0].log10(), CONVOY_SWITCH_MS[2].log10());
        LEFT + 40.0 + (switch_ms.log10() - a) / (b - a) * (W - LEFT - RIGHT - 80.0)
    }
    fn y(&self, ms: f64) -> f64 {
        let bottom = self.h - BOTTOM;
        bottom - (ms.max(0.001).log10() - self.lo) / (self.hi - self.lo) * (bottom - TOP)
    }
}

/// One model's two lines, p50 solid and p99 dashed. A model without a
/// switch interval was measured once and is the same at every interval: a
/// flat line, drawn as such.
fn series(s: &Scales, model: ModelId, pts: &[&ConvoyPoint]) -> Html {
    let flat = pts.len() == 1 && !pts[0].uses_switch;
    let line = |q: fn(&ConvoyPoint) -> Option<f64>| -> String {
        let at: Vec<(f64, f64)> = if flat {
            q(pts[0]).map_or(vec![], |v| {
                vec![(CONVOY_SWITCH_MS[0], v), (CONVOY_SWITCH_MS[2], v)]
            })
        } else {
            pts.iter()
                .filter_map(|p| q(p).map(|v| (p.switch_ms, v)))
                .collect()
        };
        at.iter()
            .map(|(x, v)| format!("{:.1},{:.1}", s.x(*x), s.y(*v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    html! {
        <g class={classes!("series", model_class(model))} data-model={model.id()}>
            <polyline class="p50" points={line(|p| p.p50_ms)} />
            <polyline class="p99" points={line(|p| p.p99_ms)} />
            { for pts.iter().filter_map(|p| p.p50_ms.map(|v| (p, v))).map(|(p, v)| html! {
                <circle class="convoy-point" cx={s.x(p.switch_ms).to_string()} cy={s.y(v).to_string()} r="4"
                    data-model={model.id()} data-switch-ms={p.switch_ms.to_string()}
                    data-p50-ms={format!("{v:.4}")} data-p99-ms={format!("{:.4}", p.p99_ms.unwrap_or(v))} />
            }) }
        </g>
    }
}

fn axes(s: &Scales) -> Html {
    let bottom = s.h - BOTTOM;
    html! { <>
        <g class="axis y">
            { for (s.lo as i32..=s.hi as i32).map(|e| {
                let v = 10f64.powi(e);
                html! { <g>
                    <line class="grid" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={s.y(v).to_string()} y2={s.y(v).to_string()} />
                    <text x={(LEFT - 6.0).to_string()} y={(s.y(v) + 4.0).to_string()} text-anchor="end">{ fmt_num(v) }</text>
                </g> }
            }) }
            <text class="label" transform={format!("translate(14 {}) rotate(-90)", (TOP + bottom) / 2.0)} text-anchor="middle">{ "response time (ms, log)" }</text>
        </g>
        // Where an answer that waits exactly one switch interval would sit.
        <polyline class="switch-diagonal" points={CONVOY_SWITCH_MS.iter().map(|v| format!("{:.1},{:.1}", s.x(*v), s.y(*v))).collect::<Vec<_>>().join(" ")} />
        <g class="axis x">
            { for CONVOY_SWITCH_MS.iter().map(|v| html! {
                <text x={s.x(*v).to_string()} y={(bottom + 16.0).to_string()} text-anchor="middle">{ format!("{} ms", fmt_num(*v)) }</text>
            }) }
            { x_label(s.h, "GIL switch interval (switch_ms, log)") }
        </g>
    </> }
}

/// p50 and p99 of every model's answers against the switch interval, with
/// the diagonal "one switch interval" for scale.
#[function_component(ConvoyChart)]
pub fn convoy_chart(p: &ConvoyProps) -> Html {
    let s = Scales::of(&p.points, 300.0);
    let mut models: Vec<ModelId> = p.points.iter().map(|c| c.model).collect();
    models.dedup();
    let ms = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.2}"));
    let (line, described) = summary_line("convoy-summary", crate::summary::convoy(&p.points));
    html! {
        <figure class="chart" id="convoy-chart">
            <figcaption>
                { "The convoy effect: how long task 0 took to answer a request while the other tasks computed" }
                <span class="legend">
                    <span class="legend-note">{ "solid: median (p50) · dashed: p99 · dotted: one switch interval" }</span>
                </span>
                <span class="fits legend" id="convoy-words">{ for p.points.iter().map(|c| html! {
                    <span class={classes!("fit", model_class(c.model))} data-model={c.model.id()} data-switch-ms={c.switch_ms.to_string()}>
                        <i class="swatch"></i>{ crate::summary::convoy_point(c) }
                    </span>
                }) }</span>
            </figcaption>
            { line }
            <svg viewBox={format!("0 0 {W} {}", s.h)} role="img" aria-labelledby="convoy-title" aria-describedby={described}>
                <title id="convoy-title">{ "Response times of the answering task against the GIL switch interval, per model" }</title>
                { axes(&s) }
                { for models.iter().map(|m| {
                    let pts: Vec<&ConvoyPoint> = p.points.iter().filter(|c| c.model == *m).collect();
                    series(&s, *m, &pts)
                }) }
            </svg>
            { table_alt(&["model", "switch ms", "answers", "p50 ms", "p99 ms", "max ms"], html! { { for p.points.iter().map(|c| html! {
                <tr><td>{ c.model.id() }</td>
                <td>{ if c.uses_switch { fmt_num(c.switch_ms) } else { "—".to_string() } }</td>
                <td>{ c.answers }</td><td>{ ms(c.p50_ms) }</td><td>{ ms(c.p99_ms) }</td><td>{ ms(c.max_ms) }</td></tr>
            }) } }) }
        </figure>
    }
}
