//! Who is asking: API tokens (stored as SHA-256 of the secret), accounts acting as people
//! of a production, and the PINs with which a second person confirms a step in person on
//! the same device (a performer receiving a firearm). Passwords and PINs are argon2id.

use crate::error::AppError;
use crate::ports::{AccountRecord, Store, TokenRecord};
use crate::sealed::SecretKey;
use coldset_domain::events::{AuthMethod, Authentication, Confirmation};
use coldset_domain::ids::{PersonId, ProductionId};
use coldset_domain::{Actor, DomainError, Timestamp};
use sha2::{Digest, Sha256};

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account: String,
    pub is_admin: bool,
    pub scopes: Vec<String>,
}

impl Principal {
    pub fn may_write(&self) -> bool {
        self.has_scope("write")
    }

    /// Whether the token or session carries `scope` (`session`, `personal`, `mfa`, ...).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// A browser session, or a token made from one: it stands for the person, and a
    /// production's second-factor requirement asks it for `mfa`. A tool's token does not.
    pub fn stands_for_a_person(&self) -> bool {
        self.has_scope("session") || self.has_scope("personal")
    }
}

fn denied(message: impl Into<String>) -> AppError {
    AppError::Domain(DomainError::Forbidden(message.into()))
}

/// Random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], AppError> {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(b)
}

/// A random password of 20 characters from an unambiguous alphabet.
pub fn random_password() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    Ok(random_bytes::<20>()?.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect())
}

/// argon2id hash (PHC string) of a password or PIN.
pub fn hash_secret(secret: &str) -> Result<String, AppError> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(|e| AppError::Internal(e.to_string()))?;
    argon2::Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("cannot hash: {e}")))
}

/// Checks a password or PIN against its stored hash (constant time inside argon2).
pub fn verify_secret(hash: &str, candidate: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash).is_ok_and(|h| argon2::Argon2::default().verify_password(candidate.as_bytes(), &h).is_ok())
}

/// SHA-256 (hex) of bytes: how files are named.
pub fn hash_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The stored form of a token secret.
pub fn hash_token(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The digest `hash_token` writes out, of the trimmed secret as the cache keys it.
fn token_digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.trim().as_bytes()).into()
}

/// Creates an API token for an account; returns the secret, shown once.
pub fn create_token(
    store: &dyn Store,
    account: &str,
    scopes: &[&str],
    now: Timestamp,
    expires_at: Option<Timestamp>,
) -> Result<String, AppError> {
    requestable_scopes(scopes)?;
    issue_token(store, account, scopes, now, expires_at)
}

/// The scopes a token may be asked for; the others are set by coldset itself.
fn requestable_scopes(scopes: &[&str]) -> Result<(), AppError> {
    match scopes.iter().find(|s| !["read", "write"].contains(*s)) {
        Some(s) => Err(AppError::Domain(DomainError::Invalid {
            field: "scopes".into(),
            message: format!("'{s}' is not a scope: use read, write"),
        })),
        None => Ok(()),
    }
}

/// A token made through the API (`POST /accounts/{name}/tokens`). It stands for the person
/// who asked, unless an administrator whose session was opened with a one-time code made it
/// for another account (a tool's): then it is a tool's token, which a production's
/// second-factor requirement does not ask. Otherwise it is marked `personal` and carries
/// `mfa` only if the session (or personal token) that made it had it, and
/// `check_second_factor` asks it of the token as of a session, so a password-only session
/// cannot mint its way around the requirement. A tool's token (neither `session` nor
/// `personal`) makes tokens like itself.
///
/// A personal token expires: after `PERSONAL_TOKEN_DAYS` unless asked for less, and never
/// later than `PERSONAL_TOKEN_MAX_DAYS`, so that a session held for a moment (a shared phone,
/// a stolen cookie) cannot become lasting access. Returns the secret and its expiry.
pub fn create_api_token(
    store: &dyn Store,
    creator: &Principal,
    account: &str,
    scopes: &[&str],
    now: Timestamp,
    expires_in_days: Option<u32>,
) -> Result<(String, Option<Timestamp>), AppError> {
    requestable_scopes(scopes)?;
    let after_days = |days: u32| Timestamp(now.0 + i64::from(days) * 86_400_000);
    if expires_in_days == Some(0) {
        return Err(AppError::Domain(DomainError::Invalid {
            field: "expires_in_days".into(),
            message: "a token lasts at least 1 day".into(),
        }));
    }
    if !creator.stands_for_a_person() || (creator.has_scope("mfa") && creator.account != account) {
        let expires_at = expires_in_days.map(after_days);
        return Ok((issue_token(store, account, scopes, now, expires_at)?, expires_at));
    }
    // A personal token makes no other: renewing itself before it ends would make it last
    // for ever. Personal tokens are made from a signed-in session.
    if creator.has_scope("personal") {
        return Err(denied("a personal token makes no tokens: make them from a signed-in session".to_owned()));
    }
    let days = expires_in_days.unwrap_or(PERSONAL_TOKEN_DAYS);
    if days == 0 || days > PERSONAL_TOKEN_MAX_DAYS {
        return Err(AppError::Domain(DomainError::Invalid {
            field: "expires_in_days".into(),
            message: format!(
                "a personal token lasts 1 to {PERSONAL_TOKEN_MAX_DAYS} days (default {PERSONAL_TOKEN_DAYS}); \
                 an administrator signed in with a one-time code makes longer-lived tokens for tools"
            ),
        }));
    }
    let mut all: Vec<&str> = scopes.to_vec();
    all.push("personal");
    if creator.has_scope("mfa") {
        all.push("mfa");
    }
    let expires_at = Some(after_days(days));
    Ok((issue_token(store, account, &all, now, expires_at)?, expires_at))
}

/// How long a personal token lasts unless asked for less, and at most.
pub const PERSONAL_TOKEN_DAYS: u32 = 30;
pub const PERSONAL_TOKEN_MAX_DAYS: u32 = 90;

