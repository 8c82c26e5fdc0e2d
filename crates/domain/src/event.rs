//! Every kind of event the chains record. The wire name is hashed into each event, so it must
//! never change; the label is what a timeline shows.

use crate::types::labelled_enum;

labelled_enum!(
    /// What happened, in an event of a stream.
    EventKind, "kind" {
        // A complaint's life (`machine`, and the store's filing, messages and evidence).
        Filed = "filed", "提交投诉", "filed";
        Accepted = "accepted", "接受", "accepted";
        Proposed = "proposed", "提出方案", "remedy proposed";
        Rejected = "rejected", "商家拒绝", "rejected by the merchant";
        Escalated = "escalated", "升级投诉", "escalated";
        TakenOver = "taken_over", "消保接管", "taken over by consumer protection";
        EvidenceRequested = "evidence_requested", "调取证据", "evidence requested";
        Ruled = "ruled", "作出裁决", "ruled";
        Fulfilled = "fulfilled", "已履行", "carried out";
        Confirmed = "confirmed", "买家确认", "confirmed by the consumer";
        Appealed = "appealed", "申诉", "appealed";
        Withdrawn = "withdrawn", "撤销投诉", "withdrawn";
        Forwarded = "forwarded", "移交平台监管", "forwarded to regulators";
        JoinedCollectiveCase = "joined_collective_case", "并入集体投诉案件", "joined a collective case";
        CaseRuled = "case_ruled", "集体案件已裁决", "ruled with its collective case";
        MessagePosted = "message_posted", "留言", "message";
        EvidenceAdded = "evidence_added", "补充证据", "evidence added";
        EvidenceSubmitted = "evidence_submitted", "举证完毕", "evidence submitted";
        MerchantReplyLapsed = "merchant_reply_lapsed", "商家逾期未回复", "the merchant did not answer in time";
        ConsumerReplyLapsed = "consumer_reply_lapsed", "买家逾期未回应", "the consumer did not answer in time";
        MediationLapsed = "mediation_lapsed", "调解期限已过", "mediation time ran out";
        EvidenceTurnLapsed = "evidence_turn_lapsed", "举证期限已过", "time to give evidence ran out";
        ExecuteRulingLapsed = "execute_ruling_lapsed", "逾期未履行，平台先行赔付", "not carried out in time; the platform paid";
        AppealWindowLapsed = "appeal_window_lapsed", "申诉期已过", "the appeal window closed";
        RemedyPaymentFailed = "remedy_payment_failed", "支付系统赔付失败", "the payment system could not pay the remedy";
        JurySummoned = "jury_summoned", "交由大众评审", "sent to a public jury";
        JuryReturned = "jury_returned", "大众评审未能裁决，退回专员", "the public jury reached no verdict; back to a specialist";
        // A public jury's panel (`jury:ID`).
        JuryDrawn = "jury_drawn", "抽选评审团", "jury panel drawn";
        JurorVoted = "juror_voted", "评审员投票", "a juror voted";
        JurorLeft = "juror_left", "评审员退出", "a juror left the panel";
        JuryDecided = "jury_decided", "评审团作出裁决", "the jury decided";
        JuryDissolved = "jury_dissolved", "投诉已另行了结，评审团解散", "the complaint ended otherwise; the panel was dissolved";
        JurorsScored = "jurors_scored", "记录评审员与最终结果是否一致", "jurors' agreement with the final outcome recorded";
        // A report's.
        Reported = "reported", "提交举报", "reported";
        CounterNoticed = "counter_noticed", "商家提交不侵权声明", "the merchant counter-notified";
        LegalActionNotified = "legal_action_notified", "权利人已投诉或起诉，商品保持下架", "the rights holder went to the authorities or to court; the listing stays down";
        ListingRestored = "listing_restored", "商品已恢复上架", "the listing was restored";
        CaseDecided = "case_decided", "所属案件已处理", "its case was decided";
        // A tier-3 case's.
        Opened = "opened", "立案", "case opened";
        MemberAdded = "member_added", "并入成员投诉", "a member complaint joined";
        ReportAdded = "report_added", "并入举报", "a report joined";
        RegulatorsNotified = "regulators_notified", "已通知平台监管", "regulators notified";
        BlockFound = "block_found", "发现刷单团伙", "brushing block found";
        InvestigationStarted = "investigation_started", "开始调查", "investigation started";
        MerchantResponded = "merchant_responded", "商家已答复", "the merchant responded";
        Sanctioned = "sanctioned", "已处罚", "sanctioned";
        Dismissed = "dismissed", "不予处罚", "dismissed";
        EvidenceLapsed = "evidence_lapsed", "商家逾期未提供材料", "the merchant gave no evidence in time";
        // A shop's.
        ShopCreated = "shop_created", "店铺已导入", "shop imported";
        ShopUpdated = "shop_updated", "店铺信息已更新", "shop details updated";
        ViolationRecorded = "violation_recorded", "记录违规", "violation recorded";
        PenaltyApplied = "penalty_applied", "实施处罚", "penalty applied";
        PenaltyLifted = "penalty_lifted", "处罚解除", "penalty lifted";
        PenaltyAppealed = "penalty_appealed", "商家申诉处罚", "the merchant appealed a penalty";
        PenaltyAppealDecided = "penalty_appeal_decided", "处罚申诉已裁决", "penalty appeal decided";
        ListingTakenDown = "listing_taken_down", "商品已下架", "the listing was taken down";
        PlatformPayout = "platform_payout", "平台先行赔付", "the platform paid out";
        // An account's and an order's.
        RoleChanged = "role_changed", "角色变更", "role changed";
        AccountDisabled = "account_disabled", "账号已停用", "account disabled";
        AccountEnabled = "account_enabled", "账号已启用", "account enabled";
        PasswordReset = "password_reset", "管理员重置密码", "password reset by an admin";
        ServiceAccountCreated = "service_account_created", "创建服务账号", "service account created";
        ApiKeyIssued = "api_key_issued", "签发接口密钥", "API key issued";
        ApiKeyRevoked = "api_key_revoked", "吊销接口密钥", "API key revoked";
        BundleExported = "bundle_exported", "导出监管证据包", "evidence bundle exported for the authorities";
        OrderImported = "order_imported", "订单已导入", "order imported";
        OrderUpdated = "order_updated", "订单物流已更新", "order shipping updated";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_as_written() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()).unwrap(), *k);
            // The JSON form is the wire name too.
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert!(EventKind::parse("no_such_event").is_err());
    }

    #[test]
    fn every_kind_has_distinct_labels_in_both_languages() {
        crate::types::assert_labels(EventKind::ALL, EventKind::label);
    }
}
