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
    pub tone: Tone,
}

#[derive(Deserialize)]
struct Line {
    text: String,
    intent: String,
    tone: String,
}

/// Parses corpus lines (`{"text","intent","tone"}`; other fields are ignored).
pub fn parse(jsonl: &str) -> Result<Vec<Example>, String> {
    let mut out = vec![];
    for (n, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        let intent = Intent::parse(&l.intent)
            .ok_or_else(|| format!("line {}: unknown intent {:?}", n + 1, l.intent))?;
        let tone = Tone::parse(&l.tone)
            .ok_or_else(|| format!("line {}: unknown tone {:?}", n + 1, l.tone))?;
        out.push(Example {
            text: l.text,
            intent,
            tone,
        });
    }
    Ok(out)
}

static EXAMPLES: LazyLock<Vec<Example>> =
    LazyLock::new(|| parse(CORPUS).expect("the shipped corpus parses"));

/// The whole shipped corpus.
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
                .filter(|e| e.intent == intent && e.tone == Tone::Emotional)
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
