//! The tamper-evident side of the log: proofs served from the stored tree nodes, and the
//! checkpointer that signs the tree head of every production that grew (at least every
//! second while events arrive, and on demand).

use crate::error::AppError;
use crate::ports::{Clock, Store, StoreError, StoredCheckpoint};
use coldset_domain::ids::ProductionId;
use coldset_ledger::{Checkpoint, CompactTree, Hash, NodeReader, NoteSigner, VerifierKey};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// Reads a production's perfect-subtree hashes from the store. Remembers what it read: a
/// proof and the roots it is checked against share most of their nodes.
pub struct StoreNodes<'a> {
    pub store: &'a dyn Store,
    pub production: &'a ProductionId,
    cache: std::cell::RefCell<HashMap<(u8, u64), Hash>>,
}

impl<'a> StoreNodes<'a> {
    pub fn new(store: &'a dyn Store, production: &'a ProductionId) -> Self {
        StoreNodes { store, production, cache: std::cell::RefCell::new(HashMap::new()) }
    }
}

impl NodeReader for StoreNodes<'_> {
    type Error = StoreError;
    fn node(&self, level: u8, index: u64) -> Result<Hash, StoreError> {
        if let Some(h) = self.cache.borrow().get(&(level, index)) {
            return Ok(*h);
        }
        let h = self.store.node(self.production, level, index)?.ok_or_else(|| {
            StoreError::Corrupt(format!("tree node ({level}, {index}) of {} is missing", self.production))
        })?;
        self.cache.borrow_mut().insert((level, index), h);
        Ok(h)
    }
}

fn gen_err<E: std::fmt::Display>(e: coldset_ledger::ProofGenError<E>) -> AppError {
    AppError::Internal(format!("cannot build the proof: {e}"))
}

/// The root of a production's log at `size` events, from stored nodes.
pub fn root_at(store: &dyn Store, production: &ProductionId, size: u64) -> Result<Hash, AppError> {
    root_from(&StoreNodes::new(store, production), size)
}

fn root_from(reader: &StoreNodes<'_>, size: u64) -> Result<Hash, AppError> {
    Ok(CompactTree::from_reader(reader, size).map_err(gen_err)?.root())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    pub leaf_index: u64,
    pub tree_size: u64,
    pub leaf_hash: Hash,
    pub root: Hash,
    pub path: Vec<Hash>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub new_size: u64,
    pub old_root: Hash,
    pub new_root: Hash,
    pub path: Vec<Hash>,
}

fn bad_range(message: String) -> AppError {
    AppError::Domain(coldset_domain::DomainError::Invalid { field: "size".into(), message })
}

/// Proof that event `seq` is in the log of `tree_size` events.
pub fn inclusion_proof(
    store: &dyn Store,
    production: &ProductionId,
    seq: u64,
    tree_size: u64,
) -> Result<InclusionProof, AppError> {
    let count = store.event_count(production)?;
    if tree_size == 0 || tree_size > count || seq >= tree_size {
        return Err(bad_range(format!(
            "need seq < size <= {count} (the log's length); got seq {seq}, size {tree_size}"
        )));
    }
    let reader = StoreNodes::new(store, production);
    let path = coldset_ledger::inclusion_proof(&reader, seq, tree_size).map_err(gen_err)?;
    Ok(InclusionProof {
        leaf_index: seq,
        tree_size,
        leaf_hash: reader.node(0, seq)?,
        root: root_from(&reader, tree_size)?,
        path,
    })
}

/// Proof that the log of `new_size` events extends the log of `old_size` events.
pub fn consistency_proof(
    store: &dyn Store,
    production: &ProductionId,
    old_size: u64,
    new_size: u64,
) -> Result<ConsistencyProof, AppError> {
    let count = store.event_count(production)?;
    if old_size == 0 || old_size > new_size || new_size > count {
        return Err(bad_range(format!(
            "need 0 < from <= to <= {count} (the log's length); got from {old_size}, to {new_size}"
        )));
    }
    let reader = StoreNodes::new(store, production);
    let path = coldset_ledger::consistency_proof(&reader, old_size, new_size).map_err(gen_err)?;
    Ok(ConsistencyProof {
        old_size,
        new_size,
        old_root: root_from(&reader, old_size)?,
        new_root: root_from(&reader, new_size)?,
        path,
    })
}

