use chrono::{Duration, TimeZone};

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 10, 4, 0, 0).unwrap()
}

fn orders() -> Vec<OrderInfo> {
    vec![
        OrderInfo {
            order_no: "202605041234567890".into(),
            shop_id: "shop-cups".into(),
            shop_name: "好杯子旗舰店".into(),
            items: vec!["316不锈钢保温杯 大容量".into()],
            amount_cents: 5990,
            paid_at: now() - Duration::days(6),
            delivered_at: Some(now() - Duration::days(3)),
            commitments: Some(Commitments {
                seven_day_return: true,
                authentic_guarantee: false,
                ship_within_hours: Some(48),
            }),
        },
        OrderInfo {
            order_no: "202605011111111111".into(),
            shop_id: "shop-audio".into(),
            shop_name: "声学数码专营店".into(),
            items: vec!["降噪蓝牙耳机 无线 运动".into(), "耳机保护套".into()],
            amount_cents: 29900,
            paid_at: now() - Duration::days(9),
            delivered_at: Some(now() - Duration::days(7)),
            commitments: None,
        },
    ]
}

fn say(s: &mut Session, text: &str) -> Reply {
    let orders = orders();
    let complaints = [];
    s.turn(
        text,
        &Context {
            now: now(),
            orders: &orders,
            complaints: &complaints,
            meaning: None,
        },
    )
}

#[test]
fn a_leaking_cup_becomes_a_complete_draft_one_question_at_a_time() {
    let mut s = Session::default();
    let r = say(&mut s, "我买的杯子漏水");
    assert_eq!(r.intent, Some(Intent::Complaint(Category::QualityDefect)));
    assert_eq!(
        s.slots.order_no.as_deref(),
        Some("202605041234567890"),
        "matched by product"
    );
    assert_eq!(s.slots.product.as_deref(), Some("316不锈钢保温杯 大容量"));
    // A short story with a clear category is not asked for again: the item and the category
    // complete it for the form.
    assert_eq!(s.asked, Some(Ask::IncidentAt), "{}", r.text);
    assert!(
        s.slots
            .description
            .as_deref()
            .is_some_and(|d| d.contains("质量问题") && d.contains("杯子漏水")),
        "{:?}",
        s.slots.description
    );

    // More told unasked joins the story; the date is asked again.
    let r = say(&mut s, "倒满热水以后杯底一直往外渗水，桌子都湿了");
    assert_eq!(s.asked, Some(Ask::IncidentAt), "{}", r.text);
    let r = say(&mut s, "昨天");
    assert_eq!(
        s.slots.incident_at,
        Some(Utc.with_ymd_and_hms(2026, 5, 8, 16, 0, 0).unwrap())
    );
    assert_eq!(s.asked, Some(Ask::ClaimKind), "{}", r.text);
    // A refund with no sum is the amount paid, shown in the draft to change.
    let r = say(&mut s, "退款");
    assert_eq!(s.phase, Phase::Confirm, "{}", r.text);
    assert!(r.text.contains("59.90"), "{}", r.text);
    let Some(Shown::Complaint(d)) = r.draft.clone() else {
        panic!("a draft: {r:?}")
    };
    assert_eq!(d.category, Category::QualityDefect);
    assert_eq!(
        d.claim,
        ClaimDraft {
            kind: ClaimKind::Refund,
            amount_cents: Some(5990)
        }
    );
    assert!(d.description.contains("杯子漏水") && d.description.contains("杯底"));
    assert!(r.text.contains("确认提交吗"));
    assert_eq!(
        r.outcome,
        Outcome::None,
        "nothing is filed before the consumer says so"
    );

    let r = say(&mut s, "确认");
    assert_eq!(r.outcome, Outcome::File(d));
    let done = s.filed(17);
    assert!(done.contains("#17") && s.phase == Phase::Filed);
}

#[test]
fn one_message_with_every_fact_goes_straight_to_the_draft() {
    let mut s = Session::default();
    let r = say(
        &mut s,
        "订单号202605041234567890，保温杯昨天收到就漏水，杯底一直渗水，要求退款59.9元",
    );
    assert_eq!(s.phase, Phase::Confirm, "{}", r.text);
    assert!(matches!(r.draft, Some(Shown::Complaint(_))));
}

#[test]
fn an_order_with_several_items_asks_which_one() {
    let mut s = Session::default();
    say(&mut s, "订单202605011111111111的东西有质量问题");
    assert_eq!(s.asked, Some(Ask::Product));
    let r = say(&mut s, "蓝牙耳机");
    assert_eq!(
        s.slots.product.as_deref(),
        Some("降噪蓝牙耳机 无线 运动"),
        "{}",
        r.text
    );
}

#[test]
fn an_order_number_not_among_the_consumers_is_refused() {
    let mut s = Session::default();
    let r = say(&mut s, "订单号999999999999999999的耳机是假货");
    assert!(
        r.text.contains("没有找到订单号 999999999999999999"),
        "{}",
        r.text
    );
    assert_ne!(s.slots.order_no.as_deref(), Some("999999999999999999"));
    let r = say(&mut s, "订单号是888888888888888888");
    assert!(
        r.text.contains("没有找到订单号 888888888888888888"),
        "{}",
        r.text
    );
}

#[test]
fn heated_words_get_a_calm_rewrite_that_keeps_the_facts_without_costing_a_turn() {
    let mut s = Session::default();
    let r = say(
        &mut s,
        "垃圾商家！！！保温杯用了两天就漏水，骗子，不退钱我就曝光你们！！！",
    );
    assert_eq!(r.tone, Tone::Emotional);
    // The calmer version is used and said, and the next question comes in the same reply.
    assert_eq!(s.phase, Phase::Collecting);
    let (_, calm) = s.pending_rewrite.clone().unwrap();
    assert!(r.text.contains(&calm));
    assert!(
        !calm.contains("垃圾") && !calm.contains("骗子") && !calm.contains("！！！"),
        "{calm}"
    );
    assert!(calm.contains("漏水") && calm.contains("两天"), "{calm}");
    assert_eq!(s.awaiting(), Some("when"), "{}", r.text);
    assert!(r.text.contains("什么时候"), "{}", r.text);
    let d = s.slots.description.clone().unwrap();
    assert!(d.contains("漏水") && !d.contains("骗子"), "{d}");
}

#[test]
fn the_consumer_may_keep_their_own_words() {
    let mut s = Session::default();
    say(&mut s, "保温杯漏水了，什么破东西！！！气死我了");
    assert!(!s.slots.description.as_deref().unwrap().contains("破东西"));
    say(&mut s, "昨天");
    let r = say(&mut s, "保留原话");
    assert!(
        s.slots.description.as_deref().unwrap().contains("破东西"),
        "{:?}",
        s.slots.description
    );
    assert!(r.text.contains("原话"), "{}", r.text);
}

#[test]
fn escalation_hands_the_session_over() {
    let mut s = Session::default();
    say(&mut s, "我买的杯子漏水");
    let r = say(&mut s, "转人工");
    assert_eq!(r.outcome, Outcome::HandOver);
    assert_eq!(s.phase, Phase::HandedOver);
    let r = say(&mut s, "还在吗");
    assert_eq!(r.outcome, Outcome::None);
    assert!(r.text.contains("人工"));
}

