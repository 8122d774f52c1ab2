//! Scene kits (#19 item 3): "take out everything for scene 12" and "put everything away" as
//! one action. Not a new command and not atomic: the kit is a list of ordinary requests, one
//! per firearm and per ammunition container, each sent through the one write path
//! ([`App::execute`]) in turn, so each passes its own gate with every rule, exactly as if the
//! armorer had sent it alone. Items that pass are recorded; items refused are listed with
//! their rules and why; the answer lists every item's outcome.
//!
//! Which items: the firearms of the scene's plan, and the ammunition containers its planned
//! loads need (dummies or blanks of that load, in the calibre of the firearm). Taking out,
//! every such container in storage with rounds in it is asked for (a quarantined one is then
//! refused by its own rule, which says why, rather than left out silently); a firearm
//! already out of storage is listed as such, not asked for. Putting away, each of them held
//! by the armory side goes back to where it was last taken from (its home, read from the
//! log), or else to the location picked on the form; one held by anyone else is listed, not
//! moved (the armorer collects it first). Each call reads the log: run it on a blocking
//! thread.

use crate::error::AppError;
use crate::{App, IdempotencyKey, Request};
use coldset_domain::events::{Authentication, Event};
use coldset_domain::ids::{ContainerId, FirearmId, LocationId, ProductionId, SceneId};
use coldset_domain::model::{AmmoClass, Holder};
use coldset_domain::safety::PlannedLoad;
use coldset_domain::{Actor, Command, DomainError, ProductionState, Violation};
use std::collections::BTreeMap;

/// One firearm or ammunition container of a kit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KitItem {
    Firearm(FirearmId),
    Container(ContainerId),
}

