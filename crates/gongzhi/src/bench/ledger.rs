//! `gongzhi bench ledger`: transfers committed per second through the ledger commands (each batch
//! one command: balance checks, account totals, one audit event with every row's image), by one
//! writer and by concurrent clients, against bare inserts of the same rows into the same database.
//! With `--keep` the filled database stays for `scripts/bench-ledger`, which times
//! `gongzhi ledger check` against `hledger check` and `bean-check` on the exported journals.

use std::sync::Arc;
use std::time::Instant as StdInstant;

use gongzhi_app::App;
use gongzhi_app::authz::Actor;
use gongzhi_app::ledger::{self, NewFund, TransferSpec};
use gongzhi_store::Db;
use uuid::Uuid;

/// Bare rows are numbered from here, far above the real ones.
const BARE_SEQ: i64 = 1_000_000_000_000;

/// Accounts the generated transfers move between.
const FUNDS: usize = 100;

pub struct LedgerBench {
    pub transfers: usize,
    pub batch: usize,
    pub clients: usize,
    pub target: Option<String>,
    pub keep: bool,
}

fn s(e: gongzhi_app::AppError) -> String {
    format!("{e:?}")
}

/// The `i`-th generated transfer: every fourth an allocation from one of the city's sources into
/// a fund, the others small corrections between funds (always covered by the allocations).
fn spec(i: usize, sources: &[Uuid], funds: &[Uuid]) -> TransferSpec {
    if i.is_multiple_of(4) || i < FUNDS * 4 {
        TransferSpec::posted(
            sources[i % sources.len()],
            funds[i % funds.len()],
            1_000_00 + (i % 997) as i64,
            "allocation",
            "拨款",
        )
    } else {
        let a = (i * 7) % funds.len();
        let b = (a + 1 + i % (funds.len() - 1)) % funds.len();
        TransferSpec::posted(
            funds[a],
            funds[b],
            1 + (i % 50) as i64,
            "correction",
            "调剂",
        )
    }
}

async fn post_all(
    app: &App,
    actor: &Actor,
    community: Uuid,
    ids: (&[Uuid], &[Uuid]),
    range: std::ops::Range<usize>,
    batch: usize,
) -> Result<(), String> {
    let mut i = range.start;
    while i < range.end {
        let end = (i + batch).min(range.end);
        let specs: Vec<TransferSpec> = (i..end).map(|k| spec(k, ids.0, ids.1)).collect();
        ledger::post_transfers(app, actor, community, specs)
            .await
            .map_err(s)?;
        i = end;
    }
    Ok(())
}

