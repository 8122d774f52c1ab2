//! The history shown on a firearm's, container's, lot's and person's page: the events that
//! name the record (read by `coldset_app`'s history query, never from the store here),
//! newest first, 20 a page (`?before=SEQ` for older ones), each with its time in the
//! production's zone, who acted, what happened in words, how they proved who they were, who
//! confirmed it in person, and the rules a gated step checked.

use crate::error::ApiError;
use crate::html::{holder_name, person_name};
use coldset_app::history::{local_time, HistoryEntry, HistoryPage};
use coldset_app::App;
use coldset_domain::events::{Actor, AuthMethod, Envelope, Event};
use coldset_domain::model::Holder;
use coldset_domain::{EntityRef, ProductionState};
use maud::{html, Markup};

/// Events per page of a history.
pub(crate) const PAGE: usize = 20;

/// `before` from a page's query string (`?before=SEQ`); anything else shows the newest page.
pub(crate) fn before_param(query: Option<&str>) -> Option<u64> {
    query?.split('&').find_map(|kv| kv.strip_prefix("before=")).and_then(|v| v.parse().ok())
}

/// One page of the record's history, read on a blocking thread.
pub(crate) async fn load(app: &App, p: &str, entity: EntityRef, before: Option<u64>) -> Result<HistoryPage, ApiError> {
    let production = crate::api::parse_production(p)?;
    let app = app.clone();
    crate::api::blocking(move || app.history(&production, &entity, before, PAGE)).await
}

/// Every correction of the record, oldest first, each with the record it corrects.
pub(crate) async fn corrections(app: &App, p: &str, entity: EntityRef) -> Result<Vec<HistoryEntry>, ApiError> {
    let production = crate::api::parse_production(p)?;
    let app = app.clone();
    crate::api::blocking(move || app.corrections(&production, &entity)).await
}

/// The history section of a record's page (`path`: the page, for the older/newer links).
pub(crate) fn section(state: &ProductionState, page: &HistoryPage, path: &str, before: Option<u64>) -> Markup {
    html! {
        section aria-labelledby="history" {
            h2 id="history" { "History" }
            p.muted { "Newest first. Nothing is ever edited: a correction is a new entry that names the one it corrects." }
            @if page.entries.is_empty() { p { "Nothing recorded." } }
            ol.history {
                @for e in &page.entries { li.card data-seq=(e.envelope.seq) { (entry(state, e)) } }
            }
            p {
                @if let Some(older) = page.older {
                    a.tap href={ (path) "?before=" (older) "#history" } { "Older entries" }
                    " "
                }
                @if before.is_some() { a.tap href={ (path) "#history" } { "Newest entries" } }
            }
        }
    }
}

fn who(state: &ProductionState, actor: &Actor) -> String {
    match actor {
        Actor::Person { person } => person_name(state, person),
        Actor::Admin { account } => format!("administrator {account}"),
        Actor::Anonymous => "someone without an account".into(),
        Actor::System => "coldset (clock)".into(),
    }
}

fn how(method: AuthMethod) -> &'static str {
    match method {
        AuthMethod::Password => "signed in with a password",
        AuthMethod::PasswordTotp => "signed in with a password and a one-time code",
        AuthMethod::ApiToken => "through an API token",
        AuthMethod::Pin => "with their PIN",
        AuthMethod::Passkey => "with their passkey",
        AuthMethod::Local => "on the server's command line",
    }
}

/// One entry: when, what, who, how confirmed, which rules.
pub(crate) fn entry(state: &ProductionState, e: &HistoryEntry) -> Markup {
    let env = &e.envelope;
    html! {
        p {
            time datetime=(env.at.to_rfc3339()) { strong { (local_time(state, env.at)) } }
            " · " (what(state, &env.event))
        }
        @if let Some(old) = &e.corrects { (correction(state, env, old)) }
        p.muted {
            "By " (who(state, &env.actor))
            @if let Some(auth) = &env.auth {
                ", " (how(auth.method))
                @if let Some(owner) = &auth.on_device_of { " on " (person_name(state, owner)) "'s device" }
                @for c in &auth.confirmations { "; confirmed by " (person_name(state, &c.person)) " " (how(c.method)) }
            }
            " · entry " (env.seq)
        }
        @if let Event::FirearmHandedOff { rules_checked, overrides, receiver_confirmed, .. } = &env.event {
            p.muted {
                "Rules checked: " (rules_checked.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", "))
                @if !overrides.is_empty() { " · overrides used: " (overrides.iter().map(|o| format!("#{o}")).collect::<Vec<_>>().join(", ")) }
                @if !receiver_confirmed { " · " strong.warn { "the receiver did not confirm" } }
            }
        }
    }
}

