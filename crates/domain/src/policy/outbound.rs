//! What the policy says about telling people: reminders before deadlines, the webhooks'
//! delivery, e-mail through `[smtp]`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{human, human_list};

/// How the dispatcher delivers webhooks (the `delivery` module computes the retries from it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Webhooks {
    /// A receiver that has not answered within this is a failed attempt.
    #[serde(with = "human")]
    pub timeout: Duration,
    /// The wait before the first retry; each later one doubles it…
    #[serde(with = "human")]
    pub backoff: Duration,
    /// …up to this (each wait jittered by ±20%).
    #[serde(with = "human")]
    pub backoff_max: Duration,
    /// A message still failing this long after it was written is dead (at least 24 hours).
    #[serde(with = "human")]
    pub retry_for: Duration,
    /// After a rotation, deliveries are signed with the old secret too for this long.
    #[serde(with = "human")]
    pub rotation_grace: Duration,
    /// Messages claimed per round, and how long a claim lasts before another node may take it.
    pub batch: u32,
    #[serde(with = "human")]
    pub lease: Duration,
}

impl Default for Webhooks {
    fn default() -> Self {
        let h = |h: u64| Duration::from_secs(h * 3600);
        Webhooks {
            timeout: Duration::from_secs(10),
            backoff: Duration::from_secs(30),
            backoff_max: h(4),
            retry_for: h(26),
            rotation_grace: h(24),
            batch: 256,
            lease: Duration::from_secs(60),
        }
    }
}

/// The mail server e-mail goes through (the password comes from `WEIQUAN_SMTP_PASSWORD`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    pub host: String,
    #[serde(default = "Smtp::default_port")]
    pub port: u16,
    /// The sender, e.g. `"weiquan <noreply@example.com>"`.
    pub from: String,
    /// `starttls` (default), `tls` (implicit TLS) or `none` (a local relay only).
    #[serde(default = "Smtp::default_tls")]
    pub tls: String,
    #[serde(default)]
    pub username: Option<String>,
    /// Where the product is, for the link in every e-mail.
    #[serde(default = "Smtp::default_base_url")]
    pub base_url: String,
}

impl Smtp {
    fn default_port() -> u16 {
        587
    }
    fn default_tls() -> String {
        "starttls".into()
    }
    fn default_base_url() -> String {
        "http://localhost:8080".into()
    }
}

/// Reminders before a deadline a party must meet (`docs/notifications.md`); when each falls is
/// `Policy::next_reminder`, counted in the deadline's own time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Reminders {
    /// How long before the deadline each reminder goes out.
    #[serde(with = "human_list")]
    pub before: Vec<Duration>,
}

impl Default for Reminders {
    fn default() -> Self {
        Reminders {
            before: vec![
                Duration::from_secs(24 * 3600),
                Duration::from_secs(2 * 3600),
            ],
        }
    }
}
