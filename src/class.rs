//! The class set: many reports read together (DESIGN.md, "Class set"), from
//! share links pasted in any text and from JSON exports, grouped by lesson
//! and configuration, each model's speedup set against each machine's
//! cores. Plain Rust: the page (`class=1`) hands it text and draws what it
//! returns; nothing leaves the page.
//!
//! - Reading: [`ClassSet::add_text`] reads a paste or a dropped file whole;
//!   [`Intake`] reads the same in slices the page drives a few dozen
//!   units per task ([`Intake::step`]), so 500 links never block it.
//!   Every line or item that could not be read is a [`Problem`] with its
//!   place and the reason in words; the same run twice counts once
//!   ([`identity`]).
//! - Grouping: [`ClassSet::groups`], one [`Group`] per lesson and
//!   configuration ([`Group::settings`] says which keys make one), each
//!   with a [`Series`] of points per model, the lesson's expected band,
//!   a [`Summary`] and one table [`Row`] per run.
//! - Keeping: [`ClassSet::to_file`] (JSON, read back by `add_text`) and
//!   [`ClassSet::link`] (`?class=1#c=…`, `docs/share-links.md`).

use crate::calibrate::Calibration;
use crate::config::{pairs_from_map, parse_query, to_query, RunConfig};
use crate::format::{clock_step, decimal, times};
use crate::models::ModelId;
use crate::predict::Prediction;
use crate::report::Intervals;
use crate::report::{browser_label, Report};
use crate::share::{self, Envelope, ShareError};
use crate::stats;
use crate::verdict::expected_band;
use crate::workloads::{Workload, WORKLOAD_IDS};
use serde_json::{Map, Value};
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::hash::{Hash, Hasher};

/// The class-set link's envelope: `#c=<payload>`, the same layers as a
/// share link's (format byte, CRC-32, raw deflate, base64url). Its
/// unpacked size may reach 1 MiB: a fragment of at most
/// [`share::MAX_FRAGMENT_CHARS`] holds a few hundred runs at most, and each run's
/// own document is held to the share link's cap besides.
pub const CLASS_LINK: Envelope = Envelope {
    key: "c=",
    newest: CLASS_FORMAT,
    max_unpacked: 1 << 20,
};
/// Format 1: a postcard list of `(share format, document)` pairs, one per
/// run, each document as a share link carries it, without timelines.
pub const CLASS_FORMAT: u8 = 1;
/// The key that marks a class-set file, and its value: the file's version.
pub const FILE_KEY: &str = "tvp_class_set";
pub const FILE_VERSION: u64 = 1;
/// How much of a line a problem quotes: enough to find it in the paste.
const EXCERPT_CHARS: usize = 60;

// ---- where a run came from, and what could not be read ----

/// A line of pasted text or an item of a JSON list, counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    Line(usize),
    Item(usize),
}

/// Where in its source a run or a problem is: a line or an item and, for
/// the runs of a class-set link, which run of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub at: At,
    pub run: Option<usize>,
}

impl Place {
    fn of(at: At) -> Place {
        Place { at, run: None }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            At::Line(n) => write!(f, "line {n}")?,
            At::Item(n) => write!(f, "item {n}")?,
        }
        match self.run {
            Some(r) => write!(f, ", run {r} of its class link"),
            None => Ok(()),
        }
    }
}

/// Why a line or an item gave no run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Other text (a chat's words, a form's columns): nothing to read. The
    /// page may fold these apart from the links that failed.
    NotALink,
    /// A playground link with settings and no results (`#r=`): copied from
    /// the address bar before the run ended.
    NoResults,
    /// A share link that does not decode, in the codec's words.
    Link(ShareError),
    /// A class-set link that does not decode.
    ClassLink(ShareError),
    /// Not JSON at all, though it starts like JSON.
    Json(String),
    /// JSON, but not a report, a saved run, a link or a class set.
    NotARun(String),
    /// A class-set file of a later version of the page.
    NewerFile { found: u64, reads: u64 },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NotALink => f.write_str("no link to results here"),
            Reason::NoResults => f.write_str(
                "a link with settings but no results (a results link has #r= after the settings): \
                 it was copied before the run ended",
            ),
            Reason::Link(e) => write!(f, "{e}"),
            Reason::ClassLink(e) => write!(f, "{e} (a class-set link)"),
            Reason::Json(e) => write!(f, "not readable as JSON: {e}"),
            Reason::NotARun(what) => write!(f, "not a report, a saved run or a link: {what}"),
            Reason::NewerFile { found, reads } => write!(
                f,
                "the class-set file was made by a newer version (version {found}; this page reads \
                 versions up to {reads})"
            ),
        }
    }
}

/// A line or item that gave no run, with where it is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The paste or the file it came from, as the page named it.
    pub source: String,
    pub place: Place,
    /// The start and end of what was read there, to find it by.
    pub excerpt: String,
    pub reason: Reason,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}: {}", self.source, self.place, self.reason)?;
        if !self.excerpt.is_empty() {
            write!(f, " (“{}”)", self.excerpt)?;
        }
        Ok(())
    }
}

/// A run read a second time, counted once: where it was seen again, and
/// which member it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub source: String,
    pub place: Place,
    pub of: usize,
}

/// One run of the set.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub report: Report,
    /// The link it came in, as given (any host, or only `?query#r=…`);
    /// `None` when it came in a class-set link, which carries no links.
    pub link: Option<String>,
    pub source: String,
    pub place: Place,
    id: u64,
}

