//! The follow-up of a safety report, by its key: the report, its state and its messages,
//! and a form to add to it. Open to whoever holds the key, without an account.

use super::report::error_page;
use crate::error::ApiError;
use crate::html::page;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use coldset_app::{access, App, Request};
use coldset_domain::{Actor, Command};
use maud::html;
use serde::Deserialize;

pub(super) async fn followup_form(Path(p): Path<String>) -> Html<String> {
    let body = html! {
        h1 { "Follow up a safety report" }
        form method="post" action={ "/p/" (p) "/followup" } {
            p { label for="key" { "Your follow-up key" } br; input id="key" name="key" required autocomplete="off" size="46"; }
            p { button type="submit" { "Show my report" } }
        }
    };
    page("Follow up a report", body)
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
    let Ok(state) = app.state(&production) else { return StatusCode::NOT_FOUND.into_response() };
    let Some(r) = state.reporting.reports.get(&id) else { return StatusCode::NOT_FOUND.into_response() };
    let ack = coldset_domain::gate::policy(&state).report_ack_minutes;
    let body = html! {
        h1 { "Your report #" (r.id) }
        p { (r.text) }
        p.muted { "Filed " (crate::html::when(&state, r.filed_at)) " · to be acknowledged by " (crate::html::when(&state, r.ack_due(ack))) }
        @match (&r.closed, &r.acknowledged) {
            (Some((action, at)), _) => p.ok { strong { "Closed" } " on " (crate::html::when(&state, *at)) ". Corrective action: " (action) },
            (None, Some((_, at))) => p { "Acknowledged on " (crate::html::when(&state, *at)) "; being handled." },
            (None, None) if !r.escalations.is_empty() => p.warn { "Not acknowledged in time: escalated." },
            (None, None) => p { "Waiting for acknowledgement." },
        }
        h2 { "Messages" }
        ul {
            @for e in &r.thread {
                li { strong { (if e.from == "reporter" { "You" } else { "Production safety" }) } " (" (crate::html::when(&state, e.at)) "): " (e.text) }
            }
        }
        form method="post" {
            input type="hidden" name="key" value=(f.key.trim());
            p { label for="text" { "Add to your report" } br; textarea id="text" name="text" rows="4" cols="40" maxlength="10000" {} }
            p { button type="submit" { "Add" } }
        }
    };
    page("Your report", body).into_response()
}
