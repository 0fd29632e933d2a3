//! The `gongzhi` binary: one program for serving, the demo, set-up, export/import, verification
//! and benchmarks.

/// glibc's malloc contends across the runtime's threads under load; mimalloc keeps a heap per
/// thread (measured on the needs ledger: BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod config;
mod demo;
mod mailer;
mod pb;

use std::io::{BufReader, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use clap::{Parser, Subcommand};
use gongzhi_app::{App, AppError, Clock, ManualClock, SystemClock};
use gongzhi_store::dump::ExportMode;
use gongzhi_store::{Db, Open, StoreError};
use gongzhi_web::i18n::bilingual;

#[derive(Parser)]
#[command(
    name = "gongzhi",
    version,
    about = "共治 Gongzhi — community governance: councils, notices, funds, services, and a public record"
)]
struct Cli {
    /// Database URL: sqlite://FILE (default sqlite://gongzhi.db) or postgres://USER@HOST/DB
    #[arg(long, global = true, env = "GONGZHI_DATABASE")]
    database: Option<String>,
    /// Configuration file (TOML); `gongzhi config example` prints one
    #[arg(long, global = true)]
    config: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server on an initialised database (migrates on start-up)
    Serve {
        #[arg(long)]
        addr: Option<String>,
    },
    /// Run the server with the demo community (creates and seeds a missing database)
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// `manual` lets an administrator move the clock forward (POST /api/v1/admin/clock)
        #[arg(long, default_value = "system")]
        clock: String,
    },
    /// Apply pending migrations
    Migrate,
    /// Set up an empty database: the city and the first administrator
    Init {
        #[arg(long)]
        city_code: String,
        #[arg(long)]
        city_name: String,
        #[arg(long, default_value = "")]
        city_name_en: String,
        #[arg(long)]
        admin_username: String,
        #[arg(long, default_value = "管理员")]
        admin_name: String,
        /// The administrator's password (or set GONGZHI_ADMIN_PASSWORD)
        #[arg(long, env = "GONGZHI_ADMIN_PASSWORD")]
        admin_password: String,
    },
    /// Export the database to standard output or a file
    Export {
        /// `jsonl` (full backup), `jsonl-auditor` (personal data hashed, no salts), the fund
        /// ledger as a `beancount` or `hledger` journal (checked by bean-check / hledger check),
        /// `ocds`: every call and contract as one Open Contracting 1.1 release package, or
        /// `ocds-records`: one record package (each process's releases and its compiled release)
        format: String,
        #[arg(long)]
        out: Option<String>,
        /// OCDS only: the registered ocid prefix (`ocds-` and six characters)
        #[arg(long, default_value = "ocds-gzdemo")]
        ocid_prefix: String,
        /// OCDS only: the publisher's name
        #[arg(long, default_value = "成都市民政局")]
        publisher: String,
    },
    /// Import a full JSONL export into an empty database
    Import {
        /// The export file
        input: String,
    },
    /// Fund-ledger tools
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Audit-log tools
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Benchmarks (never part of the test suite); results go to BENCHMARKS.md
    Bench {
        #[command(subcommand)]
        scenario: bench::Scenario,
    },
    /// Participatory budgeting: tally and rewrite Pabulib `.pb` files
    Pb {
        #[command(subcommand)]
        command: pb::PbCommand,
    },
    /// Configuration helpers
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every chain and compare every row with its last recorded image
    Verify {
        /// Verify an export file instead of the database
        #[arg(long)]
        input: Option<String>,
    },
    /// Record every community's chain head in the city chain now
    Anchor,
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Replay every transfer and compare with the stored balances and posted statements; exit 2
    /// on any difference
    Check,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print a commented configuration file with every default
    Example,
}

