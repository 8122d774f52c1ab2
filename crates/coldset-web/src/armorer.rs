//! The armorer's firearm page, phone-sized: the firearm's state and holder, what the protocol
//! still needs before it may go to a performer (the gate, every failing rule), its QR label,
//! and one form per step. Each form posts through the same write path as the API; a refusal
//! comes back as a page that names the rules, says why and what to do next.

use crate::auth::{page_reader, principal, session_secret};
use crate::error::ApiError;
use crate::html::{esc, page};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use coldset_app::{access, App, Request};
use coldset_domain::ids::{FirearmId, PersonId, SceneId};
use coldset_domain::model::Holder;
use coldset_domain::safety::InspectionStage;
use coldset_domain::Command;
use serde::Deserialize;
use std::fmt::Write;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/p/{production}/firearms/{id}", get(firearm_page).post(act))
        .route("/p/{production}/firearms/{id}/label.svg", get(label))
        .route("/p/{production}/day", get(day_page).post(day_submit))
        .route("/p/{production}/labels", get(label_sheet))
}

/// Every firearm's QR label on one sheet that prints cleanly from the browser: the labels
/// flow in a grid on screen and in print, and print never splits a label across pages.
async fn label_sheet(State(app): State<App>, Path(p): Path<String>, headers: HeaderMap) -> Response {
    let state = match page_reader(&app, &headers, &p, &format!("/p/{p}/labels")).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let mut b = String::from(
        "<style>.labels{display:flex;flex-wrap:wrap;gap:1rem;padding:0;list-style:none}\
         .labels li{border:1px dashed var(--line);padding:0.5rem;width:10rem;text-align:center;break-inside:avoid}\
         @media print{header,.no-print{display:none}.labels li{border-color:#000}}</style>",
    );
    let _ = write!(
        b,
        "<h1>Firearm labels</h1><p class=\"no-print\">Print this page (Ctrl+P) and fix each label to its case. \
         Each code opens the firearm's page. <a href=\"/p/{p}/board\">Live board</a></p><ul class=\"labels\">",
        p = esc(&p)
    );
    for f in state.firearms.values() {
        let _ = write!(
            b,
            "<li><img src=\"/p/{p}/firearms/{id}/label.svg\" alt=\"QR code for {id}\" width=\"120\" height=\"120\">\
             <br><strong>{id}</strong><br>{make} {model}<br>serial {serial}</li>",
            p = esc(&p),
            id = esc(f.id.as_str()),
            make = esc(&f.make),
            model = esc(&f.model),
            serial = esc(&f.serial),
        );
    }
    if state.firearms.is_empty() {
        b.push_str("<li>No firearms yet.</li>");
    }
    b.push_str("</ul>");
    Html(page("Firearm labels", &b)).into_response()
}

