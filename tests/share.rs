//! Share links: every report shape survives the round trip, links stay
//! short, and no fragment, however damaged, makes `decode` panic.

use base64::Engine;
use proptest::prelude::*;
use std::collections::BTreeMap;
use tvp::config::RunConfig;
use tvp::interleaving::{Event, Op};
use tvp::models::{Measurement, ModelId, Span, SpanKind, TaskError};
use tvp::report::{Env, Interleaving, Report, SizePoint, SweepPoint};
use tvp::share::{
    decode, decode_with_dropped, encode, link_too_long, Dropped, Encoded, ShareError, FORMAT,
    MAX_FRAGMENT_CHARS, MAX_LINK_CHARS, MAX_UNPACKED_BYTES, TYPICAL_BUDGET,
};
use tvp::workloads::transfer::Via;
use tvp::workloads::{Workload, WORKLOAD_IDS};

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.8078.73 Safari/537.36";
const BASE: &str = "https://example.github.io/threads-vs-processes/?w=cpu&tasks=4&n=10000000&models=seq%2Cthreads%2Cgil%2Cprocs&workers=8&repeats=5&warmup=1&switch_ms=5";

/// The documented payload layout, rebuilt here so the tests pin the format
/// rather than borrow the code under test.
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn payload(fragment: &str) -> Vec<u8> {
    B64.decode(fragment.strip_prefix("r=").unwrap()).unwrap()
}

fn fragment_of(bytes: &[u8]) -> String {
    format!("r={}", B64.encode(bytes))
}

/// A valid link around arbitrary (already serialized) content.
fn seal(format: u8, raw: &[u8]) -> String {
    let deflated = miniz_oxide::deflate::compress_to_vec(raw, 6);
    let mut bytes = vec![format];
    bytes.extend_from_slice(&crc32(&deflated).to_le_bytes());
    bytes.extend_from_slice(&deflated);
    fragment_of(&bytes)
}

fn unseal(fragment: &str) -> Vec<u8> {
    miniz_oxide::inflate::decompress_to_vec(&payload(fragment)[5..]).unwrap()
}

/// xorshift64*: deterministic inputs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// A time with more digits than a µs grid holds.
    fn ms(&mut self, scale: f64) -> f64 {
        (self.next() % 1_000_000_007) as f64 / 1_000_000_007.0 * scale
    }
}

fn env(user_agent: &str) -> Env {
    Env {
        user_agent: user_agent.to_string(),
        build: "0.1.0+3f2a9c1".to_string(),
        date: "2026-11-22T10:31:07Z".to_string(),
        timer_resolution_ms: Some(0.005),
        ..Env::with_cores(8)
    }
}

fn config(w: &str, models: &[ModelId], workers: u32) -> RunConfig {
    let mut cfg = RunConfig::with_cores(8);
    cfg.workload = Workload::default_for(w).unwrap();
    cfg.models = models.to_vec();
    cfg.workers = workers;
    cfg
}

