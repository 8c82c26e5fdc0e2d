//! The names people see for the domain's values, in both languages. Chinese labels come from the
//! domain (`label_zh`); the English ones live here.

use weiquan_domain::*;

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    lang.pick(zh, en)
}

pub fn state(lang: Lang, s: State) -> &'static str {
    s.label(lang)
}

pub fn tier(lang: Lang, t: Tier) -> &'static str {
    match t {
        Tier::Negotiation => pick(lang, "双方协商", "negotiation"),
        Tier::CustomerService => pick(lang, "一级·客服", "tier 1 · customer service"),
        Tier::ConsumerProtection => pick(lang, "二级·消费者保障", "tier 2 · consumer protection"),
    }
}

pub fn category(lang: Lang, c: Category) -> &'static str {
    if lang == Lang::Zh {
        return c.label_zh();
    }
    match c {
        Category::QualityDefect => "quality defect",
        Category::NotAsDescribed => "not as described",
        Category::Counterfeit => "counterfeit",
        Category::FalseAdvertising => "false advertising",
        Category::RefuseToShip => "refused to ship",
        Category::LateShipment => "late shipment",
        Category::Harassment => "harassment",
        Category::ReturnRefused => "return refused",
        Category::ShippingFee => "shipping fee dispute",
        Category::RefundNotReceived => "refund not received",
        Category::FakeTransactions => "fake transactions / brushing",
        Category::IpInfringement => "IP infringement",
    }
}

pub fn claim_kind(lang: Lang, k: ClaimKind) -> &'static str {
    if lang == Lang::Zh {
        return k.label_zh();
    }
    match k {
        ClaimKind::Refund => "refund",
        ClaimKind::Return => "return and refund",
        ClaimKind::Exchange => "exchange",
        ClaimKind::Compensation => "compensation",
        ClaimKind::Other => "other",
    }
}

pub fn role(lang: Lang, r: Role) -> &'static str {
    if lang == Lang::Zh {
        return r.label_zh();
    }
    match r {
        Role::Consumer => "consumer",
        Role::Merchant => "merchant",
        Role::CsAgent => "customer service (tier 1)",
        Role::Protection => "consumer protection (tier 2)",
        Role::Regulator => "platform regulation (tier 3)",
        Role::Admin => "admin",
    }
}

pub fn evidence_kind(lang: Lang, k: EvidenceKind) -> &'static str {
    if lang == Lang::Zh {
        return k.label_zh();
    }
    match k {
        EvidenceKind::Photo => "photo",
        EvidenceKind::Video => "video",
        EvidenceKind::ChatLog => "chat log",
        EvidenceKind::TransactionRecord => "transaction record",
        EvidenceKind::Other => "other",
    }
}

pub fn report_kind(lang: Lang, k: ReportKind) -> &'static str {
    if lang == Lang::Zh {
        return k.label_zh();
    }
    match k {
        ReportKind::FakeTransactions => "fake transactions (brushing)",
        ReportKind::CreditHyping => "credit hyping",
        ReportKind::IpInfringement => "IP infringement",
    }
}

pub fn report_state(lang: Lang, s: weiquan_domain::tier3::ReportState) -> &'static str {
    use weiquan_domain::tier3::ReportState as R;
    match s {
        R::Received => pick(lang, "平台监管已受理", "with platform regulation"),
        R::TakenDown => pick(
            lang,
            "商品已下架，待商家回应",
            "listing down; awaiting the merchant",
        ),
        R::CounterNoticed => pick(
            lang,
            "商家已声明不侵权，到期将恢复上架",
            "the merchant counter-notified; the listing returns when the period ends",
        ),
        R::KeptDown => pick(
            lang,
            "权利人已投诉或起诉，保持下架",
            "kept down (legal action)",
        ),
        R::Restored => pick(lang, "已恢复上架", "listing restored"),
        R::Closed => pick(lang, "已结案", "closed"),
    }
}

pub fn decision(lang: Lang, d: Decision) -> &'static str {
    if lang == Lang::Zh {
        return d.label_zh();
    }
    match d {
        Decision::Uphold => "uphold the consumer",
        Decision::Partial => "partly uphold",
        Decision::Reject => "reject",
    }
}

pub fn party(lang: Lang, p: Party) -> &'static str {
    match p {
        Party::Consumer => pick(lang, "买家", "the consumer"),
        Party::Merchant => pick(lang, "卖家", "the merchant"),
    }
}

/// Who must act next (`Complaint::next_actor`).
pub fn next_actor(lang: Lang, who: &str) -> &'static str {
    match who {
        "consumer" => pick(lang, "买家", "the consumer"),
        "merchant" => pick(lang, "商家", "the merchant"),
        "cs_agent" => pick(lang, "客服", "customer service"),
        "protection" => pick(lang, "消费者保障专员", "consumer protection"),
        _ => pick(lang, "平台", "the platform"),
    }
}

/// An action's button text.
pub fn action(lang: Lang, name: &str) -> &'static str {
    match name {
        "accept" => pick(lang, "接受", "Accept"),
        "propose" => pick(lang, "提出方案", "Propose a remedy"),
        "reject" => pick(lang, "拒绝", "Reject"),
        "escalate" => pick(lang, "升级投诉", "Escalate"),
        "take_over" => pick(lang, "接管（重大投诉）", "Take over (major complaint)"),
        "request_evidence" => pick(lang, "调取证据", "Request evidence"),
        "rule" => pick(lang, "裁决", "Rule"),
        "fulfil" => pick(lang, "已履行", "Mark as carried out"),
        "confirm" => pick(lang, "确认完成", "Confirm"),
        "appeal" => pick(lang, "申诉", "Appeal"),
        "withdraw" => pick(lang, "撤销投诉", "Withdraw"),
        "forward" => pick(lang, "移交平台监管", "Forward to regulators"),
        _ => pick(lang, "操作", "Action"),
    }
}