/// The same run, however it came: a link and its JSON export, a link
/// pasted twice, the same run in two class sets. What a run *is* is where
/// it ran (the machine, browser, build and minute, the clock) and what it
/// measured (the configuration; per model its workers, outcome and every
/// sample); not what a link may leave out or round (timelines, figures)
/// nor where the link points. Samples count to the nanosecond, far below
/// any browser's clock, because a JSON reader may read a decimal one unit
/// in the last place off. 64 bits: two of a few thousand runs share one
/// with odds under one in a million million.
pub fn identity(report: &Report) -> u64 {
    fn nanos(ms: f64) -> i64 {
        // `as` saturates, and NaN becomes 0: no time panics here.
        (ms * 1e6).round() as i64
    }
    let mut h = DefaultHasher::new();
    let e = &report.env;
    (e.cores, e.isolated, &e.user_agent, &e.build, &e.date).hash(&mut h);
    e.timer_resolution_ms.map(nanos).hash(&mut h);
    // Sorted here, whatever order the JSON map keeps.
    let config: BTreeMap<&String, String> = report
        .config
        .iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    config.hash(&mut h);
    for r in &report.results {
        (r.model, r.workers, r.correct, &r.value).hash(&mut h);
        r.samples_ms
            .iter()
            .map(|&s| nanos(s))
            .collect::<Vec<_>>()
            .hash(&mut h);
    }
    h.finish()
}

// ---- the set ----

/// The runs read so far, what could not be read, and what was read twice.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassSet {
    members: Vec<Member>,
    by_id: HashMap<u64, usize>,
    problems: Vec<Problem>,
    duplicates: Vec<Duplicate>,
}

impl ClassSet {
    pub fn new() -> ClassSet {
        ClassSet::default()
    }

    /// Reads `text` whole: a paste of links in any other text, a JSON
    /// export, a history, a class-set file. `source` names it in problems
    /// ("pasted text", a file's name). For large inputs the page uses
    /// [`Intake`] instead.
    pub fn add_text(&mut self, source: &str, text: &str) {
        let mut intake = Intake::new(source, text.to_string());
        while intake.step(self, usize::MAX) {}
    }

    /// Every run, in the order it was first read.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// Every line and item that gave no run, in reading order, other text
    /// ([`Reason::NotALink`]) included.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Keeps `report` unless the set has it; says whether it was new.
    fn add(&mut self, report: Report, link: Option<String>, source: &str, place: Place) -> bool {
        let id = identity(&report);
        if let Some(&of) = self.by_id.get(&id) {
            self.duplicates.push(Duplicate {
                source: source.to_string(),
                place,
                of,
            });
            return false;
        }
        self.by_id.insert(id, self.members.len());
        self.members.push(Member {
            report,
            link,
            source: source.to_string(),
            place,
            id,
        });
        true
    }

    fn problem(&mut self, source: &str, place: Place, text: &str, reason: Reason) {
        self.problems.push(Problem {
            source: source.to_string(),
            place,
            excerpt: excerpt(text),
            reason,
        });
    }

    /// The set as one JSON file: every run as its link, which
    /// [`ClassSet::add_text`] reads back (as does any later page, since
    /// links stay readable). A run that came in a class-set link is packed
    /// into a link of its own here, which takes about a millisecond each.
    pub fn to_file(&self) -> String {
        let runs: Vec<Value> = self
            .members
            .iter()
            .map(|m| Value::String(m.link.clone().unwrap_or_else(|| relative_link(&m.report))))
            .collect();
        let mut file = Map::new();
        file.insert(FILE_KEY.to_string(), Value::from(FILE_VERSION));
        file.insert("runs".to_string(), Value::Array(runs));
        serde_json::to_string_pretty(&Value::Object(file)).unwrap_or_default()
    }

    /// The set as one link, `<page>?class=1#c=<payload>`, where `page` is
    /// the playground's address (any query or fragment it has is left out).
    /// Each run goes without its timelines, all compressed together, so
    /// what one run shares with the others (browser, settings, values)
    /// costs little. Too long for [`share::MAX_LINK_CHARS`]: an error that
    /// says so and points to the file.
    pub fn link(&self, page: &str) -> Result<String, LinkError> {
        if self.members.is_empty() {
            return Err(LinkError::Empty);
        }
        let docs: Vec<(u8, Vec<u8>)> = self
            .members
            .iter()
            .map(|m| share::document(&m.report, false))
            .collect();
        let raw = postcard::to_allocvec(&docs).expect("postcard serializes vecs of bytes");
        let too_long = |chars| LinkError::TooLong {
            runs: self.members.len(),
            chars,
            max: share::MAX_LINK_CHARS,
        };
        let page = page.split(['?', '#']).next().unwrap_or_default();
        if raw.len() > CLASS_LINK.max_unpacked {
            // Sealed anyway, only to say how long it would be.
            let sealed = share::seal_in(&CLASS_LINK, CLASS_FORMAT, &raw);
            return Err(too_long(page.len() + "?class=1#".len() + sealed.len()));
        }
        let link = format!(
            "{page}?class=1#{}",
            share::seal_in(&CLASS_LINK, CLASS_FORMAT, &raw)
        );
        if share::link_too_long(&link) {
            return Err(too_long(link.chars().count()));
        }
        Ok(link)
    }

    /// One group per lesson and configuration, lessons in the page's order
    /// and, within one, the largest group first.
    pub fn groups(&self) -> Vec<Group> {
        let mut order: Vec<String> = Vec::new();
        let mut members: HashMap<String, (Config, Vec<usize>)> = HashMap::new();
        for (i, m) in self.members.iter().enumerate() {
            let config = Config::of(&m.report);
            let key = config.key();
            match members.get_mut(&key) {
                Some((_, list)) => list.push(i),
                None => {
                    order.push(key.clone());
                    members.insert(key, (config, vec![i]));
                }
            }
        }
        let mut groups: Vec<Group> = order
            .into_iter()
            .filter_map(|key| {
                let (config, list) = members.remove(&key)?;
                Some(Group::build(self, key, config, list))
            })
            .collect();
        let lesson_rank = |g: &Group| {
            WORKLOAD_IDS
                .iter()
                .position(|w| *w == g.lesson)
                .unwrap_or(WORKLOAD_IDS.len())
        };
        groups.sort_by(|a, b| {
            lesson_rank(a)
                .cmp(&lesson_rank(b))
                .then(b.members.len().cmp(&a.members.len()))
                .then(a.key.cmp(&b.key))
        });
        groups
    }
}

