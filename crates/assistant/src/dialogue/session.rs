//! One turn of the session: the phases (hand-over, rewrite offer, confirmation) and what is
//! answered at once.

use super::answers::{how_to_complain, rules, status};
use super::labels::t;
use super::pick::ordinal;
use super::questions::CLAIM_CHOICES;
use super::words::{
    addresses_assistant, detect_lang, is_no, is_yes, keeps_own_words, rules_question, wants_person,
};
use super::{Ask, Context, MIN_CONFIDENCE, Outcome, Phase, Reply, Session};
use crate::slots::claim::amounts;
use crate::{Intent, Tone, analyze, faq};
use weiquan_domain::{ClaimKind, Lang};

/// How sure the intent model must be that a message in the middle of a complaint is a question
/// aside (how to complain, the status of a complaint) rather than more of the complaint.
const ASIDE_CONFIDENCE: f32 = 0.8;

/// Said when a problem is told while the chat waits for a person.
const WHILE_WAITING: (&str, &str) = (
    "客服接入前，我先帮您把这件事整理成投诉，客服接入后能看到全部对话。",
    "While you wait for an agent, I will put this into a complaint; the agent will see the whole conversation. ",
);

/// Said when a heated message's calmer rewrite is declined.
const KEPT_OWN_WORDS: (&str, &str) = ("好的，保留您的原话。", "All right, I kept your own words. ");

impl Session {
    /// Back to collecting facts: `said` (Chinese, English), then the next question.
    fn collect_on(&mut self, ctx: &Context<'_>, mut reply: Reply, said: (&str, &str)) -> Reply {
        self.phase = Phase::Collecting;
        let next = self.next_step(ctx, &mut reply);
        reply.text = format!("{}{next}", t(self.lang, said.0, said.1));
        reply
    }

    /// Whether the chat was handed to a person (it stays in the agents' queue, or with the agent
    /// who took it, whatever 小蜜 drafts meanwhile).
    pub fn handed_over(&self) -> bool {
        self.queued || self.phase == Phase::HandedOver
    }