/// What a model's tasks look like on a timeline: one span per task, or
/// thousands of GIL hand-offs.
fn spans(model: ModelId, tasks: u32, workers: u32, per_task: u32, rng: &mut Rng) -> Vec<Span> {
    let mut out = Vec::new();
    let mut t = rng.ms(0.2);
    for task in 0..tasks {
        for step in 0..per_task {
            let kind = match (model, step % 2) {
                (ModelId::Gil | ModelId::OldGil, 1) => SpanKind::GilWait,
                (ModelId::Fork, _) => SpanKind::Spawn,
                (_, 1) => SpanKind::Io,
                _ => SpanKind::Run,
            };
            let len = rng.ms(6.0);
            out.push(Span {
                worker: task % workers.max(1),
                task,
                kind,
                start_ms: t,
                end_ms: t + len,
            });
            t += len + rng.ms(0.05);
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn measurements(
    cfg: &RunConfig,
    repeats: u32,
    spans_per_task: u32,
    with_errors: bool,
    with_figures: bool,
    rng: &mut Rng,
) -> Vec<Measurement> {
    let expected = cfg.workload.expected();
    let tasks = cfg.workload.tasks().min(64);
    let mut out = Vec::new();
    for r in 0..repeats {
        for (i, &model) in cfg.models.iter().enumerate() {
            let value = if matches!(cfg.workload, Workload::Counter(_)) && i % 2 == 1 {
                expected.saturating_sub(1234 + u128::from(r))
            } else {
                expected
            };
            let mut figures = BTreeMap::new();
            if with_figures {
                figures.insert("µs per spawn".to_string(), 180.0 + rng.ms(40.0));
                figures.insert("gil_handoffs".to_string(), (rng.next() % 5000) as f64);
            }
            let wall_ms = 100.0 * (i as f64 + 1.0) + rng.ms(30.0);
            out.push(Measurement {
                correct: value == expected,
                errors: if with_errors {
                    vec![TaskError {
                        task: 2,
                        message: format!("task 2 failed midway (repeat {r}): «ValueError» ✗"),
                    }]
                } else {
                    vec![]
                },
                spans: spans(model, tasks, cfg.workers, spans_per_task, rng),
                figures,
                ..Measurement::plain(model, cfg.workers, wall_ms, value.to_string())
            });
        }
    }
    out
}

fn report(cfg: &RunConfig, ua: &str, repeats: u32, spans_per_task: u32, rng: &mut Rng) -> Report {
    let ms = measurements(cfg, repeats, spans_per_task, false, false, rng);
    Report::build(cfg, env(ua), &ms, BASE.to_string())
}

/// `decoded` is `original` without its `share_url`, spans within 1 µs.
fn assert_same(decoded: &Report, original: &Report) {
    let mut expected = original.clone();
    expected.share_url = String::new();
    assert_eq!(decoded.results.len(), expected.results.len());
    for (d, e) in decoded.results.iter().zip(&mut expected.results) {
        assert_eq!(d.spans.len(), e.spans.len(), "{}", e.model);
        for (ds, es) in d.spans.iter().zip(&e.spans) {
            assert_eq!((ds.worker, ds.task, ds.kind), (es.worker, es.task, es.kind));
            assert!((ds.start_ms - es.start_ms).abs() < 1e-3, "{ds:?} {es:?}");
            assert!((ds.end_ms - es.end_ms).abs() < 1e-3, "{ds:?} {es:?}");
        }
        e.spans = d.spans.clone();
    }
    assert_eq!(*decoded, expected);
}

fn round_trip(original: &Report) -> Encoded {
    let enc = encode(original);
    assert!(enc.dropped.is_empty(), "{:?}", enc.dropped);
    assert!(!enc.too_long);
    let decoded = decode(&format!("#{}", enc.fragment)).expect("decodes");
    assert_same(&decoded, original);
    assert_eq!(decode(&enc.fragment).unwrap(), decoded, "`#` is optional");
    enc
}

#[test]
fn every_workload_and_model_mix_round_trips() {
    use ModelId::*;
    let mixes: [&[ModelId]; 6] = [
        &[Seq, Threads, Gil, OldGil, Procs, Fork],
        &[Seq, Threads, Gil, Procs],
        &[Threads, Gil],
        &[Seq],
        &[Fork, OldGil, Procs],
        &[Procs],
    ];
    let mut rng = Rng(0x5EED);
    for w in WORKLOAD_IDS {
        for (k, models) in mixes.iter().enumerate() {
            let cfg = config(w, models, 1 + k as u32 * 3);
            let ms = measurements(
                &cfg,
                1 + k as u32 % 4,
                1 + k as u32 % 3,
                k % 2 == 0,
                k % 3 != 2,
                &mut rng,
            );
            let ua = ["Firefox/140.0 — «test» 测试 🧵", CHROME, ""][k % 3];
            let mut r = Report::build(&cfg, env(ua), &ms, BASE.to_string());
            if k % 2 == 1 {
                r.sweep = (1..=4)
                    .flat_map(|n| {
                        models.iter().map(move |&m| SweepPoint {
                            model: m,
                            workers: n,
                            median_ms: Some(100.0 / f64::from(n) + 0.123456789),
                            speedup: (m != Threads).then_some(f64::from(n) * 0.97),
                        })
                    })
                    .collect();
                r.fit_sweep();
            }
            if w == "transfer" {
                r.sizes = vec![
                    SizePoint {
                        model: Procs,
                        via: Via::Copy,
                        bytes: 1024,
                        median_ms: 0.031,
                    },
                    SizePoint {
                        model: Procs,
                        via: Via::Move,
                        bytes: 1 << 26,
                        median_ms: 12.5,
                    },
                    SizePoint {
                        model: Threads,
                        via: Via::Shared,
                        bytes: 1 << 20,
                        median_ms: 1e-3,
                    },
                ];
            }
            round_trip(&r);
            if !models.contains(&Seq) {
                assert!(r.results.iter().all(|x| x.speedup.is_none()));
            }
            if w == "counter" && k == 0 {
                assert!(
                    r.results[1].lost_updates.is_some(),
                    "the shape is exercised"
                );
            }
        }
    }
}

/// The robust statistics and USL fits are not on the wire: they come back
/// because the decoder derives them from the same samples, clock and sweep.
#[test]
fn robust_statistics_and_usl_fits_travel_in_links() {
    let cfg = config("cpu", &[ModelId::Seq, ModelId::Threads, ModelId::Procs], 4);
    let wall =
        |model, wall_ms| Measurement::plain(model, 4, wall_ms, cfg.workload.expected().to_string());
    let runs: [(ModelId, &[f64]); 3] = [
        // One severe outlier: Q1 99.75, Q3 100.75, so above 103.75.
        (
            ModelId::Seq,
            &[100.0, 101.0, 99.0, 100.5, 99.5, 100.2, 160.0],
        ),
        // Two clusters.
        (ModelId::Threads, &[10.0, 10.2, 10.1, 20.0, 20.3, 19.9]),
        // Under 100 ticks of a 0.1 ms clock.
        (ModelId::Procs, &[0.3, 0.4, 0.3, 0.5, 0.4]),
    ];
    let ms: Vec<Measurement> = runs
        .iter()
        .flat_map(|(model, walls)| walls.iter().map(|&w| wall(*model, w)))
        .collect();
    let mut r = Report::build(
        &cfg,
        Env {
            timer_resolution_ms: Some(0.1),
            ..env(CHROME)
        },
        &ms,
        BASE.to_string(),
    );
    r.sweep = [(1, 120.0), (2, 65.0), (3, 48.0), (4, 45.0), (6, 47.0)]
        .into_iter()
        .map(|(workers, median_ms)| SweepPoint {
            model: ModelId::Threads,
            workers,
            median_ms: Some(median_ms),
            speedup: Some(100.2 / median_ms),
        })
        .collect();
    r.fit_sweep();

    // What the original says, so the comparison below is not of empties.
    assert_eq!(r.results[0].outliers.as_ref().unwrap().high_severe, [6]);
    assert!(r.results[0].mad_ms.is_some());
    assert!(matches!(
        r.results[1].warnings[..],
        [tvp::stats::Warning::Bimodal { .. }]
    ));
    assert!(r.results[2]
        .warnings
        .iter()
        .any(|w| matches!(w, tvp::stats::Warning::TooShort { .. })));
    assert_eq!(r.usl.len(), 1);
    assert!(r.usl[0].kappa > 0.0, "45 → 47 ms from 4 to 6 workers");

    let decoded = decode(&encode(&r).fragment).unwrap();
    for (d, o) in decoded.results.iter().zip(&r.results) {
        assert_eq!(d.mad_ms, o.mad_ms, "{}", o.model);
        assert_eq!(d.outliers, o.outliers, "{}", o.model);
        assert_eq!(d.warnings, o.warnings, "{}", o.model);
    }
    assert_eq!(decoded.usl, r.usl);
    assert_same(&decoded, &r);
}

#[test]
fn a_typical_cpu_report_fits_the_typical_budget() {
    let mut rng = Rng(42);
    let cfg = config("cpu", &RunConfig::default_models(), 8);
    let r = report(&cfg, CHROME, 5, 1, &mut rng);
    assert_eq!(r.results.len(), 4);
    assert!(r
        .results
        .iter()
        .all(|x| x.samples_ms.len() == 5 && x.spans.len() == 4));
    let enc = round_trip(&r);
    println!("typical cpu fragment: {} characters", enc.fragment.len());
    assert!(
        enc.fragment.len() <= TYPICAL_BUDGET,
        "{}",
        enc.fragment.len()
    );
    assert!(!link_too_long(&enc.link(BASE)));
}

#[test]
fn twenty_thousand_spans_are_dropped_to_fit() {
    let mut rng = Rng(7);
    let cfg = config("cpu", &RunConfig::default_models(), 8);
    let mut r = report(&cfg, CHROME, 5, 1, &mut rng);
    let gil = r
        .results
        .iter()
        .position(|x| x.model == ModelId::Gil)
        .unwrap();
    r.results[gil].spans = spans(ModelId::Gil, 4, 8, 5_000, &mut rng);
    assert_eq!(r.results[gil].spans.len(), 20_000);

    let enc = encode(&r);
    println!(
        "20,000 spans: {} characters, dropped {:?}",
        enc.fragment.len(),
        enc.dropped
    );
    assert_eq!(enc.dropped, vec![Dropped::Spans(ModelId::Gil)]);
    assert!(!enc.too_long);
    assert!(enc.link(&r.share_url).len() <= MAX_LINK_CHARS);
    assert!(enc.fragment.len() <= TYPICAL_BUDGET, "the rest is small");

    let (decoded, dropped) = decode_with_dropped(&enc.fragment).unwrap();
    assert_eq!(dropped, enc.dropped);
    assert_eq!(dropped[0].to_string(), "the timeline of gil");
    let mut expected = r.clone();
    expected.results[gil].spans.clear();
    assert_same(&decoded, &expected);
}

#[test]
fn the_biggest_timelines_go_first() {
    let mut rng = Rng(13);
    let cfg = config("cpu", &ModelId::ALL, 8);
    let mut r = report(&cfg, CHROME, 5, 1, &mut rng);
    let at = |r: &Report, m: ModelId| r.results.iter().position(|x| x.model == m).unwrap();
    let (t, g, o) = (
        at(&r, ModelId::Threads),
        at(&r, ModelId::Gil),
        at(&r, ModelId::OldGil),
    );
    r.results[t].spans = spans(ModelId::Threads, 4, 8, 500, &mut rng);
    r.results[g].spans = spans(ModelId::Gil, 4, 8, 5_000, &mut rng);
    r.results[o].spans = spans(ModelId::OldGil, 4, 8, 50, &mut rng);
    let enc = encode(&r);
    assert_eq!(
        enc.dropped,
        vec![
            Dropped::Spans(ModelId::Threads),
            Dropped::Spans(ModelId::Gil)
        ],
        "listed in result order, though gil went first"
    );
    let decoded = decode(&enc.fragment).unwrap();
    assert_eq!(decoded.results[o].spans.len(), 200, "the small one stays");
}

#[test]
fn a_few_hundred_spans_still_fit() {
    let mut rng = Rng(8);
    let cfg = config("cpu", &[ModelId::Seq, ModelId::Gil], 4);
    let mut r = report(&cfg, CHROME, 5, 1, &mut rng);
    r.results[1].spans = spans(ModelId::Gil, 4, 4, 100, &mut rng);
    let enc = round_trip(&r);
    println!("400 GIL spans: {} characters", enc.fragment.len());
}

#[test]
fn figures_go_after_spans_and_too_long_is_flagged() {
    let mut rng = Rng(9);
    let cfg = config("spawn", &[ModelId::Seq, ModelId::Threads, ModelId::Fork], 4);
    let mut r = report(&cfg, CHROME, 3, 1, &mut rng);
    for (i, res) in r.results.iter_mut().enumerate() {
        res.figures = (0..400)
            .map(|k| (format!("figure {i}.{k} {}", rng.next()), rng.ms(1e4)))
            .collect();
    }
    let enc = encode(&r);
    assert_eq!(
        enc.dropped,
        vec![
            Dropped::Spans(ModelId::Seq),
            Dropped::Spans(ModelId::Threads),
            Dropped::Spans(ModelId::Fork),
            Dropped::Figures
        ],
        "in result order, figures last"
    );
    assert!(!enc.too_long, "{}", enc.fragment.len());
    let (decoded, dropped) = decode_with_dropped(&enc.fragment).unwrap();
    assert_eq!(dropped, enc.dropped);
    assert!(decoded
        .results
        .iter()
        .all(|x| x.figures.is_empty() && x.spans.is_empty()));

    // Nothing left to drop: the link is handed out, flagged.
    r.env.user_agent = (0..9000)
        .map(|_| char::from(b'!' + rng.below(90) as u8))
        .collect();
    let enc = encode(&r);
    assert!(enc.too_long);
    assert!(link_too_long(&enc.link(&r.share_url)));
    let decoded = decode(&enc.fragment).expect("still a valid fragment");
    assert_eq!(decoded.env.user_agent, r.env.user_agent);

    // Past the unpacked cap the fragment could not be read back: flagged too.
    r.env.user_agent = "x".repeat(MAX_UNPACKED_BYTES + 1);
    let enc = encode(&r);
    assert!(enc.too_long);
    assert_eq!(
        decode(&enc.fragment),
        Err(ShareError::TooLarge {
            limit: MAX_UNPACKED_BYTES
        })
    );
}

#[test]
fn the_share_url_counts_against_the_link_budget() {
    let mut rng = Rng(10);
    let cfg = config("cpu", &[ModelId::Seq, ModelId::Gil], 4);
    let mut r = report(&cfg, CHROME, 5, 1, &mut rng);
    r.results[1].spans = spans(ModelId::Gil, 4, 4, 100, &mut rng);
    let short = encode(&r);
    assert!(short.dropped.is_empty());
    r.share_url = format!(
        "{BASE}&pad={}",
        "p".repeat(MAX_LINK_CHARS - short.fragment.len())
    );
    let long = encode(&r);
    assert_eq!(long.dropped, vec![Dropped::Spans(ModelId::Gil)]);
    assert!(!link_too_long(&long.link(&r.share_url)));
    assert!(link_too_long(&"x".repeat(MAX_LINK_CHARS + 1)));
    assert!(
        !link_too_long(&"✓".repeat(MAX_LINK_CHARS)),
        "characters, not bytes"
    );
}

#[test]
fn a_configuration_without_a_url_form_still_round_trips() {
    let mut rng = Rng(11);
    let cfg = config("counter", &[ModelId::Threads], 2);
    let mut r = report(&cfg, CHROME, 2, 1, &mut rng);
    r.config.insert("tasks".into(), serde_json::json!("10")); // would come back a number
    r.config.insert(
        "extra".into(),
        serde_json::json!({"nested": [1, true, null]}),
    );
    round_trip(&r);
    r.config.clear();
    round_trip(&r);
}

// ---- errors ----

fn valid_fragment() -> String {
    let mut rng = Rng(12);
    let cfg = config("failure", &RunConfig::default_models(), 4);
    let ms = measurements(&cfg, 3, 2, true, true, &mut rng);
    encode(&Report::build(&cfg, env(CHROME), &ms, BASE.to_string())).fragment
}

#[test]
fn empty_fragments_say_so() {
    for f in ["", "#", "r=", "#r="] {
        let e = decode(f).unwrap_err();
        assert_eq!(e, ShareError::Empty, "{f:?}");
        assert_eq!(e.to_string(), "the link carries no results");
    }
}

#[test]
fn every_cut_is_truncated() {
    let f = valid_fragment();
    for len in 3..f.len() {
        let e = decode(&f[..len]).unwrap_err();
        assert_eq!(e, ShareError::Truncated, "cut at {len}");
        assert_eq!(e.to_string(), "the link's results are truncated");
    }
}

#[test]
fn every_bit_flip_is_caught() {
    let f = valid_fragment();
    let bytes = payload(&f);
    let mut kinds = BTreeMap::new();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut b = bytes.clone();
            b[i] ^= 1 << bit;
            let e = decode(&fragment_of(&b)).unwrap_err();
            let kind = format!("{e:?}");
            *kinds
                .entry(kind[..kind.find([' ', '{']).unwrap_or(kind.len())].to_string())
                .or_insert(0) += 1;
            assert!(!e.to_string().is_empty());
        }
    }
    println!("bit flips: {kinds:?}");
    // A flip in the stored checksum can only be a checksum mismatch.
    let mut b = bytes.clone();
    b[3] ^= 0x10;
    let e = decode(&fragment_of(&b)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the link's results are damaged (checksum mismatch)"
    );
    // So is anything added after the deflate stream.
    let e = decode(&format!("{f}AAAA")).unwrap_err();
    assert!(matches!(e, ShareError::Damaged { .. }), "{e}");
}

#[test]
fn a_valid_checksum_over_nonsense_is_still_damaged() {
    let raw = unseal(&valid_fragment());
    for cut in [0, 1, 10, raw.len() / 2, raw.len() - 1] {
        // The valid fragment is a format-1 document.
        let e = decode(&seal(1, &raw[..cut])).unwrap_err();
        assert!(matches!(e, ShareError::Damaged { .. }), "{e}");
        assert!(
            e.to_string()
                .starts_with("the link's results are damaged (unreadable data"),
            "{e}"
        );
    }
    let mut longer = raw.clone();
    longer.push(0);
    assert_eq!(
        decode(&seal(1, &longer)).unwrap_err().to_string(),
        "the link's results are damaged (1 unexpected bytes at the end)"
    );
    let e = decode(&fragment_of(&[FORMAT, 0, 0, 0, 0, 0xFF, 0xFF])).unwrap_err();
    assert!(
        matches!(e, ShareError::Damaged { .. } | ShareError::Truncated),
        "{e}"
    );
}

#[test]
fn oversize_input_is_refused_before_any_work() {
    let f = format!("r={}", "A".repeat(MAX_FRAGMENT_CHARS));
    let e = decode(&f).unwrap_err();
    assert_eq!(
        e,
        ShareError::TooLong {
            chars: MAX_FRAGMENT_CHARS + 2,
            max: MAX_FRAGMENT_CHARS
        }
    );
    assert_eq!(
        e.to_string(),
        "the link's results are too long to read (65538 characters; at most 65536)"
    );
}

#[test]
fn wrong_characters_are_pointed_at() {
    let f = valid_fragment();
    let e = decode(&format!("#{}${}", &f[..14], &f[14..])).unwrap_err();
    assert_eq!(e, ShareError::BadBase64 { at: 16, found: '$' });
    assert_eq!(
        e.to_string(),
        "the link's results are not valid base64url at character 16 ('$')"
    );
    // Counted in characters, and `+`/`/` (plain base64) are wrong too.
    assert_eq!(
        decode("r=AQé+").unwrap_err(),
        ShareError::BadBase64 { at: 5, found: 'é' }
    );
    assert_eq!(
        decode("AQ+/").unwrap_err(),
        ShareError::BadBase64 { at: 3, found: '+' }
    );
    assert_eq!(
        decode("r=AQ%20").unwrap_err(),
        ShareError::BadBase64 { at: 5, found: '%' }
    );
    assert_eq!(
        decode("r=A=AA").unwrap_err(),
        ShareError::BadBase64 { at: 4, found: '=' }
    );
    let pad = "=".repeat((4 - (f.len() - 2) % 4) % 4);
    assert!(decode(&format!("{f}{pad}")).is_ok(), "padding is tolerated");
}

#[test]
fn a_newer_format_is_named() {
    for format in [FORMAT + 1, FORMAT + 2, 63] {
        let e = decode(&seal(format, b"whatever a later page writes")).unwrap_err();
        assert_eq!(
            e,
            ShareError::NewerFormat {
                found: format,
                reads: FORMAT
            }
        );
    }
    assert_eq!(
        decode(&seal(FORMAT + 1, b"")).unwrap_err().to_string(),
        format!(
            "the link was made by a newer version (format {}; this page reads formats up to {FORMAT})",
            FORMAT + 1
        )
    );
    for format in [0u8, 64, 255] {
        let e = decode(&seal(format, b"")).unwrap_err();
        assert!(matches!(e, ShareError::Damaged { .. }), "{format}: {e}");
    }
}

#[test]
fn a_decompression_bomb_is_stopped_at_the_cap() {
    let zeros = vec![0u8; 4 << 20];
    let bomb = seal(FORMAT, &zeros);
    assert!(bomb.len() < 8_000, "a short link: {}", bomb.len());
    let e = decode(&bomb).unwrap_err();
    assert_eq!(
        e,
        ShareError::TooLarge {
            limit: MAX_UNPACKED_BYTES
        }
    );
    assert_eq!(
        e.to_string(),
        "the link's results are larger than 64 KiB once unpacked"
    );
    // Exactly at the cap is fine as far as inflating goes.
    let e = decode(&seal(FORMAT, &zeros[..MAX_UNPACKED_BYTES])).unwrap_err();
    assert!(matches!(e, ShareError::Damaged { .. }), "{e}");
}

// ---- fuzzing ----

fn check(input: &str) -> bool {
    match decode(input) {
        Ok(_) => true,
        Err(e) => {
            assert!(!e.to_string().is_empty(), "{e:?}");
            false
        }
    }
}

const ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=#%+/ &\n\xc3";

fn mutate_text(f: &str, rng: &mut Rng) -> String {
    let mut b = f.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let i = rng.below(b.len() + 1);
        let c = ALPHABET[rng.below(ALPHABET.len())];
        match rng.below(5) {
            0 if i < b.len() => b[i] = c,
            1 => b.insert(i, c),
            2 if i < b.len() => {
                b.remove(i);
            }
            3 => b.truncate(i),
            _ => {
                let j = rng.below(b.len() + 1);
                let chunk = b[i.min(j)..i.max(j)].to_vec();
                b.splice(j..j, chunk.into_iter().take(64));
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn mutate_bytes(b: &mut Vec<u8>, rng: &mut Rng) {
    for _ in 0..1 + rng.below(3) {
        let i = rng.below(b.len() + 1);
        match rng.below(5) {
            0 if i < b.len() => b[i] ^= 1 << rng.below(8),
            1 if i < b.len() => b[i] = rng.next() as u8,
            2 => b.insert(i, rng.next() as u8),
            3 if i < b.len() => {
                b.remove(i);
            }
            _ => b.truncate(i),
        }
    }
}

#[test]
fn ten_thousands_of_mutations_never_panic() {
    let mut rng = Rng(0xF0F0_1234);
    let seeds: Vec<String> = [
        ("cpu", &RunConfig::default_models()[..], 1),
        ("counter", &[ModelId::Gil, ModelId::Threads][..], 30),
        ("failure", &ModelId::ALL[..], 3),
    ]
    .iter()
    .map(|&(w, models, per_task)| {
        let cfg = config(w, models, 4);
        let ms = measurements(&cfg, 3, per_task, true, true, &mut rng);
        encode(&Report::build(&cfg, env(CHROME), &ms, BASE.to_string())).fragment
    })
    .collect();
    let (mut total, mut ok) = (0, 0);
    for round in 0..4_000 {
        let f = &seeds[round % seeds.len()];
        // The text as a person or a chat app might mangle it.
        ok += check(&mutate_text(f, &mut rng)) as u32;
        // The bytes, through the checksum.
        let mut b = payload(f);
        mutate_bytes(&mut b, &mut rng);
        ok += check(&fragment_of(&b)) as u32;
        // The serialized document itself, resealed so it gets past the
        // checksum and the deserializer has to cope.
        let mut raw = unseal(f);
        mutate_bytes(&mut raw, &mut rng);
        ok += check(&seal(FORMAT, &raw)) as u32;
        // Pure noise, as text and as a payload.
        let noise: Vec<u8> = (0..rng.below(300)).map(|_| rng.next() as u8).collect();
        check(&String::from_utf8_lossy(&noise));
        check(&fragment_of(&noise));
        total += 5;
    }
    println!("{total} inputs, {ok} still decoded");
    assert!(total >= 10_000);
}

// ---- properties ----

fn arb_models() -> impl Strategy<Value = Vec<ModelId>> {
    proptest::sample::subsequence(ModelId::ALL.to_vec(), 1..=6).prop_shuffle()
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![".{0,40}", "[ -~]{0,120}", Just(CHROME.to_string())]
}

fn arb_ms() -> impl Strategy<Value = f64> {
    prop_oneof![0.0..10_000.0f64, -1e6..1e9f64, Just(0.0), Just(1e-9)]
}

fn arb_span() -> impl Strategy<Value = Span> {
    (0..64u32, 0..1024u32, 0..4usize, arb_ms(), arb_ms()).prop_map(|(worker, task, k, a, b)| Span {
        worker,
        task,
        kind: [
            SpanKind::Run,
            SpanKind::GilWait,
            SpanKind::Io,
            SpanKind::Spawn,
        ][k],
        start_ms: a,
        end_ms: b,
    })
}

fn arb_measurement(models: Vec<ModelId>) -> impl Strategy<Value = Measurement> {
    (
        proptest::sample::select(models),
        1..64u32,
        prop_oneof![
            0.001..1e5f64,
            any::<f64>().prop_filter("finite", |v| v.is_finite())
        ],
        prop_oneof!["[0-9]{1,39}", arb_text()],
        any::<bool>(),
        proptest::collection::vec((0..1024u32, arb_text()), 0..3),
        proptest::collection::vec(arb_span(), 0..12),
        proptest::collection::btree_map(arb_text(), -1e12..1e12f64, 0..4),
    )
        .prop_map(
            |(model, workers, wall_ms, value, correct, errors, spans, figures)| Measurement {
                correct,
                errors: errors
                    .into_iter()
                    .map(|(task, message)| TaskError { task, message })
                    .collect(),
                spans,
                figures,
                ..Measurement::plain(model, workers, wall_ms, value)
            },
        )
}

fn arb_event() -> impl Strategy<Value = Event> {
    (
        0..64u32,
        proptest::sample::select(Op::ALL.to_vec()),
        any::<u64>(),
        any::<u64>(),
        proptest::option::of(any::<u64>()),
        any::<bool>(),
    )
        .prop_map(|(worker, op, value, order, replaced, switched)| Event {
            worker,
            op,
            value,
            order,
            replaced,
            switched,
        })
}

fn arb_interleaving(models: Vec<ModelId>) -> impl Strategy<Value = Interleaving> {
    (
        proptest::sample::select(models),
        any::<u64>(),
        any::<u64>(),
        proptest::collection::vec(proptest::collection::vec(arb_event(), 0..6), 0..4),
    )
        .prop_map(|(model, events, lost, examples)| Interleaving {
            model,
            events,
            lost,
            examples,
        })
}

fn arb_report() -> impl Strategy<Value = Report> {
    (
        proptest::sample::select(WORKLOAD_IDS.to_vec()),
        arb_models(),
        1..=64u32,
        any::<bool>(),
        (
            any::<u32>(),
            any::<bool>(),
            arb_text(),
            arb_text(),
            arb_text(),
        ),
        proptest::option::of(0.0..1.0f64),
    )
        .prop_flat_map(|(w, models, workers, sweep, env, res)| {
            let ms = proptest::collection::vec(arb_measurement(models.clone()), 0..16);
            let points = proptest::collection::vec(
                (
                    proptest::sample::select(models.clone()),
                    1..128u32,
                    proptest::option::of(arb_ms()),
                    proptest::option::of(0.0..64.0f64),
                ),
                0..8,
            );
            let sizes = proptest::collection::vec(
                (
                    proptest::sample::select(models.clone()),
                    0..3usize,
                    any::<u64>(),
                    arb_ms(),
                ),
                0..4,
            );
            let interleavings = proptest::option::weighted(
                0.3,
                proptest::collection::vec(arb_interleaving(models.clone()), 1..3),
            );
            (
                Just((w, models, workers, sweep, env, res)),
                ms,
                points,
                sizes,
                interleavings,
            )
        })
        .prop_map(
            |((w, models, workers, sweep, env, res), ms, points, sizes, interleavings)| {
                let mut cfg = config(w, &models, workers);
                cfg.sweep = sweep;
                let (cores, isolated, user_agent, build, date) = env;
                let env = Env {
                    isolated,
                    user_agent,
                    build,
                    date,
                    timer_resolution_ms: res,
                    ..Env::with_cores(cores)
                };
                let mut r = Report::build(&cfg, env, &ms, String::new());
                r.sweep = points
                    .into_iter()
                    .map(|(model, workers, median_ms, speedup)| SweepPoint {
                        model,
                        workers,
                        median_ms,
                        speedup,
                    })
                    .collect();
                r.sizes = sizes
                    .into_iter()
                    .map(|(model, v, bytes, median_ms)| SizePoint {
                        model,
                        via: [Via::Copy, Via::Move, Via::Shared][v],
                        bytes,
                        median_ms,
                    })
                    .collect();
                r.interleavings = interleavings.unwrap_or_default();
                r.fit_sweep();
                r
            },
        )
}

proptest! {
    // No regression files: integration tests have no lib.rs next to them.
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_reports_round_trip(r in arb_report()) {
        let enc = encode(&r);
        prop_assert!(!enc.too_long);
        let (decoded, dropped) = decode_with_dropped(&enc.fragment).unwrap();
        prop_assert_eq!(&dropped, &enc.dropped);
        let mut expected = r.clone();
        for d in &dropped {
            match d {
                Dropped::Spans(m) => expected
                    .results
                    .iter_mut()
                    .filter(|x| x.model == *m)
                    .for_each(|x| x.spans.clear()),
                Dropped::Figures => expected.results.iter_mut().for_each(|x| x.figures.clear()),
            }
        }
        assert_same(&decoded, &expected);
    }

    #[test]
    fn arbitrary_strings_never_panic(s in ".{0,200}") {
        check(&s);
        check(&format!("#r={s}"));
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(&String::from_utf8_lossy(&b));
        check(&fragment_of(&b));
        let mut framed = vec![FORMAT];
        framed.extend_from_slice(&b);
        check(&fragment_of(&framed));
        check(&seal(FORMAT, &b));
    }
}

#[test]
fn io_share_points_travel_in_format_2_and_other_links_stay_in_format_1() {
    let mut rng = Rng(21);
    let cfg = config("io", &[ModelId::Seq, ModelId::Async, ModelId::Hybrid], 2);
    let mut r = report(&cfg, CHROME, 3, 1, &mut rng);
    let plain = encode(&r);
    let payload = |e: &Encoded| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(e.fragment.trim_start_matches("r="))
            .unwrap()
    };
    assert_eq!(
        payload(&plain)[0],
        1,
        "no mix points: the format older pages read"
    );
    for (i, io_pct) in [0, 25, 50, 75, 100].into_iter().enumerate() {
        for (j, model) in [ModelId::Seq, ModelId::Async, ModelId::Hybrid]
            .into_iter()
            .enumerate()
        {
            r.mix.push(tvp::report::MixPoint {
                model,
                io_pct,
                median_ms: 10.0 + i as f64 + j as f64 * 0.25,
                speedup: (model != ModelId::Seq).then_some(1.5 + i as f64),
            });
        }
    }
    let with_mix = encode(&r);
    assert_eq!(payload(&with_mix)[0], 2);
    let decoded = decode(&with_mix.fragment).unwrap();
    assert_eq!(decoded.mix, r.mix);
    assert_eq!(decode(&plain.fragment).unwrap().mix, vec![]);
}

#[test]
fn convoy_points_travel_in_format_3_with_or_without_mix_points() {
    let mut rng = Rng(33);
    let models = [ModelId::Threads, ModelId::Gil, ModelId::Async];
    let cfg = config("io", &models, 3);
    let mut r = report(&cfg, CHROME, 3, 1, &mut rng);
    for (i, model) in models.into_iter().enumerate() {
        let switches: &[f64] = if model == ModelId::Gil {
            &[0.5, 5.0, 50.0]
        } else {
            &[5.0]
        };
        for &switch_ms in switches {
            r.convoy.push(tvp::report::ConvoyPoint {
                model,
                switch_ms,
                uses_switch: model == ModelId::Gil,
                answers: 40 - i as u32,
                p50_ms: Some(0.1 + switch_ms * 0.9),
                p99_ms: Some(0.3 + switch_ms * 1.1),
                // An answer count of none is still a point.
                max_ms: (model != ModelId::Async).then_some(switch_ms * 1.5),
            });
        }
    }
    let encoded = encode(&r);
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded.fragment.trim_start_matches("r="))
        .unwrap();
    assert_eq!(raw[0], 3);
    let decoded = decode(&encoded.fragment).unwrap();
    assert_eq!(decoded.convoy, r.convoy);
    assert!(decoded.mix.is_empty());
    // Truncated after the mix points: the convoy's bytes are missing.
    assert!(decode(&seal(3, &[0u8; 4])).is_err());
}

#[test]
fn a_machines_limits_travel_in_format_4() {
    let mut rng = Rng(44);
    let cfg = config(
        "spawn",
        &[ModelId::Threads, ModelId::Procs, ModelId::Fork],
        2,
    );
    let mut r = report(&cfg, CHROME, 2, 1, &mut rng);
    r.calibration = Some(tvp::calibrate::Calibration {
        timer_resolution_ms: Some(0.005),
        cores: 2,
        worker_start_ms: Some(18.1),
        instantiate_ms: Some(1.29),
        process_start_ms: Some(37.2),
        message_rtt_us: Some(100.0),
        // The reduced page has no threads to wait on each other.
        atomics_rtt_us: None,
        memcpy_gbps: Some(11.4),
        memcpy_cold_gbps: Some(1.92),
        copy_in_gbps: None,
    });
    let encoded = encode(&r);
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded.fragment.trim_start_matches("r="))
        .unwrap();
    assert_eq!(raw[0], 4);
    let decoded = decode(&encoded.fragment).unwrap();
    assert_eq!(decoded.calibration, r.calibration);
    assert!(decoded.mix.is_empty() && decoded.convoy.is_empty());
    r.calibration = None;
    assert_eq!(decode(&encode(&r).fragment).unwrap().calibration, None);
}

#[test]
fn the_transfer_breakdown_and_copy_in_limit_travel_in_format_5() {
    let mut rng = Rng(55);
    let cfg = config("transfer", &[ModelId::Procs, ModelId::Fork], 2);
    let mut r = report(&cfg, CHROME, 2, 1, &mut rng);
    let bar = |model, cold, copy_ms| tvp::report::HandoverBar {
        model,
        cold,
        tasks: 4,
        bytes: 1 << 26,
        phases_ms: [6.25, 0.2, 0.0, copy_ms, 20.5],
    };
    r.handovers = vec![
        bar(ModelId::Procs, true, 46.0),
        bar(ModelId::Procs, false, 7.75),
        bar(ModelId::Fork, true, 80.5),
    ];
    let payload = |r: &Report| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encode(r).fragment.trim_start_matches("r="))
            .unwrap()
    };
    // No limits measured: format 5 still carries the breakdown.
    assert_eq!(payload(&r)[0], 5);
    let decoded = decode(&encode(&r).fragment).unwrap();
    assert_eq!(decoded.handovers, r.handovers);
    assert_eq!(decoded.calibration, None);
    // With the limits, the copy-in limit comes back too.
    r.calibration = Some(tvp::calibrate::Calibration {
        cores: 2,
        memcpy_gbps: Some(17.0),
        copy_in_gbps: Some(8.6),
        ..Default::default()
    });
    let decoded = decode(&encode(&r).fragment).unwrap();
    assert_eq!(decoded.calibration, r.calibration);
    assert_eq!(decoded.handovers, r.handovers);
    // Limits without the new parts stay in format 4, which older pages read.
    r.handovers.clear();
    r.calibration.as_mut().unwrap().copy_in_gbps = None;
    assert_eq!(payload(&r)[0], 4);
    assert_eq!(
        decode(&encode(&r).fragment).unwrap().calibration,
        r.calibration
    );
}

