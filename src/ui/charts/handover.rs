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
fn bar(b: &HandoverBar, i: usize, x: &impl Fn(f64) -> f64) -> Html {
    let y = TOP + i as f64 * ROW;
    let mut at = 0.0;
    let segments = Handover::PHASES
        .iter()
        .zip(b.phases_ms)
        .enumerate()
        .map(|(k, (name, ms))| {
            let from = at;
            at += ms;
            html! {
                <rect class={format!("phase phase-{k}")} x={x(from).to_string()} y={y.to_string()}
                    width={(x(at) - x(from)).max(0.0).to_string()} height={(ROW - 10.0).to_string()}
                    data-phase={*name} data-ms={format!("{ms:.4}")}>
                    <title>{ format!("{name}: {}", crate::summary::ms(ms)) }</title>
                </rect>
            }
        });
    let rate = b
        .handing_gbps()
        .map_or(String::new(), |g| format!("{g:.2} GB/s"));
    html! {
        <g class={classes!("handover", model_class(b.model))} data-model={b.model.id()}
            data-cold={b.cold.to_string()} data-handing-ms={format!("{:.4}", b.handing_ms())}>
            <text class="name" x={(NAME - 8.0).to_string()} y={(y + ROW / 2.0).to_string()} text-anchor="end">{ bar_name(b) }</text>
            { for segments }
            <text class="rate" x={(x(at) + 6.0).to_string()} y={(y + ROW / 2.0).to_string()}>{ rate }</text>
        </g>
    }
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
    html! {
        <figure class="chart" id="handover-chart">
            <figcaption>
                { format!("Handing {} to a process: where the time goes, cold and warm", human_bytes(first.bytes as usize)) }
                <span class="legend">
                    { for Handover::PHASES.iter().enumerate().map(|(k, name)| html! {
                        <span class={format!("phase-{k}")}><i class="swatch"></i>{ *name }</span>
                    }) }
                    <span class="legend-note">{ "cold: the bytes land in memory the receiver never used (a fresh process, or its memory grew), or the sender made a new buffer · the rate is bytes per handing time (all but the checksum)" }</span>
                </span>
            </figcaption>
            { line }
            <svg viewBox={format!("0 0 {W} {h}")} role="img" aria-labelledby="handover-title" aria-describedby={described}>
                <title id="handover-title">{ "Median time of each phase of handing a buffer to a process, per model, cold and warm" }</title>
                <g class="axis x">
                    { for ticks.iter().map(|t| html! { <g>
                        <line class="grid" x1={x(*t).to_string()} x2={x(*t).to_string()} y1={TOP.to_string()} y2={(h - BOTTOM).to_string()} />
                        <text x={x(*t).to_string()} y={(h - BOTTOM + 16.0).to_string()} text-anchor="middle">{ fmt_tick(*t) }</text>
                    </g> }) }
                    { x_label(h, "median time per task (ms)") }
                </g>
                { for p.bars.iter().enumerate().map(|(i, b)| bar(b, i, &x)) }
            </svg>
            { table_alt(&["model", "start", "tasks", "serialize ms", "deliver ms", "grow ms", "copy in ms", "checksum ms", "handed GB/s"], html! { { for p.bars.iter().map(|b| html! {
                <tr><td>{ b.model.id() }</td><td>{ if b.cold { "cold" } else { "warm" } }</td><td>{ b.tasks }</td>
                { for b.phases_ms.iter().map(|v| html! { <td>{ ms(*v) }</td> }) }
                <td>{ b.handing_gbps().map_or("—".to_string(), |g| format!("{g:.2}")) }</td></tr>
            }) } }) }
        </figure>
    }
}
