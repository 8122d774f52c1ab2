//! Passkeys in the browser: a person's own page (`/p/{id}/me`: their confirmation PIN and
//! passkeys), the API that registers a passkey and issues challenges, and the script that
//! talks to the browser's WebAuthn. The checks themselves are in `coldset_app::passkey`.

use crate::api::{blocking, parse_production};
use crate::error::ApiError;
use crate::extract::{own_person, Caller, FullReader, ProductionParam, Writer};
use crate::forms::{csrf, form};
use crate::html::esc;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use coldset_app::access;
use coldset_app::passkey::{self, Expected, Purpose, Registration};
use coldset_app::App;
use coldset_domain::ids::{PersonId, ProductionId};
use serde::Deserialize;
use serde_json::{json, Value};
use std::fmt::Write;

pub fn routes() -> Router<App> {
    Router::new().route("/p/{production}/me", get(me_page))
}

/// Under `/api/v1`.
pub fn api_routes() -> Router<App> {
    Router::new()
        .route("/api/v1/productions/{production}/passkeys/challenge", post(challenge))
        .route("/api/v1/productions/{production}/me/passkeys", post(register))
}

/// Where WebAuthn must have been used: this server as the browser reached it.
pub(crate) fn expected(headers: &HeaderMap, options: crate::Options) -> Expected {
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let rp_id = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !name.ends_with(']') => name,
        _ => host,
    };
    Expected { origin: format!("{}://{host}", if options.tls { "https" } else { "http" }), rp_id: rp_id.to_owned() }
}

fn forbidden(message: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "auth.forbidden", message)
}

/// The refusal for an account that is no person of the production.
const NOT_A_PERSON: &str = "sign in as a person of this production";

/// The common start of both passkey calls: the body and the signed-in person making the
/// call (registering a passkey, or asking for a challenge to confirm a step, is writing).
async fn own_request<T: serde::de::DeserializeOwned>(
    app: &App,
    production: &ProductionId,
    writer: &Writer,
    body: &Bytes,
) -> Result<(T, PersonId), ApiError> {
    let parsed: T = crate::write::parse_body(body)?;
    let me = own_person(app, writer.principal(), production, NOT_A_PERSON).await?;
    Ok((parsed, me.into_person()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChallengeBody {
    person: PersonId,
    purpose: String,
}

/// A challenge: `register` for the signed-in person's own new passkey; `confirm` for a
/// person present to confirm on this device (the armorer's phone) with one of theirs.
async fn challenge(
    State(app): State<App>,
    ProductionParam(production): ProductionParam,
    writer: Writer,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (b, me) = own_request::<ChallengeBody>(&app, &production, &writer, &body).await?;
    let state = app.state(&production)?;
    if !state.people.contains_key(&b.person) {
        return Err(ApiError::not_found(format!("no person '{}'", b.person)));
    }
    let purpose = match b.purpose.as_str() {
        "register" if b.person == me => Purpose::Register,
        "register" => return Err(forbidden("a passkey is registered by its owner, signed in as themselves")),
        "confirm" => Purpose::Confirm,
        other => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "input.invalid",
                format!("purpose '{other}': use register or confirm"),
            ))
        }
    };
    if purpose == Purpose::Confirm {
        // Someone present confirms on the device of a person who runs the steps (the
        // armorer's phone): only those read another person's passkeys.
        FullReader::check(&app, &headers, production.as_str()).await?;
    }
    let store = app.store().clone();
    let (p2, who) = (production.clone(), b.person.clone());
    let keys = blocking(move || Ok(store.passkeys(&p2, &who)?)).await?;
    if purpose == Purpose::Confirm && keys.is_empty() {
        return Err(ApiError::not_found(format!("{} has no passkey: confirm with the PIN", b.person)));
    }
    let challenge = app.passkey_challenges().issue(&production, &b.person, purpose, &me)?;
    let name = state.people.get(&b.person).map(|x| x.name.clone()).unwrap_or_default();
    Ok(Json(json!({
        "challenge": challenge,
        "rp_id": expected(&headers, options).rp_id,
        "user": { "id": passkey::b64url(format!("{production}/{}", b.person).as_bytes()), "name": name },
        "credentials": keys.iter().map(|k| k.credential_id.clone()).collect::<Vec<_>>(),
    })))
}

