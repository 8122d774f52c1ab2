//! Witness cosignatures: C2SP tlog-cosignature, Ed25519 `cosignature/v1`.
//!
//! A witness that checked a checkpoint against the last one it saw of that log (a
//! consistency proof) adds a note signature line over
//!
//! ```text
//! cosignature/v1
//! time <POSIX seconds>
//! <the checkpoint's body>
//! ```
//!
//! by a key whose id is `SHA-256(name || "\n" || 0x04 || public key)[:4]`, and whose
//! signature is `key id || u64 big-endian timestamp || Ed25519 signature`. A checkpoint
//! carrying cosignatures from witnesses an auditor trusts shows that the log did not show
//! them a different history.

use std::fmt;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::error::{LedgerError, NoteError};
use crate::note::{
    check_note_text, malformed_private, malformed_verifier, parse_key_parts, validate_key_name, SIG_PREFIX,
};

/// The signature type of Ed25519 `cosignature/v1` keys.
const ALG_COSIGNATURE_V1: u8 = 0x04;

fn cosigner_key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ALG_COSIGNATURE_V1]);
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// The message a cosignature signs: header, time and the checkpoint body (which ends in a
/// newline).
pub fn cosignature_message(body: &str, timestamp: u64) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{body}")
}

/// A witness's signing key.
#[derive(Clone)]
pub struct CosignerKey {
    name: String,
    key: SigningKey,
    key_id: u32,
}

impl fmt::Debug for CosignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosignerKey").field("name", &self.name).field("seed", &"<redacted>").finish()
    }
}

impl CosignerKey {
    pub fn generate(name: &str) -> Result<Self, LedgerError> {
        validate_key_name(name)?;
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed).map_err(|e| LedgerError::Random { reason: e.to_string() })?;
        Ok(Self::from_seed(name, seed))
    }

    fn from_seed(name: &str, seed: [u8; 32]) -> Self {
        let key = SigningKey::from_bytes(&seed);
        let key_id = cosigner_key_id(name, key.verifying_key().as_bytes());
        CosignerKey { name: name.to_owned(), key, key_id }
    }

    /// Parses `PRIVATE+KEY+<name>+<hex8 key id>+<base64(0x04 || seed)>`.
    pub fn parse_private(text: &str) -> Result<Self, LedgerError> {
        let rest = text.strip_prefix("PRIVATE+KEY+").ok_or(malformed_private("it does not start with PRIVATE+KEY+"))?;
        let (name, stated, seed) = parse_key_parts(rest, ALG_COSIGNATURE_V1, malformed_private)?;
        let key = Self::from_seed(name, seed);
        if key.key_id != stated {
            return Err(LedgerError::KeyIdMismatch { name: name.to_owned(), stated, computed: key.key_id });
        }
        Ok(key)
    }

    pub fn to_private_string(&self) -> String {
        let mut raw = [0u8; 33];
        raw[0] = ALG_COSIGNATURE_V1;
        raw[1..].copy_from_slice(self.key.as_bytes());
        format!("PRIVATE+KEY+{}+{:08x}+{}", self.name, self.key_id, B64.encode(raw))
    }

    pub fn verifier(&self) -> CosignerVerifier {
        CosignerVerifier { name: self.name.clone(), key_id: self.key_id, key: self.key.verifying_key() }
    }

    /// The cosignature line (ending in a newline) over a checkpoint `body`.
    pub fn cosign(&self, body: &str, timestamp: u64) -> String {
        let sig = self.key.sign(cosignature_message(body, timestamp).as_bytes());
        let mut raw = Vec::with_capacity(76);
        raw.extend_from_slice(&self.key_id.to_be_bytes());
        raw.extend_from_slice(&timestamp.to_be_bytes());
        raw.extend_from_slice(&sig.to_bytes());
        format!("{SIG_PREFIX}{} {}\n", self.name, B64.encode(raw))
    }
}

/// A witness's public key, `<name>+<hex8 key id>+<base64(0x04 || public key)>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosignerVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl CosignerVerifier {
    pub fn parse(text: &str) -> Result<Self, LedgerError> {
        let (name, stated, public) = parse_key_parts(text.trim(), ALG_COSIGNATURE_V1, malformed_verifier)?;
        let computed = cosigner_key_id(name, &public);
        if computed != stated {
            return Err(LedgerError::KeyIdMismatch { name: name.to_owned(), stated, computed });
        }
        let key = VerifyingKey::from_bytes(&public)
            .map_err(|_| malformed_verifier("the bytes are not an Ed25519 public key"))?;
        Ok(CosignerVerifier { name: name.to_owned(), key_id: computed, key })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        self.key_id
    }
}

