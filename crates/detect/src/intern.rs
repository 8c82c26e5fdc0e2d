//! String ids → dense u32, in order of first appearance.
//!
//! An open-addressing table (linear probing, at most half full) whose slots hold the id's first
//! 16 bytes, its length and its number: a look-up of a short id touches one slot and nothing
//! else. At 10M lines the table outgrows the caches, so the cost of interning is the number of
//! cache (and, in a VM, TLB) misses per line; a std `HashMap` costs three (control bytes, bucket,
//! the key's bytes in the file), this one about one.

/// One slot: the first 16 bytes, then `len << 32 | id`; `meta == 0` is empty (ids are not).
#[derive(Clone, Copy, Default)]
struct Slot {
    lo: u64,
    hi: u64,
    meta: u64,
}

pub(crate) struct Interner<'a> {
    slots: Vec<Slot>,
    /// Every id's bytes, by number.
    pub(crate) keys: Vec<&'a [u8]>,
}

fn words(key: &[u8]) -> (u64, u64) {
    let mut buf = [0u8; 16];
    let n = key.len().min(16);
    buf[..n].copy_from_slice(&key[..n]);
    let (lo, hi) = buf.split_at(8);
    (
        u64::from_le_bytes(lo.try_into().expect("8 bytes")),
        u64::from_le_bytes(hi.try_into().expect("8 bytes")),
    )
}

/// Hash of a key from its first 16 bytes, its length and the rest (`tail`, empty when short).
fn hash(lo: u64, hi: u64, len: usize, tail: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (lo ^ 0x243F_6A88_85A3_08D3).wrapping_mul(K) ^ hi.rotate_left(31);
    h = (h ^ len as u64).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    for chunk in tail.chunks(8) {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        h = (h ^ u64::from_le_bytes(b)).wrapping_mul(K).rotate_left(27);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 29)
}

/// A key's first 16 bytes and hash, computed once.
#[derive(Clone, Copy, Default)]
pub(crate) struct Hashed {
    lo: u64,
    hi: u64,
    hash: u64,
}

impl Hashed {
    pub(crate) fn of(key: &[u8]) -> Self {
        let (lo, hi) = words(key);
        Hashed {
            lo,
            hi,
            hash: hash(lo, hi, key.len(), key.get(16..).unwrap_or_default()),
        }
    }

    /// [`Hashed::of`] `buf[start..end]`, reading its first 16 bytes as two words straight from
    /// `buf` when it extends that far (no copy of a variable length).
    pub(crate) fn in_buf(buf: &[u8], start: usize, end: usize) -> Self {
        let len = end - start;
        let Some(window) = buf.get(start..start + 16) else {
            return Self::of(&buf[start..end]);
        };
        let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
        let keep = |bytes: usize| match bytes {
            8.. => u64::MAX,
            b => (1u64 << (8 * b)) - 1,
        };
        let lo = word(&window[..8]) & keep(len);
        let hi = word(&window[8..]) & keep(len.saturating_sub(8));
        Hashed {
            lo,
            hi,
            hash: hash(lo, hi, len, buf[start..end].get(16..).unwrap_or_default()),
        }
    }
}

impl<'a> Interner<'a> {
    pub(crate) fn new() -> Self {
        Interner {
            slots: vec![Slot::default(); 1 << 10],
            keys: Vec::new(),
        }
    }

    /// Reads the home slot of a key hashed by [`Hashed::of`] and returns a word of it: a load
    /// whose only purpose is to bring the slot into the cache before [`Interner::intern`].
    pub(crate) fn touch(&self, h: &Hashed) -> u64 {
        self.slots[h.hash as usize & (self.slots.len() - 1)].meta
    }

