//! The data directory: the database, the public half of the ledger key (`ledger.pub`), a
//! copy of every signed checkpoint, and a lock file that keeps two coldset processes from
//! writing the same database (the writer's in-memory state assumes it is the only writer).
//!
//! The signing key itself lives in a key directory of its own, outside the data directory
//! (`--key-dir`, default `<data>.keys` beside it, mode 0700), with a second copy of every
//! checkpoint: a copy of the data directory alone can then neither re-sign a rewritten log
//! nor hide a rollback from the copy. Only witnesses protect against someone who holds both
//! (docs/ledger.md). Data directories made before this keep `ledger.key` inside; that still
//! works, with a warning.

use coldset_app::ports::{AccountRecord, Store};
use coldset_app::{App, SystemClock};
use coldset_ledger::{KeyChain, KeyRotation, NoteSigner, SignerKey, VerifierKey};
use coldset_store_postgres::PostgresStore;
use coldset_store_sqlite::SqliteStore;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The signing key's file inside an older data directory.
pub const KEY_FILE: &str = "ledger.key";
/// The verifier key of the log, in the data directory: it names the key file to look for.
pub const VERIFIER_FILE: &str = "ledger.pub";
pub const LOCK_FILE: &str = "coldset.lock";
/// The signed key rotations (docs/adr/0006-key-rotation.md), one JSON object a line, oldest
/// first: in the data directory and in the key directory.
pub const ROTATIONS_FILE: &str = "key-rotations.jsonl";

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

/// The key directory of a data directory: the one configured, else `<data>.keys` beside it.
pub fn key_dir(data: &Path, configured: Option<&Path>) -> PathBuf {
    if let Some(dir) = configured {
        return dir.to_owned();
    }
    // Collecting the components drops "." so that `--data .` gets a sibling too.
    let absolute: PathBuf = std::path::absolute(data).unwrap_or_else(|_| data.to_owned()).components().collect();
    let name = absolute.file_name().map_or_else(|| "coldset".into(), |n| n.to_string_lossy().into_owned());
    absolute.with_file_name(format!("{name}.keys"))
}

/// The signing key's file in the key directory: named by the key, so one key directory can
/// serve several data directories.
fn key_file(key_dir: &Path, name: &str, id: u32) -> PathBuf {
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    key_dir.join(format!("{safe}+{id:08x}.key"))
}

/// Creates a directory readable by its owner only (or tightens one that exists).
pub fn private_dir(dir: &Path) -> Result<(), DataDirError> {
    let fail = |e: std::io::Error| DataDirError::Other(format!("cannot create {}: {e}", dir.display()));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
    }
    Ok(())
}

/// Writes a new file readable by its owner only; refuses to replace one.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), DataDirError> {
    let mut opts = File::options();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| DataDirError::Key(format!("cannot create {}: {e}", path.display())))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| DataDirError::Key(format!("cannot write {}: {e}", path.display())))
}

/// Writes the public half of the ledger key into the data directory.
fn write_verifier(dir: &Path, verifier: &VerifierKey) -> Result<(), DataDirError> {
    let public = dir.join(VERIFIER_FILE);
    std::fs::write(&public, format!("{verifier}\n"))
        .map_err(|e| DataDirError::Key(format!("cannot write {}: {e}", public.display())))
}

/// Where the ledger key is: a key file, or (a file of this name in the key directory that
/// holds the key's OpenSSH public line) an ssh-agent.
fn agent_marker(key_dir: &Path, verifier: &VerifierKey) -> PathBuf {
    key_file(key_dir, verifier.name(), verifier.key_id()).with_extension("ssh-agent")
}

/// The ledger's signer and where it was found.
pub struct LoadedKey {
    pub signer: Arc<dyn NoteSigner>,
    pub verifier: VerifierKey,
    /// The key file, or the ssh-agent's socket.
    pub path: PathBuf,
    /// An older data directory's key, kept inside the directory it signs for.
    pub inside_data: bool,
    /// The log's keys over time: the key rotations recorded beside it, ending at this key.
    pub chain: KeyChain,
}

