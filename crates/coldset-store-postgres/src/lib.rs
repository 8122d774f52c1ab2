//! coldset's PostgreSQL store, for installations that already run PostgreSQL. Implements
//! the backend-neutral [`coldset_app::Store`] port with the same tables, append-only
//! triggers and semantics as the SQLite adapter; no PostgreSQL type leaves this crate.
//!
//! A commit returns only once PostgreSQL has flushed it to its write-ahead log: the writer
//! session sets `synchronous_commit = on` explicitly, and [`PostgresStore::connect`] refuses
//! a server running with `fsync = off`.
//!
//! The client is the synchronous `postgres` crate, which drives its own small runtime: call
//! this store from plain threads (the app's writer thread, `spawn_blocking`), never from
//! inside an async task.
//!
//! Must never depend on the web crate or the binary.

mod migrations;

use coldset_app::ports::*;
use coldset_domain::ids::{PersonId, ProductionId};
use coldset_domain::{ProjectionRow, Timestamp};
use coldset_ledger::Hash;
use postgres::config::Host;
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{FromSql, ToSql};
use postgres::{Client, Config, GenericClient, NoTls, Row, Statement};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

/// Idle reader connections kept for reuse; more may be open while many reads run at once.
const MAX_IDLE_READERS: usize = 8;

/// Used when the URL sets no `connect_timeout`: an unreachable host must fail in seconds,
/// not hang `coldset serve` at start.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Key of the advisory lock held while the schema is created or migrated, so that two
/// processes starting at once on the same database do not both run a migration.
const MIGRATION_LOCK: i64 = 0x636f_6c64_7365_7401; // "coldset" + 1

/// Why a database could not be opened or initialised. The displayed text never contains
/// the password from the URL.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The URL (or key=value string) could not be parsed, or names no host.
    #[error("the PostgreSQL URL is not valid: {0}")]
    BadUrl(String),
    /// No session could be opened: server down, wrong port, authentication refused.
    #[error("cannot connect to PostgreSQL at {target}: {reason}")]
    Unreachable { target: String, reason: String },
    /// The server answered but has no such database; neither constructor creates one.
    #[error(
        "the database {target} does not exist: create it (e.g. `createdb`), then initialise it with `coldset init`"
    )]
    MissingDatabase { target: String },
    /// `connect` found no coldset schema (no `schema_migrations` table) and wrote nothing.
    #[error(
        "the database {target} was never initialised: run `coldset init` on it first (serve never creates the schema)"
    )]
    NotInitialised { target: String },
    /// `create` found a coldset schema already there and changed nothing.
    #[error("the database {target} already holds a coldset schema")]
    Exists { target: String },
    /// Anything else that makes the database unfit: a schema from a newer coldset, a
    /// failed migration (rolled back whole), a server with `fsync` or
    /// `synchronous_commit` off.
    #[error("{target} is not a usable coldset database: {reason}")]
    Unusable { target: String, reason: String },
}

/// The PostgreSQL store: one writer session behind a mutex (the app has a single writer
/// thread; `create_account`, `save_checkpoint`, the access writes (`link_account`,
/// `create_token`, `set_pin`) and the outbox updates (`outbox_delivered`, `outbox_failed`)
/// share it) and a small pool of read-only reader sessions.
pub struct PostgresStore {
    config: Config,
    tls: Tls,
    target: String,
    writer: Mutex<Conn>,
    readers: Mutex<Vec<Conn>>,
    /// The session of the nodes' coordination (heartbeats, leases), apart from the writer's
    /// so that a lease is renewed while a commit waits for the standby.
    coordination: Mutex<Option<Conn>>,
    /// The session that listens for committed events (`LISTEN coldset_log`).
    listener: Mutex<Option<Client>>,
}

/// The channel each commit notifies with the productions whose logs grew.
const COMMIT_CHANNEL: &str = "coldset_log";

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the config itself: it holds the password.
        f.debug_struct("PostgresStore").field("target", &self.target).finish_non_exhaustive()
    }
}

/// A session and the statements prepared on it (a prepared statement belongs to the
/// session that prepared it, so the cache lives and dies with the connection).
struct Conn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

#[derive(Clone, Copy)]
enum Role {
    Writer,
    Reader,
}

/// How sessions are secured, as the URL's `sslmode` says: not at all (`disable`, or no
/// `sslmode`: a local socket or loopback), or TLS with the server's certificate verified
/// against the system's roots and `sslrootcert` (`require`, `verify-ca` and `verify-full`
/// all verify the chain and the host name: rustls does not do less).
#[derive(Clone)]
enum Tls {
    Off,
    Verified(tokio_postgres_rustls::MakeRustlsConnect),
}

/// Takes `sslmode` and `sslrootcert` out of the URL (the client library knows neither
/// `verify-full` nor `sslrootcert`) and makes the TLS setting they ask for.
fn split_tls(url: &str) -> Result<(String, Tls), ConnectError> {
    let (mut mode, mut rootcert) = (None::<String>, None::<String>);
    let cleaned = if let Some((base, query)) = url.split_once('?').filter(|_| url.contains("://")) {
        let mut kept = Vec::new();
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("sslmode", v)) => mode = Some(v.to_owned()),
                Some(("sslrootcert", v)) => rootcert = Some(v.to_owned()),
                _ => kept.push(pair),
            }
        }
        if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        }
    } else if url.contains("://") {
        url.to_owned()
    } else {
        let mut kept = Vec::new();
        for pair in url.split_whitespace() {
            match pair.split_once('=') {
                Some(("sslmode", v)) => mode = Some(v.to_owned()),
                Some(("sslrootcert", v)) => rootcert = Some(v.to_owned()),
                _ => kept.push(pair),
            }
        }
        kept.join(" ")
    };
    let tls = match mode.as_deref() {
        None | Some("disable") => Tls::Off,
        Some("require" | "verify-ca" | "verify-full") => Tls::Verified(rustls_connector(rootcert.as_deref())?),
        Some(other) => {
            return Err(ConnectError::BadUrl(format!(
                "sslmode={other} is not supported: use disable, or require/verify-full (the certificate is always verified)"
            )))
        }
    };
    Ok((cleaned, tls))
}

fn rustls_connector(rootcert: Option<&str>) -> Result<tokio_postgres_rustls::MakeRustlsConnect, ConnectError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if let Some(path) = rootcert {
        use rustls::pki_types::pem::PemObject;
        let certs = rustls::pki_types::CertificateDer::pem_file_iter(path)
            .map_err(|e| ConnectError::BadUrl(format!("sslrootcert {path}: {e}")))?;
        for cert in certs {
            let cert = cert.map_err(|e| ConnectError::BadUrl(format!("sslrootcert {path}: {e}")))?;
            roots.add(cert).map_err(|e| ConnectError::BadUrl(format!("sslrootcert {path}: {e}")))?;
        }
    }
    let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

