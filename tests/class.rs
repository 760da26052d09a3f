//! The class set: a class's links and exports read in any text, grouped by
//! lesson and configuration, kept as a file or a link; and no input,
//! however damaged, makes reading it panic.

use base64::Engine as _;
use std::time::Instant;
use tvp::class::{
    identity, prediction_lines, At, ClassSet, Engine, Excluded, Intake, LinkError, Place, Reason,
    CLASS_FORMAT, FILE_KEY, FILE_VERSION,
};

use tvp::models::ModelId;
use tvp::report::{Intervals, Report};
use tvp::share::{self, ShareError, FORMAT, MAX_LINK_CHARS};

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.8078.73 Safari/537.36";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
const WEBKIT: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15";
const ENGINES: [(&str, Engine); 3] = [
    (CHROME, Engine::Chromium),
    (FIREFOX, Engine::Firefox),
    (WEBKIT, Engine::WebKit),
];
const LESSON_1: &str = "w=cpu&models=seq,threads,gil,procs";

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn plausible(model: ModelId, cores: u32, workers: u32) -> f64 {
    tvp::bench::plausible_speedup(model, cores, workers)
}

fn run_with(
    n: u32,
    cores: u32,
    ua: &str,
    query: &str,
    speed: &dyn Fn(ModelId, u32, u32) -> f64,
) -> Report {
    tvp::bench::class_run(n, cores, ua, query, speed)
}

fn run(n: u32, cores: u32, ua: &str, query: &str) -> Report {
    run_with(n, cores, ua, query, &plausible)
}

fn link(report: &Report) -> String {
    let enc = share::encode(report);
    assert!(!enc.too_long);
    enc.link(&report.share_url)
}

/// 2, 4, 8 and 16 cores in each of three engines, twice: 24 runs of lesson 1.
fn class() -> Vec<Report> {
    let mut out = Vec::new();
    let mut n = 0;
    for cores in [2, 4, 8, 16] {
        for (ua, _) in ENGINES {
            for _ in 0..2 {
                out.push(run(n, cores, ua, LESSON_1));
                n += 1;
            }
        }
    }
    out
}

/// The links as a chat would show them: names, times, words around them.
fn chat(reports: &[Report]) -> String {
    let mut text = String::from("Teacher: please paste your links below\n\n");
    for (i, r) in reports.iter().enumerate() {
        let line = match i % 4 {
            0 => format!("[10:{i:02}] Student {i}: {}", link(r)),
            1 => link(r),
            2 => format!("here is mine -> <{}>. thanks!", link(r)),
            _ => format!("Student {i}, \"{}\", 2026-11-22", link(r)),
        };
        text.push_str(&line);
        text.push('\n');
    }
    text
}

fn read(text: &str) -> ClassSet {
    let mut set = ClassSet::new();
    set.add_text("pasted text", text);
    set
}

