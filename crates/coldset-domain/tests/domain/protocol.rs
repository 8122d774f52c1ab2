//! The safety protocol end to end: what a hand-off records, the happy path minus each
//! step (for a take and for a rehearsal with a real firearm, R-REH-2), round
//! reconciliation (R-AMMO-7, R-AMMO-1), overrides, the gate query, policy packs.
use super::*;

/// The main rule a hand-off names when `step` was left out of an otherwise correct
/// scene (later steps that depend on it are refused too, so more rules may follow).
fn rule_for(step: Step) -> R {
    match step {
        Step::Competence => R::Train2,
        Step::OpenDay => R::Store4,
        Step::ApproveArmorer | Step::ApproveAd | Step::ApproveSafety => R::Rec1,
        Step::Meeting | Step::SignArmorer | Step::SignAd => R::Meet1,
        Step::TakeOut => R::Store1,
        Step::Inspect => R::Hand4,
        Step::Ready | Step::Call => R::Hand6,
        Step::Load => R::Decl1,
        Step::Demonstrate => R::Check1,
        Step::Shown => R::Check2,
        Step::Attest => R::Hand2,
    }
}

/// Steps nothing else depends on: leaving one out is refused under its rule alone.
const INDEPENDENT: &[Step] = &[Step::Competence, Step::Demonstrate, Step::Shown, Step::Attest];

/// For each step: the same scene with that step left out is refused naming its rule;
/// with every step, the hand-off is allowed.
fn every_step_is_required(plan: fn(&mut Prod) -> (ScenePlan, FirearmId, PersonId), also: &[R]) {
    for skip in STEPS.iter().copied().map(Some).chain([None]) {
        let mut p = Prod::new();
        let (plan, fa, to) = plan(&mut p);
        let sc = p.prepare(plan, skip.as_slice(), None);
        let cmd = hand_off(&fa, &to, &sc);
        match skip {
            None => {
                let events = p.w.ok(&p.arm(), cmd);
                assert!(matches!(events.as_slice(), [Event::FirearmHandedOff { .. }]), "{events:?}");
            }
            Some(step) => {
                let d = p.w.refused(&p.arm(), cmd);
                assert!(d.has(rule_for(step)), "without {step:?}: {d}");
                for rule in also {
                    assert!(d.has(*rule), "without {step:?}: {d}");
                }
                if INDEPENDENT.contains(&step) {
                    let mut expected = vec![rule_for(step)];
                    expected.extend_from_slice(also);
                    assert_eq!(d.rule_ids(), ids(&expected), "without {step:?}: {d}");
                }
                assert_explained(&d);
            }
        }
    }
}

/// The happy path minus any one step is refused.
#[test]
fn the_happy_path_minus_any_step_is_refused() {
    every_step_is_required(
        |p| (take_plan(&p.blank_gun, &p.performer, quarter_blanks()), p.blank_gun.clone(), p.performer.clone()),
        &[],
    );
}

/// R-REH-2: a real firearm in a rehearsal (its reason recorded, R-REH-1) passes every
/// check an actual take does: each missing step is still refused, naming R-REH-2 too.
#[test]
fn r_reh_2_a_real_firearm_in_rehearsal_passes_every_check_a_take_does() {
    every_step_is_required(rehearsal_with_a_real_firearm, &[R::Reh2]);
}

/// A hand-off records who gave, who received and confirmed, for which scene, every rule
/// the gate checked, and no override.
#[test]
fn a_hand_off_records_the_gate_decision() {
    let mut p = Prod::new();
    let sc = p.std_ready();
    let (actor, cmd) = p.std_hand(&sc);
    let events = p.w.ok(&actor, cmd);
    let [Event::FirearmHandedOff { firearm, from, to, scene, rules_checked, overrides, receiver_confirmed }] =
        events.as_slice()
    else {
        panic!("{events:?}")
    };
    assert_eq!((firearm, from, to), (&p.blank_gun, &p.armorer, &p.performer));
    assert_eq!(scene.as_ref(), Some(&sc));
    assert!(*receiver_confirmed);
    assert!(overrides.is_empty());
    let expected = ids(&[
        R::Role1,
        R::Role2,
        R::Role3,
        R::Role4,
        R::Hand2,
        R::Hand4,
        R::Hand5,
        R::Hand6,
        R::Store1,
        R::Store4,
        R::Meet1,
        R::Meet3,
        R::Rec1,
        R::Train1,
        R::Train2,
        R::Train3,
        R::Check1,
        R::Check2,
        R::Decl1,
        R::Ammo6,
        R::Ammo7,
        R::Med1,
        R::Staff1,
        R::Comp2,
        R::Misf2,
        R::Inc2,
    ]);
    for rule in &expected {
        assert!(rules_checked.contains(rule), "{rule} not among {rules_checked:?}");
    }
    assert_eq!(rules_checked, &ids(rules_checked), "sorted, without repeats");
    assert_eq!(p.w.state.firearms[&p.blank_gun].holder, Holder::Person { person: p.performer.clone() });
}

