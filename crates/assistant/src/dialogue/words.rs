//! What a message's words say outright: its language, yes, no, a person wanted, a rules question.

use weiquan_domain::Lang;

/// The language a message is written in: Chinese when it has any Han character, English when
/// it has Latin letters and no Han, otherwise the session's.
pub fn detect_lang(text: &str, fallback: Lang) -> Lang {
    if text.chars().any(is_han) {
        Lang::Zh
    } else if text.chars().any(|c| c.is_ascii_alphabetic()) {
        Lang::En
    } else {
        fallback
    }
}

pub(super) fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

pub(super) const YES: &[&str] = &[
    "是",
    "是的",
    "对",
    "对的",
    "好",
    "好的",
    "行",
    "可以",
    "确认",
    "确定",
    "提交",
    "确认提交",
    "没问题",
    "嗯",
    "嗯嗯",
    "用吧",
    "就这样",
    "同意",
    "yes",
    "y",
    "ok",
    "okay",
    "sure",
    "confirm",
    "submit",
    "yep",
    "yeah",
    "go ahead",
    "fine",
    "please do",
    "correct",
    "that's correct",
    "that's right",
    "right",
    "yes please",
    "looks good",
    "file it",
    "没错",
    "对，提交",
    "提交吧",
    "确认无误",
];
pub(super) const NO: &[&str] = &[
    "不",
    "不是",
    "不用",
    "不要",
    "否",
    "算了",
    "取消",
    "不对",
    "不好",
    "不行",
    "保留原话",
    "不用改",
    "no",
    "n",
    "nope",
    "cancel",
    "keep mine",
    "keep it",
    "don't",
];

pub(super) fn bare(text: &str) -> String {
    text.trim()
        .trim_matches(|c: char| c.is_ascii_punctuation() || "，。！？、～…!?,. ".contains(c))
        .to_lowercase()
}

/// An explicit yes: the whole message is one of the affirmations (「是」「确认提交」"yes").
pub fn is_yes(text: &str) -> bool {
    let b = bare(&crate::fold::simplify(text));
    if YES.contains(&b.as_str()) || b.starts_with("确认提交") || b.starts_with("yes,") {
        return true;
    }
    // Several affirmations and thanks together: 「好的，提交吧，谢谢」, "ok, submit it".
    let parts: Vec<&str> = b
        .split(|c: char| "，,。.!！ 、～~".contains(c))
        .filter(|p| !p.is_empty())
        .collect();
    parts.len() > 1
        && parts.iter().any(|p| YES.contains(p))
        && parts
            .iter()
            .all(|p| YES.contains(p) || THANKS.contains(p) || *p == "it")
}

/// Thanks and softeners that may stand beside a yes.
const THANKS: &[&str] = &[
    "谢谢",
    "谢啦",
    "麻烦了",
    "辛苦了",
    "thanks",
    "thank",
    "you",
    "please",
];

/// An explicit no.
pub fn is_no(text: &str) -> bool {
    NO.contains(&bare(&crate::fold::simplify(text)).as_str())
}

pub(super) fn wants_person(text: &str) -> bool {
    let l = crate::fold::simplify(text).to_lowercase();
    [
        "转人工",
        "人工客服",
        "人工服务",
        "找人工",
        "真人客服",
        "human agent",
        "real person",
        "talk to a human",
        "speak to a person",
        "live agent",
    ]
    .iter()
    .any(|k| l.contains(k))
}

/// A question about the rules of 7天无理由 or a shop's commitments (not a complaint about them).
pub fn rules_question(text: &str) -> bool {
    let l = crate::fold::simplify(text).to_lowercase();
    let topic = [
        "七天无理由",
        "7天无理由",
        "无理由退",
        "承诺",
        "正品保障",
        "假一赔",
        "运费险",
        "发货时间",
        "no-reason",
        "no reason",
        "seven-day",
        "7-day",
        "commitment",
        "authentic guarantee",
        "shipping promise",
    ]
    .iter()
    .any(|k| l.contains(k));
    let question = [
        "吗",
        "？",
        "?",
        "什么",
        "怎么",
        "能不能",
        "可以",
        "是否",
        "规则",
        "what",
        "how",
        "can i",
        "does",
        "is there",
    ]
    .iter()
    .any(|k| l.contains(k));
    let grievance = [
        "不给", "拒绝", "不让", "不肯", "不退", "refuse", "won't", "wouldn't", "denied",
    ]
    .iter()
    .any(|k| l.contains(k));
    topic && question && !grievance
}

