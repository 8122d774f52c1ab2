//! The gate table's rows for R-STAFF-*: armorer staffing, and scenes ready only after inspections.

use super::*;

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
