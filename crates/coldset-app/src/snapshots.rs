//! The committed state of every production, as readers see it: swapped whole (an `Arc`) by
//! the writer after each commit and, on a node that does not write a production, by the
//! follower (cluster.rs). A state never moves backwards: of two publications, the one
//! further along the log stays, whoever made it.

use coldset_domain::ids::ProductionId;
use coldset_domain::ProductionState;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

#[derive(Clone)]
pub(crate) struct Snapshots {
    states: Arc<RwLock<HashMap<ProductionId, Arc<ProductionState>>>>,
    /// Bumped at each publication, so a read that asked for a position waits without polling.
    changed: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Default for Snapshots {
    fn default() -> Self {
        Snapshots { states: Arc::default(), changed: Arc::new(tokio::sync::watch::channel(0).0) }
    }
}

impl Snapshots {
    pub(crate) fn state(&self, production: &ProductionId) -> Option<Arc<ProductionState>> {
        self.states.read().ok()?.get(production).cloned()
    }

    pub(crate) fn ids(&self) -> Vec<ProductionId> {
        let mut ids: Vec<ProductionId> = match self.states.read() {
            Ok(map) => map.keys().cloned().collect(),
            Err(_) => Vec::new(),
        };
        ids.sort();
        ids
    }

    /// Publishes `state` unless a state further along is already there.
    pub(crate) fn publish(&self, production: &ProductionId, state: Arc<ProductionState>) {
        self.publish_all([(production.clone(), state)]);
    }

    pub(crate) fn publish_all(&self, states: impl IntoIterator<Item = (ProductionId, Arc<ProductionState>)>) {
        if let Ok(mut map) = self.states.write() {
            for (p, state) in states {
                match map.get(&p) {
                    Some(have) if have.next_seq() > state.next_seq() => {}
                    _ => {
                        map.insert(p, state);
                    }
                }
            }
        }
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Publishes `state` even if the one there is further along: a production loaded again
    /// from the log after a database failover, where the log is the truth.
    pub(crate) fn replace(&self, production: &ProductionId, state: Arc<ProductionState>) {
        if let Ok(mut map) = self.states.write() {
            map.insert(production.clone(), state);
        }
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The log size of the published state of `production`.
    pub(crate) fn position(&self, production: &ProductionId) -> Option<u64> {
        self.state(production).map(|s| s.next_seq())
    }

    /// Waits until the published state of `production` has at least `position` events, up to
    /// `timeout`; whether it got there.
    pub(crate) async fn wait_for(&self, production: &ProductionId, position: u64, timeout: Duration) -> bool {
        let mut changes = self.changed.subscribe();
        let reached = async {
            loop {
                if self.position(production).is_some_and(|n| n >= position) {
                    return;
                }
                if changes.changed().await.is_err() {
                    // The sender lives as long as the application: never in practice.
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::time::timeout(timeout, reached).await.is_ok()
    }
}
