//! `coldset backup` and `coldset restore`: the laptop on set holds the production's record,
//! so it must be copied somewhere else, and a copy must come back whole or not at all.
//!
//! A backup is one tar file: a manifest, the database as SQLite's online backup makes it
//! while the server keeps writing (a consistent snapshot of every committed event), the
//! data directory's public key and checkpoint copies, and the key directory (the ledger
//! signing key, the secrets key, the set's certificate authority, the key directory's
//! checkpoint copies). With a passphrase the key directory travels sealed (Argon2id and
//! ChaCha20-Poly1305); without one, the file must be kept like the key directory itself.
//!
//! `restore` unpacks into new directories beside the target, verifies the whole ledger
//! there (every leaf, root, signature and projection), refuses a backup older than the
//! newest checkpoint this installation's copies (and so its witnesses) already hold unless
//! told, and only then moves the directories into place. A target that exists is never
//! overwritten.

use chacha20poly1305::aead::{Aead, KeyInit};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const MANIFEST: &str = "coldset-backup.json";
const FORMAT: u64 = 1;
const SEALED_KEYS: &str = "keys.sealed";
const SEAL_MAGIC: &[u8] = b"coldset-sealed 1\n";

fn io(path: &Path) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}

/// The passphrase's key: Argon2id over the passphrase and a random salt.
fn passphrase_key(passphrase: &str, salt: &[u8]) -> Result<[u8; 32], String> {
    let mut key = [0u8; 32];
    argon2::Argon2::default()
        .hash_password_into(passphrase.as_bytes(), salt, &mut key)
        .map_err(|e| format!("the passphrase cannot be used: {e}"))?;
    Ok(key)
}

fn seal(passphrase: &str, plain: &[u8]) -> Result<Vec<u8>, String> {
    let salt = coldset_app::access::random_bytes::<16>().map_err(|e| e.to_string())?;
    let nonce = coldset_app::access::random_bytes::<12>().map_err(|e| e.to_string())?;
    let key = passphrase_key(passphrase, &salt)?;
    let cipher = chacha20poly1305::ChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&key));
    let sealed = cipher
        .encrypt(chacha20poly1305::Nonce::from_slice(&nonce), plain)
        .map_err(|_| "sealing the keys failed".to_owned())?;
    Ok([SEAL_MAGIC, &salt, &nonce, &sealed].concat())
}

fn open_sealed(passphrase: &str, sealed: &[u8]) -> Result<Vec<u8>, String> {
    let rest = sealed.strip_prefix(SEAL_MAGIC).ok_or("the sealed keys are damaged")?;
    if rest.len() < 28 {
        return Err("the sealed keys are damaged".into());
    }
    let (salt, rest) = rest.split_at(16);
    let (nonce, body) = rest.split_at(12);
    let key = passphrase_key(passphrase, salt)?;
    let cipher = chacha20poly1305::ChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&key));
    cipher
        .decrypt(chacha20poly1305::Nonce::from_slice(nonce), body)
        .map_err(|_| "wrong passphrase, or the sealed keys are damaged".to_owned())
}

/// Appends the files of `dir` (recursively) under `prefix`.
fn add_dir<W: Write>(
    tar: &mut tar::Builder<W>,
    hashes: &mut serde_json::Map<String, serde_json::Value>,
    dir: &Path,
    prefix: &str,
) -> Result<(), String> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        let name = format!("{prefix}/{}", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
        if path.is_dir() {
            add_dir(tar, hashes, &path, &name)?;
        } else if path.is_file() {
            add_file(tar, hashes, &path, &name)?;
        }
    }
    Ok(())
}

/// Appends a file, recording its SHA-256 for the manifest.
fn add_file<W: Write>(
    tar: &mut tar::Builder<W>,
    hashes: &mut serde_json::Map<String, serde_json::Value>,
    path: &Path,
    name: &str,
) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    hashes.insert(name.to_owned(), serde_json::json!(coldset_app::access::hash_bytes(&bytes)));
    add_bytes(tar, name, &bytes)
}

fn add_bytes<W: Write>(tar: &mut tar::Builder<W>, name: &str, bytes: &[u8]) -> Result<(), String> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_cksum();
    tar.append_data(&mut header, name, bytes).map_err(|e| format!("{name}: {e}"))
}

