//! Scenes and the shoot day: plans and their approval (R-REC-1), safety meetings and their
//! sign-off (R-MEET-*), ready, called and wrapped scenes, a performer declining (R-TRAIN-3),
//! the day's opening and closing counts (R-STORE-4), alerts, holds (R-ROLE-4) and overrides.
//! Decisions and state changes side by side.

use crate::checks::*;
use crate::error::{deny, invalid, DomainError};
use crate::events::Event;
use crate::gate;
use crate::ids::*;
use crate::model::*;
use crate::rules::{Checks, RuleId};
use crate::safety::*;
use crate::state::{EntityRef, ProductionState};
use crate::text::{fields as F, limits};
use crate::time::{Date, Timestamp};
use std::collections::{BTreeMap, BTreeSet};

impl<'a> Decider<'a> {
    /// Decides `revise_plan`.
    pub(crate) fn revise_plan(
        &self,
        scene: &SceneId,
        plan: &ScenePlan,
        reason: &str,
    ) -> Result<Vec<Event>, DomainError> {
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

    /// Decides `approve_plan`.
    pub(crate) fn approve_plan(&self, scene: &SceneId, version: &u32) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let sc = self.scene(scene)?;
        if *version != sc.plan_version {
            return Err(DomainError::Conflict(format!(
                "you are approving plan version {version}; the current version is {}: read it first",
                sc.plan_version
            )));
        }
        let Some(role) = self.scene_role(by, &[Role::Armorer, Role::FirstAd, Role::SafetyAdvisor]) else {
            return Err(deny(
                RuleId::Rec1,
                format!("{} cannot approve scene plans", by.name),
                "plans are approved by the armorer and the 1st AD (and the safety advisor where the policy says so)",
            ));
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

    /// Decides `hold_meeting`.
    pub(crate) fn hold_meeting(
        &self,
        scene: &SceneId,
        agenda: &Agenda,
        attendees: &BTreeSet<PersonId>,
    ) -> Result<Vec<Event>, DomainError> {
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

    /// Decides `sign_off_meeting`.
    pub(crate) fn sign_off_meeting(&self, scene: &SceneId) -> Result<Vec<Event>, DomainError> {
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

    /// Decides `mark_scene_ready`.
    pub(crate) fn mark_scene_ready(&self, scene: &SceneId) -> Result<Vec<Event>, DomainError> {
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
        check_meeting_today(&mut c, sc);
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
                || format!("{} is not out of storage for this scene with a fresh pre-use inspection", item.firearm),
                "take each firearm out for the scene and record its pre-use inspection",
            );
        }
        c.finish()?;
        Ok(vec![Event::SceneMarkedReady { scene: scene.clone(), by: by.id.clone() }])
    }

    /// Decides `call_scene`.
    pub(crate) fn call_scene(&self, scene: &SceneId) -> Result<Vec<Event>, DomainError> {
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
        check_meeting_today(&mut c, sc);
        c.require(
            sc.day == self.ctx.today,
            RuleId::Hand6,
            || format!("scene {} is planned for {}", sc.number, sc.day),
            "call scenes on their day",
        );
        c.require(
            day_open(self.state, self.ctx.now),
            RuleId::Store4,
            || "no shoot day is open".to_owned(),
            "the armorer opens the day with its count",
        );
        check_holds_on(&mut c, self.state, Some(scene));
        c.finish()?;
        Ok(vec![Event::SceneCalled { scene: scene.clone(), by: by.id.clone() }])
    }

    /// Decides `wrap_scene`.
    pub(crate) fn wrap_scene(&self, scene: &SceneId) -> Result<Vec<Event>, DomainError> {
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

    /// Decides `decline_firearm`.
    pub(crate) fn decline_firearm(&self, scene: &SceneId, reason: &str) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        self.scene(scene)?;
        Ok(vec![Event::FirearmDeclined {
            scene: scene.clone(),
            person: by.id.clone(),
            reason: F::DECLINE_REASON.or_empty(reason)?,
        }])
    }

    /// Decides `open_day`.
    pub(crate) fn open_day(
        &self,
        call_sheet: &CallSheet,
        counts: &BTreeMap<String, u64>,
    ) -> Result<Vec<Event>, DomainError> {
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
        if !self.state.reporting.notified(crate::reporting::Authority::StudioSafetyOffice, self.ctx.today) {
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

    /// Decides `close_day`.
    pub(crate) fn close_day(&self, counts: &BTreeMap<String, u64>) -> Result<Vec<Event>, DomainError> {
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

    /// Decides `resolve_alert`.
    pub(crate) fn resolve_alert(&self, alert: &u64, note: &str) -> Result<Vec<Event>, DomainError> {
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

    /// Decides `place_hold`.
    pub(crate) fn place_hold(&self, scope: &HoldScope, reason: &str) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        if !(by.has_role(Role::Armorer) || by.has_role(Role::SafetyAdvisor)) {
            return Err(deny(
                RuleId::Role4,
                format!("{} cannot place a hold: the armorer and the safety advisor can", by.name),
                "ask the armorer or the safety advisor; anyone can stop work by filing a critical safety report",
            ));
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

    /// Decides `lift_hold`.
    pub(crate) fn lift_hold(&self, hold: &u64, note: &str, review: &bool) -> Result<Vec<Event>, DomainError> {
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

    /// Decides `record_override`.
    pub(crate) fn record_override(
        &self,
        rule: &RuleId,
        firearm: &FirearmId,
        scene: &SceneId,
        reason: &str,
    ) -> Result<Vec<Event>, DomainError> {
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

    // ---- helpers --------------------------------------------------------------------

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
}

impl ProductionState {
    pub(crate) fn apply_scene_planned(
        &mut self,
        seq: u64,
        scene: &SceneId,
        number: &str,
        description: &str,
        day: &Date,
        plan: &ScenePlan,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        self.scenes.insert(
            scene.clone(),
            Scene {
                id: scene.clone(),
                number: number.to_owned(),
                description: description.to_owned(),
                day: *day,
                plan: plan.clone(),
                plan_version: 1,
                approvals: BTreeMap::new(),
                meeting: None,
                status: SceneStatus::Planned,
                declined_by: BTreeSet::new(),
                version: seq,
            },
        );
        Ok(vec![R::Scene(scene.clone())])
    }

    pub(crate) fn apply_scene_plan_revised(
        &mut self,
        seq: u64,
        scene: &SceneId,
        version: &u32,
        plan: &ScenePlan,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let sc = self.scene_mut(scene)?;
        sc.plan = plan.clone();
        sc.plan_version = *version;
        sc.approvals.clear();
        sc.status = SceneStatus::Planned;
        sc.version = seq;
        Ok(vec![R::Scene(scene.clone())])
    }

    pub(crate) fn apply_scene_plan_approved(
        &mut self,
        seq: u64,
        scene: &SceneId,
        by: &PersonId,
        role: &Role,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let sc = self.scene_mut(scene)?;
        sc.approvals.insert(role.as_str().to_owned(), by.clone());
        sc.version = seq;
        Ok(vec![R::Scene(scene.clone())])
    }

    pub(crate) fn apply_meeting_held(
        &mut self,
        seq: u64,
        at: Timestamp,
        scene: &SceneId,
        plan_version: &u32,
        agenda: &Agenda,
        attendees: &BTreeSet<PersonId>,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let day = self.safety.day.as_ref().map(|d| d.date);
        let sc = self.scene_mut(scene)?;
        sc.meeting = Some(Meeting {
            plan_version: *plan_version,
            agenda: agenda.clone(),
            attendees: attendees.clone(),
            held_at: at,
            day,
            armorer_sign_off: None,
            ad_sign_off: None,
        });
        sc.version = seq;
        Ok(vec![R::Scene(scene.clone())])
    }

    pub(crate) fn apply_meeting_signed_off(
        &mut self,
        seq: u64,
        scene: &SceneId,
        by: &PersonId,
        role: &Role,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let sc = self.scene_mut(scene)?;
        let m = sc.meeting.as_mut().ok_or("no meeting to sign off")?;
        match role {
            Role::Armorer => m.armorer_sign_off = Some(by.clone()),
            Role::FirstAd => m.ad_sign_off = Some(by.clone()),
            other => return Err(format!("{other} does not sign off meetings")),
        }
        sc.version = seq;
        Ok(vec![R::Scene(scene.clone())])
    }

    pub(crate) fn apply_scene_marked_ready(&mut self, seq: u64, scene: &SceneId) -> Result<Vec<EntityRef>, String> {
        self.set_status(scene, SceneStatus::Ready, seq)
    }

    pub(crate) fn apply_scene_called(&mut self, seq: u64, scene: &SceneId) -> Result<Vec<EntityRef>, String> {
        self.set_status(scene, SceneStatus::Called, seq)
    }

    pub(crate) fn apply_scene_wrapped(&mut self, seq: u64, scene: &SceneId) -> Result<Vec<EntityRef>, String> {
        self.set_status(scene, SceneStatus::Wrapped, seq)
    }

    pub(crate) fn apply_firearm_declined(
        &mut self,
        seq: u64,
        scene: &SceneId,
        person: &PersonId,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let sc = self.scene_mut(scene)?;
        sc.declined_by.insert(person.clone());
        sc.status = SceneStatus::NeedsReplan;
        sc.version = seq;
        Ok(vec![R::Scene(scene.clone())])
    }

    pub(crate) fn apply_day_opened(
        &mut self,
        seq: u64,
        at: Timestamp,
        date: &Date,
        by: &PersonId,
        call_sheet: &CallSheet,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        self.safety.day = Some(ShootDay {
            date: *date,
            opened_by: by.clone(),
            opened_at: at,
            call_sheet: call_sheet.clone(),
            supervised: BTreeSet::new(),
            roles_held: self.people.values().map(|p| (p.id.clone(), p.roles.clone())).collect(),
        });
        self.safety.version = seq;
        Ok(vec![R::Safety])
    }

    pub(crate) fn apply_day_closed(&mut self, seq: u64) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        self.safety.day = None;
        self.safety.version = seq;
        Ok(vec![R::Safety])
    }

    pub(crate) fn apply_alert_raised(
        &mut self,
        seq: u64,
        at: Timestamp,
        rule: &RuleId,
        message: &str,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        self.safety
            .alerts
            .insert(seq, Alert { id: seq, rule: *rule, message: message.to_owned(), raised_at: at, resolved: None });
        self.safety.version = seq;
        Ok(vec![R::Safety])
    }

    pub(crate) fn apply_alert_resolved(&mut self, seq: u64, alert: &u64, note: &str) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let a = self.safety.alerts.get_mut(alert).ok_or_else(|| format!("no alert {alert}"))?;
        a.resolved = Some(note.to_owned());
        self.safety.version = seq;
        Ok(vec![R::Safety])
    }

    pub(crate) fn apply_hold_placed(
        &mut self,
        seq: u64,
        at: Timestamp,
        scope: &HoldScope,
        by: &PersonId,
        reason: &str,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        self.safety.holds.insert(
            seq,
            Hold { id: seq, scope: scope.clone(), placed_by: by.clone(), reason: reason.to_owned(), placed_at: at },
        );
        self.safety.version = seq;
        Ok(vec![R::Safety])
    }

    pub(crate) fn apply_hold_lifted(&mut self, seq: u64, hold: &u64) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        self.safety.holds.remove(hold).ok_or_else(|| format!("no hold {hold}"))?;
        self.safety.version = seq;
        Ok(vec![R::Safety])
    }

    #[allow(clippy::too_many_arguments)] // one parameter per field of the event
    pub(crate) fn apply_override_recorded(
        &mut self,
        seq: u64,
        at: Timestamp,
        rule: &RuleId,
        firearm: &FirearmId,
        scene: &SceneId,
        by: &PersonId,
        reason: &str,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        self.safety.overrides.insert(
            seq,
            Override {
                id: seq,
                rule: *rule,
                firearm: firearm.clone(),
                scene: scene.clone(),
                by: by.clone(),
                reason: reason.to_owned(),
                at,
            },
        );
        self.safety.version = seq;
        Ok(vec![R::Safety])
    }
}
