use std::collections::HashMap;

use chrono::{TimeZone, Utc};

use super::orders::amount;
use super::*;

fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2025, 6, 1, 4, 30, 0).unwrap()
}

fn is_ring(u: &Username) -> bool {
    u.as_str().starts_with("shua")
}

fn span(t: impl Iterator<Item = Timestamp> + Clone) -> TimeDelta {
    t.clone().max().unwrap() - t.min().unwrap()
}

#[test]
fn counts_and_validity() {
    let m = generate(7, now());
    let count = |p: &str, r: Role| {
        m.users
            .iter()
            .filter(|u| u.username.as_str().starts_with(p) && u.role == r)
            .count()
    };
    assert_eq!(count("buyer", Role::Consumer), 200);
    assert_eq!(count("shua", Role::Consumer), 20);
    assert!(count("seller", Role::Merchant) >= 30);
    assert!(m.users.iter().any(|u| u.username.as_str() == "buyer100"));
    assert!(m.shops.len() >= 45);
    assert_eq!(
        m.orders.iter().filter(|o| !is_ring(&o.buyer)).count(),
        NORMAL_ORDERS
    );
    assert!(m.orders.iter().filter(|o| is_ring(&o.buyer)).count() >= 120);

    let users: HashSet<_> = m.users.iter().map(|u| &u.username).collect();
    assert_eq!(users.len(), m.users.len());
    let shops: HashMap<_, _> = m.shops.iter().map(|s| (&s.id, s)).collect();
    assert_eq!(shops.len(), m.shops.len());
    for s in &m.shops {
        s.validate().unwrap();
        assert!(users.contains(&s.merchant));
    }
    let nos: HashSet<_> = m.orders.iter().map(|o| &o.order_no).collect();
    assert_eq!(nos.len(), m.orders.len());
    for o in &m.orders {
        o.validate().unwrap();
        assert!(users.contains(&o.buyer) && shops.contains_key(&o.shop_id));
        assert_eq!(o.amount_cents.get(), amount(&o.items));
        assert!(
            o.order_no
                .as_str()
                .starts_with(&o.paid_at.format("%Y%m%d").to_string())
        );
        assert!(o.paid_at < now() && o.paid_at > now() - TimeDelta::days(121));
        assert!(o.shipped_at.is_none_or(|t| t <= now()));
        assert!(o.delivered_at.is_none_or(|t| t <= now()));
    }
}

#[test]
fn planted_patterns() {
    let m = generate(7, now());
    let shop = |id: &str| m.shops.iter().find(|s| s.id.as_str() == id).unwrap();
    assert_eq!(shop(LATE_SHOP).merchant.as_str(), "seller09");
    assert_eq!(shop(WAVE_SHOP).merchant.as_str(), "seller05");
    for id in RING_SHOPS {
        assert_eq!(shop(id).merchant.as_str(), "seller20");
    }
    let late: Vec<_> = m
        .orders
        .iter()
        .filter(|o| o.shop_id.as_str() == LATE_SHOP && o.paid_at > now() - TimeDelta::days(30))
        .collect();
    assert!(late.len() > 10);
    assert!(
        late.iter()
            .filter_map(|o| o.shipped_at.map(|t| t - o.paid_at))
            .all(|d| d > TimeDelta::hours(70))
    );
    let ring: Vec<_> = m.orders.iter().filter(|o| is_ring(&o.buyer)).collect();
    assert!(
        ring.iter()
            .all(|o| RING_SHOPS.contains(&o.shop_id.as_str()) && o.amount_cents.get() < 1000)
    );
    assert!(span(ring.iter().map(|o| o.paid_at)) < TimeDelta::days(5));
}

#[test]
fn complaints_are_consistent() {
    let m = generate(7, now());
    let orders: HashMap<_, _> = m.orders.iter().map(|o| (&o.order_no, o)).collect();
    assert!(m.complaints.len() >= 20);
    let buyers: HashSet<_> = m.complaints.iter().map(|c| &c.consumer).collect();
    assert_eq!(buyers.len(), m.complaints.len());
    for c in &m.complaints {
        let o = orders[&c.order_no];
        assert_eq!(o.buyer, c.consumer);
        assert_ne!(c.consumer.as_str(), "buyer01");
        assert!(!c.category.is_report());
        assert!(c.incident_at > o.paid_at && c.incident_at < now());
        assert!(c.description.chars().count() >= 10 && !c.description.contains('{'));
        assert!(o.items.iter().any(|i| i.title == c.product));
        match c.claim_kind {
            ClaimKind::Refund => {
                assert!(c.amount_cents.is_some_and(|a| a <= o.amount_cents.get()))
            }
            ClaimKind::Compensation => assert!(c.amount_cents.is_some()),
            _ => {}
        }
    }
    let wave: Vec<_> = m
        .complaints
        .iter()
        .filter(|c| orders[&c.order_no].shop_id.as_str() == WAVE_SHOP)
        .collect();
    assert_eq!(wave.len(), 6);
    assert!(span(wave.iter().map(|c| c.incident_at)) <= TimeDelta::days(10));
    let cats: HashSet<_> = m.complaints.iter().map(|c| c.category).collect();
    assert_eq!(cats.len(), 8);
}

