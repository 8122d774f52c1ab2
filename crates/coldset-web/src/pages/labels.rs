//! The label sheet: every firearm's and container's QR label on one sheet that prints
//! cleanly from the browser. The labels flow in a grid on screen and in print, and print
//! never splits a label across pages.

use crate::extract::PageReader;
use crate::html::production_page;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::html;

pub(super) async fn label_sheet(
    Path(p): Path<String>,
    axum::Extension(options): axum::Extension<crate::Options>,
    PageReader(state): PageReader,
    headers: HeaderMap,
) -> Response {
    let base = crate::html::base_url(&headers, options);
    let body = html! {
        style {
            ".labels{display:flex;flex-wrap:wrap;gap:1rem;padding:0;list-style:none}\
             .labels li{border:1px dashed var(--line);padding:0.5rem;width:10rem;text-align:center;break-inside:avoid}\
             @media print{header,nav,.no-print{display:none}.labels li{border-color:#000}}"
        }
        h1 { "Labels" }
        p.no-print {
            "Print this page (Ctrl+P) and fix each label to its case. Each code opens the firearm's or container's page. "
            a href={ "/p/" (p) "/board" } { "Live board" }
        }
        @if crate::html::is_loopback_url(&base) {
            p class="warn no-print" role="alert" {
                "These codes open " (base) ", which only this computer can reach: a phone that scans them will find \
                 nothing. Start coldset with public_url set to the address phones use (for example \
                 https://armory-laptop.local:8443), then print."
            }
        }
        ul.labels {
            @for f in state.firearms.values() {
                li {
                    img src={ "/p/" (p) "/firearms/" (f.id) "/label.svg" } alt={ "QR code for " (f.id) } width="120" height="120";
                    br; strong { (f.id) } br; (f.make) " " (f.model) br; "serial " (f.serial)
                }
            }
            @for c in state.containers.values() {
                li {
                    img src={ "/p/" (p) "/containers/" (c.id) "/label.svg" } alt={ "QR code for container " (c.label) } width="120" height="120";
                    br; strong { (c.label) } br; (c.class) " " (c.calibre)
                }
            }
            @if state.firearms.is_empty() && state.containers.is_empty() { li { "No firearms or containers yet." } }
        }
    };
    production_page(&p, "Labels", body).into_response()
}
