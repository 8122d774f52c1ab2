//! A record as CSV (docs/records.md): UTF-8, sections of rows, each section a header row
//! whose first cell is `table` and the table's rows, whose first cell is the table's name
//! and whose last cell (`events`) holds the sequence numbers of the events behind the row.
//! The last section, `record`, is the record's identity (kind, production, what it
//! covers, the checkpoint with its signed note), one `field,value` a row, so the file
//! alone, the production's key and the log are all `coldset verify --record` needs.

use super::{CheckpointRef, Params, Record, RecordError, RecordKind, Table};
use crate::import::guard;
use coldset_domain::ids::ProductionId;

/// The name of the identity section.
pub const RECORD_TABLE: &str = "record";

fn events_cell(events: &[u64]) -> String {
    events.iter().map(u64::to_string).collect::<Vec<_>>().join(" ")
}

/// The rows of the record's tables as the CSV holds them (cells guarded against formulas),
/// without the identity section.
fn table_lines(record: &Record) -> Vec<Vec<String>> {
    lines_of(&record.tables)
}

/// A short fingerprint of a record's rows (SHA-256 of their CSV lines, first 16 hex
/// digits): the verification link carries it, so the page can tell the paper in hand from
/// the record derived again. The signed tables (checkpoints and cosignatures, signed.rs)
/// are left out: they are checked by their signatures, and a witness may cosign after the
/// record was made.
pub fn digest(tables: &[Table]) -> String {
    use sha2::Digest as _;
    let derived: Vec<Table> = tables.iter().filter(|t| !super::signed::is_signed_table(&t.name)).cloned().collect();
    let mut h = sha2::Sha256::new();
    for line in lines_of(&derived) {
        for cell in line {
            h.update(cell.as_bytes());
            h.update([0x1f]);
        }
        h.update([0x1e]);
    }
    hex::encode(&h.finalize()[..8])
}

fn lines_of(tables: &[Table]) -> Vec<Vec<String>> {
    let mut lines = Vec::new();
    for t in tables {
        let mut header = vec!["table".to_owned()];
        header.extend(t.columns.iter().map(|c| c.name.clone()));
        header.push("events".into());
        lines.push(header);
        for row in &t.rows {
            let mut line = vec![t.name.clone()];
            line.extend(row.cells.iter().map(|c| guard(c)));
            line.push(events_cell(&row.events));
            lines.push(line);
        }
    }
    lines
}

fn identity_lines(record: &Record) -> Vec<Vec<String>> {
    let mut fields: Vec<(&str, String)> = vec![
        ("kind", record.kind.slug().into()),
        ("production", record.production.to_string()),
        ("production_name", record.production_name.clone()),
        ("scope", record.scope.clone()),
    ];
    let p = &record.params;
    for (name, value) in [
        ("day", p.day.map(|d| d.to_string())),
        ("from", p.from.map(|d| d.to_string())),
        ("to", p.to.map(|d| d.to_string())),
        ("incident", p.incident.map(|n| n.to_string())),
        ("seq", p.seq.map(|n| n.to_string())),
    ] {
        if let Some(v) = value {
            fields.push((name, v));
        }
    }
    fields.extend([
        ("time_zone", record.time_zone.clone()),
        ("made_at", record.made_at.clone()),
        ("checkpoint_origin", record.checkpoint.origin.clone()),
        ("checkpoint_size", record.checkpoint.size.to_string()),
        ("checkpoint_root", record.checkpoint.root.clone()),
        ("checkpoint_key", record.checkpoint.key.clone()),
        ("checkpoint_note", record.checkpoint.note.clone()),
        ("verify_url", record.verify_url.clone()),
    ]);
    let mut lines = vec![vec!["table".to_owned(), "field".into(), "value".into()]];
    for (name, value) in fields {
        lines.push(vec![RECORD_TABLE.into(), name.into(), guard(&value)]);
    }
    lines
}

/// The record's CSV bytes.
pub fn to_csv(record: &Record) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    for line in table_lines(record).into_iter().chain(identity_lines(record)) {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(&line);
    }
    w.into_inner().unwrap_or_default()
}

/// A record's CSV as read back: its identity and its table rows, as written.
#[derive(Debug, Clone)]
pub struct CsvRecord {
    pub kind: RecordKind,
    pub production: ProductionId,
    pub production_name: String,
    pub params: Params,
    pub time_zone: String,
    pub made_at: String,
    pub checkpoint: CheckpointRef,
    pub verify_url: String,
    pub scope: String,
    /// Every line of the file before the identity section.
    pub lines: Vec<Vec<String>>,
}