/// A correction beside the record it corrects: each changed value before and after.
fn correction(state: &ProductionState, env: &Envelope, old: &Envelope) -> Markup {
    let pairs: Vec<(&str, String, String)> = match (&old.event, &env.event) {
        (
            Event::FirearmReceived { make: m0, model: o0, serial: s0, calibre: c0, .. }
            | Event::FirearmDetailsCorrected { make: m0, model: o0, serial: s0, calibre: c0, .. },
            Event::FirearmDetailsCorrected { make, model, serial, calibre, .. },
        ) => vec![
            ("make", m0.clone(), make.clone()),
            ("model", o0.clone(), model.clone()),
            ("serial", s0.clone(), serial.clone()),
            ("calibre", c0.clone(), calibre.clone()),
        ],
        (
            Event::CredentialRecorded { credential: c0, .. } | Event::CredentialCorrected { credential: c0, .. },
            Event::CredentialCorrected { credential: c, .. },
        ) => vec![
            ("kind", c0.kind.as_str().replace('_', " "), c.kind.as_str().replace('_', " ")),
            ("number", c0.number.clone(), c.number.clone()),
            ("issuer", c0.issuer.clone(), c.issuer.clone()),
            ("expires", c0.expires_on.to_string(), c.expires_on.to_string()),
            ("covers", kinds(&c0.covers), kinds(&c.covers)),
        ],
        _ => Vec::new(),
    };
    html! {
        p { "Corrects entry " (old.seq) " of " (local_time(state, old.at)) ":" }
        ul {
            @for (field, before, after) in pairs.iter().filter(|(_, b, a)| b != a) {
                li { (field) ": " del { (before) } " → " ins { strong { (after) } } }
            }
        }
    }
}

fn kinds(k: &[coldset_domain::model::FirearmKind]) -> String {
    if k.is_empty() {
        return "none".into();
    }
    k.iter().map(|x| x.as_str().replace('_', " ")).collect::<Vec<_>>().join(", ")
}

