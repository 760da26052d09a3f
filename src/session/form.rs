//! The form: what the user typed or the link said, key by key, and what it
//! parses to on this page. It mirrors itself into the address bar, so the
//! page is always a link to what it shows.

use super::{Action, Command, Outbox};
use crate::capabilities::{self, Capabilities};
use crate::config::{parse_query, to_query, RunConfig};
use crate::workloads::ParamError;

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// What the user typed or the link said, key by key, in order: kept
    /// verbatim so a rejected value stays in its field to be corrected.
    pub raw: Vec<(String, String)>,
    pub config: RunConfig,
    /// Values that are not allowed: they block Run.
    pub errors: Vec<ParamError>,
    /// What this page cannot run of what the link asked (no shared memory):
    /// left out of the run, which goes on without them.
    pub limits: Vec<ParamError>,
    pub caps: Capabilities,
    /// The machine's cores, which some defaults are (`workers`).
    cores: u32,
}

impl Form {
    pub fn new(raw: Vec<(String, String)>, cores: u32, caps: Capabilities) -> Form {
        let cores = cores.max(1);
        let (config, errors, limits) = parse(&raw, cores, caps);
        Form {
            raw,
            config,
            errors,
            limits,
            caps,
            cores,
        }
    }

    /// An edit of one field (`Action::Set`); every other action is left to
    /// the other parts.
    pub fn apply(&mut self, action: Action, outbox: &mut Outbox) {
        let Action::Set(key, value) = action else {
            return;
        };
        self.raw.retain(|(k, _)| *k != key);
        self.raw.push((key, value));
        self.parse();
        outbox.push(Command::ReplaceUrl(self.url_query()));
    }

    /// Every field as `query` says, as a saved run reopens with its settings.
    pub fn load(&mut self, query: &str, outbox: &mut Outbox) {
        self.raw = parse_query(query);
        self.parse();
        outbox.push(Command::ReplaceUrl(self.url_query()));
    }

    fn parse(&mut self) {
        (self.config, self.errors, self.limits) = parse(&self.raw, self.cores, self.caps);
    }

    /// The value a field shows: what was entered, else the default.
    pub fn field(&self, key: &str) -> String {
        if let Some(v) = crate::workloads::lookup(&self.raw, key) {
            return v.to_string();
        }
        self.config
            .to_pairs()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
            .unwrap_or_default()
    }

    /// The address bar's query: what was entered, without `run`, so a
    /// reload after an edit does not start work.
    pub fn url_query(&self) -> String {
        let pairs: Vec<_> = self
            .raw
            .iter()
            .filter(|(k, _)| k != "run")
            .cloned()
            .collect();
        to_query(&pairs)
    }
}

/// The configuration `raw` asks for, fitted to what this page can run (no
/// thread models without shared memory). Settings refused for the page's
/// sake, not the user's, do not block Run: they come back apart, as
/// `limits`, and the run goes on without them.
fn parse(
    raw: &[(String, String)],
    cores: u32,
    caps: Capabilities,
) -> (RunConfig, Vec<ParamError>, Vec<ParamError>) {
    let (mut config, errors) = RunConfig::from_pairs(raw, cores);
    let limits = capabilities::restrict(&mut config, raw, caps);
    (config, errors, limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(query: &str, shared_memory: bool) -> Form {
        Form::new(parse_query(query), 2, Capabilities { shared_memory })
    }

    #[test]
    fn a_rejected_value_stays_in_its_field_and_in_the_address() {
        let mut f = form("w=cpu&run=1", true);
        let mut outbox = Outbox::default();
        f.apply(Action::Set("n".into(), "-5".into()), &mut outbox);
        assert_eq!(f.field("n"), "-5");
        assert_eq!(f.field("tasks"), "4", "a default shows as itself");
        assert_eq!(f.errors[0].key, "n");
        assert!(matches!(
            outbox.pending.last(),
            Some((_, Command::ReplaceUrl(q))) if q == "w=cpu&n=-5"
        ));
        f.apply(Action::Set("n".into(), "1000".into()), &mut outbox);
        assert!(f.errors.is_empty());
    }

    #[test]
    fn what_this_page_cannot_run_is_a_limit_not_an_error() {
        let f = form("w=cpu&models=seq,threads,procs", false);
        assert!(f.errors.is_empty());
        assert_eq!(f.limits[0].key, "models");
        assert!(!f.config.models.contains(&crate::models::ModelId::Threads));
    }
}
