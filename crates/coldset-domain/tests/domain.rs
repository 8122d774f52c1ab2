//! Integration tests for coldset's pure domain.
//!
//! - `gates`: every rule id the decider names (decide.rs, protocol.rs, gate.rs, reports.rs),
//!   one row per case: refused with exactly the expected rule ids (each violation explained
//!   and nothing changed), allowed, or, for ALERT/RECORD rules, allowed with an
//!   `alert.raised` naming it.
//! - `protocol`: the safety protocol end to end: the happy path minus each step, rehearsals
//!   (R-REH-2), round reconciliation, overrides, the gate query, policy packs.
//! - `refusals`: a refusal names every failing rule, and changes nothing.
//! - `permissions`: the coarse role table (auditor, installation admin, command names).
//! - `encoding`: canonical envelope bytes, and replay determinism.
//! - `invariants`: proptest over random custody commands: custody, class, conservation.
//! - `protocol_property`: proptest over random protocol steps: every hand-off to a performer
//!   that was accepted met every GATE rule, recomputed independently of gate.rs.
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

// ---- the gate table ------------------------------------------------------------------------

/// What a case expects.
enum Expect {
    /// Allowed; its first event is of this kind, and no alert names the rule of the row.
    Allowed(&'static str),
    /// Refused with exactly these rule ids.
    Refused(&'static [R]),
    /// ALERT/RECORD rules: allowed, and `alert.raised` events name (at least) these rules.
    Alerted(&'static [R]),
}
use Expect::{Alerted, Allowed, Refused};

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
            assert!(!alert_rules(&events).contains(&c.proves), "[{}] {}: alert raised {events:?}", c.proves, c.name);
        }
        Refused(expected) => {
            let d = p.w.refused(&actor, cmd);
            assert_eq!(d.rule_ids(), ids(expected), "[{}] {}: {d}", c.proves, c.name);
            assert_explained(&d);
        }
        Alerted(expected) => {
            let events =
                p.w.run(&actor, cmd).unwrap_or_else(|e| panic!("[{}] {}: expected allowed, got {e}", c.proves, c.name));
            let raised = alert_rules(&events);
            for rule in *expected {
                assert!(raised.contains(rule), "[{}] {}: no {rule} alert in {events:?}", c.proves, c.name);
            }
            for e in &events {
                if let Event::AlertRaised { message, .. } = e {
                    assert!(!message.trim().is_empty(), "[{}] {}: an alert without a message", c.proves, c.name);
                }
            }
        }
    }
}

/// Every rule id the decider names (decide.rs, protocol.rs, gate.rs, reports.rs).
/// `enforced_rules_match_the_decider` keeps this list honest;
/// `every_enforced_rule_has_refused_and_allowed_cases` keeps the table complete.
const ENFORCED: &[R] = &[
    R::Role1,
    R::Role2,
    R::Role3,
    R::Role4,
    R::Role6,
    R::Staff1,
    R::Staff2,
    R::Train1,
    R::Train2,
    R::Train3,
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
    R::Ammo6,
    R::Ammo7,
    R::Ammo8,
    R::Hand1,
    R::Hand2,
    R::Hand3,
    R::Hand4,
    R::Hand5,
    R::Hand6,
    R::Check1,
    R::Check2,
    R::Decl1,
    R::Meet1,
    R::Meet2,
    R::Meet3,
    R::Meet4,
    R::Reh1,
    R::Reh2,
    R::Aim1,
    R::Dist1,
    R::Dist2,
    R::Cam1,
    R::Med1,
    R::Rec1,
    R::Rec3,
    R::Rec4,
    R::Rec5,
    R::Rec6,
    R::Comp1,
    R::Comp2,
    R::Misf1,
    R::Misf2,
    R::Inc2,
    R::Notif1,
    R::Role5,
    R::Inc1,
    R::Store6,
];

fn all_cases() -> Vec<Case> {
    let mut v = Vec::new();
    v.extend(role_cases());
    v.extend(staff_cases());
    v.extend(training_cases());
    v.extend(store_cases());
    v.extend(ammo_cases());
    v.extend(hand_cases());
    v.extend(check_cases());
    v.extend(meeting_cases());
    v.extend(plan_cases());
    v.extend(record_cases());
    v.extend(reh2_rec_cases());
    v.extend(report_cases());
    v
}

fn run_rule(rule: R) {
    let cases: Vec<Case> = all_cases().into_iter().filter(|c| c.proves == rule).collect();
    assert!(!cases.is_empty(), "no case for {rule}");
    for c in &cases {
        run_case(c);
    }
}

/// R-ROLE-1 (one custodian; custody moves only by a recorded transfer), R-ROLE-2 (an in-date
/// licence covering the kind, to take custody), R-ROLE-3 (an armorer holds no other
/// department role), R-ROLE-4 (holds: placed by the armorer or the safety advisor, lifted by
/// whoever placed it or the advisor's review), R-ROLE-6 (an independent safety advisor).
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
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: None })
        }),
        // Changed: taking a firearm out of storage was R-HAND-1; custody from storage goes to
        // the armory only, which is R-ROLE-1 now (R-HAND-1 is about loading).
        // #15: no early return: every rule that fails is named, not only custody.
        case(
            R::Role1,
            "the 1st AD takes a firearm the armorer holds, under a hold and a critical report",
            Refused(&[R::Role1, R::Role2, R::Role4, R::Comp2]),
            |p| {
                let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
                p.open_day();
                p.take(p.blank_gun.clone());
                let armorer = p.armorer.clone();
                p.place_hold(&armorer, HoldScope::AllFirearmWork);
                filed(p, coldset_domain::reports::Severity::Critical);
                (p.ad(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
            },
        ),
        case(R::Role1, "a crew member takes a container the armorer holds", Refused(&[R::Role1, R::Store2]), |p| {
            (by(&p.crew), Command::TakeContainer { container: p.spare_dummies.clone() })
        }),
        case(R::Role1, "the 1st AD takes a replica off the cart he may open", Refused(&[R::Role1]), |p| {
            p.put_on_cart(p.replica.clone());
            (p.ad(), Command::TakeFirearm { firearm: p.replica.clone(), scene: None })
        }),
        case(R::Role1, "the 1st AD takes a blank-adapted firearm off the cart", Refused(&[R::Role1, R::Role2]), |p| {
            p.put_on_cart(p.blank_gun.clone());
            (p.ad(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: None })
        }),
        case(R::Role1, "the armorer takes the replica off the cart", Allowed("firearm.taken_out"), |p| {
            p.put_on_cart(p.replica.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.replica.clone(), scene: None })
        }),
        case(R::Role1, "the assistant armorer takes a firearm out of the safe", Allowed("firearm.taken_out"), |p| {
            p.open(p.safe.clone());
            (by(&p.assistant), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: None })
        }),
        case(R::Role1, "the armorer collects a firearm she holds herself", Refused(&[R::Role1]), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::Collect { firearm: p.blank_gun.clone() })
        }),
        case(R::Role1, "collecting a firearm that is in the safe", Refused(&[R::Role1]), |p| {
            (p.arm(), Command::Collect { firearm: p.replica.clone() })
        }),
        case(R::Role1, "the armorer collects from the performer", Allowed("firearm.collected"), |p| {
            p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            (p.arm(), Command::Collect { firearm: p.replica.clone() })
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
        case(R::Role1, "removing the performer role from a performer holding a firearm", Refused(&[R::Role1]), |p| {
            p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            (p.admin.clone(), Command::RemoveRole { person: p.performer2.clone(), role: Role::Performer })
        }),
        case(R::Role1, "removing the assistant armorer role while she holds a container", Refused(&[R::Role1]), |p| {
            let arm = p.arm();
            p.w.ok(&arm, Command::HandContainer { container: p.spare_dummies.clone(), to: p.assistant.clone() });
            (p.admin.clone(), Command::RemoveRole { person: p.assistant.clone(), role: Role::AssistantArmorer })
        }),
        case(R::Role1, "removing a role from someone who holds nothing", Allowed("person.role_removed"), |p| {
            (p.admin.clone(), Command::RemoveRole { person: p.performer2.clone(), role: Role::Performer })
        }),
        case(
            R::Role1,
            "removing one role from a holder who keeps a role that may hold it",
            Allowed("person.role_removed"),
            |p| {
                let admin = p.admin.clone();
                p.w.ok(&admin, Command::AssignRole { person: p.performer2.clone(), role: Role::Crew });
                p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
                (p.admin.clone(), Command::RemoveRole { person: p.performer2.clone(), role: Role::Crew })
            },
        ),
        // R-ROLE-2
        case(
            R::Role2,
            "a performer with only a safety course receives a blank-adapted firearm",
            Refused(&[R::Role2]),
            |p| {
                let sc = p.ready(p.blank_gun.clone(), p.performer2.clone(), quarter_blanks());
                (p.arm(), hand_off(&p.blank_gun, &p.performer2, &sc))
            },
        ),
        case(
            R::Role2,
            "a performer with an in-date permit for blank-adapted receives one",
            Allowed("firearm.handed_off"),
            |p| {
                let sc = p.std_ready();
                p.std_hand(&sc)
            },
        ),
        case(R::Role2, "a blank-adapted permit does not cover a real firing firearm", Refused(&[R::Role2]), |p| {
            let sc = p.ready(p.real_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
            (p.arm(), hand_off(&p.real_gun, &p.performer, &sc))
        }),
        case(R::Role2, "a credential for real firing only does not cover blank-adapted", Refused(&[R::Role2]), |p| {
            let newcomer = p.add_person("Nat Newcomer", &[Role::Performer]);
            p.credit(
                newcomer.clone(),
                credential(CredentialKind::Licence, Date::constant(2027, 1, 1), &[FirearmKind::RealFiring]),
            );
            p.credit(newcomer.clone(), safety_course());
            let sc = p.ready(p.blank_gun.clone(), newcomer.clone(), PlannedLoad::Dummies);
            (p.arm(), hand_off(&p.blank_gun, &newcomer, &sc))
        }),
        case(R::Role2, "a replica needs no licence", Allowed("firearm.handed_off"), |p| {
            let sc = p.ready(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            (p.arm(), hand_off(&p.replica, &p.performer2, &sc))
        }),
        case(
            R::Role2,
            "the assistant armorer's certification expired: no taking a real firearm out",
            Refused(&[R::Role2]),
            |p| {
                p.open(p.safe.clone());
                p.w.ctx.today = Date::constant(2027, 4, 1);
                (by(&p.assistant), Command::TakeFirearm { firearm: p.real_gun.clone(), scene: None })
            },
        ),
        case(
            R::Role2,
            "the assistant armorer takes a real firearm out on the certification's last day",
            Allowed("firearm.taken_out"),
            |p| {
                p.open(p.safe.clone());
                p.w.ctx.today = Date::constant(2027, 3, 31);
                (by(&p.assistant), Command::TakeFirearm { firearm: p.real_gun.clone(), scene: None })
            },
        ),
        case(R::Role2, "an armory transfer to an assistant whose certification expired", Refused(&[R::Role2]), |p| {
            p.take(p.blank_gun.clone());
            p.w.ctx.today = Date::constant(2027, 4, 1);
            p.w.ctx.attested = vec![p.assistant.clone()];
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.assistant.clone(), scene: None })
        }),
        case(R::Role2, "an armorer without a licence cannot take a firing firearm in", Refused(&[R::Role2]), |p| {
            let new_armorer = p.add_person("Rook Armorer", &[Role::Armorer]);
            (by(&new_armorer), intake_firearm(FirearmKind::BlankAdapted, "B-999"))
        }),
        // Changed: Collect no longer checks the armorer's licence.
        case(
            R::Role2,
            "the armorer collects although her licence lapsed: getting a gun back is never blocked",
            Allowed("firearm.collected"),
            |p| {
                p.give(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
                p.w.ctx.today = Date::constant(2028, 2, 1);
                (p.arm(), Command::Collect { firearm: p.blank_gun.clone() })
            },
        ),
        // R-ROLE-3
        case(R::Role3, "adding an armorer who is also the props assistant", Refused(&[R::Role3]), |p| {
            (
                p.admin.clone(),
                Command::AddPerson { name: "Hana Armorer".into(), roles: [Role::Armorer, Role::PropertyMaster].into() },
            )
        }),
        case(R::Role3, "giving the armorer a crew role", Refused(&[R::Role3]), |p| {
            (p.admin.clone(), Command::AssignRole { person: p.armorer.clone(), role: Role::Crew })
        }),
        case(R::Role3, "making the assistant armorer a performer", Refused(&[R::Role3]), |p| {
            (p.admin.clone(), Command::AssignRole { person: p.assistant.clone(), role: Role::Performer })
        }),
        case(R::Role3, "making a crew member an armorer too", Refused(&[R::Role3]), |p| {
            (p.admin.clone(), Command::AssignRole { person: p.crew.clone(), role: Role::Armorer })
        }),
        // #15: R-ROLE-3 over the shoot day's history, and found after the fact.
        case(R::Role3, "the assistant armorer switches to props the same shoot day", Refused(&[R::Role3]), |p| {
            p.open_day();
            let admin = p.admin.clone();
            p.w.ok(&admin, Command::RemoveRole { person: p.assistant.clone(), role: Role::AssistantArmorer });
            (p.admin.clone(), Command::AssignRole { person: p.assistant.clone(), role: Role::PropertyMaster })
        }),
        case(R::Role3, "the props master of this morning becomes armorer", Refused(&[R::Role3]), |p| {
            p.open_day();
            let props = p.add_person("Pam Props", &[Role::PropertyMaster]);
            let admin = p.admin.clone();
            p.w.ok(&admin, Command::RemoveRole { person: props.clone(), role: Role::PropertyMaster });
            (p.admin.clone(), Command::AssignRole { person: props, role: Role::Armorer })
        }),
        case(
            R::Role3,
            "a former props master becomes armorer with no day open",
            Allowed("person.role_assigned"),
            |p| {
                let props = p.add_person("Pam Props", &[Role::PropertyMaster]);
                let admin = p.admin.clone();
                p.w.ok(&admin, Command::RemoveRole { person: props.clone(), role: Role::PropertyMaster });
                (p.admin.clone(), Command::AssignRole { person: props, role: Role::Armorer })
            },
        ),
        case(
            R::Role3,
            "the armorer, props earlier today, takes a firearm out for a scene",
            Refused(&[R::Role3]),
            |p| {
                let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
                p.open_day();
                p.open(p.safe.clone());
                // Props and back, as an import or a correction would record it.
                import(p, Event::RoleAssigned { person: p.armorer.clone(), role: Role::PropertyMaster });
                import(p, Event::RoleRemoved { person: p.armorer.clone(), role: Role::PropertyMaster });
                (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
            },
        ),
        case(R::Role3, "an imported role conflict is raised by the clock", Alerted(&[R::Role3]), |p| {
            p.open_day();
            p.take(p.blank_gun.clone());
            // As an import or a correction would record it, without the decider.
            import(p, Event::RoleAssigned { person: p.armorer.clone(), role: Role::PropertyMaster });
            (Actor::System, Command::Tick)
        }),
        // #15: credentials judged on the scene's shoot day, at planning and when the day opens.
        case(R::Role2, "planning a scene for tomorrow with a permit that ends today", Alerted(&[R::Role2]), |p| {
            let perf = expiring_performer(p);
            let plan = take_plan(&p.blank_gun, &perf, quarter_blanks());
            let day = TODAY.tomorrow().unwrap();
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day, plan })
        }),
        case(R::Role2, "planning a scene for today with a permit that ends today", Allowed("scene.planned"), |p| {
            let perf = expiring_performer(p);
            let plan = take_plan(&p.blank_gun, &perf, quarter_blanks());
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(R::Role2, "opening the scene's day with a permit that ended the day before", Alerted(&[R::Role2]), |p| {
            let perf = expiring_performer(p);
            let tomorrow = TODAY.tomorrow().unwrap();
            p.plan_scene_on(take_plan(&p.blank_gun, &perf, quarter_blanks()), tomorrow);
            p.w.ctx.now = Timestamp(T0.0 + 24 * 60 * MINUTE_MS);
            p.w.ctx.today = tomorrow;
            (p.arm(), Command::OpenDay { call_sheet: call_sheet(), counts: p.full_count() })
        }),
        case(R::Role3, "adding a second armorer with no other role", Allowed("person.added"), |p| {
            (p.admin.clone(), Command::AddPerson { name: "Jo Armorer".into(), roles: [Role::Armorer].into() })
        }),
        case(R::Role3, "making the armorer an auditor as well", Allowed("person.role_assigned"), |p| {
            (p.admin.clone(), Command::AssignRole { person: p.armorer.clone(), role: Role::Auditor })
        }),
        // Only reachable through records made before R-ROLE-3 was enforced at assignment.
        case(
            R::Role3,
            "an armorer on record as props assistant takes a firearm out for a scene",
            Refused(&[R::Role3]),
            |p| {
                let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
                p.open(p.safe.clone());
                p.w.state.people.get_mut(&p.armorer).unwrap().roles.insert(Role::PropertyMaster);
                (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
            },
        ),
        case(R::Role3, "an armorer on record as props assistant hands a firearm over", Refused(&[R::Role3]), |p| {
            let sc = p.std_ready();
            p.w.state.people.get_mut(&p.armorer).unwrap().roles.insert(Role::PropertyMaster);
            p.std_hand(&sc)
        }),
        // R-ROLE-4
        case(R::Role4, "a producer places a hold", Refused(&[R::Role4]), |p| {
            (by(&p.producer), Command::PlaceHold { scope: HoldScope::AllFirearmWork, reason: "schedule".into() })
        }),
        case(R::Role4, "a crew member places a hold", Refused(&[R::Role4]), |p| {
            (by(&p.crew), Command::PlaceHold { scope: HoldScope::AllFirearmWork, reason: "unsafe".into() })
        }),
        case(R::Role4, "the armorer places a hold on a scene", Allowed("hold.placed"), |p| {
            let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
            (p.arm(), Command::PlaceHold { scope: HoldScope::Scene { scene: sc }, reason: "blocking unsafe".into() })
        }),
        case(R::Role4, "the safety advisor places a hold on all firearm work", Allowed("hold.placed"), |p| {
            (by(&p.safety), Command::PlaceHold { scope: HoldScope::AllFirearmWork, reason: "complaint".into() })
        }),
        case(R::Role4, "a producer lifts the armorer's hold", Refused(&[R::Role4]), |p| {
            let hold = p.place_hold(&p.armorer.clone(), HoldScope::AllFirearmWork);
            (by(&p.producer), Command::LiftHold { hold, note: "we are behind schedule".into(), review: true })
        }),
        case(R::Role4, "the safety advisor lifts the armorer's hold without a review", Refused(&[R::Role4]), |p| {
            let hold = p.place_hold(&p.armorer.clone(), HoldScope::AllFirearmWork);
            (by(&p.safety), Command::LiftHold { hold, note: "fine".into(), review: false })
        }),
        case(R::Role4, "the 1st AD lifts the armorer's hold claiming a review", Refused(&[R::Role4]), |p| {
            let hold = p.place_hold(&p.armorer.clone(), HoldScope::AllFirearmWork);
            (p.ad(), Command::LiftHold { hold, note: "reviewed".into(), review: true })
        }),
        case(R::Role4, "the armorer lifts the safety advisor's hold", Refused(&[R::Role4]), |p| {
            let hold = p.place_hold(&p.safety.clone(), HoldScope::AllFirearmWork);
            (p.arm(), Command::LiftHold { hold, note: "fixed".into(), review: true })
        }),
        case(R::Role4, "the armorer lifts her own hold", Allowed("hold.lifted"), |p| {
            let hold = p.place_hold(&p.armorer.clone(), HoldScope::AllFirearmWork);
            (p.arm(), Command::LiftHold { hold, note: "blocking changed".into(), review: false })
        }),
        case(R::Role4, "the safety advisor lifts the armorer's hold after a review", Allowed("hold.lifted"), |p| {
            let hold = p.place_hold(&p.armorer.clone(), HoldScope::AllFirearmWork);
            (by(&p.safety), Command::LiftHold { hold, note: "reviewed with the armorer".into(), review: true })
        }),
        case(R::Role4, "a hand-off while a hold covers the scene", Refused(&[R::Role4]), |p| {
            let sc = p.std_ready();
            p.place_hold(&p.armorer.clone(), HoldScope::Scene { scene: sc.clone() });
            p.std_hand(&sc)
        }),
        case(R::Role4, "a hand-off while a hold covers all firearm work", Refused(&[R::Role4]), |p| {
            let sc = p.std_ready();
            p.place_hold(&p.safety.clone(), HoldScope::AllFirearmWork);
            p.std_hand(&sc)
        }),
        case(R::Role4, "a hold on another scene does not stop this one", Allowed("firearm.handed_off"), |p| {
            let other = p.plan_scene(take_plan(&p.replica, &p.performer2, PlannedLoad::Empty));
            let sc = p.std_ready();
            p.place_hold(&p.safety.clone(), HoldScope::Scene { scene: other });
            p.std_hand(&sc)
        }),
        case(R::Role4, "the hand-off once the hold is lifted", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            let hold = p.place_hold(&p.armorer.clone(), HoldScope::Scene { scene: sc.clone() });
            let arm = p.arm();
            p.w.ok(&arm, Command::LiftHold { hold, note: "resolved".into(), review: false });
            p.std_hand(&sc)
        }),
        case(R::Role4, "taking a firearm out for a scene under a hold", Refused(&[R::Role4]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
            p.open(p.safe.clone());
            p.place_hold(&p.safety.clone(), HoldScope::Scene { scene: sc.clone() });
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
        }),
        case(R::Role4, "calling a scene under a hold", Refused(&[R::Role4]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Call);
            p.place_hold(&p.armorer.clone(), HoldScope::AllFirearmWork);
            (p.ad(), Command::CallScene { scene: sc })
        }),
        case(R::Role4, "loading under a hold", Refused(&[R::Role4]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            p.place_hold(&p.safety.clone(), HoldScope::Scene { scene: sc });
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        // R-ROLE-6
        case(R::Role6, "california-2025: a safety advisor who is also the 1st AD", Refused(&[R::Role6]), |p| {
            (
                p.admin.clone(),
                Command::AddPerson { name: "Rusty AD".into(), roles: [Role::SafetyAdvisor, Role::FirstAd].into() },
            )
        }),
        case(R::Role6, "california-2025: giving the safety advisor a crew role", Refused(&[R::Role6]), |p| {
            (p.admin.clone(), Command::AssignRole { person: p.safety.clone(), role: Role::Crew })
        }),
        case(
            R::Role6,
            "industry-us: a safety advisor who is also the 1st AD raises an alert",
            Alerted(&[R::Role6]),
            |p| {
                p.set_policy(&["industry-us"]);
                (
                    p.admin.clone(),
                    Command::AddPerson { name: "Rusty AD".into(), roles: [Role::SafetyAdvisor, Role::FirstAd].into() },
                )
            },
        ),
        case(
            R::Role6,
            "industry-us: making the 1st AD the safety advisor raises an alert",
            Alerted(&[R::Role6]),
            |p| {
                p.set_policy(&["industry-us"]);
                (p.admin.clone(), Command::AssignRole { person: p.first_ad.clone(), role: Role::SafetyAdvisor })
            },
        ),
        // #15: separation of duties over the day and across roles, under every policy pack.
        case(R::Role6, "industry-us: the producer takes the safety advisor role", Refused(&[R::Role6]), |p| {
            p.set_policy(&["industry-us"]);
            (p.admin.clone(), Command::AssignRole { person: p.producer.clone(), role: Role::SafetyAdvisor })
        }),
        case(R::Role6, "industry-us: adding a producer who is also safety advisor", Refused(&[R::Role6]), |p| {
            p.set_policy(&["industry-us"]);
            let roles = [Role::Producer, Role::SafetyAdvisor].into();
            (p.admin.clone(), Command::AddPerson { name: "Pat Pressure".into(), roles })
        }),
        case(
            R::Role6,
            "industry-us: the 1st AD steps down and becomes advisor the same day",
            Refused(&[R::Role6]),
            |p| {
                p.set_policy(&["industry-us"]);
                p.open_day();
                let admin = p.admin.clone();
                p.w.ok(&admin, Command::RemoveRole { person: p.first_ad.clone(), role: Role::FirstAd });
                (p.admin.clone(), Command::AssignRole { person: p.first_ad.clone(), role: Role::SafetyAdvisor })
            },
        ),
        case(R::Role6, "industry-us: a former producer becomes advisor on another day", Refused(&[R::Role6]), |p| {
            p.set_policy(&["industry-us"]);
            let admin = p.admin.clone();
            p.w.ok(&admin, Command::RemoveRole { person: p.producer.clone(), role: Role::Producer });
            (p.admin.clone(), Command::AssignRole { person: p.producer.clone(), role: Role::SafetyAdvisor })
        }),
        case(
            R::Role6,
            "industry-us: a former 1st AD becomes advisor with no day open",
            Allowed("person.role_assigned"),
            |p| {
                p.set_policy(&["industry-us"]);
                let admin = p.admin.clone();
                p.w.ok(&admin, Command::RemoveRole { person: p.first_ad.clone(), role: Role::FirstAd });
                (p.admin.clone(), Command::AssignRole { person: p.first_ad.clone(), role: Role::SafetyAdvisor })
            },
        ),
        case(
            R::Role6,
            "industry-us: a 1st AD who is also advisor reviews a critical report",
            Refused(&[R::Role6]),
            |p| {
                let ad = ad_advisor(p);
                let report = filed(p, coldset_domain::reports::Severity::Critical);
                (by(&ad), Command::ReviewReport { report, note: "fine, carry on".into() })
            },
        ),
        case(
            R::Role6,
            "industry-us: a 1st AD who is also advisor lifts the armorer's hold",
            Refused(&[R::Role6]),
            |p| {
                let ad = ad_advisor(p);
                let armorer = p.armorer.clone();
                let hold = p.place_hold(&armorer, HoldScope::AllFirearmWork);
                (by(&ad), Command::LiftHold { hold, note: "we are losing the light".into(), review: true })
            },
        ),
        case(R::Role6, "industry-us: a 1st AD who is also advisor signs an investigation", Refused(&[R::Role6]), |p| {
            let ad = ad_advisor(p);
            let id = incident(p, coldset_domain::reports::IncidentKind::Misfire, Some(30));
            (by(&ad), Command::SignInvestigation { incident: id, cause: "x".into(), corrective_action: "y".into() })
        }),
        case(R::Role6, "industry-us: a 1st AD who is also advisor releases evidence", Refused(&[R::Role6]), |p| {
            let ad = ad_advisor(p);
            p.take(p.blank_gun.clone());
            let id = incident(p, coldset_domain::reports::IncidentKind::LostRound, None);
            (by(&ad), Command::ReleaseEvidence { incident: id, note: "done".into() })
        }),
        case(R::Role6, "the independent advisor lifts the armorer's hold after review", Allowed("hold.lifted"), |p| {
            let armorer = p.armorer.clone();
            let hold = p.place_hold(&armorer, HoldScope::AllFirearmWork);
            (by(&p.safety), Command::LiftHold { hold, note: "reviewed the rig".into(), review: true })
        }),
        case(
            R::Role6,
            "industry-us: a 1st AD who is also advisor approves a live-round exception",
            Refused(&[R::Role6]),
            |p| {
                let ad = ad_advisor(p);
                let admin = p.admin.clone();
                let range = location_of(&p.w.ok(
                    &admin,
                    Command::AddLocation {
                        name: "Range".into(),
                        kind: LocationKind::Range,
                        authorised: [p.armorer.clone()].into(),
                    },
                ));
                (by(&ad), live_exception(&range))
            },
        ),
        case(R::Role6, "an independent safety advisor", Allowed("person.added"), |p| {
            (p.admin.clone(), Command::AddPerson { name: "Ines Advisor".into(), roles: [Role::SafetyAdvisor].into() })
        }),
        case(R::Role6, "one person approving a plan under two roles", Refused(&[R::Role6]), |p| {
            p.set_policy(&["industry-us"]);
            let admin = p.admin.clone();
            let both = person_of(&p.w.ok(
                &admin,
                Command::AddPerson { name: "Rusty AD".into(), roles: [Role::SafetyAdvisor, Role::FirstAd].into() },
            ));
            let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
            p.w.ok(&by(&both), Command::ApprovePlan { scene: sc.clone(), version: 1 });
            (by(&both), Command::ApprovePlan { scene: sc, version: 1 })
        }),
    ]
}

/// R-STAFF-1 (per armorer on set: at most 10 firearms out of storage and 4 armed performers)
/// and R-STAFF-2 (a scene is marked ready only once the armorer's inspections are done).
fn staff_cases() -> Vec<Case> {
    /// One armorer, the day open, a scene for the blank gun, and `n` replicas just taken in
    /// (so out of storage, with the armorer).
    fn crowded(p: &mut Prod, n: usize) -> (Actor, Command) {
        p.one_armorer();
        let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
        p.open_day();
        let arm = p.arm();
        for i in 0..n {
            p.w.ok(&arm, intake_firearm(FirearmKind::Replica, &format!("REP-X{i}")));
        }
        p.open(p.safe.clone());
        (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
    }
    vec![
        case(R::Staff1, "an eleventh firearm out of storage for one armorer", Refused(&[R::Staff1]), |p| {
            crowded(p, 10)
        }),
        case(R::Staff1, "a tenth firearm out of storage for one armorer", Allowed("firearm.taken_out"), |p| {
            crowded(p, 9)
        }),
        case(R::Staff1, "an eleventh firearm out with a recorded override", Allowed("firearm.taken_out"), |p| {
            let (actor, cmd) = crowded(p, 10);
            let Command::TakeFirearm { scene: Some(sc), .. } = &cmd else { unreachable!() };
            let arm = p.arm();
            p.w.ok(
                &arm,
                Command::RecordOverride {
                    rule: R::Staff1,
                    firearm: p.blank_gun.clone(),
                    scene: sc.clone(),
                    reason: "second armorer arrives in ten minutes; firearms stay on the cart".into(),
                },
            );
            (actor, cmd)
        }),
        case(R::Staff1, "a fifth armed performer for one armorer", Refused(&[R::Staff1]), |p| {
            let (sc, pairs) = five_armed(p);
            let (fa, to) = &pairs[4];
            (p.arm(), hand_off(fa, to, &sc))
        }),
        case(R::Staff1, "a fourth armed performer for one armorer", Allowed("firearm.handed_off"), |p| {
            let (sc, pairs) = five_armed(p);
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: pairs[0].0.clone() });
            let (fa, to) = &pairs[4];
            (p.arm(), hand_off(fa, to, &sc))
        }),
        case(
            R::Staff1,
            "a fifth armed performer with two armorers on the production",
            Allowed("firearm.handed_off"),
            |p| {
                let (sc, pairs) = five_armed(p);
                let admin = p.admin.clone();
                p.w.ok(&admin, Command::AssignRole { person: p.assistant.clone(), role: Role::AssistantArmorer });
                let (fa, to) = &pairs[4];
                (p.arm(), hand_off(fa, to, &sc))
            },
        ),
        // R-STAFF-2
        case(R::Staff2, "the 1st AD marks the scene ready", Refused(&[R::Staff2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Ready);
            (p.ad(), Command::MarkSceneReady { scene: sc })
        }),
        case(R::Staff2, "marking ready before the pre-use inspection", Refused(&[R::Staff2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Inspect);
            (p.arm(), Command::MarkSceneReady { scene: sc })
        }),
        case(R::Staff2, "marking ready before the firearm is out for the scene", Refused(&[R::Staff2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
            (p.arm(), Command::MarkSceneReady { scene: sc })
        }),
        case(R::Staff2, "marking ready with a pre-use inspection past the time-out", Refused(&[R::Staff2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Ready);
            p.w.ctx.now = p.inspected_at(&p.blank_gun).plus_minutes(20);
            (p.arm(), Command::MarkSceneReady { scene: sc })
        }),
        case(R::Staff2, "calling a scene the armorer has not marked ready", Refused(&[R::Staff2]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Ready);
            (p.ad(), Command::CallScene { scene: sc })
        }),
        case(R::Staff2, "the armorer marks the scene ready once inspected", Allowed("scene.marked_ready"), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Ready);
            (p.arm(), Command::MarkSceneReady { scene: sc })
        }),
    ]
}

