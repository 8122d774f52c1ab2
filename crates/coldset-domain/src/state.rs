//! A production's current state, built only by applying its events in order
//! (`ProductionState::apply`, apply.rs, which hands each event to its area). The same `apply`
//! serves the writer (after each command), start-up (replaying the log) and the verifier
//! (rebuilding projections to compare them with the database).

use crate::ids::*;
use crate::model::*;
use crate::safety::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductionInfo {
    pub id: ProductionId,
    pub name: String,
    pub time_zone: String,
    pub packs: Vec<String>,
    pub compliance_contact: String,
    pub approved_suppliers: BTreeSet<String>,
    /// Roles that must sign in with a one-time code (TOTP) to work on this production.
    #[serde(default)]
    pub second_factor_roles: BTreeSet<Role>,
    pub version: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductionState {
    pub info: Option<ProductionInfo>,
    pub people: BTreeMap<PersonId, Person>,
    pub firearms: BTreeMap<FirearmId, Firearm>,
    pub lots: BTreeMap<LotId, Lot>,
    pub containers: BTreeMap<ContainerId, Container>,
    pub locations: BTreeMap<LocationId, StorageLocation>,
    pub scenes: BTreeMap<SceneId, Scene>,
    pub safety: SafetyState,
    pub reporting: crate::reporting::Reporting,
    /// Sequence number of the last applied event; `None` for an empty log.
    pub last_seq: Option<u64>,
    /// For each person, the sequence number of the record in force for each of their
    /// credentials (same order as `Person::credentials`): the `credential.recorded` event, or
    /// its latest `credential.corrected`. A correction names one of these (R-REC-6). Kept here,
    /// not in the person's projection row, so rows written before corrections existed keep
    /// their bytes.
    pub credential_records: BTreeMap<PersonId, Vec<u64>>,
    /// For each firearm, the sequence number of its details in force (`firearm.received`, or
    /// its latest `firearm.details_corrected`): what a correction names (R-REC-6).
    pub firearm_records: BTreeMap<FirearmId, u64>,
    /// Firearms by serial (ASCII case folded), disposed ones included, kept by `apply`: the
    /// duplicate-serial check (R-STORE-5) looks a serial up here instead of reading every
    /// firearm, which made taking in 10,000 firearms quadratic (an import, issue #18).
    serials: BTreeMap<String, Vec<FirearmId>>,
}

/// A record the projections hold, addressed by kind and id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntityRef {
    Production,
    Person(PersonId),
    Firearm(FirearmId),
    Lot(LotId),
    Container(ContainerId),
    Location(LocationId),
    Scene(SceneId),
    /// The production-wide safety state: shoot day, holds, alerts, overrides.
    Safety,
    /// Safety reports and incidents.
    Reporting,
}

/// One projection row: what the database's projection table holds for a record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProjectionRow {
    pub kind: String,
    pub id: String,
    pub version: u64,
    /// Canonical JSON of the record.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {seq} ({kind}) cannot be applied: {problem}")]
pub struct ApplyError {
    pub seq: u64,
    pub kind: &'static str,
    pub problem: String,
}

pub(crate) fn missing(what: &str, id: &dyn std::fmt::Display) -> String {
    format!("it refers to {what} {id}, which does not exist at that point of the log")
}

impl ProductionState {
    pub fn new() -> Self {
        Self::default()
    }

