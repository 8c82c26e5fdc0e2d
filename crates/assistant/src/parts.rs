//! A complaint as its parts: what happened, what the consumer wants, and what was done already.
//!
//! A message is split into clauses (at punctuation, at 但是/结果/but, and before a request
//! like 要求/希望/I want that is followed by a claim), and each clause gets a role:
//!
//! - **claim** — asks for a remedy: a claim word (退款, 退货, 换货, 赔偿, refund…) with a request
//!   marker (要求, 我要, 希望, 请, want, please…) or nothing much else (「退款30元」, "refund");
//!   a clause that is only an amount joins the claim when there is one;
//! - **process** — a remedy word told as the past or a pending state (「退货寄回去十天了」,
//!   「已经申请退款」, 「退款还没到」, "I returned it a week ago"): a fact, not the claim;
//! - **problem** — everything else: what happened.
//!
//! The category comes from the problem clauses; only when they say nothing the model is sure
//! of, from the problem and process clauses together (so a refund that never came is
//! `refund_not_received`), and never from the claim: 「置物架收到就是断的，要求退款30元」 is a
//! quality defect, not a refund matter. The claim is read from the claim clauses only, and the
//! description is the message without them.

use weiquan_domain::Category;

use weiquan_text::normalize::{fold_width, is_cjk};

use crate::fold::simplify;
use crate::slots::claim::{ClaimSlot, amounts, claim};
use crate::{Featurized, Intent, models};

/// What a clause does in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Problem,
    Claim,
    Process,
}

/// One clause: the consumer's words, their simplified lower-case form, and its role.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub text: String,
    /// The consumer's words with the punctuation or space that followed them.
    pub raw: String,
    pub folded: String,
    pub role: Role,
}

/// A message as its clauses.
#[derive(Debug, Clone, PartialEq)]
pub struct Parts {
    pub clauses: Vec<Clause>,
}

/// Words that ask for something.
const REQUEST: &[&str] = &[
    "要求",
    "我要",
    "我想",
    "想要",
    "希望",
    "请求",
    "请",
    "麻烦",
    "给我",
    "必须",
    "需要",
    "申请",
    "能不能",
    "能否",
    "可不可以",
    "应该",
    "要",
    "want",
    "would like",
    "'d like",
    "request",
    "ask for",
    "demand",
    "please",
    "need",
    "expect",
    "give me",
    "i'd like",
    "i'll ",
    "i will ",
];

/// Words that tell a remedy as done or pending rather than asked for.
const PAST: &[&str] = &[
    "申请的",
    "的退款",
    "的退货",
    "已经",
    "已",
    "了",
    "过",
    "早就",
    "之前",
    "前几天",
    "天前",
    "还没",
    "没有",
    "没",
    "未",
    "一直",
    "迟迟",
    "already",
    "have ",
    "has ",
    "had ",
    " ago",
    "returned",
    "sent",
    "applied",
    "requested",
    "asked for",
    "yet",
    "still",
    "never",
    "not ",
    "n't",
    "did ",
    "was ",
    "were ",
    "rejected",
    "refused",
    "denied",
    "declined",
    "won't",
    "wouldn't",
];

/// Connectives that start a new clause.
const BREAKS: &[&str] = &["但是", "可是", "不过", "结果", " but ", " and then "];

/// Who else acts in a story: English joins their part with a bare "and" where Chinese puts a
/// comma (「台灯不亮了，卖家不给退」 / "the lamp died and the seller won't take it back"), so
/// " and " before one of them starts a new clause; "cracked and leaking" stays one.
const OTHER_ACTORS: &[&str] = &[
    "the seller",
    "the shop",
    "the store",
    "the merchant",
    "the vendor",
    "customer service",
    "the courier",
    "they ",
    "he ",
    "she ",
    "nobody",
    "no one",
];

/// Filler that can stand around a bare claim (「退款吧」, 「全额退款」, "a full refund").
const CLAIM_FILLER: &[&str] = &[
    "全额", "全部", "部分", "一下", "就行", "就好", "吧", "的", "我", "给", "好", "行", "可以",
    "元", "块", "钱", "a ", "full", "the ", "i ", "me", "my", "money", "yuan", "rmb", "just",
];

