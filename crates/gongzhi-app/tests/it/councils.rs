use gongzhi_app::councils::{self, NewCouncil, NewMotion};
use gongzhi_app::people::{self, NewResident};
use gongzhi_app::todo::Todo;
use gongzhi_app::verify::verify_database;
use gongzhi_app::{AppError, accounts};
use gongzhi_domain::council::NoticeState;
use uuid::Uuid;

use crate::{World, actor, settled, world};

fn code<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    match r {
        Err(e) => match e {
            AppError::Invalid(d) => d.code.0.to_string(),
            other => other.code().to_string(),
        },
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

/// A council of `n` voting members (the first is the chair) at a jurisdiction; returns it and its seats.
pub(crate) async fn council(w: &World, at: Uuid, short: &str, n: usize) -> (Uuid, Vec<Uuid>) {
    let tenant = if at == w.beiyuan || at == w.jinyang {
        w.jinyang
    } else {
        w.yudong
    };
    let c = councils::create_council(
        &w.app,
        &w.staff,
        &NewCouncil {
            jurisdiction_id: at,
            kind: "council",
            name_zh: short,
            name_en: "",
            short_name: short,
        },
    )
    .await
    .unwrap();
    let mut seats = Vec::new();
    for i in 0..n {
        let r = people::register_resident(
            &w.app,
            &w.staff,
            tenant,
            &NewResident {
                name: format!("成员{i}"),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let role = if i == 0 { "chair" } else { "member" };
        seats.push(
            councils::seat_member(
                &w.app,
                &w.staff,
                c,
                r,
                role,
                "2026-01-01",
                Some("2030-12-31"),
            )
            .await
            .unwrap(),
        );
    }
    (c, seats)
}

pub(crate) async fn meeting_with(w: &World, c: Uuid, present: &[Uuid]) -> Uuid {
    let m = councils::schedule_meeting(&w.app, &w.staff, c, "例会", w.app.now())
        .await
        .unwrap();
    for s in present {
        councils::record_attendance(&w.app, &w.staff, m, *s, true)
            .await
            .unwrap();
    }
    m
}

pub(crate) async fn motion(
    w: &World,
    c: Uuid,
    meeting: Option<Uuid>,
    kind: &str,
    notice: bool,
) -> Uuid {
    councils::open_motion(
        &w.app,
        &w.staff,
        &NewMotion {
            council_id: c,
            meeting_id: meeting,
            kind,
            title: "北苑院落改造",
            body: "更换路灯、修缮围墙，预算 36,000 元",
            needs_notice: notice,
            convention: None,
            approved_fund: None,
        },
    )
    .await
    .unwrap()
}

/// 北苑: the courtyard council of 5 passes a motion; the notice runs 7 days with one objection,
/// answered and dismissed; the resolution takes effect.
#[tokio::test]
async fn beiyuan_end_to_end() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 5).await;
    let m = meeting_with(&w, c, &seats).await;
    let mo = motion(&w, c, Some(m), "project_approval", true).await;
    for s in &seats {
        councils::cast_vote(&w.app, &w.staff, mo, *s, "yes")
            .await
            .unwrap();
    }
    let closed = councils::close_motion(&w.app, &w.staff, mo).await.unwrap();
    assert!(closed.passed);
    assert_eq!(
        (
            closed.tally.counts.yes,
            closed.tally.base,
            closed.tally.min_yes
        ),
        (5, 5, 4)
    );
    let (res, label) = closed.resolution.unwrap();
    assert_eq!(label, "北苑小区议〔2026〕1号");

    let public = councils::resolution(&w.app, res).await.unwrap();
    assert_eq!(public.state, NoticeState::Open);
    // Posted Sunday 2026-11-22: the week ends at 24:00 on Monday 11-30 (the 29th is a Sunday).
    assert_eq!(
        gongzhi_domain::time::Instant::from_micros(public.row.notice_end.unwrap()).china_minute(),
        "2026-12-01 00:00"
    );

    let objection = councils::file_objection(
        &w.app,
        &w.resident,
        res,
        "围墙修缮会影响停车，请说明施工时间。",
    )
    .await
    .unwrap();
    w.app.clock.advance(3 * 86_400).unwrap();
    councils::answer_objection(
        &w.app,
        &w.staff,
        res,
        objection,
        "施工安排在白天，停车不受影响。",
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        councils::resolution(&w.app, res).await.unwrap().state,
        NoticeState::Open
    );
    w.app.clock.advance(6 * 86_400).unwrap();
    let after = councils::resolution(&w.app, res).await.unwrap();
    assert!(
        matches!(after.state, NoticeState::InForce(at) if at.micros() == public.row.notice_end.unwrap()),
        "{:?}",
        after.state
    );
    // Numbers are gapless per council and year.
    let mo2 = motion(&w, c, Some(m), "general", false).await;
    for s in &seats[..3] {
        councils::cast_vote(&w.app, &w.staff, mo2, *s, "yes")
            .await
            .unwrap();
    }
    assert_eq!(
        councils::close_motion(&w.app, &w.staff, mo2)
            .await
            .unwrap()
            .resolution
            .unwrap()
            .1,
        "北苑小区议〔2026〕2号"
    );
    assert!(verify_database(&w.app.db).await.unwrap().ok());
}

/// 晋阳's community council of 37: 25 yes passes, 24 yes fails (at least 2/3 of all seated).
#[tokio::test]
async fn jinyang_council_of_37() {
    let w = world().await;
    let (c, seats) = council(&w, w.jinyang, "晋阳社区", 37).await;
    let m = meeting_with(&w, c, &seats).await;
    for (yes, passes) in [(25, true), (24, false)] {
        let mo = motion(&w, c, Some(m), "project_approval", false).await;
        for (i, s) in seats.iter().enumerate() {
            councils::cast_vote(&w.app, &w.staff, mo, *s, if i < yes { "yes" } else { "no" })
                .await
                .unwrap();
        }
        let closed = councils::close_motion(&w.app, &w.staff, mo).await.unwrap();
        assert_eq!(closed.passed, passes, "{yes} of 37");
        assert_eq!(closed.tally.min_yes, 25);
        assert_eq!(closed.resolution.is_some(), passes);
    }
}

#[tokio::test]
async fn quorum_recusal_closing_and_who_may_vote() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 5).await;
    // 3 of 5 present is below 2/3: no vote.
    let thin = meeting_with(&w, c, &seats[..3]).await;
    let mo = motion(&w, c, Some(thin), "general", false).await;
    assert_eq!(
        code(councils::cast_vote(&w.app, &w.staff, mo, seats[0], "yes").await),
        "quorum_not_met"
    );
    // An absent member cannot be voted for.
    assert_eq!(
        code(councils::cast_vote(&w.app, &w.staff, mo, seats[4], "yes").await),
        "member_not_present"
    );

    let full = meeting_with(&w, c, &seats).await;
    let mo = motion(&w, c, Some(full), "general", false).await;
    councils::recuse(&w.app, &w.staff, mo, seats[1], "申报人的亲属承接该项目")
        .await
        .unwrap();
    assert_eq!(
        code(councils::cast_vote(&w.app, &w.staff, mo, seats[1], "yes").await),
        "member_recused"
    );
    assert_eq!(
        code(councils::cast_vote(&w.app, &w.staff, mo, seats[2], "maybe").await),
        "vote_choice_invalid"
    );
    councils::cast_vote(&w.app, &w.staff, mo, seats[2], "no")
        .await
        .unwrap();
    councils::cast_vote(&w.app, &w.staff, mo, seats[2], "yes")
        .await
        .unwrap(); // changed before closing
    councils::cast_vote(&w.app, &w.staff, mo, seats[3], "yes")
        .await
        .unwrap();
    councils::cast_vote(&w.app, &w.staff, mo, seats[4], "yes")
        .await
        .unwrap();
    let closed = councils::close_motion(&w.app, &w.staff, mo).await.unwrap();
    assert_eq!(
        (
            closed.tally.counts.yes,
            closed.tally.counts.present,
            closed.tally.recused
        ),
        (3, 4, 1)
    );
    assert!(
        closed.passed,
        "3 of the 4 present who may vote is more than half"
    );
    assert_eq!(
        code(councils::cast_vote(&w.app, &w.staff, mo, seats[0], "yes").await),
        "motion_closed"
    );
    assert_eq!(
        code(councils::close_motion(&w.app, &w.staff, mo).await),
        "motion_closed"
    );

    // Outside a meeting only the member votes, as themselves.
    let account = accounts::create_account(
        &w.app,
        &w.admin,
        w.beiyuan,
        "resident",
        &accounts::NewAccount {
            username: Some("member-self"),
            phone: None,
            display_name: "自投成员",
            password: crate::PASSWORD,
            locale: "zh-CN",
        },
    )
    .await
    .unwrap();
    let me = people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &NewResident {
            name: "自投成员".into(),
            account_id: Some(account),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let my_seat = councils::seat_member(&w.app, &w.staff, c, me, "member", "2026-01-01", None)
        .await
        .unwrap();
    let remote = motion(&w, c, None, "general", false).await;
    let member = actor(&w.app, account).await;
    councils::cast_vote(&w.app, &member, remote, my_seat, "yes")
        .await
        .unwrap();
    assert_eq!(
        code(councils::cast_vote(&w.app, &member, remote, seats[2], "yes").await),
        "vote_for_another"
    );
    assert_eq!(
        code(councils::cast_vote(&w.app, &w.staff, remote, seats[2], "yes").await),
        "vote_for_another"
    );
    assert!(verify_database(&w.app.db).await.unwrap().ok());
}