    /// The firearms recorded with this serial (compared without regard to ASCII case),
    /// disposed ones included.
    pub fn firearms_with_serial<'a>(&'a self, serial: &str) -> impl Iterator<Item = &'a Firearm> + 'a {
        self.serials
            .get(&serial.trim().to_ascii_lowercase())
            .into_iter()
            .flatten()
            .filter_map(|id| self.firearms.get(id))
    }

    /// Keeps `serials` as a firearm takes `serial` (from `old`, for a correction).
    pub(crate) fn index_serial(&mut self, firearm: &FirearmId, old: Option<&str>, serial: &str) {
        if let Some(old) = old {
            let key = old.trim().to_ascii_lowercase();
            if let Some(ids) = self.serials.get_mut(&key) {
                ids.retain(|id| id != firearm);
                if ids.is_empty() {
                    self.serials.remove(&key);
                }
            }
        }
        self.serials.entry(serial.trim().to_ascii_lowercase()).or_default().push(firearm.clone());
    }

    pub fn next_seq(&self) -> u64 {
        self.last_seq.map_or(0, |s| s + 1)
    }

    pub fn production_id(&self) -> Option<&ProductionId> {
        self.info.as_ref().map(|i| &i.id)
    }

    pub(crate) fn scene_mut(&mut self, id: &SceneId) -> Result<&mut Scene, String> {
        self.scenes.get_mut(id).ok_or_else(|| missing("scene", id))
    }

    pub(crate) fn set_status(&mut self, id: &SceneId, status: SceneStatus, seq: u64) -> Result<Vec<EntityRef>, String> {
        let sc = self.scene_mut(id)?;
        sc.status = status;
        sc.version = seq;
        Ok(vec![EntityRef::Scene(id.clone())])
    }

    pub(crate) fn person_mut(&mut self, id: &PersonId) -> Result<&mut Person, String> {
        self.people.get_mut(id).ok_or_else(|| missing("person", id))
    }

    pub(crate) fn firearm_mut(&mut self, id: &FirearmId) -> Result<&mut Firearm, String> {
        self.firearms.get_mut(id).ok_or_else(|| missing("firearm", id))
    }

    pub(crate) fn container_mut(&mut self, id: &ContainerId) -> Result<&mut Container, String> {
        self.containers.get_mut(id).ok_or_else(|| missing("container", id))
    }

    pub(crate) fn location_mut(&mut self, id: &LocationId) -> Result<&mut StorageLocation, String> {
        self.locations.get_mut(id).ok_or_else(|| missing("storage location", id))
    }

    /// The version (last changing sequence number) of one record, if it exists.
    pub fn version_of(&self, entity: &EntityRef) -> Option<u64> {
        match entity {
            EntityRef::Production => self.info.as_ref().map(|i| i.version),
            EntityRef::Person(id) => self.people.get(id).map(|p| p.version),
            EntityRef::Firearm(id) => self.firearms.get(id).map(|f| f.version),
            EntityRef::Lot(id) => self.lots.get(id).map(|l| l.version),
            EntityRef::Container(id) => self.containers.get(id).map(|c| c.version),
            EntityRef::Location(id) => self.locations.get(id).map(|l| l.version),
            EntityRef::Scene(id) => self.scenes.get(id).map(|s| s.version),
            EntityRef::Safety => Some(self.safety.version),
            EntityRef::Reporting => Some(self.reporting.version),
        }
    }

    /// The projection row for one record, if it exists.
    pub fn row(&self, entity: &EntityRef) -> Option<ProjectionRow> {
        fn make<T: Serialize>(kind: &'static str, id: &str, version: u64, v: &T) -> ProjectionRow {
            ProjectionRow {
                kind: kind.to_owned(),
                id: id.to_owned(),
                version,
                body: serde_json::to_string(v).unwrap_or_default(),
            }
        }
        match entity {
            EntityRef::Production => self.info.as_ref().map(|i| make("production", i.id.as_str(), i.version, i)),
            EntityRef::Person(id) => self.people.get(id).map(|p| make("person", id.as_str(), p.version, p)),
            EntityRef::Firearm(id) => self.firearms.get(id).map(|f| make("firearm", id.as_str(), f.version, f)),
            EntityRef::Lot(id) => self.lots.get(id).map(|l| make("lot", id.as_str(), l.version, l)),
            EntityRef::Container(id) => self.containers.get(id).map(|c| make("container", id.as_str(), c.version, c)),
            EntityRef::Location(id) => self.locations.get(id).map(|l| make("location", id.as_str(), l.version, l)),
            EntityRef::Scene(id) => self.scenes.get(id).map(|s| make("scene", id.as_str(), s.version, s)),
            EntityRef::Safety => Some(make("safety", "safety", self.safety.version, &self.safety)),
            EntityRef::Reporting => Some(make("reporting", "reporting", self.reporting.version, &self.reporting)),
        }
    }

    /// Every projection row, sorted by (kind, id): what a full rebuild must reproduce.
    pub fn all_rows(&self) -> Vec<ProjectionRow> {
        let mut refs = vec![EntityRef::Production];
        refs.extend(self.people.keys().cloned().map(EntityRef::Person));
        refs.extend(self.firearms.keys().cloned().map(EntityRef::Firearm));
        refs.extend(self.lots.keys().cloned().map(EntityRef::Lot));
        refs.extend(self.containers.keys().cloned().map(EntityRef::Container));
        refs.extend(self.locations.keys().cloned().map(EntityRef::Location));
        refs.extend(self.scenes.keys().cloned().map(EntityRef::Scene));
        refs.push(EntityRef::Safety);
        refs.push(EntityRef::Reporting);
        let mut rows: Vec<ProjectionRow> = refs.iter().filter_map(|r| self.row(r)).collect();
        rows.sort_by(|a, b| (&a.kind, &a.id).cmp(&(&b.kind, &b.id)));
        rows
    }
}
