//! What the static model keeps of the full encoder, on complaints written for it
//! (`data/complaints.txt`: zh, zh-TW, en).

/// The measuring sentences.
pub fn sentences() -> Vec<&'static str> {
    include_str!("../data/complaints.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

#[derive(Clone, Copy, Debug)]
pub struct Agreement {
    /// Mean cosine between the two models' vectors of each sentence.
    pub mean_cosine: f32,
    /// Share of sentences whose nearest other sentence is the same under both models.
    pub nearest_neighbour: f32,
}

/// Compares two models' vectors of the same sentences.
pub fn agreement(reference: &[Vec<f32>], other: &[Vec<f32>]) -> Agreement {
    assert_eq!(reference.len(), other.len());
    let n = reference.len();
    let mean_cosine = reference
        .iter()
        .zip(other)
        .map(|(a, b)| crate::cosine(a, b))
        .sum::<f32>()
        / n as f32;
    let nearest = |vs: &[Vec<f32>], i: usize| {
        (0..n).filter(|&j| j != i).max_by(|&a, &b| {
            crate::cosine(&vs[i], &vs[a]).total_cmp(&crate::cosine(&vs[i], &vs[b]))
        })
    };
    let same = (0..n)
        .filter(|&i| nearest(reference, i) == nearest(other, i))
        .count();
    Agreement {
        mean_cosine,
        nearest_neighbour: same as f32 / n as f32,
    }
}
