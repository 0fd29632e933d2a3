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

/// The permission matrix over every module: one command of each, for every role, in this
/// community (晋阳 and its courtyard 北苑) and the next (玉东). Allowed: it succeeds; refused: it is
/// refused for want of permission (never a validation error that would tell a stranger about
/// the records of a community that is not theirs).
#[tokio::test]
async fn every_module_refuses_whoever_may_not_act() {
    use gongzhi_app::authz::Actor;
    use gongzhi_app::budget_votes::{self, NewBudgetVote};
    use gongzhi_app::councils::{self, NewCouncil};
    use gongzhi_app::elections::{self, NewElection};
    use gongzhi_app::ledger::{self, NewFund};
    use gongzhi_app::procurement::{self as pr, NewOrganisation};
    use gongzhi_app::projects::{self, NewProject};
    use gongzhi_app::uploads;
    use gongzhi_domain::Fen;
    use gongzhi_domain::budget_vote::BallotForm;
    use gongzhi_domain::project::FundingSplit;

    let w = world().await;
    let anonymous = Actor::anonymous();
    let roles: [(&str, &Actor); 7] = [
        ("admin", &w.admin),
        ("staff", &w.staff),
        ("other_staff", &w.other_staff),
        ("official", &w.official),
        ("auditor", &w.auditor),
        ("resident", &w.resident),
        ("anonymous", &anonymous),
    ];
    // A council of 北苑 and one of 玉东's courtyard, with residents standing, for the elections.
    let mut standing = Vec::new();
    for (community, courtyard) in [(w.jinyang, w.beiyuan), (w.yudong, w.yudong_court)] {
        let council = councils::create_council(
            &w.app,
            &w.admin,
            &NewCouncil {
                jurisdiction_id: courtyard,
                kind: "council",
                name_zh: "院落议事会",
                name_en: "",
                short_name: "院落",
            },
        )
        .await
        .unwrap();
        let mut candidates = Vec::new();
        for name in ["候选人甲", "候选人乙", "候选人丙"] {
            let r = people::register_resident(
                &w.app,
                &w.admin,
                community,
                &NewResident {
                    name: name.into(),
                    courtyard_id: Some(courtyard),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            candidates.push(r);
        }
        standing.push((council, candidates));
    }
    let file = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let mut checked = 0;
    for (community, courtyard, here, (council, candidates)) in [
        (w.jinyang, w.beiyuan, "晋阳", &standing[0]),
        (w.yudong, w.yudong_court, "玉东", &standing[1]),
    ] {
        for (who, actor) in roles {
            let mine = |roles: &[&str]| {
                roles.contains(&who)
                    && (who != "staff" || here == "晋阳")
                    && (who != "other_staff" || here == "玉东")
            };
            let n = format!("{who}-{here}");
            let outcomes: Vec<(&str, bool, Result<(), AppError>)> = vec![
                (
                    "councils: create a council",
                    mine(&["admin", "staff", "other_staff"]),
                    councils::create_council(
                        &w.app,
                        actor,
                        &NewCouncil {
                            jurisdiction_id: courtyard,
                            kind: "supervisory_board",
                            name_zh: &format!("监事会{n}"),
                            name_en: "",
                            short_name: &n,
                        },
                    )
                    .await
                    .map(|_| ()),
                ),
                (
                    "elections: open an election",
                    mine(&["admin", "staff", "other_staff"]),
                    elections::open_election(
                        &w.app,
                        actor,
                        &NewElection {
                            council_id: *council,
                            kind: "general",
                            title: &format!("选举{n}"),
                            seats: 3,
                            candidates,
                            closes_at: w.app.now().plus_seconds(3 * 86_400),
                            term_end: Some("2029-11-30"),
                        },
                    )
                    .await
                    .map(|_| ()),
                ),
                (
                    "ledger: open a fund",
                    mine(&["admin", "staff", "other_staff"]),
                    ledger::create_fund(
                        &w.app,
                        actor,
                        &NewFund {
                            community_id: community,
                            programme: "base",
                            year: 2026,
                            name_zh: &format!("保障资金{n}"),
                            name_en: "",
                            custodian: None,
                        },
                    )
                    .await
                    .map(|_| ()),
                ),
                (
                    "projects: propose a project",
                    mine(&["admin", "staff", "other_staff"]),
                    projects::propose_project(
                        &w.app,
                        actor,
                        &NewProject {
                            place_id: courtyard,
                            title: &format!("院落微更新{n}"),
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
                            needs: &[],
                        },
                    )
                    .await
                    .map(|_| ()),
                ),
                (
                    "budget votes: open a vote",
                    mine(&["admin", "staff", "other_staff"]),
                    budget_votes::open_vote(
                        &w.app,
                        actor,
                        &NewBudgetVote {
                            place_id: community,
                            title: &format!("投票{n}"),
                            budget: Fen::new(2_000_000),
                            form: BallotForm::ApproveK { k: 1 },
                            projects: &[("路灯".to_string(), Fen::new(1_000_000))],
                            closes_at: w.app.now().plus_seconds(2 * 86_400),
                        },
                    )
                    .await
                    .map(|_| ()),
                ),
                (
                    "procurement: file a community group",
                    mine(&["admin", "staff", "other_staff", "official"]),
                    pr::register_organisation(
                        &w.app,
                        actor,
                        &NewOrganisation {
                            name_zh: &format!("志愿服务队{n}"),
                            name_en: "",
                            kind: "volunteer_team",
                            credit_code: None,
                            registered_with: community,
                            registered_on: None,
                            business_scope: "邻里互助",
                            capacity: "",
                            incubator_id: None,
                            incubator_level: None,
                            qualifications: &[],
                        },
                    )
                    .await
                    .map(|_| ()),
                ),
                (
                    "uploads: store a file",
                    // A resident of 北苑 uploads to her community, not to the next.
                    mine(&["admin", "staff", "other_staff"])
                        || (who == "resident" && here == "晋阳"),
                    uploads::store(&w.app, actor, community, file)
                        .await
                        .map(|_| ()),
                ),
            ];
            for (what, allowed, outcome) in outcomes {
                if allowed {
                    // The second allowed opener of an election meets the rule that one is open
                    // at a time, which it reaches only past the permission check.
                    let past_permission = matches!(&outcome,
                        Err(AppError::Invalid(e)) if e.code.0 == "election_already_open");
                    assert!(
                        outcome.is_ok() || past_permission,
                        "{who} in {here}, {what}: {outcome:?}"
                    );
                } else {
                    let shown = format!("{outcome:?}");
                    assert!(denied(outcome), "{who} in {here}, {what}: {shown}");
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 2 * 7 * 7);
}

/// Who may do what in every module, from the visitor's side: for one command of each of
/// councils, elections, the fund ledger, projects, procurement and budget votes, on 晋阳's
/// places, each role is refused as forbidden (or asked to sign in) exactly when the roles table
/// does not give it the command's permission there. A role that may act can still be refused on
/// the merits (a plan for the year already recorded), never as forbidden.
#[tokio::test]
async fn every_module_refuses_exactly_the_roles_without_the_permission() {
    use gongzhi_app::authz::Actor;
    use gongzhi_app::budget_votes::{self, NewBudgetVote};
    use gongzhi_app::councils::{self, NewCouncil};
    use gongzhi_app::elections::{self, NewElection};
    use gongzhi_app::ledger::{self, NewFund};
    use gongzhi_app::procurement::{self as pr, NewOrganisation, PlanLine};
    use gongzhi_app::projects::{self, NewProject};
    use gongzhi_domain::Fen;
    use gongzhi_domain::budget_vote::BallotForm;
    use gongzhi_domain::project::FundingSplit;

    let w = world().await;
    let roles: Vec<(&str, Actor)> = vec![
        ("admin", w.admin.clone()),
        ("staff", w.staff.clone()),
        ("other_staff", w.other_staff.clone()),
        ("official", w.official.clone()),
        ("auditor", w.auditor.clone()),
        ("resident", w.resident.clone()),
        ("anonymous", Actor::anonymous()),
    ];
    fn judge<T: std::fmt::Debug>(what: &str, who: &str, r: Result<T, AppError>, may: &[&str]) {
        let allowed = may.contains(&who);
        assert_eq!(!denied_ref(&r), allowed, "{who} may {what}? {r:?}");
    }
    fn denied_ref<T>(r: &Result<T, AppError>) -> bool {
        matches!(r, Err(AppError::Forbidden) | Err(AppError::Unauthenticated))
    }
    let candidate = people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &NewResident {
            name: "候选人".into(),
            courtyard_id: Some(w.beiyuan),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let council = councils::create_council(
        &w.app,
        &w.staff,
        &NewCouncil {
            jurisdiction_id: w.beiyuan,
            kind: "council",
            name_zh: "北苑小区议事会",
            name_en: "",
            short_name: "北苑小区",
        },
    )
    .await
    .unwrap();
    let funding = FundingSplit {
        total: 6_000_00,
        fund: 6_000_00,
        cofunding: 0,
        other: 0,
    };
    let vote_projects = vec![("楼道灯".to_string(), Fen::new(1_200_000))];
    for (who, actor) in &roles {
        let who = *who;
        let r = councils::create_council(
            &w.app,
            actor,
            &NewCouncil {
                jurisdiction_id: w.beiyuan,
                kind: "council",
                name_zh: "院落议事会",
                name_en: "",
                short_name: "院落",
            },
        )
        .await;
        judge("set up a council", who, r, &["admin", "staff"]);
        let r = elections::open_election(
            &w.app,
            actor,
            &NewElection {
                council_id: council,
                kind: "by_election",
                title: "补选",
                seats: 1,
                candidates: &[candidate],
                closes_at: w.app.now().plus_seconds(86_400),
                term_end: None,
            },
        )
        .await;
        judge("open an election", who, r, &["admin", "staff"]);
        let r = ledger::create_fund(
            &w.app,
            actor,
            &NewFund {
                community_id: w.jinyang,
                programme: "base",
                year: 2026,
                name_zh: "保障资金",
                name_en: "",
                custodian: None,
            },
        )
        .await;
        judge("open a fund", who, r, &["admin", "staff"]);
        let r = projects::propose_project(
            &w.app,
            actor,
            &NewProject {
                place_id: w.beiyuan,
                title: "院落照明",
                scope: "院落微更新",
                category: "environment",
                split: funding,
                cofunding_source: "",
                opinions: "",
                implementer_plan: "self",
                needs: &[],
            },
        )
        .await;
        judge("propose a project", who, r, &["admin", "staff"]);
        let r = pr::record_plan(
            &w.app,
            actor,
            w.jinyang,
            2026,
            "购买服务计划",
            &[PlanLine {
                catalogue_code: "A6-2".into(),
                description: "长者助餐".into(),
                amount: 96_000_00,
                new_service: true,
            }],
        )
        .await;
        judge(
            "record a purchase plan",
            who,
            r,
            &["admin", "staff", "official"],
        );
        let r = pr::register_organisation(
            &w.app,
            actor,
            &NewOrganisation {
                name_zh: &format!("{who}登记的志愿队"),
                name_en: "",
                kind: "community_org",
                credit_code: None,
                registered_with: w.jinyang,
                registered_on: None,
                business_scope: "邻里互助",
                capacity: "骨干 5 名",
                incubator_id: None,
                incubator_level: None,
                qualifications: &[],
            },
        )
        .await;
        judge(
            "file an organisation",
            who,
            r,
            &["admin", "staff", "official"],
        );
        let r = budget_votes::open_vote(
            &w.app,
            actor,
            &NewBudgetVote {
                place_id: w.beiyuan,
                title: "微项目投票",
                budget: Fen::new(2_000_000),
                form: BallotForm::ApproveK { k: 1 },
                projects: &vote_projects,
                closes_at: w.app.now().plus_seconds(86_400),
            },
        )
        .await;
        judge("open a budget vote", who, r, &["admin", "staff"]);
    }
}
