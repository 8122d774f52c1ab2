//! The 1st AD's live board: every firearm out of storage, who holds it, its declared load,
//! minutes out, open alerts, holds and stops. It updates without a reload: the page listens
//! to a server-sent event stream that pushes a fresh rendering after every committed event.

use crate::extract::{FullReader, PageReader};
use crate::html::person_name;
use axum::extract::{Path, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use coldset_app::App;
use coldset_domain::gate::describe_load;
use coldset_domain::ids::ProductionId;
use coldset_domain::model::{FirearmStatus, Holder, LoadState, Role};
use coldset_domain::{ProductionState, Timestamp};
use maud::{html, Markup};
use std::convert::Infallible;
use std::time::Duration;

/// How often the stream says it is alive when nothing happens.
const HEARTBEAT: Duration = Duration::from_secs(2);
/// How often the board is rendered again when nothing happens (minutes out move on).
const REFRESH: Duration = Duration::from_secs(30);

pub(crate) fn routes() -> Router<App> {
    Router::new().route("/p/{production}/board", get(board)).route("/p/{production}/board/stream", get(stream))
}

/// The board's live part, as an HTML fragment: a full-screen STOP when firearm work is
/// stopped or held (with each rule and who lifts it), then one card per firearm out of
/// storage, armed performers first and marked, then alerts.
pub(crate) fn render(state: &ProductionState, now: Timestamp) -> Markup {
    let mut out: Vec<_> = state
        .firearms
        .values()
        .filter_map(|f| match &f.holder {
            Holder::Person { person } if !matches!(f.status, FirearmStatus::Disposed { .. }) => Some((f, person)),
            _ => None,
        })
        .collect();
    let armed_performer = |f: &&coldset_domain::model::Firearm, person: &coldset_domain::ids::PersonId| {
        !matches!(f.load, LoadState::Empty)
            && state.people.get(person).is_some_and(|p| p.roles.contains(&Role::Performer))
    };
    // Armed performers first: they are who the 1st AD watches.
    out.sort_by_key(|(f, person)| !armed_performer(f, person));
    let stops = coldset_domain::reports::stops(state);
    let holds: Vec<_> = state.safety.holds.values().collect();
    let alerts: Vec<_> = state.safety.alerts.values().filter(|a| a.resolved.is_none()).collect();
    let timeouts = coldset_domain::gate::derived_alerts(state, now);
    let quiet = alerts.is_empty() && timeouts.is_empty() && state.safety.overrides.is_empty();
    html! {
        @if !stops.is_empty() || !holds.is_empty() {
            div.stop role="alert" {
                p.stop-word { "STOP" }
                p { "All firearm work is stopped." }
                ul {
                    @for (rule, why, lifted_by) in &stops {
                        li { strong { (rule) } " " (why) ". " span.lift { "Lifted when " (lifted_by) "." } }
                    }
                    @for h in &holds {
                        li {
                            strong { "R-ROLE-4" } " hold by " (person_name(state, &h.placed_by)) ": " (h.reason) ". "
                            span.lift { "Lifted by the safety advisor on the oversight page." }
                        }
                    }
                }
                p { (out.len()) " firearm" @if out.len() != 1 { "s" } " out of storage." }
            }
        }
        h2 { "Firearms out of storage: " (out.len()) }
        @if out.is_empty() {
            p.calm { "Every firearm is in storage." }
        }
        ul.board-cards {
            @for (f, person) in &out {
                @let armed = armed_performer(f, person);
                li.card.armed[armed] {
                    p.fa { strong { (f.id) } " " (f.make) " " (f.model) }
                    p {
                        @match state.people.get(*person) {
                            Some(p) => { strong { (p.name) } " (" (p.roles.iter().map(|r| r.as_str().replace('_', " ")).collect::<Vec<_>>().join(", ")) ")" }
                            None => (person),
                        }
                    }
                    p.load { @if armed { "ARMED: " } (describe_load(&f.load)) }
                    p.muted {
                        (f.out_since.map_or(0, |t| t.minutes_until(now))) " min out"
                        @if let Some(s) = f.checks.scene.as_ref().and_then(|s| state.scenes.get(s)) { " · scene " (s.number) }
                    }
                }
            }
        }
        h2 { "Alerts" }
        ul.alerts {
            @for (rule, message) in &timeouts { li.warn { "[" (rule) "] " (message) } }
            @for a in &alerts { li { "[" (a.rule) "] " (a.message) } }
            @for o in state.safety.overrides.values() {
                li.warn { "OVERRIDE of " (o.rule) " for " (o.firearm) " in scene " (o.scene) ": " (o.reason) }
            }
            @if quiet { li.ok { "None." } }
        }
        p.muted { "Log position " (state.next_seq()) " · rendered " (crate::html::when(state, now)) }
    }
}

async fn board(State(app): State<App>, Path(p): Path<String>, PageReader(state): PageReader) -> Response {
    let (name, zone) = state.info.as_ref().map_or(("", "UTC"), |i| (i.name.as_str(), i.time_zone.as_str()));
    let body = html! {
        div.board data-zone=(zone) data-production=(p) {
            div.board-head {
                h1 { (name) " · live board" }
                p.clock { span id="clock" { (crate::html::when(&state, app.now())) } }
                p.live-state aria-live="assertive" { span id="status" { "connecting" } }
            }
            div id="not-live" class="not-live" hidden {
                p { strong { "NOT LIVE" } " — this board is not showing what happens now." }
                p id="not-live-why" { "" }
                p { a.tap id="sign-in-again" href={ "/login?next=/p/" (p) "/board" } hidden { "Sign in again" } }
            }
            div id="live" aria-live="polite" { (render(&state, app.now())) }
        }
        script src=(crate::assets::Asset::Board.url()) {}
    };
    crate::html::production_page(&p, "Live board", body).into_response()
}

/// Server-sent events: a fresh board after each committed event of this production, and
/// at least every 30 seconds (minutes out and time-outs move with the clock); between them a
/// heartbeat every 2 seconds, by which the page knows the server is alive. The watcher's
/// access is checked again before every rendering, so a logout, an expired session or a
/// role taken away ends the stream (within the access cache's 30 seconds).
async fn stream(State(app): State<App>, Path(p): Path<String>, headers: axum::http::HeaderMap) -> Response {
    use tokio::sync::broadcast::error::RecvError;
    if let Err(e) = FullReader::check(&app, &headers, &p).await {
        return e.into_response();
    }
    let Ok(production) = ProductionId::parse(&p) else { return axum::http::StatusCode::BAD_REQUEST.into_response() };
    let rx = app.subscribe();
    // The state between answers: the subscription, whether the board was sent yet, and how
    // long since it was last rendered.
    let events = futures_util::stream::unfold((rx, true, Duration::ZERO), move |(mut rx, first, mut waited)| {
        let app = app.clone();
        let production = production.clone();
        let (headers, p) = (headers.clone(), p.clone());
        async move {
            if !first {
                // A heartbeat every HEARTBEAT: the page shows NOT LIVE when they stop, which
                // catches a server that froze without closing the connection.
                loop {
                    match tokio::time::timeout(HEARTBEAT, rx.recv()).await {
                        Ok(Ok(published)) if published.production == production => break,
                        Ok(Ok(_)) => continue,
                        // Missed some: a fresh rendering covers them all.
                        Ok(Err(RecvError::Lagged(_))) => break,
                        Ok(Err(RecvError::Closed)) => return None,
                        Err(_) => {
                            waited += HEARTBEAT;
                            if waited >= REFRESH {
                                break;
                            }
                            // The watcher is checked on heartbeats too: an ended session
                            // ends the stream, and the page asks to sign in again.
                            FullReader::check(&app, &headers, &p).await.ok()?;
                            let beat = SseEvent::default().event("beat").data(app.now().0.to_string());
                            return Some((Ok::<_, Infallible>(beat), (rx, false, waited)));
                        }
                    }
                }
            }
            // The watcher is checked again before each rendering.
            let FullReader(state) = FullReader::check(&app, &headers, &p).await.ok()?;
            let html = render(&state, app.now()).into_string().replace('\n', " ");
            Some((Ok::<_, Infallible>(SseEvent::default().event("board").data(html)), (rx, false, Duration::ZERO)))
        }
    });
    Sse::new(events).keep_alive(KeepAlive::default()).into_response()
}