/// What a backup wrote.
pub struct Written {
    pub file: PathBuf,
    pub events: u64,
    pub removed: Vec<PathBuf>,
}

/// Backs up the data directory `dir` (and its key directory) to `out`: a file, or, when
/// `out` is a directory, a new file in it named by the time, keeping the newest `keep`.
pub fn backup(
    dir: &Path,
    key_dir: &Path,
    out: &Path,
    passphrase: Option<&str>,
    keep: Option<usize>,
) -> Result<Written, String> {
    if dir.join(crate::moving::MOVED_FILE).exists() {
        return Err(format!(
            "the store of {} was moved to PostgreSQL ({}): the SQLite database left there is not the log any more; \
             back up PostgreSQL with pg_dump or a base backup (docs/operations.md)",
            dir.display(),
            crate::moving::MOVED_FILE
        ));
    }
    let installation = crate::datadir::installation(dir).map_err(|e| e.to_string())?;
    // A backup file is named and stamped by the wall clock of the machine that makes it: a
    // file for people, not a record of the ledger.
    #[allow(clippy::disallowed_methods)]
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
    let file = if out.is_dir() { out.join(format!("coldset-{installation}-{stamp}.tar")) } else { out.to_owned() };
    if file.exists() {
        return Err(format!("{} exists already: a backup never replaces a file", file.display()));
    }
    let partial = file.with_extension("partial");
    let snapshot = file.with_extension("db.partial");
    let _ = std::fs::remove_file(&snapshot);
    let result = (|| {
        coldset_store_sqlite::backup(dir, &snapshot).map_err(|e| e.to_string())?;
        // What the snapshot holds, for the manifest (and for restore to check against).
        let mut productions = serde_json::Map::new();
        let mut events = 0;
        {
            let conn = rusqlite::Connection::open_with_flags(&snapshot, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| e.to_string())?;
            let mut stmt = conn
                .prepare("SELECT production, COUNT(*) FROM events GROUP BY production ORDER BY production")
                .map_err(|e| e.to_string())?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(|e| e.to_string())?;
            for row in rows {
                let (p, n) = row.map_err(|e| e.to_string())?;
                events += n as u64;
                productions.insert(p, serde_json::json!(n));
            }
        }
        let f = std::fs::File::create(&partial).map_err(io(&partial))?;
        let mut tar = tar::Builder::new(std::io::BufWriter::new(f));
        // Every file's SHA-256 goes into the manifest, written last: restore refuses a
        // backup in which any byte changed, before it looks at what the bytes mean.
        let mut hashes = serde_json::Map::new();
        add_file(&mut tar, &mut hashes, &snapshot, "data/coldset.db")?;
        for name in [
            crate::datadir::VERIFIER_FILE,
            crate::audit::WITNESS_COPY_FILE,
            crate::sinks::COSIGNATURES_FILE,
            crate::datadir::ROTATIONS_FILE,
        ] {
            let path = dir.join(name);
            if path.is_file() {
                add_file(&mut tar, &mut hashes, &path, &format!("data/{name}"))?;
            }
        }
        match passphrase {
            Some(passphrase) => {
                let mut inner = tar::Builder::new(Vec::new());
                let mut inner_hashes = serde_json::Map::new();
                add_dir(&mut inner, &mut inner_hashes, key_dir, "keys")?;
                let plain = inner.into_inner().map_err(|e| e.to_string())?;
                let sealed = seal(passphrase, &plain)?;
                hashes.insert(SEALED_KEYS.to_owned(), serde_json::json!(coldset_app::access::hash_bytes(&sealed)));
                add_bytes(&mut tar, SEALED_KEYS, &sealed)?;
            }
            None => add_dir(&mut tar, &mut hashes, key_dir, "keys")?,
        }
        // The manifest's `made_at`: the wall-clock time of the backup, as its file name.
        #[allow(clippy::disallowed_methods)]
        let manifest = serde_json::json!({
            "format": FORMAT,
            "installation": installation,
            "verifier_key": std::fs::read_to_string(dir.join(crate::datadir::VERIFIER_FILE)).map_err(io(dir))?.trim(),
            "made_at": jiff::Timestamp::now().to_string(),
            "events": productions,
            "keys_sealed": passphrase.is_some(),
            "files": hashes,
        });
        add_bytes(&mut tar, MANIFEST, manifest.to_string().as_bytes())?;
        let w = tar.into_inner().map_err(|e| e.to_string())?;
        let f = w.into_inner().map_err(|e| e.to_string())?;
        f.sync_all().map_err(io(&partial))?;
        Ok(events)
    })();
    let _ = std::fs::remove_file(&snapshot);
    let events = match result {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o600)).map_err(io(&partial))?;
    }
    std::fs::rename(&partial, &file).map_err(io(&file))?;
    let mut removed = Vec::new();
    if let (Some(keep), true) = (keep, out.is_dir()) {
        let prefix = format!("coldset-{installation}-");
        let mut ours: Vec<PathBuf> = std::fs::read_dir(out)
            .map_err(io(out))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy();
                    n.starts_with(&prefix) && n.ends_with(".tar")
                })
            })
            .collect();
        ours.sort();
        while ours.len() > keep.max(1) {
            let old = ours.remove(0);
            std::fs::remove_file(&old).map_err(io(&old))?;
            removed.push(old);
        }
    }
    Ok(Written { file, events, removed })
}

