//! The configuration form. Every field writes a URL key (`docs/url.md`), so
//! the form and the query string never disagree; labels, hints and choices
//! come from the keys' specs, so they cannot drift from the parser's limits.

use super::state::{cancel_action, run_action};
use crate::capabilities::Capabilities;
use crate::config::{
    RunConfig, HYBRID_GIL, MODELS, PROCS, REPEATS, SWITCH_MS, THREADS, W, WARMUP, WORKERS,
};
use crate::models::ModelId;
use crate::params::ParamSpec;
use crate::session::{Action, Form, Session};
use crate::workloads::ParamError;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FormProps {
    pub form: Form,
    pub running: bool,
    pub dispatch: UseReducerDispatcher<Session>,
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

/// The settings as the user entered them (`raw`) and as parsed (`config`):
/// a rejected value stays in its field, marked, until it is corrected.
#[function_component(ConfigForm)]
pub fn config_form(p: &FormProps) -> Html {
    let on_set = {
        let d = p.dispatch.clone();
        Callback::from(move |(k, v): (String, String)| d.dispatch(Action::Set(k, v)))
    };
    let form = &p.form;
    let value = |key: &str| form.field(key);
    let field = |spec: &'static ParamSpec| {
        let error = form.errors.iter().find(|e| e.key == spec.key);
        html! {
            <Field {spec} value={value(spec.key)} error={error.map(|e| e.to_string())} on_set={on_set.clone()} />
        }
    };
    let onsubmit = p.dispatch.to_callback().reform(|e: SubmitEvent| {
        e.prevent_default();
        run_action()
    });
    let hybrid = form.config.models.contains(&ModelId::Hybrid);
    let gil = (hybrid && form.config.hybrid_gil)
        || form
            .config
            .models
            .iter()
            .any(|m| matches!(m, ModelId::Gil | ModelId::OldGil));
    html! {
        <form class="config" {onsubmit} aria-label="Run configuration">
            <div class="row">
                <Choice spec={&W} value={value(W.key)} on_set={on_set.clone()} />
                { for form.config.workload.params().iter().filter(|spec| shown(&form.config, spec)).map(|spec| {
                    if spec.words().is_some() {
                        html! { <Choice {spec} value={value(spec.key)} on_set={on_set.clone()} /> }
                    } else {
                        field(spec)
                    }
                }) }
            </div>
            <ModelBoxes chosen={form.config.models.clone()} caps={form.caps} on_set={on_set.clone()} />
            <div class="row">
                { field(&WORKERS) }
                { field(&REPEATS) }
                { field(&WARMUP) }
                if gil {
                    { field(&SWITCH_MS) }
                }
            </div>
            if hybrid {
                <div class="row">
                    { field(&PROCS) }
                    { field(&THREADS) }
                    { field(&HYBRID_GIL) }
                </div>
            }
            { problems(&form.errors, &form.limits) }
            <div class="actions">
                // During a run Run stays focusable (aria-disabled, and the
                // session ignores it): a disabled button would drop the
                // keyboard's focus to the top of the page.
                <button id="run" type="submit" disabled={!form.errors.is_empty()}
                    aria-disabled={p.running.then_some("true")}>
                    { if p.running { "Running…" } else { "Run" } }
                </button>
                if p.running {
                    <button id="cancel" type="button" class="secondary" onclick={on_cancel(&p.dispatch)}>{ "Cancel" }</button>
                }
            </div>
        </form>
    }
}

/// Whether the form shows `spec`: a convoy's request count only while the
/// convoy is on, since nothing else reads it.
fn shown(cfg: &RunConfig, spec: &ParamSpec) -> bool {
    spec.key != crate::workloads::io::REQUESTS.key
        || matches!(&cfg.workload, crate::workloads::Workload::Io(io) if io.convoy.is_some())
}

/// Cancel, and focus back on Run: the Cancel button goes with the run.
fn on_cancel(dispatch: &UseReducerDispatcher<Session>) -> Callback<MouseEvent> {
    let dispatch = dispatch.clone();
    Callback::from(move |_: MouseEvent| {
        dispatch.dispatch(cancel_action());
        super::focus("run");
    })
}

/// Values that are not allowed (they block Run) and settings this page
/// cannot run (they do not: the run goes on without them). The live roles
/// sit on a wrapper: on the list itself they would take away its list role.
fn problems(errors: &[ParamError], limits: &[ParamError]) -> Html {
    html! {
        <>
        if !errors.is_empty() {
            <div role="alert">
            <ul id="config-errors" class="errors">
                { for errors.iter().map(|e| html! {
                    <li data-key={e.key.clone()}>
                        <code>{ &e.key }</code>{ format!(" = \"{}\" is not allowed: {}.", e.value, e.limit) }
                    </li>
                }) }
            </ul>
            </div>
            <p class="errors-note">{ "Everything else is kept. Correct the marked fields to run." }</p>
        }
        if !limits.is_empty() {
            <div role="status">
            <ul id="config-limits" class="limits">
                { for limits.iter().map(|e| html! {
                    <li data-key={e.key.clone()}>
                        <code>{ &e.key }</code>{ format!(" = \"{}\" cannot run here: {}.", e.value, e.limit) }
                    </li>
                }) }
            </ul>
            </div>
        }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct ModelProps {
    chosen: Vec<ModelId>,
    caps: Capabilities,
    on_set: Callback<(String, String)>,
}

/// One box per model; ticking one rewrites the `models` key.
#[function_component(ModelBoxes)]
fn model_boxes(p: &ModelProps) -> Html {
    let boxes = ModelId::ALL.iter().map(|&m| {
        let checked = p.chosen.contains(&m);
        let chosen = p.chosen.clone();
        let onchange = p.on_set.reform(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            let list: Vec<&str> = ModelId::ALL
                .iter()
                .filter(|x| if **x == m { on } else { chosen.contains(x) })
                .map(|x| x.id())
                .collect();
            (MODELS.key.to_string(), list.join(","))
        });
        let runs_here = p.caps.allows(m);
        let disabled = !runs_here && !checked;
        let title = if runs_here {
            m.stands_for().to_string()
        } else {
            format!("{} — {}", m.stands_for(), crate::capabilities::WHY_SHARED)
        };
        html! {
            <label class={classes!("model", disabled.then_some("unavailable"))} {title}>
                <input type="checkbox" id={format!("m-{}", m.id())} {checked} {disabled} {onchange} />
                <code>{ m.id() }</code>
                <span>{ m.stands_for() }</span>
            </label>
        }
    });
    html! {
        <fieldset class="models">
            <legend>{ MODELS.label }<code>{ MODELS.key }</code></legend>
            { for boxes }
        </fieldset>
    }
}