    /// The id of `key` (which must be UTF-8), `h` being [`Hashed::of`] it.
    pub(crate) fn intern(&mut self, key: &'a [u8], h: &Hashed) -> u32 {
        let Hashed { lo, hi, hash } = *h;
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let s = self.slots[i];
            if s.meta == 0 {
                break;
            }
            if s.lo == lo
                && s.hi == hi
                && (s.meta >> 32) as usize == key.len()
                && (key.len() <= 16 || self.keys[s.meta as u32 as usize] == key)
            {
                return s.meta as u32;
            }
            i = (i + 1) & mask;
        }
        let id = self.keys.len() as u32;
        self.keys.push(key);
        self.slots[i] = Slot {
            lo,
            hi,
            meta: (key.len() as u64) << 32 | u64::from(id),
        };
        if self.keys.len() * 2 > self.slots.len() {
            self.grow();
        }
        id
    }

    /// The ids of many keys (each UTF-8), looked up in batches like parsed lines.
    pub(crate) fn intern_all(&mut self, keys: &[&'a [u8]]) -> Vec<u32> {
        let mut ids = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(16) {
            let mut hashed = [Hashed::default(); 16];
            for (h, k) in hashed.iter_mut().zip(chunk) {
                *h = Hashed::of(k);
            }
            let touched = hashed[..chunk.len()]
                .iter()
                .fold(0, |acc, h| acc ^ self.touch(h));
            std::hint::black_box(touched);
            for (k, h) in chunk.iter().zip(&hashed) {
                ids.push(self.intern(k, h));
            }
        }
        ids
    }

    /// Doubles the table. Slots move in batches whose destinations are read first, as in
    /// parsing; short keys rehash from the slot alone, without reading the file.
    fn grow(&mut self) {
        let bigger = vec![Slot::default(); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        let mask = self.slots.len() - 1;
        let mut batch = [(Slot::default(), 0usize); 16];
        let mut n = 0;
        let mut live = old.into_iter().filter(|s| s.meta != 0).peekable();
        while live.peek().is_some() {
            for (b, s) in batch.iter_mut().zip(live.by_ref()) {
                let len = (s.meta >> 32) as usize;
                let tail = match len > 16 {
                    true => &self.keys[s.meta as u32 as usize][16..],
                    false => &[][..],
                };
                *b = (s, hash(s.lo, s.hi, len, tail) as usize & mask);
                n += 1;
            }
            let touched = batch[..n]
                .iter()
                .fold(0, |acc, &(_, i)| acc ^ self.slots[i].meta);
            std::hint::black_box(touched);
            for &(s, mut i) in &batch[..n] {
                while self.slots[i].meta != 0 {
                    i = (i + 1) & mask;
                }
                self.slots[i] = s;
            }
            n = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_order_of_first_appearance_and_tells_long_ids_apart() {
        let long_a = b"a-very-long-buyer-name-0001".as_slice();
        let long_b = b"a-very-long-buyer-name-0002".as_slice();
        let mut i = Interner::new();
        let ids: Vec<_> = [
            b"u1".as_slice(),
            b"u2",
            long_a,
            b"u1",
            long_b,
            long_a,
            b"u1\0",
        ]
        .iter()
        .map(|k| i.intern(k, &Hashed::of(k)))
        .collect();
        assert_eq!(ids, vec![0, 1, 2, 0, 3, 2, 4]);
        let many: Vec<String> = (0..5000).map(|n| format!("k{n}")).collect();
        for (n, k) in many.iter().enumerate() {
            assert_eq!(
                i.intern(k.as_bytes(), &Hashed::of(k.as_bytes())),
                5 + n as u32
            );
        }
        assert_eq!(i.intern(b"k17", &Hashed::of(b"k17")), 22);
        assert_eq!(i.keys.len(), 5005);
        let buf = b"u12,shop-with-a-long-name-0001,x,1767196800\n";
        for (a, b) in [(0, 3), (4, 30), (31, 32), (33, 43), (0, 0)] {
            let (x, y) = (Hashed::in_buf(buf, a, b), Hashed::of(&buf[a..b]));
            assert_eq!((x.lo, x.hi, x.hash), (y.lo, y.hi, y.hash), "{a}..{b}");
        }
    }
}