/// An event kind on the timeline.
pub fn event(lang: Lang, kind: &str) -> &'static str {
    let (zh, en) = match kind {
        "filed" => ("提交投诉", "filed"),
        "accepted" => ("接受", "accepted"),
        "proposed" => ("提出方案", "remedy proposed"),
        "rejected" => ("商家拒绝", "rejected by the merchant"),
        "escalated" => ("升级投诉", "escalated"),
        "taken_over" => ("消保接管", "taken over by consumer protection"),
        "evidence_requested" => ("调取证据", "evidence requested"),
        "ruled" => ("作出裁决", "ruled"),
        "fulfilled" => ("已履行", "carried out"),
        "confirmed" => ("买家确认", "confirmed by the consumer"),
        "appealed" => ("申诉", "appealed"),
        "withdrawn" => ("撤销投诉", "withdrawn"),
        "forwarded" => ("移交平台监管", "forwarded to regulators"),
        "joined_collective_case" => ("并入集体投诉案件", "joined a collective case"),
        "case_ruled" => ("集体案件已裁决", "ruled with its collective case"),
        "message_posted" => ("留言", "message"),
        "evidence_added" => ("补充证据", "evidence added"),
        "merchant_reply_lapsed" => ("商家逾期未回复", "the merchant did not answer in time"),
        "consumer_reply_lapsed" => ("买家逾期未回应", "the consumer did not answer in time"),
        "mediation_lapsed" => ("调解期限已过", "mediation time ran out"),
        "evidence_turn_lapsed" => ("举证期限已过", "time to give evidence ran out"),
        "execute_ruling_lapsed" => (
            "逾期未履行，平台先行赔付",
            "not carried out in time; the platform paid",
        ),
        "appeal_window_lapsed" => ("申诉期已过", "the appeal window closed"),
        "reported" => ("提交举报", "reported"),
        "counter_noticed" => ("商家提交不侵权声明", "the merchant counter-notified"),
        "legal_action_notified" => (
            "权利人已投诉或起诉，商品保持下架",
            "the rights holder went to the authorities or to court; the listing stays down",
        ),
        "listing_restored" => ("商品已恢复上架", "the listing was restored"),
        "case_decided" => ("所属案件已处理", "its case was decided"),
        _ => ("其他", "other"),
    };
    lang.pick(zh, en)
}

/// A form field's name as people see it (error lists).
pub fn field(lang: Lang, f: &str) -> &'static str {
    match f {
        "order_no" => pick(lang, "订单号", "order number"),
        "product" => pick(lang, "商品", "product"),
        "category" => pick(lang, "问题类型", "problem"),
        "incident_at" => pick(lang, "发生时间", "when it happened"),
        "description" => pick(lang, "问题描述", "description"),
        "claim" | "claim.kind" => pick(lang, "诉求", "claim"),
        "claim.amount_cents" => pick(lang, "诉求金额", "claim amount"),
        "remedy" | "remedy.kind" => pick(lang, "处理方案", "remedy"),
        "remedy.amount_cents" => pick(lang, "方案金额", "remedy amount"),
        "message" => pick(lang, "说明", "message"),
        "reason" => pick(lang, "理由", "reason"),
        "from" => pick(lang, "调取对象", "from whom"),
        "decision" => pick(lang, "裁决结果", "decision"),
        "rule_refs" => pick(lang, "引用规则", "rules cited"),
        "violation.kind" => pick(lang, "违规类型", "violation"),
        "violation.points" => pick(lang, "扣分", "points"),
        "note" => pick(lang, "履行说明", "note"),
        "body" => pick(lang, "留言", "message"),
        "kind" => pick(lang, "证据类型", "kind of evidence"),
        "file" => pick(lang, "文件", "file"),
        "username" => pick(lang, "用户名", "username"),
        "password" => pick(lang, "密码", "password"),
        "display_name" => pick(lang, "显示名", "display name"),
        "role" => pick(lang, "角色", "role"),
        "action" => pick(lang, "操作", "action"),
        "shop_id" => pick(lang, "店铺", "shop"),
        "report_kind" => pick(lang, "举报类型", "kind of report"),
        "listing" => pick(lang, "侵权商品", "infringing listing"),
        "on_behalf_of" => pick(lang, "来电买家", "the consumer who called"),
        _ => pick(lang, "输入", "input"),
    }
}

/// China time (UTC+8), minutes.
pub fn time(t: &Timestamp) -> String {
    let cn = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    t.with_timezone(&cn).format("%Y-%m-%d %H:%M").to_string()
}

/// "in 3 h 20 min" / "overdue by 2 h": the static text a countdown starts from.
pub fn remaining(lang: Lang, now: Timestamp, due: Timestamp) -> String {
    let secs = (due - now).num_seconds();
    let (neg, s) = (secs < 0, secs.unsigned_abs());
    let (d, h, m) = (s / 86400, s % 86400 / 3600, s % 3600 / 60);
    let span = match lang {
        Lang::Zh if d > 0 => format!("{d}天{h}小时"),
        Lang::Zh => format!("{h}小时{m}分"),
        Lang::En if d > 0 => format!("{d} d {h} h"),
        Lang::En => format!("{h} h {m} min"),
    };
    match (lang, neg) {
        (Lang::Zh, false) => format!("剩余 {span}"),
        (Lang::Zh, true) => format!("已超时 {span}"),
        (Lang::En, false) => format!("{span} left"),
        (Lang::En, true) => format!("overdue by {span}"),
    }
}
