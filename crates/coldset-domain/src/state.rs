//! A production's current state, built only by applying its events in order. The same
//! `apply` serves the writer (after each command), start-up (replaying the log) and the
//! verifier (rebuilding projections to compare them with the database).

use crate::events::{Envelope, Event};
use crate::ids::*;
use crate::model::*;
use crate::safety::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductionInfo {
    pub id: ProductionId,
    pub name: String,
    pub time_zone: String,
    pub packs: Vec<String>,
    pub compliance_contact: String,
    pub approved_suppliers: BTreeSet<String>,
    /// Roles that must sign in with a one-time code (TOTP) to work on this production.
    #[serde(default)]
    pub second_factor_roles: BTreeSet<Role>,
    pub version: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductionState {
    pub info: Option<ProductionInfo>,
    pub people: BTreeMap<PersonId, Person>,
    pub firearms: BTreeMap<FirearmId, Firearm>,
    pub lots: BTreeMap<LotId, Lot>,
    pub containers: BTreeMap<ContainerId, Container>,
    pub locations: BTreeMap<LocationId, StorageLocation>,
    pub scenes: BTreeMap<SceneId, Scene>,
    pub safety: SafetyState,
    pub reporting: crate::reports::Reporting,
    /// Sequence number of the last applied event; `None` for an empty log.
    pub last_seq: Option<u64>,
}

/// A record the projections hold, addressed by kind and id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntityRef {
    Production,
    Person(PersonId),
    Firearm(FirearmId),
    Lot(LotId),
    Container(ContainerId),
    Location(LocationId),
    Scene(SceneId),
    /// The production-wide safety state: shoot day, holds, alerts, overrides.
    Safety,
    /// Safety reports and incidents.
    Reporting,
}

/// One projection row: what the database's projection table holds for a record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProjectionRow {
    pub kind: String,
    pub id: String,
    pub version: u64,
    /// Canonical JSON of the record.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {seq} ({kind}) cannot be applied: {problem}")]
pub struct ApplyError {
    pub seq: u64,
    pub kind: &'static str,
    pub problem: String,
}

fn missing(what: &str, id: &dyn std::fmt::Display) -> String {
    format!("it refers to {what} {id}, which does not exist at that point of the log")
}

impl ProductionState {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn next_seq(&self) -> u64 {
        self.last_seq.map_or(0, |s| s + 1)
    }

    pub fn production_id(&self) -> Option<&ProductionId> {
        self.info.as_ref().map(|i| &i.id)
    }

    /// Applies one recorded event. Returns the records it changed, for the projections.
    pub fn apply(&mut self, env: &Envelope) -> Result<Vec<EntityRef>, ApplyError> {
        let seq = env.seq;
        let kind = env.event.kind();
        let fail = |problem: String| ApplyError { seq, kind, problem };
        if seq != self.next_seq() {
            return Err(fail(format!("expected sequence number {}", self.next_seq())));
        }
        if let Some(info) = &self.info {
            if info.id != env.production {
                return Err(fail(format!("it belongs to production {}", env.production)));
            }
        } else if !matches!(env.event, Event::ProductionCreated { .. }) {
            return Err(fail("a production's log must start with production.created".into()));
        }
        let touched = self.apply_event(seq, env.at, &env.event).map_err(fail)?;
        self.last_seq = Some(seq);
        Ok(touched)
    }

