//! Environment, status and the results table.

use super::state::{AppState, EngineInfo, Phase};
use crate::report::{browser_label, Env, Report};
use yew::prelude::*;

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
                <span id="env-engine" data-live-processes={info.live_processes.map(|n| n.to_string())}>{ format!(
                    "engine: {} threads started in {:.0} ms; process module compiled in {:.0} ms, \
                     {} processes instantiated in {:.0} ms",
                    info.threads, info.thread_pool_ms, info.process_compile_ms, info.threads, info.process_pool_ms
                ) }</span>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct StatusProps {
    pub state: UseReducerHandle<AppState>,
}

#[function_component(StatusLine)]
pub fn status_line(p: &StatusProps) -> Html {
    let s = &*p.state;
    match s.phase {
        Phase::Running => html! {
            <p id="status" class="status running" role="status">{ s.progress.clone().unwrap_or_default() }</p>
        },
        Phase::Error => html! {
            <p id="status" class="status error" role="alert">
                { "The run failed: " }{ s.failure.clone().unwrap_or_default() }
            </p>
        },
        Phase::Done => html! {
            <p id="status" class="status done" role="status">
                { "Done. First runs in a fresh wasm module are slow (the browser has not optimized it yet), \
                   so warm-up runs are left out of these figures." }
            </p>
        },
        Phase::Idle => html! {
            <p id="status" class="status" role="status">{
                s.notice.clone().unwrap_or_else(|| "Press Run to measure every chosen model on this machine.".to_string())
            }</p>
        },
    }
}

#[derive(Properties, PartialEq)]
pub struct TableProps {
    pub report: Report,
}

fn ms(v: Option<f64>) -> String {
    v.map_or("—".to_string(), |v| format!("{v:.1}"))
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
        <section class="results" aria-label="Results">
            <table id="results">
                <caption>{ format!("{} repeats per model after warm-up; speedup = median(seq) ÷ median(model)", r.results.first().map_or(0, |x| x.samples_ms.len())) }</caption>
                <thead><tr>
                    <th scope="col">{ "model" }</th>
                    <th scope="col">{ "workers" }</th>
                    <th scope="col">{ "median ms" }</th>
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
                            <td class="num median">{ ms(x.median_ms) }</td>
                            <td class="num col-range">{ format!("{} – {}", ms(x.min_ms), ms(x.max_ms)) }</td>
                            <td class="speedup">
                                <span class="bar" style={format!("width:{width:.1}%")}></span>
                                <span class="num">{ x.speedup.map_or("—".to_string(), |s| format!("{s:.2}×")) }</span>
                            </td>
                            <td class="num col-eff">{ x.efficiency.map_or("—".to_string(), |e| format!("{:.0}%", e * 100.0)) }</td>
                            <td class={if x.correct { "ok" } else { "bad" }}>
                                { if x.correct { "✓ correct" } else { "✗ wrong" } }
                                <small>{ format!(" {} of {}", group_digits(&x.value), group_digits(&x.expected)) }</small>
                                if let Some(lost) = &x.lost_updates {
                                    <div class="lost">{ format!("{} updates lost", group_digits(lost)) }</div>
                                }
                                { for notes(&x.figures).into_iter().map(|n| html! { <div class="note">{ n }</div> }) }
                                { for x.errors.iter().map(|e| html! { <div class="task-error">{ format!("task {}: {}", e.task, e.message) }</div> }) }
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
        .map_or_else(|_| s.to_string(), crate::workloads::group)
}

/// The figures a model or lesson added, in words.
fn notes(figures: &std::collections::BTreeMap<String, f64>) -> Vec<String> {
    figures
        .iter()
        .filter_map(|(k, v)| match k.as_str() {
            "per_step_us" => Some(format!("{v:.0} µs per start and join")),
            "process_compile_ms" => Some(format!("compiling the process module once: {v:.1} ms")),
            "gil_hand_offs" => Some(format!("{v:.0} GIL hand-offs")),
            _ => None,
        })
        .collect()
}
