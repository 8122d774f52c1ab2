//! The envelope bytes are the ledger leaf: canonical, round-tripping, and replaying
//! them rebuilds exactly the same projections.
use super::*;

/// A tour of the production that records every kind of event at least once.
fn tour() -> Prod {
    let mut p = Prod::new();
    let (arm, ad, admin) = (p.arm(), p.ad(), p.admin.clone());
    p.w.ok(&admin, Command::AssignRole { person: p.crew.clone(), role: Role::Performer });
    p.w.ok(&admin, Command::RemoveRole { person: p.crew.clone(), role: Role::Performer });
    let permit =
        p.w.log
            .iter()
            .find(|e| matches!(&e.event, Event::CredentialRecorded { person, .. } if *person == p.performer))
            .unwrap()
            .seq;
    let credential = p.w.state.people[&p.performer].credentials[0].clone();
    p.w.ok(
        &admin,
        Command::CorrectCredential {
            person: p.performer.clone(),
            corrects_seq: permit,
            reason: "issuer misspelt".into(),
            credential,
        },
    );
    p.set_policy(&["california-2025", "nsw-au"]);
    p.w.ok(
        &by(&p.producer),
        Command::SetContacts {
            studio_safety_office: "safety@studio.example".into(),
            union_representative: "rep@union.example".into(),
        },
    );
    p.w.ok(
        &by(&p.producer),
        Command::SetRecipients {
            kind: coldset_domain::reporting::NotificationKind::CriticalReport,
            addresses: vec!["ad@set.example".into(), "producer@set.example".into()],
        },
    );
    p.w.ok(
        &by(&p.producer),
        Command::RecordAuthorityNotice {
            authority: coldset_domain::reports::Authority::StudioSafetyOffice,
            date: TODAY,
            reference: "e-mail of 2026-11-20".into(),
        },
    );
    // Live rounds for range training, under the safety advisor's approved exception,
    // received straight into the range (R-AMMO-1).
    let range = with_range_exception(&mut p);
    let events = p.w.ok(&arm, intake_lot(AmmoClass::Live, 50, provenance(SUPPLIER), "LIVE-RANGE"));
    assert!(
        matches!(&events[..], [Event::LotReceived { .. }, Event::ContainerStored { location, .. }] if *location == range)
    );
    p.close(range);
    // The armorer and the safety advisor sign in with a one-time code on this production.
    p.w.ok(
        &by(&p.producer),
        Command::RequireSecondFactor { roles: BTreeSet::from([Role::Armorer, Role::SafetyAdvisor]) },
    );
    // Firearms go from the truck to the set in a locked case with the armorer (R-STORE-6).
    p.take(p.blank_gun.clone());
    p.w.ok(
        &arm,
        Command::RecordTransport {
            firearms: vec![p.blank_gun.clone()],
            containers: vec![],
            from: "armory truck".into(),
            to: "church set".into(),
            locked_case: true,
        },
    );
    p.w.ok(&arm, Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() });
    // The day opens without the safety bulletin: an alert, resolved by the safety advisor.
    p.open_day_with(CallSheet { safety_bulletin_attached: false, ..call_sheet() });
    let alert = *p.w.state.safety.alerts.keys().next().unwrap();
    p.w.ok(&by(&p.safety), Command::ResolveAlert { alert, note: "bulletin attached at 07:10".into() });
    p.w.ok(&arm, Command::SuperviseAssistant { assistant: p.assistant.clone() });
    // A full scene: handed over, collected, one blank unaccounted for, explained.
    let sc = p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
    p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
    p.w.ok(&arm, inspect(&p.blank_gun, InspectionStage::PostUse));
    p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 1, returned: 4 });
    p.w.ok(&arm, Command::ResolveDiscrepancy { class: quarter(), explanation: "casing found under the porch".into() });
    p.w.ok(&arm, Command::DeclareEmpty { firearm: p.blank_gun.clone() });
    p.w.ok(&ad, Command::WrapScene { scene: sc });
    // A second scene: revised, declined, held and released, an override recorded.
    let sc2 = p.plan_scene(take_plan(&p.replica, &p.performer2, PlannedLoad::Empty));
    p.revise(&sc2, take_plan(&p.replica, &p.performer, PlannedLoad::Empty));
    p.w.ok(&by(&p.performer), Command::DeclineFirearm { scene: sc2.clone(), reason: "back injury".into() });
    let hold = p.place_hold(&p.armorer.clone(), HoldScope::Scene { scene: sc2.clone() });
    p.w.ok(&arm, Command::LiftHold { hold, note: "replanned".into(), review: false });
    p.w.ok(
        &arm,
        Command::RecordOverride { rule: R::Staff1, firearm: p.replica.clone(), scene: sc2, reason: "x".into() },
    );
    // Custody and records.
    p.withdraw(p.blank_gun.clone());
    let repair = p.repair(p.blank_gun.clone());
    p.w.ok(&arm, repair);
    p.w.ok(&arm, Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() });
    p.w.ok(
        &arm,
        Command::CorrectFirearmDetails {
            firearm: p.real_gun.clone(),
            corrects_seq: p.w.state.firearm_records[&p.real_gun],
            reason: "model name as on the rental agreement".into(),
            make: "Colt".into(),
            model: "SAA 2nd gen".into(),
            serial: "R-200".into(),
            calibre: CALIBRE.into(),
        },
    );
    p.take(p.rubber.clone());
    p.w.ok(
        &arm,
        Command::DisposeFirearm {
            firearm: p.rubber.clone(),
            disposition: DispositionKind::ReturnedToRentalHouse,
            to: rental_house(),
        },
    );
    let (bad, _) = p.new_dummy_lot("D-BAD", provenance(SUPPLIER));
    p.w.ok(
        &arm,
        Command::VerifyLot { lot: bad, method: VerificationMethod::Rattle, rounds_checked: 12, other_class_found: 1 },
    );
    p.take_ct(p.dummies.clone());
    p.w.ok(&arm, Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 10 });
    p.w.ok(&arm, Command::HandContainer { container: p.spare_dummies.clone(), to: p.assistant.clone() });
    p.w.ok(&arm, Command::StoreContainer { container: p.quarters.clone(), location: p.safe.clone() });
    p.close_day();
    p.close(p.safe.clone());
    // Safety reports: one answered, reviewed and closed; one left to escalate.
    use coldset_domain::reports::{IncidentKind, InjurySeverity, Severity};
    let report = filed(&mut p, Severity::Critical);
    p.w.ok(
        &Actor::Anonymous,
        Command::AddToReport { report, text: "it happened again".into(), followup_key_hash: key_hash() },
    );
    let safety = by(&p.safety);
    p.w.ok(&safety, Command::AcknowledgeReport { report });
    p.w.ok(&arm, Command::AnswerReport { report, text: "the cart is now locked at lunch".into() });
    p.w.ok(&safety, Command::ReviewReport { report, note: "checked the cart".into() });
    p.w.ok(&safety, Command::CloseReport { report, corrective_action: "cart locked; armorer stays with it".into() });
    filed(&mut p, Severity::Concern);
    p.w.ctx.now = p.w.ctx.now.plus_minutes(121);
    let escalated = p.w.ok(&Actor::System, Command::Tick);
    // The revolver has been out for two hours by now: the clock also records its time-out.
    assert!(
        matches!(escalated.as_slice(), [Event::ReportEscalated { .. }, Event::AlertRaised { rule: R::Hand3, .. }]),
        "{escalated:?}"
    );
    // An incident: the regulator told, investigated, evidence released.
    let events = p.w.ok(
        &arm,
        Command::ReportIncident {
            kind: IncidentKind::Injury { severity: InjurySeverity::Hospitalisation },
            firearm: None,
            scene: None,
            description: "grip cut his hand on the cart's hinge".into(),
            wait_seconds: None,
        },
    );
    assert_eq!(events.len(), 1);
    let id = p.w.log.last().unwrap().seq;
    p.w.ok(&by(&p.producer), Command::NotifyRegulator { incident: id, reference: "OSHA 2026-0042".into() });
    for who in [p.armorer.clone(), p.safety.clone()] {
        p.w.ok(
            &by(&who),
            Command::SignInvestigation { incident: id, cause: "sharp hinge".into(), corrective_action: "taped".into() },
        );
    }
    p.w.ok(&safety, Command::ReleaseEvidence { incident: id, note: "nothing firearm-related held".into() });
    p
}

