//! Integration tests for coldset's pure domain.
//!
//! - `gates`: every rule id the decider enforces today, one row per case, refused (with
//!   exactly the expected rule ids, each violation explained) and allowed.
//! - `refusals`: a refusal names every failing rule, and changes nothing.
//! - `permissions`: the coarse role table (auditor, installation admin, command names).
//! - `encoding`: canonical envelope bytes, and replay determinism.
//! - `invariants`: proptest over random command sequences: custody, class, conservation.
//!
//! Everything is driven the way the application drives it: `decide` a command against the
//! current state, wrap each event in an envelope and `apply` it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use coldset_domain::commands::Command;
use coldset_domain::decide::{decide, Context, DomainError};
use coldset_domain::events::{self, Actor, EncodingError, Envelope, Event};
use coldset_domain::ids::*;
use coldset_domain::model::*;
use coldset_domain::rules::{Denial, RuleId as R};
use coldset_domain::state::ProductionState;
use coldset_domain::time::{Date, Timestamp};
use std::collections::{BTreeMap, BTreeSet};

// ---- harness -------------------------------------------------------------------------------

/// The shoot day the standard production works on.
const TODAY: Date = Date::constant(2026, 11, 26);
/// 2026-11-26T17:00:00Z, i.e. 09:00 in Los Angeles on the shoot day.
const T0: Timestamp = Timestamp(1_795_712_400_000);
const CALIBRE: &str = ".45 Colt";
const SUPPLIER: &str = "Ellis Props & Graphics";

/// A production's log and state, driven like the application does.
#[derive(Clone)]
struct World {
    state: ProductionState,
    ctx: Context,
    log: Vec<Envelope>,
}

impl World {
    fn new() -> World {
        World { state: ProductionState::new(), ctx: Context { now: T0, today: TODAY }, log: Vec::new() }
    }

    /// Decides `cmd`; on success records and applies every event (one minute per command).
    fn run(&mut self, actor: &Actor, cmd: Command) -> Result<Vec<Event>, DomainError> {
        let events = decide(&self.state, &self.ctx, actor, &cmd)?;
        let production = match (&self.state.info, &cmd) {
            (Some(info), _) => info.id.clone(),
            (None, Command::CreateProduction { id, .. }) => id.clone(),
            (None, _) => panic!("{} decided before the production exists", cmd.name()),
        };
        for event in &events {
            let env = Envelope {
                v: events::ENCODING_VERSION,
                production: production.clone(),
                seq: self.state.next_seq(),
                at: self.ctx.now,
                actor: actor.clone(),
                event: event.clone(),
            };
            self.state.apply(&env).unwrap_or_else(|e| panic!("a decided event does not apply: {e}"));
            self.log.push(env);
        }
        self.ctx.now = self.ctx.now.plus_minutes(1);
        Ok(events)
    }

    /// Runs a command that must be allowed.
    fn ok(&mut self, actor: &Actor, cmd: Command) -> Vec<Event> {
        let name = cmd.name();
        self.run(actor, cmd).unwrap_or_else(|e| panic!("{name} by {} was refused: {e}", actor.describe()))
    }

    /// Runs a command that must be refused by the rules; checks that nothing changed.
    fn refused(&mut self, actor: &Actor, cmd: Command) -> Denial {
        let before = self.state.clone();
        let logged = self.log.len();
        let name = cmd.name();
        match self.run(actor, cmd) {
            Err(DomainError::Denied(d)) => {
                assert_eq!(self.state, before, "a refused {name} changed the state");
                assert_eq!(self.log.len(), logged, "a refused {name} recorded events");
                d
            }
            Err(other) => panic!("{name}: expected a rule refusal, got {other:?}"),
            Ok(events) => panic!("{name}: expected a refusal, got {events:?}"),
        }
    }
}

fn by(person: &PersonId) -> Actor {
    Actor::Person { person: person.clone() }
}

fn ids(rules: &[R]) -> Vec<R> {
    let mut v = rules.to_vec();
    v.sort();
    v.dedup();
    v
}

fn assert_explained(d: &Denial) {
    assert!(!d.violations.is_empty(), "a denial without violations");
    for v in &d.violations {
        assert!(!v.reason.trim().is_empty(), "{} has no reason", v.rule);
        assert!(!v.remedy.trim().is_empty(), "{} has no remedy", v.rule);
    }
}

fn person_of(events: &[Event]) -> PersonId {
    match events {
        [Event::PersonAdded { person, .. }] => person.clone(),
        other => panic!("expected person.added, got {other:?}"),
    }
}

fn location_of(events: &[Event]) -> LocationId {
    match events {
        [Event::LocationAdded { location, .. }] => location.clone(),
        other => panic!("expected location.added, got {other:?}"),
    }
}

fn firearm_of(events: &[Event]) -> FirearmId {
    match events {
        [Event::FirearmReceived { firearm, .. }] => firearm.clone(),
        other => panic!("expected firearm.received, got {other:?}"),
    }
}

fn lot_of(events: &[Event]) -> (LotId, ContainerId) {
    match events {
        [Event::LotReceived { lot, container, .. }] => (lot.clone(), container.clone()),
        other => panic!("expected lot.received, got {other:?}"),
    }
}

fn container_of(events: &[Event]) -> ContainerId {
    match events {
        [Event::ContainerCreated { container, .. }] => container.clone(),
        other => panic!("expected container.created, got {other:?}"),
    }
}

fn rental_house() -> Party {
    Party {
        name: "Independent Studio Services".into(),
        licence: "FFL 9-95-00000".into(),
        document: "rental agreement 2026-114".into(),
    }
}

fn intake_firearm(kind: FirearmKind, serial: &str) -> Command {
    Command::IntakeFirearm {
        kind,
        make: "Colt".into(),
        model: "Single Action Army".into(),
        serial: serial.into(),
        calibre: CALIBRE.into(),
        condition: "good, function-checked".into(),
        acquired_from: rental_house(),
    }
}

fn provenance(supplier: &str) -> Provenance {
    Provenance {
        supplier: supplier.into(),
        document: "invoice 881".into(),
        headstamp: "STARLINE 45 COLT".into(),
        previous_production: None,
        mixed_source: false,
    }
}

fn intake_lot(class: AmmoClass, rounds: u32, provenance: Provenance, label: &str) -> Command {
    Command::IntakeLot {
        class,
        calibre: CALIBRE.into(),
        rounds,
        provenance,
        home_made: false,
        container_label: label.into(),
    }
}

fn quarter() -> AmmoClass {
    AmmoClass::Blank { load: "quarter".into() }
}

fn full_load() -> AmmoClass {
    AmmoClass::Blank { load: "full".into() }
}

fn credential(kind: CredentialKind, expires_on: Date, covers: &[FirearmKind]) -> Credential {
    Credential {
        kind,
        number: "CRED-0042".into(),
        issuer: "California DOJ".into(),
        expires_on,
        covers: covers.to_vec(),
    }
}

/// A standard production, as the armorer has it at call time: all firearms and all
/// ammunition containers in the (closed) weapons safe, two empty spare containers with the
/// armorer, one lot from an old production still in quarantine.
#[derive(Clone)]
struct Prod {
    w: World,
    admin: Actor,
    armorer: PersonId,
    assistant: PersonId,
    first_ad: PersonId,
    safety: PersonId,
    /// Permit for blank-adapted firearms (not real firing ones), in date.
    performer: PersonId,
    /// Only a safety course on file: no licence for any firearm.
    performer2: PersonId,
    crew: PersonId,
    auditor: PersonId,
    producer: PersonId,
    /// Weapons safe: the armorer and the assistant armorer are authorised.
    safe: LocationId,
    /// Prop cart: the armorer and the 1st AD are authorised.
    cart: LocationId,
    blank_gun: FirearmId,
    real_gun: FirearmId,
    replica: FirearmId,
    rubber: FirearmId,
    /// 50 verified dummies.
    dummy_lot: LotId,
    dummies: ContainerId,
    /// 30 verified dummies of a second lot.
    dummy_lot_b: LotId,
    dummies_b: ContainerId,
    /// 100 verified quarter-load blanks.
    quarter_lot: LotId,
    quarters: ContainerId,
    /// 60 verified full-load blanks.
    full_lot: LotId,
    fulls: ContainerId,
    /// 20 dummies left over from another production: quarantined (R-AMMO-4).
    old_lot: LotId,
    old_stock: ContainerId,
    /// Empty, with the armorer.
    spare_dummies: ContainerId,
    spare_quarters: ContainerId,
}

