//! The signed-in person's own account, outside any production: the one-time code set-up
//! (TOTP, with a QR code for an authenticator app), the password, sign-out; and the welcome
//! page where a newcomer turns the set-up code the production office gave them into a
//! password of their own.

use crate::extract::{PageCaller, Writer};
use crate::forms::csrf;
use crate::html::page;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use coldset_app::App;
use maud::{html, Markup, PreEscaped};

/// What brought the person to their account page (`?need=`/`?done=`), shown at the top.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct AccountQuery {
    #[serde(default)]
    need: Option<String>,
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

/// The one-time code set-up may be started only from a page that belongs here.
fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| crate::html::is_safe_local_path(n)).map(str::to_owned)
}

pub(super) async fn account_page(
    State(app): State<App>,
    PageCaller(caller): PageCaller,
    headers: HeaderMap,
    Query(q): Query<AccountQuery>,
) -> Response {
    let principal = caller.principal().clone();
    let app2 = app.clone();
    let account = principal.account.clone();
    let has_code = crate::api::blocking(move || app2.has_second_factor(&account)).await.unwrap_or(false);
    let token = csrf(&headers);
    let next = safe_next(q.next.as_deref());
    let body = html! {
        h1 { "Your account" }
        p { "Signed in as " strong { (principal.account) } @if principal.is_admin { " (installation administrator)" } "." }
        @if q.need.as_deref() == Some("second-factor") {
            div.banner.warn role="alert" {
                p { strong { "This production asks for a one-time code." } }
                p { "Your role there needs a second factor. Set one up below, then sign in again with its code." }
            }
        }
        @match q.done.as_deref() {
            Some("second-factor") => div.banner.ok role="status" {
                p { strong { "One-time code set up." } " Sign in again with it to open the productions that ask for it." }
                form method="post" action="/logout" { button type="submit" { "Sign in again" } }
            },
            Some("password") => div.banner.ok role="status" { p { strong { "Password changed." } } },
            _ => {},
        }
        section aria-labelledby="code-h" {
            h2 id="code-h" { "One-time code" }
            @if has_code {
                p.ok { "Your sign-in asks for a code from your authenticator app." }
                details {
                    summary { "Move it to a new phone" }
                    (start_form(&token, true, next.as_deref()))
                }
            } @else {
                p { "A code from an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, Aegis…) \
                     as well as your password: a stolen password alone does not open your account." }
                (start_form(&token, false, next.as_deref()))
            }
        }
        section aria-labelledby="pw-h" {
            h2 id="pw-h" { "Password" }
            form method="post" action="/account/password" {
                input type="hidden" name="csrf" value=(token);
                p { label for="current" { "Current password" } input id="current" name="current" type="password" autocomplete="current-password" required; }
                p { label for="new" { "New password (12 characters or more)" } input id="new" name="new" type="password" autocomplete="new-password" minlength="12" required; }
                p { button type="submit" { "Change password" } }
            }
        }
    };
    crate::html::signed_in_page("Your account", body).into_response()
}

fn start_form(token: &str, has_code: bool, next: Option<&str>) -> Markup {
    html! {
        form method="post" action="/account/second-factor" {
            input type="hidden" name="csrf" value=(token);
            @if let Some(n) = next { input type="hidden" name="next" value=(n); }
            @if has_code {
                p { label for="current_code" { "Code from your current app" } input id="current_code" name="current" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required; }
            }
            p { button type="submit" { "Set up a one-time code" } }
        }
    }
}