#[test]
fn predictions_travel_in_format_6_and_a_run_without_them_stays_older() {
    use tvp::predict::{Confidence, Prediction};
    let mut rng = Rng(66);
    let cfg = config("cpu", &[ModelId::Seq, ModelId::Gil, ModelId::Procs], 2);
    let mut r = report(&cfg, CHROME, 3, 1, &mut rng);
    let payload = |r: &Report| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encode(r).fragment.trim_start_matches("r="))
            .unwrap()
    };
    assert_eq!(payload(&r)[0], 1, "no predictions: the oldest format");
    r.predictions = vec![
        Prediction {
            model: ModelId::Gil,
            choice: "faster".into(),
            confidence: Confidence::Sure,
            right: Some(false),
        },
        Prediction {
            model: ModelId::Procs,
            choice: "faster".into(),
            confidence: Confidence::Guessing,
            right: None,
        },
    ];
    assert_eq!(payload(&r)[0], 6);
    let decoded = decode(&encode(&r).fragment).unwrap();
    assert_eq!(decoded.predictions, r.predictions);
    assert_same(&decoded, &r);
    // With every earlier part as well, all of them come back.
    r.calibration = Some(tvp::calibrate::Calibration {
        cores: 2,
        memcpy_gbps: Some(17.0),
        ..Default::default()
    });
    r.mix = vec![tvp::report::MixPoint {
        model: ModelId::Gil,
        io_pct: 50,
        median_ms: 12.5,
        speedup: Some(1.5),
    }];
    let decoded = decode(&encode(&r).fragment).unwrap();
    assert_eq!(
        (&decoded.predictions, &decoded.calibration, &decoded.mix),
        (&r.predictions, &r.calibration, &r.mix)
    );
}

