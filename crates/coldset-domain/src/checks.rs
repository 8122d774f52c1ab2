//! What the areas of the decider share: the `Decider` (the state, the instant and the actor),
//! its lookups, and the checks more than one area makes (custody, storage access, licences,
//! usable stock, holds, production stops, frozen evidence). Every area module and the gate
//! call this module; it calls none of them, so the rules have no import cycles.

use crate::error::{deny, not_found, DomainError};
use crate::events::Actor;
use crate::ids::*;
use crate::model::*;
use crate::policy::{policy_for, Policy};
use crate::reporting::{Incident, Severity};
use crate::rules::{Checks, RuleId};
use crate::safety::*;
use crate::state::ProductionState;
use crate::text::fields as F;
use crate::time::{Date, Timestamp};
use std::collections::BTreeSet;

/// What the decider knows about "now".
#[derive(Debug, Clone)]
pub struct Context {
    pub now: Timestamp,
    /// The shoot day's date in the production's time zone.
    pub today: Date,
    /// People other than the actor who confirmed this request in person on the same device
    /// (authenticated by the application, e.g. a performer's PIN at a hand-off).
    pub attested: Vec<PersonId>,
}

impl Context {
    pub fn new(now: Timestamp, today: Date) -> Self {
        Context { now, today, attested: Vec::new() }
    }
}

pub(crate) fn party(p: &Party) -> Result<Party, DomainError> {
    Ok(Party {
        name: F::PARTY_NAME.required(&p.name)?,
        licence: F::PARTY_LICENCE.or_empty(&p.licence)?,
        document: F::PARTY_DOCUMENT.required(&p.document)?,
    })
}

/// A blank's load size is a short single line (it names the class on labels and refusals).
pub(crate) fn checked_class(class: &AmmoClass) -> Result<AmmoClass, DomainError> {
    Ok(match class {
        AmmoClass::Blank { load } => AmmoClass::Blank { load: F::BLANK_LOAD.required(load)? },
        other => other.clone(),
    })
}

fn scene_not_found(id: &SceneId) -> DomainError {
    DomainError::NotFound { what: "scene", id: id.to_string() }
}

/// One decision in progress: the state it reads, "now", and who is asking. Each area adds its
/// commands' decisions to it (`impl Decider` in people.rs, storage.rs, ...).
pub(crate) struct Decider<'a> {
    pub(crate) state: &'a ProductionState,
    pub(crate) ctx: &'a Context,
    pub(crate) actor: &'a Actor,
}

impl<'a> Decider<'a> {
    // ---- lookups ------------------------------------------------------------------------

