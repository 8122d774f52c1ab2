//! The page frame and what several pages show alike. Pages are written with maud's `html!`
//! (docs/adr/0003-templates.md): every value put into a page is escaped unless it is
//! `Markup` already, so no page escapes anything by hand.

use crate::assets::Asset;
use axum::response::Html;
use maud::{html, Markup, DOCTYPE};

/// This server as a phone must reach it: the configured public URL, else the host the
/// browser used, with `https` when the server speaks TLS.
pub(crate) fn base_url(headers: &axum::http::HeaderMap, options: crate::Options) -> String {
    if let Some(url) = options.public_url {
        return url.to_owned();
    }
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("{}://{host}", if options.tls { "https" } else { "http" })
}

/// Whether an address (`http(s)://host[:port]`) is one only this computer can open
/// (localhost, 127.x, ::1): printed labels would not open on any phone. The binary warns
/// with it at start too.
pub fn is_loopback_url(base: &str) -> bool {
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
pub fn page(title: &str, body: Markup) -> Html<String> {
    Html(frame(title, body, false).into_string())
}

/// A page for someone signed in: the frame with their account and a sign-out button at the
/// top, on every such page.
pub fn signed_in_page(title: &str, body: Markup) -> Html<String> {
    Html(frame(title, body, true).into_string())
}

fn frame(title: &str, body: Markup, signed_in: bool) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · coldset" }
                link rel="stylesheet" href=(Asset::Style.url());
            }
            body {
                header {
                    a href="/" { strong { "coldset" } }
                    span.muted { "chain of custody for set firearms" }
                    @if signed_in {
                        span.account { a href="/account" { "Account" } (crate::pages::sign_out_form()) }
                    }
                }
                main { (body) }
            }
        }
    }
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
    ("/records", "Records"),
    ("/setup", "Set-up"),
];

/// A page of a production: the frame with the production's navigation above the body.
pub fn production_page(production: &str, title: &str, body: Markup) -> Html<String> {
    signed_in_page(
        title,
        html! {
            nav aria-label="Production" {
                ul {
                    @for (path, name) in PRODUCTION_PAGES {
                        li { a href={ "/p/" (production) (path) } { (name) } }
                    }
                }
            }
            (body)
            // Every production page makes its device a witness of the production's ledger.
            (crate::witness::script_tag(production))
            script src=(Asset::Forms.url()) {}
        },
    )
}

/// Whether a path taken from a form or a scanned code may be redirected to: a path of this
/// server made of plain URL characters only (no scheme, no `//`, no control characters,
/// which could not even go into a `Location` header).
pub(crate) fn is_safe_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.contains("//")
        && path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.~?=&%".contains(&b))
}

/// A moment as the pages show it: in the production's time zone, to the minute
/// ([`coldset_app::history::local_time`]).
pub(crate) fn when(state: &coldset_domain::ProductionState, at: coldset_domain::Timestamp) -> String {
    coldset_app::history::local_time(state, at)
}

/// [`when`] for a time zone by name.
pub(crate) fn local_minute(zone: &str, at: coldset_domain::Timestamp) -> String {
    coldset_app::history::local_time_in(zone, at)
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

/// "Recorded: …" at the top of the page a step goes back to, naming the event's number.
pub(crate) fn recorded_banner(state: &coldset_domain::ProductionState, event: &coldset_domain::Envelope) -> Markup {
    html! {
        div.banner.ok role="status" {
            p { strong { "Recorded: " } (crate::pages::history::what(state, &event.event)) " · #" (event.seq) }
        }
    }
}

/// The event a page's `?recorded=SEQ` names, to say what was just recorded; none if the
/// number names nothing (a link kept from before shows no banner rather than a wrong one).
pub(crate) async fn recorded_event(
    app: &coldset_app::App,
    production: &str,
    seq: Option<u64>,
) -> Option<coldset_domain::Envelope> {
    let (seq, production) = (seq?, coldset_domain::ids::ProductionId::parse(production).ok()?);
    let app = app.clone();
    let stored = tokio::task::spawn_blocking(move || app.event(&production, seq)).await.ok()?.ok()??;
    coldset_domain::Envelope::decode(&stored.bytes).ok()
}
