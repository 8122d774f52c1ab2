//! A tiny HTML toolkit: escaping and the page frame. No template engine: pages are plain
//! functions, so what a page shows is easy to follow from its handler.

use std::fmt::Write;

/// Escapes text for HTML element content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { color-scheme: light dark; --fg:#111; --bg:#fafafa; --muted:#555; --line:#ccc; --warn:#8a1c00; --ok:#0b5d1e; }
@media (prefers-color-scheme: dark) { :root { --fg:#eee; --bg:#121212; --muted:#bbb; --line:#444; --warn:#ff9f80; --ok:#8fe3a3; } }
body { font: 16px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
header, main { padding: 0.75rem 1rem; max-width: 72rem; margin: auto; }
header { border-bottom: 1px solid var(--line); }
a { color: inherit; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
caption { text-align: left; font-weight: 600; padding: 0.5rem 0; }
.muted { color: var(--muted); }
.warn { color: var(--warn); font-weight: 600; }
.ok { color: var(--ok); }
@media (max-width: 40rem) { th, td { padding: 0.25rem; font-size: 0.9rem; } }
/* Nothing may push a 360 px phone screen sideways: fields shrink, long keys wrap. */
input, select, textarea { max-width: 100%; box-sizing: border-box; font: inherit; }
img, svg { max-width: 100%; height: auto; }
p, li, td, code, pre { overflow-wrap: anywhere; }
nav ul { list-style: none; padding: 0; margin: 0 0 0.5rem; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; }
form { margin: 0.5rem 0; }
button { font: inherit; padding: 0.45rem 0.9rem; min-height: 2.75rem; }
.card { border: 1px solid var(--line); padding: 0.5rem 0.75rem; margin: 0.5rem 0; border-radius: 4px; }
pre { white-space: pre-wrap; }
"#;

/// This server as a phone must reach it: the configured public URL, else the host the
/// browser used, with `https` when the server speaks TLS.
pub(crate) fn base_url(headers: &axum::http::HeaderMap, options: crate::Options) -> String {
    if let Some(url) = options.public_url {
        return url.to_owned();
    }
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("{}://{host}", if options.tls { "https" } else { "http" })
}

/// Whether that address is one only this computer can open: printed labels would not open
/// on any phone.
pub(crate) fn is_loopback_base(base: &str) -> bool {
    let authority = base.split("://").nth(1).unwrap_or(base);
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// An SVG QR code linking to `path` on this server, as the phone that scans it must reach
/// it (`base_url`).
pub(crate) fn qr_code(
    headers: &axum::http::HeaderMap,
    options: crate::Options,
    path: &str,
    size: u32,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    match qrcode::QrCode::new(format!("{}{path}", base_url(headers, options)).as_bytes()) {
        Ok(code) => {
            let svg = code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(size, size).build();
            ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response()
        }
        // Only an address longer than any real id makes can be too long for a QR code.
        Err(_) => (StatusCode::BAD_REQUEST, "this address is too long for a QR code").into_response(),
    }
}

/// Wraps a page body in the common frame.
pub fn page(title: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 2048);
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · coldset</title><style>{STYLE}</style></head><body>\
         <header><a href=\"/\"><strong>coldset</strong></a> · chain of custody for set firearms</header>\
         <main>{body}</main></body></html>",
        esc(title)
    );
    out
}

/// The pages of one production, reached from every one of them.
const PRODUCTION_PAGES: &[(&str, &str)] = &[
    ("", "Inventory"),
    ("/today", "Today"),
    ("/scan", "Scan"),
    ("/day", "Day"),
    ("/ammunition", "Ammunition"),
    ("/board", "Board"),
    ("/oversight", "Oversight"),
    ("/audit", "Audit"),
];

/// A page of a production: the frame with the production's navigation above the body.
pub fn production_page(production: &str, title: &str, body: &str) -> String {
    let mut nav = String::from("<nav aria-label=\"Production\"><ul>");
    for (path, name) in PRODUCTION_PAGES {
        let _ = write!(nav, "<li><a href=\"/p/{}{path}\">{name}</a></li>", esc(production));
    }
    nav.push_str("</ul></nav>");
    // Every production page makes its device a witness of the production's ledger.
    page(title, &format!("{nav}{body}{}", crate::witness::script_tag(production)))
}

/// Whether a path taken from a form or a scanned code may be redirected to: a path of this
/// server made of plain URL characters only (no scheme, no `//`, no control characters,
/// which could not even go into a `Location` header).
pub(crate) fn is_safe_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.contains("//")
        && path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.~?=&%".contains(&b))
}

/// A person's name as pages show it (their id if the record is missing).
pub(crate) fn person_name(state: &coldset_domain::ProductionState, person: &coldset_domain::ids::PersonId) -> String {
    state.people.get(person).map_or(person.to_string(), |p| p.name.clone())
}

/// Who or where holds a firearm or container, as pages show it: a person's name, or
/// "in" a storage location.
pub(crate) fn holder_name(state: &coldset_domain::ProductionState, holder: &coldset_domain::model::Holder) -> String {
    match holder {
        coldset_domain::model::Holder::Person { person } => person_name(state, person),
        coldset_domain::model::Holder::Storage { location } => {
            state.locations.get(location).map_or(location.to_string(), |l| format!("in {}", l.name))
        }
    }
}

/// A script served as a file (`/static/...`), so the content policy can forbid inline
/// scripts.
pub(crate) fn script(source: &'static str) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(axum::http::header::CONTENT_TYPE, "text/javascript; charset=utf-8")], source).into_response()
}
