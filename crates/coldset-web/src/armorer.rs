//! The armorer's pages, phone-sized: the firearm page (its state and holder, what the protocol
//! still needs before it may go to a performer, its QR label, and the steps that fit where it
//! is now), the shoot day (counts, storage, alerts) and the label sheet. Each form posts to
//! the shared form endpoint (forms.rs), which goes through the same write path as the API.

use crate::auth::page_reader;
use crate::error::ApiError;
use crate::forms::{csrf, form, form_start, location_options, refusal_page, violations_list};
use crate::html::{esc, holder_name, person_name, production_page};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use coldset_app::App;
use coldset_domain::ids::{FirearmId, PersonId};
use coldset_domain::model::{FirearmStatus, Holder, Role, VerificationMethod};
use coldset_domain::reports::Authority;
use coldset_domain::safety::SceneStatus;
use std::fmt::Write;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/p/{production}/firearms/{id}", get(firearm_page))
        .route("/p/{production}/firearms/{id}/label.svg", get(label))
        .route("/p/{production}/day", get(day_page))
        .route("/p/{production}/labels", get(label_sheet))
}

/// Every firearm's QR label on one sheet that prints cleanly from the browser: the labels
/// flow in a grid on screen and in print, and print never splits a label across pages.
async fn label_sheet(
    State(app): State<App>,
    Path(p): Path<String>,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
) -> Response {
    let state = match page_reader(&app, &headers, &p, &format!("/p/{p}/labels")).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let mut b = String::from(
        "<style>.labels{display:flex;flex-wrap:wrap;gap:1rem;padding:0;list-style:none}\
         .labels li{border:1px dashed var(--line);padding:0.5rem;width:10rem;text-align:center;break-inside:avoid}\
         @media print{header,nav,.no-print{display:none}.labels li{border-color:#000}}</style>",
    );
    let _ = write!(
        b,
        "<h1>Labels</h1><p class=\"no-print\">Print this page (Ctrl+P) and fix each label to its case. \
         Each code opens the firearm's or container's page. <a href=\"/p/{p}/board\">Live board</a></p>",
        p = esc(&p)
    );
    let base = crate::html::base_url(&headers, options);
    if crate::html::is_loopback_base(&base) {
        let _ = write!(
            b,
            "<p class=\"warn no-print\" role=\"alert\">These codes open {}, which only this computer can reach: a phone \
             that scans them will find nothing. Start coldset with public_url set to the address phones use (for example \
             https://armory-laptop.local:8443), then print.</p>",
            esc(&base)
        );
    }
    b.push_str("<ul class=\"labels\">");
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
    for c in state.containers.values() {
        let _ = write!(
            b,
            "<li><img src=\"/p/{p}/containers/{id}/label.svg\" alt=\"QR code for container {label}\" width=\"120\" height=\"120\">\
             <br><strong>{label}</strong><br>{class} {calibre}</li>",
            p = esc(&p),
            id = esc(c.id.as_str()),
            label = esc(&c.label),
            class = esc(&c.class.to_string()),
            calibre = esc(&c.calibre),
        );
    }
    if state.firearms.is_empty() && state.containers.is_empty() {
        b.push_str("<li>No firearms or containers yet.</li>");
    }
    b.push_str("</ul>");
    Html(production_page(&p, "Labels", &b)).into_response()
}

