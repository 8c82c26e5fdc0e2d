//! Traditional ↔ simplified Chinese. Reading: 「確認」, 「保溫杯漏水」 read as 「确认」,
//! 「保温杯漏水」 (`fast2s` maps character by character, with a few context rules for
//! one-to-many characters, so the result has exactly the characters of the input, one for one: a
//! clause found in the folded text is at the same character positions in the consumer's own
//! words). Answering: 小蜜's Chinese is written once, in simplified characters, and given to a
//! consumer who writes traditional in their own script and wording (OpenCC's Taiwan phrases, or
//! Hong Kong's when they write Cantonese).

use std::sync::LazyLock;

use ferrous_opencc::{OpenCC, config::BuiltinConfig};
use serde::{Deserialize, Serialize};

/// `text` with traditional characters folded to simplified ones, and written Cantonese's own
/// words to the Mandarin ones every reader knows (「佢唔肯退錢」 → 「他不肯退钱」, 「仲未寄」 →
/// 「还没寄」), character for character (everything else unchanged).
pub fn simplify(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let mut out = fast2s::convert(text);
    if out
        .chars()
        .any(|c| CANTONESE.contains(&c) || c == '仲' || c == '系')
    {
        for (yue, zh) in CANTONESE_PAIRS {
            out = out.replace(yue, zh);
        }
        out = out
            .chars()
            .map(|c| {
                CANTONESE_CHARS
                    .iter()
                    .find(|(y, _)| *y == c)
                    .map_or(c, |&(_, z)| z)
            })
            .collect();
    }
    debug_assert_eq!(out.chars().count(), text.chars().count());
    out
}

/// Written Cantonese's two-character words and their Mandarin, as folded (係 is 系 by then).
const CANTONESE_PAIRS: &[(&str, &str)] = &[
    ("唔系", "不是"),
    ("系咪", "是不"),
    ("仲未", "还没"),
    ("仲有", "还有"),
    ("仲要", "还要"),
    ("仲系", "还是"),
    ("未有", "没有"),
];

/// Written Cantonese's own characters and the Mandarin one each stands for. Only characters
/// Mandarin does not use (so no 係/系, 仲 or 返, which it does).
const CANTONESE_CHARS: &[(char, char)] = &[
    ('咗', '了'),
    ('冇', '没'),
    ('嘅', '的'),
    ('佢', '他'),
    ('啲', '些'),
    ('喺', '在'),
    ('哋', '们'),
    ('嚟', '来'),
    ('唔', '不'),
    ('嗰', '那'),
    ('睇', '看'),
    ('畀', '给'),
    ('俾', '给'),
    ('攞', '拿'),
    ('搵', '找'),
    ('揾', '找'),
    ('嘞', '了'),
];

/// The Chinese script a consumer writes in, which 小蜜 answers in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Script {
    #[default]
    Simplified,
    /// Traditional, Taiwan's characters and phrases.
    Taiwan,
    /// Traditional, Hong Kong's (a message in written Cantonese).
    HongKong,
}

/// Words only written Cantonese uses (咗 "done", 冇 "not have", 嘅 "'s", 佢 "he/she"…).
const CANTONESE: &[char] = &[
    '咗', '冇', '嘅', '佢', '啲', '喺', '嘢', '哋', '嚟', '唔', '乜', '嗰', '噉', '嘞', '咁',
];

static TAIWAN: LazyLock<OpenCC> =
    LazyLock::new(|| OpenCC::from_config(BuiltinConfig::S2twp).expect("OpenCC's embedded s2twp"));
static HONG_KONG: LazyLock<OpenCC> =
    LazyLock::new(|| OpenCC::from_config(BuiltinConfig::S2hk).expect("OpenCC's embedded s2hk"));

/// The script `text` is written in, when it says: traditional when it has characters only
/// traditional writing uses, simplified when it has characters only simplified writing uses;
/// `None` when every Han character it has is written alike in both (「好的」, 「是」), or it has
/// none.
pub fn script_of(text: &str) -> Option<Script> {
    if text.is_ascii() {
        return None;
    }
    // The characters decide, not `simplify`'s Cantonese words: it also rewrites Mandarin's
    // 「未有」 beside a 系, which says nothing of the script.
    let cantonese = text.chars().any(|c| CANTONESE.contains(&c));
    if cantonese || fast2s::convert(text) != text {
        return Some(if cantonese {
            Script::HongKong
        } else {
            Script::Taiwan
        });
    }
    (TAIWAN.convert(text) != text).then_some(Script::Simplified)
}

/// `text` (simplified Chinese) written in `script`.
pub fn in_script(text: &str, script: Script) -> String {
    match script {
        Script::Simplified => text.to_string(),
        Script::Taiwan => TAIWAN.convert(text),
        Script::HongKong => HONG_KONG.convert(text),
    }
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

    #[test]
    fn written_cantonese_reads_as_mandarin_character_for_character() {
        assert_eq!(simplify("佢唔肯退錢畀我"), "他不肯退钱给我");
        assert_eq!(simplify("件衫仲未寄嚟"), "件衫还没寄来");
        assert_eq!(simplify("唔係嗰部，個殼冇事"), "不是那部，个壳没事");
        assert_eq!(simplify("琴日收到嘅耳機壞咗"), "琴日收到的耳机坏了");
        // Mandarin and Taiwan writing keep their 系, 仲 and 返.
        assert_eq!(simplify("我們的關係很好"), "我们的关系很好");
        assert_eq!(simplify("申請仲裁"), "申请仲裁");
        assert_eq!(script_of("佢冇寄"), Some(Script::HongKong));
        // Mandarin folded for reading is still simplified writing.
        assert_eq!(
            script_of("系统里从未有过这个订单"),
            Some(Script::Simplified)
        );
    }

    #[test]
    fn a_message_says_its_script_only_when_its_characters_do() {
        assert_eq!(script_of("我買的杯子漏水"), Some(Script::Taiwan));
        assert_eq!(script_of("個杯漏咗水，我想退錢"), Some(Script::HongKong));
        assert_eq!(script_of("我买的杯子漏水"), Some(Script::Simplified));
        assert_eq!(script_of("好的"), None);
        assert_eq!(script_of("yes"), None);
    }

    #[test]
    fn answers_are_written_in_the_consumers_script() {
        let zh = "已为您匹配订单，请问您希望怎么解决？退款、退货退款、换货，还是赔偿？";
        let tw = in_script(zh, Script::Taiwan);
        assert_eq!(script_of(&tw), Some(Script::Taiwan), "{tw}");
        assert!(
            tw.contains("訂單") && tw.contains("換貨") && tw.contains("賠償"),
            "{tw}"
        );
        let hk = in_script(zh, Script::HongKong);
        assert!(hk.contains("訂單") && hk.contains("換貨"), "{hk}");
        assert_eq!(in_script(zh, Script::Simplified), zh);
        // Digits, order numbers and Latin letters pass through.
        assert_eq!(
            in_script("订单 123456789012345678（iPhone 15）", Script::Taiwan),
            "訂單 123456789012345678（iPhone 15）"
        );
    }
}
