//! Error types. Every `Display` message is meant to be read by an auditor, so
//! each one says what was found and, where it helps, what it usually means.

use crate::hash::Hash;

/// Problems with keys and with restoring a [`crate::CompactTree`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// An external signer (an ssh-agent holding the key) failed or answered a signature
    /// that does not verify.
    #[error("the external signer failed: {reason}")]
    Signer {
        /// What went wrong.
        reason: String,
    },
    /// A key name is empty or contains '+', whitespace or a control character.
    #[error(
        "key name {name:?} is not allowed: a key name must be non-empty and must not contain \
         '+', spaces or control characters"
    )]
    InvalidKeyName {
        /// The rejected name (shortened if very long).
        name: String,
    },
    /// A `PRIVATE+KEY+...` string could not be parsed.
    #[error("the private signing key is malformed: {reason}")]
    MalformedPrivateKey {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A `<name>+<id>+<key>` verifier key string could not be parsed.
    #[error("the public verifier key is malformed: {reason}")]
    MalformedVerifierKey {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The key names another algorithm than the one expected.
    #[error(
        "the key uses signature algorithm {algorithm}, not the one expected here (1: an Ed25519 log key; 4: an \
         Ed25519 witness key)"
    )]
    UnsupportedAlgorithm {
        /// The algorithm byte found in the key.
        algorithm: u8,
    },
    /// The key id written in a key string does not belong to the key.
    #[error(
        "the key id {stated:08x} written in the key does not match the id {computed:08x} computed \
         from the key name {name:?} and the public key: the key was altered or renamed"
    )]
    KeyIdMismatch {
        /// The key name.
        name: String,
        /// The id written in the key string.
        stated: u32,
        /// The id computed from the name and public key.
        computed: u32,
    },
    /// The operating system could not supply randomness for a new key.
    #[error("could not get randomness from the operating system to generate a key: {reason}")]
    Random {
        /// The operating system's error.
        reason: String,
    },
    /// A persisted frontier does not have one hash per set bit of the size.
    #[error(
        "a tree of {size} records has exactly {expected} frontier hashes, but {got} were given: \
         the saved tree state is corrupt or belongs to another size"
    )]
    FrontierLength {
        /// The tree size given.
        size: u64,
        /// Hashes a frontier of that size has.
        expected: usize,
        /// Hashes given.
        got: usize,
    },
    /// A tree size beyond what this crate supports.
    #[error("a tree of {size} records is larger than the supported maximum of 2^63 records")]
    TreeTooLarge {
        /// The rejected size.
        size: u64,
    },
}

/// Failure to build a proof (or a tree) from stored nodes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProofGenError<E> {
    /// The caller's node store failed or lacked a node.
    #[error("could not read the stored tree node at level {level}, index {index}: {source}")]
    Read {
        /// Height of the node (0 = leaf).
        level: u8,
        /// Position of the node among nodes of that level.
        index: u64,
        /// The store's error.
        source: E,
    },
    /// An inclusion proof was asked for a leaf that is not in the tree.
    #[error("leaf index {index} is outside a log of {size} records")]
    LeafIndexOutOfRange {
        /// Requested leaf index (0-based).
        index: u64,
        /// Tree size.
        size: u64,
    },
    /// A consistency proof was asked from a larger to a smaller tree.
    #[error("the old log size {old_size} is larger than the new size {new_size}: a log can only grow")]
    OldSizeLarger {
        /// The old size.
        old_size: u64,
        /// The new size.
        new_size: u64,
    },
    /// A tree size beyond what this crate supports.
    #[error("a tree of {size} records is larger than the supported maximum of 2^63 records")]
    TreeTooLarge {
        /// The rejected size.
        size: u64,
    },
}

/// A proof failed verification. Any variant means "do not trust this proof".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is outside a log of {size} records")]
    LeafIndexOutOfRange {
        /// Leaf index (0-based).
        index: u64,
        /// Tree size.
        size: u64,
    },
    /// The old tree is bigger than the new one.
    #[error("the old log size {old_size} is larger than the new size {new_size}: a log can only grow")]
    OldSizeLarger {
        /// The old size.
        old_size: u64,
        /// The new size.
        new_size: u64,
    },
    /// The proof has more or fewer hashes than these sizes call for.
    #[error(
        "the proof has {got} hashes but exactly {expected} are needed for these sizes: hashes were \
         added or removed, or the proof was made for other sizes or another record"
    )]
    WrongProofLength {
        /// Hashes needed.
        expected: usize,
        /// Hashes given.
        got: usize,
    },
    /// The proof path did not end at the top of the tree.
    #[error("the proof path does not fit a tree of this size")]
    MalformedPath,
    /// The inclusion proof leads to another root.
    #[error(
        "the inclusion proof leads to root {} instead of the expected root {}: the record, its \
         position or the proof is not what the log committed to",
        hex::encode(.computed), hex::encode(.expected)
    )]
    RootMismatch {
        /// The root the caller trusts.
        expected: Hash,
        /// The root the proof leads to.
        computed: Hash,
    },
    /// Two tree heads of the same size have different roots.
    #[error(
        "both tree heads are for {size} records but their roots differ ({} and {}): the log has \
         shown two different histories",
        hex::encode(.old_root), hex::encode(.new_root)
    )]
    SameSizeRootsDiffer {
        /// The common size.
        size: u64,
        /// Root of the old head.
        old_root: Hash,
        /// Root of the new head.
        new_root: Hash,
    },
    /// An old tree head of size 0 whose root is not the empty-tree root.
    #[error(
        "the old tree head is for an empty log but its root {} is not the empty-log root {}",
        hex::encode(.old_root), hex::encode(crate::hash::empty_root())
    )]
    EmptyTreeRootMismatch {
        /// The root given for the empty log.
        old_root: Hash,
    },
    /// The consistency proof does not rebuild the old root.
    #[error(
        "the consistency proof rebuilds old root {} instead of {}: the earlier records were \
         changed, or the proof is wrong",
        hex::encode(.computed), hex::encode(.expected)
    )]
    OldRootMismatch {
        /// The trusted old root.
        expected: Hash,
        /// The root rebuilt from the proof.
        computed: Hash,
    },
    /// The consistency proof does not rebuild the new root.
    #[error(
        "the consistency proof rebuilds new root {} instead of {}: the new log does not extend \
         the old one, or the proof is wrong",
        hex::encode(.computed), hex::encode(.expected)
    )]
    NewRootMismatch {
        /// The claimed new root.
        expected: Hash,
        /// The root rebuilt from the proof.
        computed: Hash,
    },
}