fn split_points(folded: &str) -> Vec<usize> {
    let mut cuts = vec![];
    let chars: Vec<(usize, char)> = folded.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let end = at + c.len_utf8();
        let cut = match c {
            // A thousands separator (1,299) is no clause break.
            ',' => !crate::slots::claim::separates_thousands(
                i.checked_sub(1).map(|k| chars[k].1),
                chars[i + 1..].iter().map(|&(_, c)| c),
            ),
            '，' | '。' | '！' | '!' | '？' | '?' | '；' | ';' | '\n' | '、' => true,
            // A full stop, not a decimal point.
            '.' => !chars.get(i + 1).is_some_and(|(_, n)| n.is_ascii_digit()),
            _ => false,
        };
        if cut {
            cuts.push(end);
        }
    }
    // A space between Chinese words separates clauses as a comma would (「我要退货 罐子是瘪的」).
    for (i, w) in chars.windows(3).enumerate() {
        if w[1].1.is_whitespace() && is_cjk(w[0].1) && is_cjk(w[2].1) {
            cuts.push(chars[i + 1].0 + w[1].1.len_utf8());
        }
    }
    for b in BREAKS {
        for (at, _) in folded.match_indices(b) {
            if at > 0 {
                cuts.push(at);
            }
        }
    }
    for (at, _) in folded.match_indices(" and ") {
        let next = &folded[at + " and ".len()..];
        if at > 0 && OTHER_ACTORS.iter().any(|a| next.starts_with(a)) {
            cuts.push(at);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

fn has_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

/// The clause without its claim words, amounts, digits, punctuation and filler: what is left
/// when a clause is only a claim is (almost) nothing.
fn bare_claim(folded: &str) -> bool {
    let lower = crate::slots::claim::claim_text(folded);
    let mut blank = vec![false; lower.len()];
    let spans = amounts(&lower).into_iter().map(|a| (a.start, a.end)).chain(
        crate::slots::claim::claim_spans(&lower)
            .into_iter()
            .map(|(_, s, e)| (s, e)),
    );
    for (s, e) in spans {
        blank[s..e].iter_mut().for_each(|b| *b = true);
    }
    let mut rest: String = lower
        .char_indices()
        .map(|(i, c)| if blank[i] { ' ' } else { c })
        .collect();
    rest = format!(" {rest} ");
    for w in CLAIM_FILLER {
        rest = rest.replace(w, " ");
    }
    let han = rest.chars().filter(|&c| is_cjk(c)).count();
    let words = rest
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3)
        .count();
    han <= 1 && words == 0
}

/// Words that put a remedy in someone else's mouth: the shop telling the consumer to take it.
const OTHERS_ASK: &[&str] = &[
    "让我",
    "叫我",
    // Not 要我 alone: 「我要我的钱」 is the consumer's own.
    "要我自己",
    "要我先",
    "逼我",
    "劝我",
    "要么",
    "told me to",
    "asked me to",
    "wants me to",
    "want me to",
    "telling me to",
    "tells me to",
    "suggested i",
    // A remedy the shop agreed to or promised (「同意给我退三十块」, "they agreed to refund").
    "同意给我",
    "同意退",
    "答应给我",
    "答应退",
    "agreed to",
    "promised to",
];

/// Verbs that, opening a clause with a claim in it, make it a request (an imperative: "send
/// me the right one", 「把东西寄回去」, 「按假一赔四赔偿」).
const IMPERATIVE: &[&str] = &[
    "send",
    "give",
    "pay",
    "refund",
    "replace",
    "exchange",
    "return",
    "reimburse",
    "cancel",
    "swap",
    "ship",
    "take",
    "compensate",
    "get",
    "just",
    "把",
    "按",
    "退",
    "换",
    "赔",
    "补",
    "重发",
    "寄",
];

/// The buyer as the one who sends the goods back (「我寄回去」, 「柜子我原样退回」).
static RETURNING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"我[^，。,.;；不没已]{0,4}(?:寄回|退回|寄还)").expect("pattern compiles")
});

