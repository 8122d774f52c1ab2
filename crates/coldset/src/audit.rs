//! Offline verification and export: what an auditor runs. `verify` recomputes every leaf
//! and root, checks every checkpoint's signature and that the log still holds what each
//! checkpoint (and each witness copy) signed, replays the events and compares the rebuilt
//! projections with the database. It stops at the first bad record and names it.

use base64::Engine;
use coldset_app::ledger::origin;
use coldset_app::ports::Store;
use coldset_domain::ids::ProductionId;
use coldset_domain::{Envelope, ProductionState};
use coldset_ledger::{leaf_hash, Hash, KeyChain, LogVerifier, VerifierKey};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

/// The witness copy of every checkpoint, outside the database, one JSON object a line.
pub const WITNESS_COPY_FILE: &str = "checkpoints.jsonl";

#[derive(Debug, Default)]
pub struct Report {
    pub lines: Vec<String>,
    pub events: u64,
    pub seconds: f64,
}

fn hex(h: &Hash) -> String {
    hex::encode(h)
}

/// Sizes a production's log must have, with the root each was signed at, and who said so.
type Expected = BTreeMap<u64, (Hash, String)>;

fn expect(expected: &mut Expected, size: u64, root: Hash, source: String) -> Result<(), String> {
    if let Some((other, other_source)) = expected.get(&size) {
        if *other != root {
            return Err(format!(
                "FORK: {source} and {other_source} both sign size {size} with different roots ({} vs {})",
                hex(&root),
                hex(other)
            ));
        }
        return Ok(());
    }
    expected.insert(size, (root, source));
    Ok(())
}

/// Reads the witness copy file: (production, note) pairs.
fn read_witness_copy(path: &Path) -> Result<Vec<(String, String)>, String> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| format!("{} line {}: not a checkpoint record: {e}", path.display(), i + 1))?;
        let (Some(p), Some(note)) = (v["production"].as_str(), v["note"].as_str()) else {
            return Err(format!("{} line {}: missing production or note", path.display(), i + 1));
        };
        out.push((p.to_owned(), note.to_owned()));
    }
    Ok(out)
}

/// Which key `verify` checks a data directory against, and what it says about it.
pub struct Trust<'a> {
    /// `--key`: the verifier key the auditor obtained independently.
    pub pinned: Option<&'a str>,
    /// The configured key directory (else the default beside the data directory).
    pub key_dir: Option<&'a Path>,
    /// `--trust-data-dir-key`: accept a key found inside the data directory itself.
    pub data_dir_key: bool,
}

/// Chooses the verifier key and says loudly what was trusted: a key given by the auditor,
/// else the key directory's (outside the data directory). A key inside the data directory
/// proves nothing against whoever holds that directory, so it is refused unless asked for.
fn trusted_key(dir: &Path, trust: &Trust<'_>, report: &mut Report) -> Result<VerifierKey, String> {
    if let Some(k) = trust.pinned {
        let key = VerifierKey::parse(k.trim()).map_err(|e| format!("--key: {e}"))?;
        report.lines.push(format!("trusted: the verifier key given with --key ({key})"));
        return Ok(key);
    }
    let loaded = crate::datadir::read_key(dir, trust.key_dir).map_err(|e| {
        format!("{e}\nGive --key with the verifier key printed by `coldset init` (or --key-dir where the key is)")
    })?;
    let key = loaded.verifier.clone();
    if loaded.inside_data {
        if !trust.data_dir_key {
            return Err(format!(
                "the only signing key is inside the data directory ({}): whoever can change the log there can re-sign \
                 it with that key, so checking against it proves nothing. Give --key with the verifier key you obtained \
                 independently (printed by `coldset init`), or --trust-data-dir-key to check against it anyway",
                loaded.path.display()
            ));
        }
        report.lines.push(format!(
            "WARNING: checked against the key found inside the data directory ({key}, {}): this does not detect a \
             rewrite by someone who held the directory; pass --key with a key you obtained independently",
            loaded.path.display()
        ));
    } else {
        report.lines.push(format!(
            "trusted: the verifier key of the signing key in {} ({key}), outside the data directory; for an \
             independent check pass --key with the key you were given",
            loaded.path.display()
        ));
    }
    Ok(key)
}