impl Prod {
    fn new() -> Prod {
        let mut w = World::new();
        let admin = Actor::Admin { account: "ops".into() };
        w.ok(
            &admin,
            Command::CreateProduction {
                id: ProductionId::parse("prod-1").unwrap(),
                name: "Dead Man's Draw".into(),
                time_zone: "America/Los_Angeles".into(),
                packs: vec!["california-2025".into()],
                compliance_contact: "safety@example.test, +1 555 0100".into(),
            },
        );
        let add = |w: &mut World, name: &str, roles: &[Role]| {
            person_of(&w.ok(&admin, Command::AddPerson { name: name.into(), roles: roles.iter().copied().collect() }))
        };
        let armorer = add(&mut w, "Alex Armorer", &[Role::Armorer]);
        let assistant = add(&mut w, "Sam Assistant", &[Role::AssistantArmorer]);
        let first_ad = add(&mut w, "Dee First-AD", &[Role::FirstAd]);
        let safety = add(&mut w, "Sol Safety", &[Role::SafetyAdvisor]);
        let performer = add(&mut w, "Pat Performer", &[Role::Performer]);
        let performer2 = add(&mut w, "Quinn Performer", &[Role::Performer]);
        let crew = add(&mut w, "Cam Grip", &[Role::Crew]);
        let auditor = add(&mut w, "Audrey Auditor", &[Role::Auditor]);
        let producer = add(&mut w, "Pru Producer", &[Role::Producer]);

        let fa_kinds = [FirearmKind::RealFiring, FirearmKind::BlankAdapted];
        for (who, cred) in [
            (&armorer, credential(CredentialKind::Licence, Date::constant(2028, 1, 31), &fa_kinds)),
            (&assistant, credential(CredentialKind::Certification, Date::constant(2027, 3, 31), &fa_kinds)),
            (&performer, credential(CredentialKind::Permit, Date::constant(2027, 6, 30), &[FirearmKind::BlankAdapted])),
            // A safety course is not a licence, whatever it says it covers (R-ROLE-2).
            (
                &performer2,
                credential(CredentialKind::SafetyCourse, Date::constant(2027, 12, 31), &[FirearmKind::BlankAdapted]),
            ),
        ] {
            w.ok(&admin, Command::RecordCredential { person: who.clone(), credential: cred });
        }
        let arm = by(&armorer);
        w.ok(&arm, Command::ApproveSupplier { supplier: SUPPLIER.into() });
        let safe = location_of(&w.ok(
            &admin,
            Command::AddLocation {
                name: "Weapons safe".into(),
                kind: LocationKind::Safe,
                authorised: [armorer.clone(), assistant.clone()].into(),
            },
        ));
        let cart = location_of(&w.ok(
            &admin,
            Command::AddLocation {
                name: "Prop cart".into(),
                kind: LocationKind::Cart,
                authorised: [armorer.clone(), first_ad.clone()].into(),
            },
        ));

        let blank_gun = firearm_of(&w.ok(&arm, intake_firearm(FirearmKind::BlankAdapted, "B-100")));
        let real_gun = firearm_of(&w.ok(&arm, intake_firearm(FirearmKind::RealFiring, "R-200")));
        let replica = firearm_of(&w.ok(&arm, intake_firearm(FirearmKind::Replica, "REP-300")));
        let rubber = firearm_of(&w.ok(&arm, intake_firearm(FirearmKind::RubberTraining, "RUB-400")));

        let lot = |w: &mut World,
                   class: AmmoClass,
                   rounds: u32,
                   prov: Provenance,
                   label: &str,
                   verify: Option<VerificationMethod>| {
            let (lot, ct) = lot_of(&w.ok(&arm, intake_lot(class, rounds, prov, label)));
            if let Some(method) = verify {
                w.ok(
                    &arm,
                    Command::VerifyLot { lot: lot.clone(), method, rounds_checked: rounds, other_class_found: 0 },
                );
            }
            (lot, ct)
        };
        let (dummy_lot, dummies) =
            lot(&mut w, AmmoClass::Dummy, 50, provenance(SUPPLIER), "D-1", Some(VerificationMethod::Rattle));
        let (dummy_lot_b, dummies_b) =
            lot(&mut w, AmmoClass::Dummy, 30, provenance(SUPPLIER), "D-2", Some(VerificationMethod::DrilledCase));
        let (quarter_lot, quarters) =
            lot(&mut w, quarter(), 100, provenance(SUPPLIER), "BQ-1", Some(VerificationMethod::BlankInspection));
        let (full_lot, fulls) =
            lot(&mut w, full_load(), 60, provenance(SUPPLIER), "BF-1", Some(VerificationMethod::BlankInspection));
        let mut old = provenance(SUPPLIER);
        old.previous_production = Some("Old Western (2024)".into());
        let (old_lot, old_stock) = lot(&mut w, AmmoClass::Dummy, 20, old, "D-OLD", None);

        let spare_dummies = container_of(&w.ok(
            &arm,
            Command::CreateContainer { label: "D-SPARE".into(), class: AmmoClass::Dummy, calibre: CALIBRE.into() },
        ));
        let spare_quarters = container_of(&w.ok(
            &arm,
            Command::CreateContainer { label: "BQ-SPARE".into(), class: quarter(), calibre: CALIBRE.into() },
        ));

        w.ok(&arm, Command::OpenStorage { location: safe.clone() });
        for fa in [&blank_gun, &real_gun, &replica, &rubber] {
            w.ok(&arm, Command::StoreFirearm { firearm: fa.clone(), location: safe.clone() });
        }
        for ct in [&dummies, &dummies_b, &quarters, &fulls, &old_stock] {
            w.ok(&arm, Command::StoreContainer { container: ct.clone(), location: safe.clone() });
        }
        w.ok(&arm, Command::CloseStorage { location: safe.clone() });

        Prod {
            w,
            admin,
            armorer,
            assistant,
            first_ad,
            safety,
            performer,
            performer2,
            crew,
            auditor,
            producer,
            safe,
            cart,
            blank_gun,
            real_gun,
            replica,
            rubber,
            dummy_lot,
            dummies,
            dummy_lot_b,
            dummies_b,
            quarter_lot,
            quarters,
            full_lot,
            fulls,
            old_lot,
            old_stock,
            spare_dummies,
            spare_quarters,
        }
    }

    fn arm(&self) -> Actor {
        by(&self.armorer)
    }

    fn add_person(&mut self, name: &str, roles: &[Role]) -> PersonId {
        let admin = self.admin.clone();
        person_of(&self.w.ok(&admin, Command::AddPerson { name: name.into(), roles: roles.iter().copied().collect() }))
    }

    fn credit(&mut self, person: PersonId, cred: Credential) {
        let admin = self.admin.clone();
        self.w.ok(&admin, Command::RecordCredential { person, credential: cred });
    }

    /// The armorer opens a location unless it is open already.
    fn open(&mut self, location: LocationId) {
        if self.w.state.locations[&location].opened.is_none() {
            let arm = self.arm();
            self.w.ok(&arm, Command::OpenStorage { location });
        }
    }

    fn close(&mut self, location: LocationId) {
        let arm = self.arm();
        self.w.ok(&arm, Command::CloseStorage { location });
    }

    /// The armorer takes a firearm out of the safe.
    fn take(&mut self, firearm: FirearmId) {
        self.open(self.safe.clone());
        let arm = self.arm();
        self.w.ok(&arm, Command::TakeFirearm { firearm });
    }

    /// The armorer takes a container out of the safe.
    fn take_ct(&mut self, container: ContainerId) {
        self.open(self.safe.clone());
        let arm = self.arm();
        self.w.ok(&arm, Command::TakeContainer { container });
    }

    /// The armorer takes a firearm out of the safe and hands it to someone.
    fn hand(&mut self, firearm: FirearmId, to: PersonId) {
        self.take(firearm.clone());
        let arm = self.arm();
        self.w.ok(&arm, Command::HandOff { firearm, to });
    }

    /// The armorer moves a firearm from the safe to the (open) prop cart.
    fn put_on_cart(&mut self, firearm: FirearmId) {
        self.take(firearm.clone());
        self.open(self.cart.clone());
        let arm = self.arm();
        let location = self.cart.clone();
        self.w.ok(&arm, Command::StoreFirearm { firearm, location });
    }

    fn withdraw(&mut self, firearm: FirearmId) {
        let arm = self.arm();
        self.w.ok(&arm, Command::WithdrawFirearm { firearm, reason: "cylinder does not index".into() });
    }

    fn repair(&self, firearm: FirearmId) -> Command {
        Command::RecordRepair {
            firearm,
            repaired_by: "J. Smith, licensed gunsmith".into(),
            notes: "hand and cylinder stop replaced; function-checked".into(),
        }
    }

    /// The armorer takes in a new dummy lot (stays with her, in quarantine).
    fn new_dummy_lot(&mut self, label: &str, prov: Provenance) -> (LotId, ContainerId) {
        let arm = self.arm();
        lot_of(&self.w.ok(&arm, intake_lot(AmmoClass::Dummy, 12, prov, label)))
    }

    fn count(&self, ct: &ContainerId) -> u64 {
        self.w.state.containers[ct].count()
    }
}

// ---- the gate table ------------------------------------------------------------------------

