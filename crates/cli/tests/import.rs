//! `weiquan import`: bad lines are named with their numbers; good ones land.

mod common;

use common::weiquan;

#[test]
fn import_reports_bad_lines_and_keeps_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let shops = dir.path().join("shops.jsonl");
    std::fs::write(
        &shops,
        [
            r#"{"id": "shop-x", "name": "星星数码", "merchant": "sellerx", "commitments": {"seven_day_return": true, "ship_within_hours": 48}}"#,
            r#"{"id": "shop y", "name": "坏店", "merchant": "sellery"}"#,
            r#"{"id": "shop-z", "name": "", "merchant": "sellerz"}"#,
            "not json",
            "",
            r#"{"id": "shop-w", "name": "好店", "merchant": "sellerx"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let out = weiquan(&["import", "shops", shops.to_str().unwrap(), "--data-dir", d]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("line 2:"), "{err}");
    assert!(err.contains("line 3:") && err.contains("name"), "{err}");
    assert!(err.contains("line 4:"), "{err}");
    assert!(
        !err.contains("line 1:") && !err.contains("line 6:"),
        "{err}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains('2'),
        "two landed"
    );

    let orders = dir.path().join("orders.jsonl");
    std::fs::write(
        &orders,
        [
            r#"{"order_no": "202605041234567890", "buyer": "buyerx", "shop_id": "shop-x", "items": [{"title": "蓝牙耳机", "price_cents": 19900, "qty": 1}], "amount_cents": 19900, "paid_at": "2026-05-04T10:00:00Z"}"#,
            r#"{"order_no": "12345", "buyer": "buyerx", "shop_id": "shop-x", "items": [], "amount_cents": 1, "paid_at": "2026-05-04T10:00:00Z"}"#,
            r#"{"order_no": "202605041234567891", "buyer": "buyerx", "shop_id": "shop-nope", "items": [{"title": "耳机", "price_cents": 100, "qty": 1}], "amount_cents": 100, "paid_at": "2026-05-04T10:00:00Z"}"#,
            r#"{"order_no": "202605041234567892", "buyer": "sellerx", "shop_id": "shop-x", "items": [{"title": "耳机", "price_cents": 100, "qty": 1}], "amount_cents": 100, "paid_at": "2026-05-04T10:00:00Z"}"#,
            r#"{"order_no": "202605041234567893", "buyer": "buyery", "shop_id": "shop-w", "items": [{"title": "充电宝", "price_cents": 9900, "qty": 2}], "amount_cents": 19800, "paid_at": "2026-05-04T10:00:00Z", "shipped_at": "2026-05-04T09:00:00Z"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let out = std::process::Command::new(common::BIN)
        .args([
            "import",
            "orders",
            orders.to_str().unwrap(),
            "--data-dir",
            d,
        ])
        .env("LANG", "en_US.UTF-8")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("line 2:") && err.contains("18 digits"),
        "{err}"
    );
    assert!(
        err.contains("line 3:") && err.contains("import the shops first"),
        "{err}"
    );
    assert!(
        err.contains("line 4:") && err.contains("not a consumer"),
        "{err}"
    );
    assert!(
        err.contains("line 5:") && err.contains("shipped_at"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 1 records"));

    // Importing the same file again changes nothing and still reports the same lines.
    let again = weiquan(&[
        "import",
        "orders",
        orders.to_str().unwrap(),
        "--data-dir",
        d,
    ]);
    assert_eq!(again.status.code(), Some(2));
    let audit = weiquan(&["audit", "verify", "--data-dir", d]);
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
}
