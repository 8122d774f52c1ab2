//! coldset's application layer: the single write path. Every change, from the web pages,
//! the JSON API or the CLI, is a [`Request`] handed to [`App::execute`], which runs the
//! dispatcher (see ARCHITECTURE.md, "The write path"): check the actor's permission,
//! evaluate the rules against the current state, append the events, update the
//! projections and the Merkle tree, commit durably, then publish.
//!
//! It knows nothing of HTTP or SQL: storage comes through the [`ports::Store`] port,
//! time through [`ports::Clock`].

pub mod access;
pub mod authz;
pub mod cluster;
pub mod conformance;
pub mod error;
pub mod history;
pub mod import;
pub mod inflight;
pub mod kit;
pub mod ledger;
pub mod memory;
pub mod metrics;
pub mod notify;
pub mod passkey;
pub mod ports;
mod queries;
pub mod records;
pub mod sealed;
mod snapshots;
mod writer;

pub use error::AppError;
pub use ports::{Clock, ManualClock, Store, SystemClock};
pub use writer::{BatchError, IdempotencyKey, Published, Receipt, Request};

use coldset_domain::ids::ProductionId;
use coldset_domain::{Date, ProductionState, Timestamp};
use coldset_ledger::{Hash, NoteSigner};
use ledger::{CheckpointSink, Checkpointer};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;
use writer::Writer;

/// The running application: current state of every production, and the way to change it.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    snapshots: snapshots::Snapshots,
    heads: Arc<RwLock<HashMap<ProductionId, (u64, Hash)>>>,
    writer: Writer,
    /// One of several nodes on a shared database: which productions this node writes.
    lead: Option<Arc<cluster::Leadership>>,
    live: tokio::sync::broadcast::Sender<Published>,
    checkpointer: OnceLock<Arc<Checkpointer>>,
    /// Where the witnesses' cosignatures are kept (the binary's files), once set.
    cosignatures: OnceLock<Arc<dyn ledger::CosignatureSource>>,
    targets: Arc<RwLock<notify::Targets>>,
    throttle: access::Throttle,
    /// Wrong confirmation PINs, per person of a production.
    pin_throttle: access::Throttle,
    /// Wrong current codes when replacing a second factor, per account.
    totp_throttle: access::Throttle,
    passkey_challenges: passkey::Challenges,
    /// Sends of a form being handled now, by idempotency key (a double tap's second send
    /// waits for the first's answer: inflight.rs).
    inflight: inflight::InFlight,
    pending_totp: access::PendingTotp,
    /// Seals second-factor secrets at rest (set once at start, from outside the database).
    secrets: OnceLock<sealed::SecretKey>,
    auth_cache: access::AuthCache,
    metrics: Arc<metrics::Metrics>,
    /// Background threads stop once this is dropped (with the application).
    alive: Arc<()>,
}

