//! Records out from the command line (docs/records.md): `coldset report` makes one from a
//! data directory, as `coldset export` reads it; `coldset verify --record` derives it again
//! from the log (an export bundle, or a server) and names the first row that differs.

use coldset_app::ledger::origin;
use coldset_app::records::{self, CsvRecord, Params, Record, RecordKind};
use coldset_app::Clock as _;
use coldset_domain::ids::ProductionId;
use coldset_domain::Envelope;
use coldset_ledger::{open_checkpoint, KeyChain, LogVerifier, VerifierKey};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// The formats a record is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Pdf,
    Json,
}

use records::to_json;

/// `coldset report`: a record of a production in a data directory, from its latest signed
/// checkpoint, written to `out`.
#[allow(clippy::too_many_arguments)]
pub fn report(
    dir: &Path,
    key_dir: Option<&Path>,
    database: Option<&str>,
    production: &str,
    kind: &str,
    params: &Params,
    format: Format,
    paper: coldset_print::Paper,
    base_url: &str,
    out: &Path,
) -> Result<String, String> {
    let kind = RecordKind::parse(kind).ok_or_else(|| {
        format!(
            "no record '{kind}': choose one of {}",
            RecordKind::ALL.iter().map(|k| k.slug()).collect::<Vec<_>>().join(", ")
        )
    })?;
    params.check(kind).map_err(|e| e.to_string())?;
    let store = crate::datadir::open_store(dir, database).map_err(|e| e.to_string())?;
    let p = ProductionId::parse(production).map_err(|e| e.to_string())?;
    if !store.productions().map_err(|e| e.to_string())?.iter().any(|r| r.id == p) {
        return Err(format!("no production '{p}' in {}", dir.display()));
    }
    let checkpoint = store
        .latest_checkpoint(&p)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| records::RecordError::NoCheckpoint.to_string())?;
    let now = coldset_app::SystemClock.now();
    let mut record =
        records::make(kind, params, &p, &checkpoint, now, base_url, &mut |f| store.for_each_event(&p, 0, f))
            .map_err(|e| e.to_string())?;
    // As the server does: the photos an incident pack lists, from the store.
    records::add_photos(&mut record, |hash| store.attachment(hash).ok().flatten().map(|f| (f.content_type, f.bytes)));
    if kind == RecordKind::CompliancePack {
        // As the server does: the checkpoints with the cosignatures kept beside their copies.
        let copies = [dir.to_path_buf(), crate::datadir::key_dir(dir, key_dir)]
            .map(|d| d.join(crate::sinks::COSIGNATURES_FILE))
            .to_vec();
        use coldset_app::ledger::CosignatureSource as _;
        let cosigned = crate::sinks::FileCosignatures::new(copies).cosigned_notes(&p)?;
        let checkpoints = store.checkpoints(&p).map_err(|e| e.to_string())?;
        records::add_signed_tables(&mut record, &checkpoints, &cosigned);
    }
    let bytes = match format {
        Format::Csv => records::to_csv(&record),
        Format::Json => serde_json::to_vec_pretty(&to_json(&record)).unwrap_or_default(),
        // The record's CSV travels inside its PDF (`verify --record` reads it back).
        Format::Pdf => {
            coldset_print::render_pdf(&record, paper, &records::to_csv(&record)).map_err(|e| e.to_string())?
        }
    };
    std::fs::write(out, bytes).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let rows: usize = record.tables.iter().map(|t| t.rows.len()).sum();
    Ok(format!(
        "wrote the {} of {p} ({}): {rows} rows, made from the checkpoint of {} events, to {}",
        kind.title().to_lowercase(),
        record.scope,
        record.checkpoint.size,
        out.display()
    ))
}

