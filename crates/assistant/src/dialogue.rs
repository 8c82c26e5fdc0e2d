//! 客服小蜜's dialogue: one consumer session, turn by turn.
//!
//! Pure: the caller loads the [`Session`] (it serialises to JSON for the store), passes the text,
//! `now` and the consumer's orders and complaints, and carries out the [`Outcome`] the turn
//! returns (file the draft, file a report, hand the session to a person). Nothing here touches a
//! database or a clock.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use weiquan_domain::records::Commitments;
use weiquan_domain::{Category, ClaimKind, Lang};

use crate::slots::claim::amounts;
use crate::slots::time::shanghai;
use crate::{Intent, Tone, analyze, calm_rewrite, faq};

/// Below this probability the intent model's guess is not acted upon; the FAQ is asked instead.
pub const MIN_CONFIDENCE: f32 = 0.45;
/// The shortest description the complaint form accepts (characters).
const MIN_DESCRIPTION: usize = 10;

/// One of the consumer's orders, as the dialogue needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderInfo {
    pub order_no: String,
    pub shop_id: String,
    pub shop_name: String,
    pub items: Vec<String>,
    pub amount_cents: i64,
    pub paid_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The shop's commitments (7天无理由, 正品保障, shipping time), when known.
    pub commitments: Option<Commitments>,
}

/// One of the consumer's complaints, for 「查询进度」.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintInfo {
    pub id: i64,
    pub order_no: String,
    pub product: String,
    pub category: Category,
    /// The state's wire name (`awaiting_merchant`, …).
    pub state: String,
    /// Who moves next (`merchant`, `consumer`, `cs_agent`, `protection`), if anyone.
    pub next_actor: Option<String>,
    pub deadline_at: Option<DateTime<Utc>>,
}

/// What a turn knows about the world.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    pub orders: &'a [OrderInfo],
    pub complaints: &'a [ComplaintInfo],
}

/// Where the session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Gathering the facts of a complaint or report (or nothing yet).
    #[default]
    Collecting,
    /// A calmer rewrite was offered; waiting for yes or no.
    Rewrite,
    /// The draft was shown; waiting for the consumer's confirmation.
    Confirm,
    /// A complaint or report was filed from this session.
    Filed,
    /// Handed to a person (转人工).
    HandedOver,
}

/// Whether the session builds a personal complaint or a violation report (刷单, 侵权).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    #[default]
    Complaint,
    Report,
}

/// The claim as gathered so far: the amount may still be missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimDraft {
    pub kind: ClaimKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<i64>,
}

/// The facts gathered so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Slots {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<ClaimDraft>,
    /// The shop a report is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<String>,
    /// The infringing listing (title or link) an IP report names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing: Option<String>,
}

/// Which fact the assistant asked for last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ask {
    Order,
    Product,
    Category,
    IncidentAt,
    Description,
    ClaimKind,
    ClaimAmount,
    Shop,
    Listing,
}

/// A consumer's session with the assistant; stored as JSON between turns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub lang: Lang,
    pub phase: Phase,
    pub kind: Kind,
    pub slots: Slots,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked: Option<Ask>,
    /// The consumer's heated words and the calmer version offered for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_rewrite: Option<(String, String)>,
    /// What was filed: the complaint's or report's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed_id: Option<i64>,
}

/// A complaint ready to file (every field of `POST /complaints`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    pub order_no: String,
    pub product: String,
    pub category: Category,
    pub incident_at: DateTime<Utc>,
    pub description: String,
    pub claim: ClaimDraft,
}

/// A violation report ready to file (tier 3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportDraft {
    pub shop_id: String,
    pub shop_name: String,
    /// `fake_transactions` or `ip_infringement`.
    pub kind: Category,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_no: Option<String>,
    /// IP reports: the infringing listing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing: Option<String>,
}

/// What the draft shown to the consumer is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Shown {
    Complaint(Draft),
    Report(ReportDraft),
}

/// What the server must do after the turn.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    None,
    File(Draft),
    Report(ReportDraft),
    HandOver,
}

/// The assistant's answer to one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub text: String,
    pub lang: Lang,
    pub intent: Option<Intent>,
    pub intent_confidence: f32,
    pub tone: Tone,
    /// The draft awaiting confirmation, if one is shown.
    pub draft: Option<Shown>,
    pub outcome: Outcome,
}

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

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

fn t(lang: Lang, zh: impl Into<String>, en: impl Into<String>) -> String {
    match lang {
        Lang::Zh => zh.into(),
        Lang::En => en.into(),
    }
}

fn category_label(lang: Lang, c: Category) -> String {
    c.label(lang).to_owned()
}

