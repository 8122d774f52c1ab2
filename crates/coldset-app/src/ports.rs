//! The ports the application needs from the outside world: a store and a clock. Adapters
//! (SQLite, PostgreSQL, a fixed test clock) implement them; nothing here names a driver.

use coldset_domain::ids::{PersonId, ProductionId};
use coldset_domain::{ProjectionRow, Timestamp};
use coldset_ledger::Hash;
use std::sync::atomic::{AtomicI64, Ordering};

/// Where "now" comes from. Domain and app code never read the system clock directly.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    // The clock adapter: the one place the wall clock is read for what coldset records.
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> Timestamp {
        Timestamp(jiff::Timestamp::now().as_millisecond())
    }
}

/// A clock that only moves when told to: for tests and deterministic demos.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        Self(AtomicI64::new(start.0))
    }

    pub fn set(&self, t: Timestamp) {
        self.0.store(t.0, Ordering::SeqCst);
    }

    pub fn advance_minutes(&self, minutes: i64) {
        self.0.fetch_add(minutes * 60_000, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

/// An event as the store keeps it: the canonical bytes are the truth, the rest indexes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub production: ProductionId,
    pub seq: u64,
    pub kind: String,
    pub at: Timestamp,
    pub bytes: Vec<u8>,
    pub leaf_hash: Hash,
}

/// A node of a production's Merkle tree: the hash of a perfect subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNode {
    pub production: ProductionId,
    pub level: u8,
    pub index: u64,
    pub hash: Hash,
}

/// A registered passkey: the credential id (base64url, as WebAuthn names it), the public key
/// (SubjectPublicKeyInfo DER, base64) and the last signature counter seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passkey {
    pub credential_id: String,
    pub public_key: String,
    pub counter: u32,
}

/// A signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub production: ProductionId,
    pub size: u64,
    pub root: Hash,
    pub at: Timestamp,
    /// The full signed note text.
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductionRecord {
    pub id: ProductionId,
    pub name: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    pub name: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub created_at: Timestamp,
}

/// An API token, stored only as the SHA-256 of its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub hash: String,
    pub account: String,
    /// `read`, `write`.
    pub scopes: Vec<String>,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
}

/// The answer recorded for an idempotency key, committed with the command's events so a
/// retry can never record the command twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub account: String,
    pub key: String,
    pub production: ProductionId,
    /// SHA-256 (hex) of the request, so a key reused for another command is refused.
    pub request_hash: String,
    /// The sequence numbers the command recorded, comma-separated.
    pub seqs: String,
}

/// A notification waiting to go out (or already delivered): written in the same transaction
/// as the events that caused it, so nothing is lost across a crash or restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    /// Assigned by the store; 0 before insertion.
    pub id: i64,
    pub production: ProductionId,
    pub event_seq: u64,
    /// `webhook` or `email`.
    pub channel: String,
    /// A URL or an e-mail address.
    pub target: String,
    pub payload: String,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// Everything one group commit writes, atomically and durably.
#[derive(Debug, Default, Clone)]
pub struct CommitBatch {
    pub productions: Vec<ProductionRecord>,
    pub events: Vec<StoredEvent>,
    pub nodes: Vec<StoredNode>,
    pub projections: Vec<(ProductionId, ProjectionRow)>,
    pub idempotency: Vec<IdempotencyRecord>,
    pub outbox: Vec<OutboxItem>,
    /// Content-addressed files (report photos) referenced by this batch's events.
    pub attachments: Vec<Attachment>,
    /// On a store shared by several nodes: the leases this batch is written under. The
    /// store commits only if each is still held by this node with this fencing token, checked
    /// in the same transaction, so a node that lost a production (a pause, a partition)
    /// cannot append to its log.
    pub fence: Option<Fence>,
}

/// The leases a commit must still hold (see [`Cluster`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    pub node: String,
    /// Each production written and the fencing token its lease was taken with.
    pub leases: Vec<(ProductionId, u64)>,
    /// How long a commit extends the leases it was written under.
    pub ttl: std::time::Duration,
}

/// A production's write lease as the database holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub production: ProductionId,
    /// The holder's node address.
    pub node: String,
    pub token: u64,
    /// Whether it has not expired, by the database's clock.
    pub valid: bool,
}

