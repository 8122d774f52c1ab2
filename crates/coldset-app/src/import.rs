//! Spreadsheet import and export (issue #18): firearms, ammunition lots, the crew list and
//! scenes, from CSV or XLSX, into the same commands a person would enter one by one.
//!
//! A file is first read into rows of a known shape ([`parse`]): the columns are named in its
//! first row (any letter case, in any order); a missing or unknown column refuses the whole
//! file, and so do a file that is not UTF-8, one over [`MAX_FILE_BYTES`], an XLSX whose
//! parts unpack to more than [`MAX_XLSX_UNPACKED`] (a zip bomb) and any formula (formulas
//! are never evaluated: a value someone else's spreadsheet computed is not a record).
//! Then [`preview`] turns each row into its command(s) and decides them in order against a
//! scratch copy of the production's state, exactly as the writer would, so a later row sees
//! the earlier ones (the second row with one serial, the person of row 3 named by a scene).
//! Nothing is recorded unless every row passes; then the commands go to the writer as one
//! batch ([`crate::App::execute_all`]), decided again against the real state and recorded
//! in one commit or not at all. This module knows no HTTP.

use crate::error::AppError;
use crate::writer::Request;
use coldset_domain::events::Authentication;
use coldset_domain::ids::{LocationId, PersonId, ProductionId};
use coldset_domain::model::{
    AmmoClass, Credential, CredentialKind, FirearmKind, FirearmStatus, Party, Person, Provenance, Role,
};
use coldset_domain::safety::{PlanItem, PlannedLoad, SceneKind, ScenePlan};
use coldset_domain::{decide, Actor, Command, Context, Date, DomainError, Envelope, ProductionState, Timestamp};
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::io::{Cursor, Read};

/// The largest file read: 10,000 firearm rows are about 1 MB of CSV, so this leaves ten
/// times that, while a mistaken upload (a photo library, a database dump) is refused before
/// anything parses it. The web layer caps the request body too.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Most rows in one file: one batch is one commit, and the preview lists every row.
pub const MAX_ROWS: usize = 50_000;
/// An XLSX is a zip of XML parts: together they may unpack to this much at most. Real
/// workbooks of the largest file allowed unpack to well under it; a zip bomb does not.
pub const MAX_XLSX_UNPACKED: u64 = 64 * 1024 * 1024;
/// The most a part may be smaller packed than unpacked (above 1 MB unpacked): XML of real
/// sheets packs about 10:1; a bomb packs a thousand to one or more.
const MAX_XLSX_RATIO: u64 = 200;
const MAX_XLSX_PARTS: usize = 1_000;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Firearms,
    Lots,
    Crew,
    Scenes,
}

/// One column of a kind's shape.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    /// The column must be in the file (its cells may still be empty where the command
    /// allows it).
    pub required: bool,
    pub help: &'static str,
}

const fn col(name: &'static str, required: bool, help: &'static str) -> Column {
    Column { name, required, help }
}

const FIREARM_COLUMNS: &[Column] = &[
    col("kind", true, "real_firing, blank_adapted, replica or rubber_training"),
    col("make", true, "maker, e.g. Colt"),
    col("model", true, "model, e.g. Single Action Army"),
    col("serial", true, "serial number; each firearm once, in the file and in the inventory"),
    col("calibre", true, "e.g. .45 Colt"),
    col("condition", true, "condition at intake"),
    col("acquired_from", true, "who it came from (rental house, owner)"),
    col("acquired_from_licence", false, "their licence number"),
    col("acquired_from_document", true, "the delivery or rental document (bound-book record, R-REC-3)"),
    col("location", false, "the storage location it goes into once taken in, by name (else it stays with the armorer)"),
];

const LOT_COLUMNS: &[Column] = &[
    col("class", true, "dummy, blank or live"),
    col("load", false, "blank load size (quarter, half, full); only for blanks"),
    col("calibre", true, "e.g. .45 Colt"),
    col("rounds", true, "number of rounds"),
    col("supplier", true, "who supplied it"),
    col("document", true, "the delivery document"),
    col("headstamp", true, "the headstamp"),
    col("previous_production", false, "the production it is left over from, if any"),
    col("mixed_source", false, "yes if it came from more than one source"),
    col("home_made", false, "yes if the rounds are home-made (home-made dummies are refused)"),
    col("container_label", true, "label of the new container it goes into"),
];

const CREW_COLUMNS: &[Column] = &[
    col("name", true, "the person's name; a name already on the production (or on an earlier row) adds to that person"),
    col("roles", true, "roles, separated by ';': armorer, assistant_armorer, property_master, first_ad, safety_advisor, performer, crew, producer, auditor, admin"),
    col("credential_kind", false, "licence, permit or certification"),
    col("credential_number", false, "its number"),
    col("credential_issuer", false, "who issued it"),
    col("credential_expires", false, "YYYY-MM-DD"),
    col("credential_covers", false, "firearm kinds it covers, separated by ';'"),
    col("training_number", false, "firearms safety course: certificate number"),
    col("training_issuer", false, "who ran the course"),
    col("training_expires", false, "YYYY-MM-DD"),
];

