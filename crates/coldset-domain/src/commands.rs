//! Commands: what someone asks the system to do, in the imperative. Each goes through
//! [`crate::decide::decide`], which either refuses it (naming rule ids) or returns the
//! events to record.

use crate::ids::*;
use crate::model::*;
use crate::rules::RuleId;
use crate::safety::*;
use crate::time::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    CreateProduction {
        id: ProductionId,
        name: String,
        time_zone: String,
        packs: Vec<String>,
        compliance_contact: String,
    },
    AddPerson {
        name: String,
        roles: BTreeSet<Role>,
    },
    AssignRole {
        person: PersonId,
        role: Role,
    },
    RemoveRole {
        person: PersonId,
        role: Role,
    },
    RecordCredential {
        person: PersonId,
        credential: Credential,
    },
    /// R-REC-6: a credential recorded wrongly (a mistyped number, a wrong expiry date) is
    /// corrected by a new record that names the one it corrects (`corrects_seq`: the
    /// credential's record in force, the first one or its latest correction) and why.
    CorrectCredential {
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
        authorised: BTreeSet<PersonId>,
    },
    OpenStorage {
        location: LocationId,
    },
    CloseStorage {
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
        firearm: FirearmId,
        location: LocationId,
    },
    /// Take a firearm out of storage: for a scene, or (without one) for maintenance,
    /// repair or disposal, after which it cannot go to a performer (R-HAND-6).
    TakeFirearm {
        firearm: FirearmId,
        #[serde(default)]
        scene: Option<SceneId>,
    },
    HandOff {
        firearm: FirearmId,
        to: PersonId,
        #[serde(default)]
        scene: Option<SceneId>,
    },
    Collect {
        firearm: FirearmId,
    },
    WithdrawFirearm {
        firearm: FirearmId,
        reason: String,
    },
    RecordRepair {
        firearm: FirearmId,
        repaired_by: String,
        notes: String,
    },
    DisposeFirearm {
        firearm: FirearmId,
        disposition: DispositionKind,
        to: Party,
    },
    CorrectFirearmDetails {
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
        lot: LotId,
        method: VerificationMethod,
        rounds_checked: u32,
        /// Rounds of another class found while checking (e.g. a live round among dummies).
        #[serde(default)]
        other_class_found: u32,
    },
    CreateContainer {
        label: String,
        class: AmmoClass,
        calibre: String,
    },
    MoveRounds {
        from: ContainerId,
        to: ContainerId,
        rounds: u32,
    },
    StoreContainer {
        container: ContainerId,
        location: LocationId,
    },
    TakeContainer {
        container: ContainerId,
    },
    HandContainer {
        container: ContainerId,
        to: PersonId,
    },
    PlanScene {
        number: String,
        description: String,
        day: Date,
        plan: ScenePlan,
    },
    RevisePlan {
        scene: SceneId,
        plan: ScenePlan,
        reason: String,
    },
    ApprovePlan {
        scene: SceneId,
        version: u32,
    },
    HoldMeeting {
        scene: SceneId,
        agenda: Agenda,
        attendees: BTreeSet<PersonId>,
    },
    SignOffMeeting {
        scene: SceneId,
    },
    MarkSceneReady {
        scene: SceneId,
    },
    CallScene {
        scene: SceneId,
    },
    WrapScene {
        scene: SceneId,
    },
    DeclineFirearm {
        scene: SceneId,
        #[serde(default)]
        reason: String,
    },
    ChangePolicy {
        packs: Vec<String>,
    },
    /// People holding these roles must sign in with a one-time code (TOTP) to work on this
    /// production; an empty set lifts the requirement.
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
        assistant: PersonId,
    },
    RecordCompetence {
        person: PersonId,
        firearm: FirearmId,
        #[serde(default)]
        notes: String,
    },
    InspectFirearm {
        firearm: FirearmId,
        stage: InspectionStage,
        barrel_clear: bool,
        #[serde(default)]
        fault: Option<String>,
    },
    LoadFirearm {
        firearm: FirearmId,
        container: ContainerId,
        count: u32,
        /// How each dummy was verified as it went in (R-AMMO-2); required for dummies.
        #[serde(default)]
        dummy_check: Option<VerificationMethod>,
    },
    DeclareEmpty {
        firearm: FirearmId,
    },
    UnloadFirearm {
        firearm: FirearmId,
        fired: u32,
        returned: u32,
    },
    ResolveDiscrepancy {
        class: AmmoClass,
        explanation: String,
    },
    AcknowledgeDemonstration {
        firearm: FirearmId,
    },
    AcknowledgeShown {
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
        rule: RuleId,
        firearm: FirearmId,
        scene: SceneId,
        reason: String,
    },
    /// R-STORE-6: firearms and ammunition moving between locations travel in a locked case
    /// with a named escort from the armory, who holds them.
    RecordTransport {
        firearms: Vec<FirearmId>,
        #[serde(default)]
        containers: Vec<ContainerId>,
        from: String,
        to: String,
        locked_case: bool,
    },
    /// R-AMMO-1's approved exception (range-controlled actor training, post-production sound,
    /// documentary or safety-training content, trained military or police in a controlled
    /// facility): approved by the independent safety advisor, with the range location and the
    /// medic, between two dates. Live rounds may then be received, only into that range.
    RecordLiveException {
        kind: LiveExceptionKind,
        range: LocationId,
        medic: String,
        from: Date,
        until: Date,
        /// The approval document (its number or title).
        reference: String,
    },
    /// R-NOTIF-1: the studio safety office (or the local police, where a permit requires
    /// it) was told before firearms are used on a date.
    RecordAuthorityNotice {
        authority: crate::reporting::Authority,
        date: Date,
        reference: String,
    },
    SetContacts {
        studio_safety_office: String,
        union_representative: String,
    },
    /// Who hears about the production's notifications of one kind, by e-mail (replaces the
    /// list; an empty list stops them).
    SetRecipients {
        kind: crate::reporting::NotificationKind,
        addresses: Vec<String>,
    },
    /// A safety report, from anyone (an account is not needed). The app generates the
    /// follow-up key and passes only its hash.
    FileReport {
        severity: crate::reporting::Severity,
        text: String,
        #[serde(default)]
        subject: Option<String>,
        #[serde(default)]
        reporter_name: Option<String>,
        followup_key_hash: String,
        /// SHA-256 (hex) of each photo; the files travel beside the command.
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
    /// Clock-driven work (escalations); issued by coldset itself.
    Tick,
    ReportIncident {
        kind: crate::reporting::IncidentKind,
        #[serde(default)]
        firearm: Option<FirearmId>,
        #[serde(default)]
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

/// Declares `CommandKind` (the commands without their fields), its names and the list of
/// them all from one list, so that list cannot miss a command: `Command::kind` is an
/// exhaustive match the macro writes from the same list.
macro_rules! command_kinds {
    ($($variant:ident => $name:literal,)*) => {
        /// Which command, without its fields: what the permission table, the API's list of
        /// commands and docs/permissions.md speak of.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum CommandKind {
            $($variant,)*
        }

        impl CommandKind {
            /// Every command, in the permission table's order.
            pub const ALL: &'static [CommandKind] = &[$(CommandKind::$variant,)*];

            /// The command's name as used in the permission table and the API.
            pub const fn name(self) -> &'static str {
                match self {
                    $(CommandKind::$variant => $name,)*
                }
            }
        }

        impl Command {
            pub fn kind(&self) -> CommandKind {
                match self {
                    $(Command::$variant { .. } => CommandKind::$variant,)*
                }
            }
        }
    };
}

