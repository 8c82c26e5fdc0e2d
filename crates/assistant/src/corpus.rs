//! The labelled corpus shipped in the crate (`corpus/intents.jsonl`) and its fixed split.

use std::sync::LazyLock;

use serde::Deserialize;

use crate::intent::{Intent, Tone};

const CORPUS: &str = include_str!("../corpus/intents.jsonl");

/// One labelled utterance.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
    pub intent: Intent,
    /// `None` for a line labelled with its intent alone (a dialogue's story): the tone model
    /// does not learn from it.
    pub tone: Option<Tone>,
}

#[derive(Deserialize)]
struct Line {
    text: String,
    intent: String,
    tone: Option<String>,
}

/// Parses corpus lines (`{"text","intent","tone"}`, `"tone": null` for none; other fields are
/// ignored).
pub fn parse(jsonl: &str) -> Result<Vec<Example>, String> {
    let mut out = vec![];
    for (n, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        let intent = Intent::parse(&l.intent)
            .ok_or_else(|| format!("line {}: unknown intent {:?}", n + 1, l.intent))?;
        let tone = match &l.tone {
            None => None,
            Some(t) => {
                Some(Tone::parse(t).ok_or_else(|| format!("line {}: unknown tone {t:?}", n + 1))?)
            }
        };
        out.push(Example {
            text: l.text,
            intent,
            tone,
        });
    }
    Ok(out)
}

/// The scored held-out dialogue sets (one independent writer each). Their buyers' answers to
/// the claim question, labelled with the dialogue's claim, train the claim model
/// (`crate::claims`); their stories, labelled with the dialogue's category, train the intent
/// model ([`stories_of`]). A set joins only after it has been scored once: an unscored set still
/// measures 小蜜.
pub const SEEN_DIALOGUE_SETS: [(&str, &str); 12] = [
    ("1", include_str!("../eval/dialogues-heldout.jsonl")),
    ("2", include_str!("../eval/dialogues-heldout-2.jsonl")),
    ("3", include_str!("../eval/dialogues-heldout-3.jsonl")),
    ("4", include_str!("../eval/dialogues-heldout-4.jsonl")),
    ("5", include_str!("../eval/dialogues-heldout-5.jsonl")),
    ("6", include_str!("../eval/dialogues-heldout-6.jsonl")),
    ("7", include_str!("../eval/dialogues-heldout-7.jsonl")),
    ("8", include_str!("../eval/dialogues-heldout-8.jsonl")),
    ("9", include_str!("../eval/dialogues-heldout-9.jsonl")),
    ("10", include_str!("../eval/dialogues-heldout-10.jsonl")),
    ("11", include_str!("../eval/dialogues-heldout-11.jsonl")),
    ("12", include_str!("../eval/dialogues-heldout-12.jsonl")),
];

/// One scored dialogue, as far as the models learn from it.
#[derive(Deserialize)]
pub(crate) struct SeenDialogue {
    pub opening: Vec<String>,
    pub answers: SeenAnswers,
    pub expect: SeenExpected,
}

#[derive(Deserialize)]
pub(crate) struct SeenAnswers {
    pub what_happened: Option<String>,
    pub claim: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct SeenExpected {
    pub category: String,
    pub claim: Option<String>,
}

/// The dialogues of a set (`dialogues-heldout*.jsonl`), each with its line number.
pub(crate) fn seen_dialogues(jsonl: &str) -> Result<Vec<(usize, SeenDialogue)>, String> {
    jsonl
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line)
                .map(|d| (n + 1, d))
                .map_err(|e| format!("line {}: {e}", n + 1))
        })
        .collect()
}

/// The stories in a dialogue set (`dialogues-heldout*.jsonl`): each opening message and the
/// answer to "what happened" that tells what happened, without the clauses that ask for a remedy
/// (the category is read from what happened, never from the claim), labelled with the
/// dialogue's category and no tone (the writers labelled none).
pub fn stories_of(jsonl: &str) -> Result<Vec<Example>, String> {
    let mut out = vec![];
    for (n, d) in seen_dialogues(jsonl)? {
        let intent = Intent::parse(&d.expect.category)
            .ok_or_else(|| format!("line {n}: unknown category {:?}", d.expect.category))?;
        for text in d.opening.iter().chain(&d.answers.what_happened) {
            let parts = crate::parts::Parts::new(text);
            if !parts.tells_what_happened() {
                continue;
            }
            let story = parts.description();
            if !story.is_empty() {
                out.push(Example {
                    text: story,
                    intent,
                    tone: None,
                });
            }
        }
    }
    Ok(out)
}

static EXAMPLES: LazyLock<Vec<Example>> = LazyLock::new(|| {
    let mut ex = parse(CORPUS).expect("the shipped corpus parses");
    let mut seen: std::collections::HashSet<String> = ex.iter().map(|e| e.text.clone()).collect();
    for (_, set) in SEEN_DIALOGUE_SETS {
        // A story any writer might tell is learnt once, with its first label.
        let stories = stories_of(set).expect("the scored dialogue sets parse");
        ex.extend(stories.into_iter().filter(|e| seen.insert(e.text.clone())));
    }
    ex
});

/// The whole shipped corpus and the scored dialogue sets' stories.
pub fn examples() -> &'static [Example] {
    &EXAMPLES
}

/// Whether an utterance belongs to the held-out part (about 15 %) of the fixed split: decided by
/// a hash of its text, so the split does not move when lines are added or reordered.
pub fn is_held_out(text: &str) -> bool {
    crate::features::hash(b'S', &[text]) % 100 < 15
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_corpus_is_large_varied_and_unique() {
        let ex = examples();
        for intent in Intent::ALL {
            let n = ex.iter().filter(|e| e.intent == intent).count();
            assert!(n >= 150, "{intent}: only {n} utterances");
            let emotional = ex
                .iter()
                .filter(|e| e.intent == intent && e.tone == Some(Tone::Emotional))
                .count();
            assert!(emotional >= 20, "{intent}: only {emotional} emotional");
        }
        let mut texts: Vec<&str> = ex.iter().map(|e| e.text.as_str()).collect();
        texts.sort_unstable();
        let before = texts.len();
        texts.dedup();
        assert_eq!(before, texts.len(), "duplicate utterances in the corpus");
        let held = ex.iter().filter(|e| is_held_out(&e.text)).count() as f64;
        let share = held / ex.len() as f64;
        assert!((0.10..0.20).contains(&share), "held-out share {share}");
    }

    #[test]
    fn parse_names_the_bad_line() {
        let err = parse("{\"text\":\"a\",\"intent\":\"escalate\",\"tone\":\"calm\"}\n{\"text\":1}")
            .unwrap_err();
        assert!(err.starts_with("line 2"), "{err}");
        let err = parse("{\"text\":\"a\",\"intent\":\"nope\",\"tone\":\"calm\"}").unwrap_err();
        assert!(err.contains("nope"), "{err}");
    }
}
