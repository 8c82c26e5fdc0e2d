//! E-mail through a real SMTP server the test starts (aiosmtpd, installed by `.ci/run`): it
//! decodes each message with Python's own e-mail parser and prints it as a JSON line.

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use weiquan_domain::Policy;
use weiquan_domain::policy::Smtp;

use crate::both_backends;
use crate::helpers::*;

const SERVER: &str = r#"
import email, json, sys, time
from email import policy
from aiosmtpd.controller import Controller

class Handler:
    async def handle_DATA(self, server, session, envelope):
        m = email.message_from_bytes(envelope.content, policy=policy.default)
        print(json.dumps({
            "rcpt": envelope.rcpt_tos, "from": str(m["From"]), "subject": str(m["Subject"]),
            "message_id": str(m["Message-ID"]), "body": m.get_body(("plain",)).get_content(),
        }), flush=True)
        return "250 OK"

c = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
"#;

struct SmtpServer {
    port: u16,
    child: Child,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl SmtpServer {
    async fn start() -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("python3")
            .args(["-c", SERVER, &port.to_string()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 with aiosmtpd (.ci/run installs it)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next_line().await.unwrap();
        assert_eq!(first.as_deref(), Some("ready"), "aiosmtpd did not start");
        SmtpServer { port, child, lines }
    }

    async fn next(&mut self) -> Value {
        let line = self.lines.next_line().await.unwrap().expect("a message");
        serde_json::from_str(&line).unwrap()
    }
}

fn smtp_policy(port: u16) -> Policy {
    Policy {
        smtp: Some(Smtp {
            host: "127.0.0.1".into(),
            port,
            from: "weiquan <noreply@weiquan.test>".into(),
            tls: "none".into(),
            username: None,
            base_url: "https://weiquan.test".into(),
        }),
        ..Policy::default()
    }
}

async fn put_settings(app: &TestApp, token: &str, body: Value) {
    let r = app
        .http
        .put(app.url("/api/v1/me/settings"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
}

/// A notification goes by e-mail too, to a recipient who gave an address, in the language they
/// chose; one without an address gets only the inbox.
async fn notifications_are_emailed_in_the_recipients_language(backend: Backend) {
    let mut smtp = SmtpServer::start().await;
    let app = spawn_with(
        backend,
        smtp_policy(smtp.port),
        weiquan_store::blob::DEFAULT_MAX_BLOB,
    )
    .await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    put_settings(
        &app,
        &seller,
        serde_json::json!({"lang": "en", "email": "seller01@shop.test"}),
    )
    .await;

    let id = app
        .file_ok(&buyer, "A1", serde_json::json!({"kind": "exchange"}))
        .await;
    assert_eq!(
        weiquan_server::outbox::dispatch(&app.state).await.unwrap(),
        1
    );
    let m = smtp.next().await;
    assert_eq!(m["rcpt"][0], "seller01@shop.test");
    let subject = m["subject"].as_str().unwrap();
    assert!(subject.starts_with("[weiquan] "), "{subject}");
    assert!(subject.contains(&format!("#{id}")), "{subject}");
    assert!(
        m["from"].as_str().unwrap().contains("noreply@weiquan.test"),
        "{m}"
    );
    assert!(
        m["message_id"].as_str().unwrap().starts_with("<msg_"),
        "the outbox id is the Message-ID: {m}"
    );
    let body = m["body"].as_str().unwrap();
    assert!(body.contains("answer before the deadline"), "{body}");
    assert!(body.contains("https://weiquan.test/"), "{body}");
    // Delivered: nothing goes twice.
    assert_eq!(
        weiquan_server::outbox::dispatch(&app.state).await.unwrap(),
        0
    );
    // The product's own name stays as the shop wrote it; the words are English.
    assert!(!body.contains("请在期限内回复"), "{body}");

    // The consumer has no address yet: the merchant's message reaches only the inbox …
    let msg = serde_json::json!({"body": "您好，我们马上处理。"});
    let path = format!("/api/v1/complaints/{id}/messages");
    assert!(
        app.post(&seller, &path, msg.clone())
            .await
            .status()
            .is_success()
    );
    assert_eq!(
        weiquan_server::outbox::dispatch(&app.state).await.unwrap(),
        0
    );
    // … and once they give one, in Chinese.
    put_settings(
        &app,
        &buyer,
        serde_json::json!({"lang": "zh", "email": "buyer01@mail.test"}),
    )
    .await;
    assert!(app.post(&seller, &path, msg).await.status().is_success());
    assert_eq!(
        weiquan_server::outbox::dispatch(&app.state).await.unwrap(),
        1
    );
    let m = smtp.next().await;
    assert_eq!(m["rcpt"][0], "buyer01@mail.test");
    let subject = m["subject"].as_str().unwrap();
    assert!(subject.starts_with("【维权】"), "{subject}");
    let body = m["body"].as_str().unwrap();
    assert!(
        body.contains("新留言") && body.contains("查看详情并处理"),
        "{body}"
    );
    assert!(!body.contains("See the details"), "{body}");
    drop(smtp.child.stdin.take());
}

/// Without `[smtp]` a notification is not e-mailed at all (configuring it later does not send
/// a backlog of old news).
async fn without_smtp_notifications_are_not_emailed(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    put_settings(
        &app,
        &seller,
        serde_json::json!({"lang": "zh", "email": "seller01@shop.test"}),
    )
    .await;
    app.file_ok(&buyer, "A1", serde_json::json!({"kind": "exchange"}))
        .await;
    assert_eq!(emails_in_outbox(&app).await, 0);
}

/// E-mails the outbox holds, as the database has them.
async fn emails_in_outbox(app: &TestApp) -> i64 {
    const SQL: &str = "SELECT COUNT(*) FROM outbox WHERE channel = 'email'";
    match &app._db {
        None => rusqlite::Connection::open(app._dir.path().join("weiquan.db"))
            .unwrap()
            .query_row(SQL, [], |r| r.get(0))
            .unwrap(),
        Some(db) => {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            sqlx::query_scalar(SQL).fetch_one(&pool).await.unwrap()
        }
    }
}

both_backends!(
    notifications_are_emailed_in_the_recipients_language,
    without_smtp_notifications_are_not_emailed
);
