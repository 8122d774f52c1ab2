//! The decider's errors, shared by every module that refuses: a refusal naming rule ids,
//! malformed input, an unknown record, a role that may not ask, a stale version.

use crate::rules::{Checks, Denial, RuleId};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A safety rule forbids it.
    #[error("refused: {0}")]
    Denied(Denial),
    /// The input is malformed or incomplete.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// It names a record that does not exist.
    #[error("no {what} '{id}' in this production")]
    NotFound { what: &'static str, id: String },
    /// This actor's role may not issue this command at all.
    #[error("{0}")]
    Forbidden(String),
    /// The state the caller saw has changed since (optimistic concurrency).
    #[error("{0}")]
    Conflict(String),
}

impl From<Denial> for DomainError {
    fn from(d: Denial) -> Self {
        DomainError::Denied(d)
    }
}

pub(crate) fn invalid(field: &str, message: impl Into<String>) -> DomainError {
    DomainError::Invalid { field: field.to_owned(), message: message.into() }
}

pub(crate) fn deny(rule: RuleId, reason: String, remedy: &'static str) -> DomainError {
    let mut c = Checks::new();
    c.fail(rule, reason, remedy);
    match c.finish() {
        Err(d) => DomainError::Denied(d),
        Ok(()) => DomainError::Forbidden(String::new()),
    }
}

pub(crate) fn not_found(what: &'static str, id: &str) -> DomainError {
    DomainError::NotFound { what, id: id.to_owned() }
}
