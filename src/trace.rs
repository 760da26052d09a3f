//! The report as a trace: Chrome's trace-event "JSON Object Format", which
//! ui.perfetto.dev and chrome://tracing open. Each model result becomes a
//! process, each worker a thread, each span a complete ("X") event, so the
//! timelines of the page can be zoomed, measured and compared in a real
//! trace viewer. The counter lesson's interleavings follow, one process
//! each, their examples' events as instant events on one row per worker.
//! Mapping, units and names: `docs/contract.md`, "Trace export".

use crate::interleaving::Event;
use crate::models::{ModelId, Span, SpanKind};
use crate::report::{env_line, Interleaving, ModelResult, Report};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The report as a trace-event document:
/// `{"displayTimeUnit": "ms", "metadata": {...}, "traceEvents": [...]}`.
pub fn chrome_trace(report: &Report) -> Value {
    let mut events = Vec::new();
    let mut skipped = 0usize;
    for (index, result) in report.results.iter().enumerate() {
        skipped += result_events(index, result, &mut events);
    }
    for (i, seen) in report.interleavings.iter().enumerate() {
        interleaving_events(report.results.len() + i, seen, &mut events);
    }
    // Keys in alphabetical order, so the document reads the same whether
    // serde_json keeps insertion order or sorts; each is one that
    // Perfetto's streaming reader knows (it stops at a key it does not).
    let mut doc = Map::new();
    doc.insert("displayTimeUnit".into(), json!("ms"));
    doc.insert("metadata".into(), metadata(report, skipped));
    doc.insert("traceEvents".into(), Value::Array(events));
    Value::Object(doc)
}

/// [`chrome_trace`] as compact JSON text, ready to save as `.json`.
pub fn chrome_trace_json(report: &Report) -> String {
    chrome_trace(report).to_string()
}

fn span_name(span: &Span) -> String {
    let task = span.task;
    match span.kind {
        SpanKind::Run => format!("task {task}"),
        SpanKind::GilWait => format!("GIL wait (task {task})"),
        SpanKind::Io => format!("I/O wait (task {task})"),
        SpanKind::Spawn => format!("spawn (task {task})"),
        SpanKind::LoopWait => format!("ready, loop busy (task {task})"),
    }
}

fn process_name(result: &ModelResult) -> String {
    let plural = if result.workers == 1 { "" } else { "s" };
    format!(
        "{} ({}, {} worker{plural})",
        result.model.id(),
        result.model.name(),
        result.workers
    )
}

/// The name of a worker's own row, in the words of the model it stands
/// for: an event loop is one thread, a process model's workers are processes.
fn worker_name(model: ModelId, worker: u32, workers_seen: usize) -> String {
    match model {
        ModelId::Async if workers_seen == 1 => "event loop".to_string(),
        ModelId::Async => format!("event loop {worker}"),
        ModelId::Procs | ModelId::Fork => format!("process worker {worker}"),
        _ => format!("worker {worker}"),
    }
}

/// A row of a worker in the trace: its own, or one for a task's spans that
/// overlap others on that worker (`extra` counts further rows of a task
/// whose own spans overlap, which no model makes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Lane {
    Worker,
    Task { task: u32, extra: u32 },
}

/// Spans placed on one row, none overlapping another, sorted by start (so
/// their ends are sorted too).
#[derive(Default)]
struct Row(Vec<(i64, i64)>);

impl Row {
    fn fits(&self, (start, end): (i64, i64)) -> bool {
        // The first span on the row that ends after `start` is the only
        // one that can reach into [start, end).
        let p = self.0.partition_point(|&(_, e)| e <= start);
        self.0.get(p).is_none_or(|&(s, _)| s >= end)
    }

    fn insert(&mut self, (start, end): (i64, i64)) {
        let p = self.0.partition_point(|&(_, e)| e <= start);
        self.0.insert(p, (start, end));
    }
}

/// The largest magnitude below which an f64 holds every integer: times
/// further out than that (about 104 days in ns) cannot be placed exactly.
const EXACT_NS: f64 = 9_007_199_254_740_992.0;

