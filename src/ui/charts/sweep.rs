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
    let (line, described) =
        summary_line("sweep-summary", crate::summary::sweep(&p.points, p.cores));
    let mut s = Svg::new(
        "sweep",
        h,
        "Speedup against number of workers",
        described.as_deref(),
    );
    let y = y_axis(&mut s, top, h, "speedup vs seq (×)");
    let x = |w: f64| LEFT + (w - 1.0) / (max_w - 1.0) * (W - LEFT - RIGHT);
    let fits = amdahl_fits(&models, &p.points);
    // Perfect scaling stops at the core count: more workers share the cores.
    let c = (p.cores.max(1) as f64).min(max_w);
    s.polyline(
        Some("ideal-line"),
        [(1.0, 1.0), (c, c), (max_w, c)]
            .into_iter()
            .map(|(w, v)| (x(w), y(v))),
    );
    let cores_x = x(p.cores as f64);
    s.line(Some("cores"), (cores_x, cores_x), (TOP, h - BOTTOM));
    s.tag("text")
        .a("class", "cores-label")
        .a("x", cores_x + 4.0)
        .a("y", TOP + 12.0)
        .text(format_args!("{} cores", p.cores));
    // Forty segments: smooth at the chart's width.
    let curve = |at: &dyn Fn(f64) -> f64| -> Vec<(f64, f64)> {
        (0..=40)
            .map(|i| {
                let w = 1.0 + (max_w - 1.0) * f64::from(i) / 40.0;
                (x(w), y(at(w)))
            })
            .collect()
    };
    for (m, f) in fits.iter().filter_map(|(m, f)| f.map(|f| (m, f))) {
        let class = format!("amdahl {}", model_class(*m));
        s.polyline(Some(&class), curve(&|w| stats::amdahl(f, w)));
    }
    for u in &p.usl {
        let Some(base) = p
            .points
            .iter()
            .find(|s| s.model == u.model && s.workers == 1)
            .and_then(|s| s.speedup)
        else {
            continue;
        };
        // Scaled to the model's own one-worker speedup: the law's capacity
        // is relative to one worker of the same model.
        let at = |w: f64| base * stats::usl(w, u.sigma, u.kappa);
        s.tag("g")
            .a("class", format_args!("usl {}", model_class(u.model)))
            .a("data-model", u.model.id());
        s.polyline(Some("usl"), curve(&at));
        if let Some(w) = u.peak_workers.filter(|w| (1.0..=max_w).contains(w)) {
            s.tag("circle")
                .a("class", "usl-peak")
                .a("cx", x(w))
                .a("cy", y(at(w)))
                .a("r", 6)
                .end();
        }
        s.close("g");
    }
    for m in &models {
        let mut pts: Vec<&SweepPoint> = p
            .points
            .iter()
            .filter(|s| s.model == *m && s.speedup.is_some())
            .collect();
        pts.sort_by_key(|s| s.workers);
        let pts: Vec<_> = pts
            .iter()
            .map(|s| {
                let v = s.speedup.unwrap_or(0.0);
                (s.workers, (x(f64::from(s.workers)), y(v)), v)
            })
            .collect();
        speedup_series(&mut s, *m, "data-workers", &pts);
    }
    s.x_axis(
        h,
        (1..=max_w as u32).map(|w| (x(f64::from(w)), "middle", w)),
        "workers",
    );
    html! {
        <figure class="chart" id="sweep-chart">
            { sweep_caption(&fits, &p.usl, max_w) }
            { line }
            { drawn(s) }
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
            <td>{ cell(s.median_ms, 2) }</td>
            <td>{ cell(s.speedup, 2) }</td></tr>
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
