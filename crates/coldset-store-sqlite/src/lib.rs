//! coldset's embedded store: SQLite in WAL mode with `synchronous=FULL`, so a commit is on
//! disk before the writer acknowledges it. Implements the backend-neutral
//! [`coldset_app::Store`] port; no SQLite type leaves this crate.
//!
//! Must never depend on the web crate or the binary.

mod migrations;

use coldset_app::ports::*;
use coldset_domain::ids::{PersonId, ProductionId};
use coldset_domain::{ProjectionRow, Timestamp};
use coldset_ledger::Hash;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The database file name inside a data directory.
pub const DB_FILE: &str = "coldset.db";

pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "no coldset database at {0}: run `coldset init --data <DIR>` first (serve never creates an empty database)"
    )]
    Missing(PathBuf),
    #[error("a database already exists at {0}")]
    Exists(PathBuf),
    #[error("{path} is not a usable coldset database: {reason}")]
    Unusable { path: PathBuf, reason: String },
}

fn unusable(path: &Path, e: impl std::fmt::Display) -> OpenError {
    OpenError::Unusable { path: path.to_owned(), reason: e.to_string() }
}

fn map_err(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            StoreError::Conflict(e.to_string())
        }
        _ => StoreError::Unavailable(e.to_string()),
    }
}

fn hash_from(v: Vec<u8>) -> Result<Hash, StoreError> {
    Hash::try_from(v.as_slice())
        .map_err(|_| StoreError::Corrupt(format!("a stored hash has {} bytes, not 32", v.len())))
}

fn u64_from(v: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("negative {what}: {v}")))
}

fn i64_from(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Unavailable(format!("{v} does not fit the database")))
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // WAL for concurrent readers; FULL so the WAL is fsync'd at every commit: an
    // acknowledged event survives power loss (never NORMAL for the ledger).
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

impl SqliteStore {
    /// Creates a new database in `dir` (which may not hold one yet) and runs migrations.
    pub fn create(dir: &Path) -> Result<SqliteStore, OpenError> {
        let path = dir.join(DB_FILE);
        if path.exists() {
            return Err(OpenError::Exists(path));
        }
        std::fs::create_dir_all(dir).map_err(|e| unusable(dir, e))?;
        // The database holds password hashes and second-factor secrets: the directory and
        // the file (whose permissions SQLite gives its WAL and shared-memory files too) are
        // for the owner only. The file is made empty first so it is never readable by others.
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| unusable(dir, e))?;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .map_err(|e| unusable(&path, e))?;
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| unusable(&path, e))?;
        configure(&conn).map_err(|e| unusable(&path, e))?;
        migrate(&conn).map_err(|e| unusable(&path, e))?;
        Ok(SqliteStore { path, writer: Mutex::new(conn), readers: Mutex::new(Vec::new()) })
    }

    /// Opens an existing, initialised database; never creates one.
    pub fn open(dir: &Path) -> Result<SqliteStore, OpenError> {
        let path = dir.join(DB_FILE);
        if !path.is_file() {
            return Err(OpenError::Missing(path));
        }
        let conn =
            Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| unusable(&path, e))?;
        configure(&conn).map_err(|e| unusable(&path, e))?;
        let version: i64 =
            conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(|e| unusable(&path, e))?;
        if version == 0 {
            return Err(unusable(&path, "it was never initialised (run `coldset init`)"));
        }
        if version as usize > migrations::MIGRATIONS.len() {
            return Err(unusable(&path, format!("it was written by a newer coldset (schema {version})")));
        }
        if (version as usize) < migrations::MIGRATIONS.len() {
            // A copy of the database as it was, before a newer coldset changes its schema.
            let snapshot = path.with_file_name(format!("{DB_FILE}.before-schema-{}", migrations::MIGRATIONS.len()));
            if !snapshot.exists() {
                backup_connection(&conn, &snapshot).map_err(|e| unusable(&snapshot, e))?;
            }
        }
        migrate(&conn).map_err(|e| unusable(&path, e))?;
        Ok(SqliteStore { path, writer: Mutex::new(conn), readers: Mutex::new(Vec::new()) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checkpoints of a production by `sql` (which selects size, root, at and note, takes the
    /// production as `?1` and a limit as `?2`), at most `limit` of them (-1: all).
    fn checkpoint_rows(
        &self,
        production: &ProductionId,
        sql: &str,
        limit: i64,
    ) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.with_reader(|c| {
            let mut st = c.prepare_cached(sql).map_err(map_err)?;
            let rows = st
                .query_map(params![production.as_str(), limit], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?))
                })
                .map_err(map_err)?;
            let mut out = Vec::new();
            for row in rows {
                let (size, root, at, note) = row.map_err(map_err)?;
                out.push(StoredCheckpoint {
                    production: production.clone(),
                    size: u64_from(size, "size")?,
                    root: hash_from(root)?,
                    at: Timestamp(at),
                    note,
                });
            }
            Ok(out)
        })
    }

    fn with_reader<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let conn = match self.readers.lock().map_err(|_| StoreError::Unavailable("reader pool poisoned".into()))?.pop()
        {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(map_err)?;
                c.busy_timeout(std::time::Duration::from_secs(5)).map_err(map_err)?;
                c
            }
        };
        let out = f(&conn);
        if let Ok(mut pool) = self.readers.lock() {
            if pool.len() < 8 {
                pool.push(conn);
            }
        }
        out
    }

    fn with_writer<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.writer.lock().map_err(|_| StoreError::Unavailable("writer lock poisoned".into()))?;
        f(&mut conn)
    }
}

