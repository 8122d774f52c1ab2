//! Crew safety reports and incidents (R-COMP-1, R-COMP-2, R-MISF-1, R-MISF-2, R-INC-1,
//! R-INC-2, R-REC-5). A report cannot be ignored quietly: it has an acknowledgement deadline
//! and escalates step by step when it is missed; a critical one stops firearm work until the
//! safety advisor reviews it. A misfire or an unintended discharge locks the firearm and stops
//! firearm work until the armorer and the safety advisor close an investigation and a new
//! safety meeting is held. Every incident freezes the records involved as evidence.
//!
//! The records themselves (reports, incidents) are types in reporting.rs, re-exported here.

pub use crate::checks::{frozen_container, frozen_firearm, locked_firearm, stops};
pub use crate::reporting::*;

use crate::checks::*;
use crate::error::{deny, invalid, DomainError};
use crate::events::Actor;
use crate::events::Event;
use crate::gate;
use crate::ids::*;
use crate::model::*;
use crate::rules::{Checks, RuleId};
use crate::state::{EntityRef, ProductionState};
use crate::text::fields as F;
use crate::time::{Date, Timestamp};
use std::collections::BTreeMap;

/// Escalations due at `now`: the next level for every unacknowledged report whose deadline
/// (and each further interval) has passed.
pub fn due_escalations(state: &ProductionState, now: Timestamp, ack_minutes: i64) -> Vec<(u64, EscalationLevel)> {
    let mut out = Vec::new();
    for r in state.reporting.reports.values() {
        if r.acknowledged.is_some() || r.closed.is_some() {
            continue;
        }
        let done = r.escalations.len();
        if let Some(level) = EscalationLevel::ORDER.get(done) {
            let due = r.ack_due(ack_minutes).plus_minutes(ack_minutes * done as i64);
            if now >= due {
                out.push((r.id, *level));
            }
        }
    }
    out
}

const TIME_OUT: &str = "time-out ";
const TIME_OUT_CLEARED: &str = "time-out cleared ";

/// The subject of a clock-recorded time-out alert: "time-out [fa-1] …" gives "fa-1".
fn time_out_key<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('[')?;
    rest.split_once(']').map(|(key, _)| key)
}

fn report_handler(p: &Person) -> bool {
    p.has_role(Role::SafetyAdvisor) || p.has_role(Role::Producer) || p.has_role(Role::Armorer)
}

impl<'a> Decider<'a> {
    /// Decides `record_authority_notice`.
    pub(crate) fn record_authority_notice(
        &self,
        authority: &crate::reporting::Authority,
        date: &Date,
        reference: &str,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        if !(by.has_role(Role::Armorer) || by.has_role(Role::SafetyAdvisor) || by.has_role(Role::Producer)) {
            return Err(deny(
                RuleId::Notif1,
                format!("{} cannot record notices to the authorities", by.name),
                "the armorer, the safety advisor or the producer records them",
            ));
        }
        Ok(vec![Event::AuthorityNotified {
            authority: *authority,
            date: *date,
            reference: F::NOTICE_REFERENCE.required(reference)?,
            by: by.id.clone(),
        }])
    }

    /// Decides `set_contacts`.
    pub(crate) fn set_contacts(
        &self,
        studio_safety_office: &str,
        union_representative: &str,
    ) -> Result<Vec<Event>, DomainError> {
        Ok(vec![Event::ContactsSet {
            studio_safety_office: F::STUDIO_SAFETY_OFFICE.required(studio_safety_office)?,
            union_representative: F::UNION_REPRESENTATIVE.required(union_representative)?,
        }])
    }

    /// Decides `set_recipients`: each address one line, with an `@`, at most 20.
    pub(crate) fn set_recipients(
        &self,
        kind: crate::reporting::NotificationKind,
        addresses: &[String],
    ) -> Result<Vec<Event>, DomainError> {
        if addresses.len() > 20 {
            return Err(invalid("addresses", "at most 20 addresses for one kind of notification"));
        }
        let mut checked = Vec::new();
        for a in addresses {
            let a = F::RECIPIENT.required(a)?;
            if !a.contains('@') || a.contains(char::is_whitespace) || a.contains(['<', '>', ',', ';']) {
                return Err(invalid("addresses", format!("'{a}' is not an e-mail address")));
            }
            if !checked.contains(&a) {
                checked.push(a);
            }
        }
        Ok(vec![Event::RecipientsSet { kind, addresses: checked }])
    }