/// An armory transfer (armorer to assistant armorer) needs no scene: custody only, with
/// the receiver's confirmation and licence checked.
#[test]
fn an_armory_transfer_checks_custody_only() {
    let mut p = Prod::new();
    p.transfer(p.blank_gun.clone(), p.assistant.clone());
    let Some(Envelope { event: Event::FirearmHandedOff { rules_checked, scene, receiver_confirmed, .. }, .. }) =
        p.w.log.last()
    else {
        panic!("no hand-off recorded")
    };
    assert_eq!(rules_checked, &ids(&[R::Role1, R::Role2, R::Role3, R::Hand2, R::Hand5]));
    assert_eq!(scene, &None);
    assert!(*receiver_confirmed);
}

/// Collect records whether the person handing the firearm back confirmed in person; it is
/// never refused for that.
#[test]
fn collect_records_whether_the_returner_confirmed() {
    for attested in [false, true] {
        let mut p = Prod::new();
        p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
        p.w.ctx.attested = if attested { vec![p.performer2.clone()] } else { Vec::new() };
        let events = p.w.ok(&p.arm(), Command::Collect { firearm: p.replica.clone() });
        assert!(
            matches!(events.as_slice(), [Event::FirearmCollected { returner_confirmed, .. }] if *returner_confirmed == attested),
            "{events:?}"
        );
        // Back from the set: the next hand-off needs fresh inspections and checks.
        let checks = &p.w.state.firearms[&p.replica].checks;
        assert!(checks.needs_post_use && checks.pre_use_at.is_none());
        assert!(checks.demonstrated.is_none() && checks.shown.is_empty());
    }
}

/// R-HAND-6 / R-HAND-5: a withdrawn firearm may leave storage for maintenance (so it can
/// be repaired or sent back); taken out that way it does not go to a performer.
#[test]
fn a_firearm_out_for_maintenance_does_not_go_to_a_performer() {
    let mut p = Prod::new();
    let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
    p.withdraw(p.blank_gun.clone());
    p.take(p.blank_gun.clone());
    let (arm, repair) = (p.arm(), p.repair(p.blank_gun.clone()));
    p.w.ok(&arm, repair);
    p.w.ok(&arm, inspect(&p.blank_gun, InspectionStage::PreUse));
    p.w.ctx.attested = vec![p.performer.clone()];
    let no_scene = Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone(), scene: None };
    let d = p.w.refused(&arm, no_scene);
    assert!(d.has(R::Hand6), "{d}");
    let d = p.w.refused(&arm, hand_off(&p.blank_gun, &p.performer, &sc));
    assert!(d.has(R::Store1) && d.has(R::Hand6), "{d}");
    // Nor can it be loaded: it is not out for a called scene.
    p.take_ct(p.quarters.clone());
    let d = p.w.refused(&arm, load_cmd(&p.blank_gun, &p.quarters, 6, None));
    assert!(d.has(R::Hand1), "{d}");
}

