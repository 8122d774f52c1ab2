//! Each record as a fold over the log's events `0..size`, in order: a small accumulator per
//! kind (names of people, firearms and containers, and what the kind keeps), never the whole
//! production's state, so the registers stream over millions of events in bounded memory
//! and `coldset verify --record` derives the very same rows from an export bundle.

use super::{Column, Params, RecordError, RecordKind, Row, Table};
use coldset_domain::events::{AuthMethod, Authentication};
use coldset_domain::ids::*;
use coldset_domain::model::AmmoClass;
use coldset_domain::{Date, Envelope, Event, Timestamp};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// How long before and after an incident its pack lists every event (minutes).
pub const INCIDENT_WINDOW_MINUTES: i64 = 60;

/// What a derivation gives back: the tables and what the log says of the production.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    pub production_name: String,
    pub time_zone: String,
    pub tables: Vec<Table>,
}

fn col(name: &str, label: &str, width: u16) -> Column {
    Column { name: name.into(), label: label.into(), width }
}

fn table(name: &str, title: &str, columns: Vec<Column>) -> Table {
    Table { name: name.into(), title: title.into(), columns, rows: Vec::new() }
}

/// The names a record prints instead of ids, learnt from the events as they pass.
struct Names {
    production_name: String,
    zone_name: String,
    zone: jiff::tz::TimeZone,
    people: HashMap<PersonId, String>,
    firearms: HashMap<FirearmId, (String, String)>,
    containers: HashMap<ContainerId, String>,
    locations: HashMap<LocationId, String>,
    scenes: HashMap<SceneId, (String, Date)>,
    /// The shoot day open now, if any (a night shoot crossing midnight is still its day).
    open_day: Option<Date>,
}

impl Names {
    fn new() -> Self {
        Names {
            production_name: String::new(),
            zone_name: "UTC".into(),
            zone: jiff::tz::TimeZone::UTC,
            people: HashMap::new(),
            firearms: HashMap::new(),
            containers: HashMap::new(),
            locations: HashMap::new(),
            scenes: HashMap::new(),
            open_day: None,
        }
    }

    fn observe(&mut self, env: &Envelope) {
        match &env.event {
            Event::ProductionCreated { name, time_zone, .. } => {
                self.production_name = name.clone();
                self.zone_name = time_zone.clone();
                self.zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
            }
            Event::PersonAdded { person, name, .. } => {
                self.people.insert(person.clone(), name.clone());
            }
            Event::FirearmReceived { firearm, make, model, serial, .. } => {
                self.firearms.insert(firearm.clone(), (format!("{make} {model}"), serial.clone()));
            }
            Event::FirearmDetailsCorrected { firearm, make, model, serial, .. } => {
                self.firearms.insert(firearm.clone(), (format!("{make} {model}"), serial.clone()));
            }
            Event::ContainerCreated { container, label, .. } => {
                self.containers.insert(container.clone(), label.clone());
            }
            Event::LotReceived { container, container_label, .. } => {
                self.containers.insert(container.clone(), container_label.clone());
            }
            Event::LocationAdded { location, name, .. } => {
                self.locations.insert(location.clone(), name.clone());
            }
            Event::ScenePlanned { scene, number, day, .. } => {
                self.scenes.insert(scene.clone(), (number.clone(), *day));
            }
            Event::DayOpened { date, .. } => self.open_day = Some(*date),
            _ => {}
        }
    }

    /// After the event: a closed day is no longer open.
    fn after(&mut self, env: &Envelope) {
        if let Event::DayClosed { date, .. } = &env.event {
            if self.open_day == Some(*date) {
                self.open_day = None;
            }
        }
    }

    fn person(&self, p: &PersonId) -> String {
        self.people.get(p).cloned().unwrap_or_else(|| p.to_string())
    }

    fn actor(&self, env: &Envelope) -> String {
        match env.actor.person() {
            Some(p) => self.person(p),
            None => env.actor.describe(),
        }
    }

    fn firearm(&self, f: &FirearmId) -> (String, String) {
        self.firearms.get(f).cloned().unwrap_or_else(|| (f.to_string(), String::new()))
    }

    fn container(&self, c: &ContainerId) -> String {
        self.containers.get(c).cloned().unwrap_or_else(|| c.to_string())
    }

    fn location(&self, l: &LocationId) -> String {
        self.locations.get(l).cloned().unwrap_or_else(|| l.to_string())
    }

    fn scene(&self, s: &SceneId) -> String {
        self.scenes.get(s).map(|(n, _)| format!("scene {n}")).unwrap_or_else(|| s.to_string())
    }

    fn time(&self, at: Timestamp) -> String {
        crate::history::local_time_zoned(&self.zone, at)
    }

    fn date(&self, at: Timestamp) -> Date {
        match jiff::Timestamp::from_millisecond(at.0) {
            Ok(ts) => ts.to_zoned(self.zone.clone()).date(),
            Err(_) => Date::constant(1970, 1, 1),
        }
    }

    /// The shoot day an event belongs to: the day open when it happened, else its date.
    fn day_of(&self, env: &Envelope) -> Date {
        self.open_day.unwrap_or_else(|| self.date(env.at))
    }

    /// Who confirmed and how: the event's own proof, and each second person's.
    fn confirmed(&self, auth: &Option<Authentication>) -> (String, String) {
        let Some(auth) = auth else { return (String::new(), String::new()) };
        let who = auth
            .confirmations
            .iter()
            .map(|c| format!("{} ({})", self.person(&c.person), method(c.method)))
            .collect::<Vec<_>>()
            .join("; ");
        let mut how = method(auth.method).to_owned();
        if let Some(device) = &auth.on_device_of {
            how.push_str(&format!(" on {}'s device", self.person(device)));
        }
        (who, how)
    }
}

fn method(m: AuthMethod) -> &'static str {
    match m {
        AuthMethod::Password => "session (password)",
        AuthMethod::PasswordTotp => "session (password and code)",
        AuthMethod::ApiToken => "API token",
        AuthMethod::Pin => "PIN",
        AuthMethod::Passkey => "passkey",
        AuthMethod::Local => "local",
    }
}

