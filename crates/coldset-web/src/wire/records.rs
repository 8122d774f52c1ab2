//! The records the read endpoints list (firearms, lots, containers, people, storage
//! locations), as the API writes them: the domain's record, field by field, with a firearm's
//! and a container's holder named (`HolderView`) and a container's round count. Each is made
//! from its domain record by an exhaustive pattern, so a field the domain gains or renames
//! stops the build here; a test writes one of each both ways and compares the JSON.

use super::vocab::*;
use super::{Conv, Id};
use coldset_domain::ids::{ContainerId, FirearmId, LocationId, LotId, PersonId, SceneId};
use coldset_domain::model as m;
use coldset_domain::time::Timestamp;
use coldset_domain::ProductionState;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

impl Conv<Timestamp> for Timestamp {
    fn conv(self) -> Timestamp {
        self
    }
}

/// An instant as the domain's records keep it: milliseconds since the Unix epoch, UTC.
struct Millis;

impl JsonSchema for Millis {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Millis".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "integer", "description": "milliseconds since the Unix epoch, UTC" })
    }
}

/// Who holds an item, with their name.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HolderView {
    #[serde(rename = "type")]
    pub kind: HolderKind,
    #[schemars(with = "Id")]
    pub id: String,
    /// The person's or the location's name.
    pub name: Option<String>,
}

/// A person or a storage location.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HolderKind {
    Person,
    Storage,
}

impl HolderView {
    pub fn new(state: &ProductionState, holder: &m::Holder) -> HolderView {
        match holder {
            m::Holder::Person { person } => HolderView {
                kind: HolderKind::Person,
                id: person.to_string(),
                name: state.people.get(person).map(|p| p.name.clone()),
            },
            m::Holder::Storage { location } => HolderView {
                kind: HolderKind::Storage,
                id: location.to_string(),
                name: state.locations.get(location).map(|l| l.name.clone()),
            },
        }
    }
}

/// What is in a firearm, as declared by the armorer (R-DECL-1).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LoadState {
    Empty,
    Dummies { count: u32 },
    Blanks { count: u32, load: String },
}

impl Conv<LoadState> for m::LoadState {
    fn conv(self) -> LoadState {
        match self {
            m::LoadState::Empty => LoadState::Empty,
            m::LoadState::Dummies { count } => LoadState::Dummies { count },
            m::LoadState::Blanks { count, load } => LoadState::Blanks { count, load },
        }
    }
}

/// In service, withdrawn until repaired, or gone.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FirearmStatus {
    InService,
    Withdrawn { reason: String },
    Disposed { disposition: DispositionKind, to: Party },
}

impl Conv<FirearmStatus> for m::FirearmStatus {
    fn conv(self) -> FirearmStatus {
        match self {
            m::FirearmStatus::InService => FirearmStatus::InService,
            m::FirearmStatus::Withdrawn { reason } => FirearmStatus::Withdrawn { reason },
            m::FirearmStatus::Disposed { disposition, to } => {
                FirearmStatus::Disposed { disposition: disposition.conv(), to: to.conv() }
            }
        }
    }
}

/// What a person acknowledged about a firearm's declared load (R-CHECK-1, R-CHECK-2).
#[derive(Debug, Serialize, JsonSchema)]
pub struct Acknowledgement {
    #[schemars(with = "Id")]
    pub by: PersonId,
    #[schemars(with = "Millis")]
    pub at: Timestamp,
    /// The load declaration that was shown.
    pub load_seq: u64,
}

impl Conv<Acknowledgement> for m::Acknowledgement {
    fn conv(self) -> Acknowledgement {
        let m::Acknowledgement { by, at, load_seq } = self;
        Acknowledgement { by, at, load_seq }
    }
}

/// Rounds in a firearm and where they came from (R-AMMO-7).
#[derive(Debug, Serialize, JsonSchema)]
pub struct Issued {
    pub class: AmmoClass,
    pub count: u32,
    #[schemars(with = "Id")]
    pub container: ContainerId,
    #[schemars(with = "BTreeMap<String, u32>")]
    pub lots: BTreeMap<LotId, u32>,
}

