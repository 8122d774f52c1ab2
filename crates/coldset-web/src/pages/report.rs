//! The public safety-report page: anyone on set can file a report without an account
//! (anonymous or named), with photos, and follow it up with the key it returns (followup.rs).
//! The link and a QR code go on the call sheet and on the set (R-COMP-1, R-ROLE-5).

use crate::error::ApiError;
use crate::html::page;
use crate::reports::{file, ReportForm};
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use coldset_app::App;
use coldset_domain::reports::Severity;
use maud::html;

pub(super) fn error_page(title: &str, e: &ApiError) -> Response {
    let body = html! {
        h1 { (title) }
        p role="alert" class="warn" { (e.message) }
        p { "Nothing was recorded. Go back with your browser's back button, correct it and send it again." }
    };
    (e.status, page(title, body)).into_response()
}

pub(super) async fn report_form(State(app): State<App>, Path(p): Path<String>) -> Response {
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
    let scenes = state.scenes.values().filter(|s| s.day == today || s.day == tomorrow);
    let body = html! {
        h1 { "Report a safety concern" }
        p {
            (info.name) ". Anyone on set can report, " strong { "anonymously" } " if you prefer: nothing about you is \
             recorded (no account, no address, no device). You get a key to read the answer and add to your report."
        }
        p { "Compliance contact: " (info.compliance_contact) }
        form method="post" enctype="multipart/form-data" {
            fieldset {
                legend { "How serious is it?" }
                label { input type="radio" name="severity" value="information"; " Information" } br;
                label { input type="radio" name="severity" value="concern" checked; " Concern" } br;
                label { input type="radio" name="severity" value="critical"; " Critical: stop firearm work now" }
            }
            p { label for="text" { "What did you see?" } br; textarea id="text" name="text" rows="6" cols="40" required maxlength="10000" {} }
            p {
                label for="subject" { "Which scene?" } br;
                select id="subject" name="subject" {
                    option value="" { "(no scene in particular)" }
                    @for s in scenes {
                        option value=(s.id) {
                            "Scene " (s.number) ": " (s.description.chars().take(60).collect::<String>())
                            " (" (if s.day == today { "today" } else { "tomorrow" }) ")"
                        }
                    }
                }
            }
            p {
                label for="about" { "What firearm or place? (in your own words, optional)" } br;
                input id="about" name="about" maxlength="200";
            }
            p {
                label for="reporter_name" { "Your name (leave empty to stay anonymous)" } br;
                input id="reporter_name" name="reporter_name" maxlength="200";
            }
            p {
                label for="photo" { "Photos (optional, up to 5)" } br;
                input id="photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp" multiple;
            }
            p { button type="submit" { "Send the report" } }
        }
        p { a href={ "/p/" (info.id) "/followup" } { "Follow up a report you sent" } }
    };
    page("Safety report", body).into_response()
}

pub(super) async fn report_submit(
    State(app): State<App>,
    Path(p): Path<String>,
    client: crate::abuse::Client,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: axum::http::HeaderMap,
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
            let body = html! {
                h1 { "Report #" (id) " received" }
                p { "Thank you. Keep this link: it is the only way to read the answer and add to your report, \
                     and nobody can give it to you again (it does not say who you are)." }
                p { a.tap id="followup-link" href={ "/p/" (production) "/followup?key=" (key) } { "Open my report" } }
                p { button type="button" data-copy="#followup-url" hidden { "Copy the link" } }
                p { code id="followup-url" { (crate::html::base_url(&headers, options)) "/p/" (production) "/followup?key=" (key) } }
                p { "Or keep the key itself: " strong { code id="key" { (key) } } }
                p { button type="button" data-copy="#key" hidden { "Copy the key" } }
                p.muted { "Bookmark the link, or take a photo of this screen." }
                script src=(crate::assets::Asset::Copy.url()) {}
            };
            page("Report received", body).into_response()
        }
        Err(e) => error_page("Safety report", &e),
    }
}

/// A QR code that opens the report page, for the call sheet and the set.
pub(super) async fn report_qr(
    Path(p): Path<String>,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
) -> Response {
    crate::html::qr_code(&headers, options, &format!("/p/{p}/report"), 200)
}