/// Day open and day close (R-STORE-4), storage and the open alerts. The armorer counts every
/// firearm (1 if it is in its place, 0 if not) and every container's rounds. The form is not
/// pre-filled: a count copied from the register is no count.
async fn day_page(State(app): State<App>, Path(p): Path<String>, headers: HeaderMap) -> Response {
    let state = match page_reader(&app, &headers, &p, &format!("/p/{p}/day")).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let csrf = csrf(&headers);
    let back = format!("/p/{p}/day");
    let (title, action) = match &state.safety.day {
        None => ("Open the shoot day", "open_day"),
        Some(_) => ("Close the shoot day", "close_day"),
    };
    let mut b = format!("<h1>{title}</h1>");
    if action == "open_day" {
        // R-NOTIF-1: the authorities are told before firearms are used on a day.
        let today = app.today(&state);
        b.push_str("<h2>Notices for today (R-NOTIF-1)</h2><ul>");
        for (authority, label) in
            [(Authority::StudioSafetyOffice, "Studio safety office"), (Authority::LocalPolice, "Local police")]
        {
            let done = state.reporting.notices.iter().find(|(a, d, _)| *a == authority && *d == today);
            let _ = write!(
                b,
                "<li>{label}: {}</li>",
                done.map_or("<strong class=\"warn\">not recorded</strong>".to_owned(), |(_, _, r)| format!(
                    "notified, reference {}",
                    esc(r)
                ))
            );
        }
        b.push_str("</ul>");
        let fields = format!(
            "<input type=\"hidden\" name=\"date\" value=\"{today}\"><label>Told <select name=\"authority\">\
             <option value=\"studio_safety_office\">the studio safety office</option><option value=\"local_police\">the local police</option></select></label> \
             <label>reference <input name=\"reference\" required size=\"16\"></label> "
        );
        b.push_str(&form("record_notice", &csrf, &back, &p, &fields, "Record the notice"));
    }
    let _ = write!(
        b,
        "<h2>Count</h2><p>Count every item; any difference becomes an alert that must be explained (R-STORE-4).</p>{}",
        form_start(action, &csrf, &back, &p)
    );
    b.push_str("<fieldset><legend>Firearms (1 = in its place)</legend>");
    for f in state.firearms.values().filter(|f| !matches!(f.status, FirearmStatus::Disposed { .. })) {
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
    if action == "open_day" {
        b.push_str(
            "<fieldset><legend>Call sheet</legend>\
             <p><label><input type=\"checkbox\" name=\"bulletin\" value=\"yes\"> Safety bulletin attached (R-MEET-4)</label></p>\
             <p><label><input type=\"checkbox\" name=\"contact\" value=\"yes\"> Compliance contact shown (R-ROLE-5)</label></p>\
             <p><label>Medics on the call sheet (R-MED-1) <input name=\"medics\" size=\"30\"></label></p></fieldset>",
        );
    }
    let _ = write!(b, "<p><button type=\"submit\">{title}</button></p></form>");
    b.push_str("<h2>Storage</h2><ul>");
    for l in state.locations.values() {
        let (status, step, label) = match &l.opened {
            Some(_) => ("open", "close_storage", "Lock"),
            None => ("locked", "open_storage", "Open"),
        };
        let fields = format!("<input type=\"hidden\" name=\"location\" value=\"{}\">", esc(l.id.as_str()));
        let _ = write!(
            b,
            "<li>{} ({}) is <strong>{status}</strong> {}</li>",
            esc(&l.name),
            l.kind,
            form(step, &csrf, &back, &p, &fields, &format!("{label} {}", l.name))
        );
    }
    b.push_str("</ul><h2>Open alerts</h2>");
    let open: Vec<_> = state.safety.alerts.values().filter(|a| a.resolved.is_none()).collect();
    if open.is_empty() {
        b.push_str("<p>None.</p>");
    }
    for a in open {
        let fields = format!(
            "<input type=\"hidden\" name=\"alert\" value=\"{}\"><label>Explanation <input name=\"note\" required size=\"30\"></label> ",
            a.id
        );
        let _ = write!(
            b,
            "<div class=\"card\"><p><strong>{}</strong>: {}</p>{}</div>",
            a.rule,
            esc(&a.message),
            form("resolve_alert", &csrf, &back, &p, &fields, "Resolve")
        );
    }
    Html(production_page(&p, title, &b)).into_response()
}

/// The firearm page: what it is, who holds it, its declared load, what the gate still needs
/// for the performer the plan names, and only the steps that fit where it is now, in the
/// order of the protocol, so the safe path is the obvious one.
async fn firearm_page(State(app): State<App>, Path((p, id)): Path<(String, String)>, headers: HeaderMap) -> Response {
    let back = format!("/p/{p}/firearms/{id}");
    let state = match page_reader(&app, &headers, &p, &back).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let Some(f) = FirearmId::parse(&id).ok().and_then(|id| state.firearms.get(&id).cloned()) else {
        return refusal_page("Firearm", &ApiError::not_found(format!("no firearm '{id}'")), &format!("/p/{p}"));
    };
    let csrf = csrf(&headers);
    let name = |person: &PersonId| person_name(&state, person);
    let holder = holder_name(&state, &f.holder);
    let fid = esc(f.id.as_str());
    let mut b = format!(
        "<h1>{fid} {} {}</h1><p>Serial {} · {} · held by <strong>{}</strong> · load: <strong>{}</strong></p>\
         <p><img src=\"/p/{p}/firearms/{fid}/label.svg\" alt=\"QR label of {fid}\" width=\"120\" height=\"120\"> <a href=\"/p/{p}/labels\">Label sheet</a></p>",
        esc(&f.make),
        esc(&f.model),
        esc(&f.serial),
        f.kind.as_str().replace('_', " "),
        esc(&holder),
        esc(&coldset_domain::gate::describe_load(&f.load)),
        p = esc(&p),
    );
    if let FirearmStatus::Withdrawn { reason } = &f.status {
        let _ = write!(b, "<p class=\"warn\">Withdrawn from use: {}</p>", esc(reason));
    }
    // The gate, for the scene and performer the plan names, while the armory holds the
    // firearm for that scene (once handed over, the gate's question is answered).
    let scene = f.checks.scene.as_ref().and_then(|s| state.scenes.get(s));
    let with_armory = f.holder.person().and_then(|h| state.people.get(h)).is_some_and(|x| x.is_armorer_side());
    if let Some(sc) = scene.filter(|_| with_armory) {
        if let Some(item) = sc.plan.item(&f.id) {
            let ctx = coldset_domain::Context::new(app.now(), app.today(&state));
            if let Ok(d) = coldset_domain::gate::evaluate_hand_off(&state, &ctx, &f.id, &item.performer, Some(&sc.id)) {
                let who = esc(&name(&item.performer));
                if d.allowed {
                    let _ = write!(b, "<p class=\"ok\">Ready to hand to {who} for scene {}.</p>", esc(&sc.number));
                } else {
                    let _ = write!(b, "<h2>Before it goes to {who} (scene {})</h2>", esc(&sc.number));
                    b.push_str(&violations_list(&d.violations));
                }
            }
        }
    }
    let options = |people: &mut dyn Iterator<Item = &PersonId>| -> String {
        people.map(|id| format!("<option value=\"{}\">{}</option>", esc(id.as_str()), esc(&name(id)))).collect()
    };
    let with_role =
        |role: Role| -> Vec<&PersonId> { state.people.values().filter(|x| x.has_role(role)).map(|x| &x.id).collect() };
    let hidden = format!("<input type=\"hidden\" name=\"firearm\" value=\"{fid}\">");
    let step =
        |action: &str, label: &str, fields: &str| form(action, &csrf, &back, &p, &format!("{hidden}{fields}"), label);
    // The person present types their PIN, or confirms with their passkey.
    let pin = |whose: &str, field: Option<&str>, person: Option<&str>| {
        format!(
            "<label>{}'s PIN <input name=\"pin\" type=\"password\" inputmode=\"numeric\" autocomplete=\"off\" size=\"6\"></label> {}",
            esc(whose),
            crate::passkeys::confirm_button(&p, field, person)
        )
    };
    b.push_str("<h2>Next steps</h2>");
    match &f.holder {
        Holder::Storage { .. } => {
            let scenes: String = state
                .scenes
                .values()
                .filter(|s| s.plan.item(&f.id).is_some() && s.status != SceneStatus::Wrapped)
                .map(|s| {
                    format!("<option value=\"{0}\">Scene {1} ({2})</option>", esc(s.id.as_str()), esc(&s.number), s.day)
                })
                .collect();
            b.push_str(&step(
                "take",
                "Take out of storage",
                &format!("<label>for scene <select name=\"scene\"><option value=\"\">none (maintenance)</option>{scenes}</select></label> "),
            ));
        }
        Holder::Person { person } if !state.people.get(person).is_some_and(|x| x.is_armorer_side()) => {
            let _ =
                write!(b, "<p>{} holds it. Collect it at cut; the holder confirms with their PIN.</p>", esc(&holder));
            b.push_str(&step("collect", "Collect back", &pin(&holder, None, Some(person.as_str()))));
        }
        Holder::Person { .. } => {
            let clear = "<label><input type=\"checkbox\" name=\"barrel_clear\" value=\"yes\"> Barrel and chambers clear, no obstruction</label> \
                         <label>Fault found <input name=\"fault\" size=\"20\"></label> ";
            b.push_str("<h3>1. Inspect</h3>");
            b.push_str(&step("inspect_pre", "Record pre-use inspection", clear));
            let containers: String = state
                .containers
                .values()
                .filter(|c| c.holder.person().and_then(|h| state.people.get(h)).is_some_and(|x| x.is_armorer_side()))
                .map(|c| {
                    format!(
                        "<option value=\"{}\">{} ({}, {} rounds)</option>",
                        esc(c.id.as_str()),
                        esc(&c.label),
                        esc(&c.class.to_string()),
                        c.count()
                    )
                })
                .collect();
            let methods: String = VerificationMethod::ALL
                .iter()
                .map(|m| format!("<option value=\"{m}\">{}</option>", m.as_str().replace('_', " ")))
                .collect();
            b.push_str("<h3>2. Load or declare empty</h3>");
            if containers.is_empty() {
                b.push_str("<p class=\"muted\">To load, first take a container of rounds out of storage (Ammunition page).</p>");
            } else {
                b.push_str(&step(
                    "load",
                    "Load",
                    &format!(
                        "<label>from <select name=\"container\">{containers}</select></label> \
                         <label>rounds <input name=\"count\" inputmode=\"numeric\" required size=\"3\"></label> \
                         <label>each dummy checked by <select name=\"dummy_check\"><option value=\"\">not dummies</option>{methods}</select></label> "
                    ),
                ));
            }
            b.push_str(&step("declare_empty", "Declare empty", ""));
            b.push_str(
                "<h3>3. Show it</h3><p class=\"muted\">On this phone, each person confirms with their own PIN.</p>",
            );
            b.push_str(&step(
                "ack_demonstration",
                "The 1st AD saw the demonstration",
                &format!(
                    "<label>1st AD <select name=\"person\">{}</select></label> {}",
                    options(&mut with_role(Role::FirstAd).into_iter()),
                    pin("1st AD", Some("person"), None)
                ),
            ));
            let shown: Vec<&PersonId> = match scene {
                Some(sc) => sc
                    .plan
                    .items
                    .iter()
                    .filter(|i| i.firearm == f.id)
                    .map(|i| &i.performer)
                    .chain(sc.plan.line_of_fire.iter())
                    .collect(),
                None => with_role(Role::Performer),
            };
            b.push_str(&step(
                "ack_shown",
                "Shown and acknowledged",
                &format!(
                    "<label>by <select name=\"person\">{}</select></label> {}",
                    options(&mut shown.into_iter()),
                    pin("their", Some("person"), None)
                ),
            ));
            let performers: Vec<&PersonId> = match scene {
                Some(sc) => sc.plan.items.iter().filter(|i| i.firearm == f.id).map(|i| &i.performer).collect(),
                None => with_role(Role::Performer),
            };
            let scene_field = scene
                .map(|sc| format!("<input type=\"hidden\" name=\"scene\" value=\"{}\">", esc(sc.id.as_str())))
                .unwrap_or_default();
            b.push_str("<h3>4. Hand over</h3>");
            b.push_str(&step(
                "hand_off",
                "Hand over",
                &format!(
                    "{scene_field}<label>to <select name=\"to\">{}</select></label> {}",
                    options(&mut performers.into_iter()),
                    pin("performer", Some("to"), None)
                ),
            ));
            b.push_str("<h3>After the take</h3>");
            b.push_str(&step("inspect_post", "Record post-use inspection", clear));
            b.push_str(&step(
                "unload",
                "Unload and reconcile",
                "<label>rounds fired <input name=\"fired\" inputmode=\"numeric\" required size=\"3\"></label> \
                 <label>rounds returned <input name=\"returned\" inputmode=\"numeric\" required size=\"3\"></label> ",
            ));
            let locations = location_options(&state);
            b.push_str(&step(
                "store_firearm",
                "Put away",
                &format!("<label>in <select name=\"location\">{locations}</select></label> "),
            ));
        }
    }
    b.push_str("<script src=\"/static/passkey.js\"></script>");
    Html(production_page(&p, &format!("Firearm {}", f.id), &b)).into_response()
}

/// The firearm's QR label: it opens this page.
async fn label(
    Path((p, id)): Path<(String, String)>,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
) -> Response {
    crate::html::qr_code(&headers, options, &format!("/p/{p}/firearms/{id}"), 120)
}
