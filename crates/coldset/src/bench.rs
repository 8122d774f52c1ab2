//! Benchmarks of the real write path and the ledger, run from the binary so they measure
//! what users run (`coldset bench ...`, see docs/benchmarks.md). Figures are printed as
//! plain lines; nothing here is used by `serve`.

// Benchmarks time what they measure with the monotonic clock.
#![allow(clippy::disallowed_methods)]

use coldset_app::{App, Request};
use coldset_domain::ids::*;
use coldset_domain::model::*;
use coldset_domain::safety::{PlanItem, PlannedLoad, SceneKind, ScenePlan};
use coldset_domain::{Actor, Command, Event};
use std::collections::BTreeSet;
use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BENCH_PRODUCTION: &str = "bench";

/// Resident and peak memory of this process, from /proc (Linux).
pub fn rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l.trim_start_matches(name).trim().to_owned())
            .unwrap_or_else(|| "?".into())
    };
    format!("RSS {} (peak {})", field("VmRSS:"), field("VmHWM:"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn run(app: &App, p: &ProductionId, actor: &Actor, command: Command) -> Result<Vec<Event>, String> {
    app.execute(Request {
        production: p.clone(),
        actor: actor.clone(),
        command,
        expected_version: None,
        attested: Vec::new(),
        auth: None,
        idempotency: None,
        attachments: Vec::new(),
    })
    .map(|r| r.events.into_iter().map(|e| e.event).collect())
    .map_err(|e| e.to_string())
}

/// One person and one storage location per writer, so writers never contend on a record
/// and the state stays the same size however long the run (open/close alternate).
fn prepare(app: &App, writers: usize) -> Result<(ProductionId, Vec<(Actor, LocationId)>), String> {
    let p = ProductionId::parse(BENCH_PRODUCTION).map_err(|e| e.to_string())?;
    let admin = Actor::Admin { account: "bench".into() };
    if app.state(&p).is_err() {
        run(
            app,
            &p,
            &admin,
            Command::CreateProduction {
                id: p.clone(),
                name: "Benchmark".into(),
                time_zone: "UTC".into(),
                packs: vec!["industry-us".into()],
                compliance_contact: "bench@example".into(),
            },
        )?;
    }
    let mut pairs = Vec::new();
    let state = app.state(&p).map_err(|e| e.to_string())?;
    let existing: Vec<(PersonId, LocationId)> = state
        .locations
        .values()
        .filter_map(|l| l.authorised.iter().next().map(|p| (p.clone(), l.id.clone())))
        .collect();
    for (person, loc) in existing.into_iter().take(writers) {
        pairs.push((Actor::Person { person }, loc));
    }
    while pairs.len() < writers {
        let n = pairs.len();
        let ev = run(
            app,
            &p,
            &admin,
            Command::AddPerson { name: format!("Writer {n}"), roles: BTreeSet::from([Role::AssistantArmorer]) },
        )?;
        let Some(Event::PersonAdded { person, .. }) = ev.first() else { return Err("no person".into()) };
        let ev = run(
            app,
            &p,
            &admin,
            Command::AddLocation {
                name: format!("Cart {n}"),
                kind: LocationKind::Cart,
                authorised: BTreeSet::from([person.clone()]),
            },
        )?;
        let Some(Event::LocationAdded { location, .. }) = ev.first() else { return Err("no location".into()) };
        pairs.push((Actor::Person { person: person.clone() }, location.clone()));
    }
    Ok((p, pairs))
}

pub struct AppendFigures {
    pub events: u64,
    pub seconds: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// Durable appends through the real write path from `writers` threads.
pub fn append(app: &App, writers: usize, events: u64, print_acks: bool) -> Result<AppendFigures, String> {
    let (p, pairs) = prepare(app, writers)?;
    let per_writer = events / writers as u64;
    let stdout = Arc::new(Mutex::new(std::io::stdout()));
    let started = Instant::now();
    let mut all: Vec<Duration> = Vec::new();
    let results: Vec<Result<Vec<Duration>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = pairs
            .iter()
            .map(|(actor, loc)| {
                let (app, p, stdout) = (app, &p, stdout.clone());
                s.spawn(move || {
                    let mut lat = Vec::with_capacity(per_writer as usize);
                    let open = app.state(p).ok().and_then(|st| st.locations.get(loc).map(|l| l.opened.is_some()));
                    let mut open = open.unwrap_or(false);
                    for _ in 0..per_writer {
                        let cmd = if open {
                            Command::CloseStorage { location: loc.clone() }
                        } else {
                            Command::OpenStorage { location: loc.clone() }
                        };
                        let t = Instant::now();
                        let receipt = app
                            .execute(Request {
                                production: p.clone(),
                                actor: actor.clone(),
                                command: cmd,
                                expected_version: None,
                                attested: Vec::new(),
                                auth: None,
                                idempotency: None,
                                attachments: Vec::new(),
                            })
                            .map_err(|e| e.to_string())?;
                        lat.push(t.elapsed());
                        open = !open;
                        if print_acks {
                            if let (Some(seq), Ok(mut out)) = (receipt.last_seq(), stdout.lock()) {
                                let _ = writeln!(out, "ack {seq}");
                                let _ = out.flush();
                            }
                        }
                    }
                    Ok(lat)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("writer thread panicked".into()))).collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    for r in results {
        all.extend(r?);
    }
    all.sort();
    Ok(AppendFigures { events: all.len() as u64, seconds, p50: percentile(&all, 0.5), p99: percentile(&all, 0.99) })
}

/// The baseline: plain durable SQLite inserts of rows of the same size (WAL, synchronous
/// FULL, one transaction per row), from the same number of threads.
pub fn baseline(dir: &Path, writers: usize, events: u64, row_bytes: usize) -> Result<AppendFigures, String> {
    let path = dir.join("baseline.db");
    let _ = std::fs::remove_file(&path);
    let setup = rusqlite::Connection::open(&path).map_err(|e| e.to_string())?;
    setup
        .execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
             CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB NOT NULL, hash BLOB NOT NULL);",
        )
        .map_err(|e| e.to_string())?;
    let per_writer = events / writers as u64;
    let body = vec![b'x'; row_bytes];
    let started = Instant::now();
    let results: Vec<Result<Vec<Duration>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..writers)
            .map(|_| {
                let (path, body) = (&path, &body);
                s.spawn(move || {
                    let conn = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
                    conn.pragma_update(None, "synchronous", "FULL").map_err(|e| e.to_string())?;
                    conn.busy_timeout(Duration::from_secs(60)).map_err(|e| e.to_string())?;
                    let mut lat = Vec::new();
                    for _ in 0..per_writer {
                        let t = Instant::now();
                        conn.execute(
                            "INSERT INTO rows (body, hash) VALUES (?1, ?2)",
                            rusqlite::params![body, [0u8; 32]],
                        )
                        .map_err(|e| e.to_string())?;
                        lat.push(t.elapsed());
                    }
                    Ok(lat)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("thread panicked".into()))).collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut all = Vec::new();
    for r in results {
        all.extend(r?);
    }
    all.sort();
    let _ = std::fs::remove_file(&path);
    Ok(AppendFigures { events: all.len() as u64, seconds, p50: percentile(&all, 0.5), p99: percentile(&all, 0.99) })
}

/// Times inclusion and consistency proofs read from the database.
pub fn proofs(store: &dyn coldset_app::Store, production: &ProductionId, samples: u64) -> Result<String, String> {
    let n = store.event_count(production).map_err(|e| e.to_string())?;
    if n < 2 {
        return Err(format!("{production} has {n} events: nothing to prove"));
    }
    // A fixed pseudo-random sequence: the same positions every run.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let mut inc = Vec::new();
    let mut con = Vec::new();
    for _ in 0..samples {
        let seq = next(n);
        let t = Instant::now();
        let proof = coldset_app::ledger::inclusion_proof(store, production, seq, n).map_err(|e| e.to_string())?;
        inc.push(t.elapsed());
        coldset_ledger::verify_inclusion(&proof.leaf_hash, seq, n, &proof.path, &proof.root)
            .map_err(|e| e.to_string())?;
        let old = 1 + next(n - 1);
        let t = Instant::now();
        let proof = coldset_app::ledger::consistency_proof(store, production, old, n).map_err(|e| e.to_string())?;
        con.push(t.elapsed());
        coldset_ledger::verify_consistency(old, n, &proof.old_root, &proof.new_root, &proof.path)
            .map_err(|e| e.to_string())?;
    }
    inc.sort();
    con.sort();
    Ok(format!(
        "proofs from a {n}-event log, {samples} samples each (timed: generation incl. root, read from the database)\n  inclusion:   p50 {:?}  p99 {:?}\n  consistency: p50 {:?}  p99 {:?}",
        percentile(&inc, 0.5),
        percentile(&inc, 0.99),
        percentile(&con, 0.5),
        percentile(&con, 0.99)
    ))
}

/// Hashes and roots only: every stored leaf re-hashed and the tree rebuilt.
pub fn hash_rate(store: &dyn coldset_app::Store, production: &ProductionId) -> Result<String, String> {
    let started = Instant::now();
    let mut v = coldset_ledger::LogVerifier::new();
    let mut bad = 0u64;
    store
        .for_each_leaf(production, &mut |_, bytes, stored| {
            let leaf = coldset_ledger::leaf_hash(bytes);
            if leaf[..] != *stored {
                bad += 1;
            }
            v.push_leaf_hash(leaf);
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    let secs = started.elapsed().as_secs_f64();
    if bad > 0 {
        return Err(format!("{bad} leaves do not match their stored hash"));
    }
    Ok(format!(
        "hashes and roots: {} events in {secs:.3} s = {:.0} events/s (read from the database, root {})",
        v.size(),
        v.size() as f64 / secs.max(1e-9),
        hex::encode(v.root())
    ))
}

// ---------------------------------------------------------------------------------------
// The hand-off gate (`coldset bench gate`).

pub const GATE_PRODUCTION: &str = "gate-bench";
/// Scenes planned for today, and plan items in each.
const GATE_SCENES: usize = 5;
const GATE_ITEMS_PER_SCENE: usize = 10;
/// Commands submitted to the writer at once while building (they group-commit).
const PIPELINE: usize = 512;
const WARMUP: usize = 2_000;

/// Polls every future in order (so they are submitted to the writer in order) until all
/// are done; returns their outputs in the same order.
async fn join_in_order<F: std::future::Future + Unpin>(mut futs: Vec<F>) -> Vec<F::Output> {
    let mut done: Vec<Option<F::Output>> = futs.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in futs.iter_mut().zip(done.iter_mut()) {
            if slot.is_none() {
                match std::pin::Pin::new(f).poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    done.into_iter().flatten().collect()
}

/// Runs commands through the real write path, in order, up to PIPELINE in flight (the
/// writer decides them in arrival order and commits each group durably at once). Every
/// command must be accepted.
fn run_all(
    rt: &tokio::runtime::Runtime,
    app: &App,
    p: &ProductionId,
    commands: Vec<(Actor, Command)>,
) -> Result<Vec<Vec<Event>>, String> {
    let mut out = Vec::with_capacity(commands.len());
    let mut rest = commands.into_iter().peekable();
    while rest.peek().is_some() {
        let futs: Vec<_> = rest
            .by_ref()
            .take(PIPELINE)
            .map(|(actor, command)| Box::pin(app.execute_async(Request::new(p.clone(), actor, command))))
            .collect();
        for r in rt.block_on(join_in_order(futs)) {
            let receipt = r.map_err(|e| format!("building the gate production: {e}"))?;
            out.push(receipt.events.into_iter().map(|e| e.event).collect());
        }
    }
    Ok(out)
}

/// What the timing loops draw from.
struct GateProduction {
    p: ProductionId,
    armorer: PersonId,
    performers: Vec<PersonId>,
    firearms: Vec<FirearmId>,
    scenes: Vec<SceneId>,
    safe: LocationId,
}

fn gate_production(app: &App, firearms: usize, performers: usize) -> Result<(GateProduction, bool), String> {
    let p = ProductionId::parse(GATE_PRODUCTION).map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_current_thread().build().map_err(|e| e.to_string())?;
    // An existing gate production is reused as it is (only topped up with filler events).
    if let Ok(state) = app.state(&p) {
        let of_role = |role: Role| -> Vec<PersonId> {
            state.people.values().filter(|x| x.has_role(role)).map(|x| x.id.clone()).collect()
        };
        let armorer = of_role(Role::Armorer).into_iter().next().ok_or("the gate production has no armorer")?;
        let g = GateProduction {
            p: p.clone(),
            armorer,
            performers: of_role(Role::Performer),
            firearms: state.firearms.keys().cloned().collect(),
            scenes: state.scenes.keys().cloned().collect(),
            safe: state
                .locations
                .values()
                .find(|l| l.kind == LocationKind::Safe)
                .map(|l| l.id.clone())
                .ok_or("the gate production has no safe")?,
        };
        if g.firearms.len() != firearms || g.performers.len() != performers || g.scenes.is_empty() {
            return Err(format!(
                "{GATE_PRODUCTION} in this data directory has {} firearms, {} performers and {} scenes: use a new --data directory for other sizes",
                g.firearms.len(),
                g.performers.len(),
                g.scenes.len()
            ));
        }
        return Ok((g, false));
    }

    let admin = Actor::Admin { account: "bench".into() };
    run_all(
        &rt,
        app,
        &p,
        vec![(
            admin.clone(),
            Command::CreateProduction {
                id: p.clone(),
                name: "Gate benchmark".into(),
                time_zone: "UTC".into(),
                packs: vec!["industry-us".into()],
                compliance_contact: "bench@example".into(),
            },
        )],
    )?;
    let person_added = |evs: &Vec<Event>| {
        evs.iter().find_map(|e| match e {
            Event::PersonAdded { person, .. } => Some(person.clone()),
            _ => None,
        })
    };
    let mut adds = vec![
        (admin.clone(), Command::AddPerson { name: "Gate Armorer".into(), roles: BTreeSet::from([Role::Armorer]) }),
        (admin.clone(), Command::AddPerson { name: "Gate First AD".into(), roles: BTreeSet::from([Role::FirstAd]) }),
    ];
    for i in 0..performers {
        adds.push((
            admin.clone(),
            Command::AddPerson { name: format!("Performer {i}"), roles: BTreeSet::from([Role::Performer]) },
        ));
    }
    let people: Vec<PersonId> =
        run_all(&rt, app, &p, adds)?.iter().map(person_added).collect::<Option<_>>().ok_or("no person added")?;
    let (armorer, ad, cast) = (people[0].clone(), people[1].clone(), people[2..].to_vec());
    let armorer_actor = Actor::Person { person: armorer.clone() };

    let today = app.today(&*app.state(&p).map_err(|e| e.to_string())?);
    let in_one_year = today.saturating_add(jiff::Span::new().years(1));
    let credential = |person: &PersonId, kind: CredentialKind, number: String, covers: Vec<FirearmKind>| {
        (
            admin.clone(),
            Command::RecordCredential {
                person: person.clone(),
                credential: Credential { kind, number, issuer: "bench".into(), expires_on: in_one_year, covers },
            },
        )
    };
    let mut creds = vec![credential(
        &armorer,
        CredentialKind::Licence,
        "FFL-GATE-1".into(),
        vec![FirearmKind::RealFiring, FirearmKind::BlankAdapted],
    )];
    for (i, performer) in cast.iter().enumerate() {
        creds.push(credential(
            performer,
            CredentialKind::Certification,
            format!("CERT-{i}"),
            vec![FirearmKind::BlankAdapted],
        ));
    }
    for (i, person) in people.iter().enumerate() {
        creds.push(credential(person, CredentialKind::SafetyCourse, format!("FSC-{i}"), Vec::new()));
    }
    run_all(&rt, app, &p, creds)?;

    let evs = run_all(
        &rt,
        app,
        &p,
        vec![(
            armorer_actor.clone(),
            Command::AddLocation {
                name: "Armory safe".into(),
                kind: LocationKind::Safe,
                authorised: BTreeSet::from([armorer.clone()]),
            },
        )],
    )?;
    let safe = evs
        .iter()
        .flatten()
        .find_map(|e| match e {
            Event::LocationAdded { location, .. } => Some(location.clone()),
            _ => None,
        })
        .ok_or("no location added")?;
    run_all(&rt, app, &p, vec![(armorer_actor.clone(), Command::OpenStorage { location: safe.clone() })])?;
    let intakes = (0..firearms)
        .map(|i| {
            (
                armorer_actor.clone(),
                Command::IntakeFirearm {
                    kind: FirearmKind::BlankAdapted,
                    make: "Colt".into(),
                    model: "Single Action Army (blank-adapted)".into(),
                    serial: format!("GATE-{i:05}"),
                    calibre: ".45 Colt".into(),
                    condition: "inspected on receipt: good".into(),
                    acquired_from: Party {
                        name: "Bench Prop House".into(),
                        licence: "FFL-BENCH".into(),
                        document: "rental agreement BENCH-1".into(),
                    },
                },
            )
        })
        .collect();
    let guns: Vec<FirearmId> = run_all(&rt, app, &p, intakes)?
        .iter()
        .map(|evs| {
            evs.iter().find_map(|e| match e {
                Event::FirearmReceived { firearm, .. } => Some(firearm.clone()),
                _ => None,
            })
        })
        .collect::<Option<_>>()
        .ok_or("no firearm received")?;
    let mut after = Vec::new();
    for gun in &guns {
        after.push((armorer_actor.clone(), Command::StoreFirearm { firearm: gun.clone(), location: safe.clone() }));
    }
    after.push((armorer_actor.clone(), Command::CloseStorage { location: safe.clone() }));
    // All firearms are the same model, so one competence record per performer covers them.
    if let Some(gun) = guns.first() {
        for performer in &cast {
            after.push((
                armorer_actor.clone(),
                Command::RecordCompetence {
                    person: performer.clone(),
                    firearm: gun.clone(),
                    notes: "handling, holstering, safe direction".into(),
                },
            ));
        }
    }
    run_all(&rt, app, &p, after)?;

    let mut plans = Vec::new();
    if !guns.is_empty() && !cast.is_empty() {
        for s in 0..GATE_SCENES {
            let items: Vec<PlanItem> = (0..GATE_ITEMS_PER_SCENE.min(guns.len()))
                .map(|i| {
                    let k = s * GATE_ITEMS_PER_SCENE + i;
                    PlanItem {
                        firearm: guns[k % guns.len()].clone(),
                        performer: cast[k % cast.len()].clone(),
                        load: PlannedLoad::Empty,
                        real_firearm_reason: None,
                        toward_person: false,
                        toward_camera: false,
                        armorer_consulted: true,
                        mitigations: Vec::new(),
                        camera_protection: None,
                        closest_person_cm: Some(900),
                        close_range_load_approved: false,
                    }
                })
                .collect();
            let mut call_list: BTreeSet<PersonId> = items.iter().map(|i| i.performer.clone()).collect();
            call_list.insert(ad.clone());
            plans.push((
                armorer_actor.clone(),
                Command::PlanScene {
                    number: format!("G{s}"),
                    description: format!("Gate benchmark scene {s}"),
                    day: today,
                    plan: ScenePlan {
                        kind: SceneKind::Take,
                        items,
                        call_list,
                        line_of_fire: BTreeSet::new(),
                        protection: Vec::new(),
                        risk_assessment: "Empty firearms only, drawn and holstered; nobody in a line of fire.".into(),
                    },
                },
            ));
        }
    }
    let scenes: Vec<SceneId> = run_all(&rt, app, &p, plans)?
        .iter()
        .map(|evs| {
            evs.iter().find_map(|e| match e {
                Event::ScenePlanned { scene, .. } => Some(scene.clone()),
                _ => None,
            })
        })
        .collect::<Option<_>>()
        .ok_or("no scene planned")?;
    let mut approvals = Vec::new();
    for scene in &scenes {
        for approver in [&armorer, &ad] {
            approvals.push((
                Actor::Person { person: approver.clone() },
                Command::ApprovePlan { scene: scene.clone(), version: 1 },
            ));
        }
    }
    run_all(&rt, app, &p, approvals)?;
    if scenes.is_empty() {
        return Err("need at least one firearm and one performer".into());
    }
    Ok((GateProduction { p, armorer, performers: cast, firearms: guns, scenes, safe }, true))
}

/// Filler: the armorer opens and closes the safe until the log holds `events` events.
/// Neither grows the state.
fn fill(app: &App, g: &GateProduction, events: u64) -> Result<u64, String> {
    let rt = tokio::runtime::Builder::new_current_thread().build().map_err(|e| e.to_string())?;
    let actor = Actor::Person { person: g.armorer.clone() };
    loop {
        let have = app.head(&g.p).map_or(0, |(n, _)| n);
        if have >= events {
            return Ok(have);
        }
        let state = app.state(&g.p).map_err(|e| e.to_string())?;
        let mut open = state.locations.get(&g.safe).is_some_and(|l| l.opened.is_some());
        let batch = (events - have).min(PIPELINE as u64 * 8);
        let commands = (0..batch)
            .map(|_| {
                let c = if open {
                    Command::CloseStorage { location: g.safe.clone() }
                } else {
                    Command::OpenStorage { location: g.safe.clone() }
                };
                open = !open;
                (actor.clone(), c)
            })
            .collect();
        run_all(&rt, app, &g.p, commands)?;
    }
}

/// Takes up to `n` firearms of the gate production out of the safe to its armorer (without
/// a scene, as for maintenance), opening the safe first: the live board then lists them.
pub fn take_out(app: &App, firearms: usize, performers: usize, n: usize) -> Result<(), String> {
    if n == 0 {
        return Ok(());
    }
    let (g, _) = gate_production(app, firearms, performers)?;
    let rt = tokio::runtime::Builder::new_current_thread().build().map_err(|e| e.to_string())?;
    let actor = Actor::Person { person: g.armorer.clone() };
    let state = app.state(&g.p).map_err(|e| e.to_string())?;
    let mut commands = Vec::new();
    if state.locations.get(&g.safe).is_some_and(|l| l.opened.is_none()) {
        commands.push((actor.clone(), Command::OpenStorage { location: g.safe.clone() }));
    }
    run_all(&rt, app, &g.p, commands)?;
    let in_storage: Vec<FirearmId> =
        state.firearms.values().filter(|f| f.holder.person().is_none()).map(|f| f.id.clone()).take(n).collect();
    let taken = in_storage.len();
    let commands =
        in_storage.into_iter().map(|f| (actor.clone(), Command::TakeFirearm { firearm: f, scene: None })).collect();
    run_all(&rt, app, &g.p, commands)?;
    println!("took {taken} firearms out of the safe to the armorer");
    Ok(())
}

fn micros(d: Duration) -> String {
    format!("{:.2}", d.as_nanos() as f64 / 1000.0)
}

fn summary(label: &str, mut v: Vec<Duration>) -> (String, Duration) {
    v.sort();
    let p99 = percentile(&v, 0.99);
    let line = format!(
        "{label}: p50 {} us  p99 {} us  max {} us  ({} samples)",
        micros(percentile(&v, 0.5)),
        micros(p99),
        micros(v.last().copied().unwrap_or_default()),
        v.len()
    );
    (line, p99)
}

pub const GATE_TARGET_P99: Duration = Duration::from_micros(50);

/// Builds (or reuses) the gate production through the real write path, then times the
/// gate on the committed in-memory snapshot, as the API's gate query does, and a refused
/// HandOff through `App::execute`. Prints plain lines.
pub fn gate(app: &App, firearms: usize, performers: usize, events: u64, samples: usize) -> Result<(), String> {
    if firearms == 0 || performers == 0 || samples == 0 {
        return Err("need at least one firearm, one performer and one sample".into());
    }
    let started = Instant::now();
    let (g, built) = gate_production(app, firearms, performers)?;
    let have = fill(app, &g, events)?;
    let state = app.state(&g.p).map_err(|e| e.to_string())?;
    let items: usize = state.scenes.values().map(|s| s.plan.items.len()).sum();
    println!(
        "gate production '{}': {} firearms, {} performers, {} people, {} scenes ({items} plan items), {have} events in the log ({} in {:.1} s)",
        g.p,
        state.firearms.len(),
        g.performers.len(),
        state.people.len(),
        state.scenes.len(),
        if built { "built through App::execute" } else { "reused, topped up" },
        started.elapsed().as_secs_f64()
    );
    // Planned triples: a plan item of a scene (the firearm, the performer the plan names).
    let planned: Vec<(FirearmId, PersonId, SceneId)> = state
        .scenes
        .values()
        .flat_map(|s| s.plan.items.iter().map(|i| (i.firearm.clone(), i.performer.clone(), s.id.clone())))
        .collect();
    drop(state);

    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |m: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % m as u64) as usize
    };

    // The cost of reading the clock twice, for scale.
    let mut timer = Vec::with_capacity(samples);
    for _ in 0..samples {
        let t = Instant::now();
        timer.push(black_box(t).elapsed());
    }
    timer.sort();
    println!("timer overhead (Instant::now pair): p50 {} us", micros(percentile(&timer, 0.5)));

    let mut worst_query = Duration::ZERO;
    for (kind, planned_only) in [("random", false), ("planned", true)] {
        let mut snap = Vec::with_capacity(samples);
        let mut eval = Vec::with_capacity(samples);
        let mut query = Vec::with_capacity(samples);
        let (mut allowed, mut refused, mut violations) = (0u64, 0u64, 0u64);
        for i in 0..WARMUP + samples {
            let (f, to, scene) = if planned_only {
                planned[next(planned.len())].clone()
            } else {
                (
                    g.firearms[next(g.firearms.len())].clone(),
                    g.performers[next(g.performers.len())].clone(),
                    g.scenes[next(g.scenes.len())].clone(),
                )
            };
            let t0 = Instant::now();
            let state = app.state(black_box(&g.p)).map_err(|e| e.to_string())?;
            let t1 = Instant::now();
            let ctx = coldset_domain::Context::new(app.now(), app.today(&state));
            let t2 = Instant::now();
            let d = coldset_domain::gate::evaluate_hand_off(
                black_box(&state),
                black_box(&ctx),
                black_box(&f),
                black_box(&to),
                black_box(Some(&scene)),
            );
            let t3 = Instant::now();
            let d = black_box(d).map_err(|e| format!("gate on ({f}, {to}, {scene}): {e}"))?;
            if i >= WARMUP {
                snap.push(t1 - t0);
                eval.push(t3 - t2);
                query.push(t3 - t0);
                if d.allowed {
                    allowed += 1;
                } else {
                    refused += 1;
                }
                violations += d.violations.len() as u64;
            }
        }
        let n = allowed + refused;
        println!(
            "{kind} (firearm, performer, scene) triples: {allowed} allowed, {refused} refused, {:.1} violations each on average",
            violations as f64 / n.max(1) as f64
        );
        println!("  {}", summary("snapshot (App::state)", snap).0);
        println!("  {}", summary("evaluate_hand_off", eval).0);
        let (line, p99) = summary("gate query in-process (snapshot + clock/today + evaluate_hand_off)", query);
        println!("  {line}");
        worst_query = worst_query.max(p99);
    }

    // The command path: a HandOff the gate refuses (every firearm is in the safe, so the
    // armorer does not hold it) is answered by the writer without writing anything.
    let actor = Actor::Person { person: g.armorer.clone() };
    let before = app.head(&g.p);
    let mut exec = Vec::with_capacity(samples);
    let mut other = 0u64;
    for i in 0..WARMUP + samples {
        let (f, to, scene) = planned[next(planned.len())].clone();
        let request = Request::new(g.p.clone(), actor.clone(), Command::HandOff { firearm: f, to, scene: Some(scene) });
        let t = Instant::now();
        let r = black_box(app.execute(black_box(request)));
        let elapsed = t.elapsed();
        match r {
            Ok(_) => return Err("a benchmark hand-off was accepted: the gate production is not as expected".into()),
            Err(coldset_app::AppError::Domain(coldset_domain::DomainError::Denied(_))) => {}
            Err(_) => other += 1,
        }
        if i >= WARMUP {
            exec.push(elapsed);
        }
    }
    let unchanged = app.head(&g.p) == before;
    println!(
        "  {}; log {} at {} events{}",
        summary("refused HandOff via App::execute (writer thread, no write)", exec).0,
        if unchanged { "unchanged" } else { "CHANGED" },
        app.head(&g.p).map_or(0, |(n, _)| n),
        if other > 0 { format!(", {other} answered with an error other than a refusal") } else { String::new() }
    );
    println!(
        "target: gate evaluation p99 <= {} us in-process: {} (worst gate-query p99 {} us)",
        GATE_TARGET_P99.as_micros(),
        if worst_query <= GATE_TARGET_P99 { "PASS" } else { "MISS" },
        micros(worst_query)
    );
    println!("{}", rss());
    Ok(())
}

/// The records benchmark's log (docs/benchmarks.md, issue #21): the gate production with
/// `firearms` firearms, then custody steps until the log holds `events` events: the armorer
/// opens the safe, takes every firearm out, puts each back and closes the safe, again and
/// again. Every firearm is out each round, and every step is a row of the daily log and a
/// change of the weapon register's "where now".
pub fn records_build(app: &App, firearms: usize, events: u64) -> Result<u64, String> {
    let (g, _) = gate_production(app, firearms, 8)?;
    let rt = tokio::runtime::Builder::new_current_thread().build().map_err(|e| e.to_string())?;
    let actor = Actor::Person { person: g.armorer.clone() };
    loop {
        let have = app.head(&g.p).map_or(0, |(n, _)| n);
        if have >= events {
            return Ok(have);
        }
        let state = app.state(&g.p).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        if state.locations.get(&g.safe).is_some_and(|l| l.opened.is_none()) {
            out.push((actor.clone(), Command::OpenStorage { location: g.safe.clone() }));
        }
        let stored: Vec<FirearmId> =
            state.firearms.values().filter(|f| f.holder.person().is_none()).map(|f| f.id.clone()).collect();
        out.extend(stored.iter().map(|f| (actor.clone(), Command::TakeFirearm { firearm: f.clone(), scene: None })));
        run_all(&rt, app, &g.p, out)?;
        let mut back: Vec<(Actor, Command)> = stored
            .iter()
            .map(|f| (actor.clone(), Command::StoreFirearm { firearm: f.clone(), location: g.safe.clone() }))
            .collect();
        back.push((actor.clone(), Command::CloseStorage { location: g.safe.clone() }));
        run_all(&rt, app, &g.p, back)?;
    }
}

/// The PDF of a record as the server makes it (A4, its CSV attached).
fn records_pdf(record: &coldset_app::records::Record, csv: &[u8]) -> Result<Vec<u8>, String> {
    coldset_print::render_pdf(record, coldset_print::Paper::A4, csv).map_err(|e| e.to_string())
}

/// Times a record made from the store's latest checkpoint (derivation and CSV), `samples`
/// times; prints the median and worst, the events a second and the memory.
pub fn records_time(
    store: &dyn coldset_app::Store,
    production: &ProductionId,
    kind: coldset_app::records::RecordKind,
    params: &coldset_app::records::Params,
    samples: usize,
) -> Result<(), String> {
    use coldset_app::records;
    let checkpoint = store
        .latest_checkpoint(production)
        .map_err(|e| e.to_string())?
        .ok_or("no signed checkpoint yet: run the server (or this benchmark's build) a second longer")?;
    let mut times = Vec::with_capacity(samples);
    let mut pdf_times = Vec::new();
    let (mut rows, mut bytes) = (0usize, 0usize);
    for _ in 0..samples.max(1) {
        let started = Instant::now();
        let record = records::make(kind, params, production, &checkpoint, coldset_domain::Timestamp(0), "", &mut |f| {
            store.for_each_event(production, 0, f)
        })
        .map_err(|e| e.to_string())?;
        let csv = records::to_csv(&record);
        times.push(started.elapsed());
        rows = record.tables.iter().map(|t| t.rows.len()).sum();
        let started = Instant::now();
        black_box(records_pdf(&record, &csv)?);
        pdf_times.push(started.elapsed());
        bytes = black_box(csv).len();
    }
    times.sort();
    let median = times[times.len() / 2];
    let worst = times[times.len() - 1];
    println!(
        "{}: {} events -> {rows} rows, {bytes} bytes of CSV; derivation + CSV median {:.1} ms, worst {:.1} ms \
         ({} samples); {:.0} events/s; {}",
        kind.slug(),
        checkpoint.size,
        median.as_secs_f64() * 1000.0,
        worst.as_secs_f64() * 1000.0,
        times.len(),
        checkpoint.size as f64 / median.as_secs_f64().max(1e-9),
        rss()
    );
    pdf_times.sort();
    println!(
        "{}: the PDF of that record (A4, its CSV attached): median {:.1} ms, worst {:.1} ms; derivation, CSV and PDF \
         together median {:.1} ms",
        kind.slug(),
        pdf_times[pdf_times.len() / 2].as_secs_f64() * 1000.0,
        pdf_times[pdf_times.len() - 1].as_secs_f64() * 1000.0,
        (median + pdf_times[pdf_times.len() / 2]).as_secs_f64() * 1000.0
    );
    Ok(())
}

/// The day of the benchmark log's last event, in its production's zone (the day the build ran).
pub fn records_day(store: &dyn coldset_app::Store, production: &ProductionId) -> Result<coldset_domain::Date, String> {
    let last = store.event_count(production).map_err(|e| e.to_string())?.checked_sub(1).ok_or("the log is empty")?;
    let event = store.event(production, last).map_err(|e| e.to_string())?.ok_or("the log is empty")?;
    let first = store.event(production, 0).map_err(|e| e.to_string())?.ok_or("the log is empty")?;
    let zone = match coldset_domain::Envelope::decode(&first.bytes).map(|e| e.event) {
        Ok(Event::ProductionCreated { time_zone, .. }) => time_zone,
        _ => "UTC".into(),
    };
    let zone = jiff::tz::TimeZone::get(&zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let ts = jiff::Timestamp::from_millisecond(event.at.0).map_err(|e| e.to_string())?;
    Ok(ts.to_zoned(zone).date())
}

/// A daily log of `firearms` firearms out and `rows` custody steps, as the record
/// derivation hands it to the PDF renderer (built here by hand, so the benchmark measures
/// the layout and the PDF alone), and its CSV.
pub fn daily_log_record(firearms: usize, rows: usize) -> Result<(coldset_app::records::Record, Vec<u8>), String> {
    use coldset_app::records::{CheckpointRef, Column, Record, RecordKind, Row, Table};
    let columns: Vec<Column> = [
        ("time", "Time", 2),
        ("firearm", "Firearm", 5),
        ("serial", "Serial", 3),
        ("step", "Step", 3),
        ("from", "From", 4),
        ("to", "To", 4),
        ("note", "Rules checked / note", 5),
    ]
    .into_iter()
    .map(|(name, label, width)| Column { name: name.into(), label: label.into(), width })
    .collect();
    let people = ["Zoë Łukasiewicz-Ōtani", "Maria Okafor (armorer)", "Dana Whitfield", "Søren Ægidius", "Safe A"];
    let steps = ["taken out", "inspected", "loaded", "handed off", "collected", "cleared", "put away"];
    let rows: Vec<Row> = (0..rows)
        .map(|i| {
            let f = i % firearms.max(1);
            Row {
                cells: vec![
                    format!("{:02}:{:02}:{:02}", 6 + i / 400 % 16, i / 7 % 60, i % 60),
                    format!("fa-{f} Colt Single Action Army"),
                    format!("SAA-BF-{}", 1000 + f),
                    steps[i % steps.len()].into(),
                    people[i % people.len()].into(),
                    people[(i + 1) % people.len()].into(),
                    if i % 5 == 0 {
                        "R-HAND-1, R-HAND-2, R-TRAIN-2: the performer acknowledged the demonstration in person".into()
                    } else {
                        String::new()
                    },
                ],
                events: vec![1_000 + i as u64],
            }
        })
        .collect();
    let mut csv = String::from("time,firearm,serial,step,from,to,note,events\n");
    for r in &rows {
        let quoted: Vec<String> = r.cells.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
        csv.push_str(&format!("{},{}\n", quoted.join(","), r.events[0]));
    }
    let record = Record {
        kind: RecordKind::DailyLog,
        production: ProductionId::parse(BENCH_PRODUCTION).map_err(|e| e.to_string())?,
        production_name: "Benchmark".into(),
        scope: "Monday 7 December 2026".into(),
        time_zone: "UTC".into(),
        made_at: "2026-12-07 23:59".into(),
        params: Default::default(),
        checkpoint: CheckpointRef {
            origin: "coldset.bench/bench".into(),
            size: 1_000 + rows.len() as u64,
            root: "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c=".into(),
            key: "coldset.bench+1a2b3c4d".into(),
            note: String::new(),
        },
        tables: vec![Table { name: "steps".into(), title: "Custody steps".into(), columns, rows }],
        photos: Vec::new(),
        verify_url: "https://armory.example:8443/p/bench/records/daily-log/2026-12-07".into(),
    };
    let csv = coldset_app::records::to_csv(&record);
    Ok((record, csv))
}

/// Renders the daily log `samples` times on each paper; one line per paper with the
/// median, fastest and slowest time, the pages and the size.
pub fn pdf(firearms: usize, rows: usize, samples: usize, out: Option<&Path>) -> Result<Vec<String>, String> {
    let (record, csv) = daily_log_record(firearms, rows)?;
    let mut lines = Vec::new();
    for paper in [coldset_print::Paper::A4, coldset_print::Paper::Letter] {
        let mut times = Vec::with_capacity(samples);
        let mut last = Vec::new();
        for _ in 0..samples {
            let t = Instant::now();
            last = black_box(coldset_print::render_pdf(&record, paper, &csv).map_err(|e| e.to_string())?);
            times.push(t.elapsed());
        }
        times.sort();
        let pages = last.windows(9).filter(|w| w == b"/MediaBox").count();
        lines.push(format!(
            "pdf {}: {firearms} firearms, {rows} rows, {pages} pages, {} bytes (CSV {} bytes inside): median {:.1} ms, fastest {:.1} ms, slowest {:.1} ms over {samples} renderings",
            paper.slug(),
            last.len(),
            csv.len(),
            percentile(&times, 0.5).as_secs_f64() * 1000.0,
            times[0].as_secs_f64() * 1000.0,
            times[times.len() - 1].as_secs_f64() * 1000.0,
        ));
        if let (Some(path), coldset_print::Paper::A4) = (out, paper) {
            std::fs::write(path, &last).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    lines.push(rss());
    Ok(lines)
}