#[test]
fn a_class_of_three_engines_and_four_core_counts_is_one_group() {
    let reports = class();
    let set = read(&chat(&reports));
    assert_eq!(set.members().len(), 24);
    assert!(set.duplicates().is_empty());
    let other: Vec<_> = set
        .problems()
        .iter()
        .map(|p| (p.place, &p.reason))
        .collect();
    assert_eq!(
        other,
        [(
            Place {
                at: At::Line(1),
                run: None
            },
            &Reason::NotALink
        )]
    );

    let groups = set.groups();
    assert_eq!(
        groups.len(),
        1,
        "{:?}",
        groups.iter().map(|g| g.label()).collect::<Vec<_>>()
    );
    let g = &groups[0];
    assert_eq!(g.lesson, "cpu");
    assert_eq!(
        g.label(),
        "CPU-bound work: tasks=4 n=10000000 workers=cores switch_ms=5"
    );
    let models: Vec<ModelId> = g.series.iter().map(|s| s.model).collect();
    assert_eq!(
        models,
        [ModelId::Threads, ModelId::Gil, ModelId::Procs],
        "seq is the 1× baseline"
    );

    for s in &g.series {
        assert_eq!(s.points.len(), 24);
        for p in &s.points {
            let r = &set.members()[p.member].report;
            assert_eq!(p.cores, r.env.cores);
            let result = r.results.iter().find(|x| x.model == s.model).unwrap();
            assert_eq!(
                Some(p.speedup),
                result.speedup,
                "the decoded report's own ratio"
            );
            assert_eq!(p.engine, Engine::of(&r.env.user_agent));
            assert!(p.excluded.is_none());
        }
        let engines: Vec<Engine> = ENGINES.iter().map(|(_, e)| *e).collect();
        for e in engines {
            assert_eq!(s.points.iter().filter(|p| p.engine == e).count(), 8);
        }
        let cores: Vec<u32> = s.band.iter().map(|b| b.cores).collect();
        assert_eq!(cores, [2, 4, 8, 16]);
        let medians: Vec<(u32, usize)> = s
            .summary
            .medians
            .iter()
            .map(|m| (m.cores, m.runs))
            .collect();
        assert_eq!(medians, [(2, 6), (4, 6), (8, 6), (16, 6)]);
        for (m, b) in s.summary.medians.iter().zip(&s.band) {
            assert!(
                b.low <= m.median && m.median <= b.high,
                "{} on {} cores: {} outside {b:?}",
                s.model,
                m.cores,
                m.median
            );
        }
    }
    let gil = &g.series[1];
    assert!(gil.band.iter().all(|b| (b.low, b.high) == (0.85, 1.15)));
    // Free threads: min(tasks 4, workers = cores, cores), from 0.8 of it.
    let threads: Vec<(u32, f64, f64)> = g.series[0]
        .band
        .iter()
        .map(|b| (b.cores, b.low, b.high))
        .collect();
    assert_eq!(
        threads,
        [(2, 1.6, 2.0), (4, 3.2, 4.0), (8, 3.2, 4.0), (16, 3.2, 4.0)]
    );
    assert!(
        gil.words()
            .starts_with("GIL threads (gil): 24 runs; median 0.9"),
        "{}",
        gil.words()
    );

    assert_eq!(g.rows.len(), 24);
    let first = &g.rows[0];
    assert_eq!((first.cores, first.engine), (2, Engine::Chromium));
    assert_eq!(
        first.machine(),
        "2 cores · Chrome 156 · isolated · timer 5 µs"
    );
    assert_eq!(first.cells.len(), 3);
    assert!(first
        .cells
        .iter()
        .all(|c| c.as_ref().unwrap().speedup.is_some()));
    assert!(g.rows.windows(2).all(|w| w[0].cores <= w[1].cores));
}

