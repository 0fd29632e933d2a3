//! Use-case tests on a real database: SQLite by default, PostgreSQL with
//! `GONGZHI_TEST_BACKEND=postgres`. One binary (matklad's rule); modules by topic.

mod audit;
mod budget_votes;
mod councils;
mod elections;
mod ledger;
mod notify;
mod people;
mod permissions;
mod procurement;
mod projects;
mod reference;
mod roundtrip;
mod rules_and_login;

use std::sync::Arc;

use gongzhi_app::accounts::{self, NewAccount};
use gongzhi_app::authz::Actor;
use gongzhi_app::places::{self, NewJurisdiction};
use gongzhi_app::{App, ManualClock, Settings, setup};
use gongzhi_domain::time::Instant;
use gongzhi_store::Db;
use uuid::Uuid;

pub const PASSWORD: &str = "test-password-1";

pub fn fast_settings() -> Settings {
    // Tiny Argon2 cost: tests exercise the code path, not the hardness.
    Settings {
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        delivery_channels: vec![gongzhi_domain::notification::Channel::Email],
        ..Settings::default()
    }
}

/// A small world: city → district → street → two communities, each with a courtyard, and one
/// account per role.
pub struct World {
    pub app: App,
    pub city: Uuid,
    pub district: Uuid,
    pub street: Uuid,
    pub jinyang: Uuid,
    pub beiyuan: Uuid,
    pub yudong: Uuid,
    pub yudong_court: Uuid,
    pub admin: Actor,
    pub staff: Actor,
    pub other_staff: Actor,
    pub official: Actor,
    pub auditor: Actor,
    pub resident: Actor,
}

pub async fn app_on(db: Db) -> App {
    // 2026-11-22 00:00 Beijing time.
    App::new(
        db,
        Arc::new(ManualClock::starting_at(Instant::from_micros(
            1_795_276_800_000_000,
        ))),
        fast_settings(),
    )
}

pub async fn actor(app: &App, id: Uuid) -> Actor {
    let mut tx = app.db.read().await.unwrap();
    let a = Actor::load(&mut tx, id).await.unwrap();
    tx.rollback().await.unwrap();
    a
}

pub async fn place(app: &App, by: &Actor, parent: Uuid, level: &str, code: &str) -> Uuid {
    places::create_jurisdiction(
        app,
        by,
        &NewJurisdiction {
            parent_id: Some(parent),
            level,
            code,
            name_zh: code,
            name_en: code,
        },
    )
    .await
    .unwrap()
}

pub async fn account(app: &App, by: &Actor, at: Uuid, role: &str, username: &str) -> Actor {
    let id = accounts::create_account(
        app,
        by,
        at,
        role,
        &NewAccount {
            username: Some(username),
            phone: None,
            display_name: username,
            password: PASSWORD,
            locale: "zh-CN",
        },
    )
    .await
    .unwrap();
    actor(app, id).await
}

pub async fn world() -> World {
    world_on(gongzhi_store::testing::fresh_db().await).await
}

pub async fn world_on(db: Db) -> World {
    let app = app_on(db).await;
    let (city, admin_id) = setup::init(
        &app,
        &setup::Init {
            city_code: "chengdu",
            city_name_zh: "成都市",
            city_name_en: "Chengdu",
            admin_username: "admin",
            admin_name: "管理员",
            admin_password: PASSWORD,
        },
    )
    .await
    .unwrap();
    let admin = actor(&app, admin_id).await;
    let district = place(&app, &admin, city, "district", "wuhou").await;
    let street = place(&app, &admin, district, "street", "jinyang-street").await;
    let jinyang = place(&app, &admin, street, "community", "jinyang").await;
    let beiyuan = place(&app, &admin, jinyang, "courtyard", "beiyuan").await;
    let yudong = place(&app, &admin, street, "community", "yudong").await;
    let yudong_court = place(&app, &admin, yudong, "courtyard", "yudong-1").await;
    let staff = account(&app, &admin, jinyang, "staff", "staff").await;
    let other_staff = account(&app, &admin, yudong, "staff", "yudong-staff").await;
    let official = account(&app, &admin, district, "official", "official").await;
    let auditor = account(&app, &admin, city, "auditor", "auditor").await;
    let resident = account(&app, &admin, beiyuan, "resident", "resident").await;
    World {
        app,
        city,
        district,
        street,
        jinyang,
        beiyuan,
        yudong,
        yudong_court,
        admin,
        staff,
        other_staff,
        official,
        auditor,
        resident,
    }
}

/// Number of audit events in the database (to show a failed command wrote nothing).
pub async fn event_count(app: &App) -> i64 {
    let mut tx = app.db.read().await.unwrap();
    let heads = gongzhi_store::audit::heads(&mut tx).await.unwrap();
    tx.rollback().await.unwrap();
    heads.iter().map(|h| h.seq).sum()
}

/// Awaits commands started at once; counts those that succeeded and checks every other was
/// refused with `refusal` (a clear error for the loser of a race, never an internal one).
pub async fn settled<T: std::fmt::Debug>(
    attempts: Vec<tokio::task::JoinHandle<Result<T, gongzhi_app::AppError>>>,
    refusal: &str,
) -> Vec<T> {
    let mut won = Vec::new();
    for a in attempts {
        match a.await.unwrap() {
            Ok(v) => won.push(v),
            Err(gongzhi_app::AppError::Invalid(e)) => assert_eq!(e.code.0, refusal),
            Err(other) => panic!("{other:?}"),
        }
    }
    won
}

/// The audit chain and every row image verify (after commands raced each other).
pub async fn assert_record_verifies(app: &App) {
    let v = gongzhi_app::verify::verify_database(&app.db).await.unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
}
