//! A throwaway PostgreSQL server for tests (initdb + pg_ctl on a free loopback port), shared
//! by the PostgreSQL store's tests and the binary's (`coldset move`), each including this
//! file with `#[path]`. Needs PostgreSQL's server programs: `scripts/ensure-postgres.sh`.

#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command as Cmd, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

// ---- a throwaway PostgreSQL server ------------------------------------------------------

/// A PostgreSQL server in a temporary directory, listening on a free loopback port with its
/// unix socket in that directory, trusting every local connection.
///
/// Stopping: `Drop` stops it (`pg_ctl stop -m immediate`) and removes the directory. The
/// shared instance lives in a static, which Rust never drops, so a watchdog does the same
/// when this process exits, however it exits (end of tests, panic, abort, SIGKILL): a
/// shell in its own process group, ignoring signals, that blocks reading a pipe whose only
/// writer is this process. The kernel closes the pipe when this process dies.
pub(crate) struct PgServer {
    pub(crate) port: u16,
    pub(crate) dir: PathBuf,
    pub(crate) pg_ctl: PathBuf,
    pub(crate) as_postgres: bool,
    pub(crate) watchdog: Mutex<Option<ChildStdin>>,
}

pub(crate) const ENSURE: &str = "run scripts/ensure-postgres.sh to install PostgreSQL's server programs";

/// initdb and pg_ctl: from PATH first, then Debian's /usr/lib/postgresql/<version>/bin,
/// newest version first.
pub(crate) fn find_pg_bins() -> Option<(PathBuf, PathBuf)> {
    let both = |dir: &Path| {
        let (i, p) = (dir.join("initdb"), dir.join("pg_ctl"));
        // Resolved, so that pg_ctl finds the `postgres` program beside its real location.
        (i.is_file() && p.is_file())
            .then(|| (std::fs::canonicalize(&i).unwrap_or(i), std::fs::canonicalize(&p).unwrap_or(p)))
    };
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(found) = std::env::split_paths(&path).find_map(|d| both(&d)) {
            return Some(found);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            Some((v, e.path().join("bin")))
        })
        .collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.0));
    versions.into_iter().find_map(|(_, d)| both(&d))
}

pub(crate) fn command_output(cmd: &mut Cmd) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!("{cmd:?} failed ({}): {text}", out.status))
    }
}

pub(crate) fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

impl PgServer {
    pub(crate) fn start() -> Result<PgServer, String> {
        let (initdb, pg_ctl) = find_pg_bins().ok_or_else(|| format!("initdb/pg_ctl not found: {ENSURE}"))?;
        // PostgreSQL refuses to run as root: then the server runs as the `postgres` user.
        let uid = command_output(Cmd::new("id").arg("-u"))?;
        let as_postgres = uid.trim() == "0";
        if as_postgres {
            command_output(Cmd::new("id").args(["-u", "postgres"]))
                .map_err(|e| format!("running as root needs a `postgres` user ({e}): {ENSURE}"))?;
        }
        let dir = tempfile::Builder::new().prefix("coldset-pg-").tempdir().map_err(|e| e.to_string())?.keep();
        let mut server = PgServer { port: 0, dir, pg_ctl, as_postgres, watchdog: Mutex::new(None) };
        if as_postgres {
            command_output(Cmd::new("chown").arg("postgres:").arg(&server.dir))?;
        }
        server.spawn_watchdog()?;
        let data = server.dir.join("data");
        command_output(
            server
                .cmd(&initdb)
                .arg("-D")
                .arg(&data)
                .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"])
                // A throwaway cluster: no need to fsync its initial files. The running
                // server keeps fsync on (the store refuses a server without it).
                .arg("--no-sync"),
        )?;
        // The port is free when chosen but may be taken before the server binds it.
        let mut last = String::new();
        for _ in 0..5 {
            server.port = free_port()?;
            match server.launch() {
                Ok(()) => return Ok(server),
                Err(e) => last = e,
            }
        }
        Err(format!("the test PostgreSQL server did not start: {last}"))
    }

    /// Starts the server on `self.port` and waits until it accepts connections.
    pub(crate) fn launch(&self) -> Result<(), String> {
        let log = self.dir.join("server.log");
        let opts =
            format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200", self.port, self.dir.display());
        let status = self
            .cmd(&self.pg_ctl)
            .arg("start")
            .arg("-D")
            .arg(self.dir.join("data"))
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "60", "-o", &opts])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run pg_ctl: {e}"))?;
        if !status.success() {
            return Err(std::fs::read_to_string(&log).unwrap_or_default());
        }
        self.wait_until_accepting()
    }

    /// Stops the server at once, as a crash or a pulled plug would.
    pub(crate) fn stop(&self) {
        let _ = self
            .cmd(&self.pg_ctl)
            .arg("stop")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// A command for a PostgreSQL program, run as the `postgres` user when we are root.
    /// `setpriv` (not `runuser`/`su`) because it execs in place: no parent process that
    /// would forward signals to, or outlive, the program.
    pub(crate) fn cmd(&self, program: &Path) -> Cmd {
        let mut c = if self.as_postgres {
            let mut c = Cmd::new("setpriv");
            c.args(["--reuid=postgres", "--regid=postgres", "--clear-groups", "--"]).arg(program);
            c
        } else {
            Cmd::new(program)
        };
        // The postgres user may not be able to enter the test's working directory.
        c.current_dir(&self.dir);
        c
    }

    pub(crate) fn spawn_watchdog(&self) -> Result<(), String> {
        let script = r#"trap '' INT TERM HUP QUIT
cat >/dev/null
"$1" stop -D "$2/data" -m immediate -w >/dev/null 2>&1
rm -rf "$2""#;
        let child = self
            .cmd(Path::new("sh"))
            .args(["-c", script, "coldset-pg-watchdog"])
            .arg(&self.pg_ctl)
            .arg(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: a Ctrl-C or a kill of the test's group spares it.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start the server watchdog: {e}"))?;
        *self.watchdog.lock().map_err(|e| e.to_string())? = child.stdin;
        Ok(())
    }

    pub(crate) fn wait_until_accepting(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match postgres::Client::connect(&self.url("postgres"), postgres::NoTls) {
                Ok(_) => return Ok(()),
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("the test server never accepted connections: {e}"))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    pub(crate) fn url(&self, db: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/{db}", self.port)
    }

    pub(crate) fn admin(&self, db: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(db), postgres::NoTls).unwrap()
    }

    /// A new, empty database for one test; returns its URL.
    pub(crate) fn fresh_db(&self, name: &str) -> String {
        static N: AtomicU32 = AtomicU32::new(0);
        let db = format!("t_{name}_{}", N.fetch_add(1, Ordering::SeqCst));
        self.admin("postgres").batch_execute(&format!("CREATE DATABASE \"{db}\"")).unwrap();
        self.url(&db)
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        self.stop();
        // Closing the pipe lets the watchdog run too; it then removes the directory,
        // which belongs to the postgres user.
        if let Ok(mut w) = self.watchdog.lock() {
            w.take();
        }
    }
}

pub(crate) fn server() -> &'static PgServer {
    static SERVER: OnceLock<Result<PgServer, String>> = OnceLock::new();
    match SERVER.get_or_init(PgServer::start) {
        Ok(s) => s,
        Err(e) => panic!("cannot start a PostgreSQL server for the tests: {e}"),
    }
}

pub(crate) fn db_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}
