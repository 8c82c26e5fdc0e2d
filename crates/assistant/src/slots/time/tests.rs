use chrono::{DateTime, TimeZone, Utc};

use super::{deadline_at, incident_at};

/// Wednesday 2026-05-13, 12:00 in Shanghai.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 13, 4, 0, 0).unwrap()
}

/// 00:00 in Shanghai on the given day, as UTC.
fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    super::shanghai()
        .with_ymd_and_hms(y, m, d, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn chinese_relative_days() {
    for (text, want) in [
        ("今天收到的保温杯漏水", day(2026, 5, 13)),
        ("昨天到的货", day(2026, 5, 12)),
        ("前天就申请退款了", day(2026, 5, 11)),
        ("大前天下的单", day(2026, 5, 10)),
        // Cantonese.
        ("琴日一日打咗十幾次", day(2026, 5, 12)),
        ("前日收到嘅", day(2026, 5, 11)),
        // The nights: last night, the night before.
        ("琴晚佢又打嚟", day(2026, 5, 12)),
        ("尋晚十點幾先覆我", day(2026, 5, 12)),
        ("前晚半夜收到短信", day(2026, 5, 11)),
        ("前夜就開始漏", day(2026, 5, 11)),
        ("大前晚打咗三次", day(2026, 5, 10)),
        ("昨夜到的货", day(2026, 5, 12)),
        ("三天前买的耳机坏了", day(2026, 5, 10)),
        ("3天前买的", day(2026, 5, 10)),
        ("两周前下单到现在", day(2026, 4, 29)),
        ("上周五签收的", day(2026, 5, 8)),
        ("上个星期天收到", day(2026, 5, 10)),
        ("这周一打的电话", day(2026, 5, 11)),
        ("周五买的", day(2026, 5, 8)),
        ("上个月买的口红", day(2026, 4, 1)),
        ("上周买的", day(2026, 5, 4)),
        ("上个月15号下单", day(2026, 4, 15)),
        ("一个月前", day(2026, 4, 13)),
    ] {
        assert_eq!(incident_at(text, now()), Some(want), "{text}");
    }
}

#[test]
fn absolute_dates() {
    for (text, want) in [
        ("5月4日收到货", day(2026, 5, 4)),
        ("五月四号收到货", day(2026, 5, 4)),
        ("2026-05-04 签收", day(2026, 5, 4)),
        ("2026年5月4日", day(2026, 5, 4)),
        ("2026/5/4", day(2026, 5, 4)),
        ("5/4 到的", day(2026, 5, 4)),
        ("12月30日买的", day(2025, 12, 30)),
        ("10号下的单", day(2026, 5, 10)),
        ("20号下的单", day(2026, 4, 20)),
        ("双十一买的羽绒服", day(2025, 11, 11)),
    ] {
        assert_eq!(incident_at(text, now()), Some(want), "{text}");
    }
}

#[test]
fn english_expressions() {
    for (text, want) in [
        ("it arrived yesterday", day(2026, 5, 12)),
        ("ordered 3 days ago", day(2026, 5, 10)),
        ("ordered three days ago", day(2026, 5, 10)),
        ("broke last Friday", day(2026, 5, 8)),
        ("bought on May 4", day(2026, 5, 4)),
        ("bought on May 4th, 2026", day(2026, 5, 4)),
        ("delivered 4 May", day(2026, 5, 4)),
        ("a week ago", day(2026, 5, 6)),
        ("last month", day(2026, 4, 1)),
        ("paid on the 25th of last month", day(2026, 4, 25)),
        ("charged the 3rd last month", day(2026, 4, 3)),
        ("last month on the 20th", day(2026, 4, 20)),
    ] {
        assert_eq!(incident_at(text, now()), Some(want), "{text}");
    }
}

#[test]
fn hours_ago_is_an_instant() {
    let want = now() - chrono::Duration::hours(3);
    assert_eq!(incident_at("3小时前下单", now()), Some(want));
    assert_eq!(
        incident_at("2 hours ago", now()),
        Some(now() - chrono::Duration::hours(2))
    );
    assert_eq!(incident_at("刚才客服挂了我电话", now()), Some(now()));
}

#[test]
fn the_day_is_shanghais_not_utcs() {
    // 2026-05-12 17:00 UTC is already 01:00 on the 13th in Shanghai.
    let late = Utc.with_ymd_and_hms(2026, 5, 12, 17, 0, 0).unwrap();
    assert_eq!(incident_at("今天", late), Some(day(2026, 5, 13)));
    assert_eq!(incident_at("yesterday", late), Some(day(2026, 5, 12)));
}

#[test]
fn the_last_mention_wins_and_numbers_are_not_dates() {
    assert_eq!(
        incident_at("5月1日买的，昨天坏了", now()),
        Some(day(2026, 5, 12))
    );
    assert_eq!(incident_at("订单号202505041234567890", now()), None);
    assert_eq!(incident_at("花了59.9元，42号的鞋，口红3号色", now()), None);
    assert_eq!(incident_at("上周一直没发货", now()), Some(day(2026, 5, 4)));
    assert_eq!(incident_at("东西坏了", now()), None);
    assert_eq!(incident_at("7天无理由退货", now()), None);
}

#[test]
fn weekdays_weekends_and_days_of_the_month_said_alone() {
    // now is Wednesday 2026-05-13
    for (text, want) in [
        ("it broke on Saturday morning", day(2026, 5, 9)),
        ("since Monday", day(2026, 5, 11)),
        ("it came on the 5th", day(2026, 5, 5)),
        ("on the 20th", day(2026, 4, 20)),
        ("上周末收到的", day(2026, 5, 9)),
        ("last weekend", day(2026, 5, 9)),
        ("上周六晚上", day(2026, 5, 9)),
        ("two days ago", day(2026, 5, 11)),
        ("3号", day(2026, 5, 3)),
    ] {
        assert_eq!(incident_at(text, now()), Some(want), "{text}");
    }
    assert_eq!(incident_at("the 5 pack", now()), None);
}

#[test]
fn today_said_again_does_not_override_a_deadline() {
    let at = |t: &str| incident_at(t, now());
    // Nor does any other day told after it: a passed deadline is what went wrong.
    assert_eq!(
        at("promised it would ship by Monday at the latest, the wedding is on Saturday"),
        Some(day(2026, 5, 11))
    );
    assert_eq!(
        at("说好10号之前发货，结果拖到12号才发"),
        Some(day(2026, 5, 10))
    );
    assert_eq!(at("讲好9号前寄出，寻日先寄"), Some(day(2026, 5, 9)));
    assert_eq!(at("说好的3号之前发货 今天都13号了"), Some(day(2026, 5, 3)));
    assert_eq!(at("3号前一定发 到今天都还没寄"), Some(day(2026, 5, 3)));
    assert_eq!(
        at("it was supposed to ship by May 3, today still nothing"),
        Some(day(2026, 5, 3))
    );
    // 最晚 / "at the latest" name a deadline too.
    assert_eq!(
        at("8号付的钱 最晚11号就该发了 今天都13号了"),
        Some(day(2026, 5, 11))
    );
    assert_eq!(
        at("they said this friday at the latest, today still nothing"),
        Some(day(2026, 5, 8))
    );
    // Without a deadline the last time said wins, today too.
    assert_eq!(at("3号收到的，今天发现坏了"), Some(day(2026, 5, 13)));
}

#[test]
fn a_day_a_run_of_days_ends_on_or_a_repeat_falls_on_is_not_when_it_began() {
    for (text, want) in [
        ("5月8号开始天天打电话，到今天还在打", day(2026, 5, 8)),
        ("5月8號開始的，到今天都還在傳訊息", day(2026, 5, 8)),
        (
            "上週五開始佢日日send訊息嚟，直到今日都仲有",
            day(2026, 5, 8),
        ),
        (
            "they started texting me on May 8 and kept going until today",
            day(2026, 5, 8),
        ),
        ("前天晚上打我电话骂人，今天早上又打", day(2026, 5, 11)),
        ("琴晚打嚟鬧我，今朝又打", day(2026, 5, 12)),
        (
            "he called me on Monday night and again this morning",
            day(2026, 5, 11),
        ),
        // Today alone, or a day told after another, is still the day.
        ("昨天下的单，今天就说不发了", day(2026, 5, 13)),
        ("到今天还没发货", day(2026, 5, 13)),
    ] {
        // Traditional characters folded first, as the dialogue does.
        let text = crate::fold::simplify(text);
        assert_eq!(incident_at(&text, now()), Some(want), "{text}");
    }
}

#[test]
fn a_day_still_ahead_is_no_day_of_what_happened() {
    // A plan, a trip or a party told beside the problem (now: Wednesday 13 May): 「周六」 inside
    // 「下周六」 is next Saturday, not the last one; the problem's own day stands.
    for (text, want) in [
        (
            "前天轮子裂了，下周六本来要带他去公园",
            Some(day(2026, 5, 11)),
        ),
        ("下礼拜三就要出国了，上礼拜五收到的", Some(day(2026, 5, 8))),
        ("下个礼拜六要用，前日坏咗", Some(day(2026, 5, 11))),
        (
            "it broke on Monday and my trip is next Saturday",
            Some(day(2026, 5, 11)),
        ),
        (
            "we leave tomorrow and it died yesterday",
            Some(day(2026, 5, 12)),
        ),
        ("下周六要用", None),
        ("next Friday is the party", None),
    ] {
        assert_eq!(incident_at(text, now()), want, "{text}");
    }
}

#[test]
fn a_weekday_told_with_its_date_is_that_date() {
    // The date says which week the weekday is in (now: Wednesday 13 May 2026).
    for (text, want) in [
        ("答应周二（5号）发货，到现在没发", day(2026, 5, 5)),
        ("说好5号周二之前发", day(2026, 5, 5)),
        ("承诺礼拜二5号前出货", day(2026, 5, 5)),
        (
            "they promised it would go out by Tuesday the 5th",
            day(2026, 5, 5),
        ),
        ("it was due Tuesday, May 5 and never came", day(2026, 5, 5)),
        ("promised by Fri 1st", day(2026, 5, 1)),
    ] {
        assert_eq!(incident_at(text, now()), Some(want), "{text}");
    }
}

#[test]
fn a_deadline_told_as_such_and_today_told_as_when_they_write() {
    assert_eq!(
        deadline_at("说好的3号之前发货 今天都13号了还没动静", now()),
        Some(day(2026, 5, 3))
    );
    assert_eq!(
        deadline_at("承諾5月2日前出貨", now()),
        Some(day(2026, 5, 2))
    );
    assert_eq!(
        deadline_at(
            "They promised me it would go out by Tuesday the 12th and it sat there",
            now()
        ),
        Some(day(2026, 5, 12))
    );
    assert_eq!(deadline_at("说好48小时发货，拖了快一个月", now()), None);
    // Today's date told as the day they write gives way to the day before it.
    assert_eq!(
        incident_at(
            "项链8号就寄回去了,6号商家点了同意退款,今天都13号了,一分没见着",
            now()
        ),
        Some(day(2026, 5, 6))
    );
    assert_eq!(
        incident_at(
            "refund was approved on the 1st. It's the 13th. Still nothing.",
            now()
        ),
        Some(day(2026, 5, 1))
    );
    // Today as the day it happened stands.
    assert_eq!(
        incident_at("5月1日买的，今天坏了", now()),
        Some(day(2026, 5, 13))
    );
}
