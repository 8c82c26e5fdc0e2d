//! E-mail through a real SMTP server the test starts (aiosmtpd, installed by `.ci/run`): it
//! decodes each message with Python's own e-mail parser and prints it as a JSON line.

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use weiquan_domain::policy::Smtp;
use weiquan_domain::{Lang, Policy, Text};
use weiquan_store::outbox::NewEmail;

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

fn mail(cause: &str, to: &str, lang: Lang) -> NewEmail {
    NewEmail {
        cause: cause.into(),
        to: to.into(),
        lang,
        subject: Text::new("您的店铺收到一条新投诉", "Your shop has a new complaint"),
        body: Text::new(
            "买家就订单 2026110100000001 提交了投诉，请在48小时内回复。",
            "A buyer filed a complaint about order 2026110100000001; answer within 48 hours.",
        ),
    }
}

async fn emails_arrive_in_the_recipients_language(backend: Backend) {
    let mut smtp = SmtpServer::start().await;
    let policy = Policy {
        smtp: Some(Smtp {
            host: "127.0.0.1".into(),
            port: smtp.port,
            from: "weiquan <noreply@weiquan.test>".into(),
            tls: "none".into(),
            username: None,
            base_url: "https://weiquan.test".into(),
        }),
        ..Policy::default()
    };
    let app = spawn_with(backend, policy, weiquan_store::blob::DEFAULT_MAX_BLOB).await;
    let zh = app
        .store
        .enqueue_email(
            mail("complaint:1/1/merchant", "seller01@shop.test", Lang::Zh),
            app.now(),
        )
        .await
        .unwrap();
    // The same cause twice is one e-mail.
    let again = app
        .store
        .enqueue_email(
            mail("complaint:1/1/merchant", "seller01@shop.test", Lang::Zh),
            app.now(),
        )
        .await
        .unwrap();
    assert_eq!(zh, again);
    app.store
        .enqueue_email(
            mail("complaint:1/1/consumer", "buyer01@mail.test", Lang::En),
            app.now(),
        )
        .await
        .unwrap();
    assert_eq!(
        weiquan_server::outbox::dispatch(&app.state).await.unwrap(),
        2
    );

    let mut got = [smtp.next().await, smtp.next().await];
    got.sort_by_key(|m| m["rcpt"][0].as_str().unwrap().to_owned());
    let (en, zh_mail) = (&got[0], &got[1]);
    assert_eq!(zh_mail["rcpt"][0], "seller01@shop.test");
    assert_eq!(zh_mail["subject"], "【维权】您的店铺收到一条新投诉");
    let body = zh_mail["body"].as_str().unwrap();
    assert!(
        body.contains("请在48小时内回复") && body.contains("https://weiquan.test/"),
        "{body}"
    );
    assert!(!body.contains("answer within"));
    assert_eq!(zh_mail["message_id"], format!("<{zh}@weiquan>"));
    assert_eq!(en["rcpt"][0], "buyer01@mail.test");
    assert_eq!(en["subject"], "[weiquan] Your shop has a new complaint");
    let body = en["body"].as_str().unwrap();
    assert!(body.contains("answer within 48 hours") && body.contains("https://weiquan.test/"));
    assert!(!body.contains("请在"));
    assert!(
        en["from"]
            .as_str()
            .unwrap()
            .contains("noreply@weiquan.test")
    );
    // Delivered: nothing goes twice.
    assert_eq!(
        weiquan_server::outbox::dispatch(&app.state).await.unwrap(),
        0
    );
    drop(smtp.child.stdin.take());
}

/// Without `[smtp]` e-mail waits in the outbox; nothing is lost or tried.
async fn without_smtp_email_waits(backend: Backend) {
    let app = spawn_app(backend).await;
    app.store
        .enqueue_email(mail("x", "a@b.test", Lang::Zh), app.now())
        .await
        .unwrap();
    assert_eq!(
        weiquan_server::outbox::dispatch(&app.state).await.unwrap(),
        0
    );
}

both_backends!(
    emails_arrive_in_the_recipients_language,
    without_smtp_email_waits
);
