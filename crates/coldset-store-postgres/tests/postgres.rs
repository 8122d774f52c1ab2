//! The PostgreSQL store against a real PostgreSQL server that this test binary starts
//! itself (initdb + pg_ctl on a free loopback port, see [`PgServer`]): the shared
//! conformance suite, opening rules, the append-only triggers, concurrent commits, and a
//! full application round trip. One server is shared by all tests; each test gets its own
//! database, so they run in parallel.
//!
//! Needs PostgreSQL's server programs: run `scripts/ensure-postgres.sh` once. Without them
//! every test fails (never skips) and says so.

// Tests wait for the real server with deadlines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::disallowed_methods)]

use coldset_app::ports::*;
use coldset_app::{App, AppError, ManualClock, Request};
use coldset_domain::ids::*;
use coldset_domain::model::*;
use coldset_domain::{Actor, Command, Event, ProjectionRow, Timestamp};
use coldset_store_postgres::{ConnectError, PostgresStore};
use std::collections::BTreeSet;
use std::process::Command as Cmd;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

#[path = "support/pg_server.rs"]
mod pg_server;
use pg_server::{command_output, db_name, find_pg_bins, free_port, server, PgServer, ENSURE};

// ---- the store --------------------------------------------------------------------------

/// A fresh database of its own for one check (the shared server runs them in parallel).
fn fresh_store(check: &str) -> ((), PostgresStore) {
    let url = server().fresh_db(check);
    ((), PostgresStore::create(&url).unwrap())
}

/// The shared store conformance suite, one test per check, each on a fresh database.
mod conformance {
    coldset_app::conformance_tests!(super::fresh_store);
}

#[test]
fn a_second_connection_sees_what_the_suite_wrote() {
    let url = server().fresh_db("conformance");
    let store = PostgresStore::create(&url).unwrap();
    coldset_app::conformance::run_all(&store).unwrap();
    // Again through a second process's view of the same database.
    let reopened = PostgresStore::connect(&url).unwrap();
    assert_eq!(reopened.event_count(&ProductionId::parse("conf-events").unwrap()).unwrap(), 10);
}

