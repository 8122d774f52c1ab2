//! coldset's HTTP layer: the JSON API under `/api/v1`, the server-rendered pages and the
//! health check. Handlers only translate HTTP to application calls and back; every change
//! goes through [`coldset_app::App::execute_async`], so no handler can bypass a rule.
//!
//! Must never contain SQL or depend on a store adapter.

// ApiError carries the whole refusal (every violation) by value on purpose: it is built
// once per failed request, and boxing it would only move the cost.
#![allow(clippy::result_large_err)]

mod abuse;
mod access_log;
mod api;
mod assets;
mod auth;
mod ca;
pub mod cluster;
mod error;
mod extract;
mod forms;
mod gate_memo;
mod html;
mod ledger;
pub mod openapi;
mod pages;
mod passkeys;
mod records;
mod reports;
mod wire;
mod witness;
mod write;

pub use ca::ca_fingerprint;
pub use error::ApiError;
pub use html::is_loopback_url;

use axum::routing::get;
use axum::Router;
use coldset_app::App;

/// How the server is reached, as the handlers need to know it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Served over TLS: cookies are `Secure` and browsers are told to stay on HTTPS.
    pub tls: bool,
    /// The address phones use for this server (`https://host:port`): links and QR codes
    /// use it rather than the address the browser typed.
    pub public_url: Option<&'static str>,
    /// The set's certificate authority (PEM) when the server's certificate is the one
    /// `coldset cert` made: offered at `/ca` for phones to install.
    pub ca_pem: Option<&'static str>,
}

/// The `Set-Cookie` value of a session, `Secure` under TLS.
pub(crate) fn session_cookie(secret: &str, options: Options) -> String {
    format!(
        "coldset_session={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        coldset_app::access::SESSION_HOURS * 3600,
        if options.tls { "; Secure" } else { "" }
    )
}

/// Security headers on every answer: no sniffing, no framing, no referrer sent to other
/// sites, pages never cached, and a content policy that allows only this server's own scripts and styles (inline
/// styles are the page frame's; scripts are served as files). Under TLS, browsers are also
/// told to stay on HTTPS. A plain response map rather than a middleware function: that one
/// boxes a 1 KB future per request, which glibc serves through its slow path.
fn security_headers(
    options: Options,
) -> tower::util::MapResponseLayer<impl Fn(axum::response::Response) -> axum::response::Response + Clone> {
    use axum::http::{header, HeaderValue};
    tower::util::MapResponseLayer::new(move |mut resp: axum::response::Response| {
        let h = resp.headers_mut();
        // Pages are never kept: the browser's back button must not bring back an old page
        // with its old forms (and their submission keys, see `forms::form_start`), nor show
        // a custody record as it was.
        if h.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html")) {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        if options.tls {
            h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
        }
        h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        // Nothing leaks to other sites; within coldset, "no-referrer" would also make the
        // browser send `Origin: null` on our own form posts, which sign-in refuses as
        // possibly forged (`auth::cross_site`).
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
            ),
        );
        resp
    })
}

/// The whole HTTP surface of coldset, served over plain HTTP.
pub fn router(app: App) -> Router {
    router_with(app, Options::default())
}

/// The whole HTTP surface of coldset.
pub fn router_with(app: App, options: Options) -> Router {
    router_behind(app, options, Vec::new())
}

/// The router, with the reverse proxies whose `X-Forwarded-For` names the client of the
/// public report pages (their per-client limits, abuse.rs).
pub fn router_behind(app: App, options: Options, trusted_proxies: Vec<std::net::IpAddr>) -> Router {
    let routes = Router::new()
        .route("/healthz", get(health))
        .route("/metrics", get(metrics))
        // Pages are compressed: a phone on a busy set Wi-Fi loads each in one or two round
        // trips (docs/benchmarks.md). The compressor's default predicate leaves event
        // streams (the board's) alone: they must not wait for its buffer.
        .merge(pages::routes().layer(page_compression()))
        .merge(pages::public_routes().layer(page_compression()))
        .merge(pages::board::routes().layer(page_compression()))
        .merge(forms::routes().layer(page_compression()))
        .merge(pages::audit::routes().layer(page_compression()))
        .merge(records::page_routes().layer(page_compression()))
        .merge(assets::routes())
        .merge(ca::routes())
        // The JSON API, from its one table of endpoints (which the OpenAPI document is made from).
        .merge(openapi::api_routes())
        .fallback(no_such_address)
        .method_not_allowed_fallback(method_not_allowed);
    // One of several nodes: writes go to the production's leader, reads say (and can wait
    // for) their log position. Alone on its store, no request pays for it.
    let routes = if app.is_node() {
        routes.layer(axum::middleware::from_fn_with_state(app.clone(), cluster::route))
    } else {
        routes
    };
    routes
        .layer(tower::util::MapRequestLayer::new(auth::host_from_authority))
        .layer(security_headers(options))
        .layer(axum::Extension(options))
        .layer(axum::Extension(abuse::PublicLimits::new(trusted_proxies)))
        .layer(access_log::AccessLogLayer)
        .with_state(app)
}

fn page_compression() -> tower_http::compression::CompressionLayer {
    tower_http::compression::CompressionLayer::new().gzip(true)
}

async fn health() -> &'static str {
    "ok"
}

/// The operator's metrics (Prometheus text format), for an administrator's token: a
/// scraper is configured with one (`authorization: credentials: ...`).
async fn metrics(
    axum::extract::State(app): axum::extract::State<App>,
    caller: extract::Caller,
) -> Result<axum::response::Response, error::ApiError> {
    use axum::response::IntoResponse;
    if !caller.principal().is_admin {
        return Err(error::ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "auth.forbidden",
            "the metrics are for an administrator's token",
        ));
    }
    let text = tokio::task::spawn_blocking(move || app.metrics_text()).await.map_err(|_| {
        error::ApiError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, "internal", "the request was interrupted")
    })??;
    Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response())
}

/// An address nothing answers: under `/api/` the API's one error shape (so a client can
/// tell a wrong address from a missing record by its code), elsewhere a short page.
async fn no_such_address(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        return error::ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "route.not_found",
            format!("no endpoint at {}: the endpoints are listed in /api/v1/openapi.json", uri.path()),
        )
        .into_response();
    }
    let body = maud::html! {
        h1 { "Not found" }
        p { "There is no page at this address. " a href="/" { "Start again" } "." }
    };
    (axum::http::StatusCode::NOT_FOUND, html::page("Not found", body)).into_response()
}

/// A known address asked with a method it does not take.
async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    let status = axum::http::StatusCode::METHOD_NOT_ALLOWED;
    if uri.path().starts_with("/api/") {
        return error::ApiError::new(
            status,
            "route.method_not_allowed",
            format!("{} does not take {method}: see /api/v1/openapi.json", uri.path()),
        )
        .into_response();
    }
    (status, "this page does not take that method").into_response()
}
