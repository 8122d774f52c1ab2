//! The shoot day: day open and day close (R-STORE-4) with the notices of the day, storage,
//! and the open alerts. The armorer counts every firearm (1 if it is in its place, 0 if not)
//! and every container's rounds. The form is not pre-filled: a count copied from the
//! register is no count.

use crate::extract::PageReader;
use crate::forms::{csrf, Forms};
use crate::html::production_page;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use coldset_app::App;
use coldset_domain::model::FirearmStatus;
use coldset_domain::reports::Authority;
use coldset_domain::ProductionState;
use maud::{html, Markup};

pub(super) async fn day_page(
    State(app): State<App>,
    Path(p): Path<String>,
    PageReader(state): PageReader,
    headers: HeaderMap,
) -> Response {
    let csrf = csrf(&headers);
    let back = format!("/p/{p}/day");
    let forms = Forms { p: &p, csrf: &csrf, back: &back };
    let title = if state.safety.day.is_none() { "Open the shoot day" } else { "Close the shoot day" };
    production_page(&p, title, view(&app, &state, title, forms)).into_response()
}

fn view(app: &App, state: &ProductionState, title: &str, forms: Forms<'_>) -> Markup {
    let opening = state.safety.day.is_none();
    let action = if opening { "open_day" } else { "close_day" };
    let today = app.today(state);
    let open: Vec<_> = state.safety.alerts.values().filter(|a| a.resolved.is_none()).collect();
    html! {
        h1 { (title) }
        p.no-print { "Today's firearms log: " (crate::records::links(forms.p, coldset_app::records::RecordKind::DailyLog, &format!("day={today}"))) }
        @if opening {
            // R-NOTIF-1: the authorities are told before firearms are used on a day.
            h2 { "Notices for today (R-NOTIF-1)" }
            ul {
                @for (authority, label) in [(Authority::StudioSafetyOffice, "Studio safety office"), (Authority::LocalPolice, "Local police")] {
                    li {
                        (label) ": "
                        @match state.reporting.notices.iter().find(|(a, d, _)| *a == authority && *d == today) {
                            Some((_, _, reference)) => { "notified, reference " (reference) }
                            None => strong.warn { "not recorded" },
                        }
                    }
                }
            }
            (forms.form(
                "record_notice",
                html! {
                    input type="hidden" name="date" value=(today);
                    label { "Told " select name="authority" {
                        option value="studio_safety_office" { "the studio safety office" }
                        option value="local_police" { "the local police" }
                    } } " "
                    label { "reference " input name="reference" required size="16"; } " "
                },
                "Record the notice",
            ))
        }
        h2 { "Count" }
        p { "Count every item; any difference becomes an alert that must be explained (R-STORE-4)." }
        (forms.open(action, html! {
            fieldset {
                legend { "Firearms (1 = in its place)" }
                @for f in state.firearms.values().filter(|f| !matches!(f.status, FirearmStatus::Disposed { .. })) {
                    p { label { (f.id) " " (f.make) " " (f.model) " " input name={ "count:" (f.id) } inputmode="numeric" required size="3"; } }
                }
            }
            fieldset {
                legend { "Ammunition containers (rounds)" }
                @for c in state.containers.values() {
                    p { label { (c.label) " (" (c.class) ") " input name={ "count:" (c.label) } inputmode="numeric" required size="5"; } }
                }
            }
            @if opening {
                fieldset {
                    legend { "Call sheet" }
                    p { label { input type="checkbox" name="bulletin" value="yes"; " Safety bulletin attached (R-MEET-4)" } }
                    p { label { input type="checkbox" name="contact" value="yes"; " Compliance contact shown (R-ROLE-5)" } }
                    p { label { "Medics on the call sheet (R-MED-1) " input name="medics" size="30"; } }
                }
            }
            p { button type="submit" { (title) } }
        }))
        h2 { "Storage" }
        ul {
            @for l in state.locations.values() {
                @let (status, step, label) = match &l.opened {
                    Some(_) => ("open", "close_storage", "Lock"),
                    None => ("locked", "open_storage", "Open"),
                };
                li {
                    (l.name) " (" (l.kind) ") is " strong { (status) } " "
                    (forms.form(step, html! { input type="hidden" name="location" value=(l.id); }, &format!("{label} {}", l.name)))
                }
            }
        }
        h2 #alerts { "Open alerts" }
        @if open.is_empty() { p { "None." } }
        @for a in open {
            div.card {
                p { strong { (a.rule) } ": " (a.message) }
                (forms.form(
                    "resolve_alert",
                    html! {
                        input type="hidden" name="alert" value=(a.id);
                        label { "Explanation " input name="note" required size="30"; } " "
                    },
                    "Resolve",
                ))
            }
        }
    }
}
