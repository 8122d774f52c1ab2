//! Benchmarks of the real write path and the ledger, run from the binary so they measure
//! what users run (`coldset bench ...`, see docs/benchmarks.md). Figures are printed as
//! plain lines; nothing here is used by `serve`.

use coldset_app::{App, Request};
use coldset_domain::ids::*;
use coldset_domain::model::*;
use coldset_domain::{Actor, Command, Event};
use std::collections::BTreeSet;
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
        idempotency: None,
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
                                idempotency: None,
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
        .for_each_event(production, 0, &mut |ev| {
            let leaf = coldset_ledger::leaf_hash(&ev.bytes);
            if leaf != ev.leaf_hash {
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
