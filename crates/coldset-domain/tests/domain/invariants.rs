//! Random sequences of custody commands by random people; only allowed ones are
//! recorded. After every step the custody, class and count invariants hold, and each
//! recorded event respected the rule it depends on at the moment it was decided.
use super::*;
use proptest::prelude::*;
use std::sync::OnceLock;

/// The standard production in the middle of a shoot day, so that random steps often
/// succeed: the safe is open; the armorer holds the blank-adapted firearm, the replica
/// and three containers; a performer holds the rubber gun (handed over through the full
/// protocol); the rest is in the safe.
fn on_set() -> Prod {
    let mut p = Prod::new();
    p.give(p.rubber.clone(), p.performer2.clone(), PlannedLoad::Empty);
    p.take(p.blank_gun.clone());
    p.take(p.replica.clone());
    for ct in [p.dummies.clone(), p.dummies_b.clone(), p.quarters.clone()] {
        p.take_ct(ct);
    }
    p
}

fn base() -> Prod {
    static BASE: OnceLock<Prod> = OnceLock::new();
    BASE.get_or_init(on_set).clone()
}

fn people(p: &Prod) -> Vec<PersonId> {
    vec![
        p.armorer.clone(),
        p.assistant.clone(),
        p.first_ad.clone(),
        p.safety.clone(),
        p.performer.clone(),
        p.performer2.clone(),
        p.crew.clone(),
        p.producer.clone(),
        p.auditor.clone(),
    ]
}
const PEOPLE: usize = 9;

fn firearms(p: &Prod) -> Vec<FirearmId> {
    vec![p.blank_gun.clone(), p.real_gun.clone(), p.replica.clone(), p.rubber.clone()]
}

fn containers(p: &Prod) -> Vec<ContainerId> {
    vec![
        p.dummies.clone(),
        p.dummies_b.clone(),
        p.spare_dummies.clone(),
        p.quarters.clone(),
        p.spare_quarters.clone(),
        p.fulls.clone(),
        p.old_stock.clone(),
    ]
}

fn locations(p: &Prod) -> Vec<LocationId> {
    vec![p.safe.clone(), p.cart.clone()]
}

#[derive(Debug, Clone)]
enum Op {
    Open(usize),
    Close(usize),
    Take(usize),
    Store(usize, usize),
    /// Firearm, receiver, whether the receiver confirms in person.
    HandOff(usize, usize, bool),
    Collect(usize),
    Withdraw(usize),
    Repair(usize),
    TakeCt(usize),
    StoreCt(usize, usize),
    HandCt(usize, usize),
    Move(usize, usize, u32),
    VerifyOld(u32, bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..2usize).prop_map(Op::Open),
        1 => (0..2usize).prop_map(Op::Close),
        3 => (0..4usize).prop_map(Op::Take),
        2 => (0..4usize, 0..2usize).prop_map(|(f, l)| Op::Store(f, l)),
        3 => (0..4usize, 0..PEOPLE, proptest::bool::weighted(0.8)).prop_map(|(f, t, a)| Op::HandOff(f, t, a)),
        2 => (0..4usize).prop_map(Op::Collect),
        1 => (0..4usize).prop_map(Op::Withdraw),
        2 => (0..4usize).prop_map(Op::Repair),
        2 => (0..7usize).prop_map(Op::TakeCt),
        2 => (0..7usize, 0..2usize).prop_map(|(c, l)| Op::StoreCt(c, l)),
        2 => (0..7usize, 0..PEOPLE).prop_map(|(c, t)| Op::HandCt(c, t)),
        8 => (0..7usize, 0..7usize, prop_oneof![3 => 1..=10u32, 1 => 1..=120u32])
            .prop_map(|(a, b, n)| Op::Move(a, b, n)),
        1 => (18..=21u32, proptest::bool::weighted(0.2)).prop_map(|(n, bad)| Op::VerifyOld(n, bad)),
    ]
}

/// Who acts: mostly the armorer, often the assistant, anyone at all otherwise.
fn who() -> impl Strategy<Value = usize> {
    prop_oneof![4 => Just(0usize), 2 => Just(1usize), 3 => 0..PEOPLE]
}