/// Copies the database of `dir` to `dest` (a new file, mode 0600) with SQLite's online
/// backup, while a server may be writing to it: one step inside one read transaction, so
/// the copy is a consistent snapshot of every committed transaction, and writers are not
/// blocked (WAL). Opens the database read-only; never takes the data directory's lock.
pub fn backup(dir: &Path, dest: &Path) -> Result<(), OpenError> {
    let path = dir.join(DB_FILE);
    if !path.is_file() {
        return Err(OpenError::Missing(path));
    }
    let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| unusable(&path, e))?;
    conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(|e| unusable(&path, e))?;
    backup_connection(&conn, dest).map_err(|e| unusable(dest, e))
}

fn backup_connection(src: &Connection, dest: &Path) -> Result<(), String> {
    if dest.exists() {
        return Err("it exists already".into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(dest).map_err(|e| e.to_string())?;
    }
    let mut dst = Connection::open(dest).map_err(|e| e.to_string())?;
    {
        let backup = rusqlite::backup::Backup::new(src, &mut dst).map_err(|e| e.to_string())?;
        // -1: every page in one step, so the copy is one snapshot and never restarts.
        match backup.step(-1).map_err(|e| e.to_string())? {
            rusqlite::backup::StepResult::Done => {}
            other => return Err(format!("the backup did not finish ({other:?})")),
        }
    }
    // A self-contained file: no WAL beside it.
    dst.pragma_update(None, "journal_mode", "DELETE").map_err(|e| e.to_string())?;
    Ok(())
}

fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let done: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in migrations::MIGRATIONS.iter().enumerate().skip(done.max(0) as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// One event row as read: production, seq, kind, time, body, leaf hash.
type EventRow = (String, i64, String, i64, Vec<u8>, Vec<u8>);

fn read_event(row: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?))
}

fn to_event(raw: EventRow) -> Result<StoredEvent, StoreError> {
    let (production, seq, kind, at, bytes, leaf) = raw;
    Ok(StoredEvent {
        production: ProductionId::parse(&production).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        seq: u64_from(seq, "sequence number")?,
        kind,
        at: Timestamp(at),
        bytes,
        leaf_hash: hash_from(leaf)?,
    })
}

const EVENT_COLUMNS: &str = "production, seq, kind, at, body, leaf_hash";

