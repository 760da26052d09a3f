//! The class view (`class=1`): a teacher pastes the share links a class
//! sent (or drops the JSON exports), and reads one chart per lesson and
//! configuration: how each model scaled across the class's machines, and
//! how the class's predictions compared with its results. Everything is
//! read in the page (`crate::class`), a few dozen links per task, so that
//! no task of the main thread runs long; nothing leaves the page.

use super::charts::ClassChart;
use crate::class::{
    prediction_lines_of, prediction_tallies, ClassSet, Group, Intake, PredictionTally, Reason,
};
use crate::format::{times, MISSING};
use crate::models::ModelId;
use crate::svg::Svg;
use crate::web::storage;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;
use yew::AttrValue;

/// Units of input read per task: a unit decodes at most one report, about
/// half a millisecond in wasm, so a slice stays well under 50 ms.
const SLICE: usize = 10;

/// What the groups look like once reading stopped; redrawn only then.
#[derive(Clone, PartialEq, Default)]
struct Drawn {
    groups: Rc<Vec<Rc<Group>>>,
    tallies: Rc<Vec<Vec<PredictionTally>>>,
    lines: Rc<Vec<String>>,
    problems: Rc<Vec<String>>,
    /// Lines that were neither a link nor a report (chat text around them).
    other_text: usize,
    duplicates: Rc<Vec<String>>,
    runs: usize,
}

#[derive(Properties, PartialEq)]
pub struct ClassProps {
    /// The page's address without its query, for the class's own link.
    pub page: String,
    /// The address the page opened with: a class link is read from it.
    pub href: String,
}

/// Waits for the next task of the main thread.
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// What to draw once reading stopped, worked out a group per task: a
/// class of hundreds of runs would otherwise hold the main thread for
/// longer than a frame or two.
async fn draw(set: &Rc<RefCell<ClassSet>>) -> Drawn {
    let groups: Vec<Group> = set.borrow().groups();
    let mut tallies = Vec::with_capacity(groups.len());
    let mut lines = Vec::new();
    for g in &groups {
        next_task().await;
        let set = set.borrow();
        let t = prediction_tallies(&set, g);
        lines.extend(prediction_lines_of(&set, g, &t));
        tallies.push(t);
    }
    let set = set.borrow();
    let (other, problems): (Vec<_>, Vec<_>) = set
        .problems()
        .iter()
        .partition(|p| matches!(p.reason, Reason::NotALink));
    Drawn {
        groups: Rc::new(groups.into_iter().map(Rc::new).collect()),
        tallies: Rc::new(tallies),
        lines: Rc::new(lines),
        problems: Rc::new(problems.iter().map(|p| p.to_string()).collect()),
        other_text: other.len(),
        duplicates: Rc::new(
            set.duplicates()
                .iter()
                .map(|d| format!("{} ({}) is run {} again", d.place, d.source, d.of + 1))
                .collect(),
        ),
        runs: set.members().len(),
    }
}

