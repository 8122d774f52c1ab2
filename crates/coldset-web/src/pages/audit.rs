//! The auditor's page: the ledger's status and its latest signed checkpoints, then the events
//! themselves as people read them (who, what, when in the production's time zone, which
//! firearm: the same words as a record's history, `pages/history.rs`), newest first, 20 a
//! page, searchable by firearm, person and day (the query is `coldset_app`'s
//! `App::events_matching`; this crate never reads the store). One event opens on its own
//! (`?seq=N`).
//!
//! Each event carries its inclusion proof against the newest signed checkpoint, and its
//! "Verify" button checks it in the auditor's own browser (assets/audit.js), trusting nothing
//! the server computed: it hashes the event's bytes into the leaf, walks the proof to a root
//! (RFC 9162), compares that with the root inside the signed checkpoint, and verifies the
//! checkpoint's Ed25519 signature with the verifier key through WebCrypto. The auditor
//! compares that key with the copy they pinned; `coldset verify` does the same offline. The
//! server checks the opened event's proof too, with the ledger crate, and says so. The raw
//! record (its JSON, internal ids and all) is folded under each event for whoever wants it.

use crate::api::{blocking, hex_lower};
use crate::extract::PageReader;
use crate::html::{person_name, production_page};
use crate::pages::history::entry;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use coldset_app::history::{EventFilter, HistoryEntry};
use coldset_app::ports::StoredCheckpoint;
use coldset_app::App;
use coldset_domain::ids::{FirearmId, PersonId};
use coldset_domain::{Date, EntityRef, ProductionState};
use maud::{html, Markup};
use serde::Deserialize;

pub(crate) fn routes() -> Router<App> {
    Router::new().route("/p/{production}/audit", get(audit))
}

/// How many of the newest checkpoints the page lists.
const RECENT_CHECKPOINTS: u32 = 10;

/// Events per page of the list.
const PAGE: usize = 20;

#[derive(Debug, Default, Deserialize)]
struct AuditQuery {
    seq: Option<String>,
    firearm: Option<String>,
    person: Option<String>,
    date: Option<String>,
    before: Option<u64>,
}

/// The search as asked: each filter parsed, or what is wrong with it.
struct Search {
    firearm: Option<FirearmId>,
    person: Option<PersonId>,
    date: Option<Date>,
    problems: Vec<String>,
}

impl Search {
    fn of(q: &AuditQuery) -> Search {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let mut problems = Vec::new();
        let mut parse = |v: &Option<String>, what: &str, f: &dyn Fn(&str) -> Result<(), String>| {
            let v = given(v)?;
            match f(&v) {
                Ok(()) => Some(v),
                Err(e) => {
                    problems.push(format!("{what}: {e}"));
                    None
                }
            }
        };
        let firearm = parse(&q.firearm, "firearm", &|v| FirearmId::parse(v).map(drop).map_err(|e| e.to_string()));
        let person = parse(&q.person, "person", &|v| PersonId::parse(v).map(drop).map_err(|e| e.to_string()));
        let date = parse(&q.date, "date", &|v| coldset_domain::time::parse_date(v).map(drop));
        Search {
            firearm: firearm.and_then(|v| FirearmId::parse(&v).ok()),
            person: person.and_then(|v| PersonId::parse(&v).ok()),
            date: date.and_then(|v| coldset_domain::time::parse_date(&v).ok()),
            problems,
        }
    }

    fn filter(&self) -> EventFilter {
        let mut entities = Vec::new();
        entities.extend(self.firearm.clone().map(EntityRef::Firearm));
        entities.extend(self.person.clone().map(EntityRef::Person));
        EventFilter { entities, date: self.date }
    }

    /// The search's part of a link's query string (ids and dates are plain URL characters).
    fn query(&self) -> String {
        let mut q = String::new();
        if let Some(f) = &self.firearm {
            q.push_str(&format!("firearm={f}&"));
        }
        if let Some(p) = &self.person {
            q.push_str(&format!("person={p}&"));
        }
        if let Some(d) = &self.date {
            q.push_str(&format!("date={d}&"));
        }
        q
    }

    fn is_empty(&self) -> bool {
        self.firearm.is_none() && self.person.is_none() && self.date.is_none()
    }
}