/// What a restore did.
pub struct Restored {
    pub events: u64,
    pub report: Vec<String>,
}

/// Restores `from` into the data directory `data` (and its key directory `key_dir`), which
/// must not exist yet (or be empty). Nothing is moved into place unless the whole ledger
/// verifies; a backup older than a checkpoint in `existing_copies` (this installation's
/// checkpoint copies, which its witnesses also hold) is refused unless `accept_older`.
pub fn restore(
    from: &Path,
    data: &Path,
    key_dir: &Path,
    passphrase: Option<&str>,
    existing_copies: &[PathBuf],
    accept_older: bool,
) -> Result<Restored, String> {
    let empty = |p: &Path| !p.exists() || std::fs::read_dir(p).is_ok_and(|mut d| d.next().is_none());
    for target in [data, key_dir] {
        if !empty(target) {
            return Err(format!(
                "{} exists and is not empty: restore never overwrites; restore into a new directory (--data) or move \
                 that one aside first",
                target.display()
            ));
        }
    }
    let pid = std::process::id();
    let staging_data = data.with_file_name(format!(".restoring-{pid}-data"));
    let staging_keys = data.with_file_name(format!(".restoring-{pid}-keys"));
    let cleanup = || {
        let _ = std::fs::remove_dir_all(&staging_data);
        let _ = std::fs::remove_dir_all(&staging_keys);
    };
    cleanup();
    let result = unpack_and_verify(from, &staging_data, &staging_keys, passphrase, existing_copies, accept_older);
    let restored = match result {
        Ok(r) => r,
        Err(e) => {
            cleanup();
            return Err(e);
        }
    };
    for (staged, target) in [(&staging_data, data), (&staging_keys, key_dir)] {
        if target.exists() {
            std::fs::remove_dir(target).map_err(io(target))?;
        }
        std::fs::rename(staged, target).map_err(io(target))?;
    }
    Ok(restored)
}