#[tokio::test]
async fn objections_upheld_late_or_from_elsewhere() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 3).await;
    let m = meeting_with(&w, c, &seats).await;
    let pass = |mo| {
        let w = &w;
        let seats = seats.clone();
        async move {
            for s in &seats {
                councils::cast_vote(&w.app, &w.staff, mo, *s, "yes")
                    .await
                    .unwrap();
            }
            councils::close_motion(&w.app, &w.staff, mo)
                .await
                .unwrap()
                .resolution
                .unwrap()
                .0
        }
    };
    let res = pass(motion(&w, c, Some(m), "project_approval", true).await).await;

    let outsider_id = accounts::create_account(
        &w.app,
        &w.admin,
        w.yudong_court,
        "resident",
        &accounts::NewAccount {
            username: Some("outsider"),
            phone: None,
            display_name: "玉东居民",
            password: crate::PASSWORD,
            locale: "zh-CN",
        },
    )
    .await
    .unwrap();
    let outsider = actor(&w.app, outsider_id).await;
    assert_eq!(
        code(councils::file_objection(&w.app, &outsider, res, "我反对").await),
        "objection_not_resident"
    );
    assert_eq!(
        code(councils::file_objection(&w.app, &w.resident, res, "  ").await),
        "text_length_invalid"
    );

    let o = councils::file_objection(&w.app, &w.resident, res, "预算过高")
        .await
        .unwrap();
    councils::answer_objection(&w.app, &w.staff, res, o, "将重新询价后再议", true)
        .await
        .unwrap();
    assert_eq!(
        councils::resolution(&w.app, res).await.unwrap().state,
        NoticeState::Returned
    );
    assert_eq!(
        code(councils::answer_objection(&w.app, &w.staff, res, o, "again", false).await),
        "objection_already_answered"
    );
    // Nobody can object to a returned resolution, nor after a notice ends.
    assert_eq!(
        code(councils::file_objection(&w.app, &w.resident, res, "又一条").await),
        "notice_period_over"
    );
    let res2 = pass(motion(&w, c, Some(m), "project_approval", true).await).await;
    w.app.clock.advance(10 * 86_400).unwrap();
    assert_eq!(
        code(councils::file_objection(&w.app, &w.resident, res2, "太晚了").await),
        "notice_period_over"
    );
    assert!(matches!(
        councils::resolution(&w.app, res2).await.unwrap().state,
        NoticeState::InForce(_)
    ));
    // An objection left unanswered at the end holds the resolution back.
    let res3 = pass(motion(&w, c, Some(m), "project_approval", true).await).await;
    councils::file_objection(&w.app, &w.resident, res3, "请公开报价")
        .await
        .unwrap();
    w.app.clock.advance(10 * 86_400).unwrap();
    assert_eq!(
        councils::resolution(&w.app, res3).await.unwrap().state,
        NoticeState::AwaitingAnswers
    );
}

