//! The demo production: a western with a full armory team, six firearms (replicas among
//! them), verified dummy and blank lots in labelled containers, one lot carried over from a
//! previous production and held in quarantine, and a scene planned for today. Every record
//! is made through the real write path, exactly as the people on set would make it.

use coldset_app::{App, AppError, Request};
use coldset_domain::events::{AuthMethod, Authentication};
use coldset_domain::ids::*;
use coldset_domain::model::*;
use coldset_domain::safety::*;
use coldset_domain::{Actor, Command, Envelope, Event};
use std::collections::BTreeSet;

pub const DEMO_PRODUCTION: &str = "dead-river";

/// The people of the demo, for the printed summary.
pub struct DemoPerson {
    pub name: &'static str,
    pub roles: &'static [Role],
}

pub const PEOPLE: &[DemoPerson] = &[
    DemoPerson { name: "Maria Vega", roles: &[Role::Armorer] },
    DemoPerson { name: "Tom Okafor", roles: &[Role::PropertyMaster] },
    DemoPerson { name: "Dana Wells", roles: &[Role::FirstAd] },
    DemoPerson { name: "Ruth Kim", roles: &[Role::SafetyAdvisor] },
    DemoPerson { name: "Cole Brannigan", roles: &[Role::Performer] },
    DemoPerson { name: "Ada Lane", roles: &[Role::Performer] },
    DemoPerson { name: "Joe Redhorse", roles: &[Role::Performer] },
    DemoPerson { name: "Ben Park", roles: &[Role::Crew] },
    DemoPerson { name: "Lucy Moss", roles: &[Role::Crew] },
    DemoPerson { name: "Hal Grant", roles: &[Role::Producer] },
];

struct Seeder<'a> {
    app: &'a App,
    production: ProductionId,
}

impl Seeder<'_> {
    fn run(&self, actor: &Actor, command: Command) -> Result<Vec<Envelope>, AppError> {
        let receipt = self.app.execute(Request {
            production: self.production.clone(),
            actor: actor.clone(),
            command,
            expected_version: None,
            attested: Vec::new(),
            auth: Some(Authentication { method: AuthMethod::Local, confirmations: Vec::new(), on_device_of: None }),
            idempotency: None,
            attachments: Vec::new(),
        })?;
        Ok(receipt.events)
    }
}

fn first_id<T>(events: &[Envelope], pick: impl Fn(&Event) -> Option<T>) -> Result<T, AppError> {
    events.iter().find_map(|e| pick(&e.event)).ok_or_else(|| AppError::Internal("expected event missing".into()))
}

fn party(name: &str, licence: &str, document: &str) -> Party {
    Party { name: name.into(), licence: licence.into(), document: document.into() }
}