/// Stores a new token with any scopes (sessions use `session`); returns the secret.
fn issue_token(
    store: &dyn Store,
    account: &str,
    scopes: &[&str],
    now: Timestamp,
    expires_at: Option<Timestamp>,
) -> Result<String, AppError> {
    if store.account(account)?.is_none() {
        return Err(AppError::Domain(DomainError::NotFound { what: "account", id: account.to_owned() }));
    }
    let secret = format!("cs_{}", hex::encode(random_bytes::<24>()?));
    store.create_token(&TokenRecord {
        hash: hash_token(&secret),
        account: account.to_owned(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        created_at: now,
        expires_at,
    })?;
    Ok(secret)
}

/// Who a principal acts as in a production: the person the account is linked to, or, for
/// an unlinked administrator, the administrator account (setup only: the domain refuses
/// custody steps by an account).
pub fn actor_for(store: &dyn Store, principal: &Principal, production: &ProductionId) -> Result<Actor, AppError> {
    if let Some(person) = store.account_person(&principal.account, production)? {
        return Ok(Actor::Person { person });
    }
    if principal.is_admin {
        return Ok(Actor::Admin { account: principal.account.clone() });
    }
    Err(denied(format!("account {} has no role in production {production}", principal.account)))
}

/// How a person present proves it is them: their PIN, or their passkey's answer to a
/// challenge issued for them (see [`crate::passkey`]).
#[derive(Debug, Clone)]
pub enum Proof {
    Pin(String),
    Passkey { assertion: crate::passkey::Assertion, expected: crate::passkey::Expected },
}

/// What in-person proofs are checked against: the stored PINs and passkeys, the open passkey
/// challenges, and the throttle on wrong PINs (a PIN is short: without it, anyone signed in
/// could try every PIN of a person and then act as them).
pub struct Proofs<'a> {
    pub store: &'a dyn Store,
    pub challenges: &'a crate::passkey::Challenges,
    pub pins: &'a Throttle,
    pub now: Timestamp,
}

/// Checks each in-person confirmation; returns the confirmed people and how they proved it.
/// Wrong PINs for a person are throttled like wrong passwords: after 5 in a row, each further
/// try waits 1, 2, 4 ... up to 60 seconds, whoever makes it; the right PIN resets it.
pub fn confirm(
    proofs: &Proofs<'_>,
    production: &ProductionId,
    confirmations: &[(PersonId, Proof)],
) -> Result<Vec<(PersonId, AuthMethod)>, AppError> {
    let mut out = Vec::new();
    for (person, proof) in confirmations {
        let method = match proof {
            Proof::Pin(pin) => {
                let failed = || {
                    AppError::Domain(DomainError::Forbidden(format!(
                        "the confirmation by {person} failed: wrong PIN, or no PIN set (nothing was recorded)"
                    )))
                };
                // Someone with no PIN has none to guess: made-up people take no place in
                // the throttle, so they cannot crowd out real ones.
                let Some(stored) = proofs.store.pin(production, person)? else { return Err(failed()) };
                let key = format!("{production}/{person}");
                proofs.pins.reserve(&key, proofs.now)?;
                if !verify_secret(&stored, pin) {
                    return Err(failed());
                }
                proofs.pins.succeeded(&key);
                AuthMethod::Pin
            }
            Proof::Passkey { assertion, expected } => {
                crate::passkey::verify(proofs.store, proofs.challenges, expected, production, person, assertion)?;
                AuthMethod::Passkey
            }
        };
        out.push((person.clone(), method));
    }
    Ok(out)
}

/// Everything a signed-in caller's command needs before it goes to the write path, the same
/// for the API and the pages: who they act as, the production's second-factor requirement,
/// the in-person PIN confirmations checked, and how all of them authenticated.
pub struct Authorized {
    pub actor: Actor,
    pub attested: Vec<PersonId>,
    pub auth: Authentication,
}

/// A signed-in command, authorized; or its first answer, when it had been recorded before
/// under its idempotency key (`R`, the write path's receipt).
pub enum Checked<R> {
    Authorized(Authorized),
    Replayed(R),
}

/// Authorizes a signed-in caller's command. `replayed` looks up its idempotency key: it is
/// asked once the caller is checked (a place in the production, the second factor) and
/// before any in-person proof, since a passkey's answer is good for one challenge only and
/// a retry could not give it again.
pub fn authorize_command<R>(
    proofs: &Proofs<'_>,
    principal: &Principal,
    state: &coldset_domain::ProductionState,
    production: &ProductionId,
    confirmations: &[(PersonId, Proof)],
    replayed: impl FnOnce() -> Result<Option<R>, AppError>,
) -> Result<Checked<R>, AppError> {
    let actor = actor_for(proofs.store, principal, production)?;
    check_second_factor(principal, state, actor.person())?;
    if let Some(first) = replayed()? {
        return Ok(Checked::Replayed(first));
    }
    let confirmed = confirm(proofs, production, confirmations)?;
    let auth = authentication(principal, &confirmed);
    Ok(Checked::Authorized(Authorized { actor, attested: confirmed.into_iter().map(|(p, _)| p).collect(), auth }))
}

/// How a caller proved who they are, with the people who confirmed in person and how: what
/// the recorded events carry as `auth`.
pub fn authentication(principal: &Principal, confirmed: &[(PersonId, AuthMethod)]) -> Authentication {
    let method = match (principal.has_scope("session"), principal.has_scope("mfa")) {
        (true, true) => AuthMethod::PasswordTotp,
        (true, false) => AuthMethod::Password,
        (false, _) => AuthMethod::ApiToken,
    };
    Authentication {
        method,
        confirmations: confirmed.iter().map(|(p, m)| Confirmation { person: p.clone(), method: *m }).collect(),
        on_device_of: None,
    }
}

