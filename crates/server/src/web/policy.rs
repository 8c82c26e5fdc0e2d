//! The policy in force as an operator reads it: labelled sections, spans of time in words, money
//! in yuan, lists by their labels — in the viewer's language. The TOML that reproduces it stays
//! behind a disclosure for whoever edits the policy file.

use weiquan_domain::policy::{
    CalendarSpec, DEFAULT_CALENDAR, DeadlineKind, PauseMode, Policy, Span,
};
use weiquan_domain::*;

use super::i18n::{duration, yuan};

/// One labelled part of the policy.
pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub rows: Vec<(String, String)>,
}

/// The policy's sections for a page in `lang`.
pub fn sections(p: &Policy, lang: Lang) -> Vec<Section> {
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let d = |x: std::time::Duration| duration(lang, x);
    let n = |x: u32| x.to_string();
    let list = |items: Vec<String>| items.join(t("、", ", "));
    let mut out = vec![Section {
        id: "deadlines",
        title: t("处理期限", "Deadlines"),
        rows: DeadlineKind::ALL
            .iter()
            .map(|k| {
                (
                    kind_label(lang, *k).to_owned(),
                    span_words(lang, p.span(*k)),
                )
            })
            .collect(),
    }];
    if let Some(s) = calendars_section(p, lang) {
        out.push(s);
    }
    if !p.pauses.is_empty() {
        out.push(pauses_section(p, lang));
    }
    out.push(Section {
        id: "reminders",
        title: t("期限提醒", "Deadline reminders"),
        rows: r(vec![(
            t("到期前提醒", "Reminded before a deadline"),
            list(p.reminders.before.iter().map(|x| d(*x)).collect()),
        )]),
    });
    out.push(Section {
        id: "major",
        title: t("重大投诉", "Major complaints"),
        rows: r(vec![
            (
                t("诉求金额达到", "A claim of at least"),
                yuan(p.major.amount_cents),
            ),
            (
                t("或问题类型为", "or a problem of the kind"),
                list(
                    p.major
                        .categories
                        .iter()
                        .map(|c| c.label(lang).to_owned())
                        .collect(),
                ),
            ),
        ]),
    });
    out.push(Section {
        id: "collective",
        title: t("集体投诉", "Collective complaints"),
        rows: r(vec![
            (
                t("至少涉及买家", "At least this many consumers"),
                n(p.collective.min_consumers),
            ),
            (t("时间窗口", "Within"), d(p.collective.window)),
        ]),
    });
    let j = &p.jury;
    let yes_no = |b: bool| t(if b { "是" } else { "否" }, if b { "yes" } else { "no" });
    out.push(Section {
        id: "jury",
        title: t("大众评审", "Public jury"),
        rows: r(vec![
            (t("启用", "Enabled"), yes_no(j.enabled).to_owned()),
            (t("评审团人数", "Jurors per panel"), n(j.panel_size)),
            (
                t(
                    "可直接交由评审的诉求金额上限",
                    "Eligible by itself: a claim of at most",
                ),
                yuan(j.max_claim_cents),
            ),
            (
                t("且问题类型为", "about a problem of the kind"),
                list(
                    j.categories
                        .iter()
                        .map(|c| c.label(lang).to_owned())
                        .collect(),
                ),
            ),
            (
                t("须双方同意", "Both sides must agree"),
                yes_no(j.require_consent).to_owned(),
            ),
            (t("投票期限", "Time to vote"), span_words(lang, &j.vote)),
            (
                t("截止前提醒", "Reminded before it closes"),
                d(j.remind_before),
            ),
            (t("有效票数至少", "Votes needed for a verdict"), n(j.quorum)),
            (
                t(
                    "志愿者账号注册至少（天）",
                    "A volunteer's account at least (days)",
                ),
                n(j.min_account_days),
            ),
            (
                t(
                    "未投票达到此数即失去资格",
                    "Missed panels that end good standing",
                ),
                n(j.max_missed_votes),
            ),
            (
                t("投票理由字数", "A vote's reason, in characters"),
                format!("{}–{}", j.reason_min_chars, j.reason_max_chars),
            ),
        ]),
    });
    let c = &p.compensation;
    out.push(Section {
        id: "compensation",
        title: t("赔偿标准", "Compensation"),
        rows: r(vec![
            (
                t("假货赔偿（货款的倍数）", "Counterfeit (times the price)"),
                n(c.counterfeit_multiplier),
            ),
            (
                t(
                    "延迟发货赔偿（货款百分比）",
                    "Late shipment (percent of the price)",
                ),
                format!("{}%", c.late_shipment_percent),
            ),
            (
                t("延迟发货赔偿上限", "Late shipment, at most"),
                yuan(c.late_shipment_cap_cents),
            ),
        ]),
    });
    let pt = &p.points;
    out.push(Section {
        id: "points",
        title: t("违规扣分", "Penalty points"),
        rows: r(vec![
            (
                t("商家逾期未回复", "The merchant did not answer in time"),
                n(pt.merchant_no_reply),
            ),
            (
                t("逾期未履行裁决", "A ruling not carried out in time"),
                n(pt.ruling_not_executed),
            ),
            (
                t("拒绝七天无理由退货", "A 7-day no-reason return refused"),
                n(pt.return_refused),
            ),
            (
                t("延迟发货（每单）", "Late shipment (per order)"),
                n(pt.late_shipment),
            ),
            (t("出售假货", "Counterfeit goods"), n(pt.counterfeit)),
            (
                t("虚假交易（刷单）", "Fake transactions (brushing)"),
                n(pt.fake_transactions),
            ),
            (t("知识产权侵权", "IP infringement"), n(pt.ip_infringement)),
            (
                t(
                    "集体投诉成立（未另定分值时）",
                    "A sanctioned collective case (unless the regulator names points)",
                ),
                n(pt.collective),
            ),
        ]),
    });
    out.push(Section {
        id: "ladder",
        title: t(
            "处罚阶梯（12个月内累计扣分）",
            "Penalty ladder (points within 12 months)",
        ),
        rows: p
            .ladder
            .iter()
            .map(|(points, step)| {
                let mut what = step.penalty.label(lang).to_owned();
                if let Some(w) = step.search_weight {
                    what.push_str(&match lang {
                        Lang::Zh => format!("，搜索权重 ×{w}"),
                        Lang::En => format!(", search weight ×{w}"),
                    });
                }
                if let Some(days) = step.days {
                    what.push_str(&match lang {
                        Lang::Zh => format!("，{days}天"),
                        Lang::En => format!(", for {days} days"),
                    });
                }
                let at = match lang {
                    Lang::Zh => format!("累计 {points} 分"),
                    Lang::En => format!("{points} points"),
                };
                (at, what)
            })
            .collect(),
    });
    let b = &p.brushing;
    out.push(Section {
        id: "brushing",
        title: t("刷单检测", "Brushing scan"),
        rows: r(vec![
            (t("扫描间隔", "Runs every"), d(b.every)),
            (t("检查的订单", "Reads orders paid within"), d(b.window)),
            (
                t(
                    "立案条件：最少买家账号",
                    "A case needs at least this many buyer accounts",
                ),
                n(b.min_accounts),
            ),
            (
                t("立案条件：成交密度", "…buying in this share of pairs"),
                format!("{:.0}%", b.min_fill * 100.0),
            ),
            (
                t(
                    "立案条件：高于平均的倍数",
                    "…this many times the usual share",
                ),
                format!("×{}", b.min_lift),
            ),
        ]),
    });
    let s = &p.sign_in;
    out.push(Section {
        id: "limits",
        title: t(
            "登录、注册与上传限制",
            "Sign-in, registration and upload limits",
        ),
        rows: r(vec![
            (
                t(
                    "同一账号允许失败次数",
                    "Failed sign-ins per account before delays",
                ),
                n(s.account_free),
            ),
            (
                t(
                    "同一地址允许失败次数",
                    "Failed sign-ins per address before delays",
                ),
                n(s.address_free),
            ),
            (t("首次等待", "First delay"), d(s.delay)),
            (
                t("账号最长等待", "Longest delay for an account"),
                d(s.account_delay_max),
            ),
            (
                t("同一地址注册上限", "Registrations per address"),
                match lang {
                    Lang::Zh => format!(
                        "{}个／{}",
                        p.registration.per_address,
                        d(p.registration.window)
                    ),
                    Lang::En => format!(
                        "{} per {}",
                        p.registration.per_address,
                        d(p.registration.window)
                    ),
                },
            ),
            (
                t("每件投诉或举报的文件", "Files per complaint or report"),
                format!(
                    "{} · {} MiB",
                    p.uploads.files_per_subject, p.uploads.mib_per_subject
                ),
            ),
            (
                t("每人上传的文件", "Files per person"),
                format!(
                    "{} · {} MiB",
                    p.uploads.files_per_user, p.uploads.mib_per_user
                ),
            ),
        ]),
    });
    let w = &p.webhooks;
    out.push(Section {
        id: "outbound",
        title: t("推送与邮件", "Webhooks and e-mail"),
        rows: r(vec![
            (
                t("单次推送超时", "One delivery times out after"),
                d(w.timeout),
            ),
            (
                t("失败后重试至少", "Retries go on for at least"),
                d(w.retry_for),
            ),
            (
                t("更换签名密钥的过渡期", "Grace period of a rotated secret"),
                d(w.rotation_grace),
            ),
            (
                t("邮件通知", "E-mail notices"),
                match &p.smtp {
                    Some(m) => format!("{}:{}", m.host, m.port),
                    None => t("未配置", "not configured").to_owned(),
                },
            ),
        ]),
    });
    out
}

