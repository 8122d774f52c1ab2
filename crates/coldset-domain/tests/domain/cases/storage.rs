//! The gate table's rows for R-STORE-*: storage, access, counts, intake, transport.

use super::*;

/// R-STORE-1..5: unloaded in locked storage unless in use for a scene, ammunition under the
/// armorer's supervision, who opens storage, counts (day open/close, variance alerts),
/// intake.
pub(crate) fn store_cases() -> Vec<Case> {
    vec![
        case(R::Store1, "storing a firearm loaded with blanks", Refused(&[R::Store1]), |p| {
            p.std_ready();
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Store1, "storing a firearm loaded with dummies", Refused(&[R::Store1]), |p| {
            p.ready(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Store1, "storing a firearm declared empty", Allowed("firearm.stored"), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Store1, "storing a firearm once unloaded, every round counted", Allowed("firearm.stored"), |p| {
            p.std_ready();
            let arm = p.arm();
            p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 });
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(
            R::Store1,
            "a hand-off for a scene of a firearm that was stored and taken out again for maintenance",
            Refused(&[R::Store1, R::Check2]),
            |p| {
                let sc = p.ready(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
                let arm = p.arm();
                p.w.ok(&arm, Command::StoreFirearm { firearm: p.replica.clone(), location: p.safe.clone() });
                p.w.ok(&arm, Command::TakeFirearm { firearm: p.replica.clone(), scene: None });
                p.w.ok(&arm, inspect(&p.replica, InspectionStage::PreUse));
                p.w.ok(&p.ad(), Command::AcknowledgeDemonstration { firearm: p.replica.clone() });
                (p.arm(), hand_off(&p.replica, &p.performer2, &sc))
            },
        ),
        case(R::Store1, "closing the day with a firearm out of storage", Alerted(&[R::Store1]), |p| {
            p.ready(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            (p.arm(), Command::CloseDay { counts: p.full_count() })
        }),
        case(R::Store1, "closing the day with everything locked away", Allowed("day.closed"), |p| {
            p.open_day();
            (p.arm(), Command::CloseDay { counts: p.full_count() })
        }),
        // R-STORE-2
        case(R::Store2, "handing a container of dummies to a crew member", Refused(&[R::Store2]), |p| {
            p.take_ct(p.dummies.clone());
            (p.arm(), Command::HandContainer { container: p.dummies.clone(), to: p.crew.clone() })
        }),
        case(R::Store2, "handing a container of blanks to a performer", Refused(&[R::Store2]), |p| {
            p.take_ct(p.quarters.clone());
            (p.arm(), Command::HandContainer { container: p.quarters.clone(), to: p.performer.clone() })
        }),
        case(
            R::Store2,
            "handing a container of dummies to the assistant armorer",
            Allowed("container.handed_over"),
            |p| {
                p.take_ct(p.dummies.clone());
                (p.arm(), Command::HandContainer { container: p.dummies.clone(), to: p.assistant.clone() })
            },
        ),
        case(R::Store2, "the 1st AD takes a container out of the cart he may open", Refused(&[R::Store2]), |p| {
            p.take_ct(p.dummies.clone());
            p.open(p.cart.clone());
            let arm = p.arm();
            p.w.ok(&arm, Command::StoreContainer { container: p.dummies.clone(), location: p.cart.clone() });
            (p.ad(), Command::TakeContainer { container: p.dummies.clone() })
        }),
        case(R::Store2, "the armorer takes a container out of the cart", Allowed("container.taken_out"), |p| {
            p.take_ct(p.dummies.clone());
            p.open(p.cart.clone());
            let arm = p.arm();
            p.w.ok(&arm, Command::StoreContainer { container: p.dummies.clone(), location: p.cart.clone() });
            (p.arm(), Command::TakeContainer { container: p.dummies.clone() })
        }),
        case(R::Store2, "the 1st AD makes up an ammunition container", Refused(&[R::Store2]), |p| {
            (
                p.ad(),
                Command::CreateContainer { label: "AD-BOX".into(), class: AmmoClass::Dummy, calibre: CALIBRE.into() },
            )
        }),
        case(R::Store2, "the assistant armorer makes up an ammunition container", Allowed("container.created"), |p| {
            (
                by(&p.assistant),
                Command::CreateContainer { label: "D-3".into(), class: AmmoClass::Dummy, calibre: CALIBRE.into() },
            )
        }),
        case(R::Store2, "closing the day with ammunition out of storage", Alerted(&[R::Store2]), |p| {
            p.open_day();
            p.take_ct(p.dummies.clone());
            (p.arm(), Command::CloseDay { counts: p.full_count() })
        }),
        // R-STORE-3
        // #15: the clock records the time-out (and the outbox sends it).
        case(R::Store3, "the clock finds the safe open past the time-out", Alerted(&[R::Store3]), |p| {
            p.open(p.safe.clone());
            p.w.ctx.now = p.w.ctx.now.plus_minutes(25);
            (Actor::System, Command::Tick)
        }),
        case(R::Store3, "a performer opens the weapons safe", Refused(&[R::Store3]), |p| {
            (by(&p.performer), Command::OpenStorage { location: p.safe.clone() })
        }),
        case(R::Store3, "the armorer opens the weapons safe", Allowed("storage.opened"), |p| {
            (p.arm(), Command::OpenStorage { location: p.safe.clone() })
        }),
        case(R::Store3, "opening a safe that is already open", Refused(&[R::Store3]), |p| {
            p.open(p.safe.clone());
            (by(&p.assistant), Command::OpenStorage { location: p.safe.clone() })
        }),
        case(R::Store3, "closing a safe that is locked", Refused(&[R::Store3]), |p| {
            (p.arm(), Command::CloseStorage { location: p.safe.clone() })
        }),
        case(R::Store3, "a crew member closes the open safe", Refused(&[R::Store3]), |p| {
            p.open(p.safe.clone());
            (by(&p.crew), Command::CloseStorage { location: p.safe.clone() })
        }),
        case(R::Store3, "the assistant armorer closes the open safe", Allowed("storage.closed"), |p| {
            p.open(p.safe.clone());
            (by(&p.assistant), Command::CloseStorage { location: p.safe.clone() })
        }),
        case(R::Store3, "storing a firearm into a closed safe", Refused(&[R::Store3]), |p| {
            p.take(p.blank_gun.clone());
            p.close(p.safe.clone());
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Store3, "storing a container into a closed safe", Refused(&[R::Store3]), |p| {
            (p.arm(), Command::StoreContainer { container: p.spare_dummies.clone(), location: p.safe.clone() })
        }),
        case(R::Store3, "taking a firearm out of a closed safe", Refused(&[R::Store3]), |p| {
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: None })
        }),
        case(R::Store3, "taking a container out of a closed safe", Refused(&[R::Store3]), |p| {
            (p.arm(), Command::TakeContainer { container: p.dummies.clone() })
        }),
        case(
            R::Store3,
            "the assistant armorer takes a replica from the cart she is not authorised for",
            Refused(&[R::Store3]),
            |p| {
                p.put_on_cart(p.replica.clone());
                (by(&p.assistant), Command::TakeFirearm { firearm: p.replica.clone(), scene: None })
            },
        ),
        case(R::Store3, "the armorer stores into a van she is not authorised for", Refused(&[R::Store3]), |p| {
            // A van only the 1st AD may open (and it is open).
            let admin = p.admin.clone();
            let van = location_of(&p.w.ok(
                &admin,
                Command::AddLocation {
                    name: "Props van".into(),
                    kind: LocationKind::Truck,
                    authorised: [p.first_ad.clone()].into(),
                },
            ));
            p.w.ok(&p.ad(), Command::OpenStorage { location: van.clone() });
            (p.arm(), Command::StoreContainer { container: p.spare_dummies.clone(), location: van })
        }),
        // R-STORE-4
        case(R::Store4, "moving more rounds than the container holds", Refused(&[R::Store4]), |p| {
            p.take_ct(p.dummies.clone());
            (p.arm(), Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 51 })
        }),
        case(R::Store4, "moving exactly what the container holds", Allowed("rounds.moved"), |p| {
            p.take_ct(p.dummies.clone());
            (p.arm(), Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 50 })
        }),
        case(R::Store4, "moving rounds out of an empty container", Refused(&[R::Store4]), |p| {
            p.take_ct(p.dummies.clone());
            (p.arm(), Command::MoveRounds { from: p.spare_dummies.clone(), to: p.dummies.clone(), rounds: 1 })
        }),
        case(R::Store4, "the 1st AD opens the shoot day", Refused(&[R::Store4]), |p| {
            (p.ad(), Command::OpenDay { call_sheet: call_sheet(), counts: p.full_count() })
        }),
        case(R::Store4, "a day-open count that does not match", Alerted(&[R::Store4]), |p| {
            let mut counts = p.full_count();
            counts.insert("D-1".into(), 49);
            (p.arm(), Command::OpenDay { call_sheet: call_sheet(), counts })
        }),
        case(R::Store4, "a full, matching day-open count", Allowed("day.opened"), |p| {
            (p.arm(), Command::OpenDay { call_sheet: call_sheet(), counts: p.full_count() })
        }),
        case(R::Store4, "a day-close count that does not match", Alerted(&[R::Store4]), |p| {
            p.open_day();
            let mut counts = p.full_count();
            counts.insert(p.blank_gun.to_string(), 0);
            (p.arm(), Command::CloseDay { counts })
        }),
        // #16: opening and closing the day list every failing rule.
        case(
            R::Store4,
            "the 1st AD opens the day with an item never taken in",
            Refused(&[R::Store4, R::Store5]),
            |p| {
                let mut counts = p.full_count();
                counts.insert("MYSTERY-BOX".into(), 12);
                (p.ad(), Command::OpenDay { call_sheet: call_sheet(), counts })
            },
        ),
        case(
            R::Store4,
            "the 1st AD closes the day with an item never taken in",
            Refused(&[R::Store4, R::Store5]),
            |p| {
                p.open_day();
                let mut counts = p.full_count();
                counts.insert("MYSTERY-BOX".into(), 12);
                (p.ad(), Command::CloseDay { counts })
            },
        ),
        case(R::Store4, "the 1st AD closes the shoot day", Refused(&[R::Store4]), |p| {
            p.open_day();
            (p.ad(), Command::CloseDay { counts: p.full_count() })
        }),
        case(R::Store4, "taking a firearm out for a scene before the day is open", Refused(&[R::Store4]), |p| {
            let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
        }),
        case(R::Store4, "a hand-off after the shoot day was closed", Refused(&[R::Store4]), |p| {
            let sc = p.ready(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
            p.close_day();
            p.std_hand(&sc)
        }),
        case(R::Store4, "calling a scene after the shoot day was closed", Refused(&[R::Store4]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Call);
            p.close_day();
            (p.ad(), Command::CallScene { scene: sc })
        }),
        case(R::Store4, "loading more rounds than the container holds", Refused(&[R::Store4]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies, Step::Load);
            p.take_ct(p.dummies.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.dummies, 51, Some(VerificationMethod::Rattle)))
        }),
        // R-STORE-5
        case(R::Store5, "handing off an unknown firearm", Refused(&[R::Store5]), |p| {
            (
                p.arm(),
                Command::HandOff { firearm: FirearmId::parse("fa-99").unwrap(), to: p.performer.clone(), scene: None },
            )
        }),
        case(R::Store5, "taking an unknown firearm out", Refused(&[R::Store5]), |p| {
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: FirearmId::parse("fa-99").unwrap(), scene: None })
        }),
        case(R::Store5, "moving rounds into an unknown container", Refused(&[R::Store5]), |p| {
            (
                p.arm(),
                Command::MoveRounds {
                    from: p.spare_dummies.clone(),
                    to: ContainerId::parse("ct-99").unwrap(),
                    rounds: 1,
                },
            )
        }),
        case(R::Store5, "handing an unknown container", Refused(&[R::Store5]), |p| {
            (
                p.arm(),
                Command::HandContainer { container: ContainerId::parse("ct-99").unwrap(), to: p.assistant.clone() },
            )
        }),
        case(R::Store5, "taking an unknown container out", Refused(&[R::Store5]), |p| {
            p.open(p.safe.clone());
            (p.arm(), Command::TakeContainer { container: ContainerId::parse("ct-99").unwrap() })
        }),
        case(R::Store5, "a day-open count naming an item never taken in", Refused(&[R::Store5]), |p| {
            let mut counts = p.full_count();
            counts.insert("fa-99".into(), 1);
            (p.arm(), Command::OpenDay { call_sheet: call_sheet(), counts })
        }),
        case(R::Store5, "the 1st AD takes a replica into the production", Refused(&[R::Store5]), |p| {
            (p.ad(), intake_firearm(FirearmKind::Replica, "REP-301"))
        }),
        case(R::Store5, "the armorer takes a replica into the production", Allowed("firearm.received"), |p| {
            (p.arm(), intake_firearm(FirearmKind::Replica, "REP-301"))
        }),
        case(R::Store5, "a serial already registered (any letter case)", Refused(&[R::Store5]), |p| {
            (p.arm(), intake_firearm(FirearmKind::BlankAdapted, " b-100 "))
        }),
        case(R::Store5, "a disposed firearm's serial may be taken in again", Allowed("firearm.received"), |p| {
            p.take(p.replica.clone());
            let arm = p.arm();
            p.w.ok(
                &arm,
                Command::DisposeFirearm {
                    firearm: p.replica.clone(),
                    disposition: DispositionKind::ReturnedToRentalHouse,
                    to: rental_house(),
                },
            );
            (p.arm(), intake_firearm(FirearmKind::Replica, "REP-300"))
        }),
        case(R::Store5, "a crew member takes ammunition in", Refused(&[R::Store5]), |p| {
            (by(&p.crew), intake_lot(quarter(), 50, provenance(SUPPLIER), "BQ-2"))
        }),
        // The serials are looked up in an index `apply` keeps (state.rs): a correction moves
        // the firearm from its old serial to its new one there.
        case(
            R::Store5,
            "after a correction, the serial it corrected may be taken in",
            Allowed("firearm.received"),
            |p| {
                correct_real_gun_serial(p, "R-201");
                (p.arm(), intake_firearm(FirearmKind::RealFiring, "r-200"))
            },
        ),
        case(R::Store5, "after a correction, its new serial is registered", Refused(&[R::Store5]), |p| {
            correct_real_gun_serial(p, "R-201");
            (p.arm(), intake_firearm(FirearmKind::RealFiring, " R-201"))
        }),
        case(R::Store5, "a correction may not give a firearm another firearm's serial", Refused(&[R::Store5]), |p| {
            (
                p.arm(),
                Command::CorrectFirearmDetails {
                    firearm: p.real_gun.clone(),
                    corrects_seq: p.w.state.firearm_records[&p.real_gun],
                    reason: "typo".into(),
                    make: "Colt".into(),
                    model: "SAA".into(),
                    serial: "B-100".into(),
                    calibre: CALIBRE.into(),
                },
            )
        }),
    ]
}

/// Records the armorer's correction of the real firearm's serial (R-200 at intake).
fn correct_real_gun_serial(p: &mut Prod, serial: &str) {
    let received =
        p.w.log
            .iter()
            .find(|e| matches!(&e.event, Event::FirearmReceived { firearm, .. } if *firearm == p.real_gun))
            .unwrap()
            .seq;
    let arm = p.arm();
    let command = Command::CorrectFirearmDetails {
        firearm: p.real_gun.clone(),
        corrects_seq: received,
        reason: "digits swapped at intake".into(),
        make: "Colt".into(),
        model: "SAA".into(),
        serial: serial.into(),
        calibre: CALIBRE.into(),
    };
    p.w.ok(&arm, command);
}