impl Store for SqliteStore {
    fn productions(&self) -> Result<Vec<ProductionRecord>, StoreError> {
        self.with_reader(|c| {
            let mut st = c.prepare("SELECT id, name, created_at FROM productions ORDER BY id").map_err(map_err)?;
            let rows = st
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))
                .map_err(map_err)?;
            let mut out = Vec::new();
            for row in rows {
                let (id, name, at) = row.map_err(map_err)?;
                out.push(ProductionRecord {
                    id: ProductionId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    name,
                    created_at: Timestamp(at),
                });
            }
            Ok(out)
        })
    }

    fn for_each_event(
        &self,
        production: &ProductionId,
        from_seq: u64,
        f: &mut dyn FnMut(StoredEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.with_reader(|c| {
            let mut st = c
                .prepare(&format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE production = ?1 AND seq >= ?2 ORDER BY seq"
                ))
                .map_err(map_err)?;
            let mut rows = st.query(params![production.as_str(), i64_from(from_seq)?]).map_err(map_err)?;
            // Every row is of this production: reuse its id rather than parse it per row
            // (replays and verification read millions of rows).
            while let Some(row) = rows.next().map_err(map_err)? {
                let leaf: Vec<u8> = row.get(5).map_err(map_err)?;
                f(StoredEvent {
                    production: production.clone(),
                    seq: u64_from(row.get(1).map_err(map_err)?, "sequence number")?,
                    kind: row.get(2).map_err(map_err)?,
                    at: Timestamp(row.get(3).map_err(map_err)?),
                    bytes: row.get(4).map_err(map_err)?,
                    leaf_hash: hash_from(leaf)?,
                })?;
            }
            Ok(())
        })
    }

    fn for_each_leaf(&self, production: &ProductionId, f: &mut LeafVisitor<'_>) -> Result<(), StoreError> {
        self.with_reader(|c| {
            let mut st = c
                .prepare_cached("SELECT seq, body, leaf_hash FROM events WHERE production = ?1 ORDER BY seq")
                .map_err(map_err)?;
            let mut rows = st.query([production.as_str()]).map_err(map_err)?;
            while let Some(row) = rows.next().map_err(map_err)? {
                let seq = u64_from(row.get(0).map_err(map_err)?, "sequence number")?;
                let body = row.get_ref(1).and_then(|v| v.as_blob().map_err(Into::into)).map_err(map_err)?;
                let leaf = row.get_ref(2).and_then(|v| v.as_blob().map_err(Into::into)).map_err(map_err)?;
                f(seq, body, leaf)?;
            }
            Ok(())
        })
    }

    fn event(&self, production: &ProductionId, seq: u64) -> Result<Option<StoredEvent>, StoreError> {
        self.with_reader(|c| {
            let raw = c
                .query_row(
                    &format!("SELECT {EVENT_COLUMNS} FROM events WHERE production = ?1 AND seq = ?2"),
                    params![production.as_str(), i64_from(seq)?],
                    read_event,
                )
                .optional()
                .map_err(map_err)?;
            raw.map(to_event).transpose()
        })
    }

    fn event_count(&self, production: &ProductionId) -> Result<u64, StoreError> {
        self.with_reader(|c| {
            // Sequence numbers run from 0 without gaps (the writer assigns them; verify checks
            // it), so the length is the last one plus one: a primary-key lookup, where
            // COUNT(*) would scan the whole log.
            let n: i64 = c
                .prepare_cached("SELECT COALESCE(MAX(seq) + 1, 0) FROM events WHERE production = ?1")
                .and_then(|mut st| st.query_row([production.as_str()], |r| r.get(0)))
                .map_err(map_err)?;
            u64_from(n, "count")
        })
    }

    fn commit(&self, batch: &CommitBatch) -> Result<(), StoreError> {
        // One process writes an SQLite file: there are no leases to check, and a batch
        // written under some was meant for a shared store.
        if let Some(fence) = &batch.fence {
            return Err(StoreError::LeaseLost(format!("{} (an SQLite store has no leases)", fence.node)));
        }
        self.with_writer(|conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(map_err)?;
            {
                let mut ins_prod = tx
                    .prepare_cached("INSERT INTO productions (id, name, created_at) VALUES (?1, ?2, ?3)")
                    .map_err(map_err)?;
                for p in &batch.productions {
                    ins_prod.execute(params![p.id.as_str(), p.name, p.created_at.0]).map_err(map_err)?;
                }
                let mut ins_ev = tx
                    .prepare_cached(&format!("INSERT INTO events ({EVENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"))
                    .map_err(map_err)?;
                for e in &batch.events {
                    ins_ev
                        .execute(params![e.production.as_str(), i64_from(e.seq)?, e.kind, e.at.0, e.bytes, &e.leaf_hash[..]])
                        .map_err(map_err)?;
                }
                let mut ins_node = tx
                    .prepare_cached("INSERT INTO tree_nodes (production, level, idx, hash) VALUES (?1, ?2, ?3, ?4)")
                    .map_err(map_err)?;
                for n in &batch.nodes {
                    ins_node
                        .execute(params![n.production.as_str(), n.level, i64_from(n.index)?, &n.hash[..]])
                        .map_err(map_err)?;
                }
                let mut upsert = tx
                    .prepare_cached(
                        "INSERT INTO projections (production, kind, id, version, body) VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT (production, kind, id) DO UPDATE SET version = excluded.version, body = excluded.body",
                    )
                    .map_err(map_err)?;
                for (p, row) in &batch.projections {
                    upsert
                        .execute(params![p.as_str(), row.kind, row.id, i64_from(row.version)?, row.body])
                        .map_err(map_err)?;
                }
                let mut ins_idem = tx
                    .prepare_cached(
                        "INSERT INTO idempotency_keys (account, key, production, request_hash, seqs) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )
                    .map_err(map_err)?;
                for r in &batch.idempotency {
                    ins_idem
                        .execute(params![r.account, r.key, r.production.as_str(), r.request_hash, r.seqs])
                        .map_err(map_err)?;
                }
                let mut ins_att = tx
                    .prepare_cached(
                        "INSERT INTO attachments (hash, content_type, bytes) VALUES (?1, ?2, ?3) ON CONFLICT (hash) DO NOTHING",
                    )
                    .map_err(map_err)?;
                for a in &batch.attachments {
                    ins_att.execute(params![a.hash, a.content_type, a.bytes]).map_err(map_err)?;
                }
                let mut ins_out = tx
                    .prepare_cached(
                        "INSERT INTO outbox (production, event_seq, channel, target, payload, attempts, next_attempt_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )
                    .map_err(map_err)?;
                for o in &batch.outbox {
                    ins_out
                        .execute(params![
                            o.production.as_str(),
                            i64_from(o.event_seq)?,
                            o.channel,
                            o.target,
                            o.payload,
                            o.attempts,
                            o.next_attempt_at.0
                        ])
                        .map_err(map_err)?;
                }
            }
            tx.commit().map_err(map_err)
        })
    }

    fn projection_rows(&self, production: &ProductionId) -> Result<Vec<ProjectionRow>, StoreError> {
        self.with_reader(|c| {
            let mut st = c
                .prepare("SELECT kind, id, version, body FROM projections WHERE production = ?1 ORDER BY kind, id")
                .map_err(map_err)?;
            let rows = st
                .query_map([production.as_str()], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?))
                })
                .map_err(map_err)?;
            let mut out = Vec::new();
            for row in rows {
                let (kind, id, version, body) = row.map_err(map_err)?;
                out.push(ProjectionRow { kind, id, version: u64_from(version, "version")?, body });
            }
            Ok(out)
        })
    }

    fn node(&self, production: &ProductionId, level: u8, index: u64) -> Result<Option<Hash>, StoreError> {
        self.with_reader(|c| {
            // Proofs read many nodes: cached statements keep each read to a lookup.
            let index = i64_from(index)?;
            let raw: Option<Vec<u8>> = if level == 0 {
                c.prepare_cached("SELECT leaf_hash FROM events WHERE production = ?1 AND seq = ?2")
                    .and_then(|mut st| st.query_row(params![production.as_str(), index], |r| r.get(0)).optional())
            } else {
                c.prepare_cached("SELECT hash FROM tree_nodes WHERE production = ?1 AND level = ?2 AND idx = ?3")
                    .and_then(|mut st| {
                        st.query_row(params![production.as_str(), level, index], |r| r.get(0)).optional()
                    })
            }
            .map_err(map_err)?;
            raw.map(hash_from).transpose()
        })
    }

    fn save_checkpoint(&self, cp: &StoredCheckpoint) -> Result<(), StoreError> {
        self.with_writer(|c| {
            c.execute(
                "INSERT INTO checkpoints (production, size, root, at, note) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (production, size) DO NOTHING",
                params![cp.production.as_str(), i64_from(cp.size)?, &cp.root[..], cp.at.0, cp.note],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    fn checkpoints(&self, production: &ProductionId) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.checkpoint_rows(
            production,
            "SELECT size, root, at, note FROM checkpoints WHERE production = ?1 ORDER BY size LIMIT ?2",
            -1,
        )
    }

    fn recent_checkpoints(&self, production: &ProductionId, limit: u32) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.checkpoint_rows(
            production,
            "SELECT size, root, at, note FROM checkpoints WHERE production = ?1 ORDER BY size DESC LIMIT ?2",
            i64::from(limit),
        )
    }

    fn latest_checkpoint(&self, production: &ProductionId) -> Result<Option<StoredCheckpoint>, StoreError> {
        Ok(self.checkpoints(production)?.pop())
    }

    fn create_account(&self, a: &AccountRecord) -> Result<(), StoreError> {
        self.with_writer(|c| {
            c.execute(
                "INSERT INTO accounts (name, password_hash, is_admin, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![a.name, a.password_hash, a.is_admin, a.created_at.0],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    fn create_linked_account(&self, a: &AccountRecord, links: &[(ProductionId, PersonId)]) -> Result<(), StoreError> {
        self.with_writer(|c| {
            let tx = c.transaction().map_err(map_err)?;
            tx.execute(
                "INSERT INTO accounts (name, password_hash, is_admin, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![a.name, a.password_hash, a.is_admin, a.created_at.0],
            )
            .map_err(map_err)?;
            for (production, person) in links {
                tx.execute(
                    "INSERT INTO account_people (account, production, person) VALUES (?1, ?2, ?3)",
                    params![a.name, production.as_str(), person.as_str()],
                )
                .map_err(map_err)?;
            }
            tx.commit().map_err(map_err)
        })
    }

    fn account(&self, name: &str) -> Result<Option<AccountRecord>, StoreError> {
        self.with_reader(|c| {
            c.query_row("SELECT name, password_hash, is_admin, created_at FROM accounts WHERE name = ?1", [name], |r| {
                Ok(AccountRecord {
                    name: r.get(0)?,
                    password_hash: r.get(1)?,
                    is_admin: r.get(2)?,
                    created_at: Timestamp(r.get(3)?),
                })
            })
            .optional()
            .map_err(map_err)
        })
    }

    fn account_count(&self) -> Result<u64, StoreError> {
        self.with_reader(|c| {
            let n: i64 = c.query_row("SELECT COUNT(*) FROM accounts", [], |r| r.get(0)).map_err(map_err)?;
            u64_from(n, "count")
        })
    }

    fn link_account(&self, account: &str, production: &ProductionId, person: &PersonId) -> Result<(), StoreError> {
        self.with_writer(|c| {
            c.execute(
                "INSERT INTO account_people (account, production, person) VALUES (?1, ?2, ?3)",
                params![account, production.as_str(), person.as_str()],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    fn person_account(&self, production: &ProductionId, person: &PersonId) -> Result<Option<String>, StoreError> {
        self.with_reader(|c| {
            c.query_row(
                "SELECT account FROM account_people WHERE production = ?1 AND person = ?2 ORDER BY account LIMIT 1",
                params![production.as_str(), person.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(map_err)
        })
    }

    fn account_person(&self, account: &str, production: &ProductionId) -> Result<Option<PersonId>, StoreError> {
        self.with_reader(|c| {
            let raw: Option<String> = c
                .query_row(
                    "SELECT person FROM account_people WHERE account = ?1 AND production = ?2",
                    params![account, production.as_str()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(map_err)?;
            raw.map(|p| PersonId::parse(&p).map_err(|e| StoreError::Corrupt(e.to_string()))).transpose()
        })
    }

    fn create_token(&self, t: &TokenRecord) -> Result<(), StoreError> {
        self.with_writer(|c| {
            c.execute(
                "INSERT INTO api_tokens (hash, account, scopes, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![t.hash, t.account, t.scopes.join(","), t.created_at.0, t.expires_at.map(|e| e.0)],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    fn token(&self, hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.with_reader(|c| {
            c.query_row(
                "SELECT hash, account, scopes, created_at, expires_at FROM api_tokens WHERE hash = ?1",
                [hash],
                |r| {
                    let scopes: String = r.get(2)?;
                    Ok(TokenRecord {
                        hash: r.get(0)?,
                        account: r.get(1)?,
                        scopes: scopes.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                        created_at: Timestamp(r.get(3)?),
                        expires_at: r.get::<_, Option<i64>>(4)?.map(Timestamp),
                    })
                },
            )
            .optional()
            .map_err(map_err)
        })
    }

    fn set_totp(&self, account: &str, secret: &str, confirmed: bool) -> Result<(), StoreError> {
        self.with_writer(|c| {
            c.execute(
                "INSERT INTO account_totp (account, secret, confirmed) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account) DO UPDATE SET secret = excluded.secret, confirmed = excluded.confirmed",
                params![account, secret, confirmed],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    fn totp(&self, account: &str) -> Result<Option<(String, bool)>, StoreError> {
        self.with_reader(|c| {
            c.query_row("SELECT secret, confirmed FROM account_totp WHERE account = ?1", [account], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(map_err)
        })
    }

    fn revoke_token(&self, hash: &str) -> Result<(), StoreError> {
        self.with_writer(|c| {
            c.execute("DELETE FROM api_tokens WHERE hash = ?1", [hash]).map_err(map_err)?;
            Ok(())
        })
    }

    fn set_password(&self, name: &str, password_hash: &str) -> Result<bool, StoreError> {
        self.with_writer(|c| {
            let found = c
                .execute("UPDATE accounts SET password_hash = ?1 WHERE name = ?2", [password_hash, name])
                .map_err(map_err)?;
            Ok(found > 0)
        })
    }

    fn reset_account(&self, name: &str, password_hash: &str) -> Result<bool, StoreError> {
        self.with_writer(|c| {
            let tx = c.transaction().map_err(map_err)?;
            let found = tx
                .execute("UPDATE accounts SET password_hash = ?1 WHERE name = ?2", [password_hash, name])
                .map_err(map_err)?;
            if found == 0 {
                return Ok(false);
            }
            tx.execute("DELETE FROM api_tokens WHERE account = ?1", [name]).map_err(map_err)?;
            tx.execute("DELETE FROM account_totp WHERE account = ?1", [name]).map_err(map_err)?;
            tx.execute(
                "DELETE FROM person_passkeys WHERE EXISTS (SELECT 1 FROM account_people a WHERE a.account = ?1 \
                 AND a.production = person_passkeys.production AND a.person = person_passkeys.person)",
                [name],
            )
            .map_err(map_err)?;
            tx.commit().map_err(map_err)?;
            Ok(true)
        })
    }

    fn set_pin(&self, production: &ProductionId, person: &PersonId, pin_hash: &str) -> Result<(), StoreError> {
        self.with_writer(|c| {
            c.execute(
                "INSERT INTO person_pins (production, person, pin_hash) VALUES (?1, ?2, ?3)
                 ON CONFLICT (production, person) DO UPDATE SET pin_hash = excluded.pin_hash",
                params![production.as_str(), person.as_str(), pin_hash],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    fn pin(&self, production: &ProductionId, person: &PersonId) -> Result<Option<String>, StoreError> {
        self.with_reader(|c| {
            c.query_row(
                "SELECT pin_hash FROM person_pins WHERE production = ?1 AND person = ?2",
                params![production.as_str(), person.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(map_err)
        })
    }

    fn add_passkey(&self, production: &ProductionId, person: &PersonId, key: &Passkey) -> Result<(), StoreError> {
        self.with_writer(|c| {
            c.execute(
                "INSERT INTO person_passkeys (production, credential_id, person, public_key, counter)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![production.as_str(), key.credential_id, person.as_str(), key.public_key, key.counter],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    fn passkeys(&self, production: &ProductionId, person: &PersonId) -> Result<Vec<Passkey>, StoreError> {
        self.with_reader(|c| {
            let mut st = c
                .prepare_cached(
                    "SELECT credential_id, public_key, counter FROM person_passkeys
                     WHERE production = ?1 AND person = ?2 ORDER BY credential_id",
                )
                .map_err(map_err)?;
            let rows = st
                .query_map(params![production.as_str(), person.as_str()], |r| {
                    Ok(Passkey { credential_id: r.get(0)?, public_key: r.get(1)?, counter: r.get(2)? })
                })
                .map_err(map_err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(map_err)
        })
    }

    fn set_passkey_counter(
        &self,
        production: &ProductionId,
        credential_id: &str,
        counter: u32,
    ) -> Result<(), StoreError> {
        self.with_writer(|c| {
            c.execute(
                "UPDATE person_passkeys SET counter = ?3 WHERE production = ?1 AND credential_id = ?2",
                params![production.as_str(), credential_id, counter],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    fn idempotency(&self, account: &str, key: &str) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.with_reader(|c| {
            let raw: Option<(String, String, String, String, String)> = c
                .query_row(
                    "SELECT account, key, production, request_hash, seqs FROM idempotency_keys WHERE account = ?1 AND key = ?2",
                    params![account, key],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()
                .map_err(map_err)?;
            raw.map(|(account, key, production, request_hash, seqs)| {
                Ok(IdempotencyRecord {
                    account,
                    key,
                    production: ProductionId::parse(&production).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    request_hash,
                    seqs,
                })
            })
            .transpose()
        })
    }

    fn outbox_due(&self, now: Timestamp, limit: u32) -> Result<Vec<OutboxItem>, StoreError> {
        self.outbox_query(
            "WHERE delivered_at IS NULL AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2",
            now.0,
            limit,
        )
    }

    fn outbox_delivered(&self, id: i64, at: Timestamp) -> Result<(), StoreError> {
        self.with_writer(|c| {
            c.execute("UPDATE outbox SET delivered_at = ?2, last_error = NULL WHERE id = ?1", params![id, at.0])
                .map_err(map_err)?;
            Ok(())
        })
    }

    fn outbox_failed(&self, id: i64, attempts: u32, next_attempt_at: Timestamp, error: &str) -> Result<(), StoreError> {
        self.with_writer(|c| {
            c.execute(
                "UPDATE outbox SET attempts = ?2, next_attempt_at = ?3, last_error = ?4 WHERE id = ?1",
                params![id, attempts, next_attempt_at.0, error],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    fn outbox_recent(&self, limit: u32) -> Result<Vec<OutboxItem>, StoreError> {
        self.outbox_query("WHERE ?1 = ?1 ORDER BY id DESC LIMIT ?2", 0, limit)
    }

    fn attachment(&self, hash: &str) -> Result<Option<Attachment>, StoreError> {
        self.with_reader(|c| {
            c.query_row("SELECT hash, content_type, bytes FROM attachments WHERE hash = ?1", [hash], |r| {
                Ok(Attachment { hash: r.get(0)?, content_type: r.get(1)?, bytes: r.get(2)? })
            })
            .optional()
            .map_err(map_err)
        })
    }

    fn checkpoint_at(&self, production: &ProductionId, size: u64) -> Result<Option<StoredCheckpoint>, StoreError> {
        // `checkpoint_rows` binds its second parameter: here the size, not a limit. A size
        // the column cannot hold was never signed.
        let Ok(size) = i64::try_from(size) else { return Ok(None) };
        Ok(self
            .checkpoint_rows(
                production,
                "SELECT size, root, at, note FROM checkpoints WHERE production = ?1 AND size = ?2",
                size,
            )?
            .pop())
    }
}

/// One outbox row as read: id, production, seq, channel, target, payload, attempts, next
/// attempt, delivered at, last error.
type OutboxRow = (i64, String, i64, String, String, String, u32, i64, Option<i64>, Option<String>);

impl SqliteStore {
    fn outbox_query(&self, filter: &str, arg: i64, limit: u32) -> Result<Vec<OutboxItem>, StoreError> {
        self.with_reader(|c| {
            let mut st = c
                .prepare(&format!(
                    "SELECT id, production, event_seq, channel, target, payload, attempts, next_attempt_at, delivered_at, last_error
                     FROM outbox {filter}"
                ))
                .map_err(map_err)?;
            let rows = st
                .query_map(params![arg, limit], |r| -> rusqlite::Result<OutboxRow> {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, u32>(6)?,
                        r.get::<_, i64>(7)?,
                        r.get::<_, Option<i64>>(8)?,
                        r.get::<_, Option<String>>(9)?,
                    ))
                })
                .map_err(map_err)?;
            let mut out = Vec::new();
            for row in rows {
                let (id, production, seq, channel, target, payload, attempts, next, delivered, error) = row.map_err(map_err)?;
                out.push(OutboxItem {
                    id,
                    production: ProductionId::parse(&production).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    event_seq: u64_from(seq, "sequence number")?,
                    channel,
                    target,
                    payload,
                    attempts,
                    next_attempt_at: Timestamp(next),
                    delivered_at: delivered.map(Timestamp),
                    last_error: error,
                });
            }
            Ok(out)
        })
    }
}

/// Everything besides the ledger that people need when an installation moves to another
/// store (`coldset move`): accounts and their people, tokens and sessions, second factors,
/// PINs, passkeys, idempotency answers, report photos, and notifications not yet delivered.
/// The `Store` port reads these one key at a time; a move needs them all.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AccessDump {
    pub accounts: Vec<(AccountRecord, Vec<(ProductionId, PersonId)>)>,
    pub tokens: Vec<TokenRecord>,
    /// (account, sealed secret, confirmed).
    pub totp: Vec<(String, String, bool)>,
    pub pins: Vec<(ProductionId, PersonId, String)>,
    pub passkeys: Vec<(ProductionId, PersonId, Passkey)>,
    pub idempotency: Vec<IdempotencyRecord>,
    pub attachments: Vec<Attachment>,
    /// Undelivered only: the delivery log of what was sent stays behind.
    pub pending_outbox: Vec<OutboxItem>,
}

impl SqliteStore {
    /// Reads every row of `AccessDump` in one read transaction.
    pub fn dump_access(&self) -> Result<AccessDump, StoreError> {
        fn corrupt<E: std::fmt::Display>(e: E) -> StoreError {
            StoreError::Corrupt(e.to_string())
        }
        let mut dump = AccessDump::default();
        self.with_reader(|c| {
            let tx = c.unchecked_transaction().map_err(map_err)?;
            let strings = |sql: &str, n: usize| -> Result<Vec<Vec<Option<String>>>, StoreError> {
                let mut st = tx.prepare(sql).map_err(map_err)?;
                let rows = st
                    .query_map([], |r| {
                        (0..n).map(|i| r.get::<_, Option<String>>(i)).collect::<rusqlite::Result<Vec<_>>>()
                    })
                    .map_err(map_err)?;
                rows.collect::<Result<Vec<_>, _>>().map_err(map_err)
            };
            let s = |row: &[Option<String>], i: usize| row[i].clone().unwrap_or_default();
            let mut st = tx
                .prepare("SELECT name, password_hash, is_admin, created_at FROM accounts ORDER BY name")
                .map_err(map_err)?;
            let accounts = st
                .query_map([], |r| {
                    Ok(AccountRecord {
                        name: r.get(0)?,
                        password_hash: r.get(1)?,
                        is_admin: r.get::<_, i64>(2)? != 0,
                        created_at: Timestamp(r.get(3)?),
                    })
                })
                .map_err(map_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(map_err)?;
            let links =
                strings("SELECT account, production, person FROM account_people ORDER BY account, production", 3)?;
            for account in accounts {
                let mut mine = Vec::new();
                for l in links.iter().filter(|l| l[0].as_deref() == Some(account.name.as_str())) {
                    mine.push((
                        ProductionId::parse(&s(l, 1)).map_err(corrupt)?,
                        PersonId::parse(&s(l, 2)).map_err(corrupt)?,
                    ));
                }
                dump.accounts.push((account, mine));
            }
            let mut st = tx
                .prepare("SELECT hash, account, scopes, created_at, expires_at FROM api_tokens ORDER BY hash")
                .map_err(map_err)?;
            dump.tokens = st
                .query_map([], |r| {
                    let scopes: String = r.get(2)?;
                    Ok(TokenRecord {
                        hash: r.get(0)?,
                        account: r.get(1)?,
                        scopes: scopes.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                        created_at: Timestamp(r.get(3)?),
                        expires_at: r.get::<_, Option<i64>>(4)?.map(Timestamp),
                    })
                })
                .map_err(map_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(map_err)?;
            let mut st =
                tx.prepare("SELECT account, secret, confirmed FROM account_totp ORDER BY account").map_err(map_err)?;
            dump.totp = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? != 0)))
                .map_err(map_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(map_err)?;
            for row in strings("SELECT production, person, pin_hash FROM person_pins ORDER BY production, person", 3)? {
                dump.pins.push((
                    ProductionId::parse(&s(&row, 0)).map_err(corrupt)?,
                    PersonId::parse(&s(&row, 1)).map_err(corrupt)?,
                    s(&row, 2),
                ));
            }
            let mut st = tx
                .prepare(
                    "SELECT production, person, credential_id, public_key, counter FROM person_passkeys
                     ORDER BY production, credential_id",
                )
                .map_err(map_err)?;
            let passkeys = st
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        Passkey { credential_id: r.get(2)?, public_key: r.get(3)?, counter: r.get(4)? },
                    ))
                })
                .map_err(map_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(map_err)?;
            for (p, person, key) in passkeys {
                dump.passkeys.push((
                    ProductionId::parse(&p).map_err(corrupt)?,
                    PersonId::parse(&person).map_err(corrupt)?,
                    key,
                ));
            }
            for row in strings(
                "SELECT account, key, production, request_hash, seqs FROM idempotency_keys ORDER BY account, key",
                5,
            )? {
                dump.idempotency.push(IdempotencyRecord {
                    account: s(&row, 0),
                    key: s(&row, 1),
                    production: ProductionId::parse(&s(&row, 2)).map_err(corrupt)?,
                    request_hash: s(&row, 3),
                    seqs: s(&row, 4),
                });
            }
            let mut st =
                tx.prepare("SELECT hash, content_type, bytes FROM attachments ORDER BY hash").map_err(map_err)?;
            dump.attachments = st
                .query_map([], |r| Ok(Attachment { hash: r.get(0)?, content_type: r.get(1)?, bytes: r.get(2)? }))
                .map_err(map_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(map_err)?;
            Ok(())
        })?;
        dump.pending_outbox =
            self.outbox_query("WHERE delivered_at IS NULL AND ?1 = ?1 ORDER BY id LIMIT ?2", 0, u32::MAX)?;
        Ok(dump)
    }
}
