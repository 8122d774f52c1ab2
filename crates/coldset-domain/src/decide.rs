//! The decider: given the current state, who is asking, and what, either refuse (naming
//! every rule that forbids it) or return the events to record. Pure: no clock, no I/O;
//! the caller passes the instant and the production's local date.

use crate::commands::Command;
use crate::events::{Actor, Event};
use crate::ids::*;
use crate::model::*;
use crate::permissions;
use crate::rules::{Checks, Denial, RuleId};
use crate::state::ProductionState;
use crate::text::{fields as F, limits};
use crate::time::{Date, Timestamp};
use std::collections::BTreeMap;

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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A safety rule forbids it.
    #[error("refused: {0}")]
    Denied(Denial),
    /// The input is malformed or incomplete.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// It names a record that does not exist.
    #[error("no {what} '{id}' in this production")]
    NotFound { what: &'static str, id: String },
    /// This actor's role may not issue this command at all.
    #[error("{0}")]
    Forbidden(String),
    /// The state the caller saw has changed since (optimistic concurrency).
    #[error("{0}")]
    Conflict(String),
}

impl From<Denial> for DomainError {
    fn from(d: Denial) -> Self {
        DomainError::Denied(d)
    }
}

pub(crate) fn invalid(field: &str, message: impl Into<String>) -> DomainError {
    DomainError::Invalid { field: field.to_owned(), message: message.into() }
}

fn party(p: &Party) -> Result<Party, DomainError> {
    Ok(Party {
        name: F::PARTY_NAME.required(&p.name)?,
        licence: F::PARTY_LICENCE.or_empty(&p.licence)?,
        document: F::PARTY_DOCUMENT.required(&p.document)?,
    })
}

/// A blank's load size is a short single line (it names the class on labels and refusals).
fn checked_class(class: &AmmoClass) -> Result<AmmoClass, DomainError> {
    Ok(match class {
        AmmoClass::Blank { load } => AmmoClass::Blank { load: F::BLANK_LOAD.required(load)? },
        other => other.clone(),
    })
}

pub(crate) fn deny(rule: RuleId, reason: String, remedy: &'static str) -> DomainError {
    let mut c = Checks::new();
    c.fail(rule, reason, remedy);
    match c.finish() {
        Err(d) => DomainError::Denied(d),
        Ok(()) => DomainError::Forbidden(String::new()),
    }
}

/// Decides a command. On success the events are in the order they must be recorded.
pub fn decide(
    state: &ProductionState,
    ctx: &Context,
    actor: &Actor,
    command: &Command,
) -> Result<Vec<Event>, DomainError> {
    authorize(state, actor, command)?;
    let decided = Decider { state, ctx, actor }.run(command);
    // R-INC-2 by construction: whatever the command's own checks say, an item it would move
    // that is frozen as evidence refuses it, and the refusal lists every other failing rule.
    let (firearms, containers) = moved_items(state, command);
    let mut frozen = Checks::new();
    for f in &firearms {
        crate::reports::check_not_frozen(&mut frozen, state, Some(f), None);
    }
    for ct in &containers {
        crate::reports::check_not_frozen(&mut frozen, state, None, Some(ct));
    }
    let Err(frozen) = frozen.finish() else { return decided };
    let mut violations = match decided {
        Err(DomainError::Denied(d)) => d.violations,
        _ => Vec::new(),
    };
    for v in frozen.violations {
        // The hand-off gate checks it too (for its query form): name it once.
        if !violations.contains(&v) {
            violations.push(v);
        }
    }
    Err(DomainError::Denied(Denial { violations }))
}

