//! Timestamps and days.

/// A line without a timestamp.
pub const NO_DAY: i32 = i32::MIN;
/// Days are calendar days in China Standard Time (UTC+8): a brushing burst follows the shops'
/// and buyers' clock, not Greenwich's.
const DAY_OFFSET_SECS: i64 = 8 * 3600;
pub(crate) const SECS_PER_DAY: i64 = 86_400;

/// Unix seconds (an integer) or RFC 3339.
pub fn parse_timestamp(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, b),
    };
    let mut v: i64 = 0;
    let mut plain = !digits.is_empty() && digits.len() <= 18;
    for &d in digits {
        if !d.is_ascii_digit() {
            plain = false;
            break;
        }
        v = v * 10 + i64::from(d - b'0');
    }
    if plain {
        return Some(if neg { -v } else { v });
    }
    let s = std::str::from_utf8(b).ok()?;
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp())
}

/// The CST calendar day of a unix timestamp, as days since 1970-01-01.
pub fn day_of(ts: i64) -> i32 {
    (ts + DAY_OFFSET_SECS)
        .div_euclid(SECS_PER_DAY)
        .clamp(i64::from(i32::MIN) + 1, i64::from(i32::MAX)) as i32
}

/// A day number as `YYYY-MM-DD`.
pub fn day_name(day: i32) -> String {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.checked_add_signed(chrono::TimeDelta::days(i64::from(day))))
        .map_or_else(|| format!("day{day}"), |d| d.to_string())
}
