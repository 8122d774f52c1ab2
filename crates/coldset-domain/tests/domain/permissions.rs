//! The coarse permission table: who may ask at all (before any safety rule).
use super::*;
use coldset_domain::permissions::{Allowed as A, PERMISSIONS};

/// Exhaustive on purpose: a new Command variant does not compile here until it has a
/// sample in `samples` (and so a permission check below).
fn variant_listed(c: &Command) {
    match c {
        Command::CreateProduction { .. }
        | Command::AddPerson { .. }
        | Command::AssignRole { .. }
        | Command::RemoveRole { .. }
        | Command::RecordCredential { .. }
        | Command::CorrectCredential { .. }
        | Command::ApproveSupplier { .. }
        | Command::AddLocation { .. }
        | Command::OpenStorage { .. }
        | Command::CloseStorage { .. }
        | Command::IntakeFirearm { .. }
        | Command::StoreFirearm { .. }
        | Command::TakeFirearm { .. }
        | Command::HandOff { .. }
        | Command::Collect { .. }
        | Command::WithdrawFirearm { .. }
        | Command::RecordRepair { .. }
        | Command::DisposeFirearm { .. }
        | Command::CorrectFirearmDetails { .. }
        | Command::IntakeLot { .. }
        | Command::VerifyLot { .. }
        | Command::CreateContainer { .. }
        | Command::MoveRounds { .. }
        | Command::StoreContainer { .. }
        | Command::TakeContainer { .. }
        | Command::HandContainer { .. }
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
        | Command::OpenDay { .. }
        | Command::CloseDay { .. }
        | Command::ResolveAlert { .. }
        | Command::SuperviseAssistant { .. }
        | Command::RecordCompetence { .. }
        | Command::InspectFirearm { .. }
        | Command::LoadFirearm { .. }
        | Command::DeclareEmpty { .. }
        | Command::UnloadFirearm { .. }
        | Command::ResolveDiscrepancy { .. }
        | Command::AcknowledgeDemonstration { .. }
        | Command::AcknowledgeShown { .. }
        | Command::PlaceHold { .. }
        | Command::LiftHold { .. }
        | Command::RecordOverride { .. }
        | Command::RecordAuthorityNotice { .. }
        | Command::RecordTransport { .. }
        | Command::RecordLiveException { .. }
        | Command::RequireSecondFactor { .. }
        | Command::SetContacts { .. }
        | Command::SetRecipients { .. }
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
        | Command::ReleaseEvidence { .. } => {}
    }
}

