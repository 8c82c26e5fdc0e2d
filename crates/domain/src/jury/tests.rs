use proptest::prelude::*;

use super::*;
use crate::policy::Policy;

fn at(days: i64) -> Timestamp {
    chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(days)
}

fn candidate(id: i64) -> Candidate {
    Candidate {
        id: UserId(id),
        joined: at(0),
        disabled: false,
        missed_votes: 0,
        ordered_from_shop: false,
        is_party: false,
        on_open_panel_of_shop: false,
    }
}

#[test]
fn each_exclusion_is_named() {
    let p = Policy::default();
    let now = at(1000);
    assert_eq!(exclusion(&candidate(1), &p, now), None);
    type Change = fn(&mut Candidate);
    let cases: [(Change, Exclusion); 6] = [
        (|c| c.is_party = true, Exclusion::Party),
        (|c| c.joined = at(999), Exclusion::TooNew),
        (|c| c.disabled = true, Exclusion::NotInGoodStanding),
        (|c| c.missed_votes = 2, Exclusion::NotInGoodStanding),
        (|c| c.ordered_from_shop = true, Exclusion::OrderedFromShop),
        (
            |c| c.on_open_panel_of_shop = true,
            Exclusion::OnAnotherPanelOfShop,
        ),
    ];
    for (f, want) in cases {
        let mut c = candidate(1);
        f(&mut c);
        assert_eq!(exclusion(&c, &p, now), Some(want));
    }
    // Exactly old enough counts.
    let mut c = candidate(1);
    c.joined = now - chrono::Duration::days(90);
    assert_eq!(exclusion(&c, &p, now), None);
}

proptest! {
    /// The draw seats exactly `n` distinct eligible volunteers, never an excluded one, the same
    /// ones for the same seed whatever order the pool comes in.
    #[test]
    fn a_draw_respects_every_exclusion(
        flags in prop::collection::vec((any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), 0u32..4, 0i64..200), 0..40),
        seed in prop::collection::vec(any::<u8>(), 32),
        half in 1usize..8,
    ) {
        let p = Policy::default();
        let now = at(1000);
        let n = half * 2 + 1;
        let pool: Vec<Candidate> = flags.iter().enumerate().map(|(i, f)| Candidate {
            id: UserId(i as i64 + 1),
            joined: now - chrono::Duration::days(f.5),
            disabled: f.0,
            missed_votes: f.4,
            ordered_from_shop: f.1,
            is_party: f.2,
            on_open_panel_of_shop: f.3,
        }).collect();
        let eligible: Vec<UserId> = pool.iter().filter(|c| exclusion(c, &p, now).is_none()).map(|c| c.id).collect();
        match draw(&eligible, n, &seed) {
            None => prop_assert!(eligible.len() < n),
            Some(panel) => {
                prop_assert_eq!(panel.len(), n);
                prop_assert!(n % 2 == 1);
                let mut d = panel.clone();
                d.sort_unstable();
                d.dedup();
                prop_assert_eq!(d.len(), n, "distinct jurors");
                for id in &panel {
                    let c = pool.iter().find(|c| c.id == *id).unwrap();
                    prop_assert_eq!(exclusion(c, &p, now), None);
                    prop_assert!(!c.is_party && !c.ordered_from_shop && !c.on_open_panel_of_shop && !c.disabled);
                }
                let mut reversed = eligible.clone();
                reversed.reverse();
                prop_assert_eq!(draw(&reversed, n, &seed), Some(panel));
            }
        }
    }

    /// Any outcome that wins has more than half of the votes cast, and a full odd panel voting
    /// on two outcomes always decides.
    #[test]
    fn a_tally_decides_only_by_majority(u in 0u32..8, pa in 0u32..8, r in 0u32..8, quorum in 1u32..6) {
        let t = Tally { uphold: u, partial: pa, reject: r };
        match verdict(&t, quorum) {
            Verdict::Decided(d) => {
                prop_assert!(t.cast() >= quorum);
                prop_assert!(2 * t.count(d) > t.cast());
            }
            Verdict::NoQuorum => prop_assert!(t.cast() < quorum || t.cast() == 0),
            Verdict::NoMajority => {
                prop_assert!(t.cast() >= quorum);
                prop_assert!(Decision::ALL.iter().all(|d| 2 * t.count(*d) <= t.cast()));
            }
        }
        if pa == 0 && (u + r) % 2 == 1 && u + r >= quorum {
            prop_assert!(matches!(verdict(&t, quorum), Verdict::Decided(_)));
        }
    }
}

