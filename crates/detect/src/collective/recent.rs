//! One shop's recent complaints, compared one by one with a new complaint: the store's online
//! assignment. Banding ([`CollectiveIndex`](super::CollectiveIndex)) finds candidates without
//! looking at every complaint, but a persisted band index costs 64 row writes a filing; a shop's
//! window is small enough to compare with in full (a signature pair is ~128 integer compares, so
//! a shop with 2,000 complaints in the window costs ~50 µs a filing), and the walk stops once
//! [`MAX_WALK`](super::MAX_WALK) matches are found, so a wave costs little however big it grows.

use std::collections::VecDeque;

use super::minhash::{HASHES, Signature, THRESHOLD, threshold_count};
use super::{MEANING_WALK, Settings, SubjectKeys, meaning_score, pair_joins};

/// A complaint in a shop's window.
#[derive(Debug, Clone, PartialEq)]
pub struct Recent {
    /// Its place in the shop's sequence of filings (strictly increasing).
    pub seq: i64,
    pub id: i64,
    /// Unix milliseconds.
    pub at: i64,
    /// The keys of its order item and category ([`Subject::keys`](super::Subject::keys)), if it
    /// names one.
    pub subject: Option<SubjectKeys>,
    pub sig: Signature,
}

/// The complaints of one shop, in the order they were filed, up to `upto`.
#[derive(Debug, Default, Clone)]
pub struct ShopWindow {
    upto: i64,
    items: VecDeque<Recent>,
}

impl ShopWindow {
    /// The last seq seen (0 when none).
    pub fn upto(&self) -> i64 {
        self.upto
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The complaints held, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Recent> {
        self.items.iter()
    }

    /// Adds a complaint filed after every one here; one at or before `upto` is ignored.
    pub fn push(&mut self, r: Recent) {
        if r.seq <= self.upto {
            return;
        }
        self.upto = r.seq;
        self.items.push_back(r);
    }

    /// Marks `seq` as seen without adding a complaint (one that cannot compare, or is too old).
    pub fn skip_to(&mut self, seq: i64) {
        self.upto = self.upto.max(seq);
    }

    /// Drops the complaints filed before `since` (from the front: filings come in time order;
    /// one filed out of order stays until those before it go, and the walk skips it).
    pub fn forget_before(&mut self, since: i64) {
        while self.items.front().is_some_and(|r| r.at < since) {
            self.items.pop_front();
        }
    }

    /// The ids of the latest complaints since `since` that share an issue with `sig` and
    /// `subject` ([`shares_issue`](super::shares_issue), subjects compared by key), newest first,
    /// at most `limit`; then, if not among them, the one of the latest [`MEANING_WALK`] its
    /// meaning is closest to (above the settings' least).
    pub fn matches(
        &self,
        sig: &Signature,
        subject: Option<SubjectKeys>,
        since: i64,
        limit: usize,
        settings: &Settings,
    ) -> Vec<i64> {
        let need = threshold_count(settings.threshold);
        let mut found = Vec::new();
        for r in self.items.iter().rev() {
            if found.len() >= limit {
                break;
            }
            if r.at >= since && pair_joins(subject, r.subject, sig, &r.sig, need) {
                found.push(r.id);
            }
        }
        // By meaning, the closest of the latest few (the first of equals: the newest).
        let mut best: Option<(f32, i64)> = None;
        for r in self
            .items
            .iter()
            .rev()
            .filter(|r| r.at >= since)
            .take(MEANING_WALK)
        {
            if let Some(score) = meaning_score(subject, r.subject, sig, &r.sig, &settings.closeness)
                && best.is_none_or(|(b, _)| score > b)
            {
                best = Some((score, r.id));
            }
        }
        if let Some((_, id)) = best
            && !found.contains(&id)
        {
            found.push(id);
        }
        found
    }

    /// What the window holds, in bytes (for capacity planning: ~570 a complaint).
    pub fn bytes(&self) -> usize {
        self.items.len() * std::mem::size_of::<Recent>()
    }
}

const _: () = assert!(HASHES == 128 && THRESHOLD > 0.0);

#[cfg(test)]
mod tests {
    use super::super::{Subject, meaning_score, shares_issue};
    use super::*;

    fn recent(seq: i64, at: i64, text: &str, subject: Option<&Subject>) -> Recent {
        Recent {
            seq,
            id: seq * 10,
            at,
            subject: subject.map(Subject::keys),
            sig: Signature::of(text),
        }
    }

    #[test]
    fn matches_are_shares_issue_newest_first_within_the_window() {
        let cup = Subject::new("保温杯", "quality_defect");
        let texts = [
            ("保温杯漏水，桌上全是水", None),
            ("保温杯盖子拧紧还是漏水，桌上全是水", None),
            ("衣服颜色和图片不一样", None),
            ("杯底有水珠", Some(&cup)),
            ("保温杯漏水，桌上全是水，很生气", None),
        ];
        let mut w = ShopWindow::default();
        for (i, (t, s)) in texts.iter().enumerate() {
            w.push(recent(i as i64 + 1, 1_000 * i as i64, t, *s));
        }
        assert_eq!(w.upto(), 5);
        let sig = Signature::of("保温杯一直漏水，弄得桌上全是水");
        let expect: Vec<i64> = texts
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, (t, s))| {
                shares_issue(
                    &sig,
                    Some(&cup),
                    &Signature::of(t),
                    s.map(|s| s as &Subject),
                )
            })
            .map(|(i, _)| (i as i64 + 1) * 10)
            .collect();
        assert!(expect.len() >= 3, "{expect:?}");
        // Then the one its meaning is closest to, unless already there (the first of equals).
        let settings = Settings::default();
        let closest = texts
            .iter()
            .enumerate()
            .rev()
            .filter_map(|(i, (t, s))| {
                let score = meaning_score(
                    Some(cup.keys()),
                    s.map(Subject::keys),
                    &sig,
                    &Signature::of(t),
                    &settings.closeness,
                )?;
                Some((score, (i as i64 + 1) * 10))
            })
            .fold(None, |best: Option<(f32, i64)>, (score, id)| match best {
                Some((b, _)) if b >= score => best,
                _ => Some((score, id)),
            })
            .map(|(_, id)| id);
        let with_closest = |mut ids: Vec<i64>| {
            if let Some(id) = closest
                && !ids.contains(&id)
            {
                ids.push(id);
            }
            ids
        };
        let got = w.matches(&sig, Some(cup.keys()), 0, 10, &settings);
        assert_eq!(got, with_closest(expect.clone()));
        // Newest first, bounded.
        assert_eq!(
            w.matches(&sig, Some(cup.keys()), 0, 2, &settings),
            with_closest(expect[..2].to_vec())
        );
        // Older than `since`: not compared; forgotten from the front.
        let got = w.matches(&sig, Some(cup.keys()), 2_000, 10, &Settings::default());
        assert!(got.iter().all(|&id| id >= 30), "{got:?}");
        w.forget_before(2_000);
        assert_eq!(w.len(), 3);
        // A seq already seen is ignored; skip_to only moves forward.
        w.push(recent(5, 9_000, "保温杯漏水", None));
        assert_eq!(w.len(), 3);
        w.skip_to(9);
        w.skip_to(7);
        assert_eq!(w.upto(), 9);
    }
}
