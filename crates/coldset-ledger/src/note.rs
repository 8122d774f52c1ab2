//! Signed checkpoints in the C2SP signed-note and tlog-checkpoint formats
//! (the formats of Go's `golang.org/x/mod/sumdb/note`), with Ed25519 keys.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::error::{excerpt, LedgerError, NoteError};
use crate::hash::Hash;

/// Algorithm byte for Ed25519 in signed-note keys.
const ALG_ED25519: u8 = 0x01;
/// Every signature line starts with U+2014 EM DASH and a space.
pub(crate) const SIG_PREFIX: &str = "\u{2014} ";
/// Same cap as Go's `note.Open`: bounds the work a hostile note can cause.
pub const MAX_SIGNATURES: usize = 100;

/// A tree head: the log called `origin` had `size` records with root `root`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Checkpoint {
    /// Log identity, e.g. `coldset.example/production/42`. One line, non-empty.
    pub origin: String,
    /// Number of records covered.
    pub size: u64,
    /// Merkle tree hash of those records.
    pub root: Hash,
}

impl Checkpoint {
    /// A checkpoint whose origin is known to be valid.
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Result<Self, NoteError> {
        let origin = origin.into();
        validate_origin(&origin)?;
        Ok(Self { origin, size, root })
    }

    /// The checkpoint body that gets signed:
    /// `<origin>\n<size>\n<base64 root>\n`.
    ///
    /// The origin is written as is; [`Checkpoint::new`] or
    /// [`Checkpoint::validate`] guard against an origin that would make the
    /// body unparseable.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, B64.encode(self.root))
    }

    /// Checks the origin: non-empty, without newlines or other control
    /// characters.
    pub fn validate(&self) -> Result<(), NoteError> {
        validate_origin(&self.origin)
    }

    /// Parses a checkpoint body strictly: exactly three newline-terminated
    /// lines, a canonical decimal size and canonical base64 of 32 bytes.
    ///
    /// Extension lines allowed by tlog-checkpoint are rejected because this
    /// log never writes them, and accepting signed text it then ignores would
    /// hide what was signed.
    pub fn parse_body(body: &str) -> Result<Self, NoteError> {
        let Some(content) = body.strip_suffix('\n') else {
            return Err(NoteError::BodyNotTerminated);
        };
        let mut lines = content.split('\n');
        let origin = lines.next().unwrap_or_default();
        validate_origin(origin)?;
        let size_text = lines.next().ok_or(NoteError::MissingBodyLine { missing: "tree size" })?;
        let root_text = lines.next().ok_or(NoteError::MissingBodyLine { missing: "root hash" })?;
        if lines.next().is_some() {
            return Err(NoteError::ExtraBodyLines);
        }
        Ok(Self { origin: origin.to_owned(), size: parse_canonical_u64(size_text)?, root: parse_root(root_text)? })
    }
}

fn validate_origin(origin: &str) -> Result<(), NoteError> {
    if origin.is_empty() {
        return Err(NoteError::EmptyOrigin);
    }
    if origin.chars().any(char::is_control) {
        return Err(NoteError::InvalidOrigin { origin: excerpt(origin) });
    }
    Ok(())
}

pub(crate) fn parse_canonical_u64(text: &str) -> Result<u64, NoteError> {
    let invalid = || NoteError::InvalidSize { text: excerpt(text) };
    // `u64::from_str` alone would accept "+5" and "007"; two spellings of one
    // size would let the same tree head be signed as different texts.
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) || (text.len() > 1 && text.starts_with('0')) {
        return Err(invalid());
    }
    text.parse::<u64>().map_err(|_| invalid())
}

pub(crate) fn parse_root(text: &str) -> Result<Hash, NoteError> {
    let invalid = || NoteError::InvalidRoot { text: excerpt(text) };
    let bytes = B64.decode(text).map_err(|_| invalid())?;
    let root: Hash = bytes.try_into().map_err(|_| invalid())?;
    if B64.encode(root) != text {
        return Err(invalid());
    }
    Ok(root)
}

/// Key names appear inside `+`-separated key strings and space-separated
/// signature lines, so those separators cannot be part of a name.
pub(crate) fn validate_key_name(name: &str) -> Result<(), LedgerError> {
    if name.is_empty() || name.contains('+') || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(LedgerError::InvalidKeyName { name: excerpt(name) });
    }
    Ok(())
}

fn is_valid_key_name(name: &str) -> bool {
    validate_key_name(name).is_ok()
}

