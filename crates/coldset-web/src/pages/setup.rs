//! The set-up page (`/p/{p}/setup`): what a production needs before its first shoot day,
//! one section each, every form posting through the one write path (forms.rs), every
//! refusal naming its rules before anything is saved: people (their own pages), storage
//! locations, firearm intake with its provenance, approved suppliers, ammunition lots (the
//! intake and the dummy verification stay on the ammunition page), containers, scenes and
//! their plans, and the planned shoot days.
//!
//! A shoot day is planned by planning its scenes: the domain has no other record of a
//! planned day (a scene's `day`), and the day itself is opened on the Day page.

use crate::extract::PageReader;
use crate::forms::{csrf, Forms};
use crate::html::{holder_name, person_name, production_page};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use coldset_app::App;
use coldset_domain::ids::PersonId;
use coldset_domain::model::{FirearmKind, FirearmStatus, LocationKind, Role};
use coldset_domain::safety::{CameraProtection, Mitigation, PlanItem, PlannedLoad, Scene, SceneKind};
use coldset_domain::{Date, ProductionState};
use maud::{html, Markup};
use std::collections::BTreeMap;

fn words(s: &str) -> String {
    s.replace('_', " ")
}

/// A snake_case name of one of the plan's choices, as the form sends it.
fn snake<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

pub(super) async fn setup_page(
    State(app): State<App>,
    Path(p): Path<String>,
    PageReader(state): PageReader,
    headers: HeaderMap,
) -> Response {
    let back = format!("/p/{p}/setup");
    let csrf = csrf(&headers);
    let forms = Forms { p: &p, csrf: &csrf, back: &back };
    let today = app.today(&state);
    production_page(&p, "Set-up", view(&state, &p, today, forms)).into_response()
}

fn view(state: &ProductionState, p: &str, today: Date, forms: Forms<'_>) -> Markup {
    html! {
        h1 { "Set-up" }
        p.muted { "Every entry is checked against the safety rules when it is sent; a refusal names each rule and records nothing." }
        nav aria-label="Set-up sections" {
            ul {
                li { a href="#people" { "People" } }
                li { a href="#locations" { "Storage" } }
                li { a href="#firearms" { "Firearms" } }
                li { a href="#suppliers" { "Suppliers" } }
                li { a href="#lots" { "Lots" } }
                li { a href="#containers" { "Containers" } }
                li { a href="#scenes" { "Scenes" } }
                li { a href="#days" { "Shoot days" } }
            }
        }
        (people_section(state, p))
        (locations_section(state, forms))
        (firearms_section(state, p, forms))
        (suppliers_section(state, forms))
        (lots_section(state, p))
        (containers_section(state, p, forms))
        (scenes_section(state, p, today, forms))
        (days_section(state, p, today))
    }
}

fn people_section(state: &ProductionState, p: &str) -> Markup {
    let conflicted = state.people.values().filter(|x| !super::people::conflicts(x).is_empty()).count();
    html! {
        section aria-labelledby="people" {
            h2 id="people" { "People and roles" }
            p { (state.people.len()) " people" @if conflicted > 0 { " · " strong.warn { (conflicted) " with a role conflict" } } }
            p {
                a.tap href={ "/p/" (p) "/people" } { "People, roles and credentials" } " "
                a.tap href={ "/p/" (p) "/people#add-person" } { "Add a person" }
            }
        }
    }
}

fn person_checkboxes(state: &ProductionState, name: &str, checked: &dyn Fn(&PersonId) -> bool) -> Markup {
    html! {
        @for x in super::people::by_name(state) {
            p { label {
                input type="checkbox" name=(name) value=(x.id) checked[checked(&x.id)];
                // One span: a flex label drops the space between separate pieces of text.
                span { (x.name) " " span.muted { "(" (x.roles.iter().map(|r| words(r.as_str())).collect::<Vec<_>>().join(", ")) ")" } }
            } }
        }
    }
}

