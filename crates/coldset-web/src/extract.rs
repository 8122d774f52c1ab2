//! Who is asking, as axum extractors: a handler states in its signature what its caller must
//! be, and the check is made before it runs. `Caller` is anyone signed in; `Writer` may
//! change something (the write scope, and for a browser session its anti-forgery token);
//! `Reader` and `FullReader` may read the production named in the path, as
//! [`coldset_app::authz::read`] decides (the production's second-factor requirement
//! included); `PageReader` and `PageCaller` are the same for pages, which send a visitor to
//! sign in rather than answer 401. The values carry what the check found (the principal, the
//! production's state), and are made only here: a handler cannot reach them without the check.

use crate::api::{blocking, parse_production};
use crate::auth::{bearer_token, session_secret};
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use coldset_app::access::{self, Principal, ReadAccess};
use coldset_app::authz;
use coldset_app::App;
use coldset_domain::ids::ProductionId;
use coldset_domain::ProductionState;
use std::sync::Arc;

/// Authenticates the bearer token, or the browser session cookie. A request that changes
/// something with a session cookie must also carry the session's anti-forgery token
/// (`X-CSRF-Token`, see `require_csrf`): a cross-site page can make the browser send the
/// cookie, not the token.
async fn principal(app: &App, headers: &HeaderMap) -> Result<Arc<Principal>, ApiError> {
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
        // A database that cannot be reached (a failover in progress) says nothing about the
        // token: the caller is told to try again (503), not that its token is bad.
        if e.status != StatusCode::SERVICE_UNAVAILABLE {
            e.status = StatusCode::UNAUTHORIZED;
            e.code = "auth.invalid_token".into();
        }
        e
    })
}

/// Anyone signed in: a bearer token or a session cookie.
pub(crate) struct Caller(Arc<Principal>);

impl Caller {
    pub(crate) fn principal(&self) -> &Arc<Principal> {
        &self.0
    }

    /// What this caller may read of `production` (the one read decision, for each production
    /// of a list as for one named in a path).
    pub(crate) async fn read(&self, app: &App, production: &str) -> Result<authz::Read, ApiError> {
        read(app, &self.0, production).await
    }
}

impl FromRequestParts<App> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        principal(app, &parts.headers).await.map(Caller)
    }
}

/// A caller who may change something: a token with the write scope, or a browser session
/// (whose requests must carry its anti-forgery token, which a page of another site cannot
/// make the browser send).
pub(crate) struct Writer(Arc<Principal>);

impl Writer {
    pub(crate) fn principal(&self) -> &Arc<Principal> {
        &self.0
    }

    /// The pages' forms: sent by a signed-in browser, authenticated by its session cookie,
    /// whose anti-forgery token comes back in the form's `csrf` field. An API token is not a
    /// session (it would let a made-up cookie and its token pass), and a read-only one writes
    /// nothing here either.
    pub(crate) async fn from_form(app: &App, headers: &HeaderMap, csrf: Option<&str>) -> Result<Writer, ApiError> {
        let principal = principal(app, headers).await?;
        if bearer_token(headers).is_some() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "auth.forbidden",
                "the pages' forms are sent signed in, without an API token; API clients use POST /api/v1/productions/{id}/commands",
            ));
        }
        require_write(&principal)?;
        let secret = session_secret(headers)
            .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "input.invalid", "sign in first"))?;
        if !access::csrf_matches(&secret, csrf.unwrap_or_default()) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "auth.csrf",
                "this form is stale or forged: reload the page",
            ));
        }
        Ok(Writer(principal))
    }
}

impl FromRequestParts<App> for Writer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let principal = principal(app, &parts.headers).await?;
        require_write(&principal)?;
        require_csrf(&parts.headers)?;
        Ok(Writer(principal))
    }
}

fn require_write(p: &Principal) -> Result<(), ApiError> {
    if p.may_write() {
        Ok(())
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, "auth.forbidden", "this token may only read"))
    }
}

/// For requests authenticated by a session cookie: the anti-forgery token must match. A
/// request with a bearer token is authenticated by that token (`auth::principal` then looks
/// at no cookie), which a cross-site page cannot make the browser send.
fn require_csrf(headers: &HeaderMap) -> Result<(), ApiError> {
    match session_secret(headers) {
        Some(secret) if bearer_token(headers).is_none() => {
            let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
            if access::csrf_matches(&secret, sent) {
                Ok(())
            } else {
                Err(ApiError::new(StatusCode::FORBIDDEN, "auth.csrf", "missing or wrong X-CSRF-Token for this session"))
            }
        }
        _ => Ok(()),
    }
}

/// The production named by the path's `{production}`, parsed (a malformed one is a 400).
/// For handlers that check the production's name before the caller, as writes do.
pub(crate) struct ProductionParam(pub ProductionId);

impl FromRequestParts<App> for ProductionParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        parse_production(&production_param(parts, app).await?).map(ProductionParam)
    }
}

/// The raw `{production}` of the route.
async fn production_param(parts: &mut Parts, app: &App) -> Result<String, ApiError> {
    let params = axum::extract::RawPathParams::from_request_parts(parts, app)
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "input.invalid", e.body_text()))?;
    params
        .iter()
        .find_map(|(name, value)| (name == "production").then(|| value.to_owned()))
        .ok_or_else(|| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "this route names no production"))
}