/// Key id: the first four bytes, big-endian, of
/// `SHA-256(name || "\n" || 0x01 || public key)`.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ALG_ED25519]);
    h.update(public_key);
    let digest = h.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

pub(crate) fn parse_key_id(text: &str) -> Option<u32> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

/// Parses the common shape of signed-note key strings, `<name>+<hex8 key id>+<base64(alg
/// || 32 bytes)>`: the name, the stated key id and the 32 key bytes, refusing another
/// algorithm byte than `alg`. Checking the id is the caller's (it depends on the key kind).
pub(crate) fn parse_key_parts(
    text: &str,
    alg: u8,
    malformed: fn(&'static str) -> LedgerError,
) -> Result<(&str, u32, [u8; 32]), LedgerError> {
    // The name cannot contain '+', but base64 can, so split at most twice.
    let mut parts = text.splitn(3, '+');
    let name = parts.next().unwrap_or_default();
    let id_text = parts.next().ok_or(malformed("the key id and key are missing"))?;
    let key_text = parts.next().ok_or(malformed("the key is missing"))?;
    validate_key_name(name)?;
    let stated = parse_key_id(id_text).ok_or(malformed("the key id is not 8 hex digits"))?;
    let raw = B64.decode(key_text).map_err(|_| malformed("the key is not valid base64"))?;
    let (&found, bytes) = raw.split_first().ok_or(malformed("the key is empty"))?;
    if found != alg {
        return Err(LedgerError::UnsupportedAlgorithm { algorithm: found });
    }
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| malformed("an Ed25519 key must be 32 bytes"))?;
    Ok((name, stated, bytes))
}

pub(crate) fn malformed_private(reason: &'static str) -> LedgerError {
    LedgerError::MalformedPrivateKey { reason }
}

pub(crate) fn malformed_verifier(reason: &'static str) -> LedgerError {
    LedgerError::MalformedVerifierKey { reason }
}

/// An Ed25519 signing key with its signed-note name.
#[derive(Clone)]
pub struct SignerKey {
    name: String,
    key: SigningKey,
    key_id: u32,
}

impl SignerKey {
    /// A fresh key from the operating system's random number generator.
    pub fn generate(name: &str) -> Result<Self, LedgerError> {
        validate_key_name(name)?;
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed).map_err(|e| LedgerError::Random { reason: e.to_string() })?;
        Self::from_seed(name, seed)
    }

    /// The key for a given 32-byte Ed25519 seed (RFC 8032 private key).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, LedgerError> {
        validate_key_name(name)?;
        let key = SigningKey::from_bytes(&seed);
        let key_id = key_id(name, key.verifying_key().as_bytes());
        Ok(Self { name: name.to_owned(), key, key_id })
    }

    /// Parses `PRIVATE+KEY+<name>+<hex8 key id>+<base64(0x01 || seed)>`,
    /// checking that the key id matches the key.
    pub fn parse_private(text: &str) -> Result<Self, LedgerError> {
        let rest = text.strip_prefix("PRIVATE+KEY+").ok_or(malformed_private("it does not start with PRIVATE+KEY+"))?;
        let (name, stated, seed) = parse_key_parts(rest, ALG_ED25519, malformed_private)?;
        let key = Self::from_seed(name, seed)?;
        if key.key_id != stated {
            return Err(LedgerError::KeyIdMismatch { name: name.to_owned(), stated, computed: key.key_id });
        }
        Ok(key)
    }

    /// `PRIVATE+KEY+<name>+<hex8 key id>+<base64(0x01 || seed)>`, the format
    /// Go's `note.NewSigner` reads. Keep it secret.
    pub fn to_private_string(&self) -> String {
        let mut raw = [0u8; 33];
        raw[0] = ALG_ED25519;
        raw[1..].copy_from_slice(self.key.as_bytes());
        format!("PRIVATE+KEY+{}+{:08x}+{}", self.name, self.key_id, B64.encode(raw))
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The matching public key.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey { name: self.name.clone(), key_id: self.key_id, key: self.key.verifying_key() }
    }

    fn signature_line(&self, text: &str) -> String {
        let sig = self.key.sign(text.as_bytes());
        let mut raw = [0u8; 68];
        raw[..4].copy_from_slice(&self.key_id.to_be_bytes());
        raw[4..].copy_from_slice(&sig.to_bytes());
        format!("{SIG_PREFIX}{} {}\n", self.name, B64.encode(raw))
    }
}

