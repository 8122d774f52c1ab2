//! The gate table's rows for R-AMMO-*: live rounds, verification, suppliers, provenance, one class per container, blanks, reconciliation, calibre.

use super::*;

/// R-AMMO-1..7: no live rounds, verified dummies (and each dummy checked as it is loaded),
/// approved suppliers, provenance and quarantine, one class per container, the blank the
/// plan approves, rounds counted out and back.
pub(crate) fn ammo_cases() -> Vec<Case> {
    vec![
        case(R::Ammo1, "taking in a lot of live rounds", Refused(&[R::Ammo1]), |p| {
            (p.arm(), intake_lot(AmmoClass::Live, 50, provenance(SUPPLIER), "LIVE-1"))
        }),
        case(R::Ammo1, "making up a container for live rounds", Refused(&[R::Ammo1]), |p| {
            (
                p.arm(),
                Command::CreateContainer { label: "LIVE-BOX".into(), class: AmmoClass::Live, calibre: CALIBRE.into() },
            )
        }),
        // #15: the approved-exception path: live rounds only into the exception's range.
        case(R::Ammo1, "the armorer records a live-round exception", Refused(&[R::Ammo1]), |p| {
            let range = with_range_exception(p);
            (p.arm(), live_exception(&range))
        }),
        case(R::Ammo1, "a live-round exception whose location is the weapons safe", Refused(&[R::Ammo1]), |p| {
            (by(&p.safety), live_exception(&p.safe))
        }),
        case(
            R::Ammo1,
            "the safety advisor approves range training at the range",
            Allowed("live_exception.approved"),
            |p| {
                let admin = p.admin.clone();
                let range = location_of(&p.w.ok(
                    &admin,
                    Command::AddLocation {
                        name: "Range".into(),
                        kind: LocationKind::Range,
                        authorised: [p.armorer.clone()].into(),
                    },
                ));
                (by(&p.safety), live_exception(&range))
            },
        ),
        case(R::Ammo1, "taking in live rounds under the exception, into the range", Allowed("lot.received"), |p| {
            with_range_exception(p);
            (p.arm(), intake_lot(AmmoClass::Live, 50, provenance(SUPPLIER), "LIVE-1"))
        }),
        case(R::Ammo1, "taking in live rounds the day after the exception ended", Refused(&[R::Ammo1]), |p| {
            with_range_exception(p);
            p.w.ctx.today = TODAY.tomorrow().unwrap().tomorrow().unwrap();
            (p.arm(), intake_lot(AmmoClass::Live, 50, provenance(SUPPLIER), "LIVE-1"))
        }),
        case(R::Ammo1, "taking the live rounds out of the range", Refused(&[R::Ammo1, R::Ammo2]), |p| {
            with_range_exception(p);
            let (_, ct) = lot_of(&p.w.ok(&p.arm(), intake_lot(AmmoClass::Live, 50, provenance(SUPPLIER), "LIVE-1")));
            (p.arm(), Command::TakeContainer { container: ct })
        }),
        case(R::Ammo1, "taking in a lot of half-load blanks", Allowed("lot.received"), |p| {
            (p.arm(), intake_lot(AmmoClass::Blank { load: "half".into() }, 50, provenance(SUPPLIER), "BH-1"))
        }),
        case(R::Ammo1, "dummies that 'fired' are treated as live ammunition", Alerted(&[R::Ammo1, R::Ammo7]), |p| {
            p.give(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
            (p.arm(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 1, returned: 5 })
        }),
        case(R::Ammo1, "dummies that all come back raise nothing", Allowed("firearm.unloaded"), |p| {
            p.give(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
            (p.arm(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 })
        }),
        case(R::Ammo1, "no override exists for R-AMMO-1", Refused(&[R::Ammo1]), |p| override_of(p, R::Ammo1)),
        // R-AMMO-2
        case(R::Ammo2, "moving rounds of a new, unverified dummy lot", Refused(&[R::Ammo2]), |p| {
            let (_, ct) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            (p.arm(), Command::MoveRounds { from: ct, to: p.spare_dummies.clone(), rounds: 1 })
        }),
        case(R::Ammo2, "moving rounds of a new dummy lot once verified", Allowed("rounds.moved"), |p| {
            let (lot, ct) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            let arm = p.arm();
            p.w.ok(
                &arm,
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::StruckPrimer,
                    rounds_checked: 12,
                    other_class_found: 0,
                },
            );
            (p.arm(), Command::MoveRounds { from: ct, to: p.spare_dummies.clone(), rounds: 12 })
        }),
        case(R::Ammo2, "taking an unverified new lot out of storage", Refused(&[R::Ammo2]), |p| {
            let (_, ct) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            p.open(p.safe.clone());
            let arm = p.arm();
            p.w.ok(&arm, Command::StoreContainer { container: ct.clone(), location: p.safe.clone() });
            (p.arm(), Command::TakeContainer { container: ct })
        }),
        case(R::Ammo2, "the 1st AD verifies a dummy lot", Refused(&[R::Ammo2]), |p| {
            let (lot, _) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            (
                p.ad(),
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::Rattle,
                    rounds_checked: 12,
                    other_class_found: 0,
                },
            )
        }),
        case(R::Ammo2, "dummies verified by 'blank inspection'", Refused(&[R::Ammo2]), |p| {
            let (lot, _) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            (
                p.arm(),
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::BlankInspection,
                    rounds_checked: 12,
                    other_class_found: 0,
                },
            )
        }),
        case(R::Ammo2, "blanks verified by rattling", Refused(&[R::Ammo2]), |p| {
            let arm = p.arm();
            let (lot, _) = lot_of(&p.w.ok(&arm, intake_lot(quarter(), 10, provenance(SUPPLIER), "BQ-NEW")));
            (
                p.arm(),
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::Rattle,
                    rounds_checked: 10,
                    other_class_found: 0,
                },
            )
        }),
        case(R::Ammo2, "verifying a lot that is already verified", Refused(&[R::Ammo2]), |p| {
            (
                p.arm(),
                Command::VerifyLot {
                    lot: p.quarter_lot.clone(),
                    method: VerificationMethod::BlankInspection,
                    rounds_checked: 100,
                    other_class_found: 0,
                },
            )
        }),
        case(
            R::Ammo2,
            "re-verifying part of a verified lot, by the wrong method",
            Refused(&[R::Ammo2, R::Ammo4]),
            |p| {
                (
                    p.arm(),
                    Command::VerifyLot {
                        lot: p.full_lot.clone(),
                        method: VerificationMethod::Rattle,
                        rounds_checked: 59,
                        other_class_found: 0,
                    },
                )
            },
        ),
        case(R::Ammo2, "the assistant armorer verifies a dummy lot round by round", Allowed("lot.verified"), |p| {
            let (lot, _) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            (
                by(&p.assistant),
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::NoPrimer,
                    rounds_checked: 12,
                    other_class_found: 0,
                },
            )
        }),
        case(R::Ammo2, "a live round found among dummies rejects the lot", Allowed("lot.rejected"), |p| {
            let (lot, _) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            (
                p.arm(),
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::Rattle,
                    rounds_checked: 12,
                    other_class_found: 1,
                },
            )
        }),
        case(R::Ammo2, "moving rounds of a rejected lot", Refused(&[R::Ammo2]), |p| {
            let (lot, ct) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
            let arm = p.arm();
            p.w.ok(
                &arm,
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::Rattle,
                    rounds_checked: 12,
                    other_class_found: 1,
                },
            );
            (p.arm(), Command::MoveRounds { from: ct, to: p.spare_dummies.clone(), rounds: 11 })
        }),
        case(R::Ammo2, "loading dummies without checking each one", Refused(&[R::Ammo2]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies, Step::Load);
            p.take_ct(p.dummies.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.dummies, 6, None))
        }),
        case(R::Ammo2, "checking dummies by 'blank inspection' as they go in", Refused(&[R::Ammo2]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies, Step::Load);
            p.take_ct(p.dummies.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.dummies, 6, Some(VerificationMethod::BlankInspection)))
        }),
        case(R::Ammo2, "loading dummies each rattled as it goes in", Allowed("firearm.loaded"), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies, Step::Load);
            p.take_ct(p.dummies.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.dummies, 6, Some(VerificationMethod::Rattle)))
        }),
        // R-AMMO-3
        case(R::Ammo3, "home-made dummies", Refused(&[R::Ammo3]), |p| {
            let mut cmd = intake_lot(AmmoClass::Dummy, 10, provenance(SUPPLIER), "D-HOME");
            if let Command::IntakeLot { home_made, .. } = &mut cmd {
                *home_made = true;
            }
            (p.arm(), cmd)
        }),
        case(R::Ammo3, "dummies from a supplier nobody approved", Refused(&[R::Ammo3]), |p| {
            (p.arm(), intake_lot(AmmoClass::Dummy, 10, provenance("Bob's Garage Ammo"), "D-BOB"))
        }),
        case(R::Ammo3, "dummies from the approved supplier", Allowed("lot.received"), |p| {
            (p.arm(), intake_lot(AmmoClass::Dummy, 10, provenance(SUPPLIER), "D-NEW"))
        }),
        case(R::Ammo3, "dummies from a supplier once the armorer approves it", Allowed("lot.received"), |p| {
            let arm = p.arm();
            p.w.ok(&arm, Command::ApproveSupplier { supplier: "Bob's Garage Ammo".into() });
            (p.arm(), intake_lot(AmmoClass::Dummy, 10, provenance("Bob's Garage Ammo"), "D-BOB"))
        }),
        // R-AMMO-4
        case(R::Ammo4, "a lot without headstamp", Refused(&[R::Ammo4]), |p| {
            let mut prov = provenance(SUPPLIER);
            prov.headstamp = "  ".into();
            (p.arm(), intake_lot(quarter(), 10, prov, "BQ-NEW"))
        }),
        case(R::Ammo4, "a lot without supplier nor document", Refused(&[R::Ammo4]), |p| {
            let mut prov = provenance("");
            prov.document = String::new();
            (p.arm(), intake_lot(AmmoClass::Dummy, 10, prov, "D-NEW"))
        }),
        case(
            R::Ammo4,
            "taking stock from another production out of storage before re-verification",
            Refused(&[R::Ammo4]),
            |p| {
                p.open(p.safe.clone());
                (p.arm(), Command::TakeContainer { container: p.old_stock.clone() })
            },
        ),
        case(
            R::Ammo4,
            "taking stock from another production out once re-verified",
            Allowed("container.taken_out"),
            |p| {
                let arm = p.arm();
                p.w.ok(
                    &arm,
                    Command::VerifyLot {
                        lot: p.old_lot.clone(),
                        method: VerificationMethod::Rattle,
                        rounds_checked: 20,
                        other_class_found: 0,
                    },
                );
                p.open(p.safe.clone());
                (p.arm(), Command::TakeContainer { container: p.old_stock.clone() })
            },
        ),
        case(R::Ammo4, "moving rounds of stock from another production", Refused(&[R::Ammo4]), |p| {
            let mut prov = provenance(SUPPLIER);
            prov.previous_production = Some("Old Western (2024)".into());
            let (_, ct) = p.new_dummy_lot("D-OLD-2", prov);
            (p.arm(), Command::MoveRounds { from: ct, to: p.spare_dummies.clone(), rounds: 1 })
        }),
        case(R::Ammo4, "moving rounds of stock of mixed source", Refused(&[R::Ammo4]), |p| {
            let mut prov = provenance(SUPPLIER);
            prov.mixed_source = true;
            let (_, ct) = p.new_dummy_lot("D-MIX", prov);
            (p.arm(), Command::MoveRounds { from: ct, to: p.spare_dummies.clone(), rounds: 1 })
        }),
        // New: verified rounds are not mixed into a container holding unverified stock.
        case(R::Ammo4, "moving verified dummies into a container of unverified stock", Refused(&[R::Ammo4]), |p| {
            let mut prov = provenance(SUPPLIER);
            prov.mixed_source = true;
            let (_, ct) = p.new_dummy_lot("D-MIX", prov);
            p.take_ct(p.dummies.clone());
            (p.arm(), Command::MoveRounds { from: p.dummies.clone(), to: ct, rounds: 5 })
        }),
        case(R::Ammo4, "moving verified dummies into a container of verified stock", Allowed("rounds.moved"), |p| {
            p.take_ct(p.dummies.clone());
            p.take_ct(p.dummies_b.clone());
            (p.arm(), Command::MoveRounds { from: p.dummies.clone(), to: p.dummies_b.clone(), rounds: 5 })
        }),
        case(R::Ammo4, "re-verifying only part of a lot", Refused(&[R::Ammo4]), |p| {
            (
                p.arm(),
                Command::VerifyLot {
                    lot: p.old_lot.clone(),
                    method: VerificationMethod::Rattle,
                    rounds_checked: 19,
                    other_class_found: 0,
                },
            )
        }),
        case(R::Ammo4, "claiming more rounds checked than the lot has", Refused(&[R::Ammo4]), |p| {
            (
                p.arm(),
                Command::VerifyLot {
                    lot: p.old_lot.clone(),
                    method: VerificationMethod::Rattle,
                    rounds_checked: 21,
                    other_class_found: 0,
                },
            )
        }),
        case(R::Ammo4, "re-verifying every round of the lot", Allowed("lot.verified"), |p| {
            (
                p.arm(),
                Command::VerifyLot {
                    lot: p.old_lot.clone(),
                    method: VerificationMethod::DrilledCase,
                    rounds_checked: 20,
                    other_class_found: 0,
                },
            )
        }),
        // R-AMMO-5
        case(R::Ammo5, "dummies into a container of blanks", Refused(&[R::Ammo5]), |p| {
            p.take_ct(p.dummies.clone());
            (p.arm(), Command::MoveRounds { from: p.dummies.clone(), to: p.spare_quarters.clone(), rounds: 5 })
        }),
        case(R::Ammo5, "quarter-load blanks into a container of full-load blanks", Refused(&[R::Ammo5]), |p| {
            p.take_ct(p.quarters.clone());
            p.take_ct(p.fulls.clone());
            (p.arm(), Command::MoveRounds { from: p.quarters.clone(), to: p.fulls.clone(), rounds: 5 })
        }),
        case(R::Ammo5, "full-load blanks into a container of quarter-load blanks", Refused(&[R::Ammo5]), |p| {
            p.take_ct(p.fulls.clone());
            (p.arm(), Command::MoveRounds { from: p.fulls.clone(), to: p.spare_quarters.clone(), rounds: 5 })
        }),
        case(R::Ammo5, "dummies into a container of another calibre", Refused(&[R::Ammo5]), |p| {
            p.take_ct(p.dummies.clone());
            let arm = p.arm();
            let ct = container_of(&p.w.ok(
                &arm,
                Command::CreateContainer { label: "D-9MM".into(), class: AmmoClass::Dummy, calibre: "9mm".into() },
            ));
            (p.arm(), Command::MoveRounds { from: p.dummies.clone(), to: ct, rounds: 5 })
        }),
        case(R::Ammo5, "quarter-load blanks into a quarter-load container", Allowed("rounds.moved"), |p| {
            p.take_ct(p.quarters.clone());
            (p.arm(), Command::MoveRounds { from: p.quarters.clone(), to: p.spare_quarters.clone(), rounds: 25 })
        }),
        case(R::Ammo5, "a new container with a label already in use", Refused(&[R::Ammo5]), |p| {
            (
                p.arm(),
                Command::CreateContainer { label: "d-spare".into(), class: AmmoClass::Dummy, calibre: CALIBRE.into() },
            )
        }),
        case(R::Ammo5, "a new lot's container with a label already in use", Refused(&[R::Ammo5]), |p| {
            (p.arm(), intake_lot(quarter(), 10, provenance(SUPPLIER), "BQ-1"))
        }),
        // R-AMMO-6
        case(R::Ammo6, "loading full-load blanks where the plan approves quarter-load", Refused(&[R::Ammo6]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.fulls.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.fulls, 6, None))
        }),
        case(R::Ammo6, "loading the quarter-load blanks the plan approves", Allowed("firearm.loaded"), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(
            R::Ammo6,
            "a hand-off after the plan was revised to full-load blanks and not reloaded",
            Refused(&[R::Ammo6]),
            |p| {
                let sc = p.std_ready();
                p.revise(&sc, take_plan(&p.blank_gun, &p.performer, full_blanks()));
                p.redo(&sc);
                p.std_hand(&sc)
            },
        ),
        case(R::Ammo6, "a hand-off after the revision once reloaded as planned", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.revise(&sc, take_plan(&p.blank_gun, &p.performer, full_blanks()));
            let arm = p.arm();
            p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 });
            p.redo(&sc);
            p.take_ct(p.fulls.clone());
            p.w.ok(&arm, load_cmd(&p.blank_gun, &p.fulls, 6, None));
            p.run_steps(&sc, &[Step::Demonstrate, Step::Shown], true);
            p.std_hand(&sc)
        }),
        // R-AMMO-7
        case(R::Ammo7, "unloading with rounds unaccounted for", Alerted(&[R::Ammo7]), |p| {
            p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
            (p.arm(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 2, returned: 3 })
        }),
        case(R::Ammo7, "unloading with every round counted", Allowed("firearm.unloaded"), |p| {
            p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
            (p.arm(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 2, returned: 4 })
        }),
        case(R::Ammo7, "loading a class that has an open discrepancy", Refused(&[R::Ammo7]), |p| {
            short_count(p);
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Ammo7, "loading that class again once the discrepancy is resolved", Allowed("firearm.loaded"), |p| {
            short_count(p);
            let arm = p.arm();
            p.w.ok(
                &arm,
                Command::ResolveDiscrepancy { class: quarter(), explanation: "one blank found under the porch".into() },
            );
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Ammo7, "the 1st AD resolves a discrepancy", Refused(&[R::Ammo7]), |p| {
            short_count(p);
            (p.ad(), Command::ResolveDiscrepancy { class: quarter(), explanation: "probably fired".into() })
        }),
        case(
            R::Ammo7,
            "the armorer resolves a discrepancy with an explanation",
            Allowed("rounds.discrepancy_resolved"),
            |p| {
                short_count(p);
                (p.arm(), Command::ResolveDiscrepancy { class: quarter(), explanation: "found in the holster".into() })
            },
        ),
        case(R::Ammo7, "a hand-off of a firearm loaded with a class under discrepancy", Refused(&[R::Ammo7]), |p| {
            let second = p.another_blank_gun("B-101");
            let items =
                vec![item(&p.blank_gun, &p.performer, quarter_blanks()), item(&second, &p.performer, quarter_blanks())];
            let sc = p.prepare(plan_of(SceneKind::Take, items), &[], None);
            let arm = p.arm();
            p.w.ok(&arm, Command::UnloadFirearm { firearm: second, fired: 0, returned: 5 });
            p.std_hand(&sc)
        }),
        // R-AMMO-8 (added by coldset, #16): the round's calibre matches the chambering.
        case(R::Ammo8, "loading .45 Colt blanks into a .44-40 carbine", Refused(&[R::Ammo8]), |p| {
            let carbine = carbine(p);
            p.ready_until(carbine.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&carbine, &p.quarters, 6, None))
        }),
        case(R::Ammo8, "loading .45 Colt dummies into a .44-40 carbine", Refused(&[R::Ammo8]), |p| {
            let carbine = carbine(p);
            p.ready_until(carbine.clone(), p.performer.clone(), PlannedLoad::Dummies, Step::Load);
            p.take_ct(p.dummies.clone());
            (p.arm(), load_cmd(&carbine, &p.dummies, 6, Some(VerificationMethod::Rattle)))
        }),
        case(R::Ammo8, "loading .44-40 blanks into the .44-40 carbine", Allowed("firearm.loaded"), |p| {
            let carbine = carbine(p);
            let arm = p.arm();
            let mut lot = intake_lot(quarter(), 40, provenance(SUPPLIER), "BQ-4440");
            if let Command::IntakeLot { calibre, .. } = &mut lot {
                *calibre = " .44-40 ".into();
            }
            let (lot, ct) = lot_of(&p.w.ok(&arm, lot));
            p.w.ok(
                &arm,
                Command::VerifyLot {
                    lot,
                    method: VerificationMethod::BlankInspection,
                    rounds_checked: 40,
                    other_class_found: 0,
                },
            );
            p.ready_until(carbine.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            (p.arm(), load_cmd(&carbine, &ct, 6, None))
        }),
        case(R::Ammo8, "loading .45 Colt blanks into the .45 Colt revolver", Allowed("firearm.loaded"), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
    ]
}