impl App {
    /// Opens the application on a store: replays every production's log into memory and
    /// starts the writer thread.
    pub fn open(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Result<App, AppError> {
        App::start(store, clock, None)
    }

    /// Opens the application as one node of several on a shared store (PostgreSQL): every
    /// production is read from the log and followed as it grows; this node writes those whose
    /// lease it holds (cluster.rs), taken before this returns when free.
    pub fn open_node(store: Arc<dyn Store>, clock: Arc<dyn Clock>, node: cluster::NodeConfig) -> Result<App, AppError> {
        if store.cluster().is_none() {
            return Err(AppError::Internal("several nodes need a store they can share (PostgreSQL)".into()));
        }
        let lead = Arc::new(cluster::Leadership::new(node));
        let app = App::start(store, clock, Some(lead.clone()))?;
        let mut follower = cluster::Follower::new(
            app.inner.store.clone(),
            lead.clone(),
            app.inner.snapshots.clone(),
            app.inner.live.clone(),
        );
        follower.catch_up(None)?;
        cluster::start_keeper(
            Arc::downgrade(&app.inner.alive),
            app.inner.store.clone(),
            lead,
            app.inner.writer.clone(),
        )?;
        cluster::start_follower(Arc::downgrade(&app.inner.alive), follower)?;
        Ok(app)
    }

    fn start(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        lead: Option<Arc<cluster::Leadership>>,
    ) -> Result<App, AppError> {
        let (live, _) = tokio::sync::broadcast::channel(1024);
        let snapshots = snapshots::Snapshots::default();
        let heads = Arc::new(RwLock::new(HashMap::new()));
        let targets = Arc::new(RwLock::new(notify::Targets::default()));
        let metrics = Arc::new(metrics::Metrics::default());
        let writer = Writer::start(
            store.clone(),
            clock.clone(),
            snapshots.clone(),
            heads.clone(),
            targets.clone(),
            live.clone(),
            metrics.clone(),
            lead.clone(),
        )?;
        Ok(App {
            inner: Arc::new(Inner {
                store,
                clock,
                snapshots,
                heads,
                writer,
                lead,
                live,
                checkpointer: OnceLock::new(),
                cosignatures: OnceLock::new(),
                targets,
                throttle: access::Throttle::new("too many failed sign-ins for this account"),
                pin_throttle: access::Throttle::new("too many wrong PINs for this person"),
                totp_throttle: access::Throttle::new("too many wrong one-time codes for this account"),
                passkey_challenges: passkey::Challenges::default(),
                inflight: inflight::InFlight::default(),
                pending_totp: access::PendingTotp::default(),
                secrets: OnceLock::new(),
                auth_cache: access::AuthCache::default(),
                metrics,
                alive: Arc::new(()),
            }),
        })
    }

    /// Sends notifications: events recorded from now on create outbox items for `targets`;
    /// a thread delivers due items every `interval` with `deliverer`, retrying failures.
    pub fn enable_notifications(
        &self,
        targets: notify::Targets,
        deliverer: Box<dyn notify::Deliver>,
        interval: Duration,
    ) -> Result<(), AppError> {
        *self.inner.targets.write().map_err(|_| AppError::Internal("targets lock poisoned".into()))? = targets;
        // Of several nodes, each delivers the notifications of the productions it writes.
        let lead = self.inner.lead.clone();
        let ours: notify::Ours = Box::new(move |p: &ProductionId| lead.as_ref().is_none_or(|l| l.leads(p)));
        notify::spawn_loop(
            Arc::downgrade(&self.inner.alive),
            self.inner.store.clone(),
            self.inner.clock.clone(),
            deliverer,
            interval,
            ours,
        )
    }

    /// Starts signing checkpoints with `key`: every `interval` for each production that
    /// grew, copying each to the `sinks`. Signs any unsigned head at once.
    pub fn enable_checkpoints(
        &self,
        key: Arc<dyn NoteSigner>,
        sinks: Vec<Box<dyn CheckpointSink>>,
        interval: Duration,
    ) -> Result<Arc<Checkpointer>, AppError> {
        let cp = Arc::new(Checkpointer::new(
            key,
            self.inner.store.clone(),
            self.inner.clock.clone(),
            self.inner.heads.clone(),
            sinks,
        )?);
        self.inner
            .checkpointer
            .set(cp.clone())
            .map_err(|_| AppError::Internal("checkpoints are already enabled".into()))?;
        cp.sign_new_heads()?;
        ledger::spawn_loop(Arc::downgrade(&cp), interval)?;
        Ok(cp)
    }

    /// Reads the witnesses' cosignatures from `source` from now on (the compliance pack
    /// lists them; a tlog-proof carries them). Set once, at start.
    pub fn set_cosignature_source(&self, source: Arc<dyn ledger::CosignatureSource>) -> Result<(), AppError> {
        self.inner
            .cosignatures
            .set(source)
            .map_err(|_| AppError::Internal("the cosignatures' source is already set".into()))
    }

    /// Every cosigned note kept for `production` (none when no source is set).
    pub fn cosigned_notes(&self, production: &ProductionId) -> Result<Vec<String>, AppError> {
        match self.inner.cosignatures.get() {
            None => Ok(Vec::new()),
            Some(source) => source.cosigned_notes(production).map_err(AppError::Internal),
        }
    }

    /// The operator's metrics in Prometheus text format: the writer's counters, and per
    /// production the log's size, how far the newest checkpoint lags behind it (events and
    /// seconds), and the notification outbox's backlog.
    pub fn metrics_text(&self) -> Result<String, AppError> {
        use std::fmt::Write;
        let mut out = String::new();
        self.inner.metrics.render_counters(&mut out);
        let now = self.inner.clock.now();
        let heads: Vec<(ProductionId, u64)> = match self.inner.heads.read() {
            Ok(h) => h.iter().map(|(p, (size, _))| (p.clone(), *size)).collect(),
            Err(_) => return Err(AppError::Internal("heads lock poisoned".into())),
        };
        let _ = writeln!(out, "# HELP coldset_log_events Events in each production's log.");
        let _ = writeln!(out, "# TYPE coldset_log_events gauge");
        for (p, size) in &heads {
            let _ = writeln!(out, "coldset_log_events{{production=\"{p}\"}} {size}");
        }
        let _ = writeln!(out, "# HELP coldset_unsigned_events Events not yet covered by a signed checkpoint.");
        let _ = writeln!(out, "# TYPE coldset_unsigned_events gauge");
        let mut ages = Vec::new();
        for (p, size) in &heads {
            let latest = self.inner.store.latest_checkpoint(p)?;
            let signed = latest.as_ref().map_or(0, |c| c.size);
            let _ = writeln!(out, "coldset_unsigned_events{{production=\"{p}\"}} {}", size.saturating_sub(signed));
            if let Some(cp) = latest {
                ages.push((p.clone(), (now.0 - cp.at.0).max(0) as f64 / 1000.0));
            }
        }
        self.inner.metrics.render_witness_lag(&mut out, &heads);
        let _ = writeln!(out, "# HELP coldset_checkpoint_age_seconds Time since each production's newest checkpoint.");
        let _ = writeln!(out, "# TYPE coldset_checkpoint_age_seconds gauge");
        for (p, age) in ages {
            let _ = writeln!(out, "coldset_checkpoint_age_seconds{{production=\"{p}\"}} {age:.3}");
        }
        let pending = self.inner.store.outbox_due(Timestamp(i64::MAX), 100_000)?;
        let _ = writeln!(out, "# HELP coldset_outbox_pending Notifications not delivered yet.");
        let _ = writeln!(out, "# TYPE coldset_outbox_pending gauge");
        let _ = writeln!(out, "coldset_outbox_pending {}", pending.len());
        let _ = writeln!(out, "# HELP coldset_outbox_failing Undelivered notifications that failed at least once.");
        let _ = writeln!(out, "# TYPE coldset_outbox_failing gauge");
        let _ = writeln!(out, "coldset_outbox_failing {}", pending.iter().filter(|i| i.attempts > 0).count());
        Ok(out)
    }

    /// The operator's counters, for parts outside the write path that report to them (the
    /// cosigning witnesses).
    pub fn metrics(&self) -> Arc<metrics::Metrics> {
        self.inner.metrics.clone()
    }

    /// Seals second-factor secrets at rest with `key` from now on (once, at start).
    pub fn set_secret_key(&self, key: sealed::SecretKey) -> Result<(), AppError> {
        self.inner.secrets.set(key).map_err(|_| AppError::Internal("the secrets key is already set".into()))
    }

    pub fn checkpointer(&self) -> Option<&Arc<Checkpointer>> {
        self.inner.checkpointer.get()
    }

    /// The size and root of a production's log as committed.
    pub fn head(&self, production: &ProductionId) -> Option<(u64, Hash)> {
        self.inner.heads.read().ok()?.get(production).copied()
    }

    /// Runs a command through the write path and waits until it is durable (or refused).
    pub fn execute(&self, request: Request) -> Result<Receipt, AppError> {
        self.inner.writer.submit(request)?.blocking_recv().map_err(|_| AppError::ShuttingDown)?
    }

    /// The same, for async callers (the web server).
    pub async fn execute_async(&self, request: Request) -> Result<Receipt, AppError> {
        self.inner.writer.submit(request)?.await.map_err(|_| AppError::ShuttingDown)?
    }

    /// Runs several requests of one production through the write path as one batch: each is
    /// decided against the state the ones before it left, and either all are recorded in one
    /// commit or none is (the error names the request refused). `expected_size`: the log size
    /// the caller prepared them against; a log that grew since refuses the batch as a
    /// conflict. Single requests keep going through [`App::execute`] and its group commit.
    pub async fn execute_all(
        &self,
        requests: Vec<Request>,
        expected_size: Option<u64>,
    ) -> Result<Vec<Receipt>, BatchError> {
        let rx =
            self.inner.writer.submit_all(requests, expected_size).map_err(|error| BatchError { index: None, error })?;
        rx.await.map_err(|_| BatchError { index: None, error: AppError::ShuttingDown })?
    }

    /// The same, for callers outside the async runtime (the CLI, tests).
    pub fn execute_all_blocking(
        &self,
        requests: Vec<Request>,
        expected_size: Option<u64>,
    ) -> Result<Vec<Receipt>, BatchError> {
        let rx =
            self.inner.writer.submit_all(requests, expected_size).map_err(|error| BatchError { index: None, error })?;
        rx.blocking_recv().map_err(|_| BatchError { index: None, error: AppError::ShuttingDown })?
    }

    /// The receipt of a request already recorded under `key`, read before the request is
    /// authorized again: a retry whose in-person proof cannot be given twice (a passkey's
    /// single-use challenge) still gets its first answer. Reads the database.
    pub fn replayed(&self, production: &ProductionId, key: &IdempotencyKey) -> Result<Option<Receipt>, AppError> {
        writer::replayed(self.inner.store.as_ref(), production, key)
    }

    /// Joins the sends in progress under `key`, before the send's in-person proof is checked
    /// (see inflight.rs: of a double tap confirmed by passkey, only one send passes the proof).
    pub fn join_send(&self, production: &ProductionId, key: &IdempotencyKey) -> inflight::Sending {
        self.inner.inflight.join(production, key)
    }

    /// The committed state of a production (never ahead of what is durable).
    pub fn state(&self, production: &ProductionId) -> Result<Arc<ProductionState>, AppError> {
        self.inner.snapshots.state(production).ok_or_else(|| AppError::UnknownProduction(production.to_string()))
    }

    /// Every production, by id.
    pub fn production_ids(&self) -> Vec<ProductionId> {
        self.inner.snapshots.ids()
    }

    /// How far this node's copy of a production's log goes (its size), if it knows the
    /// production: what a read of it reflects.
    pub fn position(&self, production: &ProductionId) -> Option<u64> {
        self.inner.snapshots.position(production)
    }

    /// Waits up to `timeout` until this node's copy of a production has at least `position`
    /// events (a read that must see a write made through another node); whether it has.
    pub async fn wait_for_position(&self, production: &ProductionId, position: u64, timeout: Duration) -> bool {
        self.inner.snapshots.wait_for(production, position, timeout).await
    }

    /// Where a production's writes go: here, alone on the store or as its leader; another
    /// node; or nobody at this moment (a lease moving).
    pub fn leader(&self, production: &ProductionId) -> cluster::Leader {
        match &self.inner.lead {
            None => cluster::Leader::Here,
            Some(lead) => lead.leader(production),
        }
    }

    /// The address other nodes reach this one at, when it is one of several.
    pub fn node_url(&self) -> Option<&str> {
        self.inner.lead.as_ref().map(|l| l.node())
    }

    /// Whether this application is one node of several on a shared store.
    pub fn is_node(&self) -> bool {
        self.inner.lead.is_some()
    }

    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// The shoot day's date in a production's time zone.
    pub fn today(&self, state: &ProductionState) -> Date {
        writer::local_date(self.inner.clock.now(), state)
    }

    /// Passkey challenges issued by this process (see [`passkey`]).
    pub fn passkey_challenges(&self) -> &passkey::Challenges {
        &self.inner.passkey_challenges
    }

    /// What in-person confirmations (PINs, passkeys) are checked against, now.
    pub fn proofs(&self) -> access::Proofs<'_> {
        access::Proofs {
            store: self.inner.store.as_ref(),
            challenges: &self.inner.passkey_challenges,
            pins: &self.inner.pin_throttle,
            now: self.inner.clock.now(),
        }
    }