const SCENE_COLUMNS: &[Column] = &[
    col("number", true, "scene number, e.g. 42A"),
    col("description", true, "what happens"),
    col("day", true, "shoot day, YYYY-MM-DD"),
    col("kind", true, "setup, rehearsal or take"),
    col("risk_assessment", true, "the written risk assessment and safe working procedure (R-REC-1)"),
    col("firearms", true, "serials of the firearms used, separated by ';'"),
    col("performers", true, "who holds each firearm, by name, in the same order, separated by ';'"),
    col("loads", true, "per firearm: empty, dummies or blanks:LOAD (e.g. blanks:quarter); one value for all"),
    col("call_list", false, "everyone on the call list, by name, separated by ';'"),
    col("real_firearm_reason", false, "in a rehearsal: why a real firearm is needed (R-REH-1)"),
];

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Firearms, Kind::Lots, Kind::Crew, Kind::Scenes];

    /// The name in addresses and file names.
    pub fn slug(self) -> &'static str {
        match self {
            Kind::Firearms => "firearms",
            Kind::Lots => "lots",
            Kind::Crew => "crew",
            Kind::Scenes => "scenes",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::Firearms => "Firearms",
            Kind::Lots => "Ammunition lots",
            Kind::Crew => "Crew (people, roles, credentials, training)",
            Kind::Scenes => "Scenes",
        }
    }

    pub fn parse(slug: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.slug() == slug)
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Firearms => FIREARM_COLUMNS,
            Kind::Lots => LOT_COLUMNS,
            Kind::Crew => CREW_COLUMNS,
            Kind::Scenes => SCENE_COLUMNS,
        }
    }

    fn index(self, name: &str) -> Option<usize> {
        self.columns().iter().position(|c| c.name == name)
    }
}

/// Why a whole file is refused before any row is looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// A stable dotted code (`import.not_utf8`, `import.columns`, `import.formula`, ...).
    pub code: &'static str,
    pub message: String,
}

impl FileError {
    fn new(code: &'static str, message: impl Into<String>) -> FileError {
        FileError { code, message: message.into() }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A file read into rows of its kind's shape.
#[derive(Debug, Clone)]
pub struct Table {
    pub kind: Kind,
    pub rows: Vec<Row>,
}

/// One row: its line in the file (the header is line 1) and its cells in the order of
/// [`Kind::columns`] ("" where the file has no such column or the cell is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub cells: Vec<String>,
}

impl Table {
    /// Bytes held, roughly: what a stash of parsed files is bounded by.
    pub fn weight(&self) -> usize {
        self.rows.iter().map(|r| 32 + r.cells.iter().map(|c| c.len() + 24).sum::<usize>()).sum()
    }
}

/// Reads a CSV or XLSX file (told apart by its first bytes: an XLSX is a zip) of `kind`.
pub fn parse(kind: Kind, bytes: &[u8]) -> Result<Table, FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large(bytes.len()));
    }
    let grid = if bytes.starts_with(b"PK\x03\x04") { read_xlsx(bytes)? } else { read_csv(bytes)? };
    to_table(kind, grid)
}

pub fn too_large(len: usize) -> FileError {
    FileError::new(
        "import.too_large",
        format!(
            "the file is {:.1} MB; the most an import takes is {} MB: split it into several files",
            len as f64 / (1024.0 * 1024.0),
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
}

/// Lines of cells, each with its line number in the file.
type Grid = Vec<(u64, Vec<String>)>;

fn read_csv(bytes: &[u8]) -> Result<Grid, FileError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        FileError::new(
            "import.not_utf8",
            format!(
                "the file is not UTF-8 text (first bad byte on line {line}): save it as \"CSV UTF-8\" (or export it as XLSX) and try again"
            ),
        )
    })?;
    // Excel writes a byte-order mark at the start of "CSV UTF-8".
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Spreadsheets set to a language that writes decimal commas save with semicolons.
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if !first.contains(',') && first.contains(';') { b';' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut grid = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            FileError::new("import.unreadable", format!("the CSV cannot be read at line {line}: {e}"))
        })?;
        let line = record.position().map_or(grid.len() as u64 + 1, |p| p.line());
        grid.push((line, record.iter().map(str::to_owned).collect()));
        if grid.len() > MAX_ROWS + 1 {
            return Err(too_many_rows());
        }
    }
    Ok(grid)
}

fn too_many_rows() -> FileError {
    FileError::new(
        "import.too_many_rows",
        format!("the file has more than {MAX_ROWS} rows: split it into several files"),
    )
}

fn bomb(message: String) -> FileError {
    FileError::new("import.zip_bomb", message)
}

/// Refuses an XLSX whose parts would unpack to too much, before the spreadsheet reader
/// touches it: first by the sizes the zip declares, then by unpacking every part into
/// nothing with a hard limit, since a crafted zip can declare sizes it does not keep.
fn check_zip(bytes: &[u8]) -> Result<(), FileError> {
    let unreadable = |e: zip::result::ZipError| {
        FileError::new(
            "import.unreadable",
            format!("the XLSX cannot be opened ({e}): save it again from the spreadsheet"),
        )
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if archive.len() > MAX_XLSX_PARTS {
        return Err(bomb(format!("the XLSX holds {} parts; a workbook has far fewer", archive.len())));
    }
    let limit_mb = MAX_XLSX_UNPACKED / (1024 * 1024);
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(unreadable)?;
        let (size, packed) = (part.size(), part.compressed_size().max(1));
        declared = declared.saturating_add(size);
        if size > 1024 * 1024 && size / packed > MAX_XLSX_RATIO {
            return Err(bomb(format!(
                "the XLSX part {} unpacks {} times larger than it is packed: refused as a zip bomb",
                part.name().unwrap_or_default(),
                size / packed
            )));
        }
    }
    if declared > MAX_XLSX_UNPACKED {
        return Err(bomb(format!(
            "the XLSX would unpack to {} MB; the most read is {limit_mb} MB: refused as a zip bomb",
            declared / (1024 * 1024)
        )));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let part = archive.by_index(i).map_err(unreadable)?;
        let mut bounded = part.take(MAX_XLSX_UNPACKED - total + 1);
        let n = std::io::copy(&mut bounded, &mut std::io::sink())
            .map_err(|e| FileError::new("import.unreadable", format!("the XLSX cannot be unpacked: {e}")))?;
        total += n;
        if total > MAX_XLSX_UNPACKED {
            return Err(bomb(format!(
                "the XLSX unpacks to more than the {limit_mb} MB it declared room for: refused as a zip bomb"
            )));
        }
    }
    Ok(())
}

