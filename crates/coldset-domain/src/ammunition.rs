//! Ammunition: approved suppliers, lots (intake, quarantine, verification: R-AMMO-1..5),
//! containers and rounds moved between them, their storage and hand-over within the armory,
//! rounds discrepancies (R-AMMO-7) and the live-ammunition exception (R-AMMO-1). Decisions
//! and state changes side by side.

use crate::checks::*;
use crate::error::{deny, invalid, not_found, DomainError};
use crate::events::Event;
use crate::ids::*;
use crate::model::*;
use crate::rules::{Checks, RuleId};
use crate::safety::*;
use crate::state::{missing, EntityRef, ProductionState};
use crate::text::{fields as F, limits};
use crate::time::{Date, Timestamp};
use std::collections::BTreeMap;

impl<'a> Decider<'a> {
    /// Decides `approve_supplier`.
    pub(crate) fn approve_supplier(&self, supplier: &str) -> Result<Vec<Event>, DomainError> {
        let supplier = F::SUPPLIER.required(supplier)?;
        Ok(vec![Event::SupplierApproved { supplier }])
    }

    /// Decides `create_container`.
    pub(crate) fn create_container(
        &self,
        label: &str,
        class: &AmmoClass,
        calibre: &str,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let label = F::LABEL.required(label)?;
        let class = &checked_class(class)?;
        let mut c = Checks::new();
        c.require(
            by.is_armorer_side(),
            RuleId::Store2,
            || format!("{} is not on the armorer's team", by.name),
            "ammunition containers are made up by the armorer",
        );
        c.require(
            *class != AmmoClass::Live,
            RuleId::Ammo1,
            || "no container for live ammunition may exist on a production".to_owned(),
            "live rounds are received only under an approved exception, into its range location, by intake",
        );
        c.require(
            !self.label_taken(&label),
            RuleId::Ammo5,
            || format!("label {label} is already on another container"),
            "give the container a label of its own",
        );
        c.finish()?;
        Ok(vec![Event::ContainerCreated {
            container: ContainerId::numbered(self.state.containers.len() as u64 + 1),
            label,
            class: class.clone(),
            calibre: F::CALIBRE.required(calibre)?,
            holder: by.id.clone(),
        }])
    }

    /// Decides `store_container`.
    pub(crate) fn store_container(
        &self,
        container: &ContainerId,
        location: &LocationId,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let ct = self.container(container)?;
        let loc = self.location(location)?;
        let mut c = Checks::new();
        self.check_holds(&mut c, &ct.holder, by, "container", container.as_str());
        self.check_authorised(&mut c, loc, by);
        self.check_open(&mut c, loc);
        c.require(
            ct.class != AmmoClass::Live || loc.kind == LocationKind::Range,
            RuleId::Ammo1,
            || format!("{} holds live rounds and {} is not a range", ct.label, loc.name),
            "live rounds are kept only in the range location of an approved exception",
        );
        c.finish()?;
        Ok(vec![Event::ContainerStored { container: container.clone(), location: location.clone(), by: by.id.clone() }])
    }

