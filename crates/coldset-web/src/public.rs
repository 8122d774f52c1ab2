//! The public safety-report pages: anyone on set can file a report without an account
//! (anonymous or named), with photos, and follow it up with the key it returns. The link and
//! a QR code go on the call sheet and on the set (R-COMP-1, R-ROLE-5).

use crate::error::ApiError;
use crate::html::{esc, page};
use crate::reports::{file, ReportForm};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use coldset_app::{access, App, Request};
use coldset_domain::reports::Severity;
use coldset_domain::{Actor, Command};
use serde::Deserialize;
use std::fmt::Write;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/p/{production}/report", get(report_form).post(report_submit))
        .route("/p/{production}/followup", get(followup_form).post(followup_submit))
        .route("/p/{production}/report-qr.svg", get(report_qr))
        // Photos: up to five of 4 MB each.
        .layer(DefaultBodyLimit::max(24 * 1024 * 1024))
}

fn error_page(title: &str, e: &ApiError) -> Response {
    let body = format!(
        "<h1>{}</h1><p role=\"alert\" class=\"warn\">{}</p><p>Nothing was recorded. Go back with your browser's back button, correct it and send it again.</p>",
        esc(title),
        esc(&e.message)
    );
    (e.status, crate::html::page(title, maud::PreEscaped(body.to_string()))).into_response()
}

async fn report_form(State(app): State<App>, Path(p): Path<String>) -> Response {
    let state = match crate::api::load(&app, &p) {
        Ok(s) => s,
        Err(e) => return error_page("Safety report", &e),
    };
    let Some(info) = &state.info else { return StatusCode::NOT_FOUND.into_response() };
    // Only what a reporter needs to say what the report is about: today's and tomorrow's
    // scenes. Anyone can open this page without an account, so it lists no inventory (no
    // firearm, no storage place); a firearm or a place is named in the reporter's own words.
    let today = app.today(&state);
    let tomorrow = today.tomorrow().unwrap_or(today);
    let mut options = String::from("<option value=\"\">(no scene in particular)</option>");
    for s in state.scenes.values().filter(|s| s.day == today || s.day == tomorrow) {
        let when = if s.day == today { "today" } else { "tomorrow" };
        let name: String = s.description.chars().take(60).collect();
        let _ = write!(
            options,
            "<option value=\"{0}\">Scene {1}: {2} ({when})</option>",
            esc(s.id.as_str()),
            esc(&s.number),
            esc(&name)
        );
    }
    let body = format!(
        r#"<h1>Report a safety concern</h1>
<p>{name}. Anyone on set can report, <strong>anonymously</strong> if you prefer: nothing about you is recorded
(no account, no address, no device). You get a key to read the answer and add to your report.</p>
<p>Compliance contact: {contact}</p>
<form method="post" enctype="multipart/form-data">
<fieldset><legend>How serious is it?</legend>
<label><input type="radio" name="severity" value="information"> Information</label><br>
<label><input type="radio" name="severity" value="concern" checked> Concern</label><br>
<label><input type="radio" name="severity" value="critical"> Critical: stop firearm work now</label>
</fieldset>
<p><label for="text">What did you see?</label><br><textarea id="text" name="text" rows="6" cols="40" required maxlength="10000"></textarea></p>
<p><label for="subject">Which scene?</label><br><select id="subject" name="subject">{options}</select></p>
<p><label for="about">What firearm or place? (in your own words, optional)</label><br><input id="about" name="about" maxlength="200"></p>
<p><label for="reporter_name">Your name (leave empty to stay anonymous)</label><br><input id="reporter_name" name="reporter_name" maxlength="200"></p>
<p><label for="photo">Photos (optional, up to 5)</label><br><input id="photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp" multiple></p>
<p><button type="submit">Send the report</button></p>
</form>
<p><a href="/p/{id}/followup">Follow up a report you sent</a></p>"#,
        name = esc(&info.name),
        contact = esc(&info.compliance_contact),
        id = esc(info.id.as_str()),
    );
    crate::html::page("Safety report", maud::PreEscaped(body.to_string())).into_response()
}