/// Why the set has no link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    Empty,
    TooLong {
        runs: usize,
        chars: usize,
        max: usize,
    },
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::Empty => f.write_str("the set has no runs to share"),
            LinkError::TooLong { runs, chars, max } => write!(
                f,
                "a set of {runs} runs is too large for a link ({chars} characters, at most {max}): \
                 use the file"
            ),
        }
    }
}

/// `?<settings>#r=<results>`: a run's link without a host, which any copy
/// of the playground opens.
fn relative_link(report: &Report) -> String {
    let query = to_query(&pairs_from_map(&report.config));
    format!("?{query}#{}", share::encode(report).fragment)
}

/// The start and the end of `text`, on one line.
fn excerpt(text: &str) -> String {
    let text = text.trim();
    let n = text.chars().count();
    if n <= EXCERPT_CHARS {
        return text.to_string();
    }
    let tail = 16;
    let head: String = text.chars().take(EXCERPT_CHARS - tail - 1).collect();
    let end: String = text.chars().skip(n - tail).collect();
    format!("{head}…{end}")
}

// ---- reading, in slices ----

/// Text being read into a [`ClassSet`] a few units at a time, so the page
/// can read 500 links without a long task: a unit is a line, a link found
/// in one, an item of a JSON list or a run of a class-set link, and
/// decodes one report at most (about a millisecond natively). A JSON
/// file is parsed whole in its first unit.
#[derive(Debug, Clone)]
pub struct Intake {
    source: String,
    text: String,
    stage: Stage,
    /// Units found but not read yet: a JSON list's items, a class-set
    /// link's runs.
    queue: VecDeque<Unit>,
    read: usize,
    lines: usize,
    lines_read: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Start,
    /// The byte where the next line starts, and its number.
    Lines {
        at: usize,
        line: usize,
    },
    Done,
}

#[derive(Debug, Clone)]
enum Unit {
    Json(Place, Value),
    /// A link found in text, and the byte where its fragment starts.
    Link(Place, Kind, String, usize),
    Document(Place, u8, Vec<u8>),
}

impl Intake {
    pub fn new(source: &str, text: String) -> Intake {
        Intake {
            source: source.to_string(),
            lines: text.lines().count(),
            text,
            stage: Stage::Start,
            queue: VecDeque::new(),
            read: 0,
            lines_read: 0,
        }
    }

    /// Units read, and units read or known to come (the lines not read
    /// yet, the links and items found but not read), for a progress line.
    /// The second grows as lines turn out to hold links.
    pub fn progress(&self) -> (usize, usize) {
        let lines_left = match self.stage {
            Stage::Done => 0,
            _ => self.lines.saturating_sub(self.lines_read),
        };
        (self.read, self.read + lines_left + self.queue.len())
    }

    /// Reads up to `units` more into `set`; `true` while there is more.
    pub fn step(&mut self, set: &mut ClassSet, units: usize) -> bool {
        let mut done = 0;
        while done < units {
            if let Some(unit) = self.queue.pop_front() {
                self.unit(set, unit);
            } else {
                match self.stage {
                    Stage::Start => self.start(set),
                    Stage::Lines { at, line } => self.line(set, at, line),
                    Stage::Done => return false,
                }
            }
            self.read += 1;
            done += 1;
        }
        !(self.stage == Stage::Done && self.queue.is_empty())
    }

    /// JSON when it is JSON: an object always (a report, a history entry, a
    /// class-set file), a list unless it fails early, since a chat's log
    /// may start with "[10:31]"; a list cut short is still a broken file.
    fn start(&mut self, set: &mut ClassSet) {
        self.stage = Stage::Lines { at: 0, line: 1 };
        let trimmed = self.text.trim_start();
        let first = trimmed.chars().next();
        if !matches!(first, Some('{' | '[')) {
            return;
        }
        match serde_json::from_str::<Value>(&self.text) {
            Ok(value) => {
                self.stage = Stage::Done;
                self.json_top(set, value);
            }
            Err(e) if first == Some('{') || e.is_eof() => {
                self.stage = Stage::Done;
                let place = Place::of(At::Line(e.line().max(1)));
                let line = self.text.lines().nth(e.line().saturating_sub(1));
                set.problem(
                    &self.source,
                    place,
                    line.unwrap_or(""),
                    Reason::Json(e.to_string()),
                );
            }
            Err(_) => {}
        }
    }

