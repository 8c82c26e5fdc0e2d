//! Traditional → simplified Chinese, so that 「確認」, 「保溫杯漏水」 read as 「确认」, 「保温杯漏水」.
//!
//! `fast2s` maps character by character (with a few context rules for one-to-many characters),
//! so the result has exactly the characters of the input, one for one: a clause found in the
//! folded text is at the same character positions in the consumer's own words.

/// `text` with traditional characters folded to simplified ones (everything else unchanged).
pub fn simplify(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let out = fast2s::convert(text);
    debug_assert_eq!(out.chars().count(), text.chars().count());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_traditional_and_keeps_the_rest() {
        assert_eq!(simplify("保溫杯漏水，確認"), "保温杯漏水，确认");
        assert_eq!(simplify("我買的杯子"), "我买的杯子");
        assert_eq!(simplify("保温杯漏水"), "保温杯漏水");
        assert_eq!(simplify("yes 59元"), "yes 59元");
    }
}