/// Day open and day close (R-STORE-4): the armorer counts every firearm (1 if it is in its
/// place, 0 if not) and every container's rounds. The form is not pre-filled: a count copied
/// from the register is no count.
async fn day_page(State(app): State<App>, Path(p): Path<String>, headers: HeaderMap) -> Response {
    let state = match page_reader(&app, &headers, &p, &format!("/p/{p}/day")).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let csrf = session_secret(&headers).map(|s| access::csrf_token(&s)).unwrap_or_default();
    let (title, action) = match &state.safety.day {
        None => ("Open the shoot day", "open"),
        Some(_) => ("Close the shoot day", "close"),
    };
    let mut b = format!(
        "<h1>{title}</h1><p>Count every item; any difference becomes an alert that must be explained (R-STORE-4).</p>\
         <form method=\"post\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"action\" value=\"{action}\">"
    );
    b.push_str("<fieldset><legend>Firearms (1 = in its place)</legend>");
    for f in
        state.firearms.values().filter(|f| !matches!(f.status, coldset_domain::model::FirearmStatus::Disposed { .. }))
    {
        let _ = write!(
            b,
            "<p><label>{} {} {} <input name=\"count:{}\" inputmode=\"numeric\" required size=\"3\"></label></p>",
            esc(f.id.as_str()),
            esc(&f.make),
            esc(&f.model),
            esc(f.id.as_str())
        );
    }
    b.push_str("</fieldset><fieldset><legend>Ammunition containers (rounds)</legend>");
    for c in state.containers.values() {
        let _ = write!(
            b,
            "<p><label>{} ({}) <input name=\"count:{}\" inputmode=\"numeric\" required size=\"5\"></label></p>",
            esc(&c.label),
            esc(&c.class.to_string()),
            esc(&c.label)
        );
    }
    b.push_str("</fieldset>");
    if action == "open" {
        b.push_str(
            "<fieldset><legend>Call sheet</legend>\
             <p><label><input type=\"checkbox\" name=\"bulletin\" value=\"yes\"> Safety bulletin attached (R-MEET-4)</label></p>\
             <p><label><input type=\"checkbox\" name=\"contact\" value=\"yes\"> Compliance contact shown (R-ROLE-5)</label></p>\
             <p><label>Medics on the call sheet (R-MED-1) <input name=\"medics\" size=\"30\"></label></p></fieldset>",
        );
    }
    let _ = write!(b, "<p><button type=\"submit\">{title}</button></p></form>");
    Html(page(title, &b)).into_response()
}

async fn day_submit(
    State(app): State<App>,
    Path(p): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let run = async {
        let principal = principal(&app, &headers).await?;
        let secret = session_secret(&headers).ok_or_else(|| bad("sign in first"))?;
        let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        if field("csrf") != Some(access::csrf_token(&secret).as_str()) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "auth.csrf",
                "this form is stale or forged: reload the page",
            ));
        }
        let mut counts = std::collections::BTreeMap::new();
        for (k, v) in &fields {
            if let Some(item) = k.strip_prefix("count:") {
                let n: u64 = v.trim().parse().map_err(|_| bad(&format!("the count for {item} is not a number")))?;
                counts.insert(item.to_owned(), n);
            }
        }
        let command = match field("action") {
            Some("open") => Command::OpenDay {
                call_sheet: coldset_domain::safety::CallSheet {
                    safety_bulletin_attached: field("bulletin") == Some("yes"),
                    compliance_contact_shown: field("contact") == Some("yes"),
                    medics: field("medics")
                        .map(str::trim)
                        .filter(|m| !m.is_empty())
                        .map(|m| vec![m.to_owned()])
                        .unwrap_or_default(),
                },
                counts,
            },
            Some("close") => Command::CloseDay { counts },
            _ => return Err(bad("unknown step")),
        };
        let production = crate::api::parse_production(&p)?;
        let who = crate::write::authorize(&app, &principal, &production, Vec::new()).await?;
        let mut request = Request::new(production, who.actor, command);
        request.auth = Some(who.auth);
        let receipt = app.execute_async(request).await.map_err(ApiError::from)?;
        Ok::<_, ApiError>(receipt)
    };
    match run.await {
        Ok(receipt) => {
            let alerts: Vec<String> = receipt
                .events
                .iter()
                .filter_map(|e| match &e.event {
                    coldset_domain::Event::AlertRaised { rule, message } => {
                        Some(format!("<li><strong>{rule}</strong>: {}</li>", esc(message)))
                    }
                    _ => None,
                })
                .collect();
            let body = if alerts.is_empty() {
                "<h1>Recorded</h1><p class=\"ok\">The counts match.</p>".to_owned()
            } else {
                format!("<h1>Recorded, with alerts</h1><ul role=\"alert\">{}</ul><p>Each alert must be explained and resolved.</p>", alerts.join(""))
            };
            Html(page("Shoot day", &format!("{body}<p><a href=\"/p/{}/board\">Live board</a></p>", esc(&p))))
                .into_response()
        }
        Err(e) => refusal_page("Shoot day", &e),
    }
}