#[test]
fn runs_with_other_settings_are_grouped_apart_never_together() {
    let mut reports = vec![
        run(1, 8, CHROME, LESSON_1),
        run(2, 4, FIREFOX, LESSON_1),
        // The same configuration: other models beside, more repeats, a sweep.
        run(
            3,
            2,
            WEBKIT,
            "w=cpu&models=seq,procs,fork&repeats=7&warmup=2",
        ),
        run(4, 8, CHROME, "w=cpu&models=seq,threads,gil,procs&sweep=1"),
        // Other configurations.
        run(5, 8, CHROME, "w=cpu&models=seq,threads,gil,procs&workers=2"),
        run(6, 2, CHROME, "w=cpu&models=seq,threads,gil,procs&workers=2"),
        run(7, 8, CHROME, "w=cpu&tasks=8&models=seq,threads"),
        run(8, 8, CHROME, "w=cpu&models=seq,gil&switch_ms=0.5"),
        run(9, 8, FIREFOX, "w=io&models=seq,gil,async"),
    ];
    // Hybrid in two shapes: one group, hybrid's points apart.
    reports.push(run(10, 4, CHROME, "w=cpu&models=seq,hybrid"));
    reports.push(run(
        11,
        4,
        CHROME,
        "w=cpu&models=seq,hybrid&procs=2&threads=2",
    ));
    let text: Vec<String> = reports.iter().map(link).collect();
    let set = read(&text.join("\n"));
    assert_eq!(set.members().len(), reports.len());
    let groups = set.groups();
    let summary: Vec<(String, Vec<usize>)> = groups
        .iter()
        .map(|g| (g.label(), g.members.clone()))
        .collect();
    let expected = [
        // workers=2 on a 2-core machine is one worker per core: the same
        // experiment as the default there.
        (
            "CPU-bound work: tasks=4 n=10000000 workers=cores switch_ms=5",
            vec![0, 1, 2, 3, 5, 9, 10],
        ),
        (
            "CPU-bound work: tasks=4 n=10000000 workers=2 switch_ms=5",
            vec![4],
        ),
        (
            "CPU-bound work: tasks=4 n=10000000 workers=cores switch_ms=0.5",
            vec![7],
        ),
        (
            "CPU-bound work: tasks=8 n=10000000 workers=cores switch_ms=5",
            vec![6],
        ),
        (
            "I/O-bound work: tasks=8 wait_ms=50 cpu_n=0 workers=cores switch_ms=5",
            vec![8],
        ),
    ]
    .map(|(label, members)| (label.to_string(), members));
    assert_eq!(summary, expected);
    let main = &groups[0];
    let series: Vec<(ModelId, Option<&str>, usize)> = main
        .series
        .iter()
        .map(|s| (s.model, s.variant.as_deref(), s.points.len()))
        .collect();
    assert_eq!(
        series,
        [
            (ModelId::Threads, None, 4),
            (ModelId::Gil, None, 4),
            (ModelId::Procs, None, 5),
            (ModelId::Fork, None, 1),
            (ModelId::Hybrid, Some("procs=2 threads=2"), 1),
            (ModelId::Hybrid, Some("procs=cores threads=1"), 1),
        ]
    );
    let fork_row = main.rows.iter().find(|r| r.member == 2).unwrap();
    assert_eq!(fork_row.cells[0], None, "that run had no threads");
    // The io lesson's band: waits overlap on any core count.
    let io = groups.iter().find(|g| g.lesson == "io").unwrap();
    let gil = io.series.iter().find(|s| s.model == ModelId::Gil).unwrap();
    assert_eq!((gil.band[0].low, gil.band[0].high), (0.6 * 8.0, 8.0));
}

#[test]
fn suspect_and_wrong_ratios_are_shown_but_left_out_with_why() {
    let fast = |model: ModelId, cores: u32, workers: u32| match model {
        // 3× on 2 cores: the baseline ran slow.
        ModelId::Procs => 3.0,
        _ => plausible(model, cores, workers),
    };
    let mut wrong = run(3, 2, FIREFOX, LESSON_1);
    wrong.results[1].correct = false;
    let reports = [
        run(1, 2, CHROME, LESSON_1),
        run_with(2, 2, CHROME, LESSON_1, &fast),
        wrong,
    ];
    let text: Vec<String> = reports.iter().map(link).collect();
    let set = read(&text.join("\n"));
    let groups = set.groups();
    let g = &groups[0];
    let procs = g.series.iter().find(|s| s.model == ModelId::Procs).unwrap();
    let suspect = procs.points.iter().find(|p| p.member == 1).unwrap();
    let Some(Excluded::Suspect(why)) = &suspect.excluded else {
        panic!("{:?}", suspect.excluded)
    };
    assert!(
        why.starts_with("3.00× is above the 2× this machine allows"),
        "{why}"
    );
    assert_eq!(procs.summary.medians.len(), 1);
    assert_eq!(
        procs.summary.medians[0].runs, 2,
        "the suspect run is left out"
    );
    assert!(procs.summary.medians[0].median < 2.0);
    assert_eq!(procs.summary.suspect(), 1);
    assert!(
        procs.words().ends_with("; 1 suspect left out."),
        "{}",
        procs.words()
    );
    let row = g.rows.iter().find(|r| r.member == 1).unwrap();
    let cell = row.cells[2].as_ref().unwrap();
    assert!(matches!(cell.excluded, Some(Excluded::Suspect(_))));
    assert!(cell
        .excluded
        .as_ref()
        .unwrap()
        .to_string()
        .starts_with("suspect: 3.00×"));

    let threads = &g.series[0];
    assert_eq!(threads.summary.wrong(), 1);
    assert_eq!(threads.summary.medians[0].runs, 2);
    assert!(
        threads.words().ends_with("; 1 wrong left out."),
        "{}",
        threads.words()
    );
}

