//! The page's session as a pure state machine: what the user asked for, the
//! run in progress, what came back, the history. The UI feeds it
//! [`Action`]s and carries out the [`Command`]s it leaves in its outbox
//! (talk to the engine, save the history, rewrite the address bar), so
//! every decision the page makes is plain Rust, tested natively here.

use crate::calibrate::Calibration;
use crate::capabilities::{self, Capabilities};
use crate::config::{parse_query, to_query, RunConfig};
use crate::models::{Measurement, ModelId};
use crate::plan::{self, Step};
use crate::protocol::{FromEngine, RunRequest};
use crate::report::{env_line, Env, Report};
use crate::share;
use crate::workloads::ParamError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::rc::Rc;

/// Older entries fall off: a history is for recent runs, not an archive.
pub const MAX_ENTRIES: usize = 30;

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
    /// The page's `data-run-state`, which automation waits on.
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

/// Results measured elsewhere (a link, the history), with where they come
/// from; a comparison labels each of its two sides the same way.
#[derive(Debug, Clone, PartialEq)]
pub struct Elsewhere {
    /// Shared, not copied, by every view that shows it.
    pub report: Rc<Report>,
    /// "16 cores · Chrome 131 · …": where they came from.
    pub label: String,
    /// What the link had to leave out to stay short.
    pub dropped: Vec<String>,
}

impl Elsewhere {
    fn of(report: Report, dropped: Vec<String>) -> Elsewhere {
        Elsewhere {
            label: env_line(&report.env),
            report: Rc::new(report),
            dropped,
        }
    }
}

/// This run's link, once it finished.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareInfo {
    pub link: String,
    /// An `<iframe>` of the run's settings (see [`Session::embed_code`]),
    /// made with the link rather than on every redraw.
    pub embed_code: String,
    pub too_long: bool,
    pub dropped: Vec<String>,
    pub copied: Option<Result<(), String>>,
}

/// A saved run: its share fragment (compact) and how to list it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub label: String,
    /// The page query the run had, so reopening restores its form.
    pub query: String,
    pub fragment: String,
}

/// What the session asks the page to do; it never does it itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Send the next step of a run, on an engine with at least `pool`
    /// workers (a smaller or broken one is replaced first).
    Send {
        pool: u32,
        request: RunRequest,
    },
    Cancel {
        step_id: u32,
    },
    /// Measure this machine's limits, once per page, before its first run
    /// (on an engine with at least `pool` workers, like the run's).
    Calibrate {
        pool: u32,
        step_id: u32,
    },
    SaveHistory(Vec<Entry>),
    /// Mirror the form into the address bar (a query, without `run`).
    ReplaceUrl(String),
}

/// Commands with increasing sequence numbers: the page carries out those
/// past the last one it did, so none is lost when several actions come
/// between two renders. Only a few are kept; the page keeps up.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outbox {
    pub last: u32,
    pub pending: Vec<(u32, Command)>,
}

const OUTBOX_KEEP: usize = 16;

impl Outbox {
    fn push(&mut self, command: Command) {
        self.last += 1;
        self.pending.push((self.last, command));
        if self.pending.len() > OUTBOX_KEEP {
            self.pending.remove(0);
        }
    }

    /// The commands after sequence number `done`, in order.
    pub fn after(&self, done: u32) -> impl Iterator<Item = &(u32, Command)> {
        self.pending.iter().filter(move |(n, _)| *n > done)
    }
}

/// Where the engine is in the current step, for the status line.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// 1-based step, steps in the run, and the step's label.
    pub step: Option<(usize, usize, String)>,
    pub at: Option<At>,
    pub tasks_finished: u32,
    pub tasks: u32,
    pub cancelling: bool,
    /// Measuring this machine's limits, before the first step.
    pub calibrating: bool,
}

/// The model and round the engine last said it was measuring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct At {
    pub model: ModelId,
    pub round: u32,
    pub rounds: u32,
    pub warmup: bool,
}

impl fmt::Display for Progress {
    /// "step 2 of 5 (scaling sweep, 2 workers) · measuring: round 3 of 6 ·
    /// model procs · 2 of 4 tasks done"
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.cancelling {
            return f.write_str("cancelling…");
        }
        if self.calibrating {
            return f.write_str(
                "calibrating: this machine's limits first, once per page (a worker's start, \
                 a message round trip, memcpy…)",
            );
        }
        if let Some((n, of, label)) = &self.step {
            write!(f, "step {n} of {of} ({label}) · ")?;
        }
        match self.at {
            Some(at) => write!(
                f,
                "{}: round {} of {} · model {} · {} of {} tasks done",
                if at.warmup { "warm-up" } else { "measuring" },
                at.round,
                at.rounds,
                at.model,
                self.tasks_finished.min(self.tasks),
                self.tasks
            ),
            None => f.write_str("starting the engine…"),
        }
    }
}