fn refusal_page(title: &str, e: &ApiError) -> Response {
    // With rule violations the list says it all, one rule per line; the combined message
    // would only repeat it as one hard-to-read paragraph.
    let headline = if e.violations.is_empty() {
        esc(&e.message)
    } else {
        format!("Refused by {} rule{}:", e.violations.len(), if e.violations.len() == 1 { "" } else { "s" })
    };
    let mut b = format!("<h1>{}</h1><div role=\"alert\"><p class=\"warn\">{headline}</p>", esc(title));
    if !e.violations.is_empty() {
        b.push_str("<ul>");
        for v in &e.violations {
            let _ = write!(
                b,
                "<li><strong>{}</strong>: {} <br>What to do: {}</li>",
                v.rule,
                esc(&v.reason),
                esc(&v.remedy)
            );
        }
        b.push_str("</ul>");
    }
    b.push_str("</div><p>Nothing was recorded. Go back, put it right, and try again.</p>");
    (e.status, Html(page(title, &b))).into_response()
}

async fn firearm_page(State(app): State<App>, Path((p, id)): Path<(String, String)>, headers: HeaderMap) -> Response {
    let state = match page_reader(&app, &headers, &p, &format!("/p/{p}/firearms/{id}")).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let Some(f) = FirearmId::parse(&id).ok().and_then(|id| state.firearms.get(&id).cloned()) else {
        return refusal_page("Firearm", &ApiError::not_found(format!("no firearm '{id}'")));
    };
    let csrf = session_secret(&headers).map(|s| access::csrf_token(&s)).unwrap_or_default();
    let holder = match &f.holder {
        Holder::Person { person } => state.people.get(person).map_or(person.to_string(), |p| p.name.clone()),
        Holder::Storage { location } => {
            state.locations.get(location).map_or(location.to_string(), |l| format!("in {}", l.name))
        }
    };
    let mut b = format!(
        "<h1>{} {} {}</h1><p>Serial {} · {} · held by <strong>{}</strong> · load: <strong>{}</strong></p>\
         <p><img src=\"/p/{p}/firearms/{id}/label.svg\" alt=\"QR label of {id}\" width=\"120\" height=\"120\"> <a href=\"/p/{p}/labels\">Label sheet</a></p>",
        esc(f.id.as_str()),
        esc(&f.make),
        esc(&f.model),
        esc(&f.serial),
        f.kind.as_str().replace('_', " "),
        esc(&holder),
        esc(&coldset_domain::gate::describe_load(&f.load)),
        p = esc(&p),
        id = esc(f.id.as_str()),
    );
    // The gate, for the scene and performer the plan names, if the firearm is out for one.
    if let Some(sc) = f.checks.scene.as_ref().and_then(|s| state.scenes.get(s)) {
        if let Some(item) = sc.plan.item(&f.id) {
            let ctx = coldset_domain::Context::new(app.now(), app.today(&state));
            if let Ok(d) = coldset_domain::gate::evaluate_hand_off(&state, &ctx, &f.id, &item.performer, Some(&sc.id)) {
                let who = state.people.get(&item.performer).map_or(item.performer.to_string(), |p| p.name.clone());
                if d.allowed {
                    let _ =
                        write!(b, "<p class=\"ok\">Ready to hand to {} for scene {}.</p>", esc(&who), esc(&sc.number));
                } else {
                    let _ = write!(b, "<h2>Before it goes to {} (scene {})</h2><ul>", esc(&who), esc(&sc.number));
                    for v in &d.violations {
                        let _ = write!(
                            b,
                            "<li><strong>{}</strong>: {} <br><span class=\"muted\">{}</span></li>",
                            v.rule,
                            esc(&v.reason),
                            esc(&v.remedy)
                        );
                    }
                    b.push_str("</ul>");
                }
            }
        }
    }
    let scenes: String = state
        .scenes
        .values()
        .filter(|s| s.plan.item(&f.id).is_some())
        .map(|s| format!("<option value=\"{0}\">Scene {1} ({2})</option>", esc(s.id.as_str()), esc(&s.number), s.day))
        .collect();
    let performers: String = state
        .people
        .values()
        .filter(|p| p.has_role(coldset_domain::model::Role::Performer))
        .map(|p| format!("<option value=\"{0}\">{1}</option>", esc(p.id.as_str()), esc(&p.name)))
        .collect();
    let form = |action: &str, label: &str, extra: &str| {
        format!(
            "<form method=\"post\" data-action=\"{action}\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"action\" value=\"{action}\">{extra}<button type=\"submit\">{label}</button></form>"
        )
    };
    b.push_str("<h2>Steps</h2>");
    b.push_str(&form(
        "take",
        "Take out of storage for",
        &format!("<label>scene <select name=\"scene\">{scenes}</select></label> "),
    ));
    b.push_str(&form("inspect_pre", "Record pre-use inspection (barrel clear)", ""));
    b.push_str(&form("declare_empty", "Declare empty", ""));
    b.push_str(&form(
        "hand_off",
        "Hand over",
        &format!("<label>to <select name=\"to\">{performers}</select></label> <label>scene <select name=\"scene\">{scenes}</select></label> <label>performer's PIN <input name=\"pin\" inputmode=\"numeric\" autocomplete=\"off\" size=\"6\"></label> "),
    ));
    b.push_str(&form("collect", "Collect back", ""));
    b.push_str(&form("inspect_post", "Record post-use inspection", ""));
    Html(page(&format!("Firearm {}", f.id), &b)).into_response()
}

