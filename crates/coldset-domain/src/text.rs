//! Free text and quantities people type in. Every free-text field of every command is one
//! [`Text`]: single-line (names, serials, labels, references) or multi-line prose (reports,
//! notes, statements, meeting records, plans), each with a maximum length in characters.
//! Control characters other than line breaks and tabs are refused everywhere; line breaks
//! only in prose. Everything recorded here stays in the permanent log, so the limits also keep
//! one person from filling it (issue #14, item 4). The table of fields is [`ALL`], listed in
//! docs/rules.md ("Text fields and quantities").

use crate::error::{invalid, DomainError};

/// Whether a field is one line or prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One line: no line breaks (names, serials, labels, references).
    Line,
    /// Prose: line breaks allowed (reports, notes, statements, meeting records).
    Prose,
}

/// One free-text field: its name in refusals, its shape and its maximum length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub field: &'static str,
    pub shape: Shape,
    /// Maximum length in characters (Unicode scalar values), after trimming.
    pub max: usize,
}

impl Text {
    pub const fn line(field: &'static str, max: usize) -> Text {
        Text { field, shape: Shape::Line, max }
    }

    pub const fn prose(field: &'static str, max: usize) -> Text {
        Text { field, shape: Shape::Prose, max }
    }

    /// What is wrong with `value` (already trimmed and normalised), if anything.
    pub fn problem(&self, value: &str) -> Option<String> {
        if value.chars().count() > self.max {
            return Some(format!("is longer than {} characters", self.max));
        }
        for c in value.chars() {
            let line_break = matches!(c, '\n' | '\u{2028}' | '\u{2029}');
            if line_break && self.shape == Shape::Line {
                return Some("must be a single line".into());
            }
            // Tabs are harmless in both shapes; every other control character (NUL, escape
            // sequences, carriage returns left alone, DEL, C1 controls) is refused.
            if c.is_control() && c != '\t' && c != '\n' {
                return Some(format!("must not contain control characters (found U+{:04X})", u32::from(c)));
            }
        }
        None
    }

    /// Trims; prose has its line endings made `\n` (browsers send `\r\n`).
    fn normalise(&self, value: &str) -> String {
        let v = value.trim();
        match self.shape {
            Shape::Line => v.to_owned(),
            Shape::Prose => v.replace("\r\n", "\n").replace('\r', "\n"),
        }
    }

    /// A field that must be given.
    pub fn required(&self, value: &str) -> Result<String, DomainError> {
        let v = self.normalise(value);
        if v.is_empty() {
            return Err(invalid(self.field, "is required"));
        }
        match self.problem(&v) {
            Some(p) => Err(invalid(self.field, p)),
            None => Ok(v),
        }
    }

    /// A field that may be left empty (empty after trimming gives `None`).
    pub fn optional(&self, value: &str) -> Result<Option<String>, DomainError> {
        let v = self.normalise(value);
        if v.is_empty() {
            return Ok(None);
        }
        match self.problem(&v) {
            Some(p) => Err(invalid(self.field, p)),
            None => Ok(Some(v)),
        }
    }

    /// A field that may be empty, kept as an empty string (where the record has no option).
    pub fn or_empty(&self, value: &str) -> Result<String, DomainError> {
        Ok(self.optional(value)?.unwrap_or_default())
    }
}

/// Every free-text field the decider checks. The names are what a refusal names.
pub mod fields {
    use super::Text;

