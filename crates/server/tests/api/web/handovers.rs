//! The agents' page of chats handed over to a person: the queue, taking one, the transcript,
//! replying, the complaint the chat filed, and the consumer's new words pushed to the page.

use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};

use super::Browser;
use crate::both_backends;
use crate::helpers::*;

async fn say(app: &TestApp, token: &str, session: Option<&str>, text: &str) -> Value {
    let mut body = json!({ "text": text });
    if let Some(s) = session {
        body["session_id"] = json!(s);
    }
    json_of(
        app.post(token, "/api/v1/assistant/chat", body).await,
        StatusCode::OK,
    )
    .await
}

async fn agents_take_and_answer_handed_over_chats(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    // The consumer files through the assistant, then asks for a person.
    let sid = say(&app, &buyer, None, "我买的杯子漏水").await["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for text in [
        format!("订单号是{}", order("A2")),
        "倒满热水以后杯底一直往外渗水，桌子都湿了".into(),
        "昨天".into(),
        "退款".into(),
        "89元".into(),
    ] {
        say(&app, &buyer, Some(&sid), &text).await;
    }
    let filed = say(&app, &buyer, Some(&sid), "确认").await["complaint_id"]
        .as_i64()
        .expect("filed");
    let v = say(&app, &buyer, Some(&sid), "转人工").await;
    assert_eq!(v["handover"]["status"], "handed_over", "{v}");

    // Only agents have the page, and the header's link to it.
    let mut b = Browser::new(&app);
    b.sign_in("buyer01").await;
    let (status, _, _) = b.get("/handovers").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, page, _) = b.get("/orders").await;
    assert!(!page.contains("nav-handovers"));
    let mut seller = Browser::new(&app);
    seller.sign_in("seller01").await;
    let (status, _, _) = seller.get("/handovers").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = seller.get(&format!("/handovers/{sid}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let mut a = Browser::new(&app);
    a.sign_in("agent01").await;
    let (_, page, _) = a.get("/complaints").await;
    assert!(
        page.contains("href=\"/handovers\" id=\"nav-handovers\""),
        "{page}"
    );
    let (status, page, _) = a.get("/handovers").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("href=\"/handovers/{sid}\"")),
        "{page}"
    );
    assert!(
        page.contains("等待客服接手") && page.contains("转人工"),
        "{page}"
    );

    // The transcript, the complaint it filed, and taking before answering.
    let path = format!("/handovers/{sid}");
    let (status, page, _) = a.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("我买的杯子漏水") && page.contains("aria-live=\"polite\""));
    assert!(
        page.contains(&format!("href=\"/complaints/{filed}\"")),
        "{page}"
    );
    assert!(page.contains("id=\"take\"") && !page.contains("id=\"reply\""));
    let token = super::csrf(&page);
    let (status, page, _) = a
        .post(
            &format!("{path}/reply"),
            &[("csrf", &token), ("body", "您好")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("请先接手这个对话"), "{page}");
    let (status, _, loc) = a.post(&format!("{path}/take"), &[("csrf", &token)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some(format!("{path}#reply").as_str()));
    let (_, page, _) = a.get(&path).await;
    assert!(page.contains("客服已接手") && page.contains("id=\"reply\""));
    assert!(!page.contains("id=\"take\""));
    // An empty reply is refused on the page, in its language.
    let (status, page, _) = a
        .post(&format!("{path}/reply"), &[("csrf", &token), ("body", " ")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("回复内容应为1到1000个字"), "{page}");
    let (status, _, _) = a
        .post(
            &format!("{path}/reply"),
            &[("csrf", &token), ("body", "您好，我是客服，马上为您处理")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let s = json_of(
        app.get(&buyer, &format!("/api/v1/assistant/sessions/{sid}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        s["turns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["role"] == "agent" && t["body"] == "您好，我是客服，马上为您处理"),
        "{s}"
    );

    // The page hears the consumer's next words as they come.
    let (_, page, _) = a.get(&path).await;
    let after = page
        .split("data-after=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let mut events = app
        .http
        .get(app.url(&format!("{path}/stream?after={after}")))
        .header(COOKIE, a.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    say(&app, &buyer, Some(&sid), "照片我稍后发").await;
    let mut got = String::new();
    while !got.contains("照片我稍后发") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), events.chunk())
            .await
            .expect("the consumer's words within seconds")
            .unwrap()
            .expect("the stream stays open");
        got.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(got.contains("event: chat") && got.contains("买家"), "{got}");
    assert!(
        !got.contains("您好，我是客服"),
        "only what the page lacks: {got}"
    );
}

both_backends!(agents_take_and_answer_handed_over_chats,);
