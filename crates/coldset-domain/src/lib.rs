//! coldset's domain: the records a production keeps (people, credentials, firearms,
//! ammunition lots and containers, storage), the events that change them, and the decider
//! that refuses every step the safety rules forbid, naming the rule ids.
//!
//! Pure by design: no I/O, no clock, no async, no database or HTTP types. It must never
//! depend on storage, web or application crates; they depend on it.

// Vocabulary: the records, commands and events.
pub mod commands;
pub mod events;
pub mod ids;
pub mod model;
pub mod policy;
pub mod reporting;
pub mod rules;
pub mod safety;
pub mod state;
pub mod text;
pub mod time;

// The decider: dispatch, permissions, the checks the areas share, and the areas, each with
// its decisions and the state changes of its events side by side.
mod apply;
pub mod checks;
pub mod decide;
pub mod error;
pub mod permissions;

pub mod ammunition;
pub mod firearm;
pub mod gate;
pub mod people;
pub mod reports;
pub mod scene;
pub mod storage;

pub use commands::Command;
pub use decide::{decide, Context, DomainError};
pub use events::{Actor, Envelope, Event};
pub use rules::{Denial, RuleId, Violation};
pub use state::{EntityRef, ProductionState, ProjectionRow};
pub use time::{Date, Timestamp};
