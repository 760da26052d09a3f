//! Every sample of every model.

use super::*;

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
