//! Ammunition and labels: the ammunition page (lots in quarantine and their verification,
//! intake of a new lot, every container), each container's page with its QR label, and the
//! scan page that opens a firearm or container from its label: the phone camera through the
//! browser's barcode detector where there is one, a keyboard-wedge scanner (which types the
//! code and presses Enter), or the code typed by hand.

use crate::error::ApiError;
use crate::extract::PageReader;
use crate::forms::{csrf, form, location_options, refusal_page};
use crate::html::{esc, holder_name, production_page};
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use coldset_app::App;
use coldset_domain::ids::ContainerId;
use coldset_domain::model::{Holder, LotState, VerificationMethod};
use coldset_domain::ProductionState;
use serde::Deserialize;
use std::fmt::Write;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/p/{production}/ammunition", get(ammunition))
        .route("/p/{production}/containers/{id}", get(container_page))
        .route("/p/{production}/containers/{id}/label.svg", get(container_label))
        .route("/p/{production}/scan", get(scan))
}

fn method_options() -> String {
    VerificationMethod::ALL
        .iter()
        .map(|m| format!("<option value=\"{m}\">{}</option>", m.as_str().replace('_', " ")))
        .collect()
}

/// Lots (quarantined ones with their verification form), the intake form, and containers.
async fn ammunition(Path(p): Path<String>, PageReader(state): PageReader, headers: HeaderMap) -> Response {
    let back = format!("/p/{p}/ammunition");
    let csrf = csrf(&headers);
    let mut b = String::from("<h1>Ammunition</h1>");
    for d in &state.safety.discrepancies {
        let _ = write!(
            b,
            "<p class=\"warn\" role=\"alert\">Open discrepancy (R-AMMO-7): {} {} issued to {}, {} fired, {} returned. \
             This class stays on hold until it is explained.</p>",
            d.issued,
            esc(&d.class.to_string()),
            esc(d.firearm.as_str()),
            d.fired,
            d.returned
        );
    }
    b.push_str(
        "<table><caption>Lots</caption><thead><tr><th scope=\"col\">Lot</th><th scope=\"col\">Class</th>\
         <th scope=\"col\">Calibre</th><th scope=\"col\">Rounds</th><th scope=\"col\">From</th><th scope=\"col\">State</th></tr></thead><tbody>",
    );
    for lot in state.lots.values() {
        let st = match &lot.state {
            LotState::Quarantined { reason } => format!("<strong class=\"warn\">quarantined</strong>: {}", esc(reason)),
            LotState::Verified { method, rounds_checked, .. } => {
                format!("verified ({}, {rounds_checked} checked)", method.as_str().replace('_', " "))
            }
            LotState::Rejected { reason } => format!("<strong class=\"warn\">rejected</strong>: {}", esc(reason)),
        };
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} · {}</td><td>{st}</td></tr>",
            esc(lot.id.as_str()),
            esc(&lot.class.to_string()),
            esc(&lot.calibre),
            lot.rounds,
            esc(&lot.provenance.supplier),
            esc(&lot.provenance.document),
        );
    }
    b.push_str("</tbody></table>");
    let quarantined: Vec<_> = state.lots.values().filter(|l| matches!(l.state, LotState::Quarantined { .. })).collect();
    if !quarantined.is_empty() {
        b.push_str("<h2>Verify a lot in quarantine (R-AMMO-4)</h2><p>Check every round; a round of another class rejects the lot.</p>");
    }
    for lot in quarantined {
        let fields = format!(
            "<input type=\"hidden\" name=\"lot\" value=\"{id}\"><p><strong>{id}</strong>: {rounds} {class} {calibre}</p>\
             <label>checked by <select name=\"method\">{methods}</select></label> \
             <label>rounds checked <input name=\"rounds_checked\" inputmode=\"numeric\" required size=\"4\"></label> \
             <label>rounds of another class found <input name=\"other_class_found\" inputmode=\"numeric\" size=\"3\" value=\"0\"></label> ",
            id = esc(lot.id.as_str()),
            rounds = lot.rounds,
            class = esc(&lot.class.to_string()),
            calibre = esc(&lot.calibre),
            methods = method_options(),
        );
        let _ = write!(
            b,
            "<div class=\"card\">{}</div>",
            form("verify_lot", &csrf, &back, &p, &fields, "Record verification")
        );
    }
    b.push_str(
        "<h2>Receive a new lot</h2><p>A new lot goes into quarantine in its own container until it is verified.</p>",
    );
    let intake = "<p><label>Class <select name=\"class\"><option value=\"dummy\">dummy</option><option value=\"blank\">blank</option><option value=\"live\">live</option></select></label> \
        <label>Blank load <input name=\"load\" size=\"8\" placeholder=\"quarter, half, full\"></label></p>\
        <p><label>Calibre <input name=\"calibre\" required size=\"10\"></label> <label>Rounds <input name=\"rounds\" inputmode=\"numeric\" required size=\"5\"></label></p>\
        <p><label>Supplier <input name=\"supplier\" required size=\"30\"></label></p>\
        <p><label>Delivery document <input name=\"document\" required size=\"20\"></label> <label>Headstamp <input name=\"headstamp\" required size=\"16\"></label></p>\
        <p><label>Left over from production <input name=\"previous_production\" size=\"20\"></label></p>\
        <p><label><input type=\"checkbox\" name=\"mixed_source\" value=\"yes\"> From more than one source</label> \
        <label><input type=\"checkbox\" name=\"home_made\" value=\"yes\"> Home-made rounds</label></p>\
        <p><label>New container label <input name=\"container_label\" required size=\"14\"></label></p>";
    b.push_str(&form("intake_lot", &csrf, &back, &p, intake, "Receive into quarantine"));
    b.push_str(
        "<table><caption>Containers</caption><thead><tr><th scope=\"col\">Label</th><th scope=\"col\">Class</th>\
         <th scope=\"col\">Rounds</th><th scope=\"col\">Held by</th></tr></thead><tbody>",
    );
    for c in state.containers.values() {
        let _ = write!(
            b,
            "<tr><td><a href=\"/p/{}/containers/{}\">{}</a></td><td>{} {}</td><td>{}</td><td>{}</td></tr>",
            esc(&p),
            esc(c.id.as_str()),
            esc(&c.label),
            esc(&c.class.to_string()),
            esc(&c.calibre),
            c.count(),
            esc(&holder_name(&state, &c.holder)),
        );
    }
    b.push_str("</tbody></table>");
    crate::html::production_page(&p, "Ammunition", maud::PreEscaped(b.to_string())).into_response()
}