pub async fn run(b: LedgerBench) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("gongzhi-bench-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = b
        .target
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("ledger.db").display()));
    let (app, admin, community) = crate::bench::bench_world(&url).await?;
    let db: Db = app.db.clone();
    let mut funds = Vec::with_capacity(FUNDS);
    for k in 0..FUNDS {
        let f = ledger::create_fund(
            &app,
            &admin,
            &NewFund {
                community_id: community,
                programme: "base",
                year: 2026,
                name_zh: &format!("基准资金{k:03}"),
                name_en: "",
                custodian: None,
            },
        )
        .await
        .map_err(s)?;
        funds.push(ledger::fund_view(&app, f).await.map_err(s)?.account.id);
    }
    // One receipt per source opens the source accounts.
    let mut sources = Vec::new();
    for (key, _, _) in ledger::SOURCES.iter().filter(|(k, _, _)| *k != "donors") {
        let fund = ledger::funds_of(&app, community).await.map_err(s)?[0].0.id;
        let p = ledger::receive(
            &app,
            &admin,
            &ledger::Receipt {
                id: None,
                fund_id: fund,
                source: key,
                amount: 1,
                code: if *key == "carry_over" {
                    "carry_over"
                } else {
                    "allocation"
                },
                memo: "开户",
            },
        )
        .await
        .map_err(s)?;
        let mut tx = db.read().await.map_err(|e| e.to_string())?;
        let t = gongzhi_store::ledger::transfer(&mut tx, community, p.transfer_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("transfer missing")?;
        tx.rollback().await.map_err(|e| e.to_string())?;
        sources.push(t.debit_id);
    }

    // 1. One writer, batches of `batch` transfers per command.
    let half = b.transfers / 2;
    let t = StdInstant::now();
    post_all(
        &app,
        &admin,
        community,
        (&sources, &funds),
        0..half,
        b.batch,
    )
    .await?;
    let single = half as f64 / t.elapsed().as_secs_f64();

    // 2. `clients` concurrent writers share the rest.
    let t = StdInstant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let (sources, funds) = (Arc::new(sources), Arc::new(funds));
    let per = (b.transfers - half).div_ceil(b.clients);
    for c in 0..b.clients {
        let (app, admin, sources, funds) =
            (app.clone(), admin.clone(), sources.clone(), funds.clone());
        let start = half + c * per;
        let end = (start + per).min(b.transfers);
        tasks.spawn(async move {
            post_all(
                &app,
                &admin,
                community,
                (&sources, &funds),
                start..end,
                b.batch,
            )
            .await
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.map_err(|e| e.to_string())??;
    }
    let concurrent = (b.transfers - half) as f64 / t.elapsed().as_secs_f64();

    // 3. Bare inserts of the same rows (no checks, no totals, no audit), same batches and the same
    //    multi-row statements, same database; each transaction is rolled back, so the ledger keeps
    //    only what commands wrote and nothing is ever deleted.
    let bare = |clients: usize, rows: usize| {
        let db = db.clone();
        let (sources, funds) = (sources.clone(), funds.clone());
        async move {
            let t = StdInstant::now();
            let mut tasks = tokio::task::JoinSet::new();
            let per = rows.div_ceil(clients);
            for c in 0..clients {
                let (db, sources, funds) = (db.clone(), sources.clone(), funds.clone());
                tasks.spawn(async move {
                    let start = c * per;
                    let end = (start + per).min(rows);
                    let mut i = start;
                    while i < end {
                        let stop = (i + b.batch).min(end);
                        let mut tx = db.begin().await.map_err(|e| e.to_string())?;
                        let rows: Vec<Vec<gongzhi_store::Value>> = (i..stop)
                            .map(|k| {
                                let sp = spec(k, &sources, &funds);
                                vec![
                                    community.into(),
                                    Uuid::now_v7().into(),
                                    (BARE_SEQ + (c * per + k) as i64).into(),
                                    sp.debit.into(),
                                    sp.credit.into(),
                                    sp.amount.into(),
                                    "posted".into(),
                                    sp.code.into(),
                                    sp.memo.into(),
                                    0i64.into(),
                                ]
                            })
                            .collect();
                        gongzhi_store::rows::insert_many(
                            &mut tx,
                            "ledger_transfers",
                            &[
                                "tenant_id",
                                "id",
                                "seq",
                                "debit_id",
                                "credit_id",
                                "amount",
                                "phase",
                                "code",
                                "memo",
                                "created_at",
                            ],
                            &rows,
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                        tx.rollback().await.map_err(|e| e.to_string())?;
                        i = stop;
                    }
                    Ok::<_, String>(())
                });
            }
            while let Some(r) = tasks.join_next().await {
                r.map_err(|e| e.to_string())??;
            }
            Ok::<f64, String>(rows as f64 / t.elapsed().as_secs_f64())
        }
    };
    let bare_single = bare(1, half).await?;
    let bare_concurrent = bare(b.clients, b.transfers - half).await?;

    let report = ledger::check(&app).await.map_err(s)?;
    println!(
        "backend: {}  transfers: {}  batch: {}  clients: {}",
        db.backend().name(),
        b.transfers,
        b.batch,
        b.clients
    );
    println!(
        "one writer:  {single:.0} transfers/s; bare inserts {bare_single:.0} rows/s; ratio {:.2}",
        single / bare_single
    );
    println!(
        "{} clients: {concurrent:.0} transfers/s; bare inserts {bare_concurrent:.0} rows/s; ratio {:.2}",
        b.clients,
        concurrent / bare_concurrent
    );
    println!(
        "ledger check: {} accounts, {} transfers, {}",
        report.accounts,
        report.transfers,
        if report.problems.is_empty() {
            "consistent".to_string()
        } else {
            format!("{} PROBLEMS", report.problems.len())
        }
    );
    db.close().await;
    if b.keep {
        println!("kept: {url}");
    } else if b.target.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    if !report.problems.is_empty() {
        return Err(report.problems.join("\n"));
    }
    Ok(())
}
