#![doc = include_str!("../README.md")]

pub mod claims;
mod classifier;
pub mod concepts;
pub mod corpus;
pub mod dialogue;
pub mod faq;
pub mod features;
pub mod fold;
mod intent;
pub mod lexicon;
pub mod meaning;
pub mod model;
pub mod parts;
mod rewrite;
pub mod slots;
pub mod tone;

use chrono::{DateTime, Utc};

pub use classifier::{
    Featurized, INTENT_OPTIONS, Models, Reading, TONE_OPTIONS, models, try_models,
};
pub use intent::{Intent, Tone};
pub use rewrite::calm_rewrite;
pub use slots::ClaimSlot;
pub use weiquan_domain::{Category, ClaimKind};

/// What one message says.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub intent: Intent,
    /// The intent model's probability for `intent` (0–1).
    pub intent_confidence: f32,
    pub tone: Tone,
    /// The one 18-digit order number named; `None` for none or several different ones.
    pub order_no: Option<String>,
    /// The caller's order item title the message is about.
    pub product: Option<String>,
    /// When it happened (a day resolves to 00:00 in Shanghai).
    pub incident_at: Option<DateTime<Utc>>,
    pub claim: Option<ClaimSlot>,
}

/// Understands one message: intent, tone and every slot. `now` anchors relative dates
/// (「昨天」, "3 days ago") in the consumer's time zone (Asia/Shanghai); `products` are the titles
/// of the consumer's order items, among which `product` is chosen.
pub fn analyze(text: &str, now: DateTime<Utc>, products: &[String]) -> Analysis {
    let f = Featurized::new(text);
    let m = models();
    let (intent, intent_confidence) = m.intent(&f);
    Analysis {
        intent,
        intent_confidence,
        tone: m.tone(&f),
        order_no: slots::order_no(text),
        product: slots::match_product(text, products),
        incident_at: slots::incident_at(text, now),
        claim: slots::claim(text),
    }
}

/// The cheap part of [`analyze`]: intent, tone and order number.
pub fn classify(text: &str) -> (Intent, Tone, Option<String>) {
    classify_batch(&[text]).pop().expect("one in, one out")
}

/// [`classify`] for many texts at once, in order: the sentence encoder's last layers run once
/// a batch, so a stream is classified in batches (≈ 20× cheaper per text than one by one).
pub fn classify_batch<S: AsRef<str>>(texts: &[S]) -> Vec<(Intent, Tone, Option<String>)> {
    let m = models();
    Featurized::batch(texts)
        .iter()
        .zip(texts)
        .map(|(f, text)| (m.intent(f).0, m.tone(f), slots::order_no(text.as_ref())))
        .collect()
}
