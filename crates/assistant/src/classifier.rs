//! The intent and tone models, trained from the shipped corpus at first use.
//!
//! Training from the embedded corpus takes a fraction of a second in release (the segmenter
//! dominates), is deterministic (fixed seed, fixed order), and needs no model file: what is in
//! the repository is what runs.

use std::sync::LazyLock;

use weiquan_text::normalize::fold_width;

use crate::corpus::{self, Example};
use crate::features::{Prepared, Sparse, intent_features};
use crate::intent::{Intent, Tone};
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

/// The two trained models.
#[derive(Debug, Clone)]
pub struct Models {
    intent: Linear,
    tone: Linear,
}

/// The features of one utterance for both models.
#[derive(Debug, Clone)]
pub struct Featurized {
    pub intent: Sparse,
    pub tone: Sparse,
}

impl Featurized {
    pub fn new(text: &str) -> Featurized {
        let p = Prepared::new(text);
        Featurized {
            intent: intent_features(&p),
            tone: tone_features(&fold_width(text), &p),
        }
    }
}

impl Models {
    /// Trains both models on `examples`.
    pub fn train(examples: &[Example]) -> Models {
        let feats: Vec<Featurized> = examples.iter().map(|e| Featurized::new(&e.text)).collect();
        Models::train_featurized(examples, &feats)
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
        let tone_data: Vec<(Sparse, usize)> = feats
            .iter()
            .zip(examples)
            .map(|(f, e)| (f.tone.clone(), e.tone.index()))
            .collect();
        Models {
            intent: Linear::train(&intent_data, Intent::ALL.len(), intent_options),
            tone: Linear::train(&tone_data, 2, tone_options),
        }
    }

    /// The most probable intent and its probability.
    pub fn intent(&self, f: &Featurized) -> (Intent, f32) {
        let (i, p) = self.intent.predict(&f.intent);
        (Intent::ALL[i], p)
    }

    /// Probabilities of every intent, in [`Intent::ALL`] order.
    pub fn intent_probabilities(&self, f: &Featurized) -> Vec<f32> {
        let mut p = vec![0f32; Intent::ALL.len()];
        self.intent.probabilities(&f.intent, &mut p);
        p
    }

    pub fn tone(&self, f: &Featurized) -> Tone {
        let (i, _) = self.tone.predict(&f.tone);
        Tone::ALL[i]
    }
}

static MODELS: LazyLock<Models> = LazyLock::new(|| Models::train(corpus::examples()));

/// The models trained on the whole shipped corpus (trained on first use).
pub fn models() -> &'static Models {
    &MODELS
}
