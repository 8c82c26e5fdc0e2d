//! Words that carry heat: insults, threats, exasperation, swearing. Shared by the tone model
//! (as features) and the calm rewrite (as what to drop).
//!
//! Entries of one character (`滚`, `傻`, `坑`) match a whole jieba word only, so that 滚筒,
//! 傻瓜相机 or 坑洼 do not count; longer entries match where a jieba word starts (垃圾商家 holds
//! 垃圾, 空气炸锅 does not hold 气炸) unless an innocent word contains them (`垃圾袋`). Latin
//! entries match whole words.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use weiquan_text::normalize::is_cjk;

/// A kind of heat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heat {
    Insult,
    Threat,
    Exasperation,
    Profanity,
}

impl Heat {
    pub fn name(self) -> &'static str {
        match self {
            Heat::Insult => "insult",
            Heat::Threat => "threat",
            Heat::Exasperation => "exasperation",
            Heat::Profanity => "profanity",
        }
    }
}

pub const INSULTS: &[&str] = &[
    "垃圾",
    "骗子",
    "骗钱",
    "滚",
    "滚蛋",
    "傻",
    "傻逼",
    "傻x",
    "sb",
    "脑残",
    "奸商",
    "黑心",
    "黑店",
    "狗东西",
    "狗商家",
    "畜生",
    "王八蛋",
    "混蛋",
    "废物",
    "人渣",
    "无耻",
    "不要脸",
    "流氓",
    "强盗",
    "土匪",
    "坑人",
    "坑爹",
    "智障",
    "白痴",
    "骗人",
    "忽悠",
    "吸血",
    "败类",
    "狗屁",
    "去死",
    "眼瞎",
    "瞎子",
    "神经病",
    "放屁",
    "脸都不要",
    "要不要脸",
    "冤大头",
    "智商税",
    "耍我",
    "耍人",
    "耍猴",
    "耍赖",
    "当我傻",
    "黑社会",
    "scam",
    "scammer",
    "scammers",
    "idiot",
    "idiots",
    "stupid",
    "garbage",
    "rubbish",
    "trash",
    "liar",
    "liars",
    "crook",
    "crooks",
    "thief",
    "thieves",
    "clowns",
    "morons",
    "shameless",
    "pathetic",
    "rip-off",
    "ripoff",
    "cheaters",
    "cheater",
];

pub const THREATS: &[&str] = &[
    "曝光",
    "告你",
    "告你们",
    "告死",
    "起诉你们",
    "投诉到底",
    "砸了",
    "走着瞧",
    "你们等着",
    "找媒体",
    "上新闻",
    "发微博",
    "发抖音",
    "律师函",
    "让你们倒闭",
    "让你关店",
    "举报到死",
    "跟你们没完",
    "sue",
    "lawyer",
    "expose",
    "go viral",
    "you'll regret",
    "you will regret",
    "see you in court",
];

pub const EXASPERATION: &[&str] = &[
    "气死",
    "无语",
    "太坑",
    "坑死",
    "崩溃",
    "受够了",
    "忍无可忍",
    "欺人太甚",
    "离谱",
    "太过分",
    "过分了",
    "什么玩意",
    "搞什么",
    "有病",
    "恶心",
    "我服了",
    "真服了",
    "醉了",
    "吐了",
    "凭什么",
    "天理何在",
    "岂有此理",
    "简直了",
    "气炸",
    "火大",
    "忍不了",
    "太气人",
    "气人",
    "烦死",
    "要疯了",
    "疯了",
    "抓狂",
    "心累",
    "良心",
    "做梦",
    "玩不起",
    "敷衍",
    "丢人",
    "猖狂",
    "故意的吧",
    "管不管",
    "想不想做生意",
    "吃官司",
    "告到底",
    "还有没有王法",
    "什么破",
    "破店",
    "wtf",
    "fed up",
    "sick of",
    "unbelievable",
    "ridiculous",
    "worst",
    "furious",
    "angry",
    "outrageous",
    "disgusting",
    "insane",
    "unacceptable",
    "joke",
    "nonsense",
    "seriously?",
    "are you kidding",
];

pub const PROFANITY: &[&str] = &[
    "他妈",
    "妈的",
    "tmd",
    "卧槽",
    "我靠",
    "操",
    "草",
    "尼玛",
    "nmd",
    "特么",
    "日了狗",
    "fuck",
    "fucking",
    "shit",
    "damn",
    "hell",
    "crap",
    "bullshit",
];

/// Entries that are heat only at the end of a clause: 「我要投诉到底」 threatens, 「投诉到底处理到哪了」
/// asks where the complaint is.
const CLAUSE_FINAL: &[&str] = &["投诉到底", "告到底"];

