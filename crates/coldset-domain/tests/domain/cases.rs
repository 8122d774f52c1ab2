//! The gate table: one row per case, for every rule id the decider enforces (`gates` runs
//! them), and the scenario builders other modules share.

use super::*;

// ---- the gate table ------------------------------------------------------------------------

/// What a case expects.
pub(crate) enum Expect {
    /// Allowed; its first event is of this kind, and no alert names the rule of the row.
    Allowed(&'static str),
    /// Refused with exactly these rule ids.
    Refused(&'static [R]),
    /// ALERT/RECORD rules: allowed, and `alert.raised` events name (at least) these rules.
    Alerted(&'static [R]),
}
pub(crate) use Expect::{Alerted, Allowed, Refused};

pub(crate) struct Case {
    /// The rule this row is about.
    pub(crate) proves: R,
    pub(crate) name: &'static str,
    pub(crate) expect: Expect,
    /// Brings the standard production to the situation, then says who asks for what.
    pub(crate) step: fn(&mut Prod) -> (Actor, Command),
}

pub(crate) fn case(proves: R, name: &'static str, expect: Expect, step: fn(&mut Prod) -> (Actor, Command)) -> Case {
    Case { proves, name, expect, step }
}

pub(crate) fn run_case(c: &Case) {
    let mut p = Prod::new();
    let (actor, cmd) = (c.step)(&mut p);
    match &c.expect {
        Allowed(kind) => {
            let events =
                p.w.run(&actor, cmd).unwrap_or_else(|e| panic!("[{}] {}: expected allowed, got {e}", c.proves, c.name));
            assert_eq!(events.first().map(Event::kind), Some(*kind), "[{}] {}", c.proves, c.name);
            assert!(!alert_rules(&events).contains(&c.proves), "[{}] {}: alert raised {events:?}", c.proves, c.name);
        }
        Refused(expected) => {
            let d = p.w.refused(&actor, cmd);
            assert_eq!(d.rule_ids(), ids(expected), "[{}] {}: {d}", c.proves, c.name);
            assert_explained(&d);
        }
        Alerted(expected) => {
            let events =
                p.w.run(&actor, cmd).unwrap_or_else(|e| panic!("[{}] {}: expected allowed, got {e}", c.proves, c.name));
            let raised = alert_rules(&events);
            for rule in *expected {
                assert!(raised.contains(rule), "[{}] {}: no {rule} alert in {events:?}", c.proves, c.name);
            }
            for e in &events {
                if let Event::AlertRaised { message, .. } = e {
                    assert!(!message.trim().is_empty(), "[{}] {}: an alert without a message", c.proves, c.name);
                }
            }
        }
    }
}

/// Every rule id the decider names (decide.rs, protocol.rs, gate.rs, reports.rs).
/// `enforced_rules_match_the_decider` keeps this list honest;
/// `every_enforced_rule_has_refused_and_allowed_cases` keeps the table complete.
pub(crate) const ENFORCED: &[R] = &[
    R::Role1,
    R::Role2,
    R::Role3,
    R::Role4,
    R::Role6,
    R::Staff1,
    R::Staff2,
    R::Train1,
    R::Train2,
    R::Train3,
    R::Store1,
    R::Store2,
    R::Store3,
    R::Store4,
    R::Store5,
    R::Ammo1,
    R::Ammo2,
    R::Ammo3,
    R::Ammo4,
    R::Ammo5,
    R::Ammo6,
    R::Ammo7,
    R::Ammo8,
    R::Hand1,
    R::Hand2,
    R::Hand3,
    R::Hand4,
    R::Hand5,
    R::Hand6,
    R::Check1,
    R::Check2,
    R::Decl1,
    R::Meet1,
    R::Meet2,
    R::Meet3,
    R::Meet4,
    R::Reh1,
    R::Reh2,
    R::Aim1,
    R::Dist1,
    R::Dist2,
    R::Cam1,
    R::Med1,
    R::Rec1,
    R::Rec3,
    R::Rec4,
    R::Rec5,
    R::Rec6,
    R::Comp1,
    R::Comp2,
    R::Misf1,
    R::Misf2,
    R::Inc2,
    R::Notif1,
    R::Role5,
    R::Inc1,
    R::Store6,
];

pub(crate) fn all_cases() -> Vec<Case> {
    let mut v = Vec::new();
    v.extend(role_cases());
    v.extend(staff_cases());
    v.extend(training_cases());
    v.extend(store_cases());
    v.extend(ammo_cases());
    v.extend(hand_cases());
    v.extend(check_cases());
    v.extend(meeting_cases());
    v.extend(plan_cases());
    v.extend(record_cases());
    v.extend(reh2_rec_cases());
    v.extend(report_cases());
    v
}

pub(crate) fn run_rule(rule: R) {
    let cases: Vec<Case> = all_cases().into_iter().filter(|c| c.proves == rule).collect();
    assert!(!cases.is_empty(), "no case for {rule}");
    for c in &cases {
        run_case(c);
    }
}

/// R-ROLE-1 (one custodian; custody moves only by a recorded transfer), R-ROLE-2 (an in-date
/// licence covering the kind, to take custody), R-ROLE-3 (an armorer holds no other
/// department role), R-ROLE-4 (holds: placed by the armorer or the safety advisor, lifted by
/// whoever placed it or the advisor's review), R-ROLE-6 (an independent safety advisor).
pub(crate) fn role_cases() -> Vec<Case> {
    vec![
        case(R::Role1, "assistant stores a firearm the armorer holds", Refused(&[R::Role1]), |p| {
            p.take(p.blank_gun.clone());
            (by(&p.assistant), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Role1, "the armorer stores the firearm she holds", Allowed("firearm.stored"), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Role1, "taking a firearm that is not in storage", Refused(&[R::Role1]), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: None })
        }),
        // Changed: taking a firearm out of storage was R-HAND-1; custody from storage goes to
        // the armory only, which is R-ROLE-1 now (R-HAND-1 is about loading).
        // #15: no early return: every rule that fails is named, not only custody.
        case(
            R::Role1,
            "the 1st AD takes a firearm the armorer holds, under a hold and a critical report",
            Refused(&[R::Role1, R::Role2, R::Role4, R::Comp2]),
            |p| {
                let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
                p.open_day();
                p.take(p.blank_gun.clone());
                let armorer = p.armorer.clone();
                p.place_hold(&armorer, HoldScope::AllFirearmWork);
                filed(p, coldset_domain::reports::Severity::Critical);
                (p.ad(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
            },
        ),
        case(R::Role1, "a crew member takes a container the armorer holds", Refused(&[R::Role1, R::Store2]), |p| {
            (by(&p.crew), Command::TakeContainer { container: p.spare_dummies.clone() })
        }),
        case(R::Role1, "the 1st AD takes a replica off the cart he may open", Refused(&[R::Role1]), |p| {
            p.put_on_cart(p.replica.clone());
            (p.ad(), Command::TakeFirearm { firearm: p.replica.clone(), scene: None })
        }),
        case(R::Role1, "the 1st AD takes a blank-adapted firearm off the cart", Refused(&[R::Role1, R::Role2]), |p| {
            p.put_on_cart(p.blank_gun.clone());
            (p.ad(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: None })
        }),
        case(R::Role1, "the armorer takes the replica off the cart", Allowed("firearm.taken_out"), |p| {
            p.put_on_cart(p.replica.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.replica.clone(), scene: None })
        }),
        case(R::Role1, "the assistant armorer takes a firearm out of the safe", Allowed("firearm.taken_out"), |p| {
            p.open(p.safe.clone());
            (by(&p.assistant), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: None })
        }),
        case(R::Role1, "the armorer collects a firearm she holds herself", Refused(&[R::Role1]), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::Collect { firearm: p.blank_gun.clone() })
        }),
        case(R::Role1, "collecting a firearm that is in the safe", Refused(&[R::Role1]), |p| {
            (p.arm(), Command::Collect { firearm: p.replica.clone() })
        }),
        case(R::Role1, "the armorer collects from the performer", Allowed("firearm.collected"), |p| {
            p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            (p.arm(), Command::Collect { firearm: p.replica.clone() })
        }),
        case(R::Role1, "handing a container to oneself", Refused(&[R::Role1]), |p| {
            (p.arm(), Command::HandContainer { container: p.spare_dummies.clone(), to: p.armorer.clone() })
        }),
        case(R::Role1, "handing a container one does not hold", Refused(&[R::Role1]), |p| {
            (by(&p.assistant), Command::HandContainer { container: p.spare_dummies.clone(), to: p.armorer.clone() })
        }),
        case(R::Role1, "handing the container to the assistant armorer", Allowed("container.handed_over"), |p| {
            (p.arm(), Command::HandContainer { container: p.spare_dummies.clone(), to: p.assistant.clone() })
        }),
        case(R::Role1, "moving rounds out of a container someone else holds", Refused(&[R::Role1]), |p| {
            p.take_ct(p.dummies.clone());
            let arm = p.arm();
            p.w.ok(&arm, Command::HandContainer { container: p.spare_dummies.clone(), to: p.assistant.clone() });
            (by(&p.assistant), Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 5 })
        }),
        case(R::Role1, "taking a container that is not in storage", Refused(&[R::Role1]), |p| {
            (p.arm(), Command::TakeContainer { container: p.spare_dummies.clone() })
        }),
        case(R::Role1, "storing a container one does not hold", Refused(&[R::Role1]), |p| {
            p.open(p.safe.clone());
            (by(&p.assistant), Command::StoreContainer { container: p.spare_dummies.clone(), location: p.safe.clone() })
        }),
        case(R::Role1, "the armorer stores the container she holds", Allowed("container.stored"), |p| {
            p.open(p.safe.clone());
            (p.arm(), Command::StoreContainer { container: p.spare_dummies.clone(), location: p.safe.clone() })
        }),
        case(R::Role1, "removing the performer role from a performer holding a firearm", Refused(&[R::Role1]), |p| {
            p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            (p.admin.clone(), Command::RemoveRole { person: p.performer2.clone(), role: Role::Performer })
        }),
        case(R::Role1, "removing the assistant armorer role while she holds a container", Refused(&[R::Role1]), |p| {
            let arm = p.arm();
            p.w.ok(&arm, Command::HandContainer { container: p.spare_dummies.clone(), to: p.assistant.clone() });
            (p.admin.clone(), Command::RemoveRole { person: p.assistant.clone(), role: Role::AssistantArmorer })
        }),
        case(R::Role1, "removing a role from someone who holds nothing", Allowed("person.role_removed"), |p| {
            (p.admin.clone(), Command::RemoveRole { person: p.performer2.clone(), role: Role::Performer })
        }),
        case(
            R::Role1,
            "removing one role from a holder who keeps a role that may hold it",
            Allowed("person.role_removed"),
            |p| {
                let admin = p.admin.clone();
                p.w.ok(&admin, Command::AssignRole { person: p.performer2.clone(), role: Role::Crew });
                p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
                (p.admin.clone(), Command::RemoveRole { person: p.performer2.clone(), role: Role::Crew })
            },
        ),
        // R-ROLE-2
        case(
            R::Role2,
            "a performer with only a safety course receives a blank-adapted firearm",
            Refused(&[R::Role2]),
            |p| {
                let sc = p.ready(p.blank_gun.clone(), p.performer2.clone(), quarter_blanks());
                (p.arm(), hand_off(&p.blank_gun, &p.performer2, &sc))
            },
        ),
        case(
            R::Role2,
            "a performer with an in-date permit for blank-adapted receives one",
            Allowed("firearm.handed_off"),
            |p| {
                let sc = p.std_ready();
                p.std_hand(&sc)
            },
        ),
        case(R::Role2, "a blank-adapted permit does not cover a real firing firearm", Refused(&[R::Role2]), |p| {
            let sc = p.ready(p.real_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
            (p.arm(), hand_off(&p.real_gun, &p.performer, &sc))
        }),
        case(R::Role2, "a credential for real firing only does not cover blank-adapted", Refused(&[R::Role2]), |p| {
            let newcomer = p.add_person("Nat Newcomer", &[Role::Performer]);
            p.credit(
                newcomer.clone(),
                credential(CredentialKind::Licence, Date::constant(2027, 1, 1), &[FirearmKind::RealFiring]),
            );
            p.credit(newcomer.clone(), safety_course());
            let sc = p.ready(p.blank_gun.clone(), newcomer.clone(), PlannedLoad::Dummies);
            (p.arm(), hand_off(&p.blank_gun, &newcomer, &sc))
        }),
        case(R::Role2, "a replica needs no licence", Allowed("firearm.handed_off"), |p| {
            let sc = p.ready(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            (p.arm(), hand_off(&p.replica, &p.performer2, &sc))
        }),
        case(
            R::Role2,
            "the assistant armorer's certification expired: no taking a real firearm out",
            Refused(&[R::Role2]),
            |p| {
                p.open(p.safe.clone());
                p.w.ctx.today = Date::constant(2027, 4, 1);
                (by(&p.assistant), Command::TakeFirearm { firearm: p.real_gun.clone(), scene: None })
            },
        ),
        case(
            R::Role2,
            "the assistant armorer takes a real firearm out on the certification's last day",
            Allowed("firearm.taken_out"),
            |p| {
                p.open(p.safe.clone());
                p.w.ctx.today = Date::constant(2027, 3, 31);
                (by(&p.assistant), Command::TakeFirearm { firearm: p.real_gun.clone(), scene: None })
            },
        ),
        case(R::Role2, "an armory transfer to an assistant whose certification expired", Refused(&[R::Role2]), |p| {
            p.take(p.blank_gun.clone());
            p.w.ctx.today = Date::constant(2027, 4, 1);
            p.w.ctx.attested = vec![p.assistant.clone()];
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.assistant.clone(), scene: None })
        }),
        case(R::Role2, "an armorer without a licence cannot take a firing firearm in", Refused(&[R::Role2]), |p| {
            let new_armorer = p.add_person("Rook Armorer", &[Role::Armorer]);
            (by(&new_armorer), intake_firearm(FirearmKind::BlankAdapted, "B-999"))
        }),
        // Changed: Collect no longer checks the armorer's licence.
        case(
            R::Role2,
            "the armorer collects although her licence lapsed: getting a gun back is never blocked",
            Allowed("firearm.collected"),
            |p| {
                p.give(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
                p.w.ctx.today = Date::constant(2028, 2, 1);
                (p.arm(), Command::Collect { firearm: p.blank_gun.clone() })
            },
        ),
        // R-ROLE-3
        case(R::Role3, "adding an armorer who is also the props assistant", Refused(&[R::Role3]), |p| {
            (
                p.admin.clone(),
                Command::AddPerson { name: "Hana Armorer".into(), roles: [Role::Armorer, Role::PropertyMaster].into() },
            )
        }),
        case(R::Role3, "giving the armorer a crew role", Refused(&[R::Role3]), |p| {
            (p.admin.clone(), Command::AssignRole { person: p.armorer.clone(), role: Role::Crew })
        }),
        case(R::Role3, "making the assistant armorer a performer", Refused(&[R::Role3]), |p| {
            (p.admin.clone(), Command::AssignRole { person: p.assistant.clone(), role: Role::Performer })
        }),
        case(R::Role3, "making a crew member an armorer too", Refused(&[R::Role3]), |p| {
            (p.admin.clone(), Command::AssignRole { person: p.crew.clone(), role: Role::Armorer })
        }),
        // #15: R-ROLE-3 over the shoot day's history, and found after the fact.
        case(R::Role3, "the assistant armorer switches to props the same shoot day", Refused(&[R::Role3]), |p| {
            p.open_day();
            let admin = p.admin.clone();
            p.w.ok(&admin, Command::RemoveRole { person: p.assistant.clone(), role: Role::AssistantArmorer });
            (p.admin.clone(), Command::AssignRole { person: p.assistant.clone(), role: Role::PropertyMaster })
        }),
        case(R::Role3, "the props master of this morning becomes armorer", Refused(&[R::Role3]), |p| {
            p.open_day();
            let props = p.add_person("Pam Props", &[Role::PropertyMaster]);
            let admin = p.admin.clone();
            p.w.ok(&admin, Command::RemoveRole { person: props.clone(), role: Role::PropertyMaster });
            (p.admin.clone(), Command::AssignRole { person: props, role: Role::Armorer })
        }),
        case(
            R::Role3,
            "a former props master becomes armorer with no day open",
            Allowed("person.role_assigned"),
            |p| {
                let props = p.add_person("Pam Props", &[Role::PropertyMaster]);
                let admin = p.admin.clone();
                p.w.ok(&admin, Command::RemoveRole { person: props.clone(), role: Role::PropertyMaster });
                (p.admin.clone(), Command::AssignRole { person: props, role: Role::Armorer })
            },
        ),
        case(
            R::Role3,
            "the armorer, props earlier today, takes a firearm out for a scene",
            Refused(&[R::Role3]),
            |p| {
                let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
                p.open_day();
                p.open(p.safe.clone());
                // Props and back, as an import or a correction would record it.
                import(p, Event::RoleAssigned { person: p.armorer.clone(), role: Role::PropertyMaster });
                import(p, Event::RoleRemoved { person: p.armorer.clone(), role: Role::PropertyMaster });
                (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
            },
        ),
        case(R::Role3, "an imported role conflict is raised by the clock", Alerted(&[R::Role3]), |p| {
            p.open_day();
            p.take(p.blank_gun.clone());
            // As an import or a correction would record it, without the decider.
            import(p, Event::RoleAssigned { person: p.armorer.clone(), role: Role::PropertyMaster });
            (Actor::System, Command::Tick)
        }),
        // #15: credentials judged on the scene's shoot day, at planning and when the day opens.
        case(R::Role2, "planning a scene for tomorrow with a permit that ends today", Alerted(&[R::Role2]), |p| {
            let perf = expiring_performer(p);
            let plan = take_plan(&p.blank_gun, &perf, quarter_blanks());
            let day = TODAY.tomorrow().unwrap();
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day, plan })
        }),
        case(R::Role2, "planning a scene for today with a permit that ends today", Allowed("scene.planned"), |p| {
            let perf = expiring_performer(p);
            let plan = take_plan(&p.blank_gun, &perf, quarter_blanks());
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(R::Role2, "opening the scene's day with a permit that ended the day before", Alerted(&[R::Role2]), |p| {
            let perf = expiring_performer(p);
            let tomorrow = TODAY.tomorrow().unwrap();
            p.plan_scene_on(take_plan(&p.blank_gun, &perf, quarter_blanks()), tomorrow);
            p.w.ctx.now = Timestamp(T0.0 + 24 * 60 * MINUTE_MS);
            p.w.ctx.today = tomorrow;
            (p.arm(), Command::OpenDay { call_sheet: call_sheet(), counts: p.full_count() })
        }),
        case(R::Role3, "adding a second armorer with no other role", Allowed("person.added"), |p| {
            (p.admin.clone(), Command::AddPerson { name: "Jo Armorer".into(), roles: [Role::Armorer].into() })
        }),
        case(R::Role3, "making the armorer an auditor as well", Allowed("person.role_assigned"), |p| {
            (p.admin.clone(), Command::AssignRole { person: p.armorer.clone(), role: Role::Auditor })
        }),
        // Only reachable through records made before R-ROLE-3 was enforced at assignment.
        case(
            R::Role3,
            "an armorer on record as props assistant takes a firearm out for a scene",
            Refused(&[R::Role3]),
            |p| {
                let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
                p.open(p.safe.clone());
                p.w.state.people.get_mut(&p.armorer).unwrap().roles.insert(Role::PropertyMaster);
                (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
            },
        ),
        case(R::Role3, "an armorer on record as props assistant hands a firearm over", Refused(&[R::Role3]), |p| {
            let sc = p.std_ready();
            p.w.state.people.get_mut(&p.armorer).unwrap().roles.insert(Role::PropertyMaster);
            p.std_hand(&sc)
        }),
        // R-ROLE-4
        case(R::Role4, "a producer places a hold", Refused(&[R::Role4]), |p| {
            (by(&p.producer), Command::PlaceHold { scope: HoldScope::AllFirearmWork, reason: "schedule".into() })
        }),
        case(R::Role4, "a crew member places a hold", Refused(&[R::Role4]), |p| {
            (by(&p.crew), Command::PlaceHold { scope: HoldScope::AllFirearmWork, reason: "unsafe".into() })
        }),
        case(R::Role4, "the armorer places a hold on a scene", Allowed("hold.placed"), |p| {
            let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
            (p.arm(), Command::PlaceHold { scope: HoldScope::Scene { scene: sc }, reason: "blocking unsafe".into() })
        }),
        case(R::Role4, "the safety advisor places a hold on all firearm work", Allowed("hold.placed"), |p| {
            (by(&p.safety), Command::PlaceHold { scope: HoldScope::AllFirearmWork, reason: "complaint".into() })
        }),
        case(R::Role4, "a producer lifts the armorer's hold", Refused(&[R::Role4]), |p| {
            let hold = p.place_hold(&p.armorer.clone(), HoldScope::AllFirearmWork);
            (by(&p.producer), Command::LiftHold { hold, note: "we are behind schedule".into(), review: true })
        }),
        case(R::Role4, "the safety advisor lifts the armorer's hold without a review", Refused(&[R::Role4]), |p| {
            let hold = p.place_hold(&p.armorer.clone(), HoldScope::AllFirearmWork);
            (by(&p.safety), Command::LiftHold { hold, note: "fine".into(), review: false })
        }),
        case(R::Role4, "the 1st AD lifts the armorer's hold claiming a review", Refused(&[R::Role4]), |p| {
            let hold = p.place_hold(&p.armorer.clone(), HoldScope::AllFirearmWork);
            (p.ad(), Command::LiftHold { hold, note: "reviewed".into(), review: true })
        }),
        case(R::Role4, "the armorer lifts the safety advisor's hold", Refused(&[R::Role4]), |p| {
            let hold = p.place_hold(&p.safety.clone(), HoldScope::AllFirearmWork);
            (p.arm(), Command::LiftHold { hold, note: "fixed".into(), review: true })
        }),
        case(R::Role4, "the armorer lifts her own hold", Allowed("hold.lifted"), |p| {
            let hold = p.place_hold(&p.armorer.clone(), HoldScope::AllFirearmWork);
            (p.arm(), Command::LiftHold { hold, note: "blocking changed".into(), review: false })
        }),
        case(R::Role4, "the safety advisor lifts the armorer's hold after a review", Allowed("hold.lifted"), |p| {
            let hold = p.place_hold(&p.armorer.clone(), HoldScope::AllFirearmWork);
            (by(&p.safety), Command::LiftHold { hold, note: "reviewed with the armorer".into(), review: true })
        }),
        case(R::Role4, "a hand-off while a hold covers the scene", Refused(&[R::Role4]), |p| {
            let sc = p.std_ready();
            p.place_hold(&p.armorer.clone(), HoldScope::Scene { scene: sc.clone() });
            p.std_hand(&sc)
        }),
        case(R::Role4, "a hand-off while a hold covers all firearm work", Refused(&[R::Role4]), |p| {
            let sc = p.std_ready();
            p.place_hold(&p.safety.clone(), HoldScope::AllFirearmWork);
            p.std_hand(&sc)
        }),
        case(R::Role4, "a hold on another scene does not stop this one", Allowed("firearm.handed_off"), |p| {
            let other = p.plan_scene(take_plan(&p.replica, &p.performer2, PlannedLoad::Empty));
            let sc = p.std_ready();
            p.place_hold(&p.safety.clone(), HoldScope::Scene { scene: other });
            p.std_hand(&sc)
        }),
        case(R::Role4, "the hand-off once the hold is lifted", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            let hold = p.place_hold(&p.armorer.clone(), HoldScope::Scene { scene: sc.clone() });
            let arm = p.arm();
            p.w.ok(&arm, Command::LiftHold { hold, note: "resolved".into(), review: false });
            p.std_hand(&sc)
        }),
        case(R::Role4, "taking a firearm out for a scene under a hold", Refused(&[R::Role4]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
            p.open(p.safe.clone());
            p.place_hold(&p.safety.clone(), HoldScope::Scene { scene: sc.clone() });
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
        }),
        case(R::Role4, "calling a scene under a hold", Refused(&[R::Role4]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Call);
            p.place_hold(&p.armorer.clone(), HoldScope::AllFirearmWork);
            (p.ad(), Command::CallScene { scene: sc })
        }),
        case(R::Role4, "loading under a hold", Refused(&[R::Role4]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            p.place_hold(&p.safety.clone(), HoldScope::Scene { scene: sc });
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        // R-ROLE-6
        case(R::Role6, "california-2025: a safety advisor who is also the 1st AD", Refused(&[R::Role6]), |p| {
            (
                p.admin.clone(),
                Command::AddPerson { name: "Rusty AD".into(), roles: [Role::SafetyAdvisor, Role::FirstAd].into() },
            )
        }),
        case(R::Role6, "california-2025: giving the safety advisor a crew role", Refused(&[R::Role6]), |p| {
            (p.admin.clone(), Command::AssignRole { person: p.safety.clone(), role: Role::Crew })
        }),
        case(
            R::Role6,
            "industry-us: a safety advisor who is also the 1st AD raises an alert",
            Alerted(&[R::Role6]),
            |p| {
                p.set_policy(&["industry-us"]);
                (
                    p.admin.clone(),
                    Command::AddPerson { name: "Rusty AD".into(), roles: [Role::SafetyAdvisor, Role::FirstAd].into() },
                )
            },
        ),
        case(
            R::Role6,
            "industry-us: making the 1st AD the safety advisor raises an alert",
            Alerted(&[R::Role6]),
            |p| {
                p.set_policy(&["industry-us"]);
                (p.admin.clone(), Command::AssignRole { person: p.first_ad.clone(), role: Role::SafetyAdvisor })
            },
        ),
        // #15: separation of duties over the day and across roles, under every policy pack.
        case(R::Role6, "industry-us: the producer takes the safety advisor role", Refused(&[R::Role6]), |p| {
            p.set_policy(&["industry-us"]);
            (p.admin.clone(), Command::AssignRole { person: p.producer.clone(), role: Role::SafetyAdvisor })
        }),
        case(R::Role6, "industry-us: adding a producer who is also safety advisor", Refused(&[R::Role6]), |p| {
            p.set_policy(&["industry-us"]);
            let roles = [Role::Producer, Role::SafetyAdvisor].into();
            (p.admin.clone(), Command::AddPerson { name: "Pat Pressure".into(), roles })
        }),
        case(
            R::Role6,
            "industry-us: the 1st AD steps down and becomes advisor the same day",
            Refused(&[R::Role6]),
            |p| {
                p.set_policy(&["industry-us"]);
                p.open_day();
                let admin = p.admin.clone();
                p.w.ok(&admin, Command::RemoveRole { person: p.first_ad.clone(), role: Role::FirstAd });
                (p.admin.clone(), Command::AssignRole { person: p.first_ad.clone(), role: Role::SafetyAdvisor })
            },
        ),
        case(R::Role6, "industry-us: a former producer becomes advisor on another day", Refused(&[R::Role6]), |p| {
            p.set_policy(&["industry-us"]);
            let admin = p.admin.clone();
            p.w.ok(&admin, Command::RemoveRole { person: p.producer.clone(), role: Role::Producer });
            (p.admin.clone(), Command::AssignRole { person: p.producer.clone(), role: Role::SafetyAdvisor })
        }),
        case(
            R::Role6,
            "industry-us: a former 1st AD becomes advisor with no day open",
            Allowed("person.role_assigned"),
            |p| {
                p.set_policy(&["industry-us"]);
                let admin = p.admin.clone();
                p.w.ok(&admin, Command::RemoveRole { person: p.first_ad.clone(), role: Role::FirstAd });
                (p.admin.clone(), Command::AssignRole { person: p.first_ad.clone(), role: Role::SafetyAdvisor })
            },
        ),
        case(
            R::Role6,
            "industry-us: a 1st AD who is also advisor reviews a critical report",
            Refused(&[R::Role6]),
            |p| {
                let ad = ad_advisor(p);
                let report = filed(p, coldset_domain::reports::Severity::Critical);
                (by(&ad), Command::ReviewReport { report, note: "fine, carry on".into() })
            },
        ),
        case(
            R::Role6,
            "industry-us: a 1st AD who is also advisor lifts the armorer's hold",
            Refused(&[R::Role6]),
            |p| {
                let ad = ad_advisor(p);
                let armorer = p.armorer.clone();
                let hold = p.place_hold(&armorer, HoldScope::AllFirearmWork);
                (by(&ad), Command::LiftHold { hold, note: "we are losing the light".into(), review: true })
            },
        ),
        case(R::Role6, "industry-us: a 1st AD who is also advisor signs an investigation", Refused(&[R::Role6]), |p| {
            let ad = ad_advisor(p);
            let id = incident(p, coldset_domain::reports::IncidentKind::Misfire, Some(30));
            (by(&ad), Command::SignInvestigation { incident: id, cause: "x".into(), corrective_action: "y".into() })
        }),
        case(R::Role6, "industry-us: a 1st AD who is also advisor releases evidence", Refused(&[R::Role6]), |p| {
            let ad = ad_advisor(p);
            p.take(p.blank_gun.clone());
            let id = incident(p, coldset_domain::reports::IncidentKind::LostRound, None);
            (by(&ad), Command::ReleaseEvidence { incident: id, note: "done".into() })
        }),
        case(R::Role6, "the independent advisor lifts the armorer's hold after review", Allowed("hold.lifted"), |p| {
            let armorer = p.armorer.clone();
            let hold = p.place_hold(&armorer, HoldScope::AllFirearmWork);
            (by(&p.safety), Command::LiftHold { hold, note: "reviewed the rig".into(), review: true })
        }),
        case(
            R::Role6,
            "industry-us: a 1st AD who is also advisor approves a live-round exception",
            Refused(&[R::Role6]),
            |p| {
                let ad = ad_advisor(p);
                let admin = p.admin.clone();
                let range = location_of(&p.w.ok(
                    &admin,
                    Command::AddLocation {
                        name: "Range".into(),
                        kind: LocationKind::Range,
                        authorised: [p.armorer.clone()].into(),
                    },
                ));
                (by(&ad), live_exception(&range))
            },
        ),
        case(R::Role6, "an independent safety advisor", Allowed("person.added"), |p| {
            (p.admin.clone(), Command::AddPerson { name: "Ines Advisor".into(), roles: [Role::SafetyAdvisor].into() })
        }),
        case(R::Role6, "one person approving a plan under two roles", Refused(&[R::Role6]), |p| {
            p.set_policy(&["industry-us"]);
            let admin = p.admin.clone();
            let both = person_of(&p.w.ok(
                &admin,
                Command::AddPerson { name: "Rusty AD".into(), roles: [Role::SafetyAdvisor, Role::FirstAd].into() },
            ));
            let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
            p.w.ok(&by(&both), Command::ApprovePlan { scene: sc.clone(), version: 1 });
            (by(&both), Command::ApprovePlan { scene: sc, version: 1 })
        }),
    ]
}

/// R-STAFF-1 (per armorer on set: at most 10 firearms out of storage and 4 armed performers)
/// and R-STAFF-2 (a scene is marked ready only once the armorer's inspections are done).
pub(crate) fn staff_cases() -> Vec<Case> {
    /// One armorer, the day open, a scene for the blank gun, and `n` replicas just taken in
    /// (so out of storage, with the armorer).
    fn crowded(p: &mut Prod, n: usize) -> (Actor, Command) {
        p.one_armorer();
        let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
        p.open_day();
        let arm = p.arm();
        for i in 0..n {
            p.w.ok(&arm, intake_firearm(FirearmKind::Replica, &format!("REP-X{i}")));
        }
        p.open(p.safe.clone());
        (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
    }
    vec![
        case(R::Staff1, "an eleventh firearm out of storage for one armorer", Refused(&[R::Staff1]), |p| {
            crowded(p, 10)
        }),
        case(R::Staff1, "a tenth firearm out of storage for one armorer", Allowed("firearm.taken_out"), |p| {
            crowded(p, 9)
        }),
        case(R::Staff1, "an eleventh firearm out with a recorded override", Allowed("firearm.taken_out"), |p| {
            let (actor, cmd) = crowded(p, 10);
            let Command::TakeFirearm { scene: Some(sc), .. } = &cmd else { unreachable!() };
            let arm = p.arm();
            p.w.ok(
                &arm,
                Command::RecordOverride {
                    rule: R::Staff1,
                    firearm: p.blank_gun.clone(),
                    scene: sc.clone(),
                    reason: "second armorer arrives in ten minutes; firearms stay on the cart".into(),
                },
            );
            (actor, cmd)
        }),
        case(R::Staff1, "a fifth armed performer for one armorer", Refused(&[R::Staff1]), |p| {
            let (sc, pairs) = five_armed(p);
            let (fa, to) = &pairs[4];
            (p.arm(), hand_off(fa, to, &sc))
        }),
        case(R::Staff1, "a fourth armed performer for one armorer", Allowed("firearm.handed_off"), |p| {
            let (sc, pairs) = five_armed(p);
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: pairs[0].0.clone() });
            let (fa, to) = &pairs[4];
            (p.arm(), hand_off(fa, to, &sc))
        }),
        case(
            R::Staff1,
            "a fifth armed performer with two armorers on the production",
            Allowed("firearm.handed_off"),
            |p| {
                let (sc, pairs) = five_armed(p);
                let admin = p.admin.clone();
                p.w.ok(&admin, Command::AssignRole { person: p.assistant.clone(), role: Role::AssistantArmorer });
                let (fa, to) = &pairs[4];
                (p.arm(), hand_off(fa, to, &sc))
            },
        ),
        // R-STAFF-2
        case(R::Staff2, "the 1st AD marks the scene ready", Refused(&[R::Staff2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Ready);
            (p.ad(), Command::MarkSceneReady { scene: sc })
        }),
        case(R::Staff2, "marking ready before the pre-use inspection", Refused(&[R::Staff2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Inspect);
            (p.arm(), Command::MarkSceneReady { scene: sc })
        }),
        case(R::Staff2, "marking ready before the firearm is out for the scene", Refused(&[R::Staff2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
            (p.arm(), Command::MarkSceneReady { scene: sc })
        }),
        case(R::Staff2, "marking ready with a pre-use inspection past the time-out", Refused(&[R::Staff2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Ready);
            p.w.ctx.now = p.inspected_at(&p.blank_gun).plus_minutes(20);
            (p.arm(), Command::MarkSceneReady { scene: sc })
        }),
        case(R::Staff2, "calling a scene the armorer has not marked ready", Refused(&[R::Staff2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Ready);
            (p.ad(), Command::CallScene { scene: sc })
        }),
        case(R::Staff2, "the armorer marks the scene ready once inspected", Allowed("scene.marked_ready"), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Ready);
            (p.arm(), Command::MarkSceneReady { scene: sc })
        }),
    ]
}

