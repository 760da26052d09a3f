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
                { for s.config.workload.keys().iter().map(|k| match *k {
                    "tasks" => field("tasks", "Tasks", "countdown loops to run, 1–256"),
                    "n" => field("n", "Steps per task", "loop steps, 1–10,000,000,000"),
                    other => field(other, "Parameter", ""),
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
            </div>
        </form>
    }
}
