//! Oversight, for the safety advisor and the producers: what stops firearm work, open safety
//! reports with their acknowledgement deadlines and escalations, incidents with the
//! regulator's deadline, holds, each open scene's plan and meeting, and credentials that
//! expire within 30 days. The safety advisor acknowledges and reviews reports and places or
//! lifts holds from here; the write path decides who may.

use super::stops_section;
use crate::extract::PageReader;
use crate::forms::{csrf, Forms};
use crate::html::{person_name, production_page};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use coldset_app::App;
use coldset_domain::gate::{plan_approved, policy};
use coldset_domain::reporting::NotificationKind;
use coldset_domain::reports::{EscalationLevel, Severity};
use coldset_domain::safety::SceneStatus;
use coldset_domain::ProductionState;
use maud::{html, Markup};

/// The kinds of notification a production sends to recipients of its own, in the order the
/// page shows them.
const NOTIFICATION_KINDS: &[(NotificationKind, &str)] = &[
    (NotificationKind::CriticalReport, "Critical safety reports (firearm work stops)"),
    (NotificationKind::Report, "Other safety reports, and reports not acknowledged in time"),
    (NotificationKind::Incident, "Incidents: misfires, discharges, injuries"),
    (NotificationKind::Hold, "Holds on firearm work"),
    (NotificationKind::OverdueFirearm, "A firearm out past its time-out"),
    (NotificationKind::Alert, "Other alerts"),
];

