//! Charts as SVG from Yew: speedup bars with intervals, every sample as a
//! dot, the per-worker timeline, the scaling sweep with Amdahl's curve, and
//! the transfer size series. Each has a title, labelled axes with units, and
//! a table with the same numbers.

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

/// The chart's numbers as a table, folded under it.
fn table_alt(heads: &[&str], rows: Html) -> Html {
    html! {
        <details class="table-alt">
            <summary>{ "Table" }</summary>
            <table>
                <thead><tr>{ for heads.iter().map(|h| html! { <th>{ h.to_string() }</th> }) }</tr></thead>
                <tbody>{ rows }</tbody>
            </table>
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
    pub report: Report,
    #[prop_or_default]
    pub ideal: f64,
}

/// Speedup vs `seq` per model: bars, 95% interval whiskers, the ideal line.
#[function_component(SpeedupChart)]
pub fn speedup_chart(p: &ResultsProps) -> Html {
    let rs: Vec<&ModelResult> = p
        .report
        .results
        .iter()
        .filter(|r| r.speedup.is_some())
        .collect();
    if rs.len() < 2 {
        return html! {};
    }
    let h = 260.0;
    let top = rs
        .iter()
        .flat_map(|r| [r.speedup.unwrap_or(0.0), r.speedup_ci.map_or(0.0, |c| c.1)])
        .fold(p.ideal.max(1.0), f64::max)
        * 1.12;
    let (axis, y) = y_axis(top, h, "speedup vs seq (×)");
    let band = (W - LEFT - RIGHT) / rs.len() as f64;
    let bar_w = (band * 0.55).min(70.0);
    html! {
        <figure class="chart" id="speedup-chart">
            <figcaption>{ "Speedup vs seq, median of repeats, with bootstrap 95% intervals" }</figcaption>
            <svg viewBox={format!("0 0 {W} {h}")} role="img" aria-labelledby="speedup-title">
                <title id="speedup-title">{ "Speedup of each model over seq" }</title>
                { axis }
                { for rs.iter().enumerate().map(|(i, r)| {
                    let s = r.speedup.unwrap_or(0.0);
                    let cx = LEFT + band * (i as f64 + 0.5);
                    let (y0, y1) = (y(0.0), y(s));
                    html! {
                        <g class={classes!("bar", model_class(r.model), r.suspect.is_some().then_some("suspect"))}
                           data-model={r.model.id()} data-speedup={format!("{s:.4}")}>
                            <rect x={(cx - bar_w / 2.0).to_string()} y={y1.to_string()} width={bar_w.to_string()} height={(y0 - y1).max(0.0).to_string()} />
                            if let Some((lo, hi)) = r.speedup_ci {
                                <g class="whisker">
                                    <line x1={cx.to_string()} x2={cx.to_string()} y1={y(lo).to_string()} y2={y(hi).to_string()} />
                                    <line x1={(cx - 6.0).to_string()} x2={(cx + 6.0).to_string()} y1={y(lo).to_string()} y2={y(lo).to_string()} />
                                    <line x1={(cx - 6.0).to_string()} x2={(cx + 6.0).to_string()} y1={y(hi).to_string()} y2={y(hi).to_string()} />
                                </g>
                            }
                            <text class="value" x={cx.to_string()} y={(y1 - 6.0).to_string()} text-anchor="middle">
                                { if r.suspect.is_some() { format!("{s:.2}× suspect") } else { format!("{s:.2}×") } }
                            </text>
                            <text x={cx.to_string()} y={(h - BOTTOM + 16.0).to_string()} text-anchor="middle">{ r.model.id() }</text>
                        </g>
                    }
                }) }
                <line class="ref" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={y(1.0).to_string()} y2={y(1.0).to_string()} />
                if p.ideal > 1.0 {
                    <g class="ideal" data-ideal={p.ideal.to_string()}>
                        <line x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={y(p.ideal).to_string()} y2={y(p.ideal).to_string()} />
                        <text x={(W - RIGHT - 4.0).to_string()} y={(y(p.ideal) - 5.0).to_string()} text-anchor="end">{ format!("ideal {:.0}×", p.ideal) }</text>
                    </g>
                }
                { x_label(h, "model") }
            </svg>
            { table_alt(&["model", "speedup (×)", "95% interval (×)"], html! { { for rs.iter().map(|r| html! {
                        <tr><td>{ r.model.id() }</td><td>{ format!("{:.2}", r.speedup.unwrap_or(0.0)) }</td>
                        <td>{ r.speedup_ci.map_or("—".to_string(), |(a, b)| format!("{a:.2} – {b:.2}")) }</td></tr>
                    }) } }) }
        </figure>
    }
}

/// Every repeat's wall time as a dot, with the median and its interval.
#[function_component(SamplesChart)]
pub fn samples_chart(p: &ResultsProps) -> Html {
    let rs = &p.report.results;
    if rs.is_empty() {
        return html! {};
    }
    let h = 240.0;
    let top = rs
        .iter()
        .flat_map(|r| r.samples_ms.iter().copied())
        .fold(0.0, f64::max)
        .max(0.001)
        * 1.1;
    let (axis, y) = y_axis(top, h, "ms per repeat");
    let band = (W - LEFT - RIGHT) / rs.len() as f64;
    html! {
        <figure class="chart" id="samples-chart">
            <figcaption>{ "Every measured repeat (dots), the median (bar) and its 95% interval" }</figcaption>
            <svg viewBox={format!("0 0 {W} {h}")} role="img" aria-labelledby="samples-title">
                <title id="samples-title">{ "Wall time of every repeat, per model" }</title>
                { axis }
                { for rs.iter().enumerate().map(|(i, r)| {
                    let cx = LEFT + band * (i as f64 + 0.5);
                    let n = r.samples_ms.len().max(1) as f64;
                    html! {
                        <g class={classes!("samples", model_class(r.model))} data-model={r.model.id()}>
                            { for r.samples_ms.iter().enumerate().map(|(j, v)| {
                                // Spread the dots sideways so equal times stay visible.
                                let dx = (j as f64 - (n - 1.0) / 2.0) * (band * 0.4 / n);
                                html! { <circle class="sample" cx={(cx + dx).to_string()} cy={y(*v).to_string()} r="3.5" data-ms={format!("{v:.3}")} /> }
                            }) }
                            if let Some(m) = r.median_ms {
                                <line class="median" x1={(cx - band * 0.3).to_string()} x2={(cx + band * 0.3).to_string()} y1={y(m).to_string()} y2={y(m).to_string()} />
                            }
                            if let Some((lo, hi)) = r.median_ci_ms {
                                <line class="ci" x1={(cx + band * 0.33).to_string()} x2={(cx + band * 0.33).to_string()} y1={y(lo).to_string()} y2={y(hi).to_string()} />
                            }
                            <text x={cx.to_string()} y={(h - BOTTOM + 16.0).to_string()} text-anchor="middle">{ r.model.id() }</text>
                        </g>
                    }
                }) }
                { x_label(h, "model") }
            </svg>
            { table_alt(&["model", "samples (ms)", "median (ms)", "95% interval (ms)"], html! { { for rs.iter().map(|r| html! {
                        <tr><td>{ r.model.id() }</td>
                        <td>{ r.samples_ms.iter().map(|v| format!("{v:.2}")).collect::<Vec<_>>().join(", ") }</td>
                        <td>{ r.median_ms.map_or("—".to_string(), |v| format!("{v:.2}")) }</td>
                        <td>{ r.median_ci_ms.map_or("—".to_string(), |(a, b)| format!("{a:.2} – {b:.2}")) }</td></tr>
                    }) } }) }
        </figure>
    }
}

fn kind_class(k: SpanKind) -> &'static str {
    match k {
        SpanKind::Run => "k-run",
        SpanKind::GilWait => "k-gil_wait",
        SpanKind::Io => "k-io",
        SpanKind::Spawn => "k-spawn",
    }
}

