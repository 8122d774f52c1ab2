//! The safety protocol's commands: scene plans and their approval, meetings, the shoot day
//! and its counts, inspections, loading and reconciliation, demonstrations, holds and
//! overrides, and the people rules that apply when roles are given. Each refusal names the
//! rules that forbid it (see docs/rules.md).

use crate::commands::Command;
use crate::decide::{deny, invalid, Decider, DomainError};
use crate::events::Event;
use crate::gate::{self, policy};
use crate::ids::*;
use crate::model::*;
use crate::rules::{Checks, RuleId};
use crate::safety::*;
use crate::text::{fields as F, limits};
use crate::time::Date;
use std::collections::{BTreeMap, BTreeSet};

fn scene_not_found(id: &SceneId) -> DomainError {
    DomainError::NotFound { what: "scene", id: id.to_string() }
}

impl<'a> Decider<'a> {
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

    /// R-ROLE-3 (a gate when roles are given) and R-ROLE-6 (an alert, or a gate where the
    /// policy makes it one). Both are judged over the roles given now and, for someone
    /// already on the production, every role they held since the shoot day was opened.
    /// Returns the alerts to record.
    pub(crate) fn check_role_combination(
        &self,
        person: Option<&PersonId>,
        name: &str,
        roles: &BTreeSet<Role>,
    ) -> Result<Vec<Event>, DomainError> {
        let mut today = roles.clone();
        if let Some(held) = person.and_then(|p| self.state.safety.day.as_ref()?.roles_held.get(p)) {
            today.extend(held.iter().copied());
        }
        let others: Vec<&str> = today
            .iter()
            .filter(|r| !matches!(r, Role::Armorer | Role::AssistantArmorer | Role::Admin | Role::Auditor))
            .map(|r| r.as_str())
            .collect();
        let mut c = Checks::new();
        if today.contains(&Role::Armorer) || today.contains(&Role::AssistantArmorer) {
            c.require(
                others.is_empty(),
                RuleId::Role3,
                || {
                    format!(
                        "{name} would be armorer and {} the same day: an armorer has no other department role",
                        others.join(", ")
                    )
                },
                "hire a separate person for the other role, or give it another day",
            );
        }
        let mut alerts = Vec::new();
        if roles.contains(&Role::SafetyAdvisor) {
            // A producer is never the safety advisor, under any policy; nor is anyone who held
            // a production role earlier the same shoot day (a switch of roles within a day).
            let ever_producer = roles.contains(&Role::Producer)
                || person
                    .and_then(|p| self.state.people.get(p))
                    .is_some_and(|p| p.former_roles.contains(&Role::Producer));
            c.require(
                !ever_producer,
                RuleId::Role6,
                || format!("{name} is or was the producer: the safety advisor is independent of production"),
                "name a safety advisor who never was a producer on this production",
            );
            let switched: Vec<&str> = today
                .iter()
                .filter(|r| !roles.contains(r))
                .filter(|r| {
                    matches!(
                        r,
                        Role::Producer | Role::FirstAd | Role::Armorer | Role::AssistantArmorer | Role::PropertyMaster
                    )
                })
                .map(|r| r.as_str())
                .collect();
            c.require(
                switched.is_empty(),
                RuleId::Role6,
                || {
                    format!(
                        "{name} was {} earlier this shoot day: not the safety advisor the same day",
                        switched.join(", ")
                    )
                },
                "name an independent safety advisor for today",
            );
            let extra: Vec<&str> = roles
                .iter()
                .filter(|r| !matches!(r, Role::SafetyAdvisor | Role::Auditor | Role::Producer))
                .map(|r| r.as_str())
                .collect();
            if !extra.is_empty() {
                let reason = format!(
                    "{name} would be safety advisor and {}: the safety advisor holds no other role",
                    extra.join(", ")
                );
                if policy(self.state).is_hard_gate(RuleId::Role6) {
                    c.fail(RuleId::Role6, reason, "name an independent safety advisor");
                } else {
                    alerts.push(Event::AlertRaised { rule: RuleId::Role6, message: reason });
                }
            }
        }
        c.finish()?;
        Ok(alerts)
    }

