//! The gate table's rows for R-TRAIN-*: safety courses, competence with the model, declining.

use super::*;

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