impl Conv<Issued> for m::Issued {
    fn conv(self) -> Issued {
        let m::Issued { class, count, container, lots } = self;
        Issued { class: class.conv(), count, container, lots }
    }
}

/// The protocol's steps recorded since the firearm last left storage.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FirearmChecks {
    #[schemars(with = "Option<Id>")]
    pub scene: Option<SceneId>,
    #[schemars(with = "Option<Millis>")]
    pub pre_use_at: Option<Timestamp>,
    pub needs_post_use: bool,
    /// Handed outside the armory team since it left storage or was last collected.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_use: bool,
    pub needs_reconcile: bool,
    pub load_seq: u64,
    pub issued: Option<Issued>,
    pub demonstrated: Option<Acknowledgement>,
    pub shown: Vec<Acknowledgement>,
}

impl Conv<FirearmChecks> for m::FirearmChecks {
    fn conv(self) -> FirearmChecks {
        let m::FirearmChecks {
            scene,
            pre_use_at,
            needs_post_use,
            in_use,
            needs_reconcile,
            load_seq,
            issued,
            demonstrated,
            shown,
        } = self;
        FirearmChecks {
            scene,
            pre_use_at,
            needs_post_use,
            in_use,
            needs_reconcile,
            load_seq,
            issued: issued.conv(),
            demonstrated: demonstrated.conv(),
            shown: shown.conv(),
        }
    }
}

/// A firearm and who holds it.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Firearm")]
pub struct Firearm {
    #[schemars(with = "Id")]
    pub id: FirearmId,
    pub kind: FirearmKind,
    pub make: String,
    pub model: String,
    pub serial: String,
    pub calibre: String,
    pub condition: String,
    pub acquired_from: Party,
    pub holder: HolderView,
    pub load: LoadState,
    pub status: FirearmStatus,
    /// When it last left storage.
    #[schemars(with = "Option<Millis>")]
    pub out_since: Option<Timestamp>,
    pub checks: FirearmChecks,
    pub version: u64,
}

impl Firearm {
    pub fn new(state: &ProductionState, firearm: &m::Firearm) -> Firearm {
        let m::Firearm {
            id,
            kind,
            make,
            model,
            serial,
            calibre,
            condition,
            acquired_from,
            holder,
            load,
            status,
            out_since,
            checks,
            version,
        } = firearm.clone();
        Firearm {
            id,
            kind: kind.conv(),
            make,
            model,
            serial,
            calibre,
            condition,
            acquired_from: acquired_from.conv(),
            holder: HolderView::new(state, &holder),
            load: load.conv(),
            status: status.conv(),
            out_since,
            checks: checks.conv(),
            version,
        }
    }
}

/// A lot's state: quarantined until verified (R-AMMO-4), or rejected.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LotState {
    Quarantined {
        reason: String,
    },
    Verified {
        #[schemars(with = "Id")]
        by: PersonId,
        method: VerificationMethod,
        rounds_checked: u32,
    },
    Rejected {
        reason: String,
    },
}

impl Conv<LotState> for m::LotState {
    fn conv(self) -> LotState {
        match self {
            m::LotState::Quarantined { reason } => LotState::Quarantined { reason },
            m::LotState::Verified { by, method, rounds_checked } => {
                LotState::Verified { by, method: method.conv(), rounds_checked }
            }
            m::LotState::Rejected { reason } => LotState::Rejected { reason },
        }
    }
}

/// An ammunition lot and its provenance.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Lot")]
pub struct Lot {
    #[schemars(with = "Id")]
    pub id: LotId,
    pub class: AmmoClass,
    pub calibre: String,
    pub rounds: u32,
    pub provenance: Provenance,
    pub state: LotState,
    pub version: u64,
}

impl Conv<Lot> for m::Lot {
    fn conv(self) -> Lot {
        let m::Lot { id, class, calibre, rounds, provenance, state, version } = self;
        Lot { id, class: class.conv(), calibre, rounds, provenance: provenance.conv(), state: state.conv(), version }
    }
}