/// R-AMMO-7: a take's rounds are counted back; a short count records the discrepancy,
/// raises an alert and holds that class (only that class) until the armorer explains it.
#[test]
fn a_short_count_holds_that_class_until_the_armorer_explains_it() {
    let mut p = Prod::new();
    let second = p.another_blank_gun("B-101");
    let items =
        vec![item(&p.blank_gun, &p.performer, quarter_blanks()), item(&second, &p.performer, PlannedLoad::Dummies)];
    let sc = p.prepare(plan_of(SceneKind::Take, items), &[], None);
    let arm = p.arm();
    p.w.ok(&arm, hand_off(&p.blank_gun, &p.performer, &sc));
    p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
    let events = p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 2, returned: 3 });
    let kinds: Vec<&str> = events.iter().map(Event::kind).collect();
    assert_eq!(kinds, ["firearm.unloaded", "rounds.discrepancy_found", "alert.raised"]);
    assert!(events.contains(&Event::RoundsDiscrepancyFound {
        firearm: p.blank_gun.clone(),
        class: quarter(),
        issued: 6,
        fired: 2,
        returned: 3,
    }));
    assert_eq!(alert_rules(&events), vec![R::Ammo7]);
    assert_eq!(p.w.state.safety.discrepancies.len(), 1);
    assert_eq!(p.count(&p.quarters), 100 - 6 + 3);

    // Quarter-load blanks are held ...
    let d = p.w.refused(&arm, load_cmd(&p.blank_gun, &p.quarters, 6, None));
    assert_eq!(d.rule_ids(), vec![R::Ammo7]);
    // ... dummies are not: the second revolver is counted back and reloaded.
    let events = p.w.ok(&arm, Command::UnloadFirearm { firearm: second.clone(), fired: 0, returned: 6 });
    assert_eq!(events.len(), 1, "{events:?}");
    p.w.ok(&arm, load_cmd(&second, &p.dummies, 6, Some(VerificationMethod::Rattle)));

    // Only the armorer explains it; then the class may be issued again.
    let explain =
        Command::ResolveDiscrepancy { class: quarter(), explanation: "one blank found in the holster".into() };
    assert_eq!(p.w.refused(&p.ad(), explain.clone()).rule_ids(), vec![R::Ammo7]);
    p.w.ok(&arm, explain.clone());
    assert!(p.w.state.safety.discrepancies.is_empty());
    assert!(matches!(p.w.run(&arm, explain), Err(DomainError::Invalid { .. })));
    p.w.ok(&arm, load_cmd(&p.blank_gun, &p.quarters, 6, None));
}

/// A load declared as dummies that "fired" is treated as live ammunition on set: an
/// R-AMMO-1 alert besides the discrepancy, and dummies are held too.
#[test]
fn dummies_that_fired_raise_an_r_ammo_1_alert() {
    let mut p = Prod::new();
    p.give(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
    let arm = p.arm();
    p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
    // Every round is accounted for (1 + 5 = 6), but a dummy cannot fire.
    let events = p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 1, returned: 5 });
    assert!(events.iter().any(|e| matches!(e, Event::RoundsDiscrepancyFound { class: AmmoClass::Dummy, .. })));
    assert_eq!(alert_rules(&events), vec![R::Ammo1, R::Ammo7]);
    let d = p.w.refused(&arm, load_cmd(&p.blank_gun, &p.dummies, 6, Some(VerificationMethod::Rattle)));
    assert_eq!(d.rule_ids(), vec![R::Ammo7]);
}

/// More rounds back than were issued is a typing error, not a count.
#[test]
fn returning_more_rounds_than_issued_is_invalid() {
    let mut p = Prod::new();
    p.std_ready();
    let r = p.w.run(&p.arm(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 7 });
    assert!(matches!(r, Err(DomainError::Invalid { .. })), "{r:?}");
}

/// Overrides exist only for R-STAFF-1 and R-TRAIN-2; every other rule (R-AMMO-1,
/// R-HAND-2, R-DECL-1, R-MISF-2 among them) is refused naming that rule; only the armorer
/// records one.
#[test]
fn only_staffing_and_competence_can_be_overridden() {
    assert_eq!(OVERRIDABLE.iter().copied().collect::<BTreeSet<R>>(), [R::Staff1, R::Train2].into());
    let mut p = Prod::new();
    let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
    let over = |rule: R| Command::RecordOverride {
        rule,
        firearm: p.blank_gun.clone(),
        scene: sc.clone(),
        reason: "we know better".into(),
    };
    for rule in R::ALL.iter().copied().filter(|r| !OVERRIDABLE.contains(r)) {
        let d = p.w.refused(&p.arm(), over(rule));
        assert_eq!(d.rule_ids(), vec![rule]);
        assert_explained(&d);
    }
    for rule in [R::Ammo1, R::Hand2, R::Decl1, R::Misf2] {
        assert!(!OVERRIDABLE.contains(&rule));
    }
    for rule in [R::Staff1, R::Train2] {
        assert_eq!(p.w.refused(&p.ad(), over(rule)).rule_ids(), vec![rule]);
        assert_eq!(p.w.refused(&by(&p.safety), over(rule)).rule_ids(), vec![rule]);
        let events = p.w.ok(&p.arm(), over(rule));
        assert!(matches!(events.as_slice(), [Event::OverrideRecorded { rule: r, .. }] if *r == rule));
    }
}