#[function_component(ClassView)]
pub fn class_view(p: &ClassProps) -> Html {
    let set = use_mut_ref(ClassSet::new);
    let drawn = use_state(Drawn::default);
    let progress = use_state(|| None::<(usize, usize)>);
    // The pasted text stays the textarea's own: hundreds of links are half
    // a megabyte, too much to copy into the page's state at every edit.
    let textarea = use_node_ref();
    let link = use_state(|| None::<Result<String, String>>);
    let notice = use_state(|| None::<String>);

    // Reads `source` in slices, then draws once.
    let read = {
        let (set, drawn, progress, link) =
            (set.clone(), drawn.clone(), progress.clone(), link.clone());
        Callback::from(move |(source, input): (String, String)| {
            let (set, drawn, progress, link) =
                (set.clone(), drawn.clone(), progress.clone(), link.clone());
            wasm_bindgen_futures::spawn_local(async move {
                read_all(&set, &source, input, &progress).await;
                link.set(None);
                // The drawing in tasks of its own, after the last slice.
                next_task().await;
                let d = draw(&set).await;
                drawn.set(d);
            });
        })
    };
    {
        // A class link (`#c=`) opened as a page: its runs, read at once.
        let (read, href) = (read.clone(), p.href.clone());
        use_effect_with((), move |_| {
            if href.contains("#c=") {
                read.emit(("the class link".to_string(), href));
            }
        });
    }
    let read_pasted = {
        let (read, textarea) = (read.clone(), textarea.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(t) = textarea.cast::<HtmlTextAreaElement>() {
                read.emit(("pasted text".to_string(), t.value()));
            }
        })
    };
    let read_files = {
        let (read, notice) = (read.clone(), notice.clone());
        move |files: Option<web_sys::FileList>| {
            let Some(files) = files else { return };
            for i in 0..files.length() {
                let Some(file) = files.get(i) else { continue };
                let (read, notice) = (read.clone(), notice.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                        Ok(t) => read.emit((file.name(), t.as_string().unwrap_or_default())),
                        Err(e) => notice.set(Some(format!(
                            "{} could not be read: {}",
                            file.name(),
                            crate::web::js_error_text(&e)
                        ))),
                    }
                });
            }
        }
    };
    let onchange = {
        let read_files = read_files.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            read_files(input.files());
            input.set_value("");
        })
    };
    let ondrop = Callback::from(move |e: DragEvent| {
        e.prevent_default();
        read_files(e.data_transfer().and_then(|d| d.files()));
    });
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let export = {
        let (set, notice) = (set.clone(), notice.clone());
        Callback::from(move |_: MouseEvent| {
            let file = set.borrow().to_file();
            if let Err(e) = storage::download("class-set.json", "application/json", &file) {
                notice.set(Some(format!("Export failed: {e}.")));
            }
        })
    };
    let make_link = {
        let (set, link, page) = (set.clone(), link.clone(), p.page.clone());
        Callback::from(move |_: MouseEvent| {
            link.set(Some(set.borrow().link(&page).map_err(|e| e.to_string())));
        })
    };
    let clear = {
        let (set, drawn, link, textarea) =
            (set.clone(), drawn.clone(), link.clone(), textarea.clone());
        Callback::from(move |_: MouseEvent| {
            *set.borrow_mut() = ClassSet::new();
            drawn.set(Drawn::default());
            link.set(None);
            if let Some(t) = textarea.cast::<HtmlTextAreaElement>() {
                t.set_value("");
            }
        })
    };
    let reading = progress.is_some();
    let d = &*drawn;
    html! {
        <main class="class-view" aria-labelledby="class-title">
            <h1 id="class-title">{ "A class's results" }</h1>
            <p class="lead">{ "Paste the links your students sent, one per line or as they came from a chat or a form, \
                or drop their JSON exports. Each run is read here, in this page: nothing is sent anywhere." }</p>
            <section id="class-input" class="class-input" aria-label="Links and files" {ondrop} {ondragover}>
                <label for="class-links">{ "Share links, or any text with links in it" }</label>
                // Links are long unbroken words: unwrapped, they cost the
                // browser no line breaking.
                <textarea id="class-links" rows="6" ref={textarea} wrap="off" spellcheck="false"
                    placeholder="https://…/?w=cpu&models=…#r=…" />
                <p class="actions">
                    <button id="class-read" type="button" onclick={read_pasted} disabled={reading}>{ "Read the links" }</button>
                    <label class="file">
                        { "…or JSON exports and class files: " }
                        <input id="class-files" type="file" accept=".json,.txt,application/json,text/plain" multiple=true {onchange} />
                    </label>
                    <a id="class-back" href="?">{ "Back to the playground" }</a>
                </p>
                <p id="class-progress" class="status" role="status" aria-live="polite">
                    { match *progress {
                        Some((read, of)) => format!("Reading… {read} of {of}"),
                        None if d.runs > 0 => format!("{} run{} read.", d.runs, if d.runs == 1 { "" } else { "s" }),
                        None => String::new(),
                    } }
                </p>
                if let Some(n) = &*notice {
                    <p class="warn" role="alert">{ n }</p>
                }
            </section>
            if !d.problems.is_empty() || !d.duplicates.is_empty() || d.other_text > 0 {
                <section id="class-problems" aria-labelledby="class-problems-title">
                    <h2 id="class-problems-title">{ "What could not be read" }</h2>
                    if !d.problems.is_empty() {
                        <ul id="class-problem-list">
                            { for d.problems.iter().map(|p| html! { <li>{ p }</li> }) }
                        </ul>
                    }
                    if !d.duplicates.is_empty() {
                        <p id="class-duplicates">{ format!("{} duplicate{} counted once: {}.", d.duplicates.len(),
                            if d.duplicates.len() == 1 { "" } else { "s" }, d.duplicates.join("; ")) }</p>
                    }
                    if d.other_text > 0 {
                        <p id="class-other-text">{ format!("{} line{} of other text left aside.", d.other_text,
                            if d.other_text == 1 { "" } else { "s" }) }</p>
                    }
                </section>
            }
            if d.runs > 0 {
                <section id="class-keep" aria-labelledby="class-keep-title">
                    <h2 id="class-keep-title">{ "Keep or share this class" }</h2>
                    <p class="actions">
                        <button id="class-export" type="button" class="secondary" onclick={export}>{ "Export the set (JSON)" }</button>
                        <button id="class-link" type="button" class="secondary" onclick={make_link}>{ "Make a link to the set" }</button>
                        <button id="class-clear" type="button" class="secondary" onclick={clear}>{ "Clear" }</button>
                    </p>
                    { match &*link {
                        Some(Ok(l)) => html! { <p><label for="class-link-text">{ "The set's link: " }</label>
                            <input id="class-link-text" type="text" readonly=true value={l.clone()} /></p> },
                        Some(Err(why)) => html! { <p id="class-link-error" class="warn">{ why }</p> },
                        None => html! {},
                    } }
                </section>
            }
            if !d.lines.is_empty() {
                <section id="class-predictions" aria-labelledby="class-predictions-title">
                    <h2 id="class-predictions-title">{ "What the class predicted, and what happened" }</h2>
                    <ul>{ for d.lines.iter().map(|l| html! { <li>{ l }</li> }) }</ul>
                </section>
            }
            { for d.groups.iter().zip(d.tallies.iter()).enumerate().map(|(i, (g, t))| html! {
                <GroupView group={g.clone()} index={i} tallies={t.clone()} />
            }) }
        </main>
    }
}