/// What a case expects: allowed (with the kind of its first event), or refused with
/// exactly these rule ids.
enum Expect {
    Allowed(&'static str),
    Refused(&'static [R]),
}
use Expect::{Allowed, Refused};

struct Case {
    /// The rule this row is about.
    proves: R,
    name: &'static str,
    expect: Expect,
    /// Brings the standard production to the situation, then says who asks for what.
    step: fn(&mut Prod) -> (Actor, Command),
}

fn case(proves: R, name: &'static str, expect: Expect, step: fn(&mut Prod) -> (Actor, Command)) -> Case {
    Case { proves, name, expect, step }
}

fn run_case(c: &Case) {
    let mut p = Prod::new();
    let (actor, cmd) = (c.step)(&mut p);
    match &c.expect {
        Allowed(kind) => {
            let events =
                p.w.run(&actor, cmd).unwrap_or_else(|e| panic!("[{}] {}: expected allowed, got {e}", c.proves, c.name));
            assert_eq!(events.first().map(Event::kind), Some(*kind), "[{}] {}", c.proves, c.name);
        }
        Refused(expected) => {
            let d = p.w.refused(&actor, cmd);
            assert_eq!(d.rule_ids(), ids(expected), "[{}] {}: {d}", c.proves, c.name);
            assert_explained(&d);
        }
    }
}

/// The rule ids `decide` enforces today. `enforced_rules_match_decide_rs` keeps this list
/// honest; `every_enforced_rule_has_refused_and_allowed_cases` keeps the table complete.
const ENFORCED: &[R] = &[
    R::Role1,
    R::Role2,
    R::Store1,
    R::Store2,
    R::Store3,
    R::Store4,
    R::Store5,
    R::Ammo1,
    R::Ammo2,
    R::Ammo3,
    R::Ammo4,
    R::Ammo5,
    R::Hand1,
    R::Hand2,
    R::Hand5,
    R::Rec3,
    R::Rec6,
];

fn all_cases() -> Vec<Case> {
    let mut v = Vec::new();
    v.extend(role_cases());
    v.extend(store_cases());
    v.extend(ammo_cases());
    v.extend(hand_cases());
    v.extend(record_cases());
    v
}

fn run_rule(rule: R) {
    let cases: Vec<Case> = all_cases().into_iter().filter(|c| c.proves == rule).collect();
    assert!(!cases.is_empty(), "no case for {rule}");
    for c in &cases {
        run_case(c);
    }
}

/// R-ROLE-1 (one custodian; custody moves only by a recorded transfer) and R-ROLE-2
/// (an in-date licence covering the kind, to take custody).
fn role_cases() -> Vec<Case> {
    vec![
        case(R::Role1, "assistant stores a firearm the armorer holds", Refused(&[R::Role1]), |p| {
            p.take(p.blank_gun.clone());
            (by(&p.assistant), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Role1, "the armorer stores the firearm she holds", Allowed("firearm.stored"), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Role1, "taking a firearm that is not in storage", Refused(&[R::Role1]), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone() })
        }),
        case(R::Role1, "the armorer collects a firearm she holds herself", Refused(&[R::Role1]), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::Collect { firearm: p.blank_gun.clone() })
        }),
        case(R::Role1, "collecting a firearm that is in the safe", Refused(&[R::Role1]), |p| {
            (p.arm(), Command::Collect { firearm: p.replica.clone() })
        }),
        case(R::Role1, "the armorer collects from the performer", Allowed("firearm.collected"), |p| {
            p.hand(p.blank_gun.clone(), p.performer.clone());
            (p.arm(), Command::Collect { firearm: p.blank_gun.clone() })
        }),
        case(R::Role1, "handing a container to oneself", Refused(&[R::Role1]), |p| {
            (p.arm(), Command::HandContainer { container: p.spare_dummies.clone(), to: p.armorer.clone() })
        }),
        case(R::Role1, "handing a container one does not hold", Refused(&[R::Role1]), |p| {
            (by(&p.assistant), Command::HandContainer { container: p.spare_dummies.clone(), to: p.armorer.clone() })
        }),
        case(R::Role1, "handing the container to the assistant armorer", Allowed("container.handed_over"), |p| {
            (p.arm(), Command::HandContainer { container: p.spare_dummies.clone(), to: p.assistant.clone() })
        }),
        case(R::Role1, "moving rounds out of a container someone else holds", Refused(&[R::Role1]), |p| {
            p.take_ct(p.dummies.clone());
            let arm = p.arm();
            p.w.ok(&arm, Command::HandContainer { container: p.spare_dummies.clone(), to: p.assistant.clone() });
            (by(&p.assistant), Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 5 })
        }),
        case(R::Role1, "taking a container that is not in storage", Refused(&[R::Role1]), |p| {
            (p.arm(), Command::TakeContainer { container: p.spare_dummies.clone() })
        }),
        case(R::Role1, "storing a container one does not hold", Refused(&[R::Role1]), |p| {
            p.open(p.safe.clone());
            (by(&p.assistant), Command::StoreContainer { container: p.spare_dummies.clone(), location: p.safe.clone() })
        }),
        case(R::Role1, "the armorer stores the container she holds", Allowed("container.stored"), |p| {
            p.open(p.safe.clone());
            (p.arm(), Command::StoreContainer { container: p.spare_dummies.clone(), location: p.safe.clone() })
        }),
        // R-ROLE-2
        case(
            R::Role2,
            "a performer with only a safety course receives a blank-adapted firearm",
            Refused(&[R::Role2]),
            |p| {
                p.take(p.blank_gun.clone());
                (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer2.clone() })
            },
        ),
        case(
            R::Role2,
            "a performer with an in-date permit for blank-adapted receives one",
            Allowed("firearm.handed_off"),
            |p| {
                p.take(p.blank_gun.clone());
                (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone() })
            },
        ),
        case(R::Role2, "a blank-adapted permit does not cover a real firing firearm", Refused(&[R::Role2]), |p| {
            p.take(p.real_gun.clone());
            (p.arm(), Command::HandOff { firearm: p.real_gun.clone(), to: p.performer.clone() })
        }),
        case(R::Role2, "a credential for real firing only does not cover blank-adapted", Refused(&[R::Role2]), |p| {
            let newcomer = p.add_person("Nat Newcomer", &[Role::Performer]);
            p.credit(
                newcomer.clone(),
                credential(CredentialKind::Licence, Date::constant(2027, 1, 1), &[FirearmKind::RealFiring]),
            );
            p.take(p.blank_gun.clone());
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: newcomer })
        }),
        case(R::Role2, "a replica needs no licence", Allowed("firearm.handed_off"), |p| {
            p.take(p.replica.clone());
            (p.arm(), Command::HandOff { firearm: p.replica.clone(), to: p.performer2.clone() })
        }),
        case(
            R::Role2,
            "the assistant armorer's certification expired: no taking a real firearm out",
            Refused(&[R::Role2]),
            |p| {
                p.open(p.safe.clone());
                p.w.ctx.today = Date::constant(2027, 4, 1);
                (by(&p.assistant), Command::TakeFirearm { firearm: p.real_gun.clone() })
            },
        ),
        case(
            R::Role2,
            "the assistant armorer takes a real firearm out on the certification's last day",
            Allowed("firearm.taken_out"),
            |p| {
                p.open(p.safe.clone());
                p.w.ctx.today = Date::constant(2027, 3, 31);
                (by(&p.assistant), Command::TakeFirearm { firearm: p.real_gun.clone() })
            },
        ),
        case(R::Role2, "an armorer without a licence cannot take a firing firearm in", Refused(&[R::Role2]), |p| {
            let new_armorer = p.add_person("Rook Armorer", &[Role::Armorer]);
            (by(&new_armorer), intake_firearm(FirearmKind::BlankAdapted, "B-999"))
        }),
    ]
}

