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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use coldset_domain::commands::{Command as C, CommandKind};
    use coldset_domain::model as m;
    use coldset_domain::reporting as rp;
    use coldset_domain::safety as s;

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn party() -> m::Party {
        m::Party { name: "Ranch Rentals".into(), licence: "FFL-1".into(), document: "inv 7".into() }
    }

    fn credential() -> m::Credential {
        m::Credential {
            kind: m::CredentialKind::Licence,
            number: "L-1".into(),
            issuer: "State".into(),
            expires_on: day("2027-01-31"),
            covers: vec![m::FirearmKind::BlankAdapted, m::FirearmKind::RealFiring],
        }
    }

    fn plan() -> s::ScenePlan {
        s::ScenePlan {
            kind: s::SceneKind::Take,
            items: vec![
                s::PlanItem {
                    firearm: FirearmId::numbered(1),
                    performer: PersonId::numbered(5),
                    load: s::PlannedLoad::Blanks { load: "quarter".into() },
                    real_firearm_reason: Some("a close-up of the action".into()),
                    toward_person: true,
                    toward_camera: true,
                    armorer_consulted: true,
                    mitigations: vec![s::Mitigation::CheatedAngle, s::Mitigation::Shield],
                    camera_protection: Some(s::CameraProtection::RemoteCamera),
                    closest_person_cm: Some(600),
                    close_range_load_approved: true,
                },
                s::PlanItem {
                    firearm: FirearmId::numbered(2),
                    performer: PersonId::numbered(6),
                    load: s::PlannedLoad::Dummies,
                    real_firearm_reason: None,
                    toward_person: false,
                    toward_camera: false,
                    armorer_consulted: false,
                    mitigations: Vec::new(),
                    camera_protection: None,
                    closest_person_cm: None,
                    close_range_load_approved: false,
                },
            ],
            call_list: [PersonId::numbered(5), PersonId::numbered(6)].into(),
            line_of_fire: [PersonId::numbered(7)].into(),
            protection: vec![s::Protection { person: PersonId::numbered(7), shield: true, eye: true, hearing: false }],
            risk_assessment: "RA-12".into(),
        }
    }

    /// One of every command the domain knows, its optional fields set where it has them (and
    /// a second of some with them left out), as the domain's tests and the demo build them.
    fn samples() -> Vec<C> {
        let (fa, p5, sc, lot) =
            (FirearmId::numbered(1), PersonId::numbered(5), SceneId::numbered(1), LotId::numbered(1));
        let (c1, c2, loc) = (ContainerId::numbered(1), ContainerId::numbered(2), LocationId::numbered(1));
        let blank = m::AmmoClass::Blank { load: "quarter".into() };
        vec![
            C::CreateProduction {
                id: ProductionId::parse("dead-river").unwrap(),
                name: "Dead River".into(),
                time_zone: "America/Los_Angeles".into(),
                packs: vec!["industry-us".into(), "california-2025".into()],
                compliance_contact: "safety@example.org".into(),
            },
            C::AddPerson { name: "Ada".into(), roles: [m::Role::Armorer, m::Role::Admin].into() },
            C::AssignRole { person: p5.clone(), role: m::Role::Performer },
            C::RemoveRole { person: p5.clone(), role: m::Role::Crew },
            C::RecordCredential { person: p5.clone(), credential: credential() },
            C::CorrectCredential {
                person: p5.clone(),
                corrects_seq: 7,
                reason: "typo".into(),
                credential: credential(),
            },
            C::ApproveSupplier { supplier: "Acme".into() },
            C::AddLocation { name: "Safe".into(), kind: m::LocationKind::Range, authorised: [p5.clone()].into() },
            C::OpenStorage { location: loc.clone() },
            C::CloseStorage { location: loc.clone() },
            C::IntakeFirearm {
                kind: m::FirearmKind::Replica,
                make: "Colt".into(),
                model: "SAA".into(),
                serial: "S1".into(),
                calibre: ".45 Colt".into(),
                condition: "good".into(),
                acquired_from: party(),
            },
            C::StoreFirearm { firearm: fa.clone(), location: loc.clone() },
            C::TakeFirearm { firearm: fa.clone(), scene: Some(sc.clone()) },
            C::TakeFirearm { firearm: fa.clone(), scene: None },
            C::HandOff { firearm: fa.clone(), to: p5.clone(), scene: Some(sc.clone()) },
            C::HandOff { firearm: fa.clone(), to: p5.clone(), scene: None },
            C::Collect { firearm: fa.clone() },
            C::WithdrawFirearm { firearm: fa.clone(), reason: "cylinder binds".into() },
            C::RecordRepair { firearm: fa.clone(), repaired_by: "Gunsmith".into(), notes: "fixed".into() },
            C::DisposeFirearm {
                firearm: fa.clone(),
                disposition: m::DispositionKind::ReturnedToRentalHouse,
                to: party(),
            },
            C::CorrectFirearmDetails {
                firearm: fa.clone(),
                corrects_seq: 3,
                reason: "serial".into(),
                make: "Colt".into(),
                model: "SAA".into(),
                serial: "S2".into(),
                calibre: ".45 Colt".into(),
            },
            C::IntakeLot {
                class: blank.clone(),
                calibre: ".45 Colt".into(),
                rounds: 50,
                provenance: m::Provenance {
                    supplier: "Acme".into(),
                    document: "D-1".into(),
                    headstamp: "ACME".into(),
                    previous_production: Some("Other".into()),
                    mixed_source: true,
                },
                home_made: true,
                container_label: "B1".into(),
            },
            C::VerifyLot {
                lot: lot.clone(),
                method: m::VerificationMethod::DrilledCase,
                rounds_checked: 50,
                other_class_found: 1,
            },
            C::CreateContainer { label: "D1".into(), class: m::AmmoClass::Dummy, calibre: ".45 Colt".into() },
            C::MoveRounds { from: c1.clone(), to: c2.clone(), rounds: 6 },
            C::StoreContainer { container: c1.clone(), location: loc.clone() },
            C::TakeContainer { container: c1.clone() },
            C::HandContainer { container: c1.clone(), to: p5.clone() },
            C::PlanScene { number: "12A".into(), description: "saloon".into(), day: day("2026-12-07"), plan: plan() },
            C::RevisePlan { scene: sc.clone(), plan: plan(), reason: "new angle".into() },
            C::ApprovePlan { scene: sc.clone(), version: 2 },
            C::HoldMeeting {
                scene: sc.clone(),
                agenda: s::Agenda {
                    intended_action: "a".into(),
                    deviations: "b".into(),
                    abort_plan: "c".into(),
                    emergency_procedure: "d".into(),
                    chain_of_command: "e".into(),
                },
                attendees: [p5.clone(), PersonId::numbered(6)].into(),
            },
            C::SignOffMeeting { scene: sc.clone() },
            C::MarkSceneReady { scene: sc.clone() },
            C::CallScene { scene: sc.clone() },
            C::WrapScene { scene: sc.clone() },
            C::DeclineFirearm { scene: sc.clone(), reason: "not today".into() },
            C::ChangePolicy { packs: vec!["uk".into()] },
            C::RequireSecondFactor { roles: [m::Role::Armorer, m::Role::Producer].into() },
            C::OpenDay {
                call_sheet: s::CallSheet {
                    safety_bulletin_attached: true,
                    compliance_contact_shown: true,
                    medics: vec!["Dr. Lee".into()],
                },
                counts: [("dummy".to_owned(), 50u64)].into(),
            },
            C::CloseDay { counts: [("dummy".to_owned(), 50u64), ("blank (quarter load)".to_owned(), 12u64)].into() },
            C::ResolveAlert { alert: 3, note: "found".into() },
            C::SuperviseAssistant { assistant: PersonId::numbered(2) },
            C::RecordCompetence { person: p5.clone(), firearm: fa.clone(), notes: "drilled".into() },
            C::InspectFirearm {
                firearm: fa.clone(),
                stage: s::InspectionStage::PostUse,
                barrel_clear: false,
                fault: Some("obstruction".into()),
            },
            C::LoadFirearm {
                firearm: fa.clone(),
                container: c1.clone(),
                count: 6,
                dummy_check: Some(m::VerificationMethod::Rattle),
            },
            C::DeclareEmpty { firearm: fa.clone() },
            C::UnloadFirearm { firearm: fa.clone(), fired: 5, returned: 1 },
            C::ResolveDiscrepancy { class: blank.clone(), explanation: "counted twice".into() },
            C::AcknowledgeDemonstration { firearm: fa.clone() },
            C::AcknowledgeShown { firearm: fa.clone() },
            C::PlaceHold { scope: s::HoldScope::Scene { scene: sc.clone() }, reason: "wind".into() },
            C::PlaceHold { scope: s::HoldScope::AllFirearmWork, reason: "incident".into() },
            C::LiftHold { hold: 1, note: "calm".into(), review: true },
            C::RecordOverride {
                rule: RuleId::Hand3,
                firearm: fa.clone(),
                scene: sc.clone(),
                reason: "approved".into(),
            },
            C::RecordTransport {
                firearms: vec![fa.clone()],
                containers: vec![c1.clone()],
                from: "armory".into(),
                to: "stage 4".into(),
                locked_case: true,
            },
            C::RecordLiveException {
                kind: m::LiveExceptionKind::RangeTraining,
                range: loc.clone(),
                medic: "Dr. Lee".into(),
                from: day("2026-12-01"),
                until: day("2026-12-31"),
                reference: "EX-1".into(),
            },
            C::RecordAuthorityNotice {
                authority: rp::Authority::LocalPolice,
                date: day("2026-12-08"),
                reference: "PD-9".into(),
            },
            C::SetContacts {
                studio_safety_office: "office@example.org".into(),
                union_representative: "rep@example.org".into(),
            },
            C::SetRecipients { kind: rp::NotificationKind::OverdueFirearm, addresses: vec!["a@example.org".into()] },
            C::FileReport {
                severity: rp::Severity::Critical,
                text: "a live round?".into(),
                subject: Some("cart 2".into()),
                reporter_name: Some("Sam".into()),
                followup_key_hash: "ab".repeat(32),
                photos: vec!["cd".repeat(32)],
            },
            C::FileReport {
                severity: rp::Severity::Information,
                text: "t".into(),
                subject: None,
                reporter_name: None,
                followup_key_hash: "ab".repeat(32),
                photos: Vec::new(),
            },
            C::AddToReport { report: 1, text: "more".into(), followup_key_hash: "ab".repeat(32) },
            C::AcknowledgeReport { report: 1 },
            C::AnswerReport { report: 1, text: "thanks".into() },
            C::ReviewReport { report: 1, note: "ok".into() },
            C::CloseReport { report: 1, corrective_action: "new rule".into() },
            C::Tick,
            C::ReportIncident {
                kind: rp::IncidentKind::Injury { severity: rp::InjurySeverity::LossOfEye },
                firearm: Some(fa.clone()),
                scene: Some(sc.clone()),
                description: "hurt".into(),
                wait_seconds: Some(30),
            },
            C::ReportIncident {
                kind: rp::IncidentKind::HangFire,
                firearm: None,
                scene: None,
                description: "click, then bang".into(),
                wait_seconds: None,
            },
            C::NotifyRegulator { incident: 1, reference: "OSHA-1".into() },
            C::SignInvestigation { incident: 1, cause: "c".into(), corrective_action: "a".into() },
            C::ReleaseEvidence { incident: 1, note: "released".into() },
            C::VerifyLot {
                lot,
                method: m::VerificationMethod::BlankInspection,
                rounds_checked: 10,
                other_class_found: 0,
            },
            C::CreateContainer { label: "L1".into(), class: m::AmmoClass::Live, calibre: "9mm".into() },
        ]
    }

    /// Every command the domain knows, as the domain writes it (the JSON the API accepted
    /// before the wire types), parses through the wire enum to the same command, and the
    /// wire enum writes it back byte for byte.
    #[test]
    fn every_domain_command_round_trips_through_the_wire_enum() {
        let samples = samples();
        for kind in CommandKind::ALL {
            assert!(samples.iter().any(|c| c.kind() == *kind), "no sample of {}", kind.name());
        }
        for domain in samples {
            let json = serde_json::to_string(&domain).unwrap();
            let wire: Command = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(serde_json::to_string(&wire).unwrap(), json, "the wire enum writes {} otherwise", domain.name());
            assert_eq!(commands::Command::from(wire), domain, "{json}");
            // And from the domain to the wire type, by the other conversion.
            assert_eq!(serde_json::to_string(&Command::from(domain.clone())).unwrap(), json);
        }
    }

    /// Defaults are the domain's: a field it may leave out may be left out here, and one it
    /// requires is required here too.
    #[test]
    fn the_wire_enum_accepts_and_refuses_what_the_domain_does() {
        let cases = [
            r#"{"command": "hand_off", "firearm": "fa-1", "to": "p-5"}"#,
            r#"{"command": "decline_firearm", "scene": "sc-1"}"#,
            r#"{"command": "record_transport", "firearms": [], "from": "a", "to": "b", "locked_case": false}"#,
            r#"{"command": "intake_lot", "class": {"class": "dummy"}, "calibre": "9mm", "rounds": 1, "container_label": "x",
                "provenance": {"supplier": "s", "document": "d", "headstamp": "h", "previous_production": null, "mixed_source": false}}"#,
            r#"{"command": "tick"}"#,
            r#"{"command": "tick", "extra": 1}"#,
            r#"{"command": "hand_off", "firearm": "fa-1"}"#,
            r#"{"command": "hand_off", "firearm": "fa-1", "to": "p-5", "extra": 1}"#,
            r#"{"command": "hand_off", "firearm": "Not An Id", "to": "p-5"}"#,
            r#"{"command": "no_such_command"}"#,
            r#"{"command": "plan_scene", "number": "1", "description": "d", "day": "2026-13-01", "plan": {}}"#,
            r#"{"command": "place_hold", "scope": {"scope": "scene", "scene": "sc-1"}, "reason": "r"}"#,
            r#"{"command": "report_incident", "kind": {"kind": "injury"}, "description": "d"}"#,
            r#"{"firearm": "fa-1"}"#,
        ];
        for json in cases {
            let domain = serde_json::from_str::<commands::Command>(json);
            let wire = serde_json::from_str::<Command>(json);
            assert_eq!(wire.is_ok(), domain.is_ok(), "{json}: wire {wire:?}, domain {domain:?}");
            if let (Ok(wire), Ok(domain)) = (wire, domain) {
                assert_eq!(commands::Command::from(wire), domain, "{json}");
            }
        }
    }
}
