//! A person's sign-in account, made from their person page by the production's
//! administrator: the account is created with no password anyone knows, and the person gets
//! a one-time set-up code (a link and a QR code to open on their phone, or the code to type)
//! with which they choose their own. No password is ever shown to anyone else.

use crate::extract::{PageCaller, Writer};
use crate::forms::csrf;
use crate::html::{base_url, local_minute};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Form;
use coldset_app::{authz, App};
use coldset_domain::ids::PersonId;
use coldset_domain::ProductionState;
use maud::{html, Markup, PreEscaped};
use std::sync::Arc;

const REFUSAL: &str = "only the production's administrator makes sign-in accounts";

/// The production and person of the path, for an administrator of that production.
async fn load(
    app: &App,
    principal: &coldset_app::access::Principal,
    p: &str,
    id: &str,
) -> Result<(Arc<ProductionState>, PersonId, Option<String>), crate::error::ApiError> {
    let production = crate::api::parse_production(p)?;
    let person = PersonId::parse(id).map_err(|e| crate::forms::bad(e.to_string()))?;
    let state = app.state(&production)?;
    authz::administer(principal, &state, REFUSAL)?;
    if !state.people.contains_key(&person) {
        return Err(crate::error::ApiError::not_found(format!("no person {person} in {production}")));
    }
    let (app2, pr, pe) = (app.clone(), production.clone(), person.clone());
    let account = crate::api::blocking(move || app2.person_account(&pr, &pe)).await?;
    Ok((state, person, account))
}

/// An account name made from a person's name: "Cole Brannigan" becomes "cole.brannigan".
fn suggested_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('.') {
            out.push('.');
        }
    }
    out.trim_end_matches('.').chars().take(64).collect()
}

pub(super) async fn account_page(
    State(app): State<App>,
    Path((p, id)): Path<(String, String)>,
    PageCaller(caller): PageCaller,
    headers: HeaderMap,
) -> Response {
    match load(&app, caller.principal(), &p, &id).await {
        Ok((state, person, account)) => {
            let body = view(&state, &p, &person, account.as_deref(), &csrf(&headers), None);
            crate::html::production_page(&p, "Sign-in account", body).into_response()
        }
        Err(e) => crate::forms::refusal_page("Sign-in account", &e, &format!("/p/{p}")),
    }
}

fn view(
    state: &ProductionState,
    p: &str,
    person: &PersonId,
    account: Option<&str>,
    token: &str,
    issued: Option<Markup>,
) -> Markup {
    let name = crate::html::person_name(state, person);
    html! {
        h1 { "Sign-in account of " (name) }
        @if let Some(issued) = issued { (issued) }
        @match account {
            Some(a) => {
                p { (name) " signs in as " strong { (a) } "." }
                form method="post" {
                    input type="hidden" name="csrf" value=(token);
                    input type="hidden" name="action" value="new_code";
                    p { button type="submit" { "Give a new set-up code" } }
                    small { "For a lost password or an expired code: the holder chooses a new password with it." }
                }
            }
            None => {
                p { (name) " has no sign-in account yet. They need one to confirm steps on their own phone, \
                    see what they hold and were shown, and (for crew with roles) act on the production's pages." }
                form method="post" {
                    input type="hidden" name="csrf" value=(token);
                    input type="hidden" name="action" value="create";
                    p {
                        label for="name" { "Account name" }
                        input id="name" name="name" value=(suggested_name(&name)) required maxlength="64" autocapitalize="none" spellcheck="false";
                        small { "What they type to sign in (letter case does not matter)." }
                    }
                    p { button type="submit" { "Create the account and a set-up code" } }
                }
            }
        }
        p { a.tap href={ "/p/" (p) } { "Back to the production" } }
    }
}

/// The code just issued: a link and QR code to open on the person's phone, and the code to
/// read out or type. Shown once: only its hash is kept.
fn issued_view(
    headers: &HeaderMap,
    options: crate::Options,
    zone: &str,
    code: &str,
    expires: coldset_domain::Timestamp,
) -> Markup {
    let link = format!("{}/welcome?code={code}", base_url(headers, options));
    let qr = qrcode::QrCode::new(link.as_bytes())
        .map(|c| c.render::<qrcode::render::svg::Color<'_>>().min_dimensions(220, 220).build())
        .unwrap_or_default();
    html! {
        div.banner.ok role="status" {
            p { strong { "Set-up code made." } " Give it to its holder now: it is shown only once, and works once, until "
                (local_minute(zone, expires)) "." }
            p { "On their phone: scan this code, or open the link." }
            div.qr role="img" aria-label="QR code of the set-up link" { (PreEscaped(qr)) }
            p { code { (link) } }
            p { "Or at " code { "/welcome" } ", type the code: " code.key { (code) } }
            @if crate::html::is_loopback_url(&base_url(headers, options)) {
                p.warn { "This link names this computer itself (localhost): a phone cannot open it. Start coldset with a public_url (docs/operations.md)." }
            }
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct AccountForm {
    #[serde(default)]
    csrf: Option<String>,
    action: String,
    #[serde(default)]
    name: String,
}

pub(super) async fn account_submit(
    State(app): State<App>,
    Path((p, id)): Path<(String, String)>,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
    Form(f): Form<AccountForm>,
) -> Response {
    let run = async {
        let writer = Writer::from_form(&app, &headers, f.csrf.as_deref()).await?;
        let (state, person, account) = load(&app, writer.principal(), &p, &id).await?;
        let production = crate::api::parse_production(&p)?;
        let app2 = app.clone();
        let (account, code, expires) = match (f.action.as_str(), account) {
            ("create", None) => {
                let name = f.name.clone();
                crate::api::blocking(move || app2.invite_account(&name, &[(production, person.clone())])).await?
            }
            ("new_code", Some(a)) => {
                let a2 = a.clone();
                let (code, expires) = crate::api::blocking(move || app2.new_setup_code(&a2)).await?;
                (a, code, expires)
            }
            _ => return Err(crate::forms::bad("this page changed since you opened it: reload it")),
        };
        let zone = state.info.as_ref().map_or("UTC", |i| i.time_zone.as_str()).to_owned();
        let issued = issued_view(&headers, options, &zone, &code, expires);
        let person = PersonId::parse(&id).map_err(|e| crate::forms::bad(e.to_string()))?;
        Ok(view(&state, &p, &person, Some(&account), &csrf(&headers), Some(issued)))
    };
    match run.await {
        Ok(body) => crate::html::production_page(&p, "Sign-in account", body).into_response(),
        Err(e) => crate::forms::refusal_page("Sign-in account", &e, &format!("/p/{p}/people/{id}/account")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_account_name_is_made_from_the_person_name() {
        assert_eq!(super::suggested_name("Cole Brannigan"), "cole.brannigan");
        assert_eq!(super::suggested_name("  Zoë  O'Neil "), "zoë.o.neil");
    }
}
