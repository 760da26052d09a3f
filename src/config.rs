//! A run configuration and its URL form (`docs/url.md`, generated from the
//! specs here and in each workload).
//!
//! Parsing never fails as a whole: each bad key is reported with its value
//! and limit and replaced by its default, so one typo keeps the rest of a link.

use crate::format::decimal;
use crate::models::ModelId;
use crate::params::{DefaultValue, Kind, ParamSpec};
use crate::workloads::{self, lookup, ParamError, Workload};
use serde_json::{Map, Value};

/// The most workers a run may ask for; the sweep stops here too.
pub const MAX_WORKERS: u64 = 64;

const MODEL_IDS: [&str; ModelId::ALL.len()] = {
    let mut out = [""; ModelId::ALL.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = ModelId::ALL[i].id();
        i += 1;
    }
    out
};

pub const W: ParamSpec = ParamSpec {
    key: "w",
    label: "Workload",
    help: "the lesson's experiment",
    kind: Kind::Choice(&workloads::WORKLOAD_IDS),
    default: DefaultValue::Word("cpu"),
};
pub const MODELS: ParamSpec = ParamSpec {
    key: "models",
    label: "Models",
    help: "the execution models to compare, in this order",
    kind: Kind::List(&MODEL_IDS),
    default: DefaultValue::List("seq,threads,gil,procs"),
};
pub const WORKERS: ParamSpec = ParamSpec {
    key: "workers",
    label: "Workers",
    help: "threads or processes per model",
    kind: Kind::Int {
        min: 1,
        max: MAX_WORKERS,
    },
    default: DefaultValue::Cores,
};
pub const REPEATS: ParamSpec = ParamSpec {
    key: "repeats",
    label: "Repeats",
    help: "measured runs per model",
    kind: Kind::Int { min: 1, max: 50 },
    default: DefaultValue::Int(5),
};
pub const WARMUP: ParamSpec = ParamSpec {
    key: "warmup",
    label: "Warm-up",
    help: "unmeasured runs first",
    kind: Kind::Int { min: 0, max: 5 },
    default: DefaultValue::Int(1),
};
pub const SWITCH_MS: ParamSpec = ParamSpec {
    key: "switch_ms",
    label: "GIL switch interval",
    help: "ms a waiting thread waits before it asks for the GIL",
    kind: Kind::Float {
        min: 0.1,
        max: 100.0,
    },
    default: DefaultValue::Float(5.0),
};
pub const PROCS: ParamSpec = ParamSpec {
    key: "procs",
    label: "Processes",
    help: "hybrid: process workers, each with a pool of threads",
    kind: Kind::Int { min: 1, max: 16 },
    default: DefaultValue::Cores,
};
pub const THREADS: ParamSpec = ParamSpec {
    key: "threads",
    label: "Threads per process",
    help: "hybrid: threads in each process (4 in the io lesson unless given)",
    kind: Kind::Int { min: 1, max: 16 },
    default: DefaultValue::Int(1),
};
pub const HYBRID_GIL: ParamSpec = ParamSpec {
    key: "hybrid_gil",
    label: "GIL in each process",
    help: "hybrid: each process's threads share a GIL of their own, as CPython's do",
    kind: Kind::Flag,
    default: DefaultValue::Off,
};
/// What waiting I/O tasks overlap with by default: four threads per
/// process, as a thread pool for downloads would have.
pub const IO_THREADS: u32 = 4;
pub const RUN: ParamSpec = ParamSpec {
    key: "run",
    label: "Start at once",
    help: "start the run as soon as the page is ready",
    kind: Kind::Flag,
    default: DefaultValue::Off,
};
pub const EMBED: ParamSpec = ParamSpec {
    key: "embed",
    label: "Embed",
    help:
        "one lesson compactly, for an iframe: its question, Run, the speedup chart and the verdicts",
    kind: Kind::Flag,
    default: DefaultValue::Off,
};
pub const PRESENT: ParamSpec = ParamSpec {
    key: "present",
    label: "Present",
    help: "large type for a projector: the chart and the verdicts large, the controls minimal",
    kind: Kind::Flag,
    default: DefaultValue::Off,
};
pub const PREDICT: ParamSpec = ParamSpec {
    key: "predict",
    label: "Predict first",
    help: "ask: a prediction before Run, skippable; 1: a teacher's link asks for one, and \
           run=1 waits for it; 0: never ask",
    kind: Kind::Choice(&["ask", "1", "0"]),
    default: DefaultValue::Word("ask"),
};
pub const ORIGIN: ParamSpec = ParamSpec {
    key: "origin",
    label: "Host origin",
    help: "with embed=1: the only origin the embed posts its prediction and report to \
           (any page that embeds it when left out)",
    kind: Kind::Origin,
    default: DefaultValue::Word("*"),
};
pub const CLASS: ParamSpec = ParamSpec {
    key: "class",
    label: "Class view",
    help: "the class view: paste many share links (or drop their exports) and read them on \
           one chart per lesson",
    kind: Kind::Flag,
    default: DefaultValue::Off,
};
pub const SWEEP: ParamSpec = ParamSpec {
    key: "sweep",
    label: "Scaling sweep",
    help: "also run every model at 1 to 2 × cores workers",
    kind: Kind::Flag,
    default: DefaultValue::Off,
};
pub const SIZES: ParamSpec = ParamSpec {
    key: "sizes",
    label: "Size series",
    help: "also run every via over a series of buffer sizes",
    kind: Kind::Flag,
    default: DefaultValue::Off,
};