/// What became of one item.
#[derive(Debug, Clone)]
pub enum KitOutcome {
    /// Recorded as event `seq` (`replayed`: the same kit form had been sent before, and this
    /// item was recorded then; nothing new now).
    Recorded { seq: u64, replayed: bool },
    /// Refused: nothing recorded for this item. `violations` are the rules that failed (empty
    /// for a refusal that is not a rule's, for example a role that may not ask).
    Refused { code: &'static str, message: String, violations: Vec<Violation> },
    /// Not asked for, and why (already in storage, with a performer, no location known).
    NotAsked { why: String },
}

/// One line of a kit's answer.
#[derive(Debug, Clone)]
pub struct KitLine {
    pub item: KitItem,
    /// The item as people on set name it: the firearm's id, make and model; the label.
    pub name: String,
    pub outcome: KitOutcome,
}

/// Who sends the kit: the actor and how they proved it, as the caller authorized them, and
/// the form's idempotency key (each item's request carries a key derived from it, so a kit
/// form sent twice records each item once).
#[derive(Debug, Clone)]
pub struct KitSender {
    pub actor: Actor,
    pub auth: Option<Authentication>,
    pub idempotency: Option<IdempotencyKey>,
}

/// The ammunition a plan's loads need: (class, calibre).
fn needs(state: &ProductionState, scene: &coldset_domain::safety::Scene) -> Vec<(AmmoClass, String)> {
    let mut out: Vec<(AmmoClass, String)> = Vec::new();
    for item in &scene.plan.items {
        let Some(calibre) = state.firearms.get(&item.firearm).map(|f| f.calibre.clone()) else { continue };
        let class = match &item.load {
            PlannedLoad::Empty => continue,
            PlannedLoad::Dummies => AmmoClass::Dummy,
            PlannedLoad::Blanks { load } => AmmoClass::Blank { load: load.clone() },
        };
        if !out.iter().any(|(c, k)| *c == class && *k == calibre) {
            out.push((class, calibre));
        }
    }
    out
}

fn armory_holds(state: &ProductionState, holder: &Holder) -> bool {
    holder.person().and_then(|p| state.people.get(p)).is_some_and(|p| p.is_armorer_side())
}

fn holder_words(state: &ProductionState, holder: &Holder) -> String {
    match holder {
        Holder::Storage { location } => {
            format!("in {}", state.locations.get(location).map_or(location.as_str(), |l| l.name.as_str()))
        }
        Holder::Person { person } => {
            format!("with {}", state.people.get(person).map_or(person.as_str(), |p| p.name.as_str()))
        }
    }
}

fn firearm_name(state: &ProductionState, id: &FirearmId) -> String {
    state.firearms.get(id).map_or(id.to_string(), |f| format!("{id} {} {}", f.make, f.model))
}

fn container_name(state: &ProductionState, id: &ContainerId) -> String {
    state.containers.get(id).map_or(id.to_string(), |c| format!("{} ({} {})", c.label, c.class, c.calibre))
}

/// What a kit will ask for: each item with its command, or why it is not asked for.
type Plan = Vec<(KitItem, String, Result<Command, String>)>;

impl App {
    /// Takes out of storage every firearm of `scene`'s plan (`TakeFirearm` with the scene)
    /// and every container in storage its planned loads need (`TakeContainer`), one request
    /// each, in that order; returns each item's outcome.
    pub fn take_scene_kit(
        &self,
        production: &ProductionId,
        sender: &KitSender,
        scene: &SceneId,
    ) -> Result<Vec<KitLine>, AppError> {
        let state = self.state(production)?;
        let sc = state.scenes.get(scene).ok_or(DomainError::NotFound { what: "scene", id: scene.to_string() })?;
        let mut plan: Plan = Vec::new();
        for item in &sc.plan.items {
            let id = &item.firearm;
            let ask = match state.firearms.get(id).map(|f| &f.holder) {
                Some(Holder::Storage { .. }) | None => {
                    // An unknown firearm is asked for too: the decider names what is wrong.
                    Ok(Command::TakeFirearm { firearm: id.clone(), scene: Some(scene.clone()) })
                }
                Some(h) => Err(format!("already out of storage, {}", holder_words(&state, h))),
            };
            plan.push((KitItem::Firearm(id.clone()), firearm_name(&state, id), ask));
        }
        for (class, calibre) in needs(&state, sc) {
            for c in state.containers.values() {
                if c.class == class && c.calibre == calibre && c.count() > 0 && c.holder.person().is_none() {
                    plan.push((
                        KitItem::Container(c.id.clone()),
                        container_name(&state, &c.id),
                        Ok(Command::TakeContainer { container: c.id.clone() }),
                    ));
                }
            }
        }
        Ok(self.run_kit(production, sender, plan))
    }

    /// Puts back into storage every firearm of `scene`'s plan and every container its
    /// planned loads need that the armory side holds (`StoreFirearm`, `StoreContainer`), each
    /// to where it was last taken out from, else to `fallback`; returns each item's outcome.
    pub fn put_away_scene_kit(
        &self,
        production: &ProductionId,
        sender: &KitSender,
        scene: &SceneId,
        fallback: Option<&LocationId>,
    ) -> Result<Vec<KitLine>, AppError> {
        let state = self.state(production)?;
        let sc = state.scenes.get(scene).ok_or(DomainError::NotFound { what: "scene", id: scene.to_string() })?;
        let homes = self.homes(production)?;
        let place = |item: &KitItem| homes.get(item).or(fallback).cloned();
        let not_asked = |holder: &Holder| {
            if holder.person().is_none() {
                format!("already in storage, {}", holder_words(&state, holder))
            } else {
                format!("{}, not with the armory: collect it first", holder_words(&state, holder))
            }
        };
        let no_home = || "no storage location known for it: pick one on the form".to_owned();
        let mut plan: Plan = Vec::new();
        for item in &sc.plan.items {
            let id = &item.firearm;
            let key = KitItem::Firearm(id.clone());
            let ask = match state.firearms.get(id) {
                Some(f) if !armory_holds(&state, &f.holder) => Err(not_asked(&f.holder)),
                _ => place(&key)
                    .map(|location| Command::StoreFirearm { firearm: id.clone(), location })
                    .ok_or_else(no_home),
            };
            plan.push((key, firearm_name(&state, id), ask));
        }
        for (class, calibre) in needs(&state, sc) {
            for c in state.containers.values() {
                if c.class != class || c.calibre != calibre || !armory_holds(&state, &c.holder) {
                    continue;
                }
                let key = KitItem::Container(c.id.clone());
                let ask = place(&key)
                    .map(|location| Command::StoreContainer { container: c.id.clone(), location })
                    .ok_or_else(no_home);
                plan.push((key, container_name(&state, &c.id), ask));
            }
        }
        Ok(self.run_kit(production, sender, plan))
    }

