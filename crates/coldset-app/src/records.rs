//! Records out (issue #21): the paper and spreadsheets producers, insurers and regulators
//! ask for, each derived from the ledger and naming the signed checkpoint it was made from,
//! with the sequence numbers of the events behind every row, so `coldset verify --record`
//! can derive it again and find any row that was changed, added or removed.
//!
//! A [`Record`] is plain data: its derivation (from the log's events up to a checkpoint)
//! fills it, and the renderers (CSV, the printable page, PDF) only lay it out. Nothing here
//! reads a clock: the time a record was made is part of the record, so the same record
//! renders to the same bytes.

use coldset_domain::ids::ProductionId;
use serde::{Deserialize, Serialize};

/// Which record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordKind {
    /// The daily firearms log: every custody step of a day.
    DailyLog,
    /// The weapon register (bound-book style): acquisition, disposition, where each is now.
    WeaponRegister,
    /// Lots, suppliers, verification, quantities in and out, discrepancies.
    AmmunitionRegister,
    /// Who holds which credential and training, until when; call lists and their cover.
    TrainingRegister,
    /// One incident: its window's events, frozen evidence, statements, investigation.
    IncidentPack,
    /// The production's policy, meetings, plans, overrides, reports, checkpoints.
    CompliancePack,
    /// One hand-off, as the performer who received the firearm keeps it.
    HandOffReceipt,
}

impl RecordKind {
    pub const ALL: [RecordKind; 7] = [
        RecordKind::DailyLog,
        RecordKind::WeaponRegister,
        RecordKind::AmmunitionRegister,
        RecordKind::TrainingRegister,
        RecordKind::IncidentPack,
        RecordKind::CompliancePack,
        RecordKind::HandOffReceipt,
    ];

    /// The name in addresses, file names and the CLI (`daily-log`, ...).
    pub fn slug(self) -> &'static str {
        match self {
            RecordKind::DailyLog => "daily-log",
            RecordKind::WeaponRegister => "weapon-register",
            RecordKind::AmmunitionRegister => "ammunition-register",
            RecordKind::TrainingRegister => "training-register",
            RecordKind::IncidentPack => "incident-pack",
            RecordKind::CompliancePack => "compliance-pack",
            RecordKind::HandOffReceipt => "hand-off-receipt",
        }
    }

    /// The title printed at the top of the record.
    pub fn title(self) -> &'static str {
        match self {
            RecordKind::DailyLog => "Daily firearms log",
            RecordKind::WeaponRegister => "Weapon register",
            RecordKind::AmmunitionRegister => "Ammunition register",
            RecordKind::TrainingRegister => "Training and credentials register",
            RecordKind::IncidentPack => "Incident pack",
            RecordKind::CompliancePack => "Compliance pack",
            RecordKind::HandOffReceipt => "Hand-off receipt",
        }
    }

    pub fn parse(slug: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.slug() == slug)
    }
}

/// The signed checkpoint a record was made from: the record holds exactly the first `size`
/// events of the production's log, whose Merkle root is `root`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointRef {
    /// The checkpoint's origin line (installation key name and production).
    pub origin: String,
    pub size: u64,
    /// The root hash, base64 as in the signed note.
    pub root: String,
    /// The signing key's name and id as the note's signature line names them
    /// (`name+hex8`), so a reader can tell which key to check it with.
    pub key: String,
    /// The whole signed note, so the record can be checked offline against the public key.
    pub note: String,
}

/// A column of a table: its stable name (the CSV header, documented in docs/records.md),
/// the heading printed above it, and its share of the printed width.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub label: String,
    /// Relative width on paper (the columns' widths are shared out in these proportions).
    pub width: u16,
}

/// One row: its cells (one per column, as printed) and the sequence numbers of the events
/// it was derived from, in ascending order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub cells: Vec<String>,
    pub events: Vec<u64>,
}

/// One table of a record (a register is one table; a pack has several).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Stable name (`steps`, `evidence`, ...), used in the CSV of a record with several.
    pub name: String,
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// A photo a record shows (frozen evidence of an incident), by its content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// The SHA-256 the ledger recorded, hex.
    pub sha256: String,
    pub caption: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// A record, ready to be laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: RecordKind,
    pub production: ProductionId,
    pub production_name: String,
    /// What the record covers, in words ("Monday 7 December 2026", "1 Nov – 30 Nov 2026",
    /// "Incident 3", "Hand-off at event 1234").
    pub scope: String,
    /// The production's time zone (IANA name); every time in the record is in it.
    pub time_zone: String,
    /// When the record was made, in the production's zone, to the minute.
    pub made_at: String,
    pub checkpoint: CheckpointRef,
    pub tables: Vec<Table>,
    pub photos: Vec<Photo>,
    /// The address that opens this record's verification (the configured public URL when
    /// there is one, else a path): each PDF page carries it as a QR code.
    pub verify_url: String,
}