pub const MIX: ParamSpec = ParamSpec {
    key: "mix",
    label: "I/O share sweep",
    help: "io lesson: also run every model with 0, 25, 50, 75 and 100% of each task waiting",
    kind: Kind::Flag,
    default: DefaultValue::Off,
};

/// The keys of a run, whatever its workload, in the order of the docs.
pub const RUN_PARAMS: &[ParamSpec] = &[
    W, MODELS, WORKERS, PROCS, THREADS, HYBRID_GIL, REPEATS, WARMUP, SWITCH_MS, RUN, SWEEP, SIZES,
    MIX, EMBED, PRESENT, PREDICT, ORIGIN, CLASS,
];

/// When the page asks for a prediction (`predict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PredictMode {
    /// Before Run, skippable by one click; a `run=1` link starts at once.
    Ask,
    /// A teacher's link: as `Ask`, and a `run=1` link waits for the
    /// reader to predict or to run without predicting.
    Required,
    Never,
}

/// The spec of a run key or of a key of any workload.
pub fn spec_of(key: &str) -> Option<&'static ParamSpec> {
    crate::params::find(RUN_PARAMS, key).or_else(|| {
        workloads::WORKLOAD_IDS
            .iter()
            .filter_map(|w| workloads::params_of(w))
            .find_map(|specs| crate::params::find(specs, key))
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    pub workload: Workload,
    pub models: Vec<ModelId>,
    pub workers: u32,
    /// `hybrid`: process workers and threads in each.
    pub procs: u32,
    pub threads: u32,
    pub hybrid_gil: bool,
    pub repeats: u32,
    pub warmup: u32,
    pub switch_ms: f64,
    pub run: bool,
    pub sweep: bool,
    /// `transfer` only: repeat over buffer sizes 1 KiB–64 MiB for every via.
    pub sizes: bool,
    /// `io` only: repeat with each task waiting 0, 25, 50, 75, 100% of its work.
    pub mix: bool,
    /// How the page shows itself (an iframe's compact view, a projector's
    /// large one); like `run`, not part of a run's link.
    pub embed: bool,
    pub present: bool,
    /// Like `embed`, how the page behaves, not what was run.
    pub predict: PredictMode,
    /// `embed=1`: the only origin the embed posts its messages to; `None`
    /// for any page that embeds it.
    pub origin: Option<String>,
    /// The class view instead of a lesson.
    pub class: bool,
}

impl RunConfig {
    /// The spec's default list.
    pub fn default_models() -> Vec<ModelId> {
        let DefaultValue::List(list) = MODELS.default else {
            unreachable!("models defaults to a list")
        };
        list.split(',').filter_map(ModelId::parse).collect()
    }

    pub fn with_cores(cores: u32) -> RunConfig {
        RunConfig::from_pairs(&[], cores).0
    }

    /// The configuration a report was made with, from its `config` document.
    pub fn from_map(map: &Map<String, Value>, cores: u32) -> (RunConfig, Vec<ParamError>) {
        RunConfig::from_pairs(&pairs_from_map(map), cores)
    }

    /// Parses `pairs` (a decoded query string). `cores` gives the default
    /// worker count, as `navigator.hardwareConcurrency` does in the page.
    pub fn from_pairs(pairs: &[(String, String)], cores: u32) -> (RunConfig, Vec<ParamError>) {
        let mut errors = Vec::new();
        let DefaultValue::Word(default_w) = W.default else {
            unreachable!("w defaults to a word")
        };
        let w = lookup(pairs, W.key).unwrap_or(default_w);
        let workload = match Workload::from_pairs(w, pairs, &mut errors) {
            Some(wl) => wl,
            None => {
                errors.push(ParamError::new(W.key, w, W.limit()));
                // The default lesson, but the parameters the link gave are still read.
                Workload::from_pairs(default_w, pairs, &mut errors).expect("the default exists")
            }
        };

        let mut models = RunConfig::default_models();
        if let Some(raw) = lookup(pairs, MODELS.key) {
            match parse_models(raw) {
                Ok(m) => models = m,
                Err(bad) => errors.push(ParamError::new(MODELS.key, raw, bad)),
            }
        }
        let cores = u64::from(cores).clamp(1, MAX_WORKERS);
        let mut cfg = RunConfig {
            workload,
            models,
            workers: WORKERS.int_or(pairs, cores, &mut errors) as u32,
            procs: PROCS.int_or(pairs, cores.min(16), &mut errors) as u32,
            threads: THREADS.int_or(
                pairs,
                if w == "io" { u64::from(IO_THREADS) } else { 1 },
                &mut errors,
            ) as u32,
            hybrid_gil: HYBRID_GIL.flag(pairs, &mut errors),
            repeats: REPEATS.int(pairs, &mut errors) as u32,
            warmup: WARMUP.int(pairs, &mut errors) as u32,
            switch_ms: SWITCH_MS.float(pairs, &mut errors),
            run: RUN.flag(pairs, &mut errors),
            sweep: SWEEP.flag(pairs, &mut errors),
            sizes: SIZES.flag(pairs, &mut errors),
            mix: MIX.flag(pairs, &mut errors),
            embed: EMBED.flag(pairs, &mut errors),
            present: PRESENT.flag(pairs, &mut errors),
            predict: PREDICT.choice(
                pairs,
                &[
                    ("ask", PredictMode::Ask),
                    ("1", PredictMode::Required),
                    ("0", PredictMode::Never),
                ],
                &mut errors,
            ),
            origin: ORIGIN.origin(pairs, &mut errors),
            class: CLASS.flag(pairs, &mut errors),
        };
        match &cfg.workload {
            Workload::Io(io) if cfg.mix && io.cpu_n == 0 => {
                errors.push(ParamError::new(
                    MIX.key,
                    "1",
                    "the I/O share sweep trades waiting for computing: it needs cpu_n > 0 \
                     (the CPU part of a task at 0% I/O)",
                ));
                cfg.mix = false;
            }
            Workload::Io(io) if cfg.mix && io.convoy.is_some() => {
                errors.push(ParamError::new(
                    MIX.key,
                    "1",
                    "the I/O share sweep and the convoy are two experiments: turn one off \
                     (mix=0 or convoy=0)",
                ));
                cfg.mix = false;
            }
            Workload::Io(_) => {}
            _ if cfg.mix => {
                errors.push(ParamError::new(
                    MIX.key,
                    "1",
                    "the I/O share sweep belongs to the io lesson (w=io)",
                ));
                cfg.mix = false;
            }
            _ => {}
        }
        if cfg.sizes && cfg.workload.id() != "transfer" {
            errors.push(ParamError::new(
                SIZES.key,
                "1",
                "the size series belongs to the transfer lesson (w=transfer)",
            ));
            cfg.sizes = false;
        }
        check_memory(&mut cfg, pairs, &mut errors);
        if cfg.procs * cfg.threads > MAX_WORKERS as u32 {
            errors.push(ParamError::new(
                THREADS.key,
                lookup(pairs, THREADS.key).unwrap_or("?"),
                format!(
                    "procs × threads is {} × {} = {}; at most {MAX_WORKERS} workers in all",
                    cfg.procs,
                    cfg.threads,
                    cfg.procs * cfg.threads
                ),
            ));
            cfg.threads = (MAX_WORKERS as u32 / cfg.procs).max(1);
        }
        (cfg, errors)
    }

    /// The URL keys of this configuration, in a stable order. `run` is left
    /// out: a shared link should not start work unless its author says so;
    /// and so are `embed`, `present`, `predict`, `origin` and `class`,
    /// which say how one page shows itself, not what was run.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![(W.key, self.workload.id().to_string())];
        out.extend(self.workload.to_pairs());
        out.push((
            MODELS.key,
            self.models
                .iter()
                .map(|m| m.id())
                .collect::<Vec<_>>()
                .join(","),
        ));
        out.push((WORKERS.key, self.workers.to_string()));
        // Only a run with `hybrid` uses them: other links stay short.
        if self.models.contains(&ModelId::Hybrid) {
            out.push((PROCS.key, self.procs.to_string()));
            out.push((THREADS.key, self.threads.to_string()));
            if self.hybrid_gil {
                out.push((HYBRID_GIL.key, "1".to_string()));
            }
        }
        out.push((REPEATS.key, self.repeats.to_string()));
        out.push((WARMUP.key, self.warmup.to_string()));
        out.push((SWITCH_MS.key, decimal(self.switch_ms)));
        if self.sweep {
            out.push((SWEEP.key, "1".to_string()));
        }
        if self.sizes {
            out.push((SIZES.key, "1".to_string()));
        }
        if self.mix {
            out.push((MIX.key, "1".to_string()));
        }
        out
    }
}