#[test]
fn interleavings_travel_in_format_7_with_what_came_before() {
    let mut rng = Rng(66);
    let cfg = config(
        "counter",
        &[ModelId::Threads, ModelId::Gil, ModelId::Procs],
        2,
    );
    let lost_one = vec![
        Event::read(0, 41, 10),
        Event::read(1, 41, 11),
        Event::write(0, 42, 41, 12),
        Event {
            switched: true,
            ..Event::write(1, 42, 42, 13)
        },
    ];
    // Built from traces as a run builds it, so what travels is what a run
    // reports.
    let mut ms = measurements(&cfg, 2, 1, false, true, &mut rng);
    ms[3].trace = lost_one.clone();
    ms[5].trace = vec![Event::add(0, 1, 0, 0), Event::add(1, 2, 1, 1)];
    let mut r = Report::build(&cfg, env(CHROME), &ms, BASE.to_string());
    assert_eq!(r.interleavings.len(), 2);
    assert_eq!(
        r.interleaving(ModelId::Threads).unwrap().examples,
        [lost_one]
    );
    let enc = round_trip(&r);
    assert_eq!(payload(&enc.fragment)[0], 7);
    let decoded = decode(&enc.fragment).unwrap();
    assert_eq!(decoded.interleavings, r.interleavings);
    assert_eq!(
        decoded
            .interleaving(ModelId::Threads)
            .unwrap()
            .first_lost()
            .unwrap()
            .words(),
        "w1 wrote 42 over w0's 42: one update lost"
    );

    // With every earlier addition too, each in its place.
    r.calibration = Some(tvp::calibrate::Calibration {
        cores: 2,
        copy_in_gbps: Some(8.6),
        ..Default::default()
    });
    r.mix.push(tvp::report::MixPoint {
        model: ModelId::Gil,
        io_pct: 25,
        median_ms: 1.5,
        speedup: None,
    });
    let enc = round_trip(&r);
    assert_eq!(payload(&enc.fragment)[0], 7);

    // Without them the link is as it was: the oldest format that holds it.
    r.interleavings.clear();
    assert_eq!(payload(&encode(&r).fragment)[0], 5);
    r.calibration = None;
    r.mix.clear();
    assert_eq!(payload(&encode(&r).fragment)[0], 1);

    // Cut before the interleavings: the link says so rather than misread.
    let raw = unseal(
        &encode(&Report {
            interleavings: decoded.interleavings.clone(),
            ..r
        })
        .fragment,
    );
    assert!(decode(&seal(7, &raw[..raw.len() - 1])).is_err());
}

