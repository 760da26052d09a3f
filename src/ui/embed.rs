//! The page inside another: `embed=1` shows one lesson compactly for an
//! `<iframe>` in slides or a course page (its question, Run, the verdicts
//! and the speedup chart), with a way out to the full playground.

use super::charts::SpeedupChart;
use super::results::{ideal_speedup, StatusLine, Verdicts};
use super::state::{cancel_action, run_action};
use crate::report::Report;
use crate::session::{Phase, Progress, Session};
use crate::workloads::{ParamError, Workload};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EmbedProps {
    pub workload: Workload,
    pub errors: Vec<ParamError>,
    pub phase: Phase,
    pub progress: Option<Progress>,
    pub failure: Option<String>,
    pub notice: Option<String>,
    /// This lesson's last results, if any.
    pub report: Option<Rc<Report>>,
    pub full_link: String,
    /// What the live region says (see `Session::announcement`).
    pub announcement: String,
    /// The prediction panel, where the lesson asks a question.
    pub predict: Html,
    pub dispatch: UseReducerDispatcher<Session>,
}

#[function_component(EmbedView)]
pub fn embed_view(p: &EmbedProps) -> Html {
    let running = p.phase == Phase::Running;
    let lesson = p.workload.lesson();
    let onsubmit = p.dispatch.to_callback().reform(|e: SubmitEvent| {
        e.prevent_default();
        run_action()
    });
    let cancel = p
        .dispatch
        .to_callback()
        .reform(|_: MouseEvent| cancel_action());
    // Serialized once per report, not on every progress redraw.
    let json = use_memo(p.report.clone(), |r| {
        r.as_ref()
            .and_then(|r| serde_json::to_string(&**r).ok())
            .unwrap_or_default()
    });
    html! {
        <main class="embed" aria-labelledby="lesson-title">
            <h1 id="lesson-title">{ lesson.title }</h1>
            <p class="question">{ super::lesson::rich(lesson.question) }</p>
            { p.predict.clone() }
            <form class="actions" {onsubmit} aria-label="Run this lesson">
                // Focusable while running, as in the full page's form.
                <button id="run" type="submit" disabled={!p.errors.is_empty()}
                    aria-disabled={running.then_some("true")}>
                    { if running { "Running…" } else { "Run" } }
                </button>
                if running {
                    <button id="cancel" type="button" class="secondary" onclick={cancel}>{ "Cancel" }</button>
                }
                <a id="full-playground" href={p.full_link.clone()} target="_blank" rel="noopener">
                    { "Open the full playground" }
                </a>
            </form>
            if !p.errors.is_empty() {
                <p class="warn" role="alert">{ for p.errors.iter().map(|e| html! { <span>{ e.to_string() }{ " " }</span> }) }</p>
            }
            <StatusLine phase={p.phase} progress={p.progress.clone()} failure={p.failure.clone()} notice={p.notice.clone()} />
            <p id="announce" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
                { p.announcement.clone() }
            </p>
            if let Some(r) = &p.report {
                <super::predict::PredictionOutcome report={r.clone()} />
                <section class="verdicts" aria-label="What the run shows">
                    <Verdicts report={r.clone()} workload={p.workload.clone()} />
                </section>
                <SpeedupChart report={r.clone()} ideal={ideal_speedup(&p.workload, r)} />
            }
            <pre id="report-json" hidden=true>{ (*json).clone() }</pre>
        </main>
    }
}