    /// Decides `file_report`.
    pub(crate) fn file_report(
        &self,
        severity: &crate::reporting::Severity,
        body: &str,
        subject: &Option<String>,
        reporter_name: &Option<String>,
        followup_key_hash: &str,
        photos: &[String],
    ) -> Result<Vec<Event>, DomainError> {
        let is_hash = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
        if !is_hash(followup_key_hash) {
            return Err(invalid("followup_key_hash", "must be the SHA-256 (hex) of the follow-up key"));
        }
        if photos.len() > crate::text::limits::MAX_PHOTOS || !photos.iter().all(|h| is_hash(h)) {
            return Err(invalid("photos", "at most 5 photos, each named by its SHA-256"));
        }
        let subject = subject.as_deref().map(str::trim).filter(|s| !s.is_empty());
        // The subject links the report to a firearm, a scene or a storage location.
        if let Some(s) = subject {
            let known = FirearmId::parse(s).is_ok_and(|id| self.state.firearms.contains_key(&id))
                || SceneId::parse(s).is_ok_and(|id| self.state.scenes.contains_key(&id))
                || LocationId::parse(s).is_ok_and(|id| self.state.locations.contains_key(&id));
            if !known {
                return Err(invalid(
                    "subject",
                    format!("'{s}' is not a firearm, scene or storage location of this production"),
                ));
            }
        }
        let subject = subject.map(str::to_owned);
        let reporter_name = reporter_name.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let reporter_name = reporter_name.map(|n| F::REPORTER_NAME.required(n)).transpose()?;
        Ok(vec![Event::ReportFiled {
            severity: *severity,
            text: F::REPORT_TEXT.required(body)?,
            subject,
            reporter_name,
            followup_key_hash: followup_key_hash.to_lowercase(),
            photos: photos.iter().map(|h| h.to_lowercase()).collect(),
        }])
    }

    /// Decides `add_to_report`.
    pub(crate) fn add_to_report(
        &self,
        report: &u64,
        body: &str,
        followup_key_hash: &str,
    ) -> Result<Vec<Event>, DomainError> {
        let r = self.report(*report)?;
        if !r.followup_key_hash.eq_ignore_ascii_case(followup_key_hash) {
            return Err(DomainError::Forbidden("that follow-up key does not belong to this report".into()));
        }
        Ok(vec![Event::ReportAddedTo { report: *report, text: F::REPORT_TEXT.required(body)? }])
    }

