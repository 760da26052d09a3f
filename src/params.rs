//! One spec per URL key. The parser, the form and the generated
//! `docs/url.md` all read a key's limits, default and words from here, so a
//! limit changed in one place cannot leave the error message, the hint or
//! the documentation behind.

use crate::format::{decimal, group};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What values a key takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A whole number in `min..=max`.
    Int { min: u64, max: u64 },
    /// A task index: a whole number from 0 to the value of key `of` minus
    /// one. Its limit depends on the same link, so it cannot be a fixed range.
    Index { of: &'static str },
    /// A decimal in `min..=max`.
    Float { min: f64, max: f64 },
    /// One of these words.
    Choice(&'static [&'static str]),
    /// A comma list of these words, each at most once.
    List(&'static [&'static str]),
    /// `1` on, `0` (or empty) off.
    Flag,
    /// A web origin, `scheme://host` with an optional port, as
    /// `postMessage` takes it.
    Origin,
}

/// The value a key has when a link leaves it out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    Int(u64),
    Float(f64),
    Word(&'static str),
    /// A comma list, as it is written in a URL.
    List(&'static str),
    /// The machine's core count, which only the page knows.
    Cores,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    pub key: &'static str,
    /// The form's label.
    pub label: &'static str,
    /// What the value means, in a few words (the form's hint before the limits).
    pub help: &'static str,
    pub kind: Kind,
    pub default: DefaultValue,
}

impl ParamSpec {
    /// The limit as error messages state it. Kept word for word: links and
    /// tests quote these sentences.
    pub fn limit(&self) -> String {
        match self.kind {
            Kind::Int { min, max } => {
                format!("a whole number from {} to {}", group(min), group(max))
            }
            Kind::Index { of } => format!("a whole number from 0 to {of} − 1"),
            Kind::Float { min, max } => format!("a number from {min} to {max}"),
            Kind::Choice(words) => format!("one of {}", words.join(", ")),
            Kind::List(words) => format!("a comma list of {}", words.join(", ")),
            Kind::Flag => "1 (on) or 0 (off)".to_string(),
            Kind::Origin => "an origin such as https://example.org or http://localhost:8000 \
                             (scheme, host and port, no path)"
                .to_string(),
        }
    }

    /// The limit in the short form of hints and tables, e.g. `1–1,024`.
    pub fn range(&self) -> String {
        match self.kind {
            Kind::Int { min, max } => format!("{}–{}", group(min), group(max)),
            Kind::Index { of } => format!("0 to {of} − 1"),
            Kind::Float { min, max } => format!("{}–{}", fmt_limit(min), fmt_limit(max)),
            Kind::Choice(words) | Kind::List(words) => words.join(", "),
            Kind::Flag => "1 or 0".to_string(),
            Kind::Origin => "scheme://host[:port]".to_string(),
        }
    }

    /// The form's hint: the meaning, then the limits where a text field
    /// needs them (a select shows its words itself).
    pub fn hint(&self) -> String {
        match self.kind {
            Kind::Choice(_) | Kind::List(_) | Kind::Flag | Kind::Origin => self.help.to_string(),
            _ if self.help.is_empty() => self.range(),
            _ => format!("{}, {}", self.help, self.range()),
        }
    }

    /// The words of a choice or list, for a select or checkboxes.
    pub fn words(&self) -> Option<&'static [&'static str]> {
        match self.kind {
            Kind::Choice(w) | Kind::List(w) => Some(w),
            _ => None,
        }
    }

    /// The default as a URL would carry it; `None` for the core count.
    pub fn default_text(&self) -> Option<String> {
        match self.default {
            DefaultValue::Int(v) => Some(v.to_string()),
            DefaultValue::Float(v) => Some(decimal(v)),
            DefaultValue::Word(w) | DefaultValue::List(w) => Some(w.to_string()),
            DefaultValue::Cores => None,
            DefaultValue::Off => Some("0".to_string()),
        }
    }

    fn default_int(&self) -> u64 {
        match self.default {
            DefaultValue::Int(v) => v,
            _ => panic!("{}: an integer key needs an integer default", self.key),
        }
    }

    /// Reads an integer key: its default when absent; an error naming the
    /// limit, and the default, when out of range or not a number.
    pub fn int(&self, pairs: &[(String, String)], errors: &mut Vec<ParamError>) -> u64 {
        self.int_or(pairs, self.default_int(), errors)
    }

    /// [`ParamSpec::int`] with a default that only the caller knows (the
    /// core count).
    pub fn int_or(
        &self,
        pairs: &[(String, String)],
        default: u64,
        errors: &mut Vec<ParamError>,
    ) -> u64 {
        let Kind::Int { min, max } = self.kind else {
            panic!("{} is not an integer key", self.key)
        };
        read_int(pairs, self.key, default, min, max, self.limit(), errors)
    }

    /// Reads a task index against the `tasks` of the same link. When the
    /// link leaves the key out and its default task does not exist, the last
    /// task is used instead.
    pub fn index(
        &self,
        pairs: &[(String, String)],
        tasks: u32,
        errors: &mut Vec<ParamError>,
    ) -> u32 {
        let Kind::Index { of } = self.kind else {
            panic!("{} is not a task index", self.key)
        };
        let last = u64::from(tasks.max(1) - 1);
        let limit = format!(
            "a whole number from 0 to {} (a task index: {of} = {tasks})",
            group(last)
        );
        let default = self.default_int().min(last);
        read_int(pairs, self.key, default, 0, last, limit, errors) as u32
    }

    /// Reads a decimal key, like [`ParamSpec::int`].
    pub fn float(&self, pairs: &[(String, String)], errors: &mut Vec<ParamError>) -> f64 {
        let (Kind::Float { min, max }, DefaultValue::Float(default)) = (self.kind, self.default)
        else {
            panic!("{} is not a decimal key with a decimal default", self.key)
        };
        let Some(raw) = lookup(pairs, self.key) else {
            return default;
        };
        match raw.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= min && v <= max => v,
            _ => {
                errors.push(ParamError::new(self.key, raw, self.limit()));
                default
            }
        }
    }

    /// Reads a one-word key into the value `options` pairs with the word.
    /// `options` must name the spec's words, checked by each workload's tests.
    pub fn choice<T: Copy>(
        &self,
        pairs: &[(String, String)],
        options: &[(&str, T)],
        errors: &mut Vec<ParamError>,
    ) -> T {
        let (Kind::Choice(_), DefaultValue::Word(default)) = (self.kind, self.default) else {
            panic!("{} is not a choice with a word default", self.key)
        };
        let pick = |word: &str| options.iter().find(|(n, _)| *n == word).map(|(_, v)| *v);
        let fallback = pick(default).expect("the default is one of the options");
        let Some(raw) = lookup(pairs, self.key) else {
            return fallback;
        };
        match pick(&raw.trim().to_ascii_lowercase()) {
            Some(v) => v,
            None => {
                errors.push(ParamError::new(self.key, raw, self.limit()));
                fallback
            }
        }
    }

    /// Reads an origin; `None` when the link leaves it out. A trailing `/`
    /// is dropped, as `location.origin` writes none.
    pub fn origin(
        &self,
        pairs: &[(String, String)],
        errors: &mut Vec<ParamError>,
    ) -> Option<String> {
        let raw = lookup(pairs, self.key)?;
        let origin = raw.trim().trim_end_matches('/').to_ascii_lowercase();
        let valid = || {
            let (scheme, rest) = origin.split_once("://")?;
            let (host, port) = rest
                .split_once(':')
                .map_or((rest, None), |(h, p)| (h, Some(p)));
            let host_ok = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
            let port_ok = port.is_none_or(|p| {
                (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
            });
            (matches!(scheme, "http" | "https") && host_ok && port_ok).then_some(())
        };
        match valid() {
            Some(()) => Some(origin),
            None => {
                errors.push(ParamError::new(self.key, raw, self.limit()));
                None
            }
        }
    }

    /// Reads a flag: absent, empty or `0` is off.
    pub fn flag(&self, pairs: &[(String, String)], errors: &mut Vec<ParamError>) -> bool {
        match lookup(pairs, self.key) {
            None | Some("0") | Some("") => false,
            Some("1") => true,
            Some(other) => {
                errors.push(ParamError::new(self.key, other, self.limit()));
                false
            }
        }
    }
}

