//! What notifies whom: the kinds of notification a user's inbox holds, their words in both
//! languages, and the rule that reads an appended event and names who is told. Pure: the store
//! looks up a stream's parties and writes what this module decides, in the event's transaction.
//!
//! A notification names its subject (a complaint's product, a report's listing, a shop's name)
//! and never the person who acted: a merchant never learns who reported the shop.

use chrono::FixedOffset;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::access::SYSTEM_ACTOR;
use crate::error::DomainError;
use crate::event::EventKind;
use crate::lang::Lang;
use crate::state::TimerKind;
use crate::stream::Stream;
use crate::types::{Party, Timestamp, UserId, labelled_enum};

labelled_enum!(
    /// What a notification tells; its label is the notification's title.
    NoticeKind, "kind" {
        ComplaintFiled = "complaint_filed", "收到新投诉", "new complaint about your shop";
        Message = "message", "新留言", "new message";
        Proposal = "proposal", "收到解决方案", "a remedy was proposed";
        Accepted = "accepted", "方案已被接受", "the proposal was accepted";
        Rejected = "rejected", "商家拒绝了投诉", "the merchant rejected the complaint";
        EvidenceRequested = "evidence_requested", "请补充证据", "evidence requested from you";
        Escalated = "escalated", "投诉已升级", "the complaint was escalated";
        TakenOver = "taken_over", "消费者保障已接管", "consumer protection took over";
        Ruled = "ruled", "已作出裁决", "a ruling was made";
        Fulfilled = "fulfilled", "处理方案已履行", "the remedy was carried out";
        PaymentFailed = "payment_failed", "赔付未成功", "the remedy's payment failed";
        Confirmed = "confirmed", "买家已确认", "the consumer confirmed";
        Appealed = "appealed", "裁决被申诉", "the ruling was appealed";
        Withdrawn = "withdrawn", "投诉已撤销", "the complaint was withdrawn";
        DeadlineLapsed = "deadline_lapsed", "期限已过", "a deadline passed";
        Forwarded = "forwarded", "已移交平台监管", "forwarded to the platform's regulators";
        CollectiveCase = "collective_case", "已并入集体案件", "joined a collective case";
        CaseOpened = "case_opened", "店铺被立案调查", "a case was opened about your shop";
        CaseDecided = "case_decided", "案件已处理", "the case was decided";
        PenaltyApplied = "penalty_applied", "店铺受到处罚", "a penalty was applied to your shop";
        PenaltyEnded = "penalty_ended", "处罚已结束", "a penalty ended";
        PenaltyAppealDecided = "penalty_appeal_decided", "处罚申诉已裁决", "your penalty appeal was decided";
        ListingTakenDown = "listing_taken_down", "商品被下架", "a listing was taken down";
        ListingRestored = "listing_restored", "商品已恢复上架", "a listing was restored";
        CounterNoticed = "counter_noticed", "商家提交了不侵权声明", "the merchant counter-notified";
        LegalActionNotified = "legal_action_notified", "权利人已投诉或起诉", "the rights holder went to the authorities or to court";
        ChatTaken = "chat_taken", "人工客服已接入", "an agent took your chat";
        Reminder = "reminder", "期限提醒", "deadline reminder";
        JuryInvited = "jury_invited", "大众评审邀请", "you were drawn for a public jury";
        JurySent = "jury_sent", "投诉已交由大众评审", "the complaint went to a public jury";
        JuryReturned = "jury_returned", "大众评审未能裁决", "the public jury reached no verdict";
    }
);

labelled_enum!(
    /// A deadline a party must meet, as a reminder names it.
    Deadline, "timer" {
        MerchantReply = "merchant_reply", "商家回复期限", "the merchant's time to answer";
        ConsumerReply = "consumer_reply", "买家回应期限", "the consumer's time to answer";
        EvidenceTurn = "evidence_turn", "举证期限", "the time to give evidence";
        ExecuteRuling = "execute_ruling", "履行裁决期限", "the time to carry out the ruling";
        AppealWindow = "appeal_window", "申诉期", "the appeal window";
        IpCounterNotice = "ip_restore", "反通知等待期（期满后商品恢复上架）", "the counter-notice period (the listing is restored when it ends)";
        JuryVote = "jury_vote", "大众评审投票期限", "the jury's time to vote";
    }
);

