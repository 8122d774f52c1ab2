//! Ledger endpoints: signed checkpoints, inclusion and consistency proofs, the verifier key.
//! Proofs are built from the stored tree nodes on a blocking thread.

use crate::api::blocking;
use crate::api::{hex_lower, parse_production};
use crate::error::ApiError;
use crate::error::ApiQuery;
use crate::wire;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use coldset_app::App;
use serde::Deserialize;
use serde_json::Value;

pub(crate) async fn verifier_key(State(app): State<App>) -> Result<String, ApiError> {
    app.checkpointer().map(|c| c.verifier_key()).ok_or_else(|| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "ledger.unsigned", "this server signs no checkpoints")
    })
}

/// The signed key rotations that handed the log to the current key, oldest first (docs/ledger.md):
/// a witness that pinned an older key follows them to the current one.
pub(crate) async fn key_rotations(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    let checkpointer = app.checkpointer().ok_or_else(|| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "ledger.unsigned", "this server signs no checkpoints")
    })?;
    Ok(wire::answer(&wire::answers::KeyRotations { items: checkpointer.key_rotations() }))
}

pub(crate) async fn latest_checkpoint(State(app): State<App>, Path(p): Path<String>) -> Result<Json<Value>, ApiError> {
    let production = parse_production(&p)?;
    app.state(&production)?;
    let cp = blocking(move || app.latest_checkpoint(&production)).await?;
    let cp = cp.ok_or_else(|| ApiError::not_found("no checkpoint has been signed for this production yet"))?;
    Ok(wire::answer(&wire::answers::Checkpoint::from(&cp)))
}

pub(crate) async fn checkpoints(State(app): State<App>, Path(p): Path<String>) -> Result<Json<Value>, ApiError> {
    let production = parse_production(&p)?;
    app.state(&production)?;
    let all = blocking(move || app.checkpoints(&production)).await?;
    Ok(wire::answer(&wire::answers::Checkpoints { items: all.iter().map(Into::into).collect() }))
}

/// The witnesses' cosignatures kept for a production's checkpoints, each as the checkpoint's
/// note with the witness's signature lines: public, as a tlog-proof carrying them is, so
/// `coldset verify --record --url` can tell a compliance pack that left one out
/// (docs/records.md) without one request per checkpoint.
pub(crate) async fn cosignatures(State(app): State<App>, Path(p): Path<String>) -> Result<Json<Value>, ApiError> {
    let production = parse_production(&p)?;
    app.state(&production)?;
    let notes = blocking(move || app.cosigned_notes(&production)).await?;
    let items = notes
        .into_iter()
        .filter_map(|note| {
            // The note's body: origin, size, root.
            let size = note.lines().nth(1)?.parse().ok()?;
            Some(wire::answers::CosignedCheckpoint { size, note })
        })
        .collect();
    Ok(wire::answer(&wire::answers::Cosignatures { items }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InclusionQuery {
    seq: u64,
    /// Tree size to prove against; defaults to the latest signed checkpoint.
    size: Option<u64>,
    /// `json` (the default) or `tlog-proof` (C2SP tlog-proof: the proof with its signed
    /// checkpoint and the witnesses' cosignatures, as one text).
    format: Option<String>,
}

pub(crate) async fn inclusion(
    State(app): State<App>,
    Path(p): Path<String>,
    ApiQuery(q): ApiQuery<InclusionQuery>,
) -> Result<Response, ApiError> {
    let production = parse_production(&p)?;
    app.state(&production)?;
    match q.format.as_deref() {
        None | Some("json") => {}
        Some("tlog-proof") => return tlog_proof(app, production, q.seq, q.size).await,
        Some(other) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "input.invalid",
                format!("format={other}: the formats are json and tlog-proof"),
            ))
        }
    }
    let proof = blocking(move || {
        let size = match q.size {
            Some(s) => s,
            None => app.latest_checkpoint(&production)?.map(|c| c.size).unwrap_or(0),
        };
        app.inclusion_proof(&production, q.seq, size)
    })
    .await?;
    Ok(wire::answer(&wire::answers::InclusionProof {
        leaf_index: proof.leaf_index,
        tree_size: proof.tree_size,
        leaf_hash: hex_lower(&proof.leaf_hash),
        root: hex_lower(&proof.root),
        path: proof.path.iter().map(|h| hex_lower(h)).collect(),
    })
    .into_response())
}

/// One event's proof as a C2SP tlog-proof (docs/ledger.md): its index, its inclusion proof
/// and the signed checkpoint of `size` events (the latest when not given) with the
/// cosignatures witnesses gave it, so it is checked offline with the log's key alone.
async fn tlog_proof(
    app: App,
    production: coldset_domain::ids::ProductionId,
    seq: u64,
    size: Option<u64>,
) -> Result<Response, ApiError> {
    let name = format!("{production}-event-{seq}.tlog-proof");
    let text = blocking(move || {
        let checkpoint = match size {
            Some(s) => app.checkpoint_at(&production, s)?,
            None => app.latest_checkpoint(&production)?,
        };
        let Some(checkpoint) = checkpoint else {
            return Ok(None);
        };
        let proof = app.inclusion_proof(&production, seq, checkpoint.size)?;
        let cosigned = app.cosigned_notes(&production)?;
        Ok(Some(
            coldset_ledger::TlogProof {
                extra: None,
                index: seq,
                hashes: proof.path,
                checkpoint: coldset_app::ledger::with_cosignatures(&checkpoint.note, &cosigned),
            }
            .encode(),
        ))
    })
    .await?;
    let text = text.ok_or_else(|| match size {
        Some(s) => ApiError::not_found(format!("no checkpoint of {s} events was signed")),
        None => ApiError::not_found("no checkpoint has been signed for this production yet"),
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        text,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsistencyQuery {
    from: u64,
    to: u64,
}

pub(crate) async fn consistency(
    State(app): State<App>,
    Path(p): Path<String>,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> Result<Json<Value>, ApiError> {
    let production = parse_production(&p)?;
    app.state(&production)?;
    let proof = blocking(move || app.consistency_proof(&production, q.from, q.to)).await?;
    Ok(wire::answer(&wire::answers::ConsistencyProof {
        old_size: proof.old_size,
        new_size: proof.new_size,
        old_root: hex_lower(&proof.old_root),
        new_root: hex_lower(&proof.new_root),
        path: proof.path.iter().map(|h| hex_lower(h)).collect(),
    }))
}
