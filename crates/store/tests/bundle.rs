//! The authorities' bundle on both backends: what each scope holds and nothing more, that a
//! bundle verifies from its bytes alone, that the export is itself an event, and that one
//! flipped byte anywhere that matters is found and named.

use std::io::Cursor;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use weiquan_domain::bundle::{BundleScope, Manifest};
use weiquan_domain::records::{Commitments, OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::*;
use weiquan_store::bundle::{PlatformKey, parse_public_key, verify};
use weiquan_store::postgres::{PgStore, ScratchDatabase};
use weiquan_store::sqlite::SqliteStore;
use weiquan_store::{NewEvidence, NewUser, Store};

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap()
}

fn order_no(n: u64) -> OrderNo {
    OrderNo::parse(&format!("2026110100000000{n:02}")).unwrap()
}

async fn actor(s: &dyn Store, name: &str) -> Actor {
    s.user_by_username(name).await.unwrap().unwrap().actor()
}

/// Two shops; complaints 1 and 3 at shop-a (the first forwarded into a case, both holding one
/// shared file, the first a 3 MiB one too), complaint 2 at shop-b; returns their ids.
async fn seed(s: &dyn Store) -> (ComplaintId, ComplaintId, ComplaintId) {
    let users = [
        ("buyer01", Role::Consumer),
        ("buyer02", Role::Consumer),
        ("seller01", Role::Merchant),
        ("seller02", Role::Merchant),
        ("agent01", Role::CsAgent),
        ("regulator01", Role::Regulator),
        ("admin", Role::Admin),
    ];
    s.ensure_users(
        users
            .iter()
            .map(|(u, r)| NewUser {
                username: Username::parse(u).unwrap(),
                role: *r,
                display_name: u.to_string(),
                password_hash: None,
            })
            .collect(),
        t0(),
    )
    .await
    .unwrap();
    let shop = |id: &str, m: &str| ShopRecord {
        id: ShopId::parse(id).unwrap(),
        name: format!("{id} 旗舰店"),
        merchant: Username::parse(m).unwrap(),
        commitments: Commitments {
            seven_day_return: true,
            authentic_guarantee: true,
            ship_within_hours: Some(48),
        },
    };
    let out = s
        .import_shops(
            vec![shop("shop-a", "seller01"), shop("shop-b", "seller02")],
            t0(),
        )
        .await
        .unwrap();
    assert!(out.iter().all(|r| r.is_ok()));
    let paid = t0() - Duration::days(10);
    let orders = [
        (1, "buyer01", "shop-a"),
        (2, "buyer02", "shop-b"),
        (3, "buyer02", "shop-a"),
    ]
    .into_iter()
    .map(|(n, buyer, shop)| OrderRecord {
        order_no: order_no(n),
        buyer: Username::parse(buyer).unwrap(),
        shop_id: ShopId::parse(shop).unwrap(),
        items: vec![OrderItem {
            title: "保温杯".into(),
            price_cents: Cents::new(8900).unwrap(),
            qty: 1,
            return_exempt: None,
        }],
        amount_cents: Cents::new(8900).unwrap(),
        paid_at: paid,
        shipped_at: Some(paid + Duration::hours(12)),
        delivered_at: Some(paid + Duration::days(2)),
    })
    .collect();
    let out = s.import_orders(orders, t0()).await.unwrap();
    assert!(out.iter().all(|r| r.is_ok()), "{out:?}");
    let mut ids = vec![];
    for (n, buyer) in [(1, "buyer01"), (2, "buyer02"), (3, "buyer02")] {
        let who = actor(s, buyer).await;
        let c = s
            .file_complaint(
                &who,
                NewComplaint {
                    order_no: order_no(n),
                    product: "保温杯".into(),
                    category: Category::QualityDefect,
                    incident_at: t0() - Duration::days(3),
                    description: format!("第{n}个杯子漏水，已拍照。"),
                    claim: Claim {
                        kind: ClaimKind::Refund,
                        amount_cents: Some(Cents::new(8900).unwrap()),
                    },
                    on_behalf_of: None,
                },
                Channel::Web,
                t0() + Duration::hours(n as i64),
            )
            .await
            .unwrap();
        ids.push(c.id);
    }
    let (c1, c2, c3) = (ids[0], ids[1], ids[2]);
    let shared = "两位买家都提交的同一张截图".as_bytes().to_vec();
    let large: Vec<u8> = (0..3 * 1024 * 1024u32)
        .map(|i| b"evidence "[(i % 9) as usize])
        .collect();
    for (id, buyer, bytes) in [
        (c1, "buyer01", shared.clone()),
        (c1, "buyer01", large),
        (c3, "buyer02", shared),
    ] {
        let size = bytes.len() as i64;
        let sha = s.blobs().put(bytes).await.unwrap();
        let ev = NewEvidence {
            sha256: sha,
            size,
            content_type: "text/plain; charset=utf-8".into(),
            kind: EvidenceKind::Other,
            filename: Some("note.txt".into()),
        };
        s.add_evidence(&actor(s, buyer).await, id, ev, t0() + Duration::hours(4))
            .await
            .unwrap();
    }
    let agent = actor(s, "agent01").await;
    s.act(
        &agent,
        c1,
        Action::Forward {
            reason: "疑似批量质量问题".into(),
        },
        t0() + Duration::hours(5),
    )
    .await
    .unwrap();
    (c1, c2, c3)
}

