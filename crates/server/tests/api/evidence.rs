//! Uploads: content-addressed, sniffed from the bytes, limited in size.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use weiquan_domain::Policy;

use crate::both_backends;
use crate::helpers::*;

async fn upload(
    app: &TestApp,
    token: &str,
    id: i64,
    bytes: Vec<u8>,
    name: &str,
    kind: &str,
) -> reqwest::Response {
    upload_to(
        app,
        token,
        &format!("/api/v1/complaints/{id}/evidence"),
        bytes,
        name,
        kind,
    )
    .await
}

async fn upload_to(
    app: &TestApp,
    token: &str,
    path: &str,
    bytes: Vec<u8>,
    name: &str,
    kind: &str,
) -> reqwest::Response {
    let form = Form::new()
        .part("file", Part::bytes(bytes).file_name(name.to_owned()))
        .text("kind", kind.to_owned());
    app.http
        .post(app.url(path))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn photo_round_trip_and_snapshot(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let id = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;

    let r = upload(&app, &buyer, id, PNG.to_vec(), "crack.png", "photo").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let ev: Value = r.json().await.unwrap();
    let sha = ev["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha, weiquan_domain::Sha256::of(PNG).as_str());
    assert_eq!(ev["content_type"], "image/png");
    assert_eq!(ev["size"], PNG.len());

    // The merchant sees the same bytes.
    let r = app
        .get(&seller, &format!("/api/v1/complaints/{id}/evidence/{sha}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);

    // The order snapshot was frozen at filing, as evidence of its own.
    let list: Vec<Value> = app
        .get(&buyer, &format!("/api/v1/complaints/{id}/evidence"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    let snap = list
        .iter()
        .find(|e| e["kind"] == "transaction_record")
        .expect("order snapshot");
    let r = app
        .get(
            &buyer,
            &format!(
                "/api/v1/complaints/{id}/evidence/{}",
                snap["sha256"].as_str().unwrap()
            ),
        )
        .await;
    let order: Value = r.json().await.unwrap();
    assert_eq!(order["order_no"], order_no_a1());

    // Text chat logs are accepted; the upload is on the chain.
    let r = upload(
        &app,
        &buyer,
        id,
        "商家：不退。\n我：照片已发。".as_bytes().to_vec(),
        "chat.txt",
        "chat_log",
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let events: Vec<Value> = app
        .get(&buyer, &format!("/api/v1/complaints/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e["kind"] == "evidence_added")
            .count(),
        2
    );
}

fn order_no_a1() -> String {
    order("A1")
}

async fn disguised_oversized_and_foreign_uploads_are_refused(backend: Backend) {
    let app = spawn_with(backend, Policy::default(), 64 * 1024).await;
    let buyer = app.login("buyer01").await;
    let other = app.login("buyer02").await;
    let id = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;

    // An executable named like a photo.
    let elf = [b"\x7fELF\x02\x01\x01\0".as_slice(), &[0u8; 64]].concat();
    assert_error(
        upload(&app, &buyer, id, elf, "photo.jpg", "photo").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    // A PDF claimed to be a photo.
    let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n".to_vec();
    assert_error(
        upload(&app, &buyer, id, pdf.clone(), "photo.jpg", "photo").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    assert_eq!(
        upload(&app, &buyer, id, pdf, "receipt.pdf", "transaction_record")
            .await
            .status(),
        StatusCode::CREATED
    );
    // A zip archive is not evidence.
    let zip = [b"PK\x03\x04".as_slice(), &[0u8; 64]].concat();
    assert_error(
        upload(&app, &buyer, id, zip, "x.zip", "other").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    // Over the limit.
    let mut big = PNG.to_vec();
    big.resize(65 * 1024, 0);
    assert_error(
        upload(&app, &buyer, id, big, "big.png", "photo").await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
    )
    .await;
    // A bad kind, a missing file.
    let v = assert_error(
        upload(&app, &buyer, id, PNG.to_vec(), "a.png", "selfie").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(v["error"]["fields"]["kind"].is_string());
    let form = Form::new().text("kind", "photo");
    let r = app
        .http
        .post(app.url(&format!("/api/v1/complaints/{id}/evidence")))
        .bearer_auth(&buyer)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    // Someone else's complaint.
    assert_error(
        upload(&app, &other, id, PNG.to_vec(), "a.png", "photo").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Not multipart at all.
    let r = app
        .post(
            &buyer,
            &format!("/api/v1/complaints/{id}/evidence"),
            json!({}),
        )
        .await;
    assert_error(
        r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
}

async fn file_report(app: &TestApp, token: &str, body: Value) -> i64 {
    json_of(
        app.post(token, "/api/v1/reports", body).await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// A report carries files like a complaint: whoever may see the report may add them and read
/// them; a brushing report's stay hidden from the merchant, an IP notice's are the merchant's to
/// answer; each is in the report's chain and rehashed by the audit.
async fn reports_carry_evidence(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let holder = app.login("buyer02").await;
    let seller = app.login("seller01").await;
    let regulator = app.login("regulator01").await;
    let brushing = file_report(
        &app,
        &buyer,
        json!({"shop_id": "shop-a", "kind": "fake_transactions",
        "description": "这家店大量五星好评都来自同一批新注册账号，评价内容雷同，疑似刷单。"}),
    )
    .await;
    let path = format!("/api/v1/reports/{brushing}/evidence");
    let r = upload_to(&app, &buyer, &path, PNG.to_vec(), "reviews.png", "photo").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let ev: Value = r.json().await.unwrap();
    let sha = ev["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha, weiquan_domain::Sha256::of(PNG).as_str());
    // The same file twice is one piece of evidence.
    let r = upload_to(&app, &buyer, &path, PNG.to_vec(), "again.png", "photo").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    for who in [&buyer, &regulator] {
        let list = json_of(app.get(who, &path).await, StatusCode::OK).await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
        assert_eq!(list[0]["filename"], "reviews.png");
    }
    let r = app.get(&regulator, &format!("{path}/{sha}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    // A photo that is not one is refused, as on complaints.
    let r = upload_to(
        &app,
        &buyer,
        &path,
        b"plain words".to_vec(),
        "x.png",
        "photo",
    )
    .await;
    assert_error(
        r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    // Who may not see the report may not see or add its files, and cannot tell it exists.
    for who in [&seller, &holder] {
        assert_eq!(app.get(who, &path).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            app.get(who, &format!("{path}/{sha}")).await.status(),
            StatusCode::NOT_FOUND
        );
        let r = upload_to(&app, who, &path, PNG.to_vec(), "p.png", "photo").await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    let events = json_of(
        app.get(&regulator, &format!("/api/v1/reports/{brushing}/events"))
            .await,
        StatusCode::OK,
    )
    .await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "evidence_added").count(),
        1,
        "{kinds:?}"
    );

    // An IP notice: the merchant sees the rights holder's proof and answers with its own.
    let ip = file_report(
        &app,
        &holder,
        json!({"shop_id": "shop-a", "kind": "ip_infringement", "listing": "青山牌保温杯 500ml",
        "description": "该商品使用了我方注册商标“青山”图案，未经授权销售，附商标注册证。"}),
    )
    .await;
    let path = format!("/api/v1/reports/{ip}/evidence");
    let r = upload_to(&app, &holder, &path, PNG.to_vec(), "trademark.png", "photo").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = upload_to(
        &app,
        &seller,
        &path,
        "授权书：青山品牌授权本店销售，有效期至2027年。"
            .as_bytes()
            .to_vec(),
        "licence.txt",
        "other",
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let holder_id = json_of(app.get(&holder, "/api/v1/me").await, StatusCode::OK).await["id"]
        .as_i64()
        .unwrap();
    for who in [&holder, &seller] {
        let list = json_of(app.get(who, &path).await, StatusCode::OK).await;
        assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
        let by_holder = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["uploaded_by"] == json!(holder_id))
            .count();
        // The merchant is not told who the rights holder's account is, here or in the chain.
        assert_eq!(by_holder, usize::from(who == &holder), "{list}");
    }
    let events = json_of(
        app.get(&seller, &format!("/api/v1/reports/{ip}/events"))
            .await,
        StatusCode::OK,
    )
    .await;
    let text = events.to_string();
    assert!(!text.contains("reporter_id"), "{text}");
    assert!(!text.contains(&format!("user:{holder_id}")), "{text}");
    assert_eq!(events[0]["actor"], "reporter", "{text}");
    let own = json_of(
        app.get(&holder, &format!("/api/v1/reports/{ip}/events"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(own[0]["data"]["reporter_id"], json!(holder_id), "{own}");
    assert_eq!(app.get(&buyer, &path).await.status(), StatusCode::NOT_FOUND);
    // Every report file is rehashed by the audit (no complaint here has evidence: these three).
    let audit = app.store.verify().await.unwrap().unwrap();
    assert_eq!(audit.blobs, 3, "{audit:?}");
}

/// A distinct PNG (a real one, padded after its end) of about `len` bytes.
fn png_of(tag: u8, len: usize) -> Vec<u8> {
    let mut b = PNG.to_vec();
    b.resize(len.max(PNG.len() + 1), tag);
    b.push(tag);
    b
}

async fn uploads_have_quotas_per_subject_and_per_person(backend: Backend) {
    let mut policy = Policy::default();
    policy.uploads.files_per_subject = 3;
    policy.uploads.mib_per_subject = 1;
    policy.uploads.files_per_user = 4;
    let app = spawn_with(backend, policy, weiquan_store::blob::DEFAULT_MAX_BLOB).await;
    let buyer = app.login("buyer01").await;
    let a1 = app.file_ok(&buyer, "A1", json!({"kind": "exchange"})).await;
    // The same file twice is the same evidence, not one more.
    for tag in [0, 1, 0, 2] {
        let r = upload(&app, &buyer, a1, png_of(tag, 100), "p.png", "photo").await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let english = |r: reqwest::RequestBuilder| r.header("accept-language", "en");
    let form = || {
        Form::new()
            .part("file", Part::bytes(png_of(9, 100)).file_name("p.png"))
            .text("kind", "photo")
    };
    let r = english(
        app.http
            .post(app.url(&format!("/api/v1/complaints/{a1}/evidence"))),
    )
    .bearer_auth(&buyer)
    .multipart(form())
    .send()
    .await
    .unwrap();
    let v = assert_error(r, StatusCode::CONFLICT, "upload_quota").await;
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 3 files"),
        "{v}"
    );

    // Bytes: 700 KiB fit in a complaint's 1 MiB, twice do not.
    let a2 = app.file_ok(&buyer, "A2", json!({"kind": "exchange"})).await;
    let r = upload(&app, &buyer, a2, png_of(10, 700 * 1024), "p.png", "photo").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = upload(&app, &buyer, a2, png_of(11, 700 * 1024), "p.png", "photo").await;
    assert_error(r, StatusCode::CONFLICT, "upload_quota").await;

    // Four files in all are this person's quota, on any complaint.
    let a3 = app.file_ok(&buyer, "A3", json!({"kind": "exchange"})).await;
    let r = english(
        app.http
            .post(app.url(&format!("/api/v1/complaints/{a3}/evidence"))),
    )
    .bearer_auth(&buyer)
    .multipart(form())
    .send()
    .await
    .unwrap();
    let v = assert_error(r, StatusCode::CONFLICT, "upload_quota").await;
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("your upload limit"),
        "{v}"
    );
    // Another person's quota is their own.
    let seller = app.login("seller01").await;
    let r = upload(&app, &seller, a3, png_of(12, 100), "p.png", "photo").await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

both_backends!(
    reports_carry_evidence,
    photo_round_trip_and_snapshot,
    disguised_oversized_and_foreign_uploads_are_refused,
    uploads_have_quotas_per_subject_and_per_person
);
