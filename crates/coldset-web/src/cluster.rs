//! One of several nodes (docs/cluster.md): a request that changes a production goes to the
//! node that writes it, and every answer about a production says how far this node's copy
//! of its log goes.
//!
//! - A write (any method but GET and HEAD) to `/api/v1/productions/{p}/...` or `/p/{p}/...`
//!   that another node leads is passed to that node as it came (method, path, headers with
//!   the caller's own credentials, body) and its answer returned as it is: the leader
//!   authenticates and decides, as if called directly. A write arriving while the lease moves
//!   waits up to 5 s for a leader, then is answered 503 `cluster.no_leader` (retry with the
//!   same `Idempotency-Key`).
//! - A read sent with `Coldset-At-Least: N` (or a page opened with `?recorded=SEQ` after a
//!   step, which needs `SEQ + 1`) waits up to 2 s for this node's copy to have N events, else
//!   503 `cluster.behind`.
//! - Every answer about a known production carries `Coldset-Position: N`.

use crate::error::ApiError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use coldset_app::cluster::Leader;
use coldset_app::App;
use coldset_domain::ids::ProductionId;
use std::time::Duration;

/// This node's log size for the production of the answer.
pub const POSITION: HeaderName = HeaderName::from_static("coldset-position");
/// The log size a read must reflect.
pub const AT_LEAST: HeaderName = HeaderName::from_static("coldset-at-least");
/// Set on a request passed to the leader, so it is never passed on again.
pub const FORWARDED_BY: HeaderName = HeaderName::from_static("coldset-forwarded-by");

/// How long a write waits for a production's lease to find a node.
const LEADER_WAIT: Duration = Duration::from_secs(5);
/// How long a read waits for this node's copy to reach the position asked for.
const POSITION_WAIT: Duration = Duration::from_secs(2);
/// Connecting to the leader: nodes are on one network, so this is generous.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The production a path is about, if any.
fn production_in(path: &str) -> Option<ProductionId> {
    let rest = path.strip_prefix("/api/v1/productions/").or_else(|| path.strip_prefix("/p/"))?;
    let id = rest.split('/').next()?;
    ProductionId::parse(id).ok()
}

/// The position a read asks for: the header, or a page's `recorded=SEQ` (the step just made).
fn asked_position(req: &Request) -> Option<u64> {
    if let Some(n) = req.headers().get(AT_LEAST).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok()) {
        return Some(n);
    }
    req.uri()
        .query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("recorded="))
        .and_then(|seq| seq.parse::<u64>().ok())
        .map(|seq| seq.saturating_add(1))
}

pub(crate) async fn route(State(app): State<App>, req: Request, next: Next) -> Response {
    let Some(production) = production_in(req.uri().path()) else { return next.run(req).await };
    // A production this node has never heard of: the handler answers (404, or a creation).
    if app.position(&production).is_none() {
        return next.run(req).await;
    }
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD);
    if writes && !req.headers().contains_key(FORWARDED_BY) {
        match connect_to_leader(&app, &production).await {
            Ok(None) => {}
            Ok(Some((node, sender))) => return forward(&app, &production, &node, sender, req).await,
            Err(e) => return e.into_response(),
        }
    } else if !writes {
        if let Some(n) = asked_position(&req) {
            if !app.wait_for_position(&production, n, POSITION_WAIT).await {
                let mut e = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "cluster.behind",
                    format!(
                        "this node's copy of the production has {} events, not yet the {n} asked for: try again",
                        app.position(&production).unwrap_or(0)
                    ),
                );
                e.retry_after = Some(1);
                return e.into_response();
            }
        }
    }
    let mut resp = next.run(req).await;
    if let Some(n) = app.position(&production) {
        resp.headers_mut().insert(POSITION, HeaderValue::from(n));
    }
    resp
}

type Sender = hyper::client::conn::http1::SendRequest<Body>;

