//! The intent and tone models, trained from the shipped corpus at first use.
//!
//! Training from the embedded corpus takes a fraction of a second in release (the segmenter and
//! the sentence encoder dominate), is deterministic (fixed seed, fixed order), and needs no model
//! file of its own: what is in the repository is what runs, over the sentence model fetched into
//! the cache (`weiquan model fetch`).

use std::sync::{Mutex, OnceLock};

use weiquan_text::normalize::fold_width;

use crate::corpus::{self, Example};
use crate::features::{Prepared, Sparse, intent_features};
use crate::intent::{Intent, Tone};
use crate::meaning::{self, MEANING_OPTIONS};
use crate::model::{Linear, TrainOptions};
use crate::tone::tone_features;

/// Settings of the intent model.
pub const INTENT_OPTIONS: TrainOptions = TrainOptions {
    epochs: 10,
    learning_rate: 8.0,
    seed: 0x5EED_CAFE,
};

/// Settings of the tone model.
pub const TONE_OPTIONS: TrainOptions = TrainOptions {
    epochs: 10,
    learning_rate: 4.0,
    seed: 0x5EED_CAFE,
};

/// The trained models: intent by words and by meaning, and tone.
#[derive(Debug, Clone)]
pub struct Models {
    intent: Linear,
    meaning: Linear,
    tone: Linear,
}

/// Which reading of the intent (for measuring each against both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    Words,
    Meaning,
    Both,
}

/// The features of one utterance for every model.
#[derive(Debug, Clone)]
pub struct Featurized {
    pub intent: Sparse,
    /// The sentence embedding (see `meaning`).
    pub meaning: Sparse,
    pub tone: Sparse,
}

impl Featurized {
    /// One utterance. Panics with the fix named when the sentence model is not in the cache;
    /// [`try_models`] at start-up reports that as an error instead.
    pub fn new(text: &str) -> Featurized {
        Featurized::batch(&[text]).pop().expect("one in, one out")
    }

    /// Many utterances: the sentence encoder's last layers run once for a batch, so this is
    /// far cheaper per utterance than [`Featurized::new`] one by one.
    pub fn batch<S: AsRef<str>>(texts: &[S]) -> Vec<Featurized> {
        Featurized::try_batch(texts).unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`Featurized::batch`], a missing sentence model returned as the error it is.
    pub fn try_batch<S: AsRef<str>>(texts: &[S]) -> Result<Vec<Featurized>, weiquan_embed::Error> {
        let texts: Vec<std::borrow::Cow<'_, str>> = texts
            .iter()
            .map(|t| crate::features::without_order_numbers(t.as_ref()))
            .collect();
        let meanings = meaning::inputs(meaning::encoder()?, &texts);
        Ok(texts
            .iter()
            .zip(meanings)
            .map(|(text, meaning)| {
                let text = text.as_ref();
                let p = Prepared::new(text);
                Featurized {
                    intent: intent_features(&p),
                    meaning,
                    tone: tone_features(&fold_width(text), &p),
                }
            })
            .collect())
    }
}

impl Models {
    /// Trains every model on `examples`.
    pub fn train(examples: &[Example]) -> Result<Models, weiquan_embed::Error> {
        let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
        let feats = Featurized::try_batch(&texts)?;
        Ok(Models::train_featurized(examples, &feats))
    }

    /// Trains on examples whose features are already computed (`feats[i]` is `examples[i]`'s).
    pub fn train_featurized(examples: &[Example], feats: &[Featurized]) -> Models {
        Models::train_with(examples, feats, INTENT_OPTIONS, TONE_OPTIONS)
    }

