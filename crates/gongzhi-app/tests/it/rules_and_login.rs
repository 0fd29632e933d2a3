use gongzhi_app::{AppError, accounts, rules};
use gongzhi_domain::rulebook::{DayCounting, RuleValue};
use gongzhi_domain::threshold::{Base, Bound};
use gongzhi_domain::time::parse_date;

use crate::{PASSWORD, world};

#[tokio::test]
async fn rules_inherit_downward_and_processes_keep_their_pin() {
    let w = world().await;
    let today = parse_date("2026-11-22").unwrap();
    let opened = w.app.now();
    let mut tx = w.app.db.read().await.unwrap();
    // City default from the seeds: 7 calendar days; 2/3 of all seated members for projects.
    let notice = rules::rule_in_force(&mut tx, w.beiyuan, "notice.period", today, opened)
        .await
        .unwrap();
    assert!(
        matches!(notice, RuleValue::NoticePeriod(p) if p.days == 7 && p.counting == DayCounting::Calendar)
    );
    match rules::rule_in_force(
        &mut tx,
        w.jinyang,
        "vote.threshold.project_approval",
        today,
        opened,
    )
    .await
    .unwrap()
    {
        RuleValue::Threshold(t) => assert_eq!(
            (t.num, t.den, t.base, t.bound),
            (2, 3, Base::Seated, Bound::AtLeast)
        ),
        other => panic!("{other:?}"),
    }
    tx.rollback().await.unwrap();

    w.app.clock.advance(60).unwrap();
    rules::set_rule(
        &w.app,
        &w.admin,
        w.district,
        "notice.period",
        r#"{"days":5,"counting":"working"}"#,
        "2026-11-01",
        "区规定",
    )
    .await
    .unwrap();
    let mut tx = w.app.db.read().await.unwrap();
    let now = w.app.now();
    let inherited = rules::rule_in_force(&mut tx, w.beiyuan, "notice.period", today, now)
        .await
        .unwrap();
    assert!(
        matches!(inherited, RuleValue::NoticePeriod(p) if p.days == 5),
        "the district's override reaches the courtyard"
    );
    let other_city_part = rules::rule_in_force(&mut tx, w.city, "notice.period", today, now)
        .await
        .unwrap();
    assert!(
        matches!(other_city_part, RuleValue::NoticePeriod(p) if p.days == 7),
        "but not upward"
    );
    let pinned = rules::rule_in_force(&mut tx, w.beiyuan, "notice.period", today, opened)
        .await
        .unwrap();
    assert!(
        matches!(pinned, RuleValue::NoticePeriod(p) if p.days == 7),
        "a process opened before keeps its rule"
    );
    let before_effective = rules::rule_in_force(
        &mut tx,
        w.beiyuan,
        "notice.period",
        parse_date("2026-10-01").unwrap(),
        now,
    )
    .await
    .unwrap();
    assert!(matches!(before_effective, RuleValue::NoticePeriod(p) if p.days == 7));
    tx.rollback().await.unwrap();

    let bad = rules::set_rule(
        &w.app,
        &w.admin,
        w.jinyang,
        "notice.period",
        r#"{"days":"seven"}"#,
        "2026-11-01",
        "x",
    )
    .await;
    assert!(matches!(bad, Err(AppError::Invalid(e)) if e.code.0 == "rule_bad_value"));
    let bad = rules::set_rule(
        &w.app,
        &w.admin,
        w.beiyuan,
        "notice.period",
        r#"{"days":3,"counting":"calendar"}"#,
        "2026-11-01",
        "x",
    )
    .await;
    assert!(
        matches!(bad, Err(AppError::Invalid(e)) if e.code.0 == "rule_needs_community_or_above")
    );
}

