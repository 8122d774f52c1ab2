//! Issue #15, item 2: a refusal names every failing rule, everywhere, not only at the
//! hand-off gate. Random production states (custody moves, incidents that freeze
//! evidence, critical reports, holds, the day opened and closed) and random commands by
//! random people: for each command below, the set of rule ids in the refusal equals the
//! set computed here by evaluating each rule on its own against the state before the
//! step, independently of the decider's code; an allowed command had none failing.
use super::*;
use coldset_domain::reports::{IncidentKind, Severity};
use proptest::prelude::*;
use std::sync::OnceLock;

const PEOPLE: usize = 8;

static COMPARED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The standard production on a shoot day: the day open, the standard scene planned for
/// today, the safe open, the armorer holding the revolver and two boxes.
fn base() -> Prod {
    static BASE: OnceLock<Prod> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut p = Prod::new();
        p.open_day();
        p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
        p.take(p.blank_gun.clone());
        p.take_ct(p.dummies.clone());
        p.take_ct(p.quarters.clone());
        p
    })
    .clone()
}

fn people(p: &Prod) -> [PersonId; PEOPLE] {
    [
        p.armorer.clone(),
        p.assistant.clone(),
        p.first_ad.clone(),
        p.safety.clone(),
        p.performer.clone(),
        p.crew.clone(),
        p.producer.clone(),
        p.performer2.clone(),
    ]
}

fn firearms(p: &Prod) -> [FirearmId; 3] {
    [p.blank_gun.clone(), p.real_gun.clone(), p.replica.clone()]
}

fn containers(p: &Prod) -> [ContainerId; 6] {
    [
        p.dummies.clone(),
        p.spare_dummies.clone(),
        p.quarters.clone(),
        p.spare_quarters.clone(),
        p.old_stock.clone(),
        p.fulls.clone(),
    ]
}

fn locations(p: &Prod) -> [LocationId; 2] {
    [p.safe.clone(), p.cart.clone()]
}

#[derive(Debug, Clone)]
enum Op {
    Take(usize, bool),
    TakeCt(usize),
    Store(usize, usize),
    StoreCt(usize, usize),
    HandCt(usize, usize),
    Move(usize, usize, u32),
    /// 0: a full count, 1: a variance, 2: an item never taken in.
    OpenDay(u8),
    CloseDay(u8),
    Transport(usize, usize, bool),
    LiftHold(bool),
    Open(usize),
    Close(usize),
    // State only (not compared):
    Incident(bool, Option<usize>),
    Critical,
    Review,
    Hold(bool, bool),
    Release,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3usize, any::<bool>()).prop_map(|(f, s)| Op::Take(f, s)),
        3 => (0..6usize).prop_map(Op::TakeCt),
        3 => (0..3usize, 0..2usize).prop_map(|(f, l)| Op::Store(f, l)),
        3 => (0..6usize, 0..2usize).prop_map(|(c, l)| Op::StoreCt(c, l)),
        2 => (0..6usize, 0..PEOPLE).prop_map(|(c, t)| Op::HandCt(c, t)),
        3 => (0..6usize, 0..6usize, prop_oneof![3 => 1..=10u32, 1 => 1..=120u32])
            .prop_filter("two containers", |(a, b, _)| a != b)
            .prop_map(|(a, b, n)| Op::Move(a, b, n)),
        1 => (0..3u8).prop_map(Op::OpenDay),
        1 => (0..3u8).prop_map(Op::CloseDay),
        2 => (0..3usize, 0..6usize, proptest::bool::weighted(0.7)).prop_map(|(f, c, l)| Op::Transport(f, c, l)),
        1 => any::<bool>().prop_map(Op::LiftHold),
        2 => (0..2usize).prop_map(Op::Open),
        1 => (0..2usize).prop_map(Op::Close),
        1 => (any::<bool>(), proptest::option::of(0..3usize)).prop_map(|(m, f)| Op::Incident(m, f)),
        1 => Just(Op::Critical),
        1 => Just(Op::Review),
        1 => (any::<bool>(), any::<bool>()).prop_map(|(a, s)| Op::Hold(a, s)),
        1 => Just(Op::Release),
    ]
}