/// R-TRAIN-2 overridden: refused without competence; after the armorer records an
/// override the gate allows and the hand-off lists it.
#[test]
fn a_competence_override_is_listed_on_the_hand_off() {
    let mut p = Prod::new();
    let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Competence);
    let (actor, cmd) = p.std_hand(&sc);
    assert_eq!(p.w.refused(&actor, cmd.clone()).rule_ids(), vec![R::Train2]);
    p.w.ok(
        &p.arm(),
        Command::RecordOverride {
            rule: R::Train2,
            firearm: p.blank_gun.clone(),
            scene: sc.clone(),
            reason: "trained on the identical prop revolver yesterday; record follows".into(),
        },
    );
    let id = p.w.log.last().unwrap().seq;
    let q = gate::evaluate_hand_off(&p.w.state, &p.w.ctx, &p.blank_gun, &p.performer, Some(&sc)).unwrap();
    assert!(q.allowed, "{q:?}");
    assert_eq!(q.overridden, vec![(R::Train2, id)]);
    let events = p.w.ok(&actor, cmd);
    assert!(
        matches!(events.as_slice(), [Event::FirearmHandedOff { overrides, .. }] if overrides == &vec![id]),
        "{events:?}"
    );
}

/// R-STAFF-1 overridden: the fifth armed performer for one armorer, once the armorer
/// records the override for that firearm in that scene; an override for another
/// firearm does not count.
#[test]
fn a_staffing_override_is_listed_on_the_hand_off() {
    let mut p = Prod::new();
    let (sc, pairs) = five_armed(&mut p);
    let over = |fa: &FirearmId| Command::RecordOverride {
        rule: R::Staff1,
        firearm: fa.clone(),
        scene: sc.clone(),
        reason: "second armorer on her way; performers stay in one group".into(),
    };
    let (fa, to) = pairs[4].clone();
    p.w.ok(&p.arm(), over(&pairs[0].0));
    assert_eq!(p.w.refused(&p.arm(), hand_off(&fa, &to, &sc)).rule_ids(), vec![R::Staff1]);
    p.w.ok(&p.arm(), over(&fa));
    let id = p.w.log.last().unwrap().seq;
    let events = p.w.ok(&p.arm(), hand_off(&fa, &to, &sc));
    assert!(
        matches!(events.as_slice(), [Event::FirearmHandedOff { overrides, .. }] if overrides == &vec![id]),
        "{events:?}"
    );
}

/// The gate query lists every failing rule at once, with a reason and a remedy each,
/// and changes nothing.
#[test]
fn the_gate_query_lists_every_failing_rule_and_changes_nothing() {
    let mut p = Prod::new();
    let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
    p.place_hold(&p.safety.clone(), HoldScope::Scene { scene: sc.clone() });
    let before = p.w.state.clone();
    let logged = p.w.log.len();
    let q = gate::evaluate_hand_off(&p.w.state, &p.w.ctx, &p.blank_gun, &p.performer, Some(&sc)).unwrap();
    assert!(!q.allowed);
    let rules = ids(&q.violations.iter().map(|v| v.rule).collect::<Vec<_>>());
    assert_eq!(
        rules,
        ids(&[
            R::Role1,  // still in the safe
            R::Role4,  // the hold
            R::Store4, // no shoot day open
            R::Store1, // not taken out for the scene
            R::Hand6,  // not called
            R::Meet1,  // no meeting
            R::Rec1,   // not approved
            R::Train2, // no recorded competence
            R::Hand4,  // no pre-use inspection
            R::Check1, // no demonstration
            R::Check2, // not shown
            R::Decl1,  // empty, the plan calls for blanks
        ])
    );
    for v in &q.violations {
        assert!(!v.reason.trim().is_empty() && !v.remedy.trim().is_empty(), "{v:?}");
    }
    assert!(q.rules_checked.len() >= rules.len());
    assert_eq!(p.w.state, before);
    assert_eq!(p.w.log.len(), logged);
}

