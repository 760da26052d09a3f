//! An embed's messages to the page that embeds it (`web::host`): its
//! prediction when a run with one starts, its report when a run ends.

use crate::session::{Phase, Session};
use crate::web::host;
use yew::prelude::*;

#[hook]
pub fn use_host_messages(session: &UseReducerHandle<Session>) {
    let (phase, step_id) = (session.run.phase, session.run.step_id);
    let session = session.clone();
    use_effect_with((phase, step_id), move |_| {
        let config = &session.form.config;
        if config.embed {
            let origin = config.origin.as_deref();
            let sent = match (phase, &session.run.report) {
                (Phase::Running, _) => session
                    .run
                    .prediction_report()
                    .map(|r| host::post("tvp:prediction", &r, origin)),
                (Phase::Done, Some(r)) => Some(host::post("tvp:report", r, origin)),
                _ => None,
            };
            if let Some(Err(e)) = sent {
                web_sys::console::warn_1(&format!("could not tell the embedding page: {e}").into());
            }
        }
    });
}
