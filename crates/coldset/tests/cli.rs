//! End-to-end tests of the real `coldset` binary: setup and serving rules, the demo, the
//! read API, and the ledger's promises (verification catches every kind of tampering,
//! witnesses catch rollback and forks, acknowledged events survive SIGKILL).

// Tests wait for real processes with deadlines, and make one-time codes from the real time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::disallowed_methods)]

use base64::Engine as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

#[path = "e2e/browser.rs"]
mod browser;
#[path = "e2e/cluster.rs"]
mod cluster;
#[path = "e2e/first_run.rs"]
mod first_run;
#[path = "e2e/import.rs"]
mod import;
#[path = "e2e/key_rotation.rs"]
mod key_rotation;
#[path = "e2e/move_to_postgres.rs"]
mod move_to_postgres;
#[path = "e2e/pdf.rs"]
mod pdf;
#[path = "../../coldset-store-postgres/tests/support/pg_server.rs"]
mod pg_server;
#[path = "e2e/records.rs"]
mod records;
#[path = "e2e/rust_replay.rs"]
mod rust_replay;
#[path = "e2e/scene_kit.rs"]
mod scene_kit;
#[path = "e2e/setup_pages.rs"]
mod setup_pages;

const BIN: &str = env!("CARGO_BIN_EXE_coldset");

fn coldset(args: &[&str]) -> Output {
    Command::new(BIN).args(args).env_remove("COLDSET_CONFIG").env_remove("COLDSET_DATA").output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A demo account's password, from the logins file the demo writes ("name / password ...").
fn demo_password(data: &Path, who: &str) -> String {
    let logins = std::fs::read_to_string(data.join("demo-logins.txt")).unwrap();
    // "  maria / secret   (...)", or "  administrator: admin / secret".
    let line = logins
        .lines()
        .find(|l| l.split(" / ").next().is_some_and(|name| name.split_whitespace().last() == Some(who)))
        .unwrap();
    line.split('/').nth(1).unwrap().split_whitespace().next().unwrap().to_owned()
}

/// The `data:` lines of a server-sent event stream, read on a thread; the channel closes
/// when the server ends the stream.
fn sse_data(resp: ureq::Response) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(resp.into_reader()).lines() {
            let Ok(line) = line else { break };
            if let Some(data) = line.strip_prefix("data: ") {
                if tx.send(data.to_owned()).is_err() {
                    break;
                }
            }
        }
    });
    rx
}

/// The current six-digit code of a base32 TOTP secret, as an authenticator app shows it.
fn totp_now(secret: &str) -> String {
    let secret = coldset_app::access::base32_decode(secret).unwrap();
    let step = (jiff::Timestamp::now().as_millisecond() / 30_000) as u64;
    format!("{:06}", coldset_app::access::totp_code(&secret, step))
}

/// A running server; killed when dropped. `token` is an administrator's API token for its
/// data directory (reads need one).
struct Server {
    child: Child,
    base: String,
    stdout: Vec<String>,
    token: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn get(&self, path: &str) -> serde_json::Value {
        let body = self.request(path).call().unwrap().into_string().unwrap();
        serde_json::from_str(&body).unwrap()
    }

    /// A GET request carrying the administrator's token.
    fn request(&self, path: &str) -> ureq::Request {
        let req = ureq::get(&format!("{}{path}", self.base));
        match &self.token {
            Some(t) => req.set("Authorization", &format!("Bearer {t}")),
            None => req,
        }
    }

    fn stop(mut self) {
        // SIGTERM: a graceful stop.
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

/// Starts `coldset <args> --listen 127.0.0.1:0` and waits for its "listening" line.
// The child is waited for by `Server`'s drop, which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn start(args: &[&str]) -> Server {
    start_with_env(args, &[])
}

/// `start`, with environment variables for the server.
#[allow(clippy::zombie_processes)]
fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Server {
    start_listening(args, "127.0.0.1:0", env)
}

/// `start` on a given listen address.
#[allow(clippy::zombie_processes)]
fn start_listening(args: &[&str], listen: &str, env: &[(&str, &str)]) -> Server {
    let mut child = Command::new(BIN)
        .args(args)
        .args(["--listen", listen])
        .env_remove("COLDSET_CONFIG")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("server did not start: {lines:?}");
        }
        let line = line.trim_end().to_owned();
        lines.push(line.clone());
        if let Some(rest) = line.strip_prefix("coldset listening on ") {
            let base = rest.trim_end_matches('/').to_owned();
            // Keep reading the rest of the banner in the background.
            std::thread::spawn(move || for _ in reader.lines() {});
            let token = args.iter().position(|a| *a == "--data").and_then(|i| args.get(i + 1)).and_then(|dir| {
                let o = coldset(&["token", "create", "--data", dir, "--account", "admin"]);
                o.status.success().then(|| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            });
            return Server { child, base, stdout: lines, token };
        }
    }
}

/// Starts `coldset demo` on `data` with its log (at `level`) written to `log`; returns the
/// child and its base URL.
fn start_logged(data: &Path, log: &Path, level: &str) -> (std::process::Child, String) {
    let mut child = Command::new(BIN)
        .args(["demo", "--data", p(data), "--listen", "127.0.0.1:0"])
        .env_remove("COLDSET_CONFIG")
        .env("COLDSET_LOG", level)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(log).unwrap()))
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let base = loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "server did not start");
        if let Some(rest) = line.trim().strip_prefix("coldset listening on ") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    std::thread::spawn(move || for _ in reader.lines() {});
    (child, base)
}

/// Signs `name` in through the JSON sign-in: the session cookie (`coldset_session=...`) and
/// its anti-forgery token.
fn sign_in(base: &str, name: &str, password: &str) -> (String, String) {
    let body = serde_json::json!({ "name": name, "password": password }).to_string();
    let (status, cookie, _, answer) = post_json(&format!("{base}/api/v1/login"), &body, &[]);
    assert_eq!(status, 200, "{name}: {answer}");
    let session = cookie.unwrap().split(';').next().unwrap().to_owned();
    (session, answer["csrf_token"].as_str().unwrap().to_owned())
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---- setup and serving ------------------------------------------------------------------

#[test]
fn serve_refuses_a_missing_database_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("dat");
    let o = coldset(&["serve", "--data", p(&typo), "--listen", "127.0.0.1:0"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("coldset init"), "{}", text(&o));
    assert!(!typo.exists(), "serve must not create the directory or a database");
}

#[test]
fn serve_refuses_non_loopback_without_tls() {
    let dir = tempfile::tempdir().unwrap();
    assert!(coldset(&["init", "--data", p(dir.path())]).status.success());
    let o = coldset(&["serve", "--data", p(dir.path()), "--listen", "0.0.0.0:0"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("without TLS"), "{}", text(&o));
}

#[test]
fn init_creates_once_with_an_owner_only_key_outside_the_data_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("set");
    let o = coldset(&["init", "--data", p(&dir), "--admin", "alice"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("alice"));
    // The signing key is not in the data directory: a copy of that directory cannot re-sign.
    assert!(!dir.join("ledger.key").exists());
    let public = std::fs::read_to_string(dir.join("ledger.pub")).unwrap();
    assert!(text(&o).contains(public.trim()), "init prints the verifier key: {}", text(&o));
    let keys: Vec<PathBuf> = std::fs::read_dir(keys_of(&dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "key"))
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&keys[0]), 0o600);
        assert_eq!(mode(&keys_of(&dir)), 0o700);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("coldset.db")), 0o600);
    }
    // --key-dir puts it elsewhere, and `serve` must be told the same place.
    let elsewhere = tmp.path().join("usb-key");
    let other = tmp.path().join("other");
    assert!(coldset(&["init", "--data", p(&other), "--key-dir", p(&elsewhere)]).status.success());
    assert!(std::fs::read_dir(&elsewhere).unwrap().count() == 1 && !keys_of(&other).exists());
    let o = coldset(&["serve", "--data", p(&other), "--listen", "127.0.0.1:0"]);
    assert!(!o.status.success() && text(&o).contains("signing key"), "{}", text(&o));
    let again = coldset(&["init", "--data", p(&dir)]);
    assert!(!again.status.success());
    assert!(text(&again).contains("already exists"), "{}", text(&again));
    let bad = coldset(&["init", "--data", p(&dir.join("x")), "--admin", "two words"]);
    assert!(!bad.status.success());
}

#[test]
fn serve_stops_with_a_clear_message_when_the_signing_key_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    assert!(coldset(&["init", "--data", p(dir.path())]).status.success());
    std::fs::remove_dir_all(keys_of(dir.path())).unwrap();
    let o = coldset(&["serve", "--data", p(dir.path()), "--listen", "127.0.0.1:0"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("signing key"), "{}", text(&o));
}

#[test]
fn config_check_validates_without_starting() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(&good, "listen = \"127.0.0.1:9999\"\nlog = \"warn\"\n").unwrap();
    let o = coldset(&["--config", p(&good), "config", "check"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("127.0.0.1:9999"));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "listen = \"127.0.0.1:9999\"\ncolour = \"blue\"\n").unwrap();
    let o = coldset(&["--config", p(&bad), "config", "check"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("colour"), "{}", text(&o));
    let o = coldset(&["config", "check", "--data", p(&dir.path().join("nothing-here"))]);
    assert!(!o.status.success(), "a data directory that holds no database is an error");
}

// ---- the demo and the read API ----------------------------------------------------------

#[test]
fn demo_seeds_once_serves_the_inventory_and_a_verifiable_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let server = start(&["demo", "--data", p(&data)]);
    let banner = server.stdout.join("\n");
    assert!(banner.contains("Seeded the demo production"), "{banner}");
    let prod = server.get("/api/v1/productions/dead-river");
    assert_eq!(prod["counts"]["firearms"], 6);
    assert_eq!(prod["counts"]["people"], 10);
    let events = prod["events"].as_u64().unwrap();
    let firearms = server.get("/api/v1/productions/dead-river/firearms");
    let kinds: Vec<&str> = firearms["items"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"replica") && kinds.contains(&"rubber_training"));
    let lots = server.get("/api/v1/productions/dead-river/lots");
    let states: Vec<&str> =
        lots["items"].as_array().unwrap().iter().map(|l| l["state"]["state"].as_str().unwrap()).collect();
    assert_eq!(states.iter().filter(|s| **s == "quarantined").count(), 1, "{states:?}");
    assert_eq!(states.iter().filter(|s| **s == "verified").count(), 3);
    let scenes = server.get("/api/v1/productions/dead-river/scenes");
    assert_eq!(scenes["items"].as_array().unwrap().len(), 1);
    let page = server.request("/p/dead-river").call().unwrap().into_string().unwrap();
    assert!(page.contains("Who holds what") || page.contains("who holds what"));
    // Without signing in, the page sends people to the sign-in page, and the API says 401.
    let anonymous = ureq::get(&format!("{}/p/dead-river", server.base)).call().unwrap().into_string().unwrap();
    assert!(anonymous.contains("Sign in"), "{anonymous}");
    let api = ureq::get(&format!("{}/api/v1/productions/dead-river/firearms", server.base)).call();
    assert!(matches!(api, Err(ureq::Error::Status(401, _))));
    assert!(page.contains("SAA-BF-1021") && page.contains("QUARANTINED"));
    let health = ureq::get(&format!("{}/healthz", server.base)).call().unwrap().into_string().unwrap();
    assert_eq!(health, "ok");
    // Paging through the events gives them all, in order, each with the exact bytes of its
    // leaf: an auditor recomputes every leaf (and, below, the signed root) from this answer alone.
    let mut from = 0;
    let mut seen = 0;
    let mut leaves = coldset_ledger::LogVerifier::new();
    loop {
        let page = server.get(&format!("/api/v1/productions/dead-river/events?from={from}&limit=7"));
        for e in page["items"].as_array().unwrap() {
            assert_eq!(e["seq"].as_u64().unwrap(), seen);
            let record = base64::engine::general_purpose::STANDARD.decode(e["record"].as_str().unwrap()).unwrap();
            assert_eq!(hex::encode(coldset_ledger::leaf_hash(&record)), e["leaf_hash"].as_str().unwrap());
            leaves.push_leaf(&record);
            seen += 1;
        }
        match page["next_from"].as_u64() {
            Some(n) => from = n,
            None => break,
        }
    }
    assert_eq!(seen, events);
    // Bad input gets the one error shape.
    let anonymous = ureq::get(&format!("{}/api/v1/productions/No_Such", server.base)).call().unwrap_err();
    assert!(matches!(anonymous, ureq::Error::Status(401, _)), "who asks comes first: {anonymous:?}");
    let err = server.request("/api/v1/productions/No_Such").call().unwrap_err();
    let ureq::Error::Status(400, resp) = err else { panic!("expected 400") };
    let body: serde_json::Value = serde_json::from_str(&resp.into_string().unwrap()).unwrap();
    assert_eq!(body["code"], "input.invalid");
    assert!(body["request_id"].as_str().is_some());
    // The checkpoint is signed at start; every event's inclusion proof verifies against it.
    wait_for("a checkpoint", || data.join("checkpoints.jsonl").exists());
    let key = ureq::get(&format!("{}/api/v1/ledger/verifier-key", server.base)).call().unwrap().into_string().unwrap();
    let vk = coldset_ledger::VerifierKey::parse(&key).unwrap();
    let cp = server.get("/api/v1/productions/dead-river/checkpoint");
    let signed = coldset_ledger::open_checkpoint(cp["note"].as_str().unwrap(), &vk).unwrap();
    assert_eq!(signed.size, events);
    assert_eq!(leaves.root(), signed.root, "the records of GET /events hash to the signed root");
    for seq in 0..events {
        let proof = server.get(&format!("/api/v1/productions/dead-river/proof/inclusion?seq={seq}"));
        let leaf: [u8; 32] = hex::decode(proof["leaf_hash"].as_str().unwrap()).unwrap().try_into().unwrap();
        let path: Vec<[u8; 32]> = proof["path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| hex::decode(h.as_str().unwrap()).unwrap().try_into().unwrap())
            .collect();
        coldset_ledger::verify_inclusion(&leaf, seq, signed.size, &path, &signed.root).unwrap();
    }
    server.stop();
    // Second run: the same directory is served again, not seeded again.
    let again = start(&["demo", "--data", p(&data)]);
    assert!(again.stdout.join("\n").contains("not seeding again"), "{:?}", again.stdout);
    assert_eq!(again.get("/api/v1/productions/dead-river")["events"].as_u64().unwrap(), events);
    again.stop();
    let o = coldset(&["verify", "--data", p(&data)]);
    assert!(o.status.success(), "{}", text(&o));
}

// ---- tampering is detected ----------------------------------------------------------------

/// A deterministic pseudo-random sequence (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn make_demo_ledger(root: &Path) -> (PathBuf, u64) {
    let data = root.join("pristine");
    let server = start(&["demo", "--data", p(&data)]);
    wait_for("the witness copy", || data.join("checkpoints.jsonl").exists());
    let n = server.get("/api/v1/productions/dead-river")["events"].as_u64().unwrap();
    server.stop();
    assert!(coldset(&["verify", "--data", p(&data)]).status.success());
    (data, n)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// The key directory coldset uses by default for a data directory: `<data>.keys` beside it.
fn keys_of(data: &Path) -> PathBuf {
    data.with_file_name(format!("{}.keys", data.file_name().unwrap().to_string_lossy()))
}

/// Copies a data directory and its key directory, as a restored backup of both would be.
fn copy_data(from: &Path, to: &Path) {
    copy_dir(from, to);
    if keys_of(from).exists() {
        copy_dir(&keys_of(from), &keys_of(to));
    }
}

/// Opens a copy of the ledger as an attacker with database access would: triggers dropped.
fn tamper(dir: &Path, f: impl FnOnce(&rusqlite::Connection)) {
    let conn = rusqlite::Connection::open(dir.join("coldset.db")).unwrap();
    conn.execute_batch(
        "DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete;
         DROP TRIGGER checkpoints_append_only_update; DROP TRIGGER checkpoints_append_only_delete;",
    )
    .unwrap();
    f(&conn);
}

#[test]
fn verify_detects_every_kind_of_tampering() {
    let tmp = tempfile::tempdir().unwrap();
    let (pristine, n) = make_demo_ledger(tmp.path());
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut case = 0;
    let mut check = |name: &str, rng: &mut Rng, mutate: &dyn Fn(&rusqlite::Connection, &mut Rng)| {
        case += 1;
        let dir = tmp.path().join(format!("case-{case}"));
        copy_data(&pristine, &dir);
        tamper(&dir, |c| mutate(c, rng));
        let o = coldset(&["verify", "--data", p(&dir)]);
        assert!(!o.status.success(), "case {case} ({name}) was not detected:\n{}", text(&o));
        std::fs::remove_dir_all(&dir).unwrap();
    };
    let body = |c: &rusqlite::Connection, seq: u64| -> Vec<u8> {
        c.query_row("SELECT body FROM events WHERE seq = ?1", [seq as i64], |r| r.get(0)).unwrap()
    };
    for _ in 0..60 {
        check("one byte of an event changed", &mut rng, &|c, rng| {
            let seq = rng.below(n);
            let mut b = body(c, seq);
            let i = rng.below(b.len() as u64) as usize;
            b[i] = b[i].wrapping_add(1 + rng.below(254) as u8);
            c.execute("UPDATE events SET body = ?1 WHERE seq = ?2", rusqlite::params![b, seq as i64]).unwrap();
        });
    }
    for _ in 0..20 {
        check("event changed and its leaf hash recomputed", &mut rng, &|c, rng| {
            let seq = rng.below(n);
            let mut b = body(c, seq);
            // Change a letter inside a text value so the record still parses.
            let text = String::from_utf8(b.clone()).unwrap();
            let at = text.find("\"name\":\"").or_else(|| text.find("\"kind\":\"")).unwrap() + 9;
            b[at] = if b[at] == b'x' { b'y' } else { b'x' };
            let leaf = coldset_ledger::leaf_hash(&b);
            c.execute(
                "UPDATE events SET body = ?1, leaf_hash = ?2 WHERE seq = ?3",
                rusqlite::params![b, &leaf[..], seq as i64],
            )
            .unwrap();
        });
    }
    for _ in 0..15 {
        check("one byte of a stored leaf hash changed", &mut rng, &|c, rng| {
            let seq = rng.below(n);
            let mut h: Vec<u8> =
                c.query_row("SELECT leaf_hash FROM events WHERE seq = ?1", [seq as i64], |r| r.get(0)).unwrap();
            let i = rng.below(32) as usize;
            h[i] ^= 1 << rng.below(8);
            c.execute("UPDATE events SET leaf_hash = ?1 WHERE seq = ?2", rusqlite::params![h, seq as i64]).unwrap();
        });
    }
    for _ in 0..20 {
        check("a row deleted", &mut rng, &|c, rng| {
            c.execute("DELETE FROM events WHERE seq = ?1", [rng.below(n - 1) as i64]).unwrap();
        });
    }
    for _ in 0..20 {
        check("two rows swapped", &mut rng, &|c, rng| {
            let a = rng.below(n);
            let b = (a + 1 + rng.below(n - 1)) % n;
            let (ba, bb) = (body(c, a), body(c, b));
            let leaf = |x: &[u8]| coldset_ledger::leaf_hash(x).to_vec();
            c.execute(
                "UPDATE events SET body = ?1, leaf_hash = ?2 WHERE seq = ?3",
                rusqlite::params![bb, leaf(&bb), a as i64],
            )
            .unwrap();
            c.execute(
                "UPDATE events SET body = ?1, leaf_hash = ?2 WHERE seq = ?3",
                rusqlite::params![ba, leaf(&ba), b as i64],
            )
            .unwrap();
        });
    }
    for _ in 0..20 {
        check("tail truncated, checkpoints deleted too (the witness copy remains)", &mut rng, &|c, rng| {
            let keep = n - 1 - rng.below(n / 2);
            c.execute("DELETE FROM events WHERE seq >= ?1", [keep as i64]).unwrap();
            c.execute("DELETE FROM checkpoints WHERE size > ?1", [keep as i64]).unwrap();
        });
    }
    for _ in 0..10 {
        check("a projection changed", &mut rng, &|c, rng| {
            let rows: i64 = c.query_row("SELECT COUNT(*) FROM projections", [], |r| r.get(0)).unwrap();
            let k = rng.below(rows as u64) as i64;
            c.execute(
                "UPDATE projections SET body = replace(body, '\"', '''') WHERE rowid IN (SELECT rowid FROM projections LIMIT 1 OFFSET ?1)",
                [k],
            )
            .unwrap_or_else(|_| {
                // WITHOUT ROWID table: address the row by its key instead.
                let (kind, id): (String, String) = c
                    .query_row("SELECT kind, id FROM projections ORDER BY kind, id LIMIT 1 OFFSET ?1", [k], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap();
                c.execute("UPDATE projections SET version = version + 1 WHERE kind = ?1 AND id = ?2", [kind, id]).unwrap()
            });
        });
    }
    for _ in 0..10 {
        check("a checkpoint note changed", &mut rng, &|c, rng| {
            let note: String = c.query_row("SELECT note FROM checkpoints LIMIT 1", [], |r| r.get(0)).unwrap();
            let mut b = note.into_bytes();
            let i = rng.below(b.len() as u64) as usize;
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8_lossy(&b).into_owned();
            c.execute("UPDATE checkpoints SET note = ?1", [changed]).unwrap();
        });
    }
    assert!(case >= 170, "ran {case} cases");
}

#[test]
fn bundles_verify_offline_and_detect_tampering() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, n) = make_demo_ledger(tmp.path());
    let bundle = tmp.path().join("dead-river.bundle");
    let o = coldset(&["export", "--data", p(&data), "--production", "dead-river", "--out", p(&bundle)]);
    assert!(o.status.success(), "{}", text(&o));
    // Without --key the bundle's own key is used, with a warning to pin one.
    let ok = coldset(&["verify", "--bundle", p(&bundle)]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains(&format!("{n} events ok")));
    let original = std::fs::read_to_string(&bundle).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    let first_event = lines.iter().position(|l| l.starts_with("events ")).unwrap() + 1;
    let cases: Vec<(&str, String)> = vec![
        ("an event changed", {
            let mut l = lines.clone();
            let changed = l[first_event + 3].replacen("\"seq\":3", "\"seq\":3 ", 1);
            l[first_event + 3] = &changed;
            l.join("\n") + "\n"
        }),
        ("an event removed", {
            let mut l = lines.clone();
            l.remove(first_event + 5);
            l.join("\n") + "\n"
        }),
        ("truncated", lines[..first_event + 10].join("\n") + "\n"),
        ("two events swapped", {
            let mut l = lines.clone();
            l.swap(first_event + 2, first_event + 4);
            l.join("\n") + "\n"
        }),
    ];
    for (name, content) in cases {
        std::fs::write(&bundle, content).unwrap();
        let o = coldset(&["verify", "--bundle", p(&bundle)]);
        assert!(!o.status.success(), "{name} was not detected: {}", text(&o));
    }
    // A bundle checked against a key the auditor trusts, which is not the signer's.
    std::fs::write(&bundle, &original).unwrap();
    let pinned = "someone+12345678+AdzB1xcVTWY6NlLrwqO7R6J3VttoXLVP3oYtVuc/k92o";
    let o = coldset(&["verify", "--bundle", p(&bundle), "--key", pinned]);
    assert!(!o.status.success());
}