/// Reads a record's CSV (one `coldset` wrote; a spreadsheet that saved it again keeps it
/// readable as long as it keeps the cells).
pub fn parse_csv(bytes: &[u8]) -> Result<CsvRecord, RecordError> {
    let bad = |m: String| RecordError::invalid(format!("not a coldset record: {m}"));
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut lines: Vec<Vec<String>> = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| bad(format!("line {}: {e}", i + 1)))?;
        lines.push(rec.iter().map(str::to_owned).collect());
    }
    let start = lines
        .iter()
        .rposition(|l| l.len() == 3 && l[0] == "table" && l[1] == "field" && l[2] == "value")
        .ok_or_else(|| bad("it has no identity section (the 'record' rows at its end)".into()))?;
    let identity: Vec<Vec<String>> = lines.split_off(start);
    let field = |name: &str| -> Option<String> {
        identity.iter().skip(1).find(|l| l.len() >= 3 && l[0] == RECORD_TABLE && l[1] == name).map(|l| unguard(&l[2]))
    };
    let need = |name: &str| field(name).ok_or_else(|| bad(format!("its identity has no '{name}'")));
    let kind = RecordKind::parse(&need("kind")?).ok_or_else(|| bad("unknown kind".into()))?;
    let production = ProductionId::parse(&need("production")?).map_err(|e| bad(e.to_string()))?;
    let params = Params::parse(field)?;
    let size = need("checkpoint_size")?.parse().map_err(|_| bad("checkpoint_size is not a number".into()))?;
    Ok(CsvRecord {
        kind,
        production,
        production_name: need("production_name")?,
        params,
        time_zone: need("time_zone")?,
        made_at: need("made_at")?,
        checkpoint: CheckpointRef {
            origin: need("checkpoint_origin")?,
            size,
            root: need("checkpoint_root")?,
            key: need("checkpoint_key")?,
            note: need("checkpoint_note")?,
        },
        verify_url: field("verify_url").unwrap_or_default(),
        scope: field("scope").unwrap_or_default(),
        lines,
    })
}

