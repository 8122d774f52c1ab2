//! Today, for the armorer and the 1st AD: is the day open, what stops firearm work, and each
//! of today's scenes with its readiness, firearm by firearm.

use super::scene::{readiness, scene_summary};
use super::stops_section;
use crate::extract::PageReader;
use crate::html::production_page;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use coldset_app::App;
use coldset_domain::safety::SceneStatus;
use coldset_domain::Context;
use maud::html;

pub(super) async fn today(State(app): State<App>, Path(p): Path<String>, PageReader(state): PageReader) -> Response {
    let today = app.today(&state);
    let ctx = Context::new(app.now(), today);
    let todays: Vec<_> = state.scenes.values().filter(|s| s.day == today).collect();
    let other: Vec<_> = state.scenes.values().filter(|s| s.day != today && s.status != SceneStatus::Wrapped).collect();
    let body = html! {
        h1 { "Today, " (today) }
        form method="get" action={ "/p/" (p) "/scan" } {
            label { "Scan or type a label " input name="code" autocomplete="off" size="16"; }
            " "
            button type="submit" { "Open" }
        }
        @if coldset_domain::gate::day_open(&state, ctx.now) {
            p.ok { "The shoot day is open. " a href={ "/p/" (p) "/day" } { "Close it with the count" } }
        } @else {
            p.warn { "No shoot day is open (R-STORE-4). " a href={ "/p/" (p) "/day" } { "Open it with the count" } }
        }
        (stops_section(&state))
        h2 { "Today's scenes" }
        @for sc in &todays {
            section.card {
                h3 { a href={ "/p/" (p) "/scenes/" (sc.id) } { "Scene " (sc.number) } }
                p { (sc.description) }
                p { (scene_summary(&state, sc)) }
                (readiness(&state, &ctx, &p, sc))
            }
        }
        @if todays.is_empty() { p { "No scene with firearms is planned for today." } }
        @if !other.is_empty() {
            h2 { "Other open scenes" }
            ul {
                @for sc in &other {
                    li { a href={ "/p/" (p) "/scenes/" (sc.id) } { "Scene " (sc.number) } " (" (sc.day) "): " (scene_summary(&state, sc)) }
                }
            }
        }
    };
    production_page(&p, "Today", body).into_response()
}
