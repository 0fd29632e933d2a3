//! The needs ledger and the project pipeline through the app layer, on the backend under test:
//! need statuses and merging, a declined project returning its needs, the pipeline pinned on a
//! project against a later rule change, a mid-term review in a district that adds one, a failed
//! acceptance recorded, and the audit record intact afterwards.

use gongzhi_app::councils;
use gongzhi_app::projects::{
    self, Advanced, Evidence, Implementer, NeedAction, NewNeed, NewProject, PanelMember,
};
use gongzhi_app::verify::verify_database;
use gongzhi_app::{AppError, rules};
use gongzhi_domain::project::FundingSplit;
use uuid::Uuid;

use crate::ledger::{Money, money};

fn code<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    match r {
        Err(AppError::Invalid(d)) => d.code.0.to_string(),
        Err(other) => other.code().to_string(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

async fn need(m: &Money, title: &str) -> Uuid {
    projects::report_need(
        &m.w.app,
        &m.w.staff,
        &NewNeed {
            place_id: Some(m.w.beiyuan),
            building_id: None,
            category: "environment",
            channel: "yard_meeting",
            title,
            body: "",
            photos: &[],
            reporter_id: None,
        },
    )
    .await
    .unwrap()
    .0
}

async fn propose(m: &Money, title: &str, needs: &[Uuid]) -> Result<Uuid, AppError> {
    projects::propose_project(
        &m.w.app,
        &m.w.staff,
        &NewProject {
            place_id: m.w.beiyuan,
            title,
            scope: "院落微更新",
            category: "environment",
            split: FundingSplit {
                total: 6_000_00,
                fund: 6_000_00,
                cofunding: 0,
                other: 0,
            },
            cofunding_source: "",
            opinions: "",
            implementer_plan: "self",
            needs,
        },
    )
    .await
}

async fn status(m: &Money, id: Uuid) -> String {
    projects::need_view(&m.w.app, &m.w.staff, id)
        .await
        .unwrap()
        .status
        .to_string()
}

#[tokio::test]
async fn needs_move_forward_merge_and_come_back_from_a_declined_project() {
    let m = money().await;
    let a = need(&m, "后门坏了").await;
    let b = need(&m, "后门坏了没人修").await;
    projects::act_on_need(&m.w.app, &m.w.staff, b, NeedAction::Merge { into: a })
        .await
        .unwrap();
    assert_eq!(status(&m, b).await, "merged");
    assert_eq!(
        code(projects::act_on_need(&m.w.app, &m.w.staff, a, NeedAction::Merge { into: b }).await),
        "need_merge_into_merged"
    );
    assert_eq!(
        code(propose(&m, "后门维修", &[b]).await),
        "need_status_move_refused",
        "a merged need cannot go into a project"
    );
    let p = propose(&m, "后门维修", &[a]).await.unwrap();
    assert_eq!(status(&m, a).await, "in_project");
    projects::decline_project(&m.w.app, &m.w.staff, p, "业主决定自行维修")
        .await
        .unwrap();
    assert_eq!(
        status(&m, a).await,
        "assigned",
        "its need is back in the ledger"
    );
    projects::act_on_need(
        &m.w.app,
        &m.w.staff,
        a,
        NeedAction::Reply {
            reply: "业主已自行修好",
            close: Some("resolved"),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        code(
            projects::act_on_need(
                &m.w.app,
                &m.w.staff,
                a,
                NeedAction::Reply {
                    reply: "再答复",
                    close: None
                }
            )
            .await
        ),
        "need_closed"
    );
    // A need is handed only to someone who may follow it up here: not to another community's
    // staff, nor to a resident.
    for (who, expected) in [
        (
            m.w.other_staff.account_id.unwrap(),
            "need_assignee_not_staff",
        ),
        (m.w.resident.account_id.unwrap(), "need_assignee_not_staff"),
        (Uuid::nil(), "account_not_found"),
    ] {
        assert_eq!(
            code(projects::act_on_need(&m.w.app, &m.w.staff, a, NeedAction::Assign(who)).await),
            expected
        );
    }
    // Residents cannot act on the ledger; other communities' staff cannot either.
    assert_eq!(
        code(
            projects::act_on_need(&m.w.app, &m.w.resident, a, NeedAction::Assign(Uuid::nil()))
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            projects::needs_page(&m.w.app, &m.w.other_staff, m.w.jinyang, &Default::default())
                .await
        ),
        "forbidden"
    );
    let v = verify_database(&m.w.app.db).await.unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
}

/// Walks a project through screening and the group council (no notice needed) to the roadshow.
async fn through_group(m: &Money, p: Uuid) {
    projects::advance(
        &m.w.app,
        &m.w.staff,
        p,
        "screening",
        Evidence::Screening { note: "" },
    )
    .await
    .unwrap();
    let meeting =
        councils::schedule_meeting(&m.w.app, &m.w.staff, m.council, "例会", m.w.app.now())
            .await
            .unwrap();
    for s in &m.seats {
        councils::record_attendance(&m.w.app, &m.w.staff, meeting, *s, true)
            .await
            .unwrap();
    }
    // Tabled six times at once: one motion (the step's decisions are read inside the command),
    // the others hear the project is already on the agenda.
    let tablings: Vec<_> = (0..6)
        .map(|_| {
            let (app, staff) = (m.w.app.clone(), m.w.staff.clone());
            tokio::spawn(async move { projects::table_project(&app, &staff, p, meeting, "").await })
        })
        .collect();
    let won = crate::settled(tablings, "project_already_tabled").await;
    assert_eq!(won.len(), 1, "{won:?}");
    let motion = won[0];
    for s in &m.seats {
        councils::cast_vote(&m.w.app, &m.w.staff, motion, *s, "yes")
            .await
            .unwrap();
    }
    let r = councils::close_motion(&m.w.app, &m.w.staff, motion)
        .await
        .unwrap()
        .resolution
        .unwrap()
        .0;
    // The step is decided: the project cannot be put to the council again for it (it once got a
    // second resolution this way).
    assert_eq!(
        code(projects::table_project(&m.w.app, &m.w.staff, p, meeting, "").await),
        "project_step_already_decided"
    );
    // On notice: the step waits until the notice ends.
    assert_eq!(
        code(
            projects::advance(
                &m.w.app,
                &m.w.staff,
                p,
                "group_resolution",
                Evidence::Resolution(r)
            )
            .await
        ),
        "project_resolution_not_in_force"
    );
    m.w.app.clock.advance(12 * 86_400).unwrap();
    projects::advance(
        &m.w.app,
        &m.w.staff,
        p,
        "group_resolution",
        Evidence::Resolution(r),
    )
    .await
    .unwrap();
    // A resolution decides one step of one project.
    let other = propose(m, "另一个项目", &[]).await.unwrap();
    projects::advance(
        &m.w.app,
        &m.w.staff,
        other,
        "screening",
        Evidence::Screening { note: "" },
    )
    .await
    .unwrap();
    assert_eq!(
        code(
            projects::advance(
                &m.w.app,
                &m.w.staff,
                other,
                "group_resolution",
                Evidence::Resolution(r)
            )
            .await
        ),
        "resolution_not_for_project"
    );
}

#[tokio::test]
async fn a_project_keeps_the_pipeline_it_was_proposed_under() {
    let m = money().await;
    let p = propose(&m, "围墙防攀爬", &[]).await.unwrap();
    // The district adds a mid-term review and drops the roadshow after the project was proposed.
    let changed = r#"{"steps":[{"id":"screening","kind":"screening"},{"id":"group_resolution","kind":"council_decision","council":"nearest"},{"id":"allocation","kind":"allocation"},{"id":"implementer","kind":"implementer_selection"},{"id":"implementation","kind":"implementation"},{"id":"midterm","kind":"midterm_review"},{"id":"acceptance","kind":"acceptance"},{"id":"close_out","kind":"close_out"}]}"#;
    rules::set_rule(
        &m.w.app,
        &m.w.admin,
        m.w.district,
        "project.pipeline",
        changed,
        "2026-01-01",
        "试点中期评议",
    )
    .await
    .unwrap();
    through_group(&m, p).await;
    let story = projects::project_story(&m.w.app, p).await.unwrap();
    assert_eq!(
        story.current.as_deref(),
        Some("roadshow"),
        "the old pipeline still holds"
    );

    // A project proposed now walks the new one: no roadshow, a mid-term review.
    let q = propose(&m, "楼道照明", &[]).await.unwrap();
    through_group(&m, q).await;
    let (_, lines) = projects::allocate_round(&m.w.app, &m.w.staff, m.fund, &[q], &[])
        .await
        .unwrap();
    assert!(lines[0].funded);
    projects::advance(
        &m.w.app,
        &m.w.staff,
        q,
        "implementer",
        Evidence::Implementer(Implementer {
            mode: "self",
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    assert_eq!(
        code(
            projects::advance(
                &m.w.app,
                &m.w.staff,
                q,
                "implementation",
                Evidence::Finished { note: "" }
            )
            .await
        ),
        "project_no_progress"
    );
    projects::post_update(&m.w.app, &m.w.staff, q, "灯具已到货", None)
        .await
        .unwrap();
    projects::advance(
        &m.w.app,
        &m.w.staff,
        q,
        "implementation",
        Evidence::Finished { note: "" },
    )
    .await
    .unwrap();
    let member = |name: &str, role: &str, score: Option<i64>| PanelMember {
        name: name.into(),
        role: role.into(),
        score,
    };
    assert_eq!(
        code(
            projects::advance(
                &m.w.app,
                &m.w.staff,
                q,
                "midterm",
                Evidence::Review {
                    panel: &[member("议事0", "council_member", Some(80))],
                    passed: true,
                    note: "",
                    document_sha256: None
                }
            )
            .await
        ),
        "panel_incomplete",
        "a mid-term panel includes a supervisor"
    );
    projects::advance(
        &m.w.app,
        &m.w.staff,
        q,
        "midterm",
        Evidence::Review {
            panel: &[
                member("议事0", "council_member", Some(80)),
                member("监事0", "supervisor", Some(91)),
            ],
            passed: true,
            note: "按计划推进",
            document_sha256: None,
        },
    )
    .await
    .unwrap();
    let panel = [
        member("议事0", "council_member", None),
        member("监事0", "supervisor", None),
        member("居民甲", "resident_rep", None),
    ];
    let failed = projects::advance(
        &m.w.app,
        &m.w.staff,
        q,
        "acceptance",
        Evidence::Review {
            panel: &panel,
            passed: false,
            note: "2 号灯不亮，整改后再验",
            document_sha256: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(failed, Advanced::NotAccepted);
    let story = projects::project_story(&m.w.app, q).await.unwrap();
    assert_eq!(story.current.as_deref(), Some("acceptance"));
    assert_eq!(
        story
            .updates
            .iter()
            .filter(|u| u.passed == Some(false))
            .count(),
        1
    );
    assert_eq!(
        story
            .updates
            .iter()
            .find(|u| u.kind == "midterm")
            .and_then(|u| u.score),
        Some(85)
    );
    projects::advance(
        &m.w.app,
        &m.w.staff,
        q,
        "acceptance",
        Evidence::Review {
            panel: &panel,
            passed: true,
            note: "整改后合格",
            document_sha256: None,
        },
    )
    .await
    .unwrap();
    // Nothing was spent: close-out returns all of it; no rating step in this pipeline, so done.
    projects::advance(&m.w.app, &m.w.staff, q, "close_out", Evidence::CloseOut)
        .await
        .unwrap();
    let story = projects::project_story(&m.w.app, q).await.unwrap();
    assert_eq!(story.status.as_str(), "done");
    assert_eq!(story.budget.unwrap().released, Some(6_000_00));
    assert_eq!(
        code(projects::advance(&m.w.app, &m.w.staff, q, "close_out", Evidence::CloseOut).await),
        "project_finished"
    );
    let v = verify_database(&m.w.app.db).await.unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
}

/// An oversubscribed round by equal shares (`allocation.rule` = `equal_shares`): three members
/// back three ¥60,000 projects, the fund holds ¥200,000, and the other two members back a fourth.
/// By votes the majority's three would take the fund; by equal shares the fourth is funded from
/// its supporters' shares and the majority's third waits.
#[tokio::test]
async fn an_oversubscribed_round_by_equal_shares() {
    let m = money().await;
    let no_roadshow = r#"{"steps":[{"id":"screening","kind":"screening"},{"id":"group_resolution","kind":"council_decision","council":"nearest"},{"id":"allocation","kind":"allocation"},{"id":"implementer","kind":"implementer_selection"},{"id":"implementation","kind":"implementation"},{"id":"acceptance","kind":"acceptance"},{"id":"close_out","kind":"close_out"}]}"#;
    for (key, value) in [
        ("project.pipeline", no_roadshow),
        (
            "vote.threshold.project_approval",
            r#"{"num":1,"den":2,"base":"present","bound":"more_than"}"#,
        ),
        ("allocation.rule", r#""equal_shares""#),
    ] {
        rules::set_rule(
            &m.w.app,
            &m.w.admin,
            m.w.jinyang,
            key,
            value,
            "2026-01-01",
            "试点",
        )
        .await
        .unwrap();
    }
    let meeting =
        councils::schedule_meeting(&m.w.app, &m.w.staff, m.council, "例会", m.w.app.now())
            .await
            .unwrap();
    for s in &m.seats {
        councils::record_attendance(&m.w.app, &m.w.staff, meeting, *s, true)
            .await
            .unwrap();
    }
    let mut ids = Vec::new();
    let mut resolutions = Vec::new();
    for (title, backers) in [
        ("甲：楼道灯", 0..3),
        ("乙：围墙", 0..3),
        ("丙：车棚", 0..3),
        ("丁：适老扶手", 2..5),
    ] {
        let p = projects::propose_project(
            &m.w.app,
            &m.w.staff,
            &NewProject {
                place_id: m.w.beiyuan,
                title,
                scope: "院落微更新",
                category: "environment",
                split: FundingSplit {
                    total: 60_000_00,
                    fund: 60_000_00,
                    cofunding: 0,
                    other: 0,
                },
                cofunding_source: "",
                opinions: "",
                implementer_plan: "self",
                needs: &[],
            },
        )
        .await
        .unwrap();
        projects::advance(
            &m.w.app,
            &m.w.staff,
            p,
            "screening",
            Evidence::Screening { note: "" },
        )
        .await
        .unwrap();
        let motion = projects::table_project(&m.w.app, &m.w.staff, p, meeting, "")
            .await
            .unwrap();
        for (k, s) in m.seats.iter().enumerate() {
            let choice = if backers.contains(&k) { "yes" } else { "no" };
            councils::cast_vote(&m.w.app, &m.w.staff, motion, *s, choice)
                .await
                .unwrap();
        }
        let r = councils::close_motion(&m.w.app, &m.w.staff, motion)
            .await
            .unwrap()
            .resolution
            .unwrap()
            .0;
        ids.push(p);
        resolutions.push(r);
    }
    m.w.app.clock.advance(12 * 86_400).unwrap();
    for (p, r) in ids.iter().zip(&resolutions) {
        projects::advance(
            &m.w.app,
            &m.w.staff,
            *p,
            "group_resolution",
            Evidence::Resolution(*r),
        )
        .await
        .unwrap();
    }
    let (_, lines) = projects::allocate_round(&m.w.app, &m.w.staff, m.fund, &ids, &[])
        .await
        .unwrap();
    let funded: Vec<&str> = lines
        .iter()
        .filter(|l| l.funded)
        .map(|l| l.title.as_str())
        .collect();
    assert_eq!(funded, ["甲：楼道灯", "乙：围墙", "丁：适老扶手"]);
    assert!(verify_database(&m.w.app.db).await.unwrap().ok());
}

/// The project page shows the claim form by `claim_project`'s own rule: at each stage of a
/// project's life (proposed, decided, funded, implementer chosen, declined) the story's
/// `takes_claims` says yes exactly when a claim is accepted. (Before, the page had a rule of its
/// own that disagreed once a project was funded.)
#[tokio::test]
async fn the_claim_hint_agrees_with_the_command_at_every_stage() {
    let m = money().await;
    let w = &m.w;
    let agree = |p: Uuid, stage: &'static str| async move {
        let hint = projects::project_story(&w.app, p)
            .await
            .unwrap()
            .takes_claims;
        let claim = projects::claim_project(
            &w.app,
            &w.resident,
            p,
            "北苑志愿队",
            "resident_group",
            "义务施工",
        )
        .await;
        assert_eq!(hint, claim.is_ok(), "{stage}: {claim:?}");
        hint
    };
    // A pipeline without a roadshow, so that a funded project reaches implementer selection.
    let pipeline = r#"{"steps":[{"id":"screening","kind":"screening"},{"id":"group_resolution","kind":"council_decision","council":"nearest"},{"id":"allocation","kind":"allocation"},{"id":"implementer","kind":"implementer_selection"},{"id":"implementation","kind":"implementation"},{"id":"acceptance","kind":"acceptance"},{"id":"close_out","kind":"close_out"}]}"#;
    rules::set_rule(
        &w.app,
        &w.admin,
        w.district,
        "project.pipeline",
        pipeline,
        "2026-01-01",
        "无路演",
    )
    .await
    .unwrap();
    let p = propose(&m, "院落照明", &[]).await.unwrap();
    let mut seen = vec![agree(p, "proposed").await];
    through_group(&m, p).await;
    seen.push(agree(p, "decided by the group").await);
    projects::allocate_round(&w.app, &w.staff, m.fund, &[p], &[])
        .await
        .unwrap();
    seen.push(agree(p, "funded").await);
    projects::advance(
        &w.app,
        &w.staff,
        p,
        "implementer",
        Evidence::Implementer(Implementer {
            mode: "self",
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    seen.push(agree(p, "implementer chosen").await);
    let q = propose(&m, "楼道扶手", &[]).await.unwrap();
    projects::decline_project(&w.app, &w.staff, q, "重复立项")
        .await
        .unwrap();
    seen.push(agree(q, "declined").await);
    assert!(seen.contains(&true) && seen.contains(&false), "{seen:?}");
}

/// A resident's own need, once the community answers it, waits on her to-do list for
/// `ANSWERED_LATELY_DAYS` and then leaves it.
#[tokio::test]
async fn an_answer_to_her_need_waits_on_the_residents_list_for_a_while() {
    let m = money().await;
    let w = &m.w;
    // The resident's account stands for a registered resident of 北苑.
    gongzhi_app::people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &gongzhi_app::people::NewResident {
            name: "田小余".into(),
            courtyard_id: Some(w.beiyuan),
            account_id: w.resident.account_id,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (id, _) = projects::report_need(
        &w.app,
        &w.resident,
        &NewNeed {
            place_id: Some(w.beiyuan),
            building_id: None,
            category: "other",
            channel: "online",
            title: "楼道灯坏了",
            body: "",
            photos: &[],
            reporter_id: None,
        },
    )
    .await
    .unwrap();
    let answered = |todo: Vec<gongzhi_app::todo::Todo>| {
        todo.into_iter().any(|t| {
            matches!(t, gongzhi_app::todo::Todo::NeedAnswered { title } if title == "楼道灯坏了")
        })
    };
    let todo = gongzhi_app::todo::todo_list;
    assert!(
        !answered(todo(&w.app, &w.resident).await.unwrap()),
        "not yet answered"
    );
    projects::act_on_need(
        &w.app,
        &w.staff,
        id,
        NeedAction::Reply {
            reply: "已报修，本周内更换。",
            close: None,
        },
    )
    .await
    .unwrap();
    assert!(answered(todo(&w.app, &w.resident).await.unwrap()));
    assert!(
        !answered(todo(&w.app, &w.staff).await.unwrap()),
        "only hers"
    );
    w.app
        .clock
        .advance((gongzhi_app::todo::ANSWERED_LATELY_DAYS + 1) * 86_400)
        .unwrap();
    assert!(!answered(todo(&w.app, &w.resident).await.unwrap()));
}

/// The rule the tabling command and the project page's form share: a step is put to the council
/// again only after a failed vote or a resolution sent back by an upheld objection.
#[test]
fn a_step_is_tabled_again_only_after_a_failed_vote_or_a_returned_resolution() {
    use gongzhi_domain::lifecycle::MotionStatus::{Failed, Open, Passed};
    let refused =
        |decisions: &[(&'static str, gongzhi_domain::lifecycle::MotionStatus, bool)]| {
            projects::tabling_refused("approve", decisions.iter().copied())
        };
    assert_eq!(refused(&[]), None);
    assert_eq!(refused(&[("approve", Failed, false)]), None);
    assert_eq!(refused(&[("approve", Passed, true)]), None, "returned");
    assert_eq!(refused(&[("review", Passed, false)]), None, "another step");
    assert_eq!(
        refused(&[("approve", Open, false)]),
        Some("project_already_tabled")
    );
    assert_eq!(
        refused(&[("approve", Failed, false), ("approve", Passed, false)]),
        Some("project_step_already_decided")
    );
}
