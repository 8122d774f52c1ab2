//! One test per enforced rule id: every row of the table for that rule.
use super::*;

macro_rules! rule_tests {
    ($($name:ident => $rule:ident),+ $(,)?) => {
        $(
            #[test]
            fn $name() {
                run_rule(R::$rule);
            }
        )+
    };
}

rule_tests! {
    r_role_1_one_custodian => Role1,
    r_role_2_in_date_licence_covering_the_kind => Role2,
    r_role_3_armorer_has_no_other_department_role => Role3,
    r_role_4_holds => Role4,
    r_role_6_independent_safety_advisor => Role6,
    r_staff_1_armorer_staffing => Staff1,
    r_staff_2_ready_only_after_inspections => Staff2,
    r_train_1_safety_course => Train1,
    r_train_2_competence_with_the_model => Train2,
    r_train_3_anyone_may_decline => Train3,
    r_store_1_unloaded_in_storage_unless_in_a_scene => Store1,
    r_store_2_ammunition_stays_with_the_armorer => Store2,
    r_store_3_only_authorised_people_open_storage => Store3,
    r_store_4_counts => Store4,
    r_store_5_nothing_without_intake => Store5,
    r_ammo_1_no_live_rounds => Ammo1,
    r_ammo_2_verified_before_use => Ammo2,
    r_ammo_3_approved_suppliers_only => Ammo3,
    r_ammo_4_provenance_and_quarantine => Ammo4,
    r_ammo_5_one_class_per_container => Ammo5,
    r_ammo_6_the_blank_the_plan_approves => Ammo6,
    r_ammo_7_rounds_counted_out_and_back => Ammo7,
    r_ammo_8_calibre_matches_the_chambering => Ammo8,
    r_hand_1_armorer_loads_when_called => Hand1,
    r_hand_2_only_the_armorer_hands_over_and_collects => Hand2,
    r_hand_3_firearms_back_at_cut => Hand3,
    r_hand_4_inspections => Hand4,
    r_hand_5_withdrawn_until_repaired => Hand5,
    r_hand_6_used_only_in_a_called_scene => Hand6,
    r_check_1_demonstrated_to_the_first_ad => Check1,
    r_check_2_shown_to_the_performer => Check2,
    r_decl_1_only_the_armorer_declares_the_load => Decl1,
    r_meet_1_a_signed_off_meeting => Meet1,
    r_meet_2_agenda_sign_in_sign_off => Meet2,
    r_meet_3_new_meeting_when_the_plan_changes => Meet3,
    r_meet_4_bulletin_and_contact_on_the_call_sheet => Meet4,
    r_reh_1_replicas_in_rehearsal => Reh1,
    r_reh_2_a_real_firearm_in_rehearsal_passes_every_check => Reh2,
    r_aim_1_aiming_needs_consultation_and_mitigation => Aim1,
    r_dist_1_twenty_feet_with_blanks => Dist1,
    r_dist_2_protection_near_blank_fire => Dist2,
    r_cam_1_camera_protection => Cam1,
    r_med_1_medic_for_blank_fire => Med1,
    r_rec_1_risk_assessment_and_approvals => Rec1,
    r_rec_3_disposed_firearms_are_out => Rec3,
    r_rec_4_training_and_competence_records => Rec4,
    r_rec_5_misfire_and_discharge_log_with_causes => Rec5,
    r_rec_6_corrections_reference_a_record => Rec6,
    r_comp_1_reports_acknowledged_answered_closed => Comp1,
    r_comp_2_a_critical_report_stops_firearm_work => Comp2,
    r_misf_1_the_wait_after_a_misfire => Misf1,
    r_misf_2_a_misfire_stops_issue_until_investigated => Misf2,
    r_inc_2_evidence_is_frozen => Inc2,
    r_notif_1_the_studio_safety_office_is_told => Notif1,
    r_role_5_a_compliance_contact_is_named => Role5,
    r_inc_1_regulator_deadlines => Inc1,
    r_store_6_transport_in_a_locked_case => Store6,
}

/// The table has, for every enforced rule, a case that refuses naming it (or, for an
/// ALERT/RECORD rule, raises an alert naming it) and a case that allows.
#[test]
fn every_enforced_rule_has_refused_and_allowed_cases() {
    let cases = all_cases();
    for rule in ENFORCED {
        let refused = cases
            .iter()
            .any(|c| c.proves == *rule && matches!(c.expect, Refused(ids) | Alerted(ids) if ids.contains(rule)));
        let allowed = cases.iter().any(|c| c.proves == *rule && matches!(c.expect, Allowed(_)));
        assert!(refused, "no refusal (or alert) case for {rule}");
        assert!(allowed, "no allowed case for {rule}");
    }
    for c in &cases {
        assert!(ENFORCED.contains(&c.proves), "{}: {} is not enforced", c.name, c.proves);
    }
    let names: BTreeSet<&str> = cases.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), cases.len(), "two cases share a name");
}

/// The rule ids named in a piece of Rust source, as `RuleId::Variant`.
fn named_rules(source: &str) -> BTreeSet<R> {
    let mut named = BTreeSet::new();
    for (i, _) in source.match_indices("RuleId::") {
        let rest = &source[i + "RuleId::".len()..];
        let ident: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if let Some(rule) = R::ALL.iter().find(|r| format!("{r:?}") == ident) {
            named.insert(*rule);
        }
    }
    named
}