fn kind_label(k: SpanKind) -> &'static str {
    match k {
        SpanKind::Run => "running (holding the GIL under gil/oldgil)",
        SpanKind::GilWait => "waiting for the GIL",
        SpanKind::Io => "blocked on I/O",
        SpanKind::Spawn => "starting a worker",
    }
}

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub result: ModelResult,
}

/// One row per worker, one bar per span of the last repeat, coloured by
/// kind: under the GIL the run bars never overlap across rows.
#[function_component(Timeline)]
pub fn timeline(p: &TimelineProps) -> Html {
    let r = &p.result;
    let mut workers: Vec<u32> = r.spans.iter().map(|s| s.worker).collect();
    workers.sort_unstable();
    workers.dedup();
    if workers.is_empty() {
        return html! {};
    }
    let row_h = 20.0;
    let h = TOP + row_h * workers.len() as f64 + BOTTOM;
    let end = r
        .spans
        .iter()
        .map(|s| s.end_ms)
        .fold(0.0, f64::max)
        .max(0.001);
    let x = |ms: f64| LEFT + (ms / end).clamp(0.0, 1.0) * (W - LEFT - RIGHT);
    let kinds: Vec<SpanKind> = [
        SpanKind::Run,
        SpanKind::GilWait,
        SpanKind::Io,
        SpanKind::Spawn,
    ]
    .into_iter()
    .filter(|k| r.spans.iter().any(|s| s.kind == *k))
    .collect();
    let id = format!("timeline-{}", r.model.id());
    html! {
        <figure class="chart timeline" id={id.clone()} data-model={r.model.id()}>
            <figcaption>
                <code>{ r.model.id() }</code>{ format!(
                    " — per-worker timeline of the last repeat ({} worker{})",
                    workers.len(),
                    if workers.len() == 1 { "" } else { "s" }
                ) }
                <span class="legend">{ for kinds.iter().map(|k| html! {
                    <span><i class={kind_class(*k)}></i>{ kind_label(*k) }</span>
                }) }</span>
            </figcaption>
            <svg viewBox={format!("0 0 {W} {h}")} role="img" aria-labelledby={format!("{id}-title")}>
                <title id={format!("{id}-title")}>{ format!("What each worker of {} did over time", r.model.id()) }</title>
                { for workers.iter().enumerate().map(|(row, w)| {
                    let y0 = TOP + row as f64 * row_h;
                    let spans: Vec<&Span> = r.spans.iter().filter(|s| s.worker == *w).collect();
                    html! {
                        <g class="row" data-worker={w.to_string()}>
                            <text x={(LEFT - 6.0).to_string()} y={(y0 + row_h * 0.7).to_string()} text-anchor="end">{ format!("w{w}") }</text>
                            { for spans.iter().map(|s| {
                                let (x0, x1) = (x(s.start_ms), x(s.end_ms));
                                html! {
                                    <rect class={classes!("span", kind_class(s.kind))} x={x0.to_string()} y={(y0 + 2.0).to_string()}
                                        width={(x1 - x0).max(0.6).to_string()} height={(row_h - 4.0).to_string()} data-task={s.task.to_string()} />
                                }
                            }) }
                        </g>
                    }
                }) }
                <g class="axis x">
                    { for ticks(end).into_iter().map(|t| html! {
                        <text x={x(t).to_string()} y={(h - BOTTOM + 16.0).to_string()} text-anchor="middle">{ fmt_tick(t) }</text>
                    }) }
                    { x_label(h, "time since the repeat started (ms)") }
                </g>
            </svg>
            // Per worker, the time in each kind of span: the same story as
            // the bars in a few rows (a row per span would be thousands).
            { table_alt(&["worker", "tasks", "running (ms)", "waiting for the GIL (ms)", "I/O (ms)", "starting workers (ms)"],
                html! { { for workers.iter().map(|w| {
                    let mine: Vec<&Span> = r.spans.iter().filter(|s| s.worker == *w).collect();
                    let total = |k: SpanKind| mine.iter().filter(|s| s.kind == k).map(|s| s.end_ms - s.start_ms).sum::<f64>();
                    let mut tasks: Vec<u32> = mine.iter().map(|s| s.task).collect();
                    tasks.dedup();
                    tasks.sort_unstable();
                    tasks.dedup();
                    html! { <tr><td>{ w }</td><td>{ tasks.len() }</td>
                        <td>{ format!("{:.2}", total(SpanKind::Run)) }</td><td>{ format!("{:.2}", total(SpanKind::GilWait)) }</td>
                        <td>{ format!("{:.2}", total(SpanKind::Io)) }</td><td>{ format!("{:.2}", total(SpanKind::Spawn)) }</td></tr> }
                }) } }) }
        </figure>
    }
}