/// Milliseconds as whole nanoseconds, or `None` where there is no such time.
///
/// The trace is written in whole nanoseconds (as µs with three decimals)
/// because Perfetto rounds `ts` and `dur` to nanoseconds separately and
/// drops a complete event that overlaps its neighbour on the same thread
/// even by 1 ns: a GIL wait that ends exactly where the next run starts
/// could otherwise lose the run. No clock behind a span is finer than 1 ns.
fn to_ns(ms: f64) -> Option<i64> {
    let ns = (ms * 1e6).round();
    // NaN and ±∞ have no JSON number (serde_json would write `null`, and
    // Perfetto skips an event whose `ts` is not a number): such a span has
    // no place on a timeline, so it is left out and counted in the
    // metadata rather than drawn at a made-up time.
    (ns.is_finite() && ns.abs() <= EXACT_NS).then_some(ns as i64)
}

/// A span with its time in whole nanoseconds; a span that ends before it
/// starts lasts 0.
struct Timed<'a> {
    span: &'a Span,
    start: i64,
    end: i64,
}

/// Appends the events of one result (pid `index + 1`); returns how many
/// spans had no finite time and were left out.
fn result_events(index: usize, result: &ModelResult, events: &mut Vec<Value>) -> usize {
    let pid = index as u64 + 1;
    let model = result.model.id();
    events.push(json!({
        "name": "process_name", "ph": "M", "pid": pid,
        "args": { "name": process_name(result) },
    }));
    events.push(json!({
        "name": "process_sort_index", "ph": "M", "pid": pid,
        "args": { "sort_index": index },
    }));

    let timed: Vec<Timed> = result
        .spans
        .iter()
        .filter_map(|span| {
            let start = to_ns(span.start_ms)?;
            let end = to_ns(span.end_ms)?.max(start);
            Some(Timed { span, start, end })
        })
        .collect();
    let skipped = result.spans.len() - timed.len();

    let mut by_worker: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, t) in timed.iter().enumerate() {
        by_worker.entry(t.span.worker).or_default().push(i);
    }
    let mut lanes = vec![Lane::Worker; timed.len()];
    for spans in by_worker.values() {
        place(&timed, spans, &mut lanes);
    }

    // Each worker's own row is thread `worker + 1`; rows for overlapping
    // spans are numbered after every worker, in the order they are shown.
    let rows: BTreeSet<(u32, Lane)> = timed
        .iter()
        .zip(&lanes)
        .map(|(t, lane)| (t.span.worker, *lane))
        .collect();
    let mut next_tid = by_worker.keys().last().map_or(1, |&w| u64::from(w) + 2);
    let mut tids: BTreeMap<(u32, Lane), u64> = BTreeMap::new();
    for (sort_index, &(worker, lane)) in rows.iter().enumerate() {
        let tid = match lane {
            Lane::Worker => u64::from(worker) + 1,
            Lane::Task { .. } => {
                next_tid += 1;
                next_tid - 1
            }
        };
        tids.insert((worker, lane), tid);
        let own = worker_name(result.model, worker, by_worker.len());
        let name = match lane {
            Lane::Worker => own,
            Lane::Task { task, extra: 0 } => format!("{own}: task {task}"),
            Lane::Task { task, extra } => format!("{own}: task {task} ({})", extra + 1),
        };
        events.push(json!({
            "name": "thread_name", "ph": "M", "pid": pid, "tid": tid,
            "args": { "name": name },
        }));
        events.push(json!({
            "name": "thread_sort_index", "ph": "M", "pid": pid, "tid": tid,
            "args": { "sort_index": sort_index },
        }));
    }

    for (t, lane) in timed.iter().zip(&lanes) {
        let kind = t.span.kind.id();
        events.push(json!({
            "name": span_name(t.span),
            "cat": kind,
            "ph": "X",
            "ts": t.start as f64 / 1e3,
            "dur": (t.end - t.start) as f64 / 1e3,
            "pid": pid,
            "tid": tids[&(t.span.worker, *lane)],
            "args": { "task": t.span.task, "kind": kind, "model": model, "worker": t.span.worker },
        }));
    }
    skipped
}