/// Seeds the demo production through the write path. Returns the production id.
pub fn seed(app: &App, admin_account: &str) -> Result<ProductionId, AppError> {
    let production = ProductionId::parse(DEMO_PRODUCTION).map_err(|e| AppError::Internal(e.to_string()))?;
    let s = Seeder { app, production: production.clone() };
    let admin = Actor::Admin { account: admin_account.to_owned() };
    s.run(
        &admin,
        Command::CreateProduction {
            id: production.clone(),
            name: "Dead River (western feature)".into(),
            time_zone: "America/Denver".into(),
            packs: vec!["industry-us".into(), "california-2025".into()],
            compliance_contact: "Ruth Kim, safety advisor: +1 505 555 0142, safety@deadriver.example".into(),
        },
    )?;
    let mut ids = Vec::new();
    for p in PEOPLE {
        let ev = s.run(&admin, Command::AddPerson { name: p.name.into(), roles: p.roles.iter().copied().collect() })?;
        ids.push(first_id(&ev, |e| match e {
            Event::PersonAdded { person, .. } => Some(person.clone()),
            _ => None,
        })?);
    }
    let [armorer, _propmaster, _ad, _safety, cole, ada, joe, ..] = ids.as_slice() else {
        return Err(AppError::Internal("demo people missing".into()));
    };
    let today = app.today(&*app.state(&production)?);
    let in_two_years = today.saturating_add(jiff::Span::new().years(2));
    let in_one_year = today.saturating_add(jiff::Span::new().years(1));
    s.run(
        &admin,
        Command::RecordCredential {
            person: armorer.clone(),
            credential: Credential {
                kind: CredentialKind::Licence,
                number: "FFL-03-NM-58812".into(),
                issuer: "ATF".into(),
                expires_on: in_two_years,
                covers: vec![FirearmKind::RealFiring, FirearmKind::BlankAdapted],
            },
        },
    )?;
    for performer in [cole, ada, joe] {
        s.run(
            &admin,
            Command::RecordCredential {
                person: performer.clone(),
                credential: Credential {
                    kind: CredentialKind::Certification,
                    number: format!("SAG-FS-{}", performer.as_str().trim_start_matches("p-")),
                    issuer: "Contract Services firearms safety".into(),
                    expires_on: in_one_year,
                    covers: vec![FirearmKind::BlankAdapted],
                },
            },
        )?;
    }
    let maria = Actor::Person { person: armorer.clone() };
    s.run(&maria, Command::ApproveSupplier { supplier: "Southwest Prop Ammunition Co.".into() })?;
    let authorised: BTreeSet<PersonId> = [armorer.clone()].into();
    let safe = first_id(
        &s.run(
            &maria,
            Command::AddLocation {
                name: "Armory truck safe".into(),
                kind: LocationKind::Safe,
                authorised: authorised.clone(),
            },
        )?,
        |e| match e {
            Event::LocationAdded { location, .. } => Some(location.clone()),
            _ => None,
        },
    )?;
    s.run(&maria, Command::AddLocation { name: "Set cart".into(), kind: LocationKind::Cart, authorised })?;
    s.run(&maria, Command::OpenStorage { location: safe.clone() })?;

    let rental = party("Sandia Prop House", "FFL-05-NM-11873", "rental agreement RA-2026-0417");
    let firearms: [(FirearmKind, &str, &str, &str, &str); 6] = [
        (FirearmKind::BlankAdapted, "Colt", "Single Action Army (blank-adapted)", "SAA-BF-1021", ".45 Colt"),
        (FirearmKind::BlankAdapted, "Colt", "Single Action Army (blank-adapted)", "SAA-BF-1022", ".45 Colt"),
        (FirearmKind::BlankAdapted, "Winchester", "1873 carbine (blank-adapted)", "W73-BF-340", ".44-40"),
        (FirearmKind::RealFiring, "Stoeger", "Coach Gun double-barrel", "SCG-88213", "12 gauge"),
        (FirearmKind::Replica, "Denix", "Peacemaker replica (non-firing)", "DX-1106", "none"),
        (FirearmKind::RubberTraining, "Prop Shop", "Rubber revolver (stunt)", "RUB-07", "none"),
    ];
    let mut guns = Vec::new();
    for (kind, make, model, serial, calibre) in firearms {
        let ev = s.run(
            &maria,
            Command::IntakeFirearm {
                kind,
                make: make.into(),
                model: model.into(),
                serial: serial.into(),
                calibre: calibre.into(),
                condition: "inspected on receipt: good".into(),
                acquired_from: rental.clone(),
            },
        )?;
        let id = first_id(&ev, |e| match e {
            Event::FirearmReceived { firearm, .. } => Some(firearm.clone()),
            _ => None,
        })?;
        s.run(&maria, Command::StoreFirearm { firearm: id.clone(), location: safe.clone() })?;
        guns.push(id);
    }

    let lots = [
        (AmmoClass::Dummy, ".45 Colt", 100, "INV-88120", "W-W 45 COLT", None, "DUM-45-A", VerificationMethod::Rattle),
        (
            AmmoClass::Blank { load: "quarter".into() },
            ".45 Colt",
            50,
            "INV-88121",
            "none (crimped)",
            None,
            "BLK-45-Q",
            VerificationMethod::BlankInspection,
        ),
        (
            AmmoClass::Blank { load: "half".into() },
            ".44-40",
            50,
            "INV-88122",
            "none (crimped)",
            None,
            "BLK-4440-H",
            VerificationMethod::BlankInspection,
        ),
        (
            AmmoClass::Dummy,
            ".45 Colt",
            24,
            "transfer note 2026-09-30",
            "W-W 45 COLT",
            Some("Dust Devil (2026)"),
            "QUAR-45-B",
            VerificationMethod::Rattle,
        ),
    ];
    for (class, calibre, rounds, document, headstamp, previous, label, method) in lots {
        let ev = s.run(
            &maria,
            Command::IntakeLot {
                class,
                calibre: calibre.into(),
                rounds,
                provenance: Provenance {
                    supplier: "Southwest Prop Ammunition Co.".into(),
                    document: document.into(),
                    headstamp: headstamp.into(),
                    previous_production: previous.map(str::to_owned),
                    mixed_source: false,
                },
                home_made: false,
                container_label: label.into(),
            },
        )?;
        let (lot, container) = first_id(&ev, |e| match e {
            Event::LotReceived { lot, container, .. } => Some((lot.clone(), container.clone())),
            _ => None,
        })?;
        // The carried-over lot stays in quarantine until it is re-verified round by round.
        if previous.is_none() {
            s.run(&maria, Command::VerifyLot { lot, method, rounds_checked: rounds, other_class_found: 0 })?;
        }
        s.run(&maria, Command::StoreContainer { container, location: safe.clone() })?;
    }
    s.run(&maria, Command::CloseStorage { location: safe })?;
    // Everyone on set has the firearms safety course (R-TRAIN-1); the performers are trained
    // with their weapon (R-TRAIN-2).
    for person in &ids {
        s.run(
            &admin,
            Command::RecordCredential {
                person: person.clone(),
                credential: Credential {
                    kind: CredentialKind::SafetyCourse,
                    number: format!("FSC-{}", person.as_str().trim_start_matches("p-")),
                    issuer: "Contract Services".into(),
                    expires_on: in_one_year,
                    covers: Vec::new(),
                },
            },
        )?;
    }
    for (performer, gun) in [(cole, &guns[0]), (ada, &guns[1]), (joe, &guns[2])] {
        s.run(
            &maria,
            Command::RecordCompetence {
                person: performer.clone(),
                firearm: gun.clone(),
                notes: "handling, holstering, safe direction; two dry runs".into(),
            },
        )?;
    }
    let crew_ben = &ids[7];
    let item = |firearm: &FirearmId, performer: &PersonId, load: PlannedLoad| PlanItem {
        firearm: firearm.clone(),
        performer: performer.clone(),
        load,
        real_firearm_reason: None,
        toward_person: false,
        toward_camera: false,
        armorer_consulted: true,
        mitigations: Vec::new(),
        camera_protection: None,
        closest_person_cm: Some(900),
        close_range_load_approved: false,
    };
    let plan = ScenePlan {
        kind: SceneKind::Take,
        items: vec![
            item(&guns[0], cole, PlannedLoad::Dummies),
            item(&guns[1], ada, PlannedLoad::Dummies),
            item(&guns[2], joe, PlannedLoad::Blanks { load: "half".into() }),
        ],
        call_list: ids[2..10].iter().cloned().collect(),
        line_of_fire: [crew_ben.clone()].into(),
        protection: vec![Protection { person: crew_ben.clone(), shield: true, eye: true, hearing: true }],
        risk_assessment: "Two revolvers with verified dummies for the draw; one carbine with half-load blanks \
fired upstage at 9 m from the nearest person, away from camera; camera operator behind a shield with eye and \
hearing protection; medic on set; abort word CUT."
            .into(),
    };
    let ev = s.run(
        &maria,
        Command::PlanScene {
            number: "12".into(),
            description: "Church standoff: Cole and Ada draw; Joe fires two blanks upstage".into(),
            day: today,
            plan,
        },
    )?;
    let scene = first_id(&ev, |e| match e {
        Event::ScenePlanned { scene, .. } => Some(scene.clone()),
        _ => None,
    })?;
    let [_, _, ad, safety, ..] = ids.as_slice() else {
        return Err(AppError::Internal("demo people missing".into()));
    };
    for approver in [armorer, ad, safety] {
        s.run(&Actor::Person { person: approver.clone() }, Command::ApprovePlan { scene: scene.clone(), version: 1 })?;
    }
    Ok(production)
}
