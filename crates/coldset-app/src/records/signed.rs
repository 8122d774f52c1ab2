//! The compliance pack's checkpoints and their witnesses' cosignatures (docs/records.md).
//!
//! Unlike every other table of a record, these two are not derived from the log's events:
//! checkpoints and cosignatures are signatures *over* the log, kept beside it. So
//! `coldset verify --record` does not derive them again; it checks them: each checkpoint's
//! root against the root of the log's first `size` events (which it recomputes), its
//! signature against the log's key, and each cosignature against its witness's key when the
//! auditor gives it (`--witness`); and, since each listed row proving itself says nothing of
//! a row taken out, it compares them with every checkpoint and cosignature the log's source
//! (a bundle, the server) holds within the pack's scope. The verification page's digest
//! leaves them out, since a witness may cosign a checkpoint a moment after a record was made
//! from it.

use super::{Column, Params, RecordError, Row, Table};
use crate::ports::StoredCheckpoint;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use coldset_domain::Timestamp;
use coldset_ledger::{CosignerVerifier, Hash, KeyChain};
use std::collections::{BTreeSet, HashMap};

/// The table of checkpoints (`time`, `size`, `root`, `key`, `signature`).
pub const CHECKPOINTS_TABLE: &str = "checkpoints";
/// The table of cosignatures (`size`, `witness`, `key_id`, `time`, `signature`).
pub const COSIGNATURES_TABLE: &str = "cosignatures";

/// Whether a table is one of these signed ones (checked, not derived again).
pub fn is_signed_table(name: &str) -> bool {
    name == CHECKPOINTS_TABLE || name == COSIGNATURES_TABLE
}

fn col(name: &str, label: &str, width: u16) -> Column {
    Column { name: name.into(), label: label.into(), width }
}

fn empty_tables() -> [Table; 2] {
    [
        Table {
            name: CHECKPOINTS_TABLE.into(),
            title: "Signed checkpoints".into(),
            columns: vec![
                col("time", "Signed", 9),
                col("size", "Events", 5),
                col("root", "Root (SHA-256, base64)", 18),
                col("key", "Key", 12),
                col("signature", "Signature (Ed25519, base64)", 28),
            ],
            rows: Vec::new(),
        },
        Table {
            name: COSIGNATURES_TABLE.into(),
            title: "Witness cosignatures".into(),
            columns: vec![
                col("size", "Events", 5),
                col("witness", "Witness", 14),
                col("key_id", "Key id", 6),
                col("time", "Cosigned", 9),
                col("signature", "Cosignature (base64)", 30),
            ],
            rows: Vec::new(),
        },
    ]
}

/// A signature line of a note: the key's name and its base64 signature.
fn signature_lines(note: &str) -> Vec<(&str, &str)> {
    let Some(split) = note.rfind("\n\n") else { return Vec::new() };
    note[split + 2..]
        .lines()
        .filter_map(|l| l.strip_prefix("\u{2014} "))
        .filter_map(|rest| rest.split_once(' '))
        .collect()
}

fn body_of(note: &str) -> &str {
    note.rfind("\n\n").map_or(note, |split| &note[..split + 1])
}

/// A cosignature's key id (hex) and time (POSIX seconds), read from its bytes.
fn cosignature_parts(b64: &str) -> Option<(String, u64)> {
    let raw = B64.decode(b64).ok()?;
    if raw.len() != 76 {
        return None;
    }
    let mut ts = [0u8; 8];
    ts.copy_from_slice(&raw[4..12]);
    Some((hex::encode(&raw[..4]), u64::from_be_bytes(ts)))
}

fn seconds_local(zone: &jiff::tz::TimeZone, seconds: u64) -> String {
    let millis = i64::try_from(seconds).ok().and_then(|s| s.checked_mul(1000)).unwrap_or(i64::MAX);
    crate::history::local_time_zoned(zone, Timestamp(millis))
}

