//! Predict before Run, explain after it (`crate::predict`). Before a run:
//! the lesson's question, one fieldset of radio buttons per part, how sure
//! the reader is, and "Run without predicting" one click away. After it:
//! each prediction beside the result, right or off in words, and the
//! explanation of the gap.

use super::state::run_without_predicting;
use crate::config::RunConfig;
use crate::predict::{outcome_words, tally, Confidence, Question};
use crate::report::Report;
use crate::session::{Action, Guess, Session};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub question: Question,
    pub guess: Guess,
    /// A teacher's link asked for a prediction (`predict=1`).
    pub required: bool,
    pub running: bool,
    pub can_run: bool,
    pub dispatch: UseReducerDispatcher<Session>,
}

/// The question before a run.
#[function_component(PredictPanel)]
pub fn predict_panel(p: &PanelProps) -> Html {
    let skip = p
        .dispatch
        .to_callback()
        .reform(|_: MouseEvent| run_without_predicting());
    let answered = p
        .question
        .asks
        .iter()
        .filter(|a| p.guess.answer(&a.key()).is_some())
        .count();
    html! {
        <section id="predict" class={classes!("predict", p.required.then_some("required"))}
            aria-labelledby="predict-title">
            <h2 id="predict-title">{ "Predict first" }</h2>
            <p id="predict-prompt">{ &p.question.prompt }</p>
            <div class="asks">
                { for p.question.asks.iter().map(|ask| {
                    let key = ask.key();
                    let picked = p.guess.answer(&key).map(|pr| ask.value_of(pr));
                    let name = format!("ask-{key}");
                    html! {
                        <fieldset class="ask" id={name.clone()} disabled={p.running}>
                            <legend>{ ask.legend() }</legend>
                            { for ask.options().into_iter().map(|(value, words)| {
                                let id = format!("{name}-{value}");
                                let checked = picked.as_deref() == Some(value.as_str());
                                let onchange = {
                                    let (key, value) = (key.clone(), value.clone());
                                    p.dispatch.to_callback().reform(move |_: Event| Action::Predict {
                                        key: key.clone(),
                                        value: value.clone(),
                                    })
                                };
                                html! {
                                    <label for={id.clone()}>
                                        <input type="radio" id={id} name={name.clone()} value={value} {checked} {onchange} />
                                        { words }
                                    </label>
                                }
                            }) }
                        </fieldset>
                    }
                }) }
            </div>
            <fieldset class="ask confidence" id="confidence" disabled={p.running}>
                <legend>{ "How sure are you?" }</legend>
                { for Confidence::ALL.into_iter().map(|c| {
                    let id = format!("confidence-{}", c.id());
                    let onchange = p.dispatch.to_callback().reform(move |_: Event| Action::Confidence(c));
                    html! {
                        <label for={id.clone()}>
                            <input type="radio" id={id} name="confidence" value={c.id()}
                                checked={p.guess.confidence == c} {onchange} />
                            { c.words() }
                        </label>
                    }
                }) }
            </fieldset>
            <p class="predict-actions">
                <span id="predict-count">{ format!("{answered} of {} answered; Run compares them with the results.", p.question.asks.len()) }</span>
                <button id="run-without-predicting" type="button" class="secondary" onclick={skip}
                    disabled={p.running || !p.can_run}>
                    { "Run without predicting" }
                </button>
            </p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct OutcomeProps {
    pub report: Rc<Report>,
}

/// Each prediction of a finished run beside its result.
#[function_component(PredictionOutcome)]
pub fn prediction_outcome(p: &OutcomeProps) -> Html {
    let r = &p.report;
    if r.predictions.is_empty() {
        return html! {};
    }
    let cores = r.env.cores.max(1);
    let cfg = RunConfig::from_map(&r.config, cores).0;
    let Some(question) = crate::verdict::question(&cfg, cores) else {
        return html! {};
    };
    html! {
        <section id="prediction-outcome" class="verdicts prediction-outcome" aria-labelledby="outcome-title">
            <h2 id="outcome-title">{ "Your prediction" }
                if let Some(t) = tally(&r.predictions) { { format!(": {t}") } }
            </h2>
            <ul>
                { for r.predictions.iter().map(|pr| {
                    let said = outcome_words(pr.right);
                    let mark = match pr.right { Some(true) => "✓", Some(false) => "✗", None => "–" };
                    html! {
                        <li data-model={pr.model.id()} data-choice={pr.choice.clone()} data-right={said}
                            class={classes!("outcome", said.replace(' ', "-"))}>
                            <b class="outcome-word">{ format!("{mark} {said}") }</b>
                            <span class="confidence">{ format!(" ({})", pr.confidence.id()) }</span>
                            { ": " }
                            { super::lesson::rich(&crate::verdict::explain(&cfg.workload, cores, &question, &r.results, pr)) }
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}