#[derive(Properties, PartialEq)]
struct TableProps {
    group: Rc<Group>,
}

/// The group's runs, a row each, as one piece of markup: a class of
/// hundreds would be thousands of Yew nodes.
#[function_component(RunsTable)]
fn runs_table(p: &TableProps) -> Html {
    let g = &p.group;
    let mut t = Svg::markup();
    t.tag("table").a("class", "class-table").open();
    t.tag("thead").open();
    t.tag("tr").open();
    for head in ["machine", "cores", "browser"] {
        t.tag("th").text(head);
    }
    for s in &g.series {
        t.tag("th").text(s.model.id());
    }
    t.close("tr");
    t.close("thead");
    t.tag("tbody").open();
    for r in &g.rows {
        t.tag("tr").a("data-member", r.member).open();
        t.tag("td").text(r.machine());
        t.tag("td").text(r.cores);
        t.tag("td").text(&r.browser);
        for c in &r.cells {
            match c.as_ref().map(|c| (c.speedup, &c.excluded)) {
                Some((Some(s), Some(e))) => {
                    t.tag("td")
                        .a("class", "excluded")
                        .text(format_args!("{} (left out: {e})", times(s)));
                }
                Some((Some(s), None)) => t.tag("td").text(times(s)),
                _ => t.tag("td").text(MISSING),
            }
        }
        t.close("tr");
    }
    t.close("tbody");
    t.close("table");
    Html::from_html_unchecked(AttrValue::from(t.into_markup()))
}

/// Reads `input` into `set`, a slice per task, saying how far it got.
async fn read_all(
    set: &Rc<RefCell<ClassSet>>,
    source: &str,
    input: String,
    progress: &UseStateHandle<Option<(usize, usize)>>,
) {
    let mut intake = Intake::new(source, input);
    loop {
        let more = intake.step(&mut set.borrow_mut(), SLICE);
        if !more {
            break;
        }
        progress.set(Some(intake.progress()));
        next_task().await;
    }
    progress.set(None);
}

#[derive(Properties, PartialEq)]
struct GroupProps {
    group: Rc<Group>,
    index: usize,
    tallies: Vec<PredictionTally>,
}

#[function_component(GroupView)]
fn group_view(p: &GroupProps) -> Html {
    let g = &p.group;
    let id = format!("class-group-{}", p.index);
    let settings: Vec<String> = g.settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
    html! {
        <section class="class-group" id={id.clone()} data-lesson={g.lesson.clone()} aria-labelledby={format!("{id}-title")}>
            <h2 id={format!("{id}-title")}>{ format!("{} · {} run{}", g.title, g.members.len(), if g.members.len() == 1 { "" } else { "s" }) }</h2>
            <p class="settings"><code>{ settings.join(" ") }</code></p>
            <ul class="class-summary">
                { for g.series.iter().map(|s| html! { <li data-model={s.model.id()}>{ s.words() }</li> }) }
            </ul>
            <ClassChart group={g.clone()} index={p.index} />
            <details class="table-alt" open=true>
                <summary>{ "Every run" }</summary>
                // A task later than the chart: together they are the view's
                // biggest redraw.
                <div class="table-scroll" tabindex="0">
                    <super::charts::Deferred delay_ms={1}><RunsTable group={g.clone()} /></super::charts::Deferred>
                </div>
            </details>
            if !p.tallies.is_empty() {
                <details class="table-alt predictions-table" open=true>
                    <summary>{ "Predictions beside results" }</summary>
                    <div class="table-scroll" tabindex="0">
                        <table>
                            <thead><tr><th>{ "question" }</th><th>{ "answer" }</th><th>{ "runs that predicted it" }</th><th>{ "runs whose results bore it out" }</th></tr></thead>
                            <tbody>
                                { for p.tallies.iter().flat_map(|t| {
                                    let part = match (&t.model, &t.pick) {
                                        (Some(m), _) => m.name().to_string(),
                                        (_, Some(pick)) => format!("which {pick}"),
                                        _ => String::new(),
                                    };
                                    t.answers.iter().map(move |(a, predicted, borne)| {
                                        let answer = ModelId::parse(a).map_or(a.clone(), |m| m.name().to_string());
                                        html! { <tr><td>{ part.clone() }</td><td>{ answer }</td>
                                            <td>{ format!("{predicted} of {}", t.predicted) }</td>
                                            <td>{ format!("{borne} of {}", t.judged) }</td></tr> }
                                    }).collect::<Vec<_>>()
                                }) }
                            </tbody>
                        </table>
                    </div>
                </details>
            }
        </section>
    }
}
