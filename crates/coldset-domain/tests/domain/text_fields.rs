//! Issue #14, item 4: one text type for every free-text field (single-line or prose, each
//! with a maximum), control characters other than line breaks and tabs refused
//! everywhere, and quantities within sane bounds.
use super::*;
use coldset_domain::text::{self, limits, Shape};

/// Every row of the field table, against the same values: what a person types, what a
/// browser's textarea sends, and what an attacker sends.
#[test]
fn every_free_text_field_follows_its_shape_and_maximum() {
    for (name, t) in text::ALL {
        let at = |v: &str| format!("{name} ({}) with {v:?}", t.field);
        assert_eq!(t.required("  Colt  "), Ok("Colt".to_owned()), "{}", at("Colt"));
        assert!(t.required("a\tb").is_ok(), "{}: a tab is allowed", at("a\\tb"));
        assert!(t.required("   ").is_err(), "{}: required but blank", at("   "));
        assert_eq!(t.optional("  "), Ok(None), "{}", at("  "));
        for bad in ["nul\0byte", "esc\u{1b}[31mred", "bell\u{7}", "del\u{7f}", "c1\u{85}next", "cr\ralone"] {
            let r = t.required(bad);
            // A lone CR in prose is a line break (normalised to \n); everywhere else it is
            // a control character.
            if bad.contains('\r') && t.shape == Shape::Prose {
                assert_eq!(r, Ok("cr\nalone".to_owned()), "{}", at(bad));
                continue;
            }
            let Err(DomainError::Invalid { field, .. }) = r else { panic!("{}: accepted", at(bad)) };
            assert_eq!(field, t.field, "{}: the refusal names the field", at(bad));
        }
        let multi = "first line\r\nsecond line\nthird";
        match t.shape {
            Shape::Prose => {
                assert_eq!(t.required(multi), Ok("first line\nsecond line\nthird".to_owned()), "{}", at(multi))
            }
            Shape::Line => {
                assert!(t.required(multi).is_err(), "{}: a single-line field took line breaks", at(multi));
                assert!(t.required("a\u{2028}b").is_err(), "{}: Unicode line separator", at("U+2028"));
            }
        }
        let longest = "é".repeat(t.max);
        assert!(t.required(&longest).is_ok(), "{name}: {} characters are allowed", t.max);
        assert!(t.required(&format!("{longest}x")).is_err(), "{name}: {} characters are too many", t.max + 1);
        assert!(t.max <= 10_000, "{name}: a maximum beyond 10,000 characters");
    }
    let names: BTreeSet<&str> = text::ALL.iter().map(|(n, _)| *n).collect();
    assert_eq!(names.len(), text::ALL.len(), "a field is listed twice");
}

/// The decider checks text only through the table: every `F::NAME` it uses is a row of
/// `text::ALL`, every row is used, and no command text is recorded merely trimmed.
#[test]
fn the_decider_checks_text_only_through_the_table() {
    let sources = [
        ("checks.rs", include_str!("../../src/checks.rs")),
        ("people.rs", include_str!("../../src/people.rs")),
        ("storage.rs", include_str!("../../src/storage.rs")),
        ("firearm.rs", include_str!("../../src/firearm.rs")),
        ("gate.rs", include_str!("../../src/gate.rs")),
        ("ammunition.rs", include_str!("../../src/ammunition.rs")),
        ("scene.rs", include_str!("../../src/scene.rs")),
        ("reports.rs", include_str!("../../src/reports.rs")),
    ];
    let table: BTreeSet<&str> = text::ALL.iter().map(|(n, _)| *n).collect();
    let mut used = BTreeSet::new();
    for (file, source) in sources {
        for (i, _) in source.match_indices("F::") {
            let name: String = source[i + 3..].chars().take_while(|c| c.is_ascii_uppercase() || *c == '_').collect();
            assert!(table.contains(name.as_str()), "{file} uses F::{name}, which is not in text::ALL");
            used.insert(name);
        }
        assert!(!source.contains(".trim().to_owned()"), "{file} records trimmed text without checking it");
    }
    for name in &table {
        assert!(used.contains(*name), "text::ALL lists {name}, which the decider never checks");
    }
}

fn report(text: &str) -> Command {
    Command::FileReport {
        severity: coldset_domain::reports::Severity::Concern,
        text: text.into(),
        subject: None,
        reporter_name: None,
        followup_key_hash: key_hash(),
        photos: Vec::new(),
    }
}