/// An ammunition container, who holds it and how many rounds it holds.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Container")]
pub struct Container {
    #[schemars(with = "Id")]
    pub id: ContainerId,
    pub label: String,
    pub class: AmmoClass,
    pub calibre: String,
    /// Rounds per lot.
    #[schemars(with = "BTreeMap<String, u32>")]
    pub contents: BTreeMap<LotId, u32>,
    pub holder: HolderView,
    pub version: u64,
    /// Rounds in all.
    pub count: u64,
}

impl Container {
    pub fn new(state: &ProductionState, container: &m::Container) -> Container {
        let count = container.count();
        let m::Container { id, label, class, calibre, contents, holder, version } = container.clone();
        Container {
            id,
            label,
            class: class.conv(),
            calibre,
            contents,
            holder: HolderView::new(state, &holder),
            version,
            count,
        }
    }
}

/// A person of the production: roles, credentials, competences.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Person")]
pub struct Person {
    #[schemars(with = "Id")]
    pub id: PersonId,
    pub name: String,
    pub roles: BTreeSet<Role>,
    pub credentials: Vec<Credential>,
    /// Weapon models (make and model) the person is trained and competent with (R-TRAIN-2).
    pub competences: BTreeSet<String>,
    /// Roles the person held on this production and no longer holds (R-ROLE-6).
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub former_roles: BTreeSet<Role>,
    pub version: u64,
}

impl Conv<Person> for m::Person {
    fn conv(self) -> Person {
        let m::Person { id, name, roles, credentials, competences, former_roles, version } = self;
        Person {
            id,
            name,
            roles: roles.conv(),
            credentials: credentials.conv(),
            competences,
            former_roles: former_roles.conv(),
            version,
        }
    }
}

/// Who opened a storage location, and when.
struct Opened;

impl JsonSchema for Opened {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Opened".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "array",
            "description": "[person, milliseconds since the Unix epoch]",
            "prefixItems": [Id::json_schema(&mut schemars::SchemaGenerator::default()), { "type": "integer" }],
            "minItems": 2,
            "maxItems": 2,
        })
    }
}

/// A storage location.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "StorageLocation")]
pub struct StorageLocation {
    #[schemars(with = "Id")]
    pub id: LocationId,
    pub name: String,
    pub kind: LocationKind,
    #[schemars(with = "BTreeSet<Id>")]
    pub authorised: BTreeSet<PersonId>,
    /// Who opened it and when; `null` while it is locked.
    #[schemars(with = "Option<Opened>")]
    pub opened: Option<(PersonId, Timestamp)>,
    pub version: u64,
}

impl Conv<StorageLocation> for m::StorageLocation {
    fn conv(self) -> StorageLocation {
        let m::StorageLocation { id, name, kind, authorised, opened, version } = self;
        StorageLocation { id, name, kind: kind.conv(), authorised, opened, version }
    }
}