/// A1-style name of a cell (row and column from 0).
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        c = (c - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(row + 1).to_string()
}

fn read_xlsx(bytes: &[u8]) -> Result<Grid, FileError> {
    use calamine::{Data, Reader};
    check_zip(bytes)?;
    let unreadable = |e: calamine::XlsxError| {
        FileError::new(
            "import.unreadable",
            format!("the XLSX cannot be read ({e}): save it again from the spreadsheet"),
        )
    };
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let Some(sheet) = book.sheet_names().first().cloned() else {
        return Err(FileError::new("import.empty", "the workbook has no sheet"));
    };
    // Formulas are refused, never evaluated: the value a spreadsheet last computed is not
    // something a person entered, and it can change each time the file is opened.
    let formulas = book.worksheet_formula(&sheet).map_err(unreadable)?;
    if let Some((r, c, f)) = formulas.used_cells().find(|(_, _, f)| !f.is_empty()) {
        let (r0, c0) = formulas.start().unwrap_or((0, 0));
        return Err(FileError::new(
            "import.formula",
            format!(
                "cell {} (row {}) holds a formula (={f}); formulas are never evaluated: replace them with their values (copy, then paste values only) and try again",
                cell_name(r0 + r as u32, c0 + c as u32),
                r0 + r as u32 + 1
            ),
        ));
    }
    let range = book.worksheet_range(&sheet).map_err(unreadable)?;
    let Some((r0, c0)) = range.start() else { return Ok(Vec::new()) };
    if range.height() > MAX_ROWS + 1 {
        return Err(too_many_rows());
    }
    let mut grid = Vec::with_capacity(range.height());
    for (i, row) in range.rows().enumerate() {
        let r = r0 + i as u32;
        // Cells left of the range's start are empty: keep column A in column A.
        let mut cells = vec![String::new(); c0 as usize];
        for (j, cell) in row.iter().enumerate() {
            let text = match cell {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Int(n) => n.to_string(),
                Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", *x as i64),
                Data::Float(x) => x.to_string(),
                Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
                Data::DateTime(d) => excel_date(d.as_f64()),
                Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
                Data::DurationIso(s) => s.clone(),
                Data::Error(e) => {
                    return Err(FileError::new(
                        "import.cell_error",
                        format!(
                            "cell {} holds an error ({e}): put its value in and try again",
                            cell_name(r, c0 + j as u32)
                        ),
                    ))
                }
            };
            cells.push(text);
        }
        grid.push((u64::from(r) + 1, cells));
    }
    Ok(grid)
}

/// A spreadsheet's date (days since 1899-12-30) as YYYY-MM-DD.
fn excel_date(serial: f64) -> String {
    let epoch = jiff::civil::date(1899, 12, 30);
    let days = serial.floor();
    if !(0.0..=2_958_465.0).contains(&days) {
        return serial.to_string();
    }
    match epoch.checked_add(jiff::Span::new().days(days as i64)) {
        Ok(d) => d.to_string(),
        Err(_) => serial.to_string(),
    }
}

/// Header names as people write them: any case, spaces or dashes for underscores.
fn normalise(name: &str) -> String {
    name.trim().to_lowercase().replace([' ', '-'], "_")
}

/// A cell as read: trimmed, and an export's guard against formulas undone (`'=x` is `=x`).
fn clean(cell: &str) -> String {
    let t = cell.trim();
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_owned(),
        _ => t.to_owned(),
    }
}

fn to_table(kind: Kind, grid: Grid) -> Result<Table, FileError> {
    let mut lines = grid.into_iter().filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, header)) = lines.next() else {
        return Err(FileError::new("import.empty", "the file is empty: its first row names the columns"));
    };
    let expected = || kind.columns().iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
    let mut places: Vec<Option<usize>> = Vec::with_capacity(header.len());
    let (mut unknown, mut twice) = (Vec::new(), Vec::new());
    for (j, name) in header.iter().enumerate() {
        let n = normalise(name);
        if n.is_empty() {
            places.push(None);
            unknown.push(format!("(column {} has no name)", cell_name(0, j as u32).trim_end_matches('1')));
            continue;
        }
        match kind.index(&n) {
            Some(i) if places.contains(&Some(i)) => {
                twice.push(n);
                places.push(None);
            }
            Some(i) => places.push(Some(i)),
            None => {
                unknown.push(name.trim().to_owned());
                places.push(None);
            }
        }
    }
    let missing: Vec<&str> = kind
        .columns()
        .iter()
        .enumerate()
        .filter(|(i, c)| c.required && !places.contains(&Some(*i)))
        .map(|(_, c)| c.name)
        .collect();
    if !missing.is_empty() || !unknown.is_empty() || !twice.is_empty() {
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!(
                "missing column{}: {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ));
        }
        if !unknown.is_empty() {
            problems.push(format!(
                "unknown column{}: {}",
                if unknown.len() == 1 { "" } else { "s" },
                unknown.join(", ")
            ));
        }
        if !twice.is_empty() {
            problems.push(format!("column named twice: {}", twice.join(", ")));
        }
        return Err(FileError::new(
            "import.columns",
            format!(
                "the columns do not match a {} file ({}). Its first row names these columns: {} (download the template)",
                kind.slug(),
                problems.join("; "),
                expected()
            ),
        ));
    }
    let mut rows = Vec::new();
    for (line, cells) in lines {
        if let Some((j, _)) = cells.iter().enumerate().skip(places.len()).find(|(_, c)| !c.trim().is_empty()) {
            return Err(FileError::new(
                "import.columns",
                format!("line {line} has a value in column {}, which has no name in the first row", j + 1),
            ));
        }
        let mut row = vec![String::new(); kind.columns().len()];
        for (j, cell) in cells.iter().enumerate() {
            if let Some(Some(i)) = places.get(j) {
                row[*i] = clean(cell);
            }
        }
        rows.push(Row { line, cells: row });
    }
    if rows.is_empty() {
        return Err(FileError::new("import.empty", "the file names its columns but has no rows"));
    }
    if rows.len() > MAX_ROWS {
        return Err(too_many_rows());
    }
    Ok(Table { kind, rows })
}

