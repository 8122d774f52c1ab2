//! Witnesses, run on a machine the production does not control. `coldset witness` is what
//! an auditor runs against a coldset server: it fetches the latest signed checkpoint, checks
//! its signature, and proves it extends the last checkpoint it saw. A smaller tree
//! (rollback) or a different tree (fork) is an alarm. `coldset witness-serve` is a C2SP
//! tlog-witness the server itself asks to cosign each checkpoint (below).

use base64::Engine as _;
use coldset_ledger::{open_checkpoint, verify_consistency, Checkpoint, Hash, VerifierKey};
use std::path::Path;
use std::time::Duration;

const KEY_FILE: &str = "verifier.key";
const LATEST_FILE: &str = "latest.note";

/// Why the witness refuses: an alarm is a broken promise of the log, an error is a failure
/// to check (network, files).
#[derive(Debug)]
pub enum WitnessError {
    Alarm(String),
    Error(String),
}

fn get(agent: &ureq::Agent, url: &str) -> Result<serde_json::Value, WitnessError> {
    let resp = agent.get(url).call().map_err(|e| WitnessError::Error(format!("GET {url}: {e}")))?;
    let text = resp.into_string().map_err(|e| WitnessError::Error(format!("GET {url}: {e}")))?;
    serde_json::from_str(&text).map_err(|e| WitnessError::Error(format!("GET {url}: not JSON: {e}")))
}

fn hash_from_hex(v: &serde_json::Value) -> Result<Hash, WitnessError> {
    let s = v.as_str().ok_or_else(|| WitnessError::Error("a proof hash is not a string".into()))?;
    let bytes = hex::decode(s).map_err(|_| WitnessError::Error(format!("'{s}' is not hex")))?;
    Hash::try_from(bytes.as_slice()).map_err(|_| WitnessError::Error(format!("'{s}' is not 32 bytes")))
}

