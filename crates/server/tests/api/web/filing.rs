//! The consumer's complaint form and the complaint page's action forms: evidence sent with the
//! filing, an order's complaint in progress linked instead of a second form, errors named as
//! people see them and in yuan, weighty actions confirmed, stale tabs shown what changed.

use reqwest::StatusCode;
use serde_json::json;

use super::Browser;
use crate::both_backends;
use crate::helpers::*;

/// The complaint form as the page sends it (multipart), with an evidence file if given.
async fn file_form(
    b: &mut Browser,
    order_no: &str,
    fields: &[(&str, &str)],
    evidence: Option<(&str, Vec<u8>)>,
) -> (StatusCode, String, Option<String>) {
    let path = format!("/orders/{order_no}/complain");
    let token = b.token(&path).await;
    let mut form = vec![("csrf", token.as_str())];
    form.extend_from_slice(fields);
    let file = evidence.map(|(name, bytes)| {
        form.push(("evidence_kind", "photo"));
        ("evidence", name, bytes)
    });
    b.post_multipart(&path, &form, file).await
}

fn filing(amount: &str) -> Vec<(&'static str, String)> {
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    vec![
        ("product", "304不锈钢保温杯 500ml".into()),
        ("category", "quality_defect".into()),
        ("incident_at", yesterday),
        (
            "description",
            "昨天收到的保温杯杯身有一道裂缝，倒入热水后从杯底漏水，已拍照留证，希望全额退款。"
                .into(),
        ),
        ("claim_kind", "refund".into()),
        ("claim_amount", amount.into()),
        ("confirmed", "1".into()),
    ]
}

/// The error box of a page.
fn error_box(page: &str) -> &str {
    let at = page.find("id=\"error\"").expect("an error box");
    let rest = &page[at..];
    &rest[..rest.find("</div>").unwrap()]
}

async fn complaint_form(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    b.sign_in("buyer01").await;
    let a1 = order("A1");

    // Errors name the fields as the form does, and amounts in yuan.
    for (amount, says) in [
        ("abc", "金额应为元"),
        ("99999999999", "1亿元"),
        ("", "写明金额"),
    ] {
        let f = filing(amount);
        let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, page, _) = file_form(&mut b, &a1, &fields, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{amount}");
        let e = error_box(&page);
        assert!(e.contains("诉求金额"), "{e}");
        assert!(e.contains(says), "{amount}: {e}");
        for key in ["amount_cents", "claim.", "分"] {
            assert!(!e.contains(key), "no field key or fen ({key}): {e}");
        }
        // The typed text is kept.
        assert!(page.contains("杯底漏水"));
    }

    // A filing with a photo: the complaint and its evidence at once.
    let f = filing("89");
    let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, loc) = file_form(&mut b, &a1, &fields, Some(("cup.png", PNG.to_vec()))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let loc = loc.unwrap();
    let id: i64 = loc.rsplit('/').next().unwrap().parse().unwrap();
    let buyer = app.login("buyer01").await;
    let files = json_of(
        app.get(&buyer, &format!("/api/v1/complaints/{id}/evidence"))
            .await,
        StatusCode::OK,
    )
    .await;
    let files = files
        .as_array()
        .or_else(|| files["items"].as_array())
        .unwrap();
    assert!(
        files
            .iter()
            .any(|e| e["filename"] == "cup.png" && e["kind"] == "photo"),
        "{files:?}"
    );

    // The order now links its complaint, and offers no second form.
    let (_, page, _) = b.get("/orders").await;
    assert!(
        page.contains(&format!("href=\"/complaints/{id}\" data-open=\"{a1}\"")),
        "{page}"
    );
    assert!(!page.contains(&format!("data-order=\"{a1}\"")));
    let (status, page, _) = b.get(&format!("/orders/{a1}/complain")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains(&format!("href=\"/complaints/{id}\"")),
        "{page}"
    );
    assert!(!page.contains("id=\"file-form\""));

    // A file that is not what it claims is refused, the filing stands.
    let a2 = order("A2");
    let (status, page, _) = file_form(
        &mut b,
        &a2,
        &fields,
        Some(("cup.png", b"MZ not a photo at all".to_vec())),
    )
    .await;
    assert!(status.is_client_error(), "{status}");
    assert!(page.contains("id=\"error\""), "{page}");
    let list = json_of(app.get(&buyer, "/api/v1/complaints").await, StatusCode::OK).await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["order_no"] == a2),
        "the filing stands: {list}"
    );
}

async fn weighty_actions_and_stale_tabs(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let id = app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    let path = format!("/complaints/{id}");
    let act = format!("{path}/act");

    // The merchant's tab, loaded before the consumer adds a message, is stale.
    let mut m = Browser::new(&app);
    m.sign_in("seller01").await;
    let (_, page, _) = m.get(&path).await;
    let version = {
        let at = page.find("name=\"version\" value=\"").unwrap() + 22;
        page[at..].split('"').next().unwrap().to_owned()
    };
    let mtoken = super::csrf(&page);
    let r = app
        .post(
            &buyer,
            &format!("/api/v1/complaints/{id}/messages"),
            json!({"body": "补充：杯底也有裂缝，照片稍后上传。"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let reject = [
        ("csrf", mtoken.as_str()),
        ("action", "reject"),
        ("message", "出库检测无裂缝，请联系快递理赔。"),
        ("version", version.as_str()),
    ];
    let (status, page, _) = m.post(&act, &reject).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let changed = &page[page.find("id=\"changed\"").expect("what changed")..];
    let changed = &changed[..changed.find("</section>").unwrap()];
    assert!(changed.contains("留言"), "{changed}");
    assert!(changed.contains("杯底也有裂缝"), "{changed}");
    assert!(page.contains("出库检测无裂缝"), "the typed text is kept");
    let k = json_of(
        app.get(&buyer, &format!("/api/v1/complaints/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(k["state"], "awaiting_merchant", "nothing was done");
    // The page shown carries the new version: sent again, it goes through.
    let at = page.find("name=\"version\" value=\"").unwrap() + 22;
    let fresh = page[at..].split('"').next().unwrap().to_owned();
    assert_ne!(fresh, version);
    let reject = [
        ("csrf", mtoken.as_str()),
        ("action", "reject"),
        ("message", "出库检测无裂缝，请联系快递理赔。"),
        ("version", fresh.as_str()),
    ];
    let (status, _, _) = m.post(&act, &reject).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Accepting the refusal says what it does, is secondary, and needs the box ticked.
    let mut b = Browser::new(&app);
    b.sign_in("buyer01").await;
    let (_, page, _) = b.get(&path).await;
    assert!(
        page.contains("id=\"action-accept\" class=\"secondary\">接受拒绝并结案（不退款）</button>"),
        "{page}"
    );
    assert!(page.contains("id=\"confirm-accept\" required"));
    assert!(page.contains("id=\"confirm-withdraw\" required"));
    let token = super::csrf(&page);
    let (status, page, _) = b
        .post(&act, &[("csrf", token.as_str()), ("action", "accept")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_box(&page).contains("请先勾选确认"), "{page}");
    let k = json_of(
        app.get(&buyer, &format!("/api/v1/complaints/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(k["state"], "awaiting_consumer");
    let (status, _, _) = b
        .post(
            &act,
            &[
                ("csrf", token.as_str()),
                ("action", "accept"),
                ("confirm", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let k = json_of(
        app.get(&buyer, &format!("/api/v1/complaints/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(k["state"], "resolved");
}

both_backends!(complaint_form, weighty_actions_and_stale_tabs,);
