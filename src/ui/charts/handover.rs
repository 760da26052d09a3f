//! The transfer lesson's breakdown: where handing a buffer to a process
//! spent its time, phase by phase, for the tasks that found memory ready
//! (warm) and those that touched it first (cold).

use super::*;
use crate::report::HandoverBar;
use crate::workloads::transfer::Handover;

#[derive(Properties, PartialEq)]
pub struct HandoverProps {
    pub bars: Vec<HandoverBar>,
}

const ROW: f64 = 34.0;
/// Room at the left for a bar's name.
const NAME: f64 = 132.0;

fn bar_name(b: &HandoverBar) -> String {
    format!(
        "{} · {}",
        b.model.id(),
        if b.cold { "cold" } else { "warm" }
    )
}

/// One bar: its phases laid end to end from the axis, then what handing
/// over came to, as a rate.
fn bar(s: &mut Svg, b: &HandoverBar, i: usize, x: &impl Fn(f64) -> f64) {
    let y = TOP + i as f64 * ROW;
    s.tag("g")
        .a("class", format_args!("handover {}", model_class(b.model)))
        .a("data-model", b.model.id())
        .a("data-cold", b.cold)
        .a("data-handing-ms", format_args!("{:.4}", b.handing_ms()));
    s.tag("text")
        .a("class", "name")
        .a("x", NAME - 8.0)
        .a("y", y + ROW / 2.0)
        .a("text-anchor", "end")
        .text(bar_name(b));
    let mut at = 0.0;
    for (k, (name, ms)) in Handover::PHASES.iter().zip(b.phases_ms).enumerate() {
        let from = at;
        at += ms;
        s.tag("rect")
            .a("class", format_args!("phase phase-{k}"))
            .a("x", x(from))
            .a("y", y)
            .a("width", (x(at) - x(from)).max(0.0))
            .a("height", ROW - 10.0)
            .a("data-phase", name)
            .a("data-ms", format_args!("{ms:.4}"));
        s.tag("title")
            .text(format_args!("{name}: {}", crate::format::ms(ms)));
        s.close("rect");
    }
    let rate = b
        .handing_gbps()
        .map_or(String::new(), |g| format!("{g:.2} GB/s"));
    s.tag("text")
        .a("class", "rate")
        .a("x", x(at) + 6.0)
        .a("y", y + ROW / 2.0)
        .text(rate);
    s.close("g");
}

/// Stacked bars, one per model and start (cold, warm), on one time axis.
#[function_component(HandoverChart)]
pub fn handover_chart(p: &HandoverProps) -> Html {
    let Some(first) = p.bars.first() else {
        return html! {};
    };
    let h = TOP + p.bars.len() as f64 * ROW + BOTTOM;
    let max = p
        .bars
        .iter()
        .map(|b| b.phases_ms.iter().sum::<f64>())
        .fold(0.0, f64::max);
    let right = W - RIGHT - 72.0;
    let ticks = ticks(max);
    let top = ticks.last().copied().unwrap_or(max).max(max).max(1e-6);
    let x = move |ms: f64| NAME + ms / top * (right - NAME);
    let (line, described) = summary_line("handover-summary", crate::summary::handovers(&p.bars));
    let ms = |v: f64| format!("{v:.3}");
    let mut s = Svg::new(
        "handover",
        h,
        "Median time of each phase of handing a buffer to a process, per model, cold and warm",
        described.as_deref(),
    );
    s.tag("g").a("class", "axis x");
    for t in &ticks {
        s.tag("g").open();
        s.line(Some("grid"), (x(*t), x(*t)), (TOP, h - BOTTOM));
        s.x_tick(h, x(*t), "middle", tick(*t));
        s.close("g");
    }
    s.x_label(h, "median time per task (ms)");
    s.close("g");
    for (i, b) in p.bars.iter().enumerate() {
        bar(&mut s, b, i, &x);
    }
    html! {
        <figure class="chart" id="handover-chart">
            <figcaption>
                { format!("Handing {} to a process: where the time goes, cold and warm", bytes(first.bytes as usize)) }
                <span class="legend">
                    { for Handover::PHASES.iter().enumerate().map(|(k, name)| html! {
                        <span class={format!("phase-{k}")}><i class="swatch"></i>{ *name }</span>
                    }) }
                    <span class="legend-note">{ "cold: the bytes land in memory the receiver never used (a fresh process, or its memory grew), or the sender made a new buffer · the rate is bytes per handing time (all but the checksum)" }</span>
                </span>
            </figcaption>
            { line }
            { drawn(s) }
            { table_alt(&["model", "start", "tasks", "serialize ms", "deliver ms", "grow ms", "copy in ms", "checksum ms", "handed GB/s"], html! { { for p.bars.iter().map(|b| html! {
                <tr><td>{ b.model.id() }</td><td>{ if b.cold { "cold" } else { "warm" } }</td><td>{ b.tasks }</td>
                { for b.phases_ms.iter().map(|v| html! { <td>{ ms(*v) }</td> }) }
                <td>{ cell(b.handing_gbps(), 2) }</td></tr>
            }) } }) }
        </figure>
    }
}
