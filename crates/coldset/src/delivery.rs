//! Delivering notifications: webhooks (HTTP POST of the JSON payload, signed with
//! HMAC-SHA256 over "timestamp.body"; its `text` field is what chat webhooks show) and
//! e-mail through an SMTP relay with lettre (STARTTLS or TLS, AUTH), with a plain-text and
//! an HTML part in words, never raw JSON. HTTPS trusts the system's roots plus the
//! configured CA file (a studio's own authority).

use crate::config::{SmtpSecurity, SmtpSettings};
use coldset_app::notify::Deliver;
use coldset_app::ports::OutboxItem;
use hmac::{Hmac, Mac};
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{SmtpTransport, Transport};
use sha2::Sha256;
use std::path::Path;
use std::time::Duration;

/// An HTTP agent whose HTTPS trusts the system's roots (the bundled web roots where the
/// system has none) and the certificates of `ca_file`.
pub fn agent(ca_file: Option<&Path>, timeout: Duration) -> Result<ureq::Agent, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    let (added, _) = roots.add_parsable_certificates(native.certs);
    if added == 0 {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    if let Some(path) = ca_file {
        use rustls::pki_types::pem::PemObject;
        let certs = rustls::pki_types::CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("ca_file {}: {e}", path.display()))?;
        let mut n = 0;
        for cert in certs {
            roots.add(cert.map_err(|e| format!("ca_file {}: {e}", path.display()))?).map_err(|e| e.to_string())?;
            n += 1;
        }
        if n == 0 {
            return Err(format!("ca_file {} holds no certificate", path.display()));
        }
    }
    let tls = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    Ok(ureq::AgentBuilder::new().timeout(timeout).tls_config(std::sync::Arc::new(tls)).build())
}

pub struct Deliverer {
    webhook_secret: Vec<u8>,
    smtp: Option<(SmtpTransport, Mailbox)>,
    agent: ureq::Agent,
}

impl Deliverer {
    pub fn new(webhook_secret: Vec<u8>, smtp: Option<&SmtpSettings>, ca_file: Option<&Path>) -> Result<Self, String> {
        let agent = agent(ca_file, Duration::from_secs(10))?;
        let smtp = match smtp {
            Some(settings) => Some((transport(settings, ca_file)?, mailbox(&settings.from)?)),
            None => None,
        };
        Ok(Deliverer { webhook_secret, smtp, agent })
    }
}

fn mailbox(address: &str) -> Result<Mailbox, String> {
    address.parse::<Mailbox>().map_err(|e| format!("'{address}' is not an e-mail address: {e}"))
}

/// The SMTP transport for the relay: its security, credentials and the trusted roots.
fn transport(s: &SmtpSettings, ca_file: Option<&Path>) -> Result<SmtpTransport, String> {
    let parameters = || -> Result<TlsParameters, String> {
        let mut builder = TlsParameters::builder(s.host.clone());
        if let Some(path) = ca_file {
            let pem = std::fs::read(path).map_err(|e| format!("ca_file {}: {e}", path.display()))?;
            builder = builder.add_root_certificate(Certificate::from_pem(&pem).map_err(|e| e.to_string())?);
        }
        builder.build_rustls().map_err(|e| e.to_string())
    };
    let tls = match s.security {
        SmtpSecurity::StartTls => Tls::Required(parameters()?),
        SmtpSecurity::Tls => Tls::Wrapper(parameters()?),
        SmtpSecurity::None => Tls::None,
    };
    let mut builder =
        SmtpTransport::builder_dangerous(&s.host).port(s.port).tls(tls).timeout(Some(Duration::from_secs(10)));
    if let Some((user, password)) = &s.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>"): what a receiver recomputes.
pub fn signature(secret: &[u8], timestamp: i64, body: &str) -> Result<String, String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|e| e.to_string())?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    Ok(format!("sha256={}", hex::encode(mac.finalize().into_bytes())))
}

impl Deliver for Deliverer {
    fn deliver(&self, item: &OutboxItem) -> Result<(), String> {
        match item.channel.as_str() {
            "webhook" => {
                // The webhook signature's timestamp is the sending time, as receivers check it
                // against their own clock (replay protection); it is not recorded.
                #[allow(clippy::disallowed_methods)]
                let ts = jiff::Timestamp::now().as_second();
                let sig = signature(&self.webhook_secret, ts, &item.payload)?;
                self.agent
                    .post(&item.target)
                    .set("Content-Type", "application/json")
                    .set("X-Coldset-Timestamp", &ts.to_string())
                    .set("X-Coldset-Signature", &sig)
                    .set("X-Coldset-Delivery", &item.id.to_string())
                    .send_string(&item.payload)
                    .map(|_| ())
                    .map_err(|e| format!("POST {}: {e}", item.target))
            }
            "email" => {
                let (transport, from) = self.smtp.as_ref().ok_or("no SMTP server configured")?;
                let message = email(from, &item.target, item)?;
                transport.send(&message).map(|_| ()).map_err(|e| format!("SMTP: {e}"))
            }
            other => Err(format!("unknown channel {other}")),
        }
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A notification as an e-mail a person reads: the subject in words, the summary as text
/// and as simple HTML.
fn email(from: &Mailbox, to: &str, item: &OutboxItem) -> Result<lettre::Message, String> {
    let payload: serde_json::Value = serde_json::from_str(&item.payload).unwrap_or_default();
    let subject = payload["subject"].as_str().unwrap_or("notification").replace(['\r', '\n'], " ");
    let name = payload["production_name"].as_str().unwrap_or(item.production.as_str()).to_owned();
    let text = payload["text"].as_str().map_or_else(|| subject.clone(), str::to_owned);
    let footer = "\n--\ncoldset, the chain of custody of this production's firearms and ammunition. You receive \
                  this because this address is set to receive its safety notifications.\n";
    let mut html = String::from("<!doctype html><html><body style=\"font-family:sans-serif\">");
    let mut lines = text.lines();
    if let Some(first) = lines.next() {
        html.push_str(&format!("<h2>{}</h2><p>", html_escape(first)));
    }
    for line in lines {
        html.push_str(&html_escape(line));
        html.push_str("<br>");
    }
    let footer_text = footer.trim().trim_start_matches("--").trim();
    html.push_str(&format!("</p><hr><p style=\"color:#555\">{}</p></body></html>", html_escape(footer_text)));
    // A stable Message-ID: a retried delivery is the same message to the receiving side.
    let domain = from.email.domain().to_owned();
    lettre::Message::builder()
        .message_id(Some(format!("<coldset.{}.{}.{}@{domain}>", item.production, item.event_seq, item.id)))
        .from(from.clone())
        .to(mailbox(to)?)
        .subject(format!("[coldset {name}] {subject}"))
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(format!("{text}{footer}")))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html)),
        )
        .map_err(|e| format!("the e-mail cannot be built: {e}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_and_body() {
        // RFC 4231 style check against an independently computed value.
        let sig = signature(b"key", 1, "{}").unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        mac.update(b"1.{}");
        assert_eq!(sig, format!("sha256={}", hex::encode(mac.finalize().into_bytes())));
        assert_ne!(sig, signature(b"other", 1, "{}").unwrap());
        assert_ne!(sig, signature(b"key", 2, "{}").unwrap());
    }
}