/// What the preview says of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It passes: what it will record.
    Ready(String),
    /// It records nothing new (a credential already on file).
    Unchanged(String),
    /// A cell is wrong: which column, and why.
    Field { field: String, message: String },
    /// A safety rule refuses it: each rule id, why, and what to do.
    Refused(Vec<(String, String, String)>),
    /// Refused otherwise (a record it names does not exist, a permission).
    Error(String),
}

impl Outcome {
    pub fn passes(&self) -> bool {
        matches!(self, Outcome::Ready(_) | Outcome::Unchanged(_))
    }
}

#[derive(Debug, Clone)]
pub struct RowOutcome {
    pub line: u64,
    /// What the row is about, as a person reads it (a serial, a name, a scene number).
    pub label: String,
    pub outcome: Outcome,
}

/// Every row's outcome, and the requests that record them all if every row passes.
#[derive(Debug, Clone)]
pub struct Preview {
    pub kind: Kind,
    pub rows: Vec<RowOutcome>,
    pub requests: Vec<Request>,
    /// The file line of each request.
    pub request_lines: Vec<u64>,
    /// The log size the rows were checked against.
    pub log_size: u64,
}

impl Preview {
    pub fn ready(&self) -> usize {
        self.rows.iter().filter(|r| r.outcome.passes()).count()
    }

    pub fn to_fix(&self) -> usize {
        self.rows.len() - self.ready()
    }

    pub fn passes(&self) -> bool {
        self.to_fix() == 0
    }
}

/// A cell at fault.
struct Fault {
    field: &'static str,
    message: String,
}

fn fault(field: &'static str, message: impl Into<String>) -> Fault {
    Fault { field, message: message.into() }
}

/// One row's cells by column name.
struct Cells<'a> {
    kind: Kind,
    row: &'a Row,
}

impl Cells<'_> {
    fn get(&self, name: &'static str) -> &str {
        self.kind.index(name).and_then(|i| self.row.cells.get(i)).map_or("", String::as_str)
    }

    fn opt(&self, name: &'static str) -> Option<&str> {
        Some(self.get(name)).filter(|v| !v.is_empty())
    }

    fn req(&self, name: &'static str) -> Result<&str, Fault> {
        self.opt(name).ok_or_else(|| fault(name, format!("fill in {}", name.replace('_', " "))))
    }

    fn flag(&self, name: &'static str) -> Result<bool, Fault> {
        match self.get(name).to_lowercase().as_str() {
            "" | "no" | "n" | "false" | "0" => Ok(false),
            "yes" | "y" | "true" | "1" | "x" => Ok(true),
            other => Err(fault(name, format!("'{other}' is not yes or no"))),
        }
    }

    fn date(&self, name: &'static str) -> Result<Date, Fault> {
        coldset_domain::time::parse_date(self.req(name)?).map_err(|m| fault(name, m))
    }
}

/// A list cell: values separated by ';' (or ','), trimmed, empty ones dropped.
fn list(text: &str) -> Vec<&str> {
    text.split([';', ',']).map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// A word of an enumeration as people type it ("Real firing" is `real_firing`).
fn word(text: &str) -> String {
    normalise(text)
}

fn person_named<'a>(state: &'a ProductionState, name: &str) -> Option<&'a Person> {
    let name = name.trim();
    state.people.values().find(|p| p.name.trim().eq_ignore_ascii_case(name))
}

/// One command of a row; a credential of a person the same row adds names them once they
/// are added (the writer gives the id, so it is looked up by name on the state by then).
enum Step {
    Do(Command),
    CredentialOfNew {
        name: String,
        credential: Credential,
    },
    /// The firearm the same row takes in, put into storage (found by its serial once taken in).
    StoreNew {
        serial: String,
        location: LocationId,
    },
}