command_kinds! {
    CreateProduction => "create_production",
    AddPerson => "add_person",
    AssignRole => "assign_role",
    RemoveRole => "remove_role",
    RecordCredential => "record_credential",
    CorrectCredential => "correct_credential",
    ApproveSupplier => "approve_supplier",
    AddLocation => "add_location",
    PlanScene => "plan_scene",
    RevisePlan => "revise_plan",
    ChangePolicy => "change_policy",
    RequireSecondFactor => "require_second_factor",
    ApprovePlan => "approve_plan",
    HoldMeeting => "hold_meeting",
    SignOffMeeting => "sign_off_meeting",
    MarkSceneReady => "mark_scene_ready",
    CallScene => "call_scene",
    WrapScene => "wrap_scene",
    DeclineFirearm => "decline_firearm",
    OpenDay => "open_day",
    CloseDay => "close_day",
    ResolveAlert => "resolve_alert",
    SuperviseAssistant => "supervise_assistant",
    RecordCompetence => "record_competence",
    InspectFirearm => "inspect_firearm",
    LoadFirearm => "load_firearm",
    DeclareEmpty => "declare_empty",
    UnloadFirearm => "unload_firearm",
    ResolveDiscrepancy => "resolve_discrepancy",
    AcknowledgeDemonstration => "acknowledge_demonstration",
    AcknowledgeShown => "acknowledge_shown",
    PlaceHold => "place_hold",
    LiftHold => "lift_hold",
    RecordOverride => "record_override",
    SetContacts => "set_contacts",
    SetRecipients => "set_recipients",
    RecordAuthorityNotice => "record_authority_notice",
    RecordTransport => "record_transport",
    RecordLiveException => "record_live_exception",
    FileReport => "file_report",
    AddToReport => "add_to_report",
    AcknowledgeReport => "acknowledge_report",
    AnswerReport => "answer_report",
    ReviewReport => "review_report",
    CloseReport => "close_report",
    Tick => "tick",
    ReportIncident => "report_incident",
    NotifyRegulator => "notify_regulator",
    SignInvestigation => "sign_investigation",
    ReleaseEvidence => "release_evidence",
    OpenStorage => "open_storage",
    CloseStorage => "close_storage",
    IntakeFirearm => "intake_firearm",
    StoreFirearm => "store_firearm",
    TakeFirearm => "take_firearm",
    HandOff => "hand_off",
    Collect => "collect",
    WithdrawFirearm => "withdraw_firearm",
    RecordRepair => "record_repair",
    DisposeFirearm => "dispose_firearm",
    CorrectFirearmDetails => "correct_firearm_details",
    IntakeLot => "intake_lot",
    VerifyLot => "verify_lot",
    CreateContainer => "create_container",
    MoveRounds => "move_rounds",
    StoreContainer => "store_container",
    TakeContainer => "take_container",
    HandContainer => "hand_container",
}

