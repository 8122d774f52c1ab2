//! Who is asking, and what they may read. A bearer token or the browser session cookie
//! names an account; the account reads a production fully (the armory team, the 1st AD, the
//! safety advisor, producers, admins, auditors) or only its own records (performers, crew).

use crate::api::{blocking, parse_production};
use crate::error::ApiError;
use axum::http::{HeaderMap, StatusCode};
use coldset_app::access::{self, Principal, ReadAccess};
use coldset_app::App;
use coldset_domain::ProductionState;
use std::sync::Arc;

pub(crate) const SESSION_COOKIE: &str = "coldset_session";

pub(crate) fn session_secret(headers: &HeaderMap) -> Option<String> {
    headers.get_all(axum::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|cookies| {
        cookies.split(';').find_map(|c| c.trim().strip_prefix(&format!("{SESSION_COOKIE}=")).map(str::to_owned))
    })
}

/// Whether a browser says the request comes from a page of another site: its `Origin` is
/// not this server as the request addressed it (`Host`, or the `X-Forwarded-Host` a reverse
/// proxy sets, which a page of another site cannot make a browser send with a form), or is
/// plain HTTP to a server that speaks TLS. Sign-in uses it against login forgery, where a
/// foreign page signs the visitor in as someone else. Requests without `Origin` (tools, the
/// CLI) are not refused.
pub(crate) fn cross_site(headers: &HeaderMap, tls: bool) -> bool {
    use axum::http::header::{HOST, ORIGIN};
    let Some(origin) = headers.get(ORIGIN) else { return false };
    // "null" (a sandboxed or privacy-sensitive context) or unreadable: not this site.
    let Some((scheme, origin_host)) = origin.to_str().ok().and_then(|o| o.split_once("://")) else { return true };
    if tls && !scheme.eq_ignore_ascii_case("https") {
        return true;
    }
    let forwarded = headers.get_all("x-forwarded-host").iter().filter_map(|v| v.to_str().ok());
    let mut hosts = headers.get_all(HOST).iter().filter_map(|v| v.to_str().ok()).chain(forwarded);
    !hosts.any(|h| h.split(',').any(|h| h.trim().eq_ignore_ascii_case(origin_host)))
}

/// HTTP/2 names the server in the request's `:authority`, which arrives as the URI's
/// authority rather than a `Host` header. The pages build links and QR codes, the passkey
/// check its expected origin and sign-in its same-site check from `Host`, so it is filled
/// in from the authority when missing.
pub(crate) fn host_from_authority(mut req: axum::extract::Request) -> axum::extract::Request {
    use axum::http::header::HOST;
    if !req.headers().contains_key(HOST) {
        let authority = req.uri().authority().and_then(|a| axum::http::HeaderValue::from_str(a.as_str()).ok());
        if let Some(value) = authority {
            req.headers_mut().insert(HOST, value);
        }
    }
    req
}

/// The `Authorization: Bearer` token, read without a copy.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
}

/// Authenticates the bearer token, or the browser session cookie. A request that changes
/// something with a session cookie must also carry the session's anti-forgery token
/// (`X-CSRF-Token`, see `require_csrf`): a cross-site page can make the browser send the
/// cookie, not the token.
pub(crate) async fn principal(app: &App, headers: &HeaderMap) -> Result<Arc<Principal>, ApiError> {
    let bearer = bearer_token(headers);
    // The cookie is looked at only without a token (every API call has one).
    let session = if bearer.is_none() { session_secret(headers) } else { None };
    let secret: &str = match (bearer, &session) {
        (Some(token), _) => token,
        (None, Some(session)) => session,
        (None, None) => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "auth.required",
                "sign in (POST /api/v1/login) or send Authorization: Bearer <token>",
            ))
        }
    };
    if let Some(p) = app.cached_principal(secret) {
        return Ok(p);
    }
    let (app2, secret) = (app.clone(), secret.to_owned());
    blocking(move || app2.authenticate(&secret)).await.map_err(|mut e| {
        e.status = StatusCode::UNAUTHORIZED;
        e.code = "auth.invalid_token".into();
        e
    })
}

