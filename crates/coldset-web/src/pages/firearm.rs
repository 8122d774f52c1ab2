//! The firearm page, phone-sized: what it is, who holds it, its declared load, what the gate
//! still needs for the performer the plan names, its QR label, and only the steps that fit
//! where it is now, in the order of the protocol, so the safe path is the obvious one. Each
//! form posts to the shared form endpoint (forms.rs), which goes through the same write path
//! as the API.

use crate::error::ApiError;
use crate::extract::PageReader;
use crate::forms::{csrf, location_options, refusal_page, violations_list, Forms};
use crate::html::{holder_name, person_name, production_page};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use coldset_app::App;
use coldset_domain::ids::{FirearmId, PersonId};
use coldset_domain::model::{Firearm, FirearmStatus, Holder, Role, VerificationMethod};
use coldset_domain::safety::{Scene, SceneStatus};
use coldset_domain::ProductionState;
use maud::{html, Markup};

pub(super) async fn firearm_page(
    State(app): State<App>,
    Path((p, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    PageReader(state): PageReader,
    headers: HeaderMap,
) -> Response {
    let back = format!("/p/{p}/firearms/{id}");
    let Some(f) = FirearmId::parse(&id).ok().and_then(|id| state.firearms.get(&id)) else {
        return refusal_page("Firearm", &ApiError::not_found(format!("no firearm '{id}'")), &format!("/p/{p}"));
    };
    let before = super::history::before_param(query.as_deref());
    let records = match records(&app, &state, &p, f, before).await {
        Ok(r) => r,
        Err(e) => return refusal_page("Firearm", &e, &back),
    };
    let csrf = csrf(&headers);
    let forms = Forms { p: &p, csrf: &csrf, back: &back };
    let ctx = coldset_domain::Context::new(app.now(), app.today(&state));
    let body = html! { (view(&state, &ctx, &p, f, forms)) (records.view(&state, f, forms, &back, before)) };
    production_page(&p, &format!("Firearm {}", f.id), body).into_response()
}

/// What the log says of a firearm: its corrections (each beside the record it corrects),
/// the record now in force (what a new correction names), and a page of its history.
struct Records {
    corrections: Vec<coldset_app::history::HistoryEntry>,
    in_force: Option<u64>,
    history: coldset_app::history::HistoryPage,
}

async fn records(
    app: &App,
    state: &ProductionState,
    p: &str,
    f: &Firearm,
    before: Option<u64>,
) -> Result<Records, ApiError> {
    let entity = coldset_domain::EntityRef::Firearm(f.id.clone());
    let corrections = super::history::corrections(app, p, entity.clone()).await?;
    let in_force = state.firearm_records.get(&f.id).copied();
    let history = super::history::load(app, p, entity, before).await?;
    Ok(Records { corrections, in_force, history })
}

impl Records {
    fn view(&self, state: &ProductionState, f: &Firearm, forms: Forms<'_>, path: &str, before: Option<u64>) -> Markup {
        html! {
            section aria-labelledby="details" {
                h2 id="details" { "Details and corrections (R-REC-6)" }
                p { "Make " strong { (f.make) } " · model " strong { (f.model) } " · serial " strong { (f.serial) } " · calibre " strong { (f.calibre) } }
                p.muted { "Received from " (f.acquired_from.name) " (" (f.acquired_from.document) ") · condition: " (f.condition) }
                @for c in &self.corrections { div.card { (super::history::entry(state, c)) } }
                @if let Some(seq) = self.in_force {
                    details {
                        summary { "Correct a wrong entry (a mistyped serial)" }
                        (forms.form("correct_firearm", html! {
                            input type="hidden" name="firearm" value=(f.id);
                            input type="hidden" name="corrects_seq" value=(seq);
                            p { label { "Make" br; input name="make" value=(f.make) required; } }
                            p { label { "Model" br; input name="model" value=(f.model) required; } }
                            p { label { "Serial" br; input name="serial" value=(f.serial) required autocomplete="off"; } }
                            p { label { "Calibre" br; input name="calibre" value=(f.calibre) required; } }
                            p { label { "Why it is corrected" br; input name="reason" required; } }
                        }, "Record the correction"))
                    }
                }
            }
            (super::history::section(state, &self.history, path, before))
        }
    }
}

fn view(state: &ProductionState, ctx: &coldset_domain::Context, p: &str, f: &Firearm, forms: Forms<'_>) -> Markup {
    let holder = holder_name(state, &f.holder);
    // The gate, for the scene and performer the plan names, while the armory holds the
    // firearm for that scene (once handed over, the gate's question is answered).
    let scene = f.checks.scene.as_ref().and_then(|s| state.scenes.get(s));
    let with_armory = f.holder.person().and_then(|h| state.people.get(h)).is_some_and(|x| x.is_armorer_side());
    let gate = scene.filter(|_| with_armory).and_then(|sc| {
        let item = sc.plan.item(&f.id)?;
        let d = coldset_domain::gate::evaluate_hand_off(state, ctx, &f.id, &item.performer, Some(&sc.id)).ok()?;
        Some((sc, &item.performer, d))
    });
    html! {
        h1 { (f.id) " " (f.make) " " (f.model) }
        p {
            "Serial " (f.serial) " · " (f.kind.as_str().replace('_', " ")) " · held by " strong { (holder) }
            " · load: " strong { (coldset_domain::gate::describe_load(&f.load)) }
        }
        p {
            img src={ "/p/" (p) "/firearms/" (f.id) "/label.svg" } alt={ "QR label of " (f.id) } width="120" height="120";
            " "
            a href={ "/p/" (p) "/labels" } { "Label sheet" }
        }
        @if let FirearmStatus::Withdrawn { reason } = &f.status { p.warn { "Withdrawn from use: " (reason) } }
        @if let Some((sc, performer, d)) = &gate {
            @if d.allowed {
                p.ok { "Ready to hand to " (person_name(state, performer)) " for scene " (sc.number) "." }
            } @else {
                h2 { "Before it goes to " (person_name(state, performer)) " (scene " (sc.number) ")" }
                (violations_list(&d.violations))
            }
        }
        h2 { "Next steps" }
        (steps(state, p, f, scene, &holder, forms))
        script src=(crate::assets::Asset::Passkey.url()) {}
    }
}

/// The steps that fit where the firearm is now.
fn steps(
    state: &ProductionState,
    p: &str,
    f: &Firearm,
    scene: Option<&Scene>,
    holder: &str,
    forms: Forms<'_>,
) -> Markup {
    let options = |people: &mut dyn Iterator<Item = &PersonId>| {
        html! { @for id in people { option value=(id) { (person_name(state, id)) } } }
    };
    let with_role =
        |role: Role| -> Vec<&PersonId> { state.people.values().filter(|x| x.has_role(role)).map(|x| &x.id).collect() };
    let step = |action: &str, label: &str, fields: Markup| {
        forms.form(action, html! { input type="hidden" name="firearm" value=(f.id); (fields) }, label)
    };
    // The person present types their PIN, or confirms with their passkey.
    let pin = |whose: &str, field: Option<&str>, person: Option<&str>| {
        html! {
            label { (whose) "'s PIN " input name="pin" type="password" inputmode="numeric" autocomplete="off" size="6"; }
            " "
            (crate::passkeys::confirm_button(p, field, person))
        }
    };
    let clear = || {
        html! {
            label { input type="checkbox" name="barrel_clear" value="yes"; " Barrel and chambers clear, no obstruction" } " "
            label { "Fault found " input name="fault" size="20"; } " "
        }
    };
    match &f.holder {
        Holder::Storage { .. } => {
            let scenes =
                state.scenes.values().filter(|s| s.plan.item(&f.id).is_some() && s.status != SceneStatus::Wrapped);
            step(
                "take",
                "Take out of storage",
                html! {
                    label { "for scene " select name="scene" {
                        option value="" { "none (maintenance)" }
                        @for s in scenes { option value=(s.id) { "Scene " (s.number) " (" (s.day) ")" } }
                    } } " "
                },
            )
        }
        Holder::Person { person } if !state.people.get(person).is_some_and(|x| x.is_armorer_side()) => html! {
            p { (holder) " holds it. Collect it at cut; the holder confirms with their PIN." }
            (step("collect", "Collect back", pin(holder, None, Some(person.as_str()))))
        },
        Holder::Person { .. } => {
            let containers: Vec<_> = state
                .containers
                .values()
                .filter(|c| c.holder.person().and_then(|h| state.people.get(h)).is_some_and(|x| x.is_armorer_side()))
                .collect();
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
            let performers: Vec<&PersonId> = match scene {
                Some(sc) => sc.plan.items.iter().filter(|i| i.firearm == f.id).map(|i| &i.performer).collect(),
                None => with_role(Role::Performer),
            };
            html! {
                h3 { "1. Inspect" }
                (step("inspect_pre", "Record pre-use inspection", clear()))
                h3 { "2. Load or declare empty" }
                @if containers.is_empty() {
                    p.muted { "To load, first take a container of rounds out of storage (Ammunition page)." }
                } @else {
                    (step("load", "Load", html! {
                        label { "from " select name="container" {
                            @for c in &containers { option value=(c.id) { (c.label) " (" (c.class) ", " (c.count()) " rounds)" } }
                        } } " "
                        label { "rounds " input name="count" inputmode="numeric" required size="3"; } " "
                        label { "each dummy checked by " select name="dummy_check" {
                            option value="" { "not dummies" }
                            @for m in VerificationMethod::ALL { option value=(m) { (m.as_str().replace('_', " ")) } }
                        } } " "
                    }))
                }
                (step("declare_empty", "Declare empty", html! {}))
                h3 { "3. Show it" }
                p.muted { "On this phone, each person confirms with their own PIN." }
                (step("ack_demonstration", "The 1st AD saw the demonstration", html! {
                    label { "1st AD " select name="person" { (options(&mut with_role(Role::FirstAd).into_iter())) } }
                    " " (pin("1st AD", Some("person"), None))
                }))
                (step("ack_shown", "Shown and acknowledged", html! {
                    label { "by " select name="person" { (options(&mut shown.into_iter())) } }
                    " " (pin("their", Some("person"), None))
                }))
                h3 { "4. Hand over" }
                (step("hand_off", "Hand over", html! {
                    @if let Some(sc) = scene { input type="hidden" name="scene" value=(sc.id); }
                    label { "to " select name="to" { (options(&mut performers.into_iter())) } }
                    " " (pin("performer", Some("to"), None))
                }))
                h3 { "After the take" }
                (step("inspect_post", "Record post-use inspection", clear()))
                (step("unload", "Unload and reconcile", html! {
                    label { "rounds fired " input name="fired" inputmode="numeric" required size="3"; } " "
                    label { "rounds returned " input name="returned" inputmode="numeric" required size="3"; } " "
                }))
                (step("store_firearm", "Put away", html! {
                    label { "in " select name="location" { (location_options(state)) } } " "
                }))
            }
        }
    }
}

/// The firearm's QR label: it opens the firearm's page.
pub(super) async fn label(
    Path((p, id)): Path<(String, String)>,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
) -> Response {
    crate::html::qr_code(&headers, options, &format!("/p/{p}/firearms/{id}"), 120)
}