impl fmt::Debug for SignerKey {
    // Hand-written so a stray `{:?}` in a log line never leaks the seed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignerKey")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .field("seed", &"<redacted>")
            .finish()
    }
}

/// An Ed25519 public key with its signed-note name, as given to auditors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl VerifierKey {
    /// Parses `<name>+<hex8 key id>+<base64(0x01 || public key)>`, checking
    /// that the key id matches the name and key.
    pub fn parse(text: &str) -> Result<Self, LedgerError> {
        let (name, stated, public) = parse_key_parts(text, ALG_ED25519, malformed_verifier)?;
        let computed = key_id(name, &public);
        if computed != stated {
            return Err(LedgerError::KeyIdMismatch { name: name.to_owned(), stated, computed });
        }
        let key = VerifyingKey::from_bytes(&public)
            .map_err(|_| malformed_verifier("the bytes are not an Ed25519 public key"))?;
        Ok(Self { name: name.to_owned(), key_id: computed, key })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The verifier key of a raw Ed25519 public key under `name` (an external signer's).
    pub fn from_public_key(name: &str, public: [u8; 32]) -> Result<Self, LedgerError> {
        validate_key_name(name)?;
        let key = VerifyingKey::from_bytes(&public)
            .map_err(|_| LedgerError::MalformedVerifierKey { reason: "the bytes are not an Ed25519 public key" })?;
        Ok(Self { name: name.to_owned(), key_id: key_id(name, &public), key })
    }

    /// The raw 32-byte Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut raw = [0u8; 33];
        raw[0] = ALG_ED25519;
        raw[1..].copy_from_slice(self.key.as_bytes());
        write!(f, "{}+{:08x}+{}", self.name, self.key_id, B64.encode(raw))
    }
}

impl FromStr for VerifierKey {
    type Err = LedgerError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

pub(crate) fn check_note_text(text: &str) -> Result<(), NoteError> {
    if let Some((offset, _)) = text.char_indices().find(|&(_, c)| c < '\u{20}' && c != '\n') {
        return Err(NoteError::ControlCharacter { offset });
    }
    Ok(())
}

/// Signs arbitrary note text (non-empty, newline-terminated, no control
/// characters other than newline) and returns the signed note.
pub fn sign_note(key: &SignerKey, text: &str) -> Result<String, NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::TextNotTerminated);
    }
    check_note_text(text)?;
    let line = key.signature_line(text);
    let mut note = String::with_capacity(text.len() + 1 + line.len());
    note.push_str(text);
    note.push('\n');
    note.push_str(&line);
    Ok(note)
}

/// Whatever holds the private half of a log key: a key in memory ([`SignerKey`]) or an
/// external signer (an ssh-agent holding the key, say) that never hands the key out.
pub trait NoteSigner: Send + Sync {
    /// The public half, with the key's name.
    fn verifier(&self) -> VerifierKey;
    /// An Ed25519 signature of `message`.
    fn sign_bytes(&self, message: &[u8]) -> Result<[u8; 64], LedgerError>;
}

impl NoteSigner for SignerKey {
    fn verifier(&self) -> VerifierKey {
        SignerKey::verifier(self)
    }

    fn sign_bytes(&self, message: &[u8]) -> Result<[u8; 64], LedgerError> {
        Ok(self.key.sign(message).to_bytes())
    }
}

/// Signs a checkpoint with any signer: its body, a blank line and one signature line. The
/// signature is checked before it is returned, so a signer that answers garbage never
/// produces a note that does not open.
pub fn sign_checkpoint_with(signer: &dyn NoteSigner, cp: &Checkpoint) -> Result<String, LedgerError> {
    let body = cp.body();
    let line = signature_line_with(signer, &body)?;
    Ok(format!("{body}\n{line}"))
}

/// One signature line (`— <name> <base64(key id || signature)>` and a newline) of `text` by
/// any signer, checked before it is returned.
pub(crate) fn signature_line_with(signer: &dyn NoteSigner, text: &str) -> Result<String, LedgerError> {
    let key = signer.verifier();
    let sig = signer.sign_bytes(text.as_bytes())?;
    key.key
        .verify_strict(text.as_bytes(), &Signature::from_bytes(&sig))
        .map_err(|_| LedgerError::Signer { reason: format!("its signature does not verify with {key}") })?;
    let mut raw = [0u8; 68];
    raw[..4].copy_from_slice(&key.key_id.to_be_bytes());
    raw[4..].copy_from_slice(&sig);
    Ok(format!("{SIG_PREFIX}{} {}\n", key.name, B64.encode(raw)))
}

