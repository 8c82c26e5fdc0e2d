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

/// The process's one instance. A sentence model that can be neither read nor fetched is the
/// error it is (logged with its fix, `weiquan model fetch`; the consumer told 小蜜 is briefly
/// unavailable): 小蜜 never quietly matches by words alone. `weiquan serve` makes sure of the
/// model before it listens, so a running server does not meet this. Not remembered: the next
/// turn tries again.
pub fn shared() -> Result<&'static Embeddings, crate::error::ApiError> {
    static SHARED: OnceLock<Embeddings> = OnceLock::new();
    if let Some(m) = SHARED.get() {
        return Ok(m);
    }
    let encoder = TokenEncoder::shared().map_err(|e| {
        tracing::error!(error = %e, "小蜜 cannot match items by meaning");
        crate::error::ApiError::unavailable()
    })?;
    Ok(SHARED.get_or_init(|| Embeddings {
        encoder,
        kept: Mutex::default(),
    }))
}
