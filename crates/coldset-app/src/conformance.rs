//! The store conformance suite: the behaviour every [`Store`] backend must show, written
//! once and run against each real backend (SQLite and PostgreSQL) from their own tests.
//! Each check returns `Err(description)` instead of panicking so it can live in library code.

use crate::ports::*;
use coldset_domain::ids::ProductionId;
use coldset_domain::{ProjectionRow, Timestamp};

fn ensure(ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(what.to_owned())
    }
}

fn pid(s: &str) -> Result<ProductionId, String> {
    ProductionId::parse(s).map_err(|e| e.to_string())
}

fn event(p: &ProductionId, seq: u64) -> StoredEvent {
    let bytes = format!("{{\"seq\":{seq}}}").into_bytes();
    StoredEvent {
        production: p.clone(),
        seq,
        kind: "test.event".into(),
        at: Timestamp(1_000 + seq as i64),
        leaf_hash: coldset_ledger::leaf_hash(&bytes),
        bytes,
    }
}

/// One check of the suite: `Err` says what the store did wrong.
pub type Check = fn(&dyn Store) -> Result<(), String>;

/// Every check, by name. Each works in productions and accounts of its own, so each can run
/// on a fresh store alone (one test per check: `conformance_tests!`) or after the others
/// (`run_all`).
pub const CHECKS: &[(&str, Check)] = &[
    ("events_round_trip", events_round_trip),
    ("duplicate_sequence_is_a_conflict_and_atomic", duplicate_sequence_is_a_conflict_and_atomic),
    ("projections_upsert", projections_upsert),
    ("tree_nodes", tree_nodes),
    ("checkpoints", checkpoints),
    ("accounts", accounts),
    ("access_records", access_records),
    ("linked_accounts_are_atomic", linked_accounts_are_atomic),
    ("outbox", outbox),
    ("attachments", attachments),
];

/// Runs every check against a fresh, empty store; an error names the check that failed.
pub fn run_all(store: &dyn Store) -> Result<(), String> {
    for (name, check) in CHECKS {
        check(store).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

/// Writes one `#[test]` per check of the suite, each on a fresh store, so that a failure
/// names its check; and a test that the list here is `CHECKS`. `$fresh` is a function
/// `fn(&str) -> (Keep, S)` given the check's name (for a database name, say) that returns a
/// fresh store `S: Store` and whatever must live as long as it (`Keep`: a temporary
/// directory, or `()`). Use it inside a module of the store's test binary:
/// `mod conformance { coldset_app::conformance_tests!(super::fresh_store); }`.
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path) => {
        $crate::conformance_tests!(@each $fresh; events_round_trip, duplicate_sequence_is_a_conflict_and_atomic, projections_upsert, tree_nodes, checkpoints, accounts, access_records, linked_accounts_are_atomic, outbox, attachments);
    };
    (@each $fresh:path; $($check:ident),+) => {
        $(
            #[test]
            fn $check() -> Result<(), String> {
                let (_keep, store) = $fresh(stringify!($check));
                $crate::conformance::$check(&store)
            }
        )+

        #[test]
        fn every_check_of_the_suite_has_its_test() {
            let tested = [$(stringify!($check)),+];
            let suite: Vec<&str> = $crate::conformance::CHECKS.iter().map(|(name, _)| *name).collect();
            assert_eq!(tested.as_slice(), suite.as_slice());
        }
    };
}

