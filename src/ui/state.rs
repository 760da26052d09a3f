//! The page's state and the actions that change it.

use crate::config::{parse_query, to_query, RunConfig};
use crate::models::{Measurement, ModelId};
use crate::plan::{self, Step};
use crate::protocol::FromEngine;
use crate::report::{Env, Report};

use crate::web::cross_origin_isolated;
use crate::workloads::ParamError;
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Idle,
    Running,
    Done,
    Error,
}

impl Phase {
    pub fn attr(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Running => "running",
            Phase::Done => "done",
            Phase::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EngineInfo {
    pub threads: u32,
    pub thread_pool_ms: f64,
    pub process_compile_ms: f64,
    pub process_pool_ms: f64,
    /// Process workers alive after the last run or cancel (pool included).
    pub live_processes: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    /// What the user typed or the link said, key by key, in order: kept
    /// verbatim so a rejected value stays in its field to be corrected.
    pub raw: Vec<(String, String)>,
    pub config: RunConfig,
    pub errors: Vec<ParamError>,
    pub env: Env,
    pub phase: Phase,
    pub run_id: u32,
    /// The configuration of the run in progress or last finished.
    pub run_config: Option<RunConfig>,
    /// The steps of the run in progress (main, sweep, sizes), the one being
    /// measured, and what the finished ones measured.
    pub steps: Vec<Step>,
    pub step: usize,
    pub measured: Vec<Vec<Measurement>>,
    /// The engine's progress: model and round, and tasks finished (read from
    /// its shared memory by polling).
    pub at: Option<(ModelId, u32, u32, bool)>,
    pub tasks_finished: u32,
    pub progress: Option<String>,
    pub report: Option<Report>,
    pub failure: Option<String>,
    pub engine_info: Option<EngineInfo>,
    /// Counts form edits, so the URL is rewritten on edits and not on load.
    pub edits: u32,
    /// When Cancel was pressed (shared clock), to tell how long stopping took.
    pub cancel_at: Option<f64>,
    /// What the last cancel did.
    pub notice: Option<String>,
}

pub enum Action {
    Set(String, String),
    /// A run of these steps starts with run id `u32` for its first step.
    Started(u32, Vec<Step>),
    Polled(u32),
    CancelRequested(f64),
    Engine(FromEngine),
}

fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

fn current_env() -> Env {
    let nav = window().navigator();
    Env {
        cores: nav.hardware_concurrency() as u32,
        isolated: cross_origin_isolated(),
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
    let perf = window().performance()?;
    let mut best = f64::INFINITY;
    let mut last = perf.now();
    for _ in 0..20_000 {
        let now = perf.now();
        if now > last {
            best = best.min(now - last);
            last = now;
        }
    }
    best.is_finite().then_some(best)
}

impl AppState {
    pub fn from_location() -> AppState {
        let search = window().location().search().unwrap_or_default();
        let raw = parse_query(&search);
        let env = current_env();
        let (config, errors) = RunConfig::from_pairs(&raw, env.cores.max(1));
        AppState {
            raw,
            config,
            errors,
            env,
            phase: Phase::Idle,
            run_id: 0,
            run_config: None,
            steps: Vec::new(),
            step: 0,
            measured: Vec::new(),
            at: None,
            tasks_finished: 0,
            progress: None,
            report: None,
            failure: None,
            engine_info: None,
            edits: 0,
            cancel_at: None,
            notice: None,
        }
    }

    /// "step 2 of 5 (scaling sweep, 2 workers) · measuring: round 3 of 6 ·
    /// model procs · 2 of 4 tasks done"
    pub fn progress_line(&self) -> String {
        let mut parts = Vec::new();
        if self.steps.len() > 1 {
            if let Some(step) = self.steps.get(self.step) {
                parts.push(format!(
                    "step {} of {} ({})",
                    self.step + 1,
                    self.steps.len(),
                    step.label()
                ));
            }
        }
        match self.at {
            Some((model, round, rounds, warmup)) => {
                let what = if warmup { "warm-up" } else { "measuring" };
                parts.push(format!("{what}: round {round} of {rounds}"));
                parts.push(format!("model {model}"));
                if let Some(step) = self.steps.get(self.step) {
                    parts.push(format!(
                        "{} of {} tasks done",
                        self.tasks_finished.min(step.workload.tasks()),
                        step.workload.tasks()
                    ));
                }
            }
            None => parts.push("starting the engine…".to_string()),
        }
        parts.join(" · ")
    }

    /// The value a form field shows: what was entered, else the default.
    pub fn field(&self, key: &str) -> String {
        if let Some(v) = crate::workloads::lookup(&self.raw, key) {
            return v.to_string();
        }
        self.config
            .to_pairs()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
            .unwrap_or_default()
    }

    pub fn error_for(&self, key: &str) -> Option<&ParamError> {
        self.errors.iter().find(|e| e.key == key)
    }

    pub fn url_query(&self) -> String {
        let pairs: Vec<_> = self
            .raw
            .iter()
            .filter(|(k, _)| k != "run")
            .cloned()
            .collect();
        to_query(&pairs)
    }

    pub fn share_url(&self) -> String {
        let loc = window().location();
        let base = format!(
            "{}{}",
            loc.origin().unwrap_or_default(),
            loc.pathname().unwrap_or_default()
        );
        let cfg = self.run_config.as_ref().unwrap_or(&self.config);
        format!("{base}?{}", to_query(&cfg.to_pairs()))
    }

    fn finish(&mut self, run: u32, measurements: Vec<Measurement>) {
        if run != self.run_id {
            return;
        }
        self.measured.push(measurements);
        if self.step + 1 < self.steps.len() {
            // The next step goes out from an effect watching `run_id`.
            self.step += 1;
            self.run_id += 1;
            self.tasks_finished = 0;
            self.at = None;
            return;
        }
        let cfg = self
            .run_config
            .clone()
            .unwrap_or_else(|| self.config.clone());
        let env = self.env.clone();
        self.report = Some(plan::assemble(
            &cfg,
            env,
            &self.steps,
            &self.measured,
            self.share_url(),
        ));
        self.phase = Phase::Done;
        self.progress = None;
        self.at = None;
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Set(key, value) => {
                s.raw.retain(|(k, _)| *k != key);
                s.raw.push((key, value));
                let (config, errors) = RunConfig::from_pairs(&s.raw, s.env.cores.max(1));
                s.config = config;
                s.errors = errors;
                s.edits += 1;
            }
            Action::Polled(n) => s.tasks_finished = n,
            Action::Started(id, steps) => {
                s.run_id = id;
                s.steps = steps;
                s.step = 0;
                s.measured = Vec::new();
                s.at = None;
                s.tasks_finished = 0;
                s.run_config = Some(s.config.clone());
                s.phase = Phase::Running;
                s.failure = None;
                s.notice = None;
                s.cancel_at = None;
                s.progress = Some("starting the engine…".to_string());
                s.env.date = String::from(js_sys::Date::new_0().to_iso_string());
            }
            Action::CancelRequested(at) => {
                if s.phase == Phase::Running {
                    s.cancel_at = Some(at);
                    s.progress = Some("cancelling…".to_string());
                }
            }
            Action::Engine(ev) => match ev {
                FromEngine::Ready {
                    threads,
                    thread_pool_ms,
                    process_compile_ms,
                    process_pool_ms,
                    procs,
                } => {
                    s.engine_info = Some(EngineInfo {
                        threads,
                        thread_pool_ms,
                        process_compile_ms,
                        process_pool_ms,
                        live_processes: Some(procs),
                    });
                }
                FromEngine::Progress {
                    run,
                    model,
                    round,
                    rounds,
                    warmup,
                } if run == s.run_id => {
                    s.at = Some((model, round, rounds, warmup));
                    s.tasks_finished = 0;
                    s.progress = Some(s.progress_line());
                }
                FromEngine::Progress { .. } => {}
                FromEngine::Done {
                    run,
                    measurements,
                    live_processes,
                } => {
                    if let Some(info) = s.engine_info.as_mut() {
                        info.live_processes = Some(live_processes);
                    }
                    s.finish(run, measurements);
                }
                FromEngine::Cancelled {
                    run,
                    model,
                    stopped_at_ms,
                    rebuild_ms,
                    live_processes,
                } if run == s.run_id => {
                    if let Some(info) = s.engine_info.as_mut() {
                        info.live_processes = Some(live_processes);
                    }
                    let waited = s.cancel_at.map(|at| (stopped_at_ms - at).max(0.0));
                    let how = match model {
                        Some(m) if m.is_thread_model() => format!(
                            "{m} stopped {} after Cancel, cooperatively: each task noticed the flag at its next tick",
                            waited.map_or("—".into(), |w| format!("{w:.1} ms"))
                        ),
                        Some(m) => format!(
                            "{m} stopped {} after Cancel: its process workers were terminated at once; \
                             the pool was rebuilt in {rebuild_ms:.0} ms",
                            waited.map_or("—".into(), |w| format!("{w:.1} ms"))
                        ),
                        None => "stopped between two models".to_string(),
                    };
                    s.notice = Some(format!("Cancelled. {how}."));
                    s.phase = Phase::Idle;
                    s.progress = None;
                    s.cancel_at = None;
                }
                FromEngine::Cancelled { .. } => {}
                FromEngine::Failed { run, message } => {
                    if run.is_none() || run == Some(s.run_id) {
                        s.failure = Some(message);
                        s.phase = Phase::Error;
                        s.progress = None;
                    }
                }
            },
        }
        Rc::new(s)
    }
}