/// Through the decider: a multi-line safety report is recorded with its line breaks; a
/// name with a line break, a serial with an escape sequence and an absurd lot are not.
#[test]
fn commands_take_prose_and_refuse_control_characters_and_absurd_quantities() {
    type Make = fn(&mut Prod) -> (Actor, Command);
    let rows: Vec<(&str, Make, Option<&str>)> = vec![
        (
            "a multi-line report",
            |_| (Actor::Anonymous, report("Guns on the cart.\r\nNobody there.\n\nPlease check.")),
            None,
        ),
        ("a report with a NUL", |_| (Actor::Anonymous, report("cart\0")), Some("text")),
        (
            "a person's name over two lines",
            |p| {
                (p.admin.clone(), Command::AddPerson { name: "Pat\nPerformer".into(), roles: [Role::Performer].into() })
            },
            Some("name"),
        ),
        (
            "a serial with an escape sequence",
            |p| (p.arm(), intake_firearm(FirearmKind::Replica, "X\u{1b}[2J")),
            Some("serial"),
        ),
        (
            "a lot of 4,294,967,295 rounds",
            |p| (p.arm(), intake_lot(AmmoClass::Dummy, u32::MAX, provenance(SUPPLIER), "D-HUGE")),
            Some("rounds"),
        ),
        (
            "a lot of the maximum",
            |p| (p.arm(), intake_lot(AmmoClass::Dummy, limits::MAX_LOT_ROUNDS, provenance(SUPPLIER), "D-BIG")),
            None,
        ),
        (
            "a headstamp with a control character",
            |p| {
                let mut prov = provenance(SUPPLIER);
                prov.headstamp = "PMC\u{8}".into();
                (p.arm(), intake_lot(AmmoClass::Dummy, 10, prov, "D-H"))
            },
            Some("provenance.headstamp"),
        ),
        (
            "a blank load size over two lines",
            |p| {
                let class = AmmoClass::Blank { load: "quarter\nfull".into() };
                (p.arm(), Command::CreateContainer { label: "BX".into(), class, calibre: CALIBRE.into() })
            },
            Some("class.load"),
        ),
        (
            "a planned blank load with a NUL",
            |p| {
                let load = PlannedLoad::Blanks { load: "quarter\0".into() };
                let plan = take_plan(&p.blank_gun, &p.performer, load);
                (p.ad(), Command::PlanScene { number: "9".into(), description: "x".into(), day: TODAY, plan })
            },
            Some("class.load"),
        ),
        (
            "a hold reason in paragraphs",
            |p| {
                (
                    p.arm(),
                    Command::PlaceHold {
                        scope: HoldScope::AllFirearmWork,
                        reason: "Wind.\n\nWait for the rig.".into(),
                    },
                )
            },
            None,
        ),
        (
            "a decline reason with an escape",
            |p| {
                let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
                (by(&p.performer), Command::DeclineFirearm { scene: sc, reason: "no\u{1b}".into() })
            },
            Some("reason"),
        ),
        (
            "a misfire wait of a day",
            |p| {
                (
                    p.arm(),
                    Command::ReportIncident {
                        kind: coldset_domain::reports::IncidentKind::Misfire,
                        firearm: None,
                        scene: None,
                        description: "click".into(),
                        wait_seconds: Some(86_400),
                    },
                )
            },
            Some("wait_seconds"),
        ),
        (
            "a day-open count of four billion",
            |p| {
                let mut counts = p.full_count();
                counts.insert("D-1".into(), u64::from(u32::MAX));
                (p.arm(), Command::OpenDay { call_sheet: call_sheet(), counts })
            },
            Some("counts"),
        ),
    ];
    for (name, make, refused_field) in rows {
        let mut p = Prod::new();
        let (actor, cmd) = make(&mut p);
        match (p.w.run(&actor, cmd), refused_field) {
            (Ok(events), None) => {
                if let Some(Event::ReportFiled { text, .. }) = events.first() {
                    assert_eq!(text, "Guns on the cart.\nNobody there.\n\nPlease check.", "{name}");
                }
            }
            (Err(DomainError::Invalid { field, .. }), Some(expected)) => assert_eq!(field, expected, "{name}"),
            (other, expected) => panic!("{name}: expected refusal of {expected:?}, got {other:?}"),
        }
    }
}
