//! Issue #16, item 2: R-MEET-1 is judged per shoot day, in the production's time zone,
//! with the clock injected as the application injects it.
use super::*;

/// Los Angeles is 8 hours behind UTC in November.
fn la(date: Date, hour: i64, minute: i64) -> Timestamp {
    let midnight_utc = Timestamp(T0.0 - 17 * 60 * MINUTE_MS); // 2026-11-26T00:00Z
    let days = (date - TODAY).get_days() as i64;
    Timestamp(midnight_utc.0 + ((days * 24 + hour + 8) * 60 + minute) * MINUTE_MS)
}

#[test]
fn a_meeting_of_the_day_before_does_not_count_on_the_scenes_day() {
    let mut p = Prod::new();
    let day2 = TODAY.tomorrow().unwrap();
    // Day 1, 16:30 in Los Angeles, is already day 2 in UTC: a check by UTC date would
    // wrongly count this meeting for a scene of day 2.
    let sc = p.plan_scene_on(take_plan(&p.blank_gun, &p.performer, quarter_blanks()), day2);
    p.run_steps(
        &sc,
        &[Step::Competence, Step::OpenDay, Step::ApproveArmorer, Step::ApproveAd, Step::ApproveSafety],
        true,
    );
    p.w.ctx.now = la(TODAY, 16, 30);
    assert_eq!(p.w.ctx.now.to_rfc3339()[..10], *"2026-11-27", "UTC has moved on to day 2");
    p.run_steps(&sc, &[Step::Meeting, Step::SignArmorer, Step::SignAd], true);
    assert!(p.w.state.scenes[&sc].meeting_current());
    p.close_day();

    // Day 2, 08:00 in Los Angeles.
    p.w.ctx.now = la(day2, 8, 0);
    p.w.ctx.today = day2;
    p.run_steps(&sc, &[Step::OpenDay, Step::TakeOut, Step::Inspect], true);
    let d = p.w.refused(&p.arm(), Command::MarkSceneReady { scene: sc.clone() });
    assert_eq!(d.rule_ids(), vec![R::Meet1], "{d}");
    let g = gate::evaluate_hand_off(&p.w.state, &p.w.ctx, &p.blank_gun, &p.performer, Some(&sc)).unwrap();
    assert!(g.violations.iter().any(|v| v.rule == R::Meet1), "{g:?}");

    // The meeting held again on day 2 counts; the scene runs to the hand-off.
    p.run_steps(
        &sc,
        &[
            Step::Meeting,
            Step::SignArmorer,
            Step::SignAd,
            Step::Ready,
            Step::Call,
            Step::Load,
            Step::Demonstrate,
            Step::Shown,
            Step::Attest,
        ],
        true,
    );
    assert_eq!(p.w.state.scenes[&sc].meeting.as_ref().and_then(|m| m.day), Some(day2));
    p.w.ok(&p.arm(), hand_off(&p.blank_gun, &p.performer, &sc));
}
