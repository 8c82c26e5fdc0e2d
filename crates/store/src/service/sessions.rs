//! This node's cache of sessions: every request names its session, and on PostgreSQL reading
//! it is a round trip and a statement per request — as much as a filing's share of its batch.
//! A session read here is trusted for [`FRESH`], and never past the session's own expiry by the
//! store's clock. A change on this node (a sign-out, a password, a role, an account disabled)
//! clears the cache when it commits; one made on another node is seen here within [`FRESH`]
//! (docs/decisions.md).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use weiquan_domain::Timestamp;

use crate::User;

/// How long a session read from the database is trusted on this node.
pub(crate) const FRESH: Duration = Duration::from_secs(1);

/// Entries kept before the stale ones are dropped.
const PRUNE_AT: usize = 4096;

#[derive(Default)]
pub(crate) struct Sessions {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    users: HashMap<String, (Instant, User, Timestamp)>,
    /// Bumped by each clear: a read that began before it may predate the change.
    cleared: u64,
}

impl Sessions {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A cache: a panic elsewhere cannot leave it wrong for longer than it is trusted.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The session's user if read within [`FRESH`] and unexpired at `now`; else `Err` with a
    /// ticket for [`Sessions::keep`].
    pub(crate) fn get(&self, token_hash: &str, now: Timestamp) -> Result<User, u64> {
        let s = self.state();
        match s.users.get(token_hash) {
            Some((at, user, expires)) if at.elapsed() < FRESH && now < *expires => Ok(user.clone()),
            _ => Err(s.cleared),
        }
    }

    /// Keeps a session read after [`Sessions::get`] gave `ticket`, unless a change cleared the
    /// cache meanwhile.
    pub(crate) fn keep(&self, ticket: u64, token_hash: &str, user: &User, expires: Timestamp) {
        let mut s = self.state();
        if s.cleared != ticket {
            return;
        }
        if s.users.len() >= PRUNE_AT {
            s.users.retain(|_, (at, _, _)| at.elapsed() < FRESH);
        }
        s.users.insert(
            token_hash.to_owned(),
            (Instant::now(), user.clone(), expires),
        );
    }

    pub(crate) fn clear(&self) {
        let mut s = self.state();
        s.users.clear();
        s.cleared += 1;
    }
}
