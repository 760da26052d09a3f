//! The simulated GIL on native threads. Assertions are on spans and counts,
//! never on wall time; task sizes are calibrated to this machine so a task
//! spans many switch intervals however fast the loop runs.

use std::sync::atomic::Ordering;
use std::sync::{Mutex, MutexGuard, OnceLock};
use tvp::models::gil::{self, GilKind, GilStats};
use tvp::models::native::{sleep_ms, InstantClock};
use tvp::models::{Clock, Measurement, RunControl, Span, SpanKind};
use tvp::workloads::counter::{Counter, CounterSync};
use tvp::workloads::cpu::{seed, spin, Cpu};
use tvp::workloads::io::Io;
use tvp::workloads::Workload;

const THREADS: usize = 4;

/// The tests of this file take turns: each one's waiting threads are meant
/// to wait on its own holder, not on another test's.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(THREADS)
            .build()
            .expect("pool")
    })
}

/// Countdown steps that take about `ms` on this machine (the best of a few
/// tries, so a busy moment does not make the tasks longer than needed).
fn steps_for_ms(ms: f64) -> u64 {
    static NS_PER_STEP: OnceLock<f64> = OnceLock::new();
    let ns = *NS_PER_STEP.get_or_init(|| {
        let clock = InstantClock::default();
        let n = 2_000_000;
        (0..3)
            .map(|_| {
                let t = clock.now_ms();
                std::hint::black_box(spin(seed(0), n));
                (clock.now_ms() - t) * 1e6 / n as f64
            })
            .fold(f64::INFINITY, f64::min)
            .max(0.01)
    });
    (ms * 1e6 / ns) as u64
}

fn run(w: &Workload, switch_ms: f64, kind: GilKind) -> (Measurement, GilStats) {
    let clock = InstantClock::default();
    let control = RunControl::default();
    gil::run(w, Some(pool()), &clock, sleep_ms, &control, switch_ms, kind)
}

fn of_kind(m: &Measurement, kind: SpanKind) -> Vec<&Span> {
    m.spans.iter().filter(|s| s.kind == kind).collect()
}

/// The core promise: at most one worker holds the GIL at any moment.
fn assert_runs_never_overlap(m: &Measurement) {
    let mut runs = of_kind(m, SpanKind::Run);
    assert!(!runs.is_empty());
    runs.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
    for pair in runs.windows(2) {
        assert!(pair[0].start_ms <= pair[0].end_ms, "{:?}", pair[0]);
        assert!(
            pair[1].start_ms >= pair[0].end_ms,
            "{} overlaps {:?} and {:?}",
            m.model,
            pair[0],
            pair[1]
        );
    }
}

fn cpu_tasks(task_ms: f64) -> Workload {
    Workload::Cpu(Cpu {
        tasks: THREADS as u32,
        n: steps_for_ms(task_ms),
    })
}

#[test]
fn cpu_work_on_four_threads_is_serialized_and_interleaved() {
    let _turn = one_at_a_time();
    let switch_ms = 1.0;
    let w = cpu_tasks(25.0);
    let (m, stats) = run(&w, switch_ms, GilKind::New);
    assert!(m.correct, "{m:?}");
    assert_runs_never_overlap(&m);
    let workers: std::collections::BTreeSet<u32> = of_kind(&m, SpanKind::Run)
        .iter()
        .map(|s| s.worker)
        .collect();
    assert!(
        workers.len() >= 2,
        "the tasks ran on several threads: {workers:?}"
    );
    // Forced switching takes turns long before any task is done: every task
    // ran in several stretches, and the GIL changed hands far more often than
    // the three times it must when tasks merely run one after another.
    for t in 0..THREADS as u32 {
        let stretches = m
            .spans
            .iter()
            .filter(|s| s.kind == SpanKind::Run && s.task == t)
            .count();
        assert!(stretches >= 2, "task {t} ran in one go: {stats:?}");
    }
    assert!(stats.hand_offs >= 4 * THREADS as u64, "{stats:?}");
    assert!(
        stats.drop_requests >= stats.hand_offs / 2,
        "switches were asked for: {stats:?}"
    );
    assert!(!of_kind(&m, SpanKind::GilWait).is_empty());

    let (old, _) = run(&w, switch_ms, GilKind::Old);
    assert!(old.correct);
    assert_runs_never_overlap(&old);
}