/// Says which keys a chain holds, when the key was ever rotated.
fn describe_chain(chain: &KeyChain, report: &mut Report) {
    if chain.rotations().is_empty() {
        return;
    }
    report.lines.push(format!(
        "key rotations: {} (each signed by the key it retired and the key it made); keys, oldest first: {}",
        chain.rotations().len(),
        chain.keys().iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    ));
}

/// The checkpoint copies of a data directory: its own, and the key directory's.
fn copies_of(dir: &Path, key_dir: Option<&Path>) -> Vec<std::path::PathBuf> {
    vec![dir.join(WITNESS_COPY_FILE), crate::datadir::key_dir(dir, key_dir).join(WITNESS_COPY_FILE)]
}

/// Start-up check: refuses a database behind a checkpoint this installation signed (its
/// own copies are ahead: restored from an older copy, or newest events deleted), one whose
/// history differs from a signed root, and checkpoints signed by another key (the key was
/// swapped without a recorded rotation). A checkpoint is accepted from the key of the chain
/// that was in force for its size (docs/adr/0006-key-rotation.md), and each rotation's
/// signed heads must still be in the log. Only the newest checkpoint of each production in
/// each place is checked, so start-up stays fast however long the copies grow.
pub fn check_not_behind(store: &dyn Store, chain: &KeyChain, copies: &[std::path::PathBuf]) -> Result<(), String> {
    let key = chain.current();
    let refuse = |what: String| {
        format!(
            "{what}\nRefusing to serve: signing new checkpoints now would fork the log's own history. Restore the \
             newest backup of the data directory (coldset verify --data DIR checks it), or ask your safety office \
             before anything else is done with this directory"
        )
    };
    let productions = store.productions().map_err(|e| e.to_string())?;
    // The newest checkpoint of each production in each copy.
    let mut newest: BTreeMap<String, (u64, String, String)> = BTreeMap::new();
    for path in copies {
        for (p, note) in read_witness_copy(path)? {
            // The size is the body's second line (docs/ledger-format.md section 6); the
            // signature is checked below, on the newest only.
            let size = note
                .lines()
                .nth(1)
                .and_then(|l| l.parse::<u64>().ok())
                .ok_or_else(|| format!("{}: a checkpoint of {p} cannot be read", path.display()))?;
            let source = path.display().to_string();
            let entry = newest.entry(format!("{p}\u{0}{source}")).or_insert((0, String::new(), String::new()));
            if size >= entry.0 {
                *entry = (size, note, p);
            }
        }
    }
    for (place, (size, note, p)) in &newest {
        let source = place.split('\u{0}').nth(1).unwrap_or_default();
        let Some(record) = productions.iter().find(|r| r.id.as_str() == p) else {
            return Err(refuse(format!(
                "production {p} has checkpoints in {source} (up to {size} events) but is missing from the database"
            )));
        };
        let cp = chain.open_checkpoint(note).map_err(|e| {
            refuse(format!(
                "the checkpoint of {p} at size {size} in {source} is not signed by this installation's key ({key}): {e}. \
                 The signing key was changed without a recorded rotation, or the copy comes from elsewhere"
            ))
        })?;
        let count = store.event_count(&record.id).map_err(|e| e.to_string())?;
        if cp.size > count {
            return Err(refuse(format!(
                "ROLLED BACK: production {p} has {count} events in the database, but {source} holds a checkpoint this \
                 server signed at {} events: the newest {} events are missing (an older copy was restored, or events \
                 were deleted)",
                cp.size,
                cp.size - count
            )));
        }
        let root = coldset_app::ledger::root_at(store, &record.id, cp.size).map_err(|e| e.to_string())?;
        if root != cp.root {
            return Err(refuse(format!(
                "FORK: the first {} events of production {p} do not hash to the root signed in {source}: an event was \
                 changed",
                cp.size
            )));
        }
    }
    for record in &productions {
        // What each key rotation signed of this log must still be there.
        for (size, root) in chain.heads(&origin(key.name(), &record.id)) {
            let count = store.event_count(&record.id).map_err(|e| e.to_string())?;
            if size > count {
                return Err(refuse(format!(
                    "ROLLED BACK: production {} has {count} events in the database, but the key rotation signed it at \
                     {size} events",
                    record.id
                )));
            }
            if coldset_app::ledger::root_at(store, &record.id, size).map_err(|e| e.to_string())? != root {
                return Err(refuse(format!(
                    "FORK: the first {size} events of production {} do not hash to the root the key rotation signed",
                    record.id
                )));
            }
        }
        if let Some(cp) = store.latest_checkpoint(&record.id).map_err(|e| e.to_string())? {
            chain.open_checkpoint(&cp.note).map_err(|e| {
                refuse(format!(
                    "the database's newest checkpoint of {} (size {}) is not signed by this installation's key \
                     ({key}): {e}. The signing key was changed without a recorded rotation, or the database comes \
                     from another installation",
                    record.id, cp.size
                ))
            })?;
        }
    }
    Ok(())
}

