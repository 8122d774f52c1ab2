//! The follow-up of a safety report, by its key: the report, its state and its messages,
//! and a form to add to it. Open to whoever holds the key, without an account.

use super::report::error_page;
use crate::error::ApiError;
use crate::html::page;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use coldset_app::{access, App, Request};
use coldset_domain::{Actor, Command};
use maud::html;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub(super) struct KeyQuery {
    #[serde(default)]
    key: Option<String>,
}

/// The follow-up page: with the key in the link the reporter kept, their report at once;
/// without it, a field to type the key.
pub(super) async fn followup_form(
    State(app): State<App>,
    Path(p): Path<String>,
    axum::extract::Query(q): axum::extract::Query<KeyQuery>,
) -> Response {
    if let Some(key) = q.key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        return show(&app, &p, key).await;
    }
    let body = html! {
        h1 { "Follow up a safety report" }
        form method="post" action={ "/p/" (p) "/followup" } {
            p { label for="key" { "Your follow-up key" } input id="key" name="key" required autocomplete="off"; }
            p { button type="submit" { "Show my report" } }
        }
    };
    page("Follow up a report", body).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct FollowUpForm {
    key: String,
    #[serde(default)]
    text: Option<String>,
}

pub(super) async fn followup_submit(
    State(app): State<App>,
    Path(p): Path<String>,
    client: crate::abuse::Client,
    Form(f): Form<FollowUpForm>,
) -> Response {
    let production = match crate::api::parse_production(&p) {
        Ok(id) => id,
        Err(e) => return error_page("Follow up", &e),
    };
    let hash = access::hash_token(f.key.trim());
    let Ok(state) = app.state(&production) else { return StatusCode::NOT_FOUND.into_response() };
    let Some(id) = state.reporting.reports.values().find(|r| r.followup_key_hash == hash).map(|r| r.id) else {
        return error_page("Follow up", &ApiError::not_found("No report has that key. Check it and try again."));
    };
    if let Some(text) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if let Err(e) = client.limits.take_addition(&production, id, &client.key) {
            return error_page("Follow up", &e);
        }
        let command = Command::AddToReport { report: id, text: text.to_owned(), followup_key_hash: hash.clone() };
        if let Err(e) = app.execute_async(Request::new(production.clone(), Actor::Anonymous, command)).await {
            return error_page("Follow up", &ApiError::from(e));
        }
    }
    show(&app, &p, f.key.trim()).await
}

/// The reporter's view of their report: its state, the answers, the outcome, whether firearm
/// work is stopped, and a form to add to it.
async fn show(app: &App, p: &str, key: &str) -> Response {
    let production = match crate::api::parse_production(p) {
        Ok(id) => id,
        Err(e) => return error_page("Follow up", &e),
    };
    let hash = access::hash_token(key);
    let Ok(state) = app.state(&production) else { return StatusCode::NOT_FOUND.into_response() };
    let Some(r) = state.reporting.reports.values().find(|r| r.followup_key_hash == hash) else {
        return error_page("Follow up", &ApiError::not_found("No report has that key. Check it and try again."));
    };
    let ack = coldset_domain::gate::policy(&state).report_ack_minutes;
    let stops = coldset_domain::reports::stops(&state);
    let answers = r.thread.iter().filter(|e| e.from != "reporter").count();
    let body = html! {
        h1 { "Your report #" (r.id) }
        @match (&r.closed, &r.acknowledged) {
            (Some((action, at)), _) => div.banner.ok role="status" {
                p { strong { "Closed" } " on " (crate::html::when(&state, *at)) "." }
                p { "Outcome: " (action) }
            },
            (None, Some((_, at))) => div.banner role="status" {
                p { "Acknowledged on " (crate::html::when(&state, *at)) "."
                    @if answers == 0 { " The production's safety people are looking into it." } @else { " Read their answer below." } }
            },
            (None, None) if !r.escalations.is_empty() => div.banner.warn role="status" { p { "Not acknowledged in time: escalated to the people above them." } },
            (None, None) => div.banner role="status" { p { "Waiting for acknowledgement, due by " (crate::html::when(&state, r.ack_due(ack))) "." } },
        }
        @if stops.is_empty() {
            p { "Firearm work on this production is " strong { "not stopped" } " at the moment." }
        } @else {
            div.banner.warn {
                p { strong { "Firearm work on this production is stopped" } ":" }
                ul { @for (rule, why, _) in &stops { li { (rule) ": " (why) } } }
            }
        }
        h2 { "What you reported" }
        p { (r.text) }
        p.muted { "Filed " (crate::html::when(&state, r.filed_at)) }
        h2 { "Messages" }
        ul {
            @for e in &r.thread {
                li { strong { (if e.from == "reporter" { "You" } else { "Production safety" }) } " (" (crate::html::when(&state, e.at)) "): " (e.text) }
            }
            @if r.thread.is_empty() { li { "No messages yet." } }
        }
        @if r.closed.is_none() {
            form method="post" action={ "/p/" (p) "/followup" } {
                input type="hidden" name="key" value=(key);
                p { label for="text" { "Add to your report" } textarea id="text" name="text" rows="4" maxlength="10000" {} }
                p { button type="submit" { "Add" } }
            }
        }
    };
    page("Your report", body).into_response()
}