impl fmt::Display for CosignerVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut raw = [0u8; 33];
        raw[0] = ALG_COSIGNATURE_V1;
        raw[1..].copy_from_slice(self.key.as_bytes());
        write!(f, "{}+{:08x}+{}", self.name, self.key_id, B64.encode(raw))
    }
}

/// A cosignature that verified: which witness, and when it cosigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cosigned {
    pub witness: String,
    pub timestamp: u64,
}

/// The cosignatures of a signed note by the given witnesses that verify over its body.
/// Lines of other keys are ignored; a line that claims to be by one of `witnesses` (same
/// name and key id) but does not verify is an error, as in [`crate::open_note`].
pub fn verify_cosignatures(note: &str, witnesses: &[CosignerVerifier]) -> Result<Vec<Cosigned>, NoteError> {
    check_note_text(note)?;
    let split = note.rfind("\n\n").ok_or(NoteError::MissingSignatureBlock)?;
    let body = &note[..split + 1];
    let mut found: Vec<Cosigned> = Vec::new();
    for (i, line) in note[split + 2..].lines().enumerate() {
        let malformed = |reason| NoteError::MalformedSignatureLine { line: i + 1, reason };
        let rest = line.strip_prefix(SIG_PREFIX).ok_or(malformed("it does not start with an em dash and a space"))?;
        let (name, b64) = rest.split_once(' ').ok_or(malformed("no space between the key name and the signature"))?;
        let Ok(raw) = B64.decode(b64) else { continue };
        if raw.len() < 4 {
            continue;
        }
        let id = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
        let Some(w) = witnesses.iter().find(|w| w.name == name && w.key_id == id) else { continue };
        let invalid = || NoteError::InvalidSignature { name: w.name.clone(), key_id: w.key_id };
        if raw.len() != 76 {
            return Err(invalid());
        }
        let mut ts = [0u8; 8];
        ts.copy_from_slice(&raw[4..12]);
        let timestamp = u64::from_be_bytes(ts);
        let sig = Signature::from_slice(&raw[12..]).map_err(|_| invalid())?;
        w.key.verify_strict(cosignature_message(body, timestamp).as_bytes(), &sig).map_err(|_| invalid())?;
        if !found.iter().any(|c| c.witness == w.name) {
            found.push(Cosigned { witness: w.name.clone(), timestamp });
        }
    }
    Ok(found)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::{sign_checkpoint, Checkpoint, SignerKey};

    #[test]
    fn a_cosigned_checkpoint_verifies_for_its_witness_only() {
        let log = SignerKey::generate("coldset.test").unwrap();
        let cp = Checkpoint::new("coldset.test/dead-river", 42, [7; 32]).unwrap();
        let note = sign_checkpoint(&log, &cp);
        let w1 = CosignerKey::generate("witness.test/w1").unwrap();
        let w2 = CosignerKey::generate("witness.test/w2").unwrap();
        let cosigned = format!("{note}{}", w1.cosign(&cp.body(), 1_790_000_000));
        // The log's own signature still opens; the cosignature verifies for w1 only.
        crate::open_checkpoint(&cosigned, &log.verifier()).unwrap();
        let found = verify_cosignatures(&cosigned, &[w1.verifier(), w2.verifier()]).unwrap();
        assert_eq!(found, vec![Cosigned { witness: "witness.test/w1".into(), timestamp: 1_790_000_000 }]);
        assert!(verify_cosignatures(&cosigned, &[w2.verifier()]).unwrap().is_empty());
        // Keys round-trip through their text forms.
        let again = CosignerKey::parse_private(&w1.to_private_string()).unwrap();
        assert_eq!(again.verifier(), w1.verifier());
        assert_eq!(CosignerVerifier::parse(&w1.verifier().to_string()).unwrap(), w1.verifier());
        // A cosignature moved to another checkpoint, or a changed timestamp, fails.
        let other = Checkpoint::new("coldset.test/dead-river", 43, [7; 32]).unwrap();
        let moved = format!("{}{}", sign_checkpoint(&log, &other), w1.cosign(&cp.body(), 1_790_000_000));
        assert!(verify_cosignatures(&moved, &[w1.verifier()]).is_err());
        // A log key is not a witness key: the algorithm byte differs.
        assert!(CosignerVerifier::parse(&log.verifier().to_string()).is_err());
    }

    /// The example of C2SP tlog-cosignature: its key id is the first four bytes of the line.
    #[test]
    fn the_message_is_the_one_the_specification_gives() {
        let body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        assert_eq!(
            cosignature_message(body, 1679315147),
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
    }
}