const ALL_EVENT_KINDS: &[&str] = &[
    "production.created",
    "person.added",
    "person.role_assigned",
    "person.role_removed",
    "credential.recorded",
    "credential.corrected",
    "supplier.approved",
    "location.added",
    "storage.opened",
    "storage.closed",
    "firearm.received",
    "firearm.stored",
    "firearm.taken_out",
    "firearm.handed_off",
    "firearm.collected",
    "firearm.withdrawn",
    "firearm.repaired",
    "firearm.disposed",
    "firearm.details_corrected",
    "lot.received",
    "lot.verified",
    "lot.rejected",
    "container.created",
    "rounds.moved",
    "container.stored",
    "container.taken_out",
    "container.handed_over",
    "scene.planned",
    "scene.plan_revised",
    "scene.plan_approved",
    "meeting.held",
    "meeting.signed_off",
    "scene.marked_ready",
    "scene.called",
    "scene.wrapped",
    "firearm.declined",
    "policy.changed",
    "day.opened",
    "day.closed",
    "alert.raised",
    "alert.resolved",
    "assistant.supervised",
    "competence.recorded",
    "firearm.inspected",
    "firearm.loaded",
    "firearm.declared_empty",
    "firearm.unloaded",
    "rounds.discrepancy_found",
    "rounds.discrepancy_resolved",
    "firearm.demonstrated",
    "firearm.shown",
    "hold.placed",
    "hold.lifted",
    "override.recorded",
    "authority.notified",
    "transport.recorded",
    "live_exception.approved",
    "policy.second_factor_required",
    "contacts.set",
    "recipients.set",
    "report.filed",
    "report.acknowledged",
    "report.answered",
    "report.added_to",
    "report.escalated",
    "report.reviewed",
    "report.closed",
    "incident.reported",
    "incident.regulator_notified",
    "incident.investigation_signed",
    "incident.evidence_released",
];