/// Somewhere a signed checkpoint is copied to besides the database: a file, a witness.
/// A sink that fails must not stop checkpointing; it reports and the next one retries.
pub trait CheckpointSink: Send + Sync {
    fn publish(&self, checkpoint: &StoredCheckpoint) -> Result<(), String>;
}

/// Where the witnesses' cosignatures of a production's checkpoints are kept. The binary
/// keeps them in files beside its checkpoint copies (`cosignatures.jsonl`, in the data and
/// key directories), not in the store: a cosignature proves itself (it verifies with its
/// witness's key over the checkpoint it names), so it needs no place in the signed log,
/// and the files are what `coldset export` and `verify` already read.
pub trait CosignatureSource: Send + Sync {
    /// Every cosigned note kept for `production`: a checkpoint note with its witnesses'
    /// signature lines (the same checkpoint may come several times, one per witness).
    fn cosigned_notes(&self, production: &ProductionId) -> Result<Vec<String>, String>;
}

/// `note` with the signature lines of every cosigned note of the same body that it lacks,
/// so a checkpoint travels with the cosignatures witnesses gave it.
pub fn with_cosignatures<'a>(note: &str, cosigned: impl IntoIterator<Item = &'a String>) -> String {
    let Some(split) = note.rfind("\n\n") else { return note.to_owned() };
    let body = &note[..split + 1];
    let mut out = note.to_owned();
    for other in cosigned {
        let Some(other_split) = other.rfind("\n\n") else { continue };
        if &other[..other_split + 1] != body {
            continue;
        }
        for line in other[other_split + 2..].lines() {
            if !out[split + 2..].lines().any(|l| l == line) {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// The origin line of a production's checkpoints: installation key name and production.
pub fn origin(key_name: &str, production: &ProductionId) -> String {
    format!("{key_name}/{production}")
}

/// Signs tree heads. Shared by the background thread and on-demand callers; a mutex keeps
/// two of them from signing the same head twice.
pub struct Checkpointer {
    /// The log key: in memory, or an external signer such as an ssh-agent.
    key: Arc<dyn NoteSigner>,
    verifier: VerifierKey,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    heads: Arc<RwLock<HashMap<ProductionId, (u64, Hash)>>>,
    sinks: Vec<Box<dyn CheckpointSink>>,
    signed: Mutex<HashMap<ProductionId, u64>>,
    /// The signed key rotations that handed the log to `key` (oldest first), and every key
    /// they name: served to witnesses and auditors, who follow the chain from the key they
    /// were first given.
    rotations: RwLock<(Vec<String>, Vec<VerifierKey>)>,
}

impl Checkpointer {
    pub(crate) fn new(
        key: Arc<dyn NoteSigner>,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        heads: Arc<RwLock<HashMap<ProductionId, (u64, Hash)>>>,
        sinks: Vec<Box<dyn CheckpointSink>>,
    ) -> Result<Self, AppError> {
        let mut signed = HashMap::new();
        for p in store.productions()? {
            if let Some(cp) = store.latest_checkpoint(&p.id)? {
                signed.insert(p.id, cp.size);
            }
        }
        let verifier = key.verifier();
        let rotations = RwLock::new((Vec::new(), vec![verifier.clone()]));
        Ok(Checkpointer { key, verifier, store, clock, heads, sinks, signed: Mutex::new(signed), rotations })
    }

    pub fn verifier_key(&self) -> String {
        self.verifier.to_string()
    }

    /// Sets the signed key rotations that handed the log to this checkpointer's key (oldest
    /// first). Each must open, and they must end at this key.
    pub fn set_key_rotations(&self, notes: Vec<String>) -> Result<(), AppError> {
        let chain = coldset_ledger::KeyChain::from_statements(&self.verifier, &notes)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if chain.current() != &self.verifier {
            return Err(AppError::Internal(format!(
                "the key rotations hand the log to {}, not to the signing key {}",
                chain.current(),
                self.verifier
            )));
        }
        let keys = chain.keys().to_vec();
        *self.rotations.write().map_err(|_| AppError::Internal("rotations lock poisoned".into()))? = (notes, keys);
        Ok(())
    }

    /// The signed key rotations, oldest first (none if the key never changed).
    pub fn key_rotations(&self) -> Vec<String> {
        self.rotations.read().map(|r| r.0.clone()).unwrap_or_default()
    }

    /// The key of the log's chain that signed `note` (the current key, or one it replaced),
    /// by the name and key id of its signature lines; the current key if none matches.
    pub fn verifier_key_of(&self, note: &str) -> String {
        let keys = self.rotations.read().map(|r| r.1.clone()).unwrap_or_default();
        let signatures = note.rfind("\n\n").map_or("", |i| &note[i + 2..]);
        keys.iter()
            .rev()
            .find(|k| {
                signatures.lines().any(|line| {
                    let mut parts = line.trim_start_matches('\u{2014}').trim_start().splitn(2, ' ');
                    let (Some(name), Some(sig)) = (parts.next(), parts.next()) else { return false };
                    use base64::Engine as _;
                    name == k.name()
                        && base64::engine::general_purpose::STANDARD
                            .decode(sig)
                            .is_ok_and(|raw| raw.len() > 4 && raw[..4] == k.key_id().to_be_bytes())
                })
            })
            .map_or_else(|| self.verifier.to_string(), ToString::to_string)
    }

    /// Signs the current head of every production that grew since its last checkpoint.
    pub fn sign_new_heads(&self) -> Result<Vec<StoredCheckpoint>, AppError> {
        let heads: Vec<(ProductionId, (u64, Hash))> = match self.heads.read() {
            Ok(h) => h.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            Err(_) => return Err(AppError::Internal("heads lock poisoned".into())),
        };
        let mut out = Vec::new();
        for (production, head) in heads {
            if let Some(cp) = self.sign_head(&production, head)? {
                out.push(cp);
            }
        }
        Ok(out)
    }

    /// Signs one production's current head now (no-op if already signed).
    pub fn checkpoint(&self, production: &ProductionId) -> Result<Option<StoredCheckpoint>, AppError> {
        let head = match self.heads.read() {
            Ok(h) => h.get(production).copied(),
            Err(_) => return Err(AppError::Internal("heads lock poisoned".into())),
        };
        match head {
            Some(head) => self.sign_head(production, head),
            None => Err(AppError::UnknownProduction(production.to_string())),
        }
    }

    fn sign_head(
        &self,
        production: &ProductionId,
        (size, root): (u64, Hash),
    ) -> Result<Option<StoredCheckpoint>, AppError> {
        let mut signed = self.signed.lock().map_err(|_| AppError::Internal("checkpoint lock poisoned".into()))?;
        if size == 0 || signed.get(production).is_some_and(|s| *s >= size) {
            return Ok(None);
        }
        let cp = Checkpoint::new(origin(self.verifier.name(), production), size, root)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let note = coldset_ledger::sign_checkpoint_with(self.key.as_ref(), &cp)
            .map_err(|e| AppError::Internal(format!("signing checkpoint {size} of {production}: {e}")))?;
        let stored = StoredCheckpoint { production: production.clone(), size, root, at: self.clock.now(), note };
        self.store.save_checkpoint(&stored)?;
        signed.insert(production.clone(), size);
        drop(signed);
        for sink in &self.sinks {
            if let Err(e) = sink.publish(&stored) {
                tracing::warn!(%production, size, error = %e, "checkpoint copy failed");
            }
        }
        Ok(Some(stored))
    }
}

/// Runs the checkpointer every `interval` until the application is dropped.
pub(crate) fn spawn_loop(checkpointer: std::sync::Weak<Checkpointer>, interval: Duration) -> Result<(), AppError> {
    std::thread::Builder::new()
        .name("coldset-checkpointer".into())
        .spawn(move || loop {
            std::thread::sleep(interval);
            let Some(cp) = checkpointer.upgrade() else { break };
            if let Err(e) = cp.sign_new_heads() {
                tracing::error!(error = %e, "signing checkpoints failed");
            }
        })
        .map(|_| ())
        .map_err(|e| AppError::Internal(format!("cannot start the checkpointer: {e}")))
}
