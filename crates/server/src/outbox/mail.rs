//! The e-mail channel: a message of the outbox sent through the `[smtp]` server with lettre,
//! in the recipient's language, with a link to the product.

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;
use weiquan_domain::policy::Smtp;

/// The password of the SMTP account, never in the policy file.
pub const PASSWORD_ENV: &str = "WEIQUAN_SMTP_PASSWORD";

/// The transport (its connections pooled) and what every e-mail carries.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::message::Mailbox,
    base_url: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

/// An outbox e-mail's payload, as the store wrote it (the address is the message's
/// destination).
#[derive(Debug, Deserialize)]
struct Payload {
    lang: String,
    subject: String,
    body: String,
}

/// What one sending came to.
pub struct Sent {
    pub ok: bool,
    /// The SMTP reply code, when one came.
    pub code: Option<i64>,
    pub response: String,
    /// Not worth retrying (a bad address, a 5xx refusal).
    pub permanent: bool,
}

impl Mailer {
    pub fn new(smtp: &Smtp, timeout: std::time::Duration) -> Result<Self, String> {
        let builder = match smtp.tls.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host),
            "none" => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &smtp.host,
            )),
            _ => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host),
        }
        .map_err(|e| format!("smtp.host: {e}"))?;
        let mut builder = builder.port(smtp.port).timeout(Some(timeout));
        if let Some(user) = &smtp.username {
            let password = std::env::var(PASSWORD_ENV).unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Mailer {
            transport: builder.build(),
            from: smtp.from.parse().map_err(|e| format!("smtp.from: {e}"))?,
            base_url: smtp.base_url.trim_end_matches('/').to_owned(),
        })
    }

    /// Sends one outbox e-mail; its message id is the e-mail's `Message-ID`, so a mail system
    /// can drop a repeat after a crash.
    pub async fn send(&self, msg_id: &str, to: &str, payload: &str) -> Sent {
        let fail = |response: String, permanent: bool| Sent {
            ok: false,
            code: None,
            response,
            permanent,
        };
        let Ok(p) = serde_json::from_str::<Payload>(payload) else {
            return fail("unreadable payload".into(), true);
        };
        let Ok(to) = to.parse() else {
            return fail(format!("not an e-mail address: {to}"), true);
        };
        let (subject, body) = render(&p.lang, &p.subject, &p.body, &self.base_url);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{msg_id}@weiquan>")))
            .header(ContentType::TEXT_PLAIN)
            .body(body);
        let message = match message {
            Ok(m) => m,
            Err(e) => return fail(e.to_string(), true),
        };
        match self.transport.send(message).await {
            Ok(r) => Sent {
                ok: r.is_positive(),
                code: Some(i64::from(u16::from(r.code()))),
                response: r.message().collect::<Vec<_>>().join(" "),
                permanent: false,
            },
            Err(e) => Sent {
                ok: false,
                code: e.status().map(|c| i64::from(u16::from(c))),
                response: e.to_string(),
                permanent: e.is_permanent(),
            },
        }
    }
}

/// The templates: the subject marked as ours, the body with a link to the product and a
/// closing line, in Chinese or English.
pub fn render(lang: &str, subject: &str, body: &str, base_url: &str) -> (String, String) {
    if lang == "en" {
        (
            format!("[weiquan] {subject}"),
            format!(
                "{body}\n\nSee the details and act in weiquan: {base_url}/\n\n— weiquan, complaints and disputes (an automatic message; please do not reply)\n"
            ),
        )
    } else {
        (
            format!("【维权】{subject}"),
            format!(
                "{body}\n\n查看详情并处理：{base_url}/\n\n——维权投诉与纠纷处理平台（系统自动发送，请勿直接回复）\n"
            ),
        )
    }
}
