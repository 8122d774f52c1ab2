//! The server-rendered pages, one module each: its handler (which states, through its
//! extractors, who may see it) and its view, written with maud's `html!`, which escapes every
//! value it is given (docs/adr/0003-templates.md).

pub(crate) mod audit;
mod index;
mod inventory;
mod login;

use axum::routing::get;
use axum::Router;
use coldset_app::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(index::index))
        .route("/p/{production}", get(inventory::inventory))
        .route("/login", get(login::login_form).post(login::login_submit))
}