/// Whether the consumer speaks to 小蜜 herself while a person has the chat: calls her by name
/// (小蜜, Xiaomi, "assistant", 机器人) or asks a rules question only she answers.
pub fn addresses_assistant(text: &str) -> bool {
    let l = crate::fold::simplify(text).to_lowercase();
    names_assistant(&l) || l.contains("xiaomi") || rules_question(&l)
}

/// Whether simplified, lower-cased text names 小蜜 (小蜜, 机器人, "assistant", bot); her
/// romanised name Xiaomi is also a phone brand, so [`addresses_assistant`] alone counts it.
fn names_assistant(l: &str) -> bool {
    [
        "小蜜",
        "机器人",
        "智能客服",
        "assistant",
        "bot",
        "robot",
        "chatbot",
    ]
    .iter()
    .any(|k| {
        l.match_indices(k).any(|(at, m)| {
            // Latin names as whole words ("bot", not "bottle").
            !m.is_ascii()
                || (!l[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
                    && !l[at + m.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphanumeric()))
        })
    })
}

/// The message without its clauses about the chat itself (「别跟我扯机器人那套」, "I don't want
/// to talk to a bot"): a robot or a bot there is the assistant, never an item of an order (a
/// robot vacuum's owner saying 「扫地机器人坏了」 keeps every word).
pub(super) fn without_talk_of_the_assistant(text: &str) -> String {
    const TALK: &[&str] = &[
        "扯",
        "那套",
        "废话",
        "你是",
        "你们是",
        "别用",
        "人工",
        "聊",
        "回复",
        "敷衍",
        "talk",
        "chat",
        "speak",
        "human",
        "person",
        "are you a",
        "you're a",
        "useless",
        "stupid",
    ];
    text.split_inclusive(|c: char| "，。,.;；!！?？\n".contains(c))
        .filter(|clause| {
            let l = crate::fold::simplify(clause).to_lowercase();
            !(names_assistant(&l) && TALK.iter().any(|t| l.contains(t)))
        })
        .collect()
}

/// An answer to "which order" without its clauses about an item the consumer already has, kept
/// or did not send back (「冰箱，洗衣机已经装好了」, 「燜燒罐那張，便當袋我有留著」, 「堅果禮盒
/// 嗰張，牛肉乾收咗」): named beside the one meant, that item is the one it is not. The whole
/// answer when every clause is such.
pub(super) fn without_items_already_had(text: &str) -> String {
    const HAD: &[&str] = &[
        "已经到了",
        "早到了",
        "收咗",
        "装好了",
        "用着",
        "留着",
        "没退",
        "冇退",
        "我留",
        "i kept",
        "kept it",
        "kept that",
        "already have",
        "already got",
        "already arrived",
        "already came",
        "didn't send back",
        "didn't return",
    ];
    let kept: String = text
        .split_inclusive(|c: char| "，。,.;；!！?？\n".contains(c))
        .filter(|clause| {
            let l = crate::fold::simplify(clause).to_lowercase();
            !HAD.iter().any(|h| l.contains(h))
        })
        .collect();
    if kept.trim().is_empty() {
        text.to_string()
    } else {
        kept
    }
}

/// Whether a fee is said to have been charged when the order was paid (「付款的时候给我加了12块运
/// 费」, 「下单时多收了运费」, "charged postage at checkout", "when I paid").
pub(super) fn charged_at_payment(text: &str) -> bool {
    let l = crate::fold::simplify(text).to_lowercase();
    [
        "付款的时候",
        "付款时",
        "付钱的时候",
        "下单的时候",
        "下单时",
        "结算的时候",
        "结算时",
        "结账的时候",
        "结账时",
        "俾钱嗰阵",
        "at checkout",
        "at check out",
        "when i paid",
        "when paying",
        "when i checked out",
    ]
    .iter()
    .any(|k| l.contains(k))
}

/// Whether the consumer wants their own heated words kept rather than the calmer version
/// (「保留原话」, 「用我自己的话」, "keep my words").
pub(super) fn keeps_own_words(text: &str) -> bool {
    let b = bare(&crate::fold::simplify(text));
    [
        "原话",
        "自己的话",
        "我的话",
        "my words",
        "my own words",
        "keep mine",
        "keep my",
    ]
    .iter()
    .any(|k| b.contains(k))
        && b.chars().count() <= 20
}

/// Whether a message after the draft was shown only changes one of its facts (「时间改成5月6号」,
/// 「金额应该是50」, 「订单填错了」, "change the date to May 6", "the amount should be 50"): the
/// fact is read as any answer is, and the words are no part of what happened.
pub(super) fn edits_draft(text: &str) -> bool {
    let l = crate::fold::simplify(text)
        .to_lowercase()
        .replace('\u{2019}', "'");
    [
        "改成",
        "改为",
        "改作",
        "改一下",
        "改下",
        "改掉",
        "应该是",
        "应是",
        "写错",
        "填错",
        "搞错",
        "弄错",
        "change the",
        "change it to",
        "should be",
        "should say",
        "make it",
        "make the",
        "correct the",
        "fix the",
        "wrong date",
        "wrong amount",
        "wrong order",
    ]
    .iter()
    .any(|k| l.contains(k))
}

/// Whether the answer says the consumer does not know or remember (a date, say): 「不记得」,
/// 「记不清了」, 「忘了」, "I don't remember", "not sure".
pub(super) fn does_not_know(text: &str) -> bool {
    let l = crate::fold::simplify(text)
        .to_lowercase()
        .replace('\u{2019}', "'");
    [
        "不记得",
        "记不清",
        "记不住",
        "忘了",
        "忘记了",
        "不清楚",
        "不确定",
        "想不起",
        "说不准",
        "说不清",
        "不知道",
        "don't remember",
        "do not remember",
        "can't remember",
        "cannot remember",
        "don't recall",
        "can't recall",
        "not sure",
        "no idea",
        "don't know",
        "forgot",
        "forget",
        "unsure",
    ]
    .iter()
    .any(|k| l.contains(k))
}

/// Whether an answer to the claim question speaks of what the consumer wants or leaves to
/// others, even when it names no remedy: a want or a need (「我就想知道…」, 「只要他别再打」, "I
/// just want it to stop"), nothing wanted (「没什么要求」, 「不用退也不用赔」, "I don't need anything
/// back"), not knowing (「没想好」, "dunno") or leaving it to the platform (「你们看着办」, 「你们先
/// 查查」, "someone should look into it"). Such an answer is an answer; a story is not.
pub(super) fn speaks_of_wants(text: &str) -> bool {
    if does_not_know(text) {
        return true;
    }
    let l = crate::fold::simplify(text)
        .to_lowercase()
        .replace('\u{2019}', "'");
    const ZH: [&str; 36] = [
        "想要",
        "我想",
        "就想",
        "只想",
        "也想",
        "就要",
        "只要",
        "我要",
        "希望",
        "只求",
        "要什么",
        "要啥",
        "要求啥",
        "什么都不要",
        "不要什么",
        "没有要",
        "没要求",
        "没什么要求",
        "没啥要求",
        "没想",
        "不用退",
        "不用赔",
        "不用换",
        "随便",
        "都行",
        "都可以",
        "就行",
        "就好",
        "看着办",
        "看着处理",
        "反映",
        "查查",
        "查一下",
        "管管",
        "评评理",
        "说不好",
    ];
    const EN: [&str; 16] = [
        "want",
        "need",
        "wish",
        "hope",
        "would like",
        "'d like",
        "rather",
        "whatever",
        "up to you",
        "you decide",
        "dunno",
        "look into",
        "look at",
        "deal with",
        "on record",
        "someone should",
    ];
    // Leaving it to the platform: 你们 followed closely by a verb of seeing to it (你们先看看,
    // 你们自己看吧, 你们说呢, 你们处理, 你们帮我问问).
    let to_you = l.match_indices("你们").any(|(at, m)| {
        let after: String = l[at + m.len()..].chars().take(4).collect();
        ["看", "说", "处理", "决定", "定", "帮", "查", "管"]
            .iter()
            .any(|v| after.contains(v))
    });
    to_you || ZH.iter().any(|k| l.contains(k)) || EN.iter().any(|k| l.contains(k))
}

#[cfg(test)]
mod talk_of_the_assistant {
    use super::without_talk_of_the_assistant as items;

    #[test]
    fn the_chat_itself_is_no_item_and_a_robot_bought_stays() {
        assert_eq!(items("叫人工来，别跟我扯机器人那套"), "叫人工来，");
        assert_eq!(
            items("I don't want to chat with a bot. The kettle leaks."),
            " The kettle leaks."
        );
        for kept in [
            "扫地机器人坏了，客服不理我",
            "the Xiaomi earbuds died, I want to talk to a person",
            "the robot vacuum stopped, I want a replacement",
            "the bottle leaks, not a small leak either",
        ] {
            assert_eq!(items(kept), kept);
        }
    }
}