/// The firearms and containers a command would move, load, unload, hand on, transport,
/// store, repair or dispose of: what R-INC-2 keeps still while it is frozen as evidence.
/// Exhaustive on purpose (no `_` arm): a new command does not compile until it is classified.
///
/// Deliberately not moves: collecting a firearm from a performer (a firearm is never left in
/// a performer's hands, and the collection is recorded in the custody chain), withdrawing it
/// as faulty, inspecting it and the records about it (acknowledgements, corrections).
pub fn moved_items(state: &ProductionState, command: &Command) -> (Vec<FirearmId>, Vec<ContainerId>) {
    let one = |f: &FirearmId| vec![f.clone()];
    match command {
        Command::StoreFirearm { firearm, .. }
        | Command::TakeFirearm { firearm, .. }
        | Command::HandOff { firearm, .. }
        | Command::RecordRepair { firearm, .. }
        | Command::DisposeFirearm { firearm, .. }
        | Command::DeclareEmpty { firearm } => (one(firearm), Vec::new()),
        Command::LoadFirearm { firearm, container, .. } => (one(firearm), vec![container.clone()]),
        Command::UnloadFirearm { firearm, .. } => {
            let issued = state.firearms.get(firearm).and_then(|f| f.checks.issued.as_ref());
            (one(firearm), issued.map(|i| vec![i.container.clone()]).unwrap_or_default())
        }
        Command::MoveRounds { from, to, .. } => (Vec::new(), vec![from.clone(), to.clone()]),
        Command::StoreContainer { container, .. }
        | Command::TakeContainer { container }
        | Command::HandContainer { container, .. } => (Vec::new(), vec![container.clone()]),
        Command::RecordTransport { firearms, containers, .. } => (firearms.clone(), containers.clone()),
        Command::Collect { .. }
        | Command::WithdrawFirearm { .. }
        | Command::InspectFirearm { .. }
        | Command::CorrectFirearmDetails { .. }
        | Command::AcknowledgeDemonstration { .. }
        | Command::AcknowledgeShown { .. }
        | Command::CreateProduction { .. }
        | Command::AddPerson { .. }
        | Command::AssignRole { .. }
        | Command::RemoveRole { .. }
        | Command::RecordCredential { .. }
        | Command::ApproveSupplier { .. }
        | Command::AddLocation { .. }
        | Command::OpenStorage { .. }
        | Command::CloseStorage { .. }
        | Command::IntakeFirearm { .. }
        | Command::IntakeLot { .. }
        | Command::VerifyLot { .. }
        | Command::CreateContainer { .. }
        | Command::PlanScene { .. }
        | Command::RevisePlan { .. }
        | Command::ApprovePlan { .. }
        | Command::HoldMeeting { .. }
        | Command::SignOffMeeting { .. }
        | Command::MarkSceneReady { .. }
        | Command::CallScene { .. }
        | Command::WrapScene { .. }
        | Command::DeclineFirearm { .. }
        | Command::ChangePolicy { .. }
        | Command::RequireSecondFactor { .. }
        | Command::OpenDay { .. }
        | Command::CloseDay { .. }
        | Command::ResolveAlert { .. }
        | Command::SuperviseAssistant { .. }
        | Command::RecordCompetence { .. }
        | Command::ResolveDiscrepancy { .. }
        | Command::PlaceHold { .. }
        | Command::LiftHold { .. }
        | Command::RecordOverride { .. }
        | Command::RecordAuthorityNotice { .. }
        | Command::RecordLiveException { .. }
        | Command::SetContacts { .. }
        | Command::FileReport { .. }
        | Command::AddToReport { .. }
        | Command::AcknowledgeReport { .. }
        | Command::AnswerReport { .. }
        | Command::ReviewReport { .. }
        | Command::CloseReport { .. }
        | Command::Tick
        | Command::ReportIncident { .. }
        | Command::NotifyRegulator { .. }
        | Command::SignInvestigation { .. }
        | Command::ReleaseEvidence { .. } => (Vec::new(), Vec::new()),
    }
}

/// The permission table check (see permissions.rs).
pub fn authorize(state: &ProductionState, actor: &Actor, command: &Command) -> Result<(), DomainError> {
    match actor {
        Actor::Admin { .. } => {
            if permissions::admin_may(command) {
                Ok(())
            } else {
                Err(DomainError::Forbidden(format!(
                    "an administrator account cannot {}: custody steps are done by the people on set",
                    command.name().replace('_', " ")
                )))
            }
        }
        Actor::Anonymous => {
            if permissions::anonymous_may(command) {
                Ok(())
            } else {
                Err(DomainError::Forbidden(
                    "sign in to do this; without an account you can file and follow up safety reports".into(),
                ))
            }
        }
        Actor::System => {
            if permissions::system_may(command) {
                Ok(())
            } else {
                Err(DomainError::Forbidden("coldset itself only runs clock-driven work".into()))
            }
        }
        Actor::Person { person } => {
            let p = state
                .people
                .get(person)
                .ok_or_else(|| DomainError::Forbidden(format!("{person} is not a member of this production")))?;
            if permissions::person_may(&p.roles, command) {
                Ok(())
            } else {
                Err(DomainError::Forbidden(format!(
                    "{} ({}) may not {}",
                    p.name,
                    p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
                    command.name().replace('_', " ")
                )))
            }
        }
    }
}

