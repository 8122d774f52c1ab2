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
        let password = access::random_password()?;
        // One transaction: a refused link leaves no account behind, with a password nobody saw.
        self.inner.store.create_linked_account(
            &crate::ports::AccountRecord {
                name: name.to_owned(),
                password_hash: access::hash_secret(&password)?,
                is_admin,
                created_at: self.now(),
            },
            links,
        )?;
        Ok(password)
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