impl Deadline {
    /// Its key under `[deadlines]`, whose time its reminders count in.
    pub fn kind(self) -> crate::policy::DeadlineKind {
        use crate::policy::DeadlineKind as K;
        match self {
            Deadline::MerchantReply => K::MerchantReply,
            Deadline::ConsumerReply => K::ConsumerReply,
            Deadline::EvidenceTurn => K::EvidenceTurn,
            Deadline::ExecuteRuling => K::ExecuteRuling,
            Deadline::AppealWindow => K::AppealWindow,
            Deadline::IpCounterNotice => K::IpCounterNotice,
            Deadline::JuryVote => K::JuryVote,
        }
    }

    /// The reminded deadline of a complaint's timer; none for mediation, staff's own.
    pub fn of_timer(kind: TimerKind) -> Option<Deadline> {
        match kind {
            TimerKind::MerchantReply => Some(Deadline::MerchantReply),
            TimerKind::ConsumerReply => Some(Deadline::ConsumerReply),
            TimerKind::EvidenceTurn => Some(Deadline::EvidenceTurn),
            TimerKind::ExecuteRuling => Some(Deadline::ExecuteRuling),
            TimerKind::AppealWindow => Some(Deadline::AppealWindow),
            TimerKind::Mediation => None,
        }
    }
}

/// Who, of a stream's parties, a notification is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Consumer,
    Merchant,
    Reporter,
}

/// A stream's parties and the words that name its subject, as the store looks them up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parties {
    pub consumer: Option<UserId>,
    pub merchant: Option<UserId>,
    pub reporter: Option<UserId>,
    /// A complaint's product, a report's listing, a shop's name.
    pub label: Option<String>,
}

impl Parties {
    fn get(&self, who: Who) -> Option<UserId> {
        match who {
            Who::Consumer => self.consumer,
            Who::Merchant => self.merchant,
            Who::Reporter => self.reporter,
        }
    }
}

/// What a notification's sentence is rendered from: never a person's identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeParams {
    /// A complaint's product, a report's listing, a shop's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The event that lapsed (for `deadline_lapsed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<EventKind>,
    /// The deadline a reminder is about, and when it falls due (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Deadline>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_ms: Option<i64>,
    /// The chat session an agent took (for `chat_taken`, whose subject is the consumer's
    /// account: a chat has no chain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat: Option<String>,
}