#[tokio::test]
async fn council_size_comes_from_the_rulebook() {
    let w = world().await;
    let (c, _) = council(&w, w.beiyuan, "北苑小区", 2).await;
    let r = councils::open_motion(
        &w.app,
        &w.staff,
        &NewMotion {
            council_id: c,
            meeting_id: None,
            kind: "general",
            title: "t",
            body: "b",
            needs_notice: false,
            convention: None,
            approved_fund: None,
        },
    )
    .await;
    assert_eq!(code(r), "council_too_small");
    gongzhi_app::rules::set_rule(
        &w.app,
        &w.admin,
        w.jinyang,
        "council.size.courtyard",
        r#"{"min":2,"max":2}"#,
        "2026-01-01",
        "试点",
    )
    .await
    .unwrap();
    assert!(
        councils::open_motion(
            &w.app,
            &w.staff,
            &NewMotion {
                council_id: c,
                meeting_id: None,
                kind: "general",
                title: "t",
                body: "b",
                needs_notice: false,
                convention: None,
                approved_fund: None,
            }
        )
        .await
        .is_ok()
    );
    let extra = people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &NewResident {
            name: "多余".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        code(councils::seat_member(&w.app, &w.staff, c, extra, "member", "2026-01-01", None).await),
        "council_full"
    );
    assert!(
        councils::seat_member(&w.app, &w.staff, c, extra, "invitee", "2026-01-01", None)
            .await
            .is_ok(),
        "invitees take no seat"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn minutes_are_signed_by_attendees_only() {
    let w = world().await;
    let (c, mut seats) = council(&w, w.beiyuan, "北苑小区", 3).await;
    // Two members who sign in themselves: one comes to the meeting, one does not.
    let mut members = Vec::new();
    for name in ["到会成员", "缺席成员"] {
        let account = accounts::create_account(
            &w.app,
            &w.admin,
            w.beiyuan,
            "resident",
            &accounts::NewAccount {
                username: Some(if name == "到会成员" {
                    "came"
                } else {
                    "absent"
                }),
                phone: None,
                display_name: name,
                password: crate::PASSWORD,
                locale: "zh-CN",
            },
        )
        .await
        .unwrap();
        let r = people::register_resident(
            &w.app,
            &w.staff,
            w.jinyang,
            &NewResident {
                name: name.into(),
                account_id: Some(account),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let seat = councils::seat_member(&w.app, &w.staff, c, r, "member", "2026-01-01", None)
            .await
            .unwrap();
        members.push((actor(&w.app, account).await, seat));
    }
    seats.push(members[0].1);
    let m = meeting_with(&w, c, &seats).await;
    let (came, came_seat) = (&members[0].0, members[0].1);
    let (absent, absent_seat) = (&members[1].0, members[1].1);
    assert_eq!(
        code(councils::sign_minutes(&w.app, came, m, came_seat).await),
        "minutes_not_written"
    );
    councils::write_minutes(
        &w.app,
        &w.staff,
        m,
        "议题一：院落改造。议定：报社区议事会。",
    )
    .await
    .unwrap();
    assert_eq!(
        code(councils::sign_minutes(&w.app, absent, m, absent_seat).await),
        "minutes_signer_absent"
    );
    assert_eq!(
        code(councils::sign_minutes(&w.app, came, m, seats[0]).await),
        "sign_for_another"
    );
    // The member signs from two devices at once, twelve times: one signature, clear refusals.
    let signing: Vec<_> = (0..12)
        .map(|_| {
            let (app, came) = (w.app.clone(), came.clone());
            tokio::spawn(async move { councils::sign_minutes(&app, &came, m, came_seat).await })
        })
        .collect();
    assert_eq!(
        settled(signing, "minutes_already_signed_by_you")
            .await
            .len(),
        1
    );
    assert_eq!(
        code(councils::write_minutes(&w.app, &w.staff, m, "改写").await),
        "minutes_already_signed"
    );
    let view = councils::meeting_view(&w.app, m).await.unwrap();
    assert!(!view.approved, "the other attendees have not signed yet");
    assert_eq!(view.meeting.status.as_str(), "closed");
    assert!(
        view.attendance
            .iter()
            .any(|(name, present, signed)| name == "到会成员" && *present && *signed)
    );
    assert!(
        view.attendance
            .iter()
            .any(|(name, present, _)| name == "缺席成员" && !*present)
    );
    assert!(verify_database(&w.app.db).await.unwrap().ok());
}

/// A rule changed while a vote is under way does not reach it; the next motion uses the new rule.
#[tokio::test]
async fn a_motion_keeps_the_rules_it_opened_with() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 3).await;
    let m = meeting_with(&w, c, &seats).await;
    let before = motion(&w, c, Some(m), "general", false).await;
    gongzhi_app::rules::set_rule(
        &w.app,
        &w.admin,
        w.jinyang,
        "vote.threshold.general",
        r#"{"num":1,"den":1,"base":"present","bound":"at_least"}"#,
        "2026-01-01",
        "改为全体一致",
    )
    .await
    .unwrap();
    let after = motion(&w, c, Some(m), "general", false).await;
    for mo in [before, after] {
        councils::cast_vote(&w.app, &w.staff, mo, seats[0], "yes")
            .await
            .unwrap();
        councils::cast_vote(&w.app, &w.staff, mo, seats[1], "yes")
            .await
            .unwrap();
        councils::cast_vote(&w.app, &w.staff, mo, seats[2], "no")
            .await
            .unwrap();
    }
    assert!(
        councils::close_motion(&w.app, &w.staff, before)
            .await
            .unwrap()
            .passed,
        "majority, as when it opened"
    );
    assert!(
        !councils::close_motion(&w.app, &w.staff, after)
            .await
            .unwrap()
            .passed,
        "unanimity, the new rule"
    );
}

/// The meeting's running count of members present follows every correction, so the quorum
/// check (one row, not a count over the council) stays exact.
#[tokio::test]
async fn attendance_corrections_keep_the_quorum_exact() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 5).await;
    let m = meeting_with(&w, c, &seats[..4]).await;
    // Recording someone present twice counts them once.
    councils::record_attendance(&w.app, &w.staff, m, seats[0], true)
        .await
        .unwrap();
    let mo = motion(&w, c, Some(m), "general", false).await;
    councils::cast_vote(&w.app, &w.staff, mo, seats[0], "yes")
        .await
        .unwrap();
    // Two leave: 2 of 5 present is below quorum.
    councils::record_attendance(&w.app, &w.staff, m, seats[1], false)
        .await
        .unwrap();
    councils::record_attendance(&w.app, &w.staff, m, seats[2], false)
        .await
        .unwrap();
    assert_eq!(
        code(councils::cast_vote(&w.app, &w.staff, mo, seats[3], "yes").await),
        "quorum_not_met"
    );
    // One comes back and a latecomer arrives: 4 of 5.
    councils::record_attendance(&w.app, &w.staff, m, seats[1], true)
        .await
        .unwrap();
    councils::record_attendance(&w.app, &w.staff, m, seats[4], true)
        .await
        .unwrap();
    councils::cast_vote(&w.app, &w.staff, mo, seats[3], "yes")
        .await
        .unwrap();
    let view = councils::meeting_view(&w.app, m).await.unwrap();
    assert_eq!(view.meeting.present_count, 4);
    assert_eq!(
        view.attendance
            .iter()
            .filter(|(_, present, _)| *present)
            .count(),
        4
    );
}