/// R-STORE-1..5: storage, supervision of ammunition, who opens storage, counts, intake.
fn store_cases() -> Vec<Case> {
    vec![
        case(R::Store1, "storing a firearm declared loaded with blanks", Refused(&[R::Store1]), |p| {
            p.take(p.blank_gun.clone());
            // There is no load command yet: set the declared load directly.
            p.w.state.firearms.get_mut(&p.blank_gun).unwrap().load =
                LoadState::Blanks { count: 5, load: "quarter".into() };
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Store1, "storing a firearm declared loaded with dummies", Refused(&[R::Store1]), |p| {
            p.take(p.replica.clone());
            p.w.state.firearms.get_mut(&p.replica).unwrap().load = LoadState::Dummies { count: 6 };
            (p.arm(), Command::StoreFirearm { firearm: p.replica.clone(), location: p.safe.clone() })
        }),
        case(R::Store1, "storing a firearm declared empty", Allowed("firearm.stored"), |p| {
            p.take(p.blank_gun.clone());
            p.w.state.firearms.get_mut(&p.blank_gun).unwrap().load = LoadState::Empty;
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
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
            (by(&p.first_ad), Command::TakeContainer { container: p.dummies.clone() })
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
                by(&p.first_ad),
                Command::CreateContainer { label: "AD-BOX".into(), class: AmmoClass::Dummy, calibre: CALIBRE.into() },
            )
        }),
        case(R::Store2, "the assistant armorer makes up an ammunition container", Allowed("container.created"), |p| {
            (
                by(&p.assistant),
                Command::CreateContainer { label: "D-3".into(), class: AmmoClass::Dummy, calibre: CALIBRE.into() },
            )
        }),
        // R-STORE-3
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
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone() })
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
                (by(&p.assistant), Command::TakeFirearm { firearm: p.replica.clone() })
            },
        ),
        case(R::Store3, "the armorer stores into a cart she is not authorised for", Refused(&[R::Store3]), |p| {
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
            p.w.ok(&by(&p.first_ad), Command::OpenStorage { location: van.clone() });
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
        // R-STORE-5
        case(R::Store5, "handing off an unknown firearm", Refused(&[R::Store5]), |p| {
            (p.arm(), Command::HandOff { firearm: FirearmId::parse("fa-99").unwrap(), to: p.performer.clone() })
        }),
        case(R::Store5, "taking an unknown firearm out", Refused(&[R::Store5]), |p| {
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: FirearmId::parse("fa-99").unwrap() })
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
        case(R::Store5, "the 1st AD takes a replica into the production", Refused(&[R::Store5]), |p| {
            (by(&p.first_ad), intake_firearm(FirearmKind::Replica, "REP-301"))
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
        case(R::Store5, "a correction may not give a firearm another firearm's serial", Refused(&[R::Store5]), |p| {
            (
                p.arm(),
                Command::CorrectFirearmDetails {
                    firearm: p.real_gun.clone(),
                    corrects_seq: 1,
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

/// R-AMMO-1..5: no live rounds, verified dummies, approved suppliers, provenance and
/// quarantine, one class per container.
fn ammo_cases() -> Vec<Case> {
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
        case(R::Ammo1, "taking in a lot of half-load blanks", Allowed("lot.received"), |p| {
            (p.arm(), intake_lot(AmmoClass::Blank { load: "half".into() }, 50, provenance(SUPPLIER), "BH-1"))
        }),
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
                by(&p.first_ad),
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
    ]
}

/// R-HAND-1 (armorer side takes firearms out), R-HAND-2 (only the armorer hands over and
/// collects), R-HAND-5 (withdrawn until repaired).
fn hand_cases() -> Vec<Case> {
    vec![
        case(R::Hand1, "the 1st AD takes a replica off the cart he may open", Refused(&[R::Hand1]), |p| {
            p.put_on_cart(p.replica.clone());
            (by(&p.first_ad), Command::TakeFirearm { firearm: p.replica.clone() })
        }),
        case(R::Hand1, "the 1st AD takes a blank-adapted firearm off the cart", Refused(&[R::Hand1, R::Role2]), |p| {
            p.put_on_cart(p.blank_gun.clone());
            (by(&p.first_ad), Command::TakeFirearm { firearm: p.blank_gun.clone() })
        }),
        case(R::Hand1, "the armorer takes the replica off the cart", Allowed("firearm.taken_out"), |p| {
            p.put_on_cart(p.replica.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.replica.clone() })
        }),
        case(R::Hand1, "the assistant armorer takes a firearm out of the safe", Allowed("firearm.taken_out"), |p| {
            p.open(p.safe.clone());
            (by(&p.assistant), Command::TakeFirearm { firearm: p.blank_gun.clone() })
        }),
        // R-HAND-2
        case(R::Hand2, "the 1st AD hands a gun he does not hold to a performer", Refused(&[R::Role1, R::Hand2]), |p| {
            p.take(p.blank_gun.clone());
            (by(&p.first_ad), Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone() })
        }),
        case(R::Hand2, "the 1st AD, somehow holding the gun, hands it to a performer", Refused(&[R::Hand2]), |p| {
            p.take(p.blank_gun.clone());
            p.w.state.firearms.get_mut(&p.blank_gun).unwrap().holder = Holder::Person { person: p.first_ad.clone() };
            (by(&p.first_ad), Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone() })
        }),
        case(R::Hand2, "the armorer hands the replica to the 1st AD", Refused(&[R::Hand2]), |p| {
            p.take(p.replica.clone());
            (p.arm(), Command::HandOff { firearm: p.replica.clone(), to: p.first_ad.clone() })
        }),
        case(
            R::Hand2,
            "the armorer hands a blank-adapted firearm to a crew member",
            Refused(&[R::Hand2, R::Role2]),
            |p| {
                p.take(p.blank_gun.clone());
                (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.crew.clone() })
            },
        ),
        case(R::Hand2, "the armorer hands a firearm to herself", Refused(&[R::Hand2]), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.armorer.clone() })
        }),
        case(R::Hand2, "the assistant armorer hands a firearm to a performer", Refused(&[R::Hand2]), |p| {
            p.hand(p.blank_gun.clone(), p.assistant.clone());
            (by(&p.assistant), Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone() })
        }),
        case(R::Hand2, "a performer passes the gun to another performer", Refused(&[R::Hand2]), |p| {
            p.hand(p.replica.clone(), p.performer.clone());
            (by(&p.performer), Command::HandOff { firearm: p.replica.clone(), to: p.performer2.clone() })
        }),
        case(R::Hand2, "the assistant armorer collects from a performer", Refused(&[R::Hand2]), |p| {
            p.hand(p.blank_gun.clone(), p.performer.clone());
            (by(&p.assistant), Command::Collect { firearm: p.blank_gun.clone() })
        }),
        case(R::Hand2, "the 1st AD collects the replica from a performer", Refused(&[R::Hand2]), |p| {
            p.hand(p.replica.clone(), p.performer.clone());
            (by(&p.first_ad), Command::Collect { firearm: p.replica.clone() })
        }),
        case(R::Hand2, "the armorer hands the firearm to the assistant armorer", Allowed("firearm.handed_off"), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.assistant.clone() })
        }),
        case(R::Hand2, "the armorer collects from the assistant armorer", Allowed("firearm.collected"), |p| {
            p.hand(p.blank_gun.clone(), p.assistant.clone());
            (p.arm(), Command::Collect { firearm: p.blank_gun.clone() })
        }),
        // R-HAND-5
        case(R::Hand5, "handing off a withdrawn firearm", Refused(&[R::Hand5]), |p| {
            p.take(p.blank_gun.clone());
            p.withdraw(p.blank_gun.clone());
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone() })
        }),
        case(R::Hand5, "handing off a firearm once its repair is recorded", Allowed("firearm.handed_off"), |p| {
            p.take(p.blank_gun.clone());
            p.withdraw(p.blank_gun.clone());
            let (arm, repair) = (p.arm(), p.repair(p.blank_gun.clone()));
            p.w.ok(&arm, repair);
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone() })
        }),
        case(R::Hand5, "taking a withdrawn firearm out of storage", Refused(&[R::Hand5]), |p| {
            p.withdraw(p.blank_gun.clone());
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone() })
        }),
        case(R::Hand5, "a withdrawn firearm can still be collected and stored", Allowed("firearm.stored"), |p| {
            p.hand(p.blank_gun.clone(), p.performer.clone());
            p.withdraw(p.blank_gun.clone());
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
            (p.arm(), Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() })
        }),
        case(R::Hand5, "a performer withdraws a firearm", Refused(&[R::Hand5]), |p| {
            (by(&p.performer), Command::WithdrawFirearm { firearm: p.blank_gun.clone(), reason: "feels wrong".into() })
        }),
        case(R::Hand5, "withdrawing a firearm twice", Refused(&[R::Hand5]), |p| {
            p.withdraw(p.blank_gun.clone());
            (p.arm(), Command::WithdrawFirearm { firearm: p.blank_gun.clone(), reason: "again".into() })
        }),
        case(R::Hand5, "the assistant armorer withdraws a faulty firearm", Allowed("firearm.withdrawn"), |p| {
            (
                by(&p.assistant),
                Command::WithdrawFirearm { firearm: p.blank_gun.clone(), reason: "bent ejector rod".into() },
            )
        }),
        case(R::Hand5, "recording a repair of a firearm that is not withdrawn", Refused(&[R::Hand5]), |p| {
            (p.arm(), p.repair(p.blank_gun.clone()))
        }),
        case(R::Hand5, "a crew member records a repair", Refused(&[R::Hand5]), |p| {
            p.withdraw(p.blank_gun.clone());
            (by(&p.crew), p.repair(p.blank_gun.clone()))
        }),
    ]
}

