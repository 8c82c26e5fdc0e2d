//! Page words that belong to no domain value, in both languages: form fields, times, countdowns.
//! A domain value's name comes from its type (`State::label`, `Category::label`, `EventKind::label`…).

use weiquan_domain::policy::DeadlineKind;
use weiquan_domain::*;

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    lang.pick(zh, en)
}

/// A form field's name as people see it (error lists).
pub fn field(lang: Lang, f: &str) -> &'static str {
    match f {
        "order_no" => pick(lang, "订单号", "order number"),
        "product" => pick(lang, "商品", "product"),
        "category" => pick(lang, "问题类型", "problem"),
        "incident_at" => pick(lang, "发生时间", "when it happened"),
        "description" => pick(lang, "问题描述", "description"),
        "claim" | "claim.kind" => pick(lang, "诉求", "claim"),
        "claim.amount_cents" => pick(lang, "诉求金额", "claim amount"),
        "remedy" | "remedy.kind" => pick(lang, "处理方案", "remedy"),
        "remedy.amount_cents" => pick(lang, "方案金额", "remedy amount"),
        "message" => pick(lang, "说明", "message"),
        "reason" => pick(lang, "理由", "reason"),
        "from" => pick(lang, "调取对象", "from whom"),
        "decision" => pick(lang, "裁决结果", "decision"),
        "rule_refs" => pick(lang, "引用规则", "rules cited"),
        "violation.kind" => pick(lang, "违规类型", "violation"),
        "violation.points" => pick(lang, "扣分", "points"),
        "note" => pick(lang, "履行说明", "note"),
        "body" => pick(lang, "留言", "message"),
        "kind" => pick(lang, "证据类型", "kind of evidence"),
        "file" => pick(lang, "文件", "file"),
        "username" => pick(lang, "用户名", "username"),
        "password" => pick(lang, "密码", "password"),
        "display_name" => pick(lang, "显示名", "display name"),
        "role" => pick(lang, "角色", "role"),
        "scopes" => pick(lang, "权限", "scopes"),
        "action" => pick(lang, "操作", "action"),
        "shop_id" => pick(lang, "店铺", "shop"),
        "report_kind" => pick(lang, "举报类型", "kind of report"),
        "listing" => pick(lang, "侵权商品", "infringing listing"),
        "email" => pick(lang, "电子邮箱", "e-mail address"),
        "lang" => pick(lang, "语言", "language"),
        "ids" => pick(lang, "通知", "notifications"),
        "on_behalf_of" => pick(lang, "来电买家", "the consumer who called"),
        "url" => pick(lang, "接收地址", "receiving URL"),
        "event_types" => pick(lang, "推送的事件", "events to send"),
        "confirm" => pick(lang, "确认", "confirmation"),
        "version" => pick(lang, "版本", "version"),
        "what" => pick(lang, "文件内容", "the file holds"),
        "claim_amount" => pick(lang, "诉求金额", "claim amount"),
        "evidence" => pick(lang, "证据文件", "evidence file"),
        // Import records (`docs/import.md`).
        "id" => pick(lang, "店铺编号", "shop id"),
        "name" => pick(lang, "名称", "name"),
        "merchant" => pick(lang, "商家账号", "merchant account"),
        "buyer" => pick(lang, "买家账号", "buyer account"),
        "items" => pick(lang, "商品", "items"),
        "title" => pick(lang, "商品名称", "item title"),
        "price_cents" => pick(lang, "单价", "price"),
        "qty" => pick(lang, "数量", "quantity"),
        "return_exempt" => pick(lang, "不适用七天无理由退货", "exempt from 7-day returns"),
        "amount_cents" => pick(lang, "实付金额", "amount paid"),
        "paid_at" => pick(lang, "付款时间", "paid at"),
        "shipped_at" => pick(lang, "发货时间", "shipped at"),
        "delivered_at" => pick(lang, "签收时间", "delivered at"),
        "commitments" => pick(lang, "服务承诺", "commitments"),
        "commitments.seven_day_return" => pick(lang, "七天无理由退货", "7-day returns"),
        "commitments.authentic_guarantee" => pick(lang, "正品保障", "authentic guarantee"),
        "commitments.ship_within_hours" => pick(lang, "承诺发货时限", "promised shipping time"),
        _ => pick(lang, "输入", "input"),
    }
}

/// A record's key path as people see it: `items[1].qty` is "第2件商品 · 数量".
pub fn field_path(lang: Lang, path: &str) -> String {
    let path = path.trim_start_matches('.');
    if let Some(rest) = path.strip_prefix("items[")
        && let Some((n, tail)) = rest.split_once(']')
        && let Ok(n) = n.parse::<usize>()
    {
        let item = match lang {
            Lang::Zh => format!("第{}件商品", n + 1),
            Lang::En => format!("item {}", n + 1),
        };
        let tail = tail.trim_start_matches('.');
        return if tail.is_empty() {
            item
        } else {
            format!("{item} · {}", field(lang, tail))
        };
    }
    field(lang, path).to_owned()
}

/// China time (UTC+8), minutes.
pub fn time(t: &Timestamp) -> String {
    let cn = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    t.with_timezone(&cn).format("%Y-%m-%d %H:%M").to_string()
}

