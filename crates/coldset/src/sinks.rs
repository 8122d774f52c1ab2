//! Where signed checkpoints are copied besides the database: a local append-only file (so
//! deleting the newest rows of the database is caught by `verify`) and witness URLs.

use coldset_app::ledger::CheckpointSink;
use coldset_app::ports::StoredCheckpoint;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

/// One append-only file copy per path.
pub fn file_sinks(paths: &[PathBuf]) -> Vec<Box<dyn CheckpointSink>> {
    paths.iter().map(|p| Box::new(FileSink::new(p.clone())) as Box<dyn CheckpointSink>).collect()
}

/// Appends each checkpoint as one JSON line and syncs it to disk.
pub struct FileSink {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileSink {
    pub fn new(path: PathBuf) -> Self {
        FileSink { path, lock: Mutex::new(()) }
    }
}

impl CheckpointSink for FileSink {
    fn publish(&self, cp: &StoredCheckpoint) -> Result<(), String> {
        let _guard = self.lock.lock().map_err(|_| "lock poisoned".to_owned())?;
        let line = serde_json::json!({
            "production": cp.production,
            "size": cp.size,
            "root": hex::encode(cp.root),
            "at": cp.at.to_rfc3339(),
            "note": cp.note,
        });
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| format!("{}: {e}", self.path.display()))?;
        writeln!(f, "{line}").and_then(|_| f.sync_data()).map_err(|e| format!("{}: {e}", self.path.display()))
    }
}

/// POSTs each signed note (text/plain) to a witness URL. A witness that is down misses
/// that checkpoint; the next one covers everything before it (consistency proofs).
pub struct UrlSink {
    url: String,
    agent: ureq::Agent,
}

impl UrlSink {
    /// `agent` trusts the system's roots and the configured CA file (`delivery::agent`).
    pub fn new(url: String, agent: ureq::Agent) -> Self {
        UrlSink { url, agent }
    }
}

impl CheckpointSink for UrlSink {
    fn publish(&self, cp: &StoredCheckpoint) -> Result<(), String> {
        self.agent
            .post(&self.url)
            .set("Content-Type", "text/plain; charset=utf-8")
            .set("X-Coldset-Production", cp.production.as_str())
            .send_string(&cp.note)
            .map(|_| ())
            .map_err(|e| format!("POST {}: {e}", self.url))
    }
}

/// Where the cosigned checkpoints are kept, one JSON line each, beside the checkpoint copies.
pub const COSIGNATURES_FILE: &str = "cosignatures.jsonl";

/// The cosignatures kept in the `cosignatures.jsonl` copies, read for the compliance pack
/// and the tlog-proofs (coldset-app `CosignatureSource`). The files only grow, and a
/// tlog-proof is public: each ask reads only the lines appended since the last one (a file
/// that shrank, replaced by a restore, is read again from its start).
pub struct FileCosignatures {
    paths: Vec<PathBuf>,
    read: Mutex<Vec<ReadSoFar>>,
}

/// What was read of one copy: up to which byte, and the cosigned notes by production.
#[derive(Default)]
struct ReadSoFar {
    offset: u64,
    notes: std::collections::HashMap<String, std::collections::BTreeSet<String>>,
}

impl FileCosignatures {
    pub fn new(paths: Vec<PathBuf>) -> Self {
        let read = Mutex::new(paths.iter().map(|_| ReadSoFar::default()).collect());
        FileCosignatures { paths, read }
    }
}