/// A failure the operator can act on, printed in Chinese and English.
struct Failure(String);

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        let (code, args) = match &e {
            StoreError::UnknownScheme(url) => {
                ("database_url_unknown_scheme", vec![("url", url.clone())])
            }
            StoreError::BadUrl(url, _) => ("database_url_malformed", vec![("url", url.clone())]),
            StoreError::Unreachable(url, _) => ("database_unreachable", vec![("url", url.clone())]),
            _ => return Failure(format!("{e}")),
        };
        Failure(format!("{}\n({e})", bilingual(code, &args)))
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Store(s) => s.into(),
            AppError::Invalid(d) => Failure(bilingual(d.code.0, &d.args)),
            AppError::Rows(rows) => Failure(
                rows.iter()
                    .map(|(line, d)| format!("row {line}: {}", bilingual(d.code.0, &d.args)))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            other => Failure(bilingual(other.code(), &[])),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure(format!("文件读写失败 / file error: {e}"))
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GONGZHI_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut cli = Cli::parse();
    // Counting a file needs neither the configuration nor a runtime; exporting a vote does.
    cli.command = match cli.command {
        Command::Pb { command } if !command.needs_database() => {
            return match pb::run(command) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("{message}");
                    ExitCode::from(2)
                }
            };
        }
        other => other,
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn open(url: &str, mode: Open) -> Result<Db, Failure> {
    let db = Db::connect(url, mode).await?;
    gongzhi_store::migrate::migrate(&db).await?;
    Ok(db)
}