/// Full offline verification of a data directory.
pub fn verify_data_dir(dir: &Path, database: Option<&str>, trust: &Trust<'_>) -> Result<Report, String> {
    // Only to print how long verification took.
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    let store = crate::datadir::open_store(dir, database).map_err(|e| e.to_string())?;
    let store = store.as_ref();
    let mut report = Report::default();
    let anchor = trusted_key(dir, trust, &mut report)?;
    let chain = crate::datadir::key_chain(dir, &crate::datadir::key_dir(dir, trust.key_dir), &anchor)
        .map_err(|e| e.to_string())?;
    describe_chain(&chain, &mut report);
    let key = chain.current().clone();
    let mut witness = Vec::new();
    for copy in copies_of(dir, trust.key_dir) {
        witness.extend(read_witness_copy(&copy)?);
    }
    let productions = store.productions().map_err(|e| e.to_string())?;
    for (p, _) in &witness {
        if !productions.iter().any(|r| r.id.as_str() == p) {
            return Err(format!("production {p} has witnessed checkpoints but is missing from the database"));
        }
    }
    for record in &productions {
        let p = &record.id;
        let mut expected = Expected::new();
        for (i, (size, root)) in chain.heads(&origin(key.name(), p)).into_iter().enumerate() {
            expect(&mut expected, size, root, format!("key rotation {} (size {size})", i + 1))?;
        }
        for cp in store.checkpoints(p).map_err(|e| e.to_string())? {
            let opened = chain
                .open_checkpoint(&cp.note)
                .map_err(|e| format!("{p}: stored checkpoint at size {}: {e}", cp.size))?;
            if opened.origin != origin(key.name(), p) || opened.size != cp.size || opened.root != cp.root {
                return Err(format!(
                    "{p}: stored checkpoint at size {} does not match its signed note (origin {}, size {}, root {})",
                    cp.size,
                    opened.origin,
                    opened.size,
                    hex(&opened.root)
                ));
            }
            expect(&mut expected, cp.size, cp.root, format!("the database checkpoint at size {}", cp.size))?;
        }
        let mut witnessed = 0;
        for (wp, note) in witness.iter().filter(|(wp, _)| wp == p.as_str()) {
            let opened = chain.open_checkpoint(note).map_err(|e| format!("{wp}: witness copy: {e}"))?;
            if opened.origin != origin(key.name(), p) {
                return Err(format!("{p}: a witness copy carries origin {}", opened.origin));
            }
            expect(&mut expected, opened.size, opened.root, format!("the witness copy at size {}", opened.size))?;
            witnessed += 1;
        }
        let state = verify_events(store, p, &expected)?;
        let count = state.next_seq();
        report.events += count;
        // Proofs come from stored nodes: check they agree with the signed roots.
        let sizes: Vec<u64> = expected.keys().copied().filter(|s| *s <= count).collect();
        for pair in sizes.windows(2) {
            let proof = coldset_app::ledger::consistency_proof(store, p, pair[0], pair[1])
                .map_err(|e| format!("{p}: tree nodes: {e}"))?;
            coldset_ledger::verify_consistency(
                pair[0],
                pair[1],
                &expected[&pair[0]].0,
                &expected[&pair[1]].0,
                &proof.path,
            )
            .map_err(|e| format!("{p}: tree nodes give a bad consistency proof {}->{}: {e}", pair[0], pair[1]))?;
        }
        if let Some(&last) = sizes.last() {
            let step = (last / 64).max(1);
            let mut seq = 0;
            while seq < last {
                let proof = coldset_app::ledger::inclusion_proof(store, p, seq, last)
                    .map_err(|e| format!("{p}: tree nodes: {e}"))?;
                coldset_ledger::verify_inclusion(&proof.leaf_hash, seq, last, &proof.path, &expected[&last].0)
                    .map_err(|e| format!("{p}: tree nodes give a bad inclusion proof for event {seq}: {e}"))?;
                seq += step;
            }
        }
        // The projections in the database must be exactly what replaying the log gives.
        let stored = store.projection_rows(p).map_err(|e| e.to_string())?;
        let rebuilt = state.all_rows();
        if stored != rebuilt {
            let diff = rebuilt
                .iter()
                .zip(stored.iter())
                .find(|(a, b)| a != b)
                .map(|(a, b)| {
                    format!(
                        "{} {} (log says version {}, database has {} {} version {})",
                        a.kind, a.id, a.version, b.kind, b.id, b.version
                    )
                })
                .unwrap_or_else(|| format!("{} records rebuilt, {} in the database", rebuilt.len(), stored.len()));
            return Err(format!("{p}: projections differ from the log: {diff}"));
        }
        let signed_to = expected.keys().next_back().copied().unwrap_or(0);
        let mut line = format!(
            "{p}: {count} events ok; {} checkpoints ({} witness copies) verified; projections match",
            expected.len(),
            witnessed
        );
        if signed_to < count {
            line.push_str(&format!(
                "; note: the last {} events are not yet covered by a signed checkpoint",
                count - signed_to
            ));
        }
        report.lines.push(line);
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Streams a production's events: canonical form, sequence, index columns, leaf hashes,
/// replay, and the root at every expected size.
fn verify_events(store: &dyn Store, p: &ProductionId, expected: &Expected) -> Result<ProductionState, String> {
    let mut state = ProductionState::new();
    let mut verifier = LogVerifier::new();
    let mut failure: Option<String> = None;
    let res = store.for_each_event(p, 0, &mut |ev| {
        let i = verifier.size();
        let fail = |what: String| coldset_app::ports::StoreError::Corrupt(format!("{p}: event {i}: {what}"));
        if ev.seq != i {
            return Err(fail(format!("expected sequence number {i}, found {} (a record was removed or reordered)", ev.seq)));
        }
        let env = Envelope::decode(&ev.bytes).map_err(|e| fail(e.to_string()))?;
        if env.seq != i || &env.production != p {
            return Err(fail(format!("its content says production {} event {}", env.production, env.seq)));
        }
        if env.event.kind() != ev.kind || env.at != ev.at {
            return Err(fail("its index columns (kind, time) differ from its content".into()));
        }
        let leaf = leaf_hash(&ev.bytes);
        if leaf != ev.leaf_hash {
            return Err(fail("its stored leaf hash does not match its content".into()));
        }
        state.apply(&env).map_err(|e| fail(e.to_string()))?;
        verifier.push_leaf_hash(leaf);
        if let Some((root, source)) = expected.get(&verifier.size()) {
            if verifier.root() != *root {
                failure = Some(format!(
                    "{p}: the log's first {} events do not hash to the root signed in {source} ({} computed, {} signed): a record up to event {i} was changed",
                    verifier.size(),
                    hex(&verifier.root()),
                    hex(root)
                ));
                return Err(fail("root mismatch".into()));
            }
        }
        Ok(())
    });
    if let Some(f) = failure {
        return Err(f);
    }
    res.map_err(|e| e.to_string())?;
    if let Some((&size, (_, source))) = expected.range(verifier.size() + 1..).next() {
        return Err(format!(
            "{p}: TAIL TRUNCATION: {source} covers {size} events but the log has only {}: records were removed",
            verifier.size()
        ));
    }
    Ok(state)
}

const BUNDLE_MAGIC: &str = "coldset-bundle 1";
/// A bundle of a log whose key was rotated: a `rotations N` section (the signed statements,
/// base64, oldest first) follows the key line.
const BUNDLE_MAGIC_ROTATED: &str = "coldset-bundle 2";

/// The section after a bundle's `end`: each checkpoint's size and when it was stored.
pub const CHECKPOINT_TIMES: &str = "checkpoint-times";

/// Reads cosigned notes kept beside the checkpoint copies: (production, note) pairs.
fn read_cosignatures(paths: &[std::path::PathBuf]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for path in paths {
        out.extend(read_witness_copy(path)?);
    }
    Ok(out)
}

/// `note` with the signature lines of every cosigned note of the same body that it lacks.
fn with_cosignatures<'a>(note: &str, cosigned: impl Iterator<Item = &'a String>) -> String {
    coldset_app::ledger::with_cosignatures(note, cosigned)
}

/// Which witnesses an auditor trusts, and how many of them must have cosigned.
pub struct WitnessPolicy {
    witnesses: Vec<coldset_ledger::CosignerVerifier>,
    quorum: usize,
}

impl WitnessPolicy {
    /// `None` when no witness is given.
    pub fn parse(keys: &[String], quorum: Option<usize>) -> Result<Option<Self>, String> {
        if keys.is_empty() {
            return Ok(None);
        }
        let witnesses = keys
            .iter()
            .map(|k| coldset_ledger::CosignerVerifier::parse(k).map_err(|e| format!("--witness {k}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let quorum = quorum.unwrap_or(witnesses.len());
        if quorum == 0 || quorum > witnesses.len() {
            return Err(format!("--quorum must be between 1 and the {} witnesses given", witnesses.len()));
        }
        Ok(Some(WitnessPolicy { witnesses, quorum }))
    }
}

/// Writes a self-contained bundle: header, verifier key, checkpoints, then every event's
/// canonical bytes, one a line (canonical JSON holds no raw newline).
pub fn export(
    dir: &Path,
    key_dir: Option<&Path>,
    database: Option<&str>,
    production: &str,
    out: &Path,
) -> Result<u64, String> {
    let store = crate::datadir::open_store(dir, database).map_err(|e| e.to_string())?;
    let p = ProductionId::parse(production).map_err(|e| e.to_string())?;
    if !store.productions().map_err(|e| e.to_string())?.iter().any(|r| r.id == p) {
        return Err(format!("no production '{p}' in {}", dir.display()));
    }
    let loaded = crate::datadir::read_key(dir, key_dir).map_err(|e| e.to_string())?;
    let key = loaded.verifier;
    let rotations =
        crate::datadir::read_rotations(dir, &crate::datadir::key_dir(dir, key_dir)).map_err(|e| e.to_string())?;
    let mut checkpoints = store.checkpoints(&p).map_err(|e| e.to_string())?;
    // Each checkpoint travels with the witnesses' cosignatures kept beside the copies.
    let cosigned = read_cosignatures(&[
        dir.join(crate::sinks::COSIGNATURES_FILE),
        crate::datadir::key_dir(dir, key_dir).join(crate::sinks::COSIGNATURES_FILE),
    ])?;
    for cp in &mut checkpoints {
        cp.note = with_cosignatures(&cp.note, cosigned.iter().filter(|(cp_p, _)| cp_p == p.as_str()).map(|(_, n)| n));
    }
    let count = store.event_count(&p).map_err(|e| e.to_string())?;
    let tmp = out.with_extension("partial");
    let file = std::fs::File::create(&tmp).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    let mut w = BufWriter::new(file);
    let io = |e: std::io::Error| format!("cannot write {}: {e}", tmp.display());
    let b64 = base64::engine::general_purpose::STANDARD;
    // A log never rotated keeps the first format, which older verifiers read.
    writeln!(w, "{}", if rotations.is_empty() { BUNDLE_MAGIC } else { BUNDLE_MAGIC_ROTATED }).map_err(io)?;
    writeln!(w, "production {p}").map_err(io)?;
    writeln!(w, "key {key}").map_err(io)?;
    if !rotations.is_empty() {
        writeln!(w, "rotations {}", rotations.len()).map_err(io)?;
        for note in &rotations {
            writeln!(w, "{}", b64.encode(note.as_bytes())).map_err(io)?;
        }
    }
    writeln!(w, "checkpoints {}", checkpoints.len()).map_err(io)?;
    for cp in &checkpoints {
        writeln!(w, "{}", b64.encode(cp.note.as_bytes())).map_err(io)?;
    }
    writeln!(w, "events {count}").map_err(io)?;
    let mut written = 0u64;
    store
        .for_each_event(&p, 0, &mut |ev| {
            w.write_all(&ev.bytes)
                .and_then(|_| w.write_all(b"\n"))
                .map_err(|e| coldset_app::ports::StoreError::Unavailable(e.to_string()))?;
            written += 1;
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    if written != count {
        return Err(format!("the log changed during export ({written} of {count} events)"));
    }
    writeln!(w, "end").map_err(io)?;
    // When each checkpoint was stored, which no signature covers but a compliance pack
    // with a period chooses its checkpoints by (`verify --record` checks that none is left
    // out). After `end`, where verifiers that stop at `end` do not look.
    writeln!(w, "{CHECKPOINT_TIMES} {}", checkpoints.len()).map_err(io)?;
    for cp in &checkpoints {
        writeln!(w, "{} {}", cp.size, cp.at.to_rfc3339()).map_err(io)?;
    }
    let file = w.into_inner().map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp, out).map_err(|e| format!("cannot move the bundle into place: {e}"))?;
    Ok(written)
}

/// Verifies a bundle with no database: signatures, leaves, roots, replay.
pub fn verify_bundle(path: &Path, pinned_key: Option<&str>, policy: Option<&WitnessPolicy>) -> Result<Report, String> {
    // Only to print how long verification took.
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = BufReader::new(file).lines();
    let mut line_no = 0usize;
    let mut next = |what: &str| -> Result<String, String> {
        line_no += 1;
        match lines.next() {
            Some(Ok(l)) => Ok(l),
            Some(Err(e)) => Err(format!("line {line_no}: {e}")),
            None => Err(format!("the bundle ends early: expected {what} at line {line_no} (was it truncated?)")),
        }
    };
    let rotated = match next("the header")?.as_str() {
        BUNDLE_MAGIC => false,
        BUNDLE_MAGIC_ROTATED => true,
        _ => return Err("not a coldset bundle (bad first line)".into()),
    };
    let field = |line: String, name: &str| -> Result<String, String> {
        line.strip_prefix(&format!("{name} ")).map(str::to_owned).ok_or_else(|| format!("expected a '{name}' line"))
    };
    let p = ProductionId::parse(&field(next("production")?, "production")?).map_err(|e| e.to_string())?;
    let bundle_key = field(next("key")?, "key")?;
    let key = VerifierKey::parse(&bundle_key).map_err(|e| format!("bundle key: {e}"))?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut statements = Vec::new();
    if rotated {
        let n: usize = field(next("rotations")?, "rotations")?.parse().map_err(|_| "bad rotation count")?;
        for i in 0..n {
            let raw = b64.decode(next("a key rotation")?.trim()).map_err(|e| format!("key rotation {i}: {e}"))?;
            statements.push(String::from_utf8(raw).map_err(|_| format!("key rotation {i} is not text"))?);
        }
    }
    let mut report = Report::default();
    let anchor = match pinned_key {
        Some(k) => VerifierKey::parse(k.trim()).map_err(|e| format!("--key: {e}"))?,
        None => {
            report.lines.push(format!(
                "warning: checked against the key inside the bundle ({key}); pass --key with the key you obtained \
                 independently"
            ));
            key.clone()
        }
    };
    // The key trusted must be one of the keys the rotations hand the log through, and the
    // bundle's own key the newest of them.
    let chain = KeyChain::from_statements(&anchor, &statements).map_err(|e| match pinned_key {
        Some(_) => format!("the bundle is signed by {key}, not by the key you trust ({anchor}): {e}"),
        None => format!("the bundle's key rotations: {e}"),
    })?;
    if chain.current() != &key {
        return Err(format!(
            "the bundle is signed by {key}, not by the key you trust ({anchor}) nor by a key its rotations hand the \
             log on to (the newest is {})",
            chain.current()
        ));
    }
    describe_chain(&chain, &mut report);
    let n_cp: usize = field(next("checkpoints")?, "checkpoints")?.parse().map_err(|_| "bad checkpoint count")?;
    let mut expected = Expected::new();
    for (i, (size, root)) in chain.heads(&origin(key.name(), &p)).into_iter().enumerate() {
        expect(&mut expected, size, root, format!("key rotation {} (size {size})", i + 1))?;
    }
    // The largest checkpoint the witness policy's quorum cosigned, and by whom.
    let mut witnessed: Option<(u64, Vec<String>)> = None;
    for i in 0..n_cp {
        let raw = b64.decode(next("a checkpoint")?.trim()).map_err(|e| format!("checkpoint {i}: {e}"))?;
        let note = String::from_utf8(raw).map_err(|_| format!("checkpoint {i} is not text"))?;
        let cp = chain.open_checkpoint(&note).map_err(|e| format!("checkpoint {i}: {e}"))?;
        if cp.origin != origin(key.name(), &p) {
            return Err(format!("checkpoint {i} is for origin {}, not this production", cp.origin));
        }
        expect(&mut expected, cp.size, cp.root, format!("checkpoint {i} (size {})", cp.size))?;
        if let Some(policy) = policy {
            let found = coldset_ledger::verify_cosignatures(&note, &policy.witnesses)
                .map_err(|e| format!("checkpoint {i}: a witness cosignature does not verify: {e}"))?;
            if found.len() >= policy.quorum && witnessed.as_ref().is_none_or(|(size, _)| cp.size > *size) {
                witnessed = Some((cp.size, found.into_iter().map(|c| c.witness).collect()));
            }
        }
    }
    if let Some(policy) = policy {
        match &witnessed {
            Some((size, by)) => report.lines.push(format!(
                "witnessed: the checkpoint at {size} events is cosigned by {} ({} of {} required)",
                by.join(", "),
                by.len(),
                policy.quorum
            )),
            None => {
                return Err(format!(
                    "no checkpoint in the bundle is cosigned by {} of the witnesses given: the log may have shown \
                     them another history, or they were never asked",
                    policy.quorum
                ))
            }
        }
    }
    let n_ev: u64 = field(next("events")?, "events")?.parse().map_err(|_| "bad event count")?;
    let mut state = ProductionState::new();
    let mut verifier = LogVerifier::new();
    for i in 0..n_ev {
        let line = next("an event")?;
        let env = Envelope::decode(line.as_bytes()).map_err(|e| format!("event {i}: {e}"))?;
        if env.seq != i || env.production != p {
            return Err(format!("event {i}: its content says production {} event {}", env.production, env.seq));
        }
        state.apply(&env).map_err(|e| format!("event {i}: {e}"))?;
        verifier.push_leaf(line.as_bytes());
        if let Some((root, source)) = expected.get(&verifier.size()) {
            if verifier.root() != *root {
                return Err(format!(
                    "the first {} events do not hash to the root signed in {source}: a record up to event {i} was changed",
                    verifier.size()
                ));
            }
        }
    }
    if next("the end marker")? != "end" {
        return Err("the bundle has more events than it announces, or a damaged end".into());
    }
    if let Some((size, (_, source))) = expected.range(n_ev + 1..).next() {
        return Err(format!("TAIL TRUNCATION: {source} covers {size} events but the bundle has only {n_ev}"));
    }
    report.events = n_ev;
    report.lines.push(format!("{p}: {n_ev} events ok; {} checkpoints verified; replay ok", expected.len()));
    if let Some((size, _)) = witnessed.filter(|(size, _)| *size < n_ev) {
        report
            .lines
            .push(format!("note: the last {} events are not yet covered by a witnessed checkpoint", n_ev - size));
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