#[tokio::test]
async fn login_by_username_or_phone_and_sessions() {
    let w = world().await;
    let s = accounts::login(&w.app, "staff", PASSWORD, "10.0.0.1")
        .await
        .unwrap();
    let (actor, account) = accounts::actor_for_token(&w.app, &s.token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.username.as_deref(), Some("staff"));
    assert!(actor.has_role("staff"));
    assert!(
        accounts::actor_for_token(&w.app, &"0".repeat(64))
            .await
            .unwrap()
            .is_none()
    );

    // Phone login: two family members share a phone; the password tells them apart.
    for (name, pw) in [("田小余", "tian-pass-01"), ("田大山", "tian-pass-02")] {
        accounts::create_account(
            &w.app,
            &w.admin,
            w.beiyuan,
            "resident",
            &accounts::NewAccount {
                username: None,
                phone: Some("13800000001"),
                display_name: name,
                password: pw,
                locale: "zh-CN",
            },
        )
        .await
        .unwrap();
    }
    let s2 = accounts::login(&w.app, "138 0000 0001", "tian-pass-02", "10.0.0.2")
        .await
        .unwrap();
    let (_, who) = accounts::actor_for_token(&w.app, &s2.token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(who.display_name, "田大山");

    accounts::logout(&w.app, &s.token).await.unwrap();
    assert!(
        accounts::actor_for_token(&w.app, &s.token)
            .await
            .unwrap()
            .is_none()
    );

    // Sessions expire.
    w.app.clock.advance(8 * 86_400).unwrap();
    assert!(
        accounts::actor_for_token(&w.app, &s2.token)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_for_a_while() {
    let w = world().await;
    for i in 0..5 {
        let r = accounts::login(&w.app, "staff", "wrong-password", &format!("10.0.1.{i}")).await;
        assert!(
            matches!(r, Err(AppError::Invalid(ref e)) if e.code.0 == "login_failed"),
            "{r:?}"
        );
    }
    // Locked, even with the right password, with the minutes left.
    let r = accounts::login(&w.app, "staff", PASSWORD, "10.0.1.99").await;
    assert!(matches!(r, Err(AppError::Locked { minutes: 15 })), "{r:?}");
    // Other accounts are not affected.
    assert!(
        accounts::login(&w.app, "admin", PASSWORD, "10.0.1.99")
            .await
            .is_ok()
    );
    w.app.clock.advance(16 * 60).unwrap();
    assert!(
        accounts::login(&w.app, "staff", PASSWORD, "10.0.1.99")
            .await
            .is_ok()
    );
}

/// A hundred attempts fired at once, the right password among them (#77): each is reserved
/// before its password is verified, so at most the account's limit (5) reach Argon2 and the
/// rest are refused as locked, whatever their password.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_parallel_guesses_is_evaluated_at_most_up_to_the_limit() {
    let w = world().await;
    let attempts = (0..100).map(|i| {
        let app = w.app.clone();
        let password = if i == 77 { PASSWORD } else { "wrong-password" };
        tokio::spawn(async move {
            accounts::login(
                &app,
                "staff",
                password,
                &format!("10.7.{}.{}", i / 50, i % 50),
            )
            .await
        })
    });
    let mut evaluated = 0;
    let mut locked = 0;
    for a in attempts.collect::<Vec<_>>() {
        match a.await.unwrap() {
            Ok(_) => evaluated += 1,
            Err(AppError::Invalid(e)) if e.code.0 == "login_failed" => evaluated += 1,
            Err(AppError::Locked { .. }) => locked += 1,
            other => panic!("{other:?}"),
        }
    }
    assert!(evaluated <= 5, "{evaluated} attempts were evaluated");
    assert_eq!(evaluated + locked, 100);
    // The same from one address guessing many accounts: at most its limit (20) evaluated.
    let attempts = (0..60).map(|i| {
        let app = w.app.clone();
        tokio::spawn(async move {
            accounts::login(&app, &format!("nobody{i}"), "wrong-password", "10.8.8.8").await
        })
    });
    let mut evaluated = 0;
    for a in attempts.collect::<Vec<_>>() {
        if let Err(AppError::Invalid(e)) = a.await.unwrap() {
            assert_eq!(e.code.0, "login_failed");
            evaluated += 1;
        }
    }
    assert!(
        evaluated <= 20,
        "{evaluated} attempts from one address were evaluated"
    );
}

/// Forty people signing in at once behind one address (a community centre's network): those
/// beyond the address's allowance while the others are still being checked are asked to retry,
/// and nothing is locked.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_crowd_signing_in_behind_one_address_locks_nothing() {
    let w = world().await;
    let attempts = (0..40).map(|_| {
        let app = w.app.clone();
        tokio::spawn(async move { accounts::login(&app, "staff", PASSWORD, "10.5.5.5").await })
    });
    for a in attempts.collect::<Vec<_>>() {
        match a.await.unwrap() {
            Ok(_) | Err(AppError::Locked { minutes: 1 }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(
        accounts::login(&w.app, "staff", PASSWORD, "10.5.5.5")
            .await
            .is_ok()
    );
    assert!(
        accounts::login(&w.app, "auditor", PASSWORD, "10.5.5.5")
            .await
            .is_ok()
    );
}

/// Clients that hang up while their password is being checked leak nothing: the rightful
/// owner signs in afterwards (each abandoned attempt is settled by a task of its own).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn abandoned_sign_ins_neither_lock_out_nor_leak() {
    let w = world().await;
    // The production cost of Argon2, so that checking a password takes long enough to hang up
    // in the middle of it.
    let app = gongzhi_app::App::new(
        w.app.db.clone(),
        w.app.clock.clone(),
        gongzhi_app::Settings {
            argon2_memory_kib: gongzhi_app::Settings::default().argon2_memory_kib,
            argon2_iterations: gongzhi_app::Settings::default().argon2_iterations,
            ..(*w.app.settings).clone()
        },
    );
    crate::account(&app, &w.admin, w.jinyang, "staff", "patient").await;
    let started = std::time::Instant::now();
    accounts::login(&app, "patient", PASSWORD, "10.6.6.5")
        .await
        .unwrap();
    let one = started.elapsed();
    for i in 1..=8u32 {
        let attempt = accounts::login(&app, "patient", PASSWORD, "10.6.6.6");
        let _ = tokio::time::timeout(one * i / 10, attempt).await;
    }
    // The abandoned attempts finish on their own.
    tokio::time::sleep(one * 20).await;
    accounts::login(&app, "patient", PASSWORD, "10.6.6.6")
        .await
        .unwrap();
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_paused() {
    let w = world().await;
    for i in 0..20 {
        let _ = accounts::login(&w.app, &format!("nobody{i}"), "wrong-password", "10.9.9.9").await;
    }
    let r = accounts::login(&w.app, "admin", PASSWORD, "10.9.9.9").await;
    assert!(matches!(r, Err(AppError::Locked { .. })), "{r:?}");
    assert!(
        accounts::login(&w.app, "admin", PASSWORD, "10.9.9.10")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn successful_logins_are_never_limited() {
    let w = world().await;
    for _ in 0..30 {
        accounts::login(&w.app, "auditor", PASSWORD, "10.0.2.1")
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn password_change_checks_the_old_one_and_signs_out_other_sessions() {
    let w = world().await;
    let a = accounts::login(&w.app, "staff", PASSWORD, "10.0.3.1")
        .await
        .unwrap();
    let b = accounts::login(&w.app, "staff", PASSWORD, "10.0.3.2")
        .await
        .unwrap();
    let r = accounts::change_password(
        &w.app,
        &w.staff,
        &a.token,
        "not-it-at-all",
        "new-password-9",
    )
    .await;
    assert!(matches!(r, Err(AppError::Invalid(ref e)) if e.code.0 == "password_wrong"));
    let r = accounts::change_password(&w.app, &w.staff, &a.token, PASSWORD, "short").await;
    assert!(matches!(r, Err(AppError::Invalid(ref e)) if e.code.0 == "password_too_short"));
    accounts::change_password(&w.app, &w.staff, &a.token, PASSWORD, "new-password-9")
        .await
        .unwrap();
    assert!(
        accounts::actor_for_token(&w.app, &a.token)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        accounts::actor_for_token(&w.app, &b.token)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        accounts::login(&w.app, "staff", "new-password-9", "10.0.3.3")
            .await
            .is_ok()
    );
}
