//! Every sample of every model, with its box and its outliers.

use super::*;
use crate::stats::{OutlierEffect, Outliers};

/// How far out sample `j` lies, by Tukey's fences.
fn outlier_class(o: Option<&Outliers>, j: usize) -> Option<&'static str> {
    let o = o?;
    if o.low_severe.contains(&j) || o.high_severe.contains(&j) {
        Some("severe")
    } else if o.low_mild.contains(&j) || o.high_mild.contains(&j) {
        Some("mild")
    } else {
        None
    }
}

fn effect_word(e: OutlierEffect) -> &'static str {
    match e {
        OutlierEffect::Unaffected => "unaffected",
        OutlierEffect::Slight => "slight",
        OutlierEffect::Moderate => "moderate",
        OutlierEffect::Severe => "severe",
    }
}

/// Every repeat's wall time as a dot, the middle half of them as a box, the
/// median and its interval; dots beyond Tukey's fences are ringed.
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
    let band = (W - LEFT - RIGHT) / rs.len() as f64;
    let (line, described) = summary_line("samples-summary", crate::summary::samples(rs));
    let mut s = Svg::new(
        "samples",
        h,
        "Wall time of every repeat, per model",
        described.as_deref(),
    );
    let y = y_axis(&mut s, top, h, "ms per repeat");
    for (i, r) in rs.iter().enumerate() {
        let cx = LEFT + band * (i as f64 + 0.5);
        let n = r.samples_ms.len().max(1) as f64;
        s.tag("g")
            .a("class", format_args!("samples {}", model_class(r.model)))
            .a("data-model", r.model.id());
        if let Some(o) = &r.outliers {
            s.tag("rect")
                .a("class", "box")
                .a("x", cx - band * 0.25)
                .a("width", band * 0.5)
                .a("y", y(o.q3_ms))
                .a("height", (y(o.q1_ms) - y(o.q3_ms)).max(0.5))
                .end();
        }
        for (j, v) in r.samples_ms.iter().enumerate() {
            // Spread the dots sideways so equal times stay visible.
            let dx = (j as f64 - (n - 1.0) / 2.0) * (band * 0.4 / n);
            let far = outlier_class(r.outliers.as_ref(), j);
            let ring = far.map_or(String::new(), |f| format!(" outlier {f}"));
            s.tag("circle")
                .a("class", format_args!("sample{ring}"))
                .a("cx", cx + dx)
                .a("cy", y(*v))
                .a("r", 3.5)
                .a("data-ms", format_args!("{v:.3}"))
                .a_opt("data-outlier", far)
                .end();
        }
        if let Some(m) = r.median_ms {
            s.line(
                Some("median"),
                (cx - band * 0.3, cx + band * 0.3),
                (y(m), y(m)),
            );
        }
        if let Some((lo, hi)) = r.median_ci_ms {
            let x = cx + band * 0.33;
            s.line(Some("ci"), (x, x), (y(lo), y(hi)));
        }
        s.x_tick(h, cx, "middle", r.model.id());
        s.close("g");
    }
    s.x_label(h, "model");
    html! {
        <figure class="chart" id="samples-chart">
            <figcaption>{ "Every measured repeat (dots), the middle half (box), the median (bar) and its 95% interval; \
                           ringed dots lie beyond Tukey's fences (1.5× the box's height: mild; 3×: severe)" }</figcaption>
            { line }
            { drawn(s) }
            { samples_table(rs) }
        </figure>
    }
}

fn samples_table(rs: &[ModelResult]) -> Html {
    table_alt(
        &[
            "model",
            "samples (ms)",
            "median ± MAD (ms)",
            "95% interval (ms)",
            "outliers (mild / severe)",
            "outlier effect",
        ],
        html! { { for rs.iter().map(|r| {
            let o = r.outliers.as_ref();
            html! {
                <tr><td>{ r.model.id() }</td>
                <td>{ r.samples_ms.iter().map(|v| format!("{v:.2}")).collect::<Vec<_>>().join(", ") }</td>
                <td>{ match (r.median_ms, r.mad_ms) {
                    (Some(m), Some(d)) => format!("{m:.2} ± {d:.2}"),
                    (Some(m), None) => format!("{m:.2}"),
                    _ => MISSING.to_string(),
                } }</td>
                <td>{ r.median_ci_ms.map_or(MISSING.to_string(), |(a, b)| format!("{a:.2} – {b:.2}")) }</td>
                <td>{ o.map_or(MISSING.to_string(), |o| format!(
                    "{} / {}",
                    o.low_mild.len() + o.high_mild.len(),
                    o.low_severe.len() + o.high_severe.len()
                )) }</td>
                <td>{ o.map_or(MISSING, |o| effect_word(o.effect)) }</td></tr>
            }
        }) } },
    )
}
