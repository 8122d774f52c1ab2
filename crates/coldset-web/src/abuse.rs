//! Limits on the public (no account) report pages, so that one sender can neither jam the
//! safety channel for everyone else nor fill the disk and the permanent log.
//!
//! Limits count per client: a keyed hash of the client's address, with a key drawn at start
//! and held only in memory, so the address itself is never kept, logged or recorded, and
//! the hashes mean nothing after a restart. A critical report from someone who has not sent
//! anything is therefore accepted while a flood from another device is refused. Behind a
//! reverse proxy, `trusted_proxies` says whose `X-Forwarded-For` names the client.
//!
//! Photos also draw on a budget per production (stored bytes of anonymous report photos),
//! counted from the log the first time it is needed and kept up to date after.

use crate::error::ApiError;
use axum::http::{HeaderMap, StatusCode};
use coldset_app::{access, App};
use coldset_domain::ids::ProductionId;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Reports one client may send in `REPORT_WINDOW`.
pub const REPORTS_PER_CLIENT: u32 = 5;
pub const REPORT_WINDOW: Duration = Duration::from_secs(10 * 60);
/// Additions to reports one client may send in an hour, and one report may receive.
pub const ADDITIONS_PER_CLIENT: u32 = 20;
pub const ADDITIONS_PER_REPORT: u32 = 20;
/// Photo bytes one client may send in an hour.
pub const PHOTO_BYTES_PER_CLIENT: u64 = 24 * 1024 * 1024;
const HOUR: Duration = Duration::from_secs(3600);
/// Stored bytes of report photos per production.
pub const PHOTO_BUDGET_PER_PRODUCTION: u64 = 512 * 1024 * 1024;
/// Clients remembered before old windows are swept out.
const MAX_REMEMBERED: usize = 10_000;

/// Who sends: a keyed hash of the client's address (never the address).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientKey(String);

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: u64,
}

impl Window {
    /// Adds `n` if the window (restarted when older than `length`) stays within `max`.
    fn take(&mut self, now: Instant, length: Duration, n: u64, max: u64) -> Result<(), Duration> {
        if now.duration_since(self.started) >= length {
            *self = Window { started: now, count: 0 };
        }
        if self.count + n > max {
            return Err(length.saturating_sub(now.duration_since(self.started)));
        }
        self.count += n;
        Ok(())
    }
}

#[derive(Default)]
struct Counters {
    reports: HashMap<ClientKey, Window>,
    additions: HashMap<ClientKey, Window>,
    report_additions: HashMap<(ProductionId, u64), Window>,
    photo_bytes: HashMap<ClientKey, Window>,
    /// Stored photo bytes per production, once counted.
    stored: HashMap<ProductionId, u64>,
}

/// The public pages' limits; cheap to clone (shared state).
#[derive(Clone)]
pub struct PublicLimits {
    key: Arc<[u8; 32]>,
    trusted_proxies: Arc<[IpAddr]>,
    counters: Arc<Mutex<Counters>>,
}

// The rate windows are monotonic timers held in memory; nothing recorded depends on them.
#[allow(clippy::disallowed_methods)]
impl PublicLimits {
    pub fn new(trusted_proxies: Vec<IpAddr>) -> Self {
        // Without randomness the key is fixed; the hashes are still never stored anywhere.
        let key = access::random_bytes::<32>().unwrap_or([7; 32]);
        PublicLimits { key: Arc::new(key), trusted_proxies: trusted_proxies.into(), counters: Arc::default() }
    }

