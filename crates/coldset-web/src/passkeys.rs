//! Passkeys: the API that registers a passkey and issues challenges (the browser's side is
//! `assets/passkey.js`), and the button a step's form shows for them. The checks themselves
//! are in `coldset_app::passkey`.

use crate::api::blocking;
use crate::error::ApiError;
use crate::extract::{own_person, ProductionParam, Writer};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use coldset_app::passkey::{self, Expected};
use coldset_app::App;
use coldset_domain::ids::{PersonId, ProductionId};
use maud::{html, Markup};
use serde_json::Value;

/// Under `/api/v1`.
/// Where WebAuthn must have been used: this server as the browser reached it.
pub(crate) fn expected(headers: &HeaderMap, options: crate::Options) -> Expected {
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let rp_id = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !name.ends_with(']') => name,
        _ => host,
    };
    Expected { origin: format!("{}://{host}", if options.tls { "https" } else { "http" }), rp_id: rp_id.to_owned() }
}

/// The refusal for an account that is no person of the production.
pub(crate) const NOT_A_PERSON: &str = "sign in as a person of this production";

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

/// A challenge: `register` for the signed-in person's own new passkey; `confirm` for a
/// person present to confirm on this device (the armorer's phone) with one of theirs.
pub(crate) async fn challenge(
    State(app): State<App>,
    ProductionParam(production): ProductionParam,
    writer: Writer,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (b, me) = own_request::<crate::wire::requests::PasskeyChallenge>(&app, &production, &writer, &body).await?;
    let (app2, p2, principal) = (app.clone(), production.clone(), writer.principal().clone());
    let person = b.person.clone();
    let issued = blocking(move || app2.passkey_challenge(&principal, &p2, &me, &person, &b.purpose)).await?;
    use crate::wire::answers::{PasskeyChallengeIssued, PasskeyUser};
    Ok(crate::wire::answer(&PasskeyChallengeIssued {
        challenge: issued.challenge,
        rp_id: expected(&headers, options).rp_id,
        user: PasskeyUser { id: passkey::b64url(format!("{production}/{}", b.person).as_bytes()), name: issued.name },
        credentials: issued.credentials,
    }))
}

pub(crate) async fn register(
    State(app): State<App>,
    ProductionParam(production): ProductionParam,
    writer: Writer,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let (r, me) = own_request::<crate::wire::requests::PasskeyRegistration>(&app, &production, &writer, &body).await?;
    let expected = expected(&headers, options);
    let app2 = app.clone();
    let r: coldset_app::passkey::Registration = r.into();
    blocking(move || app2.register_passkey(&expected, &production, &me, &r)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Inside a step's form: the person confirms with their passkey instead of typing the PIN.
/// `person_field` names the form field that holds the person, or `person` names them.
pub(crate) fn confirm_button(production: &str, person_field: Option<&str>, person: Option<&str>) -> Markup {
    html! {
        input type="hidden" name="passkey_credential";
        input type="hidden" name="passkey_client_data";
        input type="hidden" name="passkey_authenticator_data";
        input type="hidden" name="passkey_signature";
        button type="button" class="passkey" data-production=(production)
            data-person-field=[person_field] data-person=[person.filter(|_| person_field.is_none())] {
            "or confirm with a passkey"
        }
        " "
        span.passkey-status aria-live="polite" {}
        " "
    }
}

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
    let (app2, p2, pin) = (app.clone(), production.clone(), pin.to_owned());
    blocking(move || app2.set_pin(&p2, &me, &pin)).await
}