/// The production's committed state and what the caller may read of it.
pub(crate) async fn reader(
    app: &App,
    headers: &HeaderMap,
    production: &str,
) -> Result<(Arc<ProductionState>, ReadAccess), ApiError> {
    // Who asks first: without an account, nobody learns which productions exist.
    let principal = principal(app, headers).await?;
    let id = parse_production(production)?;
    let state = app.state(&id)?;
    if principal.is_admin {
        access::check_second_factor(&principal, &state, None)?;
        return Ok((state.clone(), access::read_access(None, &principal, &id, &state)?));
    }
    if let Some(link) = app.cached_account_person(&principal.account, &id) {
        access::check_second_factor(&principal, &state, link.as_ref())?;
        return Ok((state.clone(), access::read_access(link, &principal, &id, &state)?));
    }
    let app2 = app.clone();
    let (st, id2, p2) = (state.clone(), id.clone(), principal.clone());
    let access = blocking(move || {
        let link = if p2.is_admin { None } else { app2.account_person(&p2.account, &id2)? };
        access::check_second_factor(&p2, &st, link.as_ref())?;
        access::read_access(link, &p2, &id2, &st)
    })
    .await?;
    Ok((state, access))
}

/// The same, for records only full readers see.
pub(crate) async fn full_reader(
    app: &App,
    headers: &HeaderMap,
    production: &str,
) -> Result<Arc<ProductionState>, ApiError> {
    match reader(app, headers, production).await? {
        (state, ReadAccess::Full) => Ok(state),
        (_, ReadAccess::Own(_)) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.forbidden",
            "your role sees only your own records of this production",
        )),
    }
}

/// For pages: the state of a production a full reader may see, or the response to send
/// instead (the sign-in page for a visitor, a refusal for a role that sees less).
pub(crate) async fn page_reader(
    app: &App,
    headers: &HeaderMap,
    production: &str,
    path: &str,
) -> Result<Arc<ProductionState>, axum::response::Response> {
    use axum::response::{IntoResponse, Redirect};
    match full_reader(app, headers, production).await {
        Ok(state) => Ok(state),
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            Err(Redirect::to(&format!("/login?next={}", urlencode(path))).into_response())
        }
        Err(e) => Err(e.into_response()),
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_another_sites_origin_is_cross_site() {
        let same = [("host", "set.example:8443"), ("origin", "https://set.example:8443")];
        assert!(!cross_site(&headers(&same), true));
        assert!(!cross_site(&headers(&[("host", "set.example")]), true), "no Origin: a tool");
        assert!(cross_site(&headers(&[("host", "set.example"), ("origin", "https://evil.example")]), true));
        assert!(cross_site(&headers(&[("host", "set.example"), ("origin", "null")]), false));
        assert!(
            cross_site(&headers(&[("host", "set.example"), ("origin", "http://set.example")]), true),
            "http to TLS"
        );
        assert!(cross_site(&headers(&[("origin", "https://set.example")]), true), "nothing to compare with");
        let proxied =
            [("host", "127.0.0.1:8080"), ("x-forwarded-host", "set.example"), ("origin", "https://set.example")];
        assert!(!cross_site(&headers(&proxied), false));
    }

    #[test]
    fn an_http2_request_gets_its_host_from_the_authority() {
        let req = axum::http::Request::builder()
            .uri("https://set.example:8443/login")
            .body(axum::body::Body::empty())
            .unwrap();
        let req = host_from_authority(req);
        assert_eq!(req.headers()["host"], "set.example:8443");
        let req = axum::http::Request::builder()
            .uri("https://other.example/login")
            .header("host", "set.example")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(host_from_authority(req).headers()["host"], "set.example", "a Host header is kept");
    }
}