/// Exhaustive on purpose: a new Event variant does not compile here until it is added, and
/// then `the_tour_records_every_kind_of_event` asks for it in ALL_EVENT_KINDS and the tour.
fn event_listed(e: &Event) {
    match e {
        Event::ProductionCreated { .. }
        | Event::PersonAdded { .. }
        | Event::RoleAssigned { .. }
        | Event::RoleRemoved { .. }
        | Event::CredentialRecorded { .. }
        | Event::CredentialCorrected { .. }
        | Event::SupplierApproved { .. }
        | Event::LocationAdded { .. }
        | Event::StorageOpened { .. }
        | Event::StorageClosed { .. }
        | Event::FirearmReceived { .. }
        | Event::FirearmStored { .. }
        | Event::FirearmTakenOut { .. }
        | Event::FirearmHandedOff { .. }
        | Event::FirearmCollected { .. }
        | Event::FirearmWithdrawn { .. }
        | Event::FirearmRepaired { .. }
        | Event::FirearmDisposed { .. }
        | Event::FirearmDetailsCorrected { .. }
        | Event::LotReceived { .. }
        | Event::LotVerified { .. }
        | Event::LotRejected { .. }
        | Event::ContainerCreated { .. }
        | Event::RoundsMoved { .. }
        | Event::ContainerStored { .. }
        | Event::ContainerTakenOut { .. }
        | Event::ContainerHandedOver { .. }
        | Event::ScenePlanned { .. }
        | Event::ScenePlanRevised { .. }
        | Event::ScenePlanApproved { .. }
        | Event::MeetingHeld { .. }
        | Event::MeetingSignedOff { .. }
        | Event::SceneMarkedReady { .. }
        | Event::SceneCalled { .. }
        | Event::SceneWrapped { .. }
        | Event::FirearmDeclined { .. }
        | Event::PolicyChanged { .. }
        | Event::DayOpened { .. }
        | Event::DayClosed { .. }
        | Event::AlertRaised { .. }
        | Event::AlertResolved { .. }
        | Event::AssistantSupervised { .. }
        | Event::CompetenceRecorded { .. }
        | Event::FirearmInspected { .. }
        | Event::FirearmLoaded { .. }
        | Event::FirearmDeclaredEmpty { .. }
        | Event::FirearmUnloaded { .. }
        | Event::RoundsDiscrepancyFound { .. }
        | Event::RoundsDiscrepancyResolved { .. }
        | Event::FirearmDemonstrated { .. }
        | Event::FirearmShown { .. }
        | Event::HoldPlaced { .. }
        | Event::HoldLifted { .. }
        | Event::OverrideRecorded { .. }
        | Event::AuthorityNotified { .. }
        | Event::TransportRecorded { .. }
        | Event::LiveExceptionApproved { .. }
        | Event::SecondFactorRequired { .. }
        | Event::ContactsSet { .. }
        | Event::RecipientsSet { .. }
        | Event::ReportFiled { .. }
        | Event::ReportAcknowledged { .. }
        | Event::ReportAnswered { .. }
        | Event::ReportAddedTo { .. }
        | Event::ReportEscalated { .. }
        | Event::ReportReviewed { .. }
        | Event::ReportClosed { .. }
        | Event::IncidentReported { .. }
        | Event::RegulatorNotified { .. }
        | Event::InvestigationSigned { .. }
        | Event::EvidenceReleased { .. } => {}
    }
}