fn role_of(folded: &str) -> Role {
    if claim(folded).is_none() {
        return Role::Problem;
    }
    // "a return request" names the request; it does not make one.
    let padded = format!(" {folded} ")
        .replace("return request", "return")
        .replace("refund request", "refund")
        .replace("exchange request", "exchange");
    let opening = folded.trim_start_matches(|c: char| !c.is_alphanumeric());
    // 「柜子我原样寄回去」: the buyer saying they send it back asks for a return.
    let sends_back = RETURNING.is_match(folded);
    let request = sends_back
        || has_any(&padded, REQUEST)
        || IMPERATIVE.iter().any(|v| {
            opening.starts_with(v)
                && !opening[v.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
        });
    // A remedy someone else asks of the consumer (「让我自己申请退款」, "told me to request a
    // refund") is what happened, not what the consumer wants.
    if has_any(&padded, OTHERS_ASK) {
        return Role::Process;
    }
    // 了 also ends a request (「我要退款了」); the other markers only tell the past.
    let weak_past = padded.contains('了');
    let past = PAST.iter().any(|w| *w != "了" && padded.contains(w));
    if past || (weak_past && !(request && bare_claim(&strip_request(folded)))) {
        Role::Process
    } else if request || bare_claim(folded) {
        Role::Claim
    } else {
        Role::Problem
    }
}

/// Whether a clause's start says more than 「已经」 or "I": two Chinese characters or two
/// Latin words, past-tense markers aside.
fn says_something(head: &str) -> bool {
    let mut s = format!(" {head} ");
    for w in PAST {
        s = s.replace(w, " ");
    }
    let han = s.chars().filter(|&c| is_cjk(c)).count();
    let words = s
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2)
        .count();
    han >= 2 || words >= 2
}

/// Words of dates and times, which tell when, not what happened.
const WHEN_CHARS: &str = "年月日号天周前昨今明上下个半小时分秒点早晚";
const WHEN_WORDS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "weekend",
    "morning",
    "afternoon",
    "evening",
    "night",
    "tonight",
    "yesterday",
    "today",
    "ago",
    "days",
    "day",
    "weeks",
    "week",
    "last",
    "this",
    "month",
    "on",
    "the",
    "at",
    "in",
];

/// Whether a text says something beyond a date, a time or a number (「11月22号」, "November
/// 18" tell when, not what happened): two Chinese characters or two English words of three
/// letters or more that are not about time.
fn tells_something(text: &str) -> bool {
    let (han, words) = content(text);
    han >= 2 || words >= 2
}

/// How much a text says beyond dates, times and numbers: its Chinese characters and its
/// English words of three letters or more, those about time aside.
pub fn content(text: &str) -> (usize, usize) {
    let mut lower = text.to_lowercase();
    // Naming the order (「订单号是…」, "my order number is …") says nothing of what happened.
    for w in ORDER_WORDS {
        lower = lower.replace(w, " ");
    }
    let han = lower
        .chars()
        .filter(|&c| is_cjk(c) && !WHEN_CHARS.contains(c))
        .count();
    let words = lower
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && !WHEN_WORDS.contains(w))
        .count();
    (han, words)
}

/// The intent model's reading of a text, remembered per thread: one turn reads the story told so
/// far several times over (each message, all of them, every tail of it for a later step), and
/// the next turn reads most of it again.
fn read(text: &str) -> (Intent, f32) {
    use std::cell::RefCell;
    use std::collections::HashMap;
    /// Enough for the stories of the sessions one thread serves at once; then started afresh.
    const REMEMBERED: usize = 4096;
    thread_local! {
        static READ: RefCell<HashMap<String, (Intent, f32)>> = RefCell::new(HashMap::new());
    }
    if let Some(r) = READ.with_borrow(|m| m.get(text).copied()) {
        return r;
    }
    let r = models().intent(&Featurized::new(text));
    READ.with_borrow_mut(|m| {
        if m.len() >= REMEMBERED {
            m.clear();
        }
        m.insert(text.to_string(), r);
    });
    r
}

/// How sure the rest of a story must read as a later step of its matter to be what the
/// complaint is about (`Parts::later_step`).
pub const LATER_STEP: f32 = 0.6;

/// Whether a dispute of category `later` is a later step of one about `first`: the goods'
/// fault, then the return refused, its postage or the refund; a return refused, then its postage
/// or the refund; a parcel late, then the shop refusing to send it.
pub fn follows(first: Category, later: Category) -> bool {
    use Category::*;
    match first {
        QualityDefect | NotAsDescribed | Counterfeit | FalseAdvertising => {
            matches!(later, ReturnRefused | ShippingFee | RefundNotReceived)
        }
        ReturnRefused => matches!(later, ShippingFee | RefundNotReceived),
        LateShipment => later == RefuseToShip,
        _ => false,
    }
}

/// How much surer the whole story must read than the problem alone to decide the category.
pub const SURER: f32 = 0.25;

