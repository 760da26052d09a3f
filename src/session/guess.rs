//! The reader's prediction before a run: a draft, answer by answer, of the
//! lesson's question (`verdict::question`), with one confidence for all
//! of it. Run takes the draft with it, and the finished report sets each
//! answer beside the result; running without predicting takes none.

use super::Action;
use crate::predict::{Confidence, Prediction, Question};

#[derive(Debug, Clone, PartialEq)]
pub struct Guess {
    /// Each answered part of the question, by its key (`Ask::key`).
    answers: Vec<(String, Prediction)>,
    pub confidence: Confidence,
}

impl Default for Guess {
    fn default() -> Guess {
        Guess {
            answers: Vec::new(),
            // Until the reader says otherwise: most predictions are guesses.
            confidence: Confidence::Guessing,
        }
    }
}

impl Guess {
    /// An answer picked or a confidence set; every other action is left to
    /// the other parts. `question` is the lesson's question now, by which
    /// an answer is checked (a value that is not one of its options, or of
    /// a part no longer asked, is not kept).
    pub fn apply(&mut self, action: Action, question: Option<&Question>) {
        match action {
            Action::Predict { key, value } => {
                let Some(ask) = question.and_then(|q| q.asks.iter().find(|a| a.key() == key))
                else {
                    return;
                };
                if let Some(p) = ask.predict(&value, self.confidence) {
                    self.answers.retain(|(k, _)| *k != key);
                    self.answers.push((key, p));
                }
            }
            Action::Confidence(c) => {
                self.confidence = c;
                for (_, p) in &mut self.answers {
                    p.confidence = c;
                }
            }
            _ => {}
        }
    }

    /// The answer to the part with `key`, if any.
    pub fn answer(&self, key: &str) -> Option<&Prediction> {
        self.answers.iter().find(|(k, _)| k == key).map(|(_, p)| p)
    }

    /// The answers that still answer `question` (a form edit may have
    /// dropped a model), in the question's order.
    pub fn predictions(&self, question: Option<&Question>) -> Vec<Prediction> {
        let Some(q) = question else {
            return Vec::new();
        };
        q.asks
            .iter()
            .filter_map(|a| {
                self.answers
                    .iter()
                    .find(|(k, p)| *k == a.key() && a.answered_by(p))
                    .map(|(_, p)| p.clone())
            })
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    /// A run took the draft: the next run asks anew.
    pub fn clear(&mut self) {
        self.answers.clear();
    }
}