fn claim_label(lang: Lang, c: &ClaimDraft) -> String {
    let kind = c.kind.label(lang).to_owned();
    match c.amount_cents {
        Some(a) => format!("{kind} {}", yuan(a)),
        None => kind,
    }
}

fn yuan(cents: i64) -> String {
    format!("¥{}.{:02}", cents / 100, cents % 100)
}

fn day(at: DateTime<Utc>) -> String {
    at.with_timezone(&shanghai()).format("%Y-%m-%d").to_string()
}

fn minute(at: DateTime<Utc>) -> String {
    at.with_timezone(&shanghai())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn actor_label(lang: Lang, who: &str) -> String {
    match who {
        "merchant" => t(lang, "商家", "the merchant"),
        "consumer" => t(lang, "您", "you"),
        "cs_agent" => t(
            lang,
            "平台客服（一级调解）",
            "platform customer service (tier 1)",
        ),
        "protection" => t(
            lang,
            "消费者保障（二级裁决）",
            "consumer protection (tier 2)",
        ),
        other => other.to_string(),
    }
}

fn state_label(lang: Lang, state: &str) -> String {
    match weiquan_domain::State::parse(state) {
        Ok(s) => s.label(lang).to_owned(),
        Err(_) => state.to_owned(),
    }
}

const YES: &[&str] = &[
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
];
const NO: &[&str] = &[
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

fn bare(text: &str) -> String {
    text.trim()
        .trim_matches(|c: char| c.is_ascii_punctuation() || "，。！？、～…!?,. ".contains(c))
        .to_lowercase()
}

/// An explicit yes: the whole message is one of the affirmations (「是」「确认提交」"yes").
pub fn is_yes(text: &str) -> bool {
    let b = bare(text);
    YES.contains(&b.as_str()) || b.starts_with("确认提交") || b.starts_with("yes,")
}

/// An explicit no.
pub fn is_no(text: &str) -> bool {
    NO.contains(&bare(text).as_str())
}

fn wants_person(text: &str) -> bool {
    let l = text.to_lowercase();
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
    let l = text.to_lowercase();
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

impl Session {
    /// The slots as JSON for the API.
    pub fn slots_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.slots).unwrap_or_default()
    }

    /// The draft currently awaiting confirmation.
    pub fn shown_draft(&self, ctx: &Context<'_>) -> Option<Shown> {
        (self.phase == Phase::Confirm)
            .then(|| self.build(ctx))
            .flatten()
    }

    /// Records that the server filed the draft (complaint or report `id`); the reply to show.
    pub fn filed(&mut self, id: i64) -> String {
        self.phase = Phase::Filed;
        self.filed_id = Some(id);
        self.asked = None;
        let lang = self.lang;
        match self.kind {
            Kind::Complaint => t(
                lang,
                format!(
                    "已提交投诉 #{id}，渠道为客服小蜜，本次对话已作为聊天记录证据保存。商家须在规定时限内回复，您可以随时问我「投诉进度」。"
                ),
                format!(
                    "Complaint #{id} is filed (channel: chat) and this conversation is kept as chat-log evidence. The merchant must answer within the deadline; ask me for \"status\" at any time."
                ),
            ),
            Kind::Report => t(
                lang,
                format!("已提交举报 #{id}，将由平台监管（三级）核查处理，感谢您的反馈。"),
                format!(
                    "Report #{id} is filed and goes to platform regulation (tier 3) for investigation. Thank you."
                ),
            ),
        }
    }

    /// Records that filing failed with `why` (in the session's language): the draft stays open
    /// for changes.
    pub fn filing_failed(&mut self, why: &str) -> String {
        self.phase = Phase::Collecting;
        self.asked = None;
        t(
            self.lang,
            format!("提交没有成功：{why}。您可以修改后再让我提交，或回复「转人工」。"),
            format!(
                "Filing did not succeed: {why}. You can change the details and ask me again, or say \"human agent\"."
            ),
        )
    }

    /// One turn: understands `text`, updates the session and answers.
    pub fn turn(&mut self, text: &str, ctx: &Context<'_>) -> Reply {
        self.lang = detect_lang(text, self.lang);
        let lang = self.lang;
        let a = analyze(text, ctx.now, &products_of(ctx, &Slots::default()));
        let confident = a.intent_confidence >= MIN_CONFIDENCE;
        let mut reply = Reply {
            text: String::new(),
            lang,
            intent: confident.then_some(a.intent),
            intent_confidence: a.intent_confidence,
            tone: a.tone,
            draft: None,
            outcome: Outcome::None,
        };

        if self.phase == Phase::HandedOver {
            reply.text = t(
                lang,
                "已为您转接人工客服，您的留言已转给客服，请稍候回复。",
                "You are with a human agent now; your message has been passed on. Please wait for their reply.",
            );
            return reply;
        }
        if wants_person(text) || (confident && a.intent == Intent::Escalate && !self.mid_answer()) {
            self.phase = Phase::HandedOver;
            self.asked = None;
            reply.intent = Some(Intent::Escalate);
            reply.outcome = Outcome::HandOver;
            reply.text = t(
                lang,
                "好的，正在为您转接人工客服（一级调解），我们的对话记录会一并转给客服，请稍候。",
                "Certainly. I am handing you to a human agent (tier 1); they will see our conversation. Please wait a moment.",
            );
            return reply;
        }

        match self.phase {
            Phase::Rewrite => {
                let (original, calm) = self.pending_rewrite.take().unwrap_or_default();
                if is_yes(text) {
                    self.add_description(&calm);
                    self.phase = Phase::Collecting;
                    let next = self.next_step(ctx, &mut reply);
                    reply.text = format!(
                        "{}{}",
                        t(
                            lang,
                            "好的，已采用平和的版本。",
                            "Done: I used the calmer version. "
                        ),
                        next
                    );
                    return reply;
                }
                if is_no(text) {
                    self.add_description(&original);
                    self.phase = Phase::Collecting;
                    let next = self.next_step(ctx, &mut reply);
                    reply.text = format!(
                        "{}{}",
                        t(
                            lang,
                            "好的，保留您的原话。",
                            "All right, I kept your own words. "
                        ),
                        next
                    );
                    return reply;
                }
                // Anything else: the offer lapses, the original words stand, the new message is read.
                self.add_description(&original);
                self.phase = Phase::Collecting;
            }
            Phase::Confirm => {
                if is_yes(text) {
                    return self.confirm(ctx, reply);
                }
                if is_no(text) {
                    *self = Session {
                        lang,
                        ..Session::default()
                    };
                    reply.text = t(
                        lang,
                        "好的，草稿已取消。还有什么可以帮您？",
                        "All right, the draft is cancelled. What else can I do for you?",
                    );
                    return reply;
                }
                self.phase = Phase::Collecting;
            }
            Phase::Filed => {
                // A new matter starts a new draft; the filed one stays as it is.
                if confident && a.intent.category().is_some() {
                    *self = Session {
                        lang,
                        ..Session::default()
                    };
                }
            }
            Phase::Collecting | Phase::HandedOver => {}
        }

        // Questions answered at once, whatever else is going on.
        if !self.mid_answer() || !self.slot_answer(text, &a) {
            if confident && a.intent == Intent::HowToComplain {
                reply.text = how_to_complain(lang);
                if self.started() {
                    let next = self.next_step(ctx, &mut reply);
                    reply.text = format!("{}\n\n{}", reply.text, next);
                }
                return reply;
            }
            if confident && a.intent == Intent::CheckStatus {
                reply.text = status(lang, ctx);
                return reply;
            }
            if rules_question(text) {
                reply.intent = None;
                reply.text = rules(lang, ctx, self.slots.order_no.as_deref());
                return reply;
            }
        }

        let heated = a.tone == Tone::Emotional;
        let before = self.slots.clone();
        self.absorb(text, &a, ctx, &mut reply);
        let learnt = self.slots != before;

        if !self.started() {
            // Nothing complaint-like yet: the FAQ, or a prompt.
            reply.text = match faq::search(text, lang, 1).first() {
                Some(hit) => format!(
                    "{}\n\n{}",
                    hit.answer,
                    t(
                        lang,
                        "如果需要投诉，直接告诉我发生了什么就好。",
                        "If you want to complain, just tell me what happened."
                    )
                ),
                None => t(
                    lang,
                    "您好，我是客服小蜜。请告诉我遇到了什么问题（哪件商品、发生了什么），我来帮您整理成投诉；也可以问我投诉进度或七天无理由等规则。",
                    "Hello, I am Xiaomi, the assistant. Tell me what went wrong (which item, what happened) and I will help you turn it into a complaint; you can also ask about your complaints' status or rules such as the 7-day no-reason return.",
                ),
            };
            return reply;
        }

        if heated {
            let calm = calm_rewrite(text);
            self.pending_rewrite = Some((text.trim().to_string(), calm.clone()));
            self.phase = Phase::Rewrite;
            reply.text = t(
                lang,
                format!(
                    "非常理解您的心情。为了让商家和客服更快、更顺利地处理，建议使用平和的措辞，事实一条都不会少。我帮您改写成：\n「{calm}」\n用这个版本写进投诉吗？（回复「好」采用，「不用」保留原话）"
                ),
                format!(
                    "I understand you are upset. Calm wording gets a complaint handled faster, and no fact is lost. Here is a calmer version:\n\"{calm}\"\nShall I use it in the complaint? (\"yes\" to use it, \"no\" to keep your words)"
                ),
            );
            return reply;
        }
        if learnt || self.asked.is_none() || self.phase == Phase::Collecting {
            let next = self.next_step(ctx, &mut reply);
            if reply.text.is_empty() {
                reply.text = next;
            } else {
                reply.text = format!("{}{}", reply.text, next);
            }
        }
        reply
    }

    /// Whether the assistant is waiting for the answer to a question it asked.
    fn mid_answer(&self) -> bool {
        self.phase == Phase::Collecting && self.asked.is_some()
    }

    /// Whether `text` answers the question asked (so that 「三天前」 is not read as something else).
    fn slot_answer(&self, text: &str, a: &crate::Analysis) -> bool {
        match self.asked {
            Some(Ask::Order) => a.order_no.is_some() || a.product.is_some(),
            Some(Ask::Product) => a.product.is_some(),
            Some(Ask::IncidentAt) => a.incident_at.is_some(),
            Some(Ask::ClaimKind) => a.claim.is_some(),
            Some(Ask::ClaimAmount) => !amounts(text).is_empty(),
            Some(Ask::Description) => text.chars().count() >= 4,
            Some(Ask::Listing) => !text.trim().is_empty(),
            Some(Ask::Category) | Some(Ask::Shop) | None => false,
        }
    }

    /// Whether a complaint or report is under way.
    fn started(&self) -> bool {
        self.slots.category.is_some()
            || self.slots.order_no.is_some()
            || self.slots.product.is_some()
            || self.slots.description.is_some()
    }

    fn add_description(&mut self, words: &str) {
        let words = words.trim();
        if words.is_empty() {
            return;
        }
        match &mut self.slots.description {
            Some(d) if d.contains(words) => {}
            Some(d) => {
                let sep = if self.lang == Lang::Zh { "；" } else { "; " };
                d.push_str(sep);
                d.push_str(words);
            }
            None => self.slots.description = Some(words.to_string()),
        }
    }

    /// Takes every fact the message carries into the slots.
    fn absorb(&mut self, text: &str, a: &crate::Analysis, ctx: &Context<'_>, reply: &mut Reply) {
        let lang = self.lang;
        let confident = a.intent_confidence >= MIN_CONFIDENCE;
        let asked = if self.phase == Phase::Collecting {
            self.asked
        } else {
            None
        };
        let mut descriptive = false;

        // What the matter is. Asked outright, the model's best guess is taken even when unsure.
        if let Some(c) = a
            .intent
            .category()
            .filter(|_| confident || asked == Some(Ask::Category))
        {
            let answering_other = matches!(
                asked,
                Some(
                    Ask::Order | Ask::Product | Ask::IncidentAt | Ask::ClaimKind | Ask::ClaimAmount
                )
            );
            if self.slots.category.is_none() || asked == Some(Ask::Category) || !answering_other {
                if self.slots.category.is_none() || asked == Some(Ask::Category) {
                    self.slots.category = Some(c);
                    self.kind = if c.is_report() {
                        Kind::Report
                    } else {
                        Kind::Complaint
                    };
                }
                descriptive = true;
            }
        }
        if asked == Some(Ask::Description) || asked == Some(Ask::Category) {
            descriptive = true;
        }
        if asked == Some(Ask::Category) && self.slots.category.is_none() {
            descriptive = true;
        }

        // Which order.
        if let Some(no) = &a.order_no {
            if ctx.orders.iter().any(|o| &o.order_no == no) {
                self.set_order(no, ctx);
            } else {
                reply.text.push_str(&t(
                    lang,
                    format!("在您的订单中没有找到订单号 {no}，请核对一下。"),
                    format!("I cannot find order {no} among your orders; please check it. "),
                ));
            }
        }
        // Shop names are not products (好杯子旗舰店 is not a cup).
        let mut about = text.to_string();
        for o in ctx.orders {
            about = about.replace(&o.shop_name, " ");
        }
        let titles = products_of(ctx, &self.slots);
        let product = a
            .product
            .clone()
            .filter(|_| about == text)
            .or_else(|| crate::slots::match_product(&about, &titles))
            .or_else(|| loose_product(&about, &titles));
        if let Some(p) = &product {
            let holding: Vec<&OrderInfo> = ctx
                .orders
                .iter()
                .filter(|o| o.items.contains(p))
                .filter(|o| {
                    self.slots
                        .order_no
                        .as_ref()
                        .is_none_or(|n| n == &o.order_no)
                })
                .collect();
            if let [one] = holding.as_slice() {
                let no = one.order_no.clone();
                self.set_order(&no, ctx);
                self.slots.product = Some(p.clone());
            } else if !holding.is_empty() {
                self.slots.product = Some(p.clone());
            }
        }
        // Which shop (reports).
        if self.kind == Kind::Report && self.slots.shop_id.is_none() {
            let l = text.to_lowercase();
            if let Some(o) = ctx.orders.iter().find(|o| {
                l.contains(&o.shop_name.to_lowercase()) || l.contains(&o.shop_id.to_lowercase())
            }) {
                self.slots.shop_id = Some(o.shop_id.clone());
            }
        }
        // The infringing listing (IP reports).
        if self.kind == Kind::Report && self.slots.category == Some(Category::IpInfringement) {
            if let Some(p) = &product {
                self.slots.listing.get_or_insert_with(|| p.clone());
            } else if asked == Some(Ask::Listing) {
                let l: String = text.trim().chars().take(200).collect();
                if !l.is_empty() {
                    self.slots.listing = Some(l);
                    descriptive = false;
                }
            }
        }
        // When.
        if let Some(at) = a.incident_at {
            if at > ctx.now + Duration::minutes(5) {
                reply.text.push_str(&t(
                    lang,
                    "发生时间不能晚于现在。",
                    "The time cannot be in the future. ",
                ));
            } else {
                self.slots.incident_at = Some(at);
            }
        }
        // What they want.
        if let Some(c) = a.claim {
            let amount = c
                .amount_cents
                .or(self.slots.claim.and_then(|x| x.amount_cents));
            self.slots.claim = Some(ClaimDraft {
                kind: c.kind,
                amount_cents: amount,
            });
        } else if asked == Some(Ask::ClaimAmount)
            && let Some(amount) = amounts(text).first()
            && let Some(claim) = &mut self.slots.claim
        {
            claim.amount_cents = Some(amount.cents);
        }
        let paid = self.order(ctx).map(|o| o.amount_cents);
        if let (Some(claim), Some(paid)) = (&mut self.slots.claim, paid)
            && matches!(claim.kind, ClaimKind::Refund | ClaimKind::Return)
            && claim.amount_cents.is_some_and(|a| a > paid)
        {
            reply.text.push_str(&t(
                lang,
                format!("退款金额不能超过实付金额 {}。", yuan(paid)),
                format!("A refund cannot exceed the {} paid. ", yuan(paid)),
            ));
            claim.amount_cents = None;
        }
        if descriptive && self.phase == Phase::Collecting && a.tone == Tone::Calm {
            self.add_description(text);
        }
    }

    fn set_order(&mut self, no: &str, ctx: &Context<'_>) {
        if self.slots.order_no.as_deref() != Some(no) {
            self.slots.order_no = Some(no.to_string());
            self.slots.product = None;
        }
        if let Some(o) = ctx.orders.iter().find(|o| o.order_no == no) {
            if let [only] = o.items.as_slice() {
                self.slots.product = Some(only.clone());
            }
            if self.kind == Kind::Report {
                self.slots.shop_id = Some(o.shop_id.clone());
            }
        }
    }

    fn order<'a>(&self, ctx: &Context<'a>) -> Option<&'a OrderInfo> {
        let no = self.slots.order_no.as_ref()?;
        ctx.orders.iter().find(|o| &o.order_no == no)
    }

    /// The one thing still missing, asked for; or the draft, shown for confirmation.
    fn next_step(&mut self, ctx: &Context<'_>, reply: &mut Reply) -> String {
        let lang = self.lang;
        let missing = self.missing(ctx);
        self.asked = missing;
        let Some(ask) = missing else {
            self.phase = Phase::Confirm;
            let shown = self.build(ctx);
            let text = match &shown {
                Some(Shown::Complaint(d)) => t(
                    lang,
                    format!(
                        "投诉草稿如下：\n订单号：{}\n商品：{}\n问题类型：{}\n发生时间：{}\n经过：{}\n诉求：{}\n确认提交吗？（回复「确认」提交，「取消」放弃，或直接告诉我要修改的内容）",
                        d.order_no,
                        d.product,
                        category_label(lang, d.category),
                        day(d.incident_at),
                        d.description,
                        claim_label(lang, &d.claim)
                    ),
                    format!(
                        "Here is the draft complaint:\nOrder: {}\nProduct: {}\nCategory: {}\nWhen: {}\nWhat happened: {}\nClaim: {}\nShall I file it? (\"yes\" to file, \"cancel\" to drop it, or tell me what to change)",
                        d.order_no,
                        d.product,
                        category_label(lang, d.category),
                        day(d.incident_at),
                        d.description,
                        claim_label(lang, &d.claim)
                    ),
                ),
                Some(Shown::Report(r)) => t(
                    lang,
                    format!(
                        "举报草稿如下（举报交由平台监管处理，不是个人投诉）：\n店铺：{}（{}）\n类型：{}\n内容：{}{}\n确认提交吗？（回复「确认」提交，「取消」放弃）",
                        r.shop_name,
                        r.shop_id,
                        category_label(lang, r.kind),
                        r.description,
                        r.listing
                            .as_ref()
                            .map(|l| format!("\n涉及商品：{l}"))
                            .unwrap_or_default()
                    ),
                    format!(
                        "Here is the draft report (it goes to platform regulation, not a personal complaint):\nShop: {} ({})\nKind: {}\nDetails: {}{}\nShall I file it? (\"yes\" to file, \"cancel\" to drop it)",
                        r.shop_name,
                        r.shop_id,
                        category_label(lang, r.kind),
                        r.description,
                        r.listing
                            .as_ref()
                            .map(|l| format!("\nListing: {l}"))
                            .unwrap_or_default()
                    ),
                ),
                None => String::new(),
            };
            reply.draft = shown;
            return text;
        };
        self.question(ask, ctx)
    }

    fn missing(&self, ctx: &Context<'_>) -> Option<Ask> {
        let s = &self.slots;
        if self.kind == Kind::Report {
            if s.shop_id.is_none() {
                return Some(Ask::Shop);
            }
            if s.description
                .as_ref()
                .is_none_or(|d| d.chars().count() < MIN_DESCRIPTION)
            {
                return Some(Ask::Description);
            }
            if s.category == Some(Category::IpInfringement) && s.listing.is_none() {
                return Some(Ask::Listing);
            }
            return None;
        }
        if s.order_no.is_none() {
            return Some(Ask::Order);
        }
        if s.product.is_none() {
            return Some(Ask::Product);
        }
        if s.category.is_none() {
            return Some(Ask::Category);
        }
        if s.description
            .as_ref()
            .is_none_or(|d| d.chars().count() < MIN_DESCRIPTION)
        {
            return Some(Ask::Description);
        }
        if s.incident_at.is_none() {
            return Some(Ask::IncidentAt);
        }
        match s.claim {
            None => Some(Ask::ClaimKind),
            Some(c)
                if matches!(c.kind, ClaimKind::Refund | ClaimKind::Compensation)
                    && c.amount_cents.is_none() =>
            {
                Some(Ask::ClaimAmount)
            }
            Some(_) => {
                let _ = ctx;
                None
            }
        }
    }

    fn question(&self, ask: Ask, ctx: &Context<'_>) -> String {
        let lang = self.lang;
        match ask {
            Ask::Order => {
                let mut q = t(
                    lang,
                    "请问是哪一笔订单？告诉我18位订单号，或者商品名称也可以。",
                    "Which order is it? Give me the 18-digit order number, or the product's name.",
                );
                let candidates: Vec<&OrderInfo> = match &self.slots.product {
                    Some(p) => ctx.orders.iter().filter(|o| o.items.contains(p)).collect(),
                    None => ctx.orders.iter().take(5).collect(),
                };
                if !candidates.is_empty() {
                    q.push_str(&t(lang, "\n您的订单：", "\nYour orders:"));
                    for o in candidates.iter().take(5) {
                        let items = o.items.join(&t(lang, "、", ", "));
                        q.push_str(&t(
                            lang,
                            format!(
                                "\n· {} {} {}（{}）",
                                o.order_no,
                                o.shop_name,
                                items,
                                day(o.paid_at)
                            ),
                            format!(
                                "\n· {} {} {} ({})",
                                o.order_no,
                                o.shop_name,
                                items,
                                day(o.paid_at)
                            ),
                        ));
                    }
                }
                q
            }
            Ask::Product => {
                let items = self
                    .order(ctx)
                    .map(|o| o.items.join(&t(lang, "、", ", ")))
                    .unwrap_or_default();
                t(
                    lang,
                    format!("这笔订单里有：{items}。是哪件商品有问题？"),
                    format!("This order has: {items}. Which item is it about?"),
                )
            }
            Ask::Category => t(
                lang,
                "请具体说说遇到了什么问题？（例如：质量问题、与描述不符、迟迟不发货、不给退货、退款没到账）",
                "What exactly went wrong? (for example: a defect, not as described, not shipped, return refused, refund not received)",
            ),
            Ask::Description => t(
                lang,
                "能再具体描述一下发生了什么吗？（例如：出现了什么情况、和商家沟通的结果）",
                "Could you describe what happened in a little more detail? (what you saw, what the shop said)",
            ),
            Ask::IncidentAt => t(
                lang,
                "这是什么时候发生的？（例如：昨天、三天前、5月4日）",
                "When did it happen? (for example: yesterday, 3 days ago, May 4)",
            ),
            Ask::ClaimKind => t(
                lang,
                "您希望怎么解决？退款、退货退款、换货，还是赔偿？",
                "How would you like it resolved: a refund, return and refund, an exchange, or compensation?",
            ),
            Ask::ClaimAmount => {
                let paid = self
                    .order(ctx)
                    .map(|o| {
                        t(
                            lang,
                            format!("（实付 {}）", yuan(o.amount_cents)),
                            format!(" (you paid {})", yuan(o.amount_cents)),
                        )
                    })
                    .unwrap_or_default();
                t(
                    lang,
                    format!("希望的金额是多少？{paid}"),
                    format!("How much are you asking for?{paid}"),
                )
            }
            Ask::Listing => t(
                lang,
                "是哪件商品侵权？请告诉我商品标题或链接。",
                "Which listing infringes? Give me its title or link.",
            ),
            Ask::Shop => {
                let mut q = t(
                    lang,
                    "请告诉我是哪家店铺（店铺名称或相关订单号）。",
                    "Which shop is it? (its name, or an order number from it)",
                );
                let mut seen = Vec::new();
                for o in ctx.orders {
                    if !seen.contains(&&o.shop_id) {
                        seen.push(&o.shop_id);
                    }
                }
                if !seen.is_empty() {
                    let names: Vec<String> = ctx
                        .orders
                        .iter()
                        .filter(|o| seen.contains(&&o.shop_id))
                        .map(|o| o.shop_name.clone())
                        .fold(Vec::new(), |mut v, n| {
                            if !v.contains(&n) {
                                v.push(n);
                            }
                            v
                        });
                    q.push_str(&t(
                        lang,
                        format!("\n您买过的店铺：{}", names.join("、")),
                        format!("\nShops you bought from: {}", names.join(", ")),
                    ));
                }
                q
            }
        }
    }

    /// The draft from the slots, when every fact is there.
    fn build(&self, ctx: &Context<'_>) -> Option<Shown> {
        let s = &self.slots;
        match self.kind {
            Kind::Report => {
                let shop_id = s.shop_id.clone()?;
                let shop_name = ctx
                    .orders
                    .iter()
                    .find(|o| o.shop_id == shop_id)
                    .map(|o| o.shop_name.clone())
                    .unwrap_or_else(|| shop_id.clone());
                Some(Shown::Report(ReportDraft {
                    shop_id,
                    shop_name,
                    kind: s.category?,
                    description: s.description.clone()?,
                    order_no: s.order_no.clone(),
                    listing: s.listing.clone(),
                }))
            }
            Kind::Complaint => Some(Shown::Complaint(Draft {
                order_no: s.order_no.clone()?,
                product: s.product.clone()?,
                category: s.category?,
                incident_at: s.incident_at?,
                description: s.description.clone()?,
                claim: s.claim?,
            })),
        }
    }

    fn confirm(&mut self, ctx: &Context<'_>, mut reply: Reply) -> Reply {
        match self.build(ctx) {
            Some(Shown::Complaint(d)) => {
                reply.text = t(self.lang, "正在为您提交投诉……", "Filing your complaint…");
                reply.outcome = Outcome::File(d);
            }
            Some(Shown::Report(r)) => {
                reply.text = t(self.lang, "正在为您提交举报……", "Filing your report…");
                reply.outcome = Outcome::Report(r);
            }
            None => {
                self.phase = Phase::Collecting;
                reply.text = self.next_step(ctx, &mut reply);
            }
        }
        reply
    }
}