/// Which parties an event concerns and what they are told. Every event kind is decided here
/// (the match has no catch-all: a new kind forces a decision); the actor is left out later.
pub fn concerns(stream: &Stream, kind: EventKind, data: &Value) -> Option<(NoticeKind, Vec<Who>)> {
    use EventKind as E;
    use NoticeKind as N;
    use Who::*;
    let both = || vec![Consumer, Merchant];
    let on_complaint = matches!(stream, Stream::Complaint(_));
    let on = |yes: bool, n: NoticeKind, who: Vec<Who>| yes.then_some((n, who));
    match kind {
        // A complaint's life: the other side, and both for what staff or a deadline did.
        E::Filed => on(on_complaint, N::ComplaintFiled, vec![Merchant]),
        E::MessagePosted => on(on_complaint, N::Message, both()),
        E::Proposed => on(on_complaint, N::Proposal, both()),
        E::Accepted => on(on_complaint, N::Accepted, both()),
        E::Rejected => on(on_complaint, N::Rejected, vec![Consumer]),
        E::Escalated => on(on_complaint, N::Escalated, both()),
        E::TakenOver => on(on_complaint, N::TakenOver, both()),
        E::EvidenceRequested => match stream {
            Stream::Complaint(_) => {
                let from = data.get("from").and_then(Value::as_str);
                let who = match from.and_then(|f| Party::parse(f).ok()) {
                    Some(Party::Consumer) => vec![Consumer],
                    Some(Party::Merchant) => vec![Merchant],
                    None => both(),
                };
                Some((N::EvidenceRequested, who))
            }
            Stream::Case(_) => Some((N::EvidenceRequested, vec![Merchant])),
            _ => None,
        },
        E::Ruled | E::CaseRuled => on(on_complaint, N::Ruled, both()),
        // Carried out by the merchant (the consumer is told) or paid by the marketplace's
        // payment system (both are).
        E::Fulfilled => on(on_complaint, N::Fulfilled, both()),
        // The payee may have to fix the cause, and the merchant still owes the remedy.
        E::RemedyPaymentFailed => on(on_complaint, N::PaymentFailed, both()),
        // A jury: the parties hear it was sent and, if it could not decide, that it came back
        // (its verdict is a ruling). Jurors are invited by the store, by name of the panel.
        E::JurySummoned => on(on_complaint, N::JurySent, both()),
        E::JuryReturned => on(on_complaint, N::JuryReturned, both()),
        E::JuryDrawn
        | E::JurorVoted
        | E::JurorLeft
        | E::JuryDecided
        | E::JuryDissolved
        | E::JurorsScored => None,
        E::Confirmed => on(on_complaint, N::Confirmed, vec![Merchant]),
        E::Appealed => on(on_complaint, N::Appealed, both()),
        E::Withdrawn => on(on_complaint, N::Withdrawn, vec![Merchant]),
        E::Forwarded => on(on_complaint, N::Forwarded, both()),
        E::JoinedCollectiveCase => on(on_complaint, N::CollectiveCase, vec![Consumer]),
        E::MerchantReplyLapsed
        | E::ConsumerReplyLapsed
        | E::MediationLapsed
        | E::EvidenceTurnLapsed
        | E::ExecuteRulingLapsed => on(on_complaint, N::DeadlineLapsed, both()),
        // The ruling simply became final; the parties were told of the ruling itself.
        E::AppealWindowLapsed => None,
        // Files added: staff read them; the parties see them on the page. Saying the files are
        // all in ends a turn staff watch on their queue: nobody else has to act.
        E::EvidenceAdded | E::EvidenceSubmitted => None,
        // A report's: the rights holder hears of the merchant's answer and the outcome; the
        // merchant hears of the takedown on the shop's stream, never of the reporter.
        E::Reported => None,
        E::CounterNoticed => on(
            matches!(stream, Stream::Report(_)),
            N::CounterNoticed,
            vec![Reporter],
        ),
        E::LegalActionNotified => on(
            matches!(stream, Stream::Report(_)),
            N::LegalActionNotified,
            vec![Merchant],
        ),
        E::ListingRestored => match stream {
            Stream::Report(_) => Some((N::ListingRestored, vec![Reporter])),
            Stream::Shop(_) => Some((N::ListingRestored, vec![Merchant])),
            _ => None,
        },
        E::CaseDecided => on(
            matches!(stream, Stream::Report(_)),
            N::CaseDecided,
            vec![Reporter],
        ),
        // A case's: the shop's merchant hears it was opened and decided.
        E::Opened => on(
            matches!(stream, Stream::Case(_)),
            N::CaseOpened,
            vec![Merchant],
        ),
        E::Sanctioned | E::Dismissed => on(
            matches!(stream, Stream::Case(_)),
            N::CaseDecided,
            vec![Merchant],
        ),
        E::EvidenceLapsed => on(
            matches!(stream, Stream::Case(_)),
            N::DeadlineLapsed,
            vec![Merchant],
        ),
        // Staff's own steps on a case.
        E::MemberAdded
        | E::ReportAdded
        | E::RegulatorsNotified
        | E::BlockFound
        | E::InvestigationStarted
        | E::MerchantResponded => None,
        // A shop's.
        E::PenaltyApplied => on_shop(stream, N::PenaltyApplied),
        E::PenaltyLifted => on_shop(stream, N::PenaltyEnded),
        E::PenaltyAppealDecided => on_shop(stream, N::PenaltyAppealDecided),
        E::ListingTakenDown => on_shop(stream, N::ListingTakenDown),
        // Points are told through the penalty they lead to; a payout through the lapse.
        E::ViolationRecorded | E::PlatformPayout => None,
        E::ShopCreated | E::ShopUpdated | E::PenaltyAppealed => None,
        // Bookkeeping of accounts and orders.
        E::RoleChanged
        | E::AccountDisabled
        | E::AccountEnabled
        | E::PasswordReset
        | E::ServiceAccountCreated
        | E::ApiKeyIssued
        | E::ApiKeyRevoked
        | E::OrderImported
        | E::OrderUpdated => None,
        // An export is staff's own record of what left the platform (on the exporter's chain).
        E::BundleExported => None,
    }
}