    fn apply_event(&mut self, seq: u64, at: crate::time::Timestamp, event: &Event) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        if crate::reports::apply(self, seq, at, event)? {
            return Ok(vec![R::Reporting]);
        }
        let touched = match event {
            Event::ProductionCreated { production, name, time_zone, packs, compliance_contact } => {
                if self.info.is_some() {
                    return Err("the production already exists".into());
                }
                self.info = Some(ProductionInfo {
                    id: production.clone(),
                    name: name.clone(),
                    time_zone: time_zone.clone(),
                    packs: packs.clone(),
                    compliance_contact: compliance_contact.clone(),
                    approved_suppliers: BTreeSet::new(),
                    second_factor_roles: BTreeSet::new(),
                    version: seq,
                });
                self.safety.version = seq;
                self.reporting.version = seq;
                vec![R::Production, R::Safety, R::Reporting]
            }
            Event::SupplierApproved { supplier } => {
                let info = self.info.as_mut().ok_or("no production")?;
                info.approved_suppliers.insert(supplier.clone());
                info.version = seq;
                vec![R::Production]
            }
            Event::PersonAdded { person, name, roles } => {
                if self.people.contains_key(person) {
                    return Err(format!("person {person} already exists"));
                }
                self.people.insert(
                    person.clone(),
                    Person {
                        id: person.clone(),
                        name: name.clone(),
                        roles: roles.clone(),
                        credentials: Vec::new(),
                        competences: BTreeSet::new(),
                        former_roles: BTreeSet::new(),
                        version: seq,
                    },
                );
                if let Some(day) = self.safety.day.as_mut() {
                    day.roles_held.insert(person.clone(), roles.clone());
                    self.safety.version = seq;
                    return Ok(vec![R::Person(person.clone()), R::Safety]);
                }
                vec![R::Person(person.clone())]
            }
            Event::RoleAssigned { person, role } => {
                let p = self.person_mut(person)?;
                p.roles.insert(*role);
                p.version = seq;
                if let Some(day) = self.safety.day.as_mut() {
                    day.roles_held.entry(person.clone()).or_default().insert(*role);
                    self.safety.version = seq;
                    return Ok(vec![R::Person(person.clone()), R::Safety]);
                }
                vec![R::Person(person.clone())]
            }
            Event::RoleRemoved { person, role } => {
                let p = self.person_mut(person)?;
                p.roles.remove(role);
                p.former_roles.insert(*role);
                p.version = seq;
                vec![R::Person(person.clone())]
            }
            Event::CredentialRecorded { person, credential } => {
                let p = self.person_mut(person)?;
                p.credentials.push(credential.clone());
                p.version = seq;
                vec![R::Person(person.clone())]
            }
            Event::LocationAdded { location, name, kind, authorised } => {
                self.locations.insert(
                    location.clone(),
                    StorageLocation {
                        id: location.clone(),
                        name: name.clone(),
                        kind: *kind,
                        authorised: authorised.clone(),
                        opened: None,
                        version: seq,
                    },
                );
                vec![R::Location(location.clone())]
            }
            Event::StorageOpened { location, by } => {
                let loc = self.location_mut(location)?;
                loc.opened = Some((by.clone(), at));
                loc.version = seq;
                vec![R::Location(location.clone())]
            }
            Event::StorageClosed { location, .. } => {
                let loc = self.location_mut(location)?;
                loc.opened = None;
                loc.version = seq;
                vec![R::Location(location.clone())]
            }
            Event::FirearmReceived {
                firearm,
                kind,
                make,
                model,
                serial,
                calibre,
                condition,
                acquired_from,
                received_by,
            } => {
                self.firearms.insert(
                    firearm.clone(),
                    Firearm {
                        id: firearm.clone(),
                        kind: *kind,
                        make: make.clone(),
                        model: model.clone(),
                        serial: serial.clone(),
                        calibre: calibre.clone(),
                        condition: condition.clone(),
                        acquired_from: acquired_from.clone(),
                        holder: Holder::Person { person: received_by.clone() },
                        load: LoadState::Empty,
                        status: FirearmStatus::InService,
                        out_since: None,
                        checks: FirearmChecks::default(),
                        version: seq,
                    },
                );
                vec![R::Firearm(firearm.clone())]
            }
            Event::FirearmStored { firearm, location, .. } => {
                let f = self.firearm_mut(firearm)?;
                f.holder = Holder::Storage { location: location.clone() };
                f.out_since = None;
                f.checks = FirearmChecks { load_seq: f.checks.load_seq, ..FirearmChecks::default() };
                f.version = seq;
                vec![R::Firearm(firearm.clone())]
            }
            Event::FirearmTakenOut { firearm, by, scene, .. } => {
                let f = self.firearm_mut(firearm)?;
                f.holder = Holder::Person { person: by.clone() };
                f.out_since = Some(at);
                f.checks =
                    FirearmChecks { scene: scene.clone(), load_seq: f.checks.load_seq, ..FirearmChecks::default() };
                f.version = seq;
                vec![R::Firearm(firearm.clone())]
            }
            Event::FirearmHandedOff { firearm, to, .. } => {
                let outside_armory =
                    self.people.get(to).is_none_or(|p| !p.is_armorer_side() || p.has_role(Role::Performer));
                let f = self.firearm_mut(firearm)?;
                f.holder = Holder::Person { person: to.clone() };
                f.checks.in_use |= outside_armory;
                f.version = seq;
                vec![R::Firearm(firearm.clone())]
            }
            Event::FirearmCollected { firearm, to, .. } => {
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
                vec![R::Firearm(firearm.clone())]
            }
            Event::FirearmWithdrawn { firearm, reason } => {
                let f = self.firearm_mut(firearm)?;
                f.status = FirearmStatus::Withdrawn { reason: reason.clone() };
                f.version = seq;
                vec![R::Firearm(firearm.clone())]
            }
            Event::FirearmRepaired { firearm, .. } => {
                let f = self.firearm_mut(firearm)?;
                f.status = FirearmStatus::InService;
                // An inspection from before the repair (perhaps the one that found the
                // fault) does not count: inspect it again before use (R-HAND-4).
                f.checks.pre_use_at = None;
                f.version = seq;
                vec![R::Firearm(firearm.clone())]
            }
            Event::FirearmDisposed { firearm, disposition, to } => {
                let f = self.firearm_mut(firearm)?;
                f.status = FirearmStatus::Disposed { disposition: *disposition, to: to.clone() };
                f.version = seq;
                vec![R::Firearm(firearm.clone())]
            }
            Event::FirearmDetailsCorrected { firearm, make, model, serial, calibre, .. } => {
                let f = self.firearm_mut(firearm)?;
                f.make = make.clone();
                f.model = model.clone();
                f.serial = serial.clone();
                f.calibre = calibre.clone();
                f.version = seq;
                vec![R::Firearm(firearm.clone())]
            }
            Event::LotReceived {
                lot,
                class,
                calibre,
                rounds,
                provenance,
                state,
                container,
                container_label,
                received_by,
            } => {
                self.lots.insert(
                    lot.clone(),
                    Lot {
                        id: lot.clone(),
                        class: class.clone(),
                        calibre: calibre.clone(),
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
                        label: container_label.clone(),
                        class: class.clone(),
                        calibre: calibre.clone(),
                        contents: BTreeMap::from([(lot.clone(), *rounds)]),
                        holder: Holder::Person { person: received_by.clone() },
                        version: seq,
                    },
                );
                vec![R::Lot(lot.clone()), R::Container(container.clone())]
            }
            Event::LotVerified { lot, by, method, rounds_checked } => {
                let l = self.lots.get_mut(lot).ok_or_else(|| missing("lot", lot))?;
                l.state = LotState::Verified { by: by.clone(), method: *method, rounds_checked: *rounds_checked };
                l.version = seq;
                vec![R::Lot(lot.clone())]
            }
            Event::LotRejected { lot, reason, .. } => {
                let l = self.lots.get_mut(lot).ok_or_else(|| missing("lot", lot))?;
                l.state = LotState::Rejected { reason: reason.clone() };
                l.version = seq;
                vec![R::Lot(lot.clone())]
            }
            Event::ContainerCreated { container, label, class, calibre, holder } => {
                self.containers.insert(
                    container.clone(),
                    Container {
                        id: container.clone(),
                        label: label.clone(),
                        class: class.clone(),
                        calibre: calibre.clone(),
                        contents: BTreeMap::new(),
                        holder: Holder::Person { person: holder.clone() },
                        version: seq,
                    },
                );
                vec![R::Container(container.clone())]
            }
            Event::RoundsMoved { from, to, lot, rounds } => {
                // Check the destination first so a bad record cannot half-apply.
                self.container_mut(to)?;
                let src = self.container_mut(from)?;
                let have = src.contents.get(lot).copied().unwrap_or(0);
                let left = have
                    .checked_sub(*rounds)
                    .ok_or_else(|| format!("container {from} holds only {have} rounds of {lot}"))?;
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
                vec![R::Container(from.clone()), R::Container(to.clone())]
            }
            Event::ContainerStored { container, location, .. } => {
                let c = self.container_mut(container)?;
                c.holder = Holder::Storage { location: location.clone() };
                c.version = seq;
                vec![R::Container(container.clone())]
            }
            Event::ContainerTakenOut { container, by, .. } => {
                let c = self.container_mut(container)?;
                c.holder = Holder::Person { person: by.clone() };
                c.version = seq;
                vec![R::Container(container.clone())]
            }
            Event::ContainerHandedOver { container, to, .. } => {
                let c = self.container_mut(container)?;
                c.holder = Holder::Person { person: to.clone() };
                c.version = seq;
                vec![R::Container(container.clone())]
            }
            Event::ScenePlanned { scene, number, description, day, plan } => {
                self.scenes.insert(
                    scene.clone(),
                    Scene {
                        id: scene.clone(),
                        number: number.clone(),
                        description: description.clone(),
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
                vec![R::Scene(scene.clone())]
            }
            Event::ScenePlanRevised { scene, version, plan, .. } => {
                let sc = self.scene_mut(scene)?;
                sc.plan = plan.clone();
                sc.plan_version = *version;
                sc.approvals.clear();
                sc.status = SceneStatus::Planned;
                sc.version = seq;
                vec![R::Scene(scene.clone())]
            }
            Event::ScenePlanApproved { scene, by, role, .. } => {
                let sc = self.scene_mut(scene)?;
                sc.approvals.insert(role.as_str().to_owned(), by.clone());
                sc.version = seq;
                vec![R::Scene(scene.clone())]
            }
            Event::MeetingHeld { scene, plan_version, agenda, attendees } => {
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
                vec![R::Scene(scene.clone())]
            }
            Event::MeetingSignedOff { scene, by, role, .. } => {
                let sc = self.scene_mut(scene)?;
                let m = sc.meeting.as_mut().ok_or("no meeting to sign off")?;
                match role {
                    Role::Armorer => m.armorer_sign_off = Some(by.clone()),
                    Role::FirstAd => m.ad_sign_off = Some(by.clone()),
                    other => return Err(format!("{other} does not sign off meetings")),
                }
                sc.version = seq;
                vec![R::Scene(scene.clone())]
            }
            Event::SceneMarkedReady { scene, .. } => self.set_status(scene, SceneStatus::Ready, seq)?,
            Event::SceneCalled { scene, .. } => self.set_status(scene, SceneStatus::Called, seq)?,
            Event::SceneWrapped { scene, .. } => self.set_status(scene, SceneStatus::Wrapped, seq)?,
            Event::FirearmDeclined { scene, person, .. } => {
                let sc = self.scene_mut(scene)?;
                sc.declined_by.insert(person.clone());
                sc.status = SceneStatus::NeedsReplan;
                sc.version = seq;
                vec![R::Scene(scene.clone())]
            }
            Event::SecondFactorRequired { roles } => {
                let info = self.info.as_mut().ok_or("no production")?;
                info.second_factor_roles = roles.clone();
                info.version = seq;
                vec![R::Production]
            }
            Event::PolicyChanged { packs } => {
                let info = self.info.as_mut().ok_or("no production")?;
                info.packs = packs.clone();
                info.version = seq;
                vec![R::Production]
            }
            Event::DayOpened { date, by, call_sheet, .. } => {
                self.safety.day = Some(ShootDay {
                    date: *date,
                    opened_by: by.clone(),
                    opened_at: at,
                    call_sheet: call_sheet.clone(),
                    supervised: BTreeSet::new(),
                    roles_held: self.people.values().map(|p| (p.id.clone(), p.roles.clone())).collect(),
                });
                self.safety.version = seq;
                vec![R::Safety]
            }
            Event::DayClosed { .. } => {
                self.safety.day = None;
                self.safety.version = seq;
                vec![R::Safety]
            }
            Event::AlertRaised { rule, message } => {
                self.safety.alerts.insert(
                    seq,
                    Alert { id: seq, rule: *rule, message: message.clone(), raised_at: at, resolved: None },
                );
                self.safety.version = seq;
                vec![R::Safety]
            }
            Event::AlertResolved { alert, note, .. } => {
                let a = self.safety.alerts.get_mut(alert).ok_or_else(|| format!("no alert {alert}"))?;
                a.resolved = Some(note.clone());
                self.safety.version = seq;
                vec![R::Safety]
            }
            Event::AssistantSupervised { assistant, .. } => {
                let day = self.safety.day.as_mut().ok_or("no shoot day is open")?;
                day.supervised.insert(assistant.clone());
                self.safety.version = seq;
                vec![R::Safety]
            }
            Event::CompetenceRecorded { person, model, .. } => {
                let p = self.person_mut(person)?;
                p.competences.insert(model.clone());
                p.version = seq;
                vec![R::Person(person.clone())]
            }
            Event::FirearmInspected { firearm, stage, .. } => {
                let f = self.firearm_mut(firearm)?;
                match stage {
                    InspectionStage::PreUse => f.checks.pre_use_at = Some(at),
                    InspectionStage::PostUse => f.checks.needs_post_use = false,
                }
                f.version = seq;
                vec![R::Firearm(firearm.clone())]
            }
            Event::FirearmLoaded { firearm, container, class, count, lots, .. } => {
                let ct = self.container_mut(container)?;
                for (lot, n) in lots {
                    let have = ct.contents.get(lot).copied().unwrap_or(0);
                    let left = have
                        .checked_sub(*n)
                        .ok_or_else(|| format!("container {container} lacks {n} rounds of {lot}"))?;
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
                f.checks.issued = Some(Issued {
                    class: class.clone(),
                    count: *count,
                    container: container.clone(),
                    lots: lots.clone(),
                });
                f.checks.demonstrated = None;
                f.checks.shown.clear();
                f.version = seq;
                vec![R::Firearm(firearm.clone()), R::Container(container.clone())]
            }
            Event::FirearmDeclaredEmpty { firearm, .. } => {
                let f = self.firearm_mut(firearm)?;
                f.checks.load_seq = seq;
                f.checks.demonstrated = None;
                f.checks.shown.clear();
                f.version = seq;
                vec![R::Firearm(firearm.clone())]
            }
            Event::FirearmUnloaded { firearm, container, returned, .. } => {
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
                vec![R::Firearm(firearm.clone()), R::Container(container.clone())]
            }
            Event::RoundsDiscrepancyFound { firearm, class, issued, fired, returned } => {
                self.safety.discrepancies.push(Discrepancy {
                    class: class.clone(),
                    firearm: firearm.clone(),
                    issued: *issued,
                    fired: *fired,
                    returned: *returned,
                    found_at: at,
                });
                self.safety.version = seq;
                vec![R::Safety]
            }
            Event::RoundsDiscrepancyResolved { class, .. } => {
                self.safety.discrepancies.retain(|d| &d.class != class);
                self.safety.version = seq;
                vec![R::Safety]
            }
            Event::FirearmDemonstrated { firearm, ad, load_seq, .. } => {
                let f = self.firearm_mut(firearm)?;
                f.checks.demonstrated = Some(Acknowledgement { by: ad.clone(), at, load_seq: *load_seq });
                f.version = seq;
                vec![R::Firearm(firearm.clone())]
            }
            Event::FirearmShown { firearm, person, load_seq, .. } => {
                let f = self.firearm_mut(firearm)?;
                f.checks.shown.retain(|a| &a.by != person);
                f.checks.shown.push(Acknowledgement { by: person.clone(), at, load_seq: *load_seq });
                f.version = seq;
                vec![R::Firearm(firearm.clone())]
            }
            Event::HoldPlaced { scope, by, reason } => {
                self.safety.holds.insert(
                    seq,
                    Hold {
                        id: seq,
                        scope: scope.clone(),
                        placed_by: by.clone(),
                        reason: reason.clone(),
                        placed_at: at,
                    },
                );
                self.safety.version = seq;
                vec![R::Safety]
            }
            Event::HoldLifted { hold, .. } => {
                self.safety.holds.remove(hold).ok_or_else(|| format!("no hold {hold}"))?;
                self.safety.version = seq;
                vec![R::Safety]
            }
            Event::OverrideRecorded { rule, firearm, scene, by, reason } => {
                self.safety.overrides.insert(
                    seq,
                    Override {
                        id: seq,
                        rule: *rule,
                        firearm: firearm.clone(),
                        scene: scene.clone(),
                        by: by.clone(),
                        reason: reason.clone(),
                        at,
                    },
                );
                self.safety.version = seq;
                vec![R::Safety]
            }
            Event::LiveExceptionApproved { kind, range, medic, from, until, reference, by } => {
                self.safety.live_exceptions.insert(
                    seq,
                    LiveException {
                        id: seq,
                        kind: *kind,
                        range: range.clone(),
                        medic: medic.clone(),
                        from: *from,
                        until: *until,
                        reference: reference.clone(),
                        approved_by: by.clone(),
                    },
                );
                self.safety.version = seq;
                vec![R::Safety]
            }
            // A transport changes no custody: the escort already holds everything moved.
            Event::TransportRecorded { .. } => Vec::new(),
            // Reporting events were applied above; reaching here would be a bug.
            other => return Err(format!("{} is not a state event", other.kind())),
        };
        Ok(touched)
    }

    fn scene_mut(&mut self, id: &SceneId) -> Result<&mut Scene, String> {
        self.scenes.get_mut(id).ok_or_else(|| missing("scene", id))
    }

    fn set_status(&mut self, id: &SceneId, status: SceneStatus, seq: u64) -> Result<Vec<EntityRef>, String> {
        let sc = self.scene_mut(id)?;
        sc.status = status;
        sc.version = seq;
        Ok(vec![EntityRef::Scene(id.clone())])
    }

    fn person_mut(&mut self, id: &PersonId) -> Result<&mut Person, String> {
        self.people.get_mut(id).ok_or_else(|| missing("person", id))
    }

    fn firearm_mut(&mut self, id: &FirearmId) -> Result<&mut Firearm, String> {
        self.firearms.get_mut(id).ok_or_else(|| missing("firearm", id))
    }

    fn container_mut(&mut self, id: &ContainerId) -> Result<&mut Container, String> {
        self.containers.get_mut(id).ok_or_else(|| missing("container", id))
    }

    fn location_mut(&mut self, id: &LocationId) -> Result<&mut StorageLocation, String> {
        self.locations.get_mut(id).ok_or_else(|| missing("storage location", id))
    }

    /// The version (last changing sequence number) of one record, if it exists.
    pub fn version_of(&self, entity: &EntityRef) -> Option<u64> {
        match entity {
            EntityRef::Production => self.info.as_ref().map(|i| i.version),
            EntityRef::Person(id) => self.people.get(id).map(|p| p.version),
            EntityRef::Firearm(id) => self.firearms.get(id).map(|f| f.version),
            EntityRef::Lot(id) => self.lots.get(id).map(|l| l.version),
            EntityRef::Container(id) => self.containers.get(id).map(|c| c.version),
            EntityRef::Location(id) => self.locations.get(id).map(|l| l.version),
            EntityRef::Scene(id) => self.scenes.get(id).map(|s| s.version),
            EntityRef::Safety => Some(self.safety.version),
            EntityRef::Reporting => Some(self.reporting.version),
        }
    }

    /// The projection row for one record, if it exists.
    pub fn row(&self, entity: &EntityRef) -> Option<ProjectionRow> {
        fn make<T: Serialize>(kind: &'static str, id: &str, version: u64, v: &T) -> ProjectionRow {
            ProjectionRow {
                kind: kind.to_owned(),
                id: id.to_owned(),
                version,
                body: serde_json::to_string(v).unwrap_or_default(),
            }
        }
        match entity {
            EntityRef::Production => self.info.as_ref().map(|i| make("production", i.id.as_str(), i.version, i)),
            EntityRef::Person(id) => self.people.get(id).map(|p| make("person", id.as_str(), p.version, p)),
            EntityRef::Firearm(id) => self.firearms.get(id).map(|f| make("firearm", id.as_str(), f.version, f)),
            EntityRef::Lot(id) => self.lots.get(id).map(|l| make("lot", id.as_str(), l.version, l)),
            EntityRef::Container(id) => self.containers.get(id).map(|c| make("container", id.as_str(), c.version, c)),
            EntityRef::Location(id) => self.locations.get(id).map(|l| make("location", id.as_str(), l.version, l)),
            EntityRef::Scene(id) => self.scenes.get(id).map(|s| make("scene", id.as_str(), s.version, s)),
            EntityRef::Safety => Some(make("safety", "safety", self.safety.version, &self.safety)),
            EntityRef::Reporting => Some(make("reporting", "reporting", self.reporting.version, &self.reporting)),
        }
    }

    /// Every projection row, sorted by (kind, id): what a full rebuild must reproduce.
    pub fn all_rows(&self) -> Vec<ProjectionRow> {
        let mut refs = vec![EntityRef::Production];
        refs.extend(self.people.keys().cloned().map(EntityRef::Person));
        refs.extend(self.firearms.keys().cloned().map(EntityRef::Firearm));
        refs.extend(self.lots.keys().cloned().map(EntityRef::Lot));
        refs.extend(self.containers.keys().cloned().map(EntityRef::Container));
        refs.extend(self.locations.keys().cloned().map(EntityRef::Location));
        refs.extend(self.scenes.keys().cloned().map(EntityRef::Scene));
        refs.push(EntityRef::Safety);
        refs.push(EntityRef::Reporting);
        let mut rows: Vec<ProjectionRow> = refs.iter().filter_map(|r| self.row(r)).collect();
        rows.sort_by(|a, b| (&a.kind, &a.id).cmp(&(&b.kind, &b.id)));
        rows
    }
}
