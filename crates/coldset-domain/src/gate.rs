//! The gate: "may this firearm go to this performer for this scene, now?" It answers Allow
//! or Deny with every failing rule, a plain sentence for each and what would make it
//! allowed: never just the first failure. The hand-off command evaluates exactly this
//! inside the writer's transaction and records the rules it checked; the query endpoint
//! evaluates it without changing anything.

pub use crate::checks::{day_open, holds_on, policy};

use crate::checks::{check_holds_on, check_meeting_today, check_not_frozen, check_stops, Context, Decider};
use crate::error::DomainError;
use crate::events::Actor;
use crate::ids::*;
use crate::model::*;
use crate::policy::{Policy, OVERRIDABLE};
use crate::rules::{Checks, RuleId, Violation};
use crate::safety::*;
use crate::state::ProductionState;
use serde::Serialize;

/// The answer of the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateDecision {
    pub allowed: bool,
    pub violations: Vec<Violation>,
    /// Overridden rules: (rule, override id), shown wherever the firearm appears.
    pub overridden: Vec<(RuleId, u64)>,
    pub overrides: Vec<u64>,
    /// Every rule the gate evaluated, for the record.
    pub rules_checked: Vec<RuleId>,
}

/// People who may work as armorers on set (R-STAFF-1's divisor).
pub fn armorers_on_set(state: &ProductionState) -> u32 {
    state.people.values().filter(|p| p.is_armorer_side()).count() as u32
}

/// Firearms out of storage right now.
pub fn firearms_out(state: &ProductionState) -> u32 {
    state
        .firearms
        .values()
        .filter(|f| f.holder.person().is_some() && !matches!(f.status, FirearmStatus::Disposed { .. }))
        .count() as u32
}

/// Distinct people outside the armory holding a firearm that can fire.
pub fn armed_performers(state: &ProductionState) -> u32 {
    let mut holders: Vec<&PersonId> = state
        .firearms
        .values()
        .filter(|f| f.kind.can_fire())
        .filter_map(|f| f.holder.person())
        .filter(|p| state.people.get(*p).is_some_and(|p| !p.is_armorer_side()))
        .collect();
    holders.sort();
    holders.dedup();
    holders.len() as u32
}

/// Query form, for the API: evaluates as if the firearm's current holder handed it over,
/// assuming the receiver will confirm on the device.
pub fn evaluate_hand_off(
    state: &ProductionState,
    ctx: &Context,
    firearm: &FirearmId,
    to: &PersonId,
    scene: Option<&SceneId>,
) -> Result<GateDecision, DomainError> {
    let f = state
        .firearms
        .get(firearm)
        .ok_or_else(|| DomainError::NotFound { what: "firearm", id: firearm.to_string() })?;
    let giver = match &f.holder {
        Holder::Person { person } => person.clone(),
        // In storage: evaluate for the armorer who would take it out.
        Holder::Storage { .. } => state
            .people
            .values()
            .find(|p| p.has_role(Role::Armorer))
            .map(|p| p.id.clone())
            .ok_or_else(|| DomainError::NotFound { what: "armorer", id: String::new() })?,
    };
    let actor = Actor::Person { person: giver.clone() };
    let d = Decider { state, ctx, actor: &actor };
    hand_off(&d, &giver, firearm, to, scene, None)
}

