//! The configuration form. Every field writes a URL key of DESIGN.md, so the
//! form and the query string never disagree.

use super::state::{AppState, Phase};
use crate::models::ModelId;
use crate::workloads::WORKLOAD_IDS;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FormProps {
    pub state: UseReducerHandle<AppState>,
    pub on_set: Callback<(String, String)>,
    pub on_run: Callback<()>,
    pub on_cancel: Callback<()>,
}

#[derive(Properties, PartialEq)]
struct FieldProps {
    key_name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: String,
    error: Option<String>,
    on_set: Callback<(String, String)>,
}

#[function_component(Field)]
fn field(p: &FieldProps) -> Html {
    let key = p.key_name;
    let oninput = p.on_set.reform(move |e: InputEvent| {
        (
            key.to_string(),
            e.target_unchecked_into::<HtmlInputElement>().value(),
        )
    });
    let id = format!("f-{key}");
    let invalid = p.error.is_some();
    html! {
        <div class={classes!("field", invalid.then_some("invalid"))}>
            <label for={id.clone()}>{ p.label }<code>{ key }</code></label>
            <input id={id} name={key} type="text" inputmode="numeric" value={p.value.clone()}
                aria-invalid={invalid.to_string()} {oninput} />
            <small>{ p.hint }</small>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ChoiceProps {
    key_name: &'static str,
    label: &'static str,
    hint: &'static str,
    options: &'static [&'static str],
    value: String,
    on_set: Callback<(String, String)>,
}

#[function_component(Choice)]
fn choice(p: &ChoiceProps) -> Html {
    let key = p.key_name;
    let onchange = p.on_set.reform(move |e: Event| {
        (
            key.to_string(),
            e.target_unchecked_into::<HtmlSelectElement>().value(),
        )
    });
    let id = format!("f-{key}");
    html! {
        <div class="field">
            <label for={id.clone()}>{ p.label }<code>{ key }</code></label>
            <select id={id} name={key} {onchange}>
                { for p.options.iter().map(|o| html! {
                    <option value={*o} selected={p.value == *o}>{ *o }</option>
                }) }
            </select>
            <small>{ p.hint }</small>
        </div>
    }
}

/// Label, hint (with the limits) and, for a choice, its options.
fn param_meta(w: &str, key: &str) -> (&'static str, &'static str, Option<&'static [&'static str]>) {
    match (w, key) {
        ("cpu", "tasks") => ("Tasks", "countdown loops to run, 1–256", None),
        ("cpu", "n") => ("Steps per task", "loop steps, 1–10,000,000,000", None),
        ("squares", "n") => ("Numbers", "square 1..n and sum, 1–1,000,000,000", None),
        ("squares", "tasks") => ("Tasks", "equal chunks of 1..n, 1–1,024", None),
        ("io", "tasks") => ("Tasks", "waits to run, 1–256", None),
        ("io", "wait_ms") => ("Wait per task", "ms of blocking I/O, 0–10,000", None),
        ("io", "cpu_n") => ("CPU steps", "work after the wait, 0–1,000,000,000", None),
        ("spawn", "count") => ("Workers to start", "one after another, 1–1,000", None),
        ("counter", "tasks") => ("Tasks", "workers incrementing, 1–64", None),
        ("counter", "increments") => ("Increments", "per task, 1–100,000,000", None),
        ("counter", "sync") => (
            "Sync",
            "how the counter is updated",
            Some(&["racy", "locked", "atomic", "messages"]),
        ),
        ("transfer", "tasks") => ("Tasks", "receivers, 1–64", None),
        ("transfer", "mib") => ("Buffer", "MiB per task, 0.001–256", None),
        ("transfer", "via") => (
            "Via",
            "how the buffer travels",
            Some(&["copy", "move", "shared"]),
        ),
        ("failure", "tasks") => ("Tasks", "1–64", None),
        ("failure", "fail_at") => ("Failing task", "its index, 0 to tasks − 1", None),
        ("failure", "n") => ("Steps per task", "1–1,000,000,000", None),
        _ => ("Parameter", "", None),
    }
}

