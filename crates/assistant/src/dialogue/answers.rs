//! Answers that need no draft: how to complain, the complaints' status, the rules of an order.

use chrono::Duration;
use weiquan_domain::Lang;

use super::labels::{actor_label, category_label, minute, state_label, t};
use super::{Context, OrderInfo};

pub(super) fn how_to_complain(lang: Lang) -> String {
    t(
        lang,
        "投诉很简单，直接在这里告诉我就行：\n1. 说明是哪笔订单（18位订单号）和哪件商品；\n2. 发生了什么、什么时候发生的；\n3. 您希望怎么解决（退款、退货、换货或赔偿，以及金额）；\n4. 保留好证据：商品照片或视频、和商家的聊天记录、物流信息，不要删除订单。\n请尽量平和、具体地描述事实，这样处理最快。流程是：先由商家处理；协商不成由平台客服调解（一级）；仍有争议由消费者保障裁决（二级）；刷单、侵权等违规由平台监管处理（三级）。",
        "Complaining is simple: just tell me here.\n1. Which order (its 18-digit number) and which item;\n2. What happened, and when;\n3. How you want it resolved (refund, return, exchange or compensation, and how much);\n4. Keep evidence: photos or videos of the item, your chat with the shop, tracking details; don't delete the order.\nDescribe the facts calmly and precisely: that is handled fastest. The order of steps: the merchant answers first; if you do not agree, customer service mediates (tier 1); then consumer protection rules (tier 2); violations such as brushing or IP infringement go to platform regulation (tier 3).",
    )
}

pub(super) fn status(lang: Lang, ctx: &Context<'_>) -> String {
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

pub(super) fn rules(lang: Lang, ctx: &Context<'_>, order_no: Option<&str>) -> String {
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
