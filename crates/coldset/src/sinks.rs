//! Where signed checkpoints are copied besides the database: a local append-only file (so
//! deleting the newest rows of the database is caught by `verify`) and witness URLs.

use coldset_app::ledger::CheckpointSink;
use coldset_app::ports::StoredCheckpoint;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

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
    pub fn new(url: String) -> Self {
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(5)).build();
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
