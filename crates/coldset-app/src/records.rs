//! Records out (issue #21): the paper and spreadsheets producers, insurers and regulators
//! ask for, each derived from the ledger and naming the signed checkpoint it was made from,
//! with the sequence numbers of the events behind every row, so `coldset verify --record`
//! can derive it again and find any row that was changed, added or removed.
//!
//! A [`Record`] is plain data: its derivation (from the log's events up to a checkpoint)
//! fills it, and the renderers (CSV, the printable page, PDF) only lay it out. Nothing here
//! reads a clock: the time a record was made is part of the record, so the same record
//! renders to the same bytes.

mod derive;
mod sheet;
mod signed;

pub use derive::{Derived, Deriver, INCIDENT_WINDOW_MINUTES};
pub use sheet::{compare, digest, parse_csv, to_csv, CsvRecord, Difference};
pub use signed::{
    is_signed_table, signed_tables, Completeness, SignedCheck, SignedRows, SourceCheckpoint, CHECKPOINTS_TABLE,
    COSIGNATURES_TABLE,
};

use crate::ports::{StoreError, StoredCheckpoint, StoredEvent};
use crate::App;
use coldset_domain::ids::ProductionId;
use coldset_domain::{Date, Envelope, Timestamp};
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
    /// The production's policy, meetings, plans, overrides, reports, and the signed
    /// checkpoints with their witnesses' cosignatures.
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
    /// What the record was asked for (its day, period, incident or hand-off): with the kind
    /// and the checkpoint, all a verifier needs to derive it again.
    pub params: Params,
    pub checkpoint: CheckpointRef,
    pub tables: Vec<Table>,
    pub photos: Vec<Photo>,
    /// The address that opens this record's verification (the configured public URL when
    /// there is one, else a path): each PDF page carries it as a QR code.
    pub verify_url: String,
}

/// A walk over a production's log from its first event: calls the visitor with each event
/// in order, and stops when the visitor returns an error (`App::for_each_event`, or a
/// store's).
pub type Walk<'a> = dyn FnMut(&mut dyn FnMut(StoredEvent) -> Result<(), StoreError>) -> Result<(), StoreError> + 'a;

/// The longest period a record may cover (days).
pub const MAX_PERIOD_DAYS: i64 = 366;

/// What a record covers: a day, a period, an incident or a hand-off (by their event).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pub day: Option<Date>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// The incident's event (its `incident.reported`).
    pub incident: Option<u64>,
    /// The hand-off's event (its `firearm.handed_off`).
    pub seq: Option<u64>,
}

impl Params {
    /// Reads `day`, `from`, `to`, `incident` and `seq` (a query string's, or the CLI's).
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Result<Params, RecordError> {
        let date = |name: &str| -> Result<Option<Date>, RecordError> {
            match get(name).filter(|v| !v.trim().is_empty()) {
                None => Ok(None),
                Some(v) => coldset_domain::time::parse_date(&v).map(Some).map_err(RecordError::invalid),
            }
        };
        let number = |name: &str| -> Result<Option<u64>, RecordError> {
            match get(name).filter(|v| !v.trim().is_empty()) {
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| RecordError::invalid(format!("{name} must be an event number, not '{v}'"))),
            }
        };
        Ok(Params {
            day: date("day")?,
            from: date("from")?,
            to: date("to")?,
            incident: number("incident")?,
            seq: number("seq")?,
        })
    }

    /// Whether these parameters make sense for `kind`, with a message fit for a person.
    pub fn check(&self, kind: RecordKind) -> Result<(), RecordError> {
        if self.day.is_some() && (self.from.is_some() || self.to.is_some()) {
            return Err(RecordError::invalid("give a day or a period (from and to), not both"));
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from > to {
                return Err(RecordError::invalid(format!("the period starts ({from}) after it ends ({to})")));
            }
            let days = (to - from).get_days() as i64;
            if days >= MAX_PERIOD_DAYS {
                return Err(RecordError::invalid(format!(
                    "a record covers at most {MAX_PERIOD_DAYS} days; ask for {from} to {to} a year at a time"
                )));
            }
        }
        let period = self.day.is_some() || self.from.is_some() || self.to.is_some();
        let needs = |what: &str| RecordError::invalid(format!("the {} needs {what}", kind.title().to_lowercase()));
        match kind {
            RecordKind::DailyLog if self.day.is_none() && (self.from.is_none() || self.to.is_none()) => {
                return Err(needs("a day (day=YYYY-MM-DD) or a period (from= and to=)"));
            }
            RecordKind::IncidentPack if self.incident.is_none() => {
                return Err(needs("the incident's event number (incident=N)"));
            }
            RecordKind::HandOffReceipt if self.seq.is_none() => {
                return Err(needs("the hand-off's event number (seq=N)"))
            }
            RecordKind::WeaponRegister | RecordKind::TrainingRegister if period => {
                return Err(RecordError::invalid(format!(
                    "the {} covers the whole log up to its checkpoint; it takes no day or period",
                    kind.title().to_lowercase()
                )));
            }
            _ => {}
        }
        if self.incident.is_some() && kind != RecordKind::IncidentPack {
            return Err(RecordError::invalid("incident= is for the incident pack only"));
        }
        if self.seq.is_some() && kind != RecordKind::HandOffReceipt {
            return Err(RecordError::invalid("seq= is for the hand-off receipt only"));
        }
        Ok(())
    }

    /// The query string of these parameters (`day=2026-12-07`, ...), without `?`.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(d) = self.day {
            parts.push(format!("day={d}"));
        }
        if let Some(d) = self.from {
            parts.push(format!("from={d}"));
        }
        if let Some(d) = self.to {
            parts.push(format!("to={d}"));
        }
        if let Some(n) = self.incident {
            parts.push(format!("incident={n}"));
        }
        if let Some(n) = self.seq {
            parts.push(format!("seq={n}"));
        }
        parts.join("&")
    }

    /// What the record covers, in words.
    pub fn scope(&self, size: u64) -> String {
        if let Some(d) = self.day {
            return d.strftime("%A %-d %B %Y").to_string();
        }
        if let Some(n) = self.incident {
            return format!("Incident at event {n}");
        }
        if let Some(n) = self.seq {
            return format!("Hand-off at event {n}");
        }
        match (self.from, self.to) {
            (Some(f), Some(t)) => format!("{} \u{2013} {}", f.strftime("%-d %b %Y"), t.strftime("%-d %b %Y")),
            (Some(f), None) => format!("From {} to event {size}", f.strftime("%-d %b %Y")),
            (None, Some(t)) => format!("Until {}", t.strftime("%-d %b %Y")),
            (None, None) => format!("The whole log, {size} events"),
        }
    }
}

