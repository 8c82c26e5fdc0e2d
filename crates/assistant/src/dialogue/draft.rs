//! The draft: shown for confirmation, filed on an explicit yes, and the answers once filed.

use super::labels::t;
use super::{Context, Draft, Kind, Outcome, Phase, Reply, ReportDraft, Session, Shown};

impl Session {
    /// The draft currently awaiting confirmation.
    pub fn shown_draft(&self, ctx: &Context<'_>) -> Option<Shown> {
        (self.phase == Phase::Confirm)
            .then(|| self.build(ctx))
            .flatten()
    }

    /// Records that the server filed the draft (complaint or report `id`); the reply to show.
    pub fn filed(&mut self, id: i64) -> String {
        self.phase = Phase::Filed;
        self.filed_id = Some(id);
        self.asked = None;
        let lang = self.lang;
        match self.kind {
            Kind::Complaint => t(
                lang,
                format!(
                    "已提交投诉 #{id}，渠道为客服小蜜，本次对话已作为聊天记录证据保存。商家须在规定时限内回复，您可以随时问我「投诉进度」。"
                ),
                format!(
                    "Complaint #{id} is filed (channel: chat) and this conversation is kept as chat-log evidence. The merchant must answer within the deadline; ask me for \"status\" at any time."
                ),
            ),
            Kind::Report => t(
                lang,
                format!("已提交举报 #{id}，将由平台监管（三级）核查处理，感谢您的反馈。"),
                format!(
                    "Report #{id} is filed and goes to platform regulation (tier 3) for investigation. Thank you."
                ),
            ),
        }
    }

    /// Records that filing failed with `why` (in the session's language): the draft stays open
    /// for changes.
    pub fn filing_failed(&mut self, why: &str) -> String {
        self.phase = Phase::Collecting;
        self.asked = None;
        t(
            self.lang,
            format!("提交没有成功：{why}。您可以修改后再让我提交，或回复「转人工」。"),
            format!(
                "Filing did not succeed: {why}. You can change the details and ask me again, or say \"human agent\"."
            ),
        )
    }

    /// The draft from the slots, when every fact is there.
    pub(super) fn build(&self, ctx: &Context<'_>) -> Option<Shown> {
        let s = &self.slots;
        match self.kind {
            Kind::Report => {
                let shop_id = s.shop_id.clone()?;
                let shop_name = ctx
                    .orders
                    .iter()
                    .find(|o| o.shop_id == shop_id)
                    .map(|o| o.shop_name.clone())
                    .unwrap_or_else(|| shop_id.clone());
                Some(Shown::Report(ReportDraft {
                    shop_id,
                    shop_name,
                    kind: s.category?,
                    description: s.description.clone()?,
                    order_no: s.order_no.clone(),
                    listing: s.listing.clone(),
                }))
            }
            Kind::Complaint => Some(Shown::Complaint(Draft {
                order_no: s.order_no.clone()?,
                product: s.product.clone()?,
                category: s.category?,
                incident_at: match s.incident_at {
                    Some(at) => at,
                    // Not remembered: the delivery day, else the payment's (the filing rule
                    // accepts both).
                    None if s.date_unknown => {
                        let o = self.order(ctx)?;
                        o.delivered_at.unwrap_or(o.paid_at).min(ctx.now)
                    }
                    None => return None,
                },
                description: s.description.clone()?,
                claim: s.claim?,
            })),
        }
    }

    pub(super) fn confirm(&mut self, ctx: &Context<'_>, mut reply: Reply) -> Reply {
        match self.build(ctx) {
            Some(Shown::Complaint(d)) => {
                reply.text = t(self.lang, "正在为您提交投诉……", "Filing your complaint…");
                reply.outcome = Outcome::File(d);
            }
            Some(Shown::Report(r)) => {
                reply.text = t(self.lang, "正在为您提交举报……", "Filing your report…");
                reply.outcome = Outcome::Report(r);
            }
            None => {
                self.phase = Phase::Collecting;
                reply.text = self.next_step(ctx, &mut reply);
            }
        }
        reply
    }
}
