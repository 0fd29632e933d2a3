use gongzhi_app::people::{self, NewResident};
use gongzhi_app::verify::verify_database;
use gongzhi_store::Value;

use crate::world;

async fn tamper(app: &gongzhi_app::App, sql: &str, args: &[Value]) {
    let mut tx = app.db.begin().await.unwrap();
    let n = tx.exec(sql, args).await.unwrap();
    assert!(n >= 1, "the tampering statement changed nothing: {sql}");
    tx.commit().await.unwrap();
}

async fn seeded() -> (crate::World, uuid::Uuid) {
    let w = world().await;
    let id = people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &NewResident {
            name: "田小余".into(),
            phone: Some("13800000001".into()),
            courtyard_id: Some(w.beiyuan),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let report = verify_database(&w.app.db).await.unwrap();
    assert!(report.ok(), "fresh data verifies: {:?}", report.problems);
    assert!(report.events > 10 && report.chains >= 3, "{report:?}");
    (w, id)
}

#[tokio::test]
async fn an_edited_event_breaks_the_chain() {
    let (w, _) = seeded().await;
    tamper(
        &w.app,
        "UPDATE audit_events SET channel = 'paper' WHERE tenant_id = $1 AND seq = 2",
        &[w.jinyang.into()],
    )
    .await;
    let report = verify_database(&w.app.db).await.unwrap();
    assert!(!report.ok());
    assert!(
        report.problems[0].contains("event 2") && report.problems[0].contains("altered"),
        "{:?}",
        report.problems
    );
}

#[tokio::test]
async fn a_removed_last_event_is_caught_by_the_head() {
    let (w, _) = seeded().await;
    tamper(
        &w.app,
        "DELETE FROM audit_events WHERE tenant_id = $1 AND seq = (SELECT MAX(seq) FROM audit_events WHERE tenant_id = $1)",
        &[w.jinyang.into()],
    )
    .await;
    let report = verify_database(&w.app.db).await.unwrap();
    assert!(
        report.problems.iter().any(|p| p.contains("head")),
        "{:?}",
        report.problems
    );
}

#[tokio::test]
async fn a_row_changed_behind_the_applications_back_is_caught() {
    let (w, id) = seeded().await;
    tamper(
        &w.app,
        "UPDATE residents SET phone = '13999999999' WHERE tenant_id = $1 AND id = $2",
        &[w.jinyang.into(), id.into()],
    )
    .await;
    let report = verify_database(&w.app.db).await.unwrap();
    assert!(!report.ok());
    assert!(
        report.problems[0].starts_with("residents:") && report.problems[0].contains("differs"),
        "{:?}",
        report.problems
    );
}

#[tokio::test]
async fn a_row_deleted_or_inserted_behind_the_applications_back_is_caught() {
    let (w, id) = seeded().await;
    tamper(
        &w.app,
        "DELETE FROM residents WHERE tenant_id = $1 AND id = $2",
        &[w.jinyang.into(), id.into()],
    )
    .await;
    let report = verify_database(&w.app.db).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("missing from the database")),
        "{:?}",
        report.problems
    );

    let (w, _) = seeded().await;
    tamper(
        &w.app,
        "INSERT INTO residents (tenant_id, id, name, created_at) VALUES ($1, $2, '幽灵', 0)",
        &[w.jinyang.into(), uuid::Uuid::now_v7().into()],
    )
    .await;
    let report = verify_database(&w.app.db).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("no audit event recorded it")),
        "{:?}",
        report.problems
    );
}

/// Personal fields never appear in events: only their salted hashes.
#[tokio::test]
async fn events_hold_no_personal_data() {
    let (w, _) = seeded().await;
    let mut tx = w.app.db.read().await.unwrap();
    let events = gongzhi_store::audit::events_after(&mut tx, None, 10_000)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let all: String = events.iter().map(|e| e.payload.as_str()).collect();
    assert!(
        all.contains("\"phone\":\"h:"),
        "the phone is recorded as a hash"
    );
    assert!(!all.contains("13800000001"));
    assert!(!all.contains("田小余"));
    assert!(!all.contains("argon2"), "password hashes are hashed again");
}

/// Concurrent commands on one community serialise on the chain head: no gaps, no forks.
#[tokio::test]
async fn concurrent_writers_keep_one_chain() {
    let w = world().await;
    let before = crate::event_count(&w.app).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let app = w.app.clone();
        let staff = w.staff.clone();
        let community = w.jinyang;
        tasks.push(tokio::spawn(async move {
            people::register_resident(
                &app,
                &staff,
                community,
                &NewResident {
                    name: format!("居民{i}"),
                    ..Default::default()
                },
            )
            .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(crate::event_count(&w.app).await, before + 16);
    let report = verify_database(&w.app.db).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

/// Reading personal data is itself recorded.
#[tokio::test]
async fn personal_data_reads_are_logged() {
    let (w, _) = seeded().await;
    let before = crate::event_count(&w.app).await;
    people::list_residents(&w.app, &w.staff, w.jinyang, 50)
        .await
        .unwrap();
    assert_eq!(crate::event_count(&w.app).await, before + 1);
    let mut tx = w.app.db.read().await.unwrap();
    let events = gongzhi_store::audit::events_after(&mut tx, None, 10_000)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let read = events
        .iter()
        .find(|e| e.command == "personal_data.read")
        .expect("a read event");
    assert_eq!(read.actor_id, w.staff.account_id);
    assert_eq!(read.tenant_id, w.jinyang);
}

/// Anchoring records every community head in the city chain.
#[tokio::test]
async fn heads_are_anchored_in_the_city_chain() {
    let (w, _) = seeded().await;
    let n = gongzhi_app::setup::anchor_heads(&w.app).await.unwrap();
    assert!(n >= 2, "{n}");
    let head = gongzhi_app::setup::chain_head(&w.app, w.jinyang)
        .await
        .unwrap()
        .unwrap();
    let mut tx = w.app.db.read().await.unwrap();
    let events = gongzhi_store::audit::events_after(&mut tx, None, 10_000)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let anchor = events
        .iter()
        .rev()
        .find(|e| e.command == "audit.anchor")
        .unwrap();
    assert_eq!(anchor.tenant_id, w.city);
    assert!(anchor.payload.contains(&head.hash));
}

#[tokio::test]
async fn events_of_an_unknown_chain_are_caught() {
    let (w, _) = seeded().await;
    tamper(
        &w.app,
        "INSERT INTO audit_events (tenant_id, seq, id, occurred_at, channel, command, payload, prev_hash, hash) VALUES ($1, 1, $2, 0, 'online', 'x', '{}', 'p', 'h')",
        &[uuid::Uuid::now_v7().into(), uuid::Uuid::now_v7().into()],
    )
    .await;
    let report = verify_database(&w.app.db).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("inserted behind")),
        "{:?}",
        report.problems
    );
}