#[tokio::test]
async fn conventions_change_only_by_passed_motions() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 3).await;
    let m = meeting_with(&w, c, &seats).await;
    let pact = councils::create_convention(&w.app, &w.staff, w.beiyuan, "北苑院落公约")
        .await
        .unwrap();
    let propose = |text: &'static str| {
        let w = &w;
        async move {
            councils::open_motion(
                &w.app,
                &w.staff,
                &NewMotion {
                    council_id: c,
                    meeting_id: Some(m),
                    kind: "convention",
                    title: "公约",
                    body: "表决",
                    needs_notice: false,
                    convention: Some((pact, text)),
                    approved_fund: None,
                },
            )
            .await
            .unwrap()
        }
    };
    let vote = |mo, yes: usize| {
        let w = &w;
        let seats = seats.clone();
        async move {
            for (i, s) in seats.iter().enumerate() {
                councils::cast_vote(&w.app, &w.staff, mo, *s, if i < yes { "yes" } else { "no" })
                    .await
                    .unwrap();
            }
            councils::close_motion(&w.app, &w.staff, mo)
                .await
                .unwrap()
                .passed
        }
    };
    assert!(vote(propose("第一条 爱护环境。\n第五条 车辆有序停放。").await, 3).await);
    assert!(
        !vote(propose("第一条 随意。").await, 1).await,
        "a failed motion changes nothing"
    );
    assert!(vote(propose("第一条 爱护环境。\n第五条 电动车停车棚。").await, 3).await);
    let view = councils::convention_view(&w.app, pact).await.unwrap();
    assert_eq!(
        view.versions.iter().map(|v| v.0).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(
        view.versions[1].3.as_deref(),
        Some("北苑小区议〔2026〕2号"),
        "each version names its resolution; the failed motion took no number"
    );
    let diff = gongzhi_domain::convention::diff_lines(&view.versions[0].1, &view.versions[1].1);
    assert!(diff.contains(&gongzhi_domain::convention::DiffLine::Added(
        "第五条 电动车停车棚。".into()
    )));

    let missing = councils::open_motion(
        &w.app,
        &w.staff,
        &NewMotion {
            council_id: c,
            meeting_id: Some(m),
            kind: "convention",
            title: "公约",
            body: "表决",
            needs_notice: false,
            convention: None,
            approved_fund: None,
        },
    )
    .await;
    assert_eq!(code(missing), "convention_text_required");
    assert!(verify_database(&w.app.db).await.unwrap().ok());
}