    /// Decides `take_container`.
    pub(crate) fn take_container(&self, container: &ContainerId) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let ct = self.container(container)?;
        let mut c = Checks::new();
        // Not in storage is one failing rule among others: every rule is still checked.
        let location = match &ct.holder {
            Holder::Storage { location } => Some(location),
            Holder::Person { .. } => {
                c.fail(
                    RuleId::Role1,
                    format!("container {} is not in storage: it is with {}", ct.label, self.holder_name(&ct.holder)),
                    "take it from the person who holds it",
                );
                None
            }
        };
        c.require(
            by.is_armorer_side(),
            RuleId::Store2,
            || {
                format!(
                    "{} is not on the armorer's team: ammunition outside storage stays under the armorer's supervision",
                    by.name
                )
            },
            "ask the armorer to take out the ammunition",
        );
        if let Some(loc) = location {
            let loc = self.location(loc)?;
            self.check_authorised(&mut c, loc, by);
            self.check_open(&mut c, loc);
        }
        self.check_usable_stock(&mut c, ct);
        self.check_not_live(&mut c, ct);
        c.finish()?;
        let location = location.ok_or_else(|| DomainError::Conflict("the container left storage".into()))?;
        Ok(vec![Event::ContainerTakenOut {
            container: container.clone(),
            location: location.clone(),
            by: by.id.clone(),
        }])
    }

    /// Decides `hand_container`.
    pub(crate) fn hand_container(&self, container: &ContainerId, to: &PersonId) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let ct = self.container(container)?;
        let receiver = self.person(to)?;
        let mut c = Checks::new();
        self.check_holds(&mut c, &ct.holder, by, "container", container.as_str());
        c.require(
            receiver.is_armorer_side(),
            RuleId::Store2,
            || format!("{} is not on the armorer's team", receiver.name),
            "ammunition outside storage stays with the armorer or an assistant armorer",
        );
        c.require(
            receiver.id != by.id,
            RuleId::Role1,
            || "the giver and the receiver are the same person".to_owned(),
            "name the person receiving the container",
        );
        self.check_not_live(&mut c, ct);
        c.finish()?;
        Ok(vec![Event::ContainerHandedOver {
            container: container.clone(),
            from: by.id.clone(),
            to: receiver.id.clone(),
        }])
    }

    /// Decides `record_live_exception`.
    pub(crate) fn record_live_exception(
        &self,
        kind: &LiveExceptionKind,
        range: &LocationId,
        medic: &str,
        from: &Date,
        until: &Date,
        reference: &str,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let loc = self.location(range)?;
        let mut c = Checks::new();
        c.require(
            by.has_role(Role::SafetyAdvisor),
            RuleId::Ammo1,
            || {
                format!(
                    "{} is not the safety advisor: only the independent safety advisor approves an exception",
                    by.name
                )
            },
            "the independent safety advisor records the approved exception",
        );
        if by.has_role(Role::SafetyAdvisor) {
            self.check_independent_advisor(&mut c, by);
        }
        c.require(
            loc.kind == LocationKind::Range,
            RuleId::Ammo1,
            || format!("{} is a {}, not a range: live rounds never go to a set location", loc.name, loc.kind),
            "name the range location where the live rounds are kept and used",
        );
        c.finish()?;
        if until < from || *until < self.ctx.today {
            return Err(invalid("until", "the exception must end on or after its first day, and not in the past"));
        }
        if (*until - *from).get_days() > 366 {
            return Err(invalid("until", "an exception lasts at most a year: approve it again after"));
        }
        Ok(vec![Event::LiveExceptionApproved {
            kind: *kind,
            range: range.clone(),
            medic: F::MEDIC.required(medic)?,
            from: *from,
            until: *until,
            reference: F::EXCEPTION_REFERENCE.required(reference)?,
            by: by.id.clone(),
        }])
    }

    /// Decides `resolve_discrepancy`.
    pub(crate) fn resolve_discrepancy(&self, class: &AmmoClass, explanation: &str) -> Result<Vec<Event>, DomainError> {
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

    // ---- helpers --------------------------------------------------------------------

    pub(crate) fn intake_lot(
        &self,
        class: &AmmoClass,
        calibre: &str,
        rounds: u32,
        provenance: &Provenance,
        home_made: bool,
        container_label: &str,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let calibre = F::CALIBRE.required(calibre)?;
        let container_label = F::CONTAINER_LABEL.required(container_label)?;
        if rounds == 0 || rounds > limits::MAX_LOT_ROUNDS {
            return Err(invalid(
                "rounds",
                format!("a lot has between 1 and {} rounds; check the count", limits::MAX_LOT_ROUNDS),
            ));
        }
        let class = &checked_class(class)?;
        let supplier_text = F::PROVENANCE_SUPPLIER.or_empty(&provenance.supplier)?;
        let document = F::PROVENANCE_DOCUMENT.or_empty(&provenance.document)?;
        let headstamp = F::PROVENANCE_HEADSTAMP.or_empty(&provenance.headstamp)?;
        let previous = F::PREVIOUS_PRODUCTION.optional(provenance.previous_production.as_deref().unwrap_or(""))?;
        let supplier = supplier_text.as_str();
        let mut c = Checks::new();
        c.require(
            by.is_armorer_side(),
            RuleId::Store5,
            || format!("{} is not on the armorer's team: only the armorer takes ammunition in", by.name),
            "hand the ammunition to the armorer for intake",
        );
        let exception = self.live_exception_in_force();
        let live = *class == AmmoClass::Live;
        c.require(!live || exception.is_some(), RuleId::Ammo1, || {
            "live ammunition is refused: no approved exception is in force today".to_owned()
        }, "send the live rounds back; under a documented exception (range training, post-production sound, documentary, a controlled facility) the independent safety advisor first records it (record_live_exception) with its range location and medic, and the rounds are then received into that range only");
        let range = match exception.filter(|_| live) {
            Some(e) => {
                let loc = self.location(&e.range)?;
                self.check_authorised(&mut c, loc, by);
                self.check_open(&mut c, loc);
                Some(e.range.clone())
            }
            None => None,
        };
        if *class == AmmoClass::Dummy {
            c.require(
                !home_made,
                RuleId::Ammo3,
                || "home-made dummies are refused".to_owned(),
                "buy dummies from an approved supplier",
            );
            let approved = self.state.info.as_ref().is_some_and(|i| i.approved_suppliers.contains(supplier));
            c.require(
                approved || supplier.is_empty(),
                RuleId::Ammo3,
                || format!("'{supplier}' is not an approved dummy supplier"),
                "buy from an approved supplier, or have the armorer approve this one first",
            );
        }
        for (field, value) in [
            ("supplier", &provenance.supplier),
            ("document", &provenance.document),
            ("headstamp", &provenance.headstamp),
        ] {
            c.require(
                !value.trim().is_empty(),
                RuleId::Ammo4,
                || format!("the lot's {field} is missing"),
                "record supplier, purchase document and headstamp for every lot",
            );
        }
        c.require(
            !self.label_taken(&container_label),
            RuleId::Ammo5,
            || format!("label {container_label} is already on another container"),
            "give the new container a label of its own",
        );
        c.finish()?;
        let reason = if previous.is_some() || provenance.mixed_source {
            "stock from another production or of mixed source: re-verify every round (R-AMMO-4)"
        } else {
            "new stock: verify and count every round before use (R-AMMO-2)"
        };
        let container = ContainerId::numbered(self.state.containers.len() as u64 + 1);
        let mut events = vec![Event::LotReceived {
            lot: LotId::numbered(self.state.lots.len() as u64 + 1),
            class: class.clone(),
            calibre,
            rounds,
            provenance: Provenance {
                supplier: supplier.to_owned(),
                document,
                headstamp,
                previous_production: previous,
                mixed_source: provenance.mixed_source,
            },
            state: LotState::Quarantined { reason: reason.to_owned() },
            container: container.clone(),
            container_label,
            received_by: by.id.clone(),
        }];
        // R-AMMO-1: live rounds go straight into the exception's range, never onto a set.
        if let Some(location) = range {
            events.push(Event::ContainerStored { container, location, by: by.id.clone() });
        }
        Ok(events)
    }

    /// The approved R-AMMO-1 exception in force today (the latest approved), if any.
    pub(crate) fn live_exception_in_force(&self) -> Option<&'a crate::safety::LiveException> {
        self.state.safety.live_exceptions.values().rev().find(|e| e.in_force_on(self.ctx.today))
    }

    pub(crate) fn verify_lot(
        &self,
        lot_id: &LotId,
        method: VerificationMethod,
        rounds_checked: u32,
        other_class_found: u32,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let lot = self.state.lots.get(lot_id).ok_or_else(|| not_found("lot", lot_id.as_str()))?;
        if other_class_found > rounds_checked {
            return Err(invalid("other_class_found", "more rounds of another class than rounds checked"));
        }
        let mut c = Checks::new();
        c.require(
            by.is_armorer_side(),
            RuleId::Ammo2,
            || format!("{} is not on the armorer's team", by.name),
            "the armorer (or an assistant armorer) verifies ammunition",
        );
        c.require(
            matches!(lot.state, LotState::Quarantined { .. }),
            RuleId::Ammo2,
            || format!("lot {lot_id} is {}, not in quarantine", lot.state.kind().as_str()),
            "only a quarantined lot is verified",
        );
        let method_fits = match lot.class {
            AmmoClass::Dummy => method != VerificationMethod::BlankInspection,
            AmmoClass::Blank { .. } => method == VerificationMethod::BlankInspection,
            AmmoClass::Live => false,
        };
        c.require(
            method_fits,
            RuleId::Ammo2,
            || format!("{} is not a verification method for {}", method.as_str(), lot.class),
            "dummies: rattle, no primer, struck primer or drilled case; blanks: blank inspection",
        );
        c.require(
            rounds_checked == lot.rounds,
            RuleId::Ammo4,
            || format!("{rounds_checked} of {} rounds checked: every round must be checked", lot.rounds),
            "check and count every round of the lot, then record the verification",
        );
        c.finish()?;
        if other_class_found > 0 {
            return Ok(vec![Event::LotRejected {
                lot: lot_id.clone(),
                by: by.id.clone(),
                reason: format!(
                    "{other_class_found} round(s) of another class found in a {} lot (R-AMMO-1, R-AMMO-5): the lot is rejected",
                    lot.class
                ),
                other_class_found,
            }]);
        }
        Ok(vec![Event::LotVerified { lot: lot_id.clone(), by: by.id.clone(), method, rounds_checked }])
    }

    pub(crate) fn move_rounds(
        &self,
        from: &ContainerId,
        to: &ContainerId,
        rounds: u32,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let src = self.container(from)?;
        let dst = self.container(to)?;
        if from == to {
            return Err(invalid("to", "source and destination are the same container"));
        }
        if rounds == 0 {
            return Err(invalid("rounds", "move at least one round"));
        }
        let mut c = Checks::new();
        self.check_holds(&mut c, &src.holder, by, "container", from.as_str());
        self.check_holds(&mut c, &dst.holder, by, "container", to.as_str());
        c.require(
            src.class == dst.class,
            RuleId::Ammo5,
            || {
                format!(
                    "{} holds {} and {} holds {}: a container holds one class only",
                    src.label, src.class, dst.label, dst.class
                )
            },
            "move the rounds into a container of the same class",
        );
        c.require(
            same_calibre(&src.calibre, &dst.calibre),
            RuleId::Ammo5,
            || format!("{} is {} and {} is {}", src.label, src.calibre, dst.label, dst.calibre),
            "move the rounds into a container of the same calibre",
        );
        c.require(
            u64::from(rounds) <= src.count(),
            RuleId::Store4,
            || format!("{} holds only {} rounds", src.label, src.count()),
            "count the container again and move at most what it holds",
        );
        self.check_usable_stock(&mut c, src);
        self.check_not_live(&mut c, src);
        self.check_not_live(&mut c, dst);
        let dst_quarantined = dst
            .contents
            .keys()
            .any(|l| !matches!(self.state.lots.get(l).map(|l| &l.state), Some(LotState::Verified { .. })));
        c.require(
            !dst_quarantined,
            RuleId::Ammo4,
            || format!("{} holds unverified stock: verified rounds must not be mixed with it", dst.label),
            "move the rounds into a container that holds only verified stock",
        );
        c.finish()?;
        // Oldest lots first, so a container's provenance stays readable.
        let mut left = rounds;
        let mut events = Vec::new();
        for (lot, have) in &src.contents {
            if left == 0 {
                break;
            }
            let take = left.min(*have);
            if take > 0 {
                events.push(Event::RoundsMoved { from: from.clone(), to: to.clone(), lot: lot.clone(), rounds: take });
                left -= take;
            }
        }
        Ok(events)
    }

    pub(crate) fn label_taken(&self, label: &str) -> bool {
        self.state.containers.values().any(|c| c.label.eq_ignore_ascii_case(label))
    }
}