    /// Where each firearm and container was last taken out of storage from: its home.
    fn homes(&self, production: &ProductionId) -> Result<BTreeMap<KitItem, LocationId>, AppError> {
        let mut homes = BTreeMap::new();
        self.for_each_event(production, 0, &mut |ev| {
            // Only these two kinds say where an item came from: decode nothing else.
            if !matches!(ev.kind.as_str(), "firearm.taken_out" | "container.taken_out") {
                return Ok(());
            }
            let env = coldset_domain::Envelope::decode(&ev.bytes)
                .map_err(|e| crate::ports::StoreError::Corrupt(e.to_string()))?;
            match env.event {
                Event::FirearmTakenOut { firearm, location, .. } => {
                    homes.insert(KitItem::Firearm(firearm), location);
                }
                Event::ContainerTakenOut { container, location, .. } => {
                    homes.insert(KitItem::Container(container), location);
                }
                _ => {}
            }
            Ok(())
        })?;
        Ok(homes)
    }

    /// Sends each request in turn, through the write path, and waits for its answer before
    /// the next: each item is decided on the state the previous ones left (an item counts
    /// towards R-STAFF-1 once it is out).
    fn run_kit(&self, production: &ProductionId, sender: &KitSender, plan: Plan) -> Vec<KitLine> {
        plan.into_iter()
            .map(|(item, name, ask)| {
                let outcome = match ask {
                    Err(why) => KitOutcome::NotAsked { why },
                    Ok(command) => {
                        let mut request = Request::new(production.clone(), sender.actor.clone(), command);
                        request.auth = sender.auth.clone();
                        request.idempotency = sender.idempotency.as_ref().map(|k| item_key(k, &item));
                        match self.execute(request) {
                            Ok(receipt) => match receipt.last_seq() {
                                Some(seq) => KitOutcome::Recorded { seq, replayed: receipt.replayed },
                                None => KitOutcome::NotAsked { why: "nothing to record".into() },
                            },
                            Err(e) => KitOutcome::Refused {
                                code: e.code(),
                                message: e.to_string(),
                                violations: match &e {
                                    AppError::Domain(DomainError::Denied(d)) => d.violations.clone(),
                                    _ => Vec::new(),
                                },
                            },
                        }
                    }
                };
                KitLine { item, name, outcome }
            })
            .collect()
    }
}

impl PartialOrd for KitItem {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KitItem {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl KitItem {
    fn key(&self) -> (u8, &str) {
        match self {
            KitItem::Firearm(f) => (0, f.as_str()),
            KitItem::Container(c) => (1, c.as_str()),
        }
    }
}

/// The idempotency key of one item of a kit form: the form's key and the item, so a second
/// send of the same form finds each item's first answer.
fn item_key(form: &IdempotencyKey, item: &KitItem) -> IdempotencyKey {
    let (kind, id) = item.key();
    let suffix = format!("kit:{kind}:{id}");
    IdempotencyKey {
        account: form.account.clone(),
        key: format!("{}:{suffix}", form.key),
        request_hash: crate::access::hash_token(&format!("{}:{suffix}", form.request_hash)),
    }
}
