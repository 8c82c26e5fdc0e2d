//! The rules a tier-2 ruling may cite, kept in one place. Modelled on the rule books a Taobao-style
//! platform publishes (《淘宝平台争议处理规则》, 《淘宝网七天无理由退货规范》, 《淘宝平台规则总则》)
//! and on the law they rest on (《消费者权益保护法》, 《电子商务法》).

/// (citation as recorded on the ruling, English gloss)
pub const RULES: &[(&str, &str)] = &[
    (
        "《淘宝平台争议处理规则》第十七条（商品质量问题）",
        "Dispute Rules art. 17: quality defects",
    ),
    (
        "《淘宝平台争议处理规则》第十八条（描述不符）",
        "Dispute Rules art. 18: not as described",
    ),
    (
        "《淘宝平台争议处理规则》第二十条（未按约定时间发货）",
        "Dispute Rules art. 20: late shipment",
    ),
    (
        "《淘宝平台争议处理规则》第二十二条（举证责任）",
        "Dispute Rules art. 22: burden of proof",
    ),
    (
        "《淘宝平台争议处理规则》第二十六条（运费承担）",
        "Dispute Rules art. 26: who pays shipping",
    ),
    (
        "《淘宝网七天无理由退货规范》第五条（适用范围）",
        "7-day no-reason return rules art. 5: scope",
    ),
    (
        "《淘宝网七天无理由退货规范》第八条（商品完好标准）",
        "7-day no-reason return rules art. 8: goods intact",
    ),
    (
        "《淘宝平台规则总则》第二十五条（正品保障）",
        "Platform General Rules art. 25: authenticity guarantee",
    ),
    (
        "《淘宝平台规则总则》第三十条（虚假交易）",
        "Platform General Rules art. 30: fake transactions",
    ),
    (
        "《淘宝平台规则总则》第三十四条（恶意骚扰）",
        "Platform General Rules art. 34: harassment",
    ),
    (
        "《消费者权益保护法》第二十四条（退货、更换、修理）",
        "Consumer Rights Protection Law art. 24: return, exchange, repair",
    ),
    (
        "《消费者权益保护法》第二十五条（七日无理由退货）",
        "Consumer Rights Protection Law art. 25: 7-day return",
    ),
    (
        "《消费者权益保护法》第五十五条（欺诈三倍赔偿）",
        "Consumer Rights Protection Law art. 55: treble damages for fraud",
    ),
    (
        "《电子商务法》第十七条（真实、准确、及时披露信息）",
        "E-Commerce Law art. 17: truthful disclosure",
    ),
    (
        "《电子商务法》第二十条（按约定交付）",
        "E-Commerce Law art. 20: delivery as agreed",
    ),
    (
        "《电子商务法》第十七条、《反不正当竞争法》第八条（虚构交易、编造用户评价）",
        "E-Commerce Law art. 17, Anti-Unfair Competition Law art. 8: fake transactions and reviews",
    ),
    (
        "《电子商务法》第四十二条（知识产权通知与删除）",
        "E-Commerce Law art. 42: IP notice and takedown",
    ),
    (
        "《电子商务法》第四十五条（知道或应当知道侵权）",
        "E-Commerce Law art. 45: platform's knowledge of infringement",
    ),
];

/// Whether a citation is one of the list (the form offers only these).
pub fn is_known(r: &str) -> bool {
    RULES.iter().any(|(zh, _)| *zh == r)
}

/// A recorded citation in the page's language: the English gloss of a known rule, else as
/// recorded.
pub fn label(r: &str, lang: weiquan_domain::Lang) -> &str {
    // A jury's ruling cites itself in both languages (`domain::jury::rule_ref`).
    if let Some(one) = jury_words(r, lang) {
        return one;
    }
    match lang {
        weiquan_domain::Lang::Zh => r,
        weiquan_domain::Lang::En => RULES
            .iter()
            .find(|(zh, _)| *zh == r)
            .map_or(r, |(_, en)| en),
    }
}

/// A jury's words written in both languages (`大众评审… / public jury…`: its rule reference and
/// its ruling's reason), in one of them; `None` for anything else.
pub fn jury_words(s: &str, lang: weiquan_domain::Lang) -> Option<&str> {
    if !s.starts_with("大众评审") {
        return None;
    }
    let at = s.find("/ ")?;
    Some(lang.pick(s[..at].trim_end(), &s[at + 2..]))
}