impl Conn {
    fn open(config: &Config, tls: &Tls, role: Role) -> Result<Conn, postgres::Error> {
        let mut client = match tls {
            Tls::Off => config.connect(NoTls)?,
            Tls::Verified(connector) => config.connect(connector.clone())?,
        };
        match role {
            // `on` is PostgreSQL's default, but a server or role may lower it; the ledger
            // must never acknowledge a commit that is not yet on disk.
            // A writer's transaction holds its leases' rows from its first statement to its
            // commit: if the process stops in between (SIGSTOP, a frozen VM), the server
            // ends the session after two seconds, so the leases can move to another node.
            Role::Writer => {
                client.batch_execute("SET synchronous_commit = on; SET idle_in_transaction_session_timeout = '2s'")?
            }
            // Readers never write: make an accidental write fail instead of landing.
            Role::Reader => client.batch_execute("SET default_transaction_read_only = on")?,
        }
        Ok(Conn { client, statements: HashMap::new() })
    }

    fn statement(&mut self, sql: &'static str) -> Result<Statement, StoreError> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self.client.prepare(sql).map_err(map_err)?;
        self.statements.insert(sql, st.clone());
        Ok(st)
    }
}

fn map_err(e: postgres::Error) -> StoreError {
    match e.code() {
        // Another writer got there first: a duplicate (production, seq), account name,
        // account link, token or idempotency key, or a transaction PostgreSQL aborted in
        // favour of a concurrent one. A link or token naming no account is refused as a
        // conflict too, as the SQLite adapter does for any constraint.
        Some(c)
            if *c == SqlState::UNIQUE_VIOLATION
                || *c == SqlState::FOREIGN_KEY_VIOLATION
                || *c == SqlState::T_R_SERIALIZATION_FAILURE
                || *c == SqlState::T_R_DEADLOCK_DETECTED =>
        {
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

fn production_from(s: &str) -> Result<ProductionId, StoreError> {
    ProductionId::parse(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn person_from(s: &str) -> Result<PersonId, StoreError> {
    PersonId::parse(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Reads column `i`; a value of the wrong type means the schema is not ours.
fn col<'a, T: FromSql<'a>>(row: &'a Row, i: usize) -> Result<T, StoreError> {
    row.try_get(i).map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
}

/// A description of where the URL points, safe to show: user, hosts, ports and database,
/// never the password.
fn describe(config: &Config) -> String {
    let user = config.get_user().unwrap_or("");
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let port = ports.get(i).or_else(|| ports.first()).copied().unwrap_or(5432);
            match h {
                Host::Tcp(name) => format!("{name}:{port}"),
                Host::Unix(dir) => format!("{}:{port}", dir.display()),
            }
        })
        .collect();
    // Unset user and database default to the OS user on the server side; show what was set.
    let at = if user.is_empty() { "" } else { "@" };
    let db = config.get_dbname().unwrap_or(user);
    format!("postgresql://{user}{at}{}/{db}", hosts.join(","))
}

fn parse(url: &str) -> Result<(Config, String, Tls), ConnectError> {
    let (url, tls) = split_tls(url)?;
    let mut config = Config::from_str(&url).map_err(|e| ConnectError::BadUrl(e.to_string()))?;
    if matches!(tls, Tls::Verified(_)) {
        config.ssl_mode(postgres::config::SslMode::Require);
    }
    if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
        return Err(ConnectError::BadUrl("it names no host".into()));
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        // Shows in pg_stat_activity, so an operator can tell coldset's sessions apart.
        config.application_name("coldset");
    }
    let target = describe(&config);
    Ok((config, target, tls))
}

/// An error with its causes: "error performing TLS handshake: invalid peer certificate:
/// UnknownIssuer" says what to fix, the first part alone does not.
fn with_causes(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Opens the writer session, telling a missing database apart from an unreachable server.
fn open_writer(config: &Config, tls: &Tls, target: &str) -> Result<Conn, ConnectError> {
    Conn::open(config, tls, Role::Writer).map_err(|e| {
        if e.code() == Some(&SqlState::INVALID_CATALOG_NAME) {
            ConnectError::MissingDatabase { target: target.to_owned() }
        } else {
            ConnectError::Unreachable { target: target.to_owned(), reason: with_causes(&e) }
        }
    })
}

/// How many migrations ran, or `None` when the database has no coldset schema at all.
fn schema_version(c: &mut impl GenericClient) -> Result<Option<i64>, postgres::Error> {
    let present: bool = c.query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])?.try_get(0)?;
    if !present {
        return Ok(None);
    }
    let v: i32 = c.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[])?.try_get(0)?;
    Ok(Some(i64::from(v)))
}

/// Applies the migrations after the first `done`, recording each.
fn apply_migrations(c: &mut impl GenericClient, done: i64) -> Result<(), postgres::Error> {
    for (i, sql) in migrations::MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= done {
            continue;
        }
        c.batch_execute(sql)?;
        c.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[&(version as i32)])?;
    }
    Ok(())
}

/// Refuses a server that would acknowledge commits before they are on disk.
fn check_durability(c: &mut Client) -> Result<(), String> {
    for (setting, want) in [("fsync", "on"), ("synchronous_commit", "on")] {
        let row = c.query_one(&format!("SHOW {setting}"), &[]).map_err(|e| e.to_string())?;
        let value: String = row.try_get(0).map_err(|e| e.to_string())?;
        if value != want {
            return Err(format!(
                "the server runs with {setting}={value}, so a commit would not be durable \
                 before it is acknowledged (coldset needs {setting}={want})"
            ));
        }
    }
    Ok(())
}

impl PostgresStore {
    /// Initialises an existing database that has no coldset schema yet: creates the schema
    /// in one transaction, so a failure (e.g. a table of the same name already there)
    /// leaves nothing behind. Never creates the database itself, and refuses one that
    /// already holds a coldset schema. Takes the same URL forms as [`Self::connect`].
    pub fn create(url: &str) -> Result<PostgresStore, ConnectError> {
        let (config, target, tls) = parse(url)?;
        let mut writer = open_writer(&config, &tls, &target)?;
        let unusable =
            |e: &dyn std::fmt::Display| ConnectError::Unusable { target: target.clone(), reason: e.to_string() };
        check_durability(&mut writer.client).map_err(|e| unusable(&e))?;
        let mut tx = writer.client.transaction().map_err(|e| unusable(&e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).map_err(|e| unusable(&e))?;
        if schema_version(&mut tx).map_err(|e| unusable(&e))?.is_some() {
            return Err(ConnectError::Exists { target });
        }
        tx.batch_execute(migrations::BOOTSTRAP).map_err(|e| unusable(&e))?;
        apply_migrations(&mut tx, 0).map_err(|e| unusable(&e))?;
        tx.commit().map_err(|e| unusable(&e))?;
        Ok(PostgresStore::new(config, tls, target, writer))
    }

    /// Opens an existing, initialised database and applies any newer migrations; never
    /// creates the database or the schema. Accepts a URL
    /// (`postgresql://user:password@host:port/db`) or a key=value string
    /// (`host=/run/postgresql dbname=coldset`); `sslmode=verify-full` (with `sslrootcert`)
    /// for TLS with the server's certificate verified.
    pub fn connect(url: &str) -> Result<PostgresStore, ConnectError> {
        let (config, target, tls) = parse(url)?;
        let mut writer = open_writer(&config, &tls, &target)?;
        let unusable =
            |e: &dyn std::fmt::Display| ConnectError::Unusable { target: target.clone(), reason: e.to_string() };
        check_durability(&mut writer.client).map_err(|e| unusable(&e))?;
        let latest = migrations::MIGRATIONS.len() as i64;
        let version = schema_version(&mut writer.client).map_err(|e| unusable(&e))?;
        match version {
            None => return Err(ConnectError::NotInitialised { target }),
            Some(v) if v > latest => {
                return Err(unusable(&format!(
                    "it was written by a newer coldset (schema {v}, this one knows {latest})"
                )))
            }
            Some(v) if v < latest => {
                let mut tx = writer.client.transaction().map_err(|e| unusable(&e))?;
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).map_err(|e| unusable(&e))?;
                // Read again under the lock: another process may have migrated meanwhile.
                let done = schema_version(&mut tx).map_err(|e| unusable(&e))?.unwrap_or(0);
                apply_migrations(&mut tx, done).map_err(|e| unusable(&e))?;
                tx.commit().map_err(|e| unusable(&e))?;
            }
            Some(_) => {}
        }
        Ok(PostgresStore::new(config, tls, target, writer))
    }

