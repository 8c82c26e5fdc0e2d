//! What 小蜜 matches a buyer's words to their item titles by when no word is shared: the
//! sentence embeddings of `weiquan-embed`'s token feature encoder (USE-multilingual-v3's
//! sentence half over per-piece features: ~0.7 ms a sentence, where the full encoder costs
//! ~4 ms), with every text's vector kept once computed, so that a buyer's titles, which come
//! back turn after turn, are embedded once per node.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use weiquan_assistant::dialogue::Meaning;
use weiquan_embed::TokenEncoder;

/// Vectors kept (2 KiB each): emptied when full.
const KEPT: usize = 10_000;

#[derive(Debug)]
pub struct Embeddings {
    encoder: &'static TokenEncoder,
    kept: Mutex<HashMap<String, Arc<Vec<f32>>>>,
}

impl Meaning for Embeddings {
    fn embed(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        let known: Vec<Option<Arc<Vec<f32>>>> = {
            let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            texts.iter().map(|t| kept.get(*t).cloned()).collect()
        };
        let missing: Vec<&str> = texts
            .iter()
            .zip(&known)
            .filter(|(_, k)| k.is_none())
            .map(|(t, _)| *t)
            .collect();
        // One batch: the network's last layers stream their weights once for all of them.
        let mut fresh = if missing.is_empty() {
            Vec::new()
        } else {
            self.encoder.embed_batch(&missing)
        }
        .into_iter();
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() + missing.len() > KEPT {
            kept.clear();
        }
        texts
            .iter()
            .zip(known)
            .map(|(t, k)| match k {
                Some(v) => v.as_ref().clone(),
                None => {
                    let v = fresh.next().unwrap_or_default();
                    kept.insert((*t).to_string(), Arc::new(v.clone()));
                    v
                }
            })
            .collect()
    }
}

/// The process's one instance; `None` (matching by words alone, said once in the log) when
/// the model cannot be loaded. `weiquan serve` makes sure of the model before it listens.
pub fn shared() -> Option<&'static Embeddings> {
    static SHARED: OnceLock<Option<Embeddings>> = OnceLock::new();
    SHARED
        .get_or_init(|| match TokenEncoder::shared() {
            Ok(encoder) => Some(Embeddings {
                encoder,
                kept: Mutex::default(),
            }),
            Err(e) => {
                tracing::warn!(error = %e, "小蜜 matches items by words alone: no sentence model");
                None
            }
        })
        .as_ref()
}
