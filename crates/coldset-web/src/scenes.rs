//! The armorer's and the 1st AD's scene pages: today (the day, what stops work, and each of
//! today's scenes with its readiness) and one scene (its plan, approvals, safety meeting,
//! and each firearm's gate), with the scene's steps: approve, hold and sign off the meeting,
//! mark ready, call, wrap. Every form posts to the shared form endpoint (forms.rs).

use crate::error::ApiError;
use crate::extract::PageReader;
use crate::forms::{csrf, form, refusal_page};
use crate::html::{esc, person_name, production_page};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use coldset_app::App;
use coldset_domain::gate::{describe_load, evaluate_hand_off, plan_approved, policy};
use coldset_domain::ids::{PersonId, SceneId};
use coldset_domain::safety::{PlannedLoad, Scene, SceneStatus};
use coldset_domain::{Context, ProductionState};
use std::collections::BTreeSet;
use std::fmt::Write;

pub fn routes() -> Router<App> {
    Router::new().route("/p/{production}/today", get(today)).route("/p/{production}/scenes/{id}", get(scene_page))
}

fn planned(load: &PlannedLoad) -> String {
    match load {
        PlannedLoad::Empty => "empty".into(),
        PlannedLoad::Dummies => "dummies".into(),
        PlannedLoad::Blanks { load } => format!("{load}-load blanks"),
    }
}

/// One line per firearm of the plan: who receives it, the planned load, and whether the
/// gate would let it go now (or the rules that still stand in the way).
fn readiness(state: &ProductionState, ctx: &Context, p: &str, sc: &Scene) -> String {
    let mut b = String::from("<ul>");
    for item in &sc.plan.items {
        let holder =
            state.firearms.get(&item.firearm).and_then(|f| f.holder.person()).and_then(|h| state.people.get(h));
        let gate = evaluate_hand_off(state, ctx, &item.firearm, &item.performer, Some(&sc.id));
        let verdict = match gate {
            // Already handed over: the gate's question is answered.
            _ if holder.is_some_and(|h| !h.is_armorer_side()) => {
                format!("<strong>with {}</strong>", esc(&holder.map(|h| h.name.clone()).unwrap_or_default()))
            }
            Ok(d) if d.allowed => "<span class=\"ok\">ready to hand over</span>".to_owned(),
            Ok(d) => {
                let rules: BTreeSet<String> = d.violations.iter().map(|v| v.rule.to_string()).collect();
                format!(
                    "<span class=\"warn\">{} rule{} open</span>: {}",
                    rules.len(),
                    if rules.len() == 1 { "" } else { "s" },
                    rules.into_iter().collect::<Vec<_>>().join(", ")
                )
            }
            Err(e) => esc(&e.to_string()),
        };
        let load = state.firearms.get(&item.firearm).map(|f| describe_load(&f.load)).unwrap_or_default();
        let _ = write!(
            b,
            "<li><a href=\"/p/{p}/firearms/{id}\">{id}</a> for {who}, planned {plan} (now {load}): {verdict}</li>",
            p = esc(p),
            id = esc(item.firearm.as_str()),
            who = esc(&person_name(state, &item.performer)),
            plan = esc(&planned(&item.load)),
            load = esc(&load),
        );
    }
    b.push_str("</ul>");
    b
}

fn scene_summary(state: &ProductionState, sc: &Scene) -> String {
    let missing = plan_approved(sc, &policy(state));
    let approvals = if missing.is_empty() {
        "plan approved".to_owned()
    } else {
        format!("plan v{} awaits {}", sc.plan_version, missing.join(", "))
    };
    let meeting = if sc.meeting_current() {
        "meeting signed off"
    } else if sc.meeting.as_ref().is_some_and(|m| m.plan_version == sc.plan_version) {
        "meeting awaits sign-off"
    } else {
        "no meeting for this plan"
    };
    let status = match sc.status {
        SceneStatus::Planned => "planned",
        SceneStatus::Ready => "ready",
        SceneStatus::Called => "called",
        SceneStatus::Wrapped => "wrapped",
        SceneStatus::NeedsReplan => "needs a new plan",
    };
    format!("{status} · {approvals} · {meeting}")
}

/// What stops firearm work on the whole production now: reports and incidents that stop
/// issue, and holds, each with its rule and what to do; or a line saying nothing does.
pub(crate) fn stops_section(state: &ProductionState) -> String {
    let stops = coldset_domain::reports::stops(state);
    let holds = coldset_domain::gate::holds_on(state, None);
    if stops.is_empty() && holds.is_empty() {
        return "<p class=\"ok\">Nothing stops firearm work.</p>".to_owned();
    }
    let mut b = String::from("<h2>Firearm work is stopped</h2><div role=\"alert\"><ul>");
    for (rule, why, remedy) in &stops {
        let _ = write!(b, "<li><strong>{rule}</strong>: {} <br>What to do: {}</li>", esc(why), esc(remedy));
    }
    for h in holds {
        let _ = write!(
            b,
            "<li><strong>R-ROLE-4</strong>: hold by {}: {} <br>What to do: whoever placed it, or the safety advisor's review, lifts it</li>",
            esc(&person_name(state, &h.placed_by)),
            esc(&h.reason)
        );
    }
    b.push_str("</ul></div>");
    b
}

