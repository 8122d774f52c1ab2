//! The gate table's rows for R-HAND-*: loading when called, who hands over and collects, time-outs, inspections, withdrawn firearms, use only in a called scene.

use super::*;

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