/// A person acting in person on someone else's signed-in device, proved by their own PIN or
/// passkey: the 1st AD acknowledging the demonstration, or a performer acknowledging what
/// they were shown, on the armorer's phone. The command is theirs (the write path checks
/// their role); the event records how they confirmed and whose device it was.
///
/// Refused when the device is not signed in as a person of the production, or when the
/// production requires a second factor for the person's role: they must then act from their
/// own session, signed in with it.
///
/// `replayed` looks up the request's idempotency key, as for [`authorize_command`].
pub fn authorize_in_person<R>(
    proofs: &Proofs<'_>,
    principal: &Principal,
    state: &coldset_domain::ProductionState,
    production: &ProductionId,
    person: &PersonId,
    proof: Proof,
    replayed: impl FnOnce() -> Result<Option<R>, AppError>,
) -> Result<Checked<R>, AppError> {
    let Actor::Person { person: device } = actor_for(proofs.store, principal, production)? else {
        return Err(denied("confirm in person on the device of a person of this production".to_owned()));
    };
    check_second_factor(principal, state, Some(&device))?;
    // Checked before the proof, so a refused attempt uses up no passkey challenge.
    if role_requires_second_factor(state, person) {
        return Err(denied(format!(
            "this production requires a second factor for {person}'s role: they confirm from their own signed-in session"
        )));
    }
    if let Some(first) = replayed()? {
        return Ok(Checked::Replayed(first));
    }
    let confirmed = confirm(proofs, production, &[(person.clone(), proof)])?;
    let method = confirmed.first().map_or(AuthMethod::Pin, |(_, m)| *m);
    Ok(Checked::Authorized(Authorized {
        actor: Actor::Person { person: person.clone() },
        attested: Vec::new(),
        auth: Authentication { method, confirmations: Vec::new(), on_device_of: Some(device) },
    }))
}

/// Sets a person's confirmation PIN: 4 to 12 digits.
pub fn set_pin(store: &dyn Store, production: &ProductionId, person: &PersonId, pin: &str) -> Result<(), AppError> {
    if pin.len() < 4 || pin.len() > 12 || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::Domain(DomainError::Invalid {
            field: "pin".into(),
            message: "use 4 to 12 digits".into(),
        }));
    }
    store.set_pin(production, person, &hash_secret(pin)?)?;
    Ok(())
}

/// Slows password guessing without locking the owner out: after 5 failures in a row for an
/// account, each further try must wait 1, 2, 4 ... up to 60 seconds. A success resets it.
/// Kept in memory: a restart forgets it, which only gives a guesser a few more tries.
#[derive(Debug, Default)]
pub struct Throttle {
    accounts: std::sync::Mutex<std::collections::HashMap<String, (u32, Timestamp)>>,
    /// What is throttled, for the refusal: "too many failed sign-ins for this account".
    what: &'static str,
}

/// Failures allowed before waits begin.
const FREE_TRIES: u32 = 5;

/// Names followed at most; past that, those no longer waiting are forgotten first, so made-up
/// names cannot grow the map without bound.
const THROTTLE_NAMES: usize = 10_000;

impl Throttle {
    /// A throttle whose refusals say `what` is throttled.
    pub fn new(what: &'static str) -> Self {
        Throttle { accounts: Default::default(), what }
    }

    /// `begin`, refused as `AppError::Throttled` with this throttle's reason.
    pub fn reserve(&self, key: &str, now: Timestamp) -> Result<(), AppError> {
        self.begin(key, now).map_err(|retry_after_secs| AppError::Throttled { what: self.what, retry_after_secs })
    }

    /// Reserves one try for `account`, or says how many seconds to wait first. The try counts
    /// as a failure from the start (until `succeeded` resets the account), so guesses sent in
    /// parallel are slowed exactly like guesses sent one after another.
    pub fn begin(&self, account: &str, now: Timestamp) -> Result<(), u64> {
        let Ok(mut map) = self.accounts.lock() else { return Err(60) };
        if map.len() >= THROTTLE_NAMES && !map.contains_key(account) {
            map.retain(|_, (_, next)| *next > now);
            // Still full of names that must wait: forgetting them would hand back their
            // tries, so a new name waits instead.
            if map.len() >= THROTTLE_NAMES {
                return Err(1);
            }
        }
        let entry = map.entry(account.to_owned()).or_insert((0, now));
        let wait = u64::try_from((entry.1 .0 - now.0 + 999) / 1000).unwrap_or(0);
        if wait > 0 {
            return Err(wait);
        }
        entry.0 += 1;
        if entry.0 >= FREE_TRIES {
            let secs = 1i64.checked_shl(entry.0 - FREE_TRIES).unwrap_or(60).min(60);
            entry.1 = Timestamp(now.0 + secs * 1000);
        }
        Ok(())
    }

    /// Gives back a try that failed for a reason not the person's (the database).
    pub fn release(&self, account: &str) {
        if let Ok(mut map) = self.accounts.lock() {
            if let Some(entry) = map.get_mut(account) {
                entry.0 = entry.0.saturating_sub(1);
                if entry.0 < FREE_TRIES {
                    entry.1 = Timestamp(0);
                }
            }
        }
    }

    pub fn succeeded(&self, account: &str) {
        if let Ok(mut map) = self.accounts.lock() {
            map.remove(account);
        }
    }
}

/// An account's owner changes its password: the current one is checked like a sign-in (a
/// wrong one counts against the account's sign-in throttle), and the new one must be 12 to
/// 200 characters and differ from it. Sessions and tokens already made go on (a lost phone
/// is `coldset account reset`).
pub fn change_password(
    store: &dyn Store,
    throttle: &Throttle,
    account: &str,
    current: &str,
    new: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    let chars = new.chars().count();
    if !(12..=200).contains(&chars) || new == current {
        return Err(AppError::Domain(DomainError::Invalid {
            field: "new".into(),
            message: "the new password must be 12 to 200 characters and differ from the current one".into(),
        }));
    }
    throttle.reserve(account, now)?;
    let stored = store.account(account).inspect_err(|_| throttle.release(account))?;
    if !stored.is_some_and(|a| verify_secret(&a.password_hash, current)) {
        return Err(AppError::Unauthenticated("that is not the current password".into()));
    }
    throttle.succeeded(account);
    store.set_password(account, &hash_secret(new)?)?;
    Ok(())
}