#[test]
fn brushing_becomes_a_report_not_a_complaint() {
    let mut s = Session::default();
    let r = say(
        &mut s,
        "我要举报声学数码专营店刷单，他们找人刷好评还给好评返现",
    );
    assert_eq!(s.kind, Kind::Report, "{r:?}");
    assert_eq!(s.slots.shop_id.as_deref(), Some("shop-audio"));
    let Some(Shown::Report(rep)) = r.draft else {
        panic!("a report draft: {}", r.text)
    };
    assert_eq!(rep.kind, Category::FakeTransactions);
    let r = say(&mut s, "确认");
    assert!(matches!(r.outcome, Outcome::Report(_)));
}

#[test]
fn a_report_without_a_shop_asks_for_it() {
    let mut s = Session::default();
    let r = say(&mut s, "有家店卖的是盗版侵权的商品，盗用别人的品牌商标");
    assert_eq!(s.kind, Kind::Report, "{}", r.text);
    assert_eq!(s.asked, Some(Ask::Shop));
    assert!(r.text.contains("好杯子旗舰店"));
}

#[test]
fn status_lists_complaints_and_who_acts_next() {
    let orders = orders();
    let complaints = [ComplaintInfo {
        id: 5,
        order_no: "202605041234567890".into(),
        product: "316不锈钢保温杯 大容量".into(),
        category: Category::QualityDefect,
        state: "awaiting_merchant".into(),
        next_actor: Some("merchant".into()),
        deadline_at: Some(now() + Duration::hours(48)),
    }];
    let ctx = Context {
        now: now(),
        orders: &orders,
        complaints: &complaints,
        meaning: None,
    };
    let r = Session::default().turn("我的投诉处理到哪一步了", &ctx);
    assert_eq!(r.intent, Some(Intent::CheckStatus));
    assert!(
        r.text.contains("#5") && r.text.contains("待商家处理") && r.text.contains("商家"),
        "{}",
        r.text
    );
    let r = Session::default().turn("what is the status of my complaint?", &ctx);
    assert!(r.text.contains("awaiting the merchant"), "{}", r.text);
}

