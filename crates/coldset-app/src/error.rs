//! Application errors, each with a stable dotted code that the HTTP layer and the CLI show.

use crate::ports::StoreError;
use coldset_domain::{DomainError, RuleId};

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("no production '{0}'")]
    UnknownProduction(String),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
    #[error("coldset is shutting down; try again")]
    ShuttingDown,
    /// Several nodes share the database and this one does not write this production now
    /// (another does, or its lease is moving after a failure): send the request again, in a
    /// moment or to another node. Nothing was recorded.
    #[error("no node writes production '{0}' at this moment (a failover is in progress): send the request again in a second, with the same Idempotency-Key")]
    NotLeader(String),
    /// Wrong name or password (never says which).
    #[error("{0}")]
    Unauthenticated(String),
    /// The production requires a one-time code for this role, and the session has none.
    #[error("this production requires people in your role to sign in with a one-time code: enrol one (POST /api/v1/me/totp) and sign in again with it")]
    SecondFactorRequired,
    /// Too many tries (wrong passwords for one account, open passkey challenges or TOTP
    /// set-ups): wait before the next one. `what` says which, for the message.
    #[error("{what}: wait {retry_after_secs} s and try again")]
    Throttled { what: &'static str, retry_after_secs: u64 },
}

impl AppError {
    /// A stable code: never reused for another meaning.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Domain(DomainError::Denied(_)) => "gate.denied",
            AppError::Domain(DomainError::Invalid { .. }) => "input.invalid",
            AppError::Domain(DomainError::NotFound { .. }) => "record.not_found",
            AppError::Domain(DomainError::Forbidden(_)) => "auth.forbidden",
            AppError::Domain(DomainError::Conflict(_)) => "command.conflict",
            AppError::UnknownProduction(_) => "production.not_found",
            AppError::Store(StoreError::Conflict(_)) => "command.conflict",
            AppError::Store(StoreError::LeaseLost(_)) | AppError::NotLeader(_) => "cluster.no_leader",
            AppError::Store(_) => "store.unavailable",
            AppError::Internal(_) => "internal",
            AppError::ShuttingDown => "server.shutting_down",
            AppError::Unauthenticated(_) => "auth.invalid_credentials",
            AppError::Throttled { .. } => "auth.throttled",
            AppError::SecondFactorRequired => "auth.second_factor_required",
        }
    }

    /// The rule ids behind a refusal (empty for other errors).
    pub fn rule_ids(&self) -> Vec<RuleId> {
        match self {
            AppError::Domain(DomainError::Denied(d)) => d.rule_ids(),
            _ => Vec::new(),
        }
    }
}
