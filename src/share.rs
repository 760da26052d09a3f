//! Report <-> URL fragment: the results half of a share link.
//!
//! The configuration already lives in the readable query string; after a run
//! the link also carries the report in its fragment, which never reaches a
//! server:
//!
//! ```text
//! https://host/page/?w=cpu&models=seq,threads#r=<base64url, no padding>
//! ```
//!
//! The base64url payload is, byte by byte:
//!
//! | bytes | what |
//! |---|---|
//! | 0 | share format, [`FORMAT`] |
//! | 1–4 | CRC-32 (IEEE, little-endian) of the bytes from 5 on |
//! | 5… | raw deflate of the postcard encoding of the private wire document |
//!
//! The format byte sits outside the compressed part so that a page can name
//! a newer format without guessing at its layout. Deflate stops at the end of
//! its own stream and would ignore bytes after it, and carries no checksum of
//! its own, so the CRC is what notices a changed or extended link.
//!
//! What the wire keeps:
//! - samples, figures, sweep and size points as exact `f64`, and the
//!   clock's resolution, so the derived numbers (medians, min/max, speedups,
//!   efficiencies, bootstrap intervals, MADs, outliers, warnings, USL fits),
//!   recomputed on decode by [`Report::derive`] as for a local run, equal
//!   the original's bit for bit;
//! - spans in whole microseconds (off by at most 0.5 µs; a time that is not
//!   finite becomes 0), as columns of small varints, because a GIL run has
//!   thousands of them and browsers' clocks are no finer than 5 µs anyway;
//! - the configuration as its query string whenever that rebuilds the same
//!   JSON map, else as JSON;
//! - of the counter lesson's interleavings, the counts and the examples
//!   the report keeps, never the trace they came from;
//! - the models measured while the page was hidden, so that an opened
//!   link marks the same figures suspect;
//! - not `share_url`: the caller knows the link it came from, so a decoded
//!   report has it empty.

use crate::calibrate::Calibration;
use crate::config::{pairs_from_map, parse_query, to_query};
use crate::interleaving::{Event, Op};
use crate::models::{ModelId, Span, SpanKind, TaskError};
use crate::predict::{Confidence, Prediction};
use crate::report::{
    config_map_from_pairs, ConvoyPoint, Env, HandoverBar, Interleaving, Intervals, MixPoint,
    ModelResult, Report, SizePoint, SweepPoint,
};
use crate::workloads::transfer::Via;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::{DecodeError, Engine};
use miniz_oxide::inflate::TINFLStatus;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// The newest share format this page writes and reads. Format 1 is the
/// wire document alone; format 2 is the same document followed by the io
/// lesson's I/O share points; format 3 adds the convoy's points after
/// those; format 4 the machine's limits after those; format 5 makes the
/// limits optional and adds the copy-in limit and the transfer breakdown;
/// format 6 adds the reader's predictions after those; format 7 the
/// counter lesson's interleavings after those; format 8 the models
/// measured while the page was hidden after those.
/// Each is written only for a report that needs it, so every other link
/// stays in the oldest format that holds it and older pages read it.
pub const FORMAT: u8 = 8;
const FORMAT_DOC_ONLY: u8 = 1;
const FORMAT_MIX: u8 = 2;
const FORMAT_CONVOY: u8 = 3;
const FORMAT_LIMITS: u8 = 4;
const FORMAT_TRANSFER: u8 = 5;
const FORMAT_PREDICTIONS: u8 = 6;
const FORMAT_INTERLEAVINGS: u8 = 7;
const FORMAT_BACKGROUND: u8 = 8;
/// Longer links are cut by chat apps, mail clients and some servers; the
/// page warns instead of handing one out.
pub const MAX_LINK_CHARS: usize = 8_000;
/// What a typical report's fragment fits in (4 models, 5 samples each).
pub const TYPICAL_BUDGET: usize = 2_000;
/// The longest fragment [`decode`] looks at; anything longer is refused
/// before any work is done on it.
pub const MAX_FRAGMENT_CHARS: usize = 64 * 1024;
/// The most bytes the compressed payload may unpack to, so a small link
/// cannot make the page inflate gigabytes.
pub const MAX_UNPACKED_BYTES: usize = 64 * 1024;

/// The fragment's key: `#r=<payload>`.
const KEY: &str = "r=";
/// A format byte above this reads as noise rather than as a newer format:
/// formats grow one at a time, and random text would otherwise mostly be
/// "made by a newer version".
const PLAUSIBLE_FORMATS: u8 = 63;
const HEADER: usize = 5;
// Maximum deflate effort: links are made once and the payload is small.
const DEFLATE_LEVEL: u8 = 10;

// Padding is neither written nor required. Stray low bits in the last
// character are ignored: they change no byte, and refusing them would make a
// cut-off link read as "not base64" instead of "truncated".
const B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A part of the report left out to keep the link short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// The timeline (spans) of this model's result.
    Spans(ModelId),
    /// The named figures of every result.
    Figures,
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dropped::Spans(m) => write!(f, "the timeline of {m}"),
            Dropped::Figures => f.write_str("the figures"),
        }
    }
}

/// A report packed for a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// `r=<base64url>`, without the `#`.
    pub fragment: String,
    /// What was left out: timelines in result order, then the figures. The
    /// largest timelines go first, so the small ones usually stay.
    pub dropped: Vec<Dropped>,
    /// Even with everything droppable dropped, `share_url#fragment` is over
    /// [`MAX_LINK_CHARS`] (or too big for [`decode`]): warn, don't share.
    pub too_long: bool,
}

