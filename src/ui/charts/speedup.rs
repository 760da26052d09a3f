//! Speedup over `seq` per model.

use super::*;

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
    let (line, described) = summary_line(
        "speedup-summary",
        crate::summary::speedup(&p.report.results),
    );
    html! {
        <figure class="chart" id="speedup-chart">
            <figcaption>{ "Speedup vs seq, median of repeats, with bootstrap 95% intervals" }</figcaption>
            { line }
            <svg viewBox={format!("0 0 {W} {h}")} role="img" aria-labelledby="speedup-title" aria-describedby={described}>
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