fn who() -> impl Strategy<Value = usize> {
    prop_oneof![4 => Just(0usize), 2 => Just(1usize), 3 => 0..PEOPLE]
}

fn counts(p: &Prod, kind: u8) -> BTreeMap<String, u64> {
    let mut c = p.full_count();
    match kind {
        1 => {
            c.insert("D-1".into(), 1);
        }
        2 => {
            c.insert("NEVER-TAKEN-IN".into(), 3);
        }
        _ => {}
    }
    c
}

/// The command, who acts, and whether it is compared with the independent evaluation.
fn command(p: &Prod, actor: usize, op: &Op) -> (Actor, Command, bool) {
    let (pp, fa, ct, loc) = (people(p), firearms(p), containers(p), locations(p));
    let sc = p.w.state.scenes.keys().next().cloned();
    let me = by(&pp[actor]);
    match op {
        Op::Take(f, s) => {
            (me, Command::TakeFirearm { firearm: fa[*f].clone(), scene: if *s { sc } else { None } }, true)
        }
        Op::TakeCt(c) => (me, Command::TakeContainer { container: ct[*c].clone() }, true),
        Op::Store(f, l) => (me, Command::StoreFirearm { firearm: fa[*f].clone(), location: loc[*l].clone() }, true),
        Op::StoreCt(c, l) => {
            (me, Command::StoreContainer { container: ct[*c].clone(), location: loc[*l].clone() }, true)
        }
        Op::HandCt(c, t) => (me, Command::HandContainer { container: ct[*c].clone(), to: pp[*t].clone() }, true),
        Op::Move(a, b, n) => (me, Command::MoveRounds { from: ct[*a].clone(), to: ct[*b].clone(), rounds: *n }, true),
        Op::OpenDay(k) => (me, Command::OpenDay { call_sheet: call_sheet(), counts: counts(p, *k) }, true),
        Op::CloseDay(k) => (me, Command::CloseDay { counts: counts(p, *k) }, true),
        Op::Transport(f, c, locked) => (
            me,
            Command::RecordTransport {
                firearms: vec![fa[*f].clone()],
                containers: vec![ct[*c].clone()],
                from: "Stage 4".into(),
                to: "Prop truck".into(),
                locked_case: *locked,
            },
            true,
        ),
        Op::LiftHold(review) => {
            let hold = p.w.state.safety.holds.keys().next().copied().unwrap_or(0);
            (me, Command::LiftHold { hold, note: "reviewed".into(), review: *review }, true)
        }
        Op::Open(l) => (me, Command::OpenStorage { location: loc[*l].clone() }, false),
        Op::Close(l) => (me, Command::CloseStorage { location: loc[*l].clone() }, false),
        Op::Incident(misfire, f) => (
            p.arm(),
            Command::ReportIncident {
                kind: if *misfire { IncidentKind::Misfire } else { IncidentKind::LostRound },
                firearm: f.map(|f| fa[f].clone()),
                scene: None,
                description: "random".into(),
                wait_seconds: Some(60),
            },
            false,
        ),
        Op::Critical => (Actor::Anonymous, file_report(Severity::Critical), false),
        Op::Review => {
            let report = p.w.state.reporting.reports.keys().next().copied().unwrap_or(0);
            (by(&p.safety), Command::ReviewReport { report, note: "reviewed".into() }, false)
        }
        Op::Hold(all, advisor) => (
            by(if *advisor { &p.safety } else { &p.armorer }),
            Command::PlaceHold {
                scope: match (all, sc) {
                    (false, Some(scene)) => HoldScope::Scene { scene },
                    _ => HoldScope::AllFirearmWork,
                },
                reason: "random".into(),
            },
            false,
        ),
        Op::Release => {
            let incident = p.w.state.reporting.incidents.keys().next_back().copied().unwrap_or(0);
            (by(&p.safety), Command::ReleaseEvidence { incident, note: "released".into() }, false)
        }
    }
}

// ---- each rule on its own, from the state --------------------------------------------

fn armory(p: &Person) -> bool {
    p.roles.contains(&Role::Armorer) || p.roles.contains(&Role::AssistantArmorer)
}