/// One armorer on the production and five blank-adapted revolvers ready for five qualified
/// performers; the first four are handed over. Returns the scene and the (firearm, performer)
/// pairs.
pub(crate) fn five_armed(p: &mut Prod) -> (SceneId, Vec<(FirearmId, PersonId)>) {
    p.one_armorer();
    let mut pairs = vec![(p.blank_gun.clone(), p.performer.clone())];
    for i in 1..5 {
        let fa = p.another_blank_gun(&format!("B-10{i}"));
        let to = p.qualified_performer(&format!("Performer {i}"));
        pairs.push((fa, to));
    }
    let items = pairs.iter().map(|(fa, to)| item(fa, to, PlannedLoad::Dummies)).collect();
    let sc = p.prepare(plan_of(SceneKind::Take, items), &[], None);
    let arm = p.arm();
    for (fa, to) in &pairs[..4] {
        p.w.ok(&arm, hand_off(fa, to, &sc));
    }
    (sc, pairs)
}

/// R-TRAIN-1 (a safety course for handlers: a gate; for crew near firearms an alert, a gate
/// under california-2025), R-TRAIN-2 (competence with the weapon model, recorded by the
/// armorer), R-TRAIN-3 (anyone may decline; the scene must be replanned).
pub(crate) fn training_cases() -> Vec<Case> {
    vec![
        // #15: training judged on the scene's shoot day, not on the day of planning.
        case(R::Train1, "california-2025: a course that ends before tomorrow's scene", Refused(&[R::Train1]), |p| {
            let crew = crew_with_course_until(p, TODAY);
            let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            plan.call_list.insert(crew);
            let day = TODAY.tomorrow().unwrap();
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day, plan })
        }),
        case(R::Train1, "california-2025: a course in date on the scene's day", Allowed("scene.planned"), |p| {
            let day = TODAY.tomorrow().unwrap();
            let crew = crew_with_course_until(p, day);
            let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            plan.call_list.insert(crew);
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day, plan })
        }),
        case(
            R::Train1,
            "industry-us: a course that ended before the scene's day, at day open",
            Alerted(&[R::Train1]),
            |p| {
                p.set_policy(&["industry-us"]);
                let crew = crew_with_course_until(p, TODAY);
                let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
                plan.call_list.insert(crew);
                let tomorrow = TODAY.tomorrow().unwrap();
                p.plan_scene_on(plan, tomorrow);
                p.w.ctx.now = Timestamp(T0.0 + 24 * 60 * MINUTE_MS);
                p.w.ctx.today = tomorrow;
                (p.arm(), Command::OpenDay { call_sheet: call_sheet(), counts: p.full_count() })
            },
        ),
        case(R::Train1, "california-2025: an untrained crew member on the call list", Refused(&[R::Train1]), |p| {
            let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            plan.call_list.insert(p.crew.clone());
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(R::Train1, "california-2025: an untrained performer in the plan", Refused(&[R::Train1]), |p| {
            let newcomer = p.add_person("Nat Newcomer", &[Role::Performer]);
            let plan = take_plan(&p.blank_gun, &newcomer, quarter_blanks());
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(R::Train1, "industry-us: an untrained crew member on the call list", Alerted(&[R::Train1]), |p| {
            p.set_policy(&["industry-us"]);
            let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            plan.call_list.insert(p.crew.clone());
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(
            R::Train1,
            "industry-us: an untrained performer still does not get the firearm",
            Refused(&[R::Train1]),
            |p| {
                p.set_policy(&["industry-us"]);
                let newcomer = p.add_person("Nat Newcomer", &[Role::Performer]);
                p.credit(
                    newcomer.clone(),
                    credential(CredentialKind::Permit, Date::constant(2027, 6, 30), &[FirearmKind::BlankAdapted]),
                );
                let sc = p.ready(p.blank_gun.clone(), newcomer.clone(), quarter_blanks());
                (p.arm(), hand_off(&p.blank_gun, &newcomer, &sc))
            },
        ),
        case(R::Train1, "a call list where everyone is trained", Allowed("scene.planned"), |p| {
            let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            p.credit(p.crew.clone(), safety_course());
            plan.call_list.insert(p.crew.clone());
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(R::Train1, "a trained performer receives the firearm", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.std_hand(&sc)
        }),
        // R-TRAIN-2
        case(R::Train2, "no recorded competence with the weapon", Refused(&[R::Train2]), |p| {
            let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Competence);
            p.std_hand(&sc)
        }),
        case(R::Train2, "competence with another model does not count", Refused(&[R::Train2]), |p| {
            let arm = p.arm();
            let ruger = firearm_of(&p.w.ok(
                &arm,
                Command::IntakeFirearm {
                    kind: FirearmKind::BlankAdapted,
                    make: "Ruger".into(),
                    model: "New Vaquero".into(),
                    serial: "V-1".into(),
                    calibre: CALIBRE.into(),
                    condition: "good".into(),
                    acquired_from: rental_house(),
                },
            ));
            p.w.ok(
                &arm,
                Command::RecordCompetence { person: p.performer.clone(), firearm: ruger, notes: String::new() },
            );
            let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Competence);
            p.std_hand(&sc)
        }),
        case(R::Train2, "the 1st AD records a performer's competence", Refused(&[R::Train2]), |p| {
            (
                p.ad(),
                Command::RecordCompetence {
                    person: p.performer.clone(),
                    firearm: p.blank_gun.clone(),
                    notes: "looked fine".into(),
                },
            )
        }),
        case(R::Train2, "the armorer records a performer's competence", Allowed("competence.recorded"), |p| {
            (
                p.arm(),
                Command::RecordCompetence {
                    person: p.performer.clone(),
                    firearm: p.blank_gun.clone(),
                    notes: "two dry runs".into(),
                },
            )
        }),
        case(
            R::Train2,
            "competence recorded with the same model of another firearm",
            Allowed("firearm.handed_off"),
            |p| {
                let arm = p.arm();
                p.w.ok(
                    &arm,
                    Command::RecordCompetence {
                        person: p.performer.clone(),
                        firearm: p.real_gun.clone(),
                        notes: String::new(),
                    },
                );
                let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Competence);
                p.std_hand(&sc)
            },
        ),
        // R-TRAIN-3
        case(R::Train3, "a performer declines: recorded without penalty", Allowed("firearm.declined"), |p| {
            let sc = p.std_ready();
            (by(&p.performer), Command::DeclineFirearm { scene: sc, reason: "not comfortable today".into() })
        }),
        case(R::Train3, "a hand-off to the performer who declined", Refused(&[R::Train3, R::Hand6]), |p| {
            let sc = p.std_ready();
            p.w.ok(&by(&p.performer), Command::DeclineFirearm { scene: sc.clone(), reason: String::new() });
            p.std_hand(&sc)
        }),
        case(R::Train3, "marking the scene ready after a decline", Refused(&[R::Train3]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Ready);
            p.w.ok(&by(&p.performer), Command::DeclineFirearm { scene: sc.clone(), reason: String::new() });
            (p.arm(), Command::MarkSceneReady { scene: sc })
        }),
        case(R::Train3, "replanned for another performer after a decline", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.w.ok(&by(&p.performer), Command::DeclineFirearm { scene: sc.clone(), reason: String::new() });
            let other = p.qualified_performer("Val Standby");
            let arm = p.arm();
            p.w.ok(
                &arm,
                Command::RecordCompetence { person: other.clone(), firearm: p.blank_gun.clone(), notes: String::new() },
            );
            p.revise(&sc, take_plan(&p.blank_gun, &other, quarter_blanks()));
            p.redo(&sc);
            (p.arm(), hand_off(&p.blank_gun, &other, &sc))
        }),
    ]
}

