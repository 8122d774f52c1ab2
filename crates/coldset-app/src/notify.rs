//! Notifications through an outbox: the events that people must hear about (a safety
//! report, an escalation, an incident, a hold, an alert) become outbox items in the same
//! transaction that records them, so a crash or restart loses none. A delivery thread sends
//! due items and retries failures with backoff; every attempt is visible in the outbox.

use crate::error::AppError;
use crate::ports::{Clock, OutboxItem, Store};
use coldset_domain::ids::ProductionId;
use coldset_domain::{Envelope, Event, Timestamp};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// Where notifications go (installation configuration).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    pub webhooks: Vec<String>,
    /// Addresses that receive every notification by e-mail.
    pub email_to: Vec<String>,
    /// Whether e-mail is configured at all (escalations also mail their contact if it is an
    /// e-mail address).
    pub email: bool,
}

/// Sends one item. Implemented by the binary (HTTP webhooks signed with HMAC, SMTP).
pub trait Deliver: Send + Sync {
    fn deliver(&self, item: &OutboxItem) -> Result<(), String>;
}

/// A serialised value in words: `critical`, `compliance contact`, `injury, death`, never a
/// Rust name.
fn words<T: serde::Serialize>(value: &T) -> String {
    fn flat(v: &serde_json::Value) -> Vec<String> {
        match v {
            serde_json::Value::String(s) => vec![s.replace('_', " ")],
            serde_json::Value::Object(map) => map.values().flat_map(flat).collect(),
            serde_json::Value::Array(items) => items.iter().flat_map(flat).collect(),
            serde_json::Value::Null => Vec::new(),
            other => vec![other.to_string()],
        }
    }
    flat(&serde_json::to_value(value).unwrap_or_default()).join(", ")
}

/// Whether an event is one people must be told about, and a one-line subject in words.
pub fn subject(event: &Event) -> Option<String> {
    Some(match event {
        Event::ReportFiled { severity, .. } => format!("Safety report filed ({})", words(severity)),
        Event::ReportEscalated { report, level, .. } => {
            format!("Safety report #{report} not acknowledged: escalated to the {}", words(level))
        }
        Event::IncidentReported { kind, .. } => format!("Incident: {}", words(kind)),
        Event::HoldPlaced { reason, .. } => format!("Hold on firearm work: {reason}"),
        Event::AlertRaised { rule, message } => format!("{rule}: {message}"),
        Event::RoundsDiscrepancyFound { class, .. } => {
            format!("Rounds did not reconcile ({}): issue held", words(class))
        }
        Event::FirearmWithdrawn { firearm, reason } => format!("{firearm} withdrawn: {reason}"),
        _ => return None,
    })
}

/// Which of a production's recipient lists an event goes to.
fn kind_of(event: &Event) -> Option<coldset_domain::reporting::NotificationKind> {
    use coldset_domain::reporting::{NotificationKind as K, Severity};
    Some(match event {
        Event::ReportFiled { severity: Severity::Critical, .. } => K::CriticalReport,
        Event::ReportFiled { .. } | Event::ReportEscalated { .. } => K::Report,
        Event::IncidentReported { .. } => K::Incident,
        Event::HoldPlaced { .. } => K::Hold,
        Event::AlertRaised { rule: coldset_domain::RuleId::Hand3, .. } => K::OverdueFirearm,
        Event::AlertRaised { .. } | Event::RoundsDiscrepancyFound { .. } | Event::FirearmWithdrawn { .. } => K::Alert,
        _ => return None,
    })
}

/// What the event says, for a person reading the notification.
fn details(event: &Event) -> Vec<String> {
    match event {
        Event::ReportFiled { text, subject, .. } => {
            let mut lines = vec![format!("What was reported: {text}")];
            if let Some(s) = subject {
                lines.push(format!("About: {s}"));
            }
            lines
        }
        Event::ReportEscalated { to, .. } => vec![format!("Escalated to: {to}")],
        Event::IncidentReported { firearm, scene, description, .. } => {
            let mut lines = vec![format!("What happened: {description}")];
            if let Some(f) = firearm {
                lines.push(format!("Firearm: {f}"));
            }
            if let Some(s) = scene {
                lines.push(format!("Scene: {s}"));
            }
            lines
        }
        Event::HoldPlaced { scope, by, .. } => vec![format!("Placed by {by} on {}", words(scope))],
        Event::RoundsDiscrepancyFound { firearm, issued, fired, returned, .. } => {
            vec![format!("Firearm {firearm}: {issued} issued, {fired} fired, {returned} returned")]
        }
        _ => Vec::new(),
    }
}