/// Appends the events of one model's interleaving as process `index + 1`:
/// each event of its examples once, as an instant event on its worker's
/// row. An interleaving has no clock, only the order of its tickets, so
/// `ts` is the ticket (read as µs): the axis counts tickets, not time, and
/// the process's name says so.
fn interleaving_events(index: usize, seen: &Interleaving, events: &mut Vec<Value>) {
    let pid = index as u64 + 1;
    let model = seen.model.id();
    events.push(json!({
        "name": "process_name", "ph": "M", "pid": pid,
        "args": { "name": format!("{model}: interleaving (ticket order, not time)") },
    }));
    events.push(json!({
        "name": "process_sort_index", "ph": "M", "pid": pid,
        "args": { "sort_index": index },
    }));
    // Examples can share an event (two lost updates over one write):
    // drawn once, under the first example that has it. The last event of
    // an example that proves a loss is the write that lost it.
    let mut shown: BTreeMap<(u64, u32), (usize, bool, &Event)> = BTreeMap::new();
    for (k, example) in seen.examples.iter().enumerate() {
        for (i, e) in example.iter().enumerate() {
            let lost = seen.lost > 0 && i + 1 == example.len();
            let entry = shown.entry((e.order, e.worker)).or_insert((k, lost, e));
            entry.1 |= lost;
        }
    }
    let workers: BTreeSet<u32> = shown.keys().map(|&(_, w)| w).collect();
    for (sort_index, &w) in workers.iter().enumerate() {
        let tid = u64::from(w) + 1;
        events.push(json!({
            "name": "thread_name", "ph": "M", "pid": pid, "tid": tid,
            "args": { "name": worker_name(seen.model, w, workers.len()) },
        }));
        events.push(json!({
            "name": "thread_sort_index", "ph": "M", "pid": pid, "tid": tid,
            "args": { "sort_index": sort_index },
        }));
    }
    for (&(order, worker), &(example, lost, e)) in &shown {
        let mut args = Map::new();
        args.insert("op".into(), json!(e.op.id()));
        args.insert("value".into(), json!(e.value));
        args.insert("order".into(), json!(order));
        if let Some(r) = e.replaced {
            args.insert("replaced".into(), json!(r));
        }
        if e.switched {
            args.insert("switched".into(), json!(true));
        }
        args.insert("example".into(), json!(example));
        args.insert("model".into(), json!(model));
        args.insert("worker".into(), json!(worker));
        if lost {
            args.insert("lost_update".into(), json!(true));
        }
        let name = if lost {
            format!("{} (lost update)", e.step_words())
        } else {
            e.step_words()
        };
        events.push(json!({
            "name": name, "cat": "interleaving", "ph": "i", "s": "t",
            "ts": order as f64, "pid": pid, "tid": u64::from(worker) + 1,
            "args": Value::Object(args),
        }));
    }
}

/// Chooses the rows of one worker's spans (`spans`, indices into `timed`).
///
/// A trace viewer draws the complete events of one thread as a stack of
/// calls: an event that overlaps another without nesting in it is wrong
/// there (Perfetto drops it), and one inside another would read as a call
/// it made. A worker whose spans follow one another keeps them all on its
/// row. Where they overlap (an event loop's coroutines all await at once),
/// the worker's row keeps its runs, what it actually did, and each task's
/// waits go to a row of that task's own.
fn place(timed: &[Timed], spans: &[usize], lanes: &mut [Lane]) {
    let interval = |i: usize| (timed[i].start, timed[i].end);
    let mut own = Row::default();
    let mut order = spans.to_vec();
    order.sort_by_key(|&i| interval(i));
    if order.iter().all(|&i| {
        let fits = own.fits(interval(i));
        own.insert(interval(i));
        fits
    }) {
        return;
    }

    let mut rows: BTreeMap<Lane, Row> = BTreeMap::new();
    order.sort_by_key(|&i| (timed[i].span.kind != SpanKind::Run, interval(i)));
    for i in order {
        let span = timed[i].span;
        let worker = (span.kind == SpanKind::Run).then_some(Lane::Worker);
        let lane = worker
            .into_iter()
            .chain((0..).map(|extra| Lane::Task {
                task: span.task,
                extra,
            }))
            .find(|lane| rows.get(lane).is_none_or(|row| row.fits(interval(i))))
            .expect("some row of the task is free");
        rows.entry(lane).or_default().insert(interval(i));
        lanes[i] = lane;
    }
}

