//! Key rotation: a signed statement that hands a log over from one key to the next, and
//! the chain of keys it makes, which says which key may sign which checkpoint.
//!
//! A rotation statement is a signed note (docs/ledger-format.md section 12):
//!
//! ```text
//! coldset key rotation v1
//! old <old verifier key>
//! new <new verifier key>
//! head <size> <base64 root> <origin>
//! ...
//!
//! — <name> <signature by the old key>
//! — <name> <signature by the new key>
//! ```
//!
//! One `head` line per log the old key signed for, sorted by origin: the log's size and
//! root when the key was rotated. Both keys sign the same text, so the old key vouches for
//! the new one (the chain of trust goes old to new) and the new key for the history the old
//! one signed. From then on the old key may sign no checkpoint of that log beyond that size,
//! and the new key none below it; a log with no `head` line did not exist then and is the
//! new key's alone. Both keys must carry the same name, so every checkpoint's origin
//! (`<key name>/<log>`) stays the same across the rotation.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use crate::error::{excerpt, NoteError};
use crate::hash::Hash;
use crate::note::{
    open_checkpoint, open_note, parse_canonical_u64, parse_root, signature_line_with, Checkpoint, NoteSigner,
    VerifierKey,
};

/// The first line of every rotation statement.
pub const ROTATION_HEADER: &str = "coldset key rotation v1";

/// Why a rotation statement or a chain of them is refused, or a checkpoint is not accepted
/// by a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RotationError {
    /// The statement's text is not a rotation statement.
    #[error("not a key rotation statement: {reason}")]
    Malformed {
        /// What is wrong with it.
        reason: String,
    },
    /// The statement is not signed by both keys it names.
    #[error("the key rotation from {old} to {new} is not signed by the {which} key: {source}")]
    NotSigned {
        /// The old key.
        old: String,
        /// The new key.
        new: String,
        /// `old` or `new`.
        which: &'static str,
        /// Why its signature did not open.
        source: NoteError,
    },
    /// The rotations do not follow one another, or do not reach the trusted key.
    #[error("the key rotations do not form one chain: {reason}")]
    BrokenChain {
        /// What is wrong.
        reason: String,
    },
    /// A signer could not sign the statement.
    #[error("cannot sign the key rotation: {reason}")]
    Signer {
        /// What went wrong.
        reason: String,
    },
    /// The checkpoint is signed by none of the chain's keys.
    #[error("the checkpoint is signed by none of the log's keys ({keys}): {source}")]
    UnknownKey {
        /// The chain's keys, oldest first.
        keys: String,
        /// Why it did not open with the newest key.
        source: NoteError,
    },
    /// The checkpoint is signed by a key of the chain, but for a size that key may not sign.
    #[error(
        "the checkpoint of {origin} at size {size} is signed by {key}, which may sign only sizes {from} to {to} of \
         that log (it was rotated): a retired key signed it"
    )]
    OutsidePeriod {
        /// The checkpoint's origin.
        origin: String,
        /// Its size.
        size: u64,
        /// The key that signed it.
        key: String,
        /// The smallest size that key may sign.
        from: u64,
        /// The largest size that key may sign.
        to: String,
    },
    /// The checkpoint's note is malformed, or a signature by one of the chain's keys does
    /// not verify.
    #[error("the checkpoint cannot be opened: {source}")]
    Note {
        /// The signed-note error.
        source: NoteError,
    },
}

fn malformed(reason: impl Into<String>) -> RotationError {
    RotationError::Malformed { reason: reason.into() }
}

/// A log key handed over to the next: the old and new verifier keys, and each log's head
/// (size, root) at the moment of the rotation, by origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRotation {
    /// The key retired.
    pub old: VerifierKey,
    /// The key that signs from now on (same name as `old`).
    pub new: VerifierKey,
    /// Each log's size and root at the rotation, by origin.
    pub heads: BTreeMap<String, (u64, Hash)>,
}

impl KeyRotation {
    /// The signed text.
    pub fn text(&self) -> String {
        let mut text = format!("{ROTATION_HEADER}\nold {}\nnew {}\n", self.old, self.new);
        for (origin, (size, root)) in &self.heads {
            text.push_str(&format!("head {size} {} {origin}\n", B64.encode(root)));
        }
        text
    }