/// The command, and who confirms it in person.
fn command(p: &Prod, op: &Op) -> (Command, Vec<PersonId>) {
    let (pp, fa, ct, loc) = (people(p), firearms(p), containers(p), locations(p));
    let cmd = match op {
        Op::Open(l) => Command::OpenStorage { location: loc[*l].clone() },
        Op::Close(l) => Command::CloseStorage { location: loc[*l].clone() },
        Op::Take(f) => Command::TakeFirearm { firearm: fa[*f].clone(), scene: None },
        Op::Store(f, l) => Command::StoreFirearm { firearm: fa[*f].clone(), location: loc[*l].clone() },
        Op::HandOff(f, t, attest) => {
            let cmd = Command::HandOff { firearm: fa[*f].clone(), to: pp[*t].clone(), scene: None };
            return (cmd, if *attest { vec![pp[*t].clone()] } else { Vec::new() });
        }
        Op::Collect(f) => Command::Collect { firearm: fa[*f].clone() },
        Op::Withdraw(f) => {
            Command::WithdrawFirearm { firearm: fa[*f].clone(), reason: "fault found at inspection".into() }
        }
        Op::Repair(f) => p.repair(fa[*f].clone()),
        Op::TakeCt(c) => Command::TakeContainer { container: ct[*c].clone() },
        Op::StoreCt(c, l) => Command::StoreContainer { container: ct[*c].clone(), location: loc[*l].clone() },
        Op::HandCt(c, t) => Command::HandContainer { container: ct[*c].clone(), to: pp[*t].clone() },
        Op::Move(a, b, n) => Command::MoveRounds { from: ct[*a].clone(), to: ct[*b].clone(), rounds: *n },
        Op::VerifyOld(n, bad) => Command::VerifyLot {
            lot: p.old_lot.clone(),
            method: VerificationMethod::Rattle,
            rounds_checked: *n,
            other_class_found: u32::from(*bad),
        },
    };
    (cmd, Vec::new())
}

fn person_exists(s: &ProductionState, h: &Holder) -> bool {
    match h {
        Holder::Person { person } => s.people.contains_key(person),
        Holder::Storage { location } => s.locations.contains_key(location),
    }
}

/// Invariants of a state, whatever happened before.
fn check_state(s: &ProductionState, intake_container: &BTreeMap<LotId, ContainerId>) {
    // R-ROLE-1: exactly one holder, and it exists. (One holder is structural: `holder`
    // is a single value; existence is what can go wrong.)
    for f in s.firearms.values() {
        assert!(person_exists(s, &f.holder), "{} held by a ghost", f.id);
        // Only performers and the armorer's team ever hold a firearm.
        if let Holder::Person { person } = &f.holder {
            let holder = &s.people[person];
            assert!(
                holder.has_role(Role::Performer) || holder.is_armorer_side(),
                "{} is with {} ({:?})",
                f.id,
                holder.name,
                holder.roles
            );
        }
        // R-STORE-1: nothing goes into storage loaded (and nothing here loads).
        if matches!(f.holder, Holder::Storage { .. }) {
            assert_eq!(f.load, LoadState::Empty, "{} stored loaded", f.id);
        }
    }
    for c in s.containers.values() {
        assert!(person_exists(s, &c.holder), "{} held by a ghost", c.id);
        // R-STORE-2: ammunition outside storage is with the armorer's team.
        if let Holder::Person { person } = &c.holder {
            assert!(s.people[person].is_armorer_side(), "{} is with {person}", c.id);
        }
        for (lot, n) in &c.contents {
            let l = &s.lots[lot];
            // R-AMMO-5: one class (and calibre) per container.
            assert_eq!(l.class, c.class, "{} holds {} of {}", c.id, l.class, lot);
            assert_eq!(l.calibre, c.calibre);
            // No empty entries: a count of 0 is removed.
            assert!(*n > 0, "{} keeps an empty entry for {lot}", c.id);
        }
    }
    // Conservation, per lot: the rounds across containers are the lot's rounds.
    for l in s.lots.values() {
        let total: u64 = s.containers.values().map(|c| u64::from(c.contents.get(&l.id).copied().unwrap_or(0))).sum();
        assert_eq!(total, u64::from(l.rounds), "rounds of {} not conserved", l.id);
        // R-AMMO-2/4: an unverified lot never leaves the container it came in, and
        // nothing verified is mixed into it.
        if !matches!(l.state, LotState::Verified { .. }) {
            let home = &intake_container[&l.id];
            assert_eq!(
                s.containers[home].contents.get(&l.id).copied(),
                Some(l.rounds),
                "rounds of unverified {} moved",
                l.id
            );
        }
    }
    let all_lots: u64 = s.lots.values().map(|l| u64::from(l.rounds)).sum();
    let all_ct: u64 = s.containers.values().map(Container::count).sum();
    assert_eq!(all_lots, all_ct);
}

