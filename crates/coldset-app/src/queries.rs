//! What the web layer reads of the store and the account work it asks for, as methods of
//! [`App`], so that the web crate reaches no store (issue #17, item 3, in part): the log and
//! its checkpoints and proofs, stored files, the delivery log, passkeys, PINs, accounts and
//! tokens. Each call reads the database: run it on a blocking thread.

use crate::error::AppError;
use crate::ports::{Attachment, OutboxItem, Passkey, StoreError, StoredCheckpoint, StoredEvent};
use crate::{access, ledger, passkey, App};
use coldset_domain::ids::{PersonId, ProductionId};
use coldset_domain::Timestamp;

impl App {
    /// Calls `f` for each recorded event of `production` from `from_seq` on, in order; `f`
    /// stops the walk by returning an error.
    pub fn for_each_event(
        &self,
        production: &ProductionId,
        from_seq: u64,
        f: &mut dyn FnMut(StoredEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.inner.store.for_each_event(production, from_seq, f)
    }

    pub fn event(&self, production: &ProductionId, seq: u64) -> Result<Option<StoredEvent>, AppError> {
        Ok(self.inner.store.event(production, seq)?)
    }

    pub fn event_count(&self, production: &ProductionId) -> Result<u64, AppError> {
        Ok(self.inner.store.event_count(production)?)
    }

    pub fn checkpoints(&self, production: &ProductionId) -> Result<Vec<StoredCheckpoint>, AppError> {
        Ok(self.inner.store.checkpoints(production)?)
    }

    pub fn latest_checkpoint(&self, production: &ProductionId) -> Result<Option<StoredCheckpoint>, AppError> {
        Ok(self.inner.store.latest_checkpoint(production)?)
    }

    /// The checkpoint of exactly `size` events, if one was signed.
    pub fn checkpoint_at(&self, production: &ProductionId, size: u64) -> Result<Option<StoredCheckpoint>, AppError> {
        Ok(self.inner.store.checkpoint_at(production, size)?)
    }

    /// The newest `limit` checkpoints, newest first.
    pub fn recent_checkpoints(&self, production: &ProductionId, limit: u32) -> Result<Vec<StoredCheckpoint>, AppError> {
        Ok(self.inner.store.recent_checkpoints(production, limit)?)
    }

    /// The inclusion proof of event `seq` in the tree of `size` events.
    pub fn inclusion_proof(
        &self,
        production: &ProductionId,
        seq: u64,
        size: u64,
    ) -> Result<ledger::InclusionProof, AppError> {
        ledger::inclusion_proof(self.inner.store.as_ref(), production, seq, size)
    }

    /// The consistency proof between the trees of `old_size` and `new_size` events.
    pub fn consistency_proof(
        &self,
        production: &ProductionId,
        old_size: u64,
        new_size: u64,
    ) -> Result<ledger::ConsistencyProof, AppError> {
        ledger::consistency_proof(self.inner.store.as_ref(), production, old_size, new_size)
    }

    /// A stored file (a report's photo), by its hash.
    pub fn attachment(&self, hash: &str) -> Result<Option<Attachment>, AppError> {
        Ok(self.inner.store.attachment(hash)?)
    }

    /// The newest `limit` rows of the notification outbox, over every production.
    pub fn outbox_recent(&self, limit: u32) -> Result<Vec<OutboxItem>, AppError> {
        Ok(self.inner.store.outbox_recent(limit)?)
    }

    /// A person's registered passkeys.
    pub fn passkeys(&self, production: &ProductionId, person: &PersonId) -> Result<Vec<Passkey>, AppError> {
        Ok(self.inner.store.passkeys(production, person)?)
    }

    /// A passkey challenge asked by `me` (the signed-in person) for `person`: `register` only
    /// for one's own new passkey; `confirm` for a person present confirming on `me`'s device,
    /// which only someone who reads the whole production (the armorer's team) may ask, and
    /// only for a person who has a passkey. Returns the challenge, the person's name and
    /// their passkeys' credential ids (for the browser's allow list).
    pub fn passkey_challenge(
        &self,
        principal: &access::Principal,
        production: &ProductionId,
        me: &PersonId,
        person: &PersonId,
        purpose: &str,
    ) -> Result<passkey::IssuedChallenge, AppError> {
        use coldset_domain::DomainError;
        let state = self.state(production)?;
        let Some(who) = state.people.get(person) else {
            return Err(DomainError::NotFound { what: "person", id: person.to_string() }.into());
        };
        let purpose = match purpose {
            "register" if person == me => passkey::Purpose::Register,
            "register" => {
                return Err(DomainError::Forbidden(
                    "a passkey is registered by its owner, signed in as themselves".into(),
                )
                .into())
            }
            "confirm" => passkey::Purpose::Confirm,
            other => {
                return Err(DomainError::Invalid {
                    field: "purpose".into(),
                    message: format!("purpose '{other}': use register or confirm"),
                }
                .into())
            }
        };
        let name = who.name.clone();
        if purpose == passkey::Purpose::Confirm {
            // Someone present confirms on the device of a person who runs the steps (the
            // armorer's phone): only those read another person's passkeys.
            crate::authz::read(principal, Some(me.clone()), production, state)?.full()?;
        }
        let credentials: Vec<String> =
            self.passkeys(production, person)?.into_iter().map(|k| k.credential_id).collect();
        if purpose == passkey::Purpose::Confirm && credentials.is_empty() {
            return Err(
                DomainError::NotFound { what: "passkey", id: format!("{person} (confirm with the PIN)") }.into()
            );
        }
        let challenge = self.passkey_challenges().issue(production, person, purpose, me)?;
        Ok(passkey::IssuedChallenge { challenge, name, credentials })
    }

    /// Registers a person's passkey, answering their `Register` challenge.
    pub fn register_passkey(
        &self,
        expected: &passkey::Expected,
        production: &ProductionId,
        person: &PersonId,
        registration: &passkey::Registration,
    ) -> Result<(), AppError> {
        passkey::register(
            self.inner.store.as_ref(),
            self.passkey_challenges(),
            expected,
            production,
            person,
            registration,
        )
    }

    /// Sets a person's confirmation PIN (4 to 12 digits).
    pub fn set_pin(&self, production: &ProductionId, person: &PersonId, pin: &str) -> Result<(), AppError> {
        access::set_pin(self.inner.store.as_ref(), production, person, pin)
    }

    /// Creates an account with a generated password (returned, once) and links it to people
    /// of productions. The caller has checked that each person exists and that the creator may.
    pub fn create_account(
        &self,
        name: &str,
        is_admin: bool,
        links: &[(ProductionId, PersonId)],
    ) -> Result<String, AppError> {
        let name = access::normal_account_name(name)?;
        let password = access::random_password()?;
        // One transaction: a refused link leaves no account behind, with a password nobody saw.
        self.inner.store.create_linked_account(
            &crate::ports::AccountRecord {
                name,
                password_hash: access::hash_secret(&password)?,
                is_admin,
                created_at: self.now(),
            },
            links,
        )?;
        Ok(password)
    }

    /// Creates an account for people of productions with no password anyone knows, and a
    /// one-time set-up code with which its holder chooses their own; returns the account's
    /// name (lower case), the code and when the code stops working.
    pub fn invite_account(
        &self,
        name: &str,
        links: &[(ProductionId, PersonId)],
    ) -> Result<(String, String, Timestamp), AppError> {
        let name = access::normal_account_name(name)?;
        if access::account_named(self.inner.store.as_ref(), &name)?.is_some() {
            return Err(coldset_domain::DomainError::Conflict(format!(
                "there is already an account named {name}: choose another name, or give its holder a new set-up code"
            ))
            .into());
        }
        // The password is random and never shown: the set-up code is the only way in.
        let unusable = access::random_password()? + &access::random_password()?;
        self.inner.store.create_linked_account(
            &crate::ports::AccountRecord {
                name: name.clone(),
                password_hash: access::hash_secret(&unusable)?,
                is_admin: false,
                created_at: self.now(),
            },
            links,
        )?;
        let (code, expires) = access::issue_setup_code(self.inner.store.as_ref(), &name, self.now())?;
        Ok((name, code, expires))
    }

    /// A new one-time set-up code for an existing account (its holder lost their password
    /// or the first code expired). Earlier codes keep working until they expire or are used.
    pub fn new_setup_code(&self, account: &str) -> Result<(String, Timestamp), AppError> {
        access::issue_setup_code(self.inner.store.as_ref(), account, self.now())
    }

    /// The account a set-up code opens, if it is still good (the welcome page names it).
    pub fn setup_code_account(&self, code: &str) -> Result<String, AppError> {
        access::setup_code_account(self.inner.store.as_ref(), code, self.now())
    }

    /// Its holder chooses the password of the account a set-up code is for; returns the
    /// account and a new session (secret, expiry).
    pub fn redeem_setup_code(&self, code: &str, password: &str) -> Result<(String, String, Timestamp), AppError> {
        access::redeem_setup_code(self.inner.store.as_ref(), code, password, self.now())
    }

    /// The account linked to a person of a production, if any.
    pub fn person_account(&self, production: &ProductionId, person: &PersonId) -> Result<Option<String>, AppError> {
        Ok(self.inner.store.person_account(production, person)?)
    }

    /// An API token for `account`, made by `creator` (see [`access::create_api_token`]).
    pub fn create_api_token(
        &self,
        creator: &access::Principal,
        account: &str,
        scopes: &[&str],
        expires_in_days: Option<u32>,
    ) -> Result<(String, Option<Timestamp>), AppError> {
        access::create_api_token(self.inner.store.as_ref(), creator, account, scopes, self.now(), expires_in_days)
    }
}