/// The signed key rotations of a data directory, oldest first: the copy in the key
/// directory and the one in the data directory, which must agree (one may lack the newest
/// statements, if a rotation was interrupted between writing the two).
pub fn read_rotations(dir: &Path, key_dir: &Path) -> Result<Vec<String>, DataDirError> {
    let read = |path: PathBuf| -> Result<Vec<String>, DataDirError> {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(DataDirError::Key(format!("cannot read {}: {e}", path.display()))),
        };
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, line)| {
                serde_json::from_str::<serde_json::Value>(line)
                    .ok()
                    .and_then(|v| v["note"].as_str().map(str::to_owned))
                    .ok_or_else(|| {
                        DataDirError::Key(format!("{} line {}: not a key rotation record", path.display(), i + 1))
                    })
            })
            .collect()
    };
    let outside = read(key_dir.join(ROTATIONS_FILE))?;
    let inside = read(dir.join(ROTATIONS_FILE))?;
    let (long, short) = if outside.len() >= inside.len() { (outside, inside) } else { (inside, outside) };
    if long[..short.len()] != short[..] {
        return Err(DataDirError::Key(format!(
            "the key rotations in {} and in {} differ: one of them was changed",
            dir.join(ROTATIONS_FILE).display(),
            key_dir.join(ROTATIONS_FILE).display()
        )));
    }
    Ok(long)
}

/// The chain of keys from `anchor` (a key trusted independently, or the signing key)
/// through the recorded key rotations.
pub fn key_chain(dir: &Path, key_dir: &Path, anchor: &VerifierKey) -> Result<KeyChain, DataDirError> {
    let notes = read_rotations(dir, key_dir)?;
    KeyChain::from_statements(anchor, &notes).map_err(|e| DataDirError::Key(format!("{e}")))
}

/// The chain whose newest key is `current` (the key `ledger.pub` names).
fn chain_to(dir: &Path, key_dir: &Path, current: &VerifierKey) -> Result<KeyChain, DataDirError> {
    let chain = key_chain(dir, key_dir, current)?;
    if chain.current() != current {
        return Err(DataDirError::Key(format!(
            "{} names the key {current}, but the key rotations in {} hand the log on to {}: a rotation was \
             interrupted before it replaced {}; put that key in it",
            dir.join(VERIFIER_FILE).display(),
            key_dir.display(),
            chain.current(),
            VERIFIER_FILE
        )));
    }
    Ok(chain)
}

/// The installation's name: the name of its ledger key, from `ledger.pub`.
pub fn installation(dir: &Path) -> Result<String, DataDirError> {
    Ok(read_verifier(dir)?.name().to_owned())
}

/// The log's verifier key, as the data directory's `ledger.pub` names it.
fn read_verifier(dir: &Path) -> Result<VerifierKey, DataDirError> {
    let public = dir.join(VERIFIER_FILE);
    let text = std::fs::read_to_string(&public).map_err(|e| {
        DataDirError::Key(format!(
            "cannot read {}: {e}. Is {} a coldset data directory (made by coldset init)?",
            public.display(),
            dir.display()
        ))
    })?;
    VerifierKey::parse(text.trim())
        .map_err(|e| DataDirError::Key(format!("{} is not a verifier key: {e}", public.display())))
}