#[test]
fn reports_name_real_accounts_shops_and_listings() {
    let m = generate(7, now());
    let users: HashSet<_> = m.users.iter().map(|u| &u.username).collect();
    assert_eq!(m.reports.len(), 2);
    for r in &m.reports {
        assert!(users.contains(&r.reporter));
        assert!(m.shops.iter().any(|s| s.id == r.shop_id));
        assert!(r.description.chars().count() >= 10);
    }
    let ip = m
        .reports
        .iter()
        .find(|r| r.kind == ReportKind::IpInfringement)
        .unwrap();
    let shop = m.shops.iter().find(|s| s.id == ip.shop_id).unwrap();
    assert_eq!(shop.merchant.as_str(), "seller01");
    let listing = ip.listing.as_deref().unwrap();
    assert!(
        m.orders
            .iter()
            .filter(|o| o.shop_id == ip.shop_id)
            .any(|o| o.items.iter().any(|i| i.title == listing)),
        "the listing is one the shop sells"
    );
    let brushing = m
        .reports
        .iter()
        .find(|r| r.kind == ReportKind::FakeTransactions)
        .unwrap();
    assert!(RING_SHOPS.contains(&brushing.shop_id.as_str()));
}

#[test]
fn deterministic() {
    let nos = |m: Marketplace| m.orders.into_iter().map(|o| o.order_no).collect::<Vec<_>>();
    assert_eq!(nos(generate(42, now())), nos(generate(42, now())));
    assert_eq!(
        generate(42, now()).complaints,
        generate(42, now()).complaints
    );
    assert_ne!(nos(generate(42, now())), nos(generate(43, now())));
    assert!(DEMO_PASSWORD.len() >= 8);
}

/// The marketplace for one seed, byte for byte: recorded before the catalogue became data.
#[test]
fn same_marketplace_as_recorded() {
    use sha2::{Digest, Sha256};
    let now = Utc.with_ymd_and_hms(2026, 5, 1, 4, 30, 0).unwrap();
    let json = serde_json::to_vec(&generate(20_260_501, now)).unwrap();
    let digest = format!("{:x}", Sha256::digest(&json));
    assert_eq!(
        digest,
        "594081fb47daf9689ade06c6b90e0e6954884b1ae0a49e014f86da88a534fbb7"
    );
}

#[test]
fn the_last_twenty_buyers_volunteer_for_the_jury() {
    let m = generate(1, now());
    let names: Vec<&str> = m.jurors.iter().map(|u| u.as_str()).collect();
    assert_eq!(names.len(), 20);
    assert_eq!((names[0], names[19]), ("buyer181", "buyer200"));
    // Each is a consumer of the demo.
    for n in names {
        assert!(
            m.users
                .iter()
                .any(|u| u.username.as_str() == n && u.role == weiquan_domain::Role::Consumer)
        );
    }
}

#[test]
fn buyer01_walkthrough() {
    for seed in [1, 2, 3] {
        let m = generate(seed, now());
        let mine: Vec<_> = m
            .orders
            .iter()
            .filter(|o| o.buyer.as_str() == "buyer01")
            .collect();
        assert!(mine.len() >= 10);
        assert!(mine.iter().filter(|o| o.delivered_at.is_some()).count() >= 5);
        assert!(
            mine.iter()
                .map(|o| &o.shop_id)
                .collect::<HashSet<_>>()
                .len()
                >= 5
        );
        let seller01: HashSet<_> = m
            .shops
            .iter()
            .filter(|s| s.merchant.as_str() == "seller01")
            .map(|s| &s.id)
            .collect();
        assert!(
            mine.iter()
                .any(|o| seller01.contains(&o.shop_id) && o.delivered_at.is_some())
        );
        assert!(
            m.complaints
                .iter()
                .all(|c| c.consumer.as_str() != "buyer01")
        );
    }
}
