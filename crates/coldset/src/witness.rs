//! `coldset witness`: what an auditor runs, on their own machine, against a coldset server.
//! It fetches the latest signed checkpoint, checks its signature, and proves it extends the
//! last checkpoint it saw. A smaller tree (rollback) or a different tree (fork) is an alarm.

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
    let new = open_checkpoint(note, &vk)
        .map_err(|e| WitnessError::Alarm(format!("the latest checkpoint is not validly signed: {e}")))?;
    let latest_path = state.join(LATEST_FILE);
    let old: Option<Checkpoint> = match std::fs::read_to_string(&latest_path) {
        Ok(text) => {
            Some(open_checkpoint(&text, &vk).map_err(|e| WitnessError::Error(format!("stored checkpoint: {e}")))?)
        }
        Err(_) => None,
    };
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
    Ok(message)
}