/// Reads the ledger signing key: from the key directory, as named by the data directory's
/// `ledger.pub` (a key file, or an ssh-agent holding it), else (an older data directory)
/// `ledger.key` inside it. A missing or unreadable key stops the caller with a message
/// that says what to do.
pub fn read_key(dir: &Path, key_dir_setting: Option<&Path>) -> Result<LoadedKey, DataDirError> {
    let legacy = dir.join(KEY_FILE);
    let keys = key_dir(dir, key_dir_setting);
    if legacy.exists() {
        let key = parse_key(&legacy)?;
        let chain = chain_to(dir, &keys, &key.verifier())?;
        return Ok(LoadedKey {
            verifier: key.verifier(),
            signer: Arc::new(key),
            path: legacy,
            inside_data: true,
            chain,
        });
    }
    let verifier = read_verifier(dir)?;
    let chain = chain_to(dir, &keys, &verifier)?;
    if agent_marker(&keys, &verifier).exists() {
        let socket = std::env::var_os("SSH_AUTH_SOCK").map(PathBuf::from).ok_or_else(|| {
            DataDirError::Key(format!(
                "the ledger key ({verifier}) is held by an ssh-agent, and SSH_AUTH_SOCK is not set: start the agent, \
                 add the key (ssh-add) and start coldset from the same session"
            ))
        })?;
        let signer = crate::agent::AgentSigner::find(&socket, &verifier).map_err(DataDirError::Key)?;
        return Ok(LoadedKey { signer: Arc::new(signer), verifier, path: socket, inside_data: false, chain });
    }
    let path = key_file(&keys, verifier.name(), verifier.key_id());
    let key = parse_key(&path)?;
    if key.verifier().to_string() != verifier.to_string() {
        return Err(DataDirError::Key(format!(
            "the key in {} is not the key this data directory's log is signed with ({verifier})",
            path.display()
        )));
    }
    Ok(LoadedKey { signer: Arc::new(key), verifier, path, inside_data: false, chain })
}

fn parse_key(path: &Path) -> Result<SignerKey, DataDirError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        DataDirError::Key(format!(
            "cannot read the ledger signing key {}: {e}. Restore it from your backup of the key directory (or give \
             --key-dir where it is); without it no checkpoint can be signed",
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
        None => {
            let moved = dir.join(crate::moving::MOVED_FILE);
            if moved.exists() {
                return Err(DataDirError::Other(format!(
                    "this data directory's store was moved to PostgreSQL ({}): give --database URL (or database_file); \
                     the SQLite copy left behind must not be written to again",
                    std::fs::read_to_string(&moved).unwrap_or_default().trim()
                )));
            }
            Arc::new(SqliteStore::open(dir)?)
        }
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
    /// Where the signing key was written.
    pub key_file: PathBuf,
}

/// Creates the database, the first administrator and the ledger signing key.
pub fn init(
    dir: &Path,
    key_dir_setting: Option<&Path>,
    database: Option<&str>,
    admin: &str,
    installation: &str,
) -> Result<Initialised, DataDirError> {
    init_with(dir, key_dir_setting, database, admin, installation, None)
}

/// `init`, with the ledger key held by an ssh-agent when `agent_key` (an OpenSSH
/// `ssh-ed25519` public key line) is given: no key file is written at all.
pub fn init_with(
    dir: &Path,
    key_dir_setting: Option<&Path>,
    database: Option<&str>,
    admin: &str,
    installation: &str,
    agent_key: Option<&str>,
) -> Result<Initialised, DataDirError> {
    if admin.trim().is_empty() || admin.len() > 64 || admin.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(DataDirError::Other(format!(
            "'{admin}' is not a usable account name (1-64 characters, no spaces)"
        )));
    }
    let name_error = |e| DataDirError::Key(format!("'{installation}' cannot name the installation's key: {e}"));
    let generated = match agent_key {
        Some(_) => None,
        None => Some(SignerKey::generate(installation).map_err(name_error)?),
    };
    let verifier = match (&generated, agent_key) {
        (Some(key), _) => key.verifier(),
        (None, Some(line)) => {
            let public = crate::agent::ed25519_of_openssh(line).map_err(DataDirError::Key)?;
            VerifierKey::from_public_key(installation, public).map_err(name_error)?
        }
        (None, None) => return Err(DataDirError::Key("no ledger key".into())),
    };
    for existing in [dir.join(KEY_FILE), dir.join(VERIFIER_FILE)] {
        if existing.exists() {
            return Err(DataDirError::Key(format!(
                "{} already exists: this directory was initialised before",
                existing.display()
            )));
        }
    }
    let store = create_store(dir, database)?;
    let _lock = lock(dir)?;
    let keys = key_dir(dir, key_dir_setting);
    private_dir(&keys)?;
    let key_file = match (&generated, agent_key) {
        (Some(key), _) => {
            let path = key_file(&keys, key.name(), key.key_id());
            write_private(&path, format!("{}\n", key.to_private_string()).as_bytes())?;
            path
        }
        (None, line) => {
            let path = agent_marker(&keys, &verifier);
            write_private(&path, format!("{}\n", line.unwrap_or_default().trim()).as_bytes())?;
            path
        }
    };
    write_verifier(dir, &verifier)?;
    let password = coldset_app::access::random_password().map_err(|e| DataDirError::Other(e.to_string()))?;
    let admin = &coldset_app::access::normal_account_name(admin).map_err(|e| DataDirError::Other(e.to_string()))?;
    store
        .create_account(&AccountRecord {
            name: admin.to_owned(),
            password_hash: coldset_app::access::hash_secret(&password)
                .map_err(|e| DataDirError::Other(e.to_string()))?,
            is_admin: true,
            created_at: coldset_app::Clock::now(&coldset_app::SystemClock),
        })
        .map_err(|e| DataDirError::Other(e.to_string()))?;
    Ok(Initialised { admin: admin.to_owned(), password, verifier_key: verifier.to_string(), key_file })
}

