//! Integration tests for coldset's pure domain: one test binary, one module per file.
//!
//! - this file: the harness (`World`, the standard production `Prod`, command builders).
//! - `cases` (cases.rs and cases/, one file per family of rules: role, staff, training,
//!   storage, ammunition, hand, check, meeting, plan, record, reports): the gate table, one
//!   row per case, and the scenario builders other modules share.
//! - `gates`: every rule id the decider names (checks.rs, the area modules and gate.rs), one
//!   test per rule running its rows of the table: refused with exactly the expected rule ids
//!   (each violation explained and nothing changed), allowed, or, for ALERT/RECORD rules,
//!   allowed with an `alert.raised` naming it.
//! - `protocol`: the safety protocol end to end: the happy path minus each step, rehearsals
//!   (R-REH-2), round reconciliation, overrides, the gate query, policy packs.
//! - `refusals`: a refusal names every failing rule, and changes nothing.
//! - `permissions`: the coarse role table (auditor, installation admin, command names).
//! - `encoding`: canonical envelope bytes, the tour that records every kind of event, and
//!   replay determinism.
//! - `invariants`: proptest over random custody commands: custody, class, conservation.
//! - `protocol_property`: proptest over random protocol steps: every hand-off to a performer
//!   that was accepted met every GATE rule, recomputed independently of gate.rs.
//! - `every_failing_rule`: proptest: each refusal names exactly the rules that fail.
//! - `text_fields`, `frozen_evidence`, `shoot_days`, `supervised_assistant`: free text and
//!   quantities, evidence frozen by an incident (R-INC-2), meetings per shoot day, an
//!   assistant armorer's supervised load.
//!
//! Everything is driven the way the application drives it: `decide` a command against the
//! current state, wrap each event in an envelope and `apply` it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use coldset_domain::commands::Command;
use coldset_domain::decide::{decide, Context, DomainError};
use coldset_domain::events::{self, Actor, EncodingError, Envelope, Event};
use coldset_domain::gate;
use coldset_domain::ids::*;
use coldset_domain::model::*;
use coldset_domain::policy::OVERRIDABLE;
use coldset_domain::rules::{Denial, RuleId as R};
use coldset_domain::safety::*;
use coldset_domain::state::ProductionState;
use coldset_domain::time::{Date, Timestamp};
use std::collections::{BTreeMap, BTreeSet};

// ---- harness -------------------------------------------------------------------------------

