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
    let band = (W - LEFT - RIGHT) / rs.len() as f64;
    let bar_w = (band * 0.55).min(70.0);
    let (line, described) = summary_line(
        "speedup-summary",
        crate::summary::speedup(&p.report.results),
    );
    let mut s = Svg::new(
        "speedup",
        h,
        "Speedup of each model over seq",
        described.as_deref(),
    );
    let y = y_axis(&mut s, top, h, "speedup vs seq (×)");
    for (i, r) in rs.iter().enumerate() {
        let v = r.speedup.unwrap_or(0.0);
        let cx = LEFT + band * (i as f64 + 0.5);
        let (y0, y1) = (y(0.0), y(v));
        let suspect = if r.suspect.is_some() { " suspect" } else { "" };
        s.tag("g")
            .a(
                "class",
                format_args!("bar {}{suspect}", model_class(r.model)),
            )
            .a("data-model", r.model.id())
            .a("data-speedup", format_args!("{v:.4}"));
        s.tag("rect")
            .a("x", cx - bar_w / 2.0)
            .a("y", y1)
            .a("width", bar_w)
            .a("height", (y0 - y1).max(0.0))
            .end();
        if let Some((lo, hi)) = r.speedup_ci {
            s.tag("g").a("class", "whisker");
            s.line(None, (cx, cx), (y(lo), y(hi)));
            s.line(None, (cx - 6.0, cx + 6.0), (y(lo), y(lo)));
            s.line(None, (cx - 6.0, cx + 6.0), (y(hi), y(hi)));
            s.close("g");
        }
        // Above the whisker too, so the interval's cap never runs through it.
        let label_y = r.speedup_ci.map_or(y1, |(_, hi)| y1.min(y(hi)));
        s.tag("text")
            .a("class", "value")
            .a("x", cx)
            .a("y", label_y - 6.0)
            .a("text-anchor", "middle")
            .text(format_args!("{}{suspect}", times(v)));
        s.x_tick(h, cx, "middle", r.model.id());
        s.close("g");
    }
    s.line(Some("ref"), (LEFT, W - RIGHT), (y(1.0), y(1.0)));
    if p.ideal > 1.0 {
        let end_value = |r: Option<&&ModelResult>| r.and_then(|r| r.speedup).unwrap_or(0.0);
        let left_free = end_value(rs.first()) <= end_value(rs.last());
        s.tag("g").a("class", "ideal").a("data-ideal", p.ideal);
        s.line(None, (LEFT, W - RIGHT), (y(p.ideal), y(p.ideal)));
        s.tag("text")
            // Over whichever end bar is lower, so it does not run into that
            // bar's value when a model comes close to the ideal.
            .a(
                "x",
                if left_free {
                    LEFT + 4.0
                } else {
                    W - RIGHT - 4.0
                },
            )
            .a("y", y(p.ideal) - 5.0)
            .a("text-anchor", if left_free { "start" } else { "end" })
            .text(format_args!("ideal {:.0}×", p.ideal));
        s.close("g");
    }
    s.x_label(h, "model");
    html! {
        <figure class="chart" id="speedup-chart">
            <figcaption>{ "Speedup vs seq, median of repeats, with bootstrap 95% intervals" }</figcaption>
            { line }
            { drawn(s) }
            { table_alt(&["model", "speedup (×)", "95% interval (×)"], html! { { for rs.iter().map(|r| html! {
                        <tr><td>{ r.model.id() }</td><td>{ format!("{:.2}", r.speedup.unwrap_or(0.0)) }</td>
                        <td>{ r.speedup_ci.map_or(MISSING.to_string(), |(a, b)| format!("{a:.2} – {b:.2}")) }</td></tr>
                    }) } }) }
        </figure>
    }
}
