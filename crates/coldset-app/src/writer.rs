//! The writer: one thread that owns every production's working state and Merkle frontier,
//! and applies commands in arrival order. Commands that arrive while a commit is in flight
//! are decided together and committed in one durable transaction (group commit): one fsync
//! for many events, which is what makes durable appends fast. A command is acknowledged
//! only after its batch is committed; a refused command is answered at once and writes
//! nothing.

use crate::cluster::Leadership;
use crate::error::AppError;
use crate::ports::{Clock, CommitBatch, Fence, IdempotencyRecord, ProductionRecord, Store, StoredEvent, StoredNode};
use crate::snapshots::Snapshots;
use coldset_domain::decide::{decide, Context};
use coldset_domain::ids::ProductionId;
use coldset_domain::{Actor, Command, Date, DomainError, EntityRef, Envelope, ProductionState, Timestamp};
use coldset_ledger::{leaf_hash, CompactTree, Hash};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use tokio::sync::{broadcast, oneshot};

/// Most commands decided into one commit; bounds the latency a batch can add.
const MAX_BATCH: usize = 512;

/// A command, who issues it, and on which production.
#[derive(Debug, Clone)]
pub struct Request {
    pub production: ProductionId,
    pub actor: Actor,
    pub command: Command,
    /// If set, the command is refused with a conflict unless its primary record is still
    /// at this version (the sequence number of the last event that changed it).
    pub expected_version: Option<u64>,
    /// People other than the actor who confirmed this request in person on the same
    /// device, already authenticated by the caller (e.g. a performer's PIN at a hand-off).
    pub attested: Vec<coldset_domain::ids::PersonId>,
    /// How the actor and the people in `attested` authenticated; written into every event.
    pub auth: Option<coldset_domain::events::Authentication>,
    /// A client's idempotency key: a retry with the same key returns the first answer and
    /// records nothing again.
    pub idempotency: Option<IdempotencyKey>,
    /// Files the command refers to by hash (report photos), stored with its events.
    pub attachments: Vec<crate::ports::Attachment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub account: String,
    pub key: String,
    /// Hash of the request body, so a key reused for another command is refused.
    pub request_hash: String,
}

impl Request {
    /// A request with no version pin, no in-person confirmations and no idempotency key.
    pub fn new(production: ProductionId, actor: Actor, command: Command) -> Self {
        Request {
            production,
            actor,
            command,
            expected_version: None,
            attested: Vec::new(),
            auth: None,
            idempotency: None,
            attachments: Vec::new(),
        }
    }
}

/// What a committed command recorded.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub production: ProductionId,
    pub events: Vec<Envelope>,
    /// The request had been recorded before under its idempotency key: these are the events
    /// recorded then, and nothing new was recorded now.
    pub replayed: bool,
}

impl Receipt {
    pub fn last_seq(&self) -> Option<u64> {
        self.events.last().map(|e| e.seq)
    }
}

/// One committed event, as announced to live subscribers.
#[derive(Debug, Clone)]
pub struct Published {
    pub production: ProductionId,
    pub envelope: Arc<Envelope>,
}

/// Why a batch of requests ([`crate::App::execute_all`]) recorded nothing: the request at
/// `index` was refused (or, with no index, the batch as a whole: a changed log, a failed
/// commit).
#[derive(Debug, Clone)]
pub struct BatchError {
    pub index: Option<usize>,
    pub error: AppError,
}

/// The answer channel of a batch.
type BatchReply = oneshot::Sender<Result<Vec<Receipt>, BatchError>>;

/// What the writer is sent: work to decide and commit, or a change of what it writes.
// As for `Work`: a job only passes through the channel.
#[allow(clippy::large_enum_variant)]
enum Job {
    Work(Work),
    Control(Control),
    /// Answered once every job sent before it is done.
    Settle(mpsc::Sender<()>),
}

/// A change of the productions this node writes, from the lease keeper (cluster.rs).
#[derive(Debug)]
pub(crate) enum Control {
    /// The lease was taken with `token`: load the production from the log and write it.
    Lead { production: ProductionId, token: u64 },
    /// The lease was lost: stop writing the production.
    Drop { production: ProductionId },
    /// Hand the production over: stop writing it, then give the lease up.
    Release { production: ProductionId, token: u64 },
}

