//! What an operator's monitoring reads (`GET /metrics`, Prometheus text format): how much
//! the write path does and how long a commit takes, which rules refuse steps, how far the
//! newest checkpoint lags behind the log, and what waits in the notification outbox.
//! Counters live in memory (they start at zero with the process, as Prometheus expects);
//! the rest is read from the application's state when asked.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Counters the writer keeps.
#[derive(Debug, Default)]
pub struct Metrics {
    events_appended: AtomicU64,
    commits: AtomicU64,
    commit_micros: AtomicU64,
    commit_failures: AtomicU64,
    refusals: Mutex<BTreeMap<String, u64>>,
    /// The size each witness last cosigned, per production: (witness, production) -> size.
    cosigned: Mutex<BTreeMap<(String, String), u64>>,
}

impl Metrics {
    pub(crate) fn committed(&self, events: u64, micros: u64) {
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.events_appended.fetch_add(events, Ordering::Relaxed);
        self.commit_micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub(crate) fn commit_failed(&self) {
        self.commit_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// A refusal: every rule it names is counted.
    pub(crate) fn refused(&self, denial: &coldset_domain::Denial) {
        if let Ok(mut map) = self.refusals.lock() {
            for rule in denial.rule_ids() {
                *map.entry(rule.to_string()).or_default() += 1;
            }
        }
    }

    /// A witness cosigned a production's checkpoint at `size` events.
    pub fn witness_cosigned(&self, witness: &str, production: &str, size: u64) {
        if let Ok(mut map) = self.cosigned.lock() {
            map.insert((witness.to_owned(), production.to_owned()), size);
        }
    }

    /// Events each witness has not cosigned yet, per production, given each log's size.
    pub(crate) fn render_witness_lag(&self, out: &mut String, heads: &[(coldset_domain::ids::ProductionId, u64)]) {
        use std::fmt::Write;
        let _ = writeln!(
            out,
            "# HELP coldset_witness_lag_events Events after the newest checkpoint each witness cosigned."
        );
        let _ = writeln!(out, "# TYPE coldset_witness_lag_events gauge");
        if let Ok(map) = self.cosigned.lock() {
            for ((witness, production), size) in map.iter() {
                let head = heads.iter().find(|(p, _)| p.as_str() == production).map_or(*size, |(_, h)| *h);
                let _ = writeln!(
                    out,
                    "coldset_witness_lag_events{{witness=\"{witness}\",production=\"{production}\"}} {}",
                    head.saturating_sub(*size)
                );
            }
        }
    }

    /// The counters in Prometheus text format.
    pub(crate) fn render_counters(&self, out: &mut String) {
        use std::fmt::Write;
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let _ = writeln!(out, "# HELP coldset_events_appended_total Events recorded in the ledger.");
        let _ = writeln!(out, "# TYPE coldset_events_appended_total counter");
        let _ = writeln!(out, "coldset_events_appended_total {}", load(&self.events_appended));
        let _ =
            writeln!(out, "# HELP coldset_commits_total Transactions committed by the writer (one holds many events).");
        let _ = writeln!(out, "# TYPE coldset_commits_total counter");
        let _ = writeln!(out, "coldset_commits_total {}", load(&self.commits));
        let _ = writeln!(out, "# HELP coldset_commit_seconds_total Time spent committing (with fsync).");
        let _ = writeln!(out, "# TYPE coldset_commit_seconds_total counter");
        let _ = writeln!(out, "coldset_commit_seconds_total {:.6}", load(&self.commit_micros) as f64 / 1e6);
        let _ = writeln!(out, "# HELP coldset_commit_failures_total Commits the store refused (nothing recorded).");
        let _ = writeln!(out, "# TYPE coldset_commit_failures_total counter");
        let _ = writeln!(out, "coldset_commit_failures_total {}", load(&self.commit_failures));
        let _ = writeln!(out, "# HELP coldset_refusals_total Steps refused, by the rule that refused them.");
        let _ = writeln!(out, "# TYPE coldset_refusals_total counter");
        if let Ok(map) = self.refusals.lock() {
            for (rule, n) in map.iter() {
                let _ = writeln!(out, "coldset_refusals_total{{rule=\"{rule}\"}} {n}");
            }
        }
    }
}
