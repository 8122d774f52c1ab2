//! Tamper-evident history for coldset's append-only custody event logs.
//!
//! Each production's event log becomes an RFC 9162 (Certificate Transparency
//! v2) Merkle tree: [`CompactTree`] appends records in O(log n) memory and
//! reports the perfect-subtree [`Node`]s to store, [`inclusion_proof`] and
//! [`consistency_proof`] are built from those stored nodes, tree heads are
//! published as Ed25519-signed C2SP checkpoints ([`sign_checkpoint`],
//! [`open_checkpoint`]), and an outside auditor replays an exported log with
//! [`verify_log`] entirely offline. The byte formats are specified in
//! `docs/ledger-format.md`.
//!
//! The crate is pure computation over what the caller passes in: it must never
//! depend on storage, HTTP or the domain crate, so that an auditor's tool can
//! link it alone and trust that what it checks is the format, not our
//! infrastructure.

mod cosign;
mod error;
mod hash;
mod note;
mod proof;
mod rotation;
mod tlog_proof;
mod tree;
mod verify;

pub use cosign::{cosignature_message, verify_cosignatures, Cosigned, CosignerKey, CosignerVerifier};
pub use error::{LedgerError, NoteError, ProofError, ProofGenError, VerifyError};
pub use hash::{empty_root, leaf_hash, node_hash, root_of, Hash};
pub use note::{
    key_id, open_checkpoint, open_note, sign_checkpoint, sign_checkpoint_with, sign_note, Checkpoint, NoteSigner,
    SignerKey, VerifierKey, MAX_SIGNATURES,
};
pub use proof::{
    consistency_proof, consistency_proof_len, inclusion_proof, inclusion_proof_len, verify_consistency,
    verify_inclusion,
};
pub use rotation::{KeyChain, KeyRotation, RotationError, ROTATION_HEADER};
pub use tlog_proof::{TlogProof, TlogProofError, TLOG_PROOF_HEADER};
pub use tree::{CompactTree, MemoryNodes, MissingNode, Node, NodeReader, MAX_TREE_SIZE};
pub use verify::{verify_log, LogVerifier, VerifySummary};