/// R-STORE-1..5: unloaded in locked storage unless in use for a scene, ammunition under the
/// armorer's supervision, who opens storage, counts (day open/close, variance alerts),
/// intake.
pub(crate) fn store_cases() -> Vec<Case> {
    vec![
        case(R::Store1, "storing a firearm loaded with blanks", Refused(&[R::Store1]), |p| {
            p.std_ready();
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Store1, "storing a firearm loaded with dummies", Refused(&[R::Store1]), |p| {
            p.ready(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Store1, "storing a firearm declared empty", Allowed("firearm.stored"), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Store1, "storing a firearm once unloaded, every round counted", Allowed("firearm.stored"), |p| {
            p.std_ready();
            let arm = p.arm();
            p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 });
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(
            R::Store1,
            "a hand-off for a scene of a firearm that was stored and taken out again for maintenance",
            Refused(&[R::Store1, R::Check2]),
            |p| {
                let sc = p.ready(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
                let arm = p.arm();
                p.w.ok(&arm, Command::StoreFirearm { firearm: p.replica.clone(), location: p.safe.clone() });
                p.w.ok(&arm, Command::TakeFirearm { firearm: p.replica.clone(), scene: None });
                p.w.ok(&arm, inspect(&p.replica, InspectionStage::PreUse));
                p.w.ok(&p.ad(), Command::AcknowledgeDemonstration { firearm: p.replica.clone() });
                (p.arm(), hand_off(&p.replica, &p.performer2, &sc))
            },
        ),
        case(R::Store1, "closing the day with a firearm out of storage", Alerted(&[R::Store1]), |p| {
            p.ready(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            (p.arm(), Command::CloseDay { counts: p.full_count() })
        }),
        case(R::Store1, "closing the day with everything locked away", Allowed("day.closed"), |p| {
            p.open_day();
            (p.arm(), Command::CloseDay { counts: p.full_count() })
        }),
        // R-STORE-2
        case(R::Store2, "handing a container of dummies to a crew member", Refused(&[R::Store2]), |p| {
            p.take_ct(p.dummies.clone());
            (p.arm(), Command::HandContainer { container: p.dummies.clone(), to: p.crew.clone() })
        }),
        case(R::Store2, "handing a container of blanks to a performer", Refused(&[R::Store2]), |p| {
            p.take_ct(p.quarters.clone());
            (p.arm(), Command::HandContainer { container: p.quarters.clone(), to: p.performer.clone() })
        }),
        case(
            R::Store2,
            "handing a container of dummies to the assistant armorer",
            Allowed("container.handed_over"),
            |p| {
                p.take_ct(p.dummies.clone());
                (p.arm(), Command::HandContainer { container: p.dummies.clone(), to: p.assistant.clone() })
            },
        ),
        case(R::Store2, "the 1st AD takes a container out of the cart he may open", Refused(&[R::Store2]), |p| {
            p.take_ct(p.dummies.clone());
            p.open(p.cart.clone());
            let arm = p.arm();
            p.w.ok(&arm, Command::StoreContainer { container: p.dummies.clone(), location: p.cart.clone() });
            (p.ad(), Command::TakeContainer { container: p.dummies.clone() })
        }),
        case(R::Store2, "the armorer takes a container out of the cart", Allowed("container.taken_out"), |p| {
            p.take_ct(p.dummies.clone());
            p.open(p.cart.clone());
            let arm = p.arm();
            p.w.ok(&arm, Command::StoreContainer { container: p.dummies.clone(), location: p.cart.clone() });
            (p.arm(), Command::TakeContainer { container: p.dummies.clone() })
        }),
        case(R::Store2, "the 1st AD makes up an ammunition container", Refused(&[R::Store2]), |p| {
            (
                p.ad(),
                Command::CreateContainer { label: "AD-BOX".into(), class: AmmoClass::Dummy, calibre: CALIBRE.into() },
            )
        }),
        case(R::Store2, "the assistant armorer makes up an ammunition container", Allowed("container.created"), |p| {
            (
                by(&p.assistant),
                Command::CreateContainer { label: "D-3".into(), class: AmmoClass::Dummy, calibre: CALIBRE.into() },
            )
        }),
        case(R::Store2, "closing the day with ammunition out of storage", Alerted(&[R::Store2]), |p| {
            p.open_day();
            p.take_ct(p.dummies.clone());
            (p.arm(), Command::CloseDay { counts: p.full_count() })
        }),
        // R-STORE-3
        // #15: the clock records the time-out (and the outbox sends it).
        case(R::Store3, "the clock finds the safe open past the time-out", Alerted(&[R::Store3]), |p| {
            p.open(p.safe.clone());
            p.w.ctx.now = p.w.ctx.now.plus_minutes(25);
            (Actor::System, Command::Tick)
        }),
        case(R::Store3, "a performer opens the weapons safe", Refused(&[R::Store3]), |p| {
            (by(&p.performer), Command::OpenStorage { location: p.safe.clone() })
        }),
        case(R::Store3, "the armorer opens the weapons safe", Allowed("storage.opened"), |p| {
            (p.arm(), Command::OpenStorage { location: p.safe.clone() })
        }),
        case(R::Store3, "opening a safe that is already open", Refused(&[R::Store3]), |p| {
            p.open(p.safe.clone());
            (by(&p.assistant), Command::OpenStorage { location: p.safe.clone() })
        }),
        case(R::Store3, "closing a safe that is locked", Refused(&[R::Store3]), |p| {
            (p.arm(), Command::CloseStorage { location: p.safe.clone() })
        }),
        case(R::Store3, "a crew member closes the open safe", Refused(&[R::Store3]), |p| {
            p.open(p.safe.clone());
            (by(&p.crew), Command::CloseStorage { location: p.safe.clone() })
        }),
        case(R::Store3, "the assistant armorer closes the open safe", Allowed("storage.closed"), |p| {
            p.open(p.safe.clone());
            (by(&p.assistant), Command::CloseStorage { location: p.safe.clone() })
        }),
        case(R::Store3, "storing a firearm into a closed safe", Refused(&[R::Store3]), |p| {
            p.take(p.blank_gun.clone());
            p.close(p.safe.clone());
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Store3, "storing a container into a closed safe", Refused(&[R::Store3]), |p| {
            (p.arm(), Command::StoreContainer { container: p.spare_dummies.clone(), location: p.safe.clone() })
        }),
        case(R::Store3, "taking a firearm out of a closed safe", Refused(&[R::Store3]), |p| {
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: None })
        }),
        case(R::Store3, "taking a container out of a closed safe", Refused(&[R::Store3]), |p| {
            (p.arm(), Command::TakeContainer { container: p.dummies.clone() })
        }),
        case(
            R::Store3,
            "the assistant armorer takes a replica from the cart she is not authorised for",
            Refused(&[R::Store3]),
            |p| {
                p.put_on_cart(p.replica.clone());
                (by(&p.assistant), Command::TakeFirearm { firearm: p.replica.clone(), scene: None })
            },
        ),
        case(R::Store3, "the armorer stores into a van she is not authorised for", Refused(&[R::Store3]), |p| {
            // A van only the 1st AD may open (and it is open).
            let admin = p.admin.clone();
            let van = location_of(&p.w.ok(
                &admin,
                Command::AddLocation {
                    name: "Props van".into(),
                    kind: LocationKind::Truck,
                    authorised: [p.first_ad.clone()].into(),
                },
            ));
            p.w.ok(&p.ad(), Command::OpenStorage { location: van.clone() });
            (p.arm(), Command::StoreContainer { container: p.spare_dummies.clone(), location: van })
        }),
        // R-STORE-4
        case(R::Store4, "moving more rounds than the container holds", Refused(&[R::Store4]), |p| {
            p.take_ct(p.dummies.clone());
            (p.arm(), Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 51 })
        }),
        case(R::Store4, "moving exactly what the container holds", Allowed("rounds.moved"), |p| {
            p.take_ct(p.dummies.clone());
            (p.arm(), Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 50 })
        }),
        case(R::Store4, "moving rounds out of an empty container", Refused(&[R::Store4]), |p| {
            p.take_ct(p.dummies.clone());
            (p.arm(), Command::MoveRounds { from: p.spare_dummies.clone(), to: p.dummies.clone(), rounds: 1 })
        }),
        case(R::Store4, "the 1st AD opens the shoot day", Refused(&[R::Store4]), |p| {
            (p.ad(), Command::OpenDay { call_sheet: call_sheet(), counts: p.full_count() })
        }),
        case(R::Store4, "a day-open count that does not match", Alerted(&[R::Store4]), |p| {
            let mut counts = p.full_count();
            counts.insert("D-1".into(), 49);
            (p.arm(), Command::OpenDay { call_sheet: call_sheet(), counts })
        }),
        case(R::Store4, "a full, matching day-open count", Allowed("day.opened"), |p| {
            (p.arm(), Command::OpenDay { call_sheet: call_sheet(), counts: p.full_count() })
        }),
        case(R::Store4, "a day-close count that does not match", Alerted(&[R::Store4]), |p| {
            p.open_day();
            let mut counts = p.full_count();
            counts.insert(p.blank_gun.to_string(), 0);
            (p.arm(), Command::CloseDay { counts })
        }),
        // #16: opening and closing the day list every failing rule.
        case(
            R::Store4,
            "the 1st AD opens the day with an item never taken in",
            Refused(&[R::Store4, R::Store5]),
            |p| {
                let mut counts = p.full_count();
                counts.insert("MYSTERY-BOX".into(), 12);
                (p.ad(), Command::OpenDay { call_sheet: call_sheet(), counts })
            },
        ),
        case(
            R::Store4,
            "the 1st AD closes the day with an item never taken in",
            Refused(&[R::Store4, R::Store5]),
            |p| {
                p.open_day();
                let mut counts = p.full_count();
                counts.insert("MYSTERY-BOX".into(), 12);
                (p.ad(), Command::CloseDay { counts })
            },
        ),
        case(R::Store4, "the 1st AD closes the shoot day", Refused(&[R::Store4]), |p| {
            p.open_day();
            (p.ad(), Command::CloseDay { counts: p.full_count() })
        }),
        case(R::Store4, "taking a firearm out for a scene before the day is open", Refused(&[R::Store4]), |p| {
            let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
        }),
        case(R::Store4, "a hand-off after the shoot day was closed", Refused(&[R::Store4]), |p| {
            let sc = p.ready(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
            p.close_day();
            p.std_hand(&sc)
        }),
        case(R::Store4, "calling a scene after the shoot day was closed", Refused(&[R::Store4]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Call);
            p.close_day();
            (p.ad(), Command::CallScene { scene: sc })
        }),
        case(R::Store4, "loading more rounds than the container holds", Refused(&[R::Store4]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies, Step::Load);
            p.take_ct(p.dummies.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.dummies, 51, Some(VerificationMethod::Rattle)))
        }),
        // R-STORE-5
        case(R::Store5, "handing off an unknown firearm", Refused(&[R::Store5]), |p| {
            (
                p.arm(),
                Command::HandOff { firearm: FirearmId::parse("fa-99").unwrap(), to: p.performer.clone(), scene: None },
            )
        }),
        case(R::Store5, "taking an unknown firearm out", Refused(&[R::Store5]), |p| {
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: FirearmId::parse("fa-99").unwrap(), scene: None })
        }),
        case(R::Store5, "moving rounds into an unknown container", Refused(&[R::Store5]), |p| {
            (
                p.arm(),
                Command::MoveRounds {
                    from: p.spare_dummies.clone(),
                    to: ContainerId::parse("ct-99").unwrap(),
                    rounds: 1,
                },
            )
        }),
        case(R::Store5, "handing an unknown container", Refused(&[R::Store5]), |p| {
            (
                p.arm(),
                Command::HandContainer { container: ContainerId::parse("ct-99").unwrap(), to: p.assistant.clone() },
            )
        }),
        case(R::Store5, "taking an unknown container out", Refused(&[R::Store5]), |p| {
            p.open(p.safe.clone());
            (p.arm(), Command::TakeContainer { container: ContainerId::parse("ct-99").unwrap() })
        }),
        case(R::Store5, "a day-open count naming an item never taken in", Refused(&[R::Store5]), |p| {
            let mut counts = p.full_count();
            counts.insert("fa-99".into(), 1);
            (p.arm(), Command::OpenDay { call_sheet: call_sheet(), counts })
        }),
        case(R::Store5, "the 1st AD takes a replica into the production", Refused(&[R::Store5]), |p| {
            (p.ad(), intake_firearm(FirearmKind::Replica, "REP-301"))
        }),
        case(R::Store5, "the armorer takes a replica into the production", Allowed("firearm.received"), |p| {
            (p.arm(), intake_firearm(FirearmKind::Replica, "REP-301"))
        }),
        case(R::Store5, "a serial already registered (any letter case)", Refused(&[R::Store5]), |p| {
            (p.arm(), intake_firearm(FirearmKind::BlankAdapted, " b-100 "))
        }),
        case(R::Store5, "a disposed firearm's serial may be taken in again", Allowed("firearm.received"), |p| {
            p.take(p.replica.clone());
            let arm = p.arm();
            p.w.ok(
                &arm,
                Command::DisposeFirearm {
                    firearm: p.replica.clone(),
                    disposition: DispositionKind::ReturnedToRentalHouse,
                    to: rental_house(),
                },
            );
            (p.arm(), intake_firearm(FirearmKind::Replica, "REP-300"))
        }),
        case(R::Store5, "a crew member takes ammunition in", Refused(&[R::Store5]), |p| {
            (by(&p.crew), intake_lot(quarter(), 50, provenance(SUPPLIER), "BQ-2"))
        }),
        case(R::Store5, "a correction may not give a firearm another firearm's serial", Refused(&[R::Store5]), |p| {
            (
                p.arm(),
                Command::CorrectFirearmDetails {
                    firearm: p.real_gun.clone(),
                    corrects_seq: 1,
                    reason: "typo".into(),
                    make: "Colt".into(),
                    model: "SAA".into(),
                    serial: "B-100".into(),
                    calibre: CALIBRE.into(),
                },
            )
        }),
    ]
}