fn local_date(zone: &jiff::tz::TimeZone, at: Timestamp) -> Option<coldset_domain::Date> {
    jiff::Timestamp::from_millisecond(at.0).ok().map(|ts| ts.to_zoned(zone.clone()).date())
}

/// Whether a checkpoint signed `at` falls within the pack's period (none: every one), read
/// as the pack's other tables read it (derive.rs `period_contains`).
fn in_period(zone: &jiff::tz::TimeZone, params: &Params, at: Timestamp) -> bool {
    local_date(zone, at).is_none_or(|day| params.from.is_none_or(|f| day >= f) && params.to.is_none_or(|t| day <= t))
}

/// The cosigned notes by their body, each body with the signature lines its notes carry.
fn by_body(cosigned: &[String]) -> HashMap<&str, Vec<(&str, &str)>> {
    let mut by_body: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for note in cosigned {
        by_body.entry(body_of(note)).or_default().extend(signature_lines(note));
    }
    by_body
}

/// A checkpoint's log key (`name+id`) and the base64 signature its note carries for it.
fn log_signature(note: &str) -> (String, String) {
    let key = super::note_key(note);
    let key_name = key.rsplit_once('+').map_or(key.as_str(), |(name, _)| name);
    let signature = signature_lines(note)
        .into_iter()
        .find(|(name, _)| *name == key_name)
        .map_or(String::new(), |(_, s)| s.to_owned());
    (key, signature)
}

/// The witnesses' cosignatures of a checkpoint: the signature lines of its own note and of
/// the cosigned notes of the same body, but the log key's, each once, each a well-formed
/// `cosignature/v1` signature; as (witness, signature).
fn witness_signatures<'a>(note: &'a str, by_body: &HashMap<&str, Vec<(&'a str, &'a str)>>) -> Vec<(&'a str, &'a str)> {
    let key = super::note_key(note);
    let key_name = key.rsplit_once('+').map_or(key.as_str(), |(name, _)| name);
    let mut seen = BTreeSet::new();
    signature_lines(note)
        .into_iter()
        .chain(by_body.get(body_of(note)).into_iter().flatten().copied())
        .filter(|(name, sig)| *name != key_name && seen.insert((*name, *sig)) && cosignature_parts(sig).is_some())
        .collect()
}

/// The two tables of the compliance pack: the production's `checkpoints` up to `size`
/// (those signed within the period, when the pack has one), each with the cosignatures the
/// `cosigned` notes give it (notes of the same body).
pub fn signed_tables(
    time_zone: &str,
    params: &Params,
    size: u64,
    checkpoints: &[StoredCheckpoint],
    cosigned: &[String],
) -> Vec<Table> {
    let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let by_body = by_body(cosigned);
    let [mut cps, mut cos] = empty_tables();
    for cp in checkpoints.iter().filter(|c| c.size <= size && in_period(&zone, params, c.at)) {
        let (key, signature) = log_signature(&cp.note);
        cps.rows.push(Row {
            cells: vec![
                crate::history::local_time_zoned(&zone, cp.at),
                cp.size.to_string(),
                B64.encode(cp.root),
                key,
                signature,
            ],
            events: Vec::new(),
        });
        for (name, sig) in witness_signatures(&cp.note, &by_body) {
            let Some((key_id, seconds)) = cosignature_parts(sig) else { continue };
            cos.rows.push(Row {
                cells: vec![
                    cp.size.to_string(),
                    name.to_owned(),
                    key_id,
                    seconds_local(&zone, seconds),
                    sig.to_owned(),
                ],
                events: Vec::new(),
            });
        }
    }
    vec![cps, cos]
}

/// A checkpoint as the log's source (an export bundle, the server) holds it: what
/// `verify --record` compares a compliance pack's tables with, so a row left out is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCheckpoint {
    pub size: u64,
    /// When the server stored it; `None` when the source does not say (a bundle exported
    /// before bundles carried it).
    pub at: Option<Timestamp>,
    /// The signed note, with any witness's signature lines.
    pub note: String,
}

