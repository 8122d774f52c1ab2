//! Streaming verification of a whole log against its checkpoints, for
//! auditors who hold an export of the records and the signed checkpoints.

use crate::error::VerifyError;
use crate::hash::{leaf_hash, Hash};
use crate::note::Checkpoint;
use crate::tree::CompactTree;

/// Recomputes the tree over records fed in log order, in constant memory.
#[derive(Clone, Debug)]
pub struct LogVerifier {
    tree: CompactTree,
}

impl Default for LogVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl LogVerifier {
    /// A verifier that has seen no records.
    pub fn new() -> Self {
        // Full frontier capacity up front: pushing a record then never
        // allocates.
        Self { tree: CompactTree::with_full_capacity() }
    }

    /// Feeds the next record's bytes (the leaf data, hashed here).
    pub fn push_leaf(&mut self, data: &[u8]) {
        self.tree.push(leaf_hash(data));
    }

    /// Feeds the next record's leaf hash, for callers that hashed already.
    pub fn push_leaf_hash(&mut self, leaf: Hash) {
        self.tree.push(leaf);
    }

    /// Records fed so far.
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// Root over the records fed so far.
    pub fn root(&self) -> Hash {
        self.tree.root()
    }

    /// Checks a checkpoint whose size equals the number of records fed so far.
    ///
    /// Only the tree matters here: the caller decides which origin and which
    /// signing key it trusts before handing the checkpoint over.
    pub fn check_checkpoint(&self, cp: &Checkpoint) -> Result<(), VerifyError> {
        if cp.size != self.size() {
            return Err(VerifyError::NotAtCheckpointSize { checkpoint_size: cp.size, records_read: self.size() });
        }
        let computed = self.root();
        if computed != cp.root {
            return Err(VerifyError::RootMismatch { size: cp.size, expected: cp.root, computed });
        }
        Ok(())
    }
}

/// What [`verify_log`] established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifySummary {
    /// Records read.
    pub records: u64,
    /// Root over all records read.
    pub root: Hash,
    /// Checkpoints whose roots matched.
    pub checkpoints_checked: usize,
}

/// Reads every record in order and checks each checkpoint when the record
/// count reaches its size (in size order, whatever order they are given in).
///
/// Fails on the first problem: a source error, a checkpoint whose root differs
/// from the records, or a checkpoint larger than the log (records were removed
/// from the end).
pub fn verify_log<I, B, E>(leaves: I, checkpoints: &[Checkpoint]) -> Result<VerifySummary, VerifyError>
where
    I: IntoIterator<Item = Result<B, E>>,
    B: AsRef<[u8]>,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut pending: Vec<&Checkpoint> = checkpoints.iter().collect();
    pending.sort_by_key(|cp| cp.size);
    let mut next = 0usize;
    let mut verifier = LogVerifier::new();

    let mut check_due = |verifier: &LogVerifier| -> Result<(), VerifyError> {
        while let Some(cp) = pending.get(next) {
            if cp.size != verifier.size() {
                break;
            }
            verifier.check_checkpoint(cp)?;
            next += 1;
        }
        Ok(())
    };

    check_due(&verifier)?;
    for item in leaves {
        let data = item.map_err(|e| VerifyError::Read { index: verifier.size(), source: e.into() })?;
        verifier.push_leaf(data.as_ref());
        check_due(&verifier)?;
    }
    if let Some(cp) = pending.get(next) {
        return Err(VerifyError::Truncated { checkpoint_size: cp.size, log_size: verifier.size() });
    }
    Ok(VerifySummary { records: verifier.size(), root: verifier.root(), checkpoints_checked: next })
}