#[test]
fn different_seeds_draw_different_panels() {
    let pool: Vec<UserId> = (1..=50).map(UserId).collect();
    let a = draw(&pool, 5, &[1; 32]).unwrap();
    let b = draw(&pool, 5, &[2; 32]).unwrap();
    assert_ne!(a, b);
    assert_eq!(draw(&pool[..4], 5, &[1; 32]), None);
}

#[test]
fn ties_and_thin_turnouts_go_back_to_a_specialist() {
    let t = |u, p, r| Tally {
        uphold: u,
        partial: p,
        reject: r,
    };
    assert_eq!(verdict(&t(4, 0, 1), 3), Verdict::Decided(Decision::Uphold));
    assert_eq!(t(4, 0, 1).split(Decision::Uphold), "4:1");
    assert_eq!(verdict(&t(2, 0, 2), 3), Verdict::NoMajority);
    assert_eq!(verdict(&t(2, 2, 1), 3), Verdict::NoMajority);
    assert_eq!(verdict(&t(1, 0, 1), 3), Verdict::NoQuorum);
    assert_eq!(verdict(&t(0, 0, 0), 1), Verdict::NoQuorum);
    assert_eq!(verdict(&t(0, 2, 1), 3), Verdict::Decided(Decision::Partial));
    assert_eq!(
        rule_ref(JuryId(7), &t(4, 0, 1), Decision::Uphold),
        "大众评审裁决（评审团 #7，4:1）/ public jury ruling (panel #7, 4:1)"
    );
}

#[test]
fn a_juror_reads_no_name_number_phone_mail_or_address() {
    let text = "我是buyer01（张伟），订单号202611010000000001，手机 138-1234-5678，邮箱 zhang.wei@example.com，\
                收货地址：北京市朝阳区建国路88号3栋502室。店铺 shop-a 旗舰店 的客服说可以退，Buyer01 等了三天。杯子500ml，漏水2处。";
    let out = redact(text, &["buyer01", "张伟", "shop-a", "shop-a 旗舰店"]);
    for gone in [
        "buyer01",
        "Buyer01",
        "张伟",
        "202611010000000001",
        "138",
        "5678",
        "zhang.wei",
        "example.com",
        "北京",
        "建国路",
        "88号",
        "502室",
        "shop-a",
    ] {
        assert!(!out.contains(gone), "{gone} left in {out}");
    }
    // What the case is about stays.
    for kept in [
        "订单号",
        "手机",
        "收货地址",
        "客服说可以退",
        "等了三天",
        "杯子500ml",
        "漏水2处",
    ] {
        assert!(out.contains(kept), "{kept} lost from {out}");
    }
}

#[test]
fn an_address_made_of_a_name_is_hidden_whole() {
    let out = redact("邮箱 buyer01@example.com。", &["buyer01"]);
    assert_eq!(out, "邮箱 ***。");
}

#[test]
fn files_are_shown_by_kind_without_names_and_never_the_order() {
    assert!(juror_sees(EvidenceKind::Photo));
    assert!(juror_sees(EvidenceKind::Video));
    assert!(!juror_sees(EvidenceKind::TransactionRecord));
    assert!(!juror_sees(EvidenceKind::ChatLog));
}

#[test]
fn a_vote_needs_an_outcome_on_offer_and_a_reason_of_the_right_length() {
    let p = Policy::default();
    let req = |o: Option<&str>, r: Option<&str>| VoteRequest {
        outcome: o.map(str::to_owned),
        reason: r.map(str::to_owned),
    };
    let v = Vote::parse(&req(Some("uphold"), Some("照片显示有裂缝")), false, &p).unwrap();
    assert_eq!(v.outcome, Decision::Uphold);
    let e = Vote::parse(&req(Some("partial"), Some("照片显示有裂缝")), false, &p).unwrap_err();
    assert!(e.to_string().contains("outcome") || format!("{e:?}").contains("outcome"));
    assert!(Vote::parse(&req(Some("partial"), Some("照片显示有裂缝")), true, &p).is_ok());
    let e = Vote::parse(&req(None, Some("好")), false, &p).unwrap_err();
    let dbg = format!("{e:?}");
    assert!(dbg.contains("outcome") && dbg.contains("reason"), "{dbg}");
    assert!(Vote::parse(&req(Some("reject"), Some(&"长".repeat(501))), false, &p).is_err());
}