    fn new(config: Config, tls: Tls, target: String, writer: Conn) -> PostgresStore {
        PostgresStore {
            config,
            tls,
            target,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            coordination: Mutex::new(None),
            listener: Mutex::new(None),
        }
    }

    /// Where this store points, without the password (for logs and messages).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Checkpoints of a production by `sql` (which selects size, root, at and note, takes the
    /// production as `$1` and a limit as `$2`), at most `limit` of them (`None`: all).
    fn checkpoint_rows(
        &self,
        production: &ProductionId,
        sql: &'static str,
        limit: Option<i64>,
    ) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.with_reader(|c| {
            let st = c.statement(sql)?;
            c.client
                .query(&st, &[&production.as_str(), &limit])
                .map_err(map_err)?
                .iter()
                .map(|r| {
                    Ok(StoredCheckpoint {
                        production: production.clone(),
                        size: u64_from(col(r, 0)?, "size")?,
                        root: hash_from(col(r, 1)?)?,
                        at: Timestamp(col(r, 2)?),
                        note: col(r, 3)?,
                    })
                })
                .collect()
        })
    }

    fn with_reader<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let pooled = self.readers.lock().map_err(|_| StoreError::Unavailable("reader pool poisoned".into()))?.pop();
        let mut conn = match pooled {
            // A session the server closed (restart, idle timeout) is replaced, not reused.
            Some(c) if !c.client.is_closed() => c,
            _ => Conn::open(&self.config, &self.tls, Role::Reader).map_err(map_err)?,
        };
        let out = f(&mut conn);
        if !conn.client.is_closed() {
            if let Ok(mut pool) = self.readers.lock() {
                if pool.len() < MAX_IDLE_READERS {
                    pool.push(conn);
                }
            }
        }
        out
    }

    fn with_writer<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.writer.lock().map_err(|_| StoreError::Unavailable("writer lock poisoned".into()))?;
        if conn.client.is_closed() {
            // The server went away and came back: a new session (with its own
            // synchronous_commit setting and statements) replaces the dead one.
            *conn = Conn::open(&self.config, &self.tls, Role::Writer).map_err(map_err)?;
        }
        f(&mut conn)
    }
}

fn to_event(row: &Row) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        production: production_from(col(row, 0)?)?,
        seq: u64_from(col(row, 1)?, "sequence number")?,
        kind: col(row, 2)?,
        at: Timestamp(col(row, 3)?),
        bytes: col(row, 4)?,
        leaf_hash: hash_from(col(row, 5)?)?,
    })
}

/// Keeps only the last row for each (production, kind, id): a group commit may update the
/// same record twice, and PostgreSQL refuses an upsert that touches one row twice.
fn last_projection_per_key(rows: &[(ProductionId, ProjectionRow)]) -> Vec<&(ProductionId, ProjectionRow)> {
    let mut seen = HashSet::new();
    let mut out: Vec<_> =
        rows.iter().rev().filter(|(p, r)| seen.insert((p.as_str(), r.kind.as_str(), r.id.as_str()))).collect();
    out.reverse();
    out
}

// Each table is written with one statement per batch (arrays unnested server-side), so a
// group commit costs a handful of round trips however many events it holds.
/// Extends the leases a commit is written under if each is still this node's, with the
/// token the writer took it with, and not expired by the database's clock; locks their rows
/// to the commit. The caller compares the count of rows with the count of leases.
const FENCE: &str =
    "UPDATE leases l SET expires_at = greatest(l.expires_at, clock_timestamp() + make_interval(secs => $4))
     FROM unnest($1::text[], $2::bigint[]) AS f(production, token)
     WHERE l.production = f.production AND l.token = f.token AND l.node = $3 AND l.expires_at > clock_timestamp()";

const INSERT_PRODUCTIONS: &str = "INSERT INTO productions (id, name, created_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])";
const INSERT_EVENTS: &str = "INSERT INTO events (production, seq, kind, at, body, leaf_hash)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bytea[], $6::bytea[])";
const INSERT_NODES: &str = "INSERT INTO tree_nodes (production, level, idx, hash)
     SELECT * FROM unnest($1::text[], $2::smallint[], $3::bigint[], $4::bytea[])";
const UPSERT_PROJECTIONS: &str = "INSERT INTO projections (production, kind, id, version, body)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
     ON CONFLICT (production, kind, id) DO UPDATE SET version = excluded.version, body = excluded.body";
// No ON CONFLICT: a key already recorded (or twice in one batch) must fail the whole batch.
const INSERT_IDEMPOTENCY: &str = "INSERT INTO idempotency_keys (account, key, production, request_hash, seqs)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])";
// Content-addressed: a hash already stored (or twice in one batch) keeps its first copy.
const INSERT_ATTACHMENTS: &str = "INSERT INTO attachments (hash, content_type, bytes)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[])
     ON CONFLICT (hash) DO NOTHING";
// The store assigns the ids (BIGSERIAL); the items' own `id` (0) is ignored.
const INSERT_OUTBOX: &str =
    "INSERT INTO outbox (production, event_seq, channel, target, payload, attempts, next_attempt_at)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])";
const OUTBOX_DUE: &str = "SELECT id, production, event_seq, channel, target, payload, attempts,
            next_attempt_at, delivered_at, last_error
     FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2";
const OUTBOX_RECENT: &str = "SELECT id, production, event_seq, channel, target, payload, attempts,
            next_attempt_at, delivered_at, last_error
     FROM outbox ORDER BY id DESC LIMIT $1";

