//! The scan page: opens a firearm or container from its label, read by the phone camera
//! (the browser's barcode detector where there is one, else jsQR), a keyboard-wedge scanner
//! (which types the code and presses Enter), or the code typed by hand.

use crate::extract::PageReader;
use crate::html::production_page;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use coldset_domain::ProductionState;
use maud::html;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct ScanQuery {
    code: Option<String>,
}

/// The page a code opens: a label's own URL (a QR code), or a firearm's id or serial, or a
/// container's id or label, typed or sent by a wedge scanner.
fn resolve(state: &ProductionState, p: &str, code: &str) -> Option<String> {
    let code = code.trim();
    let prefix = format!("/p/{p}/");
    if let Some(at) = code.find(&prefix) {
        let path = &code[at..];
        let ok = path.split('/').count() == 5
            && crate::html::is_safe_local_path(path)
            && (path[prefix.len()..].starts_with("firearms/") || path[prefix.len()..].starts_with("containers/"));
        return ok.then(|| path.to_owned());
    }
    let same = |a: &str| a.eq_ignore_ascii_case(code);
    if let Some(f) = state.firearms.values().find(|f| same(f.id.as_str()) || same(&f.serial)) {
        return Some(format!("{prefix}firearms/{}", f.id));
    }
    state
        .containers
        .values()
        .find(|c| same(c.id.as_str()) || same(&c.label))
        .map(|c| format!("{prefix}containers/{}", c.id))
}

pub(super) async fn scan(Path(p): Path<String>, Query(q): Query<ScanQuery>, PageReader(state): PageReader) -> Response {
    let code = q.code.unwrap_or_default();
    let unknown = !code.trim().is_empty();
    if unknown {
        if let Some(path) = resolve(&state, &p, &code) {
            return Redirect::to(&path).into_response();
        }
    }
    let body = html! {
        h1 { "Scan a label" }
        @if unknown {
            p.warn role="alert" {
                "No firearm or container of this production has the code “" (code)
                "”. Check the label, or type the firearm's id or serial number."
            }
        }
        form method="get" id="scan-form" {
            p {
                label { "Code, serial or label " input id="code" name="code" autocomplete="off" autofocus size="20"; }
                " "
                button type="submit" { "Open" }
            }
        }
        p.muted { "A keyboard-wedge scanner types into the field and presses Enter." }
        p { button type="button" id="camera" hidden { "Scan with the camera" } }
        video id="preview" hidden muted playsinline width="320" height="240" {}
        p id="camera-status" class="muted" aria-live="polite" {}
        // The decoder's hashed address goes to the script, which loads it only when needed.
        script src=(crate::assets::Asset::Scan.url()) data-jsqr=(crate::assets::Asset::Jsqr.url()) {}
    };
    let status = if unknown { StatusCode::NOT_FOUND } else { StatusCode::OK };
    (status, production_page(&p, "Scan", body)).into_response()
}