/// A page of a list of `T`; `next_after` continues it (`?after=`).
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "{T}Page")]
#[allow(dead_code)] // the page is cut by `api::paginate`, which writes this shape for any list
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after: Option<String>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// The answer as the handlers wrote it before these types: the domain's record, with its
    /// holder replaced by the holder's view.
    fn before<T: Serialize>(state: &ProductionState, record: &T, holder: &m::Holder) -> Value {
        let mut v = serde_json::to_value(record).unwrap();
        let view = match holder {
            m::Holder::Person { person } => json!({
                "type": "person", "id": person, "name": state.people.get(person).map(|p| p.name.as_str()),
            }),
            m::Holder::Storage { location } => json!({
                "type": "storage", "id": location, "name": state.locations.get(location).map(|l| l.name.as_str()),
            }),
        };
        v.as_object_mut().unwrap().insert("holder".into(), view);
        v
    }

    fn after<T: Serialize>(record: &T) -> Value {
        serde_json::to_value(record).unwrap()
    }

    fn party() -> m::Party {
        m::Party { name: "Ranch Rentals".into(), licence: "FFL-1".into(), document: "inv 7".into() }
    }

    /// Every record the lists send, written by its wire type, is the JSON the domain record
    /// made before, byte for byte (object keys are sorted on the way out either way).
    #[test]
    fn records_are_written_as_before() {
        let (p5, p6, loc) = (PersonId::numbered(5), PersonId::numbered(6), LocationId::numbered(1));
        let mut state = ProductionState::default();
        let credential = m::Credential {
            kind: m::CredentialKind::SafetyCourse,
            number: "C-1".into(),
            issuer: "Guild".into(),
            expires_on: "2027-03-01".parse().unwrap(),
            covers: vec![m::FirearmKind::Replica],
        };
        let people = [
            m::Person {
                id: p5.clone(),
                name: "Alec".into(),
                roles: [m::Role::Performer].into(),
                credentials: vec![credential.clone()],
                competences: ["colt saa".to_owned()].into(),
                former_roles: [m::Role::Producer].into(),
                version: 4,
            },
            m::Person {
                id: p6.clone(),
                name: "Ada".into(),
                roles: [m::Role::Armorer, m::Role::Admin].into(),
                credentials: Vec::new(),
                competences: BTreeSet::new(),
                former_roles: BTreeSet::new(),
                version: 1,
            },
        ];
        for p in &people {
            state.people.insert(p.id.clone(), p.clone());
        }
        let locations = [
            m::StorageLocation {
                id: loc.clone(),
                name: "Armory safe".into(),
                kind: m::LocationKind::Safe,
                authorised: [p6.clone()].into(),
                opened: Some((p6.clone(), Timestamp(1_700_000_000_000))),
                version: 3,
            },
            m::StorageLocation {
                id: LocationId::numbered(2),
                name: "Cart".into(),
                kind: m::LocationKind::Cart,
                authorised: BTreeSet::new(),
                opened: None,
                version: 1,
            },
        ];
        for l in &locations {
            state.locations.insert(l.id.clone(), l.clone());
        }
        for p in &people {
            assert_eq!(after(&Conv::<Person>::conv(p.clone())), serde_json::to_value(p).unwrap());
        }
        for l in &locations {
            assert_eq!(after(&Conv::<StorageLocation>::conv(l.clone())), serde_json::to_value(l).unwrap());
        }
        let ack = |n: i64| m::Acknowledgement { by: p5.clone(), at: Timestamp(1_700_000_100_000 + n), load_seq: 9 };
        let firearms = [
            m::Firearm {
                id: FirearmId::numbered(1),
                kind: m::FirearmKind::BlankAdapted,
                make: "Colt".into(),
                model: "SAA".into(),
                serial: "S1".into(),
                calibre: ".45 Colt".into(),
                condition: "good".into(),
                acquired_from: party(),
                holder: m::Holder::Person { person: p5.clone() },
                load: m::LoadState::Blanks { count: 5, load: "quarter".into() },
                status: m::FirearmStatus::InService,
                out_since: Some(Timestamp(1_700_000_000_000)),
                checks: m::FirearmChecks {
                    scene: Some(SceneId::numbered(1)),
                    pre_use_at: Some(Timestamp(1_700_000_050_000)),
                    needs_post_use: true,
                    in_use: true,
                    needs_reconcile: true,
                    load_seq: 9,
                    issued: Some(m::Issued {
                        class: m::AmmoClass::Blank { load: "quarter".into() },
                        count: 5,
                        container: ContainerId::numbered(1),
                        lots: [(LotId::numbered(1), 5)].into(),
                    }),
                    demonstrated: Some(ack(0)),
                    shown: vec![ack(1), ack(2)],
                },
                version: 12,
            },
            m::Firearm {
                id: FirearmId::numbered(2),
                kind: m::FirearmKind::RealFiring,
                make: "Ruger".into(),
                model: "Vaquero".into(),
                serial: "S2".into(),
                calibre: ".45 Colt".into(),
                condition: "fair".into(),
                acquired_from: party(),
                holder: m::Holder::Storage { location: loc.clone() },
                load: m::LoadState::Empty,
                status: m::FirearmStatus::Disposed { disposition: m::DispositionKind::Destroyed, to: party() },
                out_since: None,
                checks: m::FirearmChecks::default(),
                version: 2,
            },
            m::Firearm {
                id: FirearmId::numbered(3),
                kind: m::FirearmKind::Replica,
                make: "Prop".into(),
                model: "Rubber".into(),
                serial: "S3".into(),
                calibre: "none".into(),
                condition: "new".into(),
                acquired_from: party(),
                holder: m::Holder::Person { person: PersonId::numbered(99) },
                load: m::LoadState::Dummies { count: 6 },
                status: m::FirearmStatus::Withdrawn { reason: "cracked".into() },
                out_since: None,
                checks: m::FirearmChecks::default(),
                version: 1,
            },
        ];
        for f in &firearms {
            assert_eq!(after(&Firearm::new(&state, f)), before(&state, f, &f.holder));
        }
        let container = m::Container {
            id: ContainerId::numbered(1),
            label: "B1".into(),
            class: m::AmmoClass::Blank { load: "quarter".into() },
            calibre: ".45 Colt".into(),
            contents: [(LotId::numbered(1), 20), (LotId::numbered(2), 4)].into(),
            holder: m::Holder::Storage { location: LocationId::numbered(2) },
            version: 5,
        };
        let mut expected = before(&state, &container, &container.holder);
        expected.as_object_mut().unwrap().insert("count".into(), json!(container.count()));
        assert_eq!(after(&Container::new(&state, &container)), expected);
        let provenance = m::Provenance {
            supplier: "Acme".into(),
            document: "D-1".into(),
            headstamp: "ACME".into(),
            previous_production: Some("Other".into()),
            mixed_source: true,
        };
        let lots = [
            m::LotState::Quarantined { reason: "new".into() },
            m::LotState::Verified { by: p6.clone(), method: m::VerificationMethod::Rattle, rounds_checked: 50 },
            m::LotState::Rejected { reason: "live round found".into() },
        ]
        .into_iter()
        .enumerate()
        .map(|(i, lot_state)| m::Lot {
            id: LotId::numbered(i as u64 + 1),
            class: if i == 0 { m::AmmoClass::Dummy } else { m::AmmoClass::Live },
            calibre: "9mm".into(),
            rounds: 50,
            provenance: m::Provenance { previous_production: None, ..provenance.clone() },
            state: lot_state,
            version: 2,
        });
        for lot in lots
            .chain([m::Lot {
                id: LotId::numbered(9),
                class: m::AmmoClass::Dummy,
                calibre: "9mm".into(),
                rounds: 1,
                provenance: provenance.clone(),
                state: m::LotState::Quarantined { reason: "r".into() },
                version: 1,
            }])
            .collect::<Vec<_>>()
        {
            assert_eq!(after(&Conv::<Lot>::conv(lot.clone())), serde_json::to_value(&lot).unwrap());
        }
    }
}

