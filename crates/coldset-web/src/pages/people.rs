//! The production's people, as cards (`/p/{p}/people`, with the form that adds someone), and
//! one person (`/p/{p}/people/{id}`): their roles with add and remove, any role conflict shown
//! at once (R-ROLE-3, R-ROLE-6), each role they could be given marked with the rules that
//! would refuse it, their credentials and safety training with expiry and whether each is
//! valid today, corrections of a wrong entry (R-REC-6), competences, and their history.

use super::history;
use crate::error::ApiError;
use crate::extract::PageReader;
use crate::forms::{csrf, refusal_page, Forms};
use crate::html::production_page;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use coldset_app::history::{HistoryEntry, HistoryPage};
use coldset_app::App;
use coldset_domain::events::Actor;
use coldset_domain::ids::PersonId;
use coldset_domain::model::{Credential, CredentialKind, FirearmKind, Person, Role};
use coldset_domain::{Command, Context, Date, DomainError, EntityRef, ProductionState, RuleId, Violation};
use maud::{html, Markup};

fn role_name(r: Role) -> String {
    r.as_str().replace('_', " ")
}

/// The conflicts among the roles a person holds now, each with its rule: an armorer (or
/// assistant) with another department role (R-ROLE-3), a safety advisor with another
/// production role or who was the producer (R-ROLE-6).
pub(crate) fn conflicts(p: &Person) -> Vec<(RuleId, String)> {
    let mut out = Vec::new();
    let others = p.other_department_roles();
    if p.is_armorer_side() && !others.is_empty() {
        out.push((
            RuleId::Role3,
            format!(
                "{} is on the armory team and also {}: an armorer holds no other department role",
                p.name,
                others.iter().map(|r| role_name(*r)).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if p.has_role(Role::SafetyAdvisor) {
        let extra: Vec<String> = p
            .roles
            .iter()
            .filter(|r| !matches!(r, Role::SafetyAdvisor | Role::Auditor))
            .map(|r| role_name(*r))
            .collect();
        if !extra.is_empty() {
            out.push((
                RuleId::Role6,
                format!(
                    "{} is the safety advisor and also {}: the safety advisor is independent",
                    p.name,
                    extra.join(", ")
                ),
            ));
        }
        if p.former_roles.contains(&Role::Producer) {
            out.push((RuleId::Role6, format!("{} was the producer: the safety advisor is independent", p.name)));
        }
    }
    out
}

fn conflicts_block(p: &Person) -> Markup {
    let found = conflicts(p);
    html! {
        @if !found.is_empty() {
            div role="alert" {
                p.warn { "Role conflict" }
                ul { @for (rule, why) in &found { li { strong { (rule) } ": " (why) } } }
            }
        }
    }
}

/// Whether a credential is valid on `today`, in words.
fn validity(c: &Credential, today: Date) -> Markup {
    html! {
        @if c.in_date_on(today) { span.ok { "valid today" } } @else { strong.warn { "EXPIRED" } }
    }
}

pub(super) async fn people_page(
    State(app): State<App>,
    Path(p): Path<String>,
    PageReader(state): PageReader,
    headers: HeaderMap,
) -> Response {
    let back = format!("/p/{p}/people");
    let csrf = csrf(&headers);
    let forms = Forms { p: &p, csrf: &csrf, back: &back };
    let today = app.today(&state);
    production_page(&p, "People", list_view(&state, &p, today, forms)).into_response()
}

/// The production's people by name (ids sort p-1, p-10, p-2).
pub(crate) fn by_name(state: &ProductionState) -> Vec<&Person> {
    let mut people: Vec<&Person> = state.people.values().collect();
    people.sort_by_key(|x| x.name.to_lowercase());
    people
}

fn list_view(state: &ProductionState, p: &str, today: Date, forms: Forms<'_>) -> Markup {
    html! {
        h1 { "People" }
        p.no-print { "Training and credentials register: " (crate::records::links(p, coldset_app::records::RecordKind::TrainingRegister, "")) }
        p { a href={ "/p/" (p) "/setup" } { "Back to set-up" } }
        @for person in by_name(state) {
            @let expired = person.credentials.iter().filter(|c| !c.in_date_on(today)).count();
            div.card {
                p { a.tap href={ "/p/" (p) "/people/" (person.id) } { (person.name) } }
                p {
                    (person.roles.iter().map(|r| role_name(*r)).collect::<Vec<_>>().join(", "))
                    br;
                    span.muted { (person.credentials.len()) " credential" @if person.credentials.len() != 1 { "s" } }
                    @if expired > 0 { " · " strong.warn { (expired) " expired" } }
                    @if !person.safety_trained(today) { " · " strong.warn { "no in-date safety course" } }
                    @if !conflicts(person).is_empty() { " · " strong.warn { "role conflict" } }
                }
            }
        }
        h2 id="add-person" { "Add a person" }
        p.muted {
            "An armorer holds no other department role (R-ROLE-3); the safety advisor holds no other role (R-ROLE-6). "
            "A refused combination names its rule and records nothing."
        }
        (forms.form("add_person", html! {
            p { label { "Name" br; input name="name" required autocomplete="off"; } }
            fieldset {
                legend { "Roles" }
                @for r in Role::ALL { p { label { input type="checkbox" name="role" value=(r); (role_name(*r)) } } }
            }
        }, "Add person"))
    }
}

pub(super) async fn person_page(
    State(app): State<App>,
    Path((p, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    PageReader(state): PageReader,
    headers: HeaderMap,
) -> Response {
    let back = format!("/p/{p}/people/{id}");
    let Some(person) = PersonId::parse(&id).ok().and_then(|id| state.people.get(&id)) else {
        return refusal_page("Person", &ApiError::not_found(format!("no person '{id}'")), &format!("/p/{p}/people"));
    };
    let before = history::before_param(query.as_deref());
    let entity = EntityRef::Person(person.id.clone());
    let page = match history::load(&app, &p, entity.clone(), before).await {
        Ok(page) => page,
        Err(e) => return refusal_page("Person", &e, &back),
    };
    let fixes = match history::corrections(&app, &p, entity).await {
        Ok(c) => c,
        Err(e) => return refusal_page("Person", &e, &back),
    };
    let csrf = csrf(&headers);
    let forms = Forms { p: &p, csrf: &csrf, back: &back };
    let ctx = Context::new(app.now(), app.today(&state));
    let body = person_view(&state, &ctx, &p, person, forms, &page, &fixes, before);
    production_page(&p, &person.name, body).into_response()
}

/// The rules that would refuse giving `person` the role now, evaluated by the decider
/// without recording anything (as the gate query does), so the page shows a conflict
/// before anyone taps. The permission to ask is checked when the form is sent.
fn refusing_rules(state: &ProductionState, ctx: &Context, person: &PersonId, role: Role) -> Vec<Violation> {
    let actor = Actor::Admin { account: String::new() };
    match coldset_domain::decide(state, ctx, &actor, &Command::AssignRole { person: person.clone(), role }) {
        Err(DomainError::Denied(d)) => d.violations,
        _ => Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)] // the page's parts, each read once
fn person_view(
    state: &ProductionState,
    ctx: &Context,
    p: &str,
    person: &Person,
    forms: Forms<'_>,
    page: &HistoryPage,
    fixes: &[HistoryEntry],
    before: Option<u64>,
) -> Markup {
    let hidden = html! { input type="hidden" name="person" value=(person.id); };
    let records = state.credential_records.get(&person.id);
    let path = format!("/p/{p}/people/{}", person.id);
    html! {
        h1 { (person.name) " " span.muted { "(" (person.id) ")" } }
        p {
            a.tap href={ "/p/" (p) "/people/" (person.id) "/account" } { "Sign-in account" }
            " "
            a href={ "/p/" (p) "/people" } { "All people" }
        }
        (conflicts_block(person))
        @let firearms: Vec<_> = state.firearms.values().filter(|f| f.holder.person() == Some(&person.id)).collect();
        @let containers: Vec<_> = state.containers.values().filter(|c| c.holder.person() == Some(&person.id)).collect();
        @if !firearms.is_empty() || !containers.is_empty() {
            section aria-labelledby="holds" {
                h2 id="holds" { "Holds now (R-ROLE-1)" }
                @for f in &firearms {
                    p { a.tap href={ "/p/" (p) "/firearms/" (f.id) } { (f.id) " " (f.make) " " (f.model) " (" (f.serial) ")" } }
                }
                @for c in &containers {
                    p { a.tap href={ "/p/" (p) "/containers/" (c.id) } { (c.label) " · " (c.count()) " " (c.class) } }
                }
            }
        }
        section aria-labelledby="roles" {
            h2 id="roles" { "Roles" }
            @if person.roles.is_empty() { p { "No role now." } }
            @for r in &person.roles {
                div.card {
                    (forms.form("remove_role", html! {
                        (hidden)
                        input type="hidden" name="role" value=(r);
                        p { strong { (role_name(*r)) } }
                    }, &format!("Remove {}", role_name(*r))))
                }
            }
            @let open: Vec<Role> = Role::ALL.iter().copied().filter(|r| !person.has_role(*r)).collect();
            @if !open.is_empty() {
                (forms.form("assign_role", html! {
                    (hidden)
                    fieldset {
                        legend { "Give a role" }
                        @for r in &open {
                            @let refused = refusing_rules(state, ctx, &person.id, *r);
                            @let rules: std::collections::BTreeSet<String> = refused.iter().map(|v| v.rule.to_string()).collect();
                            p {
                                label {
                                    input type="radio" name="role" value=(r) required;
                                    span {
                                        (role_name(*r))
                                        @if !rules.is_empty() {
                                            br; strong.warn { "would be refused: " (rules.into_iter().collect::<Vec<_>>().join(", ")) }
                                        }
                                    }
                                }
                                @for v in &refused { br; span.muted { (v.rule) ": " (v.reason) } }
                            }
                        }
                    }
                }, "Give role"))
            }
        }
        section aria-labelledby="credentials" {
            h2 id="credentials" { "Credentials and safety training" }
            @if person.credentials.is_empty() { p.warn { "None on file: no licence and no safety course (R-ROLE-2, R-TRAIN-1)." } }
            @for (i, c) in person.credentials.iter().enumerate() {
                div.card {
                    p {
                        strong { (c.kind.as_str().replace('_', " ")) " " (c.number) } " · " (c.issuer) br;
                        "Expires " (c.expires_on) " · " (validity(c, ctx.today))
                        @if !c.covers.is_empty() {
                            br; "Covers: " (c.covers.iter().map(|k| k.as_str().replace('_', " ")).collect::<Vec<_>>().join(", "))
                        }
                    }
                    @if let Some(seq) = records.and_then(|r| r.get(i)) {
                        details {
                            summary { "Correct this entry (a wrong number or expiry date)" }
                            (forms.form("correct_credential", html! {
                                (hidden)
                                input type="hidden" name="corrects_seq" value=(seq);
                                (credential_fields(Some(c)))
                                p { label { "Why it is corrected" br; input name="reason" required size="30"; } }
                            }, "Record the correction"))
                        }
                    }
                }
            }
            @if !fixes.is_empty() {
                h3 { "Corrections (R-REC-6)" }
                @for fix in fixes { div.card { (history::entry(state, fix)) } }
            }
            h3 { "Record a credential or training" }
            (forms.form("record_credential", html! { (hidden) (credential_fields(None)) }, "Record credential"))
        }
        @if !person.competences.is_empty() {
            section aria-labelledby="competences" {
                h2 id="competences" { "Trained and competent with (R-TRAIN-2)" }
                ul { @for m in &person.competences { li { (m) } } }
            }
        }
        (history::section(state, page, &path, before))
    }
}

/// A credential's fields, filled in with `current` when correcting one.
fn credential_fields(current: Option<&Credential>) -> Markup {
    let kind = current.map(|c| c.kind);
    html! {
        fieldset {
            legend { "Kind" }
            @for k in CredentialKind::ALL {
                p { label { input type="radio" name="kind" value=(k) required checked[kind == Some(*k)]; (k.as_str().replace('_', " ")) } }
            }
        }
        // `name` then `value`, each field alike, so tests read the value a form carries.
        p { label { "Number" br; input name="number" value=[current.map(|c| c.number.as_str())] required; } }
        p { label { "Issued by" br; input name="issuer" value=[current.map(|c| c.issuer.as_str())] required; } }
        p { label { "Expires on" br; input name="expires_on" value=[current.map(|c| c.expires_on.to_string())] type="date" required; } }
        fieldset {
            legend { "Weapon kinds it covers (not for a safety course)" }
            @for k in FirearmKind::ALL {
                p { label {
                    input type="checkbox" name="covers" value=(k) checked[current.is_some_and(|c| c.covers.contains(k))];
                    (k.as_str().replace('_', " "))
                } }
            }
        }
    }
}