#[test]
fn witness_pins_the_key_and_raises_the_alarm_on_rollback() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, n) = make_demo_ledger(tmp.path());
    let state = tmp.path().join("witness");
    let key = {
        let server = start(&["serve", "--data", p(&data)]);
        let url = format!("{}/api/v1/productions/dead-river", server.base);
        let key =
            ureq::get(&format!("{}/api/v1/ledger/verifier-key", server.base)).call().unwrap().into_string().unwrap();
        let first = coldset(&["witness", "--url", &url, "--state", p(&state)]);
        assert!(!first.status.success(), "the first run needs a key");
        let o = coldset(&["witness", "--url", &url, "--state", p(&state), "--key", &key]);
        assert!(o.status.success(), "{}", text(&o));
        let o = coldset(&["witness", "--url", &url, "--state", p(&state)]);
        assert!(o.status.success() && text(&o).contains("unchanged"), "{}", text(&o));
        server.stop();
        key
    };
    // Roll the log back by 5 events, as someone who holds both the data directory and the
    // key directory could (removing both checkpoint copies, so the server starts): only the
    // witness can tell.
    let rolled = tmp.path().join("rolled");
    copy_data(&data, &rolled);
    std::fs::remove_file(rolled.join("checkpoints.jsonl")).unwrap();
    std::fs::remove_file(keys_of(&rolled).join("checkpoints.jsonl")).unwrap();
    tamper(&rolled, |c| {
        c.execute("DELETE FROM events WHERE seq >= ?1", [(n - 5) as i64]).unwrap();
        c.execute("DELETE FROM checkpoints", []).unwrap();
        c.execute("DROP TRIGGER tree_nodes_append_only_delete", []).unwrap();
        c.execute("DELETE FROM tree_nodes", []).unwrap();
        c.execute("DELETE FROM projections", []).unwrap();
    });
    {
        let server = start(&["serve", "--data", p(&rolled)]);
        let url = format!("{}/api/v1/productions/dead-river", server.base);
        let mut last = String::new();
        wait_for("a rollback alarm", || {
            let o = coldset(&["witness", "--url", &url, "--state", p(&state), "--key", &key]);
            last = text(&o);
            !o.status.success() && last.contains("ROLLBACK")
        });
        server.stop();
    }
}

/// Two copies of one log that went separate ways: a witness that saw one refuses the other.
#[test]
fn witness_detects_a_fork() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let append = |dir: &Path, events: &str| {
        let o = coldset(&["bench", "append", "--data", p(dir), "--writers", "1", "--events", events, "--no-baseline"]);
        assert!(o.status.success(), "{}", text(&o));
    };
    append(&a, "20");
    copy_data(&a, &b);
    append(&a, "10");
    append(&b, "30");
    let state = tmp.path().join("witness");
    let witness = |dir: &Path, key: Option<&str>| -> Output {
        let server = start(&["serve", "--data", p(dir)]);
        let url = format!("{}/api/v1/productions/bench", server.base);
        let key = key.map(str::to_owned).unwrap_or_else(|| {
            ureq::get(&format!("{}/api/v1/ledger/verifier-key", server.base)).call().unwrap().into_string().unwrap()
        });
        let o = coldset(&["witness", "--url", &url, "--state", p(&state), "--key", &key]);
        server.stop();
        o
    };
    let o = witness(&a, None);
    assert!(o.status.success() && text(&o).contains("first checkpoint"), "{}", text(&o));
    // The log grows: the witness checks the consistency proof and accepts.
    append(&a, "5");
    let key = std::fs::read_to_string(state.join("verifier.key")).unwrap();
    let o = witness(&a, Some(key.trim()));
    assert!(o.status.success() && text(&o).contains("consistent"), "{}", text(&o));
    // The other branch, signed by the same key, is longer but does not extend it.
    let o = witness(&b, Some(key.trim()));
    assert!(!o.status.success());
    assert!(text(&o).contains("FORK"), "{}", text(&o));
    // While a directory is served, a second writer is refused (the lock), not let in.
    let server = start(&["serve", "--data", p(&a)]);
    let o = coldset(&["bench", "append", "--data", p(&a), "--writers", "1", "--events", "5", "--no-baseline"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("another coldset process"), "{}", text(&o));
    server.stop();
}

/// The largest checkpoint size in a checkpoint copy file.
fn last_copied_size(path: &Path) -> u64 {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["size"].as_u64())
        .max()
        .unwrap()
}

/// A server is not started on a database that is behind a checkpoint it signed (restored
/// from an older copy, newest events deleted), nor on one whose checkpoints another key
/// signed; a clean stop signs the last events first.
#[test]
fn serve_refuses_a_log_behind_its_own_checkpoints_or_signed_by_another_key() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, n) = make_demo_ledger(tmp.path());
    let server = start(&["serve", "--data", p(&data)]);
    ureq::post(&format!("{}/api/v1/productions/dead-river/reports", server.base))
        .set("Content-Type", "application/json")
        .send_string(r#"{"severity":"information","text":"one more event, then a clean stop"}"#)
        .unwrap();
    server.stop();
    // The clean stop signed it at once (the background signer runs only every second).
    assert_eq!(last_copied_size(&keys_of(&data).join("checkpoints.jsonl")), n + 1);
    assert_eq!(last_copied_size(&data.join("checkpoints.jsonl")), n + 1);

    // Restored from an older copy: the five newest events are gone from the database, and
    // whoever did it also removed the data directory's own checkpoint copy. The key
    // directory's copy, outside the data directory, still knows.
    let rolled = tmp.path().join("rolled");
    copy_dir(&data, &rolled);
    std::fs::remove_file(rolled.join("checkpoints.jsonl")).unwrap();
    tamper(&rolled, |c| {
        c.execute("DELETE FROM events WHERE seq >= ?1", [(n - 4) as i64]).unwrap();
        c.execute("DELETE FROM checkpoints WHERE size > ?1", [(n - 4) as i64]).unwrap();
    });
    let o = coldset(&["serve", "--data", p(&rolled), "--key-dir", p(&keys_of(&data)), "--listen", "127.0.0.1:0"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("ROLLED BACK") && text(&o).contains("the newest 5 events are missing"), "{}", text(&o));

    // The key swapped for another installation's, without a recorded rotation.
    let other = tmp.path().join("other");
    assert!(coldset(&["init", "--data", p(&other)]).status.success());
    let swapped = tmp.path().join("swapped");
    copy_dir(&data, &swapped);
    std::fs::copy(other.join("ledger.pub"), swapped.join("ledger.pub")).unwrap();
    let o = coldset(&["serve", "--data", p(&swapped), "--key-dir", p(&keys_of(&other)), "--listen", "127.0.0.1:0"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("not signed by this installation's key"), "{}", text(&o));

    // The untouched directory still starts.
    let server = start(&["serve", "--data", p(&data)]);
    server.stop();
}

/// Whoever holds a copy of the data directory rewrote an old event and had a server re-sign
/// the log. The signing key is not in that directory, so they signed with a key of their
/// own: `verify` with the verifier key obtained elsewhere refuses it, and so does a witness
/// that saw the real log. With the old layout (the key inside the data directory), `verify`
/// will not trust that key unless told to, and says so.
#[test]
fn a_rewritten_log_re_signed_by_the_holder_of_its_directory_is_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, _) = make_demo_ledger(tmp.path());
    let original = std::fs::read_to_string(data.join("ledger.pub")).unwrap().trim().to_owned();
    let witness_state = tmp.path().join("witness");
    {
        let server = start(&["serve", "--data", p(&data)]);
        let url = format!("{}/api/v1/productions/dead-river", server.base);
        let o = coldset(&["witness", "--url", &url, "--state", p(&witness_state), "--key", &original]);
        assert!(o.status.success(), "{}", text(&o));
        server.stop();
    }
    let stolen = tmp.path().join("stolen");
    copy_dir(&data, &stolen);
    // A key of the attacker's own, where `serve` looks for it by default.
    let theirs = tmp.path().join("theirs");
    assert!(coldset(&["init", "--data", p(&theirs)]).status.success());
    std::fs::copy(theirs.join("ledger.pub"), stolen.join("ledger.pub")).unwrap();
    copy_dir(&keys_of(&theirs), &keys_of(&stolen));
    tamper(&stolen, |c| {
        let seq = 3i64;
        let mut b: Vec<u8> = c.query_row("SELECT body FROM events WHERE seq = ?1", [seq], |r| r.get(0)).unwrap();
        let text = String::from_utf8(b.clone()).unwrap();
        let at = text.find("\"name\":\"").unwrap() + 9;
        b[at] = if b[at] == b'x' { b'y' } else { b'x' };
        c.execute(
            "UPDATE events SET body = ?1, leaf_hash = ?2 WHERE seq = ?3",
            rusqlite::params![b, &coldset_ledger::leaf_hash(&b)[..], seq],
        )
        .unwrap();
        c.execute("DELETE FROM checkpoints", []).unwrap();
        c.execute("DROP TRIGGER tree_nodes_append_only_delete", []).unwrap();
        c.execute("DELETE FROM tree_nodes", []).unwrap();
    });
    std::fs::remove_file(stolen.join("checkpoints.jsonl")).unwrap();
    let server = start(&["serve", "--data", p(&stolen)]);
    wait_for("the re-signed checkpoint", || stolen.join("checkpoints.jsonl").exists());
    let url = format!("{}/api/v1/productions/dead-river", server.base);
    let o = coldset(&["witness", "--url", &url, "--state", p(&witness_state)]);
    assert!(!o.status.success() && text(&o).contains("ALARM"), "the witness: {}", text(&o));
    server.stop();
    let o = coldset(&["verify", "--data", p(&stolen), "--key", &original]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("stored checkpoint"), "{}", text(&o));
    let o = coldset(&["verify", "--data", p(&data), "--key", &original]);
    assert!(o.status.success() && text(&o).contains("trusted: the verifier key given with --key"), "{}", text(&o));

    // The old layout: the key inside the data directory proves nothing against its holder.
    let legacy = tmp.path().join("legacy");
    copy_dir(&data, &legacy);
    let key_file = std::fs::read_dir(keys_of(&data))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "key") && !p.ends_with("secrets.key"))
        .unwrap();
    std::fs::copy(&key_file, legacy.join("ledger.key")).unwrap();
    let o = coldset(&["verify", "--data", p(&legacy)]);
    assert!(!o.status.success() && text(&o).contains("--trust-data-dir-key"), "{}", text(&o));
    let o = coldset(&["verify", "--data", p(&legacy), "--trust-data-dir-key"]);
    assert!(o.status.success() && text(&o).contains("WARNING"), "{}", text(&o));
}

/// Starts the demo with a configuration file holding `config` (TOML).
fn start_demo_with_config(dir: &Path, config: &str) -> Server {
    let file = dir.join("coldset.toml");
    std::fs::write(&file, config).unwrap();
    start(&["demo", "--data", p(&dir.join("demo")), "--config", p(&file)])
}

/// A Wi-Fi neighbour holds a thousand idle and half-sent connections from one address,
/// with the server at the usual 1,024 open files: everyone else is still answered at once,
/// and the neighbour's connections are closed when idle.
#[test]
fn the_server_keeps_answering_while_one_client_holds_a_thousand_idle_connections() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    assert!(coldset(&["init", "--data", p(&data)]).status.success());
    let config = tmp.path().join("limits.toml");
    std::fs::write(&config, "idle_timeout_seconds = 6\nheader_timeout_seconds = 6\n").unwrap();
    let mut child = Command::new("sh")
        .args(["-c", "ulimit -n 1024 && exec \"$0\" \"$@\"", BIN, "serve", "--data", p(&data), "--config", p(&config)])
        .args(["--listen", "127.0.0.1:0"])
        .env_remove("COLDSET_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let base = loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "server did not start");
        if let Some(rest) = line.trim().strip_prefix("coldset listening on ") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    let addr: std::net::SocketAddr = base.trim_start_matches("http://").parse().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // The neighbour: 1,100 connections from 127.0.0.2 (more than the open-file limit), every
    // other one with half a request.
    let mut idle = rt.block_on(async {
        use tokio::io::AsyncWriteExt;
        let mut held = Vec::new();
        for i in 0..1100 {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
            if let Ok(mut stream) = socket.connect(addr).await {
                if i % 2 == 0 {
                    let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await;
                }
                held.push(stream);
            }
        }
        held
    });
    assert!(idle.len() > 1000, "the neighbour's connections: {}", idle.len());
    // The median under 100 ms, and none slow enough to look stopped: a test machine running
    // other tests beside this one can delay one request, which says nothing of the server.
    let mut took: Vec<Duration> = (0..21)
        .map(|_| {
            let started = Instant::now();
            let answer = ureq::get(&format!("{base}/healthz")).call().unwrap().into_string().unwrap();
            assert_eq!(answer, "ok");
            started.elapsed()
        })
        .collect();
    took.sort();
    assert!(took[10] < Duration::from_millis(100), "/healthz took {took:?} while the neighbour held its sockets");
    assert!(took[20] < Duration::from_secs(1), "/healthz took {took:?} while the neighbour held its sockets");
    // The neighbour's connections that were let in are closed after the idle time.
    let closed = rt.block_on(async {
        use tokio::io::AsyncReadExt;
        let mut closed = 0;
        for stream in idle.iter_mut().take(60) {
            let mut buf = [0u8; 512];
            match tokio::time::timeout(Duration::from_secs(12), stream.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => closed += 1,
                Ok(Ok(_)) => {
                    // An answer (408 to a half-sent request) then the close.
                    if matches!(
                        tokio::time::timeout(Duration::from_secs(12), stream.read(&mut buf)).await,
                        Ok(Ok(0)) | Ok(Err(_))
                    ) {
                        closed += 1;
                    }
                }
                Err(_) => {}
            }
        }
        closed
    });
    assert_eq!(closed, 60, "every idle connection is closed");
    drop(idle);
    let _ = child.kill();
    let _ = child.wait();
}

/// One sender floods the anonymous report channel: it is limited, while a critical report
/// from someone else is accepted at once and stops firearm work. Behind a trusted proxy the
/// forwarded address is the client.
#[test]
fn a_flood_of_reports_from_one_client_cannot_jam_anothers_critical_report() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start_demo_with_config(tmp.path(), "trusted_proxies = [\"127.0.0.1\"]\n");
    let url = format!("{}/api/v1/productions/dead-river/reports", server.base);
    let send = |from: &str, body: &str| match ureq::post(&url)
        .set("X-Forwarded-For", from)
        .set("Content-Type", "application/json")
        .send_string(body)
    {
        Ok(r) => (r.status(), serde_json::from_str::<serde_json::Value>(&r.into_string().unwrap()).unwrap()),
        Err(ureq::Error::Status(s, r)) => (s, serde_json::from_str(&r.into_string().unwrap()).unwrap()),
        Err(e) => panic!("{e}"),
    };
    let junk = r#"{"severity":"information","text":"junk"}"#;
    let statuses: Vec<u16> = (0..40).map(|_| send("10.0.0.66", junk).0).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5, "{statuses:?}");
    let (status, body) = send("10.0.0.66", junk);
    assert_eq!((status, body["code"].as_str()), (429, Some("report.rate_limited")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("compliance contact"), "{body}");
    let (status, body) =
        send("10.0.0.77", r#"{"severity":"critical","text":"Live rounds on the props cart.\nStop now."}"#);
    assert_eq!(status, 200, "{body}");
    let gate = server.get("/api/v1/productions/dead-river/gate/hand-off?firearm=fa-1&to=p-5&scene=sc-1");
    assert!(gate["rule_ids"].as_array().unwrap().iter().any(|r| r == "R-COMP-2"), "{gate}");
    // Follow-up additions are limited too.
    let key = body["followup_key"].as_str().unwrap();
    let add = |n: usize| match ureq::post(&format!("{url}/followup/add"))
        .set("X-Forwarded-For", "10.0.0.77")
        .set("Content-Type", "application/json")
        .send_string(&serde_json::json!({"key": key, "text": format!("addition {n}")}).to_string())
    {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(s, _)) => s,
        Err(e) => panic!("{e}"),
    };
    for n in 0..20 {
        assert_eq!(add(n), 200, "addition {n}");
    }
    assert_eq!(add(20), 429);
    // Photo bytes per client: a second batch of large photos within the hour is refused.
    let photo = base64::engine::general_purpose::STANDARD.encode(vec![0x89u8; 4 * 1024 * 1024]);
    let with_photos = |n: usize| {
        let photos: Vec<_> = (0..n).map(|_| serde_json::json!({"content_type": "image/png", "data": photo})).collect();
        serde_json::json!({"severity": "concern", "text": "photos", "photos": photos}).to_string()
    };
    assert_eq!(send("10.0.0.88", &with_photos(5)).0, 200);
    let (status, body) = send("10.0.0.88", &with_photos(2));
    assert_eq!(status, 429, "{body}");
    assert!(body["message"].as_str().unwrap().contains("photos"), "{body}");
    server.stop();
}

