//! Sends of one form under one idempotency key that are being handled right now, so a
//! second send (a double tap) waits for the first one's answer instead of asking the
//! database again and again.
//!
//! The writer already answers a repeated key that reaches it (it knows what is in its
//! batch), and a key recorded before is answered from the store. What neither sees is a
//! send that never reaches the writer: a step confirmed with a passkey proves the person
//! with the answer to one single-use challenge, so of two sends of a double tap only one
//! gets past the proof; the other is refused there while the first is being recorded.
//! Each send joins its key here before its proof is checked; the one whose proof passes
//! becomes the key's runner and tells the others how it ended; one whose proof fails
//! waits for that (or learns at once that no send of the key got through).

use crate::writer::{IdempotencyKey, Receipt};
use coldset_domain::ids::ProductionId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;

/// How the key's runner ended: `None` while undecided; then its receipt, or nothing recorded.
type Outcome = Option<Option<Receipt>>;

type Slot = (String, String, String);

struct Entry {
    outcome: watch::Sender<Outcome>,
    /// Sends of the key still in progress (joined and not yet gone).
    sends: usize,
    /// Sends whose proof is not checked yet.
    undecided: usize,
    running: bool,
}

/// Says that no send of the key recorded anything, unless its outcome is already known.
fn settle_as_nothing(outcome: &watch::Sender<Outcome>) {
    outcome.send_if_modified(|o| {
        if o.is_some() {
            return false;
        }
        *o = Some(None);
        true
    });
}

type Claims = Arc<Mutex<HashMap<Slot, Entry>>>;

fn lock(claims: &Claims) -> MutexGuard<'_, HashMap<Slot, Entry>> {
    claims.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The keys of sends in progress (an entry lives while one of its sends does).
#[derive(Default, Clone)]
pub struct InFlight {
    claims: Claims,
}

impl InFlight {
    /// Joins `key` for a send of `production` that starts now, before its proof is checked.
    pub fn join(&self, production: &ProductionId, key: &IdempotencyKey) -> Sending {
        let slot = (production.to_string(), key.account.clone(), key.key.clone());
        let mut claims = lock(&self.claims);
        let entry = claims.entry(slot.clone()).or_insert_with(|| Entry {
            outcome: watch::channel(None).0,
            sends: 0,
            undecided: 0,
            running: false,
        });
        entry.sends += 1;
        entry.undecided += 1;
        Sending { claims: self.claims.clone(), slot, decided: false, ran: false, finished: false }
    }
}

/// One send of a key, from before its proof is checked until it is answered.
pub struct Sending {
    claims: Claims,
    slot: Slot,
    decided: bool,
    ran: bool,
    finished: bool,
}

impl Sending {
    /// Its proof passed: it will be decided by the writer; the others wait for it.
    pub fn authorized(&mut self) {
        let mut claims = lock(&self.claims);
        if let Some(entry) = claims.get_mut(&self.slot) {
            if !self.decided {
                entry.undecided -= 1;
            }
            entry.running = true;
        }
        self.decided = true;
        self.ran = true;
    }

    /// It was recorded: the sends waiting on it are answered with this receipt.
    pub fn finish(&mut self, receipt: &Receipt) {
        if let Some(entry) = lock(&self.claims).get(&self.slot) {
            entry.outcome.send_replace(Some(Some(Receipt { replayed: true, ..receipt.clone() })));
        }
        self.finished = true;
    }

    /// Its proof failed. If another send of the key got through, that send's receipt once
    /// it is recorded (marked as replayed: nothing new was recorded for this one); `None`
    /// if none did, if it recorded nothing, or if it took longer than `limit`.
    pub async fn answer_of_another(mut self, limit: Duration) -> Option<Receipt> {
        let mut receiver = {
            let mut claims = lock(&self.claims);
            let entry = claims.get_mut(&self.slot)?;
            if !self.decided {
                entry.undecided -= 1;
                self.decided = true;
            }
            if !entry.running && entry.undecided == 0 {
                // Every send of the key has been checked and none got through.
                settle_as_nothing(&entry.outcome);
            }
            entry.outcome.subscribe()
        };
        let outcome = match tokio::time::timeout(limit, receiver.wait_for(Option::is_some)).await {
            Ok(Ok(outcome)) => outcome.clone().flatten(),
            _ => None,
        };
        outcome
    }
}