fn to_outbox_item(row: &Row) -> Result<OutboxItem, StoreError> {
    let attempts: i64 = col(row, 6)?;
    Ok(OutboxItem {
        id: col(row, 0)?,
        production: production_from(col(row, 1)?)?,
        event_seq: u64_from(col(row, 2)?, "sequence number")?,
        channel: col(row, 3)?,
        target: col(row, 4)?,
        payload: col(row, 5)?,
        attempts: u32::try_from(attempts)
            .map_err(|_| StoreError::Corrupt(format!("an outbox item has {attempts} attempts")))?,
        next_attempt_at: Timestamp(col(row, 7)?),
        delivered_at: col::<Option<i64>>(row, 8)?.map(Timestamp),
        last_error: col(row, 9)?,
    })
}

impl Store for PostgresStore {
    fn productions(&self) -> Result<Vec<ProductionRecord>, StoreError> {
        self.with_reader(|c| {
            let st = c.statement("SELECT id, name, created_at FROM productions ORDER BY id COLLATE \"C\"")?;
            c.client
                .query(&st, &[])
                .map_err(map_err)?
                .iter()
                .map(|r| {
                    Ok(ProductionRecord {
                        id: production_from(col(r, 0)?)?,
                        name: col(r, 1)?,
                        created_at: Timestamp(col(r, 2)?),
                    })
                })
                .collect()
        })
    }

