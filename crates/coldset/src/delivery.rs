//! Delivering notifications: webhooks (HTTP POST of the JSON payload, signed with
//! HMAC-SHA256 over "timestamp.body") and e-mail over SMTP to a configured relay.

use coldset_app::notify::Deliver;
use coldset_app::ports::OutboxItem;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

pub struct Deliverer {
    pub webhook_secret: Vec<u8>,
    pub smtp_server: Option<String>,
    pub email_from: String,
    agent: ureq::Agent,
}

impl Deliverer {
    pub fn new(webhook_secret: Vec<u8>, smtp_server: Option<String>, email_from: String) -> Self {
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
        Deliverer { webhook_secret, smtp_server, email_from, agent }
    }
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
                let server = self.smtp_server.as_deref().ok_or("no SMTP server configured")?;
                send_mail(server, &self.email_from, &item.target, item)
            }
            other => Err(format!("unknown channel {other}")),
        }
    }
}

fn expect(reader: &mut BufReader<TcpStream>, code: &str) -> Result<(), String> {
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return Err("the SMTP server closed the connection".into());
        }
        if !line.starts_with(code) {
            return Err(format!("SMTP: expected {code}, got {}", line.trim()));
        }
        // "250-" continues a multi-line answer; "250 " ends it.
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(());
        }
    }
}

/// A plain SMTP exchange with a relay (no TLS, no authentication: a relay on the set's
/// network or localhost).
fn send_mail(server: &str, from: &str, to: &str, item: &OutboxItem) -> Result<(), String> {
    if to.contains(['\r', '\n', '<', '>']) || from.contains(['\r', '\n', '<', '>']) {
        return Err("refusing an address with control characters".into());
    }
    let stream = TcpStream::connect(server).map_err(|e| format!("SMTP {server}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream);
    let mut say = |line: &str| writer.write_all(format!("{line}\r\n").as_bytes()).map_err(|e| e.to_string());
    expect(&mut reader, "220")?;
    say("EHLO coldset")?;
    expect(&mut reader, "250")?;
    say(&format!("MAIL FROM:<{from}>"))?;
    expect(&mut reader, "250")?;
    say(&format!("RCPT TO:<{to}>"))?;
    expect(&mut reader, "250")?;
    say("DATA")?;
    expect(&mut reader, "354")?;
    let payload: serde_json::Value = serde_json::from_str(&item.payload).unwrap_or_default();
    let subject = payload["subject"].as_str().unwrap_or("coldset notification").replace(['\r', '\n'], " ");
    let mut message = format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: [coldset {}] {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
        item.production
    );
    for line in serde_json::to_string_pretty(&payload).unwrap_or_default().lines() {
        // Dot-stuffing: a line starting with '.' gets another.
        if line.starts_with('.') {
            message.push('.');
        }
        message.push_str(line);
        message.push_str("\r\n");
    }
    message.push('.');
    say(message.trim_end_matches('\n').trim_end_matches('\r'))?;
    expect(&mut reader, "250")?;
    let _ = say("QUIT");
    Ok(())
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