pub(crate) struct Decider<'a> {
    pub(crate) state: &'a ProductionState,
    pub(crate) ctx: &'a Context,
    pub(crate) actor: &'a Actor,
}

impl<'a> Decider<'a> {
    fn run(&self, command: &Command) -> Result<Vec<Event>, DomainError> {
        if self.state.info.is_none() && !matches!(command, Command::CreateProduction { .. }) {
            return Err(DomainError::NotFound { what: "production", id: String::new() });
        }
        match command {
            Command::CreateProduction { id, name, time_zone, packs, compliance_contact } => {
                if self.state.info.is_some() {
                    return Err(DomainError::Conflict(format!("production {id} already exists")));
                }
                let packs = crate::policy::parse_packs(packs).map_err(|m| invalid("packs", m))?;
                if compliance_contact.trim().is_empty() {
                    return Err(deny(
                        RuleId::Role5,
                        "the production names no compliance contact".into(),
                        "name the person cast, crew, unions and regulators can reach about safety",
                    ));
                }
                Ok(vec![Event::ProductionCreated {
                    production: id.clone(),
                    name: F::PRODUCTION_NAME.required(name)?,
                    time_zone: F::TIME_ZONE.required(time_zone)?,
                    packs,
                    compliance_contact: F::COMPLIANCE_CONTACT.required(compliance_contact)?,
                }])
            }
            Command::AddPerson { name, roles } => {
                if roles.is_empty() {
                    return Err(invalid("roles", "give at least one role"));
                }
                let name = F::PERSON_NAME.required(name)?;
                let alerts = self.check_role_combination(None, &name, roles)?;
                let mut events = vec![Event::PersonAdded {
                    person: PersonId::numbered(self.state.people.len() as u64 + 1),
                    name,
                    roles: roles.clone(),
                }];
                events.extend(alerts);
                Ok(events)
            }
            Command::AssignRole { person, role } => {
                let p = self.person(person)?;
                if p.has_role(*role) {
                    return Err(invalid("role", format!("{} already has the role {role}", p.name)));
                }
                let mut roles = p.roles.clone();
                roles.insert(*role);
                let alerts = self.check_role_combination(Some(person), &p.name, &roles)?;
                let mut events = vec![Event::RoleAssigned { person: person.clone(), role: *role }];
                events.extend(alerts);
                Ok(events)
            }
            Command::RemoveRole { person, role } => {
                let p = self.person(person)?;
                if !p.has_role(*role) {
                    return Err(invalid("role", format!("{} does not have the role {role}", p.name)));
                }
                let mut roles = p.roles.clone();
                roles.remove(role);
                let still_may_hold =
                    roles.iter().any(|r| matches!(r, Role::Armorer | Role::AssistantArmorer | Role::Performer));
                let holds_something = self.state.firearms.values().any(|f| f.holder.person() == Some(person))
                    || self.state.containers.values().any(|c| c.holder.person() == Some(person));
                if holds_something && !still_may_hold {
                    return Err(deny(
                        RuleId::Role1,
                        format!("{} still holds firearms or ammunition", p.name),
                        "have the armorer collect everything they hold first",
                    ));
                }
                Ok(vec![Event::RoleRemoved { person: person.clone(), role: *role }])
            }
            Command::RecordCredential { person, credential } => {
                self.person(person)?;
                // R-REC-4: the training and competence record names what it is: its number,
                // its issuer and, for a licence, permit or certification, the kinds it covers.
                let mut c = Checks::new();
                for (field, value) in [("number", &credential.number), ("issuer", &credential.issuer)] {
                    c.require(
                        !value.trim().is_empty(),
                        RuleId::Rec4,
                        || format!("the credential's {field} is missing"),
                        "record the credential's number and issuer as they appear on it",
                    );
                }
                c.require(
                    !credential.covers.is_empty() || credential.kind == CredentialKind::SafetyCourse,
                    RuleId::Rec4,
                    || format!("the {} covers no weapon kind", credential.kind),
                    "name the weapon kinds it covers",
                );
                c.finish()?;
                let c = Credential {
                    kind: credential.kind,
                    number: F::CREDENTIAL_NUMBER.required(&credential.number)?,
                    issuer: F::CREDENTIAL_ISSUER.required(&credential.issuer)?,
                    expires_on: credential.expires_on,
                    covers: credential.covers.clone(),
                };
                Ok(vec![Event::CredentialRecorded { person: person.clone(), credential: c }])
            }
            Command::ApproveSupplier { supplier } => {
                let supplier = F::SUPPLIER.required(supplier)?;
                Ok(vec![Event::SupplierApproved { supplier }])
            }
            Command::AddLocation { name, kind, authorised } => {
                for p in authorised {
                    self.person(p)?;
                }
                if authorised.is_empty() {
                    return Err(invalid("authorised", "name at least one person who may open it (R-STORE-3)"));
                }
                Ok(vec![Event::LocationAdded {
                    location: LocationId::numbered(self.state.locations.len() as u64 + 1),
                    name: F::LOCATION_NAME.required(name)?,
                    kind: *kind,
                    authorised: authorised.clone(),
                }])
            }
            Command::OpenStorage { location } => {
                let by = self.acting_person()?;
                let loc = self.location(location)?;
                let mut c = Checks::new();
                self.check_authorised(&mut c, loc, by);
                c.require(
                    loc.opened.is_none(),
                    RuleId::Store3,
                    || format!("{} is already open", loc.name),
                    "close it first, or work with it as it is",
                );
                c.finish()?;
                Ok(vec![Event::StorageOpened { location: location.clone(), by: by.id.clone() }])
            }
            Command::CloseStorage { location } => {
                let by = self.acting_person()?;
                let loc = self.location(location)?;
                let mut c = Checks::new();
                self.check_authorised(&mut c, loc, by);
                c.require(
                    loc.opened.is_some(),
                    RuleId::Store3,
                    || format!("{} is not open", loc.name),
                    "nothing to do: it is locked",
                );
                c.finish()?;
                Ok(vec![Event::StorageClosed { location: location.clone(), by: by.id.clone() }])
            }
            Command::IntakeFirearm { kind, make, model, serial, calibre, condition, acquired_from } => {
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
                let duplicate = self.state.firearms.values().any(|f| {
                    f.serial.eq_ignore_ascii_case(&serial) && !matches!(f.status, FirearmStatus::Disposed { .. })
                });
                c.require(
                    !duplicate,
                    RuleId::Store5,
                    || format!("a firearm with serial {serial} is already registered"),
                    "open the existing record instead of registering it twice",
                );
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
            Command::StoreFirearm { firearm, location } => {
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
                Ok(vec![Event::FirearmStored {
                    firearm: firearm.clone(),
                    location: location.clone(),
                    by: by.id.clone(),
                }])
            }
            Command::TakeFirearm { firearm, scene } => self.take_firearm(firearm, scene.as_ref()),
            Command::HandOff { firearm, to, scene } => {
                let by = self.acting_person()?;
                let confirmed = self.ctx.attested.contains(to);
                let decision = crate::gate::hand_off(self, &by.id, firearm, to, scene.as_ref(), Some(confirmed))?;
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
            Command::Collect { firearm } => {
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
                Ok(vec![Event::FirearmCollected {
                    firearm: firearm.clone(),
                    from,
                    to: by.id.clone(),
                    returner_confirmed,
                }])
            }
            Command::WithdrawFirearm { firearm, reason } => {
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
                Ok(vec![Event::FirearmWithdrawn {
                    firearm: firearm.clone(),
                    reason: F::WITHDRAW_REASON.required(reason)?,
                }])
            }
            Command::RecordRepair { firearm, repaired_by, notes } => {
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
            Command::DisposeFirearm { firearm, disposition, to } => {
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
            Command::CorrectFirearmDetails { firearm, corrects_seq, reason, make, model, serial, calibre } => {
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
                        .firearms
                        .values()
                        .any(|o| o.id != *firearm && live(o) && o.serial.eq_ignore_ascii_case(new_serial));
                c.require(
                    !duplicate,
                    RuleId::Store5,
                    || format!("a firearm with serial {new_serial} is already registered"),
                    "check the serial: another firearm record already carries it",
                );
                c.require(
                    self.state.last_seq.is_some_and(|last| *corrects_seq <= last),
                    RuleId::Rec6,
                    || format!("there is no record {corrects_seq} to correct"),
                    "name the sequence number of the record being corrected",
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
            Command::IntakeLot { class, calibre, rounds, provenance, home_made, container_label } => {
                self.intake_lot(class, calibre, *rounds, provenance, *home_made, container_label)
            }
            Command::VerifyLot { lot, method, rounds_checked, other_class_found } => {
                self.verify_lot(lot, *method, *rounds_checked, *other_class_found)
            }
            Command::CreateContainer { label, class, calibre } => {
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
            Command::MoveRounds { from, to, rounds } => self.move_rounds(from, to, *rounds),
            Command::StoreContainer { container, location } => {
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
                Ok(vec![Event::ContainerStored {
                    container: container.clone(),
                    location: location.clone(),
                    by: by.id.clone(),
                }])
            }
            Command::TakeContainer { container } => {
                let by = self.acting_person()?;
                let ct = self.container(container)?;
                let mut c = Checks::new();
                // Not in storage is one failing rule among others: every rule is still checked.
                let location = match &ct.holder {
                    Holder::Storage { location } => Some(location),
                    Holder::Person { .. } => {
                        c.fail(
                            RuleId::Role1,
                            format!(
                                "container {} is not in storage: it is with {}",
                                ct.label,
                                self.holder_name(&ct.holder)
                            ),
                            "take it from the person who holds it",
                        );
                        None
                    }
                };
                c.require(by.is_armorer_side(), RuleId::Store2, || {
                    format!("{} is not on the armorer's team: ammunition outside storage stays under the armorer's supervision", by.name)
                }, "ask the armorer to take out the ammunition");
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
            Command::HandContainer { container, to } => {
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
            Command::PlanScene { number, description, day, plan } => self.plan_scene(number, description, *day, plan),
            Command::RecordLiveException { kind, range, medic, from, until, reference } => {
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
                    return Err(invalid(
                        "until",
                        "the exception must end on or after its first day, and not in the past",
                    ));
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
            Command::RecordTransport { firearms, containers, from, to, locked_case } => {
                let by = self.acting_person()?;
                if firearms.is_empty() && containers.is_empty() {
                    return Err(invalid("firearms", "name what is being moved"));
                }
                let mut c = Checks::new();
                c.require(
                    by.is_armorer_side(),
                    RuleId::Store6,
                    || format!("{} is not on the armorer's team", by.name),
                    "a named person from the armory accompanies firearms in transport",
                );
                c.require(
                    *locked_case,
                    RuleId::Store6,
                    || "firearms and ammunition travel in a locked case".to_owned(),
                    "lock them in a case before moving them",
                );
                for f in firearms {
                    let f = self.firearm_not_disposed(f)?;
                    self.check_holds(&mut c, &f.holder, by, "firearm", f.id.as_str());
                }
                for ct in containers {
                    let ct = self.container(ct)?;
                    self.check_holds(&mut c, &ct.holder, by, "container", &ct.label);
                    self.check_not_live(&mut c, ct);
                }
                c.finish()?;
                Ok(vec![Event::TransportRecorded {
                    escort: by.id.clone(),
                    firearms: firearms.clone(),
                    containers: containers.clone(),
                    from: F::TRANSPORT_FROM.required(from)?,
                    to: F::TRANSPORT_TO.required(to)?,
                    locked_case: *locked_case,
                }])
            }
            Command::SetContacts { .. }
            | Command::RecordAuthorityNotice { .. }
            | Command::FileReport { .. }
            | Command::AddToReport { .. }
            | Command::AcknowledgeReport { .. }
            | Command::AnswerReport { .. }
            | Command::ReviewReport { .. }
            | Command::CloseReport { .. }
            | Command::Tick
            | Command::ReportIncident { .. }
            | Command::NotifyRegulator { .. }
            | Command::SignInvestigation { .. }
            | Command::ReleaseEvidence { .. } => self.reports(command),
            other => self.protocol(other),
        }
    }

    fn intake_lot(
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

    /// R-AMMO-1: live rounds never leave the range location they were received into.
    fn check_not_live(&self, c: &mut Checks, ct: &Container) {
        c.require(
            ct.class != AmmoClass::Live,
            RuleId::Ammo1,
            || format!("{} holds live rounds: they never leave the range location", ct.label),
            "live rounds stay in the range under the approved exception; they never go to a set location",
        );
    }

    fn verify_lot(
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

    fn move_rounds(&self, from: &ContainerId, to: &ContainerId, rounds: u32) -> Result<Vec<Event>, DomainError> {
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

    fn label_taken(&self, label: &str) -> bool {
        self.state.containers.values().any(|c| c.label.eq_ignore_ascii_case(label))
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
}

pub(crate) fn not_found(what: &'static str, id: &str) -> DomainError {
    DomainError::NotFound { what, id: id.to_owned() }
}

/// Rounds per lot, for reports (kept here so the UI does not re-derive counts).
pub fn rounds_by_class(state: &ProductionState) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for c in state.containers.values() {
        *out.entry(c.class.to_string()).or_insert(0) += c.count();
    }
    out
}
