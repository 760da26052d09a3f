//! The native reference benchmark: the same workloads and models as the page,
//! on native threads, so the browser's figures have something to be compared
//! with. Prints medians and speedups; asserts nothing (speed is not a test).
//!
//! `BENCH_REPEATS` (default 5) sets the measured repeats; one unmeasured run
//! of each model comes first.

use crate::models::gil::{self, GilKind, GilStats};
use crate::models::native::{sleep_ms, InstantClock};
use crate::models::{seq, threads, Measurement, ModelId, RunControl, SpanKind};
use crate::stats;
use crate::workloads::counter::{Counter, CounterSync};
use crate::workloads::cpu::Cpu;
use crate::workloads::failure::Failure;
use crate::workloads::io::Io;
use crate::workloads::spawn::Spawn;
use crate::workloads::squares::Squares;
use crate::workloads::transfer::{Transfer, Via};
use crate::workloads::Workload;

/// The GIL switch interval, the page's default.
const SWITCH_MS: f64 = 5.0;

fn median_ms(ms: &[Measurement]) -> f64 {
    stats::median(&ms.iter().map(|m| m.wall_ms).collect::<Vec<_>>()).unwrap_or(f64::NAN)
}

/// Modest sizes of every lesson, so the whole benchmark stays under a minute.
fn bench_workloads() -> Vec<Workload> {
    // CPU tasks long enough (tens of ms) for the GIL to switch many times.
    let mut all = vec![
        Workload::Cpu(Cpu {
            tasks: 4,
            n: 100_000_000,
        }),
        Workload::Squares(Squares {
            n: 100_000_000,
            tasks: 4,
        }),
        Workload::Io(Io {
            tasks: 8,
            wait_ms: 20.0,
            cpu_n: 0,
            convoy: None,
        }),
        Workload::Io(Io {
            tasks: 8,
            wait_ms: 20.0,
            cpu_n: 20_000_000,
            convoy: None,
        }),
        Workload::Spawn(Spawn::default()),
    ];
    for (_, sync) in CounterSync::ALL {
        all.push(Workload::Counter(Counter::new(4, 1_000_000, sync)));
    }
    for (_, via) in Via::ALL {
        all.push(Workload::Transfer(Transfer::new(2, 64.0, via)));
    }
    all.push(Workload::Failure(Failure {
        tasks: 4,
        fail_at: 2,
        n: 10_000_000,
    }));
    all
}

struct Row {
    model: ModelId,
    workers: u32,
    runs: Vec<Measurement>,
    gil: Option<GilStats>,
}

impl Row {
    fn lost(&self, w: &Workload) -> String {
        let last = self.runs.last().and_then(|m| m.value.parse::<u128>().ok());
        match last.and_then(|v| w.lost_updates(v)) {
            Some(lost) => lost.to_string(),
            None => "-".into(),
        }
    }

    fn gil_columns(&self) -> (String, String) {
        let (Some(st), Some(last)) = (&self.gil, self.runs.last()) else {
            return ("-".into(), "-".into());
        };
        let longest = last
            .spans
            .iter()
            .filter(|s| s.kind == SpanKind::GilWait)
            .map(|s| s.end_ms - s.start_ms)
            .fold(0.0, f64::max);
        (st.hand_offs.to_string(), format!("{longest:.1}"))
    }
}