/// The outbox items for one recorded event, with a plain-text summary (`text`, which chat
/// webhooks such as Slack's and Microsoft Teams' show as they are) in the production's time
/// zone.
pub fn items_for(
    targets: &Targets,
    production: &ProductionId,
    state: &coldset_domain::ProductionState,
    env: &Envelope,
    now: Timestamp,
) -> Vec<OutboxItem> {
    let Some(subject) = subject(&env.event) else { return Vec::new() };
    let zone_name = state.info.as_ref().map_or("UTC", |i| i.time_zone.as_str());
    let zone = jiff::tz::TimeZone::get(zone_name).unwrap_or(jiff::tz::TimeZone::UTC);
    let local = jiff::Timestamp::from_millisecond(env.at.0)
        .map(|t| t.to_zoned(zone).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    let name = state.info.as_ref().map_or_else(|| production.to_string(), |i| i.name.clone());
    let mut text = format!("{subject}\nProduction: {name} ({production})\nWhen: {local} ({zone_name})\n");
    for line in details(&env.event) {
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str(&format!("Record: event {} of the production's ledger\n", env.seq));
    let payload = serde_json::json!({
        "production": production,
        "production_name": name,
        "seq": env.seq,
        "at": env.at.to_rfc3339(),
        "at_local": local,
        "time_zone": zone_name,
        "kind": env.event.kind(),
        "subject": subject,
        "text": text,
        "event": env.event,
    })
    .to_string();
    let item = |channel: &str, target: &str| OutboxItem {
        id: 0,
        production: production.clone(),
        event_seq: env.seq,
        channel: channel.to_owned(),
        target: target.to_owned(),
        payload: payload.clone(),
        attempts: 0,
        next_attempt_at: now,
        delivered_at: None,
        last_error: None,
    };
    let mut out: Vec<OutboxItem> = targets.webhooks.iter().map(|u| item("webhook", u)).collect();
    if targets.email {
        // The installation's recipients, the production's own for this kind, and the
        // contact an escalation goes to: each address once.
        let mut addresses: Vec<&str> = targets.email_to.iter().map(String::as_str).collect();
        if let Some(kind) = kind_of(&env.event) {
            addresses.extend(state.reporting.recipients.get(&kind).into_iter().flatten().map(String::as_str));
        }
        if let Event::ReportEscalated { to, .. } = &env.event {
            if to.contains('@') {
                addresses.push(to.trim());
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        out.extend(addresses.into_iter().filter(|a| seen.insert(*a)).map(|a| item("email", a)));
    }
    out
}

/// Seconds before the next attempt after `attempts` failures: 1, 2, 4, ... up to 5 minutes.
pub fn backoff_seconds(attempts: u32) -> i64 {
    1i64.checked_shl(attempts.saturating_sub(1).min(20)).unwrap_or(300).min(300)
}

/// One delivery round: sends every due item once. Returns (delivered, failed).
pub fn deliver_due(store: &dyn Store, clock: &dyn Clock, deliverer: &dyn Deliver) -> Result<(usize, usize), AppError> {
    deliver_due_of(store, clock, deliverer, &|_| true)
}

/// Which productions' notifications this process delivers (of several nodes, those it writes).
pub type Ours = Box<dyn Fn(&ProductionId) -> bool + Send>;

fn deliver_due_of(
    store: &dyn Store,
    clock: &dyn Clock,
    deliverer: &dyn Deliver,
    ours: &dyn Fn(&ProductionId) -> bool,
) -> Result<(usize, usize), AppError> {
    let mut ok = 0;
    let mut failed = 0;
    for item in store.outbox_due(clock.now(), 100)?.into_iter().filter(|i| ours(&i.production)) {
        match deliverer.deliver(&item) {
            Ok(()) => {
                store.outbox_delivered(item.id, clock.now())?;
                ok += 1;
            }
            Err(e) => {
                let attempts = item.attempts + 1;
                let next = Timestamp(clock.now().0 + backoff_seconds(attempts) * 1000);
                tracing::warn!(target_url = %item.target, attempts, error = %e, "notification not delivered; will retry");
                store.outbox_failed(item.id, attempts, next, &e)?;
                failed += 1;
            }
        }
    }
    Ok((ok, failed))
}

/// Runs delivery rounds every `interval` while `alive` can be upgraded.
pub(crate) fn spawn_loop(
    alive: Weak<()>,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    deliverer: Box<dyn Deliver>,
    interval: Duration,
    ours: Ours,
) -> Result<(), AppError> {
    std::thread::Builder::new()
        .name("coldset-outbox".into())
        .spawn(move || loop {
            std::thread::sleep(interval);
            if alive.upgrade().is_none() {
                break;
            }
            if let Err(e) = deliver_due_of(store.as_ref(), clock.as_ref(), deliverer.as_ref(), &ours) {
                tracing::error!(error = %e, "outbox delivery round failed");
            }
        })
        .map(|_| ())
        .map_err(|e| AppError::Internal(format!("cannot start the outbox: {e}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        assert_eq!(backoff_seconds(1), 1);
        assert_eq!(backoff_seconds(2), 2);
        assert_eq!(backoff_seconds(5), 16);
        assert_eq!(backoff_seconds(30), 300);
    }
}