/// Words that date the goods' arrival or their purchase, with the particles around them.
const DATING: &[&str] = &[
    "到的货",
    "到货",
    "收到的",
    "收到",
    "签收的",
    "签收",
    "购买的",
    "买的",
    "下的单",
    "下单的",
    "下单",
    "拍的",
    "付的款",
    "付款的",
    "付款",
    "发的货",
    "到的",
    "的",
    "了",
    "是",
    "在",
    "received",
    "arrived",
    "delivered",
    "bought",
    "ordered",
    "purchased",
    "placed",
    "got",
    "came",
    "it",
    "was",
    "were",
    "they",
    "them",
    "my",
    "order",
];

/// Whether a clause only says when the goods came or were bought (「11月20号到的货」, "it
/// arrived on Nov 20"): a date, and nothing beside it but words of arriving or buying.
fn only_dates(folded: &str) -> bool {
    let dated = folded
        .chars()
        .any(|c| c.is_ascii_digit() || WHEN_CHARS.contains(c))
        || folded.split(|c: char| !c.is_ascii_alphabetic()).any(|w| {
            WHEN_WORDS.contains(&w) && !matches!(w, "on" | "the" | "at" | "in" | "this" | "last")
        });
    if !dated {
        return false;
    }
    let mut rest = folded.to_string();
    for w in DATING.iter().filter(|w| !w.is_ascii()) {
        rest = rest.replace(w, " ");
    }
    // Numerals and weekdays of a date (上周五, 十一月三号, 礼拜天).
    rest.retain(|c| !"零一二三四五六七八九十两礼拜星期".contains(c));
    let (han, _) = content(&rest);
    let words = rest
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && !WHEN_WORDS.contains(w) && !DATING.contains(w))
        .count();
    han == 0 && words == 0
}

/// Words that only introduce an order number.
const ORDER_WORDS: &[&str] = &[
    "订单号",
    "订单编号",
    "单号",
    "订单",
    "order number",
    "order no",
    "order",
];

/// The clause without its request words (「要求退款30元」 → 「退款30元」).
fn strip_request(folded: &str) -> String {
    let mut s = folded.to_string();
    for w in REQUEST {
        s = s.replace(w, " ");
    }
    s
}

impl Parts {
    /// Splits `text` into clauses and gives each its role.
    pub fn new(text: &str) -> Parts {
        let folded_all = fold_width(&simplify(text)).to_lowercase();
        // Width folding, simplifying and lower-casing keep one character for one (ASCII and Han alike), so the
        // cut points found in the folded text are character positions in the original.
        let folded_chars: Vec<char> = folded_all.chars().collect();
        let original: Vec<char> = text.chars().collect();
        let same_shape = folded_chars.len() == original.len();
        let byte_to_char = |b: usize| folded_all[..b].chars().count();
        let mut cuts: Vec<usize> = split_points(&folded_all)
            .into_iter()
            .map(byte_to_char)
            .collect();
        cuts.push(folded_chars.len());
        let mut clauses = vec![];
        let mut start = 0;
        for end in cuts {
            if end <= start {
                continue;
            }
            let f: String = folded_chars[start..end].iter().collect();
            let o: String = if same_shape {
                original[start..end].iter().collect()
            } else {
                f.clone()
            };
            let raw = o.clone();
            start = end;
            let trim = |s: &str| {
                s.trim_matches(|c: char| {
                    c.is_whitespace() || "，,。！!？?；;、".contains(c) || c == '.'
                })
                .to_string()
            };
            let (f, o) = (trim(&f), trim(&o));
            if f.is_empty() {
                continue;
            }
            // 「…断的要求退款30元」: the request starts a clause of its own.
            // A marker inside a longer one (请 in 申请) does not start anything.
            let spans: Vec<(usize, usize)> = REQUEST
                .iter()
                .flat_map(|r| f.match_indices(r).map(|(at, m)| (at, at + m.len())))
                .collect();
            let split = REQUEST.iter().filter_map(|r| {
                f.find(r).filter(|&at| {
                    at > 0
                        && !spans.iter().any(|&(s, e)| s < at && at < e)
                        && role_of(&f[at..]) == Role::Claim
                        && claim(&f[..at]).is_none()
                        && says_something(&f[..at])
                        // Nor where someone else's remedy begins (「同意给我退…」).
                        && !has_any(&f[..at + r.len()], OTHERS_ASK)
                })
            });
            match split.min() {
                Some(at) if same_shape || o == f => {
                    let n = f[..at].chars().count();
                    let (o1, o2): (String, String) =
                        (o.chars().take(n).collect(), o.chars().skip(n).collect());
                    let (f1, f2) = (f[..at].to_string(), f[at..].to_string());
                    let lead = raw
                        .chars()
                        .take_while(|c| c.is_whitespace() || "，,。！!？?；;、.".contains(*c))
                        .count();
                    let raw1: String = raw.chars().take(lead + n).collect();
                    let raw2: String = raw.chars().skip(lead + n).collect();
                    clauses.push(Clause {
                        role: role_of(&f1),
                        text: trim(&o1),
                        raw: raw1,
                        folded: trim(&f1),
                    });
                    clauses.push(Clause {
                        role: role_of(&f2),
                        text: trim(&o2),
                        raw: raw2,
                        folded: trim(&f2),
                    });
                }
                _ => clauses.push(Clause {
                    role: role_of(&f),
                    text: o,
                    raw,
                    folded: f,
                }),
            }
        }
        // An amount standing alone (「要求退款，30元」, 「至少500」) belongs to the claim, when
        // there is one.
        if clauses.iter().any(|c| c.role == Role::Claim) {
            for c in &mut clauses {
                if c.role == Role::Problem
                    && ((!amounts(&c.folded).is_empty() && bare_claim(&c.folded))
                        || crate::slots::claim::bare_sum(&c.folded).is_some())
                {
                    c.role = Role::Claim;
                }
            }
        }
        Parts { clauses }
    }

