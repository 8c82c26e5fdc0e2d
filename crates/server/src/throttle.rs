//! Throttles on the clock: sign-in failures (per account and per client address, growing
//! delays) and registrations (per address, a window). Memory is bounded: past the policy's
//! `remembered` entries, the least recently touched are forgotten first.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use weiquan_domain::Timestamp;
use weiquan_domain::policy::{Registration, SignIn};

/// One key's record: failures (or registrations) counted, when last touched, and until when
/// it is held back.
#[derive(Debug, Clone, Copy)]
struct Entry {
    count: u32,
    first: Timestamp,
    last: Timestamp,
    until: Timestamp,
}

/// A map that forgets: entries untouched for `forget` go first, then the least recently
/// touched, an eighth at a time, so a spray of new keys costs amortised constant time and never
/// wipes the whole table.
struct Bounded<K> {
    map: HashMap<K, Entry>,
}

impl<K: Hash + Eq + Clone> Bounded<K> {
    fn new() -> Self {
        Bounded {
            map: HashMap::new(),
        }
    }

    fn get(&self, k: &K) -> Option<Entry> {
        self.map.get(k).copied()
    }

    fn touch(&mut self, k: &K, now: Timestamp, cap: usize, forget: Duration) -> &mut Entry {
        if !self.map.contains_key(k) && self.map.len() >= cap {
            self.evict(now, cap, forget);
        }
        self.map.entry(k.clone()).or_insert(Entry {
            count: 0,
            first: now,
            last: now,
            until: now,
        })
    }

    fn evict(&mut self, now: Timestamp, cap: usize, forget: Duration) {
        let forget = chrono::Duration::from_std(forget).unwrap_or(chrono::Duration::MAX);
        self.map
            .retain(|_, e| now - e.last < forget || e.until > now);
        if self.map.len() < cap {
            return;
        }
        let mut lasts: Vec<Timestamp> = self.map.values().map(|e| e.last).collect();
        let k = (cap / 8).max(1).min(lasts.len() - 1);
        let (_, cut, _) = lasts.select_nth_unstable(k);
        let cut = *cut;
        self.map.retain(|_, e| e.last > cut);
    }

    fn remove(&mut self, k: &K) {
        self.map.remove(k);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.len()
    }
}

fn until(now: Timestamp, d: Duration) -> Timestamp {
    now + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Whole seconds, rounded up, until `t` (at least 1): a `Retry-After`.
fn secs_until(now: Timestamp, t: Timestamp) -> u64 {
    let ms = (t - now).num_milliseconds().max(1) as u64;
    ms.div_ceil(1000)
}

/// The delay after `count` failures when the first `free` cost nothing: `delay`, doubled per
/// further failure, at most `max`.
fn delay_after(count: u32, free: u32, delay: Duration, max: Duration) -> Option<Duration> {
    let over = count.checked_sub(free)?.checked_sub(1)?;
    Some(delay.saturating_mul(1u32 << over.min(20)).min(max))
}

/// Failed sign-ins, per account and per client address.
pub struct LoginLimiter {
    inner: Mutex<(Bounded<String>, Bounded<IpAddr>)>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter {
            inner: Mutex::new((Bounded::new(), Bounded::new())),
        }
    }
}

impl LoginLimiter {
    /// `Err(seconds)` while the account or the address is held back.
    pub fn check(&self, account: &str, ip: IpAddr, now: Timestamp) -> Result<(), u64> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let held = [
            inner.0.get(&account.to_owned()).map(|e| e.until),
            inner.1.get(&ip).map(|e| e.until),
        ];
        match held.into_iter().flatten().filter(|t| *t > now).max() {
            Some(t) => Err(secs_until(now, t)),
            None => Ok(()),
        }
    }

    /// One more failure: each key past its free failures is held back for a doubled delay.
    pub fn fail(&self, account: &str, ip: IpAddr, now: Timestamp, p: &SignIn) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let cap = p.remembered as usize;
        let e = inner.0.touch(&account.to_owned(), now, cap, p.forget_after);
        record(e, now, p.forget_after);
        if let Some(d) = delay_after(e.count, p.account_free, p.delay, p.account_delay_max) {
            e.until = until(now, d);
        }
        let e = inner.1.touch(&ip, now, cap, p.forget_after);
        record(e, now, p.forget_after);
        if let Some(d) = delay_after(e.count, p.address_free, p.delay, p.address_delay_max) {
            e.until = until(now, d);
        }
    }

    /// The right password: the account starts afresh. The address does not (one account
    /// signed into between guesses must not wipe a spray's record); its failures age out.
    pub fn succeed(&self, account: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.0.remove(&account.to_owned());
    }
}