    fn json_top(&mut self, set: &mut ClassSet, value: Value) {
        let items = match value {
            Value::Array(items) => items,
            Value::Object(mut o) if o.contains_key(FILE_KEY) => {
                let found = o.get(FILE_KEY).and_then(Value::as_u64).unwrap_or(0);
                if found > FILE_VERSION {
                    let reason = Reason::NewerFile {
                        found,
                        reads: FILE_VERSION,
                    };
                    set.problem(&self.source, Place::of(At::Line(1)), "", reason);
                    return;
                }
                match o.remove("runs") {
                    Some(Value::Array(runs)) if found >= 1 => runs,
                    _ => {
                        let why = "a class-set file without its version or its list of runs";
                        let reason = Reason::NotARun(why.to_string());
                        set.problem(&self.source, Place::of(At::Line(1)), "", reason);
                        return;
                    }
                }
            }
            other => vec![other],
        };
        self.queue.extend(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| Unit::Json(Place::of(At::Item(i + 1)), v)),
        );
    }

    fn line(&mut self, set: &mut ClassSet, at: usize, line: usize) {
        let rest = &self.text[at..];
        let (this, next) = match rest.find('\n') {
            Some(n) => (&rest[..n], at + n + 1),
            None => (rest, self.text.len()),
        };
        self.stage = if next >= self.text.len() {
            Stage::Done
        } else {
            Stage::Lines {
                at: next,
                line: line + 1,
            }
        };
        self.lines_read += 1;
        let this = this.to_string();
        self.read_text(set, Place::of(At::Line(line)), &this);
    }

    /// Every link in `text`; other text is a problem only where it is all
    /// there is.
    fn read_text(&mut self, set: &mut ClassSet, place: Place, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let found = links_in(text);
        if found.is_empty() {
            let reason = if settings_link(text) {
                Reason::NoResults
            } else {
                Reason::NotALink
            };
            set.problem(&self.source, place, text, reason);
        }
        // First in the queue: the links of an item are read before the
        // items after it.
        for f in found.iter().rev() {
            let unit = Unit::Link(place, f.kind, f.link.to_string(), f.at);
            self.queue.push_front(unit);
        }
    }

    fn unit(&mut self, set: &mut ClassSet, unit: Unit) {
        match unit {
            // Without the bootstrap intervals: the class's charts draw
            // medians, and the intervals are most of the work of a link.
            Unit::Link(place, Kind::Report, link, at) => {
                match share::decode_without_intervals(&link[at..]) {
                    Ok(mut report) => {
                        report.share_url.clone_from(&link);
                        set.add(report, Some(link), &self.source, place);
                    }
                    Err(e) => set.problem(&self.source, place, &link, Reason::Link(e)),
                }
            }
            // Its runs go first in the queue: read in the order they were given.
            Unit::Link(place, Kind::Class, link, at) => match class_documents(&link[at..]) {
                Ok(docs) => {
                    for (i, (format, bytes)) in docs.into_iter().enumerate().rev() {
                        let run = Place {
                            run: Some(i + 1),
                            ..place
                        };
                        self.queue.push_front(Unit::Document(run, format, bytes));
                    }
                }
                Err(e) => set.problem(&self.source, place, &link, Reason::ClassLink(e)),
            },
            Unit::Document(place, format, bytes) => {
                match share::from_document(format, &bytes, Intervals::Left) {
                    Ok((report, _)) => {
                        set.add(report, None, &self.source, place);
                    }
                    Err(e) => set.problem(&self.source, place, "", Reason::ClassLink(e)),
                }
            }
            Unit::Json(place, value) => self.json_item(set, place, value),
        }
    }

    /// A report (Export JSON), a saved run (the history's entries), a
    /// link as a string (a class-set file's runs).
    fn json_item(&mut self, set: &mut ClassSet, place: Place, value: Value) {
        let words = |v: &Value| {
            let mut s = v.to_string();
            s.truncate(200);
            s
        };
        match value {
            Value::String(text) => self.read_text(set, place, &text),
            value @ Value::Object(_)
                if value.get("env").is_some() && value.get("results").is_some() =>
            {
                match <Report as serde::Deserialize>::deserialize(&value) {
                    Ok(mut report) => {
                        // Reports exported before a statistic or a flag
                        // existed get it, as links do when decoded.
                        report.derive();
                        let link = report
                            .share_url
                            .contains("#r=")
                            .then(|| report.share_url.clone());
                        set.add(report, link, &self.source, place);
                    }
                    Err(e) => {
                        let reason = Reason::NotARun(format!("a report that does not read ({e})"));
                        set.problem(&self.source, place, &words(&value), reason);
                    }
                }
            }
            Value::Object(o) if o.get("fragment").is_some_and(Value::is_string) => {
                let fragment = o.get("fragment").and_then(Value::as_str).unwrap_or("");
                let query = o.get("query").and_then(Value::as_str).unwrap_or("");
                let fragment = fragment.trim_start_matches('#');
                self.read_text(set, place, &format!("?{query}#{fragment}"));
            }
            other => {
                let text = words(&other);
                let why = match other {
                    Value::Object(_) => "an object with neither env and results, nor a fragment",
                    Value::Array(_) => "a list inside the list",
                    _ => "a value that is not text or an object",
                };
                set.problem(&self.source, place, &text, Reason::NotARun(why.to_string()));
            }
        }
    }
}

/// What a class-set link holds: each run's share format and document.
fn class_documents(fragment: &str) -> Result<Vec<(u8, Vec<u8>)>, ShareError> {
    let (_, raw) = share::unseal_in(&CLASS_LINK, fragment)?;
    let unreadable = |e: postcard::Error| ShareError::Damaged {
        detail: format!("unreadable data: {e}"),
    };
    let (docs, rest) = postcard::take_from_bytes::<Vec<(u8, Vec<u8>)>>(&raw).map_err(unreadable)?;
    if !rest.is_empty() {
        return Err(ShareError::Damaged {
            detail: format!("{} unexpected bytes at the end", rest.len()),
        });
    }
    Ok(docs)
}

// ---- links in running text ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Report,
    Class,
}

/// A link found in text: the whole of it as given, and its fragment
/// (`r=…` or `c=…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Found<'a> {
    link: &'a str,
    /// Where in `link` the fragment starts.
    at: usize,
    kind: Kind,
}

/// Characters no link the page writes contains, which end one in running
/// text: spaces, and what quotes or brackets a link in chat, Markdown,
/// HTML or CSV. Commas are not among them: the page's queries keep them.
fn ends_link(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'<' | b'>' | b'"' | b'\'' | b'`' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'|'
        )
}

fn base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'=')
}

/// Every results link in `line`, whatever its host: each `#r=` or `#c=`
/// (or `%23r=`, as some forms escape it) with the base64url after it. The
/// payload ends where base64url does, so a link followed by a full stop
/// or a CSV's next column still reads; a link that lost characters then
/// reads as truncated or damaged, which it is. A line that is only a
/// fragment (`r=…`) is one too.
fn links_in(line: &str) -> Vec<Found<'_>> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut floor = 0;
    let mut i = 0;
    while i < b.len() {
        let hash = match b[i] {
            b'#' => 1,
            b'%' if b[i..].starts_with(b"%23") => 3,
            _ => {
                i += 1;
                continue;
            }
        };
        let key = i + hash;
        let kind = match b.get(key..key + 2) {
            Some(b"r=") => Kind::Report,
            Some(b"c=") => Kind::Class,
            _ => {
                i += 1;
                continue;
            }
        };
        let mut end = key + 2;
        while end < b.len() && base64url(b[end]) {
            end += 1;
        }
        let mut start = i;
        while start > floor && !ends_link(b[start - 1]) {
            start -= 1;
        }
        // "Alice,https://…" in a form's export: the link starts at its scheme.
        if let Some(scheme) = line[start..i].rfind("http") {
            start += scheme;
        }
        out.push(Found {
            link: &line[start..end],
            at: key - start,
            kind,
        });
        floor = end;
        i = end;
    }
    if out.is_empty() {
        let t = line.trim();
        let kind = if t.starts_with("r=") {
            Some(Kind::Report)
        } else if t.starts_with("c=") {
            Some(Kind::Class)
        } else {
            None
        };
        if let Some(kind) = kind.filter(|_| t.len() > 2 && t.bytes().skip(2).all(base64url)) {
            out.push(Found {
                link: t,
                at: 0,
                kind,
            });
        }
    }
    out
}

