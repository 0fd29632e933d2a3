//! `gongzhi bench`: the benchmark harness. Each issue adds its scenarios here; results and the
//! commands that produced them are recorded in BENCHMARKS.md. Never run by the test suite.

use std::io::Write;
use std::time::Instant as StdInstant;

use clap::Subcommand;
use gongzhi_domain::audit::EventFields;
use gongzhi_store::audit::{NewEvent, append};
use gongzhi_store::{Db, Open};
use uuid::Uuid;

use crate::config::Config;

mod ledger;
mod projects;
mod purchases;
mod voting;
use voting::*;

#[derive(Subcommand)]
pub enum Scenario {
    /// `audit verify` over N events, against `sha256sum` over the same canonical bytes
    Verify {
        #[arg(long, default_value_t = 1_000_000)]
        events: u64,
        /// Database to fill (a fresh one is needed); default a temporary SQLite file
        #[arg(long)]
        target: Option<String>,
    },
    /// `serve` start-up: time to the first 200 from /healthz, and idle resident memory
    Startup {
        #[arg(long, default_value_t = 5)]
        runs: u32,
    },
    /// Votes of a large assembly cast over HTTP by concurrent clients, against bare inserts
    Votes {
        #[arg(long, default_value_t = 16_000)]
        members: usize,
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Database (a fresh one); default a temporary SQLite file
        #[arg(long)]
        target: Option<String>,
    },
    /// Secret ballots of a community-wide election cast over HTTP by concurrent clients (staff
    /// entering assisted ballots), then the count that opens the box, against bare inserts
    Ballots {
        #[arg(long, default_value_t = 16_000)]
        voters: usize,
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Database (a fresh one); default a temporary SQLite file
        #[arg(long)]
        target: Option<String>,
    },
    /// Fill a community with needs and projects for `scripts/bench-projects` (the needs ledger
    /// and the public project page under wrk)
    Projects {
        #[arg(long, default_value_t = 100_000)]
        needs: usize,
        #[arg(long, default_value_t = 10_000)]
        projects: usize,
        /// Database (a fresh one) to fill and keep
        #[arg(long)]
        target: String,
    },
    /// Fill a fresh database with organisations and completed contracting processes for
    /// `scripts/bench-purchases` (the OCDS export, the call board and the directory under wrk)
    Purchases {
        #[arg(long, default_value_t = 10_000)]
        organisations: usize,
        #[arg(long, default_value_t = 10_000)]
        processes: usize,
        /// Database (a fresh one) to fill and keep
        #[arg(long)]
        target: String,
    },
    /// Ledger transfers committed per second (batched commands, one writer and concurrent
    /// clients) against bare inserts; `--keep` leaves the database for `scripts/bench-ledger`
    Ledger {
        #[arg(long, default_value_t = 200_000)]
        transfers: usize,
        /// Transfers per command (one transaction, one audit event)
        #[arg(long, default_value_t = 1_000)]
        batch: usize,
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// Database (a fresh one); default a temporary SQLite file
        #[arg(long)]
        target: Option<String>,
        /// Keep the filled database and print its URL
        #[arg(long)]
        keep: bool,
    },
}

pub async fn run(s: Scenario, cfg: &Config) -> Result<(), String> {
    match s {
        Scenario::Verify { events, target } => verify(events, target).await,
        Scenario::Startup { runs } => startup(runs, cfg).await,
        Scenario::Votes {
            members,
            clients,
            target,
        } => votes(members, clients, target).await,
        Scenario::Ballots {
            voters,
            clients,
            target,
        } => ballots(voters, clients, target).await,
        Scenario::Projects {
            needs,
            projects,
            target,
        } => {
            crate::bench::projects::run(crate::bench::projects::ProjectsBench {
                needs,
                projects,
                target,
            })
            .await
        }
        Scenario::Purchases {
            organisations,
            processes,
            target,
        } => {
            crate::bench::purchases::run(crate::bench::purchases::PurchasesBench {
                organisations,
                processes,
                target,
            })
            .await
        }
        Scenario::Ledger {
            transfers,
            batch,
            clients,
            target,
            keep,
        } => {
            crate::bench::ledger::run(crate::bench::ledger::LedgerBench {
                transfers,
                batch: batch.max(1),
                clients: clients.max(1),
                target,
                keep,
            })
            .await
        }
    }
}