/// Why a record could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The request does not make sense (a bad day, a period too long, a missing incident).
    #[error("{0}")]
    Invalid(String),
    /// The incident or hand-off asked for is not in the log.
    #[error("{0}")]
    NotFound(String),
    /// Nothing signed yet to make the record from.
    #[error("no signed checkpoint of this production yet: records are made from one (try again in a few seconds)")]
    NoCheckpoint,
    #[error("{0}")]
    Store(String),
}

impl RecordError {
    pub fn invalid(m: impl Into<String>) -> Self {
        RecordError::Invalid(m.into())
    }

    pub fn not_found(m: impl Into<String>) -> Self {
        RecordError::NotFound(m.into())
    }
}

/// The signing key's name and id (`name+hex8`) of a signed note's first signature line.
pub fn note_key(note: &str) -> String {
    use base64::Engine as _;
    let sigs = note.split_once("\n\n").map_or("", |(_, s)| s);
    for line in sigs.lines() {
        let Some(rest) = line.strip_prefix("\u{2014} ") else { continue };
        let Some((name, sig)) = rest.split_once(' ') else { continue };
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(sig.trim()) {
            if bytes.len() >= 4 {
                return format!("{name}+{}", hex::encode(&bytes[..4]));
            }
        }
    }
    String::new()
}

/// The checkpoint as a record names it.
pub fn checkpoint_ref(cp: &StoredCheckpoint) -> CheckpointRef {
    use base64::Engine as _;
    let origin = cp.note.lines().next().unwrap_or_default().to_owned();
    CheckpointRef {
        origin,
        size: cp.size,
        root: base64::engine::general_purpose::STANDARD.encode(cp.root),
        key: note_key(&cp.note),
        note: cp.note.clone(),
    }
}

/// Derives a record's tables from the first `size` events a walk gives, in order: the one
/// derivation the server, the CLI and the verifier share.
pub fn derive_from(
    kind: RecordKind,
    params: &Params,
    production: &ProductionId,
    size: u64,
    walk: &mut Walk<'_>,
) -> Result<Derived, RecordError> {
    let mut deriver = Deriver::new(kind, params)?;
    let mut seen = 0u64;
    let mut bad: Option<String> = None;
    let result = walk(&mut |ev| {
        if ev.seq >= size {
            return Err(StoreError::Conflict("end of the checkpoint".into()));
        }
        let env = match Envelope::decode(&ev.bytes) {
            Ok(env) => env,
            Err(e) => {
                bad = Some(format!("event {}: {e}", ev.seq));
                return Err(StoreError::Corrupt(e.to_string()));
            }
        };
        if env.seq != seen || &env.production != production {
            bad = Some(format!("event {}: its content says production {} event {}", seen, env.production, env.seq));
            return Err(StoreError::Corrupt("out of order".into()));
        }
        deriver.push(&env);
        seen += 1;
        Ok(())
    });
    if let Some(bad) = bad {
        return Err(RecordError::Store(bad));
    }
    match result {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) if seen == size => {}
        Err(e) => return Err(RecordError::Store(e.to_string())),
    }
    if seen != size {
        return Err(RecordError::Store(format!("the log holds {seen} events, the checkpoint {size}")));
    }
    deriver.finish()
}