#[derive(Properties, PartialEq)]
pub struct SweepProps {
    pub points: Vec<SweepPoint>,
    pub cores: u32,
}

/// Speedup against worker count per model, the ideal diagonal, and the
/// Amdahl curve fitted to each model with its serial fraction.
#[function_component(SweepChart)]
pub fn sweep_chart(p: &SweepProps) -> Html {
    let mut models: Vec<ModelId> = p.points.iter().map(|s| s.model).collect();
    models.sort();
    models.dedup();
    let max_w = p.points.iter().map(|s| s.workers).max().unwrap_or(1).max(2) as f64;
    let h = 300.0;
    let top = p
        .points
        .iter()
        .filter_map(|s| s.speedup)
        .fold(max_w.min(p.cores.max(1) as f64 * 1.5), f64::max)
        * 1.1;
    let (axis, y) = y_axis(top, h, "speedup vs seq (×)");
    let x = |w: f64| LEFT + (w - 1.0) / (max_w - 1.0) * (W - LEFT - RIGHT);
    let fits: Vec<(ModelId, Option<f64>)> = models
        .iter()
        .map(|m| {
            let pts: Vec<(f64, f64)> = p
                .points
                .iter()
                .filter(|s| s.model == *m)
                .filter_map(|s| s.speedup.map(|v| (s.workers as f64, v)))
                .collect();
            (*m, stats::amdahl_fit(&pts))
        })
        .collect();
    // Perfect scaling stops at the core count: more workers share the cores.
    let c = (p.cores.max(1) as f64).min(max_w);
    let ideal = format!(
        "{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
        x(1.0),
        y(1.0),
        x(c),
        y(c),
        x(max_w),
        y(c)
    );
    html! {
        <figure class="chart" id="sweep-chart">
            <figcaption>
                { "Scaling: speedup by worker count, the ideal on this machine's cores (dashed) and Amdahl's law fitted to each model (dotted)" }
                <span class="fits">{ for fits.iter().map(|(m, f)| html! {
                    <span class={classes!("fit", model_class(*m))} data-model={m.id()}>
                        <code>{ m.id() }</code>{ match f { Some(f) => format!(" serial fraction ≈ {:.1}%", f * 100.0), None => " —".to_string() } }
                    </span>
                }) }</span>
            </figcaption>
            <svg viewBox={format!("0 0 {W} {h}")} role="img" aria-labelledby="sweep-title">
                <title id="sweep-title">{ "Speedup against number of workers" }</title>
                { axis }
                <polyline class="ideal-line" points={ideal} />
                <line class="cores" x1={x(p.cores as f64).to_string()} x2={x(p.cores as f64).to_string()} y1={TOP.to_string()} y2={(h - BOTTOM).to_string()} />
                <text class="cores-label" x={(x(p.cores as f64) + 4.0).to_string()} y={(TOP + 12.0).to_string()}>{ format!("{} cores", p.cores) }</text>
                { for fits.iter().filter_map(|(m, f)| f.map(|f| (m, f))).map(|(m, f)| {
                    let pts: Vec<String> = (0..=40).map(|i| {
                        let w = 1.0 + (max_w - 1.0) * i as f64 / 40.0;
                        format!("{:.1},{:.1}", x(w), y(stats::amdahl(f, w)))
                    }).collect();
                    html! { <polyline class={classes!("amdahl", model_class(*m))} points={pts.join(" ")} /> }
                }) }
                { for models.iter().map(|m| {
                    let mut pts: Vec<&SweepPoint> = p.points.iter().filter(|s| s.model == *m && s.speedup.is_some()).collect();
                    pts.sort_by_key(|s| s.workers);
                    let line: Vec<String> = pts.iter().map(|s| format!("{:.1},{:.1}", x(s.workers as f64), y(s.speedup.unwrap_or(0.0)))).collect();
                    html! {
                        <g class={classes!("series", model_class(*m))} data-model={m.id()}>
                            <polyline points={line.join(" ")} />
                            { for pts.iter().map(|s| html! {
                                <circle class="point" cx={x(s.workers as f64).to_string()} cy={y(s.speedup.unwrap_or(0.0)).to_string()} r="4"
                                    data-model={m.id()} data-workers={s.workers.to_string()} data-speedup={format!("{:.4}", s.speedup.unwrap_or(0.0))} />
                            }) }
                        </g>
                    }
                }) }
                <g class="axis x">
                    { for (1..=max_w as u32).map(|w| html! {
                        <text x={x(w as f64).to_string()} y={(h - BOTTOM + 16.0).to_string()} text-anchor="middle">{ w }</text>
                    }) }
                    { x_label(h, "workers") }
                </g>
            </svg>
            { table_alt(&["model", "workers", "median (ms)", "speedup (×)"], html! { { for p.points.iter().map(|s| html! {
                        <tr><td>{ s.model.id() }</td><td>{ s.workers }</td>
                        <td>{ s.median_ms.map_or("—".to_string(), |v| format!("{v:.2}")) }</td>
                        <td>{ s.speedup.map_or("—".to_string(), |v| format!("{v:.2}")) }</td></tr>
                    }) } }) }
        </figure>
    }
}

