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
    let y = |v: f64| log_y(lo, hi, h, v);
    let mut series: Vec<(ModelId, Via)> = p.points.iter().map(|s| (s.model, s.via)).collect();
    series.sort_by_key(|(m, v)| (*m, v.id()));
    series.dedup();
    let (line, described) = summary_line("sizes-summary", crate::summary::sizes(&p.points));
    let mut s = Svg::new(
        "sizes",
        h,
        "Time to hand over and checksum a buffer, by size",
        described.as_deref(),
    );
    log_y_axis(&mut s, lo, hi, h, "median time (ms, log)");
    for (m, via) in &series {
        let mut pts: Vec<&SizePoint> = p
            .points
            .iter()
            .filter(|s| s.model == *m && s.via == *via)
            .collect();
        pts.sort_by_key(|s| s.bytes);
        s.tag("g")
            .a(
                "class",
                format_args!("series via-{} {}", via.id(), model_class(*m)),
            )
            .a("data-model", m.id())
            .a("data-via", via.id());
        s.polyline(
            None,
            pts.iter().map(|p| (x(p.bytes as f64), y(p.median_ms))),
        );
        for pt in &pts {
            s.tag("circle")
                .a("class", "size-point")
                .a("cx", x(pt.bytes as f64))
                .a("cy", y(pt.median_ms))
                .a("r", 3.5)
                .a("data-bytes", pt.bytes)
                .a("data-ms", format_args!("{:.4}", pt.median_ms))
                .end();
        }
        s.close("g");
    }
    let sizes = crate::workloads::transfer::SIZES_BYTES;
    let ticks = sizes.iter().enumerate().map(|(i, b)| {
        // The last label ends at the axis instead of running off it.
        let anchor = if i + 1 == sizes.len() {
            "end"
        } else {
            "middle"
        };
        (x(*b as f64), anchor, bytes(*b))
    });
    s.x_axis(h, ticks, "buffer size per task (log)");
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
            { drawn(s) }
            { table_alt(&["model", "via", "size", "median (ms)"], html! { { for p.points.iter().map(|s| html! {
                        <tr><td>{ s.model.id() }</td><td>{ s.via.id() }</td><td>{ bytes(s.bytes as usize) }</td><td>{ format!("{:.3}", s.median_ms) }</td></tr>
                    }) } }) }
        </figure>
    }
}
