use std::sync::LazyLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use proptest::prelude::*;

use super::*;

const CN_FILE: &str = include_str!("../../../../data/calendars/cn.toml");

fn tz(name: &str) -> Tz {
    name.parse().unwrap()
}

/// Local wall time in a zone, as an instant.
fn at(zone: Tz, s: &str) -> Timestamp {
    let t = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    zone.from_local_datetime(&t)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn hours(n: u64) -> Duration {
    Duration::from_secs(n * 3600)
}

fn china() -> Calendar {
    let h = Holidays::parse("cn.toml", CN_FILE).unwrap();
    let day = vec![(9 * 60, 18 * 60)];
    let week = std::array::from_fn(|i| if i < 5 { day.clone() } else { vec![] });
    Calendar::new(
        tz("Asia/Shanghai"),
        week,
        day,
        h.off.keys().copied().collect(),
        h.on.keys().copied().collect(),
    )
}

static CHINA: LazyLock<Calendar> = LazyLock::new(china);
static BERLIN: LazyLock<Calendar> = LazyLock::new(|| Calendar::office(tz("Europe/Berlin")));
/// Worked around the clock every day: business time must equal elapsed time, DST or not.
static NY_ALWAYS: LazyLock<Calendar> = LazyLock::new(|| {
    let day = vec![(0, 24 * 60)];
    Calendar::new(
        tz("America/New_York"),
        std::array::from_fn(|_| day.clone()),
        day,
        BTreeSet::new(),
        BTreeSet::new(),
    )
});
/// Worked 01:00–04:00 every day, across the hour New York skips and repeats.
static NY_NIGHT: LazyLock<Calendar> = LazyLock::new(|| {
    let day = vec![(60, 4 * 60)];
    Calendar::new(
        tz("America/New_York"),
        std::array::from_fn(|_| day.clone()),
        day,
        BTreeSet::new(),
        BTreeSet::new(),
    )
});

#[test]
fn office_hours_carry_over_nights_and_weekends() {
    let sh = tz("Asia/Shanghai");
    let c = Calendar::office(sh);
    // Monday 2025-03-03 10:00 + 16 business hours: 8 on Monday, 8 on Tuesday.
    assert_eq!(
        c.add(at(sh, "2025-03-03 10:00"), hours(16)),
        at(sh, "2025-03-04 17:00")
    );
    // Friday 17:00 + 2h: one hour on Friday, one on Monday.
    assert_eq!(
        c.add(at(sh, "2025-03-07 17:00"), hours(2)),
        at(sh, "2025-03-10 10:00")
    );
    // A deadline that uses up the day falls at its end, not at the next morning.
    assert_eq!(
        c.add(at(sh, "2025-03-07 09:00"), hours(9)),
        at(sh, "2025-03-07 18:00")
    );
    // Filed on Saturday: counting starts on Monday morning.
    assert_eq!(
        c.add(at(sh, "2025-03-08 11:00"), hours(1)),
        at(sh, "2025-03-10 10:00")
    );
    assert_eq!(
        c.between(at(sh, "2025-03-07 17:00"), at(sh, "2025-03-10 10:00")),
        chrono::Duration::hours(2)
    );
    assert_eq!(
        c.next_working(at(sh, "2025-03-08 11:00")),
        at(sh, "2025-03-10 09:00")
    );
}

#[test]
fn china_2026_holidays_and_make_up_days_count() {
    let sh = tz("Asia/Shanghai");
    let c = &*CHINA;
    // Friday 2026-02-13 17:00 + 2h: Saturday the 14th is a make-up working day.
    assert_eq!(
        c.add(at(sh, "2026-02-13 17:00"), hours(2)),
        at(sh, "2026-02-14 10:00")
    );
    // From the make-up Saturday, the Spring Festival (15th–23rd) is skipped whole.
    assert_eq!(
        c.add(at(sh, "2026-02-14 17:00"), hours(2)),
        at(sh, "2026-02-24 10:00")
    );
    // 元旦: Wednesday 2025-12-31 17:00 + 2h → Sunday 2026-01-04, worked.
    assert_eq!(
        c.add(at(sh, "2025-12-31 17:00"), hours(2)),
        at(sh, "2026-01-04 10:00")
    );
    assert!(!c.is_working_day(NaiveDate::from_ymd_opt(2026, 10, 5).unwrap()));
    assert!(c.is_working_day(NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()));
}

#[test]
fn business_days_fall_at_the_same_clock_time_or_the_days_end() {
    let sh = tz("Asia/Shanghai");
    let split = vec![(9 * 60, 12 * 60), (13 * 60, 18 * 60)];
    let c = Calendar::new(
        sh,
        std::array::from_fn(|i| if i < 5 { split.clone() } else { vec![] }),
        split.clone(),
        BTreeSet::new(),
        BTreeSet::new(),
    );
    let cases = [
        ("2025-03-03 11:00", 1, "2025-03-04 11:00"), // Monday mid-morning → Tuesday same time
        ("2025-03-07 17:00", 2, "2025-03-11 17:00"), // Friday → Tuesday, over the weekend
        ("2025-03-08 11:00", 1, "2025-03-10 18:00"), // Saturday → the end of Monday
        ("2025-03-03 07:00", 1, "2025-03-03 18:00"), // before hours → that day's end
        ("2025-03-03 20:00", 1, "2025-03-04 18:00"), // after hours → the next day's end
        ("2025-03-03 12:30", 1, "2025-03-04 13:00"), // lunch → the afternoon's start
    ];
    for (from, n, want) in cases {
        assert_eq!(c.add_days(at(sh, from), n), at(sh, want), "{from} + {n}");
    }
}

#[test]
fn berlin_office_hours_follow_summer_time() {
    let be = tz("Europe/Berlin");
    let c = &*BERLIN;
    // Summer time starts on Sunday 2026-03-29: Friday 17:00 CET + 2h is Monday 10:00 CEST.
    let due = c.add(at(be, "2026-03-27 17:00"), hours(2));
    assert_eq!(due, at(be, "2026-03-30 10:00"));
    assert_eq!(due.to_rfc3339(), "2026-03-30T08:00:00+00:00");
    // And back on Sunday 2026-10-25.
    let due = c.add(at(be, "2026-10-23 17:00"), hours(2));
    assert_eq!(due.to_rfc3339(), "2026-10-26T09:00:00+00:00");
}

#[test]
fn new_york_skipped_and_repeated_hours() {
    let ny = tz("America/New_York");
    let c = &*NY_NIGHT;
    let day = |d: u32, m: u32| {
        let d = NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let a = from_ms(c.start_of(d));
        let b = from_ms(c.start_of(d.succ_opt().unwrap()));
        c.between(a, b)
    };
    // 01:00–04:00 is three hours on an ordinary day, two on 2026-03-08 (02:00 is skipped) and
    // four on 2026-11-01 (01:00–02:00 happens twice).
    assert_eq!(day(7, 3), chrono::Duration::hours(3));
    assert_eq!(day(8, 3), chrono::Duration::hours(2));
    assert_eq!(day(1, 11), chrono::Duration::hours(4));
    let _ = ny;
}

#[test]
fn holiday_files_are_refused_with_the_line() {
    let bad = [
        (
            "[years.2026]\nholidays = [\n  { from = \"2026-02-30\", to = \"2026-03-01\" },\n]\n",
            3,
        ),
        (
            "[years.2026]\nholidays = [\n  { from = \"2026-05-05\", to = \"2026-05-01\" },\n]\n",
            3,
        ),
        (
            "[years.2026]\nholidays = [\n  { from = \"2026-05-01\", to = \"2026-05-05\" },\n  { from = \"2026-05-04\", to = \"2026-05-06\" },\n]\n",
            4,
        ),
        (
            "[years.2026]\nholidays = [{ from = \"2026-05-01\", to = \"2026-05-05\" }]\nworkdays = [\"2026-05-03\"]\n",
            3,
        ),
        ("[years.2026]\nworkdays = [\"2027-01-02\"]\n", 2),
    ];
    for (text, line) in bad {
        let e = Holidays::parse("x.toml", text).unwrap_err();
        assert!(e.en.contains(&format!("x.toml, line {line}:")), "{}", e.en);
        assert!(e.zh.contains(&format!("第{line}行")), "{}", e.zh);
    }
    let h = Holidays::parse("cn.toml", CN_FILE).unwrap();
    assert_eq!(h.off.len(), 3 + 9 + 3 + 5 + 3 + 3 + 7);
    assert_eq!(h.on.len(), 6);
}

#[test]
fn paused_time_does_not_count() {
    let p = Paused::new(vec![(100, 200), (150, 250), (400, 500)]);
    assert_eq!(p.add_ms(0, 50), 50);
    assert_eq!(p.add_ms(0, 100), 100);
    assert_eq!(p.add_ms(0, 101), 251);
    assert_eq!(p.add_ms(120, 10), 260);
    assert_eq!(p.add_ms(0, 300), 550);
    assert_eq!(p.between_ms(0, 550), 300);
    assert_eq!(p.sub_ms(550, 300), 0);
    assert_eq!(p.sub_ms(260, 10), 250);
}

fn instant(lo: i64, hi: i64) -> impl Strategy<Value = i64> {
    (lo..hi).prop_map(|m| m * 60_000)
}

/// Minutes from 2019 to 2030, and from 1995 to 2075 (outside the precomputed table too).
fn recent() -> impl Strategy<Value = i64> {
    instant(25_771_680, 31_556_000)
}
fn wide() -> impl Strategy<Value = i64> {
    instant(13_148_640, 55_225_000)
}

fn business() -> impl Strategy<Value = i64> {
    (1i64..=400 * 60).prop_map(|m| m * 60_000)
}

fn calendars() -> impl Strategy<Value = &'static Calendar> {
    prop_oneof![Just(&*CHINA), Just(&*BERLIN), Just(&*NY_NIGHT)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_business_deadline_never_falls_outside_working_time(
        c in calendars(), t in wide(), d in business(),
    ) {
        prop_assert!(c.is_working_ms(c.add_ms(t, d)));
        prop_assert!(c.is_working_ms(c.sub_ms(t, d)));
    }

    #[test]
    fn adding_then_counting_back_is_identity(c in calendars(), t in wide(), d in business()) {
        let due = c.add_ms(t, d);
        prop_assert_eq!(c.between_ms(t, due), d);
        prop_assert_eq!(c.sub_ms(due, d), c.next_working_ms(t));
    }

    #[test]
    fn adding_in_two_steps_is_adding_once(
        c in calendars(), t in recent(), a in business(), b in business(),
    ) {
        prop_assert_eq!(c.add_ms(c.add_ms(t, a), b), c.add_ms(t, a + b));
    }

    #[test]
    fn the_table_agrees_with_walking_day_by_day(
        c in calendars(), t in wide(), d in business(), e in business(),
    ) {
        prop_assert_eq!(c.add_ms(t, d), c.walk_add(t, d, None).unwrap());
        prop_assert_eq!(c.sub_ms(t, d), c.walk_sub(t, d, None).unwrap());
        prop_assert_eq!(c.between_ms(t, t + e * 3), c.walk_between(t, t + e * 3));
    }

    #[test]
    fn working_all_day_is_elapsed_time_across_dst(t in recent(), d in business()) {
        let c = &*NY_ALWAYS;
        prop_assert_eq!(c.add_ms(t, d), t + d);
        prop_assert_eq!(c.between_ms(t, t + d), d);
    }

    #[test]
    fn dst_switch_days_keep_the_laws(day in 0usize..4, minute in 0i64..(3 * 1440), d in business()) {
        // Around the 2026 switches in Berlin (03-29, 10-25) and New York (03-08, 11-01).
        let starts = ["2026-03-28 00:00", "2026-10-24 00:00", "2026-03-07 00:00", "2026-10-31 00:00"];
        let (c, zone) = if day < 2 { (&*BERLIN, "Europe/Berlin") } else { (&*NY_NIGHT, "America/New_York") };
        let t = at(tz(zone), starts[day]).timestamp_millis() + minute * 60_000;
        let due = c.add_ms(t, d);
        prop_assert!(c.is_working_ms(due));
        prop_assert_eq!(c.between_ms(t, due), d);
        prop_assert_eq!(c.add_ms(due, 0), due);
    }

    #[test]
    fn whole_days_by_the_table_agree_with_walking(c in calendars(), t in wide(), n in 1u32..30) {
        let s = c.next_working_ms(t);
        prop_assert_eq!(c.add_days_ms(t, n), c.walk_add_days(s, n));
    }

    #[test]
    fn business_days_land_in_working_time(c in calendars(), t in wide(), n in 1u32..30) {
        let due = c.add_days_ms(t, n);
        prop_assert!(c.is_working_ms(due));
        prop_assert!(due > t);
    }
}

#[test]
fn timestamps_keep_milliseconds() {
    let t: DateTime<Utc> = "2026-03-02T01:02:03.456Z".parse().unwrap();
    assert_eq!(
        CHINA.add(t, Duration::from_millis(1)),
        t + chrono::Duration::milliseconds(1)
    );
}