/// The sign-out button every signed-in page carries.
pub(crate) fn sign_out_form() -> Markup {
    html! { form.signout method="post" action="/logout" { button type="submit" { "Sign out" } } }
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct StartCode {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    current: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

/// Starts the set-up: a new secret, shown as a QR code and as text, and the field for the
/// first code, which confirms it.
pub(super) async fn start_second_factor(
    State(app): State<App>,
    headers: HeaderMap,
    Form(f): Form<StartCode>,
) -> Response {
    let run = async {
        let writer = Writer::from_form(&app, &headers, f.csrf.as_deref()).await?;
        let account = writer.principal().account.clone();
        let current = f.current.clone().filter(|c| !c.trim().is_empty());
        let app2 = app.clone();
        crate::api::blocking(move || app2.enrol_totp(&account, current.as_deref())).await
    };
    match run.await {
        Ok((secret, uri)) => {
            let qr = qrcode::QrCode::new(uri.as_bytes())
                .map(|c| c.render::<qrcode::render::svg::Color<'_>>().min_dimensions(220, 220).build())
                .unwrap_or_default();
            let grouped: Vec<String> =
                secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
            let body = html! {
                h1 { "Set up a one-time code" }
                ol.steps {
                    li { "Open your authenticator app and add an account with its camera." }
                    li { "Point it at this code:" div.qr role="img" aria-label="QR code for your authenticator app" { (PreEscaped(qr)) } }
                    li { "No camera? Type this key instead: " code.key { (grouped.join(" ")) } }
                    li { "Type the 6-digit code the app now shows:" }
                }
                form method="post" action="/account/second-factor/confirm" {
                    input type="hidden" name="csrf" value=(csrf(&headers));
                    @if let Some(n) = safe_next(f.next.as_deref()) { input type="hidden" name="next" value=(n); }
                    p { label for="code" { "Code from the app" } input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required autofocus; }
                    p { button type="submit" { "Confirm" } }
                }
            };
            crate::html::signed_in_page("Set up a one-time code", body).into_response()
        }
        Err(e) => crate::forms::refusal_page("Your account", &e, "/account"),
    }
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct ConfirmCode {
    #[serde(default)]
    csrf: Option<String>,
    code: String,
    #[serde(default)]
    next: Option<String>,
}

pub(super) async fn confirm_second_factor(
    State(app): State<App>,
    headers: HeaderMap,
    Form(f): Form<ConfirmCode>,
) -> Response {
    let run = async {
        let writer = Writer::from_form(&app, &headers, f.csrf.as_deref()).await?;
        let account = writer.principal().account.clone();
        let app2 = app.clone();
        let code = f.code.trim().to_owned();
        crate::api::blocking(move || app2.confirm_totp(&account, &code)).await
    };
    match run.await {
        Ok(()) => {
            let next = safe_next(f.next.as_deref()).map(|n| format!("&next={}", crate::extract::urlencode(&n)));
            Redirect::to(&format!("/account?done=second-factor{}", next.unwrap_or_default())).into_response()
        }
        Err(e) => crate::forms::refusal_page("Your account", &e, "/account"),
    }
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct PasswordForm {
    #[serde(default)]
    csrf: Option<String>,
    current: String,
    new: String,
}

pub(super) async fn change_password(
    State(app): State<App>,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Response {
    let run = async {
        let writer = Writer::from_form(&app, &headers, f.csrf.as_deref()).await?;
        let account = writer.principal().account.clone();
        let app2 = app.clone();
        crate::api::blocking(move || app2.change_password(&account, &f.current, &f.new)).await
    };
    match run.await {
        Ok(()) => Redirect::to("/account?done=password").into_response(),
        Err(e) => crate::forms::refusal_page("Your account", &e, "/account"),
    }
}

/// Signs out: the session ends here and in the cache, and the browser forgets it. No
/// anti-forgery token: the session cookie is `SameSite=Strict`, so another site's form
/// cannot send it, and the header's button must work on every page.
pub(super) async fn sign_out(State(app): State<App>, headers: HeaderMap) -> Response {
    // A database that cannot be reached still signs the browser out: it forgets the cookie.
    let _ = crate::auth::end_session(&app, &headers).await;
    let mut resp = Redirect::to("/login?signed_out=1").into_response();
    resp.headers_mut().insert(
        axum::http::header::SET_COOKIE,
        axum::http::HeaderValue::from_static(crate::auth::CLEARED_SESSION_COOKIE),
    );
    resp
}

// ---- Welcome: a set-up code becomes a password ---------------------------------------------

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct WelcomeQuery {
    #[serde(default)]
    code: Option<String>,
}

pub(super) async fn welcome_form(State(app): State<App>, Query(q): Query<WelcomeQuery>) -> Response {
    let code = q.code.unwrap_or_default();
    // Name the account when the link carries a good code, so its holder knows whose it is.
    let account = if code.trim().is_empty() {
        None
    } else {
        let (app2, c) = (app.clone(), code.clone());
        crate::api::blocking(move || app2.setup_code_account(&c)).await.ok()
    };
    page("Welcome", welcome_view(&code, account.as_deref(), None)).into_response()
}

fn welcome_view(code: &str, account: Option<&str>, problem: Option<&str>) -> Markup {
    html! {
        h1 { "Welcome to coldset" }
        @if let Some(p) = problem { div.banner.warn role="alert" { p { (p) } } }
        @match account {
            Some(a) => p { "Choose the password of your account " strong { (a) } ". You sign in with the name " strong { (a) } " from now on." },
            None => p { "Type the set-up code your production office gave you, and choose your password." },
        }
        form method="post" action="/welcome" {
            p { label for="code" { "Set-up code" } input id="code" name="code" value=(code) autocomplete="off" autocapitalize="characters" spellcheck="false" required; }
            p { label for="password" { "Your new password (12 characters or more; a short sentence is easy to remember)" }
                input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required; }
            p { label for="again" { "The same password again" }
                input id="again" name="again" type="password" autocomplete="new-password" minlength="12" required; }
            p { button type="submit" { "Set my password and sign in" } }
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct WelcomeForm {
    code: String,
    password: String,
    again: String,
}

pub(super) async fn welcome_submit(
    State(app): State<App>,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
    Form(f): Form<WelcomeForm>,
) -> Response {
    // Like sign-in: a form on another site must not sign its visitor into an account.
    if crate::auth::cross_site(&headers, options.tls) {
        return (StatusCode::FORBIDDEN, "Set your password from coldset's own page.").into_response();
    }
    let again = |problem: &str| {
        (StatusCode::BAD_REQUEST, page("Welcome", welcome_view(&f.code, None, Some(problem)))).into_response()
    };
    if f.password != f.again {
        return again("The two passwords differ: type the same password twice.");
    }
    let (app2, code, password) = (app.clone(), f.code.clone(), f.password.clone());
    match crate::api::blocking(move || app2.redeem_setup_code(&code, &password)).await {
        Ok((_, secret, _)) => {
            let mut resp = Redirect::to("/").into_response();
            if let Ok(v) = axum::http::HeaderValue::from_str(&crate::session_cookie(&secret, options)) {
                resp.headers_mut().insert(axum::http::header::SET_COOKIE, v);
            }
            resp
        }
        Err(e) => again(&e.message),
    }
}