    fn for_each_event(
        &self,
        production: &ProductionId,
        from_seq: u64,
        f: &mut dyn FnMut(StoredEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let from = i64_from(from_seq)?;
        self.with_reader(|c| {
            let st = c.statement(
                "SELECT production, seq, kind, at, body, leaf_hash FROM events
                 WHERE production = $1 AND seq >= $2 ORDER BY seq",
            )?;
            let p = production.as_str();
            let params: [&(dyn ToSql + Sync); 2] = [&p, &from];
            // Streamed, not collected: a production's whole log is replayed at start. The
            // caller may stop early by returning an error; dropping the iterator then
            // discards the rest and leaves the session usable.
            let mut rows = c.client.query_raw(&st, params).map_err(map_err)?;
            while let Some(row) = rows.next().map_err(map_err)? {
                f(to_event(&row)?)?;
            }
            Ok(())
        })
    }

    fn event(&self, production: &ProductionId, seq: u64) -> Result<Option<StoredEvent>, StoreError> {
        let seq = i64_from(seq)?;
        self.with_reader(|c| {
            let st = c.statement(
                "SELECT production, seq, kind, at, body, leaf_hash FROM events
                 WHERE production = $1 AND seq = $2",
            )?;
            c.client.query_opt(&st, &[&production.as_str(), &seq]).map_err(map_err)?.as_ref().map(to_event).transpose()
        })
    }

    fn event_count(&self, production: &ProductionId) -> Result<u64, StoreError> {
        self.with_reader(|c| {
            // Sequence numbers run from 0 without gaps, so the length is the last one plus
            // one: an index lookup, where COUNT(*) would scan the whole log.
            let st = c.statement("SELECT COALESCE(MAX(seq) + 1, 0)::bigint FROM events WHERE production = $1")?;
            let row = c.client.query_one(&st, &[&production.as_str()]).map_err(map_err)?;
            u64_from(col(&row, 0)?, "count")
        })
    }

    fn commit(&self, batch: &CommitBatch) -> Result<(), StoreError> {
        if batch.productions.is_empty()
            && batch.events.is_empty()
            && batch.nodes.is_empty()
            && batch.projections.is_empty()
            && batch.idempotency.is_empty()
            && batch.outbox.is_empty()
            && batch.attachments.is_empty()
        {
            return Ok(());
        }
        let fence_prods: Vec<&str> =
            batch.fence.iter().flat_map(|f| f.leases.iter().map(|(p, _)| p.as_str())).collect();
        let fence_tokens = batch
            .fence
            .iter()
            .flat_map(|f| f.leases.iter().map(|(_, t)| i64_from(*t)))
            .collect::<Result<Vec<i64>, _>>()?;
        let fence_node = batch.fence.as_ref().map(|f| f.node.as_str()).unwrap_or_default();
        let fence_ttl = batch.fence.as_ref().map_or(0.0, |f| f.ttl.as_secs_f64());
        let mut grown: Vec<&str> = batch.events.iter().map(|e| e.production.as_str()).collect();
        grown.dedup();
        grown.sort_unstable();
        grown.dedup();
        let notice = grown.join(",");
        // Columns as arrays, built before taking the writer so conversion errors cost nothing.
        let prod_ids: Vec<&str> = batch.productions.iter().map(|p| p.id.as_str()).collect();
        let prod_names: Vec<&str> = batch.productions.iter().map(|p| p.name.as_str()).collect();
        let prod_ats: Vec<i64> = batch.productions.iter().map(|p| p.created_at.0).collect();

        let ev_prods: Vec<&str> = batch.events.iter().map(|e| e.production.as_str()).collect();
        let ev_seqs = batch.events.iter().map(|e| i64_from(e.seq)).collect::<Result<Vec<i64>, _>>()?;
        let ev_kinds: Vec<&str> = batch.events.iter().map(|e| e.kind.as_str()).collect();
        let ev_ats: Vec<i64> = batch.events.iter().map(|e| e.at.0).collect();
        let ev_bodies: Vec<&[u8]> = batch.events.iter().map(|e| e.bytes.as_slice()).collect();
        let ev_leaves: Vec<&[u8]> = batch.events.iter().map(|e| &e.leaf_hash[..]).collect();

        let node_prods: Vec<&str> = batch.nodes.iter().map(|n| n.production.as_str()).collect();
        let node_levels: Vec<i16> = batch.nodes.iter().map(|n| i16::from(n.level)).collect();
        let node_idxs = batch.nodes.iter().map(|n| i64_from(n.index)).collect::<Result<Vec<i64>, _>>()?;
        let node_hashes: Vec<&[u8]> = batch.nodes.iter().map(|n| &n.hash[..]).collect();

        let projections = last_projection_per_key(&batch.projections);
        let pr_prods: Vec<&str> = projections.iter().map(|(p, _)| p.as_str()).collect();
        let pr_kinds: Vec<&str> = projections.iter().map(|(_, r)| r.kind.as_str()).collect();
        let pr_ids: Vec<&str> = projections.iter().map(|(_, r)| r.id.as_str()).collect();
        let pr_versions = projections.iter().map(|(_, r)| i64_from(r.version)).collect::<Result<Vec<i64>, _>>()?;
        let pr_bodies: Vec<&str> = projections.iter().map(|(_, r)| r.body.as_str()).collect();

        let idem_accounts: Vec<&str> = batch.idempotency.iter().map(|r| r.account.as_str()).collect();
        let idem_keys: Vec<&str> = batch.idempotency.iter().map(|r| r.key.as_str()).collect();
        let idem_prods: Vec<&str> = batch.idempotency.iter().map(|r| r.production.as_str()).collect();
        let idem_hashes: Vec<&str> = batch.idempotency.iter().map(|r| r.request_hash.as_str()).collect();
        let idem_seqs: Vec<&str> = batch.idempotency.iter().map(|r| r.seqs.as_str()).collect();

        let att_hashes: Vec<&str> = batch.attachments.iter().map(|a| a.hash.as_str()).collect();
        let att_types: Vec<&str> = batch.attachments.iter().map(|a| a.content_type.as_str()).collect();
        let att_bytes: Vec<&[u8]> = batch.attachments.iter().map(|a| a.bytes.as_slice()).collect();

        let out_prods: Vec<&str> = batch.outbox.iter().map(|o| o.production.as_str()).collect();
        let out_seqs = batch.outbox.iter().map(|o| i64_from(o.event_seq)).collect::<Result<Vec<i64>, _>>()?;
        let out_channels: Vec<&str> = batch.outbox.iter().map(|o| o.channel.as_str()).collect();
        let out_targets: Vec<&str> = batch.outbox.iter().map(|o| o.target.as_str()).collect();
        let out_payloads: Vec<&str> = batch.outbox.iter().map(|o| o.payload.as_str()).collect();
        let out_attempts: Vec<i64> = batch.outbox.iter().map(|o| i64::from(o.attempts)).collect();
        let out_next: Vec<i64> = batch.outbox.iter().map(|o| o.next_attempt_at.0).collect();

        self.with_writer(|conn| {
            let ins_prod = conn.statement(INSERT_PRODUCTIONS)?;
            let ins_ev = conn.statement(INSERT_EVENTS)?;
            let ins_node = conn.statement(INSERT_NODES)?;
            let upsert = conn.statement(UPSERT_PROJECTIONS)?;
            let ins_idem = conn.statement(INSERT_IDEMPOTENCY)?;
            let ins_att = conn.statement(INSERT_ATTACHMENTS)?;
            let ins_out = conn.statement(INSERT_OUTBOX)?;
            let fence = conn.statement(FENCE)?;
            // Dropping the transaction on an early return rolls it back: nothing of a
            // failed batch remains.
            let mut tx = conn.client.transaction().map_err(map_err)?;
            // First: the leases still ours, with the tokens they were taken with. Their rows
            // stay locked to the commit, so no node takes them meanwhile.
            if batch.fence.is_some() {
                let held =
                    tx.execute(&fence, &[&fence_prods, &fence_tokens, &fence_node, &fence_ttl]).map_err(map_err)?;
                if held != fence_prods.len() as u64 {
                    return Err(StoreError::LeaseLost(fence_prods.join(", ")));
                }
            }
            if !prod_ids.is_empty() {
                tx.execute(&ins_prod, &[&prod_ids, &prod_names, &prod_ats]).map_err(map_err)?;
            }
            if !ev_prods.is_empty() {
                tx.execute(&ins_ev, &[&ev_prods, &ev_seqs, &ev_kinds, &ev_ats, &ev_bodies, &ev_leaves])
                    .map_err(map_err)?;
            }
            if !node_prods.is_empty() {
                tx.execute(&ins_node, &[&node_prods, &node_levels, &node_idxs, &node_hashes]).map_err(map_err)?;
            }
            if !pr_prods.is_empty() {
                tx.execute(&upsert, &[&pr_prods, &pr_kinds, &pr_ids, &pr_versions, &pr_bodies]).map_err(map_err)?;
            }
            // In the same transaction as the events: a retry either finds the key with the
            // command's events, or finds neither.
            if !idem_accounts.is_empty() {
                tx.execute(&ins_idem, &[&idem_accounts, &idem_keys, &idem_prods, &idem_hashes, &idem_seqs])
                    .map_err(map_err)?;
            }
            // Files land with the events that mention them.
            if !att_hashes.is_empty() {
                tx.execute(&ins_att, &[&att_hashes, &att_types, &att_bytes]).map_err(map_err)?;
            }
            // Notifications land with the events that caused them, or not at all.
            if !out_prods.is_empty() {
                tx.execute(
                    &ins_out,
                    &[&out_prods, &out_seqs, &out_channels, &out_targets, &out_payloads, &out_attempts, &out_next],
                )
                .map_err(map_err)?;
            }
            // Other nodes' readers hear of the new events when (and only if) they commit.
            if !notice.is_empty() {
                tx.execute("SELECT pg_notify($1, $2)", &[&COMMIT_CHANNEL, &notice]).map_err(map_err)?;
            }
            // With synchronous_commit = on, COMMIT returns once the WAL is flushed (and, with
            // a synchronous standby, once the standby has it).
            tx.commit().map_err(map_err)
        })
    }

    fn projection_rows(&self, production: &ProductionId) -> Result<Vec<ProjectionRow>, StoreError> {
        self.with_reader(|c| {
            // COLLATE "C": byte order, like SQLite's, whatever the database's locale.
            let st = c.statement(
                "SELECT kind, id, version, body FROM projections WHERE production = $1
                 ORDER BY kind COLLATE \"C\", id COLLATE \"C\"",
            )?;
            c.client
                .query(&st, &[&production.as_str()])
                .map_err(map_err)?
                .iter()
                .map(|r| {
                    Ok(ProjectionRow {
                        kind: col(r, 0)?,
                        id: col(r, 1)?,
                        version: u64_from(col(r, 2)?, "version")?,
                        body: col(r, 3)?,
                    })
                })
                .collect()
        })
    }

    fn node(&self, production: &ProductionId, level: u8, index: u64) -> Result<Option<Hash>, StoreError> {
        let index = i64_from(index)?;
        self.with_reader(|c| {
            // Level 0 is not stored twice: the leaves are the events' own hashes.
            let row = if level == 0 {
                let st = c.statement("SELECT leaf_hash FROM events WHERE production = $1 AND seq = $2")?;
                c.client.query_opt(&st, &[&production.as_str(), &index])
            } else {
                let st =
                    c.statement("SELECT hash FROM tree_nodes WHERE production = $1 AND level = $2 AND idx = $3")?;
                c.client.query_opt(&st, &[&production.as_str(), &i16::from(level), &index])
            }
            .map_err(map_err)?;
            row.map(|r| hash_from(col(&r, 0)?)).transpose()
        })
    }

    fn save_checkpoint(&self, cp: &StoredCheckpoint) -> Result<(), StoreError> {
        let size = i64_from(cp.size)?;
        self.with_writer(|c| {
            let st = c.statement(
                "INSERT INTO checkpoints (production, size, root, at, note) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (production, size) DO NOTHING",
            )?;
            c.client
                .execute(&st, &[&cp.production.as_str(), &size, &&cp.root[..], &cp.at.0, &cp.note])
                .map_err(map_err)?;
            Ok(())
        })
    }

    fn checkpoints(&self, production: &ProductionId) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.checkpoint_rows(
            production,
            "SELECT size, root, at, note FROM checkpoints WHERE production = $1 ORDER BY size LIMIT $2",
            None,
        )
    }

