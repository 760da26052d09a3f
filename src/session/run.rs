//! The run: its steps sent one at a time, what each measured, where the
//! engine is, and what came of it (the report, its link, a failure, a
//! cancel). It also keeps what the page learns of its machine and engine
//! along the way (the limits, the engine's pools).

use super::library::Entry;
use super::{names, Action, Command, Outbox, Phase};
use crate::calibrate::Calibration;
use crate::config::{to_query, RunConfig};
use crate::models::{Measurement, ModelId};
use crate::plan::{self, Step};
use crate::predict::Prediction;
use crate::protocol::{FromEngine, StepRequest};
use crate::report::{env_line, Env, Report};
use crate::share;
use std::fmt;
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq)]
pub struct EngineInfo {
    pub threads: u32,
    pub thread_pool_ms: f64,
    pub process_pool_ms: f64,
    /// Process workers alive after the last run or cancel (pool included).
    pub live_processes: Option<u32>,
}

/// This run's link, once it finished.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareInfo {
    pub link: String,
    /// An `<iframe>` of the run's settings, made with the link rather than
    /// on every redraw.
    pub embed_code: String,
    pub too_long: bool,
    pub dropped: Vec<String>,
    pub copied: Option<Result<(), String>>,
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

#[derive(Debug, Clone, PartialEq)]
pub struct RunState {
    /// The machine the runs are measured on; its `date` is the last run's.
    pub env: Env,
    pub phase: Phase,
    /// Each step of a run has its own id, so a late message from an earlier
    /// step or run is recognised and ignored.
    pub step_id: u32,
    /// The configuration of the run in progress or last finished.
    pub config: Option<RunConfig>,
    /// The steps of the run in progress (main, sweep, sizes, …).
    pub steps: Vec<Step>,
    pub report: Option<Rc<Report>>,
    pub share: Option<ShareInfo>,
    pub failure: Option<String>,
    /// What the last cancel or export did.
    pub notice: Option<String>,
    pub engine_info: Option<EngineInfo>,
    /// This machine's limits, measured before the page's first run; every
    /// report made here carries them.
    pub calibration: Option<Calibration>,
    /// The page address the run's link starts from (origin and path).
    pub(super) page: String,
    /// The step being measured, what the finished ones measured, and the
    /// engine size the run needs.
    step: usize,
    measured: Vec<Vec<Measurement>>,
    pool: u32,
    at: Option<At>,
    /// Tasks finished in the current round (read from the engine's shared
    /// memory by polling, between its messages).
    tasks_finished: u32,
    /// When Cancel was pressed (shared clock), to tell how long stopping took.
    cancel_at: Option<f64>,
    /// What the reader predicted for the run in progress, judged into its
    /// report when it ends.
    predictions: Vec<Prediction>,
    /// The limits are being measured for the run in progress.
    calibrating: bool,
    /// The page is hidden now (the browser's `visibilitychange`).
    hidden: bool,
    /// The models of the run in progress with a repeat measured while the
    /// page was hidden ([`Report::background`]).
    background: Vec<ModelId>,
}

impl RunState {
    pub fn new(env: Env) -> RunState {
        RunState {
            env,
            phase: Phase::Idle,
            step_id: 0,
            config: None,
            steps: Vec::new(),
            report: None,
            share: None,
            failure: None,
            notice: None,
            engine_info: None,
            calibration: None,
            page: String::new(),
            step: 0,
            measured: Vec::new(),
            pool: 0,
            at: None,
            tasks_finished: 0,
            cancel_at: None,
            predictions: Vec::new(),
            calibrating: false,
            hidden: false,
            background: Vec::new(),
        }
    }

    /// Starts a run of `config` (`date` and `page` from the page, which has
    /// the clock and the address): the page's first measures the limits
    /// first. Returns whether it started: one run at a time.
    pub fn start(
        &mut self,
        config: &RunConfig,
        date: String,
        page: String,
        predictions: Vec<Prediction>,
        outbox: &mut Outbox,
    ) -> bool {
        if self.phase == Phase::Running {
            return false;
        }
        self.steps = plan::steps(config, self.env.cores.max(1));
        // rayon's pool has a fixed size per wasm instance: the engine is
        // sized once for the largest step of the run.
        self.pool = plan::max_workers(&self.steps);
        self.step_id += 1;
        self.step = 0;
        self.measured = Vec::new();
        self.at = None;
        self.tasks_finished = 0;
        self.config = Some(config.clone());
        self.page = page;
        self.phase = Phase::Running;
        self.failure = None;
        self.notice = None;
        self.share = None;
        self.cancel_at = None;
        self.predictions = predictions;
        self.background = Vec::new();
        self.env.date = date;
        if self.calibration.is_none() {
            self.calibrating = true;
            outbox.push(Command::Calibrate {
                pool: self.pool,
                step_id: self.step_id,
            });
        } else {
            self.send_step(outbox);
        }
        true
    }

