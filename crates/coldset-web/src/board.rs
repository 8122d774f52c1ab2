//! The 1st AD's live board: every firearm out of storage, who holds it, its declared load,
//! minutes out, open alerts, holds and stops. It updates without a reload: the page listens
//! to a server-sent event stream that pushes a fresh rendering after every committed event.

use crate::extract::{FullReader, PageReader};
use crate::html::esc;
use axum::extract::{Path, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use coldset_app::App;
use coldset_domain::gate::describe_load;
use coldset_domain::ids::ProductionId;
use coldset_domain::model::{FirearmStatus, Holder};
use coldset_domain::{ProductionState, Timestamp};
use std::convert::Infallible;
use std::fmt::Write;
use std::time::Duration;

pub fn routes() -> Router<App> {
    Router::new().route("/p/{production}/board", get(board)).route("/p/{production}/board/stream", get(stream))
}

/// The board's live part, as an HTML fragment.
pub fn render(state: &ProductionState, now: Timestamp) -> String {
    let mut b = String::from("<table><caption>Firearms out of storage</caption><thead><tr><th scope=\"col\">Firearm</th><th scope=\"col\">Held by</th><th scope=\"col\">Declared load</th><th scope=\"col\">Minutes out</th><th scope=\"col\">Scene</th></tr></thead><tbody>");
    let mut out = 0;
    for f in state.firearms.values() {
        let Holder::Person { person } = &f.holder else { continue };
        if matches!(f.status, FirearmStatus::Disposed { .. }) {
            continue;
        }
        out += 1;
        let who = state.people.get(person).map_or(person.to_string(), |p| {
            let roles: Vec<&str> = p.roles.iter().map(|r| r.as_str()).collect();
            format!("{} ({})", p.name, roles.join(", "))
        });
        let minutes = f.out_since.map_or(0, |t| t.minutes_until(now));
        let scene =
            f.checks.scene.as_ref().and_then(|s| state.scenes.get(s)).map_or("-".to_owned(), |s| s.number.clone());
        let _ = write!(
            b,
            "<tr><td>{} {} {}</td><td>{}</td><td><strong>{}</strong></td><td>{}</td><td>{}</td></tr>",
            esc(f.id.as_str()),
            esc(&f.make),
            esc(&f.model),
            esc(&who),
            esc(&describe_load(&f.load)),
            minutes,
            esc(&scene)
        );
    }
    if out == 0 {
        b.push_str("<tr><td colspan=\"5\">Every firearm is in storage.</td></tr>");
    }
    b.push_str("</tbody></table>");
    let stops = coldset_domain::reports::stops(state);
    let holds: Vec<_> = state.safety.holds.values().collect();
    let alerts: Vec<_> = state.safety.alerts.values().filter(|a| a.resolved.is_none()).collect();
    let timeouts = coldset_domain::gate::derived_alerts(state, now);
    b.push_str("<h2>Stops, holds and alerts</h2><ul class=\"alerts\">");
    for (rule, why, _) in &stops {
        let _ = write!(b, "<li class=\"warn\">STOP [{rule}] {}</li>", esc(why));
    }
    for h in &holds {
        let _ = write!(b, "<li class=\"warn\">HOLD [R-ROLE-4] {}</li>", esc(&h.reason));
    }
    for (rule, message) in &timeouts {
        let _ = write!(b, "<li class=\"warn\">[{rule}] {}</li>", esc(message));
    }
    for a in &alerts {
        let _ = write!(b, "<li>[{}] {}</li>", a.rule, esc(&a.message));
    }
    for o in state.safety.overrides.values() {
        let _ = write!(
            b,
            "<li class=\"warn\">OVERRIDE of {} for {} in scene {}: {}</li>",
            o.rule,
            esc(o.firearm.as_str()),
            esc(o.scene.as_str()),
            esc(&o.reason)
        );
    }
    if stops.is_empty()
        && holds.is_empty()
        && alerts.is_empty()
        && timeouts.is_empty()
        && state.safety.overrides.is_empty()
    {
        b.push_str("<li class=\"ok\">None.</li>");
    }
    b.push_str("</ul>");
    let _ = write!(b, "<p class=\"muted\">Log position {} · updated {}</p>", state.next_seq(), now);
    b
}

async fn board(State(app): State<App>, Path(p): Path<String>, PageReader(state): PageReader) -> Response {
    let name = state.info.as_ref().map_or(String::new(), |i| i.name.clone());
    let body = format!(
        "<style>body{{font-size:1.25rem}} .alerts li{{margin:.3rem 0}}</style><h1>{} · live board</h1>\
         <p class=\"muted\" aria-live=\"polite\">Connection: <span id=\"status\">connecting</span></p>\
         <div id=\"live\" aria-live=\"polite\">{}</div><script src=\"{}\"></script>",
        esc(&name),
        render(&state, app.now()),
        crate::assets::Asset::Board.url()
    );
    crate::html::production_page(&p, "Live board", maud::PreEscaped(body.to_string())).into_response()
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
            let html = render(&state, app.now()).replace('\n', " ");
            Some((Ok::<_, Infallible>(SseEvent::default().event("board").data(html)), (rx, false)))
        }
    });
    Sse::new(events).keep_alive(KeepAlive::default()).into_response()
}
