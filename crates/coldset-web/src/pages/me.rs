//! A person's own page: their roles, what they hold, what they were shown, the scenes that
//! name them, the receipts of the hand-offs to them, their confirmation PIN, password and passkeys. Open to every person of the
//! production, performers and crew included.

use crate::api::{blocking, parse_production};
use crate::error::ApiError;
use crate::extract::{own_person, Caller};
use crate::forms::{csrf, Forms};
use crate::passkeys::NOT_A_PERSON;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use coldset_app::App;
use coldset_domain::ids::PersonId;
use coldset_domain::{EntityRef, Event, ProductionState};
use maud::{html, Markup};

pub(super) async fn me_page(
    State(app): State<App>,
    Path(p): Path<String>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
) -> Response {
    let back = format!("/p/{p}/me");
    let Ok(production) = parse_production(&p) else {
        return crate::extract::page_refusal(&ApiError::not_found("no such production"), &back);
    };
    let me = match async { own_person(&app, caller?.principal(), &production, NOT_A_PERSON).await }.await {
        Ok(me) => me.into_person(),
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            return Redirect::to(&format!("/login?next=/p/{p}/me")).into_response()
        }
        Err(e) => return crate::extract::page_refusal(&e, &back),
    };
    let Ok(state) = app.state(&production) else {
        return crate::extract::page_refusal(&ApiError::not_found("no such production"), &back);
    };
    let (app2, p2, who) = (app.clone(), production.clone(), me.clone());
    let keys = match blocking(move || app2.passkeys(&p2, &who)).await {
        Ok(keys) => keys.len(),
        Err(e) => return crate::extract::page_refusal(&e, &back),
    };
    // The hand-offs to them, newest first, each with the receipt they can keep (issue #21).
    let (app2, p2, who) = (app.clone(), production.clone(), me.clone());
    let received: Vec<Received> =
        match blocking(move || app2.history(&p2, &EntityRef::Person(who.clone()), None, 200)).await {
            Ok(page) => page
                .entries
                .into_iter()
                .filter_map(|e| match &e.envelope.event {
                    Event::FirearmHandedOff { firearm, to, .. } if to == &me => {
                        Some((e.envelope.seq, firearm.clone(), e.envelope.at))
                    }
                    _ => None,
                })
                .take(10)
                .collect(),
            Err(e) => return crate::extract::page_refusal(&e, &back),
        };
    let csrf = csrf(&headers);
    let forms = Forms { p: &p, csrf: &csrf, back: &back };
    crate::html::signed_in_page("My account", view(&state, &p, &me, keys, &received, forms)).into_response()
}

/// A hand-off to the person: its event, the firearm, when.
type Received = (u64, coldset_domain::ids::FirearmId, coldset_domain::Timestamp);

fn view(
    state: &ProductionState,
    p: &str,
    me: &PersonId,
    keys: usize,
    received: &[Received],
    forms: Forms<'_>,
) -> Markup {
    let person = state.people.get(me);
    let held: Vec<_> = state.firearms.values().filter(|f| f.holder.person() == Some(me)).collect();
    let shown: Vec<_> =
        state.firearms.values().filter_map(|f| f.checks.shown.iter().find(|a| &a.by == me).map(|a| (f, a))).collect();
    let scenes: Vec<_> = state
        .scenes
        .values()
        .filter(|sc| {
            sc.plan.items.iter().any(|i| &i.performer == me)
                || sc.plan.call_list.contains(me)
                || sc.plan.line_of_fire.contains(me)
        })
        .collect();
    html! {
        // Performers and crew do not read the production's pages: their navigation is theirs.
        nav aria-label="Your pages" {
            ul {
                li { a href={ "/p/" (p) "/me" } { "My account" } }
                li { a href={ "/p/" (p) "/report" } { "Report a safety concern" } }
                li { a href={ "/p/" (p) "/followup" } { "Follow up a report" } }
            }
        }
        h1 { (person.map_or(me.as_str(), |x| x.name.as_str())) }
        p {
            "Roles: "
            (person.map(|x| x.roles.iter().map(|r| r.as_str().replace('_', " ")).collect::<Vec<_>>().join(", ")).unwrap_or_default())
        }
        // Their own records: what they hold now, what they were shown, and the scenes that name them.
        h2 { "What you hold" }
        ul {
            @for f in &held { li { (f.id) " " (f.make) " " (f.model) ": " (coldset_domain::gate::describe_load(&f.load)) } }
            @if held.is_empty() { li { "No firearm." } }
        }
        h2 { "What you were shown" }
        ul {
            @for (f, a) in &shown {
                li {
                    (f.id) " " (f.make) " " (f.model) ": " (coldset_domain::gate::describe_load(&f.load))
                    ", acknowledged at " (crate::html::when(state, a.at))
                }
            }
            @if shown.is_empty() { li { "Nothing since each firearm last left storage." } }
        }
        h2 { "Your hand-off receipts" }
        ul {
            @for (seq, firearm, at) in received {
                li {
                    (state.firearms.get(firearm).map_or(firearm.to_string(), |f| format!("{} {} {}", f.id, f.make, f.model)))
                    ", handed to you at " (crate::html::when(state, *at)) ": "
                    a href={ "/api/v1/productions/" (p) "/records/hand-off-receipt?seq=" (seq) "&format=pdf" } { "receipt (PDF)" }
                }
            }
            @if received.is_empty() { li { "No firearm was handed to you." } }
        }
        h2 { "Your scenes" }
        ul {
            @for sc in &scenes {
                li {
                    "Scene " (sc.number) " (" (sc.day) "): " (sc.description) ": "
                    @if sc.plan.items.iter().any(|i| &i.performer == me) {
                        "you handle a firearm"
                    } @else if sc.plan.line_of_fire.contains(me) {
                        "you are in the line of fire"
                    } @else {
                        "you are on the call list"
                    }
                }
            }
            @if scenes.is_empty() { li { "None." } }
        }
        h2 { "Confirmation PIN" }
        p {
            "You confirm in person on the armorer's phone (receiving a firearm, acknowledging what you were shown) \
             with this PIN, or with a passkey."
        }
        (forms.form(
            "set_pin",
            html! {
                label {
                    "New PIN (4 to 12 digits) "
                    input name="pin" type="password" inputmode="numeric" autocomplete="new-password" required size="8";
                }
                " "
            },
            "Set the PIN",
        ))
        h2 { "Password" }
        (forms.form(
            "change_password",
            html! {
                label { "Current password " input name="current" type="password" autocomplete="current-password" required; }
                " "
                label {
                    "New password (12 characters or more) "
                    input name="new" type="password" autocomplete="new-password" minlength="12" maxlength="200" required;
                }
                " "
            },
            "Change my password",
        ))
        h2 { "Passkeys" }
        p {
            @match keys { 0 => "None", 1 => "One passkey", n => { (n) " passkeys" } }
            " registered."
        }
        p {
            button type="button" id="passkey-register" data-production=(p) data-person=(me) data-csrf=(forms.csrf) {
                "Register a passkey"
            }
        }
        p id="passkey-status" aria-live="polite" {}
        script src=(crate::assets::Asset::Passkey.url()) {}
    }
}
