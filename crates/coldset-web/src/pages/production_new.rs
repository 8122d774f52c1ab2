//! First run: an installation administrator creates a production in the browser (name,
//! policy packs, time zone, compliance contact, which roles sign in with a one-time code).
//! The production is created through the one write path, like every other change.

use crate::extract::{PageCaller, Writer};
use crate::forms::csrf;
use crate::html::page;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use coldset_app::{access, App, Request};
use coldset_domain::ids::ProductionId;
use coldset_domain::model::Role;
use coldset_domain::{Actor, Command};
use maud::{html, Markup};
use std::collections::BTreeSet;

/// Time zones offered first; any IANA name can be typed.
const ZONES: &[&str] = &[
    "America/Los_Angeles",
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/New_York",
    "America/Toronto",
    "America/Vancouver",
    "America/Mexico_City",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Prague",
    "Europe/Budapest",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Australia/Brisbane",
    "Pacific/Auckland",
    "Asia/Tokyo",
    "Africa/Johannesburg",
    "UTC",
];

/// What each policy pack changes, in a sentence a producer can choose by.
fn pack_description(pack: &str) -> &'static str {
    match pack {
        "industry-us" => "US industry bulletins (the defaults every production keeps).",
        "california-2025" => {
            "California: the safety advisor approves every plan; role and training rules become hard gates."
        }
        "nsw-au" => "New South Wales: firearms back in storage within 15 minutes.",
        "uk" => "United Kingdom: a longer wait after a misfire.",
        _ => "",
    }
}

/// Roles offered for the one-time code requirement, with the ones a studio usually asks for.
const SECOND_FACTOR_DEFAULT: &[Role] = &[Role::Armorer, Role::SafetyAdvisor, Role::Admin];

#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(super) struct NewProductionForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    compliance_contact: String,
    /// Checkbox groups arrive as repeated names; see `parse`.
    #[serde(skip)]
    packs: Vec<String>,
    #[serde(skip)]
    second_factor: Vec<String>,
}

impl NewProductionForm {
    fn parse(fields: Vec<(String, String)>) -> NewProductionForm {
        let mut f = NewProductionForm::default();
        for (k, v) in fields {
            match k.as_str() {
                "csrf" => f.csrf = Some(v),
                "name" => f.name = v,
                "id" => f.id = v,
                "time_zone" => f.time_zone = v,
                "compliance_contact" => f.compliance_contact = v,
                "pack" => f.packs.push(v),
                "second_factor" => f.second_factor.push(v),
                _ => {}
            }
        }
        f
    }
}

/// A production id made from its name: "Rust (2026)" becomes "rust-2026".
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(64).collect()
}

pub(super) async fn new_production_form(PageCaller(caller): PageCaller, headers: HeaderMap) -> Response {
    if !caller.principal().is_admin {
        return not_admin();
    }
    let mut f = NewProductionForm {
        time_zone: "America/Denver".into(),
        packs: vec!["industry-us".into()],
        ..Default::default()
    };
    f.second_factor = SECOND_FACTOR_DEFAULT.iter().map(|r| r.as_str().to_owned()).collect();
    crate::html::signed_in_page("New production", view(&csrf(&headers), &f, None)).into_response()
}

fn not_admin() -> Response {
    let body = html! {
        h1 { "New production" }
        p.warn role="alert" { "Only an installation administrator creates productions. Ask the person who installed coldset." }
        p { a href="/" { "Back to your productions" } }
    };
    (axum::http::StatusCode::FORBIDDEN, page("New production", body)).into_response()
}

