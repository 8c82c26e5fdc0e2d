//! Leave one writer out: what the seen held-out sets add to the intent model.
//!
//! ```sh
//! cargo run --release -p weiquan-assistant --example writers_crossval
//! ```
//!
//! Each scored writer (`eval/utterances-heldout*.jsonl` and the dialogue set of the same
//! number, one independent writer each) is read by models trained on the rest of the corpus
//! alone, on that plus every *other* writer's utterances, and on that plus every other writer's
//! dialogue stories ([`corpus::stories_of`]). Both the writer's utterances (intent) and its
//! stories (category) are scored: the difference estimates what more writers teach the intent
//! model about a writer it has not read. `WITHOUT=prefix` leaves the corpus lines whose source
//! starts with it out of every model (`WITHOUT=stories-writer`: what the story writers add).

use std::collections::BTreeMap;

use weiquan_assistant::corpus::{self, Example};
use weiquan_assistant::{Featurized, INTENT_OPTIONS, Models, TONE_OPTIONS};

struct Writer {
    name: String,
    utterances: (Vec<Example>, Vec<Featurized>),
    stories: (Vec<Example>, Vec<Featurized>),
}

fn featurized(ex: Vec<Example>) -> (Vec<Example>, Vec<Featurized>) {
    let texts: Vec<&str> = ex.iter().map(|e| e.text.as_str()).collect();
    let feats = Featurized::batch(&texts);
    (ex, feats)
}

fn main() {
    // The corpus names each scored set's lines by their file (`build_corpus.py`'s SEEN_SETS,
    // the one list); the rest is the corpus a writer left out is compared against.
    let mut base: Vec<Example> = vec![];
    let mut names: BTreeMap<String, ()> = BTreeMap::new();
    let without = std::env::var("WITHOUT").ok().filter(|w| !w.is_empty());
    for line in include_str!("../corpus/intents.jsonl").lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a corpus line");
        match v["source"].as_str() {
            Some(s) if without.as_deref().is_some_and(|w| s.starts_with(w)) => {}
            Some(s) if s.starts_with("utterances-heldout") => {
                names.insert(s.to_string(), ());
            }
            _ => base.extend(corpus::parse(line).expect("a corpus line")),
        }
    }
    let (base, base_feats) = featurized(base);
    let writers: Vec<Writer> = names
        .into_keys()
        .map(|name| {
            let path = format!("{}/eval/{name}.jsonl", env!("CARGO_MANIFEST_DIR"));
            let jsonl = std::fs::read_to_string(&path).expect("a scored set");
            let utterances = featurized(corpus::parse(&jsonl).expect("a scored set parses"));
            // `utterances-heldout-N` was written with `dialogues-heldout-N` ("1" for the first).
            let number = name.rsplit_once('-').map_or("1", |(_, n)| n);
            let number = if number == "heldout" { "1" } else { number };
            let (_, set) = corpus::SEEN_DIALOGUE_SETS
                .iter()
                .find(|(n, _)| *n == number)
                .expect("each scored utterance set has its dialogue set");
            let stories = featurized(corpus::stories_of(set).expect("a scored set parses"));
            Writer {
                name,
                utterances,
                stories,
            }
        })
        .collect();
    let right = |m: &Models, (test, feats): &(Vec<Example>, Vec<Featurized>)| {
        test.iter()
            .zip(feats)
            .filter(|(e, f)| m.intent(f).0 == e.intent)
            .count()
    };
    let alone = Models::train_with(&base, &base_feats, INTENT_OPTIONS, TONE_OPTIONS);
    // [alone, + utterances, + utterances and stories] × [utterances, stories]
    let mut sums = [[0usize; 2]; 3];
    let mut n = [0usize; 2];
    for (k, w) in writers.iter().enumerate() {
        let mut train = (base.clone(), base_feats.clone());
        for (j, other) in writers.iter().enumerate() {
            if j != k {
                train.0.extend(other.utterances.0.iter().cloned());
                train.1.extend(other.utterances.1.iter().cloned());
            }
        }
        let more = Models::train_with(&train.0, &train.1, INTENT_OPTIONS, TONE_OPTIONS);
        for (j, other) in writers.iter().enumerate() {
            if j != k {
                train.0.extend(other.stories.0.iter().cloned());
                train.1.extend(other.stories.1.iter().cloned());
            }
        }
        let stories = Models::train_with(&train.0, &train.1, INTENT_OPTIONS, TONE_OPTIONS);
        let mut line = format!("{}:", w.name);
        for (a, m) in [&alone, &more, &stories].into_iter().enumerate() {
            for (b, test) in [&w.utterances, &w.stories].into_iter().enumerate() {
                let r = right(m, test);
                sums[a][b] += r;
                line += &format!(" {:.3}", r as f64 / test.0.len() as f64);
            }
        }
        n[0] += w.utterances.0.len();
        n[1] += w.stories.0.len();
        println!("{line}");
    }
    println!(
        "(columns: utterances and stories read by the corpus alone, with the other writers' \
         utterances, with their utterances and stories)"
    );
    for (a, label) in ["corpus alone", "+ utterances", "+ utterances and stories"]
        .into_iter()
        .enumerate()
    {
        println!(
            "{label}: utterances {:.3} ({} lines), stories {:.3} ({} lines)",
            sums[a][0] as f64 / n[0] as f64,
            n[0],
            sums[a][1] as f64 / n[1] as f64,
            n[1]
        );
    }
}