async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let mut cfg = config::Config::load(cli.config.as_deref()).map_err(Failure)?;
    if let Some(db) = cli.database {
        cfg.database = db;
    }
    match cli.command {
        Command::Config {
            command: ConfigCommand::Example,
        } => {
            print!("{}", config::EXAMPLE);
        }
        Command::Migrate => {
            let db = Db::connect(&cfg.database, Open::CreateIfMissing).await?;
            let n = gongzhi_store::migrate::migrate(&db).await?;
            println!("已应用 {n} 个迁移 / applied {n} migration(s)");
        }
        Command::Init {
            city_code,
            city_name,
            city_name_en,
            admin_username,
            admin_name,
            admin_password,
        } => {
            let db = open(&cfg.database, Open::CreateIfMissing).await?;
            let app = App::new(db, Arc::new(SystemClock), cfg.app_settings());
            let name_en = if city_name_en.is_empty() {
                city_name.clone()
            } else {
                city_name_en
            };
            let (city, admin) = gongzhi_app::setup::init(
                &app,
                &gongzhi_app::setup::Init {
                    city_code: &city_code,
                    city_name_zh: &city_name,
                    city_name_en: &name_en,
                    admin_username: &admin_username,
                    admin_name: &admin_name,
                    admin_password: &admin_password,
                },
            )
            .await?;
            println!("已初始化 / initialised: city {city}, administrator {admin}");
        }
        Command::Serve { addr } => {
            let db = open(&cfg.database, Open::MustExist).await?;
            let app = App::new(db, Arc::new(SystemClock), cfg.app_settings());
            if gongzhi_app::places::jurisdictions(&app).await?.is_empty() {
                return Err(Failure(
                    "数据库尚未初始化，请先运行 `gongzhi init …`（或用 `gongzhi demo` 试用）\nThe database is not set up: run `gongzhi init …` first (or try `gongzhi demo`)".into(),
                ));
            }
            serve(app, &cfg, addr.as_deref().unwrap_or(&cfg.addr), None).await?;
        }
        Command::Demo { addr, clock } => {
            let clock: Arc<dyn Clock> = match clock.as_str() {
                "manual" => Arc::new(ManualClock::starting_at(SystemClock.now())),
                "system" => Arc::new(SystemClock),
                other => {
                    return Err(Failure(format!(
                        "时钟只能是 system 或 manual / --clock must be system or manual, not {other}"
                    )));
                }
            };
            let db = open(&cfg.database, Open::CreateIfMissing).await?;
            let app = App::new(db, clock, cfg.app_settings());
            let mut public = cfg.public_base_url.clone();
            if public == config::Config::default().public_base_url {
                public = format!("http://{addr}");
            }
            cfg.public_base_url = public;
            serve(app, &cfg, &addr, Some(demo::seed)).await?;
        }
        Command::Export {
            format,
            out,
            ocid_prefix,
            publisher,
        } => {
            let db = open(&cfg.database, Open::MustExist).await?;
            let package = match format.as_str() {
                "ocds" => Some(gongzhi_app::procurement::OcdsPackage::Releases),
                "ocds-records" => Some(gongzhi_app::procurement::OcdsPackage::Records),
                _ => None,
            };
            if let Some(package) = package {
                let app = App::new(db, Arc::new(SystemClock), cfg.app_settings());
                let s = write_out(out.as_deref(), async |w| {
                    Ok(gongzhi_app::procurement::export_ocds_package(
                        &app,
                        &ocid_prefix,
                        &publisher,
                        package,
                        w,
                    )
                    .await?)
                })
                .await?;
                eprintln!(
                    "已导出 {} 个采购过程、{} 条发布、{} 笔付款 / exported {} contracting processes, {} releases, {} payments",
                    s.processes,
                    s.releases,
                    s.transactions,
                    s.processes,
                    s.releases,
                    s.transactions
                );
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(journal) = gongzhi_domain::journal::JournalFormat::parse(&format) {
                let app = App::new(db, Arc::new(SystemClock), cfg.app_settings());
                let (accounts, transfers) = write_out(out.as_deref(), async |w| {
                    Ok(gongzhi_app::ledger::export_journal(&app, journal, w).await?)
                })
                .await?;
                eprintln!(
                    "已导出 {accounts} 个账户、{transfers} 笔转账 / exported {accounts} accounts, {transfers} transfers"
                );
                return Ok(ExitCode::SUCCESS);
            }
            let mode = match format.as_str() {
                "jsonl" => ExportMode::Full,
                "jsonl-auditor" => ExportMode::Auditor,
                other => {
                    return Err(Failure(format!(
                        "未知导出格式 / unknown export format {other}: use jsonl, jsonl-auditor, beancount, hledger, ocds or ocds-records"
                    )));
                }
            };
            let n = write_out(out.as_deref(), async |w| {
                Ok(gongzhi_store::dump::export(&db, mode, w).await?)
            })
            .await?;
            eprintln!("已导出 {n} 行 / exported {n} rows");
        }
        Command::Ledger {
            command: LedgerCommand::Check,
        } => {
            let db = open(&cfg.database, Open::MustExist).await?;
            let app = App::new(db, Arc::new(SystemClock), cfg.app_settings());
            let started = std::time::Instant::now();
            let report = gongzhi_app::ledger::check(&app).await?;
            println!(
                "accounts: {}, transfers: {}, statements: {} ({:.2}s)",
                report.accounts,
                report.transfers,
                report.statements,
                started.elapsed().as_secs_f64()
            );
            if report.problems.is_empty() {
                println!("账目一致 / ledger consistent");
            } else {
                println!("发现问题 / PROBLEMS FOUND: {}", report.problems.len());
                for p in report.problems.iter().take(50) {
                    println!("  {p}");
                }
                return Ok(ExitCode::from(2));
            }
        }
        Command::Import { input } => {
            let db = open(&cfg.database, Open::CreateIfMissing).await?;
            let mut reader = BufReader::new(std::fs::File::open(&input)?);
            let n = gongzhi_store::dump::import(&db, &mut reader).await?;
            db.refresh_statistics().await?;
            println!("已导入 {n} 行 / imported {n} rows");
        }
        Command::Audit {
            command: AuditCommand::Verify { input },
        } => {
            let report = match input {
                Some(path) => gongzhi_app::verify::verify_export(&mut BufReader::new(
                    std::fs::File::open(&path)?,
                ))?,
                None => {
                    let db = open(&cfg.database, Open::MustExist).await?;
                    gongzhi_app::verify::verify_database(&db).await?
                }
            };
            println!(
                "chains: {}, events: {}, rows: {}",
                report.chains, report.events, report.rows
            );
            if report.ok() {
                println!("审计链完整 / audit record intact");
            } else {
                println!("发现问题 / PROBLEMS FOUND: {}", report.problems.len());
                for p in &report.problems {
                    println!("  {p}");
                }
                return Ok(ExitCode::from(2));
            }
        }
        Command::Audit {
            command: AuditCommand::Anchor,
        } => {
            let db = open(&cfg.database, Open::MustExist).await?;
            let app = App::new(db, Arc::new(SystemClock), cfg.app_settings());
            let n = gongzhi_app::setup::anchor_heads(&app).await?;
            println!("已锚定 {n} 条链头 / anchored {n} chain heads");
        }
        Command::Pb { command } => {
            let db = open(&cfg.database, Open::MustExist).await?;
            let app = App::new(db, Arc::new(SystemClock), cfg.app_settings());
            let (voters, projects) = pb::export_vote(&app, command).await?;
            eprintln!(
                "已导出 {voters} 张选票、{projects} 个项目 / exported {voters} ballots on {projects} projects"
            );
        }
        Command::Bench { scenario } => bench::run(scenario, &cfg).await.map_err(Failure)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes an export to `path` (through a temporary file renamed at the end, so a failed export
/// never leaves half a file) or to standard output.
async fn write_out<T>(
    path: Option<&str>,
    write: impl AsyncFnOnce(&mut dyn Write) -> Result<T, Failure>,
) -> Result<T, Failure> {
    match path {
        Some(path) => {
            let tmp = format!("{path}.partial");
            let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            let result = write(&mut f).await;
            if result.is_err() {
                drop(f);
                let _ = std::fs::remove_file(&tmp);
                return result;
            }
            f.flush()?;
            drop(f);
            std::fs::rename(&tmp, path)?;
            result
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            let n = write(&mut lock).await?;
            lock.flush()?;
            Ok(n)
        }
    }
}

type Seeder =
    fn(App) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Failure>> + Send>>;

/// Binds, seeds (for the demo), marks ready, and serves until Ctrl-C. Anchors chain heads hourly.
async fn serve(
    app: App,
    cfg: &config::Config,
    addr: &str,
    seed: Option<Seeder>,
) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure(format!("无法监听 {addr} / cannot listen on {addr}: {e}")))?;
    let mut state = gongzhi_web::AppState::new(app.clone(), cfg.public_base_url.clone());
    state.secure |= cfg.secure_cookies;
    state.trusted_proxies = cfg
        .trusted_proxies
        .max(usize::from(cfg.trust_forwarded_for));
    let ready = state.ready.clone();
    let router = gongzhi_web::router(state);
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    });
    if let Some(seed) = seed {
        seed(app.clone()).await?;
        app.db.refresh_statistics().await?;
    }
    ready.store(true, Ordering::SeqCst);
    eprintln!(
        "共治 Gongzhi 已启动 / listening on http://{addr} ({})",
        gongzhi_store::db::redact(&cfg.database)
    );
    if !cfg.smtp_url.is_empty() {
        let mailer = mailer::Mailer::new(&cfg.smtp_url, &cfg.smtp_from, &cfg.public_base_url)
            .map_err(Failure)?;
        let outbox_app = app.clone();
        let every = std::time::Duration::from_secs(cfg.delivery_poll_seconds.max(1));
        // Deliveries left due by a stopped server go out at start, then as they fall due.
        tokio::spawn(async move {
            loop {
                match gongzhi_app::notify::deliver_due(&outbox_app, &mailer, 50).await {
                    Ok(round) if round.sent + round.retried + round.gave_up > 0 => {
                        tracing::info!(?round, "outbox delivered");
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "outbox delivery failed"),
                }
                tokio::time::sleep(every).await;
            }
        });
    }
    let anchor_app = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        tick.tick().await;
        // Statements that fell due while the server was down are posted at start.
        if let Err(e) = gongzhi_app::ledger::post_due_statements(&anchor_app).await {
            tracing::warn!(error = %e, "posting due statements failed");
        }
        loop {
            tick.tick().await;
            if let Err(e) = gongzhi_app::ledger::post_due_statements(&anchor_app).await {
                tracing::warn!(error = %e, "posting due statements failed");
            }
            if let Err(e) = gongzhi_app::setup::anchor_heads(&anchor_app).await {
                tracing::warn!(error = %e, "anchoring chain heads failed");
            }
        }
    });
    match server.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Failure(format!("server error: {e}"))),
        Err(e) => Err(Failure(format!("server task failed: {e}"))),
    }
}