/// R-REC-3 (disposition is recorded; a disposed firearm is out) and R-REC-6 (corrections
/// reference an existing record).
fn record_cases() -> Vec<Case> {
    fn disposed(p: &mut Prod, fa: FirearmId) {
        p.take(fa.clone());
        let arm = p.arm();
        p.w.ok(
            &arm,
            Command::DisposeFirearm { firearm: fa, disposition: DispositionKind::Destroyed, to: rental_house() },
        );
    }
    vec![
        case(R::Rec3, "handing off a disposed firearm", Refused(&[R::Rec3]), |p| {
            disposed(p, p.blank_gun.clone());
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone() })
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
            (
                by(&p.first_ad),
                Command::PlanScene {
                    number: "12".into(),
                    description: "saloon".into(),
                    day: TODAY,
                    firearms: vec![p.blank_gun.clone()],
                },
            )
        }),
        case(R::Rec3, "the assistant armorer disposes of a firearm she holds", Refused(&[R::Rec3]), |p| {
            p.hand(p.replica.clone(), p.assistant.clone());
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

mod gates {
    //! One test per enforced rule id: every row of the table for that rule.
    use super::*;

    #[test]
    fn r_role_1_one_custodian() {
        run_rule(R::Role1);
    }
    #[test]
    fn r_role_2_in_date_licence_covering_the_kind() {
        run_rule(R::Role2);
    }
    #[test]
    fn r_store_1_stored_unloaded() {
        run_rule(R::Store1);
    }
    #[test]
    fn r_store_2_ammunition_stays_with_the_armorer() {
        run_rule(R::Store2);
    }
    #[test]
    fn r_store_3_only_authorised_people_open_storage() {
        run_rule(R::Store3);
    }
    #[test]
    fn r_store_4_counts() {
        run_rule(R::Store4);
    }
    #[test]
    fn r_store_5_nothing_without_intake() {
        run_rule(R::Store5);
    }
    #[test]
    fn r_ammo_1_no_live_rounds() {
        run_rule(R::Ammo1);
    }
    #[test]
    fn r_ammo_2_verified_before_use() {
        run_rule(R::Ammo2);
    }
    #[test]
    fn r_ammo_3_approved_suppliers_only() {
        run_rule(R::Ammo3);
    }
    #[test]
    fn r_ammo_4_provenance_and_quarantine() {
        run_rule(R::Ammo4);
    }
    #[test]
    fn r_ammo_5_one_class_per_container() {
        run_rule(R::Ammo5);
    }
    #[test]
    fn r_hand_1_armorer_side_takes_firearms_out() {
        run_rule(R::Hand1);
    }
    #[test]
    fn r_hand_2_only_the_armorer_hands_over_and_collects() {
        run_rule(R::Hand2);
    }
    #[test]
    fn r_hand_5_withdrawn_until_repaired() {
        run_rule(R::Hand5);
    }
    #[test]
    fn r_rec_3_disposed_firearms_are_out() {
        run_rule(R::Rec3);
    }
    #[test]
    fn r_rec_6_corrections_reference_a_record() {
        run_rule(R::Rec6);
    }

    /// The table has, for every enforced rule, a refusal naming it and an allowed case.
    #[test]
    fn every_enforced_rule_has_refused_and_allowed_cases() {
        let cases = all_cases();
        for rule in ENFORCED {
            let refused =
                cases.iter().any(|c| c.proves == *rule && matches!(c.expect, Refused(ids) if ids.contains(rule)));
            let allowed = cases.iter().any(|c| c.proves == *rule && matches!(c.expect, Allowed(_)));
            assert!(refused, "no refusal case for {rule}");
            assert!(allowed, "no allowed case for {rule}");
        }
        for c in &cases {
            assert!(ENFORCED.contains(&c.proves), "{}: {} is not enforced", c.name, c.proves);
        }
    }

    /// ENFORCED is exactly the set of rule ids decide.rs names: a rule added to the decider
    /// without cases here fails this test.
    #[test]
    fn enforced_rules_match_decide_rs() {
        let source = include_str!("../src/decide.rs");
        let mut named = BTreeSet::new();
        for (i, _) in source.match_indices("RuleId::") {
            let rest = &source[i + "RuleId::".len()..];
            let ident: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            if let Some(rule) = R::ALL.iter().find(|r| format!("{r:?}") == ident) {
                named.insert(*rule);
            }
        }
        let enforced: BTreeSet<R> = ENFORCED.iter().copied().collect();
        assert_eq!(named, enforced);
    }

    /// R-ROLE-2 at the edges of a credential's validity: good through its expiry day,
    /// refused the day after.
    #[test]
    fn a_credential_is_in_date_through_its_expiry_day_and_not_after() {
        let mut p = Prod::new();
        let expiry = Date::constant(2026, 12, 15);
        let newcomer = p.add_person("Nat Newcomer", &[Role::Performer]);
        p.credit(newcomer.clone(), credential(CredentialKind::Permit, expiry, &[FirearmKind::BlankAdapted]));
        p.take(p.blank_gun.clone());
        let cmd = Command::HandOff { firearm: p.blank_gun.clone(), to: newcomer };
        for (today, allowed) in
            [(expiry.yesterday().unwrap(), true), (expiry, true), (expiry.tomorrow().unwrap(), false)]
        {
            let ctx = Context { now: p.w.ctx.now, today };
            match decide(&p.w.state, &ctx, &p.arm(), &cmd) {
                Ok(events) => {
                    assert!(allowed, "allowed on {today}");
                    assert_eq!(events.len(), 1);
                }
                Err(DomainError::Denied(d)) => {
                    assert!(!allowed, "refused on {today}: {d}");
                    assert_eq!(d.rule_ids(), vec![R::Role2]);
                }
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
    }

    /// A quarantined lot from another production says why, naming R-AMMO-4.
    #[test]
    fn stock_from_another_production_is_quarantined_naming_r_ammo_4() {
        let p = Prod::new();
        match &p.w.state.lots[&p.old_lot].state {
            LotState::Quarantined { reason } => assert!(reason.contains("R-AMMO-4"), "{reason}"),
            other => panic!("expected quarantine, got {other:?}"),
        }
        // New stock is quarantined too, until verified (R-AMMO-2).
        let mut p = p;
        let (lot, _) = p.new_dummy_lot("D-NEW", provenance(SUPPLIER));
        match &p.w.state.lots[&lot].state {
            LotState::Quarantined { reason } => assert!(reason.contains("R-AMMO-2"), "{reason}"),
            other => panic!("expected quarantine, got {other:?}"),
        }
    }

    /// R-STORE-4: a refused move leaves every count as it was; an allowed one moves exactly
    /// the rounds asked for, oldest lot first, and the total is unchanged.
    #[test]
    fn moving_rounds_keeps_the_counts() {
        let mut p = Prod::new();
        p.take_ct(p.dummies.clone());
        p.take_ct(p.dummies_b.clone());
        let arm = p.arm();
        p.w.ok(&arm, Command::MoveRounds { from: p.dummies_b.clone(), to: p.dummies.clone(), rounds: 30 });
        assert_eq!(p.count(&p.dummies), 80);
        assert_eq!(p.count(&p.dummies_b), 0);

        let d =
            p.w.refused(&arm, Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 81 });
        assert_eq!(d.rule_ids(), vec![R::Store4]);
        assert_eq!(p.count(&p.dummies), 80);
        assert_eq!(p.count(&p.spare_dummies), 0);

        let events =
            p.w.ok(&arm, Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 60 });
        assert_eq!(
            events,
            vec![
                Event::RoundsMoved {
                    from: p.dummies.clone(),
                    to: p.spare_dummies.clone(),
                    lot: p.dummy_lot.clone(),
                    rounds: 50,
                },
                Event::RoundsMoved {
                    from: p.dummies.clone(),
                    to: p.spare_dummies.clone(),
                    lot: p.dummy_lot_b.clone(),
                    rounds: 10,
                },
            ]
        );
        assert_eq!(p.count(&p.dummies), 20);
        assert_eq!(p.count(&p.spare_dummies), 60);
        assert_eq!(p.w.state.containers[&p.dummies].contents, BTreeMap::from([(p.dummy_lot_b.clone(), 20)]));
    }

    /// Moving zero rounds, or within one container, is malformed input, not a rule refusal.
    #[test]
    fn moving_nothing_or_in_place_is_invalid() {
        let mut p = Prod::new();
        p.take_ct(p.dummies.clone());
        let arm = p.arm();
        for (from, to, rounds) in
            [(p.dummies.clone(), p.spare_dummies.clone(), 0), (p.dummies.clone(), p.dummies.clone(), 1)]
        {
            let r = p.w.run(&arm, Command::MoveRounds { from, to, rounds });
            assert!(matches!(r, Err(DomainError::Invalid { .. })), "{r:?}");
        }
    }
}

mod refusals {
    //! A refusal lists every failing rule, explains each, and changes nothing.
    use super::*;

    /// The 1st AD hands the withdrawn blank gun the armorer holds to a performer with no
    /// licence: four rules fail at once, all named.
    #[test]
    fn a_refusal_names_every_failing_rule() {
        let mut p = Prod::new();
        p.take(p.blank_gun.clone());
        p.withdraw(p.blank_gun.clone());
        let d =
            p.w.refused(&by(&p.first_ad), Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer2.clone() });
        assert_eq!(d.rule_ids(), ids(&[R::Role1, R::Role2, R::Hand2, R::Hand5]));
        assert_eq!(d.violations.len(), 4);
        assert_explained(&d);
        let text = d.to_string();
        for rule in d.rule_ids() {
            assert!(text.contains(&format!("[{rule}]")), "{text}");
        }
        assert!(text.contains("To proceed:"), "{text}");
    }

    /// A crew member brings home-made dummies from nowhere, without headstamp, under a
    /// label already in use: every problem is named, two of them under R-AMMO-3.
    #[test]
    fn an_intake_refusal_names_every_failing_rule() {
        let mut p = Prod::new();
        let mut prov = provenance("Bob's Garage Ammo");
        prov.headstamp = String::new();
        let d = p.w.refused(
            &by(&p.crew),
            Command::IntakeLot {
                class: AmmoClass::Dummy,
                calibre: CALIBRE.into(),
                rounds: 10,
                provenance: prov,
                home_made: true,
                container_label: "D-1".into(),
            },
        );
        assert_eq!(d.rule_ids(), ids(&[R::Store5, R::Ammo3, R::Ammo4, R::Ammo5]));
        assert_eq!(d.violations.iter().filter(|v| v.rule == R::Ammo3).count(), 2);
        assert_explained(&d);
    }

    /// Moving dummies into a blank container of another calibre, out of a container one
    /// does not hold, more than it holds.
    #[test]
    fn a_move_refusal_names_every_failing_rule() {
        let mut p = Prod::new();
        p.take_ct(p.quarters.clone());
        let arm = p.arm();
        p.w.ok(&arm, Command::HandContainer { container: p.quarters.clone(), to: p.assistant.clone() });
        let ct = container_of(&p.w.ok(
            &arm,
            Command::CreateContainer { label: "D-9MM".into(), class: AmmoClass::Dummy, calibre: "9mm".into() },
        ));
        let d = p.w.refused(&arm, Command::MoveRounds { from: p.quarters.clone(), to: ct, rounds: 101 });
        assert_eq!(d.rule_ids(), ids(&[R::Role1, R::Ammo5, R::Store4]));
        assert_eq!(d.violations.iter().filter(|v| v.rule == R::Ammo5).count(), 2);
        assert_explained(&d);
    }

    /// decide is pure: the same question gets the same answer, and asking changes nothing.
    /// (Every refusal in the gate table is also checked to leave state and log unchanged.)
    #[test]
    fn deciding_changes_nothing() {
        let mut p = Prod::new();
        p.take(p.blank_gun.clone());
        let before = p.w.state.clone();
        for (actor, cmd) in [
            (by(&p.first_ad), Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone() }),
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone() }),
        ] {
            let first = decide(&p.w.state, &p.w.ctx, &actor, &cmd);
            let second = decide(&p.w.state, &p.w.ctx, &actor, &cmd);
            assert_eq!(first, second);
            assert_eq!(p.w.state, before);
        }
    }

    /// A refused command returns no events and records nothing, even after a run of
    /// allowed ones.
    #[test]
    fn a_refused_command_records_nothing() {
        let mut p = Prod::new();
        p.hand(p.blank_gun.clone(), p.performer.clone());
        let rows = p.w.state.all_rows();
        let logged = p.w.log.len();
        let r = p.w.run(&by(&p.performer), Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer2.clone() });
        assert!(matches!(r, Err(DomainError::Denied(_))), "{r:?}");
        assert_eq!(p.w.state.all_rows(), rows);
        assert_eq!(p.w.log.len(), logged);
    }
}

mod permissions {
    //! The coarse permission table: who may ask at all (before any safety rule).
    use super::*;
    use coldset_domain::permissions::{Allowed as A, PERMISSIONS};

