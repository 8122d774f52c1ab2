//! Passkeys (WebAuthn): a person may confirm in person with a passkey instead of their PIN,
//! for example a performer receiving a firearm on the armorer's phone (through a passkey
//! synced to that phone, a security key, or their own phone over the browser's hybrid
//! transport). Only ES256 (ECDSA P-256 with SHA-256) keys are accepted, the algorithm every
//! authenticator supports, and attestation is not requested ("none"): coldset trusts the key a
//! signed-in person registers for themselves, as it trusts the PIN they set.
//!
//! Checks, per the WebAuthn Level 2 verification procedures: the client data's type, a
//! challenge this server issued for this person and purpose (single use, 2 minutes), the
//! origin; the authenticator data's RP id hash, user presence and user verification (the
//! authenticator checked the person's own PIN or biometric: without it anyone holding the
//! phone could confirm); the signature over `authenticatorData || SHA-256(clientDataJSON)`;
//! and a signature counter that never goes backwards.

use crate::error::AppError;
use crate::ports::{Passkey, Store};
use coldset_domain::ids::{PersonId, ProductionId};
use coldset_domain::DomainError;
use p256::ecdsa::signature::Verifier;
use p256::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an issued challenge may be answered.
const CHALLENGE_LIFETIME: Duration = Duration::from_secs(120);

/// At most this many challenges wait for an answer at once.
const MAX_OPEN_CHALLENGES: usize = 10_000;

/// At most this many of them were asked for by one person of one production, so that one
/// signed-in caller asking again and again cannot use up the others' (an armorer's phone
/// needs a few at a time: one per performer confirming a hand-off).
const MAX_OPEN_PER_ASKER: usize = 16;

/// What a challenge was issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Register,
    Confirm,
}

/// A challenge issued to a browser, with what it needs to ask the authenticator.
#[derive(Debug, Clone)]
pub struct IssuedChallenge {
    pub challenge: String,
    /// The person's name (shown by the authenticator when registering).
    pub name: String,
    /// The credential ids of the person's passkeys.
    pub credentials: Vec<String>,
}

/// Where the browser must be: the page's origin (`https://host:port`) and the relying party
/// id (the host name).
#[derive(Debug, Clone)]
pub struct Expected {
    pub origin: String,
    pub rp_id: String,
}

/// Issued challenges, in memory: a restart only makes a pending confirmation start again.
#[derive(Debug, Default)]
pub struct Challenges {
    open: Mutex<HashMap<String, OpenChallenge>>,
}

#[derive(Debug)]
struct OpenChallenge {
    production: ProductionId,
    /// Who answers it.
    person: PersonId,
    purpose: Purpose,
    /// Who asked for it (the signed-in caller): the per-caller bound counts these.
    asked_by: PersonId,
    issued: Instant,
}

fn refused(message: impl Into<String>) -> AppError {
    AppError::Domain(DomainError::Forbidden(message.into()))
}

pub fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn from_b64url(text: &str, what: &str) -> Result<Vec<u8>, AppError> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| refused(format!("the passkey's {what} is not base64url")))
}

impl Challenges {
    /// A fresh random challenge for this person and purpose, asked for by `asked_by` (a
    /// person of the same production, signed in).
    pub fn issue(
        &self,
        production: &ProductionId,
        person: &PersonId,
        purpose: Purpose,
        asked_by: &PersonId,
    ) -> Result<String, AppError> {
        let challenge = b64url(&crate::access::random_bytes::<32>()?);
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        open.retain(|_, c| c.issued.elapsed() < CHALLENGE_LIFETIME);
        // Bounded per caller and in all, so asking again and again neither grows the map
        // without end nor leaves other callers (other productions) without challenges.
        let by_this_asker = open.values().filter(|c| &c.asked_by == asked_by && &c.production == production).count();
        if by_this_asker >= MAX_OPEN_PER_ASKER || open.len() >= MAX_OPEN_CHALLENGES {
            return Err(AppError::Throttled {
                what: "too many passkey challenges wait for an answer",
                retry_after_secs: CHALLENGE_LIFETIME.as_secs(),
            });
        }
        let entry = OpenChallenge {
            production: production.clone(),
            person: person.clone(),
            purpose,
            asked_by: asked_by.clone(),
            // Monotonic and in memory only: it expires the challenge, nothing recorded
            // depends on it (ARCHITECTURE.md, invariants).
            #[allow(clippy::disallowed_methods)]
            issued: Instant::now(),
        };
        open.insert(challenge.clone(), entry);
        Ok(challenge)
    }

