//! The SQLite store: the shared conformance suite, opening rules, the append-only triggers,
//! durability settings, and races for the same firearm through the real write path.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use coldset_app::{App, AppError, ManualClock, Request, Store};
use coldset_domain::ids::*;
use coldset_domain::model::*;
use coldset_domain::{Actor, Command, DomainError, Envelope, Event, RuleId, Timestamp};
use coldset_store_sqlite::{OpenError, SqliteStore, DB_FILE};
use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

/// A fresh store in a temporary directory, kept as long as the store.
fn fresh_store(_check: &str) -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::create(dir.path()).unwrap();
    (dir, store)
}

/// The shared store conformance suite, one test per check, each on a fresh store.
mod conformance {
    coldset_app::conformance_tests!(super::fresh_store);
}

#[test]
fn open_never_creates_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo");
    assert!(matches!(SqliteStore::open(&missing), Err(OpenError::Missing(_))));
    assert!(!missing.join(DB_FILE).exists(), "open must not create the file");
    // An empty file with the right name is not an initialised database either.
    std::fs::create_dir_all(&missing).unwrap();
    std::fs::write(missing.join(DB_FILE), b"").unwrap();
    let err = SqliteStore::open(&missing).err().expect("must refuse").to_string();
    assert!(err.contains("never initialised"), "{err}");
    // And create refuses to overwrite.
    SqliteStore::create(&dir.path().join("ok")).unwrap();
    assert!(matches!(SqliteStore::create(&dir.path().join("ok")), Err(OpenError::Exists(_))));
}

#[test]
fn the_database_refuses_to_update_or_delete_events() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::create(dir.path()).unwrap();
    coldset_app::conformance::run_all(&store).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    let upd = conn.execute("UPDATE events SET body = x'00' WHERE seq = 0", []).unwrap_err().to_string();
    assert!(upd.contains("append-only"), "{upd}");
    let del = conn.execute("DELETE FROM events", []).unwrap_err().to_string();
    assert!(del.contains("append-only"), "{del}");
    let del = conn.execute("DELETE FROM checkpoints", []).unwrap_err().to_string();
    assert!(del.contains("append-only"), "{del}");
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0)).unwrap();
    assert!(n > 0);
}

#[test]
fn commits_are_synchronous_full_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let _store = SqliteStore::create(dir.path()).unwrap();
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    // synchronous is per connection: check the store's own writer through a fresh open.
    drop(conn);
    let store = SqliteStore::open(dir.path()).unwrap();
    drop(store);
}

// ---- races through the real write path -------------------------------------------------

struct Crew {
    app: App,
    /// The app's store, for looking at what it wrote.
    store: Arc<SqliteStore>,
    production: ProductionId,
    armorer: PersonId,
    performers: [PersonId; 2],
    firearm: FirearmId,
    containers: [ContainerId; 2],
}

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