/// Creates an account (optionally acting as a person of a production); returns its
/// generated password.
pub fn add_account(
    store: &dyn Store,
    name: &str,
    admin: bool,
    link: Option<(coldset_domain::ids::ProductionId, coldset_domain::ids::PersonId)>,
) -> Result<String, DataDirError> {
    let other = |e: coldset_app::AppError| DataDirError::Other(e.to_string());
    // Stored in lower case, so that sign-in matches it however it is typed.
    let name = &coldset_app::access::normal_account_name(name).map_err(|_| {
        DataDirError::Other(format!("'{name}' is not a usable account name (1-64 characters, no spaces)"))
    })?;
    let password = coldset_app::access::random_password().map_err(other)?;
    // One transaction: a refused link leaves no account behind.
    let links: Vec<_> = link.into_iter().collect();
    store
        .create_linked_account(
            &AccountRecord {
                name: name.to_owned(),
                password_hash: coldset_app::access::hash_secret(&password).map_err(other)?,
                is_admin: admin,
                created_at: coldset_app::Clock::now(&coldset_app::SystemClock),
            },
            &links,
        )
        .map_err(|e| DataDirError::Other(e.to_string()))?;
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
    /// The key directory (its checkpoint copy is the one outside the data directory).
    pub key_dir: PathBuf,
    pub app: App,
    pub key: Arc<dyn NoteSigner>,
    pub key_inside_data: bool,
    /// The signed key rotations that handed the log to `key`, oldest first.
    pub rotations: Vec<String>,
    pub lock: DirLock,
}

impl Opened {
    /// Where each signed checkpoint is copied: in the data directory and in the key
    /// directory (outside it).
    pub fn checkpoint_copies(&self) -> Vec<PathBuf> {
        checkpoint_copies(&self.dir, &self.key_dir, self.key_inside_data)
    }

    /// Where cosigned checkpoints are kept: beside each checkpoint copy.
    pub fn cosignature_copies(&self) -> Vec<PathBuf> {
        self.checkpoint_copies().iter().map(|p| p.with_file_name(crate::sinks::COSIGNATURES_FILE)).collect()
    }
}

/// The checkpoint copy in the data directory, and a second one in the key directory
/// when that is outside it.
fn checkpoint_copies(dir: &Path, key_dir: &Path, key_inside_data: bool) -> Vec<PathBuf> {
    let mut copies = vec![dir.join(crate::audit::WITNESS_COPY_FILE)];
    if !key_inside_data {
        copies.push(key_dir.join(crate::audit::WITNESS_COPY_FILE));
    }
    copies
}

