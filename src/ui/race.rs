//! See the race (the counter lesson): the interleaving a short traced
//! repeat recorded on this machine, drawn as a sequence diagram with one
//! lane per worker (`crate::interleaving`), and a stepper where the reader
//! plays the scheduler over two threads running `value += 1`
//! (`crate::stepper`).

use crate::interleaving::{sequence_words, Event, Op};
use crate::report::{Interleaving, Report};
use crate::stepper::{Stepper, THREADS};
use crate::svg::{Svg, LEFT, RIGHT, W};
use std::rc::Rc;
use yew::prelude::*;
use yew::AttrValue;

#[derive(Properties, PartialEq)]
pub struct TraceProps {
    pub report: Rc<Report>,
}

/// Each model's traced repeat, and its first lost update drawn.
#[function_component(Interleavings)]
pub fn interleavings(p: &TraceProps) -> Html {
    let r = &p.report;
    if r.interleavings.is_empty() {
        return html! {};
    }
    html! {
        <section id="interleavings" class="interleavings" aria-labelledby="interleavings-title">
            <h2 id="interleavings-title">{ "How an update was lost, step by step" }</h2>
            <p class="lead">{ "After the timed repeats, each model ran a short traced repeat: every read and \
                every write of the shared value, with the worker that made it and its place in one global order. \
                A lost update is a write that overwrote another worker's write made after its own read." }</p>
            { for r.interleavings.iter().map(|i| {
                let timed_lost = r.results.iter().find(|x| x.model == i.model)
                    .and_then(|x| x.lost_updates.clone())
                    .filter(|n| n != "0")
                    .map(|n| n.parse().map(crate::format::group).unwrap_or(n));
                html! { <Trace interleaving={i.clone()} {timed_lost} /> }
            }) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct OneProps {
    interleaving: Interleaving,
    /// What the model's timed repeats lost, where they lost any.
    timed_lost: Option<String>,
}

#[function_component(Trace)]
fn trace(p: &OneProps) -> Html {
    let i = &p.interleaving;
    let lost = i.first_lost();
    let summary = format!(
        "{} ({}): {} reads and writes recorded; {}",
        i.model.name(),
        i.model.id(),
        i.events,
        match i.lost {
            0 => "no update lost".to_string(),
            1 => "1 write lost updates".to_string(),
            n => format!("{n} writes lost updates"),
        }
    );
    let example = i.examples.first();
    let said = match (&lost, example) {
        (Some(l), _) => format!("{} → {}", sequence_words(&l.sequence()), l.words()),
        (None, Some(ex)) => match &p.timed_lost {
            // Said, not hidden: the trace is short, and whether workers
            // overlap in it is the very timing the lesson is about.
            Some(n) => format!(
                "{} → this short trace ran its workers one after the other (the machine was busy), \
                 so none was lost here; the timed repeats lost {n} updates. Run again to catch one.",
                sequence_words(ex)
            ),
            None => format!("{} → {}", sequence_words(ex), why_none(ex)),
        },
        (None, None) => "nothing was recorded".to_string(),
    };
    let events: Vec<Event> = match (&lost, example) {
        (Some(l), _) => l.sequence(),
        (None, Some(ex)) => ex.clone(),
        _ => Vec::new(),
    };
    html! {
        <figure class="trace" data-model={i.model.id()} data-lost={i.lost.to_string()} data-events={i.events.to_string()}>
            <figcaption>{ summary }</figcaption>
            <p class="trace-words">{ said }</p>
            if !events.is_empty() {
                { sequence_diagram(i, &events, lost.is_some()) }
            }
        </figure>
    }
}

/// Why an excerpt with no lost update lost none, in a few words.
fn why_none(events: &[Event]) -> &'static str {
    if events.iter().any(|e| e.op == Op::Wait) {
        "no read and write of one worker was split by another's: a worker that found the lock taken waited"
    } else if events.iter().all(|e| e.op == Op::Add) {
        "each update one indivisible step: nothing can come between its read and its write"
    } else {
        "no other worker wrote between a read and its write"
    }
}

/// One lane per worker, one row per event, in the order they happened;
/// a write that lost an update is marked, and so is a GIL hand-off that
/// fell between a worker's read and its write.
fn sequence_diagram(i: &Interleaving, events: &[Event], lost: bool) -> Html {
    let mut workers: Vec<u32> = events.iter().map(|e| e.worker).collect();
    workers.sort_unstable();
    workers.dedup();
    let row = 34.0;
    let top = 36.0;
    let h = top + row * events.len() as f64 + 16.0;
    let lane_w = (W - LEFT - RIGHT) / workers.len().max(1) as f64;
    let x = |w: u32| {
        let at = workers.iter().position(|v| *v == w).unwrap_or(0) as f64;
        LEFT + lane_w * (at + 0.5)
    };
    let id = format!("trace-{}", i.model.id());
    let mut s = Svg::new(
        &id,
        h,
        &format!(
            "{}: the reads and writes of one lost update, in order",
            i.model.name()
        ),
        None,
    );
    for &w in &workers {
        s.tag("g").a("class", "lane").a("data-worker", w).open();
        s.tag("text")
            .a("x", x(w))
            .a("y", 18.0)
            .a("text-anchor", "middle")
            .text(format_args!("w{w}"));
        s.line(None, (x(w), x(w)), (26.0, h - 8.0));
        s.close("g");
    }
    let last = events.len().saturating_sub(1);
    for (n, e) in events.iter().enumerate() {
        let y = top + row * n as f64 + row / 2.0;
        let loses = lost && n == last && e.op == Op::Write;
        let class = match (e.op, loses) {
            (_, true) => "event lost",
            (Op::Read, _) => "event read",
            (Op::Write, _) => "event write",
            (Op::Wait, _) => "event wait",
            (Op::Add, _) => "event add",
        };
        s.tag("g")
            .a("class", class)
            .a("data-worker", e.worker)
            .a("data-op", e.op.id())
            .a("data-value", e.value)
            .a("data-order", e.order)
            .open();
        s.tag("rect")
            .a("x", x(e.worker) - 78.0)
            .a("y", y - 12.0)
            .a("width", 156.0)
            .a("height", 24.0)
            .a("rx", 4)
            .end();
        s.tag("text")
            .a("x", x(e.worker))
            .a("y", y + 4.5)
            .a("text-anchor", "middle")
            .text(e.step_words());
        s.close("g");
        if e.switched {
            s.tag("g").a("class", "switch").open();
            s.line(None, (LEFT, W - RIGHT), (y - row / 2.0, y - row / 2.0));
            s.tag("text")
                .a("x", W - RIGHT)
                .a("y", y - row / 2.0 - 3.0)
                .a("text-anchor", "end")
                .text("the GIL passed here");
            s.close("g");
        }
    }
    Html::from_html_unchecked(AttrValue::from(s.finish()))
}

/// Play the scheduler: the reader picks which thread runs its next
/// bytecode of `value += 1`.
#[function_component(StepperView)]
pub fn stepper_view() -> Html {
    let stepper = use_state(|| Stepper::new(false));
    let said = use_state(|| {
        "Two threads each run value += 1 as three bytecodes. Pick which runs next.".to_string()
    });
    let step = |t: usize| {
        let (stepper, said) = (stepper.clone(), said.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = (*stepper).clone();
            match next.step(t) {
                Ok(done) => {
                    let mut words = done.words.clone();
                    if let Some(l) = done.lost {
                        words = format!("{words} — {}: {}", l.words(), l.why());
                    }
                    said.set(words);
                }
                Err(refused) => said.set(refused.words),
            }
            stepper.set(next);
        })
    };
    let toggle = {
        let (stepper, said) = (stepper.clone(), said.clone());
        Callback::from(move |_: yew::Event| {
            let mut next = (*stepper).clone();
            let on = !next.uses_lock();
            next.set_lock(on);
            said.set(if on {
                "With a lock: a thread takes it before its LOAD and lets it go after its STORE."
                    .to_string()
            } else {
                "Without a lock: any thread may run between another's LOAD and STORE.".to_string()
            });
            stepper.set(next);
        })
    };
    let reset = {
        let (stepper, said) = (stepper.clone(), said.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = (*stepper).clone();
            next.reset();
            said.set("Back to the start: value is 0.".to_string());
            stepper.set(next);
        })
    };
    let st = &*stepper;
    let program = st.program();
    html! {
        <section id="stepper" class="stepper" aria-labelledby="stepper-title">
            <h2 id="stepper-title">{ "Play the scheduler" }</h2>
            <p class="lead">{ "You are the scheduler: run the next bytecode of either thread, and try to lose an update. \
                Then turn the lock on and try again." }</p>
            <div class="stepper-state">
                { for (0..THREADS).map(|t| {
                    let th = st.threads()[t];
                    html! {
                        <div class="stepper-thread" id={format!("stepper-thread-{t}")}>
                            <h3>{ format!("Thread {t}") }</h3>
                            <ol class="program">
                                { for program.iter().enumerate().map(|(i, ins)| html! {
                                    <li class={classes!((i == th.pc).then_some("next"))}
                                        aria-current={(i == th.pc).then_some("step")}>
                                        <code>{ ins.name() }</code>{ " " }<span>{ ins.meaning() }</span>
                                    </li>
                                }) }
                            </ol>
                            <p>{ "register: " }<b class="register">{ th.register.map_or("empty".to_string(), |v| v.to_string()) }</b></p>
                            <button type="button" id={format!("stepper-run-{t}")} onclick={step(t)}>
                                { format!("Run thread {t}: {}", st.next_instr(t).map_or("", |i| i.name())) }
                            </button>
                        </div>
                    }
                }) }
                <div class="stepper-shared">
                    <h3>{ "Shared" }</h3>
                    <p>{ "value = " }<b id="stepper-value">{ st.value() }</b></p>
                    <p>{ "increments done: " }<b id="stepper-increments">{ st.increments() }</b></p>
                    <p>{ "updates lost: " }<b id="stepper-lost">{ st.missing() }</b></p>
                    if st.uses_lock() {
                        <p id="stepper-holder">{ match st.holder() {
                            Some(t) => format!("the lock: held by thread {t}"),
                            None => "the lock: free".to_string(),
                        } }</p>
                    }
                </div>
            </div>
            <p class="stepper-controls">
                <label for="stepper-lock">
                    <input type="checkbox" id="stepper-lock" checked={st.uses_lock()} onchange={toggle} />
                    { " Use a lock" }
                </label>
                <button type="button" class="secondary" id="stepper-reset" onclick={reset}>{ "Start again" }</button>
            </p>
            <p id="stepper-said" class="stepper-said" role="status" aria-live="polite">{ (*said).clone() }</p>
            <p id="stepper-status" class="stepper-status">{ st.status() }</p>
        </section>
    }
}
