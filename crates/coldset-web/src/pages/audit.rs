//! The auditor's page: the ledger's status, its latest signed checkpoints, and one event
//! looked up by sequence number with its inclusion proof against the newest checkpoint.
//!
//! The proof is checked twice. The server checks it with the ledger crate and says so; and
//! the page's script checks it again in the auditor's own browser, trusting nothing the
//! server computed: it hashes the event's bytes into the leaf, walks the proof to a root
//! (RFC 9162), compares that with the root inside the signed checkpoint, and verifies the
//! checkpoint's Ed25519 signature with the verifier key through WebCrypto. The auditor
//! compares that key with the copy they pinned; `coldset verify` does the same offline.

use crate::api::{blocking, hex_lower};
use crate::extract::PageReader;
use crate::html::production_page;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use coldset_app::ports::{StoredCheckpoint, StoredEvent};
use coldset_app::App;
use maud::{html, Markup};
use serde::Deserialize;

pub(crate) fn routes() -> Router<App> {
    Router::new().route("/p/{production}/audit", get(audit))
}

/// How many of the newest checkpoints the page lists.
const RECENT_CHECKPOINTS: u32 = 10;

#[derive(Debug, Deserialize)]
struct AuditQuery {
    seq: Option<String>,
}

/// What the server found for a looked-up event.
struct Lookup {
    event: StoredEvent,
    proof: Result<coldset_app::ledger::InclusionProof, String>,
}

async fn audit(
    State(app): State<App>,
    Path(p): Path<String>,
    Query(q): Query<AuditQuery>,
    PageReader(state): PageReader,
) -> Response {
    let Ok(production) = crate::api::parse_production(&p) else {
        return crate::extract::page_refusal(&crate::error::ApiError::not_found("no such production"), "/");
    };
    let key = app.checkpointer().map(|c| c.verifier_key());
    let seq = q.seq.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.parse::<u64>());
    let app2 = app.clone();
    let wanted = seq.clone().and_then(Result::ok);
    let loaded = blocking(move || {
        let checkpoints = app2.recent_checkpoints(&production, RECENT_CHECKPOINTS)?;
        let count = app2.event_count(&production)?;
        let lookup = match wanted {
            None => None,
            Some(seq) => app2.event(&production, seq)?.map(|event| {
                let size = checkpoints.first().map_or(0, |c| c.size);
                let proof = app2.inclusion_proof(&production, seq, size).map_err(|e| e.to_string());
                Lookup { event, proof }
            }),
        };
        Ok((checkpoints, count, lookup))
    })
    .await;
    let (checkpoints, count, lookup) = match loaded {
        Ok(x) => x,
        Err(e) => return crate::forms::refusal_page("Audit", &e, &format!("/p/{p}/audit")),
    };
    let name = state.info.as_ref().map_or(p.as_str(), |i| i.name.as_str());
    let zone = state.info.as_ref().map_or("UTC", |i| i.time_zone.as_str());
    let body = view((name, zone), count, &checkpoints, key.as_deref(), q.seq.as_deref(), seq, lookup);
    production_page(&p, "Audit", body).into_response()
}