    /// The signed statement: the text signed by the old key, then by the new one. Both
    /// signers must be the keys the statement names, and carry one name.
    pub fn sign(&self, old: &dyn NoteSigner, new: &dyn NoteSigner) -> Result<String, RotationError> {
        self.check_keys()?;
        if old.verifier() != self.old || new.verifier() != self.new {
            return Err(RotationError::Signer { reason: "the signers are not the keys the statement names".into() });
        }
        for origin in self.heads.keys() {
            Checkpoint::new(origin.clone(), 0, [0; 32])
                .map_err(|e| malformed(format!("origin {}: {e}", excerpt(origin))))?;
        }
        let text = self.text();
        let first = signature_line_with(old, &text).map_err(|e| RotationError::Signer { reason: e.to_string() })?;
        let second = signature_line_with(new, &text).map_err(|e| RotationError::Signer { reason: e.to_string() })?;
        Ok(format!("{text}\n{first}{second}"))
    }

    fn check_keys(&self) -> Result<(), RotationError> {
        if self.old.name() != self.new.name() {
            return Err(malformed(format!(
                "the new key is named {} and the old one {}: a rotation keeps the name, so that checkpoints keep \
                 their origin",
                self.new.name(),
                self.old.name()
            )));
        }
        if self.old == self.new {
            return Err(malformed("the old and the new key are the same key"));
        }
        Ok(())
    }

    /// Parses a signed rotation statement and checks that both keys it names signed it.
    pub fn open(note: &str) -> Result<Self, RotationError> {
        let split = note.rfind("\n\n").ok_or_else(|| malformed("it has no signatures"))?;
        let text = &note[..split + 1];
        let rotation = Self::parse_text(text)?;
        for (which, key) in [("old", &rotation.old), ("new", &rotation.new)] {
            let signed = open_note(note, key).map_err(|source| RotationError::NotSigned {
                old: rotation.old.to_string(),
                new: rotation.new.to_string(),
                which,
                source,
            })?;
            if signed != text {
                return Err(malformed("the signed text is not the statement"));
            }
        }
        Ok(rotation)
    }

    fn parse_text(text: &str) -> Result<Self, RotationError> {
        let content = text.strip_suffix('\n').ok_or_else(|| malformed("its text does not end with a newline"))?;
        let mut lines = content.split('\n');
        if lines.next() != Some(ROTATION_HEADER) {
            return Err(malformed(format!("its first line is not {ROTATION_HEADER:?}")));
        }
        let key = |line: Option<&str>, field: &str| -> Result<VerifierKey, RotationError> {
            let text = line
                .and_then(|l| l.strip_prefix(field))
                .and_then(|l| l.strip_prefix(' '))
                .ok_or_else(|| malformed(format!("the '{field}' line is missing")))?;
            VerifierKey::parse(text).map_err(|e| malformed(format!("the {field} key: {e}")))
        };
        let old = key(lines.next(), "old")?;
        let new = key(lines.next(), "new")?;
        let mut heads = BTreeMap::new();
        let mut last: Option<String> = None;
        for line in lines {
            let rest =
                line.strip_prefix("head ").ok_or_else(|| malformed(format!("unexpected line {}", excerpt(line))))?;
            let mut parts = rest.splitn(3, ' ');
            let (Some(size), Some(root), Some(origin)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(malformed(format!("a head line is incomplete: {}", excerpt(line))));
            };
            let size = parse_canonical_u64(size).map_err(|e| malformed(e.to_string()))?;
            let root = parse_root(root).map_err(|e| malformed(e.to_string()))?;
            Checkpoint::new(origin, size, root).map_err(|e| malformed(e.to_string()))?;
            // One spelling of one statement: origins sorted, each once.
            if last.as_deref().is_some_and(|l| l >= origin) {
                return Err(malformed("the head lines are not sorted by origin, or one origin is listed twice"));
            }
            last = Some(origin.to_owned());
            heads.insert(origin.to_owned(), (size, root));
        }
        let rotation = KeyRotation { old, new, heads };
        rotation.check_keys()?;
        Ok(rotation)
    }
}

/// A log's keys over time: the first key, then each key a rotation handed the log to.
#[derive(Clone, Debug)]
pub struct KeyChain {
    keys: Vec<VerifierKey>,
    rotations: Vec<KeyRotation>,
}

impl KeyChain {
    /// A log that was never rotated: one key signs everything.
    pub fn single(key: VerifierKey) -> Self {
        KeyChain { keys: vec![key], rotations: Vec::new() }
    }