fn unpack_and_verify(
    from: &Path,
    data: &Path,
    keys: &Path,
    passphrase: Option<&str>,
    existing_copies: &[PathBuf],
    accept_older: bool,
) -> Result<Restored, String> {
    crate::datadir::private_dir(data).map_err(|e| e.to_string())?;
    crate::datadir::private_dir(keys).map_err(|e| e.to_string())?;
    let damaged = |e: std::io::Error| format!("{} is not a whole coldset backup: {e}", from.display());
    let file = std::fs::File::open(from).map_err(io(from))?;
    let mut manifest: Option<serde_json::Value> = None;
    let mut sealed: Option<Vec<u8>> = None;
    let mut seen = std::collections::BTreeMap::new();
    let mut archive = tar::Archive::new(file);
    for entry in archive.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        let name = entry.path().map_err(damaged)?.to_string_lossy().into_owned();
        let hash = unpack_entry(&name, &mut entry, data, keys, &mut manifest, &mut sealed)
            .map_err(|e| format!("{} is not a whole coldset backup ({name}): {e}", from.display()))?;
        if let Some(hash) = hash {
            seen.insert(name, hash);
        }
    }
    let manifest = manifest
        .ok_or_else(|| format!("{} is not a whole coldset backup (no manifest: truncated?)", from.display()))?;
    if manifest["format"].as_u64() != Some(FORMAT) {
        return Err(format!("{} is a backup of an unknown format", from.display()));
    }
    // Every byte as it was written: each file's SHA-256 against the manifest.
    let listed = manifest["files"].as_object().cloned().unwrap_or_default();
    for (name, hash) in &seen {
        if listed.get(name).and_then(|h| h.as_str()) != Some(hash.as_str()) {
            return Err(format!("{} is damaged: {name} differs from what was backed up", from.display()));
        }
    }
    if let Some(missing) = listed.keys().find(|name| !seen.contains_key(*name)) {
        return Err(format!("{} is not a whole coldset backup: {missing} is missing", from.display()));
    }
    if let Some(sealed) = sealed {
        let passphrase =
            passphrase.ok_or("this backup's keys are sealed with a passphrase: give it with --passphrase-file")?;
        let inner = open_sealed(passphrase, &sealed)?;
        let mut archive = tar::Archive::new(inner.as_slice());
        let (mut none, mut nothing) = (None, None);
        for entry in archive.entries().map_err(|e| e.to_string())? {
            let mut entry = entry.map_err(|e| e.to_string())?;
            let name = entry.path().map_err(|e| e.to_string())?.to_string_lossy().into_owned();
            if !name.starts_with("keys/") {
                return Err("the sealed keys hold an unexpected file".into());
            }
            unpack_entry(&name, &mut entry, data, keys, &mut none, &mut nothing)?;
        }
    }
    // The whole ledger, checked with the key from the backup's own key directory: every
    // leaf, root, signature, copy and projection.
    let trust = crate::audit::Trust { pinned: None, key_dir: Some(keys), data_dir_key: false };
    let verified =
        crate::audit::verify_data_dir(data, None, &trust).map_err(|e| format!("the backup does not verify: {e}"))?;
    let loaded = crate::datadir::read_key(data, Some(keys)).map_err(|e| format!("the backup's key: {e}"))?;
    let key = loaded.verifier;
    if manifest["verifier_key"].as_str() != Some(key.to_string().as_str()) {
        return Err("the backup's manifest names another key than its key directory holds".into());
    }
    if !accept_older {
        let store = coldset_store_sqlite::SqliteStore::open(data).map_err(|e| e.to_string())?;
        crate::audit::check_not_behind(&store, &loaded.chain, existing_copies).map_err(|e| {
            format!(
                "this backup is older than what this installation already signed: {}\nRestore a newer backup, or give \
                 --accept-older to restore it anyway (the events after it are lost, and witnesses will report a rollback)",
                e.lines().next().unwrap_or_default()
            )
        })?;
    }
    Ok(Restored { events: verified.events, report: verified.lines })
}

/// Writes one archive entry to its place: `data/…`, `keys/…`, the manifest or the sealed
/// keys; returns the SHA-256 of a file (not of the manifest). Any other name, or a path that
/// leaves its directory, is refused.
fn unpack_entry<R: Read>(
    name: &str,
    entry: &mut tar::Entry<'_, R>,
    data: &Path,
    keys: &Path,
    manifest: &mut Option<serde_json::Value>,
    sealed: &mut Option<Vec<u8>>,
) -> Result<Option<String>, String> {
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if name == MANIFEST {
        *manifest = Some(serde_json::from_slice(&bytes).map_err(|e| format!("the manifest: {e}"))?);
        return Ok(None);
    }
    let hash = coldset_app::access::hash_bytes(&bytes);
    if name == SEALED_KEYS {
        *sealed = Some(bytes);
        return Ok(Some(hash));
    }
    let (base, rest) = match name.split_once('/') {
        Some(("data", rest)) => (data, rest),
        Some(("keys", rest)) => (keys, rest),
        _ => return Err("an unexpected file".into()),
    };
    if rest.is_empty() || rest.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
        return Err("a path that leaves its directory".into());
    }
    let target = base.join(rest);
    if let Some(parent) = target.parent() {
        crate::datadir::private_dir(parent).map_err(|e| e.to_string())?;
    }
    crate::datadir::write_private(&target, &bytes).map_err(|e| e.to_string())?;
    Ok(Some(hash))
}
