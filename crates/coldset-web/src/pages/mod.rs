//! The server-rendered pages, one module each: its handler (which states, through its
//! extractors, who may see it) and its view, written with maud's `html!`, which escapes every
//! value it is given (docs/adr/0003-templates.md).

mod ammunition;
pub(crate) mod audit;
pub(crate) mod board;
mod container;
mod day;
mod firearm;
mod followup;
mod import;
mod index;
mod inventory;
mod labels;
mod login;
mod me;
mod oversight;
mod report;
mod scan;
mod scene;
mod today;

use crate::html::person_name;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use coldset_app::App;
use coldset_domain::ProductionState;
use maud::{html, Markup};

/// The public report pages: open to anyone on set, without an account.
pub fn public_routes() -> Router<App> {
    Router::new()
        .route("/p/{production}/report", get(report::report_form).post(report::report_submit))
        .route("/p/{production}/followup", get(followup::followup_form).post(followup::followup_submit))
        .route("/p/{production}/report-qr.svg", get(report::report_qr))
        // Photos: up to five of 4 MB each.
        .layer(DefaultBodyLimit::max(24 * 1024 * 1024))
}

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(index::index))
        .route("/p/{production}", get(inventory::inventory))
        .route("/login", get(login::login_form).post(login::login_submit))
        .route("/p/{production}/today", get(today::today))
        .route("/p/{production}/oversight", get(oversight::oversight))
        .route("/p/{production}/ammunition", get(ammunition::ammunition))
        .route("/p/{production}/containers/{id}", get(container::container_page))
        .route("/p/{production}/containers/{id}/label.svg", get(container::container_label))
        .route("/p/{production}/scan", get(scan::scan))
        .route("/p/{production}/firearms/{id}", get(firearm::firearm_page))
        .route("/p/{production}/firearms/{id}/label.svg", get(firearm::label))
        .route("/p/{production}/day", get(day::day_page))
        .route("/p/{production}/labels", get(labels::label_sheet))
        .route("/p/{production}/me", get(me::me_page))
        .route("/p/{production}/scenes/{id}", get(scene::scene_page))
        .merge(import::routes())
}

/// What stops firearm work on the whole production now: reports and incidents that stop
/// issue, and holds, each with its rule and what to do; or a line saying nothing does.
pub(crate) fn stops_section(state: &ProductionState) -> Markup {
    let stops = coldset_domain::reports::stops(state);
    let holds = coldset_domain::gate::holds_on(state, None);
    if stops.is_empty() && holds.is_empty() {
        return html! { p.ok { "Nothing stops firearm work." } };
    }
    html! {
        h2 { "Firearm work is stopped" }
        div role="alert" {
            ul {
                @for (rule, why, remedy) in &stops { li { strong { (rule) } ": " (why) " " br; "What to do: " (remedy) } }
                @for h in holds {
                    li {
                        strong { "R-ROLE-4" } ": hold by " (person_name(state, &h.placed_by)) ": " (h.reason) " " br;
                        "What to do: whoever placed it, or the safety advisor's review, lifts it"
                    }
                }
            }
        }
    }
}