/// Signs a checkpoint: its body, a blank line and one signature line.
///
/// The checkpoint's origin should come from [`Checkpoint::new`] or pass
/// [`Checkpoint::validate`]; otherwise the note will not open.
pub fn sign_checkpoint(key: &SignerKey, cp: &Checkpoint) -> String {
    let body = cp.body();
    let line = key.signature_line(&body);
    let mut note = String::with_capacity(body.len() + 1 + line.len());
    note.push_str(&body);
    note.push('\n');
    note.push_str(&line);
    note
}

/// Parses a signed note and checks it is signed by `key`; returns the signed
/// text (up to and including its last newline before the blank line).
///
/// Signature lines of other keys (such as witness cosignatures) must be well
/// formed but are otherwise ignored. Every line that claims to be by `key`
/// (same name and key id) must verify.
pub fn open_note<'a>(note: &'a str, key: &VerifierKey) -> Result<&'a str, NoteError> {
    check_note_text(note)?;
    // Signature lines never contain a blank line, so the last one separates
    // the text from the signatures, even if the text has blank lines.
    let split = note.rfind("\n\n").ok_or(NoteError::MissingSignatureBlock)?;
    let text = &note[..split + 1];
    let sigs = &note[split + 2..];
    let Some(sigs) = sigs.strip_suffix('\n') else {
        return Err(NoteError::UnterminatedSignatureBlock);
    };
    if sigs.is_empty() {
        return Err(NoteError::UnterminatedSignatureBlock);
    }
    let mut verified = false;
    for (i, line) in sigs.split('\n').enumerate() {
        let number = i + 1;
        if number > MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures { max: MAX_SIGNATURES });
        }
        let malformed = |reason| NoteError::MalformedSignatureLine { line: number, reason };
        let rest =
            line.strip_prefix(SIG_PREFIX).ok_or(malformed("it does not start with an em dash (U+2014) and a space"))?;
        let (name, b64) =
            rest.split_once(' ').ok_or(malformed("there is no space between the key name and the signature"))?;
        if !is_valid_key_name(name) {
            return Err(malformed("the key name is empty or contains '+' or spaces"));
        }
        let raw = B64.decode(b64).map_err(|_| malformed("the signature is not valid base64"))?;
        if raw.len() < 5 {
            return Err(malformed("the signature is too short"));
        }
        let id = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
        if name != key.name || id != key.key_id {
            continue;
        }
        let invalid = || NoteError::InvalidSignature { name: key.name.clone(), key_id: key.key_id };
        let sig = Signature::from_slice(&raw[4..]).map_err(|_| invalid())?;
        // verify_strict also rejects malleable and small-order signatures,
        // which an honest signer never produces.
        key.key.verify_strict(text.as_bytes(), &sig).map_err(|_| invalid())?;
        verified = true;
    }
    if !verified {
        return Err(NoteError::NoSignatureByKey { name: key.name.clone(), key_id: key.key_id });
    }
    Ok(text)
}

/// Opens a signed checkpoint: verifies the note's signature by `key`, then
/// parses the body strictly (see [`Checkpoint::parse_body`]).
pub fn open_checkpoint(note: &str, key: &VerifierKey) -> Result<Checkpoint, NoteError> {
    let text = open_note(note, key)?;
    Checkpoint::parse_body(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn canonical_sizes() {
        assert_eq!(parse_canonical_u64("0"), Ok(0));
        assert_eq!(parse_canonical_u64("10"), Ok(10));
        for bad in ["", "01", "+1", "-0", "1_000", "1e3", "١"] {
            assert!(parse_canonical_u64(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn key_ids_are_exactly_eight_hex_digits() {
        assert_eq!(parse_key_id("c74f20a3"), Some(0xc74f_20a3));
        assert_eq!(parse_key_id("C74F20A3"), Some(0xc74f_20a3));
        for bad in ["", "c74f20a", "c74f20a30", "+74f20a3", "c74f20g3", " 74f20a3"] {
            assert_eq!(parse_key_id(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn long_hostile_input_is_shortened_in_errors() {
        let huge = "9".repeat(10_000);
        let err = parse_canonical_u64(&huge).unwrap_err();
        assert!(err.to_string().len() < 300, "{err}");
        let origin = format!("{}\n", "x".repeat(10_000));
        let err = validate_origin(&origin).unwrap_err();
        assert!(err.to_string().len() < 300, "{err}");
    }
}
