//! Several coldset nodes on one PostgreSQL database (a studio's deployment, docs/cluster.md).
//!
//! Each production is written by exactly one node at a time: the one holding its lease in
//! the database ([`crate::ports::Cluster`]). The lease carries a fencing token that every
//! commit checks in its own transaction, so a node that lost a lease (a pause, a partition)
//! cannot append to that log even if it does not know yet. Two threads per node:
//!
//! - the lease keeper: every half second it marks the node alive, renews its leases, tells
//!   the writer which productions it gained or lost, takes the leases nobody holds (up to a
//!   fair share of the productions, or any left without a writer), and hands surplus
//!   productions to nodes with fewer;
//! - the follower: every production this node does not write is kept current from the log
//!   (PostgreSQL's `NOTIFY` at each commit, and a look at every log's size each second), so
//!   every node serves reads.
//!
//! Timings are the database's clock, never a node's.

use crate::ports::{Cluster, Store, StoreError};
use crate::writer::{Control, Writer};
use coldset_domain::ids::ProductionId;
use coldset_domain::{Envelope, ProductionState};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

/// How this node takes part.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// The address other nodes reach this node at (`http://10.0.0.5:8080`): its name in the
    /// database, and where they forward the writes of the productions it leads.
    pub url: String,
    /// How long a lease lasts without renewal: the longest a production is without a
    /// writer after its node dies (plus one round of the keeper).
    pub lease: Duration,
    /// How often leases are renewed and free ones looked for.
    pub round: Duration,
}

impl NodeConfig {
    pub fn new(url: impl Into<String>) -> NodeConfig {
        NodeConfig { url: url.into(), lease: Duration::from_secs(2), round: Duration::from_millis(500) }
    }
}

/// Who writes what, as this node knows it.
#[derive(Debug)]
pub struct Leadership {
    pub(crate) config: NodeConfig,
    /// The productions this node's writer writes, with the token of each lease (the writer
    /// keeps it, on each lead and drop).
    pub(crate) leading: RwLock<HashMap<ProductionId, u64>>,
    /// The node that writes each production, as the last round read it.
    leaders: RwLock<HashMap<ProductionId, String>>,
}

/// Where a production's writes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leader {
    /// This node writes it.
    Here,
    /// Another node, at this address.
    At(String),
    /// Nobody, at this moment (its lease is moving).
    Nobody,
}

impl Leadership {
    pub(crate) fn new(config: NodeConfig) -> Leadership {
        Leadership { config, leading: RwLock::new(HashMap::new()), leaders: RwLock::new(HashMap::new()) }
    }

    pub fn node(&self) -> &str {
        &self.config.url
    }

    pub(crate) fn leads(&self, production: &ProductionId) -> bool {
        self.leading.read().is_ok_and(|l| l.contains_key(production))
    }

    pub fn leader(&self, production: &ProductionId) -> Leader {
        if self.leads(production) {
            return Leader::Here;
        }
        match self.leaders.read().ok().and_then(|l| l.get(production).cloned()) {
            Some(node) if node != self.config.url => Leader::At(node),
            _ => Leader::Nobody,
        }
    }

    fn leading_now(&self) -> HashMap<ProductionId, u64> {
        self.leading.read().map(|l| l.clone()).unwrap_or_default()
    }
}

/// The lease keeper's memory between rounds.
#[derive(Default)]
struct Keeper {
    /// Productions seen without a valid lease, and for how many rounds.
    unled: HashMap<ProductionId, u32>,
    /// Leases taken and handed to the writer, not yet loaded by it (a long log takes more
    /// than a round to load): the token, and for how many rounds it has waited.
    pending: HashMap<ProductionId, (u64, u32)>,
}

/// Rounds a lease handed to the writer may wait for it to load the production before the
/// keeper hands it again (the load failed: the log could not be read).
const LOAD_ROUNDS: u32 = 120;

