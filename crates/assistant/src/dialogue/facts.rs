//! Taking the facts a message carries into the slots.

use chrono::{DateTime, Duration, Utc};
use weiquan_domain::{Category, ClaimKind, Lang};

use super::labels::{day, t, yuan};
use super::pick::ordinal;
use super::questions::COMPLAINT_KINDS;
use super::words::{does_not_know, speaks_of_wants};
use super::{Ask, ClaimDraft, Context, Kind, MIN_CONFIDENCE, Phase, Reply, Session};
use crate::Tone;
use crate::parts::Parts;
use crate::slots::claim::{amounts, claim, multiple};
use crate::slots::reference::Reference;

/// The least probability at which a story told unasked is taken as its category.
const FAIR: f32 = 0.25;

impl Session {
    /// Adds what happened to the description: the message without its claim (「要求退款30元」
    /// is the claim, not part of the story).
    pub(super) fn add_description(&mut self, words: &str) {
        let story = Parts::new(words).description();
        let words = story.trim();
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
    pub(super) fn absorb(
        &mut self,
        text: &str,
        a: &crate::Analysis,
        ctx: &Context<'_>,
        reply: &mut Reply,
    ) {
        let lang = self.lang;
        let asked = if self.phase == Phase::Collecting {
            self.asked
        } else {
            None
        };
        let mut descriptive = false;

        // What the matter is: read from what happened, never from what is asked for. Asked
        // outright, the model's best guess is taken even when unsure.
        let parts = Parts::new(text);
        // A short answer to a question about the order, the date or the claim
        // (「订单号是…」, 「11月17号收到的」) is that answer, not a story to classify.
        let answering = matches!(
            asked,
            Some(
                Ask::Order
                    | Ask::Pick
                    | Ask::Product
                    | Ask::IncidentAt
                    | Ask::ClaimKind
                    | Ask::ClaimAmount
            )
        ) && self.slot_answer(text, a, ctx);
        let (han, words) = crate::parts::content(text);
        let story = !answering || parts.clauses.len() >= 2 || han >= 10 || words >= 6;
        let sure = parts
            .category(MIN_CONFIDENCE)
            .filter(|&(_, p)| (story || self.slots.category.is_none()) && p >= MIN_CONFIDENCE);
        // Asked what happened and still unsure: the best guess over all that was told.
        let guess = || {
            let told = match &self.slots.description {
                Some(d) => format!("{d}，{text}"),
                None => text.to_string(),
            };
            Parts::new(&told).category(MIN_CONFIDENCE)
        };
        // A story told but read unsure is still taken when the guess is fair: asking "what went
        // wrong" after the consumer said it costs a turn and rarely gets a clearer answer.
        let fair = || {
            guess().filter(|&(_, p)| {
                story
                    && (han >= 5 || words >= 4)
                    && self.slots.category.is_none()
                    && parts.tells_what_happened()
                    && p >= FAIR
            })
        };
        let reading = sure
            .or_else(|| {
                (asked == Some(Ask::Category) && parts.tells_anything())
                    .then(guess)
                    .flatten()
            })
            .or_else(fair);
        // Heat and nothing else (「垃圾商家骗子！！！」: the calm rewrite keeps no clause of it)
        // tells no category, however sure the model is of one.
        let heat_only = crate::rewrite::calm_body(text).trim().is_empty();
        // All that was told, read far surer than what set the category, replaces it (「这么晚还在
        // 吗 气得睡不着」 read as late shipment, then the rice cooker's peeling coating); so does
        // a later step of the same matter told in a later message that reads surely so, when all
        // that was told reads so too (a parcel that never left, then 「昨天说没货了，让我自己申请
        // 退款」: the shop refuses to send it), as one message's later step is read
        // (`Parts::later_step`). An answer to the claim question tells no step ("cancel it").
        let current = self.slots.category;
        let certain = self.slots.category_confidence >= 1.0;
        let surer = || {
            guess().filter(|&(c, p)| {
                sure.is_some()
                    && story
                    && parts.tells_what_happened()
                    && (p >= self.slots.category_confidence + crate::parts::SURER
                        || (!certain
                            && !matches!(asked, Some(Ask::ClaimKind | Ask::ClaimAmount))
                            && sure
                                .is_some_and(|(now, q)| now == c && q >= crate::parts::LATER_STEP)
                            && current.is_some_and(|first| crate::parts::follows(first, c))))
            })
        };
        let retold = match self.slots.category {
            Some(_) if asked != Some(Ask::Category) => surer(),
            _ => None,
        };
        let reading = retold.or(reading);
        // An order number with hardly a word beside it (「2636…048 这单」, "about 2636…048", the
        // number and the item's name) points at the order and tells nothing yet: no category is
        // read from it (the model hears a report of fake orders in a bare number), and what went
        // wrong is asked next.
        let names_order_only = a.order_no.is_some() && han < 4 && words < 3;
        if let Some((c, p)) = reading.filter(|_| !heat_only && !names_order_only) {
            if self.slots.category.is_none()
                || asked == Some(Ask::Category)
                || (asked == Some(Ask::Description) && sure.is_some())
                || retold.is_some()
            {
                self.slots.category = Some(c);
                self.slots.category_confidence = p;
                self.kind = if c.is_report() {
                    Kind::Report
                } else {
                    Kind::Complaint
                };
            }
            descriptive = story;
        }
        // What happened, told unasked, is the story even when its category is unsure.
        if ((asked == Some(Ask::Description) || asked == Some(Ask::Category))
            && parts.tells_anything())
            || (asked.is_none() && parts.tells_what_happened())
        {
            descriptive = true;
        }
        if names_order_only {
            descriptive = false;
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
        let choosing = matches!(asked, Some(Ask::Order | Ask::Product | Ask::Pick));
        let before = (self.slots.order_no.clone(), self.slots.product.clone());
        let which = if choosing {
            super::words::without_items_already_had(text)
        } else {
            text.to_string()
        };
        if !(choosing && self.take_choice(&which, ctx, reply)) {
            let about_items = super::words::without_talk_of_the_assistant(&which);
            self.resolve_product(&about_items, ctx, reply, choosing);
        }
        // An answer that settled which order or item once the story is told (「大的那辆，不是那个
        // 小伞车」) says which, not what happened: the description stays as told (the chat log,
        // kept as evidence, has every word).
        // An answer that goes on to tell what happened ("The glasses went back because the
        // frame was crooked… eleven days later my card shows nothing") is the story too.
        let tells_more = sure.is_some()
            && parts.tells_what_happened()
            && (han >= 20 || words >= 15)
            && Reference::new(text).exclude.is_empty();
        if choosing
            && self.slots.description.is_some()
            && before != (self.slots.order_no.clone(), self.slots.product.clone())
            && !tells_more
        {
            descriptive = false;
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
            if let Some(p) = &self.slots.product {
                self.slots.listing.get_or_insert_with(|| p.clone());
            } else if asked == Some(Ask::Listing) {
                let l: String = text.trim().chars().take(200).collect();
                if !l.is_empty() {
                    self.slots.listing = Some(l);
                    descriptive = false;
                }
            }
        }
        // When: the time of what happened. A time told of a past step (「上周申请了退款」) is
        // the incident only when the complaint is about that step (a refund that never came; the
        // shop telling the buyer to cancel or ask for a refund, which is its refusal to send).
        let process_matter = matches!(
            self.slots.category,
            Some(
                Category::RefundNotReceived
                    | Category::ReturnRefused
                    | Category::ShippingFee
                    | Category::RefuseToShip
            )
        );
        if let Some(h) = crate::slots::promise::ship_within_hours(text) {
            self.slots.promised_ship_hours = Some(h);
        }
        if let Some(by) = crate::slots::time::deadline_at(text, ctx.now) {
            self.slots.ship_deadline = Some(by);
        }
        if super::words::charged_at_payment(text) {
            self.slots.fee_at_payment = true;
        }
        let when = match parts.problem_time(ctx.now) {
            // Money that has not come is missing until today (「到今天钱都没到账」, "it's the
            // 11th"): the refund happened when it was approved or promised, the day the story
            // tells of that step.
            Some(at)
                if self.slots.category == Some(Category::RefundNotReceived)
                    && says_only_now(at, ctx.now) =>
            {
                parts.process_time(ctx.now).filter(|&p| p < at).or(Some(at))
            }
            Some(at) => Some(at),
            None if process_matter || !parts.has_process() => a.incident_at,
            None => None,
        };
        if let Some(at) = when {
            if at > ctx.now + Duration::minutes(5) {
                reply.text.push_str(&t(
                    lang,
                    "发生时间不能晚于现在。",
                    "The time cannot be in the future. ",
                ));
            } else if !(says_only_now(at, ctx.now)
                && self.slots.incident_at.is_some()
                && asked != Some(Ask::IncidentAt))
            {
                // 「今天都周二了」, "it's monday now" after a day was told: that is when they
                // write, not when it happened.
                self.slots.incident_at = Some(at);
            }
        }
        // Asked when and not given a day: not remembered, or the day it arrived or was paid
        // (the two days the order itself knows).
        if asked == Some(Ask::IncidentAt) && when.is_none() {
            match known_day(text) {
                Some(Known::Arrival) => {
                    if let Some(d) = self.order(ctx).and_then(|o| o.delivered_at) {
                        self.slots.incident_at = Some(d.min(ctx.now));
                    }
                }
                Some(Known::Payment) => {
                    if let Some(o) = self.order(ctx) {
                        self.slots.incident_at = Some(o.paid_at.min(ctx.now));
                    }
                }
                None if does_not_know(text) => self.slots.date_unknown = true,
                None => {}
            }
        }
        // A numbered category, when the categories were shown after a miss.
        if asked == Some(Ask::Category)
            && self.missed > 0
            && let Some(&c) = ordinal(text)
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| COMPLAINT_KINDS.get(i))
        {
            self.slots.category = Some(c);
            self.slots.category_confidence = 1.0;
            descriptive = false;
        }
        // What they want: the claim clauses; the whole answer when it was asked for (「退款就行了」).
        let asked_claim = matches!(asked, Some(Ask::ClaimKind | Ask::ClaimAmount));
        // An answer to the claim question that no claim phrase names is read whole, by words
        // and meaning together (「二十块退我就行」, "I want the money for that tablet back"). The
        // phrases go first: where both read, they are right more often on the development
        // dialogues (「尽快把159退回来」 is money back, which the model reads as a return).
        // Asked what they want, the whole answer is the claim unless it also tells a step
        // already taken (「退货寄回去了，钱退我」): a clause beside the claim clause that names
        // the goods going back (「东西你们拉走，钱退给我」, "take it back and give me my money")
        // makes the claim a return, not a refund.
        let whole = asked_claim && !parts.has_process();
        let price = self.order(ctx).map(|o| o.amount_cents);
        let wanted = whole
            .then(|| claim(text))
            .flatten()
            .or_else(|| parts.claim())
            .or_else(|| asked_claim.then(|| claim(text)).flatten())
            .or_else(|| {
                asked_claim
                    .then(|| crate::claims::asked_for(text))
                    .flatten()
                    .map(|kind| crate::ClaimSlot {
                        kind,
                        amount_cents: None,
                    })
            })
            .or_else(|| {
                (asked == Some(Ask::ClaimKind))
                    .then(|| sum_asked(text, price))
                    .flatten()
            });
        // A claim without its sum takes the one the message names in another clause (「这个必须赔
        // 修起来差不多两百」, 「賠我精神損失，至少500」): a cost, not the price paid for the item,
        // which the order already knows.
        let wanted = wanted.map(|mut c| {
            // Read over the whole answer, a sum told only as what was paid (「花了89元买的，要求
            // 赔偿」) is not the one asked.
            if whole
                && c.amount_cents
                    .is_some_and(|a| !crate::slots::claim::sums_asked(text).contains(&a))
            {
                c.amount_cents = None;
            }
            if c.amount_cents.is_none() {
                c.amount_cents = parts
                    .clauses
                    .iter()
                    .find_map(|cl| crate::slots::claim::bare_sum(&cl.folded))
                    .or_else(|| {
                        parts
                            .clauses
                            .iter()
                            .flat_map(|cl| crate::slots::claim::sums(&cl.folded))
                            .map(|a| a.cents)
                            .find(|&cents| Some(cents) != price)
                    });
            }
            c
        });
        if let Some(c) = wanted {
            if c.kind == ClaimKind::Compensation {
                self.slots.multiple = multiple(text).or(self.slots.multiple);
            }
            let amount = c
                .amount_cents
                .or(self.slots.claim.and_then(|x| x.amount_cents));
            // Asked how much, the answer tells a sum: the remedy already chosen stays (a story
            // told again that mentions 「我申请退款」 does not turn compensation into a refund).
            let kind = match self.slots.claim {
                Some(x) if asked == Some(Ask::ClaimAmount) => x.kind,
                _ => c.kind,
            };
            self.slots.claim = Some(ClaimDraft {
                kind,
                amount_cents: amount,
            });
        } else if asked == Some(Ask::ClaimAmount)
            && let Some(cents) = amounts(text)
                .first()
                .map(|a| a.cents)
                .or_else(|| crate::slots::claim::bare_sum(text))
            && let Some(claim) = &mut self.slots.claim
        {
            claim.amount_cents = Some(cents);
        }
        // 「全额退款」, "a full refund": the whole sum paid.
        let paid = self.order(ctx).map(|o| o.amount_cents);
        // Money back with no sum beside it takes the price the consumer told in any message
        // (「399买的」 then 「退货退款」): the sum at issue, in their own words. Only the price
        // itself: another sum told (a doctor's bill, a coupon) is no part of a refund.
        for a in crate::slots::claim::sums(text) {
            if !self.sums_told.contains(&a.cents) {
                self.sums_told.push(a.cents);
            }
        }
        if let (Some(claim), Some(paid)) = (&mut self.slots.claim, paid)
            && matches!(claim.kind, ClaimKind::Refund | ClaimKind::Return)
            && claim.amount_cents.is_none()
            && self.sums_told.contains(&paid)
        {
            claim.amount_cents = Some(paid);
        }
        if let (Some(claim), Some(paid)) = (&mut self.slots.claim, paid)
            && claim.kind == ClaimKind::Refund
            && claim.amount_cents.is_none()
            && (wanted.is_some() || asked == Some(Ask::ClaimAmount))
            && asks_in_full(text)
        {
            claim.amount_cents = Some(paid);
        }
        // The filing rule (weiquan_domain::filing): nothing happens more than a day before the
        // order was paid. Said now, and asked again, rather than failing at the confirmation.
        if let (Some(at), Some(o)) = (self.slots.incident_at, self.order(ctx))
            && at < o.paid_at - Duration::days(1)
        {
            reply.text.push_str(&t(
                lang,
                format!(
                    "发生时间（{}）早于这笔订单的付款时间（{}），请再确认一下。",
                    day(at),
                    day(o.paid_at)
                ),
                format!(
                    "That date ({}) is before the order was paid ({}); please check it. ",
                    day(at),
                    day(o.paid_at)
                ),
            ));
            self.slots.incident_at = None;
        }
        if let (Some(claim), Some(paid)) = (&mut self.slots.claim, paid)
            && matches!(claim.kind, ClaimKind::Refund | ClaimKind::Return)
            && claim.amount_cents.is_some_and(|a| a > paid)
        {
            reply.text.push_str(&t(
                lang,
                format!(
                    "退款金额不能超过实付金额 {}，已按 {} 填写。",
                    yuan(paid),
                    yuan(paid)
                ),
                format!(
                    "A refund cannot exceed the {} paid, so I put {}. ",
                    yuan(paid),
                    yuan(paid)
                ),
            ));
            claim.amount_cents = Some(paid);
        }
        // Asked what they want and told more of the story instead (or venting): what was told is
        // what happened, and the question comes once more. An answer that speaks of wants or
        // leaves it to others (「你们看着办」, "I just want it to stop") is an answer: no remedy.
        self.told_instead = asked == Some(Ask::ClaimKind)
            && self.slots.claim.is_none()
            && !speaks_of_wants(text)
            && (a.tone == Tone::Emotional
                || text.contains(['?', '？'])
                || parts
                    .category(MIN_CONFIDENCE)
                    .is_some_and(|(_, p)| p >= FAIR));
        if self.told_instead {
            descriptive = true;
        }
        if descriptive
            && self.phase == Phase::Collecting
            && a.tone == Tone::Calm
            && !(self.drafted && super::words::edits_draft(text))
        {
            self.add_description(text);
        }
    }
}

/// Whether the claim is for the whole sum paid (全额, 全款, 全部退, "full refund", "all of it").
fn asks_in_full(text: &str) -> bool {
    let l = crate::fold::simplify(text).to_lowercase();
    [
        "全额",
        "全款",
        "全部退",
        "全部的钱",
        "都退",
        "in full",
        "full refund",
        "all of it",
        "everything i paid",
        "full amount",
    ]
    .iter()
    .any(|k| l.contains(k))
}

/// A day the order itself knows, named instead of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Known {
    /// 「收到那天」, 「到货当天」, "the day it arrived", "when it came".
    Arrival,
    /// 「下单那天」, 「付款当天」, "the day I ordered".
    Payment,
}