    /// The client of a request: its connection's address, or, when that is a trusted proxy,
    /// the nearest address in `X-Forwarded-For` that is not one.
    pub fn client(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> ClientKey {
        let mut ip = peer.map(|a| a.ip());
        if ip.is_some_and(|p| self.trusted_proxies.contains(&p)) {
            let forwarded =
                headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>();
            let hops: Vec<IpAddr> =
                forwarded.join(",").split(',').filter_map(|h| h.trim().parse::<IpAddr>().ok()).collect();
            if let Some(client) = hops.iter().rev().find(|h| !self.trusted_proxies.contains(h)) {
                ip = Some(*client);
            }
        }
        let text = ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        ClientKey(access::hash_bytes(&[self.key.as_slice(), text.as_bytes()].concat()))
    }

    fn counters(&self) -> Result<std::sync::MutexGuard<'_, Counters>, ApiError> {
        let mut c = self
            .counters
            .lock()
            .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "internal", "limits unavailable"))?;
        if c.reports.len() + c.additions.len() + c.photo_bytes.len() + c.report_additions.len() > MAX_REMEMBERED {
            let now = Instant::now();
            c.reports.retain(|_, w| now.duration_since(w.started) < REPORT_WINDOW);
            c.additions.retain(|_, w| now.duration_since(w.started) < HOUR);
            c.photo_bytes.retain(|_, w| now.duration_since(w.started) < HOUR);
            c.report_additions.retain(|_, w| now.duration_since(w.started) < HOUR);
        }
        Ok(c)
    }

    /// Counts a report and its photos from `client`, or says why not and what to do. The
    /// photo budget of the production is counted from the log the first time a report
    /// brings photos.
    pub fn take_report(
        &self,
        app: &App,
        production: &ProductionId,
        client: &ClientKey,
        photo_bytes: u64,
    ) -> Result<(), ApiError> {
        // The log is read for the stored photos only when this report brings some.
        let stored = if photo_bytes > 0 { self.stored_photo_bytes(app, production)? } else { 0 };
        let now = Instant::now();
        let mut c = self.counters()?;
        let mut reports = c.reports.get(client).copied().unwrap_or(Window { started: now, count: 0 });
        reports.take(now, REPORT_WINDOW, 1, u64::from(REPORTS_PER_CLIENT)).map_err(|wait| {
            limited(format!(
                "this device has sent {REPORTS_PER_CLIENT} reports in the last {} minutes: wait {} and send it again, or \
                 call the compliance contact now if it cannot wait",
                REPORT_WINDOW.as_secs() / 60,
                minutes(wait)
            ))
        })?;
        let mut photos = c.photo_bytes.get(client).copied().unwrap_or(Window { started: now, count: 0 });
        if photo_bytes > 0 {
            photos.take(now, HOUR, photo_bytes, PHOTO_BYTES_PER_CLIENT).map_err(|wait| {
                limited(format!(
                    "this device has sent {} MB of photos in the last hour: send the report without photos now, or \
                     wait {}",
                    PHOTO_BYTES_PER_CLIENT / (1024 * 1024),
                    minutes(wait)
                ))
            })?;
            let total = c.stored.get(production).copied().unwrap_or(stored);
            if total + photo_bytes > PHOTO_BUDGET_PER_PRODUCTION {
                return Err(ApiError::new(
                    StatusCode::INSUFFICIENT_STORAGE,
                    "report.storage_full",
                    "this production's space for report photos is full: send the report without photos and describe \
                     what you saw, and tell the compliance contact",
                ));
            }
            c.stored.insert(production.clone(), total + photo_bytes);
        }
        c.reports.insert(client.clone(), reports);
        c.photo_bytes.insert(client.clone(), photos);
        Ok(())
    }

    /// Counts an addition to report `report` from `client`.
    pub fn take_addition(&self, production: &ProductionId, report: u64, client: &ClientKey) -> Result<(), ApiError> {
        let now = Instant::now();
        let mut c = self.counters()?;
        let mut mine = c.additions.get(client).copied().unwrap_or(Window { started: now, count: 0 });
        mine.take(now, HOUR, 1, u64::from(ADDITIONS_PER_CLIENT)).map_err(|wait| {
            limited(format!(
                "this device has added to reports {ADDITIONS_PER_CLIENT} times in the last hour: wait {}, or call the \
                 compliance contact",
                minutes(wait)
            ))
        })?;
        let key = (production.clone(), report);
        let mut theirs = c.report_additions.get(&key).copied().unwrap_or(Window { started: now, count: 0 });
        theirs.take(now, HOUR, 1, u64::from(ADDITIONS_PER_REPORT)).map_err(|wait| {
            limited(format!(
                "this report has had {ADDITIONS_PER_REPORT} additions in the last hour: wait {}, or call the compliance \
                 contact",
                minutes(wait)
            ))
        })?;
        c.additions.insert(client.clone(), mine);
        c.report_additions.insert(key, theirs);
        Ok(())
    }

    /// Stored bytes of the production's report photos: counted from the store once.
    fn stored_photo_bytes(&self, app: &App, production: &ProductionId) -> Result<u64, ApiError> {
        if let Some(n) = self.counters()?.stored.get(production) {
            return Ok(*n);
        }
        let state = app.state(production)?;
        let mut total = 0u64;
        let mut seen = std::collections::BTreeSet::new();
        for hash in state.reporting.reports.values().flat_map(|r| r.photos.iter()) {
            if seen.insert(hash.clone()) {
                if let Some(a) = app.attachment(hash)? {
                    total += a.bytes.len() as u64;
                }
            }
        }
        self.counters()?.stored.entry(production.clone()).or_insert(total);
        Ok(total)
    }
}