/// The address that opens a record's verification: the page derives the record again at
/// the checkpoint of `size` events and says whether its rows still hash to `digest`.
pub fn verify_url(
    base: &str,
    production: &ProductionId,
    kind: RecordKind,
    params: &Params,
    size: u64,
    digest: &str,
) -> String {
    let query = params.query();
    let sep = if query.is_empty() { "" } else { "&" };
    format!("{}/p/{production}/records/{}?{query}{sep}at={size}&h={digest}", base.trim_end_matches('/'), kind.slug())
}

/// A record as JSON (the API's `format=json`).
pub fn to_json(record: &Record) -> serde_json::Value {
    serde_json::json!({
        "kind": record.kind,
        "production": record.production,
        "production_name": record.production_name,
        "scope": record.scope,
        "time_zone": record.time_zone,
        "made_at": record.made_at,
        "params": {
            "day": record.params.day.map(|d| d.to_string()),
            "from": record.params.from.map(|d| d.to_string()),
            "to": record.params.to.map(|d| d.to_string()),
            "incident": record.params.incident,
            "seq": record.params.seq,
        },
        "checkpoint": record.checkpoint,
        "verify_url": record.verify_url,
        "tables": record.tables,
    })
}

/// A record made from a checkpoint, given the walk over its log.
#[allow(clippy::too_many_arguments)]
pub fn make(
    kind: RecordKind,
    params: &Params,
    production: &ProductionId,
    checkpoint: &StoredCheckpoint,
    made_at: Timestamp,
    base_url: &str,
    walk: &mut Walk<'_>,
) -> Result<Record, RecordError> {
    let derived = derive_from(kind, params, production, checkpoint.size, walk)?;
    let digest = digest(&derived.tables);
    Ok(Record {
        kind,
        production: production.clone(),
        scope: params.scope(checkpoint.size),
        made_at: crate::history::local_time_in(&derived.time_zone, made_at),
        time_zone: derived.time_zone,
        production_name: derived.production_name,
        params: params.clone(),
        checkpoint: checkpoint_ref(checkpoint),
        tables: derived.tables,
        photos: Vec::new(),
        verify_url: verify_url(base_url, production, kind, params, checkpoint.size, &digest),
    })
}

/// The hashes of the photos an incident pack's rows list, in order.
pub fn photo_hashes(record: &Record) -> Vec<String> {
    record
        .tables
        .iter()
        .filter(|t| t.name == "photos")
        .flat_map(|t| t.rows.iter().filter_map(|r| r.cells.last().cloned()))
        .collect()
}

/// The incident pack carries the photos whose hashes its rows list (the files are stored
/// beside the log, by hash; one `file` does not give, or whose bytes do not hash to it, is
/// listed by its hash alone). `file` gives a hash's media type and bytes: the store's, or
/// for `verify --record` the files a PDF carries.
pub fn add_photos(record: &mut Record, mut file: impl FnMut(&str) -> Option<(String, Vec<u8>)>) {
    use sha2::Digest as _;
    for hash in photo_hashes(record) {
        let Some((media_type, bytes)) = file(&hash) else { continue };
        if hex::encode(sha2::Sha256::digest(&bytes)) != hash {
            continue;
        }
        record.photos.push(Photo {
            caption: format!("Photo {}", &hash[..hash.len().min(12)]),
            sha256: hash,
            media_type,
            bytes,
        });
    }
}

/// The compliance pack's checkpoints (up to its own) and their witnesses' cosignatures,
/// after its derived tables (signed.rs).
pub fn add_signed_tables(record: &mut Record, checkpoints: &[StoredCheckpoint], cosigned: &[String]) {
    let tables = signed_tables(&record.time_zone, &record.params, record.checkpoint.size, checkpoints, cosigned);
    record.tables.extend(tables);
}

impl App {
    /// A record of `production` made from its latest signed checkpoint (not the live head:
    /// a record holds what a signature covers). `at`: a checkpoint of exactly that size
    /// instead (the verification page's). Reads the log from its start: run it on a
    /// blocking thread.
    pub fn record(
        &self,
        production: &ProductionId,
        kind: RecordKind,
        params: &Params,
        at: Option<u64>,
        base_url: &str,
    ) -> Result<Record, RecordError> {
        params.check(kind)?;
        let store = |e: crate::AppError| RecordError::Store(e.to_string());
        let checkpoint = match at {
            None => self.latest_checkpoint(production).map_err(store)?.ok_or(RecordError::NoCheckpoint)?,
            Some(size) => self
                .checkpoint_at(production, size)
                .map_err(store)?
                .ok_or_else(|| RecordError::not_found(format!("no checkpoint of {size} events was signed")))?,
        };
        let now = self.now();
        let mut record =
            make(kind, params, production, &checkpoint, now, base_url, &mut |f| self.for_each_event(production, 0, f))?;
        if kind == RecordKind::CompliancePack {
            let checkpoints = self.checkpoints(production).map_err(store)?;
            let cosigned = self.cosigned_notes(production).map_err(store)?;
            add_signed_tables(&mut record, &checkpoints, &cosigned);
        }
        add_photos(&mut record, |hash| self.attachment(hash).ok().flatten().map(|f| (f.content_type, f.bytes)));
        Ok(record)
    }
}