/// Undoes [`guard`] (`'=x` is `=x`).
pub(crate) fn unguard(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

/// The first difference between a record's rows as derived again and as found in a file,
/// named for a person: which table, which row, which column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference(pub String);

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where each line sits: (table, header, row number within its table counting from 1).
fn positions(lines: &[Vec<String>]) -> Vec<(String, Option<usize>)> {
    let mut out = Vec::with_capacity(lines.len());
    let mut current = String::new();
    let mut n = 0usize;
    for (i, line) in lines.iter().enumerate() {
        if line.first().is_some_and(|c| c == "table") {
            // A header: its table is the one its next line names, if any.
            current = lines.get(i + 1).and_then(|l| l.first()).filter(|c| *c != "table").cloned().unwrap_or_default();
            n = 0;
            out.push((current.clone(), None));
        } else {
            if line.first() != Some(&current) {
                current = line.first().cloned().unwrap_or_default();
                n = 0;
            }
            n += 1;
            out.push((current.clone(), Some(n)));
        }
    }
    out
}

fn describe(line: &[String], at: &(String, Option<usize>)) -> String {
    match at.1 {
        None => format!("the header of table '{}'", at.0),
        Some(n) => {
            let events = line.last().map(String::as_str).unwrap_or("");
            format!("table '{}' row {n} (events {events})", at.0)
        }
    }
}

/// Compares the record derived again with the file's rows; `None` when they are the same.
pub fn compare(expected: &Record, found: &CsvRecord) -> Option<Difference> {
    let want = table_lines(expected);
    let got = &found.lines;
    let want_at = positions(&want);
    let got_at = positions(got);
    let first = (0..want.len().max(got.len())).find(|&i| want.get(i) != got.get(i))?;
    let d = |m: String| Some(Difference(m));
    match (want.get(first), got.get(first)) {
        (Some(w), None) => d(format!("{} was removed", describe(w, &want_at[first]))),
        (None, Some(g)) => d(format!("{} was added (the record has no such row)", describe(g, &got_at[first]))),
        (Some(w), Some(g)) => {
            if want.get(first + 1) == Some(g) {
                return d(format!("{} was removed", describe(w, &want_at[first])));
            }
            if got.get(first + 1) == Some(w) {
                return d(format!("{} was added (the record has no such row)", describe(g, &got_at[first])));
            }
            // Changed: name the columns, with the header of the table it is in.
            let header_idx = (0..=first).rev().find(|&i| want[i].first().is_some_and(|c| c == "table"));
            let header = header_idx.map(|i| want[i].clone()).unwrap_or_default();
            let mut cols = Vec::new();
            for i in 0..w.len().max(g.len()) {
                if w.get(i) != g.get(i) {
                    let name = header.get(i).cloned().unwrap_or_else(|| format!("column {}", i + 1));
                    cols.push(format!(
                        "column '{name}': expected '{}', found '{}'",
                        w.get(i).map(String::as_str).unwrap_or(""),
                        g.get(i).map(String::as_str).unwrap_or("")
                    ));
                }
            }
            d(format!("{} was changed: {}", describe(w, &want_at[first]), cols.join("; ")))
        }
        (None, None) => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::records::{Column, Row};

    fn record() -> Record {
        let col = |n: &str| Column { name: n.into(), label: n.into(), width: 1 };
        Record {
            kind: RecordKind::WeaponRegister,
            production: ProductionId::parse("p").unwrap(),
            production_name: "A film".into(),
            scope: "The whole log".into(),
            time_zone: "Europe/London".into(),
            made_at: "Mon 7 Dec 2026, 09:00".into(),
            params: Params::default(),
            checkpoint: CheckpointRef {
                origin: "k/p".into(),
                size: 3,
                root: "cm9vdA==".into(),
                key: "k+01020304".into(),
                note: "k/p\n3\ncm9vdA==\n\n\u{2014} k AQIDBA==\n".into(),
            },
            tables: vec![Table {
                name: "firearms".into(),
                title: "Firearms".into(),
                columns: vec![col("serial"), col("note")],
                rows: vec![
                    Row { cells: vec!["A-1".into(), "=1+1".into()], events: vec![0, 2] },
                    Row { cells: vec!["B-2".into(), "line\nbreak, \"quoted\"".into()], events: vec![1] },
                ],
            }],
            photos: Vec::new(),
            verify_url: "/p/p/records/weapon-register?at=3&h=x".into(),
        }
    }

    #[test]
    fn a_record_reads_back_from_its_csv_and_compares_equal() {
        let r = record();
        let csv = to_csv(&r);
        let text = String::from_utf8(csv.clone()).unwrap();
        assert!(text.starts_with("table,serial,note,events\nfirearms,A-1,'=1+1,0 2\n"), "{text}");
        let back = parse_csv(&csv).unwrap();
        assert_eq!(back.kind, RecordKind::WeaponRegister);
        assert_eq!(back.checkpoint, r.checkpoint);
        assert_eq!(back.production_name, "A film");
        assert_eq!(compare(&r, &back), None);
    }

    #[test]
    fn a_changed_added_or_removed_row_is_named() {
        let r = record();
        let text = String::from_utf8(to_csv(&r)).unwrap();
        let changed = parse_csv(text.replacen("B-2", "B-3", 1).as_bytes()).unwrap();
        let d = compare(&r, &changed).unwrap().0;
        assert!(d.contains("table 'firearms' row 2 (events 1) was changed: column 'serial'"), "{d}");
        assert!(d.contains("expected 'B-2', found 'B-3'"), "{d}");
        let removed = parse_csv(text.replacen("firearms,A-1,'=1+1,0 2\n", "", 1).as_bytes()).unwrap();
        let d = compare(&r, &removed).unwrap().0;
        assert!(d.contains("row 1 (events 0 2) was removed"), "{d}");
        let added = parse_csv(text.replacen("firearms,A-1", "firearms,Z-9,x,5\nfirearms,A-1", 1).as_bytes()).unwrap();
        let d = compare(&r, &added).unwrap().0;
        assert!(d.contains("row 1 (events 5) was added"), "{d}");
        assert!(parse_csv(b"table,serial\nfirearms,A-1\n").is_err());
    }

    #[test]
    fn the_digest_changes_with_any_cell() {
        let r = record();
        let mut other = r.clone();
        other.tables[0].rows[0].cells[0] = "A-2".into();
        assert_ne!(digest(&r.tables), digest(&other.tables));
        assert_eq!(digest(&r.tables).len(), 16);
    }

    #[test]
    fn parameters_are_checked_for_their_record() {
        let day = |d: &str| Params { day: Some(d.parse().unwrap()), ..Params::default() };
        assert!(day("2026-12-07").check(RecordKind::DailyLog).is_ok());
        assert!(Params::default().check(RecordKind::DailyLog).is_err());
        let twenty_years = Params {
            from: Some("2006-01-01".parse().unwrap()),
            to: Some("2026-01-01".parse().unwrap()),
            ..Params::default()
        };
        let e = twenty_years.check(RecordKind::DailyLog).unwrap_err();
        assert!(matches!(&e, RecordError::Invalid(m) if m.contains("366 days")), "{e}");
        assert!(day("2026-12-07").check(RecordKind::WeaponRegister).is_err());
        assert!(Params::default().check(RecordKind::IncidentPack).is_err());
        assert!(Params { seq: Some(4), ..Params::default() }.check(RecordKind::HandOffReceipt).is_ok());
        assert!(Params::parse(|n| (n == "day").then(|| "31/12/2026".to_owned())).is_err());
    }
}