fn locations_section(state: &ProductionState, forms: Forms<'_>) -> Markup {
    html! {
        section aria-labelledby="locations" {
            h2 id="locations" { "Storage locations" }
            @for l in state.locations.values() {
                div.card {
                    p { strong { (l.name) } " · " (l.kind) " " span.muted { "(" (l.id) ")" } }
                    p { "May open it (R-STORE-3): " (l.authorised.iter().map(|x| person_name(state, x)).collect::<Vec<_>>().join(", ")) }
                }
            }
            details {
                summary { "Add a storage location" }
                (forms.form("add_location", html! {
                    p { label { "Name" br; input name="name" required placeholder="Armory truck safe"; } }
                    fieldset {
                        legend { "Kind" }
                        @for k in LocationKind::ALL {
                            p { label { input type="radio" name="kind" value=(k) required checked[*k == LocationKind::Safe]; (k) } }
                        }
                    }
                    fieldset {
                        legend { "Who may open it" }
                        (person_checkboxes(state, "authorised", &|id| state.people.get(id).is_some_and(|x| x.is_armorer_side())))
                    }
                }, "Add location"))
            }
        }
    }
}

fn firearms_section(state: &ProductionState, p: &str, forms: Forms<'_>) -> Markup {
    html! {
        section aria-labelledby="firearms" {
            h2 id="firearms" { "Firearms" }
            @for f in state.firearms.values() {
                div.card {
                    p {
                        a.tap href={ "/p/" (p) "/firearms/" (f.id) } { (f.id) " " (f.make) " " (f.model) }
                        br; "Serial " (f.serial) " · " (words(f.kind.as_str())) " · " (f.calibre)
                        br; "From " (f.acquired_from.name) " (" (f.acquired_from.document) ") · "
                        @match &f.status {
                            FirearmStatus::InService => { (holder_name(state, &f.holder)) }
                            FirearmStatus::Withdrawn { .. } => strong.warn { "withdrawn" },
                            FirearmStatus::Disposed { .. } => span.muted { "left the production" },
                        }
                    }
                }
            }
            h3 { "Take in a firearm" }
            p.muted { "The armorer records every intake with where it came from (R-STORE-5, R-REC-3); a firing kind needs the armorer's licence for it (R-ROLE-2)." }
            (forms.form("intake_firearm", html! {
                fieldset {
                    legend { "Kind" }
                    @for k in FirearmKind::ALL {
                        p { label { input type="radio" name="kind" value=(k) required; (words(k.as_str())) } }
                    }
                }
                p { label { "Make" br; input name="make" required placeholder="Colt"; } }
                p { label { "Model" br; input name="model" required placeholder="Single Action Army"; } }
                p { label { "Serial" br; input name="serial" required autocomplete="off"; } }
                p { label { "Calibre" br; input name="calibre" required placeholder=".45 Colt"; } }
                p { label { "Condition" br; input name="condition" required placeholder="good, function-checked"; } }
                fieldset {
                    legend { "Provenance" }
                    p { label { "Supplier (rental house, owner)" br; input name="supplier"; } }
                    p { label { "Supplier's licence" br; input name="supplier_licence"; } }
                    p { label { "Paperwork (rental agreement, delivery note)" br; input name="paperwork"; } }
                }
            }, "Take in"))
        }
    }
}

fn suppliers_section(state: &ProductionState, forms: Forms<'_>) -> Markup {
    let approved = state.info.as_ref().map(|i| i.approved_suppliers.iter().collect::<Vec<_>>()).unwrap_or_default();
    html! {
        section aria-labelledby="suppliers" {
            h2 id="suppliers" { "Approved ammunition suppliers" }
            p.muted { "Dummies come only from approved suppliers (R-AMMO-3)." }
            @if approved.is_empty() { p { "None yet." } }
            ul { @for s in approved { li { (s) } } }
            (forms.form("approve_supplier", html! {
                p { label { "Supplier" br; input name="supplier" required; } }
            }, "Approve supplier"))
        }
    }
}