fn licensed(p: &Person, kind: FirearmKind, day: Date) -> bool {
    p.credentials
        .iter()
        .any(|c| c.kind != CredentialKind::SafetyCourse && c.covers.contains(&kind) && day <= c.expires_on)
}

fn frozen_f(s: &ProductionState, f: &FirearmId) -> bool {
    s.reporting
        .incidents
        .values()
        .any(|i| i.evidence_released.is_none() && (i.frozen_firearms.contains(f) || i.firearm.as_ref() == Some(f)))
}

fn frozen_c(s: &ProductionState, c: &ContainerId) -> bool {
    s.reporting.incidents.values().any(|i| i.evidence_released.is_none() && i.frozen_containers.contains(c))
}

fn stock(s: &ProductionState, c: &Container, out: &mut BTreeSet<R>) {
    for lot in c.contents.keys() {
        match s.lots.get(lot).map(|l| &l.state) {
            Some(LotState::Verified { .. }) => {}
            Some(LotState::Quarantined { reason }) if reason.contains("R-AMMO-4") => {
                out.insert(R::Ammo4);
            }
            Some(_) => {
                out.insert(R::Ammo2);
            }
            None => {
                out.insert(R::Ammo4);
            }
        }
    }
}

fn storage_rules(s: &ProductionState, h: &Holder, b: &Person, out: &mut BTreeSet<R>) {
    if let Holder::Storage { location } = h {
        let l = &s.locations[location];
        if !l.authorised.contains(&b.id) || l.opened.is_none() {
            out.insert(R::Store3);
        }
    }
}

fn location_rules(l: &StorageLocation, b: &Person, out: &mut BTreeSet<R>) {
    if !l.authorised.contains(&b.id) || l.opened.is_none() {
        out.insert(R::Store3);
    }
}

fn unknown_items(p: &Prod, counts: &BTreeMap<String, u64>) -> bool {
    let known = p.full_count();
    counts.keys().any(|k| !known.contains_key(k))
}