/// Opens a data directory to write to it: lock, store, key, application. Refuses a
/// database that is behind a checkpoint this installation signed (restored from an older
/// copy, or its newest events deleted) or whose checkpoints another key signed: serving it
/// would sign a checkpoint that forks the log's own history.
pub fn open(dir: &Path, key_dir_setting: Option<&Path>, database: Option<&str>) -> Result<Opened, DataDirError> {
    open_as_node(dir, key_dir_setting, database, None)
}

/// The same, as one of several nodes on one PostgreSQL database when `node_url` is given
/// (the address the other nodes reach this one at: docs/cluster.md).
pub fn open_as_node(
    dir: &Path,
    key_dir_setting: Option<&Path>,
    database: Option<&str>,
    node_url: Option<&str>,
) -> Result<Opened, DataDirError> {
    if node_url.is_some() && database.is_none() {
        return Err(DataDirError::Other(
            "node_url is for several nodes on one PostgreSQL database: give --database too (an SQLite file has one writer)"
                .into(),
        ));
    }
    let store = open_store(dir, database)?;
    let lock = lock(dir)?;
    let loaded = read_key(dir, key_dir_setting)?;
    let key_dir = key_dir(dir, key_dir_setting);
    let copies = checkpoint_copies(dir, &key_dir, loaded.inside_data);
    crate::audit::check_not_behind(store.as_ref(), &loaded.chain, &copies).map_err(DataDirError::Other)?;
    let app = match node_url {
        None => App::open(store, Arc::new(SystemClock)),
        Some(url) => App::open_node(store, Arc::new(SystemClock), coldset_app::cluster::NodeConfig::new(url)),
    }
    .map_err(|e| DataDirError::Other(e.to_string()))?;
    app.set_secret_key(secrets_key(&key_dir)?).map_err(|e| DataDirError::Other(e.to_string()))?;
    let rotations = read_rotations(dir, &key_dir)?;
    Ok(Opened {
        dir: dir.to_owned(),
        key_dir,
        app,
        key: loaded.signer,
        key_inside_data: loaded.inside_data,
        rotations,
        lock,
    })
}

/// What `coldset key rotate` did.
pub struct Rotated {
    pub old: VerifierKey,
    pub new: VerifierKey,
    pub key_file: PathBuf,
    /// Each production's log size at the rotation.
    pub heads: Vec<(String, u64)>,
}