fn view(token: &str, f: &NewProductionForm, problem: Option<&crate::error::ApiError>) -> Markup {
    html! {
        h1 { "New production" }
        @if let Some(e) = problem { (crate::forms::refusal_box(e)) }
        form method="post" action="/new" {
            input type="hidden" name="csrf" value=(token);
            p { label for="name" { "Production name" } input id="name" name="name" value=(f.name) required maxlength="200" autofocus; }
            p {
                label for="id" { "Short name for addresses (optional)" }
                input id="id" name="id" value=(f.id) pattern="[a-z0-9][a-z0-9-]{0,63}" aria-describedby="id-help";
                small id="id-help" { "Lower-case letters, digits and dashes; made from the name if left empty. It appears in every link and cannot change." }
            }
            p {
                label for="time_zone" { "Time zone of the set" }
                input id="time_zone" name="time_zone" value=(f.time_zone) list="zones" required aria-describedby="tz-help";
                datalist id="zones" { @for z in ZONES { option value=(z) {} } }
                small id="tz-help" { "Every time on every page and record is shown in this zone." }
            }
            p {
                label for="compliance_contact" { "Compliance contact (name and phone or e-mail)" }
                input id="compliance_contact" name="compliance_contact" value=(f.compliance_contact) required maxlength="200";
            }
            fieldset {
                legend { "Policy packs (the rules of the places you shoot in)" }
                @for pack in coldset_domain::policy::PACKS {
                    label.choice {
                        input type="checkbox" name="pack" value=(pack) checked[f.packs.iter().any(|p| p == pack)];
                        span { strong { (pack) } " — " (pack_description(pack)) }
                    }
                }
            }
            fieldset {
                legend { "Who signs in with a one-time code as well as a password" }
                @for role in Role::ALL {
                    label.choice {
                        input type="checkbox" name="second_factor" value=(role.as_str()) checked[f.second_factor.iter().any(|r| r == role.as_str())];
                        span { (role.as_str().replace('_', " ")) }
                    }
                }
            }
            p { button type="submit" { "Create the production" } }
        }
        p.muted { "Shoot days are planned with the scenes, on the production's set-up page." }
    }
}

pub(super) async fn create_production(
    State(app): State<App>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let f = NewProductionForm::parse(fields);
    let token = csrf(&headers);
    let run = async {
        let writer = Writer::from_form(&app, &headers, f.csrf.as_deref()).await?;
        let principal = writer.principal().clone();
        if !principal.is_admin {
            return Err(crate::error::ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "auth.forbidden",
                "only an installation administrator creates productions",
            ));
        }
        let typed = if f.id.trim().is_empty() { slug(&f.name) } else { f.id.trim().to_owned() };
        let id = ProductionId::parse(&typed).map_err(|e| crate::forms::bad(e.to_string()))?;
        let mut roles = BTreeSet::new();
        for r in &f.second_factor {
            roles.insert(Role::parse(r).map_err(crate::forms::bad)?);
        }
        let actor = Actor::Admin { account: principal.account.clone() };
        let request = |command| Request {
            auth: Some(access::authentication(&principal, &[])),
            ..Request::new(id.clone(), actor.clone(), command)
        };
        app.execute_async(request(Command::CreateProduction {
            id: id.clone(),
            name: f.name.trim().to_owned(),
            time_zone: f.time_zone.trim().to_owned(),
            packs: f.packs.clone(),
            compliance_contact: f.compliance_contact.trim().to_owned(),
        }))
        .await?;
        if !roles.is_empty() {
            // A second step: the production exists even if this one is refused, and the
            // refusal says so (the page to change it is the production's set-up page).
            app.execute_async(request(Command::RequireSecondFactor { roles })).await.map_err(|e| {
                let mut e = crate::error::ApiError::from(e);
                e.message = format!(
                    "The production {id} was created, but its one-time code requirement was not: {}",
                    e.message
                );
                e
            })?;
        }
        Ok(id)
    };
    match run.await {
        Ok(id) => Redirect::to(&format!("/p/{id}?created=1")).into_response(),
        Err(e) => (e.status, crate::html::signed_in_page("New production", view(&token, &f, Some(&e)))).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn a_name_becomes_an_address() {
        assert_eq!(slug("Rust (2026)"), "rust-2026");
        assert_eq!(slug("  Le Mépris  "), "le-m-pris");
        assert_eq!(slug("!!!"), "");
    }
}