async fn verify(events: u64, target: Option<String>) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("gongzhi-bench-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let keep = target.is_some();
    let url = target.unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let db = Db::connect(&url, Open::CreateIfMissing)
        .await
        .map_err(|e| e.to_string())?;
    gongzhi_store::migrate::migrate(&db)
        .await
        .map_err(|e| e.to_string())?;
    let existing = {
        let mut tx = db.read().await.map_err(|e| e.to_string())?;
        let heads = gongzhi_store::audit::heads(&mut tx)
            .await
            .map_err(|e| e.to_string())?;
        tx.rollback().await.map_err(|e| e.to_string())?;
        u64::try_from(heads.iter().map(|h| h.seq).sum::<i64>()).unwrap_or(0)
    };
    if existing == 0 {
        fill(&db, events).await?;
    } else {
        eprintln!("reusing {existing} events already in {url}");
    }
    // The same canonical bytes the verifier hashes, written out (untimed) for sha256sum.
    let canonical = dir.join("canonical.bin");
    {
        let mut out =
            std::io::BufWriter::new(std::fs::File::create(&canonical).map_err(|e| e.to_string())?);
        let mut tx = db.read().await.map_err(|e| e.to_string())?;
        let mut buf = Vec::new();
        let mut after = None;
        loop {
            let batch = gongzhi_store::audit::events_after(&mut tx, after, 50_000)
                .await
                .map_err(|e| e.to_string())?;
            let Some(last) = batch.last() else { break };
            after = Some((last.tenant_id, last.seq));
            for e in &batch {
                let (t, i) = (e.tenant_id.to_string(), e.id.to_string());
                EventFields {
                    tenant_id: &t,
                    seq: e.seq,
                    event_id: &i,
                    occurred_at: e.occurred_at,
                    actor_id: "",
                    on_behalf_of: "",
                    channel: &e.channel,
                    command: &e.command,
                    payload: &e.payload,
                    prev_hash: &e.prev_hash,
                }
                .encode_into(&mut buf);
                out.write_all(&buf).map_err(|e| e.to_string())?;
            }
        }
        out.flush().map_err(|e| e.to_string())?;
        tx.rollback().await.map_err(|e| e.to_string())?;
    }

    // The read alone (decode every event, hash nothing), to show where verify's time goes.
    let t = StdInstant::now();
    let mut tx = db.read().await.map_err(|e| e.to_string())?;
    let mut payload_bytes = 0usize;
    gongzhi_store::audit::for_each_event(&mut tx, |e| {
        payload_bytes += e.payload.len();
        Ok(())
    })
    .await
    .map_err(|e| e.to_string())?;
    tx.rollback().await.map_err(|e| e.to_string())?;
    let read_secs = t.elapsed().as_secs_f64();

    let t = StdInstant::now();
    let report = gongzhi_app::verify::verify_database(&db)
        .await
        .map_err(|e| e.to_string())?;
    let verify_secs = t.elapsed().as_secs_f64();
    if !report.ok() {
        return Err(format!(
            "verify found problems: {:?}",
            &report.problems[..report.problems.len().min(3)]
        ));
    }
    let t = StdInstant::now();
    let status = std::process::Command::new("sha256sum")
        .arg(&canonical)
        .output()
        .map_err(|e| format!("sha256sum: {e}"))?;
    let sha_secs = t.elapsed().as_secs_f64();
    if !status.status.success() {
        return Err("sha256sum failed".into());
    }
    let bytes = std::fs::metadata(&canonical).map(|m| m.len()).unwrap_or(0);
    println!("backend: {}", db.backend().name());
    println!("events: {}  canonical bytes: {bytes}", report.events);
    println!(
        "reading the events alone through sqlx (no hashing): {read_secs:.2}s ({payload_bytes} payload bytes)"
    );
    println!(
        "audit verify: {verify_secs:.2}s = {:.0} events/s",
        report.events as f64 / verify_secs
    );
    println!(
        "sha256sum over the canonical bytes: {sha_secs:.2}s = {:.0} events/s",
        report.events as f64 / sha_secs
    );
    println!(
        "ratio verify/sha256sum (throughput): {:.2}",
        sha_secs / verify_secs
    );
    db.close().await;
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        let _ = std::fs::remove_file(&canonical);
    }
    Ok(())
}