/// The commands of one row, built against the state the rows before it left. `serials`:
/// the serials of the rows before it, with their lines.
fn commands_of(
    kind: Kind,
    c: &Cells<'_>,
    state: &ProductionState,
    serials: &mut HashMap<String, u64>,
) -> Result<Vec<Step>, Fault> {
    let one = |c: Command| Ok(vec![Step::Do(c)]);
    match kind {
        Kind::Firearms => {
            let serial = c.req("serial")?;
            // The domain refuses a serial already registered (R-STORE-5), and would refuse the
            // second row with it too, as a firearm "already registered"; naming the row it
            // repeats says more.
            let key = serial.to_lowercase();
            if let Some(first) = serials.get(&key) {
                return Err(fault(
                    "serial",
                    format!("serial {serial} is also on line {first}: each firearm is taken in once"),
                ));
            }
            serials.insert(key, c.row.line);
            // A whole inventory goes into the safe as it is taken in: left with the armorer, it
            // would count as out of storage (R-STAFF-1 caps firearms out per armorer).
            let location = match c.opt("location") {
                None => None,
                Some(name) => Some(
                    state
                        .locations
                        .values()
                        .find(|l| l.name.trim().eq_ignore_ascii_case(name.trim()))
                        .map(|l| l.id.clone())
                        .ok_or_else(|| {
                            fault(
                                "location",
                                format!("no storage location named '{name}': add it on the set-up page first"),
                            )
                        })?,
                ),
            };
            let intake = Command::IntakeFirearm {
                kind: FirearmKind::parse(&word(c.req("kind")?)).map_err(|m| fault("kind", m))?,
                make: c.req("make")?.to_owned(),
                model: c.req("model")?.to_owned(),
                serial: serial.to_owned(),
                calibre: c.req("calibre")?.to_owned(),
                condition: c.req("condition")?.to_owned(),
                acquired_from: Party {
                    name: c.req("acquired_from")?.to_owned(),
                    licence: c.get("acquired_from_licence").to_owned(),
                    document: c.get("acquired_from_document").to_owned(),
                },
            };
            let mut steps = vec![Step::Do(intake)];
            if let Some(location) = location {
                steps.push(Step::StoreNew { serial: serial.to_owned(), location });
            }
            Ok(steps)
        }
        Kind::Lots => {
            let rounds = c.req("rounds")?;
            one(Command::IntakeLot {
                class: AmmoClass::parse(&word(c.req("class")?), c.opt("load")).map_err(|m| fault("class", m))?,
                calibre: c.req("calibre")?.to_owned(),
                rounds: rounds.parse().map_err(|_| fault("rounds", format!("'{rounds}' is not a whole number")))?,
                provenance: Provenance {
                    supplier: c.req("supplier")?.to_owned(),
                    document: c.req("document")?.to_owned(),
                    headstamp: c.req("headstamp")?.to_owned(),
                    previous_production: c.opt("previous_production").map(str::to_owned),
                    mixed_source: c.flag("mixed_source")?,
                },
                home_made: c.flag("home_made")?,
                container_label: c.req("container_label")?.to_owned(),
            })
        }
        Kind::Crew => crew_commands(c, state),
        Kind::Scenes => Ok(vec![Step::Do(scene_command(c, state)?)]),
    }
}

fn crew_commands(c: &Cells<'_>, state: &ProductionState) -> Result<Vec<Step>, Fault> {
    let name = c.req("name")?;
    let roles = list(c.get("roles"))
        .into_iter()
        .map(|r| Role::parse(&word(r)).map_err(|m| fault("roles", m)))
        .collect::<Result<BTreeSet<Role>, Fault>>()?;
    let existing = person_named(state, name);
    let mut steps = Vec::new();
    match existing {
        Some(p) => {
            for role in roles.iter().filter(|r| !p.has_role(**r)) {
                steps.push(Step::Do(Command::AssignRole { person: p.id.clone(), role: *role }));
            }
        }
        None => steps.push(Step::Do(Command::AddPerson { name: name.to_owned(), roles })),
    }
    let mut credentials = Vec::new();
    if let Some(kind) = c.opt("credential_kind") {
        let kind = CredentialKind::parse(&word(kind)).map_err(|m| fault("credential_kind", m))?;
        if kind == CredentialKind::SafetyCourse {
            return Err(fault("credential_kind", "a safety course goes in the training columns"));
        }
        let covers = list(c.get("credential_covers"))
            .into_iter()
            .map(|k| FirearmKind::parse(&word(k)).map_err(|m| fault("credential_covers", m)))
            .collect::<Result<Vec<_>, _>>()?;
        credentials.push(Credential {
            kind,
            number: c.req("credential_number")?.to_owned(),
            issuer: c.get("credential_issuer").to_owned(),
            expires_on: c.date("credential_expires")?,
            covers,
        });
    } else if let Some(field) = ["credential_number", "credential_issuer", "credential_expires", "credential_covers"]
        .into_iter()
        .find(|f| c.opt(f).is_some())
    {
        return Err(fault(
            "credential_kind",
            format!("{} is filled in: say which kind of credential", field.replace('_', " ")),
        ));
    }
    if c.opt("training_number").is_some() || c.opt("training_expires").is_some() || c.opt("training_issuer").is_some() {
        credentials.push(Credential {
            kind: CredentialKind::SafetyCourse,
            number: c.req("training_number")?.to_owned(),
            issuer: c.get("training_issuer").to_owned(),
            expires_on: c.date("training_expires")?,
            covers: Vec::new(),
        });
    }
    // A credential already on file (an export imported again) records nothing twice.
    for credential in credentials {
        match existing {
            Some(p) if p.credentials.contains(&credential) => {}
            Some(p) => steps.push(Step::Do(Command::RecordCredential { person: p.id.clone(), credential })),
            None => steps.push(Step::CredentialOfNew { name: name.to_owned(), credential }),
        }
    }
    Ok(steps)
}

