//! Crew safety reports without an account, and incident evidence. A report from the public
//! page stores no IP address, user agent or account: the only link between the reporter and
//! the report is the follow-up key returned once. Abuse limits count per client in memory,
//! by a keyed hash of the address that is never stored (abuse.rs).

use crate::api::{hex_lower, load, paginate, parse_production, ListPage};
use crate::error::ApiError;
use crate::error::ApiQuery;
use crate::extract::FullReader;
use crate::wire::{self, Conv};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use base64::Engine;
use coldset_app::{access, App, AppError, Request};
use coldset_domain::reports::Severity;
use coldset_domain::{Actor, Command, Envelope};
use serde_json::{json, Value};

/// Filing a report takes up to MAX_PHOTOS photos of MAX_PHOTO_BYTES each, in base64: what
/// the page takes.
pub(crate) fn file_report_route(method: axum::routing::MethodFilter) -> axum::routing::MethodRouter<App> {
    axum::routing::on(method, file_report).layer(axum::extract::DefaultBodyLimit::max(32 * 1024 * 1024))
}

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "input.invalid", format!("the request body is not valid: {e}"))
    })
}

/// What a report carries, from the API or the public page.
pub(crate) struct ReportForm {
    pub severity: Severity,
    pub text: String,
    pub subject: Option<String>,
    pub reporter_name: Option<String>,
    pub photos: Vec<(String, Vec<u8>)>,
}

const MAX_PHOTOS: usize = 5;
const MAX_PHOTO_BYTES: usize = 4 * 1024 * 1024;

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "input.invalid", message)
}

/// Files a report with no identity attached; returns (report id, follow-up key).
pub(crate) async fn file(
    app: &App,
    production: coldset_domain::ids::ProductionId,
    form: ReportForm,
    client: &crate::abuse::Client,
) -> Result<(u64, String), ApiError> {
    app.state(&production)?;
    if form.photos.len() > MAX_PHOTOS {
        return Err(bad(format!("at most {MAX_PHOTOS} photos")));
    }
    let mut attachments = Vec::new();
    for (content_type, bytes) in form.photos {
        if !["image/jpeg", "image/png", "image/webp"].contains(&content_type.as_str()) {
            return Err(bad(format!("photos must be JPEG, PNG or WebP, not {content_type}")));
        }
        if bytes.is_empty() || bytes.len() > MAX_PHOTO_BYTES {
            return Err(bad("each photo must be between 1 byte and 4 MB"));
        }
        attachments.push(coldset_app::ports::Attachment { hash: access::hash_bytes(&bytes), content_type, bytes });
    }
    let photo_bytes = attachments.iter().map(|a| a.bytes.len() as u64).sum();
    client.limits.take_report(app, &production, &client.key, photo_bytes)?;
    let key = format!("fk_{}", hex_lower(&access::random_bytes::<20>()?));
    let command = Command::FileReport {
        severity: form.severity,
        text: form.text,
        subject: form.subject,
        reporter_name: form.reporter_name,
        followup_key_hash: access::hash_token(&key),
        photos: attachments.iter().map(|a| a.hash.clone()).collect(),
    };
    let mut request = Request::new(production, Actor::Anonymous, command);
    request.attachments = attachments;
    let receipt = app.execute_async(request).await?;
    let id = receipt.events.first().map(|e| e.seq).unwrap_or_default();
    Ok((id, key))
}

pub(crate) async fn file_report(
    State(app): State<App>,
    Path(p): Path<String>,
    client: crate::abuse::Client,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let production = parse_production(&p)?;
    let r: wire::requests::NewReport = parse(&body)?;
    let mut photos = Vec::new();
    for ph in r.photos {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(ph.data.trim())
            .map_err(|_| bad("a photo's data is not base64"))?;
        photos.push((ph.content_type, bytes));
    }
    let form = ReportForm {
        severity: r.severity.conv(),
        text: r.text,
        subject: r.subject,
        reporter_name: r.reporter_name,
        photos,
    };
    let (id, key) = file(&app, production, form, &client).await?;
    Ok(wire::answer(&wire::answers::ReportFiled {
        report: id,
        followup_key: key,
        note: "keep this key: it is the only way to read the answers and add to your report; nobody else can link the report to you",
    }))
}

/// A stored file (report photo), by its hash: for those who read the production's reports.
pub(crate) async fn attachment(
    State(app): State<App>,
    Path((_, hash)): Path<(String, String)>,
    FullReader(state): FullReader,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    // Only files that this production's reports refer to are served here.
    if !state.reporting.reports.values().any(|r| r.photos.contains(&hash)) {
        return Err(ApiError::not_found("no such file in this production"));
    }
    let a = tokio::task::spawn_blocking(move || app.attachment(&hash))
        .await
        .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "internal", "the request was interrupted"))?
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::not_found("the file is missing"))?;
    Ok(([(axum::http::header::CONTENT_TYPE, a.content_type)], a.bytes).into_response())
}

fn report_view(r: &coldset_domain::reports::Report, ack_minutes: i64) -> wire::answers::ReportView {
    wire::answers::ReportView::new(r, ack_minutes)
}

/// The reporter reads their report and its answers with the follow-up key (sent in the
/// body, never in the URL, so it stays out of logs).
pub(crate) async fn follow_up(
    State(app): State<App>,
    Path(p): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let state = load(&app, &p)?;
    let k: wire::requests::Key = parse(&body)?;
    let hash = access::hash_token(k.key.trim());
    let ack = coldset_domain::gate::policy(&state).report_ack_minutes;
    let r = state
        .reporting
        .reports
        .values()
        .find(|r| r.followup_key_hash == hash)
        .ok_or_else(|| ApiError::not_found("no report has that follow-up key"))?;
    Ok(wire::answer(&report_view(r, ack)))
}