    fn joined(&self, roles: &[Role]) -> String {
        self.clauses
            .iter()
            .filter(|c| roles.contains(&c.role))
            .map(|c| c.folded.as_str())
            .collect::<Vec<_>>()
            .join("，")
    }

    /// Whether the message asks for a remedy.
    pub fn has_claim(&self) -> bool {
        self.clauses.iter().any(|c| c.role == Role::Claim)
    }

    /// The claim, read from the claim clauses only.
    pub fn claim(&self) -> Option<ClaimSlot> {
        let text = self.joined(&[Role::Claim]);
        if text.is_empty() { None } else { claim(&text) }
    }

    /// The message without its claim, in the consumer's words and punctuation.
    pub fn description(&self) -> String {
        let kept: String = self
            .clauses
            .iter()
            .filter(|c| c.role != Role::Claim)
            .map(|c| c.raw.as_str())
            .collect();
        if !self.has_claim() {
            return kept.trim().to_string();
        }
        kept.trim()
            .trim_end_matches(|c: char| c.is_whitespace() || "，,；;、".contains(c))
            .to_string()
    }

    /// Whether any clause says more than a date or a number (「三天前」 answers when, not what).
    pub fn tells_anything(&self) -> bool {
        let all = self.joined(&[Role::Problem, Role::Process, Role::Claim]);
        tells_something(&all)
    }

    /// Whether a step already taken is told (「已经申请退款」).
    pub fn has_process(&self) -> bool {
        self.clauses.iter().any(|c| c.role == Role::Process)
    }

    /// When what happened happened: a time named in the problem clauses.
    pub fn problem_time(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        self.time_in(&[Role::Problem], now)
    }

    /// When a step already taken was taken: a time named in the process clauses (「12号商家点了
    /// 同意退款」).
    pub fn process_time(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        self.time_in(&[Role::Process], now)
    }

    fn time_in(
        &self,
        roles: &[Role],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        let text = self.joined(roles);
        if text.is_empty() {
            None
        } else {
            crate::slots::time::incident_at(&text, now)
        }
    }

    /// Whether the message tells what happened (a problem clause beyond a date or a number, or
    /// beyond when the goods came: 「3号到的」).
    pub fn tells_what_happened(&self) -> bool {
        self.clauses.iter().any(|c| {
            c.role == Role::Problem && !only_dates(&c.folded) && tells_something(&c.folded)
        })
    }

    /// The text the category is read from: the problem clauses, else problem and process.
    /// A clause that only dates the goods (「11月20号到的货」) says nothing of what happened.
    pub fn category_texts(&self) -> Vec<String> {
        let join = |roles: &[Role]| {
            self.clauses
                .iter()
                .filter(|c| roles.contains(&c.role) && !only_dates(&c.folded))
                .map(|c| c.folded.as_str())
                .collect::<Vec<_>>()
                .join("，")
        };
        let problem = join(&[Role::Problem]);
        let both = join(&[Role::Problem, Role::Process]);
        let mut out = vec![];
        if !problem.is_empty() {
            out.push(problem);
        }
        if !both.is_empty() && !out.contains(&both) {
            out.push(both);
        }
        out
    }