/// Reads the lines appended to `path` since `so_far.offset`; a last line not yet ended
/// (being written) is left for the next time.
fn read_more(path: &std::path::Path, so_far: &mut ReadSoFar) -> Result<(), String> {
    use std::io::{Read as _, Seek as _};
    let len = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            *so_far = ReadSoFar::default();
            return Ok(());
        }
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    if len < so_far.offset {
        *so_far = ReadSoFar::default();
    }
    if len == so_far.offset {
        return Ok(());
    }
    let mut f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    f.seek(std::io::SeekFrom::Start(so_far.offset)).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut buf = Vec::new();
    f.take(len - so_far.offset).read_to_end(&mut buf).map_err(|e| format!("{}: {e}", path.display()))?;
    let Some(end) = buf.iter().rposition(|b| *b == b'\n') else { return Ok(()) };
    for line in buf[..end].split(|b| *b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)) {
        let v: serde_json::Value = serde_json::from_slice(line)
            .map_err(|e| format!("{}: a line is not a cosigned checkpoint: {e}", path.display()))?;
        let (Some(p), Some(note)) = (v["production"].as_str(), v["note"].as_str()) else {
            return Err(format!("{}: a line without its production or note", path.display()));
        };
        so_far.notes.entry(p.to_owned()).or_default().insert(note.to_owned());
    }
    so_far.offset += end as u64 + 1;
    Ok(())
}

impl coldset_app::ledger::CosignatureSource for FileCosignatures {
    fn cosigned_notes(&self, production: &coldset_domain::ids::ProductionId) -> Result<Vec<String>, String> {
        let mut read = self.read.lock().map_err(|_| "lock poisoned".to_owned())?;
        // The same cosignature is kept in both copies: one set of them.
        let mut notes = std::collections::BTreeSet::new();
        for (path, so_far) in self.paths.iter().zip(read.iter_mut()) {
            read_more(path, so_far)?;
            notes.extend(so_far.notes.get(production.as_str()).into_iter().flatten().cloned());
        }
        Ok(notes.into_iter().collect())
    }
}

/// Asks a C2SP tlog-witness to cosign each checkpoint (`POST <url>/add-checkpoint` with the
/// consistency proof from the last size the witness cosigned) and keeps the cosigned note
/// beside the checkpoint copies. A witness that refuses (it saw another history) is logged
/// as an error: the copies then lack its cosignature, which `verify --bundle --witness`
/// reports.
pub struct CosigningSink {
    url: String,
    witness: coldset_ledger::CosignerVerifier,
    app: coldset_app::App,
    agent: ureq::Agent,
    /// The size each production's log last had cosigned by this witness.
    known: Mutex<std::collections::HashMap<String, u64>>,
    copies: Vec<PathBuf>,
    metrics: std::sync::Arc<coldset_app::metrics::Metrics>,
}

impl CosigningSink {
    pub fn new(
        url: &str,
        witness: coldset_ledger::CosignerVerifier,
        app: coldset_app::App,
        copies: Vec<PathBuf>,
        agent: ureq::Agent,
        metrics: std::sync::Arc<coldset_app::metrics::Metrics>,
    ) -> Self {
        CosigningSink {
            url: format!("{}/add-checkpoint", url.trim_end_matches('/')),
            witness,
            app,
            agent,
            known: Mutex::new(std::collections::HashMap::new()),
            copies,
            metrics,
        }
    }

    fn request(&self, cp: &StoredCheckpoint, old: u64) -> Result<String, String> {
        use base64::Engine as _;
        let mut body = format!("old {old}\n");
        if old > 0 && old < cp.size {
            let proof = self.app.consistency_proof(&cp.production, old, cp.size).map_err(|e| e.to_string())?;
            for h in proof.path {
                body.push_str(&base64::engine::general_purpose::STANDARD.encode(h));
                body.push('\n');
            }
        }
        body.push('\n');
        body.push_str(&cp.note);
        Ok(body)
    }
}