    fn recent_checkpoints(&self, production: &ProductionId, limit: u32) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.checkpoint_rows(
            production,
            "SELECT size, root, at, note FROM checkpoints WHERE production = $1 ORDER BY size DESC LIMIT $2",
            Some(i64::from(limit)),
        )
    }

    fn latest_checkpoint(&self, production: &ProductionId) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.with_reader(|c| {
            let st = c.statement(
                "SELECT size, root, at, note FROM checkpoints WHERE production = $1
                 ORDER BY size DESC LIMIT 1",
            )?;
            c.client
                .query_opt(&st, &[&production.as_str()])
                .map_err(map_err)?
                .map(|r| {
                    Ok(StoredCheckpoint {
                        production: production.clone(),
                        size: u64_from(col(&r, 0)?, "size")?,
                        root: hash_from(col(&r, 1)?)?,
                        at: Timestamp(col(&r, 2)?),
                        note: col(&r, 3)?,
                    })
                })
                .transpose()
        })
    }

    fn create_account(&self, a: &AccountRecord) -> Result<(), StoreError> {
        self.with_writer(|c| {
            let st = c.statement(
                "INSERT INTO accounts (name, password_hash, is_admin, created_at) VALUES ($1, $2, $3, $4)",
            )?;
            c.client.execute(&st, &[&a.name, &a.password_hash, &a.is_admin, &a.created_at.0]).map_err(map_err)?;
            Ok(())
        })
    }

    fn create_linked_account(&self, a: &AccountRecord, links: &[(ProductionId, PersonId)]) -> Result<(), StoreError> {
        self.with_writer(|c| {
            let mut tx = c.client.transaction().map_err(map_err)?;
            tx.execute(
                "INSERT INTO accounts (name, password_hash, is_admin, created_at) VALUES ($1, $2, $3, $4)",
                &[&a.name, &a.password_hash, &a.is_admin, &a.created_at.0],
            )
            .map_err(map_err)?;
            for (production, person) in links {
                tx.execute(
                    "INSERT INTO account_people (account, production, person) VALUES ($1, $2, $3)",
                    &[&a.name, &production.as_str(), &person.as_str()],
                )
                .map_err(map_err)?;
            }
            tx.commit().map_err(map_err)
        })
    }

    fn account(&self, name: &str) -> Result<Option<AccountRecord>, StoreError> {
        self.with_reader(|c| {
            let st = c.statement("SELECT name, password_hash, is_admin, created_at FROM accounts WHERE name = $1")?;
            c.client
                .query_opt(&st, &[&name])
                .map_err(map_err)?
                .map(|r| {
                    Ok(AccountRecord {
                        name: col(&r, 0)?,
                        password_hash: col(&r, 1)?,
                        is_admin: col(&r, 2)?,
                        created_at: Timestamp(col(&r, 3)?),
                    })
                })
                .transpose()
        })
    }

    fn account_count(&self) -> Result<u64, StoreError> {
        self.with_reader(|c| {
            let st = c.statement("SELECT COUNT(*) FROM accounts")?;
            let row = c.client.query_one(&st, &[]).map_err(map_err)?;
            u64_from(col(&row, 0)?, "count")
        })
    }

    fn link_account(&self, account: &str, production: &ProductionId, person: &PersonId) -> Result<(), StoreError> {
        self.with_writer(|c| {
            let st = c.statement("INSERT INTO account_people (account, production, person) VALUES ($1, $2, $3)")?;
            c.client.execute(&st, &[&account, &production.as_str(), &person.as_str()]).map_err(map_err)?;
            Ok(())
        })
    }

    fn person_account(&self, production: &ProductionId, person: &PersonId) -> Result<Option<String>, StoreError> {
        self.with_reader(|c| {
            let st = c.statement(
                "SELECT account FROM account_people WHERE production = $1 AND person = $2 ORDER BY account LIMIT 1",
            )?;
            c.client
                .query_opt(&st, &[&production.as_str(), &person.as_str()])
                .map_err(map_err)?
                .map(|r| col(&r, 0))
                .transpose()
        })
    }

    fn account_person(&self, account: &str, production: &ProductionId) -> Result<Option<PersonId>, StoreError> {
        self.with_reader(|c| {
            let st = c.statement("SELECT person FROM account_people WHERE account = $1 AND production = $2")?;
            c.client
                .query_opt(&st, &[&account, &production.as_str()])
                .map_err(map_err)?
                .map(|r| person_from(col(&r, 0)?))
                .transpose()
        })
    }

    fn create_token(&self, t: &TokenRecord) -> Result<(), StoreError> {
        let scopes = t.scopes.join(",");
        let expires_at: Option<i64> = t.expires_at.map(|e| e.0);
        self.with_writer(|c| {
            let st = c.statement(
                "INSERT INTO api_tokens (hash, account, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )?;
            c.client.execute(&st, &[&t.hash, &t.account, &scopes, &t.created_at.0, &expires_at]).map_err(map_err)?;
            Ok(())
        })
    }

    fn set_totp(&self, account: &str, secret: &str, confirmed: bool) -> Result<(), StoreError> {
        self.with_writer(|c| {
            let st = c.statement(
                "INSERT INTO account_totp (account, secret, confirmed) VALUES ($1, $2, $3)
                 ON CONFLICT (account) DO UPDATE SET secret = EXCLUDED.secret, confirmed = EXCLUDED.confirmed",
            )?;
            c.client.execute(&st, &[&account, &secret, &confirmed]).map_err(map_err)?;
            Ok(())
        })
    }

    fn totp(&self, account: &str) -> Result<Option<(String, bool)>, StoreError> {
        self.with_reader(|c| {
            let st = c.statement("SELECT secret, confirmed FROM account_totp WHERE account = $1")?;
            c.client.query_opt(&st, &[&account]).map_err(map_err)?.map(|r| Ok((col(&r, 0)?, col(&r, 1)?))).transpose()
        })
    }

    fn revoke_token(&self, hash: &str) -> Result<(), StoreError> {
        self.with_writer(|c| {
            let st = c.statement("DELETE FROM api_tokens WHERE hash = $1")?;
            c.client.execute(&st, &[&hash]).map_err(map_err)?;
            Ok(())
        })
    }

    fn set_password(&self, name: &str, password_hash: &str) -> Result<bool, StoreError> {
        self.with_writer(|c| {
            let st = c.statement("UPDATE accounts SET password_hash = $1 WHERE name = $2")?;
            Ok(c.client.execute(&st, &[&password_hash, &name]).map_err(map_err)? > 0)
        })
    }

    fn reset_account(&self, name: &str, password_hash: &str) -> Result<bool, StoreError> {
        self.with_writer(|c| {
            let mut tx = c.client.transaction().map_err(map_err)?;
            let found = tx
                .execute("UPDATE accounts SET password_hash = $1 WHERE name = $2", &[&password_hash, &name])
                .map_err(map_err)?;
            if found == 0 {
                return Ok(false);
            }
            tx.execute("DELETE FROM api_tokens WHERE account = $1", &[&name]).map_err(map_err)?;
            tx.execute("DELETE FROM account_totp WHERE account = $1", &[&name]).map_err(map_err)?;
            tx.execute(
                "DELETE FROM person_passkeys WHERE EXISTS (SELECT 1 FROM account_people a WHERE a.account = $1 \
                 AND a.production = person_passkeys.production AND a.person = person_passkeys.person)",
                &[&name],
            )
            .map_err(map_err)?;
            tx.commit().map_err(map_err)?;
            Ok(true)
        })
    }

    fn token(&self, hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.with_reader(|c| {
            let st =
                c.statement("SELECT hash, account, scopes, created_at, expires_at FROM api_tokens WHERE hash = $1")?;
            c.client
                .query_opt(&st, &[&hash])
                .map_err(map_err)?
                .map(|r| {
                    let scopes: &str = col(&r, 2)?;
                    Ok(TokenRecord {
                        hash: col(&r, 0)?,
                        account: col(&r, 1)?,
                        scopes: scopes.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                        created_at: Timestamp(col(&r, 3)?),
                        expires_at: col::<Option<i64>>(&r, 4)?.map(Timestamp),
                    })
                })
                .transpose()
        })
    }

    fn set_pin(&self, production: &ProductionId, person: &PersonId, pin_hash: &str) -> Result<(), StoreError> {
        self.with_writer(|c| {
            let st = c.statement(
                "INSERT INTO person_pins (production, person, pin_hash) VALUES ($1, $2, $3)
                 ON CONFLICT (production, person) DO UPDATE SET pin_hash = excluded.pin_hash",
            )?;
            c.client.execute(&st, &[&production.as_str(), &person.as_str(), &pin_hash]).map_err(map_err)?;
            Ok(())
        })
    }

    fn pin(&self, production: &ProductionId, person: &PersonId) -> Result<Option<String>, StoreError> {
        self.with_reader(|c| {
            let st = c.statement("SELECT pin_hash FROM person_pins WHERE production = $1 AND person = $2")?;
            c.client
                .query_opt(&st, &[&production.as_str(), &person.as_str()])
                .map_err(map_err)?
                .map(|r| col(&r, 0))
                .transpose()
        })
    }

    fn add_passkey(&self, production: &ProductionId, person: &PersonId, key: &Passkey) -> Result<(), StoreError> {
        self.with_writer(|c| {
            let st = c.statement(
                "INSERT INTO person_passkeys (production, credential_id, person, public_key, counter)
                 VALUES ($1, $2, $3, $4, $5)",
            )?;
            c.client
                .execute(
                    &st,
                    &[
                        &production.as_str(),
                        &key.credential_id,
                        &person.as_str(),
                        &key.public_key,
                        &i64::from(key.counter),
                    ],
                )
                .map_err(map_err)?;
            Ok(())
        })
    }

    fn passkeys(&self, production: &ProductionId, person: &PersonId) -> Result<Vec<Passkey>, StoreError> {
        self.with_reader(|c| {
            let st = c.statement(
                "SELECT credential_id, public_key, counter FROM person_passkeys
                 WHERE production = $1 AND person = $2 ORDER BY credential_id",
            )?;
            let rows = c.client.query(&st, &[&production.as_str(), &person.as_str()]).map_err(map_err)?;
            rows.iter()
                .map(|r| {
                    let counter: i64 = col(r, 2)?;
                    Ok(Passkey {
                        credential_id: col(r, 0)?,
                        public_key: col(r, 1)?,
                        counter: u32::try_from(counter).map_err(|_| StoreError::Corrupt("passkey counter".into()))?,
                    })
                })
                .collect()
        })
    }

    fn set_passkey_counter(
        &self,
        production: &ProductionId,
        credential_id: &str,
        counter: u32,
    ) -> Result<(), StoreError> {
        self.with_writer(|c| {
            let st =
                c.statement("UPDATE person_passkeys SET counter = $3 WHERE production = $1 AND credential_id = $2")?;
            c.client.execute(&st, &[&production.as_str(), &credential_id, &i64::from(counter)]).map_err(map_err)?;
            Ok(())
        })
    }

    fn idempotency(&self, account: &str, key: &str) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.with_reader(|c| {
            let st = c.statement(
                "SELECT account, key, production, request_hash, seqs FROM idempotency_keys
                 WHERE account = $1 AND key = $2",
            )?;
            c.client
                .query_opt(&st, &[&account, &key])
                .map_err(map_err)?
                .map(|r| {
                    Ok(IdempotencyRecord {
                        account: col(&r, 0)?,
                        key: col(&r, 1)?,
                        production: production_from(col(&r, 2)?)?,
                        request_hash: col(&r, 3)?,
                        seqs: col(&r, 4)?,
                    })
                })
                .transpose()
        })
    }

    fn outbox_due(&self, now: Timestamp, limit: u32) -> Result<Vec<OutboxItem>, StoreError> {
        let limit = i64::from(limit);
        self.with_reader(|c| {
            let st = c.statement(OUTBOX_DUE)?;
            c.client.query(&st, &[&now.0, &limit]).map_err(map_err)?.iter().map(to_outbox_item).collect()
        })
    }

    fn outbox_delivered(&self, id: i64, at: Timestamp) -> Result<(), StoreError> {
        self.with_writer(|c| {
            let st = c.statement("UPDATE outbox SET delivered_at = $2, last_error = NULL WHERE id = $1")?;
            c.client.execute(&st, &[&id, &at.0]).map_err(map_err)?;
            Ok(())
        })
    }

    fn outbox_failed(&self, id: i64, attempts: u32, next_attempt_at: Timestamp, error: &str) -> Result<(), StoreError> {
        let attempts = i64::from(attempts);
        self.with_writer(|c| {
            let st =
                c.statement("UPDATE outbox SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $1")?;
            c.client.execute(&st, &[&id, &attempts, &next_attempt_at.0, &error]).map_err(map_err)?;
            Ok(())
        })
    }

    fn outbox_recent(&self, limit: u32) -> Result<Vec<OutboxItem>, StoreError> {
        let limit = i64::from(limit);
        self.with_reader(|c| {
            let st = c.statement(OUTBOX_RECENT)?;
            c.client.query(&st, &[&limit]).map_err(map_err)?.iter().map(to_outbox_item).collect()
        })
    }

    fn attachment(&self, hash: &str) -> Result<Option<Attachment>, StoreError> {
        self.with_reader(|c| {
            let st = c.statement("SELECT hash, content_type, bytes FROM attachments WHERE hash = $1")?;
            c.client
                .query_opt(&st, &[&hash])
                .map_err(map_err)?
                .map(|r| Ok(Attachment { hash: col(&r, 0)?, content_type: col(&r, 1)?, bytes: col(&r, 2)? }))
                .transpose()
        })
    }

    fn checkpoint_at(&self, production: &ProductionId, size: u64) -> Result<Option<StoredCheckpoint>, StoreError> {
        // `checkpoint_rows` binds its second parameter: here the size, not a limit.
        // A size the column cannot hold was never signed.
        let Ok(size) = i64::try_from(size) else { return Ok(None) };
        Ok(self
            .checkpoint_rows(
                production,
                "SELECT size, root, at, note FROM checkpoints WHERE production = $1 AND size = $2",
                Some(size),
            )?
            .pop())
    }

    fn cluster(&self) -> Option<&dyn Cluster> {
        Some(self)
    }
}

