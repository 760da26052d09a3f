//! Sharing: this run's link, export, the local history, and results from
//! elsewhere side by side with this machine's.

use crate::format::{cell, times, MISSING};
use crate::models::ModelId;
use crate::report::{to_csv, ModelResult, Report};
use crate::session::{decode_entry, Action, Elsewhere, Entry, Session, ShareInfo};
use crate::web::storage;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    pub share: Option<ShareInfo>,
    pub report: Option<Rc<Report>>,
    pub dispatch: UseReducerDispatcher<Session>,
}

/// Copies `text` to the clipboard and says whether it worked.
fn copier(dispatch: &UseReducerDispatcher<Session>, text: String) -> Callback<MouseEvent> {
    let dispatcher = dispatch.clone();
    Callback::from(move |_: MouseEvent| {
        let text = text.clone();
        let dispatcher = dispatcher.clone();
        wasm_bindgen_futures::spawn_local(async move {
            dispatcher.dispatch(Action::Copied(storage::copy(&text).await));
        });
    })
}

/// The link of a finished run, Copy link, Copy embed code, Export JSON and CSV.
#[function_component(SharePanel)]
pub fn share_panel(p: &ShareProps) -> Html {
    let (Some(share), Some(report)) = (&p.share, &p.report) else {
        return html! {};
    };
    let copy = copier(&p.dispatch, share.link.clone());
    let copy_embed = copier(&p.dispatch, share.embed_code.clone());
    let stem = format!(
        "threads-vs-processes-{}-{}",
        report
            .config
            .get("w")
            .and_then(|v| v.as_str())
            .unwrap_or("run"),
        report.env.date.get(..10).unwrap_or("")
    );
    // Each file is made when its button is pressed, not on every redraw:
    // a GIL run's trace holds thousands of events.
    let (r1, r2, r3) = (report.clone(), report.clone(), report.clone());
    let export_json = download(
        &p.dispatch,
        format!("{stem}.json"),
        "application/json",
        move || serde_json::to_string_pretty(&*r1).unwrap_or_default(),
    );
    let export_csv = download(&p.dispatch, format!("{stem}.csv"), "text/csv", move || {
        to_csv(&r2)
    });
    let export_trace = download(
        &p.dispatch,
        format!("{stem}.trace.json"),
        "application/json",
        move || crate::trace::chrome_trace_json(&r3),
    );
    let chars = share.link.chars().count();
    html! {
        <section id="share" class="share" aria-labelledby="share-title">
            <h2 id="share-title">{ "Share these results" }</h2>
            <div class="share-row">
                <input id="share-link" type="text" readonly=true value={share.link.clone()} aria-label="Link to these results" />
                <button id="copy-link" type="button" onclick={copy}>{ "Copy link" }</button>
                <button id="copy-embed" type="button" class="secondary" onclick={copy_embed}
                    title="An iframe of this lesson for slides or a course page">{ "Copy embed code" }</button>
            </div>
            <p class="share-note" id="share-length">
                { format!("{chars} characters: the settings in the query, the results in the part after #, which never reaches a server.") }
                if !share.dropped.is_empty() {
                    { format!(" Left out to keep it short: {}.", share.dropped.join(", ")) }
                }
            </p>
            if share.too_long {
                <p class="warn" id="share-too-long" role="alert">{ format!(
                    "This link is {chars} characters, over {}: chat apps and some browsers cut long links. Export JSON instead.",
                    crate::share::MAX_LINK_CHARS
                ) }</p>
            }
            if let Some(result) = &share.copied {
                <p id="copy-feedback" class={if result.is_ok() { "ok" } else { "warn" }} role="status">{
                    match result { Ok(()) => "Copied.".to_string(), Err(e) => format!("Not copied: {e}.") }
                }</p>
            }
            <div class="actions">
                <button id="export-json" type="button" class="secondary" onclick={export_json}>{ "Export JSON" }</button>
                <button id="export-csv" type="button" class="secondary" onclick={export_csv}>{ "Export CSV" }</button>
                <button id="export-trace" type="button" class="secondary" onclick={export_trace}
                    title="Chrome trace-event JSON: open it in ui.perfetto.dev or chrome://tracing">{ "Export trace (Perfetto)" }</button>
            </div>
        </section>
    }
}

