//! Chinese numerals (`五十九`, `两百五`, `一万二`, `三`) as integers.

fn digit(c: char) -> Option<i64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '贰' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

fn unit(c: char) -> Option<i64> {
    Some(match c {
        '十' | '拾' => 10,
        '百' | '佰' => 100,
        '千' | '仟' => 1000,
        _ => return None,
    })
}

/// Characters that may appear in a Chinese numeral.
pub fn is_numeral_char(c: char) -> bool {
    digit(c).is_some() || unit(c).is_some() || c == '万'
}

/// Parses a Chinese numeral, or ASCII digits; `None` for anything else. A trailing digit after a
/// unit is read the colloquial way: `两百五` = 250, `一千二` = 1200, `一万五` = 15000.
pub fn parse_int(s: &str) -> Option<i64> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let mut total = 0i64;
    let mut section = 0i64;
    let mut pending: Option<i64> = None;
    let mut last_unit = 0i64;
    let mut any = false;
    for c in s.chars() {
        any = true;
        if let Some(d) = digit(c) {
            pending = Some(d);
        } else if let Some(u) = unit(c) {
            section += pending.unwrap_or(1) * u;
            pending = None;
            last_unit = u;
        } else if c == '万' {
            total += (section + pending.unwrap_or(0)) * 10_000;
            section = 0;
            pending = None;
            last_unit = 10_000;
        } else {
            return None;
        }
    }
    if !any {
        return None;
    }
    if let Some(d) = pending {
        // `两百五`: a bare digit after a unit counts in the next unit down.
        let place = if last_unit >= 10 && d != 0 {
            last_unit / 10
        } else {
            1
        };
        let place = if s.contains('零') { 1 } else { place };
        section += d * place;
    }
    Some(total + section)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_numerals() {
        for (s, n) in [
            ("三", 3),
            ("十", 10),
            ("十二", 12),
            ("二十", 20),
            ("五十九", 59),
            ("一百", 100),
            ("两百五", 250),
            ("一百零五", 105),
            ("一千二", 1200),
            ("三千五百", 3500),
            ("一万五", 15000),
            ("两万三千", 23000),
            ("59", 59),
        ] {
            assert_eq!(parse_int(s), Some(n), "{s}");
        }
        assert_eq!(parse_int(""), None);
        assert_eq!(parse_int("几"), None);
    }
}
