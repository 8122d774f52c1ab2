//! Issue #16, item 3: the assistant armorer's supervised load reaches the performer: the
//! hand-back to the armorer is a recorded custody step, and collecting a firearm that was
//! never fired demands no reconciliation.
use super::*;

/// The standard scene called; the assistant, under recorded supervision, loads six
/// quarter-load blanks into the revolver she holds.
fn supervised_load(p: &mut Prod) -> SceneId {
    assistant_holds_the_gun(p);
    let sc = p.w.state.scenes.keys().next().unwrap().clone();
    let arm = p.arm();
    p.w.ok(&arm, Command::SuperviseAssistant { assistant: p.assistant.clone() });
    p.w.ok(&by(&p.assistant), load_cmd(&p.blank_gun, &p.quarters, 6, None));
    sc
}

fn reaches_the_performer(p: &mut Prod, sc: &SceneId) {
    p.run_steps(sc, &[Step::Demonstrate, Step::Shown, Step::Attest], true);
    let events = p.w.ok(&p.arm(), hand_off(&p.blank_gun, &p.performer, sc));
    assert!(matches!(&events[..], [Event::FirearmHandedOff { to, .. }] if *to == p.performer));
    assert_eq!(p.w.state.firearms[&p.blank_gun].load, LoadState::Blanks { count: 6, load: "quarter".into() });
}

#[test]
fn handed_back_by_the_assistant_it_reaches_the_performer() {
    let mut p = Prod::new();
    let sc = supervised_load(&mut p);
    p.w.ctx.attested = vec![p.armorer.clone()];
    let events = p
        .w
        .ok(&by(&p.assistant), Command::HandOff { firearm: p.blank_gun.clone(), to: p.armorer.clone(), scene: None });
    assert!(
        matches!(&events[..], [Event::FirearmHandedOff { receiver_confirmed: true, .. }]),
        "a recorded custody step"
    );
    p.w.ctx.attested.clear();
    let f = &p.w.state.firearms[&p.blank_gun];
    assert!(!f.checks.needs_reconcile && !f.checks.needs_post_use, "{:?}", f.checks);
    reaches_the_performer(&mut p, &sc);
}

#[test]
fn collected_from_the_assistant_it_reaches_the_performer() {
    let mut p = Prod::new();
    let sc = supervised_load(&mut p);
    p.w.ok(&p.arm(), Command::Collect { firearm: p.blank_gun.clone() });
    let f = &p.w.state.firearms[&p.blank_gun];
    assert!(!f.checks.needs_reconcile && !f.checks.needs_post_use, "never fired: {:?}", f.checks);
    reaches_the_performer(&mut p, &sc);
    // From the performer, a collection ends the firing sequence as before.
    p.w.ok(&p.arm(), Command::Collect { firearm: p.blank_gun.clone() });
    let f = &p.w.state.firearms[&p.blank_gun];
    assert!(f.checks.needs_reconcile && f.checks.needs_post_use, "{:?}", f.checks);
}
