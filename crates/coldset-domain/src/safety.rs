//! The records of the safety protocol: scene plans and their versions, meetings, the shoot
//! day with its counts, holds, alerts, overrides and round discrepancies. Types only; the
//! rules over them are in the area modules (scene.rs, firearm.rs, ammunition.rs) and gate.rs.

use crate::ids::*;
use crate::model::AmmoClass;
// Kept in model.rs with the firearm they belong to; still named here for older paths.
pub use crate::model::{Acknowledgement, FirearmChecks, Issued};
use crate::rules::RuleId;
use crate::time::{Date, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

macro_rules! snake_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant,)+ }
    };
}

snake_enum!(
    /// Before a firing sequence, or after it (R-HAND-4).
    InspectionStage { PreUse, PostUse }
);

snake_enum!(
    /// What kind of work the scene is (R-REH-1 treats rehearsals specially).
    SceneKind { Setup, Rehearsal, Take }
);

snake_enum!(
    /// A mitigation recorded when a muzzle points toward a person or the camera (R-AIM-1).
    Mitigation { CheatedAngle, Shield, Distance, RemoteCamera, Replica }
);

snake_enum!(
    /// How the camera crew is protected when firing toward camera (R-CAM-1).
    CameraProtection { Shield, RemoteCamera }
);

/// What a firearm is planned to hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlannedLoad {
    Empty,
    Dummies,
    Blanks { load: String },
}

/// Protection recorded for a person near blank fire (R-DIST-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protection {
    pub person: PersonId,
    pub shield: bool,
    pub eye: bool,
    pub hearing: bool,
}

/// One firearm in a scene plan, who holds it, and how it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    pub firearm: FirearmId,
    pub performer: PersonId,
    pub load: PlannedLoad,
    /// R-REH-1: why a real firearm is needed in a rehearsal.
    #[serde(default)]
    pub real_firearm_reason: Option<String>,
    /// R-AIM-1: the muzzle points toward a person (self included).
    #[serde(default)]
    pub toward_person: bool,
    /// R-AIM-1 / R-CAM-1: the muzzle points toward the camera position.
    #[serde(default)]
    pub toward_camera: bool,
    /// R-AIM-1: the armorer was consulted about the aiming.
    #[serde(default)]
    pub armorer_consulted: bool,
    #[serde(default)]
    pub mitigations: Vec<Mitigation>,
    #[serde(default)]
    pub camera_protection: Option<CameraProtection>,
    /// R-DIST-1: closest person to the muzzle line, in centimetres.
    #[serde(default)]
    pub closest_person_cm: Option<u32>,
    /// R-DIST-1: a special close-range load approved in the plan.
    #[serde(default)]
    pub close_range_load_approved: bool,
}

/// A scene's safety plan. Any change makes a new version (R-MEET-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenePlan {
    pub kind: SceneKind,
    pub items: Vec<PlanItem>,
    /// Everyone on the call list of the scene (R-TRAIN-1 crew near firearms).
    #[serde(default)]
    pub call_list: BTreeSet<PersonId>,
    /// People in the line of fire, who are shown the weapon's state (R-CHECK-2).
    #[serde(default)]
    pub line_of_fire: BTreeSet<PersonId>,
    /// People near blank fire and their protection (R-DIST-2).
    #[serde(default)]
    pub protection: Vec<Protection>,
    /// R-REC-1: the written risk assessment and safe working procedure.
    pub risk_assessment: String,
}

impl ScenePlan {
    pub fn item(&self, firearm: &FirearmId) -> Option<&PlanItem> {
        self.items.iter().find(|i| &i.firearm == firearm)
    }

    pub fn uses_blanks(&self) -> bool {
        self.items.iter().any(|i| matches!(i.load, PlannedLoad::Blanks { .. }))
    }
}

/// The agenda of a safety meeting (R-MEET-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agenda {
    pub intended_action: String,
    pub deviations: String,
    pub abort_plan: String,
    pub emergency_procedure: String,
    pub chain_of_command: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// The plan version the meeting covered.
    pub plan_version: u32,
    pub agenda: Agenda,
    pub attendees: BTreeSet<PersonId>,
    pub held_at: Timestamp,
    /// The shoot day that was open when the meeting was held (R-MEET-1), if one was.
    /// (Left out of the record when absent, so rows from before it was kept are unchanged.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<Date>,
    pub armorer_sign_off: Option<PersonId>,
    pub ad_sign_off: Option<PersonId>,
}

impl Meeting {
    pub fn signed_off(&self) -> bool {
        self.armorer_sign_off.is_some() && self.ad_sign_off.is_some()
    }
}