/// A value of the domain as its serialised name (`misfire`, `all_firearm_work`, ...).
fn word<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        // A tagged value (`{"kind": "injury", "severity": "death"}`): "injury (death)".
        Ok(serde_json::Value::Object(map)) => {
            let tag = map.get("kind").or_else(|| map.get("type")).and_then(|t| t.as_str()).unwrap_or_default();
            let rest: Vec<String> = map
                .iter()
                .filter(|(k, _)| *k != "kind" && *k != "type")
                .map(|(_, v)| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect();
            if rest.is_empty() {
                tag.to_owned()
            } else {
                format!("{tag} ({})", rest.join(", "))
            }
        }
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// A code of the domain as the pages show it (`blank_adapted` is "blank adapted").
fn words(code: &str) -> String {
    code.replace('_', " ")
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

fn period_contains(params: &Params, day: Date) -> bool {
    params.from.is_none_or(|f| day >= f) && params.to.is_none_or(|t| day <= t)
}

/// One record's fold.
pub struct Deriver {
    kind: RecordKind,
    params: Params,
    names: Names,
    acc: Acc,
}

enum Acc {
    DailyLog(DailyLog),
    Weapons(Weapons),
    Ammunition(Box<Ammunition>),
    Training(Training),
    Incident(Box<Incident>),
    Compliance(Box<Compliance>),
    Receipt(Receipt),
}

impl Deriver {
    pub fn new(kind: RecordKind, params: &Params) -> Result<Deriver, RecordError> {
        params.check(kind)?;
        let acc = match kind {
            RecordKind::DailyLog => Acc::DailyLog(DailyLog::new()),
            RecordKind::WeaponRegister => Acc::Weapons(Weapons::default()),
            RecordKind::AmmunitionRegister => Acc::Ammunition(Box::default()),
            RecordKind::TrainingRegister => Acc::Training(Training::default()),
            RecordKind::IncidentPack => Acc::Incident(Box::new(Incident::new(params.incident.unwrap_or(0)))),
            RecordKind::CompliancePack => Acc::Compliance(Box::new(Compliance::new())),
            RecordKind::HandOffReceipt => Acc::Receipt(Receipt::new(params.seq.unwrap_or(0))),
        };
        Ok(Deriver { kind, params: params.clone(), names: Names::new(), acc })
    }

    /// The record this fold derives.
    pub fn kind(&self) -> RecordKind {
        self.kind
    }

    /// The next event of the log (events come in order, from 0).
    pub fn push(&mut self, env: &Envelope) {
        self.names.observe(env);
        let n = &self.names;
        let p = &self.params;
        match &mut self.acc {
            Acc::DailyLog(a) => a.push(n, p, env),
            Acc::Weapons(a) => a.push(n, env),
            Acc::Ammunition(a) => a.push(n, p, env),
            Acc::Training(a) => a.push(n, env),
            Acc::Incident(a) => a.push(n, env),
            Acc::Compliance(a) => a.push(n, p, env),
            Acc::Receipt(a) => a.push(n, env),
        }
        self.names.after(env);
    }

    pub fn finish(self) -> Result<Derived, RecordError> {
        let n = &self.names;
        let tables = match self.acc {
            Acc::DailyLog(a) => a.finish(n),
            Acc::Weapons(a) => a.finish(n),
            Acc::Ammunition(a) => a.finish(n),
            Acc::Training(a) => a.finish(n),
            Acc::Incident(a) => a.finish()?,
            Acc::Compliance(a) => a.finish(),
            Acc::Receipt(a) => a.finish()?,
        };
        Ok(Derived { production_name: n.production_name.clone(), time_zone: n.zone_name.clone(), tables })
    }
}

// ---------------------------------------------------------------------------------------
// The daily firearms log.

struct Step<'a> {
    firearm: Option<&'a FirearmId>,
    step: &'static str,
    holder: String,
    loaded: String,
    issued: Option<u32>,
    fired: Option<u32>,
    returned: Option<u32>,
    note: String,
}

fn step<'a>(firearm: Option<&'a FirearmId>, step: &'static str) -> Step<'a> {
    Step {
        firearm,
        step,
        holder: String::new(),
        loaded: String::new(),
        issued: None,
        fired: None,
        returned: None,
        note: String::new(),
    }
}

struct DailyLog {
    steps: Table,
    firearms: BTreeMap<FirearmId, FirearmDay>,
}

#[derive(Default)]
struct FirearmDay {
    first_out: String,
    last_in: String,
    holders: BTreeSet<String>,
    issued: u64,
    fired: u64,
    returned: u64,
    events: Vec<u64>,
}

impl DailyLog {
    fn new() -> Self {
        DailyLog {
            steps: table(
                "steps",
                "Custody steps",
                vec![
                    col("time", "Time", 9),
                    col("firearm", "Firearm", 12),
                    col("serial", "Serial", 11),
                    col("step", "Step", 9),
                    col("by", "By", 10),
                    col("holder", "Held by", 10),
                    col("loaded", "Declared loaded", 9),
                    col("issued", "Issued", 6),
                    col("fired", "Fired", 5),
                    col("returned", "Returned", 8),
                    col("confirmed_by", "Confirmed by", 11),
                    col("how", "How", 8),
                    col("note", "Note", 12),
                ],
            ),
            firearms: BTreeMap::new(),
        }
    }

    fn push(&mut self, n: &Names, p: &Params, env: &Envelope) {
        let day = n.day_of(env);
        let in_scope = match p.day {
            Some(d) => day == d,
            None => period_contains(p, day),
        };
        if !in_scope {
            return;
        }
        let e = &env.event;
        let s: Step = match e {
            Event::FirearmTakenOut { firearm, location, by, scene } => Step {
                holder: n.person(by),
                note: format!(
                    "from {}{}",
                    n.location(location),
                    scene.as_ref().map(|s| format!(", for {}", n.scene(s))).unwrap_or_default()
                ),
                ..step(Some(firearm), "taken out")
            },
            Event::FirearmStored { firearm, location, .. } => {
                Step { holder: format!("storage: {}", n.location(location)), ..step(Some(firearm), "stored") }
            }
            Event::FirearmHandedOff { firearm, to, scene, rules_checked, overrides, receiver_confirmed, .. } => {
                let mut note = format!("{} rules checked", rules_checked.len());
                if let Some(s) = scene {
                    note = format!("{}; {note}", n.scene(s));
                }
                if !overrides.is_empty() {
                    note.push_str(&format!("; overrides at events {overrides:?}"));
                }
                if !receiver_confirmed {
                    note.push_str("; receiver did not confirm");
                }
                Step { holder: n.person(to), note, ..step(Some(firearm), "handed off") }
            }
            Event::FirearmCollected { firearm, to, returner_confirmed, .. } => Step {
                holder: n.person(to),
                note: if *returner_confirmed { String::new() } else { "returner did not confirm".into() },
                ..step(Some(firearm), "collected")
            },
            Event::FirearmInspected { firearm, stage, barrel_clear, fault, .. } => Step {
                note: format!(
                    "{}; barrel clear: {}{}",
                    word(stage),
                    yes(*barrel_clear),
                    fault.as_ref().map(|f| format!("; fault: {f}")).unwrap_or_default()
                ),
                ..step(Some(firearm), "inspected")
            },
            Event::FirearmLoaded { firearm, container, class, count, .. } => Step {
                loaded: format!("{count} {class}"),
                issued: Some(*count),
                note: format!("from {}", n.container(container)),
                ..step(Some(firearm), "loaded")
            },
            Event::FirearmDeclaredEmpty { firearm, .. } => {
                Step { loaded: "empty".into(), ..step(Some(firearm), "declared empty") }
            }
            Event::FirearmUnloaded { firearm, container, fired, returned, .. } => Step {
                fired: Some(*fired),
                returned: Some(*returned),
                note: format!("into {}", n.container(container)),
                ..step(Some(firearm), "unloaded")
            },
            Event::FirearmDemonstrated { firearm, ad, .. } => {
                Step { note: format!("to the 1st AD {}", n.person(ad)), ..step(Some(firearm), "demonstrated") }
            }
            Event::FirearmShown { firearm, person, .. } => {
                Step { note: format!("to {}", n.person(person)), ..step(Some(firearm), "shown") }
            }
            Event::RoundsDiscrepancyFound { firearm, class, issued, fired, returned } => Step {
                issued: Some(*issued),
                fired: Some(*fired),
                returned: Some(*returned),
                note: format!("{class}: {} unaccounted", (*issued as i64) - (*fired as i64) - (*returned as i64)),
                ..step(Some(firearm), "discrepancy")
            },
            Event::RoundsDiscrepancyResolved { class, explanation, .. } => {
                Step { note: format!("{class}: {explanation}"), ..step(None, "reconciled") }
            }
            Event::FirearmWithdrawn { firearm, reason } => {
                Step { note: reason.clone(), ..step(Some(firearm), "withdrawn") }
            }
            Event::OverrideRecorded { rule, firearm, scene, reason, .. } => {
                Step { note: format!("{rule} for {}: {reason}", n.scene(scene)), ..step(Some(firearm), "override") }
            }
            Event::AlertRaised { rule, message } => Step { note: format!("{rule}: {message}"), ..step(None, "alert") },
            Event::AlertResolved { alert, note, .. } => {
                Step { note: format!("alert of event {alert}: {note}"), ..step(None, "alert resolved") }
            }
            Event::HoldPlaced { scope, reason, .. } => {
                Step { note: format!("{}: {reason}", word(scope)), ..step(None, "stop (hold placed)") }
            }
            Event::HoldLifted { hold, note, review, .. } => Step {
                note: format!("hold of event {hold}{}: {note}", if *review { ", after review" } else { "" }),
                ..step(None, "hold lifted")
            },
            Event::IncidentReported { kind, firearm, description, .. } => {
                Step { note: format!("{}: {description}", word(kind)), ..step(firearm.as_ref(), "incident") }
            }
            Event::DayOpened { date, counts, .. } => {
                Step { note: format!("day {date} opened; {}", counts_words(counts)), ..step(None, "day opened") }
            }
            Event::DayClosed { date, counts, .. } => {
                Step { note: format!("day {date} closed; {}", counts_words(counts)), ..step(None, "day closed") }
            }
            _ => return,
        };
        let (confirmed_by, how) = n.confirmed(&env.auth);
        let (label, serial) = s.firearm.map(|f| n.firearm(f)).unwrap_or_default();
        let num = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
        self.steps.rows.push(Row {
            cells: vec![
                n.time(env.at),
                label,
                serial,
                s.step.into(),
                n.actor(env),
                s.holder.clone(),
                s.loaded,
                num(s.issued),
                num(s.fired),
                num(s.returned),
                confirmed_by,
                how,
                s.note,
            ],
            events: vec![env.seq],
        });
        if let Some(f) = s.firearm {
            let day = self.firearms.entry(f.clone()).or_default();
            match s.step {
                "taken out" if day.first_out.is_empty() => day.first_out = n.time(env.at),
                "stored" => day.last_in = n.time(env.at),
                _ => {}
            }
            if !s.holder.is_empty() && !s.holder.starts_with("storage: ") {
                day.holders.insert(s.holder);
            }
            if s.step != "discrepancy" {
                day.issued += u64::from(s.issued.unwrap_or(0));
                day.fired += u64::from(s.fired.unwrap_or(0));
                day.returned += u64::from(s.returned.unwrap_or(0));
            }
            day.events.push(env.seq);
        }
    }

    fn finish(self, n: &Names) -> Vec<Table> {
        let mut firearms = table(
            "firearms",
            "Firearms out",
            vec![
                col("firearm", "Firearm", 12),
                col("serial", "Serial", 9),
                col("first_out", "First out", 9),
                col("last_stored", "Last stored", 9),
                col("holders", "Held by", 20),
                col("issued", "Issued", 5),
                col("fired", "Fired", 5),
                col("returned", "Returned", 7),
            ],
        );
        for (f, day) in self.firearms {
            let (label, serial) = n.firearm(&f);
            firearms.rows.push(Row {
                cells: vec![
                    label,
                    serial,
                    day.first_out,
                    day.last_in,
                    day.holders.into_iter().collect::<Vec<_>>().join("; "),
                    day.issued.to_string(),
                    day.fired.to_string(),
                    day.returned.to_string(),
                ],
                events: day.events,
            });
        }
        vec![firearms, self.steps]
    }
}

fn counts_words(counts: &[coldset_domain::safety::CountLine]) -> String {
    let off: Vec<String> = counts
        .iter()
        .filter(|c| c.expected != c.counted)
        .map(|c| format!("{}: expected {}, counted {}", c.item, c.expected, c.counted))
        .collect();
    if off.is_empty() {
        format!("{} counts agree", counts.len())
    } else {
        format!("VARIANCE {}", off.join("; "))
    }
}

// ---------------------------------------------------------------------------------------
// The weapon register.

#[derive(Default)]
struct Weapons {
    rows: BTreeMap<FirearmId, WeaponRow>,
}

#[derive(Default)]
struct WeaponRow {
    kind: String,
    calibre: String,
    supplier: String,
    licence: String,
    document: String,
    received: String,
    received_by: String,
    disposition: String,
    disposed_to: String,
    disposed_at: String,
    where_now: String,
    /// The events of the row: intake, corrections, disposal, and the latest custody step.
    fixed: Vec<u64>,
    last_custody: Option<u64>,
}

impl Weapons {
    fn push(&mut self, n: &Names, env: &Envelope) {
        let seq = env.seq;
        match &env.event {
            Event::FirearmReceived { firearm, kind, calibre, acquired_from, received_by, .. } => {
                let row = self.rows.entry(firearm.clone()).or_default();
                row.kind = words(kind.as_str());
                row.calibre = calibre.clone();
                row.supplier = acquired_from.name.clone();
                row.licence = acquired_from.licence.clone();
                row.document = acquired_from.document.clone();
                row.received = n.time(env.at);
                row.received_by = n.person(received_by);
                row.where_now = format!("with {}", n.person(received_by));
                row.fixed.push(seq);
            }
            Event::FirearmDetailsCorrected { firearm, calibre, .. } => {
                if let Some(row) = self.rows.get_mut(firearm) {
                    row.calibre = calibre.clone();
                    row.fixed.push(seq);
                }
            }
            Event::FirearmDisposed { firearm, disposition, to } => {
                if let Some(row) = self.rows.get_mut(firearm) {
                    row.disposition = words(disposition.as_str());
                    row.disposed_to = format!("{} (licence {}, {})", to.name, to.licence, to.document);
                    row.disposed_at = n.time(env.at);
                    row.where_now = format!("gone: {}", to.name);
                    row.fixed.push(seq);
                    row.last_custody = None;
                }
            }
            Event::FirearmStored { firearm, location, .. } => {
                self.custody(firearm, seq, format!("stored: {}", n.location(location)));
            }
            Event::FirearmTakenOut { firearm, by, .. } => self.custody(firearm, seq, format!("with {}", n.person(by))),
            Event::FirearmHandedOff { firearm, to, .. } | Event::FirearmCollected { firearm, to, .. } => {
                self.custody(firearm, seq, format!("with {}", n.person(to)))
            }
            Event::FirearmWithdrawn { firearm, reason } => {
                self.custody(firearm, seq, format!("withdrawn: {reason}"));
            }
            _ => {}
        }
    }

    fn custody(&mut self, firearm: &FirearmId, seq: u64, where_now: String) {
        if let Some(row) = self.rows.get_mut(firearm) {
            if row.disposition.is_empty() {
                row.where_now = where_now;
                row.last_custody = Some(seq);
            }
        }
    }

    fn finish(self, n: &Names) -> Vec<Table> {
        let mut t = table(
            "firearms",
            "Firearms",
            vec![
                col("firearm", "Id", 4),
                col("kind", "Kind", 9),
                col("make_model", "Make and model", 12),
                col("serial", "Serial", 11),
                col("calibre", "Calibre", 7),
                col("acquired_from", "Acquired from", 9),
                col("supplier_licence", "Licence", 10),
                col("paperwork", "Paperwork", 10),
                col("received", "Received", 9),
                col("received_by", "Received by", 8),
                col("disposition", "Disposition", 9),
                col("disposed_to", "Disposed to", 8),
                col("disposed", "Disposed", 8),
                col("where_now", "Where now", 10),
            ],
        );
        for (f, row) in self.rows {
            let (label, serial) = n.firearm(&f);
            let mut events = row.fixed;
            events.extend(row.last_custody);
            events.sort_unstable();
            t.rows.push(Row {
                cells: vec![
                    f.to_string(),
                    row.kind,
                    label,
                    serial,
                    row.calibre,
                    row.supplier,
                    row.licence,
                    row.document,
                    row.received,
                    row.received_by,
                    row.disposition,
                    row.disposed_to,
                    row.disposed_at,
                    row.where_now,
                ],
                events,
            });
        }
        vec![t]
    }
}

// ---------------------------------------------------------------------------------------
// The ammunition register.

#[derive(Default)]
struct Ammunition {
    lots: BTreeMap<LotId, LotRow>,
    /// (day, container) -> rounds in, rounds out, events.
    moves: BTreeMap<(Date, ContainerId), (u64, u64, Vec<u64>)>,
    discrepancies: Vec<DiscrepancyRow>,
}

#[derive(Default)]
struct LotRow {
    class: String,
    calibre: String,
    rounds: u32,
    supplier: String,
    document: String,
    headstamp: String,
    received: String,
    container: String,
    verification: String,
    events: Vec<u64>,
}

struct DiscrepancyRow {
    time: String,
    firearm: String,
    class: AmmoClass,
    issued: u32,
    fired: u32,
    returned: u32,
    resolution: String,
    events: Vec<u64>,
}

impl Ammunition {
    fn moved(&mut self, p: &Params, day: Date, container: &ContainerId, rounds_in: u64, rounds_out: u64, seq: u64) {
        if !period_contains(p, day) {
            return;
        }
        let e = self.moves.entry((day, container.clone())).or_default();
        e.0 += rounds_in;
        e.1 += rounds_out;
        e.2.push(seq);
    }

    fn push(&mut self, n: &Names, p: &Params, env: &Envelope) {
        let seq = env.seq;
        let day = n.day_of(env);
        match &env.event {
            Event::LotReceived { lot, class, calibre, rounds, provenance, container, container_label, .. } => {
                self.lots.insert(
                    lot.clone(),
                    LotRow {
                        class: class.to_string(),
                        calibre: calibre.clone(),
                        rounds: *rounds,
                        supplier: provenance.supplier.clone(),
                        document: provenance.document.clone(),
                        headstamp: provenance.headstamp.clone(),
                        received: n.time(env.at),
                        container: container_label.clone(),
                        verification: "quarantined".into(),
                        events: vec![seq],
                    },
                );
                self.moved(p, day, container, u64::from(*rounds), 0, seq);
            }
            Event::LotVerified { lot, by, method, rounds_checked } => {
                if let Some(row) = self.lots.get_mut(lot) {
                    row.verification =
                        format!("verified by {} ({method}, {rounds_checked} rounds checked)", n.person(by));
                    row.events.push(seq);
                }
            }
            Event::LotRejected { lot, by, reason, other_class_found } => {
                if let Some(row) = self.lots.get_mut(lot) {
                    row.verification =
                        format!("rejected by {}: {reason} ({other_class_found} of another class found)", n.person(by));
                    row.events.push(seq);
                }
            }
            Event::RoundsMoved { from, to, rounds, .. } => {
                self.moved(p, day, from, 0, u64::from(*rounds), seq);
                self.moved(p, day, to, u64::from(*rounds), 0, seq);
            }
            Event::FirearmLoaded { container, count, .. } => self.moved(p, day, container, 0, u64::from(*count), seq),
            Event::FirearmUnloaded { container, returned, .. } => {
                self.moved(p, day, container, u64::from(*returned), 0, seq)
            }
            Event::RoundsDiscrepancyFound { firearm, class, issued, fired, returned } if period_contains(p, day) => {
                let (label, serial) = n.firearm(firearm);
                self.discrepancies.push(DiscrepancyRow {
                    time: n.time(env.at),
                    firearm: format!("{label} ({serial})"),
                    class: class.clone(),
                    issued: *issued,
                    fired: *fired,
                    returned: *returned,
                    resolution: String::new(),
                    events: vec![seq],
                });
            }
            Event::RoundsDiscrepancyResolved { class, by, explanation } => {
                if let Some(d) = self.discrepancies.iter_mut().find(|d| d.resolution.is_empty() && &d.class == class) {
                    d.resolution = format!("{} ({}): {explanation}", n.person(by), n.time(env.at));
                    d.events.push(seq);
                }
            }
            _ => {}
        }
    }

    fn finish(self, n: &Names) -> Vec<Table> {
        let mut lots = table(
            "lots",
            "Lots",
            vec![
                col("lot", "Lot", 6),
                col("class", "Class", 6),
                col("calibre", "Calibre", 5),
                col("rounds", "Rounds", 4),
                col("supplier", "Supplier", 10),
                col("paperwork", "Paperwork", 8),
                col("headstamp", "Headstamp", 6),
                col("received", "Received", 9),
                col("container", "Into", 7),
                col("verification", "Verification", 16),
            ],
        );
        for (lot, r) in self.lots {
            lots.rows.push(Row {
                cells: vec![
                    lot.to_string(),
                    r.class,
                    r.calibre,
                    r.rounds.to_string(),
                    r.supplier,
                    r.document,
                    r.headstamp,
                    r.received,
                    r.container,
                    r.verification,
                ],
                events: r.events,
            });
        }
        let mut moves = table(
            "movements",
            "Rounds in and out, per day and container",
            vec![
                col("day", "Day", 6),
                col("container", "Container", 10),
                col("rounds_in", "In", 4),
                col("rounds_out", "Out", 4),
            ],
        );
        for ((day, container), (rin, rout, events)) in self.moves {
            moves.rows.push(Row {
                cells: vec![day.to_string(), n.container(&container), rin.to_string(), rout.to_string()],
                events,
            });
        }
        let mut disc = table(
            "discrepancies",
            "Discrepancies",
            vec![
                col("time", "Found", 9),
                col("firearm", "Firearm", 12),
                col("class", "Class", 6),
                col("issued", "Issued", 5),
                col("fired", "Fired", 5),
                col("returned", "Returned", 7),
                col("resolution", "How resolved", 20),
            ],
        );
        for d in self.discrepancies {
            disc.rows.push(Row {
                cells: vec![
                    d.time,
                    d.firearm,
                    d.class.to_string(),
                    d.issued.to_string(),
                    d.fired.to_string(),
                    d.returned.to_string(),
                    d.resolution,
                ],
                events: d.events,
            });
        }
        vec![lots, moves, disc]
    }
}

// ---------------------------------------------------------------------------------------
// The training and credentials register.

#[derive(Default)]
struct Training {
    /// Credentials by the seq that first recorded them (a correction replaces the values).
    credentials: BTreeMap<u64, (PersonId, coldset_domain::model::Credential, Vec<u64>)>,
    /// A correction's seq -> the seq of the credential it corrects (a chain of corrections).
    corrected_by: HashMap<u64, u64>,
    competences: Vec<Row>,
    /// Scene -> (its latest call list, the plan events).
    call_lists: BTreeMap<SceneId, (BTreeSet<PersonId>, Vec<u64>)>,
}

impl Training {
    fn push(&mut self, n: &Names, env: &Envelope) {
        let seq = env.seq;
        match &env.event {
            Event::CredentialRecorded { person, credential } => {
                self.credentials.insert(seq, (person.clone(), credential.clone(), vec![seq]));
            }
            Event::CredentialCorrected { corrects_seq, credential, .. } => {
                let original = self.corrected_by.get(corrects_seq).copied().unwrap_or(*corrects_seq);
                if let Some(entry) = self.credentials.get_mut(&original) {
                    entry.1 = credential.clone();
                    entry.2.push(seq);
                    self.corrected_by.insert(seq, original);
                }
            }
            Event::CompetenceRecorded { person, model, by, notes } => self.competences.push(Row {
                cells: vec![
                    person.to_string(),
                    n.person(person),
                    model.clone(),
                    n.person(by),
                    n.time(env.at),
                    notes.clone(),
                ],
                events: vec![seq],
            }),
            Event::ScenePlanned { scene, plan, .. } | Event::ScenePlanRevised { scene, plan, .. } => {
                let entry = self.call_lists.entry(scene.clone()).or_default();
                entry.0 = plan.call_list.clone();
                entry.1.push(seq);
            }
            _ => {}
        }
    }

    fn finish(self, n: &Names) -> Vec<Table> {
        let mut creds = table(
            "credentials",
            "Credentials and training",
            vec![
                col("person", "Person id", 6),
                col("name", "Name", 10),
                col("kind", "Kind", 8),
                col("number", "Number", 8),
                col("issuer", "Issuer", 10),
                col("valid_until", "Valid until", 7),
                col("covers", "Covers", 12),
            ],
        );
        for (person, c, events) in self.credentials.values() {
            creds.rows.push(Row {
                cells: vec![
                    person.to_string(),
                    n.person(person),
                    c.kind.to_string(),
                    c.number.clone(),
                    c.issuer.clone(),
                    c.expires_on.to_string(),
                    c.covers.iter().map(|k| words(k.as_str())).collect::<Vec<_>>().join(", "),
                ],
                events: events.clone(),
            });
        }
        let mut comp = table(
            "competences",
            "Competence with a weapon model",
            vec![
                col("person", "Person id", 6),
                col("name", "Name", 10),
                col("model", "Model", 10),
                col("by", "Recorded by", 10),
                col("time", "When", 9),
                col("notes", "Notes", 15),
            ],
        );
        comp.rows = self.competences;
        let mut calls = table(
            "call_lists",
            "Call lists of firearm scenes",
            vec![
                col("scene", "Scene", 6),
                col("day", "Day", 6),
                col("person", "Person id", 6),
                col("name", "Name", 10),
                col("covered", "Safety course in date", 6),
                col("course_until", "Course valid until", 7),
            ],
        );
        for (scene, (people, plan_events)) in &self.call_lists {
            let day = n.scenes.get(scene).map(|(_, d)| *d);
            for person in people {
                // The in-date safety course that covers the day, if any (R-TRAIN-1).
                let course = self.credentials.values().find(|(p, c, _)| {
                    p == person
                        && c.kind == coldset_domain::model::CredentialKind::SafetyCourse
                        && day.is_some_and(|d| c.in_date_on(d))
                });
                let mut events = plan_events.clone();
                if let Some((_, _, e)) = course {
                    events.extend(e);
                }
                events.sort_unstable();
                calls.rows.push(Row {
                    cells: vec![
                        n.scene(scene),
                        day.map(|d| d.to_string()).unwrap_or_default(),
                        person.to_string(),
                        n.person(person),
                        yes(course.is_some()),
                        course.map(|(_, c, _)| c.expires_on.to_string()).unwrap_or_default(),
                    ],
                    events,
                });
            }
        }
        vec![creds, comp, calls]
    }
}

// ---------------------------------------------------------------------------------------
// The incident pack.

struct Incident {
    seq: u64,
    /// The events of the last window before the incident, until it is found.
    before: VecDeque<(Timestamp, (Row, Option<Envelope>))>,
    found: Option<(Timestamp, Vec<Row>, Vec<Row>)>,
    window: Vec<Row>,
    follow_up: Vec<Row>,
    /// Photos of the safety reports filed in the window (report event, hash).
    photos: Vec<Row>,
}

impl Incident {
    fn new(seq: u64) -> Self {
        Incident {
            seq,
            before: VecDeque::new(),
            found: None,
            window: Vec::new(),
            follow_up: Vec::new(),
            photos: Vec::new(),
        }
    }

    /// The photo rows of a report in the window.
    fn photos_of(&mut self, n: &Names, env: &Envelope) {
        if let Event::ReportFiled { photos, .. } = &env.event {
            for hash in photos {
                self.photos.push(Row {
                    cells: vec![n.time(env.at), format!("report at event {}", env.seq), hash.clone()],
                    events: vec![env.seq],
                });
            }
        }
    }

    fn push(&mut self, n: &Names, env: &Envelope) {
        let row = Row {
            cells: vec![n.time(env.at), env.event.kind().to_owned(), n.actor(env), summary(n, &env.event)],
            events: vec![env.seq],
        };
        match &self.found {
            None if env.seq < self.seq => {
                let report = matches!(env.event, Event::ReportFiled { .. }).then(|| env.clone());
                self.before.push_back((env.at, (row, report)));
                let edge = env.at.plus_minutes(-INCIDENT_WINDOW_MINUTES);
                while self.before.front().is_some_and(|(at, _)| *at < edge) {
                    self.before.pop_front();
                }
            }
            None => {
                if env.seq != self.seq {
                    return;
                }
                let Event::IncidentReported {
                    kind,
                    firearm,
                    scene,
                    description,
                    by,
                    wait_seconds,
                    frozen_firearms,
                    frozen_containers,
                    log_size,
                } = &env.event
                else {
                    return;
                };
                let field = |name: &str, value: String| Row { cells: vec![name.into(), value], events: vec![env.seq] };
                let mut facts = vec![
                    field("incident", format!("event {}", env.seq)),
                    field("kind", word(kind)),
                    field("time", n.time(env.at)),
                    field("reported_by", n.person(by)),
                    field("description", description.clone()),
                    field(
                        "firearm",
                        firearm
                            .as_ref()
                            .map(|f| {
                                let (l, s) = n.firearm(f);
                                format!("{l} ({s})")
                            })
                            .unwrap_or_default(),
                    ),
                    field("scene", scene.as_ref().map(|s| n.scene(s)).unwrap_or_default()),
                    field("wait_seconds", wait_seconds.map(|w| w.to_string()).unwrap_or_default()),
                    field("log_size_at_freeze", log_size.to_string()),
                ];
                if let Some(hours) = kind.regulator_hours() {
                    facts.push(field(
                        "regulator_deadline",
                        format!("{} ({hours} hours)", n.time(env.at.plus_minutes(hours * 60))),
                    ));
                }
                let mut evidence = Vec::new();
                for f in frozen_firearms {
                    let (l, s) = n.firearm(f);
                    evidence.push(Row {
                        cells: vec!["firearm".into(), f.to_string(), format!("{l} ({s})")],
                        events: vec![env.seq],
                    });
                }
                for c in frozen_containers {
                    evidence.push(Row {
                        cells: vec!["container".into(), c.to_string(), n.container(c)],
                        events: vec![env.seq],
                    });
                }
                for (_, r) in std::mem::take(&mut self.before) {
                    if let Some(env) = r.1 {
                        self.photos_of(n, &env);
                    }
                    self.window.push(r.0);
                }
                self.window.push(row);
                self.found = Some((env.at, facts, evidence));
            }
            Some((at, _, _)) => {
                let incident = self.seq;
                let follows = match &env.event {
                    Event::RegulatorNotified { incident: i, .. }
                    | Event::InvestigationSigned { incident: i, .. }
                    | Event::EvidenceReleased { incident: i, .. } => *i == incident,
                    _ => false,
                };
                if follows {
                    self.follow_up.push(row);
                } else if env.at <= at.plus_minutes(INCIDENT_WINDOW_MINUTES) {
                    self.window.push(row);
                    self.photos_of(n, env);
                }
            }
        }
    }

    fn finish(self) -> Result<Vec<Table>, RecordError> {
        let Some((_, facts, evidence)) = self.found else {
            return Err(RecordError::not_found(format!("event {} is not an incident of this production", self.seq)));
        };
        let mut t1 = table("incident", "Incident", vec![col("field", "Item", 8), col("value", "Value", 30)]);
        t1.rows = facts;
        let mut t2 = table(
            "evidence",
            "Frozen evidence",
            vec![col("what", "What", 6), col("id", "Id", 8), col("description", "Description", 20)],
        );
        t2.rows = evidence;
        let event_cols = || {
            vec![col("time", "Time", 9), col("event", "Event", 10), col("by", "By", 10), col("summary", "Summary", 30)]
        };
        let mut t3 = table("window", "Every event in the window", event_cols());
        t3.rows = self.window;
        let mut t4 = table("follow_up", "Notification, investigation, corrective action", event_cols());
        t4.rows = self.follow_up;
        let mut t5 = table(
            "photos",
            "Photos of the safety reports filed in the window",
            vec![col("time", "Time", 9), col("report", "Report", 10), col("sha256", "SHA-256", 30)],
        );
        t5.rows = self.photos;
        Ok(vec![t1, t2, t3, t4, t5])
    }
}

/// An event in a few words, for the packs' event lists.
fn summary(n: &Names, e: &Event) -> String {
    match e {
        Event::FirearmHandedOff { firearm, to, .. } => format!("{} to {}", n.firearm(firearm).0, n.person(to)),
        Event::FirearmCollected { firearm, from, .. } => format!("{} from {}", n.firearm(firearm).0, n.person(from)),
        Event::FirearmLoaded { firearm, class, count, .. } => format!("{} with {count} {class}", n.firearm(firearm).0),
        Event::FirearmUnloaded { firearm, fired, returned, .. } => {
            format!("{}: {fired} fired, {returned} returned", n.firearm(firearm).0)
        }
        Event::AlertRaised { rule, message } => format!("{rule}: {message}"),
        Event::HoldPlaced { scope, reason, .. } => format!("{}: {reason}", word(scope)),
        Event::OverrideRecorded { rule, reason, .. } => format!("{rule}: {reason}"),
        Event::RegulatorNotified { reference, .. } => format!("reference {reference}"),
        Event::InvestigationSigned { role, cause, corrective_action, .. } => {
            format!("as {role}; cause: {cause}; corrective action: {corrective_action}")
        }
        Event::EvidenceReleased { note, .. } => note.clone(),
        Event::IncidentReported { description, .. } => description.clone(),
        Event::ReportFiled { severity, text, photos, .. } => {
            format!(
                "{}: {text}{}",
                word(severity),
                if photos.is_empty() { String::new() } else { format!(" (photos {})", photos.join(" ")) }
            )
        }
        Event::ReportClosed { corrective_action, .. } => format!("closed; corrective action: {corrective_action}"),
        Event::MeetingHeld { scene, plan_version, attendees, .. } => {
            format!("{}, plan v{plan_version}, {} attended", n.scene(scene), attendees.len())
        }
        Event::MeetingSignedOff { scene, role, .. } => format!("{} signed off as {role}", n.scene(scene)),
        Event::ScenePlanned { scene, description, .. } => format!("{}: {description}", n.scene(scene)),
        Event::ScenePlanRevised { scene, version, reason, .. } => format!("{} v{version}: {reason}", n.scene(scene)),
        Event::ScenePlanApproved { scene, version, role, .. } => {
            format!("{} v{version} approved as {role}", n.scene(scene))
        }
        Event::PolicyChanged { packs } => format!("packs {}", packs.join(", ")),
        Event::ProductionCreated { packs, compliance_contact, .. } => {
            format!("packs {}; compliance contact {compliance_contact}", packs.join(", "))
        }
        other => {
            use coldset_domain::EntityRef as R;
            let names: Vec<String> = other
                .entities()
                .iter()
                .filter_map(|r| match r {
                    R::Person(p) => Some(n.person(p)),
                    R::Firearm(f) => Some(n.firearm(f).0),
                    R::Lot(l) => Some(format!("lot {l}")),
                    R::Container(c) => Some(n.container(c)),
                    R::Location(l) => Some(n.location(l)),
                    R::Scene(s) => Some(n.scene(s)),
                    R::Production | R::Safety | R::Reporting => None,
                })
                .collect();
            names.join(", ")
        }
    }
}

// ---------------------------------------------------------------------------------------
// The compliance pack.

struct Compliance {
    tables: Vec<Table>,
}

impl Compliance {
    const POLICY: usize = 0;
    const MEETINGS: usize = 1;
    const PLANS: usize = 2;
    const OVERRIDES: usize = 3;
    const REPORTS: usize = 4;

    fn new() -> Self {
        let cols = || {
            vec![col("time", "Time", 9), col("event", "Event", 10), col("by", "By", 10), col("summary", "Summary", 30)]
        };
        Compliance {
            tables: vec![
                table("policy", "Policy pack in force and its changes", cols()),
                table("meetings", "Safety meetings and sign-ins", cols()),
                table("plans", "Scene plans and approvals", cols()),
                table("overrides", "Overrides and holds", cols()),
                table("reports", "Safety reports and their outcomes", cols()),
            ],
        }
    }

    fn push(&mut self, n: &Names, p: &Params, env: &Envelope) {
        let which = match &env.event {
            Event::ProductionCreated { .. } | Event::PolicyChanged { .. } | Event::SecondFactorRequired { .. } => {
                Self::POLICY
            }
            Event::MeetingHeld { .. } | Event::MeetingSignedOff { .. } => Self::MEETINGS,
            Event::ScenePlanned { .. } | Event::ScenePlanRevised { .. } | Event::ScenePlanApproved { .. } => {
                Self::PLANS
            }
            Event::OverrideRecorded { .. } | Event::HoldPlaced { .. } | Event::HoldLifted { .. } => Self::OVERRIDES,
            Event::ReportFiled { .. }
            | Event::ReportAcknowledged { .. }
            | Event::ReportAnswered { .. }
            | Event::ReportEscalated { .. }
            | Event::ReportReviewed { .. }
            | Event::ReportClosed { .. } => Self::REPORTS,
            _ => return,
        };
        // The policy in force is listed whatever the period; the rest only within it.
        if which != Self::POLICY && !period_contains(p, n.day_of(env)) {
            return;
        }
        self.tables[which].rows.push(Row {
            cells: vec![n.time(env.at), env.event.kind().to_owned(), n.actor(env), summary(n, &env.event)],
            events: vec![env.seq],
        });
    }

    fn finish(self) -> Vec<Table> {
        self.tables
    }
}

// ---------------------------------------------------------------------------------------
// The hand-off receipt.

struct Receipt {
    seq: u64,
    /// The latest declaration of each firearm's load before the hand-off (seq, words).
    loads: HashMap<FirearmId, (u64, String)>,
    rows: Vec<Row>,
    found: Option<(FirearmId, PersonId)>,
}

impl Receipt {
    fn new(seq: u64) -> Self {
        Receipt { seq, loads: HashMap::new(), rows: Vec::new(), found: None }
    }

    fn push(&mut self, n: &Names, env: &Envelope) {
        if env.seq < self.seq {
            match &env.event {
                Event::FirearmLoaded { firearm, class, count, .. } => {
                    self.loads.insert(firearm.clone(), (env.seq, format!("{count} {class}")));
                }
                Event::FirearmDeclaredEmpty { firearm, .. } | Event::FirearmUnloaded { firearm, .. } => {
                    self.loads.insert(firearm.clone(), (env.seq, "empty".into()));
                }
                _ => {}
            }
            return;
        }
        if env.seq == self.seq {
            let Event::FirearmHandedOff { firearm, from, to, scene, rules_checked, receiver_confirmed, .. } =
                &env.event
            else {
                return;
            };
            let (label, serial) = n.firearm(firearm);
            let (confirmed_by, how) = n.confirmed(&env.auth);
            let field = |name: &str, value: String| Row { cells: vec![name.into(), value], events: vec![env.seq] };
            self.rows = vec![
                field("time", n.time(env.at)),
                field("firearm", label),
                field("serial", serial),
                field("from", n.person(from)),
                field("to", n.person(to)),
                field("scene", scene.as_ref().map(|s| n.scene(s)).unwrap_or_default()),
                field("rules_checked", rules_checked.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" ")),
                field("receiver_confirmed", yes(*receiver_confirmed)),
                field("confirmed_by", confirmed_by),
                field("how", how),
            ];
            if let Some((seq, words)) = self.loads.get(firearm) {
                self.rows.push(Row { cells: vec!["declared_load".into(), words.clone()], events: vec![*seq] });
            }
            self.found = Some((firearm.clone(), to.clone()));
            return;
        }
        // After the hand-off: its return, if the checkpoint holds it.
        if let (Some((f, to)), Event::FirearmCollected { firearm, from, .. }) = (&self.found, &env.event) {
            if f == firearm && to == from && !self.rows.iter().any(|r| r.cells[0] == "returned") {
                self.rows.push(Row { cells: vec!["returned".into(), n.time(env.at)], events: vec![env.seq] });
            }
        }
    }

    fn finish(self) -> Result<Vec<Table>, RecordError> {
        if self.found.is_none() {
            return Err(RecordError::not_found(format!("event {} is not a hand-off of this production", self.seq)));
        }
        let mut t = table("hand_off", "Hand-off", vec![col("field", "Item", 8), col("value", "Value", 30)]);
        t.rows = self.rows;
        Ok(vec![t])
    }
}