fn setup(dir: &std::path::Path) -> Crew {
    let store = Arc::new(SqliteStore::create(dir).unwrap());
    let start = jiff::Timestamp::from_second(1_790_000_000).unwrap();
    let app = App::open(store.clone(), Arc::new(ManualClock::new(Timestamp(start.as_millisecond())))).unwrap();
    let production = ProductionId::parse("race").unwrap();
    let admin = Actor::Admin { account: "admin".into() };
    run(
        &app,
        &production,
        &admin,
        Command::CreateProduction {
            id: production.clone(),
            name: "Race".into(),
            time_zone: "UTC".into(),
            packs: vec!["industry-us".into()],
            compliance_contact: "safety@example".into(),
        },
    )
    .unwrap();
    let mut people = Vec::new();
    for (name, role) in [("Armorer", Role::Armorer), ("A1", Role::AssistantArmorer), ("A2", Role::AssistantArmorer)] {
        let ev =
            run(&app, &production, &admin, Command::AddPerson { name: name.into(), roles: BTreeSet::from([role]) })
                .unwrap();
        let Event::PersonAdded { person, .. } = &ev[0] else { panic!() };
        people.push(person.clone());
        run(
            &app,
            &production,
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
    let armorer = people[0].clone();
    let maria = Actor::Person { person: armorer.clone() };
    run(&app, &production, &maria, Command::ApproveSupplier { supplier: "Supplier".into() }).unwrap();
    let ev = run(
        &app,
        &production,
        &maria,
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
    let Event::FirearmReceived { firearm, .. } = &ev[0] else { panic!() };
    let mut containers = Vec::new();
    for label in ["D-1", "D-2"] {
        let ev = run(
            &app,
            &production,
            &maria,
            Command::IntakeLot {
                class: AmmoClass::Dummy,
                calibre: ".45".into(),
                rounds: 1000,
                provenance: Provenance {
                    supplier: "Supplier".into(),
                    document: format!("INV-{label}"),
                    headstamp: "WW".into(),
                    previous_production: None,
                    mixed_source: false,
                },
                home_made: false,
                container_label: label.into(),
            },
        )
        .unwrap();
        let Event::LotReceived { lot, container, .. } = &ev[0] else { panic!() };
        run(
            &app,
            &production,
            &maria,
            Command::VerifyLot {
                lot: lot.clone(),
                method: VerificationMethod::Rattle,
                rounds_checked: 1000,
                other_class_found: 0,
            },
        )
        .unwrap();
        containers.push(container.clone());
    }
    Crew {
        app,
        store,
        production,
        armorer,
        performers: [people[1].clone(), people[2].clone()],
        firearm: firearm.clone(),
        containers: [containers[0].clone(), containers[1].clone()],
    }
}

/// Two hand-offs of the same firearm at the same moment, each pinned to the version the
/// armorer saw: exactly one is recorded, the other is a clear conflict.
#[test]
fn racing_hand_offs_have_exactly_one_winner() {
    let dir = tempfile::tempdir().unwrap();
    let crew = setup(dir.path());
    let maria = Actor::Person { person: crew.armorer.clone() };
    for round in 0..200 {
        let version = crew.app.state(&crew.production).unwrap().firearms[&crew.firearm].version;
        let barrier = Barrier::new(2);
        let results: Vec<Result<Vec<Event>, AppError>> = std::thread::scope(|s| {
            let handles: Vec<_> = crew
                .performers
                .iter()
                .map(|to| {
                    let (crew, barrier, maria) = (&crew, &barrier, &maria);
                    s.spawn(move || {
                        barrier.wait();
                        crew.app
                            .execute(Request {
                                production: crew.production.clone(),
                                actor: maria.clone(),
                                command: Command::HandOff {
                                    firearm: crew.firearm.clone(),
                                    to: to.clone(),
                                    scene: None,
                                },
                                expected_version: Some(version),
                                attested: vec![to.clone()],
                                auth: None,
                                idempotency: None,
                                attachments: Vec::new(),
                            })
                            .map(|r| r.events.into_iter().map(|e| e.event).collect())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let wins = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "round {round}: {results:?}");
        let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert_eq!(loser.code(), "command.conflict", "round {round}: {loser}");
        // The holder is exactly the winner's receiver.
        let state = crew.app.state(&crew.production).unwrap();
        let holder = state.firearms[&crew.firearm].holder.person().cloned().unwrap();
        assert!(crew.performers.contains(&holder));
        run(&crew.app, &crew.production, &maria, Command::Collect { firearm: crew.firearm.clone() }).unwrap();
    }
}

/// Without a pinned version the loser is refused by the rules themselves: the armorer no
/// longer holds the firearm (R-ROLE-1). Rounds moved concurrently are conserved.
#[test]
fn unpinned_races_are_settled_by_the_rules_and_counts_are_conserved() {
    let dir = tempfile::tempdir().unwrap();
    let crew = setup(dir.path());
    let maria = Actor::Person { person: crew.armorer.clone() };
    for round in 0..150 {
        let barrier = Barrier::new(2);
        let results: Vec<Result<Vec<Event>, AppError>> = std::thread::scope(|s| {
            let handles: Vec<_> = crew
                .performers
                .iter()
                .map(|to| {
                    let (crew, barrier, maria) = (&crew, &barrier, &maria);
                    s.spawn(move || {
                        barrier.wait();
                        let mut request = Request::new(
                            crew.production.clone(),
                            maria.clone(),
                            Command::HandOff { firearm: crew.firearm.clone(), to: to.clone(), scene: None },
                        );
                        request.attested.push(to.clone());
                        crew.app.execute(request).map(|r| r.events.into_iter().map(|e| e.event).collect::<Vec<_>>())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "round {round}");
        match results.iter().find_map(|r| r.as_ref().err()).unwrap() {
            AppError::Domain(DomainError::Denied(d)) => {
                assert_eq!(d.rule_ids(), vec![RuleId::Role1])
            }
            other => panic!("round {round}: expected R-ROLE-1, got {other}"),
        }
        run(&crew.app, &crew.production, &maria, Command::Collect { firearm: crew.firearm.clone() }).unwrap();
    }
    // Many threads moving rounds back and forth: the total never changes, no count goes
    // negative, and a move of more than a container holds is refused whole.
    std::thread::scope(|s| {
        for t in 0..8 {
            let (crew, maria) = (&crew, &maria);
            s.spawn(move || {
                for i in 0..40u32 {
                    let (from, to) = if (t + i) % 2 == 0 { (0, 1) } else { (1, 0) };
                    let _ = run(
                        &crew.app,
                        &crew.production,
                        maria,
                        Command::MoveRounds {
                            from: crew.containers[from].clone(),
                            to: crew.containers[to].clone(),
                            rounds: 1 + (i * 37 + t) % 700,
                        },
                    );
                }
            });
        }
    });
    let state = crew.app.state(&crew.production).unwrap();
    let total: u64 = crew.containers.iter().map(|c| state.containers[c].count()).sum();
    assert_eq!(total, 2000);
    // What the database holds is what replaying the log gives.
    let rows = crew.store.projection_rows(&crew.production).unwrap();
    assert_eq!(rows, state.all_rows());
}

/// After a restart the application rebuilds exactly the committed state.
#[test]
fn reopening_replays_to_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let crew = setup(dir.path());
    let before = crew.app.state(&crew.production).unwrap();
    let production = crew.production.clone();
    drop(crew);
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let app = App::open(store, Arc::new(ManualClock::new(Timestamp(0)))).unwrap();
    assert_eq!(*app.state(&production).unwrap(), *before);
}

/// A hand-off records who authenticated how: the armorer by password, the receiving
/// performer by their own PIN. The record is part of the ledger leaf, read back from disk.
#[test]
fn a_hand_off_records_who_authenticated_how() {
    use coldset_domain::events::{AuthMethod, Authentication, Confirmation};
    let dir = tempfile::tempdir().unwrap();
    let crew = setup(dir.path());
    let maria = Actor::Person { person: crew.armorer.clone() };
    let to = crew.performers[0].clone();
    let auth = Authentication {
        method: AuthMethod::Password,
        confirmations: vec![Confirmation { person: to.clone(), method: AuthMethod::Pin }],
        on_device_of: None,
    };
    let mut request = Request::new(
        crew.production.clone(),
        maria,
        Command::HandOff { firearm: crew.firearm.clone(), to: to.clone(), scene: None },
    );
    request.attested.push(to);
    request.auth = Some(auth.clone());
    let receipt = crew.app.execute(request).unwrap();
    let seq = receipt.events[0].seq;
    let stored = crew.store.event(&crew.production, seq).unwrap().unwrap();
    let env = Envelope::decode(&stored.bytes).unwrap();
    assert!(matches!(env.event, Event::FirearmHandedOff { receiver_confirmed: true, .. }), "{env:?}");
    assert_eq!(env.auth, Some(auth));
    // Events recorded without it keep the older encoding: no `auth` key at all.
    let first = crew.store.event(&crew.production, 1).unwrap().unwrap();
    assert!(!String::from_utf8_lossy(&first.bytes).contains("\"auth\""));
}

// ---- passkeys -------------------------------------------------------------------------------

/// A software authenticator: one P-256 key, answering challenges as a browser would relay.
struct Authenticator {
    key: p256::ecdsa::SigningKey,
    counter: u32,
}

impl Authenticator {
    fn new() -> Self {
        let key = p256::ecdsa::SigningKey::from_bytes(&[7u8; 32].into()).unwrap();
        Authenticator { key, counter: 0 }
    }

    fn auth_data(&self, rp_id: &str, flags: u8) -> Vec<u8> {
        use sha2::Digest;
        let mut data = sha2::Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&self.counter.to_be_bytes());
        data
    }

    fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({"type": kind, "challenge": challenge, "origin": origin})).unwrap()
    }

    fn registration(&self, challenge: &str, origin: &str) -> coldset_app::passkey::Registration {
        use coldset_app::passkey::b64url;
        use p256::pkcs8::EncodePublicKey;
        let spki = p256::PublicKey::from(self.key.verifying_key()).to_public_key_der().unwrap();
        coldset_app::passkey::Registration {
            credential_id: b64url(b"credential-1"),
            client_data: b64url(&Self::client_data("webauthn.create", challenge, origin)),
            authenticator_data: b64url(&self.auth_data("localhost", 0x05)),
            public_key: b64url(spki.as_bytes()),
            algorithm: -7,
        }
    }

    /// Signs `authData || SHA-256(clientData)` as an authenticator does.
    fn assertion(&mut self, challenge: &str, origin: &str, rp_id: &str, flags: u8) -> coldset_app::passkey::Assertion {
        use coldset_app::passkey::b64url;
        use p256::ecdsa::signature::Signer;
        use sha2::Digest;
        self.counter += 1;
        let client = Self::client_data("webauthn.get", challenge, origin);
        let auth = self.auth_data(rp_id, flags);
        let mut signed = auth.clone();
        signed.extend_from_slice(&sha2::Sha256::digest(&client));
        let signature: p256::ecdsa::Signature = self.key.sign(&signed);
        coldset_app::passkey::Assertion {
            credential_id: b64url(b"credential-1"),
            client_data: b64url(&client),
            authenticator_data: b64url(&auth),
            signature: b64url(signature.to_der().as_bytes()),
        }
    }
}

/// A passkey is registered against a challenge issued for its owner, and a confirmation is
/// accepted only with a fresh challenge for that person, the right origin and relying party,
/// the person verified by the authenticator, a valid signature and a counter that moves on.
#[test]
fn passkey_confirmations_check_challenge_origin_verification_signature_and_counter() {
    use coldset_app::passkey::{self, Expected, Purpose};
    let dir = tempfile::tempdir().unwrap();
    let crew = setup(dir.path());
    let store = crew.store.clone();
    let challenges = crew.app.passkey_challenges();
    let expected = Expected { origin: "http://localhost:8080".into(), rp_id: "localhost".into() };
    let (p, cole, ada) = (&crew.production, &crew.performers[0], &crew.performers[1]);
    let armorer = &crew.armorer;
    let mut device = Authenticator::new();
    // Registration answers a challenge issued to Cole for registering, once.
    let c = challenges.issue(p, cole, Purpose::Confirm, armorer).unwrap();
    let wrong_purpose =
        passkey::register(store.as_ref(), challenges, &expected, p, cole, &device.registration(&c, &expected.origin));
    assert!(wrong_purpose.is_err(), "a confirmation challenge does not register a key");
    let c = challenges.issue(p, cole, Purpose::Register, cole).unwrap();
    passkey::register(store.as_ref(), challenges, &expected, p, cole, &device.registration(&c, &expected.origin))
        .unwrap();
    assert_eq!(store.passkeys(p, cole).unwrap().len(), 1);
    let replay =
        passkey::register(store.as_ref(), challenges, &expected, p, cole, &device.registration(&c, &expected.origin));
    assert!(replay.is_err(), "a challenge is used once");

    let verify =
        |a: &passkey::Assertion, who: &PersonId| passkey::verify(store.as_ref(), challenges, &expected, p, who, a);
    let refused = |r: Result<(), AppError>, why: &str| {
        let e = r.expect_err(why).to_string();
        assert!(!e.is_empty(), "{why}");
        e
    };
    // The good case.
    let c = challenges.issue(p, cole, Purpose::Confirm, armorer).unwrap();
    verify(&device.assertion(&c, &expected.origin, "localhost", 0x05), cole).unwrap();
    // A challenge never issued, or issued for someone else.
    refused(verify(&device.assertion("made-up", &expected.origin, "localhost", 0x05), cole), "unknown challenge");
    let for_ada = challenges.issue(p, ada, Purpose::Confirm, armorer).unwrap();
    refused(verify(&device.assertion(&for_ada, &expected.origin, "localhost", 0x05), cole), "Ada's challenge");
    // Another origin (a phishing page) or another relying party.
    let c = challenges.issue(p, cole, Purpose::Confirm, armorer).unwrap();
    let e = refused(verify(&device.assertion(&c, "http://evil.example", "localhost", 0x05), cole), "origin");
    assert!(e.contains("evil.example"), "{e}");
    let c = challenges.issue(p, cole, Purpose::Confirm, armorer).unwrap();
    refused(verify(&device.assertion(&c, &expected.origin, "evil.example", 0x05), cole), "rp id");
    // Present but not verified (no device PIN or biometric): anyone holding the phone.
    let c = challenges.issue(p, cole, Purpose::Confirm, armorer).unwrap();
    let e = refused(verify(&device.assertion(&c, &expected.origin, "localhost", 0x01), cole), "not verified");
    assert!(e.contains("did not verify"), "{e}");
    // A tampered signature.
    let c = challenges.issue(p, cole, Purpose::Confirm, armorer).unwrap();
    let mut forged = device.assertion(&c, &expected.origin, "localhost", 0x05);
    forged.authenticator_data = passkey::b64url(&device.auth_data("localhost", 0x05 | 0x40));
    refused(verify(&forged, cole), "tampered authenticator data");
    // Cole's key is not Ada's.
    let c = challenges.issue(p, ada, Purpose::Confirm, armorer).unwrap();
    refused(verify(&device.assertion(&c, &expected.origin, "localhost", 0x05), ada), "not Ada's key");
    // A counter that goes backwards: a cloned key.
    let c = challenges.issue(p, cole, Purpose::Confirm, armorer).unwrap();
    device.counter = 0;
    let e = refused(verify(&device.assertion(&c, &expected.origin, "localhost", 0x05), cole), "counter");
    assert!(e.contains("cloned"), "{e}");
}

#[test]
fn a_photo_belongs_to_the_production_it_was_sent_to() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::create(dir.path()).unwrap());
    let app = App::open(store, Arc::new(ManualClock::new(Timestamp(1_790_000_000_000)))).unwrap();
    let admin = Actor::Admin { account: "admin".into() };
    let [a, b] = ["north", "south"].map(|id| ProductionId::parse(id).unwrap());
    for p in [&a, &b] {
        run(
            &app,
            p,
            &admin,
            Command::CreateProduction {
                id: p.clone(),
                name: p.to_string(),
                time_zone: "UTC".into(),
                packs: vec!["industry-us".into()],
                compliance_contact: "safety@example".into(),
            },
        )
        .unwrap();
    }
    let bytes = b"\x89PNG a photo of production north".to_vec();
    let hash = coldset_app::access::hash_bytes(&bytes);
    let report = |p: &ProductionId, with_file: bool| {
        let mut request = Request::new(
            p.clone(),
            Actor::Anonymous,
            Command::FileReport {
                severity: coldset_domain::reports::Severity::Concern,
                text: "loose rounds by the truck".into(),
                subject: None,
                reporter_name: None,
                followup_key_hash: "0".repeat(64),
                photos: vec![hash.clone()],
            },
        );
        if with_file {
            request.attachments = vec![coldset_app::ports::Attachment {
                hash: hash.clone(),
                content_type: "image/png".into(),
                bytes: bytes.clone(),
            }];
        }
        app.execute(request)
    };
    report(&a, true).unwrap();
    // South names north's photo by its hash without sending it: refused, nothing recorded.
    let before = app.state(&b).unwrap().next_seq();
    let err = report(&b, false).unwrap_err();
    assert!(matches!(&err, AppError::Domain(DomainError::Invalid { field, .. }) if field == "photos"), "{err:?}");
    assert_eq!(app.state(&b).unwrap().next_seq(), before);
    // North may name a photo its own reports already hold, and south may send the same file itself.
    report(&a, false).unwrap();
    report(&b, true).unwrap();
}

#[cfg(unix)]
#[test]
fn the_database_and_its_directory_are_for_the_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = SqliteStore::create(&data).unwrap();
    coldset_app::conformance::run_all(&store).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{} is readable by others", path.display());
    }
}

/// Opening a database written by an older coldset migrates it, and first keeps a copy of it
/// as it was (the last migration undone here stands for an older schema).
#[test]
fn a_schema_migration_keeps_a_copy_of_the_database_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::create(dir.path()).unwrap();
    coldset_app::conformance::run_all(&store).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    let latest: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    conn.execute_batch("DROP TABLE person_passkeys;").unwrap();
    conn.pragma_update(None, "user_version", latest - 1).unwrap();
    let events: i64 = conn.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0)).unwrap();
    drop(conn);
    let store = SqliteStore::open(dir.path()).unwrap();
    drop(store);
    let snapshot = dir.path().join(format!("{DB_FILE}.before-schema-{latest}"));
    let old = rusqlite::Connection::open(&snapshot).unwrap();
    let version: i64 = old.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, latest - 1, "the copy is of the database before the migration");
    let copied: i64 = old.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0)).unwrap();
    assert_eq!(copied, events);
    let migrated = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    let version: i64 = migrated.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, latest);
}

