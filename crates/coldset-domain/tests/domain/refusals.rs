//! A refusal lists every failing rule, explains each, and changes nothing.
use super::*;

/// The 1st AD hands the withdrawn blank gun the armorer holds to a performer who has no
/// licence and is not the one the plan names: every failing rule is named.
#[test]
fn a_refusal_names_every_failing_rule() {
    let mut p = Prod::new();
    let sc = p.std_ready();
    p.withdraw(p.blank_gun.clone());
    p.w.ctx.attested = vec![p.performer2.clone()];
    let d = p.w.refused(&p.ad(), hand_off(&p.blank_gun, &p.performer2, &sc));
    assert_eq!(d.rule_ids(), ids(&[R::Role1, R::Role2, R::Hand2, R::Hand5, R::Train2, R::Check2]));
    // R-HAND-2 twice: the 1st AD is not the armorer, and the plan names someone else.
    assert_eq!(d.violations.iter().filter(|v| v.rule == R::Hand2).count(), 2);
    assert_eq!(d.violations.len(), 7);
    assert_explained(&d);
    let text = d.to_string();
    for rule in d.rule_ids() {
        assert!(text.contains(&format!("[{rule}]")), "{text}");
    }
    assert!(text.contains("To proceed:"), "{text}");
}

/// A crew member brings home-made dummies from nowhere, without headstamp, under a
/// label already in use: every problem is named, two of them under R-AMMO-3.
#[test]
fn an_intake_refusal_names_every_failing_rule() {
    let mut p = Prod::new();
    let mut prov = provenance("Bob's Garage Ammo");
    prov.headstamp = String::new();
    let d = p.w.refused(
        &by(&p.crew),
        Command::IntakeLot {
            class: AmmoClass::Dummy,
            calibre: CALIBRE.into(),
            rounds: 10,
            provenance: prov,
            home_made: true,
            container_label: "D-1".into(),
        },
    );
    assert_eq!(d.rule_ids(), ids(&[R::Store5, R::Ammo3, R::Ammo4, R::Ammo5]));
    assert_eq!(d.violations.iter().filter(|v| v.rule == R::Ammo3).count(), 2);
    assert_explained(&d);
}

/// Moving dummies into a blank container of another calibre, out of a container one
/// does not hold, more than it holds.
#[test]
fn a_move_refusal_names_every_failing_rule() {
    let mut p = Prod::new();
    p.take_ct(p.quarters.clone());
    let arm = p.arm();
    p.w.ok(&arm, Command::HandContainer { container: p.quarters.clone(), to: p.assistant.clone() });
    let ct =
        container_of(&p.w.ok(
            &arm,
            Command::CreateContainer { label: "D-9MM".into(), class: AmmoClass::Dummy, calibre: "9mm".into() },
        ));
    let d = p.w.refused(&arm, Command::MoveRounds { from: p.quarters.clone(), to: ct, rounds: 101 });
    assert_eq!(d.rule_ids(), ids(&[R::Role1, R::Ammo5, R::Store4]));
    assert_eq!(d.violations.iter().filter(|v| v.rule == R::Ammo5).count(), 2);
    assert_explained(&d);
}

/// Loading full-load blanks into a firearm someone else holds, before the call, on a
/// day without a medic: every failing rule is named.
#[test]
fn a_load_refusal_names_every_failing_rule() {
    let mut p = Prod::new();
    p.open_day_with(CallSheet { medics: Vec::new(), ..call_sheet() });
    p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Call);
    p.transfer(p.blank_gun.clone(), p.assistant.clone());
    p.take_ct(p.fulls.clone());
    let d = p.w.refused(&p.arm(), load_cmd(&p.blank_gun, &p.fulls, 61, None));
    assert_eq!(d.rule_ids(), ids(&[R::Role1, R::Hand1, R::Store4, R::Ammo6, R::Med1]));
    assert_explained(&d);
}

/// decide is pure: the same question gets the same answer, and asking changes nothing.
/// (Every refusal in the gate table is also checked to leave state and log unchanged.)
#[test]
fn deciding_changes_nothing() {
    let mut p = Prod::new();
    let sc = p.std_ready();
    let before = p.w.state.clone();
    for (actor, cmd) in [
        (p.ad(), hand_off(&p.blank_gun, &p.performer, &sc)),
        (p.arm(), hand_off(&p.blank_gun, &p.performer, &sc)),
        (p.arm(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 1, returned: 2 }),
    ] {
        let first = decide(&p.w.state, &p.w.ctx, &actor, &cmd);
        let second = decide(&p.w.state, &p.w.ctx, &actor, &cmd);
        assert_eq!(first, second);
        assert_eq!(p.w.state, before);
    }
}

/// A refused command returns no events and records nothing, even after a run of
/// allowed ones.
#[test]
fn a_refused_command_records_nothing() {
    let mut p = Prod::new();
    let sc = p.give(p.replica.clone(), p.performer.clone(), PlannedLoad::Empty);
    let rows = p.w.state.all_rows();
    let logged = p.w.log.len();
    p.w.ctx.attested = vec![p.performer2.clone()];
    let r = p.w.run(&by(&p.performer), hand_off(&p.replica, &p.performer2, &sc));
    assert!(matches!(r, Err(DomainError::Denied(_))), "{r:?}");
    assert_eq!(p.w.state.all_rows(), rows);
    assert_eq!(p.w.log.len(), logged);
}
