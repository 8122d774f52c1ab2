//! The start page: the productions the caller has a place in.

use crate::extract::PageCaller;
use crate::html::page;
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
    let body = html! {
        h1 { "Productions" }
        ul {
            @for s in &shown {
                @if let Some(info) = &s.info {
                    li { a href={ "/p/" (info.id) } { (info.name) } " " span.muted { "(" (s.next_seq()) " events)" } }
                }
            }
        }
    };
    page("Productions", body).into_response()
}
