//! The records of safety reports and incidents (R-COMP-*, R-INC-*, R-MISF-*): types only. The
//! rules that make and change them are in reports.rs.

use crate::ids::*;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Information,
    Concern,
    Critical,
}

/// Who a report escalates to when its acknowledgement deadline passes, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationLevel {
    ComplianceContact,
    StudioSafetyOffice,
    UnionRepresentative,
}

impl EscalationLevel {
    pub const ORDER: [EscalationLevel; 3] =
        [EscalationLevel::ComplianceContact, EscalationLevel::StudioSafetyOffice, EscalationLevel::UnionRepresentative];
}

/// Who is told before firearms are used (R-NOTIF-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Authority {
    StudioSafetyOffice,
    LocalPolice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InjurySeverity {
    Death,
    Hospitalisation,
    Amputation,
    LossOfEye,
    Minor,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IncidentKind {
    Misfire,
    HangFire,
    UnintendedDischarge,
    Injury { severity: InjurySeverity },
    LostRound,
    LostFirearm,
    CountVariance,
}

impl IncidentKind {
    /// Kinds that lock the firearm and stop firearm work (R-MISF-2).
    pub fn stops_work(&self) -> bool {
        matches!(self, IncidentKind::Misfire | IncidentKind::HangFire | IncidentKind::UnintendedDischarge)
    }

    /// R-INC-1: hours within which the regulator must be told (US OSHA 29 CFR 1904.39).
    pub fn regulator_hours(&self) -> Option<i64> {
        match self {
            IncidentKind::Injury { severity: InjurySeverity::Death } => Some(8),
            IncidentKind::Injury {
                severity: InjurySeverity::Hospitalisation | InjurySeverity::Amputation | InjurySeverity::LossOfEye,
            } => Some(24),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportEntry {
    /// "reporter" or the person who answered.
    pub from: String,
    pub text: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub id: u64,
    pub severity: Severity,
    pub text: String,
    pub subject: Option<String>,
    pub reporter_name: Option<String>,
    pub followup_key_hash: String,
    pub photos: Vec<String>,
    pub filed_at: Timestamp,
    pub acknowledged: Option<(PersonId, Timestamp)>,
    pub reviewed: Option<(PersonId, Timestamp)>,
    pub escalations: Vec<(EscalationLevel, Timestamp)>,
    pub thread: Vec<ReportEntry>,
    pub closed: Option<(String, Timestamp)>,
}

impl Report {
    pub fn ack_due(&self, ack_minutes: i64) -> Timestamp {
        self.filed_at.plus_minutes(ack_minutes)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub id: u64,
    pub kind: IncidentKind,
    pub firearm: Option<FirearmId>,
    pub scene: Option<SceneId>,
    pub description: String,
    pub reported_by: PersonId,
    pub at: Timestamp,
    pub wait_seconds: Option<u32>,
    pub frozen_firearms: Vec<FirearmId>,
    pub frozen_containers: Vec<ContainerId>,
    pub log_size: u64,
    pub regulator_notified: Option<(PersonId, String, Timestamp)>,
    /// Sign-offs of the investigation by role ("armorer", "safety_advisor").
    pub investigation: BTreeMap<String, (PersonId, String, String)>,
    pub closed_at: Option<Timestamp>,
    pub evidence_released: Option<(PersonId, String)>,
}

impl Incident {
    pub fn regulator_due(&self) -> Option<Timestamp> {
        self.kind.regulator_hours().map(|h| self.at.plus_minutes(h * 60))
    }
}

/// The kinds of notification a production can send to people of its own choosing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A critical safety report: firearm work stops.
    CriticalReport,
    /// Any other safety report, and reports not acknowledged in time.
    Report,
    /// Misfires, discharges, injuries.
    Incident,
    /// A hold on firearm work.
    Hold,
    /// A firearm out of storage past its time-out (R-HAND-3).
    OverdueFirearm,
    /// Every other alert (counts that do not reconcile, a withdrawn firearm...).
    Alert,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporting {
    pub studio_safety_office: String,
    pub union_representative: String,
    /// Who the production's notifications of each kind are e-mailed to, besides the
    /// installation's own recipients. Left out of the record while empty, so productions
    /// recorded before it existed keep the same rows.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub recipients: BTreeMap<NotificationKind, Vec<String>>,
    pub reports: BTreeMap<u64, Report>,
    pub incidents: BTreeMap<u64, Incident>,
    /// R-NOTIF-1 notices: (authority, date) -> reference.
    pub notices: Vec<(Authority, crate::time::Date, String)>,
    pub version: u64,
}

impl Reporting {
    pub fn notified(&self, authority: Authority, date: crate::time::Date) -> bool {
        self.notices.iter().any(|(a, d, _)| *a == authority && *d == date)
    }
}
