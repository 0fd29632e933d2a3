//! 玉东's story: its residents, councils, fund and projects (its venture round and its budget vote
//! are in `purchases` and `votes`).

use super::*;

/// 玉东社区's micro-grants (seed 002), told in the year before 晋阳's: 30,000 yuan of fund money
/// as a lever for 11 resident-run projects, needs from the petition drop and evening talks,
/// three projects claimed by residents' organisations, one roadshow, one allocation round, each
/// project implemented, accepted, closed out, disclosed and rated; 1,000+ person-times served.
/// 玉东社区 as later stories need it: its council and seats, and the people who keep and sign
/// its funds.
pub struct Yudong {
    pub community: Uuid,
    pub council: Uuid,
    pub seats: Vec<Uuid>,
    pub staff: Actor,
    pub supervisor: Actor,
    pub director: Actor,
}

pub(super) async fn seed_yudong(
    app: &App,
    admin: &Actor,
    (yudong, court): (Uuid, Uuid),
) -> Result<Yudong, Failure> {
    use gongzhi_app::councils::{self, NewCouncil};
    use gongzhi_app::ledger::{self, Decision, NewExpense, NewFund, Receipt};
    use gongzhi_app::projects::{self, Evidence, Implementer, NewProject, PanelMember};
    use gongzhi_domain::project::FundingSplit;
    let day = 86_400;
    let load = async |id: Uuid| -> Result<Actor, Failure> {
        let mut tx = app.db.read().await.map_err(AppError::from)?;
        let a = Actor::load(&mut tx, id).await?;
        tx.rollback().await.map_err(AppError::from)?;
        Ok(a)
    };
    let year = app.now().china_date().year();
    // The director's term starts the day it is recorded (the rulebook bounds back-dating).
    let term = gongzhi_domain::time::format_date(app.now().china_date());
    let staff = load(
        account(
            app,
            admin,
            yudong,
            "staff",
            Some("yudong-staff"),
            None,
            "玉东社区 陈书记",
        )
        .await?,
    )
    .await?;
    let director = account(
        app,
        admin,
        yudong,
        "staff",
        Some("yudong-director"),
        None,
        "玉东社区居委会主任",
    )
    .await?;
    gongzhi_app::accounts::assign_office(
        app,
        admin,
        yudong,
        "committee_director",
        director,
        &term,
        None,
    )
    .await?;
    let director = load(director).await?;
    // A shorter sign-off chain for micro-grants: the supervisory board, then the director.
    rules::set_rule(
        app,
        admin,
        yudong,
        "expense.signoff",
        r#"{"steps":[{"signers":["supervisory_board"],"all":true},{"signers":["committee_director"],"all":true}],"window_days":30}"#,
        &term,
        "玉东社区微项目：监事会签批后主任审批（示例）/ Yudong micro-grants: board then director (illustrative)",
    )
    .await?;
    // Residents of 玉东一院 who sign in to rate, and the council.
    let mut raters = Vec::new();
    for (i, name) in ["吴淑芬", "郑国强", "孔丽娟"].iter().enumerate() {
        let a = account(
            app,
            admin,
            court,
            "resident",
            Some(&format!("yudong-resident-{i}")),
            None,
            name,
        )
        .await?;
        let resident = people::register_resident(
            app,
            admin,
            yudong,
            &NewResident {
                name: (*name).into(),
                courtyard_id: Some(court),
                account_id: Some(a),
                ..Default::default()
            },
        )
        .await?;
        raters.push((load(a).await?, resident));
    }
    let council = councils::create_council(
        app,
        admin,
        &NewCouncil {
            jurisdiction_id: yudong,
            kind: "council",
            name_zh: "玉东社区议事会",
            name_en: "Yudong Community Council",
            short_name: "玉东社区",
        },
    )
    .await?;
    const NAMES: [&str; 15] = [
        "何玉珍",
        "罗志刚",
        "梁淑华",
        "宋建国",
        "谢丽萍",
        "韩德明",
        "唐秀芳",
        "冯永强",
        "于桂兰",
        "董文华",
        "萧红梅",
        "程立新",
        "曹玉凤",
        "袁志伟",
        "邓美玲",
    ];
    let mut seats = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        let r = people::register_resident(
            app,
            admin,
            yudong,
            &NewResident {
                name: (*name).into(),
                courtyard_id: Some(court),
                ..Default::default()
            },
        )
        .await?;
        seats.push(
            councils::seat_member(
                app,
                admin,
                council,
                r,
                if i == 0 { "chair" } else { "member" },
                &term,
                None,
            )
            .await?,
        );
    }
    let board = councils::create_council(
        app,
        admin,
        &NewCouncil {
            jurisdiction_id: yudong,
            kind: "supervisory_board",
            name_zh: "玉东社区监事会",
            name_en: "Yudong Supervisory Board",
            short_name: "玉东监事会",
        },
    )
    .await?;
    let supervisor = account(
        app,
        admin,
        court,
        "resident",
        Some("yudong-supervisor"),
        None,
        "玉东监事 林国栋",
    )
    .await?;
    let r = people::register_resident(
        app,
        admin,
        yudong,
        &NewResident {
            name: "林国栋".into(),
            courtyard_id: Some(court),
            account_id: Some(supervisor),
            ..Default::default()
        },
    )
    .await?;
    councils::seat_member(app, admin, board, r, "chair", &term, None).await?;
    let supervisor = load(supervisor).await?;

    let fund = ledger::create_fund(
        app,
        &staff,
        &NewFund {
            community_id: yudong,
            programme: "incentive",
            year: i64::from(year),
            name_zh: &format!("玉东社区微项目资金{year}"),
            name_en: &format!("Yudong micro-grants {year}"),
            custodian: None,
        },
    )
    .await?;
    ledger::receive(
        app,
        &staff,
        &Receipt {
            id: None,
            fund_id: fund,
            source: "district",
            amount: 30_000_00,
            code: "allocation",
            memo: "社区微项目资金（撬动居民自治）",
        },
    )
    .await?;

    // Needs from the petition drop and the evening talks, then eleven proposals.
    app.clock.advance(20 * day)?;
    struct Grant {
        title: &'static str,
        yuan: i64,
        category: &'static str,
        channel: &'static str,
        claimant: Option<&'static str>,
        served: i64,
    }
    let grants = [
        Grant {
            title: "暑期儿童托管班",
            yuan: 4_500,
            category: "volunteering",
            channel: "evening_talk",
            claimant: None,
            served: 240,
        },
        Grant {
            title: "亲子厨房",
            yuan: 3_800,
            category: "community_building",
            channel: "evening_talk",
            claimant: None,
            served: 160,
        },
        Grant {
            title: "院落书屋",
            yuan: 2_500,
            category: "resident_quality",
            channel: "petition_drop",
            claimant: None,
            served: 90,
        },
        Grant {
            title: "长者互助茶话会",
            yuan: 2_000,
            category: "volunteering",
            channel: "home_visit",
            claimant: Some("睦林长者互助社"),
            served: 120,
        },
        Grant {
            title: "楼道美化",
            yuan: 3_000,
            category: "environment",
            channel: "petition_drop",
            claimant: None,
            served: 60,
        },
        Grant {
            title: "邻里节",
            yuan: 2_200,
            category: "community_building",
            channel: "evening_talk",
            claimant: None,
            served: 150,
        },
        Grant {
            title: "文艺助残排练",
            yuan: 2_600,
            category: "volunteering",
            channel: "petition_drop",
            claimant: Some("文艺助残俱乐部"),
            served: 48,
        },
        Grant {
            title: "妇女手工坊",
            yuan: 2_400,
            category: "resident_quality",
            channel: "evening_talk",
            claimant: Some("兰馨妇女发展促进会"),
            served: 72,
        },
        Grant {
            title: "垃圾分类督导",
            yuan: 2_000,
            category: "environment",
            channel: "petition_drop",
            claimant: None,
            served: 30,
        },
        Grant {
            title: "家庭教育讲座",
            yuan: 1_800,
            category: "resident_quality",
            channel: "evening_talk",
            claimant: None,
            served: 64,
        },
        Grant {
            title: "院落花园认养",
            yuan: 3_200,
            category: "environment",
            channel: "petition_drop",
            claimant: None,
            served: 40,
        },
    ];
    let mut ids = Vec::new();
    for g in &grants {
        let need = demo_need(
            app,
            &staff,
            court,
            (g.channel, g.category),
            &format!("希望开展{}", g.title),
            "玉林夜话、民情专递收集",
        )
        .await?;
        let p = projects::propose_project(
            app,
            &staff,
            &NewProject {
                place_id: court,
                title: g.title,
                scope: &format!("居民自组织实施的微项目：{}。", g.title),
                category: g.category,
                split: FundingSplit {
                    total: g.yuan * 100,
                    fund: g.yuan * 100,
                    cofunding: 0,
                    other: 0,
                },
                cofunding_source: "",
                opinions: "玉林夜话上居民提出并报名参与",
                implementer_plan: if g.claimant.is_some() {
                    "claim"
                } else {
                    "self"
                },
                needs: &[need],
            },
        )
        .await?;
        projects::advance(
            app,
            &staff,
            p,
            "screening",
            Evidence::Screening { note: "" },
        )
        .await?;
        if let Some(org) = g.claimant {
            projects::claim_project(
                app,
                &staff,
                p,
                org,
                "resident_group",
                "组织志愿者实施并承担场地",
            )
            .await?;
        }
        ids.push(p);
    }
    // One roadshow for all eleven.
    app.clock.advance(10 * day)?;
    let meeting =
        councils::schedule_meeting(app, admin, council, "玉东社区议事会微项目路演", app.now())
            .await?;
    for s in &seats {
        councils::record_attendance(app, admin, meeting, *s, true).await?;
    }
    for (i, p) in ids.iter().enumerate() {
        let motion = projects::table_project(app, admin, *p, meeting, "项目发起居民").await?;
        for (k, s) in seats.iter().enumerate() {
            let choice = if k < 15 - (i % 4) { "yes" } else { "abstain" };
            councils::cast_vote(app, admin, motion, *s, choice).await?;
        }
        let res = councils::close_motion(app, admin, motion)
            .await?
            .resolution
            .ok_or_else(|| Failure("a micro-grant vote did not pass".into()))?
            .0;
        projects::advance(app, admin, *p, "roadshow", Evidence::Resolution(res)).await?;
    }
    projects::allocate_round(app, &staff, fund, &ids, &[]).await?;
    let invoice = gongzhi_app::uploads::store(app, &staff, yudong, DEMO_INVOICE).await?;
    for p in &ids {
        let claim = projects::project_story(app, *p)
            .await?
            .claims
            .first()
            .map(|c| c.id);
        projects::advance(
            app,
            &staff,
            *p,
            "implementer",
            Evidence::Implementer(Implementer {
                mode: if claim.is_some() { "claim" } else { "self" },
                claim_id: claim,
                ..Default::default()
            }),
        )
        .await?;
    }
    // Half a year of activities.
    app.clock.advance(60 * day)?;
    let supplier = ledger::register_payee(
        app,
        &staff,
        yudong,
        "玉林社区便民超市",
        "Yulin convenience store",
    )
    .await?;
    for (g, p) in grants.iter().zip(&ids) {
        projects::post_update(
            app,
            &staff,
            *p,
            &format!("活动开展中，累计服务 {} 人次。", g.served),
            None,
        )
        .await?;
        let budget = projects::project_story(app, *p)
            .await?
            .project
            .budget_id
            .ok_or_else(|| Failure("micro-grant without budget".into()))?;
        // Most spend nearly all; what is left goes back at close-out.
        let spent = g.yuan * 100 - (g.yuan % 700) * 10;
        let e = ledger::submit_expense(
            app,
            &staff,
            &NewExpense {
                id: None,
                budget_id: budget,
                payee_id: supplier,
                amount: spent,
                description: &format!("{}：活动物资", g.title),
                document_sha256: &invoice.sha256,
            },
        )
        .await?;
        for signer in [&supervisor, &director] {
            ledger::sign_expense(app, signer, e, Decision::Sign, None).await?;
        }
    }
    app.clock.advance(90 * day)?;
    let panel = [
        PanelMember {
            name: "何玉珍".into(),
            role: "council_member".into(),
            score: None,
        },
        PanelMember {
            name: "林国栋".into(),
            role: "supervisor".into(),
            score: None,
        },
        PanelMember {
            name: "吴淑芬".into(),
            role: "resident_rep".into(),
            score: None,
        },
    ];
    for (i, (g, p)) in grants.iter().zip(&ids).enumerate() {
        projects::advance(
            app,
            &staff,
            *p,
            "implementation",
            Evidence::Finished {
                note: &format!("共服务 {} 人次", g.served),
            },
        )
        .await?;
        projects::advance(
            app,
            &staff,
            *p,
            "acceptance",
            Evidence::Review {
                panel: &panel,
                passed: true,
                note: "活动记录、签到表、票据齐全",
                document_sha256: None,
            },
        )
        .await?;
        projects::advance(app, &staff, *p, "close_out", Evidence::CloseOut).await?;
        projects::advance(
            app,
            &staff,
            *p,
            "disclosure",
            Evidence::Disclosure {
                note: "在玉东社区公示栏和微信群公开",
            },
        )
        .await?;
        for (k, (rater, resident)) in raters.iter().enumerate() {
            if (i + k) % 3 == 2 {
                continue;
            }
            let score = 5 - ((i + k) % 4 == 3) as i64;
            let comment = if k == 0 {
                "孩子暑假有去处，感谢志愿者"
            } else {
                ""
            };
            projects::rate_project(app, rater, *p, score, comment).await?;
            if !comment.is_empty() {
                // Staff review residents' comments before they are published.
                projects::review_rating_comment(app, &staff, *p, *resident, true).await?;
            }
        }
    }
    // The rating windows close; the statements due by then are posted, as the server would have.
    app.clock.advance(35 * day)?;
    ledger::post_due_statements(app).await?;
    Ok(Yudong {
        community: yudong,
        council,
        seats,
        staff,
        supervisor,
        director,
    })
}
