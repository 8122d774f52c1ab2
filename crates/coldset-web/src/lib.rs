//! coldset's HTTP layer: the JSON API under `/api/v1`, the server-rendered pages and the
//! health check. Handlers only translate HTTP to application calls and back; every change
//! goes through [`coldset_app::App::execute_async`], so no handler can bypass a rule.
//!
//! Must never contain SQL or depend on a store adapter.

// ApiError carries the whole refusal (every violation) by value on purpose: it is built
// once per failed request, and boxing it would only move the cost.
#![allow(clippy::result_large_err)]

mod api;
mod auth;
mod board;
mod error;
mod html;
mod ledger;
pub mod openapi;
mod pages;
mod public;
mod reports;
mod write;

pub use error::ApiError;

use axum::routing::get;
use axum::Router;
use coldset_app::App;

/// Security headers on every answer: no sniffing, no framing, no referrer leaks, and a
/// content policy that allows only this server's own scripts and styles (inline styles are
/// the page frame's; scripts are served as files).
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
        ),
    );
    resp
}

/// The whole HTTP surface of coldset.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .route("/api/v1/openapi.json", get(|| async { axum::Json(openapi::document()) }))
        .merge(pages::routes())
        .merge(public::routes())
        .merge(board::routes())
        .nest("/api/v1", api::routes().merge(ledger::routes()).merge(write::routes()).merge(reports::routes()))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(app)
}

async fn health() -> &'static str {
    "ok"
}