impl CheckpointSink for CosigningSink {
    fn publish(&self, cp: &StoredCheckpoint) -> Result<(), String> {
        let witness = self.witness.name().to_owned();
        let mut old = self.known.lock().map_err(|_| "lock poisoned")?.get(cp.production.as_str()).copied().unwrap_or(0);
        // The first request may not know what the witness saw last: it answers 409 with it.
        for _ in 0..2 {
            if old > cp.size {
                return Err(format!(
                    "witness {witness} has cosigned {old} events of {}, more than this log's {}: the log was rolled back \
                     or forked",
                    cp.production, cp.size
                ));
            }
            match self.agent.post(&self.url).set("Content-Type", "text/plain").send_string(&self.request(cp, old)?) {
                Ok(resp) => {
                    let lines = resp.into_string().map_err(|e| format!("{}: {e}", self.url))?;
                    let cosigned = format!("{}{}", cp.note, lines);
                    let found = coldset_ledger::verify_cosignatures(&cosigned, std::slice::from_ref(&self.witness))
                        .map_err(|e| format!("witness {witness} answered a bad cosignature: {e}"))?;
                    if found.is_empty() {
                        return Err(format!("witness {witness} answered no cosignature of its key"));
                    }
                    let line = serde_json::json!({
                        "production": cp.production,
                        "size": cp.size,
                        "witness": witness,
                        "note": cosigned,
                    });
                    for path in &self.copies {
                        let mut f = std::fs::OpenOptions::new()
                            .create(true)
                            .append(true)
                            .open(path)
                            .map_err(|e| format!("{}: {e}", path.display()))?;
                        writeln!(f, "{line}")
                            .and_then(|_| f.sync_data())
                            .map_err(|e| format!("{}: {e}", path.display()))?;
                    }
                    self.known.lock().map_err(|_| "lock poisoned")?.insert(cp.production.to_string(), cp.size);
                    self.metrics.witness_cosigned(&witness, cp.production.as_str(), cp.size);
                    return Ok(());
                }
                Err(ureq::Error::Status(409, resp)) => {
                    let text = resp.into_string().unwrap_or_default();
                    let theirs: u64 =
                        text.trim().parse().map_err(|_| format!("witness {witness} answered 409 without a size"))?;
                    if theirs == old {
                        // Same size, yet a conflict: the witness cosigned another tree of it.
                        return Err(format!(
                            "witness {witness} cosigned another tree of {} at size {old}: FORK",
                            cp.production
                        ));
                    }
                    old = theirs;
                }
                Err(ureq::Error::Status(status, resp)) => {
                    let text = resp.into_string().unwrap_or_default();
                    return Err(format!(
                        "witness {witness} refused checkpoint {} of {} ({status}): {}",
                        cp.size,
                        cp.production,
                        text.trim()
                    ));
                }
                Err(e) => return Err(format!("{}: {e}", self.url)),
            }
        }
        Err(format!("witness {witness} keeps changing its size"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use coldset_app::ledger::CosignatureSource as _;

    #[test]
    fn cosignatures_are_read_as_the_copies_grow_once_each() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
        let line = |p: &str, note: &str| format!("{}\n", serde_json::json!({"production": p, "size": 1, "note": note}));
        std::fs::write(&a, line("dead-river", "n1")).unwrap();
        let source = FileCosignatures::new(vec![a.clone(), b.clone()]);
        let p = coldset_domain::ids::ProductionId::parse("dead-river").unwrap();
        assert_eq!(source.cosigned_notes(&p).unwrap(), vec!["n1".to_owned()]);
        // Appended to both copies (once with a line still being written), another production's.
        let mut more = line("dead-river", "n2") + &line("other-film", "x");
        std::fs::write(&b, line("dead-river", "n1") + &line("dead-river", "n2")).unwrap();
        more.push_str("{\"production\":");
        std::fs::OpenOptions::new().append(true).open(&a).unwrap().write_all(more.as_bytes()).unwrap();
        assert_eq!(source.cosigned_notes(&p).unwrap(), vec!["n1".to_owned(), "n2".to_owned()]);
        // A copy replaced by a shorter one is read again from its start.
        std::fs::write(&a, line("dead-river", "n3")).unwrap();
        std::fs::remove_file(&b).unwrap();
        assert_eq!(source.cosigned_notes(&p).unwrap(), vec!["n3".to_owned()]);
    }
}