pub(crate) async fn add_to_report(
    State(app): State<App>,
    Path(p): Path<String>,
    client: crate::abuse::Client,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let production = parse_production(&p)?;
    let state = app.state(&production)?;
    let k: wire::requests::Key = parse(&body)?;
    let hash = access::hash_token(k.key.trim());
    let report = state
        .reporting
        .reports
        .values()
        .find(|r| r.followup_key_hash == hash)
        .map(|r| r.id)
        .ok_or_else(|| ApiError::not_found("no report has that follow-up key"))?;
    let text = k.text.ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "input.invalid", "text: is required"))?;
    client.limits.take_addition(&production, report, &client.key)?;
    app.execute_async(Request::new(
        production,
        Actor::Anonymous,
        Command::AddToReport { report, text, followup_key_hash: hash },
    ))
    .await?;
    let state = app.state(&parse_production(&p)?)?;
    let ack = coldset_domain::gate::policy(&state).report_ack_minutes;
    let r = state.reporting.reports.get(&report).ok_or_else(|| ApiError::not_found("report"))?;
    Ok(wire::answer(&report_view(r, ack)))
}

pub(crate) async fn list_reports(
    ApiQuery(page): ApiQuery<ListPage>,
    FullReader(state): FullReader,
) -> Result<Json<Value>, ApiError> {
    let ack = coldset_domain::gate::policy(&state).report_ack_minutes;
    let items = state.reporting.reports.values().map(|r| report_view(r, ack));
    Ok(Json(paginate(items, "report", &page)?))
}

pub(crate) async fn list_incidents(
    ApiQuery(page): ApiQuery<ListPage>,
    FullReader(state): FullReader,
) -> Result<Json<Value>, ApiError> {
    let items = state.reporting.incidents.values().map(wire::answers::IncidentListed::new);
    let mut answer = paginate(items, "incident", &page)?;
    let stops: Vec<wire::answers::Stop> = coldset_domain::reports::stops(&state)
        .iter()
        .map(|(rule, why, _)| wire::answers::Stop { rule: *rule, reason: why.clone() })
        .collect();
    answer["stops"] = serde_json::to_value(stops).unwrap_or(Value::Null);
    Ok(Json(answer))
}

/// The evidence bundle of an incident (R-INC-2): the custody chain of the frozen firearms
/// and containers up to the incident, their counts, and the incident event's inclusion proof
/// against the newest signed checkpoint.
pub(crate) async fn evidence(
    State(app): State<App>,
    Path((p, id)): Path<(String, u64)>,
    FullReader(state): FullReader,
) -> Result<Json<Value>, ApiError> {
    let production = parse_production(&p)?;
    let incident =
        state.reporting.incidents.get(&id).cloned().ok_or_else(|| ApiError::not_found(format!("no incident {id}")))?;
    let app2 = app.clone();
    let frozen: Vec<String> = incident
        .frozen_firearms
        .iter()
        .map(|f| f.to_string())
        .chain(incident.frozen_containers.iter().map(|c| c.to_string()))
        .collect();
    let counts: Vec<Value> = incident
        .frozen_containers
        .iter()
        .filter_map(|c| state.containers.get(c))
        .map(|c| json!({"container": c.id, "label": c.label, "class": c.class.to_string(), "rounds": c.count()}))
        .collect();
    let bundle = tokio::task::spawn_blocking(move || -> Result<Value, AppError> {
        let mut chain = Vec::new();
        app2.for_each_event(&production, 0, &mut |ev| {
            if ev.seq > incident.id {
                return Err(coldset_app::ports::StoreError::Conflict("done".into()));
            }
            let text = String::from_utf8_lossy(&ev.bytes);
            if frozen.iter().any(|id| text.contains(&format!("\"{id}\""))) {
                if let Ok(env) = Envelope::decode(&ev.bytes) {
                    chain.push(json!({
                        "seq": env.seq,
                        "at": env.at.to_rfc3339(),
                        "actor": env.actor,
                        "event": env.event,
                        "leaf_hash": hex_lower(&ev.leaf_hash),
                        "record": crate::api::record_base64(&ev.bytes),
                    }));
                }
            }
            Ok(())
        })
        .or_else(|e| if matches!(e, coldset_app::ports::StoreError::Conflict(_)) { Ok(()) } else { Err(e) })?;
        let checkpoint = app2.latest_checkpoint(&production)?;
        let proof = match &checkpoint {
            Some(cp) if cp.size > incident.id => {
                let pr = app2.inclusion_proof(&production, incident.id, cp.size)?;
                Some(json!({"leaf_hash": hex_lower(&pr.leaf_hash), "tree_size": pr.tree_size,
                            "path": pr.path.iter().map(|h| hex_lower(h)).collect::<Vec<_>>()}))
            }
            _ => None,
        };
        Ok(json!({
            "incident": incident.id,
            "log_size_at_incident": incident.log_size,
            "custody_chain": chain,
            "checkpoint": checkpoint.map(|c| json!({"size": c.size, "root": hex_lower(&c.root), "note": c.note})),
            "inclusion_proof": proof,
        }))
    })
    .await
    .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "internal", "the request was interrupted"))??;
    let mut bundle = bundle;
    bundle["ammunition_counts"] = json!(counts);
    Ok(Json(bundle))
}