/// One armorer on the production and five blank-adapted revolvers ready for five qualified
/// performers; the first four are handed over. Returns the scene and the (firearm, performer)
/// pairs.
fn five_armed(p: &mut Prod) -> (SceneId, Vec<(FirearmId, PersonId)>) {
    p.one_armorer();
    let mut pairs = vec![(p.blank_gun.clone(), p.performer.clone())];
    for i in 1..5 {
        let fa = p.another_blank_gun(&format!("B-10{i}"));
        let to = p.qualified_performer(&format!("Performer {i}"));
        pairs.push((fa, to));
    }
    let items = pairs.iter().map(|(fa, to)| item(fa, to, PlannedLoad::Dummies)).collect();
    let sc = p.prepare(plan_of(SceneKind::Take, items), &[], None);
    let arm = p.arm();
    for (fa, to) in &pairs[..4] {
        p.w.ok(&arm, hand_off(fa, to, &sc));
    }
    (sc, pairs)
}

/// R-TRAIN-1 (a safety course for handlers: a gate; for crew near firearms an alert, a gate
/// under california-2025), R-TRAIN-2 (competence with the weapon model, recorded by the
/// armorer), R-TRAIN-3 (anyone may decline; the scene must be replanned).
fn training_cases() -> Vec<Case> {
    vec![
        // #15: training judged on the scene's shoot day, not on the day of planning.
        case(R::Train1, "california-2025: a course that ends before tomorrow's scene", Refused(&[R::Train1]), |p| {
            let crew = crew_with_course_until(p, TODAY);
            let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            plan.call_list.insert(crew);
            let day = TODAY.tomorrow().unwrap();
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day, plan })
        }),
        case(R::Train1, "california-2025: a course in date on the scene's day", Allowed("scene.planned"), |p| {
            let day = TODAY.tomorrow().unwrap();
            let crew = crew_with_course_until(p, day);
            let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            plan.call_list.insert(crew);
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day, plan })
        }),
        case(
            R::Train1,
            "industry-us: a course that ended before the scene's day, at day open",
            Alerted(&[R::Train1]),
            |p| {
                p.set_policy(&["industry-us"]);
                let crew = crew_with_course_until(p, TODAY);
                let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
                plan.call_list.insert(crew);
                let tomorrow = TODAY.tomorrow().unwrap();
                p.plan_scene_on(plan, tomorrow);
                p.w.ctx.now = Timestamp(T0.0 + 24 * 60 * MINUTE_MS);
                p.w.ctx.today = tomorrow;
                (p.arm(), Command::OpenDay { call_sheet: call_sheet(), counts: p.full_count() })
            },
        ),
        case(R::Train1, "california-2025: an untrained crew member on the call list", Refused(&[R::Train1]), |p| {
            let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            plan.call_list.insert(p.crew.clone());
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(R::Train1, "california-2025: an untrained performer in the plan", Refused(&[R::Train1]), |p| {
            let newcomer = p.add_person("Nat Newcomer", &[Role::Performer]);
            let plan = take_plan(&p.blank_gun, &newcomer, quarter_blanks());
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(R::Train1, "industry-us: an untrained crew member on the call list", Alerted(&[R::Train1]), |p| {
            p.set_policy(&["industry-us"]);
            let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            plan.call_list.insert(p.crew.clone());
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(
            R::Train1,
            "industry-us: an untrained performer still does not get the firearm",
            Refused(&[R::Train1]),
            |p| {
                p.set_policy(&["industry-us"]);
                let newcomer = p.add_person("Nat Newcomer", &[Role::Performer]);
                p.credit(
                    newcomer.clone(),
                    credential(CredentialKind::Permit, Date::constant(2027, 6, 30), &[FirearmKind::BlankAdapted]),
                );
                let sc = p.ready(p.blank_gun.clone(), newcomer.clone(), quarter_blanks());
                (p.arm(), hand_off(&p.blank_gun, &newcomer, &sc))
            },
        ),
        case(R::Train1, "a call list where everyone is trained", Allowed("scene.planned"), |p| {
            let mut plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            p.credit(p.crew.clone(), safety_course());
            plan.call_list.insert(p.crew.clone());
            (p.ad(), Command::PlanScene { number: "7".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(R::Train1, "a trained performer receives the firearm", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.std_hand(&sc)
        }),
        // R-TRAIN-2
        case(R::Train2, "no recorded competence with the weapon", Refused(&[R::Train2]), |p| {
            let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Competence);
            p.std_hand(&sc)
        }),
        case(R::Train2, "competence with another model does not count", Refused(&[R::Train2]), |p| {
            let arm = p.arm();
            let ruger = firearm_of(&p.w.ok(
                &arm,
                Command::IntakeFirearm {
                    kind: FirearmKind::BlankAdapted,
                    make: "Ruger".into(),
                    model: "New Vaquero".into(),
                    serial: "V-1".into(),
                    calibre: CALIBRE.into(),
                    condition: "good".into(),
                    acquired_from: rental_house(),
                },
            ));
            p.w.ok(
                &arm,
                Command::RecordCompetence { person: p.performer.clone(), firearm: ruger, notes: String::new() },
            );
            let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Competence);
            p.std_hand(&sc)
        }),
        case(R::Train2, "the 1st AD records a performer's competence", Refused(&[R::Train2]), |p| {
            (
                p.ad(),
                Command::RecordCompetence {
                    person: p.performer.clone(),
                    firearm: p.blank_gun.clone(),
                    notes: "looked fine".into(),
                },
            )
        }),
        case(R::Train2, "the armorer records a performer's competence", Allowed("competence.recorded"), |p| {
            (
                p.arm(),
                Command::RecordCompetence {
                    person: p.performer.clone(),
                    firearm: p.blank_gun.clone(),
                    notes: "two dry runs".into(),
                },
            )
        }),
        case(
            R::Train2,
            "competence recorded with the same model of another firearm",
            Allowed("firearm.handed_off"),
            |p| {
                let arm = p.arm();
                p.w.ok(
                    &arm,
                    Command::RecordCompetence {
                        person: p.performer.clone(),
                        firearm: p.real_gun.clone(),
                        notes: String::new(),
                    },
                );
                let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Competence);
                p.std_hand(&sc)
            },
        ),
        // R-TRAIN-3
        case(R::Train3, "a performer declines: recorded without penalty", Allowed("firearm.declined"), |p| {
            let sc = p.std_ready();
            (by(&p.performer), Command::DeclineFirearm { scene: sc, reason: "not comfortable today".into() })
        }),
        case(R::Train3, "a hand-off to the performer who declined", Refused(&[R::Train3, R::Hand6]), |p| {
            let sc = p.std_ready();
            p.w.ok(&by(&p.performer), Command::DeclineFirearm { scene: sc.clone(), reason: String::new() });
            p.std_hand(&sc)
        }),
        case(R::Train3, "marking the scene ready after a decline", Refused(&[R::Train3]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Ready);
            p.w.ok(&by(&p.performer), Command::DeclineFirearm { scene: sc.clone(), reason: String::new() });
            (p.arm(), Command::MarkSceneReady { scene: sc })
        }),
        case(R::Train3, "replanned for another performer after a decline", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.w.ok(&by(&p.performer), Command::DeclineFirearm { scene: sc.clone(), reason: String::new() });
            let other = p.qualified_performer("Val Standby");
            let arm = p.arm();
            p.w.ok(
                &arm,
                Command::RecordCompetence { person: other.clone(), firearm: p.blank_gun.clone(), notes: String::new() },
            );
            p.revise(&sc, take_plan(&p.blank_gun, &other, quarter_blanks()));
            p.redo(&sc);
            (p.arm(), hand_off(&p.blank_gun, &other, &sc))
        }),
    ]
}

/// R-STORE-1..5: unloaded in locked storage unless in use for a scene, ammunition under the
/// armorer's supervision, who opens storage, counts (day open/close, variance alerts),
/// intake.
fn store_cases() -> Vec<Case> {
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

/// R-AMMO-1..7: no live rounds, verified dummies (and each dummy checked as it is loaded),
/// approved suppliers, provenance and quarantine, one class per container, the blank the
/// plan approves, rounds counted out and back.
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

/// A blank-adapted Winchester 1873 carbine in .44-40, taken in and put in the safe.
fn carbine(p: &mut Prod) -> FirearmId {
    let arm = p.arm();
    let mut cmd = intake_firearm(FirearmKind::BlankAdapted, "W73-340");
    if let Command::IntakeFirearm { make, model, calibre, .. } = &mut cmd {
        *make = "Winchester".into();
        *model = "1873 carbine".into();
        *calibre = ".44-40".into();
    }
    let fa = firearm_of(&p.w.ok(&arm, cmd));
    p.open(p.safe.clone());
    p.w.ok(&arm, Command::StoreFirearm { firearm: fa.clone(), location: p.safe.clone() });
    fa
}

/// The standard scene, handed over, collected and unloaded one blank short: quarter-load
/// blanks are held (R-AMMO-7). The scene is still called, the gun empty with the armorer.
fn short_count(p: &mut Prod) {
    p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
    let arm = p.arm();
    p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
    p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 2, returned: 3 });
}

/// The armorer tries to record an override of `rule` for the standard scene.
fn override_of(p: &mut Prod, rule: R) -> (Actor, Command) {
    let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
    (
        p.arm(),
        Command::RecordOverride { rule, firearm: p.blank_gun.clone(), scene: sc, reason: "we know better".into() },
    )
}

/// R-HAND-1 (only the armorer, or a supervised assistant, loads; only once the scene is
/// called), R-HAND-2 (only the armorer hands over and collects; to the performer the plan
/// names, who confirms in person), R-HAND-3 (firearms back at cut), R-HAND-4 (inspections),
/// R-HAND-5 (withdrawn until repaired), R-HAND-6 (used only in a called scene).
fn hand_cases() -> Vec<Case> {
    vec![
        case(R::Hand1, "loading before the scene is called", Refused(&[R::Hand1]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Call);
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Hand1, "loading a firearm out for maintenance only", Refused(&[R::Hand1, R::Ammo6]), |p| {
            p.open_day();
            p.take(p.blank_gun.clone());
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Hand1, "an assistant armorer loads without recorded supervision", Refused(&[R::Hand1]), |p| {
            assistant_holds_the_gun(p);
            (by(&p.assistant), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Hand1, "an assistant armorer loads under recorded supervision", Allowed("firearm.loaded"), |p| {
            assistant_holds_the_gun(p);
            let arm = p.arm();
            p.w.ok(&arm, Command::SuperviseAssistant { assistant: p.assistant.clone() });
            (by(&p.assistant), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        // #16: the supervised load goes back to the armorer as a recorded custody step.
        case(
            R::Hand2,
            "the assistant hands her supervised load back to the armorer",
            Allowed("firearm.handed_off"),
            |p| {
                assistant_holds_the_gun(p);
                let arm = p.arm();
                p.w.ok(&arm, Command::SuperviseAssistant { assistant: p.assistant.clone() });
                p.w.ok(&by(&p.assistant), load_cmd(&p.blank_gun, &p.quarters, 6, None));
                p.w.ctx.attested = vec![p.armorer.clone()];
                (
                    by(&p.assistant),
                    Command::HandOff { firearm: p.blank_gun.clone(), to: p.armorer.clone(), scene: None },
                )
            },
        ),
        case(
            R::Hand2,
            "the assistant hands her supervised load to the performer",
            Refused(&[R::Hand2, R::Check1, R::Check2]),
            |p| {
                let sc = SceneId::parse("sc-1").unwrap();
                assistant_holds_the_gun(p);
                let arm = p.arm();
                p.w.ok(&arm, Command::SuperviseAssistant { assistant: p.assistant.clone() });
                p.w.ok(&by(&p.assistant), load_cmd(&p.blank_gun, &p.quarters, 6, None));
                p.w.ctx.attested = vec![p.performer.clone()];
                (by(&p.assistant), hand_off(&p.blank_gun, &p.performer, &sc))
            },
        ),
        case(
            R::Ammo7,
            "a hand-off after collecting a never-fired load from the assistant",
            Allowed("firearm.handed_off"),
            |p| {
                let sc = SceneId::parse("sc-1").unwrap();
                assistant_holds_the_gun(p);
                let arm = p.arm();
                p.w.ok(&arm, Command::SuperviseAssistant { assistant: p.assistant.clone() });
                p.w.ok(&by(&p.assistant), load_cmd(&p.blank_gun, &p.quarters, 6, None));
                p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
                p.run_steps(&sc, &[Step::Demonstrate, Step::Shown, Step::Attest], true);
                (p.arm(), hand_off(&p.blank_gun, &p.performer, &sc))
            },
        ),
        case(R::Hand1, "the armorer loads once the 1st AD called the scene", Allowed("firearm.loaded"), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Hand1, "the 1st AD records an assistant's supervision", Refused(&[R::Hand1]), |p| {
            p.open_day();
            (p.ad(), Command::SuperviseAssistant { assistant: p.assistant.clone() })
        }),
        case(R::Hand1, "supervising someone who is not an assistant armorer", Refused(&[R::Hand1]), |p| {
            p.open_day();
            (p.arm(), Command::SuperviseAssistant { assistant: p.crew.clone() })
        }),
        case(R::Hand1, "supervision recorded before the day is open", Refused(&[R::Hand1]), |p| {
            (p.arm(), Command::SuperviseAssistant { assistant: p.assistant.clone() })
        }),
        case(R::Hand1, "the armorer records the assistant's supervision", Allowed("assistant.supervised"), |p| {
            p.open_day();
            (p.arm(), Command::SuperviseAssistant { assistant: p.assistant.clone() })
        }),
        // R-HAND-2
        case(R::Hand2, "the 1st AD hands a gun he does not hold to a performer", Refused(&[R::Role1, R::Hand2]), |p| {
            let sc = p.std_ready();
            (p.ad(), hand_off(&p.blank_gun, &p.performer, &sc))
        }),
        case(R::Hand2, "the 1st AD, somehow holding the gun, hands it to a performer", Refused(&[R::Hand2]), |p| {
            let sc = p.std_ready();
            p.w.state.firearms.get_mut(&p.blank_gun).unwrap().holder = Holder::Person { person: p.first_ad.clone() };
            (p.ad(), hand_off(&p.blank_gun, &p.performer, &sc))
        }),
        case(R::Hand2, "the armorer hands the replica to the 1st AD", Refused(&[R::Hand2, R::Check2]), |p| {
            let sc = p.ready(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            p.w.ctx.attested = vec![p.first_ad.clone()];
            (p.arm(), hand_off(&p.replica, &p.first_ad, &sc))
        }),
        case(
            R::Hand2,
            "the armorer hands a blank-adapted firearm to a crew member",
            Refused(&[R::Hand2, R::Role2, R::Train1, R::Train2, R::Check2]),
            |p| {
                let sc = p.std_ready();
                p.w.ctx.attested = vec![p.crew.clone()];
                (p.arm(), hand_off(&p.blank_gun, &p.crew, &sc))
            },
        ),
        case(R::Hand2, "the armorer hands a firearm to herself", Refused(&[R::Hand2]), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.armorer.clone(), scene: None })
        }),
        case(R::Hand2, "the assistant armorer hands a firearm to a performer", Refused(&[R::Hand2]), |p| {
            let sc = p.std_ready();
            p.transfer(p.blank_gun.clone(), p.assistant.clone());
            p.w.ctx.attested = vec![p.performer.clone()];
            (by(&p.assistant), hand_off(&p.blank_gun, &p.performer, &sc))
        }),
        case(R::Hand2, "a performer passes the gun to another performer", Refused(&[R::Hand2, R::Check2]), |p| {
            let sc = p.give(p.replica.clone(), p.performer.clone(), PlannedLoad::Empty);
            p.w.ctx.attested = vec![p.performer2.clone()];
            (by(&p.performer), hand_off(&p.replica, &p.performer2, &sc))
        }),
        case(R::Hand2, "the plan gives the firearm to another performer", Refused(&[R::Hand2, R::Check2]), |p| {
            let sc = p.ready(p.replica.clone(), p.performer.clone(), PlannedLoad::Empty);
            p.w.ctx.attested = vec![p.performer2.clone()];
            (p.arm(), hand_off(&p.replica, &p.performer2, &sc))
        }),
        case(R::Hand2, "the performer has not confirmed receiving it in person", Refused(&[R::Hand2]), |p| {
            let sc = p.std_ready();
            p.w.ctx.attested.clear();
            p.std_hand(&sc)
        }),
        case(R::Hand2, "someone else confirmed instead of the performer", Refused(&[R::Hand2]), |p| {
            let sc = p.std_ready();
            p.w.ctx.attested = vec![p.performer2.clone()];
            p.std_hand(&sc)
        }),
        case(R::Hand2, "the assistant armorer has not confirmed receiving it", Refused(&[R::Hand2]), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.assistant.clone(), scene: None })
        }),
        case(R::Hand2, "the assistant collects from a performer", Refused(&[R::Hand2]), |p| {
            p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
            (by(&p.assistant), Command::Collect { firearm: p.blank_gun.clone() })
        }),
        case(R::Hand2, "the 1st AD collects the replica from a performer", Refused(&[R::Hand2]), |p| {
            p.give(p.replica.clone(), p.performer.clone(), PlannedLoad::Empty);
            (p.ad(), Command::Collect { firearm: p.replica.clone() })
        }),
        case(R::Hand2, "planning a firearm for a crew member", Refused(&[R::Hand2]), |p| {
            p.credit(p.crew.clone(), safety_course());
            let plan = take_plan(&p.blank_gun, &p.crew, quarter_blanks());
            (p.ad(), Command::PlanScene { number: "9".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(R::Hand2, "no override exists for R-HAND-2", Refused(&[R::Hand2]), |p| override_of(p, R::Hand2)),
        case(R::Hand2, "the armorer hands the firearm to the assistant armorer", Allowed("firearm.handed_off"), |p| {
            p.take(p.blank_gun.clone());
            p.w.ctx.attested = vec![p.assistant.clone()];
            (p.arm(), Command::HandOff { firearm: p.blank_gun.clone(), to: p.assistant.clone(), scene: None })
        }),
        case(R::Hand2, "the armorer collects from the assistant armorer", Allowed("firearm.collected"), |p| {
            p.transfer(p.blank_gun.clone(), p.assistant.clone());
            (p.arm(), Command::Collect { firearm: p.blank_gun.clone() })
        }),
        case(R::Hand2, "the armorer hands it to the performer the plan names", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.std_hand(&sc)
        }),
        // R-HAND-3
        // #15: the clock records the time-out (and the outbox sends it).
        case(R::Hand3, "the clock finds a firearm out past the time-out", Alerted(&[R::Hand3]), |p| {
            p.take(p.blank_gun.clone());
            p.close(p.safe.clone());
            p.w.ctx.now = p.w.ctx.now.plus_minutes(25);
            (Actor::System, Command::Tick)
        }),
        case(R::Hand3, "wrapping while a performer still holds a firearm", Refused(&[R::Hand3]), |p| {
            let sc = p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            (p.ad(), Command::WrapScene { scene: sc })
        }),
        case(R::Hand3, "a crew member wraps the scene", Refused(&[R::Hand3]), |p| {
            let sc = p.plan_scene(take_plan(&p.replica, &p.performer2, PlannedLoad::Empty));
            (by(&p.crew), Command::WrapScene { scene: sc })
        }),
        case(R::Hand3, "wrapping once the armorer has collected every firearm", Allowed("scene.wrapped"), |p| {
            let sc = p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: p.replica.clone() });
            (p.ad(), Command::WrapScene { scene: sc })
        }),
        // R-HAND-4
        case(R::Hand4, "a pre-use inspection as old as the time-out", Refused(&[R::Hand4]), |p| {
            let sc = p.std_ready();
            p.w.ctx.now = p.inspected_at(&p.blank_gun).plus_minutes(20);
            p.std_hand(&sc)
        }),
        case(R::Hand4, "a pre-use inspection just under the time-out", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.w.ctx.now = Timestamp(p.inspected_at(&p.blank_gun).0 + 20 * MINUTE_MS - 1);
            p.std_hand(&sc)
        }),
        case(R::Hand4, "no pre-use inspection", Refused(&[R::Hand4, R::Hand6]), |p| {
            // Without it the scene can't be marked ready, so it is not called either.
            let sc = p.ready_except(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty, Step::Inspect);
            (p.arm(), hand_off(&p.replica, &p.performer2, &sc))
        }),
        // Collected with blanks still in it: the post-use inspection is due (R-HAND-4) and the
        // sequence's rounds must be reconciled before it goes out again (R-AMMO-7).
        case(
            R::Hand4,
            "back from a firing sequence without a post-use inspection",
            Refused(&[R::Ammo7, R::Hand4]),
            |p| {
                let sc = p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
                let arm = p.arm();
                p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
                p.run_steps(&sc, &[Step::Inspect, Step::Demonstrate, Step::Shown, Step::Attest], true);
                p.std_hand(&sc)
            },
        ),
        case(
            R::Hand4,
            "back from a firing sequence, inspected post-use then pre-use",
            Allowed("firearm.handed_off"),
            |p| {
                let sc = p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
                let arm = p.arm();
                p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
                p.w.ok(&arm, inspect(&p.blank_gun, InspectionStage::PostUse));
                // Reconcile the sequence (2 fired, the rest returned), then load again.
                let issued = match &p.w.state.firearms[&p.blank_gun].load {
                    LoadState::Blanks { count, .. } => *count,
                    other => panic!("expected blanks, got {other:?}"),
                };
                p.w.ok(
                    &arm,
                    Command::UnloadFirearm {
                        firearm: p.blank_gun.clone(),
                        fired: 2.min(issued),
                        returned: issued - 2.min(issued),
                    },
                );
                p.run_steps(&sc, &[Step::Inspect, Step::Load, Step::Demonstrate, Step::Shown, Step::Attest], true);
                p.std_hand(&sc)
            },
        ),
        case(
            R::Hand4,
            "a pre-use inspection that found the barrel obstructed does not count after the repair",
            Refused(&[R::Hand4]),
            |p| {
                let sc = p.std_ready();
                let arm = p.arm();
                p.w.ok(
                    &arm,
                    Command::InspectFirearm {
                        firearm: p.blank_gun.clone(),
                        stage: InspectionStage::PreUse,
                        barrel_clear: false,
                        fault: Some("squib lodged in the barrel".into()),
                    },
                );
                let repair = p.repair(p.blank_gun.clone());
                p.w.ok(&arm, repair);
                p.std_hand(&sc)
            },
        ),
        case(R::Hand4, "a performer inspects the firearm she holds", Refused(&[R::Hand4]), |p| {
            p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            (by(&p.performer2), inspect(&p.replica, InspectionStage::PostUse))
        }),
        case(R::Hand4, "the armorer inspects the firearm she holds", Allowed("firearm.inspected"), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), inspect(&p.blank_gun, InspectionStage::PreUse))
        }),
        // R-HAND-5
        case(R::Hand5, "handing off a withdrawn firearm", Refused(&[R::Hand5]), |p| {
            let sc = p.std_ready();
            p.withdraw(p.blank_gun.clone());
            p.std_hand(&sc)
        }),
        case(
            R::Hand5,
            "handing off once its repair is recorded and it is inspected again",
            Allowed("firearm.handed_off"),
            |p| {
                let sc = p.std_ready();
                p.withdraw(p.blank_gun.clone());
                let (arm, repair) = (p.arm(), p.repair(p.blank_gun.clone()));
                p.w.ok(&arm, repair);
                p.w.ok(&arm, inspect(&p.blank_gun, InspectionStage::PreUse));
                p.std_hand(&sc)
            },
        ),
        case(R::Hand5, "taking a withdrawn firearm out for a scene", Refused(&[R::Hand5]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
            p.withdraw(p.blank_gun.clone());
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
        }),
        // Changed: a withdrawn firearm may be taken out for maintenance (repair, disposal).
        case(R::Hand5, "taking a withdrawn firearm out for maintenance", Allowed("firearm.taken_out"), |p| {
            p.withdraw(p.blank_gun.clone());
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: None })
        }),
        case(R::Hand5, "planning a scene with a withdrawn firearm", Refused(&[R::Hand5]), |p| {
            p.withdraw(p.blank_gun.clone());
            let plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            (p.ad(), Command::PlanScene { number: "9".into(), description: "x".into(), day: TODAY, plan })
        }),
        case(R::Hand5, "a withdrawn firearm can still be collected and stored", Allowed("firearm.stored"), |p| {
            p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            p.withdraw(p.replica.clone());
            let arm = p.arm();
            p.w.ok(&arm, Command::Collect { firearm: p.replica.clone() });
            (p.arm(), Command::StoreFirearm { firearm: p.replica.clone(), location: p.safe.clone() })
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
        // R-HAND-6
        case(R::Hand6, "a hand-off naming no scene", Refused(&[R::Hand6, R::Check2]), |p| {
            // A maintenance take-out: inspected and demonstrated, but for no scene.
            p.open_day();
            p.take(p.replica.clone());
            let (arm, ad) = (p.arm(), p.ad());
            p.w.ok(&arm, inspect(&p.replica, InspectionStage::PreUse));
            p.w.ok(&ad, Command::AcknowledgeDemonstration { firearm: p.replica.clone() });
            p.w.ctx.attested = vec![p.performer2.clone()];
            (p.arm(), Command::HandOff { firearm: p.replica.clone(), to: p.performer2.clone(), scene: None })
        }),
        case(R::Hand6, "a hand-off for a scene that is ready but not called", Refused(&[R::Hand6]), |p| {
            let sc = p.ready_except(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty, Step::Call);
            (p.arm(), hand_off(&p.replica, &p.performer2, &sc))
        }),
        case(R::Hand6, "a hand-off for a called scene of another day", Refused(&[R::Hand6]), |p| {
            let sc = p.std_ready();
            p.w.ctx.today = TODAY.tomorrow().unwrap();
            p.std_hand(&sc)
        }),
        case(R::Hand6, "taking a firearm out for a scene whose plan does not name it", Refused(&[R::Hand6]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.replica.clone(), scene: Some(sc) })
        }),
        case(R::Hand6, "taking a firearm out for tomorrow's scene", Refused(&[R::Hand6]), |p| {
            let sc =
                p.plan_scene_on(take_plan(&p.blank_gun, &p.performer, quarter_blanks()), TODAY.tomorrow().unwrap());
            p.open_day();
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
        }),
        case(R::Hand6, "taking a firearm out for a wrapped scene", Refused(&[R::Hand6]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
            p.w.ok(&p.ad(), Command::WrapScene { scene: sc.clone() });
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
        }),
        case(R::Hand6, "taking a firearm out for today's scene", Allowed("firearm.taken_out"), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
            p.open(p.safe.clone());
            (p.arm(), Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc) })
        }),
        case(R::Hand6, "the armorer calls the scene", Refused(&[R::Hand6]), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Call);
            (p.arm(), Command::CallScene { scene: sc })
        }),
        case(R::Hand6, "the 1st AD calls the scene", Allowed("scene.called"), |p| {
            let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Call);
            (p.ad(), Command::CallScene { scene: sc })
        }),
        case(R::Hand6, "a hand-off for the called scene", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.std_hand(&sc)
        }),
    ]
}