/// A witness (C2SP tlog-witness) on another machine cosigns each checkpoint after checking it
/// extends the last one it cosigned; the cosignatures travel in the exported bundle, and an
/// auditor's `verify --bundle --witness` requires them. A checkpoint that does not extend what
/// the witness saw, or is not signed by the log's key, is refused as the protocol says.
#[test]
fn witnesses_cosign_checkpoints_and_auditors_require_them() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, n) = make_demo_ledger(tmp.path());
    let log_key = std::fs::read_to_string(data.join("ledger.pub")).unwrap().trim().to_owned();
    // The witness, on "another machine".
    let mut witness = Command::new(BIN)
        .args(["witness-serve", "--state", p(&tmp.path().join("w")), "--name", "witness.test/w1"])
        .args(["--log-key", &log_key, "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(witness.stdout.take().unwrap());
    let (mut witness_key, mut witness_url) = (String::new(), String::new());
    while witness_url.is_empty() {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the witness did not start");
        if let Some(k) = line.trim().strip_prefix("witness key: ") {
            witness_key = k.to_owned();
        }
        if let Some(rest) = line.trim().strip_prefix("coldset witness listening on ") {
            witness_url = rest.split_whitespace().next().unwrap().trim_end_matches('/').to_owned();
        }
    }
    std::thread::spawn(move || for _ in reader.lines() {});
    let config = tmp.path().join("coldset.toml");
    std::fs::write(&config, format!("[[witnesses]]\nurl = \"{witness_url}\"\nkey = \"{witness_key}\"\n")).unwrap();
    let server = start(&["serve", "--data", p(&data), "--config", p(&config)]);
    for i in 0..2 {
        ureq::post(&format!("{}/api/v1/productions/dead-river/reports", server.base))
            .set("Content-Type", "application/json")
            .send_string(&format!(r#"{{"severity":"information","text":"event {i} for the witness"}}"#))
            .unwrap();
        // The second checkpoint is cosigned through a consistency proof from the first.
        let size = n + 1 + i;
        wait_for("the witness's cosignature", || {
            std::fs::read_to_string(keys_of(&data).join("cosignatures.jsonl"))
                .is_ok_and(|t| t.lines().any(|l| l.contains(&format!("\"size\":{size}"))))
        });
    }
    // The operator sees how far each witness lags behind the log.
    let metrics = server.request("/metrics").call().unwrap().into_string().unwrap();
    let lag = "coldset_witness_lag_events{witness=\"witness.test/w1\",production=\"dead-river\"} 0";
    assert!(metrics.contains(lag), "{metrics}");
    server.stop();
    let bundle = tmp.path().join("dead-river.bundle");
    let o = coldset(&["export", "--data", p(&data), "--production", "dead-river", "--out", p(&bundle)]);
    assert!(o.status.success(), "{}", text(&o));
    let o = coldset(&["verify", "--bundle", p(&bundle), "--key", &log_key, "--witness", &witness_key]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("the checkpoint at {} events is cosigned by witness.test/w1", n + 2)),
        "{}",
        text(&o)
    );
    // A witness the auditor trusts that never cosigned: refused.
    let other = tmp.path().join("other-witness");
    let mut stranger = Command::new(BIN)
        .args(["witness-serve", "--state", p(&other), "--name", "witness.test/w2", "--log-key", &log_key])
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(stranger.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let stranger_key = line.trim().strip_prefix("witness key: ").unwrap().to_owned();
    let _ = stranger.kill();
    let _ = stranger.wait();
    let o = coldset(&[
        "verify",
        "--bundle",
        p(&bundle),
        "--key",
        &log_key,
        "--witness",
        &witness_key,
        "--witness",
        &stranger_key,
    ]);
    assert!(!o.status.success() && text(&o).contains("cosigned by 2 of the witnesses"), "{}", text(&o));
    let o = coldset(&[
        "verify",
        "--bundle",
        p(&bundle),
        "--key",
        &log_key,
        "--witness",
        &witness_key,
        "--witness",
        &stranger_key,
        "--quorum",
        "1",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    // The protocol's refusals, straight to the witness.
    let post = |body: String| match ureq::post(&format!("{witness_url}/add-checkpoint")).send_string(&body) {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap()),
        Err(e) => panic!("{e}"),
    };
    let latest: Vec<String> = std::fs::read_to_string(keys_of(&data).join("checkpoints.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["note"].as_str().unwrap().to_owned())
        .collect();
    let newest = latest.last().unwrap();
    // An old size the witness does not have: 409 with the size it has.
    let (status, body) = post(format!("old 3\n\n{newest}"));
    assert_eq!((status, body.as_str()), (409, format!("{}\n", n + 2).as_str()));
    // An older, smaller checkpoint (a rollback): the old size is larger than its size.
    let (status, _) = post(format!("old {}\n\n{}", n + 2, latest[0]));
    assert_eq!(status, 400);
    // A checkpoint signed by another key: 403. An unknown log: 404.
    let forged = newest.replace(&newest[newest.rfind("\n\n").unwrap() + 2..], "\u{2014} coldset.demo AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
    assert_eq!(post(format!("old {}\n\n{forged}", n + 2)).0, 403);
    assert_eq!(
        post(
            "old 0\n\nsomewhere.else/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\u{2014} x AAAA\n".into()
        )
        .0,
        404
    );
    let _ = witness.kill();
    let _ = witness.wait();

    // The log's key rotates: the witness is given the new key (same state, same origin) and
    // cosigns the new key's checkpoints, consistent with what it cosigned before.
    let o = coldset(&["key", "rotate", "--data", p(&data)]);
    assert!(o.status.success(), "{}", text(&o));
    let new_key = std::fs::read_to_string(data.join("ledger.pub")).unwrap().trim().to_owned();
    let mut witness = Command::new(BIN)
        .args(["witness-serve", "--state", p(&tmp.path().join("w")), "--name", "witness.test/w1"])
        .args(["--log-key", &log_key, "--log-key", &new_key, "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(witness.stdout.take().unwrap());
    let mut witness_url = String::new();
    while witness_url.is_empty() {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the witness did not start again");
        if let Some(k) = line.trim().strip_prefix("witness key: ") {
            assert_eq!(k, witness_key, "the witness keeps its key");
        }
        if let Some(rest) = line.trim().strip_prefix("coldset witness listening on ") {
            witness_url = rest.split_whitespace().next().unwrap().trim_end_matches('/').to_owned();
        }
    }
    std::thread::spawn(move || for _ in reader.lines() {});
    std::fs::write(&config, format!("[[witnesses]]\nurl = \"{witness_url}\"\nkey = \"{witness_key}\"\n")).unwrap();
    let server = start(&["serve", "--data", p(&data), "--config", p(&config)]);
    ureq::post(&format!("{}/api/v1/productions/dead-river/reports", server.base))
        .set("Content-Type", "application/json")
        .send_string(r#"{"severity":"information","text":"after the rotation, for the witness"}"#)
        .unwrap();
    let size = n + 3;
    wait_for("the witness's cosignature of the new key's checkpoint", || {
        std::fs::read_to_string(keys_of(&data).join("cosignatures.jsonl"))
            .is_ok_and(|t| t.lines().any(|l| l.contains(&format!("\"size\":{size}"))))
    });
    server.stop();
    let o = coldset(&["export", "--data", p(&data), "--production", "dead-river", "--out", p(&bundle)]);
    assert!(o.status.success(), "{}", text(&o));
    let o = coldset(&["verify", "--bundle", p(&bundle), "--key", &log_key, "--witness", &witness_key]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("the checkpoint at {size} events is cosigned by witness.test/w1")),
        "{}",
        text(&o)
    );
    let _ = witness.kill();
    let _ = witness.wait();
}

/// The ledger key held by a real ssh-agent (OpenSSH's, as a hardware token's agent would
/// be): no key file anywhere, checkpoints signed through the agent and verified with the
/// key `init` printed; without the agent the server does not start, and says why.
#[test]
fn the_ledger_key_can_live_in_an_ssh_agent() {
    let tmp = tempfile::tempdir().unwrap();
    let sock = tmp.path().join("agent.sock");
    let mut agent = Command::new("ssh-agent")
        .args(["-D", "-a", p(&sock)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ssh-agent (Debian's openssh-client)");
    wait_for("the ssh-agent", || sock.exists());
    let key = tmp.path().join("ledger");
    let o = Command::new("ssh-keygen")
        .args(["-t", "ed25519", "-N", "", "-q", "-C", "coldset", "-f", p(&key)])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let o = Command::new("ssh-add").arg(&key).env("SSH_AUTH_SOCK", &sock).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    // From now on only the agent holds the private key.
    std::fs::remove_file(&key).unwrap();
    let data = tmp.path().join("d");
    let pubkey = key.with_extension("pub");
    let o = coldset(&["init", "--data", p(&data), "--installation", "coldset.agent", "--ssh-agent-key", p(&pubkey)]);
    assert!(o.status.success() && text(&o).contains("ssh-agent"), "{}", text(&o));
    let verifier = std::fs::read_to_string(data.join("ledger.pub")).unwrap().trim().to_owned();
    assert!(text(&o).contains(&verifier), "{}", text(&o));
    let key_files: Vec<_> = std::fs::read_dir(keys_of(&data))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "key" && !p.ends_with("secrets.key")))
        .collect();
    assert!(key_files.is_empty(), "a key file was written: {key_files:?}");
    let sock_text = p(&sock).to_owned();
    let server = start_with_env(&["serve", "--data", p(&data)], &[("SSH_AUTH_SOCK", &sock_text)]);
    let production = serde_json::json!({"id": "agent-test", "name": "Agent test", "time_zone": "UTC",
        "packs": ["industry-us"], "compliance_contact": "safety@example"});
    let (status, _, _, answer) = post_json(
        &format!("{}/api/v1/productions", server.base),
        &production.to_string(),
        &[("Authorization", &format!("Bearer {}", server.token.clone().unwrap()))],
    );
    assert_eq!(status, 200, "{answer}");
    wait_for("a checkpoint signed through the agent", || data.join("checkpoints.jsonl").exists());
    server.stop();
    let o = coldset(&["verify", "--data", p(&data), "--key", &verifier]);
    assert!(o.status.success(), "{}", text(&o));
    // Without the agent: refused, with what to do.
    let o = Command::new(BIN)
        .args(["serve", "--data", p(&data), "--listen", "127.0.0.1:0"])
        .env_remove("SSH_AUTH_SOCK")
        .output()
        .unwrap();
    assert!(!o.status.success() && text(&o).contains("SSH_AUTH_SOCK"), "{}", text(&o));
    // The agent's key signs the rotation to a new key (a file) as the old key.
    let rotated = tmp.path().join("rotated");
    copy_data(&data, &rotated);
    let o =
        Command::new(BIN).args(["key", "rotate", "--data", p(&rotated)]).env("SSH_AUTH_SOCK", &sock).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    start(&["serve", "--data", p(&rotated)]).stop();
    let o = coldset(&["verify", "--data", p(&rotated), "--key", &verifier]);
    assert!(o.status.success() && text(&o).contains("key rotations: 1"), "{}", text(&o));
    let _ = agent.kill();
    let _ = agent.wait();
    let o = Command::new(BIN)
        .args(["serve", "--data", p(&data), "--listen", "127.0.0.1:0"])
        .env("SSH_AUTH_SOCK", &sock)
        .output()
        .unwrap();
    assert!(!o.status.success() && text(&o).contains("ssh-agent"), "{}", text(&o));
}

/// A free TCP port on loopback, for a server whose public URL must be known before it starts.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An agent that trusts only the given CA certificate (PEM file).
fn agent_trusting(ca: &Path) -> ureq::Agent {
    use rustls::pki_types::pem::PemObject;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls::pki_types::CertificateDer::from_pem_file(ca).unwrap()).unwrap();
    let tls = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    ureq::AgentBuilder::new().tls_config(std::sync::Arc::new(tls)).build()
}

/// Phones on the set's Wi-Fi: `coldset cert` makes the set's authority and this computer's
/// certificate; `serve --https` listens on every address with it, and a client that trusts
/// only that authority connects; links and QR codes use the public URL; `/ca` offers the
/// authority to phones; the demo does the same with `--https`.
#[test]
fn phones_trust_the_sets_own_certificate_authority() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    assert!(coldset(&["init", "--data", p(&data)]).status.success());
    let o = coldset(&["cert", "--data", p(&data), "--host", "armory-laptop.local"]);
    assert!(o.status.success() && text(&o).contains("Made the set's certificate authority"), "{}", text(&o));
    let fingerprint = text(&o).split("show it: ").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    assert_eq!(fingerprint.len(), 32 * 3 - 1, "{fingerprint}");
    let tls = keys_of(&data).join("tls");
    let ca = tls.join("ca.pem");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for key in ["ca.key", "server.key"] {
            assert_eq!(std::fs::metadata(tls.join(key)).unwrap().permissions().mode() & 0o777, 0o600, "{key}");
        }
    }
    // Made again (a new address): the authority is kept, so phones need nothing new.
    let before = std::fs::read(&ca).unwrap();
    let o = coldset(&["cert", "--data", p(&data), "--ip", "10.1.2.3"]);
    assert!(o.status.success() && text(&o).contains("Kept the set's certificate authority"), "{}", text(&o));
    assert_eq!(std::fs::read(&ca).unwrap(), before);
    let port = free_port();
    let public = "https://armory-laptop.local:8443";
    let server = start_listening(
        &["serve", "--data", p(&data), "--https", "--public-url", public],
        &format!("0.0.0.0:{port}"),
        &[],
    );
    assert!(server.stdout.iter().any(|l| l.contains(public)), "{:?}", server.stdout);
    let agent = agent_trusting(&ca);
    let base = format!("https://127.0.0.1:{port}");
    assert_eq!(agent.get(&format!("{base}/healthz")).call().unwrap().into_string().unwrap(), "ok");
    // A client that does not trust the authority is refused.
    assert!(ureq::get(&format!("{base}/healthz")).call().is_err());
    // The authority for phones: a page with the steps, the certificate, an Apple profile.
    let page = agent.get(&format!("{base}/ca")).call().unwrap().into_string().unwrap();
    assert!(page.contains("iPhone") && page.contains("Android") && page.contains(public), "{page}");
    assert!(page.contains(&fingerprint), "the page shows the fingerprint `coldset cert` printed: {page}");
    let mut der = Vec::new();
    agent.get(&format!("{base}/ca.crt")).call().unwrap().into_reader().read_to_end(&mut der).unwrap();
    let pem_body: String = String::from_utf8(before).unwrap().lines().filter(|l| !l.starts_with("-----")).collect();
    assert_eq!(der, base64::engine::general_purpose::STANDARD.decode(pem_body).unwrap());
    let profile = agent.get(&format!("{base}/ca.mobileconfig")).call().unwrap();
    assert_eq!(profile.header("content-type"), Some("application/x-apple-aspen-config"));
    assert!(profile.into_string().unwrap().contains(&base64::engine::general_purpose::STANDARD.encode(&der)));
    // QR codes encode the public URL, not the address this client typed.
    let served = agent.get(&format!("{base}/p/nowhere/report-qr.svg")).call().unwrap().into_string().unwrap();
    let expected = qrcode::QrCode::new(format!("{public}/p/nowhere/report").as_bytes())
        .unwrap()
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    assert_eq!(served, expected, "the QR code is of {public}/p/nowhere/report");
    server.stop();
    // The demo, for phones: --https makes the certificate and allows any address.
    let demo = tmp.path().join("demo");
    let port = free_port();
    let o = coldset(&["demo", "--data", p(&demo), "--listen", &format!("0.0.0.0:{port}")]);
    assert!(!o.status.success() && text(&o).contains("--https"), "{}", text(&o));
    let server = start_listening(&["demo", "--data", p(&demo), "--https"], &format!("0.0.0.0:{port}"), &[]);
    let agent = agent_trusting(&keys_of(&demo).join("tls").join("ca.pem"));
    assert_eq!(agent.get(&format!("https://127.0.0.1:{port}/healthz")).call().unwrap().into_string().unwrap(), "ok");
    assert!(server.stdout.iter().any(|l| l.contains("no public_url")), "{:?}", server.stdout);
    server.stop();
}

/// SIGTERM stops the server within seconds even while live boards hold their event streams
/// open (they would otherwise keep a graceful stop waiting for ever).
#[test]
fn a_clean_stop_takes_seconds_even_with_live_boards_open() {
    let tmp = tempfile::tempdir().unwrap();
    let mut server = start(&["demo", "--data", p(&tmp.path().join("d"))]);
    let boards: Vec<_> =
        (0..3).map(|_| sse_data(server.request("/p/dead-river/board/stream").call().unwrap())).collect();
    for board in &boards {
        board.recv_timeout(Duration::from_secs(10)).unwrap();
    }
    let stopped = Instant::now();
    let _ = Command::new("kill").arg(server.child.id().to_string()).status();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(stopped.elapsed() < Duration::from_secs(10), "still running 10 s after SIGTERM with boards open");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "a clean stop exits 0: {status:?}");
}

/// Events of production `bench` in the database of `dir`.
fn bench_events(dir: &Path) -> u64 {
    let conn = rusqlite::Connection::open(dir.join("coldset.db")).unwrap();
    conn.query_row("SELECT COUNT(*) FROM events WHERE production = 'bench'", [], |r| r.get::<_, i64>(0)).unwrap() as u64
}

/// A backup taken while 32 writers append restores whole: it verifies and holds every event
/// acknowledged before it began. A damaged backup (a byte changed, truncated, its key
/// missing) is refused and nothing is overwritten; an older backup than the installation's
/// own checkpoints is refused unless asked for; sealed keys need the passphrase; a backup
/// directory keeps only the newest N.
#[test]
fn backups_taken_while_writing_restore_whole_and_damaged_ones_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let mut writer = Command::new(BIN)
        .args(["bench", "append", "--data", p(&data), "--writers", "32", "--events", "100000000"])
        .args(["--print-acks", "--no-baseline"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = writer.stdout.take().unwrap();
    let acked = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = acked.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(seq) = line.strip_prefix("ack ") {
                counter.fetch_max(seq.parse::<u64>().unwrap() + 1, Ordering::SeqCst);
            }
        }
    });
    wait_for("a few hundred acknowledged events and a signed checkpoint", || {
        acked.load(Ordering::SeqCst) > 300 && keys_of(&data).join("checkpoints.jsonl").exists()
    });
    let acked_before = acked.load(Ordering::SeqCst);
    let backup = tmp.path().join("backup.tar");
    let o = coldset(&["backup", "--data", p(&data), "--out", p(&backup)]);
    assert!(o.status.success(), "{}", text(&o));
    let after = acked.load(Ordering::SeqCst);
    assert!(after > acked_before, "the writers went on during the backup ({acked_before} -> {after})");
    // The installation goes on and signs past the backup.
    let signed_at_backup = last_copied_size(&keys_of(&data).join("checkpoints.jsonl"));
    wait_for("a checkpoint after the backup", || {
        last_copied_size(&keys_of(&data).join("checkpoints.jsonl")) > signed_at_backup.max(after)
    });
    writer.kill().unwrap();
    writer.wait().unwrap();

    let restored = tmp.path().join("restored");
    let o = coldset(&["restore", "--from", p(&backup), "--data", p(&restored)]);
    assert!(o.status.success() && text(&o).contains("the whole ledger verified"), "{}", text(&o));
    assert!(bench_events(&restored) >= acked_before, "{} < {acked_before}", bench_events(&restored));
    assert!(coldset(&["verify", "--data", p(&restored)]).status.success());
    // The restored directory serves.
    let server = start(&["serve", "--data", p(&restored)]);
    server.stop();

    // Damaged copies are refused, and leave nothing behind.
    let bytes = std::fs::read(&backup).unwrap();
    let refused = |name: &str, damaged: &[u8], expect: &str| {
        let file = tmp.path().join(format!("{name}.tar"));
        std::fs::write(&file, damaged).unwrap();
        let target = tmp.path().join(format!("restore-{name}"));
        let o = coldset(&["restore", "--from", p(&file), "--data", p(&target)]);
        assert!(!o.status.success(), "{name} was restored:\n{}", text(&o));
        assert!(text(&o).contains(expect), "{name}: {}", text(&o));
        assert!(!target.exists() && !keys_of(&target).exists(), "{name} left a directory behind");
    };
    let mut flipped = bytes.clone();
    let middle = bytes.len() / 2;
    flipped[middle] ^= 0x40;
    refused("one-byte", &flipped, "differs from what was backed up");
    refused("truncated", &bytes[..bytes.len() / 3], "not a whole coldset backup");
    // A backup made from a key directory that had lost its signing key.
    let keyless = tmp.path().join("keyless");
    copy_data(&data, &keyless);
    for entry in std::fs::read_dir(keys_of(&keyless)).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "key") && !path.ends_with("secrets.key") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let without_key = tmp.path().join("without-key.tar");
    assert!(coldset(&["backup", "--data", p(&keyless), "--out", p(&without_key)]).status.success());
    refused("key-missing", &std::fs::read(&without_key).unwrap(), "signing key");
    // Never over an existing directory.
    let o = coldset(&["restore", "--from", p(&backup), "--data", p(&data)]);
    assert!(!o.status.success() && text(&o).contains("never overwrites"), "{}", text(&o));
    // The installation went on after the backup: its own checkpoint copy is ahead.
    let newest = keys_of(&data).join("checkpoints.jsonl");
    let older = tmp.path().join("older");
    let o = coldset(&["restore", "--from", p(&backup), "--data", p(&older), "--newer-than", p(&newest)]);
    assert!(
        !o.status.success() && text(&o).contains("older than what this installation already signed"),
        "{}",
        text(&o)
    );
    assert!(!older.exists());
    let o =
        coldset(&["restore", "--from", p(&backup), "--data", p(&older), "--newer-than", p(&newest), "--accept-older"]);
    assert!(o.status.success(), "{}", text(&o));

    // Sealed keys, and a directory of backups that keeps the newest two.
    let phrase = tmp.path().join("phrase");
    std::fs::write(&phrase, "correct horse battery staple\n").unwrap();
    let shelf = tmp.path().join("shelf");
    std::fs::create_dir(&shelf).unwrap();
    for _ in 0..3 {
        let o = coldset(&[
            "backup",
            "--data",
            p(&data),
            "--out",
            p(&shelf),
            "--passphrase-file",
            p(&phrase),
            "--keep",
            "2",
        ]);
        assert!(o.status.success(), "{}", text(&o));
        std::thread::sleep(Duration::from_millis(1100));
    }
    let kept: Vec<PathBuf> = std::fs::read_dir(&shelf).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    let sealed = &kept[0];
    let contents = String::from_utf8_lossy(&std::fs::read(sealed).unwrap()).into_owned();
    assert!(!contents.contains("PRIVATE+KEY"), "the signing key is in the clear");
    let o = coldset(&["restore", "--from", p(sealed), "--data", p(&tmp.path().join("s1"))]);
    assert!(!o.status.success() && text(&o).contains("passphrase"), "{}", text(&o));
    let wrong = tmp.path().join("wrong");
    std::fs::write(&wrong, "not the right one").unwrap();
    let o =
        coldset(&["restore", "--from", p(sealed), "--data", p(&tmp.path().join("s2")), "--passphrase-file", p(&wrong)]);
    assert!(!o.status.success() && text(&o).contains("wrong passphrase"), "{}", text(&o));
    let o = coldset(&[
        "restore",
        "--from",
        p(sealed),
        "--data",
        p(&tmp.path().join("s3")),
        "--passphrase-file",
        p(&phrase),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    // Automatic backups to a second disk while serving: one at start, then every period.
    let disk = tmp.path().join("second-disk");
    std::fs::create_dir(&disk).unwrap();
    let config = tmp.path().join("backups.toml");
    let settings = format!(
        "backup_dir = \"{}\"\nbackup_every_minutes = 60\nbackup_keep = 3\nbackup_passphrase_file = \"{}\"\n",
        p(&disk),
        p(&phrase)
    );
    std::fs::write(&config, settings).unwrap();
    let server = start(&["serve", "--data", p(&restored), "--config", p(&config)]);
    let tar_in = |dir: &Path| {
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().is_some_and(|x| x == "tar"))
    };
    wait_for("the automatic backup", || tar_in(&disk).is_some());
    server.stop();
    let automatic = tar_in(&disk).unwrap();
    let target = tmp.path().join("s4");
    let o = coldset(&["restore", "--from", p(&automatic), "--data", p(&target), "--passphrase-file", p(&phrase)]);
    assert!(o.status.success(), "{}", text(&o));
}

/// The systemd unit in packaging/ is valid for systemd itself (`systemd-analyze verify`, with
/// the binary this test runs standing in for the installed one), and sandboxes the service.
#[test]
fn the_systemd_unit_passes_systemd_analyze() {
    let unit =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../packaging/coldset.service")).unwrap();
    for setting in ["DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=coldset", "NoNewPrivileges=yes"] {
        assert!(unit.contains(setting), "the unit lacks {setting}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("coldset.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/coldset", BIN)).unwrap();
    let o = Command::new("systemd-analyze")
        .args(["verify", p(&path)])
        .output()
        .expect("systemd-analyze (Debian's systemd package; scripts/test.sh installs it)");
    assert!(o.status.success() && o.stderr.is_empty(), "{}", text(&o));
}

/// The operator's monitoring: `/metrics` (Prometheus text format) for an administrator's
/// token, counting recorded events and refusals by the rule that refused them; and log lines
/// as JSON objects when the configuration asks for them.
#[test]
fn metrics_and_json_logs_for_the_operator() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let log = tmp.path().join("server.log");
    let mut child = Command::new(BIN)
        .args(["demo", "--data", p(&data), "--listen", "127.0.0.1:0"])
        .env_remove("COLDSET_CONFIG")
        .env("COLDSET_LOG", "debug")
        .env("COLDSET_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let base = loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "server did not start");
        if let Some(rest) = line.trim().strip_prefix("coldset listening on ") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    std::thread::spawn(move || for _ in reader.lines() {});
    let token = |account: &str| {
        let o = coldset(&["token", "create", "--data", p(&data), "--account", account]);
        assert!(o.status.success(), "{}", text(&o));
        String::from_utf8_lossy(&o.stdout).trim().to_owned()
    };
    let (admin, maria) = (token("admin"), token("maria"));
    let metrics = |bearer: &str| match ureq::get(&format!("{base}/metrics"))
        .set("Authorization", &format!("Bearer {bearer}"))
        .call()
    {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap()),
        Err(e) => panic!("{e}"),
    };
    assert!(matches!(ureq::get(&format!("{base}/metrics")).call(), Err(ureq::Error::Status(401, _))));
    assert_eq!(metrics(&maria).0, 403, "the armorer is no administrator");
    // A hand-off with none of its steps done: refused, and counted by every rule it names.
    let (status, _, _, refusal) = post_json(
        &format!("{base}/api/v1/productions/dead-river/commands"),
        r#"{"command":{"command":"hand_off","firearm":"fa-1","to":"p-5"}}"#,
        &[("Authorization", &format!("Bearer {maria}"))],
    );
    assert_eq!(status, 422, "{refusal}");
    let (status, text_format) = metrics(&admin);
    assert_eq!(status, 200, "{text_format}");
    let value = |name: &str| -> f64 {
        text_format
            .lines()
            .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
            .unwrap_or_else(|| panic!("no {name} in:\n{text_format}"))
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let events = server_events(&base, &admin);
    assert_eq!(value("coldset_log_events{production=\"dead-river\"}"), events as f64);
    assert!(value("coldset_commits_total") >= 0.0);
    for rule in refusal["rule_ids"].as_array().unwrap() {
        let rule = rule.as_str().unwrap();
        assert_eq!(value(&format!("coldset_refusals_total{{rule=\"{rule}\"}}")), 1.0, "{rule}");
    }
    assert!(text_format.contains("# TYPE coldset_checkpoint_age_seconds gauge"));
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {l}")))
        .collect();
    assert!(lines.iter().any(|l| l["level"] == "DEBUG" && l["path"] == "/metrics"), "{lines:?}");
}

/// The number of events of the demo production.
fn server_events(base: &str, token: &str) -> u64 {
    let r = ureq::get(&format!("{base}/api/v1/productions/dead-river"))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    serde_json::from_str::<serde_json::Value>(&r.into_string().unwrap()).unwrap()["events"].as_u64().unwrap()
}

/// A certificate authority and a certificate for `localhost`/127.0.0.1 it signs, as PEM:
/// (CA certificate, leaf certificate, leaf key).
fn test_ca() -> (String, String, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "studio test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let mut leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    leaf.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    (ca_cert.pem(), leaf_cert.pem(), leaf_key.serialize_pem())
}

/// An HTTPS webhook receiver with the given certificate: records each body, answers 200.
fn https_receiver(cert: &str, key: &str) -> (String, Arc<Mutex<Vec<String>>>) {
    use rustls::pki_types::pem::PemObject;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let certs: Vec<_> =
        rustls::pki_types::CertificateDer::pem_slice_iter(cert.as_bytes()).map(|c| c.unwrap()).collect();
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap();
    let config = Arc::new(rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(certs, key).unwrap());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://localhost:{}/hook", listener.local_addr().unwrap().port());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = bodies.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, stream);
            let mut reader = BufReader::new(&mut tls);
            let mut length = 0usize;
            let mut line = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            if reader.read_exact(&mut body).is_ok() {
                seen.lock().unwrap().push(String::from_utf8_lossy(&body).into_owned());
            }
            let _ = tls.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = tls.flush();
        }
    });
    (url, bodies)
}

const SMTP_SERVER_PY: &str = r#"
import json, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
cert, key, port, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
class Handler:
    async def handle_DATA(self, server, session, envelope):
        with open(out, "a") as f:
            f.write(json.dumps({"authenticated": bool(session.authenticated), "tls": session.ssl is not None,
                                "to": envelope.rcpt_tos, "data": envelope.content.decode("utf-8", "replace")}) + "\n")
        return "250 OK"
def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"coldset" and auth_data.password == b"relay-pass-7"
    return AuthResult(success=ok, handled=False)
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
controller = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                        authenticator=authenticator, auth_required=True)
controller.start()
print("ready", flush=True)
while True:
    time.sleep(60)
"#;

/// Notifications that arrive: e-mail through a real SMTP server (aiosmtpd) that requires
/// STARTTLS and AUTH, with a certificate from the studio's own CA given as `ca_file`; a
/// webhook over HTTPS with a certificate from that CA; both in words, in the production's
/// time zone, with the chat-webhook summary in `text`.
#[test]
fn notifications_arrive_over_starttls_with_auth_and_https_to_a_studio_ca() {
    let tmp = tempfile::tempdir().unwrap();
    let (ca, cert, key) = test_ca();
    let f = |name: &str, text: &str| {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let (ca_file, cert_file, key_file) = (f("ca.pem", &ca), f("cert.pem", &cert), f("key.pem", &key));
    let port = free_port();
    let out = tmp.path().join("mail.jsonl");
    let script = f("smtp.py", SMTP_SERVER_PY);
    let mut smtp = Command::new("python3")
        .args([p(&script), p(&cert_file), p(&key_file), &port.to_string(), p(&out)])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with aiosmtpd (scripts/test.sh installs it)");
    let mut ready = String::new();
    BufReader::new(smtp.stdout.take().unwrap()).read_line(&mut ready).unwrap();
    assert_eq!(ready.trim(), "ready", "the SMTP server did not start (is aiosmtpd installed?)");
    let (hook, bodies) = https_receiver(&cert, &key);
    let data = tmp.path().join("d");
    assert!(coldset(&["init", "--data", p(&data)]).status.success());
    let admin =
        String::from_utf8(coldset(&["token", "create", "--data", p(&data), "--account", "admin"]).stdout).unwrap();
    let password = f("smtp-password", "relay-pass-7\n");
    let secret = f("hook-secret", "a-webhook-secret-of-some-length");
    let config = f(
        "coldset.toml",
        &format!(
            "smtp_server = \"localhost:{port}\"\nsmtp_security = \"starttls\"\nsmtp_username = \"coldset\"\n\
             smtp_password_file = \"{}\"\nemail_from = \"coldset@set.example\"\nemail_to = [\"safety@studio.example\"]\n\
             ca_file = \"{}\"\nwebhook_urls = [\"{hook}\"]\nwebhook_secret_file = \"{}\"\n",
            p(&password),
            p(&ca_file),
            p(&secret)
        ),
    );
    let server = start(&["--config", p(&config), "serve", "--data", p(&data)]);
    let bearer = format!("Bearer {}", admin.trim());
    let (status, ..) = post_json(
        &format!("{}/api/v1/productions", server.base),
        r#"{"id":"mesa","name":"Mesa Verde","time_zone":"America/Denver","packs":["industry-us"],"compliance_contact":"c@m.example"}"#,
        &[("Authorization", &bearer)],
    );
    assert_eq!(status, 200);
    // The production's own recipients for critical reports, besides the installation's.
    let (status, _, _, answer) = post_json(
        &format!("{}/api/v1/productions/mesa/commands", server.base),
        r#"{"command":{"command":"set_recipients","kind":"critical_report","addresses":["first-ad@mesa.example"]}}"#,
        &[("Authorization", &bearer)],
    );
    assert_eq!(status, 200, "{answer}");
    let (status, ..) = post_json(
        &format!("{}/api/v1/productions/mesa/reports", server.base),
        r#"{"severity":"concern","text":"The cart was left open."}"#,
        &[],
    );
    assert_eq!(status, 200);
    let (status, ..) = post_json(
        &format!("{}/api/v1/productions/mesa/reports", server.base),
        r#"{"severity":"critical","text":"A live round in the dummy box on the cart."}"#,
        &[],
    );
    assert_eq!(status, 200);
    let delivered = || -> Vec<serde_json::Value> {
        std::fs::read_to_string(&out).unwrap_or_default().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    // Three messages: the concern to the installation's recipient; the critical report to
    // it and to the production's own recipient for critical reports.
    wait_for("the e-mails", || delivered().iter().map(|m| m["to"].as_array().unwrap().len()).sum::<usize>() >= 3);
    let mails = delivered();
    let to_first_ad: Vec<&serde_json::Value> =
        mails.iter().filter(|m| m["to"].as_array().unwrap().iter().any(|t| t == "first-ad@mesa.example")).collect();
    assert_eq!(to_first_ad.len(), 1, "{mails:?}");
    assert!(to_first_ad[0]["data"].as_str().unwrap().contains("Safety report filed (critical)"), "{mails:?}");
    wait_for("the webhooks", || bodies.lock().unwrap().len() >= 2);
    server.stop();
    let _ = smtp.kill();
    let _ = smtp.wait();
    let mail = mails
        .iter()
        .find(|m| {
            m["to"][0] == "safety@studio.example"
                && m["data"].as_str().unwrap().contains("Safety report filed (critical)")
        })
        .unwrap()
        .clone();
    assert_eq!((mail["tls"].as_bool(), mail["authenticated"].as_bool()), (Some(true), Some(true)), "{mail}");
    assert_eq!(mail["to"][0], "safety@studio.example");
    let message = mail["data"].as_str().unwrap();
    assert!(message.contains("Subject: [coldset Mesa Verde] Safety report filed (critical)"), "{message}");
    assert!(message.contains("(America/Denver)") && message.contains("A live round in the dummy box"), "{message}");
    assert!(message.contains("Message-ID:") || message.contains("Message-Id:"), "{message}");
    assert!(!message.contains("{\""), "no JSON in the e-mail: {message}");
    let hook: serde_json::Value = bodies
        .lock()
        .unwrap()
        .iter()
        .map(|b| serde_json::from_str::<serde_json::Value>(b).unwrap())
        .find(|h| h["subject"] == "Safety report filed (critical)")
        .unwrap();
    let text = hook["text"].as_str().unwrap();
    assert!(text.starts_with("Safety report filed (critical)\nProduction: Mesa Verde (mesa)\nWhen: "), "{text}");
}

// ---- durability -----------------------------------------------------------------------------

/// SIGKILL the writer during sustained concurrent appends, 50 times: every acknowledged
/// event is in the database afterwards and the whole ledger verifies.
#[test]
fn acknowledged_events_survive_sigkill() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng(0xdead_beef_0bad_cafe);
    for round in 0..50 {
        // A few data directories, each crashed repeatedly: recovery from a crash is tested too.
        let dir = tmp.path().join(format!("crash-{}", round % 5));
        let mut child = Command::new(BIN)
            .args([
                "bench",
                "append",
                "--data",
                p(&dir),
                "--writers",
                "16",
                "--events",
                "100000000",
                "--print-acks",
                "--no-baseline",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (first_ack, got_first) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut acks = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(seq) = line.strip_prefix("ack ") {
                    acks.push(seq.parse::<u64>().unwrap());
                    if acks.len() == 1 {
                        let _ = first_ack.send(());
                    }
                }
            }
            acks
        });
        // Wait until appends are under way, then kill at a random moment.
        got_first.recv_timeout(Duration::from_secs(120)).expect("the writer never acknowledged an event");
        std::thread::sleep(Duration::from_millis(50 + rng.below(300)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let acks = reader.join().unwrap();
        assert!(!acks.is_empty(), "round {round}: no event was acknowledged before the kill");
        let conn = rusqlite::Connection::open(dir.join("coldset.db")).unwrap();
        for seq in &acks {
            let found: i64 = conn
                .query_row("SELECT COUNT(*) FROM events WHERE production = 'bench' AND seq = ?1", [*seq as i64], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(found, 1, "round {round}: acknowledged event {seq} is missing");
        }
        drop(conn);
        let o = coldset(&["verify", "--data", p(&dir)]);
        assert!(o.status.success(), "round {round}: {}", text(&o));
    }
}

// ---- anonymous safety reports ---------------------------------------------------------------

/// An anonymous report stores no IP address, user agent or account anywhere: the whole
/// database file (and its WAL), the checkpoint copy and the server's log are searched.
#[test]
fn an_anonymous_report_leaves_no_identifying_data() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("anon");
    let log = tmp.path().join("server.log");
    // At the most talkative level: no connection line may carry the client's address either.
    let (mut child, base) = start_logged(&data, &log, "trace");
    let agent = "UA-canary-7f3a9c";
    let forwarded = "203.0.113.77";
    let resp = ureq::post(&format!("{base}/api/v1/productions/dead-river/reports"))
        .set("User-Agent", agent)
        .set("X-Forwarded-For", forwarded)
        .set("X-Real-IP", forwarded)
        .set("Content-Type", "application/json")
        .send_string(r#"{"severity":"concern","text":"The safe was left open over lunch."}"#)
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&resp.into_string().unwrap()).unwrap();
    let key = body["followup_key"].as_str().unwrap().to_owned();
    // The reporter can read it back with the key; nobody can without it.
    let view = ureq::post(&format!("{base}/api/v1/productions/dead-river/reports/followup"))
        .set("Content-Type", "application/json")
        .send_string(&format!(r#"{{"key":"{key}"}}"#))
        .unwrap();
    assert_eq!(view.status(), 200);
    let wrong = ureq::post(&format!("{base}/api/v1/productions/dead-river/reports/followup"))
        .set("Content-Type", "application/json")
        .send_string(r#"{"key":"fk_0000"}"#);
    assert!(matches!(wrong, Err(ureq::Error::Status(404, _))));
    // The reporter adds to the report with the key, as anonymously as they filed it; a wrong
    // key adds nothing.
    let add = |body: String| match ureq::post(&format!("{base}/api/v1/productions/dead-river/reports/followup/add"))
        .set("User-Agent", agent)
        .set("X-Forwarded-For", forwarded)
        .set("Content-Type", "application/json")
        .send_string(&body)
    {
        Ok(r) => (r.status(), serde_json::from_str::<serde_json::Value>(&r.into_string().unwrap()).unwrap()),
        Err(ureq::Error::Status(s, r)) => (s, serde_json::from_str(&r.into_string().unwrap()).unwrap()),
        Err(e) => panic!("{e}"),
    };
    let (status, thread) = add(format!(r#"{{"key":"{key}","text":"It happened again on Tuesday."}}"#));
    assert_eq!(status, 200, "{thread}");
    let entries = thread["thread"].as_array().unwrap();
    assert_eq!((entries.len(), &entries[0]["from"]), (1, &serde_json::json!("you")), "{thread}");
    let (status, body) = add(r#"{"key":"fk_0000","text":"not theirs"}"#.to_owned());
    assert_eq!((status, body["code"].as_str()), (404, Some("record.not_found")), "{body}");
    let (status, body) = add(format!(r#"{{"key":"{key}"}}"#));
    assert_eq!((status, body["code"].as_str()), (400, Some("input.invalid")), "{body}");
    wait_for("the report's checkpoint", || {
        std::fs::read_to_string(data.join("checkpoints.jsonl")).is_ok_and(|s| s.lines().count() >= 2)
    });
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
    let mut haystack = Vec::new();
    for dir in [data.clone(), tmp.path().join("anon.keys")] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                haystack.extend(std::fs::read(&path).unwrap());
            }
        }
    }
    haystack.extend(std::fs::read(&log).unwrap());
    let text = String::from_utf8_lossy(&haystack);
    assert!(text.contains("The safe was left open over lunch."), "the report itself is stored");
    assert!(text.contains("It happened again on Tuesday."), "and what the reporter added");
    for needle in [agent, forwarded, "127.0.0.1", key.as_str()] {
        assert!(!text.contains(needle), "'{needle}' was stored somewhere");
    }
}

/// No secret reaches the log, even at its most detailed level: not a password (right or
/// wrong), a session cookie, its anti-forgery token, an API token, a confirmation PIN, or a
/// TOTP secret, through sign-in, API calls, a refused hand-off confirmation and sign-out.
#[test]
fn the_log_holds_no_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let log = tmp.path().join("server.log");
    let (mut child, base) = start_logged(&data, &log, "trace");
    let password = demo_password(&data, "maria");
    let (session, csrf) = sign_in(&base, "maria", &password);
    let session_secret = session.split('=').nth(1).unwrap().to_owned();
    let wrong = "wrong-password-canary-51c2";
    let (status, ..) =
        post_json(&format!("{base}/api/v1/login"), &format!(r#"{{"name":"maria","password":"{wrong}"}}"#), &[]);
    assert_eq!(status, 401);
    let signed_in = [("Cookie", session.as_str()), ("X-CSRF-Token", csrf.as_str())];
    let (status, _, _, minted) =
        post_json(&format!("{base}/api/v1/accounts/maria/tokens"), r#"{"scopes":["read","write"]}"#, &signed_in);
    assert_eq!(status, 200, "{minted}");
    let token = minted["token"].as_str().unwrap().to_owned();
    let (status, _, _, totp) = post_json(&format!("{base}/api/v1/me/totp"), "{}", &signed_in);
    assert_eq!(status, 200, "{totp}");
    let totp_secret = totp["secret"].as_str().unwrap().to_owned();
    // A hand-off confirmed with a wrong PIN (refused), through the token.
    // Eight digits: a shorter PIN could turn up by chance in a timestamp or a port number.
    let pin = "86420135";
    let bearer = format!("Bearer {token}");
    let hand_off = format!(
        r#"{{"command":{{"command":"hand_off","firearm":"fa-1","to":"p-5"}},"confirmations":[{{"person":"p-5","pin":"{pin}"}}]}}"#
    );
    let (status, ..) =
        post_json(&format!("{base}/api/v1/productions/dead-river/commands"), &hand_off, &[("Authorization", &bearer)]);
    assert!(status >= 400, "refused");
    let (status, ..) = post_json(&format!("{base}/api/v1/logout"), "", &signed_in);
    assert_eq!(status, 204);
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains('\u{1b}'), "a log written to a file has no terminal colour codes");
    // The log does record the requests (at debug level: method, path and status).
    for path in ["path=/api/v1/login status=200", "path=/api/v1/productions/dead-river/commands", "path=/api/v1/logout"]
    {
        assert!(text.contains(path), "no '{path}' in the log:\n{text}");
    }
    for (what, secret) in [
        ("password", password.as_str()),
        ("wrong password", wrong),
        ("session", session_secret.as_str()),
        ("anti-forgery token", csrf.as_str()),
        ("API token", token.as_str()),
        ("PIN", pin),
        ("TOTP secret", totp_secret.as_str()),
    ] {
        assert!(!text.contains(secret), "the {what} is in the log");
    }
}

/// The database holds no second-factor secret in the clear: it is sealed with a key kept in
/// the key directory, so a copy of the data directory cannot make codes; the server that has
/// the key still signs people in with them after a restart.
#[test]
fn second_factor_secrets_are_sealed_at_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let server = start(&["demo", "--data", p(&data)]);
    let password = demo_password(&data, "maria");
    let (session, csrf) = sign_in(&server.base, "maria", &password);
    let signed_in = [("Cookie", session.as_str()), ("X-CSRF-Token", csrf.as_str())];
    let (status, _, _, enrol) = post_json(&format!("{}/api/v1/me/totp", server.base), "", &signed_in);
    assert_eq!(status, 200, "{enrol}");
    let secret = enrol["secret"].as_str().unwrap().to_owned();
    let (status, ..) = post_json(
        &format!("{}/api/v1/me/totp/confirm", server.base),
        &format!(r#"{{"code":"{}"}}"#, totp_now(&secret)),
        &signed_in,
    );
    assert_eq!(status, 204);
    server.stop();
    let conn = rusqlite::Connection::open(data.join("coldset.db")).unwrap();
    let stored: String =
        conn.query_row("SELECT secret FROM account_totp WHERE account = 'maria'", [], |r| r.get(0)).unwrap();
    drop(conn);
    assert!(stored.starts_with("sealed1:") && !stored.contains(&secret), "{stored}");
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(!String::from_utf8_lossy(&bytes).contains(&secret), "the secret is in the data directory");
    assert!(keys_of(&data).join("secrets.key").exists());
    // After a restart the sealed secret opens: password and code sign her in.
    let server = start(&["serve", "--data", p(&data)]);
    let login = |code: &str| {
        post_json(
            &format!("{}/api/v1/login", server.base),
            &serde_json::json!({"name": "maria", "password": password, "code": code}).to_string(),
            &[],
        )
        .0
    };
    assert_eq!(login("000000"), 401);
    assert_eq!(login(&totp_now(&secret)), 200);
    server.stop();
}

// ---- notifications ------------------------------------------------------------------------

use std::io::{Read, Write};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

/// One request a receiver saw: the status it answered, the headers and the body.
type Seen = (u16, std::collections::HashMap<String, String>, String);

/// A webhook receiver on loopback: records every request and answers with `status`.
struct Receiver {
    url: String,
    status: Arc<AtomicU16>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn webhook_receiver() -> Receiver {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let status = Arc::new(AtomicU16::new(503));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (st, sn) = (status.clone(), seen.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = std::collections::HashMap::new();
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.trim_end().split_once(':') {
                    headers.insert(k.trim().to_lowercase(), v.trim().to_owned());
                }
            }
            let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
            let mut body = vec![0; len];
            let _ = reader.read_exact(&mut body);
            let code = st.load(Ordering::SeqCst);
            sn.lock().unwrap().push((code, headers, String::from_utf8_lossy(&body).into_owned()));
            let _ = write!(stream, "HTTP/1.1 {code} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    Receiver { url, status, seen }
}

/// An SMTP sink on loopback: accepts every message and keeps it.
fn smtp_sink() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let mail = Arc::new(Mutex::new(Vec::new()));
    let m = mail.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let _ = stream.write_all(b"220 sink\r\n");
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                let cmd = line.trim_end().to_uppercase();
                if cmd.starts_with("EHLO") {
                    let _ = stream.write_all(b"250-sink\r\n250 OK\r\n");
                } else if cmd.starts_with("DATA") {
                    let _ = stream.write_all(b"354 go\r\n");
                    let mut message = String::new();
                    let mut l = String::new();
                    while reader.read_line(&mut l).unwrap_or(0) > 0 && l.trim_end() != "." {
                        message.push_str(&l);
                        l.clear();
                    }
                    m.lock().unwrap().push(message);
                    let _ = stream.write_all(b"250 queued\r\n");
                } else if cmd.starts_with("QUIT") {
                    let _ = stream.write_all(b"221 bye\r\n");
                    break;
                } else {
                    let _ = stream.write_all(b"250 OK\r\n");
                }
                line.clear();
            }
        }
    });
    (addr, mail)
}

/// Notifications reach a real webhook receiver and a real SMTP sink; deliveries are signed;
/// a receiver that is down gets retries, and nothing is lost when the server is killed and
/// restarted in between.
#[test]
fn notifications_are_delivered_signed_retried_and_survive_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("notify");
    assert!(coldset(&["init", "--data", p(&data)]).status.success());
    let admin =
        String::from_utf8(coldset(&["token", "create", "--data", p(&data), "--account", "admin"]).stdout).unwrap();
    let admin = admin.trim().to_owned();
    let receiver = webhook_receiver();
    let (smtp, mail) = smtp_sink();
    let secret = "a-webhook-secret-of-some-length";
    std::fs::write(tmp.path().join("secret"), secret).unwrap();
    let config = tmp.path().join("coldset.toml");
    std::fs::write(
        &config,
        format!(
            "webhook_urls = [\"{}\"]\nwebhook_secret_file = \"{}\"\nsmtp_server = \"{smtp}\"\nemail_to = [\"safety-office@studio.example\"]\n",
            receiver.url,
            p(&tmp.path().join("secret"))
        ),
    )
    .unwrap();
    let server = start(&["--config", p(&config), "serve", "--data", p(&data)]);
    let post = |path: &str, token: Option<&str>, body: &str| {
        let mut r = ureq::post(&format!("{}{path}", server.base)).set("Content-Type", "application/json");
        if let Some(t) = token {
            r = r.set("Authorization", &format!("Bearer {t}"));
        }
        r.send_string(body).unwrap()
    };
    post(
        "/api/v1/productions",
        Some(&admin),
        r#"{"id":"notify","name":"N","time_zone":"UTC","packs":["industry-us"],"compliance_contact":"c@n.example"}"#,
    );
    post(
        "/api/v1/productions/notify/reports",
        None,
        r#"{"severity":"critical","text":"Loose rounds on the church floor."}"#,
    );
    // The receiver is down: coldset retries.
    wait_for("two failed attempts", || receiver.seen.lock().unwrap().len() >= 2);
    // Kill the server hard while the delivery is still pending, bring the receiver back,
    // restart: the delivery resumes from the outbox.
    let mut server = server;
    let _ = server.child.kill();
    let _ = server.child.wait();
    receiver.status.store(200, Ordering::SeqCst);
    let server = start(&["--config", p(&config), "serve", "--data", p(&data)]);
    wait_for("the webhook delivery", || receiver.seen.lock().unwrap().iter().any(|(code, _, _)| *code == 200));
    wait_for("the e-mail", || !mail.lock().unwrap().is_empty());
    let seen = receiver.seen.lock().unwrap().clone();
    let (_, headers, body) = seen.iter().find(|(code, _, _)| *code == 200).unwrap();
    assert!(body.contains("Loose rounds on the church floor."), "{body}");
    // The signature verifies with the shared secret, over timestamp and body.
    let ts: i64 = headers["x-coldset-timestamp"].parse().unwrap();
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}.{body}").as_bytes());
    assert_eq!(headers["x-coldset-signature"], format!("sha256={}", hex::encode(mac.finalize().into_bytes())));
    // Every attempt carried the same delivery, and a wrong secret would not verify.
    let mut wrong = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"not-the-secret").unwrap();
    wrong.update(format!("{ts}.{body}").as_bytes());
    assert_ne!(headers["x-coldset-signature"], format!("sha256={}", hex::encode(wrong.finalize().into_bytes())));
    let message = mail.lock().unwrap()[0].clone();
    // A message a person reads: the production's name and the subject in words, text and
    // HTML parts, and no JSON.
    assert!(message.contains("Subject: [coldset N] Safety report filed (critical)"), "{message}");
    assert!(message.contains("What was reported: Loose rounds"), "{message}");
    assert!(message.contains("text/plain") && message.contains("text/html"), "{message}");
    assert!(!message.contains("{\"") && !message.contains("Critical"), "raw JSON or Rust names: {message}");
    // The delivery log shows the failed attempts and the delivery; nothing is left pending.
    // (The log records a delivery just after the receiver answered: wait for it.)
    let outbox = || -> serde_json::Value {
        serde_json::from_str(
            &ureq::get(&format!("{}/api/v1/outbox", server.base))
                .set("Authorization", &format!("Bearer {admin}"))
                .call()
                .unwrap()
                .into_string()
                .unwrap(),
        )
        .unwrap()
    };
    wait_for("every delivery recorded", || {
        outbox()["items"].as_array().unwrap().iter().all(|i| i["delivered_at"].as_str().is_some())
    });
    let log = outbox();
    let items = log["items"].as_array().unwrap();
    let hook = items.iter().find(|i| i["channel"] == "webhook").unwrap();
    assert!(hook["attempts"].as_u64().unwrap() >= 2, "{hook}");
    assert!(hook["delivered_at"].as_str().is_some(), "{hook}");
    assert!(items.iter().all(|i| i["delivered_at"].as_str().is_some()), "nothing lost: {log}");
    server.stop();
}

/// The public report page: a crew member files a critical report with a photo from the form
/// (no account), gets a key, follows up; the photo is stored by its hash, which the log
/// records; the critical report stops firearm work.
#[test]
fn the_public_report_page_files_a_report_with_a_photo() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&["demo", "--data", p(&tmp.path().join("d"))]);
    let form = ureq::get(&format!("{}/p/dead-river/report", server.base)).call().unwrap().into_string().unwrap();
    assert!(form.contains("anonymously") && form.contains("Compliance contact"), "{form}");
    // Anyone can open the page: it names today's scene, and no firearm or storage place.
    assert!(form.contains("value=\"sc-1\"") && form.contains("(today)"), "{form}");
    for inventory in ["fa-1", "Denix", "Armory truck safe", "Set cart", "DX-1106"] {
        assert!(!form.contains(inventory), "the public page lists '{inventory}': {form}");
    }
    let photo: &[u8] = b"\x89PNG\r\n\x1a\n not really a png, but bytes";
    let boundary = "coldsetboundary42";
    let mut body = Vec::new();
    // A crew member who presses Enter writes a multi-line report: recorded with its line breaks.
    for (name, value) in [
        ("severity", "critical"),
        ("text", "A live round was in the dummy box.\r\nI saw it at 6 a.m.\r\n\tNobody checked it."),
        ("subject", "sc-1"),
        ("about", "the Colt on the props cart"),
    ] {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"box.png\"\r\nContent-Type: image/png\r\n\r\n")
            .as_bytes(),
    );
    body.extend(photo);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let page = ureq::post(&format!("{}/p/dead-river/report", server.base))
        .set("Content-Type", &format!("multipart/form-data; boundary={boundary}"))
        .send_bytes(&body)
        .unwrap()
        .into_string()
        .unwrap();
    let key = page.split("<code id=\"key\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_owned();
    assert!(key.starts_with("fk_"), "{page}");
    let status = ureq::post(&format!("{}/p/dead-river/followup", server.base))
        .send_form(&[("key", &key), ("text", "It was the box on the props cart.")])
        .unwrap()
        .into_string()
        .unwrap();
    assert!(status.contains("props cart") && status.contains("Waiting for acknowledgement"), "{status}");
    let reports = server.get("/api/v1/productions/dead-river/reports");
    let report = &reports["items"][0];
    let text = report["text"].as_str().unwrap();
    assert!(text.starts_with("About: the Colt on the props cart\n\n"), "{report}");
    // Line endings are stored as the domain normalises prose: one line feed each.
    assert!(text.contains("dummy box.\nI saw it at 6 a.m.\n\tNobody"), "{report}");
    let hash = report["photos"][0].as_str().unwrap();
    let photo_url = format!("{}/api/v1/productions/dead-river/attachments/{hash}", server.base);
    assert!(matches!(ureq::get(&photo_url).call(), Err(ureq::Error::Status(401, _))), "photos are not public");
    let stored = server.request(&format!("/api/v1/productions/dead-river/attachments/{hash}")).call().unwrap();
    assert_eq!(stored.header("content-type"), Some("image/png"));
    let mut bytes = Vec::new();
    stored.into_reader().read_to_end(&mut bytes).unwrap();
    assert_eq!(bytes, photo);
    let gate = server.get("/api/v1/productions/dead-river/gate/hand-off?firearm=fa-1&to=p-5&scene=sc-1");
    assert!(gate["rule_ids"].as_array().unwrap().iter().any(|r| r == "R-COMP-2"), "{gate}");
    let qr = ureq::get(&format!("{}/p/dead-river/report-qr.svg", server.base)).call().unwrap();
    assert_eq!(qr.header("content-type"), Some("image/svg+xml"));
    // The code links to the host the browser used; one too long for a QR code is the
    // caller's mistake (400), not the server's.
    let mut conn = std::net::TcpStream::connect(server.base.trim_start_matches("http://")).unwrap();
    let host = "h".repeat(3000);
    write!(conn, "GET /p/dead-river/report-qr.svg HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("too long for a QR code"), "{answer}");
}

/// Free text typed by one role is shown to others as text, never as markup: a scene plan's
/// blank load, revised through the API to contain HTML, is escaped on the scene page.
#[test]
fn free_text_in_a_plan_is_escaped_on_the_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&["demo", "--data", p(&tmp.path().join("d"))]);
    let scenes = server.get("/api/v1/productions/dead-river/scenes");
    let scene = scenes["items"].as_array().unwrap().iter().find(|s| s["id"] == "sc-1").unwrap().clone();
    let mut plan = scene["plan"].clone();
    let blanks = plan["items"].as_array_mut().unwrap().iter_mut().find(|i| i["load"]["kind"] == "blanks").unwrap();
    blanks["load"]["load"] = serde_json::json!("<b id=injected>half</b>");
    let revise =
        serde_json::json!({"command": {"command": "revise_plan", "scene": "sc-1", "plan": plan, "reason": "load"}});
    let resp = ureq::post(&format!("{}/api/v1/productions/dead-river/commands", server.base))
        .set("Authorization", &format!("Bearer {}", server.token.as_deref().unwrap()))
        .set("Content-Type", "application/json")
        .send_string(&revise.to_string())
        .unwrap();
    assert_eq!(resp.status(), 200);
    let page = server.request("/p/dead-river/scenes/sc-1").call().unwrap().into_string().unwrap();
    assert!(page.contains("&lt;b id=injected&gt;half&lt;/b&gt;-load blanks"), "{page}");
    assert!(!page.contains("<b id=injected>"), "{page}");
}

/// The 1st AD's board updates live: the stream pushes a new rendering after each event.
#[test]
fn the_live_board_updates_without_a_reload() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&["demo", "--data", p(&tmp.path().join("d"))]);
    let resp = server.request("/p/dead-river/board").call().unwrap();
    // Security headers: no inline scripts allowed, no framing, no sniffing.
    assert!(resp.header("content-security-policy").is_some_and(|v| v.contains("default-src 'self'")));
    assert_eq!(resp.header("x-frame-options"), Some("DENY"));
    assert_eq!(resp.header("x-content-type-options"), Some("nosniff"));
    let page = resp.into_string().unwrap();
    assert!(page.contains("Firearms out of storage"), "{page}");
    // The script is a file named by its content's hash, kept by browsers for a year and
    // sent compressed to those that accept it.
    let src = page.split("src=\"/assets/board.").nth(1).and_then(|s| s.split('"').next()).expect("board script");
    let resp = ureq::get(&format!("{}/assets/board.{src}", server.base)).set("Accept-Encoding", "gzip").call().unwrap();
    assert_eq!(resp.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(resp.header("content-encoding"), Some("gzip"));
    let mut script = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(resp.into_reader()), &mut script).unwrap();
    assert!(script.contains("EventSource"), "{script}");
    let resp = server.request("/p/dead-river/board/stream").call().unwrap();
    let rx = sse_data(resp);
    let first = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(!first.contains("STOP"), "{first}");
    ureq::post(&format!("{}/api/v1/productions/dead-river/reports", server.base))
        .set("Content-Type", "application/json")
        .send_string(r#"{"severity":"critical","text":"Crew walking off: unsafe guns."}"#)
        .unwrap();
    // Pushed by the event itself, not by the 30-second refresh. (How fast is a benchmark's
    // question, not a timed test's.)
    // Heartbeats (a number, every 2 s) come between renderings: skip them.
    let update = loop {
        let data = rx.recv_timeout(Duration::from_secs(15)).unwrap();
        if data.starts_with('<') {
            break data;
        }
    };
    assert!(update.contains("STOP") && update.contains("R-COMP-2"), "{update}");
}