// A single request is the hot path and is not boxed (one allocation less per command); a
// job only passes through the channel, so its size costs nothing where it is kept.
#[allow(clippy::large_enum_variant)]
enum Work {
    One {
        request: Request,
        reply: oneshot::Sender<Result<Receipt, AppError>>,
    },
    /// Requests recorded together or not at all (an import): decided in order, each against
    /// the state the ones before it left, committed in the same transaction.
    All {
        requests: Vec<Request>,
        /// The log size the caller checked the requests against; if the log grew since, the
        /// batch is refused as a conflict (its ids may name what someone else just recorded).
        expected_size: Option<u64>,
        reply: BatchReply,
    },
}

struct OneJob {
    request: Request,
    reply: oneshot::Sender<Result<Receipt, AppError>>,
}

#[derive(Clone)]
pub(crate) struct Writer {
    tx: mpsc::Sender<Job>,
}

impl Writer {
    // The shared parts the application hands the writer, each named.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn start(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        snapshots: Snapshots,
        heads: Arc<RwLock<HashMap<ProductionId, (u64, Hash)>>>,
        targets: Arc<RwLock<crate::notify::Targets>>,
        live: broadcast::Sender<Published>,
        metrics: Arc<crate::metrics::Metrics>,
        lead: Option<Arc<Leadership>>,
    ) -> Result<Writer, AppError> {
        // Alone on its store, the writer writes every production. One of several nodes, it
        // writes only those whose lease it is given (`Control::Lead`), and loads them then.
        let mut logs = HashMap::new();
        if lead.is_none() {
            for p in store.productions()? {
                let log = load_log(store.as_ref(), &p.id)?;
                logs.insert(p.id.clone(), log);
            }
        }
        snapshots
            .publish_all(logs.iter().map(|(id, log): (&ProductionId, &Log)| (id.clone(), Arc::new(log.state.clone()))));
        {
            let mut h = heads.write().map_err(|_| AppError::Internal("heads lock poisoned".into()))?;
            for (id, log) in &logs {
                h.insert(id.clone(), (log.tree.size(), log.tree.root()));
            }
        }
        let (tx, rx) = mpsc::channel::<Job>();
        let mut worker = Worker { store, clock, logs, snapshots, heads, targets, live, metrics, lead };
        std::thread::Builder::new()
            .name("coldset-writer".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut next = Some(first);
                    while let Some(job) = next.take() {
                        match job {
                            Job::Control(c) => worker.control(c),
                            Job::Settle(done) => {
                                let _ = done.send(());
                            }
                            Job::Work(work) => {
                                // Work waiting is decided together and committed once; a change
                                // of leases ends the batch, so no batch spans one.
                                let mut batch = vec![work];
                                while batch.len() < MAX_BATCH {
                                    match rx.try_recv() {
                                        Ok(Job::Work(w)) => batch.push(w),
                                        Ok(other) => {
                                            next = Some(other);
                                            break;
                                        }
                                        Err(_) => break,
                                    }
                                }
                                worker.process(batch);
                            }
                        }
                    }
                }
            })
            .map_err(|e| AppError::Internal(format!("cannot start the writer thread: {e}")))?;
        Ok(Writer { tx })
    }

    pub(crate) fn submit(&self, request: Request) -> Result<oneshot::Receiver<Result<Receipt, AppError>>, AppError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job::Work(Work::One { request, reply })).map_err(|_| AppError::ShuttingDown)?;
        Ok(rx)
    }

    pub(crate) fn submit_all(
        &self,
        requests: Vec<Request>,
        expected_size: Option<u64>,
    ) -> Result<oneshot::Receiver<Result<Vec<Receipt>, BatchError>>, AppError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job::Work(Work::All { requests, expected_size, reply })).map_err(|_| AppError::ShuttingDown)?;
        Ok(rx)
    }

    pub(crate) fn control(&self, change: Control) {
        let _ = self.tx.send(Job::Control(change));
    }

    /// Waits until the writer has done every job sent before (the first leases loaded).
    pub(crate) fn settle(&self) {
        let (done, wait) = mpsc::channel();
        if self.tx.send(Job::Settle(done)).is_ok() {
            let _ = wait.recv();
        }
    }
}

/// What a batch puts back if one of its requests is refused.
enum Saved {
    /// The published state (equal to the working state when the batch began) and the frontier.
    Frontier {
        state: Arc<ProductionState>,
        tree: CompactTree,
        last_at: Timestamp,
    },
    Whole(Box<Log>),
}