/// The standard scene up to loading; the armorer hands the revolver and the quarter-load
/// blanks to the assistant armorer.
fn assistant_holds_the_gun(p: &mut Prod) {
    p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
    p.transfer(p.blank_gun.clone(), p.assistant.clone());
    p.take_ct(p.quarters.clone());
    let arm = p.arm();
    p.w.ok(&arm, Command::HandContainer { container: p.quarters.clone(), to: p.assistant.clone() });
}

/// R-CHECK-1 (the 1st AD records the armorer's demonstration of the current state),
/// R-CHECK-2 (the performer acknowledges being shown it), R-DECL-1 (only the armorer sets
/// the load state, which must be what the plan calls for).
fn check_cases() -> Vec<Case> {
    vec![
        case(R::Check1, "no demonstration to the 1st AD", Refused(&[R::Check1]), |p| {
            let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Demonstrate);
            p.std_hand(&sc)
        }),
        case(R::Check1, "a demonstration of an earlier load", Refused(&[R::Check1]), |p| {
            let sc = p.std_ready();
            let arm = p.arm();
            p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 });
            p.w.ok(&arm, load_cmd(&p.blank_gun, &p.quarters, 6, None));
            p.run_steps(&sc, &[Step::Shown], true);
            p.std_hand(&sc)
        }),
        case(R::Check1, "a performer records the demonstration", Refused(&[R::Check1]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Demonstrate);
            (by(&p.performer), Command::AcknowledgeDemonstration { firearm: p.blank_gun.clone() })
        }),
        case(R::Check1, "a demonstration of a firearm the armorer does not hold", Refused(&[R::Check1]), |p| {
            p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
            (p.ad(), Command::AcknowledgeDemonstration { firearm: p.blank_gun.clone() })
        }),
        case(R::Check1, "the 1st AD records the demonstration", Allowed("firearm.demonstrated"), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Demonstrate);
            (p.ad(), Command::AcknowledgeDemonstration { firearm: p.blank_gun.clone() })
        }),
        case(R::Check1, "a hand-off after the demonstration of the current load", Allowed("firearm.handed_off"), |p| {
            let sc = p.std_ready();
            p.std_hand(&sc)
        }),
        // R-CHECK-2
        case(R::Check2, "the performer was not shown the state", Refused(&[R::Check2]), |p| {
            let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Shown);
            p.std_hand(&sc)
        }),
        case(R::Check2, "the performer was shown an earlier load", Refused(&[R::Check2]), |p| {
            let sc = p.std_ready();
            let arm = p.arm();
            p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 });
            p.w.ok(&arm, load_cmd(&p.blank_gun, &p.quarters, 6, None));
            p.run_steps(&sc, &[Step::Demonstrate], true);
            p.std_hand(&sc)
        }),
        case(R::Check2, "someone neither the performer nor in the line of fire", Refused(&[R::Check2]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Shown);
            (by(&p.crew), Command::AcknowledgeShown { firearm: p.blank_gun.clone() })
        }),
        case(R::Check2, "shown a firearm the armorer no longer holds", Refused(&[R::Check2]), |p| {
            p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
            (by(&p.performer), Command::AcknowledgeShown { firearm: p.blank_gun.clone() })
        }),
        case(R::Check2, "crew in the line of fire acknowledge", Allowed("firearm.shown"), |p| {
            p.credit(p.crew.clone(), safety_course());
            let mut plan = take_plan(&p.blank_gun, &p.performer, PlannedLoad::Dummies);
            plan.line_of_fire.insert(p.crew.clone());
            p.prepare(plan, &[], Some(Step::Shown));
            (by(&p.crew), Command::AcknowledgeShown { firearm: p.blank_gun.clone() })
        }),
        case(
            R::Check2,
            "crew in the line of fire acknowledge after the performer: the performer's still counts",
            Allowed("firearm.handed_off"),
            |p| {
                p.credit(p.crew.clone(), safety_course());
                let mut plan = take_plan(&p.blank_gun, &p.performer, PlannedLoad::Dummies);
                plan.line_of_fire.insert(p.crew.clone());
                let sc = p.prepare(plan, &[], Some(Step::Shown));
                p.w.ok(&by(&p.performer), Command::AcknowledgeShown { firearm: p.blank_gun.clone() });
                p.w.ok(&by(&p.crew), Command::AcknowledgeShown { firearm: p.blank_gun.clone() });
                p.run_steps(&sc, &[Step::Attest], true);
                p.std_hand(&sc)
            },
        ),
        case(R::Check2, "the performer acknowledges", Allowed("firearm.shown"), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Shown);
            (by(&p.performer), Command::AcknowledgeShown { firearm: p.blank_gun.clone() })
        }),
        // R-DECL-1
        case(R::Decl1, "the firearm holds nothing while the plan calls for blanks", Refused(&[R::Decl1]), |p| {
            let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.std_hand(&sc)
        }),
        case(R::Decl1, "the 1st AD loads a firearm", Refused(&[R::Decl1, R::Role1]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            (p.ad(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Decl1, "dummies into a firearm planned for blanks", Refused(&[R::Decl1]), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.dummies.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.dummies, 6, Some(VerificationMethod::Rattle)))
        }),
        case(R::Decl1, "loading a firearm that is already loaded", Refused(&[R::Decl1]), |p| {
            p.std_ready();
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 1, None))
        }),
        case(R::Decl1, "the 1st AD declares a firearm empty", Refused(&[R::Decl1, R::Role1]), |p| {
            p.take(p.blank_gun.clone());
            (p.ad(), Command::DeclareEmpty { firearm: p.blank_gun.clone() })
        }),
        case(R::Decl1, "a performer declares the replica she holds empty", Refused(&[R::Decl1]), |p| {
            p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            (by(&p.performer2), Command::DeclareEmpty { firearm: p.replica.clone() })
        }),
        case(R::Decl1, "the 1st AD unloads and counts", Refused(&[R::Decl1, R::Role1]), |p| {
            p.std_ready();
            (p.ad(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 })
        }),
        case(R::Decl1, "no override exists for R-DECL-1", Refused(&[R::Decl1]), |p| override_of(p, R::Decl1)),
        case(R::Decl1, "the armorer declares a firearm empty", Allowed("firearm.declared_empty"), |p| {
            p.take(p.blank_gun.clone());
            (p.arm(), Command::DeclareEmpty { firearm: p.blank_gun.clone() })
        }),
        case(R::Decl1, "the armorer loads what the plan calls for", Allowed("firearm.loaded"), |p| {
            p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Load);
            p.take_ct(p.quarters.clone());
            (p.arm(), load_cmd(&p.blank_gun, &p.quarters, 6, None))
        }),
        case(R::Decl1, "the armorer unloads and counts", Allowed("firearm.unloaded"), |p| {
            p.std_ready();
            (p.arm(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 })
        }),
    ]
}

