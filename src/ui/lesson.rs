//! The lesson in words: the question, what each model should show, and why.

use crate::models::ModelId;
use crate::workloads::{Workload, WORKLOAD_IDS};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LessonProps {
    pub workload: Workload,
}

#[function_component(LessonPanel)]
pub fn lesson_panel(p: &LessonProps) -> Html {
    let lesson = p.workload.lesson();
    let number = WORKLOAD_IDS
        .iter()
        .position(|w| *w == p.workload.id())
        .map_or(0, |i| i + 1);
    html! {
        <section class="lesson" aria-labelledby="lesson-title">
            <h2 id="lesson-title">{ format!("Lesson {number} · {}", lesson.title) }</h2>
            <p class="question">{ rich(lesson.question) }</p>
            <p class="why">{ rich(lesson.why) }</p>
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
