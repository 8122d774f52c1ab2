//! `coldset move`: an installation's store moved from the embedded SQLite database to
//! PostgreSQL. Every production's log is copied event by event with the tree nodes
//! recomputed from the leaves, the projections rebuilt by replaying the log, and the signed
//! checkpoints copied as they are; then accounts, tokens, second factors, PINs, passkeys,
//! idempotency answers, report photos and undelivered notifications. The copy is then
//! verified as `coldset verify` does (every leaf, every signed root, every checkpoint copy,
//! the projections), and only then is the data directory marked as moved, so that nothing
//! serves the SQLite copy again by mistake (two copies growing apart would fork the log).

use crate::datadir::{self, DataDirError};
use coldset_app::ports::{CommitBatch, Store, StoredNode};
use coldset_domain::{Envelope, ProductionState};
use coldset_ledger::{leaf_hash, CompactTree};
use coldset_store_postgres::{ConnectError, PostgresStore};
use coldset_store_sqlite::SqliteStore;
use std::path::Path;

/// The file that marks a data directory whose store was moved to PostgreSQL.
pub const MOVED_FILE: &str = "moved-to-postgres";

/// Events per commit while copying a log.
const CHUNK: usize = 2000;

/// What `move` copied.
pub struct Moved {
    pub productions: Vec<(String, u64)>,
    pub accounts: usize,
    pub report: Vec<String>,
}

fn other<E: std::fmt::Display>(e: E) -> DataDirError {
    DataDirError::Other(e.to_string())
}