impl Encoded {
    /// The whole link: `base` (the page URL with its query) and the fragment.
    pub fn link(&self, base: &str) -> String {
        format!("{base}#{}", self.fragment)
    }
}

/// Whether `link` is over [`MAX_LINK_CHARS`].
pub fn link_too_long(link: &str) -> bool {
    link.chars().count() > MAX_LINK_CHARS
}

/// How a payload is sealed into a fragment: the key in front of it, the
/// newest format its readers know, and how far it may unpack. A share link
/// is [`REPORT`]; a link that carries several reports (the class set,
/// `crate::class`) has its own key and formats but the same layers, limits
/// and errors, so a damaged one of either reads the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope {
    /// `r=` for a report: what follows `#`.
    pub key: &'static str,
    pub newest: u8,
    pub max_unpacked: usize,
}

/// A share link's envelope.
pub const REPORT: Envelope = Envelope {
    key: KEY,
    newest: FORMAT,
    max_unpacked: MAX_UNPACKED_BYTES,
};

/// Why a fragment could not be read. `Display` says it in words for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    /// No payload after `#` / `r=`.
    Empty,
    /// Longer than [`MAX_FRAGMENT_CHARS`].
    TooLong { chars: usize, max: usize },
    /// A character outside base64url, counted from 1 in the fragment as given.
    BadBase64 { at: usize, found: char },
    /// The link was cut short.
    Truncated,
    /// Written by a later version of the page.
    NewerFormat { found: u8, reads: u8 },
    /// Unpacks to more than [`MAX_UNPACKED_BYTES`].
    TooLarge { limit: usize },
    /// Changed on the way: checksum, deflate stream or content does not hold.
    Damaged { detail: String },
}

impl ShareError {
    fn damaged(detail: impl Into<String>) -> ShareError {
        ShareError::Damaged {
            detail: detail.into(),
        }
    }
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::Empty => f.write_str("the link carries no results"),
            ShareError::TooLong { chars, max } => write!(
                f,
                "the link's results are too long to read ({chars} characters; at most {max})"
            ),
            ShareError::BadBase64 { at, found } => write!(
                f,
                "the link's results are not valid base64url at character {at} ({found:?})"
            ),
            ShareError::Truncated => f.write_str("the link's results are truncated"),
            ShareError::NewerFormat { found, reads } => write!(
                f,
                "the link was made by a newer version (format {found}; this page reads formats up to {reads})"
            ),
            ShareError::TooLarge { limit } => write!(
                f,
                "the link's results are larger than {} KiB once unpacked",
                limit / 1024
            ),
            ShareError::Damaged { detail } => {
                write!(f, "the link's results are damaged ({detail})")
            }
        }
    }
}

impl std::error::Error for ShareError {}