    /// The complaint category and the model's confidence in it: from what happened, else from
    /// what was done; `None` when the message holds neither (only a claim, say). Takes the first
    /// reading at least `min_confidence` sure, else the surest.
    /// A problem read only fairly sure gives way to the whole story read far surer: small talk
    /// (「这么晚打扰了 实在睡不着」) is no problem, and what was done tells the rest.
    pub fn category(&self, min_confidence: f32) -> Option<(Category, f32)> {
        let whole = self.category_of_all(min_confidence)?;
        Some(self.later_step(whole).unwrap_or(whole))
    }

    /// The dispute the story comes to after what it starts from, when the rest of the story
    /// from some clause on reads surely as a later step of the same matter: a defect or a wrong
    /// item, then the shop refusing the return or making the buyer pay the postage; a return,
    /// then the money not coming back; a late parcel, then the shop refusing to send it. The
    /// complaint is about what the consumer wants put right now, the last step reached; what
    /// went before is how it came to that.
    fn later_step(&self, whole: (Category, f32)) -> Option<(Category, f32)> {
        // A matter with no later step (a fee, harassment…) reads no tails.
        if !Category::ALL.iter().any(|&c| follows(whole.0, c)) {
            return None;
        }
        let told: Vec<&Clause> = self
            .clauses
            .iter()
            .filter(|c| {
                matches!(c.role, Role::Problem | Role::Process)
                    && !only_dates(&c.folded)
                    && tells_something(&c.folded)
            })
            .collect();
        (1..told.len()).find_map(|from| {
            let rest = told[from..]
                .iter()
                .map(|c| c.folded.as_str())
                .collect::<Vec<_>>()
                .join("，");
            match read(&rest) {
                (Intent::Complaint(c), p) if p >= LATER_STEP && follows(whole.0, c) => Some((c, p)),
                _ => None,
            }
        })
    }

