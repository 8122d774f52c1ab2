//! One ammunition container: its class, count per lot, holder and QR label, with take and
//! store; and the label's QR code.

use crate::error::ApiError;
use crate::extract::PageReader;
use crate::forms::{csrf, location_options, refusal_page, Forms};
use crate::html::{holder_name, production_page};
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use coldset_domain::ids::ContainerId;
use coldset_domain::model::{Container, Holder};
use coldset_domain::ProductionState;
use maud::{html, Markup};

pub(super) async fn container_page(
    axum::extract::State(app): axum::extract::State<coldset_app::App>,
    Path((p, id)): Path<(String, String)>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
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
    let before = super::history::before_param(query.as_deref());
    let history = match super::history::load(&app, &p, coldset_domain::EntityRef::Container(c.id.clone()), before).await
    {
        Ok(page) => page,
        Err(e) => return refusal_page("Container", &e, &back),
    };
    let csrf = csrf(&headers);
    let forms = Forms { p: &p, csrf: &csrf, back: &back };
    let body = html! { (view(&state, &p, c, forms)) (super::history::section(&state, &history, &back, before)) };
    production_page(&p, &format!("Container {}", c.label), body).into_response()
}

fn view(state: &ProductionState, p: &str, c: &Container, forms: Forms<'_>) -> Markup {
    let hidden = html! { input type="hidden" name="container" value=(c.id); };
    html! {
        h1 { (c.label) " " span.muted { "(" (c.id) ")" } }
        p { (c.class) " " (c.calibre) " · " strong { (c.count()) " rounds" } " · held by " strong { (holder_name(state, &c.holder)) } }
        p {
            img src={ "/p/" (p) "/containers/" (c.id) "/label.svg" } alt={ "QR label of container " (c.label) } width="120" height="120";
            " "
            a href={ "/p/" (p) "/labels" } { "Label sheet" }
        }
        ul { @for (lot, n) in &c.contents { li { (n) " from lot " (lot) } } }
        h2 { "Next steps" }
        @match &c.holder {
            Holder::Storage { .. } => (forms.form("take_container", hidden, "Take out of storage")),
            Holder::Person { .. } => (forms.form(
                "store_container",
                html! { (hidden) label { "in " select name="location" { (location_options(state)) } } " " },
                "Put away",
            )),
        }
    }
}

pub(super) async fn container_label(
    Path((p, id)): Path<(String, String)>,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
) -> Response {
    crate::html::qr_code(&headers, options, &format!("/p/{p}/containers/{id}"), 120)
}