/// Whether `line` has a playground link that carries settings only.
fn settings_link(line: &str) -> bool {
    line.split(|c: char| c.is_ascii() && ends_link(c as u8))
        .filter_map(|token| token.split_once('?'))
        .any(|(_, query)| {
            let query = query.split('#').next().unwrap_or_default();
            parse_query(query)
                .iter()
                .any(|(k, _)| k == "w" || k == "class")
        })
}

// ---- configurations ----

/// What makes runs comparable, worked out from a report's `config` with
/// the page's own parser (so `n=1e7` and `n=10000000` agree, and a key a
/// link left out takes its default on the machine that ran it).
///
/// In: the lesson and every key of its workload (they are the work), and
/// of the run keys those that change a ratio: `workers` (lesson 1 on two
/// workers and on eight are different experiments), `switch_ms` (how
/// often GIL threads hand over). `workers` counts as "the machine's
/// cores" where it equals them, as it does by default: a class that ran a
/// teacher's link on machines of 2 to 16 cores ran one configuration, the
/// one the chart sets against cores, while a fixed `workers=4` on the
/// same machines is another.
///
/// Out: `models` (each ratio is against the same run's `seq`, and the
/// models run one after another, so what else ran beside a model does not
/// change its ratio; a run without one of them just has no point for it),
/// `repeats` and `warmup` (how carefully the same ratio was measured, not
/// which), `sweep`, `sizes` and `mix` (extra steps after the main run,
/// which they leave as it is), and `run`, `embed`, `present` (never in a
/// link). Hybrid's `procs`, `threads` and `hybrid_gil` change only
/// hybrid's ratio and only a run with hybrid has them, so they split
/// hybrid's points into series of their own rather than split the group.
/// A value this page cannot read stays in the key as written, so it never
/// merges with a default.
#[derive(Debug, Clone, PartialEq)]
struct Config {
    lesson: String,
    workload: Option<Workload>,
    settings: Vec<(String, String)>,
}

/// `workers` (and hybrid's `procs`) at their default, the machine's cores.
const PER_CORE: &str = "cores";

impl Config {
    fn of(report: &Report) -> Config {
        let cores = report.env.cores;
        let (cfg, errors) = RunConfig::from_map(&report.config, cores);
        let lesson = cfg.workload.id().to_string();
        let mut settings: Vec<(String, String)> = cfg
            .workload
            .to_pairs()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let by_default = RunConfig::with_cores(cores);
        settings.push(("workers".into(), per_core(cfg.workers, by_default.workers)));
        settings.push(("switch_ms".into(), decimal(cfg.switch_ms)));
        for e in &errors {
            settings.push((e.key.clone(), format!("{} (not read)", e.value)));
        }
        // A lesson this page does not know has no default to fall back on.
        let unknown = errors.iter().find(|e| e.key == "w");
        Config {
            lesson: unknown.map_or(lesson, |e| e.value.clone()),
            workload: unknown.is_none().then_some(cfg.workload),
            settings,
        }
    }

    fn key(&self) -> String {
        let mut key = format!("w={}", self.lesson);
        for (k, v) in &self.settings {
            key.push_str(&format!("&{k}={v}"));
        }
        key
    }
}

fn per_core(value: u32, by_default: u32) -> String {
    if value == by_default {
        PER_CORE.to_string()
    } else {
        value.to_string()
    }
}

/// Hybrid's shape in `report`, which its points share: "procs=cores
/// threads=1", with " hybrid_gil=1" under a GIL per process.
fn hybrid_variant(report: &Report) -> String {
    let cores = report.env.cores;
    let (cfg, _) = RunConfig::from_map(&report.config, cores);
    let by_default = RunConfig::with_cores(cores);
    let mut v = format!(
        "procs={} threads={}",
        per_core(cfg.procs, by_default.procs),
        cfg.threads
    );
    if cfg.hybrid_gil {
        v.push_str(" hybrid_gil=1");
    }
    v
}

// ---- groups, series, points, rows ----

/// The browser engine a run came from, read from its user agent: what
/// shapes a mark, since engines, not brands, differ in how workers start
/// and clocks tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
    Other,
}

impl Engine {
    pub const ALL: [Engine; 4] = [
        Engine::Chromium,
        Engine::Firefox,
        Engine::WebKit,
        Engine::Other,
    ];

    /// Tokens as [`browser_label`] reads them. Every browser on iOS is
    /// WebKit whatever its name; old Edge (`Edge/`) had an engine of its
    /// own.
    pub fn of(user_agent: &str) -> Engine {
        let has = |token: &str| {
            user_agent
                .split_whitespace()
                .any(|part| part.starts_with(token))
        };
        if ["CriOS/", "FxiOS/", "EdgiOS/", "OPiOS/"]
            .iter()
            .any(|t| has(t))
            || user_agent.contains("iPhone")
            || user_agent.contains("iPad")
        {
            Engine::WebKit
        } else if has("Edge/") {
            Engine::Other
        } else if has("Firefox/") {
            Engine::Firefox
        } else if ["Chrome/", "HeadlessChrome/", "Chromium/", "Edg/", "OPR/"]
            .iter()
            .any(|t| has(t))
        {
            Engine::Chromium
        } else if has("AppleWebKit/") {
            Engine::WebKit
        } else {
            Engine::Other
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
            Engine::WebKit => "WebKit",
            Engine::Other => "other",
        }
    }
}

/// Why a ratio is shown but left out of every summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Excluded {
    /// Above what the machine allows: the report's `suspect` sentence.
    Suspect(String),
    /// The oracle disagreed, so the time means nothing.
    Wrong,
}