    // Production, people, places.
    pub const PRODUCTION_NAME: Text = Text::line("name", 200);
    pub const TIME_ZONE: Text = Text::line("time_zone", 64);
    pub const COMPLIANCE_CONTACT: Text = Text::line("compliance_contact", 300);
    pub const PERSON_NAME: Text = Text::line("name", 200);
    pub const CREDENTIAL_NUMBER: Text = Text::line("credential.number", 100);
    pub const CREDENTIAL_ISSUER: Text = Text::line("credential.issuer", 200);
    pub const SUPPLIER: Text = Text::line("supplier", 200);
    pub const LOCATION_NAME: Text = Text::line("name", 200);
    pub const STUDIO_SAFETY_OFFICE: Text = Text::line("studio_safety_office", 300);
    pub const UNION_REPRESENTATIVE: Text = Text::line("union_representative", 300);
    pub const RECIPIENT: Text = Text::line("addresses", 254);
    // Firearms.
    pub const MAKE: Text = Text::line("make", 100);
    pub const MODEL: Text = Text::line("model", 100);
    pub const SERIAL: Text = Text::line("serial", 100);
    pub const CALIBRE: Text = Text::line("calibre", 50);
    pub const CONDITION: Text = Text::prose("condition", 500);
    pub const PARTY_NAME: Text = Text::line("party.name", 200);
    pub const PARTY_LICENCE: Text = Text::line("party.licence", 100);
    pub const PARTY_DOCUMENT: Text = Text::line("party.document", 200);
    pub const WITHDRAW_REASON: Text = Text::prose("reason", 1000);
    pub const REPAIRED_BY: Text = Text::line("repaired_by", 200);
    pub const REPAIR_NOTES: Text = Text::prose("notes", 2000);
    pub const CORRECTION_REASON: Text = Text::prose("reason", 1000);
    pub const INSPECTION_FAULT: Text = Text::prose("fault", 1000);
    pub const COMPETENCE_NOTES: Text = Text::prose("notes", 2000);
    // Ammunition.
    pub const LABEL: Text = Text::line("label", 64);
    pub const CONTAINER_LABEL: Text = Text::line("container_label", 64);
    pub const BLANK_LOAD: Text = Text::line("class.load", 40);
    pub const PROVENANCE_SUPPLIER: Text = Text::line("provenance.supplier", 200);
    pub const PROVENANCE_DOCUMENT: Text = Text::line("provenance.document", 200);
    pub const PROVENANCE_HEADSTAMP: Text = Text::line("provenance.headstamp", 100);
    pub const PREVIOUS_PRODUCTION: Text = Text::line("provenance.previous_production", 200);
    pub const DISCREPANCY_EXPLANATION: Text = Text::prose("explanation", 2000);
    pub const TRANSPORT_FROM: Text = Text::line("from", 200);
    pub const TRANSPORT_TO: Text = Text::line("to", 200);
    // Scenes, plans, meetings, the day.
    pub const SCENE_NUMBER: Text = Text::line("number", 20);
    pub const SCENE_DESCRIPTION: Text = Text::prose("description", 1000);
    pub const RISK_ASSESSMENT: Text = Text::prose("plan.risk_assessment", 10_000);
    pub const REAL_FIREARM_REASON: Text = Text::prose("plan.items.real_firearm_reason", 1000);
    pub const REVISION_REASON: Text = Text::prose("reason", 1000);
    pub const AGENDA_ITEM: Text = Text::prose("agenda", 2000);
    pub const DECLINE_REASON: Text = Text::prose("reason", 1000);
    pub const MEDIC: Text = Text::line("call_sheet.medics", 200);
    pub const ALERT_NOTE: Text = Text::prose("note", 2000);
    pub const HOLD_REASON: Text = Text::prose("reason", 1000);
    pub const HOLD_NOTE: Text = Text::prose("note", 2000);
    pub const OVERRIDE_REASON: Text = Text::prose("reason", 2000);
    // Reports and incidents.
    pub const NOTICE_REFERENCE: Text = Text::line("reference", 500);
    pub const REPORT_TEXT: Text = Text::prose("text", 10_000);
    pub const REPORTER_NAME: Text = Text::line("reporter_name", 200);
    pub const REPORT_ANSWER: Text = Text::prose("text", 10_000);
    pub const REVIEW_NOTE: Text = Text::prose("note", 10_000);
    pub const CORRECTIVE_ACTION: Text = Text::prose("corrective_action", 10_000);
    pub const INCIDENT_DESCRIPTION: Text = Text::prose("description", 10_000);
    pub const REGULATOR_REFERENCE: Text = Text::line("reference", 500);
    pub const CAUSE: Text = Text::prose("cause", 10_000);
    pub const RELEASE_NOTE: Text = Text::prose("note", 10_000);
    pub const EXCEPTION_REFERENCE: Text = Text::line("reference", 500);
}