// ---- the wire document (format 1) ----
// Private and frozen: field order, types and the codes below are the format.
// Changing any of them means a new FORMAT.

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ShareDoc {
    report_version: u32,
    env: WireEnv,
    config: WireConfig,
    results: Vec<WireResult>,
    sweep: Vec<WireSweep>,
    sizes: Vec<WireSize>,
    figures_dropped: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WireEnv {
    cores: u32,
    isolated: bool,
    user_agent: String,
    build: String,
    date: String,
    timer_resolution_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum WireConfig {
    Query(String),
    Json(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WireResult {
    model: u8,
    workers: u32,
    samples_ms: Vec<f64>,
    correct: bool,
    value: String,
    expected: String,
    lost_updates: Option<String>,
    errors: Vec<(u32, String)>,
    figures: BTreeMap<String, f64>,
    spans: WireSpans,
    spans_dropped: bool,
}

/// Spans as columns: like values next to like compress far better than
/// interleaved records. Starts are deltas from the previous span's start and
/// ends are deltas from their own start, both in µs, so most are 1–3 bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct WireSpans {
    worker: Vec<u32>,
    task: Vec<u32>,
    kind: Vec<u8>,
    start_delta_us: Vec<i64>,
    length_us: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WireSweep {
    model: u8,
    workers: u32,
    median_ms: Option<f64>,
    speedup: Option<f64>,
}

/// Format 2's addition, after the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WireMix {
    model: u8,
    io_pct: u32,
    median_ms: f64,
    speedup: Option<f64>,
}

/// Format 3's addition, after the mix points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WireConvoy {
    model: u8,
    switch_ms: f64,
    uses_switch: bool,
    answers: u32,
    p50_ms: Option<f64>,
    p99_ms: Option<f64>,
    max_ms: Option<f64>,
}

/// Format 4's addition, after the convoy points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WireCalibration {
    timer_resolution_ms: Option<f64>,
    cores: u32,
    worker_start_ms: Option<f64>,
    instantiate_ms: Option<f64>,
    process_start_ms: Option<f64>,
    message_rtt_us: Option<f64>,
    atomics_rtt_us: Option<f64>,
    memcpy_gbps: Option<f64>,
    memcpy_cold_gbps: Option<f64>,
}

/// Format 5's addition, after the (then optional) limits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct WireFive {
    copy_in_gbps: Option<f64>,
    handovers: Vec<WireHandover>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WireHandover {
    model: u8,
    cold: bool,
    tasks: u32,
    bytes: u64,
    phases_ms: [f64; 5],
}

/// Format 6's addition, after format 5's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct WireSix {
    predictions: Vec<WirePrediction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WirePrediction {
    model: u8,
    choice: u8,
    confidence: u8,
    right: Option<bool>,
}

/// Format 7's addition, after format 6's: per model, the length of its
/// trace, the lost updates found and the first examples (never the whole
/// trace, which can be thousands of events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WireInterleaving {
    model: u8,
    events: u64,
    lost: u64,
    examples: Vec<Vec<WireEvent>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WireEvent {
    worker: u32,
    op: u8,
    value: u64,
    order: u64,
    replaced: Option<u64>,
    switched: bool,
}

/// What follows the document: empty in format 1.
#[derive(Debug, Clone, Default, PartialEq)]
struct Extras {
    mix: Vec<WireMix>,
    convoy: Vec<WireConvoy>,
    calibration: Option<WireCalibration>,
    five: WireFive,
    six: WireSix,
    interleavings: Vec<WireInterleaving>,
    /// Format 8's addition, after format 7's: the model codes of
    /// [`Report::background`].
    background: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WireSize {
    model: u8,
    via: u8,
    bytes: u64,
    median_ms: f64,
}

/// The byte each model, span kind and transfer mode has in a link, one
/// table per enum, read both ways. Frozen: every link made before decodes
/// with these bytes, so a new value takes a new byte and none changes.
const MODEL_CODES: [(ModelId, u8); 8] = [
    (ModelId::Seq, 0),
    (ModelId::Threads, 1),
    (ModelId::Gil, 2),
    (ModelId::OldGil, 3),
    (ModelId::Procs, 4),
    (ModelId::Fork, 5),
    (ModelId::Async, 6),
    (ModelId::Hybrid, 7),
];
const KIND_CODES: [(SpanKind, u8); 5] = [
    (SpanKind::Run, 0),
    (SpanKind::GilWait, 1),
    (SpanKind::Io, 2),
    (SpanKind::Spawn, 3),
    (SpanKind::LoopWait, 4),
];
const VIA_CODES: [(Via, u8); 3] = [(Via::Copy, 0), (Via::Move, 1), (Via::Shared, 2)];
const OP_CODES: [(Op, u8); 4] = [(Op::Read, 0), (Op::Write, 1), (Op::Wait, 2), (Op::Add, 3)];

/// Every answer a lesson's question offers (`crate::verdict::question`);
/// a choice two lessons share ("some") is one code.
const CHOICE_CODES: [(&str, u8); 13] = [
    ("slower", 0),
    ("same", 1),
    ("faster", 2),
    ("one", 3),
    ("some", 4),
    ("all", 5),
    ("fastest", 6),
    ("slowest", 7),
    ("none", 8),
    ("most", 9),
    ("error", 10),
    ("text", 11),
    ("nothing", 12),
];

const CONFIDENCE_CODES: [(Confidence, u8); 2] = [(Confidence::Sure, 0), (Confidence::Guessing, 1)];

/// `value`'s byte in `table`; every value has one (a test checks each
/// enum's table is whole).
fn code<T: Copy + PartialEq + fmt::Debug>(table: &[(T, u8)], value: T) -> u8 {
    table
        .iter()
        .find_map(|&(v, c)| (v == value).then_some(c))
        .unwrap_or_else(|| panic!("{value:?} has no code in a share link"))
}

/// The value whose byte in `table` is `c`; a byte no table gives is damage,
/// named with `what` it should have been.
fn from_code<T: Copy>(table: &[(T, u8)], c: u8, what: &str) -> Result<T, ShareError> {
    table
        .iter()
        .find_map(|&(v, k)| (k == c).then_some(v))
        .ok_or_else(|| ShareError::damaged(format!("unknown {what} {c}")))
}

fn model_code(m: ModelId) -> u8 {
    code(&MODEL_CODES, m)
}

fn model_from_code(c: u8) -> Result<ModelId, ShareError> {
    from_code(&MODEL_CODES, c, "model code")
}

fn to_us(ms: f64) -> i64 {
    if ms.is_finite() {
        // `as` saturates, so absurd times cannot overflow.
        (ms * 1000.0).round() as i64
    } else {
        0
    }
}

fn from_us(us: i64) -> f64 {
    us as f64 / 1000.0
}

impl WireSpans {
    fn pack(spans: &[Span]) -> WireSpans {
        let mut w = WireSpans::default();
        let mut prev_start = 0i64;
        for s in spans {
            let (start, end) = (to_us(s.start_ms), to_us(s.end_ms));
            w.worker.push(s.worker);
            w.task.push(s.task);
            w.kind.push(code(&KIND_CODES, s.kind));
            // Wrapping both ways makes the deltas an exact inverse for any i64.
            w.start_delta_us.push(start.wrapping_sub(prev_start));
            w.length_us.push(end.wrapping_sub(start));
            prev_start = start;
        }
        w
    }

    fn unpack(&self) -> Result<Vec<Span>, ShareError> {
        let n = self.worker.len();
        if [
            self.task.len(),
            self.kind.len(),
            self.start_delta_us.len(),
            self.length_us.len(),
        ]
        .iter()
        .any(|&len| len != n)
        {
            return Err(ShareError::damaged("span columns of different lengths"));
        }
        let mut start = 0i64;
        (0..n)
            .map(|i| {
                start = start.wrapping_add(self.start_delta_us[i]);
                Ok(Span {
                    worker: self.worker[i],
                    task: self.task[i],
                    kind: from_code(&KIND_CODES, self.kind[i], "span kind")?,
                    start_ms: from_us(start),
                    end_ms: from_us(start.wrapping_add(self.length_us[i])),
                })
            })
            .collect()
    }
}

fn pack_config(map: &Map<String, Value>) -> WireConfig {
    // The query string is what the page reads anyway and is half the size of
    // JSON, but only exact if it rebuilds the very same map.
    let query = to_query(&pairs_from_map(map));
    if config_map_from_pairs(&parse_query(&query)) == *map {
        return WireConfig::Query(query);
    }
    WireConfig::Json(Value::Object(map.clone()).to_string())
}

fn unpack_config(c: &WireConfig) -> Result<Map<String, Value>, ShareError> {
    match c {
        WireConfig::Query(q) => Ok(config_map_from_pairs(&parse_query(q))),
        WireConfig::Json(j) => serde_json::from_str(j)
            .map_err(|e| ShareError::damaged(format!("unreadable configuration: {e}"))),
    }
}

impl ShareDoc {
    fn from_report(r: &Report) -> ShareDoc {
        ShareDoc {
            report_version: r.version,
            env: WireEnv {
                cores: r.env.cores,
                isolated: r.env.isolated,
                user_agent: r.env.user_agent.clone(),
                build: r.env.build.clone(),
                date: r.env.date.clone(),
                timer_resolution_ms: r.env.timer_resolution_ms,
            },
            config: pack_config(&r.config),
            results: r
                .results
                .iter()
                .map(|m| WireResult {
                    model: model_code(m.model),
                    workers: m.workers,
                    samples_ms: m.samples_ms.clone(),
                    correct: m.correct,
                    value: m.value.clone(),
                    expected: m.expected.clone(),
                    lost_updates: m.lost_updates.clone(),
                    errors: m
                        .errors
                        .iter()
                        .map(|e| (e.task, e.message.clone()))
                        .collect(),
                    figures: m.figures.clone(),
                    spans: WireSpans::pack(&m.spans),
                    spans_dropped: false,
                })
                .collect(),
            sweep: r
                .sweep
                .iter()
                .map(|p| WireSweep {
                    model: model_code(p.model),
                    workers: p.workers,
                    median_ms: p.median_ms,
                    speedup: p.speedup,
                })
                .collect(),
            sizes: r
                .sizes
                .iter()
                .map(|p| WireSize {
                    model: model_code(p.model),
                    via: code(&VIA_CODES, p.via),
                    bytes: p.bytes,
                    median_ms: p.median_ms,
                })
                .collect(),
            figures_dropped: false,
        }
    }

    /// What [`drop_next`] left out, in the order [`Encoded::dropped`] promises.
    fn dropped(&self) -> Vec<Dropped> {
        let spans = self
            .results
            .iter()
            .filter(|r| r.spans_dropped)
            .filter_map(|r| model_from_code(r.model).ok().map(Dropped::Spans));
        let figures = self.figures_dropped.then_some(Dropped::Figures);
        spans.chain(figures).collect()
    }

    fn into_report(
        self,
        extras: Extras,
        intervals: Intervals,
    ) -> Result<(Report, Vec<Dropped>), ShareError> {
        let dropped = self.dropped();
        let mut results = Vec::with_capacity(self.results.len());
        for w in self.results {
            let model = model_from_code(w.model)?;
            results.push(ModelResult {
                correct: w.correct,
                value: w.value,
                expected: w.expected,
                lost_updates: w.lost_updates,
                errors: w
                    .errors
                    .into_iter()
                    .map(|(task, message)| TaskError { task, message })
                    .collect(),
                spans: w.spans.unpack()?,
                figures: w.figures,
                ..ModelResult::of_samples(model, w.workers, w.samples_ms)
            });
        }
        let sweep = self
            .sweep
            .into_iter()
            .map(|p| {
                Ok(SweepPoint {
                    model: model_from_code(p.model)?,
                    workers: p.workers,
                    median_ms: p.median_ms,
                    speedup: p.speedup,
                })
            })
            .collect::<Result<_, ShareError>>()?;
        let sizes = self
            .sizes
            .into_iter()
            .map(|p| {
                Ok(SizePoint {
                    model: model_from_code(p.model)?,
                    via: from_code(&VIA_CODES, p.via, "transfer mode")?,
                    bytes: p.bytes,
                    median_ms: p.median_ms,
                })
            })
            .collect::<Result<_, ShareError>>()?;
        let env = Env {
            cores: self.env.cores,
            isolated: self.env.isolated,
            user_agent: self.env.user_agent,
            build: self.env.build,
            date: self.env.date,
            timer_resolution_ms: self.env.timer_resolution_ms,
            shared_memory: None,
        };
        let config = unpack_config(&self.config)?;
        let mut report = Report {
            version: self.report_version,
            sweep,
            sizes,
            mix: extras
                .mix
                .into_iter()
                .map(|p| {
                    Ok(MixPoint {
                        model: model_from_code(p.model)?,
                        io_pct: p.io_pct,
                        median_ms: p.median_ms,
                        speedup: p.speedup,
                    })
                })
                .collect::<Result<_, ShareError>>()?,
            convoy: extras
                .convoy
                .into_iter()
                .map(|p| {
                    Ok(ConvoyPoint {
                        model: model_from_code(p.model)?,
                        switch_ms: p.switch_ms,
                        uses_switch: p.uses_switch,
                        answers: p.answers,
                        p50_ms: p.p50_ms,
                        p99_ms: p.p99_ms,
                        max_ms: p.max_ms,
                    })
                })
                .collect::<Result<_, ShareError>>()?,
            calibration: extras.calibration.map(|c| Calibration {
                timer_resolution_ms: c.timer_resolution_ms,
                cores: c.cores,
                worker_start_ms: c.worker_start_ms,
                instantiate_ms: c.instantiate_ms,
                process_start_ms: c.process_start_ms,
                message_rtt_us: c.message_rtt_us,
                atomics_rtt_us: c.atomics_rtt_us,
                memcpy_gbps: c.memcpy_gbps,
                memcpy_cold_gbps: c.memcpy_cold_gbps,
                copy_in_gbps: extras.five.copy_in_gbps,
            }),
            handovers: extras
                .five
                .handovers
                .into_iter()
                .map(|b| {
                    Ok(HandoverBar {
                        model: model_from_code(b.model)?,
                        cold: b.cold,
                        tasks: b.tasks,
                        bytes: b.bytes,
                        phases_ms: b.phases_ms,
                    })
                })
                .collect::<Result<_, ShareError>>()?,
            predictions: extras
                .six
                .predictions
                .into_iter()
                .map(|p| {
                    Ok(Prediction {
                        model: model_from_code(p.model)?,
                        choice: from_code(&CHOICE_CODES, p.choice, "prediction")?.to_string(),
                        confidence: from_code(&CONFIDENCE_CODES, p.confidence, "confidence")?,
                        right: p.right,
                    })
                })
                .collect::<Result<_, ShareError>>()?,
            interleavings: extras
                .interleavings
                .into_iter()
                .map(|i| {
                    Ok(Interleaving {
                        model: model_from_code(i.model)?,
                        events: i.events,
                        lost: i.lost,
                        examples: i
                            .examples
                            .into_iter()
                            .map(|ex| ex.into_iter().map(WireEvent::unpack).collect())
                            .collect::<Result<_, ShareError>>()?,
                    })
                })
                .collect::<Result<_, ShareError>>()?,
            background: extras
                .background
                .into_iter()
                .map(model_from_code)
                .collect::<Result<_, ShareError>>()?,
            ..Report::new(env, config, results, String::new())
        };
        report.derive_with(intervals);
        Ok((report, dropped))
    }
}

/// CRC-32 (IEEE 802.3, reflected). Bitwise rather than a table: payloads
/// are a few KiB at most and this keeps no 1 KiB table in the wasm.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// Wraps already-serialized bytes: format, checksum, deflate, base64url.
fn seal(raw: &[u8], format: u8) -> String {
    seal_in(&REPORT, format, raw)
}

/// `raw` sealed as `envelope` says: `<key><base64url>`, without the `#`.
pub fn seal_in(envelope: &Envelope, format: u8, raw: &[u8]) -> String {
    let deflated = miniz_oxide::deflate::compress_to_vec(raw, DEFLATE_LEVEL);
    let mut bytes = Vec::with_capacity(HEADER + deflated.len());
    bytes.push(format);
    bytes.extend_from_slice(&crc32(&deflated).to_le_bytes());
    bytes.extend_from_slice(&deflated);
    format!("{}{}", envelope.key, B64.encode(bytes))
}

/// The document, then what each later format adds after it, in format
/// order (see [`FORMAT`]); returns the bytes and the format they are in.
fn serialize(doc: &ShareDoc, extras: &Extras) -> (Vec<u8>, u8) {
    let mut raw =
        postcard::to_allocvec(doc).expect("postcard serializes plain structs, vecs and maps");
    let plain = "postcard serializes plain vecs and structs";
    let format = if !extras.background.is_empty() {
        FORMAT_BACKGROUND
    } else if !extras.interleavings.is_empty() {
        FORMAT_INTERLEAVINGS
    } else if extras.six != WireSix::default() {
        FORMAT_PREDICTIONS
    } else if extras.five != WireFive::default() {
        FORMAT_TRANSFER
    } else if extras.calibration.is_some() {
        FORMAT_LIMITS
    } else if !extras.convoy.is_empty() {
        FORMAT_CONVOY
    } else if !extras.mix.is_empty() {
        FORMAT_MIX
    } else {
        FORMAT_DOC_ONLY
    };
    if format >= FORMAT_MIX {
        raw.extend(postcard::to_allocvec(&extras.mix).expect(plain));
    }
    if format >= FORMAT_CONVOY {
        raw.extend(postcard::to_allocvec(&extras.convoy).expect(plain));
    }
    if format == FORMAT_LIMITS {
        if let Some(c) = &extras.calibration {
            raw.extend(postcard::to_allocvec(c).expect(plain));
        }
    }
    if format >= FORMAT_TRANSFER {
        raw.extend(postcard::to_allocvec(&extras.calibration).expect(plain));
        raw.extend(postcard::to_allocvec(&extras.five).expect(plain));
    }
    if format >= FORMAT_PREDICTIONS {
        raw.extend(postcard::to_allocvec(&extras.six).expect(plain));
    }
    if format >= FORMAT_INTERLEAVINGS {
        raw.extend(postcard::to_allocvec(&extras.interleavings).expect(plain));
    }
    if format >= FORMAT_BACKGROUND {
        raw.extend(postcard::to_allocvec(&extras.background).expect(plain));
    }
    (raw, format)
}

fn wire_extras(r: &Report) -> Extras {
    let mix = r
        .mix
        .iter()
        .map(|p| WireMix {
            model: model_code(p.model),
            io_pct: p.io_pct,
            median_ms: p.median_ms,
            speedup: p.speedup,
        })
        .collect();
    let convoy = r
        .convoy
        .iter()
        .map(|p| WireConvoy {
            model: model_code(p.model),
            switch_ms: p.switch_ms,
            uses_switch: p.uses_switch,
            answers: p.answers,
            p50_ms: p.p50_ms,
            p99_ms: p.p99_ms,
            max_ms: p.max_ms,
        })
        .collect();
    let calibration = r.calibration.as_ref().map(|c| WireCalibration {
        timer_resolution_ms: c.timer_resolution_ms,
        cores: c.cores,
        worker_start_ms: c.worker_start_ms,
        instantiate_ms: c.instantiate_ms,
        process_start_ms: c.process_start_ms,
        message_rtt_us: c.message_rtt_us,
        atomics_rtt_us: c.atomics_rtt_us,
        memcpy_gbps: c.memcpy_gbps,
        memcpy_cold_gbps: c.memcpy_cold_gbps,
    });
    let five = WireFive {
        copy_in_gbps: r.calibration.as_ref().and_then(|c| c.copy_in_gbps),
        handovers: r
            .handovers
            .iter()
            .map(|b| WireHandover {
                model: model_code(b.model),
                cold: b.cold,
                tasks: b.tasks,
                bytes: b.bytes,
                phases_ms: b.phases_ms,
            })
            .collect(),
    };
    let six = WireSix {
        predictions: r
            .predictions
            .iter()
            // A choice no question offers (a report edited by hand) has
            // no code: it is left out rather than guessed.
            .filter_map(|p| {
                Some(WirePrediction {
                    model: model_code(p.model),
                    choice: choice_code(&p.choice)?,
                    confidence: code(&CONFIDENCE_CODES, p.confidence),
                    right: p.right,
                })
            })
            .collect(),
    };
    let interleavings = r
        .interleavings
        .iter()
        .map(|i| WireInterleaving {
            model: model_code(i.model),
            events: i.events,
            lost: i.lost,
            examples: i
                .examples
                .iter()
                .map(|ex| ex.iter().map(WireEvent::pack).collect())
                .collect(),
        })
        .collect();
    Extras {
        mix,
        convoy,
        calibration,
        five,
        six,
        interleavings,
        background: r.background.iter().map(|m| model_code(*m)).collect(),
    }
}

impl WireEvent {
    fn pack(e: &Event) -> WireEvent {
        WireEvent {
            worker: e.worker,
            op: code(&OP_CODES, e.op),
            value: e.value,
            order: e.order,
            replaced: e.replaced,
            switched: e.switched,
        }
    }

    fn unpack(self) -> Result<Event, ShareError> {
        Ok(Event {
            worker: self.worker,
            op: from_code(&OP_CODES, self.op, "interleaving op")?,
            value: self.value,
            order: self.order,
            replaced: self.replaced,
            switched: self.switched,
        })
    }
}

fn choice_code(choice: &str) -> Option<u8> {
    CHOICE_CODES
        .iter()
        .find(|(c, _)| *c == choice)
        .map(|(_, code)| *code)
}

/// Packs `report` for a link. Spans and then figures are left out while
/// `report.share_url#fragment` would be over [`MAX_LINK_CHARS`]; see
/// [`Encoded::dropped`] and [`Encoded::too_long`].
pub fn encode(report: &Report) -> Encoded {
    let budget = MAX_LINK_CHARS.saturating_sub(report.share_url.len() + 1);
    let mut doc = ShareDoc::from_report(report);
    let extras = wire_extras(report);
    loop {
        let (raw, format) = serialize(&doc, &extras);
        let fragment = (raw.len() <= MAX_UNPACKED_BYTES).then(|| seal(&raw, format));
        match fragment {
            Some(fragment) if fragment.len() <= budget => {
                return Encoded {
                    fragment,
                    dropped: doc.dropped(),
                    too_long: false,
                }
            }
            fragment => {
                if drop_next(&mut doc) {
                    continue;
                }
                return Encoded {
                    // An unpackable payload is sealed anyway: the caller
                    // still gets a link, and the flag to warn about it.
                    fragment: fragment.unwrap_or_else(|| seal(&raw, format)),
                    dropped: doc.dropped(),
                    too_long: true,
                };
            }
        }
    }
}

/// Leaves out the next thing: the largest timeline first, since one GIL run
/// can outweigh everything else and the other timelines may then still fit.
fn drop_next(doc: &mut ShareDoc) -> bool {
    // `rev` because `max_by_key` keeps the last of equals: ties go in
    // result order.
    let biggest = doc
        .results
        .iter_mut()
        .rev()
        .filter(|r| !r.spans.worker.is_empty())
        .max_by_key(|r| r.spans.worker.len());
    if let Some(r) = biggest {
        r.spans = WireSpans::default();
        r.spans_dropped = true;
        return true;
    }
    if !doc.figures_dropped && doc.results.iter().any(|r| !r.figures.is_empty()) {
        for r in &mut doc.results {
            r.figures.clear();
        }
        doc.figures_dropped = true;
        return true;
    }
    false
}

/// Reads a fragment made by [`encode`]: `#r=<payload>`, `r=<payload>` or the
/// bare payload. A decoded report's `share_url` is empty.
pub fn decode(fragment: &str) -> Result<Report, ShareError> {
    decode_with_dropped(fragment).map(|(report, _)| report)
}

/// [`decode`], also saying what the link's author had to leave out.
pub fn decode_with_dropped(fragment: &str) -> Result<(Report, Vec<Dropped>), ShareError> {
    let (format, raw) = unseal(fragment)?;
    read_document(format, &raw, Intervals::Bootstrap)
}

/// [`decode`] without the bootstrap intervals ([`Intervals`]), for a view
/// of many reports that draws their medians.
pub fn decode_without_intervals(fragment: &str) -> Result<Report, ShareError> {
    let (format, raw) = unseal(fragment)?;
    read_document(format, &raw, Intervals::Left).map(|(report, _)| report)
}

/// A report's document as a link carries it inside its seal: its share
/// format and serialized bytes. Without `timelines` the spans are left out
/// (and the decoded report says so), as a link does when it must: for a
/// container that compresses many reports together and charts none of
/// their timelines.
pub fn document(report: &Report, timelines: bool) -> (u8, Vec<u8>) {
    let mut doc = ShareDoc::from_report(report);
    if !timelines {
        for r in doc
            .results
            .iter_mut()
            .filter(|r| !r.spans.worker.is_empty())
        {
            r.spans = WireSpans::default();
            r.spans_dropped = true;
        }
    }
    let (raw, format) = serialize(&doc, &wire_extras(report));
    (format, raw)
}

/// Reads what [`document`] wrote, checked as [`decode`] checks a link's,
/// with the statistics `intervals` says.
pub fn from_document(
    format: u8,
    raw: &[u8],
    intervals: Intervals,
) -> Result<(Report, Vec<Dropped>), ShareError> {
    check_format(format, FORMAT)?;
    if raw.len() > MAX_UNPACKED_BYTES {
        return Err(ShareError::TooLarge {
            limit: MAX_UNPACKED_BYTES,
        });
    }
    read_document(format, raw, intervals)
}

fn read_document(
    format: u8,
    raw: &[u8],
    intervals: Intervals,
) -> Result<(Report, Vec<Dropped>), ShareError> {
    let unreadable = |e: postcard::Error| ShareError::damaged(format!("unreadable data: {e}"));
    let (doc, rest) = postcard::take_from_bytes::<ShareDoc>(raw).map_err(unreadable)?;
    let (mix, rest) = addition::<Vec<WireMix>>(format, FORMAT_MIX, rest)?;
    let (convoy, rest) = addition::<Vec<WireConvoy>>(format, FORMAT_CONVOY, rest)?;
    // Format 4 wrote the limits as a value of their own; format 5 made
    // them optional.
    let (calibration, rest) = match format {
        FORMAT_LIMITS => {
            let (c, rest) =
                postcard::take_from_bytes::<WireCalibration>(rest).map_err(unreadable)?;
            (Some(c), rest)
        }
        _ => addition::<Option<WireCalibration>>(format, FORMAT_TRANSFER, rest)?,
    };
    let (five, rest) = addition::<WireFive>(format, FORMAT_TRANSFER, rest)?;
    let (six, rest) = addition::<WireSix>(format, FORMAT_PREDICTIONS, rest)?;
    let (interleavings, rest) =
        addition::<Vec<WireInterleaving>>(format, FORMAT_INTERLEAVINGS, rest)?;
    let (background, rest) = addition::<Vec<u8>>(format, FORMAT_BACKGROUND, rest)?;
    if !rest.is_empty() {
        return Err(ShareError::damaged(format!(
            "{} unexpected bytes at the end",
            rest.len()
        )));
    }
    doc.into_report(
        Extras {
            mix,
            convoy,
            calibration,
            five,
            six,
            interleavings,
            background,
        },
        intervals,
    )
}

/// What format `since` added after the document, read from `rest`; a link
/// of an older format has none, so it is empty.
fn addition<T: Default + serde::de::DeserializeOwned>(
    format: u8,
    since: u8,
    rest: &[u8],
) -> Result<(T, &[u8]), ShareError> {
    if format < since {
        return Ok((T::default(), rest));
    }
    postcard::take_from_bytes::<T>(rest)
        .map_err(|e| ShareError::damaged(format!("unreadable data: {e}")))
}

/// The format and the serialized document inside a fragment, every layer
/// checked.
fn unseal(fragment: &str) -> Result<(u8, Vec<u8>), ShareError> {
    unseal_in(&REPORT, fragment)
}

/// What [`seal_in`] sealed: the format and the serialized bytes, every
/// layer checked. Takes `#<key><payload>`, `<key><payload>` or the bare
/// payload.
pub fn unseal_in(envelope: &Envelope, fragment: &str) -> Result<(u8, Vec<u8>), ShareError> {
    let chars = fragment.chars().count();
    if chars > MAX_FRAGMENT_CHARS {
        return Err(ShareError::TooLong {
            chars,
            max: MAX_FRAGMENT_CHARS,
        });
    }
    let no_hash = fragment.strip_prefix('#').unwrap_or(fragment);
    let payload = no_hash.strip_prefix(envelope.key).unwrap_or(no_hash);
    let skipped = fragment.len() - payload.len();
    if payload.is_empty() {
        return Err(ShareError::Empty);
    }
    // Checked here rather than left to the base64 crate, which counts bytes:
    // the page names the character a person would count to.
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=');
    if let Some((i, found)) = payload.char_indices().find(|&(_, c)| !allowed(c)) {
        return Err(ShareError::BadBase64 {
            at: fragment[..skipped + i].chars().count() + 1,
            found,
        });
    }
    // From here the payload is ASCII, so byte offsets are character offsets.
    let at = |i: usize| skipped + i + 1;
    let bytes = B64.decode(payload).map_err(|e| match e {
        DecodeError::InvalidByte(i, b) | DecodeError::InvalidLastSymbol(i, b) => {
            ShareError::BadBase64 {
                at: at(i),
                found: char::from(b),
            }
        }
        // A lone last character can only be the start of a cut-off group.
        DecodeError::InvalidLength(_) => ShareError::Truncated,
        DecodeError::InvalidPadding => {
            let i = payload.find('=').unwrap_or(payload.len().saturating_sub(1));
            ShareError::BadBase64 {
                at: at(i),
                found: '=',
            }
        }
    })?;
    let Some(&format) = bytes.first() else {
        return Err(ShareError::Empty);
    };
    check_format(format, envelope.newest)?;
    if bytes.len() <= HEADER {
        return Err(ShareError::Truncated);
    }
    let (check, deflated) = bytes[1..].split_at(HEADER - 1);
    // Inflate before checking the sum so that a cut-off link says so rather
    // than "damaged"; the size cap bounds the work either way.
    let raw = miniz_oxide::inflate::decompress_to_vec_with_limit(deflated, envelope.max_unpacked)
        .map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => ShareError::TooLarge {
            limit: envelope.max_unpacked,
        },
        TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
            ShareError::Truncated
        }
        _ => ShareError::damaged("not a deflate stream"),
    })?;
    if crc32(deflated).to_le_bytes() != check {
        return Err(ShareError::damaged("checksum mismatch"));
    }
    Ok((format, raw))
}

