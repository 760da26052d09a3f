//! `async`: every task is a coroutine on one event loop, as
//! `asyncio.gather` runs them. A coroutine runs until it awaits; an await
//! on I/O hands the loop to the next ready coroutine and sets a timer; CPU
//! work never awaits, so while one coroutine computes, the loop is blocked
//! and ready ones wait. Concurrency without parallelism: waits overlap,
//! computation never does, and no coroutine is interrupted between two
//! steps it did not separate by an `await`.
//!
//! Only the `io` lesson's tasks await (their download before their CPU
//! part, or the convoy's requests, see [`Workload::resume`]); every other
//! lesson's task runs start to end when its turn comes.

use super::{
    measure, rebase, Clock, FreeEnv, Measurement, ModelId, Recording, Response, RunControl, Span,
    SpanKind, TaskOutcome,
};
use crate::workloads::{Resume, TaskEnv, TaskFailure, Workload};
use std::cmp::Ordering as CmpOrdering;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::atomic::Ordering;

/// A timer: coroutine `task` may go on at `due_ms`. Ordered so that the
/// heap pops the earliest first, ties by task.
#[derive(PartialEq)]
struct Timer {
    due_ms: f64,
    task: u32,
}

impl Eq for Timer {}

impl Ord for Timer {
    fn cmp(&self, other: &Self) -> CmpOrdering {
        other
            .due_ms
            .total_cmp(&self.due_ms)
            .then_with(|| other.task.cmp(&self.task))
    }
}

impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}

/// A coroutine between two turns: the stage it goes on with, the value
/// its stages produced so far, when it started, and the requests it
/// answered.
struct Coroutine {
    stage: u32,
    value: u128,
    started_ms: f64,
    responses: Vec<Response>,
}

/// How a turn ended: the coroutine awaits `ms`, or it is done.
enum TurnEnd {
    Awaits(f64),
    Done(Result<u128, TaskFailure>),
}

/// Runs every task of `workload` as a coroutine on the calling thread.
/// `sleep` is how the loop blocks when every coroutine waits (its
/// `select`); it is never called while a coroutine is ready. The spans are
/// the loop's: `run` (a coroutine has the loop), `io` (awaiting), and
/// `loop_wait` (ready, but another coroutine has the loop), all on worker 0.
pub fn run(
    workload: &Workload,
    clock: &impl Clock,
    sleep: impl Fn(f64),
    control: &RunControl,
) -> Measurement {
    let mut env = FreeEnv::new(clock, control, &sleep);
    let start = clock.now_ms();
    let mut coroutines: Vec<Coroutine> = (0..workload.tasks())
        .map(|_| Coroutine {
            stage: 0,
            value: 0,
            started_ms: start,
            responses: Vec::new(),
        })
        .collect();
    // `gather` schedules every coroutine at once, in order; each entry is
    // a coroutine and since when it has been ready.
    let mut ready: VecDeque<(u32, f64)> = (0..workload.tasks()).map(|t| (t, start)).collect();
    let mut timers = BinaryHeap::new();
    let mut outcomes = Vec::with_capacity(workload.tasks() as usize);
    let mut spans = Vec::new();
    let mut busy_until = f64::NEG_INFINITY;
    loop {
        if let Some((task, since_ms)) = ready.pop_front() {
            let now = clock.now_ms();
            let c = &mut coroutines[task as usize];
            if c.stage == 0 {
                c.started_ms = now;
            } else if busy_until > since_ms {
                // Ready while another coroutine had the loop: blocked.
                // (A late wake-up of the loop itself is not.)
                spans.push(span(task, SpanKind::LoopWait, since_ms, now));
            }
            let first = c.stage == 0;
            let end = turn(workload, task, c, since_ms, &mut env);
            let end_ms = clock.now_ms();
            // A start that goes straight to its first await ran nothing.
            if !(first && c.stage == 1 && matches!(end, TurnEnd::Awaits(_))) {
                busy_until = end_ms;
                spans.push(span(task, SpanKind::Run, now, end_ms));
            }
            match end {
                TurnEnd::Awaits(ms) => {
                    let due_ms = end_ms + ms;
                    spans.push(span(task, SpanKind::Io, end_ms, due_ms));
                    timers.push(Timer { due_ms, task });
                }
                TurnEnd::Done(result) => {
                    control.finished.fetch_add(1, Ordering::Relaxed);
                    outcomes.push(TaskOutcome {
                        task,
                        worker: 0,
                        start_ms: c.started_ms,
                        end_ms,
                        result,
                        responses: std::mem::take(&mut c.responses),
                    });
                }
            }
        } else if let Some(next) = timers.peek() {
            if env.tick().is_err() {
                // Cancelled while every coroutine awaits: they end now
                // rather than when their timers fire.
                let Timer { task, .. } = timers.pop().expect("peeked");
                ready.push_back((task, clock.now_ms()));
                continue;
            }
            // Nothing is ready: the loop blocks until the earliest timer.
            let idle = next.due_ms - clock.now_ms();
            if idle > 0.0 {
                sleep(idle);
            }
        } else {
            break;
        }
        // Timers that have fired make their coroutines ready, earliest first.
        let now = clock.now_ms();
        while timers.peek().is_some_and(|t| t.due_ms <= now) {
            let Timer { due_ms, task } = timers.pop().expect("peeked");
            ready.push_back((task, due_ms));
        }
    }
    let end = clock.now_ms();
    let mut m = measure(ModelId::Async, 1, workload, start, end, outcomes);
    m.spans = rebase(spans, start);
    m
}

