//! Events: what happened, in the past tense, with stable dotted kind names that are never
//! reused. The byte encoding of an [`Envelope`] is the ledger leaf, so it is canonical:
//! compact JSON, fields in declaration order, sets and maps sorted, integers only (no floats),
//! absent optionals written as `null`. `decode` then `encode` must give back the same bytes;
//! the verifier checks that. See docs/ledger.md.

use crate::ids::*;
use crate::model::*;
use crate::rules::RuleId;
use crate::safety::*;
use crate::time::{Date, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The encoding version written in every envelope.
pub const ENCODING_VERSION: u32 = 1;

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    /// A person of the production, acting for themselves.
    Person { person: PersonId },
    /// An installation administrator account (setup only).
    Admin { account: String },
    /// Someone without an account: a crew member filing a safety report from the public
    /// page, or following it up with its key. Nothing about them is recorded.
    Anonymous,
    /// coldset itself: deadlines and escalations driven by the clock.
    System,
}

impl Actor {
    pub fn person(&self) -> Option<&PersonId> {
        match self {
            Actor::Person { person } => Some(person),
            Actor::Admin { .. } | Actor::Anonymous | Actor::System => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Actor::Person { person } => person.to_string(),
            Actor::Admin { account } => format!("admin:{account}"),
            Actor::Anonymous => "anonymous".into(),
            Actor::System => "system".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body")]
pub enum Event {
    #[serde(rename = "production.created")]
    ProductionCreated {
        production: ProductionId,
        name: String,
        time_zone: String,
        packs: Vec<String>,
        compliance_contact: String,
    },
    #[serde(rename = "person.added")]
    PersonAdded { person: PersonId, name: String, roles: BTreeSet<Role> },
    #[serde(rename = "person.role_assigned")]
    RoleAssigned { person: PersonId, role: Role },
    #[serde(rename = "person.role_removed")]
    RoleRemoved { person: PersonId, role: Role },
    #[serde(rename = "credential.recorded")]
    CredentialRecorded { person: PersonId, credential: Credential },
    /// R-REC-6: the credential recorded at `corrects_seq` (or its latest correction) is
    /// replaced by `credential`; the record corrected stays in the log.
    #[serde(rename = "credential.corrected")]
    CredentialCorrected { person: PersonId, corrects_seq: u64, reason: String, credential: Credential },
    #[serde(rename = "supplier.approved")]
    SupplierApproved { supplier: String },
    #[serde(rename = "location.added")]
    LocationAdded { location: LocationId, name: String, kind: LocationKind, authorised: BTreeSet<PersonId> },
    #[serde(rename = "storage.opened")]
    StorageOpened { location: LocationId, by: PersonId },
    #[serde(rename = "storage.closed")]
    StorageClosed { location: LocationId, by: PersonId },
    #[serde(rename = "firearm.received")]
    FirearmReceived {
        firearm: FirearmId,
        kind: FirearmKind,
        make: String,
        model: String,
        serial: String,
        calibre: String,
        condition: String,
        acquired_from: Party,
        received_by: PersonId,
    },
    #[serde(rename = "firearm.stored")]
    FirearmStored { firearm: FirearmId, location: LocationId, by: PersonId },
    #[serde(rename = "firearm.taken_out")]
    FirearmTakenOut { firearm: FirearmId, location: LocationId, by: PersonId, scene: Option<SceneId> },
    /// A hand-off to a performer, with the gate decision that allowed it: every rule
    /// checked, overrides used, and how the receiver confirmed.
    #[serde(rename = "firearm.handed_off")]
    FirearmHandedOff {
        firearm: FirearmId,
        from: PersonId,
        to: PersonId,
        scene: Option<SceneId>,
        rules_checked: Vec<RuleId>,
        overrides: Vec<u64>,
        receiver_confirmed: bool,
    },
    #[serde(rename = "firearm.collected")]
    FirearmCollected { firearm: FirearmId, from: PersonId, to: PersonId, returner_confirmed: bool },
    #[serde(rename = "firearm.withdrawn")]
    FirearmWithdrawn { firearm: FirearmId, reason: String },
    #[serde(rename = "firearm.repaired")]
    FirearmRepaired { firearm: FirearmId, repaired_by: String, notes: String },
    #[serde(rename = "firearm.disposed")]
    FirearmDisposed { firearm: FirearmId, disposition: DispositionKind, to: Party },
    #[serde(rename = "firearm.details_corrected")]
    FirearmDetailsCorrected {
        firearm: FirearmId,
        corrects_seq: u64,
        reason: String,
        make: String,
        model: String,
        serial: String,
        calibre: String,
    },
    #[serde(rename = "lot.received")]
    LotReceived {
        lot: LotId,
        class: AmmoClass,
        calibre: String,
        rounds: u32,
        provenance: Provenance,
        state: LotState,
        container: ContainerId,
        container_label: String,
        received_by: PersonId,
    },
    #[serde(rename = "lot.verified")]
    LotVerified { lot: LotId, by: PersonId, method: VerificationMethod, rounds_checked: u32 },
    #[serde(rename = "lot.rejected")]
    LotRejected { lot: LotId, by: PersonId, reason: String, other_class_found: u32 },
    #[serde(rename = "container.created")]
    ContainerCreated { container: ContainerId, label: String, class: AmmoClass, calibre: String, holder: PersonId },
    #[serde(rename = "rounds.moved")]
    RoundsMoved { from: ContainerId, to: ContainerId, lot: LotId, rounds: u32 },
    #[serde(rename = "container.stored")]
    ContainerStored { container: ContainerId, location: LocationId, by: PersonId },
    #[serde(rename = "container.taken_out")]
    ContainerTakenOut { container: ContainerId, location: LocationId, by: PersonId },
    #[serde(rename = "container.handed_over")]
    ContainerHandedOver { container: ContainerId, from: PersonId, to: PersonId },
    #[serde(rename = "scene.planned")]
    ScenePlanned { scene: SceneId, number: String, description: String, day: Date, plan: ScenePlan },
    #[serde(rename = "scene.plan_revised")]
    ScenePlanRevised { scene: SceneId, version: u32, plan: ScenePlan, reason: String },
    #[serde(rename = "scene.plan_approved")]
    ScenePlanApproved { scene: SceneId, version: u32, by: PersonId, role: Role },
    #[serde(rename = "meeting.held")]
    MeetingHeld { scene: SceneId, plan_version: u32, agenda: Agenda, attendees: BTreeSet<PersonId> },
    #[serde(rename = "meeting.signed_off")]
    MeetingSignedOff { scene: SceneId, plan_version: u32, by: PersonId, role: Role },
    #[serde(rename = "scene.marked_ready")]
    SceneMarkedReady { scene: SceneId, by: PersonId },
    #[serde(rename = "scene.called")]
    SceneCalled { scene: SceneId, by: PersonId },
    #[serde(rename = "scene.wrapped")]
    SceneWrapped { scene: SceneId, by: PersonId },
    #[serde(rename = "firearm.declined")]
    FirearmDeclined { scene: SceneId, person: PersonId, reason: String },
    #[serde(rename = "policy.changed")]
    PolicyChanged { packs: Vec<String> },
    #[serde(rename = "policy.second_factor_required")]
    SecondFactorRequired { roles: BTreeSet<Role> },
    #[serde(rename = "day.opened")]
    DayOpened { date: Date, by: PersonId, call_sheet: CallSheet, counts: Vec<CountLine> },
    #[serde(rename = "day.closed")]
    DayClosed { date: Date, by: PersonId, counts: Vec<CountLine> },
    #[serde(rename = "alert.raised")]
    AlertRaised { rule: RuleId, message: String },
    #[serde(rename = "alert.resolved")]
    AlertResolved { alert: u64, by: PersonId, note: String },
    #[serde(rename = "assistant.supervised")]
    AssistantSupervised { assistant: PersonId, by: PersonId },
    #[serde(rename = "competence.recorded")]
    CompetenceRecorded { person: PersonId, model: String, by: PersonId, notes: String },
    #[serde(rename = "firearm.inspected")]
    FirearmInspected {
        firearm: FirearmId,
        stage: InspectionStage,
        by: PersonId,
        barrel_clear: bool,
        fault: Option<String>,
    },
    #[serde(rename = "firearm.loaded")]
    FirearmLoaded {
        firearm: FirearmId,
        by: PersonId,
        container: ContainerId,
        class: AmmoClass,
        count: u32,
        lots: BTreeMap<LotId, u32>,
        dummy_check: Option<VerificationMethod>,
    },
    #[serde(rename = "firearm.declared_empty")]
    FirearmDeclaredEmpty { firearm: FirearmId, by: PersonId },
    #[serde(rename = "firearm.unloaded")]
    FirearmUnloaded { firearm: FirearmId, by: PersonId, container: ContainerId, fired: u32, returned: u32 },
    #[serde(rename = "rounds.discrepancy_found")]
    RoundsDiscrepancyFound { firearm: FirearmId, class: AmmoClass, issued: u32, fired: u32, returned: u32 },
    #[serde(rename = "rounds.discrepancy_resolved")]
    RoundsDiscrepancyResolved { class: AmmoClass, by: PersonId, explanation: String },
    #[serde(rename = "firearm.demonstrated")]
    FirearmDemonstrated { firearm: FirearmId, armorer: PersonId, ad: PersonId, load_seq: u64 },
    #[serde(rename = "firearm.shown")]
    FirearmShown { firearm: FirearmId, armorer: PersonId, person: PersonId, load_seq: u64 },
    #[serde(rename = "hold.placed")]
    HoldPlaced { scope: HoldScope, by: PersonId, reason: String },
    #[serde(rename = "hold.lifted")]
    HoldLifted { hold: u64, by: PersonId, review: bool, note: String },
    #[serde(rename = "live_exception.approved")]
    LiveExceptionApproved {
        kind: LiveExceptionKind,
        range: LocationId,
        medic: String,
        from: Date,
        until: Date,
        reference: String,
        by: PersonId,
    },
    #[serde(rename = "transport.recorded")]
    TransportRecorded {
        escort: PersonId,
        firearms: Vec<FirearmId>,
        containers: Vec<ContainerId>,
        from: String,
        to: String,
        locked_case: bool,
    },
    #[serde(rename = "authority.notified")]
    AuthorityNotified { authority: crate::reporting::Authority, date: Date, reference: String, by: PersonId },
    #[serde(rename = "contacts.set")]
    ContactsSet { studio_safety_office: String, union_representative: String },
    #[serde(rename = "recipients.set")]
    RecipientsSet { kind: crate::reporting::NotificationKind, addresses: Vec<String> },
    #[serde(rename = "report.filed")]
    ReportFiled {
        severity: crate::reporting::Severity,
        text: String,
        subject: Option<String>,
        /// A name the reporter chose to give; `None` for an anonymous report.
        reporter_name: Option<String>,
        /// SHA-256 of the follow-up key: the only link between the reporter and the report.
        followup_key_hash: String,
        /// SHA-256 (hex) of each photo: the log commits to the exact files.
        photos: Vec<String>,
    },
    #[serde(rename = "report.acknowledged")]
    ReportAcknowledged { report: u64, by: PersonId },
    #[serde(rename = "report.answered")]
    ReportAnswered { report: u64, by: PersonId, text: String },
    #[serde(rename = "report.added_to")]
    ReportAddedTo { report: u64, text: String },
    #[serde(rename = "report.escalated")]
    ReportEscalated { report: u64, level: crate::reporting::EscalationLevel, to: String },
    #[serde(rename = "report.reviewed")]
    ReportReviewed { report: u64, by: PersonId, note: String },
    #[serde(rename = "report.closed")]
    ReportClosed { report: u64, by: PersonId, corrective_action: String },
    #[serde(rename = "incident.reported")]
    IncidentReported {
        kind: crate::reporting::IncidentKind,
        firearm: Option<FirearmId>,
        scene: Option<SceneId>,
        description: String,
        by: PersonId,
        /// Misfires: seconds waited, muzzle safe, before the armorer cleared it (R-MISF-1).
        wait_seconds: Option<u32>,
        /// The records frozen as evidence (R-INC-2), and the log size at that moment.
        frozen_firearms: Vec<FirearmId>,
        frozen_containers: Vec<ContainerId>,
        log_size: u64,
    },
    #[serde(rename = "incident.regulator_notified")]
    RegulatorNotified { incident: u64, by: PersonId, reference: String },
    #[serde(rename = "incident.investigation_signed")]
    InvestigationSigned { incident: u64, by: PersonId, role: Role, cause: String, corrective_action: String },
    #[serde(rename = "incident.evidence_released")]
    EvidenceReleased { incident: u64, by: PersonId, note: String },
    #[serde(rename = "override.recorded")]
    OverrideRecorded { rule: RuleId, firearm: FirearmId, scene: SceneId, by: PersonId, reason: String },
}

impl Event {
    /// The stable dotted name of this kind of event.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::ProductionCreated { .. } => "production.created",
            Event::PersonAdded { .. } => "person.added",
            Event::RoleAssigned { .. } => "person.role_assigned",
            Event::RoleRemoved { .. } => "person.role_removed",
            Event::CredentialRecorded { .. } => "credential.recorded",
            Event::CredentialCorrected { .. } => "credential.corrected",
            Event::SupplierApproved { .. } => "supplier.approved",
            Event::LocationAdded { .. } => "location.added",
            Event::StorageOpened { .. } => "storage.opened",
            Event::StorageClosed { .. } => "storage.closed",
            Event::FirearmReceived { .. } => "firearm.received",
            Event::FirearmStored { .. } => "firearm.stored",
            Event::FirearmTakenOut { .. } => "firearm.taken_out",
            Event::FirearmHandedOff { .. } => "firearm.handed_off",
            Event::FirearmCollected { .. } => "firearm.collected",
            Event::FirearmWithdrawn { .. } => "firearm.withdrawn",
            Event::FirearmRepaired { .. } => "firearm.repaired",
            Event::FirearmDisposed { .. } => "firearm.disposed",
            Event::FirearmDetailsCorrected { .. } => "firearm.details_corrected",
            Event::LotReceived { .. } => "lot.received",
            Event::LotVerified { .. } => "lot.verified",
            Event::LotRejected { .. } => "lot.rejected",
            Event::ContainerCreated { .. } => "container.created",
            Event::RoundsMoved { .. } => "rounds.moved",
            Event::ContainerStored { .. } => "container.stored",
            Event::ContainerTakenOut { .. } => "container.taken_out",
            Event::ContainerHandedOver { .. } => "container.handed_over",
            Event::ScenePlanned { .. } => "scene.planned",
            Event::ScenePlanRevised { .. } => "scene.plan_revised",
            Event::ScenePlanApproved { .. } => "scene.plan_approved",
            Event::MeetingHeld { .. } => "meeting.held",
            Event::MeetingSignedOff { .. } => "meeting.signed_off",
            Event::SceneMarkedReady { .. } => "scene.marked_ready",
            Event::SceneCalled { .. } => "scene.called",
            Event::SceneWrapped { .. } => "scene.wrapped",
            Event::FirearmDeclined { .. } => "firearm.declined",
            Event::PolicyChanged { .. } => "policy.changed",
            Event::SecondFactorRequired { .. } => "policy.second_factor_required",
            Event::DayOpened { .. } => "day.opened",
            Event::DayClosed { .. } => "day.closed",
            Event::AlertRaised { .. } => "alert.raised",
            Event::AlertResolved { .. } => "alert.resolved",
            Event::AssistantSupervised { .. } => "assistant.supervised",
            Event::CompetenceRecorded { .. } => "competence.recorded",
            Event::FirearmInspected { .. } => "firearm.inspected",
            Event::FirearmLoaded { .. } => "firearm.loaded",
            Event::FirearmDeclaredEmpty { .. } => "firearm.declared_empty",
            Event::FirearmUnloaded { .. } => "firearm.unloaded",
            Event::RoundsDiscrepancyFound { .. } => "rounds.discrepancy_found",
            Event::RoundsDiscrepancyResolved { .. } => "rounds.discrepancy_resolved",
            Event::FirearmDemonstrated { .. } => "firearm.demonstrated",
            Event::FirearmShown { .. } => "firearm.shown",
            Event::HoldPlaced { .. } => "hold.placed",
            Event::HoldLifted { .. } => "hold.lifted",
            Event::OverrideRecorded { .. } => "override.recorded",
            Event::ContactsSet { .. } => "contacts.set",
            Event::RecipientsSet { .. } => "recipients.set",
            Event::AuthorityNotified { .. } => "authority.notified",
            Event::TransportRecorded { .. } => "transport.recorded",
            Event::LiveExceptionApproved { .. } => "live_exception.approved",
            Event::ReportFiled { .. } => "report.filed",
            Event::ReportAcknowledged { .. } => "report.acknowledged",
            Event::ReportAnswered { .. } => "report.answered",
            Event::ReportAddedTo { .. } => "report.added_to",
            Event::ReportEscalated { .. } => "report.escalated",
            Event::ReportReviewed { .. } => "report.reviewed",
            Event::ReportClosed { .. } => "report.closed",
            Event::IncidentReported { .. } => "incident.reported",
            Event::RegulatorNotified { .. } => "incident.regulator_notified",
            Event::InvestigationSigned { .. } => "incident.investigation_signed",
            Event::EvidenceReleased { .. } => "incident.evidence_released",
        }
    }
}

/// An event as recorded: which production, its position in that production's log, when,
/// and who. This whole structure, encoded, is the Merkle leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub v: u32,
    pub production: ProductionId,
    pub seq: u64,
    pub at: Timestamp,
    pub actor: Actor,
    pub event: Event,
    /// How the actor, and anyone who confirmed in person, proved who they were. Omitted
    /// (not `null`) when unknown, so records written before it existed keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Authentication>,
}

