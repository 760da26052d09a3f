//! The configuration form. Every field writes a URL key (`docs/url.md`), so
//! the form and the query string never disagree; labels, hints and choices
//! come from the keys' specs, so they cannot drift from the parser's limits.

use super::state::{AppState, Phase};
use crate::config::{MODELS, REPEATS, SWITCH_MS, W, WARMUP, WORKERS};
use crate::models::ModelId;
use crate::params::ParamSpec;
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
    spec: &'static ParamSpec,
    value: String,
    error: Option<String>,
    on_set: Callback<(String, String)>,
}

#[function_component(Field)]
fn field(p: &FieldProps) -> Html {
    let key = p.spec.key;
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
            <label for={id.clone()}>{ p.spec.label }<code>{ key }</code></label>
            <input id={id} name={key} type="text" inputmode="numeric" value={p.value.clone()}
                aria-invalid={invalid.to_string()} {oninput} />
            <small>{ p.spec.hint() }</small>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ChoiceProps {
    spec: &'static ParamSpec,
    value: String,
    on_set: Callback<(String, String)>,
}

#[function_component(Choice)]
fn choice(p: &ChoiceProps) -> Html {
    let key = p.spec.key;
    let onchange = p.on_set.reform(move |e: Event| {
        (
            key.to_string(),
            e.target_unchecked_into::<HtmlSelectElement>().value(),
        )
    });
    let id = format!("f-{key}");
    html! {
        <div class="field">
            <label for={id.clone()}>{ p.spec.label }<code>{ key }</code></label>
            <select id={id} name={key} {onchange}>
                { for p.spec.words().unwrap_or_default().iter().map(|o| html! {
                    <option value={*o} selected={p.value == *o}>{ *o }</option>
                }) }
            </select>
            <small>{ p.spec.hint() }</small>
        </div>
    }
}

#[function_component(ConfigForm)]
pub fn config_form(p: &FormProps) -> Html {
    let s = &*p.state;
    let running = s.phase == Phase::Running;
    let field = |spec: &'static ParamSpec| {
        html! {
            <Field {spec} value={s.field(spec.key)}
                error={s.error_for(spec.key).map(|e| e.to_string())} on_set={p.on_set.clone()} />
        }
    };

    let on_workload = p.on_set.reform(|e: Event| {
        (
            W.key.to_string(),
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
            (MODELS.key.to_string(), list.join(","))
        });
        let runs_here = super::state::page_capabilities().allows(m);
        let disabled = !runs_here && !checked;
        html! {
            <label class={classes!("model", disabled.then_some("unavailable"))}
                   title={if runs_here { m.stands_for().to_string() } else { format!("{} — {}", m.stands_for(), crate::capabilities::WHY_SHARED) }}>
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
                    <label for="f-w">{ W.label }<code>{ W.key }</code></label>
                    <select id="f-w" onchange={on_workload}>
                        { for W.words().unwrap_or_default().iter().map(|w| html! {
                            <option value={*w} selected={current_w == *w}>{ *w }</option>
                        }) }
                    </select>
                    <small>{ W.hint() }</small>
                </div>
                { for s.config.workload.params().iter().map(|spec| {
                    if spec.words().is_some() {
                        html! { <Choice {spec} value={s.field(spec.key)} on_set={p.on_set.clone()} /> }
                    } else {
                        field(spec)
                    }
                }) }
            </div>
            <fieldset class="models">
                <legend>{ MODELS.label }<code>{ MODELS.key }</code></legend>
                { for model_boxes }
            </fieldset>
            <div class="row">
                { field(&WORKERS) }
                { field(&REPEATS) }
                { field(&WARMUP) }
                if s.config.models.iter().any(|m| matches!(m, ModelId::Gil | ModelId::OldGil)) {
                    { field(&SWITCH_MS) }
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
            if !s.limits.is_empty() {
                <ul id="config-limits" class="limits" role="status">
                    { for s.limits.iter().map(|e| html! {
                        <li data-key={e.key.clone()}>
                            <code>{ &e.key }</code>{ format!(" = \"{}\" cannot run here: {}.", e.value, e.limit) }
                        </li>
                    }) }
                </ul>
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