/// One turn of coroutine `task`: its stages run until one awaits a real
/// wait or the last is done. A zero wait is no await: nothing to wait for,
/// so the coroutine goes straight on.
fn turn(
    workload: &Workload,
    task: u32,
    c: &mut Coroutine,
    mut arrived_ms: f64,
    env: &mut dyn TaskEnv,
) -> TurnEnd {
    let mut env = Recording::new(env);
    // A resumed coroutine is cancelled at its first step.
    if c.stage > 0 {
        if let Err(e) = env.tick() {
            return TurnEnd::Done(Err(e));
        }
    }
    let end = loop {
        match workload.resume(task, c.stage, arrived_ms, &mut env) {
            Ok(Resume::Await { ms, value }) => {
                c.value += value;
                c.stage += 1;
                if ms > 0.0 {
                    break TurnEnd::Awaits(ms);
                }
                arrived_ms = env.now_ms();
            }
            Ok(Resume::Done(v)) => break TurnEnd::Done(Ok(c.value + v)),
            Err(e) => break TurnEnd::Done(Err(e)),
        }
    };
    c.responses.append(&mut env.responses);
    end
}

fn span(task: u32, kind: SpanKind, start_ms: f64, end_ms: f64) -> Span {
    Span {
        worker: 0,
        task,
        kind,
        start_ms,
        end_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::counter::{Counter, CounterSync};
    use crate::workloads::cpu::Cpu;
    use crate::workloads::io::Io;
    use std::sync::atomic::AtomicU64;

    /// Time that moves only when the loop sleeps: the loop's schedule is
    /// then exact, and a test of it cannot flake on a busy machine.
    #[derive(Default)]
    struct Virtual(AtomicU64);

    impl Clock for Virtual {
        fn now_ms(&self) -> f64 {
            f64::from_bits(self.0.load(Ordering::SeqCst))
        }
    }

    impl Virtual {
        fn advance(&self, ms: f64) {
            self.0
                .store((self.now_ms() + ms).to_bits(), Ordering::SeqCst);
        }
    }

    fn run_virtual(w: &Workload) -> (Measurement, usize) {
        let clock = Virtual::default();
        let sleeps = std::sync::atomic::AtomicUsize::new(0);
        let control = RunControl::default();
        let m = run(
            w,
            &clock,
            |ms| {
                sleeps.fetch_add(1, Ordering::SeqCst);
                clock.advance(ms)
            },
            &control,
        );
        assert_eq!(control.finished.load(Ordering::SeqCst), w.tasks());
        (m, sleeps.into_inner())
    }

    fn of(m: &Measurement, kind: SpanKind) -> Vec<&Span> {
        m.spans.iter().filter(|s| s.kind == kind).collect()
    }

    #[test]
    fn waits_overlap_on_one_thread() {
        let w = Workload::Io(Io {
            tasks: 8,
            wait_ms: 50.0,
            cpu_n: 1000,
            convoy: None,
        });
        let (m, sleeps) = run_virtual(&w);
        assert!(m.correct, "{m:?}");
        assert_eq!(m.model, ModelId::Async);
        assert_eq!(m.workers, 1);
        // Every coroutine awaits at once; the loop sleeps once, until the
        // first timer, and all eight are ready then.
        assert_eq!(m.wall_ms, 50.0);
        assert_eq!(sleeps, 1);
        assert_eq!(of(&m, SpanKind::Io).len(), 8);
        assert!(of(&m, SpanKind::Io)
            .iter()
            .all(|s| s.start_ms == 0.0 && s.end_ms == 50.0));
        assert_eq!(of(&m, SpanKind::Run).len(), 8);
        assert!(m.spans.iter().all(|s| s.worker == 0));
    }

    #[test]
    fn a_computing_coroutine_blocks_the_ready_ones() {
        let w = Workload::Io(Io {
            tasks: 3,
            wait_ms: 10.0,
            cpu_n: 5_000_000,
            convoy: None,
        });
        // Real time, so the computing takes some: the coroutines that became
        // ready while the first computed wait for the loop, and the loop's
        // run spans never overlap.
        let clock = super::super::native::InstantClock::default();
        let control = RunControl::default();
        let m = run(&w, &clock, super::super::native::sleep_ms, &control);
        assert!(m.correct);
        let mut runs = of(&m, SpanKind::Run);
        runs.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
        assert!(runs.windows(2).all(|p| p[0].end_ms <= p[1].start_ms));
        let waits = of(&m, SpanKind::LoopWait);
        assert_eq!(waits.len(), 2, "the 2nd and 3rd waited: {:?}", m.spans);
        for wait in waits {
            let own_run = runs.iter().find(|r| r.task == wait.task).unwrap();
            assert!(wait.end_ms <= own_run.start_ms + 1e-9);
        }
    }

    #[test]
    fn a_convoy_request_waits_for_a_whole_computation() {
        // Real time: coroutine 0 awaits its first request, coroutine 1
        // computes for several ms without an await, so the answer to the
        // request that arrived meanwhile is out only after the computation.
        let w = Workload::Io(Io {
            tasks: 2,
            wait_ms: 1.0,
            cpu_n: 20_000_000,
            convoy: Some(3),
        });
        let clock = super::super::native::InstantClock::default();
        let control = RunControl::default();
        let m = run(&w, &clock, super::super::native::sleep_ms, &control);
        assert!(m.correct, "{m:?}");
        let cpu = of(&m, SpanKind::Run)
            .into_iter()
            .find(|s| s.task == 1)
            .unwrap()
            .clone();
        // Only the first request met the computation; the other two came
        // after it was over.
        assert_eq!(m.responses.len(), 1, "{:?}", m.responses);
        let r = m.responses[0];
        assert!(
            r.arrived_ms < cpu.end_ms && r.done_ms >= cpu.end_ms,
            "{r:?} {cpu:?}"
        );
        assert_eq!(
            of(&m, SpanKind::Io).iter().filter(|s| s.task == 0).count(),
            3,
            "one await per request"
        );
    }

    #[test]
    fn cpu_work_never_yields() {
        let w = Workload::Cpu(Cpu {
            tasks: 4,
            n: 100_000,
        });
        let (m, sleeps) = run_virtual(&w);
        assert!(m.correct);
        assert_eq!(sleeps, 0, "nothing awaits, so the loop never idles");
        assert!(of(&m, SpanKind::Io).is_empty());
        let order: Vec<u32> = of(&m, SpanKind::Run).iter().map(|s| s.task).collect();
        assert_eq!(order, vec![0, 1, 2, 3], "gather order, one after another");
    }

    #[test]
    fn a_racy_counter_loses_nothing_without_preemption() {
        let w = Workload::Counter(Counter::new(4, 100_000, CounterSync::Racy));
        let (m, _) = run_virtual(&w);
        assert!(m.correct, "{m:?}");
        assert_eq!(m.value, w.expected().to_string());
    }

    #[test]
    fn a_cancelled_loop_ends_its_waiting_coroutines_at_once() {
        let w = Workload::Io(Io {
            tasks: 4,
            wait_ms: 10_000.0,
            cpu_n: 0,
            convoy: None,
        });
        let clock = Virtual::default();
        let control = RunControl::default();
        control.cancel.store(true, Ordering::SeqCst);
        let m = run(&w, &clock, |ms| clock.advance(ms), &control);
        assert!(!m.correct);
        assert_eq!(m.errors.len(), 4);
        assert!(m.wall_ms < 1.0, "no timer was waited for: {}", m.wall_ms);
    }
}