impl PostgresStore {
    /// Runs `f` on the coordination session, opening it again if the server closed it (a
    /// restart or a failover: the multi-host URL then finds the new primary).
    fn with_coordination<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut slot =
            self.coordination.lock().map_err(|_| StoreError::Unavailable("coordination lock poisoned".into()))?;
        if slot.as_ref().is_none_or(|c| c.client.is_closed()) {
            *slot = Some(Conn::open(&self.config, &self.tls, Role::Writer).map_err(map_err)?);
        }
        let conn = slot.as_mut().ok_or_else(|| StoreError::Unavailable("no coordination session".into()))?;
        let out = f(conn);
        if matches!(out, Err(StoreError::Unavailable(_))) {
            // A session that failed may be half-dead: the next call opens a new one.
            *slot = None;
        }
        out
    }
}

fn seconds(d: Duration) -> f64 {
    d.as_secs_f64()
}

impl Cluster for PostgresStore {
    fn heartbeat(&self, node: &str, within: Duration) -> Result<Vec<String>, StoreError> {
        self.with_coordination(|c| {
            let beat = c.statement(
                "INSERT INTO cluster_nodes (node, seen_at) VALUES ($1, clock_timestamp())
                 ON CONFLICT (node) DO UPDATE SET seen_at = EXCLUDED.seen_at",
            )?;
            c.client.execute(&beat, &[&node]).map_err(map_err)?;
            let live = c.statement(
                "SELECT node FROM cluster_nodes WHERE seen_at > clock_timestamp() - make_interval(secs => $1)
                 ORDER BY node",
            )?;
            c.client.query(&live, &[&seconds(within)]).map_err(map_err)?.iter().map(|r| col(r, 0)).collect()
        })
    }