#[test]
fn io_waits_of_different_threads_overlap() {
    let _turn = one_at_a_time();
    for kind in [GilKind::New, GilKind::Old] {
        let w = Workload::Io(Io {
            tasks: THREADS as u32,
            wait_ms: 40.0,
            cpu_n: steps_for_ms(1.0),
            convoy: None,
        });
        let (m, _) = run(&w, 5.0, kind);
        assert!(m.correct, "{kind:?}: {m:?}");
        assert_runs_never_overlap(&m);
        let io = of_kind(&m, SpanKind::Io);
        assert_eq!(io.len(), THREADS, "one wait per task");
        // The most waits in progress at once: the GIL was released for each.
        let most_at_once = io
            .iter()
            .map(|a| {
                io.iter()
                    .filter(|b| b.start_ms <= a.start_ms && a.start_ms < b.end_ms)
                    .count()
            })
            .max()
            .unwrap();
        assert!(
            most_at_once >= 2,
            "{kind:?}: waits never overlapped: {io:?}"
        );
        // Nobody holds the GIL while it waits.
        for s in &io {
            for r in of_kind(&m, SpanKind::Run)
                .iter()
                .filter(|r| r.worker == s.worker)
            {
                assert!(
                    r.end_ms <= s.start_ms || r.start_ms >= s.end_ms,
                    "{r:?} {s:?}"
                );
            }
        }
    }
}

/// For each wait: how many times another worker started holding the GIL
/// while this one waited.
fn turns_waited(m: &Measurement) -> Vec<usize> {
    let runs = of_kind(m, SpanKind::Run);
    of_kind(m, SpanKind::GilWait)
        .iter()
        .map(|w| {
            runs.iter()
                .filter(|r| {
                    r.worker != w.worker && r.start_ms >= w.start_ms && r.start_ms < w.end_ms
                })
                .count()
        })
        .collect()
}

#[test]
fn waiting_threads_get_the_gil_within_a_few_switch_intervals_but_not_under_the_old_gil() {
    let _turn = one_at_a_time();
    let switch_ms = 5.0;
    // A waiter waits about (threads − 1) intervals, ~15 ms. The bound is
    // far above: on a busy machine each turn also waits for the OS to run
    // the woken thread (up to 157 ms in all was seen at load 4.4 on two
    // cores). The turn count below is the exact, load-proof form of it.
    let bound_ms = THREADS as f64 * switch_ms * 12.0;
    // The old GIL's last thread waits for three whole tasks: beyond it.
    let w = cpu_tasks(bound_ms / 2.0);

    let (m, _) = run(&w, switch_ms, GilKind::New);
    assert!(m.correct);
    let longest = |m: &Measurement| {
        of_kind(m, SpanKind::GilWait)
            .iter()
            .map(|s| s.end_ms - s.start_ms)
            .fold(0.0, f64::max)
    };
    let waits = of_kind(&m, SpanKind::GilWait).len();
    assert!(waits >= THREADS, "{waits} waits");
    // In turns, whatever the load: the GIL goes to the longest waiter, so
    // nobody is overtaken more than once by each other thread (twice when
    // tasks end and the GIL is up for grabs).
    let most_turns = turns_waited(&m).into_iter().max().unwrap();
    assert!(
        most_turns <= 2 * (THREADS - 1),
        "a waiter sat through {most_turns} turns"
    );
    assert!(
        longest(&m) <= bound_ms,
        "gil: a thread waited {:.1} ms, more than {bound_ms} ms",
        longest(&m)
    );

    // The old GIL fails both: its holder keeps the lock for a whole task,
    // so some thread waits through whole tasks of the others.
    let (old, _) = run(&w, switch_ms, GilKind::Old);
    assert!(old.correct);
    let shortest_task_ms = (0..THREADS as u32)
        .map(|t| {
            old.spans
                .iter()
                .filter(|s| s.kind == SpanKind::Run && s.task == t)
                .map(|s| s.end_ms - s.start_ms)
                .sum::<f64>()
        })
        .fold(f64::INFINITY, f64::min);
    assert!(
        longest(&old) >= shortest_task_ms,
        "oldgil: the longest wait, {:.1} ms, is shorter than a task ({shortest_task_ms:.1} ms)",
        longest(&old)
    );
    assert!(
        longest(&old) > bound_ms,
        "oldgil: the longest wait was only {:.1} ms",
        longest(&old)
    );
}