/// A signed note or checkpoint could not be parsed, signed or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// A control character other than newline appears in the note.
    #[error(
        "the note contains a control character at byte {offset}; signed notes may only contain \
         printable text and newlines"
    )]
    ControlCharacter {
        /// Byte offset of the character.
        offset: usize,
    },
    /// Text to be signed is empty or does not end with a newline.
    #[error("the text to sign must be non-empty and end with a newline")]
    TextNotTerminated,
    /// No blank line separating the text from the signatures.
    #[error("the note has no blank line followed by signature lines")]
    MissingSignatureBlock,
    /// The signature block is empty or its last line lacks its newline.
    #[error("the note's signature block is empty or its last line does not end with a newline")]
    UnterminatedSignatureBlock,
    /// A signature line does not have the `— <name> <base64>` shape.
    #[error("signature line {line} is malformed: {reason}")]
    MalformedSignatureLine {
        /// 1-based line number within the signature block.
        line: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// More signature lines than any honest note carries.
    #[error("the note has more than {max} signature lines")]
    TooManySignatures {
        /// The limit.
        max: usize,
    },
    /// A signature claiming to be by the trusted key does not verify.
    #[error(
        "the signature by key {name}+{key_id:08x} does not verify: the note was changed after it \
         was signed, or the signature is forged"
    )]
    InvalidSignature {
        /// Key name.
        name: String,
        /// Key id.
        key_id: u32,
    },
    /// The note has no signature line by the trusted key.
    #[error(
        "the note carries no signature by key {name}+{key_id:08x}; it may be signed by another \
         key, or its signatures were removed"
    )]
    NoSignatureByKey {
        /// Key name.
        name: String,
        /// Key id.
        key_id: u32,
    },
    /// Checkpoint body does not end with a newline.
    #[error("the checkpoint body does not end with a newline")]
    BodyNotTerminated,
    /// Checkpoint body ends before a required line.
    #[error("the checkpoint body ends before its {missing} line")]
    MissingBodyLine {
        /// Which line is missing.
        missing: &'static str,
    },
    /// Checkpoint body has lines after the root hash.
    #[error(
        "the checkpoint body has lines after the root hash; checkpoints of this log have exactly \
         three lines (origin, size, root)"
    )]
    ExtraBodyLines,
    /// Empty origin line.
    #[error("the checkpoint origin (its first line) is empty")]
    EmptyOrigin,
    /// Origin contains a newline or other control character.
    #[error("the checkpoint origin {origin:?} contains a newline or another control character")]
    InvalidOrigin {
        /// The rejected origin (shortened if very long).
        origin: String,
    },
    /// The size line is not a canonical decimal number.
    #[error(
        "the checkpoint tree size {text:?} is not a plain decimal number (digits only, no sign, \
         no leading zeros, at most 18446744073709551615)"
    )]
    InvalidSize {
        /// The rejected text (shortened if very long).
        text: String,
    },
    /// The root line is not canonical base64 of 32 bytes.
    #[error("the checkpoint root hash {text:?} is not the standard base64 encoding of 32 bytes")]
    InvalidRoot {
        /// The rejected text (shortened if very long).
        text: String,
    },
}

/// The log does not match its checkpoints, or could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The first `size` records do not hash to the checkpoint's root.
    #[error(
        "checkpoint for size {size} does not match the log: the checkpoint says root {} but the \
         first {size} records hash to {}: a record was changed, removed, inserted or reordered",
        hex::encode(.expected), hex::encode(.computed)
    )]
    RootMismatch {
        /// Checkpoint tree size.
        size: u64,
        /// Root in the checkpoint.
        expected: Hash,
        /// Root computed from the records.
        computed: Hash,
    },
    /// A checkpoint covers more records than the log has.
    #[error(
        "checkpoint for size {checkpoint_size} but the log has only {log_size} records: records \
         were removed (tail truncation)"
    )]
    Truncated {
        /// Checkpoint tree size.
        checkpoint_size: u64,
        /// Records in the log.
        log_size: u64,
    },
    /// [`crate::LogVerifier::check_checkpoint`] called at the wrong moment.
    #[error(
        "checkpoint for size {checkpoint_size} cannot be checked now: {records_read} records \
         have been read so far"
    )]
    NotAtCheckpointSize {
        /// Checkpoint tree size.
        checkpoint_size: u64,
        /// Records pushed so far.
        records_read: u64,
    },
    /// The record source failed.
    #[error("could not read record {index} (counting from 0): {source}")]
    Read {
        /// 0-based position of the record that could not be read.
        index: u64,
        /// The source's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Shortens attacker-controlled text before it goes into an error message.
pub(crate) fn excerpt(s: &str) -> String {
    const MAX_CHARS: usize = 80;
    let mut out: String = s.chars().take(MAX_CHARS).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}