impl Command {
    /// The command's name as used in the permission table and the API.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// The record a client may pin with an expected version (optimistic concurrency).
    pub fn primary_target(&self) -> Option<crate::state::EntityRef> {
        use crate::state::EntityRef as R;
        match self {
            Command::StoreFirearm { firearm, .. }
            | Command::TakeFirearm { firearm, .. }
            | Command::InspectFirearm { firearm, .. }
            | Command::LoadFirearm { firearm, .. }
            | Command::DeclareEmpty { firearm }
            | Command::UnloadFirearm { firearm, .. }
            | Command::AcknowledgeDemonstration { firearm }
            | Command::AcknowledgeShown { firearm }
            | Command::HandOff { firearm, .. }
            | Command::Collect { firearm }
            | Command::WithdrawFirearm { firearm, .. }
            | Command::RecordRepair { firearm, .. }
            | Command::DisposeFirearm { firearm, .. }
            | Command::CorrectFirearmDetails { firearm, .. } => Some(R::Firearm(firearm.clone())),
            Command::VerifyLot { lot, .. } => Some(R::Lot(lot.clone())),
            Command::MoveRounds { from, .. } => Some(R::Container(from.clone())),
            Command::StoreContainer { container, .. }
            | Command::TakeContainer { container }
            | Command::HandContainer { container, .. } => Some(R::Container(container.clone())),
            Command::OpenStorage { location } | Command::CloseStorage { location } => {
                Some(R::Location(location.clone()))
            }
            Command::AssignRole { person, .. }
            | Command::RemoveRole { person, .. }
            | Command::RecordCredential { person, .. }
            | Command::CorrectCredential { person, .. } => Some(R::Person(person.clone())),
            Command::RevisePlan { scene, .. }
            | Command::ApprovePlan { scene, .. }
            | Command::HoldMeeting { scene, .. }
            | Command::SignOffMeeting { scene }
            | Command::MarkSceneReady { scene }
            | Command::CallScene { scene }
            | Command::WrapScene { scene } => Some(R::Scene(scene.clone())),
            _ => None,
        }
    }
}