/// What comparing the signed tables with the source found (every row it holds within the
/// pack's scope is listed, or the comparison failed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completeness {
    /// Checkpoints the source holds within the pack's scope (all listed).
    pub checkpoints: usize,
    /// Cosignatures the source holds for the listed checkpoints that the pack lists.
    pub cosignatures: usize,
    /// Cosignatures the source holds of the pack's own checkpoint that the pack does not
    /// list: a witness cosigns a moment after a checkpoint is signed, and the pack may have
    /// been made in between.
    pub later: usize,
    /// Cosignatures the pack lists that the source does not hold (checked by their
    /// signatures alone).
    pub not_in_source: usize,
}

/// The signed tables' rows as a record's CSV holds them (cells unguarded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignedRows {
    pub checkpoints: Vec<Vec<String>>,
    pub cosignatures: Vec<Vec<String>>,
}

/// What checking the signed tables found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheck {
    /// The two tables as checked, to lay out again (a PDF's pages) and compare.
    pub tables: Vec<Table>,
    /// Checkpoints whose root and signature verified.
    pub checkpoints: usize,
    /// Cosignatures that verified with a witness key given.
    pub cosigned: usize,
    /// Witnesses listed whose key was not given: their cosignatures were not checked.
    pub unchecked: BTreeSet<String>,
}

impl SignedRows {
    /// The rows of the signed tables among a record's CSV lines (before its identity).
    pub fn from_lines(lines: &[Vec<String>]) -> SignedRows {
        let mut rows = SignedRows::default();
        for line in lines {
            // Between the table's name and the (empty) `events` cell.
            let inner = line.get(1..line.len().saturating_sub(1)).unwrap_or_default();
            let cells = || inner.iter().map(|c| super::sheet::unguard(c)).collect::<Vec<_>>();
            match line.first().map(String::as_str) {
                Some(CHECKPOINTS_TABLE) => rows.checkpoints.push(cells()),
                Some(COSIGNATURES_TABLE) => rows.cosignatures.push(cells()),
                _ => {}
            }
        }
        rows
    }

    /// The log sizes whose roots the check needs.
    pub fn sizes(&self) -> BTreeSet<u64> {
        self.checkpoints.iter().filter_map(|c| c.get(1)?.parse().ok()).collect()
    }