/// The public pages' limits and the client of this request, for a handler's signature.
pub struct Client {
    pub limits: PublicLimits,
    pub key: ClientKey,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        // A router built without limits (in-process tests) still limits, as one client.
        let limits = parts.extensions.get::<PublicLimits>().cloned().unwrap_or_else(|| PublicLimits::new(Vec::new()));
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0);
        let key = limits.client(peer, &parts.headers);
        Ok(Client { limits, key })
    }
}

fn minutes(d: Duration) -> String {
    let m = d.as_secs().div_ceil(60).max(1);
    if m == 1 {
        "a minute".into()
    } else {
        format!("{m} minutes")
    }
}

fn limited(message: String) -> ApiError {
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "report.rate_limited", message)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::disallowed_methods)]
mod tests {
    use super::*;

    #[test]
    fn a_window_refuses_past_its_maximum_and_restarts_after_its_length() {
        let t0 = Instant::now();
        let mut w = Window { started: t0, count: 0 };
        for _ in 0..5 {
            w.take(t0, REPORT_WINDOW, 1, 5).unwrap();
        }
        let wait = w.take(t0 + Duration::from_secs(60), REPORT_WINDOW, 1, 5).unwrap_err();
        assert_eq!(wait, Duration::from_secs(9 * 60));
        w.take(t0 + REPORT_WINDOW, REPORT_WINDOW, 1, 5).unwrap();
        assert_eq!(w.count, 1);
    }

    #[test]
    fn clients_are_told_apart_by_address_and_through_trusted_proxies_only() {
        let limits = PublicLimits::new(vec!["10.0.0.2".parse().unwrap()]);
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "192.168.1.20, 10.0.0.2".parse().unwrap());
        let a = limits.client(Some("192.168.1.10:5000".parse().unwrap()), &headers);
        let a_again = limits.client(Some("192.168.1.10:6000".parse().unwrap()), &HeaderMap::new());
        assert_eq!(a, a_again, "the port does not make another client");
        // An untrusted sender cannot choose its identity with the header.
        assert_ne!(a.0, limits.client(Some("192.168.1.20:1".parse().unwrap()), &HeaderMap::new()).0);
        let through_proxy = limits.client(Some("10.0.0.2:443".parse().unwrap()), &headers);
        assert_eq!(through_proxy, limits.client(Some("192.168.1.20:1".parse().unwrap()), &HeaderMap::new()));
        // The key is never the address itself.
        assert!(!a.0.contains("192.168"));
    }
}