#[test]
fn the_same_run_twice_counts_once() {
    let reports = class();
    let original = &reports[5];
    let link = link(original);
    // Export JSON as the page writes it: the share link in `share_url`.
    let mut exported = original.clone();
    exported.share_url = link.clone();
    let json = serde_json::to_string_pretty(&exported).unwrap();

    let mut set = ClassSet::new();
    set.add_text("pasted text", &format!("{link}\n{link} {link}"));
    set.add_text("run.json", &json);
    let elsewhere = link.replacen("copy2.example.org/tvp", "teacher.example.net", 1);
    set.add_text("pasted text", &elsewhere);
    assert_eq!(set.members().len(), 1);
    let seen: Vec<(String, At)> = set
        .duplicates()
        .iter()
        .map(|d| (d.source.clone(), d.place.at))
        .collect();
    assert_eq!(
        seen,
        [
            ("pasted text".to_string(), At::Line(2)),
            ("pasted text".to_string(), At::Line(2)),
            ("run.json".to_string(), At::Item(1)),
            ("pasted text".to_string(), At::Line(1)),
        ]
    );
    assert!(set.duplicates().iter().all(|d| d.of == 0));

    // What a run is: not its timeline (rounded or dropped by a link) nor
    // its address, but every sample, the machine and the minute.
    let decoded = share::decode(link.split_once('#').unwrap().1).unwrap();
    assert_eq!(identity(&decoded), identity(original));
    let mut no_spans = original.clone();
    no_spans.results.iter_mut().for_each(|r| r.spans.clear());
    no_spans.share_url.clear();
    assert_eq!(identity(&no_spans), identity(original));
    let mut other = original.clone();
    other.results[1].samples_ms[0] += 0.001;
    assert_ne!(identity(&other), identity(original));
    let mut later = original.clone();
    later.env.date = "2026-11-22T10:31:08Z".to_string();
    assert_ne!(identity(&later), identity(original));
    let ids: std::collections::HashSet<u64> = reports.iter().map(identity).collect();
    assert_eq!(ids.len(), reports.len());
}

/// The payload of `link`'s fragment, as `docs/share-links.md` lays it out.
fn bytes_of(link: &str, key: &str) -> Vec<u8> {
    let payload = link.split_once(&format!("#{key}")).unwrap().1;
    B64.decode(payload).unwrap()
}

fn with_bytes(link: &str, key: &str, bytes: &[u8]) -> String {
    let base = link.split_once(&format!("#{key}")).unwrap().0;
    format!("{base}#{key}{}", B64.encode(bytes))
}

