//! What the outbox carries to the world outside: the webhook event types the marketplace can
//! subscribe to, a message's channel and status, and when a failed delivery is tried again.

use std::time::Duration;

use crate::error::DomainError;
use crate::lang::Lang;
use crate::policy::Webhooks;
use crate::types::labelled_enum;

/// A webhook event type: versioned by its name (a new shape is a new name, never a changed one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WebhookEvent {
    ComplaintFiled,
    ComplaintStateChanged,
    RemedyDue,
    ShopStandingChanged,
    ListingTakenDown,
    ListingRestored,
    CaseOpened,
}

impl WebhookEvent {
    pub const ALL: &'static [WebhookEvent] = &[
        WebhookEvent::ComplaintFiled,
        WebhookEvent::ComplaintStateChanged,
        WebhookEvent::RemedyDue,
        WebhookEvent::ShopStandingChanged,
        WebhookEvent::ListingTakenDown,
        WebhookEvent::ListingRestored,
        WebhookEvent::CaseOpened,
    ];

    /// The `type` of the body, as receivers match it.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::ComplaintFiled => "complaint.filed",
            WebhookEvent::ComplaintStateChanged => "complaint.state_changed",
            WebhookEvent::RemedyDue => "remedy.due",
            WebhookEvent::ShopStandingChanged => "shop.standing_changed",
            WebhookEvent::ListingTakenDown => "listing.taken_down",
            WebhookEvent::ListingRestored => "listing.restored",
            WebhookEvent::CaseOpened => "case.opened",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            WebhookEvent::ComplaintFiled => ("新投诉", "complaint filed"),
            WebhookEvent::ComplaintStateChanged => ("投诉状态变化", "complaint state changed"),
            WebhookEvent::RemedyDue => ("待执行的退款或赔付", "remedy due"),
            WebhookEvent::ShopStandingChanged => ("店铺权重或状态变化", "shop standing changed"),
            WebhookEvent::ListingTakenDown => ("商品下架", "listing taken down"),
            WebhookEvent::ListingRestored => ("商品恢复上架", "listing restored"),
            WebhookEvent::CaseOpened => ("平台监管立案", "case opened"),
        };
        lang.pick(zh, en)
    }

    /// The label of a stored type; "other" for one this version does not know.
    pub fn label_of(s: &str, lang: Lang) -> &'static str {
        Self::parse(s).map_or(lang.pick("其他", "other"), |v| v.label(lang))
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| {
                let allowed = Self::ALL
                    .iter()
                    .map(|e| e.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                DomainError::invalid(
                    "event_types",
                    format!("不支持的事件类型“{s}”，可选：{allowed}"),
                    format!("unsupported event type {s:?}; expected one of: {allowed}"),
                )
            })
    }
}

labelled_enum!(
    /// How a message leaves weiquan.
    OutboxChannel, "channel" {
        Webhook = "webhook", "Webhook推送", "webhook";
        Email = "email", "电子邮件", "e-mail";
    }
);

labelled_enum!(
    /// Where a message is in its delivery.
    OutboxStatus, "status" {
        Pending = "pending", "待投递", "pending";
        Delivered = "delivered", "已送达", "delivered";
        Dead = "dead", "投递失败（已停止重试）", "dead (retries given up)";
    }
);

/// After a message's `attempts`-th failed attempt, how long to wait before the next: the first
/// backoff doubled per attempt up to the maximum, spread by `jitter` (0..1) over ±20% so that
/// receivers coming back up are not hit by every retry at once.
pub fn backoff(w: &Webhooks, attempts: u32, jitter: f64) -> Duration {
    let doubled = w
        .backoff
        .saturating_mul(1u32 << attempts.saturating_sub(1).min(20));
    let base = doubled.min(w.backoff_max);
    base.mul_f64(0.8 + 0.4 * jitter.clamp(0.0, 1.0))
}

/// When a message that just failed is tried next, or `None` when it is dead: written at
/// `created`, failed for the `attempts`-th time at `now`.
pub fn next_attempt(
    w: &Webhooks,
    created: crate::Timestamp,
    now: crate::Timestamp,
    attempts: u32,
    jitter: f64,
) -> Option<crate::Timestamp> {
    let horizon = created + chrono::Duration::from_std(w.retry_for).ok()?;
    if now >= horizon {
        return None;
    }
    let next = now + chrono::Duration::from_std(backoff(w, attempts, jitter)).ok()?;
    // The last try falls on the horizon, so a message is tried for the whole period.
    Some(next.min(horizon))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timestamp;

    #[test]
    fn types_read_back_and_have_labels() {
        for e in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(e.as_str()).unwrap(), *e);
        }
        assert!(WebhookEvent::parse("complaint.eaten").is_err());
        let zh: std::collections::HashSet<_> = WebhookEvent::ALL
            .iter()
            .map(|e| e.label(Lang::Zh))
            .collect();
        assert_eq!(zh.len(), WebhookEvent::ALL.len());
        crate::types::assert_labels(OutboxStatus::ALL, OutboxStatus::label);
        crate::types::assert_labels(OutboxChannel::ALL, OutboxChannel::label);
    }

    #[test]
    fn retries_double_up_to_the_cap_and_last_the_whole_period() {
        let w = Webhooks::default();
        assert_eq!(backoff(&w, 1, 0.5), w.backoff);
        assert_eq!(backoff(&w, 2, 0.5), w.backoff * 2);
        assert_eq!(backoff(&w, 30, 0.5), w.backoff_max);
        assert!(backoff(&w, 1, 0.0) < backoff(&w, 1, 1.0));
        let created: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let (mut now, mut n, mut tries) = (created, 0, 0);
        while let Some(next) = next_attempt(&w, created, now, n + 1, 1.0) {
            now = next;
            n += 1;
            tries += 1;
            assert!(tries < 100);
        }
        // Tried for at least 24 hours, up to the horizon.
        assert!(now - created >= chrono::Duration::hours(24));
        assert_eq!(
            now - created,
            chrono::Duration::from_std(w.retry_for).unwrap()
        );
    }
}