fn read_int(
    pairs: &[(String, String)],
    key: &str,
    default: u64,
    min: u64,
    max: u64,
    limit: String,
    errors: &mut Vec<ParamError>,
) -> u64 {
    let Some(raw) = lookup(pairs, key) else {
        return default;
    };
    match parse_int(raw) {
        Some(v) if (min..=max).contains(&v) => v,
        _ => {
            errors.push(ParamError::new(key, raw, limit));
            default
        }
    }
}

/// A decimal limit for people: whole values grouped like integers.
fn fmt_limit(v: f64) -> String {
    if v >= 0.0 && v.fract() == 0.0 && v < 1e15 {
        group(v as u64)
    } else {
        decimal(v)
    }
}

/// The spec of `key` in `specs`.
pub fn find(specs: &'static [ParamSpec], key: &str) -> Option<&'static ParamSpec> {
    specs.iter().find(|s| s.key == key)
}

/// The words of an `(id, value)` table, for a [`Kind::Choice`] that must
/// agree with the enum it parses into.
pub const fn words<T: Copy, const N: usize>(options: &[(&'static str, T); N]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = options[i].0;
        i += 1;
    }
    out
}

/// A parameter that was rejected: names the key, the value and the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamError {
    pub key: String,
    pub value: String,
    pub limit: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} = \"{}\" is not allowed: {}",
            self.key, self.value, self.limit
        )
    }
}

