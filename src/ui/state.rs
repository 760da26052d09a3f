//! The session inside Yew: the reducer wraps the pure [`Session`], and the
//! first state is read from the page (address, machine, storage).

use crate::capabilities::Capabilities;
use crate::config::parse_query;
use crate::report::Env;
use crate::session::{Action, Init, Session};
use crate::web::{cross_origin_isolated, storage};
use std::rc::Rc;
use yew::Reducible;

impl Reducible for Session {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = Rc::unwrap_or_clone(self);
        s.apply(action);
        Rc::new(s)
    }
}

fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

/// The session the page opens with.
pub fn from_location() -> Session {
    let loc = window().location();
    Session::new(Init {
        raw: parse_query(&loc.search().unwrap_or_default()),
        env: current_env(),
        caps: page_capabilities(),
        history: storage::load(),
        fragment: loc
            .hash()
            .unwrap_or_default()
            .trim_start_matches('#')
            .to_string(),
        href: loc.href().unwrap_or_default(),
    })
}

/// A run of what the form says, with the page's clock and address, and
/// the reader's prediction.
pub fn run_action() -> Action {
    run(true)
}

/// As [`run_action`], leaving the reader's prediction out.
pub fn run_without_predicting() -> Action {
    run(false)
}

fn run(predicted: bool) -> Action {
    let loc = window().location();
    Action::Run {
        date: String::from(js_sys::Date::new_0().to_iso_string()),
        page: format!(
            "{}{}",
            loc.origin().unwrap_or_default(),
            loc.pathname().unwrap_or_default()
        ),
        predicted,
    }
}

pub fn cancel_action() -> Action {
    Action::Cancel {
        at_ms: crate::web::now_ms(),
    }
}

pub fn page_capabilities() -> Capabilities {
    Capabilities {
        shared_memory: crate::web::shared_memory(),
    }
}

fn current_env() -> Env {
    let nav = window().navigator();
    Env {
        cores: nav.hardware_concurrency() as u32,
        isolated: cross_origin_isolated(),
        shared_memory: Some(crate::web::shared_memory()),
        user_agent: nav.user_agent().unwrap_or_default(),
        build: env!("CARGO_PKG_VERSION").to_string(),
        date: String::from(js_sys::Date::new_0().to_iso_string()),
        timer_resolution_ms: timer_resolution_ms(),
    }
}

/// The smallest step `performance.now()` takes here: browsers coarsen the
/// clock (to 5 µs in an isolated page, 100 µs or more otherwise), which
/// bounds how finely a short run can be timed.
fn timer_resolution_ms() -> Option<f64> {
    // `now()` alone, without the time origin the shared clock adds, so the
    // step reads exactly (0.005, not 0.00500002).
    struct PageNow;
    impl crate::models::Clock for PageNow {
        fn now_ms(&self) -> f64 {
            window().performance().map_or(0.0, |p| p.now())
        }
    }
    window().performance()?;
    // A few milliseconds of sampling see dozens of clock steps.
    crate::calibrate::clock_step_ms(&PageNow, 3.0)
}