/// Every instance of the full build starts with this many 64 KiB pages of
/// memory: the linker is told so (`--initial-memory` in
/// `.cargo/config.toml`), so a process worker can make its memory itself
/// and know it is big enough.
pub const MEMORY_INITIAL_PAGES: u32 = 64;
/// The pages the module asks of the memory it is given: the linker's, and
/// one that wasm-bindgen's thread support adds past them for its own
/// counters. A process's memory starts at this.
pub const MODULE_INITIAL_PAGES: u32 = MEMORY_INITIAL_PAGES + 1;
/// How far the engine's memory (the one its threads share) may grow: the
/// module's maximum (`--max-memory` in `.cargo/config.toml`).
pub const ENGINE_MEMORY_MAX_MIB: u32 = 1024;
/// How far a process's memory may grow: room for the largest transfer
/// buffer (256 MiB) beside its own heap. Smaller than the engine's because
/// WebKit reserves address space for a shared memory's maximum when it is
/// made, about 32 GiB for all of a browser tab's memories: at 1 GiB each,
/// a page of 64 processes could not start.
pub const PROCESS_MEMORY_MAX_MIB: u32 = 384;
const _: () = assert!(PROCESS_MEMORY_MAX_MIB <= ENGINE_MEMORY_MAX_MIB);