    /// The chain the signed rotation statements (oldest first) make, anchored at `trusted`,
    /// the key the caller obtained independently: it must be one of the chain's keys (the
    /// first key, or any key a rotation handed the log to). Each statement must be signed
    /// by both its keys and start from the key the one before it handed over to.
    pub fn from_statements(trusted: &VerifierKey, statements: &[String]) -> Result<Self, RotationError> {
        let rotations = statements.iter().map(|n| KeyRotation::open(n)).collect::<Result<Vec<_>, _>>()?;
        Self::from_rotations(trusted, rotations)
    }

    /// As [`KeyChain::from_statements`], from statements already opened.
    pub fn from_rotations(trusted: &VerifierKey, rotations: Vec<KeyRotation>) -> Result<Self, RotationError> {
        let Some(first) = rotations.first() else { return Ok(Self::single(trusted.clone())) };
        let mut keys = vec![first.old.clone()];
        for r in &rotations {
            let last = keys.last().cloned().unwrap_or_else(|| r.old.clone());
            if r.old != last {
                return Err(RotationError::BrokenChain {
                    reason: format!("a rotation starts from {}, but the key before it is {last}", r.old),
                });
            }
            if keys.contains(&r.new) {
                return Err(RotationError::BrokenChain { reason: format!("the key {} comes back", r.new) });
            }
            keys.push(r.new.clone());
        }
        if !keys.contains(trusted) {
            return Err(RotationError::BrokenChain {
                reason: format!(
                    "the key trusted ({trusted}) is none of the keys the rotations name ({})",
                    keys.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        Ok(KeyChain { keys, rotations })
    }

    /// The key that signs now.
    pub fn current(&self) -> &VerifierKey {
        // Never empty: made with at least one key.
        &self.keys[self.keys.len() - 1]
    }

    /// Every key, oldest first.
    pub fn keys(&self) -> &[VerifierKey] {
        &self.keys
    }

    /// The rotations, oldest first.
    pub fn rotations(&self) -> &[KeyRotation] {
        &self.rotations
    }

    /// The sizes key number `index` may sign for `origin`: from the size the rotation to it
    /// named (0 for the first key, or a log created after that rotation) to the size the
    /// rotation away from it named (`None`: no end, it is the current key). A log the
    /// rotation away from it does not name did not exist then: that key signed nothing of it.
    fn period(&self, index: usize, origin: &str) -> (u64, Option<u64>) {
        let from = match index.checked_sub(1).and_then(|i| self.rotations.get(i)) {
            Some(r) => r.heads.get(origin).map_or(0, |(size, _)| *size),
            None => 0,
        };
        let to = self.rotations.get(index).map(|r| r.heads.get(origin).map_or(0, |(size, _)| *size));
        (from, to)
    }

    /// Opens a signed checkpoint: it must be signed by the key of the chain that was in
    /// force for its origin and size. A checkpoint by a key outside the chain, or by a
    /// retired key beyond the size it was retired at, is refused.
    pub fn open_checkpoint(&self, note: &str) -> Result<Checkpoint, RotationError> {
        for (index, key) in self.keys.iter().enumerate().rev() {
            match open_checkpoint(note, key) {
                Ok(cp) => {
                    let (from, to) = self.period(index, &cp.origin);
                    if cp.size < from || to.is_some_and(|to| cp.size > to) {
                        return Err(RotationError::OutsidePeriod {
                            origin: cp.origin,
                            size: cp.size,
                            key: key.to_string(),
                            from,
                            to: to.map_or_else(|| "any".into(), |t| t.to_string()),
                        });
                    }
                    return Ok(cp);
                }
                // Signed by another key: try the one before it.
                Err(NoteError::NoSignatureByKey { .. }) => {}
                Err(source) => return Err(RotationError::Note { source }),
            }
        }
        let current = self.current();
        Err(RotationError::UnknownKey {
            keys: self.keys.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            source: NoteError::NoSignatureByKey { name: current.name().to_owned(), key_id: current.key_id() },
        })
    }

    /// The (size, root) each rotation signed for `origin`, oldest first: signed roots the
    /// log must still hash to.
    pub fn heads(&self, origin: &str) -> Vec<(u64, Hash)> {
        self.rotations.iter().filter_map(|r| r.heads.get(origin).copied()).collect()
    }
}
