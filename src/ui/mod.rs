//! The page: Yew function components over one pure session
//! (`crate::session`). Workers do all the computing; the page sends a run,
//! draws what comes back, and carries out what the session decides
//! (`hooks`).

mod charts;
mod class;
mod embed;
mod form;
mod hooks;
mod lesson;
mod limits;
mod predict;
mod race;
mod results;
mod share;
mod state;

use crate::config::RunConfig;
use crate::report::{env_line, Report};
use crate::session::{Elsewhere, Phase, Session};
use std::rc::Rc;
use yew::prelude::*;

pub fn start() {
    console_error_panic_hook::set_once();
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"))
        .expect("index.html has #app");
    // The page is drawn in a task after the one that made the module's
    // instance: on a phone's first load each of them, with the code it
    // compiles on its first calls, stays short enough not to hold input.
    crate::web::on_page_later(0, move || {
        yew::Renderer::<App>::with_root(root).render();
    });
}

#[function_component(App)]
pub fn app() -> Html {
    let session = use_reducer(state::from_location);
    let dispatch = session.dispatcher();
    let engine = hooks::use_engine(dispatch.clone(), session.run.phase == Phase::Running);
    hooks::use_outbox(&session, &engine);
    hooks::use_host_messages(&session);
    // The first drawing is the shell's (the top of the lesson, which
    // boot.js drew already); the form and the results follow in the next
    // task. One task doing both, compiling the module's code on its first
    // calls, was the longest of a phone's first load.
    let drawn = hooks::use_later(0);
    {
        // A link with results shows them; it never starts work by itself.
        let auto = session.runs_on_open();
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            if auto {
                dispatch.dispatch(state::run_action());
            }
        });
    }
    let (form, run, library) = (&session.form, &session.run, &session.library);
    let running = run.phase == Phase::Running;
    let lesson = &form.config.workload;
    let required = form.config.predict == crate::config::PredictMode::Required;
    let predict = session.question().map(|question| {
        html! {
            <predict::PredictPanel {question} guess={session.guess.clone()} {required} {running}
                can_run={form.errors.is_empty()} dispatch={dispatch.clone()} />
        }
    });
    if form.config.class {
        let loc = web_sys::window().map(|w| w.location());
        let page = loc
            .as_ref()
            .map(|l| {
                format!(
                    "{}{}",
                    l.origin().unwrap_or_default(),
                    l.pathname().unwrap_or_default()
                )
            })
            .unwrap_or_default();
        let href = loc.and_then(|l| l.href().ok()).unwrap_or_default();
        return html! { <div class="page"><class::ClassView {page} {href} /></div> };
    }
    if form.config.embed {
        // The lesson's own results only: an embed shows nothing else.
        let report = run
            .report
            .clone()
            .filter(|_| run.config.as_ref().map(|c| c.workload.id()) == Some(lesson.id()));
        return html! {
            <embed::EmbedView workload={lesson.clone()} errors={form.errors.clone()}
                phase={run.phase} progress={run.progress()} failure={run.failure.clone()} notice={run.notice.clone()}
                {report} full_link={session.full_link()} announcement={session.announcement()}
                predict={predict.unwrap_or_default()} {dispatch} />
        };
    }
    html! {
        <div class={classes!("page", form.config.present.then_some("present"))}>
        <header class="top">
            <h1>{ crate::shell::TITLE }</h1>
            <p class="tagline">{ crate::shell::TAGLINE }</p>
            <PresentToggle on={form.config.present} dispatch={dispatch.clone()} />
            <a id="class-view-link" class="class-view-link" href="?class=1">{ crate::shell::CLASS_LINK }</a>
        </header>
        <lesson::LessonNav current={lesson.id()} dispatch={dispatch.clone()} disabled={running} />
        <main>
            <lesson::LessonPanel workload={lesson.clone()} />
            if !drawn {
                <p class="loading">{ crate::shell::LOADING }</p>
            } else {
                <results::EnvPanel env={run.env.clone()} engine={run.engine_info.clone()} />
                { predict.unwrap_or_default() }
                <form::ConfigForm form={form.clone()} {running} dispatch={dispatch.clone()} />
                if let Some(e) = &library.link_error {
                    <p id="link-error" class="warn" role="alert">{ e }</p>
                }
                <results::StatusLine phase={run.phase} progress={run.progress()}
                    failure={run.failure.clone()} notice={run.notice.clone()} />
                // Heard, not seen: the status line above redraws four times a
                // second during a run; this says only what a listener needs.
                <p id="announce" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
                    { session.announcement() }
                </p>
                <Shown phase={run.phase} opened={library.opened.clone()} report={run.report.clone()}
                    run_config={run.config.clone()} lesson={lesson.id()}
                    can_run={form.errors.is_empty()} dispatch={dispatch.clone()} />
                <share::SharePanel share={run.share.clone()} report={run.report.clone()} dispatch={dispatch.clone()} />
                <share::SavedRuns history={library.history.clone()} compare={library.compare.clone()}
                    error={library.error.clone()} {running} {dispatch} />
            }
        </main>
        if drawn {
            <footer>
                <p>{ "Workers that share nothing stand in for processes (own wasm instance, own memory, messages by postMessage); \
                      rayon threads over one shared wasm memory stand in for threads." }</p>
            </footer>
        }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ToggleProps {
    on: bool,
    dispatch: UseReducerDispatcher<Session>,
}

/// Into and out of the projector's view (`present=1`), which keeps the
/// lesson, Run, the verdicts and the charts, in large type.
#[function_component(PresentToggle)]
fn present_toggle(p: &ToggleProps) -> Html {
    let on = p.on;
    let onclick = p.dispatch.to_callback().reform(move |_: MouseEvent| {
        crate::session::Action::Set("present".into(), if on { "0" } else { "1" }.into())
    });
    html! {
        <button id="present-toggle" type="button" class="secondary" aria-pressed={on.to_string()} {onclick}>
            { if on { crate::shell::LEAVE_PRESENT } else { crate::shell::PRESENT } }
        </button>
    }
}

#[derive(Properties, PartialEq)]
struct ShownProps {
    phase: Phase,
    opened: Option<Elsewhere>,
    report: Option<Rc<Report>>,
    run_config: Option<RunConfig>,
    /// The lesson the form is on.
    lesson: &'static str,
    can_run: bool,
    dispatch: UseReducerDispatcher<Session>,
}

/// The results on show: a link's, this machine's, or both side by side;
/// and the contract's `#report-json`, which is always the report on show.
#[function_component(Shown)]
fn shown(p: &ShownProps) -> Html {
    let linked = match (&p.phase, &p.opened) {
        (Phase::Shared, Some(f)) => Some(f),
        _ => None,
    };
    let on_show = linked
        .map(|f| f.report.clone())
        .or_else(|| p.report.clone());
    // Serialized once per report, not on every progress redraw.
    let report_json = use_memo(on_show, |r| {
        r.as_ref()
            .and_then(|r| serde_json::to_string_pretty(&**r).ok())
            .unwrap_or_default()
    });
    let run_here = p
        .dispatch
        .to_callback()
        .reform(|_: MouseEvent| state::run_action());
    html! {
        <>
        if let Some(f) = linked {
            <section id="shared-results" class="shared-banner" aria-label="Results from a link">
                <p>{ "Results from " }<b id="shared-source">{ &f.label }</b>{ " — measured there, not here." }
                    if !f.dropped.is_empty() {
                        { format!(" The link left out {}.", f.dropped.join(", ")) }
                    }
                </p>
                <button id="run-here" type="button" onclick={run_here} disabled={!p.can_run}>{ "Run on this machine" }</button>
            </section>
            <results::ResultsView report={f.report.clone()} workload={config_of(&f.report).workload} />
        }
        if let (Phase::Done, Some(f), Some(local)) = (&p.phase, &p.opened, &p.report) {
            <share::CompareView a={f.clone()} title={"The link's results beside this machine's".to_string()}
                b={Elsewhere { label: format!("this machine: {}", env_line(&local.env)), report: local.clone(), dropped: vec![] }} />
        }
        if let (Some(report), Some(cfg)) = (&p.report, &p.run_config) {
            if cfg.workload.id() == p.lesson {
                <results::ResultsView report={report.clone()} workload={cfg.workload.clone()} />
            } else {
                <p class="status other-lesson">{ format!(
                    "The last results are for lesson “{}”; run this lesson to see its own.",
                    cfg.workload.lesson().title
                ) }</p>
            }
        }
        <pre id="report-json" hidden=true>{ (*report_json).clone() }</pre>
        </>
    }
}

/// Moves the keyboard's focus to the element with `id`, if it is there.
fn focus(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    {
        let _ = wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&el).focus();
    }
}

/// The configuration a report was made with, from its `config` document.
fn config_of(report: &Report) -> RunConfig {
    RunConfig::from_map(&report.config, report.env.cores.max(1)).0
}
