//! The firearm page, phone-sized: what it is, who holds it, its declared load, what the gate
//! still needs for the performer the plan names, its QR label, and only the steps that fit
//! where it is now, in the order of the protocol, so the safe path is the obvious one. Each
//! form posts to the shared form endpoint (forms.rs), which goes through the same write path
//! as the API.

use crate::error::ApiError;
use crate::extract::PageReader;
use crate::forms::{csrf, location_options, refusal_page, violations_list, Forms};
use crate::html::{holder_name, person_name, production_page};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use coldset_app::App;
use coldset_domain::gate::NextStep;
use coldset_domain::ids::{FirearmId, PersonId};
use coldset_domain::model::{AmmoClass, Firearm, FirearmStatus, Holder, Role, VerificationMethod};
use coldset_domain::safety::{PlannedLoad, Scene, SceneStatus};
use coldset_domain::ProductionState;
use maud::{html, Markup};

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct StepQuery {
    /// The event a step just recorded (forms.rs), named in a banner. Text, so that a
    /// mangled link shows the page without it rather than an error.
    #[serde(default)]
    recorded: Option<String>,
    /// The history page: entries older than this sequence number.
    #[serde(default)]
    before: Option<String>,
}

impl StepQuery {
    pub(super) fn recorded(&self) -> Option<u64> {
        self.recorded.as_deref().and_then(|v| v.parse().ok())
    }

    pub(super) fn before(&self) -> Option<u64> {
        self.before.as_deref().and_then(|v| v.parse().ok())
    }
}

