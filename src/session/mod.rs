//! The page's session as a pure state machine: what the user asked for, the
//! run in progress, what came back, the history. The UI feeds it
//! [`Action`]s and carries out the [`Command`]s it leaves in its outbox
//! (talk to the engine, save the history, rewrite the address bar), so
//! every decision the page makes is plain Rust, tested natively here.
//!
//! It is three parts, each with its own `apply`, around one outbox: the
//! [`Form`] (what the fields say), the [`RunState`] (a run and what came of
//! it) and the [`Library`] (results from a link, the history). The session
//! routes each action to the part it concerns and does itself only what
//! joins two parts (Run reads the form; a finished run goes into the
//! history; a reopened run refills the form).

mod form;
mod guess;
mod library;
mod run;

pub use form::Form;
pub use guess::Guess;
pub use library::{decode_entry, Elsewhere, Entry, Library, MAX_ENTRIES};
pub use run::{At, EngineInfo, Progress, RunState, ShareInfo};

use crate::capabilities::Capabilities;
use crate::config::{to_query, PredictMode};
use crate::protocol::{FromEngine, StepRequest};
use crate::report::Env;

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

/// What the session asks the page to do; it never does it itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Send the next step of a run, on an engine with at least `pool`
    /// workers (a smaller or broken one is replaced first).
    Send {
        pool: u32,
        request: StepRequest,
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
    pub form: Form,
    /// The reader's prediction for the next run.
    pub guess: Guess,
    pub run: RunState,
    pub library: Library,
    pub outbox: Outbox,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Set(String, String),
    /// Run what the form says; `date` (ISO) and `page` (origin and path)
    /// come from the page, which has the clock and the address. Without
    /// `predicted`, the reader's prediction is left out ("Run without
    /// predicting").
    Run {
        date: String,
        page: String,
        predicted: bool,
    },
    /// An answer to the part `key` of the lesson's question (`Ask::key`):
    /// a choice's id, or the id of the model picked.
    Predict {
        key: String,
        value: String,
    },
    Confidence(crate::predict::Confidence),
    /// Cancel pressed at `at_ms` on the shared clock.
    Cancel {
        at_ms: f64,
    },
    Polled(u32),
    /// The page was hidden (`true`) or shown again: a repeat measured while
    /// hidden is slowed by the browser, not by the model.
    Hidden(bool),
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
        let form = Form::new(init.raw, init.env.cores, init.caps);
        let library = Library::new(init.history, &init.fragment, init.href);
        let mut run = RunState::new(init.env);
        if library.opened.is_some() {
            run.phase = Phase::Shared;
        }
        Session {
            form,
            guess: Guess::default(),
            run,
            library,
            outbox: Outbox::default(),
        }
    }

    /// The lesson's question for what the form says, on this machine;
    /// `None` where the page asks none (`predict=0`, or a view that asks
    /// nothing).
    pub fn question(&self) -> Option<crate::predict::Question> {
        if self.form.config.predict == PredictMode::Never {
            return None;
        }
        crate::verdict::question(&self.form.config, self.run.env.cores.max(1))
    }

    /// Whether the page should start a run as it opens: the link says
    /// `run=1`, is valid, and carries no results (those are shown, not
    /// rerun); a teacher's link that asks for a prediction (`predict=1`)
    /// waits for it.
    pub fn runs_on_open(&self) -> bool {
        self.form.config.run
            && self.form.errors.is_empty()
            && self.run.phase != Phase::Shared
            && !(self.form.config.predict == PredictMode::Required && self.question().is_some())
    }

    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Run {
                date,
                page,
                predicted,
            } => self.start(date, page, predicted),
            Action::Predict { .. } | Action::Confidence(_) => {
                let question = self.question();
                self.guess.apply(action, question.as_ref());
            }
            Action::OpenEntry(id) => self.open_entry(&id),
            Action::Set(..) => self.form.apply(action, &mut self.outbox),
            Action::HistoryError(_)
            | Action::DeleteEntry(_)
            | Action::ClearHistory
            | Action::ToggleCompare(_) => self.library.apply(action, &mut self.outbox),
            Action::Cancel { .. }
            | Action::Polled(_)
            | Action::Hidden(_)
            | Action::Left
            | Action::Engine(_)
            | Action::Copied(_)
            | Action::Note(_) => {
                if let Some(finished) = self.run.apply(action, &mut self.outbox) {
                    self.library.keep(finished, &mut self.outbox);
                }
            }
        }
    }

    /// A run of what the form says, if it is valid; a new run leaves the
    /// last link's error behind.
    fn start(&mut self, date: String, page: String, predicted: bool) {
        if !self.form.errors.is_empty() {
            return;
        }
        let predictions = if predicted {
            self.guess.predictions(self.question().as_ref())
        } else {
            Vec::new()
        };
        if self
            .run
            .start(&self.form.config, date, page, predictions, &mut self.outbox)
        {
            self.library.link_error = None;
            self.guess.clear();
        }
    }

    /// A saved run on show, its settings in the form; never over a run in
    /// progress.
    fn open_entry(&mut self, id: &str) {
        if self.run.phase == Phase::Running {
            return;
        }
        if let Some(query) = self.library.open(id) {
            self.form.load(&query, &mut self.outbox);
            self.run.phase = Phase::Shared;
        }
    }

    /// What the page's live region says. It follows the phase and the step
    /// of a run, never the task count the status line polls four times a
    /// second, so a screen reader hears when a run starts, each step of a
    /// long one, and the results, not a stream of counts. A failure is left
    /// to the status line, which is an alert of its own.
    pub fn announcement(&self) -> String {
        match (self.run.phase, &self.library.opened) {
            (Phase::Shared, Some(f)) => format!(
                "Showing results from a link, measured on {}, not here. {}",
                f.label,
                crate::summary::results(&f.report.results)
            ),
            _ => self.run.announcement(),
        }
    }

    /// The full playground with the settings on show: what an embedded or
    /// presented page links to.
    pub fn full_link(&self) -> String {
        format!(
            "{}?{}",
            self.run.page,
            to_query(&self.form.config.to_pairs())
        )
    }
}