#[test]
fn bad_lines_are_named_with_their_line_and_reason() {
    let reports = class();
    let good = link(&reports[0]);
    let truncated = good[..good.len() - 40].to_string();
    let mut bytes = bytes_of(&good, "r=");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    let tampered = with_bytes(&good, "r=", &bytes);
    let mut newer = bytes_of(&good, "r=");
    newer[0] = FORMAT + 1;
    let newer = with_bytes(&good, "r=", &newer);
    let text = [
        "Links for lesson 1:".to_string(),
        format!("Ann: {truncated}"),
        tampered,
        String::new(),
        format!("from the future: {newer}"),
        "qwpoeiru zxmcnv 1029 !!".to_string(),
        "https://copy0.example.org/tvp/?w=cpu&models=seq,gil".to_string(),
        "https://host/?w=cpu#r=AQ$x".to_string(),
        link(&reports[1]),
    ]
    .join("\n");
    let set = read(&text);
    assert_eq!(set.members().len(), 1, "every other link is kept");
    assert_eq!(set.members()[0].place.at, At::Line(9));
    let problems: Vec<(At, String)> = set
        .problems()
        .iter()
        .map(|p| (p.place.at, p.reason.to_string()))
        .collect();
    let newer_words = ShareError::NewerFormat {
        found: FORMAT + 1,
        reads: FORMAT,
    }
    .to_string();
    assert_eq!(
        problems,
        [
            (At::Line(1), "no link to results here".to_string()),
            (At::Line(2), ShareError::Truncated.to_string()),
            (
                At::Line(3),
                "the link's results are damaged (checksum mismatch)".to_string()
            ),
            (At::Line(5), newer_words),
            (At::Line(6), "no link to results here".to_string()),
            (At::Line(7), Reason::NoResults.to_string()),
            (At::Line(8), ShareError::Truncated.to_string()),
        ]
    );
    let second = &set.problems()[1];
    assert!(
        second
            .excerpt
            .starts_with("https://copy0.example.org/tvp/?w=cpu"),
        "{}",
        second.excerpt
    );
    assert!(second
        .to_string()
        .starts_with("pasted text, line 2: the link's results are truncated (“https://"));
}

#[test]
fn history_entries_and_lists_of_reports_are_read() {
    let reports = class();
    // What the history keeps in localStorage (`session::Entry`), as a list.
    let entries: Vec<serde_json::Value> = reports[..3]
        .iter()
        .map(|r| {
            let fragment = share::encode(r).fragment;
            serde_json::json!({
                "id": r.env.date, "label": "cpu", "query": LESSON_1, "fragment": fragment
            })
        })
        .collect();
    let mut items: Vec<serde_json::Value> = entries;
    items.push(serde_json::to_value(&reports[3]).unwrap());
    items.push(serde_json::Value::String(link(&reports[4])));
    items.push(serde_json::json!({"name": "not a run"}));
    items.push(serde_json::json!(42));
    let mut broken = serde_json::to_value(&reports[5]).unwrap();
    broken["results"] = serde_json::json!("none");
    items.push(broken);
    let set = read(&serde_json::to_string(&items).unwrap());
    assert_eq!(set.members().len(), 5);
    let places: Vec<At> = set.members().iter().map(|m| m.place.at).collect();
    assert_eq!(places, (1..=5).map(At::Item).collect::<Vec<_>>());
    assert_eq!(
        set.members()[0]
            .link
            .as_deref()
            .map(|l| l.starts_with("?w=cpu")),
        Some(true)
    );
    let problems: Vec<(At, String)> = set
        .problems()
        .iter()
        .map(|p| (p.place.at, p.reason.to_string()))
        .collect();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert_eq!(problems[0].0, At::Item(6));
    assert!(problems[0]
        .1
        .contains("neither env and results, nor a fragment"));
    assert_eq!(problems[1].0, At::Item(7));
    assert_eq!(problems[2].0, At::Item(8));
    assert!(problems[2]
        .1
        .starts_with("not a report, a saved run or a link: a report that does not read"));

    // One report alone, as Export JSON saves it.
    let one = read(&serde_json::to_string_pretty(&reports[6]).unwrap());
    assert_eq!(one.members().len(), 1);
    assert!(one.problems().is_empty());
}