    /// Exhaustive on purpose: a new Command variant does not compile here until it has a
    /// sample in `samples` (and so a permission check below).
    fn variant_listed(c: &Command) {
        match c {
            Command::CreateProduction { .. }
            | Command::AddPerson { .. }
            | Command::AssignRole { .. }
            | Command::RemoveRole { .. }
            | Command::RecordCredential { .. }
            | Command::ApproveSupplier { .. }
            | Command::AddLocation { .. }
            | Command::OpenStorage { .. }
            | Command::CloseStorage { .. }
            | Command::IntakeFirearm { .. }
            | Command::StoreFirearm { .. }
            | Command::TakeFirearm { .. }
            | Command::HandOff { .. }
            | Command::Collect { .. }
            | Command::WithdrawFirearm { .. }
            | Command::RecordRepair { .. }
            | Command::DisposeFirearm { .. }
            | Command::CorrectFirearmDetails { .. }
            | Command::IntakeLot { .. }
            | Command::VerifyLot { .. }
            | Command::CreateContainer { .. }
            | Command::MoveRounds { .. }
            | Command::StoreContainer { .. }
            | Command::TakeContainer { .. }
            | Command::HandContainer { .. }
            | Command::PlanScene { .. } => {}
        }
    }

    /// One sample of every command, against the standard production.
    fn samples(p: &Prod) -> Vec<Command> {
        let v = vec![
            Command::CreateProduction {
                id: ProductionId::parse("prod-2").unwrap(),
                name: "Another".into(),
                time_zone: "Europe/London".into(),
                packs: vec!["uk".into()],
                compliance_contact: "x".into(),
            },
            Command::AddPerson { name: "New".into(), roles: [Role::Crew].into() },
            Command::AssignRole { person: p.crew.clone(), role: Role::Performer },
            Command::RemoveRole { person: p.performer.clone(), role: Role::Performer },
            Command::RecordCredential {
                person: p.crew.clone(),
                credential: credential(CredentialKind::SafetyCourse, TODAY, &[]),
            },
            Command::ApproveSupplier { supplier: "Other".into() },
            Command::AddLocation {
                name: "Truck".into(),
                kind: LocationKind::Truck,
                authorised: [p.armorer.clone()].into(),
            },
            Command::OpenStorage { location: p.safe.clone() },
            Command::CloseStorage { location: p.safe.clone() },
            intake_firearm(FirearmKind::Replica, "NEW-1"),
            Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() },
            Command::TakeFirearm { firearm: p.blank_gun.clone() },
            Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone() },
            Command::Collect { firearm: p.blank_gun.clone() },
            Command::WithdrawFirearm { firearm: p.blank_gun.clone(), reason: "x".into() },
            Command::RecordRepair { firearm: p.blank_gun.clone(), repaired_by: "x".into(), notes: "x".into() },
            Command::DisposeFirearm {
                firearm: p.blank_gun.clone(),
                disposition: DispositionKind::Destroyed,
                to: rental_house(),
            },
            Command::CorrectFirearmDetails {
                firearm: p.blank_gun.clone(),
                corrects_seq: 1,
                reason: "x".into(),
                make: "x".into(),
                model: "x".into(),
                serial: "x".into(),
                calibre: "x".into(),
            },
            intake_lot(quarter(), 1, provenance(SUPPLIER), "NEW-LABEL"),
            Command::VerifyLot {
                lot: p.old_lot.clone(),
                method: VerificationMethod::Rattle,
                rounds_checked: 20,
                other_class_found: 0,
            },
            Command::CreateContainer { label: "NEW-BOX".into(), class: AmmoClass::Dummy, calibre: CALIBRE.into() },
            Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 1 },
            Command::StoreContainer { container: p.spare_dummies.clone(), location: p.safe.clone() },
            Command::TakeContainer { container: p.dummies.clone() },
            Command::HandContainer { container: p.spare_dummies.clone(), to: p.assistant.clone() },
            Command::PlanScene {
                number: "1".into(),
                description: "x".into(),
                day: TODAY,
                firearms: vec![p.blank_gun.clone()],
            },
        ];
        v.iter().for_each(variant_listed);
        v
    }

    fn allowed(name: &str) -> A {
        PERMISSIONS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| *a)
            .unwrap_or_else(|| panic!("{name} is not in the permission table"))
    }

    /// Every command name is in the table, and every name in the table is a command.
    #[test]
    fn the_table_and_the_commands_name_the_same_things() {
        let p = Prod::new();
        let names: Vec<&str> = samples(&p).iter().map(Command::name).collect();
        let sample_names: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(sample_names.len(), names.len(), "two samples of one command");
        let table: Vec<&str> = PERMISSIONS.iter().map(|(n, _)| *n).collect();
        let table_names: BTreeSet<&str> = table.iter().copied().collect();
        assert_eq!(table_names.len(), table.len(), "a command twice in the table");
        assert_eq!(sample_names, table_names);
    }

    /// The auditor reads only: every command is Forbidden, before any rule is checked.
    #[test]
    fn the_auditor_cannot_issue_any_command() {
        let p = Prod::new();
        for cmd in samples(&p) {
            let r = decide(&p.w.state, &p.w.ctx, &by(&p.auditor), &cmd);
            assert!(matches!(r, Err(DomainError::Forbidden(_))), "auditor {}: {r:?}", cmd.name());
        }
    }

    /// An installation admin account does setup, never custody: every command open to
    /// "any working member" is Forbidden to it; setup commands are not.
    #[test]
    fn an_installation_admin_does_no_custody_step() {
        let p = Prod::new();
        let mut custody = 0;
        for cmd in samples(&p) {
            let r = decide(&p.w.state, &p.w.ctx, &p.admin, &cmd);
            match allowed(cmd.name()) {
                A::AnyWorkingMember => {
                    custody += 1;
                    assert!(matches!(r, Err(DomainError::Forbidden(_))), "admin {}: {r:?}", cmd.name());
                }
                A::InstallationAdmin | A::Roles(_) => {
                    assert!(!matches!(r, Err(DomainError::Forbidden(_))), "admin {}: {r:?}", cmd.name())
                }
            }
        }
        assert!(custody >= 15, "only {custody} custody commands");
        for name in ["hand_off", "collect", "take_firearm", "move_rounds", "intake_lot"] {
            assert_eq!(allowed(name), A::AnyWorkingMember, "{name}");
        }
    }

    /// Role-restricted commands: a crew member is Forbidden; a person holding one of the
    /// listed roles is not. Nobody but an admin account creates a production.
    #[test]
    fn role_restricted_commands_follow_the_table() {
        let p = Prod::new();
        let people = [&p.armorer, &p.assistant, &p.first_ad, &p.safety, &p.performer, &p.crew, &p.producer];
        for cmd in samples(&p) {
            for person in people {
                let roles = &p.w.state.people[person].roles;
                let r = decide(&p.w.state, &p.w.ctx, &by(person), &cmd);
                let may = match allowed(cmd.name()) {
                    A::InstallationAdmin => false,
                    A::Roles(rs) => roles.iter().any(|r| rs.contains(r)),
                    A::AnyWorkingMember => true,
                };
                assert_eq!(
                    !matches!(r, Err(DomainError::Forbidden(_))),
                    may,
                    "{person} {:?} {}: {r:?}",
                    roles,
                    cmd.name()
                );
            }
        }
    }

    /// Custody commands are open to everyone working, so the wrong person is refused by
    /// the safety rule that forbids it, by id, not with an anonymous "forbidden".
    #[test]
    fn the_wrong_person_is_refused_by_rule_id_not_forbidden() {
        let mut p = Prod::new();
        p.take(p.blank_gun.clone());
        let r = decide(
            &p.w.state,
            &p.w.ctx,
            &by(&p.crew),
            &Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone() },
        );
        match r {
            Err(DomainError::Denied(d)) => assert!(d.has(R::Hand2), "{d}"),
            other => panic!("{other:?}"),
        }
    }

    /// Someone who is not a member of the production is Forbidden.
    #[test]
    fn a_stranger_is_forbidden() {
        let p = Prod::new();
        let stranger = PersonId::parse("p-999").unwrap();
        for cmd in samples(&p) {
            let r = decide(&p.w.state, &p.w.ctx, &by(&stranger), &cmd);
            assert!(matches!(r, Err(DomainError::Forbidden(_))), "{r:?}");
        }
    }
}

/// A tour of the production that records every kind of event at least once.
fn tour() -> Prod {
    let mut p = Prod::new();
    let arm = p.arm();
    let admin = p.admin.clone();
    p.w.ok(&admin, Command::AssignRole { person: p.crew.clone(), role: Role::Performer });
    p.w.ok(&admin, Command::RemoveRole { person: p.crew.clone(), role: Role::Performer });
    p.w.ok(
        &by(&p.first_ad),
        Command::PlanScene {
            number: "42A".into(),
            description: "Showdown on main street; one blank fired".into(),
            day: TODAY,
            firearms: vec![p.blank_gun.clone()],
        },
    );
    p.hand(p.blank_gun.clone(), p.performer.clone());
    p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
    p.withdraw(p.blank_gun.clone());
    let repair = p.repair(p.blank_gun.clone());
    p.w.ok(&arm, repair);
    p.w.ok(&arm, Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() });
    p.w.ok(
        &arm,
        Command::CorrectFirearmDetails {
            firearm: p.real_gun.clone(),
            corrects_seq: 1,
            reason: "model name as on the rental agreement".into(),
            make: "Colt".into(),
            model: "SAA 2nd gen".into(),
            serial: "R-200".into(),
            calibre: CALIBRE.into(),
        },
    );
    p.take(p.rubber.clone());
    p.w.ok(
        &arm,
        Command::DisposeFirearm {
            firearm: p.rubber.clone(),
            disposition: DispositionKind::ReturnedToRentalHouse,
            to: rental_house(),
        },
    );
    let (bad, _) = p.new_dummy_lot("D-BAD", provenance(SUPPLIER));
    p.w.ok(
        &arm,
        Command::VerifyLot { lot: bad, method: VerificationMethod::Rattle, rounds_checked: 12, other_class_found: 1 },
    );
    p.take_ct(p.dummies.clone());
    p.w.ok(&arm, Command::MoveRounds { from: p.dummies.clone(), to: p.spare_dummies.clone(), rounds: 10 });
    p.w.ok(&arm, Command::HandContainer { container: p.spare_dummies.clone(), to: p.assistant.clone() });
    p.close(p.safe.clone());
    p
}