fn names<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(|d| d.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::Calibration;
    use crate::config::parse_query;
    use crate::models::{Measurement, ModelId};

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
                predicted: true,
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
            .run
            .progress()
            .unwrap()
            .to_string()
            .starts_with("calibrating: this machine's limits"));
        // Cancelled before it began: nothing to wait for.
        s.apply(Action::Cancel { at_ms: 1.0 });
        assert_eq!(s.run.phase, Phase::Idle);
        // The limits arrive late: kept, but no step is sent for a run that is over.
        let measured = Calibration {
            message_rtt_us: Some(90.0),
            ..Calibration::default()
        };
        s.apply(Action::Engine(FromEngine::Calibrated {
            step: asked,
            calibration: measured.clone(),
        }));
        assert!(sent(&s).is_empty());
        let kept = s.run.calibration.clone().unwrap();
        assert_eq!((kept.message_rtt_us, kept.cores), (Some(90.0), 2));
        assert_eq!(kept.timer_resolution_ms, Some(0.005), "the page's clock");
        // The next run goes straight to its first step, and its report has them.
        start(&mut s);
        let step = sent(&s).pop().expect("the first step is sent at once");
        s.apply(Action::Engine(done(&step)));
        assert_eq!(s.run.phase, Phase::Done);
        assert_eq!(s.run.report.as_ref().unwrap().calibration, Some(kept));
    }

    #[test]
    fn an_embed_links_to_the_full_playground_and_gives_its_own_code() {
        let mut s = session("w=io&tasks=3&embed=1&present=1&run=1");
        assert!(s.form.config.embed && s.form.config.present);
        assert!(
            s.form.url_query().contains("embed=1"),
            "a reload stays embedded"
        );
        run(&mut s);
        let full = s.full_link();
        assert!(
            full.starts_with("http://127.0.0.1:8080/?w=io&tasks=3&"),
            "{full}"
        );
        assert!(!full.contains("embed") && !full.contains("present") && !full.contains("run="));
        let step = sent(&s).pop().unwrap();
        s.apply(Action::Engine(done(&step)));
        let code = s.run.share.as_ref().unwrap().embed_code.clone();
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
            predicted: true,
        });
        let asked = s.outbox.pending.iter().find_map(|(_, c)| match c {
            Command::Calibrate { step_id, .. } => Some(*step_id),
            _ => None,
        });
        if let (Some(run), None) = (asked, &s.run.calibration) {
            s.apply(Action::Engine(FromEngine::Calibrated {
                step: run,
                calibration: Calibration {
                    process_start_ms: Some(20.0),
                    ..Calibration::default()
                },
            }));
        }
    }

    fn sent(s: &Session) -> Vec<StepRequest> {
        s.outbox
            .after(0)
            .filter_map(|(_, c)| match c {
                Command::Send { request, .. } => Some(request.clone()),
                _ => None,
            })
            .collect()
    }

    /// A measurement the engine could have sent for `request`'s model `m`.
    fn measured(request: &StepRequest, m: ModelId) -> Measurement {
        let value = request.workload.expected().to_string();
        Measurement::plain(m, request.workers, 10.0, value)
    }

    fn done(request: &StepRequest) -> FromEngine {
        FromEngine::Done {
            step: request.step,
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
        assert_eq!(s.run.phase, Phase::Running);
        let first = sent(&s);
        assert_eq!(first.len(), 1, "only the first step goes out");
        assert!(s.run.steps.len() > 1, "a sweep has several steps");
        for n in 1..s.run.steps.len() {
            let last = sent(&s).pop().unwrap();
            s.apply(Action::Engine(done(&last)));
            assert_eq!(sent(&s).len(), n + 1);
            assert_eq!(sent(&s).last().unwrap().step, last.step + 1);
        }
        let last = sent(&s).pop().unwrap();
        s.apply(Action::Engine(done(&last)));
        assert_eq!(s.run.phase, Phase::Done);
        let report = s.run.report.as_ref().unwrap();
        assert!(!report.sweep.is_empty());
        assert!(s.run.share.as_ref().unwrap().link.contains("#r="));
        assert_eq!(s.library.history.len(), 1);
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
        while s.run.phase == Phase::Running {
            let last = sent(&s).pop().unwrap();
            s.apply(Action::Engine(done(&last)));
        }
        assert_eq!(
            s.announcement(),
            "Run finished. Speedup: threads 1.00× over seq. Every result is correct."
        );
        let link = s.run.share.as_ref().unwrap().link.clone();
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
        assert_eq!(t.run.phase, Phase::Shared);
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
    fn a_model_measured_while_the_page_was_hidden_is_suspect_and_out_of_the_verdict() {
        let progress = |s: &Session, model| {
            Action::Engine(FromEngine::Progress {
                step: s.run.step_id,
                model,
                round: 1,
                rounds: 1,
                warmup: false,
            })
        };
        // Hidden while threads ran, shown again before procs.
        let mut s = session("w=cpu&models=seq,threads,procs&repeats=1&warmup=0");
        run(&mut s);
        s.apply(progress(&s, ModelId::Seq));
        s.apply(progress(&s, ModelId::Threads));
        s.apply(Action::Hidden(true));
        s.apply(Action::Hidden(false));
        s.apply(progress(&s, ModelId::Procs));
        let last = sent(&s).pop().unwrap();
        s.apply(Action::Engine(done(&last)));
        let report = s.run.report.clone().unwrap();
        assert_eq!(report.background, vec![ModelId::Threads]);
        let suspect = |m| report.result(m).and_then(|r| r.suspect.clone());
        assert!(suspect(ModelId::Threads)
            .unwrap()
            .starts_with("measured while the tab was in the background"));
        assert_eq!(suspect(ModelId::Procs), None);
        assert_eq!(suspect(ModelId::Seq), None);
        assert_eq!(
            report.background_words(),
            "Measured while the tab was in the background: threads. Browsers slow the timers \
             and workers of a hidden page, so its figure is left out of the verdicts. Keep the \
             tab in view while it runs."
        );
        // It travels in the link and is suspect again when opened.
        let link = s.run.share.as_ref().unwrap().link.clone();
        let opened = crate::share::decode(link.split_once('#').unwrap().1).unwrap();
        assert_eq!(opened.background, vec![ModelId::Threads]);
        assert_eq!(
            opened.result(ModelId::Threads).unwrap().suspect,
            suspect(ModelId::Threads)
        );
        // Hidden from the start, seq included: every speedup is suspect;
        // a run in view afterwards is clean again.
        s.apply(Action::Hidden(true));
        run(&mut s);
        s.apply(progress(&s, ModelId::Seq));
        let last = sent(&s).pop().unwrap();
        s.apply(Action::Engine(done(&last)));
        let report = s.run.report.clone().unwrap();
        assert_eq!(report.background, vec![ModelId::Seq]);
        assert!(report.results.iter().all(|r| r.suspect.is_some()));
        assert!(report
            .background_words()
            .contains("seq. Browsers slow the timers and workers of a hidden page, so its figure is left out of the verdicts, and so is every speedup over seq."));
        s.apply(Action::Hidden(false));
        run(&mut s);
        let last = sent(&s).pop().unwrap();
        s.apply(Action::Engine(done(&last)));
        assert!(s.run.report.as_ref().unwrap().background.is_empty());
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
        assert_eq!(
            s.run.progress().unwrap().to_string(),
            "starting the engine…"
        );
        s.apply(Action::Engine(FromEngine::Progress {
            step: s.run.step_id,
            model: ModelId::Seq,
            round: 1,
            rounds: 2,
            warmup: false,
        }));
        let line = |s: &Session| s.run.progress().unwrap().to_string();
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
            Some((_, Command::Cancel { step_id })) if *step_id == s.run.step_id
        ));
    }

    #[test]
    fn a_rejected_value_stays_and_blocks_run_but_not_a_limit() {
        let mut s = session("w=cpu");
        s.apply(Action::Set("n".into(), "-5".into()));
        assert_eq!(s.form.field("n"), "-5");
        assert!(!s.form.errors.is_empty());
        assert!(matches!(
            s.outbox.pending.last(),
            Some((_, Command::ReplaceUrl(q))) if q.contains("n=-5")
        ));
        run(&mut s);
        assert_eq!(s.run.phase, Phase::Idle, "an invalid form does not run");

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
        assert!(reduced.form.errors.is_empty() && !reduced.form.limits.is_empty());
        run(&mut reduced);
        assert_eq!(reduced.run.phase, Phase::Running);
        assert!(!sent(&reduced)[0].models.contains(&ModelId::Threads));
    }

    #[test]
    fn a_failure_of_the_current_run_ends_it_and_says_why() {
        let mut s = session("w=cpu&models=seq");
        run(&mut s);
        s.apply(Action::Engine(FromEngine::Failed {
            step: Some(s.run.step_id + 7),
            message: "other".into(),
        }));
        assert_eq!(s.run.phase, Phase::Running);
        s.apply(Action::Engine(FromEngine::Failed {
            step: Some(s.run.step_id),
            message: "the engine could not start".into(),
        }));
        assert_eq!(s.run.phase, Phase::Error);
        assert_eq!(s.run.failure.as_deref(), Some("the engine could not start"));
        assert!(s.run.progress().is_none());
    }

    #[test]
    fn leaving_the_page_stops_a_run_and_says_so() {
        let mut s = session("w=cpu&models=seq&repeats=1&warmup=0");
        s.apply(Action::Left);
        assert_eq!((s.run.phase, s.run.failure.as_deref()), (Phase::Idle, None));
        run(&mut s);
        s.apply(Action::Left);
        assert_eq!(s.run.phase, Phase::Error);
        assert!(s
            .run
            .failure
            .as_deref()
            .unwrap()
            .starts_with("it stopped when the page was left"));
        // Its late answers are not taken for a new run's.
        let r = sent(&s).pop().unwrap();
        s.apply(Action::Engine(done(&r)));
        assert_eq!(s.run.phase, Phase::Error);
        run(&mut s);
        assert_eq!(
            (s.run.phase, s.run.failure.as_deref()),
            (Phase::Running, None)
        );
    }

    #[test]
    fn a_saved_run_reopens_with_its_settings() {
        let mut s = session("w=cpu&models=seq&repeats=1&warmup=0");
        run(&mut s);
        let r = sent(&s).pop().unwrap();
        s.apply(Action::Engine(done(&r)));
        let id = s.library.history[0].id.clone();
        let mut t = session("w=io");
        t.library.history = s.library.history.clone();
        t.apply(Action::OpenEntry(id.clone()));
        assert_eq!(t.run.phase, Phase::Shared);
        assert_eq!(t.form.config.workload.id(), "cpu");
        t.apply(Action::ToggleCompare(id.clone()));
        t.apply(Action::DeleteEntry(id));
        assert!(t.library.history.is_empty() && t.library.compare.is_empty());
        t.apply(Action::OpenEntry("gone".into()));
        assert!(t.library.error.is_some());
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
