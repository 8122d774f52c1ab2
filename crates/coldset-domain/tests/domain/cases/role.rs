//! The gate table's rows for R-ROLE-*: custody, licences, role combinations, holds, the compliance contact, the independent safety advisor.

use super::*;

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