    /// [`Models::train_featurized`] with other training settings (for experiments).
    pub fn train_with(
        examples: &[Example],
        feats: &[Featurized],
        intent_options: TrainOptions,
        tone_options: TrainOptions,
    ) -> Models {
        assert_eq!(examples.len(), feats.len());
        let intent_data: Vec<(Sparse, usize)> = feats
            .iter()
            .zip(examples)
            .map(|(f, e)| (f.intent.clone(), e.intent.index()))
            .collect();
        let meaning_data: Vec<(Sparse, usize)> = feats
            .iter()
            .zip(examples)
            .map(|(f, e)| (f.meaning.clone(), e.intent.index()))
            .collect();
        let tone_data: Vec<(Sparse, usize)> = feats
            .iter()
            .zip(examples)
            .filter_map(|(f, e)| Some((f.tone.clone(), e.tone?.index())))
            .collect();
        // The three are independent: trained side by side, start-up waits for the slowest
        // (each is deterministic on its own, so the models are the same as one after another).
        std::thread::scope(|s| {
            let meaning = s.spawn(|| {
                Linear::train_in(
                    &meaning_data,
                    meaning::DIM,
                    Intent::ALL.len(),
                    MEANING_OPTIONS,
                )
            });
            let tone = s.spawn(|| Linear::train(&tone_data, 2, tone_options));
            Models {
                intent: Linear::train(&intent_data, Intent::ALL.len(), intent_options),
                meaning: meaning.join().expect("the meaning model trains"),
                tone: tone.join().expect("the tone model trains"),
            }
        })
    }

    /// The most probable intent and its probability (words and meaning together).
    pub fn intent(&self, f: &Featurized) -> (Intent, f32) {
        self.intent_by(f, Reading::Both)
    }

    /// The most probable intent and its probability by one reading.
    pub fn intent_by(&self, f: &Featurized, reading: Reading) -> (Intent, f32) {
        let (i, p) = crate::model::argmax(&self.intent_probabilities_by(f, reading));
        (Intent::ALL[i], p)
    }

    /// Probabilities of every intent, in [`Intent::ALL`] order (words and meaning together).
    pub fn intent_probabilities(&self, f: &Featurized) -> Vec<f32> {
        self.intent_probabilities_by(f, Reading::Both)
    }

    /// [`Models::intent_probabilities`] by one reading.
    pub fn intent_probabilities_by(&self, f: &Featurized, reading: Reading) -> Vec<f32> {
        let mut words = vec![0f32; Intent::ALL.len()];
        let mut by_meaning = vec![0f32; Intent::ALL.len()];
        match reading {
            Reading::Words => self.intent.probabilities(&f.intent, &mut words),
            Reading::Meaning => self.meaning.probabilities(&f.meaning, &mut words),
            Reading::Both => {
                self.intent.probabilities(&f.intent, &mut words);
                self.meaning.probabilities(&f.meaning, &mut by_meaning);
                meaning::combine(&mut words, &by_meaning);
            }
        }
        words
    }

    pub fn tone(&self, f: &Featurized) -> Tone {
        let (i, _) = self.tone.predict(&f.tone);
        Tone::ALL[i]
    }
}

static MODELS: OnceLock<Models> = OnceLock::new();
static MODELS_INIT: Mutex<()> = Mutex::new(());

/// The models trained on the whole shipped corpus (trained on first use, the sentence model
/// fetched first if the cache lacks it). Panics with the fix named when the sentence model can
/// be neither read nor fetched: call [`try_models`] at start-up.
pub fn models() -> &'static Models {
    try_models().unwrap_or_else(|e| panic!("{e}"))
}

/// [`models`], a sentence model that cannot be read or fetched returned as the error it is (it
/// names `weiquan model fetch`). A failure is not remembered: the next call tries again.
pub fn try_models() -> Result<&'static Models, weiquan_embed::Error> {
    if let Some(m) = MODELS.get() {
        return Ok(m);
    }
    let _guard = MODELS_INIT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(m) = MODELS.get() {
        return Ok(m);
    }
    // What a buyer asks for, by meaning: trained now too (beside the intent models), not in a
    // consumer's turn.
    let (models, claims) = std::thread::scope(|s| {
        let claims = s.spawn(|| crate::claims::try_model().map(drop));
        let models = Models::train(corpus::examples());
        (models, claims.join().expect("the claim model trains"))
    });
    let _ = MODELS.set(models?);
    claims?;
    Ok(MODELS.get().expect("just set"))
}