#[test]
fn models_measured_in_the_background_travel_in_format_8_and_are_suspect_when_opened() {
    let mut rng = Rng(67);
    let cfg = config("cpu", &[ModelId::Seq, ModelId::Threads, ModelId::Procs], 2);
    let ms = measurements(&cfg, 2, 3, false, true, &mut rng);
    let mut r = Report::build(&cfg, env(CHROME), &ms, BASE.to_string());
    let clean = encode(&r).fragment;
    assert_eq!(
        payload(&clean)[0],
        1,
        "a run in view keeps the oldest format"
    );
    r.background = vec![ModelId::Procs];
    r.mark_suspects();
    let procs = r.result(ModelId::Procs).unwrap();
    assert!(procs.suspect.as_deref().unwrap().contains("background"));
    assert_eq!(r.result(ModelId::Threads).unwrap().suspect, None);
    let enc = round_trip(&r);
    assert_eq!(payload(&enc.fragment)[0], 8);
    // The format 1 document, then six empty additions, then the codes.
    let raw = unseal(&enc.fragment);
    assert_eq!(&raw[raw.len() - 2..], &[1, 4], "one model: procs (code 4)");
    let decoded = decode(&enc.fragment).unwrap();
    assert_eq!(decoded.background, [ModelId::Procs]);
    assert_eq!(
        decoded.result(ModelId::Procs).unwrap().suspect,
        procs.suspect
    );
    // A seq measured in the background takes every speedup with it.
    r.background = vec![ModelId::Seq];
    r.mark_suspects();
    let decoded = decode(&encode(&r).fragment).unwrap();
    assert!(decoded.results.iter().all(|x| x.suspect.is_some()));
    // Cut before the codes: the link says so rather than misread.
    assert!(decode(&seal(8, &raw[..raw.len() - 1])).is_err());
    // An unknown model code is damage, not a guess.
    let mut bad = raw.clone();
    *bad.last_mut().unwrap() = 99;
    assert!(decode(&seal(8, &bad)).is_err());
}

