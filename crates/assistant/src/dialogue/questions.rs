//! The one question asked next, per missing slot, for complaints and reports.

use weiquan_domain::{Category, ClaimKind};

use crate::Intent;

use super::labels::{category_label, claim_label, day, t, yuan};
use super::orders::MAX_CHOICES;
use super::{
    Ask, Candidate, ClaimDraft, Context, Kind, MIN_DESCRIPTION, Phase, Reply, Session, Shown,
};

/// The claims offered as numbered choices after an answer that did not give one.
pub(super) const CLAIM_CHOICES: [ClaimKind; 5] = [
    ClaimKind::Refund,
    ClaimKind::Return,
    ClaimKind::Exchange,
    ClaimKind::Compensation,
    ClaimKind::Other,
];

/// The personal complaint categories, as numbered choices.
pub(super) const COMPLAINT_KINDS: [Category; 10] = [
    Category::QualityDefect,
    Category::NotAsDescribed,
    Category::Counterfeit,
    Category::FalseAdvertising,
    Category::RefuseToShip,
    Category::LateShipment,
    Category::Harassment,
    Category::ReturnRefused,
    Category::ShippingFee,
    Category::RefundNotReceived,
];

impl Session {
    /// The one thing still missing, asked for; or the draft, shown for confirmation.
    pub(super) fn next_step(&mut self, ctx: &Context<'_>, reply: &mut Reply) -> String {
        let lang = self.lang;
        self.fill_defaults(ctx);
        let mut missing = self.missing(ctx);
        // The same question again means the answer did not give it: count the misses, and
        // after the second move on with what is known rather than ask a third time.
        if missing.is_some() && missing == self.asked {
            self.missed = self.missed.saturating_add(1);
        } else {
            self.missed = 0;
        }
        let mut assumed = String::new();
        // The claim is the last thing asked: after one miss the draft goes ahead with it left
        // open, and the numbered claims come with it (a number changes it, 「确认」 files).
        // An answer that told more of the story instead (「差点吓死，插头那边都黑了」) is kept as
        // what happened, and the question comes once more, as a person would ask it: the story
        // was no answer yet. Never a third time: the next miss leaves the claim open.
        let again = missing == Some(Ask::ClaimKind)
            && self.missed == 1
            && std::mem::take(&mut self.told_instead)
            && !self.claim_asked_again;
        if again {
            self.claim_asked_again = true;
            self.missed = 0;
            self.asked = missing;
            self.choices.clear();
            return t(
                lang,
                "好的，这些情况已经记下了。那您希望商家怎么解决呢？退款、退货退款、换货，还是赔偿？（还没想好也可以说「先听商家方案」）",
                "Noted, that is part of what happened now. And how would you like it resolved: a refund, return and refund, an exchange, or compensation? (or \"hear the shop's offer first\")",
            );
        }
        if self.missed == 1 && missing == Some(Ask::ClaimKind) {
            self.slots.claim = Some(ClaimDraft {
                kind: ClaimKind::Other,
                amount_cents: None,
            });
            assumed = self.claim_choices_note();
            missing = self.missing(ctx);
            self.missed = 0;
        }
        // The sum, asked after the claim, is the last thing asked too: after one answer without
        // it the draft goes ahead with the sum paid, said, to change there (a story told again
        // rarely brings the sum a second asking would).
        if self.missed == 1
            && missing == Some(Ask::ClaimAmount)
            && let Some(note) = self.give_up(Ask::ClaimAmount, ctx)
        {
            assumed.push_str(&note);
            missing = self.missing(ctx);
            self.missed = 0;
        }
        while self.missed >= 2
            && let Some(ask) = missing
            && let Some(note) = self.give_up(ask, ctx)
        {
            assumed.push_str(&note);
            missing = self.missing(ctx);
            self.missed = 0;
        }
        self.asked = missing;
        // The numbered choices this question shows, so that 「第二个」 can answer it.
        match missing {
            Some(Ask::Pick) => {}
            Some(Ask::Order) => {
                self.choices = ctx
                    .orders
                    .iter()
                    .take(MAX_CHOICES)
                    .map(|o| Candidate {
                        order_no: o.order_no.clone(),
                        item: None,
                    })
                    .collect();
            }
            Some(Ask::Product) => {
                let order = self.slots.order_no.clone().unwrap_or_default();
                let narrowed = !self.choices.is_empty()
                    && self
                        .choices
                        .iter()
                        .all(|c| c.order_no == order && c.item.is_some());
                if !narrowed {
                    self.choices = self
                        .order(ctx)
                        .map(|o| {
                            o.items
                                .iter()
                                .map(|i| Candidate {
                                    order_no: o.order_no.clone(),
                                    item: Some(i.clone()),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                }
            }
            _ => self.choices.clear(),
        }
        let Some(ask) = missing else {
            self.phase = Phase::Confirm;
            self.drafted = true;
            let shown = self.build(ctx);
            let text = match &shown {
                Some(Shown::Complaint(d)) => {
                    let when = if self.slots.incident_at.is_none() {
                        t(
                            lang,
                            format!("记不清（按订单日期 {} 记录）", day(d.incident_at)),
                            format!(
                                "not remembered (recorded as the order's date, {})",
                                day(d.incident_at)
                            ),
                        )
                    } else if let Some(h) = self.slots.dated_by_promise
                        && let Some(o) = self.order(ctx)
                        && weiquan_domain::tier3::ship_by(o.paid_at, Some(h))
                            == self.slots.incident_at
                    {
                        // A day counted, not told: what it was counted from, to check.
                        match h {
                            0 => t(
                                lang,
                                format!("{}（按承诺的当天发货推算）", day(d.incident_at)),
                                format!(
                                    "{} (counted from the promised same-day shipping)",
                                    day(d.incident_at)
                                ),
                            ),
                            h => t(
                                lang,
                                format!(
                                    "{}（按承诺的付款后{h}小时内发货推算）",
                                    day(d.incident_at)
                                ),
                                format!(
                                    "{} (when the promised {h}-hour shipping ran out)",
                                    day(d.incident_at)
                                ),
                            ),
                        }
                    } else {
                        day(d.incident_at)
                    };
                    t(
                        lang,
                        format!(
                            "投诉草稿如下：\n订单号：{}\n商品：{}\n问题类型：{}\n发生时间：{}\n经过：{}\n诉求：{}\n确认提交吗？（回复「确认」提交，「取消」放弃，或直接告诉我要修改的内容）",
                            d.order_no,
                            d.product,
                            category_label(lang, d.category),
                            when,
                            d.description,
                            claim_label(lang, &d.claim)
                        ),
                        format!(
                            "Here is the draft complaint:\nOrder: {}\nProduct: {}\nCategory: {}\nWhen: {}\nWhat happened: {}\nClaim: {}\nShall I file it? (\"yes\" to file, \"cancel\" to drop it, or tell me what to change)",
                            d.order_no,
                            d.product,
                            category_label(lang, d.category),
                            when,
                            d.description,
                            claim_label(lang, &d.claim)
                        ),
                    )
                }
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
            return assumed + &text;
        };
        assumed + &self.question(ask, ctx)
    }

    /// The claims as numbered choices, said when the answer did not give one.
    fn claim_choices_note(&self) -> String {
        let lang = self.lang;
        let mut q = t(
            lang,
            "没太明白您希望怎么解决，诉求先写为「暂不提出」（商家会先给出方案）。要改的话回复序号：",
            "I did not quite get how you want it resolved, so the claim is left open for now (the shop proposes a remedy first). To change it, reply with a number:",
        );
        for (n, k) in CLAIM_CHOICES.iter().enumerate() {
            let label = match k {
                ClaimKind::Other => t(
                    lang,
                    "暂不提出，先听商家方案",
                    "nothing yet: hear the shop's offer first",
                ),
                k => k.label(lang).to_owned(),
            };
            q.push_str(&format!("\n{}. {label}", n + 1));
        }
        q.push('\n');
        q
    }

    /// What a refund or a multiple of the price comes to once the order is known: a refund
    /// with no sum is the whole amount paid (the draft shows it, to change), 假一赔四 four
    /// times the price.
    pub(super) fn fill_defaults(&mut self, ctx: &Context<'_>) {
        // A short story whose category is known is complete with the item and the category
        // (「锅的内胆涂层起泡了」 → 「电压力锅 5L，质量问题：锅的内胆涂层起泡了」): asking for more
        // would cost a turn for the form's length alone.
        if self.kind == Kind::Complaint
            && let (Some(product), Some(category), Some(told)) = (
                self.slots.product.clone(),
                self.slots.category,
                self.slots.description.clone(),
            )
            && told.chars().count() < MIN_DESCRIPTION
            && (crate::parts::content(&told).0 >= 5 || crate::parts::content(&told).1 >= 3)
        {
            self.slots.description = Some(t(
                self.lang,
                format!("{product}，{}：{told}", category_label(self.lang, category)),
                format!("{product}: {}. {told}", category_label(self.lang, category)),
            ));
        }
        // A late shipment happened when the promised shipping time ran out: the last day the
        // consumer tells, else the promise as they quote it, else as the listing's title says
        // it, else the shop's commitment. Until the draft is shown: a day the consumer corrects
        // it to then stands.
        if !self.drafted
            && self.slots.category == Some(Category::LateShipment)
            && let Some(by) = self.slots.ship_deadline
        {
            self.slots.incident_at = Some(by.min(ctx.now));
            self.slots.date_unknown = false;
            self.slots.dated_by_promise = None;
        } else if !self.drafted
            && self.slots.category == Some(Category::LateShipment)
            && let Some(o) = self.order(ctx)
        {
            let hours = self
                .slots
                .promised_ship_hours
                .or_else(|| {
                    o.items
                        .iter()
                        .find_map(|t| crate::slots::promise::ship_within_hours(t))
                })
                .or_else(|| o.commitments.as_ref().and_then(|c| c.ship_within_hours));
            if let Some(by) = weiquan_domain::tier3::ship_by(o.paid_at, hours)
                && by <= ctx.now
            {
                self.slots.incident_at = Some(by);
                self.slots.date_unknown = false;
                self.slots.dated_by_promise = hours;
            }
        }
        // A fee charged at payment was charged the day the order was paid; a day that is only
        // when they write (「今天对账才看到」) is when it was noticed.
        if !self.drafted
            && self.slots.category == Some(Category::ShippingFee)
            && self.slots.fee_at_payment
            && self
                .slots
                .incident_at
                .is_none_or(|at| super::facts::says_only_now(at, ctx.now))
            && let Some(o) = self.order(ctx)
        {
            self.slots.incident_at = Some(o.paid_at.min(ctx.now));
            self.slots.date_unknown = false;
        }
        let Some(paid) = self.order(ctx).map(|o| o.amount_cents) else {
            return;
        };
        let multiple = self.slots.multiple;
        if let Some(c) = &mut self.slots.claim
            && c.amount_cents.is_none()
        {
            match (c.kind, multiple) {
                (ClaimKind::Refund, _) => c.amount_cents = Some(paid),
                (ClaimKind::Compensation, Some(n)) => c.amount_cents = Some(paid * i64::from(n)),
                _ => {}
            }
        }
    }

    /// Stops asking for `ask` after two answers that did not give it, taking what can be
    /// taken; what was assumed, to say. `None` when the slot cannot be done without (the order).
    fn give_up(&mut self, ask: Ask, ctx: &Context<'_>) -> Option<String> {
        let lang = self.lang;
        match ask {
            Ask::IncidentAt => {
                self.slots.date_unknown = true;
                Some(t(
                    lang,
                    "时间先不填，按订单日期记录。",
                    "I will leave the date open and use the order's date. ",
                ))
            }
            Ask::ClaimKind => {
                self.slots.claim = Some(ClaimDraft {
                    kind: ClaimKind::Other,
                    amount_cents: None,
                });
                Some(t(
                    lang,
                    "诉求先不写，商家会先给出处理方案。",
                    "I will leave the claim open; the shop will propose a remedy first. ",
                ))
            }
            Ask::ClaimAmount => {
                let paid = self.order(ctx)?.amount_cents;
                let c = self.slots.claim.as_mut()?;
                c.amount_cents = Some(paid);
                Some(t(
                    lang,
                    format!("金额先按实付 {} 填写。", yuan(paid)),
                    format!("I put the {} paid as the amount. ", yuan(paid)),
                ))
            }
            Ask::Category => {
                // The model's surest complaint category over all that was told.
                let told = self.slots.description.clone()?;
                let probs = crate::models().intent_probabilities(&crate::Featurized::new(&told));
                let (c, p) = probs
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| match Intent::ALL.get(i)? {
                        Intent::Complaint(c) if !c.is_report() => Some((*c, *p)),
                        _ => None,
                    })
                    .max_by(|a, b| a.1.total_cmp(&b.1))?;
                self.slots.category = Some(c);
                self.slots.category_confidence = p;
                Some(String::new())
            }
            Ask::Description => {
                let product = self.slots.product.clone()?;
                let category = category_label(lang, self.slots.category?);
                let told = self.slots.description.take().unwrap_or_default();
                self.slots.description = Some(t(
                    lang,
                    format!("{product}，{category}。{told}"),
                    format!("{product}: {category}. {told}"),
                ));
                Some(String::new())
            }
            Ask::Pick => {
                // Asked twice which of the items shown: the one all that was told points at
                // most (the first shown, the best by its words, on a tie), said, so that a
                // wrong guess is seen in the draft.
                let told = self.slots.description.clone().unwrap_or_default();
                let shown = self.shown_items(ctx);
                let s = super::refer::scores(&told, &shown, ctx, true);
                let best = (0..shown.len()).filter(|&i| !s.ruled_out[i]).fold(
                    None,
                    |b: Option<usize>, i| match b {
                        Some(b) if s.score[b] >= s.score[i] => Some(b),
                        _ => Some(i),
                    },
                )?;
                let (o, item) = shown[best];
                self.set_order(&o.order_no, ctx);
                self.slots.product = Some(item.to_string());
                self.choices.clear();
                Some(t(
                    lang,
                    format!(
                        "还没确定是哪一笔，先按您说的最接近的订单 {}（{item}）填写；不对的话在草稿里改正或回复「取消」。",
                        o.order_no
                    ),
                    format!(
                        "I could not tell which one, so I took the closest to what you said, order {} ({item}); correct it in the draft or say \"cancel\" if it is not. ",
                        o.order_no
                    ),
                ))
            }
            Ask::Order | Ask::Product | Ask::Shop | Ask::Listing => None,
        }
    }

    pub(super) fn missing(&self, ctx: &Context<'_>) -> Option<Ask> {
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
            let several_items =
                !self.choices.is_empty() && self.choices.iter().all(|c| c.item.is_some());
            return Some(if several_items { Ask::Pick } else { Ask::Order });
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
        if s.incident_at.is_none() && !s.date_unknown {
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

    pub(super) fn question(&self, ask: Ask, ctx: &Context<'_>) -> String {
        let lang = self.lang;
        match ask {
            Ask::Order => {
                let mut q = t(
                    lang,
                    "请问是哪一笔订单？告诉我18位订单号，或者商品名称也可以。",
                    "Which order is it? Give me the 18-digit order number, or the product's name.",
                );
                if !self.choices.is_empty() {
                    q.push_str(&t(
                        lang,
                        "\n您最近的订单（回复序号即可）：",
                        "\nYour latest orders (a number will do):",
                    ));
                    q.push_str(&self.choice_list(ctx));
                }
                q
            }
            Ask::Pick => {
                let mut q = t(
                    lang,
                    "您有几笔订单都符合，请问是哪一笔订单？（回复序号、订单号或商品名称）",
                    "Several of your orders match. Which order is it? (reply with its number, the order number or the product's name)",
                );
                q.push_str(&self.choice_list(ctx));
                q
            }
            Ask::Product => {
                let mut q = t(
                    lang,
                    "这笔订单里有几件商品，是哪一件有问题？（回复序号或商品名称）",
                    "This order has several items. Which one is it about? (reply with its number or name)",
                );
                q.push_str(&self.choice_list(ctx));
                q
            }
            Ask::Category if self.missed > 0 => {
                let mut q = t(
                    lang,
                    "没太看明白是哪类问题，回复序号即可：",
                    "I could not tell which kind of problem it is; a number will do:",
                );
                for (n, c) in COMPLAINT_KINDS.iter().enumerate() {
                    q.push_str(&format!("\n{}. {}", n + 1, category_label(lang, *c)));
                }
                q
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
            Ask::IncidentAt if self.missed > 0 => t(
                lang,
                "没能看出是哪一天。可以说「昨天」「上周六」「12月3号」「收到那天」；记不清的话，回复「不记得」也可以。",
                "I could not tell the day. You can say \"yesterday\", \"last Saturday\", \"December 3\" or \"the day it arrived\"; if you don't remember, just say so.",
            ),
            Ask::IncidentAt => t(
                lang,
                "这是什么时候发生的？（例如：昨天、三天前、5月4日；记不清可以回复「不记得」）",
                "When did it happen? (for example: yesterday, 3 days ago, May 4; or \"I don't remember\")",
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

    /// The choices shown, numbered: order number, shop, item(s), date paid.
    fn choice_list(&self, ctx: &Context<'_>) -> String {
        let lang = self.lang;
        let mut out = String::new();
        for (n, c) in self.choices.iter().enumerate() {
            let Some(o) = ctx.orders.iter().find(|o| o.order_no == c.order_no) else {
                continue;
            };
            let items = match &c.item {
                Some(i) => i.clone(),
                None => o.items.join(&t(lang, "、", ", ")),
            };
            out.push_str(&t(
                lang,
                format!(
                    "\n{}. 订单 {} · {} · {}（{}）",
                    n + 1,
                    o.order_no,
                    o.shop_name,
                    items,
                    day(o.paid_at)
                ),
                format!(
                    "\n{}. order {} · {} · {} ({})",
                    n + 1,
                    o.order_no,
                    o.shop_name,
                    items,
                    day(o.paid_at)
                ),
            ));
        }
        out
    }
}