/// A browser session: a token with the `session` scope and an expiry, sent as a cookie.
pub const SESSION_HOURS: i64 = 12;

/// Checks a name and password (throttled), and the one-time code when the account enrolled
/// in TOTP, and opens a session; returns the secret and its expiry. Unknown names cost the
/// same as wrong passwords, so names cannot be probed. A session opened with a code carries
/// the `mfa` scope.
pub fn login(
    store: &dyn Store,
    secrets: Option<&SecretKey>,
    throttle: &Throttle,
    name: &str,
    password: &str,
    code: Option<&str>,
    now: Timestamp,
) -> Result<(String, Timestamp), AppError> {
    // The throttle counts tries per name whatever its letter case: "Armorer" and "ARMORER"
    // are the same account's tries.
    let throttled = name.to_lowercase();
    throttle.reserve(&throttled, now)?;
    let found = match account_named(store, name) {
        Ok(found) => found,
        Err(e) => {
            throttle.release(&throttled);
            return Err(e);
        }
    };
    // The account's own spelling from here on: sessions and tokens name it exactly.
    let name = found.as_ref().map_or(name, |a| a.name.as_str());
    let scopes = match session_scopes(store, secrets, found.as_ref(), name, password, code, now) {
        Ok(scopes) => scopes,
        // The database failed, not the person: the try is given back.
        Err(AppError::Store(e)) => {
            throttle.release(&throttled);
            return Err(AppError::Store(e));
        }
        Err(e) => return Err(e),
    };
    throttle.succeeded(&throttled);
    let expires = Timestamp(now.0 + SESSION_HOURS * 3_600_000);
    let secret = issue_token(store, name, &scopes, now, Some(expires))?;
    Ok((secret, expires))
}

/// The scopes of the session a name, password and (if the account has one) one-time code
/// open, or why they do not.
fn session_scopes(
    store: &dyn Store,
    secrets: Option<&SecretKey>,
    account: Option<&AccountRecord>,
    name: &str,
    password: &str,
    code: Option<&str>,
    now: Timestamp,
) -> Result<Vec<&'static str>, AppError> {
    // An argon2 check happens either way, so a missing account takes as long as a wrong password.
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let ok = match account {
        Some(a) => verify_secret(&a.password_hash, password),
        None => {
            let decoy = DECOY.get_or_init(|| hash_secret("decoy").unwrap_or_default());
            let _ = verify_secret(decoy, password);
            false
        }
    };
    if !ok {
        return Err(AppError::Unauthenticated("wrong account name or password".into()));
    }
    let mut scopes = vec!["read", "write", "session"];
    if let Some(secret) = confirmed_totp(store, secrets, name)? {
        let ok = code.is_some_and(|c| verify_totp(&secret, c, now));
        if !ok {
            return Err(AppError::Unauthenticated(match code {
                None => "this account signs in with a one-time code too".into(),
                Some(_) => "wrong account name, password or code".into(),
            }));
        }
        scopes.push("mfa");
    }
    Ok(scopes)
}

/// The account a person signs in as, whatever the letter case they type: the exact name
/// first, then the lower-case one (accounts are made in lower case, `normal_account_name`).
pub fn account_named(store: &dyn Store, name: &str) -> Result<Option<AccountRecord>, AppError> {
    if let Some(a) = store.account(name)? {
        return Ok(Some(a));
    }
    let lower = name.to_lowercase();
    if lower == name {
        return Ok(None);
    }
    Ok(store.account(&lower)?)
}

/// A new account's name as it is stored: trimmed, in lower case (so that sign-in matches
/// it however it is typed), 1 to 64 characters without spaces.
pub fn normal_account_name(name: &str) -> Result<String, AppError> {
    let name = name.trim().to_lowercase();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AppError::Domain(DomainError::Invalid {
            field: "name".into(),
            message: "account names are 1-64 characters without spaces".into(),
        }));
    }
    Ok(name)
}

// ---- One-time set-up codes -----------------------------------------------------------------

/// The scope of a set-up code's token: it is no credential (`read_token` refuses it); it
/// only lets its holder choose the account's password, once.
pub const SETUP_SCOPE: &str = "setup";

/// How long a set-up code lasts: long enough to reach a crew member by e-mail or message
/// before the first shoot day, short enough that a forgotten one is dead.
pub const SETUP_CODE_HOURS: i64 = 72;

