//! The label sheet: every firearm's and container's QR label, on a page that prints from
//! the browser and as a PDF for common label stocks (`labels.pdf?stock=avery-5160|l7160|
//! thermal-2x1`, made by coldset-print). Both come from [`sheet`]: which items get a label,
//! the safety marking each carries, and the page its code opens. A lot is labelled through
//! the containers its rounds are in: a container holding rounds of a lot not verified
//! (quarantined or rejected) is marked QUARANTINED.

use crate::extract::PageReader;
use crate::html::production_page;
use axum::extract::{Path, Query};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use coldset_domain::model::{AmmoClass, Container, FirearmKind, LotStateKind};
use coldset_domain::ProductionState;
use coldset_print::{Label, Marking, Stock};
use maud::html;

/// One item of the sheet: its label, and the address of its SVG code for the page.
pub(crate) struct Item {
    pub(crate) label: Label,
    svg: String,
}

/// The marking a firearm's label carries.
pub(crate) fn firearm_marking(kind: FirearmKind) -> Marking {
    match kind {
        FirearmKind::RealFiring => Marking::RealFiring,
        FirearmKind::BlankAdapted => Marking::BlankAdapted,
        FirearmKind::Replica => Marking::ReplicaNonFiring,
        FirearmKind::RubberTraining => Marking::Rubber,
    }
}

/// The marking a container's label carries: QUARANTINED while it holds rounds of a lot not
/// verified, else its class.
pub(crate) fn container_marking(state: &ProductionState, c: &Container) -> Marking {
    let unverified =
        c.contents.keys().any(|lot| state.lots.get(lot).is_some_and(|l| l.state.kind() != LotStateKind::Verified));
    match &c.class {
        _ if unverified => Marking::Quarantined,
        AmmoClass::Dummy => Marking::Dummy,
        AmmoClass::Blank { .. } => Marking::Blank,
        AmmoClass::Live => Marking::LiveRangeOnly,
    }
}

/// Every firearm, then every container, each with the page its code opens on `base`.
pub(crate) fn sheet(state: &ProductionState, base: &str, p: &str) -> Vec<Item> {
    let firearms = state.firearms.values().map(|f| Item {
        label: Label {
            marking: firearm_marking(f.kind),
            title: format!("{} {}", f.make, f.model),
            lines: vec![format!("serial {}", f.serial), format!("{} · {}", f.id, f.calibre)],
            url: format!("{base}/p/{p}/firearms/{}", f.id),
        },
        svg: format!("/p/{p}/firearms/{}/label.svg", f.id),
    });
    let containers = state.containers.values().map(|c| {
        let lots: Vec<&str> = c.contents.keys().map(|l| l.as_str()).collect();
        let mut lines = vec![format!("{} {}", c.class, c.calibre)];
        if !lots.is_empty() {
            lines.push(format!("{} · lot {}", c.id, lots.join(", ")));
        } else {
            lines.push(c.id.to_string());
        }
        Item {
            label: Label {
                marking: container_marking(state, c),
                title: c.label.clone(),
                lines,
                url: format!("{base}/p/{p}/containers/{}", c.id),
            },
            svg: format!("/p/{p}/containers/{}/label.svg", c.id),
        }
    });
    firearms.chain(containers).collect()
}

/// What the labels' codes would open when only this computer can reach it, said plainly.
fn loopback_warning(base: &str) -> String {
    format!(
        "These codes open {base}, which only this computer can reach: a phone that scans them will find \
         nothing. Start coldset with public_url set to the address phones use (for example \
         https://armory-laptop.local:8443), then print."
    )
}

pub(super) async fn label_sheet(
    Path(p): Path<String>,
    axum::Extension(options): axum::Extension<crate::Options>,
    PageReader(state): PageReader,
    headers: HeaderMap,
) -> Response {
    let base = crate::html::base_url(&headers, options);
    let loopback = crate::html::is_loopback_url(&base);
    let items = sheet(&state, &base, &p);
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
        @if loopback {
            p class="warn no-print" role="alert" {
                (loopback_warning(&base)) " The PDF sheets for label stock (Avery 5160, L7160, thermal 2 × 1 inch)                  are offered once it is set."
            }
        } @else {
            @if options.public_url.is_none() {
                p class="no-print" {
                    "No public_url is set: these codes open " (base) ", the address this browser used. \
                     Check that phones on set reach it before printing."
                }
            }
            p.no-print {
                "Or print them on label stock, as a PDF: "
                @for (i, stock) in Stock::ALL.into_iter().enumerate() {
                    @if i > 0 { ", " }
                    a href={ "/p/" (p) "/labels.pdf?stock=" (stock.slug()) } { (stock.name()) }
                }
                "."
            }
        }
        ul.labels {
            @for item in &items {
                li {
                    img src=(item.svg) alt={ "QR code for " (item.label.title) } width="120" height="120";
                    br; strong { (item.label.marking.words()) }
                    br; strong { (item.label.title) }
                    @for line in &item.label.lines { br; (line) }
                }
            }
            @if items.is_empty() { li { "No firearms or containers yet." } }
        }
    };
    production_page(&p, "Labels", body).into_response()
}

#[derive(serde::Deserialize)]
pub(super) struct StockQuery {
    stock: Option<String>,
}

/// The label sheet as a PDF for a label stock. Refused, with the reason and the fix, when
/// the codes would open an address only this computer reaches: such labels scan to
/// nothing on a phone, and a printed sheet is not taken back.
pub(super) async fn label_pdf(
    Path(p): Path<String>,
    Query(q): Query<StockQuery>,
    axum::Extension(options): axum::Extension<crate::Options>,
    PageReader(state): PageReader,
    headers: HeaderMap,
) -> Response {
    let stocks = Stock::ALL.map(Stock::slug).join(", ");
    let Some(stock) = q.stock.as_deref().and_then(Stock::parse) else {
        let body = html! {
            h1 { "Which label stock?" }
            p role="alert" { "Ask for one of: " (stocks) "." }
            p { a href={ "/p/" (p) "/labels" } { "Back to the labels" } }
        };
        return (StatusCode::BAD_REQUEST, production_page(&p, "Labels", body)).into_response();
    };
    let base = crate::html::base_url(&headers, options);
    if crate::html::is_loopback_url(&base) {
        let body = html! {
            h1 { "Labels not printed" }
            p class="warn" role="alert" { (loopback_warning(&base)) }
            p { a href={ "/p/" (p) "/labels" } { "Back to the labels" } }
        };
        return (StatusCode::CONFLICT, production_page(&p, "Labels", body)).into_response();
    }
    let labels: Vec<Label> = sheet(&state, &base, &p).into_iter().map(|i| i.label).collect();
    let title = format!("Labels of {} ({})", state.info.as_ref().map_or(p.as_str(), |x| x.name.as_str()), stock.name());
    let rendered = tokio::task::spawn_blocking(move || coldset_print::render_labels(&labels, stock, &title)).await;
    match rendered {
        Ok(Ok(pdf)) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (header::CONTENT_DISPOSITION, format!("inline; filename=\"labels-{p}-{}.pdf\"", stock.slug())),
            ],
            pdf,
        )
            .into_response(),
        Ok(Err(e)) => {
            tracing::error!("label sheet of {p}: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "The label sheet could not be made.").into_response()
        }
        Err(e) => {
            tracing::error!("label sheet of {p}: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "The label sheet could not be made.").into_response()
        }
    }
}
