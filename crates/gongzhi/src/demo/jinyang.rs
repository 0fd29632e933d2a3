//! 晋阳's councils and its core loop: councils, meetings and motions, the needs residents raised,
//! and the courtyard renovation's two phases through the pipeline.

use super::*;

/// 北苑's courtyard council of 5 meeting monthly (a convention revision in force, the renovation
/// project on notice), its supervisory board, and 晋阳's community council of 37 approving the
/// project with 25 votes (seed 002).
/// What the money story needs from the councils' story.
pub(super) struct DemoCouncils {
    /// 北苑's renovation, through the roadshow and waiting for money.
    pub(super) renovation: Uuid,
    pub(super) beiyuan_council: Uuid,
    pub(super) beiyuan_meeting: Uuid,
    pub(super) beiyuan_seats: Vec<Uuid>,
    /// 田大山, the 北苑 supervisory board's member, who signs in as `beiyuan-supervisor`.
    pub(super) supervisor: Actor,
}

pub(super) async fn seed_councils(
    app: &App,
    admin: &Actor,
    (jinyang, beiyuan): (Uuid, Uuid),
    present: Instant,
) -> Result<DemoCouncils, Failure> {
    use gongzhi_app::councils::{self, NewCouncil, NewMotion};
    use gongzhi_app::projects;
    let roster = people::list_residents(app, admin, jinyang, 100).await?;
    let id_of = |name: &str| {
        roster
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.id)
            .ok_or_else(|| Failure(format!("demo resident {name} missing")))
    };

    let council = councils::create_council(
        app,
        admin,
        &NewCouncil {
            jurisdiction_id: beiyuan,
            kind: "council",
            name_zh: "北苑小区议事会",
            name_en: "Beiyuan Courtyard Council",
            short_name: "北苑小区",
        },
    )
    .await?;
    let mut seats = Vec::new();
    for (i, name) in ["田小余", "赵秀英", "钱建国", "孙丽华", "李志强"]
        .iter()
        .enumerate()
    {
        let role = if i == 0 { "chair" } else { "member" };
        seats.push(
            councils::seat_member(
                app,
                admin,
                council,
                id_of(name)?,
                role,
                "2026-01-01",
                Some("2028-12-31"),
            )
            .await?,
        );
    }
    let board = councils::create_council(
        app,
        admin,
        &NewCouncil {
            jurisdiction_id: beiyuan,
            kind: "supervisory_board",
            name_zh: "北苑小区监事会",
            name_en: "Beiyuan Supervisory Board",
            short_name: "北苑监事会",
        },
    )
    .await?;
    councils::seat_member(
        app,
        admin,
        board,
        id_of("田大山")?,
        "chair",
        "2026-01-01",
        Some("2028-12-31"),
    )
    .await?;
    let supervisor_account = account(
        app,
        admin,
        beiyuan,
        "resident",
        Some("beiyuan-supervisor"),
        None,
        "田大山",
    )
    .await?;
    people::link_account(app, admin, jinyang, id_of("田大山")?, supervisor_account).await?;
    let supervisor = {
        let mut tx = app.db.read().await.map_err(AppError::from)?;
        let a = Actor::load(&mut tx, supervisor_account).await?;
        tx.rollback().await.map_err(AppError::from)?;
        a
    };

    // Members sign in as themselves (linked by the community office), so they can sign minutes.
    let tian_account = tian_account(app).await?;
    let mut member_actors = Vec::new();
    for (i, name) in ["田小余", "赵秀英", "钱建国", "孙丽华", "李志强"]
        .iter()
        .enumerate()
    {
        let account = if i == 0 {
            tian_account
        } else {
            gongzhi_app::accounts::create_account(
                app,
                admin,
                beiyuan,
                "resident",
                &gongzhi_app::accounts::NewAccount {
                    username: Some(&format!("beiyuan-{i}")),
                    phone: None,
                    display_name: name,
                    password: DEMO_PASSWORD,
                    locale: "zh-CN",
                },
            )
            .await?
        };
        people::link_account(app, admin, jinyang, id_of(name)?, account).await?;
        let mut tx = app.db.read().await.map_err(AppError::from)?;
        member_actors.push(Actor::load(&mut tx, account).await?);
        tx.rollback().await.map_err(AppError::from)?;
    }
    // Last month's meeting (the story clock stands 40 days before the present): the renovation,
    // gathered from yard meetings into the needs ledger, is proposed, screened and voted; its
    // resolution is posted for a week and is in force by now.
    let october =
        councils::schedule_meeting(app, admin, council, "北苑小区议事会 10 月例会", app.now())
            .await?;
    for s in &seats {
        councils::record_attendance(app, admin, october, *s, true).await?;
    }
    let renovation = propose_renovation(app, admin, jinyang, beiyuan).await?;
    let tabled = projects::table_project(
        app,
        admin,
        renovation,
        october,
        "田小余（北苑小区议事会召集人）",
    )
    .await?;
    for (i, s) in seats.iter().enumerate() {
        let choice = if i == 4 { "abstain" } else { "yes" };
        councils::cast_vote(app, admin, tabled, *s, choice).await?;
    }
    let group_resolution = councils::close_motion(app, admin, tabled)
        .await?
        .resolution
        .ok_or_else(|| Failure("the group council's vote did not pass".into()))?
        .0;
    councils::write_minutes(
        app,
        admin,
        october,
        "出席：5 人（全体）。\n议题：院落路灯损坏、围墙开裂、电动自行车进楼充电。\n议定：1. 汇总坝坝会意见，形成院落改造方案，下次例会表决；2. 修订院落公约第五条，下次例会表决。",
    )
    .await?;
    for (member, seat) in member_actors.iter().zip(&seats) {
        councils::sign_minutes(app, member, october, *seat).await?;
    }
    // This month's meeting, in the present.
    clock_to(app, present.plus_seconds(-600))?;
    let meeting = councils::schedule_meeting(
        app,
        admin,
        council,
        "北苑小区议事会 11 月例会（每月 10 日）",
        app.now(),
    )
    .await?;
    for s in &seats {
        councils::record_attendance(app, admin, meeting, *s, true).await?;
    }
    // 北苑院落公约: adopted, then its fifth article revised, each by a vote of the council.
    const V1: &str = "北苑院落公约\n第一条 爱护院落环境，垃圾分类投放。\n第二条 邻里和睦，互帮互助。\n第三条 文明养犬，及时清理。\n第四条 公共区域不堆放杂物。\n第五条 车辆有序停放，不占消防通道。\n第六条 重大事项经院落议事会商议决定。";
    let v2 = V1.replace(
        "第五条 车辆有序停放，不占消防通道。",
        "第五条 车辆有序停放，不占消防通道；电动自行车统一停放在 2 栋北侧车棚，禁止进楼充电。",
    );
    let pact = councils::create_convention(app, admin, beiyuan, "北苑院落公约").await?;
    for (title, text) in [
        ("通过《北苑院落公约》", V1.to_string()),
        ("修订《北苑院落公约》第五条（车辆停放）", v2),
    ] {
        let convention = councils::open_motion(
            app,
            admin,
            &NewMotion {
                council_id: council,
                meeting_id: Some(meeting),
                kind: "convention",
                title,
                body: "院落议事会讨论后表决。",
                needs_notice: false,
                convention: Some((pact, &text)),
                approved_fund: None,
            },
        )
        .await?;
        for s in &seats {
            councils::cast_vote(app, admin, convention, *s, "yes").await?;
        }
        councils::close_motion(app, admin, convention).await?;
    }
    // The second phase (street lights and a bike shed, from needs raised this autumn) is voted
    // today and stands on notice.
    let second = propose_second_phase(app, admin, jinyang, beiyuan).await?;
    let tabled = projects::table_project(app, admin, second, meeting, "田小余").await?;
    for s in &seats {
        councils::cast_vote(app, admin, tabled, *s, "yes").await?;
    }
    councils::close_motion(app, admin, tabled).await?;
    // The renovation's notice ended without objection: its group step is done.
    projects::advance(
        app,
        admin,
        renovation,
        "group_resolution",
        projects::Evidence::Resolution(group_resolution),
    )
    .await?;

    // 晋阳社区议事会: 37 members; the roadshow vote passes with 25 (at least 2/3 of all seated).
    let community = councils::create_council(
        app,
        admin,
        &NewCouncil {
            jurisdiction_id: jinyang,
            kind: "council",
            name_zh: "晋阳社区议事会",
            name_en: "Jinyang Community Council",
            short_name: "晋阳社区",
        },
    )
    .await?;
    const SURNAMES: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"];
    const GIVEN: [&str; 4] = ["建华", "秀兰", "志明", "玉梅"];
    let mut members = Vec::new();
    for i in 0..37 {
        let name = format!("{}{}", SURNAMES[i % 10], GIVEN[i / 10]);
        let r = people::register_resident(
            app,
            admin,
            jinyang,
            &NewResident {
                name,
                ..Default::default()
            },
        )
        .await?;
        members.push(
            councils::seat_member(
                app,
                admin,
                community,
                r,
                if i == 0 { "chair" } else { "member" },
                "2025-07-01",
                Some("2030-06-30"),
            )
            .await?,
        );
    }
    let roadshow =
        councils::schedule_meeting(app, admin, community, "晋阳社区议事会项目路演", app.now())
            .await?;
    for s in &members {
        councils::record_attendance(app, admin, roadshow, *s, true).await?;
    }
    let approve = projects::table_project(
        app,
        admin,
        renovation,
        roadshow,
        "田小余（北苑小区议事会召集人）",
    )
    .await?;
    for (i, s) in members.iter().enumerate() {
        let choice = if i < 25 {
            "yes"
        } else if i < 35 {
            "no"
        } else {
            "abstain"
        };
        councils::cast_vote(app, admin, approve, *s, choice).await?;
    }
    let roadshow_resolution = councils::close_motion(app, admin, approve)
        .await?
        .resolution
        .ok_or_else(|| Failure("the roadshow vote did not pass".into()))?
        .0;
    projects::advance(
        app,
        admin,
        renovation,
        "roadshow",
        projects::Evidence::Resolution(roadshow_resolution),
    )
    .await?;
    let _ = roadshow_resolution;
    Ok(DemoCouncils {
        renovation,
        beiyuan_council: council,
        beiyuan_meeting: meeting,
        beiyuan_seats: seats,
        supervisor,
    })
}