/// A deadline key's name for people.
fn kind_label(lang: Lang, k: DeadlineKind) -> &'static str {
    let (zh, en) = match k {
        DeadlineKind::MerchantReply => ("商家首次回复", "The merchant answers a complaint"),
        DeadlineKind::ConsumerReply => ("买家回应商家方案", "The consumer answers the merchant"),
        DeadlineKind::Mediation => ("客服调解", "Customer-service mediation"),
        DeadlineKind::EvidenceTurn => ("每方举证", "Each side's turn to give evidence"),
        DeadlineKind::ExecuteRuling => ("履行裁决", "Carrying out a ruling"),
        DeadlineKind::AppealWindow => ("申诉期", "Appeal window"),
        DeadlineKind::IpCounterNotice => (
            "不侵权声明后恢复上架",
            "A listing comes back after a counter-notice",
        ),
        DeadlineKind::JuryVote => ("大众评审投票", "A public jury votes"),
    };
    lang.pick(zh, en)
}

/// "48 hours", "16 working hours (calendar cn)", "2 working days".
fn span_words(lang: Lang, s: &Span) -> String {
    let on = |c: &str| {
        if c == DEFAULT_CALENDAR {
            String::new()
        } else {
            match lang {
                Lang::Zh => format!("（按日历 {c}）"),
                Lang::En => format!(" (calendar {c})"),
            }
        }
    };
    match s {
        Span::Elapsed(d) => duration(lang, *d),
        Span::BusinessTime { len, calendar } => {
            let m = len.as_secs() / 60;
            let (h, m) = (m / 60, m % 60);
            let words = match (lang, m) {
                (Lang::Zh, 0) => format!("{h}个工作小时"),
                (Lang::Zh, _) => format!("{h}个工作小时{m}分钟"),
                (Lang::En, 0) => format!("{h} working hours"),
                (Lang::En, _) => format!("{h} working hours {m} minutes"),
            };
            words + &on(calendar)
        }
        Span::BusinessDays { days, calendar } => {
            let words = match lang {
                Lang::Zh => format!("{days}个工作日（至第{days}个工作日的同一时刻）"),
                Lang::En => format!("{days} working days (until the same time on the last)"),
            };
            words + &on(calendar)
        }
    }
}