/// What happened, in words.
pub(crate) fn what(state: &ProductionState, event: &Event) -> String {
    let n = |p: &coldset_domain::ids::PersonId| person_name(state, p);
    let place = |l: &coldset_domain::ids::LocationId| holder_name(state, &Holder::Storage { location: l.clone() });
    match event {
        Event::PersonAdded { name, roles, .. } => format!(
            "{name} joined the production as {}",
            roles.iter().map(|r| r.as_str().replace('_', " ")).collect::<Vec<_>>().join(", ")
        ),
        Event::RoleAssigned { person, role } => {
            format!("{} was given the role {}", n(person), role.as_str().replace('_', " "))
        }
        Event::RoleRemoved { person, role } => {
            format!("{} no longer holds the role {}", n(person), role.as_str().replace('_', " "))
        }
        Event::CredentialRecorded { person, credential: c } => format!(
            "{} {} no. {} ({}) recorded for {}, valid until {}",
            c.kind.as_str().replace('_', " "),
            kinds(&c.covers),
            c.number,
            c.issuer,
            n(person),
            c.expires_on
        ),
        Event::CompetenceRecorded { person, model, by, .. } => {
            format!("{} recorded {}'s training and competence with the {model}", n(by), n(person))
        }
        Event::CredentialCorrected { person, reason, .. } => format!("Credential of {} corrected: {reason}", n(person)),
        Event::FirearmReceived { firearm, make, model, serial, acquired_from, received_by, .. } => format!(
            "{firearm} {make} {model}, serial {serial}, received from {} ({}) by {}",
            acquired_from.name,
            acquired_from.document,
            n(received_by)
        ),
        Event::FirearmDetailsCorrected { firearm, reason, .. } => format!("Details of {firearm} corrected: {reason}"),
        Event::FirearmStored { firearm, location, by } => format!("{} put {firearm} away {}", n(by), place(location)),
        Event::FirearmTakenOut { firearm, location, by, scene } => format!(
            "{} took {firearm} out of {}{}",
            n(by),
            place(location).trim_start_matches("in "),
            scene
                .as_ref()
                .map(|s| format!(" for scene {}", state.scenes.get(s).map_or(s.to_string(), |x| x.number.clone())))
                .unwrap_or_else(|| " (no scene)".into())
        ),
        Event::FirearmHandedOff { firearm, from, to, .. } => format!("{} handed {firearm} to {}", n(from), n(to)),
        Event::FirearmCollected { firearm, from, to, returner_confirmed } => format!(
            "{} collected {firearm} from {}{}",
            n(to),
            n(from),
            if *returner_confirmed { "" } else { " (the returner did not confirm)" }
        ),
        Event::FirearmWithdrawn { firearm, reason } => format!("{firearm} withdrawn from use: {reason}"),
        Event::FirearmRepaired { firearm, repaired_by, notes } => {
            format!("{firearm} repaired by {repaired_by}: {notes}")
        }
        Event::FirearmDisposed { firearm, disposition, to } => {
            format!("{firearm} left the production ({}) to {}", disposition.as_str().replace('_', " "), to.name)
        }
        Event::FirearmInspected { firearm, stage, by, barrel_clear, fault } => format!(
            "{} inspected {firearm} {}: {}{}",
            n(by),
            if matches!(stage, coldset_domain::safety::InspectionStage::PreUse) { "before use" } else { "after use" },
            if *barrel_clear { "barrel clear" } else { "barrel NOT clear" },
            fault.as_ref().map(|f| format!(", fault: {f}")).unwrap_or_default()
        ),
        Event::FirearmLoaded { firearm, by, count, class, container, .. } => {
            format!("{} loaded {firearm} with {count} {class} from {}", n(by), label(state, container))
        }
        Event::FirearmDeclaredEmpty { firearm, by } => format!("{} declared {firearm} empty", n(by)),
        Event::FirearmUnloaded { firearm, by, fired, returned, container } => {
            format!("{} unloaded {firearm}: {fired} fired, {returned} returned to {}", n(by), label(state, container))
        }
        Event::FirearmDemonstrated { firearm, armorer, ad, .. } => {
            format!("{} demonstrated {firearm}'s state to {} (1st AD)", n(armorer), n(ad))
        }
        Event::FirearmShown { firearm, armorer, person, .. } => {
            format!("{} showed {firearm}'s state to {}, who acknowledged it", n(armorer), n(person))
        }
        Event::LotReceived { lot, class, calibre, rounds, provenance, container_label, received_by, .. } => format!(
            "Lot {lot}: {rounds} {class} {calibre} from {} ({}) received into {container_label} by {}",
            provenance.supplier,
            provenance.document,
            n(received_by)
        ),
        Event::LotVerified { lot, by, method, rounds_checked } => format!(
            "{} verified lot {lot}: {rounds_checked} rounds checked ({})",
            n(by),
            method.as_str().replace('_', " ")
        ),
        Event::LotRejected { lot, by, reason, .. } => format!("{} rejected lot {lot}: {reason}", n(by)),
        Event::ContainerCreated { label: l, class, calibre, holder, .. } => {
            format!("Container {l} made up for {class} {calibre}, held by {}", n(holder))
        }
        Event::RoundsMoved { from, to, lot, rounds } => {
            format!("{rounds} rounds of lot {lot} moved from {} to {}", label(state, from), label(state, to))
        }
        Event::ContainerStored { container, location, by } => {
            format!("{} put {} away {}", n(by), label(state, container), place(location))
        }
        Event::ContainerTakenOut { container, location, by } => {
            format!("{} took {} out of {}", n(by), label(state, container), place(location).trim_start_matches("in "))
        }
        Event::ContainerHandedOver { container, from, to } => {
            format!("{} handed {} to {}", n(from), label(state, container), n(to))
        }
        Event::TransportRecorded { escort, from, to, locked_case, .. } => format!(
            "{} escorted it from {from} to {to}{}",
            n(escort),
            if *locked_case { " in a locked case" } else { " NOT in a locked case" }
        ),
        Event::ScenePlanned { number, day, .. } => format!("Scene {number} planned for {day}"),
        Event::ScenePlanRevised { scene, version, reason, .. } => {
            format!("Plan of {scene} revised to version {version}: {reason}")
        }
        Event::IncidentReported { description, .. } => format!("Incident reported: {description}"),
        other => other.kind().replace(['.', '_'], " "),
    }
}

fn label(state: &ProductionState, c: &coldset_domain::ids::ContainerId) -> String {
    state.containers.get(c).map_or(c.to_string(), |x| x.label.clone())
}
