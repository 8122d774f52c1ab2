//! The data directory: the database, the ledger signing key, and a lock file that keeps
//! two coldset processes from writing the same database (the writer's in-memory state
//! assumes it is the only writer).

use coldset_app::ports::{AccountRecord, Store};
use coldset_app::{App, SystemClock};
use coldset_ledger::SignerKey;
use coldset_store_postgres::PostgresStore;
use coldset_store_sqlite::SqliteStore;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const KEY_FILE: &str = "ledger.key";
pub const LOCK_FILE: &str = "coldset.lock";

#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error(transparent)]
    Open(#[from] coldset_store_sqlite::OpenError),
    #[error(transparent)]
    Postgres(#[from] coldset_store_postgres::ConnectError),
    #[error("{0}")]
    Key(String),
    #[error("{0}")]
    Locked(String),
    #[error("{0}")]
    Other(String),
}

/// Holds the data directory's lock for as long as it lives.
pub struct DirLock {
    _file: File,
}

pub fn lock(dir: &Path) -> Result<DirLock, DataDirError> {
    let path = dir.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| DataDirError::Locked(format!("cannot open {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(DirLock { _file: file }),
        Err(_) => Err(DataDirError::Locked(format!(
            "another coldset process is using {} (stop it first, or point --data elsewhere)",
            dir.display()
        ))),
    }
}

pub fn key_path(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE)
}

/// Writes a new signing key readable by the owner only.
fn write_key(dir: &Path, key: &SignerKey) -> Result<(), DataDirError> {
    let path = key_path(dir);
    let mut opts = File::options();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&path).map_err(|e| DataDirError::Key(format!("cannot create {}: {e}", path.display())))?;
    f.write_all(key.to_private_string().as_bytes())
        .and_then(|_| f.write_all(b"\n"))
        .and_then(|_| f.sync_all())
        .map_err(|e| DataDirError::Key(format!("cannot write {}: {e}", path.display())))
}

/// Reads the ledger signing key; a missing or unreadable key stops the caller with a
/// message that says what to do.
pub fn read_key(dir: &Path) -> Result<SignerKey, DataDirError> {
    let path = key_path(dir);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        DataDirError::Key(format!(
            "cannot read the ledger signing key {}: {e}. Restore it from your backup; without it no checkpoint can be signed",
            path.display()
        ))
    })?;
    SignerKey::parse_private(text.trim())
        .map_err(|e| DataDirError::Key(format!("the ledger signing key {} is unusable: {e}", path.display())))
}

/// Opens the store: PostgreSQL when a database URL is given, else SQLite in `dir`. Never
/// creates a database.
pub fn open_store(dir: &Path, database: Option<&str>) -> Result<Arc<dyn Store>, DataDirError> {
    Ok(match database {
        Some(url) => Arc::new(PostgresStore::connect(url)?),
        None => Arc::new(SqliteStore::open(dir)?),
    })
}

fn create_store(dir: &Path, database: Option<&str>) -> Result<Arc<dyn Store>, DataDirError> {
    Ok(match database {
        Some(url) => {
            std::fs::create_dir_all(dir).map_err(|e| DataDirError::Other(format!("{}: {e}", dir.display())))?;
            Arc::new(PostgresStore::create(url)?)
        }
        None => Arc::new(SqliteStore::create(dir)?),
    })
}

/// What `init` made.
pub struct Initialised {
    pub admin: String,
    pub password: String,
    pub verifier_key: String,
}

/// Creates the database, the first administrator and the ledger signing key.
pub fn init(dir: &Path, database: Option<&str>, admin: &str, installation: &str) -> Result<Initialised, DataDirError> {
    if admin.trim().is_empty() || admin.len() > 64 || admin.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(DataDirError::Other(format!(
            "'{admin}' is not a usable account name (1-64 characters, no spaces)"
        )));
    }
    let key = SignerKey::generate(installation)
        .map_err(|e| DataDirError::Key(format!("'{installation}' cannot name the installation's key: {e}")))?;
    if key_path(dir).exists() {
        return Err(DataDirError::Key(format!(
            "{} already exists: this directory was initialised before",
            key_path(dir).display()
        )));
    }
    let store = create_store(dir, database)?;
    let _lock = lock(dir)?;
    write_key(dir, &key)?;
    let password = coldset_app::access::random_password().map_err(|e| DataDirError::Other(e.to_string()))?;
    store
        .create_account(&AccountRecord {
            name: admin.to_owned(),
            password_hash: coldset_app::access::hash_secret(&password)
                .map_err(|e| DataDirError::Other(e.to_string()))?,
            is_admin: true,
            created_at: coldset_domain::Timestamp(jiff::Timestamp::now().as_millisecond()),
        })
        .map_err(|e| DataDirError::Other(e.to_string()))?;
    Ok(Initialised { admin: admin.to_owned(), password, verifier_key: key.verifier().to_string() })
}

/// Creates an account (optionally acting as a person of a production); returns its
/// generated password.
pub fn add_account(
    store: &dyn Store,
    name: &str,
    admin: bool,
    link: Option<(coldset_domain::ids::ProductionId, coldset_domain::ids::PersonId)>,
) -> Result<String, DataDirError> {
    if name.trim().is_empty() || name.len() > 64 || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(DataDirError::Other(format!("'{name}' is not a usable account name (1-64 characters, no spaces)")));
    }
    let other = |e: coldset_app::AppError| DataDirError::Other(e.to_string());
    let password = coldset_app::access::random_password().map_err(other)?;
    store
        .create_account(&AccountRecord {
            name: name.to_owned(),
            password_hash: coldset_app::access::hash_secret(&password).map_err(other)?,
            is_admin: admin,
            created_at: coldset_domain::Timestamp(jiff::Timestamp::now().as_millisecond()),
        })
        .map_err(|e| DataDirError::Other(e.to_string()))?;
    if let Some((production, person)) = link {
        store.link_account(name, &production, &person).map_err(|e| DataDirError::Other(e.to_string()))?;
    }
    Ok(password)
}

/// Resets an account (see `Store::reset_account`); returns its new generated password.
pub fn reset_account(store: &dyn Store, name: &str) -> Result<String, DataDirError> {
    let other = |e: coldset_app::AppError| DataDirError::Other(e.to_string());
    let password = coldset_app::access::random_password().map_err(other)?;
    let hash = coldset_app::access::hash_secret(&password).map_err(other)?;
    match store.reset_account(name, &hash) {
        Ok(true) => Ok(password),
        Ok(false) => Err(DataDirError::Other(format!("no account '{name}'"))),
        Err(e) => Err(DataDirError::Other(e.to_string())),
    }
}

/// Opens an initialised data directory for serving: lock, store, key, application.
pub struct Opened {
    pub dir: PathBuf,
    pub app: App,
    pub key: SignerKey,
    pub lock: DirLock,
}

pub fn open(dir: &Path, database: Option<&str>) -> Result<Opened, DataDirError> {
    let store = open_store(dir, database)?;
    let lock = lock(dir)?;
    let key = read_key(dir)?;
    let app = App::open(store, Arc::new(SystemClock)).map_err(|e| DataDirError::Other(e.to_string()))?;
    Ok(Opened { dir: dir.to_owned(), app, key, lock })
}