    pub(crate) fn acting_person(&self) -> Result<&'a Person, DomainError> {
        let id = self
            .actor
            .person()
            .ok_or_else(|| DomainError::Forbidden("this step must be done by a person of the production".into()))?;
        self.person(id)
    }

    pub(crate) fn person(&self, id: &PersonId) -> Result<&'a Person, DomainError> {
        self.state.people.get(id).ok_or_else(|| not_found("person", id.as_str()))
    }

    pub(crate) fn location(&self, id: &LocationId) -> Result<&'a StorageLocation, DomainError> {
        self.state.locations.get(id).ok_or_else(|| not_found("storage location", id.as_str()))
    }

    pub(crate) fn container(&self, id: &ContainerId) -> Result<&'a Container, DomainError> {
        self.state.containers.get(id).ok_or_else(|| {
            deny(
                RuleId::Store5,
                format!("no container {id} was ever taken in"),
                "an unknown container must go through intake before anyone uses it",
            )
        })
    }

    pub(crate) fn firearm(&self, id: &FirearmId) -> Result<&'a Firearm, DomainError> {
        self.state.firearms.get(id).ok_or_else(|| {
            deny(
                RuleId::Store5,
                format!("no firearm {id} was ever taken in"),
                "an unknown firearm must go through intake before anyone uses it",
            )
        })
    }

    pub(crate) fn firearm_not_disposed(&self, id: &FirearmId) -> Result<&'a Firearm, DomainError> {
        let f = self.firearm(id)?;
        if let FirearmStatus::Disposed { disposition, .. } = &f.status {
            return Err(deny(
                RuleId::Rec3,
                format!("{id} has left the production ({})", disposition.as_str()),
                "a disposed firearm must be taken in again before use",
            ));
        }
        Ok(f)
    }

    pub(crate) fn firearm_in_service(&self, id: &FirearmId) -> Result<&'a Firearm, DomainError> {
        let f = self.firearm_not_disposed(id)?;
        Ok(f)
    }

    pub(crate) fn holder_name(&self, holder: &Holder) -> String {
        match holder {
            Holder::Person { person } => self.state.people.get(person).map_or(person.to_string(), |p| p.name.clone()),
            Holder::Storage { location } => self
                .state
                .locations
                .get(location)
                .map_or(location.to_string(), |l| format!("the {} ({})", l.kind, l.name)),
        }
    }

    pub(crate) fn scene(&self, id: &SceneId) -> Result<&'a Scene, DomainError> {
        self.state.scenes.get(id).ok_or_else(|| scene_not_found(id))
    }

    /// R-ROLE-3: department roles outside the armory the person holds now or held today.
    pub(crate) fn other_department_roles_today(&self, by: &Person) -> Vec<Role> {
        self.roles_today(&by.id)
            .into_iter()
            .filter(|r| !matches!(r, Role::Armorer | Role::AssistantArmorer | Role::Admin | Role::Auditor))
            .collect()
    }

    /// Every role a person holds now or held at any time since the shoot day was opened.
    pub(crate) fn roles_today(&self, person: &PersonId) -> BTreeSet<Role> {
        let mut roles = self.state.people.get(person).map(|p| p.roles.clone()).unwrap_or_default();
        if let Some(held) = self.state.safety.day.as_ref().and_then(|d| d.roles_held.get(person)) {
            roles.extend(held.iter().copied());
        }
        roles
    }

    /// R-ROLE-6 for the actions reserved to the independent safety advisor (lifting another's
    /// hold, reviewing a critical report, signing an investigation, releasing evidence,
    /// approving a plan as advisor): the person is judged over all their roles and the day's
    /// history, not over the role they act in, so production pressure cannot clear a stop.
    pub(crate) fn check_independent_advisor(&self, c: &mut Checks, by: &Person) {
        let mut roles = self.roles_today(&by.id);
        // A former producer is never independent of production, whatever the day.
        if by.former_roles.contains(&Role::Producer) {
            roles.insert(Role::Producer);
        }
        let others: Vec<&str> = roles
            .into_iter()
            .filter(|r| !matches!(r, Role::SafetyAdvisor | Role::Auditor | Role::Admin))
            .map(|r| r.as_str())
            .collect();
        c.require(
            by.has_role(Role::SafetyAdvisor) && others.is_empty(),
            RuleId::Role6,
            || {
                if by.has_role(Role::SafetyAdvisor) {
                    format!(
                        "{} is or was also {} today: only an independent safety advisor does this",
                        by.name,
                        others.join(", ")
                    )
                } else {
                    format!("{} is not the safety advisor", by.name)
                }
            },
            "the independent safety advisor, who holds no other role that day, does this",
        );
    }

    // ---- shared checks -------------------------------------------------------------------

    /// R-ROLE-1: only the current custodian can pass an item on.
    pub(crate) fn check_holds(&self, c: &mut Checks, holder: &Holder, by: &Person, what: &str, id: &str) {
        c.require(
            holder.person() == Some(&by.id),
            RuleId::Role1,
            || format!("{} does not hold {what} {id}: it is with {}", by.name, self.holder_name(holder)),
            "only the current custodian can move it; custody changes by a recorded transfer",
        );
    }

    /// R-STORE-3: only authorised people open a location or work in it.
    pub(crate) fn check_authorised(&self, c: &mut Checks, loc: &StorageLocation, by: &Person) {
        c.require(
            loc.authorised.contains(&by.id),
            RuleId::Store3,
            || format!("{} is not authorised for {}", by.name, loc.name),
            "ask a person authorised for this storage location",
        );
    }

    pub(crate) fn check_open(&self, c: &mut Checks, loc: &StorageLocation) {
        c.require(
            loc.opened.is_some(),
            RuleId::Store3,
            || format!("{} is locked; its opening must be recorded first", loc.name),
            "record the opening of the storage location, then try again",
        );
    }

    /// R-ROLE-2: licence, permit or certification in date today, covering this kind.
    pub(crate) fn check_licensed(&self, c: &mut Checks, who: &Person, kind: FirearmKind) {
        c.require(
            who.licensed_for(kind, self.ctx.today),
            RuleId::Role2,
            || {
                format!(
                    "{} has no in-date licence, permit or certification covering {} firearms on {}",
                    who.name,
                    kind.as_str(),
                    self.ctx.today
                )
            },
            "record a valid credential that covers this kind of firearm",
        );
    }

    pub(crate) fn check_not_withdrawn(&self, c: &mut Checks, f: &Firearm) {
        if let FirearmStatus::Withdrawn { reason } = &f.status {
            c.fail(
                RuleId::Hand5,
                format!("{} is withdrawn as faulty: {reason}", f.id),
                "record its repair by a qualified person first",
            );
        }
    }

    /// R-AMMO-2 / R-AMMO-4: quarantined or rejected stock does not leave storage or move.
    pub(crate) fn check_usable_stock(&self, c: &mut Checks, ct: &Container) {
        for lot_id in ct.contents.keys() {
            match self.state.lots.get(lot_id).map(|l| &l.state) {
                Some(LotState::Verified { .. }) => {}
                Some(LotState::Quarantined { reason }) => {
                    let rule = if reason.contains("R-AMMO-4") { RuleId::Ammo4 } else { RuleId::Ammo2 };
                    c.fail(
                        rule,
                        format!("{} holds rounds of lot {lot_id}, which is in quarantine", ct.label),
                        "verify the lot round by round first",
                    );
                }
                Some(LotState::Rejected { .. }) => c.fail(
                    RuleId::Ammo2,
                    format!("{} holds rounds of lot {lot_id}, which was rejected", ct.label),
                    "rejected stock leaves the production; it is never issued",
                ),
                None => c.fail(
                    RuleId::Ammo4,
                    format!("{} holds rounds of unknown lot {lot_id}", ct.label),
                    "record the lot's provenance",
                ),
            }
        }
    }

    /// R-AMMO-1: live rounds never leave the range location they were received into.
    pub(crate) fn check_not_live(&self, c: &mut Checks, ct: &Container) {
        c.require(
            ct.class != AmmoClass::Live,
            RuleId::Ammo1,
            || format!("{} holds live rounds: they never leave the range location", ct.label),
            "live rounds stay in the range under the approved exception; they never go to a set location",
        );
    }
}

