//! One error shape for every API answer: `{code, message, rule_ids, request_id}`. Internal
//! details (database messages) are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use coldset_app::AppError;
use coldset_domain::DomainError;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

static REQUEST_COUNTER: AtomicU64 = AtomicU64::new(1);

/// Every code an error of the API carries, with what it means: the `code` of the `Error`
/// schema. A test finds every code the handlers and `coldset_app::AppError::code` write in
/// this list.
pub const ERROR_CODES: &[(&str, &str)] = &[
    ("auth.csrf", "a request from another site's page, or a session's request without its X-CSRF-Token"),
    ("auth.forbidden", "the caller may not do or read this"),
    ("auth.invalid_credentials", "no valid token, session, password or PIN"),
    ("auth.invalid_token", "the bearer token or session is unknown, expired or revoked"),
    ("auth.required", "sign in, or send a bearer token"),
    ("auth.second_factor_required", "this production requires the caller's role to sign in with a one-time code"),
    ("auth.throttled", "too many wrong tries: wait the Retry-After seconds"),
    (
        "cluster.behind",
        "several nodes: this node's copy of the production has not reached the `Coldset-At-Least` position yet: retry",
    ),
    (
        "cluster.no_leader",
        "several nodes: no node writes the production at this moment (a failover): retry with the same Idempotency-Key",
    ),
    ("command.conflict", "the record changed since `expected_version`, or the request raced another"),
    ("gate.denied", "a safety rule refused the step: see `rule_ids` and `violations`"),
    ("import.cell_error", "the spreadsheet import (a page, docs/import.md): a cell holds a spreadsheet error"),
    ("import.columns", "the spreadsheet import: the columns are not the template's"),
    ("import.empty", "the spreadsheet import: the file has no rows"),
    ("import.expired", "the spreadsheet import: the checked file was recorded already, or waited too long"),
    ("import.formula", "the spreadsheet import: a cell holds a formula"),
    ("import.too_large", "the spreadsheet import: the file is too large"),
    ("import.too_many_rows", "the spreadsheet import: the file has too many rows"),
    ("import.unreadable", "the spreadsheet import: the file is not a CSV or XLSX file it can read"),
    ("import.zip_bomb", "the spreadsheet import: the XLSX file unpacks to too much"),
    ("input.invalid", "the request's body, query or path is not valid"),
    ("internal", "the server could not complete the request; nothing was recorded"),
    ("ledger.unsigned", "this server signs no checkpoints"),
    ("production.not_found", "no such production"),
    ("record.invalid", "a record out's query is not valid"),
    ("record.no_checkpoint", "no signed checkpoint yet to make the record from"),
    ("record.not_found", "no such record"),
    ("record.pdf_failed", "the record's PDF could not be made"),
    ("record.unknown_kind", "no record out of that kind (docs/records.md lists them)"),
    ("report.rate_limited", "too many reports from this client: wait and try again"),
    ("report.storage_full", "the production's space for report photos is full: send the report without photos"),
    ("route.method_not_allowed", "this address does not take this method"),
    ("route.not_found", "no endpoint at this address"),
    ("server.shutting_down", "the server is stopping: try again shortly"),
    ("store.unavailable", "the database could not be reached; nothing was recorded"),
];

/// The schema of an error's `code`: one of [`ERROR_CODES`].
struct ErrorCode;

impl schemars::JsonSchema for ErrorCode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ErrorCode".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<&str> = ERROR_CODES.iter().map(|(code, _)| *code).collect();
        let meanings: String = ERROR_CODES.iter().map(|(code, meaning)| format!("- `{code}`: {meaning}\n")).collect();
        schemars::json_schema!({ "type": "string", "enum": codes, "description": meanings })
    }
}

/// The API's one error shape.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(rename = "Error", extend("additionalProperties" = false))]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    #[schemars(with = "ErrorCode")]
    pub code: String,
    pub message: String,
    /// The rules behind a refusal (`gate.denied`); empty otherwise.
    #[schemars(with = "Vec<crate::wire::Rule>")]
    pub rule_ids: Vec<String>,
    /// Each refusal: rule, reason and what would make it allowed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<crate::wire::answers::Violation>")]
    pub violations: Vec<coldset_domain::Violation>,
    /// Quoted to the administrator, who finds the server's log line by it.
    pub request_id: String,
    /// Seconds to wait, sent as Retry-After (throttled sign-ins).
    #[serde(skip)]
    #[schemars(skip)]
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
            rule_ids: Vec::new(),
            violations: Vec::new(),
            request_id: format!("req-{}", REQUEST_COUNTER.fetch_add(1, Ordering::Relaxed)),
            retry_after: None,
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "record.not_found", what)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = match &e {
            AppError::Domain(DomainError::Denied(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Domain(DomainError::Invalid { .. }) => StatusCode::BAD_REQUEST,
            AppError::Domain(DomainError::NotFound { .. }) | AppError::UnknownProduction(_) => StatusCode::NOT_FOUND,
            AppError::Domain(DomainError::Forbidden(_)) => StatusCode::FORBIDDEN,
            AppError::Domain(DomainError::Conflict(_)) => StatusCode::CONFLICT,
            AppError::Store(coldset_app::ports::StoreError::Conflict(_)) => StatusCode::CONFLICT,
            AppError::Store(_) | AppError::Internal(_) | AppError::ShuttingDown | AppError::NotLeader(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::SecondFactorRequired => StatusCode::FORBIDDEN,
        };
        let internal = matches!(e, AppError::Store(_) | AppError::Internal(_))
            && !matches!(e, AppError::Store(coldset_app::ports::StoreError::LeaseLost(_)));
        let message = if internal {
            "the server could not complete this request; nothing was recorded. Try again, and tell the administrator if it persists (give them the request_id)".to_owned()
        } else {
            e.to_string()
        };
        let mut out = ApiError::new(status, e.code(), message);
        if internal {
            // With the id the caller is shown, so the administrator can find this line.
            tracing::error!(request_id = %out.request_id, error = %e, "request failed");
        }
        out.rule_ids = e.rule_ids().iter().map(|r| r.as_str().to_owned()).collect();
        if let AppError::Domain(DomainError::Denied(d)) = &e {
            out.violations = d.violations.clone();
        }
        if let AppError::Throttled { retry_after_secs, .. } = &e {
            out.retry_after = Some(*retry_after_secs);
        }
        if e.code() == "cluster.no_leader" {
            out.retry_after = Some(1);
        }
        out
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(&self)).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

/// A query string parsed into `T`, whose failures answer in the API's one error shape
/// (`400 input.invalid` with axum's explanation) rather than as plain text.
pub(crate) struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        parse_query(&parts.uri).map(ApiQuery)
    }
}

/// The query string of `uri` parsed into `T`, as `ApiQuery` does it.
pub(crate) fn parse_query<T: serde::de::DeserializeOwned>(uri: &axum::http::Uri) -> Result<T, ApiError> {
    axum::extract::Query::<T>::try_from_uri(uri)
        .map(|axum::extract::Query(value)| value)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "input.invalid", e.body_text()))
}