/// R-AMMO-1..7: no live rounds, verified dummies (and each dummy checked as it is loaded),
/// approved suppliers, provenance and quarantine, one class per container, the blank the
/// plan approves, rounds counted out and back.
pub(crate) fn ammo_cases() -> Vec<Case> {
    vec![
        case(R::Ammo1, "taking in a lot of live rounds", Refused(&[R::Ammo1]), |p| {
            (p.arm(), intake_lot(AmmoClass::Live, 50, provenance(SUPPLIER), "LIVE-1"))
        }),
        case(R::Ammo1, "making up a container for live rounds", Refused(&[R::Ammo1]), |p| {
            (
                p.arm(),
                Command::CreateContainer { label: "LIVE-BOX".into(), class: AmmoClass::Live, calibre: CALIBRE.into() },
            )
        }),
        // #15: the approved-exception path: live rounds only into the exception's range.
        case(R::Ammo1, "the armorer records a live-round exception", Refused(&[R::Ammo1]), |p| {
            let range = with_range_exception(p);
            (p.arm(), live_exception(&range))
        }),
        case(R::Ammo1, "a live-round exception whose location is the weapons safe", Refused(&[R::Ammo1]), |p| {
            (by(&p.safety), live_exception(&p.safe))
        }),
        case(
            R::Ammo1,
            "the safety advisor approves range training at the range",
            Allowed("live_exception.approved"),
            |p| {
                let admin = p.admin.clone();
                let range = location_of(&p.w.ok(
                    &admin,
                    Command::AddLocation {
                        name: "Range".into(),
                        kind: LocationKind::Range,
                        authorised: [p.armorer.clone()].into(),
                    },
                ));
                (by(&p.safety), live_exception(&range))
            },
        ),
        case(R::Ammo1, "taking in live rounds under the exception, into the range", Allowed("lot.received"), |p| {
            with_range_exception(p);
            (p.arm(), intake_lot(AmmoClass::Live, 50, provenance(SUPPLIER), "LIVE-1"))
        }),
        case(R::Ammo1, "taking in live rounds the day after the exception ended", Refused(&[R::Ammo1]), |p| {
            with_range_exception(p);
            p.w.ctx.today = TODAY.tomorrow().unwrap().tomorrow().unwrap();
            (p.arm(), intake_lot(AmmoClass::Live, 50, provenance(SUPPLIER), "LIVE-1"))
        }),
        case(R::Ammo1, "taking the live rounds out of the range", Refused(&[R::Ammo1, R::Ammo2]), |p| {
            with_range_exception(p);
            let (_, ct) = lot_of(&p.w.ok(&p.arm(), intake_lot(AmmoClass::Live, 50, provenance(SUPPLIER), "LIVE-1")));
            (p.arm(), Command::TakeContainer { container: ct })
        }),
        case(R::Ammo1, "taking in a lot of half-load blanks", Allowed("lot.received"), |p| {
            (p.arm(), intake_lot(AmmoClass::Blank { load: "half".into() }, 50, provenance(SUPPLIER), "BH-1"))
        }),
        case(R::Ammo1, "dummies that 'fired' are treated as live ammunition", Alerted(&[R::Ammo1, R::Ammo7]), |p| {
            p.give(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
            (p.arm(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 1, returned: 5 })
        }),
        case(R::Ammo1, "dummies that all come back raise nothing", Allowed("firearm.unloaded"), |p| {
            p.give(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
            (p.arm(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 })
        }),
        case(R::Ammo1, "no override exists for R-AMMO-1", Refused(&[R::Ammo1]), |p| override_of(p, R::Ammo1)),
        // R-AMMO-2
        case(R::Ammo2, "moving rounds of a new, unverified dummy lot", Refused(&[R::Ammo2]), |p| {
            let (_, ct) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            (p.arm(), Command::MoveRounds { from: ct, to: p.spare_dummies.clone(), rounds: 1 })
        }),
        case(R::Ammo2, "moving rounds of a new dummy lot once verified", Allowed("rounds.moved"), |p| {
            let (lot, ct) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            let arm = p.arm();
            p.w.ok(
                &arm,
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::StruckPrimer,
                    rounds_checked: 12,
                    other_class_found: 0,
                },
            );
            (p.arm(), Command::MoveRounds { from: ct, to: p.spare_dummies.clone(), rounds: 12 })
        }),
        case(R::Ammo2, "taking an unverified new lot out of storage", Refused(&[R::Ammo2]), |p| {
            let (_, ct) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            p.open(p.safe.clone());
            let arm = p.arm();
            p.w.ok(&arm, Command::StoreContainer { container: ct.clone(), location: p.safe.clone() });
            (p.arm(), Command::TakeContainer { container: ct })
        }),
        case(R::Ammo2, "the 1st AD verifies a dummy lot", Refused(&[R::Ammo2]), |p| {
            let (lot, _) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            (
                p.ad(),
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::Rattle,
                    rounds_checked: 12,
                    other_class_found: 0,
                },
            )
        }),
        case(R::Ammo2, "dummies verified by 'blank inspection'", Refused(&[R::Ammo2]), |p| {
            let (lot, _) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            (
                p.arm(),
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::BlankInspection,
                    rounds_checked: 12,
                    other_class_found: 0,
                },
            )
        }),
        case(R::Ammo2, "blanks verified by rattling", Refused(&[R::Ammo2]), |p| {
            let arm = p.arm();
            let (lot, _) = lot_of(&p.w.ok(&arm, intake_lot(quarter(), 10, provenance(SUPPLIER), "BQ-NEW")));
            (
                p.arm(),
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::Rattle,
                    rounds_checked: 10,
                    other_class_found: 0,
                },
            )
        }),
        case(R::Ammo2, "verifying a lot that is already verified", Refused(&[R::Ammo2]), |p| {
            (
                p.arm(),
                Command::VerifyLot {
                    lot: p.quarter_lot.clone(),
                    method: VerificationMethod::BlankInspection,
                    rounds_checked: 100,
                    other_class_found: 0,
                },
            )
        }),
        case(
            R::Ammo2,
            "re-verifying part of a verified lot, by the wrong method",
            Refused(&[R::Ammo2, R::Ammo4]),
            |p| {
                (
                    p.arm(),
                    Command::VerifyLot {
                        lot: p.full_lot.clone(),
                        method: VerificationMethod::Rattle,
                        rounds_checked: 59,
                        other_class_found: 0,
                    },
                )
            },
        ),
        case(R::Ammo2, "the assistant armorer verifies a dummy lot round by round", Allowed("lot.verified"), |p| {
            let (lot, _) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            (
                by(&p.assistant),
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::NoPrimer,
                    rounds_checked: 12,
                    other_class_found: 0,
                },
            )
        }),
        case(R::Ammo2, "a live round found among dummies rejects the lot", Allowed("lot.rejected"), |p| {
            let (lot, _) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            (
                p.arm(),
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::Rattle,
                    rounds_checked: 12,
                    other_class_found: 1,
                },
            )
        }),
        case(R::Ammo2, "moving rounds of a rejected lot", Refused(&[R::Ammo2]), |p| {
            let (lot, ct) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            let arm = p.arm();
            p.w.ok(
                &arm,
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::Rattle,
                    rounds_checked: 12,
                    other_class_found: 1,
                },
            );
            (p.arm(), Command::MoveRounds { from: ct, to: p.spare_dummies.clone(), rounds: 11 })
        }),
        case(R::Ammo2, "loading dummies without checking each one", Refused(&[R::Ammo2]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies, Step::Load);
            p.take_ct(p.dummies.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.dummies, 6, None))
        }),
        case(R::Ammo2, "checking dummies by 'blank inspection' as they go in", Refused(&[R::Ammo2]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies, Step::Load);
            p.take_ct(p.dummies.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.dummies, 6, Some(VerificationMethod::BlankInspection)))
        }),
        case(R::Ammo2, "loading dummies each rattled as it goes in", Allowed("firearm.loaded"), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies, Step::Load);
            p.take_ct(p.dummies.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.dummies, 6, Some(VerificationMethod::Rattle)))
        }),
        // R-AMMO-3
        case(R::Ammo3, "home-made dummies", Refused(&[R::Ammo3]), |p| {
            let mut cmd = intake_lot(AmmoClass::Dummy, 10, provenance(SUPPLIER), "D-HOME");
            if let Command::IntakeLot { home_made, .. } = &mut cmd {
                *home_made = true;
            }
            (p.arm(), cmd)
        }),
        case(R::Ammo3, "dummies from a supplier nobody approved", Refused(&[R::Ammo3]), |p| {
            (p.arm(), intake_lot(AmmoClass::Dummy, 10, provenance("Bob's Garage Ammo"), "D-BOB"))
        }),
        case(R::Ammo3, "dummies from the approved supplier", Allowed("lot.received"), |p| {
            (p.arm(), intake_lot(AmmoClass::Dummy, 10, provenance(SUPPLIER), "D-NEW"))
        }),
        case(R::Ammo3, "dummies from a supplier once the armorer approves it", Allowed("lot.received"), |p| {
            let arm = p.arm();
            p.w.ok(&arm, Command::ApproveSupplier { supplier: "Bob's Garage Ammo".into() });
            (p.arm(), intake_lot(AmmoClass::Dummy, 10, provenance("Bob's Garage Ammo"), "D-BOB"))
        }),
        // R-AMMO-4
        case(R::Ammo4, "a lot without headstamp", Refused(&[R::Ammo4]), |p| {
            let mut prov = provenance(SUPPLIER);
            prov.headstamp = "  ".into();
            (p.arm(), intake_lot(quarter(), 10, prov, "BQ-NEW"))
        }),
        case(R::Ammo4, "a lot without supplier nor document", Refused(&[R::Ammo4]), |p| {
            let mut prov = provenance("");
            prov.document = String::new();
            (p.arm(), intake_lot(AmmoClass::Dummy, 10, prov, "D-NEW"))
        }),
        case(
            R::Ammo4,
            "taking stock from another production out of storage before re-verification",
            Refused(&[R::Ammo4]),
            |p| {
                p.open(p.safe.clone());
                (p.arm(), Command::TakeContainer { container: p.old_stock.clone() })
            },
        ),
        case(
            R::Ammo4,
            "taking stock from another production out once re-verified",
            Allowed("container.taken_out"),
            |p| {
                let arm = p.arm();
                p.w.ok(
                    &arm,
                    Command::VerifyLot {
                        lot: p.old_lot.clone(),
                        method: VerificationMethod::Rattle,
                        rounds_checked: 20,
                        other_class_found: 0,
                    },
                );
                p.open(p.safe.clone());
                (p.arm(), Command::TakeContainer { container: p.old_stock.clone() })
            },
        ),
        case(R::Ammo4, "moving rounds of stock from another production", Refused(&[R::Ammo4]), |p| {
            let mut prov = provenance(SUPPLIER);
            prov.previous_production = Some("Old Western (2024)".into());
            let (_, ct) = p.new_dummy_lot("D-OLD-2", prov);
            (p.arm(), Command::MoveRounds { from: ct, to: p.spare_dummies.clone(), rounds: 1 })
        }),
        case(R::Ammo4, "moving rounds of stock of mixed source", Refused(&[R::Ammo4]), |p| {
            let mut prov = provenance(SUPPLIER);
            prov.mixed_source = true;
            let (_, ct) = p.new_dummy_lot("D-MIX", prov);
            (p.arm(), Command::MoveRounds { from: ct, to: p.spare_dummies.clone(), rounds: 1 })
        }),
        // New: verified rounds are not mixed into a container holding unverified stock.
        case(R::Ammo4, "moving verified dummies into a container of unverified stock", Refused(&[R::Ammo4]), |p| {
            let mut prov = provenance(SUPPLIER);
            prov.mixed_source = true;
            let (_, ct) = p.new_dummy_lot("D-MIX", prov);
            p.take_ct(p.dummies.clone());
            (p.arm(), Command::MoveRounds { from: p.dummies.clone(), to: ct, rounds: 5 })
        }),
        case(R::Ammo4, "moving verified dummies into a container of verified stock", Allowed("rounds.moved"), |p| {
            p.take_ct(p.dummies.clone());
            p.take_ct(p.dummies_b.clone());
            (p.arm(), Command::MoveRounds { from: p.dummies.clone(), to: p.dummies_b.clone(), rounds: 5 })
        }),
        case(R::Ammo4, "re-verifying only part of a lot", Refused(&[R::Ammo4]), |p| {
            (
                p.arm(),
                Command::VerifyLot {
                    lot: p.old_lot.clone(),
                    method: VerificationMethod::Rattle,
                    rounds_checked: 19,
                    other_class_found: 0,
                },
            )
        }),
        case(R::Ammo4, "claiming more rounds checked than the lot has", Refused(&[R::Ammo4]), |p| {
            (
                p.arm(),
                Command::VerifyLot {
                    lot: p.old_lot.clone(),
                    method: VerificationMethod::Rattle,
                    rounds_checked: 21,
                    other_class_found: 0,
                },
            )
        }),
        case(R::Ammo4, "re-verifying every round of the lot", Allowed("lot.verified"), |p| {
            (
                p.arm(),
                Command::VerifyLot {
                    lot: p.old_lot.clone(),
                    method: VerificationMethod::DrilledCase,
                    rounds_checked: 20,
                    other_class_found: 0,
                },
            )
        }),
        // R-AMMO-5
        case(R::Ammo5, "dummies into a container of blanks", Refused(&[R::Ammo5]), |p| {
            p.take_ct(p.dummies.clone());
            (p.arm(), Command::MoveRounds { from: p.dummies.clone(), to: p.spare_quarters.clone(), rounds: 5 })
        }),
        case(R::Ammo5, "quarter-load blanks into a container of full-load blanks", Refused(&[R::Ammo5]), |p| {
            p.take_ct(p.quarters.clone());
            p.take_ct(p.fulls.clone());
            (p.arm(), Command::MoveRounds { from: p.quarters.clone(), to: p.fulls.clone(), rounds: 5 })
        }),
        case(R::Ammo5, "full-load blanks into a container of quarter-load blanks", Refused(&[R::Ammo5]), |p| {
            p.take_ct(p.fulls.clone());
            (p.arm(), Command::MoveRounds { from: p.fulls.clone(), to: p.spare_quarters.clone(), rounds: 5 })
        }),
        case(R::Ammo5, "dummies into a container of another calibre", Refused(&[R::Ammo5]), |p| {
            p.take_ct(p.dummies.clone());
            let arm = p.arm();
            let ct = container_of(&p.w.ok(
                &arm,
                Command::CreateContainer { label: "D-9MM".into(), class: AmmoClass::Dummy, calibre: "9mm".into() },
            ));
            (p.arm(), Command::MoveRounds { from: p.dummies.clone(), to: ct, rounds: 5 })
        }),
        case(R::Ammo5, "quarter-load blanks into a quarter-load container", Allowed("rounds.moved"), |p| {
            p.take_ct(p.quarters.clone());
            (p.arm(), Command::MoveRounds { from: p.quarters.clone(), to: p.spare_quarters.clone(), rounds: 25 })
        }),
        case(R::Ammo5, "a new container with a label already in use", Refused(&[R::Ammo5]), |p| {
            (
                p.arm(),
                Command::CreateContainer { label: "d-spare".into(), class: AmmoClass::Dummy, calibre: CALIBRE.into() },
            )
        }),
        case(R::Ammo5, "a new lot's container with a label already in use", Refused(&[R::Ammo5]), |p| {
            (p.arm(), intake_lot(quarter(), 10, provenance(SUPPLIER), "BQ-1"))
        }),
        // R-AMMO-6
        case(R::Ammo6, "loading full-load blanks where the plan approves quarter-load", Refused(&[R::Ammo6]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.fulls.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.fulls, 6, None))
        }),
        case(R::Ammo6, "loading the quarter-load blanks the plan approves", Allowed("firearm.loaded"), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(
            R::Ammo6,
            "a hand-off after the plan was revised to full-load blanks and not reloaded",
            Refused(&[R::Ammo6]),
            |p| {
                let sc = p.std_ready();
                p.revise(&sc, take_plan(&p.blank_gun, &p.performer, full_blanks()));
                p.redo(&sc);
                p.std_hand(&sc)
            },
        ),
        case(R::Ammo6, "a hand-off after the revision once reloaded as planned", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.revise(&sc, take_plan(&p.blank_gun, &p.performer, full_blanks()));
            let arm = p.arm();
            p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 });
            p.redo(&sc);
            p.take_ct(p.fulls.clone());
            p.w.ok(&arm, load_cmd(&p.blank_gun, &p.fulls, 6, None));
            p.run_steps(&sc, &[Step::Demonstrate, Step::Shown], true);
            p.std_hand(&sc)
        }),
        // R-AMMO-7
        case(R::Ammo7, "unloading with rounds unaccounted for", Alerted(&[R::Ammo7]), |p| {
            p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
            (p.arm(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 2, returned: 3 })
        }),
        case(R::Ammo7, "unloading with every round counted", Allowed("firearm.unloaded"), |p| {
            p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
            (p.arm(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 2, returned: 4 })
        }),
        case(R::Ammo7, "loading a class that has an open discrepancy", Refused(&[R::Ammo7]), |p| {
            short_count(p);
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Ammo7, "loading that class again once the discrepancy is resolved", Allowed("firearm.loaded"), |p| {
            short_count(p);
            let arm = p.arm();
            p.w.ok(
                &arm,
                Command::ResolveDiscrepancy { class: quarter(), explanation: "one blank found under the porch".into() },
            );
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Ammo7, "the 1st AD resolves a discrepancy", Refused(&[R::Ammo7]), |p| {
            short_count(p);
            (p.ad(), Command::ResolveDiscrepancy { class: quarter(), explanation: "probably fired".into() })
        }),
        case(
            R::Ammo7,
            "the armorer resolves a discrepancy with an explanation",
            Allowed("rounds.discrepancy_resolved"),
            |p| {
                short_count(p);
                (p.arm(), Command::ResolveDiscrepancy { class: quarter(), explanation: "found in the holster".into() })
            },
        ),
        case(R::Ammo7, "a hand-off of a firearm loaded with a class under discrepancy", Refused(&[R::Ammo7]), |p| {
            let second = p.another_blank_gun("B-101");
            let items =
                vec![item(&p.blank_gun, &p.performer, quarter_blanks()), item(&second, &p.performer, quarter_blanks())];
            let sc = p.prepare(plan_of(SceneKind::Take, items), &[], None);
            let arm = p.arm();
            p.w.ok(&arm, Command::UnloadFirearm { firearm: second, fired: 0, returned: 5 });
            p.std_hand(&sc)
        }),
        // R-AMMO-8 (added by coldset, #16): the round's calibre matches the chambering.
        case(R::Ammo8, "loading .45 Colt blanks into a .44-40 carbine", Refused(&[R::Ammo8]), |p| {
            let carbine = carbine(p);
            p.ready_until(carbine.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&carbine, &p.quarters, 6, None))
        }),
        case(R::Ammo8, "loading .45 Colt dummies into a .44-40 carbine", Refused(&[R::Ammo8]), |p| {
            let carbine = carbine(p);
            p.ready_until(carbine.clone(), p.performer.clone(), PlannedLoad::Dummies, Step::Load);
            p.take_ct(p.dummies.clone());
            (p.arm(), load_cmd(&carbine, &p.dummies, 6, Some(VerificationMethod::Rattle)))
        }),
        case(R::Ammo8, "loading .44-40 blanks into the .44-40 carbine", Allowed("firearm.loaded"), |p| {
            let carbine = carbine(p);
            let arm = p.arm();
            let mut lot = intake_lot(quarter(), 40, provenance(SUPPLIER), "BQ-4440");
            if let Command::IntakeLot { calibre, .. } = &mut lot {
                *calibre = " .44-40 ".into();
            }
            let (lot, ct) = lot_of(&p.w.ok(&arm, lot));
            p.w.ok(
                &arm,
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::BlankInspection,
                    rounds_checked: 40,
                    other_class_found: 0,
                },
            );
            p.ready_until(carbine.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            (p.arm(), load_cmd(&carbine, &ct, 6, None))
        }),
        case(R::Ammo8, "loading .45 Colt blanks into the .45 Colt revolver", Allowed("firearm.loaded"), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
    ]
}