/// The MiB of buffers the `transfer` lesson may hold at once. Thread models
/// keep the source and every task's buffer in the engine's wasm memory,
/// which is capped at 1 GiB; a run past it would abort, not report.
pub const TRANSFER_BUDGET_MIB: f64 = 768.0;

/// Per-lesson limits that depend on two keys at once.
fn check_memory(cfg: &mut RunConfig, pairs: &[(String, String)], errors: &mut Vec<ParamError>) {
    let Workload::Transfer(t) = &mut cfg.workload else {
        return;
    };
    let copies = f64::from(t.tasks) + 1.0;
    if t.mib * copies > TRANSFER_BUDGET_MIB {
        let limit = TRANSFER_BUDGET_MIB / copies;
        errors.push(ParamError::new(
            "mib",
            lookup(pairs, "mib").unwrap_or(&t.mib.to_string()),
            format!(
                "with tasks = {}, at most {:.1} MiB: the source and every task's buffer must fit in \
                 {TRANSFER_BUDGET_MIB:.0} MiB of the engine's wasm memory",
                t.tasks,
                (limit * 10.0).floor() / 10.0
            ),
        ));
        t.mib = crate::workloads::transfer::Transfer::default()
            .mib
            .min(limit);
    }
    let largest = crate::workloads::transfer::SIZES_BYTES
        .iter()
        .max()
        .copied()
        .unwrap_or(0) as f64
        / crate::workloads::transfer::MIB;
    if cfg.sizes && largest * copies > TRANSFER_BUDGET_MIB {
        errors.push(ParamError::new(
            "sizes",
            "1",
            format!(
                "the size series goes up to {largest:.0} MiB per task, so at most {} tasks",
                (TRANSFER_BUDGET_MIB / largest - 1.0).floor()
            ),
        ));
        cfg.sizes = false;
    }
}

