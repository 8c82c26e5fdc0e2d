//! The one question asked next, per missing slot, for complaints and reports.

use weiquan_domain::{Category, ClaimKind};

use super::labels::{category_label, claim_label, day, t, yuan};
use super::orders::MAX_CHOICES;
use super::{Ask, Candidate, Context, Kind, MIN_DESCRIPTION, Phase, Reply, Session, Shown};

impl Session {
    /// The one thing still missing, asked for; or the draft, shown for confirmation.
    pub(super) fn next_step(&mut self, ctx: &Context<'_>, reply: &mut Reply) -> String {
        let lang = self.lang;
        let missing = self.missing(ctx);
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