/// A deadline's countdown: its text, and the instant the page's script ticks towards — empty
/// for a deadline counting working time, whose time left does not run down by the wall clock.
pub struct Countdown {
    pub text: String,
    pub iso: String,
}

/// The countdown of a deadline of `kind` due at `due`, in the deadline's own time (the policy's
/// one calculation, as reminders and `/stats` breaches use).
pub fn countdown(
    lang: Lang,
    policy: &Policy,
    kind: impl Into<DeadlineKind>,
    now: Timestamp,
    due: Timestamp,
) -> Countdown {
    let time = policy.time_of(kind);
    let business = time.is_business();
    Countdown {
        text: remaining(lang, time.remaining(now, due), business),
        iso: if business {
            String::new()
        } else {
            due.to_rfc3339()
        },
    }
}

/// "in 3 h 20 min" / "overdue by 2 h" (of working time when `business`): the static text a
/// countdown starts from.
pub fn remaining(lang: Lang, left: chrono::Duration, business: bool) -> String {
    let secs = left.num_seconds();
    let (neg, s) = (secs < 0, secs.unsigned_abs());
    // Working time in hours: a "day" of it would read as 24 working hours.
    let (d, h, m) = if business {
        (0, s / 3600, s % 3600 / 60)
    } else {
        (s / 86400, s % 86400 / 3600, s % 3600 / 60)
    };
    let span = match lang {
        Lang::Zh if d > 0 => format!("{d}天{h}小时"),
        Lang::Zh => format!("{h}小时{m}分"),
        Lang::En if d > 0 => format!("{d} d {h} h"),
        Lang::En => format!("{h} h {m} min"),
    };
    match (lang, neg, business) {
        (Lang::Zh, false, false) => format!("剩余 {span}"),
        (Lang::Zh, true, false) => format!("已超时 {span}"),
        (Lang::En, false, false) => format!("{span} left"),
        (Lang::En, true, false) => format!("overdue by {span}"),
        (Lang::Zh, false, true) => format!("剩余工作时间 {span}"),
        (Lang::Zh, true, true) => format!("已超时（工作时间）{span}"),
        (Lang::En, false, true) => format!("{span} of working time left"),
        (Lang::En, true, true) => format!("overdue by {span} of working time"),
    }
}

/// A span of time in words: "3天2小时" / "3 days 2 hours" (zero parts left out).
pub fn duration(lang: Lang, d: std::time::Duration) -> String {
    let s = d.as_secs();
    let parts = [
        (s / 86400, "天", "day"),
        (s % 86400 / 3600, "小时", "hour"),
        (s % 3600 / 60, "分钟", "minute"),
        (s % 60, "秒", "second"),
    ];
    let words: Vec<String> = parts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, zh, en)| match lang {
            Lang::Zh => format!("{n}{zh}"),
            Lang::En if *n == 1 => format!("1 {en}"),
            Lang::En => format!("{n} {en}s"),
        })
        .collect();
    match (lang, words.is_empty()) {
        (Lang::Zh, true) => "0秒".into(),
        (Lang::En, true) => "0 seconds".into(),
        (Lang::Zh, false) => words.concat(),
        (Lang::En, false) => words.join(" "),
    }
}

/// Fen as yuan, written as every page writes money (`Cents`' own form, "¥59.90").
pub fn yuan(fen: i64) -> String {
    Cents::new(fen).map(|c| c.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_business_deadline_counts_down_in_working_time_and_does_not_tick() {
        let p = Policy::from_toml("[deadlines]\nevidence_turn = \"16 business hours\"\n").unwrap();
        // Friday 2026-03-06 17:00 in Shanghai: 1 working hour on Friday, 9 on Monday, 6 on
        // Tuesday → due Tuesday 15:00.
        let now: Timestamp = "2026-03-06T09:00:00Z".parse().unwrap();
        let due = p.due(TimerKind::EvidenceTurn, now);
        assert_eq!(due.to_rfc3339(), "2026-03-10T07:00:00+00:00");
        let c = countdown(Lang::Zh, &p, TimerKind::EvidenceTurn, now, due);
        assert_eq!(c.text, "剩余工作时间 16小时0分");
        assert!(
            c.iso.is_empty(),
            "the script must not tick it by the wall clock"
        );
        let c = countdown(
            Lang::En,
            &p,
            TimerKind::EvidenceTurn,
            due + chrono::Duration::days(3),
            due,
        );
        // Three days later (Friday 15:00): 3 + 9 + 9 + 6 working hours overdue.
        assert_eq!(c.text, "overdue by 27 h 0 min of working time");
        // An elapsed deadline is as before, and ticks.
        let c = countdown(
            Lang::En,
            &p,
            TimerKind::Mediation,
            now,
            now + chrono::Duration::hours(5),
        );
        assert_eq!(c.text, "5 h 0 min left");
        assert!(!c.iso.is_empty());
    }

    #[test]
    fn durations_and_yuan_in_words() {
        let h = std::time::Duration::from_secs(3600);
        assert_eq!(duration(Lang::Zh, 50 * h), "2天2小时");
        assert_eq!(duration(Lang::En, 24 * h), "1 day");
        assert_eq!(
            duration(Lang::En, 90 * 60 * std::time::Duration::from_secs(1)),
            "1 hour 30 minutes"
        );
        assert_eq!(yuan(100_000), "¥1000.00");
        assert_eq!(yuan(5), "¥0.05");
    }
}
