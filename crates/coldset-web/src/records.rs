//! Records out (docs/records.md): `GET /api/v1/productions/{p}/records/{kind}` as CSV, JSON
//! (or PDF, laid out by `coldset-print`), the records index page `/p/{p}/records`, and each
//! record as a printable page `/p/{p}/records/{kind}`. With `at=SIZE` (and `h=DIGEST`) the
//! page is the verification a printed record's QR code opens: the record derived again at
//! the checkpoint of SIZE events, and whether its rows still hash to the digest printed.

use crate::error::{parse_query, ApiError};
use crate::extract::{PageReader, Reader};
use crate::html::production_page;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use coldset_app::access::ReadAccess;
use coldset_app::records::{self, Params, Record, RecordError, RecordKind};
use coldset_app::App;
use coldset_domain::ids::ProductionId;
use maud::{html, Markup};
use serde::Deserialize;

pub fn page_routes() -> Router<App> {
    Router::new()
        .route("/p/{production}/records", get(index_page))
        .route("/p/{production}/records/{kind}", get(record_page))
}

/// The query of a record: what it covers, the format, and for the verification page the
/// checkpoint and the digest. Every value is read as text: `Params::parse` says what is
/// wrong with one in words.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RecordQuery {
    day: Option<String>,
    from: Option<String>,
    to: Option<String>,
    incident: Option<String>,
    seq: Option<String>,
    format: Option<String>,
    /// A PDF's paper: `a4` (the default) or `letter`.
    paper: Option<String>,
    at: Option<String>,
    h: Option<String>,
}

impl RecordQuery {
    fn params(&self) -> Result<Params, RecordError> {
        Params::parse(|name| match name {
            "day" => self.day.clone(),
            "from" => self.from.clone(),
            "to" => self.to.clone(),
            "incident" => self.incident.clone(),
            "seq" => self.seq.clone(),
            _ => None,
        })
    }
}

fn api_error(e: RecordError) -> ApiError {
    match e {
        RecordError::Invalid(m) => ApiError::new(StatusCode::BAD_REQUEST, "record.invalid", m),
        RecordError::NotFound(m) => ApiError::new(StatusCode::NOT_FOUND, "record.not_found", m),
        RecordError::NoCheckpoint => {
            ApiError::new(StatusCode::CONFLICT, "record.no_checkpoint", RecordError::NoCheckpoint.to_string())
        }
        RecordError::Store(m) => {
            tracing::error!(error = %m, "a record could not be derived");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the record could not be read from the log")
        }
    }
}

fn kind_of(slug: &str) -> Result<RecordKind, ApiError> {
    RecordKind::parse(slug).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "record.unknown_kind",
            format!(
                "no record '{slug}': the records are {}",
                RecordKind::ALL.iter().map(|k| k.slug()).collect::<Vec<_>>().join(", ")
            ),
        )
    })
}

/// Derives the record on a blocking thread (it reads the log from its start).
async fn derive(
    app: App,
    production: ProductionId,
    kind: RecordKind,
    params: Params,
    at: Option<u64>,
    base: String,
) -> Result<Record, ApiError> {
    tokio::task::spawn_blocking(move || app.record(&production, kind, &params, at, &base))
        .await
        .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "internal", "the request was interrupted"))?
        .map_err(api_error)
}

/// A file name for a record: `dead-river-daily-log-2026-12-07.csv`.
fn file_name(record: &Record, ext: &str) -> String {
    let q = record.params.query().replace(['=', '&'], "-");
    let tail = if q.is_empty() { format!("at-{}", record.checkpoint.size) } else { q };
    format!("{}-{}-{tail}.{ext}", record.production, record.kind.slug())
}