/// Ten community chains of events with a realistic payload size (~300 bytes), appended through the
/// store's real chain code in transactions of 10,000.
async fn fill(db: &Db, events: u64) -> Result<(), String> {
    let tenants: Vec<Uuid> = (0..10).map(|_| Uuid::now_v7()).collect();
    let started = StdInstant::now();
    let mut written = 0u64;
    while written < events {
        let mut tx = db.begin().await.map_err(|e| e.to_string())?;
        for _ in 0..10_000.min(events - written) {
            let tenant = tenants[usize::try_from(written % 10).unwrap_or(0)];
            let payload = format!(
                r#"{{"details":{{"n":{written},"note":"{}"}},"writes":[]}}"#,
                "x".repeat(250)
            );
            let at = 1_795_276_800_000_000 + i64::try_from(written).unwrap_or(0);
            append(
                &mut tx,
                &NewEvent {
                    tenant_id: tenant,
                    event_id: Uuid::now_v7(),
                    occurred_at: at,
                    actor_id: None,
                    on_behalf_of: None,
                    channel: "system",
                    command: "bench.event",
                    payload: &payload,
                },
            )
            .await
            .map_err(|e| e.to_string())?;
            written += 1;
        }
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    eprintln!(
        "filled {written} events in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

async fn startup(runs: u32, _cfg: &Config) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("gongzhi-bench-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = format!("sqlite://{}", dir.join("startup.db").display());
    let init = std::process::Command::new(&exe)
        .args([
            "--database",
            &url,
            "init",
            "--city-code",
            "bench",
            "--city-name",
            "基准",
            "--admin-username",
            "admin",
            "--admin-password",
            "bench-password-1",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    if !init.status.success() {
        return Err(String::from_utf8_lossy(&init.stderr).into_owned());
    }
    let client = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = client.local_addr().map_err(|e| e.to_string())?.port();
    drop(client);
    let addr = format!("127.0.0.1:{port}");
    let mut times = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..runs {
        let start = StdInstant::now();
        let mut child = std::process::Command::new(&exe)
            .args(["--database", &url, "serve", "--addr", &addr])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let mut up = None;
        for _ in 0..2000 {
            if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
                let _ =
                    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                let mut resp = String::new();
                let _ = std::io::Read::read_to_string(&mut s, &mut resp);
                if resp.starts_with("HTTP/1.1 200") {
                    up = Some(start.elapsed());
                    break;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
        rss.push(rss_kib(child.id()).unwrap_or(0));
        let _ = child.kill();
        let _ = child.wait();
        times.push(up.ok_or("server did not answer")?.as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "serve on SQLite, {runs} runs: start → first 200 from /healthz: median {:.0} ms (min {:.0}, max {:.0})",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    println!("idle resident memory: median {} KiB", {
        rss.sort();
        rss[rss.len() / 2]
    });
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A minimal HTTP/1.1 keep-alive client for the load test (no extra dependency): one request at a
/// time on one connection, reading the response by its Content-Length.
struct Conn {
    stream: tokio::io::BufStream<tokio::net::TcpStream>,
}

impl Conn {
    async fn open(addr: std::net::SocketAddr) -> Result<Conn, String> {
        let s = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| e.to_string())?;
        s.set_nodelay(true).map_err(|e| e.to_string())?;
        Ok(Conn {
            stream: tokio::io::BufStream::new(s),
        })
    }

    /// Sends a POST; returns (status, Set-Cookie, body).
    async fn post(
        &mut self,
        path: &str,
        cookie: &str,
        body: &str,
    ) -> Result<(u16, Option<String>, String), String> {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
        let req = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nCookie: {cookie}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.stream
            .write_all(req.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        self.stream.flush().await.map_err(|e| e.to_string())?;
        let mut line = String::new();
        self.stream
            .read_line(&mut line)
            .await
            .map_err(|e| e.to_string())?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or("bad status line")?;
        let (mut length, mut cookie_out) = (0usize, None);
        loop {
            line.clear();
            self.stream
                .read_line(&mut line)
                .await
                .map_err(|e| e.to_string())?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            if lower.starts_with("set-cookie:") {
                cookie_out = l
                    .split_once(':')
                    .map(|(_, v)| v.trim().split(';').next().unwrap_or("").to_string());
            }
        }
        let mut body = vec![0u8; length];
        self.stream
            .read_exact(&mut body)
            .await
            .map_err(|e| e.to_string())?;
        Ok((
            status,
            cookie_out,
            String::from_utf8_lossy(&body).into_owned(),
        ))
    }
}

/// A fresh benchmark world on `url`: migrated, a city with its administrator, a district, a
/// street and one community (玉东). Returns the app, the administrator and the community.
pub(crate) async fn bench_world(
    url: &str,
) -> Result<(gongzhi_app::App, gongzhi_app::authz::Actor, Uuid), String> {
    use gongzhi_app::authz::Actor;
    use gongzhi_app::places::{self, NewJurisdiction};
    use std::sync::Arc;

    let s = |e: gongzhi_app::AppError| format!("{e:?}");
    let db = Db::connect(url, Open::CreateIfMissing)
        .await
        .map_err(|e| e.to_string())?;
    gongzhi_store::migrate::migrate(&db)
        .await
        .map_err(|e| e.to_string())?;
    let app = gongzhi_app::App::new(
        db.clone(),
        Arc::new(gongzhi_app::SystemClock),
        gongzhi_app::Settings::default(),
    );
    let (city, admin_id) = gongzhi_app::setup::init(
        &app,
        &gongzhi_app::setup::Init {
            city_code: "bench",
            city_name_zh: "基准市",
            city_name_en: "Bench",
            admin_username: "admin",
            admin_name: "管理员",
            admin_password: "bench-password-1",
        },
    )
    .await
    .map_err(s)?;
    let admin = {
        let mut tx = db.read().await.map_err(|e| e.to_string())?;
        let a = Actor::load(&mut tx, admin_id).await.map_err(s)?;
        tx.rollback().await.map_err(|e| e.to_string())?;
        a
    };
    let place = |parent, level: &'static str, code: &'static str| NewJurisdiction {
        parent_id: Some(parent),
        level,
        code,
        name_zh: code,
        name_en: code,
    };
    let d = places::create_jurisdiction(&app, &admin, &place(city, "district", "bench-district"))
        .await
        .map_err(s)?;
    let st = places::create_jurisdiction(&app, &admin, &place(d, "street", "bench-street"))
        .await
        .map_err(s)?;
    let community = places::create_jurisdiction(&app, &admin, &place(st, "community", "yudong"))
        .await
        .map_err(s)?;
    Ok((app, admin, community))
}

/// `n` residents registered in one spreadsheet import, read back straight from the store (the
/// staff listing is capped for people, not for benchmarks).
async fn residents_of(
    app: &gongzhi_app::App,
    admin: &gongzhi_app::authz::Actor,
    community: Uuid,
    n: usize,
) -> Result<Vec<gongzhi_store::repo::ResidentRow>, String> {
    let mut roster = String::from("姓名\n");
    for i in 0..n {
        roster.push_str(&format!("居民{i:05}\n"));
    }
    gongzhi_app::people::import_residents_csv(app, admin, community, roster.as_bytes())
        .await
        .map_err(|e| format!("{e:?}"))?;
    let mut tx = app.db.read().await.map_err(|e| e.to_string())?;
    let r = gongzhi_store::repo::residents(&mut tx, community, 1_000_000)
        .await
        .map_err(|e| e.to_string())?;
    tx.rollback().await.map_err(|e| e.to_string())?;
    Ok(r)
}

/// Starts the server in this process on a loopback port and signs the administrator in.
async fn serve_and_sign_in(
    app: &gongzhi_app::App,
) -> Result<(std::net::SocketAddr, String), String> {
    let state = gongzhi_web::AppState::new(app.clone(), "http://127.0.0.1".into());
    state.ready.store(true, std::sync::atomic::Ordering::SeqCst);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let router = gongzhi_web::router(state);
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });
    let mut c = Conn::open(addr).await?;
    let (status, cookie, body) = c
        .post(
            "/api/v1/session",
            "",
            r#"{"identifier":"admin","password":"bench-password-1"}"#,
        )
        .await?;
    let cookie = cookie
        .filter(|_| status == 200)
        .ok_or(format!("login failed: {status} {body}"))?;
    Ok((addr, cookie))
}

/// Latency percentiles (ms) of a run.
struct Percentiles(Vec<f64>);

impl Percentiles {
    fn at(&self, p: f64) -> f64 {
        let l = &self.0;
        if l.is_empty() {
            return 0.0;
        }
        l[((l.len() as f64 * p) as usize).min(l.len() - 1)]
    }
}

/// POSTs every body to `path` from `clients` keep-alive connections (client k sends every k-th
/// body), each request timed. Returns the requests answered `ok_status`, the seconds taken and
/// the latencies.
async fn post_concurrently(
    addr: std::net::SocketAddr,
    cookie: &str,
    clients: usize,
    path: &str,
    bodies: Vec<String>,
    ok_status: u16,
) -> Result<(u64, f64, Percentiles), String> {
    let bodies = std::sync::Arc::new(bodies);
    let t = StdInstant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for k in 0..clients {
        let bodies = bodies.clone();
        let cookie = cookie.to_string();
        let path = path.to_string();
        tasks.spawn(async move {
            let mut conn = Conn::open(addr).await?;
            let mut latencies = Vec::new();
            let mut accepted = 0u64;
            for body in bodies.iter().skip(k).step_by(clients) {
                let started = StdInstant::now();
                let (status, _, answer) = conn.post(&path, &cookie, body).await?;
                latencies.push(started.elapsed().as_secs_f64() * 1000.0);
                if status == ok_status {
                    accepted += 1;
                } else {
                    eprintln!("refused: {status} {answer}");
                }
            }
            Ok::<_, String>((accepted, latencies))
        });
    }
    let mut accepted = 0;
    let mut latencies = Vec::with_capacity(bodies.len());
    while let Some(r) = tasks.join_next().await {
        let (a, l) = r.map_err(|e| e.to_string())??;
        accepted += a;
        latencies.extend(l);
    }
    let secs = t.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    Ok((accepted, secs, Percentiles(latencies)))
}
