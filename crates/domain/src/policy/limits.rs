//! What the policy says about abuse: connections, sign-in throttling, registration and upload
//! quotas. The server enforces them; these are the numbers.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{PolicyError, human};

/// The HTTP listener's time-outs and its connection limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Connections {
    /// A request's headers must arrive within this; also how long an idle keep-alive
    /// connection is kept waiting for its next request.
    #[serde(with = "human")]
    pub header_read_timeout: Duration,
    /// A request body that sends nothing for this long is cut off.
    #[serde(with = "human")]
    pub body_read_timeout: Duration,
    /// Connections open at once; one more is answered 503 and closed.
    pub max_connections: u32,
    /// Behind a reverse proxy: take the client's address from the last `X-Forwarded-For`
    /// entry (the proxy's) instead of the connection's peer. Off unless a proxy sets it.
    pub trust_forwarded_for: bool,
}

impl Default for Connections {
    fn default() -> Self {
        Connections {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 1024,
            trust_forwarded_for: false,
        }
    }
}

/// Sign-in throttling: after `free` failures, each further failure doubles a delay (from
/// `delay`) during which sign-ins are answered 429, per account and per client address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignIn {
    /// Failures on one account before delays start.
    pub account_free: u32,
    /// Failures from one address (over any accounts) before delays start.
    pub address_free: u32,
    /// The first delay; each further failure doubles it.
    #[serde(with = "human")]
    pub delay: Duration,
    /// An account's delay never grows past this, so its owner is never locked out for good.
    #[serde(with = "human")]
    pub account_delay_max: Duration,
    /// An address's delay never grows past this.
    #[serde(with = "human")]
    pub address_delay_max: Duration,
    /// Failures are forgotten this long after the last one.
    #[serde(with = "human")]
    pub forget_after: Duration,
    /// Accounts and addresses remembered at most (the oldest are forgotten first).
    pub remembered: u32,
}

impl Default for SignIn {
    fn default() -> Self {
        SignIn {
            account_free: 5,
            address_free: 20,
            delay: Duration::from_secs(1),
            account_delay_max: Duration::from_secs(300),
            address_delay_max: Duration::from_secs(3600),
            forget_after: Duration::from_secs(24 * 3600),
            remembered: 100_000,
        }
    }
}

/// Self-registration: at most `per_address` accounts from one client address per `window`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Registration {
    pub per_address: u32,
    #[serde(with = "human")]
    pub window: Duration,
}

impl Default for Registration {
    fn default() -> Self {
        Registration {
            per_address: 5,
            window: Duration::from_secs(3600),
        }
    }
}

/// Evidence quotas, per complaint or report and per uploader (all their files, ever).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Uploads {
    pub files_per_subject: u32,
    pub mib_per_subject: u64,
    pub files_per_user: u32,
    pub mib_per_user: u64,
}

impl Default for Uploads {
    fn default() -> Self {
        Uploads {
            files_per_subject: 30,
            mib_per_subject: 200,
            files_per_user: 300,
            mib_per_user: 2048,
        }
    }
}

impl Uploads {
    pub fn bytes_per_subject(&self) -> u64 {
        self.mib_per_subject.saturating_mul(1024 * 1024)
    }
    pub fn bytes_per_user(&self) -> u64 {
        self.mib_per_user.saturating_mul(1024 * 1024)
    }
}

pub(super) fn validate(
    c: &Connections,
    s: &SignIn,
    r: &Registration,
    u: &Uploads,
) -> Result<(), PolicyError> {
    let bad = |zh: &str, en: &str| {
        Err(PolicyError {
            zh: zh.into(),
            en: en.into(),
        })
    };
    if c.header_read_timeout.is_zero() || c.body_read_timeout.is_zero() || c.max_connections == 0 {
        return bad(
            "connections 的取值必须大于0",
            "connections values must be more than zero",
        );
    }
    if s.delay.is_zero()
        || s.account_delay_max < s.delay
        || s.address_delay_max < s.delay
        || s.account_delay_max > Duration::from_secs(3600)
        || s.forget_after.is_zero()
        || s.remembered == 0
    {
        return bad(
            "sign_in 的取值超出范围（账号的最长等待不超过1小时）",
            "a sign_in value is out of range (an account's longest delay is at most an hour)",
        );
    }
    if r.per_address == 0 || r.window.is_zero() {
        return bad(
            "registration 的取值必须大于0",
            "registration values must be more than zero",
        );
    }
    if u.files_per_subject == 0
        || u.mib_per_subject == 0
        || u.files_per_user == 0
        || u.mib_per_user == 0
    {
        return bad(
            "uploads 的取值必须大于0",
            "uploads values must be more than zero",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::Policy;

    /// docs/policy.md's sample is the defaults, so what operators read is what they get.
    #[test]
    fn documented_sample_is_the_defaults() {
        let doc = include_str!("../../../../docs/policy.md");
        let start = doc.find("```toml\n").expect("a toml block") + 8;
        let end = start + doc[start..].find("```").expect("its end");
        let p = Policy::from_toml(&doc[start..end]).unwrap_or_else(|e| panic!("{}", e.en));
        assert_eq!(p, Policy::default());
    }
}
