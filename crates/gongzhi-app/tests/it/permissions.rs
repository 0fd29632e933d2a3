use gongzhi_app::people::{self, NewResident};
use gongzhi_app::{AppError, accounts, places, rules};

use crate::world;

fn denied<T: std::fmt::Debug>(r: Result<T, AppError>) -> bool {
    matches!(r, Err(AppError::Forbidden) | Err(AppError::Unauthenticated))
}

/// Each role can do what it should, on its own jurisdiction and below, and nothing else.
#[tokio::test]
async fn role_matrix() {
    let w = world().await;
    let new = |name: &str| NewResident {
        name: name.into(),
        ..Default::default()
    };

    // Register a resident in 晋阳: staff of 晋阳 and the admin may; nobody else.
    for (who, actor, allowed) in [
        ("admin", &w.admin, true),
        ("staff", &w.staff, true),
        ("other_staff", &w.other_staff, false),
        ("official", &w.official, false),
        ("auditor", &w.auditor, false),
        ("resident", &w.resident, false),
        ("anonymous", &gongzhi_app::authz::Actor::anonymous(), false),
    ] {
        let r = people::register_resident(&w.app, actor, w.jinyang, &new("张三")).await;
        assert_eq!(r.is_ok(), allowed, "{who} registering a resident: {r:?}");
        if !allowed {
            assert!(denied(r), "{who}");
        }
    }

    // Personal data of 晋阳: its staff and the admin; not the other community's staff, the
    // district official, the auditor or a resident.
    for (who, actor, allowed) in [
        ("admin", &w.admin, true),
        ("staff", &w.staff, true),
        ("other_staff", &w.other_staff, false),
        ("official", &w.official, false),
        ("auditor", &w.auditor, false),
        ("resident", &w.resident, false),
    ] {
        let r = people::list_residents(&w.app, actor, w.jinyang, 10).await;
        assert_eq!(r.is_ok(), allowed, "{who} reading residents: {r:?}");
    }

    // Jurisdictions: the district official may create below the district, not beside it.
    assert!(
        places::create_jurisdiction(
            &w.app,
            &w.official,
            &places::NewJurisdiction {
                parent_id: Some(w.street),
                level: "community",
                code: "new-one",
                name_zh: "新社区",
                name_en: ""
            },
        )
        .await
        .is_ok()
    );
    assert!(denied(
        places::create_jurisdiction(
            &w.app,
            &w.staff,
            &places::NewJurisdiction {
                parent_id: Some(w.jinyang),
                level: "courtyard",
                code: "staff-court",
                name_zh: "院",
                name_en: ""
            },
        )
        .await
    ));

    // Rules: only the admin.
    for (who, actor, allowed) in [
        ("admin", &w.admin, true),
        ("staff", &w.staff, false),
        ("official", &w.official, false),
    ] {
        let r = rules::set_rule(
            &w.app,
            actor,
            w.jinyang,
            "notice.period",
            r#"{"days":5,"counting":"working"}"#,
            "2026-12-01",
            "test",
        )
        .await;
        assert_eq!(r.is_ok(), allowed, "{who} setting a rule: {r:?}");
    }

    // Roles: staff may create resident accounts in their community but not grant staff roles.
    let resident_acct = accounts::NewAccount {
        username: Some("res2"),
        phone: None,
        display_name: "居民二",
        password: crate::PASSWORD,
        locale: "zh-CN",
    };
    assert!(
        accounts::create_account(&w.app, &w.staff, w.beiyuan, "resident", &resident_acct)
            .await
            .is_ok()
    );
    let staff_acct = accounts::NewAccount {
        username: Some("staff2"),
        ..resident_acct
    };
    assert!(denied(
        accounts::create_account(&w.app, &w.staff, w.jinyang, "staff", &staff_acct).await
    ));

    // Buildings: staff of 晋阳 in 晋阳's courtyard only.
    assert!(
        places::create_building(&w.app, &w.staff, w.beiyuan, "1栋")
            .await
            .is_ok()
    );
    assert!(denied(
        places::create_building(&w.app, &w.staff, w.yudong_court, "1栋").await
    ));
}

/// The auditor cannot change anything, and nobody reads across communities.
#[tokio::test]
async fn no_cross_community_access() {
    let w = world().await;
    let r = people::register_resident(
        &w.app,
        &w.other_staff,
        w.jinyang,
        &NewResident {
            name: "王五".into(),
            ..Default::default()
        },
    )
    .await;
    assert!(denied(r));
    assert!(denied(
        people::list_residents(&w.app, &w.other_staff, w.jinyang, 10).await
    ));
    assert!(denied(
        people::list_residents(&w.app, &w.staff, w.yudong, 10).await
    ));
    assert!(denied(
        people::void_record(
            &w.app,
            &w.auditor,
            w.jinyang,
            "residents",
            uuid::Uuid::now_v7(),
            "x"
        )
        .await
    ));
}
