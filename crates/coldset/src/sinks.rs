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
/// and the tlog-proofs (coldset-app `CosignatureSource`): each copy is read whole at each
/// ask, and the copies together give every cosignature either of them kept.
pub struct FileCosignatures {
    paths: Vec<PathBuf>,
}

impl FileCosignatures {
    pub fn new(paths: Vec<PathBuf>) -> Self {
        FileCosignatures { paths }
    }
}

impl coldset_app::ledger::CosignatureSource for FileCosignatures {
    fn cosigned_notes(&self, production: &coldset_domain::ids::ProductionId) -> Result<Vec<String>, String> {
        let mut notes: Vec<String> = crate::audit::read_cosignatures(&self.paths)?
            .into_iter()
            .filter(|(p, _)| p == production.as_str())
            .map(|(_, note)| note)
            .collect();
        // The same cosignature is kept in both copies.
        notes.sort();
        notes.dedup();
        Ok(notes)
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