/// The calendars in words: shown when any is defined or a deadline counts working time.
fn calendars_section(p: &Policy, lang: Lang) -> Option<Section> {
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let mut used = DeadlineKind::ALL
        .iter()
        .filter_map(|k| p.span(*k).calendar())
        .chain(p.pauses.iter().map(|x| x.calendar.as_str()));
    let default_used = used.any(|c| c == DEFAULT_CALENDAR);
    if p.calendars.is_empty() && !default_used {
        return None;
    }
    // The built-in default, when something counts on it without defining it.
    let builtin = (DEFAULT_CALENDAR.to_owned(), CalendarSpec::default());
    let mut specs: Vec<(&String, &CalendarSpec)> = p.calendars.iter().collect();
    if default_used && !p.calendars.contains_key(DEFAULT_CALENDAR) {
        specs.insert(0, (&builtin.0, &builtin.1));
    }
    let mut rows = Vec::new();
    for (name, c) in specs {
        let days: Vec<&str> = c.days.iter().map(|d| weekday(lang, d)).collect();
        let mut what = match lang {
            Lang::Zh => format!(
                "{}，{} {}（时区 {}）",
                days.join("、"),
                c.hours.join("、"),
                "工作",
                c.time_zone
            ),
            Lang::En => format!(
                "{}, {} (time zone {})",
                days.join(", "),
                c.hours.join(", "),
                c.time_zone
            ),
        };
        for (d, hours) in &c.week {
            what.push_str(&match lang {
                Lang::Zh => format!("；{} {}", weekday(lang, d), hours.join("、")),
                Lang::En => format!("; {} {}", weekday(lang, d), hours.join(", ")),
            });
        }
        match &c.holidays {
            Some(h) => {
                let years: std::collections::BTreeSet<i32> = h
                    .off
                    .keys()
                    .chain(h.on.keys())
                    .map(chrono::Datelike::year)
                    .collect();
                let years: Vec<String> = years.iter().map(i32::to_string).collect();
                what.push_str(&match lang {
                    Lang::Zh => format!(
                        "；{}年的法定假日{}天、调休上班{}天",
                        years.join("、"),
                        h.off.len(),
                        h.on.len()
                    ),
                    Lang::En => format!(
                        "; for {}: {} days off, {} make-up working days",
                        years.join(", "),
                        h.off.len(),
                        h.on.len()
                    ),
                });
            }
            None => what.push_str(t("；不含节假日", "; no holidays")),
        }
        let label = match lang {
            Lang::Zh => format!("日历 {name}"),
            Lang::En => format!("Calendar {name}"),
        };
        rows.push((label, what));
    }
    Some(Section {
        id: "calendars",
        title: t("工作日历", "Working calendars"),
        rows,
    })
}

