//! Issue #16, item 1: R-INC-2 is part of every command that moves an item, by
//! construction (`decide::moved_items`, checked before any command's own checks).
use super::*;
use coldset_domain::decide::moved_items;

/// Commands that move, load, unload, hand on, transport, store, repair or dispose of an
/// item, named independently of the decider's classification.
const MOVERS: &[&str] = &[
    "store_firearm",
    "take_firearm",
    "hand_off",
    "record_repair",
    "dispose_firearm",
    "declare_empty",
    "load_firearm",
    "unload_firearm",
    "move_rounds",
    "store_container",
    "take_container",
    "hand_container",
    "record_transport",
];

/// Walks every command kind (one sample of each, naming the frozen revolver and boxes)
/// against an incident that froze them: every mover is refused naming R-INC-2, whoever
/// asks, and the classification agrees with the list above.
#[test]
fn every_command_that_moves_a_frozen_item_is_refused() {
    let mut p = super::permissions::prod();
    p.take(p.blank_gun.clone());
    p.take_ct(p.dummies.clone());
    p.take_ct(p.quarters.clone());
    incident(&mut p, coldset_domain::reports::IncidentKind::UnintendedDischarge, None);
    let samples = super::permissions::samples(&p);
    let mut seen = BTreeSet::new();
    for cmd in &samples {
        let (firearms, containers) = moved_items(&p.w.state, cmd);
        let moves = !firearms.is_empty() || !containers.is_empty();
        assert_eq!(moves, MOVERS.contains(&cmd.name()), "{} is classified wrongly", cmd.name());
        if !moves {
            continue;
        }
        seen.insert(cmd.name());
        for actor in [p.arm(), by(&p.assistant), by(&p.safety)] {
            match decide(&p.w.state, &p.w.ctx, &actor, cmd) {
                Err(DomainError::Denied(d)) => assert!(d.has(R::Inc2), "{} by {actor:?}: {d}", cmd.name()),
                Err(DomainError::Forbidden(_)) => {}
                other => panic!("{} by {actor:?} moved frozen evidence: {other:?}", cmd.name()),
            }
        }
    }
    assert_eq!(seen.len(), MOVERS.len(), "a mover has no sample");
}

/// The finding of #16: a transport of the frozen revolver and its dummy box to the prop
/// truck was accepted. It is refused now, naming R-INC-2 with the transport's own rules.
#[test]
fn a_transport_of_frozen_evidence_is_refused() {
    let mut p = Prod::new();
    p.take(p.blank_gun.clone());
    p.take_ct(p.dummies.clone());
    incident(&mut p, coldset_domain::reports::IncidentKind::Misfire, Some(60));
    let cmd = |locked_case| Command::RecordTransport {
        firearms: vec![p.blank_gun.clone()],
        containers: vec![p.dummies.clone()],
        from: "Stage 4".into(),
        to: "Prop truck".into(),
        locked_case,
    };
    let d = p.w.refused(&p.arm(), cmd(true));
    assert_eq!(d.rule_ids(), vec![R::Inc2], "{d}");
    let d = p.w.refused(&p.arm(), cmd(false));
    assert_eq!(d.rule_ids(), ids(&[R::Inc2, R::Store6]), "{d}");
}