/// What the page knows when it opens: its address, its machine, its storage.
pub struct Init {
    pub raw: Vec<(String, String)>,
    pub env: Env,
    pub caps: Capabilities,
    pub history: Result<Vec<Entry>, String>,
    /// The address's fragment without `#`, and the whole address.
    pub fragment: String,
    pub href: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// What the user typed or the link said, key by key, in order: kept
    /// verbatim so a rejected value stays in its field to be corrected.
    pub raw: Vec<(String, String)>,
    pub config: RunConfig,
    pub errors: Vec<ParamError>,
    /// What this page cannot run of what the link asked (no shared memory).
    pub limits: Vec<ParamError>,
    pub caps: Capabilities,
    pub env: Env,
    pub phase: Phase,
    /// Each step of a run has its own id, so a late message from an earlier
    /// step or run is recognised and ignored.
    pub step_id: u32,
    /// The configuration of the run in progress or last finished, and the
    /// page address its link starts from.
    pub run_config: Option<RunConfig>,
    pub page: String,
    /// The steps of the run in progress (main, sweep, sizes), the one being
    /// measured, what the finished ones measured, and the engine size the
    /// run needs.
    pub steps: Vec<Step>,
    pub step: usize,
    pub measured: Vec<Vec<Measurement>>,
    pub pool: u32,
    pub at: Option<At>,
    /// Tasks finished in the current round (read from the engine's shared
    /// memory by polling, between its messages).
    pub tasks_finished: u32,
    pub report: Option<Rc<Report>>,
    pub failure: Option<String>,
    pub engine_info: Option<EngineInfo>,
    /// When Cancel was pressed (shared clock), to tell how long stopping took.
    pub cancel_at: Option<f64>,
    /// Results that came in a link or were reopened from the history.
    pub opened: Option<Elsewhere>,
    /// Why a link's results could not be read.
    pub link_error: Option<String>,
    pub share: Option<ShareInfo>,
    pub history: Vec<Entry>,
    pub history_error: Option<String>,
    /// History entries picked for comparison (at most two).
    pub compare: Vec<String>,
    /// What the last cancel or export did.
    pub notice: Option<String>,
    /// This machine's limits, measured before the page's first run; every
    /// report made here carries them.
    pub calibration: Option<Calibration>,
    /// The limits are being measured for the run in progress.
    pub calibrating: bool,
    pub outbox: Outbox,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Set(String, String),
    /// Run what the form says; `date` (ISO) and `page` (origin and path)
    /// come from the page, which has the clock and the address.
    Run {
        date: String,
        page: String,
    },
    /// Cancel pressed at `at_ms` on the shared clock.
    Cancel {
        at_ms: f64,
    },
    Polled(u32),
    /// The page went into the browser's back-forward cache, and its engine
    /// and workers were ended (see `ui::hooks::engine`).
    Left,
    Engine(FromEngine),
    Copied(Result<(), String>),
    OpenEntry(String),
    DeleteEntry(String),
    ClearHistory,
    ToggleCompare(String),
    Note(String),
    HistoryError(String),
}

impl Session {
    pub fn new(init: Init) -> Session {
        let (config, errors, limits) = parse_config(&init.raw, &init.env, init.caps);
        let mut s = Session {
            raw: init.raw,
            config,
            errors,
            limits,
            caps: init.caps,
            env: init.env,
            phase: Phase::Idle,
            step_id: 0,
            run_config: None,
            page: String::new(),
            steps: Vec::new(),
            step: 0,
            measured: Vec::new(),
            pool: 0,
            at: None,
            tasks_finished: 0,
            report: None,
            failure: None,
            engine_info: None,
            cancel_at: None,
            opened: None,
            link_error: None,
            share: None,
            history: Vec::new(),
            history_error: None,
            compare: Vec::new(),
            notice: None,
            calibration: None,
            calibrating: false,
            outbox: Outbox::default(),
        };
        match init.history {
            Ok(h) => s.history = h,
            Err(e) => s.history_error = Some(format!("History is unavailable: {e}.")),
        }
        if !init.fragment.is_empty() {
            match share::decode_with_dropped(&init.fragment) {
                Ok((mut report, dropped)) => {
                    report.share_url = init.href;
                    s.opened = Some(Elsewhere::of(report, names(&dropped)));
                    s.phase = Phase::Shared;
                }
                Err(e) => {
                    s.link_error = Some(format!(
                        "This link's results could not be shown: {e}. Its settings are loaded below where they are valid."
                    ))
                }
            }
        }
        s
    }