// ---- links made before ----

/// One report per format that older pages wrote, built from fixed inputs,
/// and the smallest format that holds it.
fn reports_of_every_older_format() -> Vec<(u8, Report)> {
    let mut out = Vec::new();
    let mut rng = Rng(0x01d);
    let cfg = config("counter", &[ModelId::Threads, ModelId::Gil], 2);
    out.push((1, report(&cfg, CHROME, 2, 1, &mut rng)));

    let cfg = config("io", &[ModelId::Seq, ModelId::Async], 2);
    let mut r = report(&cfg, CHROME, 2, 1, &mut rng);
    r.mix.push(tvp::report::MixPoint {
        model: ModelId::Async,
        io_pct: 50,
        median_ms: 12.345678901,
        speedup: Some(3.5),
    });
    out.push((2, r.clone()));
    r.convoy.push(tvp::report::ConvoyPoint {
        model: ModelId::Async,
        switch_ms: 5.0,
        uses_switch: false,
        answers: 12,
        p50_ms: Some(0.4),
        p99_ms: None,
        max_ms: Some(1.0 / 3.0),
    });
    out.push((3, r));

    let cfg = config("spawn", &[ModelId::Threads, ModelId::Fork], 2);
    let mut r = report(&cfg, CHROME, 2, 1, &mut rng);
    r.calibration = Some(tvp::calibrate::Calibration {
        cores: 2,
        worker_start_ms: Some(18.1),
        memcpy_gbps: Some(11.4),
        ..Default::default()
    });
    out.push((4, r));

    let cfg = config("transfer", &[ModelId::Procs], 2);
    let mut r = report(&cfg, CHROME, 2, 1, &mut rng);
    r.handovers.push(tvp::report::HandoverBar {
        model: ModelId::Procs,
        cold: true,
        tasks: 2,
        bytes: 1 << 20,
        phases_ms: [0.5, 0.25, 0.0, 1.0 / 7.0, 2.0],
    });
    out.push((5, r));
    out
}