/// The same request sent twice at once under one idempotency key (a double tap): both sends
/// get the first's answer, whether the second lands in the first's batch (the writer hands
/// it the first's receipt once committed) or after it (the stored record); it is recorded once.
#[test]
fn a_request_sent_twice_at_once_is_recorded_once_and_both_get_its_answer() {
    let dir = tempfile::tempdir().unwrap();
    let crew = setup(dir.path());
    for round in 0..20 {
        let key = coldset_app::IdempotencyKey {
            account: "admin".into(),
            key: format!("double-tap-{round}"),
            request_hash: format!("hash-{round}"),
        };
        let before = crew.app.state(&crew.production).unwrap().next_seq();
        let barrier = Arc::new(Barrier::new(2));
        let answers: Vec<_> = std::thread::scope(|s| {
            let sends: Vec<_> = (0..2)
                .map(|_| {
                    let (barrier, key) = (barrier.clone(), key.clone());
                    let (app, production) = (&crew.app, &crew.production);
                    s.spawn(move || {
                        let mut request = Request::new(
                            production.clone(),
                            Actor::Admin { account: "admin".into() },
                            Command::SetContacts {
                                studio_safety_office: format!("office-{round}@studio.example"),
                                union_representative: "rep@union.example".into(),
                            },
                        );
                        request.idempotency = Some(key);
                        barrier.wait();
                        app.execute(request)
                    })
                })
                .collect();
            sends.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let seqs: Vec<Vec<u64>> = answers
            .iter()
            .map(|a| {
                a.as_ref().unwrap_or_else(|e| panic!("round {round}: {e:?}")).events.iter().map(|e| e.seq).collect()
            })
            .collect();
        assert_eq!(seqs[0], seqs[1], "round {round}: both sends get the first's events");
        assert_eq!(answers.iter().filter(|a| a.as_ref().unwrap().replayed).count(), 1, "round {round}");
        let after = crew.app.state(&crew.production).unwrap().next_seq();
        assert_eq!(after - before, seqs[0].len() as u64, "round {round}: recorded once");
    }
}