/// One container: its class, count per lot, holder and QR label, with take and store.
async fn container_page(
    Path((p, id)): Path<(String, String)>,
    PageReader(state): PageReader,
    headers: HeaderMap,
) -> Response {
    let back = format!("/p/{p}/containers/{id}");
    let Some(c) = ContainerId::parse(&id).ok().and_then(|id| state.containers.get(&id)) else {
        return refusal_page(
            "Container",
            &ApiError::not_found(format!("no container '{id}'")),
            &format!("/p/{p}/ammunition"),
        );
    };
    let csrf = csrf(&headers);
    let cid = esc(c.id.as_str());
    let mut b = format!(
        "<h1>{} <span class=\"muted\">({cid})</span></h1><p>{} {} · <strong>{} rounds</strong> · held by <strong>{}</strong></p>\
         <p><img src=\"/p/{p}/containers/{cid}/label.svg\" alt=\"QR label of container {}\" width=\"120\" height=\"120\"> <a href=\"/p/{p}/labels\">Label sheet</a></p><ul>",
        esc(&c.label),
        esc(&c.class.to_string()),
        esc(&c.calibre),
        c.count(),
        esc(&holder_name(&state, &c.holder)),
        esc(&c.label),
        p = esc(&p),
    );
    for (lot, n) in &c.contents {
        let _ = write!(b, "<li>{n} from lot {}</li>", esc(lot.as_str()));
    }
    b.push_str("</ul><h2>Next steps</h2>");
    let hidden = format!("<input type=\"hidden\" name=\"container\" value=\"{cid}\">");
    match &c.holder {
        Holder::Storage { .. } => b.push_str(&form("take_container", &csrf, &back, &p, &hidden, "Take out of storage")),
        Holder::Person { .. } => {
            let locations = location_options(&state);
            b.push_str(&form(
                "store_container",
                &csrf,
                &back,
                &p,
                &format!("{hidden}<label>in <select name=\"location\">{locations}</select></label> "),
                "Put away",
            ));
        }
    }
    crate::html::production_page(&p, &format!("Container {}", c.label), maud::PreEscaped(b.to_string())).into_response()
}

async fn container_label(
    Path((p, id)): Path<(String, String)>,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
) -> Response {
    crate::html::qr_code(&headers, options, &format!("/p/{p}/containers/{id}"), 120)
}

#[derive(Debug, Deserialize)]
struct ScanQuery {
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

async fn scan(Path(p): Path<String>, Query(q): Query<ScanQuery>, PageReader(state): PageReader) -> Response {
    let code = q.code.unwrap_or_default();
    let mut status = StatusCode::OK;
    let mut b = String::from("<h1>Scan a label</h1>");
    if !code.trim().is_empty() {
        match resolve(&state, &p, &code) {
            Some(path) => return Redirect::to(&path).into_response(),
            None => {
                status = StatusCode::NOT_FOUND;
                let _ = write!(
                    b,
                    "<p class=\"warn\" role=\"alert\">No firearm or container of this production has the code “{}”. \
                     Check the label, or type the firearm's id or serial number.</p>",
                    esc(&code)
                );
            }
        }
    }
    let _ = write!(
        b,
        "<form method=\"get\" id=\"scan-form\"><p><label>Code, serial or label <input id=\"code\" name=\"code\" autocomplete=\"off\" autofocus size=\"20\"></label> \
         <button type=\"submit\">Open</button></p></form>\
         <p class=\"muted\">A keyboard-wedge scanner types into the field and presses Enter.</p>\
         <p><button type=\"button\" id=\"camera\" hidden>Scan with the camera</button></p>\
         <video id=\"preview\" hidden muted playsinline width=\"320\" height=\"240\"></video>\
         <p id=\"camera-status\" class=\"muted\" aria-live=\"polite\"></p><script src=\"{}\" data-jsqr=\"{}\"></script>",
        crate::assets::Asset::Scan.url(),
        crate::assets::Asset::Jsqr.url()
    );
    (status, crate::html::production_page(&p, "Scan", maud::PreEscaped(b.to_string()))).into_response()
}