    /// Checks every row: each checkpoint's size is at most the record's (`upto`), its root
    /// is the root of the log's first `size` events (`roots`, recomputed by the caller from
    /// the events), its signature verifies over the note `origin`, size and root make, with
    /// the key of `chain` in force at that size (a log whose key was rotated signed its
    /// older checkpoints with an older key: coldset-ledger rotation.rs); each cosignature names a listed checkpoint, its time and key id are the ones its
    /// bytes hold, and it verifies with its witness's key when `witnesses` has it.
    pub fn check(
        &self,
        time_zone: &str,
        origin: &str,
        upto: u64,
        chain: &KeyChain,
        witnesses: &[CosignerVerifier],
        roots: &HashMap<u64, Hash>,
    ) -> Result<SignedCheck, RecordError> {
        let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let bad = |m: String| RecordError::invalid(m);
        let [mut cps, mut cos] = empty_tables();
        let mut check = SignedCheck { tables: Vec::new(), checkpoints: 0, cosigned: 0, unchecked: BTreeSet::new() };
        let mut bodies: HashMap<u64, String> = HashMap::new();
        for (i, cells) in self.checkpoints.iter().enumerate() {
            let row = i + 1;
            let [_time, size, root, signer, signature] = cells.as_slice() else {
                return Err(bad(format!("CHECKPOINT: table 'checkpoints' row {row} has {} cells, not 5", cells.len())));
            };
            let n: u64 = size
                .parse()
                .map_err(|_| bad(format!("CHECKPOINT: table 'checkpoints' row {row}: '{size}' is not a size")))?;
            if n > upto {
                return Err(bad(format!(
                    "CHECKPOINT: table 'checkpoints' row {row} lists {n} events, more than the record's checkpoint ({upto})"
                )));
            }
            let Some(true_root) = roots.get(&n) else {
                return Err(bad(format!("CHECKPOINT: table 'checkpoints' row {row}: no root of {n} events to check")));
            };
            if B64.encode(true_root) != *root {
                return Err(bad(format!(
                    "CHECKPOINT: table 'checkpoints' row {row} ({n} events): its root is not the root of the log's \
                     first {n} events"
                )));
            }
            let body = format!("{origin}\n{n}\n{root}\n");
            let signer_name = signer.rsplit_once('+').map_or(signer.as_str(), |(name, _)| name);
            let note = format!("{body}\n\u{2014} {signer_name} {signature}\n");
            chain.open_checkpoint(&note).map_err(|e| {
                bad(format!(
                    "CHECKPOINT: table 'checkpoints' row {row} ({n} events): its signature does not verify: {e}"
                ))
            })?;
            // The key cell names the key whose signature it is (the signature's key id).
            if super::note_key(&note) != *signer {
                return Err(bad(format!(
                    "CHECKPOINT: table 'checkpoints' row {row} ({n} events): its key is {}, not the {signer} written",
                    super::note_key(&note)
                )));
            }
            check.checkpoints += 1;
            bodies.insert(n, body);
            cps.rows.push(Row { cells: cells.clone(), events: Vec::new() });
        }
        for (i, cells) in self.cosignatures.iter().enumerate() {
            let row = i + 1;
            let what = format!("COSIGNATURE: table 'cosignatures' row {row}");
            let [size, witness, key_id, time, signature] = cells.as_slice() else {
                return Err(bad(format!("{what} has {} cells, not 5", cells.len())));
            };
            let body = size
                .parse::<u64>()
                .ok()
                .and_then(|n| bodies.get(&n))
                .ok_or_else(|| bad(format!("{what} names a checkpoint of {size} events the pack does not list")))?;
            let (id, seconds) =
                cosignature_parts(signature).ok_or_else(|| bad(format!("{what}: not a cosignature/v1 signature")))?;
            if id != *key_id || seconds_local(&zone, seconds) != *time {
                return Err(bad(format!(
                    "{what} ({witness}): its key id and time are {id}, {}, not the {key_id}, {time} written",
                    seconds_local(&zone, seconds)
                )));
            }
            let theirs: Vec<CosignerVerifier> = witnesses
                .iter()
                .filter(|w| w.name() == witness && format!("{:08x}", w.key_id()) == id)
                .cloned()
                .collect();
            if theirs.is_empty() {
                check.unchecked.insert(witness.clone());
            } else {
                let note = format!("{body}\n\u{2014} {witness} {signature}\n");
                let found = coldset_ledger::verify_cosignatures(&note, &theirs)
                    .map_err(|e| bad(format!("{what} ({witness}, {size} events) does not verify: {e}")))?;
                if found.is_empty() {
                    return Err(bad(format!("{what} ({witness}, {size} events) does not verify")));
                }
                check.cosigned += 1;
            }
            cos.rows.push(Row { cells: cells.clone(), events: Vec::new() });
        }
        check.tables = vec![cps, cos];
        Ok(check)
    }

