//! The `coldset` binary: command-line interface, configuration and start-up wiring. All
//! domain work happens in the libraries; this file only parses, wires and reports.

mod config;
mod datadir;
mod demo;

use clap::{Parser, Subcommand};
use config::{Config, Flags};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "coldset",
    version,
    about = "Chain of custody for firearms and ammunition on film and TV sets"
)]
struct Cli {
    /// Configuration file (TOML). Also COLDSET_CONFIG.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Create a new data directory: database, first administrator, ledger signing key.
    Init {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Name of the first administrator account.
        #[arg(long, default_value = "admin")]
        admin: String,
        /// Name of this installation (names its ledger key and checkpoints).
        #[arg(long, default_value = "coldset.local")]
        installation: String,
    },
    /// Serve an initialised data directory over HTTP.
    Serve {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Seed a demo production in a new directory (once), then serve it.
    Demo {
        #[arg(long, value_name = "DIR", default_value = "coldset-demo")]
        data: PathBuf,
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Configuration commands.
    Config {
        #[command(subcommand)]
        command: ConfigCmd,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCmd {
    /// Validate the configuration (file, environment, flags) without starting anything.
    Check {
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("coldset: {message}");
            ExitCode::FAILURE
        }
    }
}

fn resolve(
    config: &Option<PathBuf>,
    data: Option<PathBuf>,
    listen: Option<String>,
) -> Result<Config, String> {
    let flags = Flags {
        config: config.clone(),
        data,
        listen,
    };
    config::resolve(&flags, &|k| std::env::var(k).ok()).map_err(|e| e.to_string())
}

fn need_data(cfg: &Config) -> Result<PathBuf, String> {
    cfg.data.clone().ok_or_else(|| {
        "no data directory: give --data DIR (or COLDSET_DATA, or `data` in the config file)"
            .to_owned()
    })
}

fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(format!("{level},tower_http=warn"))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Cmd::Init {
            data,
            admin,
            installation,
        } => {
            let cfg = resolve(&cli.config, data, None)?;
            let dir = need_data(&cfg)?;
            let made = datadir::init(&dir, &admin, &installation).map_err(|e| e.to_string())?;
            println!("Initialised {}", dir.display());
            println!(
                "Administrator account: {}  password: {}",
                made.admin, made.password
            );
            println!("(the password is shown once; store it now)");
            println!(
                "Ledger verifier key (give this to auditors): {}",
                made.verifier_key
            );
            Ok(())
        }
        Cmd::Serve { data, listen } => {
            let cfg = resolve(&cli.config, data, listen)?;
            init_logging(&cfg.log);
            let dir = need_data(&cfg)?;
            config::require_loopback(&cfg.listen).map_err(|e| e.to_string())?;
            let opened = datadir::open(&dir).map_err(|e| e.to_string())?;
            serve(opened, cfg.listen, None)
        }
        Cmd::Demo { data, listen } => {
            let cfg = resolve(&cli.config, Some(data), listen)?;
            init_logging(&cfg.log);
            let dir = need_data(&cfg)?;
            config::require_loopback(&cfg.listen).map_err(|e| e.to_string())?;
            let logins = prepare_demo(&dir)?;
            let opened = datadir::open(&dir).map_err(|e| e.to_string())?;
            serve(opened, cfg.listen, Some(logins))
        }
        Cmd::Config {
            command: ConfigCmd::Check { data, listen },
        } => {
            let cfg = resolve(&cli.config, data, listen)?;
            config::require_loopback(&cfg.listen).map_err(|e| e.to_string())?;
            if let Some(dir) = &cfg.data {
                coldset_store_sqlite::SqliteStore::open(dir).map_err(|e| e.to_string())?;
                datadir::read_key(dir).map_err(|e| e.to_string())?;
            }
            println!("configuration is valid");
            println!(
                "  data:   {}",
                cfg.data
                    .as_deref()
                    .map_or("(not set)".into(), |d| d.display().to_string())
            );
            println!("  listen: {}", cfg.listen);
            println!("  log:    {}", cfg.log);
            Ok(())
        }
    }
}

const DEMO_LOGINS_FILE: &str = "demo-logins.txt";

/// Seeds the demo the first time; afterwards reuses what is there. Returns the text to
/// print about logins.
fn prepare_demo(dir: &Path) -> Result<String, String> {
    let db = dir.join(coldset_store_sqlite::DB_FILE);
    if db.exists() {
        let logins = std::fs::read_to_string(dir.join(DEMO_LOGINS_FILE)).unwrap_or_default();
        println!(
            "Using the existing demo data in {} (not seeding again).",
            dir.display()
        );
        return Ok(logins);
    }
    let made = datadir::init(dir, "admin", "coldset.demo").map_err(|e| e.to_string())?;
    let opened = datadir::open(dir).map_err(|e| e.to_string())?;
    demo::seed(&opened.app, &made.admin).map_err(|e| format!("seeding the demo failed: {e}"))?;
    let mut logins = format!(
        "  administrator: {} / {}\n  people on the demo production:\n",
        made.admin, made.password
    );
    for p in demo::PEOPLE {
        let roles: Vec<&str> = p.roles.iter().map(|r| r.as_str()).collect();
        logins.push_str(&format!("    {} ({})\n", p.name, roles.join(", ")));
    }
    std::fs::write(dir.join(DEMO_LOGINS_FILE), &logins).map_err(|e| e.to_string())?;
    println!(
        "Seeded the demo production '{}' in {}.",
        demo::DEMO_PRODUCTION,
        dir.display()
    );
    Ok(logins)
}

fn serve(
    opened: datadir::Opened,
    listen: SocketAddr,
    demo_logins: Option<String>,
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("coldset listening on http://{addr}/");
        if let Some(logins) = demo_logins {
            println!("Demo production: http://{addr}/p/{}", demo::DEMO_PRODUCTION);
            println!(
                "Demo logins (sign-in pages arrive with accounts; pages are read-only until then):"
            );
            print!("{logins}");
        }
        let router = coldset_web::router(opened.app.clone());
        let _keep = (opened.lock, opened.key);
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| format!("server error: {e}"))
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
