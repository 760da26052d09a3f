//! The native reference benchmark: the same workloads and models as the page,
//! on native threads, so the browser's figures have something to be compared
//! with. Prints medians and speedups; asserts nothing (speed is not a test).

use crate::models::native::{sleep_ms, InstantClock};
use crate::models::{seq, threads, Measurement};
use crate::stats;
use crate::workloads::cpu::Cpu;
use crate::workloads::Workload;
use std::sync::atomic::AtomicBool;

fn median_ms(ms: &[Measurement]) -> f64 {
    stats::median(&ms.iter().map(|m| m.wall_ms).collect::<Vec<_>>()).unwrap_or(f64::NAN)
}

pub fn main() {
    let repeats: usize = std::env::var("BENCH_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let clock = InstantClock::default();
    let cancel = AtomicBool::new(false);
    println!("native reference benchmark: {cores} cores, {repeats} repeats, medians");

    // The countdown must cost time in proportion to n, or the optimizer folded it.
    let one = |n: u64| {
        let w = Workload::Cpu(Cpu { tasks: 1, n });
        let runs: Vec<_> = (0..repeats)
            .map(|_| seq::run(&w, &clock, sleep_ms, &cancel))
            .collect();
        assert!(runs.iter().all(|m| m.correct));
        median_ms(&runs)
    };
    let (t1, t4) = (one(10_000_000), one(40_000_000));
    println!(
        "cpu loop: n=10M {t1:.2} ms, n=40M {t4:.2} ms, ratio {:.2} (4.00 = linear); {:.3} ns/step",
        t4 / t1,
        t1 * 1e6 / 10_000_000.0
    );

    let w = Workload::Cpu(Cpu::default());
    let seq_runs: Vec<_> = (0..repeats)
        .map(|_| seq::run(&w, &clock, sleep_ms, &cancel))
        .collect();
    let seq_ms = median_ms(&seq_runs);
    println!("\nworkload cpu tasks=4 n=10,000,000");
    println!(
        "{:<10}{:>8}{:>12}{:>10}{:>9}",
        "model", "workers", "median ms", "speedup", "correct"
    );
    println!(
        "{:<10}{:>8}{:>12.2}{:>10.2}{:>9}",
        "seq",
        1,
        seq_ms,
        1.0,
        seq_runs.iter().all(|m| m.correct)
    );
    for workers in 1..=cores.max(2) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .build()
            .expect("pool");
        let runs: Vec<_> = (0..repeats)
            .map(|_| threads::run(&w, Some(&pool), &clock, sleep_ms, &cancel))
            .collect();
        let med = median_ms(&runs);
        println!(
            "{:<10}{:>8}{:>12.2}{:>10.2}{:>9}",
            "threads",
            workers,
            med,
            seq_ms / med,
            runs.iter().all(|m| m.correct)
        );
    }
}