/// A click that downloads what `make` returns as file `name`; a failure
/// (downloads blocked) becomes the page's notice.
fn download(
    dispatch: &UseReducerDispatcher<Session>,
    name: String,
    mime: &'static str,
    make: impl Fn() -> String + 'static,
) -> Callback<MouseEvent> {
    let dispatch = dispatch.clone();
    Callback::from(move |_: MouseEvent| {
        if let Err(e) = storage::download(&name, mime, &make()) {
            dispatch.dispatch(Action::Note(format!("Export failed: {e}.")));
        }
    })
}

#[derive(Properties, PartialEq)]
pub struct SavedProps {
    pub history: Vec<Entry>,
    pub compare: Vec<String>,
    pub error: Option<String>,
    pub running: bool,
    pub dispatch: UseReducerDispatcher<Session>,
}

/// The history, and the two runs picked from it side by side.
#[function_component(SavedRuns)]
pub fn saved_runs(p: &SavedProps) -> Html {
    // Decoding a saved run recomputes its statistics: once per pick, not
    // on every redraw.
    let pair = {
        let history = p.history.clone();
        use_memo(p.compare.clone(), move |picked| match picked.as_slice() {
            [a, b] => decode_entry(&history, a).zip(decode_entry(&history, b)),
            _ => None,
        })
    };
    html! {
        <>
        if let Some((a, b)) = (*pair).clone() {
            <CompareView a={a} b={b} title={"Two saved runs side by side".to_string()} />
        }
        <HistoryPanel history={p.history.clone()} compare={p.compare.clone()} error={p.error.clone()}
            running={p.running} dispatch={p.dispatch.clone()} />
        </>
    }
}