/// Where a scene is in its day.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SceneStatus {
    Planned,
    Ready,
    Called,
    Wrapped,
    NeedsReplan,
}

impl Conv<SceneStatus> for coldset_domain::safety::SceneStatus {
    fn conv(self) -> SceneStatus {
        use coldset_domain::safety::SceneStatus as S;
        match self {
            S::Planned => SceneStatus::Planned,
            S::Ready => SceneStatus::Ready,
            S::Called => SceneStatus::Called,
            S::Wrapped => SceneStatus::Wrapped,
            S::NeedsReplan => SceneStatus::NeedsReplan,
        }
    }
}

/// A scene's safety meeting (R-MEET-*).
#[derive(Debug, Serialize, JsonSchema)]
pub struct Meeting {
    /// The plan's version the meeting went through.
    pub plan_version: u32,
    pub agenda: Agenda,
    #[schemars(with = "BTreeSet<Id>")]
    pub attendees: BTreeSet<PersonId>,
    #[schemars(with = "Millis")]
    pub held_at: Timestamp,
    /// The production's local date it was held on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<super::Day>")]
    pub day: Option<coldset_domain::time::Date>,
    #[schemars(with = "Option<Id>")]
    pub armorer_sign_off: Option<PersonId>,
    #[schemars(with = "Option<Id>")]
    pub ad_sign_off: Option<PersonId>,
}