/// One sample of every command, against the standard production (with one scene).
pub(super) fn samples(p: &Prod) -> Vec<Command> {
    let sc = SceneId::parse("sc-1").unwrap();
    let plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
    let v = vec![
        Command::CreateProduction {
            id: ProductionId::parse("prod-2").unwrap(),
            name: "Another".into(),
            time_zone: "Europe/London".into(),
            packs: vec!["uk".into()],
            compliance_contact: "x".into(),
        },
        Command::AddPerson { name: "New".into(), roles: [Role::Crew].into() },
        Command::AssignRole { person: p.crew.clone(), role: Role::Performer },
        Command::RemoveRole { person: p.performer.clone(), role: Role::Performer },
        Command::RecordCredential {
            person: p.crew.clone(),
            credential: credential(CredentialKind::SafetyCourse, TODAY, &[]),
        },
        Command::CorrectCredential {
            person: p.crew.clone(),
            corrects_seq: 1,
            reason: "x".into(),
            credential: credential(CredentialKind::SafetyCourse, TODAY, &[]),
        },
        Command::ApproveSupplier { supplier: "Other".into() },
        Command::AddLocation {
            name: "Truck".into(),
            kind: LocationKind::Truck,
            authorised: [p.armorer.clone()].into(),
        },
        Command::OpenStorage { location: p.safe.clone() },
        Command::CloseStorage { location: p.safe.clone() },
        intake_firearm(FirearmKind::Replica, "NEW-1"),
        Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() },
        Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc.clone()) },
        Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone(), scene: Some(sc.clone()) },
        Command::Collect { firearm: p.blank_gun.clone() },
        Command::WithdrawFirearm { firearm: p.blank_gun.clone(), reason: "x".into() },
        Command::RecordRepair { firearm: p.blank_gun.clone(), repaired_by: "x".into(), notes: "x".into() },
        Command::DisposeFirearm {
            firearm: p.blank_gun.clone(),
            disposition: DispositionKind::Destroyed,
            to: rental_house(),
        },
        Command::CorrectFirearmDetails {
            firearm: p.blank_gun.clone(),
            corrects_seq: 1,
            reason: "x".into(),
            make: "x".into(),
            model: "x".into(),
            serial: "x".into(),
            calibre: "x".into(),
        },
        intake_lot(quarter(), 1, provenance(SUPPLIER), "NEW-LABEL"),
        Command::VerifyLot {
            lot: p.old_lot.clone(),
            method: VerificationMethod::Rattle,
            rounds_checked: 20,
            other_class_found: 0,
        },
        Command::CreateContainer { label: "NEW-BOX".into(), class: AmmoClass::Dummy, calibre: CALIBRE.into() },
        Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 1 },
        Command::StoreContainer { container: p.spare_dummies.clone(), location: p.safe.clone() },
        Command::TakeContainer { container: p.dummies.clone() },
        Command::HandContainer { container: p.spare_dummies.clone(), to: p.assistant.clone() },
        Command::PlanScene { number: "1".into(), description: "x".into(), day: TODAY, plan: plan.clone() },
        Command::RevisePlan { scene: sc.clone(), plan, reason: "x".into() },
        Command::ApprovePlan { scene: sc.clone(), version: 1 },
        Command::HoldMeeting { scene: sc.clone(), agenda: agenda(), attendees: [p.performer.clone()].into() },
        Command::SignOffMeeting { scene: sc.clone() },
        Command::MarkSceneReady { scene: sc.clone() },
        Command::CallScene { scene: sc.clone() },
        Command::WrapScene { scene: sc.clone() },
        Command::DeclineFirearm { scene: sc.clone(), reason: "x".into() },
        Command::ChangePolicy { packs: vec!["uk".into()] },
        Command::OpenDay { call_sheet: call_sheet(), counts: p.full_count() },
        Command::CloseDay { counts: p.full_count() },
        Command::ResolveAlert { alert: 1, note: "x".into() },
        Command::SuperviseAssistant { assistant: p.assistant.clone() },
        Command::RecordCompetence { person: p.performer.clone(), firearm: p.blank_gun.clone(), notes: "x".into() },
        inspect(&p.blank_gun, InspectionStage::PreUse),
        load_cmd(&p.blank_gun, &p.quarters, 6, None),
        Command::DeclareEmpty { firearm: p.blank_gun.clone() },
        Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 },
        Command::ResolveDiscrepancy { class: quarter(), explanation: "x".into() },
        Command::AcknowledgeDemonstration { firearm: p.blank_gun.clone() },
        Command::AcknowledgeShown { firearm: p.blank_gun.clone() },
        Command::PlaceHold { scope: HoldScope::AllFirearmWork, reason: "x".into() },
        Command::LiftHold { hold: 1, note: "x".into(), review: true },
        Command::RecordOverride {
            rule: R::Staff1,
            firearm: p.blank_gun.clone(),
            scene: sc.clone(),
            reason: "x".into(),
        },
        Command::RecordAuthorityNotice {
            authority: coldset_domain::reports::Authority::StudioSafetyOffice,
            date: TODAY,
            reference: "x".into(),
        },
        Command::RecordTransport {
            firearms: vec![p.blank_gun.clone()],
            containers: vec![],
            from: "a".into(),
            to: "b".into(),
            locked_case: true,
        },
        Command::RecordLiveException {
            kind: LiveExceptionKind::RangeTraining,
            range: p.safe.clone(),
            medic: "Rae Medic, EMT".into(),
            from: TODAY,
            until: TODAY,
            reference: "approval 12".into(),
        },
        Command::RequireSecondFactor { roles: BTreeSet::from([Role::Armorer]) },
        Command::SetContacts { studio_safety_office: "x".into(), union_representative: "y".into() },
        Command::SetRecipients {
            kind: coldset_domain::reporting::NotificationKind::Hold,
            addresses: vec!["ad@set.example".into()],
        },
        file_report(coldset_domain::reports::Severity::Concern),
        Command::AddToReport { report: 1, text: "x".into(), followup_key_hash: key_hash() },
        Command::AcknowledgeReport { report: 1 },
        Command::AnswerReport { report: 1, text: "x".into() },
        Command::ReviewReport { report: 1, note: "x".into() },
        Command::CloseReport { report: 1, corrective_action: "x".into() },
        Command::Tick,
        Command::ReportIncident {
            kind: coldset_domain::reports::IncidentKind::LostRound,
            firearm: None,
            scene: Some(sc),
            description: "x".into(),
            wait_seconds: None,
        },
        Command::NotifyRegulator { incident: 1, reference: "x".into() },
        Command::SignInvestigation { incident: 1, cause: "x".into(), corrective_action: "y".into() },
        Command::ReleaseEvidence { incident: 1, note: "x".into() },
    ];
    v.iter().for_each(variant_listed);
    v
}