/// The shoot day the standard production works on.
const TODAY: Date = Date::constant(2026, 11, 26);
/// 2026-11-26T17:00:00Z, i.e. 09:00 in Los Angeles on the shoot day.
const T0: Timestamp = Timestamp(1_795_712_400_000);
/// How long each recorded command takes on the harness clock.
const STEP_MS: i64 = 20_000;
const MINUTE_MS: i64 = 60_000;
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
        World { state: ProductionState::new(), ctx: Context::new(T0, TODAY), log: Vec::new() }
    }

    /// Decides `cmd`; on success records and applies every event (20 seconds per command).
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
                auth: None,
            };
            self.state.apply(&env).unwrap_or_else(|e| panic!("a decided event does not apply: {e}"));
            self.log.push(env);
        }
        self.ctx.now = Timestamp(self.ctx.now.0 + STEP_MS);
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

    /// Runs a step that may be refused because an earlier step was left out on purpose; a
    /// refusal records nothing.
    fn attempt(&mut self, actor: &Actor, cmd: Command) -> bool {
        let before = self.state.clone();
        let logged = self.log.len();
        let name = cmd.name();
        match self.run(actor, cmd) {
            Ok(_) => true,
            Err(DomainError::Denied(_) | DomainError::Invalid { .. }) => {
                assert_eq!(self.state, before, "a refused {name} changed the state");
                assert_eq!(self.log.len(), logged, "a refused {name} recorded events");
                false
            }
            Err(other) => panic!("{name}: {other:?}"),
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

/// The rules named by the `alert.raised` events among `events`, sorted, without repeats.
fn alert_rules(events: &[Event]) -> Vec<R> {
    let v: Vec<R> = events
        .iter()
        .filter_map(|e| match e {
            Event::AlertRaised { rule, .. } => Some(*rule),
            _ => None,
        })
        .collect();
    ids(&v)
}

fn person_of(events: &[Event]) -> PersonId {
    match events {
        [Event::PersonAdded { person, .. }, ..] => person.clone(),
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
        // Live rounds under an exception go straight into the range (R-AMMO-1).
        [Event::LotReceived { lot, container, .. }, Event::ContainerStored { container: stored, .. }]
            if stored == container =>
        {
            (lot.clone(), container.clone())
        }
        other => panic!("expected lot.received, got {other:?}"),
    }
}

fn container_of(events: &[Event]) -> ContainerId {
    match events {
        [Event::ContainerCreated { container, .. }] => container.clone(),
        other => panic!("expected container.created, got {other:?}"),
    }
}

fn scene_of(events: &[Event]) -> SceneId {
    match events {
        [Event::ScenePlanned { scene, .. }, ..] => scene.clone(),
        other => panic!("expected scene.planned, got {other:?}"),
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

fn safety_course() -> Credential {
    credential(CredentialKind::SafetyCourse, Date::constant(2027, 12, 31), &[])
}

// ---- scene plans ---------------------------------------------------------------------------

fn quarter_blanks() -> PlannedLoad {
    PlannedLoad::Blanks { load: "quarter".into() }
}

fn full_blanks() -> PlannedLoad {
    PlannedLoad::Blanks { load: "full".into() }
}

/// One firearm of a plan: aimed nowhere near anyone, nobody within 7 m of the muzzle line.
fn item(firearm: &FirearmId, performer: &PersonId, load: PlannedLoad) -> PlanItem {
    PlanItem {
        firearm: firearm.clone(),
        performer: performer.clone(),
        load,
        real_firearm_reason: None,
        toward_person: false,
        toward_camera: false,
        armorer_consulted: false,
        mitigations: Vec::new(),
        camera_protection: None,
        closest_person_cm: Some(700),
        close_range_load_approved: false,
    }
}

/// A plan whose call list is its performers, with nobody in the line of fire.
fn plan_of(kind: SceneKind, items: Vec<PlanItem>) -> ScenePlan {
    ScenePlan {
        kind,
        call_list: items.iter().map(|i| i.performer.clone()).collect(),
        line_of_fire: BTreeSet::new(),
        protection: Vec::new(),
        risk_assessment: "Blanks fired upstage, away from camera, nobody within 7 m of the muzzle line; \
abort word CUT; medic on set."
            .into(),
        items,
    }
}

fn take_plan(firearm: &FirearmId, performer: &PersonId, load: PlannedLoad) -> ScenePlan {
    plan_of(SceneKind::Take, vec![item(firearm, performer, load)])
}

fn agenda() -> Agenda {
    Agenda {
        intended_action: "Pat draws and fires two blanks upstage".into(),
        deviations: "no ad-libbed aiming; no dry firing between takes".into(),
        abort_plan: "anyone calls CUT; performer lowers the muzzle; armorer collects".into(),
        emergency_procedure: "medic on set; nearest hospital St. Mary's, 8 minutes".into(),
        chain_of_command: "armorer, then 1st AD, then the safety advisor".into(),
    }
}

fn call_sheet() -> CallSheet {
    CallSheet { safety_bulletin_attached: true, compliance_contact_shown: true, medics: vec!["Rae Medic, EMT".into()] }
}

fn hand_off(firearm: &FirearmId, to: &PersonId, scene: &SceneId) -> Command {
    Command::HandOff { firearm: firearm.clone(), to: to.clone(), scene: Some(scene.clone()) }
}

fn load_cmd(firearm: &FirearmId, container: &ContainerId, count: u32, check: Option<VerificationMethod>) -> Command {
    Command::LoadFirearm { firearm: firearm.clone(), container: container.clone(), count, dummy_check: check }
}

fn inspect(firearm: &FirearmId, stage: InspectionStage) -> Command {
    Command::InspectFirearm { firearm: firearm.clone(), stage, barrel_clear: true, fault: None }
}

/// The steps of a correct firearm scene, in order, after the plan is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The armorer records each performer's training and competence with the weapon (R-TRAIN-2).
    Competence,
    /// The armorer opens the shoot day with a full count and medics on the call sheet
    /// (R-STORE-4, R-MED-1, R-MEET-4).
    OpenDay,
    /// Plan approvals (R-REC-1): armorer, 1st AD, safety advisor (california-2025).
    ApproveArmorer,
    ApproveAd,
    ApproveSafety,
    /// The safety meeting, every agenda item, the performers attending (R-MEET-1, R-MEET-2).
    Meeting,
    /// Sign-offs of the meeting (R-MEET-1, R-MEET-2).
    SignArmorer,
    SignAd,
    /// Each firearm taken out of storage for the scene (R-STORE-1, R-HAND-6).
    TakeOut,
    /// The armorer's pre-use inspection (R-HAND-4).
    Inspect,
    /// The armorer marks the scene ready (R-STAFF-2).
    Ready,
    /// The 1st AD calls the scene (R-HAND-1, R-HAND-6).
    Call,
    /// Loaded as planned (R-DECL-1, R-AMMO-6), or declared empty if planned empty.
    Load,
    /// The 1st AD records the demonstration (R-CHECK-1).
    Demonstrate,
    /// The performer acknowledges being shown the state (R-CHECK-2).
    Shown,
    /// The performer confirms the hand-off in person (R-HAND-2).
    Attest,
}

const STEPS: &[Step] = &[
    Step::Competence,
    Step::OpenDay,
    Step::ApproveArmorer,
    Step::ApproveAd,
    Step::ApproveSafety,
    Step::Meeting,
    Step::SignArmorer,
    Step::SignAd,
    Step::TakeOut,
    Step::Inspect,
    Step::Ready,
    Step::Call,
    Step::Load,
    Step::Demonstrate,
    Step::Shown,
    Step::Attest,
];

/// After a plan revision the scene needs approvals, a meeting, the call and the checks again
/// (the firearms are already out and loaded).
const AFTER_REVISION: &[Step] = &[
    Step::ApproveArmorer,
    Step::ApproveAd,
    Step::ApproveSafety,
    Step::Meeting,
    Step::SignArmorer,
    Step::SignAd,
    Step::Inspect,
    Step::Ready,
    Step::Call,
    Step::Demonstrate,
    Step::Shown,
    Step::Attest,
];

/// A standard production under california-2025, as the armorer has it at call time: all
/// firearms and all ammunition containers in the (closed) weapons safe, two empty spare
/// containers with the armorer, one lot from an old production still in quarantine. No shoot
/// day is open yet.
#[derive(Clone)]
struct Prod {
    w: World,
    admin: Actor,
    armorer: PersonId,
    assistant: PersonId,
    first_ad: PersonId,
    safety: PersonId,
    /// Permit for blank-adapted firearms (not real firing ones) and a safety course, in date.
    performer: PersonId,
    /// Only a safety course on file: no licence for any firearm.
    performer2: PersonId,
    /// No credentials at all.
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
            (&performer, safety_course()),
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

    fn ad(&self) -> Actor {
        by(&self.first_ad)
    }

    fn add_person(&mut self, name: &str, roles: &[Role]) -> PersonId {
        let admin = self.admin.clone();
        person_of(&self.w.ok(&admin, Command::AddPerson { name: name.into(), roles: roles.iter().copied().collect() }))
    }

    fn credit(&mut self, person: PersonId, cred: Credential) {
        let admin = self.admin.clone();
        self.w.ok(&admin, Command::RecordCredential { person, credential: cred });
    }

    /// A new performer with an in-date permit for blank-adapted firearms and a safety
    /// course (competence is recorded by the scene's `Competence` step).
    fn qualified_performer(&mut self, name: &str) -> PersonId {
        let id = self.add_person(name, &[Role::Performer]);
        self.credit(
            id.clone(),
            credential(CredentialKind::Permit, Date::constant(2027, 6, 30), &[FirearmKind::BlankAdapted]),
        );
        self.credit(id.clone(), safety_course());
        id
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

    /// The armorer takes a firearm out of the safe, for maintenance (no scene).
    fn take(&mut self, firearm: FirearmId) {
        self.open(self.safe.clone());
        let arm = self.arm();
        self.w.ok(&arm, Command::TakeFirearm { firearm, scene: None });
    }

    /// The armorer takes a container out of the safe.
    fn take_ct(&mut self, container: ContainerId) {
        self.open(self.safe.clone());
        let arm = self.arm();
        self.w.ok(&arm, Command::TakeContainer { container });
    }

    /// Armory transfer: the armorer takes a firearm out of the safe (if it is there) and
    /// hands it to someone of the armory team, who confirms in person.
    fn transfer(&mut self, firearm: FirearmId, to: PersonId) {
        if matches!(self.w.state.firearms[&firearm].holder, Holder::Storage { .. }) {
            self.take(firearm.clone());
        }
        self.w.ctx.attested = vec![to.clone()];
        let arm = self.arm();
        self.w.ok(&arm, Command::HandOff { firearm, to, scene: None });
        self.w.ctx.attested.clear();
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

    /// Another blank-adapted Colt, taken in and put in the safe.
    fn another_blank_gun(&mut self, serial: &str) -> FirearmId {
        let arm = self.arm();
        let fa = firearm_of(&self.w.ok(&arm, intake_firearm(FirearmKind::BlankAdapted, serial)));
        self.open(self.safe.clone());
        self.w.ok(&arm, Command::StoreFirearm { firearm: fa.clone(), location: self.safe.clone() });
        fa
    }

    fn count(&self, ct: &ContainerId) -> u64 {
        self.w.state.containers[ct].count()
    }

    // ---- the safety protocol ------------------------------------------------------------

    /// A full, matching count: every firearm in service (1 if in storage) and every
    /// container with its rounds (R-STORE-4).
    fn full_count(&self) -> BTreeMap<String, u64> {
        let s = &self.w.state;
        let mut counts = BTreeMap::new();
        for f in s.firearms.values() {
            if !matches!(f.status, FirearmStatus::Disposed { .. }) {
                counts.insert(f.id.to_string(), u64::from(matches!(f.holder, Holder::Storage { .. })));
            }
        }
        for c in s.containers.values() {
            counts.insert(c.label.clone(), c.count());
        }
        counts
    }

    fn open_day_with(&mut self, call_sheet: CallSheet) -> Vec<Event> {
        let (arm, counts) = (self.arm(), self.full_count());
        self.w.ok(&arm, Command::OpenDay { call_sheet, counts })
    }

    fn open_day(&mut self) -> Vec<Event> {
        self.open_day_with(call_sheet())
    }

    fn close_day(&mut self) -> Vec<Event> {
        let (arm, counts) = (self.arm(), self.full_count());
        self.w.ok(&arm, Command::CloseDay { counts })
    }

    /// The 1st AD plans a scene for today.
    fn plan_scene(&mut self, plan: ScenePlan) -> SceneId {
        let day = self.w.ctx.today;
        self.plan_scene_on(plan, day)
    }

    fn plan_scene_on(&mut self, plan: ScenePlan, day: Date) -> SceneId {
        let ad = self.ad();
        let number = format!("{}A", self.w.state.scenes.len() + 41);
        scene_of(
            &self.w.ok(&ad, Command::PlanScene { number, description: "Showdown on main street".into(), day, plan }),
        )
    }

    fn revise(&mut self, scene: &SceneId, plan: ScenePlan) {
        let ad = self.ad();
        self.w.ok(&ad, Command::RevisePlan { scene: scene.clone(), plan, reason: "blocking changed".into() });
    }

    /// The producer changes the policy packs (a recorded event).
    fn set_policy(&mut self, packs: &[&str]) {
        let producer = by(&self.producer);
        self.w.ok(&producer, Command::ChangePolicy { packs: packs.iter().map(|s| s.to_string()).collect() });
    }

    /// Places a hold and returns its id.
    fn place_hold(&mut self, who: &PersonId, scope: HoldScope) -> u64 {
        self.w.ok(&by(who), Command::PlaceHold { scope, reason: "the blocking is not safe yet".into() });
        self.w.log.last().unwrap().seq
    }

    /// The commands of one protocol step for every item of the scene's current plan.
    fn step_commands(&self, step: Step, scene: &SceneId) -> Vec<(Actor, Command)> {
        let sc = &self.w.state.scenes[scene];
        let items = sc.plan.items.clone();
        let (arm, ad, s) = (self.arm(), self.ad(), scene.clone());
        let approve = |who: &PersonId| (by(who), Command::ApprovePlan { scene: s.clone(), version: sc.plan_version });
        let open_safe = self.w.state.locations[&self.safe].opened.is_none();
        let mut v = Vec::new();
        match step {
            Step::Competence => {
                for i in &items {
                    v.push((
                        arm.clone(),
                        Command::RecordCompetence {
                            person: i.performer.clone(),
                            firearm: i.firearm.clone(),
                            notes: "drew, holstered and kept a safe direction; two dry runs".into(),
                        },
                    ));
                }
            }
            Step::OpenDay => {
                if self.w.state.safety.day.is_none() {
                    v.push((arm, Command::OpenDay { call_sheet: call_sheet(), counts: self.full_count() }));
                }
            }
            Step::ApproveArmorer => v.push(approve(&self.armorer)),
            Step::ApproveAd => v.push(approve(&self.first_ad)),
            Step::ApproveSafety => v.push(approve(&self.safety)),
            Step::Meeting => {
                let mut attendees: BTreeSet<PersonId> = items.iter().map(|i| i.performer.clone()).collect();
                attendees.extend(sc.plan.line_of_fire.iter().cloned());
                attendees.extend([self.armorer.clone(), self.first_ad.clone()]);
                v.push((arm, Command::HoldMeeting { scene: s, agenda: agenda(), attendees }));
            }
            Step::SignArmorer => v.push((arm, Command::SignOffMeeting { scene: s })),
            Step::SignAd => v.push((ad, Command::SignOffMeeting { scene: s })),
            Step::TakeOut => {
                if open_safe {
                    v.push((arm.clone(), Command::OpenStorage { location: self.safe.clone() }));
                }
                for i in &items {
                    v.push((arm.clone(), Command::TakeFirearm { firearm: i.firearm.clone(), scene: Some(s.clone()) }));
                }
            }
            Step::Inspect => {
                for i in &items {
                    v.push((arm.clone(), inspect(&i.firearm, InspectionStage::PreUse)));
                }
            }
            Step::Ready => v.push((arm, Command::MarkSceneReady { scene: s })),
            Step::Call => v.push((ad, Command::CallScene { scene: s })),
            Step::Load => {
                let mut taken = BTreeSet::new();
                let mut opened = !open_safe;
                for i in &items {
                    let (ct, check) = match &i.load {
                        PlannedLoad::Empty => {
                            v.push((arm.clone(), Command::DeclareEmpty { firearm: i.firearm.clone() }));
                            continue;
                        }
                        PlannedLoad::Dummies => (self.dummies.clone(), Some(VerificationMethod::Rattle)),
                        PlannedLoad::Blanks { load } if load == "quarter" => (self.quarters.clone(), None),
                        PlannedLoad::Blanks { .. } => (self.fulls.clone(), None),
                    };
                    let stored = matches!(self.w.state.containers[&ct].holder, Holder::Storage { .. });
                    if stored && taken.insert(ct.clone()) {
                        if !opened {
                            v.push((arm.clone(), Command::OpenStorage { location: self.safe.clone() }));
                            opened = true;
                        }
                        v.push((arm.clone(), Command::TakeContainer { container: ct.clone() }));
                    }
                    v.push((arm.clone(), load_cmd(&i.firearm, &ct, 6, check)));
                }
            }
            Step::Demonstrate => {
                for i in &items {
                    v.push((ad.clone(), Command::AcknowledgeDemonstration { firearm: i.firearm.clone() }));
                }
            }
            Step::Shown => {
                for i in &items {
                    v.push((by(&i.performer), Command::AcknowledgeShown { firearm: i.firearm.clone() }));
                }
            }
            Step::Attest => {}
        }
        v
    }

    /// Runs `steps` for the scene in order. Strict: each command must be allowed. Otherwise a
    /// step that depends on one left out may be refused (and then records nothing).
    fn run_steps(&mut self, scene: &SceneId, steps: &[Step], strict: bool) {
        for step in steps {
            if *step == Step::Attest {
                self.w.ctx.attested =
                    self.w.state.scenes[scene].plan.items.iter().map(|i| i.performer.clone()).collect();
                continue;
            }
            for (actor, cmd) in self.step_commands(*step, scene) {
                if strict {
                    self.w.ok(&actor, cmd);
                } else {
                    self.w.attempt(&actor, cmd);
                }
            }
        }
    }

    /// Plans a scene and runs every step of a correct scene before `until` (all of them
    /// with `None`) except those in `skip`, leaving each firearm with the armorer, ready to
    /// be handed over.
    fn prepare(&mut self, plan: ScenePlan, skip: &[Step], until: Option<Step>) -> SceneId {
        let scene = self.plan_scene(plan);
        let end = until.and_then(|u| STEPS.iter().position(|s| *s == u)).unwrap_or(STEPS.len());
        let steps: Vec<Step> = STEPS[..end].iter().copied().filter(|s| !skip.contains(s)).collect();
        self.run_steps(&scene, &steps, skip.is_empty());
        scene
    }

    /// Every step of a correct scene for one firearm and its performer.
    fn ready(&mut self, firearm: FirearmId, to: PersonId, load: PlannedLoad) -> SceneId {
        self.prepare(take_plan(&firearm, &to, load), &[], None)
    }

    /// The happy path minus one step.
    fn ready_except(&mut self, firearm: FirearmId, to: PersonId, load: PlannedLoad, skip: Step) -> SceneId {
        self.prepare(take_plan(&firearm, &to, load), &[skip], None)
    }

    /// The happy path up to (not including) `until`.
    fn ready_until(&mut self, firearm: FirearmId, to: PersonId, load: PlannedLoad, until: Step) -> SceneId {
        self.prepare(take_plan(&firearm, &to, load), &[], Some(until))
    }

    /// The full protocol, then the hand-off itself.
    fn give(&mut self, firearm: FirearmId, to: PersonId, load: PlannedLoad) -> SceneId {
        let scene = self.ready(firearm.clone(), to.clone(), load);
        let arm = self.arm();
        self.w.ok(&arm, hand_off(&firearm, &to, &scene));
        scene
    }

    /// After a plan revision: approvals, meeting, inspection, call and checks again.
    fn redo(&mut self, scene: &SceneId) {
        self.run_steps(scene, AFTER_REVISION, true);
    }

    /// The standard scene: the blank-adapted revolver with quarter-load blanks for Pat.
    fn std_ready(&mut self) -> SceneId {
        self.ready(self.blank_gun.clone(), self.performer.clone(), quarter_blanks())
    }

    fn std_hand(&self, scene: &SceneId) -> (Actor, Command) {
        (self.arm(), hand_off(&self.blank_gun, &self.performer, scene))
    }

    /// Leaves one armorer on the production (the assistant loses her role).
    fn one_armorer(&mut self) {
        let admin = self.admin.clone();
        self.w.ok(&admin, Command::RemoveRole { person: self.assistant.clone(), role: Role::AssistantArmorer });
    }

    /// The minute of the firearm's last pre-use inspection.
    fn inspected_at(&self, firearm: &FirearmId) -> Timestamp {
        self.w.state.firearms[firearm].checks.pre_use_at.expect("inspected")
    }
}

/// Rebuilds a state from envelopes, as start-up and the verifier do.
fn replay(log: &[Envelope]) -> ProductionState {
    let mut s = ProductionState::new();
    for env in log {
        s.apply(env).unwrap_or_else(|e| panic!("replay failed: {e}"));
    }
    s
}

mod cases;
use cases::*;

mod encoding;
mod every_failing_rule;
mod frozen_evidence;
mod gates;
mod invariants;
mod permissions;
mod protocol;
mod protocol_property;
mod refusals;
mod shoot_days;
mod supervised_assistant;
mod text_fields;
