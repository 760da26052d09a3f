//! Speedup against workers, with Amdahl's curve and the Universal
//! Scalability Law's.

use super::*;

#[derive(Properties, PartialEq)]
pub struct SweepProps {
    pub points: Vec<SweepPoint>,
    pub cores: u32,
    #[prop_or_default]
    pub usl: Vec<crate::report::UslModelFit>,
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
    let fits = amdahl_fits(&models, &p.points);
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
    let (line, described) =
        summary_line("sweep-summary", crate::summary::sweep(&p.points, p.cores));
    html! {
        <figure class="chart" id="sweep-chart">
            { sweep_caption(&fits, &p.usl, max_w) }
            { line }
            <svg viewBox={format!("0 0 {W} {h}")} role="img" aria-labelledby="sweep-title" aria-describedby={described}>
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
                { usl_curves(&p.usl, &p.points, max_w, &x, &y) }
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
            { sweep_table(&p.points) }
        </figure>
    }
}

/// The serial fraction of Amdahl's law fitted to each model's points.
fn amdahl_fits(models: &[ModelId], points: &[SweepPoint]) -> Vec<(ModelId, Option<f64>)> {
    models
        .iter()
        .map(|m| {
            let pts: Vec<(f64, f64)> = points
                .iter()
                .filter(|s| s.model == *m)
                .filter_map(|s| s.speedup.map(|v| (s.workers as f64, v)))
                .collect();
            (*m, stats::amdahl_fit(&pts))
        })
        .collect()
}

fn sweep_table(points: &[SweepPoint]) -> Html {
    table_alt(
        &["model", "workers", "median (ms)", "speedup (×)"],
        html! { { for points.iter().map(|s| html! {
            <tr><td>{ s.model.id() }</td><td>{ s.workers }</td>
            <td>{ s.median_ms.map_or("—".to_string(), |v| format!("{v:.2}")) }</td>
            <td>{ s.speedup.map_or("—".to_string(), |v| format!("{v:.2}")) }</td></tr>
        }) } },
    )
}

/// The fitted USL in words: contention, crosstalk, and where more workers
/// stop helping.
fn usl_words(u: &crate::report::UslModelFit, max_w: f64) -> String {
    let mut out = format!(
        " USL: contention σ ≈ {:.1}%, crosstalk κ ≈ {:.4}",
        u.sigma * 100.0,
        u.kappa
    );
    match u.slower_beyond {
        Some(n) if f64::from(n) < max_w => {
            out.push_str(&format!("; more than {n} workers make it slower"))
        }
        Some(n) => out.push_str(&format!("; it would peak at about {n} workers")),
        None => out.push_str("; it never turns down"),
    }
    out
}

/// Each model's USL curve, scaled to its own one-worker speedup (the
/// law's capacity is relative to one worker of the same model).
fn usl_curves(
    usl: &[crate::report::UslModelFit],
    points: &[SweepPoint],
    max_w: f64,
    x: &impl Fn(f64) -> f64,
    y: &impl Fn(f64) -> f64,
) -> Html {
    html! { { for usl.iter().filter_map(|u| {
        let base = points.iter().find(|s| s.model == u.model && s.workers == 1)?.speedup?;
        let at = |w: f64| base * stats::usl(w, u.sigma, u.kappa);
        let line: Vec<String> = (0..=40)
            .map(|i| 1.0 + (max_w - 1.0) * f64::from(i) / 40.0)
            .map(|w| format!("{:.1},{:.1}", x(w), y(at(w))))
            .collect();
        let peak = u.peak_workers.filter(|w| (1.0..=max_w).contains(w));
        Some(html! {
            <g class={classes!("usl", model_class(u.model))} data-model={u.model.id()}>
                <polyline class="usl" points={line.join(" ")} />
                if let Some(w) = peak {
                    <circle class="usl-peak" cx={x(w).to_string()} cy={y(at(w)).to_string()} r="6" />
                }
            </g>
        })
    }) } }
}

/// The title, and each model's Amdahl and USL fit in words.
fn sweep_caption(
    fits: &[(ModelId, Option<f64>)],
    usl: &[crate::report::UslModelFit],
    max_w: f64,
) -> Html {
    html! {
            <figcaption>
                { "Scaling: speedup by worker count, the ideal on this machine's cores (dashed), Amdahl's law (dotted) and the Universal Scalability Law (dash-dot, its peak ringed) fitted to each model" }
                <span class="fits">{ for fits.iter().map(|(m, f)| html! {
                    <span class={classes!("fit", model_class(*m))} data-model={m.id()}>
                        <code>{ m.id() }</code>{ match f { Some(f) => format!(" serial fraction ≈ {:.1}%", f * 100.0), None => " —".to_string() } }
                    </span>
                }) }</span>
                <span class="usl-fits">{ for usl.iter().map(|u| html! {
                    <span class={classes!("fit", "usl", model_class(u.model))} data-model={u.model.id()}
                        data-sigma={format!("{:.4}", u.sigma)} data-kappa={format!("{:.5}", u.kappa)}
                        data-slower-beyond={u.slower_beyond.map(|n| n.to_string())}>
                        <code>{ u.model.id() }</code>{ usl_words(u, max_w) }
                    </span>
                }) }</span>
            </figcaption>
    }
}