impl Keeper {
    /// One round; errors (the database unreachable) are the caller's to log: the fencing in
    /// each commit keeps the log safe meanwhile.
    fn round(
        &mut self,
        store: &dyn Store,
        cluster: &dyn Cluster,
        lead: &Leadership,
        writer: &Writer,
    ) -> Result<(), StoreError> {
        let cfg = &lead.config;
        let node = cfg.url.as_str();
        let live = cluster.heartbeat(node, cfg.lease)?;
        let held: HashMap<ProductionId, u64> = cluster.renew_leases(node, cfg.lease)?.into_iter().collect();
        let productions: Vec<ProductionId> = store.productions()?.into_iter().map(|p| p.id).collect();
        // Read after the renewal: a production the writer is creating right now holds its
        // lease before it is listed, and is in `leading` by then.
        let leading = lead.leading_now();
        // Lost (expired, or taken after a pause): the writer stops writing it.
        for (p, token) in &leading {
            if held.get(p) != Some(token) {
                tracing::warn!(production = %p, "lease lost: this node stops writing it");
                writer.control(Control::Drop { production: p.clone() });
            }
        }
        // Held but not written (the writer dropped it after a failed commit, or could not load
        // it): taken again, with a new token, and loaded again from the log. Only productions
        // that exist: a lease of a creation that was refused is left to expire.
        self.pending.retain(|p, (token, rounds)| {
            *rounds += 1;
            held.get(p) == Some(token) && !leading.contains_key(p) && *rounds <= LOAD_ROUNDS
        });
        let mut changed = !self.pending.is_empty();
        let idle: Vec<ProductionId> = held
            .keys()
            .filter(|p| !leading.contains_key(*p) && !self.pending.contains_key(*p) && productions.contains(p))
            .cloned()
            .collect();
        for p in &idle {
            if let Some(token) = cluster.take_lease(p, node, cfg.lease)? {
                writer.control(Control::Lead { production: p.clone(), token });
                self.pending.insert(p.clone(), (token, 0));
                changed = true;
            }
        }
        let leases = cluster.leases()?;
        let valid: HashMap<&ProductionId, &str> =
            leases.iter().filter(|l| l.valid).map(|l| (&l.production, l.node.as_str())).collect();
        let fair = productions.len().div_ceil(live.len().max(1));
        let mut mine = held.len();
        let unled: HashSet<&ProductionId> = productions.iter().filter(|p| !valid.contains_key(p)).collect();
        self.unled.retain(|p, _| unled.contains(p));
        for p in unled {
            let rounds = self.unled.entry(p.clone()).or_insert(0);
            *rounds += 1;
            // Up to a fair share at once; beyond it, only a production left without a writer
            // for a whole round (so the nodes with fewer take it first).
            if mine < fair || *rounds > 1 {
                if let Some(token) = cluster.take_lease(p, node, cfg.lease)? {
                    tracing::info!(production = %p, token, "lease taken: this node writes it");
                    writer.control(Control::Lead { production: p.clone(), token });
                    self.pending.insert(p.clone(), (token, 0));
                    mine += 1;
                    changed = true;
                    self.unled.remove(p);
                }
            }
        }
        // More than a fair share while a live node has fewer: hand one over per round.
        let mut counts: HashMap<&str, usize> = live.iter().map(|n| (n.as_str(), 0)).collect();
        for n in valid.values() {
            if let Some(c) = counts.get_mut(n) {
                *c += 1;
            }
        }
        // Only in a quiet round, and only a production the writer writes under the token it
        // holds: one taken again this round has a new token the release would not match.
        let settled = held.iter().filter(|(p, t)| leading.get(*p) == Some(*t));
        if !changed && mine > fair && counts.iter().any(|(n, c)| *n != node && *c < fair) {
            if let Some((p, token)) = settled.max_by(|a, b| a.0.cmp(b.0)) {
                tracing::info!(production = %p, "handing a production to a node with fewer");
                writer.control(Control::Release { production: p.clone(), token: *token });
            }
        }
        if let Ok(mut leaders) = lead.leaders.write() {
            leaders.clear();
            for l in leases.iter().filter(|l| l.valid) {
                leaders.insert(l.production.clone(), l.node.clone());
            }
        }
        Ok(())
    }
}

/// Runs the lease keeper until the application is dropped. The first round runs before
/// this returns, so a node that starts alone writes at once.
pub(crate) fn start_keeper(
    alive: Weak<()>,
    store: Arc<dyn Store>,
    lead: Arc<Leadership>,
    writer: Writer,
) -> Result<(), crate::AppError> {
    let mut keeper = Keeper::default();
    {
        let cluster = store.cluster().ok_or_else(|| crate::AppError::Internal("the store has no cluster".into()))?;
        keeper.round(store.as_ref(), cluster, &lead, &writer)?;
    }
    writer.settle();
    std::thread::Builder::new()
        .name("coldset-leases".into())
        .spawn(move || loop {
            std::thread::sleep(lead.config.round);
            if alive.upgrade().is_none() {
                break;
            }
            let Some(cluster) = store.cluster() else { break };
            if let Err(e) = keeper.round(store.as_ref(), cluster, &lead, &writer) {
                tracing::warn!(error = %e, "lease round failed; leases are checked again in a moment");
            }
        })
        .map(|_| ())
        .map_err(|e| crate::AppError::Internal(format!("cannot start the lease keeper: {e}")))
}

/// Keeps the states of the productions this node does not write current from the log.
pub(crate) struct Follower {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) lead: Arc<Leadership>,
    pub(crate) published: crate::snapshots::Snapshots,
    /// The live feed (the board): events another node wrote reach this node's watchers too.
    pub(crate) live: tokio::sync::broadcast::Sender<crate::Published>,
    /// The leaf hash of the last event applied to each copy. A commit is visible to other
    /// sessions a moment before the synchronous standby has it; if the primary dies then,
    /// the promoted standby lacks that event and the next one takes its number. Each
    /// catch-up reads the last applied event again and starts the copy over if it changed.
    pub(crate) last_leaf: HashMap<ProductionId, coldset_ledger::Hash>,
}

