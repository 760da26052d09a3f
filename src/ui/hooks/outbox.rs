//! Carries out what the session decided: each command once, in order,
//! after the render that follows the action.

use super::EngineHandle;
use crate::session::{Command, Phase, Session};
use crate::web::storage;
use wasm_bindgen::JsValue;
use yew::prelude::*;

#[hook]
pub fn use_outbox(session: &UseReducerHandle<Session>, engine: &EngineHandle) {
    let done = use_mut_ref(|| 0u32);
    {
        let session = session.clone();
        let engine = engine.clone();
        use_effect_with(session.outbox.last, move |_| {
            let after = *done.borrow();
            for (n, command) in session.outbox.after(after) {
                *done.borrow_mut() = *n;
                carry_out(command, &engine, &session);
            }
        });
    }
    // Automation waits on `data-run-state` (docs/contract.md).
    use_effect_with(session.run.phase, |phase| set_run_state(*phase));
}

fn carry_out(command: &Command, engine: &EngineHandle, session: &UseReducerHandle<Session>) {
    match command {
        Command::Send { pool, request } => engine.send(*pool, request.clone()),
        Command::Calibrate { pool, step_id } => engine.calibrate(*pool, *step_id),
        Command::Cancel { step_id } => engine.cancel(*step_id),
        Command::SaveHistory(entries) => {
            if let Err(e) = storage::save(entries) {
                session.dispatch(crate::session::Action::HistoryError(e));
            }
        }
        Command::ReplaceUrl(query) => replace_url(query),
    }
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
/// what it shows.
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