/// Expected rule ids, or None where the command is malformed (then it must not pass).
fn expected(p: &Prod, actor: &Actor, cmd: &Command) -> Option<BTreeSet<R>> {
    let s = &p.w.state;
    let today = p.w.ctx.today;
    let b = &s.people[actor.person()?];
    let mut out = BTreeSet::new();
    let holds_b = |h: &Holder| h.person() == Some(&b.id);
    match cmd {
        Command::TakeFirearm { firearm, scene } => {
            let f = &s.firearms[firearm];
            if !matches!(f.holder, Holder::Storage { .. }) || !armory(b) {
                out.insert(R::Role1);
            }
            storage_rules(s, &f.holder, b, &mut out);
            if f.kind.can_fire() && !licensed(b, f.kind, today) {
                out.insert(R::Role2);
            }
            if frozen_f(s, firearm) {
                out.insert(R::Inc2);
            }
            if let Some(sc) = scene {
                let scn = &s.scenes[sc];
                if s.reporting.reports.values().any(|r| r.severity == Severity::Critical && r.reviewed.is_none()) {
                    out.insert(R::Comp2);
                }
                if s.reporting.incidents.values().any(|i| i.kind.stops_work() && i.closed_at.is_none()) {
                    out.insert(R::Misf2);
                }
                if s.safety.day.is_none() {
                    out.insert(R::Store4);
                }
                if scn.plan.item(firearm).is_none() || scn.day != today {
                    out.insert(R::Hand6);
                }
                let held = s.safety.holds.values().any(|h| match &h.scope {
                    HoldScope::AllFirearmWork => true,
                    HoldScope::Scene { scene } => scene == sc,
                });
                if held {
                    out.insert(R::Role4);
                }
            }
        }
        Command::TakeContainer { container } => {
            let c = &s.containers[container];
            if !matches!(c.holder, Holder::Storage { .. }) {
                out.insert(R::Role1);
            }
            if !armory(b) {
                out.insert(R::Store2);
            }
            storage_rules(s, &c.holder, b, &mut out);
            stock(s, c, &mut out);
            if frozen_c(s, container) {
                out.insert(R::Inc2);
            }
        }
        Command::StoreFirearm { firearm, location } => {
            let f = &s.firearms[firearm];
            if !holds_b(&f.holder) {
                out.insert(R::Role1);
            }
            location_rules(&s.locations[location], b, &mut out);
            if f.load != LoadState::Empty {
                out.insert(R::Store1);
            }
            if frozen_f(s, firearm) {
                out.insert(R::Inc2);
            }
        }
        Command::StoreContainer { container, location } => {
            if !holds_b(&s.containers[container].holder) {
                out.insert(R::Role1);
            }
            location_rules(&s.locations[location], b, &mut out);
            if frozen_c(s, container) {
                out.insert(R::Inc2);
            }
        }
        Command::HandContainer { container, to } => {
            if !holds_b(&s.containers[container].holder) || to == &b.id {
                out.insert(R::Role1);
            }
            if !armory(&s.people[to]) {
                out.insert(R::Store2);
            }
            if frozen_c(s, container) {
                out.insert(R::Inc2);
            }
        }
        Command::MoveRounds { from, to, rounds } => {
            let (a, z) = (&s.containers[from], &s.containers[to]);
            if !holds_b(&a.holder) || !holds_b(&z.holder) {
                out.insert(R::Role1);
            }
            if a.class != z.class || a.calibre != z.calibre {
                out.insert(R::Ammo5);
            }
            if u64::from(*rounds) > a.count() {
                out.insert(R::Store4);
            }
            stock(s, a, &mut out);
            if z.contents.keys().any(|l| !matches!(s.lots[l].state, LotState::Verified { .. })) {
                out.insert(R::Ammo4);
            }
            if frozen_c(s, from) || frozen_c(s, to) {
                out.insert(R::Inc2);
            }
        }
        Command::OpenDay { counts, .. } | Command::CloseDay { counts } => {
            if !b.roles.contains(&Role::Armorer) {
                out.insert(R::Store4);
            }
            if unknown_items(p, counts) {
                out.insert(R::Store5);
            }
            let open = s.safety.day.is_some();
            let malformed = if matches!(cmd, Command::OpenDay { .. }) { open } else { !open };
            if out.is_empty() && malformed {
                return None;
            }
        }
        Command::RecordTransport { firearms, containers, locked_case, .. } => {
            if !armory(b) || !locked_case {
                out.insert(R::Store6);
            }
            for f in firearms {
                if !holds_b(&s.firearms[f].holder) {
                    out.insert(R::Role1);
                }
                if frozen_f(s, f) {
                    out.insert(R::Inc2);
                }
            }
            for c in containers {
                if !holds_b(&s.containers[c].holder) {
                    out.insert(R::Role1);
                }
                if frozen_c(s, c) {
                    out.insert(R::Inc2);
                }
            }
        }
        Command::LiftHold { hold, review, .. } => {
            let h = s.safety.holds.get(hold)?;
            if h.placed_by != b.id {
                let advisor = b.roles.contains(&Role::SafetyAdvisor);
                if !(*review && advisor) {
                    out.insert(R::Role4);
                }
                let others = b.roles.iter().any(|r| !matches!(r, Role::SafetyAdvisor | Role::Auditor | Role::Admin));
                if advisor && others {
                    out.insert(R::Role6);
                }
            }
        }
        _ => return None,
    }
    Some(out)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_refusal_names_exactly_the_rules_that_fail(
        steps in proptest::collection::vec((who(), op()), 1..=30)
    ) {
        let mut p = base();
        let mut compared = 0;
        for (actor_ix, op) in &steps {
            let (actor, cmd, compare) = command(&p, *actor_ix, op);
            let expect = if compare { expected(&p, &actor, &cmd) } else { None };
            let name = cmd.name();
            let result = p.w.run(&actor, cmd);
            let Some(expect) = expect else { continue };
            compared += 1;
            match result {
                Ok(events) => prop_assert!(expect.is_empty(), "{} allowed ({events:?}), but {expect:?} fail", name),
                Err(DomainError::Denied(d)) => {
                    let got: BTreeSet<R> = d.rule_ids().into_iter().collect();
                    prop_assert_eq!(&got, &expect, "{}: {}", name, d);
                }
                Err(other) => prop_assert!(false, "{}: {other:?}, expected {expect:?}", name),
            }
        }
        COMPARED.fetch_add(compared, std::sync::atomic::Ordering::Relaxed);
    }
}
