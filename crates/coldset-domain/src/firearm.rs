//! Firearms: intake, storage, taking out, the hand-off (through the gate, gate.rs), collection,
//! withdrawal, repair, disposal and corrections, and the protocol steps on a firearm
//! (inspection, loading, declaring empty, unloading with reconciliation, the demonstration
//! to the 1st AD and the showing to the performer). Decisions and state changes side by side.

use crate::checks::*;
use crate::error::{invalid, DomainError};
use crate::events::Event;
use crate::gate;
use crate::ids::*;
use crate::model::*;
use crate::rules::{Checks, Denial, RuleId};
use crate::safety::*;
use crate::state::{EntityRef, ProductionState};
use crate::text::{fields as F, limits};
use crate::time::Timestamp;
use std::collections::BTreeMap;

impl<'a> Decider<'a> {
    /// Decides `intake_firearm`.
    #[allow(clippy::too_many_arguments)] // one parameter per field of the command
    pub(crate) fn intake_firearm(
        &self,
        kind: &FirearmKind,
        make: &str,
        model: &str,
        serial: &str,
        calibre: &str,
        condition: &str,
        acquired_from: &Party,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let serial = F::SERIAL.required(serial)?;
        let mut c = Checks::new();
        c.require(
            by.is_armorer_side(),
            RuleId::Store5,
            || format!("{} is not the armorer: only the armorer takes items into the production", by.name),
            "have the armorer record the intake",
        );
        if kind.can_fire() {
            self.check_licensed(&mut c, by, *kind);
        }
        let duplicate = self
            .state
            .firearms_with_serial(&serial)
            .any(|f| f.serial.eq_ignore_ascii_case(&serial) && !matches!(f.status, FirearmStatus::Disposed { .. }));
        c.require(
            !duplicate,
            RuleId::Store5,
            || format!("a firearm with serial {serial} is already registered"),
            "open the existing record instead of registering it twice",
        );
        // R-REC-3: the bound book says where every firearm came from; an intake without its
        // supplier or paperwork is refused by rule, not merely as incomplete input.
        for (what, value) in [("supplier", &acquired_from.name), ("paperwork", &acquired_from.document)] {
            c.require(
                !value.trim().is_empty(),
                RuleId::Rec3,
                || format!("the intake names no {what}: where a firearm came from is recorded"),
                "record who supplied it and its paperwork (rental agreement, delivery note)",
            );
        }
        c.finish()?;
        Ok(vec![Event::FirearmReceived {
            firearm: FirearmId::numbered(self.state.firearms.len() as u64 + 1),
            kind: *kind,
            make: F::MAKE.required(make)?,
            model: F::MODEL.required(model)?,
            serial,
            calibre: F::CALIBRE.required(calibre)?,
            condition: F::CONDITION.required(condition)?,
            acquired_from: party(acquired_from)?,
            received_by: by.id.clone(),
        }])
    }