fn weekday(lang: Lang, d: &str) -> &'static str {
    const NAMES: [(&str, &str, &str); 7] = [
        ("mon", "周一", "Monday"),
        ("tue", "周二", "Tuesday"),
        ("wed", "周三", "Wednesday"),
        ("thu", "周四", "Thursday"),
        ("fri", "周五", "Friday"),
        ("sat", "周六", "Saturday"),
        ("sun", "周日", "Sunday"),
    ];
    let d = d.trim().to_ascii_lowercase();
    NAMES
        .iter()
        .find(|(k, _, _)| *k == d)
        .map_or("", |(_, zh, en)| lang.pick(zh, en))
}

fn pauses_section(p: &Policy, lang: Lang) -> Section {
    let rows = p
        .pauses
        .iter()
        .map(|x| {
            let kinds: Vec<&str> = x
                .kinds
                .iter()
                .filter_map(|k| DeadlineKind::parse(k))
                .map(|k| kind_label(lang, k))
                .collect();
            let when = match lang {
                Lang::Zh => format!("{} 至 {}", x.from, x.to),
                Lang::En => format!("{} to {}", x.from, x.to),
            };
            let when = if x.name.is_empty() {
                when
            } else {
                format!("{} · {when}", x.name)
            };
            let what = match (lang, x.mode) {
                (Lang::Zh, PauseMode::Pause) => format!("暂停计时：{}", kinds.join("、")),
                (Lang::Zh, PauseMode::Extend) => {
                    format!("期间到期的顺延至结束：{}", kinds.join("、"))
                }
                (Lang::En, PauseMode::Pause) => format!("not counted: {}", kinds.join(", ")),
                (Lang::En, PauseMode::Extend) => {
                    format!("falling due within, moved to its end: {}", kinds.join(", "))
                }
            };
            (when, what)
        })
        .collect();
    Section {
        id: "pauses",
        title: lang.pick("期限暂停与顺延", "Deadline pauses and extensions"),
        rows,
    }
}

