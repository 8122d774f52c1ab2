//! One ammunition lot (`/p/{p}/lots/{id}`): its class and count, its provenance (R-AMMO-4),
//! whether it is verified, the containers holding its rounds, the verification form while it
//! is in quarantine, and its history.

use super::history;
use crate::error::ApiError;
use crate::extract::PageReader;
use crate::forms::{csrf, refusal_page, Forms};
use crate::html::{holder_name, person_name, production_page};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use coldset_app::App;
use coldset_domain::ids::LotId;
use coldset_domain::model::LotState;
use coldset_domain::EntityRef;
use maud::html;

pub(super) async fn lot_page(
    State(app): State<App>,
    Path((p, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    PageReader(state): PageReader,
    headers: HeaderMap,
) -> Response {
    let back = format!("/p/{p}/lots/{id}");
    let Some(lot) = LotId::parse(&id).ok().and_then(|id| state.lots.get(&id)) else {
        return refusal_page("Lot", &ApiError::not_found(format!("no lot '{id}'")), &format!("/p/{p}/ammunition"));
    };
    let before = history::before_param(query.as_deref());
    let page = match history::load(&app, &p, EntityRef::Lot(lot.id.clone()), before).await {
        Ok(page) => page,
        Err(e) => return refusal_page("Lot", &e, &back),
    };
    let csrf = csrf(&headers);
    let forms = Forms { p: &p, csrf: &csrf, back: &back };
    let holding: Vec<_> = state.containers.values().filter_map(|c| Some((c, *c.contents.get(&lot.id)?))).collect();
    let pv = &lot.provenance;
    let body = html! {
        h1 { "Lot " (lot.id) }
        p { (lot.rounds) " " (lot.class) " " (lot.calibre) }
        p {
            @match &lot.state {
                LotState::Quarantined { reason } => { strong.warn { "In quarantine" } ": " (reason) }
                LotState::Verified { by, method, rounds_checked } => {
                    span.ok { "Verified" } " by " (person_name(&state, by)) " (" (method.as_str().replace('_', " ")) ", " (rounds_checked) " rounds checked)"
                }
                LotState::Rejected { reason } => { strong.warn { "Rejected" } ": " (reason) }
            }
        }
        h2 { "Provenance (R-AMMO-4)" }
        div.card {
            p {
                "Supplier: " (pv.supplier) br; "Document: " (pv.document) br; "Headstamp: " (pv.headstamp)
                @if let Some(prev) = &pv.previous_production { br; "Left over from production: " (prev) }
                @if pv.mixed_source { br; strong.warn { "From more than one source" } }
            }
        }
        h2 { "Where its rounds are" }
        @if holding.is_empty() { p { "In no container now." } }
        @for (c, n) in &holding {
            div.card { p { a.tap href={ "/p/" (p) "/containers/" (c.id) } { (c.label) } br; (n) " rounds · " (holder_name(&state, &c.holder)) } }
        }
        @if matches!(lot.state, LotState::Quarantined { .. }) {
            h2 { "Verify it" }
            div.card { (super::ammunition::verify_form(forms, lot)) }
        }
        (history::section(&state, &page, &back, before))
    };
    production_page(&p, &format!("Lot {}", lot.id), body).into_response()
}