#[test]
fn the_file_round_trips_and_a_broken_file_says_why() {
    let reports = class();
    let mut set = read(&chat(&reports[..10]));
    // And three that came in a class link, which has no links of their own.
    let mut small = ClassSet::new();
    small.add_text("pasted text", &chat(&reports[10..13]));
    let class_link = small.link("https://teacher.example.net/tvp/").unwrap();
    set.add_text("class link", &class_link);
    assert_eq!(set.members().len(), 13);
    assert!(set.members()[12].link.is_none());

    let file = set.to_file();
    let json: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(json[FILE_KEY], FILE_VERSION);
    assert_eq!(json["runs"].as_array().unwrap().len(), 13);
    let back = read(&file);
    assert!(back.problems().is_empty(), "{:?}", back.problems());
    let ids = |s: &ClassSet| {
        s.members()
            .iter()
            .map(|m| identity(&m.report))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&back), ids(&set));
    assert_eq!(back.groups().len(), 1);
    assert_eq!(back.groups()[0].series, set.groups()[0].series);
    // Read twice, it is the same set.
    let mut twice = back.clone();
    twice.add_text("again", &file);
    assert_eq!(twice.members().len(), 13);
    assert_eq!(twice.duplicates().len(), 13);

    let cut = &file[..file.len() / 2];
    let broken = read(cut);
    assert!(broken.is_empty());
    let [p] = broken.problems() else {
        panic!("{:?}", broken.problems())
    };
    assert!(matches!(p.reason, Reason::Json(_)), "{:?}", p.reason);
    assert!(
        p.to_string()
            .contains("not readable as JSON: EOF while parsing"),
        "{p}"
    );

    let newer = file.replacen(
        &format!("\"{FILE_KEY}\": {FILE_VERSION}"),
        &format!("\"{FILE_KEY}\": {}", FILE_VERSION + 1),
        1,
    );
    let refused = read(&newer);
    assert!(refused.is_empty());
    assert_eq!(
        refused.problems()[0].reason.to_string(),
        "the class-set file was made by a newer version (version 2; this page reads versions up to 1)"
    );
    let no_runs = read(&format!("{{\"{FILE_KEY}\": 1}}"));
    assert!(matches!(no_runs.problems()[0].reason, Reason::NotARun(_)));
}

#[test]
fn a_class_link_carries_a_class_or_says_to_use_the_file() {
    let reports = class();
    let set = read(&chat(&reports));
    let page = "https://teacher.example.net/tvp/?w=cpu#r=old";
    let class_link = set.link(page).unwrap();
    assert!(
        class_link.starts_with("https://teacher.example.net/tvp/?class=1#c="),
        "{class_link}"
    );
    let chars = class_link.chars().count();
    assert!(chars <= MAX_LINK_CHARS, "{chars}");
    println!("24 runs of lesson 1 in a class link of {chars} characters");
    assert_eq!(bytes_of(&class_link, "c=")[0], CLASS_FORMAT);

    // Pasted into chat text, next to one of its own runs.
    let back = read(&format!(
        "the class: {class_link} and {}",
        link(&reports[0])
    ));
    assert_eq!(back.members().len(), 24);
    assert_eq!(back.duplicates().len(), 1);
    assert_eq!(
        back.members()[3].place,
        Place {
            at: At::Line(1),
            run: Some(4)
        }
    );
    let ids = |s: &ClassSet| {
        s.members()
            .iter()
            .map(|m| identity(&m.report))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&back), ids(&set));
    assert_eq!(back.groups()[0].series, set.groups()[0].series);
    assert!(
        back.members()
            .iter()
            .all(|m| m.report.results.iter().all(|r| r.spans.is_empty())),
        "a class link carries no timelines"
    );

    let mut big = ClassSet::new();
    for n in 0..300 {
        let r = run(1000 + n, 4, CHROME, LESSON_1);
        big.add_text("pasted text", &link(&r));
    }
    let err = big.link(page).unwrap_err();
    let LinkError::TooLong { runs, chars, max } = err.clone() else {
        panic!("{err:?}")
    };
    assert_eq!((runs, max), (300, MAX_LINK_CHARS));
    assert!(chars > max);
    assert_eq!(
        err.to_string(),
        format!("a set of 300 runs is too large for a link ({chars} characters, at most 8000): use the file")
    );
    assert_eq!(ClassSet::new().link(page), Err(LinkError::Empty));
}

