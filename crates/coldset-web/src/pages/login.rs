//! The sign-in page and its form.

use crate::html::page;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use coldset_app::App;
use maud::{html, Markup};

#[derive(Debug, serde::Deserialize)]
pub(super) struct Next {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    signed_out: Option<String>,
}

/// Only plain local paths: a sign-in link must not send people elsewhere, nor carry what
/// cannot go into a `Location` header.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if crate::html::is_safe_local_path(n) => n.to_owned(),
        _ => "/".to_owned(),
    }
}

pub(super) async fn login_form(axum::extract::Query(q): axum::extract::Query<Next>) -> Html<String> {
    let body = html! {
        @if q.signed_out.is_some() { div.banner.ok role="status" { p { "You are signed out." } } }
        (form_view(&safe_next(q.next.as_deref())))
    };
    page("Sign in", body)
}

fn form_view(next: &str) -> Markup {
    html! {
        h1 { "Sign in" }
        form method="post" action="/login" {
            input type="hidden" name="next" value=(next);
            p { label for="name" { "Account" } input id="name" name="name" autocomplete="username" required; }
            p {
                label for="password" { "Password" }
                input id="password" name="password" type="password" autocomplete="current-password" required;
            }
            p {
                label for="code" { "One-time code (if your account uses one)" }
                input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6";
            }
            p { button type="submit" { "Sign in" } }
        }
        p.muted { "New here? " a href="/welcome" { "Use the set-up code your production office gave you" } "." }
        p.muted { "To report a safety concern you do not need an account: use the production's report page." }
    }
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

pub(super) async fn login_submit(
    State(app): State<App>,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: axum::http::HeaderMap,
    axum::Form(f): axum::Form<LoginForm>,
) -> Response {
    // A sign-in form on another site would sign the visitor in as someone else.
    if crate::auth::cross_site(&headers, options.tls) {
        return (axum::http::StatusCode::FORBIDDEN, "Sign in from coldset's own sign-in page.").into_response();
    }
    let next = safe_next(f.next.as_deref());
    let app2 = app.clone();
    let name = f.name.trim().to_owned();
    let code = f.code.filter(|c| !c.trim().is_empty());
    match tokio::task::spawn_blocking(move || app2.login(&name, &f.password, code.as_deref())).await {
        Ok(Ok((secret, _))) => {
            let mut resp = axum::response::Redirect::to(&next).into_response();
            let cookie = crate::session_cookie(&secret, options);
            if let Ok(v) = axum::http::HeaderValue::from_str(&cookie) {
                resp.headers_mut().insert(axum::http::header::SET_COOKIE, v);
            }
            resp
        }
        Ok(Err(e)) => {
            let body = html! {
                h1 { "Sign in" }
                p role="alert" class="warn" { (e.to_string()) }
                p { a href={ "/login?next=" (next) } { "Try again" } }
            };
            (axum::http::StatusCode::UNAUTHORIZED, page("Sign in", body)).into_response()
        }
        Err(_) => axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