/// The full hand-off gate. `confirmed` is whether the receiver confirmed in person
/// (`None` in query form: not yet known).
pub(crate) fn hand_off(
    d: &Decider<'_>,
    giver_id: &PersonId,
    firearm: &FirearmId,
    to: &PersonId,
    scene_id: Option<&SceneId>,
    confirmed: Option<bool>,
) -> Result<GateDecision, DomainError> {
    let state = d.state;
    let now = d.ctx.now;
    let today = d.ctx.today;
    let policy = policy(state);
    let f = d.firearm_not_disposed(firearm)?;
    let giver = d.person(giver_id)?;
    let receiver = d.person(to)?;
    let mut c = Checks::new();
    let mut checked = vec![RuleId::Role1, RuleId::Hand2, RuleId::Role3, RuleId::Hand5];

    // Within the armory team no scene is needed: it is custody, not use. An assistant
    // armorer hands a firearm back to the armorer this way (a recorded custody step, e.g.
    // after a supervised load); only the armorer hands a firearm to anyone else.
    let armory_transfer = receiver.is_armorer_side() && !receiver.has_role(Role::Performer);

    // Who gives and who receives.
    d.check_holds(&mut c, &f.holder, giver, "firearm", firearm.as_str());
    if armory_transfer {
        c.require(
            giver.is_armorer_side(),
            RuleId::Hand2,
            || format!("{} is not on the armorer's team: only the armory passes a firearm within it", giver.name),
            "give the firearm back to the armorer",
        );
    } else {
        c.require(
            giver.has_role(Role::Armorer),
            RuleId::Hand2,
            || format!("{} is not the armorer: only the armorer hands a firearm over", giver.name),
            "hand the firearm back to the armorer (a recorded hand-off), who hands it over in person",
        );
    }
    c.require(
        receiver.id != giver.id,
        RuleId::Hand2,
        || "the giver and the receiver are the same person".to_owned(),
        "name the performer receiving the firearm",
    );
    if confirmed == Some(false) {
        c.fail(
            RuleId::Hand2,
            format!("{} has not confirmed receiving it in person", receiver.name),
            "the performer confirms on the armorer's device with their own PIN",
        );
    }
    let other_roles = d.other_department_roles_today(giver);
    // R-ROLE-3 is about the armorer: a giver from outside the armory is refused by R-HAND-2.
    c.require(
        other_roles.is_empty() || !giver.is_armorer_side(),
        RuleId::Role3,
        || {
            format!(
                "{} also holds or held {} today: an armorer with firearms out has no other department role",
                giver.name,
                other_roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
            )
        },
        "remove the other role or bring in another armorer",
    );
    d.check_not_withdrawn(&mut c, f);

    check_not_frozen(&mut c, state, Some(firearm), None);
    if f.kind.can_fire() {
        checked.push(RuleId::Role2);
        d.check_licensed(&mut c, receiver, f.kind);
    }
    if armory_transfer {
        return finish(c, checked, Vec::new(), false);
    }

    checked.extend([
        RuleId::Hand6,
        RuleId::Store1,
        RuleId::Store4,
        RuleId::Meet1,
        RuleId::Meet3,
        RuleId::Rec1,
        RuleId::Role4,
        RuleId::Train3,
        RuleId::Hand4,
        RuleId::Check1,
        RuleId::Check2,
        RuleId::Decl1,
        RuleId::Staff1,
    ]);
    c.require(
        receiver.has_role(Role::Performer),
        RuleId::Hand2,
        || format!("{} is not a performer", receiver.name),
        "firearms go from the armorer to the performer who uses them in the scene, and back",
    );
    c.require(
        day_open(state, now),
        RuleId::Store4,
        || "no shoot day is open: the day-open count has not been taken".to_owned(),
        "the armorer opens the day with a count of every firearm and container",
    );
    let scene = scene_id.and_then(|s| state.scenes.get(s));
    let item = scene.and_then(|s| s.plan.item(firearm));
    match scene {
        None => c.fail(
            RuleId::Hand6,
            match scene_id {
                Some(s) => format!("there is no scene {s}"),
                None => "no scene named: production firearms are used only in scenes".to_owned(),
            },
            "hand firearms over only for a called scene whose plan includes them",
        ),
        Some(sc) => {
            c.require(
                sc.status == SceneStatus::Called,
                RuleId::Hand6,
                || format!("scene {} is {:?}, not called", sc.number, sc.status).to_lowercase(),
                "the 1st AD calls the scene once it is ready",
            );
            c.require(
                sc.day == today,
                RuleId::Hand6,
                || format!("scene {} is planned for {}, not today ({today})", sc.number, sc.day),
                "hand firearms over only on the scene's day",
            );
            c.require(
                item.is_some(),
                RuleId::Hand6,
                || format!("{firearm} is not in the plan of scene {}", sc.number),
                "revise the plan to include it (a new meeting follows)",
            );
            c.require(
                f.checks.scene.as_ref() == Some(&sc.id),
                RuleId::Store1,
                || format!("{firearm} was not taken out of storage for scene {}", sc.number),
                "take it out of storage for this scene",
            );
            if let Some(item) = item {
                c.require(
                    &item.performer == to,
                    RuleId::Hand2,
                    || format!("the plan gives {firearm} to someone else, not {}", receiver.name),
                    "hand it only to the performer the plan names, or revise the plan",
                );
                if matches!(item.load, PlannedLoad::Blanks { .. }) {
                    checked.push(RuleId::Ammo6);
                }
                check_load(&mut c, f, item);
            }
            c.require(
                sc.status != SceneStatus::NeedsReplan && !sc.declined_by.contains(to),
                RuleId::Train3,
                || {
                    format!(
                        "{} declined to handle a firearm in scene {}: the scene must be replanned",
                        receiver.name, sc.number
                    )
                },
                "revise the plan so that nobody who declined receives a firearm",
            );
            c.require(
                sc.meeting.as_ref().is_some_and(|m| m.signed_off()),
                RuleId::Meet1,
                || format!("no safety meeting signed off by the armorer and the 1st AD for scene {}", sc.number),
                "hold the safety meeting and have the armorer and the 1st AD sign it off",
            );
            check_meeting_today(&mut c, sc);
            c.require(
                sc.meeting.as_ref().is_none_or(|m| m.plan_version == sc.plan_version),
                RuleId::Meet3,
                || format!("the plan changed (version {}) since the last meeting", sc.plan_version),
                "hold a new safety meeting for the current plan",
            );
            let approved = plan_approved(sc, &policy);
            c.require(
                approved.is_empty(),
                RuleId::Rec1,
                || format!("plan version {} is not approved by {}", sc.plan_version, approved.join(", ")),
                "have the plan approved by everyone the policy names",
            );
        }
    }
    checked.extend([RuleId::Comp2, RuleId::Misf2, RuleId::Inc2]);
    check_stops(&mut c, state, Some(firearm));
    check_holds_on(&mut c, state, scene_id);
    if f.kind.can_fire() {
        checked.extend([RuleId::Train1, RuleId::Train2]);
        c.require(
            receiver.safety_trained(today),
            RuleId::Train1,
            || format!("{} has no in-date firearms safety course", receiver.name),
            "record their safety course before they handle a firearm",
        );
        c.require(
            receiver.competences.contains(&f.model_key()),
            RuleId::Train2,
            || format!("no recorded training and competence for {} with the {} {}", receiver.name, f.make, f.model),
            "the armorer trains them with this weapon and records it",
        );
    }
    // The protocol steps since the firearm left storage.
    c.require(
        !f.checks.needs_reconcile,
        RuleId::Ammo7,
        || format!("the rounds of {firearm}'s last firing sequence are not reconciled"),
        "unload it and count fired casings and returned rounds before it goes out again",
    );
    c.require(
        !f.checks.needs_post_use,
        RuleId::Hand4,
        || format!("{firearm} came back from a firing sequence and has no post-use inspection yet"),
        "the armorer inspects it (post-use), then again before use",
    );
    let fresh = f.checks.pre_use_at.is_some_and(|t| t.minutes_until(now) < policy.time_out_minutes && t <= now);
    c.require(
        fresh,
        RuleId::Hand4,
        || match f.checks.pre_use_at {
            None => format!("{firearm} has no pre-use inspection"),
            Some(t) => format!(
                "the pre-use inspection of {firearm} is older than {} minutes (at {t})",
                policy.time_out_minutes
            ),
        },
        "the armorer inspects the firearm and barrel again",
    );
    c.require(
        f.checks.demonstrated.as_ref().is_some_and(|a| a.load_seq == f.checks.load_seq),
        RuleId::Check1,
        || format!("the 1st AD has not recorded seeing the current state of {firearm}"),
        "the armorer demonstrates the firearm's state to the 1st AD, who records it",
    );
    c.require(
        f.checks.shown.iter().any(|a| a.load_seq == f.checks.load_seq && &a.by == to),
        RuleId::Check2,
        || format!("{} has not acknowledged being shown the current state of {firearm}", receiver.name),
        "the armorer shows the performer the weapon's state; the performer acknowledges",
    );
    if let Some(issued) = &f.checks.issued {
        checked.push(RuleId::Ammo7);
        c.require(
            !state.safety.discrepancies.iter().any(|d| d.class == issued.class),
            RuleId::Ammo7,
            || format!("{} rounds did not reconcile earlier: issue of that class is held", issued.class),
            "the armorer resolves the discrepancy with a recorded explanation",
        );
        if matches!(issued.class, AmmoClass::Blank { .. }) {
            checked.push(RuleId::Med1);
            c.require(
                state.safety.day.as_ref().is_some_and(|d| !d.call_sheet.medics.is_empty()),
                RuleId::Med1,
                || "no medic is on today's call sheet and this firearm holds blanks".to_owned(),
                "put a medic on the call sheet before any blank fire",
            );
        }
    }
    let armorers = armorers_on_set(state);
    let armed = armed_performers(state) + u32::from(!holds_can_fire(state, to));
    c.require(
        !f.kind.can_fire() || armed <= policy.max_armed_performers_per_armorer * armorers,
        RuleId::Staff1,
        || {
            format!(
                "{armed} armed performers for {armorers} armorer(s): at most {} each",
                policy.max_armed_performers_per_armorer
            )
        },
        "bring in another armorer, or collect a firearm first",
    );
    let overrides = scene_id.map(|s| overrides_for(state, firearm, s)).unwrap_or_default();
    // R-REH-2: a real firearm in a rehearsal passes every check a take does; when one fails,
    // the refusal says so by name as well.
    let real_in_rehearsal = f.kind.can_fire() && scene.is_some_and(|sc| sc.plan.kind == SceneKind::Rehearsal);
    if real_in_rehearsal {
        checked.push(RuleId::Reh2);
    }
    finish(c, checked, overrides, real_in_rehearsal)
}

