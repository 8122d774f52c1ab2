//! The server-rendered pages, one module each: its handler (which states, through its
//! extractors, who may see it) and its view, written with maud's `html!`, which escapes every
//! value it is given (docs/adr/0003-templates.md).

mod account;
mod ammunition;
pub(crate) mod audit;
pub(crate) mod board;
mod container;
mod day;
mod firearm;
mod followup;
pub(crate) mod history;
mod import;
mod index;
mod inventory;
pub(crate) mod kit;
mod labels;
mod login;
mod lot;
mod me;
mod oversight;
mod people;
mod person_account;
mod production_new;
mod report;
mod scan;
mod scene;
mod setup;
mod today;

pub(crate) use account::sign_out_form;

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
        .route("/logout", axum::routing::post(account::sign_out))
        .route("/account", get(account::account_page))
        .route("/account/password", axum::routing::post(account::change_password))
        .route("/account/second-factor", axum::routing::post(account::start_second_factor))
        .route("/account/second-factor/confirm", axum::routing::post(account::confirm_second_factor))
        .route("/welcome", get(account::welcome_form).post(account::welcome_submit))
        .route("/new", get(production_new::new_production_form).post(production_new::create_production))
        .route(
            "/p/{production}/people/{id}/account",
            get(person_account::account_page).post(person_account::account_submit),
        )
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
        .route("/p/{production}/labels.pdf", get(labels::label_pdf))
        .route("/p/{production}/me", get(me::me_page))
        .route("/p/{production}/scenes/{id}", get(scene::scene_page))
        .route("/p/{production}/setup", get(setup::setup_page))
        .route("/p/{production}/people", get(people::people_page))
        .route("/p/{production}/people/{id}", get(people::person_page))
        .route("/p/{production}/lots/{id}", get(lot::lot_page))
        .merge(import::routes())
}

/// The most firearms one plan form carries (pages/setup.rs `plan_fields`, forms.rs `plan`).
pub(crate) const MAX_PLAN_ITEMS: usize = 8;

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