/// The read decision: who asks first (without an account, nobody learns which productions
/// exist), then the production, the account's person in it (cached, or read in the
/// background) and [`authz::read`].
async fn read(app: &App, principal: &Arc<Principal>, production: &str) -> Result<authz::Read, ApiError> {
    let id = parse_production(production)?;
    let state = app.state(&id)?;
    if principal.is_admin {
        return Ok(authz::read(principal, None, &id, state)?);
    }
    if let Some(link) = app.cached_account_person(&principal.account, &id) {
        return Ok(authz::read(principal, link, &id, state)?);
    }
    let (app2, p2) = (app.clone(), principal.clone());
    blocking(move || {
        let link = app2.account_person(&p2.account, &id)?;
        authz::read(&p2, link, &id, state)
    })
    .await
}

/// A caller who may read the production named in the path: its state, and whether they see
/// all of it or only their own records.
pub(crate) struct Reader {
    pub state: Arc<ProductionState>,
    pub access: ReadAccess,
}

impl FromRequestParts<App> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let principal = principal(app, &parts.headers).await?;
        let production = production_param(parts, app).await?;
        let (state, access) = read(app, &principal, &production).await?.into_parts();
        Ok(Reader { state, access })
    }
}

/// A caller who may read everything of the production named in the path.
pub(crate) struct FullReader(pub Arc<ProductionState>);

impl FullReader {
    /// The check itself, for a handler that must make it again (the live board, before each
    /// rendering) or that reads the production from elsewhere.
    pub(crate) async fn check(app: &App, headers: &HeaderMap, production: &str) -> Result<FullReader, ApiError> {
        let principal = principal(app, headers).await?;
        let grant = read(app, &principal, production).await?;
        Ok(FullReader(grant.full()?))
    }
}

impl FromRequestParts<App> for FullReader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let production = production_param(parts, app).await?;
        FullReader::check(app, &parts.headers, &production).await
    }
}

/// For pages: a full reader of the production in the path; a visitor is sent to sign in (and
/// back here after), a role that sees less is refused.
pub(crate) struct PageReader(pub Arc<ProductionState>);

impl FromRequestParts<App> for PageReader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        let path = parts.uri.path().to_owned();
        let refused = |e: ApiError| page_refusal(&e, &path);
        let principal = principal(app, &parts.headers).await.map_err(refused)?;
        let production = production_param(parts, app).await.map_err(refused)?;
        let grant = read(app, &principal, &production).await.map_err(refused)?;
        match grant.access() {
            ReadAccess::Full => Ok(PageReader(grant.full().map_err(|e| refused(e.into()))?)),
            // A performer or crew member sees their own records: their own page, rather
            // than a refusal of a page meant for the armorer.
            ReadAccess::Own(_) => Err(Redirect::to(&format!("/p/{production}/me")).into_response()),
        }
    }
}

/// A refusal on a page, as a page: a visitor is sent to sign in (and back here after), a
/// role the production asks a one-time code of to the page that sets one up, anyone else
/// gets a page that says why, never the API's JSON.
pub(crate) fn page_refusal(e: &ApiError, path: &str) -> Response {
    if e.status == StatusCode::UNAUTHORIZED {
        return to_sign_in(path);
    }
    if e.code == "auth.second_factor_required" {
        return Redirect::to(&format!("/account?need=second-factor&next={}", urlencode(path))).into_response();
    }
    let body = maud::html! {
        h1 { "You cannot open this page" }
        div.banner.warn role="alert" { p { (e.message) } }
        p { a.tap href="/" { "Your productions" } " " a.tap href="/account" { "Your account" } }
    };
    (e.status, crate::html::signed_in_page("Not for you", body)).into_response()
}

/// For pages outside a production: anyone signed in; a visitor is sent to sign in.
pub(crate) struct PageCaller(pub Caller);

impl FromRequestParts<App> for PageCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        match Caller::from_request_parts(parts, app).await {
            Ok(caller) => Ok(PageCaller(caller)),
            Err(_) => Err(to_sign_in(parts.uri.path())),
        }
    }
}

fn to_sign_in(path: &str) -> Response {
    Redirect::to(&format!("/login?next={}", urlencode(path))).into_response()
}

pub(crate) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The signed-in person of a production (not an administrator acting for the
/// installation), held to its second-factor requirement: for managing their own PIN and
/// passkeys. `not_a_person` is the refusal for an account that is none.
pub(crate) async fn own_person(
    app: &App,
    principal: &Arc<Principal>,
    production: &ProductionId,
    not_a_person: &'static str,
) -> Result<authz::OwnPerson, ApiError> {
    let (app2, p2, id) = (app.clone(), principal.clone(), production.clone());
    blocking(move || {
        let link = app2.account_person(&p2.account, &id)?;
        authz::own_person(&p2, link, &*app2.state(&id)?, not_a_person)
    })
    .await
}

/// An administrator who signed in as every production requires: for what reaches into all
/// of them.
pub(crate) fn everywhere(app: &App, principal: &Principal, refusal: &str) -> Result<authz::Everywhere, ApiError> {
    if !principal.is_admin {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "auth.forbidden", refusal));
    }
    let states = app.production_ids().iter().map(|id| app.state(id)).collect::<Result<Vec<_>, _>>()?;
    Ok(authz::everywhere(principal, states.iter().map(|s| &**s), refusal)?)
}