fn holds_can_fire(state: &ProductionState, person: &PersonId) -> bool {
    state.firearms.values().any(|f| f.kind.can_fire() && f.holder.person() == Some(person))
}

/// Overrides recorded for this firearm in this scene: (rule, override id).
pub fn overrides_for(state: &ProductionState, firearm: &FirearmId, scene: &SceneId) -> Vec<(RuleId, u64)> {
    state
        .safety
        .overrides
        .values()
        .filter(|o| &o.firearm == firearm && &o.scene == scene)
        .map(|o| (o.rule, o.id))
        .collect()
}

/// Which approvals the current plan version still lacks.
pub fn plan_approved(scene: &Scene, policy: &Policy) -> Vec<&'static str> {
    let mut missing = Vec::new();
    for (role, name) in [("armorer", "the armorer"), ("first_ad", "the 1st AD")] {
        if !scene.approvals.contains_key(role) {
            missing.push(name);
        }
    }
    if policy.safety_advisor_approves_plans && !scene.approvals.contains_key("safety_advisor") {
        missing.push("the safety advisor");
    }
    missing
}

/// R-DECL-1 / R-AMMO-6: the declared load is what the plan says for this firearm.
fn check_load(c: &mut Checks, f: &Firearm, item: &PlanItem) {
    let ok = match (&item.load, &f.load) {
        (PlannedLoad::Empty, LoadState::Empty) | (PlannedLoad::Dummies, LoadState::Dummies { .. }) => true,
        (PlannedLoad::Blanks { load: planned }, LoadState::Blanks { load, .. }) => {
            if planned != load {
                c.fail(
                    RuleId::Ammo6,
                    format!("{} holds {load}-load blanks; the plan approves {planned}-load", f.id),
                    "unload it and load the blank approved in the plan",
                );
            }
            true
        }
        _ => false,
    };
    if !ok {
        c.fail(
            RuleId::Decl1,
            format!(
                "{} is declared {}, the plan calls for {}",
                f.id,
                describe_load(&f.load),
                describe_planned(&item.load)
            ),
            "the armorer loads and declares exactly what the plan calls for",
        );
    }
}

