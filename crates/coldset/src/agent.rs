//! An ssh-agent as the ledger's signer: the private key stays in the agent (or in the
//! hardware token behind it), so no file on the laptop holds it and a copy of the disk
//! cannot re-sign the log. coldset asks the agent to sign each checkpoint body with an
//! Ed25519 key (an ssh-ed25519 signature is a plain RFC 8032 signature of the data).
//!
//! The agent protocol (draft-miller-ssh-agent) is four messages over a Unix socket, so it
//! is written here rather than taken from a crate: length-prefixed frames,
//! REQUEST_IDENTITIES (11) / IDENTITIES_ANSWER (12) and SIGN_REQUEST (13) /
//! SIGN_RESPONSE (14), FAILURE (5).

use base64::Engine as _;
use coldset_ledger::{LedgerError, NoteSigner, VerifierKey};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const REQUEST_IDENTITIES: u8 = 11;
const IDENTITIES_ANSWER: u8 = 12;
const SIGN_REQUEST: u8 = 13;
const SIGN_RESPONSE: u8 = 14;
const ED25519: &str = "ssh-ed25519";

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Reads SSH wire strings and integers from a buffer.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u32(&mut self) -> Result<u32, String> {
        if self.0.len() < 4 {
            return Err("the agent's answer is cut short".into());
        }
        let (head, rest) = self.0.split_at(4);
        self.0 = rest;
        Ok(u32::from_be_bytes([head[0], head[1], head[2], head[3]]))
    }

    fn string(&mut self) -> Result<&'a [u8], String> {
        let n = self.u32()? as usize;
        if self.0.len() < n {
            return Err("the agent's answer is cut short".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
}

/// The 32-byte public key of an `ssh-ed25519` key blob.
fn ed25519_of_blob(blob: &[u8]) -> Option<[u8; 32]> {
    let mut r = Reader(blob);
    if r.string().ok()? != ED25519.as_bytes() {
        return None;
    }
    r.string().ok()?.try_into().ok()
}

/// The public key of an OpenSSH public key line (`ssh-ed25519 AAAA… comment`), as in a
/// `.pub` file.
pub fn ed25519_of_openssh(line: &str) -> Result<[u8; 32], String> {
    let mut parts = line.split_whitespace();
    if parts.next() != Some(ED25519) {
        return Err("not an ssh-ed25519 public key (make one with ssh-keygen -t ed25519)".into());
    }
    let blob = base64::engine::general_purpose::STANDARD
        .decode(parts.next().unwrap_or_default())
        .map_err(|_| "the public key is not base64".to_owned())?;
    ed25519_of_blob(&blob).ok_or_else(|| "the public key is not a valid ssh-ed25519 key".to_owned())
}

fn call(socket: &Path, message: &[u8]) -> Result<Vec<u8>, String> {
    let fail = |e: std::io::Error| format!("ssh-agent at {}: {e}", socket.display());
    let mut stream = std::os::unix::net::UnixStream::connect(socket).map_err(fail)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).map_err(fail)?;
    let mut frame = (message.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(message);
    stream.write_all(&frame).map_err(fail)?;
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).map_err(fail)?;
    let len = u32::from_be_bytes(len) as usize;
    if len == 0 || len > 256 * 1024 {
        return Err(format!("ssh-agent at {} answered a frame of {len} bytes", socket.display()));
    }
    let mut answer = vec![0u8; len];
    stream.read_exact(&mut answer).map_err(fail)?;
    Ok(answer)
}

/// The ledger key held by an ssh-agent.
pub struct AgentSigner {
    socket: PathBuf,
    blob: Vec<u8>,
    verifier: VerifierKey,
}

impl AgentSigner {
    /// Finds the agent's Ed25519 key of `verifier` at `socket` (SSH_AUTH_SOCK).
    pub fn find(socket: &Path, verifier: &VerifierKey) -> Result<AgentSigner, String> {
        let answer = call(socket, &[REQUEST_IDENTITIES])?;
        let (&kind, rest) = answer.split_first().ok_or("ssh-agent answered nothing")?;
        if kind != IDENTITIES_ANSWER {
            return Err(format!("ssh-agent refused to list its keys (message {kind})"));
        }
        let mut r = Reader(rest);
        for _ in 0..r.u32()? {
            let blob = r.string()?;
            let _comment = r.string()?;
            if ed25519_of_blob(blob) == Some(verifier.public_key()) {
                return Ok(AgentSigner { socket: socket.to_owned(), blob: blob.to_vec(), verifier: verifier.clone() });
            }
        }
        Err(format!(
            "the ssh-agent at {} does not hold the ledger key ({verifier}): add it with ssh-add",
            socket.display()
        ))
    }
}

impl NoteSigner for AgentSigner {
    fn verifier(&self) -> VerifierKey {
        self.verifier.clone()
    }

    fn sign_bytes(&self, message: &[u8]) -> Result<[u8; 64], LedgerError> {
        let signer = |reason: String| LedgerError::Signer { reason };
        let mut request = vec![SIGN_REQUEST];
        put_string(&mut request, &self.blob);
        put_string(&mut request, message);
        request.extend_from_slice(&0u32.to_be_bytes());
        let answer = call(&self.socket, &request).map_err(signer)?;
        let (&kind, rest) = answer.split_first().ok_or_else(|| signer("ssh-agent answered nothing".into()))?;
        if kind != SIGN_RESPONSE {
            return Err(signer(format!("ssh-agent refused to sign (message {kind}): is the key still loaded?")));
        }
        let mut outer = Reader(rest);
        let mut sig = Reader(outer.string().map_err(signer)?);
        if sig.string().map_err(signer)? != ED25519.as_bytes() {
            return Err(signer("ssh-agent answered a signature that is not ssh-ed25519".into()));
        }
        sig.string().map_err(signer)?.try_into().map_err(|_| signer("an Ed25519 signature must be 64 bytes".into()))
    }
}
