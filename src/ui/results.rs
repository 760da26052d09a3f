//! Environment, status and the results table.

use super::charts::{
    ConvoyChart, Deferred, HandoverChart, MixChart, SamplesChart, SizesChart, SpeedupChart,
    SweepChart, Timeline,
};
use crate::format::{cell, times, MISSING};
use crate::report::{browser_label, env_line, Env, ModelResult, Report};
use crate::session::{EngineInfo, Phase, Progress};
use crate::verdict::verdict_with_trace;
use crate::workloads::Workload;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ViewProps {
    pub report: Rc<Report>,
    pub workload: Workload,
}

/// The speedup chart's ideal line: a task per worker, and on CPU work no
/// more than a worker per core; none where a speedup is not the point.
pub fn ideal_speedup(workload: &Workload, r: &Report) -> f64 {
    let cores = r.env.cores.max(1);
    let workers = r.results.iter().map(|x| x.workers).max().unwrap_or(1);
    let tasks = workload.tasks();
    f64::from(match workload {
        Workload::Io(_) => tasks.min(workers),
        Workload::Spawn(_) | Workload::Counter(_) | Workload::Transfer(_) => 0,
        _ => tasks.min(workers).min(cores),
    })
}

/// One sentence per model: what its figure means for the lesson.
#[function_component(Verdicts)]
pub fn verdicts(p: &ViewProps) -> Html {
    let r = &p.report;
    let cores = r.env.cores.max(1);
    html! {
        <ul id="verdicts">
            { for r.results.iter().map(|x| html! {
                <li data-model={x.model.id()} class={classes!((!x.correct).then_some("bad"))}>
                    <b>{ x.model.name() }</b>{ " " }<code>{ x.model.id() }</code>{ ": " }
                    { super::lesson::rich(&verdict_with_trace(&p.workload, cores, &r.results, x, r.interleaving(x.model))) }
                </li>
            }) }
        </ul>
    }
}