#[test]
fn the_tour_records_every_kind_of_event() {
    let p = tour();
    p.w.log.iter().for_each(|e| event_listed(&e.event));
    let kinds: BTreeSet<&str> = p.w.log.iter().map(|e| e.event.kind()).collect();
    let all: BTreeSet<&str> = ALL_EVENT_KINDS.iter().copied().collect();
    assert_eq!(all.len(), ALL_EVENT_KINDS.len());
    assert_eq!(kinds, all);
}

/// encode then decode gives back the envelope; decode then encode the same bytes.
#[test]
fn every_event_kind_round_trips() {
    let p = tour();
    for env in &p.w.log {
        let bytes = env.encode();
        let back = Envelope::decode(&bytes).unwrap_or_else(|e| panic!("{} does not decode: {e}", env.event.kind()));
        assert_eq!(&back, env);
        assert_eq!(back.encode(), bytes);
        // Compact JSON, fields in declaration order.
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("{\"v\":1,\"production\":\"prod-1\",\"seq\":"), "{text}");
    }
}

fn not_canonical(bytes: &[u8]) {
    match Envelope::decode(bytes) {
        Err(EncodingError::NotCanonical | EncodingError::Malformed(_)) => {}
        other => panic!("{} was accepted: {other:?}", String::from_utf8_lossy(bytes)),
    }
}

/// Writes a JSON object with its keys in reverse order (whatever serde_json's map does).
fn reversed(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            keys.reverse();
            let fields: Vec<String> =
                keys.iter().map(|k| format!("{}:{}", serde_json::to_string(k).unwrap(), reversed(&map[*k]))).collect();
            format!("{{{}}}", fields.join(","))
        }
        other => serde_json::to_string(other).unwrap(),
    }
}