impl fmt::Display for Excluded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Excluded::Suspect(why) => write!(f, "suspect: {why}"),
            Excluded::Wrong => f.write_str("wrong result: the oracle disagrees"),
        }
    }
}

/// One model's ratio in one run: a mark on the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Index into [`ClassSet::members`].
    pub member: usize,
    pub cores: u32,
    pub speedup: f64,
    pub engine: Engine,
    pub excluded: Option<Excluded>,
}

/// The lesson's expected range on machines of `cores` cores, from the
/// verdicts' own thresholds ([`expected_band`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandAt {
    pub cores: u32,
    pub low: f64,
    pub high: f64,
}

/// The median ratio of the runs on machines of one core count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AtCores {
    pub cores: u32,
    pub runs: usize,
    pub median: f64,
}

/// A model's figures across the group.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Runs that ran the model.
    pub runs: usize,
    /// Medians of the ratios neither suspect nor wrong, by core count.
    pub medians: Vec<AtCores>,
    /// The ratios left out, by member, with why.
    pub excluded: Vec<(usize, Excluded)>,
    /// Runs with no ratio for the model (no `seq` beside it).
    pub without_ratio: usize,
}

impl Summary {
    pub fn suspect(&self) -> usize {
        self.excluded
            .iter()
            .filter(|(_, e)| matches!(e, Excluded::Suspect(_)))
            .count()
    }

    pub fn wrong(&self) -> usize {
        self.excluded.len() - self.suspect()
    }
}

/// One model (for hybrid, one shape of it) across the group's runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub model: ModelId,
    /// Hybrid's processes, threads and GIL (see [`Group::settings`]).
    pub variant: Option<String>,
    pub points: Vec<Point>,
    /// One entry per core count among the points, ascending; empty where
    /// the lesson's measure is not a speedup.
    pub band: Vec<BandAt>,
    pub summary: Summary,
}

impl Series {
    /// "GIL threads (gil)", or hybrid's with its shape.
    pub fn label(&self) -> String {
        match &self.variant {
            Some(v) => format!("{} ({}, {v})", self.model.name(), self.model.id()),
            None => format!("{} ({})", self.model.name(), self.model.id()),
        }
    }

    /// The summary in one sentence: "GIL threads (gil): 25 runs; median
    /// 0.97× on 2 cores (10 runs), 1.01× on 4 cores (13 runs); 2 left
    /// out (suspect)."
    pub fn words(&self) -> String {
        let s = &self.summary;
        let mut out = format!("{}: {} run{}", self.label(), s.runs, plural(s.runs));
        if !s.medians.is_empty() {
            let medians: Vec<String> = s
                .medians
                .iter()
                .map(|m| {
                    format!(
                        "{} on {} cores ({} run{})",
                        times(m.median),
                        m.cores,
                        m.runs,
                        plural(m.runs)
                    )
                })
                .collect();
            out.push_str(&format!("; median {}", medians.join(", ")));
        }
        let (suspect, wrong) = (s.suspect(), s.wrong());
        if suspect + wrong > 0 {
            let mut why = Vec::new();
            if suspect > 0 {
                why.push(format!("{suspect} suspect"));
            }
            if wrong > 0 {
                why.push(format!("{wrong} wrong"));
            }
            out.push_str(&format!("; {} left out", why.join(" and ")));
        }
        if s.without_ratio > 0 {
            out.push_str(&format!("; {} without seq to compare", s.without_ratio));
        }
        out.push('.');
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// One run's line in the group's table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub member: usize,
    pub cores: u32,
    /// "Chrome 156", as everywhere on the page.
    pub browser: String,
    pub engine: Engine,
    /// "isolated · timer 5 µs · process start 37.2 ms".
    pub limits: String,
    pub date: String,
    /// One per series of the group, in its order; `None` where the run did
    /// not run that model (or hybrid in that shape).
    pub cells: Vec<Option<Cell>>,
}

impl Row {
    /// "8 cores · Chrome 156 · isolated · timer 5 µs".
    pub fn machine(&self) -> String {
        format!("{} cores · {} · {}", self.cores, self.browser, self.limits)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub speedup: Option<f64>,
    pub excluded: Option<Excluded>,
}

/// The runs of one lesson and configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The lesson's id (`w`), as written where the page does not know it.
    pub lesson: String,
    /// The lesson's title, or its id where this page does not know it.
    pub title: String,
    /// The keys that make the configuration (see the note on `Config`),
    /// in URL order; `workers=cores` means one worker per core.
    pub settings: Vec<(String, String)>,
    /// Indices into [`ClassSet::members`], in reading order.
    pub members: Vec<usize>,
    /// One per model that has a ratio in some run, in the page's model
    /// order, `seq` (always 1×) left out.
    pub series: Vec<Series>,
    /// One per run: by cores, then engine, then date.
    pub rows: Vec<Row>,
    key: String,
}

impl Group {
    /// What tells groups apart, as a query: stable, for the page's ids.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// "CPU-bound work: tasks=4 n=10000000 workers=cores switch_ms=5".
    pub fn label(&self) -> String {
        let settings: Vec<String> = self
            .settings
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!("{}: {}", self.title, settings.join(" "))
    }

