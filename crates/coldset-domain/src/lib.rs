//! coldset's domain: the records a production keeps (people, credentials, firearms,
//! ammunition lots and containers, storage), the events that change them, and the decider
//! that refuses every step the safety rules forbid, naming the rule ids.
//!
//! Pure by design: no I/O, no clock, no async, no database or HTTP types. It must never
//! depend on storage, web or application crates; they depend on it.

pub mod commands;
pub mod decide;
pub mod events;
pub mod gate;
pub mod ids;
pub mod model;
pub mod permissions;
pub mod policy;
pub mod protocol;
pub mod reports;
pub mod rules;
pub mod safety;
pub mod state;
pub mod text;
pub mod time;

pub use commands::Command;
pub use decide::{decide, Context, DomainError};
pub use events::{Actor, Envelope, Event};
pub use rules::{Denial, RuleId, Violation};
pub use state::{EntityRef, ProductionState, ProjectionRow};
pub use time::{Date, Timestamp};