/// Runs one witness round. `url` is a production's API base, e.g.
/// `http://127.0.0.1:8080/api/v1/productions/dead-river`.
pub fn run(url: &str, state: &Path, key: Option<&str>) -> Result<String, WitnessError> {
    let io = |e: std::io::Error| WitnessError::Error(format!("{}: {e}", state.display()));
    std::fs::create_dir_all(state).map_err(io)?;
    let key_path = state.join(KEY_FILE);
    let stored_key = std::fs::read_to_string(&key_path).ok();
    let key_text = match (key, stored_key.as_deref()) {
        (Some(k), Some(s)) if k.trim() != s.trim() => {
            return Err(WitnessError::Alarm(format!(
                "the key given ({}) differs from the key this witness pinned ({})",
                k.trim(),
                s.trim()
            )))
        }
        (Some(k), _) => k.trim().to_owned(),
        (None, Some(s)) => s.trim().to_owned(),
        (None, None) => {
            return Err(WitnessError::Error("first run: give --key with the server's verifier key".into()));
        }
    };
    let vk = VerifierKey::parse(&key_text).map_err(|e| WitnessError::Error(format!("key: {e}")))?;
    if stored_key.is_none() {
        std::fs::write(&key_path, format!("{key_text}\n")).map_err(io)?;
    }
    let base = url.trim_end_matches('/');
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
    let latest = get(&agent, &format!("{base}/checkpoint"))?;
    let note = latest["note"].as_str().ok_or_else(|| WitnessError::Error("the server sent no note".into()))?;
    // The pinned key, and the keys the log was handed to since (key rotations signed by
    // the key they retire and the key they make: docs/adr/0006-key-rotation.md).
    let chain = match open_checkpoint(note, &vk) {
        Ok(_) => coldset_ledger::KeyChain::single(vk.clone()),
        Err(_) => {
            let root = base.find("/api/v1/").map_or(base, |i| &base[..i]);
            let rotations = get(&agent, &format!("{root}/api/v1/ledger/key-rotations"))?;
            let notes: Vec<String> = rotations["items"]
                .as_array()
                .map(|a| a.iter().filter_map(|n| n.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            coldset_ledger::KeyChain::from_statements(&vk, &notes)
                .map_err(|e| WitnessError::Alarm(format!("the latest checkpoint is not signed by the pinned key, and the server's key rotations do not lead from it: {e}")))?
        }
    };
    let new = chain
        .open_checkpoint(note)
        .map_err(|e| WitnessError::Alarm(format!("the latest checkpoint is not validly signed: {e}")))?;
    let latest_path = state.join(LATEST_FILE);
    let old: Option<Checkpoint> = match std::fs::read_to_string(&latest_path) {
        Ok(text) => {
            Some(chain.open_checkpoint(&text).map_err(|e| WitnessError::Error(format!("stored checkpoint: {e}")))?)
        }
        Err(_) => None,
    };
    // What each rotation signed of this log must agree with what this witness saw.
    if let Some(old) = &old {
        for (size, root) in chain.heads(&old.origin) {
            if size == old.size && root != old.root {
                return Err(WitnessError::Alarm(format!(
                    "FORK: the key rotation signed size {size} with another root than the checkpoint this witness saw"
                )));
            }
        }
    }
    let message = match old {
        None => format!("first checkpoint recorded: {} at size {}", new.origin, new.size),
        Some(old) => {
            if old.origin != new.origin {
                return Err(WitnessError::Alarm(format!("origin changed from {} to {}", old.origin, new.origin)));
            }
            if new.size < old.size {
                return Err(WitnessError::Alarm(format!(
                    "ROLLBACK: the log was at size {} and now claims size {}: records were removed",
                    old.size, new.size
                )));
            }
            if new.size == old.size {
                if new.root != old.root {
                    return Err(WitnessError::Alarm(format!(
                        "FORK: two different trees of size {} are signed ({} and {})",
                        new.size,
                        hex::encode(old.root),
                        hex::encode(new.root)
                    )));
                }
                format!("unchanged at size {}", new.size)
            } else {
                let proof = get(&agent, &format!("{base}/proof/consistency?from={}&to={}", old.size, new.size))?;
                let path = proof["path"]
                    .as_array()
                    .ok_or_else(|| WitnessError::Error("the consistency proof has no path".into()))?
                    .iter()
                    .map(hash_from_hex)
                    .collect::<Result<Vec<Hash>, _>>()?;
                // Check against the roots in the signed notes, never the roots the proof
                // response claims.
                verify_consistency(old.size, new.size, &old.root, &new.root, &path).map_err(|e| {
                    WitnessError::Alarm(format!(
                        "FORK: the checkpoint at size {} does not extend the one at size {}: {e}",
                        new.size, old.size
                    ))
                })?;
                format!("consistent: size {} extends size {}", new.size, old.size)
            }
        }
    };
    let tmp = state.join("latest.note.partial");
    std::fs::write(&tmp, note).map_err(io)?;
    std::fs::rename(&tmp, &latest_path).map_err(io)?;
    if chain.current() != &vk {
        // Pin the key the log was handed to; the old one signs nothing new.
        let tmp = state.join("verifier.key.partial");
        std::fs::write(&tmp, format!("{}\n", chain.current())).map_err(io)?;
        std::fs::rename(&tmp, &key_path).map_err(io)?;
        return Ok(format!("{message}; the log's key was rotated: now pinned {}", chain.current()));
    }
    Ok(message)
}

// ---- the witness server ------------------------------------------------------------------

/// `coldset witness-serve`: a C2SP tlog-witness that an auditor (or a studio's safety office)
/// runs on a machine the production does not control. It keeps, per log (one per
/// production), the newest checkpoint it cosigned; it cosigns a new checkpoint only when it
/// is signed by a log key it was given and a consistency proof shows that it extends that
/// one. A rollback or a fork is refused, and the log's own copies then lack the witness's
/// cosignature, which `verify --bundle --witness` notices.
pub struct WitnessServer {
    key: coldset_ledger::CosignerKey,
    logs: Vec<VerifierKey>,
    state: std::path::PathBuf,
    /// Checking a request against the newest checkpoint and recording the new one happen
    /// under this lock, so two requests cannot roll each other back.
    lock: tokio::sync::Mutex<()>,
}

const COSIGNER_KEY_FILE: &str = "witness.key";

/// Reads the witness's key from its state directory, or makes it the first time.
pub fn cosigner_key(state: &Path, name: &str) -> Result<coldset_ledger::CosignerKey, String> {
    let path = state.join(COSIGNER_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let key = coldset_ledger::CosignerKey::parse_private(text.trim())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if key.verifier().name() != name {
                return Err(format!("{} is the key of witness {}, not {name}", path.display(), key.verifier().name()));
            }
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::datadir::private_dir(state).map_err(|e| e.to_string())?;
            let key = coldset_ledger::CosignerKey::generate(name).map_err(|e| format!("witness name: {e}"))?;
            crate::datadir::write_private(&path, format!("{}\n", key.to_private_string()).as_bytes())
                .map_err(|e| e.to_string())?;
            Ok(key)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

impl WitnessServer {
    pub fn new(key: coldset_ledger::CosignerKey, logs: Vec<VerifierKey>, state: &Path) -> Self {
        WitnessServer { key, logs, state: state.to_owned(), lock: tokio::sync::Mutex::new(()) }
    }

    pub fn router(self) -> axum::Router {
        axum::Router::new()
            .route("/add-checkpoint", axum::routing::post(add_checkpoint))
            .with_state(std::sync::Arc::new(self))
    }

    fn log_file(&self, origin: &str) -> std::path::PathBuf {
        use sha2::Digest;
        self.state.join("logs").join(format!("{}.json", hex::encode(sha2::Sha256::digest(origin.as_bytes()))))
    }

    /// The newest checkpoint cosigned for `origin`: size and root.
    fn latest(&self, origin: &str) -> Result<(u64, Option<Hash>), String> {
        match std::fs::read_to_string(self.log_file(origin)) {
            Ok(text) => {
                let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
                let size = v["size"].as_u64().ok_or("bad witness state")?;
                let root = hash_from_hex(&v["root"]).map_err(|_| "bad witness state".to_owned())?;
                Ok((size, Some(root)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((0, None)),
            Err(e) => Err(e.to_string()),
        }
    }

    fn record(&self, cp: &Checkpoint) -> Result<(), String> {
        let path = self.log_file(&cp.origin);
        let dir = path.parent().ok_or("no state directory")?;
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let tmp = path.with_extension("partial");
        let text = serde_json::json!({"origin": cp.origin, "size": cp.size, "root": hex::encode(cp.root)}).to_string();
        let mut f = std::fs::File::create(&tmp).map_err(|e| e.to_string())?;
        std::io::Write::write_all(&mut f, text.as_bytes()).and_then(|_| f.sync_all()).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &path).map_err(|e| e.to_string())
    }
}

async fn add_checkpoint(
    axum::extract::State(w): axum::extract::State<std::sync::Arc<WitnessServer>>,
    body: String,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let answer = |status: StatusCode, text: String| (status, text).into_response();
    // The proof lines hold no blank line, so the first one ends them; the note follows.
    let Some((head, note)) = body.split_once("\n\n") else {
        return answer(
            StatusCode::BAD_REQUEST,
            "expected an old size line, proof lines, a blank line and a checkpoint\n".into(),
        );
    };
    let mut lines = head.split('\n');
    let old: u64 = match lines.next().and_then(|l| l.strip_prefix("old ")).and_then(|n| n.parse().ok()) {
        Some(n) => n,
        None => return answer(StatusCode::BAD_REQUEST, "the first line must be 'old <size>'\n".into()),
    };
    let mut proof = Vec::new();
    for line in lines {
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(line) else {
            return answer(StatusCode::BAD_REQUEST, "a proof line is not base64\n".into());
        };
        let Ok(hash) = Hash::try_from(bytes.as_slice()) else {
            return answer(StatusCode::BAD_REQUEST, "a proof line is not a 32-byte hash\n".into());
        };
        proof.push(hash);
    }
    if proof.len() > 63 {
        return answer(StatusCode::BAD_REQUEST, "more than 63 proof lines\n".into());
    }
    let origin = note.lines().next().unwrap_or_default();
    // Every key given for the log's name: after a key rotation its operator gives the new
    // key (the origin, and so the witness's state, stays the same).
    let keys: Vec<&VerifierKey> = w.logs.iter().filter(|k| origin.starts_with(&format!("{}/", k.name()))).collect();
    if keys.is_empty() {
        return answer(StatusCode::NOT_FOUND, format!("this witness does not follow the log {origin}\n"));
    }
    let mut opened = Err(String::new());
    for key in keys {
        match open_checkpoint(note, key) {
            Ok(cp) => {
                opened = Ok(cp);
                break;
            }
            Err(e) => opened = Err(e.to_string()),
        }
    }
    let cp = match opened {
        Ok(cp) => cp,
        Err(e) => {
            return answer(StatusCode::FORBIDDEN, format!("the checkpoint is not signed by the log's key: {e}\n"))
        }
    };
    if old > cp.size {
        return answer(StatusCode::BAD_REQUEST, "the old size is larger than the checkpoint's\n".into());
    }
    let _guard = w.lock.lock().await;
    let (size, root) = match w.latest(&cp.origin) {
        Ok(latest) => latest,
        Err(e) => return answer(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")),
    };
    let conflict = || {
        (StatusCode::CONFLICT, [(axum::http::header::CONTENT_TYPE, "text/x.tlog.size")], format!("{size}\n"))
            .into_response()
    };
    if old != size {
        return conflict();
    }
    match root {
        Some(root) if old == cp.size && root != cp.root => {
            tracing::error!(origin = %cp.origin, size, "FORK: two different trees of one size were offered");
            return conflict();
        }
        Some(root) if old < cp.size && verify_consistency(old, cp.size, &root, &cp.root, &proof).is_err() => {
            tracing::error!(origin = %cp.origin, old, new = cp.size, "the checkpoint does not extend the one cosigned");
            return answer(StatusCode::UNPROCESSABLE_ENTITY, "the consistency proof does not verify\n".into());
        }
        None if !proof.is_empty() => {
            return answer(StatusCode::UNPROCESSABLE_ENTITY, "a proof from size 0 must be empty\n".into())
        }
        _ => {}
    }
    if let Err(e) = w.record(&cp) {
        return answer(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot record the checkpoint: {e}\n"));
    }
    // A cosignature carries the witness's own wall-clock time (C2SP tlog-cosignature).
    #[allow(clippy::disallowed_methods)]
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    answer(StatusCode::OK, w.key.cosign(&cp.body(), now))
}
