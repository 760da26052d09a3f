//! `fork` as a fork server does it: spare workers are started ahead of
//! time with their scripts loaded and no instance yet (a fork server's
//! idle children), and a fork asks the oldest to make a fresh instance
//! with a memory of its own. The costly part of a cold start, a new worker
//! and its scripts, is then paid before anyone waits for the process, and
//! shown apart.

use super::mailbox::{Mailbox, Requested};
use super::now_ms;
use super::procs::{unexpected, Launcher};
use crate::protocol::FromProcess;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

/// A worker started with `hold` (see `www/process_boot.js`).
enum Spare {
    /// Asked of the page; it may still be starting.
    Asked { requested: Requested, asked_ms: f64 },
    /// It said `warm`.
    Warm(WarmSpare),
}

/// A spare that said it is warm, and how long that took from asking for
/// it: the cold start a fork server pays ahead of time.
pub struct WarmSpare {
    mb: Rc<Mailbox>,
    cold_ms: f64,
}

/// How one fork started, in ms.
pub struct ForkStart {
    /// From asking a warm spare to instantiate to hearing it is ready.
    pub start_ms: f64,
    /// The spare's own start, from asking for it to its saying `warm`.
    pub cold_ms: f64,
    /// Of `start_ms`, instantiating the module (if the process said).
    pub instantiate_ms: Option<f64>,
}

#[derive(Default)]
pub struct ForkServer {
    spares: RefCell<VecDeque<Spare>>,
    /// How many spares to keep.
    target: Cell<u32>,
    /// Each fork's start since the engine last took them.
    starts: RefCell<Vec<ForkStart>>,
}

impl ForkServer {
    /// Keeps `n` spares started from now on, so a fork finds one warm.
    pub fn keep(&self, launcher: &Launcher, n: u32) {
        self.target.set(n);
        self.top_up(launcher);
    }

    fn top_up(&self, launcher: &Launcher) {
        while self.spares.borrow().len() < self.target.get() as usize {
            let asked_ms = now_ms();
            match launcher.request_spare() {
                Ok(requested) => self.spares.borrow_mut().push_back(Spare::Asked {
                    requested,
                    asked_ms,
                }),
                // The fork that needs one asks again, and reports why.
                Err(_) => break,
            }
        }
    }

    /// Ends every spare, and keeps none until asked again.
    pub fn end_spares(&self) {
        self.target.set(0);
        for spare in self.spares.borrow_mut().drain(..) {
            match spare {
                Spare::Warm(warm) => warm.mb.terminate("no longer kept"),
                Spare::Asked { requested, .. } => requested.end(),
            }
        }
    }

    /// Waits until every spare kept is warm, so that none is starting (and
    /// taking a core) while a fork is timed.
    pub async fn settle(&self, launcher: &Launcher) {
        self.top_up(launcher);
        let kept: Vec<Spare> = self.spares.borrow_mut().drain(..).collect();
        for spare in kept {
            // A spare that failed is dropped: the next fork asks anew.
            if let Ok(warm) = warmed(spare).await {
                self.spares.borrow_mut().push_back(Spare::Warm(warm));
            }
        }
    }

    /// The oldest spare once it is warm (a new one if none is kept). It is
    /// replaced once it has made its process ([`ForkServer::instantiate`]):
    /// a worker starting beside it would take a core from its start.
    pub async fn warm_spare(&self, launcher: &Launcher) -> Result<WarmSpare, String> {
        let spare = self.spares.borrow_mut().pop_front();
        let spare = match spare {
            Some(spare) => spare,
            None => Spare::Asked {
                requested: launcher.request_spare()?,
                asked_ms: now_ms(),
            },
        };
        let warm = warmed(spare).await?;
        launcher.adopt(&warm.mb);
        Ok(warm)
    }

    /// Makes a process of `spare`: a new instance of the module with a
    /// memory of its own, in a worker already running. Its start is timed
    /// from the ask to the process saying it is ready.
    pub async fn instantiate(
        &self,
        launcher: &Launcher,
        spare: WarmSpare,
    ) -> Result<Rc<Mailbox>, String> {
        let WarmSpare { mb, cold_ms } = spare;
        let asked_ms = now_ms();
        let said = mb.ask_to_instantiate::<FromProcess>().await;
        let ready_ms = now_ms();
        self.top_up(launcher);
        match said {
            Ok(FromProcess::Ready { boot }) => {
                self.starts.borrow_mut().push(ForkStart {
                    start_ms: ready_ms - asked_ms,
                    cold_ms,
                    instantiate_ms: boot.map(|b| b.instantiate_ms()),
                });
                Ok(mb)
            }
            Ok(other) => {
                launcher.end(&mb);
                Err(unexpected("instantiate", &other))
            }
            Err(message) => {
                launcher.end(&mb);
                Err(message)
            }
        }
    }

    /// `fork`'s start: a fresh process from a warm spare.
    pub async fn fork(&self, launcher: &Launcher) -> Result<Rc<Mailbox>, String> {
        let spare = self.warm_spare(launcher).await?;
        self.instantiate(launcher, spare).await
    }

    /// The start of every fork since the last call.
    pub fn take_starts(&self) -> Vec<ForkStart> {
        std::mem::take(&mut self.starts.borrow_mut())
    }
}

/// `spare` once it has said `warm`.
async fn warmed(spare: Spare) -> Result<WarmSpare, String> {
    let (requested, asked_ms) = match spare {
        Spare::Warm(warm) => return Ok(warm),
        Spare::Asked {
            requested,
            asked_ms,
        } => (requested, asked_ms),
    };
    // Dropping a spare that failed ends its worker.
    let mb = Rc::new(requested.open().await?);
    match mb.said::<FromProcess>().await?.0 {
        FromProcess::Warm { warm_ms, .. } => Ok(WarmSpare {
            mb,
            cold_ms: warm_ms - asked_ms,
        }),
        other => Err(unexpected("its start", &other)),
    }
}