impl ProductionState {
    pub(crate) fn apply_supplier_approved(&mut self, seq: u64, supplier: &str) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let info = self.info.as_mut().ok_or("no production")?;
        info.approved_suppliers.insert(supplier.to_owned());
        info.version = seq;
        Ok(vec![R::Production])
    }

    #[allow(clippy::too_many_arguments)] // one parameter per field of the event
    pub(crate) fn apply_lot_received(
        &mut self,
        seq: u64,
        lot: &LotId,
        class: &AmmoClass,
        calibre: &str,
        rounds: &u32,
        provenance: &Provenance,
        state: &LotState,
        container: &ContainerId,
        container_label: &str,
        received_by: &PersonId,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        self.lots.insert(
            lot.clone(),
            Lot {
                id: lot.clone(),
                class: class.clone(),
                calibre: calibre.to_owned(),
                rounds: *rounds,
                provenance: provenance.clone(),
                state: state.clone(),
                version: seq,
            },
        );
        self.containers.insert(
            container.clone(),
            Container {
                id: container.clone(),
                label: container_label.to_owned(),
                class: class.clone(),
                calibre: calibre.to_owned(),
                contents: BTreeMap::from([(lot.clone(), *rounds)]),
                holder: Holder::Person { person: received_by.clone() },
                version: seq,
            },
        );
        Ok(vec![R::Lot(lot.clone()), R::Container(container.clone())])
    }

    pub(crate) fn apply_lot_verified(
        &mut self,
        seq: u64,
        lot: &LotId,
        by: &PersonId,
        method: &VerificationMethod,
        rounds_checked: &u32,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let l = self.lots.get_mut(lot).ok_or_else(|| missing("lot", lot))?;
        l.state = LotState::Verified { by: by.clone(), method: *method, rounds_checked: *rounds_checked };
        l.version = seq;
        Ok(vec![R::Lot(lot.clone())])
    }

    pub(crate) fn apply_lot_rejected(&mut self, seq: u64, lot: &LotId, reason: &str) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let l = self.lots.get_mut(lot).ok_or_else(|| missing("lot", lot))?;
        l.state = LotState::Rejected { reason: reason.to_owned() };
        l.version = seq;
        Ok(vec![R::Lot(lot.clone())])
    }

    pub(crate) fn apply_container_created(
        &mut self,
        seq: u64,
        container: &ContainerId,
        label: &str,
        class: &AmmoClass,
        calibre: &str,
        holder: &PersonId,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        self.containers.insert(
            container.clone(),
            Container {
                id: container.clone(),
                label: label.to_owned(),
                class: class.clone(),
                calibre: calibre.to_owned(),
                contents: BTreeMap::new(),
                holder: Holder::Person { person: holder.clone() },
                version: seq,
            },
        );
        Ok(vec![R::Container(container.clone())])
    }

    pub(crate) fn apply_rounds_moved(
        &mut self,
        seq: u64,
        from: &ContainerId,
        to: &ContainerId,
        lot: &LotId,
        rounds: &u32,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        // Check the destination first so a bad record cannot half-apply.
        self.container_mut(to)?;
        let src = self.container_mut(from)?;
        let have = src.contents.get(lot).copied().unwrap_or(0);
        let left =
            have.checked_sub(*rounds).ok_or_else(|| format!("container {from} holds only {have} rounds of {lot}"))?;
        if left == 0 {
            src.contents.remove(lot);
        } else {
            src.contents.insert(lot.clone(), left);
        }
        src.version = seq;
        let dst = self.container_mut(to)?;
        let entry = dst.contents.entry(lot.clone()).or_insert(0);
        *entry = entry.checked_add(*rounds).ok_or("round count overflow")?;
        dst.version = seq;
        Ok(vec![R::Container(from.clone()), R::Container(to.clone())])
    }

    pub(crate) fn apply_container_stored(
        &mut self,
        seq: u64,
        container: &ContainerId,
        location: &LocationId,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let c = self.container_mut(container)?;
        c.holder = Holder::Storage { location: location.clone() };
        c.version = seq;
        Ok(vec![R::Container(container.clone())])
    }

    pub(crate) fn apply_container_taken_out(
        &mut self,
        seq: u64,
        container: &ContainerId,
        by: &PersonId,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let c = self.container_mut(container)?;
        c.holder = Holder::Person { person: by.clone() };
        c.version = seq;
        Ok(vec![R::Container(container.clone())])
    }

    pub(crate) fn apply_container_handed_over(
        &mut self,
        seq: u64,
        container: &ContainerId,
        to: &PersonId,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let c = self.container_mut(container)?;
        c.holder = Holder::Person { person: to.clone() };
        c.version = seq;
        Ok(vec![R::Container(container.clone())])
    }

    #[allow(clippy::too_many_arguments)] // one parameter per field of the event
    pub(crate) fn apply_rounds_discrepancy_found(
        &mut self,
        seq: u64,
        at: Timestamp,
        firearm: &FirearmId,
        class: &AmmoClass,
        issued: &u32,
        fired: &u32,
        returned: &u32,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        self.safety.discrepancies.push(Discrepancy {
            class: class.clone(),
            firearm: firearm.clone(),
            issued: *issued,
            fired: *fired,
            returned: *returned,
            found_at: at,
        });
        self.safety.version = seq;
        Ok(vec![R::Safety])
    }

    pub(crate) fn apply_rounds_discrepancy_resolved(
        &mut self,
        seq: u64,
        class: &AmmoClass,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        self.safety.discrepancies.retain(|d| &d.class != class);
        self.safety.version = seq;
        Ok(vec![R::Safety])
    }

    #[allow(clippy::too_many_arguments)] // one parameter per field of the event
    pub(crate) fn apply_live_exception_approved(
        &mut self,
        seq: u64,
        kind: &LiveExceptionKind,
        range: &LocationId,
        medic: &str,
        from: &Date,
        until: &Date,
        reference: &str,
        by: &PersonId,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        self.safety.live_exceptions.insert(
            seq,
            LiveException {
                id: seq,
                kind: *kind,
                range: range.clone(),
                medic: medic.to_owned(),
                from: *from,
                until: *until,
                reference: reference.to_owned(),
                approved_by: by.clone(),
            },
        );
        self.safety.version = seq;
        Ok(vec![R::Safety])
    }
}