/// A set-up code a person can also type: 16 letters and digits from the base32 alphabet
/// (80 random bits) in groups of four.
fn new_setup_code() -> Result<String, AppError> {
    let text = base32(&random_bytes::<10>()?);
    Ok(text.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-"))
}

/// A typed code as it was issued: capitals, without spaces or dashes.
fn setup_code_digest(code: &str) -> String {
    let normal: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    hash_token(&format!("setup:{normal}"))
}

/// Issues a one-time set-up code for an account (new, or one whose holder lost their
/// password); returns the code and when it stops working.
pub fn issue_setup_code(store: &dyn Store, account: &str, now: Timestamp) -> Result<(String, Timestamp), AppError> {
    if store.account(account)?.is_none() {
        return Err(AppError::Domain(DomainError::NotFound { what: "account", id: account.to_owned() }));
    }
    let code = new_setup_code()?;
    let expires = Timestamp(now.0 + SETUP_CODE_HOURS * 3_600_000);
    store.create_token(&TokenRecord {
        hash: setup_code_digest(&code),
        account: account.to_owned(),
        scopes: vec![SETUP_SCOPE.to_owned()],
        created_at: now,
        expires_at: Some(expires),
    })?;
    Ok((code, expires))
}

/// The account a set-up code is for, if it is one and still good.
pub fn setup_code_account(store: &dyn Store, code: &str, now: Timestamp) -> Result<String, AppError> {
    let wrong = || {
        AppError::Unauthenticated(
            "this set-up code is unknown, used or expired: ask your production office for a new one".into(),
        )
    };
    let record = store.token(&setup_code_digest(code))?.ok_or_else(wrong)?;
    if !record.scopes.iter().any(|s| s == SETUP_SCOPE) || record.expires_at.is_some_and(|e| e <= now) {
        return Err(wrong());
    }
    Ok(record.account)
}

/// Sets the password of the account a set-up code is for, uses the code up and opens a
/// session; returns the account, the session's secret and its expiry.
pub fn redeem_setup_code(
    store: &dyn Store,
    code: &str,
    new: &str,
    now: Timestamp,
) -> Result<(String, String, Timestamp), AppError> {
    // Not throttled: 80 random bits cannot be guessed, and a shared throttle would let
    // anyone lock every newcomer out.
    let account = setup_code_account(store, code, now)?;
    let chars = new.chars().count();
    if !(12..=200).contains(&chars) {
        return Err(AppError::Domain(DomainError::Invalid {
            field: "password".into(),
            message: "choose a password of 12 to 200 characters (a short sentence is easy to remember)".into(),
        }));
    }
    store.set_password(&account, &hash_secret(new)?)?;
    store.revoke_token(&setup_code_digest(code))?;
    let expires = Timestamp(now.0 + SESSION_HOURS * 3_600_000);
    let secret = issue_token(store, &account, &["read", "write", "session"], now, Some(expires))?;
    Ok((account, secret, expires))
}

/// The anti-forgery token of a browser session: forms and scripts send it back, a forged
/// cross-site request cannot know it.
pub fn csrf_token(session_secret: &str) -> String {
    hash_token(&format!("csrf:{session_secret}"))
}

/// Whether `sent` is the session's anti-forgery token, compared in constant time so the
/// answer's timing tells nothing about how much of it was right.
pub fn csrf_matches(session_secret: &str, sent: &str) -> bool {
    let expected = csrf_token(session_secret);
    expected.len() == sent.len() && expected.bytes().zip(sent.bytes()).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0
}

/// What a caller may read of a production.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadAccess {
    /// Everything: the armory team, the 1st AD, the safety advisor, producers, admins and
    /// auditors (who change nothing: the permission table refuses them every command).
    Full,
    /// Only their own records (performers, crew): the production's summary and scenes, their
    /// own person record and the firearms they hold.
    Own(PersonId),
}

/// Roles that read everything of their production.
const FULL_READERS: &[coldset_domain::model::Role] = {
    use coldset_domain::model::Role::*;
    &[Armorer, AssistantArmorer, PropertyMaster, FirstAd, SafetyAdvisor, Producer, Admin, Auditor]
};

/// What `principal` may read of `production`; no access across productions.
pub fn read_access(
    link: Option<PersonId>,
    principal: &Principal,
    production: &ProductionId,
    state: &coldset_domain::ProductionState,
) -> Result<ReadAccess, AppError> {
    if principal.is_admin {
        return Ok(ReadAccess::Full);
    }
    let person =
        link.ok_or_else(|| denied(format!("account {} has no role in production {production}", principal.account)))?;
    let full = state.people.get(&person).is_some_and(|p| p.roles.iter().any(|r| FULL_READERS.contains(r)));
    Ok(if full { ReadAccess::Full } else { ReadAccess::Own(person) })
}

/// Recently checked tokens and account links, so that a busy set does not read the database
/// for every request. Entries live at most `TTL_MS`; a logout in this process drops its
/// token at once. The `cached*` methods never touch the database; the others always read it
/// and renew the entry (the web layer calls them only when `cached*` said no).
#[derive(Debug, Default)]
pub struct AuthCache {
    /// Keyed by the secret's SHA-256 digest (not its hex text: no string per request).
    /// Shared, not cloned, by the requests it answers: a principal holds three allocations.
    tokens: Trusted<[u8; 32], std::sync::Arc<Principal>>,
    links: Trusted<(String, ProductionId), Option<PersonId>>,
}

const TTL_MS: i64 = 30_000;

/// How long the caller chosen to renew an entry has before another one is chosen.
const RENEW_RETRY_MS: i64 = 1_000;

/// Entries trusted until a deadline. Once an entry is past half its life, one caller (then
/// at most one a second) is told it is not cached, reads the database and renews it, while
/// the others are still answered from the entry. Under steady load entries are renewed
/// before they expire, so a busy server never sends every request in flight to the database
/// at the moment one expires.
///
/// A revocation (a logout) wins over a renewal that read the database before it: each
/// renewal notes the count of revocations before its read, and its answer is not cached if
/// its key was revoked in between. Only that key: requests with made-up tokens, which the
/// database refuses, revoke nothing and so cannot stop other tokens from being cached.
#[derive(Debug)]
struct Trusted<K, V> {
    table: std::sync::Mutex<Table<K, V>>,
    revocations: std::sync::atomic::AtomicU64,
}

#[derive(Debug)]
struct Table<K, V> {
    entries: std::collections::HashMap<K, TrustedEntry<V>>,
    /// Keys revoked, with the count of revocations just after each.
    revoked: std::collections::HashMap<K, u64>,
    /// Renewals that started before this count cache nothing: set when `revoked` is emptied
    /// (it is bounded), so that no revocation is forgotten while a renewal is in flight.
    floor: u64,
}

/// At most this many entries, and this many remembered revocations.
const TRUSTED_MAX: usize = 10_000;

#[derive(Debug)]
struct TrustedEntry<V> {
    value: V,
    until: Timestamp,
    renew_at: Timestamp,
}