/// Moves the SQLite store of `dir` into the PostgreSQL database `to`, which must be empty
/// (made with `createdb`, or initialised by coldset but holding no production and no
/// account). The server must be stopped (the data directory's lock is taken).
pub fn move_to_postgres(dir: &Path, key_dir: Option<&Path>, to: &str) -> Result<Moved, DataDirError> {
    if dir.join(MOVED_FILE).exists() {
        return Err(DataDirError::Other(format!(
            "{} was moved to PostgreSQL already ({}): a second copy would grow apart from the first",
            dir.display(),
            MOVED_FILE
        )));
    }
    let source = SqliteStore::open(dir)?;
    let _lock = datadir::lock(dir)?;
    // The source must pass the start-up check itself: a log behind its own checkpoints is
    // not moved anywhere.
    let loaded = datadir::read_key(dir, key_dir)?;
    let keys = datadir::key_dir(dir, key_dir);
    let copies = [dir.join(crate::audit::WITNESS_COPY_FILE), keys.join(crate::audit::WITNESS_COPY_FILE)];
    crate::audit::check_not_behind(&source, &loaded.chain, &copies)
        .map_err(|e| DataDirError::Other(format!("not moving this store: {e}")))?;
    let dest = match PostgresStore::connect(to) {
        Ok(store) => store,
        Err(ConnectError::NotInitialised { .. }) => PostgresStore::create(to)?,
        Err(e) => return Err(e.into()),
    };
    let productions = source.productions().map_err(other)?;
    let there = dest.productions().map_err(other)?;
    if let Some(p) = there.iter().find(|r| productions.iter().any(|s| s.id == r.id)) {
        return Err(DataDirError::Other(format!(
            "the database already holds production {}: a move never writes over a log. Move into a new, empty \
             database (createdb)",
            p.id
        )));
    }
    if !there.is_empty() || dest.account_count().map_err(other)? > 0 {
        return Err(DataDirError::Other(
            "the database is not empty (it holds productions or accounts): one database holds one installation, \
             signed by one key. Move into a new, empty database (createdb)"
                .into(),
        ));
    }
    let mut moved = Vec::new();
    for record in &productions {
        let p = &record.id;
        let mut state = ProductionState::new();
        let mut tree = CompactTree::new();
        let mut batch = CommitBatch { productions: vec![record.clone()], ..CommitBatch::default() };
        let mut failure = None;
        source
            .for_each_event(p, 0, &mut |ev| {
                let fail =
                    |what: String| coldset_app::ports::StoreError::Corrupt(format!("{p}: event {}: {what}", ev.seq));
                if ev.seq != tree.size() || leaf_hash(&ev.bytes) != ev.leaf_hash {
                    return Err(fail("out of order, or its leaf hash does not match its bytes".into()));
                }
                let env = Envelope::decode(&ev.bytes).map_err(|e| fail(e.to_string()))?;
                state.apply(&env).map_err(|e| fail(e.to_string()))?;
                tree.append_with(ev.leaf_hash, |node| {
                    if node.level > 0 {
                        batch.nodes.push(StoredNode {
                            production: p.clone(),
                            level: node.level,
                            index: node.index,
                            hash: node.hash,
                        });
                    }
                });
                batch.events.push(ev.clone());
                if batch.events.len() >= CHUNK {
                    if let Err(e) = dest.commit(&std::mem::take(&mut batch)) {
                        failure = Some(e.to_string());
                        return Err(e);
                    }
                }
                Ok(())
            })
            .map_err(|e| DataDirError::Other(failure.take().unwrap_or_else(|| e.to_string())))?;
        // The projections, rebuilt by replaying the log, must be what the source holds.
        let rows = state.all_rows();
        if rows != source.projection_rows(p).map_err(other)? {
            return Err(DataDirError::Other(format!(
                "{p}: the SQLite store's projections differ from its log (run coldset verify): not moved"
            )));
        }
        batch.projections = rows.into_iter().map(|r| (p.clone(), r)).collect();
        dest.commit(&batch).map_err(other)?;
        for cp in source.checkpoints(p).map_err(other)? {
            dest.save_checkpoint(&cp).map_err(other)?;
        }
        moved.push((p.to_string(), tree.size()));
    }
    let access = source.dump_access().map_err(other)?;
    for (account, links) in &access.accounts {
        dest.create_linked_account(account, links).map_err(other)?;
    }
    for token in &access.tokens {
        dest.create_token(token).map_err(other)?;
    }
    for (account, secret, confirmed) in &access.totp {
        dest.set_totp(account, secret, *confirmed).map_err(other)?;
    }
    for (p, person, pin) in &access.pins {
        dest.set_pin(p, person, pin).map_err(other)?;
    }
    for (p, person, key) in &access.passkeys {
        dest.add_passkey(p, person, key).map_err(other)?;
        dest.set_passkey_counter(p, &key.credential_id, key.counter).map_err(other)?;
    }
    dest.commit(&CommitBatch {
        idempotency: access.idempotency.clone(),
        attachments: access.attachments.clone(),
        outbox: access.pending_outbox.clone(),
        ..CommitBatch::default()
    })
    .map_err(other)?;
    drop(dest);
    // The copy, checked as an auditor would: every leaf, signed root and copy, and the
    // projections replay gives.
    let trust = crate::audit::Trust { pinned: None, key_dir, data_dir_key: loaded.inside_data };
    let verified = crate::audit::verify_data_dir(dir, Some(to), &trust)
        .map_err(|e| DataDirError::Other(format!("the copy in PostgreSQL does not verify: {e}")))?;
    let copied = PostgresStore::connect(to)?;
    for (p, n) in &moved {
        let id = coldset_domain::ids::ProductionId::parse(p).map_err(other)?;
        if copied.event_count(&id).map_err(other)? != *n {
            return Err(DataDirError::Other(format!("{p}: the copy does not hold the {n} events of the log")));
        }
    }
    // What people sign in and confirm with, read back through the port the app reads with.
    let differs = |what: String| DataDirError::Other(format!("the copy in PostgreSQL differs: {what}"));
    for (account, links) in &access.accounts {
        if copied.account(&account.name).map_err(other)?.as_ref() != Some(account) {
            return Err(differs(format!("account {}", account.name)));
        }
        for (p, person) in links {
            if copied.account_person(&account.name, p).map_err(other)?.as_ref() != Some(person) {
                return Err(differs(format!("the person account {} is in {p}", account.name)));
            }
        }
    }
    for token in &access.tokens {
        if copied.token(&token.hash).map_err(other)?.as_ref() != Some(token) {
            return Err(differs(format!("a token of {}", token.account)));
        }
    }
    for (account, secret, confirmed) in &access.totp {
        if copied.totp(account).map_err(other)? != Some((secret.clone(), *confirmed)) {
            return Err(differs(format!("the one-time code set-up of {account}")));
        }
    }
    for (p, person, pin) in &access.pins {
        if copied.pin(p, person).map_err(other)?.as_ref() != Some(pin) {
            return Err(differs(format!("the PIN of {person} in {p}")));
        }
    }
    for (p, person, key) in &access.passkeys {
        if !copied.passkeys(p, person).map_err(other)?.contains(key) {
            return Err(differs(format!("a passkey of {person} in {p}")));
        }
    }
    for a in &access.attachments {
        if copied.attachment(&a.hash).map_err(other)?.as_ref() != Some(a) {
            return Err(differs(format!("the file {}", a.hash)));
        }
    }
    #[allow(clippy::disallowed_methods)] // when the move was made, for people
    let at = jiff::Timestamp::now().to_string();
    let marker = serde_json::json!({ "moved_at": at, "database": redact(to) });
    datadir::write_private(&dir.join(MOVED_FILE), format!("{marker}\n").as_bytes())?;
    Ok(Moved { productions: moved, accounts: access.accounts.len(), report: verified.lines })
}

/// A database URL without its password, to write down.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user = &url[scheme + 3..at];
            let user = user.split(':').next().unwrap_or_default();
            format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
