//! Server-rendered pages. The first one: a production's inventory, and who holds what.

use crate::error::ApiError;
use crate::extract::{PageCaller, PageReader};
use crate::html::{esc, page};
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use coldset_app::App;
use coldset_domain::model::{FirearmStatus, Holder, LoadState, LotState};
use coldset_domain::ProductionState;
use std::fmt::Write;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(index))
        .route("/p/{production}", get(inventory))
        .route("/login", get(login_form).post(login_submit))
}

#[derive(Debug, serde::Deserialize)]
struct Next {
    #[serde(default)]
    next: Option<String>,
}

/// Only plain local paths: a sign-in link must not send people elsewhere, nor carry what
/// cannot go into a `Location` header.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if crate::html::is_safe_local_path(n) => n.to_owned(),
        _ => "/".to_owned(),
    }
}

async fn login_form(axum::extract::Query(q): axum::extract::Query<Next>) -> Html<String> {
    let next = safe_next(q.next.as_deref());
    let body = format!(
        r#"<h1>Sign in</h1>
<form method="post" action="/login">
<input type="hidden" name="next" value="{next}">
<p><label for="name">Account</label><br><input id="name" name="name" autocomplete="username" required></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><label for="code">One-time code (if your account uses one)</label><br><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6"></p>
<p><button type="submit">Sign in</button></p>
</form>
<p class="muted">To report a safety concern you do not need an account: use the production's report page.</p>"#,
        next = esc(&next)
    );
    Html(page("Sign in", &body))
}

#[derive(Debug, serde::Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

async fn login_submit(
    State(app): State<App>,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: axum::http::HeaderMap,
    axum::Form(f): axum::Form<LoginForm>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
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
            let body = format!(
                "<h1>Sign in</h1><p role=\"alert\" class=\"warn\">{}</p><p><a href=\"/login?next={}\">Try again</a></p>",
                esc(&e.to_string()),
                esc(&next)
            );
            (axum::http::StatusCode::UNAUTHORIZED, Html(page("Sign in", &body))).into_response()
        }
        Err(_) => axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

async fn index(State(app): State<App>, PageCaller(caller): PageCaller) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut body = String::from("<h1>Productions</h1><ul>");
    for id in app.production_ids() {
        let Ok(read) = caller.read(&app, id.as_str()).await else { continue };
        let s = read.state();
        if let Some(info) = &s.info {
            let _ = write!(
                body,
                "<li><a href=\"/p/{}\">{}</a> <span class=\"muted\">({} events)</span></li>",
                esc(info.id.as_str()),
                esc(&info.name),
                s.next_seq()
            );
        }
    }
    body.push_str("</ul>");
    Html(page("Productions", &body)).into_response()
}

fn holder_name(s: &ProductionState, h: &Holder) -> String {
    match h {
        Holder::Person { person } => s.people.get(person).map_or(person.to_string(), |p| {
            let roles: Vec<&str> = p.roles.iter().map(|r| r.as_str()).collect();
            format!("{} ({})", p.name, roles.join(", "))
        }),
        Holder::Storage { location } => {
            s.locations.get(location).map_or(location.to_string(), |l| format!("in {} ({})", l.name, l.kind))
        }
    }
}

fn load_text(l: &LoadState) -> String {
    match l {
        LoadState::Empty => "empty".into(),
        LoadState::Dummies { count } => format!("{count} verified dummies"),
        LoadState::Blanks { count, load } => format!("{count} blanks ({load})"),
    }
}

