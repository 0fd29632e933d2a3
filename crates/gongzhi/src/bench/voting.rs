//! Voting under load: an assembly's secret ballots and a council's votes, over HTTP against bare inserts.

use std::time::Instant as StdInstant;
use uuid::Uuid;

use super::*;

/// A residents' assembly of `voters` elects 5 of 8 candidates by secret ballot: ballots over HTTP
/// (each its own transaction and audit event: the voter's mark, the box's count, the sealed
/// ballot), then the count; against bare inserts of the same ballot rows.
pub(super) async fn ballots(
    voters: usize,
    clients: usize,
    target: Option<String>,
) -> Result<(), String> {
    use gongzhi_app::councils::{self, NewCouncil};
    use gongzhi_app::elections::{self, NewElection};

    let s = |e: gongzhi_app::AppError| format!("{e:?}");
    let dir = std::env::temp_dir().join(format!("gongzhi-bench-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = target.unwrap_or_else(|| format!("sqlite://{}", dir.join("ballots.db").display()));
    let (app, admin, community) = bench_world(&url).await?;
    let db = app.db.clone();
    let t = StdInstant::now();
    let residents = residents_of(&app, &admin, community, voters).await?;
    let council = councils::create_council(
        &app,
        &admin,
        &NewCouncil {
            jurisdiction_id: community,
            kind: "council",
            name_zh: "社区议事会",
            name_en: "Community council",
            short_name: "玉东",
        },
    )
    .await
    .map_err(s)?;
    let candidates: Vec<Uuid> = residents.iter().take(8).map(|r| r.id).collect();
    let t_open = StdInstant::now();
    let election = elections::open_election(
        &app,
        &admin,
        &NewElection {
            council_id: council,
            kind: "general",
            title: "社区议事会换届选举",
            seats: 5,
            candidates: &candidates,
            closes_at: app.now().plus_seconds(3_600),
            term_end: None,
        },
    )
    .await
    .map_err(s)?;
    let open_secs = t_open.elapsed().as_secs_f64();
    eprintln!(
        "seeded {voters} residents and opened the election (roll snapshotted) in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    let (addr, cookie) = serve_and_sign_in(&app).await?;
    let path = format!("/api/v1/elections/{election}/ballots");
    let bodies: Vec<String> = residents
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let a = candidates[i % 8];
            let b = candidates[(i / 8) % 8];
            let choices = if a == b {
                format!(r#""{a}""#)
            } else {
                format!(r#""{a}","{b}""#)
            };
            format!(r#"{{"resident_id":"{}","choices":[{choices}]}}"#, r.id)
        })
        .collect();
    let (accepted, ballot_secs, pct) =
        post_concurrently(addr, &cookie, clients, &path, bodies, 201).await?;

    // The count, once voting is over: the same database seen through a clock two hours on.
    let later = gongzhi_app::App::new(
        db.clone(),
        std::sync::Arc::new(gongzhi_app::ManualClock::starting_at(
            app.now().plus_seconds(7_200),
        )),
        gongzhi_app::Settings::default(),
    );
    let t_count = StdInstant::now();
    let count = elections::close_election(&later, &admin, election)
        .await
        .map_err(s)?;
    let count_secs = t_count.elapsed().as_secs_f64();

    // Baseline: the same ballot rows inserted bare, one transaction each, as many tasks; each
    // transaction is rolled back, so the database keeps only rows a command wrote (see
    // BENCHMARKS.md: a baseline without the commit is the stricter one).
    let bare_box = Uuid::new_v4();
    let t = StdInstant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let n = residents.len();
    for k in 0..clients {
        let db = db.clone();
        tasks.spawn(async move {
            for _ in (k..n).step_by(clients) {
                let mut tx = db.begin().await.map_err(|e| e.to_string())?;
                gongzhi_store::rows::insert(
                    &mut tx,
                    "sealed_ballots",
                    &[
                        ("tenant_id", community.into()),
                        ("box_id", bare_box.into()),
                        ("id", Uuid::new_v4().into()),
                        ("choices", "[]".into()),
                    ],
                )
                .await
                .map_err(|e| e.to_string())?;
                tx.rollback().await.map_err(|e| e.to_string())?;
            }
            Ok::<_, String>(())
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.map_err(|e| e.to_string())??;
    }
    let bare_secs = t.elapsed().as_secs_f64();
    println!(
        "backend: {}  voters: {voters}  clients: {clients}",
        db.backend().name()
    );
    println!("open (roll of {voters} snapshotted, one event): {open_secs:.2}s");
    println!(
        "ballots over HTTP: {accepted} accepted in {ballot_secs:.2}s = {:.0} ballots/s; latency p50 {:.1} ms, p99 {:.1} ms",
        accepted as f64 / ballot_secs,
        pct.at(0.5),
        pct.at(0.99)
    );
    println!(
        "bare inserts of the same rows: {bare_secs:.2}s = {:.0} rows/s; ratio ballots/s ÷ bare rows/s: {:.2}",
        n as f64 / bare_secs,
        (accepted as f64 / ballot_secs) / (n as f64 / bare_secs)
    );
    println!(
        "count (box opened, {} ballots imaged in one event, seats filled): {count_secs:.2}s",
        count.ballots
    );
    let ok = count.ballots == accepted;
    println!(
        "ballots counted: {} = {accepted} accepted: {}",
        count.ballots,
        if ok {
            "none lost or doubled"
        } else {
            "MISMATCH"
        }
    );
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    if !ok {
        return Err("the count does not match the accepted ballots".into());
    }
    Ok(())
}

pub(super) async fn votes(
    members: usize,
    clients: usize,
    target: Option<String>,
) -> Result<(), String> {
    use gongzhi_app::councils::{self, NewCouncil, NewMotion};
    use std::sync::Arc;

    let s = |e: gongzhi_app::AppError| format!("{e:?}");
    let dir = std::env::temp_dir().join(format!("gongzhi-bench-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = target.unwrap_or_else(|| format!("sqlite://{}", dir.join("votes.db").display()));
    let (app, admin, community) = bench_world(&url).await?;
    let db = app.db.clone();
    // The assembly: every resident of the community.
    let t = StdInstant::now();
    let residents = residents_of(&app, &admin, community, members).await?;
    let assembly = councils::create_council(
        &app,
        &admin,
        &NewCouncil {
            jurisdiction_id: community,
            kind: "council",
            name_zh: "居民会议",
            name_en: "Residents' assembly",
            short_name: "玉东",
        },
    )
    .await
    .map_err(s)?;
    let meeting = councils::schedule_meeting(&app, &admin, assembly, "居民会议", app.now())
        .await
        .map_err(s)?;
    let mut seats = Vec::with_capacity(members);
    for r in &residents {
        let seat =
            councils::seat_member(&app, &admin, assembly, r.id, "member", "2026-01-01", None)
                .await
                .map_err(s)?;
        councils::record_attendance(&app, &admin, meeting, seat, true)
            .await
            .map_err(s)?;
        seats.push(seat);
    }
    let motion = councils::open_motion(
        &app,
        &admin,
        &NewMotion {
            council_id: assembly,
            meeting_id: Some(meeting),
            kind: "general",
            title: "社区公共空间改造",
            body: "居民会议表决",
            needs_notice: false,
            convention: None,
            approved_fund: None,
        },
    )
    .await
    .map_err(s)?;
    eprintln!(
        "seeded {members} members (residents, seats, attendance) in {:.1}s",
        t.elapsed().as_secs_f64()
    );

    let (addr, cookie) = serve_and_sign_in(&app).await?;

    // Votes: each client takes every `clients`-th seat.
    let path = format!("/api/v1/motions/{motion}/votes");
    let bodies: Vec<String> = seats
        .iter()
        .map(|seat| format!(r#"{{"seat_id":"{seat}","choice":"yes"}}"#))
        .collect();
    let (accepted, vote_secs, pct) =
        post_concurrently(addr, &cookie, clients, &path, bodies, 200).await?;
    let seats = Arc::new(seats);
    let counts = councils::vote_counts(&app, motion).await.map_err(s)?;
    let tallied: i64 = counts
        .iter()
        .filter(|(c, _)| c == "yes")
        .map(|(_, n)| n)
        .sum();

    // Baseline: the same rows inserted bare (no checks, no audit), one transaction each, by as many
    // concurrent tasks, into the same database; rolled back, so it keeps only rows a command
    // wrote.
    let second = councils::open_motion(
        &app,
        &admin,
        &NewMotion {
            council_id: assembly,
            meeting_id: Some(meeting),
            kind: "general",
            title: "基准",
            body: "基准",
            needs_notice: false,
            convention: None,
            approved_fund: None,
        },
    )
    .await
    .map_err(s)?;
    let t = StdInstant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for k in 0..clients {
        let seats = seats.clone();
        let db = db.clone();
        tasks.spawn(async move {
            for seat in seats.iter().skip(k).step_by(clients) {
                let mut tx = db.begin().await.map_err(|e| e.to_string())?;
                gongzhi_store::rows::insert(
                    &mut tx,
                    "votes",
                    &[
                        ("tenant_id", community.into()),
                        ("motion_id", second.into()),
                        ("seat_id", (*seat).into()),
                        ("choice", "yes".into()),
                        ("cast_at", 0i64.into()),
                    ],
                )
                .await
                .map_err(|e| e.to_string())?;
                tx.rollback().await.map_err(|e| e.to_string())?;
            }
            Ok::<_, String>(())
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.map_err(|e| e.to_string())??;
    }
    let bare_secs = t.elapsed().as_secs_f64();

    println!(
        "backend: {}  members: {members}  clients: {clients}",
        db.backend().name()
    );
    println!(
        "votes over HTTP: {accepted} accepted in {vote_secs:.2}s = {:.0} votes/s; latency p50 {:.1} ms, p99 {:.1} ms",
        accepted as f64 / vote_secs,
        pct.at(0.5),
        pct.at(0.99)
    );
    println!(
        "bare inserts of the same rows: {bare_secs:.2}s = {:.0} rows/s",
        members as f64 / bare_secs
    );
    println!(
        "ratio votes/s ÷ bare rows/s: {:.2}",
        (accepted as f64 / vote_secs) / (members as f64 / bare_secs)
    );
    println!(
        "tally: {tallied} yes = {accepted} accepted: {}",
        if tallied == i64::try_from(accepted).unwrap_or(-1) {
            "none lost or doubled"
        } else {
            "MISMATCH"
        }
    );
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    if tallied != i64::try_from(accepted).unwrap_or(-1) {
        return Err("the tally does not match the accepted votes".into());
    }
    Ok(())
}
