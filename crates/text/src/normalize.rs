//! Text normalisation shared by every stage: width folding, case, digit placeholders.

/// Folds full-width ASCII (`ＡＢＣ１２３！`) to half-width and the ideographic space to a space.
/// Everything else (Chinese characters, `。`, `、`, `…`) is kept.
pub fn fold_width(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

/// One character of [`fold_width`].
pub fn fold_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '“' | '”' => '"',
        '‘' | '’' => '\'',
        _ => c,
    }
}

/// The text the models see: width folded, ASCII lower-cased, and each run of digits replaced by
/// one placeholder (`0` for up to four digits — counts, days, prices —, `#` for longer runs —
/// order and tracking numbers), so that no particular number becomes a feature.
pub fn for_model(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = 0usize;
    let flush = |out: &mut String, digits: &mut usize| {
        if *digits > 0 {
            out.push(if *digits <= 4 { '0' } else { '#' });
            *digits = 0;
        }
    };
    for c in text.chars().map(fold_char) {
        if c.is_ascii_digit() {
            digits += 1;
            continue;
        }
        flush(&mut out, &mut digits);
        out.push(c.to_ascii_lowercase());
    }
    flush(&mut out, &mut digits);
    out
}

/// CJK unified ideographs (the common block and extension A).
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Punctuation and symbols, ASCII or Chinese.
pub fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '。' | '、'
                | '…'
                | '—'
                | '《'
                | '》'
                | '「'
                | '」'
                | '【'
                | '】'
                | '～'
                | '·'
                | '￥'
                | '¥'
        )
        || (!c.is_alphanumeric() && !c.is_whitespace() && !is_cjk(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_and_hides_numbers() {
        assert_eq!(fold_width("ＡＢＣ　１２３！？"), "ABC 123!?");
        assert_eq!(
            for_model("订单２０２５０５０４１２３４５６７８９０ 3天了 Refund!"),
            "订单# 0天了 refund!"
        );
        assert!(is_cjk('退') && !is_cjk('a'));
        assert!(is_punct('。') && is_punct('!') && is_punct('😡') && !is_punct('退'));
    }
}
