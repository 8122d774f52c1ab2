//! The domain's vocabulary as the API writes it: the value types commands carry (roles,
//! kinds, a credential, a scene's plan...), each mirrored with the serde attributes of its
//! domain type, so it parses exactly the JSON the domain type parses. The macros write the
//! two conversions with exhaustive matches and patterns: a variant or field the domain
//! gains, loses or renames stops the build here.

use super::{Conv, Day, Id};
use coldset_domain::ids::{FirearmId, PersonId, SceneId};
use coldset_domain::{model, reporting, safety};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A set of names, each written as one string (the domain's `text_enum!` and `snake_enum!`).
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident = $dm:ident :: $d:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        $(#[$m])*
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)+
        }

        impl Conv<$dm::$d> for $name {
            fn conv(self) -> $dm::$d {
                match self {
                    $($name::$variant => $dm::$d::$variant,)+
                }
            }
        }

        impl Conv<$name> for $dm::$d {
            fn conv(self) -> $name {
                match self {
                    $($dm::$d::$variant => $name::$variant,)+
                }
            }
        }
    };
}

/// A record of named fields.
macro_rules! wire_struct {
    ($(#[$m:meta])* $name:ident = $dm:ident :: $d:ident { $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)? }) => {
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
        $(#[$m])*
        pub struct $name {
            $($(#[$fm])* pub $f: $t,)*
        }

        impl Conv<$dm::$d> for $name {
            fn conv(self) -> $dm::$d {
                let $name { $($f),* } = self;
                $dm::$d { $($f: $f.conv()),* }
            }
        }

        impl Conv<$name> for $dm::$d {
            fn conv(self) -> $name {
                let $dm::$d { $($f),* } = self;
                $name { $($f: $f.conv()),* }
            }
        }
    };
}

/// An enum of variants with or without fields, tagged inside the object (`#[serde(tag)]`,
/// given with the other container attributes). Also used for the commands (command.rs).
macro_rules! wire_tagged {
    ($(#[$m:meta])* $name:ident = $dm:ident :: $d:ident {
        $($(#[$vm:meta])* $v:ident $({ $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)? })?),+ $(,)?
    }) => {
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
        $(#[$m])*
        pub enum $name {
            $($(#[$vm])* $v $({ $($(#[$fm])* $f: $t,)* })?,)+
        }

        impl Conv<$dm::$d> for $name {
            fn conv(self) -> $dm::$d {
                match self {
                    $($name::$v $({ $($f),* })? => $dm::$d::$v $({ $($f: $f.conv()),* })?,)+
                }
            }
        }

        impl Conv<$name> for $dm::$d {
            fn conv(self) -> $name {
                match self {
                    $($dm::$d::$v $({ $($f),* })? => $name::$v $({ $($f: $f.conv()),* })?,)+
                }
            }
        }
    };
}

pub(crate) use wire_tagged;

wire_enum!(
    /// A person's role on a production.
    Role = model::Role {
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

wire_enum!(
    /// What kind of weapon a firearm record is.
    FirearmKind = model::FirearmKind {
        RealFiring => "real_firing",
        BlankAdapted => "blank_adapted",
        Replica => "replica",
        RubberTraining => "rubber_training",
    }
);

wire_enum!(
    /// A licence, a permit, a certification or a safety course.
    CredentialKind = model::CredentialKind {
        Licence => "licence",
        Permit => "permit",
        Certification => "certification",
        SafetyCourse => "safety_course",
    }
);

wire_enum!(
    /// A storage location's kind; live rounds are kept only in a range (R-AMMO-1).
    LocationKind = model::LocationKind { Safe => "safe", Cart => "cart", Truck => "truck", Range => "range" }
);

wire_enum!(
    /// The documented exceptions to R-AMMO-1 under which live rounds may be held.
    LiveExceptionKind = model::LiveExceptionKind {
        RangeTraining => "range_training",
        PostProductionSound => "post_production_sound",
        Documentary => "documentary",
        ControlledFacility => "controlled_facility",
    }
);

wire_enum!(
    /// How a dummy round was verified (R-AMMO-2).
    VerificationMethod = model::VerificationMethod {
        Rattle => "rattle",
        NoPrimer => "no_primer",
        StruckPrimer => "struck_primer",
        DrilledCase => "drilled_case",
        BlankInspection => "blank_inspection",
    }
);

wire_enum!(
    /// How a firearm left the production.
    DispositionKind = model::DispositionKind {
        ReturnedToRentalHouse => "returned_to_rental_house",
        Transferred => "transferred",
        Destroyed => "destroyed",
    }
);

wire_enum!(
    /// Before or after use.
    InspectionStage = safety::InspectionStage { PreUse => "pre_use", PostUse => "post_use" }
);

wire_enum!(
    /// A setup, a rehearsal or a take.
    SceneKind = safety::SceneKind { Setup => "setup", Rehearsal => "rehearsal", Take => "take" }
);

wire_enum!(
    /// What keeps a shot safe when a firearm points toward someone (R-PLAN-*).
    Mitigation = safety::Mitigation {
        CheatedAngle => "cheated_angle",
        Shield => "shield",
        Distance => "distance",
        RemoteCamera => "remote_camera",
        Replica => "replica",
    }
);

wire_enum!(
    /// How the camera operator is protected when a firearm points toward the camera.
    CameraProtection = safety::CameraProtection { Shield => "shield", RemoteCamera => "remote_camera" }
);

wire_enum!(
    /// Who is told before firearms are used (R-NOTIF-1).
    Authority = reporting::Authority { StudioSafetyOffice => "studio_safety_office", LocalPolice => "local_police" }
);

wire_enum!(
    /// The kinds of notification a production sends to people of its choosing.
    NotificationKind = reporting::NotificationKind {
        CriticalReport => "critical_report",
        Report => "report",
        Incident => "incident",
        Hold => "hold",
        OverdueFirearm => "overdue_firearm",
        Alert => "alert",
    }
);

wire_enum!(
    /// How serious a safety report is.
    Severity = reporting::Severity { Information => "information", Concern => "concern", Critical => "critical" }
);

wire_enum!(
    /// How badly someone was hurt.
    InjurySeverity = reporting::InjurySeverity {
        Death => "death",
        Hospitalisation => "hospitalisation",
        Amputation => "amputation",
        LossOfEye => "loss_of_eye",
        Minor => "minor",
    }
);

wire_struct!(
    /// A licence, permit or certification on file for a person (R-ROLE-2, R-TRAIN-1, R-REC-4).
    Credential = model::Credential {
        kind: CredentialKind,
        number: String,
        issuer: String,
        #[schemars(with = "Day")]
        expires_on: coldset_domain::time::Date,
        covers: Vec<FirearmKind>,
    }
);

wire_struct!(
    /// Where a firearm came from or went to (R-REC-3).
    Party = model::Party { name: String, licence: String, document: String }
);

wire_struct!(
    /// Where a lot came from (R-AMMO-4).
    Provenance = model::Provenance {
        supplier: String,
        document: String,
        headstamp: String,
        /// Set when the stock was left over from another production.
        previous_production: Option<String>,
        /// Set when the stock came from more than one source.
        mixed_source: bool,
    }
);

wire_tagged!(
    /// A round's class; blanks of each load size are a class of their own.
    #[serde(tag = "class", rename_all = "snake_case")]
    AmmoClass = model::AmmoClass {
        Dummy,
        Blank { load: String },
        Live,
    }
);

wire_tagged!(
    /// The load a scene's plan calls for.
    #[serde(tag = "kind", rename_all = "snake_case")]
    PlannedLoad = safety::PlannedLoad {
        Empty,
        Dummies,
        Blanks { load: String },
    }
);

wire_struct!(
    /// Protection worn by a person in the line of fire.
    Protection = safety::Protection {
        #[schemars(with = "Id")]
        person: PersonId,
        shield: bool,
        eye: bool,
        hearing: bool,
    }
);

wire_struct!(
    /// One firearm of a scene's plan: who uses it, loaded with what, pointing where.
    PlanItem = safety::PlanItem {
        #[schemars(with = "Id")]
        firearm: FirearmId,
        #[schemars(with = "Id")]
        performer: PersonId,
        load: PlannedLoad,
        #[serde(default)]
        real_firearm_reason: Option<String>,
        #[serde(default)]
        toward_person: bool,
        #[serde(default)]
        toward_camera: bool,
        #[serde(default)]
        armorer_consulted: bool,
        #[serde(default)]
        mitigations: Vec<Mitigation>,
        #[serde(default)]
        camera_protection: Option<CameraProtection>,
        #[serde(default)]
        closest_person_cm: Option<u32>,
        #[serde(default)]
        close_range_load_approved: bool,
    }
);

wire_struct!(
    /// A scene's safety plan; any change makes a new version (R-MEET-3).
    ScenePlan = safety::ScenePlan {
        kind: SceneKind,
        items: Vec<PlanItem>,
        #[serde(default)]
        #[schemars(with = "BTreeSet<Id>")]
        call_list: BTreeSet<PersonId>,
        #[serde(default)]
        #[schemars(with = "BTreeSet<Id>")]
        line_of_fire: BTreeSet<PersonId>,
        #[serde(default)]
        protection: Vec<Protection>,
        risk_assessment: String,
    }
);

wire_struct!(
    /// The agenda of a safety meeting (R-MEET-2).
    Agenda = safety::Agenda {
        intended_action: String,
        deviations: String,
        abort_plan: String,
        emergency_procedure: String,
        chain_of_command: String,
    }
);

wire_struct!(
    /// The call sheet of a shoot day (R-MEET-4, R-MED-1, R-ROLE-5).
    CallSheet = safety::CallSheet {
        safety_bulletin_attached: bool,
        compliance_contact_shown: bool,
        #[serde(default)]
        medics: Vec<String>,
    }
);

wire_tagged!(
    /// What a hold stops: one scene, or all firearm work.
    #[serde(tag = "scope", rename_all = "snake_case")]
    HoldScope = safety::HoldScope {
        Scene {
            #[schemars(with = "Id")]
            scene: SceneId
        },
        AllFirearmWork,
    }
);

wire_tagged!(
    /// What happened (R-INC-*, R-MISF-*).
    #[serde(tag = "kind", rename_all = "snake_case")]
    IncidentKind = reporting::IncidentKind {
        Misfire,
        HangFire,
        UnintendedDischarge,
        Injury { severity: InjurySeverity },
        LostRound,
        LostFirearm,
        CountVariance,
    }
);