/// A blank-adapted Winchester 1873 carbine in .44-40, taken in and put in the safe.
pub(crate) fn carbine(p: &mut Prod) -> FirearmId {
    let arm = p.arm();
    let mut cmd = intake_firearm(FirearmKind::BlankAdapted, "W73-340");
    if let Command::IntakeFirearm { make, model, calibre, .. } = &mut cmd {
        *make = "Winchester".into();
        *model = "1873 carbine".into();
        *calibre = ".44-40".into();
    }
    let fa = firearm_of(&p.w.ok(&arm, cmd));
    p.open(p.safe.clone());
    p.w.ok(&arm, Command::StoreFirearm { firearm: fa.clone(), location: p.safe.clone() });
    fa
}

/// The standard scene, handed over, collected and unloaded one blank short: quarter-load
/// blanks are held (R-AMMO-7). The scene is still called, the gun empty with the armorer.
pub(crate) fn short_count(p: &mut Prod) {
    p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
    let arm = p.arm();
    p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
    p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 2, returned: 3 });
}

/// The armorer tries to record an override of `rule` for the standard scene.
pub(crate) fn override_of(p: &mut Prod, rule: R) -> (Actor, Command) {
    let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
    (
        p.arm(),
        Command::RecordOverride { rule, firearm: p.blank_gun.clone(), scene: sc, reason: "we know better".into() },
    )
}

/// R-HAND-1 (only the armorer, or a supervised assistant, loads; only once the scene is
/// called), R-HAND-2 (only the armorer hands over and collects; to the performer the plan
/// names, who confirms in person), R-HAND-3 (firearms back at cut), R-HAND-4 (inspections),
/// R-HAND-5 (withdrawn until repaired), R-HAND-6 (used only in a called scene).
pub(crate) fn hand_cases() -> Vec<Case> {
    vec![
        case(R::Hand1, "loading before the scene is called", Refused(&[R::Hand1]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Call);
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Hand1, "loading a firearm out for maintenance only", Refused(&[R::Hand1, R::Ammo6]), |p| {
            p.open_day();
            p.take(p.blank_gun.clone());
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Hand1, "an assistant armorer loads without recorded supervision", Refused(&[R::Hand1]), |p| {
            assistant_holds_the_gun(p);
            (by(&p.assistant), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Hand1, "an assistant armorer loads under recorded supervision", Allowed("firearm.loaded"), |p| {
            assistant_holds_the_gun(p);
            let arm = p.arm();
            p.w.ok(&arm, Command::SuperviseAssistant { assistant: p.assistant.clone() });
            (by(&p.assistant), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        // #16: the supervised load goes back to the armorer as a recorded custody step.
        case(
            R::Hand2,
            "the assistant hands her supervised load back to the armorer",
            Allowed("firearm.handed_off"),
            |p| {
                assistant_holds_the_gun(p);
                let arm = p.arm();
                p.w.ok(&arm, Command::SuperviseAssistant { assistant: p.assistant.clone() });
                p.w.ok(&by(&p.assistant), load_cmd(&p.blank_gun, &p.quarters, 6, None));
                p.w.ctx.attested = vec![p.armorer.clone()];
                (
                    by(&p.assistant),
                    Command::HandOff { firearm: p.blank_gun.clone(), to: p.armorer.clone(), scene: None },
                )
            },
        ),
        case(
            R::Hand2,
            "the assistant hands her supervised load to the performer",
            Refused(&[R::Hand2, R::Check1, R::Check2]),
            |p| {
                let sc = SceneId::parse("sc-1").unwrap();
                assistant_holds_the_gun(p);
                let arm = p.arm();
                p.w.ok(&arm, Command::SuperviseAssistant { assistant: p.assistant.clone() });
                p.w.ok(&by(&p.assistant), load_cmd(&p.blank_gun, &p.quarters, 6, None));
                p.w.ctx.attested = vec![p.performer.clone()];
                (by(&p.assistant), hand_off(&p.blank_gun, &p.performer, &sc))
            },
        ),
        case(
            R::Ammo7,
            "a hand-off after collecting a never-fired load from the assistant",
            Allowed("firearm.handed_off"),
            |p| {
                let sc = SceneId::parse("sc-1").unwrap();
                assistant_holds_the_gun(p);
                let arm = p.arm();
                p.w.ok(&arm, Command::SuperviseAssistant { assistant: p.assistant.clone() });
                p.w.ok(&by(&p.assistant), load_cmd(&p.blank_gun, &p.quarters, 6, None));
                p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
                p.run_steps(&sc, &[Step::Demonstrate, Step::Shown, Step::Attest], true);
                (p.arm(), hand_off(&p.blank_gun, &p.performer, &sc))
            },
        ),
        case(R::Hand1, "the armorer loads once the 1st AD called the scene", Allowed("firearm.loaded"), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Hand1, "the 1st AD records an assistant's supervision", Refused(&[R::Hand1]), |p| {
            p.open_day();
            (p.ad(), Command::SuperviseAssistant { assistant: p.assistant.clone() })
        }),
        case(R::Hand1, "supervising someone who is not an assistant armorer", Refused(&[R::Hand1]), |p| {
            p.open_day();
            (p.arm(), Command::SuperviseAssistant { assistant: p.crew.clone() })
        }),
        case(R::Hand1, "supervision recorded before the day is open", Refused(&[R::Hand1]), |p| {
            (p.arm(), Command::SuperviseAssistant { assistant: p.assistant.clone() })
        }),
        case(R::Hand1, "the armorer records the assistant's supervision", Allowed("assistant.supervised"), |p| {
            p.open_day();
            (p.arm(), Command::SuperviseAssistant { assistant: p.assistant.clone() })
        }),
        // R-HAND-2
        case(R::Hand2, "the 1st AD hands a gun he does not hold to a performer", Refused(&[R::Role1, R::Hand2]), |p| {
            let sc = p.std_ready();
            (p.ad(), hand_off(&p.blank_gun, &p.performer, &sc))
        }),
        case(R::Hand2, "the 1st AD, somehow holding the gun, hands it to a performer", Refused(&[R::Hand2]), |p| {
            let sc = p.std_ready();
            p.w.state.firearms.get_mut(&p.blank_gun).unwrap().holder = Holder::Person { person: p.first_ad.clone() };
            (p.ad(), hand_off(&p.blank_gun, &p.performer, &sc))
        }),
        case(R::Hand2, "the armorer hands the replica to the 1st AD", Refused(&[R::Hand2, R::Check2]), |p| {
            let sc = p.ready(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            p.w.ctx.attested = vec![p.first_ad.clone()];
            (p.arm(), hand_off(&p.replica, &p.first_ad, &sc))
        }),
        case(
            R::Hand2,
            "the armorer hands a blank-adapted firearm to a crew member",
            Refused(&[R::Hand2, R::Role2, R::Train1, R::Train2, R::Check2]),
            |p| {
                let sc = p.std_ready();
                p.w.ctx.attested = vec![p.crew.clone()];
                (p.arm(), hand_off(&p.blank_gun, &p.crew, &sc))
            },
        ),
        case(R::Hand2, "the armorer hands a firearm to herself", Refused(&[R::Hand2]), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.armorer.clone(), scene: None })
        }),
        case(R::Hand2, "the assistant armorer hands a firearm to a performer", Refused(&[R::Hand2]), |p| {
            let sc = p.std_ready();
            p.transfer(p.blank_gun.clone(), p.assistant.clone());
            p.w.ctx.attested = vec![p.performer.clone()];
            (by(&p.assistant), hand_off(&p.blank_gun, &p.performer, &sc))
        }),
        case(R::Hand2, "a performer passes the gun to another performer", Refused(&[R::Hand2, R::Check2]), |p| {
            let sc = p.give(p.replica.clone(), p.performer.clone(), PlannedLoad::Empty);
            p.w.ctx.attested = vec![p.performer2.clone()];
            (by(&p.performer), hand_off(&p.replica, &p.performer2, &sc))
        }),
        case(R::Hand2, "the plan gives the firearm to another performer", Refused(&[R::Hand2, R::Check2]), |p| {
            let sc = p.ready(p.replica.clone(), p.performer.clone(), PlannedLoad::Empty);
            p.w.ctx.attested = vec![p.performer2.clone()];
            (p.arm(), hand_off(&p.replica, &p.performer2, &sc))
        }),
        case(R::Hand2, "the performer has not confirmed receiving it in person", Refused(&[R::Hand2]), |p| {
            let sc = p.std_ready();
            p.w.ctx.attested.clear();
            p.std_hand(&sc)
        }),
        case(R::Hand2, "someone else confirmed instead of the performer", Refused(&[R::Hand2]), |p| {
            let sc = p.std_ready();
            p.w.ctx.attested = vec![p.performer2.clone()];
            p.std_hand(&sc)
        }),
        case(R::Hand2, "the assistant armorer has not confirmed receiving it", Refused(&[R::Hand2]), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.assistant.clone(), scene: None })
        }),
        case(R::Hand2, "the assistant collects from a performer", Refused(&[R::Hand2]), |p| {
            p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
            (by(&p.assistant), Command::Collect { firearm: p.blank_gun.clone() })
        }),
        case(R::Hand2, "the 1st AD collects the replica from a performer", Refused(&[R::Hand2]), |p| {
            p.give(p.replica.clone(), p.performer.clone(), PlannedLoad::Empty);
            (p.ad(), Command::Collect { firearm: p.replica.clone() })
        }),
        case(R::Hand2, "planning a firearm for a crew member", Refused(&[R::Hand2]), |p| {
            p.credit(p.crew.clone(), safety_course());
            let plan = take_plan(&p.blank_gun, &p.crew, quarter_blanks());
            (p.ad(), Command::PlanScene { number: "9".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(R::Hand2, "no override exists for R-HAND-2", Refused(&[R::Hand2]), |p| override_of(p, R::Hand2)),
        case(R::Hand2, "the armorer hands the firearm to the assistant armorer", Allowed("firearm.handed_off"), |p| {
            p.take(p.blank_gun.clone());
            p.w.ctx.attested = vec![p.assistant.clone()];
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.assistant.clone(), scene: None })
        }),
        case(R::Hand2, "the armorer collects from the assistant armorer", Allowed("firearm.collected"), |p| {
            p.transfer(p.blank_gun.clone(), p.assistant.clone());
            (p.arm(), Command::Collect { firearm: p.blank_gun.clone() })
        }),
        case(R::Hand2, "the armorer hands it to the performer the plan names", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.std_hand(&sc)
        }),
        // R-HAND-3
        // #15: the clock records the time-out (and the outbox sends it).
        case(R::Hand3, "the clock finds a firearm out past the time-out", Alerted(&[R::Hand3]), |p| {
            p.take(p.blank_gun.clone());
            p.close(p.safe.clone());
            p.w.ctx.now = p.w.ctx.now.plus_minutes(25);
            (Actor::System, Command::Tick)
        }),
        case(R::Hand3, "wrapping while a performer still holds a firearm", Refused(&[R::Hand3]), |p| {
            let sc = p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            (p.ad(), Command::WrapScene { scene: sc })
        }),
        case(R::Hand3, "a crew member wraps the scene", Refused(&[R::Hand3]), |p| {
            let sc = p.plan_scene(take_plan(&p.replica, &p.performer2, PlannedLoad::Empty));
            (by(&p.crew), Command::WrapScene { scene: sc })
        }),
        case(R::Hand3, "wrapping once the armorer has collected every firearm", Allowed("scene.wrapped"), |p| {
            let sc = p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: p.replica.clone() });
            (p.ad(), Command::WrapScene { scene: sc })
        }),
        // R-HAND-4
        case(R::Hand4, "a pre-use inspection as old as the time-out", Refused(&[R::Hand4]), |p| {
            let sc = p.std_ready();
            p.w.ctx.now = p.inspected_at(&p.blank_gun).plus_minutes(20);
            p.std_hand(&sc)
        }),
        case(R::Hand4, "a pre-use inspection just under the time-out", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.w.ctx.now = Timestamp(p.inspected_at(&p.blank_gun).0 + 20 * MINUTE_MS - 1);
            p.std_hand(&sc)
        }),
        case(R::Hand4, "no pre-use inspection", Refused(&[R::Hand4, R::Hand6]), |p| {
            // Without it the scene can't be marked ready, so it is not called either.
            let sc = p.ready_except(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty, Step::Inspect);
            (p.arm(), hand_off(&p.replica, &p.performer2, &sc))
        }),
        // Collected with blanks still in it: the post-use inspection is due (R-HAND-4) and the
        // sequence's rounds must be reconciled before it goes out again (R-AMMO-7).
        case(
            R::Hand4,
            "back from a firing sequence without a post-use inspection",
            Refused(&[R::Ammo7, R::Hand4]),
            |p| {
                let sc = p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
                let arm = p.arm();
                p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
                p.run_steps(&sc, &[Step::Inspect, Step::Demonstrate, Step::Shown, Step::Attest], true);
                p.std_hand(&sc)
            },
        ),
        case(
            R::Hand4,
            "back from a firing sequence, inspected post-use then pre-use",
            Allowed("firearm.handed_off"),
            |p| {
                let sc = p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
                let arm = p.arm();
                p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
                p.w.ok(&arm, inspect(&p.blank_gun, InspectionStage::PostUse));
                // Reconcile the sequence (2 fired, the rest returned), then load again.
                let issued = match &p.w.state.firearms[&p.blank_gun].load {
                    LoadState::Blanks { count, .. } => *count,
                    other => panic!("expected blanks, got {other:?}"),
                };
                p.w.ok(
                    &arm,
                    Command::UnloadFirearm {
                        firearm: p.blank_gun.clone(),
                        fired: 2.min(issued),
                        returned: issued - 2.min(issued),
                    },
                );
                p.run_steps(&sc, &[Step::Inspect, Step::Load, Step::Demonstrate, Step::Shown, Step::Attest], true);
                p.std_hand(&sc)
            },
        ),
        case(
            R::Hand4,
            "a pre-use inspection that found the barrel obstructed does not count after the repair",
            Refused(&[R::Hand4]),
            |p| {
                let sc = p.std_ready();
                let arm = p.arm();
                p.w.ok(
                    &arm,
                    Command::InspectFirearm {
                        firearm: p.blank_gun.clone(),
                        stage: InspectionStage::PreUse,
                        barrel_clear: false,
                        fault: Some("squib lodged in the barrel".into()),
                    },
                );
                let repair = p.repair(p.blank_gun.clone());
                p.w.ok(&arm, repair);
                p.std_hand(&sc)
            },
        ),
        case(R::Hand4, "a performer inspects the firearm she holds", Refused(&[R::Hand4]), |p| {
            p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            (by(&p.performer2), inspect(&p.replica, InspectionStage::PostUse))
        }),
        case(R::Hand4, "the armorer inspects the firearm she holds", Allowed("firearm.inspected"), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), inspect(&p.blank_gun, InspectionStage::PreUse))
        }),
        // R-HAND-5
        case(R::Hand5, "handing off a withdrawn firearm", Refused(&[R::Hand5]), |p| {
            let sc = p.std_ready();
            p.withdraw(p.blank_gun.clone());
            p.std_hand(&sc)
        }),
        case(
            R::Hand5,
            "handing off once its repair is recorded and it is inspected again",
            Allowed("firearm.handed_off"),
            |p| {
                let sc = p.std_ready();
                p.withdraw(p.blank_gun.clone());
                let (arm, repair) = (p.arm(), p.repair(p.blank_gun.clone()));
                p.w.ok(&arm, repair);
                p.w.ok(&arm, inspect(&p.blank_gun, InspectionStage::PreUse));
                p.std_hand(&sc)
            },
        ),
        case(R::Hand5, "taking a withdrawn firearm out for a scene", Refused(&[R::Hand5]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
            p.withdraw(p.blank_gun.clone());
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
        }),
        // Changed: a withdrawn firearm may be taken out for maintenance (repair, disposal).
        case(R::Hand5, "taking a withdrawn firearm out for maintenance", Allowed("firearm.taken_out"), |p| {
            p.withdraw(p.blank_gun.clone());
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: None })
        }),
        case(R::Hand5, "planning a scene with a withdrawn firearm", Refused(&[R::Hand5]), |p| {
            p.withdraw(p.blank_gun.clone());
            let plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            (p.ad(), Command::PlanScene { number: "9".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(R::Hand5, "a withdrawn firearm can still be collected and stored", Allowed("firearm.stored"), |p| {
            p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            p.withdraw(p.replica.clone());
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: p.replica.clone() });
            (p.arm(), Command::StoreFirearm { firearm: p.replica.clone(), location: p.safe.clone() })
        }),
        case(R::Hand5, "a performer withdraws a firearm", Refused(&[R::Hand5]), |p| {
            (by(&p.performer), Command::WithdrawFirearm { firearm: p.blank_gun.clone(), reason: "feels wrong".into() })
        }),
        case(R::Hand5, "withdrawing a firearm twice", Refused(&[R::Hand5]), |p| {
            p.withdraw(p.blank_gun.clone());
            (p.arm(), Command::WithdrawFirearm { firearm: p.blank_gun.clone(), reason: "again".into() })
        }),
        case(R::Hand5, "the assistant armorer withdraws a faulty firearm", Allowed("firearm.withdrawn"), |p| {
            (
                by(&p.assistant),
                Command::WithdrawFirearm { firearm: p.blank_gun.clone(), reason: "bent ejector rod".into() },
            )
        }),
        case(R::Hand5, "recording a repair of a firearm that is not withdrawn", Refused(&[R::Hand5]), |p| {
            (p.arm(), p.repair(p.blank_gun.clone()))
        }),
        case(R::Hand5, "a crew member records a repair", Refused(&[R::Hand5]), |p| {
            p.withdraw(p.blank_gun.clone());
            (by(&p.crew), p.repair(p.blank_gun.clone()))
        }),
        // R-HAND-6
        case(R::Hand6, "a hand-off naming no scene", Refused(&[R::Hand6, R::Check2]), |p| {
            // A maintenance take-out: inspected and demonstrated, but for no scene.
            p.open_day();
            p.take(p.replica.clone());
            let (arm, ad) = (p.arm(), p.ad());
            p.w.ok(&arm, inspect(&p.replica, InspectionStage::PreUse));
            p.w.ok(&ad, Command::AcknowledgeDemonstration { firearm: p.replica.clone() });
            p.w.ctx.attested = vec![p.performer2.clone()];
            (p.arm(), Command::HandOff { firearm: p.replica.clone(), to: p.performer2.clone(), scene: None })
        }),
        case(R::Hand6, "a hand-off for a scene that is ready but not called", Refused(&[R::Hand6]), |p| {
            let sc = p.ready_except(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty, Step::Call);
            (p.arm(), hand_off(&p.replica, &p.performer2, &sc))
        }),
        case(R::Hand6, "a hand-off for a called scene of another day", Refused(&[R::Hand6]), |p| {
            let sc = p.std_ready();
            p.w.ctx.today = TODAY.tomorrow().unwrap();
            p.std_hand(&sc)
        }),
        case(R::Hand6, "taking a firearm out for a scene whose plan does not name it", Refused(&[R::Hand6]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.replica.clone(), scene: Some(sc) })
        }),
        case(R::Hand6, "taking a firearm out for tomorrow's scene", Refused(&[R::Hand6]), |p| {
            let sc =
                p.plan_scene_on(take_plan(&p.blank_gun, &p.performer, quarter_blanks()), TODAY.tomorrow().unwrap());
            p.open_day();
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
        }),
        case(R::Hand6, "taking a firearm out for a wrapped scene", Refused(&[R::Hand6]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
            p.w.ok(&p.ad(), Command::WrapScene { scene: sc.clone() });
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
        }),
        case(R::Hand6, "taking a firearm out for today's scene", Allowed("firearm.taken_out"), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
        }),
        case(R::Hand6, "the armorer calls the scene", Refused(&[R::Hand6]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Call);
            (p.arm(), Command::CallScene { scene: sc })
        }),
        case(R::Hand6, "the 1st AD calls the scene", Allowed("scene.called"), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Call);
            (p.ad(), Command::CallScene { scene: sc })
        }),
        case(R::Hand6, "a hand-off for the called scene", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.std_hand(&sc)
        }),
    ]
}