#[function_component(ConfigForm)]
pub fn config_form(p: &FormProps) -> Html {
    let s = &*p.state;
    let running = s.phase == Phase::Running;
    let field = |key: &'static str, label: &'static str, hint: &'static str| {
        html! {
            <Field key_name={key} {label} {hint} value={s.field(key)}
                error={s.error_for(key).map(|e| e.to_string())} on_set={p.on_set.clone()} />
        }
    };

    let on_workload = p.on_set.reform(|e: Event| {
        (
            "w".to_string(),
            e.target_unchecked_into::<HtmlSelectElement>().value(),
        )
    });
    let chosen = s.config.models.clone();
    let model_boxes = ModelId::ALL.iter().map(|&m| {
        let checked = chosen.contains(&m);
        let chosen = chosen.clone();
        let onchange = p.on_set.reform(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            let list: Vec<&str> = ModelId::ALL
                .iter()
                .filter(|x| if **x == m { on } else { chosen.contains(x) })
                .map(|x| x.id())
                .collect();
            ("models".to_string(), list.join(","))
        });
        let disabled = !m.available() && !checked;
        html! {
            <label class={classes!("model", disabled.then_some("unavailable"))}
                   title={if m.available() { m.stands_for().to_string() } else { format!("{} — coming in a later version of the page", m.stands_for()) }}>
                <input type="checkbox" id={format!("m-{}", m.id())} {checked} {disabled} {onchange} />
                <code>{ m.id() }</code>
                <span>{ m.stands_for() }</span>
            </label>
        }
    });

    let onsubmit = {
        let on_run = p.on_run.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_run.emit(());
        })
    };
    let current_w = s.field("w");

    html! {
        <form class="config" {onsubmit} aria-label="Run configuration">
            <div class="row">
                <div class="field">
                    <label for="f-w">{ "Workload" }<code>{ "w" }</code></label>
                    <select id="f-w" onchange={on_workload}>
                        { for WORKLOAD_IDS.iter().map(|w| html! {
                            <option value={*w} selected={current_w == *w}>{ *w }</option>
                        }) }
                    </select>
                    <small>{ "the lesson's experiment" }</small>
                </div>
                { for s.config.workload.keys().iter().map(|k| {
                    let (label, hint, choices) = param_meta(s.config.workload.id(), k);
                    match choices {
                        Some(options) => html! {
                            <Choice key_name={*k} {label} {hint} {options} value={s.field(k)}
                                on_set={p.on_set.clone()} />
                        },
                        None => field(k, label, hint),
                    }
                }) }
            </div>
            <fieldset class="models">
                <legend>{ "Models" }<code>{ "models" }</code></legend>
                { for model_boxes }
            </fieldset>
            <div class="row">
                { field("workers", "Workers", "threads or processes per model, 1–64") }
                { field("repeats", "Repeats", "measured runs per model, 1–50") }
                { field("warmup", "Warm-up", "unmeasured runs first, 0–5") }
                if s.config.models.iter().any(|m| matches!(m, ModelId::Gil | ModelId::OldGil)) {
                    { field("switch_ms", "GIL switch interval", "ms a waiting thread waits before it asks for the GIL, 0.1–100") }
                }
            </div>
            if !s.errors.is_empty() {
                <ul id="config-errors" class="errors" role="alert">
                    { for s.errors.iter().map(|e| html! {
                        <li data-key={e.key.clone()}>
                            <code>{ &e.key }</code>{ format!(" = \"{}\" is not allowed: {}.", e.value, e.limit) }
                        </li>
                    }) }
                </ul>
                <p class="errors-note">{ "Everything else is kept. Correct the marked fields to run." }</p>
            }
            <div class="actions">
                <button id="run" type="submit" disabled={running || !s.errors.is_empty()}>
                    { if running { "Running…" } else { "Run" } }
                </button>
                if running {
                    <button id="cancel" type="button" class="secondary"
                        onclick={p.on_cancel.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                }
            </div>
        </form>
    }
}
