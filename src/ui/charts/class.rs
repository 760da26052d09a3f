//! A class's runs of one lesson and configuration: each model's speedup
//! against the machine's core count, a mark per run shaped by its browser
//! engine, and the band the lesson expects drawn behind them.

use super::*;
use crate::class::{Engine, Group};
use std::rc::Rc;

#[derive(Properties, PartialEq)]
pub struct ClassChartProps {
    pub group: Rc<Group>,
    /// The group's place on the page, for unique ids.
    pub index: usize,
}

/// A mark of `engine`'s shape, centred on (`x`, `y`).
fn mark(s: &mut Svg, engine: Engine, x: f64, y: f64) {
    const R: f64 = 5.0;
    match engine {
        Engine::Chromium => {
            s.tag("circle").a("cx", x).a("cy", y).a("r", R).end();
        }
        Engine::Firefox => {
            s.tag("rect")
                .a("x", x - R * 0.9)
                .a("y", y - R * 0.9)
                .a("width", R * 1.8)
                .a("height", R * 1.8)
                .end();
        }
        Engine::WebKit => {
            s.tag("polygon")
                .a(
                    "points",
                    format_args!(
                        "{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
                        y - R * 1.1,
                        x + R,
                        y + R * 0.8,
                        x - R,
                        y + R * 0.8
                    ),
                )
                .end();
        }
        Engine::Other => {
            s.tag("polygon")
                .a(
                    "points",
                    format_args!(
                        "{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}",
                        y - R,
                        x + R,
                        y + R,
                        x - R
                    ),
                )
                .end();
        }
    }
}

#[function_component(ClassChart)]
pub fn class_chart(p: &ClassChartProps) -> Html {
    let g = &p.group;
    let points = g.series.iter().flat_map(|s| s.points.iter());
    let (lo_cores, hi_cores) = points.clone().fold((u32::MAX, 1), |(lo, hi), pt| {
        (lo.min(pt.cores.max(1)), hi.max(pt.cores.max(1)))
    });
    if lo_cores == u32::MAX {
        return html! {};
    }
    // Cores on a log-2 axis, a power of two either side of what was seen.
    let (e0, e1) = (
        (lo_cores as f64).log2().floor() as i32,
        ((hi_cores as f64).log2().ceil() as i32).max((lo_cores as f64).log2().floor() as i32 + 1),
    );
    let h = 300.0;
    let x = move |cores: f64| {
        LEFT + (cores.max(1.0).log2() - f64::from(e0)) / f64::from(e1 - e0)
            * (W - LEFT - RIGHT - 20.0)
            + 10.0
    };
    let top = g
        .series
        .iter()
        .flat_map(|s| {
            s.points
                .iter()
                .map(|pt| pt.speedup)
                .chain(s.band.iter().map(|b| b.high))
        })
        .fold(1.0f64, f64::max)
        * 1.12;
    let id = format!("class-chart-{}", p.index);
    let mut s = Svg::new(
        &id,
        h,
        &format!(
            "{}: each model's speedup against the machine's cores",
            g.title
        ),
        None,
    );
    let y = y_axis(&mut s, top, h, "speedup vs seq (×)");
    s.tag("g").a("class", "axis x").open();
    for e in e0..=e1 {
        let c = 2f64.powi(e);
        s.x_tick(h, x(c), "middle", c);
    }
    s.close("g");
    s.line(Some("ref"), (LEFT, W - RIGHT), (y(1.0), y(1.0)));
    let n = g.series.len().max(1) as f64;
    for (i, series) in g.series.iter().enumerate() {
        let class = model_class(series.model);
        // The band the lesson expects, as a shaded strip across the cores seen.
        if !series.band.is_empty() {
            let upper = series
                .band
                .iter()
                .map(|b| (x(f64::from(b.cores)), y(b.high)));
            let lower = series
                .band
                .iter()
                .rev()
                .map(|b| (x(f64::from(b.cores)), y(b.low)));
            let pts: Vec<String> = upper
                .chain(lower)
                .map(|(a, b)| format!("{a:.1},{b:.1}"))
                .collect();
            s.tag("polygon")
                .a("class", format_args!("band {class}"))
                .a("data-model", series.model.id())
                .a("points", pts.join(" "))
                .end();
        }
        // Series side by side within a core count, and each engine's runs
        // within a series, so that no mark hides another of the same figure.
        let dx = (i as f64 - (n - 1.0) / 2.0) * 16.0;
        s.tag("g")
            .a("class", format_args!("series {class}"))
            .a("data-model", series.model.id())
            .open();
        for pt in &series.points {
            let excluded = pt.excluded.is_some();
            s.tag("g")
                .a("class", if excluded { "mark excluded" } else { "mark" })
                .a("data-member", pt.member)
                .a("data-cores", pt.cores)
                .a("data-speedup", format_args!("{:.4}", pt.speedup))
                .a("data-engine", pt.engine.name())
                .open();
            s.tag("title").text(format_args!(
                "{}: {} on {} cores, {}{}",
                series.label(),
                times(pt.speedup),
                pt.cores,
                pt.engine.name(),
                pt.excluded
                    .as_ref()
                    .map(|e| format!(" — left out: {e}"))
                    .unwrap_or_default()
            ));
            let by_engine = match pt.engine {
                Engine::Chromium => -5.0,
                Engine::Firefox => 0.0,
                Engine::WebKit => 5.0,
                Engine::Other => 2.5,
            };
            mark(
                &mut s,
                pt.engine,
                x(f64::from(pt.cores)) + dx + by_engine,
                y(pt.speedup),
            );
            s.close("g");
        }
        s.close("g");
    }
    s.x_label(h, "logical cores of the machine");
    html! {
        <figure class="chart class-chart" id={id}>
            <figcaption>{ format!("{}: speedup against cores, one mark per run; the shaded bands are what the lesson expects", g.title) }</figcaption>
            { drawn(s) }
            <p class="legend">
                { for g.series.iter().map(|se| html! {
                    <span><i class={classes!("swatch", model_class(se.model))}></i>{ se.label() }</span>
                }) }
                <span class="legend-note">{ "Marks: ● Chromium, ■ Firefox, ▲ WebKit, ◆ other; hollow: left out of the summary" }</span>
            </p>
        </figure>
    }
}
