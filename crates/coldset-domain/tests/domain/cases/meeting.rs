//! The gate table's rows for R-MEET-*: safety meetings, their agenda, sign-in and sign-off, and the call sheet.

use super::*;

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
