//! The library: results that did not run here (a link's, a saved run's),
//! the history of finished runs kept in this browser, and the two picked
//! from it to compare.

use super::{names, Action, Command, Outbox};
use crate::report::{env_line, Report};
use crate::share;
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Older entries fall off: a history is for recent runs, not an archive.
pub const MAX_ENTRIES: usize = 30;

/// Results measured elsewhere (a link, the history), with where they come
/// from; a comparison labels each of its two sides the same way.
#[derive(Debug, Clone, PartialEq)]
pub struct Elsewhere {
    /// Shared, not copied, by every view that shows it.
    pub report: Rc<Report>,
    /// "16 cores · Chrome 131 · …": where they came from.
    pub label: String,
    /// What the link had to leave out to stay short.
    pub dropped: Vec<String>,
}

/// A saved run: its share fragment (compact) and how to list it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub label: String,
    /// The page query the run had, so reopening restores its form.
    pub query: String,
    pub fragment: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Library {
    /// Results that came in a link or were reopened from the history.
    pub opened: Option<Elsewhere>,
    /// Why a link's results could not be read.
    pub link_error: Option<String>,
    /// Newest first, at most [`MAX_ENTRIES`].
    pub history: Vec<Entry>,
    /// Why the history could not be read, saved or opened.
    pub error: Option<String>,
    /// History entries picked for comparison (at most two).
    pub compare: Vec<String>,
}

impl Library {
    /// The history as storage gave it, and the results of the page's link
    /// (its fragment, without `#`, and the whole address), if it has any.
    pub fn new(history: Result<Vec<Entry>, String>, fragment: &str, href: String) -> Library {
        let mut library = Library::default();
        match history {
            Ok(h) => library.history = h,
            Err(e) => library.error = Some(unavailable(&e)),
        }
        if fragment.is_empty() {
            return library;
        }
        match share::decode_with_dropped(fragment) {
            Ok((mut report, dropped)) => {
                report.share_url = href;
                library.opened = Some(Elsewhere {
                    label: env_line(&report.env),
                    report: Rc::new(report),
                    dropped: names(&dropped),
                });
            }
            Err(e) => {
                library.link_error = Some(format!(
                    "This link's results could not be shown: {e}. Its settings are loaded below where they are valid."
                ))
            }
        }
        library
    }

    /// The edits of the history itself: delete, clear, pick to compare,
    /// and storage failing; every other action is left to the other parts.
    pub fn apply(&mut self, action: Action, outbox: &mut Outbox) {
        match action {
            Action::HistoryError(e) => self.error = Some(unavailable(&e)),
            Action::DeleteEntry(id) => {
                self.history.retain(|e| e.id != id);
                self.compare.retain(|c| *c != id);
                self.save(outbox);
            }
            Action::ClearHistory => {
                self.history.clear();
                self.compare.clear();
                self.save(outbox);
            }
            Action::ToggleCompare(id) => {
                if self.compare.contains(&id) {
                    self.compare.retain(|c| *c != id);
                } else {
                    self.compare.push(id);
                    if self.compare.len() > 2 {
                        self.compare.remove(0);
                    }
                }
            }
            _ => {}
        }
    }

    /// A finished run, first in the history.
    pub fn keep(&mut self, entry: Entry, outbox: &mut Outbox) {
        self.history.insert(0, entry);
        self.history.truncate(MAX_ENTRIES);
        self.save(outbox);
    }

    /// Opens saved run `id` and returns the query its form had; `None`, and
    /// an error to show, when it cannot be read.
    pub fn open(&mut self, id: &str) -> Option<String> {
        let found = decode_entry(&self.history, id)
            .zip(self.history.iter().find(|e| e.id == id))
            .map(|(opened, e)| (opened, e.query.clone()));
        let Some((opened, query)) = found else {
            self.error = Some("That saved run could not be read.".to_string());
            return None;
        };
        self.opened = Some(opened);
        Some(query)
    }

    fn save(&mut self, outbox: &mut Outbox) {
        self.error = None;
        outbox.push(Command::SaveHistory(self.history.clone()));
    }
}

fn unavailable(why: &str) -> String {
    format!("History is unavailable: {why}.")
}

/// A saved report, decoded; `None` when it cannot be read.
pub fn decode_entry(history: &[Entry], id: &str) -> Option<Elsewhere> {
    let e = history.iter().find(|e| e.id == id)?;
    let (report, dropped) = share::decode_with_dropped(&e.fragment).ok()?;
    Some(Elsewhere {
        label: e.label.clone(),
        report: Rc::new(report),
        dropped: names(&dropped),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> Entry {
        Entry {
            id: id.into(),
            label: id.into(),
            query: "w=cpu".into(),
            fragment: String::new(),
        }
    }

    #[test]
    fn two_runs_at_most_are_picked_and_a_deleted_one_is_unpicked() {
        let mut outbox = Outbox::default();
        let mut library = Library::new(
            Ok(vec![entry("a"), entry("b"), entry("c")]),
            "",
            String::new(),
        );
        for id in ["a", "b", "c"] {
            library.apply(Action::ToggleCompare(id.into()), &mut outbox);
        }
        assert_eq!(library.compare, ["b", "c"], "the oldest pick makes room");
        library.apply(Action::DeleteEntry("c".into()), &mut outbox);
        assert_eq!(library.compare, ["b"]);
        assert!(matches!(
            outbox.pending.last(),
            Some((_, Command::SaveHistory(h))) if h.len() == 2
        ));
        library.apply(Action::Set("n".into(), "5".into()), &mut outbox);
        assert_eq!(library.history.len(), 2, "not the library's");
    }

    #[test]
    fn storage_and_links_that_fail_say_why() {
        let library = Library::new(Err("quota".into()), "r=nonsense", String::new());
        assert_eq!(
            library.error.as_deref(),
            Some("History is unavailable: quota.")
        );
        assert!(library.opened.is_none());
        assert!(library
            .link_error
            .as_deref()
            .unwrap()
            .starts_with("This link's results could not be shown: "));
        let mut library = Library::new(Ok(vec![entry("a")]), "", String::new());
        assert_eq!(library.open("a"), None, "its fragment is empty");
        assert_eq!(
            library.error.as_deref(),
            Some("That saved run could not be read.")
        );
    }
}