/// Formats 1 to `newest` are read; a few above it are a later page's, and
/// anything else is not a format at all.
fn check_format(format: u8, newest: u8) -> Result<(), ShareError> {
    if format > newest && format <= PLAUSIBLE_FORMATS {
        return Err(ShareError::NewerFormat {
            found: format,
            reads: newest,
        });
    }
    if !(FORMAT_DOC_ONLY..=newest).contains(&format) {
        return Err(ShareError::damaged(format!(
            "no version of this page writes format {format}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each table gives every value of its enum one byte of its own, and
    /// reads it back.
    fn whole<T: Copy + PartialEq + fmt::Debug>(table: &[(T, u8)], all: &[T], what: &str) {
        for &v in all {
            assert_eq!(from_code(table, code(table, v), what).unwrap(), v);
        }
        let mut bytes: Vec<u8> = table.iter().map(|(_, c)| *c).collect();
        bytes.sort_unstable();
        bytes.dedup();
        assert_eq!((table.len(), bytes.len()), (all.len(), all.len()), "{what}");
        assert!(from_code(table, 200, what).is_err());
    }

    #[test]
    fn every_choice_a_question_offers_has_a_code() {
        use crate::config::{parse_query, RunConfig};
        let mut offered = Vec::new();
        for w in crate::workloads::WORKLOAD_IDS {
            let query = format!("w={w}&models=seq,async,threads,gil,oldgil,procs,fork,hybrid");
            let (cfg, _) = RunConfig::from_pairs(&parse_query(&query), 8);
            let q = crate::verdict::question(&cfg, 8).expect("every lesson asks");
            for ask in &q.asks {
                match ask {
                    crate::predict::Ask::Model { choices, .. } => {
                        offered.extend(choices.iter().map(|c| c.id))
                    }
                    crate::predict::Ask::Pick { choice, .. } => offered.push(choice.id),
                }
            }
        }
        for c in &offered {
            assert!(choice_code(c).is_some(), "{c} has no share code");
        }
        let all: Vec<&str> = CHOICE_CODES.iter().map(|(c, _)| *c).collect();
        whole(&CHOICE_CODES, &all, "choice");
        whole(&CONFIDENCE_CODES, &Confidence::ALL, "confidence");
    }

    #[test]
    fn every_model_kind_and_via_has_a_code_of_its_own() {
        whole(&MODEL_CODES, &ModelId::ALL, "model code");
        whole(&KIND_CODES, &SpanKind::ALL, "span kind");
        let vias: Vec<Via> = Via::ALL.iter().map(|(_, v)| *v).collect();
        whole(&VIA_CODES, &vias, "transfer mode");
        whole(&OP_CODES, &Op::ALL, "interleaving op");
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn spans_survive_times_that_are_not_times() {
        let times = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            -1e300,
            0.0004,
            2.5,
        ];
        let spans: Vec<Span> = times
            .iter()
            .zip(times.iter().rev())
            .map(|(&start_ms, &end_ms)| Span {
                worker: u32::MAX,
                task: 0,
                kind: SpanKind::Io,
                start_ms,
                end_ms,
            })
            .collect();
        let back = WireSpans::pack(&spans).unpack().unwrap();
        let starts: Vec<f64> = back.iter().map(|s| s.start_ms).collect();
        let max = i64::MAX as f64 / 1000.0;
        assert_eq!(starts, [0.0, 0.0, 0.0, max, -max, 0.0, 2.5]);
        assert_eq!(back[0].end_ms, 2.5);
        assert_eq!(back[0].worker, u32::MAX);
    }

    #[test]
    fn columns_of_different_lengths_are_damage() {
        let mut w = WireSpans::pack(&[Span {
            worker: 0,
            task: 0,
            kind: SpanKind::Run,
            start_ms: 0.0,
            end_ms: 1.0,
        }]);
        w.kind.push(0);
        assert!(matches!(w.unpack(), Err(ShareError::Damaged { .. })));
        w.kind = vec![9];
        assert_eq!(
            w.unpack().unwrap_err().to_string(),
            "the link's results are damaged (unknown span kind 9)"
        );
    }
}
