//! The counter's traced repeat under every model that runs natively: the
//! recorded interleaving accounts for the final count exactly, proves every
//! lost update, and shows the GIL's hand-off where one split a read from its
//! write.

use tvp::interleaving::{lost_updates, net_erased, Event, Op};
use tvp::models::gil::{self, GilKind};
use tvp::models::native::{sleep_ms, InstantClock};
use tvp::models::{event_loop, seq, threads, Measurement, ModelId, OnThreads, RunControl};
use tvp::report::Interleaving;
use tvp::workloads::counter::{Counter, CounterSync, TRACE_INCREMENTS};
use tvp::workloads::Workload;

const WORKERS: u32 = 2;

fn pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(WORKERS as usize)
            .build()
            .expect("pool")
    })
}

/// One traced repeat of `counter` under `model`, as the page runs it after
/// the timed ones: the workload and its log from `Workload::traced_in_memory`
/// for the model's workers, the GIL switching by ticks.
fn traced(model: ModelId, counter: &Counter) -> (Workload, Measurement, Vec<Event>, u64) {
    // The tests share the pool, and a worker of one waiting for its
    // partner must not have it busy with another's.
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    let workers = match model {
        ModelId::Seq | ModelId::Async => 1,
        _ => WORKERS,
    };
    let (w, log) = Workload::Counter(counter.clone())
        .traced_in_memory(workers)
        .expect("a counter has a traced repeat");
    let (clock, control) = (InstantClock::default(), RunControl::default());
    let on = OnThreads {
        pool: Some(pool()),
        workers,
        clock: &clock,
        sleep: sleep_ms,
        control: &control,
    };
    let m = match model {
        ModelId::Seq => seq::run(&w, &clock, sleep_ms, &control),
        ModelId::Async => event_loop::run(&w, &clock, sleep_ms, &control),
        ModelId::Threads => threads::run_on(&w, &on),
        gil_model => {
            let kind = GilKind::of_model(gil_model).expect("a thread model");
            gil::run_traced(&w, &on, kind).0
        }
    };
    (w, m, log.events(), log.tickets())
}

const MODELS: [ModelId; 5] = [
    ModelId::Seq,
    ModelId::Async,
    ModelId::Threads,
    ModelId::Gil,
    ModelId::OldGil,
];

#[test]
fn every_trace_accounts_for_its_final_count() {
    for model in MODELS {
        for (_, sync) in CounterSync::ALL {
            for round in 0..3 {
                let what = format!("{model} {sync:?} round {round}");
                let (w, m, events, tickets) = traced(model, &Counter::new(4, 100_000, sync));
                let Workload::Counter(c) = &w else {
                    unreachable!()
                };
                assert_eq!((c.tasks, c.increments), (2, TRACE_INCREMENTS), "{what}");
                assert!(m.correct, "{what}: {m:?}");
                assert_eq!(events.len() as u64, tickets, "{what}: no event dropped");
                let value: u128 = m.value.parse().unwrap();
                let n = (c.tasks as usize) * c.increments as usize;
                let count = |op| events.iter().filter(|e| e.op == op).count();
                let lost = lost_updates(&events);
                match sync {
                    CounterSync::Racy => {
                        assert_eq!((count(Op::Read), count(Op::Write)), (n, n), "{what}");
                        // The trace explains every increment missing from
                        // the count, neither more nor less.
                        let missing = w.expected() - value;
                        assert_eq!(net_erased(&events), Some(missing as i128), "{what}");
                        assert!(missing == 0 || !lost.is_empty(), "{what}: {lost:?}");
                    }
                    CounterSync::Locked => {
                        assert_eq!((count(Op::Read), count(Op::Write)), (n, n), "{what}");
                        assert!(count(Op::Wait) <= n, "{what}");
                    }
                    CounterSync::Atomic => assert_eq!(count(Op::Add), n, "{what}"),
                    CounterSync::Messages => {
                        assert_eq!(count(Op::Add), c.tasks as usize, "{what}")
                    }
                }
                if sync != CounterSync::Racy {
                    assert!(lost.is_empty(), "{what}: {lost:?}");
                    assert_eq!(value, w.expected(), "{what}");
                }
                match model {
                    // One worker, or a GIL that never hands over inside a
                    // task: no read is ever split from its write.
                    ModelId::Seq | ModelId::Async | ModelId::OldGil => {
                        assert!(lost.is_empty(), "{what}: {lost:?}");
                        assert!(events.iter().all(|e| !e.switched), "{what}");
                    }
                    // Under the GIL only a hand-off lets another worker in
                    // between a read and its write.
                    ModelId::Gil => {
                        assert!(lost.iter().all(|l| l.write.switched), "{what}: {lost:?}")
                    }
                    _ => assert!(events.iter().all(|e| !e.switched), "{what}"),
                }
            }
        }
    }
}

#[test]
fn under_the_gil_a_hand_off_between_read_and_write_loses_the_others_updates() {
    // The workers meet before they count, and the GIL switches every
    // TRACE_SWITCH_TICKS ticks, each time waiting for the other to take
    // it: this holds the first time, unless the second thread was not even
    // started within the traced task's wait for it (a machine loaded far
    // past its cores). Such a repeat is short: try again.
    for attempt in 0..20 {
        let (_, _, events, _) = traced(ModelId::Gil, &Counter::new(2, 300, CounterSync::Racy));
        let lost = lost_updates(&events);
        let Some(first) = lost.first() else { continue };
        assert!(first.write.switched);
        let seen = Interleaving::of_trace(ModelId::Gil, &events);
        assert_eq!(seen.lost, lost.len() as u64);
        let example = &seen.examples[0];
        assert_eq!(example, &first.sequence());
        assert_eq!(example.last(), Some(&first.write));
        let (their_read, their_write) = first.overwritten.expect("the trace holds both");
        // The other worker ran in between: every update it made from the
        // overwriter's read on is gone.
        assert!(their_write.order > first.read.order || their_read.order > first.read.order);
        assert_eq!(first.erased(), their_write.value - first.read.value);
        assert_eq!(
            seen.first_lost(),
            Some(*first),
            "the report proves it again"
        );
        println!("attempt {attempt}: {}", first.words());
        return;
    }
    panic!("no GIL hand-off split a read from its write in 20 traced repeats");
}