/// A production's log as the writer holds it.
#[derive(Clone)]
struct Log {
    state: ProductionState,
    tree: CompactTree,
    last_at: Timestamp,
}

/// Rebuilds a production's state and Merkle frontier from its stored events.
fn load_log(store: &dyn Store, production: &ProductionId) -> Result<Log, AppError> {
    let mut log = Log { state: ProductionState::new(), tree: CompactTree::new(), last_at: Timestamp(i64::MIN) };
    store.for_each_event(production, 0, &mut |ev: StoredEvent| {
        let env = Envelope::decode(&ev.bytes)
            .map_err(|e| crate::ports::StoreError::Corrupt(format!("event {} of {production}: {e}", ev.seq)))?;
        log.state.apply(&env).map_err(|e| crate::ports::StoreError::Corrupt(format!("{production}: {e}")))?;
        log.tree.push(leaf_hash(&ev.bytes));
        log.last_at = log.last_at.max(env.at);
        Ok(())
    })?;
    Ok(log)
}

/// The production's local date at `now`. An unknown zone (checked at creation, so only a
/// damaged installation) falls back to UTC rather than refusing all work.
pub(crate) fn local_date(now: Timestamp, state: &ProductionState) -> Date {
    let zone =
        state.info.as_ref().and_then(|i| jiff::tz::TimeZone::get(&i.time_zone).ok()).unwrap_or(jiff::tz::TimeZone::UTC);
    match jiff::Timestamp::from_millisecond(now.0) {
        Ok(ts) => ts.to_zoned(zone).date(),
        Err(_) => Date::constant(1970, 1, 1),
    }
}

struct Worker {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    logs: HashMap<ProductionId, Log>,
    snapshots: Snapshots,
    heads: Arc<RwLock<HashMap<ProductionId, (u64, Hash)>>>,
    targets: Arc<RwLock<crate::notify::Targets>>,
    live: broadcast::Sender<Published>,
    metrics: Arc<crate::metrics::Metrics>,
    /// One of several nodes: which productions this node writes (with their fencing tokens).
    lead: Option<Arc<Leadership>>,
}

