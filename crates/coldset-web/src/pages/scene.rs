//! One scene, for the armorer and the 1st AD: its plan, approvals, safety meeting and each
//! firearm's gate, with the scene's steps in the order of the protocol (approve, hold and
//! sign off the meeting, mark ready, call, wrap). Every form posts to the shared form
//! endpoint (forms.rs).

use crate::error::ApiError;
use crate::extract::PageReader;
use crate::forms::{csrf, refusal_page, Forms};
use crate::html::{person_name, production_page};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use coldset_app::App;
use coldset_domain::gate::{describe_load, evaluate_hand_off, plan_approved, policy};
use coldset_domain::ids::{PersonId, SceneId};
use coldset_domain::safety::{PlannedLoad, Scene, SceneStatus};
use coldset_domain::{Context, ProductionState};
use maud::{html, Markup};
use std::collections::BTreeSet;

fn planned(load: &PlannedLoad) -> String {
    match load {
        PlannedLoad::Empty => "empty".into(),
        PlannedLoad::Dummies => "dummies".into(),
        PlannedLoad::Blanks { load } => format!("{load}-load blanks"),
    }
}

/// One line per firearm of the plan: who receives it, the planned load, and whether the
/// gate would let it go now (or the rules that still stand in the way).
pub(super) fn readiness(state: &ProductionState, ctx: &Context, p: &str, sc: &Scene) -> Markup {
    html! {
        ul {
            @for item in &sc.plan.items {
                @let holder = state.firearms.get(&item.firearm).and_then(|f| f.holder.person()).and_then(|h| state.people.get(h));
                @let load = state.firearms.get(&item.firearm).map(|f| describe_load(&f.load)).unwrap_or_default();
                li {
                    a href={ "/p/" (p) "/firearms/" (item.firearm) } { (item.firearm) }
                    " for " (person_name(state, &item.performer)) ", planned " (planned(&item.load)) " (now " (load) "): "
                    @match evaluate_hand_off(state, ctx, &item.firearm, &item.performer, Some(&sc.id)) {
                        // Already handed over: the gate's question is answered.
                        _ if holder.is_some_and(|h| !h.is_armorer_side()) => {
                            strong { "with " (holder.map(|h| h.name.as_str()).unwrap_or_default()) }
                        }
                        Ok(d) if d.allowed => span.ok { "ready to hand over" },
                        Ok(d) => {
                            @let rules: BTreeSet<String> = d.violations.iter().map(|v| v.rule.to_string()).collect();
                            span.warn { (rules.len()) " rule" @if rules.len() != 1 { "s" } " open" }
                            ": " (rules.into_iter().collect::<Vec<_>>().join(", "))
                        }
                        Err(e) => (e.to_string()),
                    }
                }
            }
        }
    }
}