/// The standard production with one scene planned (so scene commands find it).
pub(super) fn prod() -> Prod {
    let mut p = Prod::new();
    p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
    p
}

fn allowed(name: &str) -> A {
    PERMISSIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, a)| *a)
        .unwrap_or_else(|| panic!("{name} is not in the permission table"))
}

/// Every command name is in the table, and every name in the table is a command.
#[test]
fn the_table_and_the_commands_name_the_same_things() {
    let p = prod();
    let names: Vec<&str> = samples(&p).iter().map(Command::name).collect();
    let sample_names: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(sample_names.len(), names.len(), "two samples of one command");
    let table: Vec<&str> = PERMISSIONS.iter().map(|(n, _)| *n).collect();
    let table_names: BTreeSet<&str> = table.iter().copied().collect();
    assert_eq!(table_names.len(), table.len(), "a command twice in the table");
    assert_eq!(sample_names, table_names);
}

/// The auditor reads only: every command is Forbidden, before any rule is checked,
/// except what anyone may do (filing a safety report, R-COMP-1).
#[test]
fn the_auditor_cannot_issue_any_command() {
    let p = prod();
    let mut open_to_anyone = 0;
    for cmd in samples(&p) {
        let r = decide(&p.w.state, &p.w.ctx, &by(&p.auditor), &cmd);
        if allowed(cmd.name()) == A::Anyone {
            open_to_anyone += 1;
            assert!(!matches!(r, Err(DomainError::Forbidden(_))), "auditor {}: {r:?}", cmd.name());
        } else {
            assert!(matches!(r, Err(DomainError::Forbidden(_))), "auditor {}: {r:?}", cmd.name());
        }
    }
    assert_eq!(open_to_anyone, 1, "only filing a report (following one up is the reporter's)");
}

/// Someone without an account may only file and follow up safety reports; coldset
/// itself only runs the clock.
#[test]
fn anonymous_and_system_actors_do_only_their_part() {
    let p = prod();
    for cmd in samples(&p) {
        for (actor, may) in [
            (Actor::Anonymous, matches!(allowed(cmd.name()), A::Anyone | A::Reporter)),
            (Actor::System, allowed(cmd.name()) == A::System),
        ] {
            let r = decide(&p.w.state, &p.w.ctx, &actor, &cmd);
            assert_eq!(!matches!(r, Err(DomainError::Forbidden(_))), may, "{actor:?} {}: {r:?}", cmd.name());
        }
    }
}

/// An installation admin account does setup, never custody: every command open to
/// "any working member" is Forbidden to it; setup commands are not.
#[test]
fn an_installation_admin_does_no_custody_step() {
    let p = prod();
    let mut custody = 0;
    for cmd in samples(&p) {
        let r = decide(&p.w.state, &p.w.ctx, &p.admin, &cmd);
        match allowed(cmd.name()) {
            A::AnyWorkingMember => {
                custody += 1;
                assert!(matches!(r, Err(DomainError::Forbidden(_))), "admin {}: {r:?}", cmd.name());
            }
            A::System | A::Reporter => {
                assert!(matches!(r, Err(DomainError::Forbidden(_))), "admin {}: {r:?}", cmd.name())
            }
            A::InstallationAdmin | A::Roles(_) | A::Anyone => {
                assert!(!matches!(r, Err(DomainError::Forbidden(_))), "admin {}: {r:?}", cmd.name())
            }
        }
    }
    assert!(custody >= 40, "only {custody} custody commands");
    for name in [
        "hand_off",
        "collect",
        "take_firearm",
        "move_rounds",
        "intake_lot",
        "load_firearm",
        "place_hold",
        "lift_hold",
        "record_override",
        "open_day",
    ] {
        assert_eq!(allowed(name), A::AnyWorkingMember, "{name}");
    }
}

