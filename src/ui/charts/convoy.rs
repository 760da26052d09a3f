//! The convoy: how long task 0's answers took while the other tasks
//! computed, per model, against the GIL's switch interval.

use super::*;
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
        log_y(self.lo, self.hi, self.h, ms)
    }
}

/// One model's two lines, p50 solid and p99 dashed. A model without a
/// switch interval was measured once and is the same at every interval: a
/// flat line, drawn as such.
fn series(svg: &mut Svg, s: &Scales, model: ModelId, pts: &[&ConvoyPoint]) {
    let flat = pts.len() == 1 && !pts[0].uses_switch;
    let line = |q: fn(&ConvoyPoint) -> Option<f64>| -> Vec<(f64, f64)> {
        let at: Vec<(f64, f64)> = if flat {
            q(pts[0]).map_or(vec![], |v| {
                vec![(CONVOY_SWITCH_MS[0], v), (CONVOY_SWITCH_MS[2], v)]
            })
        } else {
            pts.iter()
                .filter_map(|p| q(p).map(|v| (p.switch_ms, v)))
                .collect()
        };
        at.iter().map(|(x, v)| (s.x(*x), s.y(*v))).collect()
    };
    svg.tag("g")
        .a("class", format_args!("series {}", model_class(model)))
        .a("data-model", model.id());
    svg.polyline(Some("p50"), line(|p| p.p50_ms));
    svg.polyline(Some("p99"), line(|p| p.p99_ms));
    for p in pts {
        let Some(v) = p.p50_ms else { continue };
        svg.tag("circle")
            .a("class", "convoy-point")
            .a("cx", s.x(p.switch_ms))
            .a("cy", s.y(v))
            .a("r", 4)
            .a("data-model", model.id())
            .a("data-switch-ms", p.switch_ms)
            .a("data-p50-ms", format_args!("{v:.4}"))
            .a("data-p99-ms", format_args!("{:.4}", p.p99_ms.unwrap_or(v)))
            .end();
    }
    svg.close("g");
}

fn axes(svg: &mut Svg, s: &Scales) {
    log_y_axis(svg, s.lo, s.hi, s.h, "response time (ms, log)");
    // Where an answer that waits exactly one switch interval would sit.
    svg.polyline(
        Some("switch-diagonal"),
        CONVOY_SWITCH_MS.iter().map(|v| (s.x(*v), s.y(*v))),
    );
    svg.x_axis(
        s.h,
        CONVOY_SWITCH_MS.map(|v| (s.x(v), "middle", format!("{} ms", decimal(v)))),
        "GIL switch interval (switch_ms, log)",
    );
}

/// p50 and p99 of every model's answers against the switch interval, with
/// the diagonal "one switch interval" for scale.
#[function_component(ConvoyChart)]
pub fn convoy_chart(p: &ConvoyProps) -> Html {
    let s = Scales::of(&p.points, 300.0);
    let mut models: Vec<ModelId> = p.points.iter().map(|c| c.model).collect();
    models.dedup();
    let ms = |v: Option<f64>| cell(v, 2);
    let (line, described) = summary_line("convoy-summary", crate::summary::convoy(&p.points));
    let mut svg = Svg::new(
        "convoy",
        s.h,
        "Response times of the answering task against the GIL switch interval, per model",
        described.as_deref(),
    );
    axes(&mut svg, &s);
    for m in &models {
        let pts: Vec<&ConvoyPoint> = p.points.iter().filter(|c| c.model == *m).collect();
        series(&mut svg, &s, *m, &pts);
    }
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
            { drawn(svg) }
            { table_alt(&["model", "switch ms", "answers", "p50 ms", "p99 ms", "max ms"], html! { { for p.points.iter().map(|c| html! {
                <tr><td>{ c.model.id() }</td>
                <td>{ if c.uses_switch { decimal(c.switch_ms) } else { MISSING.to_string() } }</td>
                <td>{ c.answers }</td><td>{ ms(c.p50_ms) }</td><td>{ ms(c.p99_ms) }</td><td>{ ms(c.max_ms) }</td></tr>
            }) } }) }
        </figure>
    }
}
