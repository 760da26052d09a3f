//! The page: Yew function components over one reducer. Workers do all the
//! computing; the page only sends a run and draws what comes back.

mod charts;
mod form;
mod lesson;
mod results;
mod share;
mod state;

use crate::plan;
use crate::protocol::{FromEngine, ToEngine};
use crate::web::client::EngineClient;
use state::{Action, AppState, Phase};
use wasm_bindgen::JsValue;
use yew::prelude::*;

pub fn start() {
    console_error_panic_hook::set_once();
    let root = gloo_root();
    yew::Renderer::<App>::with_root(root).render();
}

fn gloo_root() -> web_sys::Element {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .expect("a document");
    doc.get_element_by_id("app").expect("index.html has #app")
}

fn set_run_state(phase: Phase) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-run-state", phase.attr());
    }
}

/// Mirrors the form into the address bar, so the page is always a link to
/// what it shows. `run` is dropped: editing the form should not make a
/// reload start work.
fn replace_url(query: &str) {
    let Some(w) = web_sys::window() else { return };
    let path = w.location().pathname().unwrap_or_default();
    let url = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// The configuration a report was made with, from its `config` document.
fn config_of(report: &crate::report::Report, cores: u32) -> crate::config::RunConfig {
    crate::config::RunConfig::from_map(&report.config, cores).0
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::from_location);
    let engine = use_mut_ref(|| None::<EngineClient>);

    {
        let phase = state.phase;
        use_effect_with(phase, move |p| set_run_state(*p));
    }
    {
        let edits = state.edits;
        let query = state.url_query();
        use_effect_with(edits, move |e| {
            if *e > 0 {
                replace_url(&query);
            }
        });
    }

    let run = {
        let state = state.clone();
        let engine = engine.clone();
        Callback::from(move |_: ()| {
            if state.phase == Phase::Running || !state.errors.is_empty() {
                return;
            }
            let cfg = state.config.clone();
            let steps = plan::steps(&cfg, state.env.cores.max(1));
            let need = plan::max_workers(&steps);
            let id = state.run_id + 1;
            let mut slot = engine.borrow_mut();
            // rayon's global pool has a fixed size per wasm instance: a run
            // that needs more workers than the engine has gets a new engine
            // (its start cost is shown); fewer run on part of the pool.
            if !slot.as_ref().is_some_and(|e| e.fits(need)) {
                *slot = None;
                let dispatcher = state.dispatcher();
                match EngineClient::start(need, move |ev| dispatcher.dispatch(Action::Engine(ev))) {
                    Ok(client) => *slot = Some(client),
                    Err(message) => {
                        state.dispatch(Action::Started(id, steps));
                        state.dispatch(Action::Engine(FromEngine::Failed {
                            run: Some(id),
                            message,
                        }));
                        return;
                    }
                }
            }
            state.dispatch(Action::Started(id, steps));
        })
    };

    // Each step of a run goes out when the run id moves on to it.
    {
        let state = state.clone();
        let engine = engine.clone();
        use_effect_with(state.run_id, move |run_id| {
            if state.phase == Phase::Running {
                if let (Some(step), Some(client), Some(cfg)) = (
                    state.steps.get(state.step),
                    engine.borrow().as_ref(),
                    state.run_config.as_ref(),
                ) {
                    client.send(ToEngine::Run {
                        run: *run_id,
                        workload: step.workload.clone(),
                        models: step.models.clone(),
                        workers: step.workers,
                        repeats: cfg.repeats,
                        warmup: cfg.warmup,
                        switch_ms: cfg.switch_ms,
                    });
                }
            }
        });
    }

    // While running, read the engine's finished-task counter a few times a
    // second: cheap enough not to steal the cores being measured.
    {
        let engine = engine.clone();
        let dispatcher = state.dispatcher();
        let running = state.phase == Phase::Running;
        use_effect_with(running, move |running| {
            let handle = running.then(|| {
                let last = std::cell::Cell::new(u32::MAX);
                let tick = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
                    if let Some(n) = engine.borrow().as_ref().and_then(|c| c.tasks_finished()) {
                        if n != last.get() {
                            last.set(n);
                            dispatcher.dispatch(Action::Polled(n));
                        }
                    }
                });
                let id = web_sys::window().and_then(|w| {
                    w.set_interval_with_callback_and_timeout_and_arguments_0(
                        wasm_bindgen::JsCast::unchecked_ref(tick.as_ref()),
                        250,
                    )
                    .ok()
                });
                (id, tick)
            });
            move || {
                if let (Some((Some(id), _tick)), Some(w)) = (handle, web_sys::window()) {
                    w.clear_interval_with_handle(id);
                }
            }
        });
    }

    let cancel = {
        let state = state.clone();
        let engine = engine.clone();
        Callback::from(move |_: ()| {
            if state.phase != Phase::Running {
                return;
            }
            state.dispatch(Action::CancelRequested(crate::web::now_ms()));
            if let Some(client) = engine.borrow().as_ref() {
                client.cancel(state.run_id);
            }
        })
    };

    {
        let run = run.clone();
        // A link with results shows them; it never starts work by itself.
        let auto = state.config.run && state.errors.is_empty() && state.phase != Phase::Shared;
        use_effect_with((), move |_| {
            if auto {
                run.emit(());
            }
        });
    }

    let on_set = {
        let dispatcher = state.dispatcher();
        Callback::from(move |(k, v): (String, String)| dispatcher.dispatch(Action::Set(k, v)))
    };

    // While a link's results are shown, the contract's document is theirs.
    let shown = match (&state.phase, &state.foreign) {
        (Phase::Shared, Some(f)) => Some(&f.report),
        _ => state.report.as_ref(),
    };
    // Serialized once per report, not on every progress redraw.
    let report_json = use_memo(shown.cloned(), |r| {
        r.as_ref()
            .map(|r| serde_json::to_string_pretty(r).unwrap_or_default())
            .unwrap_or_default()
    });
    let cores = state.env.cores.max(1);
    // Decoding a saved run recomputes its statistics: once per pick, not
    // on every progress redraw.
    let history_pair = {
        let s = state.clone();
        use_memo(state.compare.clone(), move |picked| {
            match picked.as_slice() {
                [a, b] => s.entry_report(a).zip(s.entry_report(b)),
                _ => None,
            }
        })
    };

    html! {
        <>
        <header class="top">
            <h1>{ "Threads vs Processes" }</h1>
            <p class="tagline">{ "The same work under free threads, GIL threads and processes — measured live on your own cores." }</p>
        </header>
        <lesson::LessonNav current={state.config.workload.id()} on_set={on_set.clone()}
            disabled={state.phase == Phase::Running} />
        <main>
            <lesson::LessonPanel workload={state.config.workload.clone()} />
            <results::EnvPanel env={state.env.clone()} engine={state.engine_info.clone()} />
            <form::ConfigForm
                state={state.clone()}
                on_set={on_set}
                on_run={run.reform(|_| ())}
                on_cancel={cancel.reform(|_| ())}
            />
            if let Some(e) = &state.link_error {
                <p id="link-error" class="warn" role="alert">{ e }</p>
            }
            <results::StatusLine state={state.clone()} />
            if let (Phase::Shared, Some(f)) = (&state.phase, &state.foreign) {
                <section id="shared-results" class="shared-banner" aria-label="Results from a link">
                    <p>{ "Results from " }<b id="shared-source">{ &f.label }</b>{ " — measured there, not here." }
                        if !f.dropped.is_empty() {
                            { format!(" The link left out {}.", f.dropped.join(", ")) }
                        }
                    </p>
                    <button id="run-here" type="button" onclick={run.reform(|_: MouseEvent| ())}
                        disabled={!state.errors.is_empty()}>{ "Run on this machine" }</button>
                </section>
                <results::ResultsView report={f.report.clone()} workload={config_of(&f.report, cores).workload} />
            }
            if let (Phase::Done, Some(f), Some(local)) = (&state.phase, &state.foreign, &state.report) {
                <share::CompareView a={f.clone()} title={"The link's results beside this machine's".to_string()}
                    b={state::Foreign { label: format!("this machine: {}", crate::report::env_line(&local.env)), report: local.clone(), dropped: vec![] }} />
            }
            if let (Some(report), Some(cfg)) = (&state.report, &state.run_config) {
                if cfg.workload.id() == state.config.workload.id() {
                    <results::ResultsView report={report.clone()} workload={cfg.workload.clone()} />
                } else {
                    <p class="status other-lesson">{ format!(
                        "The last results are for lesson “{}”; run this lesson to see its own.",
                        cfg.workload.lesson().title
                    ) }</p>
                }
            }
            <share::SharePanel state={state.clone()} />
            if let Some((a, b)) = (*history_pair).clone() {
                <share::CompareView a={a} b={b} title={"Two saved runs side by side".to_string()} />
            }
            <share::HistoryPanel state={state.clone()} />
            <pre id="report-json" hidden=true>{ (*report_json).clone() }</pre>
        </main>
        <footer>
            <p>{ "Workers that share nothing stand in for processes (own wasm instance, own memory, messages by postMessage); \
                  rayon threads over one shared wasm memory stand in for threads." }</p>
        </footer>
        </>
    }
}
