//! The pages' copies of places and rule versions (`gongzhi_app::reference`): a page sees this
//! process's own changes at once, another process's when its copy expires, and never keeps a
//! place that does not exist.

use std::time::Duration;

use gongzhi_app::projects::{LedgerPage, ledger_page};
use gongzhi_app::{App, AppError, Settings, rules};
use gongzhi_store::projects::NeedFilter;

use crate::{World, fast_settings, place, world};

/// The needs ledger's list of places (by name) and categories (by code) for yudong's staff.
async fn ledger_lists(app: &App, w: &World) -> (Vec<String>, Vec<String>) {
    let LedgerPage {
        places, categories, ..
    } = ledger_page(
        app,
        &w.other_staff,
        "yudong",
        &NeedFilter {
            limit: 50,
            ..NeedFilter::default()
        },
    )
    .await
    .unwrap();
    (
        places.into_iter().map(|(_, name)| name).collect(),
        categories.into_iter().map(|(code, ..)| code).collect(),
    )
}

/// yudong's lists gain a priority category, 居家养老 (`elder_care`), from 2026-11-01.
async fn add_elder_care(w: &World) {
    let lists = r#"{"priority":[{"category":"environment","zh":"社区和院落生态环境整治","en":"Community and courtyard environment"},{"category":"elder_care","zh":"居家养老","en":"Care of the elderly at home"}],"prohibited":[]}"#;
    rules::set_rule(
        &w.app,
        &w.admin,
        w.yudong,
        "project.lists",
        lists,
        "2026-11-01",
        "增加居家养老类别",
    )
    .await
    .unwrap();
}

/// Another server on the same database, whose copies live `secs` seconds.
fn second_process(w: &World, secs: u64) -> App {
    App::new(
        w.app.db.clone(),
        w.app.clock.clone(),
        Settings {
            reference_cache_secs: secs,
            ..fast_settings()
        },
    )
}

#[tokio::test]
async fn a_page_sees_this_process_s_new_place_and_rule_at_once() {
    let w = world().await;
    let (places, categories) = ledger_lists(&w.app, &w).await;
    assert_eq!(places, ["yudong", "yudong-1"]);
    assert!(categories.contains(&"infrastructure".to_string()));
    assert!(!categories.contains(&"elder_care".to_string()));

    // Both reads above are copies now; the commands below must make them stale.
    place(&w.app, &w.admin, w.yudong, "courtyard", "yudong-2").await;
    add_elder_care(&w).await;
    let (places, categories) = ledger_lists(&w.app, &w).await;
    assert_eq!(places, ["yudong", "yudong-1", "yudong-2"]);
    assert_eq!(categories, ["environment", "elder_care", "other"]);
}

#[tokio::test]
async fn another_process_s_change_shows_when_the_copy_expires() {
    let w = world().await;
    let keeps = second_process(&w, 3_600);
    let expires = second_process(&w, 1);
    let no_copies = second_process(&w, 0);
    for app in [&keeps, &expires, &no_copies] {
        assert_eq!(ledger_lists(app, &w).await.0, ["yudong", "yudong-1"]);
    }

    place(&w.app, &w.admin, w.yudong, "courtyard", "yudong-2").await;
    add_elder_care(&w).await;
    let now = ["yudong", "yudong-1", "yudong-2"];
    assert_eq!(ledger_lists(&no_copies, &w).await.0, now);
    // Within its hour the first keeps what it read: the documented cost of the copies.
    let (places, categories) = ledger_lists(&keeps, &w).await;
    assert_eq!(places, ["yudong", "yudong-1"]);
    assert!(!categories.contains(&"elder_care".to_string()));

    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let (places, categories) = ledger_lists(&expires, &w).await;
    assert_eq!(places, now);
    assert!(categories.contains(&"elder_care".to_string()));
}

#[tokio::test]
async fn a_community_created_after_its_code_was_asked_for_is_found() {
    let w = world().await;
    let filter = NeedFilter {
        limit: 50,
        ..NeedFilter::default()
    };
    let asked = ledger_page(&w.app, &w.admin, "xinhe", &filter).await;
    assert!(matches!(asked, Err(AppError::NotFound(_))), "{asked:?}");
    let xinhe = place(&w.app, &w.admin, w.street, "community", "xinhe").await;
    let page = ledger_page(&w.app, &w.admin, "xinhe", &filter)
        .await
        .unwrap();
    assert_eq!(page.community.id, xinhe);
    // The copy of its chain answers the permission check as the database would.
    let refused = ledger_page(&w.app, &w.other_staff, "xinhe", &filter).await;
    assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
}