#[test]
fn how_to_complain_and_the_rules_are_answered() {
    let mut s = Session::default();
    let r = say(&mut s, "怎么投诉商家？需要准备什么");
    assert_eq!(r.intent, Some(Intent::HowToComplain));
    assert!(r.text.contains("证据") && r.text.contains("订单号") && r.text.contains("一级"));
    let r = say(&mut s, "七天无理由退货是什么规则？");
    assert!(
        r.text.contains("7天内") && r.text.contains("好杯子旗舰店"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("48小时内发货"),
        "the shop's commitments: {}",
        r.text
    );
}

#[test]
fn english_is_answered_in_english() {
    let mut s = Session::default();
    let r = say(&mut s, "The cup from order 202605041234567890 leaks water");
    assert_eq!(s.lang, Lang::En);
    assert_eq!(s.slots.product.as_deref(), Some("316不锈钢保温杯 大容量"));
    assert_eq!(s.asked, Some(Ask::IncidentAt), "{}", r.text);
    assert!(r.text.starts_with("When did it happen"), "{}", r.text);
    let r = say(&mut s, "yesterday");
    assert!(
        r.text.contains("How would you like it resolved"),
        "{}",
        r.text
    );
}

#[test]
fn an_unrelated_question_falls_back_to_the_faq() {
    let mut s = Session::default();
    let r = say(&mut s, "运费险怎么理赔");
    assert!(r.text.contains("运费险"), "{}", r.text);
    assert_eq!(s.phase, Phase::Collecting);
}

#[test]
fn the_session_survives_json() {
    let mut s = Session::default();
    say(&mut s, "我买的杯子漏水");
    let back: Session = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

#[test]
fn cancelling_the_draft_starts_over() {
    let mut s = Session::default();
    say(
        &mut s,
        "订单号202605041234567890，保温杯昨天收到就漏水，杯底一直渗水，要求退款59.9元",
    );
    let r = say(&mut s, "取消");
    assert_eq!(s, Session::default());
    assert!(r.text.contains("取消"));
}

#[test]
fn an_ip_report_asks_for_the_shop_then_the_listing() {
    let mut s = Session::default();
    say(&mut s, "有家店卖的是盗版侵权的商品，盗用别人的品牌商标");
    assert_eq!(s.asked, Some(Ask::Shop));
    let r = say(&mut s, "好杯子旗舰店");
    assert_eq!(s.slots.shop_id.as_deref(), Some("shop-cups"), "{}", r.text);
    assert_eq!(s.asked, Some(Ask::Listing), "{}", r.text);
    let r = say(&mut s, "那款大容量保温杯");
    let Some(Shown::Report(rep)) = r.draft else {
        panic!("a report draft: {}", r.text)
    };
    assert_eq!(rep.kind, Category::IpInfringement);
    assert_eq!(rep.listing.as_deref(), Some("316不锈钢保温杯 大容量"));
    assert!(r.text.contains("平台监管"));
}

#[test]
fn a_refund_above_the_price_is_refused_in_the_chat() {
    let mut s = Session::default();
    let r = say(
        &mut s,
        "订单号202605041234567890，保温杯昨天收到就漏水，杯底一直渗水，要求退款100元",
    );
    assert!(r.text.contains("不能超过实付金额 ¥59.90"), "{}", r.text);
    assert_eq!(s.slots.claim.and_then(|c| c.amount_cents), Some(5990));
    assert_eq!(s.awaiting(), Some("confirm"), "{}", r.text);
}

fn order(no: &str, shop: &str, item: &str, cents: i64, days_ago: i64) -> OrderInfo {
    OrderInfo {
        order_no: no.into(),
        shop_id: format!("shop-{}", &no[14..]),
        shop_name: shop.into(),
        items: vec![item.into()],
        amount_cents: cents,
        paid_at: now() - Duration::days(days_ago),
        delivered_at: Some(now() - Duration::days(days_ago - 3)),
        commitments: None,
    }
}

fn say_with(s: &mut Session, orders: &[OrderInfo], text: &str) -> Reply {
    s.turn(
        text,
        &Context {
            now: now(),
            orders,
            complaints: &[],
            meaning: None,
        },
    )
}

fn home_orders() -> Vec<OrderInfo> {
    vec![
        order(
            "202605081000000001",
            "家居好物店",
            "电热水壶 1.7L 自动断电",
            8900,
            5,
        ),
        order(
            "202605071000000002",
            "日用百货店",
            "加厚垃圾袋 家用 100只",
            1590,
            6,
        ),
        order(
            "202605061000000003",
            "收纳之家",
            "厨房置物架 落地多层",
            5900,
            7,
        ),
        order(
            "202605051000000004",
            "好杯子旗舰店",
            "316不锈钢保温杯 500ml",
            5990,
            8,
        ),
        order("202605041000000005", "陶瓷小铺", "陶瓷马克杯 带盖", 3500, 9),
    ]
}

#[test]
fn the_category_comes_from_what_happened_not_from_the_claim() {
    let orders = home_orders();
    let mut s = Session::default();
    let r = say_with(
        &mut s,
        &orders,
        "订单202605061000000003的厨房置物架收到就是断的，5月8号到的货，要求退款30元",
    );
    assert_eq!(
        s.slots.category,
        Some(Category::QualityDefect),
        "{}",
        r.text
    );
    assert_eq!(
        s.slots.claim,
        Some(ClaimDraft {
            kind: ClaimKind::Refund,
            amount_cents: Some(3000)
        })
    );
    let d = s.slots.description.clone().unwrap();
    assert!(d.contains("断") && !d.contains("退款"), "{d}");
    assert_eq!(s.phase, Phase::Confirm, "{}", r.text);
}

#[test]
fn a_past_refund_is_a_fact_and_without_a_problem_it_is_the_category() {
    let orders = home_orders();
    let mut s = Session::default();
    say_with(
        &mut s,
        &orders,
        "置物架退货寄回去十天了，钱到现在还没退给我",
    );
    assert_eq!(s.slots.category, Some(Category::RefundNotReceived));
    assert_eq!(s.slots.claim, None, "a past return is not the claim");
}

#[test]
fn a_product_no_order_holds_is_not_guessed_from_a_modifier() {
    let orders: Vec<OrderInfo> = home_orders()
        .into_iter()
        .filter(|o| !o.items[0].contains('杯'))
        .collect();
    let mut s = Session::default();
    let r = say_with(&mut s, &orders, "我买的杯子漏水");
    assert_eq!(s.slots.order_no, None, "{}", r.text);
    assert_eq!(s.awaiting(), Some("order"));
    let r = say_with(&mut s, &orders, "昨天收到的，倒热水就从底部漏");
    assert_eq!(s.slots.order_no, None, "热水 is no kettle: {}", r.text);
    assert!(
        s.slots.description.as_deref().unwrap().contains("底部漏"),
        "{:?}",
        s.slots
    );
    assert_eq!(s.awaiting(), Some("order"), "{}", r.text);
    // The order list is numbered: a number answers.
    let r = say_with(&mut s, &orders, "第一个");
    assert_eq!(s.slots.order_no.as_deref(), Some("202605081000000001"));
    assert_ne!(s.awaiting(), Some("what_happened"), "{}", r.text);
    let r = say_with(&mut s, &orders, "退款");
    assert!(
        !s.slots.description.as_deref().unwrap().contains("退款"),
        "{:?}",
        s.slots
    );
    assert_eq!(s.awaiting(), Some("confirm"), "{}", r.text);
    assert_eq!(
        s.slots.claim.and_then(|c| c.amount_cents),
        Some(orders[0].amount_cents),
        "a refund with no sum is the amount paid"
    );
}

#[test]
fn an_insult_is_never_a_product() {
    let orders = home_orders();
    let mut s = Session::default();
    let r = say_with(&mut s, &orders, "垃圾商家骗子！！！");
    assert_eq!(s.slots.order_no, None, "{}", r.text);
    assert_eq!(s.slots.product, None);
}

#[test]
fn several_matching_items_are_asked_about_and_a_number_picks() {
    let orders = home_orders();
    let mut s = Session::default();
    let r = say_with(&mut s, &orders, "我买的杯子漏水");
    assert_eq!(s.slots.order_no, None);
    assert_eq!(s.awaiting(), Some("pick"), "{}", r.text);
    assert!(
        r.text.contains("1. ") && r.text.contains("保温杯") && r.text.contains("马克杯"),
        "{}",
        r.text
    );
    let second = s.choices[1].clone();
    let r = say_with(&mut s, &orders, "第二个");
    assert_eq!(s.slots.order_no.as_deref(), Some(second.order_no.as_str()));
    assert!(r.text.contains(&second.order_no), "{}", r.text);

    // The product word answers too.
    let mut s = Session::default();
    say_with(&mut s, &orders, "我买的杯子漏水");
    say_with(&mut s, &orders, "马克杯");
    assert_eq!(s.slots.order_no.as_deref(), Some("202605041000000005"));
}

#[test]
fn the_chosen_order_is_said_and_english_and_traditional_match_too() {
    let orders = home_orders();
    let mut s = Session::default();
    let r = say_with(&mut s, &orders, "the thermos cup I bought leaks");
    assert_eq!(s.slots.order_no.as_deref(), Some("202605051000000004"));
    assert!(r.text.contains("202605051000000004"), "{}", r.text);

    let mut s = Session::default();
    let r = say_with(&mut s, &orders, "我買的保溫杯漏水了");
    assert_eq!(s.slots.order_no.as_deref(), Some("202605051000000004"));
    // Answered in the consumer's script.
    assert!(r.text.contains("已為您匹配訂單"), "{}", r.text);
    assert_eq!(s.slots.category, Some(Category::QualityDefect));
    // A reply alike in both scripts keeps it; simplified writing switches back.
    let r = say_with(&mut s, &orders, "好的");
    assert!(
        !r.text.is_empty()
            && crate::fold::script_of(&r.text) != Some(crate::fold::Script::Simplified),
        "{}",
        r.text
    );
    let r = say_with(&mut s, &orders, "昨天到的货");
    assert_ne!(
        crate::fold::script_of(&r.text),
        Some(crate::fold::Script::Taiwan),
        "{}",
        r.text
    );
}

#[test]
fn cantonese_is_answered_in_hong_kong_characters() {
    let orders = home_orders();
    let mut s = Session::default();
    let r = say_with(&mut s, &orders, "個保溫杯漏咗水，琴日先收到");
    assert_eq!(s.script, crate::fold::Script::HongKong);
    assert!(r.text.contains("訂單"), "{}", r.text);
}

#[test]
fn a_full_refund_is_the_sum_paid() {
    let orders = home_orders();
    let mut s = Session::default();
    say_with(&mut s, &orders, "保温杯昨天收到就漏水，杯底一直渗水");
    say_with(&mut s, &orders, "全额退款");
    assert_eq!(
        s.slots.claim,
        Some(ClaimDraft {
            kind: ClaimKind::Refund,
            amount_cents: Some(5990)
        })
    );
    assert_eq!(s.awaiting(), Some("confirm"));
}

#[test]
fn a_problem_told_is_a_complaint_even_worded_as_how_to_complain() {
    let orders = home_orders();
    let mut s = Session::default();
    let r = say_with(
        &mut s,
        &orders,
        "我要投诉，买的保温杯收到就漏水，杯底一直渗",
    );
    assert_eq!(
        s.slots.category,
        Some(Category::QualityDefect),
        "{}",
        r.text
    );
    assert_eq!(s.slots.order_no.as_deref(), Some("202605051000000004"));
}

#[test]
fn the_time_of_a_past_step_is_not_the_time_of_the_problem() {
    let orders = home_orders();
    let mut s = Session::default();
    say_with(
        &mut s,
        &orders,
        "上周申请了退款商家一直拖着不处理，置物架质量有问题 一放东西就塌",
    );
    assert_eq!(s.slots.category, Some(Category::QualityDefect));
    assert_eq!(
        s.slots.incident_at, None,
        "上周 is when the refund was asked"
    );
    assert_eq!(s.awaiting(), Some("when"));

    // About the step itself, its time is the incident's.
    let mut s = Session::default();
    say_with(&mut s, &orders, "置物架前天申请的退款，到现在还没到账");
    assert_eq!(s.slots.category, Some(Category::RefundNotReceived));
    assert_eq!(
        s.slots.incident_at,
        Some(Utc.with_ymd_and_hms(2026, 5, 7, 16, 0, 0).unwrap())
    );
}

#[test]
fn a_claim_no_phrase_names_is_read_by_words_and_meaning() {
    // Neither answer holds a claim phrase (退款, 退货, 换…, 赔, refund, return, exchange…): the
    // claim model reads them whole.
    for (answer, kind) in [
        ("杯子我就留着用了，五十九块打回我支付宝", ClaimKind::Refund),
        (
            "I'd like a fresh one that doesn't leak, same model",
            ClaimKind::Exchange,
        ),
    ] {
        assert_eq!(crate::slots::claim(answer), None, "{answer}");
        let mut s = Session::default();
        say(&mut s, "保温杯漏水，昨天发现的");
        assert_eq!(s.awaiting(), Some("claim"));
        let r = say(&mut s, answer);
        assert_eq!(
            s.slots.claim.map(|c| c.kind),
            Some(kind),
            "{answer}: {}",
            r.text
        );
    }
}

#[test]
fn a_claim_not_understood_leaves_it_open_with_numbered_choices_beside_the_draft() {
    let mut s = Session::default();
    say(&mut s, "保温杯漏水，昨天发现的");
    assert_eq!(s.awaiting(), Some("claim"));
    let r = say(&mut s, "你们看着办吧");
    assert_eq!(s.awaiting(), Some("confirm"), "{}", r.text);
    assert_eq!(s.slots.claim.map(|c| c.kind), Some(ClaimKind::Other));
    assert!(
        r.text.contains("1. 退款") && r.text.contains("3. 换货"),
        "{}",
        r.text
    );
    // A number changes it; the draft is shown again.
    let r = say(&mut s, "3");
    assert_eq!(s.slots.claim.map(|c| c.kind), Some(ClaimKind::Exchange));
    assert_eq!(s.awaiting(), Some("confirm"), "{}", r.text);
    // Confirmed as it is, it is filed with the claim open.
    let mut s = Session::default();
    say(&mut s, "保温杯漏水，昨天发现的");
    say(&mut s, "你们看着办吧");
    let r = say(&mut s, "确认");
    assert!(matches!(r.outcome, Outcome::File(ref d) if d.claim.kind == ClaimKind::Other));
}

#[test]
fn more_story_instead_of_a_claim_is_kept_and_the_claim_asked_once_more() {
    // The claim question answered with more of the story or with venting: what was told joins
    // what happened and the question comes again; the claim given then is taken.
    for (story, claim, kind) in [
        (
            "刚拆开的时候还好好的，真是服了",
            "退钱吧",
            ClaimKind::Refund,
        ),
        (
            "杯子一倒過來就漏，氣死我了，這什麼品質？",
            "換一個新的給我",
            ClaimKind::Exchange,
        ),
        (
            "it only started after a week, and I barely used it",
            "a refund please",
            ClaimKind::Refund,
        ),
    ] {
        let mut s = Session::default();
        say(&mut s, "保温杯漏水，昨天发现的");
        assert_eq!(s.awaiting(), Some("claim"));
        let r = say(&mut s, story);
        assert_eq!(s.awaiting(), Some("claim"), "{story}: {}", r.text);
        assert_eq!(s.slots.claim, None, "{story}");
        let told = s.slots.description.clone().unwrap_or_default();
        assert!(told.contains(&story[..9]), "{story}: {told}");
        let r = say(&mut s, claim);
        assert_eq!(
            s.slots.claim.map(|c| c.kind),
            Some(kind),
            "{claim}: {}",
            r.text
        );
        assert_eq!(s.awaiting(), Some("confirm"), "{}", r.text);
    }
    // Never a third time: a second story leaves the claim open beside the draft.
    let mut s = Session::default();
    say(&mut s, "保温杯漏水，昨天发现的");
    say(&mut s, "刚拆开的时候还好好的，真是服了");
    let r = say(&mut s, "客服到现在都不回我消息，这是什么态度？");
    assert_eq!(s.awaiting(), Some("confirm"), "{}", r.text);
    assert_eq!(s.slots.claim.map(|c| c.kind), Some(ClaimKind::Other));
    // An answer that leaves it to others or wants no remedy is an answer, not more story.
    for answer in [
        "没想好要什么，你们先查一下这家店",
        "我也說不好，你們決定吧",
        "dunno, I just want someone to look at it",
    ] {
        let mut s = Session::default();
        say(&mut s, "保温杯漏水，昨天发现的");
        let r = say(&mut s, answer);
        assert_eq!(s.awaiting(), Some("confirm"), "{answer}: {}", r.text);
        assert_eq!(s.slots.claim.map(|c| c.kind), Some(ClaimKind::Other));
    }
}

#[test]
fn an_order_number_with_hardly_a_word_beside_it_starts_a_complaint_about_it() {
    for opening in [
        "202605041234567890 这单",
        "202605041234567890 這筆",
        "about 202605041234567890",
        "202605041234567890 the cup",
    ] {
        let mut s = Session::default();
        let r = say(&mut s, opening);
        assert_eq!(s.kind, Kind::Complaint, "{opening}: {}", r.text);
        assert_eq!(s.slots.category, None, "{opening}: {}", r.text);
        assert_eq!(s.slots.order_no.as_deref(), Some("202605041234567890"));
        assert_eq!(s.awaiting(), Some("what_happened"), "{opening}: {}", r.text);
        assert!(r.draft.is_none(), "{opening}: {}", r.text);
    }
    // With the story beside it, the story is read.
    let mut s = Session::default();
    say(&mut s, "202605041234567890 杯子倒了热水就漏");
    assert_eq!(s.slots.category, Some(Category::QualityDefect));
}

/// A session told of a leaking cup (59.90, no remedy named), then `answer` to the claim question.
fn answer_to_the_claim_question(answer: &str) -> (Session, Reply) {
    let mut s = Session::default();
    say(&mut s, "保温杯漏水，昨天发现的");
    assert_eq!(s.awaiting(), Some("claim"));
    let r = say(&mut s, answer);
    (s, r)
}

#[test]
fn the_whole_answer_to_the_claim_question_is_the_claim() {
    // A clause about the goods going back, beside the one about money, makes it a return.
    for answer in [
        "杯子你们派人来取走，钱退到我卡里",
        "把杯子收回去吧，錢退給我",
        "come and collect it, and give me my money",
    ] {
        let (s, r) = answer_to_the_claim_question(answer);
        assert_eq!(
            s.slots.claim.map(|c| c.kind),
            Some(ClaimKind::Return),
            "{answer}: {}",
            r.text
        );
    }
    // A step already taken beside it is a fact, not the claim.
    let mut s = Session::default();
    say(&mut s, "保温杯漏水，昨天发现的");
    let r = say(&mut s, "已经寄回去了，钱退给我");
    assert_eq!(
        s.slots.claim.map(|c| c.kind),
        Some(ClaimKind::Refund),
        "{}",
        r.text
    );
}

#[test]
fn a_sum_asked_with_no_remedy_named_is_money_back_or_above_the_price_a_loss_made_good() {
    // The cup cost 59.90.
    for (answer, kind, cents) in [
        ("那五十块钱尽快转给我", ClaimKind::Refund, 5000),
        ("我只要拿回我的59.9", ClaimKind::Refund, 5990),
        ("just the 40 yuan, nothing else", ClaimKind::Refund, 4000),
        ("那三十塊快點匯給我", ClaimKind::Refund, 3000),
        (
            "I want 150 for the ruined bag",
            ClaimKind::Compensation,
            15000,
        ),
    ] {
        let (s, r) = answer_to_the_claim_question(answer);
        assert_eq!(
            s.slots.claim,
            Some(ClaimDraft {
                kind,
                amount_cents: Some(cents)
            }),
            "{answer}: {}",
            r.text
        );
    }
}

#[test]
fn a_story_that_mentions_the_order_or_the_parcel_tells_no_day() {
    for answer in [
        "下单的时候选的是银色，盖子里面那圈胶垫还是歪的，一倒水就滴",
        "當初付款前問過客服說保證不漏，結果裝熱水整個桌子都濕了",
        "I ordered the silver one and the seal inside the lid sits crooked so it drips everywhere",
    ] {
        let mut s = Session::default();
        say(&mut s, "保温杯漏水了，要求换货");
        assert_eq!(s.awaiting(), Some("when"));
        let r = say(&mut s, answer);
        assert_eq!(s.slots.incident_at, None, "{answer}: {}", r.text);
        assert_eq!(s.awaiting(), Some("when"), "{answer}: {}", r.text);
    }
    // Told as a time, the order's day is the answer.
    for answer in ["下单那天就发现了", "the day it was delivered"] {
        let mut s = Session::default();
        say(&mut s, "保温杯漏水了，要求换货");
        say(&mut s, answer);
        assert!(s.slots.incident_at.is_some(), "{answer}");
    }
}

#[test]
fn a_compensation_sum_asked_once_in_vain_goes_ahead_with_the_sum_paid() {
    for (want, story) in [
        ("我要赔偿", "杯子漏水把我的书都泡坏了，好几本还是借的"),
        ("賠償我的損失", "書都泡爛了，還是跟同學借的"),
        (
            "I want compensation",
            "the water ruined two library books in my bag",
        ),
    ] {
        let mut s = Session::default();
        say(&mut s, "保温杯漏水，昨天发现的");
        say(&mut s, want);
        assert_eq!(s.asked, Some(Ask::ClaimAmount), "{want}");
        let r = say(&mut s, story);
        assert_eq!(s.awaiting(), Some("confirm"), "{story}: {}", r.text);
        assert_eq!(
            s.slots.claim,
            Some(ClaimDraft {
                kind: ClaimKind::Compensation,
                amount_cents: Some(5990)
            }),
            "{story}"
        );
    }
}

#[test]
fn a_category_not_understood_gets_numbered_choices() {
    let mut s = Session::default();
    say(&mut s, "订单号202605041234567890");
    let r = say(&mut s, "嗯");
    assert_eq!(s.awaiting(), Some("what_happened"), "{}", r.text);
    assert!(r.text.contains("1. 质量问题"), "{}", r.text);
    say(&mut s, "2");
    assert_eq!(s.slots.category, Some(Category::NotAsDescribed));
}

#[test]
fn a_date_not_remembered_is_filed_with_the_delivery_day() {
    let mut s = Session::default();
    say(&mut s, "保温杯用了两天就漏水了，要求换货");
    assert_eq!(s.awaiting(), Some("when"));
    let r = say(&mut s, "这个真记不清了");
    assert_eq!(s.awaiting(), Some("confirm"), "{}", r.text);
    assert!(r.text.contains("记不清"), "{}", r.text);
    let ctx_orders = orders();
    let ctx = Context {
        now: now(),
        orders: &ctx_orders,
        complaints: &[],
        meaning: None,
    };
    match s.shown_draft(&ctx) {
        Some(Shown::Complaint(d)) => assert_eq!(Some(d.incident_at), ctx_orders[0].delivered_at),
        other => panic!("{other:?}"),
    }
    // The day it arrived is a day the order knows.
    let mut s = Session::default();
    say(&mut s, "保温杯用了两天就漏水了，要求换货");
    say(&mut s, "收到那天就漏");
    assert_eq!(s.slots.incident_at, ctx_orders[0].delivered_at);
}

#[test]
fn a_date_asked_twice_in_vain_is_left_open() {
    let mut s = Session::default();
    say(&mut s, "保温杯用了两天就漏水了，要求换货");
    let r = say(&mut s, "嗯");
    assert_eq!(s.awaiting(), Some("when"));
    assert!(r.text.contains("不记得"), "{}", r.text);
    let r = say(&mut s, "嗯嗯");
    assert_eq!(s.awaiting(), Some("confirm"), "{}", r.text);
    assert!(s.slots.date_unknown);
}

#[test]
fn a_refund_without_a_sum_is_the_amount_paid_and_a_multiple_is_of_the_price() {
    let mut s = Session::default();
    say(&mut s, "保温杯漏水，昨天发现的，退钱给我");
    assert_eq!(
        s.slots.claim,
        Some(ClaimDraft {
            kind: ClaimKind::Refund,
            amount_cents: Some(5990)
        })
    );
    assert_eq!(s.awaiting(), Some("confirm"));
    let mut s = Session::default();
    say(&mut s, "保温杯是假货，昨天专柜验的，按假一赔四赔偿");
    assert_eq!(
        s.slots.claim,
        Some(ClaimDraft {
            kind: ClaimKind::Compensation,
            amount_cents: Some(4 * 5990)
        })
    );
}

#[test]
fn claims_in_other_words_and_traditional_characters() {
    let cases = [
        (
            "保溫杯漏水，昨天發現的，我要求賠30元",
            ClaimKind::Compensation,
        ),
        ("保温杯漏水，昨天发现的，给我重发一个", ClaimKind::Exchange),
        (
            "保温杯漏水，昨天发现的，把东西寄回去，钱退给我",
            ClaimKind::Return,
        ),
        (
            "the thermos leaks since yesterday, send me the right one",
            ClaimKind::Exchange,
        ),
        (
            "the thermos leaks since yesterday, pay me for the damage, 100 yuan",
            ClaimKind::Compensation,
        ),
        (
            "the thermos leaks since yesterday, I'd like to send it back and get my money back",
            ClaimKind::Return,
        ),
    ];
    for (text, kind) in cases {
        let mut s = Session::default();
        say(&mut s, text);
        assert_eq!(s.slots.claim.map(|c| c.kind), Some(kind), "{text}");
        assert_eq!(s.awaiting(), Some("confirm"), "{text}");
    }
}

#[test]
fn english_at_parity_order_by_everyday_name_and_pick_by_colour() {
    let mut s = Session::default();
    let r = say(
        &mut s,
        "my earphones stopped working on Saturday, I want a replacement",
    );
    assert_eq!(
        s.slots.order_no.as_deref(),
        Some("202605011111111111"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("202605011111111111"),
        "the order chosen is said: {}",
        r.text
    );
    assert_eq!(s.slots.claim.map(|c| c.kind), Some(ClaimKind::Exchange));

    // Two orders of one item in two colours: "the black one" against Chinese titles.
    let two = vec![
        OrderInfo {
            order_no: "202605020000000001".into(),
            shop_id: "s".into(),
            shop_name: "鞋店".into(),
            items: vec!["运动鞋 白色 42码".into()],
            amount_cents: 19900,
            paid_at: now() - Duration::days(20),
            delivered_at: None,
            commitments: None,
        },
        OrderInfo {
            order_no: "202605020000000002".into(),
            shop_id: "s".into(),
            shop_name: "鞋店".into(),
            items: vec!["运动鞋 黑色 42码".into()],
            amount_cents: 19900,
            paid_at: now() - Duration::days(5),
            delivered_at: None,
            commitments: None,
        },
    ];
    let ctx = Context {
        now: now(),
        orders: &two,
        complaints: &[],
        meaning: None,
    };
    let mut s = Session::default();
    s.turn("the sneakers fell apart", &ctx);
    assert_eq!(s.awaiting(), Some("pick"));
    let r = s.turn("the black one", &ctx);
    assert_eq!(
        s.slots.order_no.as_deref(),
        Some("202605020000000002"),
        "{}",
        r.text
    );
    // Or by when it was bought.
    let mut s = Session::default();
    s.turn("运动鞋开胶了", &ctx);
    s.turn("上个月买的那双", &ctx);
    assert_eq!(s.slots.order_no.as_deref(), Some("202605020000000001"));
}

#[test]
fn a_choice_is_picked_by_its_shop() {
    let mut s = Session {
        choices: vec![
            Candidate {
                order_no: "202605041234567890".into(),
                item: None,
            },
            Candidate {
                order_no: "202605011111111111".into(),
                item: None,
            },
        ],
        asked: Some(Ask::Order),
        ..Session::default()
    };
    let r = say(&mut s, "声学数码专营店买的那个");
    assert_eq!(
        s.slots.order_no.as_deref(),
        Some("202605011111111111"),
        "{}",
        r.text
    );
}

#[test]
fn affirmations_said_together_are_a_yes() {
    for yes in [
        "好的，提交吧，谢谢",
        "ok, submit it",
        "yes please",
        "correct",
        "確認，謝謝",
        "ok thank you",
    ] {
        assert!(is_yes(yes), "{yes}");
    }
    for not in [
        "好的，不过时间写错了",
        "ok but the date is wrong",
        "谢谢",
        "不对，提交错了",
    ] {
        assert!(!is_yes(not), "{not}");
    }
}

fn strollers() -> Vec<OrderInfo> {
    vec![
        order(
            "202605081000000011",
            "母婴店",
            "好孩子婴儿推车可坐可躺 高景观",
            59900,
            5,
        ),
        order("202605071000000012", "母婴店", "婴儿奶瓶 240ml", 12900, 6),
        order(
            "202605061000000013",
            "宝宝用品店",
            "babycare婴儿推车 伞车 轻便折叠",
            45900,
            7,
        ),
    ]
}

#[test]
fn what_the_answer_rules_out_picks_the_other() {
    let orders = strollers();
    let mut s = Session::default();
    let r = say_with(&mut s, &orders, "推车轮子断了，才用了不到一个月");
    assert_eq!(s.awaiting(), Some("pick"), "{}", r.text);
    assert_eq!(s.choices.len(), 2, "{:?}", s.choices);
    let r = say_with(&mut s, &orders, "大的那辆，能躺的，不是那个小伞车");
    assert_eq!(
        s.slots.order_no.as_deref(),
        Some("202605081000000011"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("202605081000000011"),
        "the order taken is said: {}",
        r.text
    );
    // The answer said which, not what happened: the story stays as told.
    assert_eq!(
        s.slots.description.as_deref(),
        Some("推车轮子断了，才用了不到一个月")
    );
}

#[test]
fn a_price_named_picks_the_order_of_that_price() {
    let orders = strollers();
    let mut s = Session::default();
    say_with(&mut s, &orders, "推车轮子断了，才用了不到一个月");
    let r = say_with(&mut s, &orders, "459那个");
    assert_eq!(
        s.slots.order_no.as_deref(),
        Some("202605061000000013"),
        "{}",
        r.text
    );
}

#[test]
fn asked_twice_which_one_in_vain_the_closest_is_taken_and_said() {
    let orders = strollers();
    let mut s = Session::default();
    say_with(&mut s, &orders, "伞车的推车轮子断了");
    // Both strollers are named (推车): the words 伞车 only rank.
    if s.slots.order_no.is_none() {
        say_with(&mut s, &orders, "就是轮子断了，推都推不动");
        let r = say_with(&mut s, &orders, "真的很生气");
        assert_eq!(
            s.slots.order_no.as_deref(),
            Some("202605061000000013"),
            "{}",
            r.text
        );
        assert!(r.text.contains("最接近"), "{}", r.text);
    }
    assert_eq!(s.slots.order_no.as_deref(), Some("202605061000000013"));
}

#[test]
fn a_cost_named_beside_a_compensation_is_its_sum_and_the_price_is_not() {
    let orders = home_orders();
    let mut s = Session::default();
    say_with(
        &mut s,
        &orders,
        "订单202605081000000001的电热水壶昨天烧水时插头冒烟，把插座都烧黑了",
    );
    say_with(&mut s, &orders, "这个必须赔 插座修起来差不多两百");
    assert_eq!(
        s.slots.claim,
        Some(ClaimDraft {
            kind: ClaimKind::Compensation,
            amount_cents: Some(20000)
        })
    );
    let mut s = Session::default();
    say_with(
        &mut s,
        &orders,
        "订单202605081000000001的电热水壶昨天烧水时插头冒烟，把插座都烧黑了",
    );
    // 89元 is what the kettle cost: the sum of the compensation is still to be asked.
    let r = say_with(&mut s, &orders, "花了89元买的，要求赔偿");
    assert_eq!(s.awaiting(), Some("claim"), "{}", r.text);
}

#[test]
fn asked_how_much_a_story_that_mentions_a_refund_keeps_the_remedy_chosen() {
    let mut s = Session::default();
    say(&mut s, "保温杯漏水，昨天发现的");
    assert_eq!(s.awaiting(), Some("claim"));
    let r = say(&mut s, "必须赔偿我");
    assert_eq!(s.slots.claim.map(|c| c.kind), Some(ClaimKind::Compensation));
    assert_eq!(s.asked, Some(Ask::ClaimAmount), "{}", r.text);
    say(&mut s, "杯子漏了一桌子 我申请退款商家也不理 赔我50");
    assert_eq!(s.slots.claim.map(|c| c.kind), Some(ClaimKind::Compensation));
    assert_eq!(s.slots.claim.and_then(|c| c.amount_cents), Some(5000));
}

#[test]
fn a_later_step_told_in_a_later_message_is_the_category() {
    let orders = home_orders();
    for (first, later) in [
        (
            "付了款的保温杯一直没发货",
            "昨天客服跟我说仓库断货了，不发了，叫我自己去取消",
        ),
        (
            "保溫杯付款好幾天了，到現在還沒發貨",
            "昨天賣家說缺貨不寄了，要我自己取消訂單",
        ),
        (
            "The thermos I paid for still hasn't shipped",
            "Yesterday the seller told me they are out of stock and won't send it, and asked me to cancel",
        ),
    ] {
        let mut s = Session::default();
        say_with(&mut s, &orders, first);
        assert_eq!(s.slots.category, Some(Category::LateShipment), "{first}");
        let r = say_with(&mut s, &orders, later);
        assert_eq!(
            s.slots.category,
            Some(Category::RefuseToShip),
            "{later}: {}",
            r.text
        );
    }
}

#[test]
fn the_day_the_shop_told_the_buyer_to_cancel_is_when_it_refused() {
    let orders = home_orders();
    // Sunday 2026-05-10 is `now`; Friday, the day before yesterday, is the 8th.
    let friday = chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 5, 8, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    for (first, later) in [
        (
            "保温杯付款好几天了一直不发货",
            "商家拖了几天，前天才叫我自己申请退款，说不卖了",
        ),
        (
            "保溫杯付款好幾天了一直不發貨",
            "賣家拖了幾天，前天才叫我自己取消訂單，說不賣了",
        ),
        (
            "The thermos I paid for never shipped",
            "They ignored me for days, then on Friday told me to cancel the order myself",
        ),
    ] {
        let mut s = Session::default();
        say_with(&mut s, &orders, first);
        let r = say_with(&mut s, &orders, later);
        assert_eq!(
            s.slots.category,
            Some(Category::RefuseToShip),
            "{later}: {}",
            r.text
        );
        assert_eq!(s.slots.incident_at, Some(friday), "{later}: {}", r.text);
    }
}

#[test]
fn a_problem_told_while_waiting_for_a_person_is_drafted() {
    // Asked for a person, then told the problem before anyone took the chat: 小蜜 drafts it
    // meanwhile and the chat stays in the queue; small talk is still only passed on.
    for (ask, small, story) in [
        ("转人工", "还在吗", "我买的杯子漏水，倒热水就从底部漏"),
        ("轉人工", "有人嗎", "我買的杯子漏水，倒熱水就從底部漏"),
        (
            "I want to talk to a human",
            "hello?",
            "the cup I bought leaks from the bottom whenever I pour hot water in",
        ),
    ] {
        let mut s = Session::default();
        let r = say(&mut s, ask);
        assert_eq!(r.outcome, Outcome::HandOver, "{ask}");
        let r = say(&mut s, small);
        assert_eq!(s.phase, Phase::HandedOver, "{small}: {r:?}");
        let r = say(&mut s, story);
        assert_eq!(s.phase, Phase::Collecting, "{story}: {r:?}");
        assert!(s.handed_over(), "{story}");
        assert_eq!(
            s.slots.category,
            Some(Category::QualityDefect),
            "{story}: {r:?}"
        );
        assert!(
            r.text.contains("客服接入") || r.text.contains("agent"),
            "{r:?}"
        );
    }
    // The request and the problem in one message: handed over and drafted at once.
    let mut s = Session::default();
    let r = say(&mut s, "转人工！我买的杯子漏水，倒热水就从底部漏");
    assert_eq!(r.outcome, Outcome::HandOver);
    assert!(s.handed_over());
    assert_eq!(s.slots.category, Some(Category::QualityDefect), "{r:?}");
}

#[test]
fn a_shop_named_with_one_order_decides_it_and_a_brand_does_not() {
    let orders = [
        order(
            "510000000000000001",
            "Island Spice Trading",
            "Jamaican Jerk Seasoning Dry Rub 250g",
            3800,
            20,
        ),
        order(
            "510000000000000002",
            "SoundWave Official",
            "Wireless Bluetooth Headphones Over Ear 30H Playtime",
            29900,
            10,
        ),
        order(
            "510000000000000003",
            "小鹿家居生活馆",
            "加厚珊瑚绒毛毯冬季办公室午睡盖毯",
            3990,
            5,
        ),
        order(
            "510000000000000004",
            "Brick World Toys",
            "LEGO Technic Porsche 911 GT3 RS Building Set",
            99900,
            8,
        ),
        order(
            "510000000000000005",
            "LEGO Official Store",
            "LEGO City Fire Station 60320 Building Set",
            59900,
            3,
        ),
    ];
    // An insult that is also an item's word beside the shop's name: the shop's order.
    for (text, want) in [
        (
            "Can someone please deal with the jerk running SoundWave's customer chat? Their headphones die after six hours.",
            "510000000000000002",
        ),
        (
            "小鹿家居那家的东西一洗就掉毛，质量太差了",
            "510000000000000003",
        ),
    ] {
        let mut s = Session::default();
        say_with(&mut s, &orders, text);
        assert_eq!(s.slots.order_no.as_deref(), Some(want), "{text}");
    }
    // A brand the items carry is the product's name, not the shop's: both LEGO sets are asked.
    let mut s = Session::default();
    let r = say_with(
        &mut s,
        &orders,
        "the Lego set is a knockoff, bricks have no logo at all",
    );
    assert_eq!(s.slots.order_no, None, "{r:?}");
    assert!(s.choices.len() >= 2, "{r:?}");
}

#[test]
fn an_answer_about_the_order_that_tells_the_story_is_kept() {
    // Asked which order, the buyer names it and tells what happened: the story is what the
    // merchant must read, not only the first vague line.
    let orders = [
        order(
            "520000000000000001",
            "Noodle Bar Pantry",
            "Instant Ramen Variety Pack 20 Bags",
            5900,
            20,
        ),
        order(
            "520000000000000002",
            "Clear Vision Optics",
            "Blue Light Blocking Glasses Titanium Frame",
            45900,
            30,
        ),
    ];
    let mut s = Session::default();
    say_with(&mut s, &orders, "Still waiting on my money.");
    say_with(
        &mut s,
        &orders,
        "The glasses went back because the frame was crooked, the shop approved it, and tracking shows they signed for the parcel. Eleven days later my card shows nothing.",
    );
    assert_eq!(s.slots.order_no.as_deref(), Some("520000000000000002"));
    let d = s.slots.description.clone().unwrap_or_default();
    assert!(d.contains("signed for the parcel"), "{d}");
    // Naming the order alone, or ruling one out, adds nothing to the story.
    let mut s = Session::default();
    say_with(&mut s, &orders, "Still waiting on my money.");
    say_with(&mut s, &orders, "the titanium glasses, not the ramen");
    let d = s.slots.description.clone().unwrap_or_default();
    assert!(!d.contains("titanium"), "{d}");
}

#[test]
fn a_price_told_in_one_message_is_the_sum_of_money_back_asked_in_another() {
    let orders = [order(
        "530000000000000001",
        "暖居电器专营店",
        "电热水壶家用304不锈钢1.8L",
        6900,
        10,
    )];
    let mut s = Session::default();
    say_with(&mut s, &orders, "电热水壶底座一直漏水，69块买的");
    say_with(&mut s, &orders, "昨天发现的");
    say_with(&mut s, &orders, "我寄回去，钱退给我");
    let c = s.slots.claim.expect("a claim");
    assert_eq!((c.kind, c.amount_cents), (ClaimKind::Return, Some(6900)));
    // Another sum told (a doctor's bill) is no part of money back.
    let mut s = Session::default();
    say_with(&mut s, &orders, "电热水壶漏电把我手电了，去医院花了两百");
    say_with(&mut s, &orders, "昨天");
    say_with(&mut s, &orders, "我寄回去，钱退给我");
    let c = s.slots.claim.expect("a claim");
    assert_eq!((c.kind, c.amount_cents), (ClaimKind::Return, None));
}

#[test]
fn a_late_shipment_happened_when_the_promised_time_ran_out() {
    let day = |at: Option<DateTime<Utc>>| at.map(super::labels::day);
    // The promise as the consumer quotes it, counted from the order's payment.
    let mut s = Session::default();
    let r = say(
        &mut s,
        "保温杯写的24小时内发货，付款后拖了四天才发出来，要求赔偿",
    );
    assert_eq!(s.slots.category, Some(Category::LateShipment), "{}", r.text);
    assert_eq!(
        day(s.slots.incident_at),
        day(Some(orders()[0].paid_at + Duration::hours(24))),
        "{}",
        r.text
    );
    // Quoted in English, the shop's commitment (48 hours) gives way to it.
    let mut s = Session::default();
    say(
        &mut s,
        "the thermos cup listing said ships within 3 days, it left the warehouse a week later",
    );
    assert_eq!(
        day(s.slots.incident_at),
        day(Some(orders()[0].paid_at + Duration::days(3)))
    );
    // A last day told as such is the day.
    let mut s = Session::default();
    say(&mut s, "保温杯说好5月5号之前发货，结果拖到7号才发");
    assert_eq!(day(s.slots.incident_at).as_deref(), Some("2026-05-05"));
    // Nothing quoted: the shop's commitment on record.
    let mut s = Session::default();
    say(&mut s, "保温杯发货太慢了，比承诺的晚了好几天");
    assert_eq!(
        day(s.slots.incident_at),
        day(Some(orders()[0].paid_at + Duration::hours(48)))
    );
    // The draft says what a day counted was counted from.
    let mut s = Session::default();
    let r = say(&mut s, "保温杯写的24小时内发货，拖了四天才发，要求赔偿30元");
    assert_eq!(s.awaiting(), Some("confirm"), "{}", r.text);
    assert!(
        r.text.contains("按承诺的付款后24小时内发货推算"),
        "{}",
        r.text
    );
    // Corrected on the draft, the day is the buyer's and the note goes.
    let told = s.slots.description.clone();
    let r = say(&mut s, "时间改成5月6号");
    assert!(!r.text.contains("推算"), "{}", r.text);
    assert_eq!(day(s.slots.incident_at).as_deref(), Some("2026-05-06"));
    // The edit is no part of what happened.
    assert_eq!(s.slots.description, told, "{}", r.text);
}

#[test]
fn an_edit_on_the_draft_changes_the_fact_and_not_the_story() {
    let day = |at: Option<DateTime<Utc>>| at.map(super::labels::day);
    for (story, edit, date) in [
        (
            "保温杯昨天收到就漏水，要求退款30元",
            "日期写错了，应该是5月8号",
            "2026-05-08",
        ),
        (
            "the thermos cup leaked the day it arrived yesterday, I want 30 yuan back",
            "change the date to May 8",
            "2026-05-08",
        ),
    ] {
        let mut s = Session::default();
        let r = say(&mut s, story);
        assert_eq!(s.awaiting(), Some("confirm"), "{}", r.text);
        let told = s.slots.description.clone();
        let r = say(&mut s, edit);
        assert_eq!(
            day(s.slots.incident_at).as_deref(),
            Some(date),
            "{}",
            r.text
        );
        assert_eq!(s.slots.description, told, "{}", r.text);
    }
    // More told on the draft is more of the story.
    let mut s = Session::default();
    say(&mut s, "保温杯昨天收到就漏水，要求退款30元");
    say(&mut s, "还有杯盖也是裂的");
    assert!(
        s.slots
            .description
            .as_deref()
            .unwrap_or("")
            .contains("杯盖"),
        "{:?}",
        s.slots.description
    );
}

#[test]
fn a_refund_that_never_came_is_dated_by_its_approval() {
    let day = |at: Option<DateTime<Utc>>| at.map(super::labels::day);
    for (text, date) in [
        (
            "保温杯退货了，商家8号就点了同意退款，到今天钱都没到账",
            "2026-05-08",
        ),
        (
            "the thermos cup refund was approved on the 6th. It's the 10th and nothing came",
            "2026-05-06",
        ),
    ] {
        let mut s = Session::default();
        let r = say(&mut s, text);
        assert_eq!(
            s.slots.category,
            Some(Category::RefundNotReceived),
            "{text}: {}",
            r.text
        );
        assert_eq!(
            day(s.slots.incident_at).as_deref(),
            Some(date),
            "{text}: {}",
            r.text
        );
    }
}

#[test]
fn a_fee_charged_at_payment_is_dated_by_the_payment() {
    let day = |at: Option<DateTime<Utc>>| at.map(super::labels::day);
    let paid = day(Some(orders()[0].paid_at));
    for text in [
        "保温杯写着包邮，结果付款的时候给我加了12块运费，今天对账才看到",
        "the thermos cup said free shipping but I was charged 12 yuan postage at checkout, only noticed today",
    ] {
        let mut s = Session::default();
        let r = say(&mut s, text);
        assert_eq!(
            s.slots.category,
            Some(Category::ShippingFee),
            "{text}: {}",
            r.text
        );
        assert_eq!(day(s.slots.incident_at), paid, "{text}: {}", r.text);
    }
    // A day told for the charge itself stands.
    let mut s = Session::default();
    say(
        &mut s,
        "保温杯退货，商家5月8号从退款里扣了12块运费，说好的运费险呢",
    );
    assert_eq!(day(s.slots.incident_at).as_deref(), Some("2026-05-08"));
}

#[test]
fn an_item_the_buyer_already_has_is_not_the_one_meant() {
    let orders = vec![
        order(
            "202605081111111111",
            "家电优选专营店",
            "海尔洗衣机 滚筒 10公斤",
            219900,
            4,
        ),
        order(
            "202605072222222222",
            "家电优选专营店",
            "海尔冰箱 双开门 532L",
            329900,
            5,
        ),
        order(
            "202605063333333333",
            "厨房小铺",
            "不锈钢 保温 饭盒",
            4900,
            6,
        ),
    ];
    for (answer, meant) in [
        ("冰箱，洗衣机已经装好了", "202605072222222222"),
        ("冰箱那单，洗衣机我留着用", "202605072222222222"),
        (
            "the fridge. I kept the washing machine, 洗衣机没问题",
            "202605072222222222",
        ),
    ] {
        let mut s = Session::default();
        let r = say_with(
            &mut s,
            &orders,
            "海尔那单客服一直让我取消，说价格弄错了，不取消就不给发",
        );
        assert!(s.slots.order_no.is_none(), "{}", r.text);
        let r = say_with(&mut s, &orders, answer);
        assert_eq!(
            s.slots.order_no.as_deref(),
            Some(meant),
            "{answer}: {}",
            r.text
        );
    }
}

#[test]
fn the_item_taken_ruled_out_and_another_named_is_a_correction_whatever_was_asked() {
    let mut s = Session::default();
    say(&mut s, "保温杯的客服骂人，昨天晚上打了十几个电话");
    assert_eq!(s.slots.order_no.as_deref(), Some("202605041234567890"));
    let r = say(&mut s, "是耳机那单，不是保温杯，保温杯是别的店");
    assert_eq!(
        s.slots.order_no.as_deref(),
        Some("202605011111111111"),
        "{}",
        r.text
    );
    // What is missing from the item taken is no correction.
    let mut s = Session::default();
    say(
        &mut s,
        "订单202605011111111111的耳机收到没有保护套，昨天收到的",
    );
    say(&mut s, "no case, no cable, nothing else in the box");
    assert_eq!(s.slots.order_no.as_deref(), Some("202605011111111111"));
}