/// Counts one more on an entry, starting afresh when the last was `forget` ago.
fn record(e: &mut Entry, now: Timestamp, forget: Duration) {
    if now - e.last >= chrono::Duration::from_std(forget).unwrap_or(chrono::Duration::MAX) {
        e.count = 0;
        e.first = now;
    }
    e.count += 1;
    e.last = now;
}

/// Self-registrations per client address within the policy's window.
pub struct RegistrationLimiter {
    inner: Mutex<Bounded<IpAddr>>,
}

impl Default for RegistrationLimiter {
    fn default() -> Self {
        RegistrationLimiter {
            inner: Mutex::new(Bounded::new()),
        }
    }
}

impl RegistrationLimiter {
    /// Counts a registration from `ip`, or `Err(seconds)` until the window lets one more.
    pub fn admit(&self, ip: IpAddr, now: Timestamp, p: &Registration, cap: u32) -> Result<(), u64> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let e = inner.touch(&ip, now, cap as usize, p.window);
        let window_ends = until(e.first, p.window);
        if now >= window_ends {
            *e = Entry {
                count: 0,
                first: now,
                last: now,
                until: now,
            };
        } else if e.count >= p.per_address {
            return Err(secs_until(now, window_ends));
        }
        e.count += 1;
        e.last = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> Timestamp {
        chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(20000)
    }
    const S: fn(i64) -> chrono::Duration = chrono::Duration::seconds;

    #[test]
    fn delays_grow_from_the_free_failures_and_cap() {
        let d = Duration::from_secs(1);
        let max = Duration::from_secs(300);
        assert_eq!(delay_after(5, 5, d, max), None);
        assert_eq!(delay_after(6, 5, d, max), Some(d));
        assert_eq!(delay_after(7, 5, d, max), Some(2 * d));
        assert_eq!(delay_after(10, 5, d, max), Some(16 * d));
        assert_eq!(delay_after(1000, 5, d, max), Some(max));
    }

    #[test]
    fn account_and_address_are_held_separately_and_the_account_cap_holds() {
        let p = SignIn::default();
        let l = LoginLimiter::default();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let mut now = t0();
        for _ in 0..p.account_free {
            assert_eq!(l.check("admin", a, now), Ok(()));
            l.fail("admin", a, now, &p);
        }
        assert_eq!(l.check("admin", b, now), Ok(()));
        l.fail("admin", a, now, &p);
        assert_eq!(
            l.check("admin", b, now),
            Err(1),
            "the account is held, from anywhere"
        );
        assert_eq!(l.check("other", b, now), Ok(()));
        // Hammering it: never longer than the account's cap.
        for _ in 0..100 {
            l.fail("admin", a, now, &p);
        }
        assert_eq!(l.check("admin", b, now), Err(300));
        now += S(300);
        assert_eq!(l.check("admin", b, now), Ok(()));
        l.succeed("admin");
        assert_eq!(l.check("admin", b, now), Ok(()));
        // The address that made 106 failures stays held (its own, longer cap).
        assert_eq!(l.check("someone", a, now), Err(3600 - 300));
    }

    #[test]
    fn memory_is_bounded_and_the_oldest_go_first() {
        let mut m: Bounded<u32> = Bounded::new();
        let now = t0();
        let forget = Duration::from_secs(3600);
        for i in 0..1000u32 {
            m.touch(&i, now + S(i as i64), 100, forget).count += 1;
            assert!(m.len() <= 100);
        }
        assert!(m.get(&999).is_some());
        assert!(m.get(&0).is_none());
        assert!(
            m.len() > 80,
            "only a slice is evicted at a time: {}",
            m.len()
        );
    }

    #[test]
    fn registrations_per_address_per_window() {
        let p = Registration {
            per_address: 2,
            window: Duration::from_secs(3600),
        };
        let l = RegistrationLimiter::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let now = t0();
        assert_eq!(l.admit(ip, now, &p, 100), Ok(()));
        assert_eq!(l.admit(ip, now + S(10), &p, 100), Ok(()));
        assert_eq!(l.admit(ip, now + S(20), &p, 100), Err(3580));
        assert_eq!(l.admit("10.0.0.2".parse().unwrap(), now, &p, 100), Ok(()));
        assert_eq!(l.admit(ip, now + S(3600), &p, 100), Ok(()));
    }
}