fn on_shop(stream: &Stream, n: NoticeKind) -> Option<(NoticeKind, Vec<Who>)> {
    matches!(stream, Stream::Shop(_)).then(|| (n, vec![Who::Merchant]))
}

/// The user id in an event's actor name (`user:ID`); none for the system.
fn actor_id(actor: &str) -> Option<UserId> {
    if actor == SYSTEM_ACTOR {
        return None;
    }
    actor.strip_prefix("user:")?.parse().ok().map(UserId)
}

/// Who is told of an event appended to a stream, and with what: the parties it concerns,
/// without whoever acted, each once.
pub fn recipients(
    stream: &Stream,
    kind: EventKind,
    actor: &str,
    data: &Value,
    parties: &Parties,
) -> Vec<(UserId, NoticeKind, NoticeParams)> {
    let Some((notice, who)) = concerns(stream, kind, data) else {
        return vec![];
    };
    let acted = actor_id(actor);
    let params = NoticeParams {
        label: parties.label.clone(),
        event: (notice == NoticeKind::DeadlineLapsed).then_some(kind),
        ..NoticeParams::default()
    };
    let mut out: Vec<(UserId, NoticeKind, NoticeParams)> = vec![];
    for w in who {
        if let Some(id) = parties.get(w)
            && Some(id) != acted
            && !out.iter().any(|(u, _, _)| *u == id)
        {
            out.push((id, notice, params.clone()));
        }
    }
    out
}

/// The notification a consumer gets when an agent takes their handed-over chat.
pub fn chat_taken(consumer: UserId, session: &str) -> (UserId, NoticeKind, NoticeParams) {
    let params = NoticeParams {
        chat: Some(session.to_owned()),
        ..NoticeParams::default()
    };
    (consumer, NoticeKind::ChatTaken, params)
}

/// Who must act before a deadline: its reminder's recipients. `evidence_from` is whom an
/// evidence turn asks (both parties when unknown).
pub fn reminded(deadline: Deadline, evidence_from: Option<Party>) -> Vec<Who> {
    match deadline {
        Deadline::MerchantReply | Deadline::ExecuteRuling => vec![Who::Merchant],
        Deadline::ConsumerReply => vec![Who::Consumer],
        Deadline::EvidenceTurn => match evidence_from {
            Some(Party::Consumer) => vec![Who::Consumer],
            Some(Party::Merchant) => vec![Who::Merchant],
            None => vec![Who::Consumer, Who::Merchant],
        },
        Deadline::AppealWindow => vec![Who::Consumer, Who::Merchant],
        // The rights holder must say it went to court before the listing comes back.
        Deadline::IpCounterNotice => vec![Who::Reporter],
        // Jurors who have not voted: the store knows the panel's seats, not a stream's parties.
        Deadline::JuryVote => vec![],
    }
}

/// A reminder's recipients among a subject's parties, each once.
pub fn reminder_recipients(
    deadline: Deadline,
    evidence_from: Option<Party>,
    parties: &Parties,
    due: Timestamp,
) -> Vec<(UserId, NoticeKind, NoticeParams)> {
    let params = NoticeParams {
        label: parties.label.clone(),
        deadline: Some(deadline),
        due_ms: Some(due.timestamp_millis()),
        ..NoticeParams::default()
    };
    let mut out: Vec<(UserId, NoticeKind, NoticeParams)> = vec![];
    for w in reminded(deadline, evidence_from) {
        if let Some(id) = parties.get(w)
            && !out.iter().any(|(u, _, _)| *u == id)
        {
            out.push((id, NoticeKind::Reminder, params.clone()));
        }
    }
    out
}