async fn report_submit(
    State(app): State<App>,
    Path(p): Path<String>,
    client: crate::abuse::Client,
    mut multipart: Multipart,
) -> Response {
    let production = match crate::api::parse_production(&p) {
        Ok(id) => id,
        Err(e) => return error_page("Safety report", &e),
    };
    let mut form = ReportForm {
        severity: Severity::Concern,
        text: String::new(),
        subject: None,
        reporter_name: None,
        photos: Vec::new(),
    };
    let mut about = String::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return error_page(
                    "Safety report",
                    &ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "input.invalid",
                        format!("the form could not be read: {e}"),
                    ),
                )
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(str::to_owned);
        let data = match field.bytes().await {
            Ok(d) => d,
            Err(e) => {
                return error_page(
                    "Safety report",
                    &ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "input.invalid",
                        format!("the form could not be read: {e}"),
                    ),
                )
            }
        };
        let text = || String::from_utf8_lossy(&data).trim().to_owned();
        match name.as_str() {
            "severity" => {
                form.severity = match text().as_str() {
                    "information" => Severity::Information,
                    "critical" => Severity::Critical,
                    _ => Severity::Concern,
                }
            }
            "text" => form.text = text(),
            "subject" => form.subject = Some(text()).filter(|s| !s.is_empty()),
            "about" => about = text(),
            "reporter_name" => form.reporter_name = Some(text()).filter(|s| !s.is_empty()),
            "photo" if !data.is_empty() => form.photos.push((content_type.unwrap_or_default(), data.to_vec())),
            _ => {}
        }
    }
    if !about.is_empty() {
        form.text = format!("About: {about}\n\n{}", form.text);
    }
    match file(&app, production.clone(), form, &client).await {
        Ok((id, key)) => {
            let body = format!(
                r#"<h1>Report #{id} received</h1>
<p>Thank you. Your follow-up key is:</p>
<p><strong><code id="key">{key}</code></strong></p>
<p>Write it down or take a photo of it: it is the only way to read the answer and add to your report, and nobody can give it to you again.</p>
<p><a href="/p/{p}/followup">Follow up your report</a></p>"#,
                key = esc(&key),
                p = esc(production.as_str())
            );
            crate::html::page("Report received", maud::PreEscaped(body.to_string())).into_response()
        }
        Err(e) => error_page("Safety report", &e),
    }
}

async fn followup_form(Path(p): Path<String>) -> Html<String> {
    let body = format!(
        r#"<h1>Follow up a safety report</h1>
<form method="post" action="/p/{p}/followup">
<p><label for="key">Your follow-up key</label><br><input id="key" name="key" required autocomplete="off" size="46"></p>
<p><button type="submit">Show my report</button></p>
</form>"#,
        p = esc(&p)
    );
    crate::html::page("Follow up a report", maud::PreEscaped(body.to_string()))
}

#[derive(Debug, Deserialize)]
struct FollowUpForm {
    key: String,
    #[serde(default)]
    text: Option<String>,
}

async fn followup_submit(
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
    let mut b = format!(
        "<h1>Your report #{}</h1><p>{}</p><p class=\"muted\">Filed {} · to be acknowledged by {}</p>",
        r.id,
        esc(&r.text),
        r.filed_at,
        r.ack_due(ack)
    );
    let status = match (&r.closed, &r.acknowledged) {
        (Some((action, at)), _) => {
            format!("<p class=\"ok\"><strong>Closed</strong> on {at}. Corrective action: {}</p>", esc(action))
        }
        (None, Some((_, at))) => format!("<p>Acknowledged on {at}; being handled.</p>"),
        (None, None) if !r.escalations.is_empty() => {
            "<p class=\"warn\">Not acknowledged in time: escalated.</p>".into()
        }
        (None, None) => "<p>Waiting for acknowledgement.</p>".into(),
    };
    b.push_str(&status);
    b.push_str("<h2>Messages</h2><ul>");
    for e in &r.thread {
        let from = if e.from == "reporter" { "You" } else { "Production safety" };
        let _ = write!(b, "<li><strong>{from}</strong> ({}): {}</li>", e.at, esc(&e.text));
    }
    b.push_str("</ul>");
    let _ = write!(
        b,
        r#"<form method="post"><input type="hidden" name="key" value="{key}">
<p><label for="text">Add to your report</label><br><textarea id="text" name="text" rows="4" cols="40" maxlength="10000"></textarea></p>
<p><button type="submit">Add</button></p></form>"#,
        key = esc(f.key.trim())
    );
    crate::html::page("Your report", maud::PreEscaped(b.to_string())).into_response()
}

/// A QR code that opens the report page, for the call sheet and the set.
async fn report_qr(
    Path(p): Path<String>,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
) -> Response {
    crate::html::qr_code(&headers, options, &format!("/p/{p}/report"), 200)
}