pub fn events_round_trip(store: &dyn Store) -> Result<(), String> {
    let p = pid("conf-events")?;
    let batch = CommitBatch {
        productions: vec![ProductionRecord { id: p.clone(), name: "Events".into(), created_at: Timestamp(1) }],
        events: (0..10).map(|s| event(&p, s)).collect(),
        ..Default::default()
    };
    store.commit(&batch).map_err(|e| e.to_string())?;
    ensure(store.event_count(&p).map_err(|e| e.to_string())? == 10, "event_count after 10 appends")?;
    let mut seen = Vec::new();
    store
        .for_each_event(&p, 3, &mut |e| {
            seen.push(e);
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    ensure(seen.len() == 7, "for_each_event from 3 yields 7")?;
    ensure(seen.iter().map(|e| e.seq).eq(3..10), "events come in sequence order")?;
    ensure(seen[0] == event(&p, 3), "an event reads back byte for byte")?;
    ensure(store.event(&p, 9).map_err(|e| e.to_string())? == Some(event(&p, 9)), "event(seq) reads back")?;
    ensure(store.event(&p, 10).map_err(|e| e.to_string())?.is_none(), "a missing event is None")?;
    let prods = store.productions().map_err(|e| e.to_string())?;
    ensure(prods.iter().any(|r| r.id == p && r.name == "Events"), "production listed")?;
    Ok(())
}

pub fn duplicate_sequence_is_a_conflict_and_atomic(store: &dyn Store) -> Result<(), String> {
    let p = pid("conf-dup")?;
    store.commit(&CommitBatch { events: vec![event(&p, 0)], ..Default::default() }).map_err(|e| e.to_string())?;
    // A batch whose second event collides must leave nothing of itself behind.
    let bad = CommitBatch {
        events: vec![event(&p, 1), event(&p, 0)],
        projections: vec![(
            p.clone(),
            ProjectionRow { kind: "x".into(), id: "1".into(), version: 1, body: "{}".into() },
        )],
        ..Default::default()
    };
    match store.commit(&bad) {
        Err(StoreError::Conflict(_)) => {}
        other => return Err(format!("duplicate seq must be a Conflict, got {other:?}")),
    }
    ensure(store.event_count(&p).map_err(|e| e.to_string())? == 1, "failed batch wrote no event")?;
    ensure(store.projection_rows(&p).map_err(|e| e.to_string())?.is_empty(), "failed batch wrote no projection")?;
    Ok(())
}

pub fn projections_upsert(store: &dyn Store) -> Result<(), String> {
    let p = pid("conf-proj")?;
    let row =
        |v: u64, body: &str| ProjectionRow { kind: "firearm".into(), id: "fa-1".into(), version: v, body: body.into() };
    store
        .commit(&CommitBatch { projections: vec![(p.clone(), row(1, "{\"a\":1}"))], ..Default::default() })
        .map_err(|e| e.to_string())?;
    store
        .commit(&CommitBatch { projections: vec![(p.clone(), row(2, "{\"a\":2}"))], ..Default::default() })
        .map_err(|e| e.to_string())?;
    let rows = store.projection_rows(&p).map_err(|e| e.to_string())?;
    ensure(rows == vec![row(2, "{\"a\":2}")], "projection upsert keeps one row at the newest version")?;
    Ok(())
}

pub fn tree_nodes(store: &dyn Store) -> Result<(), String> {
    let p = pid("conf-nodes")?;
    let e0 = event(&p, 0);
    let h = coldset_ledger::node_hash(&e0.leaf_hash, &e0.leaf_hash);
    store
        .commit(&CommitBatch {
            events: vec![e0.clone()],
            nodes: vec![StoredNode { production: p.clone(), level: 1, index: 0, hash: h }],
            ..Default::default()
        })
        .map_err(|e| e.to_string())?;
    ensure(store.node(&p, 0, 0).map_err(|e| e.to_string())? == Some(e0.leaf_hash), "level 0 is the leaf hash")?;
    ensure(store.node(&p, 1, 0).map_err(|e| e.to_string())? == Some(h), "level 1 node reads back")?;
    ensure(store.node(&p, 1, 1).map_err(|e| e.to_string())?.is_none(), "missing node is None")?;
    Ok(())
}

pub fn checkpoints(store: &dyn Store) -> Result<(), String> {
    let p = pid("conf-cp")?;
    let cp = |size: u64| StoredCheckpoint {
        production: p.clone(),
        size,
        root: [size as u8; 32],
        at: Timestamp(5),
        note: format!("note {size}"),
    };
    ensure(store.latest_checkpoint(&p).map_err(|e| e.to_string())?.is_none(), "no checkpoint yet")?;
    store.save_checkpoint(&cp(3)).map_err(|e| e.to_string())?;
    store.save_checkpoint(&cp(7)).map_err(|e| e.to_string())?;
    store.save_checkpoint(&cp(7)).map_err(|e| e.to_string())?;
    let all = store.checkpoints(&p).map_err(|e| e.to_string())?;
    ensure(all == vec![cp(3), cp(7)], "checkpoints listed by size, saving the same size twice keeps one")?;
    ensure(store.latest_checkpoint(&p).map_err(|e| e.to_string())? == Some(cp(7)), "latest is the largest")?;
    let recent = store.recent_checkpoints(&p, 1).map_err(|e| e.to_string())?;
    ensure(recent == vec![cp(7)], "recent checkpoints come newest first, up to the limit")?;
    let recent = store.recent_checkpoints(&p, 10).map_err(|e| e.to_string())?;
    ensure(recent == vec![cp(7), cp(3)], "recent checkpoints: all of them when fewer than the limit")?;
    ensure(store.checkpoint_at(&p, 3).map_err(|e| e.to_string())? == Some(cp(3)), "the checkpoint of a size")?;
    ensure(store.checkpoint_at(&p, 5).map_err(|e| e.to_string())?.is_none(), "no checkpoint of a size not signed")?;
    let other = pid("conf-cp-other")?;
    ensure(store.checkpoint_at(&other, 3).map_err(|e| e.to_string())?.is_none(), "a size of another production")?;
    Ok(())
}

pub fn accounts(store: &dyn Store) -> Result<(), String> {
    let before = store.account_count().map_err(|e| e.to_string())?;
    let a = AccountRecord {
        name: "conf-user".into(),
        password_hash: "$argon2id$x".into(),
        is_admin: false,
        created_at: Timestamp(9),
    };
    store.create_account(&a).map_err(|e| e.to_string())?;
    ensure(store.account("conf-user").map_err(|e| e.to_string())? == Some(a.clone()), "account reads back")?;
    ensure(store.account("nobody").map_err(|e| e.to_string())?.is_none(), "unknown account is None")?;
    match store.create_account(&a) {
        Err(StoreError::Conflict(_)) => {}
        other => return Err(format!("duplicate account must be a Conflict, got {other:?}")),
    }
    ensure(store.account_count().map_err(|e| e.to_string())? == before + 1, "account_count")?;
    Ok(())
}

/// An account and its links are written together or not at all.
pub fn linked_accounts_are_atomic(store: &dyn Store) -> Result<(), String> {
    let p = pid("conf-linked")?;
    let person = |id: &str| coldset_domain::ids::PersonId::parse(id).map_err(|e| e.to_string());
    let account = |name: &str| AccountRecord {
        name: name.into(),
        password_hash: "h".into(),
        is_admin: false,
        created_at: Timestamp(1),
    };
    store.create_linked_account(&account("both"), &[(p.clone(), person("p-1")?)]).map_err(|e| e.to_string())?;
    ensure(store.account("both").map_err(|e| e.to_string())?.is_some(), "the account is there")?;
    ensure(store.account_person("both", &p).map_err(|e| e.to_string())? == Some(person("p-1")?), "and its link")?;
    // Two people in one production for one account: the second link is refused, and so is
    // the whole account.
    match store.create_linked_account(&account("neither"), &[(p.clone(), person("p-1")?), (p.clone(), person("p-2")?)])
    {
        Err(StoreError::Conflict(_)) => {}
        other => return Err(format!("a refused link must be a Conflict, got {other:?}")),
    }
    ensure(store.account("neither").map_err(|e| e.to_string())?.is_none(), "no account without its links")?;
    Ok(())
}

/// Accounts linked to people, tokens, PINs and idempotency records.
pub fn access_records(store: &dyn Store) -> Result<(), String> {
    let p = pid("conf-access")?;
    let person = coldset_domain::ids::PersonId::parse("p-3").map_err(|e| e.to_string())?;
    store
        .create_account(&AccountRecord {
            name: "linked".into(),
            password_hash: "h".into(),
            is_admin: false,
            created_at: Timestamp(1),
        })
        .map_err(|e| e.to_string())?;
    ensure(store.account_person("linked", &p).map_err(|e| e.to_string())?.is_none(), "no link yet")?;
    store.link_account("linked", &p, &person).map_err(|e| e.to_string())?;
    ensure(store.account_person("linked", &p).map_err(|e| e.to_string())? == Some(person.clone()), "link reads back")?;
    ensure(
        store.person_account(&p, &person).map_err(|e| e.to_string())?.as_deref() == Some("linked"),
        "the person's account reads back",
    )?;
    match store.link_account("linked", &p, &person) {
        Err(StoreError::Conflict(_)) => {}
        other => return Err(format!("a second link in one production must be a Conflict, got {other:?}")),
    }
    let t = TokenRecord {
        hash: "ab".repeat(32),
        account: "linked".into(),
        scopes: vec!["read".into(), "write".into()],
        created_at: Timestamp(2),
        expires_at: Some(Timestamp(99)),
    };
    store.create_token(&t).map_err(|e| e.to_string())?;
    ensure(store.token(&t.hash).map_err(|e| e.to_string())? == Some(t.clone()), "token reads back")?;
    ensure(store.token(&"cd".repeat(32)).map_err(|e| e.to_string())?.is_none(), "unknown token is None")?;
    store.revoke_token(&t.hash).map_err(|e| e.to_string())?;
    ensure(store.token(&t.hash).map_err(|e| e.to_string())?.is_none(), "a revoked token is gone")?;
    store.create_token(&t).map_err(|e| e.to_string())?;
    ensure(store.totp("linked").map_err(|e| e.to_string())?.is_none(), "no TOTP yet")?;
    store.set_totp("linked", "JBSWY3DPEHPK3PXP", false).map_err(|e| e.to_string())?;
    store.set_totp("linked", "JBSWY3DPEHPK3PXP", true).map_err(|e| e.to_string())?;
    ensure(
        store.totp("linked").map_err(|e| e.to_string())? == Some(("JBSWY3DPEHPK3PXP".into(), true)),
        "TOTP reads back",
    )?;
    // A reset (forgotten password, lost phone): new password, no token, no second factor;
    // the link to the person stays. Then the token is made again for what follows.
    ensure(store.reset_account("linked", "h2").map_err(|e| e.to_string())?, "reset finds the account")?;
    let reset = store.account("linked").map_err(|e| e.to_string())?.map(|a| a.password_hash);
    ensure(reset.as_deref() == Some("h2"), "the reset replaces the password")?;
    ensure(store.token(&t.hash).map_err(|e| e.to_string())?.is_none(), "the reset ends the tokens")?;
    ensure(store.totp("linked").map_err(|e| e.to_string())?.is_none(), "the reset removes the second factor")?;
    ensure(store.account_person("linked", &p).map_err(|e| e.to_string())? == Some(person.clone()), "link kept")?;
    ensure(!store.reset_account("nobody", "h").map_err(|e| e.to_string())?, "no such account")?;
    ensure(store.set_password("linked", "h3").map_err(|e| e.to_string())?, "set_password finds the account")?;
    let changed = store.account("linked").map_err(|e| e.to_string())?.map(|a| a.password_hash);
    ensure(changed.as_deref() == Some("h3"), "set_password replaces the password")?;
    ensure(!store.set_password("nobody", "h").map_err(|e| e.to_string())?, "set_password: no such account")?;
    store.create_token(&t).map_err(|e| e.to_string())?;
    ensure(store.pin(&p, &person).map_err(|e| e.to_string())?.is_none(), "no PIN yet")?;
    store.set_pin(&p, &person, "pin1").map_err(|e| e.to_string())?;
    store.set_pin(&p, &person, "pin2").map_err(|e| e.to_string())?;
    ensure(store.pin(&p, &person).map_err(|e| e.to_string())? == Some("pin2".into()), "PIN replaced")?;
    ensure(store.passkeys(&p, &person).map_err(|e| e.to_string())?.is_empty(), "no passkey yet")?;
    let key = crate::ports::Passkey { credential_id: "cred-1".into(), public_key: "spki".into(), counter: 0 };
    store.add_passkey(&p, &person, &key).map_err(|e| e.to_string())?;
    ensure(store.add_passkey(&p, &person, &key).is_err(), "a credential id registers once")?;
    store.set_passkey_counter(&p, "cred-1", 7).map_err(|e| e.to_string())?;
    ensure(
        store.passkeys(&p, &person).map_err(|e| e.to_string())? == vec![crate::ports::Passkey { counter: 7, ..key }],
        "passkey stored with its counter",
    )?;
    // A reset for a lost phone also removes the passkeys of the account's person.
    ensure(store.reset_account("linked", "h4").map_err(|e| e.to_string())?, "second reset")?;
    ensure(store.passkeys(&p, &person).map_err(|e| e.to_string())?.is_empty(), "the reset removes passkeys")?;
    let rec = IdempotencyRecord {
        account: "linked".into(),
        key: "k1".into(),
        production: p.clone(),
        request_hash: "rh".into(),
        seqs: "4,5".into(),
    };
    store.commit(&CommitBatch { idempotency: vec![rec.clone()], ..Default::default() }).map_err(|e| e.to_string())?;
    ensure(
        store.idempotency("linked", "k1").map_err(|e| e.to_string())? == Some(rec.clone()),
        "idempotency reads back",
    )?;
    match store.commit(&CommitBatch { idempotency: vec![rec], ..Default::default() }) {
        Err(StoreError::Conflict(_)) => {}
        other => return Err(format!("a reused idempotency key must be a Conflict, got {other:?}")),
    }
    Ok(())
}

/// The notification outbox: items committed with a batch, due ones listed, retries and
/// deliveries recorded.
pub fn outbox(store: &dyn Store) -> Result<(), String> {
    let p = pid("conf-outbox")?;
    let item = |target: &str, at: i64| OutboxItem {
        id: 0,
        production: p.clone(),
        event_seq: 7,
        channel: "webhook".into(),
        target: target.into(),
        payload: "{}".into(),
        attempts: 0,
        next_attempt_at: Timestamp(at),
        delivered_at: None,
        last_error: None,
    };
    store
        .commit(&CommitBatch { outbox: vec![item("http://a", 100), item("http://b", 200)], ..Default::default() })
        .map_err(|e| e.to_string())?;
    let due = store.outbox_due(Timestamp(150), 10).map_err(|e| e.to_string())?;
    ensure(due.len() == 1 && due[0].target == "http://a" && due[0].id > 0, "only the due item is listed, with an id")?;
    store.outbox_failed(due[0].id, 1, Timestamp(300), "connection refused").map_err(|e| e.to_string())?;
    ensure(
        store.outbox_due(Timestamp(250), 10).map_err(|e| e.to_string())?.iter().all(|i| i.target == "http://b"),
        "a failed item waits for its retry",
    )?;
    let again = store.outbox_due(Timestamp(300), 10).map_err(|e| e.to_string())?;
    ensure(again.len() == 2, "both due at 300")?;
    let a = again.iter().find(|i| i.target == "http://a").ok_or("a missing")?;
    ensure(a.attempts == 1 && a.last_error.as_deref() == Some("connection refused"), "the failure is recorded")?;
    store.outbox_delivered(a.id, Timestamp(301)).map_err(|e| e.to_string())?;
    ensure(
        store.outbox_due(Timestamp(1000), 10).map_err(|e| e.to_string())?.len() == 1,
        "a delivered item is never due again",
    )?;
    let recent = store.outbox_recent(10).map_err(|e| e.to_string())?;
    ensure(
        recent.iter().any(|i| i.target == "http://a" && i.delivered_at == Some(Timestamp(301))),
        "the delivery log shows it",
    )?;
    Ok(())
}

/// Attachments are stored with their batch, by hash; storing the same file twice is fine.
pub fn attachments(store: &dyn Store) -> Result<(), String> {
    let a = Attachment { hash: "ef".repeat(32), content_type: "image/png".into(), bytes: vec![1, 2, 3] };
    ensure(store.attachment(&a.hash).map_err(|e| e.to_string())?.is_none(), "no attachment yet")?;
    store.commit(&CommitBatch { attachments: vec![a.clone()], ..Default::default() }).map_err(|e| e.to_string())?;
    store.commit(&CommitBatch { attachments: vec![a.clone()], ..Default::default() }).map_err(|e| e.to_string())?;
    ensure(store.attachment(&a.hash).map_err(|e| e.to_string())? == Some(a), "attachment reads back")?;
    Ok(())
}