    pub(crate) fn take_firearm(&self, firearm: &FirearmId, scene: Option<&SceneId>) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let f = self.firearm_not_disposed(firearm)?;
        let mut c = Checks::new();
        // Not in storage is one failing rule among others: every rule is still checked.
        let location = match &f.holder {
            Holder::Storage { location } => Some(location),
            Holder::Person { .. } => {
                c.fail(
                    RuleId::Role1,
                    format!("{firearm} is not in storage: it is with {}", self.holder_name(&f.holder)),
                    "collect it from the person who holds it",
                );
                None
            }
        };
        c.require(
            by.is_armorer_side(),
            RuleId::Role1,
            || {
                format!(
                    "{} is not the armorer or an assistant armorer: custody from storage goes to the armory only",
                    by.name
                )
            },
            "ask the armorer to take the firearm out of storage",
        );
        if let Some(loc) = location {
            let loc = self.location(loc)?;
            self.check_authorised(&mut c, loc, by);
            self.check_open(&mut c, loc);
        }
        if f.kind.can_fire() {
            self.check_licensed(&mut c, by, f.kind);
        }
        if let Some(scene_id) = scene {
            let policy = policy(self.state);
            crate::reports::check_stops(&mut c, self.state, Some(firearm));
            self.check_not_withdrawn(&mut c, f);
            let others = self.other_department_roles_today(by);
            // R-ROLE-3 is about the armorer: anyone else is refused by R-ROLE-1 above.
            c.require(
                others.is_empty() || !by.is_armorer_side(),
                RuleId::Role3,
                || format!("{} also holds or held another department role today", by.name),
                "an armorer with firearms out of storage does nothing else that day",
            );
            c.require(
                gate::day_open(self.state, self.ctx.now),
                RuleId::Store4,
                || "no shoot day is open: the day-open count has not been taken".to_owned(),
                "the armorer opens the day with a count of every firearm and container",
            );
            let sc = self.scene(scene_id)?;
            c.require(
                sc.plan.item(firearm).is_some(),
                RuleId::Hand6,
                || format!("{firearm} is not in the plan of scene {}", sc.number),
                "take out only the firearms the scene's plan names",
            );
            c.require(
                sc.day == self.ctx.today && sc.status != SceneStatus::Wrapped,
                RuleId::Hand6,
                || format!("scene {} is not being shot today", sc.number),
                "take firearms out only for today's scenes",
            );
            gate::check_holds_on(&mut c, self.state, Some(scene_id));
            let armorers = gate::armorers_on_set(self.state);
            let out = gate::firearms_out(self.state) + 1;
            let overridden =
                gate::overrides_for(self.state, firearm, scene_id).iter().any(|(r, _)| *r == RuleId::Staff1);
            c.require(
                overridden || out <= policy.max_firearms_out_per_armorer * armorers,
                RuleId::Staff1,
                || {
                    format!(
                        "{out} firearms out of storage for {armorers} armorer(s): at most {} each",
                        policy.max_firearms_out_per_armorer
                    )
                },
                "bring in another armorer, or return a firearm first",
            );
        }
        c.finish()?;
        let location = location.ok_or_else(|| DomainError::Conflict("the firearm left storage".into()))?;
        Ok(vec![Event::FirearmTakenOut {
            firearm: firearm.clone(),
            location: location.clone(),
            by: by.id.clone(),
            scene: scene.cloned(),
        }])
    }

    pub(crate) fn plan_scene(
        &self,
        number: &str,
        description: &str,
        day: Date,
        plan: &ScenePlan,
    ) -> Result<Vec<Event>, DomainError> {
        if day < self.ctx.today {
            return Err(invalid("day", format!("{day} is in the past")));
        }
        let (plan, alerts) = self.check_plan(plan, day)?;
        let mut events = vec![Event::ScenePlanned {
            scene: SceneId::numbered(self.state.scenes.len() as u64 + 1),
            number: F::SCENE_NUMBER.required(number)?,
            description: F::SCENE_DESCRIPTION.required(description)?,
            day,
            plan,
        }];
        events.extend(alerts);
        Ok(events)
    }

    /// Checks a scene plan against R-REC-1, R-REH-1, R-AIM-1, R-CAM-1, R-DIST-1, R-DIST-2,
    /// R-HAND-2 and R-TRAIN-1. Returns the cleaned plan and any alerts to record.
    /// Credentials and training are judged on the scene's shoot day, not on the day of
    /// planning (#15): a course or licence that ends before the scene is found now.
    fn check_plan(&self, plan: &ScenePlan, day: Date) -> Result<(ScenePlan, Vec<Event>), DomainError> {
        let policy = policy(self.state);
        let mut c = Checks::new();
        c.require(
            !plan.risk_assessment.trim().is_empty(),
            RuleId::Rec1,
            || "the plan has no written risk assessment and safe working procedure".to_owned(),
            "write the risk assessment into the plan",
        );
        if plan.items.is_empty() {
            return Err(invalid("plan.items", "a firearm scene plan names at least one firearm"));
        }
        let mut seen = BTreeSet::new();
        for item in &plan.items {
            if !seen.insert(&item.firearm) {
                return Err(invalid("plan.items", format!("{} appears twice", item.firearm)));
            }
            let f = self.firearm_not_disposed(&item.firearm)?;
            let performer = self.person(&item.performer)?;
            self.check_not_withdrawn(&mut c, f);
            c.require(
                performer.has_role(Role::Performer),
                RuleId::Hand2,
                || format!("{} is not a performer", performer.name),
                "plan firearms only for performers",
            );
            let blanks = matches!(item.load, PlannedLoad::Blanks { .. });
            if !f.kind.can_fire() && item.load != PlannedLoad::Empty {
                return Err(invalid("plan.items.load", format!("{} cannot be loaded: it is a {}", f.id, f.kind)));
            }
            if plan.kind == SceneKind::Rehearsal && f.kind.can_fire() {
                c.require(
                    item.real_firearm_reason.as_deref().is_some_and(|r| !r.trim().is_empty()),
                    RuleId::Reh1,
                    || format!("a real firearm ({}) in a rehearsal without a recorded reason", f.id),
                    "use a replica for the rehearsal, or record why a real firearm is needed",
                );
            }
            if item.toward_person || item.toward_camera {
                c.require(
                    item.armorer_consulted && !item.mitigations.is_empty(),
                    RuleId::Aim1,
                    || format!("{} points toward a person or the camera with no recorded consultation and mitigation", f.id),
                    "consult the armorer and record the mitigation (cheated angle, shield, distance, remote camera, replica)",
                );
            }
            if item.toward_camera && blanks {
                c.require(
                    item.camera_protection.is_some(),
                    RuleId::Cam1,
                    || {
                        format!(
                            "{} fires toward camera and the plan records neither a shield nor a remote camera",
                            f.id
                        )
                    },
                    "put the camera crew behind a shield or make the camera remote, and record which",
                );
            }
            if blanks {
                let close = item.closest_person_cm.is_none_or(|cm| cm < policy.blank_min_distance_cm);
                c.require(
                    !close || item.close_range_load_approved,
                    RuleId::Dist1,
                    || match item.closest_person_cm {
                        None => format!("{} fires blanks and the plan records no distance to the nearest person", f.id),
                        Some(cm) => format!(
                            "someone is {cm} cm from {}'s muzzle line; the minimum with blanks is {} cm",
                            f.id, policy.blank_min_distance_cm
                        ),
                    },
                    "move people back, or approve a special close-range load in the plan",
                );
            }
        }
        if plan.uses_blanks() {
            for person in &plan.line_of_fire {
                let p = self.person(person)?;
                let protected = plan.protection.iter().any(|pr| &pr.person == person && pr.eye && pr.hearing);
                c.require(
                    protected,
                    RuleId::Dist2,
                    || format!("{} is near blank fire with no recorded eye and hearing protection", p.name),
                    "record shields, eye and hearing protection for everyone near blank fire",
                );
            }
        }
        let mut alerts = self.credential_alerts(plan, day)?;
        for person in plan.call_list.iter().chain(plan.line_of_fire.iter()) {
            let p = self.person(person)?;
            if !p.safety_trained(day) {
                let reason = format!(
                    "{} is on the call list of a firearm scene on {day} without a firearms safety course in date that day",
                    p.name
                );
                if policy.is_hard_gate(RuleId::Train1) {
                    c.fail(RuleId::Train1, reason, "record their safety course, or take them off the call list");
                } else {
                    alerts.push(Event::AlertRaised { rule: RuleId::Train1, message: reason });
                }
            }
        }
        c.finish()?;
        let mut clean = plan.clone();
        clean.risk_assessment = F::RISK_ASSESSMENT.required(&plan.risk_assessment)?;
        for item in &mut clean.items {
            item.real_firearm_reason =
                F::REAL_FIREARM_REASON.optional(item.real_firearm_reason.as_deref().unwrap_or(""))?;
            if let PlannedLoad::Blanks { load } = &mut item.load {
                *load = F::BLANK_LOAD.required(load)?;
            }
        }
        Ok((clean, alerts))
    }

    /// R-ROLE-2 judged on the scene's day, at planning and again when that day opens: each
    /// performer the plan gives a firearm that can fire holds a licence, permit or
    /// certification covering it and in date that day. An alert (the hand-off gate still
    /// refuses): a credential may yet be renewed before the day.
    fn credential_alerts(&self, plan: &ScenePlan, day: Date) -> Result<Vec<Event>, DomainError> {
        let mut alerts = Vec::new();
        for item in &plan.items {
            let f = self.firearm(&item.firearm)?;
            let p = self.person(&item.performer)?;
            if f.kind.can_fire() && !p.licensed_for(f.kind, day) {
                alerts.push(Event::AlertRaised {
                    rule: RuleId::Role2,
                    message: format!(
                        "{} has no licence, permit or certification covering {} firearms in date on {day}, the day of the scene that gives them {}",
                        p.name,
                        f.kind.as_str(),
                        f.id
                    ),
                });
            }
        }
        Ok(alerts)
    }

    /// When a shoot day opens: the credentials and training of every scene of that day,
    /// judged again on the day (R-ROLE-2, R-TRAIN-1), as alerts.
    fn day_credential_alerts(&self) -> Result<Vec<Event>, DomainError> {
        let today = self.ctx.today;
        let mut alerts = Vec::new();
        for sc in self.state.scenes.values().filter(|s| s.day == today && s.status != SceneStatus::Wrapped) {
            alerts.extend(self.credential_alerts(&sc.plan, today)?);
            for person in sc.plan.call_list.iter().chain(sc.plan.line_of_fire.iter()) {
                let p = self.person(person)?;
                if !p.safety_trained(today) {
                    alerts.push(Event::AlertRaised {
                        rule: RuleId::Train1,
                        message: format!(
                            "{} is on the call list of scene {} today without an in-date firearms safety course",
                            p.name, sc.number
                        ),
                    });
                }
            }
        }
        Ok(alerts)
    }

    fn scene_role(&self, by: &Person, allowed: &[Role]) -> Option<Role> {
        allowed.iter().copied().find(|r| by.has_role(*r))
    }

    pub(crate) fn protocol(&self, command: &Command) -> Result<Vec<Event>, DomainError> {
        match command {
            Command::RevisePlan { scene, plan, reason } => {
                let sc = self.scene(scene)?;
                if sc.status == SceneStatus::Wrapped {
                    return Err(invalid("scene", format!("scene {} is wrapped", sc.number)));
                }
                let (plan, alerts) = self.check_plan(plan, sc.day)?;
                let mut events = vec![Event::ScenePlanRevised {
                    scene: scene.clone(),
                    version: sc.plan_version + 1,
                    plan,
                    reason: F::REVISION_REASON.required(reason)?,
                }];
                events.extend(alerts);
                Ok(events)
            }
            Command::ApprovePlan { scene, version } => {
                let by = self.acting_person()?;
                let sc = self.scene(scene)?;
                if *version != sc.plan_version {
                    return Err(DomainError::Conflict(format!(
                        "you are approving plan version {version}; the current version is {}: read it first",
                        sc.plan_version
                    )));
                }
                let Some(role) = self.scene_role(by, &[Role::Armorer, Role::FirstAd, Role::SafetyAdvisor]) else {
                    return Err(deny(RuleId::Rec1, format!("{} cannot approve scene plans", by.name),
                        "plans are approved by the armorer and the 1st AD (and the safety advisor where the policy says so)"));
                };
                if role == Role::SafetyAdvisor {
                    let mut c = Checks::new();
                    self.check_independent_advisor(&mut c, by);
                    c.finish()?;
                }
                // One person approving under two roles is no independent check.
                if sc.approvals.values().any(|p| p == &by.id) {
                    return Err(deny(
                        RuleId::Role6,
                        format!("{} already approved this plan under another role", by.name),
                        "each approval comes from a different person",
                    ));
                }
                Ok(vec![Event::ScenePlanApproved { scene: scene.clone(), version: *version, by: by.id.clone(), role }])
            }
            Command::HoldMeeting { scene, agenda, attendees } => {
                let by = self.acting_person()?;
                let sc = self.scene(scene)?;
                let mut c = Checks::new();
                c.require(
                    by.has_role(Role::Armorer) || by.has_role(Role::FirstAd),
                    RuleId::Meet2,
                    || format!("{} cannot run the safety meeting", by.name),
                    "the armorer or the 1st AD runs it",
                );
                for (name, value) in [
                    ("intended action", &agenda.intended_action),
                    ("possible deviations", &agenda.deviations),
                    ("abort plan", &agenda.abort_plan),
                    ("emergency procedure", &agenda.emergency_procedure),
                    ("chain of command", &agenda.chain_of_command),
                ] {
                    c.require(!value.trim().is_empty(), RuleId::Meet2, || format!("the meeting did not cover the {name}"),
                        "cover every agenda item: intended action, deviations, abort plan, emergency procedure, chain of command");
                }
                for person in attendees {
                    self.person(person)?;
                }
                for item in &sc.plan.items {
                    c.require(
                        attendees.contains(&item.performer),
                        RuleId::Meet2,
                        || {
                            format!(
                                "{} receives {} and did not sign in",
                                self.state.people.get(&item.performer).map_or("the performer", |p| p.name.as_str()),
                                item.firearm
                            )
                        },
                        "everyone handling a firearm attends and signs in",
                    );
                }
                c.finish()?;
                let agenda = Agenda {
                    intended_action: F::AGENDA_ITEM.required(&agenda.intended_action)?,
                    deviations: F::AGENDA_ITEM.required(&agenda.deviations)?,
                    abort_plan: F::AGENDA_ITEM.required(&agenda.abort_plan)?,
                    emergency_procedure: F::AGENDA_ITEM.required(&agenda.emergency_procedure)?,
                    chain_of_command: F::AGENDA_ITEM.required(&agenda.chain_of_command)?,
                };
                Ok(vec![Event::MeetingHeld {
                    scene: scene.clone(),
                    plan_version: sc.plan_version,
                    agenda,
                    attendees: attendees.clone(),
                }])
            }
            Command::SignOffMeeting { scene } => {
                let by = self.acting_person()?;
                let sc = self.scene(scene)?;
                let mut c = Checks::new();
                c.require(
                    sc.meeting.is_some(),
                    RuleId::Meet1,
                    || format!("no meeting was held for scene {}", sc.number),
                    "hold the safety meeting first",
                );
                c.require(
                    sc.meeting.as_ref().is_none_or(|m| m.plan_version == sc.plan_version),
                    RuleId::Meet3,
                    || "the plan changed after this meeting".to_owned(),
                    "hold a new meeting for the current plan",
                );
                let role = self.scene_role(by, &[Role::Armorer, Role::FirstAd]);
                c.require(
                    role.is_some(),
                    RuleId::Meet2,
                    || format!("{} does not sign off safety meetings", by.name),
                    "the armorer and the 1st AD sign off",
                );
                c.finish()?;
                let m = sc.meeting.as_ref().ok_or_else(|| invalid("scene", "no meeting"))?;
                let role = role.ok_or_else(|| invalid("role", "no signing role"))?;
                Ok(vec![Event::MeetingSignedOff {
                    scene: scene.clone(),
                    plan_version: m.plan_version,
                    by: by.id.clone(),
                    role,
                }])
            }
            Command::MarkSceneReady { scene } => {
                let by = self.acting_person()?;
                let sc = self.scene(scene)?;
                if sc.status == SceneStatus::Wrapped {
                    return Err(invalid("scene", format!("scene {} is wrapped: plan a new scene", sc.number)));
                }
                let policy = policy(self.state);
                let mut c = Checks::new();
                c.require(
                    by.has_role(Role::Armorer),
                    RuleId::Staff2,
                    || format!("{} is not the armorer", by.name),
                    "the armorer marks a scene ready when the inspections are done",
                );
                let missing = gate::plan_approved(sc, &policy);
                c.require(
                    missing.is_empty(),
                    RuleId::Rec1,
                    || format!("the plan is not approved by {}", missing.join(", ")),
                    "have the plan approved first",
                );
                c.require(
                    sc.meeting_current(),
                    RuleId::Meet1,
                    || "no signed-off safety meeting for the current plan".to_owned(),
                    "hold the meeting; the armorer and the 1st AD sign it off",
                );
                gate::check_meeting_today(&mut c, sc);
                c.require(
                    sc.status != SceneStatus::NeedsReplan,
                    RuleId::Train3,
                    || "someone declined to handle a firearm: replan first".to_owned(),
                    "revise the plan",
                );
                for item in &sc.plan.items {
                    let f = self.firearm(&item.firearm)?;
                    self.check_not_withdrawn(&mut c, f);
                    let inspected = f.checks.scene.as_ref() == Some(scene)
                        && f.checks.pre_use_at.is_some_and(|t| t.minutes_until(self.ctx.now) < policy.time_out_minutes);
                    c.require(
                        inspected,
                        RuleId::Staff2,
                        || {
                            format!(
                                "{} is not out of storage for this scene with a fresh pre-use inspection",
                                item.firearm
                            )
                        },
                        "take each firearm out for the scene and record its pre-use inspection",
                    );
                }
                c.finish()?;
                Ok(vec![Event::SceneMarkedReady { scene: scene.clone(), by: by.id.clone() }])
            }
            Command::CallScene { scene } => {
                let by = self.acting_person()?;
                let sc = self.scene(scene)?;
                let mut c = Checks::new();
                c.require(
                    by.has_role(Role::FirstAd),
                    RuleId::Hand6,
                    || format!("{} is not the 1st AD", by.name),
                    "the 1st AD calls the scene",
                );
                c.require(
                    sc.status == SceneStatus::Ready,
                    RuleId::Staff2,
                    || format!("scene {} is not marked ready by the armorer", sc.number),
                    "the armorer completes the inspections and marks it ready",
                );
                c.require(
                    sc.meeting_current(),
                    RuleId::Meet3,
                    || "the meeting does not cover the current plan".to_owned(),
                    "hold a new meeting",
                );
                gate::check_meeting_today(&mut c, sc);
                c.require(
                    sc.day == self.ctx.today,
                    RuleId::Hand6,
                    || format!("scene {} is planned for {}", sc.number, sc.day),
                    "call scenes on their day",
                );
                c.require(
                    gate::day_open(self.state, self.ctx.now),
                    RuleId::Store4,
                    || "no shoot day is open".to_owned(),
                    "the armorer opens the day with its count",
                );
                gate::check_holds_on(&mut c, self.state, Some(scene));
                c.finish()?;
                Ok(vec![Event::SceneCalled { scene: scene.clone(), by: by.id.clone() }])
            }
            Command::WrapScene { scene } => {
                let by = self.acting_person()?;
                let sc = self.scene(scene)?;
                let mut c = Checks::new();
                c.require(
                    by.has_role(Role::FirstAd) || by.has_role(Role::Armorer),
                    RuleId::Hand3,
                    || format!("{} cannot wrap the scene", by.name),
                    "the 1st AD or the armorer wraps it",
                );
                for item in &sc.plan.items {
                    let f = self.firearm(&item.firearm)?;
                    let out = f.holder.person().and_then(|p| self.state.people.get(p)).filter(|p| !p.is_armorer_side());
                    if let Some(p) = out {
                        c.fail(
                            RuleId::Hand3,
                            format!("{} still holds {}", p.name, f.id),
                            "the armorer collects every firearm at cut",
                        );
                    }
                }
                c.finish()?;
                Ok(vec![Event::SceneWrapped { scene: scene.clone(), by: by.id.clone() }])
            }
            Command::DeclineFirearm { scene, reason } => {
                let by = self.acting_person()?;
                self.scene(scene)?;
                Ok(vec![Event::FirearmDeclined {
                    scene: scene.clone(),
                    person: by.id.clone(),
                    reason: F::DECLINE_REASON.or_empty(reason)?,
                }])
            }
            Command::RequireSecondFactor { roles } => Ok(vec![Event::SecondFactorRequired { roles: roles.clone() }]),
            Command::ChangePolicy { packs } => {
                let packs = crate::policy::parse_packs(packs).map_err(|m| invalid("packs", m))?;
                Ok(vec![Event::PolicyChanged { packs }])
            }
            Command::OpenDay { call_sheet, counts } => {
                let by = self.acting_person()?;
                let mut c = Checks::new();
                c.require(
                    by.has_role(Role::Armorer),
                    RuleId::Store4,
                    || format!("{} is not the armorer", by.name),
                    "the armorer opens the day with the count",
                );
                self.check_counted_items(&mut c, counts);
                c.finish()?;
                if let Some(day) = &self.state.safety.day {
                    return Err(invalid("day", format!("the shoot day of {} is still open: close it first", day.date)));
                }
                let mut call_sheet = call_sheet.clone();
                call_sheet.medics = call_sheet
                    .medics
                    .iter()
                    .map(|m| F::MEDIC.optional(m))
                    .filter_map(Result::transpose)
                    .collect::<Result<_, _>>()?;
                let mut events = vec![Event::DayOpened {
                    date: self.ctx.today,
                    by: by.id.clone(),
                    call_sheet: call_sheet.clone(),
                    counts: self.count_lines(counts)?,
                }];
                if !self.state.reporting.notified(crate::reports::Authority::StudioSafetyOffice, self.ctx.today) {
                    events.push(Event::AlertRaised {
                        rule: RuleId::Notif1,
                        message: format!("no notice to the studio safety office is recorded for {}", self.ctx.today),
                    });
                }
                if !call_sheet.safety_bulletin_attached || !call_sheet.compliance_contact_shown {
                    events.push(Event::AlertRaised {
                        rule: RuleId::Meet4,
                        message: "today's call sheet lacks the safety bulletin or the compliance contact".into(),
                    });
                }
                events.extend(self.variance_alerts(counts)?);
                events.extend(self.day_credential_alerts()?);
                Ok(events)
            }
            Command::CloseDay { counts } => {
                let by = self.acting_person()?;
                let mut c = Checks::new();
                c.require(
                    by.has_role(Role::Armorer),
                    RuleId::Store4,
                    || format!("{} is not the armorer", by.name),
                    "the armorer closes the day with the count",
                );
                self.check_counted_items(&mut c, counts);
                c.finish()?;
                let Some(day) = &self.state.safety.day else {
                    return Err(invalid("day", "no shoot day is open"));
                };
                let mut events =
                    vec![Event::DayClosed { date: day.date, by: by.id.clone(), counts: self.count_lines(counts)? }];
                events.extend(self.variance_alerts(counts)?);
                for f in self.state.firearms.values() {
                    if f.holder.person().is_some() && !matches!(f.status, FirearmStatus::Disposed { .. }) {
                        events.push(Event::AlertRaised {
                            rule: RuleId::Store1,
                            message: format!(
                                "{} is not in locked storage at day close: with {}",
                                f.id,
                                self.holder_name(&f.holder)
                            ),
                        });
                    }
                }
                for ct in self.state.containers.values() {
                    if ct.holder.person().is_some() && ct.count() > 0 {
                        events.push(Event::AlertRaised {
                            rule: RuleId::Store2,
                            message: format!("ammunition container {} is not in locked storage at day close", ct.label),
                        });
                    }
                }
                Ok(events)
            }
            Command::ResolveAlert { alert, note } => {
                let by = self.acting_person()?;
                let a = self
                    .state
                    .safety
                    .alerts
                    .get(alert)
                    .ok_or_else(|| DomainError::NotFound { what: "alert", id: alert.to_string() })?;
                if !(by.has_role(Role::Armorer) || by.has_role(Role::SafetyAdvisor)) {
                    return Err(deny(
                        a.rule,
                        format!("{} cannot resolve safety alerts", by.name),
                        "the armorer or the safety advisor resolves it with an explanation",
                    ));
                }
                if a.resolved.is_some() {
                    return Err(invalid("alert", "already resolved"));
                }
                Ok(vec![Event::AlertResolved { alert: *alert, by: by.id.clone(), note: F::ALERT_NOTE.required(note)? }])
            }
            Command::SuperviseAssistant { assistant } => {
                let by = self.acting_person()?;
                let a = self.person(assistant)?;
                let mut c = Checks::new();
                c.require(
                    by.has_role(Role::Armorer),
                    RuleId::Hand1,
                    || format!("{} is not the armorer", by.name),
                    "the armorer records supervision",
                );
                c.require(
                    a.has_role(Role::AssistantArmorer),
                    RuleId::Hand1,
                    || format!("{} is not an assistant armorer", a.name),
                    "only assistant armorers work under supervision",
                );
                c.require(
                    self.state.safety.day.is_some(),
                    RuleId::Hand1,
                    || "no shoot day is open".to_owned(),
                    "open the day first",
                );
                c.finish()?;
                Ok(vec![Event::AssistantSupervised { assistant: assistant.clone(), by: by.id.clone() }])
            }
            Command::RecordCompetence { person, firearm, notes } => {
                let by = self.acting_person()?;
                let p = self.person(person)?;
                let f = self.firearm(firearm)?;
                if !by.has_role(Role::Armorer) {
                    return Err(deny(
                        RuleId::Train2,
                        format!("{} is not the armorer", by.name),
                        "the armorer records training and competence",
                    ));
                }
                Ok(vec![Event::CompetenceRecorded {
                    person: p.id.clone(),
                    model: f.model_key(),
                    by: by.id.clone(),
                    notes: F::COMPETENCE_NOTES.or_empty(notes)?,
                }])
            }
            Command::InspectFirearm { firearm, stage, barrel_clear, fault } => {
                let by = self.acting_person()?;
                let f = self.firearm_not_disposed(firearm)?;
                let mut c = Checks::new();
                c.require(
                    by.is_armorer_side(),
                    RuleId::Hand4,
                    || format!("{} is not on the armorer's team", by.name),
                    "the armorer inspects firearms",
                );
                self.check_holds(&mut c, &f.holder, by, "firearm", firearm.as_str());
                c.finish()?;
                let fault = F::INSPECTION_FAULT.optional(fault.as_deref().unwrap_or(""))?;
                let mut events = vec![Event::FirearmInspected {
                    firearm: firearm.clone(),
                    stage: *stage,
                    by: by.id.clone(),
                    barrel_clear: *barrel_clear,
                    fault: fault.clone(),
                }];
                if fault.is_some() || !barrel_clear {
                    let reason = fault.unwrap_or_else(|| "barrel not clear at inspection".into());
                    if !matches!(f.status, FirearmStatus::Withdrawn { .. }) {
                        events.push(Event::FirearmWithdrawn { firearm: firearm.clone(), reason });
                    }
                }
                Ok(events)
            }
            Command::LoadFirearm { firearm, container, count, dummy_check } => {
                self.load_firearm(firearm, container, *count, *dummy_check)
            }
            Command::DeclareEmpty { firearm } => {
                let by = self.acting_person()?;
                let f = self.firearm_not_disposed(firearm)?;
                let mut c = Checks::new();
                c.require(
                    by.has_role(Role::Armorer),
                    RuleId::Decl1,
                    || format!("{} is not the armorer: only the armorer declares a firearm's state", by.name),
                    "ask the armorer; announcements repeat what the armorer declared",
                );
                self.check_holds(&mut c, &f.holder, by, "firearm", firearm.as_str());
                c.finish()?;
                if f.checks.issued.is_some() || f.load != LoadState::Empty {
                    return Err(invalid(
                        "firearm",
                        format!("{firearm} is loaded: unload it, counting fired and returned rounds"),
                    ));
                }
                Ok(vec![Event::FirearmDeclaredEmpty { firearm: firearm.clone(), by: by.id.clone() }])
            }
            Command::UnloadFirearm { firearm, fired, returned } => self.unload_firearm(firearm, *fired, *returned),
            Command::ResolveDiscrepancy { class, explanation } => {
                let by = self.acting_person()?;
                if !by.has_role(Role::Armorer) {
                    return Err(deny(
                        RuleId::Ammo7,
                        format!("{} is not the armorer", by.name),
                        "the armorer resolves count discrepancies",
                    ));
                }
                if !self.state.safety.discrepancies.iter().any(|d| &d.class == class) {
                    return Err(invalid("class", format!("no open discrepancy for {class}")));
                }
                Ok(vec![Event::RoundsDiscrepancyResolved {
                    class: class.clone(),
                    by: by.id.clone(),
                    explanation: F::DISCREPANCY_EXPLANATION.required(explanation)?,
                }])
            }
            Command::AcknowledgeDemonstration { firearm } => {
                let by = self.acting_person()?;
                let f = self.firearm_not_disposed(firearm)?;
                let mut c = Checks::new();
                c.require(
                    by.has_role(Role::FirstAd),
                    RuleId::Check1,
                    || format!("{} is not the 1st AD", by.name),
                    "the 1st AD records seeing the demonstration",
                );
                let armorer =
                    f.holder.person().and_then(|p| self.state.people.get(p)).filter(|p| p.has_role(Role::Armorer));
                c.require(
                    armorer.is_some(),
                    RuleId::Check1,
                    || format!("{firearm} is not in the armorer's hands to demonstrate"),
                    "the armorer holds and demonstrates the firearm",
                );
                c.finish()?;
                let armorer = armorer.map(|p| p.id.clone()).ok_or_else(|| invalid("firearm", "no armorer"))?;
                Ok(vec![Event::FirearmDemonstrated {
                    firearm: firearm.clone(),
                    armorer,
                    ad: by.id.clone(),
                    load_seq: f.checks.load_seq,
                }])
            }
            Command::AcknowledgeShown { firearm } => {
                let by = self.acting_person()?;
                let f = self.firearm_not_disposed(firearm)?;
                let mut c = Checks::new();
                let armorer =
                    f.holder.person().and_then(|p| self.state.people.get(p)).filter(|p| p.has_role(Role::Armorer));
                c.require(
                    armorer.is_some(),
                    RuleId::Check2,
                    || format!("{firearm} is not in the armorer's hands to show"),
                    "the armorer holds the firearm and shows its state",
                );
                let named = f.checks.scene.as_ref().and_then(|s| self.state.scenes.get(s)).is_some_and(|sc| {
                    sc.plan.item(firearm).is_some_and(|i| i.performer == by.id) || sc.plan.line_of_fire.contains(&by.id)
                });
                c.require(
                    named,
                    RuleId::Check2,
                    || format!("{} is neither the performer for {firearm} nor in the line of fire", by.name),
                    "the performer receiving it, and crew in the line of fire, acknowledge",
                );
                c.finish()?;
                let armorer = armorer.map(|p| p.id.clone()).ok_or_else(|| invalid("firearm", "no armorer"))?;
                Ok(vec![Event::FirearmShown {
                    firearm: firearm.clone(),
                    armorer,
                    person: by.id.clone(),
                    load_seq: f.checks.load_seq,
                }])
            }
            Command::PlaceHold { scope, reason } => {
                let by = self.acting_person()?;
                if !(by.has_role(Role::Armorer) || by.has_role(Role::SafetyAdvisor)) {
                    return Err(deny(RuleId::Role4, format!("{} cannot place a hold: the armorer and the safety advisor can", by.name),
                        "ask the armorer or the safety advisor; anyone can stop work by filing a critical safety report"));
                }
                if let HoldScope::Scene { scene } = scope {
                    self.scene(scene)?;
                }
                Ok(vec![Event::HoldPlaced {
                    scope: scope.clone(),
                    by: by.id.clone(),
                    reason: F::HOLD_REASON.required(reason)?,
                }])
            }
            Command::LiftHold { hold, note, review } => {
                let by = self.acting_person()?;
                let h = self
                    .state
                    .safety
                    .holds
                    .get(hold)
                    .ok_or_else(|| DomainError::NotFound { what: "hold", id: hold.to_string() })?;
                let mut c = Checks::new();
                if h.placed_by != by.id {
                    c.require(
                        *review && by.has_role(Role::SafetyAdvisor),
                        RuleId::Role4,
                        || format!("{} cannot lift a hold placed by someone else", by.name),
                        "the person who placed it lifts it, or the safety advisor after a recorded review",
                    );
                    if by.has_role(Role::SafetyAdvisor) {
                        self.check_independent_advisor(&mut c, by);
                    }
                }
                c.finish()?;
                Ok(vec![Event::HoldLifted {
                    hold: *hold,
                    by: by.id.clone(),
                    review: *review,
                    note: F::HOLD_NOTE.required(note)?,
                }])
            }
            Command::RecordOverride { rule, firearm, scene, reason } => {
                let by = self.acting_person()?;
                self.firearm(firearm)?;
                self.scene(scene)?;
                let mut c = Checks::new();
                c.require(
                    crate::policy::OVERRIDABLE.contains(rule),
                    *rule,
                    || format!("no override exists for {rule}"),
                    "meet the rule; it cannot be overridden",
                );
                c.require(
                    by.has_role(Role::Armorer),
                    *rule,
                    || format!("{} is not the armorer", by.name),
                    "only the armorer records an override",
                );
                c.finish()?;
                Ok(vec![Event::OverrideRecorded {
                    rule: *rule,
                    firearm: firearm.clone(),
                    scene: scene.clone(),
                    by: by.id.clone(),
                    reason: F::OVERRIDE_REASON.required(reason)?,
                }])
            }
            other => Err(invalid("command", format!("{} is not handled", other.name()))),
        }
    }

    /// What each counted item should be: firearms in service count 1 if in storage,
    /// containers their rounds. Every item must be counted.
    fn expected_counts(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for f in self.state.firearms.values() {
            if !matches!(f.status, FirearmStatus::Disposed { .. }) {
                out.insert(f.id.to_string(), u64::from(matches!(f.holder, Holder::Storage { .. })));
            }
        }
        for c in self.state.containers.values() {
            out.insert(c.label.clone(), c.count());
        }
        out
    }

    /// R-STORE-5: every item counted was taken in.
    fn check_counted_items(&self, c: &mut Checks, counts: &BTreeMap<String, u64>) {
        let expected = self.expected_counts();
        for item in counts.keys().filter(|i| !expected.contains_key(*i)) {
            c.fail(
                RuleId::Store5,
                format!("'{item}' was counted but was never taken in"),
                "an unknown item goes through intake first; report it to the armorer",
            );
        }
    }

    fn count_lines(&self, counts: &BTreeMap<String, u64>) -> Result<Vec<CountLine>, DomainError> {
        if let Some((item, n)) = counts.iter().find(|(_, n)| **n > limits::MAX_COUNT) {
            return Err(invalid("counts", format!("{n} counted for '{item}': at most {} per line", limits::MAX_COUNT)));
        }
        let expected = self.expected_counts();
        let mut c = Checks::new();
        self.check_counted_items(&mut c, counts);
        c.finish()?;
        let missing: Vec<&String> = expected.keys().filter(|k| !counts.contains_key(*k)).collect();
        if !missing.is_empty() {
            return Err(invalid(
                "counts",
                format!(
                    "count every firearm and container; missing: {}",
                    missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        Ok(expected
            .into_iter()
            .map(|(item, expected)| CountLine { counted: counts.get(&item).copied().unwrap_or(0), item, expected })
            .collect())
    }

    fn variance_alerts(&self, counts: &BTreeMap<String, u64>) -> Result<Vec<Event>, DomainError> {
        Ok(self
            .count_lines(counts)?
            .into_iter()
            .filter(|l| l.expected != l.counted)
            .map(|l| Event::AlertRaised {
                rule: RuleId::Store4,
                message: format!(
                    "count variance for {}: expected {}, counted {}: explain it",
                    l.item, l.expected, l.counted
                ),
            })
            .collect())
    }

    fn may_load(&self, by: &Person) -> bool {
        by.has_role(Role::Armorer)
            || (by.has_role(Role::AssistantArmorer)
                && self.state.safety.day.as_ref().is_some_and(|d| d.supervised.contains(&by.id)))
    }

    fn load_firearm(
        &self,
        firearm: &FirearmId,
        container: &ContainerId,
        count: u32,
        dummy_check: Option<VerificationMethod>,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let f = self.firearm_not_disposed(firearm)?;
        let ct = self.container(container)?;
        if count == 0 || count > limits::MAX_LOAD_ROUNDS {
            return Err(invalid("count", format!("load between 1 and {} rounds", limits::MAX_LOAD_ROUNDS)));
        }
        if !f.kind.can_fire() {
            return Err(invalid("firearm", format!("{firearm} is a {} and cannot be loaded", f.kind)));
        }
        let mut c = Checks::new();
        c.require(
            by.has_role(Role::Armorer) || by.has_role(Role::AssistantArmorer),
            RuleId::Decl1,
            || format!("{} is not the armorer: only the armorer loads and declares a firearm's load", by.name),
            "the armorer loads the firearm",
        );
        c.require(
            self.may_load(by) || !by.is_armorer_side(),
            RuleId::Hand1,
            || format!("{} is an assistant armorer without recorded supervision today", by.name),
            "the armorer records the supervision first",
        );
        self.check_holds(&mut c, &f.holder, by, "firearm", firearm.as_str());
        self.check_holds(&mut c, &ct.holder, by, "container", &ct.label);
        self.check_not_withdrawn(&mut c, f);
        c.require(
            f.checks.issued.is_none() && f.load == LoadState::Empty,
            RuleId::Decl1,
            || format!("{firearm} is already loaded"),
            "unload it, counting fired and returned rounds, first",
        );
        let scene = f.checks.scene.as_ref().and_then(|s| self.state.scenes.get(s));
        c.require(
            scene.is_some_and(|s| s.status == SceneStatus::Called),
            RuleId::Hand1,
            || format!("{firearm} is not out for a called scene: firearms are loaded only when the scene is called"),
            "wait for the 1st AD to call the scene",
        );
        self.check_usable_stock(&mut c, ct);
        c.require(
            same_calibre(&ct.calibre, &f.calibre),
            RuleId::Ammo8,
            || format!("{} holds {} rounds; {firearm} is chambered for {}", ct.label, ct.calibre, f.calibre),
            "load only rounds of the firearm's own calibre: a wrong round can jam, and a wrong blank can misfire",
        );
        c.require(
            u64::from(count) <= ct.count(),
            RuleId::Store4,
            || format!("{} holds only {} rounds", ct.label, ct.count()),
            "count the container again",
        );
        let item = scene.and_then(|s| s.plan.item(firearm));
        c.require(
            scene.is_none() || item.is_some(),
            RuleId::Hand6,
            || format!("{firearm} is no longer in the scene's plan"),
            "load only firearms the current plan names",
        );
        match (&ct.class, item.map(|i| &i.load)) {
            (AmmoClass::Live, _) => c.fail(
                RuleId::Ammo1,
                "live ammunition never goes into a production firearm".into(),
                "remove it from the set",
            ),
            (AmmoClass::Dummy, planned) => {
                c.require(dummy_check.is_some_and(|m| m != VerificationMethod::BlankInspection), RuleId::Ammo2,
                    || "each dummy loaded must be verified (rattle, no primer, struck primer or drilled case) and counted".to_owned(),
                    "verify every dummy as it goes in and record the method");
                c.require(
                    planned.is_none_or(|p| *p == PlannedLoad::Dummies),
                    RuleId::Decl1,
                    || "the plan does not call for dummies in this firearm".to_owned(),
                    "load what the plan calls for",
                );
            }
            (AmmoClass::Blank { load }, planned) => {
                let ok = matches!(planned, Some(PlannedLoad::Blanks { load: p }) if p == load);
                c.require(
                    ok,
                    RuleId::Ammo6,
                    || format!("{load}-load blanks are not the load the plan approves for {firearm}"),
                    "load only the blank approved for this firearm in the scene plan",
                );
                c.require(
                    self.state.safety.day.as_ref().is_some_and(|d| !d.call_sheet.medics.is_empty()),
                    RuleId::Med1,
                    || "no medic is on today's call sheet".to_owned(),
                    "put a medic on the call sheet before any blank fire",
                );
            }
        }
        c.require(
            !self.state.safety.discrepancies.iter().any(|d| d.class == ct.class),
            RuleId::Ammo7,
            || format!("{} rounds did not reconcile earlier: issue of that class is held", ct.class),
            "the armorer resolves the discrepancy with a recorded explanation",
        );
        gate::check_holds_on(&mut c, self.state, f.checks.scene.as_ref());
        crate::reports::check_stops(&mut c, self.state, Some(firearm));
        c.finish()?;
        let mut lots = BTreeMap::new();
        let mut left = count;
        for (lot, have) in &ct.contents {
            if left == 0 {
                break;
            }
            let take = left.min(*have);
            lots.insert(lot.clone(), take);
            left -= take;
        }
        Ok(vec![Event::FirearmLoaded {
            firearm: firearm.clone(),
            by: by.id.clone(),
            container: container.clone(),
            class: ct.class.clone(),
            count,
            lots,
            dummy_check: if ct.class == AmmoClass::Dummy { dummy_check } else { None },
        }])
    }

    fn unload_firearm(&self, firearm: &FirearmId, fired: u32, returned: u32) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let f = self.firearm_not_disposed(firearm)?;
        if fired > limits::MAX_LOAD_ROUNDS || returned > limits::MAX_LOAD_ROUNDS {
            return Err(invalid(
                "fired",
                format!(
                    "count at most {} fired and {} returned rounds",
                    limits::MAX_LOAD_ROUNDS,
                    limits::MAX_LOAD_ROUNDS
                ),
            ));
        }
        let Some(issued) = &f.checks.issued else {
            return Err(invalid("firearm", format!("{firearm} holds no issued rounds")));
        };
        let ct = self.container(&issued.container)?;
        let mut c = Checks::new();
        c.require(
            self.may_load(by),
            RuleId::Decl1,
            || format!("{} may not unload or declare a firearm's state", by.name),
            "the armorer unloads and counts",
        );
        self.check_holds(&mut c, &f.holder, by, "firearm", firearm.as_str());
        self.check_holds(&mut c, &ct.holder, by, "container", &ct.label);
        c.finish()?;
        if returned > issued.count {
            return Err(invalid("returned", format!("{returned} returned but only {} were issued", issued.count)));
        }
        let mut events = vec![Event::FirearmUnloaded {
            firearm: firearm.clone(),
            by: by.id.clone(),
            container: issued.container.clone(),
            fired,
            returned,
        }];
        let dummy_fired = issued.class == AmmoClass::Dummy && fired > 0;
        if u64::from(fired) + u64::from(returned) != u64::from(issued.count) || dummy_fired {
            events.push(Event::RoundsDiscrepancyFound {
                firearm: firearm.clone(),
                class: issued.class.clone(),
                issued: issued.count,
                fired,
                returned,
            });
            events.push(Event::AlertRaised {
                rule: RuleId::Ammo7,
                message: format!(
                    "{firearm}: {} {} issued, {fired} fired, {returned} returned: issue of {} is held until explained",
                    issued.count, issued.class, issued.class
                ),
            });
        }
        if dummy_fired {
            events.push(Event::AlertRaised {
                rule: RuleId::Ammo1,
                message: format!("{firearm} fired {fired} round(s) from a load declared as dummies: treat as live ammunition on set; stop and investigate"),
            });
        }
        Ok(events)
    }
}