/// What a subject is called in a sentence: "投诉 #12（蓝牙耳机）" / "complaint #12 (earbuds)".
pub fn subject_name(subject: &Stream, label: Option<&str>, lang: Lang) -> String {
    let (zh, en, id) = match subject {
        Stream::Complaint(id) => ("投诉", "complaint", id.to_string()),
        Stream::Report(id) => ("举报", "report", id.to_string()),
        Stream::Case(id) => ("案件", "case", id.to_string()),
        Stream::Jury(id) => ("大众评审", "public jury", id.to_string()),
        Stream::Shop(_) => {
            let name = label.unwrap_or_default();
            return match lang {
                Lang::Zh => format!("店铺“{name}”"),
                Lang::En => format!("shop “{name}”"),
            };
        }
        Stream::Account(_) | Stream::Order(_) | Stream::Penalty(_) => {
            return lang.pick("您的账户", "your account").to_owned();
        }
    };
    match (lang, label) {
        (Lang::Zh, Some(l)) => format!("{zh} #{id}（{l}）"),
        (Lang::Zh, None) => format!("{zh} #{id}"),
        (Lang::En, Some(l)) => format!("{en} #{id} ({l})"),
        (Lang::En, None) => format!("{en} #{id}"),
    }
}

/// A notification's sentence in one language.
pub fn sentence(kind: NoticeKind, subject: &Stream, params: &NoticeParams, lang: Lang) -> String {
    use NoticeKind as N;
    let about = subject_name(subject, params.label.as_deref(), lang);
    let what = match kind {
        N::ComplaintFiled => (
            "买家提交了投诉，请在期限内回复，逾期将按买家的主张处理。",
            "a consumer filed a complaint; answer before the deadline, or it is decided for the consumer.",
        ),
        N::Message => ("有一条新留言。", "there is a new message."),
        N::Proposal => (
            "收到一个解决方案，请查看并回应。",
            "a remedy was proposed; look at it and answer.",
        ),
        N::Accepted => ("方案已被接受。", "the proposal was accepted."),
        N::Rejected => (
            "商家拒绝了您的投诉，您可以回应或升级。",
            "the merchant rejected your complaint; you may answer or escalate.",
        ),
        N::EvidenceRequested => (
            "平台请您补充证据，请在期限内提交。",
            "the platform asks you for evidence; send it before the deadline.",
        ),
        N::Escalated => ("投诉已升级处理。", "the complaint was escalated."),
        N::TakenOver => (
            "消费者保障已接管这条投诉。",
            "consumer protection took over this complaint.",
        ),
        N::Ruled => ("平台已作出裁决。", "the platform made its ruling."),
        N::Fulfilled => (
            "处理方案已履行，请确认。",
            "the remedy was carried out; please confirm.",
        ),
        N::PaymentFailed => (
            "支付系统未能完成赔付，处理方案仍待履行，请在投诉页查看原因。",
            "the payment system could not pay the remedy; it is still due — see why on the complaint.",
        ),
        N::Confirmed => (
            "买家已确认，投诉结束。",
            "the consumer confirmed; the complaint is finished.",
        ),
        N::Appealed => ("裁决已被申诉。", "the ruling was appealed."),
        N::Withdrawn => ("买家已撤销投诉。", "the consumer withdrew the complaint."),
        N::DeadlineLapsed => {
            let what = params.event.map_or("", |e| e.label(lang));
            return match lang {
                Lang::Zh => format!("{about}：{what}。"),
                Lang::En => format!("{about}: {what}."),
            };
        }
        N::Forwarded => (
            "已移交平台监管处理。",
            "it was forwarded to the platform's regulators.",
        ),
        N::CollectiveCase => (
            "已与同类投诉并入集体案件一并处理。",
            "it joined a collective case with similar complaints.",
        ),
        N::CaseOpened => (
            "平台已就您的店铺立案，请留意案件进展。",
            "the platform opened a case about your shop; follow its progress.",
        ),
        N::CaseDecided => ("案件已处理完毕。", "the case was decided."),
        N::PenaltyApplied => (
            "店铺受到处罚，详情见店铺记录。",
            "your shop was penalised; see the shop's record.",
        ),
        N::PenaltyEnded => ("一项处罚已结束。", "a penalty ended."),
        N::PenaltyAppealDecided => ("您的处罚申诉已有结果。", "your penalty appeal was decided."),
        N::ListingTakenDown => (
            "一件商品因知识产权投诉被下架，您可以提交不侵权声明。",
            "a listing was taken down on an IP notice; you may counter-notify.",
        ),
        N::ListingRestored => ("商品已恢复上架。", "the listing was restored."),
        N::CounterNoticed => (
            "商家提交了不侵权声明；如已投诉或起诉，请在期限内告知平台，否则商品将恢复上架。",
            "the merchant counter-notified; tell the platform before the deadline if you went to the authorities or to court, or the listing is restored.",
        ),
        N::LegalActionNotified => (
            "权利人已投诉或起诉，商品保持下架。",
            "the rights holder went to the authorities or to court; the listing stays down.",
        ),
        N::JuryInvited => (
            "您被抽选为大众评审员。请在期限内阅读案情（已隐去身份信息）并投票，写明理由；不能参加可退出。",
            "you were drawn for a public jury. Read the case (identities hidden) and vote with a reason before the deadline; leave if you cannot take part.",
        ),
        N::JurySent => (
            "消费者保障已将投诉交由大众评审团，评审团的多数意见将作为裁决（仍可申诉）。",
            "consumer protection sent the complaint to a public jury; its majority becomes the ruling (which may still be appealed).",
        ),
        N::JuryReturned => (
            "大众评审团未能形成裁决，投诉已退回消费者保障专员处理。",
            "the public jury reached no verdict; a consumer-protection specialist takes the complaint back.",
        ),
        N::ChatTaken => {
            return lang
                .pick(
                    "人工客服已接入您的在线咨询，请回到对话继续。",
                    "An agent took over your chat; go back to it to continue.",
                )
                .to_owned();
        }
        N::Reminder => {
            let what = params.deadline.map_or("", |d| d.label(lang));
            let due = params
                .due_ms
                .and_then(chrono::DateTime::from_timestamp_millis)
                .map(|t| china_time(&t))
                .unwrap_or_default();
            return match lang {
                Lang::Zh => format!("{about}：{what}将于 {due}（北京时间）截止，请及时处理。"),
                Lang::En => format!("{about}: {what} ends at {due} (China time); act before then."),
            };
        }
    };
    match lang {
        Lang::Zh => format!("{about}：{}", what.0),
        Lang::En => format!("{about}: {}", what.1),
    }
}

