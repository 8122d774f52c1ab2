//! The gate table's rows for R-COMP-*, R-MISF-*, R-INC-*, R-NOTIF-1: reports, incidents, evidence, notices.

use super::*;

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