/// The live board checks its watcher again before each rendering: after the 1st AD signs
/// out, the next event ends her stream instead of showing her the board.
#[test]
fn the_live_board_stream_ends_when_its_watcher_signs_out() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let server = start(&["demo", "--data", p(&data)]);
    let body = format!(r#"{{"name":"dana","password":"{}"}}"#, demo_password(&data, "dana"));
    let (status, cookie, _, _) = post_json(&format!("{}/api/v1/login", server.base), &body, &[]);
    assert_eq!(status, 200);
    let session = cookie.unwrap().split(';').next().unwrap().to_owned();
    let resp = ureq::get(&format!("{}/p/dead-river/board/stream", server.base)).set("Cookie", &session).call().unwrap();
    let rx = sse_data(resp);
    rx.recv_timeout(Duration::from_secs(10)).unwrap();
    let (status, ..) = post_json(&format!("{}/api/v1/logout", server.base), "", &[("Cookie", &session)]);
    assert_eq!(status, 204);
    ureq::post(&format!("{}/api/v1/productions/dead-river/reports", server.base))
        .set("Content-Type", "application/json")
        .send_string(r#"{"severity":"critical","text":"Crew walking off: unsafe guns."}"#)
        .unwrap();
    match rx.recv_timeout(Duration::from_secs(15)) {
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {}
        other => panic!("the stream went on after sign-out: {other:?}"),
    }
}

/// The gate query keeps its recent answers (one second at most, see `gate_memo`): an event
/// must drop them at once, who asks is checked every time, and bad questions are never kept.
#[test]
fn the_gate_query_never_answers_from_before_the_last_event() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&["demo", "--data", p(&tmp.path().join("d"))]);
    let path = "/api/v1/productions/dead-river/gate/hand-off?firearm=fa-1&to=p-5&scene=sc-1";
    let rules = |gate: &serde_json::Value| -> Vec<String> {
        gate["rule_ids"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect()
    };
    let before = server.get(path);
    assert_eq!(before["allowed"], false, "{before}");
    assert!(!rules(&before).contains(&"R-COMP-2".to_owned()), "{before}");
    // Asked again at once: the same answer (now from the memo), also for another spelling.
    assert_eq!(server.get(path), before);
    assert_eq!(server.get("/api/v1/productions/dead-river/gate/hand-off?scene=sc-1&to=p-5&firearm=fa-1"), before);
    // Who asks is checked before any kept answer is sent.
    let anonymous = ureq::get(&format!("{}{path}", server.base)).call().unwrap_err();
    assert!(matches!(anonymous, ureq::Error::Status(401, _)), "{anonymous:?}");
    // A crew report stops firearm work: the very next answer, well within the memo's
    // second, must name it.
    ureq::post(&format!("{}/api/v1/productions/dead-river/reports", server.base))
        .set("Content-Type", "application/json")
        .send_string(r#"{"severity":"critical","text":"Live rounds seen in the dummy box."}"#)
        .unwrap();
    let after = server.get(path);
    assert!(rules(&after).contains(&"R-COMP-2".to_owned()), "{after}");
    // Bad questions answer their error each time; nothing of them is kept.
    for _ in 0..2 {
        let missing = server.request("/api/v1/productions/dead-river/gate/hand-off?firearm=fa-1").call().unwrap_err();
        assert!(matches!(missing, ureq::Error::Status(400, _)), "{missing:?}");
        let unknown =
            server.request("/api/v1/productions/dead-river/gate/hand-off?firearm=fa-404&to=p-5").call().unwrap_err();
        assert!(matches!(unknown, ureq::Error::Status(404, _)), "{unknown:?}");
    }
}

// ---- sign-in -----------------------------------------------------------------------------

fn post_json(
    url: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> (u16, Option<String>, Option<String>, serde_json::Value) {
    let mut req = ureq::post(url).set("Content-Type", "application/json");
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let resp = match req.send_string(body) {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let status = resp.status();
    let cookie = resp.header("set-cookie").map(str::to_owned);
    let retry = resp.header("retry-after").map(str::to_owned);
    let text = resp.into_string().unwrap();
    (status, cookie, retry, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

/// Passwords are throttled without locking the owner out; a session is an HttpOnly,
/// SameSite=Strict cookie; changes made with it need the anti-forgery token; logout ends it.
#[test]
fn sign_in_is_throttled_and_sessions_need_the_anti_forgery_token() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let out = coldset(&["init", "--data", p(&data)]);
    let password = text(&out).split("password: ").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let server = start(&["serve", "--data", p(&data)]);
    let login = format!("{}/api/v1/login", server.base);
    // No login forgery: a page of another site can neither post the sign-in form nor send
    // the JSON sign-in (as a "simple" text/plain request, or with its own Origin).
    let right = format!(r#"{{"name":"admin","password":"{password}"}}"#);
    let plain = ureq::post(&login).set("Content-Type", "text/plain").send_string(&right);
    assert!(matches!(plain, Err(ureq::Error::Status(400, _))), "{plain:?}");
    let (status, ..) = post_json(&login, &right, &[("Origin", "https://evil.example")]);
    assert_eq!(status, 403);
    let form = ureq::post(&format!("{}/login", server.base))
        .set("Origin", "https://evil.example")
        .send_form(&[("name", "admin"), ("password", &password)]);
    assert!(matches!(form, Err(ureq::Error::Status(403, _))), "{form:?}");
    let host = server.base.trim_start_matches("http://").to_owned();
    let (status, ..) = post_json(&login, &right, &[("Origin", &format!("http://{host}"))]);
    assert_eq!(status, 200, "from its own pages");
    for _ in 0..5 {
        let (status, ..) = post_json(&login, r#"{"name":"admin","password":"guess"}"#, &[]);
        assert_eq!(status, 401);
    }
    // Five wrong passwords: from now on each try waits, the right password too.
    let (status, _, retry, body) = post_json(&login, &format!(r#"{{"name":"admin","password":"{password}"}}"#), &[]);
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["code"], "auth.throttled");
    let wait: u64 = retry.unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    std::thread::sleep(Duration::from_secs(wait));
    // The owner is not locked out.
    let (status, cookie, _, body) = post_json(&login, &format!(r#"{{"name":"admin","password":"{password}"}}"#), &[]);
    assert_eq!(status, 200, "{body}");
    let cookie = cookie.unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();
    let me: serde_json::Value = serde_json::from_str(
        &ureq::get(&format!("{}/api/v1/me", server.base))
            .set("Cookie", &session)
            .call()
            .unwrap()
            .into_string()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(me["account"], "admin");
    let create = r#"{"id":"s","name":"S","time_zone":"UTC","packs":["industry-us"],"compliance_contact":"c@s"}"#;
    let url = format!("{}/api/v1/productions", server.base);
    let (status, _, _, body) = post_json(&url, create, &[("Cookie", &session)]);
    assert_eq!((status, body["code"].as_str()), (403, Some("auth.csrf")), "a forged request is refused");
    // Only a bearer token stands in for the anti-forgery token: any other Authorization
    // header (which a cross-site form cannot send either, but a misconfigured proxy might
    // add) leaves the request authenticated by its cookie, so the token is still asked for.
    let (status, _, _, body) =
        post_json(&url, create, &[("Cookie", &session), ("Authorization", "Basic YWRtaW46Z3Vlc3M=")]);
    assert_eq!((status, body["code"].as_str()), (403, Some("auth.csrf")), "{body}");
    let (status, _, _, body) = post_json(&url, create, &[("Cookie", &session), ("X-CSRF-Token", &csrf)]);
    assert_eq!(status, 200, "{body}");
    let (status, cookie, _, _) = post_json(&format!("{}/api/v1/logout", server.base), "", &[("Cookie", &session)]);
    assert_eq!(status, 204);
    assert!(cookie.unwrap().contains("Max-Age=0"));
    let after = ureq::get(&format!("{}/api/v1/me", server.base)).set("Cookie", &session).call();
    assert!(matches!(after, Err(ureq::Error::Status(401, _))), "the session ended");
}

// ---- authorization ------------------------------------------------------------------------

/// Every kind of caller against every read endpoint, commands by the wrong role, and
/// attempts on another production: each answer is what docs/permissions.md says. (A
/// performer reading the firearm they hold is in the "Rust" replay, after its hand-off.)
#[test]
fn the_authorization_matrix() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let server = start(&["demo", "--data", p(&data)]);
    let admin = server.token.clone().unwrap();
    let base = server.base.clone();
    let post = |path: &str, token: &str, body: &str| -> (u16, serde_json::Value) {
        let r = ureq::post(&format!("{base}{path}"))
            .set("Content-Type", "application/json")
            .set("Authorization", &format!("Bearer {token}"))
            .send_string(body);
        let resp = match r {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        let status = resp.status();
        (status, serde_json::from_str(&resp.into_string().unwrap()).unwrap_or(serde_json::Value::Null))
    };
    let token_with = |account: &str, scopes: &str| -> String {
        let o = coldset(&["token", "create", "--data", p(&data), "--account", account, "--scopes", scopes]);
        assert!(o.status.success(), "{}", text(&o));
        String::from_utf8_lossy(&o.stdout).trim().to_owned()
    };
    let token = |account: &str| token_with(account, "read,write");
    // An auditor on the production, and an outsider with an account but no place in it.
    // The roles the demo has nobody in, each with an account.
    for (name, role, account) in [
        ("Ivy Auditor", "auditor", "ivy"),
        ("Asa Assistant", "assistant_armorer", "asa"),
        ("Pat Office", "admin", "pat"),
    ] {
        let (status, ev) = post(
            "/api/v1/productions/dead-river/commands",
            &admin,
            &format!(r#"{{"command":{{"command":"add_person","name":"{name}","roles":["{role}"]}}}}"#),
        );
        assert_eq!(status, 200, "{ev}");
        let person = ev["events"][0]["event"]["body"]["person"].as_str().unwrap().to_owned();
        let (status, _) = post(
            "/api/v1/accounts",
            &admin,
            &format!(r#"{{"name":"{account}","links":[{{"production":"dead-river","person":"{person}"}}]}}"#),
        );
        assert_eq!(status, 200);
    }
    let (status, _) = post("/api/v1/accounts", &admin, r#"{"name":"outsider"}"#);
    assert_eq!(status, 200);
    // The production's people, by role (the demo's accounts), and the person each acts as.
    let callers: Vec<(&str, Option<String>)> = vec![
        ("admin", Some(admin.clone())),
        ("armorer", Some(token("maria"))),
        ("armorer, read-only token", Some(token_with("maria", "read"))),
        ("assistant armorer", Some(token("asa"))),
        ("property master", Some(token("tom"))),
        ("1st AD", Some(token("dana"))),
        ("safety advisor", Some(token("ruth"))),
        ("producer", Some(token("hal"))),
        ("production admin", Some(token("pat"))),
        ("auditor", Some(token("ivy"))),
        ("performer", Some(token("cole"))),
        ("crew", Some(token("ben"))),
        ("outsider", Some(token("outsider"))),
        ("anonymous", None),
    ];
    let person_of = |who: &str| match who {
        "performer" => "p-5",
        "crew" => "p-8",
        _ => "",
    };
    let full_reader = |who: &str| {
        matches!(
            who,
            "admin"
                | "armorer"
                | "armorer, read-only token"
                | "assistant armorer"
                | "property master"
                | "1st AD"
                | "safety advisor"
                | "producer"
                | "production admin"
                | "auditor"
        )
    };
    let get = |path: &str, t: &Option<String>| -> (u16, serde_json::Value) {
        let mut req = ureq::get(&format!("{base}{path}"));
        if let Some(t) = t {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        let resp = match req.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        let status = resp.status();
        (status, serde_json::from_str(&resp.into_string().unwrap_or_default()).unwrap_or(serde_json::Value::Null))
    };
    // Expected status per caller kind: full readers, own-records readers, outsider, anonymous.
    let full_only = [
        "/containers",
        "/lots",
        "/locations",
        "/events",
        "/register",
        "/reports",
        "/incidents",
        "/alerts",
        "/gate/hand-off?firearm=fa-1&to=p-5&scene=sc-1",
    ];
    let everyone_linked = ["", "/scenes", "/firearms", "/people"];
    let checkpoint = get("/api/v1/productions/dead-river/checkpoint", &None).1;
    let signed = checkpoint["size"].as_u64().unwrap();
    let public = [
        "/checkpoint".to_owned(),
        "/checkpoints".to_owned(),
        "/proof/inclusion?seq=1".to_owned(),
        format!("/proof/consistency?from=1&to={signed}"),
    ];
    for (who, t) in &callers {
        let full = full_reader(who);
        let linked = full || matches!(*who, "performer" | "crew");
        for path in full_only.iter().chain(everyone_linked.iter()) {
            let (status, body) = get(&format!("/api/v1/productions/dead-river{path}"), t);
            let expected = if t.is_none() {
                401
            } else if !linked {
                403
            } else if full || everyone_linked.contains(path) {
                200
            } else {
                403
            };
            assert_eq!(status, expected, "{who} GET {path}: {body}");
        }
        // One record: a firearm, and an incident's evidence bundle (the demo has no
        // incident 1: a full reader learns that, the others are refused before the lookup).
        // Performers and crew read only a firearm they hold: another is "not found".
        let expected = if t.is_none() {
            401
        } else if full {
            200
        } else if linked {
            404
        } else {
            403
        };
        let (status, body) = get("/api/v1/productions/dead-river/firearms/fa-1", t);
        assert_eq!(status, expected, "{who} GET /firearms/fa-1: {body}");
        let expected = match (t.is_none(), full) {
            (true, _) => 401,
            (false, true) => 404,
            (false, false) => 403,
        };
        let (status, body) = get("/api/v1/productions/dead-river/incidents/1/evidence", t);
        assert_eq!(status, expected, "{who} GET /incidents/1/evidence: {body}");
        // Own records only: a performer sees themself, not the crew list.
        if matches!(*who, "performer" | "crew") {
            let (_, people) = get("/api/v1/productions/dead-river/people", t);
            let people = people["items"].as_array().unwrap();
            assert_eq!(people.len(), 1, "{who} sees only themself");
            assert_eq!(people[0]["id"], person_of(who), "{who} sees their own record");
            let (_, guns) = get("/api/v1/productions/dead-river/firearms", t);
            assert!(guns["items"].as_array().unwrap().is_empty(), "{who} holds no firearm");
        }
        // The list of productions shows only the caller's own.
        let (status, list) = get("/api/v1/productions", t);
        if t.is_none() {
            assert_eq!(status, 401, "{who} lists productions");
        } else {
            let ids: Vec<&str> = list["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
            let expected: &[&str] = if linked { &["dead-river"] } else { &[] };
            assert_eq!(ids, expected, "{who} lists productions");
        }
        // The ledger is public: anyone may verify.
        for path in &public {
            let (status, body) = get(&format!("/api/v1/productions/dead-river{path}"), t);
            assert_eq!(status, 200, "{who} GET {path}: {body}");
        }
    }
    // Commands: an auditor changes nothing; the wrong role is refused by rule id.
    let open = r#"{"command":{"command":"open_storage","location":"loc-1"}}"#;
    let (status, body) = post("/api/v1/productions/dead-river/commands", &token("ivy"), open);
    assert_eq!((status, body["code"].as_str()), (403, Some("auth.forbidden")), "{body}");
    let (status, body) = post(
        "/api/v1/productions/dead-river/commands",
        &token("dana"),
        r#"{"command":{"command":"hand_off","firearm":"fa-1","to":"p-5","scene":"sc-1"}}"#,
    );
    assert_eq!(status, 422, "{body}");
    assert!(body["rule_ids"].as_array().unwrap().iter().any(|r| r == "R-HAND-2"), "{body}");
    let (status, _) = post("/api/v1/productions/dead-river/commands", &token("outsider"), open);
    assert_eq!(status, 403);
    // A read-only token changes nothing, whoever it belongs to.
    let (status, body) = post("/api/v1/productions/dead-river/commands", &token_with("maria", "read"), open);
    assert_eq!((status, body["code"].as_str()), (403, Some("auth.forbidden")), "{body}");
    // Performers and crew may issue custody commands; the safety rules refuse them by id.
    for account in ["cole", "ben"] {
        let (status, body) = post("/api/v1/productions/dead-river/commands", &token(account), open);
        assert_eq!(status, 422, "{account}: {body}");
        assert!(!body["rule_ids"].as_array().unwrap().is_empty(), "{account}: {body}");
    }
    let anonymous = ureq::post(&format!("{base}/api/v1/productions/dead-river/commands"))
        .set("Content-Type", "application/json")
        .send_string(open);
    assert!(matches!(anonymous, Err(ureq::Error::Status(401, _))), "{anonymous:?}");
    // Nor through the pages' forms: they are for a signed-in browser. An API token (a
    // read-only one here) with a made-up session cookie and its anti-forgery token is
    // refused, and nothing is recorded.
    let events_before = get("/api/v1/productions/dead-river", &Some(admin.clone())).1["events"].clone();
    for scopes in ["read", "read,write"] {
        let forged = ureq::post(&format!("{base}/p/dead-river/act"))
            .set("Authorization", &format!("Bearer {}", token_with("maria", scopes)))
            .set("Cookie", "coldset_session=made-up")
            .send_form(&[
                ("csrf", &coldset_app::access::csrf_token("made-up")),
                ("action", "open_storage"),
                ("location", "loc-1"),
            ]);
        assert!(matches!(forged, Err(ureq::Error::Status(403, _))), "{scopes}: {forged:?}");
    }
    assert_eq!(get("/api/v1/productions/dead-river", &Some(admin.clone())).1["events"], events_before);
    // Installation set-up is for administrators: the armorer (a person of the production
    // with every custody right) creates no account, production or other account's token,
    // and does not read the delivery log.
    let maria = token("maria");
    let (status, body) = post("/api/v1/accounts", &maria, r#"{"name":"sneaky"}"#);
    assert_eq!((status, body["code"].as_str()), (403, Some("auth.forbidden")), "{body}");
    let (status, body) = post(
        "/api/v1/productions",
        &maria,
        r#"{"id":"mine","name":"Mine","time_zone":"UTC","packs":["industry-us"],"compliance_contact":"c@m"}"#,
    );
    assert_eq!(status, 403, "{body}");
    let (status, body) = post("/api/v1/accounts/dana/tokens", &maria, r#"{"scopes":["read","write"]}"#);
    assert_eq!((status, body["code"].as_str()), (403, Some("auth.forbidden")), "{body}");
    let (status, body) = get("/api/v1/outbox", &Some(maria.clone()));
    assert_eq!((status, body["code"].as_str()), (403, Some("auth.forbidden")), "{body}");
    assert_eq!(get("/api/v1/outbox", &Some(admin.clone())).0, 200);
    // Another production: the armorer of this one has no access to it.
    let (status, created) = post(
        "/api/v1/productions",
        &admin,
        r#"{"id":"other","name":"Other","time_zone":"UTC","packs":["industry-us"],"compliance_contact":"c@o"}"#,
    );
    assert_eq!(status, 200);
    // The event records how its author authenticated: here with an API token.
    assert_eq!(created["events"][0]["auth"]["method"], "api_token", "{created}");
    // Nobody of dead-river reads or changes anything of it but its public ledger.
    for (who, t) in callers.iter().filter(|(who, t)| t.is_some() && *who != "admin") {
        let t = t.clone().unwrap();
        for path in
            full_only.iter().chain(everyone_linked.iter()).chain(["/firearms/fa-1", "/incidents/1/evidence"].iter())
        {
            let (status, body) = get(&format!("/api/v1/productions/other{path}"), &Some(t.clone()));
            assert_eq!(status, 403, "{who} GET other{path}: {body}");
        }
        let (status, body) = post("/api/v1/productions/other/commands", &t, open);
        assert_eq!(status, 403, "{who} commands in other: {body}");
    }
    // Pages: the production's pages are for full readers; "my account" for every person of
    // the production; a visitor is sent to sign in.
    let no_redirects = ureq::AgentBuilder::new().redirects(0).build();
    let page = |path: &str, t: &Option<String>| -> u16 {
        let mut req = no_redirects.get(&format!("{base}/p/dead-river{path}"));
        if let Some(t) = t {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        match req.call() {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(s, _)) => s,
            Err(e) => panic!("{e}"),
        }
    };
    let pages = [
        "",
        "/today",
        "/scan",
        "/day",
        "/ammunition",
        "/board",
        "/oversight",
        "/audit?seq=1",
        "/labels",
        "/scenes/sc-1",
        "/firearms/fa-1",
        "/containers/ct-1",
    ];
    for (who, t) in &callers {
        let full = full_reader(who);
        let person = !matches!(*who, "admin" | "outsider" | "anonymous");
        for path in pages {
            // A person who sees only their own records is sent to their own page.
            let expected = if t.is_none() || (!full && person) {
                303
            } else if full {
                200
            } else {
                403
            };
            assert_eq!(page(path, t), expected, "{who} page {path}");
        }
        let expected = if t.is_none() {
            303
        } else if person {
            200
        } else {
            403
        };
        assert_eq!(page("/me", t), expected, "{who} page /me");
    }
}

/// The value of hidden field `name` in the page's first form for `action`.
fn form_field(html: &str, action: &str, name: &str) -> String {
    let form = html.split(&format!("data-action=\"{action}\"")).nth(1).unwrap_or_else(|| panic!("no {action} form"));
    let form = form.split("</form>").next().unwrap();
    let field = form.split(&format!("name=\"{name}\" value=\"")).nth(1).unwrap_or_else(|| panic!("no {name} field"));
    field.split('"').next().unwrap().to_owned()
}

/// A phone's form sent twice (a retry over a flaky set network, a double tap) records
/// once, like an API command with an idempotency key, and the second answer says it was
/// recorded before; a fresh rendering of the form is a new request. Pages are never cached,
/// so the back button brings no old form back.
#[test]
fn a_form_sent_twice_records_once() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let server = start(&["demo", "--data", p(&data)]);
    let base = server.base.clone();
    let password = demo_password(&data, "maria");
    let (session, csrf) = sign_in(&base, "maria", &password);
    let no_redirects = ureq::AgentBuilder::new().redirects(0).build();
    let get = |path: &str| no_redirects.get(&format!("{base}{path}")).set("Cookie", &session).call().unwrap();
    let day_page = || get("/p/dead-river/day").into_string().unwrap();
    let notices = || -> usize {
        let events: serde_json::Value =
            serde_json::from_str(&get("/api/v1/productions/dead-river/events?limit=500").into_string().unwrap())
                .unwrap();
        events["items"].as_array().unwrap().iter().filter(|e| e["event"].to_string().contains("CAD-2291")).count()
    };
    let send = |submission: &str, date: &str, authority: &str| -> (u16, String) {
        let answer = no_redirects.post(&format!("{base}/p/dead-river/act")).set("Cookie", &session).send_form(&[
            ("csrf", &csrf),
            ("action", "record_notice"),
            ("back", "/p/dead-river/day"),
            ("submission", submission),
            ("date", date),
            ("authority", authority),
            ("reference", "CAD-2291"),
        ]);
        match answer {
            Ok(r) => (r.status(), r.into_string().unwrap()),
            Err(ureq::Error::Status(s, r)) => panic!("{s}: {}", r.into_string().unwrap()),
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(get("/p/dead-river/day").header("cache-control"), Some("no-store"));
    let page = day_page();
    let (submission, date) =
        (form_field(&page, "record_notice", "submission"), form_field(&page, "record_notice", "date"));
    assert_eq!(submission.len(), 32, "{submission}");
    assert_eq!(notices(), 0);
    assert_eq!(send(&submission, &date, "local_police").0, 303);
    assert_eq!(notices(), 1, "the notice is recorded");
    let (status, again) = send(&submission, &date, "local_police");
    assert_eq!(status, 200);
    assert!(again.contains("Already recorded") && again.contains("Nothing new was recorded"), "{again}");
    assert_eq!(notices(), 1, "the retry records nothing");
    // The page shown again has a new key: that is a new notice.
    let fresh = form_field(&day_page(), "record_notice", "submission");
    assert_ne!(fresh, submission);
    assert_eq!(send(&fresh, &date, "studio_safety_office").0, 303);
    assert_eq!(notices(), 2, "a new rendering is a new request");
    // A double tap: both sends at once. Whichever is second, in the same write batch or
    // after, answers as recorded (never as a refusal), and one notice is recorded.
    for tap in 0..5 {
        let key = format!("double-tap-{tap}");
        let barrier = std::sync::Barrier::new(2);
        let answers: Vec<(u16, String)> = std::thread::scope(|scope| {
            let sends: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        send(&key, &date, "local_police")
                    })
                })
                .collect();
            sends.into_iter().map(|s| s.join().unwrap()).collect()
        });
        for (status, body) in &answers {
            assert!(*status == 303 || (*status == 200 && body.contains("Already recorded")), "{status}: {body}");
        }
        assert_eq!(notices(), 3 + tap, "tap {tap}: {answers:?}");
    }
}

/// Record lists come a page at a time: following `next_after` visits every record once, in
/// order; a bad `limit` or an unknown `after` is a clear 400, not a silent empty page.
#[test]
fn record_lists_are_paginated() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&["demo", "--data", p(&tmp.path().join("d"))]);
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
    };
    for list in ["firearms", "containers", "people"] {
        let all = server.get(&format!("/api/v1/productions/dead-river/{list}?limit=500"));
        assert!(all["next_after"].is_null(), "{all}");
        let mut walked = Vec::new();
        let mut url = format!("/api/v1/productions/dead-river/{list}?limit=2");
        loop {
            let page = server.get(&url);
            let got = ids(&page);
            assert!(got.len() <= 2, "{page}");
            walked.extend(got);
            match page["next_after"].as_str() {
                Some(after) => url = format!("/api/v1/productions/dead-river/{list}?limit=2&after={after}"),
                None => break,
            }
        }
        assert!(ids(&all).len() > 2, "the demo has more than one page of {list}");
        assert_eq!(walked, ids(&all), "{list}");
    }
    for bad in ["limit=0", "limit=100000", "after=nobody", "page=2"] {
        let url = format!("/api/v1/productions/dead-river/people?{bad}");
        match server.request(&url).call() {
            Err(ureq::Error::Status(400, r)) => {
                let body: serde_json::Value = serde_json::from_str(&r.into_string().unwrap()).unwrap();
                assert_eq!(body["code"], "input.invalid", "{bad}: {body}");
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
}

/// A production can require a one-time code (TOTP) for some roles: the armorer's password-only
/// session is refused until she enrols and signs in with a code.
#[test]
fn a_production_can_require_a_second_factor() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let server = start(&["demo", "--data", p(&data)]);
    let admin = server.token.clone().unwrap();
    let password = demo_password(&data, "maria");
    let base = server.base.clone();
    let (status, ..) = post_json(
        &format!("{base}/api/v1/productions/dead-river/commands"),
        r#"{"command":{"command":"require_second_factor","roles":["armorer"]}}"#,
        &[("Authorization", &format!("Bearer {admin}"))],
    );
    assert_eq!(status, 200);
    let login = |code: Option<&str>| {
        let body = match code {
            Some(c) => format!(r#"{{"name":"maria","password":"{password}","code":"{c}"}}"#),
            None => format!(r#"{{"name":"maria","password":"{password}"}}"#),
        };
        post_json(&format!("{base}/api/v1/login"), &body, &[])
    };
    let (status, cookie, _, body) = login(None);
    assert_eq!(status, 200, "{body}");
    let session = cookie.unwrap().split(';').next().unwrap().to_owned();
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();
    let password_only = [("Cookie", session.clone()), ("X-CSRF-Token", csrf.clone())];
    let read =
        |session: &str| match ureq::get(&format!("{base}/api/v1/productions/dead-river")).set("Cookie", session).call()
        {
            Ok(r) => (r.status(), String::new()),
            Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap()),
            Err(e) => panic!("{e}"),
        };
    let (status, body) = read(&session);
    assert_eq!(status, 403);
    assert!(body.contains("auth.second_factor_required"), "{body}");
    // The armorer's phone pages are held to the same requirement as the API.
    let act = format!("{base}/p/dead-river/act");
    let step =
        ureq::post(&act).set("Cookie", &session).send_form(&[("csrf", &csrf), ("action", "take"), ("firearm", "fa-1")]);
    assert!(matches!(step, Err(ureq::Error::Status(403, _))), "{step:?}");
    let day = ureq::post(&act).set("Cookie", &session).send_form(&[
        ("csrf", &csrf),
        ("action", "open_day"),
        ("bulletin", "yes"),
    ]);
    assert!(matches!(day, Err(ureq::Error::Status(403, _))), "{day:?}");
    // Nor can she mint a token of her own from that session to get around it.
    let (status, _, _, minted) = post_json(
        &format!("{base}/api/v1/accounts/maria/tokens"),
        r#"{"scopes":["read"]}"#,
        &[("Cookie", &session), ("X-CSRF-Token", &csrf)],
    );
    assert_eq!(status, 200, "{minted}");
    // A personal token expires (30 days unless asked for less; 90 at most): a session held
    // for a moment does not become lasting access.
    assert!(minted["expires_at"].as_str().is_some_and(|t| !t.is_empty()), "{minted}");
    let (status, _, _, body) = post_json(
        &format!("{base}/api/v1/accounts/maria/tokens"),
        r#"{"scopes":["read"],"expires_in_days":365}"#,
        &[("Cookie", &session), ("X-CSRF-Token", &csrf)],
    );
    assert_eq!((status, body["code"].as_str()), (400, Some("input.invalid")), "{body}");
    let personal = format!("Bearer {}", minted["token"].as_str().unwrap());
    let with_token = ureq::get(&format!("{base}/api/v1/productions/dead-river")).set("Authorization", &personal).call();
    match with_token {
        Err(ureq::Error::Status(403, r)) => {
            assert!(r.into_string().unwrap().contains("auth.second_factor_required"))
        }
        other => panic!("{other:?}"),
    }
    // A read-only token cannot set up (or reset) the second factor.
    let (status, ..) = post_json(&format!("{base}/api/v1/me/totp"), "", &[("Authorization", &personal)]);
    assert_eq!(status, 403);
    // Enrol, confirm with the current code, sign in again with a code.
    let (status, _, _, enrol) =
        post_json(&format!("{base}/api/v1/me/totp"), "", &[("Cookie", &session), ("X-CSRF-Token", &csrf)]);
    assert_eq!(status, 200, "{enrol}");
    let code = || totp_now(enrol["secret"].as_str().unwrap());
    let (status, ..) = post_json(
        &format!("{base}/api/v1/me/totp/confirm"),
        &format!(r#"{{"code":"{}"}}"#, code()),
        &[("Cookie", &session), ("X-CSRF-Token", &csrf)],
    );
    assert_eq!(status, 204);
    let (status, _, _, body) = login(None);
    assert_eq!(status, 401, "a code is now needed: {body}");
    let (status, _, _, _) = login(Some("000000"));
    assert_eq!(status, 401);
    let (status, cookie, _, body) = login(Some(&code()));
    assert_eq!(status, 200, "{body}");
    let session = cookie.unwrap().split(';').next().unwrap().to_owned();
    assert_eq!(read(&session).0, 200);
    let csrf2 = body["csrf_token"].as_str().unwrap().to_owned();
    // Setting up a new code takes the current one: a stolen session cannot turn it off.
    let again = |body: &str| {
        post_json(&format!("{base}/api/v1/me/totp"), body, &[("Cookie", &session), ("X-CSRF-Token", &csrf2)]).0
    };
    assert_eq!(again(""), 401);
    assert_eq!(again(r#"{"code":"000000"}"#), 401);
    assert_eq!(login(None).0, 401, "the code is still asked for");
    let (status, _, _, renewed) = post_json(
        &format!("{base}/api/v1/me/totp"),
        &format!(r#"{{"code":"{}"}}"#, code()),
        &[("Cookie", &session), ("X-CSRF-Token", &csrf2)],
    );
    assert_eq!(status, 200, "{renewed}");
    // Until the new secret is confirmed, the old one's codes are still asked for.
    assert_eq!(login(None).0, 401, "a pending new secret does not turn the code off");
    assert_eq!(login(Some(&code())).0, 200);
    let new_code = || totp_now(renewed["secret"].as_str().unwrap());
    let (status, ..) = post_json(
        &format!("{base}/api/v1/me/totp/confirm"),
        &format!(r#"{{"code":"{}"}}"#, new_code()),
        &[("Cookie", &session), ("X-CSRF-Token", &csrf2)],
    );
    assert_eq!(status, 204);
    assert_eq!(login(Some(&new_code())).0, 200, "then the new one's");
    // When the 1st AD's role needs a second factor too, a PIN on the armorer's phone is not
    // enough for him: he confirms from his own session.
    let (status, ..) = post_json(
        &format!("{base}/api/v1/productions/dead-river/commands"),
        r#"{"command":{"command":"require_second_factor","roles":["armorer","first_ad"]}}"#,
        &[("Authorization", &format!("Bearer {admin}"))],
    );
    assert!(status == 200 || status == 204, "{status}");
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();
    let in_person = ureq::post(&format!("{base}/p/dead-river/act")).set("Cookie", &session).send_form(&[
        ("csrf", &csrf),
        ("action", "ack_demonstration"),
        ("firearm", "fa-1"),
        ("person", "p-3"),
        ("pin", "2468"),
    ]);
    match in_person {
        Err(ureq::Error::Status(403, r)) => {
            let text = r.into_string().unwrap();
            assert!(text.contains("requires a second factor"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    // A command recorded from the session signed in with a code, under an idempotency key,
    // is not handed back to her session signed in without one: who asks is checked before
    // any retry is answered.
    let today = {
        let r = ureq::get(&format!("{base}/api/v1/productions/dead-river")).set("Cookie", &session).call().unwrap();
        serde_json::from_str::<serde_json::Value>(&r.into_string().unwrap()).unwrap()["today"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let notice = format!(
        r#"{{"command":{{"command":"record_authority_notice","authority":"local_police","date":"{today}","reference":"K-1"}}}}"#
    );
    let commands = format!("{base}/api/v1/productions/dead-river/commands");
    let key = ("Idempotency-Key", "second-factor-k");
    let (status, _, _, first) = post_json(&commands, &notice, &[("Cookie", &session), ("X-CSRF-Token", &csrf2), key]);
    assert_eq!(status, 200, "{first}");
    let without_code = [("Cookie", password_only[0].1.as_str()), ("X-CSRF-Token", password_only[1].1.as_str()), key];
    let (status, _, _, body) = post_json(&commands, &notice, &without_code);
    assert_eq!((status, body["code"].as_str()), (403, Some("auth.second_factor_required")), "{body}");
    // Nor can that session set her confirmation PIN or register a passkey: both confirm
    // steps in her name.
    let pin = ureq::put(&format!("{base}/api/v1/productions/dead-river/me/pin"))
        .set("Cookie", &password_only[0].1)
        .set("X-CSRF-Token", &password_only[1].1)
        .set("Content-Type", "application/json")
        .send_string(r#"{"pin":"13579"}"#);
    match pin {
        Err(ureq::Error::Status(403, r)) => assert!(r.into_string().unwrap().contains("auth.second_factor_required")),
        other => panic!("{other:?}"),
    }
    let (status, _, _, body) = post_json(
        &format!("{base}/api/v1/productions/dead-river/passkeys/challenge"),
        r#"{"person":"p-1","purpose":"register"}"#,
        &without_code[..2],
    );
    assert_eq!((status, body["code"].as_str()), (403, Some("auth.second_factor_required")), "{body}");
    // Guessing the current code to replace the second factor is throttled like a password:
    // after 5 wrong codes even the right one waits.
    for _ in 0..5 {
        assert_eq!(again(r#"{"code":"000000"}"#), 401);
    }
    assert_eq!(again(&format!(r#"{{"code":"{}"}}"#, new_code())), 429);
}

/// A token made from an administrator's password-only session, even for another account,
/// is held to the production's second-factor requirement: it cannot be a way around it.
#[test]
fn a_token_from_a_password_only_session_is_asked_for_the_second_factor() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let server = start(&["demo", "--data", p(&data)]);
    let base = server.base.clone();
    let admin_token = server.token.clone().unwrap();
    let (status, ..) = post_json(
        &format!("{base}/api/v1/productions/dead-river/commands"),
        r#"{"command":{"command":"require_second_factor","roles":["admin","armorer"]}}"#,
        &[("Authorization", &format!("Bearer {admin_token}"))],
    );
    assert_eq!(status, 200);
    let password = demo_password(&data, "admin");
    let (session, csrf) = sign_in(&base, "admin", &password);
    let (status, _, _, minted) = post_json(
        &format!("{base}/api/v1/accounts/maria/tokens"),
        r#"{"scopes":["read"]}"#,
        &[("Cookie", &session), ("X-CSRF-Token", &csrf)],
    );
    assert_eq!(status, 200, "{minted}");
    let token = format!("Bearer {}", minted["token"].as_str().unwrap());
    match ureq::get(&format!("{base}/api/v1/productions/dead-river")).set("Authorization", &token).call() {
        Err(ureq::Error::Status(403, r)) => assert!(r.into_string().unwrap().contains("auth.second_factor_required")),
        other => panic!("{other:?}"),
    }
    // Nor can that session make an account for the production (a way into it), or read the
    // delivery log, which covers it.
    let (status, _, _, body) = post_json(
        &format!("{base}/api/v1/accounts"),
        r#"{"name":"backdoor","links":[{"production":"dead-river","person":"p-10"}]}"#,
        &[("Cookie", &session), ("X-CSRF-Token", &csrf)],
    );
    assert_eq!((status, body["code"].as_str()), (403, Some("auth.second_factor_required")), "{body}");
    let outbox = ureq::get(&format!("{base}/api/v1/outbox")).set("Cookie", &session).call();
    assert!(matches!(outbox, Err(ureq::Error::Status(403, _))), "{outbox:?}");
    // An administrator account, linked to no production, is a way into all of them.
    let (status, _, _, body) = post_json(
        &format!("{base}/api/v1/accounts"),
        r#"{"name":"root2","admin":true}"#,
        &[("Cookie", &session), ("X-CSRF-Token", &csrf)],
    );
    assert_eq!((status, body["code"].as_str()), (403, Some("auth.second_factor_required")), "{body}");
    // A tool's token, made on the server (`coldset token create`), is not asked.
    assert_eq!(server.request("/api/v1/productions/dead-river").call().unwrap().status(), 200);
}

/// For a forgotten password or a lost phone, `coldset account reset` gives the account a new
/// password and ends its tokens and sessions (and its second factor, to be set up again);
/// the owner then chooses their own password with `POST /me/password`.
#[test]
fn an_account_reset_ends_its_tokens_and_sessions() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    assert!(coldset(&["init", "--data", p(&data)]).status.success());
    let out = coldset(&["account", "add", "--data", p(&data), "--name", "ops"]);
    let old_password = text(&out).split("password: ").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let token = || {
        let o = coldset(&["token", "create", "--data", p(&data), "--account", "ops"]);
        assert!(o.status.success(), "{}", text(&o));
        String::from_utf8(o.stdout).unwrap().trim().to_owned()
    };
    let (used, unused) = (token(), token());
    let server = start(&["serve", "--data", p(&data)]);
    let me = |t: &str| match ureq::get(&format!("{}/api/v1/me", server.base))
        .set("Authorization", &format!("Bearer {t}"))
        .call()
    {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(s, _)) => s,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(me(&used), 200);
    let login = |password: &str| {
        post_json(
            &format!("{}/api/v1/login", server.base),
            &format!(r#"{{"name":"ops","password":"{password}"}}"#),
            &[],
        )
        .0
    };
    assert_eq!(login(&old_password), 200);
    let out = coldset(&["account", "reset", "--data", p(&data), "--name", "ops"]);
    assert!(out.status.success(), "{}", text(&out));
    let new_password = text(&out).split("password: ").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    assert_ne!(new_password, old_password);
    // A token the server had not checked yet is refused at once (one it checked is trusted
    // for up to 30 s more, as the command says).
    assert_eq!(me(&unused), 401);
    assert_eq!(login(&old_password), 401);
    assert_eq!(login(&new_password), 200);
    // The owner then chooses their own password, giving the current one.
    let (session, csrf) = sign_in(&server.base, "ops", &new_password);
    let change = |current: &str, new: &str| {
        post_json(
            &format!("{}/api/v1/me/password", server.base),
            &serde_json::json!({"current": current, "new": new}).to_string(),
            &[("Cookie", &session), ("X-CSRF-Token", &csrf)],
        )
    };
    // A personal token lasts at most 90 days and makes no other token (it could otherwise
    // renew itself for ever).
    let mint = |auth: (&str, &str), body: &str| {
        let headers = [auth, ("X-CSRF-Token", csrf.as_str())];
        post_json(&format!("{}/api/v1/accounts/ops/tokens", server.base), body, &headers)
    };
    let (status, _, _, personal) = mint(("Cookie", &session), r#"{"scopes":["read","write"]}"#);
    assert_eq!(status, 200, "{personal}");
    assert_eq!(mint(("Cookie", &session), r#"{"scopes":["read"],"expires_in_days":0}"#).0, 400);
    let bearer = format!("Bearer {}", personal["token"].as_str().unwrap());
    let (status, _, _, body) = mint(("Authorization", &bearer), r#"{"scopes":["read"]}"#);
    assert_eq!((status, body["code"].as_str()), (403, Some("auth.forbidden")), "{body}");
    let chosen = "correct horse battery staple";
    assert_eq!(change("not-it", chosen).0, 401);
    let (status, _, _, body) = change(&new_password, "short");
    assert_eq!((status, body["code"].as_str()), (400, Some("input.invalid")), "{body}");
    assert_eq!(change(&new_password, chosen).0, 204);
    assert_eq!(login(&new_password), 401);
    assert_eq!(login(chosen), 200);
    // The same from the "my account" page's form (spaces in a password count).
    let form = ureq::AgentBuilder::new()
        .redirects(0)
        .build()
        .post(&format!("{}/p/none/act", server.base))
        .set("Cookie", &session)
        .send_form(&[
            ("csrf", &csrf),
            ("action", "change_password"),
            ("current", chosen),
            ("new", " a passphrase with spaces "),
        ]);
    assert_eq!(form.map(|r| r.status()).unwrap_or_else(|e| panic!("{e}")), 303);
    assert_eq!(login(chosen), 401);
    assert_eq!(login(" a passphrase with spaces "), 200);
    let out = coldset(&["account", "reset", "--data", p(&data), "--name", "nobody"]);
    assert!(!out.status.success() && text(&out).contains("no account 'nobody'"), "{}", text(&out));
}

/// A confirmation PIN is short: wrong PINs for a person are throttled like wrong passwords,
/// so nobody signed in can try all of them and then confirm steps in that person's name.
#[test]
fn wrong_pins_are_throttled() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let server = start(&["demo", "--data", p(&data)]);
    let base = server.base.clone();
    let password = demo_password(&data, "maria");
    let (session, csrf) = sign_in(&base, "maria", &password);
    let hand_off = |person: &str, pin: &str| {
        let body = format!(
            r#"{{"command":{{"command":"hand_off","firearm":"fa-1","to":"{person}"}},"confirmations":[{{"person":"{person}","pin":"{pin}"}}]}}"#
        );
        post_json(
            &format!("{base}/api/v1/productions/dead-river/commands"),
            &body,
            &[("Cookie", &session), ("X-CSRF-Token", &csrf)],
        )
    };
    for guess in ["0000", "1111", "2222", "3333", "4444"] {
        let (status, _, _, body) = hand_off("p-5", guess);
        assert_eq!((status, body["code"].as_str()), (403, Some("auth.forbidden")), "{body}");
    }
    // From now on each wrong PIN makes the next try wait (1, 2, 4 ... s; a slow machine may
    // let the first wait pass before the next guess arrives, which then counts too).
    let throttled = (0..5).any(|_| hand_off("p-5", "5555").0 == 429);
    assert!(throttled, "wrong PINs are throttled");
    // While it waits, the right PIN waits too: no free guess.
    let (status, _, retry, body) = hand_off("p-5", "2468");
    assert_eq!((status, body["code"].as_str()), (429, Some("auth.throttled")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("PIN"), "{body}");
    assert!(retry.is_some_and(|r| r.parse::<u64>().is_ok_and(|s| (1..=60).contains(&s))));
    // Ada's PIN is not Cole's: her confirmations go on as usual (the step itself is then
    // judged by the rules).
    let (status, _, _, body) = hand_off("p-6", "2468");
    assert_eq!(status, 422, "{body}");
}

// ---- the API document ----------------------------------------------------------------------

/// The OpenAPI document is served, equals the snapshot in docs/openapi.json, and every
/// endpoint it lists answers from the real router (never "no such route").
#[test]
fn the_openapi_document_matches_the_router_and_the_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&["demo", "--data", p(&tmp.path().join("d"))]);
    let served = server.get("/api/v1/openapi.json");
    let snapshot_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot_path).unwrap_or_default()).unwrap_or_default();
    assert_eq!(
        served, snapshot,
        "docs/openapi.json is out of date: regenerate it with `coldset openapi > docs/openapi.json`"
    );
    for ep in coldset_web::openapi::endpoints() {
        let path = ep
            .path
            .replace("{production}", "dead-river")
            .replace("{id}", "1")
            .replace("{name}", "admin")
            .replace("{hash}", &"ab".repeat(32));
        let url = format!("{}/api/v1{path}", server.base);
        let req = ureq::request(&ep.method.to_uppercase(), &url)
            .set("Authorization", &format!("Bearer {}", server.token.as_deref().unwrap()));
        let resp = match if ep.body.is_some() || ep.method != "get" {
            req.set("Content-Type", "application/json").send_string("{}")
        } else {
            req.call()
        } {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{} {}: {e}", ep.method, ep.path),
        };
        let status = resp.status();
        let body = resp.into_string().unwrap_or_default();
        assert_ne!(status, 405, "{} {} is not routed for that method", ep.method, ep.path);
        assert!(status < 500, "{} {} answered {status}: {body}", ep.method, ep.path);
        if status == 404 {
            assert!(body.contains("\"code\""), "{} {} is not routed: {body}", ep.method, ep.path);
            assert!(!body.contains("route.not_found"), "{} {} is not routed: {body}", ep.method, ep.path);
        }
    }
    // Addresses and methods the API does not have answer in its error shape too.
    for (method, path, status, code) in [
        ("GET", "/api/v1/no-such-thing", 404, "route.not_found"),
        ("DELETE", "/api/v1/productions/dead-river/commands", 405, "route.method_not_allowed"),
    ] {
        let url = format!("{}{path}", server.base);
        match ureq::request(method, &url).call() {
            Err(ureq::Error::Status(s, r)) => {
                assert_eq!(s, status, "{method} {path}");
                let body: serde_json::Value = serde_json::from_str(&r.into_string().unwrap()).unwrap();
                assert_eq!(body["code"], code, "{body}");
                assert!(body["request_id"].is_string(), "{body}");
            }
            other => panic!("{method} {path}: {other:?}"),
        }
    }
}

/// Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis, from
/// PyPI; scripts/test.sh installs it): no answer is a server error, every answer matches the
/// schema the document gives it (the wire types' schemas, coldset-web `wire/`), and the
/// server never panics. Twice: as the installation administrator (who gets furthest into every endpoint)
/// and as a performer (whose requests take the refusal and own-records paths).
#[test]
fn fuzzing_the_api_from_its_openapi_document_finds_no_server_error() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let log = tmp.path().join("server.log");
    let (mut child, base) = start_logged(&data, &log, "info");
    let failures: Vec<String> = ["admin", "cole"].iter().filter_map(|a| fuzz_as(&base, &data, tmp.path(), a)).collect();
    let _ = child.kill();
    let _ = child.wait();
    assert!(failures.is_empty(), "schemathesis found failures:\n{}", failures.join("\n"));
    let server_log = std::fs::read_to_string(&log).unwrap();
    assert!(!server_log.contains("panicked"), "the server panicked:\n{server_log}");
}

/// Runs schemathesis as `account`; its report if it found a failure.
fn fuzz_as(base: &str, data: &Path, work: &Path, account: &str) -> Option<String> {
    let created = coldset(&["token", "create", "--data", p(data), "--account", account]);
    assert!(created.status.success(), "{}", text(&created));
    let token = String::from_utf8(created.stdout).unwrap();
    // Through the interpreter, so no shell shim (pyenv) has to exist for the command.
    let out = Command::new("python3")
        .args([
            "-m",
            "schemathesis.cli",
            "run",
            &format!("{base}/api/v1/openapi.json"),
            "-u",
            &format!("{base}/api/v1"),
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "-H",
            &format!("Authorization: Bearer {}", token.trim()),
            "-n",
            "20",
            "--seed",
            "4242",
        ])
        .env("NO_COLOR", "1")
        // schemathesis keeps a cache where it runs: keep it out of the source tree.
        .current_dir(work)
        .output()
        .expect("schemathesis is not installed: run ./scripts/test.sh, which installs it");
    let report = text(&out);
    (!out.status.success() || !report.contains("passed")).then(|| format!("as {account}:\n{report}"))
}

// ---- TLS -----------------------------------------------------------------------------------

/// With a certificate, coldset serves HTTPS (and may then listen beyond loopback): session
/// cookies are `Secure` and browsers are told to stay on HTTPS.
#[test]
fn serves_https_with_secure_cookies() {
    use rustls::pki_types::pem::PemObject;
    let tmp = tempfile::tempdir().unwrap();
    // A test CA and a server certificate it signs, for 127.0.0.1.
    let f = |name: &str| tmp.path().join(name);
    let (ca, ca_key, cert, key, csr, ext) =
        (f("ca.pem"), f("ca.key"), f("cert.pem"), f("key.pem"), f("req.csr"), f("ext.cnf"));
    std::fs::write(&ext, "basicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n").unwrap();
    let openssl = |args: &[&str]| {
        let o = Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl (Debian's openssl package) makes the test certificates");
        assert!(o.status.success(), "{}", text(&o));
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=coldset test CA",
        "-keyout",
        p(&ca_key),
        "-out",
        p(&ca),
    ]);
    openssl(&["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", p(&key), "-out", p(&csr)]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        p(&csr),
        "-CA",
        p(&ca),
        "-CAkey",
        p(&ca_key),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        p(&ext),
        "-out",
        p(&cert),
    ]);
    let data = tmp.path().join("d");
    let out = coldset(&["init", "--data", p(&data)]);
    let password = text(&out).split("password: ").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    // Without TLS a non-loopback address is refused; with it, accepted.
    let o = coldset(&["config", "check", "--listen", "0.0.0.0:8443"]);
    assert!(!o.status.success() && text(&o).contains("TLS"), "{}", text(&o));
    let server = start(&["serve", "--data", p(&data), "--tls-cert", p(&cert), "--tls-key", p(&key)]);
    assert!(server.base.starts_with("https://127.0.0.1:"), "{}", server.base);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls::pki_types::CertificateDer::from_pem_file(&ca).unwrap()).unwrap();
    let tls = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    let agent = ureq::AgentBuilder::new().tls_config(std::sync::Arc::new(tls)).build();
    assert_eq!(agent.get(&format!("{}/healthz", server.base)).call().unwrap().into_string().unwrap(), "ok");
    let resp = agent
        .post(&format!("{}/api/v1/login", server.base))
        .set("Content-Type", "application/json")
        .send_string(&format!(r#"{{"name":"admin","password":"{password}"}}"#))
        .unwrap();
    assert!(resp.header("set-cookie").unwrap().contains("Secure"));
    assert!(resp.header("strict-transport-security").is_some());
    // Plain HTTP to the HTTPS port gets nothing useful.
    assert!(ureq::get(&format!("{}/healthz", server.base.replace("https://", "http://"))).call().is_err());
    // A neighbour holding 300 connections that never finish their TLS handshake (over the
    // per-client cap) does not stop anyone else.
    let addr: std::net::SocketAddr = server.base.trim_start_matches("https://").parse().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let held = rt.block_on(async {
        use tokio::io::AsyncWriteExt;
        let mut held = Vec::new();
        for _ in 0..300 {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
            if let Ok(mut stream) = socket.connect(addr).await {
                // The first bytes of a TLS record, then nothing.
                let _ = stream.write_all(&[0x16, 0x03, 0x01]).await;
                held.push(stream);
            }
        }
        held
    });
    assert!(held.len() > 250, "{}", held.len());
    let mut took: Vec<Duration> = (0..11)
        .map(|_| {
            let started = Instant::now();
            assert_eq!(agent.get(&format!("{}/healthz", server.base)).call().unwrap().into_string().unwrap(), "ok");
            started.elapsed()
        })
        .collect();
    took.sort();
    assert!(took[5] < Duration::from_millis(100) && took[10] < Duration::from_secs(1), "{took:?}");
    drop(held);
}

// ---- the armorer's page --------------------------------------------------------------------

/// The armorer signs in, opens a firearm's page (from its QR label), and a step the rules
/// refuse comes back as a page naming the rule, why, and what to do; a forged form is refused.
#[test]
fn the_armorers_firearm_page_shows_refusals_with_their_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let server = start(&["demo", "--data", p(&data)]);
    let password = demo_password(&data, "maria");
    let (session, csrf) = sign_in(&server.base, "maria", &password);
    let page_url = format!("{}/p/dead-river/firearms/fa-1", server.base);
    let page = ureq::get(&page_url).set("Cookie", &session).call().unwrap().into_string().unwrap();
    assert!(
        page.contains("SAA-BF-1021") && page.contains("label.svg") && page.contains("Take out of storage"),
        "{page}"
    );
    // Signing in through the form goes back to a plain local page only; anything else
    // (another site, a line break that could not go into a header) goes to the start page.
    let no_redirects = ureq::AgentBuilder::new().redirects(0).build();
    for (next, location) in
        [("/p/dead-river/today", "/p/dead-river/today"), ("//evil.example/", "/"), ("/p/dead-river\r\nX: y", "/")]
    {
        let signed_in = no_redirects
            .post(&format!("{}/login", server.base))
            .send_form(&[("name", "maria"), ("password", &password), ("next", next)])
            .unwrap();
        assert_eq!((signed_in.status(), signed_in.header("location")), (303, Some(location)), "{next:?}");
    }
    let label = ureq::get(&format!("{page_url}/label.svg")).set("Cookie", &session).call().unwrap();
    assert_eq!(label.header("content-type"), Some("image/svg+xml"));
    // Every page's forms post to one endpoint, which answers with a page.
    let act_url = format!("{}/p/dead-river/act", server.base);
    let submit = |fields: &[(&str, &str)]| match ureq::post(&act_url).set("Cookie", &session).send_form(fields) {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap()),
        Err(e) => panic!("{e}"),
    };
    // No shoot day is open and the safe is locked: refused, with the rules and what to do.
    let (status, refusal) = submit(&[("csrf", &csrf), ("action", "take"), ("firearm", "fa-1"), ("scene", "sc-1")]);
    assert_eq!(status, 422, "{refusal}");
    assert!(
        refusal.contains("R-STORE-4") && refusal.contains("R-STORE-3") && refusal.contains("What to do"),
        "{refusal}"
    );
    assert!(refusal.contains("Nothing was recorded"));
    // A form without the session's anti-forgery token is refused.
    let (status, forged) = submit(&[("csrf", "forged"), ("action", "take"), ("firearm", "fa-1"), ("scene", "sc-1")]);
    assert_eq!(status, 403, "{forged}");
    // Bad input is a clear error; `back` never leads off this production's pages.
    let (status, unknown) = submit(&[("csrf", &csrf), ("action", "fire_at_will"), ("back", "https://evil.example/")]);
    assert_eq!(status, 400, "{unknown}");
    assert!(unknown.contains("not a step") && unknown.contains("href=\"/p/dead-river\""), "{unknown}");
    // After a step, a return path that could not even go into a header falls back to the
    // production's page.
    let (status, page) =
        submit(&[("csrf", &csrf), ("action", "set_pin"), ("pin", "1357"), ("back", "/p/dead-river\r\nX: y")]);
    // (The redirect is followed without the session cookie, so it ends at the sign-in page.)
    assert!(status == 200 && page.contains("Sign in"), "{status} {page}");
    let (status, missing) = submit(&[("csrf", &csrf), ("action", "load"), ("firearm", "fa-1")]);
    assert!(status == 400 && missing.contains("fill in container"), "{status} {missing}");
    // Confirming in person with someone else's PIN: a wrong PIN records nothing.
    let (status, wrong) = submit(&[
        ("csrf", &csrf),
        ("action", "ack_demonstration"),
        ("firearm", "fa-1"),
        ("person", "p-3"),
        ("pin", "1111"),
    ]);
    assert!(status == 403 && wrong.contains("wrong PIN"), "{status} {wrong}");
    // The day-open count: one container is a round short, which is recorded as an alert.
    let day_url = format!("{}/p/dead-river/day", server.base);
    let form = ureq::get(&day_url).set("Cookie", &session).call().unwrap().into_string().unwrap();
    assert!(form.contains("Open the shoot day") && form.contains("count:DUM-45-A"), "{form}");
    let mut fields: Vec<(&str, &str)> =
        vec![("csrf", &csrf), ("action", "open_day"), ("bulletin", "yes"), ("contact", "yes"), ("medics", "Rae, EMT")];
    for f in ["fa-1", "fa-2", "fa-3", "fa-4", "fa-5", "fa-6"] {
        fields.push((Box::leak(format!("count:{f}").into_boxed_str()), "1"));
    }
    fields.extend([
        ("count:DUM-45-A", "99"),
        ("count:BLK-45-Q", "50"),
        ("count:BLK-4440-H", "50"),
        ("count:QUAR-45-B", "24"),
    ]);
    let done = match ureq::post(&act_url).set("Cookie", &session).send_form(&fields) {
        Ok(r) => r.into_string().unwrap(),
        Err(ureq::Error::Status(s, r)) => panic!("{s}: {}", r.into_string().unwrap()),
        Err(e) => panic!("{e}"),
    };
    assert!(
        done.contains("Recorded, with alerts") && done.contains("R-STORE-4") && done.contains("DUM-45-A"),
        "{done}"
    );
    let form = ureq::get(&day_url).set("Cookie", &session).call().unwrap().into_string().unwrap();
    assert!(form.contains("Close the shoot day"), "{form}");
    // A scanned label opens its page: a QR code's URL, a serial in any case, a container's
    // label; a code of another production or of nothing is a clear "not found".
    let scan = |code: &str| {
        let url = format!("{}/p/dead-river/scan", server.base);
        match ureq::get(&url).query("code", code).set("Cookie", &session).call() {
            Ok(r) => (r.status(), r.get_url().to_owned()),
            Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap()),
            Err(e) => panic!("{e}"),
        }
    };
    for (code, page) in [
        ("https://set-laptop:8443/p/dead-river/containers/ct-2", "/p/dead-river/containers/ct-2"),
        ("saa-bf-1021", "/p/dead-river/firearms/fa-1"),
        ("BLK-45-Q", "/p/dead-river/containers/ct-2"),
    ] {
        let (status, url) = scan(code);
        assert!(status == 200 && url.ends_with(page), "{code}: {status} {url}");
    }
    for code in [
        "https://x/p/other-film/firearms/fa-1",
        "https://x/p/dead-river/act",
        "NOPE",
        "/p/dead-river/firearms/fa-1\r\nX: y",
    ] {
        let (status, body) = scan(code);
        assert!(status == 404 && body.contains("No firearm or container"), "{code}: {status}");
    }
}

/// Who may ask for a passkey challenge and register a passkey: only a person of the
/// production, only for themselves when registering, and a confirmation challenge only for a
/// person who has a passkey; a forged registration is refused and stores nothing.
#[test]
fn passkey_endpoints_are_for_the_people_of_the_production() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let server = start(&["demo", "--data", p(&data)]);
    let base = format!("{}/api/v1/productions/dead-river", server.base);
    let challenge =
        |body: &str, headers: &[(&str, &str)]| post_json(&format!("{base}/passkeys/challenge"), body, headers);
    let ask = r#"{"person":"p-5","purpose":"register"}"#;
    // Nobody signed in; an administrator who is no person of the production.
    assert_eq!(challenge(ask, &[]).0, 401);
    let admin = format!("Bearer {}", server.token.clone().unwrap());
    assert_eq!(challenge(ask, &[("Authorization", &admin)]).0, 403);
    // Cole (p-5), signed in: he registers for himself, not for Ada.
    let (session, csrf) = sign_in(&server.base, "cole", &demo_password(&data, "cole"));
    let cole = [("Cookie", session.as_str()), ("X-CSRF-Token", csrf.as_str())];
    assert_eq!(challenge(ask, &[("Cookie", session.as_str())]).0, 403, "the anti-forgery token is required");
    let (status, _, _, issued) = challenge(ask, &cole);
    assert_eq!(status, 200, "{issued}");
    assert_eq!(issued["rp_id"], "127.0.0.1");
    assert!(issued["challenge"].as_str().unwrap().len() >= 43, "{issued}");
    let (status, _, _, body) = challenge(r#"{"person":"p-6","purpose":"register"}"#, &cole);
    assert_eq!(status, 403, "{body}");
    // Confirmation challenges are for the devices of those who run the steps (they name
    // another person's passkeys), not a performer's.
    let (status, _, _, body) = challenge(r#"{"person":"p-6","purpose":"confirm"}"#, &cole);
    assert_eq!(status, 403, "{body}");
    let (status, _, _, body) = challenge(r#"{"person":"p-5","purpose":"steal"}"#, &cole);
    assert_eq!((status, body["code"].as_str()), (400, Some("input.invalid")), "{body}");
    // A registration that answers no challenge of ours, or is not ES256, stores nothing.
    let forged = serde_json::json!({"credential_id": "Y3JlZA", "client_data": "e30", "authenticator_data": "AA",
        "public_key": "AA", "algorithm": -7});
    let (status, _, _, body) = post_json(&format!("{base}/me/passkeys"), &forged.to_string(), &cole);
    assert_eq!(status, 403, "{body}");
    let mut rsa = forged.clone();
    rsa["algorithm"] = serde_json::json!(-257);
    let (status, _, _, body) = post_json(&format!("{base}/me/passkeys"), &rsa.to_string(), &cole);
    assert!(status == 403 && body["message"].as_str().unwrap().contains("ES256"), "{status} {body}");
    let (maria_session, maria_csrf) = sign_in(&server.base, "maria", &demo_password(&data, "maria"));
    let maria = [("Cookie", maria_session.as_str()), ("X-CSRF-Token", maria_csrf.as_str())];
    // On the armorer's phone: nobody has a passkey yet, so a confirmation challenge says to
    // use the PIN.
    let (status, _, _, body) = challenge(r#"{"person":"p-5","purpose":"confirm"}"#, &maria);
    assert!(status == 404 && body["message"].as_str().unwrap().contains("PIN"), "still no passkey: {status} {body}");
    // The command API takes a passkey confirmation too: one proof per person, and an
    // unregistered passkey records nothing.
    let passkey = serde_json::json!({"credential_id": "Y3JlZA", "client_data": "e30", "authenticator_data": "AA", "signature": "AA"});
    let hand_off = |confirmation: serde_json::Value| {
        let body = serde_json::json!({"command": {"command": "hand_off", "firearm": "fa-1", "to": "p-5"},
            "confirmations": [confirmation]});
        post_json(&format!("{base}/commands"), &body.to_string(), &maria)
    };
    let (status, _, _, body) = hand_off(serde_json::json!({"person": "p-5", "pin": "2468", "passkey": passkey}));
    assert!(
        status == 400 && body["message"].as_str().unwrap().contains("either a pin or a passkey"),
        "{status} {body}"
    );
    let (status, _, _, body) = hand_off(serde_json::json!({"person": "p-5"}));
    assert_eq!(status, 400, "{body}");
    let (status, _, _, body) = hand_off(serde_json::json!({"person": "p-5", "passkey": passkey}));
    assert!(status == 403 && body["message"].as_str().unwrap().contains("not registered"), "{status} {body}");
}
