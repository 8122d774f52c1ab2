//! The gate table's rows for R-CHECK-* and R-DECL-1: the demonstration, showing the performer, the declared load.

use super::*;

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