fn scene_command(c: &Cells<'_>, state: &ProductionState) -> Result<Command, Fault> {
    let day = c.date("day")?;
    let kind = match word(c.req("kind")?).as_str() {
        "setup" => SceneKind::Setup,
        "rehearsal" => SceneKind::Rehearsal,
        "take" => SceneKind::Take,
        other => return Err(fault("kind", format!("'{other}' is not a kind of scene: setup, rehearsal or take"))),
    };
    let person = |field: &'static str, name: &str| {
        person_named(state, name)
            .map(|p| p.id.clone())
            .ok_or_else(|| fault(field, format!("nobody named '{name}' is on this production (import the crew first)")))
    };
    let serials = list(c.req("firearms")?);
    let performers = list(c.req("performers")?);
    let loads = list(c.req("loads")?);
    if performers.len() != serials.len() {
        return Err(fault(
            "performers",
            format!(
                "{} firearms and {} performers: name one performer per firearm, in the same order",
                serials.len(),
                performers.len()
            ),
        ));
    }
    if loads.len() != serials.len() && loads.len() != 1 {
        return Err(fault(
            "loads",
            format!("{} firearms and {} loads: one load per firearm, or one for all", serials.len(), loads.len()),
        ));
    }
    let mut items = Vec::new();
    for (i, serial) in serials.iter().enumerate() {
        let firearm = state
            .firearms_with_serial(serial)
            .find(|f| !matches!(f.status, FirearmStatus::Disposed { .. }))
            .ok_or_else(|| fault("firearms", format!("no firearm with serial {serial} in the inventory")))?;
        let load_text = loads.get(i).or(loads.first()).copied().unwrap_or_default();
        let w = word(load_text);
        let load = match w.split_once(':') {
            None if w == "empty" => PlannedLoad::Empty,
            None if w == "dummies" || w == "dummy" => PlannedLoad::Dummies,
            Some(("blanks" | "blank", size)) if !size.trim_matches('_').is_empty() => {
                PlannedLoad::Blanks { load: size.trim_matches('_').to_owned() }
            }
            _ => {
                return Err(fault(
                    "loads",
                    format!("'{load_text}' is not a load: empty, dummies or blanks:SIZE (e.g. blanks:quarter)"),
                ))
            }
        };
        items.push(PlanItem {
            firearm: firearm.id.clone(),
            performer: person("performers", performers[i])?,
            load,
            real_firearm_reason: c.opt("real_firearm_reason").map(str::to_owned),
            toward_person: false,
            toward_camera: false,
            armorer_consulted: false,
            mitigations: Vec::new(),
            camera_protection: None,
            closest_person_cm: None,
            close_range_load_approved: false,
        });
    }
    let call_list = list(c.get("call_list"))
        .into_iter()
        .map(|n| person("call_list", n))
        .collect::<Result<BTreeSet<PersonId>, Fault>>()?;
    Ok(Command::PlanScene {
        number: c.req("number")?.to_owned(),
        description: c.req("description")?.to_owned(),
        day,
        plan: ScenePlan {
            kind,
            items,
            call_list,
            line_of_fire: BTreeSet::new(),
            protection: Vec::new(),
            risk_assessment: c.req("risk_assessment")?.to_owned(),
        },
    })
}

fn label_of(kind: Kind, c: &Cells<'_>) -> String {
    let pick = |names: &[&'static str]| {
        names.iter().map(|n| c.get(n)).filter(|v| !v.is_empty()).collect::<Vec<_>>().join(" · ")
    };
    match kind {
        Kind::Firearms => pick(&["serial", "make", "model"]),
        Kind::Lots => pick(&["container_label", "class", "calibre"]),
        Kind::Crew => pick(&["name", "roles"]),
        Kind::Scenes => pick(&["number", "day"]),
    }
}

/// The column of a field the domain names (`party.document` is `acquired_from_document`).
fn column_of(field: &str) -> String {
    match field {
        "party.name" => "acquired_from".to_owned(),
        _ => match field.strip_prefix("party.") {
            Some(rest) => format!("acquired_from_{rest}"),
            None => field.strip_prefix("provenance.").unwrap_or(field).to_owned(),
        },
    }
}

fn outcome_of(e: &DomainError) -> Outcome {
    match e {
        DomainError::Denied(d) => Outcome::Refused(
            d.violations.iter().map(|v| (v.rule.to_string(), v.reason.clone(), v.remedy.to_string())).collect(),
        ),
        DomainError::Invalid { field, message } => Outcome::Field { field: column_of(field), message: message.clone() },
        other => Outcome::Error(other.to_string()),
    }
}