    /// Uses up a challenge; it must have been issued for exactly this.
    fn take(&self, challenge: &str, production: &ProductionId, person: &PersonId, purpose: Purpose) -> bool {
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match open.remove(challenge) {
            Some(c) => {
                &c.production == production
                    && &c.person == person
                    && c.purpose == purpose
                    && c.issued.elapsed() < CHALLENGE_LIFETIME
            }
            None => false,
        }
    }
}

/// The client data the browser signed over: its type, challenge and origin.
fn check_client_data(
    client_data_json: &[u8],
    kind: &str,
    expected: &Expected,
    challenges: &Challenges,
    production: &ProductionId,
    person: &PersonId,
    purpose: Purpose,
) -> Result<(), AppError> {
    #[derive(serde::Deserialize)]
    struct ClientData {
        #[serde(rename = "type")]
        kind: String,
        challenge: String,
        origin: String,
    }
    let data: ClientData =
        serde_json::from_slice(client_data_json).map_err(|_| refused("the passkey's client data is not valid"))?;
    if data.kind != kind {
        return Err(refused(format!("the passkey answered a '{}' request, not '{kind}'", data.kind)));
    }
    if !challenges.take(&data.challenge, production, person, purpose) {
        return Err(refused("the passkey answered no open challenge for this person: start again"));
    }
    if data.origin != expected.origin {
        return Err(refused(format!("the passkey was used on {}, not {}", data.origin, expected.origin)));
    }
    Ok(())
}

/// The authenticator data: for this relying party, the person present and verified. Returns
/// the signature counter.
fn check_authenticator_data(auth_data: &[u8], expected: &Expected) -> Result<u32, AppError> {
    if auth_data.len() < 37 {
        return Err(refused("the passkey's authenticator data is too short"));
    }
    if auth_data[..32] != Sha256::digest(expected.rp_id.as_bytes())[..] {
        return Err(refused(format!("the passkey is not for {}", expected.rp_id)));
    }
    let flags = auth_data[32];
    if flags & 0x01 == 0 {
        return Err(refused("the passkey did not check that the person was present"));
    }
    if flags & 0x04 == 0 {
        return Err(refused(
            "the passkey did not verify the person (their device PIN or biometric): use a passkey that does, or the PIN",
        ));
    }
    Ok(u32::from_be_bytes([auth_data[33], auth_data[34], auth_data[35], auth_data[36]]))
}

/// What a browser sends after `navigator.credentials.create` (base64url fields).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub credential_id: String,
    pub client_data: String,
    pub authenticator_data: String,
    /// `AuthenticatorAttestationResponse.getPublicKey()`: SubjectPublicKeyInfo DER.
    pub public_key: String,
    /// `getPublicKeyAlgorithm()`: COSE algorithm, -7 for ES256.
    pub algorithm: i64,
}