fn lots_section(state: &ProductionState, p: &str) -> Markup {
    html! {
        section aria-labelledby="lots" {
            h2 id="lots" { "Ammunition lots" }
            @for lot in state.lots.values() {
                div.card {
                    p {
                        a.tap href={ "/p/" (p) "/lots/" (lot.id) } { "Lot " (lot.id) }
                        br; (lot.rounds) " " (lot.class) " " (lot.calibre) " · " (lot.provenance.supplier)
                        " · " (lot.state.kind().as_str())
                    }
                }
            }
            p { a.tap href={ "/p/" (p) "/ammunition" } { "Receive a lot, verify dummies" } }
        }
    }
}

fn containers_section(state: &ProductionState, p: &str, forms: Forms<'_>) -> Markup {
    let options = html! { @for c in state.containers.values() { option value=(c.id) { (c.label) " (" (c.class) ", " (c.count()) ")" } } };
    html! {
        section aria-labelledby="containers" {
            h2 id="containers" { "Containers" }
            @for c in state.containers.values() {
                div.card {
                    p {
                        a.tap href={ "/p/" (p) "/containers/" (c.id) } { (c.label) }
                        br; (c.class) " " (c.calibre) " · " (c.count()) " rounds · " (holder_name(state, &c.holder))
                    }
                }
            }
            details {
                summary { "Make up an empty container" }
                p.muted { "One class per container, labelled with it (R-AMMO-5); never live (R-AMMO-1)." }
                (forms.form("create_container", html! {
                    p { label { "Label" br; input name="label" required placeholder="DUM-45-B"; } }
                    fieldset {
                        legend { "Class" }
                        p { label { input type="radio" name="class" value="dummy" required; "dummy" } }
                        p { label { input type="radio" name="class" value="blank"; "blank" } }
                    }
                    p { label { "Blank load (blanks only)" br; input name="load" placeholder="quarter, half, full"; } }
                    p { label { "Calibre" br; input name="calibre" required placeholder=".45 Colt"; } }
                }, "Make up container"))
            }
            @if state.containers.len() > 1 {
                details {
                    summary { "Move rounds between containers" }
                    (forms.form("move_rounds", html! {
                        p { label { "From" br; select name="from" { (options) } } }
                        p { label { "To" br; select name="to" { (options) } } }
                        p { label { "Rounds" br; input name="rounds" inputmode="numeric" required; } }
                    }, "Move rounds"))
                }
            }
        }
    }
}

fn scenes_section(state: &ProductionState, p: &str, today: Date, forms: Forms<'_>) -> Markup {
    html! {
        section aria-labelledby="scenes" {
            h2 id="scenes" { "Scenes and their plans" }
            @for sc in state.scenes.values() {
                div.card {
                    p {
                        a.tap href={ "/p/" (p) "/scenes/" (sc.id) } { "Scene " (sc.number) }
                        " " (sc.day) br; (sc.description) br; span.muted { (super::scene::scene_summary(state, sc)) }
                    }
                    details {
                        summary { "Revise the plan (version " (sc.plan_version) ")" }
                        (forms.form("revise_plan", html! {
                            input type="hidden" name="scene" value=(sc.id);
                            (plan_fields(state, Some(sc)))
                            p { label { "Why it changes" br; input name="reason" required; } }
                        }, "Record the new version"))
                    }
                }
            }
            h3 { "Plan a scene" }
            p.muted { "The plan is checked at once: aim (R-AIM-1), camera (R-CAM-1), distances (R-DIST-1, R-DIST-2), rehearsals (R-REH-1), training (R-TRAIN-1), the written risk assessment (R-REC-1). Approvals are given on the scene's page." }
            (forms.form("plan_scene", html! {
                p { label { "Scene number" br; input name="number" required placeholder="42A"; } }
                p { label { "What happens" br; input name="description" required; } }
                p { label { "Shoot day" br; input name="day" value=(today) type="date" required min=(today); } }
                (plan_fields(state, None))
            }, "Plan the scene"))
        }
    }
}