/// `GET /api/v1/productions/{p}/records/{kind}`: full readers get every record; a
/// performer or crew member only the receipt of a hand-off to themselves.
pub(crate) async fn record_api(
    State(app): State<App>,
    Path((p, slug)): Path<(String, String)>,
    Reader { access, .. }: Reader,
    options: axum::Extension<crate::Options>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let query: RecordQuery = parse_query(&uri)?;
    let kind = kind_of(&slug)?;
    let production = crate::api::parse_production(&p)?;
    let params = query.params().map_err(api_error)?;
    params.check(kind).map_err(api_error)?;
    if let ReadAccess::Own(person) = &access {
        let refused = || {
            ApiError::new(
                StatusCode::FORBIDDEN,
                "auth.forbidden",
                "you may read the receipts of hand-offs to you; the other records are for the armory team and oversight",
            )
        };
        if kind != RecordKind::HandOffReceipt {
            return Err(refused());
        }
        let seq = params.seq.unwrap_or(0);
        let (a, prod) = (app.clone(), production.clone());
        let to_them = crate::api::blocking(move || {
            let Some(stored) = a.event(&prod, seq)? else { return Ok(None) };
            Ok(coldset_domain::Envelope::decode(&stored.bytes).ok().and_then(|e| match e.event {
                coldset_domain::Event::FirearmHandedOff { to, .. } => Some(to),
                _ => None,
            }))
        })
        .await?;
        if to_them.as_ref() != Some(person) {
            return Err(refused());
        }
    }
    let format = query.format.as_deref().unwrap_or("json");
    if !matches!(format, "csv" | "json" | "pdf") {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "record.invalid",
            format!("format '{format}': ask for csv, pdf or json"),
        ));
    }
    let paper = match query.paper.as_deref() {
        None => coldset_print::Paper::A4,
        Some(name) => coldset_print::Paper::parse(name).ok_or_else(|| {
            ApiError::new(StatusCode::BAD_REQUEST, "record.invalid", format!("paper '{name}': ask for a4 or letter"))
        })?,
    };
    let base = crate::html::base_url(&headers, options.0);
    let record = derive(app, production, kind, params, None, base).await?;
    Ok(match format {
        "csv" => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file_name(&record, "csv"))),
            ],
            records::to_csv(&record),
        )
            .into_response(),
        "pdf" => {
            let name = file_name(&record, "pdf");
            // The record's CSV travels inside its PDF (`coldset verify --record` reads it).
            let pdf = tokio::task::spawn_blocking(move || {
                coldset_print::render_pdf(&record, paper, &records::to_csv(&record))
            })
            .await
            .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "internal", "the request was interrupted"))?
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "record.pdf_failed", e.to_string()))?;
            (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_owned()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                ],
                pdf,
            )
                .into_response()
        }
        _ => axum::Json(records::to_json(&record)).into_response(),
    })
}

/// The records of a production, each with its Print (the page), CSV and PDF links.
async fn index_page(Path(p): Path<String>, PageReader(state): PageReader, State(app): State<App>) -> Response {
    let today = app.today(&state).to_string();
    let incidents: Vec<u64> = state.reporting.incidents.keys().copied().collect();
    let body = html! {
        h1 { "Records" }
        p.muted {
            "Each record is made from the ledger's latest signed checkpoint and names it; every row carries the "
            "events behind it, so " code { "coldset verify --record" } " can derive it again and find any change. "
            "See the column names in the documentation (docs/records.md)."
        }
        table {
            thead { tr { th { "Record" } th { "Covers" } th { "Get it" } } }
            tbody {
                (index_row(&p, RecordKind::DailyLog, &format!("day={today}"), &format!("Today ({today})")))
                (index_row(&p, RecordKind::WeaponRegister, "", "Every firearm, to the checkpoint"))
                (index_row(&p, RecordKind::AmmunitionRegister, "", "Every lot and container, to the checkpoint"))
                (index_row(&p, RecordKind::TrainingRegister, "", "Credentials, training, call lists"))
                (index_row(&p, RecordKind::CompliancePack, "", "Policy, meetings, plans, overrides, reports"))
                @for seq in &incidents {
                    (index_row(&p, RecordKind::IncidentPack, &format!("incident={seq}"), &format!("Incident at event {seq}")))
                }
            }
        }
        form method="get" action={ "/p/" (p) "/records/daily-log" } {
            label { "Daily log of another day " input type="date" name="day" value=(today); }
            " " button type="submit" { "Open" }
        }
        p.muted { "A hand-off receipt is linked from its hand-off in the day's log (its event number: "
            code { "/p/" (p) "/records/hand-off-receipt?seq=N" } ")." }
    };
    production_page(&p, "Records", body).into_response()
}

fn index_row(p: &str, kind: RecordKind, query: &str, covers: &str) -> Markup {
    html! {
        tr {
            td { (kind.title()) }
            td { (covers) }
            td { (links(p, kind, query)) }
        }
    }
}

/// Print, PDF and CSV links of a record (for the pages that list what a record holds).
pub(crate) fn links(p: &str, kind: RecordKind, query: &str) -> Markup {
    let sep = if query.is_empty() { "" } else { "&" };
    let api = format!("/api/v1/productions/{p}/records/{}?{query}{sep}format=", kind.slug());
    html! {
        span.record-links {
            a href={ "/p/" (p) "/records/" (kind.slug()) "?" (query) } { "Print" } " · "
            a href={ (api) "pdf" } { "PDF (A4)" } " · "
            a href={ (api) "pdf&paper=letter" } { "PDF (Letter)" } " · "
            a href={ (api) "csv" } download { "CSV" }
        }
    }
}

