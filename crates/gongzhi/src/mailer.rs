//! Notification e-mail: the outbox's sender over SMTP (lettre). The words are the inbox's
//! (`gongzhi_web::inbox::words`) in the recipient's language, with a link to the page; the
//! Message-ID is the delivery's stable key, the same on every attempt.

use gongzhi_app::notify::{self, Outgoing, Sender};
use gongzhi_domain::notification::Channel;
use gongzhi_web::i18n::Lang;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    base_url: String,
}

impl Mailer {
    /// A mailer for `smtp_url` (see the configuration's `smtp_url`), or a bilingual reason.
    pub fn new(smtp_url: &str, from: &str, base_url: &str) -> Result<Mailer, String> {
        let transport = builder(smtp_url)
            .map_err(|e| format!("smtp_url 无法使用 / smtp_url cannot be used: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("smtp_from 不是邮箱地址 / smtp_from is not an address: {e}"))?;
        Ok(Mailer {
            transport,
            from,
            base_url: base_url.trim_end_matches('/').to_string(),
        })
    }
}

type Builder = lettre::transport::smtp::AsyncSmtpTransportBuilder;

/// With TLS built in, lettre reads every form of address itself (`smtps://`, `?tls=required`).
#[cfg(feature = "smtp-tls")]
fn builder(url: &str) -> Result<Builder, String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| e.to_string())
}

/// Without TLS: `smtp://[user:password@]host[:port]`, a relay on this machine or a trusted
/// network (port 25 unless given).
#[cfg(not(feature = "smtp-tls"))]
fn builder(url: &str) -> Result<Builder, String> {
    let rest = url.strip_prefix("smtp://").ok_or_else(|| {
        "only smtp:// without the smtp-tls build (建议：本机中继，或用 --features smtp-tls 构建)"
            .to_string()
    })?;
    let rest = rest.trim_end_matches('/');
    if rest.contains('?') {
        return Err("TLS options need the smtp-tls build".into());
    }
    let (credentials, host_port) = match rest.rsplit_once('@') {
        Some((user, host)) => (Some(user), host),
        None => (None, rest),
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| format!("port {p}"))?),
        None => (host_port, 25),
    };
    if host.is_empty() {
        return Err("no host".into());
    }
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port);
    if let Some(c) = credentials {
        let (user, password) = c.split_once(':').unwrap_or((c, ""));
        b = b.credentials(lettre::transport::smtp::authentication::Credentials::new(
            user.to_string(),
            password.to_string(),
        ));
    }
    Ok(b)
}

impl Sender for Mailer {
    fn channels(&self) -> &[Channel] {
        &[Channel::Email]
    }

    async fn send(&self, d: &Outgoing) -> Result<(), String> {
        let lang = Lang::parse(&d.locale).unwrap_or_default();
        let words = gongzhi_web::inbox::words(lang, &d.message);
        let to: Mailbox = d
            .address
            .as_deref()
            .unwrap_or_default()
            .parse()
            .map_err(|e| format!("address: {e}"))?;
        let body = format!(
            "{}\n\n{}\n{}{}\n\n-- \n{}\n",
            words.title,
            words.body,
            self.base_url,
            words.href,
            lang.t("mail-footer")
        );
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(words.title)
            .message_id(Some(format!("<{}>", notify::message_key(d.id))))
            .header(ContentType::TEXT_PLAIN)
            // Quoted-printable keeps the link and every ASCII line readable in the raw message.
            .body(
                Body::new_with_encoding(body, ContentTransferEncoding::QuotedPrintable)
                    .map_err(|_| "body encoding".to_string())?,
            )
            .map_err(|e| e.to_string())?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

#[cfg(all(test, not(feature = "smtp-tls")))]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_read_or_refused_with_the_reason() {
        assert!(builder("smtp://127.0.0.1:2525").is_ok());
        assert!(builder("smtp://user:secret@relay.local").is_ok());
        assert!(
            builder("smtps://mail.example.cn")
                .unwrap_err()
                .contains("smtp-tls")
        );
        assert!(builder("smtp://host:notaport").is_err());
        assert!(builder("smtp://").is_err());
    }
}