    /// Whether the page should start a run as it opens: the link says
    /// `run=1`, is valid, and carries no results (those are shown, not rerun).
    pub fn runs_on_open(&self) -> bool {
        self.config.run && self.errors.is_empty() && self.phase != Phase::Shared
    }

    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Set(key, value) => {
                self.raw.retain(|(k, _)| *k != key);
                self.raw.push((key, value));
                self.reparse();
                self.outbox.push(Command::ReplaceUrl(self.url_query()));
            }
            Action::Run { date, page } => self.start(date, page),
            Action::Cancel { .. } if self.phase == Phase::Running && self.calibrating => {
                // Nothing is measured yet: stop at once. The limits, when
                // they come, are kept for the next run.
                self.calibrating = false;
                self.phase = Phase::Idle;
                self.notice = Some("Cancelled before the run began.".to_string());
            }
            Action::Cancel { at_ms } => {
                if self.phase == Phase::Running && self.cancel_at.is_none() {
                    self.cancel_at = Some(at_ms);
                    self.outbox.push(Command::Cancel {
                        step_id: self.step_id,
                    });
                }
            }
            Action::Polled(n) => self.tasks_finished = n,
            Action::Left if self.phase == Phase::Running => {
                self.calibrating = false;
                self.phase = Phase::Error;
                self.failure = Some(
                    "it stopped when the page was left (a page kept for the Back button keeps \
                     no workers, so that their memory is free for the next page). Run it again."
                        .to_string(),
                );
            }
            Action::Left => {}
            Action::Engine(ev) => self.on_engine(ev),
            Action::Copied(result) => {
                if let Some(share) = self.share.as_mut() {
                    share.copied = Some(result);
                }
            }
            Action::Note(text) => self.notice = Some(text),
            Action::HistoryError(e) => {
                self.history_error = Some(format!("History is unavailable: {e}."))
            }
            Action::OpenEntry(id) => self.open_entry(&id),
            Action::DeleteEntry(id) => {
                self.history.retain(|e| e.id != id);
                self.compare.retain(|c| *c != id);
                self.save_history();
            }
            Action::ClearHistory => {
                self.history.clear();
                self.compare.clear();
                self.save_history();
            }
            Action::ToggleCompare(id) => {
                if self.compare.contains(&id) {
                    self.compare.retain(|c| *c != id);
                } else {
                    self.compare.push(id);
                    if self.compare.len() > 2 {
                        self.compare.remove(0);
                    }
                }
            }
        }
    }

    fn reparse(&mut self) {
        (self.config, self.errors, self.limits) = parse_config(&self.raw, &self.env, self.caps);
    }

    fn start(&mut self, date: String, page: String) {
        if self.phase == Phase::Running || !self.errors.is_empty() {
            return;
        }
        self.steps = plan::steps(&self.config, self.env.cores.max(1));
        // rayon's pool has a fixed size per wasm instance: the engine is
        // sized once for the largest step of the run.
        self.pool = plan::max_workers(&self.steps);
        self.step_id += 1;
        self.step = 0;
        self.measured = Vec::new();
        self.at = None;
        self.tasks_finished = 0;
        self.run_config = Some(self.config.clone());
        self.page = page;
        self.phase = Phase::Running;
        self.failure = None;
        self.notice = None;
        self.share = None;
        self.link_error = None;
        self.cancel_at = None;
        self.env.date = date;
        if self.calibration.is_none() {
            self.calibrating = true;
            self.outbox.push(Command::Calibrate {
                pool: self.pool,
                step_id: self.step_id,
            });
        } else {
            self.send_step();
        }
    }

    /// The explicit "send the next step": the current step goes out as a
    /// command, under the current run id.
    fn send_step(&mut self) {
        let (Some(step), Some(cfg)) = (self.steps.get(self.step), self.run_config.as_ref()) else {
            return;
        };
        let request = RunRequest {
            run: self.step_id,
            workload: step.workload.clone(),
            models: step.models.clone(),
            workers: step.workers,
            repeats: cfg.repeats,
            warmup: cfg.warmup,
            switch_ms: step.switch_ms,
            procs: cfg.procs,
            threads: cfg.threads,
            hybrid_gil: cfg.hybrid_gil,
        };
        self.outbox.push(Command::Send {
            pool: self.pool,
            request,
        });
    }

    fn on_engine(&mut self, ev: FromEngine) {
        match ev {
            FromEngine::Ready {
                threads,
                thread_pool_ms,
                process_pool_ms,
                procs,
            } => {
                self.engine_info = Some(EngineInfo {
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
            } if run == self.step_id => {
                self.at = Some(At {
                    model,
                    round,
                    rounds,
                    warmup,
                });
                self.tasks_finished = 0;
            }
            FromEngine::Progress { .. } => {}
            FromEngine::Calibrated { run, calibration } => {
                self.calibration = Some(Calibration {
                    timer_resolution_ms: self.env.timer_resolution_ms,
                    cores: self.env.cores,
                    ..calibration
                });
                if self.calibrating && run == self.step_id && self.phase == Phase::Running {
                    self.calibrating = false;
                    self.send_step();
                }
            }
            FromEngine::Done {
                run,
                measurements,
                live_processes,
            } => {
                self.set_live(live_processes);
                self.finish_step(run, measurements);
            }
            FromEngine::Cancelled {
                run,
                model,
                stopped_at_ms,
                rebuild_ms,
                live_processes,
            } if run == self.step_id => {
                self.set_live(live_processes);
                let waited = self.cancel_at.map(|at| (stopped_at_ms - at).max(0.0));
                self.notice = Some(cancel_notice(model, waited, rebuild_ms));
                self.phase = Phase::Idle;
                self.cancel_at = None;
            }
            FromEngine::Cancelled { .. } => {}
            FromEngine::Failed { run, message } => {
                if run.is_none() || run == Some(self.step_id) {
                    self.failure = Some(message);
                    self.phase = Phase::Error;
                }
            }
        }
    }

    fn set_live(&mut self, live: u32) {
        if let Some(info) = self.engine_info.as_mut() {
            info.live_processes = Some(live);
        }
    }

    fn finish_step(&mut self, step_id: u32, measurements: Vec<Measurement>) {
        if step_id != self.step_id || self.phase != Phase::Running {
            return;
        }
        self.measured.push(measurements);
        if self.step + 1 < self.steps.len() {
            self.step += 1;
            self.step_id += 1;
            self.tasks_finished = 0;
            self.at = None;
            self.send_step();
            return;
        }
        let cfg = self
            .run_config
            .clone()
            .unwrap_or_else(|| self.config.clone());
        let mut report = plan::assemble(
            &cfg,
            self.env.clone(),
            &self.steps,
            &self.measured,
            self.run_url(),
        );
        report.calibration = self.calibration.clone();
        self.publish(&mut report);
        self.report = Some(Rc::new(report));
        self.phase = Phase::Done;
        self.at = None;
    }

    /// Where the engine is, while a run is in progress.
    pub fn progress(&self) -> Option<Progress> {
        if self.phase != Phase::Running {
            return None;
        }
        let current = self.steps.get(self.step);
        Some(Progress {
            step: current
                .filter(|_| self.steps.len() > 1)
                .map(|s| (self.step + 1, self.steps.len(), s.label())),
            at: self.at,
            tasks_finished: self.tasks_finished,
            tasks: current.map_or(0, |s| s.workload.tasks()),
            cancelling: self.cancel_at.is_some(),
            calibrating: self.calibrating,
        })
    }

    /// What the page's live region says. It follows the phase and the step
    /// of a run, never the task count the status line polls four times a
    /// second, so a screen reader hears when a run starts, each step of a
    /// long one, and the results, not a stream of counts. A failure is left
    /// to the status line, which is an alert of its own.
    pub fn announcement(&self) -> String {
        match self.phase {
            Phase::Running if self.cancel_at.is_some() => "Cancelling the run…".to_string(),
            Phase::Running => {
                let cfg = self.run_config.as_ref().unwrap_or(&self.config);
                let n = cfg.models.len();
                let mut out = format!(
                    "Running lesson “{}”: {n} model{}",
                    cfg.workload.lesson().title,
                    if n == 1 { "" } else { "s" }
                );
                if let (Some(s), true) = (self.steps.get(self.step), self.steps.len() > 1) {
                    out.push_str(&format!(
                        ", step {} of {}: {}",
                        self.step + 1,
                        self.steps.len(),
                        s.label()
                    ));
                }
                out.push('…');
                out
            }
            Phase::Done => match &self.report {
                Some(r) => format!("Run finished. {}", crate::summary::results(&r.results)),
                None => "Run finished.".to_string(),
            },
            Phase::Shared => match &self.opened {
                Some(f) => format!(
                    "Showing results from a link, measured on {}, not here. {}",
                    f.label,
                    crate::summary::results(&f.report.results)
                ),
                None => String::new(),
            },
            Phase::Error => String::new(),
            Phase::Idle => self.notice.clone().unwrap_or_default(),
        }
    }

    /// The value a form field shows: what was entered, else the default.
    pub fn field(&self, key: &str) -> String {
        field_value(&self.raw, &self.config, key)
    }

    /// The address bar's query: what was entered, without `run`, so a
    /// reload after an edit does not start work.
    pub fn url_query(&self) -> String {
        let pairs: Vec<_> = self
            .raw
            .iter()
            .filter(|(k, _)| k != "run")
            .cloned()
            .collect();
        to_query(&pairs)
    }

    /// The full playground with the settings on show: what an embedded or
    /// presented page links to.
    pub fn full_link(&self) -> String {
        format!("{}?{}", self.page, to_query(&self.config.to_pairs()))
    }

    /// An `<iframe>` that shows the run's settings embedded (the link's,
    /// without its results). `allow` lets an isolated course page pass its
    /// isolation on; elsewhere the embed runs in the reduced, process-only
    /// mode.
    pub fn embed_code(&self) -> String {
        let cfg = self.run_config.as_ref().unwrap_or(&self.config);
        let src = format!("{}&embed=1", self.run_url());
        let title = format!("Threads vs Processes: {}", cfg.workload.lesson().title);
        format!(
            "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"760\" \
             style=\"border:0\" loading=\"lazy\" allow=\"cross-origin-isolated; clipboard-write\"></iframe>",
            html_attr(&src),
            html_attr(&title)
        )
    }

    /// The link of the run's settings, before its results are added.
    fn run_url(&self) -> String {
        let cfg = self.run_config.as_ref().unwrap_or(&self.config);
        format!("{}?{}", self.page, to_query(&cfg.to_pairs()))
    }

    /// This run's link and its entry in the history.
    fn publish(&mut self, report: &mut Report) {
        let base = report.share_url.clone();
        let encoded = share::encode(report);
        let link = encoded.link(&base);
        report.share_url = link.clone();
        self.share = Some(ShareInfo {
            embed_code: self.embed_code(),
            too_long: encoded.too_long || share::link_too_long(&link),
            link,
            dropped: names(&encoded.dropped),
            copied: None,
        });
        let query = base
            .split_once('?')
            .map(|(_, q)| q.to_string())
            .unwrap_or_default();
        let settings = self
            .run_config
            .as_ref()
            .map(|c| {
                c.workload
                    .to_pairs()
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        let entry = Entry {
            id: format!("{}-{}", report.env.date, self.step_id),
            // Two runs on one machine differ by their settings: name them.
            label: format!(
                "{} {settings} · {}",
                self.run_config.as_ref().map_or("?", |c| c.workload.id()),
                env_line(&report.env)
            ),
            query,
            fragment: encoded.fragment,
        };
        self.history.insert(0, entry);
        self.history.truncate(MAX_ENTRIES);
        self.save_history();
    }

    fn save_history(&mut self) {
        self.history_error = None;
        self.outbox.push(Command::SaveHistory(self.history.clone()));
    }

    fn open_entry(&mut self, id: &str) {
        if self.phase == Phase::Running {
            return;
        }
        match (
            decode_entry(&self.history, id),
            self.history.iter().find(|e| e.id == id),
        ) {
            (Some(f), Some(e)) => {
                self.raw = parse_query(&e.query);
                self.reparse();
                self.opened = Some(f);
                self.phase = Phase::Shared;
                self.outbox.push(Command::ReplaceUrl(self.url_query()));
            }
            _ => self.history_error = Some("That saved run could not be read.".to_string()),
        }
    }
}

/// A saved report, decoded; `None` when it cannot be read.
pub fn decode_entry(history: &[Entry], id: &str) -> Option<Elsewhere> {
    let e = history.iter().find(|e| e.id == id)?;
    let (report, dropped) = share::decode_with_dropped(&e.fragment).ok()?;
    Some(Elsewhere {
        label: e.label.clone(),
        report: Rc::new(report),
        dropped: names(&dropped),
    })
}

/// `text` inside a double-quoted HTML attribute.
fn html_attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

/// The value a form field shows: what was entered, else the default.
pub fn field_value(raw: &[(String, String)], config: &RunConfig, key: &str) -> String {
    if let Some(v) = crate::workloads::lookup(raw, key) {
        return v.to_string();
    }
    config
        .to_pairs()
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

fn names<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(|d| d.to_string()).collect()
}

fn cancel_notice(model: Option<ModelId>, waited: Option<f64>, rebuild_ms: f64) -> String {
    let waited = waited.map_or("—".into(), |w| format!("{w:.1} ms"));
    let how = match model {
        Some(m) if m.is_thread_model() => format!(
            "{m} stopped {waited} after Cancel, cooperatively: each task noticed the flag at its next tick"
        ),
        Some(m) => format!(
            "{m} stopped {waited} after Cancel: its process workers were terminated at once; \
             the pool was rebuilt in {rebuild_ms:.0} ms"
        ),
        None => "stopped between two models".to_string(),
    };
    format!("Cancelled. {how}.")
}

/// The configuration a query asks for, fitted to what this page can run
/// (no thread models without shared memory). Settings refused for the
/// page's sake, not the user's, do not block Run: they come back apart, as
/// `limits`, and the run goes on without them.
fn parse_config(
    raw: &[(String, String)],
    env: &Env,
    caps: Capabilities,
) -> (RunConfig, Vec<ParamError>, Vec<ParamError>) {
    let (mut config, errors) = RunConfig::from_pairs(raw, env.cores.max(1));
    let limits = capabilities::restrict(&mut config, raw, caps);
    (config, errors, limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        Env {
            timer_resolution_ms: Some(0.005),
            shared_memory: Some(true),
            ..Env::with_cores(2)
        }
    }

    fn session(query: &str) -> Session {
        Session::new(Init {
            raw: parse_query(query),
            env: env(),
            caps: Capabilities {
                shared_memory: true,
            },
            history: Ok(Vec::new()),
            fragment: String::new(),
            href: String::new(),
        })
    }

    #[test]
    fn the_limits_are_measured_once_before_the_first_run_and_reported() {
        let mut s = session("w=cpu&models=seq,threads&repeats=1&warmup=0");
        let start = |s: &mut Session| {
            s.apply(Action::Run {
                date: "2026-11-23T10:00:00.000Z".into(),
                page: "http://127.0.0.1:8080/".into(),
            })
        };
        start(&mut s);
        assert!(sent(&s).is_empty(), "no step before the limits");
        let asked = s
            .outbox
            .pending
            .iter()
            .find_map(|(_, c)| match c {
                Command::Calibrate { step_id, .. } => Some(*step_id),
                _ => None,
            })
            .expect("the limits are asked for");
        assert!(s
            .progress()
            .unwrap()
            .to_string()
            .starts_with("calibrating: this machine's limits"));
        // Cancelled before it began: nothing to wait for.
        s.apply(Action::Cancel { at_ms: 1.0 });
        assert_eq!(s.phase, Phase::Idle);
        // The limits arrive late: kept, but no step is sent for a run that is over.
        let measured = Calibration {
            message_rtt_us: Some(90.0),
            ..Calibration::default()
        };
        s.apply(Action::Engine(FromEngine::Calibrated {
            run: asked,
            calibration: measured.clone(),
        }));
        assert!(sent(&s).is_empty());
        let kept = s.calibration.clone().unwrap();
        assert_eq!((kept.message_rtt_us, kept.cores), (Some(90.0), 2));
        assert_eq!(kept.timer_resolution_ms, Some(0.005), "the page's clock");
        // The next run goes straight to its first step, and its report has them.
        start(&mut s);
        let step = sent(&s).pop().expect("the first step is sent at once");
        s.apply(Action::Engine(done(&step)));
        assert_eq!(s.phase, Phase::Done);
        assert_eq!(s.report.as_ref().unwrap().calibration, Some(kept));
    }

    #[test]
    fn an_embed_links_to_the_full_playground_and_gives_its_own_code() {
        let mut s = session("w=io&tasks=3&embed=1&present=1&run=1");
        assert!(s.config.embed && s.config.present);
        assert!(s.url_query().contains("embed=1"), "a reload stays embedded");
        run(&mut s);
        let full = s.full_link();
        assert!(
            full.starts_with("http://127.0.0.1:8080/?w=io&tasks=3&"),
            "{full}"
        );
        assert!(!full.contains("embed") && !full.contains("present") && !full.contains("run="));
        let step = sent(&s).pop().unwrap();
        s.apply(Action::Engine(done(&step)));
        let code = s.share.as_ref().unwrap().embed_code.clone();
        assert_eq!(code, s.embed_code());
        assert!(
            code.starts_with("<iframe src=\"http://127.0.0.1:8080/?w=io&amp;tasks=3&amp;"),
            "{code}"
        );
        assert!(code.contains("&amp;embed=1\""), "{code}");
        assert!(code.contains("title=\"Threads vs Processes: I/O-bound work\""));
        assert!(code.contains("allow=\"cross-origin-isolated"));
        assert!(code.ends_with("></iframe>"));
    }

    /// Starts a run; the first of a page measures the limits first, which
    /// here come back at once.
    fn run(s: &mut Session) {
        s.apply(Action::Run {
            date: "2026-11-23T10:00:00.000Z".into(),
            page: "http://127.0.0.1:8080/".into(),
        });
        let asked = s.outbox.pending.iter().find_map(|(_, c)| match c {
            Command::Calibrate { step_id, .. } => Some(*step_id),
            _ => None,
        });
        if let (Some(run), None) = (asked, &s.calibration) {
            s.apply(Action::Engine(FromEngine::Calibrated {
                run,
                calibration: Calibration {
                    process_start_ms: Some(20.0),
                    ..Calibration::default()
                },
            }));
        }
    }

    fn sent(s: &Session) -> Vec<RunRequest> {
        s.outbox
            .after(0)
            .filter_map(|(_, c)| match c {
                Command::Send { request, .. } => Some(request.clone()),
                _ => None,
            })
            .collect()
    }

    /// A measurement the engine could have sent for `request`'s model `m`.
    fn measured(request: &RunRequest, m: ModelId) -> Measurement {
        let value = request.workload.expected().to_string();
        Measurement::plain(m, request.workers, 10.0, value)
    }

    fn done(request: &RunRequest) -> FromEngine {
        FromEngine::Done {
            run: request.run,
            measurements: request
                .models
                .iter()
                .map(|m| measured(request, *m))
                .collect(),
            live_processes: 2,
        }
    }

    #[test]
    fn a_run_sends_each_step_only_after_the_last_one_finished() {
        let mut s = session("w=cpu&models=seq,threads&sweep=1&repeats=1&warmup=0");
        run(&mut s);
        assert_eq!(s.phase, Phase::Running);
        let first = sent(&s);
        assert_eq!(first.len(), 1, "only the first step goes out");
        assert!(s.steps.len() > 1, "a sweep has several steps");
        for n in 1..s.steps.len() {
            let last = sent(&s).pop().unwrap();
            s.apply(Action::Engine(done(&last)));
            assert_eq!(sent(&s).len(), n + 1);
            assert_eq!(sent(&s).last().unwrap().run, last.run + 1);
        }
        let last = sent(&s).pop().unwrap();
        s.apply(Action::Engine(done(&last)));
        assert_eq!(s.phase, Phase::Done);
        let report = s.report.as_ref().unwrap();
        assert!(!report.sweep.is_empty());
        assert!(s.share.as_ref().unwrap().link.contains("#r="));
        assert_eq!(s.history.len(), 1);
        assert!(matches!(
            s.outbox.pending.last(),
            Some((_, Command::SaveHistory(h))) if h.len() == 1
        ));
    }

    #[test]
    fn the_live_region_follows_phases_and_steps_not_task_counts() {
        let mut s = session("w=cpu&models=seq,threads&sweep=1&repeats=1&warmup=0");
        assert_eq!(s.announcement(), "");
        run(&mut s);
        let first = s.announcement();
        assert!(first.starts_with("Running lesson “"), "{first}");
        assert!(first.contains(": 2 models, step 1 of "), "{first}");
        assert!(first.ends_with(": main run…"), "{first}");
        s.apply(Action::Polled(1));
        assert_eq!(s.announcement(), first, "a task count is not news");
        let last = sent(&s).pop().unwrap();
        s.apply(Action::Engine(done(&last)));
        assert!(
            s.announcement().contains("step 2 of "),
            "{}",
            s.announcement()
        );
        while s.phase == Phase::Running {
            let last = sent(&s).pop().unwrap();
            s.apply(Action::Engine(done(&last)));
        }
        assert_eq!(
            s.announcement(),
            "Run finished. Speedup: threads 1.00× over seq. Every result is correct."
        );
        let link = s.share.as_ref().unwrap().link.clone();
        let fragment = link.split_once('#').unwrap().1.to_string();
        let mut t = Session::new(Init {
            raw: parse_query("w=cpu&models=seq,threads"),
            env: env(),
            caps: Capabilities {
                shared_memory: true,
            },
            history: Ok(Vec::new()),
            fragment,
            href: link.clone(),
        });
        assert_eq!(t.phase, Phase::Shared);
        assert!(t
            .announcement()
            .starts_with("Showing results from a link, measured on "));
        assert!(t
            .announcement()
            .ends_with("Speedup: threads 1.00× over seq. Every result is correct."));
        run(&mut t);
        t.apply(Action::Cancel { at_ms: 1.0 });
        assert_eq!(t.announcement(), "Cancelling the run…");
    }

    #[test]
    fn late_messages_of_an_earlier_step_change_nothing() {
        let mut s = session("w=cpu&models=seq&sweep=1&repeats=1&warmup=0");
        run(&mut s);
        let first = sent(&s).pop().unwrap();
        s.apply(Action::Engine(done(&first)));
        let before = s.clone();
        s.apply(Action::Engine(done(&first)));
        assert_eq!(s, before, "a repeated Done is ignored");
    }

    #[test]
    fn the_progress_line_moves_with_polled_tasks_between_engine_messages() {
        let mut s = session("w=io&tasks=4&models=seq&repeats=2&warmup=0");
        run(&mut s);
        assert_eq!(s.progress().unwrap().to_string(), "starting the engine…");
        s.apply(Action::Engine(FromEngine::Progress {
            run: s.step_id,
            model: ModelId::Seq,
            round: 1,
            rounds: 2,
            warmup: false,
        }));
        let line = |s: &Session| s.progress().unwrap().to_string();
        assert_eq!(
            line(&s),
            "measuring: round 1 of 2 · model seq · 0 of 4 tasks done"
        );
        s.apply(Action::Polled(3));
        assert_eq!(
            line(&s),
            "measuring: round 1 of 2 · model seq · 3 of 4 tasks done"
        );
        s.apply(Action::Polled(9));
        assert!(
            line(&s).ends_with("4 of 4 tasks done"),
            "never above the tasks"
        );
        s.apply(Action::Cancel { at_ms: 5.0 });
        assert_eq!(line(&s), "cancelling…");
        assert!(matches!(
            s.outbox.pending.last(),
            Some((_, Command::Cancel { step_id })) if *step_id == s.step_id
        ));
    }

    #[test]
    fn a_rejected_value_stays_and_blocks_run_but_not_a_limit() {
        let mut s = session("w=cpu");
        s.apply(Action::Set("n".into(), "-5".into()));
        assert_eq!(s.field("n"), "-5");
        assert!(!s.errors.is_empty());
        assert!(matches!(
            s.outbox.pending.last(),
            Some((_, Command::ReplaceUrl(q))) if q.contains("n=-5")
        ));
        run(&mut s);
        assert_eq!(s.phase, Phase::Idle, "an invalid form does not run");

        let mut reduced = Session::new(Init {
            raw: parse_query("w=cpu&models=seq,threads,procs"),
            env: env(),
            caps: Capabilities {
                shared_memory: false,
            },
            history: Ok(Vec::new()),
            fragment: String::new(),
            href: String::new(),
        });
        assert!(reduced.errors.is_empty() && !reduced.limits.is_empty());
        run(&mut reduced);
        assert_eq!(reduced.phase, Phase::Running);
        assert!(!sent(&reduced)[0].models.contains(&ModelId::Threads));
    }

    #[test]
    fn a_failure_of_the_current_run_ends_it_and_says_why() {
        let mut s = session("w=cpu&models=seq");
        run(&mut s);
        s.apply(Action::Engine(FromEngine::Failed {
            run: Some(s.step_id + 7),
            message: "other".into(),
        }));
        assert_eq!(s.phase, Phase::Running);
        s.apply(Action::Engine(FromEngine::Failed {
            run: Some(s.step_id),
            message: "the engine could not start".into(),
        }));
        assert_eq!(s.phase, Phase::Error);
        assert_eq!(s.failure.as_deref(), Some("the engine could not start"));
        assert!(s.progress().is_none());
    }

    #[test]
    fn leaving_the_page_stops_a_run_and_says_so() {
        let mut s = session("w=cpu&models=seq&repeats=1&warmup=0");
        s.apply(Action::Left);
        assert_eq!((s.phase, s.failure.as_deref()), (Phase::Idle, None));
        run(&mut s);
        s.apply(Action::Left);
        assert_eq!(s.phase, Phase::Error);
        assert!(s
            .failure
            .as_deref()
            .unwrap()
            .starts_with("it stopped when the page was left"));
        // Its late answers are not taken for a new run's.
        let r = sent(&s).pop().unwrap();
        s.apply(Action::Engine(done(&r)));
        assert_eq!(s.phase, Phase::Error);
        run(&mut s);
        assert_eq!((s.phase, s.failure.as_deref()), (Phase::Running, None));
    }

    #[test]
    fn a_saved_run_reopens_with_its_settings() {
        let mut s = session("w=cpu&models=seq&repeats=1&warmup=0");
        run(&mut s);
        let r = sent(&s).pop().unwrap();
        s.apply(Action::Engine(done(&r)));
        let id = s.history[0].id.clone();
        let mut t = session("w=io");
        t.history = s.history.clone();
        t.apply(Action::OpenEntry(id.clone()));
        assert_eq!(t.phase, Phase::Shared);
        assert_eq!(t.config.workload.id(), "cpu");
        t.apply(Action::ToggleCompare(id.clone()));
        t.apply(Action::DeleteEntry(id));
        assert!(t.history.is_empty() && t.compare.is_empty());
        t.apply(Action::OpenEntry("gone".into()));
        assert!(t.history_error.is_some());
    }

    #[test]
    fn the_outbox_keeps_order_and_a_bounded_tail() {
        let mut s = session("w=cpu");
        for i in 0..40 {
            s.apply(Action::Set("n".into(), format!("{}", 1000 + i)));
        }
        let seqs: Vec<u32> = s.outbox.after(30).map(|(n, _)| *n).collect();
        assert_eq!(seqs, (31..=40).collect::<Vec<_>>());
        assert!(s.outbox.pending.len() <= OUTBOX_KEEP);
    }
}
