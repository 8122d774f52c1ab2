//! The style sheet and the scripts, files under `crates/coldset-web/assets/` embedded in the
//! binary (a set with no internet still has them), served at names that carry a hash of their
//! content (`/assets/board.1f0c3a9e5d7b2c48.js`). A browser may so keep each for a year
//! without asking again (`immutable`): a new build that changes a file changes its name, and
//! the pages name the new one. A client that accepts gzip gets them compressed.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use coldset_app::App;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Each file the pages use. An enum rather than names, so a page cannot name a missing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asset {
    Style,
    Board,
    Audit,
    Passkey,
    Scan,
    Witness,
    /// One-tap copy buttons (`button[data-copy]`).
    Copy,
    /// Step forms sent in the background (`form[data-action]`).
    Forms,
    /// The QR decoder for browsers without a barcode detector: npm's `jsqr`, see
    /// `assets/vendor/README.md` and docs/adr/0003-templates.md.
    Jsqr,
}

const JS: &str = "text/javascript; charset=utf-8";

impl Asset {
    const ALL: [Asset; 9] = [
        Asset::Style,
        Asset::Board,
        Asset::Audit,
        Asset::Passkey,
        Asset::Scan,
        Asset::Witness,
        Asset::Copy,
        Asset::Forms,
        Asset::Jsqr,
    ];

    /// Name, extension, content and its type.
    fn file(self) -> (&'static str, &'static str, &'static [u8], &'static str) {
        match self {
            Asset::Style => ("app", "css", include_bytes!("../assets/app.css"), "text/css; charset=utf-8"),
            Asset::Board => ("board", "js", include_bytes!("../assets/board.js"), JS),
            Asset::Audit => ("audit", "js", include_bytes!("../assets/audit.js"), JS),
            Asset::Passkey => ("passkey", "js", include_bytes!("../assets/passkey.js"), JS),
            Asset::Scan => ("scan", "js", include_bytes!("../assets/scan.js"), JS),
            Asset::Witness => ("witness", "js", include_bytes!("../assets/witness.js"), JS),
            Asset::Copy => ("copy", "js", include_bytes!("../assets/copy.js"), JS),
            Asset::Forms => ("forms", "js", include_bytes!("../assets/forms.js"), JS),
            Asset::Jsqr => ("jsQR", "js", include_bytes!("../assets/vendor/jsqr/jsQR.js"), JS),
        }
    }

    /// The file's address, with its content hash.
    pub(crate) fn url(self) -> &'static str {
        &URLS[self as usize]
    }
}

/// Computed once: hashing the files (jsQR is 250 KB) takes about a millisecond.
static URLS: LazyLock<[String; 9]> = LazyLock::new(|| {
    Asset::ALL.map(|a| {
        let (name, ext, body, _) = a.file();
        let digest = Sha256::digest(body);
        let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("/assets/{name}.{hash}.{ext}")
    })
});

pub(crate) fn routes() -> Router<App> {
    Router::new().route("/assets/{file}", get(serve)).layer(tower_http::compression::CompressionLayer::new().gzip(true))
}

async fn serve(Path(file): Path<String>) -> Response {
    let wanted = format!("/assets/{file}");
    let Some(asset) = Asset::ALL.into_iter().find(|a| a.url() == wanted) else {
        // An old name after an upgrade, or a made-up one: never cached.
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let (_, _, body, content_type) = asset.file();
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn every_file_has_its_own_hashed_name() {
        let urls: std::collections::BTreeSet<&str> = Asset::ALL.iter().map(|a| a.url()).collect();
        assert_eq!(urls.len(), Asset::ALL.len());
        assert!(Asset::Board.url().starts_with("/assets/board.") && Asset::Board.url().ends_with(".js"));
        assert_eq!(Asset::Style.url().len(), "/assets/app..css".len() + 16);
    }
}