/// R-MEET-1 (a signed-off safety meeting before issue), R-MEET-2 (its agenda, sign-in and
/// sign-off), R-MEET-3 (a new meeting when the plan changes), R-MEET-4 (bulletin and
/// compliance contact on the call sheet: an alert).
fn meeting_cases() -> Vec<Case> {
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

/// Scene plans: R-REC-1 (a written risk assessment; approved by the armorer, the 1st AD and,
/// under california-2025, the safety advisor), R-REH-1 (replicas in rehearsal unless a reason
/// is recorded), R-AIM-1 (consultation and mitigation when aiming at people or the camera),
/// R-CAM-1 (camera protection when firing toward camera), R-DIST-1 (20 ft from the muzzle line
/// with blanks), R-DIST-2 (protection for people near blank fire), R-MED-1 (a medic on the
/// call sheet for blank fire).
fn plan_cases() -> Vec<Case> {
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
fn reh2_rec_cases() -> Vec<Case> {
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

/// A follow-up key's hash, as the application passes it (the key itself never reaches the
/// domain).
fn key_hash() -> String {
    "ab".repeat(32)
}

fn file_report(severity: coldset_domain::reports::Severity) -> Command {
    Command::FileReport {
        severity,
        text: "guns left on the cart over lunch".into(),
        subject: None,
        reporter_name: None,
        followup_key_hash: key_hash(),
        photos: Vec::new(),
    }
}

/// Anyone files a safety report (no account needed); returns its id.
fn filed(p: &mut Prod, severity: coldset_domain::reports::Severity) -> u64 {
    p.w.ok(&Actor::Anonymous, file_report(severity));
    p.w.log.last().unwrap().seq
}

/// The armorer reports an incident for the standard firearm; returns its id.
fn incident(p: &mut Prod, kind: coldset_domain::reports::IncidentKind, wait_seconds: Option<u32>) -> u64 {
    let arm = p.arm();
    let events = p.w.ok(
        &arm,
        Command::ReportIncident {
            kind,
            firearm: Some(p.blank_gun.clone()),
            scene: None,
            description: "click, no bang, on the second shot".into(),
            wait_seconds,
        },
    );
    assert_eq!(events.first().map(Event::kind), Some("incident.reported"));
    p.w.log.iter().rev().find(|e| matches!(e.event, Event::IncidentReported { .. })).unwrap().seq
}

/// Safety reports and incidents (reports.rs): R-COMP-1 (reports are acknowledged, answered and
/// closed with a corrective action by the people responsible), R-COMP-2 (a critical report
/// stops firearm work until the safety advisor reviews it), R-MISF-1 (the wait after a
/// misfire: an alert), R-MISF-2 (a misfire stops firearm issue until the investigation is
/// closed and a new meeting held), R-INC-2 (an incident freezes what was on set until the
/// safety advisor releases it), R-NOTIF-1 (the studio safety office is told before firearms
/// are used).
fn report_cases() -> Vec<Case> {
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

/// The standard scene with approvals, meeting and sign-offs recorded before the day is
/// opened (so while no shoot day was open), then the day opened and the revolver out and
/// inspected: only the meeting's day is wrong.
fn meeting_before_the_day(p: &mut Prod) -> SceneId {
    let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
    let steps = [
        Step::Competence,
        Step::ApproveArmorer,
        Step::ApproveAd,
        Step::ApproveSafety,
        Step::Meeting,
        Step::SignArmorer,
        Step::SignAd,
        Step::OpenDay,
        Step::TakeOut,
        Step::Inspect,
    ];
    p.run_steps(&sc, &steps, true);
    sc
}

/// The standard scene planned for tomorrow; its meeting is held and signed off today (on
/// today's open day); then the day closes and the clock moves to the scene's day, which is
/// opened, the revolver taken out and inspected. The scene is not marked ready.
fn scene_met_yesterday(p: &mut Prod) -> SceneId {
    let tomorrow = TODAY.tomorrow().unwrap();
    let sc = p.plan_scene_on(take_plan(&p.blank_gun, &p.performer, quarter_blanks()), tomorrow);
    let steps = [
        Step::Competence,
        Step::OpenDay,
        Step::ApproveArmorer,
        Step::ApproveAd,
        Step::ApproveSafety,
        Step::Meeting,
        Step::SignArmorer,
        Step::SignAd,
    ];
    p.run_steps(&sc, &steps, true);
    p.close_day();
    p.w.ctx.now = Timestamp(T0.0 + 24 * 60 * MINUTE_MS);
    p.w.ctx.today = tomorrow;
    p.run_steps(&sc, &[Step::OpenDay, Step::TakeOut, Step::Inspect], true);
    sc
}

/// A misfire of the standard revolver in `scene`, reported by the armorer (it is in her
/// hands, ready); returns its id.
fn scene_incident(p: &mut Prod, scene: &SceneId) -> u64 {
    let arm = p.arm();
    p.w.ok(
        &arm,
        Command::ReportIncident {
            kind: coldset_domain::reports::IncidentKind::Misfire,
            firearm: Some(p.blank_gun.clone()),
            scene: Some(scene.clone()),
            description: "click, no bang, at the rehearsal check".into(),
            wait_seconds: Some(30),
        },
    );
    p.w.log.iter().rev().find(|e| matches!(e.event, Event::IncidentReported { .. })).unwrap().seq
}

/// Under industry-us, the 1st AD is made safety advisor as well (allowed, with an R-ROLE-6
/// alert); returns the 1st AD.
fn ad_advisor(p: &mut Prod) -> PersonId {
    p.set_policy(&["industry-us"]);
    let admin = p.admin.clone();
    let events = p.w.ok(&admin, Command::AssignRole { person: p.first_ad.clone(), role: Role::SafetyAdvisor });
    assert_eq!(alert_rules(&events), vec![R::Role6]);
    p.first_ad.clone()
}

/// Records an event without the decider, as an import or a correction of the log would.
fn import(p: &mut Prod, event: Event) {
    let env = Envelope {
        v: events::ENCODING_VERSION,
        production: p.w.state.production_id().unwrap().clone(),
        seq: p.w.state.next_seq(),
        at: p.w.ctx.now,
        actor: p.admin.clone(),
        event,
        auth: None,
    };
    p.w.state.apply(&env).unwrap();
    p.w.log.push(env);
}

/// A performer whose permit (blank-adapted) ends today and whose safety course is in date.
fn expiring_performer(p: &mut Prod) -> PersonId {
    let perf = p.add_person("Eve Expiring", &[Role::Performer]);
    p.credit(perf.clone(), credential(CredentialKind::Permit, TODAY, &[FirearmKind::BlankAdapted]));
    p.credit(perf.clone(), safety_course());
    perf
}

/// A crew member whose safety course ends on `until`.
fn crew_with_course_until(p: &mut Prod, until: Date) -> PersonId {
    let crew = p.add_person("Gil Grip", &[Role::Crew]);
    p.credit(crew.clone(), credential(CredentialKind::SafetyCourse, until, &[]));
    crew
}

/// The range (the armorer authorised, open) and an approved R-AMMO-1 exception for range
/// training there, today and tomorrow; returns the range.
fn with_range_exception(p: &mut Prod) -> LocationId {
    let admin = p.admin.clone();
    let range = location_of(&p.w.ok(
        &admin,
        Command::AddLocation {
            name: "Studio range".into(),
            kind: LocationKind::Range,
            authorised: [p.armorer.clone()].into(),
        },
    ));
    p.open(range.clone());
    p.w.ok(&by(&p.safety), live_exception(&range));
    range
}

fn live_exception(range: &LocationId) -> Command {
    Command::RecordLiveException {
        kind: LiveExceptionKind::RangeTraining,
        range: range.clone(),
        medic: "Rae Medic, EMT".into(),
        from: TODAY,
        until: TODAY.tomorrow().unwrap(),
        reference: "Range training approval RT-7".into(),
    }
}

/// A rehearsal plan with the real revolver (its reason recorded, R-REH-1) for a performer
/// licensed for real firing firearms.
fn rehearsal_with_a_real_firearm(p: &mut Prod) -> (ScenePlan, FirearmId, PersonId) {
    let ray = p.add_person("Ray Rehearsal", &[Role::Performer]);
    p.credit(ray.clone(), credential(CredentialKind::Licence, Date::constant(2027, 6, 30), &[FirearmKind::RealFiring]));
    p.credit(ray.clone(), safety_course());
    let mut i = item(&p.real_gun, &ray, PlannedLoad::Dummies);
    i.real_firearm_reason = Some("the cylinder has to turn visibly in the close-up".into());
    (plan_of(SceneKind::Rehearsal, vec![i]), p.real_gun.clone(), ray)
}

/// A transport of the named items in a locked case (R-STORE-6).
fn transport(firearms: Vec<FirearmId>, containers: Vec<ContainerId>) -> Command {
    Command::RecordTransport {
        firearms,
        containers,
        from: "Stage 4".into(),
        to: "Prop truck".into(),
        locked_case: true,
    }
}

/// The armorer and the safety advisor close the investigation of incident `id`, and the
/// safety advisor releases the evidence.
fn investigated(p: &mut Prod, id: u64) {
    for who in [p.armorer.clone(), p.safety.clone()] {
        p.w.ok(
            &by(&who),
            Command::SignInvestigation {
                incident: id,
                cause: "weak primer in the lot".into(),
                corrective_action: "lot quarantined; supplier told".into(),
            },
        );
    }
    p.w.ok(&by(&p.safety), Command::ReleaseEvidence { incident: id, note: "photographed and counted".into() });
}

mod gates {
    //! One test per enforced rule id: every row of the table for that rule.
    use super::*;

    macro_rules! rule_tests {
        ($($name:ident => $rule:ident),+ $(,)?) => {
            $(
                #[test]
                fn $name() {
                    run_rule(R::$rule);
                }
            )+
        };
    }

    rule_tests! {
        r_role_1_one_custodian => Role1,
        r_role_2_in_date_licence_covering_the_kind => Role2,
        r_role_3_armorer_has_no_other_department_role => Role3,
        r_role_4_holds => Role4,
        r_role_6_independent_safety_advisor => Role6,
        r_staff_1_armorer_staffing => Staff1,
        r_staff_2_ready_only_after_inspections => Staff2,
        r_train_1_safety_course => Train1,
        r_train_2_competence_with_the_model => Train2,
        r_train_3_anyone_may_decline => Train3,
        r_store_1_unloaded_in_storage_unless_in_a_scene => Store1,
        r_store_2_ammunition_stays_with_the_armorer => Store2,
        r_store_3_only_authorised_people_open_storage => Store3,
        r_store_4_counts => Store4,
        r_store_5_nothing_without_intake => Store5,
        r_ammo_1_no_live_rounds => Ammo1,
        r_ammo_2_verified_before_use => Ammo2,
        r_ammo_3_approved_suppliers_only => Ammo3,
        r_ammo_4_provenance_and_quarantine => Ammo4,
        r_ammo_5_one_class_per_container => Ammo5,
        r_ammo_6_the_blank_the_plan_approves => Ammo6,
        r_ammo_7_rounds_counted_out_and_back => Ammo7,
        r_ammo_8_calibre_matches_the_chambering => Ammo8,
        r_hand_1_armorer_loads_when_called => Hand1,
        r_hand_2_only_the_armorer_hands_over_and_collects => Hand2,
        r_hand_3_firearms_back_at_cut => Hand3,
        r_hand_4_inspections => Hand4,
        r_hand_5_withdrawn_until_repaired => Hand5,
        r_hand_6_used_only_in_a_called_scene => Hand6,
        r_check_1_demonstrated_to_the_first_ad => Check1,
        r_check_2_shown_to_the_performer => Check2,
        r_decl_1_only_the_armorer_declares_the_load => Decl1,
        r_meet_1_a_signed_off_meeting => Meet1,
        r_meet_2_agenda_sign_in_sign_off => Meet2,
        r_meet_3_new_meeting_when_the_plan_changes => Meet3,
        r_meet_4_bulletin_and_contact_on_the_call_sheet => Meet4,
        r_reh_1_replicas_in_rehearsal => Reh1,
        r_reh_2_a_real_firearm_in_rehearsal_passes_every_check => Reh2,
        r_aim_1_aiming_needs_consultation_and_mitigation => Aim1,
        r_dist_1_twenty_feet_with_blanks => Dist1,
        r_dist_2_protection_near_blank_fire => Dist2,
        r_cam_1_camera_protection => Cam1,
        r_med_1_medic_for_blank_fire => Med1,
        r_rec_1_risk_assessment_and_approvals => Rec1,
        r_rec_3_disposed_firearms_are_out => Rec3,
        r_rec_4_training_and_competence_records => Rec4,
        r_rec_5_misfire_and_discharge_log_with_causes => Rec5,
        r_rec_6_corrections_reference_a_record => Rec6,
        r_comp_1_reports_acknowledged_answered_closed => Comp1,
        r_comp_2_a_critical_report_stops_firearm_work => Comp2,
        r_misf_1_the_wait_after_a_misfire => Misf1,
        r_misf_2_a_misfire_stops_issue_until_investigated => Misf2,
        r_inc_2_evidence_is_frozen => Inc2,
        r_notif_1_the_studio_safety_office_is_told => Notif1,
        r_role_5_a_compliance_contact_is_named => Role5,
        r_inc_1_regulator_deadlines => Inc1,
        r_store_6_transport_in_a_locked_case => Store6,
    }

    /// The table has, for every enforced rule, a case that refuses naming it (or, for an
    /// ALERT/RECORD rule, raises an alert naming it) and a case that allows.
    #[test]
    fn every_enforced_rule_has_refused_and_allowed_cases() {
        let cases = all_cases();
        for rule in ENFORCED {
            let refused = cases
                .iter()
                .any(|c| c.proves == *rule && matches!(c.expect, Refused(ids) | Alerted(ids) if ids.contains(rule)));
            let allowed = cases.iter().any(|c| c.proves == *rule && matches!(c.expect, Allowed(_)));
            assert!(refused, "no refusal (or alert) case for {rule}");
            assert!(allowed, "no allowed case for {rule}");
        }
        for c in &cases {
            assert!(ENFORCED.contains(&c.proves), "{}: {} is not enforced", c.name, c.proves);
        }
        let names: BTreeSet<&str> = cases.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), cases.len(), "two cases share a name");
    }

    /// The rule ids named in a piece of Rust source, as `RuleId::Variant`.
    fn named_rules(source: &str) -> BTreeSet<R> {
        let mut named = BTreeSet::new();
        for (i, _) in source.match_indices("RuleId::") {
            let rest = &source[i + "RuleId::".len()..];
            let ident: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            if let Some(rule) = R::ALL.iter().find(|r| format!("{r:?}") == ident) {
                named.insert(*rule);
            }
        }
        named
    }

    /// ENFORCED is exactly the set of rule ids the decider names, in its shared checks
    /// (checks.rs), its areas (people.rs, storage.rs, firearm.rs, ammunition.rs, scene.rs,
    /// reports.rs) and the gate (gate.rs): a rule added to any of them without cases here
    /// fails this test.
    #[test]
    fn enforced_rules_match_the_decider() {
        let mut named = BTreeSet::new();
        for (file, source) in [
            ("checks.rs", include_str!("../src/checks.rs")),
            ("people.rs", include_str!("../src/people.rs")),
            ("storage.rs", include_str!("../src/storage.rs")),
            ("firearm.rs", include_str!("../src/firearm.rs")),
            ("gate.rs", include_str!("../src/gate.rs")),
            ("ammunition.rs", include_str!("../src/ammunition.rs")),
            ("scene.rs", include_str!("../src/scene.rs")),
            ("reports.rs", include_str!("../src/reports.rs")),
        ] {
            let rules = named_rules(source);
            assert!(!rules.is_empty(), "{file} names no rule: has the parser broken?");
            named.extend(rules);
        }
        let enforced: BTreeSet<R> = ENFORCED.iter().copied().collect();
        assert_eq!(named, enforced);
    }

    /// R-ROLE-2 at the edges of a performer's permit: good through its expiry day, refused
    /// the day after (the whole scene is shot on that day).
    #[test]
    fn a_credential_is_in_date_through_its_expiry_day_and_not_after() {
        let expiry = Date::constant(2026, 12, 15);
        for (today, allowed) in
            [(expiry.yesterday().unwrap(), true), (expiry, true), (expiry.tomorrow().unwrap(), false)]
        {
            let mut p = Prod::new();
            p.w.ctx.today = today;
            let newcomer = p.add_person("Nat Newcomer", &[Role::Performer]);
            p.credit(newcomer.clone(), credential(CredentialKind::Permit, expiry, &[FirearmKind::BlankAdapted]));
            p.credit(newcomer.clone(), safety_course());
            let sc = p.ready(p.blank_gun.clone(), newcomer.clone(), quarter_blanks());
            let cmd = hand_off(&p.blank_gun, &newcomer, &sc);
            match p.w.run(&p.arm(), cmd) {
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

mod protocol {
    //! The safety protocol end to end: what a hand-off records, the happy path minus each
    //! step (for a take and for a rehearsal with a real firearm, R-REH-2), round
    //! reconciliation (R-AMMO-7, R-AMMO-1), overrides, the gate query, policy packs.
    use super::*;

    /// The main rule a hand-off names when `step` was left out of an otherwise correct
    /// scene (later steps that depend on it are refused too, so more rules may follow).
    fn rule_for(step: Step) -> R {
        match step {
            Step::Competence => R::Train2,
            Step::OpenDay => R::Store4,
            Step::ApproveArmorer | Step::ApproveAd | Step::ApproveSafety => R::Rec1,
            Step::Meeting | Step::SignArmorer | Step::SignAd => R::Meet1,
            Step::TakeOut => R::Store1,
            Step::Inspect => R::Hand4,
            Step::Ready | Step::Call => R::Hand6,
            Step::Load => R::Decl1,
            Step::Demonstrate => R::Check1,
            Step::Shown => R::Check2,
            Step::Attest => R::Hand2,
        }
    }

    /// Steps nothing else depends on: leaving one out is refused under its rule alone.
    const INDEPENDENT: &[Step] = &[Step::Competence, Step::Demonstrate, Step::Shown, Step::Attest];

    /// For each step: the same scene with that step left out is refused naming its rule;
    /// with every step, the hand-off is allowed.
    fn every_step_is_required(plan: fn(&mut Prod) -> (ScenePlan, FirearmId, PersonId), also: &[R]) {
        for skip in STEPS.iter().copied().map(Some).chain([None]) {
            let mut p = Prod::new();
            let (plan, fa, to) = plan(&mut p);
            let sc = p.prepare(plan, skip.as_slice(), None);
            let cmd = hand_off(&fa, &to, &sc);
            match skip {
                None => {
                    let events = p.w.ok(&p.arm(), cmd);
                    assert!(matches!(events.as_slice(), [Event::FirearmHandedOff { .. }]), "{events:?}");
                }
                Some(step) => {
                    let d = p.w.refused(&p.arm(), cmd);
                    assert!(d.has(rule_for(step)), "without {step:?}: {d}");
                    for rule in also {
                        assert!(d.has(*rule), "without {step:?}: {d}");
                    }
                    if INDEPENDENT.contains(&step) {
                        let mut expected = vec![rule_for(step)];
                        expected.extend_from_slice(also);
                        assert_eq!(d.rule_ids(), ids(&expected), "without {step:?}: {d}");
                    }
                    assert_explained(&d);
                }
            }
        }
    }

    /// The happy path minus any one step is refused.
    #[test]
    fn the_happy_path_minus_any_step_is_refused() {
        every_step_is_required(
            |p| (take_plan(&p.blank_gun, &p.performer, quarter_blanks()), p.blank_gun.clone(), p.performer.clone()),
            &[],
        );
    }

    /// R-REH-2: a real firearm in a rehearsal (its reason recorded, R-REH-1) passes every
    /// check an actual take does: each missing step is still refused, naming R-REH-2 too.
    #[test]
    fn r_reh_2_a_real_firearm_in_rehearsal_passes_every_check_a_take_does() {
        every_step_is_required(rehearsal_with_a_real_firearm, &[R::Reh2]);
    }

    /// A hand-off records who gave, who received and confirmed, for which scene, every rule
    /// the gate checked, and no override.
    #[test]
    fn a_hand_off_records_the_gate_decision() {
        let mut p = Prod::new();
        let sc = p.std_ready();
        let (actor, cmd) = p.std_hand(&sc);
        let events = p.w.ok(&actor, cmd);
        let [Event::FirearmHandedOff { firearm, from, to, scene, rules_checked, overrides, receiver_confirmed }] =
            events.as_slice()
        else {
            panic!("{events:?}")
        };
        assert_eq!((firearm, from, to), (&p.blank_gun, &p.armorer, &p.performer));
        assert_eq!(scene.as_ref(), Some(&sc));
        assert!(*receiver_confirmed);
        assert!(overrides.is_empty());
        let expected = ids(&[
            R::Role1,
            R::Role2,
            R::Role3,
            R::Role4,
            R::Hand2,
            R::Hand4,
            R::Hand5,
            R::Hand6,
            R::Store1,
            R::Store4,
            R::Meet1,
            R::Meet3,
            R::Rec1,
            R::Train1,
            R::Train2,
            R::Train3,
            R::Check1,
            R::Check2,
            R::Decl1,
            R::Ammo6,
            R::Ammo7,
            R::Med1,
            R::Staff1,
            R::Comp2,
            R::Misf2,
            R::Inc2,
        ]);
        for rule in &expected {
            assert!(rules_checked.contains(rule), "{rule} not among {rules_checked:?}");
        }
        assert_eq!(rules_checked, &ids(rules_checked), "sorted, without repeats");
        assert_eq!(p.w.state.firearms[&p.blank_gun].holder, Holder::Person { person: p.performer.clone() });
    }

    /// An armory transfer (armorer to assistant armorer) needs no scene: custody only, with
    /// the receiver's confirmation and licence checked.
    #[test]
    fn an_armory_transfer_checks_custody_only() {
        let mut p = Prod::new();
        p.transfer(p.blank_gun.clone(), p.assistant.clone());
        let Some(Envelope { event: Event::FirearmHandedOff { rules_checked, scene, receiver_confirmed, .. }, .. }) =
            p.w.log.last()
        else {
            panic!("no hand-off recorded")
        };
        assert_eq!(rules_checked, &ids(&[R::Role1, R::Role2, R::Role3, R::Hand2, R::Hand5]));
        assert_eq!(scene, &None);
        assert!(*receiver_confirmed);
    }

    /// Collect records whether the person handing the firearm back confirmed in person; it is
    /// never refused for that.
    #[test]
    fn collect_records_whether_the_returner_confirmed() {
        for attested in [false, true] {
            let mut p = Prod::new();
            p.give(p.replica.clone(), p.performer2.clone(), PlannedLoad::Empty);
            p.w.ctx.attested = if attested { vec![p.performer2.clone()] } else { Vec::new() };
            let events = p.w.ok(&p.arm(), Command::Collect { firearm: p.replica.clone() });
            assert!(
                matches!(events.as_slice(), [Event::FirearmCollected { returner_confirmed, .. }] if *returner_confirmed == attested),
                "{events:?}"
            );
            // Back from the set: the next hand-off needs fresh inspections and checks.
            let checks = &p.w.state.firearms[&p.replica].checks;
            assert!(checks.needs_post_use && checks.pre_use_at.is_none());
            assert!(checks.demonstrated.is_none() && checks.shown.is_empty());
        }
    }

    /// R-HAND-6 / R-HAND-5: a withdrawn firearm may leave storage for maintenance (so it can
    /// be repaired or sent back); taken out that way it does not go to a performer.
    #[test]
    fn a_firearm_out_for_maintenance_does_not_go_to_a_performer() {
        let mut p = Prod::new();
        let sc = p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::TakeOut);
        p.withdraw(p.blank_gun.clone());
        p.take(p.blank_gun.clone());
        let (arm, repair) = (p.arm(), p.repair(p.blank_gun.clone()));
        p.w.ok(&arm, repair);
        p.w.ok(&arm, inspect(&p.blank_gun, InspectionStage::PreUse));
        p.w.ctx.attested = vec![p.performer.clone()];
        let no_scene = Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone(), scene: None };
        let d = p.w.refused(&arm, no_scene);
        assert!(d.has(R::Hand6), "{d}");
        let d = p.w.refused(&arm, hand_off(&p.blank_gun, &p.performer, &sc));
        assert!(d.has(R::Store1) && d.has(R::Hand6), "{d}");
        // Nor can it be loaded: it is not out for a called scene.
        p.take_ct(p.quarters.clone());
        let d = p.w.refused(&arm, load_cmd(&p.blank_gun, &p.quarters, 6, None));
        assert!(d.has(R::Hand1), "{d}");
    }

    /// R-AMMO-7: a take's rounds are counted back; a short count records the discrepancy,
    /// raises an alert and holds that class (only that class) until the armorer explains it.
    #[test]
    fn a_short_count_holds_that_class_until_the_armorer_explains_it() {
        let mut p = Prod::new();
        let second = p.another_blank_gun("B-101");
        let items =
            vec![item(&p.blank_gun, &p.performer, quarter_blanks()), item(&second, &p.performer, PlannedLoad::Dummies)];
        let sc = p.prepare(plan_of(SceneKind::Take, items), &[], None);
        let arm = p.arm();
        p.w.ok(&arm, hand_off(&p.blank_gun, &p.performer, &sc));
        p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
        let events = p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 2, returned: 3 });
        let kinds: Vec<&str> = events.iter().map(Event::kind).collect();
        assert_eq!(kinds, ["firearm.unloaded", "rounds.discrepancy_found", "alert.raised"]);
        assert!(events.contains(&Event::RoundsDiscrepancyFound {
            firearm: p.blank_gun.clone(),
            class: quarter(),
            issued: 6,
            fired: 2,
            returned: 3,
        }));
        assert_eq!(alert_rules(&events), vec![R::Ammo7]);
        assert_eq!(p.w.state.safety.discrepancies.len(), 1);
        assert_eq!(p.count(&p.quarters), 100 - 6 + 3);

        // Quarter-load blanks are held ...
        let d = p.w.refused(&arm, load_cmd(&p.blank_gun, &p.quarters, 6, None));
        assert_eq!(d.rule_ids(), vec![R::Ammo7]);
        // ... dummies are not: the second revolver is counted back and reloaded.
        let events = p.w.ok(&arm, Command::UnloadFirearm { firearm: second.clone(), fired: 0, returned: 6 });
        assert_eq!(events.len(), 1, "{events:?}");
        p.w.ok(&arm, load_cmd(&second, &p.dummies, 6, Some(VerificationMethod::Rattle)));

        // Only the armorer explains it; then the class may be issued again.
        let explain =
            Command::ResolveDiscrepancy { class: quarter(), explanation: "one blank found in the holster".into() };
        assert_eq!(p.w.refused(&p.ad(), explain.clone()).rule_ids(), vec![R::Ammo7]);
        p.w.ok(&arm, explain.clone());
        assert!(p.w.state.safety.discrepancies.is_empty());
        assert!(matches!(p.w.run(&arm, explain), Err(DomainError::Invalid { .. })));
        p.w.ok(&arm, load_cmd(&p.blank_gun, &p.quarters, 6, None));
    }

    /// A load declared as dummies that "fired" is treated as live ammunition on set: an
    /// R-AMMO-1 alert besides the discrepancy, and dummies are held too.
    #[test]
    fn dummies_that_fired_raise_an_r_ammo_1_alert() {
        let mut p = Prod::new();
        p.give(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
        let arm = p.arm();
        p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
        // Every round is accounted for (1 + 5 = 6), but a dummy cannot fire.
        let events = p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 1, returned: 5 });
        assert!(events.iter().any(|e| matches!(e, Event::RoundsDiscrepancyFound { class: AmmoClass::Dummy, .. })));
        assert_eq!(alert_rules(&events), vec![R::Ammo1, R::Ammo7]);
        let d = p.w.refused(&arm, load_cmd(&p.blank_gun, &p.dummies, 6, Some(VerificationMethod::Rattle)));
        assert_eq!(d.rule_ids(), vec![R::Ammo7]);
    }

    /// More rounds back than were issued is a typing error, not a count.
    #[test]
    fn returning_more_rounds_than_issued_is_invalid() {
        let mut p = Prod::new();
        p.std_ready();
        let r = p.w.run(&p.arm(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 7 });
        assert!(matches!(r, Err(DomainError::Invalid { .. })), "{r:?}");
    }

    /// Overrides exist only for R-STAFF-1 and R-TRAIN-2; every other rule (R-AMMO-1,
    /// R-HAND-2, R-DECL-1, R-MISF-2 among them) is refused naming that rule; only the armorer
    /// records one.
    #[test]
    fn only_staffing_and_competence_can_be_overridden() {
        assert_eq!(OVERRIDABLE.iter().copied().collect::<BTreeSet<R>>(), [R::Staff1, R::Train2].into());
        let mut p = Prod::new();
        let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
        let over = |rule: R| Command::RecordOverride {
            rule,
            firearm: p.blank_gun.clone(),
            scene: sc.clone(),
            reason: "we know better".into(),
        };
        for rule in R::ALL.iter().copied().filter(|r| !OVERRIDABLE.contains(r)) {
            let d = p.w.refused(&p.arm(), over(rule));
            assert_eq!(d.rule_ids(), vec![rule]);
            assert_explained(&d);
        }
        for rule in [R::Ammo1, R::Hand2, R::Decl1, R::Misf2] {
            assert!(!OVERRIDABLE.contains(&rule));
        }
        for rule in [R::Staff1, R::Train2] {
            assert_eq!(p.w.refused(&p.ad(), over(rule)).rule_ids(), vec![rule]);
            assert_eq!(p.w.refused(&by(&p.safety), over(rule)).rule_ids(), vec![rule]);
            let events = p.w.ok(&p.arm(), over(rule));
            assert!(matches!(events.as_slice(), [Event::OverrideRecorded { rule: r, .. }] if *r == rule));
        }
    }

    /// R-TRAIN-2 overridden: refused without competence; after the armorer records an
    /// override the gate allows and the hand-off lists it.
    #[test]
    fn a_competence_override_is_listed_on_the_hand_off() {
        let mut p = Prod::new();
        let sc = p.ready_except(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Competence);
        let (actor, cmd) = p.std_hand(&sc);
        assert_eq!(p.w.refused(&actor, cmd.clone()).rule_ids(), vec![R::Train2]);
        p.w.ok(
            &p.arm(),
            Command::RecordOverride {
                rule: R::Train2,
                firearm: p.blank_gun.clone(),
                scene: sc.clone(),
                reason: "trained on the identical prop revolver yesterday; record follows".into(),
            },
        );
        let id = p.w.log.last().unwrap().seq;
        let q = gate::evaluate_hand_off(&p.w.state, &p.w.ctx, &p.blank_gun, &p.performer, Some(&sc)).unwrap();
        assert!(q.allowed, "{q:?}");
        assert_eq!(q.overridden, vec![(R::Train2, id)]);
        let events = p.w.ok(&actor, cmd);
        assert!(
            matches!(events.as_slice(), [Event::FirearmHandedOff { overrides, .. }] if overrides == &vec![id]),
            "{events:?}"
        );
    }

    /// R-STAFF-1 overridden: the fifth armed performer for one armorer, once the armorer
    /// records the override for that firearm in that scene; an override for another
    /// firearm does not count.
    #[test]
    fn a_staffing_override_is_listed_on_the_hand_off() {
        let mut p = Prod::new();
        let (sc, pairs) = five_armed(&mut p);
        let over = |fa: &FirearmId| Command::RecordOverride {
            rule: R::Staff1,
            firearm: fa.clone(),
            scene: sc.clone(),
            reason: "second armorer on her way; performers stay in one group".into(),
        };
        let (fa, to) = pairs[4].clone();
        p.w.ok(&p.arm(), over(&pairs[0].0));
        assert_eq!(p.w.refused(&p.arm(), hand_off(&fa, &to, &sc)).rule_ids(), vec![R::Staff1]);
        p.w.ok(&p.arm(), over(&fa));
        let id = p.w.log.last().unwrap().seq;
        let events = p.w.ok(&p.arm(), hand_off(&fa, &to, &sc));
        assert!(
            matches!(events.as_slice(), [Event::FirearmHandedOff { overrides, .. }] if overrides == &vec![id]),
            "{events:?}"
        );
    }

    /// The gate query lists every failing rule at once, with a reason and a remedy each,
    /// and changes nothing.
    #[test]
    fn the_gate_query_lists_every_failing_rule_and_changes_nothing() {
        let mut p = Prod::new();
        let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
        p.place_hold(&p.safety.clone(), HoldScope::Scene { scene: sc.clone() });
        let before = p.w.state.clone();
        let logged = p.w.log.len();
        let q = gate::evaluate_hand_off(&p.w.state, &p.w.ctx, &p.blank_gun, &p.performer, Some(&sc)).unwrap();
        assert!(!q.allowed);
        let rules = ids(&q.violations.iter().map(|v| v.rule).collect::<Vec<_>>());
        assert_eq!(
            rules,
            ids(&[
                R::Role1,  // still in the safe
                R::Role4,  // the hold
                R::Store4, // no shoot day open
                R::Store1, // not taken out for the scene
                R::Hand6,  // not called
                R::Meet1,  // no meeting
                R::Rec1,   // not approved
                R::Train2, // no recorded competence
                R::Hand4,  // no pre-use inspection
                R::Check1, // no demonstration
                R::Check2, // not shown
                R::Decl1,  // empty, the plan calls for blanks
            ])
        );
        for v in &q.violations {
            assert!(!v.reason.trim().is_empty() && !v.remedy.trim().is_empty(), "{v:?}");
        }
        assert!(q.rules_checked.len() >= rules.len());
        assert_eq!(p.w.state, before);
        assert_eq!(p.w.log.len(), logged);
    }

    /// The query answers what the hand-off command would (with the receiver confirming), for
    /// the happy path and the happy path minus each step.
    #[test]
    fn the_gate_query_agrees_with_the_hand_off() {
        for skip in STEPS.iter().copied().map(Some).chain([None]) {
            let mut p = Prod::new();
            let plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
            let sc = p.prepare(plan, skip.as_slice(), None);
            let q = gate::evaluate_hand_off(&p.w.state, &p.w.ctx, &p.blank_gun, &p.performer, Some(&sc)).unwrap();
            let mut ctx = p.w.ctx.clone();
            ctx.attested = vec![p.performer.clone()];
            // In the query the giver is whoever holds it (or the armorer, if it is stored).
            let r = decide(&p.w.state, &ctx, &p.arm(), &hand_off(&p.blank_gun, &p.performer, &sc));
            match r {
                Ok(_) => assert!(q.allowed && q.violations.is_empty(), "{skip:?}: {q:?}"),
                Err(DomainError::Denied(d)) => {
                    assert!(!q.allowed, "{skip:?}");
                    assert_eq!(ids(&q.violations.iter().map(|v| v.rule).collect::<Vec<_>>()), d.rule_ids(), "{skip:?}");
                }
                Err(e) => panic!("{skip:?}: {e:?}"),
            }
        }
    }

    /// Policy packs: the strictest setting wins. nsw-au's time-out is 15 minutes: a pre-use
    /// inspection 16 minutes old is refused under industry-us + nsw-au and accepted under
    /// industry-us alone (20 minutes) or with uk (which does not change it).
    #[test]
    fn the_strictest_time_out_wins() {
        let mut p = Prod::new();
        p.set_policy(&["industry-us"]);
        let sc = p.std_ready();
        let (actor, cmd) = p.std_hand(&sc);
        let at = p.inspected_at(&p.blank_gun);
        for (packs, minutes, time_out, allowed) in [
            (&["industry-us"][..], 16, 20, true),
            (&["industry-us"][..], 20, 20, false),
            (&["industry-us", "nsw-au"][..], 16, 15, false),
            (&["industry-us", "nsw-au"][..], 14, 15, true),
            (&["nsw-au"][..], 15, 15, false),
            (&["industry-us", "uk"][..], 16, 20, true),
        ] {
            p.set_policy(packs);
            assert_eq!(gate::policy(&p.w.state).time_out_minutes, time_out, "{packs:?}");
            p.w.ctx.now = at.plus_minutes(minutes);
            match decide(&p.w.state, &p.w.ctx, &actor, &cmd) {
                Ok(_) => assert!(allowed, "{packs:?} {minutes} min: allowed"),
                Err(DomainError::Denied(d)) => {
                    assert!(!allowed, "{packs:?} {minutes} min: {d}");
                    assert_eq!(d.rule_ids(), vec![R::Hand4]);
                }
                Err(e) => panic!("{e:?}"),
            }
        }
        // The change of packs is itself recorded.
        let changes = p.w.log.iter().filter(|e| matches!(e.event, Event::PolicyChanged { .. })).count();
        assert_eq!(changes, 7);
    }

    /// R-HAND-3 and R-STORE-3 (alerts): a firearm out of storage, or a safe left open, as
    /// long as the time-out shows on the board; under nsw-au that is 15 minutes.
    #[test]
    fn firearms_out_and_storage_open_past_the_time_out_are_flagged() {
        let mut p = Prod::new();
        p.give(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
        let out_since = p.w.state.firearms[&p.blank_gun].out_since.unwrap();
        let opened = p.w.state.locations[&p.safe].opened.as_ref().unwrap().1;
        assert!(opened < out_since && out_since.0 - opened.0 < MINUTE_MS);
        let flagged = |p: &Prod, now: Timestamp| {
            let alerts = gate::derived_alerts(&p.w.state, now);
            assert!(alerts.iter().all(|(_, m)| !m.trim().is_empty()));
            ids(&alerts.iter().map(|(r, _)| *r).collect::<Vec<_>>())
        };
        assert_eq!(flagged(&p, out_since.plus_minutes(19)), vec![]);
        assert_eq!(flagged(&p, out_since.plus_minutes(20)), ids(&[R::Hand3, R::Store3]));
        p.set_policy(&["california-2025", "nsw-au"]);
        assert_eq!(flagged(&p, out_since.plus_minutes(14)), vec![]);
        assert_eq!(flagged(&p, out_since.plus_minutes(15)), ids(&[R::Hand3, R::Store3]));
        // Collected, unloaded, stored and locked away: nothing to flag.
        let arm = p.arm();
        p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
        p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 });
        p.w.ok(&arm, Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() });
        p.close(p.safe.clone());
        assert_eq!(flagged(&p, out_since.plus_minutes(600)), vec![]);
    }

    /// #15, item 5: the clock records each time-out as `alert.raised` when it fires (once,
    /// however many ticks follow) and again when it clears; a new time-out fires again.
    #[test]
    fn the_clock_records_time_outs_when_they_fire_and_when_they_clear() {
        let mut p = Prod::new();
        p.give(p.blank_gun.clone(), p.performer.clone(), PlannedLoad::Dummies);
        let out_since = p.w.state.firearms[&p.blank_gun].out_since.unwrap();
        let tick = |p: &mut Prod, minutes: i64| {
            p.w.ctx.now = out_since.plus_minutes(minutes);
            let events = p.w.ok(&Actor::System, Command::Tick);
            events
                .iter()
                .map(|e| match e {
                    Event::AlertRaised { rule, message } => (*rule, message.clone()),
                    other => panic!("the clock recorded {other:?}"),
                })
                .collect::<Vec<_>>()
        };
        assert!(tick(&mut p, 19).is_empty(), "nothing within the time-out");
        let fired = tick(&mut p, 20);
        let rules: Vec<R> = fired.iter().map(|(r, _)| *r).collect();
        assert_eq!(ids(&rules), ids(&[R::Hand3, R::Store3]), "{fired:?}");
        assert!(fired.iter().all(|(_, m)| m.starts_with("time-out [")), "{fired:?}");
        assert!(tick(&mut p, 21).is_empty(), "raised once, not at every tick");
        assert!(tick(&mut p, 40).is_empty(), "raised once, not at every tick");
        // The safe is locked: its time-out clears; the revolver is still out.
        p.close(p.safe.clone());
        let cleared = tick(&mut p, 41);
        assert_eq!(cleared.len(), 1, "{cleared:?}");
        assert_eq!(cleared[0].0, R::Store3);
        assert!(cleared[0].1.starts_with("time-out cleared ["), "{cleared:?}");
        // The revolver comes back: its time-out clears too.
        let arm = p.arm();
        p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
        p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 });
        p.open(p.safe.clone());
        p.w.ok(&arm, Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() });
        p.close(p.safe.clone());
        let cleared = tick(&mut p, 42);
        assert_eq!(cleared.iter().map(|(r, _)| *r).collect::<Vec<_>>(), vec![R::Hand3], "{cleared:?}");
        assert!(tick(&mut p, 600).is_empty());
        // Out again past the time-out: a new alert.
        p.take(p.blank_gun.clone());
        p.close(p.safe.clone());
        let again = tick(&mut p, 700);
        assert_eq!(again.iter().map(|(r, _)| *r).collect::<Vec<_>>(), vec![R::Hand3], "{again:?}");
        // Every one of them is an alert the outbox sends (alert.raised).
        let raised =
            p.w.log
                .iter()
                .filter(|e| matches!(&e.event, Event::AlertRaised { message, .. } if message.starts_with("time-out")))
                .count();
        assert_eq!(raised, 5);
    }

    /// Revising a plan makes a new version: approvals are cleared and the scene goes back to
    /// planning; approving a version that is not the current one is a conflict.
    #[test]
    fn a_revision_is_a_new_version_to_approve() {
        let mut p = Prod::new();
        let sc = p.std_ready();
        p.revise(&sc, take_plan(&p.blank_gun, &p.performer, full_blanks()));
        let scene = &p.w.state.scenes[&sc];
        assert_eq!(scene.plan_version, 2);
        assert!(scene.approvals.is_empty());
        assert_eq!(scene.status, SceneStatus::Planned);
        assert!(!scene.meeting_current());
        let r = p.w.run(&p.arm(), Command::ApprovePlan { scene: sc.clone(), version: 1 });
        assert!(matches!(r, Err(DomainError::Conflict(_))), "{r:?}");
        p.w.ok(&p.arm(), Command::ApprovePlan { scene: sc, version: 2 });
    }

    /// R-TRAIN-3: a decline is recorded without penalty: nothing about the person changes,
    /// and the scene waits for a new plan.
    #[test]
    fn a_decline_is_recorded_without_penalty() {
        let mut p = Prod::new();
        let sc = p.std_ready();
        let person = p.w.state.people[&p.performer].clone();
        let events =
            p.w.ok(&by(&p.performer), Command::DeclineFirearm { scene: sc.clone(), reason: "  not today ".into() });
        assert_eq!(
            events,
            vec![Event::FirearmDeclined { scene: sc.clone(), person: p.performer.clone(), reason: "not today".into() }]
        );
        let after = &p.w.state.people[&p.performer];
        assert_eq!(
            (&after.roles, &after.credentials, &after.competences),
            (&person.roles, &person.credentials, &person.competences)
        );
        assert_eq!(p.w.state.scenes[&sc].status, SceneStatus::NeedsReplan);
    }
}