/// Where `verify --record` gets the log from.
pub enum Source<'a> {
    Bundle(&'a Path),
    Url(&'a str),
}

/// `coldset verify --record`: checks the record's checkpoint with the key, derives the
/// record again from the log's first `size` events (checked against the checkpoint's root)
/// and compares every row. The error names the checkpoint or the first row that differs.
pub fn verify_record(file: &Path, key: &str, witnesses: &[String], source: Source<'_>) -> Result<String, String> {
    // Only to print how long verification took.
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let is_pdf = bytes.starts_with(b"%PDF");
    let csv = if is_pdf {
        // A PDF record carries its CSV as an attached file: its rows are verified as a CSV's,
        // then the PDF's own bytes against the record's rendering (below).
        coldset_print::embedded_csv(&bytes).map_err(|e| format!("{}: {e}", file.display()))?
    } else {
        bytes.clone()
    };
    let found = records::parse_csv(&csv).map_err(|e| format!("{}: {e}", file.display()))?;
    let key = VerifierKey::parse(key.trim()).map_err(|e| format!("--key: {e}"))?;
    let cp_size = found.checkpoint.size;
    let cp = open_checkpoint(&found.checkpoint.note, &key).map_err(|e| {
        format!("CHECKPOINT: the record's checkpoint ({cp_size} events) does not verify with {key}: {e}")
    })?;
    if cp.origin != origin(key.name(), &found.production) {
        return Err(format!(
            "CHECKPOINT: the record names production {}, but its checkpoint is for origin {}",
            found.production, cp.origin
        ));
    }
    use base64::Engine as _;
    let root = base64::engine::general_purpose::STANDARD.encode(cp.root);
    if cp.size != cp_size || root != found.checkpoint.root {
        return Err(format!(
            "CHECKPOINT: the record says {cp_size} events with root {}, its signed note {} events with root {root}",
            found.checkpoint.root, cp.size
        ));
    }
    let witnesses = witnesses
        .iter()
        .map(|w| coldset_ledger::CosignerVerifier::parse(w).map_err(|e| format!("--witness {w}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    // The compliance pack's checkpoints and cosignatures are not derived from the events but
    // checked: their roots against the log's, recomputed at each size they list.
    let signed = records::SignedRows::from_lines(&found.lines);
    let mut roots = Roots { wanted: signed.sizes(), found: HashMap::new() };
    let (mut derived, source_signed) = match source {
        Source::Bundle(path) => derive_from_bundle(path, &found, &cp.root, &mut roots)?,
        Source::Url(url) => derive_from_server(url, &found, &cp.root, &mut roots)?,
    };
    let mut signatures = String::new();
    if found.kind == RecordKind::CompliancePack {
        // Older checkpoints of a log whose key was rotated verify with the key in force
        // then, which the source's signed rotations hand down from (or up to) `--key`.
        let chain = KeyChain::from_statements(&key, &source_signed.rotations)
            .map_err(|e| format!("CHECKPOINT: {}'s key rotations do not lead from {key}: {e}", source_signed.from))?;
        let check = signed
            .check(&derived.time_zone, &cp.origin, cp_size, &chain, &witnesses, &roots.found)
            .map_err(|e| e.to_string())?;
        // Each listed row proves itself; what the source holds shows none was left out.
        let complete = signed
            .complete(
                &derived.time_zone,
                &found.params,
                cp_size,
                &source_signed.checkpoints,
                &source_signed.cosigned,
                source_signed.from,
            )
            .map_err(|e| e.to_string())?;
        signatures = format!(
            "; {} checkpoints listed, all {} holds in the pack's scope, their roots the log's and signed by {}, {} \
             cosignatures verified with the witness keys given{}{}{}",
            check.tables[0].rows.len(),
            source_signed.from,
            if chain.keys().len() > 1 {
                format!("the {} keys of {key}'s chain", chain.keys().len())
            } else {
                key.to_string()
            },
            check.cosigned,
            if check.unchecked.is_empty() {
                String::new()
            } else {
                format!(
                    " (not checked, no --witness key given: {})",
                    check.unchecked.iter().cloned().collect::<Vec<_>>().join(", ")
                )
            },
            if complete.later > 0 {
                format!(
                    "; {} cosignatures of the pack's own checkpoint in {} are not listed (given after the pack was \
                     made)",
                    complete.later, source_signed.from
                )
            } else {
                String::new()
            },
            if complete.not_in_source > 0 {
                format!("; {} cosignatures listed that {} does not hold", complete.not_in_source, source_signed.from)
            } else {
                String::new()
            },
        );
        derived.tables.extend(check.tables);
    }
    let mut expected = Record {
        kind: found.kind,
        production: found.production.clone(),
        production_name: derived.production_name,
        scope: found.scope.clone(),
        time_zone: derived.time_zone,
        made_at: found.made_at.clone(),
        params: found.params.clone(),
        checkpoint: found.checkpoint.clone(),
        tables: derived.tables,
        photos: Vec::new(),
        verify_url: found.verify_url.clone(),
    };
    if expected.production_name != found.production_name || expected.time_zone != found.time_zone {
        return Err(format!(
            "RECORD: the record says production '{}' in {}, the log '{}' in {}",
            found.production_name, found.time_zone, expected.production_name, expected.time_zone
        ));
    }
    if let Some(diff) = records::compare(&expected, &found) {
        return Err(format!("ROW: {diff}"));
    }
    let mut pages = String::new();
    if is_pdf {
        // The rows verify; the pages must be the record's rendering too, so an edit of the
        // visible text (leaving the attached CSV alone) is caught. An incident pack's photos
        // are files beside the log, not in it; the PDF carries each as an attachment, which
        // is taken when it hashes to the SHA-256 its row lists (the log's), and the pages
        // are laid out again with them.
        let carried = coldset_print::embedded_photos(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        records::add_photos(&mut expected, |hash| {
            use sha2::Digest as _;
            carried.iter().find(|(_, b)| hex::encode(sha2::Sha256::digest(b)) == hash).cloned()
        });
        let listed = records::photo_hashes(&expected).len();
        if !pdf_pages_match(&expected, &csv, &bytes) {
            return Err("PDF: its attached CSV verifies, but its pages are not the record's rendering: the printed \
                        text or photos were changed"
                .into());
        }
        pages = "; its pages are the record's rendering".into();
        if listed > 0 {
            pages.push_str(&format!(
                ", with {} of its {listed} photos (their SHA-256 the ones the log lists)",
                expected.photos.len()
            ));
        }
    }
    let rows: usize = expected.tables.iter().map(|t| t.rows.len()).sum();
    Ok(format!(
        "record ok: the {} of {} ({}), {rows} rows in {} tables, each as the log's first {cp_size} events give it; \
         checkpoint signed by {key}{signatures}{pages}; verified in {:.3} s",
        found.kind.title().to_lowercase(),
        found.production,
        found.scope,
        expected.tables.len(),
        started.elapsed().as_secs_f64()
    ))
}

/// The roots of the log at the sizes a compliance pack's checkpoints list, recomputed
/// from the events as they are read.
struct Roots {
    wanted: std::collections::BTreeSet<u64>,
    found: HashMap<u64, coldset_ledger::Hash>,
}

impl Roots {
    /// Called after the `n`th event was hashed in.
    fn after(&mut self, n: u64, verifier: &LogVerifier) {
        if self.wanted.contains(&n) {
            self.found.insert(n, verifier.root());
        }
    }
}

/// What the log's source holds besides its events, for a compliance pack's signed tables:
/// the key rotations, every signed checkpoint, and the cosignatures kept apart from the
/// checkpoints' notes (a server's; a bundle's notes carry theirs).
struct SourceSigned {
    /// "the bundle" or "the server", for messages.
    from: &'static str,
    rotations: Vec<String>,
    checkpoints: Vec<records::SourceCheckpoint>,
    cosigned: Vec<String>,
}

/// The size a checkpoint note signs (its body's second line).
fn note_size(note: &str) -> Option<u64> {
    note.lines().nth(1)?.parse().ok()
}

/// An RFC 3339 time, as a bundle or the API writes a checkpoint's.
fn parse_time(text: &str) -> Option<coldset_domain::Timestamp> {
    text.parse::<jiff::Timestamp>().ok().map(|t| coldset_domain::Timestamp(t.as_millisecond()))
}

/// Whether `pdf` is the record's rendering, on either paper, with its CSV attached.
fn pdf_pages_match(record: &Record, csv: &[u8], pdf: &[u8]) -> bool {
    [coldset_print::Paper::A4, coldset_print::Paper::Letter]
        .into_iter()
        .any(|paper| coldset_print::render_pdf(record, paper, csv).is_ok_and(|rendered| rendered == pdf))
}

/// Reads an export bundle's first `size` events, checks they hash to the checkpoint's root,
/// and derives the record from them.
fn derive_from_bundle(
    path: &Path,
    found: &CsvRecord,
    root: &[u8; 32],
    roots: &mut Roots,
) -> Result<(records::Derived, SourceSigned), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = BufReader::new(file).lines();
    let mut next = |what: &str| -> Result<String, String> {
        match lines.next() {
            Some(Ok(l)) => Ok(l),
            Some(Err(e)) => Err(format!("{}: {e}", path.display())),
            None => Err(format!("the bundle ends early: expected {what}")),
        }
    };
    if !next("the header")?.starts_with("coldset-bundle ") {
        return Err("not a coldset bundle (bad first line)".into());
    }
    let production = next("production")?;
    let p = production.strip_prefix("production ").unwrap_or_default();
    if p != found.production.as_str() {
        return Err(format!(
            "the bundle is production {p}'s log, the record is of production {}: export that production",
            found.production
        ));
    }
    let _key = next("key")?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let text = |line: String, what: &str| -> Result<String, String> {
        use base64::Engine as _;
        b64.decode(line.trim())
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
            .ok_or_else(|| format!("the bundle's {what} is not base64 text"))
    };
    let mut signed =
        SourceSigned { from: "the bundle", rotations: Vec::new(), checkpoints: Vec::new(), cosigned: Vec::new() };
    // A log whose key was rotated (`coldset-bundle 2`) carries its rotations after the key.
    let mut line = next("checkpoints")?;
    if let Some(n) = line.strip_prefix("rotations ") {
        let n: usize = n.parse().map_err(|_| "bad rotation count in the bundle")?;
        for _ in 0..n {
            signed.rotations.push(text(next("a key rotation")?, "key rotation")?);
        }
        line = next("checkpoints")?;
    }
    let n_cp: usize =
        line.strip_prefix("checkpoints ").and_then(|n| n.parse().ok()).ok_or("bad checkpoint count in the bundle")?;
    let compliance = found.kind == RecordKind::CompliancePack;
    for _ in 0..n_cp {
        let line = next("a checkpoint")?;
        if compliance {
            let note = text(line, "checkpoint")?;
            let size = note_size(&note).ok_or("a checkpoint of the bundle names no size")?;
            signed.checkpoints.push(records::SourceCheckpoint { size, at: None, note });
        }
    }
    let n_ev: u64 =
        next("events")?.strip_prefix("events ").and_then(|n| n.parse().ok()).ok_or("bad event count in the bundle")?;
    let size = found.checkpoint.size;
    if n_ev < size {
        return Err(format!("the bundle holds {n_ev} events, the record's checkpoint {size}: export it again"));
    }
    let mut deriver = records::Deriver::new(found.kind, &found.params).map_err(|e| e.to_string())?;
    let mut verifier = LogVerifier::new();
    for i in 0..size {
        let line = next("an event")?;
        let env = Envelope::decode(line.as_bytes()).map_err(|e| format!("bundle event {i}: {e}"))?;
        if env.seq != i || env.production != found.production {
            return Err(format!("bundle event {i}: its content says production {} event {}", env.production, env.seq));
        }
        verifier.push_leaf(line.as_bytes());
        roots.after(i + 1, &verifier);
        deriver.push(&env);
    }
    if verifier.root() != *root {
        return Err(format!(
            "CHECKPOINT: the bundle's first {size} events do not hash to the root the record's checkpoint signs"
        ));
    }
    if compliance {
        // When each checkpoint was stored: after the events' `end` (audit.rs `export`); a
        // bundle exported before it was carried has none.
        for _ in size..n_ev {
            next("an event")?;
        }
        if next("the end marker")? != "end" {
            return Err("the bundle has more events than it announces, or a damaged end".into());
        }
        if let Some(Ok(line)) = lines.next() {
            let n: usize = line
                .strip_prefix(crate::audit::CHECKPOINT_TIMES)
                .and_then(|n| n.trim().parse().ok())
                .ok_or("the bundle has a bad line after its end")?;
            let mut times = HashMap::new();
            for _ in 0..n {
                let line =
                    lines.next().and_then(Result::ok).ok_or("the bundle ends early: expected a checkpoint's time")?;
                let (size, at) = line
                    .split_once(' ')
                    .and_then(|(size, at)| Some((size.parse::<u64>().ok()?, parse_time(at)?)))
                    .ok_or_else(|| format!("the bundle's checkpoint time '{line}' is not a size and a time"))?;
                times.insert(size, at);
            }
            for cp in &mut signed.checkpoints {
                cp.at = times.get(&cp.size).copied();
            }
        }
    }
    Ok((deriver.finish().map_err(|e| e.to_string())?, signed))
}

/// Gets the log's first `size` events from a server (`URL` is its address, e.g.
/// `https://armory.local:8443`; reading the log takes a full reader's API token in
/// `COLDSET_TOKEN`), checks they hash to the checkpoint's root, and derives the record.
/// Holding every event up to the checkpoint, the verifier recomputes the root itself: an
/// inclusion proof per row would prove less.
fn derive_from_server(
    url: &str,
    found: &CsvRecord,
    root: &[u8; 32],
    roots: &mut Roots,
) -> Result<(records::Derived, SourceSigned), String> {
    use base64::Engine as _;
    let token = std::env::var("COLDSET_TOKEN").unwrap_or_default();
    if token.trim().is_empty() {
        return Err("--url reads the server's log, which takes an API token: set COLDSET_TOKEN to a full reader's \
                    token (or use --bundle with an export)"
            .into());
    }
    let agent = ureq::AgentBuilder::new().timeout(std::time::Duration::from_secs(30)).build();
    let size = found.checkpoint.size;
    let mut deriver = records::Deriver::new(found.kind, &found.params).map_err(|e| e.to_string())?;
    let mut verifier = LogVerifier::new();
    let mut next = 0u64;
    let b64 = base64::engine::general_purpose::STANDARD;
    while next < size {
        let address = format!(
            "{}/api/v1/productions/{}/events?from={next}&limit=500",
            url.trim_end_matches('/'),
            found.production
        );
        let page: serde_json::Value = agent
            .get(&address)
            .set("Authorization", &format!("Bearer {}", token.trim()))
            .call()
            .map_err(|e| format!("{address}: {e}"))?
            .into_string()
            .map_err(|e| format!("{address}: {e}"))
            .and_then(|body| serde_json::from_str(&body).map_err(|e| format!("{address}: {e}")))?;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            return Err(format!("the server's log ends at {next} events, the record's checkpoint holds {size}"));
        }
        for item in items {
            if next >= size {
                break;
            }
            let bytes = b64
                .decode(item["record"].as_str().unwrap_or_default())
                .map_err(|e| format!("server event {next}: {e}"))?;
            let env = Envelope::decode(&bytes).map_err(|e| format!("server event {next}: {e}"))?;
            if env.seq != next || env.production != found.production {
                return Err(format!(
                    "server event {next}: its content says production {} event {}",
                    env.production, env.seq
                ));
            }
            verifier.push_leaf(&bytes);
            deriver.push(&env);
            next += 1;
            roots.after(next, &verifier);
        }
    }
    if verifier.root() != *root {
        return Err(format!(
            "CHECKPOINT: the server's first {size} events do not hash to the root the record's checkpoint signs"
        ));
    }
    let mut signed =
        SourceSigned { from: "the server", rotations: Vec::new(), checkpoints: Vec::new(), cosigned: Vec::new() };
    if found.kind == RecordKind::CompliancePack {
        let get = |path: &str| -> Result<Vec<serde_json::Value>, String> {
            let address = format!("{}/api/v1/{path}", url.trim_end_matches('/'));
            let answer: serde_json::Value = agent
                .get(&address)
                .set("Authorization", &format!("Bearer {}", token.trim()))
                .call()
                .map_err(|e| format!("{address}: {e}"))?
                .into_string()
                .map_err(|e| format!("{address}: {e}"))
                .and_then(|body| serde_json::from_str(&body).map_err(|e| format!("{address}: {e}")))?;
            Ok(answer["items"].as_array().cloned().unwrap_or_default())
        };
        let p = &found.production;
        signed.rotations = get("ledger/key-rotations")?.iter().filter_map(|r| r.as_str().map(str::to_owned)).collect();
        for item in get(&format!("productions/{p}/checkpoints"))? {
            let note = item["note"].as_str().unwrap_or_default().to_owned();
            let size = item["size"].as_u64().ok_or("the server's checkpoints: one without its size")?;
            let at = parse_time(item["at"].as_str().unwrap_or_default())
                .ok_or("the server's checkpoints: one without its time")?;
            signed.checkpoints.push(records::SourceCheckpoint { size, at: Some(at), note });
        }
        signed.cosigned = get(&format!("productions/{p}/cosignatures"))?
            .iter()
            .filter_map(|c| c["note"].as_str().map(str::to_owned))
            .collect();
    }
    Ok((deriver.finish().map_err(|e| e.to_string())?, signed))
}