/// What several coldset nodes on one database coordinate through (PostgreSQL only): which
/// nodes are alive, which node writes each production (a lease with a fencing token, timed
/// by the database's clock so the nodes' clocks do not matter), and notices of logs that
/// grew, so every node's reads follow the log. Nodes are named by the address other nodes
/// reach them at.
pub trait Cluster: Send + Sync {
    /// Records that `node` is alive now; returns every node seen alive within `within`.
    fn heartbeat(&self, node: &str, within: std::time::Duration) -> Result<Vec<String>, StoreError>;
    /// Every production's lease.
    fn leases(&self) -> Result<Vec<Lease>, StoreError>;
    /// Takes the lease of `production` for `node` if nobody holds it (no lease, an expired
    /// one, or one `node` itself held before): the new fencing token, larger than any
    /// before; `None` if another node holds it.
    fn take_lease(
        &self,
        production: &ProductionId,
        node: &str,
        ttl: std::time::Duration,
    ) -> Result<Option<u64>, StoreError>;
    /// Extends the leases `node` still holds by `ttl`; returns them with their tokens.
    fn renew_leases(&self, node: &str, ttl: std::time::Duration) -> Result<Vec<(ProductionId, u64)>, StoreError>;
    /// Gives a lease up at once (handing a production to a less busy node).
    fn release_lease(&self, production: &ProductionId, node: &str, token: u64) -> Result<(), StoreError>;
    /// Each production's log size, read from the database.
    fn log_sizes(&self) -> Result<Vec<(ProductionId, u64)>, StoreError>;
    /// Waits up to `timeout` for notices of committed events; returns the productions whose
    /// logs grew (an empty list on a timeout).
    fn wait_for_commits(&self, timeout: std::time::Duration) -> Result<Vec<ProductionId>, StoreError>;
}

/// A file stored by its SHA-256 (hex), which the event that mentions it records: the event
/// commits to the exact bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub hash: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl CommitBatch {
    pub fn is_empty(&self) -> bool {
        self.productions.is_empty()
            && self.events.is_empty()
            && self.idempotency.is_empty()
            && self.outbox.is_empty()
            && self.attachments.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Another writer got there first (e.g. a second process on the same database).
    #[error("conflicting write: {0}")]
    Conflict(String),
    /// The database could not be reached or written.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database holds something that cannot be right.
    #[error("database content is inconsistent: {0}")]
    Corrupt(String),
    /// This node no longer holds the lease of a production it tried to write: another node
    /// writes it now. Nothing was written.
    #[error("this node no longer writes {0}")]
    LeaseLost(String),
}

/// Called with (sequence number, event bytes, stored leaf hash), borrowing the row.
pub type LeafVisitor<'a> = dyn FnMut(u64, &[u8], &[u8]) -> Result<(), StoreError> + 'a;