/// Today: is the day open, what stops firearm work, and each of today's scenes with its
/// readiness, firearm by firearm.
async fn today(State(app): State<App>, Path(p): Path<String>, PageReader(state): PageReader) -> Response {
    let today = app.today(&state);
    let ctx = Context::new(app.now(), today);
    let mut b = format!("<h1>Today, {today}</h1>");
    let _ = write!(
        b,
        "<form method=\"get\" action=\"/p/{0}/scan\"><label>Scan or type a label <input name=\"code\" autocomplete=\"off\" size=\"16\"></label> <button type=\"submit\">Open</button></form>",
        esc(&p)
    );
    if coldset_domain::gate::day_open(&state, ctx.now) {
        let _ = write!(
            b,
            "<p class=\"ok\">The shoot day is open. <a href=\"/p/{}/day\">Close it with the count</a></p>",
            esc(&p)
        );
    } else {
        let _ = write!(
            b,
            "<p class=\"warn\">No shoot day is open (R-STORE-4). <a href=\"/p/{}/day\">Open it with the count</a></p>",
            esc(&p)
        );
    }
    b.push_str(&stops_section(&state));
    b.push_str("<h2>Today's scenes</h2>");
    let mut any = false;
    for sc in state.scenes.values().filter(|s| s.day == today) {
        any = true;
        let _ = write!(
            b,
            "<section class=\"card\"><h3><a href=\"/p/{p}/scenes/{id}\">Scene {number}</a></h3><p>{desc}</p><p>{summary}</p>{ready}</section>",
            p = esc(&p),
            id = esc(sc.id.as_str()),
            number = esc(&sc.number),
            desc = esc(&sc.description),
            summary = esc(&scene_summary(&state, sc)),
            ready = readiness(&state, &ctx, &p, sc),
        );
    }
    if !any {
        b.push_str("<p>No scene with firearms is planned for today.</p>");
    }
    let other: Vec<_> = state.scenes.values().filter(|s| s.day != today && s.status != SceneStatus::Wrapped).collect();
    if !other.is_empty() {
        b.push_str("<h2>Other open scenes</h2><ul>");
        for sc in other {
            let _ = write!(
                b,
                "<li><a href=\"/p/{}/scenes/{}\">Scene {}</a> ({}): {}</li>",
                esc(&p),
                esc(sc.id.as_str()),
                esc(&sc.number),
                sc.day,
                esc(&scene_summary(&state, sc))
            );
        }
        b.push_str("</ul>");
    }
    crate::html::production_page(&p, "Today", maud::PreEscaped(b.to_string())).into_response()
}

