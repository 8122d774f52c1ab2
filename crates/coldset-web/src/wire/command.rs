//! The body of `POST /api/v1/productions/{p}/commands`: one command of the domain, tagged by
//! its name in `command`, with its fields beside it; no other field is accepted
//! (`deny_unknown_fields`), as the domain's own `Command` parsed it before this type existed.
//! The variants are in the domain's order, so a refusal's "expected one of" lists them as
//! before. The tests at the end check that every command the domain knows has a variant here
//! and that a command parsed here is the domain's command.

use super::vocab::*;
use super::{Conv, Day, Id, Pack, Rule};
use coldset_domain::ids::{ContainerId, FirearmId, LocationId, LotId, PersonId, ProductionId, SceneId};
use coldset_domain::time::Date;
use coldset_domain::{commands, RuleId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

wire_tagged!(
    /// A command: `command` names it (docs/permissions.md lists who may send each); its fields
    /// are beside it.
    #[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
    Command = commands::Command {
        CreateProduction {
            #[schemars(with = "Id")]
            id: ProductionId,
            name: String,
            time_zone: String,
            #[schemars(with = "Vec<Pack>")]
            packs: Vec<String>,
            compliance_contact: String,
        },
        AddPerson {
            name: String,
            roles: BTreeSet<Role>,
        },
        AssignRole {
            #[schemars(with = "Id")]
            person: PersonId,
            role: Role,
        },
        RemoveRole {
            #[schemars(with = "Id")]
            person: PersonId,
            role: Role,
        },
        RecordCredential {
            #[schemars(with = "Id")]
            person: PersonId,
            credential: Credential,
        },
        /// R-REC-6: corrects the credential recorded at `corrects_seq` (or its latest
        /// correction), saying why.
        CorrectCredential {
            #[schemars(with = "Id")]
            person: PersonId,
            corrects_seq: u64,
            reason: String,
            credential: Credential,
        },
        ApproveSupplier {
            supplier: String,
        },
        AddLocation {
            name: String,
            kind: LocationKind,
            #[schemars(with = "BTreeSet<Id>")]
            authorised: BTreeSet<PersonId>,
        },
        OpenStorage {
            #[schemars(with = "Id")]
            location: LocationId,
        },
        CloseStorage {
            #[schemars(with = "Id")]
            location: LocationId,
        },
        IntakeFirearm {
            kind: FirearmKind,
            make: String,
            model: String,
            serial: String,
            calibre: String,
            condition: String,
            acquired_from: Party,
        },
        StoreFirearm {
            #[schemars(with = "Id")]
            firearm: FirearmId,
            #[schemars(with = "Id")]
            location: LocationId,
        },
        /// Takes a firearm out of storage: for a scene, or (without one) for maintenance,
        /// repair or disposal (R-HAND-6).
        TakeFirearm {
            #[schemars(with = "Id")]
            firearm: FirearmId,
            #[serde(default)]
            #[schemars(with = "Option<Id>")]
            scene: Option<SceneId>,
        },
        HandOff {
            #[schemars(with = "Id")]
            firearm: FirearmId,
            #[schemars(with = "Id")]
            to: PersonId,
            #[serde(default)]
            #[schemars(with = "Option<Id>")]
            scene: Option<SceneId>,
        },
        Collect {
            #[schemars(with = "Id")]
            firearm: FirearmId,
        },
        WithdrawFirearm {
            #[schemars(with = "Id")]
            firearm: FirearmId,
            reason: String,
        },
        RecordRepair {
            #[schemars(with = "Id")]
            firearm: FirearmId,
            repaired_by: String,
            notes: String,
        },
        DisposeFirearm {
            #[schemars(with = "Id")]
            firearm: FirearmId,
            disposition: DispositionKind,
            to: Party,
        },
        CorrectFirearmDetails {
            #[schemars(with = "Id")]
            firearm: FirearmId,
            corrects_seq: u64,
            reason: String,
            make: String,
            model: String,
            serial: String,
            calibre: String,
        },
        IntakeLot {
            class: AmmoClass,
            calibre: String,
            rounds: u32,
            provenance: Provenance,
            /// Declared by the person bringing the stock: home-made dummies are refused (R-AMMO-3).
            #[serde(default)]
            home_made: bool,
            container_label: String,
        },
        VerifyLot {
            #[schemars(with = "Id")]
            lot: LotId,
            method: VerificationMethod,
            rounds_checked: u32,
            /// Rounds of another class found while checking.
            #[serde(default)]
            other_class_found: u32,
        },
        CreateContainer {
            label: String,
            class: AmmoClass,
            calibre: String,
        },
        MoveRounds {
            #[schemars(with = "Id")]
            from: ContainerId,
            #[schemars(with = "Id")]
            to: ContainerId,
            rounds: u32,
        },
        StoreContainer {
            #[schemars(with = "Id")]
            container: ContainerId,
            #[schemars(with = "Id")]
            location: LocationId,
        },
        TakeContainer {
            #[schemars(with = "Id")]
            container: ContainerId,
        },
        HandContainer {
            #[schemars(with = "Id")]
            container: ContainerId,
            #[schemars(with = "Id")]
            to: PersonId,
        },
        PlanScene {
            number: String,
            description: String,
            #[schemars(with = "Day")]
            day: Date,
            plan: ScenePlan,
        },
        RevisePlan {
            #[schemars(with = "Id")]
            scene: SceneId,
            plan: ScenePlan,
            reason: String,
        },
        ApprovePlan {
            #[schemars(with = "Id")]
            scene: SceneId,
            version: u32,
        },
        HoldMeeting {
            #[schemars(with = "Id")]
            scene: SceneId,
            agenda: Agenda,
            #[schemars(with = "BTreeSet<Id>")]
            attendees: BTreeSet<PersonId>,
        },
        SignOffMeeting {
            #[schemars(with = "Id")]
            scene: SceneId,
        },
        MarkSceneReady {
            #[schemars(with = "Id")]
            scene: SceneId,
        },
        CallScene {
            #[schemars(with = "Id")]
            scene: SceneId,
        },
        WrapScene {
            #[schemars(with = "Id")]
            scene: SceneId,
        },
        DeclineFirearm {
            #[schemars(with = "Id")]
            scene: SceneId,
            #[serde(default)]
            reason: String,
        },
        ChangePolicy {
            #[schemars(with = "Vec<Pack>")]
            packs: Vec<String>,
        },
        /// People holding these roles must sign in with a one-time code; an empty set lifts
        /// the requirement.
        RequireSecondFactor {
            roles: BTreeSet<Role>,
        },
        OpenDay {
            call_sheet: CallSheet,
            counts: BTreeMap<String, u64>,
        },
        CloseDay {
            counts: BTreeMap<String, u64>,
        },
        ResolveAlert {
            alert: u64,
            note: String,
        },
        SuperviseAssistant {
            #[schemars(with = "Id")]
            assistant: PersonId,
        },
        RecordCompetence {
            #[schemars(with = "Id")]
            person: PersonId,
            #[schemars(with = "Id")]
            firearm: FirearmId,
            #[serde(default)]
            notes: String,
        },
        InspectFirearm {
            #[schemars(with = "Id")]
            firearm: FirearmId,
            stage: InspectionStage,
            barrel_clear: bool,
            #[serde(default)]
            fault: Option<String>,
        },
        LoadFirearm {
            #[schemars(with = "Id")]
            firearm: FirearmId,
            #[schemars(with = "Id")]
            container: ContainerId,
            count: u32,
            /// How each dummy was verified as it went in (R-AMMO-2); required for dummies.
            #[serde(default)]
            dummy_check: Option<VerificationMethod>,
        },
        DeclareEmpty {
            #[schemars(with = "Id")]
            firearm: FirearmId,
        },
        UnloadFirearm {
            #[schemars(with = "Id")]
            firearm: FirearmId,
            fired: u32,
            returned: u32,
        },
        ResolveDiscrepancy {
            class: AmmoClass,
            explanation: String,
        },
        AcknowledgeDemonstration {
            #[schemars(with = "Id")]
            firearm: FirearmId,
        },
        AcknowledgeShown {
            #[schemars(with = "Id")]
            firearm: FirearmId,
        },
        PlaceHold {
            scope: HoldScope,
            reason: String,
        },
        LiftHold {
            hold: u64,
            note: String,
            /// Lifted by the safety advisor's review rather than by whoever placed it.
            #[serde(default)]
            review: bool,
        },
        RecordOverride {
            #[schemars(with = "Rule")]
            rule: RuleId,
            #[schemars(with = "Id")]
            firearm: FirearmId,
            #[schemars(with = "Id")]
            scene: SceneId,
            reason: String,
        },
        /// R-STORE-6: firearms and ammunition moving between locations, in a locked case
        /// with a named escort.
        RecordTransport {
            #[schemars(with = "Vec<Id>")]
            firearms: Vec<FirearmId>,
            #[serde(default)]
            #[schemars(with = "Vec<Id>")]
            containers: Vec<ContainerId>,
            from: String,
            to: String,
            locked_case: bool,
        },
        /// R-AMMO-1's approved exception: live rounds may then be received into that range.
        RecordLiveException {
            kind: LiveExceptionKind,
            #[schemars(with = "Id")]
            range: LocationId,
            medic: String,
            #[schemars(with = "Day")]
            from: Date,
            #[schemars(with = "Day")]
            until: Date,
            /// The approval document (its number or title).
            reference: String,
        },
        /// R-NOTIF-1: the studio safety office (or the police) was told before firearms are
        /// used on a date.
        RecordAuthorityNotice {
            authority: Authority,
            #[schemars(with = "Day")]
            date: Date,
            reference: String,
        },
        SetContacts {
            studio_safety_office: String,
            union_representative: String,
        },
        /// Who hears about the production's notifications of one kind, by e-mail (replaces
        /// the list; an empty list stops them).
        SetRecipients {
            kind: NotificationKind,
            addresses: Vec<String>,
        },
        /// A safety report; over the API, file it with `POST /productions/{p}/reports`,
        /// which makes its follow-up key.
        FileReport {
            severity: Severity,
            text: String,
            #[serde(default)]
            subject: Option<String>,
            #[serde(default)]
            reporter_name: Option<String>,
            followup_key_hash: String,
            /// SHA-256 (hex) of each photo.
            #[serde(default)]
            photos: Vec<String>,
        },
        AddToReport {
            report: u64,
            text: String,
            followup_key_hash: String,
        },
        AcknowledgeReport {
            report: u64,
        },
        AnswerReport {
            report: u64,
            text: String,
        },
        ReviewReport {
            report: u64,
            note: String,
        },
        CloseReport {
            report: u64,
            corrective_action: String,
        },
        /// Clock-driven work, issued by coldset itself (refused from anyone else).
        Tick,
        ReportIncident {
            kind: IncidentKind,
            #[serde(default)]
            #[schemars(with = "Option<Id>")]
            firearm: Option<FirearmId>,
            #[serde(default)]
            #[schemars(with = "Option<Id>")]
            scene: Option<SceneId>,
            description: String,
            #[serde(default)]
            wait_seconds: Option<u32>,
        },
        NotifyRegulator {
            incident: u64,
            reference: String,
        },
        SignInvestigation {
            incident: u64,
            cause: String,
            corrective_action: String,
        },
        ReleaseEvidence {
            incident: u64,
            note: String,
        },
    }
);

impl From<Command> for commands::Command {
    fn from(c: Command) -> Self {
        c.conv()
    }
}

impl From<commands::Command> for Command {
    fn from(c: commands::Command) -> Self {
        c.conv()
    }
}

/// A passkey's answer to a `confirm` challenge (base64url fields, from
/// `navigator.credentials.get`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyAssertion {
    pub credential_id: String,
    pub client_data: String,
    pub authenticator_data: String,
    pub signature: String,
}

impl From<PasskeyAssertion> for coldset_app::passkey::Assertion {
    fn from(a: PasskeyAssertion) -> Self {
        let PasskeyAssertion { credential_id, client_data, authenticator_data, signature } = a;
        coldset_app::passkey::Assertion { credential_id, client_data, authenticator_data, signature }
    }
}

/// A person present confirming in person: with their PIN, or with their passkey's answer to
/// a `confirm` challenge (`POST /productions/{p}/passkeys/challenge`); one of the two.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    #[schemars(with = "Id")]
    pub person: PersonId,
    #[serde(default)]
    pub pin: Option<String>,
    #[serde(default)]
    pub passkey: Option<PasskeyAssertion>,
}

/// The body of the command endpoint.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CommandRequest")]
pub struct CommandRequest {
    pub command: Command,
    /// The version of the command's record the client saw: a change since is refused as a
    /// conflict (`command.conflict`).
    #[serde(default)]
    pub expected_version: Option<u64>,
    #[serde(default)]
    pub confirmations: Vec<Confirmation>,
}