    /// The slots as JSON for the API.
    pub fn slots_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.slots).unwrap_or_default()
    }

    /// What the assistant waits for, as the chat API names it: `confirm` while a draft is
    /// shown, else the slot asked for (`order`, `pick`, `what_happened`, `when`, `claim`…);
    /// `None` when it waits for nothing in particular.
    pub fn awaiting(&self) -> Option<&'static str> {
        match self.phase {
            Phase::Confirm => Some("confirm"),
            Phase::Collecting => self.asked.map(|a| a.awaiting()),
            Phase::Rewrite | Phase::Filed | Phase::HandedOver => None,
        }
    }

    /// One turn: understands `text`, updates the session and answers — in Chinese, in the
    /// script the consumer writes in (a message whose characters are alike in both keeps the
    /// script of the ones before).
    pub fn turn(&mut self, text: &str, ctx: &Context<'_>) -> Reply {
        self.script = crate::fold::script_of(text).unwrap_or(self.script);
        let mut reply = self.answer(text, ctx);
        if reply.lang == Lang::Zh {
            reply.text = crate::fold::in_script(&reply.text, self.script);
        }
        reply
    }

    fn answer(&mut self, text: &str, ctx: &Context<'_>) -> Reply {
        self.lang = detect_lang(text, self.lang);
        let lang = self.lang;
        // Traditional characters read as simplified; the consumer's own words stay in the
        // description.
        let folded = crate::fold::simplify(text);
        let a = analyze(&folded, ctx.now, &[]);
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

        // A message that tells a problem the model is sure of is a complaint, whatever else its
        // wording suggests (「我要投诉，保温杯漏水」 is not a question about how to complain).
        let states_problem = {
            let parts = crate::parts::Parts::new(text);
            parts.tells_what_happened()
                && parts
                    .category(MIN_CONFIDENCE)
                    .is_some_and(|(_, p)| p >= MIN_CONFIDENCE)
        };
        // Said before the next question when a problem is told while the chat waits for a person.
        let mut waiting = String::new();
        if self.phase == Phase::HandedOver {
            // Waiting for a person (once one takes the chat the server keeps 小蜜 quiet); 小蜜
            // still answers what only she can, and drafts a problem told meanwhile.
            if rules_question(text) {
                reply.intent = None;
                reply.text = rules(lang, ctx, self.slots.order_no.as_deref());
                return reply;
            }
            if confident && a.intent == Intent::CheckStatus && addresses_assistant(text) {
                reply.text = status(lang, ctx);
                return reply;
            }
            // A story, not a nudge (「还在吗」 reads as a problem to the model).
            let (han, words) = crate::parts::content(text);
            if !(states_problem && (han >= 6 || words >= 5)) {
                reply.text = t(
                    lang,
                    "已为您转接人工客服，您的留言已转给客服，请稍候回复。",
                    "You are with a human agent now; your message has been passed on. Please wait for their reply.",
                );
                return reply;
            }
            self.phase = Phase::Collecting;
            waiting = t(lang, WHILE_WAITING.0, WHILE_WAITING.1);
        }
        let shortcut = confident && !states_problem;
        if wants_person(text) || (shortcut && a.intent == Intent::Escalate && !self.mid_answer()) {
            self.phase = Phase::HandedOver;
            self.queued = true;
            self.asked = None;
            reply.intent = Some(Intent::Escalate);
            reply.outcome = Outcome::HandOver;
            reply.text = t(
                lang,
                "好的，正在为您转接人工客服（一级调解），我们的对话记录会一并转给客服，请稍候。",
                "Certainly. I am handing you to a human agent (tier 1); they will see our conversation. Please wait a moment.",
            );
            if !states_problem {
                return reply;
            }
            // 「转人工！耳机是假的」: the problem told with the request is drafted while it waits.
            self.phase = Phase::Collecting;
            waiting = format!(
                "{}{}{}",
                reply.text,
                t(lang, "\n", " "),
                t(lang, WHILE_WAITING.0, WHILE_WAITING.1)
            );
        }
        reply.text = waiting;

        if matches!(self.phase, Phase::Collecting | Phase::Confirm)
            && keeps_own_words(text)
            && let Some((original, calm)) = self.pending_rewrite.take()
        {
            let (own, calm) = (
                crate::parts::Parts::new(&original).description(),
                crate::parts::Parts::new(&calm).description(),
            );
            if let Some(d) = &mut self.slots.description {
                *d = d.replace(calm.trim(), own.trim());
            }
            return self.collect_on(ctx, reply, KEPT_OWN_WORDS);
        }
        match self.phase {
            Phase::Rewrite => {
                let (original, calm) = self.pending_rewrite.take().unwrap_or_default();
                if is_yes(text) {
                    self.add_description(&calm);
                    return self.collect_on(
                        ctx,
                        reply,
                        (
                            "好的，已采用平和的版本。",
                            "Done: I used the calmer version. ",
                        ),
                    );
                }
                if is_no(text) {
                    self.add_description(&original);
                    return self.collect_on(ctx, reply, KEPT_OWN_WORDS);
                }
                // Anything else: the offer lapses, the original words stand, the new message is read.
                self.add_description(&original);
                self.phase = Phase::Collecting;
            }
            Phase::Confirm => {
                if is_yes(text) {
                    return self.confirm(ctx, reply);
                }
                // A number for the claim left open, from the choices shown with the draft.
                if let Some(c) = &mut self.slots.claim
                    && c.kind == ClaimKind::Other
                    && let Some(&kind) = ordinal(text)
                        .and_then(|n| n.checked_sub(1))
                        .and_then(|i| CLAIM_CHOICES.get(i))
                {
                    c.kind = kind;
                    self.phase = Phase::Collecting;
                    self.asked = None;
                    reply.text = self.next_step(ctx, &mut reply);
                    return reply;
                }
                if is_no(text) {
                    *self = Session {
                        lang,
                        queued: self.queued,
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
                if (confident && a.intent.category().is_some()) || states_problem {
                    *self = Session {
                        lang,
                        queued: self.queued,
                        ..Session::default()
                    };
                }
            }
            Phase::Collecting | Phase::HandedOver => {}
        }

        // Questions answered at once, whatever else is going on; in the middle of a complaint
        // only when the model is sure (a story about shipping is no question about status).
        let sure_aside =
            !(self.mid_answer() && self.started()) || a.intent_confidence >= ASIDE_CONFIDENCE;
        let shortcut = shortcut && sure_aside;
        if !self.mid_answer() || !self.slot_answer(&folded, &a, ctx) {
            // A question about one rule (7天无理由, a shop's commitments) is answered with that
            // rule, not with how to complain in general.
            if rules_question(text) {
                reply.intent = None;
                reply.text = rules(lang, ctx, self.slots.order_no.as_deref());
                return reply;
            }
            if shortcut && a.intent == Intent::HowToComplain {
                reply.text = how_to_complain(lang);
                if self.started() {
                    let next = self.next_step(ctx, &mut reply);
                    reply.text = format!("{}\n\n{}", reply.text, next);
                }
                return reply;
            }
            if shortcut && a.intent == Intent::CheckStatus {
                reply.text = status(lang, ctx);
                return reply;
            }
        }

        let heated = a.tone == Tone::Emotional;
        let before = self.slots.clone();
        self.absorb(text, &a, ctx, &mut reply);
        let learnt = self.slots != before;

        if !self.started() {
            // Nothing complaint-like yet: the FAQ, or a prompt (after what absorbing said).
            let said = std::mem::take(&mut reply.text);
            reply.text = said
                + &match faq::search(&folded, lang, 1).first() {
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
            // The calmer wording is used at once and said beside the next question, so that
            // filing never waits on it; 「保留原话」 at any later turn puts the consumer's own back.
            // Heat alone (「垃圾商家骗子！！！」) leaves nothing to keep or to offer.
            let calm = crate::rewrite::calm_body(text);
            if !calm.is_empty() {
                self.add_description(&calm);
                self.pending_rewrite = Some((text.trim().to_string(), calm.clone()));
                reply.text.push_str(&t(
                lang,
                format!(
                    "非常理解您的心情。为了让商家和客服更快处理，我把您的话整理成了平和的说法，事实一条都不少：「{calm}」（想用原话，随时回复「保留原话」）\n"
                ),
                format!(
                    "I understand you are upset. Calm wording gets a complaint handled faster, so here is a calmer version, with every fact kept: \"{calm}\" (to use your own words instead, say \"keep my words\" at any time)\n"
                ),
            ));
            }
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
    pub(super) fn mid_answer(&self) -> bool {
        self.phase == Phase::Collecting && self.asked.is_some()
    }

    /// Whether `text` answers the question asked (so that 「三天前」 is not read as something else).
    pub(super) fn slot_answer(&self, text: &str, a: &crate::Analysis, ctx: &Context<'_>) -> bool {
        match self.asked {
            Some(Ask::Order | Ask::Product | Ask::Pick) => {
                a.order_no.is_some()
                    || self.pick(text, ctx).is_some()
                    || crate::slots::product::Mention::new(text, &[]).names_a_product()
            }
            Some(Ask::IncidentAt) => {
                a.incident_at.is_some()
                    || super::facts::known_day(text).is_some()
                    || super::words::does_not_know(text)
            }
            Some(Ask::ClaimKind) => a.claim.is_some(),
            Some(Ask::ClaimAmount) => !amounts(text).is_empty(),
            Some(Ask::Description) => text.chars().count() >= 4,
            Some(Ask::Listing) => !text.trim().is_empty(),
            Some(Ask::Category) | Some(Ask::Shop) | None => false,
        }
    }

    /// Whether a complaint or report is under way.
    pub(super) fn started(&self) -> bool {
        self.slots.category.is_some()
            || self.slots.order_no.is_some()
            || self.slots.product.is_some()
            || self.slots.description.is_some()
    }
}
