//! The start page: the productions the caller has a place in.

use crate::extract::PageCaller;
use crate::html::signed_in_page;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use coldset_app::App;
use maud::html;

pub(super) async fn index(State(app): State<App>, PageCaller(caller): PageCaller) -> Response {
    let mut shown = Vec::new();
    for id in app.production_ids() {
        let Ok(read) = caller.read(&app, id.as_str()).await else { continue };
        shown.push(read.state().clone());
    }
    let admin = caller.principal().is_admin;
    let body = html! {
        h1 { "Productions" }
        @if shown.is_empty() {
            @if admin {
                p { "No production yet. Create the first one: its name, the rules of the places you shoot in,                      its time zone and who signs in with a one-time code." }
            } @else {
                p { "Your account has no place in a production yet. Ask your production office to link it to you." }
            }
        }
        ul.cards {
            @for s in &shown {
                @if let Some(info) = &s.info {
                    li.card { a href={ "/p/" (info.id) } { strong { (info.name) } } " " span.muted { (s.people.len()) " people · " (s.firearms.len()) " firearms" } }
                }
            }
        }
        @if admin { p { a.tap href="/new" { "New production" } } }
    };
    signed_in_page("Productions", body).into_response()
}
