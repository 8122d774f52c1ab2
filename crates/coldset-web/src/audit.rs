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
use crate::html::{esc, production_page};
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use coldset_app::ports::{StoredCheckpoint, StoredEvent};
use coldset_app::App;
use serde::Deserialize;
use std::fmt::Write;

pub fn routes() -> Router<App> {
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
        return crate::error::ApiError::not_found("no such production").into_response();
    };
    let key = app.checkpointer().map(|c| c.verifier_key());
    let seq = q.seq.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.parse::<u64>());
    let store = app.store().clone();
    let wanted = seq.clone().and_then(Result::ok);
    let loaded = blocking(move || {
        let checkpoints = store.recent_checkpoints(&production, RECENT_CHECKPOINTS)?;
        let count = store.event_count(&production)?;
        let lookup = match wanted {
            None => None,
            Some(seq) => store.event(&production, seq)?.map(|event| {
                let size = checkpoints.first().map_or(0, |c| c.size);
                let proof = coldset_app::ledger::inclusion_proof(store.as_ref(), &production, seq, size)
                    .map_err(|e| e.to_string());
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
    let latest = checkpoints.first();
    let mut b = format!("<h1>Ledger of {}</h1>", esc(state.info.as_ref().map_or(p.as_str(), |i| i.name.as_str())));
    let _ = write!(b, "<p>{count} events recorded.</p>");
    match (latest, &key) {
        (Some(cp), Some(key)) => {
            let signed = coldset_ledger::VerifierKey::parse(key)
                .ok()
                .and_then(|k| coldset_ledger::open_checkpoint(&cp.note, &k).ok())
                .is_some_and(|c| c.size == cp.size && c.root == cp.root);
            let _ = write!(
                b,
                "<h2>Latest signed checkpoint</h2><p>{} events, signed {}. {}</p><pre id=\"checkpoint\">{}</pre>\
                 <p>Verifier key (compare it with your pinned copy):</p><pre id=\"verifier-key\">{}</pre>",
                cp.size,
                cp.at.to_rfc3339(),
                if signed {
                    "<span class=\"ok\">The server checked its signature.</span>"
                } else {
                    "<span class=\"warn\">Its signature does not verify with this server's key.</span>"
                },
                esc(&cp.note),
                esc(key)
            );
        }
        _ => b.push_str("<p class=\"warn\">No checkpoint has been signed for this production yet.</p>"),
    }
    if checkpoints.len() > 1 {
        b.push_str(
            "<table><caption>Recent checkpoints</caption><thead><tr><th scope=\"col\">Events</th><th scope=\"col\">Signed at</th><th scope=\"col\">Root</th></tr></thead><tbody>",
        );
        for cp in &checkpoints {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                cp.size,
                cp.at.to_rfc3339(),
                hex_lower(&cp.root)
            );
        }
        b.push_str("</tbody></table>");
    }
    let _ = write!(
        b,
        "<h2>Look up an event</h2><form method=\"get\"><label>Sequence number <input name=\"seq\" inputmode=\"numeric\" size=\"8\" value=\"{}\"></label> <button type=\"submit\">Look up</button></form>",
        esc(q.seq.as_deref().unwrap_or_default())
    );
    match (seq, lookup) {
        (Some(Err(_)), _) => {
            b.push_str("<p class=\"warn\" role=\"alert\">A sequence number is a whole number, starting at 0.</p>")
        }
        (Some(Ok(n)), None) => {
            let _ = write!(
                b,
                "<p class=\"warn\" role=\"alert\">There is no event {n}: the log has {count} events (0 to {}).</p>",
                count.saturating_sub(1)
            );
        }
        (_, Some(l)) => b.push_str(&event_section(&l, latest, key.as_deref())),
        (None, None) => {}
    }
    let page = production_page(&p, "Audit", &b);
    Html(page).into_response()
}

fn event_section(l: &Lookup, latest: Option<&StoredCheckpoint>, key: Option<&str>) -> String {
    let pretty = serde_json::from_slice::<serde_json::Value>(&l.event.bytes)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| String::from_utf8_lossy(&l.event.bytes).into_owned());
    let mut b = format!(
        "<h3>Event {} ({})</h3><pre>{}</pre><p>Leaf hash <code>{}</code></p>",
        l.event.seq,
        esc(&l.event.kind),
        esc(&pretty),
        hex_lower(&l.event.leaf_hash)
    );
    let proof = match &l.proof {
        Ok(proof) => proof,
        Err(why) => {
            let _ = write!(
                b,
                "<p class=\"warn\">No inclusion proof yet: {}. Checkpoints are signed every second while events arrive; look again in a moment.</p>",
                esc(why)
            );
            return b;
        }
    };
    let recomputed = coldset_ledger::leaf_hash(&l.event.bytes);
    let server_ok = recomputed == proof.leaf_hash
        && coldset_ledger::verify_inclusion(&recomputed, proof.leaf_index, proof.tree_size, &proof.path, &proof.root)
            .is_ok()
        && latest.is_some_and(|c| c.size == proof.tree_size && c.root == proof.root);
    let _ = write!(
        b,
        "<p>Inclusion proof against the checkpoint of {} events: {} hashes.</p><p>{}</p>",
        proof.tree_size,
        proof.path.len(),
        if server_ok {
            "<span class=\"ok\">The server verified it.</span>"
        } else {
            "<span class=\"warn\">The server could not verify it: this event is not provably in the signed log.</span>"
        }
    );
    // Everything the browser needs to check it on its own.
    let path: Vec<String> = proof.path.iter().map(|h| hex_lower(h)).collect();
    let _ = write!(
        b,
        "<div id=\"proof\" data-leaf=\"{}\" data-index=\"{}\" data-size=\"{}\" data-path=\"{}\" data-note=\"{}\" data-key=\"{}\"></div>\
         <p><strong>Checked in this browser:</strong> <output id=\"browser-check\" aria-live=\"polite\">checking…</output></p>\
         <script src=\"{}\"></script>",
        base64::engine::general_purpose::STANDARD.encode(&l.event.bytes),
        proof.leaf_index,
        proof.tree_size,
        path.join(","),
        esc(latest.map_or("", |c| c.note.as_str())),
        esc(key.unwrap_or_default()),
        crate::assets::Asset::Audit.url(),
    );
    b
}
