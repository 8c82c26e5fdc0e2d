//! What an action would do that cannot be taken back: a page names the button by it and asks
//! the person to confirm first. Read from the transition `decide` returned, so the words follow
//! the same rule that carries the action out.

use super::{Action, Transition};
use crate::complaint::Complaint;
use crate::lang::{Lang, Text};
use crate::state::State;
use crate::types::Claim;

/// A remedy in words, e.g. "退款 ¥599.00".
fn remedy_text(r: &Claim, lang: Lang) -> String {
    match r.amount_cents {
        Some(a) => format!("{} {a}", r.kind.label(lang)),
        None => r.kind.label(lang).to_owned(),
    }
}

/// The button's words for an action that ends the complaint, gives up what is on the table or
/// hands it on, in both languages; `None` for an action that leaves the complaint where it is
/// (a proposal, a refusal, a request for evidence, a ruling with its own cited rules).
pub fn consequence(before: &Complaint, action: &Action, t: &Transition) -> Option<Text> {
    let after = &t.complaint;
    let (zh, en) = match action {
        Action::Accept => match after
            .progress
            .resolution
            .as_ref()
            .and_then(|r| r.remedy.as_ref())
        {
            None => (
                "接受拒绝并结案（不退款）".to_owned(),
                "Accept the refusal and close (no refund)".to_owned(),
            ),
            Some(r) if before.state == State::AwaitingMerchant => (
                format!("同意买家诉求并结案（{}）", remedy_text(r, Lang::Zh)),
                format!("Grant the claim and close ({})", remedy_text(r, Lang::En)),
            ),
            Some(r) => (
                format!("接受方案并结案（{}）", remedy_text(r, Lang::Zh)),
                format!("Accept the offer and close ({})", remedy_text(r, Lang::En)),
            ),
        },
        Action::Withdraw { .. } => (
            "撤销投诉（结案，不可恢复）".to_owned(),
            "Withdraw the complaint (ends it for good)".to_owned(),
        ),
        Action::Escalate { .. } => {
            let (zh, en) = if after.state == State::ProtectionReview {
                ("升级：请消费者保障裁决", "Escalate to consumer protection")
            } else {
                ("升级：请平台客服介入", "Escalate to customer service")
            };
            // Escalating turns down the offer on the table, if there is one.
            match before.progress.proposal {
                Some(_) => (
                    format!("{zh}（放弃当前方案）"),
                    format!("{en} (turns down the offer)"),
                ),
                None => (zh.to_owned(), en.to_owned()),
            }
        }
        Action::Forward { .. } => (
            "移交平台监管（对店铺立案调查）".to_owned(),
            "Forward to regulators (opens a case on the shop)".to_owned(),
        ),
        Action::Confirm => (
            "确认已履行并结案".to_owned(),
            "Confirm it was carried out and close".to_owned(),
        ),
        Action::Appeal { .. } => (
            "申诉（每个裁决只能申诉一次）".to_owned(),
            "Appeal (a ruling may be appealed once)".to_owned(),
        ),
        _ => return None,
    };
    Some(Text::new(zh, en))
}