    /// What happens to a run in progress and its results: Cancel, a polled
    /// task count, leaving the page, the engine's messages, a copied link,
    /// a notice. Every other action is left to the other parts. Returns
    /// the entry for the history of a run that has just finished.
    pub fn apply(&mut self, action: Action, outbox: &mut Outbox) -> Option<Entry> {
        match action {
            Action::Cancel { .. } if self.phase == Phase::Running && self.calibrating => {
                // Nothing is measured yet: stop at once. The limits, when
                // they come, are kept for the next run.
                self.calibrating = false;
                self.phase = Phase::Idle;
                self.notice = Some("Cancelled before the run began.".to_string());
            }
            Action::Cancel { at_ms }
                if self.phase == Phase::Running && self.cancel_at.is_none() =>
            {
                self.cancel_at = Some(at_ms);
                outbox.push(Command::Cancel {
                    step_id: self.step_id,
                });
            }
            Action::Polled(n) => self.tasks_finished = n,
            Action::Hidden(hidden) => {
                self.hidden = hidden;
                if let Some(at) = self.at.filter(|_| hidden && self.phase == Phase::Running) {
                    self.note_background(at.model);
                }
            }
            Action::Left if self.phase == Phase::Running => {
                self.calibrating = false;
                self.phase = Phase::Error;
                self.failure = Some(
                    "it stopped when the page was left (a page kept for the Back button keeps \
                     no workers, so that their memory is free for the next page). Run it again."
                        .to_string(),
                );
            }
            Action::Engine(ev) => return self.on_engine(ev, outbox),
            Action::Copied(result) => {
                if let Some(share) = self.share.as_mut() {
                    share.copied = Some(result);
                }
            }
            Action::Note(text) => self.notice = Some(text),
            _ => {}
        }
        None
    }

    /// The explicit "send the next step": the current step goes out as a
    /// command, under the current step id.
    fn send_step(&mut self, outbox: &mut Outbox) {
        let (Some(step), Some(cfg)) = (self.steps.get(self.step), self.config.as_ref()) else {
            return;
        };
        let request = StepRequest {
            step: self.step_id,
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
        outbox.push(Command::Send {
            pool: self.pool,
            request,
        });
    }

    fn on_engine(&mut self, ev: FromEngine, outbox: &mut Outbox) -> Option<Entry> {
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
                step: run,
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
                if self.hidden {
                    self.note_background(model);
                }
            }
            FromEngine::Progress { .. } => {}
            FromEngine::Calibrated {
                step: run,
                calibration,
            } => {
                self.calibration = Some(Calibration {
                    timer_resolution_ms: self.env.timer_resolution_ms,
                    cores: self.env.cores,
                    ..calibration
                });
                if self.calibrating && run == self.step_id && self.phase == Phase::Running {
                    self.calibrating = false;
                    self.send_step(outbox);
                }
            }
            FromEngine::Done {
                step: run,
                measurements,
                live_processes,
            } => {
                self.set_live(live_processes);
                return self.finish_step(run, measurements, outbox);
            }
            FromEngine::Cancelled {
                step: run,
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
            FromEngine::Failed { step: run, message } => {
                if run.is_none() || run == Some(self.step_id) {
                    self.failure = Some(message);
                    self.phase = Phase::Error;
                }
            }
        }
        None
    }

    fn note_background(&mut self, model: ModelId) {
        if !self.background.contains(&model) {
            self.background.push(model);
        }
    }

    fn set_live(&mut self, live: u32) {
        if let Some(info) = self.engine_info.as_mut() {
            info.live_processes = Some(live);
        }
    }