/// The supervisory board watches the committee: committee members and their declared close
/// relatives cannot sit on it.
#[tokio::test]
async fn supervisory_board_independence() {
    let w = world().await;
    let board = councils::create_council(
        &w.app,
        &w.staff,
        &NewCouncil {
            jurisdiction_id: w.jinyang,
            kind: "supervisory_board",
            name_zh: "晋阳社区监事会",
            name_en: "",
            short_name: "晋阳监事会",
        },
    )
    .await
    .unwrap();
    // The committee director signs in as themselves and holds the office.
    let director_account = accounts::create_account(
        &w.app,
        &w.admin,
        w.jinyang,
        "resident",
        &accounts::NewAccount {
            username: Some("director"),
            phone: None,
            display_name: "王主任",
            password: crate::PASSWORD,
            locale: "zh-CN",
        },
    )
    .await
    .unwrap();
    accounts::assign_office(
        &w.app,
        &w.admin,
        w.jinyang,
        "committee_director",
        director_account,
        "2026-11-22",
        None,
    )
    .await
    .unwrap();
    let reg = |name: &'static str, account: Option<Uuid>| {
        let w = &w;
        async move {
            let new = NewResident {
                name: name.into(),
                account_id: account,
                ..Default::default()
            };
            people::register_resident(&w.app, &w.staff, w.jinyang, &new).await
        }
    };
    let director = reg("王主任", Some(director_account)).await.unwrap();
    let spouse = reg("王夫人", None).await.unwrap();
    let neighbour = reg("李邻居", None).await.unwrap();
    councils::declare_relative(&w.app, &w.staff, w.jinyang, director, spouse, "spouse")
        .await
        .unwrap();
    assert_eq!(
        code(
            councils::declare_relative(&w.app, &w.staff, w.jinyang, director, neighbour, "friend")
                .await
        ),
        "relation_unknown"
    );

    assert_eq!(
        code(
            councils::seat_member(
                &w.app,
                &w.staff,
                board,
                director,
                "member",
                "2026-11-22",
                None
            )
            .await
        ),
        "supervisor_is_committee_member"
    );
    match councils::seat_member(
        &w.app,
        &w.staff,
        board,
        spouse,
        "member",
        "2026-11-22",
        None,
    )
    .await
    {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.code.0, "supervisor_relative_of_committee");
            assert_eq!(e.args, vec![("relation", "spouse".to_string())]);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        councils::seat_member(
            &w.app,
            &w.staff,
            board,
            neighbour,
            "member",
            "2026-11-22",
            None
        )
        .await
        .is_ok()
    );
    // An ordinary council has no such rule.
    let (c, _) = council(&w, w.jinyang, "晋阳社区", 0).await;
    assert!(
        councils::seat_member(&w.app, &w.staff, c, spouse, "member", "2026-11-22", None)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_members_record_shows_attendance_and_missed_votes() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 4).await;
    let m1 = meeting_with(&w, c, &seats).await;
    let first = motion(&w, c, Some(m1), "general", false).await;
    for s in &seats {
        councils::cast_vote(&w.app, &w.staff, first, *s, "yes")
            .await
            .unwrap();
    }
    councils::close_motion(&w.app, &w.staff, first)
        .await
        .unwrap();
    let m2 = meeting_with(&w, c, &seats[..3]).await;
    let second = motion(&w, c, Some(m2), "general", false).await;
    for s in &seats[..3] {
        councils::cast_vote(&w.app, &w.staff, second, *s, "no")
            .await
            .unwrap();
    }
    councils::close_motion(&w.app, &w.staff, second)
        .await
        .unwrap();
    let record = councils::member_record(&w.app, c, seats[3]).await.unwrap();
    assert_eq!(
        record.meetings.iter().map(|m| m.2).collect::<Vec<_>>(),
        vec![true, false]
    );
    assert_eq!(
        record.votes.iter().map(|v| v.2.clone()).collect::<Vec<_>>(),
        vec![Some("yes".to_string()), None]
    );
    assert_eq!(record.votes[1].1, "failed");
}

/// A member who signs in as themselves, seated on a council.
async fn member_with_account(
    w: &World,
    c: Uuid,
    username: &str,
) -> (gongzhi_app::authz::Actor, Uuid) {
    let account = accounts::create_account(
        &w.app,
        &w.admin,
        w.beiyuan,
        "resident",
        &accounts::NewAccount {
            username: Some(username),
            phone: None,
            display_name: username,
            password: crate::PASSWORD,
            locale: "zh-CN",
        },
    )
    .await
    .unwrap();
    let new = NewResident {
        name: username.into(),
        account_id: Some(account),
        ..Default::default()
    };
    let r = people::register_resident(&w.app, &w.staff, w.jinyang, &new)
        .await
        .unwrap();
    let seat = councils::seat_member(&w.app, &w.staff, c, r, "member", "2026-01-01", None)
        .await
        .unwrap();
    (actor(&w.app, account).await, seat)
}

/// An extraordinary meeting needs the rulebook's share of members: one fifth of 10 seated is 2.
#[tokio::test]
async fn extraordinary_meetings_need_the_share_of_members() {
    let w = world().await;
    let (c, _) = council(&w, w.beiyuan, "北苑小区", 7).await;
    let (a, seat_a) = member_with_account(&w, c, "member-a").await;
    let (b, seat_b) = member_with_account(&w, c, "member-b").await;
    let (d, seat_d) = member_with_account(&w, c, "member-d").await;
    let req = councils::request_meeting(&w.app, &a, c, seat_a, "围墙倒塌，需紧急议定抢修")
        .await
        .unwrap();
    let at = w.app.now().plus_seconds(86_400);
    match councils::call_requested_meeting(&w.app, &a, req, seat_a, "临时会议", at).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.code.0, "request_share_not_met");
            assert_eq!(
                e.args,
                vec![
                    ("support", "1".into()),
                    ("needed", "2".into()),
                    ("seated", "10".into())
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        code(councils::support_request(&w.app, &b, req, seat_a).await),
        "request_for_another"
    );
    councils::support_request(&w.app, &b, req, seat_b)
        .await
        .unwrap();
    assert_eq!(
        code(councils::support_request(&w.app, &b, req, seat_b).await),
        "request_already_supported"
    );
    assert_eq!(
        code(councils::call_requested_meeting(&w.app, &d, req, seat_d, "临时会议", at).await),
        "request_not_supported_by_you"
    );
    let meeting = councils::call_requested_meeting(&w.app, &b, req, seat_b, "临时会议", at)
        .await
        .unwrap();
    assert_eq!(
        councils::meeting_view(&w.app, meeting)
            .await
            .unwrap()
            .meeting
            .status
            .as_str(),
        "scheduled"
    );
    assert_eq!(
        code(councils::call_requested_meeting(&w.app, &a, req, seat_a, "再开一次", at).await),
        "request_already_called"
    );
    assert!(verify_database(&w.app.db).await.unwrap().ok());
}