/// A need heard on `channel`, entered by staff (or the system) for 北苑.
pub(super) async fn demo_need(
    app: &App,
    admin: &Actor,
    place: Uuid,
    (channel, category): (&str, &str),
    title: &str,
    body: &str,
) -> Result<Uuid, Failure> {
    use gongzhi_app::projects::{self, NewNeed};
    Ok(projects::report_need(
        app,
        admin,
        &NewNeed {
            place_id: Some(place),
            building_id: None,
            category,
            channel,
            title,
            body,
            photos: &[],
            reporter_id: None,
        },
    )
    .await?
    .0)
}

/// 北苑's renovation as seed 002 tells it: needs from the yard meetings, a proposal of 36,000
/// (half fund, half self-raised), screened against the lists.
pub(super) async fn propose_renovation(
    app: &App,
    admin: &Actor,
    jinyang: Uuid,
    beiyuan: Uuid,
) -> Result<Uuid, Failure> {
    use gongzhi_app::projects::{self, Evidence, NewProject};
    use gongzhi_domain::project::FundingSplit;
    let mut needs = Vec::new();
    for (title, body) in [
        ("后门常年损坏，夜里关不上", "坝坝会上 12 户反映"),
        (
            "消防通道被杂物和车辆占用",
            "坝坝会上多户反映，消防检查也提出过",
        ),
        ("围墙低矮，有人翻墙进院", "坝坝会上反映，去年两户失窃"),
    ] {
        needs.push(
            demo_need(
                app,
                admin,
                beiyuan,
                ("yard_meeting", "environment"),
                title,
                body,
            )
            .await?,
        );
    }
    // Other needs in the ledger: answered, merged, waiting.
    let lift = demo_need(
        app,
        admin,
        jinyang,
        ("petition_drop", "infrastructure"),
        "3 号楼楼道灯坏了",
        "民情专递信箱",
    )
    .await?;
    projects::act_on_need(
        app,
        admin,
        lift,
        projects::NeedAction::Reply {
            reply: "已报物业维修，10 月 20 日修好。",
            close: Some("resolved"),
        },
    )
    .await?;
    let again = demo_need(
        app,
        admin,
        beiyuan,
        ("phone", "environment"),
        "后门坏了没人修",
        "电话反映",
    )
    .await?;
    projects::act_on_need(
        app,
        admin,
        again,
        projects::NeedAction::Merge { into: needs[0] },
    )
    .await?;
    demo_need(
        app,
        admin,
        jinyang,
        ("home_visit", "volunteering"),
        "独居老人希望有人定期上门看看",
        "家访时 2 栋一位 80 岁老人提出",
    )
    .await?;
    let project = projects::propose_project(
        app,
        admin,
        &NewProject {
            place_id: beiyuan,
            title: "北苑院落改造：后门、消防通道、围墙防攀爬",
            scope: "维修后门，清理并划定消防通道，围墙加装防攀爬设施。",
            category: "environment",
            split: FundingSplit {
                total: 36_000_00,
                fund: 18_000_00,
                cofunding: 18_000_00,
                other: 0,
            },
            cofunding_source: "北苑 5 户居民自筹，每户 3,600 元",
            opinions: "坝坝会上业主一致同意；后门方案议事会讨论 5 次后定稿。",
            implementer_plan: "quotes",
            needs: &needs,
        },
    )
    .await?;
    projects::advance(
        app,
        admin,
        project,
        "screening",
        Evidence::Screening {
            note: "属优先保障清单：社区和院落生态环境整治；未触及禁止清单。",
        },
    )
    .await?;
    Ok(project)
}