impl<K, V> Default for Trusted<K, V> {
    fn default() -> Self {
        let table = Table { entries: Default::default(), revoked: Default::default(), floor: 0 };
        Trusted { table: std::sync::Mutex::new(table), revocations: Default::default() }
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> Trusted<K, V> {
    /// The trusted value, unless there is none or this caller is the one chosen to renew it.
    fn get(&self, key: &K, now: Timestamp) -> Option<V> {
        let mut table = self.table.lock().ok()?;
        let entry = table.entries.get_mut(key)?;
        if now >= entry.until {
            return None;
        }
        if now >= entry.renew_at {
            entry.renew_at = Timestamp(now.0 + RENEW_RETRY_MS);
            return None;
        }
        Some(entry.value.clone())
    }

    /// How many revocations there were so far: read it before reading what `insert` will
    /// cache.
    fn revocations(&self) -> u64 {
        self.revocations.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Caches a value read from the database, unless its key was revoked since
    /// `revocations_before` was taken (the value may be what that revocation ended).
    fn insert(&self, key: K, value: V, until: Timestamp, now: Timestamp, revocations_before: u64) {
        if let Ok(mut table) = self.table.lock() {
            // Revocations are counted and remembered under this lock, so none can slip
            // between this check and the insert.
            if revocations_before < table.floor || table.revoked.get(&key).is_some_and(|&at| at > revocations_before) {
                return;
            }
            if table.entries.len() > TRUSTED_MAX {
                table.entries.clear();
            }
            let renew_at = Timestamp(now.0 + (until.0 - now.0) / 2);
            table.entries.insert(key, TrustedEntry { value, until, renew_at });
        }
    }

    /// Drops an entry the database no longer vouches for.
    fn remove(&self, key: &K) {
        if let Ok(mut table) = self.table.lock() {
            table.entries.remove(key);
        }
    }

    /// Drops an entry that was just revoked, and keeps renewals in flight from bringing it
    /// back.
    fn revoke(&self, key: K) {
        if let Ok(mut table) = self.table.lock() {
            let count = self.revocations.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            table.entries.remove(&key);
            if table.revoked.len() >= TRUSTED_MAX {
                table.revoked.clear();
                table.floor = count;
            }
            table.revoked.insert(key, count);
        }
    }
}

impl AuthCache {
    /// A cached principal, without touching the database.
    pub fn cached(&self, secret: &str, now: Timestamp) -> Option<std::sync::Arc<Principal>> {
        self.tokens.get(&token_digest(secret), now)
    }

    /// A cached link, without touching the database.
    pub fn cached_link(&self, account: &str, production: &ProductionId, now: Timestamp) -> Option<Option<PersonId>> {
        self.links.get(&(account.to_owned(), production.clone()), now)
    }

    /// Reads a token from the database and caches what it says; a token the database no
    /// longer knows (revoked elsewhere, expired, its account gone) leaves the cache at once.
    pub fn principal(
        &self,
        store: &dyn Store,
        secret: &str,
        now: Timestamp,
    ) -> Result<std::sync::Arc<Principal>, AppError> {
        let digest = token_digest(secret);
        let revocations_before = self.tokens.revocations();
        match read_token(store, &digest, now) {
            Ok((p, until)) => {
                let p = std::sync::Arc::new(p);
                self.tokens.insert(digest, p.clone(), until, now, revocations_before);
                Ok(p)
            }
            Err(e) => {
                // Not a database failure: the database said no.
                if !matches!(e, AppError::Store(_)) {
                    self.tokens.remove(&digest);
                }
                Err(e)
            }
        }
    }

    /// Forgets a token that was just revoked in the database (a logout).
    pub fn forget(&self, secret: &str) {
        self.tokens.revoke(token_digest(secret));
    }

    /// Reads the person an account acts as in a production, and caches it.
    pub fn account_person(
        &self,
        store: &dyn Store,
        account: &str,
        production: &ProductionId,
        now: Timestamp,
    ) -> Result<Option<PersonId>, AppError> {
        let revocations_before = self.links.revocations();
        let person = store.account_person(account, production)?;
        self.links.insert(
            (account.to_owned(), production.clone()),
            person.clone(),
            Timestamp(now.0 + TTL_MS),
            now,
            revocations_before,
        );
        Ok(person)
    }
}

/// What the database says of a token: its principal, and until when that may be trusted.
fn read_token(store: &dyn Store, digest: &[u8; 32], now: Timestamp) -> Result<(Principal, Timestamp), AppError> {
    let record = store.token(&hex::encode(digest))?.ok_or_else(|| denied("unknown or revoked token"))?;
    if record.expires_at.is_some_and(|e| e <= now) {
        return Err(denied("this token has expired"));
    }
    // A set-up code opens nothing but the page that sets its account's password.
    if record.scopes.iter().any(|s| s == SETUP_SCOPE) {
        return Err(denied("a set-up code only sets a password: open the link it came with"));
    }
    let account = store.account(&record.account)?.ok_or_else(|| denied("the token's account no longer exists"))?;
    let until = Timestamp(record.expires_at.map_or(now.0 + TTL_MS, |e| e.0.min(now.0 + TTL_MS)));
    Ok((Principal { account: account.name, is_admin: account.is_admin, scopes: record.scopes }, until))
}

/// A production can require a one-time code for some roles: a browser session of a person
/// (or an installation administrator, for the admin role) holding one of them must have been
/// opened with a code, and so must a token made from such a session (`create_api_token`).
/// Tokens an administrator issues for tools are not asked.
pub fn check_second_factor(
    principal: &Principal,
    state: &coldset_domain::ProductionState,
    person: Option<&PersonId>,
) -> Result<(), AppError> {
    let Some(info) = &state.info else { return Ok(()) };
    if info.second_factor_roles.is_empty() || !principal.stands_for_a_person() || principal.has_scope("mfa") {
        return Ok(());
    }
    let admin = principal.is_admin && info.second_factor_roles.contains(&coldset_domain::model::Role::Admin);
    if admin || person.is_some_and(|p| role_requires_second_factor(state, p)) {
        return Err(AppError::SecondFactorRequired);
    }
    Ok(())
}

/// Whether the production requires a second factor for one of this person's roles.
fn role_requires_second_factor(state: &coldset_domain::ProductionState, person: &PersonId) -> bool {
    let Some(info) = &state.info else { return false };
    state.people.get(person).is_some_and(|p| p.roles.iter().any(|r| info.second_factor_roles.contains(r)))
}

// ---- TOTP (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) ---------------------------------

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps expect.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for b in bytes {
        buffer = (buffer << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            out.push(B32[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(B32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.trim().trim_end_matches('=').bytes() {
        let v = B32.iter().position(|x| *x == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push(((buffer >> (bits - 8)) & 0xff) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

/// The code for a secret at a 30-second step.
pub fn totp_code(secret: &[u8], step: u64) -> u32 {
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(secret) else { return 0 };
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[19] & 0x0f);
    let bin = (u32::from(h[offset] & 0x7f) << 24)
        | (u32::from(h[offset + 1]) << 16)
        | (u32::from(h[offset + 2]) << 8)
        | u32::from(h[offset + 3]);
    bin % 1_000_000
}

/// Checks a 6-digit code, allowing one step of clock drift either way.
pub fn verify_totp(secret_b32: &str, code: &str, now: Timestamp) -> bool {
    let Some(secret) = base32_decode(secret_b32) else { return false };
    let Ok(code) = code.trim().parse::<u32>() else { return false };
    let step = u64::try_from(now.0 / 30_000).unwrap_or(0);
    [step.saturating_sub(1), step, step + 1].iter().any(|s| totp_code(&secret, *s) == code)
}

/// TOTP secrets waiting for their first code, kept in memory: until one is confirmed, the
/// account goes on signing in as before (with its current code, if it has one). A restart
/// forgets them, and the person starts the enrolment again.
#[derive(Debug, Default)]
pub struct PendingTotp {
    secrets: std::sync::Mutex<std::collections::HashMap<String, (String, Timestamp)>>,
}

/// How long a new secret waits for its first code.
const PENDING_TOTP_MS: i64 = 15 * 60_000;

/// Starts TOTP enrolment for an account: a new secret, required only once confirmed. Returns
/// the secret (base32) and the otpauth URI for an authenticator app.
///
/// Replacing a working second factor takes the code it gives now, and wrong codes are
/// throttled like wrong passwords (`throttle`): a six-digit code is found in minutes by
/// whoever may try without limit.
pub fn enrol_totp(
    store: &dyn Store,
    secrets: Option<&SecretKey>,
    pending: &PendingTotp,
    throttle: &Throttle,
    account: &str,
    current_code: Option<&str>,
    now: Timestamp,
) -> Result<(String, String), AppError> {
    if let Some(secret) = confirmed_totp(store, secrets, account)? {
        // Its own throttle: sign-in attempts, by anyone, under any name, cannot touch it.
        let key = account;
        throttle.reserve(key, now)?;
        if !current_code.is_some_and(|c| verify_totp(&secret, c, now)) {
            return Err(AppError::Unauthenticated(
                "this account already signs in with a one-time code: send the current one to set up a new one".into(),
            ));
        }
        throttle.succeeded(key);
    }
    let secret = base32(&random_bytes::<20>()?);
    let mut waiting = pending.secrets.lock().map_err(|_| AppError::Internal("TOTP lock poisoned".into()))?;
    waiting.retain(|_, (_, at)| now.0 - at.0 < PENDING_TOTP_MS);
    if waiting.len() >= 10_000 {
        return Err(AppError::Throttled {
            what: "too many one-time code set-ups wait for their first code",
            retry_after_secs: 60,
        });
    }
    waiting.insert(account.to_owned(), (secret.clone(), now));
    let uri =
        format!("otpauth://totp/coldset:{account}?secret={secret}&issuer=coldset&algorithm=SHA1&digits=6&period=30");
    Ok((secret, uri))
}

/// Confirms enrolment with a first code from the new secret; from then on sign-in asks for
/// its codes (and no longer for the old secret's).
pub fn confirm_totp(
    store: &dyn Store,
    secrets: Option<&SecretKey>,
    pending: &PendingTotp,
    account: &str,
    code: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    let mut waiting = pending.secrets.lock().map_err(|_| AppError::Internal("TOTP lock poisoned".into()))?;
    let secret = match waiting.get(account) {
        Some((secret, at)) if now.0 - at.0 < PENDING_TOTP_MS => secret.clone(),
        _ => return Err(denied("start the enrolment first (POST /api/v1/me/totp); it waits 15 minutes for its code")),
    };
    if !verify_totp(&secret, code, now) {
        return Err(AppError::Unauthenticated("that code is not the current one".into()));
    }
    let stored = match secrets {
        Some(key) => key.seal(account, &secret)?,
        None => secret.clone(),
    };
    store.set_totp(account, &stored, true)?;
    waiting.remove(account);
    Ok(())
}

/// The account's confirmed TOTP secret, opened with the secrets key. Without a key (only
/// an application opened without one, as in-process tests do) secrets are stored plain.
fn confirmed_totp(store: &dyn Store, secrets: Option<&SecretKey>, account: &str) -> Result<Option<String>, AppError> {
    match store.totp(account)? {
        Some((stored, true)) => match secrets {
            Some(key) => key.open(account, &stored).map(Some),
            None if stored.starts_with("sealed1:") => Err(AppError::Internal(format!(
                "the one-time code secret of {account} is sealed, and this server was started without the secrets key"
            ))),
            None => Ok(Some(stored)),
        },
        _ => Ok(None),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod totp_tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (8 digits there; the last 6 are ours).
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (t, code) in [
            (59u64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
        ] {
            assert_eq!(totp_code(secret, t / 30), code % 1_000_000, "t={t}");
        }
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI").unwrap(), b"foobar");
        let s = base32(secret);
        let now = Timestamp(59_000);
        assert!(verify_totp(&s, &format!("{:06}", 94287082 % 1_000_000), now));
        assert!(!verify_totp(&s, "000000", now));
    }

    #[test]
    fn authentication_says_how_the_caller_signed_in() {
        let principal = |scopes: &[&str]| Principal {
            account: "maria".into(),
            is_admin: false,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        };
        let performer = PersonId::parse("p-5").unwrap();
        let a = authentication(&principal(&["read", "write", "session"]), &[(performer.clone(), AuthMethod::Pin)]);
        assert_eq!(a.method, AuthMethod::Password);
        assert_eq!(a.confirmations, vec![Confirmation { person: performer, method: AuthMethod::Pin }]);
        assert_eq!(
            authentication(&principal(&["read", "write", "session", "mfa"]), &[]).method,
            AuthMethod::PasswordTotp
        );
        assert_eq!(authentication(&principal(&["read", "write"]), &[]).method, AuthMethod::ApiToken);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_anti_forgery_token_is_the_sessions_own() {
        let token = csrf_token("session-1");
        assert!(csrf_matches("session-1", &token));
        assert!(!csrf_matches("session-2", &token));
        assert!(!csrf_matches("session-1", &token[..token.len() - 1]));
        assert!(!csrf_matches("session-1", ""));
    }

    /// Guesses sent in parallel (each try reserved before its password is checked) are
    /// slowed as if sent one after another; a success resets the account; made-up names
    /// cannot grow the map past its bound.
    #[test]
    fn the_throttle_counts_tries_in_flight_and_stays_bounded() {
        let t = Throttle::default();
        let now = Timestamp(1_000_000);
        let tries: Vec<_> = (0..8).map(|_| t.begin("admin", now)).collect();
        assert_eq!(tries.iter().filter(|r| r.is_ok()).count(), FREE_TRIES as usize, "{tries:?}");
        assert_eq!(tries[FREE_TRIES as usize], Err(1));
        assert!(t.begin("admin", Timestamp(now.0 + 1_000)).is_ok(), "the wait is over");
        assert_eq!(t.begin("admin", Timestamp(now.0 + 1_000)), Err(2), "then it doubles");
        t.succeeded("admin");
        assert!(t.begin("admin", Timestamp(now.0 + 1_000)).is_ok());
        // A try the database failed is given back.
        for _ in 0..FREE_TRIES - 1 {
            t.begin("maria", now).unwrap();
        }
        t.begin("maria", now).unwrap();
        assert!(t.begin("maria", now).is_err());
        t.release("maria");
        assert!(t.begin("maria", now).is_ok(), "the released try does not count");
        for n in 0..THROTTLE_NAMES + 10 {
            let _ = t.begin(&format!("made-up-{n}"), now);
        }
        assert!(t.accounts.lock().unwrap().len() <= THROTTLE_NAMES);
    }

    #[test]
    fn one_caller_at_a_time_renews_an_entry_before_it_expires() {
        let cache: Trusted<u8, &str> = Trusted::default();
        let t0 = Timestamp(1_000_000);
        cache.insert(1, "admin", Timestamp(t0.0 + TTL_MS), t0, cache.revocations());
        // First half of its life: everyone is answered from the entry.
        assert_eq!(cache.get(&1, Timestamp(t0.0 + TTL_MS / 2 - 1)), Some("admin"));
        // Second half: the first caller is sent to the database, the others are not...
        let half = Timestamp(t0.0 + TTL_MS / 2);
        assert_eq!(cache.get(&1, half), None);
        assert_eq!(cache.get(&1, half), Some("admin"));
        assert_eq!(cache.get(&1, Timestamp(half.0 + RENEW_RETRY_MS - 1)), Some("admin"));
        // ...until a second has passed without a renewal: then another caller is chosen.
        assert_eq!(cache.get(&1, Timestamp(half.0 + RENEW_RETRY_MS)), None);
        assert_eq!(cache.get(&1, Timestamp(half.0 + RENEW_RETRY_MS)), Some("admin"));
        // A renewal starts a new life.
        let renewed = Timestamp(half.0 + 2 * RENEW_RETRY_MS);
        cache.insert(1, "admin", Timestamp(renewed.0 + TTL_MS), renewed, cache.revocations());
        assert_eq!(cache.get(&1, Timestamp(renewed.0 + TTL_MS / 2 - 1)), Some("admin"));
        // Nothing is trusted past its deadline, whoever asks.
        assert_eq!(cache.get(&1, Timestamp(renewed.0 + TTL_MS)), None);
        assert_eq!(cache.get(&1, Timestamp(renewed.0 + TTL_MS)), None);
        cache.remove(&1);
        assert_eq!(cache.get(&1, renewed), None);
    }

    #[test]
    fn a_renewal_that_read_the_database_before_a_logout_is_not_cached() {
        let cache: Trusted<u8, &str> = Trusted::default();
        let t0 = Timestamp(1_000_000);
        let until = Timestamp(t0.0 + TTL_MS);
        cache.insert(1, "admin", until, t0, cache.revocations());
        // A renewal reads the token (still valid)...
        let before_read = cache.revocations();
        // ...meanwhile a logout revokes it in the database and forgets the entry...
        cache.revoke(1);
        // ...then the renewal's answer arrives: it must not bring the session back.
        cache.insert(1, "admin", until, t0, before_read);
        assert_eq!(cache.get(&1, t0), None);
        // A read that starts after the revocation is cached as usual.
        cache.insert(1, "admin", until, t0, cache.revocations());
        assert_eq!(cache.get(&1, t0), Some("admin"));
    }

    #[test]
    fn made_up_tokens_and_other_logouts_do_not_stop_caching() {
        let cache: Trusted<u32, &str> = Trusted::default();
        let t0 = Timestamp(1_000_000);
        let until = Timestamp(t0.0 + TTL_MS);
        let before_read = cache.revocations();
        // Meanwhile: tokens the database refused, and another session's logout.
        for made_up in 100..200 {
            cache.remove(&made_up);
        }
        cache.revoke(2);
        cache.insert(1, "maria", until, t0, before_read);
        assert_eq!(cache.get(&1, t0), Some("maria"));
        // When the remembered revocations overflow, renewals in flight then cache nothing,
        // and later ones cache again.
        let in_flight = cache.revocations();
        for n in 0..=TRUSTED_MAX as u32 {
            cache.revoke(1_000 + n);
        }
        assert!(cache.table.lock().unwrap().revoked.len() <= TRUSTED_MAX);
        cache.insert(3, "dana", until, t0, in_flight);
        assert_eq!(cache.get(&3, t0), None);
        cache.insert(3, "dana", until, t0, cache.revocations());
        assert_eq!(cache.get(&3, t0), Some("dana"));
    }
}