pub(super) fn scene_summary(state: &ProductionState, sc: &Scene) -> String {
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

pub(super) async fn scene_page(
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
    let forms = Forms { p: &p, csrf: &csrf, back: &back };
    let ctx = Context::new(app.now(), app.today(&state));
    production_page(&p, &format!("Scene {}", sc.number), view(&state, &ctx, &p, sc, forms)).into_response()
}

fn view(state: &ProductionState, ctx: &Context, p: &str, sc: &Scene, forms: Forms<'_>) -> Markup {
    let step = |action: &str, label: &str, fields: Markup| {
        forms.form(action, html! { input type="hidden" name="scene" value=(sc.id); (fields) }, label)
    };
    let people =
        |set: &mut dyn Iterator<Item = &PersonId>| set.map(|x| person_name(state, x)).collect::<Vec<_>>().join(", ");
    let missing = plan_approved(sc, &policy(state));
    html! {
        h1 { "Scene " (sc.number) " " span.muted { "(" (sc.day) ")" } }
        p { (sc.description) }
        p { strong { (scene_summary(state, sc)) } }
        h2 { "Plan, version " (sc.plan_version) }
        p { (sc.plan.risk_assessment) }
        p { "Call list: " (people(&mut sc.plan.call_list.iter())) }
        p { "In the line of fire: " (people(&mut sc.plan.line_of_fire.iter())) }
        (readiness(state, ctx, p, sc))
        (super::kit::kit_section(state, sc, forms))
        // 1. Approvals of the current version.
        h2 { "1. Approvals" }
        ul { @for (role, who) in &sc.approvals { li { (role.replace('_', " ")) ": " (person_name(state, who)) } } }
        @if !missing.is_empty() {
            p { "Still needed: " (missing.join(", ")) "." }
            (step(
                "approve_plan",
                &format!("Approve plan version {}", sc.plan_version),
                html! { input type="hidden" name="version" value=(sc.plan_version); },
            ))
        }
        // 2. The safety meeting for this version (R-MEET-1..3).
        h2 { "2. Safety meeting" }
        @match &sc.meeting {
            Some(m) if m.plan_version == sc.plan_version => {
                p { "Held at " (crate::html::when(state, m.held_at)) " for plan v" (m.plan_version) ". Attended by " (people(&mut m.attendees.iter())) "." }
                ul {
                    li { "Intended action: " (m.agenda.intended_action) }
                    li { "Deviations: " (m.agenda.deviations) }
                    li { "Abort plan: " (m.agenda.abort_plan) }
                    li { "Emergency procedure: " (m.agenda.emergency_procedure) }
                    li { "Chain of command: " (m.agenda.chain_of_command) }
                }
                p {
                    "Signed off by the armorer: " (m.armorer_sign_off.as_ref().map_or("not yet".into(), |x| person_name(state, x)))
                    " · by the 1st AD: " (m.ad_sign_off.as_ref().map_or("not yet".into(), |x| person_name(state, x)))
                }
                @if !m.signed_off() { (step("sign_off_meeting", "Sign off the meeting", html! {})) }
            }
            _ => {
                @if sc.meeting.is_some() {
                    p.warn { "The plan changed after the last meeting: hold a new one (R-MEET-3)." }
                }
                (step("hold_meeting", "Record the meeting", meeting_fields(state, sc)))
            }
        }
        // 3. Ready, called, wrapped.
        h2 { "3. On set" }
        @match sc.status {
            SceneStatus::Planned => {
                p { "Take each firearm out for this scene and inspect it, then mark the scene ready (armorer)." }
                (step("mark_ready", "Mark ready", html! {}))
            }
            SceneStatus::Ready => (step("call_scene", "Call the scene (1st AD)", html! {})),
            SceneStatus::Called => {
                p { "At cut the armorer collects every firearm, then the scene wraps." }
                (step("wrap_scene", "Wrap the scene", html! {}))
            }
            SceneStatus::Wrapped => {
                @let out: Vec<_> = state.firearms.values()
                    .filter(|f| f.checks.scene.as_ref() == Some(&sc.id) && f.holder.person().is_some())
                    .collect();
                @if out.is_empty() {
                    p { "Wrapped: every firearm of the scene is back in storage." }
                    p { a.tap href={ "/p/" (p) "/today" } { "Today's scenes" } }
                } @else {
                    p { "Wrapped. Still to put away (armorer):" }
                    ul { @for f in out { li { a.tap href={ "/p/" (p) "/firearms/" (f.id) } { (f.id) " " (f.make) " " (f.model) } } } }
                }
            }
            SceneStatus::NeedsReplan => {
                p.warn { "Someone declined to handle a firearm: the plan must be revised (R-TRAIN-3), by the armorer or the production." }
                p { a.tap href={ "/p/" (p) "/setup#scenes" } { "Revise the plan" } }
            }
        }
    }
}

/// The meeting's record: every agenda item, and who signed in.
fn meeting_fields(state: &ProductionState, sc: &Scene) -> Markup {
    // Everyone the plan involves may sign in; the armorer and the 1st AD run it.
    let mut invited: BTreeSet<&PersonId> = sc.plan.call_list.iter().chain(sc.plan.line_of_fire.iter()).collect();
    invited.extend(sc.plan.items.iter().map(|i| &i.performer));
    invited.extend(
        state
            .people
            .values()
            .filter(|x| x.is_armorer_side() || x.has_role(coldset_domain::model::Role::FirstAd))
            .map(|x| &x.id),
    );
    html! {
        fieldset {
            legend { "Agenda (R-MEET-2: every item)" }
            @for (field, label) in [
                ("intended_action", "Intended action"),
                ("deviations", "Possible deviations"),
                ("abort_plan", "Abort plan"),
                ("emergency_procedure", "Emergency procedure"),
                ("chain_of_command", "Chain of command"),
            ] {
                p { label { (label) br; textarea name=(field) rows="2" cols="40" {} } }
            }
        }
        fieldset {
            legend { "Signed in (tick each person present)" }
            @for person in invited {
                p { label { input type="checkbox" name="attendee" value=(person); " " (person_name(state, person)) } }
            }
        }
    }
}
