//! "This machine's limits": the calibration a report carries, and each
//! model's overhead set against the limit that bounds it.

use crate::calibrate::Calibration;
use crate::format::{clock_step, figure};
use crate::report::Report;
use crate::verdict::overheads;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LimitsProps {
    pub report: Rc<Report>,
}

fn clock_line(c: &Calibration) -> String {
    let timer = c
        .timer_resolution_ms
        .map_or("unknown".to_string(), clock_step);
    format!("{} logical cores · timer resolution {timer}", c.cores)
}

#[function_component(LimitsPanel)]
pub fn limits_panel(p: &LimitsProps) -> Html {
    let Some(c) = p.report.calibration.as_ref() else {
        return html! {};
    };
    let said = overheads(&p.report, c);
    html! {
        <section id="limits" class="limits" aria-labelledby="limits-title">
            <h2 id="limits-title">{ "This machine's limits" }</h2>
            <p class="limits-note">
                { "Measured in this browser before the first run, as the yardstick for every model's overhead: a model near these figures is as fast as this browser allows. " }
                { clock_line(c) }
            </p>
            <table class="limits-table">
                <caption class="visually-hidden">{ "This machine's limits" }</caption>
                <tbody>
                    { for c.rows().into_iter().map(|(key, words, v, unit)| {
                        // A start shorter than two ticks was not timed: a bound.
                        let bound = c.bound_ms(key);
                        let shown = match bound {
                            Some(b) => format!("under {} {unit}", figure(b)),
                            None => format!("{} {unit}", figure(v)),
                        };
                        html! {
                            <tr data-key={key} data-value={v.to_string()} data-bound={bound.map(|b| b.to_string())}>
                                <th scope="row">{ words }</th>
                                <td>{ shown }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            if !said.is_empty() {
                <ul id="overheads">
                    { for said.iter().map(|o| html! {
                        <li data-model={o.model.id()} data-ratio={o.ratio.to_string()}>{ o.words.clone() }</li>
                    }) }
                </ul>
            }
        </section>
    }
}
