//! Transfer time against buffer size.

use super::*;

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
    let (line, described) = summary_line("sizes-summary", crate::summary::sizes(&p.points));
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
            { line }
            <svg viewBox={format!("0 0 {W} {h}")} role="img" aria-labelledby="sizes-title" aria-describedby={described}>
                <title id="sizes-title">{ "Time to hand over and checksum a buffer, by size" }</title>
                { log_y_axis(lo, hi, h, &y) }
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

/// The time axis: a grid line at each power of ten from `lo` to `hi`.
fn log_y_axis(lo: f64, hi: f64, h: f64, y: &impl Fn(f64) -> f64) -> Html {
    html! {
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
    }
}