    fn build(set: &ClassSet, key: String, config: Config, members: Vec<usize>) -> Group {
        let mut lines: Vec<(ModelId, Option<String>)> = Vec::new();
        for &i in &members {
            let report = &set.members[i].report;
            for r in report.results.iter().filter(|r| r.model != ModelId::Seq) {
                let line = (r.model, variant_of(report, r.model));
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
        }
        let rank = |m: ModelId| ModelId::ALL.iter().position(|x| *x == m);
        lines.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then(a.1.cmp(&b.1)));
        let series = lines
            .iter()
            .map(|(model, variant)| series(set, &config, &members, *model, variant))
            .collect();
        let mut rows: Vec<Row> = members.iter().map(|&i| row(set, i, &lines)).collect();
        rows.sort_by(|a, b| {
            a.cores
                .cmp(&b.cores)
                .then(a.engine.cmp(&b.engine))
                .then(a.date.cmp(&b.date))
        });
        Group {
            title: config
                .workload
                .as_ref()
                .map_or(config.lesson.clone(), |w| w.lesson().title.to_string()),
            lesson: config.lesson,
            settings: config.settings,
            members,
            series,
            rows,
            key,
        }
    }
}

fn variant_of(report: &Report, model: ModelId) -> Option<String> {
    (model == ModelId::Hybrid).then(|| hybrid_variant(report))
}

/// Why `r`'s ratio is not a result, if it is not.
fn excluded(r: &crate::report::ModelResult) -> Option<Excluded> {
    if !r.correct {
        Some(Excluded::Wrong)
    } else {
        r.suspect.clone().map(Excluded::Suspect)
    }
}

fn series(
    set: &ClassSet,
    config: &Config,
    members: &[usize],
    model: ModelId,
    variant: &Option<String>,
) -> Series {
    let mut points = Vec::new();
    let mut band: Vec<BandAt> = Vec::new();
    let mut summary = Summary {
        runs: 0,
        medians: Vec::new(),
        excluded: Vec::new(),
        without_ratio: 0,
    };
    for &i in members {
        let report = &set.members[i].report;
        let Some(r) = report
            .results
            .iter()
            .find(|r| r.model == model && variant_of(report, model) == *variant)
        else {
            continue;
        };
        summary.runs += 1;
        let Some(speedup) = r.speedup.filter(|s| s.is_finite()) else {
            summary.without_ratio += 1;
            continue;
        };
        let cores = report.env.cores;
        let out = excluded(r);
        if let Some(why) = &out {
            summary.excluded.push((i, why.clone()));
        }
        points.push(Point {
            member: i,
            cores,
            speedup,
            engine: Engine::of(&report.env.user_agent),
            excluded: out,
        });
        let known = band.iter().any(|b| b.cores == cores);
        let expected = config
            .workload
            .as_ref()
            .and_then(|w| expected_band(w, cores, r));
        if let (false, Some((low, high))) = (known, expected) {
            band.push(BandAt { cores, low, high });
        }
    }
    band.sort_by_key(|b| b.cores);
    let mut by_cores: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
    for p in points.iter().filter(|p| p.excluded.is_none()) {
        by_cores.entry(p.cores).or_default().push(p.speedup);
    }
    summary.medians = by_cores
        .into_iter()
        .filter_map(|(cores, ratios)| {
            stats::median(&ratios).map(|median| AtCores {
                cores,
                runs: ratios.len(),
                median,
            })
        })
        .collect();
    Series {
        model,
        variant: variant.clone(),
        points,
        band,
        summary,
    }
}

fn row(set: &ClassSet, i: usize, lines: &[(ModelId, Option<String>)]) -> Row {
    let report = &set.members[i].report;
    let cells = lines
        .iter()
        .map(|(model, variant)| {
            report
                .results
                .iter()
                .find(|r| r.model == *model && variant_of(report, *model) == *variant)
                .map(|r| Cell {
                    speedup: r.speedup.filter(|s| s.is_finite()),
                    excluded: excluded(r),
                })
        })
        .collect();
    Row {
        member: i,
        cores: report.env.cores,
        browser: browser_label(&report.env.user_agent),
        engine: Engine::of(&report.env.user_agent),
        limits: limits(report),
        date: report.env.date.clone(),
        cells,
    }
}

/// What bounds a machine's ratios, short: isolation (without it no
/// threads ran), its clock and, where it was measured, a process start.
fn limits(report: &Report) -> String {
    let e = &report.env;
    let mut parts = vec![if e.isolated {
        "isolated".to_string()
    } else {
        "not isolated".to_string()
    }];
    if e.shared_memory == Some(false) {
        parts.push("no shared memory".to_string());
    }
    if let Some(t) = e.timer_resolution_ms {
        parts.push(format!("timer {}", clock_step(t)));
    }
    if let Some(start) = report.calibration.as_ref().and_then(process_start) {
        parts.push(format!("process start {start}"));
    }
    parts.join(" · ")
}

fn process_start(c: &Calibration) -> Option<String> {
    let key = "process_start_ms";
    match c.bound_ms(key) {
        Some(bound) => Some(format!("under {}", crate::format::ms(bound))),
        None => c.timed(key).map(crate::format::ms),
    }
}

// ---- predictions ----

/// One part of a lesson's question across a group's runs: what the runs
/// that answered it predicted, and what every run that can tell bore out.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionTally {
    /// The model asked about, or for a pick ("which starts fastest?") `None`.
    pub model: Option<ModelId>,
    /// For a pick, what a model was picked for (`fastest`).
    pub pick: Option<String>,
    /// Per answer (a choice's id, or for a pick a model's id): how many runs
    /// predicted it, and how many runs' results bore it out.
    pub answers: Vec<(String, usize, usize)>,
    /// Runs that answered this part, and runs whose results could tell.
    pub predicted: usize,
    pub judged: usize,
}

const PICKS: [&str; 2] = ["fastest", "slowest"];

