//! Predict, run, explain. Students who only watch a demonstration learn no
//! more than those who never saw it; those who first predict its outcome
//! do (Crouch, Fagen, Callan & Mazur, 2004). So before a run the page asks
//! the lesson's question, with choices computed for this machine, and after
//! it sets each prediction beside the result and explains the gap.
//!
//! This module holds the words of the exchange that every lesson shares:
//! what a question is, what a prediction is, and whether it was right. What
//! each lesson asks, what its result bears out and why, is said beside its
//! verdicts (`crate::verdict`, one file per lesson).

use crate::models::ModelId;
use serde::{Deserialize, Serialize};

/// How sure the reader was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Sure,
    Guessing,
}

impl Confidence {
    pub const ALL: [Confidence; 2] = [Confidence::Sure, Confidence::Guessing];

    pub fn id(self) -> &'static str {
        match self {
            Confidence::Sure => "sure",
            Confidence::Guessing => "guessing",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Confidence::Sure => "I'm sure",
            Confidence::Guessing => "I'm guessing",
        }
    }
}

/// What the reader expected of one model before a run (the report's
/// `predictions`): a choice of the lesson's, or for a question that picks
/// a model ("which starts fastest?") the model picked and the choice it was
/// picked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub model: ModelId,
    pub choice: String,
    pub confidence: Confidence,
    /// Whether the run bore it out; `None` before the run, and where the
    /// run could not tell (a suspect or wrong result, a model that did not
    /// run, a step too short for the clock).
    #[serde(default)]
    pub right: Option<bool>,
}

/// One answer the reader may give.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub id: &'static str,
    pub words: String,
}

/// One part of a lesson's question.
#[derive(Debug, Clone, PartialEq)]
pub enum Ask {
    /// A choice for `model` ("GIL threads: slower / about the same / faster").
    Model {
        model: ModelId,
        choices: Vec<Choice>,
    },
    /// Which of `models` fits `choice` ("which starts fastest?").
    Pick {
        choice: Choice,
        legend: String,
        models: Vec<ModelId>,
    },
}

impl Ask {
    /// What tells this part from the others of the same question: the
    /// model asked about, or the choice a model is picked for. The page
    /// keys its form fields and the reader's draft by it.
    pub fn key(&self) -> String {
        match self {
            Ask::Model { model, .. } => format!("model-{}", model.id()),
            Ask::Pick { choice, .. } => format!("pick-{}", choice.id),
        }
    }

    /// The legend of this part's fieldset.
    pub fn legend(&self) -> String {
        match self {
            Ask::Model { model, .. } => format!("{} ({})", model.name(), model.id()),
            Ask::Pick { legend, .. } => legend.clone(),
        }
    }

    /// The answers, as `(value, words)`: a choice id, or a model id.
    pub fn options(&self) -> Vec<(String, String)> {
        match self {
            Ask::Model { choices, .. } => choices
                .iter()
                .map(|c| (c.id.to_string(), c.words.clone()))
                .collect(),
            Ask::Pick { models, .. } => models
                .iter()
                .map(|m| (m.id().to_string(), format!("{} ({})", m.name(), m.id())))
                .collect(),
        }
    }

    /// The prediction the reader makes by picking `value` of
    /// [`Ask::options`]; `None` for a value that is not one of them.
    pub fn predict(&self, value: &str, confidence: Confidence) -> Option<Prediction> {
        let (model, choice) = match self {
            Ask::Model { model, choices } => {
                let c = choices.iter().find(|c| c.id == value)?;
                (*model, c.id.to_string())
            }
            Ask::Pick { choice, models, .. } => {
                let m = models.iter().find(|m| m.id() == value)?;
                (*m, choice.id.to_string())
            }
        };
        Some(Prediction {
            model,
            choice,
            confidence,
            right: None,
        })
    }

    /// Whether `p` answers this part.
    pub fn answered_by(&self, p: &Prediction) -> bool {
        match self {
            Ask::Model { model, choices } => {
                p.model == *model && choices.iter().any(|c| c.id == p.choice)
            }
            Ask::Pick { choice, models, .. } => p.choice == choice.id && models.contains(&p.model),
        }
    }