/// The chair's roll-call screen lists the members with their attendance and every motion of the
/// meeting with each member's vote; only the chair or staff may run it.
#[tokio::test]
async fn roll_call_shows_attendance_and_votes_to_those_who_run_the_meeting() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 5).await;
    let m = meeting_with(&w, c, &seats[..4]).await;
    let mo = motion(&w, c, Some(m), "general", false).await;
    councils::cast_vote(&w.app, &w.staff, mo, seats[0], "yes")
        .await
        .unwrap();
    councils::cast_vote(&w.app, &w.staff, mo, seats[1], "no")
        .await
        .unwrap();
    let r = councils::roll_call(&w.app, &w.staff, m).await.unwrap();
    assert!(r.can_run);
    assert_eq!(r.members.len(), 5);
    assert_eq!(r.members.iter().filter(|m| m.2).count(), 4, "four present");
    assert_eq!(r.motions.len(), 1);
    let rm = &r.motions[0];
    assert!(rm.open);
    assert_eq!(rm.votes.len(), 2);
    assert!(rm.votes.contains(&(seats[1], "no".to_string())));
    let as_resident = councils::roll_call(&w.app, &w.resident, m).await.unwrap();
    assert!(
        !as_resident.can_run,
        "a resident sees results, not the controls"
    );
    // The absent member cannot be recorded as voting in the room.
    assert_eq!(
        code(councils::cast_vote(&w.app, &w.staff, mo, seats[4], "yes").await),
        "member_not_present"
    );
}

/// A revision adopted by a resolution that is posted for notice is not in force until the notice
/// ends; sent back by an upheld objection, it never is, and the previous text stays current.
#[tokio::test]
async fn a_convention_revision_waits_for_its_notice() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 3).await;
    let m = meeting_with(&w, c, &seats).await;
    let pact = councils::create_convention(&w.app, &w.staff, w.beiyuan, "北苑院落公约")
        .await
        .unwrap();
    let adopt = |text: &'static str, notice: bool| {
        let w = &w;
        let seats = seats.clone();
        async move {
            let mo = councils::open_motion(
                &w.app,
                &w.staff,
                &NewMotion {
                    council_id: c,
                    meeting_id: Some(m),
                    kind: "convention",
                    title: "公约",
                    body: "表决",
                    needs_notice: notice,
                    convention: Some((pact, text)),
                    approved_fund: None,
                },
            )
            .await
            .unwrap();
            for s in &seats {
                councils::cast_vote(&w.app, &w.staff, mo, *s, "yes")
                    .await
                    .unwrap();
            }
            councils::close_motion(&w.app, &w.staff, mo)
                .await
                .unwrap()
                .resolution
                .unwrap()
                .0
        }
    };
    adopt("第一条 爱护环境。", false).await;
    let second = adopt("第一条 爱护环境。\n第二条 车辆有序停放。", true).await;
    let view = councils::convention_view(&w.app, pact).await.unwrap();
    assert_eq!(view.states, vec!["in_force", "open"]);
    assert_eq!(
        view.current,
        Some(0),
        "the revision on notice is not in force yet"
    );

    let objection =
        councils::file_objection(&w.app, &w.resident, second, "停车条款未征求租户意见。")
            .await
            .unwrap();
    councils::answer_objection(
        &w.app,
        &w.staff,
        second,
        objection,
        "意见成立，重新征求意见。",
        true,
    )
    .await
    .unwrap();
    let view = councils::convention_view(&w.app, pact).await.unwrap();
    assert_eq!(view.states, vec!["in_force", "returned"]);
    assert_eq!(
        view.current,
        Some(0),
        "a revision sent back never takes effect"
    );

    adopt("第一条 爱护环境。\n第二条 车辆停放在车棚。", true).await;
    w.app.clock.advance(10 * 86_400).unwrap();
    let view = councils::convention_view(&w.app, pact).await.unwrap();
    assert_eq!(view.states, vec!["in_force", "returned", "in_force"]);
    assert_eq!(
        view.current,
        Some(2),
        "in force once its notice ends without objection"
    );
}

/// Twelve people declaring the same recusal at once: one is recorded, the others hear it was
/// already declared — never an internal error — and the record verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_recusal_declared_twelve_times_at_once_is_recorded_once() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 5).await;
    let full = meeting_with(&w, c, &seats).await;
    let mo = motion(&w, c, Some(full), "general", false).await;
    let attempts: Vec<_> = (0..12)
        .map(|_| {
            let (app, staff, seat) = (w.app.clone(), w.staff.clone(), seats[1]);
            tokio::spawn(async move {
                councils::recuse(&app, &staff, mo, seat, "申报人的亲属承接该项目").await
            })
        })
        .collect();
    assert_eq!(settled(attempts, "recusal_already_declared").await.len(), 1);
    let v = gongzhi_app::verify::verify_database(&w.app.db)
        .await
        .unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
}