/// Exports `scope` as `who` into memory.
async fn export(
    s: &dyn Store,
    key: &PlatformKey,
    who: &Actor,
    scope: BundleScope,
    now: Timestamp,
) -> Vec<u8> {
    let ticket = s.begin_export(who, scope, now).await.unwrap();
    let mut out = Vec::new();
    s.write_bundle(&ticket, key, &mut out).await.unwrap();
    out
}

/// Each file's path and where its bytes start in the archive.
fn files(bundle: &[u8]) -> Vec<(String, u64)> {
    let mut tar = tar::Archive::new(Cursor::new(bundle));
    tar.entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.path().unwrap().to_str().unwrap().to_owned(),
                e.raw_file_position(),
            )
        })
        .collect()
}

fn paths(bundle: &[u8]) -> Vec<String> {
    files(bundle).into_iter().map(|(p, _)| p).collect()
}

fn manifest(bundle: &[u8]) -> Manifest {
    let mut tar = tar::Archive::new(Cursor::new(bundle));
    for e in tar.entries().unwrap() {
        let mut e = e.unwrap();
        if e.path().unwrap().to_str() == Some("manifest.json") {
            return serde_json::from_reader(&mut e).unwrap();
        }
    }
    panic!("no manifest")
}

/// Where `needle` first occurs inside the file `path` of the archive.
fn offset_in(bundle: &[u8], path: &str, needle: &[u8]) -> usize {
    let (_, start) = files(bundle)
        .into_iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("no {path}"));
    let start = start as usize;
    start
        + bundle[start..]
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap_or_else(|| panic!("{path} holds no {needle:?}"))
}

fn flipped(bundle: &[u8], at: usize, to: u8) -> Vec<u8> {
    let mut b = bundle.to_vec();
    assert_ne!(b[at], to);
    b[at] = to;
    b
}