async fn inventory(
    State(app): State<App>,
    Path(p): Path<String>,
    PageReader(s): PageReader,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Some(info) = &s.info else {
        return ApiError::not_found("no such production").into_response();
    };
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>{}</h1><p class=\"muted\">Shoot day {} ({}) · policy packs: {} · compliance contact: {}</p>",
        esc(&info.name),
        app.today(&s),
        esc(&info.time_zone),
        esc(&info.packs.join(", ")),
        esc(&info.compliance_contact)
    );
    let _ = write!(
        b,
        "<section aria-labelledby=\"report-h\"><h2 id=\"report-h\">Safety reports</h2><p>Anyone can report a safety concern, anonymously: \
         <a href=\"/p/{0}/report\">/p/{0}/report</a> (put this QR code on the call sheet and on set).</p>\
         <img src=\"/p/{0}/report-qr.svg\" alt=\"QR code for the safety report page\" width=\"160\" height=\"160\"></section>\
         <p><a href=\"/p/{0}/board\">The 1st AD's live board</a></p>",
        esc(info.id.as_str())
    );
    b.push_str("<table><caption>Firearms: who holds what</caption><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">Firearm</th><th scope=\"col\">Kind</th><th scope=\"col\">Serial</th><th scope=\"col\">Held by</th><th scope=\"col\">Load</th><th scope=\"col\">Status</th></tr></thead><tbody>");
    for f in s.firearms.values() {
        let overrides: Vec<String> = s
            .safety
            .overrides
            .values()
            .filter(|o| o.firearm == f.id)
            .map(|o| {
                format!(
                    "<br><span class=\"warn\">override of {} (scene {}): {}</span>",
                    o.rule,
                    esc(o.scene.as_str()),
                    esc(&o.reason)
                )
            })
            .collect();
        let status = match &f.status {
            FirearmStatus::InService => format!("<span class=\"ok\">in service</span>{}", overrides.join("")),
            FirearmStatus::Withdrawn { reason } => {
                format!("<span class=\"warn\">withdrawn: {}</span>", esc(reason))
            }
            FirearmStatus::Disposed { disposition, .. } => {
                format!("disposed ({})", disposition.as_str())
            }
        };
        let _ = write!(
            b,
            "<tr><td><a href=\"/p/{}/firearms/{}\">{}</a></td><td>{} {} ({})</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(info.id.as_str()),
            esc(f.id.as_str()),
            esc(f.id.as_str()),
            esc(&f.make),
            esc(&f.model),
            esc(&f.calibre),
            f.kind.as_str().replace('_', " "),
            esc(&f.serial),
            esc(&holder_name(&s, &f.holder)),
            esc(&load_text(&f.load)),
            status
        );
    }
    b.push_str("</tbody></table>");
    b.push_str("<table><caption>Ammunition containers</caption><thead><tr><th scope=\"col\">Label</th><th scope=\"col\">Class</th><th scope=\"col\">Calibre</th><th scope=\"col\">Rounds</th><th scope=\"col\">Held by</th><th scope=\"col\">Lots</th></tr></thead><tbody>");
    for c in s.containers.values() {
        let lots: Vec<String> = c
            .contents
            .iter()
            .map(|(lot, n)| {
                let state = s.lots.get(lot).map(|l| match &l.state {
                    LotState::Quarantined { .. } => "<span class=\"warn\">QUARANTINED</span>",
                    LotState::Verified { .. } => "<span class=\"ok\">verified</span>",
                    LotState::Rejected { .. } => "<span class=\"warn\">REJECTED</span>",
                });
                format!("{} × {} {}", n, esc(lot.as_str()), state.unwrap_or(""))
            })
            .collect();
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.label),
            esc(&c.class.to_string()),
            esc(&c.calibre),
            c.count(),
            esc(&holder_name(&s, &c.holder)),
            lots.join("<br>")
        );
    }
    b.push_str("</tbody></table>");
    b.push_str("<table><caption>Ammunition lots and provenance</caption><thead><tr><th scope=\"col\">Lot</th><th scope=\"col\">Class</th><th scope=\"col\">Rounds</th><th scope=\"col\">Supplier / document / headstamp</th><th scope=\"col\">State</th></tr></thead><tbody>");
    for l in s.lots.values() {
        let state = match &l.state {
            LotState::Quarantined { reason } => {
                format!("<span class=\"warn\">quarantined</span>: {}", esc(reason))
            }
            LotState::Verified { method, rounds_checked, .. } => {
                format!(
                    "<span class=\"ok\">verified</span> ({}, {} rounds)",
                    method.as_str().replace('_', " "),
                    rounds_checked
                )
            }
            LotState::Rejected { reason } => {
                format!("<span class=\"warn\">rejected</span>: {}", esc(reason))
            }
        };
        let prev = l
            .provenance
            .previous_production
            .as_deref()
            .map(|p| format!(" · from previous production {}", esc(p)))
            .unwrap_or_default();
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{} {}</td><td>{}</td><td>{} / {} / {}{}</td><td>{}</td></tr>",
            esc(l.id.as_str()),
            esc(&l.class.to_string()),
            esc(&l.calibre),
            l.rounds,
            esc(&l.provenance.supplier),
            esc(&l.provenance.document),
            esc(&l.provenance.headstamp),
            prev,
            state
        );
    }
    b.push_str("</tbody></table>");
    b.push_str("<table><caption>Storage</caption><thead><tr><th scope=\"col\">Location</th><th scope=\"col\">Kind</th><th scope=\"col\">State</th></tr></thead><tbody>");
    for l in s.locations.values() {
        let state = match &l.opened {
            Some((by, at)) => {
                format!("<span class=\"warn\">open</span> since {} by {}", at, esc(&crate::html::person_name(&s, by)))
            }
            None => "locked".into(),
        };
        let _ = write!(b, "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", esc(&l.name), l.kind, state);
    }
    b.push_str("</tbody></table>");
    b.push_str("<table><caption>Scenes</caption><thead><tr><th scope=\"col\">Scene</th><th scope=\"col\">Day</th><th scope=\"col\">Description</th><th scope=\"col\">Firearms</th><th scope=\"col\">Status</th></tr></thead><tbody>");
    for sc in s.scenes.values() {
        let guns: Vec<String> = sc
            .plan
            .items
            .iter()
            .map(|i| {
                let who = crate::html::person_name(&s, &i.performer);
                format!("{} → {}", i.firearm, who)
            })
            .collect();
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} (plan v{})</td></tr>",
            esc(&sc.number),
            sc.day,
            esc(&sc.description),
            esc(&guns.join(", ")),
            format!("{:?}", sc.status).to_lowercase(),
            sc.plan_version
        );
    }
    b.push_str("</tbody></table>");
    b.push_str("<table><caption>People</caption><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Roles</th><th scope=\"col\">Credentials</th></tr></thead><tbody>");
    let today = app.today(&s);
    for person in s.people.values() {
        let roles: Vec<&str> = person.roles.iter().map(|r| r.as_str()).collect();
        let creds: Vec<String> = person
            .credentials
            .iter()
            .map(|c| {
                let state = if c.in_date_on(today) { "" } else { " <span class=\"warn\">EXPIRED</span>" };
                format!("{} {} (to {}){}", c.kind.as_str().replace('_', " "), esc(&c.number), c.expires_on, state)
            })
            .collect();
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&person.name),
            esc(&roles.join(", ")),
            creds.join("<br>")
        );
    }
    b.push_str("</tbody></table>");
    Html(crate::html::production_page(&p, &info.name, &b)).into_response()
}