pub(super) async fn firearm_page(
    State(app): State<App>,
    Path((p, id)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<StepQuery>,
    PageReader(state): PageReader,
    headers: HeaderMap,
) -> Response {
    let back = format!("/p/{p}/firearms/{id}");
    let Some(f) = FirearmId::parse(&id).ok().and_then(|id| state.firearms.get(&id)) else {
        return refusal_page("Firearm", &ApiError::not_found(format!("no firearm '{id}'")), &format!("/p/{p}"));
    };
    let before = q.before();
    let records = match records(&app, &state, &p, f, before).await {
        Ok(r) => r,
        Err(e) => return refusal_page("Firearm", &e, &back),
    };
    let csrf = csrf(&headers);
    let forms = Forms { p: &p, csrf: &csrf, back: &back };
    let ctx = coldset_domain::Context::new(app.now(), app.today(&state));
    let recorded = crate::html::recorded_event(&app, &p, q.recorded()).await;
    let body = html! {
        @if let Some(e) = &recorded { (crate::html::recorded_banner(&state, e)) }
        (view(&state, &ctx, &p, f, forms))
        (records.view(&state, f, forms, &back, before))
    };
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
    let next = coldset_domain::gate::next_step(state, ctx.now, &f.id).unwrap_or(NextStep::None);
    let discrepancy = f
        .checks
        .issued
        .as_ref()
        .and_then(|i| state.safety.discrepancies.iter().find(|d| d.class == i.class))
        .or_else(|| state.safety.discrepancies.iter().find(|d| d.firearm == f.id));
    html! {
        h1 { (f.id) " " (f.make) " " (f.model) }
        p {
            "Serial " (f.serial) " · " (f.kind.as_str().replace('_', " ")) " · held by " strong { (holder) }
            " · load: " strong { (coldset_domain::gate::describe_load(&f.load)) }
        }
        @if let FirearmStatus::Withdrawn { reason } = &f.status { p.warn { "Out of service: " (reason) } }
        @if let Some(d) = discrepancy {
            div.banner.warn {
                p { strong { "Rounds do not add up (R-AMMO-7): " } (d.issued) " " (d.class) " issued to " (d.firearm) ", "
                    (d.fired) " fired, " (d.returned) " returned. No " (d.class) " goes to a firearm until the armorer explains it." }
                p { a.tap href={ "/p/" (p) "/ammunition#discrepancies" } { "Explain the count" } }
            }
        }
        section.next aria-labelledby="next-h" {
            (next_step(state, p, f, scene, &next, forms))
        }
        @if let Some((sc, performer, d)) = &gate {
            @if d.allowed {
                p.ok { "Ready to hand to " (person_name(state, performer)) " for scene " (sc.number) "." }
            } @else {
                // Open when something other than the next steps themselves stands in the way.
                @let steps_rules = { use coldset_domain::rules::RuleId as R; [R::Hand4, R::Decl1, R::Check1, R::Check2, R::Ammo6, R::Ammo7] };
                @let other = d.violations.iter().any(|v| !steps_rules.contains(&v.rule));
                details open[other || (!d.violations.is_empty() && matches!(next, NextStep::HandOff { .. }))] {
                    summary { "Before it goes to " (person_name(state, performer)) " (scene " (sc.number) "): " (d.violations.len()) " to do" }
                    (violations_list(&d.violations))
                    // The one the armorer settles here: the performer's training with this weapon.
                    @if d.violations.iter().any(|v| v.rule == coldset_domain::rules::RuleId::Train2) {
                        (forms.form("record_competence", html! {
                            input type="hidden" name="firearm" value=(f.id);
                            input type="hidden" name="person" value=(performer);
                            p { label for="competence-notes" { "How " (person_name(state, performer)) " was trained with it" }
                                input id="competence-notes" name="notes" required; }
                        }, &format!("Record {}'s training with this weapon", person_name(state, performer))))
                    }
                }
            }
        }
        details {
            summary { "Every step" }
            (steps(state, p, f, scene, &holder, forms))
        }
        details {
            summary { "QR label" }
            p {
                img src={ "/p/" (p) "/firearms/" (f.id) "/label.svg" } alt={ "QR label of " (f.id) } width="120" height="120";
                " "
                a href={ "/p/" (p) "/labels" } { "Label sheet" }
            }
        }
        script src=(crate::assets::Asset::Passkey.url()) {}
    }
}

/// The one step that fits now, large, its first field ready to type in; or who must act.
fn next_step(
    state: &ProductionState,
    p: &str,
    f: &Firearm,
    scene: Option<&Scene>,
    next: &NextStep,
    forms: Forms<'_>,
) -> Markup {
    let step = |action: &str, fields: Markup, button: Markup| {
        forms.open(action, html! { input type="hidden" name="firearm" value=(f.id); (fields) p.go { (button) } })
    };
    // The PIN field, focused; the step's button comes right after it, and the passkey
    // (the other way to confirm) after that.
    let pin = |whose: &str| {
        html! {
            p {
                label for="next-pin" { (whose) "'s PIN" }
                input id="next-pin" name="pin" type="password" inputmode="numeric" autocomplete="off" autofocus;
            }
        }
    };
    let confirmed_step =
        |action: &str, fields: Markup, button: Markup, person_field: Option<&str>, person: Option<&str>| {
            forms.open(
                action,
                html! {
                    input type="hidden" name="firearm" value=(f.id);
                    (fields)
                    p.go { (button) }
                    (crate::passkeys::confirm_button(p, person_field, person))
                },
            )
        };
    let name = |id: &PersonId| person_name(state, id);
    let with_role =
        |role: Role| -> Vec<&PersonId> { state.people.values().filter(|x| x.has_role(role)).map(|x| &x.id).collect() };
    match next {
        NextStep::None => html! { h2 id="next-h" { "Disposed of" } p { "No further steps." } },
        NextStep::Repair => html! {
            h2 id="next-h" { "Next: repair" }
            p { "Out of service until a qualified person repairs it and the armorer records the repair." }
            (step("record_repair", html! {
                p { label for="repaired_by" { "Repaired by (name, qualification)" } input id="repaired_by" name="repaired_by" required autofocus; }
                p { label for="notes" { "What was done" } textarea id="notes" name="notes" rows="2" required {} }
            }, html! { button type="submit" { "Record the repair: back in service" } }))
        },
        NextStep::Take if matches!(&f.holder, Holder::Storage { location } if state.locations.get(location).is_some_and(|l| l.opened.is_none())) =>
        {
            html! {
                h2 id="next-h" { "Next: take out of storage" }
                p { "Its storage is locked: the armorer opens it first, on the day page (R-STORE-3)." }
                p { a.tap href={ "/p/" (p) "/day" } { "Open storage" } }
            }
        }
        NextStep::Take => {
            let today: Vec<&Scene> = state
                .scenes
                .values()
                .filter(|s| s.plan.item(&f.id).is_some() && s.status != SceneStatus::Wrapped)
                .collect();
            html! {
                h2 id="next-h" { "Next: take out of storage" }
                (step("take", html! {
                    p { label for="next-scene" { "For scene" }
                        select id="next-scene" name="scene" {
                            @for s in &today { option value=(s.id) selected[today.len() == 1] { "Scene " (s.number) " (" (s.day) ")" } }
                            option value="" { "none (maintenance)" }
                        } }
                }, html! { button type="submit" { "Take out" } }))
            }
        }
        NextStep::Collect { holder } => html! {
            h2 id="next-h" { "Next: collect it from " (name(holder)) }
            (confirmed_step("collect", pin(&name(holder)), html! { button type="submit" { "Collected back" } }, None, Some(holder.as_str())))
        },
        NextStep::Unload => html! {
            h2 id="next-h" { "Next: unload and count (R-AMMO-7)" }
            (step("unload", html! {
                p { label for="fired" { "Rounds fired" } input id="fired" name="fired" inputmode="numeric" required autofocus; }
                p { label for="returned" { "Rounds returned" } input id="returned" name="returned" inputmode="numeric" required; }
            }, html! { button type="submit" { "Unload and reconcile" } }))
        },
        NextStep::InspectPre | NextStep::InspectPost => {
            let (action, title) = if matches!(next, NextStep::InspectPre) {
                ("inspect_pre", "pre-use")
            } else {
                ("inspect_post", "post-use")
            };
            html! {
                h2 id="next-h" { "Next: " (title) " inspection" }
                p { "Barrel and chambers clear, no obstruction?" }
                (step(action, html! {}, html! { button type="submit" name="result" value="clear" autofocus { "Barrel clear" } }))
                details {
                    summary { "Fault found" }
                    (step(action, html! {
                        p { label for="fault" { "What is wrong" } input id="fault" name="fault" required; }
                    }, html! { button.danger type="submit" name="result" value="fault" { "Fault found: take out of service" } }))
                }
            }
        }
        NextStep::Load { planned } => {
            let wanted = |c: &&coldset_domain::model::Container| match planned {
                PlannedLoad::Dummies => c.class == AmmoClass::Dummy,
                PlannedLoad::Blanks { load } => matches!(&c.class, AmmoClass::Blank { load: l } if l == load),
                PlannedLoad::Empty => false,
            };
            let containers: Vec<_> = state
                .containers
                .values()
                .filter(|c| c.holder.person().and_then(|h| state.people.get(h)).is_some_and(|x| x.is_armorer_side()))
                .filter(wanted)
                .collect();
            html! {
                h2 id="next-h" { "Next: load " (planned_text(planned)) }
                @if containers.is_empty() {
                    p { "No container of " (planned_text(planned)) " is out of storage. Take one out first." }
                    p { a.tap href={ "/p/" (p) "/ammunition" } { "Ammunition" } }
                } @else {
                    (step("load", html! {
                        p { label for="next-container" { "From" }
                            select id="next-container" name="container" {
                                @for c in &containers { option value=(c.id) { (c.label) " (" (c.class) ", " (c.count()) " rounds)" } }
                            } }
                        p { label for="next-count" { "Rounds" } input id="next-count" name="count" inputmode="numeric" required autofocus; }
                        @if matches!(planned, PlannedLoad::Dummies) {
                            fieldset {
                                legend { "Each dummy checked by" }
                                @for m in VerificationMethod::ALL {
                                    label.choice { input type="radio" name="dummy_check" value=(m) required; span { (m.as_str().replace('_', " ")) } }
                                }
                            }
                        }
                    }, html! { button type="submit" { "Load" } }))
                }
            }
        }
        NextStep::DeclareEmpty => html! {
            h2 id="next-h" { "Next: declare it empty" }
            (step("declare_empty", html! {}, html! { button type="submit" autofocus { "Declare empty" } }))
        },
        NextStep::ShowFirstAd => {
            let ads = with_role(Role::FirstAd);
            html! {
                h2 id="next-h" { "Next: show it to the 1st AD" }
                @if let [ad] = ads.as_slice() {
                    (confirmed_step("ack_demonstration", html! {
                        input type="hidden" name="person" value=(ad);
                        p { "To " strong { (name(ad)) } ", who confirms on this phone." }
                        (pin(&name(ad)))
                    }, html! { button type="submit" { "The 1st AD saw it" } }, None, Some(ad.as_str())))
                } @else {
                    (confirmed_step("ack_demonstration", html! {
                        p { label for="next-ad" { "1st AD" } select id="next-ad" name="person" { @for a in &ads { option value=(a) { (name(a)) } } } }
                        (pin("1st AD"))
                    }, html! { button type="submit" { "The 1st AD saw it" } }, Some("person"), None))
                }
            }
        }
        NextStep::ShowPerformer { performer } => html! {
            h2 id="next-h" { "Next: show it to " (name(performer)) }
            (confirmed_step("ack_shown", html! {
                input type="hidden" name="person" value=(performer);
                p { (name(performer)) " looks, then confirms on this phone." }
                (pin(&name(performer)))
            }, html! { button type="submit" { "Shown and acknowledged" } }, None, Some(performer.as_str())))
        },
        NextStep::HandOff { performer } => html! {
            h2 id="next-h" { "Next: hand it to " (name(performer)) }
            (confirmed_step("hand_off", html! {
                @if let Some(sc) = scene { input type="hidden" name="scene" value=(sc.id); }
                input type="hidden" name="to" value=(performer);
                (pin(&name(performer)))
            }, html! { button type="submit" { "Hand over" } }, None, Some(performer.as_str())))
        },
        NextStep::PutAway if state.locations.values().all(|l| l.opened.is_none()) => html! {
            h2 id="next-h" { "Next: put it away" }
            p { "Every storage place is locked: the armorer opens one first, on the day page (R-STORE-3)." }
            p { a.tap href={ "/p/" (p) "/day" } { "Open storage" } }
        },
        NextStep::PutAway => html! {
            h2 id="next-h" { "Next: put it away" }
            (step("store_firearm", html! {
                p { label for="next-location" { "In" } select id="next-location" name="location" { (location_options(state)) } }
            }, html! { button type="submit" autofocus { "Put away" } }))
        },
    }
}

fn planned_text(planned: &PlannedLoad) -> String {
    match planned {
        PlannedLoad::Empty => "nothing".into(),
        PlannedLoad::Dummies => "verified dummies".into(),
        PlannedLoad::Blanks { load } => format!("{load}-load blanks"),
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
    // An explicit choice: the tap says which (forms.rs reads `result`).
    let inspect = |action: &str| {
        html! {
            (forms.open(action, html! {
                input type="hidden" name="firearm" value=(f.id);
                button type="submit" name="result" value="clear" { "Barrel clear" }
            }))
            (forms.open(action, html! {
                input type="hidden" name="firearm" value=(f.id);
                label { "Fault found " input name="fault" required; }
                button type="submit" name="result" value="fault" { "Fault found: take out of service" }
            }))
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
                (inspect("inspect_pre"))
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
                (inspect("inspect_post"))
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
