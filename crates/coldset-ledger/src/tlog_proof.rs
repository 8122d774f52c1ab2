//! Single-record proofs in the C2SP [tlog-proof](https://c2sp.org/tlog-proof) format: one
//! text that holds everything needed to check, offline, that one record is in the log: the
//! record's index, its RFC 9162 inclusion proof and the signed checkpoint (with any witness
//! cosignatures) the proof leads to.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! [extra <base64 of opaque data>]
//! index <decimal, no leading zeroes>
//! <base64 hash, one a line, from the leaf's sibling up to the root's child>
//!
//! <the signed checkpoint note, verbatim>
//! ```
//!
//! The format carries no record, only its position: the verifier hashes the record it holds
//! (`leaf_hash` of the event's bytes) and checks it against the proof. The extra data is not
//! authenticated; nothing here trusts it.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use crate::error::{NoteError, ProofError};
use crate::hash::Hash;
use crate::note::{open_checkpoint, Checkpoint, VerifierKey};
use crate::proof::verify_inclusion;

/// The first line of every proof.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// A proof as the format holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque data the format allows (not authenticated).
    pub extra: Option<Vec<u8>>,
    /// The record's zero-based index in the log.
    pub index: u64,
    /// The inclusion proof, from the leaf's sibling up to the root's child.
    pub hashes: Vec<Hash>,
    /// The signed checkpoint note, verbatim (signature lines, cosignatures included).
    pub checkpoint: String,
}