async fn register(
    State(app): State<App>,
    ProductionParam(production): ProductionParam,
    writer: Writer,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let (r, me) = own_request::<Registration>(&app, &production, &writer, &body).await?;
    let expected = expected(&headers, options);
    let app2 = app.clone();
    blocking(move || {
        passkey::register(app2.store().as_ref(), app2.passkey_challenges(), &expected, &production, &me, &r)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A person's own page: their roles, what they hold, what they were shown, the scenes that
/// name them, their confirmation PIN and their passkeys. Open to every person of the
/// production, performers and crew included.
async fn me_page(
    State(app): State<App>,
    Path(p): Path<String>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
) -> Response {
    let back = format!("/p/{p}/me");
    let Ok(production) = parse_production(&p) else {
        return ApiError::not_found("no such production").into_response();
    };
    let me = match async { own_person(&app, caller?.principal(), &production, NOT_A_PERSON).await }.await {
        Ok(me) => me.into_person(),
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            return Redirect::to(&format!("/login?next=/p/{p}/me")).into_response()
        }
        Err(e) => return e.into_response(),
    };
    let Ok(state) = app.state(&production) else {
        return ApiError::not_found("no such production").into_response();
    };
    let store = app.store().clone();
    let (p2, who) = (production.clone(), me.clone());
    let keys = match blocking(move || Ok(store.passkeys(&p2, &who)?)).await {
        Ok(keys) => keys,
        Err(e) => return e.into_response(),
    };
    let person = state.people.get(&me);
    let csrf = csrf(&headers);
    let mut b = format!(
        "<h1>{}</h1><p>Roles: {}</p>",
        esc(person.map_or(me.as_str(), |x| x.name.as_str())),
        person
            .map(|x| x.roles.iter().map(|r| r.as_str().replace('_', " ")).collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    );
    // Their own records: what they hold now, what they were shown, and the scenes that name them.
    b.push_str("<h2>What you hold</h2><ul>");
    let held: Vec<_> = state.firearms.values().filter(|f| f.holder.person() == Some(&me)).collect();
    for f in &held {
        let _ = write!(
            b,
            "<li>{} {} {}: {}</li>",
            esc(f.id.as_str()),
            esc(&f.make),
            esc(&f.model),
            esc(&coldset_domain::gate::describe_load(&f.load))
        );
    }
    if held.is_empty() {
        b.push_str("<li>No firearm.</li>");
    }
    b.push_str("</ul><h2>What you were shown</h2><ul>");
    let shown: Vec<_> =
        state.firearms.values().filter_map(|f| f.checks.shown.iter().find(|a| a.by == me).map(|a| (f, a))).collect();
    for (f, a) in &shown {
        let _ = write!(
            b,
            "<li>{} {} {}: {}, acknowledged at {}</li>",
            esc(f.id.as_str()),
            esc(&f.make),
            esc(&f.model),
            esc(&coldset_domain::gate::describe_load(&f.load)),
            a.at.to_rfc3339()
        );
    }
    if shown.is_empty() {
        b.push_str("<li>Nothing since each firearm last left storage.</li>");
    }
    b.push_str("</ul><h2>Your scenes</h2><ul>");
    let scenes: Vec<_> = state
        .scenes
        .values()
        .filter(|sc| {
            sc.plan.items.iter().any(|i| i.performer == me)
                || sc.plan.call_list.contains(&me)
                || sc.plan.line_of_fire.contains(&me)
        })
        .collect();
    for sc in &scenes {
        let role = if sc.plan.items.iter().any(|i| i.performer == me) {
            "you handle a firearm"
        } else if sc.plan.line_of_fire.contains(&me) {
            "you are in the line of fire"
        } else {
            "you are on the call list"
        };
        let _ = write!(b, "<li>Scene {} ({}): {}: {role}</li>", esc(&sc.number), sc.day, esc(&sc.description));
    }
    if scenes.is_empty() {
        b.push_str("<li>None.</li>");
    }
    b.push_str("</ul>");
    b.push_str(
        "<h2>Confirmation PIN</h2><p>You confirm in person on the armorer's phone (receiving a firearm, \
         acknowledging what you were shown) with this PIN, or with a passkey.</p>",
    );
    b.push_str(&form(
        "set_pin",
        &csrf,
        &back,
        &p,
        "<label>New PIN (4 to 12 digits) <input name=\"pin\" type=\"password\" inputmode=\"numeric\" autocomplete=\"new-password\" required size=\"8\"></label> ",
        "Set the PIN",
    ));
    b.push_str("<h2>Password</h2>");
    b.push_str(&form(
        "change_password",
        &csrf,
        &back,
        &p,
        "<label>Current password <input name=\"current\" type=\"password\" autocomplete=\"current-password\" required></label> \
         <label>New password (12 characters or more) <input name=\"new\" type=\"password\" autocomplete=\"new-password\" \
         minlength=\"12\" maxlength=\"200\" required></label> ",
        "Change my password",
    ));
    let _ = write!(
        b,
        "<h2>Passkeys</h2><p>{} registered.</p>\
         <p><button type=\"button\" id=\"passkey-register\" data-production=\"{}\" data-person=\"{}\" data-csrf=\"{}\">Register a passkey</button></p>\
         <p id=\"passkey-status\" aria-live=\"polite\"></p><script src=\"{}\"></script>",
        match keys.len() {
            0 => "None".to_owned(),
            1 => "One passkey".to_owned(),
            n => format!("{n} passkeys"),
        },
        esc(&p),
        esc(me.as_str()),
        esc(&csrf),
        crate::assets::Asset::Passkey.url(),
    );
    // Performers and crew do not read the production's pages: their navigation is theirs.
    let nav = format!(
        "<nav aria-label=\"Your pages\"><ul><li><a href=\"/p/{0}/me\">My account</a></li>\
         <li><a href=\"/p/{0}/report\">Report a safety concern</a></li><li><a href=\"/p/{0}/followup\">Follow up a report</a></li></ul></nav>",
        esc(&p)
    );
    crate::html::page("My account", maud::PreEscaped(format!("{nav}{b}").to_string())).into_response()
}

/// Inside a step's form: the person confirms with their passkey instead of typing the PIN.
/// `person_field` names the form field that holds the person, or `person` names them.
pub(crate) fn confirm_button(production: &str, person_field: Option<&str>, person: Option<&str>) -> String {
    let who = match (person_field, person) {
        (Some(field), _) => format!("data-person-field=\"{}\"", esc(field)),
        (None, Some(id)) => format!("data-person=\"{}\"", esc(id)),
        (None, None) => String::new(),
    };
    format!(
        "<input type=\"hidden\" name=\"passkey_credential\"><input type=\"hidden\" name=\"passkey_client_data\">\
         <input type=\"hidden\" name=\"passkey_authenticator_data\"><input type=\"hidden\" name=\"passkey_signature\">\
         <button type=\"button\" class=\"passkey\" data-production=\"{}\" {who}>or confirm with a passkey</button> \
         <span class=\"passkey-status\" aria-live=\"polite\"></span> ",
        esc(production)
    )
}

/// For the form endpoint: sets the signed-in person's PIN.
/// For the API and the form endpoint: sets the signed-in person's PIN. `not_a_person`: the
/// refusal for an account that is none.
pub(crate) async fn set_own_pin(
    app: &App,
    writer: &Writer,
    production: &ProductionId,
    not_a_person: &'static str,
    pin: &str,
) -> Result<(), ApiError> {
    let me = own_person(app, writer.principal(), production, not_a_person).await?.into_person();
    let store = app.store().clone();
    let (p2, pin) = (production.clone(), pin.to_owned());
    blocking(move || access::set_pin(store.as_ref(), &p2, &me, &pin)).await
}
