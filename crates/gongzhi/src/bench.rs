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
}

pub async fn run(s: Scenario, cfg: &Config) -> Result<(), String> {
    match s {
        Scenario::Verify { events, target } => verify(events, target).await,
        Scenario::Startup { runs } => startup(runs, cfg).await,
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
