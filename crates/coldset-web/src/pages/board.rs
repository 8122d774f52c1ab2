//! The 1st AD's live board: every firearm out of storage, who holds it, its declared load,
//! minutes out, open alerts, holds and stops. It updates without a reload: the page listens
//! to a server-sent event stream that pushes a fresh rendering after every committed event.

use crate::extract::{FullReader, PageReader};
use axum::extract::{Path, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use coldset_app::App;
use coldset_domain::gate::describe_load;
use coldset_domain::ids::ProductionId;
use coldset_domain::model::{FirearmStatus, Holder};
use coldset_domain::{ProductionState, Timestamp};
use maud::{html, Markup};
use std::convert::Infallible;
use std::time::Duration;

pub(crate) fn routes() -> Router<App> {
    Router::new().route("/p/{production}/board", get(board)).route("/p/{production}/board/stream", get(stream))
}

/// The board's live part, as an HTML fragment.
pub(crate) fn render(state: &ProductionState, now: Timestamp) -> Markup {
    let out: Vec<_> = state
        .firearms
        .values()
        .filter_map(|f| match &f.holder {
            Holder::Person { person } if !matches!(f.status, FirearmStatus::Disposed { .. }) => Some((f, person)),
            _ => None,
        })
        .collect();
    let stops = coldset_domain::reports::stops(state);
    let holds: Vec<_> = state.safety.holds.values().collect();
    let alerts: Vec<_> = state.safety.alerts.values().filter(|a| a.resolved.is_none()).collect();
    let timeouts = coldset_domain::gate::derived_alerts(state, now);
    let nothing = stops.is_empty()
        && holds.is_empty()
        && alerts.is_empty()
        && timeouts.is_empty()
        && state.safety.overrides.is_empty();
    html! {
        table {
            caption { "Firearms out of storage" }
            thead { tr {
                th scope="col" { "Firearm" } th scope="col" { "Held by" } th scope="col" { "Declared load" }
                th scope="col" { "Minutes out" } th scope="col" { "Scene" }
            } }
            tbody {
                @for (f, person) in &out {
                    tr {
                        td { (f.id) " " (f.make) " " (f.model) }
                        td {
                            @match state.people.get(*person) {
                                Some(p) => { (p.name) " (" (p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")) ")" }
                                None => (person),
                            }
                        }
                        td { strong { (describe_load(&f.load)) } }
                        td { (f.out_since.map_or(0, |t| t.minutes_until(now))) }
                        td {
                            @match f.checks.scene.as_ref().and_then(|s| state.scenes.get(s)) {
                                Some(s) => (s.number),
                                None => "-",
                            }
                        }
                    }
                }
                @if out.is_empty() {
                    tr { td colspan="5" { "Every firearm is in storage." } }
                }
            }
        }
        h2 { "Stops, holds and alerts" }
        ul.alerts {
            @for (rule, why, _) in &stops { li.warn { "STOP [" (rule) "] " (why) } }
            @for h in &holds { li.warn { "HOLD [R-ROLE-4] " (h.reason) } }
            @for (rule, message) in &timeouts { li.warn { "[" (rule) "] " (message) } }
            @for a in &alerts { li { "[" (a.rule) "] " (a.message) } }
            @for o in state.safety.overrides.values() {
                li.warn { "OVERRIDE of " (o.rule) " for " (o.firearm) " in scene " (o.scene) ": " (o.reason) }
            }
            @if nothing { li.ok { "None." } }
        }
        p.muted { "Log position " (state.next_seq()) " · updated " (now) }
    }
}

async fn board(State(app): State<App>, Path(p): Path<String>, PageReader(state): PageReader) -> Response {
    let name = state.info.as_ref().map_or("", |i| i.name.as_str());
    let body = html! {
        // The board is read from across the set: larger type than the other pages.
        style { "body{font-size:1.25rem} .alerts li{margin:.3rem 0}" }
        h1 { (name) " · live board" }
        p.muted aria-live="polite" { "Connection: " span id="status" { "connecting" } }
        div id="live" aria-live="polite" { (render(&state, app.now())) }
        script src=(crate::assets::Asset::Board.url()) {}
    };
    crate::html::production_page(&p, "Live board", body).into_response()
}

/// Server-sent events: a fresh board after each committed event of this production, and
/// at least every 30 seconds (minutes out and time-outs move with the clock). The watcher's
/// access is checked again before every rendering, so a logout, an expired session or a
/// role taken away ends the stream (within the access cache's 30 seconds).
async fn stream(State(app): State<App>, Path(p): Path<String>, headers: axum::http::HeaderMap) -> Response {
    use tokio::sync::broadcast::error::RecvError;
    if let Err(e) = FullReader::check(&app, &headers, &p).await {
        return e.into_response();
    }
    let Ok(production) = ProductionId::parse(&p) else { return axum::http::StatusCode::BAD_REQUEST.into_response() };
    let rx = app.subscribe();
    let events = futures_util::stream::unfold((rx, true), move |(mut rx, first)| {
        let app = app.clone();
        let production = production.clone();
        let (headers, p) = (headers.clone(), p.clone());
        async move {
            if !first {
                loop {
                    match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
                        Ok(Ok(published)) if published.production == production => break,
                        Ok(Ok(_)) => continue,
                        // Missed some: a fresh rendering covers them all.
                        Ok(Err(RecvError::Lagged(_))) | Err(_) => break,
                        Ok(Err(RecvError::Closed)) => return None,
                    }
                }
            }
            // The watcher is checked again before each rendering.
            let FullReader(state) = FullReader::check(&app, &headers, &p).await.ok()?;
            let html = render(&state, app.now()).into_string().replace('\n', " ");
            Some((Ok::<_, Infallible>(SseEvent::default().event("board").data(html)), (rx, false)))
        }
    });
    Sse::new(events).keep_alive(KeepAlive::default()).into_response()
}