const ALL_EVENT_KINDS: &[&str] = &[
    "production.created",
    "person.added",
    "person.role_assigned",
    "person.role_removed",
    "credential.recorded",
    "supplier.approved",
    "location.added",
    "storage.opened",
    "storage.closed",
    "firearm.received",
    "firearm.stored",
    "firearm.taken_out",
    "firearm.handed_off",
    "firearm.collected",
    "firearm.withdrawn",
    "firearm.repaired",
    "firearm.disposed",
    "firearm.details_corrected",
    "lot.received",
    "lot.verified",
    "lot.rejected",
    "container.created",
    "rounds.moved",
    "container.stored",
    "container.taken_out",
    "container.handed_over",
    "scene.planned",
];

/// Rebuilds a state from envelopes, as start-up and the verifier do.
fn replay(log: &[Envelope]) -> ProductionState {
    let mut s = ProductionState::new();
    for env in log {
        s.apply(env).unwrap_or_else(|e| panic!("replay failed: {e}"));
    }
    s
}

mod encoding {
    //! The envelope bytes are the ledger leaf: canonical, round-tripping, and replaying
    //! them rebuilds exactly the same projections.
    use super::*;

    #[test]
    fn the_tour_records_every_kind_of_event() {
        let p = tour();
        let kinds: BTreeSet<&str> = p.w.log.iter().map(|e| e.event.kind()).collect();
        let all: BTreeSet<&str> = ALL_EVENT_KINDS.iter().copied().collect();
        assert_eq!(kinds, all);
    }

    /// encode then decode gives back the envelope; decode then encode the same bytes.
    #[test]
    fn every_event_kind_round_trips() {
        let p = tour();
        for env in &p.w.log {
            let bytes = env.encode();
            let back = Envelope::decode(&bytes).unwrap_or_else(|e| panic!("{} does not decode: {e}", env.event.kind()));
            assert_eq!(&back, env);
            assert_eq!(back.encode(), bytes);
            // Compact JSON, fields in declaration order.
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.starts_with("{\"v\":1,\"production\":\"prod-1\",\"seq\":"), "{text}");
        }
    }

    fn not_canonical(bytes: &[u8]) {
        match Envelope::decode(bytes) {
            Err(EncodingError::NotCanonical | EncodingError::Malformed(_)) => {}
            other => panic!("{} was accepted: {other:?}", String::from_utf8_lossy(bytes)),
        }
    }

    /// Writes a JSON object with its keys in reverse order (whatever serde_json's map does).
    fn reversed(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                keys.reverse();
                let fields: Vec<String> = keys
                    .iter()
                    .map(|k| format!("{}:{}", serde_json::to_string(k).unwrap(), reversed(&map[*k])))
                    .collect();
                format!("{{{}}}", fields.join(","))
            }
            other => serde_json::to_string(other).unwrap(),
        }
    }

    /// Same meaning, other bytes: refused, so a leaf has exactly one encoding.
    #[test]
    fn non_canonical_bytes_are_refused() {
        let p = tour();
        for env in &p.w.log {
            let bytes = env.encode();
            let text = String::from_utf8(bytes.clone()).unwrap();
            let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            // Whitespace.
            not_canonical(&serde_json::to_vec_pretty(env).unwrap());
            not_canonical(format!(" {text}").as_bytes());
            not_canonical(format!("{text}\n").as_bytes());
            not_canonical(text.replacen(',', ", ", 1).as_bytes());
            // Reordered keys.
            not_canonical(reversed(&value).as_bytes());
            // An extra field.
            not_canonical(text.replacen('{', "{\"note\":\"x\",", 1).as_bytes());
            // An escaped character where the canonical form writes it plainly.
            not_canonical(text.replacen("prod-1", "prod\\u002d1", 1).as_bytes());
        }
    }

    #[test]
    fn malformed_and_unknown_records_are_refused() {
        let p = tour();
        let text = String::from_utf8(p.w.log[3].encode()).unwrap();
        assert!(matches!(Envelope::decode(&text.as_bytes()[..text.len() - 1]), Err(EncodingError::Malformed(_))));
        assert!(matches!(
            Envelope::decode(text.replacen("person.added", "person.teleported", 1).as_bytes()),
            Err(EncodingError::Malformed(_))
        ));
        assert!(matches!(
            Envelope::decode(text.replacen("{\"v\":1,", "{\"v\":2,", 1).as_bytes()),
            Err(EncodingError::UnknownVersion(2))
        ));
        assert!(matches!(
            Envelope::decode(text.replacen("\"seq\":3", "\"seq\":3.0", 1).as_bytes()),
            Err(EncodingError::Malformed(_))
        ));
        assert!(matches!(Envelope::decode(b""), Err(EncodingError::Malformed(_))));
    }

    /// Replaying the recorded (and re-decoded) envelopes into a fresh state gives the same
    /// state and the same projection rows.
    #[test]
    fn replay_is_deterministic() {
        let p = tour();
        let decoded: Vec<Envelope> = p.w.log.iter().map(|e| Envelope::decode(&e.encode()).unwrap()).collect();
        let replayed = replay(&decoded);
        assert_eq!(replayed.all_rows(), p.w.state.all_rows());
        assert_eq!(replayed, p.w.state);
        assert_eq!(replay(&decoded).all_rows(), replayed.all_rows());
    }

    /// The log is strict: sequence numbers in order, one production, starting with its
    /// creation.
    #[test]
    fn apply_refuses_out_of_order_or_foreign_events() {
        let p = tour();
        let log = &p.w.log;
        let mut s = ProductionState::new();
        let mut first = log[1].clone();
        first.seq = 0;
        assert!(s.apply(&first).is_err(), "log must start with production.created");
        s.apply(&log[0]).unwrap();
        assert!(s.apply(&log[2]).is_err(), "a gap in sequence numbers");
        let mut foreign = log[1].clone();
        foreign.production = ProductionId::parse("prod-2").unwrap();
        assert!(s.apply(&foreign).is_err(), "an event of another production");
        let before = s.clone();
        let mut dup = log[0].clone();
        dup.seq = 1;
        assert!(s.apply(&dup).is_err(), "a second production.created");
        assert_eq!(s, before);
        s.apply(&log[1]).unwrap();
    }
}

mod invariants {
    //! Random sequences of custody commands by random people; only allowed ones are
    //! recorded. After every step the custody, class and count invariants hold, and each
    //! recorded event respected the rule it depends on at the moment it was decided.
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    /// The standard production in the middle of a shoot day, so that random steps often
    /// succeed: the safe is open; the armorer holds the blank-adapted firearm, the replica
    /// and five containers; a performer holds the rubber gun; the rest is in the safe.
    fn on_set() -> Prod {
        let mut p = Prod::new();
        p.take(p.blank_gun.clone());
        p.take(p.replica.clone());
        p.hand(p.rubber.clone(), p.performer2.clone());
        for ct in [p.dummies.clone(), p.dummies_b.clone(), p.quarters.clone()] {
            p.take_ct(ct);
        }
        p
    }

    fn base() -> Prod {
        static BASE: OnceLock<Prod> = OnceLock::new();
        BASE.get_or_init(on_set).clone()
    }

    fn people(p: &Prod) -> Vec<PersonId> {
        vec![
            p.armorer.clone(),
            p.assistant.clone(),
            p.first_ad.clone(),
            p.safety.clone(),
            p.performer.clone(),
            p.performer2.clone(),
            p.crew.clone(),
            p.producer.clone(),
            p.auditor.clone(),
        ]
    }
    const PEOPLE: usize = 9;

    fn firearms(p: &Prod) -> Vec<FirearmId> {
        vec![p.blank_gun.clone(), p.real_gun.clone(), p.replica.clone(), p.rubber.clone()]
    }

    fn containers(p: &Prod) -> Vec<ContainerId> {
        vec![
            p.dummies.clone(),
            p.dummies_b.clone(),
            p.spare_dummies.clone(),
            p.quarters.clone(),
            p.spare_quarters.clone(),
            p.fulls.clone(),
            p.old_stock.clone(),
        ]
    }

    fn locations(p: &Prod) -> Vec<LocationId> {
        vec![p.safe.clone(), p.cart.clone()]
    }

    #[derive(Debug, Clone)]
    enum Op {
        Open(usize),
        Close(usize),
        Take(usize),
        Store(usize, usize),
        HandOff(usize, usize),
        Collect(usize),
        Withdraw(usize),
        Repair(usize),
        TakeCt(usize),
        StoreCt(usize, usize),
        HandCt(usize, usize),
        Move(usize, usize, u32),
        VerifyOld(u32, bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            2 => (0..2usize).prop_map(Op::Open),
            1 => (0..2usize).prop_map(Op::Close),
            3 => (0..4usize).prop_map(Op::Take),
            2 => (0..4usize, 0..2usize).prop_map(|(f, l)| Op::Store(f, l)),
            3 => (0..4usize, 0..PEOPLE).prop_map(|(f, t)| Op::HandOff(f, t)),
            2 => (0..4usize).prop_map(Op::Collect),
            1 => (0..4usize).prop_map(Op::Withdraw),
            2 => (0..4usize).prop_map(Op::Repair),
            2 => (0..7usize).prop_map(Op::TakeCt),
            2 => (0..7usize, 0..2usize).prop_map(|(c, l)| Op::StoreCt(c, l)),
            2 => (0..7usize, 0..PEOPLE).prop_map(|(c, t)| Op::HandCt(c, t)),
            8 => (0..7usize, 0..7usize, prop_oneof![3 => 1..=10u32, 1 => 1..=120u32])
                .prop_map(|(a, b, n)| Op::Move(a, b, n)),
            1 => (18..=21u32, proptest::bool::weighted(0.2)).prop_map(|(n, bad)| Op::VerifyOld(n, bad)),
        ]
    }