#[test]
fn the_old_gil_hands_over_far_less_often() {
    let _turn = one_at_a_time();
    let switch_ms = 1.0;
    let w = cpu_tasks(30.0);
    let (_, new) = run(&w, switch_ms, GilKind::New);
    let (_, old) = run(&w, switch_ms, GilKind::Old);
    // Old: it releases every 100 ticks, but takes the lock straight back.
    assert!(old.tick_releases >= 4, "{old:?}");
    assert!(old.hand_offs < old.tick_releases, "{old:?}");
    assert_eq!(old.drop_requests, 0);
    assert!(
        new.hand_offs >= 4 * old.hand_offs.max(1),
        "gil {} vs oldgil {} hand-offs",
        new.hand_offs,
        old.hand_offs
    );
}

#[test]
fn the_gil_does_not_make_a_racy_increment_safe() {
    let _turn = one_at_a_time();
    // Long enough for many forced switches, each of which lands between a
    // read and its write.
    // Sized by the fastest of a few probes, so a busy moment cannot make
    // the tasks too short to be interrupted.
    let probe = Workload::Counter(Counter::new(1, 1_000_000, CounterSync::Racy));
    let fastest_ms = (0..3)
        .map(|_| run(&probe, 1.0, GilKind::New).0.wall_ms)
        .fold(f64::INFINITY, f64::min);
    let one_ms_of_increments = (1_000_000.0 / fastest_ms.max(0.1)) as u64;
    let increments = (20 * one_ms_of_increments).clamp(1_000_000, 50_000_000);

    let racy = Workload::Counter(Counter::new(THREADS as u32, increments, CounterSync::Racy));
    let (m, stats) = run(&racy, 1.0, GilKind::New);
    let value: u128 = m.value.parse().unwrap();
    assert!(m.correct, "{m:?}");
    // Each task's 20 ms of increments spans many 1 ms intervals, so waiters
    // forced switches; each one lands between a read and its write, and the
    // increments made meanwhile by the others are overwritten.
    assert!(stats.tick_releases > 0, "{stats:?}");
    assert!(value < racy.expected(), "no update lost in {stats:?}");
    assert_eq!(racy.lost_updates(value), Some(racy.expected() - value));

    for sync in [
        CounterSync::Locked,
        CounterSync::Atomic,
        CounterSync::Messages,
    ] {
        let w = Workload::Counter(Counter::new(THREADS as u32, increments, sync));
        let (m, _) = run(&w, 0.5, GilKind::New);
        assert_eq!(m.value, w.expected().to_string(), "{sync:?}");
    }
}

#[test]
fn cancelling_mid_run_releases_every_waiter() {
    let _turn = one_at_a_time();
    for kind in [GilKind::New, GilKind::Old] {
        let clock = InstantClock::default();
        let control = RunControl::default();
        // Far more work than the run will be allowed to do.
        let w = cpu_tasks(60_000.0);
        let (m, _) = std::thread::scope(|s| {
            s.spawn(|| {
                sleep_ms(30.0);
                control.cancel.store(true, Ordering::Relaxed);
            });
            gil::run(&w, Some(pool()), &clock, sleep_ms, &control, 1.0, kind)
        });
        assert!(!m.correct);
        assert_eq!(m.errors.len(), THREADS, "{kind:?}: {:?}", m.errors);
        assert!(m.errors.iter().all(|e| e.message == "cancelled"));
        assert_runs_never_overlap(&m);
    }
}

#[test]
fn under_the_gil_an_answer_waits_at_least_a_switch_interval() {
    let _turn = one_at_a_time();
    // One thread answers a request every 5 ms; one thread computes for the
    // whole time. The answering thread gave up the GIL to wait, and the
    // computing one took it back meanwhile, so an answer needs the GIL back
    // from it: only when the answering thread's patience (the switch
    // interval) runs out and the holder lets go. (If the machine is so busy
    // that the computing thread is not back within the 5 ms, the GIL is
    // free when a request arrives: hence the median, not every answer.)
    for switch_ms in [2.0, 10.0] {
        let requests = 8;
        let wait_ms = 5.0;
        let w = Workload::Io(Io {
            tasks: 2,
            wait_ms,
            cpu_n: steps_for_ms(requests as f64 * (wait_ms + switch_ms) * 4.0),
            convoy: Some(requests),
        });
        let (m, _) = run(&w, switch_ms, GilKind::New);
        assert!(m.correct, "{m:?}");
        let answers: Vec<f64> = m.responses.iter().map(|r| r.ms()).collect();
        assert!(
            answers.len() >= 4,
            "too few answers met the computation: {answers:?}"
        );
        let p50 = tvp::stats::quantile(&answers, 0.5).unwrap();
        assert!(
            p50 >= 0.9 * switch_ms,
            "switch {switch_ms} ms: the median answer took only {p50:.3} ms: {answers:?}"
        );
    }
}