/// ENFORCED is exactly the set of rule ids the decider names, in its shared checks
/// (checks.rs), its areas (people.rs, storage.rs, firearm.rs, ammunition.rs, scene.rs,
/// reports.rs) and the gate (gate.rs): a rule added to any of them without cases here
/// fails this test.
#[test]
fn enforced_rules_match_the_decider() {
    let mut named = BTreeSet::new();
    for (file, source) in [
        ("checks.rs", include_str!("../../src/checks.rs")),
        ("people.rs", include_str!("../../src/people.rs")),
        ("storage.rs", include_str!("../../src/storage.rs")),
        ("firearm.rs", include_str!("../../src/firearm.rs")),
        ("gate.rs", include_str!("../../src/gate.rs")),
        ("ammunition.rs", include_str!("../../src/ammunition.rs")),
        ("scene.rs", include_str!("../../src/scene.rs")),
        ("reports.rs", include_str!("../../src/reports.rs")),
    ] {
        let rules = named_rules(source);
        assert!(!rules.is_empty(), "{file} names no rule: has the parser broken?");
        named.extend(rules);
    }
    let enforced: BTreeSet<R> = ENFORCED.iter().copied().collect();
    assert_eq!(named, enforced);
}

/// R-ROLE-2 at the edges of a performer's permit: good through its expiry day, refused
/// the day after (the whole scene is shot on that day).
#[test]
fn a_credential_is_in_date_through_its_expiry_day_and_not_after() {
    let expiry = Date::constant(2026, 12, 15);
    for (today, allowed) in [(expiry.yesterday().unwrap(), true), (expiry, true), (expiry.tomorrow().unwrap(), false)] {
        let mut p = Prod::new();
        p.w.ctx.today = today;
        let newcomer = p.add_person("Nat Newcomer", &[Role::Performer]);
        p.credit(newcomer.clone(), credential(CredentialKind::Permit, expiry, &[FirearmKind::BlankAdapted]));
        p.credit(newcomer.clone(), safety_course());
        let sc = p.ready(p.blank_gun.clone(), newcomer.clone(), quarter_blanks());
        let cmd = hand_off(&p.blank_gun, &newcomer, &sc);
        match p.w.run(&p.arm(), cmd) {
            Ok(events) => {
                assert!(allowed, "allowed on {today}");
                assert_eq!(events.len(), 1);
            }
            Err(DomainError::Denied(d)) => {
                assert!(!allowed, "refused on {today}: {d}");
                assert_eq!(d.rule_ids(), vec![R::Role2]);
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
}

/// A quarantined lot from another production says why, naming R-AMMO-4.
#[test]
fn stock_from_another_production_is_quarantined_naming_r_ammo_4() {
    let p = Prod::new();
    match &p.w.state.lots[&p.old_lot].state {
        LotState::Quarantined { reason } => assert!(reason.contains("R-AMMO-4"), "{reason}"),
        other => panic!("expected quarantine, got {other:?}"),
    }
    // New stock is quarantined too, until verified (R-AMMO-2).
    let mut p = p;
    let (lot, _) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
    match &p.w.state.lots[&lot].state {
        LotState::Quarantined { reason } => assert!(reason.contains("R-AMMO-2"), "{reason}"),
        other => panic!("expected quarantine, got {other:?}"),
    }
}

/// R-STORE-4: a refused move leaves every count as it was; an allowed one moves exactly
/// the rounds asked for, oldest lot first, and the total is unchanged.
#[test]
fn moving_rounds_keeps_the_counts() {
    let mut p = Prod::new();
    p.take_ct(p.dummies.clone());
    p.take_ct(p.dummies_b.clone());
    let arm = p.arm();
    p.w.ok(&arm, Command::MoveRounds { from: p.dummies_b.clone(), to: p.dummies.clone(), rounds: 30 });
    assert_eq!(p.count(&p.dummies), 80);
    assert_eq!(p.count(&p.dummies_b), 0);

    let d = p.w.refused(&arm, Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 81 });
    assert_eq!(d.rule_ids(), vec![R::Store4]);
    assert_eq!(p.count(&p.dummies), 80);
    assert_eq!(p.count(&p.spare_dummies), 0);

    let events = p.w.ok(&arm, Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 60 });
    assert_eq!(
        events,
        vec![
            Event::RoundsMoved {
                from: p.dummies.clone(),
                to: p.spare_dummies.clone(),
                lot: p.dummy_lot.clone(),
                rounds: 50,
            },
            Event::RoundsMoved {
                from: p.dummies.clone(),
                to: p.spare_dummies.clone(),
                lot: p.dummy_lot_b.clone(),
                rounds: 10,
            },
        ]
    );
    assert_eq!(p.count(&p.dummies), 20);
    assert_eq!(p.count(&p.spare_dummies), 60);
    assert_eq!(p.w.state.containers[&p.dummies].contents, BTreeMap::from([(p.dummy_lot_b.clone(), 20)]));
}

/// Moving zero rounds, or within one container, is malformed input, not a rule refusal.
#[test]
fn moving_nothing_or_in_place_is_invalid() {
    let mut p = Prod::new();
    p.take_ct(p.dummies.clone());
    let arm = p.arm();
    for (from, to, rounds) in
        [(p.dummies.clone(), p.spare_dummies.clone(), 0), (p.dummies.clone(), p.dummies.clone(), 1)]
    {
        let r = p.w.run(&arm, Command::MoveRounds { from, to, rounds });
        assert!(matches!(r, Err(DomainError::Invalid { .. })), "{r:?}");
    }
}
