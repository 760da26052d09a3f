//! Speedup against the share of each task spent waiting: where each model
//! wins, from all computing to all waiting.

use super::*;
use crate::report::MixPoint;

#[derive(Properties, PartialEq)]
pub struct MixProps {
    pub points: Vec<MixPoint>,
}

/// One line per model over the I/O share (0% = all computing, 100% = all
/// waiting), each point against `seq` at the same share.
#[function_component(MixChart)]
pub fn mix_chart(p: &MixProps) -> Html {
    let mut models: Vec<ModelId> = p.points.iter().map(|s| s.model).collect();
    models.sort();
    models.dedup();
    let h = 300.0;
    let top = p
        .points
        .iter()
        .filter_map(|s| s.speedup)
        .fold(1.0, f64::max)
        * 1.15;
    let x = |pct: f64| LEFT + pct / 100.0 * (W - LEFT - RIGHT);
    let won = crate::summary::winners(&p.points);
    let (line, described) = summary_line("mix-summary", crate::summary::mix(&p.points));
    let mut s = Svg::new(
        "mix",
        h,
        "Speedup against the share of each task spent waiting, per model",
        described.as_deref(),
    );
    let y = y_axis(&mut s, top, h, "speedup vs seq at the same share (×)");
    for m in &models {
        let mut pts: Vec<&MixPoint> = p
            .points
            .iter()
            .filter(|s| s.model == *m && s.speedup.is_some())
            .collect();
        pts.sort_by_key(|s| s.io_pct);
        let pts: Vec<_> = pts
            .iter()
            .map(|s| {
                let v = s.speedup.unwrap_or(0.0);
                (s.io_pct, (x(f64::from(s.io_pct)), y(v)), v)
            })
            .collect();
        speedup_series(&mut s, *m, "data-io-pct", &pts);
    }
    s.x_axis(
        h,
        [0u32, 25, 50, 75, 100].map(|pct| (x(f64::from(pct)), "middle", format!("{pct}%"))),
        "share of each task spent waiting",
    );
    html! {
        <figure class="chart" id="mix-chart">
            <figcaption>
                { "Concurrency vs parallelism: speedup as each task's share of waiting grows from 0% (all computing) to 100% (all waiting)" }
                <span class="fits" id="mix-winners">{ for won.iter().map(|(pct, m, s)| html! {
                    <span class={classes!("fit", model_class(*m))} data-io-pct={pct.to_string()} data-model={m.id()}>
                        { format!("{pct}% waiting: ") }<code>{ m.id() }</code>{ format!(" {}", times(*s)) }
                    </span>
                }) }</span>
            </figcaption>
            { line }
            { drawn(s) }
            { table_alt(&["model", "waiting", "median (ms)", "speedup (×)"], html! { { for p.points.iter().map(|s| html! {
                <tr><td>{ s.model.id() }</td><td>{ format!("{}%", s.io_pct) }</td><td>{ format!("{:.2}", s.median_ms) }</td>
                <td>{ cell(s.speedup, 2) }</td></tr>
            }) } }) }
        </figure>
    }
}