async fn scenario(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (c1, c2, c3) = seed(s).await;
    let key = PlatformKey::ephemeral();
    let public = parse_public_key(&key.public_hex()).unwrap();
    let regulator = actor(s, "regulator01").await;
    let now = t0() + Duration::days(1);

    // A complaint's bundle: its record, chain and files, and no one else's.
    let one = export(s, &key, &regulator, BundleScope::Complaint(c1), now).await;
    let v = verify(Cursor::new(&one), Some(&public)).expect("an intact bundle");
    assert_eq!(v.scope, format!("complaint:{c1}"));
    assert_eq!(v.public_key, key.public_hex());
    assert_eq!((v.records, v.chains), (1, 1));
    assert_eq!(
        v.evidence, 3,
        "the frozen order, the shared file, the large one"
    );
    let p = paths(&one);
    assert!(p.contains(&format!("records/complaint/{c1}.json")));
    assert!(p.contains(&format!("chains/complaint/{c1}.jsonl")));
    for other in [c2, c3] {
        assert!(
            !p.iter()
                .any(|x| x.contains(&format!("/complaint/{other}."))),
            "{p:?}"
        );
    }
    assert!(
        !p.iter()
            .any(|x| x.contains("/case/") || x.contains("/shop/"))
    );
    assert!(!one.windows(6).any(|w| w == b"shop-b"), "nothing of shop-b");

    // The export is an event on the exporter's chain, which the manifest names; chains verify.
    let m = manifest(&one);
    assert_eq!(m.export_event.stream, format!("account:{}", regulator.id));
    assert_eq!(m.exported_by, regulator.event_name());
    assert!(s.verify().await.unwrap().is_ok());

    // A case: its chain and its member's; not the shop's other complaint.
    let case_id = s
        .complaint(&regulator, c1)
        .await
        .unwrap()
        .collective_case_id;
    let cases = s.cases(&regulator, None, None, 10).await.unwrap().items;
    let case = cases
        .iter()
        .find(|k| k.members.contains(&c1))
        .expect("the forward's case");
    assert!(case_id.is_none() || case_id == Some(case.id));
    let b = export(s, &key, &regulator, BundleScope::Case(case.id), now).await;
    verify(Cursor::new(&b), Some(&public)).expect("an intact case bundle");
    let p = paths(&b);
    assert!(p.contains(&format!("chains/case/{}.jsonl", case.id)));
    assert!(p.contains(&format!("chains/complaint/{c1}.jsonl")));
    assert!(!p.contains(&format!("chains/complaint/{c3}.jsonl")));

    // A shop: its chain, its complaints and case; the other shop's complaint is not there. The
    // file both complaints hold is in the archive once, listed as both's.
    let admin = actor(s, "admin").await;
    let shop = export(
        s,
        &key,
        &admin,
        BundleScope::Shop(ShopId::parse("shop-a").unwrap()),
        now,
    )
    .await;
    let v = verify(Cursor::new(&shop), Some(&public)).expect("an intact shop bundle");
    assert_eq!(v.records, 4, "the shop, two complaints, the case");
    let p = paths(&shop);
    assert!(p.contains(&"chains/shop/shop-a.jsonl".to_owned()));
    assert!(p.contains(&format!("chains/complaint/{c3}.jsonl")));
    assert!(!p.contains(&format!("chains/complaint/{c2}.jsonl")));
    assert!(!p.iter().any(|x| x.contains("shop-b")));
    let shared = manifest(&shop)
        .entries
        .into_iter()
        .find(|e| e.of.len() == 2)
        .expect("one file held by both complaints");
    assert_eq!(
        shared.of,
        [format!("complaint:{c1}"), format!("complaint:{c3}")]
    );

    // A period: what had an event in it. Complaint 3 was filed at t0 + 3h; nothing of it before.
    let early = export(
        s,
        &key,
        &regulator,
        BundleScope::period(t0(), t0() + Duration::minutes(150)).unwrap(),
        now,
    )
    .await;
    verify(Cursor::new(&early), Some(&public)).expect("an intact period bundle");
    let p = paths(&early);
    assert!(p.contains(&format!("chains/complaint/{c1}.jsonl")));
    assert!(p.contains(&format!("chains/complaint/{c2}.jsonl")));
    assert!(!p.contains(&format!("chains/complaint/{c3}.jsonl")));
    assert!(
        !p.iter().any(|x| x.contains("account")),
        "bookkeeping stays out"
    );

    // Only regulators and admins export; a subject that does not exist is not found.
    for who in ["buyer01", "seller01", "agent01"] {
        let e = s
            .begin_export(&actor(s, who).await, BundleScope::Complaint(c1), now)
            .await
            .unwrap_err();
        assert!(
            matches!(
                &e,
                weiquan_store::StoreError::Domain(DomainError::Forbidden(_))
            ),
            "{who}: {e}"
        );
    }
    let e = s
        .begin_export(&regulator, BundleScope::Complaint(ComplaintId(999)), now)
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        weiquan_store::StoreError::Domain(DomainError::NotFound(_))
    ));

    tampering_is_named(&one, &key, c1);
}