    /// The value of [`Ask::options`] that `p` picked.
    pub fn value_of(&self, p: &Prediction) -> String {
        match self {
            Ask::Model { .. } => p.choice.clone(),
            Ask::Pick { .. } => p.model.id().to_string(),
        }
    }
}

/// A lesson's question before a run, in its own terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub prompt: String,
    pub asks: Vec<Ask>,
}

impl Question {
    /// The words of `p`'s choice, as the reader saw them ("up to 2× faster").
    pub fn words_of(&self, p: &Prediction) -> Option<String> {
        self.asks
            .iter()
            .find(|a| a.answered_by(p))
            .map(|a| match a {
                Ask::Model { choices, .. } => choices
                    .iter()
                    .find(|c| c.id == p.choice)
                    .map(|c| c.words.clone())
                    .unwrap_or_default(),
                Ask::Pick { choice, .. } => choice.words.clone(),
            })
    }
}

/// "2 of 3 right", counting only what the run could judge.
pub fn tally(predictions: &[Prediction]) -> Option<String> {
    let judged: Vec<bool> = predictions.iter().filter_map(|p| p.right).collect();
    if judged.is_empty() {
        return None;
    }
    let right = judged.iter().filter(|r| **r).count();
    Some(format!("{right} of {} right", judged.len()))
}

/// "right" or "off", in words (never by colour alone).
pub fn outcome_words(right: Option<bool>) -> &'static str {
    match right {
        Some(true) => "right",
        Some(false) => "off",
        None => "not judged",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question() -> Question {
        Question {
            prompt: "?".into(),
            asks: vec![
                Ask::Model {
                    model: ModelId::Gil,
                    choices: vec![
                        Choice {
                            id: "same",
                            words: "about the same".into(),
                        },
                        Choice {
                            id: "faster",
                            words: "up to 2× faster".into(),
                        },
                    ],
                },
                Ask::Pick {
                    choice: Choice {
                        id: "fastest",
                        words: "starts fastest".into(),
                    },
                    legend: "Which starts fastest?".into(),
                    models: vec![ModelId::Threads, ModelId::Fork],
                },
            ],
        }
    }

    #[test]
    fn a_pick_names_the_model_and_a_model_ask_the_choice() {
        let q = question();
        let gil = q.asks[0].predict("faster", Confidence::Sure).unwrap();
        assert_eq!((gil.model, gil.choice.as_str()), (ModelId::Gil, "faster"));
        assert_eq!(q.words_of(&gil).as_deref(), Some("up to 2× faster"));
        let fast = q.asks[1].predict("fork", Confidence::Guessing).unwrap();
        assert_eq!(
            (fast.model, fast.choice.as_str()),
            (ModelId::Fork, "fastest")
        );
        assert_eq!(q.asks[1].value_of(&fast), "fork");
        assert!(q.asks[1].answered_by(&fast) && !q.asks[0].answered_by(&fast));
        assert_eq!(q.asks[0].predict("slower", Confidence::Sure), None);
        assert_eq!(q.asks[1].predict("gil", Confidence::Sure), None);
        assert_ne!(q.asks[0].key(), q.asks[1].key());
    }

    #[test]
    fn a_tally_counts_only_what_was_judged() {
        let p = |right| Prediction {
            model: ModelId::Gil,
            choice: "same".into(),
            confidence: Confidence::Sure,
            right,
        };
        assert_eq!(tally(&[]), None);
        assert_eq!(tally(&[p(None)]), None);
        assert_eq!(
            tally(&[p(Some(true)), p(Some(false)), p(None)]).as_deref(),
            Some("1 of 2 right")
        );
        assert_eq!(outcome_words(Some(false)), "off");
    }

    #[test]
    fn predictions_read_back_from_json_without_a_judgement() {
        let p: Prediction =
            serde_json::from_str(r#"{"model":"gil","choice":"same","confidence":"guessing"}"#)
                .unwrap();
        assert_eq!(p.right, None);
        assert_eq!(p.confidence, Confidence::Guessing);
        let back = serde_json::to_string(&p).unwrap();
        assert_eq!(
            back,
            r#"{"model":"gil","choice":"same","confidence":"guessing","right":null}"#
        );
    }
}
