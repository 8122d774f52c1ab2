//! The records a production keeps: people and their credentials, firearms, ammunition lots,
//! containers and storage locations. These are the current state; how they got there is the
//! event log (events.rs).

use crate::ids::*;
use crate::time::{Date, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text,)+ } }
            pub fn parse(text: &str) -> Result<Self, String> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "'{}' is not a valid {}: use one of {}",
                        text,
                        stringify!($name),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

text_enum!(
    /// A person's role on a production. A person may hold several (which some rules forbid).
    Role {
        Armorer => "armorer",
        AssistantArmorer => "assistant_armorer",
        PropertyMaster => "property_master",
        FirstAd => "first_ad",
        SafetyAdvisor => "safety_advisor",
        Performer => "performer",
        Crew => "crew",
        Producer => "producer",
        Auditor => "auditor",
        Admin => "admin",
    }
);

text_enum!(
    /// What kind of weapon a firearm record is.
    FirearmKind {
        RealFiring => "real_firing",
        BlankAdapted => "blank_adapted",
        Replica => "replica",
        RubberTraining => "rubber_training",
    }
);

impl Firearm {
    /// The weapon model, as competence is recorded against it (R-TRAIN-2).
    pub fn model_key(&self) -> String {
        model_key(&self.make, &self.model)
    }
}

/// Normalised "make model" text.
pub fn model_key(make: &str, model: &str) -> String {
    format!("{} {}", make.trim(), model.trim()).to_lowercase()
}

/// Whether two calibre designations name the same cartridge (R-AMMO-8): compared without
/// regard to letter case or spacing (".45 Colt" is ".45 colt" is ".45  Colt"), never more
/// loosely: ".44-40" and ".44 Magnum" differ, and so do ".45 Colt" and ".45 ACP".
pub fn same_calibre(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    norm(a) == norm(b)
}

impl FirearmKind {
    /// Whether it can fire anything: only these need licences and load checks.
    pub fn can_fire(self) -> bool {
        matches!(self, FirearmKind::RealFiring | FirearmKind::BlankAdapted)
    }
}

text_enum!(
    CredentialKind {
        Licence => "licence",
        Permit => "permit",
        Certification => "certification",
        SafetyCourse => "safety_course",
    }
);

text_enum!(
    /// A storage location. A range is the only place live rounds may be kept, under an
    /// approved R-AMMO-1 exception; it is never a set location.
    LocationKind { Safe => "safe", Cart => "cart", Truck => "truck", Range => "range" }
);

text_enum!(
    /// The documented exceptions to R-AMMO-1 under which live rounds may be held.
    LiveExceptionKind {
        RangeTraining => "range_training",
        PostProductionSound => "post_production_sound",
        Documentary => "documentary",
        ControlledFacility => "controlled_facility",
    }
);

text_enum!(
    /// How a dummy round was verified (R-AMMO-2).
    VerificationMethod {
        Rattle => "rattle",
        NoPrimer => "no_primer",
        StruckPrimer => "struck_primer",
        DrilledCase => "drilled_case",
        BlankInspection => "blank_inspection",
    }
);

/// A round's class. Blanks of different load sizes are different classes: a container of
/// quarter-load blanks must never receive a full-load blank.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "class", rename_all = "snake_case")]
pub enum AmmoClass {
    Dummy,
    Blank { load: String },
    Live,
}

impl AmmoClass {
    pub fn parse(class: &str, load: Option<&str>) -> Result<AmmoClass, String> {
        match (class, load.map(str::trim).filter(|l| !l.is_empty())) {
            ("dummy", None) => Ok(AmmoClass::Dummy),
            ("live", None) => Ok(AmmoClass::Live),
            ("blank", Some(load)) if load.len() <= 40 => Ok(AmmoClass::Blank { load: load.to_owned() }),
            ("blank", None) => Err("a blank needs its load size (e.g. 'quarter', 'half', 'full')".into()),
            ("dummy" | "live", Some(_)) => Err("only blanks have a load size".into()),
            _ => Err(format!("'{class}' is not an ammunition class: use dummy, blank or live")),
        }
    }
}

impl fmt::Display for AmmoClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmmoClass::Dummy => f.write_str("dummy"),
            AmmoClass::Blank { load } => write!(f, "blank ({load} load)"),
            AmmoClass::Live => f.write_str("LIVE"),
        }
    }
}

/// A licence, permit or certification on file for a person (R-ROLE-2, R-TRAIN-1, R-REC-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub kind: CredentialKind,
    pub number: String,
    pub issuer: String,
    pub expires_on: Date,
    pub covers: Vec<FirearmKind>,
}

impl Credential {
    pub fn in_date_on(&self, day: Date) -> bool {
        day <= self.expires_on
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub roles: BTreeSet<Role>,
    pub credentials: Vec<Credential>,
    /// Weapon models (make and model) the armorer recorded this person as trained and
    /// competent with (R-TRAIN-2).
    pub competences: BTreeSet<String>,
    /// Roles the person held on this production and no longer holds (R-ROLE-6: someone who
    /// was ever the producer is never the independent safety advisor).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub former_roles: BTreeSet<Role>,
    pub version: u64,
}

impl Person {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_armorer_side(&self) -> bool {
        self.has_role(Role::Armorer) || self.has_role(Role::AssistantArmorer)
    }

    /// An in-date firearms safety course (R-TRAIN-1).
    pub fn safety_trained(&self, day: Date) -> bool {
        self.credentials.iter().any(|c| c.kind == CredentialKind::SafetyCourse && c.in_date_on(day))
    }