/// A kind as the forms and the API name it (`critical_report`).
pub(crate) fn kind_name(kind: NotificationKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// How long credentials are flagged before they expire.
const EXPIRY_WARNING_DAYS: i32 = 30;

pub(super) async fn oversight(
    State(app): State<App>,
    Path(p): Path<String>,
    PageReader(state): PageReader,
    headers: HeaderMap,
) -> Response {
    let back = format!("/p/{p}/oversight");
    let csrf = csrf(&headers);
    let forms = Forms { p: &p, csrf: &csrf, back: &back };
    production_page(&p, "Oversight", view(&app, &state, &p, forms)).into_response()
}

/// A report's subject as a link to the firearm, scene or storage place it names, or as text.
fn subject_link(state: &ProductionState, p: &str, subject: &str) -> Markup {
    if let Some(f) = state.firearms.values().find(|f| f.id.as_str() == subject) {
        return html! { a href={ "/p/" (p) "/firearms/" (f.id) } { "firearm " (f.id) " " (f.make) " " (f.model) } };
    }
    if let Some(s) = state.scenes.values().find(|s| s.id.as_str() == subject) {
        return html! { a href={ "/p/" (p) "/scenes/" (s.id) } { "scene " (s.number) ": " (s.description) } };
    }
    if let Some(l) = state.locations.values().find(|l| l.id.as_str() == subject) {
        return html! { "storage " (l.name) };
    }
    html! { (subject) }
}

fn view(app: &App, state: &ProductionState, p: &str, forms: Forms<'_>) -> Markup {
    let now = app.now();
    let today = app.today(state);
    let pol = policy(state);
    let open: Vec<_> = state.reporting.reports.values().filter(|r| r.closed.is_none()).collect();
    let horizon = today.saturating_add(jiff::Span::new().days(EXPIRY_WARNING_DAYS));
    let mut expiring = Vec::new();
    for person in state.people.values() {
        for c in &person.credentials {
            if c.expires_on <= horizon {
                expiring.push((c.expires_on, person, c));
            }
        }
    }
    expiring.sort_by_key(|(d, _, _)| *d);
    html! {
        h1 { "Oversight" }
        p.no-print { "Compliance pack: " (crate::records::links(p, coldset_app::records::RecordKind::CompliancePack, "")) " · incident packs in " a href={ "/p/" (p) "/records" } { "Records" } }
        (stops_section(state))
        h2 { "Open safety reports" }
        @if open.is_empty() { p { "None." } }
        @for r in open {
            @let due = r.ack_due(pol.report_ack_minutes);
            @let hidden = html! { input type="hidden" name="report" value=(r.id); };
            section.card {
                h3 {
                    "Report " (r.id) " · "
                    @if r.severity == Severity::Critical { span.warn { "critical" } } @else { "safety concern" }
                }
                p { (r.text) }
                @if let Some(subject) = &r.subject { p { "About: " (subject_link(state, p, subject)) } }
                @if !r.photos.is_empty() {
                    div.photos {
                        @for (i, hash) in r.photos.iter().enumerate() {
                            a href={ "/api/v1/productions/" (p) "/attachments/" (hash) } {
                                img src={ "/api/v1/productions/" (p) "/attachments/" (hash) }
                                    alt={ "Photo " (i + 1) " of report " (r.id) } loading="lazy";
                            }
                        }
                    }
                }
                @if !r.thread.is_empty() {
                    details {
                        summary { "Messages (" (r.thread.len()) ")" }
                        ul {
                            @for e in &r.thread {
                                li { strong { (if e.from == "reporter" { "Reporter" } else { "Production safety" }) }
                                     " · " (crate::html::when(state, e.at)) ": " (e.text) }
                            }
                        }
                    }
                }
                p {
                    "Filed " (crate::html::when(state, r.filed_at)) " · "
                    @match &r.acknowledged {
                        Some((by, at)) => { "acknowledged by " (person_name(state, by)) " at " (crate::html::when(state, *at)) }
                        None if now > due => {
                            strong.warn { "acknowledgement overdue since " (crate::html::when(state, due)) } " (R-COMP-1)"
                        }
                        None => { "to acknowledge by " (crate::html::when(state, due)) }
                    }
                }
                @if !r.escalations.is_empty() {
                    p.warn {
                        "Escalated: "
                        @for (i, (level, at)) in r.escalations.iter().enumerate() {
                            @if i > 0 { "; " }
                            "to " (match level {
                                EscalationLevel::ComplianceContact => "the compliance contact",
                                EscalationLevel::StudioSafetyOffice => "the studio safety office",
                                EscalationLevel::UnionRepresentative => "the union representative",
                            }) " at " (crate::html::when(state, *at))
                        }
                    }
                }
                @if r.acknowledged.is_none() { (forms.form("acknowledge_report", hidden.clone(), "Acknowledge")) }
                @if r.severity == Severity::Critical && r.reviewed.is_none() {
                    (forms.form(
                        "review_report",
                        html! { (hidden) p { label for={ "note-" (r.id) } { "Review note" } input id={ "note-" (r.id) } name="note" required; } },
                        "Record the safety advisor's review",
                    ))
                }
                // The reporter reads the answer on their follow-up page, by their key.
                (forms.form(
                    "answer_report",
                    html! { (hidden) p { label for={ "answer-" (r.id) } { "Answer to the reporter" }
                        textarea id={ "answer-" (r.id) } name="text" rows="3" required maxlength="10000" {} } },
                    "Send the answer",
                ))
                @if r.acknowledged.is_none() {
                    p.muted { "It closes once acknowledged (R-COMP-1)." }
                } @else if r.severity == Severity::Critical && r.reviewed.is_none() {
                    p.muted { "It closes once the safety advisor has reviewed it (R-COMP-2)." }
                } @else {
                details {
                    summary { "Close the report" }
                    (forms.form(
                        "close_report",
                        html! { (hidden) p { label for={ "close-" (r.id) } { "Outcome and corrective action (the reporter reads it)" }
                            textarea id={ "close-" (r.id) } name="corrective_action" rows="3" required maxlength="10000" {} } },
                        "Close with this outcome",
                    ))
                }
                }
            }
        }
        h2 { "Incidents" }
        @if state.reporting.incidents.is_empty() { p { "None." } }
        @for i in state.reporting.incidents.values() {
            div.card {
                p { strong { "Incident " (i.id) } " (" (format!("{:?}", i.kind)) ") at " (crate::html::when(state, i.at)) ": " (i.description) }
                p {
                    @match (&i.regulator_notified, i.regulator_due()) {
                        (Some((_, reference, at)), _) => { "regulator notified at " (crate::html::when(state, *at)) " (ref. " (reference) ")" }
                        (None, Some(due)) if now > due => {
                            strong.warn { "regulator notice overdue since " (crate::html::when(state, due)) } " (R-INC-1)"
                        }
                        (None, Some(due)) => { "regulator to be notified by " (crate::html::when(state, due)) }
                        (None, None) => "no regulator notice needed",
                    }
                    " · investigation "
                    @if i.closed_at.is_some() { "closed" } @else { strong.warn { "open" } }
                    " · evidence " (if i.evidence_released.is_some() { "released" } else { "frozen" })
                }
            }
        }
        h2 { "Holds" }
        @for h in state.safety.holds.values() {
            div.card {
                p { "Hold by " (person_name(state, &h.placed_by)) " at " (crate::html::when(state, h.placed_at)) ": " (h.reason) }
                (forms.form(
                    "lift_hold",
                    html! {
                        input type="hidden" name="hold" value=(h.id);
                        label { "Why it can be lifted " input name="note" required size="24"; } " "
                        label { input type="checkbox" name="review" value="yes"; " as the safety advisor's review" } " "
                    },
                    "Lift the hold",
                ))
            }
        }
        (forms.form("place_hold", html! { label { "Reason " input name="reason" required size="30"; } " " }, "Stop all firearm work (hold)"))
        h2 { "Plans and meetings" }
        ul {
            // Every scene still to shoot, and today's even once wrapped.
            @for sc in state.scenes.values().filter(|s| s.status != SceneStatus::Wrapped || s.day >= today) {
                @let missing = plan_approved(sc, &pol);
                li {
                    a href={ "/p/" (p) "/scenes/" (sc.id) } { "Scene " (sc.number) }
                    " (" (sc.day) @if sc.status == SceneStatus::Wrapped { ", wrapped" } "): plan v" (sc.plan_version) " "
                    @if missing.is_empty() { "approved" } @else { "awaits " (missing.join(", ")) }
                    " · " (if sc.meeting_current() { "meeting signed off" } else { "no signed-off meeting for this version" })
                }
            }
        }
        h2 #recipients { "Who is told, by e-mail" }
        p.muted {
            "Besides the installation's own recipients. One address a line; an empty box stops them. "
            "The producer, the safety advisor or the production's admin sets them."
        }
        @for (kind, label) in NOTIFICATION_KINDS {
            @let current = state.reporting.recipients.get(kind).map(|a| a.join("\n")).unwrap_or_default();
            @let field = format!("addresses-{}", kind_name(*kind));
            (forms.form(
                "set_recipients",
                html! {
                    input type="hidden" name="kind" value=(kind_name(*kind));
                    label for=(field) { (label) } br;
                    textarea id=(field) name="addresses" rows="2" cols="34" { (current) } " "
                },
                "Save",
            ))
        }
        h2 { "Credentials expiring within " (EXPIRY_WARNING_DAYS) " days" }
        @if expiring.is_empty() {
            p { "None." }
        } @else {
            ul {
                @for (date, person, c) in expiring {
                    li class=[(date < today).then_some("warn")] {
                        (person.name) ": " (c.kind.as_str().replace('_', " ")) " " (c.number) " "
                        (if date < today { "expired" } else { "expires" }) " on " (date)
                    }
                }
            }
        }
    }
}