    /// Checks that the tables leave nothing out: every checkpoint `from` (the log's source:
    /// "the bundle", "the server") holds within the pack's scope, chosen as the pack chose
    /// them when it was made (size at most `upto`, signed within the period if it has one),
    /// is listed, with the time, key and signature the source gives it, and no other; every
    /// cosignature the source holds for a listed checkpoint is listed, but those of the
    /// pack's own checkpoint (`upto`), which a witness may have given after the pack was
    /// made. Cosignatures the pack lists that the source does not hold are left to
    /// [`SignedRows::check`] (their signatures prove them). `cosigned`: cosigned notes the
    /// source keeps apart from its checkpoints' notes (a server's).
    pub fn complete(
        &self,
        time_zone: &str,
        params: &Params,
        upto: u64,
        source: &[SourceCheckpoint],
        cosigned: &[String],
        from: &str,
    ) -> Result<Completeness, RecordError> {
        let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let bad = |m: String| RecordError::invalid(m);
        let periodic = params.from.is_some() || params.to.is_some();
        let mut expected: std::collections::BTreeMap<u64, &SourceCheckpoint> = std::collections::BTreeMap::new();
        let mut outside: HashMap<u64, &SourceCheckpoint> = HashMap::new();
        for cp in source.iter().filter(|c| c.size <= upto) {
            let within = match cp.at {
                Some(at) => in_period(&zone, params, at),
                None if periodic => {
                    return Err(bad(format!(
                        "CHECKPOINT: {from} does not say when its checkpoints were signed, which the pack's period                          needs to tell which it must list: export the bundle again, or verify with --url"
                    )))
                }
                None => true,
            };
            if within {
                expected.insert(cp.size, cp);
            } else {
                outside.insert(cp.size, cp);
            }
        }
        let signed_at = |cp: &SourceCheckpoint| cp.at.map(|at| crate::history::local_time_zoned(&zone, at));
        let mut listed = BTreeSet::new();
        for (i, cells) in self.checkpoints.iter().enumerate() {
            let row = i + 1;
            let what = format!("CHECKPOINT: table 'checkpoints' row {row}");
            let [time, size, _root, key, signature] = cells.as_slice() else {
                return Err(bad(format!("{what} has {} cells, not 5", cells.len())));
            };
            let n: u64 = size.parse().map_err(|_| bad(format!("{what}: '{size}' is not a size")))?;
            if !listed.insert(n) {
                return Err(bad(format!(
                    "{what} ({n} events) was added: the checkpoint of {n} events is listed twice"
                )));
            }
            let Some(cp) = expected.get(&n) else {
                let why = match outside.get(&n) {
                    Some(cp) => {
                        format!("{from} has it signed {}, outside the pack's period", signed_at(cp).unwrap_or_default())
                    }
                    None => format!("{from} holds no checkpoint of {n} events"),
                };
                return Err(bad(format!("{what} ({n} events) was added (the pack's scope has no such row): {why}")));
            };
            let (source_key, source_signature) = log_signature(&cp.note);
            let time_then = signed_at(cp);
            let cells_then =
                [("time", time_then.as_deref()), ("key", Some(&*source_key)), ("signature", Some(&*source_signature))];
            let found = [time, key, signature];
            for ((column, then), now) in cells_then.into_iter().zip(found) {
                if let Some(then) = then.filter(|then| *then != now.as_str()) {
                    return Err(bad(format!(
                        "{what} ({n} events) was changed: column '{column}': {from} has '{then}', found '{now}'"
                    )));
                }
            }
        }
        if let Some((n, cp)) = expected.iter().find(|(n, _)| !listed.contains(n)) {
            return Err(bad(format!(
                "CHECKPOINT: table 'checkpoints': the checkpoint of {n} events{} was removed: {from} holds it, within \
                 the pack's scope",
                signed_at(cp).map(|t| format!(" (signed {t})")).unwrap_or_default()
            )));
        }
        let mut done = Completeness { checkpoints: expected.len(), ..Completeness::default() };
        let mut rows: HashMap<(&str, &str, &str), usize> = HashMap::new();
        for (i, cells) in self.cosignatures.iter().enumerate() {
            let [size, witness, _key_id, _time, signature] = cells.as_slice() else {
                return Err(bad(format!(
                    "COSIGNATURE: table 'cosignatures' row {} has {} cells, not 5",
                    i + 1,
                    cells.len()
                )));
            };
            if rows.insert((size, witness, signature), i + 1).is_some() {
                return Err(bad(format!(
                    "COSIGNATURE: table 'cosignatures' row {} ({witness}, {size} events) was added: it is listed twice",
                    i + 1
                )));
            }
        }
        let by_body = by_body(cosigned);
        let mut held = 0;
        for (n, cp) in &expected {
            let size = n.to_string();
            for (witness, signature) in witness_signatures(&cp.note, &by_body) {
                if rows.contains_key(&(size.as_str(), witness, signature)) {
                    held += 1;
                } else if *n == upto {
                    done.later += 1;
                } else {
                    return Err(bad(format!(
                        "COSIGNATURE: table 'cosignatures': the cosignature of {witness} for the checkpoint of {n} \
                         events was removed: {from} holds it"
                    )));
                }
            }
        }
        done.cosignatures = held;
        done.not_in_source = rows.len() - held;
        Ok(done)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use coldset_domain::ids::ProductionId;
    use coldset_ledger::{sign_checkpoint, Checkpoint, CosignerKey, SignerKey};

    struct Fixture {
        log: SignerKey,
        witness: CosignerKey,
        checkpoints: Vec<StoredCheckpoint>,
        cosigned: Vec<String>,
        roots: HashMap<u64, Hash>,
    }

    fn fixture() -> Fixture {
        let log = SignerKey::generate("coldset.test").unwrap();
        let witness = CosignerKey::generate("witness.test/w1").unwrap();
        let p = ProductionId::parse("dead-river").unwrap();
        let mut checkpoints = Vec::new();
        let mut cosigned = Vec::new();
        let mut roots = HashMap::new();
        for (i, size) in [3u64, 7, 12].into_iter().enumerate() {
            let root = [size as u8; 32];
            let cp = Checkpoint::new("coldset.test/dead-river", size, root).unwrap();
            let note = sign_checkpoint(&log, &cp);
            // The second checkpoint was not cosigned (the witness was down).
            if i != 1 {
                cosigned.push(format!("{note}{}", witness.cosign(&cp.body(), 1_796_000_000 + size)));
            }
            roots.insert(size, root);
            checkpoints.push(StoredCheckpoint {
                production: p.clone(),
                size,
                root,
                at: Timestamp(1_796_000_000_000 + size as i64 * 1000),
                note,
            });
        }
        Fixture { log, witness, checkpoints, cosigned, roots }
    }

    /// The checkpoints as a source (a bundle) holds them: notes with their cosignatures.
    fn source(f: &Fixture) -> Vec<SourceCheckpoint> {
        f.checkpoints
            .iter()
            .map(|cp| SourceCheckpoint {
                size: cp.size,
                at: Some(cp.at),
                note: crate::ledger::with_cosignatures(&cp.note, &f.cosigned),
            })
            .collect()
    }

    #[test]
    fn a_checkpoint_or_cosignature_left_out_is_found_by_its_size() {
        let f = fixture();
        let tables = signed_tables("UTC", &Params::default(), 12, &f.checkpoints, &f.cosigned);
        let rows = rows_of(&tables);
        let source = source(&f);
        let run =
            |rows: &SignedRows, upto: u64| rows.complete("UTC", &Params::default(), upto, &source, &[], "the bundle");
        let done = run(&rows, 12).unwrap();
        assert_eq!((done.checkpoints, done.cosignatures, done.later, done.not_in_source), (3, 2, 0, 0));
        // The same from a server, its cosignatures apart from its checkpoints.
        let bare: Vec<SourceCheckpoint> = f
            .checkpoints
            .iter()
            .map(|cp| SourceCheckpoint { size: cp.size, at: Some(cp.at), note: cp.note.clone() })
            .collect();
        let done = rows.complete("UTC", &Params::default(), 12, &bare, &f.cosigned, "the server").unwrap();
        assert_eq!((done.checkpoints, done.cosignatures), (3, 2));
        // A checkpoint removed.
        let mut less = rows.clone();
        less.checkpoints.remove(1);
        less.cosignatures.retain(|c| c[0] != "7");
        let e = run(&less, 12).unwrap_err().to_string();
        assert!(e.contains("the checkpoint of 7 events") && e.contains("was removed"), "{e}");
        // A cosignature removed: of an earlier checkpoint it fails; of the pack's own
        // checkpoint it may have come after the pack was made.
        let mut less = rows.clone();
        less.cosignatures.retain(|c| c[0] != "3");
        let e = run(&less, 12).unwrap_err().to_string();
        assert!(e.starts_with("COSIGNATURE") && e.contains("checkpoint of 3 events was removed"), "{e}");
        let mut less = rows.clone();
        less.cosignatures.retain(|c| c[0] != "12");
        assert_eq!(run(&less, 12).unwrap().later, 1);
        // A row listed twice, a time changed.
        let mut twice = rows.clone();
        twice.checkpoints.push(twice.checkpoints[0].clone());
        assert!(run(&twice, 12).unwrap_err().to_string().contains("listed twice"));
        let mut later = rows.clone();
        later.checkpoints[0][0] = "Mon 1 Jan 2030, 00:00".into();
        assert!(run(&later, 12).unwrap_err().to_string().contains("column 'time'"));
        // A period the source's times cannot place.
        let timeless: Vec<SourceCheckpoint> =
            source.iter().map(|c| SourceCheckpoint { at: None, ..c.clone() }).collect();
        let period = Params { from: Some(jiff::civil::date(2026, 1, 1)), ..Params::default() };
        assert!(rows.complete("UTC", &period, 12, &timeless, &[], "the bundle").is_err());
        assert!(rows.complete("UTC", &Params::default(), 12, &timeless, &[], "the bundle").is_ok());
    }

    #[test]
    fn within_a_period_the_checkpoints_signed_in_it_are_required_and_no_other() {
        let mut f = fixture();
        // The first checkpoint was signed the day before the others.
        f.checkpoints[0].at = Timestamp(f.checkpoints[0].at.0 - 86_400_000);
        let zone = jiff::tz::TimeZone::UTC;
        let day = local_date(&zone, f.checkpoints[1].at).unwrap();
        let period = Params { from: Some(day), to: Some(day), ..Params::default() };
        let tables = signed_tables("UTC", &period, 12, &f.checkpoints, &f.cosigned);
        assert_eq!(tables[0].rows.iter().map(|r| r.cells[1].as_str()).collect::<Vec<_>>(), ["7", "12"]);
        let rows = rows_of(&tables);
        let source = source(&f);
        let run = |rows: &SignedRows| rows.complete("UTC", &period, 12, &source, &[], "the bundle");
        assert_eq!(run(&rows).unwrap().checkpoints, 2);
        // The day before's checkpoint added: it is outside the period.
        let all = rows_of(&signed_tables("UTC", &Params::default(), 12, &f.checkpoints, &f.cosigned));
        let mut more = rows.clone();
        more.checkpoints.insert(0, all.checkpoints[0].clone());
        let e = run(&more).unwrap_err().to_string();
        assert!(e.contains("(3 events) was added") && e.contains("outside the pack's period"), "{e}");
        // One signed in it taken out.
        let mut less = rows.clone();
        less.checkpoints.remove(0);
        let e = run(&less).unwrap_err().to_string();
        assert!(e.contains("the checkpoint of 7 events") && e.contains("was removed"), "{e}");
    }

    /// The rows as `verify --record` reads them: through the record's CSV.
    fn rows_of(tables: &[Table]) -> SignedRows {
        let record = crate::records::Record {
            kind: crate::records::RecordKind::CompliancePack,
            production: ProductionId::parse("dead-river").unwrap(),
            production_name: "Dead River".into(),
            scope: String::new(),
            time_zone: "UTC".into(),
            made_at: String::new(),
            params: Params::default(),
            checkpoint: crate::records::CheckpointRef {
                origin: "coldset.test/dead-river".into(),
                size: 12,
                root: String::new(),
                key: String::new(),
                note: String::new(),
            },
            tables: tables.to_vec(),
            photos: Vec::new(),
            verify_url: String::new(),
        };
        let found = crate::records::parse_csv(&crate::records::to_csv(&record)).unwrap();
        let rows = SignedRows::from_lines(&found.lines);
        assert_eq!(rows.checkpoints, tables[0].rows.iter().map(|r| r.cells.clone()).collect::<Vec<_>>());
        rows
    }

    #[test]
    fn checkpoints_up_to_the_record_with_their_cosignatures() {
        let f = fixture();
        let tables = signed_tables("UTC", &Params::default(), 7, &f.checkpoints, &f.cosigned);
        assert_eq!(tables[0].rows.len(), 2, "the checkpoint of 12 events comes after the record's");
        assert_eq!(tables[0].rows[0].cells[1], "3");
        assert_eq!(tables[0].rows[0].cells[3], format!("coldset.test+{:08x}", f.log.key_id()));
        assert_eq!(tables[1].rows.len(), 1, "only the checkpoint of 3 events was cosigned");
        assert_eq!(tables[1].rows[0].cells[1], "witness.test/w1");
        let rows = rows_of(&tables);
        let check = rows
            .check(
                "UTC",
                "coldset.test/dead-river",
                7,
                &KeyChain::single(f.log.verifier()),
                &[f.witness.verifier()],
                &f.roots,
            )
            .unwrap();
        assert_eq!((check.checkpoints, check.cosigned, check.unchecked.len()), (2, 1, 0));
        assert_eq!(check.tables, tables);
        // Without the witness's key its cosignature is listed as not checked.
        let check = rows
            .check("UTC", "coldset.test/dead-river", 7, &KeyChain::single(f.log.verifier()), &[], &f.roots)
            .unwrap();
        assert_eq!(check.unchecked.into_iter().collect::<Vec<_>>(), vec!["witness.test/w1".to_owned()]);
    }

    #[test]
    fn a_tampered_cosignature_root_or_signature_fails() {
        let f = fixture();
        let tables = signed_tables("UTC", &Params::default(), 12, &f.checkpoints, &f.cosigned);
        let rows = rows_of(&tables);
        let run = |rows: &SignedRows| {
            rows.check(
                "UTC",
                "coldset.test/dead-river",
                12,
                &KeyChain::single(f.log.verifier()),
                &[f.witness.verifier()],
                &f.roots,
            )
        };
        assert!(run(&rows).is_ok());
        // One byte of a cosignature's Ed25519 signature.
        let mut bad = rows.clone();
        let mut raw = B64.decode(&bad.cosignatures[0][4]).unwrap();
        raw[40] ^= 1;
        bad.cosignatures[0][4] = B64.encode(raw);
        let e = run(&bad).unwrap_err().to_string();
        assert!(e.starts_with("COSIGNATURE: table 'cosignatures' row 1"), "{e}");
        // A cosignature moved to another checkpoint.
        let mut moved = rows.clone();
        moved.cosignatures[0][0] = "12".into();
        assert!(run(&moved).unwrap_err().to_string().contains("COSIGNATURE"));
        // Its time rewritten.
        let mut later = rows.clone();
        later.cosignatures[0][3] = "Mon 1 Jan 2030, 00:00".into();
        assert!(run(&later).unwrap_err().to_string().contains("COSIGNATURE"));
        // A checkpoint's root, or its signature.
        let mut root = rows.clone();
        root.checkpoints[1][2] = B64.encode([9u8; 32]);
        assert!(run(&root).unwrap_err().to_string().contains("its root is not the root"));
        let mut sig = rows.clone();
        let mut raw = B64.decode(&sig.checkpoints[0][4]).unwrap();
        raw[10] ^= 1;
        sig.checkpoints[0][4] = B64.encode(raw);
        assert!(run(&sig).unwrap_err().to_string().contains("does not verify"));
        // A checkpoint the record's does not cover.
        assert!(rows
            .check("UTC", "coldset.test/dead-river", 7, &KeyChain::single(f.log.verifier()), &[], &f.roots)
            .unwrap_err()
            .to_string()
            .contains("more than the record's checkpoint"));
    }
}