    /// Decides `acknowledge_report`.
    pub(crate) fn acknowledge_report(&self, report: &u64) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let r = self.report(*report)?;
        if !report_handler(by) {
            return Err(deny(
                RuleId::Comp1,
                format!("{} cannot acknowledge safety reports", by.name),
                "the safety advisor, the producer or the armorer acknowledges it",
            ));
        }
        if r.acknowledged.is_some() {
            return Err(invalid("report", "already acknowledged"));
        }
        Ok(vec![Event::ReportAcknowledged { report: *report, by: by.id.clone() }])
    }

    /// Decides `answer_report`.
    pub(crate) fn answer_report(&self, report: &u64, body: &str) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        self.report(*report)?;
        if !report_handler(by) {
            return Err(deny(
                RuleId::Comp1,
                format!("{} cannot answer safety reports", by.name),
                "the safety advisor, the producer or the armorer answers it",
            ));
        }
        Ok(vec![Event::ReportAnswered { report: *report, by: by.id.clone(), text: F::REPORT_ANSWER.required(body)? }])
    }

    /// Decides `review_report`.
    pub(crate) fn review_report(&self, report: &u64, note: &str) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        self.report(*report)?;
        let mut c = Checks::new();
        c.require(
            by.has_role(Role::SafetyAdvisor),
            RuleId::Comp2,
            || format!("{} is not the safety advisor", by.name),
            "the safety advisor reviews a critical report",
        );
        if by.has_role(Role::SafetyAdvisor) {
            self.check_independent_advisor(&mut c, by);
        }
        c.finish()?;
        Ok(vec![Event::ReportReviewed { report: *report, by: by.id.clone(), note: F::REVIEW_NOTE.required(note)? }])
    }

    /// Decides `close_report`.
    pub(crate) fn close_report(&self, report: &u64, corrective_action: &str) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let r = self.report(*report)?;
        let mut c = Checks::new();
        c.require(
            by.has_role(Role::SafetyAdvisor) || by.has_role(Role::Producer),
            RuleId::Comp1,
            || format!("{} cannot close safety reports", by.name),
            "the safety advisor or the producer closes it",
        );
        c.require(
            r.acknowledged.is_some(),
            RuleId::Comp1,
            || "the report was never acknowledged".into(),
            "acknowledge it first",
        );
        c.require(
            r.severity != Severity::Critical || r.reviewed.is_some(),
            RuleId::Comp2,
            || "a critical report closes only after the safety advisor's review".into(),
            "the safety advisor reviews it first",
        );
        c.require(
            !corrective_action.trim().is_empty(),
            RuleId::Comp1,
            || "a report closes only with a corrective-action note the reporter can read".into(),
            "write the corrective action",
        );
        c.finish()?;
        if r.closed.is_some() {
            return Err(invalid("report", "already closed"));
        }
        Ok(vec![Event::ReportClosed {
            report: *report,
            by: by.id.clone(),
            corrective_action: F::CORRECTIVE_ACTION.required(corrective_action)?,
        }])
    }

    /// Decides `tick`.
    pub(crate) fn tick(&self) -> Result<Vec<Event>, DomainError> {
        if !matches!(self.actor, Actor::System) {
            return Err(DomainError::Forbidden("only coldset itself runs the clock".into()));
        }
        let ack = gate::policy(self.state).report_ack_minutes;
        let info = &self.state.reporting;
        let contact = self.state.info.as_ref().map_or(String::new(), |i| i.compliance_contact.clone());
        let mut events: Vec<Event> = due_escalations(self.state, self.ctx.now, ack)
            .into_iter()
            .map(|(report, level)| Event::ReportEscalated {
                report,
                level,
                to: match level {
                    EscalationLevel::ComplianceContact => contact.clone(),
                    EscalationLevel::StudioSafetyOffice => info.studio_safety_office.clone(),
                    EscalationLevel::UnionRepresentative => info.union_representative.clone(),
                },
            })
            .collect();
        // R-INC-1: a regulator deadline that passed without a recorded report is an
        // alert (once per incident), and so a notification.
        for i in info.incidents.values() {
            let Some(due) = i.regulator_due() else { continue };
            let marker = format!("incident #{}", i.id);
            let already =
                self.state.safety.alerts.values().any(|a| a.rule == RuleId::Inc1 && a.message.contains(&marker));
            if i.regulator_notified.is_none() && self.ctx.now >= due && !already {
                events.push(Event::AlertRaised {
                    rule: RuleId::Inc1,
                    message: format!("{marker}: the regulator had to be told by {due} and no report is recorded"),
                });
            }
        }
        events.extend(self.time_out_alerts());
        events.extend(self.role_conflict_alerts());
        Ok(events)
    }

    /// Decides `report_incident`.
    pub(crate) fn report_incident(
        &self,
        kind: &crate::reporting::IncidentKind,
        firearm: &Option<FirearmId>,
        scene: &Option<SceneId>,
        description: &str,
        wait_seconds: &Option<u32>,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        if wait_seconds.is_some_and(|w| w > crate::text::limits::MAX_WAIT_SECONDS) {
            return Err(invalid("wait_seconds", format!("at most {} seconds", crate::text::limits::MAX_WAIT_SECONDS)));
        }
        if let Some(f) = firearm {
            self.firearm(f)?;
        }
        if let Some(s) = scene {
            self.scene(s)?;
        }
        // Freeze what was on set: the firearm named, every firearm and container out
        // of storage, and the position in the log.
        let mut frozen_firearms: Vec<FirearmId> =
            self.state.firearms.values().filter(|f| f.holder.person().is_some()).map(|f| f.id.clone()).collect();
        if let Some(f) = firearm {
            if !frozen_firearms.contains(f) {
                frozen_firearms.push(f.clone());
            }
        }
        let frozen_containers =
            self.state.containers.values().filter(|c| c.holder.person().is_some()).map(|c| c.id.clone()).collect();
        let mut events = vec![Event::IncidentReported {
            kind: kind.clone(),
            firearm: firearm.clone(),
            scene: scene.clone(),
            description: F::INCIDENT_DESCRIPTION.required(description)?,
            by: by.id.clone(),
            wait_seconds: *wait_seconds,
            frozen_firearms,
            frozen_containers,
            log_size: self.state.next_seq(),
        }];
        if matches!(kind, IncidentKind::Misfire | IncidentKind::HangFire) {
            let wait = gate::policy(self.state).misfire_wait_seconds;
            if wait_seconds.is_none_or(|w| i64::from(w) < wait) {
                events.push(Event::AlertRaised {
                    rule: RuleId::Misf1,
                    message: format!("misfire recorded without the {wait}-second wait before clearing"),
                });
            }
        }
        Ok(events)
    }

    /// Decides `notify_regulator`.
    pub(crate) fn notify_regulator(&self, incident: &u64, reference: &str) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let i = self.incident(*incident)?;
        if i.kind.regulator_hours().is_none() {
            return Err(invalid("incident", "this incident has no regulator deadline"));
        }
        Ok(vec![Event::RegulatorNotified {
            incident: *incident,
            by: by.id.clone(),
            reference: F::REGULATOR_REFERENCE.required(reference)?,
        }])
    }

    /// Decides `sign_investigation`.
    pub(crate) fn sign_investigation(
        &self,
        incident: &u64,
        cause: &str,
        corrective_action: &str,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let i = self.incident(*incident)?;
        let mut c = Checks::new();
        let role = if by.has_role(Role::Armorer) {
            Some(Role::Armorer)
        } else if by.has_role(Role::SafetyAdvisor) {
            self.check_independent_advisor(&mut c, by);
            Some(Role::SafetyAdvisor)
        } else {
            c.fail(
                RuleId::Misf2,
                format!("{} cannot close investigations", by.name),
                "the armorer and the safety advisor both sign the investigation",
            );
            None
        };
        // R-REC-5: the misfire and discharge log keeps a cause and a corrective action.
        for (field, value) in [("cause", cause), ("corrective action", corrective_action)] {
            c.require(
                !value.trim().is_empty(),
                RuleId::Rec5,
                || format!("the investigation's {field} is missing"),
                "record the cause found and the corrective action taken",
            );
        }
        c.finish()?;
        let role = role.ok_or_else(|| invalid("role", "no signing role"))?;
        if i.closed_at.is_some() {
            return Err(invalid("incident", "the investigation is closed"));
        }
        Ok(vec![Event::InvestigationSigned {
            incident: *incident,
            by: by.id.clone(),
            role,
            cause: F::CAUSE.required(cause)?,
            corrective_action: F::CORRECTIVE_ACTION.required(corrective_action)?,
        }])
    }

    /// Decides `release_evidence`.
    pub(crate) fn release_evidence(&self, incident: &u64, note: &str) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let i = self.incident(*incident)?;
        let mut c = Checks::new();
        c.require(
            by.has_role(Role::SafetyAdvisor),
            RuleId::Inc2,
            || format!("{} cannot release evidence", by.name),
            "the safety advisor records the release",
        );
        if by.has_role(Role::SafetyAdvisor) {
            self.check_independent_advisor(&mut c, by);
        }
        c.finish()?;
        if i.evidence_released.is_some() {
            return Err(invalid("incident", "the evidence was already released"));
        }
        Ok(vec![Event::EvidenceReleased {
            incident: *incident,
            by: by.id.clone(),
            note: F::RELEASE_NOTE.required(note)?,
        }])
    }

    // ---- helpers --------------------------------------------------------------------

    fn report(&self, id: u64) -> Result<&'a Report, DomainError> {
        self.state
            .reporting
            .reports
            .get(&id)
            .ok_or_else(|| DomainError::NotFound { what: "report", id: id.to_string() })
    }

    fn incident(&self, id: u64) -> Result<&'a Incident, DomainError> {
        self.state
            .reporting
            .incidents
            .get(&id)
            .ok_or_else(|| DomainError::NotFound { what: "incident", id: id.to_string() })
    }

    /// R-HAND-3 and R-STORE-3 time-outs, recorded by the clock: an `alert.raised` when a
    /// firearm has been out of storage, or a location open, past the time-out, and another
    /// when that ends ("cleared"), so both reach the armorer and the AD through the outbox.
    /// Each subject's state is read back from the recorded alerts, so a restart or a replay
    /// raises nothing twice.
    fn time_out_alerts(&self) -> Vec<Event> {
        let active = gate::time_outs(self.state, self.ctx.now);
        let mut subjects: BTreeMap<String, (RuleId, bool)> = BTreeMap::new();
        // The alerts are in log order: the last one for a subject says whether it is firing.
        for a in self.state.safety.alerts.values() {
            if let Some(key) = time_out_key(&a.message, TIME_OUT) {
                subjects.insert(key.to_owned(), (a.rule, true));
            } else if let Some(key) = time_out_key(&a.message, TIME_OUT_CLEARED) {
                subjects.insert(key.to_owned(), (a.rule, false));
            }
        }
        let mut events = Vec::new();
        for (rule, key, message) in &active {
            if !subjects.get(key).is_some_and(|(_, firing)| *firing) {
                events.push(Event::AlertRaised { rule: *rule, message: format!("{TIME_OUT}[{key}] {message}") });
            }
        }
        for (key, (rule, firing)) in subjects {
            if firing && !active.iter().any(|(_, k, _)| *k == key) {
                events.push(Event::AlertRaised {
                    rule,
                    message: format!("{TIME_OUT_CLEARED}[{key}] back within the time-out (returned, or locked)"),
                });
            }
        }
        events
    }

    /// R-ROLE-3, "ALERT when found": a conflict the decider could not refuse (events imported,
    /// a correction) is raised by the clock once per person and shoot day while any firearm
    /// is out of storage: an armorer who also holds, or held that day, another department role.
    fn role_conflict_alerts(&self) -> Vec<Event> {
        let Some(day) = &self.state.safety.day else { return Vec::new() };
        if gate::firearms_out(self.state) == 0 {
            return Vec::new();
        }
        let mut events = Vec::new();
        for p in self.state.people.values() {
            let roles = self.roles_today(&p.id);
            let armory = roles.contains(&Role::Armorer) || roles.contains(&Role::AssistantArmorer);
            let others = self.other_department_roles_today(p);
            if !armory || others.is_empty() {
                continue;
            }
            let marker = format!("role conflict [{} {}]", p.id, day.date);
            if self.state.safety.alerts.values().any(|a| a.rule == RuleId::Role3 && a.message.starts_with(&marker)) {
                continue;
            }
            events.push(Event::AlertRaised {
                rule: RuleId::Role3,
                message: format!(
                    "{marker} {} works in the armory and is or was also {} today while firearms are out of storage",
                    p.name,
                    others.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        events
    }
}

impl ProductionState {
    pub(crate) fn apply_authority_notified(
        &mut self,
        seq: u64,
        authority: &crate::reporting::Authority,
        date: &Date,
        reference: &str,
    ) -> Result<Vec<EntityRef>, String> {
        let r = &mut self.reporting;
        r.notices.push((*authority, *date, reference.to_owned()));
        r.version = seq;
        Ok(vec![EntityRef::Reporting])
    }

    pub(crate) fn apply_recipients_set(
        &mut self,
        seq: u64,
        kind: crate::reporting::NotificationKind,
        addresses: &[String],
    ) -> Result<Vec<EntityRef>, String> {
        let r = &mut self.reporting;
        if addresses.is_empty() {
            r.recipients.remove(&kind);
        } else {
            r.recipients.insert(kind, addresses.to_vec());
        }
        r.version = seq;
        Ok(vec![EntityRef::Reporting])
    }

    pub(crate) fn apply_contacts_set(
        &mut self,
        seq: u64,
        studio_safety_office: &str,
        union_representative: &str,
    ) -> Result<Vec<EntityRef>, String> {
        let r = &mut self.reporting;
        r.studio_safety_office = studio_safety_office.to_owned();
        r.union_representative = union_representative.to_owned();
        r.version = seq;
        Ok(vec![EntityRef::Reporting])
    }

    #[allow(clippy::too_many_arguments)] // one parameter per field of the event
    pub(crate) fn apply_report_filed(
        &mut self,
        seq: u64,
        at: Timestamp,
        severity: &crate::reporting::Severity,
        text: &str,
        subject: &Option<String>,
        reporter_name: &Option<String>,
        followup_key_hash: &str,
        photos: &[String],
    ) -> Result<Vec<EntityRef>, String> {
        let r = &mut self.reporting;
        r.reports.insert(
            seq,
            Report {
                id: seq,
                severity: *severity,
                text: text.to_owned(),
                subject: subject.clone(),
                reporter_name: reporter_name.clone(),
                followup_key_hash: followup_key_hash.to_owned(),
                photos: photos.to_vec(),
                filed_at: at,
                acknowledged: None,
                reviewed: None,
                escalations: Vec::new(),
                thread: Vec::new(),
                closed: None,
            },
        );
        r.version = seq;
        Ok(vec![EntityRef::Reporting])
    }

    pub(crate) fn apply_report_acknowledged(
        &mut self,
        seq: u64,
        at: Timestamp,
        report: &u64,
        by: &PersonId,
    ) -> Result<Vec<EntityRef>, String> {
        let r = &mut self.reporting;
        report_mut(r, *report)?.acknowledged = Some((by.clone(), at));
        r.version = seq;
        Ok(vec![EntityRef::Reporting])
    }

    pub(crate) fn apply_report_answered(
        &mut self,
        seq: u64,
        at: Timestamp,
        report: &u64,
        by: &PersonId,
        text: &str,
    ) -> Result<Vec<EntityRef>, String> {
        let r = &mut self.reporting;
        report_mut(r, *report)?.thread.push(ReportEntry { from: by.to_string(), text: text.to_owned(), at });
        r.version = seq;
        Ok(vec![EntityRef::Reporting])
    }

    pub(crate) fn apply_report_added_to(
        &mut self,
        seq: u64,
        at: Timestamp,
        report: &u64,
        text: &str,
    ) -> Result<Vec<EntityRef>, String> {
        let r = &mut self.reporting;
        report_mut(r, *report)?.thread.push(ReportEntry { from: "reporter".into(), text: text.to_owned(), at });
        r.version = seq;
        Ok(vec![EntityRef::Reporting])
    }

    pub(crate) fn apply_report_escalated(
        &mut self,
        seq: u64,
        at: Timestamp,
        report: &u64,
        level: &crate::reporting::EscalationLevel,
    ) -> Result<Vec<EntityRef>, String> {
        let r = &mut self.reporting;
        report_mut(r, *report)?.escalations.push((*level, at));
        r.version = seq;
        Ok(vec![EntityRef::Reporting])
    }

    pub(crate) fn apply_report_reviewed(
        &mut self,
        seq: u64,
        at: Timestamp,
        report: &u64,
        by: &PersonId,
    ) -> Result<Vec<EntityRef>, String> {
        let r = &mut self.reporting;
        report_mut(r, *report)?.reviewed = Some((by.clone(), at));
        r.version = seq;
        Ok(vec![EntityRef::Reporting])
    }

    pub(crate) fn apply_report_closed(
        &mut self,
        seq: u64,
        at: Timestamp,
        report: &u64,
        corrective_action: &str,
    ) -> Result<Vec<EntityRef>, String> {
        let r = &mut self.reporting;
        report_mut(r, *report)?.closed = Some((corrective_action.to_owned(), at));
        r.version = seq;
        Ok(vec![EntityRef::Reporting])
    }

    #[allow(clippy::too_many_arguments)] // one parameter per field of the event
    pub(crate) fn apply_incident_reported(
        &mut self,
        seq: u64,
        at: Timestamp,
        kind: &crate::reporting::IncidentKind,
        firearm: &Option<FirearmId>,
        scene: &Option<SceneId>,
        description: &str,
        by: &PersonId,
        wait_seconds: &Option<u32>,
        frozen_firearms: &[FirearmId],
        frozen_containers: &[ContainerId],
        log_size: &u64,
    ) -> Result<Vec<EntityRef>, String> {
        let r = &mut self.reporting;
        r.incidents.insert(
            seq,
            Incident {
                id: seq,
                kind: kind.clone(),
                firearm: firearm.clone(),
                scene: scene.clone(),
                description: description.to_owned(),
                reported_by: by.clone(),
                at,
                wait_seconds: *wait_seconds,
                frozen_firearms: frozen_firearms.to_vec(),
                frozen_containers: frozen_containers.to_vec(),
                log_size: *log_size,
                regulator_notified: None,
                investigation: BTreeMap::new(),
                closed_at: None,
                evidence_released: None,
            },
        );
        r.version = seq;
        Ok(vec![EntityRef::Reporting])
    }

    pub(crate) fn apply_regulator_notified(
        &mut self,
        seq: u64,
        at: Timestamp,
        incident: &u64,
        by: &PersonId,
        reference: &str,
    ) -> Result<Vec<EntityRef>, String> {
        let r = &mut self.reporting;
        incident_mut(r, *incident)?.regulator_notified = Some((by.clone(), reference.to_owned(), at));
        r.version = seq;
        Ok(vec![EntityRef::Reporting])
    }

    #[allow(clippy::too_many_arguments)] // one parameter per field of the event
    pub(crate) fn apply_investigation_signed(
        &mut self,
        seq: u64,
        at: Timestamp,
        incident: &u64,
        by: &PersonId,
        role: &Role,
        cause: &str,
        corrective_action: &str,
    ) -> Result<Vec<EntityRef>, String> {
        let r = &mut self.reporting;
        let i = incident_mut(r, *incident)?;
        i.investigation.insert(role.as_str().to_owned(), (by.clone(), cause.to_owned(), corrective_action.to_owned()));
        if i.investigation.contains_key("armorer") && i.investigation.contains_key("safety_advisor") {
            i.closed_at = Some(at);
        }
        r.version = seq;
        Ok(vec![EntityRef::Reporting])
    }

    pub(crate) fn apply_evidence_released(
        &mut self,
        seq: u64,
        incident: &u64,
        by: &PersonId,
        note: &str,
    ) -> Result<Vec<EntityRef>, String> {
        let r = &mut self.reporting;
        incident_mut(r, *incident)?.evidence_released = Some((by.clone(), note.to_owned()));
        r.version = seq;
        Ok(vec![EntityRef::Reporting])
    }
}

fn report_mut(r: &mut Reporting, id: u64) -> Result<&mut Report, String> {
    r.reports.get_mut(&id).ok_or_else(|| format!("no report {id}"))
}

fn incident_mut(r: &mut Reporting, id: u64) -> Result<&mut Incident, String> {
    r.incidents.get_mut(&id).ok_or_else(|| format!("no incident {id}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::commands::Command;
    use crate::decide::{decide, Context};
    use crate::events::{Envelope, ENCODING_VERSION};
    use crate::ids::ProductionId;
    use std::collections::BTreeSet;

    const T0: Timestamp = Timestamp(1_790_000_000_000);

    struct World {
        state: ProductionState,
    }

    impl World {
        fn run(&mut self, at: Timestamp, actor: &Actor, command: Command) -> Result<Vec<Event>, DomainError> {
            let ctx = Context::new(at, jiff::civil::date(2026, 9, 21));
            let events = decide(&self.state, &ctx, actor, &command)?;
            for e in &events {
                let env = Envelope {
                    v: ENCODING_VERSION,
                    production: ProductionId::parse("p").map_err(|e| invalid("p", e.to_string()))?,
                    seq: self.state.next_seq(),
                    at,
                    actor: actor.clone(),
                    event: e.clone(),
                    auth: None,
                };
                self.state.apply(&env).map_err(|e| invalid("apply", e.to_string()))?;
            }
            Ok(events)
        }
    }

    fn world() -> (World, Actor) {
        let mut w = World { state: ProductionState::new() };
        let admin = Actor::Admin { account: "a".into() };
        w.run(
            T0,
            &admin,
            Command::CreateProduction {
                id: ProductionId::parse("p").unwrap(),
                name: "P".into(),
                time_zone: "UTC".into(),
                packs: vec!["industry-us".into()],
                compliance_contact: "contact@p".into(),
            },
        )
        .unwrap();
        w.run(T0, &admin, Command::AddPerson { name: "Sam".into(), roles: BTreeSet::from([Role::SafetyAdvisor]) })
            .unwrap();
        w.run(
            T0,
            &admin,
            Command::SetContacts { studio_safety_office: "studio@s".into(), union_representative: "union@u".into() },
        )
        .unwrap();
        (w, Actor::Person { person: PersonId::parse("p-1").unwrap() })
    }

    fn file(w: &mut World, severity: Severity) -> u64 {
        w.run(
            T0,
            &Actor::Anonymous,
            Command::FileReport {
                severity,
                text: "guns left on the cart".into(),
                subject: None,
                reporter_name: None,
                followup_key_hash: "ab".repeat(32),
                photos: Vec::new(),
            },
        )
        .unwrap();
        w.state.last_seq.unwrap()
    }

    fn tick(w: &mut World, minutes: i64) -> Vec<Event> {
        w.run(T0.plus_minutes(minutes), &Actor::System, Command::Tick).unwrap()
    }

    /// R-COMP-1: an unacknowledged report escalates at the deadline, then step by step, to
    /// the compliance contact, the studio safety office and the union representative.
    #[test]
    fn unacknowledged_reports_escalate_step_by_step() {
        let (mut w, _) = world();
        let id = file(&mut w, Severity::Concern);
        assert!(tick(&mut w, 119).is_empty(), "nothing before the 2-hour deadline");
        let e = tick(&mut w, 120);
        assert!(
            matches!(&e[..], [Event::ReportEscalated { report, level: EscalationLevel::ComplianceContact, to }] if *report == id && to == "contact@p")
        );
        assert!(tick(&mut w, 200).is_empty(), "one step per interval");
        let e = tick(&mut w, 240);
        assert!(
            matches!(&e[..], [Event::ReportEscalated { level: EscalationLevel::StudioSafetyOffice, to, .. }] if to == "studio@s")
        );
        let e = tick(&mut w, 360);
        assert!(
            matches!(&e[..], [Event::ReportEscalated { level: EscalationLevel::UnionRepresentative, to, .. }] if to == "union@u")
        );
        assert!(tick(&mut w, 10_000).is_empty(), "no level beyond the union representative");
    }

    #[test]
    fn an_acknowledged_report_does_not_escalate() {
        let (mut w, sam) = world();
        let id = file(&mut w, Severity::Concern);
        w.run(T0.plus_minutes(30), &sam, Command::AcknowledgeReport { report: id }).unwrap();
        assert!(tick(&mut w, 500).is_empty());
    }

    /// R-COMP-2: a critical report stops firearm work until the safety advisor reviews it.
    #[test]
    fn a_critical_report_stops_work_until_reviewed() {
        let (mut w, sam) = world();
        let id = file(&mut w, Severity::Critical);
        assert!(stops(&w.state).iter().any(|(r, _, _)| *r == RuleId::Comp2));
        w.run(T0, &sam, Command::ReviewReport { report: id, note: "checked the cart".into() }).unwrap();
        assert!(stops(&w.state).is_empty());
    }

    /// R-INC-1: a death must be reported within 8 hours; past it, the clock raises an alert
    /// once; a recorded report stops it.
    #[test]
    fn a_missed_regulator_deadline_raises_one_alert() {
        let (mut w, _) = world();
        let armorer = Actor::Admin { account: "a".into() };
        w.run(T0, &armorer, Command::AddPerson { name: "Hannah".into(), roles: BTreeSet::from([Role::Armorer]) })
            .unwrap();
        let hannah = Actor::Person { person: PersonId::parse("p-2").unwrap() };
        w.run(
            T0,
            &hannah,
            Command::ReportIncident {
                kind: IncidentKind::Injury { severity: InjurySeverity::Death },
                firearm: None,
                scene: None,
                description: "fatal".into(),
                wait_seconds: None,
            },
        )
        .unwrap();
        let incident = w.state.last_seq.unwrap();
        assert_eq!(w.state.reporting.incidents[&incident].regulator_due(), Some(T0.plus_minutes(8 * 60)));
        assert!(tick(&mut w, 8 * 60 - 1).is_empty());
        let e = tick(&mut w, 8 * 60);
        assert!(matches!(&e[..], [Event::AlertRaised { rule: RuleId::Inc1, .. }]), "{e:?}");
        assert!(tick(&mut w, 9 * 60).is_empty(), "raised once");
    }

    /// Only the safety report commands are open to people without an account, and only the
    /// clock runs the clock.
    #[test]
    fn anonymous_and_system_actors_are_limited() {
        let (mut w, person) = world();
        let err = w.run(T0, &Actor::Anonymous, Command::Tick).unwrap_err();
        assert!(matches!(err, DomainError::Forbidden(_)));
        let err = w.run(T0, &Actor::System, Command::AcknowledgeReport { report: 1 }).unwrap_err();
        assert!(matches!(err, DomainError::Forbidden(_)));
        let id = file(&mut w, Severity::Information);
        let err = w
            .run(
                T0,
                &Actor::Anonymous,
                Command::AddToReport { report: id, text: "x".into(), followup_key_hash: "cd".repeat(32) },
            )
            .unwrap_err();
        assert!(matches!(err, DomainError::Forbidden(_)), "a wrong key cannot add to a report");
        // The recorded hash is no credential: a person of the production who read it in the
        // log cannot add to the report in the reporter's name.
        let err = w
            .run(
                T0,
                &person,
                Command::AddToReport {
                    report: id,
                    text: "please disregard".into(),
                    followup_key_hash: "ab".repeat(32),
                },
            )
            .unwrap_err();
        assert!(matches!(err, DomainError::Forbidden(_)), "{err:?}");
        let e = w.run(
            T0,
            &Actor::Anonymous,
            Command::AddToReport { report: id, text: "also the safe".into(), followup_key_hash: "ab".repeat(32) },
        );
        assert!(e.is_ok());
    }
}