    /// Roles outside the armory department (R-ROLE-3: an armorer holds none of them).
    pub fn other_department_roles(&self) -> Vec<Role> {
        self.roles
            .iter()
            .copied()
            .filter(|r| !matches!(r, Role::Armorer | Role::AssistantArmorer | Role::Admin | Role::Auditor))
            .collect()
    }

    /// A licence, permit or certification that covers `kind` and is in date on `day`.
    pub fn licensed_for(&self, kind: FirearmKind, day: Date) -> bool {
        self.credentials
            .iter()
            .any(|c| c.kind != CredentialKind::SafetyCourse && c.covers.contains(&kind) && c.in_date_on(day))
    }
}

/// Who holds an item right now: exactly one of these, always (R-ROLE-1).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "holder", rename_all = "snake_case")]
pub enum Holder {
    Storage { location: LocationId },
    Person { person: PersonId },
}

impl Holder {
    pub fn person(&self) -> Option<&PersonId> {
        match self {
            Holder::Person { person } => Some(person),
            Holder::Storage { .. } => None,
        }
    }
}

/// What is in a firearm, as declared by the armorer (R-DECL-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LoadState {
    Empty,
    Dummies { count: u32 },
    Blanks { count: u32, load: String },
}

/// Where a firearm came from or went to (R-REC-3, bound-book style).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub licence: String,
    pub document: String,
}

text_enum!(
    DispositionKind {
        ReturnedToRentalHouse => "returned_to_rental_house",
        Transferred => "transferred",
        Destroyed => "destroyed",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FirearmStatus {
    /// In service: in storage or with a person.
    InService,
    /// Withdrawn as faulty (R-HAND-5) until a repair is recorded.
    Withdrawn { reason: String },
    /// Left the production: nothing more can happen to it.
    Disposed { disposition: DispositionKind, to: Party },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Firearm {
    pub id: FirearmId,
    pub kind: FirearmKind,
    pub make: String,
    pub model: String,
    pub serial: String,
    pub calibre: String,
    pub condition: String,
    pub acquired_from: Party,
    pub holder: Holder,
    pub load: LoadState,
    pub status: FirearmStatus,
    /// When it last left storage (for R-HAND-3 time-outs and the weapon register).
    pub out_since: Option<Timestamp>,
    /// The protocol steps recorded since it last left storage.
    pub checks: FirearmChecks,
    pub version: u64,
}

text_enum!(
    LotStateKind { Quarantined => "quarantined", Verified => "verified", Rejected => "rejected" }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LotState {
    Quarantined { reason: String },
    Verified { by: PersonId, method: VerificationMethod, rounds_checked: u32 },
    Rejected { reason: String },
}

impl LotState {
    pub fn kind(&self) -> LotStateKind {
        match self {
            LotState::Quarantined { .. } => LotStateKind::Quarantined,
            LotState::Verified { .. } => LotStateKind::Verified,
            LotState::Rejected { .. } => LotStateKind::Rejected,
        }
    }
}

/// Provenance of a lot (R-AMMO-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub supplier: String,
    pub document: String,
    pub headstamp: String,
    /// Set when the stock was left over from another production.
    pub previous_production: Option<String>,
    /// Set when the stock came from more than one source.
    pub mixed_source: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lot {
    pub id: LotId,
    pub class: AmmoClass,
    pub calibre: String,
    pub rounds: u32,
    pub provenance: Provenance,
    pub state: LotState,
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Container {
    pub id: ContainerId,
    pub label: String,
    pub class: AmmoClass,
    pub calibre: String,
    /// Rounds per lot, so provenance survives moves between containers.
    pub contents: BTreeMap<LotId, u32>,
    pub holder: Holder,
    pub version: u64,
}

impl Container {
    pub fn count(&self) -> u64 {
        self.contents.values().map(|n| u64::from(*n)).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageLocation {
    pub id: LocationId,
    pub name: String,
    pub kind: LocationKind,
    pub authorised: BTreeSet<PersonId>,
    /// Who opened it and when; `None` while it is locked.
    pub opened: Option<(PersonId, Timestamp)>,
    pub version: u64,
}

/// What a person acknowledged about a firearm's declared load (R-CHECK-1, R-CHECK-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub by: PersonId,
    pub at: Timestamp,
    /// The sequence number of the load declaration that was shown.
    pub load_seq: u64,
}

/// Rounds in a firearm and where they came from, for reconciliation (R-AMMO-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issued {
    pub class: AmmoClass,
    pub count: u32,
    pub container: ContainerId,
    pub lots: BTreeMap<LotId, u32>,
}

/// The per-firearm record of the steps of the protocol since it last left storage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirearmChecks {
    /// The scene it was taken out for (R-STORE-1, R-HAND-6).
    pub scene: Option<SceneId>,
    pub pre_use_at: Option<Timestamp>,
    pub needs_post_use: bool,
    /// Handed to someone outside the armory team since it left storage or was last
    /// collected: collecting it ends a firing sequence (R-HAND-4, R-AMMO-7). A firearm that
    /// only passed within the armory (an assistant's supervised load handed back) was never
    /// fired, and collecting it ends nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_use: bool,
    /// Collected with rounds in it: the sequence's rounds must be reconciled (R-AMMO-7)
    /// before it goes out again.
    #[serde(default)]
    pub needs_reconcile: bool,
    pub load_seq: u64,
    pub issued: Option<Issued>,
    pub demonstrated: Option<Acknowledgement>,
    /// Everyone shown the current state (the performer, crew in the line of fire), one
    /// acknowledgement per person.
    pub shown: Vec<Acknowledgement>,
}
