//! The credentials a request carries (a bearer token or the browser session cookie), the
//! `Host` of HTTP/2 requests and sign-in's same-site check. What a caller may do with them
//! is decided by the extractors of `extract.rs` (through `coldset_app::authz`).

use axum::http::HeaderMap;

pub(crate) const SESSION_COOKIE: &str = "coldset_session";

pub(crate) fn session_secret(headers: &HeaderMap) -> Option<String> {
    headers.get_all(axum::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|cookies| {
        cookies.split(';').find_map(|c| c.trim().strip_prefix(&format!("{SESSION_COOKIE}=")).map(str::to_owned))
    })
}

/// The `Set-Cookie` value that makes the browser forget its session.
pub(crate) const CLEARED_SESSION_COOKIE: &str = "coldset_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";

/// Ends the browser's session, here and in the token cache. Only a session that exists is
/// revoked: a made-up cookie costs no database write and leaves nothing in the cache.
pub(crate) async fn end_session(app: &coldset_app::App, headers: &HeaderMap) -> Result<(), crate::error::ApiError> {
    let Some(secret) = session_secret(headers) else { return Ok(()) };
    let app = app.clone();
    crate::api::blocking(move || match app.cached_principal(&secret).map_or_else(|| app.authenticate(&secret), Ok) {
        Ok(_) => app.revoke(&secret),
        Err(coldset_app::AppError::Store(e)) => Err(coldset_app::AppError::Store(e)),
        Err(_) => Ok(()),
    })
    .await
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