/// An event as the page shows it: in words, its stored bytes, and its inclusion proof
/// against the newest checkpoint (or why there is none yet).
struct Shown {
    entry: HistoryEntry,
    bytes: Vec<u8>,
    leaf_hash: coldset_ledger::Hash,
    proof: Result<coldset_app::ledger::InclusionProof, String>,
}

/// What the page shows below the checkpoints: one event, or a page of the list.
enum Events {
    One(Option<Box<Shown>>, u64),
    BadSeq,
    List(Vec<Shown>, Option<u64>),
}

async fn audit(
    State(app): State<App>,
    Path(p): Path<String>,
    Query(q): Query<AuditQuery>,
    PageReader(state): PageReader,
) -> Response {
    let Ok(production) = crate::api::parse_production(&p) else {
        return crate::extract::page_refusal(&crate::error::ApiError::not_found("no such production"), "/");
    };
    let search = Search::of(&q);
    let seq = q.seq.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.parse::<u64>());
    let (app2, filter, before) = (app.clone(), search.filter(), q.before);
    let loaded = blocking(move || {
        let checkpoints = app2.recent_checkpoints(&production, RECENT_CHECKPOINTS)?;
        let count = app2.event_count(&production)?;
        let size = checkpoints.first().map_or(0, |c| c.size);
        let show = |entry: HistoryEntry| -> Result<Option<Shown>, coldset_app::AppError> {
            let seq = entry.envelope.seq;
            let Some(stored) = app2.event(&production, seq)? else { return Ok(None) };
            let proof = if seq < size {
                app2.inclusion_proof(&production, seq, size).map_err(|e| e.to_string())
            } else {
                Err("the newest checkpoint was signed before this event".to_owned())
            };
            Ok(Some(Shown { entry, bytes: stored.bytes, leaf_hash: stored.leaf_hash, proof }))
        };
        let events = match seq {
            Some(Err(_)) => Events::BadSeq,
            Some(Ok(seq)) => match app2.history_entry(&production, seq)? {
                Some(e) => Events::One(show(e)?.map(Box::new), count),
                None => Events::One(None, seq),
            },
            None => {
                let page = app2.events_matching(&production, &filter, before, PAGE)?;
                let mut shown = Vec::with_capacity(page.entries.len());
                for e in page.entries {
                    shown.extend(show(e)?);
                }
                Events::List(shown, page.older)
            }
        };
        Ok((checkpoints, count, events))
    })
    .await;
    let (checkpoints, count, events) = match loaded {
        Ok(x) => x,
        Err(e) => return crate::forms::refusal_page("Audit", &e, &format!("/p/{p}/audit")),
    };
    // The key that signed the newest checkpoint: this server's, or (until the log grows after
    // a key rotation) the key it replaced, which the rotation handed the log over from.
    let key = app
        .checkpointer()
        .map(|c| checkpoints.first().map_or_else(|| c.verifier_key(), |cp| c.verifier_key_of(&cp.note)));
    let body = view(&state, &p, count, &checkpoints, key.as_deref(), &search, q.seq.as_deref(), events);
    production_page(&p, "Audit", body).into_response()
}