pub fn describe_load(l: &LoadState) -> String {
    match l {
        LoadState::Empty => "empty".into(),
        LoadState::Dummies { count } => format!("loaded with {count} verified dummies"),
        LoadState::Blanks { count, load } => format!("loaded with {count} {load}-load blanks"),
    }
}

fn describe_planned(l: &PlannedLoad) -> String {
    match l {
        PlannedLoad::Empty => "empty".into(),
        PlannedLoad::Dummies => "dummies".into(),
        PlannedLoad::Blanks { load } => format!("{load}-load blanks"),
    }
}

/// Applies recorded overrides to overridable violations, then decides.
fn finish(
    c: Checks,
    mut checked: Vec<RuleId>,
    overrides: Vec<(RuleId, u64)>,
    real_in_rehearsal: bool,
) -> Result<GateDecision, DomainError> {
    checked.sort();
    checked.dedup();
    let violations = match c.finish() {
        Ok(()) => Vec::new(),
        Err(d) => d.violations,
    };
    let mut kept = Vec::new();
    let mut overridden = Vec::new();
    for v in violations {
        match overrides.iter().find(|(rule, _)| *rule == v.rule && OVERRIDABLE.contains(rule)) {
            Some(o) => {
                if !overridden.contains(o) {
                    overridden.push(*o);
                }
            }
            None => kept.push(v),
        }
    }
    if real_in_rehearsal && !kept.is_empty() {
        kept.push(Violation {
            rule: RuleId::Reh2,
            reason: "a real firearm in a rehearsal passes every check an actual take does, and the checks above fail"
                .to_owned(),
            remedy: std::borrow::Cow::Borrowed("complete every step of a take, or rehearse with a replica"),
        });
    }
    Ok(GateDecision {
        allowed: kept.is_empty(),
        overrides: overridden.iter().map(|(_, id)| *id).collect(),
        overridden,
        violations: kept,
        rules_checked: checked,
    })
}