/// Registers a passkey for a person, answering a `Register` challenge.
pub fn register(
    store: &dyn Store,
    challenges: &Challenges,
    expected: &Expected,
    production: &ProductionId,
    person: &PersonId,
    r: &Registration,
) -> Result<(), AppError> {
    if r.algorithm != -7 {
        return Err(refused("only ES256 passkeys are accepted (COSE algorithm -7)"));
    }
    let client_data = from_b64url(&r.client_data, "client data")?;
    check_client_data(&client_data, "webauthn.create", expected, challenges, production, person, Purpose::Register)?;
    let counter = check_authenticator_data(&from_b64url(&r.authenticator_data, "authenticator data")?, expected)?;
    let spki = from_b64url(&r.public_key, "public key")?;
    p256::PublicKey::from_public_key_der(&spki).map_err(|_| refused("the passkey's public key is not a P-256 key"))?;
    if r.credential_id.is_empty() || r.credential_id.len() > 1400 {
        return Err(refused("the passkey's credential id is missing or too long"));
    }
    from_b64url(&r.credential_id, "credential id")?;
    store.add_passkey(
        production,
        person,
        &Passkey { credential_id: r.credential_id.clone(), public_key: b64url(&spki), counter },
    )?;
    Ok(())
}

/// What a browser sends after `navigator.credentials.get` (base64url fields).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assertion {
    pub credential_id: String,
    pub client_data: String,
    pub authenticator_data: String,
    pub signature: String,
}

/// Checks a person's in-person confirmation by passkey, answering a `Confirm` challenge.
pub fn verify(
    store: &dyn Store,
    challenges: &Challenges,
    expected: &Expected,
    production: &ProductionId,
    person: &PersonId,
    a: &Assertion,
) -> Result<(), AppError> {
    let keys = store.passkeys(production, person)?;
    let key = keys
        .iter()
        .find(|k| k.credential_id == a.credential_id)
        .ok_or_else(|| refused(format!("that passkey is not registered to {person} (nothing was recorded)")))?;
    let client_data = from_b64url(&a.client_data, "client data")?;
    check_client_data(&client_data, "webauthn.get", expected, challenges, production, person, Purpose::Confirm)?;
    let auth_data = from_b64url(&a.authenticator_data, "authenticator data")?;
    let counter = check_authenticator_data(&auth_data, expected)?;
    let public = p256::ecdsa::VerifyingKey::from_public_key_der(&from_b64url(&key.public_key, "stored key")?)
        .map_err(|_| AppError::Internal("a stored passkey is not a P-256 key".into()))?;
    let signature = p256::ecdsa::Signature::from_der(&from_b64url(&a.signature, "signature")?)
        .map_err(|_| refused("the passkey's signature is malformed"))?;
    let mut signed = auth_data.clone();
    signed.extend_from_slice(&Sha256::digest(&client_data));
    public
        .verify(&signed, &signature)
        .map_err(|_| refused(format!("the passkey confirmation by {person} failed (nothing was recorded)")))?;
    // Authenticators that keep no counter always send 0; any other must go up.
    if (counter != 0 || key.counter != 0) && counter <= key.counter {
        return Err(refused("the passkey's signature counter went backwards: it may have been cloned"));
    }
    store.set_passkey_counter(production, &key.credential_id, counter)?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn one_caller_cannot_use_up_the_challenges_of_others() {
        let challenges = Challenges::default();
        let production = ProductionId::parse("dead-river").unwrap();
        let other_production = ProductionId::parse("other").unwrap();
        let (armorer, performer, prop_master) =
            (PersonId::parse("p-1").unwrap(), PersonId::parse("p-5").unwrap(), PersonId::parse("p-2").unwrap());
        for _ in 0..MAX_OPEN_PER_ASKER {
            challenges.issue(&production, &performer, Purpose::Confirm, &armorer).unwrap();
        }
        let more = challenges.issue(&production, &performer, Purpose::Confirm, &armorer);
        assert!(matches!(more, Err(AppError::Throttled { .. })), "{more:?}");
        // Someone else of the production, and the same id in another production, still get one.
        challenges.issue(&production, &performer, Purpose::Confirm, &prop_master).unwrap();
        challenges.issue(&other_production, &performer, Purpose::Confirm, &armorer).unwrap();
        // An answered challenge frees its place.
        let c = challenges.issue(&other_production, &performer, Purpose::Confirm, &armorer).unwrap();
        assert!(challenges.take(&c, &other_production, &performer, Purpose::Confirm));
        assert!(!challenges.take(&c, &other_production, &performer, Purpose::Confirm), "used once");
    }
}