    /// Decides `store_firearm`.
    pub(crate) fn store_firearm(&self, firearm: &FirearmId, location: &LocationId) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let f = self.firearm_in_service(firearm)?;
        let loc = self.location(location)?;
        let mut c = Checks::new();
        self.check_holds(&mut c, &f.holder, by, "firearm", firearm.as_str());
        self.check_authorised(&mut c, loc, by);
        self.check_open(&mut c, loc);
        c.require(
            f.load == LoadState::Empty,
            RuleId::Store1,
            || format!("{firearm} is declared loaded; a firearm goes into storage unloaded"),
            "have the armorer unload it and declare it empty first",
        );
        c.finish()?;
        Ok(vec![Event::FirearmStored { firearm: firearm.clone(), location: location.clone(), by: by.id.clone() }])
    }

    /// Decides `hand_off`.
    pub(crate) fn hand_off(
        &self,
        firearm: &FirearmId,
        to: &PersonId,
        scene: &Option<SceneId>,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let confirmed = self.ctx.attested.contains(to);
        let decision = gate::hand_off(self, &by.id, firearm, to, scene.as_ref(), Some(confirmed))?;
        if !decision.violations.is_empty() {
            return Err(DomainError::Denied(Denial { violations: decision.violations }));
        }
        Ok(vec![Event::FirearmHandedOff {
            firearm: firearm.clone(),
            from: by.id.clone(),
            to: to.clone(),
            scene: scene.clone(),
            rules_checked: decision.rules_checked,
            overrides: decision.overrides,
            receiver_confirmed: confirmed,
        }])
    }

    /// Decides `collect`.
    pub(crate) fn collect(&self, firearm: &FirearmId) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let f = self.firearm_not_disposed(firearm)?;
        let mut c = Checks::new();
        c.require(
            by.has_role(Role::Armorer),
            RuleId::Hand2,
            || format!("{} is not the armorer: only the armorer collects a firearm", by.name),
            "call the armorer to collect it",
        );
        let from = match &f.holder {
            Holder::Person { person } if person != &by.id => Some(person.clone()),
            _ => None,
        };
        c.require(
            from.is_some(),
            RuleId::Role1,
            || format!("{firearm} is not with another person: it is with {}", self.holder_name(&f.holder)),
            "collect only a firearm a performer or crew member holds",
        );
        // No licence check here on purpose: getting a firearm back to the armorer
        // must never be blocked.
        c.finish()?;
        let from = from.ok_or_else(|| DomainError::Conflict("holder changed".into()))?;
        let returner_confirmed = self.ctx.attested.contains(&from);
        Ok(vec![Event::FirearmCollected { firearm: firearm.clone(), from, to: by.id.clone(), returner_confirmed }])
    }

    /// Decides `withdraw_firearm`.
    pub(crate) fn withdraw_firearm(&self, firearm: &FirearmId, reason: &str) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let f = self.firearm_not_disposed(firearm)?;
        let mut c = Checks::new();
        c.require(
            by.is_armorer_side(),
            RuleId::Hand5,
            || format!("{} is not the armorer", by.name),
            "report the fault to the armorer, who withdraws the firearm",
        );
        c.require(
            !matches!(f.status, FirearmStatus::Withdrawn { .. }),
            RuleId::Hand5,
            || format!("{firearm} is already withdrawn"),
            "record its repair when it is repaired",
        );
        c.finish()?;
        Ok(vec![Event::FirearmWithdrawn { firearm: firearm.clone(), reason: F::WITHDRAW_REASON.required(reason)? }])
    }

    /// Decides `record_repair`.
    pub(crate) fn record_repair(
        &self,
        firearm: &FirearmId,
        repaired_by: &str,
        notes: &str,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let f = self.firearm_not_disposed(firearm)?;
        let mut c = Checks::new();
        c.require(
            by.is_armorer_side(),
            RuleId::Hand5,
            || format!("{} is not the armorer", by.name),
            "the armorer records a repair, naming the qualified person who did it",
        );
        c.require(
            matches!(f.status, FirearmStatus::Withdrawn { .. }),
            RuleId::Hand5,
            || format!("{firearm} is not withdrawn"),
            "only a withdrawn firearm is repaired",
        );
        c.finish()?;
        Ok(vec![Event::FirearmRepaired {
            firearm: firearm.clone(),
            repaired_by: F::REPAIRED_BY.required(repaired_by)?,
            notes: F::REPAIR_NOTES.required(notes)?,
        }])
    }

    /// Decides `dispose_firearm`.
    pub(crate) fn dispose_firearm(
        &self,
        firearm: &FirearmId,
        disposition: &DispositionKind,
        to: &Party,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let f = self.firearm_not_disposed(firearm)?;
        let mut c = Checks::new();
        c.require(
            by.has_role(Role::Armorer),
            RuleId::Rec3,
            || format!("{} is not the armorer", by.name),
            "the armorer records where the firearm goes",
        );
        self.check_holds(&mut c, &f.holder, by, "firearm", firearm.as_str());
        c.finish()?;
        Ok(vec![Event::FirearmDisposed { firearm: firearm.clone(), disposition: *disposition, to: party(to)? }])
    }

    /// Decides `correct_firearm_details`.
    #[allow(clippy::too_many_arguments)] // one parameter per field of the command
    pub(crate) fn correct_firearm_details(
        &self,
        firearm: &FirearmId,
        corrects_seq: &u64,
        reason: &str,
        make: &str,
        model: &str,
        serial: &str,
        calibre: &str,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let f = self.firearm(firearm)?;
        let mut c = Checks::new();
        c.require(
            by.is_armorer_side(),
            RuleId::Rec6,
            || format!("{} is not the armorer", by.name),
            "ask the armorer to record the correction",
        );
        // The same duplicate-serial check as at intake: a correction must not make
        // two live records of one physical firearm (R-STORE-5, R-ROLE-1).
        let new_serial = serial.trim();
        let live = |x: &Firearm| !matches!(x.status, FirearmStatus::Disposed { .. });
        let duplicate = live(f)
            && self
                .state
                .firearms_with_serial(new_serial)
                .any(|o| o.id != *firearm && live(o) && o.serial.eq_ignore_ascii_case(new_serial));
        c.require(
            !duplicate,
            RuleId::Store5,
            || format!("a firearm with serial {new_serial} is already registered"),
            "check the serial: another firearm record already carries it",
        );
        // The record corrected is the firearm's details in force: its intake, or its latest
        // correction, so the corrections of one firearm form one line a reader can follow.
        let in_force = self.state.firearm_records.get(firearm).copied();
        c.require(
            in_force == Some(*corrects_seq),
            RuleId::Rec6,
            || match in_force {
                Some(seq) if *corrects_seq < seq => format!(
                    "record {corrects_seq} is not the details of {firearm} in force: record {seq} is (a correction names the latest record)"
                ),
                _ => format!("there is no record {corrects_seq} of {firearm}'s details to correct"),
            },
            "name the sequence number of the record being corrected: the firearm's page names it",
        );
        c.finish()?;
        Ok(vec![Event::FirearmDetailsCorrected {
            firearm: firearm.clone(),
            corrects_seq: *corrects_seq,
            reason: F::CORRECTION_REASON.required(reason)?,
            make: F::MAKE.required(make)?,
            model: F::MODEL.required(model)?,
            serial: F::SERIAL.required(serial)?,
            calibre: F::CALIBRE.required(calibre)?,
        }])
    }

    /// Decides `inspect_firearm`.
    pub(crate) fn inspect_firearm(
        &self,
        firearm: &FirearmId,
        stage: &InspectionStage,
        barrel_clear: &bool,
        fault: &Option<String>,
    ) -> Result<Vec<Event>, DomainError> {
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

    /// Decides `declare_empty`.
    pub(crate) fn declare_empty(&self, firearm: &FirearmId) -> Result<Vec<Event>, DomainError> {
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

    /// Decides `acknowledge_demonstration`.
    pub(crate) fn acknowledge_demonstration(&self, firearm: &FirearmId) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let f = self.firearm_not_disposed(firearm)?;
        let mut c = Checks::new();
        c.require(
            by.has_role(Role::FirstAd),
            RuleId::Check1,
            || format!("{} is not the 1st AD", by.name),
            "the 1st AD records seeing the demonstration",
        );
        let armorer = f.holder.person().and_then(|p| self.state.people.get(p)).filter(|p| p.has_role(Role::Armorer));
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

    /// Decides `acknowledge_shown`.
    pub(crate) fn acknowledge_shown(&self, firearm: &FirearmId) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let f = self.firearm_not_disposed(firearm)?;
        let mut c = Checks::new();
        let armorer = f.holder.person().and_then(|p| self.state.people.get(p)).filter(|p| p.has_role(Role::Armorer));
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

    // ---- helpers --------------------------------------------------------------------

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
            check_stops(&mut c, self.state, Some(firearm));
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
                day_open(self.state, self.ctx.now),
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
            check_holds_on(&mut c, self.state, Some(scene_id));
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

    pub(crate) fn may_load(&self, by: &Person) -> bool {
        by.has_role(Role::Armorer)
            || (by.has_role(Role::AssistantArmorer)
                && self.state.safety.day.as_ref().is_some_and(|d| d.supervised.contains(&by.id)))
    }

    pub(crate) fn load_firearm(
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
        check_holds_on(&mut c, self.state, f.checks.scene.as_ref());
        check_stops(&mut c, self.state, Some(firearm));
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

    pub(crate) fn unload_firearm(
        &self,
        firearm: &FirearmId,
        fired: u32,
        returned: u32,
    ) -> Result<Vec<Event>, DomainError> {
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

impl ProductionState {
    #[allow(clippy::too_many_arguments)] // one parameter per field of the event
    pub(crate) fn apply_firearm_received(
        &mut self,
        seq: u64,
        firearm: &FirearmId,
        kind: &FirearmKind,
        make: &str,
        model: &str,
        serial: &str,
        calibre: &str,
        condition: &str,
        acquired_from: &Party,
        received_by: &PersonId,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        self.firearms.insert(
            firearm.clone(),
            Firearm {
                id: firearm.clone(),
                kind: *kind,
                make: make.to_owned(),
                model: model.to_owned(),
                serial: serial.to_owned(),
                calibre: calibre.to_owned(),
                condition: condition.to_owned(),
                acquired_from: acquired_from.clone(),
                holder: Holder::Person { person: received_by.clone() },
                load: LoadState::Empty,
                status: FirearmStatus::InService,
                out_since: None,
                checks: FirearmChecks::default(),
                version: seq,
            },
        );
        self.firearm_records.insert(firearm.clone(), seq);
        self.index_serial(firearm, None, serial);
        Ok(vec![R::Firearm(firearm.clone())])
    }

    pub(crate) fn apply_firearm_stored(
        &mut self,
        seq: u64,
        firearm: &FirearmId,
        location: &LocationId,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let f = self.firearm_mut(firearm)?;
        f.holder = Holder::Storage { location: location.clone() };
        f.out_since = None;
        f.checks = FirearmChecks { load_seq: f.checks.load_seq, ..FirearmChecks::default() };
        f.version = seq;
        Ok(vec![R::Firearm(firearm.clone())])
    }

    pub(crate) fn apply_firearm_taken_out(
        &mut self,
        seq: u64,
        at: Timestamp,
        firearm: &FirearmId,
        by: &PersonId,
        scene: &Option<SceneId>,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let f = self.firearm_mut(firearm)?;
        f.holder = Holder::Person { person: by.clone() };
        f.out_since = Some(at);
        f.checks = FirearmChecks { scene: scene.clone(), load_seq: f.checks.load_seq, ..FirearmChecks::default() };
        f.version = seq;
        Ok(vec![R::Firearm(firearm.clone())])
    }

    pub(crate) fn apply_firearm_handed_off(
        &mut self,
        seq: u64,
        firearm: &FirearmId,
        to: &PersonId,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let outside_armory = self.people.get(to).is_none_or(|p| !p.is_armorer_side() || p.has_role(Role::Performer));
        let f = self.firearm_mut(firearm)?;
        f.holder = Holder::Person { person: to.clone() };
        f.checks.in_use |= outside_armory;
        f.version = seq;
        Ok(vec![R::Firearm(firearm.clone())])
    }

    pub(crate) fn apply_firearm_collected(
        &mut self,
        seq: u64,
        firearm: &FirearmId,
        to: &PersonId,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let f = self.firearm_mut(firearm)?;
        f.holder = Holder::Person { person: to.clone() };
        // Back from a firing sequence (it was with someone outside the armory): a
        // post-use inspection is due, the rounds are reconciled, and the next
        // hand-off needs fresh checks (R-HAND-4, R-AMMO-7, R-CHECK-1, R-CHECK-2).
        // From within the armory it is a custody step only.
        if std::mem::take(&mut f.checks.in_use) {
            f.checks.needs_post_use = true;
            f.checks.needs_reconcile = f.checks.issued.is_some();
            f.checks.pre_use_at = None;
            f.checks.demonstrated = None;
            f.checks.shown.clear();
        }
        f.version = seq;
        Ok(vec![R::Firearm(firearm.clone())])
    }

    pub(crate) fn apply_firearm_withdrawn(
        &mut self,
        seq: u64,
        firearm: &FirearmId,
        reason: &str,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let f = self.firearm_mut(firearm)?;
        f.status = FirearmStatus::Withdrawn { reason: reason.to_owned() };
        f.version = seq;
        Ok(vec![R::Firearm(firearm.clone())])
    }

    pub(crate) fn apply_firearm_repaired(&mut self, seq: u64, firearm: &FirearmId) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let f = self.firearm_mut(firearm)?;
        f.status = FirearmStatus::InService;
        // An inspection from before the repair (perhaps the one that found the
        // fault) does not count: inspect it again before use (R-HAND-4).
        f.checks.pre_use_at = None;
        f.version = seq;
        Ok(vec![R::Firearm(firearm.clone())])
    }

    pub(crate) fn apply_firearm_disposed(
        &mut self,
        seq: u64,
        firearm: &FirearmId,
        disposition: &DispositionKind,
        to: &Party,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let f = self.firearm_mut(firearm)?;
        f.status = FirearmStatus::Disposed { disposition: *disposition, to: to.clone() };
        f.version = seq;
        Ok(vec![R::Firearm(firearm.clone())])
    }

    pub(crate) fn apply_firearm_details_corrected(
        &mut self,
        seq: u64,
        firearm: &FirearmId,
        make: &str,
        model: &str,
        serial: &str,
        calibre: &str,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let f = self.firearm_mut(firearm)?;
        let old = std::mem::replace(&mut f.serial, serial.to_owned());
        f.make = make.to_owned();
        f.model = model.to_owned();
        f.calibre = calibre.to_owned();
        f.version = seq;
        // Not checked here: corrections recorded before the decider required the record in
        // force named any earlier record, and replaying them must still work.
        self.firearm_records.insert(firearm.clone(), seq);
        self.index_serial(firearm, Some(&old), serial);
        Ok(vec![R::Firearm(firearm.clone())])
    }

    pub(crate) fn apply_firearm_inspected(
        &mut self,
        seq: u64,
        at: Timestamp,
        firearm: &FirearmId,
        stage: &InspectionStage,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let f = self.firearm_mut(firearm)?;
        match stage {
            InspectionStage::PreUse => f.checks.pre_use_at = Some(at),
            InspectionStage::PostUse => f.checks.needs_post_use = false,
        }
        f.version = seq;
        Ok(vec![R::Firearm(firearm.clone())])
    }

    pub(crate) fn apply_firearm_loaded(
        &mut self,
        seq: u64,
        firearm: &FirearmId,
        container: &ContainerId,
        class: &AmmoClass,
        count: &u32,
        lots: &BTreeMap<LotId, u32>,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let ct = self.container_mut(container)?;
        for (lot, n) in lots {
            let have = ct.contents.get(lot).copied().unwrap_or(0);
            let left =
                have.checked_sub(*n).ok_or_else(|| format!("container {container} lacks {n} rounds of {lot}"))?;
            if left == 0 {
                ct.contents.remove(lot);
            } else {
                ct.contents.insert(lot.clone(), left);
            }
        }
        ct.version = seq;
        let f = self.firearm_mut(firearm)?;
        f.load = match class {
            AmmoClass::Dummy => LoadState::Dummies { count: *count },
            AmmoClass::Blank { load } => LoadState::Blanks { count: *count, load: load.clone() },
            AmmoClass::Live => return Err("a firearm cannot be loaded with live rounds".into()),
        };
        f.checks.load_seq = seq;
        f.checks.issued =
            Some(Issued { class: class.clone(), count: *count, container: container.clone(), lots: lots.clone() });
        f.checks.demonstrated = None;
        f.checks.shown.clear();
        f.version = seq;
        Ok(vec![R::Firearm(firearm.clone()), R::Container(container.clone())])
    }

    pub(crate) fn apply_firearm_declared_empty(
        &mut self,
        seq: u64,
        firearm: &FirearmId,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let f = self.firearm_mut(firearm)?;
        f.checks.load_seq = seq;
        f.checks.demonstrated = None;
        f.checks.shown.clear();
        f.version = seq;
        Ok(vec![R::Firearm(firearm.clone())])
    }

    pub(crate) fn apply_firearm_unloaded(
        &mut self,
        seq: u64,
        firearm: &FirearmId,
        container: &ContainerId,
        returned: &u32,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let f = self.firearm_mut(firearm)?;
        let issued = f.checks.issued.take().ok_or("nothing was loaded")?;
        f.checks.needs_reconcile = false;
        f.load = LoadState::Empty;
        f.checks.load_seq = seq;
        f.checks.demonstrated = None;
        f.checks.shown.clear();
        f.version = seq;
        // Returned rounds go back to their lots, oldest first.
        let mut left = *returned;
        let ct = self.container_mut(container)?;
        for (lot, n) in &issued.lots {
            let back = left.min(*n);
            if back > 0 {
                *ct.contents.entry(lot.clone()).or_insert(0) += back;
                left -= back;
            }
        }
        if left > 0 {
            return Err(format!("{returned} rounds returned but only {} were issued", issued.count));
        }
        ct.version = seq;
        Ok(vec![R::Firearm(firearm.clone()), R::Container(container.clone())])
    }

    pub(crate) fn apply_firearm_demonstrated(
        &mut self,
        seq: u64,
        at: Timestamp,
        firearm: &FirearmId,
        ad: &PersonId,
        load_seq: &u64,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let f = self.firearm_mut(firearm)?;
        f.checks.demonstrated = Some(Acknowledgement { by: ad.clone(), at, load_seq: *load_seq });
        f.version = seq;
        Ok(vec![R::Firearm(firearm.clone())])
    }

    pub(crate) fn apply_firearm_shown(
        &mut self,
        seq: u64,
        at: Timestamp,
        firearm: &FirearmId,
        person: &PersonId,
        load_seq: &u64,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let f = self.firearm_mut(firearm)?;
        f.checks.shown.retain(|a| &a.by != person);
        f.checks.shown.push(Acknowledgement { by: person.clone(), at, load_seq: *load_seq });
        f.version = seq;
        Ok(vec![R::Firearm(firearm.clone())])
    }
}
