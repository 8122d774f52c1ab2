//! The ammunition page: open discrepancies, lots (those in quarantine with their
//! verification form), the intake of a new lot, and every container.

use crate::extract::PageReader;
use crate::forms::{csrf, Forms};
use crate::html::{holder_name, production_page};
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use coldset_domain::model::{AmmoClass, LotState, VerificationMethod};
use coldset_domain::ProductionState;
use maud::{html, Markup};

fn method_options() -> Markup {
    html! { @for m in VerificationMethod::ALL { option value=(m) { (m.as_str().replace('_', " ")) } } }
}

pub(super) async fn ammunition(Path(p): Path<String>, PageReader(state): PageReader, headers: HeaderMap) -> Response {
    let back = format!("/p/{p}/ammunition");
    let csrf = csrf(&headers);
    let forms = Forms { p: &p, csrf: &csrf, back: &back };
    production_page(&p, "Ammunition", view(&state, &p, forms)).into_response()
}

fn view(state: &ProductionState, p: &str, forms: Forms<'_>) -> Markup {
    let quarantined: Vec<_> = state.lots.values().filter(|l| matches!(l.state, LotState::Quarantined { .. })).collect();
    html! {
        h1 { "Ammunition" }
        p.no-print { "Ammunition register: " (crate::records::links(p, coldset_app::records::RecordKind::AmmunitionRegister, "")) }
        @if !state.safety.discrepancies.is_empty() {
            section #discrepancies aria-labelledby="discrepancies-h" {
                h2 id="discrepancies-h" { "Counts that do not add up (R-AMMO-7)" }
                @for d in &state.safety.discrepancies {
                    div.card {
                        p.warn role="alert" {
                            (d.issued) " " (d.class) " issued to " a href={ "/p/" (p) "/firearms/" (d.firearm) } { (d.firearm) } ", " (d.fired)
                            " fired, " (d.returned) " returned. No " (d.class) " goes to a firearm until the armorer explains it."
                        }
                        (forms.form("resolve_discrepancy", html! {
                            input type="hidden" name="class" value=(match &d.class { AmmoClass::Dummy => "dummy", AmmoClass::Blank { .. } => "blank", AmmoClass::Live => "live" });
                            @if let AmmoClass::Blank { load } = &d.class { input type="hidden" name="load" value=(load); }
                            p { label for={ "explain-" (d.firearm) } { "What happened to the missing rounds (found, counted again, lost: who and where)" }
                                textarea id={ "explain-" (d.firearm) } name="explanation" rows="3" required {} }
                        }, "Record the explanation"))
                    }
                }
            }
        }
        table {
            caption { "Lots" }
            thead { tr {
                th scope="col" { "Lot" } th scope="col" { "Class" } th scope="col" { "Calibre" }
                th scope="col" { "Rounds" } th scope="col" { "From" } th scope="col" { "State" }
            } }
            tbody {
                @for lot in state.lots.values() {
                    tr {
                        td { a href={ "/p/" (p) "/lots/" (lot.id) } { (lot.id) } } td { (lot.class) } td { (lot.calibre) } td { (lot.rounds) }
                        td { (lot.provenance.supplier) " · " (lot.provenance.document) }
                        td {
                            @match &lot.state {
                                LotState::Quarantined { reason } => { strong.warn { "quarantined" } ": " (reason) }
                                LotState::Verified { method, rounds_checked, .. } => {
                                    "verified (" (method.as_str().replace('_', " ")) ", " (rounds_checked) " checked)"
                                }
                                LotState::Rejected { reason } => { strong.warn { "rejected" } ": " (reason) }
                            }
                        }
                    }
                }
            }
        }
        @if !quarantined.is_empty() {
            h2 { "Verify a lot in quarantine (R-AMMO-4)" }
            p { "Check every round; a round of another class rejects the lot." }
        }
        @for lot in quarantined {
            div.card { (verify_form(forms, lot)) }
        }
        h2 { "Receive a new lot" }
        p { "A new lot goes into quarantine in its own container until it is verified." }
        (forms.form("intake_lot", intake_fields(), "Receive into quarantine"))
        table {
            caption { "Containers" }
            thead { tr { th scope="col" { "Label" } th scope="col" { "Class" } th scope="col" { "Rounds" } th scope="col" { "Held by" } } }
            tbody {
                @for c in state.containers.values() {
                    tr {
                        td { a href={ "/p/" (p) "/containers/" (c.id) } { (c.label) } }
                        td { (c.class) " " (c.calibre) }
                        td { (c.count()) }
                        td { (holder_name(state, &c.holder)) }
                    }
                }
            }
        }
    }
}

/// The verification of a lot in quarantine (R-AMMO-4), also on the lot's own page.
pub(super) fn verify_form(forms: Forms<'_>, lot: &coldset_domain::model::Lot) -> Markup {
    forms.form(
        "verify_lot",
        html! {
            input type="hidden" name="lot" value=(lot.id);
            p { strong { (lot.id) } ": " (lot.rounds) " " (lot.class) " " (lot.calibre) }
            label { "checked by " select name="method" { (method_options()) } } " "
            label { "rounds checked " input name="rounds_checked" inputmode="numeric" required size="4"; } " "
            label { "rounds of another class found " input name="other_class_found" inputmode="numeric" size="3" value="0"; } " "
        },
        "Record verification",
    )
}

fn intake_fields() -> Markup {
    html! {
        p {
            label { "Class " select name="class" {
                option value="dummy" { "dummy" } option value="blank" { "blank" } option value="live" { "live" }
            } } " "
            label { "Blank load " input name="load" size="8" placeholder="quarter, half, full"; }
        }
        p {
            label { "Calibre " input name="calibre" required size="10"; } " "
            label { "Rounds " input name="rounds" inputmode="numeric" required size="5"; }
        }
        p { label { "Supplier " input name="supplier" required size="30"; } }
        p {
            label { "Delivery document " input name="document" required size="20"; } " "
            label { "Headstamp " input name="headstamp" required size="16"; }
        }
        p { label { "Left over from production " input name="previous_production" size="20"; } }
        p {
            label { input type="checkbox" name="mixed_source" value="yes"; " From more than one source" } " "
            label { input type="checkbox" name="home_made" value="yes"; " Home-made rounds" }
        }
        p { label { "New container label " input name="container_label" required size="14"; } }
    }
}