/// The plan's fields, filled in from `current` when revising: the kind of scene, one block
/// per firearm (one more empty block than it has), the call list, who is in the line of fire,
/// protection near blank fire and the written risk assessment.
pub(crate) fn plan_fields(state: &ProductionState, current: Option<&Scene>) -> Markup {
    let plan = current.map(|s| &s.plan);
    let items: Vec<Option<&PlanItem>> = {
        let mut v: Vec<Option<&PlanItem>> = plan.map(|p| p.items.iter().map(Some).collect()).unwrap_or_default();
        v.push(None);
        v.truncate(super::MAX_PLAN_ITEMS);
        v
    };
    let kind = plan.map_or(SceneKind::Take, |p| p.kind);
    let protected = |person: &PersonId, which: fn(&coldset_domain::safety::Protection) -> bool| {
        plan.is_some_and(|p| p.protection.iter().any(|x| &x.person == person && which(x)))
    };
    html! {
        fieldset {
            legend { "Kind of scene" }
            @for k in [SceneKind::Setup, SceneKind::Rehearsal, SceneKind::Take] {
                p { label { input type="radio" name="kind" value=(snake(&k)) checked[k == kind]; (snake(&k)) } }
            }
        }
        @for (i, item) in items.iter().enumerate() { (item_fields(state, i, *item)) }
        fieldset {
            legend { "Call list (everyone near the firearms, R-TRAIN-1)" }
            (person_checkboxes(state, "call_list", &|id| plan.is_some_and(|p| p.call_list.contains(id))))
        }
        fieldset {
            legend { "In the line of fire (shown the weapon's state, R-CHECK-2)" }
            (person_checkboxes(state, "line_of_fire", &|id| plan.is_some_and(|p| p.line_of_fire.contains(id))))
        }
        fieldset {
            legend { "Protection near blank fire (R-DIST-2)" }
            @for x in super::people::by_name(state) {
                // One group per person, so each box is read out with whose protection it is.
                fieldset {
                    legend { (x.name) }
                    label { input type="checkbox" name="shield" value=(x.id) checked[protected(&x.id, |p| p.shield)]; "shield" } " "
                    label { input type="checkbox" name="eye" value=(x.id) checked[protected(&x.id, |p| p.eye)]; "eyes" } " "
                    label { input type="checkbox" name="hearing" value=(x.id) checked[protected(&x.id, |p| p.hearing)]; "ears" }
                }
            }
        }
        p { label { "Risk assessment and safe working procedure (R-REC-1)" br;
            textarea name="risk_assessment" rows="4" cols="40" required { (plan.map(|p| p.risk_assessment.as_str()).unwrap_or_default()) } } }
    }
}