impl Worker {
    fn control(&mut self, change: Control) {
        let Some(lead) = self.lead.clone() else { return };
        match change {
            Control::Lead { production, token } => match load_log(self.store.as_ref(), &production) {
                Ok(log) if log.state.info.is_some() => {
                    // The log as it is now replaces whatever copy this node had (after a
                    // database failover, a copy may hold an event the log lost).
                    self.snapshots.replace(&production, Arc::new(log.state.clone()));
                    if let Ok(mut heads) = self.heads.write() {
                        heads.insert(production.clone(), (log.tree.size(), log.tree.root()));
                    }
                    self.logs.insert(production.clone(), log);
                    if let Ok(mut leading) = lead.leading.write() {
                        leading.insert(production, token);
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::error!(%production, error = %e, "cannot load a production this node now leads"),
            },
            Control::Drop { production } => self.forget(&production),
            Control::Release { production, token } => {
                self.forget(&production);
                if let Some(cluster) = self.store.cluster() {
                    if let Err(e) = cluster.release_lease(&production, lead.node(), token) {
                        tracing::warn!(%production, error = %e, "cannot give the lease up; it expires by itself");
                    }
                }
            }
        }
    }

    /// Stops writing a production: its log is no longer this node's to extend or to sign.
    fn forget(&mut self, production: &ProductionId) {
        self.logs.remove(production);
        if let Some(lead) = &self.lead {
            if let Ok(mut leading) = lead.leading.write() {
                leading.remove(production);
            }
        }
        if let Ok(mut heads) = self.heads.write() {
            heads.remove(production);
        }
    }

    /// A production this node does not write yet: one it is creating (it takes the lease
    /// first), else refused with "no leader here" (the web layer forwards writes to the
    /// leader, so this is a lease moving). Alone on its store, a production not in memory is
    /// read from the store (one another process created, or one a failed commit dropped).
    fn make_ready(&mut self, production: &ProductionId, creating: bool) -> Result<(), AppError> {
        match self.lead.clone() {
            Some(lead) if !lead.leads(production) => {
                if !creating {
                    return Err(AppError::NotLeader(production.to_string()));
                }
                let cluster = self.store.cluster().ok_or_else(|| AppError::Internal("no cluster store".into()))?;
                let Some(token) = cluster.take_lease(production, lead.node(), lead.config.lease)? else {
                    return Err(DomainError::Conflict(format!("production '{production}' already exists")).into());
                };
                self.logs.insert(production.clone(), load_log(self.store.as_ref(), production)?);
                if let Ok(mut leading) = lead.leading.write() {
                    leading.insert(production.clone(), token);
                }
            }
            Some(_) => {}
            None if !creating && !self.logs.contains_key(production) => {
                let log = load_log(self.store.as_ref(), production)?;
                if log.state.info.is_some() {
                    self.logs.insert(production.clone(), log);
                }
            }
            None => {}
        }
        Ok(())
    }

    fn process(&mut self, jobs: Vec<Work>) {
        let now = self.clock.now();
        let mut batch = CommitBatch::default();
        let mut touched: BTreeMap<ProductionId, BTreeSet<EntityRef>> = BTreeMap::new();
        let mut accepted: Vec<(oneshot::Sender<Result<Receipt, AppError>>, Receipt)> = Vec::new();
        // The idempotency key of each accepted request, by its place in `accepted`.
        let mut accepted_keys: Vec<Option<crate::IdempotencyKey>> = Vec::new();
        // Requests sent again while their first send is in this very batch (a double tap):
        // they get the first's answer once it is committed, by its place in `accepted`. The
        // writer knows what is in flight, so nobody has to poll for it.
        let mut followers: Vec<(oneshot::Sender<Result<Receipt, AppError>>, usize)> = Vec::new();
        let mut poisoned = false;
        // Whole batches accepted (imports), answered with the others once committed.
        let mut accepted_all: Vec<(BatchReply, Vec<Receipt>)> = Vec::new();
        for job in jobs {
            let (request, reply) = match job {
                Work::One { request, reply } => (request, reply),
                Work::All { requests, expected_size, reply } => {
                    match self.run_all(&requests, expected_size, now, &mut batch, &mut touched) {
                        Ok(receipts) => accepted_all.push((reply, receipts)),
                        Err(e) => {
                            if let AppError::Domain(DomainError::Denied(denial)) = &e.error {
                                self.metrics.refused(denial);
                            }
                            let _ = reply.send(Err(e));
                        }
                    }
                    continue;
                }
            };
            let job = OneJob { request, reply };
            if let Some(k) = &job.request.idempotency {
                let first = accepted_keys
                    .iter()
                    .position(|a| a.as_ref().is_some_and(|a| a.account == k.account && a.key == k.key));
                if let Some(i) = first {
                    let same = accepted_keys[i].as_ref().is_some_and(|a| a.request_hash == k.request_hash)
                        && accepted[i].1.production == job.request.production;
                    if same {
                        followers.push((job.reply, i));
                    } else {
                        let _ = job.reply.send(Err(DomainError::Conflict(
                            "this idempotency key was already used for a different request: use a new key".into(),
                        )
                        .into()));
                    }
                    continue;
                }
            }
            match self.run_one(&job.request, now, &mut batch, &mut touched) {
                Ok(receipt) => {
                    accepted.push((job.reply, receipt));
                    accepted_keys.push(job.request.idempotency.clone());
                }
                Err(e) => {
                    if let AppError::Domain(DomainError::Denied(denial)) = &e {
                        self.metrics.refused(denial);
                    }
                    if matches!(e, AppError::Internal(_)) {
                        poisoned = true;
                    }
                    let _ = job.reply.send(Err(e));
                }
            }
        }
        if accepted.is_empty() && accepted_all.is_empty() && !poisoned {
            return;
        }
        for (production, refs) in &touched {
            if let Some(log) = self.logs.get(production) {
                for r in refs {
                    if let Some(row) = log.state.row(r) {
                        batch.projections.push((production.clone(), row));
                    }
                }
            }
        }
        if let Some(lead) = &self.lead {
            let leading = lead.leading.read().map(|l| l.clone()).unwrap_or_default();
            batch.fence = Some(Fence {
                node: lead.node().to_owned(),
                leases: touched.keys().filter_map(|p| leading.get(p).map(|t| (p.clone(), *t))).collect(),
                ttl: lead.config.lease,
            });
        }
        // Measured for the operator's metrics only: nothing recorded depends on it.
        #[allow(clippy::disallowed_methods)]
        let started = std::time::Instant::now();
        let outcome = if poisoned {
            Err(AppError::Internal("a command could not be applied; nothing in its batch was recorded".into()))
        } else {
            self.store.commit(&batch).map_err(AppError::from)
        };
        match outcome {
            Ok(()) => {
                self.metrics.committed(batch.events.len() as u64, started.elapsed().as_micros() as u64);
                self.snapshots.publish_all(
                    touched.keys().filter_map(|p| self.logs.get(p).map(|log| (p.clone(), Arc::new(log.state.clone())))),
                );
                if let Ok(mut heads) = self.heads.write() {
                    for production in touched.keys() {
                        if let Some(log) = self.logs.get(production) {
                            heads.insert(production.clone(), (log.tree.size(), log.tree.root()));
                        }
                    }
                }
                for (reply, i) in followers {
                    let mut first = accepted[i].1.clone();
                    first.replayed = true;
                    let _ = reply.send(Ok(first));
                }
                for (reply, receipt) in accepted {
                    for env in &receipt.events {
                        let _ = self.live.send(Published {
                            production: receipt.production.clone(),
                            envelope: Arc::new(env.clone()),
                        });
                    }
                    let _ = reply.send(Ok(receipt));
                }
                for (reply, receipts) in accepted_all {
                    for receipt in &receipts {
                        for env in &receipt.events {
                            let _ = self.live.send(Published {
                                production: receipt.production.clone(),
                                envelope: Arc::new(env.clone()),
                            });
                        }
                    }
                    let _ = reply.send(Ok(receipts));
                }
            }
            Err(e) => {
                self.metrics.commit_failed();
                match (&self.lead, &e) {
                    (Some(_), AppError::Store(crate::ports::StoreError::LeaseLost(_))) => {
                        tracing::warn!(error = %e, "commit refused: a lease moved; this node stops writing its productions")
                    }
                    (Some(_), _) => {
                        tracing::error!(error = %e, "commit failed; this node stops writing its productions until it takes them again")
                    }
                    (None, _) => tracing::error!(error = %e, "commit failed; reloading the productions involved"),
                }
                for (reply, _) in accepted {
                    let _ = reply.send(Err(e.clone()));
                }
                for (reply, _) in followers {
                    let _ = reply.send(Err(e.clone()));
                }
                for (reply, _) in accepted_all {
                    let _ = reply.send(Err(BatchError { index: None, error: e.clone() }));
                }
                // The working state ran ahead of what is durable: put it back. One of several
                // nodes, stop writing these productions: the lease keeper takes them again
                // (if still this node's) and loads them from the log as it is now.
                if self.lead.is_some() {
                    for production in touched.keys() {
                        self.forget(production);
                    }
                    return;
                }
                for production in touched.keys() {
                    match load_log(self.store.as_ref(), production) {
                        Ok(log) if log.state.info.is_some() => {
                            self.logs.insert(production.clone(), log);
                        }
                        Ok(_) => {
                            self.logs.remove(production);
                        }
                        Err(err) => {
                            tracing::error!(error = %err, %production, "cannot reload production");
                            self.logs.remove(production);
                        }
                    }
                }
            }
        }
    }

    /// Decides a whole batch in order, each request against the state the ones before it
    /// left; on the first refusal, the working state, the tree and this commit's batch are put
    /// back as they were, so nothing of it is recorded. All requests are of one production.
    fn run_all(
        &mut self,
        requests: &[Request],
        expected_size: Option<u64>,
        now: Timestamp,
        batch: &mut CommitBatch,
        touched: &mut BTreeMap<ProductionId, BTreeSet<EntityRef>>,
    ) -> Result<Vec<Receipt>, BatchError> {
        let whole = |error: AppError| BatchError { index: None, error };
        let Some(production) = requests.first().map(|r| r.production.clone()) else { return Ok(Vec::new()) };
        if requests.iter().any(|r| r.production != production || matches!(r.command, Command::CreateProduction { .. }))
        {
            return Err(whole(AppError::Internal("a batch is of one existing production".into())));
        }
        self.make_ready(&production, false).map_err(whole)?;
        let log =
            self.logs.get(&production).ok_or_else(|| whole(AppError::UnknownProduction(production.to_string())))?;
        // What to put back on a refusal. Untouched by this commit so far, the working state
        // is the published one, so only the frontier is copied and the state is taken from
        // the snapshot if needed: no copy of a large production's state on the way that
        // succeeds. Otherwise (another request of this commit changed it) the whole log.
        let published = self.snapshots.state(&production);
        let saved = match published {
            Some(state) if !touched.contains_key(&production) && state.next_seq() == log.state.next_seq() => {
                Saved::Frontier { state, tree: log.tree.clone(), last_at: log.last_at }
            }
            _ => Saved::Whole(Box::new(log.clone())),
        };
        if let Some(size) = expected_size {
            if log.tree.size() != size {
                return Err(whole(
                    DomainError::Conflict(format!(
                        "the production changed since these rows were checked (log at {size} events, now {}): check them again",
                        log.tree.size()
                    ))
                    .into(),
                ));
            }
        }
        let marks = (
            batch.productions.len(),
            batch.events.len(),
            batch.nodes.len(),
            batch.projections.len(),
            batch.idempotency.len(),
            batch.outbox.len(),
            batch.attachments.len(),
        );
        let saved_touched = touched.get(&production).cloned();
        let mut receipts = Vec::with_capacity(requests.len());
        for (i, request) in requests.iter().enumerate() {
            match self.run_one(request, now, batch, touched) {
                Ok(receipt) => receipts.push(receipt),
                Err(error) => {
                    let log = match saved {
                        Saved::Whole(log) => *log,
                        Saved::Frontier { state, tree, last_at } => Log { state: (*state).clone(), tree, last_at },
                    };
                    self.logs.insert(production.clone(), log);
                    batch.productions.truncate(marks.0);
                    batch.events.truncate(marks.1);
                    batch.nodes.truncate(marks.2);
                    batch.projections.truncate(marks.3);
                    batch.idempotency.truncate(marks.4);
                    batch.outbox.truncate(marks.5);
                    batch.attachments.truncate(marks.6);
                    match saved_touched {
                        Some(refs) => {
                            touched.insert(production.clone(), refs);
                        }
                        None => {
                            touched.remove(&production);
                        }
                    }
                    return Err(BatchError { index: Some(i), error });
                }
            }
        }
        Ok(receipts)
    }

    fn run_one(
        &mut self,
        request: &Request,
        now: Timestamp,
        batch: &mut CommitBatch,
        touched: &mut BTreeMap<ProductionId, BTreeSet<EntityRef>>,
    ) -> Result<Receipt, AppError> {
        let production = &request.production;
        if let Some(k) = &request.idempotency {
            if let Some(receipt) = replayed(self.store.as_ref(), production, k)? {
                return Ok(receipt);
            }
        }
        for a in &request.attachments {
            if crate::access::hash_bytes(&a.bytes) != a.hash {
                return Err(DomainError::Invalid {
                    field: "attachments".into(),
                    message: "a file does not match its hash".into(),
                }
                .into());
            }
        }
        let creating = matches!(request.command, Command::CreateProduction { .. });
        if let Command::CreateProduction { id, time_zone, .. } = &request.command {
            if id != production {
                return Err(DomainError::Invalid {
                    field: "id".into(),
                    message: "the production id must match the request's production".into(),
                }
                .into());
            }
            if !crate::valid_time_zone(time_zone.trim()) {
                return Err(DomainError::Invalid {
                    field: "time_zone".into(),
                    message: format!("'{time_zone}' is not a known time zone (use an IANA name like America/Denver)"),
                }
                .into());
            }
        }
        self.make_ready(production, creating)?;
        if !self.logs.contains_key(production) {
            if !creating {
                return Err(AppError::UnknownProduction(production.to_string()));
            }
            self.logs.insert(
                production.clone(),
                Log { state: ProductionState::new(), tree: CompactTree::new(), last_at: Timestamp(i64::MIN) },
            );
        }
        let log = self.logs.get_mut(production).ok_or_else(|| AppError::UnknownProduction(production.to_string()))?;
        if let (Some(expected), Some(target)) = (request.expected_version, request.command.primary_target()) {
            let current = log.state.version_of(&target);
            if current != Some(expected) {
                return Err(DomainError::Conflict(format!(
                    "the record changed since you looked at it (you saw version {expected}, it is now at {}): reload and try again",
                    current.map_or("nothing".to_owned(), |v| v.to_string())
                ))
                .into());
            }
        }
        // Files belong to the production whose log names them: a command may name only files
        // sent with it or already named by this production's reports. Otherwise a hash seen
        // elsewhere (another production's photo) could be attached here and read back.
        if let Command::FileReport { photos, .. } = &request.command {
            let known = |h: &String| {
                request.attachments.iter().any(|a| a.hash.eq_ignore_ascii_case(h))
                    || log.state.reporting.reports.values().any(|r| r.photos.iter().any(|p| p.eq_ignore_ascii_case(h)))
            };
            if !photos.iter().all(known) {
                return Err(DomainError::Invalid {
                    field: "photos".into(),
                    message: "a photo must be sent with the report: a file of another production cannot be attached"
                        .into(),
                }
                .into());
            }
        }
        let ctx = Context { now, today: local_date(now, &log.state), attested: request.attested.clone() };
        let events = match decide(&log.state, &ctx, &request.actor, &request.command) {
            Ok(events) => events,
            Err(e) => {
                if creating && log.state.info.is_none() {
                    self.forget(production);
                }
                return Err(e.into());
            }
        };
        // Log times never run backwards, even if the system clock does.
        let at = now.max(log.last_at);
        let mut recorded = Vec::with_capacity(events.len());
        for event in events {
            let env = Envelope {
                v: coldset_domain::events::ENCODING_VERSION,
                production: production.clone(),
                seq: log.state.next_seq(),
                at,
                actor: request.actor.clone(),
                event,
                auth: request.auth.clone(),
            };
            let refs = log.state.apply(&env).map_err(|e| AppError::Internal(e.to_string()))?;
            touched.entry(production.clone()).or_default().extend(refs);
            let bytes = env.encode();
            let leaf = leaf_hash(&bytes);
            log.tree.append_with(leaf, |node| {
                // Level 0 is the leaf hash, already stored with the event.
                if node.level > 0 {
                    batch.nodes.push(StoredNode {
                        production: production.clone(),
                        level: node.level,
                        index: node.index,
                        hash: node.hash,
                    });
                }
            });
            if let coldset_domain::Event::ProductionCreated { name, .. } = &env.event {
                batch.productions.push(ProductionRecord { id: production.clone(), name: name.clone(), created_at: at });
            }
            batch.events.push(StoredEvent {
                production: production.clone(),
                seq: env.seq,
                kind: env.event.kind().to_owned(),
                at,
                bytes,
                leaf_hash: leaf,
            });
            if let Ok(targets) = self.targets.read() {
                batch.outbox.extend(crate::notify::items_for(&targets, production, &log.state, &env, now));
            }
            recorded.push(env);
        }
        log.last_at = at;
        batch.attachments.extend(request.attachments.iter().cloned());
        if let Some(k) = &request.idempotency {
            batch.idempotency.push(IdempotencyRecord {
                account: k.account.clone(),
                key: k.key.clone(),
                production: production.clone(),
                request_hash: k.request_hash.clone(),
                seqs: recorded.iter().map(|e| e.seq.to_string()).collect::<Vec<_>>().join(","),
            });
        }
        Ok(Receipt { production: production.clone(), events: recorded, replayed: false })
    }
}

/// The receipt of a request already recorded under this idempotency key, if there is one;
/// a key used before for another request is refused.
pub(crate) fn replayed(
    store: &dyn Store,
    production: &ProductionId,
    k: &IdempotencyKey,
) -> Result<Option<Receipt>, AppError> {
    let Some(done) = store.idempotency(&k.account, &k.key)? else { return Ok(None) };
    if done.request_hash != k.request_hash || &done.production != production {
        return Err(DomainError::Conflict(
            "this idempotency key was already used for a different request: use a new key".into(),
        )
        .into());
    }
    let mut events = Vec::new();
    for seq in done.seqs.split(',').filter(|s| !s.is_empty()) {
        let seq: u64 = seq.parse().map_err(|_| AppError::Internal(format!("bad idempotency record '{seq}'")))?;
        let stored = store
            .event(&done.production, seq)?
            .ok_or_else(|| AppError::Internal(format!("idempotency record names missing event {seq}")))?;
        events.push(Envelope::decode(&stored.bytes).map_err(|e| AppError::Internal(e.to_string()))?);
    }
    Ok(Some(Receipt { production: done.production.clone(), events, replayed: true }))
}