#[derive(Properties, PartialEq)]
pub struct SizesProps {
    pub points: Vec<SizePoint>,
}

/// Transfer time against buffer size, both on log axes, one line per via
/// and model: copies grow with size, moves and shared memory barely do.
#[function_component(SizesChart)]
pub fn sizes_chart(p: &SizesProps) -> Html {
    if p.points.is_empty() {
        return html! {};
    }
    let h = 300.0;
    let (bmin, bmax) = (1024f64.log2(), (64.0 * 1048576.0f64).log2());
    let ms: Vec<f64> = p.points.iter().map(|s| s.median_ms.max(0.001)).collect();
    let lo = ms
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .log10()
        .floor();
    let hi = ms
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .log10()
        .ceil()
        .max(lo + 1.0);
    let x = |b: f64| LEFT + (b.log2() - bmin) / (bmax - bmin) * (W - LEFT - RIGHT);
    let y = |v: f64| (h - BOTTOM) - (v.max(0.001).log10() - lo) / (hi - lo) * (h - BOTTOM - TOP);
    let mut series: Vec<(ModelId, Via)> = p.points.iter().map(|s| (s.model, s.via)).collect();
    series.sort_by_key(|(m, v)| (*m, v.id()));
    series.dedup();
    html! {
        <figure class="chart" id="sizes-chart">
            <figcaption>
                { "Transfer: time against buffer size (log–log), per via and model" }
                <span class="legend">
                    { for Via::ALL.iter().map(|(id, _)| html! {
                        <span class={format!("via-{id}")}><i class="swatch"></i>{ *id }</span>
                    }) }
                    <span>{ "solid: process models · dashed: thread models" }</span>
                </span>
            </figcaption>
            <svg viewBox={format!("0 0 {W} {h}")} role="img" aria-labelledby="sizes-title">
                <title id="sizes-title">{ "Time to hand over and checksum a buffer, by size" }</title>
                <g class="axis y">
                    { for (lo as i32..=hi as i32).map(|e| {
                        let v = 10f64.powi(e);
                        html! { <g>
                            <line class="grid" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={y(v).to_string()} y2={y(v).to_string()} />
                            <text x={(LEFT - 6.0).to_string()} y={(y(v) + 4.0).to_string()} text-anchor="end">{ if e >= 0 { format!("{v:.0}") } else { format!("{v}") } }</text>
                        </g> }
                    }) }
                    <text class="label" transform={format!("translate(14 {}) rotate(-90)", (TOP + h - BOTTOM) / 2.0)} text-anchor="middle">{ "median time (ms, log)" }</text>
                </g>
                { for series.iter().map(|(m, via)| {
                    let mut pts: Vec<&SizePoint> = p.points.iter().filter(|s| s.model == *m && s.via == *via).collect();
                    pts.sort_by_key(|s| s.bytes);
                    let line: Vec<String> = pts.iter().map(|s| format!("{:.1},{:.1}", x(s.bytes as f64), y(s.median_ms))).collect();
                    html! {
                        <g class={classes!("series", format!("via-{}", via.id()), model_class(*m))} data-model={m.id()} data-via={via.id()}>
                            <polyline points={line.join(" ")} />
                            { for pts.iter().map(|s| html! {
                                <circle class="size-point" cx={x(s.bytes as f64).to_string()} cy={y(s.median_ms).to_string()} r="3.5"
                                    data-bytes={s.bytes.to_string()} data-ms={format!("{:.4}", s.median_ms)} />
                            }) }
                        </g>
                    }
                }) }
                <g class="axis x">
                    { for crate::workloads::transfer::SIZES_BYTES.iter().enumerate().map(|(i, b)| {
                        // The last label ends at the axis instead of running off it.
                        let anchor = if i + 1 == crate::workloads::transfer::SIZES_BYTES.len() { "end" } else { "middle" };
                        html! {
                            <text x={x(*b as f64).to_string()} y={(h - BOTTOM + 16.0).to_string()} text-anchor={anchor}>{ human_bytes(*b) }</text>
                        }
                    }) }
                    { x_label(h, "buffer size per task (log)") }
                </g>
            </svg>
            { table_alt(&["model", "via", "size", "median (ms)"], html! { { for p.points.iter().map(|s| html! {
                        <tr><td>{ s.model.id() }</td><td>{ s.via.id() }</td><td>{ human_bytes(s.bytes as usize) }</td><td>{ format!("{:.3}", s.median_ms) }</td></tr>
                    }) } }) }
        </figure>
    }
}

#[derive(Properties, PartialEq)]
pub struct DeferredProps {
    pub children: Html,
    #[prop_or_default]
    pub delay_ms: i32,
}

/// Renders its children in a later task than its parent, so a big redraw
/// is split into pieces the main thread can interleave with input.
#[function_component(Deferred)]
pub fn deferred(p: &DeferredProps) -> Html {
    let shown = use_state(|| false);
    {
        let shown = shown.clone();
        let delay = p.delay_ms;
        use_effect_with((), move |_| {
            let show = wasm_bindgen::closure::Closure::once_into_js(move || shown.set(true));
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    wasm_bindgen::JsCast::unchecked_ref(&show),
                    delay,
                );
            }
        });
    }
    if *shown {
        p.children.clone()
    } else {
        html! { <div class="deferred" aria-busy="true"></div> }
    }
}