/// Role-restricted commands: a crew member is Forbidden; a person holding one of the
/// listed roles is not. Nobody but an admin account creates a production.
#[test]
fn role_restricted_commands_follow_the_table() {
    let mut p = prod();
    let props = p.add_person("Pat Props", &[Role::PropertyMaster]);
    let office = p.add_person("Olu Office", &[Role::Admin]);
    let people =
        [&p.armorer, &p.assistant, &props, &p.first_ad, &p.safety, &p.performer, &p.crew, &p.producer, &office];
    for cmd in samples(&p) {
        for person in people {
            let roles = &p.w.state.people[person].roles;
            let r = decide(&p.w.state, &p.w.ctx, &by(person), &cmd);
            let may = match allowed(cmd.name()) {
                A::InstallationAdmin | A::System | A::Reporter => false,
                A::Roles(rs) => roles.iter().any(|r| rs.contains(r)),
                A::AnyWorkingMember | A::Anyone => true,
            };
            assert_eq!(!matches!(r, Err(DomainError::Forbidden(_))), may, "{person} {:?} {}: {r:?}", roles, cmd.name());
        }
    }
}

/// Custody and protocol commands are open to everyone working, so the wrong person is
/// refused by the safety rule that forbids it, by id, not with an anonymous "forbidden".
#[test]
fn the_wrong_person_is_refused_by_rule_id_not_forbidden() {
    let mut p = Prod::new();
    let sc = p.std_ready();
    for (who, cmd, rule) in [
        (&p.crew, hand_off(&p.blank_gun, &p.performer, &sc), R::Hand2),
        (&p.producer, Command::PlaceHold { scope: HoldScope::AllFirearmWork, reason: "x".into() }, R::Role4),
        (&p.performer, Command::DeclareEmpty { firearm: p.blank_gun.clone() }, R::Decl1),
        (&p.crew, Command::AcknowledgeDemonstration { firearm: p.blank_gun.clone() }, R::Check1),
        (&p.crew, Command::MarkSceneReady { scene: sc.clone() }, R::Staff2),
    ] {
        match decide(&p.w.state, &p.w.ctx, &by(who), &cmd) {
            Err(DomainError::Denied(d)) => assert!(d.has(rule), "{} {}: {d}", who, cmd.name()),
            other => panic!("{}: {other:?}", cmd.name()),
        }
    }
}

/// Someone who is not a member of the production is Forbidden.
#[test]
fn a_stranger_is_forbidden() {
    let p = prod();
    let stranger = PersonId::parse("p-999").unwrap();
    for cmd in samples(&p) {
        let r = decide(&p.w.state, &p.w.ctx, &by(&stranger), &cmd);
        assert!(matches!(r, Err(DomainError::Forbidden(_))), "{r:?}");
    }
}

/// A production chooses who hears about each kind of notification: e-mail addresses only,
/// at most 20, by the people who set its policy; an empty list stops them.
#[test]
fn notification_recipients_are_addresses_set_by_the_policy_makers() {
    use coldset_domain::reporting::NotificationKind as K;
    let mut p = Prod::new();
    let set = |kind, addresses: &[&str]| Command::SetRecipients {
        kind,
        addresses: addresses.iter().map(|a| a.to_string()).collect(),
    };
    p.w.ok(&by(&p.producer), set(K::CriticalReport, &["ad@set.example", "ad@set.example", "studio@safety.example"]));
    let recipients = &p.w.state.reporting.recipients;
    assert_eq!(recipients[&K::CriticalReport], vec!["ad@set.example", "studio@safety.example"], "duplicates dropped");
    for bad in [&["not an address"][..], &["a@b.example, c@d.example"][..], &["line@one\nline@two"][..]] {
        assert!(matches!(p.w.run(&by(&p.producer), set(K::Hold, bad)), Err(DomainError::Invalid { .. })), "{bad:?}");
    }
    let many: Vec<String> = (0..21).map(|i| format!("p{i}@set.example")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert!(matches!(p.w.run(&by(&p.producer), set(K::Hold, &many)), Err(DomainError::Invalid { .. })));
    // The armorer does not set the production's policy.
    assert!(matches!(p.w.run(&p.arm(), set(K::Hold, &["x@set.example"])), Err(DomainError::Forbidden(_))));
    p.w.ok(&by(&p.producer), set(K::CriticalReport, &[]));
    assert!(p.w.state.reporting.recipients.is_empty(), "an empty list stops them");
}