#[derive(Debug, Deserialize)]
struct ActForm {
    csrf: String,
    action: String,
    #[serde(default)]
    scene: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    pin: Option<String>,
}

fn bad(message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "input.invalid", message)
}

async fn act(
    State(app): State<App>,
    Path((p, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<ActForm>,
) -> Response {
    let title = "Firearm step";
    let run = async {
        let principal = principal(&app, &headers).await?;
        // Pages are used with the session cookie: its anti-forgery token must come back.
        let secret = session_secret(&headers).ok_or_else(|| bad("sign in first"))?;
        if form.csrf != access::csrf_token(&secret) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "auth.csrf",
                "this form is stale or forged: reload the page",
            ));
        }
        let production = crate::api::parse_production(&p)?;
        let firearm = FirearmId::parse(&id).map_err(|e| bad(&e.to_string()))?;
        let scene = form
            .scene
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(SceneId::parse)
            .transpose()
            .map_err(|e| bad(&e.to_string()))?;
        let mut attested = Vec::new();
        let command = match form.action.as_str() {
            "take" => Command::TakeFirearm { firearm, scene },
            "inspect_pre" => {
                Command::InspectFirearm { firearm, stage: InspectionStage::PreUse, barrel_clear: true, fault: None }
            }
            "inspect_post" => {
                Command::InspectFirearm { firearm, stage: InspectionStage::PostUse, barrel_clear: true, fault: None }
            }
            "declare_empty" => Command::DeclareEmpty { firearm },
            "collect" => Command::Collect { firearm },
            "hand_off" => {
                let to = PersonId::parse(form.to.as_deref().unwrap_or_default()).map_err(|e| bad(&e.to_string()))?;
                if let Some(pin) = form.pin.as_deref().filter(|p| !p.is_empty()) {
                    attested.push((to.clone(), pin.to_owned()));
                }
                Command::HandOff { firearm, to, scene }
            }
            other => return Err(bad(&format!("unknown step '{other}'"))),
        };
        let who = crate::write::authorize(&app, &principal, &production, attested).await?;
        let mut request = Request::new(production, who.actor, command);
        request.attested = who.attested;
        request.auth = Some(who.auth);
        app.execute_async(request).await.map_err(ApiError::from)?;
        Ok::<(), ApiError>(())
    };
    match run.await {
        Ok(()) => Redirect::to(&format!("/p/{p}/firearms/{id}")).into_response(),
        Err(e) => refusal_page(title, &e),
    }
}

/// The firearm's QR label: it opens this page.
async fn label(
    Path((p, id)): Path<(String, String)>,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
) -> Response {
    crate::html::qr_code(&headers, options, &format!("/p/{p}/firearms/{id}"), 120)
}