#[allow(clippy::too_many_arguments)]
fn view(
    state: &ProductionState,
    p: &str,
    count: u64,
    checkpoints: &[StoredCheckpoint],
    key: Option<&str>,
    search: &Search,
    asked: Option<&str>,
    events: Events,
) -> Markup {
    let name = state.info.as_ref().map_or(p, |i| i.name.as_str());
    let zone = state.info.as_ref().map_or("UTC", |i| i.time_zone.as_str());
    let latest = checkpoints.first();
    let proofs = Proofs { latest, key };
    html! {
        h1 { "Ledger of " (name) }
        p.no-print { "Records made from the signed checkpoints, each verifiable row by row: " a href={ "/p/" (p) "/records" } { "Records" } }
        p { (count) " events recorded." }
        @match (latest, key) {
            (Some(cp), Some(key)) => {
                h2 { "Latest signed checkpoint" }
                p {
                    (cp.size) " events, signed " (crate::html::local_minute(zone, cp.at)) ". "
                    @if signed_by(cp, key) {
                        span.ok { "The server checked its signature." }
                    } @else {
                        span.warn { "Its signature does not verify with this server's key." }
                    }
                }
                details {
                    summary { "The signed checkpoint and the verifier key" }
                    pre id="checkpoint" { (cp.note) }
                    p { "Verifier key (compare it with your pinned copy):" }
                    pre id="verifier-key" { (key) }
                }
            }
            _ => p.warn { "No checkpoint has been signed for this production yet." },
        }
        @if checkpoints.len() > 1 {
            details {
                summary { "Recent checkpoints" }
                ol.history {
                    @for cp in checkpoints {
                        li.card {
                            p { strong { (cp.size) " events" } " · signed " (crate::html::local_minute(zone, cp.at)) }
                            p.muted { "Root " code { (hex_lower(&cp.root)) } }
                        }
                    }
                }
            }
        }
        @match events {
            Events::BadSeq => {
                (search_forms(state, p, search, asked))
                p.warn role="alert" { "A sequence number is a whole number, starting at 0." }
            }
            Events::One(None, n) => {
                (search_forms(state, p, search, asked))
                p.warn role="alert" {
                    "There is no event " (n) ": the log has " (count) " events (0 to " (count.saturating_sub(1)) ")."
                }
            }
            Events::One(Some(shown), _) => {
                h2 { "Event " (shown.entry.envelope.seq) }
                p { a.tap href={ "/p/" (p) "/audit" } { "All events" } }
                div.card { (event_card(state, p, &shown, proofs, true)) }
            }
            Events::List(shown, older) => {
                (search_forms(state, p, search, asked))
                @for problem in &search.problems { p.warn role="alert" { (problem) } }
                @if shown.is_empty() {
                    p { "No event matches." }
                }
                ol.history.audit {
                    @for s in &shown { li.card data-seq=(s.entry.envelope.seq) { (event_card(state, p, s, proofs, false)) } }
                }
                p {
                    @if let Some(older) = older {
                        a.tap href={ "/p/" (p) "/audit?" (search.query()) "before=" (older) } { "Older events" }
                        " "
                    }
                    @if older.is_some() || !search.is_empty() {
                        a.tap href={ "/p/" (p) "/audit" } { "Newest events, no search" }
                    }
                }
            }
        }
        script src=(crate::assets::Asset::Audit.url()) {}
    }
}

/// The search (by firearm, person and day) and the look-up of one event by number.
fn search_forms(state: &ProductionState, p: &str, search: &Search, asked: Option<&str>) -> Markup {
    let firearm = search.firearm.as_ref().map(|f| f.as_str()).unwrap_or_default();
    let person = search.person.as_ref().map(|x| x.as_str()).unwrap_or_default();
    html! {
        h2 { "Events" }
        p.muted { "Newest first. Times are in the production's zone; a day is a day there." }
        form.search method="get" action={ "/p/" (p) "/audit" } role="search" {
            p {
                label {
                    "Firearm"
                    select name="firearm" {
                        option value="" { "Any firearm" }
                        @for f in state.firearms.values() {
                            option value=(f.id) selected[f.id.as_str() == firearm] { (f.id) " " (f.make) " " (f.model) }
                        }
                    }
                }
            }
            p {
                label {
                    "Person"
                    select name="person" {
                        option value="" { "Anyone" }
                        @for x in state.people.values() {
                            option value=(x.id) selected[x.id.as_str() == person] { (x.name) }
                        }
                    }
                }
            }
            p {
                label {
                    "Day"
                    input type="date" name="date" value=(search.date.map(|d| d.to_string()).unwrap_or_default());
                }
            }
            button type="submit" { "Search" }
        }
        details {
            summary { "Look up an event by number" }
            form method="get" action={ "/p/" (p) "/audit" } {
                p { label { "Sequence number " input name="seq" inputmode="numeric" size="8" value=(asked.unwrap_or_default()); } }
                button type="submit" { "Look up" }
            }
        }
    }
}

/// Whether the checkpoint's note is signed by this server's key and names its size and root.
fn signed_by(cp: &StoredCheckpoint, key: &str) -> bool {
    coldset_ledger::VerifierKey::parse(key)
        .ok()
        .and_then(|k| coldset_ledger::open_checkpoint(&cp.note, &k).ok())
        .is_some_and(|c| c.size == cp.size && c.root == cp.root)
}

/// What every proof is checked against: the newest signed checkpoint and the verifier key.
#[derive(Clone, Copy)]
struct Proofs<'a> {
    latest: Option<&'a StoredCheckpoint>,
    key: Option<&'a str>,
}

