//! `hybrid`: processes with a pool of threads each, the usual answer for
//! mixed work in CPython (a process per core, threads inside). The engine
//! starts them before the clock, as a pool is, and keeps them for the
//! next repeat of the same shape.

use super::mailbox::{Mailbox, Outgoing};
use super::now_ms;
use super::procs::{unexpected, Launcher};
use crate::models::{Span, TaskOutcome};
use crate::protocol::{FromProcess, ToProcess};
use crate::workloads::{TaskFailure, Workload};
use futures_util::future::join_all;
use std::cell::RefCell;
use std::rc::Rc;

struct Kept {
    threads: u32,
    procs: Vec<Rc<Mailbox>>,
}

#[derive(Default)]
pub struct HybridPool {
    kept: RefCell<Option<Kept>>,
}

impl HybridPool {
    /// `procs` processes with `threads` threads each, and what starting
    /// them took (0 when the last run's are still up).
    pub async fn get(
        &self,
        launcher: &Launcher,
        procs: u32,
        threads: u32,
    ) -> Result<(Vec<Rc<Mailbox>>, f64), String> {
        let kept = self.kept.borrow().as_ref().and_then(|k| {
            let fits = k.threads == threads
                && k.procs.len() == procs as usize
                && k.procs.iter().all(|mb| !mb.is_closed());
            fits.then(|| k.procs.clone())
        });
        if let Some(kept) = kept {
            return Ok((kept, 0.0));
        }
        self.end(launcher);
        let t0 = now_ms();
        let started = join_all((0..procs).map(|_| spawn_with_pool(launcher, threads))).await;
        let mut made = Vec::new();
        let mut failed = None;
        for s in started {
            match s {
                Ok(mb) => made.push(mb),
                Err(e) => failed = Some(e),
            }
        }
        if let Some(why) = failed {
            for mb in made {
                launcher.end(&mb);
            }
            return Err(why);
        }
        *self.kept.borrow_mut() = Some(Kept {
            threads,
            procs: made.clone(),
        });
        Ok((made, now_ms() - t0))
    }

    /// Ends hybrid's processes (the page ends their threads with them).
    pub fn end(&self, launcher: &Launcher) {
        if let Some(old) = self.kept.borrow_mut().take() {
            for mb in old.procs {
                launcher.end(&mb);
            }
        }
    }
}

async fn spawn_with_pool(launcher: &Launcher, threads: u32) -> Result<Rc<Mailbox>, String> {
    let mb = launcher.spawn().await?;
    match mb
        .ask(&ToProcess::StartPool { threads }, &Outgoing::none())
        .await?
        .0
    {
        FromProcess::PoolReady { .. } => Ok(mb),
        other => Err(unexpected("StartPool", &other)),
    }
}

/// The tasks dealt round-robin to `procs`, each running its chunk on its
/// own threads (under a GIL of its own with `gil_switch_ms`), as
/// `ProcessPoolExecutor.map` over chunks would.
pub async fn run(
    workload: &Workload,
    procs: &[Rc<Mailbox>],
    threads: u32,
    gil_switch_ms: Option<f64>,
) -> (Vec<TaskOutcome>, Vec<Span>) {
    let n = workload.tasks();
    let p = procs.len().max(1) as u32;
    let chunks = join_all(procs.iter().enumerate().map(|(i, mb)| {
        let tasks: Vec<u32> = (0..n).filter(|t| t % p == i as u32).collect();
        let chunk = ToProcess::Chunk {
            tasks: tasks.clone(),
            workload: workload.clone(),
            gil_switch_ms,
            first_worker: i as u32 * threads,
        };
        async move {
            let answer = if tasks.is_empty() {
                Ok((Vec::new(), Vec::new()))
            } else {
                match mb.ask(&chunk, &Outgoing::none()).await {
                    Ok((FromProcess::ChunkDone { reports, spans }, _)) => Ok((reports, spans)),
                    Ok((other, _)) => Err(unexpected("a chunk", &other)),
                    Err(why) => Err(why),
                }
            };
            (i as u32, tasks, answer)
        }
    }))
    .await;
    let mut outcomes = Vec::new();
    let mut spans = Vec::new();
    for (i, tasks, chunk) in chunks {
        match chunk {
            Ok((reports, s)) => {
                let sender = format!("process {i}");
                outcomes.extend(reports.into_iter().map(|r| r.into_outcome(&sender)));
                spans.extend(s);
            }
            Err(why) => {
                let now = now_ms();
                outcomes.extend(tasks.into_iter().map(|task| {
                    TaskOutcome::failed(
                        task,
                        i * threads,
                        now,
                        TaskFailure::Failed(format!("process {i} ended: {why}")),
                    )
                }));
            }
        }
    }
    (outcomes, spans)
}