    /// Starts setting up a TOTP second factor (the current code, once one is set up); returns
    /// the new secret and its otpauth URI.
    pub fn enrol_totp(&self, account: &str, current_code: Option<&str>) -> Result<(String, String), AppError> {
        let now = self.inner.clock.now();
        let (store, pending, throttle) =
            (self.inner.store.as_ref(), &self.inner.pending_totp, &self.inner.totp_throttle);
        access::enrol_totp(store, self.inner.secrets.get(), pending, throttle, account, current_code, now)
    }

    /// Confirms the new TOTP secret with its first code; sign-in asks for its codes from then on.
    pub fn confirm_totp(&self, account: &str, code: &str) -> Result<(), AppError> {
        let now = self.inner.clock.now();
        access::confirm_totp(
            self.inner.store.as_ref(),
            self.inner.secrets.get(),
            &self.inner.pending_totp,
            account,
            code,
            now,
        )
    }

    /// Whether the account signs in with a one-time code (a confirmed TOTP set-up).
    pub fn has_second_factor(&self, account: &str) -> Result<bool, AppError> {
        Ok(self.inner.store.totp(account)?.is_some_and(|(_, confirmed)| confirmed))
    }

    /// The owner changes the account's password (see [`access::change_password`]).
    pub fn change_password(&self, account: &str, current: &str, new: &str) -> Result<(), AppError> {
        let now = self.inner.clock.now();
        access::change_password(self.inner.store.as_ref(), &self.inner.throttle, account, current, new, now)
    }