#[test]
fn a_damaged_class_link_is_named_and_a_newer_one_too() {
    let reports = class();
    let set = read(&chat(&reports[..4]));
    let good = set.link("https://h/").unwrap();
    let mut bytes = bytes_of(&good, "c=");
    bytes[0] = CLASS_FORMAT + 1;
    let newer = with_bytes(&good, "c=", &bytes);
    let cut = &good[..good.len() - 30];
    let read_back = read(&format!("{newer}\n{cut}"));
    let reasons: Vec<String> = read_back
        .problems()
        .iter()
        .map(|p| p.reason.to_string())
        .collect();
    assert_eq!(
        reasons,
        [
            "the link was made by a newer version (format 2; this page reads formats up to 1) (a class-set link)",
            "the link's results are truncated (a class-set link)",
        ]
    );
}

// ---- fuzzing ----

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
}

const ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=#%+/ &\n\"[]{}:,\xc3";

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut b = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let i = rng.below(b.len() + 1);
        let c = ALPHABET[rng.below(ALPHABET.len())];
        match rng.below(4) {
            0 if i < b.len() => b[i] = c,
            1 => b.insert(i, c),
            2 if i < b.len() => {
                b.remove(i);
            }
            _ => b.truncate(i),
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// A class link around any bytes, sealed so that they pass the checksum.
fn sealed_class_link(raw: &[u8]) -> String {
    format!(
        "https://h/?class=1#{}",
        share::seal_in(&tvp::class::CLASS_LINK, CLASS_FORMAT, raw)
    )
}

#[test]
fn thousands_of_damaged_class_links_and_files_never_panic() {
    let reports = class();
    let set = read(&chat(&reports[..6]));
    let good = set.link("https://h/").unwrap();
    let file = set.to_file();
    let raw = {
        let b = bytes_of(&good, "c=");
        miniz_oxide::inflate::decompress_to_vec(&b[5..]).unwrap()
    };
    let mut rng = Rng(0x5EED_C1A5);
    let (mut total, mut runs) = (0, 0);
    for _ in 0..1_500 {
        let mut raw = raw.clone();
        for _ in 0..1 + rng.below(3) {
            let i = rng.below(raw.len());
            match rng.below(3) {
                0 => raw[i] ^= 1 << rng.below(8),
                1 => raw[i] = rng.next() as u8,
                _ => raw.truncate(i),
            }
        }
        for text in [
            mutate(&good, &mut rng),
            sealed_class_link(&raw),
            mutate(&file, &mut rng),
            String::from_utf8_lossy(
                &(0..rng.below(200))
                    .map(|_| rng.next() as u8)
                    .collect::<Vec<_>>(),
            )
            .into_owned(),
        ] {
            let s = read(&text);
            for p in s.problems() {
                assert!(!p.to_string().is_empty());
            }
            runs += s.members().len();
            total += 1;
        }
    }
    println!("{total} inputs, {runs} runs still read");
    assert!(total >= 6_000);
}

// ---- scale ----

/// The page's budget is 500 links read and drawn in 1 s with no task over
/// 50 ms: here, the reading, in slices of 25 units, timed natively (a
/// figure to compare, not a test of speed).
#[test]
fn five_hundred_links_are_read_in_slices() {
    let reports: Vec<Report> = (0..500)
        .map(|n| {
            let cores = [2, 4, 8, 16][n as usize % 4];
            run(n, cores, ENGINES[n as usize % 3].0, LESSON_1)
        })
        .collect();
    let text = chat(&reports);
    for count in [50, 500] {
        let lines: Vec<&str> = text.lines().take(count + 2).collect();
        let text = lines.join("\n");
        let mut set = ClassSet::new();
        let mut intake = Intake::new("pasted text", text);
        let (mut slices, mut longest) = (0, 0.0f64);
        let start = Instant::now();
        loop {
            let t = Instant::now();
            let more = intake.step(&mut set, 25);
            longest = longest.max(t.elapsed().as_secs_f64() * 1e3);
            slices += 1;
            if !more {
                break;
            }
        }
        let read_ms = start.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let groups = set.groups();
        let group_ms = t.elapsed().as_secs_f64() * 1e3;
        assert_eq!(set.members().len(), count);
        let (read, known) = intake.progress();
        assert_eq!(read, known);
        assert_eq!(groups.len(), 1);
        println!(
            "{count} links: read in {read_ms:.0} ms over {slices} slices of 25 (longest {longest:.1} ms), grouped in {group_ms:.1} ms"
        );
    }
}

#[test]
fn a_class_without_predictions_has_no_prediction_line() {
    let set = read(&chat(&class()));
    assert!(prediction_lines(&set, &set.groups()).is_empty());
}

#[test]
fn the_class_s_predictions_are_set_against_its_results() {
    use tvp::predict::{Confidence, Prediction};
    // Every run predicted GIL threads faster but three, which predicted
    // them about as fast as one thread; the runs bore out their own
    // speedups (GIL threads near 1× on every machine here).
    let mut runs = class();
    for (i, r) in runs.iter_mut().enumerate() {
        let choice = if i < 3 { "same" } else { "faster" };
        r.predictions = vec![Prediction {
            model: ModelId::Gil,
            choice: choice.into(),
            confidence: Confidence::Sure,
            right: None,
        }];
    }
    let gil_same = runs
        .iter()
        .filter(|r| {
            let s = r.results.iter().find(|x| x.model == ModelId::Gil).unwrap();
            s.correct && s.suspect.is_none() && (0.85..=1.15).contains(&s.speedup.unwrap())
        })
        .count();
    let set = read(&chat(&runs));
    let groups = set.groups();
    let tallies = tvp::class::prediction_tallies(&set, &groups[0]);
    assert_eq!(tallies.len(), 1);
    let t = &tallies[0];
    assert_eq!((t.model, t.predicted), (Some(ModelId::Gil), 24));
    let answer = |a: &str| t.answers.iter().find(|x| x.0 == a).map(|x| (x.1, x.2));
    assert_eq!(answer("faster").map(|x| x.0), Some(21));
    assert_eq!(answer("same").map(|x| x.0), Some(3));
    assert_eq!(answer("same").map(|x| x.1), Some(gil_same));
    let lines = prediction_lines(&set, &groups);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let faster_borne = answer("faster").unwrap().1;
    assert_eq!(
        lines[0],
        format!(
            "GIL threads: 21 of 24 runs predicted faster than one thread; {faster_borne} of {} runs {}",
            t.judged,
            if faster_borne == 1 { "was" } else { "were" }
        )
    );
}

#[test]
fn a_class_link_holds_each_run_as_its_share_document() {
    let r = &class()[7];
    let (format, raw) = share::document(r, true);
    let (whole, dropped) = share::from_document(format, &raw, Intervals::Bootstrap).unwrap();
    assert_eq!(whole, share::decode(&share::encode(r).fragment).unwrap());
    assert!(dropped.is_empty());
    let (format, raw) = share::document(r, false);
    let (bare, dropped) = share::from_document(format, &raw, Intervals::Bootstrap).unwrap();
    assert_eq!(
        dropped.len(),
        r.results.len(),
        "each timeline is said to be left out"
    );
    assert_eq!(identity(&bare), identity(r));
    assert_eq!(
        share::from_document(FORMAT + 1, &raw, Intervals::Bootstrap).unwrap_err(),
        ShareError::NewerFormat {
            found: FORMAT + 1,
            reads: FORMAT
        }
    );

    // A run of a newer format inside a class link: named, the others kept.
    let docs = vec![
        (format, raw.clone()),
        (FORMAT + 1, raw.clone()),
        (format, vec![1, 2, 3]),
    ];
    let text = sealed_class_link(&postcard::to_allocvec(&docs).unwrap());
    let set = read(&format!("\n{text}"));
    assert_eq!(set.members().len(), 1);
    let problems: Vec<String> = set
        .problems()
        .iter()
        .map(|p| format!("{}: {}", p.place, p.reason))
        .collect();
    assert_eq!(problems.len(), 2);
    assert!(
        problems[0]
            .starts_with("line 2, run 2 of its class link: the link was made by a newer version"),
        "{}",
        problems[0]
    );
    assert!(
        problems[1].starts_with("line 2, run 3 of its class link: the link's results are damaged"),
        "{}",
        problems[1]
    );
}
