//! Measures weightings of the static model against the full encoder (`data/complaints.txt`).
use weiquan_embed::eval::{agreement, sentences};
use weiquan_embed::static_model::Weighting;
use weiquan_embed::{Encoder, StaticEncoder, cosine, ensure_model};

fn main() {
    let dir = ensure_model().expect("model");
    let full = Encoder::load(&dir).expect("full");
    let mut fast = StaticEncoder::load(&dir).expect("static");
    for t in ["退", "a", "我买的杯子漏水"] {
        eprintln!(
            "{t:?} pieces {:?} cos {:.4}",
            fast.tokenizer().pieces(t),
            cosine(&full.embed(t), &fast.embed(t))
        );
    }
    let texts = sentences();
    let reference = full.embed_batch(&texts);
    for w in [
        Weighting::Uniform,
        Weighting::Sif(1e-2),
        Weighting::Sif(1e-3),
        Weighting::Sif(1e-4),
        Weighting::Sif(1e-5),
    ] {
        fast.set_weighting(w);
        eprintln!(
            "{w:?}: {:?}",
            agreement(&reference, &fast.embed_batch(&texts))
        );
    }
}