/// Each recorded event obeyed its rule against the state it was decided on.
fn check_events(pre: &ProductionState, actor: &Actor, attested: &[PersonId], events: &[Event]) {
    let who = actor.person().map(|p| &pre.people[p]);
    for e in events {
        match e {
            Event::FirearmHandedOff { firearm, from, to, scene, receiver_confirmed, .. } => {
                let f = &pre.firearms[firearm];
                // R-HAND-5: never while withdrawn.
                assert_eq!(f.status, FirearmStatus::InService, "{firearm} handed off");
                // R-ROLE-1 / R-HAND-2: from its holder, within the armorer's team (an
                // assistant hands a firearm back to the armorer, #16), to the armorer's
                // team (no scene here, so never to a performer: R-HAND-6), licensed for
                // the kind, confirmed in person.
                assert_eq!(f.holder.person(), Some(from));
                assert!(pre.people[from].is_armorer_side());
                let r = &pre.people[to];
                assert!(r.is_armorer_side() && !r.has_role(Role::Performer), "{} received {firearm}", r.name);
                assert_eq!(scene, &None);
                assert_ne!(from, to);
                assert!(*receiver_confirmed && attested.contains(to));
                if f.kind.can_fire() {
                    assert!(r.licensed_for(f.kind, TODAY), "{} unlicensed", r.name);
                }
            }
            Event::FirearmCollected { firearm, from, to, .. } => {
                assert_eq!(pre.firearms[firearm].holder.person(), Some(from));
                assert!(pre.people[to].has_role(Role::Armorer));
            }
            Event::FirearmTakenOut { firearm, location, by, scene } => {
                let f = &pre.firearms[firearm];
                // Changed: a maintenance take-out (no scene) may move a withdrawn
                // firearm; a take-out for a scene may not.
                if scene.is_some() {
                    assert_eq!(f.status, FirearmStatus::InService, "withdrawn {firearm} out");
                }
                assert_eq!(f.holder, Holder::Storage { location: location.clone() });
                let loc = &pre.locations[location];
                assert!(loc.opened.is_some() && loc.authorised.contains(by));
                assert!(pre.people[by].is_armorer_side());
            }
            Event::FirearmStored { firearm, location, by } => {
                let loc = &pre.locations[location];
                assert!(loc.opened.is_some() && loc.authorised.contains(by));
                assert_eq!(pre.firearms[firearm].holder.person(), Some(by));
                assert_eq!(pre.firearms[firearm].load, LoadState::Empty);
            }
            Event::ContainerTakenOut { container, location, by } => {
                let loc = &pre.locations[location];
                assert!(loc.opened.is_some() && loc.authorised.contains(by));
                for lot in pre.containers[container].contents.keys() {
                    assert!(
                        matches!(pre.lots[lot].state, LotState::Verified { .. }),
                        "{container} left storage with unverified {lot}"
                    );
                }
            }
            Event::ContainerStored { location, by, .. } => {
                let loc = &pre.locations[location];
                assert!(loc.opened.is_some() && loc.authorised.contains(by));
            }
            Event::StorageOpened { location, by } | Event::StorageClosed { location, by } => {
                assert!(pre.locations[location].authorised.contains(by));
            }
            Event::RoundsMoved { from, to, lot, .. } => {
                assert_eq!(pre.containers[from].class, pre.containers[to].class);
                assert!(matches!(pre.lots[lot].state, LotState::Verified { .. }));
                // R-AMMO-4: never into a container holding unverified stock.
                for l in pre.containers[to].contents.keys() {
                    assert!(matches!(pre.lots[l].state, LotState::Verified { .. }), "mixed into {to}");
                }
                let mover = who.map(|p| p.id.clone());
                assert_eq!(pre.containers[from].holder.person(), mover.as_ref());
                assert_eq!(pre.containers[to].holder.person(), mover.as_ref());
            }
            _ => {}
        }
    }
}

fn intake_containers(log: &[Envelope]) -> BTreeMap<LotId, ContainerId> {
    log.iter()
        .filter_map(|e| match &e.event {
            Event::LotReceived { lot, container, .. } => Some((lot.clone(), container.clone())),
            _ => None,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 500,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn custody_invariants_hold_under_random_commands(
        steps in proptest::collection::vec((who(), op()), 1..=40)
    ) {
        let mut p = base();
        let homes = intake_containers(&p.w.log);
        let pp = people(&p);
        check_state(&p.w.state, &homes);
        for (actor_ix, op) in &steps {
            let actor = by(&pp[*actor_ix]);
            let (cmd, attested) = command(&p, op);
            p.w.ctx.attested = attested.clone();
            let pre = p.w.state.clone();
            let logged = p.w.log.len();
            match p.w.run(&actor, cmd) {
                Ok(events) => {
                    prop_assert!(!events.is_empty());
                    check_events(&pre, &actor, &attested, &events);
                }
                Err(e) => {
                    // A refusal records nothing, and explains itself.
                    prop_assert_eq!(&p.w.state, &pre);
                    prop_assert_eq!(p.w.log.len(), logged);
                    if let DomainError::Denied(d) = &e {
                        assert_explained(d);
                    }
                }
            }
            check_state(&p.w.state, &homes);
        }
        // Replaying the log (through its bytes) reproduces the same state.
        let decoded: Vec<Envelope> = p.w.log.iter()
            .map(|e| Envelope::decode(&e.encode()).unwrap())
            .collect();
        let replayed = replay(&decoded);
        prop_assert_eq!(replayed.all_rows(), p.w.state.all_rows());
        prop_assert_eq!(&replayed, &p.w.state);
    }
}
