//! The chat page without JavaScript, and whose cookie the chat WebSocket takes.

use reqwest::StatusCode;

use super::Browser;
use crate::both_backends;
use crate::helpers::*;

/// The chat page without JavaScript: each message posts and the page shows the conversation; the
/// chat WebSocket takes the page's session cookie only from this site's own pages.
async fn chat_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    b.sign_in("buyer01").await;
    let token = b.token("/chat").await;
    let (status, _, loc) = b
        .post("/chat", &[("csrf", &token), ("text", "我买的杯子漏水")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let loc = loc.unwrap();
    assert!(loc.starts_with("/chat?session="), "{loc}");
    let sid = loc["/chat?session=".len()..]
        .trim_end_matches("#end")
        .to_owned();
    let (status, page, _) = b.get(&format!("/chat?session={sid}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("我买的杯子漏水"), "the consumer's words");
    assert!(
        page.contains("turn assistant"),
        "and the assistant's answer"
    );
    // An empty message is refused on the page, in its language, and the conversation stays.
    let (status, page, _) = b
        .post(
            "/chat",
            &[("csrf", &token), ("session_id", &sid), ("text", " ")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"error\"") && page.contains("我买的杯子漏水"));
    // Someone else's conversation is not found; the page is for consumers only.
    let mut other = Browser::new(&app);
    other.sign_in("buyer02").await;
    let (status, _, _) = other.get(&format!("/chat?session={sid}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut seller = Browser::new(&app);
    seller.sign_in("seller01").await;
    let (status, _, _) = seller.get("/chat").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let ws = app.url("/api/v1/assistant/ws").replacen("http", "ws", 1);
    let host = app.base.trim_start_matches("http://").to_owned();
    let open = |origin: &str| {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut req = ws.as_str().into_client_request().unwrap();
        req.headers_mut()
            .insert("cookie", b.cookie_header().parse().unwrap());
        req.headers_mut().insert("origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(req)
    };
    assert!(open(&format!("http://{host}")).await.is_ok());
    assert!(open("http://evil.example").await.is_err());
}

both_backends!(chat_page,);