/// Time-outs in force now (R-HAND-3: a firearm out of storage past the time-out; R-STORE-3:
/// a storage location open past it), as (rule, subject id, message). The clock records them
/// as alerts when they start and when they end (reports.rs `time_out_alerts`).
pub fn time_outs(state: &ProductionState, now: crate::Timestamp) -> Vec<(RuleId, String, String)> {
    let limit = policy(state).time_out_minutes;
    let mut out = Vec::new();
    for f in state.firearms.values() {
        if let (Some(since), Holder::Person { person }) = (f.out_since, &f.holder) {
            let minutes = since.minutes_until(now);
            if minutes >= limit {
                let who = state.people.get(person).map_or(person.to_string(), |p| p.name.clone());
                out.push((
                    RuleId::Hand3,
                    f.id.to_string(),
                    format!(
                        "{} has been out of storage for {minutes} minutes (with {who}): return it or check it",
                        f.id
                    ),
                ));
            }
        }
    }
    for l in state.locations.values() {
        if let Some((_, at)) = &l.opened {
            let minutes = at.minutes_until(now);
            if minutes >= limit {
                out.push((
                    RuleId::Store3,
                    l.id.to_string(),
                    format!("{} has been open for {minutes} minutes: lock it when not in use", l.name),
                ));
            }
        }
    }
    out
}

/// Alerts that follow from the state and the clock rather than from one event: the
/// time-outs (R-HAND-3, R-STORE-3; also recorded by the clock) and regulator deadlines
/// (R-INC-1). Shown on the board with the recorded alerts.
pub fn derived_alerts(state: &ProductionState, now: crate::Timestamp) -> Vec<(RuleId, String)> {
    let mut out: Vec<(RuleId, String)> = Vec::new();
    let time_outs = time_outs(state, now);
    out.extend(time_outs.iter().filter(|(r, _, _)| *r == RuleId::Hand3).map(|(r, _, m)| (*r, m.clone())));
    for i in state.reporting.incidents.values() {
        if let (Some(due), None) = (i.regulator_due(), &i.regulator_notified) {
            out.push((RuleId::Inc1, format!("incident #{}: report it to the regulator by {due} (death: 8 hours; in-patient hospitalisation, amputation, loss of an eye: 24 hours)", i.id)));
        }
    }
    out.extend(time_outs.into_iter().filter(|(r, _, _)| *r == RuleId::Store3).map(|(r, _, m)| (r, m)));
    out
}