/// One firearm of a plan: which, for whom, its load, where it points and how far people are.
fn item_fields(state: &ProductionState, i: usize, item: Option<&PlanItem>) -> Markup {
    let name = |field: &str| format!("item{i}_{field}");
    let load = item.map(|x| match &x.load {
        PlannedLoad::Empty => "empty",
        PlannedLoad::Dummies => "dummies",
        PlannedLoad::Blanks { .. } => "blanks",
    });
    let blank_load = item.and_then(|x| match &x.load {
        PlannedLoad::Blanks { load } => Some(load.as_str()),
        _ => None,
    });
    let in_service = state.firearms.values().filter(|f| !matches!(f.status, FirearmStatus::Disposed { .. }));
    let mut performers = super::people::by_name(state);
    // Performers first: they are who a firearm is planned for.
    performers.sort_by_key(|x| !x.has_role(Role::Performer));
    html! {
        fieldset {
            legend { "Firearm " (i + 1) @if item.is_none() { " (leave empty if none)" } }
            p { label { "Firearm" br; select name=(name("firearm")) {
                option value="" { "none" }
                @for f in in_service {
                    option value=(f.id) selected[item.is_some_and(|x| x.firearm == f.id)] { (f.id) " " (f.make) " " (f.model) " (" (f.serial) ")" }
                }
            } } }
            p { label { "For" br; select name=(name("performer")) {
                @for x in &performers { option value=(x.id) selected[item.is_some_and(|it| it.performer == x.id)] { (x.name) } }
            } } }
            fieldset {
                legend { "Load" }
                @for l in ["empty", "dummies", "blanks"] {
                    p { label { input type="radio" name=(name("load")) value=(l) checked[load.unwrap_or("empty") == l]; (l) } }
                }
                p { label { "Blank load (blanks only)" br; input name=(name("blank_load")) value=[blank_load] placeholder="quarter"; } }
            }
            p { label { "Why a real firearm in a rehearsal (R-REH-1)" br; input name=(name("real_reason")) value=[item.and_then(|x| x.real_firearm_reason.as_deref())]; } }
            fieldset {
                legend { "Aim (R-AIM-1)" }
                p { label { input type="checkbox" name=(name("toward_person")) value="yes" checked[item.is_some_and(|x| x.toward_person)]; "toward a person" } }
                p { label { input type="checkbox" name=(name("toward_camera")) value="yes" checked[item.is_some_and(|x| x.toward_camera)]; "toward the camera" } }
                p { label { input type="checkbox" name=(name("consulted")) value="yes" checked[item.is_some_and(|x| x.armorer_consulted)]; "armorer consulted" } }
            }
            fieldset {
                legend { "Mitigations" }
                @for m in [Mitigation::CheatedAngle, Mitigation::Shield, Mitigation::Distance, Mitigation::RemoteCamera, Mitigation::Replica] {
                    p { label { input type="checkbox" name=(name("mitigation")) value=(snake(&m)) checked[item.is_some_and(|x| x.mitigations.contains(&m))]; (words(&snake(&m))) } }
                }
            }
            fieldset {
                legend { "Camera crew (R-CAM-1)" }
                p { label { input type="radio" name=(name("camera")) value="none" checked[item.is_none_or(|x| x.camera_protection.is_none())]; "not toward camera" } }
                @for c in [CameraProtection::Shield, CameraProtection::RemoteCamera] {
                    p { label { input type="radio" name=(name("camera")) value=(snake(&c)) checked[item.is_some_and(|x| x.camera_protection == Some(c))]; (words(&snake(&c))) } }
                }
            }
            p { label { "Closest person to the muzzle line, metres (R-DIST-1)" br;
                input name=(name("closest_m")) inputmode="decimal" value=[item.and_then(|x| x.closest_person_cm).map(|cm| format!("{}", f64::from(cm) / 100.0))]; } }
            p { label { input type="checkbox" name=(name("close_range")) value="yes" checked[item.is_some_and(|x| x.close_range_load_approved)]; "special close-range load approved" } }
        }
    }
}

fn days_section(state: &ProductionState, p: &str, today: Date) -> Markup {
    let mut days: BTreeMap<Date, Vec<&Scene>> = BTreeMap::new();
    for sc in state.scenes.values() {
        days.entry(sc.day).or_default().push(sc);
    }
    html! {
        section aria-labelledby="days" {
            h2 id="days" { "Planned shoot days" }
            p.muted { "A shoot day is planned by planning its scenes (above); it is opened, with its call sheet and counts, on the " a href={ "/p/" (p) "/day" } { "Day page" } "." }
            @if days.is_empty() { p { "No scene planned yet." } }
            @for (day, scenes) in &days {
                div.card {
                    p {
                        strong { (day) } @if *day == today { " · today" } @else if *day < today { span.muted { " · past" } }
                        br; "Scenes: "
                        @for (i, sc) in scenes.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href={ "/p/" (p) "/scenes/" (sc.id) } { (sc.number) }
                        }
                    }
                }
            }
        }
    }
}