/// China time (UTC+8), minutes: how a notification names a time.
fn china_time(t: &Timestamp) -> String {
    let cn = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    t.with_timezone(&cn).format("%Y-%m-%d %H:%M").to_string()
}

/// An e-mail address a user gives for notifications: trimmed, one `@` between a local part and
/// a domain with a dot, no spaces, at most 254 characters (RFC 5321's limit).
pub fn parse_email(s: &str) -> Result<String, DomainError> {
    let s = s.trim();
    let bad = || {
        DomainError::invalid(
            "email",
            "电子邮箱地址无效，应形如 name@example.com",
            "invalid e-mail address; expected something like name@example.com",
        )
    };
    let (local, domain) = s.split_once('@').ok_or_else(bad)?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && s.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c));
    if ok { Ok(s.to_owned()) } else { Err(bad()) }
}

/// A user's language for what is sent to them (`zh` or `en`).
pub fn parse_lang(s: &str) -> Result<Lang, DomainError> {
    match s.trim() {
        "zh" => Ok(Lang::Zh),
        "en" => Ok(Lang::En),
        other => Err(DomainError::invalid(
            "lang",
            format!("不支持的语言“{other}”，可选：zh, en"),
            format!("unsupported language {other:?}; expected zh or en"),
        )),
    }
}

#[cfg(test)]
mod tests;