/// `production`: its name and time zone.
fn view(
    (name, zone): (&str, &str),
    count: u64,
    checkpoints: &[StoredCheckpoint],
    key: Option<&str>,
    asked: Option<&str>,
    seq: Option<Result<u64, std::num::ParseIntError>>,
    lookup: Option<Lookup>,
) -> Markup {
    let latest = checkpoints.first();
    html! {
        h1 { "Ledger of " (name) }
        p { (count) " events recorded." }
        @match (latest, key) {
            (Some(cp), Some(key)) => {
                h2 { "Latest signed checkpoint" }
                p {
                    (cp.size) " events, signed " (crate::html::local_minute(zone, cp.at)) ". "
                    @if signed_by(cp, key) {
                        span.ok { "The server checked its signature." }
                    } @else {
                        span.warn { "Its signature does not verify with this server's key." }
                    }
                }
                pre id="checkpoint" { (cp.note) }
                p { "Verifier key (compare it with your pinned copy):" }
                pre id="verifier-key" { (key) }
            }
            _ => p.warn { "No checkpoint has been signed for this production yet." },
        }
        @if checkpoints.len() > 1 {
            table {
                caption { "Recent checkpoints" }
                thead { tr { th scope="col" { "Events" } th scope="col" { "Signed at" } th scope="col" { "Root" } } }
                tbody {
                    @for cp in checkpoints {
                        tr { td { (cp.size) } td { (crate::html::local_minute(zone, cp.at)) } td { code { (hex_lower(&cp.root)) } } }
                    }
                }
            }
        }
        h2 { "Look up an event" }
        form method="get" {
            label { "Sequence number " input name="seq" inputmode="numeric" size="8" value=(asked.unwrap_or_default()); }
            " "
            button type="submit" { "Look up" }
        }
        @match (seq, lookup) {
            (Some(Err(_)), _) => p.warn role="alert" { "A sequence number is a whole number, starting at 0." },
            (Some(Ok(n)), None) => p.warn role="alert" {
                "There is no event " (n) ": the log has " (count) " events (0 to " (count.saturating_sub(1)) ")."
            },
            (_, Some(l)) => (event_section(&l, latest, key)),
            (None, None) => {}
        }
    }
}

/// Whether the checkpoint's note is signed by this server's key and names its size and root.
fn signed_by(cp: &StoredCheckpoint, key: &str) -> bool {
    coldset_ledger::VerifierKey::parse(key)
        .ok()
        .and_then(|k| coldset_ledger::open_checkpoint(&cp.note, &k).ok())
        .is_some_and(|c| c.size == cp.size && c.root == cp.root)
}

fn event_section(l: &Lookup, latest: Option<&StoredCheckpoint>, key: Option<&str>) -> Markup {
    let pretty = serde_json::from_slice::<serde_json::Value>(&l.event.bytes)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| String::from_utf8_lossy(&l.event.bytes).into_owned());
    let head = html! {
        h3 { "Event " (l.event.seq) " (" (l.event.kind) ")" }
        pre { (pretty) }
        p { "Leaf hash " code { (hex_lower(&l.event.leaf_hash)) } }
    };
    let proof = match &l.proof {
        Ok(proof) => proof,
        Err(why) => {
            return html! {
                (head)
                p.warn {
                    "No inclusion proof yet: " (why)
                    ". Checkpoints are signed every second while events arrive; look again in a moment."
                }
            }
        }
    };
    let recomputed = coldset_ledger::leaf_hash(&l.event.bytes);
    let server_ok = recomputed == proof.leaf_hash
        && coldset_ledger::verify_inclusion(&recomputed, proof.leaf_index, proof.tree_size, &proof.path, &proof.root)
            .is_ok()
        && latest.is_some_and(|c| c.size == proof.tree_size && c.root == proof.root);
    // Everything the browser needs to check it on its own.
    let path: Vec<String> = proof.path.iter().map(|h| hex_lower(h)).collect();
    html! {
        (head)
        p { "Inclusion proof against the checkpoint of " (proof.tree_size) " events: " (proof.path.len()) " hashes." }
        p {
            @if server_ok {
                span.ok { "The server verified it." }
            } @else {
                span.warn { "The server could not verify it: this event is not provably in the signed log." }
            }
        }
        div id="proof" data-leaf=(base64::engine::general_purpose::STANDARD.encode(&l.event.bytes))
            data-index=(proof.leaf_index) data-size=(proof.tree_size) data-path=(path.join(","))
            data-note=(latest.map_or("", |c| c.note.as_str())) data-key=(key.unwrap_or_default()) {}
        p { strong { "Checked in this browser:" } " " output id="browser-check" aria-live="polite" { "checking…" } }
        script src=(crate::assets::Asset::Audit.url()) {}
    }
}
