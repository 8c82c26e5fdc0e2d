//! One shop's recent complaints, compared one by one with a new complaint: the store's online
//! assignment. Banding ([`CollectiveIndex`](super::CollectiveIndex)) finds candidates without
//! looking at every complaint, but a persisted band index costs 64 row writes a filing; a shop's
//! window is small enough to compare with in full (a signature pair is ~128 integer compares, so
//! a shop with 2,000 complaints in the window costs ~50 µs a filing), and the walk stops once
//! [`MAX_WALK`](super::MAX_WALK) matches are found, so a wave costs little however big it grows.

use std::collections::VecDeque;

use super::minhash::{HASHES, Signature, THRESHOLD, threshold_count};
use super::{MEANING_WALK, Settings, SubjectKeys, Votes, meaning_value, pair_joins};

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
    /// Its cluster as this node last knew it (the meaning averages over a cluster's members).
    pub cluster: i64,
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
    /// `subject` by their words ([`shares_issue`](super::shares_issue), subjects compared by
    /// key), newest first, at most `limit`; then, if not among them, the newest member of the
    /// cluster that the latest [`MEANING_WALK`] say its meaning is closest to on average ([`Votes`]).
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
        // By meaning: each cluster's average, the cluster named by its newest member here.
        let mut votes = Votes::new();
        let mut newest: Vec<(i64, i64)> = Vec::new();
        for r in self
            .items
            .iter()
            .rev()
            .filter(|r| r.at >= since)
            .take(MEANING_WALK)
        {
            if let Some(value) = meaning_value(subject, r.subject, sig, &r.sig, &settings.closeness)
            {
                votes.add(r.cluster, value);
                if !newest.iter().any(|&(k, _)| k == r.cluster) {
                    newest.push((r.cluster, r.id));
                }
            }
        }
        let best = votes
            .best(settings.closeness.least_for(subject))
            .and_then(|k| newest.iter().find(|&&(c, _)| c == k).map(|&(_, id)| id));
        if let Some(id) = best
            && !found.contains(&id)
        {
            found.push(id);
        }
        found
    }

    /// Clusters merged into `into`: their members here now belong to it.
    pub fn rename(&mut self, merged: &[i64], into: i64) {
        for r in &mut self.items {
            if merged.contains(&r.cluster) {
                r.cluster = into;
            }
        }
    }

    /// What the window holds, in bytes (for capacity planning: ~570 a complaint).
    pub fn bytes(&self) -> usize {
        self.items.len() * std::mem::size_of::<Recent>()
    }
}

const _: () = assert!(HASHES == 128 && THRESHOLD > 0.0);

#[cfg(test)]
mod tests {
    use super::super::{Subject, meaning_value, shares_issue};
    use super::*;

    fn recent(seq: i64, at: i64, text: &str, subject: Option<&Subject>, cluster: i64) -> Recent {
        Recent {
            seq,
            id: seq * 10,
            at,
            subject: subject.map(Subject::keys),
            sig: Signature::of(text),
            cluster,
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
        // The three about the leaking cup are one cluster; the others each their own.
        let clusters = [10, 10, 30, 40, 10];
        let mut w = ShopWindow::default();
        for (i, (t, s)) in texts.iter().enumerate() {
            w.push(recent(i as i64 + 1, 1_000 * i as i64, t, *s, clusters[i]));
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
        // Then the newest member of the cluster its meaning is closest to on average, unless
        // already there (the first of equal averages, newest first).
        let settings = Settings::default();
        let mut means: Vec<(i64, f32, f32, i64)> = Vec::new(); // cluster, sum, count, newest id
        for (i, (t, s)) in texts.iter().enumerate().rev() {
            let value = meaning_value(
                Some(cup.keys()),
                s.map(Subject::keys),
                &sig,
                &Signature::of(t),
                &settings.closeness,
            )
            .expect("every text here means something");
            match means.iter_mut().find(|m| m.0 == clusters[i]) {
                Some(m) => {
                    m.1 += value;
                    m.2 += 1.0;
                }
                None => means.push((clusters[i], value, 1.0, (i as i64 + 1) * 10)),
            }
        }
        let closest = means
            .iter()
            .filter(|m| m.1 / m.2 >= settings.closeness.least)
            .fold(None, |best: Option<(f32, i64)>, m| match best {
                Some((b, _)) if b >= m.1 / m.2 => best,
                _ => Some((m.1 / m.2, m.3)),
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
        w.push(recent(5, 9_000, "保温杯漏水", None, 50));
        assert_eq!(w.len(), 3);
        w.skip_to(9);
        w.skip_to(7);
        assert_eq!(w.upto(), 9);
        // A merge renames the members of the merged clusters, and only those.
        w.rename(&[30, 40], 10);
        let left: Vec<i64> = w.iter().map(|r| r.cluster).collect();
        assert_eq!(left, [10, 10, 10]);
    }
}
