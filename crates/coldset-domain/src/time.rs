//! Instants and calendar dates. Domain code never reads a clock: the application passes
//! the current instant and the production's local date in with each command.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An instant, as milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn plus_minutes(self, minutes: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(minutes.saturating_mul(60_000)))
    }

    /// Whole minutes from `self` to `later` (0 if `later` is earlier).
    pub fn minutes_until(self, later: Timestamp) -> i64 {
        (later.0.saturating_sub(self.0) / 60_000).max(0)
    }

    /// RFC 3339 in UTC, e.g. `2026-11-26T22:16:13.123Z`.
    pub fn to_rfc3339(self) -> String {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(ts) => format!("{ts:.3}"),
            Err(_) => format!("@{}ms", self.0),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// A calendar date (a shoot day, a credential's expiry).
pub type Date = jiff::civil::Date;

/// Parses `YYYY-MM-DD`, with a message fit for a person.
pub fn parse_date(text: &str) -> Result<Date, String> {
    text.trim().parse::<Date>().map_err(|_| format!("'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-26"))
}