/// Same meaning, other bytes: refused, so a leaf has exactly one encoding.
#[test]
fn non_canonical_bytes_are_refused() {
    let p = tour();
    for env in &p.w.log {
        let bytes = env.encode();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        // Whitespace.
        not_canonical(&serde_json::to_vec_pretty(env).unwrap());
        not_canonical(format!(" {text}").as_bytes());
        not_canonical(format!("{text}\n").as_bytes());
        not_canonical(text.replacen(',', ", ", 1).as_bytes());
        // Reordered keys.
        not_canonical(reversed(&value).as_bytes());
        // An extra field.
        not_canonical(text.replacen('{', "{\"note\":\"x\",", 1).as_bytes());
        // An escaped character where the canonical form writes it plainly.
        not_canonical(text.replacen("prod-1", "prod\\u002d1", 1).as_bytes());
    }
}

#[test]
fn malformed_and_unknown_records_are_refused() {
    let p = tour();
    let text = String::from_utf8(p.w.log[3].encode()).unwrap();
    assert!(matches!(Envelope::decode(&text.as_bytes()[..text.len() - 1]), Err(EncodingError::Malformed(_))));
    assert!(matches!(
        Envelope::decode(text.replacen("person.added", "person.teleported", 1).as_bytes()),
        Err(EncodingError::Malformed(_))
    ));
    assert!(matches!(
        Envelope::decode(text.replacen("{\"v\":1,", "{\"v\":2,", 1).as_bytes()),
        Err(EncodingError::UnknownVersion(2))
    ));
    assert!(matches!(
        Envelope::decode(text.replacen("\"seq\":3", "\"seq\":3.0", 1).as_bytes()),
        Err(EncodingError::Malformed(_))
    ));
    assert!(matches!(Envelope::decode(b""), Err(EncodingError::Malformed(_))));
}

/// Replaying the recorded (and re-decoded) envelopes into a fresh state gives the same
/// state and the same projection rows.
#[test]
fn replay_is_deterministic() {
    let p = tour();
    let decoded: Vec<Envelope> = p.w.log.iter().map(|e| Envelope::decode(&e.encode()).unwrap()).collect();
    let replayed = replay(&decoded);
    assert_eq!(replayed.all_rows(), p.w.state.all_rows());
    assert_eq!(replayed, p.w.state);
    assert_eq!(replay(&decoded).all_rows(), replayed.all_rows());
}

/// The log is strict: sequence numbers in order, one production, starting with its
/// creation.
#[test]
fn apply_refuses_out_of_order_or_foreign_events() {
    let p = tour();
    let log = &p.w.log;
    let mut s = ProductionState::new();
    let mut first = log[1].clone();
    first.seq = 0;
    assert!(s.apply(&first).is_err(), "log must start with production.created");
    s.apply(&log[0]).unwrap();
    assert!(s.apply(&log[2]).is_err(), "a gap in sequence numbers");
    let mut foreign = log[1].clone();
    foreign.production = ProductionId::parse("prod-2").unwrap();
    assert!(s.apply(&foreign).is_err(), "an event of another production");
    let before = s.clone();
    let mut dup = log[0].clone();
    dup.seq = 1;
    assert!(s.apply(&dup).is_err(), "a second production.created");
    assert_eq!(s, before);
    s.apply(&log[1]).unwrap();
}

/// Every kind of event names at least one record (so it is in some record's history), and
/// the custody steps name the item and both people: a history is found from what events
/// name, never from their text.
#[test]
fn every_event_names_the_records_it_is_about() {
    use coldset_domain::EntityRef as E;
    let p = tour();
    for env in &p.w.log {
        assert!(!env.event.entities().is_empty(), "{} names no record", env.event.kind());
        if let Event::FirearmHandedOff { firearm, from, to, .. } = &env.event {
            let named = env.entities();
            for r in [E::Firearm(firearm.clone()), E::Person(from.clone()), E::Person(to.clone())] {
                assert!(named.contains(&r), "a hand-off names {r:?}: {named:?}");
            }
        }
        if let Some(actor) = env.actor.person() {
            assert!(env.entities().contains(&E::Person(actor.clone())), "{}: the actor is named", env.event.kind());
        }
    }
}