/// A backend-neutral store. Every method is synchronous: the writer is one thread, and
/// readers run on blocking threads. `commit` returns only once the batch is durable.
pub trait Store: Send + Sync {
    fn productions(&self) -> Result<Vec<ProductionRecord>, StoreError>;
    /// Calls `f` for each event of `production` with `seq >= from_seq`, in order.
    fn for_each_event(
        &self,
        production: &ProductionId,
        from_seq: u64,
        f: &mut dyn FnMut(StoredEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// Calls `f(seq, bytes, leaf_hash)` for every event, in order, lending the bytes instead
    /// of copying them: what hashing the whole log needs. Backends may override it.
    fn for_each_leaf(&self, production: &ProductionId, f: &mut LeafVisitor<'_>) -> Result<(), StoreError> {
        self.for_each_event(production, 0, &mut |ev| f(ev.seq, &ev.bytes, &ev.leaf_hash))
    }
    fn event(&self, production: &ProductionId, seq: u64) -> Result<Option<StoredEvent>, StoreError>;
    fn event_count(&self, production: &ProductionId) -> Result<u64, StoreError>;
    /// Atomically and durably writes a batch.
    fn commit(&self, batch: &CommitBatch) -> Result<(), StoreError>;
    fn projection_rows(&self, production: &ProductionId) -> Result<Vec<ProjectionRow>, StoreError>;
    fn node(&self, production: &ProductionId, level: u8, index: u64) -> Result<Option<Hash>, StoreError>;
    fn save_checkpoint(&self, cp: &StoredCheckpoint) -> Result<(), StoreError>;
    fn checkpoints(&self, production: &ProductionId) -> Result<Vec<StoredCheckpoint>, StoreError>;
    fn latest_checkpoint(&self, production: &ProductionId) -> Result<Option<StoredCheckpoint>, StoreError>;
    /// The newest `limit` checkpoints, newest first (a page shows these without reading a
    /// history that grows by one a second while events arrive).
    fn recent_checkpoints(&self, production: &ProductionId, limit: u32) -> Result<Vec<StoredCheckpoint>, StoreError>;
    fn create_account(&self, account: &AccountRecord) -> Result<(), StoreError>;
    /// Creates an account and its links to people of productions in one transaction: a link
    /// that is refused (a second link in one production, say) leaves no account behind.
    fn create_linked_account(
        &self,
        account: &AccountRecord,
        links: &[(ProductionId, PersonId)],
    ) -> Result<(), StoreError>;
    fn account(&self, name: &str) -> Result<Option<AccountRecord>, StoreError>;
    fn account_count(&self) -> Result<u64, StoreError>;
    /// Lets an account act as a person of a production (one person per production).
    fn link_account(&self, account: &str, production: &ProductionId, person: &PersonId) -> Result<(), StoreError>;
    fn account_person(&self, account: &str, production: &ProductionId) -> Result<Option<PersonId>, StoreError>;
    /// The account linked to a person of a production (the first by name if several are).
    fn person_account(&self, production: &ProductionId, person: &PersonId) -> Result<Option<String>, StoreError>;
    fn create_token(&self, token: &TokenRecord) -> Result<(), StoreError>;
    fn token(&self, hash: &str) -> Result<Option<TokenRecord>, StoreError>;
    /// An account's TOTP secret (base32) and whether its enrolment was confirmed with a code.
    fn set_totp(&self, account: &str, secret: &str, confirmed: bool) -> Result<(), StoreError>;
    fn totp(&self, account: &str) -> Result<Option<(String, bool)>, StoreError>;
    /// Ends a token or browser session at once (logout, a lost phone).
    fn revoke_token(&self, hash: &str) -> Result<(), StoreError>;
    /// For a forgotten password or a lost phone: replaces an account's password hash, ends
    /// all its tokens and sessions, removes its second factor and the passkeys of the people
    /// it is linked to, in one transaction. False when there is no such account.
    fn reset_account(&self, name: &str, password_hash: &str) -> Result<bool, StoreError>;
    /// Replaces an account's password hash (its owner changed it); false when there is no
    /// such account.
    fn set_password(&self, name: &str, password_hash: &str) -> Result<bool, StoreError>;
    /// Sets (or replaces) a person's confirmation PIN hash.
    fn set_pin(&self, production: &ProductionId, person: &PersonId, pin_hash: &str) -> Result<(), StoreError>;
    fn pin(&self, production: &ProductionId, person: &PersonId) -> Result<Option<String>, StoreError>;
    /// Registers a passkey (WebAuthn credential) a person confirms with, like their PIN.
    fn add_passkey(&self, production: &ProductionId, person: &PersonId, key: &Passkey) -> Result<(), StoreError>;
    /// A person's passkeys.
    fn passkeys(&self, production: &ProductionId, person: &PersonId) -> Result<Vec<Passkey>, StoreError>;
    /// Records a passkey's signature counter after a confirmation (a clone shows as a
    /// counter that goes backwards).
    fn set_passkey_counter(
        &self,
        production: &ProductionId,
        credential_id: &str,
        counter: u32,
    ) -> Result<(), StoreError>;
    fn idempotency(&self, account: &str, key: &str) -> Result<Option<IdempotencyRecord>, StoreError>;
    /// Undelivered notifications due at `now`, oldest first.
    fn outbox_due(&self, now: Timestamp, limit: u32) -> Result<Vec<OutboxItem>, StoreError>;
    fn outbox_delivered(&self, id: i64, at: Timestamp) -> Result<(), StoreError>;
    fn outbox_failed(&self, id: i64, attempts: u32, next_attempt_at: Timestamp, error: &str) -> Result<(), StoreError>;
    /// The newest notifications, delivered or not (the delivery log).
    fn outbox_recent(&self, limit: u32) -> Result<Vec<OutboxItem>, StoreError>;
    fn attachment(&self, hash: &str) -> Result<Option<Attachment>, StoreError>;
    /// The checkpoint of exactly `size` events, if one was signed: a printed record's
    /// verification names its checkpoint by size, and a production signs thousands.
    fn checkpoint_at(&self, production: &ProductionId, size: u64) -> Result<Option<StoredCheckpoint>, StoreError>;
    /// The coordination of several nodes, for a store they can share (PostgreSQL).
    fn cluster(&self) -> Option<&dyn Cluster> {
        None
    }
}