/// Five votes recorded and twelve closes of the same motion, all at once: one close wins, the
/// others hear the motion is closed, and the stored tally counts exactly the votes that were
/// accepted — none accepted and left uncounted (both backends; the record verifies).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn votes_and_closes_at_once_count_exactly_the_votes_accepted() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 5).await;
    let full = meeting_with(&w, c, &seats).await;
    let mo = motion(&w, c, Some(full), "general", false).await;
    let votes: Vec<_> = seats
        .iter()
        .map(|&seat| {
            let (app, staff) = (w.app.clone(), w.staff.clone());
            tokio::spawn(async move { councils::cast_vote(&app, &staff, mo, seat, "yes").await })
        })
        .collect();
    let closes: Vec<_> = (0..12)
        .map(|_| {
            let (app, staff) = (w.app.clone(), w.staff.clone());
            tokio::spawn(async move { councils::close_motion(&app, &staff, mo).await })
        })
        .collect();
    let accepted = settled(votes, "motion_closed").await.len() as u32;
    let closed = settled(closes, "motion_closed").await;
    assert_eq!(closed.len(), 1, "one close wins");
    assert_eq!(
        closed[0].tally.counts.yes, accepted,
        "every accepted vote is counted"
    );
    let v = gongzhi_app::verify::verify_database(&w.app.db)
        .await
        .unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
}

/// One objection answered twelve times at once: one answer is recorded, the others hear it was
/// already answered (before, several answers succeeded and the last won).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_objection_answered_twelve_times_at_once_is_answered_once() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 3).await;
    let m = meeting_with(&w, c, &seats).await;
    let mo = motion(&w, c, Some(m), "project_approval", true).await;
    for s in &seats {
        councils::cast_vote(&w.app, &w.staff, mo, *s, "yes")
            .await
            .unwrap();
    }
    let res = councils::close_motion(&w.app, &w.staff, mo)
        .await
        .unwrap()
        .resolution
        .unwrap()
        .0;
    let o = councils::file_objection(&w.app, &w.resident, res, "预算过高")
        .await
        .unwrap();
    let answers: Vec<_> = (0..12)
        .map(|i| {
            let (app, staff) = (w.app.clone(), w.staff.clone());
            tokio::spawn(async move {
                councils::answer_objection(&app, &staff, res, o, &format!("答复{i}"), false).await
            })
        })
        .collect();
    assert_eq!(
        settled(answers, "objection_already_answered").await.len(),
        1
    );
    assert!(verify_database(&w.app.db).await.unwrap().ok());
}

/// A motion tabled in a meeting takes no vote once the minutes close the meeting: not one the
/// staff record for a member, not a member's own; closing the motion still counts what was cast.
#[tokio::test]
async fn no_vote_is_taken_after_the_meeting_closed() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 3).await;
    let m = meeting_with(&w, c, &seats).await;
    let tabled = motion(&w, c, Some(m), "general", false).await;
    councils::cast_vote(&w.app, &w.staff, tabled, seats[0], "yes")
        .await
        .unwrap();
    councils::write_minutes(&w.app, &w.staff, m, "议题一：院落停车。表决进行中。")
        .await
        .unwrap();
    assert_eq!(
        code(councils::cast_vote(&w.app, &w.staff, tabled, seats[1], "yes").await),
        "meeting_closed"
    );
    assert_eq!(
        code(councils::cast_vote(&w.app, &w.admin, tabled, seats[2], "no").await),
        "meeting_closed"
    );
    let closed = councils::close_motion(&w.app, &w.staff, tabled)
        .await
        .unwrap();
    assert_eq!(
        (closed.tally.counts.yes, closed.tally.counts.no),
        (1, 0),
        "only the vote cast while the meeting sat"
    );
    assert!(verify_database(&w.app.db).await.unwrap().ok());
}

