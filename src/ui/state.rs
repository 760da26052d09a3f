//! The page's state and the actions that change it.

use crate::capabilities::{self, Capabilities};
use crate::config::{parse_query, to_query, RunConfig};
use crate::models::{Measurement, ModelId};
use crate::plan::{self, Step};
use crate::protocol::FromEngine;
use crate::report::{Env, Report};
use crate::share;
use crate::web::storage::{self, Entry};

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
    /// Showing results that came in a link (or from the history); nothing ran.
    Shared,
}

impl Phase {
    pub fn attr(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Running => "running",
            Phase::Done => "done",
            Phase::Error => "error",
            Phase::Shared => "shared",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EngineInfo {
    pub threads: u32,
    pub thread_pool_ms: f64,
    pub process_pool_ms: f64,
    /// Process workers alive after the last run or cancel (pool included).
    pub live_processes: Option<u32>,
}

/// Results from elsewhere: a link or the history.
#[derive(Debug, Clone, PartialEq)]
pub struct Foreign {
    pub report: Report,
    /// "16 cores · Chrome 131 · …": where they came from.
    pub label: String,
    /// What the link had to leave out to stay short.
    pub dropped: Vec<String>,
}

/// This run's link, once it finished.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareInfo {
    pub link: String,
    pub too_long: bool,
    pub dropped: Vec<String>,
    pub copied: Option<Result<(), String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    /// What the user typed or the link said, key by key, in order: kept
    /// verbatim so a rejected value stays in its field to be corrected.
    pub raw: Vec<(String, String)>,
    pub config: RunConfig,
    pub errors: Vec<ParamError>,
    /// What this page cannot run of what the link asked (no shared memory).
    pub limits: Vec<ParamError>,
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
    /// Results that came in a link or were reopened from the history.
    pub foreign: Option<Foreign>,
    /// Why a link's results could not be read.
    pub link_error: Option<String>,
    pub share: Option<ShareInfo>,
    pub history: Vec<Entry>,
    pub history_error: Option<String>,
    /// History entries picked for comparison (at most two).
    pub compare: Vec<String>,
    /// What the last cancel did.
    pub notice: Option<String>,
}

pub enum Action {
    Set(String, String),
    Copied(Result<(), String>),
    OpenEntry(String),
    DeleteEntry(String),
    ClearHistory,
    ToggleCompare(String),
    Note(String),
    /// A run of these steps starts with run id `u32` for its first step.
    Started(u32, Vec<Step>),
    Polled(u32),
    CancelRequested(f64),
    Engine(FromEngine),
}

fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

/// The configuration a query asks for, fitted to what this page can run
/// (no thread models without shared memory). Settings refused for the
/// page's sake, not the user's, do not block Run: they come back apart, as
/// `limits`, and the run goes on without them.
fn parse_config(
    raw: &[(String, String)],
    env: &Env,
) -> (RunConfig, Vec<ParamError>, Vec<ParamError>) {
    let (mut config, errors) = RunConfig::from_pairs(raw, env.cores.max(1));
    let limits = capabilities::restrict(&mut config, raw, page_capabilities());
    (config, errors, limits)
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
    let perf = window().performance()?;
    // A few milliseconds of sampling see dozens of clock steps.
    let mut best = f64::INFINITY;
    let start = perf.now();
    let mut last = start;
    while last - start < 3.0 {
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
        let (config, errors, limits) = parse_config(&raw, &env);
        let mut state = AppState {
            raw,
            config,
            errors,
            limits,
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
            foreign: None,
            link_error: None,
            share: None,
            history: Vec::new(),
            history_error: None,
            compare: Vec::new(),
        };
        match storage::load() {
            Ok(h) => state.history = h,
            Err(e) => state.history_error = Some(format!("History is unavailable: {e}.")),
        }
        let hash = window().location().hash().unwrap_or_default();
        let fragment = hash.trim_start_matches('#');
        if !fragment.is_empty() {
            match share::decode_with_dropped(fragment) {
                Ok((mut report, dropped)) => {
                    report.share_url = window().location().href().unwrap_or_default();
                    state.foreign = Some(foreign(report, dropped.iter().map(|d| d.to_string()).collect()));
                    state.phase = Phase::Shared;
                }
                Err(e) => {
                    state.link_error = Some(format!(
                        "This link's results could not be shown: {e}. Its settings are loaded below where they are valid."
                    ))
                }
            }
        }
        state
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

    /// This run's link and its entry in the history.
    fn publish(&mut self) {
        let Some(report) = self.report.as_mut() else {
            return;
        };
        let base = report.share_url.clone();
        let encoded = share::encode(report);
        let link = encoded.link(&base);
        report.share_url = link.clone();
        let dropped: Vec<String> = encoded.dropped.iter().map(|d| d.to_string()).collect();
        self.share = Some(ShareInfo {
            too_long: encoded.too_long || share::link_too_long(&link),
            link,
            dropped,
            copied: None,
        });
        let query = base
            .split_once('?')
            .map(|(_, q)| q.to_string())
            .unwrap_or_default();
        let w = report
            .config
            .get("w")
            .and_then(|v| v.as_str())
            .unwrap_or("?")
            .to_string();
        self.history.insert(
            0,
            Entry {
                id: format!("{}-{}", report.env.date, self.run_id),
                // Two runs on one machine differ by their settings: name them.
                label: format!(
                    "{w} {} · {}",
                    self.run_config
                        .as_ref()
                        .map(|c| c
                            .workload
                            .to_pairs()
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(" "))
                        .unwrap_or_default(),
                    crate::report::env_line(&report.env)
                ),
                query,
                fragment: encoded.fragment,
            },
        );
        self.history.truncate(storage::MAX_ENTRIES);
        self.save_history();
    }

    /// Writes the history back; a failure becomes the panel's message.
    fn save_history(&mut self) {
        self.history_error = storage::save(&self.history)
            .err()
            .map(|e| format!("History is unavailable: {e}."));
    }

    /// A saved or linked report, decoded; `None` with a message when not.
    pub fn entry_report(&self, id: &str) -> Option<Foreign> {
        let e = self.history.iter().find(|e| e.id == id)?;
        share::decode_with_dropped(&e.fragment)
            .ok()
            .map(|(r, dropped)| Foreign {
                label: e.label.clone(),
                report: r,
                dropped: dropped.iter().map(|d| d.to_string()).collect(),
            })
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
        self.publish();
    }
}

fn foreign(report: Report, dropped: Vec<String>) -> Foreign {
    Foreign {
        label: crate::report::env_line(&report.env),
        report,
        dropped,
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
                let (config, errors, limits) = parse_config(&s.raw, &s.env);
                s.config = config;
                s.errors = errors;
                s.limits = limits;
                s.edits += 1;
            }
            Action::Polled(n) => s.tasks_finished = n,
            Action::Copied(result) => {
                if let Some(share) = s.share.as_mut() {
                    share.copied = Some(result);
                }
            }
            Action::Note(text) => s.notice = Some(text),
            Action::OpenEntry(id) => {
                if s.phase != Phase::Running {
                    match (s.entry_report(&id), s.history.iter().find(|e| e.id == id)) {
                        (Some(f), Some(e)) => {
                            s.raw = parse_query(&e.query);
                            let (config, errors, limits) = parse_config(&s.raw, &s.env);
                            s.config = config;
                            s.errors = errors;
                            s.limits = limits;
                            s.foreign = Some(f);
                            s.phase = Phase::Shared;
                            s.edits += 1;
                        }
                        _ => {
                            s.history_error = Some("That saved run could not be read.".to_string())
                        }
                    }
                }
            }
            Action::DeleteEntry(id) => {
                s.history.retain(|e| e.id != id);
                s.compare.retain(|c| *c != id);
                s.save_history();
            }
            Action::ClearHistory => {
                s.history.clear();
                s.compare.clear();
                s.save_history();
            }
            Action::ToggleCompare(id) => {
                if s.compare.contains(&id) {
                    s.compare.retain(|c| *c != id);
                } else {
                    s.compare.push(id);
                    if s.compare.len() > 2 {
                        s.compare.remove(0);
                    }
                }
            }
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
                s.share = None;
                s.link_error = None;
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
                    process_pool_ms,
                    procs,
                } => {
                    s.engine_info = Some(EngineInfo {
                        threads,
                        thread_pool_ms,
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