// ---- the state's stops, holds and evidence (also read by the pages) -----------------------

/// The policy in force for a production.
pub fn policy(state: &ProductionState) -> Policy {
    policy_for(state.info.as_ref().map(|i| i.packs.as_slice()).unwrap_or(&[]))
}

/// Active holds that cover a scene (or all firearm work).
pub fn holds_on<'s>(state: &'s ProductionState, scene: Option<&SceneId>) -> Vec<&'s Hold> {
    state
        .safety
        .holds
        .values()
        .filter(|h| match &h.scope {
            HoldScope::AllFirearmWork => true,
            HoldScope::Scene { scene: s } => Some(s) == scene,
        })
        .collect()
}

/// Whether a shoot day is open now. A night shoot crosses midnight and is still one day, so
/// the day is the one the armorer opened, as long as it was opened within the last 24 hours.
pub fn day_open(state: &ProductionState, now: crate::Timestamp) -> bool {
    state.safety.day.as_ref().is_some_and(|d| d.opened_at <= now && d.opened_at.minutes_until(now) < 24 * 60)
}

/// R-ROLE-4: every hold in force on the scene (or on all firearm work) refuses the step.
pub(crate) fn check_holds_on(c: &mut Checks, state: &ProductionState, scene: Option<&SceneId>) {
    for h in holds_on(state, scene) {
        c.fail(
            RuleId::Role4,
            format!("a hold is in force: {}", h.reason),
            "only the person who placed the hold, or the safety advisor's recorded review, can lift it",
        );
    }
}

/// R-MEET-1 per shoot day: a meeting exists but was not held on this scene's shoot day.
pub(crate) fn check_meeting_today(c: &mut Checks, sc: &Scene) {
    if sc.meeting.is_some() && !sc.meeting_held_on_its_day() {
        c.fail(
            RuleId::Meet1,
            format!("the safety meeting for scene {} was not held on its shoot day ({})", sc.number, sc.day),
            "hold the safety meeting again on the scene's day, after the day-open count, and sign it off",
        );
    }
}