/// The standard scene up to loading; the armorer hands the revolver and the quarter-load
/// blanks to the assistant armorer.
pub(crate) fn assistant_holds_the_gun(p: &mut Prod) {
    p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
    p.transfer(p.blank_gun.clone(), p.assistant.clone());
    p.take_ct(p.quarters.clone());
    let arm = p.arm();
    p.w.ok(&arm, Command::HandContainer { container: p.quarters.clone(), to: p.assistant.clone() });
}

/// R-CHECK-1 (the 1st AD records the armorer's demonstration of the current state),
/// R-CHECK-2 (the performer acknowledges being shown it), R-DECL-1 (only the armorer sets
/// the load state, which must be what the plan calls for).
pub(crate) fn check_cases() -> Vec<Case> {
    vec![
        case(R::Check1, "no demonstration to the 1st AD", Refused(&[R::Check1]), |p| {
            let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Demonstrate);
            p.std_hand(&sc)
        }),
        case(R::Check1, "a demonstration of an earlier load", Refused(&[R::Check1]), |p| {
            let sc = p.std_ready();
            let arm = p.arm();
            p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 });
            p.w.ok(&arm, load_cmd(&p.blank_gun, &p.quarters, 6, None));
            p.run_steps(&sc, &[Step::Shown], true);
            p.std_hand(&sc)
        }),
        case(R::Check1, "a performer records the demonstration", Refused(&[R::Check1]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Demonstrate);
            (by(&p.performer), Command::AcknowledgeDemonstration { firearm: p.blank_gun.clone() })
        }),
        case(R::Check1, "a demonstration of a firearm the armorer does not hold", Refused(&[R::Check1]), |p| {
            p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
            (p.ad(), Command::AcknowledgeDemonstration { firearm: p.blank_gun.clone() })
        }),
        case(R::Check1, "the 1st AD records the demonstration", Allowed("firearm.demonstrated"), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Demonstrate);
            (p.ad(), Command::AcknowledgeDemonstration { firearm: p.blank_gun.clone() })
        }),
        case(R::Check1, "a hand-off after the demonstration of the current load", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.std_hand(&sc)
        }),
        // R-CHECK-2
        case(R::Check2, "the performer was not shown the state", Refused(&[R::Check2]), |p| {
            let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Shown);
            p.std_hand(&sc)
        }),
        case(R::Check2, "the performer was shown an earlier load", Refused(&[R::Check2]), |p| {
            let sc = p.std_ready();
            let arm = p.arm();
            p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 });
            p.w.ok(&arm, load_cmd(&p.blank_gun, &p.quarters, 6, None));
            p.run_steps(&sc, &[Step::Demonstrate], true);
            p.std_hand(&sc)
        }),
        case(R::Check2, "someone neither the performer nor in the line of fire", Refused(&[R::Check2]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Shown);
            (by(&p.crew), Command::AcknowledgeShown { firearm: p.blank_gun.clone() })
        }),
        case(R::Check2, "shown a firearm the armorer no longer holds", Refused(&[R::Check2]), |p| {
            p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
            (by(&p.performer), Command::AcknowledgeShown { firearm: p.blank_gun.clone() })
        }),
        case(R::Check2, "crew in the line of fire acknowledge", Allowed("firearm.shown"), |p| {
            p.credit(p.crew.clone(), safety_course());
            let mut plan = take_plan(&p.blank_gun, &p.performer, PlannedLoad::Dummies);
            plan.line_of_fire.insert(p.crew.clone());
            p.prepare(plan, &[], Some(Step::Shown));
            (by(&p.crew), Command::AcknowledgeShown { firearm: p.blank_gun.clone() })
        }),
        case(
            R::Check2,
            "crew in the line of fire acknowledge after the performer: the performer's still counts",
            Allowed("firearm.handed_off"),
            |p| {
                p.credit(p.crew.clone(), safety_course());
                let mut plan = take_plan(&p.blank_gun, &p.performer, PlannedLoad::Dummies);
                plan.line_of_fire.insert(p.crew.clone());
                let sc = p.prepare(plan, &[], Some(Step::Shown));
                p.w.ok(&by(&p.performer), Command::AcknowledgeShown { firearm: p.blank_gun.clone() });
                p.w.ok(&by(&p.crew), Command::AcknowledgeShown { firearm: p.blank_gun.clone() });
                p.run_steps(&sc, &[Step::Attest], true);
                p.std_hand(&sc)
            },
        ),
        case(R::Check2, "the performer acknowledges", Allowed("firearm.shown"), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Shown);
            (by(&p.performer), Command::AcknowledgeShown { firearm: p.blank_gun.clone() })
        }),
        // R-DECL-1
        case(R::Decl1, "the firearm holds nothing while the plan calls for blanks", Refused(&[R::Decl1]), |p| {
            let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.std_hand(&sc)
        }),
        case(R::Decl1, "the 1st AD loads a firearm", Refused(&[R::Decl1, R::Role1]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            (p.ad(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Decl1, "dummies into a firearm planned for blanks", Refused(&[R::Decl1]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.dummies.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.dummies, 6, Some(VerificationMethod::Rattle)))
        }),
        case(R::Decl1, "loading a firearm that is already loaded", Refused(&[R::Decl1]), |p| {
            p.std_ready();
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 1, None))
        }),
        case(R::Decl1, "the 1st AD declares a firearm empty", Refused(&[R::Decl1, R::Role1]), |p| {
            p.take(p.blank_gun.clone());
            (p.ad(), Command::DeclareEmpty { firearm: p.blank_gun.clone() })
        }),
        case(R::Decl1, "a performer declares the replica she holds empty", Refused(&[R::Decl1]), |p| {
            p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            (by(&p.performer2), Command::DeclareEmpty { firearm: p.replica.clone() })
        }),
        case(R::Decl1, "the 1st AD unloads and counts", Refused(&[R::Decl1, R::Role1]), |p| {
            p.std_ready();
            (p.ad(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 })
        }),
        case(R::Decl1, "no override exists for R-DECL-1", Refused(&[R::Decl1]), |p| override_of(p, R::Decl1)),
        case(R::Decl1, "the armorer declares a firearm empty", Allowed("firearm.declared_empty"), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::DeclareEmpty { firearm: p.blank_gun.clone() })
        }),
        case(R::Decl1, "the armorer loads what the plan calls for", Allowed("firearm.loaded"), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Decl1, "the armorer unloads and counts", Allowed("firearm.unloaded"), |p| {
            p.std_ready();
            (p.arm(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 })
        }),
    ]
}

/// R-MEET-1 (a signed-off safety meeting before issue), R-MEET-2 (its agenda, sign-in and
/// sign-off), R-MEET-3 (a new meeting when the plan changes), R-MEET-4 (bulletin and
/// compliance contact on the call sheet: an alert).
pub(crate) fn meeting_cases() -> Vec<Case> {
    vec![
        case(R::Meet1, "a meeting held again and not yet signed off", Refused(&[R::Meet1]), |p| {
            let sc = p.std_ready();
            p.run_steps(&sc, &[Step::Meeting], true);
            p.std_hand(&sc)
        }),
        case(R::Meet1, "signing off a meeting that was never held", Refused(&[R::Meet1]), |p| {
            let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
            (p.arm(), Command::SignOffMeeting { scene: sc })
        }),
        case(R::Meet1, "marking ready without the 1st AD's sign-off", Refused(&[R::Meet1]), |p| {
            let plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            let sc = p.prepare(plan, &[Step::SignAd], Some(Step::Ready));
            (p.arm(), Command::MarkSceneReady { scene: sc })
        }),
        case(R::Meet1, "the 1st AD signs off the meeting", Allowed("meeting.signed_off"), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::SignAd);
            (p.ad(), Command::SignOffMeeting { scene: sc })
        }),
        case(R::Meet1, "a hand-off after the signed-off meeting", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.std_hand(&sc)
        }),
        case(R::Meet1, "a crew member signs off a meeting never held", Refused(&[R::Meet1, R::Meet2]), |p| {
            let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
            (by(&p.crew), Command::SignOffMeeting { scene: sc })
        }),
        // #16: R-MEET-1 per shoot day.
        case(R::Meet1, "marking ready after a meeting held before the day was opened", Refused(&[R::Meet1]), |p| {
            let sc = meeting_before_the_day(p);
            (p.arm(), Command::MarkSceneReady { scene: sc })
        }),
        case(
            R::Meet1,
            "marking ready after the meeting is held again on the day",
            Allowed("scene.marked_ready"),
            |p| {
                let sc = meeting_before_the_day(p);
                p.run_steps(&sc, &[Step::Meeting, Step::SignArmorer, Step::SignAd], true);
                (p.arm(), Command::MarkSceneReady { scene: sc })
            },
        ),
        case(R::Meet1, "calling a scene whose only meeting was the day before", Refused(&[R::Meet1, R::Staff2]), |p| {
            let sc = scene_met_yesterday(p);
            (p.ad(), Command::CallScene { scene: sc })
        }),
        case(
            R::Meet1,
            "a hand-off on the scene's day after a meeting the day before",
            Refused(&[R::Meet1, R::Hand6, R::Check1, R::Check2, R::Decl1]),
            |p| {
                let sc = scene_met_yesterday(p);
                p.run_steps(&sc, &[Step::Attest], true);
                p.std_hand(&sc)
            },
        ),
        // R-MEET-2
        case(R::Meet2, "a meeting without the abort plan", Refused(&[R::Meet2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Meeting);
            let mut a = agenda();
            a.abort_plan = " ".into();
            (p.arm(), Command::HoldMeeting { scene: sc, agenda: a, attendees: [p.performer.clone()].into() })
        }),
        case(R::Meet2, "the performer did not sign in", Refused(&[R::Meet2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Meeting);
            (p.arm(), Command::HoldMeeting { scene: sc, agenda: agenda(), attendees: [p.first_ad.clone()].into() })
        }),
        case(R::Meet2, "a crew member runs the safety meeting", Refused(&[R::Meet2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Meeting);
            (by(&p.crew), Command::HoldMeeting { scene: sc, agenda: agenda(), attendees: [p.performer.clone()].into() })
        }),
        case(R::Meet2, "the safety advisor signs off the meeting", Refused(&[R::Meet2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::SignArmorer);
            (by(&p.safety), Command::SignOffMeeting { scene: sc })
        }),
        case(R::Meet2, "the 1st AD runs a complete meeting", Allowed("meeting.held"), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Meeting);
            (p.ad(), Command::HoldMeeting { scene: sc, agenda: agenda(), attendees: [p.performer.clone()].into() })
        }),
        // R-MEET-3
        case(
            R::Meet3,
            "a hand-off after the plan changed, re-approved, no new meeting",
            Refused(&[R::Meet3, R::Hand6]),
            |p| {
                // The revision also sends the scene back to planning, so it is not called.
                let sc = p.std_ready();
                let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
                plan.items[0].closest_person_cm = Some(900);
                p.revise(&sc, plan);
                p.run_steps(&sc, &[Step::ApproveArmorer, Step::ApproveAd, Step::ApproveSafety], true);
                p.std_hand(&sc)
            },
        ),
        case(R::Meet3, "signing off a meeting held for an earlier plan", Refused(&[R::Meet3]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::SignArmorer);
            p.revise(&sc, take_plan(&p.blank_gun, &p.performer, full_blanks()));
            (p.arm(), Command::SignOffMeeting { scene: sc })
        }),
        case(R::Meet3, "calling a scene after the plan changed", Refused(&[R::Meet3, R::Staff2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Call);
            p.revise(&sc, take_plan(&p.blank_gun, &p.performer, full_blanks()));
            p.run_steps(&sc, &[Step::ApproveArmorer, Step::ApproveAd, Step::ApproveSafety], true);
            (p.ad(), Command::CallScene { scene: sc })
        }),
        case(R::Meet3, "a hand-off after a new meeting for the revised plan", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            plan.items[0].closest_person_cm = Some(900);
            p.revise(&sc, plan);
            p.redo(&sc);
            p.std_hand(&sc)
        }),
        // R-MEET-4
        case(R::Meet4, "a call sheet without the safety bulletin", Alerted(&[R::Meet4]), |p| {
            let mut sheet = call_sheet();
            sheet.safety_bulletin_attached = false;
            (p.arm(), Command::OpenDay { call_sheet: sheet, counts: p.full_count() })
        }),
        case(R::Meet4, "a call sheet without the compliance contact", Alerted(&[R::Meet4]), |p| {
            let mut sheet = call_sheet();
            sheet.compliance_contact_shown = false;
            (p.arm(), Command::OpenDay { call_sheet: sheet, counts: p.full_count() })
        }),
        case(R::Meet4, "a call sheet with both", Allowed("day.opened"), |p| {
            (p.arm(), Command::OpenDay { call_sheet: call_sheet(), counts: p.full_count() })
        }),
    ]
}