/// A stored record that no longer parses is its own error (`stored_record_unreadable`, a fault
/// of the server), never "not found" nor a mistake the user could fix.
#[tokio::test]
async fn an_unreadable_stored_record_is_not_reported_missing() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 3).await;
    let m = meeting_with(&w, c, &seats).await;
    let tabled = motion(&w, c, Some(m), "general", false).await;
    let mut tx = w.app.db.begin().await.unwrap();
    tx.exec(
        "UPDATE motions SET rules_json = '{not json' WHERE id = $1",
        &[tabled.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let closed = councils::close_motion(&w.app, &w.staff, tabled).await;
    assert!(matches!(closed, Err(AppError::Corrupt(_))), "{closed:?}");
    assert_eq!(code(closed), "stored_record_unreadable");
}

/// A status this version does not know (written by something else) is corrupt data too: the
/// command refuses with `stored_record_unreadable` and changes nothing, instead of treating the
/// word as "not open" or answering 500.
#[tokio::test]
async fn an_unknown_stored_status_is_unreadable_not_a_state() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 3).await;
    let m = meeting_with(&w, c, &seats).await;
    let tabled = motion(&w, c, Some(m), "general", false).await;
    let mut tx = w.app.db.begin().await.unwrap();
    tx.exec(
        "UPDATE motions SET status = 'withdrawn' WHERE id = $1",
        &[tabled.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let closed = councils::close_motion(&w.app, &w.staff, tabled).await;
    assert!(
        matches!(closed, Err(AppError::Corrupt("status"))),
        "{closed:?}"
    );
    assert_eq!(code(closed), "stored_record_unreadable");
    let mut tx = w.app.db.read().await.unwrap();
    let still = tx
        .rows(
            "SELECT status FROM motions WHERE id = $1",
            &[tabled.into()],
            &[gongzhi_store::schema::ColType::Text],
        )
        .await
        .unwrap();
    assert_eq!(still[0].text(0).unwrap(), "withdrawn");
}

/// The resolution page's objection form is shown by the command's own rule: for every kind of
/// visitor (a resident of the area, a resident of another community, staff here and elsewhere,
/// a resident with no home set, a stranger signed out), `may_object` says yes exactly when
/// `file_objection` accepts — while the notice is open, and after it ends.
#[tokio::test]
async fn the_objection_hint_agrees_with_the_command_for_every_visitor() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 3).await;
    let m = meeting_with(&w, c, &seats).await;
    let mo = motion(&w, c, Some(m), "project_approval", true).await;
    for s in &seats {
        councils::cast_vote(&w.app, &w.staff, mo, *s, "yes")
            .await
            .unwrap();
    }
    let res = councils::close_motion(&w.app, &w.staff, mo)
        .await
        .unwrap()
        .resolution
        .unwrap()
        .0;
    let elsewhere = crate::account(&w.app, &w.admin, w.yudong_court, "resident", "yd-res").await;
    let street_resident = crate::account(&w.app, &w.admin, w.street, "resident", "st-res").await;
    let visitors = [
        ("resident here", w.resident.clone()),
        ("resident elsewhere", elsewhere),
        ("resident of the street", street_resident),
        ("staff here", w.staff.clone()),
        ("staff elsewhere", w.other_staff.clone()),
        ("official", w.official.clone()),
        ("signed out", gongzhi_app::authz::Actor::anonymous()),
    ];
    let mut accepted_any = false;
    for open in [true, false] {
        if !open {
            w.app.clock.advance(30 * 86_400).unwrap();
        }
        for (who, visitor) in &visitors {
            let hint = councils::may_object(&w.app, visitor, res).await.unwrap();
            let listed = gongzhi_app::todo::todo_list(&w.app, visitor)
                .await
                .unwrap()
                .iter()
                .any(|t| matches!(t, Todo::Object { resolution, .. } if *resolution == res));
            assert_eq!(listed, hint, "{who}'s to-do list (notice open: {open})");
            let filed = councils::file_objection(&w.app, visitor, res, "预算过高").await;
            assert_eq!(
                hint,
                filed.is_ok(),
                "{who} (notice open: {open}): {filed:?}"
            );
            accepted_any |= filed.is_ok();
        }
    }
    assert!(accepted_any, "someone may object");
    // The objections filed wait for an answer: on the to-do list of those who may answer (the
    // staff who keep the council), not of the residents who filed them.
    let answers = |todo: Vec<Todo>| {
        todo.into_iter()
            .any(|t| matches!(t, Todo::Answer { resolution, waiting, .. } if resolution == res && waiting > 0))
    };
    assert!(answers(
        gongzhi_app::todo::todo_list(&w.app, &w.staff)
            .await
            .unwrap()
    ));
    assert!(!answers(
        gongzhi_app::todo::todo_list(&w.app, &w.resident)
            .await
            .unwrap()
    ));
    assert!(!answers(
        gongzhi_app::todo::todo_list(&w.app, &w.other_staff)
            .await
            .unwrap()
    ));
}

/// A meeting with a motion still open is on the to-do list of those who may record votes and
/// close it (staff here), by the command's own rule; not of a resident nor of staff elsewhere; and
/// it leaves the list when its last motion closes.
#[tokio::test]
async fn a_meeting_with_open_motions_waits_on_the_list_of_who_may_run_it() {
    let w = world().await;
    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 3).await;
    let m = meeting_with(&w, c, &seats).await;
    let mo = motion(&w, c, Some(m), "general", false).await;
    let runs = |todo: Vec<Todo>| {
        todo.into_iter().any(
            |t| matches!(t, Todo::RunMeeting { meeting, open_motions, .. } if meeting == m && open_motions == 1),
        )
    };
    let todo = gongzhi_app::todo::todo_list;
    assert!(runs(todo(&w.app, &w.staff).await.unwrap()));
    assert!(!runs(todo(&w.app, &w.resident).await.unwrap()));
    assert!(!runs(todo(&w.app, &w.other_staff).await.unwrap()));
    councils::close_motion(&w.app, &w.staff, mo).await.unwrap();
    assert!(!runs(todo(&w.app, &w.staff).await.unwrap()));
}

/// A courtyard's notice board is its own council's: the courtyard's resolution shows on the
/// courtyard's board and the community's; the community council's only on the community's.
#[tokio::test]
async fn a_courtyard_shows_its_own_councils_resolutions() {
    let w = world().await;
    let (court, court_seats) = council(&w, w.beiyuan, "北苑小区", 3).await;
    let m = meeting_with(&w, court, &court_seats).await;
    let court_res = crate::notify::pass(
        &w,
        motion(&w, court, Some(m), "project_approval", true).await,
        &court_seats,
    )
    .await;
    let (community, seats) = council(&w, w.jinyang, "晋阳社区", 5).await;
    let m = meeting_with(&w, community, &seats).await;
    let community_res = crate::notify::pass(
        &w,
        motion(&w, community, Some(m), "project_approval", true).await,
        &seats,
    )
    .await;
    let ids =
        |board: Vec<councils::PublicResolution>| board.iter().map(|r| r.row.id).collect::<Vec<_>>();
    let on_courtyard = ids(councils::notice_board(&w.app, w.beiyuan).await.unwrap());
    assert_eq!(on_courtyard, vec![court_res]);
    let on_community = ids(councils::notice_board(&w.app, w.jinyang).await.unwrap());
    assert!(on_community.contains(&court_res) && on_community.contains(&community_res));
    // Another community's courtyard has none of them.
    assert!(
        councils::notice_board(&w.app, w.yudong_court)
            .await
            .unwrap()
            .is_empty()
    );
}