    fn finish_step(
        &mut self,
        step_id: u32,
        measurements: Vec<Measurement>,
        outbox: &mut Outbox,
    ) -> Option<Entry> {
        if step_id != self.step_id || self.phase != Phase::Running {
            return None;
        }
        self.measured.push(measurements);
        if self.step + 1 < self.steps.len() {
            self.step += 1;
            self.step_id += 1;
            self.tasks_finished = 0;
            self.at = None;
            self.send_step(outbox);
            return None;
        }
        let cfg = self.config.clone()?;
        let mut report = plan::assemble(
            &cfg,
            self.env.clone(),
            &self.steps,
            &self.measured,
            self.run_url(&cfg),
        );
        report.calibration = self.calibration.clone();
        if !self.background.is_empty() {
            // In the configuration's model order, as the results.
            report.background = cfg
                .models
                .iter()
                .copied()
                .filter(|m| self.background.contains(m))
                .collect();
            report.mark_suspects();
        }
        report.predictions =
            crate::verdict::judge(&cfg.workload, &report.results, &self.predictions);
        let entry = self.publish(&cfg, &mut report);
        self.report = Some(Rc::new(report));
        self.phase = Phase::Done;
        self.at = None;
        Some(entry)
    }

    /// While a run with a prediction is in progress: its settings and the
    /// reader's prediction as a report with no results yet, for a page
    /// that embeds this one (`tvp:prediction`).
    pub fn prediction_report(&self) -> Option<Report> {
        if self.phase != Phase::Running || self.predictions.is_empty() {
            return None;
        }
        let cfg = self.config.as_ref()?;
        let mut report = Report::new(
            self.env.clone(),
            crate::report::config_map(cfg),
            Vec::new(),
            String::new(),
        );
        report.predictions = self.predictions.clone();
        Some(report)
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

    /// What the live region says of the run (see `Session::announcement`):
    /// its start and each step, its results, or what a cancel did.
    pub fn announcement(&self) -> String {
        match self.phase {
            Phase::Running if self.cancel_at.is_some() => "Cancelling the run…".to_string(),
            Phase::Running => {
                let Some(cfg) = &self.config else {
                    return "Running…".to_string();
                };
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
                Some(r) => {
                    let mut said = format!("Run finished. {}", crate::summary::results(&r.results));
                    if let Some(tally) = crate::predict::tally(&r.predictions) {
                        said.push_str(&format!(" Your prediction: {tally}."));
                    }
                    if !r.background.is_empty() {
                        said.push(' ');
                        said.push_str(&r.background_words());
                    }
                    said
                }
                None => "Run finished.".to_string(),
            },
            Phase::Error | Phase::Shared => String::new(),
            Phase::Idle => self.notice.clone().unwrap_or_default(),
        }
    }

    /// The link of the run's settings, before its results are added.
    fn run_url(&self, cfg: &RunConfig) -> String {
        format!("{}?{}", self.page, to_query(&cfg.to_pairs()))
    }

    /// An `<iframe>` that shows the run's settings embedded (the link's,
    /// without its results). `allow` lets an isolated course page pass its
    /// isolation on; elsewhere the embed runs in the reduced, process-only
    /// mode.
    fn embed_code(&self, cfg: &RunConfig) -> String {
        let src = format!("{}&embed=1", self.run_url(cfg));
        let title = format!("Threads vs Processes: {}", cfg.workload.lesson().title);
        format!(
            "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"760\" \
             style=\"border:0\" loading=\"lazy\" allow=\"cross-origin-isolated; clipboard-write\"></iframe>",
            html_attr(&src),
            html_attr(&title)
        )
    }

    /// This run's link, and its entry for the history.
    fn publish(&mut self, cfg: &RunConfig, report: &mut Report) -> Entry {
        let base = report.share_url.clone();
        let encoded = share::encode(report);
        let link = encoded.link(&base);
        report.share_url = link.clone();
        self.share = Some(ShareInfo {
            embed_code: self.embed_code(cfg),
            too_long: encoded.too_long || share::link_too_long(&link),
            link,
            dropped: names(&encoded.dropped),
            copied: None,
        });
        let query = base
            .split_once('?')
            .map(|(_, q)| q.to_string())
            .unwrap_or_default();
        let settings = cfg
            .workload
            .to_pairs()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
        Entry {
            id: format!("{}-{}", report.env.date, self.step_id),
            // Two runs on one machine differ by their settings: name them.
            label: format!(
                "{} {settings} · {}",
                cfg.workload.id(),
                env_line(&report.env)
            ),
            query,
            fragment: encoded.fragment,
        }
    }
}

/// `text` inside a double-quoted HTML attribute.
fn html_attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

fn cancel_notice(model: Option<ModelId>, waited: Option<f64>, rebuild_ms: f64) -> String {
    let waited = waited.map_or_else(|| crate::format::MISSING.into(), |w| format!("{w:.1} ms"));
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