fn summary(command: &Command) -> String {
    match command {
        Command::IntakeFirearm { kind, make, model, serial, .. } => {
            format!("take in {kind} {make} {model}, serial {serial}")
        }
        Command::IntakeLot { class, calibre, rounds, container_label, .. } => {
            format!("receive {rounds} {class} {calibre} into {container_label}")
        }
        Command::AddPerson { name, roles } => format!(
            "add {name}{}",
            if roles.is_empty() {
                String::new()
            } else {
                format!(" as {}", roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "))
            }
        ),
        Command::AssignRole { role, .. } => format!("give the role {role}"),
        Command::RecordCredential { credential, .. } => {
            format!("record {} {} (until {})", credential.kind, credential.number, credential.expires_on)
        }
        Command::PlanScene { number, day, plan, .. } => {
            format!("plan scene {number} on {day} with {} firearm(s)", plan.items.len())
        }
        other => other.name().replace('_', " "),
    }
}

/// Decides one command on the scratch state and applies its events, as the writer does.
fn try_command(
    scratch: &mut ProductionState,
    ctx: &Context,
    production: &ProductionId,
    actor: &Actor,
    command: &Command,
) -> Result<(), Outcome> {
    let events = decide(scratch, ctx, actor, command).map_err(|e| outcome_of(&e))?;
    for event in events {
        let env = Envelope {
            v: coldset_domain::events::ENCODING_VERSION,
            production: production.clone(),
            seq: scratch.next_seq(),
            at: ctx.now,
            actor: actor.clone(),
            event,
            auth: None,
        };
        scratch.apply(&env).map_err(|e| Outcome::Error(e.to_string()))?;
    }
    Ok(())
}

/// Checks every row of `table` in order against a copy of `state`, as `actor`, and builds
/// the requests that record them. Nothing is recorded.
pub fn preview(
    table: &Table,
    state: &ProductionState,
    actor: &Actor,
    auth: Option<Authentication>,
    now: Timestamp,
    today: Date,
) -> Result<Preview, AppError> {
    let production = state
        .info
        .as_ref()
        .map(|i| i.id.clone())
        .ok_or_else(|| AppError::Internal("a production without its creation event".into()))?;
    let ctx = Context { now, today, attested: Vec::new() };
    let mut scratch = state.clone();
    let mut rows = Vec::with_capacity(table.rows.len());
    let mut requests = Vec::new();
    let mut request_lines = Vec::new();
    let mut serials = HashMap::new();
    for row in &table.rows {
        let c = Cells { kind: table.kind, row };
        let label = label_of(table.kind, &c);
        let steps = match commands_of(table.kind, &c, &scratch, &mut serials) {
            Ok(steps) => steps,
            Err(f) => {
                let outcome = Outcome::Field { field: f.field.to_owned(), message: f.message };
                rows.push(RowOutcome { line: row.line, label, outcome });
                continue;
            }
        };
        if steps.is_empty() {
            let outcome = Outcome::Unchanged("already on file: nothing new to record".into());
            rows.push(RowOutcome { line: row.line, label, outcome });
            continue;
        }
        let mut done = Vec::with_capacity(steps.len());
        let mut failed = None;
        for step in steps {
            let command = match step {
                Step::Do(command) => command,
                Step::CredentialOfNew { name, credential } => match person_named(&scratch, &name) {
                    Some(p) => Command::RecordCredential { person: p.id.clone(), credential },
                    None => {
                        failed = Some(Outcome::Error(format!("{name} was not added, so their credential cannot be")));
                        break;
                    }
                },
                Step::StoreNew { serial, location } => match scratch.firearms_with_serial(&serial).next() {
                    Some(f) => Command::StoreFirearm { firearm: f.id.clone(), location },
                    None => {
                        failed = Some(Outcome::Error(format!("{serial} was not taken in, so it cannot be put away")));
                        break;
                    }
                },
            };
            if let Err(o) = try_command(&mut scratch, &ctx, &production, actor, &command) {
                failed = Some(o);
                break;
            }
            done.push(command);
        }
        let outcome = match failed {
            Some(o) => o,
            None => Outcome::Ready(done.iter().map(summary).collect::<Vec<_>>().join("; ")),
        };
        if outcome.passes() {
            request_lines.extend(std::iter::repeat_n(row.line, done.len()));
            requests.extend(done.into_iter().map(|command| {
                let mut r = Request::new(production.clone(), actor.clone(), command);
                r.auth = auth.clone();
                r
            }));
        }
        rows.push(RowOutcome { line: row.line, label, outcome });
    }
    let all_pass = rows.iter().all(|r| r.outcome.passes());
    Ok(Preview {
        kind: table.kind,
        rows,
        requests: if all_pass { requests } else { Vec::new() },
        request_lines: if all_pass { request_lines } else { Vec::new() },
        log_size: state.next_seq(),
    })
}

/// What committing a file did.
#[derive(Debug, Clone)]
pub enum Committed {
    /// Every row was recorded, in one commit: this many events, from `first_seq` on.
    Recorded { preview: Preview, events: usize, first_seq: Option<u64>, last_seq: Option<u64> },
    /// Checked again against the production as it is now, some rows no longer pass (or
    /// never did): nothing was recorded.
    NotReady(Preview),
}

/// Records `table` as one batch. `checked`: its preview, whose requests go to the writer as
/// they are if the log has not grown since (the writer decides each of them again against
/// the real state, so a refusal still records nothing); otherwise, or if the writer finds the
/// log grew in between, the file is checked again against the production as it is now and
/// retried (twice). A refusal of one of its requests names the line.
pub fn commit(
    app: &crate::App,
    production: &ProductionId,
    actor: &Actor,
    auth: Option<Authentication>,
    table: &Table,
    checked: Option<Preview>,
) -> Result<Committed, AppError> {
    let mut attempt = 0;
    let mut checked = checked.filter(|p| p.kind == table.kind);
    // The preview's memory, freed on another thread, goes back to the system before the
    // batch is built, so the commit's peak does not stack on it (memory.rs).
    crate::memory::give_back_freed();
    loop {
        let state = app.state(production)?;
        let mut preview = match checked.take() {
            Some(p) if p.passes() && p.log_size == state.next_seq() => p,
            _ => preview(table, &state, actor, auth.clone(), app.now(), app.today(&state))?,
        };
        if !preview.passes() {
            return Ok(Committed::NotReady(preview));
        }
        let lines = std::mem::take(&mut preview.request_lines);
        let requests = std::mem::take(&mut preview.requests);
        match app.execute_all_blocking(requests, Some(preview.log_size)) {
            Ok(receipts) => {
                let events: Vec<u64> = receipts.iter().flat_map(|r| r.events.iter().map(|e| e.seq)).collect();
                return Ok(Committed::Recorded {
                    preview,
                    events: events.len(),
                    first_seq: events.first().copied(),
                    last_seq: events.last().copied(),
                });
            }
            Err(crate::BatchError { index: None, error: AppError::Domain(DomainError::Conflict(_)) })
                if attempt < 2 =>
            {
                attempt += 1;
            }
            Err(crate::BatchError { index: Some(i), error }) => {
                let line = lines.get(i).copied().unwrap_or_default();
                return Err(match error {
                    AppError::Domain(DomainError::Invalid { field, message }) => {
                        DomainError::Invalid { field: format!("line {line}: {field}"), message }.into()
                    }
                    AppError::Domain(DomainError::Conflict(m)) => {
                        DomainError::Conflict(format!("line {line}: {m}")).into()
                    }
                    other => other,
                });
            }
            Err(crate::BatchError { error, .. }) => return Err(error),
        }
    }
}

/// A cell as exported: text a spreadsheet would take for a formula (`=`, `+`, `-`, `@`,
/// a tab or a carriage return first) gets a leading `'`, which spreadsheets show as text
/// and [`parse`] takes off again.
pub(crate) fn guard(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

fn write_csv(kind: Kind, rows: Vec<Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(kind.columns().iter().map(|c| c.name));
    for row in rows {
        let _ = w.write_record(row.iter().map(|c| guard(c)));
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// The template of a kind: its columns, no rows.
pub fn template_csv(kind: Kind) -> String {
    write_csv(kind, Vec::new())
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

/// The production's records of a kind, in the columns the import reads.
pub fn export_csv(kind: Kind, state: &ProductionState) -> String {
    let name = |id: &PersonId| state.people.get(id).map_or_else(|| id.to_string(), |p| p.name.clone());
    let rows: Vec<Vec<String>> = match kind {
        Kind::Firearms => state
            .firearms
            .values()
            .filter(|f| !matches!(f.status, FirearmStatus::Disposed { .. }))
            .map(|f| {
                vec![
                    f.kind.to_string(),
                    f.make.clone(),
                    f.model.clone(),
                    f.serial.clone(),
                    f.calibre.clone(),
                    f.condition.clone(),
                    f.acquired_from.name.clone(),
                    f.acquired_from.licence.clone(),
                    f.acquired_from.document.clone(),
                    match &f.holder {
                        coldset_domain::model::Holder::Storage { location } => {
                            state.locations.get(location).map(|l| l.name.clone()).unwrap_or_default()
                        }
                        coldset_domain::model::Holder::Person { .. } => String::new(),
                    },
                ]
            })
            .collect(),
        Kind::Lots => state
            .lots
            .values()
            .map(|l| {
                let (class, load) = match &l.class {
                    AmmoClass::Dummy => ("dummy", String::new()),
                    AmmoClass::Blank { load } => ("blank", load.clone()),
                    AmmoClass::Live => ("live", String::new()),
                };
                let container =
                    state.containers.values().find(|c| c.contents.contains_key(&l.id)).map(|c| c.label.clone());
                vec![
                    class.to_owned(),
                    load,
                    l.calibre.clone(),
                    l.rounds.to_string(),
                    l.provenance.supplier.clone(),
                    l.provenance.document.clone(),
                    l.provenance.headstamp.clone(),
                    l.provenance.previous_production.clone().unwrap_or_default(),
                    yes_no(l.provenance.mixed_source),
                    // Home-made dummies are refused at intake; other home-made rounds are
                    // not recorded as such.
                    yes_no(false),
                    container.unwrap_or_default(),
                ]
            })
            .collect(),
        Kind::Crew => {
            let mut rows = Vec::new();
            for p in state.people.values() {
                let licences: Vec<&Credential> =
                    p.credentials.iter().filter(|c| c.kind != CredentialKind::SafetyCourse).collect();
                let courses: Vec<&Credential> =
                    p.credentials.iter().filter(|c| c.kind == CredentialKind::SafetyCourse).collect();
                // One row per credential; the first carries the roles.
                for i in 0..licences.len().max(courses.len()).max(1) {
                    let mut row = vec![
                        p.name.clone(),
                        if i == 0 {
                            p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(";")
                        } else {
                            String::new()
                        },
                    ];
                    match licences.get(i) {
                        Some(c) => row.extend([
                            c.kind.to_string(),
                            c.number.clone(),
                            c.issuer.clone(),
                            c.expires_on.to_string(),
                            c.covers.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(";"),
                        ]),
                        None => row.extend(std::iter::repeat_n(String::new(), 5)),
                    }
                    match courses.get(i) {
                        Some(c) => row.extend([c.number.clone(), c.issuer.clone(), c.expires_on.to_string()]),
                        None => row.extend(std::iter::repeat_n(String::new(), 3)),
                    }
                    rows.push(row);
                }
            }
            rows
        }
        Kind::Scenes => state
            .scenes
            .values()
            .map(|s| {
                let serial = |id| state.firearms.get(id).map_or_else(|| id.to_string(), |f| f.serial.clone());
                let load = |l: &PlannedLoad| match l {
                    PlannedLoad::Empty => "empty".to_owned(),
                    PlannedLoad::Dummies => "dummies".to_owned(),
                    PlannedLoad::Blanks { load } => format!("blanks:{load}"),
                };
                let kind = match s.plan.kind {
                    SceneKind::Setup => "setup",
                    SceneKind::Rehearsal => "rehearsal",
                    SceneKind::Take => "take",
                };
                vec![
                    s.number.clone(),
                    s.description.clone(),
                    s.day.to_string(),
                    kind.to_owned(),
                    s.plan.risk_assessment.clone(),
                    s.plan.items.iter().map(|i| serial(&i.firearm)).collect::<Vec<_>>().join(";"),
                    s.plan.items.iter().map(|i| name(&i.performer)).collect::<Vec<_>>().join(";"),
                    s.plan.items.iter().map(|i| load(&i.load)).collect::<Vec<_>>().join(";"),
                    s.plan.call_list.iter().map(name).collect::<Vec<_>>().join(";"),
                    s.plan.items.iter().find_map(|i| i.real_firearm_reason.clone()).unwrap_or_default(),
                ]
            })
            .collect(),
    };
    write_csv(kind, rows)
}