/// What this page wrote for [`reports_of_every_older_format`] before format 6
/// existed, by format. A link is forever: each must open to the same report.
const LINKS_MADE_BEFORE: [(u8, &str); 5] = [
    (
        1,
        "r=ATI9yOdlTT1Lw0AYzsUgLm4KDhZuChU1vUuapK0NrThUaCuCBaUI5Uyv9mw-yiUlbQURB6eO_gIHEREX3cTFXyFuToI_oOhmW-rkM7zvw8PzAeYAK_t95jgkoSsIxg8w3oAl5nW6sJsyakZyBW622w7dp0dFFiZ0zVQ0A8aL25VyaQ06rEVhgdotfwVuNbnv0gTWDQUpKWSmFFODe6RBOJvG5pGCFbSqNVSStvGCilRjHeN1Va1glNFwBplVcLrwUPjohzmBMc_m1KVeGFgYjSG7fp06gRU2OSX1YO2YOTKnbUpGDl0OIhbazZo74T3Ptjixe3JIglZgJeXIsv2OF1IuR4S7nbaF5cjnLcoDSxWBKO42-p_P0WH-qXs_pI_VPJhNTjanDwAkCJIABDA64owkjCBJr4tXsZuYdLs4iA2Xv0qCKIqx6x94FnfySy8502ic5IVZLZ0yDf2vR8Kqpv-vOgeXOxelu6z0XX4vDrJvq2P1Fw",
    ),
    (
        2,
        "r=AhUvUJiNjL1L61AAxXPzas3wunV4DwTvoDGiTe9NbBqVYERE0YqWKvUDqTFe8dq0iUlK_RrE1cVBHUScHJyKiEhxcBJxEAedHQSHjgoODg5-_gGes_w4nHMAB-iAvUwty4jGRASFUYzbYYLmC4twUVUySksj7HQci6TJdD_1ozE5LsoKFPp7hwcSzdCiWQJ7iJm1G2HXnGvnSBTHFBGJKoqrYlyGKWPWcOnPLIRELKImeVYyWk0clpCkRDCOSNIwRm0ybkPxcbASLvU8LPsdzJjpFDJ5DfE5e4ZYnuaRhWbDW8qbvEscYvieFuO9IvXNuUzuk33Dy3qayhc1avNFg_pfMfpAN1dwNMwXbTdLXE-TWIZlG-4H-yrbY3plo2_qJDypA6AClWEYjgHf_gD2T6AqWM0xP-KuwEv6Au-kHgM3Ey_C5hC3ny7jtdRe4HKiJJwPntYwQZYdr3QXavfm9eRqIvJ8P_-r4ydwVnU9Ug5t1a__P07uVnOvgfLIfui27vXfQfIsWIKfLRCUDq3I3duRoIPv3V_9HQ",
    ),
    (
        3,
        "r=A-POFf2NjLFLG1Ecx9-7xvMGs2VoodA3tNeTmst7d83lajlypRSLRmyIIVUp6fX6xGcuuevdhVjboXTt0kEFRZwcnIKISHBwEnEQB8XBwUFwyKjg4OCgMf4Bfn7Lhx_f7xcKkA2608xxrERSxkj6TMhblGGV6hSa0rWi9robvfM8hxbotwEWJpJqSlY1JA18HB7M9CCHlSjqo3bJ7UbvJ3y3TBMkqclY1nFKl1Mqylnjls_ua1EsExm_UscV641NYgpWtDghcUUZJrhXJb04NQp_xep9p9NhGozYXrVYMbBYdr9TJzAC-qPHCn5WbNGnHrXCwEiKQY2F9kSx3PLQCkqBoYs1g7lizWLh3Rvfql-uegYRa65fon5gKBzguJcnQ_3N2RGz-a__63rsiwmhDnUAgABg-26FexTp4DsFcI-wCy8L22QudxbZH7uU_n8SlgoN8ie3GNkZq0tbQxtPAc9xo80P1WeLk2b2dyZ-cTL5oOFzuNmxl29EZ178fbKWXegUriKN_FL04PnV4-XsJl9HrRTklRUnfni9Kpmw3esyId-2mAm64MJ8i-M0gPk7jtI3",
    ),
    (
        4,
        "r=BExlMABdiz9PwkAAxXs1JsbEzUWnmy4Q4bi70pY_aawxERNggkTDgmc5wqUtba4lJTgZd3fZdNE4-An8CDrhwOpX8BMIwcnfe8N7yXtgB8h2NJNBwEsmJjB3SWkdtuR4MoXTitW3ynl4EseBuBDXTZmWTMPGhgVzzfNuu1WAgfQFbAjPj_LwdKSiUJSoaWGCK8SuYNuAHT7kSv7d9gimmBwZQ8arHt1nhFlFSouMdSmpGbRG7B642X9rfM_SY63tRZNx6pgEhdFABImTjpTgg6QwjJSPlIgFTxPHREkmU2_UD9c5c5KYZ2OUcRVOYoeibLUVKnGYDnR99_nVPuv03MXi5fCOXrlAN8nKmqaBjX4AWNa1bV3PLW_n7yhwH7-qmWL-_-UWuAfgqaxt0MH8YcUBc9cNfH6sQa72Cw",
    ),
    (
        5,
        "r=BfHUitJNi79Lw0AcxXOxgwh16iocIqFFm95dmh-thEYcqrSdLLToUK7xSo8kTbikplaHuvgH-IeIODg6ODoJ_gP6XzhajQW_PPh-Hu89sA54J5xz36cVXUWw2Md4H7b5ZDqDM8sYGNUSPIgin_XYsMWTiq6ZqmbAYuuo22nvQZ97DDaZ64UleDgWYcAqWDdUpFrItFRTgyd0RAX_m-WRilW0q40Irbm4QBAxyhiXCeliVNdwHZmn4Kpw3_ycJw2pH_ChjQ0lCM-ZH9uRCN1YESxiNIltXYlTnrjjQfDDCY292CbKBae2G0aXSmongk7iERNKSkUwjWyspKHwmFjWQE6We9ev2u37wKk9rD3dbJ05YKOKa1ViWURH_1CSJFkCv5Lk7edN-Sv_uMTsQA7Ii4WTmY9G9t8aq_hu53ipl5V3vgE",
    ),
];

#[test]
fn links_made_before_format_6_open_unchanged_and_are_still_written_so() {
    let reports = reports_of_every_older_format();
    assert_eq!(reports.len(), LINKS_MADE_BEFORE.len());
    for ((format, report), (old_format, link)) in reports.iter().zip(LINKS_MADE_BEFORE) {
        assert_eq!(*format, old_format);
        assert_eq!(payload(link)[0], old_format, "format {old_format}");
        // The same figures, bit for bit (the derived ones recomputed).
        assert_same(&decode(link).unwrap(), report);
        // And a report without interleavings is still written as it was.
        assert_eq!(encode(report).fragment, link, "format {old_format}");
    }
}