/// The second phase, from needs raised this autumn (one online by 田小余).
pub(super) async fn propose_second_phase(
    app: &App,
    admin: &Actor,
    jinyang: Uuid,
    beiyuan: Uuid,
) -> Result<Uuid, Failure> {
    use gongzhi_app::projects::{self, Evidence, NewNeed, NewProject};
    use gongzhi_domain::project::FundingSplit;
    let _ = jinyang;
    let tian = {
        let id = tian_account(app).await?;
        let mut tx = app.db.read().await.map_err(AppError::from)?;
        let a = Actor::load(&mut tx, id).await?;
        tx.rollback().await.map_err(AppError::from)?;
        a
    };
    let lights = projects::report_need(
        app,
        &tian,
        &NewNeed {
            place_id: Some(beiyuan),
            building_id: None,
            category: "environment",
            channel: "online",
            title: "院里路灯不亮，晚上回家看不清路",
            body: "1 栋到 2 栋之间的两盏路灯坏了半年。",
            photos: &[],
            reporter_id: None,
        },
    )
    .await?
    .0;
    let shed = demo_need(
        app,
        admin,
        beiyuan,
        ("yard_meeting", "environment"),
        "电动自行车没处停，有人拉线进楼充电",
        "坝坝会上反映，公约第五条修订后需要车棚",
    )
    .await?;
    let project = projects::propose_project(
        app,
        admin,
        &NewProject {
            place_id: beiyuan,
            title: "北苑二期：路灯更换与电动自行车车棚",
            scope: "更换 1—2 栋之间路灯 2 盏；2 栋北侧建车棚一处并安装充电桩。",
            category: "environment",
            split: FundingSplit {
                total: 24_000_00,
                fund: 14_000_00,
                cofunding: 10_000_00,
                other: 0,
            },
            cofunding_source: "北苑各户按车辆自筹，约 20 户",
            opinions: "院落公约第五条修订时业主提出；坝坝会同意。",
            implementer_plan: "quotes",
            needs: &[lights, shed],
        },
    )
    .await?;
    projects::advance(
        app,
        admin,
        project,
        "screening",
        Evidence::Screening { note: "" },
    )
    .await?;
    Ok(project)
}