mod refusals {
    //! A refusal lists every failing rule, explains each, and changes nothing.
    use super::*;

    /// The 1st AD hands the withdrawn blank gun the armorer holds to a performer who has no
    /// licence and is not the one the plan names: every failing rule is named.
    #[test]
    fn a_refusal_names_every_failing_rule() {
        let mut p = Prod::new();
        let sc = p.std_ready();
        p.withdraw(p.blank_gun.clone());
        p.w.ctx.attested = vec![p.performer2.clone()];
        let d = p.w.refused(&p.ad(), hand_off(&p.blank_gun, &p.performer2, &sc));
        assert_eq!(d.rule_ids(), ids(&[R::Role1, R::Role2, R::Hand2, R::Hand5, R::Train2, R::Check2]));
        // R-HAND-2 twice: the 1st AD is not the armorer, and the plan names someone else.
        assert_eq!(d.violations.iter().filter(|v| v.rule == R::Hand2).count(), 2);
        assert_eq!(d.violations.len(), 7);
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

    /// Loading full-load blanks into a firearm someone else holds, before the call, on a
    /// day without a medic: every failing rule is named.
    #[test]
    fn a_load_refusal_names_every_failing_rule() {
        let mut p = Prod::new();
        p.open_day_with(CallSheet { medics: Vec::new(), ..call_sheet() });
        p.ready_until(p.blank_gun.clone(), p.performer.clone(), quarter_blanks(), Step::Call);
        p.transfer(p.blank_gun.clone(), p.assistant.clone());
        p.take_ct(p.fulls.clone());
        let d = p.w.refused(&p.arm(), load_cmd(&p.blank_gun, &p.fulls, 61, None));
        assert_eq!(d.rule_ids(), ids(&[R::Role1, R::Hand1, R::Store4, R::Ammo6, R::Med1]));
        assert_explained(&d);
    }

    /// decide is pure: the same question gets the same answer, and asking changes nothing.
    /// (Every refusal in the gate table is also checked to leave state and log unchanged.)
    #[test]
    fn deciding_changes_nothing() {
        let mut p = Prod::new();
        let sc = p.std_ready();
        let before = p.w.state.clone();
        for (actor, cmd) in [
            (p.ad(), hand_off(&p.blank_gun, &p.performer, &sc)),
            (p.arm(), hand_off(&p.blank_gun, &p.performer, &sc)),
            (p.arm(), Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 1, returned: 2 }),
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
        let sc = p.give(p.replica.clone(), p.performer.clone(), PlannedLoad::Empty);
        let rows = p.w.state.all_rows();
        let logged = p.w.log.len();
        p.w.ctx.attested = vec![p.performer2.clone()];
        let r = p.w.run(&by(&p.performer), hand_off(&p.replica, &p.performer2, &sc));
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
            | Command::PlanScene { .. }
            | Command::RevisePlan { .. }
            | Command::ApprovePlan { .. }
            | Command::HoldMeeting { .. }
            | Command::SignOffMeeting { .. }
            | Command::MarkSceneReady { .. }
            | Command::CallScene { .. }
            | Command::WrapScene { .. }
            | Command::DeclineFirearm { .. }
            | Command::ChangePolicy { .. }
            | Command::OpenDay { .. }
            | Command::CloseDay { .. }
            | Command::ResolveAlert { .. }
            | Command::SuperviseAssistant { .. }
            | Command::RecordCompetence { .. }
            | Command::InspectFirearm { .. }
            | Command::LoadFirearm { .. }
            | Command::DeclareEmpty { .. }
            | Command::UnloadFirearm { .. }
            | Command::ResolveDiscrepancy { .. }
            | Command::AcknowledgeDemonstration { .. }
            | Command::AcknowledgeShown { .. }
            | Command::PlaceHold { .. }
            | Command::LiftHold { .. }
            | Command::RecordOverride { .. }
            | Command::RecordAuthorityNotice { .. }
            | Command::RecordTransport { .. }
            | Command::RecordLiveException { .. }
            | Command::RequireSecondFactor { .. }
            | Command::SetContacts { .. }
            | Command::FileReport { .. }
            | Command::AddToReport { .. }
            | Command::AcknowledgeReport { .. }
            | Command::AnswerReport { .. }
            | Command::ReviewReport { .. }
            | Command::CloseReport { .. }
            | Command::Tick
            | Command::ReportIncident { .. }
            | Command::NotifyRegulator { .. }
            | Command::SignInvestigation { .. }
            | Command::ReleaseEvidence { .. } => {}
        }
    }