/// Whether an answer to "when" names the delivery or the payment instead of a date.
pub(super) fn known_day(text: &str) -> Option<Known> {
    let l = crate::fold::simplify(text).to_lowercase();
    let has = |ws: &[&str]| ws.iter().any(|w| l.contains(w));
    // Told as a time: a short answer (「收到那天」, 「收到的时候就坏了」, "when it came"), or one
    // that points at the day (那天, 当时, "the day", "as soon as"). A story that only mentions
    // ordering or the parcel ("ordered a 7, the box says 8", 「下单的时候选的是白色，发来黑色」
    // aside) tells no day: the question comes again.
    let (han, words) = crate::parts::content(&l);
    let short = han <= 8 && words <= 5;
    let pointed = has(&[
        "那天",
        "当天",
        "那日",
        "当日",
        "那时",
        "当时",
        "一到",
        "刚到",
        "刚收",
        "the day",
        "that day",
        "when",
        "as soon as",
        "right after",
        "on arrival",
        "upon",
        "the moment",
    ]);
    if !(short || pointed) {
        return None;
    }
    if has(&[
        "收到",
        "到货",
        "到的",
        "签收",
        "拿到",
        "送到",
        "到手",
        "arrived",
        "arrival",
        "came",
        "delivered",
        "delivery",
        "got it",
        "received",
    ]) {
        Some(Known::Arrival)
    } else if has(&[
        "下单",
        "付款",
        "付的款",
        "买的那天",
        "拍下",
        "ordered",
        "paid",
        "bought it",
        "purchase",
    ]) {
        Some(Known::Payment)
    } else {
        None
    }
}

/// Whether `at` is only today, the day the consumer writes on (Asia/Shanghai).
pub(super) fn says_only_now(at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    let tz = crate::slots::time::shanghai();
    at.with_timezone(&tz).date_naive() == now.with_timezone(&tz).date_naive()
}

/// A sum asked with no remedy named, in answer to the claim question (「把159打给我」, 「那三十块
/// 赶紧给我」, "my 899, nothing more", "I want 200 yuan for the desk"): money back when it is no
/// more than was paid; above it, it can only be a loss made good.
fn sum_asked(text: &str, price: Option<i64>) -> Option<crate::ClaimSlot> {
    let cents = crate::slots::claim::sums_asked(text).into_iter().next()?;
    let kind = match price {
        Some(paid) if cents > paid => ClaimKind::Compensation,
        _ => ClaimKind::Refund,
    };
    Some(crate::ClaimSlot {
        kind,
        amount_cents: Some(cents),
    })
}