/// Runs kept in this browser: reopen, compare two, delete, clear.
#[function_component(HistoryPanel)]
fn history_panel(p: &SavedProps) -> Html {
    let d = p.dispatch.clone();
    let clear = d.to_callback().reform(|_: MouseEvent| Action::ClearHistory);
    // The entries as kept in this browser: the class view reads the file,
    // so a student can hand in every run at once.
    let export = {
        let history = p.history.clone();
        download(
            &d,
            "tvp-history.json".to_string(),
            "application/json",
            move || serde_json::to_string_pretty(&history).unwrap_or_default(),
        )
    };
    html! {
        <section id="history" class="history" aria-labelledby="history-title">
            <details open={!p.history.is_empty() && !p.running}>
                <summary><h2 id="history-title">{ format!("History ({})", p.history.len()) }</h2></summary>
                if let Some(e) = &p.error {
                    <p class="warn" id="history-error" role="alert">{ e }</p>
                }
                if p.history.is_empty() {
                    <p class="muted">{ "Finished runs are kept here, in this browser only." }</p>
                } else {
                    <p class="muted">{ "Tick two runs to compare them side by side." }</p>
                    <ul id="history-list">
                        { for p.history.iter().map(|e| {
                            let (a, b, c) = (e.id.clone(), e.id.clone(), e.id.clone());
                            let open = d.to_callback().reform(move |_: MouseEvent| Action::OpenEntry(a.clone()));
                            let del = d.to_callback().reform(move |_: MouseEvent| Action::DeleteEntry(b.clone()));
                            let pick = d.to_callback().reform(move |_: Event| Action::ToggleCompare(c.clone()));
                            html! {
                                <li data-id={e.id.clone()}>
                                    <label>
                                        <input type="checkbox" class="pick" checked={p.compare.contains(&e.id)} onchange={pick} />
                                        <span>{ &e.label }</span>
                                    </label>
                                    <button type="button" class="secondary open" onclick={open} disabled={p.running}>{ "Open" }</button>
                                    <button type="button" class="secondary delete" onclick={del}>{ "Delete" }</button>
                                </li>
                            }
                        }) }
                    </ul>
                    <button id="export-history" type="button" class="secondary" onclick={export}
                        title="Every run listed here, as one file the class view reads">{ "Export history (JSON)" }</button>
                    <button id="clear-history" type="button" class="secondary" onclick={clear}>{ "Clear history" }</button>
                }
            </details>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub a: Elsewhere,
    pub b: Elsewhere,
    pub title: String,
}

fn find(r: &Report, m: ModelId) -> Option<&ModelResult> {
    r.results.iter().find(|x| x.model == m)
}

/// Two reports of the same kind of run side by side: table and paired bars.
#[function_component(CompareView)]
pub fn compare_view(p: &CompareProps) -> Html {
    let mut models: Vec<ModelId> =
        p.a.report
            .results
            .iter()
            .chain(&p.b.report.results)
            .map(|x| x.model)
            .collect();
    models.sort();
    models.dedup();
    let cell = |r: Option<&ModelResult>| match r {
        Some(x) => html! { <>
            <td class="num">{ cell(x.median_ms, 1) }</td>
            <td class="num">{ x.speedup.map_or_else(|| MISSING.into(), times) }</td>
        </> },
        None => html! { <><td>{ MISSING }</td><td>{ MISSING }</td></> },
    };
    let top = models
        .iter()
        .flat_map(|m| [find(&p.a.report, *m), find(&p.b.report, *m)])
        .flatten()
        .filter_map(|x| x.speedup)
        .fold(1.0, f64::max)
        * 1.15;
    let (w, h, left, bottom) = (640.0, 220.0, 40.0, 30.0);
    let band = (w - left - 10.0) / models.len().max(1) as f64;
    let y = |v: f64| (h - bottom) - v / top * (h - bottom - 10.0);
    let line = crate::summary::compare(&p.a.report.results, &p.b.report.results);
    html! {
        <section id="compare" class="compare" aria-labelledby="compare-title">
            <h2 id="compare-title">{ &p.title }</h2>
            <table id="compare-table">
                <thead>
                    <tr><th rowspan="2">{ "model" }</th>
                        <th colspan="2" class="src-a">{ &p.a.label }</th>
                        <th colspan="2" class="src-b">{ &p.b.label }</th></tr>
                    <tr><th>{ "median ms" }</th><th>{ "speedup" }</th><th>{ "median ms" }</th><th>{ "speedup" }</th></tr>
                </thead>
                <tbody>{ for models.iter().map(|m| html! {
                    <tr data-model={m.id()}><th scope="row"><code>{ m.id() }</code></th>
                        { cell(find(&p.a.report, *m)) }{ cell(find(&p.b.report, *m)) }</tr>
                }) }</tbody>
            </table>
            <figure class="chart" id="compare-chart">
                <figcaption>{ "Speedup vs seq on each side (left bar: first, right bar: second)" }</figcaption>
                if let Some(line) = &line {
                    <p class="chart-summary" id="compare-summary">{ line }</p>
                }
                <svg viewBox={format!("0 0 {w} {h}")} role="img" aria-label="Speedups side by side"
                    aria-describedby={line.as_ref().map(|_| "compare-summary")}>
                    { for models.iter().enumerate().map(|(i, m)| {
                        let cx = left + band * (i as f64 + 0.5);
                        let bar = |r: Option<&ModelResult>, dx: f64, src: &'static str| match r.and_then(|x| x.speedup) {
                            Some(v) => html! {
                                <rect class={classes!("pair", src)} data-source={src} data-speedup={format!("{v:.4}")}
                                    x={(cx + dx).to_string()} y={y(v).to_string()} width="24" height={(y(0.0) - y(v)).max(0.0).to_string()} />
                            },
                            None => html! {},
                        };
                        html! { <g class={classes!("pair-group", super::charts::model_class(*m))} data-model={m.id()}>
                            { bar(find(&p.a.report, *m), -26.0, "a") }
                            { bar(find(&p.b.report, *m), 2.0, "b") }
                            <text x={cx.to_string()} y={(h - 10.0).to_string()} text-anchor="middle">{ m.id() }</text>
                        </g> }
                    }) }
                    <line class="ref" x1={left.to_string()} x2={(w - 10.0).to_string()} y1={y(1.0).to_string()} y2={y(1.0).to_string()} />
                </svg>
            </figure>
        </section>
    }
}