/// Where the trace came from, for whoever opens it later: the top-level
/// `metadata` of the format, free-form, which viewers keep but do not draw.
fn metadata(report: &Report, skipped: usize) -> Value {
    let mut m = Map::new();
    m.insert("source".into(), json!("Threads vs Processes"));
    m.insert("env".into(), json!(env_line(&report.env)));
    m.insert("date".into(), json!(report.env.date));
    m.insert("build".into(), json!(report.env.build));
    m.insert("user_agent".into(), json!(report.env.user_agent));
    m.insert("config".into(), Value::Object(report.config.clone()));
    if !report.share_url.is_empty() {
        m.insert("share_url".into(), json!(report.share_url));
    }
    if skipped > 0 {
        m.insert("spans_without_time".into(), json!(skipped));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RunConfig;
    use crate::report::{config_map, Env};

    fn span(worker: u32, task: u32, kind: SpanKind, start_ms: f64, end_ms: f64) -> Span {
        Span {
            worker,
            task,
            kind,
            start_ms,
            end_ms,
        }
    }

    fn report(results: Vec<ModelResult>) -> Report {
        let mut cfg = RunConfig::with_cores(2);
        cfg.models = results.iter().map(|r| r.model).collect();
        let env = Env {
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36".into(),
            build: "0.1.0".into(),
            date: "2026-11-22T10:00:00Z".into(),
            timer_resolution_ms: Some(0.005),
            shared_memory: Some(true),
            ..Env::with_cores(2)
        };
        let mut r = Report::new(env, config_map(&cfg), results, "https://host/?w=io".into());
        r.derive();
        r
    }

    fn result(model: ModelId, workers: u32, spans: Vec<Span>) -> ModelResult {
        ModelResult {
            spans,
            ..ModelResult::of_samples(model, workers, vec![20.0, 21.0, 22.0])
        }
    }

    /// GIL threads taking turns on 2 workers, and an event loop whose 3
    /// coroutines await at once, then run one after another.
    fn two_models() -> Report {
        use SpanKind::*;
        report(vec![
            result(
                ModelId::Gil,
                2,
                vec![
                    span(0, 0, Run, 0.0, 5.0),
                    span(1, 1, GilWait, 0.0, 5.0),
                    span(1, 1, Run, 5.0, 10.25),
                    span(0, 0, GilWait, 5.0, 10.25),
                    span(0, 0, Run, 10.25, 15.5),
                ],
            ),
            result(
                ModelId::Async,
                1,
                vec![
                    span(0, 0, Io, 0.0, 50.0),
                    span(0, 1, Io, 0.005, 50.005),
                    span(0, 2, Io, 0.01, 50.01),
                    span(0, 0, Run, 50.0, 52.5),
                    span(0, 1, LoopWait, 50.005, 52.5),
                    span(0, 1, Run, 52.5, 55.125),
                    span(0, 2, LoopWait, 50.01, 55.125),
                    span(0, 2, Run, 55.125, 57.0),
                ],
            ),
        ])
    }

    fn events(doc: &Value) -> &Vec<Value> {
        doc["traceEvents"]
            .as_array()
            .expect("traceEvents is a list")
    }

    fn complete(doc: &Value) -> Vec<&Value> {
        events(doc).iter().filter(|e| e["ph"] == "X").collect()
    }

    fn meta<'a>(doc: &'a Value, name: &str) -> Vec<&'a Value> {
        events(doc)
            .iter()
            .filter(|e| e["ph"] == "M" && e["name"] == name)
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    /// A time as a viewer reads it: µs to whole ns, rounded (Perfetto).
    fn ns(v: &Value) -> i64 {
        (v.as_f64().expect("a number") * 1e3).round() as i64
    }

    fn all_spans(r: &Report) -> Vec<(ModelId, &Span)> {
        r.results
            .iter()
            .flat_map(|x| x.spans.iter().map(move |s| (x.model, s)))
            .collect()
    }

    #[test]
    fn every_span_is_one_complete_event_at_its_time_with_its_name() {
        let r = two_models();
        let doc: Value = serde_json::from_str(&chrome_trace_json(&r)).expect("valid JSON");
        assert_eq!(doc, chrome_trace(&r));
        assert_eq!(doc["displayTimeUnit"], "ms");
        let xs = complete(&doc);
        let spans = all_spans(&r);
        assert_eq!(xs.len(), spans.len());
        for (x, (model, s)) in xs.iter().zip(&spans) {
            let ts = x["ts"].as_f64().unwrap();
            let dur = x["dur"].as_f64().unwrap();
            assert!(close(ts, s.start_ms * 1e3), "{x} vs {s:?}");
            assert!(close(dur, (s.end_ms - s.start_ms) * 1e3), "{x} vs {s:?}");
            let kind = serde_json::to_value(s.kind).unwrap();
            assert_eq!(x["cat"], kind);
            assert_eq!(x["args"]["kind"], kind);
            assert_eq!(x["args"]["task"], s.task);
            assert_eq!(x["args"]["model"], model.id());
            assert_eq!(x["args"]["worker"], s.worker);
            let t = s.task;
            let name = match s.kind {
                SpanKind::Run => format!("task {t}"),
                SpanKind::GilWait => format!("GIL wait (task {t})"),
                SpanKind::Io => format!("I/O wait (task {t})"),
                SpanKind::Spawn => format!("spawn (task {t})"),
                SpanKind::LoopWait => format!("ready, loop busy (task {t})"),
            };
            assert_eq!(x["name"], name.as_str());
        }
        assert_eq!(xs[1]["name"], "GIL wait (task 1)");
        assert_eq!(xs[5]["name"], "I/O wait (task 0)");
        assert_eq!(xs[9]["name"], "ready, loop busy (task 1)");
    }

    #[test]
    fn every_process_and_thread_of_an_event_is_named_and_sorted() {
        let doc = chrome_trace(&two_models());
        let named = |kind: &str| -> BTreeMap<(u64, Option<u64>), String> {
            meta(&doc, kind)
                .iter()
                .map(|e| {
                    let key = (e["pid"].as_u64().unwrap(), e["tid"].as_u64());
                    (key, e["args"]["name"].as_str().unwrap().to_string())
                })
                .collect()
        };
        let processes = named("process_name");
        let threads = named("thread_name");
        assert_eq!(
            processes.values().collect::<Vec<_>>(),
            [
                "gil (GIL threads, 2 workers)",
                "async (Event loop, 1 worker)"
            ]
        );
        assert_eq!(
            processes.keys().map(|k| k.0).collect::<Vec<_>>(),
            [1, 2],
            "pid = result index + 1"
        );
        for x in complete(&doc) {
            let (pid, tid) = (x["pid"].as_u64().unwrap(), x["tid"].as_u64().unwrap());
            assert!(processes.contains_key(&(pid, None)), "{x}");
            assert!(threads.contains_key(&(pid, Some(tid))), "{x}");
        }
        let sort = |kind: &str| -> BTreeSet<(u64, Option<u64>, u64)> {
            meta(&doc, kind)
                .iter()
                .map(|e| {
                    let i = e["args"]["sort_index"].as_u64().unwrap();
                    (e["pid"].as_u64().unwrap(), e["tid"].as_u64(), i)
                })
                .collect()
        };
        assert_eq!(
            sort("process_sort_index"),
            BTreeSet::from([(1, None, 0), (2, None, 1)])
        );
        let thread_sort = sort("thread_sort_index");
        assert_eq!(thread_sort.len(), threads.len());

        // GIL threads: one row per worker, thread worker + 1.
        assert_eq!(threads[&(1, Some(1))], "worker 0");
        assert_eq!(threads[&(1, Some(2))], "worker 1");
        assert_eq!(threads.keys().filter(|k| k.0 == 1).count(), 2);
        for x in complete(&doc).iter().filter(|x| x["pid"] == 1) {
            assert_eq!(
                x["tid"].as_u64(),
                Some(x["args"]["worker"].as_u64().unwrap() + 1)
            );
        }
        // The event loop: its runs on its own row, first; the waits of its
        // coroutines, which overlap, one row per coroutine below it.
        assert_eq!(threads[&(2, Some(1))], "event loop");
        let loop_rows: Vec<(u64, &str)> = thread_sort
            .iter()
            .filter(|k| k.0 == 2)
            .map(|&(_, tid, i)| (i, threads[&(2, tid)].as_str()))
            .collect();
        assert_eq!(
            loop_rows,
            [
                (0, "event loop"),
                (1, "event loop: task 0"),
                (2, "event loop: task 1"),
                (3, "event loop: task 2")
            ]
        );
        for x in complete(&doc).iter().filter(|x| x["pid"] == 2) {
            let row = &threads[&(2, x["tid"].as_u64())];
            if x["cat"] == "run" {
                assert_eq!(row, "event loop", "{x}");
            } else {
                assert_eq!(*row, format!("event loop: task {}", x["args"]["task"]));
            }
        }
    }

    /// No two complete events of one thread overlap as a viewer reads
    /// them (whole ns), or it would draw one as the other's call or drop it.
    fn no_row_overlaps(doc: &Value) {
        let mut rows: BTreeMap<(u64, u64), Vec<(i64, i64)>> = BTreeMap::new();
        for x in complete(doc) {
            let key = (x["pid"].as_u64().unwrap(), x["tid"].as_u64().unwrap());
            let start = ns(&x["ts"]);
            rows.entry(key)
                .or_default()
                .push((start, start + ns(&x["dur"])));
        }
        for (key, mut row) in rows {
            row.sort();
            for pair in row.windows(2) {
                assert!(pair[0].1 <= pair[1].0, "{key:?}: {pair:?}");
            }
        }
    }

    #[test]
    fn spans_on_one_row_never_overlap_even_at_odd_times() {
        no_row_overlaps(&chrome_trace(&two_models()));
        // A GIL hand-off at times no clock gives exactly: each wait ends
        // where the next run starts, which rounding ts and dur apart could
        // make overlap by a nanosecond.
        let mut spans = Vec::new();
        let mut t = 0.0;
        for i in 0..2000u32 {
            let next = t + 0.000_123_456_7 * f64::from(i % 97 + 1) + 0.000_000_6;
            spans.push(span(i % 2, i, SpanKind::Run, t, next));
            spans.push(span(1 - i % 2, i + 1, SpanKind::GilWait, t, next));
            t = next;
        }
        let doc = chrome_trace(&report(vec![result(ModelId::OldGil, 2, spans)]));
        assert_eq!(complete(&doc).len(), 4000);
        no_row_overlaps(&doc);
        assert_eq!(
            meta(&doc, "thread_name").len(),
            2,
            "they still follow one another"
        );
    }

    #[test]
    fn measured_runs_export_every_span_without_overlaps() {
        use crate::models::native::{sleep_ms, InstantClock};
        use crate::models::{event_loop, gil, RunControl};
        use crate::workloads::{io::Io, Workload};
        // Real clocks: times at odd nanoseconds, GIL hand-offs that touch,
        // an event loop whose waits overlap.
        let w = Workload::Io(Io {
            tasks: 6,
            wait_ms: 2.0,
            cpu_n: 200_000,
            convoy: None,
        });
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let (clock, control) = (InstantClock::default(), RunControl::default());
        let (g, _) = gil::run(
            &w,
            Some(&pool),
            &clock,
            sleep_ms,
            &control,
            0.05,
            gil::GilKind::New,
        );
        let a = event_loop::run(&w, &clock, sleep_ms, &control);
        let r = report(vec![
            result(ModelId::Gil, 2, g.spans),
            result(ModelId::Async, 1, a.spans),
        ]);
        let doc: Value = serde_json::from_str(&chrome_trace_json(&r)).unwrap();
        assert_eq!(complete(&doc).len(), all_spans(&r).len());
        no_row_overlaps(&doc);
        for x in complete(&doc).iter().filter(|x| x["pid"] == 1) {
            assert_eq!(
                x["tid"].as_u64(),
                Some(x["args"]["worker"].as_u64().unwrap() + 1),
                "GIL threads' spans follow one another: {x}"
            );
        }
    }

    #[test]
    fn process_models_name_process_workers_and_threads_name_workers() {
        use SpanKind::*;
        let r = report(vec![
            result(ModelId::Threads, 2, vec![span(1, 0, Run, 0.0, 1.0)]),
            result(
                ModelId::Fork,
                2,
                vec![span(0, 0, Spawn, 0.0, 30.0), span(0, 0, Run, 30.0, 31.0)],
            ),
            result(ModelId::Procs, 1, vec![span(0, 0, Run, 0.0, 1.0)]),
        ]);
        let doc = chrome_trace(&r);
        let names: Vec<(&Value, &Value, &Value)> = meta(&doc, "thread_name")
            .iter()
            .map(|e| (&e["pid"], &e["tid"], &e["args"]["name"]))
            .collect();
        assert_eq!(
            names,
            [
                (&json!(1), &json!(2), &json!("worker 1")),
                (&json!(2), &json!(1), &json!("process worker 0")),
                (&json!(3), &json!(1), &json!("process worker 0")),
            ]
        );
        assert_eq!(complete(&doc)[1]["name"], "spawn (task 0)");
        assert_eq!(
            meta(&doc, "process_name")[2]["args"]["name"],
            "procs (Process pool, 1 worker)"
        );
    }

    #[test]
    fn an_interleaving_is_instant_events_on_one_row_per_worker() {
        use crate::interleaving::Event;
        let mut r = two_models();
        // Two lost updates that share a write: w1's 42 is overwritten, and
        // its own write overwrote w0's.
        let first = vec![
            Event::read(0, 41, 0),
            Event::read(1, 41, 1),
            Event::write(0, 42, 41, 2),
            Event {
                switched: true,
                ..Event::write(1, 42, 42, 3)
            },
        ];
        let second = vec![
            Event::read(1, 41, 1),
            Event::read(2, 42, 4),
            Event::write(1, 42, 42, 3),
            Event::write(2, 43, 42, 5),
        ];
        r.interleavings = vec![Interleaving {
            model: ModelId::Gil,
            events: 1200,
            lost: 2,
            examples: vec![first.clone(), second],
        }];
        let doc: Value = serde_json::from_str(&chrome_trace_json(&r)).unwrap();
        let instants: Vec<&Value> = events(&doc).iter().filter(|e| e["ph"] == "i").collect();
        assert_eq!(instants.len(), 6, "each event once");
        assert_eq!(
            complete(&doc).len(),
            all_spans(&r).len(),
            "the spans as before"
        );
        let pid = 3;
        let procs = meta(&doc, "process_name");
        assert_eq!(procs[2]["pid"], pid);
        assert_eq!(
            procs[2]["args"]["name"],
            "gil: interleaving (ticket order, not time)"
        );
        let rows: Vec<(u64, String)> = meta(&doc, "thread_name")
            .iter()
            .filter(|e| e["pid"] == pid)
            .map(|e| (e["tid"].as_u64().unwrap(), e["args"]["name"].to_string()))
            .collect();
        assert_eq!(
            rows,
            [
                (1, "\"worker 0\"".to_string()),
                (2, "\"worker 1\"".to_string()),
                (3, "\"worker 2\"".to_string())
            ]
        );
        for x in &instants {
            assert_eq!(
                (&x["pid"], &x["s"], &x["cat"]),
                (&json!(pid), &json!("t"), &json!("interleaving"))
            );
            assert_eq!(
                x["tid"].as_u64(),
                Some(x["args"]["worker"].as_u64().unwrap() + 1)
            );
            assert_eq!(
                x["ts"].as_f64(),
                x["args"]["order"].as_f64(),
                "ticket order"
            );
            assert_eq!(x["args"]["model"], "gil");
        }
        let by_order = |o: u64| *instants.iter().find(|x| x["args"]["order"] == o).unwrap();
        assert_eq!(by_order(0)["name"], "read 41");
        assert_eq!(by_order(0)["args"]["op"], "read");
        assert!(by_order(0)["args"].get("replaced").is_none());
        // The shared write: drawn once, under the first example, and marked
        // as the write that lost an update (in the first example).
        let shared = by_order(3);
        assert_eq!(shared["name"], "wrote 42 over 42 (lost update)");
        assert_eq!(shared["args"]["example"], 0);
        assert_eq!(shared["args"]["replaced"], 42);
        assert_eq!(shared["args"]["switched"], true);
        assert_eq!(by_order(5)["name"], "wrote 43 over 42 (lost update)");
        assert_eq!(by_order(5)["args"]["example"], 1);
        assert_eq!(by_order(2)["name"], "wrote 42 over 41");

        // An excerpt of a trace that lost nothing marks no write.
        r.interleavings[0].lost = 0;
        r.interleavings[0].examples = vec![first];
        let doc = chrome_trace(&r);
        assert!(events(&doc)
            .iter()
            .filter(|e| e["ph"] == "i")
            .all(|e| e["args"].get("lost_update").is_none()));
    }

    #[test]
    fn an_empty_report_is_a_valid_trace_without_events() {
        for r in [
            report(vec![]),
            report(vec![result(ModelId::Seq, 1, vec![])]),
        ] {
            let doc: Value = serde_json::from_str(&chrome_trace_json(&r)).unwrap();
            assert!(complete(&doc).is_empty());
            assert!(meta(&doc, "thread_name").is_empty());
            assert_eq!(meta(&doc, "process_name").len(), r.results.len());
            assert_eq!(doc["displayTimeUnit"], "ms");
        }
    }

    #[test]
    fn spans_without_a_finite_time_are_left_out_and_counted() {
        use SpanKind::*;
        let r = report(vec![result(
            ModelId::Threads,
            1,
            vec![
                span(0, 0, Run, f64::NAN, 1.0),
                span(0, 1, Run, 0.0, f64::INFINITY),
                span(0, 2, Run, f64::NEG_INFINITY, 0.0),
                span(0, 3, Run, 1e300, 1e300),
                span(0, 4, Run, 2.0, 1.0),
            ],
        )]);
        let text = chrome_trace_json(&r);
        let doc: Value = serde_json::from_str(&text).unwrap();
        let xs = complete(&doc);
        assert_eq!(xs.len(), 1);
        assert_eq!(xs[0]["args"]["task"], 4);
        assert_eq!(
            (xs[0]["ts"].as_f64(), xs[0]["dur"].as_f64()),
            (Some(2000.0), Some(0.0))
        );
        assert!(xs.iter().all(|x| x["ts"].is_f64() && x["dur"].is_f64()));
        assert_eq!(doc["metadata"]["spans_without_time"], 4);
        assert!(chrome_trace(&two_models())["metadata"]
            .get("spans_without_time")
            .is_none());
    }

    #[test]
    fn the_metadata_says_where_the_trace_came_from() {
        let r = two_models();
        let doc = chrome_trace(&r);
        let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["displayTimeUnit", "metadata", "traceEvents"]);
        let m = &doc["metadata"];
        assert_eq!(m["env"], env_line(&r.env));
        assert_eq!(
            m["env"],
            "2 cores · Chrome 156 · isolated · timer 5 µs · 2026-11-22 10:00"
        );
        assert_eq!(m["date"], "2026-11-22T10:00:00Z");
        assert_eq!(m["config"], Value::Object(r.config.clone()));
        assert_eq!(m["config"]["models"], json!(["gil", "async"]));
        assert_eq!(m["share_url"], "https://host/?w=io");
    }

    #[test]
    fn a_report_read_back_from_its_json_gives_the_same_trace() {
        // What `#report-json` holds: the browser's test reads the report
        // there and checks the exported trace against it.
        let r = two_models();
        let text = serde_json::to_string_pretty(&r).unwrap();
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(chrome_trace(&back), chrome_trace(&r));
        let doc = chrome_trace(&back);
        let from_json: Value = serde_json::from_str(&text).unwrap();
        let mut spans = Vec::new();
        for x in from_json["results"].as_array().unwrap() {
            spans.extend(
                x["spans"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| (&x["model"], s)),
            );
        }
        let xs = complete(&doc);
        assert_eq!(xs.len(), spans.len());
        for (x, (model, s)) in xs.iter().zip(spans) {
            let (start, end) = (
                s["start_ms"].as_f64().unwrap(),
                s["end_ms"].as_f64().unwrap(),
            );
            assert!(close(x["ts"].as_f64().unwrap(), start * 1e3));
            assert!(close(x["dur"].as_f64().unwrap(), (end - start) * 1e3));
            assert_eq!(x["cat"], s["kind"]);
            assert_eq!(x["args"]["task"], s["task"]);
            assert_eq!(&x["args"]["model"], model);
        }
    }
}
