//! The `coldset` binary: command-line interface, configuration and start-up wiring. All
//! domain work happens in the libraries; this file only parses, wires and reports.

mod agent;
mod audit;
mod backup;
mod bench;
mod cert;
mod config;
mod datadir;
mod delivery;
mod demo;
mod listener;
mod moving;
mod records;
mod sinks;
mod witness;

use clap::{Parser, Subcommand};
use config::{Config, Flags};

use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "coldset", version, about = "Chain of custody for firearms and ammunition on film and TV sets")]
struct Cli {
    /// Configuration file (TOML). Also COLDSET_CONFIG.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where the ledger signing key and a copy of every checkpoint live, outside the data
    /// directory (default: `<data>.keys` beside it). Also COLDSET_KEY_DIR.
    #[arg(long, global = true, value_name = "DIR")]
    key_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

/// The options every subcommand takes.
struct Globals {
    config: Option<PathBuf>,
    key_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Create a new data directory: database, first administrator, ledger signing key.
    Init {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// PostgreSQL URL (studio scale); default: SQLite inside DIR. Also COLDSET_DATABASE.
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        /// Name of the first administrator account.
        #[arg(long, default_value = "admin")]
        admin: String,
        /// Name of this installation (names its ledger key and checkpoints).
        #[arg(long, default_value = "coldset.local")]
        installation: String,
        /// Keep the ledger key in an ssh-agent (or the hardware token behind it) instead of a
        /// file: the OpenSSH public key file of an ssh-ed25519 key the agent holds.
        #[arg(long, value_name = "FILE.pub")]
        ssh_agent_key: Option<PathBuf>,
    },
    /// Serve an initialised data directory over HTTP.
    Serve {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        /// PEM certificate chain: serve HTTPS (then other machines may connect).
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// PEM private key of the certificate.
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Serve HTTPS with the certificate `coldset cert` made (made now if there is none).
        #[arg(long, conflicts_with = "tls_cert")]
        https: bool,
        /// The address phones use for this server (links, QR codes, labels), e.g.
        /// https://armory-laptop.local:8443. Also `public_url`, COLDSET_PUBLIC_URL.
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
        /// One of several nodes on one PostgreSQL database: the address the other nodes
        /// reach this one at, http://HOST:PORT (docs/cluster.md). Also `node_url`,
        /// COLDSET_NODE_URL.
        #[arg(long, value_name = "URL")]
        node_url: Option<String>,
    },
    /// Seed a demo production in a new directory (once), then serve it.
    Demo {
        #[arg(long, value_name = "DIR", default_value = "coldset-demo")]
        data: PathBuf,
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Serve HTTPS with a generated certificate, so phones on the same network can try it
        /// (any --listen address is then allowed).
        #[arg(long, conflicts_with = "tls_cert")]
        https: bool,
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
    },
    /// Back up a data directory and its key directory to one file, while the server runs.
    Backup {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// A file to write, or a directory to write a new file into (named by the time).
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        /// A file holding a passphrase that seals the keys in the backup.
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// With --out DIR: keep only the newest N backups of this installation there.
        #[arg(long, value_name = "N")]
        keep: Option<usize>,
    },
    /// Restore a backup into a new data directory, after verifying the whole ledger in it.
    Restore {
        /// The backup file.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The data directory to create (it must not exist, or be empty).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// Checkpoint copies of this installation (e.g. the old key directory's
        /// checkpoints.jsonl) that the backup must not be older than; repeatable.
        #[arg(long = "newer-than", value_name = "FILE")]
        newer_than: Vec<PathBuf>,
        /// Restore even a backup older than those checkpoints (the events after it are lost).
        #[arg(long)]
        accept_older: bool,
    },
    /// Make the set's certificate authority (once) and this computer's HTTPS certificate for
    /// its names and addresses, so phones on the set's Wi-Fi can connect (see /ca).
    Cert {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Another host name phones may use for this computer (repeatable).
        #[arg(long = "host", value_name = "NAME")]
        hosts: Vec<String>,
        /// Another address phones may use for this computer (repeatable).
        #[arg(long = "ip", value_name = "ADDR")]
        ips: Vec<std::net::IpAddr>,
    },
    /// Configuration commands.
    Config {
        #[command(subcommand)]
        command: ConfigCmd,
    },
    /// Verify the ledger offline: every leaf, root, signature, witness copy and projection.
    #[command(group(clap::ArgGroup::new("record_or_bundle").args(["record", "bundle"]).multiple(true)))]
    Verify {
        /// A data directory to verify (reads the database directly).
        #[arg(long, value_name = "DIR", conflicts_with = "bundle")]
        data: Option<PathBuf>,
        #[arg(long, value_name = "URL", conflicts_with = "bundle")]
        database: Option<String>,
        /// A bundle written by `coldset export` (no database needed).
        #[arg(long, value_name = "FILE")]
        bundle: Option<PathBuf>,
        /// The verifier key you trust (`name+id+key`); defaults to the key directory's, or
        /// the bundle's.
        #[arg(long, value_name = "KEY")]
        key: Option<String>,
        /// Check against a signing key found inside the data directory itself (older data
        /// directories keep it there); this cannot detect a rewrite by whoever held it.
        #[arg(long)]
        trust_data_dir_key: bool,
        /// With --bundle: a witness whose cosignatures you trust (`name+id+key`); repeat for
        /// several. The bundle must then carry a checkpoint cosigned by the quorum. With
        /// --record (a compliance pack): each cosignature the pack lists by this witness must
        /// verify with this key.
        #[arg(long = "witness", value_name = "KEY", requires = "record_or_bundle")]
        witnesses: Vec<String>,
        /// How many of the given witnesses must have cosigned (default: all of them).
        #[arg(long, value_name = "N", requires = "witnesses")]
        quorum: Option<usize>,
        /// A record (CSV) made by `coldset report` or the server: check its checkpoint with
        /// --key, derive it again from the log (--bundle) and compare every row.
        #[arg(long, value_name = "FILE", requires = "key", conflicts_with_all = ["data", "database"])]
        record: Option<PathBuf>,
        /// With --record: the server to read the log from instead of a bundle.
        #[arg(long, value_name = "URL", requires = "record", conflicts_with = "bundle")]
        url: Option<String>,
    },
    /// Write a record (daily log, registers, packs, hand-off receipt) of a production from
    /// its latest signed checkpoint (docs/records.md).
    Report {
        /// daily-log, weapon-register, ammunition-register, training-register, incident-pack,
        /// compliance-pack or hand-off-receipt.
        kind: String,
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        #[arg(long, value_name = "ID")]
        production: String,
        /// The day (YYYY-MM-DD, in the production's time zone).
        #[arg(long, value_name = "DATE")]
        day: Option<String>,
        /// A period's first day.
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// A period's last day.
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// The incident's event number (incident pack).
        #[arg(long, value_name = "SEQ")]
        incident: Option<u64>,
        /// The hand-off's event number (hand-off receipt).
        #[arg(long, value_name = "SEQ")]
        seq: Option<u64>,
        #[arg(long, value_enum, default_value = "csv")]
        format: records::Format,
        /// The PDF's paper: a4 or letter.
        #[arg(long, default_value = "a4")]
        paper: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write a production's events, checkpoints and public key to a bundle file.
    Export {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        #[arg(long, value_name = "ID")]
        production: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Check a server's latest checkpoint against the last one this witness saw.
    Witness {
        /// The production's API base, e.g. http://127.0.0.1:8080/api/v1/productions/dead-river
        #[arg(long)]
        url: String,
        /// Where this witness keeps the pinned key and the last checkpoint.
        #[arg(long, value_name = "DIR")]
        state: PathBuf,
        /// The server's verifier key (required the first time, pinned afterwards).
        #[arg(long, value_name = "KEY")]
        key: Option<String>,
    },
    /// Run a witness (C2SP tlog-witness) that cosigns checkpoints of the logs it is given,
    /// after checking each extends the last one it cosigned. Run it on a machine the
    /// production does not control; give its key (printed at start) to the server's
    /// `[[witnesses]]` and to auditors.
    WitnessServe {
        /// Where the witness keeps its key and the newest checkpoint of each log.
        #[arg(long, value_name = "DIR")]
        state: PathBuf,
        /// The witness's name, e.g. witness.studio.example/w1.
        #[arg(long)]
        name: String,
        /// A log's verifier key (`coldset init` prints it); repeat for several installations.
        #[arg(long = "log-key", value_name = "KEY", required = true)]
        log_keys: Vec<String>,
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8090")]
        listen: std::net::SocketAddr,
    },
    /// Move the installation's store from the embedded SQLite database to PostgreSQL (the
    /// server stopped): every production's log, checkpoints and projections, and accounts,
    /// tokens, second factors, PINs and passkeys; verified before the directory is marked
    /// as moved. Then serve with --database URL.
    Move {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// The PostgreSQL database to move into: new and empty (createdb).
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// The ledger signing key.
    Key {
        #[command(subcommand)]
        command: KeyCmd,
    },
    /// Print an inclusion or consistency proof as JSON.
    Proof {
        #[command(subcommand)]
        command: ProofCmd,
    },
    /// Accounts: who can sign in, and which person of a production each one is.
    Account {
        #[command(subcommand)]
        command: AccountCmd,
    },
    /// API tokens for the CLI and integrations.
    Token {
        #[command(subcommand)]
        command: TokenCmd,
    },
    /// Print the OpenAPI document of the JSON API (docs/openapi.json is a snapshot of it).
    Openapi,
    /// Benchmarks (see docs/benchmarks.md).
    Bench {
        #[command(subcommand)]
        command: BenchCmd,
    },
}

#[derive(Debug, Subcommand)]
enum KeyCmd {
    /// Replace the ledger signing key (the server must be stopped): a new key of the same
    /// name, announced by a statement the old key and the new one both sign, which records
    /// each production's log size at the rotation. The old key signs nothing after it.
    Rotate {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        #[arg(long, value_name = "URL")]
        database: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum AccountCmd {
    /// Create an account; its generated password is printed once.
    Add {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin: bool,
        /// Link the account to a person of a production (with --person).
        #[arg(long, requires = "person")]
        production: Option<String>,
        #[arg(long, requires = "production")]
        person: Option<String>,
    },
    /// For a forgotten password or a lost phone: a new generated password (printed once);
    /// every token and session of the account ends and its second factor is removed, to be
    /// set up again. A server already running trusts a token it checked for up to 30 s more.
    Reset {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCmd {
    /// Create an API token for an account; the secret is printed once.
    Create {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        #[arg(long)]
        account: String,
        /// Comma-separated: read, write.
        #[arg(long, default_value = "read,write")]
        scopes: String,
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
enum ProofCmd {
    /// Proof that event SEQ is in the log of SIZE events.
    Inclusion {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        #[arg(long)]
        production: String,
        #[arg(long)]
        seq: u64,
        /// Defaults to the latest signed checkpoint's size.
        #[arg(long)]
        size: Option<u64>,
    },
    /// Proof that the log of TO events extends the log of FROM events.
    Consistency {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        #[arg(long)]
        production: String,
        #[arg(long)]
        from: u64,
        #[arg(long)]
        to: u64,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCmd {
    /// Records out (docs/records.md): builds a log of custody steps (every firearm out and
    /// back, again and again) in a fresh data directory, then times the daily log and the
    /// registers made from its latest signed checkpoint, read from the store as
    /// `coldset report` reads it.
    Records {
        /// A data directory (created if new; an existing records log is reused).
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        #[arg(long, default_value_t = 200)]
        firearms: usize,
        /// Grow the log to at least this many events first (0: measure what is there).
        #[arg(long, default_value_t = 0)]
        build: u64,
        /// Which records: daily-log (today's), weapon-register, ammunition-register
        /// (repeatable; default all three).
        #[arg(long = "record", value_name = "KIND")]
        kinds: Vec<String>,
        #[arg(long, default_value_t = 20)]
        samples: usize,
    },
    /// Durable appends through the real write path, and a plain SQLite baseline.
    Append {
        /// A data directory (created if new).
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        #[arg(long, default_value_t = 64)]
        writers: usize,
        #[arg(long, default_value_t = 100_000)]
        events: u64,
        /// Print `ack SEQ` for every acknowledged event (used by the crash test).
        #[arg(long)]
        print_acks: bool,
        /// Skip the plain SQLite baseline.
        #[arg(long)]
        no_baseline: bool,
    },
    /// Proof generation times and hash/root verification rate on a data directory.
    Ledger {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        #[arg(long, default_value = bench::BENCH_PRODUCTION)]
        production: String,
        #[arg(long, default_value_t = 1000)]
        samples: u64,
    },
    /// Hand-off gate evaluation on the in-memory snapshot, and a refused HandOff through
    /// the write path, for a production built through the real write path.
    Gate {
        /// A data directory (created if new; an existing gate production is reused).
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        #[arg(long, default_value_t = 200)]
        firearms: usize,
        #[arg(long, default_value_t = 50)]
        performers: usize,
        /// Events in the production's log (topped up with open/close of the safe).
        #[arg(long, default_value_t = 100_000)]
        events: u64,
        #[arg(long, default_value_t = 100_000)]
        samples: usize,
        /// Then take this many firearms out of the safe to the armorer, so the live board has
        /// rows to show (for the page benchmark).
        #[arg(long, default_value_t = 0)]
        out: usize,
    },
    /// A record's PDF (coldset-print): a daily log of that many firearms out and rows, each
    /// row a custody step, rendered `samples` times on A4 and on US Letter.
    Pdf {
        #[arg(long, default_value_t = 200)]
        firearms: usize,
        #[arg(long, default_value_t = 5_000)]
        rows: usize,
        #[arg(long, default_value_t = 10)]
        samples: usize,
        /// Also write the A4 PDF here, to look at.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCmd {
    /// Validate the configuration (file, environment, flags) without starting anything.
    Check {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
}

/// glibc gives each thread that allocates its own malloc arena, up to eight per core, and
/// keeps what they freed: a 10,000-row import grew the server by 92 MB with the default
/// (figures with two and with one arena in docs/benchmarks.md). Two serve a 2-core set
/// laptop's threads without one lock for all; `MALLOC_ARENA_MAX` set by the operator wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; called first thing in main,
        // before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("coldset: {message}");
            ExitCode::FAILURE
        }
    }
}

fn resolve(globals: &Globals, data: Option<PathBuf>, listen: Option<String>) -> Result<Config, String> {
    resolve_db(globals, data, None, listen)
}

fn resolve_db(
    globals: &Globals,
    data: Option<PathBuf>,
    database: Option<String>,
    listen: Option<String>,
) -> Result<Config, String> {
    let flags = Flags {
        config: globals.config.clone(),
        data,
        database,
        listen,
        tls_cert: None,
        tls_key: None,
        key_dir: globals.key_dir.clone(),
    };
    config::resolve(&flags, &|k| std::env::var(k).ok()).map_err(|e| e.to_string())
}

fn need_data(cfg: &Config) -> Result<PathBuf, String> {
    cfg.data
        .clone()
        .ok_or_else(|| "no data directory: give --data DIR (or COLDSET_DATA, or `data` in the config file)".to_owned())
}

fn init_logging(level: &str) {
    init_logging_as(level, config::LogFormat::Text)
}

/// Logs to standard error: text (coloured only on a terminal: a log file or the journal
/// gets plain text), or one JSON object a line for a log collector.
fn init_logging_as(level: &str, format: config::LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_new(format!("{level},tower_http=warn"))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        config::LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
        config::LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

fn run(cli: Cli) -> Result<(), String> {
    let globals = Globals { config: cli.config, key_dir: cli.key_dir };
    match cli.command {
        Cmd::Init { data, database, admin, installation, ssh_agent_key } => {
            let cfg = resolve_db(&globals, data, database, None)?;
            let dir = need_data(&cfg)?;
            let agent_key = match &ssh_agent_key {
                Some(file) => {
                    Some(std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?)
                }
                None => None,
            };
            let made = datadir::init_with(
                &dir,
                cfg.key_dir.as_deref(),
                cfg.database.as_deref(),
                &admin,
                &installation,
                agent_key.as_deref(),
            )
            .map_err(|e| e.to_string())?;
            println!("Initialised {}", dir.display());
            if ssh_agent_key.is_some() {
                println!(
                    "Ledger signing key: held by your ssh-agent (noted in {}); start coldset where SSH_AUTH_SOCK \
                     reaches that agent",
                    made.key_file.display()
                );
            } else {
                println!(
                    "Ledger signing key: {} (outside the data directory: back it up separately, and keep it where \
                     whoever can copy the data directory cannot)",
                    made.key_file.display()
                );
            }
            println!("Administrator account: {}  password: {}", made.admin, made.password);
            println!("(the password is shown once; store it now)");
            println!("Ledger verifier key (give this to auditors): {}", made.verifier_key);
            Ok(())
        }
        Cmd::Serve { data, database, listen, tls_cert, tls_key, https, public_url, node_url } => {
            let mut cfg = resolve_db(&globals, data, database, listen)?;
            if let (Some(c), Some(k)) = (tls_cert, tls_key) {
                cfg.tls = Some((c, k));
            }
            init_logging_as(&cfg.log, cfg.log_format);
            let dir = need_data(&cfg)?;
            if https {
                cfg.tls = Some(generated_tls(&dir, &cfg)?);
            }
            if let Some(url) = public_url {
                cfg.public_url = Some(config::parse_public_url(&url).map_err(|e| e.to_string())?);
            }
            if let Some(url) = node_url {
                cfg.node_url = Some(config::parse_node_url(&url).map_err(|e| e.to_string())?);
            }
            config::check_listen(&cfg).map_err(|e| e.to_string())?;
            let opened =
                datadir::open_as_node(&dir, cfg.key_dir.as_deref(), cfg.database.as_deref(), cfg.node_url.as_deref())
                    .map_err(|e| e.to_string())?;
            serve(opened, &cfg, None)
        }
        Cmd::Demo { data, listen, https, tls_cert, tls_key, public_url } => {
            let mut cfg = resolve(&globals, Some(data), listen)?;
            init_logging_as(&cfg.log, cfg.log_format);
            let dir = need_data(&cfg)?;
            if let (Some(c), Some(k)) = (tls_cert, tls_key) {
                cfg.tls = Some((c, k));
            }
            if let Some(url) = public_url {
                cfg.public_url = Some(config::parse_public_url(&url).map_err(|e| e.to_string())?);
            }
            if cfg.tls.is_none() && !https {
                config::require_loopback(&cfg.listen).map_err(|e| {
                    format!("{e}; for phones on this network, run the demo with --https (a certificate is made for it)")
                })?;
            }
            let logins = prepare_demo(&dir, cfg.key_dir.as_deref())?;
            if https {
                cfg.tls = Some(generated_tls(&dir, &cfg)?);
            }
            let opened = datadir::open(&dir, cfg.key_dir.as_deref(), None).map_err(|e| e.to_string())?;
            serve(opened, &cfg, Some(logins))
        }
        Cmd::Config { command: ConfigCmd::Check { data, database, listen } } => {
            let cfg = resolve_db(&globals, data, database, listen)?;
            config::check_listen(&cfg).map_err(|e| e.to_string())?;
            if let Some(dir) = &cfg.data {
                datadir::open_store(dir, cfg.database.as_deref()).map_err(|e| e.to_string())?;
                datadir::read_key(dir, cfg.key_dir.as_deref()).map_err(|e| e.to_string())?;
            }
            for url in &cfg.witness_urls {
                println!("  witness: {url}");
            }
            for url in &cfg.notifications.webhook_urls {
                println!("  webhook: {url}");
            }
            if let Some(smtp) = &cfg.notifications.smtp_server {
                println!("  smtp:    {smtp} -> {}", cfg.notifications.email_to.join(", "));
            }
            println!("configuration is valid");
            println!("  data:   {}", cfg.data.as_deref().map_or("(not set)".into(), |d| d.display().to_string()));
            println!("  listen: {}", cfg.listen);
            println!("  log:    {}", cfg.log);
            Ok(())
        }
        Cmd::Verify { record: Some(file), url, bundle, key, witnesses, .. } => {
            let source = match (&bundle, &url) {
                (Some(b), _) => records::Source::Bundle(b),
                (None, Some(u)) => records::Source::Url(u),
                (None, None) => {
                    return Err("--record needs the log: --bundle FILE (from `coldset export`) or --url URL".into())
                }
            };
            let message = records::verify_record(&file, key.as_deref().unwrap_or_default(), &witnesses, source)?;
            println!("{message}");
            Ok(())
        }
        Cmd::Report { kind, data, database, production, day, from, to, incident, seq, format, paper, out } => {
            let cfg = resolve_db(&globals, data, database, None)?;
            let params = coldset_app::records::Params::parse(|name| match name {
                "day" => day.clone(),
                "from" => from.clone(),
                "to" => to.clone(),
                "incident" => incident.map(|n| n.to_string()),
                "seq" => seq.map(|n| n.to_string()),
                _ => None,
            })
            .map_err(|e| e.to_string())?;
            let base = cfg.public_url.clone().unwrap_or_default();
            let message = records::report(
                &need_data(&cfg)?,
                cfg.key_dir.as_deref(),
                cfg.database.as_deref(),
                &production,
                &kind,
                &params,
                format,
                coldset_print::Paper::parse(&paper).ok_or_else(|| format!("--paper {paper}: choose a4 or letter"))?,
                &base,
                &out,
            )?;
            println!("{message}");
            Ok(())
        }
        Cmd::Verify { data, database, bundle, key, trust_data_dir_key, witnesses, quorum, record: None, url: _ } => {
            let report = match bundle {
                Some(file) => {
                    let policy = audit::WitnessPolicy::parse(&witnesses, quorum)?;
                    audit::verify_bundle(&file, key.as_deref(), policy.as_ref())?
                }
                None => {
                    let cfg = resolve_db(&globals, data, database, None)?;
                    let trust = audit::Trust {
                        pinned: key.as_deref(),
                        key_dir: cfg.key_dir.as_deref(),
                        data_dir_key: trust_data_dir_key,
                    };
                    audit::verify_data_dir(&need_data(&cfg)?, cfg.database.as_deref(), &trust)?
                }
            };
            for line in &report.lines {
                println!("{line}");
            }
            println!(
                "verified: {} events in {:.3} s ({:.0} events/s, full checks)",
                report.events,
                report.seconds,
                report.events as f64 / report.seconds.max(1e-9)
            );
            Ok(())
        }
        Cmd::Export { data, database, production, out } => {
            let cfg = resolve_db(&globals, data, database, None)?;
            let n =
                audit::export(&need_data(&cfg)?, cfg.key_dir.as_deref(), cfg.database.as_deref(), &production, &out)?;
            println!("wrote {n} events of {production} to {}", out.display());
            Ok(())
        }
        Cmd::Move { data, to } => {
            let cfg = resolve(&globals, data, None)?;
            let dir = need_data(&cfg)?;
            let moved = moving::move_to_postgres(&dir, cfg.key_dir.as_deref(), &to).map_err(|e| e.to_string())?;
            for line in &moved.report {
                println!("{line}");
            }
            for (production, events) in &moved.productions {
                println!("  moved {production}: {events} events");
            }
            println!(
                "Moved {} productions and {} accounts to PostgreSQL, and verified the copy. Serve it with \
                 `coldset serve --data {} --database URL`; the SQLite database stays in the data directory, marked \
                 as moved ({}), and is no longer opened.",
                moved.productions.len(),
                moved.accounts,
                dir.display(),
                moving::MOVED_FILE
            );
            Ok(())
        }
        Cmd::Key { command: KeyCmd::Rotate { data, database } } => {
            let cfg = resolve_db(&globals, data, database, None)?;
            let dir = need_data(&cfg)?;
            let rotated =
                datadir::rotate(&dir, cfg.key_dir.as_deref(), cfg.database.as_deref()).map_err(|e| e.to_string())?;
            for (production, size) in &rotated.heads {
                println!("  {production}: handed over at {size} events");
            }
            println!("Rotated the ledger key: {} -> {}", rotated.old, rotated.new);
            println!("New signing key: {}", rotated.key_file.display());
            println!(
                "The statement (signed by both keys) is in {} of the key directory and the data directory; give the \
                 new verifier key to auditors and to the witnesses that cosign (witness-serve --log-key). The old \
                 key signs nothing from now on: keep it offline or destroy it.",
                datadir::ROTATIONS_FILE
            );
            println!("Ledger verifier key (give this to auditors): {}", rotated.new);
            Ok(())
        }
        Cmd::Witness { url, state, key } => match witness::run(&url, &state, key.as_deref()) {
            Ok(message) => {
                println!("witness: {message}");
                Ok(())
            }
            Err(witness::WitnessError::Alarm(m)) => Err(format!("ALARM: {m}")),
            Err(witness::WitnessError::Error(m)) => Err(m),
        },
        Cmd::WitnessServe { state, name, log_keys, listen } => {
            init_logging("info");
            let key = witness::cosigner_key(&state, &name)?;
            let logs = log_keys
                .iter()
                .map(|k| coldset_ledger::VerifierKey::parse(k.trim()).map_err(|e| format!("--log-key {k}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            let verifier = key.verifier();
            let router = witness::WitnessServer::new(key, logs, &state).router();
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the async runtime: {e}"))?;
            runtime.block_on(listener::serve(router, listen, None, listener::Limits::default(), |addr| {
                println!("witness key: {verifier}");
                println!("coldset witness listening on http://{addr}/ (submission prefix for [[witnesses]] url)");
            }))
        }
        Cmd::Backup { data, out, passphrase_file, keep } => {
            let cfg = resolve(&globals, data, None)?;
            if cfg.database.is_some() {
                return Err("coldset backup copies the embedded SQLite store; back up PostgreSQL with pg_dump or a \
                            base backup (docs/operations.md)"
                    .into());
            }
            let dir = need_data(&cfg)?;
            let passphrase = read_passphrase(passphrase_file.as_deref())?;
            let keys = datadir::key_dir(&dir, cfg.key_dir.as_deref());
            let written = backup::backup(&dir, &keys, &out, passphrase.as_deref(), keep)?;
            println!("backed up {} events to {}", written.events, written.file.display());
            if passphrase.is_none() {
                println!(
                    "note: the backup holds the ledger signing key unsealed: keep it as safe as the key directory, or \
                     use --passphrase-file"
                );
            }
            for old in written.removed {
                println!("removed the older backup {}", old.display());
            }
            Ok(())
        }
        Cmd::Restore { from, data, passphrase_file, newer_than, accept_older } => {
            let cfg = resolve(&globals, data, None)?;
            let dir = need_data(&cfg)?;
            let passphrase = read_passphrase(passphrase_file.as_deref())?;
            let keys = datadir::key_dir(&dir, cfg.key_dir.as_deref());
            let restored = backup::restore(&from, &dir, &keys, passphrase.as_deref(), &newer_than, accept_older)?;
            for line in &restored.report {
                println!("{line}");
            }
            println!(
                "restored {} events into {} (keys in {}); the whole ledger verified",
                restored.events,
                dir.display(),
                keys.display()
            );
            Ok(())
        }
        Cmd::Cert { data, hosts, ips } => {
            let cfg = resolve(&globals, data, None)?;
            let dir = need_data(&cfg)?;
            let installation = datadir::installation(&dir).map_err(|e| e.to_string())?;
            let keys = datadir::key_dir(&dir, cfg.key_dir.as_deref());
            let names = cert::default_names(&hosts, &ips);
            let made = cert::make(&keys, &installation, &names)?;
            if made.new_ca {
                println!("Made the set's certificate authority: {}", made.ca.display());
            } else {
                println!(
                    "Kept the set's certificate authority: {} (phones that trust it need nothing new)",
                    made.ca.display()
                );
            }
            if let Some(fp) = std::fs::read_to_string(&made.ca).ok().as_deref().and_then(coldset_web::ca_fingerprint) {
                println!("The authority's fingerprint (SHA-256), as phones and the /ca page show it: {fp}");
            }
            println!("HTTPS certificate for {}: {}", made.names.join(", "), made.cert.display());
            println!(
                "Serve it with `coldset serve --https --listen 0.0.0.0:8443 --public-url https://NAME:8443`; each \
                 phone installs the authority once from https://NAME:8443/ca"
            );
            Ok(())
        }
        Cmd::Proof { command } => proof(&globals, command),
        Cmd::Account { command: AccountCmd::Add { data, database, name, admin, production, person } } => {
            let cfg = resolve_db(&globals, data, database, None)?;
            let store = datadir::open_store(&need_data(&cfg)?, cfg.database.as_deref()).map_err(|e| e.to_string())?;
            let link = match (production, person) {
                (Some(p), Some(person)) => Some((
                    coldset_domain::ids::ProductionId::parse(&p).map_err(|e| e.to_string())?,
                    coldset_domain::ids::PersonId::parse(&person).map_err(|e| e.to_string())?,
                )),
                _ => None,
            };
            let password = datadir::add_account(store.as_ref(), &name, admin, link).map_err(|e| e.to_string())?;
            println!("Account {name} created; password: {password}");
            Ok(())
        }
        Cmd::Account { command: AccountCmd::Reset { data, database, name } } => {
            let cfg = resolve_db(&globals, data, database, None)?;
            let store = datadir::open_store(&need_data(&cfg)?, cfg.database.as_deref()).map_err(|e| e.to_string())?;
            let password = datadir::reset_account(store.as_ref(), &name).map_err(|e| e.to_string())?;
            println!(
                "Account {name} reset; password: {password}\nIts tokens and sessions are ended and its one-time code \
                 removed: it signs in with this password and sets the code up again."
            );
            Ok(())
        }
        Cmd::Token { command: TokenCmd::Create { data, database, account, scopes, expires_in_days } } => {
            let cfg = resolve_db(&globals, data, database, None)?;
            let store = datadir::open_store(&need_data(&cfg)?, cfg.database.as_deref()).map_err(|e| e.to_string())?;
            let now = coldset_app::Clock::now(&coldset_app::SystemClock);
            let expires = expires_in_days.map(|d| coldset_domain::Timestamp(now.0 + i64::from(d) * 86_400_000));
            let scopes: Vec<&str> = scopes.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
            let token = coldset_app::access::create_token(store.as_ref(), &account, &scopes, now, expires)
                .map_err(|e| e.to_string())?;
            println!("{token}");
            Ok(())
        }
        Cmd::Bench { command } => run_bench(&globals, command),
        Cmd::Openapi => {
            println!("{:#}", coldset_web::openapi::document());
            Ok(())
        }
    }
}

fn open_store(globals: &Globals, data: Option<PathBuf>) -> Result<std::sync::Arc<dyn coldset_app::Store>, String> {
    let cfg = resolve(globals, data, None)?;
    datadir::open_store(&need_data(&cfg)?, cfg.database.as_deref()).map_err(|e| e.to_string())
}

fn proof(globals: &Globals, command: ProofCmd) -> Result<(), String> {
    let parse = |p: &str| coldset_domain::ids::ProductionId::parse(p).map_err(|e| e.to_string());
    let json = match command {
        ProofCmd::Inclusion { data, production, seq, size } => {
            let store = open_store(globals, data)?;
            let p = parse(&production)?;
            let size = match size {
                Some(s) => s,
                None => store.latest_checkpoint(&p).map_err(|e| e.to_string())?.map(|c| c.size).unwrap_or(0),
            };
            let proof =
                coldset_app::ledger::inclusion_proof(store.as_ref(), &p, seq, size).map_err(|e| e.to_string())?;
            serde_json::json!({
                "leaf_index": proof.leaf_index,
                "tree_size": proof.tree_size,
                "leaf_hash": hex::encode(proof.leaf_hash),
                "root": hex::encode(proof.root),
                "path": proof.path.iter().map(hex::encode).collect::<Vec<_>>(),
            })
        }
        ProofCmd::Consistency { data, production, from, to } => {
            let store = open_store(globals, data)?;
            let proof = coldset_app::ledger::consistency_proof(store.as_ref(), &parse(&production)?, from, to)
                .map_err(|e| e.to_string())?;
            serde_json::json!({
                "old_size": proof.old_size,
                "new_size": proof.new_size,
                "old_root": hex::encode(proof.old_root),
                "new_root": hex::encode(proof.new_root),
                "path": proof.path.iter().map(hex::encode).collect::<Vec<_>>(),
            })
        }
    };
    println!("{json:#}");
    Ok(())
}

fn run_bench(globals: &Globals, command: BenchCmd) -> Result<(), String> {
    let key_dir = globals.key_dir.as_deref();
    match command {
        BenchCmd::Append { data, writers, events, print_acks, no_baseline } => {
            if writers == 0 || events < writers as u64 {
                return Err("need at least one writer and at least one event per writer".into());
            }
            let opened = open_bench_data(&data, key_dir)?;
            let f = bench::append(&opened.app, writers, events, print_acks)?;
            let rate = f.events as f64 / f.seconds;
            eprintln!(
                "ledger append: {writers} writers, {} events in {:.2} s = {rate:.0} events/s; latency p50 {:?} p99 {:?}; {}",
                f.events,
                f.seconds,
                f.p50,
                f.p99,
                bench::rss()
            );
            if !no_baseline {
                let row = opened
                    .app
                    .event(
                        &coldset_domain::ids::ProductionId::parse(bench::BENCH_PRODUCTION)
                            .map_err(|e| e.to_string())?,
                        0,
                    )
                    .ok()
                    .flatten()
                    .map_or(200, |e| e.bytes.len());
                let b = bench::baseline(&data, writers, events, row)?;
                let brate = b.events as f64 / b.seconds;
                eprintln!(
                    "plain durable SQLite insert ({row}-byte rows, one transaction each): {writers} writers, {} rows in {:.2} s = {brate:.0} rows/s; latency p50 {:?} p99 {:?}",
                    b.events, b.seconds, b.p50, b.p99
                );
                eprintln!("ledger / plain throughput ratio: {:.2} (cost factor {:.2}x)", rate / brate, brate / rate);
            }
            Ok(())
        }
        BenchCmd::Ledger { data, production, samples } => {
            let store = coldset_store_sqlite::SqliteStore::open(&data).map_err(|e| e.to_string())?;
            let p = coldset_domain::ids::ProductionId::parse(&production).map_err(|e| e.to_string())?;
            println!("{}", bench::hash_rate(&store, &p)?);
            println!("{}", bench::proofs(&store, &p, samples)?);
            println!("{}", bench::rss());
            Ok(())
        }
        BenchCmd::Records { data, firearms, build, kinds, samples } => {
            let p = coldset_domain::ids::ProductionId::parse(bench::GATE_PRODUCTION).map_err(|e| e.to_string())?;
            if build > 0 {
                let opened = open_bench_data(&data, key_dir)?;
                let n = bench::records_build(&opened.app, firearms, build)?;
                // The records are made from a signed checkpoint: wait for the one of the head.
                for _ in 0..100 {
                    if opened.app.latest_checkpoint(&p).map_err(|e| e.to_string())?.is_some_and(|c| c.size >= n) {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                println!("the log holds {n} events; {}", bench::rss());
                return Ok(());
            }
            let store = coldset_store_sqlite::SqliteStore::open(&data).map_err(|e| e.to_string())?;
            let kinds = if kinds.is_empty() {
                vec!["daily-log".to_owned(), "weapon-register".into(), "ammunition-register".into()]
            } else {
                kinds
            };
            for kind in kinds {
                let k = coldset_app::records::RecordKind::parse(&kind).ok_or(format!("no record '{kind}'"))?;
                let mut params = coldset_app::records::Params::default();
                if k == coldset_app::records::RecordKind::DailyLog {
                    params.day = Some(bench::records_day(&store, &p)?);
                }
                bench::records_time(&store, &p, k, &params, samples)?;
            }
            Ok(())
        }
        BenchCmd::Gate { data, firearms, performers, events, samples, out } => {
            if !data.join(coldset_store_sqlite::DB_FILE).exists() {
                datadir::init(&data, key_dir, None, "bench", "coldset.bench").map_err(|e| e.to_string())?;
            }
            let opened = datadir::open(&data, key_dir, None).map_err(|e| e.to_string())?;
            // As `serve` runs: checkpoints signed in the background (idle while nothing grows).
            let sinks = sinks::file_sinks(&opened.checkpoint_copies());
            opened
                .app
                .enable_checkpoints(opened.key.clone(), sinks, std::time::Duration::from_secs(1))
                .map_err(|e| e.to_string())?;
            bench::gate(&opened.app, firearms, performers, events, samples)?;
            bench::take_out(&opened.app, firearms, performers, out)
        }
        BenchCmd::Pdf { firearms, rows, samples, out } => {
            for line in bench::pdf(firearms, rows, samples.max(1), out.as_deref())? {
                println!("{line}");
            }
            Ok(())
        }
    }
}

/// A benchmark's data directory (made the first time), open, signing checkpoints every second.
fn open_bench_data(data: &Path, key_dir: Option<&Path>) -> Result<datadir::Opened, String> {
    if !data.join(coldset_store_sqlite::DB_FILE).exists() {
        datadir::init(data, key_dir, None, "bench", "coldset.bench").map_err(|e| e.to_string())?;
    }
    let opened = datadir::open(data, key_dir, None).map_err(|e| e.to_string())?;
    let sinks = sinks::file_sinks(&opened.checkpoint_copies());
    opened
        .app
        .enable_checkpoints(opened.key.clone(), sinks, std::time::Duration::from_secs(1))
        .map_err(|e| e.to_string())?;
    Ok(opened)
}

const DEMO_LOGINS_FILE: &str = "demo-logins.txt";
/// The demo performers' confirmation PIN (printed with the logins).
const DEMO_PIN: &str = "2468";

/// Seeds the demo the first time; afterwards reuses what is there. Returns the text to
/// print about logins.
fn prepare_demo(dir: &Path, key_dir: Option<&Path>) -> Result<String, String> {
    let db = dir.join(coldset_store_sqlite::DB_FILE);
    if db.exists() {
        let logins = std::fs::read_to_string(dir.join(DEMO_LOGINS_FILE)).unwrap_or_default();
        println!("Using the existing demo data in {} (not seeding again).", dir.display());
        return Ok(logins);
    }
    let made = datadir::init(dir, key_dir, None, "admin", "coldset.demo").map_err(|e| e.to_string())?;
    let opened = datadir::open(dir, key_dir, None).map_err(|e| e.to_string())?;
    demo::seed(&opened.app, &made.admin).map_err(|e| format!("seeding the demo failed: {e}"))?;
    let mut logins = format!("  administrator: {} / {}\n", made.admin, made.password);
    let production = coldset_domain::ids::ProductionId::parse(demo::DEMO_PRODUCTION).map_err(|e| e.to_string())?;
    for (i, p) in demo::PEOPLE.iter().enumerate() {
        let roles: Vec<&str> = p.roles.iter().map(|r| r.as_str()).collect();
        let login = p.name.split(' ').next().unwrap_or(p.name).to_lowercase();
        let person = coldset_domain::ids::PersonId::numbered(i as u64 + 1);
        let password = opened
            .app
            .create_account(&login, false, &[(production.clone(), person.clone())])
            .map_err(|e| e.to_string())?;
        // People confirm in person on the armorer's phone with a PIN (a performer receiving
        // a firearm, the 1st AD seeing the demonstration); the demo sets one for everyone.
        opened.app.set_pin(&production, &person, DEMO_PIN).map_err(|e| e.to_string())?;
        logins.push_str(&format!("  {login} / {password}   ({}, {})\n", p.name, roles.join(", ")));
    }
    logins.push_str(&format!("  everyone confirms in person on the armorer's phone with PIN {DEMO_PIN}\n"));
    // Passwords: readable by the owner only.
    datadir::write_private(&dir.join(DEMO_LOGINS_FILE), logins.as_bytes()).map_err(|e| e.to_string())?;
    println!("Seeded the demo production '{}' in {}.", demo::DEMO_PRODUCTION, dir.display());
    Ok(logins)
}

/// A passphrase from its file (its first line).
fn read_passphrase(file: Option<&Path>) -> Result<Option<String>, String> {
    let Some(file) = file else { return Ok(None) };
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let line = text.lines().next().unwrap_or_default().to_owned();
    if line.chars().count() < 8 {
        return Err(format!("the passphrase in {} is shorter than 8 characters", file.display()));
    }
    Ok(Some(line))
}

/// The certificate and key `coldset cert` made in the key directory (made now if missing).
fn generated_tls(dir: &Path, cfg: &Config) -> Result<(PathBuf, PathBuf), String> {
    let installation = datadir::installation(dir).map_err(|e| e.to_string())?;
    cert::ensure(&datadir::key_dir(dir, cfg.key_dir.as_deref()), &installation)
}

/// Starts checkpointing (every second, with a copy in the data directory, one in the key
/// directory and one to each witness URL), then serves HTTP or HTTPS within the connection
/// limits until SIGTERM or Ctrl-C, and signs a last checkpoint once requests have finished.
fn serve(opened: datadir::Opened, cfg: &Config, demo_logins: Option<String>) -> Result<(), String> {
    let listen = cfg.listen;
    if opened.key_inside_data {
        tracing::warn!(
            data = %opened.dir.display(),
            "the ledger signing key is inside the data directory ({}): anyone with a copy of the directory can \
             re-sign a rewritten log. Move it to the key directory {} as described in docs/ledger.md",
            datadir::KEY_FILE,
            opened.key_dir.display()
        );
    }
    let mut sinks = sinks::file_sinks(&opened.checkpoint_copies());
    let agent = delivery::agent(cfg.notifications.ca_file.as_deref(), std::time::Duration::from_secs(5))?;
    for url in &cfg.witness_urls {
        sinks.push(Box::new(sinks::UrlSink::new(url.clone(), agent.clone())));
    }
    for (url, key) in &cfg.witnesses {
        sinks.push(Box::new(sinks::CosigningSink::new(
            url,
            key.clone(),
            opened.app.clone(),
            opened.cosignature_copies(),
            agent.clone(),
            opened.app.metrics(),
        )));
    }
    opened
        .app
        .set_cosignature_source(std::sync::Arc::new(sinks::FileCosignatures::new(opened.cosignature_copies())))
        .map_err(|e| e.to_string())?;
    let checkpointer = opened
        .app
        .enable_checkpoints(opened.key.clone(), sinks, std::time::Duration::from_secs(1))
        .map_err(|e| format!("cannot start checkpointing: {e}"))?;
    checkpointer.set_key_rotations(opened.rotations.clone()).map_err(|e| format!("the key rotations: {e}"))?;
    if cfg.notifications.enabled() {
        let n = &cfg.notifications;
        let targets = coldset_app::notify::Targets {
            webhooks: n.webhook_urls.clone(),
            email_to: n.email_to.clone(),
            email: n.smtp_server.is_some(),
        };
        let deliverer = delivery::Deliverer::new(n.webhook_secret.clone(), n.smtp.as_ref(), n.ca_file.as_deref())?;
        opened
            .app
            .enable_notifications(targets, Box::new(deliverer), std::time::Duration::from_millis(500))
            .map_err(|e| format!("cannot start notifications: {e}"))?;
    }
    if let Some(backups) = cfg.backups.clone() {
        if cfg.database.is_some() {
            tracing::warn!("backup_dir is set, but the store is PostgreSQL: back it up with pg_dump or base backups");
        } else {
            let (dir, keys) = (opened.dir.clone(), opened.key_dir.clone());
            std::thread::Builder::new()
                .name("coldset-backup".into())
                // One at start (the state before the day's work), then one every period.
                .spawn(move || loop {
                    if !backups.dir.is_dir() {
                        tracing::error!(dir = %backups.dir.display(), "no backup written: the backup directory is not there (is the disk mounted?)");
                    } else {
                        match backup::backup(&dir, &keys, &backups.dir, backups.passphrase.as_deref(), Some(backups.keep)) {
                            Ok(w) => tracing::info!(file = %w.file.display(), events = w.events, "backup written"),
                            Err(e) => tracing::error!(error = %e, "the automatic backup failed"),
                        }
                    }
                    std::thread::sleep(backups.every);
                })
                .map_err(|e| format!("cannot start the backup thread: {e}"))?;
        }
    }
    // Deadlines and escalations follow the clock, not requests.
    let tick_app = opened.app.clone();
    std::thread::Builder::new()
        .name("coldset-clock".into())
        .spawn(move || loop {
            std::thread::sleep(std::time::Duration::from_secs(30));
            if let Err(e) = tick_app.tick() {
                tracing::warn!(error = %e, "clock tick failed");
            }
        })
        .map_err(|e| format!("cannot start the clock thread: {e}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let tls = cfg.tls.clone();
    let app = opened.app.clone();
    // The set's authority, offered at /ca, when the certificate is the generated one.
    let ca_pem = tls
        .as_ref()
        .filter(|(c, _)| c.starts_with(cert::tls_dir(&opened.key_dir)))
        .and_then(|_| std::fs::read_to_string(cert::tls_dir(&opened.key_dir).join(cert::CA_CERT)).ok());
    // Read by every request for the life of the process: leaked once, so `Options` stays `Copy`.
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let public_url = cfg.public_url.clone().map(leak);
    let ca_pem = ca_pem.map(leak);
    let served = runtime.block_on(async move {
        let options = coldset_web::Options { tls: tls.is_some(), public_url, ca_pem };
        let router = coldset_web::router_behind(app, options, cfg.trusted_proxies.clone());
        let tls_config = match &tls {
            Some((cert, key)) => {
                // One crypto provider for the process, chosen here rather than by feature unification.
                let _ = rustls::crypto::ring::default_provider().install_default();
                Some(axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await.map_err(|e| {
                    format!("cannot use the TLS certificate {} and key {}: {e}", cert.display(), key.display())
                })?)
            }
            None => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        listener::serve(router, listen, tls_config, cfg.limits, |addr| {
            // Notes first: the "listening" line is the last one scripts wait for.
            match public_url {
                Some(url) if coldset_web::is_loopback_url(url) => println!(
                    "warning: public_url {url} is this computer only: links, QR codes and labels will not open on \
                     phones; set it to the address phones use (coldset cert prints the names)"
                ),
                Some(url) => println!("Links, QR codes and labels point to {url}"),
                None if !listen.ip().is_loopback() => println!(
                    "note: no public_url: links and QR codes use the address each browser typed; set public_url so \
                     printed labels open on every phone"
                ),
                None => {}
            }
            if ca_pem.is_some() {
                println!("Phones: install the set's certificate authority once from {scheme}://<this computer>/ca");
            }
            println!("coldset listening on {scheme}://{addr}/");
            if let Some(logins) = &demo_logins {
                println!("Demo production: {scheme}://{addr}/p/{}", demo::DEMO_PRODUCTION);
                println!(
                    "Start with maria (the armorer) at {scheme}://{addr}/p/{p}/today, dana (1st AD) at \
                     {scheme}://{addr}/p/{p}/board, ruth (safety advisor) at {scheme}://{addr}/p/{p}/oversight; crew \
                     report without an account at {scheme}://{addr}/p/{p}/report. Passkeys need a host name: use \
                     {scheme}://localhost:PORT for them.",
                    p = demo::DEMO_PRODUCTION
                );
                println!(
                    "Sign in at {scheme}://{addr}/login with one of these (API tokens: coldset token create --data DIR \
                     --account NAME):"
                );
                print!("{logins}");
            }
        })
        .await
    });
    // A clean stop signs the last events, so they are not left unsigned until the next start.
    if let Some(checkpointer) = opened.app.checkpointer() {
        match checkpointer.sign_new_heads() {
            Ok(signed) if !signed.is_empty() => tracing::info!(checkpoints = signed.len(), "signed at shutdown"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "signing the last checkpoint at shutdown failed"),
        }
    }
    drop(opened.lock);
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
