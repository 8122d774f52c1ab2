//! Oversight, for the safety advisor and the producers: what stops firearm work, open safety
//! reports with their acknowledgement deadlines and escalations, incidents with the
//! regulator's deadline, holds, each open scene's plan and meeting, and credentials that
//! expire within 30 days. The safety advisor acknowledges and reviews reports and places or
//! lifts holds from here; the write path decides who may.

use crate::extract::PageReader;
use crate::forms::{csrf, form};
use crate::html::{esc, person_name, production_page};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use coldset_app::App;
use coldset_domain::gate::{plan_approved, policy};
use coldset_domain::reports::{EscalationLevel, Severity};
use coldset_domain::safety::SceneStatus;
use std::fmt::Write;

pub fn routes() -> Router<App> {
    Router::new().route("/p/{production}/oversight", get(oversight))
}

/// How long credentials are flagged before they expire.
const EXPIRY_WARNING_DAYS: i32 = 30;

async fn oversight(
    State(app): State<App>,
    Path(p): Path<String>,
    PageReader(state): PageReader,
    headers: HeaderMap,
) -> Response {
    let back = format!("/p/{p}/oversight");
    let csrf = csrf(&headers);
    let now = app.now();
    let today = app.today(&state);
    let pol = policy(&state);
    let mut b = String::from("<h1>Oversight</h1>");

    b.push_str(&crate::scenes::stops_section(&state));

    b.push_str("<h2>Open safety reports</h2>");
    let open: Vec<_> = state.reporting.reports.values().filter(|r| r.closed.is_none()).collect();
    if open.is_empty() {
        b.push_str("<p>None.</p>");
    }
    for r in open {
        let due = r.ack_due(pol.report_ack_minutes);
        let ack = match &r.acknowledged {
            Some((by, at)) => format!("acknowledged by {} at {}", esc(&person_name(&state, by)), at.to_rfc3339()),
            None if now > due => {
                format!("<strong class=\"warn\">acknowledgement overdue since {}</strong> (R-COMP-1)", due.to_rfc3339())
            }
            None => format!("to acknowledge by {}", due.to_rfc3339()),
        };
        let escalations: Vec<String> = r
            .escalations
            .iter()
            .map(|(level, at)| {
                let to = match level {
                    EscalationLevel::ComplianceContact => "the compliance contact",
                    EscalationLevel::StudioSafetyOffice => "the studio safety office",
                    EscalationLevel::UnionRepresentative => "the union representative",
                };
                format!("to {to} at {}", at.to_rfc3339())
            })
            .collect();
        let _ = write!(
            b,
            "<section class=\"card\"><h3>Report {} · {}</h3><p>{}</p><p>Filed {} · {ack}</p>",
            r.id,
            if r.severity == Severity::Critical { "<span class=\"warn\">critical</span>" } else { "safety concern" },
            esc(&r.text),
            r.filed_at.to_rfc3339(),
        );
        if !escalations.is_empty() {
            let _ = write!(b, "<p class=\"warn\">Escalated: {}</p>", esc(&escalations.join("; ")));
        }
        let hidden = format!("<input type=\"hidden\" name=\"report\" value=\"{}\">", r.id);
        if r.acknowledged.is_none() {
            b.push_str(&form("acknowledge_report", &csrf, &back, &p, &hidden, "Acknowledge"));
        }
        if r.severity == Severity::Critical && r.reviewed.is_none() {
            b.push_str(&form(
                "review_report",
                &csrf,
                &back,
                &p,
                &format!("{hidden}<label>Review note <input name=\"note\" required size=\"30\"></label> "),
                "Record the safety advisor's review",
            ));
        }
        b.push_str("</section>");
    }

    b.push_str("<h2>Incidents</h2>");
    if state.reporting.incidents.is_empty() {
        b.push_str("<p>None.</p>");
    }
    for i in state.reporting.incidents.values() {
        let regulator = match (&i.regulator_notified, i.regulator_due()) {
            (Some((_, reference, at)), _) => {
                format!("regulator notified at {} (ref. {})", at.to_rfc3339(), esc(reference))
            }
            (None, Some(due)) if now > due => {
                format!("<strong class=\"warn\">regulator notice overdue since {}</strong> (R-INC-1)", due.to_rfc3339())
            }
            (None, Some(due)) => format!("regulator to be notified by {}", due.to_rfc3339()),
            (None, None) => "no regulator notice needed".to_owned(),
        };
        let _ = write!(
            b,
            "<div class=\"card\"><p><strong>Incident {}</strong> ({}) at {}: {}</p><p>{regulator} · investigation {} · evidence {}</p></div>",
            i.id,
            esc(&format!("{:?}", i.kind)),
            i.at.to_rfc3339(),
            esc(&i.description),
            if i.closed_at.is_some() { "closed" } else { "<strong class=\"warn\">open</strong>" },
            if i.evidence_released.is_some() { "released" } else { "frozen" },
        );
    }

    b.push_str("<h2>Holds</h2>");
    for h in state.safety.holds.values() {
        let _ = write!(
            b,
            "<div class=\"card\"><p>Hold by {} at {}: {}</p>{}</div>",
            esc(&person_name(&state, &h.placed_by)),
            h.placed_at.to_rfc3339(),
            esc(&h.reason),
            form(
                "lift_hold",
                &csrf,
                &back,
                &p,
                &format!(
                    "<input type=\"hidden\" name=\"hold\" value=\"{}\"><label>Why it can be lifted <input name=\"note\" required size=\"24\"></label> \
                     <label><input type=\"checkbox\" name=\"review\" value=\"yes\"> as the safety advisor's review</label> ",
                    h.id
                ),
                "Lift the hold"
            )
        );
    }
    b.push_str(&form(
        "place_hold",
        &csrf,
        &back,
        &p,
        "<label>Reason <input name=\"reason\" required size=\"30\"></label> ",
        "Stop all firearm work (hold)",
    ));

    b.push_str("<h2>Plans and meetings</h2><ul>");
    // Every scene still to shoot, and today's even once wrapped.
    for sc in state.scenes.values().filter(|s| s.status != SceneStatus::Wrapped || s.day >= today) {
        let missing = plan_approved(sc, &pol);
        let _ = write!(
            b,
            "<li><a href=\"/p/{}/scenes/{}\">Scene {}</a> ({}{}): plan v{} {} · {}</li>",
            esc(&p),
            esc(sc.id.as_str()),
            esc(&sc.number),
            sc.day,
            if sc.status == SceneStatus::Wrapped { ", wrapped" } else { "" },
            sc.plan_version,
            if missing.is_empty() { "approved".to_owned() } else { format!("awaits {}", missing.join(", ")) },
            if sc.meeting_current() { "meeting signed off" } else { "no signed-off meeting for this version" },
        );
    }
    b.push_str("</ul>");

    let horizon = today.saturating_add(jiff::Span::new().days(EXPIRY_WARNING_DAYS));
    let _ = write!(b, "<h2>Credentials expiring within {EXPIRY_WARNING_DAYS} days</h2>");
    let mut expiring = Vec::new();
    for person in state.people.values() {
        for c in &person.credentials {
            if c.expires_on <= horizon {
                expiring.push((c.expires_on, person, c));
            }
        }
    }
    expiring.sort_by_key(|(d, _, _)| *d);
    if expiring.is_empty() {
        b.push_str("<p>None.</p>");
    } else {
        b.push_str("<ul>");
        for (date, person, c) in expiring {
            let _ = write!(
                b,
                "<li{}>{}: {} {} {} on {date}</li>",
                if date < today { " class=\"warn\"" } else { "" },
                esc(&person.name),
                c.kind.as_str().replace('_', " "),
                esc(&c.number),
                if date < today { "expired" } else { "expires" },
            );
        }
        b.push_str("</ul>");
    }
    crate::html::production_page(&p, "Oversight", maud::PreEscaped(b.to_string())).into_response()
}