/// How someone proved who they were when an event was recorded, so a hand-off says not
/// only who confirmed it but how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// A signed-in session, password only.
    Password,
    /// A signed-in session, password and a TOTP code.
    PasswordTotp,
    /// An API token (CLI or integration).
    ApiToken,
    /// A person's own confirmation PIN, typed on the device in hand.
    Pin,
    /// A person's own passkey (WebAuthn, with their device PIN or biometric).
    Passkey,
    /// The operator of the machine, through the local command line (setup, demo).
    Local,
}

/// The actor's method and every in-person confirmation that went with the command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authentication {
    pub method: AuthMethod,
    pub confirmations: Vec<Confirmation>,
    /// When the actor confirmed with their PIN on someone else's signed-in device (the 1st AD
    /// acknowledging a demonstration on the armorer's phone): whose device it was. Omitted
    /// otherwise, so earlier records keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_device_of: Option<PersonId>,
}

/// A person other than the actor who confirmed the command on the same device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub person: PersonId,
    pub method: AuthMethod,
}

#[derive(Debug, thiserror::Error)]
pub enum EncodingError {
    #[error("record is not a valid coldset event: {0}")]
    Malformed(String),
    #[error("record uses encoding version {0}, this build reads version {ENCODING_VERSION}")]
    UnknownVersion(u32),
    #[error("record is not in canonical form (its bytes differ from their re-encoding)")]
    NotCanonical,
}