/// The query answers what the hand-off command would (with the receiver confirming), for
/// the happy path and the happy path minus each step.
#[test]
fn the_gate_query_agrees_with_the_hand_off() {
    for skip in STEPS.iter().copied().map(Some).chain([None]) {
        let mut p = Prod::new();
        let plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
        let sc = p.prepare(plan, skip.as_slice(), None);
        let q = gate::evaluate_hand_off(&p.w.state, &p.w.ctx, &p.blank_gun, &p.performer, Some(&sc)).unwrap();
        let mut ctx = p.w.ctx.clone();
        ctx.attested = vec![p.performer.clone()];
        // In the query the giver is whoever holds it (or the armorer, if it is stored).
        let r = decide(&p.w.state, &ctx, &p.arm(), &hand_off(&p.blank_gun, &p.performer, &sc));
        match r {
            Ok(_) => assert!(q.allowed && q.violations.is_empty(), "{skip:?}: {q:?}"),
            Err(DomainError::Denied(d)) => {
                assert!(!q.allowed, "{skip:?}");
                assert_eq!(ids(&q.violations.iter().map(|v| v.rule).collect::<Vec<_>>()), d.rule_ids(), "{skip:?}");
            }
            Err(e) => panic!("{skip:?}: {e:?}"),
        }
    }
}

/// Policy packs: the strictest setting wins. nsw-au's time-out is 15 minutes: a pre-use
/// inspection 16 minutes old is refused under industry-us + nsw-au and accepted under
/// industry-us alone (20 minutes) or with uk (which does not change it).
#[test]
fn the_strictest_time_out_wins() {
    let mut p = Prod::new();
    p.set_policy(&["industry-us"]);
    let sc = p.std_ready();
    let (actor, cmd) = p.std_hand(&sc);
    let at = p.inspected_at(&p.blank_gun);
    for (packs, minutes, time_out, allowed) in [
        (&["industry-us"][..], 16, 20, true),
        (&["industry-us"][..], 20, 20, false),
        (&["industry-us", "nsw-au"][..], 16, 15, false),
        (&["industry-us", "nsw-au"][..], 14, 15, true),
        (&["nsw-au"][..], 15, 15, false),
        (&["industry-us", "uk"][..], 16, 20, true),
    ] {
        p.set_policy(packs);
        assert_eq!(gate::policy(&p.w.state).time_out_minutes, time_out, "{packs:?}");
        p.w.ctx.now = at.plus_minutes(minutes);
        match decide(&p.w.state, &p.w.ctx, &actor, &cmd) {
            Ok(_) => assert!(allowed, "{packs:?} {minutes} min: allowed"),
            Err(DomainError::Denied(d)) => {
                assert!(!allowed, "{packs:?} {minutes} min: {d}");
                assert_eq!(d.rule_ids(), vec![R::Hand4]);
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    // The change of packs is itself recorded.
    let changes = p.w.log.iter().filter(|e| matches!(e.event, Event::PolicyChanged { .. })).count();
    assert_eq!(changes, 7);
}

/// R-HAND-3 and R-STORE-3 (alerts): a firearm out of storage, or a safe left open, as
/// long as the time-out shows on the board; under nsw-au that is 15 minutes.
#[test]
fn firearms_out_and_storage_open_past_the_time_out_are_flagged() {
    let mut p = Prod::new();
    p.give(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
    let out_since = p.w.state.firearms[&p.blank_gun].out_since.unwrap();
    let opened = p.w.state.locations[&p.safe].opened.as_ref().unwrap().1;
    assert!(opened < out_since && out_since.0 - opened.0 < MINUTE_MS);
    let flagged = |p: &Prod, now: Timestamp| {
        let alerts = gate::derived_alerts(&p.w.state, now);
        assert!(alerts.iter().all(|(_, m)| !m.trim().is_empty()));
        ids(&alerts.iter().map(|(r, _)| *r).collect::<Vec<_>>())
    };
    assert_eq!(flagged(&p, out_since.plus_minutes(19)), vec![]);
    assert_eq!(flagged(&p, out_since.plus_minutes(20)), ids(&[R::Hand3, R::Store3]));
    p.set_policy(&["california-2025", "nsw-au"]);
    assert_eq!(flagged(&p, out_since.plus_minutes(14)), vec![]);
    assert_eq!(flagged(&p, out_since.plus_minutes(15)), ids(&[R::Hand3, R::Store3]));
    // Collected, unloaded, stored and locked away: nothing to flag.
    let arm = p.arm();
    p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
    p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 });
    p.w.ok(&arm, Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() });
    p.close(p.safe.clone());
    assert_eq!(flagged(&p, out_since.plus_minutes(600)), vec![]);
}

/// #15, item 5: the clock records each time-out as `alert.raised` when it fires (once,
/// however many ticks follow) and again when it clears; a new time-out fires again.
#[test]
fn the_clock_records_time_outs_when_they_fire_and_when_they_clear() {
    let mut p = Prod::new();
    p.give(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
    let out_since = p.w.state.firearms[&p.blank_gun].out_since.unwrap();
    let tick = |p: &mut Prod, minutes: i64| {
        p.w.ctx.now = out_since.plus_minutes(minutes);
        let events = p.w.ok(&Actor::System, Command::Tick);
        events
            .iter()
            .map(|e| match e {
                Event::AlertRaised { rule, message } => (*rule, message.clone()),
                other => panic!("the clock recorded {other:?}"),
            })
            .collect::<Vec<_>>()
    };
    assert!(tick(&mut p, 19).is_empty(), "nothing within the time-out");
    let fired = tick(&mut p, 20);
    let rules: Vec<R> = fired.iter().map(|(r, _)| *r).collect();
    assert_eq!(ids(&rules), ids(&[R::Hand3, R::Store3]), "{fired:?}");
    assert!(fired.iter().all(|(_, m)| m.starts_with("time-out [")), "{fired:?}");
    assert!(tick(&mut p, 21).is_empty(), "raised once, not at every tick");
    assert!(tick(&mut p, 40).is_empty(), "raised once, not at every tick");
    // The safe is locked: its time-out clears; the revolver is still out.
    p.close(p.safe.clone());
    let cleared = tick(&mut p, 41);
    assert_eq!(cleared.len(), 1, "{cleared:?}");
    assert_eq!(cleared[0].0, R::Store3);
    assert!(cleared[0].1.starts_with("time-out cleared ["), "{cleared:?}");
    // The revolver comes back: its time-out clears too.
    let arm = p.arm();
    p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
    p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 });
    p.open(p.safe.clone());
    p.w.ok(&arm, Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() });
    p.close(p.safe.clone());
    let cleared = tick(&mut p, 42);
    assert_eq!(cleared.iter().map(|(r, _)| *r).collect::<Vec<_>>(), vec![R::Hand3], "{cleared:?}");
    assert!(tick(&mut p, 600).is_empty());
    // Out again past the time-out: a new alert.
    p.take(p.blank_gun.clone());
    p.close(p.safe.clone());
    let again = tick(&mut p, 700);
    assert_eq!(again.iter().map(|(r, _)| *r).collect::<Vec<_>>(), vec![R::Hand3], "{again:?}");
    // Every one of them is an alert the outbox sends (alert.raised).
    let raised =
        p.w.log
            .iter()
            .filter(|e| matches!(&e.event, Event::AlertRaised { message, .. } if message.starts_with("time-out")))
            .count();
    assert_eq!(raised, 5);
}