/// Rotates the ledger key of a stopped installation: a new key (same name, so every
/// checkpoint keeps its origin) in the key directory; the old key signs each production's
/// head if it is not signed yet; a statement naming both keys and every head, signed by the
/// old key and the new one, is appended to `key-rotations.jsonl` in the key directory, then
/// in the data directory; `ledger.pub` then names the new key, which signs from then on.
/// Refused unless the start-up check passes, and for a key inside the data directory.
pub fn rotate(dir: &Path, key_dir_setting: Option<&Path>, database: Option<&str>) -> Result<Rotated, DataDirError> {
    let store = open_store(dir, database)?;
    let _lock = lock(dir)?;
    let loaded = read_key(dir, key_dir_setting)?;
    if loaded.inside_data {
        return Err(DataDirError::Key(format!(
            "the signing key is inside the data directory ({}): move it to the key directory first (docs/ledger.md)",
            loaded.path.display()
        )));
    }
    let keys = key_dir(dir, key_dir_setting);
    let copies = checkpoint_copies(dir, &keys, false);
    crate::audit::check_not_behind(store.as_ref(), &loaded.chain, &copies)
        .map_err(|e| DataDirError::Other(format!("not rotating the key: {e}")))?;
    let other = |e: coldset_app::AppError| DataDirError::Other(e.to_string());
    let sinks = crate::sinks::file_sinks(&copies);
    let old = loaded.verifier.clone();
    let mut heads = std::collections::BTreeMap::new();
    let mut sizes = Vec::new();
    for record in store.productions().map_err(|e| DataDirError::Other(e.to_string()))? {
        let p = record.id;
        let size = store.event_count(&p).map_err(|e| DataDirError::Other(e.to_string()))?;
        if size == 0 {
            continue;
        }
        let root = coldset_app::ledger::root_at(store.as_ref(), &p, size).map_err(other)?;
        let origin = coldset_app::ledger::origin(old.name(), &p);
        let signed = store.latest_checkpoint(&p).map_err(|e| DataDirError::Other(e.to_string()))?;
        if signed.as_ref().is_none_or(|cp| cp.size < size) {
            // The old key's last checkpoint: the whole log as it is, signed as serving would.
            let cp = coldset_ledger::Checkpoint::new(origin.clone(), size, root)
                .map_err(|e| DataDirError::Other(e.to_string()))?;
            let note = coldset_ledger::sign_checkpoint_with(loaded.signer.as_ref(), &cp)
                .map_err(|e| DataDirError::Key(e.to_string()))?;
            let stored = coldset_app::ports::StoredCheckpoint {
                production: p.clone(),
                size,
                root,
                at: coldset_app::Clock::now(&SystemClock),
                note,
            };
            store.save_checkpoint(&stored).map_err(|e| DataDirError::Other(e.to_string()))?;
            for sink in &sinks {
                sink.publish(&stored).map_err(DataDirError::Other)?;
            }
        }
        heads.insert(origin, (size, root));
        sizes.push((p.to_string(), size));
    }
    let new_key = SignerKey::generate(old.name()).map_err(|e| DataDirError::Key(e.to_string()))?;
    let new = new_key.verifier();
    let statement = KeyRotation { old: old.clone(), new: new.clone(), heads }
        .sign(loaded.signer.as_ref(), &new_key)
        .map_err(|e| DataDirError::Key(e.to_string()))?;
    // The new key first: a rotation interrupted later leaves a key file no one names.
    let key_file = key_file(&keys, new.name(), new.key_id());
    write_private(&key_file, format!("{}\n", new_key.to_private_string()).as_bytes())?;
    #[allow(clippy::disallowed_methods)] // when the statement was written, for people
    let at = jiff::Timestamp::now().to_string();
    let line = serde_json::json!({ "at": at, "old": old.to_string(), "new": new.to_string(), "note": statement });
    for path in [keys.join(ROTATIONS_FILE), dir.join(ROTATIONS_FILE)] {
        append_synced(&path, &format!("{line}\n"))?;
    }
    let tmp = dir.join(format!("{VERIFIER_FILE}.partial"));
    std::fs::write(&tmp, format!("{new}\n"))
        .and_then(|_| std::fs::rename(&tmp, dir.join(VERIFIER_FILE)))
        .map_err(|e| DataDirError::Key(format!("cannot replace {}: {e}", dir.join(VERIFIER_FILE).display())))?;
    Ok(Rotated { old, new, key_file, heads: sizes })
}

/// Appends to a file (made readable by its owner only) and syncs it to disk.
fn append_synced(path: &Path, text: &str) -> Result<(), DataDirError> {
    let mut opts = File::options();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let fail = |e: std::io::Error| DataDirError::Key(format!("cannot write {}: {e}", path.display()));
    let mut f = opts.open(path).map_err(fail)?;
    f.write_all(text.as_bytes()).and_then(|_| f.sync_all()).map_err(fail)
}

/// The file in the key directory holding the key that seals second-factor secrets in the
/// database.
pub const SECRETS_KEY_FILE: &str = "secrets.key";

/// Reads the key that seals second-factor secrets, making it the first time (so older
/// installations get one too).
fn secrets_key(key_dir: &Path) -> Result<coldset_app::sealed::SecretKey, DataDirError> {
    let path = key_dir.join(SECRETS_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => coldset_app::sealed::SecretKey::from_hex(&text)
            .map_err(|e| DataDirError::Key(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            private_dir(key_dir)?;
            let key = coldset_app::sealed::SecretKey::generate().map_err(|e| DataDirError::Key(e.to_string()))?;
            write_private(&path, format!("{}\n", key.to_hex()).as_bytes())?;
            Ok(key)
        }
        Err(e) => Err(DataDirError::Key(format!("cannot read {}: {e}", path.display()))),
    }
}