/// A finished run in context: what each model's figure means, then the
/// charts and the table.
#[function_component(ResultsView)]
pub fn results_view(p: &ViewProps) -> Html {
    let r = &p.report;
    let cores = r.env.cores.max(1);
    let ideal = ideal_speedup(&p.workload, r);
    let timelines: Vec<_> = r
        .results
        .iter()
        .filter(|x| !x.spans.is_empty())
        .cloned()
        .collect();
    html! {
        <>
        <super::predict::PredictionOutcome report={r.clone()} />
        <section class="verdicts" aria-labelledby="results-title">
            <h2 id="results-title">{ "What the run shows" }</h2>
            <p class="env-line" id="result-env">{ env_line(&r.env) }</p>
            if !r.background.is_empty() {
                <p class="warn" id="background-warning">
                    { r.background_words() }
                </p>
            }
            <Verdicts report={r.clone()} workload={p.workload.clone()} />
        </section>
        <super::race::Interleavings report={r.clone()} />
        if matches!(p.workload, Workload::Counter(_)) {
            <super::race::StepperView />
        }
        <section class="charts" aria-label="Charts">
            <SpeedupChart report={r.clone()} ideal={ideal} />
            <SamplesChart report={r.clone()} />
            if !r.sweep.is_empty() {
                <SweepChart points={r.sweep.clone()} cores={cores} usl={r.usl.clone()} />
            }
            if !r.handovers.is_empty() {
                <HandoverChart bars={r.handovers.clone()} />
            }
            if !r.sizes.is_empty() {
                <SizesChart points={r.sizes.clone()} />
            }
            if !r.mix.is_empty() {
                <MixChart points={r.mix.clone()} />
            }
            if !r.convoy.is_empty() {
                <ConvoyChart points={r.convoy.clone()} />
            }
        </section>
        <ResultsTable report={r.clone()} />
        <super::limits::LimitsPanel report={r.clone()} />
        if !timelines.is_empty() {
            <section class="timelines" aria-label="Timelines">
                <h2>{ "What each worker did" }</h2>
                // Each timeline is drawn in a task of its own, after the
                // rest of the results: together they are the page's biggest
                // redraw, and one long task would stall the main thread.
                { for timelines.into_iter().enumerate().map(|(i, x)| html! {
                    <Deferred delay_ms={i as i32}><Timeline result={x} /></Deferred>
                }) }
            </section>
        }
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct EnvProps {
    pub env: Env,
    pub engine: Option<EngineInfo>,
}

#[function_component(EnvPanel)]
pub fn env_panel(p: &EnvProps) -> Html {
    let e = &p.env;
    html! {
        <section class="env" aria-label="Environment">
            <span id="env-cores"><b>{ e.cores }</b>{ " logical cores" }</span>
            <span id="env-isolated" class={if e.isolated { "ok" } else { "bad" }}>
                { if e.isolated { "cross-origin isolated ✓" } else { "not cross-origin isolated ✗" } }
            </span>
            <span id="env-browser">{ browser_label(&e.user_agent) }</span>
            if let Some(info) = &p.engine {
                <span id="env-engine" data-live-processes={info.live_processes.map(|n| n.to_string())}
                    data-threads={info.threads.to_string()} data-pool-ms={info.process_pool_ms.to_string()}>{ format!(
                    "engine: {} threads started in {:.0} ms; {} processes (the engine's own module, \
                     each with memory of its own) instantiated in {:.0} ms",
                    info.threads, info.thread_pool_ms, info.threads, info.process_pool_ms
                ) }</span>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct StatusProps {
    pub phase: Phase,
    pub progress: Option<Progress>,
    pub failure: Option<String>,
    pub notice: Option<String>,
}

/// One line on what the page is doing; while a run is in progress, where
/// the engine is, down to the tasks finished in the current round. Only a
/// failure is announced from here (an alert); the rest is the live
/// region's (`#announce`), which does not read out every count.
#[function_component(StatusLine)]
pub fn status_line(p: &StatusProps) -> Html {
    match p.phase {
        Phase::Running => html! {
            <p id="status" class="status running">
                { p.progress.as_ref().map(|x| x.to_string()).unwrap_or_default() }
            </p>
        },
        Phase::Error => html! {
            <p id="status" class="status error" role="alert">
                { "The run failed: " }{ p.failure.clone().unwrap_or_default() }
            </p>
        },
        Phase::Done => html! {
            <p id="status" class="status done">
                { "Done. First runs in a fresh wasm module are slow (the browser has not optimized it yet), \
                   so warm-up runs are left out of these figures." }
            </p>
        },
        Phase::Shared => html! {
            <p id="status" class="status shared">{
                "Showing results from a link: nothing ran here. Run on this machine to compare."
            }</p>
        },
        Phase::Idle => html! {
            <p id="status" class="status">{
                p.notice.clone().unwrap_or_else(|| "Press Run to measure every chosen model on this machine.".to_string())
            }</p>
        },
    }
}

#[derive(Properties, PartialEq)]
pub struct TableProps {
    pub report: Rc<Report>,
}

fn ms(v: Option<f64>) -> String {
    cell(v, 1)
}

#[function_component(ResultsTable)]
pub fn results_table(p: &TableProps) -> Html {
    let r = &p.report;
    let best = r
        .results
        .iter()
        .filter_map(|x| x.speedup)
        .fold(1.0_f64, f64::max)
        .max(r.results.first().map_or(1.0, |x| x.workers as f64));
    html! {
        // Focusable, so that a keyboard can scroll the table where it is
        // wider than a narrow screen.
        <section class="results" aria-label="Results table" tabindex="0">
            <table id="results">
                <caption>{ {
                    let n = r.results.first().map_or(0, |x| x.samples_ms.len());
                    format!(
                        "{n} repeat{} per model after warm-up, interleaved across models; speedup = median(seq) ÷ median(model); 95% intervals by bootstrap (3 or more repeats)",
                        if n == 1 { "" } else { "s" }
                    )
                } }</caption>
                <thead><tr>
                    <th scope="col">{ "model" }</th>
                    <th scope="col">{ "workers" }</th>
                    <th scope="col">{ "median ± MAD ms" }</th>
                    <th scope="col" class="col-range">{ "95% interval" }</th>
                    <th scope="col" class="col-range">{ "min – max ms" }</th>
                    <th scope="col">{ "speedup" }</th>
                    <th scope="col" class="col-eff">{ "efficiency" }</th>
                    <th scope="col">{ "result" }</th>
                </tr></thead>
                <tbody>
                { for r.results.iter().map(|x| {
                    let width = x.speedup.map_or(0.0, |s| (s / best * 100.0).clamp(0.0, 100.0));
                    html! {
                        <tr data-model={x.model.id()}>
                            <th scope="row"><code>{ x.model.id() }</code><small>{ x.model.stands_for() }</small></th>
                            <td class="num">{ x.workers }</td>
                            <td class="num median"><span class="value">{ ms(x.median_ms) }</span>
                                if let Some(d) = x.mad_ms {
                                    <small class="mad" title="median absolute deviation">{ format!(" ± {d:.1}") }</small>
                                }
                            </td>
                            <td class="num col-range">{ x.median_ci_ms.map_or(MISSING.to_string(), |(a, b)| format!("{a:.1} – {b:.1}")) }</td>
                            <td class="num col-range">{ format!("{} – {}", ms(x.min_ms), ms(x.max_ms)) }</td>
                            <td class="speedup">
                                // An SVG bar, not a styled span: the page's CSP allows no inline styles.
                                <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                    <rect width={format!("{width:.1}")} height="10" />
                                </svg>
                                <span class="num">{ x.speedup.map_or_else(|| MISSING.into(), times) }</span>
                                if let Some(why) = &x.suspect {
                                    <strong class="suspect" title={why.clone()}>{ " suspect" }</strong>
                                }
                            </td>
                            <td class="num col-eff">{ x.efficiency.map_or(MISSING.to_string(), |e| format!("{:.0}%", e * 100.0)) }</td>
                            <td class={if x.correct { "ok" } else { "bad" }}>
                                { if x.correct { "✓ correct" } else { "✗ wrong" } }
                                <small>{ format!(" {} of {}", group_digits(&x.value), group_digits(&x.expected)) }</small>
                                if let Some(lost) = &x.lost_updates {
                                    <div class="lost">{ format!("{} updates lost", group_digits(lost)) }</div>
                                }
                                { for notes(x).into_iter().map(|n| html! { <div class="note">{ n }</div> }) }
                                { for x.errors.iter().map(|e| html! { <div class="task-error">{ format!("task {}: {}", e.task, e.message) }</div> }) }
                                { for x.warnings.iter().map(|w| html! { <div class="warning" data-kind={w.kind()}>{ w.words() }</div> }) }
                            </td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
        </section>
    }
}

/// "8000000" → "8,000,000"; leaves anything that is not all digits alone.
fn group_digits(s: &str) -> String {
    s.parse::<u64>()
        .map_or_else(|_| s.to_string(), crate::format::group)
}

/// The figures a model or lesson added, in words, in the order they read:
/// a fork's parts follow its step, the spare's cold start last.
/// A µs figure the clock could not time reads as a bound ("under 2000 µs").
fn notes(r: &ModelResult) -> Vec<String> {
    const ORDER: [&str; 5] = [
        "per_step_us",
        "fork_start_us",
        "fork_instantiate_us",
        "cold_start_us",
        "gil_hand_offs",
    ];
    ORDER
        .iter()
        .filter_map(|k| r.figures.get(*k).map(|v| (*k, *v)))
        .map(|(k, v)| {
            let us = r.figure_us(k).unwrap_or_default();
            match k {
                "per_step_us" => format!("{us} per start and join"),
                "fork_start_us" => format!("{us} to make each process from a warm spare"),
                "fork_instantiate_us" => format!("{us} of that instantiating the module"),
                "cold_start_us" if r.timed(k) => format!(
                    "{:.1} ms to start each spare worker, cold, before it was needed",
                    v / 1e3
                ),
                "cold_start_us" => {
                    format!("{us} to start each spare worker, cold, before it was needed")
                }
                _ => format!("{v:.0} GIL hand-offs"),
            }
        })
        .collect()
}