/// A record as a printable page; with `at=` the verification of a printed one.
async fn record_page(
    State(app): State<App>,
    Path((p, slug)): Path<(String, String)>,
    PageReader(_state): PageReader,
    options: axum::Extension<crate::Options>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let refusal = |status: StatusCode, message: String| {
        (status, production_page(&p, "Record", html! { h1 { "Record" } p.warn { (message) } })).into_response()
    };
    let query: RecordQuery = parse_query(&uri).unwrap_or_default();
    let Some(kind) = RecordKind::parse(&slug) else {
        return refusal(StatusCode::NOT_FOUND, format!("There is no record '{slug}'."));
    };
    let Ok(production) = ProductionId::parse(&p) else {
        return refusal(StatusCode::BAD_REQUEST, "That is not a production.".into());
    };
    let params = match query.params().and_then(|ps| ps.check(kind).map(|_| ps)) {
        Ok(ps) => ps,
        Err(e) => return refusal(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let at = match query.at.as_deref().map(str::parse::<u64>) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => return refusal(StatusCode::BAD_REQUEST, "at= is the size of a signed checkpoint".into()),
    };
    let base = crate::html::base_url(&headers, options.0);
    let record = match derive(app, production, kind, params, at, base).await {
        Ok(r) => r,
        Err(e) => return refusal(e.status, e.message),
    };
    let verdict = at.map(|_| query.h.as_deref().map(|h| records::digest(&record.tables) == h));
    production_page(&p, kind.title(), view(&record, verdict)).into_response()
}

/// The record, laid out for paper: print CSS leaves out the navigation and the links.
fn view(record: &Record, verdict: Option<Option<bool>>) -> Markup {
    let query = record.params.query();
    html! {
        @match verdict {
            Some(Some(true)) => p.ok.verdict {
                strong { "This record matches the ledger." }
                " Derived again from the signed checkpoint of " (record.checkpoint.size) " events, its rows are the ones printed."
            },
            Some(Some(false)) => p.warn.verdict {
                strong { "This record does NOT match the one printed." }
                " Derived again from the signed checkpoint of " (record.checkpoint.size)
                " events, its rows differ from the paper's: compare them below, and run "
                code { "coldset verify --record" } " on the CSV to find the row."
            },
            Some(None) => p.verdict { "Derived again from the signed checkpoint of " (record.checkpoint.size) " events." },
            None => {},
        }
        h1 { (record.kind.title()) }
        p {
            strong { (record.production_name) } " · " (record.scope) " · times in " (record.time_zone)
            " · made " (record.made_at)
        }
        p.no-print { (links(record.production.as_str(), record.kind, &query)) }
        @for t in &record.tables {
            h2 { (t.title) }
            @if t.rows.is_empty() {
                p.muted { "None." }
            } @else {
                table.record {
                    thead { tr { @for c in &t.columns { th { (c.label) } } th { "Events" } } }
                    tbody {
                        @for row in &t.rows {
                            tr {
                                @for (c, cell) in t.columns.iter().zip(&row.cells) { td data-label=(c.label) { (cell) } }
                                td.muted data-label="Events" {
                                    (row.events.iter().map(u64::to_string).collect::<Vec<_>>().join(" "))
                                    // A hand-off in the day's log links its receipt.
                                    @if t.name == "steps" && row.cells.get(3).is_some_and(|c| c == "handed off") {
                                        @if let Some(seq) = row.events.first() {
                                            " " a.no-print href={ "/p/" (record.production) "/records/hand-off-receipt?seq=" (seq) } { "Receipt" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // A receipt proves one event: its proof alone, as a file to keep beside the paper.
        @if let (RecordKind::HandOffReceipt, Some(seq)) = (record.kind, record.params.seq) {
            p.no-print {
                a href={ "/api/v1/productions/" (record.production) "/proof/inclusion?seq=" (seq) "&size="
                    (record.checkpoint.size) "&format=tlog-proof" }
                    download={ (record.production) "-event-" (seq) ".tlog-proof" } {
                    "The hand-off's proof (C2SP tlog-proof)"
                }
                ": check it offline with the production's public key (docs/ledger.md)."
            }
        }
        p.muted.small {
            "Made from the signed checkpoint " code { (record.checkpoint.origin) } ", " (record.checkpoint.size)
            " events, root " code { (record.checkpoint.root) } ", key " code { (record.checkpoint.key) } ". "
            "Verify: " code { (record.verify_url) }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use coldset_app::records::CheckpointRef;

    fn record(kind: RecordKind, params: Params) -> Record {
        Record {
            kind,
            production: ProductionId::parse("dead-river").unwrap(),
            production_name: "Dead River".into(),
            scope: String::new(),
            time_zone: "UTC".into(),
            made_at: String::new(),
            params,
            checkpoint: CheckpointRef {
                origin: "coldset.test/dead-river".into(),
                size: 40,
                root: String::new(),
                key: String::new(),
                note: String::new(),
            },
            tables: Vec::new(),
            photos: Vec::new(),
            verify_url: String::new(),
        }
    }

    #[test]
    fn a_receipt_links_its_event_proof_as_a_tlog_proof() {
        let receipt = record(RecordKind::HandOffReceipt, Params { seq: Some(7), ..Params::default() });
        let html = view(&receipt, None).into_string();
        assert!(
            html.contains("/api/v1/productions/dead-river/proof/inclusion?seq=7&amp;size=40&amp;format=tlog-proof"),
            "{html}"
        );
        let register = view(&record(RecordKind::WeaponRegister, Params::default()), None).into_string();
        assert!(!register.contains("tlog-proof"), "{register}");
    }
}