impl Drop for Sending {
    fn drop(&mut self) {
        let mut claims = lock(&self.claims);
        let Some(entry) = claims.get_mut(&self.slot) else { return };
        if !self.decided {
            entry.undecided -= 1;
        }
        // A runner that was refused or failed recorded nothing; a send that goes without
        // being checked leaves the others to decide when it was the last one undecided.
        let nothing = (self.ran && !self.finished) || (!entry.running && entry.undecided == 0);
        if nothing {
            settle_as_nothing(&entry.outcome);
        }
        entry.sends -= 1;
        if entry.sends == 0 {
            claims.remove(&self.slot);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn key(k: &str) -> IdempotencyKey {
        IdempotencyKey { account: "maria".into(), key: k.into(), request_hash: "h".into() }
    }

    fn receipt(p: &ProductionId) -> Receipt {
        Receipt { production: p.clone(), events: Vec::new(), replayed: false }
    }

    #[tokio::test]
    async fn a_send_refused_at_its_proof_gets_the_receipt_of_the_send_that_got_through() {
        let inflight = InFlight::default();
        let p = ProductionId::parse("dead-river").unwrap();
        // Two sends join in one order; the second's proof is the one that passes.
        let first = inflight.join(&p, &key("tap"));
        let mut second = inflight.join(&p, &key("tap"));
        second.authorized();
        let waiting = tokio::spawn(first.answer_of_another(Duration::from_secs(5)));
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "it waits while the other is being recorded");
        second.finish(&receipt(&p));
        let answer = waiting.await.unwrap().expect("the recorded send's receipt");
        assert!(answer.replayed, "the refused send recorded nothing of its own");
        drop(second);
        assert!(lock(&inflight.claims).is_empty(), "the key is forgotten once its sends are answered");
    }

    #[tokio::test]
    async fn other_keys_and_other_productions_are_other_forms() {
        let inflight = InFlight::default();
        let p = ProductionId::parse("dead-river").unwrap();
        let mut running = inflight.join(&p, &key("tap"));
        running.authorized();
        let other_key = inflight.join(&p, &key("other"));
        let other_production = inflight.join(&ProductionId::parse("other-film").unwrap(), &key("tap"));
        assert!(other_key.answer_of_another(Duration::from_secs(5)).await.is_none());
        assert!(other_production.answer_of_another(Duration::from_secs(5)).await.is_none());
    }

    #[tokio::test]
    async fn no_wait_when_no_send_got_through_or_the_one_that_did_recorded_nothing() {
        let inflight = InFlight::default();
        let p = ProductionId::parse("dead-river").unwrap();
        let started = tokio::time::Instant::now();
        // Both proofs fail (a wrong passkey): neither waits for the other.
        let (a, b) = (inflight.join(&p, &key("both")), inflight.join(&p, &key("both")));
        let (a, b) =
            tokio::join!(a.answer_of_another(Duration::from_secs(5)), b.answer_of_another(Duration::from_secs(5)));
        assert!(a.is_none() && b.is_none());
        // The one that got through was refused by the rules: the other learns it at once.
        let mut runner = inflight.join(&p, &key("refused"));
        let other = inflight.join(&p, &key("refused"));
        runner.authorized();
        let waiting = tokio::spawn(other.answer_of_another(Duration::from_secs(5)));
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(runner);
        assert!(waiting.await.unwrap().is_none());
        assert!(started.elapsed() < Duration::from_secs(2), "no send waited out its limit");
    }
}
