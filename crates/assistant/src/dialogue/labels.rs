//! Words and numbers as the replies show them: categories, claims, money, times, who acts.

use chrono::{DateTime, Utc};
use weiquan_domain::{Category, Lang};

use super::ClaimDraft;
use crate::slots::time::shanghai;

pub(super) fn t(lang: Lang, zh: impl Into<String>, en: impl Into<String>) -> String {
    match lang {
        Lang::Zh => zh.into(),
        Lang::En => en.into(),
    }
}

pub(super) fn category_label(lang: Lang, c: Category) -> String {
    c.label(lang).to_owned()
}

pub(super) fn claim_label(lang: Lang, c: &ClaimDraft) -> String {
    let kind = c.kind.label(lang).to_owned();
    match c.amount_cents {
        Some(a) => format!("{kind} {}", yuan(a)),
        None => kind,
    }
}

pub(super) fn yuan(cents: i64) -> String {
    format!("¥{}.{:02}", cents / 100, cents % 100)
}

pub(super) fn day(at: DateTime<Utc>) -> String {
    at.with_timezone(&shanghai()).format("%Y-%m-%d").to_string()
}

pub(super) fn minute(at: DateTime<Utc>) -> String {
    at.with_timezone(&shanghai())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub(super) fn actor_label(lang: Lang, who: &str) -> String {
    match who {
        "merchant" => t(lang, "商家", "the merchant"),
        "consumer" => t(lang, "您", "you"),
        "cs_agent" => t(
            lang,
            "平台客服（一级调解）",
            "platform customer service (tier 1)",
        ),
        "protection" => t(
            lang,
            "消费者保障（二级裁决）",
            "consumer protection (tier 2)",
        ),
        "jury" => t(lang, "大众评审团（二级裁决）", "a public jury (tier 2)"),
        other => other.to_string(),
    }
}

pub(super) fn state_label(lang: Lang, state: &str) -> String {
    match weiquan_domain::State::parse(state) {
        Ok(s) => s.label(lang).to_owned(),
        Err(_) => state.to_owned(),
    }
}