/// Everything that stops firearm issue on the production right now, with the rule and why.
pub fn stops(state: &ProductionState) -> Vec<(RuleId, String, &'static str)> {
    let mut out = Vec::new();
    for r in state.reporting.reports.values() {
        if r.severity == Severity::Critical && r.reviewed.is_none() {
            out.push((
                RuleId::Comp2,
                format!("critical safety report #{} stops firearm work until the safety advisor reviews it", r.id),
                "the safety advisor reviews the report and records the review",
            ));
        }
    }
    for i in state.reporting.incidents.values().filter(|i| i.kind.stops_work()) {
        match i.closed_at {
            None => out.push((
                RuleId::Misf2,
                format!("incident #{} ({:?}) is under investigation: all firearm issue is stopped", i.id, i.kind)
                    .to_lowercase(),
                "the armorer and the safety advisor close the investigation with cause and corrective action",
            )),
            Some(closed) if !meeting_since(state, i, closed) => out.push((
                RuleId::Misf2,
                format!(
                    "incident #{} is closed but no new safety meeting, signed off and attended by everyone in the line of fire, has been held since for the scene(s) concerned",
                    i.id
                ),
                "hold a new safety meeting for the scene, with its performers and everyone in the line of fire signed in, and have the armorer and the 1st AD sign it off",
            )),
            Some(_) => {}
        }
    }
    out
}

/// R-MISF-2 is lifted only by a new safety meeting for the scene(s) concerned: held after the
/// investigation closed, signed off by the armorer and the 1st AD, covering the current plan,
/// with every performer and everyone in the line of fire signed in. The scenes concerned are
/// the incident's scene, else every scene not yet wrapped whose plan has the firearm; with
/// neither, a meeting of any scene not wrapped that meets the same conditions.
fn meeting_since(state: &ProductionState, i: &Incident, closed: Timestamp) -> bool {
    let lifts = |sc: &crate::safety::Scene| {
        sc.meeting.as_ref().is_some_and(|m| {
            m.signed_off()
                && m.held_at >= closed
                && m.plan_version == sc.plan_version
                && sc.people_concerned().iter().all(|p| m.attendees.contains(p))
        })
    };
    let open = |sc: &&crate::safety::Scene| sc.status != crate::safety::SceneStatus::Wrapped;
    let concerned: Vec<&crate::safety::Scene> = match &i.scene {
        Some(s) => state.scenes.get(s).into_iter().collect(),
        None => state
            .scenes
            .values()
            .filter(open)
            .filter(|sc| i.firearm.as_ref().is_some_and(|f| sc.plan.item(f).is_some()))
            .collect(),
    };
    if concerned.is_empty() {
        state.scenes.values().filter(open).any(lifts)
    } else {
        concerned.into_iter().all(lifts)
    }
}

/// The incident that holds a firearm as evidence, if any (R-INC-2).
pub fn frozen_firearm(state: &ProductionState, firearm: &FirearmId) -> Option<u64> {
    state
        .reporting
        .incidents
        .values()
        .find(|i| {
            i.evidence_released.is_none()
                && (i.frozen_firearms.contains(firearm) || i.firearm.as_ref() == Some(firearm))
        })
        .map(|i| i.id)
}

pub fn frozen_container(state: &ProductionState, container: &ContainerId) -> Option<u64> {
    state
        .reporting
        .incidents
        .values()
        .find(|i| i.evidence_released.is_none() && i.frozen_containers.contains(container))
        .map(|i| i.id)
}

/// Firearms locked by an open misfire or discharge investigation (R-MISF-2).
pub fn locked_firearm(state: &ProductionState, firearm: &FirearmId) -> Option<u64> {
    state
        .reporting
        .incidents
        .values()
        .find(|i| i.kind.stops_work() && i.closed_at.is_none() && i.firearm.as_ref() == Some(firearm))
        .map(|i| i.id)
}

/// Adds every production stop, evidence freeze and lock to a check.
pub(crate) fn check_stops(c: &mut Checks, state: &ProductionState, firearm: Option<&FirearmId>) {
    for (rule, reason, remedy) in stops(state) {
        c.fail(rule, reason, remedy);
    }
    if let Some(f) = firearm {
        if let Some(i) = locked_firearm(state, f) {
            c.fail(RuleId::Misf2, format!("{f} is locked by incident #{i}"), "close the investigation first");
        }
    }
}

/// R-INC-2: refuses moving a frozen firearm or container.
pub(crate) fn check_not_frozen(
    c: &mut Checks,
    state: &ProductionState,
    firearm: Option<&FirearmId>,
    container: Option<&ContainerId>,
) {
    if let Some(i) = firearm.and_then(|f| frozen_firearm(state, f)) {
        c.fail(
            RuleId::Inc2,
            format!("{} is held as evidence for incident #{i}", firearm.map_or("", |f| f.as_str())),
            "nothing involved moves until the safety advisor records the evidence release",
        );
    }
    if let Some(i) = container.and_then(|ct| frozen_container(state, ct)) {
        c.fail(
            RuleId::Inc2,
            format!("this container is held as evidence for incident #{i}"),
            "nothing involved moves until the safety advisor records the evidence release",
        );
    }
}