/// A tlog-proof could not be read or does not prove what it says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlogProofError {
    /// The text does not follow the format.
    #[error("not a c2sp.org/tlog-proof@v1 proof: line {line}: {reason}")]
    Malformed {
        /// The line (1-based) where reading stopped.
        line: usize,
        /// What is wrong there.
        reason: &'static str,
    },
    /// The checkpoint is not signed by the log's key, or is not a checkpoint.
    #[error("the proof's checkpoint: {0}")]
    Checkpoint(#[from] NoteError),
    /// The inclusion proof does not lead from the record to the checkpoint's root.
    #[error("the record is not proven in the checkpoint: {0}")]
    Inclusion(#[from] ProofError),
}

impl TlogProof {
    /// The proof's text.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(64 + 45 * self.hashes.len() + self.checkpoint.len());
        out.push_str(TLOG_PROOF_HEADER);
        out.push('\n');
        if let Some(extra) = &self.extra {
            out.push_str("extra ");
            out.push_str(&B64.encode(extra));
            out.push('\n');
        }
        out.push_str(&format!("index {}\n", self.index));
        for h in &self.hashes {
            out.push_str(&B64.encode(h));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.checkpoint);
        out
    }

    /// Reads a proof. Strict: one text per proof (canonical base64 and decimal, no carriage
    /// returns), so a proof read and written again is the same bytes. The checkpoint is
    /// kept verbatim and checked by [`TlogProof::verify`].
    pub fn parse(text: &str) -> Result<TlogProof, TlogProofError> {
        let malformed = |line: usize, reason| TlogProofError::Malformed { line, reason };
        let (header, mut rest) = text.split_once('\n').ok_or(malformed(1, "there is no newline"))?;
        if header != TLOG_PROOF_HEADER {
            return Err(malformed(1, "the first line is not c2sp.org/tlog-proof@v1"));
        }
        let mut line = 2;
        let next = |rest: &mut &str| -> Option<String> {
            let (l, r) = rest.split_once('\n')?;
            *rest = r;
            Some(l.to_owned())
        };
        let mut current = next(&mut rest).ok_or(malformed(line, "the proof ends before its index"))?;
        let mut extra = None;
        if let Some(b64) = current.strip_prefix("extra ") {
            let bytes = B64.decode(b64).map_err(|_| malformed(line, "the extra data is not base64"))?;
            if B64.encode(&bytes) != b64 {
                return Err(malformed(line, "the extra data is not canonical base64"));
            }
            extra = Some(bytes);
            line += 1;
            current = next(&mut rest).ok_or(malformed(line, "the proof ends before its index"))?;
        }
        let digits = current.strip_prefix("index ").ok_or(malformed(line, "expected 'index N'"))?;
        let canonical = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        if !canonical {
            return Err(malformed(line, "the index is not a decimal number without leading zeroes"));
        }
        let index = digits.parse().map_err(|_| malformed(line, "the index is too large"))?;
        let mut hashes = Vec::new();
        loop {
            line += 1;
            let l =
                next(&mut rest).ok_or(malformed(line, "the proof ends before the blank line and its checkpoint"))?;
            if l.is_empty() {
                break;
            }
            let raw = B64.decode(&l).map_err(|_| malformed(line, "a proof hash is not base64"))?;
            let hash: Hash = raw.try_into().map_err(|_| malformed(line, "a proof hash is not 32 bytes"))?;
            if B64.encode(hash) != l {
                return Err(malformed(line, "a proof hash is not canonical base64"));
            }
            hashes.push(hash);
        }
        if rest.is_empty() {
            return Err(malformed(line + 1, "there is no checkpoint after the blank line"));
        }
        if rest.contains('\r') {
            return Err(malformed(line + 1, "the checkpoint holds a carriage return"));
        }
        Ok(TlogProof { extra, index, hashes, checkpoint: rest.to_owned() })
    }

    /// Checks that the record whose leaf hash is `leaf` is at the proof's index in the log
    /// whose checkpoint the proof carries, signed by `key` (the log's key, as the verifier
    /// obtained it). Returns the checkpoint; the caller checks its origin names the log it
    /// expects, and any witness cosignatures it requires (`verify_cosignatures` on
    /// `checkpoint`).
    pub fn verify(&self, leaf: &Hash, key: &VerifierKey) -> Result<Checkpoint, TlogProofError> {
        let cp = open_checkpoint(&self.checkpoint, key)?;
        verify_inclusion(leaf, self.index, cp.size, &self.hashes, &cp.root)?;
        Ok(cp)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::{inclusion_proof, leaf_hash, sign_checkpoint, CosignerKey, MemoryNodes, SignerKey};

    /// The example of the specification (its signatures are shortened there, so it is read
    /// and written again, not verified).
    const SPEC_EXAMPLE: &str = "c2sp.org/tlog-proof@v1
extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ
index 73894
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=
B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=
RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=

example.com/fancylog
109482
sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=

\u{2014} example.com/fancylog hI2DJw[...]1roloI=
\u{2014} witness1.example mJirIklj[...]qY9v2B/5bg==
";

    #[test]
    fn the_specification_example_reads_and_writes_back_the_same() {
        let p = TlogProof::parse(SPEC_EXAMPLE).unwrap();
        assert_eq!(p.index, 73894);
        assert_eq!(p.hashes.len(), 5);
        assert_eq!(p.extra.as_deref().map(<[u8]>::len), Some(39));
        assert!(p.checkpoint.starts_with("example.com/fancylog\n109482\n"));
        assert_eq!(p.encode(), SPEC_EXAMPLE);
    }

    /// A log of 13 records, its checkpoint signed and cosigned, and the proof of record 6.
    fn fixture() -> (SignerKey, CosignerKey, Vec<Vec<u8>>, TlogProof) {
        let log = SignerKey::from_seed("coldset.test", [3; 32]).unwrap();
        let witness = CosignerKey::generate("witness.test").unwrap();
        let records: Vec<Vec<u8>> = (0..13).map(|i| format!("{{\"seq\":{i}}}").into_bytes()).collect();
        let mut nodes = MemoryNodes::new();
        for r in &records {
            nodes.append(leaf_hash(r));
        }
        let cp = Checkpoint::new("coldset.test/dead-river", 13, nodes.root()).unwrap();
        let note = format!("{}{}", sign_checkpoint(&log, &cp), witness.cosign(&cp.body(), 1_790_000_000));
        let hashes = inclusion_proof(&nodes, 6, 13).unwrap();
        (log, witness, records, TlogProof { extra: None, index: 6, hashes, checkpoint: note })
    }

    #[test]
    fn a_proof_verifies_its_record_and_no_other() {
        let (log, witness, records, proof) = fixture();
        let text = proof.encode();
        assert!(text.starts_with("c2sp.org/tlog-proof@v1\nindex 6\n"), "{text}");
        let again = TlogProof::parse(&text).unwrap();
        assert_eq!(again, proof);
        let cp = again.verify(&leaf_hash(&records[6]), &log.verifier()).unwrap();
        assert_eq!(cp.size, 13);
        // The witness's cosignature travels with it.
        let found = crate::verify_cosignatures(&again.checkpoint, &[witness.verifier()]).unwrap();
        assert_eq!(found.len(), 1);
        // Another record, another key: refused.
        assert!(matches!(again.verify(&leaf_hash(&records[5]), &log.verifier()), Err(TlogProofError::Inclusion(_))));
        let other = SignerKey::generate("coldset.test").unwrap();
        assert!(matches!(again.verify(&leaf_hash(&records[6]), &other.verifier()), Err(TlogProofError::Checkpoint(_))));
    }

    #[test]
    fn a_changed_hash_index_or_checkpoint_fails() {
        let (log, _, records, proof) = fixture();
        let leaf = leaf_hash(&records[6]);
        let text = proof.encode();
        // One hash changed in the text (a character of its base64).
        let lines: Vec<&str> = text.split('\n').collect();
        let mut changed = lines.clone();
        let third = lines[3].replacen(&lines[3][..1], if lines[3].starts_with('A') { "B" } else { "A" }, 1);
        changed[3] = &third;
        let tampered = TlogProof::parse(&changed.join("\n")).unwrap();
        assert!(matches!(tampered.verify(&leaf, &log.verifier()), Err(TlogProofError::Inclusion(_))));
        // A hash removed, the index moved.
        let mut short = proof.clone();
        short.hashes.pop();
        assert!(short.verify(&leaf, &log.verifier()).is_err());
        let moved = TlogProof { index: 7, ..proof.clone() };
        assert!(moved.verify(&leaf, &log.verifier()).is_err());
        // The checkpoint's size changed: its signature no longer holds.
        let resized = TlogProof { checkpoint: proof.checkpoint.replacen("\n13\n", "\n14\n", 1), ..proof };
        assert!(matches!(resized.verify(&leaf, &log.verifier()), Err(TlogProofError::Checkpoint(_))));
    }

    #[test]
    fn malformed_proofs_are_refused() {
        let (_, _, _, proof) = fixture();
        let good = proof.encode();
        for bad in [
            String::new(),
            good.replacen("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2", 1),
            good.replacen("index 6", "index 06", 1),
            good.replacen("index 6", "index -6", 1),
            good.replacen("index 6", "index", 1),
            good.replacen("index 6\n", "index 6\nnot base64!\n", 1),
            good.replacen("index 6\n", "index 6\nAAAA\n", 1),
            good.replace("\n\n", "\n"),
            good.replacen("\n\n", "\r\n\n", 1),
            good.split("\n\n").next().unwrap().to_owned() + "\n\n",
        ] {
            assert!(TlogProof::parse(&bad).is_err(), "{bad:?}");
        }
    }
}