    /// One sample of every command, against the standard production (with one scene).
    pub(super) fn samples(p: &Prod) -> Vec<Command> {
        let sc = SceneId::parse("sc-1").unwrap();
        let plan = take_plan(&p.blank_gun, &p.performer, quarter_blanks());
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
            Command::TakeFirearm { firearm: p.blank_gun.clone(), scene: Some(sc.clone()) },
            Command::HandOff { firearm: p.blank_gun.clone(), to: p.performer.clone(), scene: Some(sc.clone()) },
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
            Command::PlanScene { number: "1".into(), description: "x".into(), day: TODAY, plan: plan.clone() },
            Command::RevisePlan { scene: sc.clone(), plan, reason: "x".into() },
            Command::ApprovePlan { scene: sc.clone(), version: 1 },
            Command::HoldMeeting { scene: sc.clone(), agenda: agenda(), attendees: [p.performer.clone()].into() },
            Command::SignOffMeeting { scene: sc.clone() },
            Command::MarkSceneReady { scene: sc.clone() },
            Command::CallScene { scene: sc.clone() },
            Command::WrapScene { scene: sc.clone() },
            Command::DeclineFirearm { scene: sc.clone(), reason: "x".into() },
            Command::ChangePolicy { packs: vec!["uk".into()] },
            Command::OpenDay { call_sheet: call_sheet(), counts: p.full_count() },
            Command::CloseDay { counts: p.full_count() },
            Command::ResolveAlert { alert: 1, note: "x".into() },
            Command::SuperviseAssistant { assistant: p.assistant.clone() },
            Command::RecordCompetence { person: p.performer.clone(), firearm: p.blank_gun.clone(), notes: "x".into() },
            inspect(&p.blank_gun, InspectionStage::PreUse),
            load_cmd(&p.blank_gun, &p.quarters, 6, None),
            Command::DeclareEmpty { firearm: p.blank_gun.clone() },
            Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 0, returned: 6 },
            Command::ResolveDiscrepancy { class: quarter(), explanation: "x".into() },
            Command::AcknowledgeDemonstration { firearm: p.blank_gun.clone() },
            Command::AcknowledgeShown { firearm: p.blank_gun.clone() },
            Command::PlaceHold { scope: HoldScope::AllFirearmWork, reason: "x".into() },
            Command::LiftHold { hold: 1, note: "x".into(), review: true },
            Command::RecordOverride {
                rule: R::Staff1,
                firearm: p.blank_gun.clone(),
                scene: sc.clone(),
                reason: "x".into(),
            },
            Command::RecordAuthorityNotice {
                authority: coldset_domain::reports::Authority::StudioSafetyOffice,
                date: TODAY,
                reference: "x".into(),
            },
            Command::RecordTransport {
                firearms: vec![p.blank_gun.clone()],
                containers: vec![],
                from: "a".into(),
                to: "b".into(),
                locked_case: true,
            },
            Command::RecordLiveException {
                kind: LiveExceptionKind::RangeTraining,
                range: p.safe.clone(),
                medic: "Rae Medic, EMT".into(),
                from: TODAY,
                until: TODAY,
                reference: "approval 12".into(),
            },
            Command::RequireSecondFactor { roles: BTreeSet::from([Role::Armorer]) },
            Command::SetContacts { studio_safety_office: "x".into(), union_representative: "y".into() },
            file_report(coldset_domain::reports::Severity::Concern),
            Command::AddToReport { report: 1, text: "x".into(), followup_key_hash: key_hash() },
            Command::AcknowledgeReport { report: 1 },
            Command::AnswerReport { report: 1, text: "x".into() },
            Command::ReviewReport { report: 1, note: "x".into() },
            Command::CloseReport { report: 1, corrective_action: "x".into() },
            Command::Tick,
            Command::ReportIncident {
                kind: coldset_domain::reports::IncidentKind::LostRound,
                firearm: None,
                scene: Some(sc),
                description: "x".into(),
                wait_seconds: None,
            },
            Command::NotifyRegulator { incident: 1, reference: "x".into() },
            Command::SignInvestigation { incident: 1, cause: "x".into(), corrective_action: "y".into() },
            Command::ReleaseEvidence { incident: 1, note: "x".into() },
        ];
        v.iter().for_each(variant_listed);
        v
    }

    /// The standard production with one scene planned (so scene commands find it).
    pub(super) fn prod() -> Prod {
        let mut p = Prod::new();
        p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
        p
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
        let p = prod();
        let names: Vec<&str> = samples(&p).iter().map(Command::name).collect();
        let sample_names: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(sample_names.len(), names.len(), "two samples of one command");
        let table: Vec<&str> = PERMISSIONS.iter().map(|(n, _)| *n).collect();
        let table_names: BTreeSet<&str> = table.iter().copied().collect();
        assert_eq!(table_names.len(), table.len(), "a command twice in the table");
        assert_eq!(sample_names, table_names);
    }

    /// The auditor reads only: every command is Forbidden, before any rule is checked,
    /// except what anyone may do (filing a safety report, R-COMP-1).
    #[test]
    fn the_auditor_cannot_issue_any_command() {
        let p = prod();
        let mut open_to_anyone = 0;
        for cmd in samples(&p) {
            let r = decide(&p.w.state, &p.w.ctx, &by(&p.auditor), &cmd);
            if allowed(cmd.name()) == A::Anyone {
                open_to_anyone += 1;
                assert!(!matches!(r, Err(DomainError::Forbidden(_))), "auditor {}: {r:?}", cmd.name());
            } else {
                assert!(matches!(r, Err(DomainError::Forbidden(_))), "auditor {}: {r:?}", cmd.name());
            }
        }
        assert_eq!(open_to_anyone, 1, "only filing a report (following one up is the reporter's)");
    }

    /// Someone without an account may only file and follow up safety reports; coldset
    /// itself only runs the clock.
    #[test]
    fn anonymous_and_system_actors_do_only_their_part() {
        let p = prod();
        for cmd in samples(&p) {
            for (actor, may) in [
                (Actor::Anonymous, matches!(allowed(cmd.name()), A::Anyone | A::Reporter)),
                (Actor::System, allowed(cmd.name()) == A::System),
            ] {
                let r = decide(&p.w.state, &p.w.ctx, &actor, &cmd);
                assert_eq!(!matches!(r, Err(DomainError::Forbidden(_))), may, "{actor:?} {}: {r:?}", cmd.name());
            }
        }
    }

    /// An installation admin account does setup, never custody: every command open to
    /// "any working member" is Forbidden to it; setup commands are not.
    #[test]
    fn an_installation_admin_does_no_custody_step() {
        let p = prod();
        let mut custody = 0;
        for cmd in samples(&p) {
            let r = decide(&p.w.state, &p.w.ctx, &p.admin, &cmd);
            match allowed(cmd.name()) {
                A::AnyWorkingMember => {
                    custody += 1;
                    assert!(matches!(r, Err(DomainError::Forbidden(_))), "admin {}: {r:?}", cmd.name());
                }
                A::System | A::Reporter => {
                    assert!(matches!(r, Err(DomainError::Forbidden(_))), "admin {}: {r:?}", cmd.name())
                }
                A::InstallationAdmin | A::Roles(_) | A::Anyone => {
                    assert!(!matches!(r, Err(DomainError::Forbidden(_))), "admin {}: {r:?}", cmd.name())
                }
            }
        }
        assert!(custody >= 40, "only {custody} custody commands");
        for name in [
            "hand_off",
            "collect",
            "take_firearm",
            "move_rounds",
            "intake_lot",
            "load_firearm",
            "place_hold",
            "lift_hold",
            "record_override",
            "open_day",
        ] {
            assert_eq!(allowed(name), A::AnyWorkingMember, "{name}");
        }
    }

    /// Role-restricted commands: a crew member is Forbidden; a person holding one of the
    /// listed roles is not. Nobody but an admin account creates a production.
    #[test]
    fn role_restricted_commands_follow_the_table() {
        let mut p = prod();
        let props = p.add_person("Pat Props", &[Role::PropertyMaster]);
        let office = p.add_person("Olu Office", &[Role::Admin]);
        let people =
            [&p.armorer, &p.assistant, &props, &p.first_ad, &p.safety, &p.performer, &p.crew, &p.producer, &office];
        for cmd in samples(&p) {
            for person in people {
                let roles = &p.w.state.people[person].roles;
                let r = decide(&p.w.state, &p.w.ctx, &by(person), &cmd);
                let may = match allowed(cmd.name()) {
                    A::InstallationAdmin | A::System | A::Reporter => false,
                    A::Roles(rs) => roles.iter().any(|r| rs.contains(r)),
                    A::AnyWorkingMember | A::Anyone => true,
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

    /// Custody and protocol commands are open to everyone working, so the wrong person is
    /// refused by the safety rule that forbids it, by id, not with an anonymous "forbidden".
    #[test]
    fn the_wrong_person_is_refused_by_rule_id_not_forbidden() {
        let mut p = Prod::new();
        let sc = p.std_ready();
        for (who, cmd, rule) in [
            (&p.crew, hand_off(&p.blank_gun, &p.performer, &sc), R::Hand2),
            (&p.producer, Command::PlaceHold { scope: HoldScope::AllFirearmWork, reason: "x".into() }, R::Role4),
            (&p.performer, Command::DeclareEmpty { firearm: p.blank_gun.clone() }, R::Decl1),
            (&p.crew, Command::AcknowledgeDemonstration { firearm: p.blank_gun.clone() }, R::Check1),
            (&p.crew, Command::MarkSceneReady { scene: sc.clone() }, R::Staff2),
        ] {
            match decide(&p.w.state, &p.w.ctx, &by(who), &cmd) {
                Err(DomainError::Denied(d)) => assert!(d.has(rule), "{} {}: {d}", who, cmd.name()),
                other => panic!("{}: {other:?}", cmd.name()),
            }
        }
    }

    /// Someone who is not a member of the production is Forbidden.
    #[test]
    fn a_stranger_is_forbidden() {
        let p = prod();
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
    let (arm, ad, admin) = (p.arm(), p.ad(), p.admin.clone());
    p.w.ok(&admin, Command::AssignRole { person: p.crew.clone(), role: Role::Performer });
    p.w.ok(&admin, Command::RemoveRole { person: p.crew.clone(), role: Role::Performer });
    p.set_policy(&["california-2025", "nsw-au"]);
    p.w.ok(
        &by(&p.producer),
        Command::SetContacts {
            studio_safety_office: "safety@studio.example".into(),
            union_representative: "rep@union.example".into(),
        },
    );
    p.w.ok(
        &by(&p.producer),
        Command::RecordAuthorityNotice {
            authority: coldset_domain::reports::Authority::StudioSafetyOffice,
            date: TODAY,
            reference: "e-mail of 2026-11-20".into(),
        },
    );
    // Live rounds for range training, under the safety advisor's approved exception,
    // received straight into the range (R-AMMO-1).
    let range = with_range_exception(&mut p);
    let events = p.w.ok(&arm, intake_lot(AmmoClass::Live, 50, provenance(SUPPLIER), "LIVE-RANGE"));
    assert!(
        matches!(&events[..], [Event::LotReceived { .. }, Event::ContainerStored { location, .. }] if *location == range)
    );
    p.close(range);
    // The armorer and the safety advisor sign in with a one-time code on this production.
    p.w.ok(
        &by(&p.producer),
        Command::RequireSecondFactor { roles: BTreeSet::from([Role::Armorer, Role::SafetyAdvisor]) },
    );
    // Firearms go from the truck to the set in a locked case with the armorer (R-STORE-6).
    p.take(p.blank_gun.clone());
    p.w.ok(
        &arm,
        Command::RecordTransport {
            firearms: vec![p.blank_gun.clone()],
            containers: vec![],
            from: "armory truck".into(),
            to: "church set".into(),
            locked_case: true,
        },
    );
    p.w.ok(&arm, Command::StoreFirearm { firearm: p.blank_gun.clone(), location: p.safe.clone() });
    // The day opens without the safety bulletin: an alert, resolved by the safety advisor.
    p.open_day_with(CallSheet { safety_bulletin_attached: false, ..call_sheet() });
    let alert = *p.w.state.safety.alerts.keys().next().unwrap();
    p.w.ok(&by(&p.safety), Command::ResolveAlert { alert, note: "bulletin attached at 07:10".into() });
    p.w.ok(&arm, Command::SuperviseAssistant { assistant: p.assistant.clone() });
    // A full scene: handed over, collected, one blank unaccounted for, explained.
    let sc = p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
    p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
    p.w.ok(&arm, inspect(&p.blank_gun, InspectionStage::PostUse));
    p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 1, returned: 4 });
    p.w.ok(&arm, Command::ResolveDiscrepancy { class: quarter(), explanation: "casing found under the porch".into() });
    p.w.ok(&arm, Command::DeclareEmpty { firearm: p.blank_gun.clone() });
    p.w.ok(&ad, Command::WrapScene { scene: sc });
    // A second scene: revised, declined, held and released, an override recorded.
    let sc2 = p.plan_scene(take_plan(&p.replica, &p.performer2, PlannedLoad::Empty));
    p.revise(&sc2, take_plan(&p.replica, &p.performer, PlannedLoad::Empty));
    p.w.ok(&by(&p.performer), Command::DeclineFirearm { scene: sc2.clone(), reason: "back injury".into() });
    let hold = p.place_hold(&p.armorer.clone(), HoldScope::Scene { scene: sc2.clone() });
    p.w.ok(&arm, Command::LiftHold { hold, note: "replanned".into(), review: false });
    p.w.ok(
        &arm,
        Command::RecordOverride { rule: R::Staff1, firearm: p.replica.clone(), scene: sc2, reason: "x".into() },
    );
    // Custody and records.
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
    p.w.ok(&arm, Command::StoreContainer { container: p.quarters.clone(), location: p.safe.clone() });
    p.close_day();
    p.close(p.safe.clone());
    // Safety reports: one answered, reviewed and closed; one left to escalate.
    use coldset_domain::reports::{IncidentKind, InjurySeverity, Severity};
    let report = filed(&mut p, Severity::Critical);
    p.w.ok(
        &Actor::Anonymous,
        Command::AddToReport { report, text: "it happened again".into(), followup_key_hash: key_hash() },
    );
    let safety = by(&p.safety);
    p.w.ok(&safety, Command::AcknowledgeReport { report });
    p.w.ok(&arm, Command::AnswerReport { report, text: "the cart is now locked at lunch".into() });
    p.w.ok(&safety, Command::ReviewReport { report, note: "checked the cart".into() });
    p.w.ok(&safety, Command::CloseReport { report, corrective_action: "cart locked; armorer stays with it".into() });
    filed(&mut p, Severity::Concern);
    p.w.ctx.now = p.w.ctx.now.plus_minutes(121);
    let escalated = p.w.ok(&Actor::System, Command::Tick);
    // The revolver has been out for two hours by now: the clock also records its time-out.
    assert!(
        matches!(escalated.as_slice(), [Event::ReportEscalated { .. }, Event::AlertRaised { rule: R::Hand3, .. }]),
        "{escalated:?}"
    );
    // An incident: the regulator told, investigated, evidence released.
    let events = p.w.ok(
        &arm,
        Command::ReportIncident {
            kind: IncidentKind::Injury { severity: InjurySeverity::Hospitalisation },
            firearm: None,
            scene: None,
            description: "grip cut his hand on the cart's hinge".into(),
            wait_seconds: None,
        },
    );
    assert_eq!(events.len(), 1);
    let id = p.w.log.last().unwrap().seq;
    p.w.ok(&by(&p.producer), Command::NotifyRegulator { incident: id, reference: "OSHA 2026-0042".into() });
    for who in [p.armorer.clone(), p.safety.clone()] {
        p.w.ok(
            &by(&who),
            Command::SignInvestigation { incident: id, cause: "sharp hinge".into(), corrective_action: "taped".into() },
        );
    }
    p.w.ok(&safety, Command::ReleaseEvidence { incident: id, note: "nothing firearm-related held".into() });
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
    "scene.plan_revised",
    "scene.plan_approved",
    "meeting.held",
    "meeting.signed_off",
    "scene.marked_ready",
    "scene.called",
    "scene.wrapped",
    "firearm.declined",
    "policy.changed",
    "day.opened",
    "day.closed",
    "alert.raised",
    "alert.resolved",
    "assistant.supervised",
    "competence.recorded",
    "firearm.inspected",
    "firearm.loaded",
    "firearm.declared_empty",
    "firearm.unloaded",
    "rounds.discrepancy_found",
    "rounds.discrepancy_resolved",
    "firearm.demonstrated",
    "firearm.shown",
    "hold.placed",
    "hold.lifted",
    "override.recorded",
    "authority.notified",
    "transport.recorded",
    "live_exception.approved",
    "policy.second_factor_required",
    "contacts.set",
    "report.filed",
    "report.acknowledged",
    "report.answered",
    "report.added_to",
    "report.escalated",
    "report.reviewed",
    "report.closed",
    "incident.reported",
    "incident.regulator_notified",
    "incident.investigation_signed",
    "incident.evidence_released",
];

/// Exhaustive on purpose: a new Event variant does not compile here until it is added, and
/// then `the_tour_records_every_kind_of_event` asks for it in ALL_EVENT_KINDS and the tour.
fn event_listed(e: &Event) {
    match e {
        Event::ProductionCreated { .. }
        | Event::PersonAdded { .. }
        | Event::RoleAssigned { .. }
        | Event::RoleRemoved { .. }
        | Event::CredentialRecorded { .. }
        | Event::SupplierApproved { .. }
        | Event::LocationAdded { .. }
        | Event::StorageOpened { .. }
        | Event::StorageClosed { .. }
        | Event::FirearmReceived { .. }
        | Event::FirearmStored { .. }
        | Event::FirearmTakenOut { .. }
        | Event::FirearmHandedOff { .. }
        | Event::FirearmCollected { .. }
        | Event::FirearmWithdrawn { .. }
        | Event::FirearmRepaired { .. }
        | Event::FirearmDisposed { .. }
        | Event::FirearmDetailsCorrected { .. }
        | Event::LotReceived { .. }
        | Event::LotVerified { .. }
        | Event::LotRejected { .. }
        | Event::ContainerCreated { .. }
        | Event::RoundsMoved { .. }
        | Event::ContainerStored { .. }
        | Event::ContainerTakenOut { .. }
        | Event::ContainerHandedOver { .. }
        | Event::ScenePlanned { .. }
        | Event::ScenePlanRevised { .. }
        | Event::ScenePlanApproved { .. }
        | Event::MeetingHeld { .. }
        | Event::MeetingSignedOff { .. }
        | Event::SceneMarkedReady { .. }
        | Event::SceneCalled { .. }
        | Event::SceneWrapped { .. }
        | Event::FirearmDeclined { .. }
        | Event::PolicyChanged { .. }
        | Event::DayOpened { .. }
        | Event::DayClosed { .. }
        | Event::AlertRaised { .. }
        | Event::AlertResolved { .. }
        | Event::AssistantSupervised { .. }
        | Event::CompetenceRecorded { .. }
        | Event::FirearmInspected { .. }
        | Event::FirearmLoaded { .. }
        | Event::FirearmDeclaredEmpty { .. }
        | Event::FirearmUnloaded { .. }
        | Event::RoundsDiscrepancyFound { .. }
        | Event::RoundsDiscrepancyResolved { .. }
        | Event::FirearmDemonstrated { .. }
        | Event::FirearmShown { .. }
        | Event::HoldPlaced { .. }
        | Event::HoldLifted { .. }
        | Event::OverrideRecorded { .. }
        | Event::AuthorityNotified { .. }
        | Event::TransportRecorded { .. }
        | Event::LiveExceptionApproved { .. }
        | Event::SecondFactorRequired { .. }
        | Event::ContactsSet { .. }
        | Event::ReportFiled { .. }
        | Event::ReportAcknowledged { .. }
        | Event::ReportAnswered { .. }
        | Event::ReportAddedTo { .. }
        | Event::ReportEscalated { .. }
        | Event::ReportReviewed { .. }
        | Event::ReportClosed { .. }
        | Event::IncidentReported { .. }
        | Event::RegulatorNotified { .. }
        | Event::InvestigationSigned { .. }
        | Event::EvidenceReleased { .. } => {}
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

mod encoding {
    //! The envelope bytes are the ledger leaf: canonical, round-tripping, and replaying
    //! them rebuilds exactly the same projections.
    use super::*;

    #[test]
    fn the_tour_records_every_kind_of_event() {
        let p = tour();
        p.w.log.iter().for_each(|e| event_listed(&e.event));
        let kinds: BTreeSet<&str> = p.w.log.iter().map(|e| e.event.kind()).collect();
        let all: BTreeSet<&str> = ALL_EVENT_KINDS.iter().copied().collect();
        assert_eq!(all.len(), ALL_EVENT_KINDS.len());
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
    /// and three containers; a performer holds the rubber gun (handed over through the full
    /// protocol); the rest is in the safe.
    fn on_set() -> Prod {
        let mut p = Prod::new();
        p.give(p.rubber.clone(), p.performer2.clone(), PlannedLoad::Empty);
        p.take(p.blank_gun.clone());
        p.take(p.replica.clone());
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
        /// Firearm, receiver, whether the receiver confirms in person.
        HandOff(usize, usize, bool),
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
            3 => (0..4usize, 0..PEOPLE, proptest::bool::weighted(0.8)).prop_map(|(f, t, a)| Op::HandOff(f, t, a)),
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

    /// The command, and who confirms it in person.
    fn command(p: &Prod, op: &Op) -> (Command, Vec<PersonId>) {
        let (pp, fa, ct, loc) = (people(p), firearms(p), containers(p), locations(p));
        let cmd = match op {
            Op::Open(l) => Command::OpenStorage { location: loc[*l].clone() },
            Op::Close(l) => Command::CloseStorage { location: loc[*l].clone() },
            Op::Take(f) => Command::TakeFirearm { firearm: fa[*f].clone(), scene: None },
            Op::Store(f, l) => Command::StoreFirearm { firearm: fa[*f].clone(), location: loc[*l].clone() },
            Op::HandOff(f, t, attest) => {
                let cmd = Command::HandOff { firearm: fa[*f].clone(), to: pp[*t].clone(), scene: None };
                return (cmd, if *attest { vec![pp[*t].clone()] } else { Vec::new() });
            }
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
        };
        (cmd, Vec::new())
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
            // R-STORE-1: nothing goes into storage loaded (and nothing here loads).
            if matches!(f.holder, Holder::Storage { .. }) {
                assert_eq!(f.load, LoadState::Empty, "{} stored loaded", f.id);
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
            // R-AMMO-2/4: an unverified lot never leaves the container it came in, and
            // nothing verified is mixed into it.
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
    fn check_events(pre: &ProductionState, actor: &Actor, attested: &[PersonId], events: &[Event]) {
        let who = actor.person().map(|p| &pre.people[p]);
        for e in events {
            match e {
                Event::FirearmHandedOff { firearm, from, to, scene, receiver_confirmed, .. } => {
                    let f = &pre.firearms[firearm];
                    // R-HAND-5: never while withdrawn.
                    assert_eq!(f.status, FirearmStatus::InService, "{firearm} handed off");
                    // R-ROLE-1 / R-HAND-2: from its holder, within the armorer's team (an
                    // assistant hands a firearm back to the armorer, #16), to the armorer's
                    // team (no scene here, so never to a performer: R-HAND-6), licensed for
                    // the kind, confirmed in person.
                    assert_eq!(f.holder.person(), Some(from));
                    assert!(pre.people[from].is_armorer_side());
                    let r = &pre.people[to];
                    assert!(r.is_armorer_side() && !r.has_role(Role::Performer), "{} received {firearm}", r.name);
                    assert_eq!(scene, &None);
                    assert_ne!(from, to);
                    assert!(*receiver_confirmed && attested.contains(to));
                    if f.kind.can_fire() {
                        assert!(r.licensed_for(f.kind, TODAY), "{} unlicensed", r.name);
                    }
                }
                Event::FirearmCollected { firearm, from, to, .. } => {
                    assert_eq!(pre.firearms[firearm].holder.person(), Some(from));
                    assert!(pre.people[to].has_role(Role::Armorer));
                }
                Event::FirearmTakenOut { firearm, location, by, scene } => {
                    let f = &pre.firearms[firearm];
                    // Changed: a maintenance take-out (no scene) may move a withdrawn
                    // firearm; a take-out for a scene may not.
                    if scene.is_some() {
                        assert_eq!(f.status, FirearmStatus::InService, "withdrawn {firearm} out");
                    }
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
                    // R-AMMO-4: never into a container holding unverified stock.
                    for l in pre.containers[to].contents.keys() {
                        assert!(matches!(pre.lots[l].state, LotState::Verified { .. }), "mixed into {to}");
                    }
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
                let (cmd, attested) = command(&p, op);
                p.w.ctx.attested = attested.clone();
                let pre = p.w.state.clone();
                let logged = p.w.log.len();
                match p.w.run(&actor, cmd) {
                    Ok(events) => {
                        prop_assert!(!events.is_empty());
                        check_events(&pre, &actor, &attested, &events);
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

mod protocol_property {
    //! Random sequences drawn from the protocol's steps (in random order, some skipped, some
    //! repeated, by random people, with time passing and policy changing), starting from
    //! several points of a scene's preparation. Every `firearm.handed_off` to a performer that
    //! was accepted must have happened while every GATE rule held, recomputed here from the
    //! state before the step, independently of gate.rs. The gate query must agree with the
    //! hand-off command.
    use super::*;
    use coldset_domain::reports::{IncidentKind, Severity};
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::OnceLock;

    #[derive(Clone)]
    struct Base {
        p: Prod,
        /// Permit and competence, no safety course.
        rio: PersonId,
        /// Permit and safety course, no recorded competence.
        uma: PersonId,
        /// Two more blank-adapted Colts.
        b101: FirearmId,
        b102: FirearmId,
        scenes: [SceneId; 2],
    }

    /// Stage 0, under industry-us: the day open; Pat and Rio trained with the Colt model
    /// (Rio has no safety course), Uma not (she has the course). Two scenes for today: sc-1
    /// (Colts with quarter-load blanks for Pat, Rio and Uma, Quinn's replica empty) and sc-2
    /// (the real Colt with dummies for Pat, who has no licence for it; the first Colt with
    /// dummies for Rio; the replica for Quinn). Stage 1: sc-1 approved by the armorer
    /// and the 1st AD (enough under industry-us, not under california-2025) and its meeting
    /// signed off. Stage 2: sc-1's firearms out, inspected, the scene called. Stage 3:
    /// loaded, demonstrated and shown: ready to hand over.
    fn stages() -> &'static [Base] {
        static STAGES: OnceLock<Vec<Base>> = OnceLock::new();
        STAGES.get_or_init(|| {
            let mut p = Prod::new();
            p.set_policy(&["industry-us"]);
            let rio = p.add_person("Rio Performer", &[Role::Performer]);
            p.credit(
                rio.clone(),
                credential(CredentialKind::Permit, Date::constant(2027, 6, 30), &[FirearmKind::BlankAdapted]),
            );
            let uma = p.qualified_performer("Uma Performer");
            let b101 = p.another_blank_gun("B-101");
            let b102 = p.another_blank_gun("B-102");
            let arm = p.arm();
            for who in [&p.performer, &rio] {
                p.w.ok(
                    &arm,
                    Command::RecordCompetence {
                        person: who.clone(),
                        firearm: p.blank_gun.clone(),
                        notes: String::new(),
                    },
                );
            }
            p.open_day();
            let s1 = p.plan_scene(plan_of(
                SceneKind::Take,
                vec![
                    item(&p.blank_gun, &p.performer, quarter_blanks()),
                    item(&b101, &rio, quarter_blanks()),
                    item(&b102, &uma, quarter_blanks()),
                    item(&p.replica, &p.performer2, PlannedLoad::Empty),
                ],
            ));
            let s2 = p.plan_scene(plan_of(
                SceneKind::Take,
                vec![
                    item(&p.real_gun, &p.performer, PlannedLoad::Dummies),
                    item(&p.blank_gun, &rio, PlannedLoad::Dummies),
                    item(&p.replica, &p.performer2, PlannedLoad::Empty),
                ],
            ));
            let scenes = [s1.clone(), s2];
            let base = |p: &Prod| Base {
                p: p.clone(),
                rio: rio.clone(),
                uma: uma.clone(),
                b101: b101.clone(),
                b102: b102.clone(),
                scenes: scenes.clone(),
            };
            let mut out = vec![base(&p)];
            for steps in [
                &[Step::ApproveArmorer, Step::ApproveAd, Step::Meeting, Step::SignArmorer, Step::SignAd][..],
                &[Step::TakeOut, Step::Inspect, Step::Ready, Step::Call][..],
                &[Step::Load, Step::Demonstrate, Step::Shown][..],
            ] {
                p.run_steps(&s1, steps, true);
                out.push(base(&p));
            }
            out
        })
    }

    const PEOPLE: usize = 10;

    fn people(b: &Base) -> [PersonId; PEOPLE] {
        let p = &b.p;
        [
            p.armorer.clone(),
            p.assistant.clone(),
            p.first_ad.clone(),
            p.safety.clone(),
            p.performer.clone(),
            p.performer2.clone(),
            b.rio.clone(),
            b.uma.clone(),
            p.crew.clone(),
            p.producer.clone(),
        ]
    }

    fn firearms(b: &Base) -> [FirearmId; 5] {
        let p = &b.p;
        [p.blank_gun.clone(), b.b101.clone(), b.b102.clone(), p.replica.clone(), p.real_gun.clone()]
    }

    fn containers(p: &Prod) -> [ContainerId; 4] {
        [p.dummies.clone(), p.quarters.clone(), p.fulls.clone(), p.spare_quarters.clone()]
    }

    #[derive(Debug, Clone)]
    enum Op {
        Approve(usize),
        /// Scene; whether the agenda is complete and the performers attend.
        Meeting(usize, bool),
        SignOff(usize),
        /// Scene, plan item: take that firearm out for that scene.
        TakeFor(usize, usize),
        TakeForMaintenance(usize),
        Store(usize),
        /// Firearm, pre-use (or post-use), barrel clear.
        Inspect(usize, bool, bool),
        Ready(usize),
        Call(usize),
        Wrap(usize),
        TakeCt(usize),
        /// Firearm, container, count, each dummy checked.
        Load(usize, usize, u32, bool),
        DeclareEmpty(usize),
        Unload(usize, u32, u32),
        Resolve(usize),
        Demonstrate(usize),
        Shown(usize),
        /// Scene, plan item: the performer the plan names acknowledges being shown it.
        ShownPlanned(usize, usize),
        /// Scene, plan item: hand that firearm to the performer the plan names; attested.
        HandPlanned(usize, usize, bool),
        /// Firearm, receiver, scene (if any), attested.
        HandAny(usize, usize, Option<usize>, bool),
        Collect(usize),
        /// Scene, variant (blocking change, performers swapped, blank load changed).
        Revise(usize, u8),
        Hold(Option<usize>),
        Lift(bool),
        Decline(usize),
        /// Person, firearm.
        Competence(usize, usize),
        /// R-TRAIN-2 (else R-STAFF-1), scene, plan item.
        Override(bool, usize, usize),
        Wait(i64),
        Policy(usize),
        Withdraw(usize),
        Repair(usize),
        CloseDay,
        OpenDay(bool),
        /// A safety report; critical or not.
        Report(bool),
        /// The first report still waiting for a review is reviewed.
        Review,
        /// Misfire (else a lost round), naming a firearm or not.
        Incident(bool, Option<usize>),
        /// The first open incident's investigation is signed.
        SignInvestigation,
        /// The first incident holding evidence releases it.
        Release,
    }

    fn armorer_mostly() -> impl Strategy<Value = usize> {
        prop_oneof![8 => Just(0usize), 1 => Just(1usize), 2 => 0..PEOPLE]
    }

    fn ad_mostly() -> impl Strategy<Value = usize> {
        prop_oneof![6 => Just(2usize), 2 => 0..PEOPLE]
    }

    fn anyone() -> impl Strategy<Value = usize> {
        0..PEOPLE
    }

    fn step() -> impl Strategy<Value = (usize, Op)> {
        let scene = || 0..2usize;
        let fa = || 0..5usize;
        prop_oneof![
            3 => (prop_oneof![Just(0usize), Just(2), Just(3), 0..PEOPLE], scene()).prop_map(|(a, s)| (a, Op::Approve(s))),
            2 => (prop_oneof![Just(0usize), Just(2), 0..PEOPLE], scene(), proptest::bool::weighted(0.8))
                .prop_map(|(a, s, full)| (a, Op::Meeting(s, full))),
            3 => (prop_oneof![Just(0usize), Just(2), 0..PEOPLE], scene()).prop_map(|(a, s)| (a, Op::SignOff(s))),
            3 => (armorer_mostly(), scene(), 0..4usize).prop_map(|(a, s, i)| (a, Op::TakeFor(s, i))),
            1 => (armorer_mostly(), fa()).prop_map(|(a, f)| (a, Op::TakeForMaintenance(f))),
            1 => (armorer_mostly(), fa()).prop_map(|(a, f)| (a, Op::Store(f))),
            4 => (armorer_mostly(), fa(), proptest::bool::weighted(0.7), proptest::bool::weighted(0.9))
                .prop_map(|(a, f, pre, clear)| (a, Op::Inspect(f, pre, clear))),
            2 => (armorer_mostly(), scene()).prop_map(|(a, s)| (a, Op::Ready(s))),
            2 => (ad_mostly(), scene()).prop_map(|(a, s)| (a, Op::Call(s))),
            1 => (ad_mostly(), scene()).prop_map(|(a, s)| (a, Op::Wrap(s))),
            1 => (armorer_mostly(), 0..4usize).prop_map(|(a, c)| (a, Op::TakeCt(c))),
            3 => (armorer_mostly(), fa(), 0..4usize, prop_oneof![3 => Just(6u32), 1 => 1..=8u32], proptest::bool::weighted(0.8))
                .prop_map(|(a, f, c, n, check)| (a, Op::Load(f, c, n, check))),
            1 => (armorer_mostly(), fa()).prop_map(|(a, f)| (a, Op::DeclareEmpty(f))),
            2 => (armorer_mostly(), fa(), 0..=4u32, 0..=6u32).prop_map(|(a, f, x, y)| (a, Op::Unload(f, x, y))),
            1 => (armorer_mostly(), 0..3usize).prop_map(|(a, c)| (a, Op::Resolve(c))),
            3 => (ad_mostly(), fa()).prop_map(|(a, f)| (a, Op::Demonstrate(f))),
            2 => (prop_oneof![3 => 4..8usize, 1 => 0..PEOPLE], fa()).prop_map(|(a, f)| (a, Op::Shown(f))),
            3 => (Just(0usize), scene(), 0..4usize).prop_map(|(a, s, i)| (a, Op::ShownPlanned(s, i))),
            14 => (armorer_mostly(), prop_oneof![3 => Just(0usize), 1 => Just(1)], 0..4usize, proptest::bool::weighted(0.85))
                .prop_map(|(a, s, i, att)| (a, Op::HandPlanned(s, i, att))),
            2 => (armorer_mostly(), fa(), 0..PEOPLE, proptest::option::of(scene()), proptest::bool::ANY)
                .prop_map(|(a, f, t, s, att)| (a, Op::HandAny(f, t, s, att))),
            3 => (armorer_mostly(), fa()).prop_map(|(a, f)| (a, Op::Collect(f))),
            1 => (ad_mostly(), scene(), 0..3u8).prop_map(|(a, s, v)| (a, Op::Revise(s, v))),
            1 => (prop_oneof![Just(0usize), Just(3), Just(9), 0..PEOPLE], proptest::option::of(scene()))
                .prop_map(|(a, s)| (a, Op::Hold(s))),
            1 => (prop_oneof![Just(0usize), Just(3), Just(9), 0..PEOPLE], proptest::bool::ANY).prop_map(|(a, r)| (a, Op::Lift(r))),
            1 => (anyone(), scene()).prop_map(|(a, s)| (a, Op::Decline(s))),
            1 => (armorer_mostly(), 4..8usize, fa()).prop_map(|(a, who, f)| (a, Op::Competence(who, f))),
            1 => (armorer_mostly(), proptest::bool::ANY, scene(), 0..4usize).prop_map(|(a, t, s, i)| (a, Op::Override(t, s, i))),
            2 => (Just(0usize), 1..=15i64).prop_map(|(a, m)| (a, Op::Wait(m))),
            1 => (prop_oneof![Just(9usize), Just(3), 0..PEOPLE], 0..4usize).prop_map(|(a, v)| (a, Op::Policy(v))),
            1 => (armorer_mostly(), fa()).prop_map(|(a, f)| (a, Op::Withdraw(f))),
            1 => (armorer_mostly(), fa()).prop_map(|(a, f)| (a, Op::Repair(f))),
            1 => (armorer_mostly(), Just(())).prop_map(|(a, ())| (a, Op::CloseDay)),
            1 => (armorer_mostly(), proptest::bool::weighted(0.8)).prop_map(|(a, m)| (a, Op::OpenDay(m))),
            1 => (anyone(), proptest::bool::ANY).prop_map(|(a, c)| (a, Op::Report(c))),
            1 => (prop_oneof![3 => Just(3usize), 1 => 0..PEOPLE]).prop_map(|a| (a, Op::Review)),
            1 => (armorer_mostly(), proptest::bool::ANY, proptest::option::of(fa()))
                .prop_map(|(a, m, f)| (a, Op::Incident(m, f))),
            1 => (prop_oneof![Just(0usize), Just(3), 0..PEOPLE]).prop_map(|a| (a, Op::SignInvestigation)),
            1 => (prop_oneof![3 => Just(3usize), 1 => 0..PEOPLE]).prop_map(|a| (a, Op::Release)),
        ]
    }

    const PACKS: [&[&str]; 4] =
        [&["california-2025"], &["industry-us"], &["california-2025", "nsw-au"], &["industry-us", "nsw-au"]];

    /// The command for an op (None: time passes), who confirms it in person, and who asks
    /// if the op names them.
    fn command(b: &Base, op: &Op) -> Option<(Command, Vec<PersonId>, Option<PersonId>)> {
        let p = &b.p;
        let s = &p.w.state;
        let (pp, fa, ct) = (people(b), firearms(b), containers(p));
        let sc = |i: usize| b.scenes[i].clone();
        let planned = |i: usize, j: usize| {
            let items = &s.scenes[&b.scenes[i]].plan.items;
            items[j % items.len()].clone()
        };
        let class = |c: usize| [AmmoClass::Dummy, quarter(), full_load()][c].clone();
        let cmd = match op {
            Op::Approve(i) => Command::ApprovePlan { scene: sc(*i), version: s.scenes[&b.scenes[*i]].plan_version },
            Op::Meeting(i, full) => {
                let mut a = agenda();
                let mut attendees: BTreeSet<PersonId> = [p.armorer.clone(), p.first_ad.clone()].into();
                if *full {
                    attendees.extend(s.scenes[&b.scenes[*i]].plan.items.iter().map(|it| it.performer.clone()));
                } else {
                    a.emergency_procedure = String::new();
                }
                Command::HoldMeeting { scene: sc(*i), agenda: a, attendees }
            }
            Op::SignOff(i) => Command::SignOffMeeting { scene: sc(*i) },
            Op::TakeFor(i, j) => Command::TakeFirearm { firearm: planned(*i, *j).firearm, scene: Some(sc(*i)) },
            Op::TakeForMaintenance(f) => Command::TakeFirearm { firearm: fa[*f].clone(), scene: None },
            Op::Store(f) => Command::StoreFirearm { firearm: fa[*f].clone(), location: p.safe.clone() },
            Op::Inspect(f, pre, clear) => Command::InspectFirearm {
                firearm: fa[*f].clone(),
                stage: if *pre { InspectionStage::PreUse } else { InspectionStage::PostUse },
                barrel_clear: *clear,
                fault: None,
            },
            Op::Ready(i) => Command::MarkSceneReady { scene: sc(*i) },
            Op::Call(i) => Command::CallScene { scene: sc(*i) },
            Op::Wrap(i) => Command::WrapScene { scene: sc(*i) },
            Op::TakeCt(c) => Command::TakeContainer { container: ct[*c].clone() },
            Op::Load(f, c, n, check) => {
                load_cmd(&fa[*f], &ct[*c], *n, if *check { Some(VerificationMethod::Rattle) } else { None })
            }
            Op::DeclareEmpty(f) => Command::DeclareEmpty { firearm: fa[*f].clone() },
            Op::Unload(f, fired, returned) => {
                Command::UnloadFirearm { firearm: fa[*f].clone(), fired: *fired, returned: *returned }
            }
            Op::Resolve(c) => Command::ResolveDiscrepancy { class: class(*c), explanation: "counted again".into() },
            Op::Demonstrate(f) => Command::AcknowledgeDemonstration { firearm: fa[*f].clone() },
            Op::Shown(f) => Command::AcknowledgeShown { firearm: fa[*f].clone() },
            Op::ShownPlanned(i, j) => {
                let it = planned(*i, *j);
                return Some((Command::AcknowledgeShown { firearm: it.firearm }, Vec::new(), Some(it.performer)));
            }
            Op::HandPlanned(i, j, attest) => {
                let it = planned(*i, *j);
                let attested = if *attest { vec![it.performer.clone()] } else { Vec::new() };
                return Some((hand_off(&it.firearm, &it.performer, &sc(*i)), attested, None));
            }
            Op::HandAny(f, t, i, attest) => {
                let attested = if *attest { vec![pp[*t].clone()] } else { Vec::new() };
                let cmd = Command::HandOff { firearm: fa[*f].clone(), to: pp[*t].clone(), scene: i.map(sc) };
                return Some((cmd, attested, None));
            }
            Op::Collect(f) => Command::Collect { firearm: fa[*f].clone() },
            Op::Revise(i, variant) => {
                let mut plan = s.scenes[&b.scenes[*i]].plan.clone();
                match variant {
                    0 => plan.items.iter_mut().for_each(|it| it.closest_person_cm = Some(900)),
                    1 => {
                        let first = plan.items[0].performer.clone();
                        let last = plan.items[plan.items.len() - 1].performer.clone();
                        plan.items[0].performer = last;
                        let n = plan.items.len() - 1;
                        plan.items[n].performer = first;
                        plan.call_list = plan.items.iter().map(|it| it.performer.clone()).collect();
                    }
                    _ => {
                        for it in &mut plan.items {
                            if let PlannedLoad::Blanks { load } = &mut it.load {
                                *load = if load == "quarter" { "full".into() } else { "quarter".into() };
                            }
                        }
                    }
                }
                Command::RevisePlan { scene: sc(*i), plan, reason: "changed on the day".into() }
            }
            Op::Hold(i) => Command::PlaceHold {
                scope: match i {
                    Some(i) => HoldScope::Scene { scene: sc(*i) },
                    None => HoldScope::AllFirearmWork,
                },
                reason: "stop".into(),
            },
            Op::Lift(review) => Command::LiftHold {
                hold: s.safety.holds.keys().next().copied().unwrap_or(0),
                note: "lifted".into(),
                review: *review,
            },
            Op::Decline(i) => Command::DeclineFirearm { scene: sc(*i), reason: String::new() },
            Op::Competence(who, f) => {
                Command::RecordCompetence { person: pp[*who].clone(), firearm: fa[*f].clone(), notes: String::new() }
            }
            Op::Override(train, i, j) => Command::RecordOverride {
                rule: if *train { R::Train2 } else { R::Staff1 },
                firearm: planned(*i, *j).firearm,
                scene: sc(*i),
                reason: "recorded by the armorer".into(),
            },
            Op::Wait(_) => return None,
            Op::Policy(v) => Command::ChangePolicy { packs: PACKS[*v].iter().map(|s| s.to_string()).collect() },
            Op::Withdraw(f) => Command::WithdrawFirearm { firearm: fa[*f].clone(), reason: "fault".into() },
            Op::Repair(f) => p.repair(fa[*f].clone()),
            Op::CloseDay => Command::CloseDay { counts: p.full_count() },
            Op::OpenDay(medics) => Command::OpenDay {
                call_sheet: if *medics { call_sheet() } else { CallSheet { medics: Vec::new(), ..call_sheet() } },
                counts: p.full_count(),
            },
            Op::Report(critical) => file_report(if *critical { Severity::Critical } else { Severity::Concern }),
            Op::Review => Command::ReviewReport {
                report: s.reporting.reports.values().find(|r| r.reviewed.is_none()).map_or(0, |r| r.id),
                note: "reviewed on set".into(),
            },
            Op::Incident(misfire, f) => Command::ReportIncident {
                kind: if *misfire { IncidentKind::Misfire } else { IncidentKind::LostRound },
                firearm: f.map(|f| fa[f].clone()),
                scene: None,
                description: "on set".into(),
                wait_seconds: Some(30),
            },
            Op::SignInvestigation => Command::SignInvestigation {
                incident: s.reporting.incidents.values().find(|i| i.closed_at.is_none()).map_or(0, |i| i.id),
                cause: "found".into(),
                corrective_action: "fixed".into(),
            },
            Op::Release => Command::ReleaseEvidence {
                incident: s.reporting.incidents.values().find(|i| i.evidence_released.is_none()).map_or(0, |i| i.id),
                note: "released".into(),
            },
        };
        Some((cmd, Vec::new(), None))
    }

    /// Every GATE rule of a hand-off to a performer, recomputed from the state before it,
    /// without gate.rs: the names of those that did not hold.
    fn gate_failures(
        pre: &ProductionState,
        ctx: &Context,
        firearm: &FirearmId,
        from: &PersonId,
        to: &PersonId,
        scene: Option<&SceneId>,
    ) -> Vec<&'static str> {
        let mut failed = Vec::new();
        let mut need = |ok: bool, what: &'static str| {
            if !ok {
                failed.push(what)
            }
        };
        let f = &pre.firearms[firearm];
        let giver = &pre.people[from];
        let receiver = &pre.people[to];
        let packs = &pre.info.as_ref().unwrap().packs;
        let time_out_ms = if packs.iter().any(|p| p == "nsw-au") { 15 } else { 20 } * MINUTE_MS;
        let advisor_approves = packs.iter().any(|p| p == "california-2025");
        let in_date = |c: &Credential| ctx.today <= c.expires_on;
        let overridden = |rule: R| {
            pre.safety.overrides.values().any(|o| o.rule == rule && &o.firearm == firearm && Some(&o.scene) == scene)
        };

        // R-ROLE-1, R-HAND-2: the armorer who holds it, to a performer who confirmed.
        need(giver.roles.contains(&Role::Armorer), "given by the armorer");
        need(f.holder == Holder::Person { person: from.clone() }, "given by its holder");
        need(receiver.roles.contains(&Role::Performer) && to != from, "received by a performer");
        need(ctx.attested.contains(to), "the receiver confirmed in person");
        // R-ROLE-3
        need(
            giver
                .roles
                .iter()
                .all(|r| matches!(r, Role::Armorer | Role::AssistantArmorer | Role::Admin | Role::Auditor)),
            "the armorer holds no other department role",
        );
        // R-HAND-5
        need(f.status == FirearmStatus::InService, "not withdrawn");
        // R-STORE-4: the day was opened with its count.
        let day = pre.safety.day.as_ref();
        need(day.is_some(), "a shoot day is open");
        // R-HAND-6, R-STORE-1, R-MEET-1, R-MEET-3, R-REC-1, R-TRAIN-3, R-DECL-1, R-AMMO-6.
        let sc = scene.and_then(|s| pre.scenes.get(s));
        need(sc.is_some(), "a scene is named");
        if let Some(sc) = sc {
            need(sc.status == SceneStatus::Called, "the scene was called");
            need(sc.day == ctx.today, "the scene is today's");
            need(f.checks.scene.as_ref() == Some(&sc.id), "taken out of storage for this scene");
            need(!sc.declined_by.contains(to), "the receiver did not decline");
            let m = sc.meeting.as_ref();
            need(m.is_some_and(|m| m.armorer_sign_off.is_some() && m.ad_sign_off.is_some()), "meeting signed off");
            need(m.is_some_and(|m| m.plan_version == sc.plan_version), "the meeting covers the current plan");
            need(m.is_some_and(|m| m.day == Some(sc.day)), "the meeting was held on the scene's shoot day");
            need(
                sc.approvals.contains_key("armorer")
                    && sc.approvals.contains_key("first_ad")
                    && (!advisor_approves || sc.approvals.contains_key("safety_advisor")),
                "the current plan is approved",
            );
            let item = sc.plan.items.iter().find(|i| &i.firearm == firearm);
            need(item.is_some_and(|i| &i.performer == to), "the plan gives it to this performer");
            if let Some(item) = item {
                let matches = match (&item.load, &f.load) {
                    (PlannedLoad::Empty, LoadState::Empty) => true,
                    (PlannedLoad::Dummies, LoadState::Dummies { .. }) => true,
                    (PlannedLoad::Blanks { load: planned }, LoadState::Blanks { load, .. }) => planned == load,
                    _ => false,
                };
                need(matches, "the declared load is what the plan calls for");
            }
        }
        // R-ROLE-4
        need(
            !pre.safety.holds.values().any(|h| match &h.scope {
                HoldScope::AllFirearmWork => true,
                HoldScope::Scene { scene: s } => Some(s) == scene,
            }),
            "no hold",
        );
        if f.kind.can_fire() {
            // R-ROLE-2, R-TRAIN-1, R-TRAIN-2
            need(
                receiver
                    .credentials
                    .iter()
                    .any(|c| c.kind != CredentialKind::SafetyCourse && c.covers.contains(&f.kind) && in_date(c)),
                "licensed for the kind",
            );
            need(
                receiver.credentials.iter().any(|c| c.kind == CredentialKind::SafetyCourse && in_date(c)),
                "an in-date safety course",
            );
            let model = format!("{} {}", f.make.trim(), f.model.trim()).to_lowercase();
            need(receiver.competences.contains(&model) || overridden(R::Train2), "competent with the model");
            // R-STAFF-1
            let armory = |p: &Person| p.roles.contains(&Role::Armorer) || p.roles.contains(&Role::AssistantArmorer);
            let armorers = pre.people.values().filter(|p| armory(p)).count();
            let armed: BTreeSet<&PersonId> = pre
                .firearms
                .values()
                .filter(|x| x.kind.can_fire())
                .filter_map(|x| x.holder.person())
                .filter(|p| !armory(&pre.people[*p]))
                .chain([to])
                .collect();
            need(armed.len() <= 4 * armorers || overridden(R::Staff1), "armorer staffing");
        }
        // R-HAND-4: post-use after the last firing, and a fresh pre-use inspection.
        need(!f.checks.needs_post_use, "a post-use inspection after the last firing");
        need(
            f.checks.pre_use_at.is_some_and(|t| t <= ctx.now && ctx.now.0 - t.0 < time_out_ms),
            "a fresh pre-use inspection",
        );
        // R-CHECK-1, R-CHECK-2: for the load declared now.
        let current = f.checks.load_seq;
        need(f.checks.demonstrated.as_ref().is_some_and(|a| a.load_seq == current), "demonstrated to the 1st AD");
        need(f.checks.shown.iter().any(|a| a.load_seq == current && &a.by == to), "shown to the performer");
        // R-COMP-2: no critical report waiting for the safety advisor's review.
        need(
            !pre.reporting.reports.values().any(|r| r.severity == Severity::Critical && r.reviewed.is_none()),
            "no critical report waiting for review",
        );
        // R-MISF-2: every misfire or discharge investigated (armorer and safety advisor)
        // and a safety meeting held since.
        let meetings: Vec<Timestamp> =
            pre.scenes.values().filter_map(|s| s.meeting.as_ref()).map(|m| m.held_at).collect();
        for i in pre.reporting.incidents.values() {
            if matches!(i.kind, IncidentKind::Misfire | IncidentKind::HangFire | IncidentKind::UnintendedDischarge) {
                let investigated =
                    i.investigation.contains_key("armorer") && i.investigation.contains_key("safety_advisor");
                need(investigated, "misfires investigated");
                need(
                    i.closed_at.is_some_and(|c| meetings.iter().any(|m| *m >= c)),
                    "a meeting since the investigation",
                );
            }
        }
        // R-INC-2: not held as evidence.
        need(
            !pre.reporting.incidents.values().any(|i| {
                i.evidence_released.is_none()
                    && (i.frozen_firearms.contains(firearm) || i.firearm.as_ref() == Some(firearm))
            }),
            "not held as evidence",
        );
        // R-AMMO-7, R-MED-1
        if let Some(issued) = &f.checks.issued {
            need(!pre.safety.discrepancies.iter().any(|d| d.class == issued.class), "no discrepancy for the class");
            if matches!(issued.class, AmmoClass::Blank { .. }) {
                need(day.is_some_and(|d| !d.call_sheet.medics.is_empty()), "a medic for blank fire");
            }
        }
        failed
    }

    #[test]
    fn every_accepted_hand_off_to_a_performer_met_every_gate_rule() {
        let accepted = AtomicUsize::new(0);
        let compared = AtomicUsize::new(0);
        let mut runner = TestRunner::new(Config { cases: 500, failure_persistence: None, ..Config::default() });
        // Mostly from the later stages, where hand-offs are close.
        let stage = prop_oneof![1 => Just(0usize), 1 => Just(1), 2 => Just(2), 4 => Just(3)];
        let strategy = (stage, proptest::collection::vec(step(), 1..=40));
        let result = runner.run(&strategy, |(stage, steps)| {
            let mut b = stages()[stage].clone();
            let pp = people(&b);
            for (actor_ix, op) in &steps {
                if let Op::Wait(minutes) = op {
                    b.p.w.ctx.now = b.p.w.ctx.now.plus_minutes(*minutes);
                    continue;
                }
                let Some((cmd, attested, named)) = command(&b, op) else { continue };
                let actor = by(named.as_ref().unwrap_or(&pp[*actor_ix]));
                b.p.w.ctx.attested = attested;
                let pre = b.p.w.state.clone();
                let ctx = b.p.w.ctx.clone();
                let logged = b.p.w.log.len();
                let result = b.p.w.run(&actor, cmd.clone());
                match &result {
                    Ok(events) => {
                        for e in events {
                            let Event::FirearmHandedOff { firearm, from, to, scene, receiver_confirmed, .. } = e else {
                                continue;
                            };
                            prop_assert_eq!(Some(from), actor.person());
                            prop_assert_eq!(*receiver_confirmed, ctx.attested.contains(to));
                            if pre.people[to].has_role(Role::Performer) {
                                let failed = gate_failures(&pre, &ctx, firearm, from, to, scene.as_ref());
                                prop_assert!(failed.is_empty(), "{op:?} accepted although not: {failed:?}");
                                accepted.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    Err(_) => {
                        prop_assert_eq!(&b.p.w.state, &pre);
                        prop_assert_eq!(b.p.w.log.len(), logged);
                    }
                }
                // The query (giver = the holder; the receiver assumed to confirm) answers as
                // the command did when the armorer who holds it asks, with confirmation.
                if let Command::HandOff { firearm, to, scene } = &cmd {
                    let holder = pre.firearms.get(firearm).and_then(|f| f.holder.person());
                    let armorer = actor.person().is_some_and(|a| pre.people[a].has_role(Role::Armorer));
                    if holder == actor.person() && armorer && ctx.attested.contains(to) {
                        let q = gate::evaluate_hand_off(&pre, &ctx, firearm, to, scene.as_ref());
                        match (&result, q) {
                            (Ok(_), Ok(q)) => prop_assert!(q.allowed, "{op:?}: {q:?}"),
                            (Err(DomainError::Denied(d)), Ok(q)) => {
                                prop_assert!(!q.allowed);
                                let rules = ids(&q.violations.iter().map(|v| v.rule).collect::<Vec<_>>());
                                prop_assert_eq!(rules, d.rule_ids());
                            }
                            (r, q) => prop_assert!(false, "{op:?}: command {r:?}, query {q:?}"),
                        }
                        compared.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
        // The property is not vacuous: many hand-offs to performers were accepted, and the
        // query was compared with the command many times.
        let (accepted, compared) = (accepted.load(Ordering::Relaxed), compared.load(Ordering::Relaxed));
        assert!(accepted >= 60, "only {accepted} accepted hand-offs to performers");
        assert!(compared >= 100, "the query was compared only {compared} times");
    }
}

mod text_fields {
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
            ("checks.rs", include_str!("../src/checks.rs")),
            ("people.rs", include_str!("../src/people.rs")),
            ("storage.rs", include_str!("../src/storage.rs")),
            ("firearm.rs", include_str!("../src/firearm.rs")),
            ("gate.rs", include_str!("../src/gate.rs")),
            ("ammunition.rs", include_str!("../src/ammunition.rs")),
            ("scene.rs", include_str!("../src/scene.rs")),
            ("reports.rs", include_str!("../src/reports.rs")),
        ];
        let table: BTreeSet<&str> = text::ALL.iter().map(|(n, _)| *n).collect();
        let mut used = BTreeSet::new();
        for (file, source) in sources {
            for (i, _) in source.match_indices("F::") {
                let name: String =
                    source[i + 3..].chars().take_while(|c| c.is_ascii_uppercase() || *c == '_').collect();
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
                    (
                        p.admin.clone(),
                        Command::AddPerson { name: "Pat\nPerformer".into(), roles: [Role::Performer].into() },
                    )
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
}

mod frozen_evidence {
    //! Issue #16, item 1: R-INC-2 is part of every command that moves an item, by
    //! construction (`decide::moved_items`, checked before any command's own checks).
    use super::*;
    use coldset_domain::decide::moved_items;

    /// Commands that move, load, unload, hand on, transport, store, repair or dispose of an
    /// item, named independently of the decider's classification.
    const MOVERS: &[&str] = &[
        "store_firearm",
        "take_firearm",
        "hand_off",
        "record_repair",
        "dispose_firearm",
        "declare_empty",
        "load_firearm",
        "unload_firearm",
        "move_rounds",
        "store_container",
        "take_container",
        "hand_container",
        "record_transport",
    ];

    /// Walks every command kind (one sample of each, naming the frozen revolver and boxes)
    /// against an incident that froze them: every mover is refused naming R-INC-2, whoever
    /// asks, and the classification agrees with the list above.
    #[test]
    fn every_command_that_moves_a_frozen_item_is_refused() {
        let mut p = super::permissions::prod();
        p.take(p.blank_gun.clone());
        p.take_ct(p.dummies.clone());
        p.take_ct(p.quarters.clone());
        incident(&mut p, coldset_domain::reports::IncidentKind::UnintendedDischarge, None);
        let samples = super::permissions::samples(&p);
        let mut seen = BTreeSet::new();
        for cmd in &samples {
            let (firearms, containers) = moved_items(&p.w.state, cmd);
            let moves = !firearms.is_empty() || !containers.is_empty();
            assert_eq!(moves, MOVERS.contains(&cmd.name()), "{} is classified wrongly", cmd.name());
            if !moves {
                continue;
            }
            seen.insert(cmd.name());
            for actor in [p.arm(), by(&p.assistant), by(&p.safety)] {
                match decide(&p.w.state, &p.w.ctx, &actor, cmd) {
                    Err(DomainError::Denied(d)) => assert!(d.has(R::Inc2), "{} by {actor:?}: {d}", cmd.name()),
                    Err(DomainError::Forbidden(_)) => {}
                    other => panic!("{} by {actor:?} moved frozen evidence: {other:?}", cmd.name()),
                }
            }
        }
        assert_eq!(seen.len(), MOVERS.len(), "a mover has no sample");
    }

    /// The finding of #16: a transport of the frozen revolver and its dummy box to the prop
    /// truck was accepted. It is refused now, naming R-INC-2 with the transport's own rules.
    #[test]
    fn a_transport_of_frozen_evidence_is_refused() {
        let mut p = Prod::new();
        p.take(p.blank_gun.clone());
        p.take_ct(p.dummies.clone());
        incident(&mut p, coldset_domain::reports::IncidentKind::Misfire, Some(60));
        let cmd = |locked_case| Command::RecordTransport {
            firearms: vec![p.blank_gun.clone()],
            containers: vec![p.dummies.clone()],
            from: "Stage 4".into(),
            to: "Prop truck".into(),
            locked_case,
        };
        let d = p.w.refused(&p.arm(), cmd(true));
        assert_eq!(d.rule_ids(), vec![R::Inc2], "{d}");
        let d = p.w.refused(&p.arm(), cmd(false));
        assert_eq!(d.rule_ids(), ids(&[R::Inc2, R::Store6]), "{d}");
    }
}

mod shoot_days {
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
}

mod supervised_assistant {
    //! Issue #16, item 3: the assistant armorer's supervised load reaches the performer: the
    //! hand-back to the armorer is a recorded custody step, and collecting a firearm that was
    //! never fired demands no reconciliation.
    use super::*;

    /// The standard scene called; the assistant, under recorded supervision, loads six
    /// quarter-load blanks into the revolver she holds.
    fn supervised_load(p: &mut Prod) -> SceneId {
        assistant_holds_the_gun(p);
        let sc = p.w.state.scenes.keys().next().unwrap().clone();
        let arm = p.arm();
        p.w.ok(&arm, Command::SuperviseAssistant { assistant: p.assistant.clone() });
        p.w.ok(&by(&p.assistant), load_cmd(&p.blank_gun, &p.quarters, 6, None));
        sc
    }

    fn reaches_the_performer(p: &mut Prod, sc: &SceneId) {
        p.run_steps(sc, &[Step::Demonstrate, Step::Shown, Step::Attest], true);
        let events = p.w.ok(&p.arm(), hand_off(&p.blank_gun, &p.performer, sc));
        assert!(matches!(&events[..], [Event::FirearmHandedOff { to, .. }] if *to == p.performer));
        assert_eq!(p.w.state.firearms[&p.blank_gun].load, LoadState::Blanks { count: 6, load: "quarter".into() });
    }

    #[test]
    fn handed_back_by_the_assistant_it_reaches_the_performer() {
        let mut p = Prod::new();
        let sc = supervised_load(&mut p);
        p.w.ctx.attested = vec![p.armorer.clone()];
        let events = p.w.ok(
            &by(&p.assistant),
            Command::HandOff { firearm: p.blank_gun.clone(), to: p.armorer.clone(), scene: None },
        );
        assert!(
            matches!(&events[..], [Event::FirearmHandedOff { receiver_confirmed: true, .. }]),
            "a recorded custody step"
        );
        p.w.ctx.attested.clear();
        let f = &p.w.state.firearms[&p.blank_gun];
        assert!(!f.checks.needs_reconcile && !f.checks.needs_post_use, "{:?}", f.checks);
        reaches_the_performer(&mut p, &sc);
    }

    #[test]
    fn collected_from_the_assistant_it_reaches_the_performer() {
        let mut p = Prod::new();
        let sc = supervised_load(&mut p);
        p.w.ok(&p.arm(), Command::Collect { firearm: p.blank_gun.clone() });
        let f = &p.w.state.firearms[&p.blank_gun];
        assert!(!f.checks.needs_reconcile && !f.checks.needs_post_use, "never fired: {:?}", f.checks);
        reaches_the_performer(&mut p, &sc);
        // From the performer, a collection ends the firing sequence as before.
        p.w.ok(&p.arm(), Command::Collect { firearm: p.blank_gun.clone() });
        let f = &p.w.state.firearms[&p.blank_gun];
        assert!(f.checks.needs_reconcile && f.checks.needs_post_use, "{:?}", f.checks);
    }
}

mod every_failing_rule {
    //! Issue #15, item 2: a refusal names every failing rule, everywhere, not only at the
    //! hand-off gate. Random production states (custody moves, incidents that freeze
    //! evidence, critical reports, holds, the day opened and closed) and random commands by
    //! random people: for each command below, the set of rule ids in the refusal equals the
    //! set computed here by evaluating each rule on its own against the state before the
    //! step, independently of the decider's code; an allowed command had none failing.
    use super::*;
    use coldset_domain::reports::{IncidentKind, Severity};
    use proptest::prelude::*;
    use std::sync::OnceLock;

    const PEOPLE: usize = 8;

    static COMPARED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    /// The standard production on a shoot day: the day open, the standard scene planned for
    /// today, the safe open, the armorer holding the revolver and two boxes.
    fn base() -> Prod {
        static BASE: OnceLock<Prod> = OnceLock::new();
        BASE.get_or_init(|| {
            let mut p = Prod::new();
            p.open_day();
            p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
            p.take(p.blank_gun.clone());
            p.take_ct(p.dummies.clone());
            p.take_ct(p.quarters.clone());
            p
        })
        .clone()
    }

    fn people(p: &Prod) -> [PersonId; PEOPLE] {
        [
            p.armorer.clone(),
            p.assistant.clone(),
            p.first_ad.clone(),
            p.safety.clone(),
            p.performer.clone(),
            p.crew.clone(),
            p.producer.clone(),
            p.performer2.clone(),
        ]
    }

    fn firearms(p: &Prod) -> [FirearmId; 3] {
        [p.blank_gun.clone(), p.real_gun.clone(), p.replica.clone()]
    }

    fn containers(p: &Prod) -> [ContainerId; 6] {
        [
            p.dummies.clone(),
            p.spare_dummies.clone(),
            p.quarters.clone(),
            p.spare_quarters.clone(),
            p.old_stock.clone(),
            p.fulls.clone(),
        ]
    }

    fn locations(p: &Prod) -> [LocationId; 2] {
        [p.safe.clone(), p.cart.clone()]
    }

    #[derive(Debug, Clone)]
    enum Op {
        Take(usize, bool),
        TakeCt(usize),
        Store(usize, usize),
        StoreCt(usize, usize),
        HandCt(usize, usize),
        Move(usize, usize, u32),
        /// 0: a full count, 1: a variance, 2: an item never taken in.
        OpenDay(u8),
        CloseDay(u8),
        Transport(usize, usize, bool),
        LiftHold(bool),
        Open(usize),
        Close(usize),
        // State only (not compared):
        Incident(bool, Option<usize>),
        Critical,
        Review,
        Hold(bool, bool),
        Release,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0..3usize, any::<bool>()).prop_map(|(f, s)| Op::Take(f, s)),
            3 => (0..6usize).prop_map(Op::TakeCt),
            3 => (0..3usize, 0..2usize).prop_map(|(f, l)| Op::Store(f, l)),
            3 => (0..6usize, 0..2usize).prop_map(|(c, l)| Op::StoreCt(c, l)),
            2 => (0..6usize, 0..PEOPLE).prop_map(|(c, t)| Op::HandCt(c, t)),
            3 => (0..6usize, 0..6usize, prop_oneof![3 => 1..=10u32, 1 => 1..=120u32])
                .prop_filter("two containers", |(a, b, _)| a != b)
                .prop_map(|(a, b, n)| Op::Move(a, b, n)),
            1 => (0..3u8).prop_map(Op::OpenDay),
            1 => (0..3u8).prop_map(Op::CloseDay),
            2 => (0..3usize, 0..6usize, proptest::bool::weighted(0.7)).prop_map(|(f, c, l)| Op::Transport(f, c, l)),
            1 => any::<bool>().prop_map(Op::LiftHold),
            2 => (0..2usize).prop_map(Op::Open),
            1 => (0..2usize).prop_map(Op::Close),
            1 => (any::<bool>(), proptest::option::of(0..3usize)).prop_map(|(m, f)| Op::Incident(m, f)),
            1 => Just(Op::Critical),
            1 => Just(Op::Review),
            1 => (any::<bool>(), any::<bool>()).prop_map(|(a, s)| Op::Hold(a, s)),
            1 => Just(Op::Release),
        ]
    }

    fn who() -> impl Strategy<Value = usize> {
        prop_oneof![4 => Just(0usize), 2 => Just(1usize), 3 => 0..PEOPLE]
    }

    fn counts(p: &Prod, kind: u8) -> BTreeMap<String, u64> {
        let mut c = p.full_count();
        match kind {
            1 => {
                c.insert("D-1".into(), 1);
            }
            2 => {
                c.insert("NEVER-TAKEN-IN".into(), 3);
            }
            _ => {}
        }
        c
    }

    /// The command, who acts, and whether it is compared with the independent evaluation.
    fn command(p: &Prod, actor: usize, op: &Op) -> (Actor, Command, bool) {
        let (pp, fa, ct, loc) = (people(p), firearms(p), containers(p), locations(p));
        let sc = p.w.state.scenes.keys().next().cloned();
        let me = by(&pp[actor]);
        match op {
            Op::Take(f, s) => {
                (me, Command::TakeFirearm { firearm: fa[*f].clone(), scene: if *s { sc } else { None } }, true)
            }
            Op::TakeCt(c) => (me, Command::TakeContainer { container: ct[*c].clone() }, true),
            Op::Store(f, l) => (me, Command::StoreFirearm { firearm: fa[*f].clone(), location: loc[*l].clone() }, true),
            Op::StoreCt(c, l) => {
                (me, Command::StoreContainer { container: ct[*c].clone(), location: loc[*l].clone() }, true)
            }
            Op::HandCt(c, t) => (me, Command::HandContainer { container: ct[*c].clone(), to: pp[*t].clone() }, true),
            Op::Move(a, b, n) => {
                (me, Command::MoveRounds { from: ct[*a].clone(), to: ct[*b].clone(), rounds: *n }, true)
            }
            Op::OpenDay(k) => (me, Command::OpenDay { call_sheet: call_sheet(), counts: counts(p, *k) }, true),
            Op::CloseDay(k) => (me, Command::CloseDay { counts: counts(p, *k) }, true),
            Op::Transport(f, c, locked) => (
                me,
                Command::RecordTransport {
                    firearms: vec![fa[*f].clone()],
                    containers: vec![ct[*c].clone()],
                    from: "Stage 4".into(),
                    to: "Prop truck".into(),
                    locked_case: *locked,
                },
                true,
            ),
            Op::LiftHold(review) => {
                let hold = p.w.state.safety.holds.keys().next().copied().unwrap_or(0);
                (me, Command::LiftHold { hold, note: "reviewed".into(), review: *review }, true)
            }
            Op::Open(l) => (me, Command::OpenStorage { location: loc[*l].clone() }, false),
            Op::Close(l) => (me, Command::CloseStorage { location: loc[*l].clone() }, false),
            Op::Incident(misfire, f) => (
                p.arm(),
                Command::ReportIncident {
                    kind: if *misfire { IncidentKind::Misfire } else { IncidentKind::LostRound },
                    firearm: f.map(|f| fa[f].clone()),
                    scene: None,
                    description: "random".into(),
                    wait_seconds: Some(60),
                },
                false,
            ),
            Op::Critical => (Actor::Anonymous, file_report(Severity::Critical), false),
            Op::Review => {
                let report = p.w.state.reporting.reports.keys().next().copied().unwrap_or(0);
                (by(&p.safety), Command::ReviewReport { report, note: "reviewed".into() }, false)
            }
            Op::Hold(all, advisor) => (
                by(if *advisor { &p.safety } else { &p.armorer }),
                Command::PlaceHold {
                    scope: match (all, sc) {
                        (false, Some(scene)) => HoldScope::Scene { scene },
                        _ => HoldScope::AllFirearmWork,
                    },
                    reason: "random".into(),
                },
                false,
            ),
            Op::Release => {
                let incident = p.w.state.reporting.incidents.keys().next_back().copied().unwrap_or(0);
                (by(&p.safety), Command::ReleaseEvidence { incident, note: "released".into() }, false)
            }
        }
    }

    // ---- each rule on its own, from the state --------------------------------------------

    fn armory(p: &Person) -> bool {
        p.roles.contains(&Role::Armorer) || p.roles.contains(&Role::AssistantArmorer)
    }

    fn licensed(p: &Person, kind: FirearmKind, day: Date) -> bool {
        p.credentials
            .iter()
            .any(|c| c.kind != CredentialKind::SafetyCourse && c.covers.contains(&kind) && day <= c.expires_on)
    }

    fn frozen_f(s: &ProductionState, f: &FirearmId) -> bool {
        s.reporting
            .incidents
            .values()
            .any(|i| i.evidence_released.is_none() && (i.frozen_firearms.contains(f) || i.firearm.as_ref() == Some(f)))
    }

    fn frozen_c(s: &ProductionState, c: &ContainerId) -> bool {
        s.reporting.incidents.values().any(|i| i.evidence_released.is_none() && i.frozen_containers.contains(c))
    }

    fn stock(s: &ProductionState, c: &Container, out: &mut BTreeSet<R>) {
        for lot in c.contents.keys() {
            match s.lots.get(lot).map(|l| &l.state) {
                Some(LotState::Verified { .. }) => {}
                Some(LotState::Quarantined { reason }) if reason.contains("R-AMMO-4") => {
                    out.insert(R::Ammo4);
                }
                Some(_) => {
                    out.insert(R::Ammo2);
                }
                None => {
                    out.insert(R::Ammo4);
                }
            }
        }
    }

    fn storage_rules(s: &ProductionState, h: &Holder, b: &Person, out: &mut BTreeSet<R>) {
        if let Holder::Storage { location } = h {
            let l = &s.locations[location];
            if !l.authorised.contains(&b.id) || l.opened.is_none() {
                out.insert(R::Store3);
            }
        }
    }

    fn location_rules(l: &StorageLocation, b: &Person, out: &mut BTreeSet<R>) {
        if !l.authorised.contains(&b.id) || l.opened.is_none() {
            out.insert(R::Store3);
        }
    }

    fn unknown_items(p: &Prod, counts: &BTreeMap<String, u64>) -> bool {
        let known = p.full_count();
        counts.keys().any(|k| !known.contains_key(k))
    }

    /// Expected rule ids, or None where the command is malformed (then it must not pass).
    fn expected(p: &Prod, actor: &Actor, cmd: &Command) -> Option<BTreeSet<R>> {
        let s = &p.w.state;
        let today = p.w.ctx.today;
        let b = &s.people[actor.person()?];
        let mut out = BTreeSet::new();
        let holds_b = |h: &Holder| h.person() == Some(&b.id);
        match cmd {
            Command::TakeFirearm { firearm, scene } => {
                let f = &s.firearms[firearm];
                if !matches!(f.holder, Holder::Storage { .. }) || !armory(b) {
                    out.insert(R::Role1);
                }
                storage_rules(s, &f.holder, b, &mut out);
                if f.kind.can_fire() && !licensed(b, f.kind, today) {
                    out.insert(R::Role2);
                }
                if frozen_f(s, firearm) {
                    out.insert(R::Inc2);
                }
                if let Some(sc) = scene {
                    let scn = &s.scenes[sc];
                    if s.reporting.reports.values().any(|r| r.severity == Severity::Critical && r.reviewed.is_none()) {
                        out.insert(R::Comp2);
                    }
                    if s.reporting.incidents.values().any(|i| i.kind.stops_work() && i.closed_at.is_none()) {
                        out.insert(R::Misf2);
                    }
                    if s.safety.day.is_none() {
                        out.insert(R::Store4);
                    }
                    if scn.plan.item(firearm).is_none() || scn.day != today {
                        out.insert(R::Hand6);
                    }
                    let held = s.safety.holds.values().any(|h| match &h.scope {
                        HoldScope::AllFirearmWork => true,
                        HoldScope::Scene { scene } => scene == sc,
                    });
                    if held {
                        out.insert(R::Role4);
                    }
                }
            }
            Command::TakeContainer { container } => {
                let c = &s.containers[container];
                if !matches!(c.holder, Holder::Storage { .. }) {
                    out.insert(R::Role1);
                }
                if !armory(b) {
                    out.insert(R::Store2);
                }
                storage_rules(s, &c.holder, b, &mut out);
                stock(s, c, &mut out);
                if frozen_c(s, container) {
                    out.insert(R::Inc2);
                }
            }
            Command::StoreFirearm { firearm, location } => {
                let f = &s.firearms[firearm];
                if !holds_b(&f.holder) {
                    out.insert(R::Role1);
                }
                location_rules(&s.locations[location], b, &mut out);
                if f.load != LoadState::Empty {
                    out.insert(R::Store1);
                }
                if frozen_f(s, firearm) {
                    out.insert(R::Inc2);
                }
            }
            Command::StoreContainer { container, location } => {
                if !holds_b(&s.containers[container].holder) {
                    out.insert(R::Role1);
                }
                location_rules(&s.locations[location], b, &mut out);
                if frozen_c(s, container) {
                    out.insert(R::Inc2);
                }
            }
            Command::HandContainer { container, to } => {
                if !holds_b(&s.containers[container].holder) || to == &b.id {
                    out.insert(R::Role1);
                }
                if !armory(&s.people[to]) {
                    out.insert(R::Store2);
                }
                if frozen_c(s, container) {
                    out.insert(R::Inc2);
                }
            }
            Command::MoveRounds { from, to, rounds } => {
                let (a, z) = (&s.containers[from], &s.containers[to]);
                if !holds_b(&a.holder) || !holds_b(&z.holder) {
                    out.insert(R::Role1);
                }
                if a.class != z.class || a.calibre != z.calibre {
                    out.insert(R::Ammo5);
                }
                if u64::from(*rounds) > a.count() {
                    out.insert(R::Store4);
                }
                stock(s, a, &mut out);
                if z.contents.keys().any(|l| !matches!(s.lots[l].state, LotState::Verified { .. })) {
                    out.insert(R::Ammo4);
                }
                if frozen_c(s, from) || frozen_c(s, to) {
                    out.insert(R::Inc2);
                }
            }
            Command::OpenDay { counts, .. } | Command::CloseDay { counts } => {
                if !b.roles.contains(&Role::Armorer) {
                    out.insert(R::Store4);
                }
                if unknown_items(p, counts) {
                    out.insert(R::Store5);
                }
                let open = s.safety.day.is_some();
                let malformed = if matches!(cmd, Command::OpenDay { .. }) { open } else { !open };
                if out.is_empty() && malformed {
                    return None;
                }
            }
            Command::RecordTransport { firearms, containers, locked_case, .. } => {
                if !armory(b) || !locked_case {
                    out.insert(R::Store6);
                }
                for f in firearms {
                    if !holds_b(&s.firearms[f].holder) {
                        out.insert(R::Role1);
                    }
                    if frozen_f(s, f) {
                        out.insert(R::Inc2);
                    }
                }
                for c in containers {
                    if !holds_b(&s.containers[c].holder) {
                        out.insert(R::Role1);
                    }
                    if frozen_c(s, c) {
                        out.insert(R::Inc2);
                    }
                }
            }
            Command::LiftHold { hold, review, .. } => {
                let h = s.safety.holds.get(hold)?;
                if h.placed_by != b.id {
                    let advisor = b.roles.contains(&Role::SafetyAdvisor);
                    if !(*review && advisor) {
                        out.insert(R::Role4);
                    }
                    let others =
                        b.roles.iter().any(|r| !matches!(r, Role::SafetyAdvisor | Role::Auditor | Role::Admin));
                    if advisor && others {
                        out.insert(R::Role6);
                    }
                }
            }
            _ => return None,
        }
        Some(out)
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 300,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn a_refusal_names_exactly_the_rules_that_fail(
            steps in proptest::collection::vec((who(), op()), 1..=30)
        ) {
            let mut p = base();
            let mut compared = 0;
            for (actor_ix, op) in &steps {
                let (actor, cmd, compare) = command(&p, *actor_ix, op);
                let expect = if compare { expected(&p, &actor, &cmd) } else { None };
                let name = cmd.name();
                let result = p.w.run(&actor, cmd);
                let Some(expect) = expect else { continue };
                compared += 1;
                match result {
                    Ok(events) => prop_assert!(expect.is_empty(), "{} allowed ({events:?}), but {expect:?} fail", name),
                    Err(DomainError::Denied(d)) => {
                        let got: BTreeSet<R> = d.rule_ids().into_iter().collect();
                        prop_assert_eq!(&got, &expect, "{}: {}", name, d);
                    }
                    Err(other) => prop_assert!(false, "{}: {other:?}, expected {expect:?}", name),
                }
            }
            COMPARED.fetch_add(compared, std::sync::atomic::Ordering::Relaxed);
        }
    }
}
