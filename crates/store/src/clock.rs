//! What time it is, for everything that asks: the server, the deadline loop, the brushing scan.
//! The store itself takes `now` as an argument; `weiquan-domain` never reads a clock.
//!
//! Production runs on [`SystemClock`]. Tests hold a [`ManualClock`] and move it past a
//! deadline instead of sleeping; `weiquan serve --clock FILE` runs on a [`FileClock`] that a
//! drill or a test moves from outside the process.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};
use weiquan_domain::Timestamp;

/// The current time. Shared as `Arc<dyn Clock>`.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Utc::now()
    }
}

/// A clock that stands still until it is told otherwise. Whole milliseconds, as times are
/// stored, so a time read back from the store equals the one the clock gave.
#[derive(Debug)]
pub struct ManualClock {
    ms: AtomicI64,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock {
            ms: AtomicI64::new(start.timestamp_millis()),
        }
    }

    /// Moves the clock forward (or back, for a negative duration).
    pub fn advance(&self, by: chrono::Duration) {
        self.ms.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }

    pub fn set(&self, t: DateTime<Utc>) {
        self.ms.store(t.timestamp_millis(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        DateTime::from_timestamp_millis(self.ms.load(Ordering::SeqCst))
            .expect("set from a DateTime, moved by a Duration")
    }
}

/// The time written in a file (RFC 3339), read again on every look, so whoever writes the file
/// moves the clock of a running process. Write it atomically (a temporary file, then rename).
#[derive(Debug)]
pub struct FileClock {
    path: PathBuf,
    /// The last time read well: a file caught half-written keeps it (and says so in the log).
    last: Mutex<DateTime<Utc>>,
}

impl FileClock {
    /// Opens the clock; a missing or unreadable file is an error naming it.
    pub fn open(path: &Path) -> Result<Self, String> {
        let t = read_time(path)?;
        Ok(FileClock {
            path: path.to_owned(),
            last: Mutex::new(t),
        })
    }
}

impl Clock for FileClock {
    fn now(&self) -> Timestamp {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        match read_time(&self.path) {
            Ok(t) => *last = t,
            Err(e) => {
                tracing::error!(error = %e, "the clock file is unreadable; keeping its last time")
            }
        }
        *last
    }
}

fn read_time(path: &Path) -> Result<DateTime<Utc>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("clock file {}: {e}", path.display()))?;
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!(
                "clock file {}: {e}: it must hold one RFC 3339 time, e.g. 2026-05-01T09:00:00Z, not {:?}",
                path.display(),
                text.trim()
            )
        })
}

#[cfg(test)]
mod tests {
    use chrono::SubsecRound as _;

    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let t0 = DateTime::parse_from_rfc3339("2026-05-01T09:00:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let c = ManualClock::new(t0);
        assert_eq!(c.now().timestamp_millis(), t0.timestamp_millis());
        assert_eq!(c.now(), c.now());
        c.advance(chrono::Duration::days(2));
        assert_eq!(c.now() - t0.trunc_subsecs(3), chrono::Duration::days(2));
        c.set(t0);
        assert_eq!(c.now(), t0.trunc_subsecs(3));
    }

    #[test]
    fn a_file_clock_follows_its_file_and_names_a_bad_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clock");
        let err = FileClock::open(&path).unwrap_err();
        assert!(err.contains(&path.display().to_string()), "{err}");
        std::fs::write(&path, "yesterday").unwrap();
        let err = FileClock::open(&path).unwrap_err();
        assert!(
            err.contains(&path.display().to_string()) && err.contains("RFC 3339"),
            "{err}"
        );

        std::fs::write(&path, "2026-05-01T09:00:00+08:00\n").unwrap();
        let c = FileClock::open(&path).unwrap();
        assert_eq!(c.now().to_rfc3339(), "2026-05-01T01:00:00+00:00");
        std::fs::write(&path, "2026-05-03T01:00:00Z").unwrap();
        assert_eq!(c.now().to_rfc3339(), "2026-05-03T01:00:00+00:00");
        // Caught half-written: the last good time, not the machine's.
        std::fs::write(&path, "2026-05-").unwrap();
        assert_eq!(c.now().to_rfc3339(), "2026-05-03T01:00:00+00:00");
    }
}