/// One scene: the plan, its approvals, the safety meeting and each firearm's readiness, with
/// the scene's steps in the order of the protocol.
async fn scene_page(
    State(app): State<App>,
    Path((p, id)): Path<(String, String)>,
    PageReader(state): PageReader,
    headers: HeaderMap,
) -> Response {
    let back = format!("/p/{p}/scenes/{id}");
    let Some(sc) = SceneId::parse(&id).ok().and_then(|id| state.scenes.get(&id)) else {
        return refusal_page("Scene", &ApiError::not_found(format!("no scene '{id}'")), &format!("/p/{p}/today"));
    };
    let csrf = csrf(&headers);
    let ctx = Context::new(app.now(), app.today(&state));
    let hidden = format!("<input type=\"hidden\" name=\"scene\" value=\"{}\">", esc(sc.id.as_str()));
    let step =
        |action: &str, label: &str, fields: &str| form(action, &csrf, &back, &p, &format!("{hidden}{fields}"), label);
    let people =
        |set: &mut dyn Iterator<Item = &PersonId>| set.map(|x| person_name(&state, x)).collect::<Vec<_>>().join(", ");
    let mut b = format!(
        "<h1>Scene {} <span class=\"muted\">({})</span></h1><p>{}</p><p><strong>{}</strong></p>",
        esc(&sc.number),
        sc.day,
        esc(&sc.description),
        esc(&scene_summary(&state, sc))
    );
    let _ = write!(
        b,
        "<h2>Plan, version {}</h2><p>{}</p><p>Call list: {}</p><p>In the line of fire: {}</p>",
        sc.plan_version,
        esc(&sc.plan.risk_assessment),
        esc(&people(&mut sc.plan.call_list.iter())),
        esc(&people(&mut sc.plan.line_of_fire.iter())),
    );
    b.push_str(&readiness(&state, &ctx, &p, sc));
    // 1. Approvals of the current version.
    b.push_str("<h2>1. Approvals</h2><ul>");
    for (role, who) in &sc.approvals {
        let _ = write!(b, "<li>{}: {}</li>", role.replace('_', " "), esc(&person_name(&state, who)));
    }
    b.push_str("</ul>");
    let missing = plan_approved(sc, &policy(&state));
    if !missing.is_empty() {
        let _ = write!(b, "<p>Still needed: {}.</p>", esc(&missing.join(", ")));
        b.push_str(&step(
            "approve_plan",
            &format!("Approve plan version {}", sc.plan_version),
            &format!("<input type=\"hidden\" name=\"version\" value=\"{}\">", sc.plan_version),
        ));
    }
    // 2. The safety meeting for this version (R-MEET-1..3).
    b.push_str("<h2>2. Safety meeting</h2>");
    match &sc.meeting {
        Some(m) if m.plan_version == sc.plan_version => {
            let _ = write!(
                b,
                "<p>Held at {} for plan v{}. Attended by {}.</p><ul><li>Intended action: {}</li><li>Deviations: {}</li>\
                 <li>Abort plan: {}</li><li>Emergency procedure: {}</li><li>Chain of command: {}</li></ul>\
                 <p>Signed off by the armorer: {} · by the 1st AD: {}</p>",
                m.held_at.to_rfc3339(),
                m.plan_version,
                esc(&people(&mut m.attendees.iter())),
                esc(&m.agenda.intended_action),
                esc(&m.agenda.deviations),
                esc(&m.agenda.abort_plan),
                esc(&m.agenda.emergency_procedure),
                esc(&m.agenda.chain_of_command),
                m.armorer_sign_off.as_ref().map_or("not yet".into(), |x| esc(&person_name(&state, x))),
                m.ad_sign_off.as_ref().map_or("not yet".into(), |x| esc(&person_name(&state, x))),
            );
            if !m.signed_off() {
                b.push_str(&step("sign_off_meeting", "Sign off the meeting", ""));
            }
        }
        _ => {
            if sc.meeting.is_some() {
                b.push_str("<p class=\"warn\">The plan changed after the last meeting: hold a new one (R-MEET-3).</p>");
            }
            // Everyone the plan involves may sign in; the armorer and the 1st AD run it.
            let mut invited: BTreeSet<&PersonId> =
                sc.plan.call_list.iter().chain(sc.plan.line_of_fire.iter()).collect();
            invited.extend(sc.plan.items.iter().map(|i| &i.performer));
            invited.extend(
                state
                    .people
                    .values()
                    .filter(|x| x.is_armorer_side() || x.has_role(coldset_domain::model::Role::FirstAd))
                    .map(|x| &x.id),
            );
            let mut fields = String::from("<fieldset><legend>Agenda (R-MEET-2: every item)</legend>");
            for (field, label) in [
                ("intended_action", "Intended action"),
                ("deviations", "Possible deviations"),
                ("abort_plan", "Abort plan"),
                ("emergency_procedure", "Emergency procedure"),
                ("chain_of_command", "Chain of command"),
            ] {
                let _ = write!(
                    fields,
                    "<p><label>{label}<br><textarea name=\"{field}\" rows=\"2\" cols=\"40\"></textarea></label></p>"
                );
            }
            fields.push_str("</fieldset><fieldset><legend>Signed in (tick each person present)</legend>");
            for person in invited {
                let _ = write!(
                    fields,
                    "<p><label><input type=\"checkbox\" name=\"attendee\" value=\"{}\"> {}</label></p>",
                    esc(person.as_str()),
                    esc(&person_name(&state, person))
                );
            }
            fields.push_str("</fieldset>");
            b.push_str(&step("hold_meeting", "Record the meeting", &fields));
        }
    }
    // 3. Ready, called, wrapped.
    b.push_str("<h2>3. On set</h2>");
    match sc.status {
        SceneStatus::Planned => {
            b.push_str(
                "<p>Take each firearm out for this scene and inspect it, then mark the scene ready (armorer).</p>",
            );
            b.push_str(&step("mark_ready", "Mark ready", ""));
        }
        SceneStatus::Ready => b.push_str(&step("call_scene", "Call the scene (1st AD)", "")),
        SceneStatus::Called => {
            b.push_str("<p>At cut the armorer collects every firearm, then the scene wraps.</p>");
            b.push_str(&step("wrap_scene", "Wrap the scene", ""));
        }
        SceneStatus::Wrapped => b.push_str("<p>Wrapped.</p>"),
        SceneStatus::NeedsReplan => b.push_str(
            "<p class=\"warn\">Someone declined to handle a firearm: the plan must be revised (R-TRAIN-3).</p>",
        ),
    }
    crate::html::production_page(&p, &format!("Scene {}", sc.number), maud::PreEscaped(b.to_string())).into_response()
}