/// A connection to the production's leader (`None`: this node leads it), waiting while its
/// lease moves: a node that died is not reachable until its lease has moved, and nothing of
/// the request has been sent by then, so the caller sees a slower answer, not an error.
async fn connect_to_leader(app: &App, production: &ProductionId) -> Result<Option<(String, Sender)>, ApiError> {
    let deadline = tokio::time::Instant::now() + LEADER_WAIT;
    loop {
        match app.leader(production) {
            Leader::Here => return Ok(None),
            Leader::At(node) => match connect(&node).await {
                Ok(sender) => return Ok(Some((node, sender))),
                Err(why) => tracing::debug!(leader = %node, error = %why, "cannot reach the leader yet"),
            },
            Leader::Nobody => {}
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(ApiError::from(coldset_app::AppError::NotLeader(production.to_string())));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens an HTTP/1 connection of its own to the node at `node` (`http://host:port`).
async fn connect(node: &str) -> Result<Sender, String> {
    let authority = node.strip_prefix("http://").ok_or("a node's address must be http://host:port")?;
    let authority = authority.trim_end_matches('/');
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(authority))
        .await
        .map_err(|_| "connecting timed out".to_owned())?
        .map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    let (sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// Passes the request to the leader and returns its answer unchanged. A leader that stops
/// answering (paused, cut off) loses its lease within seconds and can commit nothing after
/// that: the wait ends then, with `cluster.no_leader`, and the caller's retry (same
/// `Idempotency-Key`) goes to the new leader.
async fn forward(app: &App, production: &ProductionId, node: &str, mut sender: Sender, req: Request) -> Response {
    let (mut parts, body) = req.into_parts();
    // Origin form: the leader sees the path and query the caller sent; `Host` stays the
    // caller's, which links, QR codes, passkeys and sign-in's origin check read.
    parts.uri = match parts.uri.path_and_query().map_or("/", |pq| pq.as_str()).parse() {
        Ok(uri) => uri,
        Err(_) => return ApiError::new(StatusCode::BAD_REQUEST, "input.invalid", "bad path").into_response(),
    };
    parts.version = axum::http::Version::HTTP_11;
    if let Some(me) = app.node_url() {
        if let Ok(v) = HeaderValue::from_str(me) {
            parts.headers.insert(FORWARDED_BY, v);
        }
    }
    if let Some(addr) = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>() {
        let client = addr.0.ip().to_string();
        let chain = match parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
            Some(before) => format!("{before}, {client}"),
            None => client,
        };
        if let Ok(v) = HeaderValue::from_str(&chain) {
            parts.headers.insert("x-forwarded-for", v);
        }
    }
    for hop in ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"] {
        parts.headers.remove(hop);
    }
    let lease_moved = async {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if app.leader(production) != Leader::At(node.to_owned()) {
                return;
            }
        }
    };
    let answer = tokio::select! {
        answer = sender.send_request(Request::from_parts(parts, body)) => answer,
        () = lease_moved => {
            tracing::warn!(leader = node, "the leader stopped answering and its lease moved");
            return ApiError::from(coldset_app::AppError::NotLeader(format!("(its writer at {node} stopped answering)")))
                .into_response();
        }
    };
    match answer {
        Ok(resp) => resp.map(Body::new),
        Err(e) => {
            // The request may have reached the leader: only a retry with the same
            // Idempotency-Key is safe, which is what the answer says.
            tracing::warn!(leader = node, error = %e, "the leader did not answer");
            ApiError::from(coldset_app::AppError::NotLeader(format!("(its writer at {node} did not answer)")))
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_production_of_a_path() {
        assert_eq!(production_in("/api/v1/productions/rust-1/commands").map(|p| p.to_string()), Some("rust-1".into()));
        assert_eq!(production_in("/p/rust-1/act").map(|p| p.to_string()), Some("rust-1".into()));
        assert_eq!(production_in("/p/rust-1").map(|p| p.to_string()), Some("rust-1".into()));
        assert_eq!(production_in("/api/v1/productions"), None);
        assert_eq!(production_in("/login"), None);
    }
}
