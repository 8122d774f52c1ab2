//! The gate table's rows for Scene plans: R-REH-*, R-AIM-1, R-DIST-*, R-CAM-1, R-REC-1.

use super::*;

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