/// The one custody step that moves a firearm on from where it is now, in the protocol's
/// order (the conditions are the gate's own, above): what the firearm page leads with.
/// Steps that need someone other than the armorer's team name them (`Collect` needs the
/// holder, `Repair` a qualified person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    /// Disposed of: nothing more happens to it.
    None,
    /// Withdrawn after a fault: repaired by a qualified person, recorded by the armorer.
    Repair,
    /// In storage: taken out for a scene (or for maintenance).
    Take,
    /// Held by someone outside the armory: collected back, the holder confirming.
    Collect { holder: PersonId },
    /// Collected with rounds in it: unload and count (R-AMMO-7).
    Unload,
    /// Back from a firing sequence: the post-use inspection (R-HAND-4).
    InspectPost,
    /// No fresh pre-use inspection (R-HAND-4).
    InspectPre,
    /// Load what the plan calls for (R-DECL-1).
    Load { planned: PlannedLoad },
    /// Declare it empty, as the plan calls for (R-DECL-1).
    DeclareEmpty,
    /// Demonstrate its state to the 1st AD (R-CHECK-1).
    ShowFirstAd,
    /// Show its state to the performer, who acknowledges (R-CHECK-2).
    ShowPerformer { performer: PersonId },
    /// Hand it to the performer the plan names.
    HandOff { performer: PersonId },
    /// Taken out with no scene (maintenance), inspected: back into storage.
    PutAway,
}

/// The next step for `firearm` (see [`NextStep`]), or `None` if there is no such firearm.
pub fn next_step(state: &ProductionState, now: crate::Timestamp, firearm: &FirearmId) -> Option<NextStep> {
    let f = state.firearms.get(firearm)?;
    if matches!(f.status, FirearmStatus::Disposed { .. }) {
        return Some(NextStep::None);
    }
    if matches!(f.status, FirearmStatus::Withdrawn { .. }) {
        return Some(NextStep::Repair);
    }
    let holder = match &f.holder {
        Holder::Storage { .. } => return Some(NextStep::Take),
        Holder::Person { person } => person,
    };
    if !state.people.get(holder).is_some_and(|p| p.is_armorer_side()) {
        return Some(NextStep::Collect { holder: holder.clone() });
    }
    if f.checks.needs_reconcile {
        return Some(NextStep::Unload);
    }
    if f.checks.needs_post_use {
        return Some(NextStep::InspectPost);
    }
    let time_out = policy(state).time_out_minutes;
    let fresh = f.checks.pre_use_at.is_some_and(|t| t.minutes_until(now) < time_out && t <= now);
    let scene = f.checks.scene.as_ref().and_then(|s| state.scenes.get(s));
    if scene.is_some_and(|s| s.status == SceneStatus::Wrapped) {
        return Some(NextStep::PutAway);
    }
    let item = scene.and_then(|s| s.plan.item(firearm));
    let Some(item) = item else {
        // Out for maintenance: inspected, then put away.
        return Some(if fresh { NextStep::PutAway } else { NextStep::InspectPre });
    };
    if !fresh {
        return Some(NextStep::InspectPre);
    }
    let mut load = Checks::new();
    check_load(&mut load, f, item);
    // An empty firearm the plan wants empty is already as declared (the gate asks no more).
    if load.finish().is_err() {
        return Some(match item.load {
            PlannedLoad::Empty => NextStep::DeclareEmpty,
            ref planned => NextStep::Load { planned: planned.clone() },
        });
    }
    if f.checks.demonstrated.as_ref().is_none_or(|a| a.load_seq != f.checks.load_seq) {
        return Some(NextStep::ShowFirstAd);
    }
    let performer = item.performer.clone();
    if !f.checks.shown.iter().any(|a| a.load_seq == f.checks.load_seq && a.by == performer) {
        return Some(NextStep::ShowPerformer { performer });
    }
    Some(NextStep::HandOff { performer })
}
