//! Every workload under every model that runs natively: the oracle must
//! agree, and the shared counter must behave as the lesson says.

use std::sync::atomic::Ordering;
use tvp::models::gil::{self, GilKind};
use tvp::models::native::{sleep_ms, InstantClock};
use tvp::models::{seq, threads, Measurement, ModelId, RunControl, SpanKind};
use tvp::workloads::counter::{Counter, CounterSync};
use tvp::workloads::cpu::Cpu;
use tvp::workloads::failure::Failure;
use tvp::workloads::io::Io;
use tvp::workloads::spawn::Spawn;
use tvp::workloads::squares::Squares;
use tvp::workloads::transfer::{Transfer, Via};
use tvp::workloads::Workload;

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool")
}

/// Small instances of every workload and every variant of one.
fn small_workloads() -> Vec<Workload> {
    let mut all = vec![
        Workload::Cpu(Cpu {
            tasks: 4,
            n: 200_000,
        }),
        Workload::Squares(Squares {
            n: 300_001,
            tasks: 5,
        }),
        Workload::Io(Io {
            tasks: 4,
            wait_ms: 2.0,
            cpu_n: 50_000,
            convoy: None,
        }),
        Workload::Spawn(Spawn { count: 5 }),
        Workload::Failure(Failure {
            tasks: 4,
            fail_at: 1,
            n: 100_000,
        }),
    ];
    for (_, sync) in CounterSync::ALL {
        all.push(Workload::Counter(Counter::new(3, 20_000, sync)));
    }
    for (_, via) in Via::ALL {
        all.push(Workload::Transfer(Transfer::new(3, 0.5, via)));
    }
    all
}

fn run_all_models(w: &Workload, p: &rayon::ThreadPool) -> Vec<Measurement> {
    let clock = InstantClock::default();
    let control = RunControl::default();
    vec![
        seq::run(w, &clock, sleep_ms, &control),
        threads::run(w, Some(p), &clock, sleep_ms, &control),
        gil::run(w, Some(p), &clock, sleep_ms, &control, 1.0, GilKind::New).0,
        gil::run(w, Some(p), &clock, sleep_ms, &control, 1.0, GilKind::Old).0,
    ]
}

#[test]
fn every_workload_is_correct_under_every_native_model() {
    let p = pool(3);
    for w in small_workloads() {
        for round in 0..2 {
            for m in run_all_models(&w, &p) {
                let what = format!("{} {w:?} round {round}", m.model);
                assert!(m.correct, "{what}: {m:?}");
                match &w {
                    Workload::Failure(f) => {
                        assert_eq!(m.errors.len(), 1, "{what}");
                        assert_eq!(m.errors[0].task, f.fail_at);
                        assert!(m.errors[0].message.contains(&format!("task {}", f.fail_at)));
                    }
                    _ => assert!(m.errors.is_empty(), "{what}: {:?}", m.errors),
                }
                let value: u128 = m.value.parse().unwrap();
                match &w {
                    Workload::Counter(c) if c.sync == CounterSync::Racy => {
                        assert!(value <= w.expected(), "{what}")
                    }
                    _ => assert_eq!(value, w.expected(), "{what}"),
                }
            }
        }
    }
}

#[test]
fn the_spawn_lesson_starts_real_workers_under_each_model() {
    let p = pool(2);
    let w = Workload::Spawn(Spawn { count: 4 });
    for m in run_all_models(&w, &p) {
        assert_eq!(m.value, "4", "{}", m.model);
        if matches!(m.model, ModelId::Gil | ModelId::OldGil) {
            let spawns = m.spans.iter().filter(|s| s.kind == SpanKind::Spawn).count();
            assert_eq!(spawns, 4, "each start and join lets go of the GIL");
        }
    }
}

#[test]
fn a_racy_counter_loses_updates_and_the_others_do_not() {
    let p = pool(4);
    let clock = InstantClock::default();
    let control = RunControl::default();
    let racy = Workload::Counter(Counter::new(4, 1_000_000, CounterSync::Racy));
    let mut lost_any = false;
    // Two threads of a tight read-then-write loop lose updates within
    // microseconds; a few tries keep a machine busy elsewhere from hiding it.
    for _ in 0..5 {
        let m = threads::run(&racy, Some(&p), &clock, sleep_ms, &control);
        let value: u128 = m.value.parse().unwrap();
        assert!(value <= racy.expected());
        assert!(m.correct, "losing updates is the lesson, not an error");
        let lost = racy.lost_updates(value).unwrap();
        assert_eq!(lost, racy.expected() - value);
        if lost > 0 {
            lost_any = true;
            break;
        }
    }
    assert!(
        lost_any,
        "four racing threads never lost an update in five runs"
    );

    for sync in [
        CounterSync::Locked,
        CounterSync::Atomic,
        CounterSync::Messages,
    ] {
        let w = Workload::Counter(Counter::new(4, 200_000, sync));
        let m = threads::run(&w, Some(&p), &clock, sleep_ms, &control);
        let value: u128 = m.value.parse().unwrap();
        assert_eq!(value, w.expected(), "{sync:?}");
        assert_eq!(w.lost_updates(value), Some(0));
        assert!(m.correct);
    }
}

#[test]
fn a_cancelled_run_stops_every_model() {
    let p = pool(2);
    let clock = InstantClock::default();
    let control = RunControl::default();
    control.cancel.store(true, Ordering::Relaxed);
    let w = Workload::Cpu(Cpu {
        tasks: 3,
        n: 1_000_000,
    });
    let runs = [
        seq::run(&w, &clock, sleep_ms, &control),
        threads::run(&w, Some(&p), &clock, sleep_ms, &control),
        gil::run(&w, Some(&p), &clock, sleep_ms, &control, 1.0, GilKind::New).0,
        gil::run(&w, Some(&p), &clock, sleep_ms, &control, 1.0, GilKind::Old).0,
    ];
    for m in runs {
        assert!(!m.correct, "{}", m.model);
        assert_eq!(m.errors.len(), 3, "{}", m.model);
        assert!(m.errors.iter().all(|e| e.message == "cancelled"));
    }
}
