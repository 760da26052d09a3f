//! What each worker did in the last repeat.

use super::*;

fn kind_class(k: SpanKind) -> String {
    format!("k-{}", k.id())
}

fn kind_label(k: SpanKind) -> &'static str {
    match k {
        SpanKind::Run => "running (holding the GIL under gil/oldgil)",
        SpanKind::GilWait => "waiting for the GIL",
        SpanKind::Io => "blocked on I/O",
        SpanKind::Spawn => "starting a worker",
        SpanKind::LoopWait => "ready, but another coroutine has the loop",
    }
}

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub result: ModelResult,
}

/// One row per worker, one bar per span of the last repeat, coloured by
/// kind: under the GIL the run bars never overlap across rows.
#[function_component(Timeline)]
pub fn timeline(p: &TimelineProps) -> Html {
    let r = &p.result;
    let mut workers: Vec<u32> = r.spans.iter().map(|s| s.worker).collect();
    workers.sort_unstable();
    workers.dedup();
    if workers.is_empty() {
        return html! {};
    }
    let row_h = 20.0;
    let h = TOP + row_h * workers.len() as f64 + BOTTOM;
    let end = r
        .spans
        .iter()
        .map(|s| s.end_ms)
        .fold(0.0, f64::max)
        .max(0.001);
    let x = |ms: f64| LEFT + (ms / end).clamp(0.0, 1.0) * (W - LEFT - RIGHT);
    let kinds = SpanKind::seen_in(&r.spans);
    let id = format!("timeline-{}", r.model.id());
    let (line, described) = summary_line(&format!("{id}-summary"), crate::summary::timeline(r));
    let mut s = Svg::new(
        &id,
        h,
        &format!("What each worker of {} did over time", r.model.id()),
        described.as_deref(),
    );
    for (row, w) in workers.iter().enumerate() {
        let y0 = TOP + row as f64 * row_h;
        let mut spans: Vec<&Span> = r.spans.iter().filter(|s| s.worker == *w).collect();
        let shared = overlapping(&spans);
        // Waits under, work on top.
        spans.sort_by_key(|s| s.kind == SpanKind::Run);
        s.tag("g").a("class", "row").a("data-worker", w);
        s.tag("text")
            .a("x", LEFT - 6.0)
            .a("y", y0 + row_h * 0.7)
            .a("text-anchor", "end")
            .text(row_label(r, *w));
        for span in &spans {
            let (x0, x1) = (x(span.start_ms), x(span.end_ms));
            let (top, height) = band(shared, span.kind, y0, row_h);
            s.tag("rect")
                .a("class", format_args!("span {}", kind_class(span.kind)))
                .a("x", x0)
                .a("y", top)
                .a("width", (x1 - x0).max(0.6))
                .a("height", height)
                .a("data-task", span.task)
                .end();
        }
        s.close("g");
    }
    s.x_axis(
        h,
        ticks(end).into_iter().map(|t| (x(t), "middle", tick(t))),
        "time since the repeat started (ms)",
    );
    html! {
        <figure class="chart timeline" id={id.clone()} data-model={r.model.id()}>
            <figcaption>
                <code>{ r.model.id() }</code>{ format!(
                    " — per-worker timeline of the last repeat ({} worker{})",
                    workers.len(),
                    if workers.len() == 1 { "" } else { "s" }
                ) }
                <span class="legend">{ for kinds.iter().map(|k| html! {
                    <span><i class={kind_class(*k)}></i>{ kind_label(*k) }</span>
                }) }</span>
            </figcaption>
            { line }
            { drawn(s) }
            { per_worker_table(r, &workers) }
        </figure>
    }
}

/// Per worker, the time in each kind of span: the same story as the bars in
/// a few rows (a row per span would be thousands).
fn per_worker_table(r: &ModelResult, workers: &[u32]) -> Html {
    table_alt(
        &[
            "worker",
            "tasks",
            "running (ms)",
            "waiting for the GIL (ms)",
            "I/O (ms)",
            "starting workers (ms)",
        ],
        html! { { for workers.iter().map(|w| {
            let mine: Vec<&Span> = r.spans.iter().filter(|s| s.worker == *w).collect();
            let total = |k: SpanKind| mine.iter().filter(|s| s.kind == k).map(|s| s.end_ms - s.start_ms).sum::<f64>();
            let mut tasks: Vec<u32> = mine.iter().map(|s| s.task).collect();
            tasks.sort_unstable();
            tasks.dedup();
            html! { <tr><td>{ w }</td><td>{ tasks.len() }</td>
                <td>{ format!("{:.2}", total(SpanKind::Run)) }</td><td>{ format!("{:.2}", total(SpanKind::GilWait)) }</td>
                <td>{ format!("{:.2}", total(SpanKind::Io)) }</td><td>{ format!("{:.2}", total(SpanKind::Spawn)) }</td></tr> }
        }) } },
    )
}

/// Whether any two spans of a row overlap: an event loop's row, where the
/// waits of all its coroutines run at once.
fn overlapping(spans: &[&Span]) -> bool {
    let mut by_start: Vec<&Span> = spans.to_vec();
    by_start.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
    by_start
        .windows(2)
        .any(|p| p[1].start_ms < p[0].end_ms - 1e-9)
}

/// Where a span sits in its row. Where spans overlap, waits become thin
/// bands (I/O on top, ready-but-blocked at the bottom) and runs keep the
/// middle; elsewhere every span fills the row.
fn band(shared: bool, kind: SpanKind, y0: f64, row_h: f64) -> (f64, f64) {
    match (shared, kind) {
        (true, SpanKind::Io | SpanKind::GilWait) => (y0 + 1.0, 4.0),
        (true, SpanKind::LoopWait) => (y0 + row_h - 5.0, 4.0),
        (true, _) => (y0 + 5.0, row_h - 10.0),
        (false, _) => (y0 + 2.0, row_h - 4.0),
    }
}

/// A row's name: `w3`, or for `hybrid` the process and its thread (`p1·t0`),
/// so the rows read as groups, one per process.
fn row_label(r: &ModelResult, worker: u32) -> String {
    match r.figures.get("threads_per_process") {
        Some(&t) if r.model == ModelId::Hybrid && t >= 1.0 => {
            let t = t as u32;
            format!("p{}·t{}", worker / t, worker % t)
        }
        _ => format!("w{worker}"),
    }
}