fn compare(w: &Workload, cores: usize, repeats: usize) {
    let clock = InstantClock::default();
    let control = RunControl::default();
    // One thread per task, as `threading` demos start them, but never fewer
    // threads than cores.
    let workers = (w.tasks() as usize).clamp(cores, 16);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .expect("pool");
    let one = |model: ModelId| -> (Measurement, Option<GilStats>) {
        match model {
            ModelId::Seq => (seq::run(w, &clock, sleep_ms, &control), None),
            ModelId::Threads => (
                threads::run(w, Some(&pool), &clock, sleep_ms, &control),
                None,
            ),
            _ => {
                let kind = GilKind::of_model(model).expect("a GIL model");
                let (m, st) = gil::run(w, Some(&pool), &clock, sleep_ms, &control, SWITCH_MS, kind);
                (m, Some(st))
            }
        }
    };
    let rows: Vec<Row> = [
        ModelId::Seq,
        ModelId::Threads,
        ModelId::Gil,
        ModelId::OldGil,
    ]
    .into_iter()
    .map(|model| {
        one(model);
        let mut runs = Vec::with_capacity(repeats);
        let mut gil = None;
        for _ in 0..repeats {
            let (m, st) = one(model);
            runs.push(m);
            gil = st;
        }
        Row {
            model,
            workers: if model == ModelId::Seq {
                1
            } else {
                workers as u32
            },
            runs,
            gil,
        }
    })
    .collect();

    let params: Vec<String> = w
        .to_pairs()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    println!("\n{} {}", w.id(), params.join(" "));
    println!(
        "  {:<8}{:>8}{:>11}{:>9}{:>9}{:>11}{:>11}{:>8}",
        "model", "workers", "median ms", "speedup", "correct", "hand-offs", "max wait", "lost"
    );
    let seq_ms = median_ms(&rows[0].runs);
    for r in &rows {
        let med = median_ms(&r.runs);
        let (hand_offs, wait) = r.gil_columns();
        println!(
            "  {:<8}{:>8}{:>11.2}{:>9.2}{:>9}{:>11}{:>11}{:>8}",
            r.model.id(),
            r.workers,
            med,
            seq_ms / med,
            r.runs.iter().all(|m| m.correct),
            hand_offs,
            wait,
            r.lost(w)
        );
    }
}

/// `--json`: only the reference the browser benchmark compares with (`cpu`
/// at its defaults, seq and free threads on every core), as one JSON line.
fn cpu_reference_json(repeats: usize, cores: usize) {
    let clock = InstantClock::default();
    let control = RunControl::default();
    let w = Workload::Cpu(Cpu::default());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cores)
        .build()
        .expect("pool");
    let mut seq_runs = Vec::new();
    let mut par_runs = Vec::new();
    // One unmeasured round first, then rounds that alternate the models.
    for round in 0..=repeats {
        let s = seq::run(&w, &clock, sleep_ms, &control);
        let t = threads::run(&w, Some(&pool), &clock, sleep_ms, &control);
        assert!(s.correct && t.correct, "the native reference is wrong");
        if round > 0 {
            seq_runs.push(s);
            par_runs.push(t);
        }
    }
    println!(
        "{}",
        serde_json::json!({
            "cores": cores,
            "repeats": repeats,
            "cpu_seq_ms": median_ms(&seq_runs),
            "cpu_threads_ms": median_ms(&par_runs),
        })
    );
}

/// A class's run, made up: `query` on a machine of `cores` cores in the
/// browser of `user_agent`, each model at the speedup `speed(model, cores,
/// workers)` gives, five repeats with a timeline each. What the class view
/// is tested and measured with (`tests/class.rs`, the benchmark's
/// `--class-links`); student `n` has a copy of the playground of their own
/// address and a date of their own.
pub fn class_run(
    n: u32,
    cores: u32,
    user_agent: &str,
    query: &str,
    speed: &dyn Fn(ModelId, u32, u32) -> f64,
) -> crate::report::Report {
    use crate::config::{parse_query, RunConfig};
    use crate::models::Span;
    let (cfg, errors) = RunConfig::from_pairs(&parse_query(query), cores);
    assert!(errors.is_empty(), "{errors:?}");
    let value = cfg.workload.expected().to_string();
    let mut ms = Vec::new();
    for repeat in 0..5 {
        for &model in &cfg.models {
            let jitter = 1.0 + 0.003 * f64::from((repeat * 7 + n * 13) % 11) + 1e-7 * f64::from(n);
            let wall_ms = 100.0 / speed(model, cores, cfg.workers) * jitter;
            let spans = (0..4)
                .map(|task| Span {
                    worker: task % cfg.workers,
                    task,
                    kind: SpanKind::Run,
                    start_ms: 0.25 * f64::from(task),
                    end_ms: wall_ms / 4.0 + 0.25 * f64::from(task),
                })
                .collect();
            ms.push(Measurement {
                spans,
                ..Measurement::plain(model, cfg.workers, wall_ms, value.clone())
            });
        }
    }
    let env = crate::report::Env {
        user_agent: user_agent.to_string(),
        build: "0.1.0".to_string(),
        date: format!(
            "2026-11-{:02}T10:{:02}:{:02}Z",
            1 + n / 3600 % 28,
            n / 60 % 60,
            n % 60
        ),
        timer_resolution_ms: Some(0.005),
        ..crate::report::Env::with_cores(cores)
    };
    // Students open copies of the playground at different addresses.
    let base = format!("https://copy{}.example.org/tvp/?{query}", n % 3);
    crate::report::Report::build(&cfg, env, &ms, base)
}

