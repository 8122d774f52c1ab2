//! Recent answers of the gate query, kept serialised.
//!
//! A gate answer is a pure function of the production's committed state, the clock and the
//! question. Boards, phones and integrations ask the same questions again and again between
//! two events, so the API keeps each answer it wrote and sends it again while
//! - the production's state is the same one (same last event: any recorded event, in this
//!   process, replaces the state and so drops every answer of that production), and
//! - it is younger than [`MAX_AGE_MS`]. The clock-driven rules (an open day, a pre-use check's
//!   time-out, credential expiry) work in minutes and dates, so an answer is at most one
//!   second behind the clock.
//!
//! The memo never decides anything: the hand-off itself is decided afresh in the write path
//! (`App::execute`), whatever this query said. Who may ask is checked on every request,
//! before the memo is read, and an answer holds nothing specific to who asked.
//! Only successful answers are kept, keyed by the exact query text, so a reused answer is one
//! whose query was parsed and evaluated.

use axum::body::Bytes;
use coldset_domain::Timestamp;
use std::collections::HashMap;
use std::sync::Mutex;

/// How long an answer is reused at most.
pub(crate) const MAX_AGE_MS: i64 = 1_000;

/// Bytes of answers kept at most, over every production (a full refusal is about 2 KB); the
/// memo is emptied when a new answer would pass it. Questions spelled in many ways (the query
/// text is the key) can fill it, but never grow the server past this.
const MAX_BYTES: usize = 2 << 20;

#[derive(Debug, Default)]
pub(crate) struct GateMemo {
    inner: Mutex<Memo>,
}

#[derive(Debug, Default)]
struct Memo {
    /// By production id (as the request spelled it, once authorized).
    productions: HashMap<String, ProductionAnswers>,
    /// Bytes of query text and answers kept.
    bytes: usize,
}

#[derive(Debug, Default)]
struct ProductionAnswers {
    /// The state the answers were computed on.
    last_seq: Option<u64>,
    /// Query text → (computed at, JSON body).
    answers: HashMap<String, (Timestamp, Bytes)>,
}

impl GateMemo {
    /// The answer written for this query on this state, if it is recent enough.
    pub(crate) fn get(&self, production: &str, last_seq: Option<u64>, query: &str, now: Timestamp) -> Option<Bytes> {
        let memo = self.inner.lock().ok()?;
        let p = memo.productions.get(production)?;
        if p.last_seq != last_seq {
            return None;
        }
        let (at, body) = p.answers.get(query)?;
        // An answer from the future (the clock went back) is not trusted either.
        (*at <= now && now.0 - at.0 < MAX_AGE_MS).then(|| body.clone())
    }

    /// Keeps an answer computed on the state ending at `last_seq`.
    pub(crate) fn put(&self, production: &str, last_seq: Option<u64>, query: &str, now: Timestamp, body: Bytes) {
        let Ok(mut memo) = self.inner.lock() else { return };
        let size = query.len() + body.len();
        if memo.bytes + size > MAX_BYTES {
            memo.productions.clear();
            memo.bytes = 0;
        }
        let p = memo.productions.entry(production.to_owned()).or_default();
        let mut freed = 0;
        if p.last_seq != last_seq {
            // A different state: every answer kept is about the old one. A request that read
            // an older state than the one kept (it raced an event) replaces the newer answers;
            // they are simply computed again.
            freed = p.answers.drain().map(|(q, (_, b))| q.len() + b.len()).sum();
            p.last_seq = last_seq;
        }
        if let Some((_, old)) = p.answers.insert(query.to_owned(), (now, body)) {
            freed += query.len() + old.len();
        }
        memo.bytes = memo.bytes + size - freed;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_reused_only_for_the_same_state_query_and_second() {
        let memo = GateMemo::default();
        let p = "dead-river";
        let q = "firearm=fa-1&to=p-5";
        let t = Timestamp(1_000_000);
        assert!(memo.get(p, Some(7), q, t).is_none());
        memo.put(p, Some(7), q, t, Bytes::from_static(b"{\"allowed\":false}"));
        assert_eq!(memo.get(p, Some(7), q, t).unwrap(), Bytes::from_static(b"{\"allowed\":false}"));
        assert!(memo.get(p, Some(7), q, Timestamp(t.0 + MAX_AGE_MS - 1)).is_some());
        // One second later the clock-driven rules are evaluated again.
        assert!(memo.get(p, Some(7), q, Timestamp(t.0 + MAX_AGE_MS)).is_none());
        // A clock that went back does not make an answer from its future valid.
        assert!(memo.get(p, Some(7), q, Timestamp(t.0 - 1)).is_none());
        // Another event recorded: another state, nothing reused.
        assert!(memo.get(p, Some(8), q, t).is_none());
        // Another question, another production.
        assert!(memo.get(p, Some(7), "firearm=fa-2&to=p-5", t).is_none());
        assert!(memo.get("other", Some(7), q, t).is_none());
    }

    #[test]
    fn a_new_state_drops_every_answer_of_the_old_one() {
        let memo = GateMemo::default();
        let p = "dead-river";
        let t = Timestamp(5_000);
        memo.put(p, Some(1), "a", t, Bytes::from_static(b"1"));
        memo.put(p, Some(2), "b", t, Bytes::from_static(b"2"));
        assert!(memo.get(p, Some(1), "a", t).is_none());
        assert!(memo.get(p, Some(2), "a", t).is_none());
        assert!(memo.get(p, Some(2), "b", t).is_some());
    }

    #[test]
    fn the_memo_stays_bounded_and_counts_its_bytes() {
        let memo = GateMemo::default();
        let t = Timestamp(5_000);
        let answer = Bytes::from(vec![b'x'; 2_000]);
        let kept = |memo: &GateMemo| {
            let m = memo.inner.lock().unwrap();
            let counted: usize =
                m.productions.values().flat_map(|p| p.answers.iter()).map(|(q, (_, b))| q.len() + b.len()).sum();
            assert_eq!(m.bytes, counted);
            counted
        };
        for i in 0..5_000 {
            let production = if i % 2 == 0 { "dead-river" } else { "other" };
            memo.put(production, Some(1), &format!("q{i}"), t, answer.clone());
            assert!(kept(&memo) <= MAX_BYTES);
        }
        assert!(memo.get("other", Some(1), "q4999", t).is_some());
        // The same question again, and a new state: the count follows.
        memo.put("other", Some(1), "q4999", t, Bytes::from_static(b"short"));
        kept(&memo);
        memo.put("other", Some(2), "q1", t, answer.clone());
        kept(&memo);
        assert!(memo.get("other", Some(1), "q4999", t).is_none());
    }
}