    /// Signs in with a name and password (throttled); returns a session secret and expiry.
    pub fn login(&self, name: &str, password: &str, code: Option<&str>) -> Result<(String, Timestamp), AppError> {
        access::login(
            self.inner.store.as_ref(),
            self.inner.secrets.get(),
            &self.inner.throttle,
            name,
            password,
            code,
            self.inner.clock.now(),
        )
    }

    /// Resolves a token or session secret to its account (cached for a few seconds).
    pub fn authenticate(&self, secret: &str) -> Result<Arc<access::Principal>, AppError> {
        self.inner.auth_cache.principal(self.inner.store.as_ref(), secret, self.inner.clock.now())
    }

    /// The cached answers of `authenticate` and `account_person`, without the database: the
    /// fast path of every request.
    pub fn cached_principal(&self, secret: &str) -> Option<Arc<access::Principal>> {
        self.inner.auth_cache.cached(secret, self.inner.clock.now())
    }

    pub fn cached_account_person(
        &self,
        account: &str,
        production: &ProductionId,
    ) -> Option<Option<coldset_domain::ids::PersonId>> {
        self.inner.auth_cache.cached_link(account, production, self.inner.clock.now())
    }

    /// Ends a session or token now, here and in the cache.
    pub fn revoke(&self, secret: &str) -> Result<(), AppError> {
        // The database first: a renewal of the cached entry that reads it afterwards finds
        // the token gone, and one that read it before is not cached (`forget` records a
        // revocation of this token, which such a renewal sees).
        self.inner.store.revoke_token(&access::hash_token(secret.trim()))?;
        self.inner.auth_cache.forget(secret);
        Ok(())
    }

    /// The person an account acts as in a production (cached for a few seconds).
    pub fn account_person(
        &self,
        account: &str,
        production: &ProductionId,
    ) -> Result<Option<coldset_domain::ids::PersonId>, AppError> {
        self.inner.auth_cache.account_person(self.inner.store.as_ref(), account, production, self.inner.clock.now())
    }

    /// Runs the clock-driven work (report escalations) on every production; returns how many
    /// events it recorded.
    pub fn tick(&self) -> Result<usize, AppError> {
        let mut n = 0;
        // Of several nodes, each ticks the productions it writes.
        for p in self.production_ids().into_iter().filter(|p| self.leader(p) == cluster::Leader::Here) {
            let r = self.execute(Request::new(p, coldset_domain::Actor::System, coldset_domain::Command::Tick))?;
            n += r.events.len();
        }
        Ok(n)
    }

    /// Live feed of committed events, for the board and other subscribers.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Published> {
        self.inner.live.subscribe()
    }
}

/// Checks a time zone name the way the writer will use it.
pub fn valid_time_zone(name: &str) -> bool {
    jiff::tz::TimeZone::get(name).is_ok()
}