/// Scene plans: R-REC-1 (a written risk assessment; approved by the armorer, the 1st AD and,
/// under california-2025, the safety advisor), R-REH-1 (replicas in rehearsal unless a reason
/// is recorded), R-AIM-1 (consultation and mitigation when aiming at people or the camera),
/// R-CAM-1 (camera protection when firing toward camera), R-DIST-1 (20 ft from the muzzle line
/// with blanks), R-DIST-2 (protection for people near blank fire), R-MED-1 (a medic on the
/// call sheet for blank fire).
pub(crate) fn plan_cases() -> Vec<Case> {
    fn plan_cmd(plan: ScenePlan) -> Command {
        Command::PlanScene { number: "12".into(), description: "church standoff".into(), day: TODAY, plan }
    }
    fn real_in_rehearsal(p: &Prod, reason: Option<&str>) -> (Actor, Command) {
        let mut i = item(&p.real_gun, &p.performer, PlannedLoad::Dummies);
        i.real_firearm_reason = reason.map(str::to_owned);
        (p.ad(), plan_cmd(plan_of(SceneKind::Rehearsal, vec![i])))
    }
    fn aimed(p: &Prod, load: PlannedLoad, f: fn(&mut PlanItem)) -> (Actor, Command) {
        let mut i = item(&p.blank_gun, &p.performer, load);
        f(&mut i);
        (p.ad(), plan_cmd(plan_of(SceneKind::Take, vec![i])))
    }
    fn near_blanks(p: &mut Prod, protection: Option<Protection>) -> (Actor, Command) {
        p.credit(p.crew.clone(), safety_course());
        let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
        plan.line_of_fire.insert(p.crew.clone());
        plan.protection.extend(protection);
        (p.ad(), plan_cmd(plan))
    }
    fn no_medic() -> CallSheet {
        CallSheet { medics: Vec::new(), ..call_sheet() }
    }
    vec![
        case(R::Reh1, "a real firearm in rehearsal without a recorded reason", Refused(&[R::Reh1]), |p| {
            real_in_rehearsal(p, None)
        }),
        case(R::Reh1, "a real firearm in rehearsal with a blank reason", Refused(&[R::Reh1]), |p| {
            real_in_rehearsal(p, Some("   "))
        }),
        case(R::Reh1, "a real firearm in rehearsal with the reason recorded", Allowed("scene.planned"), |p| {
            real_in_rehearsal(p, Some("the ejection has to be timed with the camera move"))
        }),
        case(R::Reh1, "a replica in rehearsal needs no reason", Allowed("scene.planned"), |p| {
            (p.ad(), plan_cmd(plan_of(SceneKind::Rehearsal, vec![item(&p.replica, &p.performer, PlannedLoad::Empty)])))
        }),
        // R-AIM-1
        case(R::Aim1, "pointed at a person, the armorer not consulted", Refused(&[R::Aim1]), |p| {
            aimed(p, PlannedLoad::Dummies, |i| {
                i.toward_person = true;
                i.mitigations = vec![Mitigation::CheatedAngle];
            })
        }),
        case(R::Aim1, "pointed at a person, consulted, no mitigation", Refused(&[R::Aim1]), |p| {
            aimed(p, PlannedLoad::Dummies, |i| {
                i.toward_person = true;
                i.armorer_consulted = true;
            })
        }),
        case(R::Aim1, "pointed at the camera with nothing recorded", Refused(&[R::Aim1]), |p| {
            aimed(p, PlannedLoad::Dummies, |i| i.toward_camera = true)
        }),
        case(R::Aim1, "pointed at a person with consultation and a cheated angle", Allowed("scene.planned"), |p| {
            aimed(p, PlannedLoad::Dummies, |i| {
                i.toward_person = true;
                i.armorer_consulted = true;
                i.mitigations = vec![Mitigation::CheatedAngle];
            })
        }),
        // R-CAM-1
        case(R::Cam1, "blanks toward camera, neither shield nor remote camera", Refused(&[R::Cam1]), |p| {
            aimed(p, quarter_blanks(), |i| {
                i.toward_camera = true;
                i.armorer_consulted = true;
                i.mitigations = vec![Mitigation::Distance];
            })
        }),
        case(R::Cam1, "blanks toward camera with the crew behind a shield", Allowed("scene.planned"), |p| {
            aimed(p, quarter_blanks(), |i| {
                i.toward_camera = true;
                i.armorer_consulted = true;
                i.mitigations = vec![Mitigation::Shield];
                i.camera_protection = Some(CameraProtection::Shield);
            })
        }),
        case(R::Cam1, "dummies toward camera need no camera protection", Allowed("scene.planned"), |p| {
            aimed(p, PlannedLoad::Dummies, |i| {
                i.toward_camera = true;
                i.armorer_consulted = true;
                i.mitigations = vec![Mitigation::CheatedAngle];
            })
        }),
        // R-DIST-1
        case(R::Dist1, "blanks with no distance recorded", Refused(&[R::Dist1]), |p| {
            aimed(p, quarter_blanks(), |i| i.closest_person_cm = None)
        }),
        case(R::Dist1, "blanks with someone 609 cm from the muzzle line", Refused(&[R::Dist1]), |p| {
            aimed(p, quarter_blanks(), |i| i.closest_person_cm = Some(609))
        }),
        case(R::Dist1, "blanks with nobody within 610 cm", Allowed("scene.planned"), |p| {
            aimed(p, quarter_blanks(), |i| i.closest_person_cm = Some(610))
        }),
        case(R::Dist1, "blanks at 3 m with a special close-range load approved", Allowed("scene.planned"), |p| {
            aimed(p, quarter_blanks(), |i| {
                i.closest_person_cm = Some(300);
                i.close_range_load_approved = true;
            })
        }),
        case(R::Dist1, "dummies need no distance", Allowed("scene.planned"), |p| {
            aimed(p, PlannedLoad::Dummies, |i| i.closest_person_cm = None)
        }),
        // R-DIST-2
        case(R::Dist2, "crew near blank fire with no protection recorded", Refused(&[R::Dist2]), |p| {
            near_blanks(p, None)
        }),
        case(R::Dist2, "crew near blank fire with eye protection only", Refused(&[R::Dist2]), |p| {
            let crew = p.crew.clone();
            near_blanks(p, Some(Protection { person: crew, shield: true, eye: true, hearing: false }))
        }),
        case(R::Dist2, "crew near blank fire with eye and hearing protection", Allowed("scene.planned"), |p| {
            let crew = p.crew.clone();
            near_blanks(p, Some(Protection { person: crew, shield: false, eye: true, hearing: true }))
        }),
        // R-MED-1
        case(R::Med1, "loading blanks on a day with no medic on the call sheet", Refused(&[R::Med1]), |p| {
            p.open_day_with(no_medic());
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(
            R::Med1,
            "a hand-off of a gun loaded with blanks once the medic left the call sheet",
            Refused(&[R::Med1]),
            |p| {
                let sc = p.std_ready();
                p.close_day();
                p.open_day_with(no_medic());
                p.std_hand(&sc)
            },
        ),
        case(R::Med1, "dummies on a day with no medic", Allowed("firearm.handed_off"), |p| {
            p.open_day_with(no_medic());
            let sc = p.ready(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
            p.std_hand(&sc)
        }),
        case(R::Med1, "blanks with a medic on the call sheet", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.std_hand(&sc)
        }),
    ]
}

/// R-REC-1 (risk assessment and approvals), R-REC-3 (disposition is recorded; a disposed
/// firearm is out), R-REC-6 (corrections reference an existing record).
pub(crate) fn reh2_rec_cases() -> Vec<Case> {
    use coldset_domain::reports::IncidentKind;
    vec![
        // R-REH-2: named whenever a real firearm in rehearsal fails a check a take needs.
        case(
            R::Reh2,
            "a real firearm in rehearsal without the 1st AD's demonstration",
            Refused(&[R::Check1, R::Reh2]),
            |p| {
                let (plan, fa, to) = rehearsal_with_a_real_firearm(p);
                let sc = p.prepare(plan, &[Step::Demonstrate], None);
                (p.arm(), hand_off(&fa, &to, &sc))
            },
        ),
        case(R::Reh2, "a real firearm in rehearsal after every step of a take", Allowed("firearm.handed_off"), |p| {
            let (plan, fa, to) = rehearsal_with_a_real_firearm(p);
            let sc = p.prepare(plan, &[], None);
            (p.arm(), hand_off(&fa, &to, &sc))
        }),
        // R-REC-4: training and competence records name what they are.
        case(R::Rec4, "recording a permit with no number or issuer", Refused(&[R::Rec4]), |p| {
            let mut cred = credential(CredentialKind::Permit, TODAY, &[FirearmKind::BlankAdapted]);
            cred.number = " ".into();
            cred.issuer = String::new();
            (p.admin.clone(), Command::RecordCredential { person: p.crew.clone(), credential: cred })
        }),
        case(R::Rec4, "recording a permit that covers no weapon kind", Refused(&[R::Rec4]), |p| {
            let cred = credential(CredentialKind::Permit, TODAY, &[]);
            (p.admin.clone(), Command::RecordCredential { person: p.crew.clone(), credential: cred })
        }),
        case(R::Rec4, "recording a safety course with its number and issuer", Allowed("credential.recorded"), |p| {
            (p.admin.clone(), Command::RecordCredential { person: p.crew.clone(), credential: safety_course() })
        }),
        // R-REC-5: the misfire and discharge log keeps causes.
        case(R::Rec5, "the armorer signs an investigation with no cause", Refused(&[R::Rec5]), |p| {
            let id = incident(p, IncidentKind::Misfire, Some(30));
            (
                p.arm(),
                Command::SignInvestigation {
                    incident: id,
                    cause: " ".into(),
                    corrective_action: "lot quarantined".into(),
                },
            )
        }),
        case(R::Rec5, "the 1st AD signs an investigation with no cause", Refused(&[R::Misf2, R::Rec5]), |p| {
            let id = incident(p, IncidentKind::Misfire, Some(30));
            (p.ad(), Command::SignInvestigation { incident: id, cause: String::new(), corrective_action: "x".into() })
        }),
        case(
            R::Rec5,
            "the armorer signs with cause and corrective action",
            Allowed("incident.investigation_signed"),
            |p| {
                let id = incident(p, IncidentKind::Misfire, Some(30));
                (
                    p.arm(),
                    Command::SignInvestigation {
                        incident: id,
                        cause: "weak primer".into(),
                        corrective_action: "lot quarantined".into(),
                    },
                )
            },
        ),
    ]
}

pub(crate) fn record_cases() -> Vec<Case> {
    fn disposed(p: &mut Prod, fa: FirearmId) {
        p.take(fa.clone());
        let arm = p.arm();
        p.w.ok(
            &arm,
            Command::DisposeFirearm { firearm: fa, disposition: DispositionKind::Destroyed, to: rental_house() },
        );
    }
    vec![
        case(R::Rec1, "a plan with no written risk assessment", Refused(&[R::Rec1]), |p| {
            let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            plan.risk_assessment = "  ".into();
            (p.ad(), Command::PlanScene { number: "3".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(R::Rec1, "a plan with its risk assessment", Allowed("scene.planned"), |p| {
            let plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            (p.ad(), Command::PlanScene { number: "3".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(R::Rec1, "a crew member approves the plan", Refused(&[R::Rec1]), |p| {
            let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
            (by(&p.crew), Command::ApprovePlan { scene: sc, version: 1 })
        }),
        case(R::Rec1, "the safety advisor approves the plan", Allowed("scene.plan_approved"), |p| {
            let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
            (by(&p.safety), Command::ApprovePlan { scene: sc, version: 1 })
        }),
        case(
            R::Rec1,
            "california-2025: marking ready without the safety advisor's approval",
            Refused(&[R::Rec1]),
            |p| {
                let plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
                let sc = p.prepare(plan, &[Step::ApproveSafety], Some(Step::Ready));
                (p.arm(), Command::MarkSceneReady { scene: sc })
            },
        ),
        case(
            R::Rec1,
            "a hand-off once california-2025 requires the safety advisor's approval",
            Refused(&[R::Rec1]),
            |p| {
                p.set_policy(&["industry-us"]);
                let sc =
                    p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::ApproveSafety);
                p.set_policy(&["industry-us", "california-2025"]);
                p.std_hand(&sc)
            },
        ),
        case(R::Rec1, "industry-us: armorer and 1st AD approvals suffice", Allowed("firearm.handed_off"), |p| {
            p.set_policy(&["industry-us"]);
            let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::ApproveSafety);
            p.std_hand(&sc)
        }),
        // R-REC-3
        case(R::Rec3, "handing off a disposed firearm", Refused(&[R::Rec3]), |p| {
            disposed(p, p.blank_gun.clone());
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone(), scene: None })
        }),
        case(R::Rec3, "storing a disposed firearm", Refused(&[R::Rec3]), |p| {
            disposed(p, p.blank_gun.clone());
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Rec3, "withdrawing a disposed firearm", Refused(&[R::Rec3]), |p| {
            disposed(p, p.blank_gun.clone());
            (p.arm(), Command::WithdrawFirearm { firearm: p.blank_gun.clone(), reason: "x".into() })
        }),
        case(R::Rec3, "disposing of a firearm twice", Refused(&[R::Rec3]), |p| {
            disposed(p, p.blank_gun.clone());
            (
                p.arm(),
                Command::DisposeFirearm {
                    firearm: p.blank_gun.clone(),
                    disposition: DispositionKind::Transferred,
                    to: rental_house(),
                },
            )
        }),
        case(R::Rec3, "planning a scene with a disposed firearm", Refused(&[R::Rec3]), |p| {
            disposed(p, p.blank_gun.clone());
            let plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            (p.ad(), Command::PlanScene { number: "12".into(), description: "saloon".into(), day: TODAY, plan })
        }),
        case(R::Rec3, "the assistant armorer disposes of a firearm she holds", Refused(&[R::Rec3]), |p| {
            p.transfer(p.replica.clone(), p.assistant.clone());
            (
                by(&p.assistant),
                Command::DisposeFirearm {
                    firearm: p.replica.clone(),
                    disposition: DispositionKind::ReturnedToRentalHouse,
                    to: rental_house(),
                },
            )
        }),
        case(R::Rec3, "the armorer disposes of a firearm she does not hold", Refused(&[R::Role1]), |p| {
            (
                p.arm(),
                Command::DisposeFirearm {
                    firearm: p.replica.clone(),
                    disposition: DispositionKind::ReturnedToRentalHouse,
                    to: rental_house(),
                },
            )
        }),
        case(
            R::Rec3,
            "the armorer returns a firearm she holds to the rental house",
            Allowed("firearm.disposed"),
            |p| {
                p.take(p.replica.clone());
                (
                    p.arm(),
                    Command::DisposeFirearm {
                        firearm: p.replica.clone(),
                        disposition: DispositionKind::ReturnedToRentalHouse,
                        to: rental_house(),
                    },
                )
            },
        ),
        // Changed: a withdrawn firearm can be taken out (for maintenance) to be disposed of.
        case(
            R::Rec3,
            "the armorer returns a withdrawn firearm to the rental house",
            Allowed("firearm.disposed"),
            |p| {
                p.withdraw(p.blank_gun.clone());
                p.take(p.blank_gun.clone());
                (
                    p.arm(),
                    Command::DisposeFirearm {
                        firearm: p.blank_gun.clone(),
                        disposition: DispositionKind::ReturnedToRentalHouse,
                        to: rental_house(),
                    },
                )
            },
        ),
        // R-REC-6
        case(R::Rec6, "correcting a record that does not exist yet", Refused(&[R::Rec6]), |p| {
            let next = p.w.state.next_seq();
            (
                p.arm(),
                Command::CorrectFirearmDetails {
                    firearm: p.real_gun.clone(),
                    corrects_seq: next,
                    reason: "typo".into(),
                    make: "Colt".into(),
                    model: "SAA".into(),
                    serial: "R-201".into(),
                    calibre: CALIBRE.into(),
                },
            )
        }),
        case(R::Rec6, "a performer corrects firearm details", Refused(&[R::Rec6]), |p| {
            (
                by(&p.performer),
                Command::CorrectFirearmDetails {
                    firearm: p.real_gun.clone(),
                    corrects_seq: 1,
                    reason: "typo".into(),
                    make: "Colt".into(),
                    model: "SAA".into(),
                    serial: "R-201".into(),
                    calibre: CALIBRE.into(),
                },
            )
        }),
        case(
            R::Rec6,
            "the armorer corrects the serial recorded at intake",
            Allowed("firearm.details_corrected"),
            |p| {
                let received =
                    p.w.log
                        .iter()
                        .find(|e| matches!(&e.event, Event::FirearmReceived { firearm, .. } if *firearm == p.real_gun))
                        .unwrap()
                        .seq;
                (
                    p.arm(),
                    Command::CorrectFirearmDetails {
                        firearm: p.real_gun.clone(),
                        corrects_seq: received,
                        reason: "digits swapped at intake".into(),
                        make: "Colt".into(),
                        model: "Single Action Army".into(),
                        serial: "R-201".into(),
                        calibre: CALIBRE.into(),
                    },
                )
            },
        ),
    ]
}

/// A follow-up key's hash, as the application passes it (the key itself never reaches the
/// domain).
pub(crate) fn key_hash() -> String {
    "ab".repeat(32)
}

pub(crate) fn file_report(severity: coldset_domain::reports::Severity) -> Command {
    Command::FileReport {
        severity,
        text: "guns left on the cart over lunch".into(),
        subject: None,
        reporter_name: None,
        followup_key_hash: key_hash(),
        photos: Vec::new(),
    }
}

/// Anyone files a safety report (no account needed); returns its id.
pub(crate) fn filed(p: &mut Prod, severity: coldset_domain::reports::Severity) -> u64 {
    p.w.ok(&Actor::Anonymous, file_report(severity));
    p.w.log.last().unwrap().seq
}

/// The armorer reports an incident for the standard firearm; returns its id.
pub(crate) fn incident(p: &mut Prod, kind: coldset_domain::reports::IncidentKind, wait_seconds: Option<u32>) -> u64 {
    let arm = p.arm();
    let events = p.w.ok(
        &arm,
        Command::ReportIncident {
            kind,
            firearm: Some(p.blank_gun.clone()),
            scene: None,
            description: "click, no bang, on the second shot".into(),
            wait_seconds,
        },
    );
    assert_eq!(events.first().map(Event::kind), Some("incident.reported"));
    p.w.log.iter().rev().find(|e| matches!(e.event, Event::IncidentReported { .. })).unwrap().seq
}

/// Safety reports and incidents (reports.rs): R-COMP-1 (reports are acknowledged, answered and
/// closed with a corrective action by the people responsible), R-COMP-2 (a critical report
/// stops firearm work until the safety advisor reviews it), R-MISF-1 (the wait after a
/// misfire: an alert), R-MISF-2 (a misfire stops firearm issue until the investigation is
/// closed and a new meeting held), R-INC-2 (an incident freezes what was on set until the
/// safety advisor releases it), R-NOTIF-1 (the studio safety office is told before firearms
/// are used).
pub(crate) fn report_cases() -> Vec<Case> {
    use coldset_domain::reports::{Authority, IncidentKind, Severity};
    vec![
        case(R::Comp1, "a crew member acknowledges a safety report", Refused(&[R::Comp1]), |p| {
            let id = filed(p, Severity::Concern);
            (by(&p.crew), Command::AcknowledgeReport { report: id })
        }),
        case(R::Comp1, "the safety advisor acknowledges a safety report", Allowed("report.acknowledged"), |p| {
            let id = filed(p, Severity::Concern);
            (by(&p.safety), Command::AcknowledgeReport { report: id })
        }),
        case(R::Comp1, "a crew member answers a safety report", Refused(&[R::Comp1]), |p| {
            let id = filed(p, Severity::Concern);
            (by(&p.crew), Command::AnswerReport { report: id, text: "noted".into() })
        }),
        case(R::Comp1, "the armorer answers a safety report", Allowed("report.answered"), |p| {
            let id = filed(p, Severity::Concern);
            (p.arm(), Command::AnswerReport { report: id, text: "the cart is now locked at lunch".into() })
        }),
        case(R::Comp1, "closing a report nobody acknowledged", Refused(&[R::Comp1]), |p| {
            let id = filed(p, Severity::Concern);
            (by(&p.safety), Command::CloseReport { report: id, corrective_action: "cart locked".into() })
        }),
        case(R::Comp1, "closing a report without a corrective action", Refused(&[R::Comp1]), |p| {
            let id = filed(p, Severity::Concern);
            p.w.ok(&by(&p.safety), Command::AcknowledgeReport { report: id });
            (by(&p.safety), Command::CloseReport { report: id, corrective_action: " ".into() })
        }),
        case(R::Comp1, "the armorer closes a safety report", Refused(&[R::Comp1]), |p| {
            let id = filed(p, Severity::Concern);
            p.w.ok(&by(&p.safety), Command::AcknowledgeReport { report: id });
            (p.arm(), Command::CloseReport { report: id, corrective_action: "cart locked".into() })
        }),
        case(R::Comp1, "the producer closes an acknowledged report", Allowed("report.closed"), |p| {
            let id = filed(p, Severity::Concern);
            p.w.ok(&by(&p.safety), Command::AcknowledgeReport { report: id });
            (by(&p.producer), Command::CloseReport { report: id, corrective_action: "cart locked at lunch".into() })
        }),
        // R-COMP-2
        case(R::Comp2, "a hand-off while a critical report waits for review", Refused(&[R::Comp2]), |p| {
            let sc = p.std_ready();
            filed(p, Severity::Critical);
            p.std_hand(&sc)
        }),
        case(
            R::Comp2,
            "a hand-off once the safety advisor reviewed the critical report",
            Allowed("firearm.handed_off"),
            |p| {
                let sc = p.std_ready();
                let id = filed(p, Severity::Critical);
                p.w.ok(
                    &by(&p.safety),
                    Command::ReviewReport { report: id, note: "walked the set; cart locked".into() },
                );
                p.std_hand(&sc)
            },
        ),
        case(R::Comp2, "a concern (not critical) does not stop the hand-off", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            filed(p, Severity::Concern);
            p.std_hand(&sc)
        }),
        case(R::Comp2, "taking a firearm out for a scene while a critical report waits", Refused(&[R::Comp2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
            filed(p, Severity::Critical);
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
        }),
        case(R::Comp2, "the producer reviews a critical report", Refused(&[R::Comp2]), |p| {
            let id = filed(p, Severity::Critical);
            (by(&p.producer), Command::ReviewReport { report: id, note: "fine".into() })
        }),
        case(R::Comp2, "closing a critical report before the review", Refused(&[R::Comp2]), |p| {
            let id = filed(p, Severity::Critical);
            p.w.ok(&by(&p.safety), Command::AcknowledgeReport { report: id });
            (by(&p.safety), Command::CloseReport { report: id, corrective_action: "cart locked".into() })
        }),
        case(R::Comp2, "the safety advisor reviews a critical report", Allowed("report.reviewed"), |p| {
            let id = filed(p, Severity::Critical);
            (by(&p.safety), Command::ReviewReport { report: id, note: "checked the cart".into() })
        }),
        // R-MISF-1
        case(R::Misf1, "a misfire recorded with a 10-second wait", Alerted(&[R::Misf1]), |p| {
            p.std_ready();
            (
                p.arm(),
                Command::ReportIncident {
                    kind: IncidentKind::Misfire,
                    firearm: Some(p.blank_gun.clone()),
                    scene: None,
                    description: "click, no bang".into(),
                    wait_seconds: Some(10),
                },
            )
        }),
        case(R::Misf1, "a misfire recorded after the 30-second wait", Allowed("incident.reported"), |p| {
            p.std_ready();
            (
                p.arm(),
                Command::ReportIncident {
                    kind: IncidentKind::Misfire,
                    firearm: Some(p.blank_gun.clone()),
                    scene: None,
                    description: "click, no bang".into(),
                    wait_seconds: Some(30),
                },
            )
        }),
        // R-MISF-2
        case(R::Misf2, "a hand-off of another firearm while a misfire is investigated", Refused(&[R::Misf2]), |p| {
            let sc = p.ready(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            // The misfire happened with the real revolver, in the safe by now: nothing else
            // is frozen, but all firearm issue is stopped.
            let arm = p.arm();
            p.w.ok(
                &arm,
                Command::ReportIncident {
                    kind: IncidentKind::Misfire,
                    firearm: Some(p.real_gun.clone()),
                    scene: None,
                    description: "misfire at the range check".into(),
                    wait_seconds: Some(30),
                },
            );
            let release = p.w.log.last().unwrap().seq;
            p.w.ok(&by(&p.safety), Command::ReleaseEvidence { incident: release, note: "photographed".into() });
            (p.arm(), hand_off(&p.replica, &p.performer2, &sc))
        }),
        case(R::Misf2, "a hand-off after the investigation closed, before a new meeting", Refused(&[R::Misf2]), |p| {
            let sc = p.std_ready();
            let id = incident(p, IncidentKind::Misfire, Some(30));
            investigated(p, id);
            p.std_hand(&sc)
        }),
        case(
            R::Misf2,
            "a hand-off after the investigation and a new safety meeting",
            Allowed("firearm.handed_off"),
            |p| {
                let sc = p.std_ready();
                let id = incident(p, IncidentKind::Misfire, Some(30));
                investigated(p, id);
                p.run_steps(&sc, &[Step::Meeting, Step::SignArmorer, Step::SignAd], true);
                p.std_hand(&sc)
            },
        ),
        // #15: only a new, signed-off meeting for the scene, attended by the people concerned,
        // lifts the stop.
        case(R::Misf2, "a new meeting for another scene lifts nothing", Refused(&[R::Misf2]), |p| {
            let sc = p.std_ready();
            let id = scene_incident(p, &sc);
            investigated(p, id);
            let other = p.prepare(take_plan(&p.replica, &p.performer2, PlannedLoad::Empty), &[], Some(Step::TakeOut));
            assert!(p.w.state.scenes[&other].meeting_current());
            p.std_hand(&sc)
        }),
        case(R::Misf2, "a new meeting not yet signed off lifts nothing", Refused(&[R::Misf2, R::Meet1]), |p| {
            let sc = p.std_ready();
            let id = scene_incident(p, &sc);
            investigated(p, id);
            p.run_steps(&sc, &[Step::Meeting], true);
            p.std_hand(&sc)
        }),
        case(R::Misf2, "a new meeting without the crew in the line of fire", Refused(&[R::Misf2]), |p| {
            let mut plan = take_plan(&p.blank_gun, &p.performer, PlannedLoad::Dummies);
            plan.line_of_fire.insert(p.performer2.clone());
            let sc = p.prepare(plan, &[], None);
            let id = scene_incident(p, &sc);
            investigated(p, id);
            let attendees = [p.performer.clone(), p.armorer.clone(), p.first_ad.clone()].into();
            let arm = p.arm();
            p.w.ok(&arm, Command::HoldMeeting { scene: sc.clone(), agenda: agenda(), attendees });
            p.run_steps(&sc, &[Step::SignArmorer, Step::SignAd], true);
            (p.arm(), hand_off(&p.blank_gun, &p.performer, &sc))
        }),
        case(
            R::Misf2,
            "a new meeting for the scene with everyone in the line of fire",
            Allowed("firearm.handed_off"),
            |p| {
                let mut plan = take_plan(&p.blank_gun, &p.performer, PlannedLoad::Dummies);
                plan.line_of_fire.insert(p.performer2.clone());
                let sc = p.prepare(plan, &[], None);
                let id = scene_incident(p, &sc);
                investigated(p, id);
                p.run_steps(&sc, &[Step::Meeting, Step::SignArmorer, Step::SignAd, Step::Shown, Step::Attest], true);
                (p.arm(), hand_off(&p.blank_gun, &p.performer, &sc))
            },
        ),
        case(R::Misf2, "the 1st AD signs the investigation", Refused(&[R::Misf2]), |p| {
            p.std_ready();
            let id = incident(p, IncidentKind::Misfire, Some(30));
            (p.ad(), Command::SignInvestigation { incident: id, cause: "x".into(), corrective_action: "y".into() })
        }),
        case(R::Misf2, "the safety advisor signs the investigation", Allowed("incident.investigation_signed"), |p| {
            p.std_ready();
            let id = incident(p, IncidentKind::Misfire, Some(30));
            (
                by(&p.safety),
                Command::SignInvestigation {
                    incident: id,
                    cause: "weak primer".into(),
                    corrective_action: "lot quarantined".into(),
                },
            )
        }),
        case(R::Misf2, "no override exists for R-MISF-2", Refused(&[R::Misf2]), |p| override_of(p, R::Misf2)),
        // R-INC-2
        case(R::Inc2, "a hand-off of a firearm held as evidence", Refused(&[R::Inc2]), |p| {
            let sc = p.std_ready();
            incident(p, IncidentKind::LostRound, None);
            p.std_hand(&sc)
        }),
        case(R::Inc2, "storing a firearm held as evidence", Refused(&[R::Inc2]), |p| {
            p.take(p.blank_gun.clone());
            incident(p, IncidentKind::LostRound, None);
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Inc2, "moving rounds out of a container held as evidence", Refused(&[R::Inc2]), |p| {
            p.take_ct(p.dummies.clone());
            incident(p, IncidentKind::LostRound, None);
            (p.arm(), Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 1 })
        }),
        // #16: a transport moves what it carries; so does an unload and a repair.
        case(R::Inc2, "transporting a firearm and a box held as evidence", Refused(&[R::Inc2]), |p| {
            p.take(p.blank_gun.clone());
            p.take_ct(p.dummies.clone());
            incident(p, IncidentKind::LostRound, None);
            (p.arm(), transport(vec![p.blank_gun.clone()], vec![p.dummies.clone()]))
        }),
        case(R::Inc2, "repairing a firearm held as evidence", Refused(&[R::Inc2]), |p| {
            p.take(p.blank_gun.clone());
            p.withdraw(p.blank_gun.clone());
            incident(p, IncidentKind::LostRound, None);
            (p.arm(), p.repair(p.blank_gun.clone()))
        }),
        case(R::Inc2, "transporting them once the evidence is released", Allowed("transport.recorded"), |p| {
            p.take(p.blank_gun.clone());
            p.take_ct(p.dummies.clone());
            let id = incident(p, IncidentKind::LostRound, None);
            p.w.ok(&by(&p.safety), Command::ReleaseEvidence { incident: id, note: "photographed".into() });
            (p.arm(), transport(vec![p.blank_gun.clone()], vec![p.dummies.clone()]))
        }),
        case(R::Inc2, "the armorer releases the evidence", Refused(&[R::Inc2]), |p| {
            p.take(p.blank_gun.clone());
            let id = incident(p, IncidentKind::LostRound, None);
            (p.arm(), Command::ReleaseEvidence { incident: id, note: "done".into() })
        }),
        case(R::Inc2, "the safety advisor releases the evidence", Allowed("incident.evidence_released"), |p| {
            p.take(p.blank_gun.clone());
            let id = incident(p, IncidentKind::LostRound, None);
            (by(&p.safety), Command::ReleaseEvidence { incident: id, note: "photographed and counted".into() })
        }),
        case(R::Inc2, "storing the firearm once the evidence is released", Allowed("firearm.stored"), |p| {
            p.take(p.blank_gun.clone());
            let id = incident(p, IncidentKind::LostRound, None);
            p.w.ok(&by(&p.safety), Command::ReleaseEvidence { incident: id, note: "photographed".into() });
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        // R-NOTIF-1
        case(R::Notif1, "a crew member records a notice to the studio safety office", Refused(&[R::Notif1]), |p| {
            (
                by(&p.crew),
                Command::RecordAuthorityNotice {
                    authority: Authority::StudioSafetyOffice,
                    date: TODAY,
                    reference: "e-mail".into(),
                },
            )
        }),
        case(
            R::Notif1,
            "the producer records the notice to the studio safety office",
            Allowed("authority.notified"),
            |p| {
                (
                    by(&p.producer),
                    Command::RecordAuthorityNotice {
                        authority: Authority::StudioSafetyOffice,
                        date: TODAY,
                        reference: "e-mail 2026-11-20 to safety@studio".into(),
                    },
                )
            },
        ),
        case(
            R::Notif1,
            "opening a firearm day the studio safety office was not told about",
            Alerted(&[R::Notif1]),
            |p| (p.arm(), Command::OpenDay { call_sheet: call_sheet(), counts: p.full_count() }),
        ),
        case(R::Notif1, "opening a firearm day the studio safety office was told about", Allowed("day.opened"), |p| {
            p.w.ok(
                &by(&p.producer),
                Command::RecordAuthorityNotice {
                    authority: Authority::StudioSafetyOffice,
                    date: TODAY,
                    reference: "e-mail".into(),
                },
            );
            (p.arm(), Command::OpenDay { call_sheet: call_sheet(), counts: p.full_count() })
        }),
        // R-ROLE-5: a production names its compliance contact (checked on a fresh log).
        case(R::Role5, "a production with no compliance contact", Refused(&[R::Role5]), |p| {
            p.w.state = ProductionState::new();
            (
                Actor::Admin { account: "admin".into() },
                Command::CreateProduction {
                    id: ProductionId::parse("fresh").unwrap(),
                    name: "Fresh".into(),
                    time_zone: "UTC".into(),
                    packs: vec!["industry-us".into()],
                    compliance_contact: "  ".into(),
                },
            )
        }),
        case(R::Role5, "a production that names its compliance contact", Allowed("production.created"), |p| {
            p.w.state = ProductionState::new();
            (
                Actor::Admin { account: "admin".into() },
                Command::CreateProduction {
                    id: ProductionId::parse("fresh").unwrap(),
                    name: "Fresh".into(),
                    time_zone: "UTC".into(),
                    packs: vec!["industry-us".into()],
                    compliance_contact: "safety@fresh.example".into(),
                },
            )
        }),
        // R-STORE-6: firearms travel in a locked case with a named escort from the armory.
        case(R::Store6, "moving a firearm without a locked case", Refused(&[R::Store6]), |p| {
            p.take(p.blank_gun.clone());
            (
                p.arm(),
                Command::RecordTransport {
                    firearms: vec![p.blank_gun.clone()],
                    containers: vec![],
                    from: "truck".into(),
                    to: "church set".into(),
                    locked_case: false,
                },
            )
        }),
        case(R::Store6, "a crew member escorting firearms", Refused(&[R::Store6, R::Role1]), |p| {
            p.take(p.blank_gun.clone());
            (
                by(&p.crew),
                Command::RecordTransport {
                    firearms: vec![p.blank_gun.clone()],
                    containers: vec![],
                    from: "truck".into(),
                    to: "church set".into(),
                    locked_case: true,
                },
            )
        }),
        case(R::Store6, "the armorer escorts the firearm in a locked case", Allowed("transport.recorded"), |p| {
            p.take(p.blank_gun.clone());
            (
                p.arm(),
                Command::RecordTransport {
                    firearms: vec![p.blank_gun.clone()],
                    containers: vec![],
                    from: "truck".into(),
                    to: "church set".into(),
                    locked_case: true,
                },
            )
        }),
        // R-INC-1: a death is reported to the regulator within 8 hours; past it, an alert.
        case(R::Inc1, "a death not reported to the regulator after 8 hours", Alerted(&[R::Inc1]), |p| {
            incident(
                p,
                coldset_domain::reports::IncidentKind::Injury {
                    severity: coldset_domain::reports::InjurySeverity::Death,
                },
                None,
            );
            p.w.ctx.now = p.w.ctx.now.plus_minutes(8 * 60 + 1);
            (Actor::System, Command::Tick)
        }),
        case(R::Inc1, "the report to the regulator is recorded", Allowed("incident.regulator_notified"), |p| {
            let id = incident(
                p,
                coldset_domain::reports::IncidentKind::Injury {
                    severity: coldset_domain::reports::InjurySeverity::Death,
                },
                None,
            );
            (by(&p.safety), Command::NotifyRegulator { incident: id, reference: "OSHA call 1-800, ref 4471".into() })
        }),
    ]
}

/// The standard scene with approvals, meeting and sign-offs recorded before the day is
/// opened (so while no shoot day was open), then the day opened and the revolver out and
/// inspected: only the meeting's day is wrong.
pub(crate) fn meeting_before_the_day(p: &mut Prod) -> SceneId {
    let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
    let steps = [
        Step::Competence,
        Step::ApproveArmorer,
        Step::ApproveAd,
        Step::ApproveSafety,
        Step::Meeting,
        Step::SignArmorer,
        Step::SignAd,
        Step::OpenDay,
        Step::TakeOut,
        Step::Inspect,
    ];
    p.run_steps(&sc, &steps, true);
    sc
}

/// The standard scene planned for tomorrow; its meeting is held and signed off today (on
/// today's open day); then the day closes and the clock moves to the scene's day, which is
/// opened, the revolver taken out and inspected. The scene is not marked ready.
pub(crate) fn scene_met_yesterday(p: &mut Prod) -> SceneId {
    let tomorrow = TODAY.tomorrow().unwrap();
    let sc = p.plan_scene_on(take_plan(&p.blank_gun, &p.performer, quarter_blanks()), tomorrow);
    let steps = [
        Step::Competence,
        Step::OpenDay,
        Step::ApproveArmorer,
        Step::ApproveAd,
        Step::ApproveSafety,
        Step::Meeting,
        Step::SignArmorer,
        Step::SignAd,
    ];
    p.run_steps(&sc, &steps, true);
    p.close_day();
    p.w.ctx.now = Timestamp(T0.0 + 24 * 60 * MINUTE_MS);
    p.w.ctx.today = tomorrow;
    p.run_steps(&sc, &[Step::OpenDay, Step::TakeOut, Step::Inspect], true);
    sc
}

/// A misfire of the standard revolver in `scene`, reported by the armorer (it is in her
/// hands, ready); returns its id.
pub(crate) fn scene_incident(p: &mut Prod, scene: &SceneId) -> u64 {
    let arm = p.arm();
    p.w.ok(
        &arm,
        Command::ReportIncident {
            kind: coldset_domain::reports::IncidentKind::Misfire,
            firearm: Some(p.blank_gun.clone()),
            scene: Some(scene.clone()),
            description: "click, no bang, at the rehearsal check".into(),
            wait_seconds: Some(30),
        },
    );
    p.w.log.iter().rev().find(|e| matches!(e.event, Event::IncidentReported { .. })).unwrap().seq
}

/// Under industry-us, the 1st AD is made safety advisor as well (allowed, with an R-ROLE-6
/// alert); returns the 1st AD.
pub(crate) fn ad_advisor(p: &mut Prod) -> PersonId {
    p.set_policy(&["industry-us"]);
    let admin = p.admin.clone();
    let events = p.w.ok(&admin, Command::AssignRole { person: p.first_ad.clone(), role: Role::SafetyAdvisor });
    assert_eq!(alert_rules(&events), vec![R::Role6]);
    p.first_ad.clone()
}

/// Records an event without the decider, as an import or a correction of the log would.
pub(crate) fn import(p: &mut Prod, event: Event) {
    let env = Envelope {
        v: events::ENCODING_VERSION,
        production: p.w.state.production_id().unwrap().clone(),
        seq: p.w.state.next_seq(),
        at: p.w.ctx.now,
        actor: p.admin.clone(),
        event,
        auth: None,
    };
    p.w.state.apply(&env).unwrap();
    p.w.log.push(env);
}

/// A performer whose permit (blank-adapted) ends today and whose safety course is in date.
pub(crate) fn expiring_performer(p: &mut Prod) -> PersonId {
    let perf = p.add_person("Eve Expiring", &[Role::Performer]);
    p.credit(perf.clone(), credential(CredentialKind::Permit, TODAY, &[FirearmKind::BlankAdapted]));
    p.credit(perf.clone(), safety_course());
    perf
}

/// A crew member whose safety course ends on `until`.
pub(crate) fn crew_with_course_until(p: &mut Prod, until: Date) -> PersonId {
    let crew = p.add_person("Gil Grip", &[Role::Crew]);
    p.credit(crew.clone(), credential(CredentialKind::SafetyCourse, until, &[]));
    crew
}

/// The range (the armorer authorised, open) and an approved R-AMMO-1 exception for range
/// training there, today and tomorrow; returns the range.
pub(crate) fn with_range_exception(p: &mut Prod) -> LocationId {
    let admin = p.admin.clone();
    let range = location_of(&p.w.ok(
        &admin,
        Command::AddLocation {
            name: "Studio range".into(),
            kind: LocationKind::Range,
            authorised: [p.armorer.clone()].into(),
        },
    ));
    p.open(range.clone());
    p.w.ok(&by(&p.safety), live_exception(&range));
    range
}

pub(crate) fn live_exception(range: &LocationId) -> Command {
    Command::RecordLiveException {
        kind: LiveExceptionKind::RangeTraining,
        range: range.clone(),
        medic: "Rae Medic, EMT".into(),
        from: TODAY,
        until: TODAY.tomorrow().unwrap(),
        reference: "Range training approval RT-7".into(),
    }
}

/// A rehearsal plan with the real revolver (its reason recorded, R-REH-1) for a performer
/// licensed for real firing firearms.
pub(crate) fn rehearsal_with_a_real_firearm(p: &mut Prod) -> (ScenePlan, FirearmId, PersonId) {
    let ray = p.add_person("Ray Rehearsal", &[Role::Performer]);
    p.credit(ray.clone(), credential(CredentialKind::Licence, Date::constant(2027, 6, 30), &[FirearmKind::RealFiring]));
    p.credit(ray.clone(), safety_course());
    let mut i = item(&p.real_gun, &ray, PlannedLoad::Dummies);
    i.real_firearm_reason = Some("the cylinder has to turn visibly in the close-up".into());
    (plan_of(SceneKind::Rehearsal, vec![i]), p.real_gun.clone(), ray)
}

/// A transport of the named items in a locked case (R-STORE-6).
pub(crate) fn transport(firearms: Vec<FirearmId>, containers: Vec<ContainerId>) -> Command {
    Command::RecordTransport {
        firearms,
        containers,
        from: "Stage 4".into(),
        to: "Prop truck".into(),
        locked_case: true,
    }
}

/// The armorer and the safety advisor close the investigation of incident `id`, and the
/// safety advisor releases the evidence.
pub(crate) fn investigated(p: &mut Prod, id: u64) {
    for who in [p.armorer.clone(), p.safety.clone()] {
        p.w.ok(
            &by(&who),
            Command::SignInvestigation {
                incident: id,
                cause: "weak primer in the lot".into(),
                corrective_action: "lot quarantined; supplier told".into(),
            },
        );
    }
    p.w.ok(&by(&p.safety), Command::ReleaseEvidence { incident: id, note: "photographed and counted".into() });
}