#[test]
fn connect_never_creates_anything_and_says_why() {
    let srv = server();

    // Not a URL at all, and a URL with a bad port.
    for bad in ["this is not a url", "postgresql://postgres@127.0.0.1:notaport/x"] {
        let err = PostgresStore::connect(bad).unwrap_err();
        assert!(matches!(err, ConnectError::BadUrl(_)), "{bad}: {err:?}");
        assert!(err.to_string().contains("URL is not valid"), "{err}");
    }

    // Nothing listening: unreachable, and the password never shows in the message.
    let port = free_port().unwrap();
    let err = PostgresStore::connect(&format!("postgresql://postgres:hunter2@127.0.0.1:{port}/x?connect_timeout=5"))
        .unwrap_err();
    assert!(matches!(err, ConnectError::Unreachable { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("cannot connect") && msg.contains(&port.to_string()), "{msg}");
    assert!(!msg.contains("hunter2") && !format!("{err:?}").contains("hunter2"), "{msg}");

    // A database that does not exist is not created, by connect or by create.
    let missing = srv.url("no_such_database");
    for err in [PostgresStore::connect(&missing).unwrap_err(), PostgresStore::create(&missing).unwrap_err()] {
        assert!(matches!(err, ConnectError::MissingDatabase { .. }), "{err:?}");
        assert!(err.to_string().contains("does not exist"), "{err}");
    }
    let n: i64 = srv
        .admin("postgres")
        .query_one("SELECT COUNT(*) FROM pg_database WHERE datname = 'no_such_database'", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 0);

    // An existing but uninitialised database is refused and left empty.
    let url = srv.fresh_db("uninitialised");
    let err = PostgresStore::connect(&url).unwrap_err();
    assert!(matches!(err, ConnectError::NotInitialised { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("never initialised") && msg.contains(db_name(&url)), "{msg}");
    let mut admin = srv.admin(db_name(&url));
    let objects: i64 = admin
        .query_one(
            "SELECT (SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public')
                  + (SELECT COUNT(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = 'public')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(objects, 0, "connect must not create any table or function");

    // Once initialised it opens; a second create is refused and changes nothing.
    let store = PostgresStore::create(&url).unwrap();
    coldset_app::conformance::run_all(&store).unwrap();
    let err = PostgresStore::create(&url).unwrap_err();
    assert!(matches!(err, ConnectError::Exists { .. }), "{err:?}");
    let store = PostgresStore::connect(&url).unwrap();
    // The suite creates three accounts: in `accounts`, `access_records` and
    // `linked_accounts_are_atomic` (whose refused one leaves nothing).
    assert_eq!(store.account_count().unwrap(), 3);
    let version: i32 = admin.query_one("SELECT MAX(version) FROM schema_migrations", &[]).unwrap().get(0);
    assert_eq!(version, 7);

    // A schema from a newer coldset is refused, not guessed at.
    admin.execute("INSERT INTO schema_migrations (version) VALUES (99)", &[]).unwrap();
    let err = PostgresStore::connect(&url).unwrap_err();
    assert!(err.to_string().contains("newer coldset"), "{err}");
}

#[test]
fn connect_migrates_a_schema_1_database_keeping_its_data() {
    let srv = server();
    let url = srv.fresh_db("migrate");
    let store = PostgresStore::create(&url).unwrap();
    let p = ProductionId::parse("migrated").unwrap();
    store.commit(&CommitBatch { events: vec![event(&p, 0, 8)], ..Default::default() }).unwrap();
    drop(store);
    // Take the database back to what schema 1 left: no access tables, no outbox, no
    // attachments, version 1.
    let mut admin = srv.admin(db_name(&url));
    admin
        .batch_execute(
            "DROP TABLE leases, cluster_nodes, person_passkeys, account_totp, account_people, api_tokens, person_pins, idempotency_keys, outbox, attachments;
             DELETE FROM schema_migrations WHERE version > 1;",
        )
        .unwrap();

    let store = PostgresStore::connect(&url).unwrap();
    let version: i32 = admin.query_one("SELECT MAX(version) FROM schema_migrations", &[]).unwrap().get(0);
    assert_eq!(version, 7);
    assert_eq!(store.event(&p, 0).unwrap(), Some(event(&p, 0, 8)));
    coldset_app::conformance::access_records(&store).unwrap();
    coldset_app::conformance::outbox(&store).unwrap();
    coldset_app::conformance::attachments(&store).unwrap();
    // Already current: a second connect changes nothing.
    drop(store);
    let store = PostgresStore::connect(&url).unwrap();
    let runs: i64 = admin.query_one("SELECT COUNT(*) FROM schema_migrations", &[]).unwrap().get(0);
    assert_eq!(runs, 7);
    assert!(store.idempotency("linked", "k1").unwrap().is_some());
}

#[test]
fn a_reused_idempotency_key_rolls_back_the_whole_batch() {
    let url = server().fresh_db("idempotency");
    let store = PostgresStore::create(&url).unwrap();
    let p = ProductionId::parse("idem").unwrap();
    let rec = |key: &str, seqs: &str| IdempotencyRecord {
        account: "someone".into(),
        key: key.into(),
        production: p.clone(),
        request_hash: "ab".repeat(32),
        seqs: seqs.into(),
    };
    store
        .commit(&CommitBatch { events: vec![event(&p, 0, 8)], idempotency: vec![rec("k1", "0")], ..Default::default() })
        .unwrap();
    // A batch of two commands, the second reusing k1: none of it lands, not even the first
    // command's events and key.
    let bad = CommitBatch {
        events: vec![event(&p, 1, 8), event(&p, 2, 8)],
        projections: vec![(
            p.clone(),
            ProjectionRow { kind: "x".into(), id: "1".into(), version: 1, body: "{}".into() },
        )],
        idempotency: vec![rec("k2", "1"), rec("k1", "2")],
        outbox: vec![OutboxItem {
            id: 0,
            production: p.clone(),
            event_seq: 1,
            channel: "email".into(),
            target: "armorer@example".into(),
            payload: "{}".into(),
            attempts: 0,
            next_attempt_at: Timestamp(0),
            delivered_at: None,
            last_error: None,
        }],
        attachments: vec![Attachment { hash: "cd".repeat(32), content_type: "image/jpeg".into(), bytes: vec![0xff] }],
        ..Default::default()
    };
    assert!(matches!(store.commit(&bad), Err(StoreError::Conflict(_))));
    assert!(store.attachment(&"cd".repeat(32)).unwrap().is_none(), "the photo rolled back with its events");
    assert_eq!(store.event_count(&p).unwrap(), 1);
    assert!(store.outbox_recent(10).unwrap().is_empty(), "the notification rolled back with its events");
    assert!(store.projection_rows(&p).unwrap().is_empty());
    assert!(store.idempotency("someone", "k2").unwrap().is_none());
    assert_eq!(store.idempotency("someone", "k1").unwrap(), Some(rec("k1", "0")));
    // The same key twice in one batch is refused too; the writer session stays usable.
    let twice = CommitBatch { idempotency: vec![rec("k3", "1"), rec("k3", "1")], ..Default::default() };
    assert!(matches!(store.commit(&twice), Err(StoreError::Conflict(_))));
    assert!(store.idempotency("someone", "k3").unwrap().is_none());
    store
        .commit(&CommitBatch { events: vec![event(&p, 1, 8)], idempotency: vec![rec("k2", "1")], ..Default::default() })
        .unwrap();
    assert_eq!(store.idempotency("someone", "k2").unwrap(), Some(rec("k2", "1")));
}

#[test]
fn access_records_need_an_existing_account() {
    let url = server().fresh_db("access_fk");
    let store = PostgresStore::create(&url).unwrap();
    let p = ProductionId::parse("fk").unwrap();
    let person = PersonId::parse("p-1").unwrap();
    assert!(matches!(store.link_account("ghost", &p, &person), Err(StoreError::Conflict(_))));
    let t = TokenRecord {
        hash: "ef".repeat(32),
        account: "ghost".into(),
        scopes: vec![],
        created_at: Timestamp(1),
        expires_at: None,
    };
    assert!(matches!(store.create_token(&t), Err(StoreError::Conflict(_))));
    store
        .create_account(&AccountRecord {
            name: "ghost".into(),
            password_hash: "h".into(),
            is_admin: false,
            created_at: Timestamp(1),
        })
        .unwrap();
    store.create_token(&t).unwrap();
    // No scopes and no expiry read back as such.
    assert_eq!(store.token(&t.hash).unwrap(), Some(t.clone()));
    assert!(matches!(store.create_token(&t), Err(StoreError::Conflict(_))));
}

/// Every byte value survives the bytea round trip; a file sent twice in one batch, or again
/// later under another content type, keeps its first copy.
#[test]
fn attachments_keep_their_bytes_and_their_first_copy() {
    let store = PostgresStore::create(&server().fresh_db("attachments")).unwrap();
    let photo = Attachment { hash: "ab".repeat(32), content_type: "image/jpeg".into(), bytes: (0..=255).collect() };
    let empty = Attachment { hash: "00".repeat(32), content_type: "text/plain".into(), bytes: vec![] };
    let again = Attachment { content_type: "image/png".into(), ..photo.clone() };
    store
        .commit(&CommitBatch { attachments: vec![photo.clone(), empty.clone(), again.clone()], ..Default::default() })
        .unwrap();
    store.commit(&CommitBatch { attachments: vec![again], ..Default::default() }).unwrap();
    assert_eq!(store.attachment(&photo.hash).unwrap(), Some(photo));
    assert_eq!(store.attachment(&empty.hash).unwrap(), Some(empty));
    assert_eq!(store.attachment(&"ff".repeat(32)).unwrap(), None);
}

#[test]
fn the_database_refuses_to_update_or_delete_events() {
    let srv = server();
    let url = srv.fresh_db("append_only");
    let store = PostgresStore::create(&url).unwrap();
    coldset_app::conformance::run_all(&store).unwrap();
    let mut raw = srv.admin(db_name(&url));
    for sql in [
        "UPDATE events SET body = '\\x00'::bytea WHERE seq = 0",
        "DELETE FROM events",
        "DELETE FROM events WHERE seq = 1",
        "TRUNCATE events",
        "UPDATE tree_nodes SET idx = 5",
        "DELETE FROM tree_nodes",
        "UPDATE checkpoints SET note = 'forged'",
        "DELETE FROM checkpoints",
        "TRUNCATE checkpoints",
    ] {
        let err = raw.batch_execute(sql).unwrap_err();
        let text = err.as_db_error().map(|d| d.message().to_owned()).unwrap_or_else(|| err.to_string());
        assert!(text.contains("append-only"), "{sql}: {text}");
    }
    let n: i64 = raw.query_one("SELECT COUNT(*) FROM events", &[]).unwrap().get(0);
    assert_eq!(n, 12);
    // Projections are current state, not history: they may be rewritten.
    raw.batch_execute("UPDATE projections SET version = version").unwrap();
}

fn event(p: &ProductionId, seq: u64, body_len: usize) -> StoredEvent {
    let mut bytes = format!("{{\"seq\":{seq}}}").into_bytes();
    bytes.resize(bytes.len() + body_len, b' ');
    StoredEvent {
        production: p.clone(),
        seq,
        kind: "test.event".into(),
        at: Timestamp(seq as i64),
        leaf_hash: coldset_ledger::leaf_hash(&bytes),
        bytes,
    }
}

#[test]
fn concurrent_commits_of_distinct_productions_all_land() {
    let url = server().fresh_db("concurrent");
    let store = PostgresStore::create(&url).unwrap();
    const THREADS: u64 = 6;
    const BATCHES: u64 = 15;
    const PER_BATCH: u64 = 4;
    let barrier = Barrier::new(THREADS as usize + 1);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (store, barrier) = (&store, &barrier);
            s.spawn(move || {
                let p = ProductionId::parse(&format!("conc-{t}")).unwrap();
                barrier.wait();
                for b in 0..BATCHES {
                    let seqs = b * PER_BATCH..(b + 1) * PER_BATCH;
                    store
                        .commit(&CommitBatch {
                            productions: if b == 0 {
                                vec![ProductionRecord {
                                    id: p.clone(),
                                    name: format!("Concurrent {t}"),
                                    created_at: Timestamp(0),
                                }]
                            } else {
                                vec![]
                            },
                            events: seqs.clone().map(|s| event(&p, s, 0)).collect(),
                            projections: vec![(
                                p.clone(),
                                ProjectionRow {
                                    kind: "counter".into(),
                                    id: "c".into(),
                                    version: b + 1,
                                    body: format!("{{\"n\":{}}}", seqs.end),
                                },
                            )],
                            ..Default::default()
                        })
                        .unwrap();
                }
            });
        }
        // A reader alongside the writers only ever sees whole batches, growing.
        let (store, barrier) = (&store, &barrier);
        s.spawn(move || {
            let p = ProductionId::parse("conc-0").unwrap();
            barrier.wait();
            let mut last = 0;
            let deadline = Instant::now() + Duration::from_secs(120);
            while last < BATCHES * PER_BATCH {
                assert!(Instant::now() < deadline, "the writers stalled at {last}");
                let n = store.event_count(&p).unwrap();
                assert!(n >= last && n % PER_BATCH == 0, "saw {n} after {last}");
                last = n;
            }
        });
    });
    let prods = store.productions().unwrap();
    assert_eq!(prods.len(), THREADS as usize);
    for t in 0..THREADS {
        let p = ProductionId::parse(&format!("conc-{t}")).unwrap();
        assert_eq!(store.event_count(&p).unwrap(), BATCHES * PER_BATCH);
        let mut seqs = Vec::new();
        store
            .for_each_event(&p, 0, &mut |e| {
                assert_eq!(e, event(&p, e.seq, 0));
                seqs.push(e.seq);
                Ok(())
            })
            .unwrap();
        assert!(seqs.into_iter().eq(0..BATCHES * PER_BATCH));
        let rows = store.projection_rows(&p).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].version, BATCHES);
    }
}

#[test]
fn a_replay_stopped_early_leaves_the_store_usable() {
    let url = server().fresh_db("early_stop");
    let store = PostgresStore::create(&url).unwrap();
    let p = ProductionId::parse("big").unwrap();
    // Large enough bodies that the rows cannot all sit in one network buffer.
    store
        .commit(&CommitBatch { events: (0..200).map(|s| event(&p, s, 8_000)).collect(), ..Default::default() })
        .unwrap();
    // The web layer pages through the log by stopping the callback with an error.
    let mut seen = 0;
    let stopped = store.for_each_event(&p, 0, &mut |_| {
        seen += 1;
        if seen == 3 {
            Err(StoreError::Conflict("page full".into()))
        } else {
            Ok(())
        }
    });
    assert_eq!(stopped, Err(StoreError::Conflict("page full".into())));
    assert_eq!(seen, 3);
    // The same (pooled) session answers the next queries correctly.
    assert_eq!(store.event_count(&p).unwrap(), 200);
    let mut all = 0;
    store
        .for_each_event(&p, 150, &mut |e| {
            assert_eq!(e.seq, 150 + all);
            all += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(all, 50);
    assert_eq!(store.event(&p, 199).unwrap(), Some(event(&p, 199, 8_000)));

    // A group commit may update one record twice: the last row wins, as in SQLite.
    let row = |v: u64| ProjectionRow {
        kind: "firearm".into(),
        id: "fa-1".into(),
        version: v,
        body: format!("{{\"v\":{v}}}"),
    };
    store
        .commit(&CommitBatch { projections: vec![(p.clone(), row(1)), (p.clone(), row(2))], ..Default::default() })
        .unwrap();
    assert_eq!(store.projection_rows(&p).unwrap(), vec![row(2)]);
}

/// A database error never reads as "nothing there": with the server gone every call fails
/// as unavailable, and once it is back the store reconnects by itself.
#[test]
fn a_lost_server_is_unavailable_never_not_found_and_the_store_reconnects() {
    // Its own server, since this test stops it; dropping it at the end stops it for good.
    let own = PgServer::start().unwrap();
    let url = own.fresh_db("outage");
    let store = PostgresStore::create(&url).unwrap();
    let p = ProductionId::parse("outage").unwrap();
    let batch = |seqs: std::ops::Range<u64>| CommitBatch {
        events: seqs.map(|s| event(&p, s, 0)).collect(),
        ..Default::default()
    };
    store.commit(&batch(0..3)).unwrap();
    assert_eq!(store.event_count(&p).unwrap(), 3);

    own.stop();
    let unavailable = |r: Result<(), StoreError>, what: &str| {
        assert!(matches!(r, Err(StoreError::Unavailable(_))), "{what}: {r:?}");
    };
    unavailable(store.event_count(&p).map(drop), "event_count");
    unavailable(store.event(&p, 0).map(drop), "event");
    unavailable(store.node(&p, 0, 0).map(drop), "node");
    unavailable(store.productions().map(drop), "productions");
    unavailable(store.account("nobody").map(drop), "account");
    unavailable(store.latest_checkpoint(&p).map(drop), "latest_checkpoint");
    unavailable(store.for_each_event(&p, 0, &mut |_| Ok(())), "for_each_event");
    unavailable(store.commit(&batch(3..4)), "commit");

    own.launch().unwrap();
    store.commit(&batch(3..4)).unwrap();
    assert_eq!(store.event_count(&p).unwrap(), 4);
    assert_eq!(store.event(&p, 3).unwrap(), Some(event(&p, 3, 0)));
}

// ---- the application on PostgreSQL -----------------------------------------------------

fn run(app: &App, production: &ProductionId, actor: &Actor, command: Command) -> Result<Vec<Event>, AppError> {
    app.execute(Request {
        production: production.clone(),
        actor: actor.clone(),
        command,
        expected_version: None,
        attested: Vec::new(),
        auth: None,
        idempotency: None,
        attachments: Vec::new(),
    })
    .map(|r| r.events.into_iter().map(|e| e.event).collect())
}

/// A production with an armorer and an assistant armorer (both credentialled), an approved
/// supplier, a firearm and a verified lot of dummies, then a hand-off within the armory
/// team (custody, so no scene or shoot day is needed) and a collection.
fn populate(app: &App, production: &ProductionId) {
    let admin = Actor::Admin { account: "admin".into() };
    run(
        app,
        production,
        &admin,
        Command::CreateProduction {
            id: production.clone(),
            name: "Round Trip".into(),
            time_zone: "UTC".into(),
            packs: vec!["industry-us".into()],
            compliance_contact: "safety@example".into(),
        },
    )
    .unwrap();
    let mut people = Vec::new();
    for (name, role) in [("Armorer", Role::Armorer), ("A1", Role::AssistantArmorer)] {
        let ev = run(app, production, &admin, Command::AddPerson { name: name.into(), roles: BTreeSet::from([role]) })
            .unwrap();
        let Event::PersonAdded { person, .. } = &ev[0] else { panic!("expected PersonAdded, got {ev:?}") };
        people.push(person.clone());
        run(
            app,
            production,
            &admin,
            Command::RecordCredential {
                person: person.clone(),
                credential: Credential {
                    kind: CredentialKind::Licence,
                    number: format!("L-{name}"),
                    issuer: "State".into(),
                    expires_on: jiff::civil::date(2099, 1, 1),
                    covers: vec![FirearmKind::BlankAdapted],
                },
            },
        )
        .unwrap();
    }
    let armorer = Actor::Person { person: people[0].clone() };
    run(app, production, &armorer, Command::ApproveSupplier { supplier: "Supplier".into() }).unwrap();
    let ev = run(
        app,
        production,
        &armorer,
        Command::IntakeFirearm {
            kind: FirearmKind::BlankAdapted,
            make: "Colt".into(),
            model: "SAA".into(),
            serial: "S1".into(),
            calibre: ".45".into(),
            condition: "good".into(),
            acquired_from: Party { name: "Rental".into(), licence: "FFL".into(), document: "RA-1".into() },
        },
    )
    .unwrap();
    let Event::FirearmReceived { firearm, .. } = &ev[0] else { panic!("expected FirearmReceived, got {ev:?}") };
    let ev = run(
        app,
        production,
        &armorer,
        Command::IntakeLot {
            class: AmmoClass::Dummy,
            calibre: ".45".into(),
            rounds: 100,
            provenance: Provenance {
                supplier: "Supplier".into(),
                document: "INV-1".into(),
                headstamp: "WW".into(),
                previous_production: None,
                mixed_source: false,
            },
            home_made: false,
            container_label: "D-1".into(),
        },
    )
    .unwrap();
    let Event::LotReceived { lot, .. } = &ev[0] else { panic!("expected LotReceived, got {ev:?}") };
    run(
        app,
        production,
        &armorer,
        Command::VerifyLot {
            lot: lot.clone(),
            method: VerificationMethod::Rattle,
            rounds_checked: 100,
            other_class_found: 0,
        },
    )
    .unwrap();
    // The receiver attests the hand-off (the gate's two-person check).
    let mut hand_off = Request::new(
        production.clone(),
        armorer.clone(),
        Command::HandOff { firearm: firearm.clone(), to: people[1].clone(), scene: None },
    );
    hand_off.attested.push(people[1].clone());
    app.execute(hand_off).unwrap();
    run(app, production, &armorer, Command::Collect { firearm: firearm.clone() }).unwrap();
}

/// After a restart the application rebuilds exactly the committed state, and the stored
/// projections are what replaying the log gives.
#[test]
fn the_app_round_trips_through_postgres() {
    let url = server().fresh_db("app");
    let production = ProductionId::parse("round-trip").unwrap();
    let start = jiff::Timestamp::from_second(1_790_000_000).unwrap();
    let clock = || Arc::new(ManualClock::new(Timestamp(start.as_millisecond())));

    let first = Arc::new(PostgresStore::create(&url).unwrap());
    let app = App::open(first.clone(), clock()).unwrap();
    populate(&app, &production);
    let before = app.state(&production).unwrap();
    let rows_before = first.projection_rows(&production).unwrap();
    assert_eq!(rows_before, before.all_rows());
    let events_before = first.event_count(&production).unwrap();
    assert!(events_before >= 10, "{events_before} events");
    drop(app);
    drop(first);

    let store = Arc::new(PostgresStore::connect(&url).unwrap());
    let app = App::open(store.clone(), clock()).unwrap();
    let after = app.state(&production).unwrap();
    assert_eq!(*after, *before);
    assert_eq!(store.projection_rows(&production).unwrap(), after.all_rows());
    assert_eq!(store.event_count(&production).unwrap(), events_before);
    // Every stored leaf is the hash of the stored bytes.
    store
        .for_each_event(&production, 0, &mut |e| {
            assert_eq!(e.leaf_hash, coldset_ledger::leaf_hash(&e.bytes));
            assert_eq!(store.node(&production, 0, e.seq).unwrap(), Some(e.leaf_hash));
            Ok(())
        })
        .unwrap();
}

// ---- TLS --------------------------------------------------------------------------------

/// A studio's PostgreSQL over TLS: with `sslmode=verify-full` and the studio's CA as
/// `sslrootcert` the store connects (and the server sees an encrypted session); a server
/// whose certificate another CA signed is refused, and so is an unknown `sslmode`.
#[test]
fn the_store_connects_over_tls_and_verifies_the_servers_certificate() {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "studio database CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let mut leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    leaf.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
    let cert = leaf.signed_by(&key, &issuer).unwrap();

    let pg = PgServer::start().unwrap();
    let (cert_file, key_file) = (pg.dir.join("server.crt"), pg.dir.join("server.key"));
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    if pg.as_postgres {
        command_output(Cmd::new("chown").arg("postgres:").arg(&cert_file).arg(&key_file)).unwrap();
    }
    let mut admin = pg.admin("postgres");
    // One statement at a time: ALTER SYSTEM refuses to run inside a transaction block.
    for sql in [
        format!("ALTER SYSTEM SET ssl_cert_file = '{}'", cert_file.display()),
        format!("ALTER SYSTEM SET ssl_key_file = '{}'", key_file.display()),
        "ALTER SYSTEM SET ssl = on".to_owned(),
        "SELECT pg_reload_conf()".to_owned(),
    ] {
        admin.simple_query(&sql).unwrap();
    }
    let db = pg.fresh_db("tls");
    let ca_file = pg.dir.join("ca.pem");
    std::fs::write(&ca_file, ca_cert.pem()).unwrap();
    let url = format!(
        "postgresql://postgres@localhost:{}/{}?sslmode=verify-full&sslrootcert={}",
        pg.port,
        db_name(&db),
        ca_file.display()
    );
    // The server's reload takes a moment to enable TLS.
    let deadline = Instant::now() + Duration::from_secs(10);
    let store = loop {
        match PostgresStore::create(&url) {
            Ok(store) => break store,
            Err(e) if Instant::now() > deadline => panic!("no TLS session: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    coldset_app::conformance::run_all(&store).unwrap();
    drop(store);
    // The server saw this session encrypted.
    let encrypted: bool = {
        let store = PostgresStore::connect(&url).unwrap();
        drop(store);
        let mut admin = pg.admin("postgres");
        admin
            .query_one(
                "SELECT count(*) = 0 FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
                 WHERE a.application_name = 'coldset' AND NOT s.ssl",
                &[],
            )
            .unwrap()
            .get(0)
    };
    assert!(encrypted, "a coldset session without TLS");
    // Another CA: the certificate does not verify, nothing connects.
    let other_key = rcgen::KeyPair::generate().unwrap();
    let mut other = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    other.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let other_file = pg.dir.join("other-ca.pem");
    std::fs::write(&other_file, other.self_signed(&other_key).unwrap().pem()).unwrap();
    let wrong = url.replace(&ca_file.display().to_string(), &other_file.display().to_string());
    let err = PostgresStore::connect(&wrong).unwrap_err().to_string();
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    let err = PostgresStore::connect(&url.replace("verify-full", "prefer")).unwrap_err().to_string();
    assert!(err.contains("sslmode=prefer is not supported"), "{err}");
}

// ---- backups ----------------------------------------------------------------------------

/// The backup docs/operations.md gives for PostgreSQL, done once: `pg_dump --format=custom`
/// of a production's database, `pg_restore` into a new one, and the application opens the
/// copy with the same state, the same log and leaves, and goes on writing after it.
#[test]
fn a_pg_dump_restores_into_a_database_the_app_opens_unchanged() {
    let url = server().fresh_db("dumped");
    let production = ProductionId::parse("backed-up").unwrap();
    let start = jiff::Timestamp::from_second(1_790_000_000).unwrap();
    let clock = || Arc::new(ManualClock::new(Timestamp(start.as_millisecond())));
    let store = Arc::new(PostgresStore::create(&url).unwrap());
    let app = App::open(store.clone(), clock()).unwrap();
    populate(&app, &production);
    let before = app.state(&production).unwrap();
    let events = store.event_count(&production).unwrap();
    drop(app);
    drop(store);

    let (initdb, _) = find_pg_bins().expect(ENSURE);
    let bin = initdb.parent().unwrap();
    let dump = tempfile::tempdir().unwrap().keep().join("coldset.dump");
    command_output(Cmd::new(bin.join("pg_dump")).args(["--format=custom", "--file"]).arg(&dump).arg(&url)).unwrap();
    assert!(std::fs::metadata(&dump).unwrap().len() > 1_000, "the dump holds the data");
    let copy = server().fresh_db("restored");
    command_output(Cmd::new(bin.join("pg_restore")).args(["--no-owner", "--dbname"]).arg(&copy).arg(&dump)).unwrap();

    let restored = Arc::new(PostgresStore::connect(&copy).unwrap());
    let app = App::open(restored.clone(), clock()).unwrap();
    assert_eq!(*app.state(&production).unwrap(), *before, "the same state");
    assert_eq!(restored.event_count(&production).unwrap(), events);
    restored
        .for_each_event(&production, 0, &mut |e| {
            assert_eq!(e.leaf_hash, coldset_ledger::leaf_hash(&e.bytes));
            Ok(())
        })
        .unwrap();
    // The copy is a working database: the log goes on where it stopped.
    let admin = Actor::Admin { account: "ops".into() };
    run(&app, &production, &admin, Command::ApproveSupplier { supplier: "After the restore Co.".into() }).unwrap();
    assert_eq!(restored.event_count(&production).unwrap(), events + 1);
}

/// A base backup (`pg_basebackup`, WAL streamed with it) of the running server taken while
/// the application appends: a server started on the copy opens with every event
/// acknowledged before the backup began, its log is exactly the start of the live one, its
/// state is what replaying that log gives, and it goes on from where it stopped.
#[test]
fn a_base_backup_taken_while_writing_starts_with_every_acknowledged_event() {
    use std::sync::atomic::{AtomicBool, AtomicU64};
    // Its own server: the base backup copies the whole cluster.
    let own = PgServer::start().unwrap();
    let url = own.fresh_db("based");
    let production = ProductionId::parse("base-backed").unwrap();
    let start = jiff::Timestamp::from_second(1_790_000_000).unwrap();
    let clock = || Arc::new(ManualClock::new(Timestamp(start.as_millisecond())));
    let store = Arc::new(PostgresStore::create(&url).unwrap());
    let app = App::open(store.clone(), clock()).unwrap();
    populate(&app, &production);

    // Writers append (each request acknowledged only once committed) until told to stop.
    let acked = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (app, production, acked, stop) = (app.clone(), production.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                let admin = Actor::Admin { account: "ops".into() };
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let supplier = format!("Supplier {w}-{i}");
                    run(&app, &production, &admin, Command::ApproveSupplier { supplier }).unwrap();
                    acked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    i += 1;
                }
            })
        })
        .collect();
    wait_until(|| acked.load(std::sync::atomic::Ordering::SeqCst) >= 50);
    // Every event acknowledged up to here is in the log before the backup starts.
    let before = store.event_count(&production).unwrap();

    let (initdb, _) = find_pg_bins().expect(ENSURE);
    let base_backup = initdb.parent().unwrap().join("pg_basebackup");
    let copy_dir = tempfile::Builder::new().prefix("coldset-pg-copy-").tempdir().unwrap().keep();
    if own.as_postgres {
        command_output(Cmd::new("chown").arg("postgres:").arg(&copy_dir)).unwrap();
    }
    command_output(
        own.cmd(&base_backup)
            .args(["-h", "127.0.0.1", "-p", &own.port.to_string(), "-U", "postgres", "-D"])
            .arg(copy_dir.join("data"))
            .args(["-X", "stream", "-c", "fast", "--no-sync"]),
    )
    .unwrap();
    let during = acked.load(std::sync::atomic::Ordering::SeqCst);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for w in writers {
        w.join().unwrap();
    }
    let live_count = store.event_count(&production).unwrap();
    assert!(during > 50, "the writers were still appending during the backup");

    // A server on the copy (recovery replays the streamed WAL at its start).
    let copy = PgServer {
        port: 0,
        dir: copy_dir,
        pg_ctl: own.pg_ctl.clone(),
        as_postgres: own.as_postgres,
        watchdog: std::sync::Mutex::new(None),
    };
    copy.spawn_watchdog().unwrap();
    let copy = {
        let mut copy = copy;
        let mut last = String::new();
        let mut started = false;
        for _ in 0..5 {
            copy.port = free_port().unwrap();
            match copy.launch() {
                Ok(()) => {
                    started = true;
                    break;
                }
                Err(e) => last = e,
            }
        }
        assert!(started, "the copy did not start: {last}");
        copy
    };
    let copied = Arc::new(PostgresStore::connect(&copy.url(db_name(&url))).unwrap());
    let count = copied.event_count(&production).unwrap();
    assert!(count >= before, "the copy holds {count} events, but {before} were acknowledged before the backup began");
    assert!(count <= live_count);
    // Exactly the start of the live log, byte for byte, with its tree nodes.
    let mut seq = 0;
    copied
        .for_each_event(&production, 0, &mut |e| {
            assert_eq!(Some(e.clone()), store.event(&production, seq).unwrap(), "event {seq}");
            seq += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(seq, count);
    let app_on_copy = App::open(copied.clone(), clock()).unwrap();
    let mut replayed = coldset_domain::ProductionState::new();
    copied
        .for_each_event(&production, 0, &mut |e| {
            replayed.apply(&coldset_domain::Envelope::decode(&e.bytes).unwrap()).unwrap();
            Ok(())
        })
        .unwrap();
    assert_eq!(*app_on_copy.state(&production).unwrap(), replayed, "the state replaying the copy's log gives");
    assert_eq!(copied.projection_rows(&production).unwrap(), replayed.all_rows(), "its projections too");
    assert_eq!(
        coldset_app::ledger::root_at(copied.as_ref(), &production, count).unwrap(),
        coldset_app::ledger::root_at(store.as_ref(), &production, count).unwrap(),
        "the tree nodes give the live log's root at that size"
    );
    let admin = Actor::Admin { account: "ops".into() };
    run(&app_on_copy, &production, &admin, Command::ApproveSupplier { supplier: "After the base backup".into() })
        .unwrap();
    assert_eq!(copied.event_count(&production).unwrap(), count + 1);
}

fn wait_until(mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ---- several nodes on one database (docs/cluster.md) ----------------------------------

fn fence(node: &str, p: &ProductionId, token: u64) -> Option<Fence> {
    Some(Fence { node: node.into(), leases: vec![(p.clone(), token)], ttl: Duration::from_secs(2) })
}

#[test]
fn a_commit_lands_only_under_the_lease_it_was_written_under() {
    let url = server().fresh_db("leases");
    let store = PostgresStore::create(&url).unwrap();
    let cluster = store.cluster().unwrap();
    let p = ProductionId::parse("leased").unwrap();
    let ttl = Duration::from_secs(2);
    assert_eq!(cluster.take_lease(&p, "http://n1", ttl).unwrap(), Some(1));
    // Held: another node cannot take it; its holder may take it again, with a new token.
    assert_eq!(cluster.take_lease(&p, "http://n2", ttl).unwrap(), None);
    assert_eq!(cluster.take_lease(&p, "http://n1", ttl).unwrap(), Some(2));
    store
        .commit(&CommitBatch { events: vec![event(&p, 0, 8)], fence: fence("http://n1", &p, 2), ..Default::default() })
        .unwrap();
    // An old token (the writer before it lost and took the lease again), or another node's
    // name: refused, and nothing of the batch is written.
    for (node, token) in [("http://n1", 1), ("http://n2", 2)] {
        let err = store
            .commit(&CommitBatch { events: vec![event(&p, 1, 8)], fence: fence(node, &p, token), ..Default::default() })
            .unwrap_err();
        assert!(matches!(err, StoreError::LeaseLost(_)), "{err:?}");
        assert_eq!(store.event_count(&p).unwrap(), 1);
    }
    assert_eq!(cluster.renew_leases("http://n1", ttl).unwrap(), vec![(p.clone(), 2)]);
    assert!(cluster.renew_leases("http://n2", ttl).unwrap().is_empty());
    // Given up, it is free at once: the next holder's token is larger than any before, and
    // the old holder's commit is refused.
    cluster.release_lease(&p, "http://n1", 2).unwrap();
    assert_eq!(cluster.take_lease(&p, "http://n2", ttl).unwrap(), Some(3));
    let err = store
        .commit(&CommitBatch { events: vec![event(&p, 1, 8)], fence: fence("http://n1", &p, 2), ..Default::default() })
        .unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost(_)), "{err:?}");
    store
        .commit(&CommitBatch { events: vec![event(&p, 1, 8)], fence: fence("http://n2", &p, 3), ..Default::default() })
        .unwrap();
    // An expired lease is refused too, by the database's clock.
    let short = Duration::from_millis(200);
    assert_eq!(cluster.take_lease(&p, "http://n2", short).unwrap(), Some(4));
    std::thread::sleep(Duration::from_millis(400));
    let err = store
        .commit(&CommitBatch { events: vec![event(&p, 2, 8)], fence: fence("http://n2", &p, 4), ..Default::default() })
        .unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost(_)), "{err:?}");
    assert_eq!(cluster.take_lease(&p, "http://n1", ttl).unwrap(), Some(5));
    let leases = cluster.leases().unwrap();
    assert_eq!(leases.len(), 1);
    assert_eq!((leases[0].node.as_str(), leases[0].token, leases[0].valid), ("http://n1", 5, true));
    // Nodes alive; each log's size.
    assert_eq!(cluster.heartbeat("http://n1", ttl).unwrap(), vec!["http://n1".to_owned()]);
    assert_eq!(cluster.heartbeat("http://n2", ttl).unwrap().len(), 2);
}

#[test]
fn a_commit_is_announced_to_every_listener() {
    let url = server().fresh_db("notices");
    let writer = PostgresStore::create(&url).unwrap();
    let reader = PostgresStore::connect(&url).unwrap();
    let cluster = reader.cluster().unwrap();
    // The first call starts listening; nothing has happened yet.
    assert!(cluster.wait_for_commits(Duration::from_millis(50)).unwrap().is_empty());
    let (a, b) = (ProductionId::parse("noticed-a").unwrap(), ProductionId::parse("noticed-b").unwrap());
    writer.commit(&CommitBatch { events: vec![event(&a, 0, 8), event(&b, 0, 8)], ..Default::default() }).unwrap();
    let mut grown = cluster.wait_for_commits(Duration::from_secs(5)).unwrap();
    grown.sort();
    assert_eq!(grown, vec![a.clone(), b.clone()]);
    // A batch that wrote no event announces nothing.
    writer.commit(&CommitBatch { outbox: Vec::new(), projections: Vec::new(), ..Default::default() }).unwrap();
    assert!(cluster.wait_for_commits(Duration::from_millis(200)).unwrap().is_empty());
}

/// Two nodes in one process, each an `App` of its own on the same database: the one that
/// creates a production writes it; the other reads it, follows its log, and refuses to
/// write it ("no leader here": its web layer forwards instead); when the first stops, the
/// second takes the lease within seconds and continues the sequence.
#[test]
fn a_second_node_follows_the_log_and_takes_over_when_the_first_stops() {
    use coldset_app::cluster::{Leader, NodeConfig};
    let url = server().fresh_db("nodes");
    drop(PostgresStore::create(&url).unwrap());
    let clock = || Arc::new(coldset_app::SystemClock);
    let node = |name: &str| {
        App::open_node(Arc::new(PostgresStore::connect(&url).unwrap()), clock(), NodeConfig::new(name)).unwrap()
    };
    let (one, two) = (node("http://127.0.0.1:1"), node("http://127.0.0.1:2"));
    let p = ProductionId::parse("followed").unwrap();
    populate(&one, &p);
    let size = one.position(&p).unwrap();
    assert_eq!(one.leader(&p), Leader::Here);
    let deadline = Instant::now() + Duration::from_secs(2);
    while two.position(&p) != Some(size) {
        assert!(Instant::now() < deadline, "the second node's copy stayed at {:?} of {size}", two.position(&p));
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(*two.state(&p).unwrap(), *one.state(&p).unwrap());
    let admin = Actor::Admin { account: "admin".into() };
    let add = |name: &str| Command::AddPerson { name: name.into(), roles: BTreeSet::from([Role::Performer]) };
    let err = run(&two, &p, &admin, add("Refused")).unwrap_err();
    assert_eq!(err.code(), "cluster.no_leader", "{err}");
    let deadline = Instant::now() + Duration::from_secs(2);
    while two.leader(&p) != Leader::At("http://127.0.0.1:1".into()) {
        assert!(Instant::now() < deadline, "the second node does not know the leader: {:?}", two.leader(&p));
        std::thread::sleep(Duration::from_millis(20));
    }

    // The first node stops (its lease is no longer renewed): the second writes within 5 s.
    drop(one);
    let stopped = Instant::now();
    loop {
        match run(&two, &p, &admin, add("After the failover")) {
            Ok(_) => break,
            Err(e) if e.code() == "cluster.no_leader" => {
                assert!(stopped.elapsed() < Duration::from_secs(5), "no takeover after {:?}", stopped.elapsed());
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(two.position(&p), Some(size + 1), "the sequence continues where the first node left it");
    let store = PostgresStore::connect(&url).unwrap();
    assert_eq!(store.event_count(&p).unwrap(), size + 1);
}