    fn leases(&self) -> Result<Vec<Lease>, StoreError> {
        self.with_coordination(|c| {
            let st = c.statement(
                "SELECT production, node, token, expires_at > clock_timestamp() FROM leases ORDER BY production",
            )?;
            c.client
                .query(&st, &[])
                .map_err(map_err)?
                .iter()
                .map(|r| {
                    Ok(Lease {
                        production: production_from(&col::<String>(r, 0)?)?,
                        node: col(r, 1)?,
                        token: u64_from(col(r, 2)?, "token")?,
                        valid: col(r, 3)?,
                    })
                })
                .collect()
        })
    }

    fn take_lease(&self, production: &ProductionId, node: &str, ttl: Duration) -> Result<Option<u64>, StoreError> {
        self.with_coordination(|c| {
            // A lease row locked by its holder's commit makes this wait for that commit,
            // then look again: a lease extended by the commit is not taken.
            let st = c.statement(
                "INSERT INTO leases (production, node, token, expires_at)
                 VALUES ($1, $2, 1, clock_timestamp() + make_interval(secs => $3))
                 ON CONFLICT (production) DO UPDATE
                    SET node = EXCLUDED.node, token = leases.token + 1, expires_at = EXCLUDED.expires_at
                    WHERE leases.expires_at <= clock_timestamp() OR leases.node = EXCLUDED.node
                 RETURNING token",
            )?;
            c.client
                .query_opt(&st, &[&production.as_str(), &node, &seconds(ttl)])
                .map_err(map_err)?
                .map(|r| u64_from(col(&r, 0)?, "token"))
                .transpose()
        })
    }

    fn renew_leases(&self, node: &str, ttl: Duration) -> Result<Vec<(ProductionId, u64)>, StoreError> {
        self.with_coordination(|c| {
            // Rows locked by this node's own commit are skipped, not waited for (the commit
            // extends them itself), so a commit waiting for the standby never holds up the
            // renewal of the others.
            let renew = c.statement(
                "UPDATE leases SET expires_at = clock_timestamp() + make_interval(secs => $2)
                 WHERE production IN (SELECT production FROM leases
                                      WHERE node = $1 AND expires_at > clock_timestamp()
                                      FOR UPDATE SKIP LOCKED)",
            )?;
            c.client.execute(&renew, &[&node, &seconds(ttl)]).map_err(map_err)?;
            let held = c.statement(
                "SELECT production, token FROM leases WHERE node = $1 AND expires_at > clock_timestamp()
                 ORDER BY production",
            )?;
            c.client
                .query(&held, &[&node])
                .map_err(map_err)?
                .iter()
                .map(|r| Ok((production_from(&col::<String>(r, 0)?)?, u64_from(col(r, 1)?, "token")?)))
                .collect()
        })
    }

    fn release_lease(&self, production: &ProductionId, node: &str, token: u64) -> Result<(), StoreError> {
        let token = i64_from(token)?;
        self.with_coordination(|c| {
            let st = c.statement(
                "UPDATE leases SET expires_at = clock_timestamp() WHERE production = $1 AND node = $2 AND token = $3",
            )?;
            c.client.execute(&st, &[&production.as_str(), &node, &token]).map_err(map_err)?;
            Ok(())
        })
    }

    fn log_sizes(&self) -> Result<Vec<(ProductionId, u64)>, StoreError> {
        self.with_reader(|c| {
            // One index lookup per production (the last sequence number), not a scan.
            let st = c.statement(
                "SELECT p.id, COALESCE((SELECT MAX(seq) + 1 FROM events e WHERE e.production = p.id), 0)::bigint
                 FROM productions p ORDER BY p.id",
            )?;
            c.client
                .query(&st, &[])
                .map_err(map_err)?
                .iter()
                .map(|r| Ok((production_from(&col::<String>(r, 0)?)?, u64_from(col(r, 1)?, "size")?)))
                .collect()
        })
    }

    fn wait_for_commits(&self, timeout: Duration) -> Result<Vec<ProductionId>, StoreError> {
        let mut slot = self.listener.lock().map_err(|_| StoreError::Unavailable("listener lock poisoned".into()))?;
        if slot.as_ref().is_none_or(|c| c.is_closed()) {
            let mut conn = Conn::open(&self.config, &self.tls, Role::Writer).map_err(map_err)?;
            conn.client.batch_execute(&format!("LISTEN {COMMIT_CHANNEL}")).map_err(map_err)?;
            *slot = Some(conn.client);
        }
        let client = slot.as_mut().ok_or_else(|| StoreError::Unavailable("no listener session".into()))?;
        let mut grown = Vec::new();
        let mut take = |payload: &str| {
            for p in payload.split(',').filter(|p| !p.is_empty()) {
                if let Ok(id) = production_from(p) {
                    if !grown.contains(&id) {
                        grown.push(id);
                    }
                }
            }
        };
        let outcome = (|| {
            let mut notices = client.notifications();
            // Wait for the first notice, then take whatever else has arrived, without waiting.
            let first = notices.timeout_iter(timeout).next().map_err(map_err)?;
            if let Some(n) = first {
                take(n.payload());
                let mut rest = notices.iter();
                while let Some(n) = rest.next().map_err(map_err)? {
                    take(n.payload());
                }
            }
            Ok(())
        })();
        if let Err(e) = outcome {
            *slot = None;
            return Err(e);
        }
        Ok(grown)
    }
}