fn products_of(ctx: &Context<'_>, slots: &Slots) -> Vec<String> {
    ctx.orders
        .iter()
        .filter(|o| slots.order_no.as_ref().is_none_or(|n| n == &o.order_no))
        .flat_map(|o| o.items.iter().cloned())
        .fold(Vec::new(), |mut v, t| {
            if !v.contains(&t) {
                v.push(t);
            }
            v
        })
}

/// A looser product match for everyday nouns with the suffix 子 (杯子, 裤子, 鞋子): the one
/// title that contains the noun's stem (杯 in 保温杯).
fn loose_product(text: &str, titles: &[String]) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for w in chars.windows(2) {
        if w[1] != '子' || !is_han(w[0]) {
            continue;
        }
        let hits: Vec<&String> = titles.iter().filter(|t| t.contains(w[0])).collect();
        if let [one] = hits.as_slice() {
            return Some((*one).clone());
        }
    }
    None
}

fn how_to_complain(lang: Lang) -> String {
    t(
        lang,
        "投诉很简单，直接在这里告诉我就行：\n1. 说明是哪笔订单（18位订单号）和哪件商品；\n2. 发生了什么、什么时候发生的；\n3. 您希望怎么解决（退款、退货、换货或赔偿，以及金额）；\n4. 保留好证据：商品照片或视频、和商家的聊天记录、物流信息，不要删除订单。\n请尽量平和、具体地描述事实，这样处理最快。流程是：先由商家处理；协商不成由平台客服调解（一级）；仍有争议由消费者保障裁决（二级）；刷单、侵权等违规由平台监管处理（三级）。",
        "Complaining is simple: just tell me here.\n1. Which order (its 18-digit number) and which item;\n2. What happened, and when;\n3. How you want it resolved (refund, return, exchange or compensation, and how much);\n4. Keep evidence: photos or videos of the item, your chat with the shop, tracking details; don't delete the order.\nDescribe the facts calmly and precisely: that is handled fastest. The order of steps: the merchant answers first; if you do not agree, customer service mediates (tier 1); then consumer protection rules (tier 2); violations such as brushing or IP infringement go to platform regulation (tier 3).",
    )
}