/// Each part of the question the runs of `group` answered, in the order
/// they first appear.
pub fn prediction_tallies(set: &ClassSet, group: &Group) -> Vec<PredictionTally> {
    let runs: Vec<&Report> = group
        .members
        .iter()
        .map(|&i| &set.members[i].report)
        .collect();
    let mut parts: Vec<(Option<ModelId>, Option<String>)> = Vec::new();
    for r in &runs {
        for p in &r.predictions {
            let part = if PICKS.contains(&p.choice.as_str()) {
                (None, Some(p.choice.clone()))
            } else {
                (Some(p.model), None)
            };
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
    }
    parts
        .into_iter()
        .map(|(model, pick)| {
            let mut answers: Vec<(String, usize, usize)> = Vec::new();
            let count = |answers: &mut Vec<(String, usize, usize)>, a: String, predicted: bool| {
                let i = match answers.iter().position(|(x, _, _)| *x == a) {
                    Some(i) => i,
                    None => {
                        answers.push((a, 0, 0));
                        answers.len() - 1
                    }
                };
                if predicted {
                    answers[i].1 += 1;
                } else {
                    answers[i].2 += 1;
                }
            };
            let (mut predicted, mut judged) = (0, 0);
            for r in &runs {
                let workload = RunConfig::from_map(&r.config, r.env.cores.max(1))
                    .0
                    .workload;
                let mine = r.predictions.iter().find(|p| match (&model, &pick) {
                    (Some(m), _) => p.model == *m && !PICKS.contains(&p.choice.as_str()),
                    (_, Some(c)) => p.choice == *c,
                    _ => false,
                });
                if let Some(p) = mine {
                    predicted += 1;
                    let a = if pick.is_some() {
                        p.model.id().to_string()
                    } else {
                        p.choice.clone()
                    };
                    count(&mut answers, a, true);
                }
                // What this run bore out, asked as any answer of the part.
                let probe = Prediction {
                    model: model.unwrap_or(ModelId::Seq),
                    choice: pick.clone().unwrap_or_default(),
                    confidence: crate::predict::Confidence::Guessing,
                    right: None,
                };
                let borne = crate::verdict::borne_out(&workload, &r.results, &probe);
                let actual = match borne {
                    Some(crate::verdict::Borne::Choice(c)) if model.is_some() => Some(c),
                    Some(crate::verdict::Borne::Model(m)) if pick.is_some() => {
                        Some(m.id().to_string())
                    }
                    _ => None,
                };
                if let Some(a) = actual {
                    judged += 1;
                    count(&mut answers, a, false);
                }
            }
            PredictionTally {
                model,
                pick,
                answers,
                predicted,
                judged,
            }
        })
        .collect()
}

/// "GIL threads: 18 of 25 runs predicted faster than one thread; 1 of 25
/// runs was": the class's most common answer set against the results, a
/// line per part of each group's question that any run answered.
pub fn prediction_lines(set: &ClassSet, groups: &[Group]) -> Vec<String> {
    groups
        .iter()
        .flat_map(|g| prediction_lines_of(set, g, &prediction_tallies(set, g)))
        .collect()
}

/// The lines of one group from its [`prediction_tallies`], for a page that
/// works them out a group per task.
pub fn prediction_lines_of(
    set: &ClassSet,
    group: &Group,
    tallies: &[PredictionTally],
) -> Vec<String> {
    let Some(workload) = group.members.first().map(|&i| {
        let r = &set.members[i].report;
        RunConfig::from_map(&r.config, r.env.cores.max(1))
            .0
            .workload
    }) else {
        return Vec::new();
    };
    tallies
        .iter()
        .filter_map(|t| prediction_line(&workload, t))
        .collect()
}

fn prediction_line(workload: &Workload, t: &PredictionTally) -> Option<String> {
    let (modal, k, _) = t
        .answers
        .iter()
        .filter(|(_, k, _)| *k > 0)
        .max_by_key(|(_, k, _)| *k)?
        .clone();
    let borne = t
        .answers
        .iter()
        .find(|(a, _, _)| *a == modal)
        .map_or(0, |x| x.2);
    let runs = |n: usize| if n == 1 { "run" } else { "runs" };
    Some(match (&t.model, &t.pick) {
        (Some(m), _) => format!(
            "{}: {k} of {} {} predicted {}; {borne} of {} {} {}",
            m.name(),
            t.predicted,
            runs(t.predicted),
            crate::verdict::choice_words(workload, &modal),
            t.judged,
            runs(t.judged),
            if borne == 1 { "was" } else { "were" }
        ),
        (_, Some(pick)) => {
            let name =
                ModelId::parse(&modal).map_or_else(|| modal.clone(), |m| m.name().to_string());
            format!(
                "{k} of {} {} picked {name} as the one that {}; it was in {borne} of {} {}",
                t.predicted,
                runs(t.predicted),
                crate::verdict::choice_words(workload, pick),
                t.judged,
                runs(t.judged)
            )
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_in_chat_markdown_html_and_csv() {
        let found = |line: &str| -> Vec<(String, String)> {
            links_in(line)
                .iter()
                .map(|f| (f.link.to_string(), f.link[f.at..].to_string()))
                .collect()
        };
        assert_eq!(
            found("[10:31] Alice: https://a.io/p/?w=cpu&models=seq,gil#r=AQx3-_. Thanks!"),
            [(
                "https://a.io/p/?w=cpu&models=seq,gil#r=AQx3-_".into(),
                "r=AQx3-_".into()
            )]
        );
        assert_eq!(
            found("see [mine](http://h/?w=io#r=AB) and <a href=\"?w=cpu#c=CD\">"),
            [
                ("http://h/?w=io#r=AB".into(), "r=AB".into()),
                ("?w=cpu#c=CD".into(), "c=CD".into())
            ]
        );
        assert_eq!(
            found("Bob,https://h/?models=seq,procs%23r=EF,2026-11-22"),
            [("https://h/?models=seq,procs%23r=EF".into(), "r=EF".into())]
        );
        assert_eq!(found("  r=GH  "), [("r=GH".into(), "r=GH".into())]);
        assert!(found("r= and #rest and #c and %2").is_empty());
        assert!(settings_link("open https://h/?w=cpu&run=1 now"));
        assert!(!settings_link("https://example.com/?q=threads"));
    }

    #[test]
    fn engines_come_from_the_user_agent() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", Engine::Chromium),
            ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0", Engine::Chromium),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0", Engine::Firefox),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15", Engine::WebKit),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0 Mobile/15E148 Safari/604.1", Engine::WebKit),
            ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0 Safari/537.36 Edge/18.17763", Engine::Other),
            ("", Engine::Other),
        ];
        for (ua, engine) in cases {
            assert_eq!(Engine::of(ua), engine, "{ua}");
        }
    }

    #[test]
    fn excerpts_keep_both_ends() {
        let long = format!("https://host/?w=cpu#r={}", "A".repeat(200));
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), EXCERPT_CHARS);
        assert!(e.starts_with("https://host/?w=cpu#r=AAA") && e.contains('…'));
        assert_eq!(excerpt("  short  "), "short");
    }
}