impl Envelope {
    /// The canonical bytes (the ledger leaf).
    pub fn encode(&self) -> Vec<u8> {
        // Serialising these plain structs cannot fail: every map key is a string and no
        // value is a float, so fall back to an empty leaf that verification would reject.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Decodes and checks that the bytes are exactly the canonical encoding.
    pub fn decode(bytes: &[u8]) -> Result<Envelope, EncodingError> {
        let env: Envelope = serde_json::from_slice(bytes).map_err(|e| EncodingError::Malformed(e.to_string()))?;
        if env.v != ENCODING_VERSION {
            return Err(EncodingError::UnknownVersion(env.v));
        }
        if env.encode() != bytes {
            return Err(EncodingError::NotCanonical);
        }
        Ok(env)
    }
}

impl Event {
    /// Every record this event names: the firearms, containers, lots, people, locations and
    /// scenes it is about, and the production-wide record it changes. What a record's history
    /// is made of (with the envelope's actor: see [`Envelope::entities`]). Exhaustive on
    /// purpose (no catch-all arm): a new event does not compile until it says what it names.
    pub fn entities(&self) -> Vec<crate::state::EntityRef> {
        use crate::state::EntityRef as R;
        let person = |p: &PersonId| R::Person(p.clone());
        let firearm = |f: &FirearmId| R::Firearm(f.clone());
        let container = |c: &ContainerId| R::Container(c.clone());
        let scene = |s: &SceneId| R::Scene(s.clone());
        let plan = |sc: &SceneId, plan: &ScenePlan| {
            let mut out = vec![scene(sc)];
            for item in &plan.items {
                out.push(firearm(&item.firearm));
                out.push(person(&item.performer));
            }
            out
        };
        let mut out = match self {
            Event::ProductionCreated { .. }
            | Event::SupplierApproved { .. }
            | Event::PolicyChanged { .. }
            | Event::SecondFactorRequired { .. } => vec![R::Production],
            Event::PersonAdded { person: p, .. }
            | Event::RoleAssigned { person: p, .. }
            | Event::RoleRemoved { person: p, .. }
            | Event::CredentialRecorded { person: p, .. }
            | Event::CredentialCorrected { person: p, .. } => vec![person(p)],
            Event::LocationAdded { location, authorised, .. } => {
                let mut out = vec![R::Location(location.clone())];
                out.extend(authorised.iter().map(person));
                out
            }
            Event::StorageOpened { location, by } | Event::StorageClosed { location, by } => {
                vec![R::Location(location.clone()), person(by)]
            }
            Event::FirearmReceived { firearm: f, received_by, .. } => vec![firearm(f), person(received_by)],
            Event::FirearmStored { firearm: f, location, by } => {
                vec![firearm(f), R::Location(location.clone()), person(by)]
            }
            Event::FirearmTakenOut { firearm: f, location, by, scene: sc } => {
                let mut out = vec![firearm(f), R::Location(location.clone()), person(by)];
                out.extend(sc.iter().map(scene));
                out
            }
            Event::FirearmHandedOff { firearm: f, from, to, scene: sc, .. } => {
                let mut out = vec![firearm(f), person(from), person(to)];
                out.extend(sc.iter().map(scene));
                out
            }
            Event::FirearmCollected { firearm: f, from, to, .. } => vec![firearm(f), person(from), person(to)],
            Event::FirearmWithdrawn { firearm: f, .. }
            | Event::FirearmRepaired { firearm: f, .. }
            | Event::FirearmDisposed { firearm: f, .. }
            | Event::FirearmDetailsCorrected { firearm: f, .. } => vec![firearm(f)],
            Event::LotReceived { lot, container: c, received_by, .. } => {
                vec![R::Lot(lot.clone()), container(c), person(received_by)]
            }
            Event::LotVerified { lot, by, .. } | Event::LotRejected { lot, by, .. } => {
                vec![R::Lot(lot.clone()), person(by)]
            }
            Event::ContainerCreated { container: c, holder, .. } => vec![container(c), person(holder)],
            Event::RoundsMoved { from, to, lot, .. } => vec![container(from), container(to), R::Lot(lot.clone())],
            Event::ContainerStored { container: c, location, by }
            | Event::ContainerTakenOut { container: c, location, by } => {
                vec![container(c), R::Location(location.clone()), person(by)]
            }
            Event::ContainerHandedOver { container: c, from, to } => vec![container(c), person(from), person(to)],
            Event::ScenePlanned { scene: sc, plan: p, .. } | Event::ScenePlanRevised { scene: sc, plan: p, .. } => {
                plan(sc, p)
            }
            Event::ScenePlanApproved { scene: sc, by, .. }
            | Event::MeetingSignedOff { scene: sc, by, .. }
            | Event::SceneMarkedReady { scene: sc, by }
            | Event::SceneCalled { scene: sc, by }
            | Event::SceneWrapped { scene: sc, by }
            | Event::FirearmDeclined { scene: sc, person: by, .. } => vec![scene(sc), person(by)],
            Event::MeetingHeld { scene: sc, attendees, .. } => {
                let mut out = vec![scene(sc)];
                out.extend(attendees.iter().map(person));
                out
            }
            Event::DayOpened { by, .. }
            | Event::DayClosed { by, .. }
            | Event::AlertResolved { by, .. }
            | Event::RoundsDiscrepancyResolved { by, .. }
            | Event::HoldLifted { by, .. } => vec![R::Safety, person(by)],
            Event::AlertRaised { .. } => vec![R::Safety],
            Event::AssistantSupervised { assistant, by } => vec![R::Safety, person(assistant), person(by)],
            Event::CompetenceRecorded { person: p, by, .. } => vec![person(p), person(by)],
            Event::FirearmInspected { firearm: f, by, .. } | Event::FirearmDeclaredEmpty { firearm: f, by } => {
                vec![firearm(f), person(by)]
            }
            Event::FirearmLoaded { firearm: f, by, container: c, lots, .. } => {
                let mut out = vec![firearm(f), person(by), container(c)];
                out.extend(lots.keys().map(|l| R::Lot(l.clone())));
                out
            }
            Event::FirearmUnloaded { firearm: f, by, container: c, .. } => vec![firearm(f), person(by), container(c)],
            Event::RoundsDiscrepancyFound { firearm: f, .. } => vec![R::Safety, firearm(f)],
            Event::FirearmDemonstrated { firearm: f, armorer, ad, .. } => vec![firearm(f), person(armorer), person(ad)],
            Event::FirearmShown { firearm: f, armorer, person: p, .. } => vec![firearm(f), person(armorer), person(p)],
            Event::HoldPlaced { scope, by, .. } => {
                let mut out = vec![R::Safety, person(by)];
                if let HoldScope::Scene { scene: sc } = scope {
                    out.push(scene(sc));
                }
                out
            }
            Event::LiveExceptionApproved { range, by, .. } => vec![R::Safety, R::Location(range.clone()), person(by)],
            Event::TransportRecorded { escort, firearms, containers, .. } => {
                let mut out = vec![person(escort)];
                out.extend(firearms.iter().map(firearm));
                out.extend(containers.iter().map(container));
                out
            }
            Event::AuthorityNotified { by, .. } => vec![R::Reporting, person(by)],
            Event::ContactsSet { .. }
            | Event::RecipientsSet { .. }
            | Event::ReportFiled { .. }
            | Event::ReportAddedTo { .. }
            | Event::ReportEscalated { .. } => vec![R::Reporting],
            Event::ReportAcknowledged { by, .. }
            | Event::ReportAnswered { by, .. }
            | Event::ReportReviewed { by, .. }
            | Event::ReportClosed { by, .. }
            | Event::RegulatorNotified { by, .. }
            | Event::InvestigationSigned { by, .. }
            | Event::EvidenceReleased { by, .. } => vec![R::Reporting, person(by)],
            Event::IncidentReported { firearm: f, scene: sc, by, frozen_firearms, frozen_containers, .. } => {
                let mut out = vec![R::Reporting, person(by)];
                out.extend(f.iter().map(firearm));
                out.extend(sc.iter().map(scene));
                out.extend(frozen_firearms.iter().map(firearm));
                out.extend(frozen_containers.iter().map(container));
                out
            }
            Event::OverrideRecorded { firearm: f, scene: sc, by, .. } => {
                vec![R::Safety, firearm(f), scene(sc), person(by)]
            }
        };
        out.sort();
        out.dedup();
        out
    }
}

impl Envelope {
    /// Every record this event names (`Event::entities`), and the person who acted and those
    /// who confirmed it in person: a person's history holds what they did as well as what
    /// was done to what they hold.
    pub fn entities(&self) -> Vec<crate::state::EntityRef> {
        use crate::state::EntityRef as R;
        let mut out = self.event.entities();
        out.extend(self.actor.person().map(|p| R::Person(p.clone())));
        if let Some(auth) = &self.auth {
            out.extend(auth.confirmations.iter().map(|c| R::Person(c.person.clone())));
            out.extend(auth.on_device_of.iter().map(|p| R::Person(p.clone())));
        }
        out.sort();
        out.dedup();
        out
    }
}