impl Follower {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        lead: Arc<Leadership>,
        published: crate::snapshots::Snapshots,
        live: tokio::sync::broadcast::Sender<crate::Published>,
    ) -> Follower {
        Follower { store, lead, published, live, last_leaf: HashMap::new() }
    }

    /// Brings every production (or those of `only`) this node does not write up to the log.
    pub(crate) fn catch_up(&mut self, only: Option<&[ProductionId]>) -> Result<(), StoreError> {
        let Some(cluster) = self.store.cluster() else { return Ok(()) };
        let wanted: Vec<(ProductionId, u64)> = match only {
            None => cluster.log_sizes()?,
            Some(ids) => ids.iter().map(|p| (p.clone(), u64::MAX)).collect(),
        };
        for (p, size) in wanted {
            if self.lead.leads(&p) {
                // The writer's copy is the one published; this one starts over when needed.
                self.last_leaf.remove(&p);
                continue;
            }
            let current = self.published.state(&p);
            let have = current.as_ref().map_or(0, |s| s.next_seq());
            if size != u64::MAX && have == size {
                continue;
            }
            // A copy this follower did not make (the writer's, before the lease moved away)
            // is taken as it is: the writer published it once its commit had returned.
            let known = self.last_leaf.get(&p).copied().filter(|_| have > 0);
            let mut state = current.as_deref().cloned().unwrap_or_else(ProductionState::new);
            let from = if known.is_some() { have - 1 } else { have };
            let mut read = Vec::new();
            let mut diverged = false;
            let mut saw_last = false;
            self.store
                .for_each_event(&p, from, &mut |ev| {
                    if ev.seq < have {
                        // The last event applied: still the same?
                        saw_last = true;
                        if Some(ev.leaf_hash) != known {
                            diverged = true;
                            return Err(StoreError::Conflict("diverged".into()));
                        }
                        return Ok(());
                    }
                    let env = Envelope::decode(&ev.bytes)
                        .map_err(|e| StoreError::Corrupt(format!("event {} of {p}: {e}", ev.seq)))?;
                    state.apply(&env).map_err(|e| StoreError::Corrupt(format!("{p}: {e}")))?;
                    self.last_leaf.insert(p.clone(), ev.leaf_hash);
                    read.push(env);
                    Ok(())
                })
                .or_else(|e| if diverged { Ok(()) } else { Err(e) })?;
            // The last event applied is gone: the log is shorter than the copy.
            diverged |= known.is_some() && !saw_last;
            if diverged {
                tracing::warn!(production = %p, "the log changed under this node's copy (a database failover): reading it again");
                let mut fresh = ProductionState::new();
                let mut last = None;
                self.store.for_each_event(&p, 0, &mut |ev| {
                    let env = Envelope::decode(&ev.bytes)
                        .map_err(|e| StoreError::Corrupt(format!("event {} of {p}: {e}", ev.seq)))?;
                    fresh.apply(&env).map_err(|e| StoreError::Corrupt(format!("{p}: {e}")))?;
                    last = Some(ev.leaf_hash);
                    Ok(())
                })?;
                match last {
                    Some(leaf) => {
                        self.last_leaf.insert(p.clone(), leaf);
                    }
                    None => {
                        self.last_leaf.remove(&p);
                    }
                }
                self.published.replace(&p, Arc::new(fresh));
                continue;
            }
            if !read.is_empty() && state.info.is_some() {
                self.published.publish(&p, Arc::new(state));
                for env in read {
                    let _ = self.live.send(crate::Published { production: p.clone(), envelope: Arc::new(env) });
                }
            }
        }
        Ok(())
    }
}

/// Runs the follower until the application is dropped.
pub(crate) fn start_follower(alive: Weak<()>, mut follower: Follower) -> Result<(), crate::AppError> {
    std::thread::Builder::new()
        .name("coldset-follower".into())
        .spawn(move || {
            // Measured against the last full look only: nothing recorded depends on it.
            #[allow(clippy::disallowed_methods)]
            let mut last_full = std::time::Instant::now();
            loop {
                if alive.upgrade().is_none() {
                    break;
                }
                let Some(cluster) = follower.store.cluster() else { break };
                let outcome = match cluster.wait_for_commits(Duration::from_millis(500)) {
                    Ok(grown) if !grown.is_empty() => follower.catch_up(Some(&grown)),
                    Ok(_) => Ok(()),
                    Err(e) => {
                        std::thread::sleep(Duration::from_millis(500));
                        Err(e)
                    }
                };
                if let Err(e) = outcome {
                    tracing::warn!(error = %e, "following the log failed; trying again");
                }
                // Notices can be missed (a reconnection): every second, every log's size.
                if last_full.elapsed() >= Duration::from_secs(1) {
                    #[allow(clippy::disallowed_methods)]
                    {
                        last_full = std::time::Instant::now();
                    }
                    if let Err(e) = follower.catch_up(None) {
                        tracing::warn!(error = %e, "following the log failed; trying again");
                    }
                }
            }
        })
        .map(|_| ())
        .map_err(|e| crate::AppError::Internal(format!("cannot start the follower: {e}")))
}