/// One flipped byte in a file, an event, the manifest or the signature: each fails, naming it.
fn tampering_is_named(bundle: &[u8], key: &PlatformKey, c1: ComplaintId) {
    let public = parse_public_key(&key.public_hex()).unwrap();
    let check = |b: &[u8]| verify(Cursor::new(b), Some(&public)).unwrap_err();

    let m = manifest(bundle);
    let large = m.entries.iter().find(|e| e.size > 1_000_000).unwrap();
    let at = offset_in(bundle, &large.path, b"evidence") + 1_000_000;
    let broken = check(&flipped(bundle, at, b'X'));
    assert_eq!(broken.file, large.path);
    assert!(broken.en.contains(&format!("complaint:{c1}")), "{broken}");

    let chain = format!("chains/complaint/{c1}.jsonl");
    let at = offset_in(bundle, &chain, "第1个杯子".as_bytes());
    let broken = check(&flipped(bundle, at + "第".len(), b'2'));
    assert_eq!(broken.file, chain);
    assert_eq!(
        broken.stream.as_deref(),
        Some(format!("complaint:{c1}").as_str())
    );
    assert_eq!(broken.seq, Some(1), "{broken}");
    assert!(broken.en.contains("altered"), "{broken}");

    let at = offset_in(bundle, "manifest.json", b"\"scope\"") + 1;
    let broken = check(&flipped(bundle, at, b'S'));
    assert!(broken.file.contains("manifest.json"), "{broken}");
    assert!(broken.zh.contains("签名"), "{broken}");

    let at = offset_in(bundle, "manifest.sig", b"\"signature\": \"") + 14;
    let to = if bundle[at] == b'0' { b'1' } else { b'0' };
    let broken = check(&flipped(bundle, at, to));
    assert!(broken.file.contains("manifest.sig"), "{broken}");

    // A record changed: its digest no longer the signed one.
    let record = format!("records/complaint/{c1}.json");
    let at = offset_in(bundle, &record, "第1个杯子".as_bytes());
    let broken = check(&flipped(bundle, at + "第".len(), b'2'));
    assert_eq!(broken.file, record);

    // Signed by another key than the one pinned.
    let other = parse_public_key(&PlatformKey::ephemeral().public_hex()).unwrap();
    let broken = verify(Cursor::new(bundle), Some(&other)).unwrap_err();
    assert_eq!(broken.file, "manifest.sig");
    assert!(broken.en.contains(&key.public_hex()));

    // Cut short: the manifest is gone.
    let broken = check(&bundle[..bundle.len() / 2]);
    assert!(broken.text(Lang::En).contains("manifest"), "{broken}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bundles_hold_their_scope_and_verify_alone_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    let policy = Policy::default();
    let max = weiquan_store::blob::DEFAULT_MAX_BLOB;
    let sqlite: Arc<dyn Store> = Arc::new(
        SqliteStore::open_with(&dir.path().join("lite"), policy.clone(), max)
            .await
            .unwrap(),
    );
    scenario(sqlite).await;
    let admin = std::env::var("WEIQUAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let db = ScratchDatabase::create(&admin, "weiquan_bundle")
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is needed for this test ({admin}): {e}"));
    let pg: Arc<dyn Store> = Arc::new(
        PgStore::open_with(&db.url, &dir.path().join("pg-blobs"), policy, max)
            .await
            .unwrap(),
    );
    scenario(pg).await;
}
