//! The gate table's rows for R-REC-3..6, R-MED-1 and the other records.

use super::*;

pub(crate) fn record_cases() -> Vec<Case> {
    fn disposed(p: &mut Prod, fa: FirearmId) {
        p.take(fa.clone());
        let arm = p.arm();
        p.w.ok(
            &arm,
            Command::DisposeFirearm { firearm: fa, disposition: DispositionKind::Destroyed, to: rental_house() },
        );
    }
    /// The sequence number of the performer's permit as recorded.
    fn permit_record(p: &Prod) -> u64 {
        p.w.log
            .iter()
            .find(|e| {
                matches!(&e.event, Event::CredentialRecorded { person, credential }
                    if *person == p.performer && credential.kind == CredentialKind::Permit)
            })
            .unwrap()
            .seq
    }
    fn corrected_permit(p: &Prod) -> Credential {
        let mut c = p.w.state.people[&p.performer].credentials[0].clone();
        c.expires_on = Date::constant(2026, 12, 31);
        c
    }
    vec![
        case(R::Rec3, "a firearm taken in with no supplier and no paperwork", Refused(&[R::Rec3]), |p| {
            let mut c = intake_firearm(FirearmKind::Replica, "NO-PAPERS-1");
            if let Command::IntakeFirearm { acquired_from, .. } = &mut c {
                acquired_from.name = " ".into();
                acquired_from.document = String::new();
            }
            (p.arm(), c)
        }),
        case(R::Rec6, "correcting a credential's mistyped expiry date", Allowed("credential.corrected"), |p| {
            let corrects_seq = permit_record(p);
            (
                p.admin.clone(),
                Command::CorrectCredential {
                    person: p.performer.clone(),
                    corrects_seq,
                    reason: "expiry typed as 2027, the permit says 2026".into(),
                    credential: corrected_permit(p),
                },
            )
        }),
        case(R::Rec6, "correcting a credential with a record that is none of theirs", Refused(&[R::Rec6]), |p| {
            (
                p.admin.clone(),
                Command::CorrectCredential {
                    person: p.performer.clone(),
                    corrects_seq: 1,
                    reason: "typo".into(),
                    credential: corrected_permit(p),
                },
            )
        }),
        case(R::Rec6, "correcting a credential without a reason", Refused(&[R::Rec6]), |p| {
            let corrects_seq = permit_record(p);
            (
                p.admin.clone(),
                Command::CorrectCredential {
                    person: p.performer.clone(),
                    corrects_seq,
                    reason: "  ".into(),
                    credential: corrected_permit(p),
                },
            )
        }),
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
        case(R::Rec6, "correcting a firearm's intake record after it was corrected", Refused(&[R::Rec6]), |p| {
            let received = p.w.state.firearm_records[&p.real_gun];
            let fix = |serial: &str| Command::CorrectFirearmDetails {
                firearm: p.real_gun.clone(),
                corrects_seq: received,
                reason: "typo".into(),
                make: "Colt".into(),
                model: "SAA".into(),
                serial: serial.into(),
                calibre: CALIBRE.into(),
            };
            let first = fix("R-201");
            let arm = p.arm();
            p.w.ok(&arm, first);
            (arm, fix("R-202"))
        }),
        case(R::Rec6, "correcting another firearm's record", Refused(&[R::Rec6]), |p| {
            (
                p.arm(),
                Command::CorrectFirearmDetails {
                    firearm: p.real_gun.clone(),
                    corrects_seq: p.w.state.firearm_records[&p.blank_gun],
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

/// A credential's correction replaces it in the person's record while the log keeps both;
/// the corrected record is then no longer in force, so a second correction names the first
/// correction, never the original again (one line of corrections, R-REC-6).
#[test]
fn a_credential_correction_replaces_it_and_keeps_the_original() {
    let mut p = Prod::new();
    let original =
        p.w.log
            .iter()
            .find(|e| {
                matches!(&e.event, Event::CredentialRecorded { person, credential }
            if *person == p.performer && credential.kind == CredentialKind::Permit)
            })
            .unwrap()
            .clone();
    let before = p.w.state.people[&p.performer].credentials.clone();
    let mut fixed = before[0].clone();
    fixed.expires_on = Date::constant(2026, 12, 31);
    let admin = p.admin.clone();
    let correct = |corrects_seq: u64, credential: Credential| Command::CorrectCredential {
        person: p.performer.clone(),
        corrects_seq,
        reason: "expiry mistyped".into(),
        credential,
    };
    let events = p.w.ok(&admin, correct(original.seq, fixed.clone()));
    assert!(matches!(&events[..], [Event::CredentialCorrected { corrects_seq, .. }] if *corrects_seq == original.seq));
    let after = &p.w.state.people[&p.performer].credentials;
    assert_eq!(after.len(), before.len(), "corrected in place, not added");
    assert_eq!(after[0], fixed);
    assert!(p.w.log.contains(&original), "the original stays in the log");
    let correction = p.w.log.last().unwrap().seq;
    let denial = p.w.refused(&admin, correct(original.seq, fixed.clone()));
    assert_eq!(denial.rule_ids(), vec![R::Rec6]);
    p.w.ok(&admin, correct(correction, fixed));
}