/// Innocent words that contain an entry.
const INNOCENT: &[&str] = &[
    "垃圾袋",
    "垃圾桶",
    "垃圾分类",
    "垃圾篓",
    "垃圾处理",
    "傻瓜相机",
    "无语音",
    "服了药",
    "黑心棉",
    "rubbish bin",
    "rubbish bag",
    "rubbish can",
    "garbage bin",
    "garbage bag",
    "garbage can",
    "trash bin",
    "trash bag",
    "trash can",
];

fn lists() -> [(Heat, &'static [&'static str]); 4] {
    [
        (Heat::Insult, INSULTS),
        (Heat::Threat, THREATS),
        (Heat::Exasperation, EXASPERATION),
        (Heat::Profanity, PROFANITY),
    ]
}

/// Every entry with its kind, and one automaton over all of them (one pass over the text).
static INDEX: LazyLock<(Vec<(Heat, &'static str)>, AhoCorasick)> = LazyLock::new(|| {
    let entries: Vec<(Heat, &'static str)> = lists()
        .into_iter()
        .flat_map(|(heat, list)| list.iter().map(move |e| (heat, *e)))
        .collect();
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(entries.iter().map(|(_, e)| e))
        .expect("lexicon builds");
    (entries, automaton)
});

/// One match of a heated entry: its kind, the entry, and its byte range in the text searched.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub heat: Heat,
    pub entry: &'static str,
    pub start: usize,
    pub end: usize,
}

/// Every heated entry in `lower` (lower-cased, width-folded text) whose words are `words`
/// (byte ranges of jieba words in `lower`). Overlapping hits are all reported.
pub fn hits(lower: &str, words: &[Range<usize>]) -> Vec<Hit> {
    let (entries, automaton) = &*INDEX;
    let mut out = vec![];
    let mut innocent: Option<Vec<(usize, usize)>> = None;
    for m in automaton.find_overlapping_iter(lower) {
        let (heat, entry) = entries[m.pattern().as_usize()];
        let (s, e) = (m.start(), m.end());
        let ok = if entry.chars().count() == 1 && !entry.is_ascii() {
            words.iter().any(|r| r.start == s && r.end == e)
        } else if entry.is_ascii() {
            let before = lower[..s].chars().next_back();
            let after = lower[e..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric())
                && !after.is_some_and(|c| c.is_ascii_alphanumeric())
        } else {
            // Longer Chinese entries start where a word starts: 垃圾商家 holds 垃圾, but
            // 空气炸锅 does not hold 气炸.
            words.iter().any(|r| r.start == s)
        };
        let final_ok = !CLAUSE_FINAL.contains(&entry)
            || lower[e..]
                .chars()
                .next()
                .is_none_or(|c| !is_cjk(c) || "了吧啊的".contains(c));
        if !ok || !final_ok {
            continue;
        }
        let innocent = innocent.get_or_insert_with(|| {
            INNOCENT
                .iter()
                .flat_map(|w| lower.match_indices(w).map(|(s, m)| (s, s + m.len())))
                .collect()
        });
        if innocent.iter().any(|&(a, b)| a <= s && e <= b) {
            continue;
        }
        out.push(Hit {
            heat,
            entry,
            start: s,
            end: e,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Prepared;

    fn heats(text: &str) -> Vec<&'static str> {
        let p = Prepared::new(text);
        hits(&p.text, &p.words).iter().map(|h| h.entry).collect()
    }

    #[test]
    fn finds_heat_but_not_innocent_words() {
        assert!(heats("垃圾商家，骗子！").contains(&"骗子"));
        assert!(heats("你们给我滚").contains(&"滚"));
        assert!(heats("what a SCAM").contains(&"scam"));
        assert!(heats("买的垃圾袋破了").is_empty());
        assert!(heats("滚筒洗衣机不转了").is_empty());
        assert!(heats("操作了三次还是不行").is_empty());
        assert!(heats("the shell is cracked").is_empty());
        assert!(heats("我要投诉到底！").contains(&"投诉到底"));
        assert!(heats("投诉到底处理到哪了").is_empty());
        assert!(heats("空气炸锅坏了").is_empty());
        assert!(heats("垃圾商家").contains(&"垃圾"));
        // British and American insults, and the bins and bags they also name.
        assert!(heats("what a rubbish seller").contains(&"rubbish"));
        assert!(heats("rubbish shop, rubbish product").contains(&"rubbish"));
        assert!(heats("the pedal rubbish bin lid snapped").is_empty());
        assert!(heats("these trash bags tear at once").is_empty());
        assert!(heats("the garbage can arrived dented").is_empty());
    }
}