fn status(lang: Lang, ctx: &Context<'_>) -> String {
    if ctx.complaints.is_empty() {
        return t(
            lang,
            "您目前没有投诉记录。如需投诉，直接告诉我发生了什么。",
            "You have no complaints. If you want to file one, tell me what happened.",
        );
    }
    let mut out = t(lang, "您的投诉进度：", "Your complaints:");
    for c in ctx.complaints.iter().take(10) {
        let next = c
            .next_actor
            .as_deref()
            .map(|w| {
                t(
                    lang,
                    format!("，下一步：{}", actor_label(lang, w)),
                    format!("; next: {}", actor_label(lang, w)),
                )
            })
            .unwrap_or_default();
        let due = c
            .deadline_at
            .map(|d| {
                t(
                    lang,
                    format!("，截止 {}", minute(d)),
                    format!(", by {}", minute(d)),
                )
            })
            .unwrap_or_default();
        let (product, category, state) = (
            &c.product,
            category_label(lang, c.category),
            state_label(lang, &c.state),
        );
        out.push_str(&t(
            lang,
            format!("\n· #{} {product}（{category}）：{state}{next}{due}", c.id),
            format!("\n· #{} {product} ({category}): {state}{next}{due}", c.id),
        ));
    }
    out
}

fn rules(lang: Lang, ctx: &Context<'_>, order_no: Option<&str>) -> String {
    let mut out = t(
        lang,
        "七天无理由退货：签收之日起7天内，商品完好、不影响二次销售的，可以无理由退货（定制品、鲜活易腐、已拆封的数字商品等除外），退货运费一般由买家承担，买了运费险的可获赔付。商家承诺了「七天无理由」却拒绝退货，可以投诉（拒绝退换货）。",
        "7-day no-reason return: within 7 days of delivery, an item in resaleable condition can be returned without a reason (custom-made, perishable and opened digital goods excepted); the buyer usually pays return shipping, which shipping insurance (运费险) covers. A shop that promised it and refuses can be complained about (return refused).",
    );
    let orders: Vec<&OrderInfo> = match order_no {
        Some(no) => ctx.orders.iter().filter(|o| o.order_no == no).collect(),
        None => ctx.orders.iter().collect(),
    };
    let mut seen: Vec<&str> = Vec::new();
    for o in orders {
        if seen.contains(&o.shop_id.as_str()) || seen.len() >= 5 {
            continue;
        }
        seen.push(&o.shop_id);
        let Some(c) = &o.commitments else { continue };
        let mut promises: Vec<String> = Vec::new();
        if c.seven_day_return {
            promises.push(t(lang, "七天无理由退货", "7-day no-reason return"));
        }
        if c.authentic_guarantee {
            promises.push(t(
                lang,
                "正品保障（假一赔四）",
                "authentic guarantee (four times the price for a fake)",
            ));
        }
        if let Some(h) = c.ship_within_hours {
            promises.push(t(
                lang,
                format!("{h}小时内发货"),
                format!("ships within {h} hours"),
            ));
        }
        let promises = if promises.is_empty() {
            t(
                lang,
                "没有额外承诺".to_string(),
                "no extra commitments".to_string(),
            )
        } else {
            promises.join(t(lang, "、", ", ").as_str())
        };
        out.push_str(&t(
            lang,
            format!("\n· {}：{}", o.shop_name, promises),
            format!("\n· {}: {}", o.shop_name, promises),
        ));
        if c.seven_day_return
            && let Some(d) = o.delivered_at
        {
            let left = (d + Duration::days(7) - ctx.now).num_hours();
            out.push_str(&if left > 0 {
                t(
                    lang,
                    format!(
                        "（订单 {} 还剩约{}天{}小时）",
                        o.order_no,
                        left / 24,
                        left % 24
                    ),
                    format!(
                        " (order {}: about {} days {} hours left)",
                        o.order_no,
                        left / 24,
                        left % 24
                    ),
                )
            } else {
                t(
                    lang,
                    format!("（订单 {} 已超过7天）", o.order_no),
                    format!(" (order {}: past the 7 days)", o.order_no),
                )
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