/// One event: in words (who, what, when, how), which firearms it names, its proof with the
/// control that checks it in this browser, and its raw record folded. `opened`: the page of
/// this one event, where the browser checks the proof at once and the server says whether
/// it checked too.
fn event_card(state: &ProductionState, p: &str, s: &Shown, proofs: Proofs<'_>, opened: bool) -> Markup {
    let env = &s.entry.envelope;
    let firearms: Vec<FirearmId> = env
        .event
        .entities()
        .into_iter()
        .filter_map(|e| match e {
            EntityRef::Firearm(f) => Some(f),
            _ => None,
        })
        .collect();
    let pretty = serde_json::from_slice::<serde_json::Value>(&s.bytes)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| String::from_utf8_lossy(&s.bytes).into_owned());
    html! {
        (entry(state, &s.entry))
        @if !firearms.is_empty() {
            p {
                "Firearm" @if firearms.len() > 1 { "s" } ": "
                @for (i, f) in firearms.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href={ "/p/" (p) "/firearms/" (f) } {
                        (f) @if let Some(x) = state.firearms.get(f) { " " (x.make) " " (x.model) }
                    }
                }
            }
        }
        @if !opened {
            p { a href={ "/p/" (p) "/audit?seq=" (env.seq) } { "Open event " (env.seq) } }
        }
        (proof_block(p, s, proofs, opened))
        details {
            summary { "Raw record (JSON) of event " (env.seq) }
            p.muted { (env.event.kind()) " · leaf hash " code { (hex_lower(&s.leaf_hash)) } }
            pre { (pretty) }
            @if let Some(person) = env.actor.person() { p.muted { "Actor " (person) " is " (person_name(state, person)) "." } }
        }
    }
}

fn proof_block(p: &str, s: &Shown, proofs: Proofs<'_>, opened: bool) -> Markup {
    let proof = match &s.proof {
        Ok(proof) => proof,
        Err(why) => {
            return html! {
                p.warn {
                    "No inclusion proof yet: " (why)
                    ". Checkpoints are signed every second while events arrive; look again in a moment."
                }
            }
        }
    };
    // Everything the browser needs to check it on its own.
    let path: Vec<String> = proof.path.iter().map(|h| hex_lower(h)).collect();
    let server_ok = opened && {
        let recomputed = coldset_ledger::leaf_hash(&s.bytes);
        recomputed == proof.leaf_hash
            && coldset_ledger::verify_inclusion(
                &recomputed,
                proof.leaf_index,
                proof.tree_size,
                &proof.path,
                &proof.root,
            )
            .is_ok()
            && proofs.latest.is_some_and(|c| c.size == proof.tree_size && c.root == proof.root)
    };
    let seq = s.entry.envelope.seq;
    // The opened event keeps the names the one-event page always had.
    let out = if opened { "browser-check".to_owned() } else { format!("check-{seq}") };
    html! {
        div.proof id=[opened.then_some("proof")]
            data-leaf=(base64::engine::general_purpose::STANDARD.encode(&s.bytes))
            data-index=(proof.leaf_index) data-size=(proof.tree_size) data-path=(path.join(","))
            data-note=(proofs.latest.map_or("", |c| c.note.as_str())) data-key=(proofs.key.unwrap_or_default()) {}
        @if opened {
            p {
                "Inclusion proof against the checkpoint of " (proof.tree_size) " events: " (proof.path.len()) " hashes. "
                // The same proof as one file an auditor keeps and checks offline (docs/ledger.md).
                a href={ "/api/v1/productions/" (p) "/proof/inclusion?seq=" (seq) "&size=" (proof.tree_size) "&format=tlog-proof" }
                    download={ (p) "-event-" (seq) ".tlog-proof" } {
                    "Download it (C2SP tlog-proof)"
                }
            }
            p {
                @if server_ok {
                    span.ok { "The server verified it." }
                } @else {
                    span.warn { "The server could not verify it: this event is not provably in the signed log." }
                }
            }
        }
        p.verify {
            button type="button" data-verify aria-describedby=(out) {
                @if opened { "Verify again" } @else { "Verify event " (seq) }
            }
            " "
            output id=(out) aria-live="polite" {
                @if opened { "checking…" } @else { "Not checked yet: in this browser, against checkpoint " (proof.tree_size) "." }
            }
        }
    }
}
