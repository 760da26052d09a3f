//! The lesson in words: the question, what each model should show, and why.

use crate::models::ModelId;
use crate::session::Action;
use crate::workloads::{Workload, WORKLOAD_IDS};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NavProps {
    pub current: &'static str,
    pub dispatch: UseReducerDispatcher<crate::session::Session>,
    pub disabled: bool,
}

/// The seven lessons as tabs, in the WAI-ARIA tabs pattern: one tab stop
/// (the selected tab), arrow keys, Home and End move between tabs and
/// select as they go. A tab sets `w`, so each view has its own URL; the
/// other settings stay as they are.
#[function_component(LessonNav)]
pub fn lesson_nav(p: &NavProps) -> Html {
    let select = p
        .dispatch
        .to_callback()
        .reform(|w: &'static str| Action::Set("w".to_string(), w.to_string()));
    let onkeydown = {
        let (select, current, disabled) = (select.clone(), p.current, p.disabled);
        Callback::from(move |e: KeyboardEvent| {
            let Some(next) = neighbour(current, &e.key()) else {
                return;
            };
            e.prevent_default();
            if disabled {
                return;
            }
            select.emit(next);
            super::focus(&format!("tab-{next}"));
        })
    };
    html! {
        <nav class="lessons" aria-label="Lessons">
            <div role="tablist" aria-label="Lessons" class="tablist" {onkeydown}>
                { for WORKLOAD_IDS.iter().enumerate().map(|(i, w)| {
                    let title = Workload::default_for(w).map_or("", |x| x.lesson().title);
                    let selected = *w == p.current;
                    let onclick = select.reform(move |_: MouseEvent| *w);
                    html! {
                        <button type="button" role="tab" id={format!("tab-{w}")} aria-selected={selected.to_string()}
                            aria-controls="lesson-panel" tabindex={if selected { "0" } else { "-1" }}
                            class={classes!(selected.then_some("selected"))} disabled={p.disabled && !selected} {onclick}>
                            <span class="n">{ i + 1 }</span>{ title }
                        </button>
                    }
                }) }
            </div>
        </nav>
    }
}

/// The lesson an arrow, Home or End key moves to from `current`.
fn neighbour(current: &str, key: &str) -> Option<&'static str> {
    let at = WORKLOAD_IDS.iter().position(|w| *w == current)?;
    let last = WORKLOAD_IDS.len() - 1;
    let to = match key {
        "ArrowRight" | "ArrowDown" => (at + 1) % WORKLOAD_IDS.len(),
        "ArrowLeft" | "ArrowUp" => (at + last) % WORKLOAD_IDS.len(),
        "Home" => 0,
        "End" => last,
        _ => return None,
    };
    Some(WORKLOAD_IDS[to])
}

#[derive(Properties, PartialEq)]
pub struct LessonProps {
    pub workload: Workload,
}

/// The "Concurrency vs parallelism" view: the io lesson with a CPU part of
/// the same order as its wait (tens of milliseconds in wasm), every
/// model of the question, and the I/O share sweep. Every model has eight
/// workers: a thread or process per task, and hybrid's two processes four
/// threads each, under a GIL per process as CPython's would be.
const MIX_VIEW: &str = "?w=io&tasks=8&wait_ms=50&cpu_n=20000000\
    &models=seq,async,gil,threads,procs,hybrid&workers=8&procs=2&threads=4&hybrid_gil=1\
    &repeats=3&warmup=1&mix=1";

/// The convoy effect: one task answers a request every 2 ms while two
/// compute for a few hundred ms each (in wasm), under every model that
/// answers differently; `gil` is also run at switch intervals of 0.5 and
/// 50 ms.
const CONVOY_VIEW: &str = "?w=io&tasks=3&wait_ms=2&cpu_n=100000000&convoy=1&requests=20\
    &models=seq,threads,gil,oldgil,procs,async&workers=3&repeats=3&warmup=1";

#[function_component(LessonPanel)]
pub fn lesson_panel(p: &LessonProps) -> Html {
    let lesson = p.workload.lesson();
    let number = WORKLOAD_IDS
        .iter()
        .position(|w| *w == p.workload.id())
        .map_or(0, |i| i + 1);
    html! {
        <section class="lesson" id="lesson-panel" role="tabpanel" aria-labelledby={format!("tab-{}", p.workload.id())}>
            <h2 id="lesson-title">{ format!("Lesson {number} · {}", lesson.title) }</h2>
            <p class="question">{ rich(lesson.question) }</p>
            <p class="why">{ rich(lesson.why) }</p>
            if p.workload.id() == "io" {
                <p class="mix-view">
                    { "My job waits part of the time: threads, processes or async? " }
                    <a id="mix-view" href={MIX_VIEW}>{ "Concurrency vs parallelism" }</a>
                    { ": seq, async, gil, threads, procs and hybrid side by side on mixed work, as the share of waiting goes from 0% to 100%." }
                </p>
                <p class="mix-view">
                    { "A server thread among computing ones: " }
                    <a id="convoy-view" href={CONVOY_VIEW}>{ "The convoy effect" }</a>
                    { ": how long one task takes to answer each request while the others compute, under threads, the GIL at three switch intervals, the old GIL, processes and async." }
                </p>
            }
            <details class="expect">
                <summary>{ "What each model should show" }</summary>
                <dl>
                    { for lesson.expect.iter().map(|(model, text)| html! {
                        <>
                            <dt><code>{ *model }</code>
                                <small>{ ModelId::parse(model).map(|m| m.stands_for()).unwrap_or("") }</small>
                            </dt>
                            <dd>{ rich(text) }</dd>
                        </>
                    }) }
                </dl>
            </details>
        </section>
    }
}

/// Lesson text with `backticked` spans set as code.
pub fn rich(text: &str) -> Html {
    html! {
        { for text.split('`').enumerate().map(|(i, part)| {
            if i % 2 == 1 { html! { <code>{ part }</code> } } else { html! { { part } } }
        }) }
    }
}