/// What a model reaches on `cores` cores in lesson 1's default (4 tasks,
/// a worker per core): near the ideal for free threads and processes, one
/// thread's speed under the GIL.
pub fn plausible_speedup(model: ModelId, cores: u32, workers: u32) -> f64 {
    let ideal = f64::from(cores.min(workers).min(4));
    match model {
        ModelId::Seq => 1.0,
        ModelId::Threads | ModelId::Procs | ModelId::Fork | ModelId::Hybrid => 0.9 * ideal,
        _ => 0.97,
    }
}

/// `n` share links of lesson 1 from a class on 2 to 16 cores and three
/// browser engines, half of them with a prediction: what the benchmark
/// pastes into the class view.
pub fn class_links(n: u32) -> Vec<String> {
    use crate::predict::{Confidence, Prediction};
    const AGENTS: [&str; 3] = [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.8078.73 Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
    ];
    (0..n)
        .map(|i| {
            let cores = 2u32 << (i % 4);
            let ua = AGENTS[(i / 4 % 3) as usize];
            let mut r = class_run(
                i,
                cores,
                ua,
                "w=cpu&models=seq,threads,gil,procs",
                &plausible_speedup,
            );
            if i % 2 == 0 {
                r.predictions = vec![Prediction {
                    model: ModelId::Gil,
                    choice: if i % 3 == 0 { "same" } else { "faster" }.into(),
                    confidence: Confidence::Guessing,
                    right: None,
                }];
            }
            crate::share::encode(&r).link(&r.share_url)
        })
        .collect()
}

pub fn main() {
    if let Some(n) = std::env::args()
        .skip_while(|a| a != "--class-links")
        .nth(1)
        .and_then(|v| v.parse().ok())
    {
        for link in class_links(n) {
            println!("{link}");
        }
        return;
    }
    let repeats: usize = std::env::var("BENCH_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if std::env::args().any(|a| a == "--json") {
        cpu_reference_json(repeats.max(7), cores);
        return;
    }
    let clock = InstantClock::default();
    let control = RunControl::default();
    println!("native reference benchmark: {cores} cores, {repeats} repeats, medians");

    // The countdown must cost time in proportion to n, or the optimizer folded it.
    let one = |n: u64| {
        let w = Workload::Cpu(Cpu { tasks: 1, n });
        let runs: Vec<_> = (0..repeats)
            .map(|_| seq::run(&w, &clock, sleep_ms, &control))
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
        .map(|_| seq::run(&w, &clock, sleep_ms, &control))
        .collect();
    let seq_ms = median_ms(&seq_runs);
    println!("\nworkload cpu tasks=4 n=10,000,000: free threads by worker count");
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
            .map(|_| threads::run(&w, Some(&pool), &clock, sleep_ms, &control))
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

    println!(
        "\nevery lesson under seq, free threads and the two GILs (switch_ms={SWITCH_MS}; \
         workers = tasks, at least the cores; hand-offs and the longest GIL wait (ms) \
         are from the last repeat; lost = counter updates lost)"
    );
    for w in bench_workloads() {
        compare(&w, cores, repeats);
    }
}