/// Revising a plan makes a new version: approvals are cleared and the scene goes back to
/// planning; approving a version that is not the current one is a conflict.
#[test]
fn a_revision_is_a_new_version_to_approve() {
    let mut p = Prod::new();
    let sc = p.std_ready();
    p.revise(&sc, take_plan(&p.blank_gun, &p.performer, full_blanks()));
    let scene = &p.w.state.scenes[&sc];
    assert_eq!(scene.plan_version, 2);
    assert!(scene.approvals.is_empty());
    assert_eq!(scene.status, SceneStatus::Planned);
    assert!(!scene.meeting_current());
    let r = p.w.run(&p.arm(), Command::ApprovePlan { scene: sc.clone(), version: 1 });
    assert!(matches!(r, Err(DomainError::Conflict(_))), "{r:?}");
    p.w.ok(&p.arm(), Command::ApprovePlan { scene: sc, version: 2 });
}

/// R-TRAIN-3: a decline is recorded without penalty: nothing about the person changes,
/// and the scene waits for a new plan.
#[test]
fn a_decline_is_recorded_without_penalty() {
    let mut p = Prod::new();
    let sc = p.std_ready();
    let person = p.w.state.people[&p.performer].clone();
    let events =
        p.w.ok(&by(&p.performer), Command::DeclineFirearm { scene: sc.clone(), reason: "  not today ".into() });
    assert_eq!(
        events,
        vec![Event::FirearmDeclined { scene: sc.clone(), person: p.performer.clone(), reason: "not today".into() }]
    );
    let after = &p.w.state.people[&p.performer];
    assert_eq!(
        (&after.roles, &after.credentials, &after.competences),
        (&person.roles, &person.credentials, &person.competences)
    );
    assert_eq!(p.w.state.scenes[&sc].status, SceneStatus::NeedsReplan);
}
