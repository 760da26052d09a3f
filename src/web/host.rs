//! What an embedded page tells the page that embeds it (a course page that
//! records its students' predictions and results): `{type, report}` posted
//! to `window.parent`, `type` being `tvp:prediction` when a run with a
//! prediction starts and `tvp:report` when a run ends, and `report` the
//! report as a plain JS object, the same fields as `#report-json`
//! (`docs/embedding.md`). Only to `origin` when the link names one
//! (`origin=`); to any page that embeds this one otherwise, since the
//! report holds nothing its share link would not.

use crate::report::Report;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Posts `{type: kind, report}` to the embedding page, if there is one.
pub fn post(kind: &str, report: &Report, origin: Option<&str>) -> Result<(), String> {
    let Some(window) = web_sys::window() else {
        return Ok(());
    };
    let parent = match window.parent() {
        Ok(Some(parent)) => parent,
        _ => return Ok(()),
    };
    // A page that is not embedded is its own parent.
    if JsValue::from(parent.clone()) == JsValue::from(window) {
        return Ok(());
    }
    // As JSON would write it: maps as objects, so the host reads the same
    // fields as `#report-json`.
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let report = report.serialize(&serializer).map_err(|e| e.to_string())?;
    let message = super::js_object(&[("type", &kind.into()), ("report", &report)]);
    parent
        .post_message(&message, origin.unwrap_or("*"))
        .map_err(|e| super::js_error_text(&e))
}