/// A report's `config` document back as URL pairs: the one way from that
/// document to a query, used by the page and by the share codec. A list
/// key's array is joined with commas; anything else without a URL form
/// (`true`, `null`, a nested object) becomes its JSON text, which the parser
/// then names as a bad value rather than skipping silently.
pub fn pairs_from_map(map: &Map<String, Value>) -> Vec<(String, String)> {
    map.iter()
        .map(|(k, v)| {
            let is_list = spec_of(k).is_some_and(|s| matches!(s.kind, Kind::List(_)));
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Array(items) if is_list => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect()
}

/// A comma list of model ids, each at most once, not empty.
pub fn parse_models(raw: &str) -> Result<Vec<ModelId>, String> {
    let all = ModelId::ALL.map(|m| m.id()).join(", ");
    let mut models = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match ModelId::parse(part) {
            Some(m) if !models.contains(&m) => models.push(m),
            Some(_) => return Err(format!("\"{part}\" is listed twice")),
            None => {
                return Err(format!(
                    "\"{part}\" is not a model; use a comma list of {all}"
                ))
            }
        }
    }
    if models.is_empty() {
        return Err(format!("at least one of {all}"));
    }
    Ok(models)
}

/// Splits a query string (with or without its `?`) into decoded pairs.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Joins pairs into a query string (without `?`), escaping what a URL needs.
pub fn to_query<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                percent_encode(k.as_ref()),
                percent_encode(v.as_ref())
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], escaped) {
            (_, Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::cpu::Cpu;

    fn parse(q: &str) -> (RunConfig, Vec<ParamError>) {
        RunConfig::from_pairs(&parse_query(q), 2)
    }

    /// The memory sizes the engine tells a process are the linker's: a
    /// process memory smaller than the module's minimum would not link.
    #[test]
    fn memory_sizes_match_the_linker_and_fit_a_transfer() {
        let flags = include_str!("../.cargo/config.toml");
        let initial = u64::from(MEMORY_INITIAL_PAGES) * 65_536;
        let max = u64::from(ENGINE_MEMORY_MAX_MIB) << 20;
        assert!(
            flags.contains(&format!("--initial-memory={initial}")),
            "{flags}"
        );
        assert!(flags.contains(&format!("--max-memory={max}")), "{flags}");
        let largest = crate::workloads::transfer::PARAMS
            .iter()
            .find_map(|p| match p.kind {
                Kind::Float { max, .. } if p.key == "mib" => Some(max),
                _ => None,
            })
            .unwrap();
        // One task's buffer at a time, beside the instance's own heap.
        assert!(largest + 64.0 <= f64::from(PROCESS_MEMORY_MAX_MIB));
    }

    #[test]
    fn defaults_follow_design() {
        let (cfg, errors) = parse("");
        assert!(errors.is_empty());
        assert_eq!(
            cfg.workload,
            Workload::Cpu(Cpu {
                tasks: 4,
                n: 10_000_000
            })
        );
        assert_eq!(cfg.models, RunConfig::default_models());
        assert_eq!((cfg.workers, cfg.repeats, cfg.warmup), (2, 5, 1));
        assert_eq!(cfg.switch_ms, 5.0);
        assert!(!cfg.run && !cfg.sweep);
    }

    #[test]
    fn a_full_link_round_trips() {
        let (cfg, errors) = parse(
            "?w=cpu&tasks=8&n=2000000&models=seq,threads,procs&workers=3&repeats=7&warmup=0&switch_ms=0.5&run=1&sweep=1",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            cfg.workload,
            Workload::Cpu(Cpu {
                tasks: 8,
                n: 2_000_000
            })
        );
        assert_eq!(
            cfg.models,
            vec![ModelId::Seq, ModelId::Threads, ModelId::Procs]
        );
        assert_eq!((cfg.workers, cfg.repeats, cfg.warmup), (3, 7, 0));
        assert!(cfg.run && cfg.sweep);
        let again = RunConfig::from_pairs(&parse_query(&to_query(&cfg.to_pairs())), 2).0;
        assert_eq!(again, RunConfig { run: false, ..cfg });
    }

    #[test]
    fn one_bad_key_keeps_the_rest() {
        let (cfg, errors) = parse("workers=65&repeats=3&models=seq,threads");
        assert_eq!(
            errors,
            vec![ParamError::new(
                "workers",
                "65",
                "a whole number from 1 to 64"
            )]
        );
        assert_eq!(cfg.workers, 2, "falls back to the core count");
        assert_eq!(cfg.repeats, 3);
        assert_eq!(cfg.models, vec![ModelId::Seq, ModelId::Threads]);
    }

    #[test]
    fn unknown_workload_and_model_are_named() {
        let (cfg, errors) = parse("w=gpu&n=5&models=seq,greenlets");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].key, "w");
        assert_eq!(errors[0].value, "gpu");
        assert!(errors[0]
            .limit
            .contains("cpu, squares, io, spawn, counter, transfer, failure"));
        assert_eq!(errors[1].key, "models");
        assert!(errors[1].limit.contains("\"greenlets\" is not a model"));
        assert_eq!(
            cfg.workload,
            Workload::Cpu(Cpu { tasks: 4, n: 5 }),
            "n=5 is kept"
        );
        assert_eq!(cfg.models, RunConfig::default_models());
    }

    #[test]
    fn every_workload_parses_and_round_trips() {
        for id in workloads::WORKLOAD_IDS {
            let (cfg, errors) = parse(&format!("w={id}"));
            assert!(errors.is_empty(), "{id}: {errors:?}");
            assert_eq!(cfg.workload.id(), id);
            assert_eq!(Some(&cfg.workload), Workload::default_for(id).as_ref());
            let again = RunConfig::from_pairs(&parse_query(&to_query(&cfg.to_pairs())), 2);
            assert!(again.1.is_empty(), "{id}: {:?}", again.1);
            assert_eq!(again.0, cfg, "{id}");
        }
        let (cfg, errors) = parse("w=counter&sync=locked&tasks=3&increments=1e3");
        assert!(errors.is_empty());
        assert_eq!(
            cfg.workload.to_pairs(),
            vec![
                ("tasks", "3".to_string()),
                ("increments", "1000".to_string()),
                ("sync", "locked".to_string())
            ]
        );
        let (cfg, errors) = parse("w=transfer&via=teleport&mib=0.5");
        assert_eq!(
            errors,
            vec![ParamError::new(
                "via",
                "teleport",
                "one of copy, move, shared"
            )]
        );
        assert_eq!(
            cfg.workload.to_pairs()[1],
            ("mib", "0.5".to_string()),
            "the rest is kept"
        );
    }

    #[test]
    fn models_are_unique_and_runnable() {
        assert_eq!(
            parse_models("seq, procs"),
            Ok(vec![ModelId::Seq, ModelId::Procs])
        );
        assert!(parse_models("seq,seq")
            .unwrap_err()
            .contains("listed twice"));
        for m in ModelId::ALL {
            let parsed = parse_models(m.id());
            assert_eq!(parsed, Ok(vec![m]));
        }
        assert!(!RunConfig::default_models().is_empty());
    }

    #[test]
    fn switch_interval_and_flags_are_checked() {
        let (_, errors) = parse("switch_ms=0.01&run=yes&models=");
        let keys: Vec<_> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["models", "switch_ms", "run"]);
        assert_eq!(errors[1].limit, "a number from 0.1 to 100");
    }

    #[test]
    fn transfer_buffers_must_fit_the_engines_memory() {
        let (cfg, errors) = parse("w=transfer&tasks=64&mib=256");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].key, "mib");
        assert!(
            errors[0]
                .limit
                .starts_with("with tasks = 64, at most 11.8 MiB"),
            "{}",
            errors[0].limit
        );
        let Workload::Transfer(t) = cfg.workload else {
            panic!()
        };
        assert!(t.mib * 65.0 <= TRANSFER_BUDGET_MIB);
        assert!(parse("w=transfer&tasks=2&mib=256").1.is_empty());
        let (_, errors) = parse("w=transfer&tasks=16&sizes=1");
        assert_eq!(errors[0].key, "sizes");
        assert!(parse("w=transfer&tasks=10&sizes=1").1.is_empty());
    }

    #[test]
    fn query_escaping_round_trips() {
        let pairs = vec![("a b".to_string(), "x&y=z%".to_string())];
        assert_eq!(parse_query(&to_query(&pairs)), pairs);
        assert_eq!(
            parse_query("k=%zz&m=%4"),
            vec![("k".into(), "%zz".into()), ("m".into(), "%4".into())]
        );
    }
}