/// The whole table, for tests and documentation: (constant name, field).
pub const ALL: &[(&str, Text)] = {
    use fields::*;
    &[
        ("PRODUCTION_NAME", PRODUCTION_NAME),
        ("TIME_ZONE", TIME_ZONE),
        ("COMPLIANCE_CONTACT", COMPLIANCE_CONTACT),
        ("PERSON_NAME", PERSON_NAME),
        ("CREDENTIAL_NUMBER", CREDENTIAL_NUMBER),
        ("CREDENTIAL_ISSUER", CREDENTIAL_ISSUER),
        ("SUPPLIER", SUPPLIER),
        ("LOCATION_NAME", LOCATION_NAME),
        ("STUDIO_SAFETY_OFFICE", STUDIO_SAFETY_OFFICE),
        ("UNION_REPRESENTATIVE", UNION_REPRESENTATIVE),
        ("RECIPIENT", RECIPIENT),
        ("MAKE", MAKE),
        ("MODEL", MODEL),
        ("SERIAL", SERIAL),
        ("CALIBRE", CALIBRE),
        ("CONDITION", CONDITION),
        ("PARTY_NAME", PARTY_NAME),
        ("PARTY_LICENCE", PARTY_LICENCE),
        ("PARTY_DOCUMENT", PARTY_DOCUMENT),
        ("WITHDRAW_REASON", WITHDRAW_REASON),
        ("REPAIRED_BY", REPAIRED_BY),
        ("REPAIR_NOTES", REPAIR_NOTES),
        ("CORRECTION_REASON", CORRECTION_REASON),
        ("INSPECTION_FAULT", INSPECTION_FAULT),
        ("COMPETENCE_NOTES", COMPETENCE_NOTES),
        ("LABEL", LABEL),
        ("CONTAINER_LABEL", CONTAINER_LABEL),
        ("BLANK_LOAD", BLANK_LOAD),
        ("PROVENANCE_SUPPLIER", PROVENANCE_SUPPLIER),
        ("PROVENANCE_DOCUMENT", PROVENANCE_DOCUMENT),
        ("PROVENANCE_HEADSTAMP", PROVENANCE_HEADSTAMP),
        ("PREVIOUS_PRODUCTION", PREVIOUS_PRODUCTION),
        ("DISCREPANCY_EXPLANATION", DISCREPANCY_EXPLANATION),
        ("TRANSPORT_FROM", TRANSPORT_FROM),
        ("TRANSPORT_TO", TRANSPORT_TO),
        ("SCENE_NUMBER", SCENE_NUMBER),
        ("SCENE_DESCRIPTION", SCENE_DESCRIPTION),
        ("RISK_ASSESSMENT", RISK_ASSESSMENT),
        ("REAL_FIREARM_REASON", REAL_FIREARM_REASON),
        ("REVISION_REASON", REVISION_REASON),
        ("AGENDA_ITEM", AGENDA_ITEM),
        ("DECLINE_REASON", DECLINE_REASON),
        ("MEDIC", MEDIC),
        ("ALERT_NOTE", ALERT_NOTE),
        ("HOLD_REASON", HOLD_REASON),
        ("HOLD_NOTE", HOLD_NOTE),
        ("OVERRIDE_REASON", OVERRIDE_REASON),
        ("NOTICE_REFERENCE", NOTICE_REFERENCE),
        ("REPORT_TEXT", REPORT_TEXT),
        ("REPORTER_NAME", REPORTER_NAME),
        ("REPORT_ANSWER", REPORT_ANSWER),
        ("REVIEW_NOTE", REVIEW_NOTE),
        ("CORRECTIVE_ACTION", CORRECTIVE_ACTION),
        ("INCIDENT_DESCRIPTION", INCIDENT_DESCRIPTION),
        ("REGULATOR_REFERENCE", REGULATOR_REFERENCE),
        ("CAUSE", CAUSE),
        ("RELEASE_NOTE", RELEASE_NOTE),
        ("EXCEPTION_REFERENCE", EXCEPTION_REFERENCE),
    ]
};

/// Sane bounds for quantities. A lot of 4,294,967,295 rounds is a typing error (or an
/// attack on the log), never a delivery.
pub mod limits {
    /// Rounds in one lot at intake.
    pub const MAX_LOT_ROUNDS: u32 = 50_000;
    /// Rounds in one firearm load, and rounds fired or returned at an unload (a drum
    /// magazine holds about 100; 1,000 leaves room for belts).
    pub const MAX_LOAD_ROUNDS: u32 = 1_000;
    /// One line of a day-open or day-close count.
    pub const MAX_COUNT: u64 = 1_000_000;
    /// Seconds waited after a misfire (an hour is far beyond any policy).
    pub const MAX_WAIT_SECONDS: u32 = 3_600;
    /// Photos per anonymous report.
    pub const MAX_PHOTOS: usize = 5;
}