fn r(rows: Vec<(&'static str, String)>) -> Vec<(String, String)> {
    rows.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"
[deadlines]
evidence_turn = "16 business hours in cn"
execute_ruling = "2 business days"
[calendars.cn]
hours = ["09:00-12:00", "13:00-18:00"]
holidays_file = "cn.toml"
[[pauses]]
name = "春节"
from = "2027-02-05"
to = "2027-02-12"
kinds = ["merchant_reply"]
"#;
    const HOLIDAYS: &str = "[years.2026]\nholidays = [{ from = \"2026-10-01\", to = \"2026-10-03\" }]\nworkdays = [\"2026-10-10\"]\n";

    fn rows(lang: Lang) -> Vec<(String, String)> {
        let p = Policy::from_toml_with(POLICY, |_| Ok(HOLIDAYS.to_owned())).unwrap();
        sections(&p, lang)
            .into_iter()
            .flat_map(|s| s.rows)
            .collect()
    }

    fn row<'a>(rows: &'a [(String, String)], label: &str) -> &'a str {
        &rows
            .iter()
            .find(|(k, _)| k == label)
            .unwrap_or_else(|| panic!("{label}"))
            .1
    }

    #[test]
    fn calendars_and_pauses_are_shown_in_words_in_both_languages() {
        let zh = rows(Lang::Zh);
        assert_eq!(row(&zh, "每方举证"), "16个工作小时（按日历 cn）");
        assert!(row(&zh, "履行裁决").starts_with("2个工作日"));
        let cn = row(&zh, "日历 cn");
        assert!(cn.contains("周一") && cn.contains("09:00-12:00"), "{cn}");
        assert!(cn.contains("2026年的法定假日3天、调休上班1天"), "{cn}");
        assert!(row(&zh, "日历 default").contains("不含节假日"));
        assert!(row(&zh, "春节 · 2027-02-05 至 2027-02-12").contains("商家首次回复"));

        let en = rows(Lang::En);
        assert_eq!(
            row(&en, "Each side's turn to give evidence"),
            "16 working hours (calendar cn)"
        );
        let cn = row(&en, "Calendar cn");
        assert!(
            cn.contains("Monday") && cn.contains("Asia/Shanghai"),
            "{cn}"
        );
        assert!(cn.contains("3 days off, 1 make-up working days"), "{cn}");
        // No key or raw span reaches the page.
        for (k, v) in zh.iter().chain(&en) {
            for raw in [
                "business hours",
                "evidence_turn",
                "merchant_reply",
                "holidays_file",
            ] {
                assert!(!k.contains(raw) && !v.contains(raw), "{k}: {v}");
            }
        }
    }

    #[test]
    fn the_jury_is_shown_in_words() {
        let zh: Vec<(String, String)> = sections(&Policy::default(), Lang::Zh)
            .into_iter()
            .flat_map(|s| s.rows)
            .collect();
        assert_eq!(row(&zh, "评审团人数"), "5");
        assert_eq!(row(&zh, "且问题类型为"), "与描述不符、质量问题");
        assert_eq!(row(&zh, "大众评审投票"), row(&zh, "投票期限"));
        let en: Vec<(String, String)> = sections(&Policy::default(), Lang::En)
            .into_iter()
            .flat_map(|s| s.rows)
            .collect();
        assert_eq!(row(&en, "Both sides must agree"), "no");
        for (k, v) in zh.iter().chain(&en) {
            assert!(
                !v.contains("not_as_described") && !k.contains("jury_vote"),
                "{k}: {v}"
            );
        }
    }
}