snake_enum!(SceneStatus {
    /// Being planned or approved.
    Planned,
    /// The armorer's inspections are done (R-STAFF-2).
    Ready,
    /// Called by the 1st AD: firearm work may happen.
    Called,
    /// Cut: firearms are back with the armorer.
    Wrapped,
    /// Someone declined to handle a firearm: replan first (R-TRAIN-3).
    NeedsReplan,
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scene {
    pub id: SceneId,
    pub number: String,
    pub description: String,
    pub day: Date,
    pub plan: ScenePlan,
    pub plan_version: u32,
    /// Who approved the current version, by role ("armorer", "first_ad", "safety_advisor").
    pub approvals: BTreeMap<String, PersonId>,
    pub meeting: Option<Meeting>,
    pub status: SceneStatus,
    pub declined_by: BTreeSet<PersonId>,
    pub version: u64,
}

impl Scene {
    /// Whether a meeting signed off by armorer and AD covered the current plan version.
    pub fn meeting_current(&self) -> bool {
        self.meeting.as_ref().is_some_and(|m| m.signed_off() && m.plan_version == self.plan_version)
    }

    /// R-MEET-1: the meeting was held on the scene's shoot day. A shoot day runs from the
    /// armorer's day-open to day-close and is dated in the production's time zone (a night
    /// shoot that crosses midnight is still one day), so a meeting held during an earlier
    /// day, or while no day was open, never counts.
    pub fn meeting_held_on_its_day(&self) -> bool {
        self.meeting.as_ref().is_some_and(|m| m.day == Some(self.day))
    }

    /// The people a safety meeting must cover: each performer the plan gives a firearm and
    /// everyone in the line of fire.
    pub fn people_concerned(&self) -> BTreeSet<PersonId> {
        let mut people: BTreeSet<PersonId> = self.plan.items.iter().map(|i| i.performer.clone()).collect();
        people.extend(self.plan.line_of_fire.iter().cloned());
        people
    }
}

/// One line of a count (R-STORE-4): what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountLine {
    pub item: String,
    pub expected: u64,
    pub counted: u64,
}

/// The call sheet of a shoot day (R-MEET-4, R-MED-1, R-ROLE-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallSheet {
    pub safety_bulletin_attached: bool,
    pub compliance_contact_shown: bool,
    #[serde(default)]
    pub medics: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShootDay {
    pub date: Date,
    pub opened_by: PersonId,
    pub opened_at: Timestamp,
    pub call_sheet: CallSheet,
    /// Assistant armorers working under the armorer's recorded supervision (R-HAND-1).
    pub supervised: BTreeSet<PersonId>,
    /// Every role each person held at any time since the day was opened (R-ROLE-3, R-ROLE-6:
    /// separation of duties is judged over the day, not only over the roles held now).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles_held: BTreeMap<PersonId, BTreeSet<crate::model::Role>>,
}

/// A visible alert (ALERT rules): recorded in the log, open until resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: u64,
    pub rule: RuleId,
    pub message: String,
    pub raised_at: Timestamp,
    pub resolved: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum HoldScope {
    Scene { scene: SceneId },
    AllFirearmWork,
}

/// A hold placed by the armorer or the safety advisor (R-ROLE-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub id: u64,
    pub scope: HoldScope,
    pub placed_by: PersonId,
    pub reason: String,
    pub placed_at: Timestamp,
}

/// A recorded override of an overridable rule, for one firearm in one scene.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub id: u64,
    pub rule: RuleId,
    pub firearm: FirearmId,
    pub scene: SceneId,
    pub by: PersonId,
    pub reason: String,
    pub at: Timestamp,
}

/// Rounds that did not reconcile (R-AMMO-7): issue of the class is held until explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discrepancy {
    pub class: AmmoClass,
    pub firearm: FirearmId,
    pub issued: u32,
    pub fired: u32,
    pub returned: u32,
    pub found_at: Timestamp,
}

/// An approved exception to R-AMMO-1: live rounds may be received, only into its range
/// location, between its dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveException {
    pub id: u64,
    pub kind: crate::model::LiveExceptionKind,
    pub range: LocationId,
    pub medic: String,
    pub from: Date,
    pub until: Date,
    pub reference: String,
    pub approved_by: PersonId,
}

impl LiveException {
    pub fn in_force_on(&self, day: Date) -> bool {
        self.from <= day && day <= self.until
    }
}

/// The production-wide safety state, one projection row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafetyState {
    pub day: Option<ShootDay>,
    pub holds: BTreeMap<u64, Hold>,
    pub alerts: BTreeMap<u64, Alert>,
    pub overrides: BTreeMap<u64, Override>,
    /// Open discrepancies, by class.
    pub discrepancies: Vec<Discrepancy>,
    /// Approved R-AMMO-1 exceptions, by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub live_exceptions: BTreeMap<u64, LiveException>,
    pub version: u64,
}