    fn category_of_all(&self, min_confidence: f32) -> Option<(Category, f32)> {
        let mut best: Option<(Category, f32)> = None;
        let mut first: Option<(Category, f32)> = None;
        for text in self.category_texts() {
            if !tells_something(&text) {
                continue;
            }
            let (intent, p) = read(&text);
            if let Intent::Complaint(c) = intent {
                if let Some((fc, fp)) = first {
                    if p >= fp + SURER {
                        return Some((c, p));
                    }
                    return Some((fc, fp));
                }
                if p >= min_confidence {
                    first = Some((c, p));
                    continue;
                }
                if best.is_none_or(|(_, b)| p > b) {
                    best = Some((c, p));
                }
            }
        }
        first.or(best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use weiquan_domain::ClaimKind;

    fn roles(text: &str) -> Vec<(String, Role)> {
        Parts::new(text)
            .clauses
            .into_iter()
            .map(|c| (c.text, c.role))
            .collect()
    }

    #[test]
    fn the_category_is_the_last_step_the_story_reaches() {
        let cat = |t: &str| Parts::new(t).category(0.45).map(|c| c.0);
        // A fault first, then the shop's answer to the remedy asked: the answer is the matter.
        for text in [
            "台灯用了三天就不亮了，我申请退货，卖家说我自己弄坏的不给退",
            "檯燈用三天就不亮了，申請退貨，賣家說是人為損壞，不給退",
            "the lamp stopped working after three days and the seller refuses to take it back, says I broke it",
        ] {
            assert_eq!(cat(text), Some(Category::ReturnRefused), "{text}");
        }
        // An English "and" before another actor parts the story as a comma would; between
        // two symptoms it does not.
        let clauses = |t: &str| Parts::new(t).clauses.len();
        assert_eq!(
            clauses("the kettle leaks and the shop says that is normal"),
            2
        );
        assert_eq!(clauses("the kettle is cracked and leaking everywhere"), 1);
        // The fault alone stays the fault.
        assert_eq!(
            cat("台灯用了三天就不亮了，开关按下去没反应"),
            Some(Category::QualityDefect)
        );
    }

    #[test]
    fn splits_what_happened_from_what_is_wanted() {
        let p = Parts::new(
            "订单202611151234567890的厨房置物架收到就是断的，11月20号到的货，要求退款30元",
        );
        assert_eq!(p.clauses.len(), 3);
        assert_eq!(p.clauses[2].role, Role::Claim);
        assert_eq!(p.claim().unwrap().amount_cents, Some(3000));
        assert!(!p.description().contains("退款"), "{}", p.description());
        assert_eq!(p.category(0.45).map(|c| c.0), Some(Category::QualityDefect));
    }

    #[test]
    fn a_clause_that_only_dates_the_goods_tells_no_category() {
        assert!(only_dates("11月20号到的货"));
        assert!(only_dates("昨天收到的"));
        assert!(only_dates("it arrived on nov 20"));
        assert!(only_dates("bought it last friday"));
        // Late, or what happened beside the date: those say something.
        assert!(!only_dates("11月20号才到的货"));
        assert!(!only_dates("昨天收到就是坏的"));
        assert!(!only_dates("arrived broken yesterday"));
        assert!(!only_dates("收到的"));
        let p = Parts::new("台灯收到就是坏的，上周五到的货");
        assert_eq!(p.category_texts(), vec!["台灯收到就是坏的".to_string()]);
    }

    #[test]
    fn a_remedy_the_shop_asks_of_the_consumer_is_a_fact_not_the_claim() {
        let r = roles("商家说没货了，让我自己申请退款");
        assert_eq!(r[1].1, Role::Process, "{r:?}");
        let r = roles("the seller told me to request a refund myself");
        assert_eq!(r[0].1, Role::Process, "{r:?}");
        // The consumer's own request still is one.
        assert_eq!(roles("我要退款")[0].1, Role::Claim);
        assert_eq!(roles("我要我的钱退回来")[0].1, Role::Claim);
        // A remedy the shop agreed to or promised is a fact, and its story is not cut there.
        for t in [
            "上周同意给我退五十块 到现在还没到账",
            "店家答應退我兩百，到而家都未收到",
            "they agreed to refund me 30 yuan last week and nothing came",
        ] {
            let r = roles(t);
            assert!(r.iter().all(|(_, role)| *role != Role::Claim), "{r:?}");
        }
        assert_eq!(roles("我不同意换货，我要退款")[1].1, Role::Claim);
    }

    #[test]
    fn a_remedy_in_the_past_is_a_fact_not_the_claim() {
        let r = roles("退货寄回去十天了，钱还没退");
        assert_eq!(r[0].1, Role::Process, "{r:?}");
        assert!(Parts::new("退货寄回去十天了，钱还没退").claim().is_none());
        let r = roles("I returned it ten days ago but still no refund");
        assert!(r.iter().all(|(_, role)| *role != Role::Claim), "{r:?}");
        assert_eq!(roles("已经申请退款了")[0].1, Role::Process);
        assert_eq!(roles("我11月10号申请的退款")[0].1, Role::Process);
    }

    #[test]
    fn bare_and_requested_claims() {
        assert_eq!(roles("退款")[0].1, Role::Claim);
        assert_eq!(roles("退款30元")[0].1, Role::Claim);
        assert_eq!(roles("I want a refund of 30 yuan")[0].1, Role::Claim);
        assert_eq!(roles("要求退貨退款")[0].1, Role::Claim);
        let r = roles("鞋子开胶了我要换货");
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(r[1].1, Role::Claim);
        assert_eq!(roles("商家不给退款")[0].1, Role::Problem);
        let r = roles("要求退款，30元");
        assert!(r.iter().all(|(_, role)| *role == Role::Claim), "{r:?}");
        let r = roles("我要求赔偿 至少500");
        assert!(r.iter().all(|(_, role)| *role == Role::Claim), "{r:?}");
        assert_eq!(
            Parts::new("我要求赔偿，至少500")
                .claim()
                .unwrap()
                .amount_cents,
            Some(50000)
        );
    }

    #[test]
    fn a_remedy_refused_or_named_is_no_claim_and_an_intention_is_one() {
        let r = roles("seller rejected my return request for the jeans");
        assert!(r.iter().all(|(_, role)| *role != Role::Claim), "{r:?}");
        let r = roles("the shop won't let me exchange it");
        assert!(r.iter().all(|(_, role)| *role != Role::Claim), "{r:?}");
        assert_eq!(roles("柜子我原样寄回去")[0].1, Role::Claim);
        let p = Parts::new("I'll ship it back to them, I just want my money back");
        assert_eq!(p.claim().map(|c| c.kind), Some(ClaimKind::Return));
    }
}