impl Conv<Meeting> for coldset_domain::safety::Meeting {
    fn conv(self) -> Meeting {
        let coldset_domain::safety::Meeting {
            plan_version,
            agenda,
            attendees,
            held_at,
            day,
            armorer_sign_off,
            ad_sign_off,
        } = self;
        Meeting { plan_version, agenda: agenda.conv(), attendees, held_at, day, armorer_sign_off, ad_sign_off }
    }
}

/// A scene, its plan and where it is in its day.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Scene")]
pub struct Scene {
    #[schemars(with = "Id")]
    pub id: SceneId,
    pub number: String,
    pub description: String,
    #[schemars(with = "super::Day")]
    pub day: coldset_domain::time::Date,
    pub plan: ScenePlan,
    pub plan_version: u32,
    /// Who approved the current plan, by role.
    #[schemars(with = "BTreeMap<String, Id>")]
    pub approvals: BTreeMap<String, PersonId>,
    pub meeting: Option<Meeting>,
    pub status: SceneStatus,
    /// Performers who declined a real firearm for it.
    #[schemars(with = "BTreeSet<Id>")]
    pub declined_by: BTreeSet<PersonId>,
    pub version: u64,
}

impl Conv<Scene> for coldset_domain::safety::Scene {
    fn conv(self) -> Scene {
        let coldset_domain::safety::Scene {
            id,
            number,
            description,
            day,
            plan,
            plan_version,
            approvals,
            meeting,
            status,
            declined_by,
            version,
        } = self;
        Scene {
            id,
            number,
            description,
            day,
            plan: plan.conv(),
            plan_version,
            approvals,
            meeting: meeting.conv(),
            status: status.conv(),
            declined_by,
            version,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod scene_tests {
    use super::*;
    use coldset_domain::safety as s;

    /// A scene, written by its wire type, is the JSON the domain's scene made before.
    #[test]
    fn scenes_are_written_as_before() {
        let plan = s::ScenePlan {
            kind: s::SceneKind::Take,
            items: vec![s::PlanItem {
                firearm: FirearmId::numbered(1),
                performer: PersonId::numbered(5),
                load: s::PlannedLoad::Blanks { load: "quarter".into() },
                real_firearm_reason: Some("close-up".into()),
                toward_person: true,
                toward_camera: false,
                armorer_consulted: true,
                mitigations: vec![s::Mitigation::Distance],
                camera_protection: Some(s::CameraProtection::Shield),
                closest_person_cm: Some(500),
                close_range_load_approved: false,
            }],
            call_list: [PersonId::numbered(5)].into(),
            line_of_fire: BTreeSet::new(),
            protection: vec![s::Protection { person: PersonId::numbered(6), shield: false, eye: true, hearing: true }],
            risk_assessment: "RA".into(),
        };
        let meeting = |day| s::Meeting {
            plan_version: 2,
            agenda: s::Agenda {
                intended_action: "a".into(),
                deviations: "b".into(),
                abort_plan: "c".into(),
                emergency_procedure: "d".into(),
                chain_of_command: "e".into(),
            },
            attendees: [PersonId::numbered(5), PersonId::numbered(6)].into(),
            held_at: Timestamp(1_700_000_000_000),
            day,
            armorer_sign_off: Some(PersonId::numbered(6)),
            ad_sign_off: None,
        };
        let statuses = [s::SceneStatus::Planned, s::SceneStatus::Called, s::SceneStatus::NeedsReplan];
        let meetings = [None, Some(meeting(None)), Some(meeting(Some("2026-12-07".parse().unwrap())))];
        for (status, meeting) in statuses.into_iter().zip(meetings) {
            let scene = s::Scene {
                id: SceneId::numbered(1),
                number: "12A".into(),
                description: "saloon".into(),
                day: "2026-12-07".parse().unwrap(),
                plan: plan.clone(),
                plan_version: 2,
                approvals: [("armorer".to_owned(), PersonId::numbered(6))].into(),
                meeting,
                status,
                declined_by: [PersonId::numbered(7)].into(),
                version: 8,
            };
            let wire: Scene = scene.clone().conv();
            assert_eq!(serde_json::to_value(&wire).unwrap(), serde_json::to_value(&scene).unwrap());
        }
    }
}