impl ParamError {
    pub fn new(key: &str, value: &str, limit: impl Into<String>) -> Self {
        ParamError {
            key: key.to_string(),
            value: value.to_string(),
            limit: limit.into(),
        }
    }
}

/// The last value given for `key` (a later value in a URL overrides an earlier one).
pub fn lookup<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Accepts `10000000`, `10_000_000`, `10,000,000` and `1e7`: people paste all four.
pub fn parse_int(raw: &str) -> Option<u64> {
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| *c != '_' && *c != ',')
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    if let Ok(v) = cleaned.parse::<u64>() {
        return Some(v);
    }
    let (mantissa, exp) = cleaned.split_once(['e', 'E'])?;
    let m: u64 = mantissa.parse().ok()?;
    let e: u32 = exp.parse().ok()?;
    m.checked_mul(10u64.checked_pow(e)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: ParamSpec = ParamSpec {
        key: "n",
        label: "N",
        help: "steps",
        kind: Kind::Int {
            min: 1,
            max: 10_000,
        },
        default: DefaultValue::Int(7),
    };

    fn pairs(q: &str) -> Vec<(String, String)> {
        crate::config::parse_query(q)
    }

    #[test]
    fn hints_and_limits_group_thousands() {
        assert_eq!(N.hint(), "steps, 1–10,000");
        assert_eq!(N.limit(), "a whole number from 1 to 10,000");
        let f = ParamSpec {
            kind: Kind::Float {
                min: 0.5,
                max: 10_000.0,
            },
            default: DefaultValue::Float(1.0),
            ..N
        };
        assert_eq!(f.hint(), "steps, 0.5–10,000");
        assert_eq!(
            f.limit(),
            "a number from 0.5 to 10000",
            "as messages always said"
        );
    }

    #[test]
    fn absent_bad_and_good_values() {
        let mut errors = Vec::new();
        assert_eq!(N.int(&pairs(""), &mut errors), 7);
        assert_eq!(N.int(&pairs("n=1e3"), &mut errors), 1000);
        assert!(errors.is_empty());
        assert_eq!(N.int(&pairs("n=0"), &mut errors), 7);
        assert_eq!(
            errors[0].to_string(),
            "n = \"0\" is not allowed: a whole number from 1 to 10,000"
        );
    }

    #[test]
    fn words_follow_their_table() {
        const T: [(&str, u8); 2] = [("a", 1), ("b", 2)];
        assert_eq!(words(&T), ["a", "b"]);
    }
}