    /// Who acts: mostly the armorer, often the assistant, anyone at all otherwise.
    fn who() -> impl Strategy<Value = usize> {
        prop_oneof![4 => Just(0usize), 2 => Just(1usize), 3 => 0..PEOPLE]
    }

    fn command(p: &Prod, op: &Op) -> Command {
        let (pp, fa, ct, loc) = (people(p), firearms(p), containers(p), locations(p));
        match op {
            Op::Open(l) => Command::OpenStorage { location: loc[*l].clone() },
            Op::Close(l) => Command::CloseStorage { location: loc[*l].clone() },
            Op::Take(f) => Command::TakeFirearm { firearm: fa[*f].clone() },
            Op::Store(f, l) => Command::StoreFirearm { firearm: fa[*f].clone(), location: loc[*l].clone() },
            Op::HandOff(f, t) => Command::HandOff { firearm: fa[*f].clone(), to: pp[*t].clone() },
            Op::Collect(f) => Command::Collect { firearm: fa[*f].clone() },
            Op::Withdraw(f) => {
                Command::WithdrawFirearm { firearm: fa[*f].clone(), reason: "fault found at inspection".into() }
            }
            Op::Repair(f) => p.repair(fa[*f].clone()),
            Op::TakeCt(c) => Command::TakeContainer { container: ct[*c].clone() },
            Op::StoreCt(c, l) => Command::StoreContainer { container: ct[*c].clone(), location: loc[*l].clone() },
            Op::HandCt(c, t) => Command::HandContainer { container: ct[*c].clone(), to: pp[*t].clone() },
            Op::Move(a, b, n) => Command::MoveRounds { from: ct[*a].clone(), to: ct[*b].clone(), rounds: *n },
            Op::VerifyOld(n, bad) => Command::VerifyLot {
                lot: p.old_lot.clone(),
                method: VerificationMethod::Rattle,
                rounds_checked: *n,
                other_class_found: u32::from(*bad),
            },
        }
    }

    fn person_exists(s: &ProductionState, h: &Holder) -> bool {
        match h {
            Holder::Person { person } => s.people.contains_key(person),
            Holder::Storage { location } => s.locations.contains_key(location),
        }
    }

    /// Invariants of a state, whatever happened before.
    fn check_state(s: &ProductionState, intake_container: &BTreeMap<LotId, ContainerId>) {
        // R-ROLE-1: exactly one holder, and it exists. (One holder is structural: `holder`
        // is a single value; existence is what can go wrong.)
        for f in s.firearms.values() {
            assert!(person_exists(s, &f.holder), "{} held by a ghost", f.id);
            // Only performers and the armorer's team ever hold a firearm.
            if let Holder::Person { person } = &f.holder {
                let holder = &s.people[person];
                assert!(
                    holder.has_role(Role::Performer) || holder.is_armorer_side(),
                    "{} is with {} ({:?})",
                    f.id,
                    holder.name,
                    holder.roles
                );
            }
        }
        for c in s.containers.values() {
            assert!(person_exists(s, &c.holder), "{} held by a ghost", c.id);
            // R-STORE-2: ammunition outside storage is with the armorer's team.
            if let Holder::Person { person } = &c.holder {
                assert!(s.people[person].is_armorer_side(), "{} is with {person}", c.id);
            }
            for (lot, n) in &c.contents {
                let l = &s.lots[lot];
                // R-AMMO-5: one class (and calibre) per container.
                assert_eq!(l.class, c.class, "{} holds {} of {}", c.id, l.class, lot);
                assert_eq!(l.calibre, c.calibre);
                // No empty entries: a count of 0 is removed.
                assert!(*n > 0, "{} keeps an empty entry for {lot}", c.id);
            }
        }
        // Conservation, per lot: the rounds across containers are the lot's rounds.
        for l in s.lots.values() {
            let total: u64 =
                s.containers.values().map(|c| u64::from(c.contents.get(&l.id).copied().unwrap_or(0))).sum();
            assert_eq!(total, u64::from(l.rounds), "rounds of {} not conserved", l.id);
            // R-AMMO-2/4: an unverified lot never leaves the container it came in.
            if !matches!(l.state, LotState::Verified { .. }) {
                let home = &intake_container[&l.id];
                assert_eq!(
                    s.containers[home].contents.get(&l.id).copied(),
                    Some(l.rounds),
                    "rounds of unverified {} moved",
                    l.id
                );
            }
        }
        let all_lots: u64 = s.lots.values().map(|l| u64::from(l.rounds)).sum();
        let all_ct: u64 = s.containers.values().map(Container::count).sum();
        assert_eq!(all_lots, all_ct);
    }

    /// Each recorded event obeyed its rule against the state it was decided on.
    fn check_events(pre: &ProductionState, actor: &Actor, events: &[Event]) {
        let who = actor.person().map(|p| &pre.people[p]);
        for e in events {
            match e {
                Event::FirearmHandedOff { firearm, from, to } => {
                    let f = &pre.firearms[firearm];
                    // R-HAND-5: never while withdrawn.
                    assert_eq!(f.status, FirearmStatus::InService, "{firearm} handed off");
                    // R-ROLE-1 / R-HAND-2: from its holder, the armorer, to a performer or
                    // the armorer's team, licensed for the kind.
                    assert_eq!(f.holder.person(), Some(from));
                    assert!(pre.people[from].has_role(Role::Armorer));
                    let r = &pre.people[to];
                    assert!(r.has_role(Role::Performer) || r.is_armorer_side());
                    assert_ne!(from, to);
                    if f.kind.can_fire() {
                        assert!(r.licensed_for(f.kind, TODAY), "{} unlicensed", r.name);
                    }
                }
                Event::FirearmCollected { firearm, from, to } => {
                    assert_eq!(pre.firearms[firearm].holder.person(), Some(from));
                    assert!(pre.people[to].has_role(Role::Armorer));
                }
                Event::FirearmTakenOut { firearm, location, by } => {
                    let f = &pre.firearms[firearm];
                    assert_eq!(f.status, FirearmStatus::InService, "withdrawn {firearm} out");
                    assert_eq!(f.holder, Holder::Storage { location: location.clone() });
                    let loc = &pre.locations[location];
                    assert!(loc.opened.is_some() && loc.authorised.contains(by));
                    assert!(pre.people[by].is_armorer_side());
                }
                Event::FirearmStored { firearm, location, by } => {
                    let loc = &pre.locations[location];
                    assert!(loc.opened.is_some() && loc.authorised.contains(by));
                    assert_eq!(pre.firearms[firearm].holder.person(), Some(by));
                    assert_eq!(pre.firearms[firearm].load, LoadState::Empty);
                }
                Event::ContainerTakenOut { container, location, by } => {
                    let loc = &pre.locations[location];
                    assert!(loc.opened.is_some() && loc.authorised.contains(by));
                    for lot in pre.containers[container].contents.keys() {
                        assert!(
                            matches!(pre.lots[lot].state, LotState::Verified { .. }),
                            "{container} left storage with unverified {lot}"
                        );
                    }
                }
                Event::ContainerStored { location, by, .. } => {
                    let loc = &pre.locations[location];
                    assert!(loc.opened.is_some() && loc.authorised.contains(by));
                }
                Event::StorageOpened { location, by } | Event::StorageClosed { location, by } => {
                    assert!(pre.locations[location].authorised.contains(by));
                }
                Event::RoundsMoved { from, to, lot, .. } => {
                    assert_eq!(pre.containers[from].class, pre.containers[to].class);
                    assert!(matches!(pre.lots[lot].state, LotState::Verified { .. }));
                    let mover = who.map(|p| p.id.clone());
                    assert_eq!(pre.containers[from].holder.person(), mover.as_ref());
                    assert_eq!(pre.containers[to].holder.person(), mover.as_ref());
                }
                _ => {}
            }
        }
    }

    fn intake_containers(log: &[Envelope]) -> BTreeMap<LotId, ContainerId> {
        log.iter()
            .filter_map(|e| match &e.event {
                Event::LotReceived { lot, container, .. } => Some((lot.clone(), container.clone())),
                _ => None,
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 500,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn custody_invariants_hold_under_random_commands(
            steps in proptest::collection::vec((who(), op()), 1..=40)
        ) {
            let mut p = base();
            let homes = intake_containers(&p.w.log);
            let pp = people(&p);
            check_state(&p.w.state, &homes);
            for (actor_ix, op) in &steps {
                let actor = by(&pp[*actor_ix]);
                let cmd = command(&p, op);
                let pre = p.w.state.clone();
                let logged = p.w.log.len();
                match p.w.run(&actor, cmd) {
                    Ok(events) => {
                        prop_assert!(!events.is_empty());
                        check_events(&pre, &actor, &events);
                    }
                    Err(e) => {
                        // A refusal records nothing, and explains itself.
                        prop_assert_eq!(&p.w.state, &pre);
                        prop_assert_eq!(p.w.log.len(), logged);
                        if let DomainError::Denied(d) = &e {
                            assert_explained(d);
                        }
                    }
                }
                check_state(&p.w.state, &homes);
            }
            // Replaying the log (through its bytes) reproduces the same state.
            let decoded: Vec<Envelope> = p.w.log.iter()
                .map(|e| Envelope::decode(&e.encode()).unwrap())
                .collect();
            let replayed = replay(&decoded);
            prop_assert_eq!(replayed.all_rows(), p.w.state.all_rows());
            prop_assert_eq!(&replayed, &p.w.state);
        }
    }
}
