//! The demo community, seeded once through the application's own commands (so it is audited like
//! real data): 成都市 → 武侯区 → 晋阳街道 → 晋阳社区 → 第三居民小组 → 北苑小区, from seed 002,
//! plus a second community (玉东社区) to show that communities cannot see each other's data.
//! Every issue extends this seed so the demo exercises what it built.

use gongzhi_app::accounts::{self, NewAccount};
use gongzhi_app::authz::Actor;
use gongzhi_app::people::{self, NewResident};
use gongzhi_app::places::{self, NewJurisdiction};
use std::sync::Arc;

use gongzhi_app::{App, ManualClock, rules, setup};
use gongzhi_domain::time::Instant;
use uuid::Uuid;

use crate::Failure;

/// The city code that marks a database as the demo's: `gongzhi demo` refuses any other.
pub const DEMO_CITY_CODE: &str = "chengdu-demo";
pub const DEMO_PASSWORD: &str = "gongzhi-demo-2026";

pub const LOGINS: &[(&str, &str)] = &[
    ("admin", "管理员 administrator (成都市)"),
    ("jinyang-staff", "社区工作人员 community staff (晋阳社区)"),
    ("wuhou-official", "区干部 district official (武侯区)"),
    ("auditor", "审计人员 auditor (成都市)"),
    (
        "13800000001",
        "居民 resident 田小余 (北苑小区), by phone number",
    ),
    (
        "beiyuan-supervisor",
        "监事会成员 supervisor 田大山 (北苑小区)",
    ),
    (
        "jinyang-director",
        "居委会主任 committee director (晋阳社区)",
    ),
    ("jinyang-accountant", "会计 accountant (晋阳社区)"),
    (
        "foundation",
        "基金会托管人 foundation custodian (社区微基金)",
    ),
    (
        "tongxing",
        "同行社工 社会组织工作人员 social organisation staff (/calls)",
    ),
    (
        "beiyuan-1",
        "北苑小区议事会成员 council members 赵秀英; beiyuan-2 钱建国, beiyuan-3 孙丽华, beiyuan-4 李志强",
    ),
    ("yudong-staff", "社区工作人员 community staff (玉东社区)"),
    (
        "yudong-director",
        "居委会主任 committee director (玉东社区)",
    ),
    (
        "yudong-supervisor",
        "监事会成员 supervisor 林国栋 (玉东社区)",
    ),
    (
        "yudong-resident-0",
        "居民 residents 吴淑芬 (玉东); yudong-resident-1 郑国强, yudong-resident-2 孔丽娟",
    ),
    (
        "panel-wang",
        "评审专家 scoring panel 王老师; panel-li 李老师, panel-zhao 赵老师 (purchases)",
    ),
    (
        "panel-venture-1",
        "评审 venture-round panel (议事会代表); panel-venture-2 (社区营造顾问)",
    ),
    (
        "beiyuan-street-staff",
        "街道工作人员 street staff, a reviewer (北苑街道)",
    ),
];

pub fn seed(
    app: App,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Failure>> + Send>> {
    Box::pin(async move {
        let all = places::jurisdictions(&app).await?;
        match all.iter().find(|j| j.parent_id.is_none()) {
            Some(root) if root.code == DEMO_CITY_CODE => {
                eprintln!("演示数据库已存在，直接启动 / demo database exists: serving it as it is");
            }
            Some(root) => {
                return Err(Failure(format!(
                    "该数据库不是演示库（城市编码 {}），拒绝写入演示数据。请用 --database 指定新文件。\nThis database is not a demo database (city code {}); refusing to seed it. Use --database with a new file.",
                    root.code, root.code
                )));
            }
            None => {
                // The story starts in January, so the fund has a year of history and quarterly
                // statements; it is told on a clock of its own that ends at the present, so
                // every record is stamped in order and nothing lies in the future.
                let now = app.now();
                let story = App::new(
                    app.db.clone(),
                    Arc::new(ManualClock::starting_at(now.plus_seconds(-700 * 86_400))),
                    (*app.settings).clone(),
                );
                seed_fresh(&story, now).await?
            }
        }
        println!("\n共治演示 / Gongzhi demo — logins (password for all: {DEMO_PASSWORD}):");
        for (login, who) in LOGINS {
            println!("  {login:<16} {who}");
        }
        Ok(())
    })
}

pub(crate) async fn place(
    app: &App,
    actor: &Actor,
    parent: Uuid,
    level: &str,
    code: &str,
    zh: &str,
    en: &str,
) -> Result<Uuid, Failure> {
    Ok(places::create_jurisdiction(
        app,
        actor,
        &NewJurisdiction {
            parent_id: Some(parent),
            level,
            code,
            name_zh: zh,
            name_en: en,
        },
    )
    .await?)
}

pub(crate) async fn account(
    app: &App,
    actor: &Actor,
    at: Uuid,
    role: &str,
    username: Option<&str>,
    phone: Option<&str>,
    name: &str,
) -> Result<Uuid, Failure> {
    Ok(accounts::create_account(
        app,
        actor,
        at,
        role,
        &NewAccount {
            username,
            phone,
            display_name: name,
            password: DEMO_PASSWORD,
            locale: "zh-CN",
        },
    )
    .await?)
}

/// Moves the story's clock forward to `at` (never back).
pub(crate) fn clock_to(app: &App, at: Instant) -> Result<(), Failure> {
    let step = (at.0 - app.now().0) / 1_000_000;
    if step > 0 {
        app.clock.advance(step)?;
    }
    Ok(())
}

async fn seed_fresh(app: &App, present: Instant) -> Result<(), Failure> {
    eprintln!("正在创建演示数据 / seeding the demo community…");
    let (city, admin_id) = setup::init(
        app,
        &setup::Init {
            city_code: DEMO_CITY_CODE,
            city_name_zh: "成都市（演示）",
            city_name_en: "Chengdu (demo)",
            admin_username: "admin",
            admin_name: "系统管理员",
            admin_password: DEMO_PASSWORD,
        },
    )
    .await?;
    let mut tx = app.db.read().await.map_err(AppError::from)?;
    let admin = Actor::load(&mut tx, admin_id).await?;
    tx.rollback().await.map_err(AppError::from)?;

    let wuhou = place(
        app,
        &admin,
        city,
        "district",
        "wuhou",
        "武侯区",
        "Wuhou District",
    )
    .await?;
    let street = place(
        app,
        &admin,
        wuhou,
        "street",
        "jinyang-street",
        "晋阳街道",
        "Jinyang Street",
    )
    .await?;
    let jinyang = place(
        app,
        &admin,
        street,
        "community",
        "jinyang",
        "晋阳社区",
        "Jinyang Community",
    )
    .await?;
    let group = place(
        app,
        &admin,
        jinyang,
        "resident_group",
        "jinyang-g3",
        "第三居民小组",
        "Resident Group 3",
    )
    .await?;
    let beiyuan = place(
        app,
        &admin,
        group,
        "courtyard",
        "beiyuan",
        "北苑小区",
        "Beiyuan Courtyard",
    )
    .await?;
    let yulin = place(
        app,
        &admin,
        wuhou,
        "street",
        "yulin-street",
        "玉林街道",
        "Yulin Street",
    )
    .await?;
    let yudong = place(
        app,
        &admin,
        yulin,
        "community",
        "yudong",
        "玉东社区",
        "Yudong Community",
    )
    .await?;
    let yudong_court = place(
        app,
        &admin,
        yudong,
        "courtyard",
        "yudong-1",
        "玉东一院",
        "Yudong Courtyard 1",
    )
    .await?;

    account(
        app,
        &admin,
        jinyang,
        "staff",
        Some("jinyang-staff"),
        None,
        "晋阳社区 王主任",
    )
    .await?;
    account(
        app,
        &admin,
        wuhou,
        "official",
        Some("wuhou-official"),
        None,
        "武侯区 李科长",
    )
    .await?;
    account(
        app,
        &admin,
        city,
        "auditor",
        Some("auditor"),
        None,
        "审计 周审计",
    )
    .await?;
    let tian = account(
        app,
        &admin,
        beiyuan,
        "resident",
        None,
        Some("13800000001"),
        "田小余",
    )
    .await?;

    // Residents of 北苑 as the community office keeps them in a spreadsheet, imported in one
    // command (buildings and households are created as needed). Two family members share a phone.
    let roster = "姓名,电话,身份证号,院落,楼栋,单元,户,户代表\n\
                  田小余,13800000001,,beiyuan,1栋,1,101,是\n\
                  田大山,13800000001,,beiyuan,1栋,1,101,\n\
                  赵秀英,13800000002,,beiyuan,1栋,1,102,是\n\
                  钱建国,,,beiyuan,1栋,2,201,是\n\
                  孙丽华,13800000004,,beiyuan,2栋,1,101,是\n\
                  李志强,13800000005,,beiyuan,2栋,1,102,是\n";
    people::import_residents_csv(app, &admin, jinyang, roster.as_bytes()).await?;
    // A resident of the other community.
    people::register_resident(
        app,
        &admin,
        yudong,
        &NewResident {
            name: "周玉兰".into(),
            phone: Some("13900000001".into()),
            ..Default::default()
        },
    )
    .await?;

    // 玉东's micro-grants happened last year; 晋阳's story is this year's.
    let yudong_council = seed_yudong(app, &admin, (yudong, yudong_court)).await?;
    seed_other_communities(app, &admin, (city, wuhou)).await?;
    let suppliers = crate::demo_purchases::seed_directory_and_last_year(
        app,
        &admin,
        (wuhou, jinyang, yudong),
        present,
    )
    .await?;
    let group_council = seed_group_election(app, &admin, (jinyang, group), present).await?;
    // Early in the year: 玉东's micro-venture round and, in Beijing, the service-station contract.
    clock_to(app, present.plus_seconds(-333 * 86_400))?;
    crate::demo_purchases::seed_beijing_station(app).await?;
    crate::demo_purchases::seed_venture_round(app, &admin, &yudong_council, suppliers.mulin)
        .await?;
    crate::demo_votes::seed_yudong_vote(app, &admin, yudong, yudong_court).await?;
    clock_to(app, present.plus_seconds(-320 * 86_400))?;

    // Offices: who holds what, for a term (councils and sign-off chains build on these).
    accounts::assign_office(
        app,
        &admin,
        group,
        "council_member",
        tian,
        &gongzhi_domain::time::format_date(app.now().china_date()),
        Some("2030-12-31"),
    )
    .await?;

    // The rulebook: the city defaults came with `init` (among them the State Council's holiday
    // calendar); the district sets how city and district share the fund and the community
    // council sets its own size.
    rules::set_rule(
        app,
        &admin,
        wuhou,
        "fund.allocation_shares",
        r#"{"parts":[{"source":"city","share":3},{"source":"district","share":2}]}"#,
        "2026-01-01",
        "演示：市、区按 3:2 分担保障资金（比例为示例）/ demo: city and district share 3:2 (illustrative)",
    )
    .await?;
    rules::set_rule(
        app,
        &admin,
        jinyang,
        "council.size.community",
        r#"{"min":30,"max":45}"#,
        "2026-01-01",
        "晋阳社区议事会 37 名成员（种子 002）/ Jinyang council has 37 members (seed 002)",
    )
    .await?;
    let officers = seed_officers(app, &admin, jinyang).await?;
    let history = seed_fund_history(app, &admin, &officers, (wuhou, jinyang), present).await?;
    // The councils' story: last month's meeting 40 days ago, this month's votes today.
    clock_to(app, present.plus_seconds(-40 * 86_400))?;
    let councils = seed_councils(app, &admin, (jinyang, beiyuan), present).await?;
    seed_money_now(
        app,
        &admin,
        &officers,
        &history,
        &councils,
        (jinyang, beiyuan),
    )
    .await?;
    seed_by_election(app, &admin, (jinyang, group_council), present).await?;
    crate::demo_purchases::seed_open_call(app, &admin, jinyang, &suppliers.visitors).await?;
    // Whatever disclosure fell due on the way is posted now, as the running server would have
    // done: a demo starts with its record up to date (and the first `serve` has nothing to post).
    gongzhi_app::ledger::post_due_statements(app).await?;
    setup::anchor_heads(app).await?;
    Ok(())
}

/// 第三居民小组's council, elected by secret ballot last December: the group's residents (北苑 and
/// its neighbour 东苑) elect 3 of 4 candidates. Returns the council.
async fn seed_group_election(
    app: &App,
    admin: &Actor,
    (jinyang, group): (Uuid, Uuid),
    present: Instant,
) -> Result<Uuid, Failure> {
    use gongzhi_app::councils::{self, NewCouncil};
    use gongzhi_app::elections::{self, NewElection};
    let dongyuan = place(
        app,
        admin,
        group,
        "courtyard",
        "dongyuan",
        "东苑小区",
        "Dongyuan Courtyard",
    )
    .await?;
    let mut neighbours = Vec::new();
    for name in ["周建民", "吴桂芳", "郑海燕", "王德明", "冯淑珍", "陈国强"] {
        neighbours.push(
            people::register_resident(
                app,
                admin,
                jinyang,
                &NewResident {
                    name: name.into(),
                    courtyard_id: Some(dongyuan),
                    ..Default::default()
                },
            )
            .await?,
        );
    }
    let council = councils::create_council(
        app,
        admin,
        &NewCouncil {
            jurisdiction_id: group,
            kind: "council",
            name_zh: "第三居民小组议事会",
            name_en: "Resident Group 3 Council",
            short_name: "晋阳三组",
        },
    )
    .await?;
    let roster = people::list_residents(app, admin, jinyang, 100).await?;
    let zhao = roster
        .iter()
        .find(|r| r.name == "赵秀英")
        .map(|r| r.id)
        .ok_or_else(|| Failure("demo resident 赵秀英 missing".into()))?;
    // Voting ran for a week, a little under a year ago.
    clock_to(app, present.plus_seconds(-340 * 86_400))?;
    let candidates = [zhao, neighbours[0], neighbours[1], neighbours[2]];
    let election = elections::open_election(
        app,
        admin,
        &NewElection {
            council_id: council,
            kind: "general",
            title: "第三居民小组议事会换届选举",
            seats: 3,
            candidates: &candidates,
            closes_at: app.now().plus_seconds(7 * 86_400),
            term_end: Some("2028-12-31"),
        },
    )
    .await?;
    // Paper ballots entered by the community office (recorded as entered by staff): 8 of the 12.
    let ballots: [&[Uuid]; 8] = [
        &[zhao, neighbours[0], neighbours[1]],
        &[zhao, neighbours[0], neighbours[2]],
        &[zhao, neighbours[1], neighbours[0]],
        &[neighbours[0], neighbours[1]],
        &[zhao, neighbours[0]],
        &[zhao, neighbours[2], neighbours[1]],
        &[neighbours[1], neighbours[0], zhao],
        &[],
    ];
    let voters: Vec<Uuid> = roster
        .iter()
        .filter(|r| r.courtyard_id.is_some() && r.name != "周玉兰")
        .map(|r| r.id)
        .collect();
    for (voter, choice) in voters.iter().rev().zip(ballots) {
        elections::cast_ballot(app, admin, election, choice, Some(*voter)).await?;
    }
    clock_to(app, app.now().plus_seconds(7 * 86_400 + 3_600))?;
    elections::close_election(app, admin, election).await?;
    Ok(council)
}

/// This week: one of the group council's members has moved away, and the by-election for the
/// seat is open; 田小余 (signed in by phone) can vote in it.
async fn seed_by_election(
    app: &App,
    admin: &Actor,
    (jinyang, council): (Uuid, Uuid),
    present: Instant,
) -> Result<(), Failure> {
    use gongzhi_app::councils;
    use gongzhi_app::elections::{self, NewElection, NewSeries};
    let (_, seats, _) = councils::council_view(app, council).await?;
    let leaving = seats
        .iter()
        .find(|s| s.resident_name == "周建民")
        .ok_or_else(|| Failure("demo seat of 周建民 missing".into()))?;
    let last_day =
        gongzhi_domain::time::format_date(present.plus_seconds(-2 * 86_400).china_date());
    elections::end_seat(app, admin, council, leaving.id, "moved_away", &last_day).await?;
    let tenant_residents = people::list_residents(app, admin, jinyang, 100).await?;
    let candidates: Vec<Uuid> = ["王德明", "冯淑珍"]
        .iter()
        .filter_map(|n| tenant_residents.iter().find(|r| r.name == *n).map(|r| r.id))
        .collect();
    let election = elections::open_election(
        app,
        admin,
        &NewElection {
            council_id: council,
            kind: "by_election",
            title: "第三居民小组议事会补选（1 席）",
            seats: 1,
            candidates: &candidates,
            closes_at: present.plus_seconds(7 * 86_400),
            term_end: None,
        },
    )
    .await?;
    // Three ballots so far, entered at the residents' request by the community office.
    let voters: Vec<Uuid> = tenant_residents
        .iter()
        .filter(|r| ["陈国强", "吴桂芳", "郑海燕"].contains(&r.name.as_str()))
        .map(|r| r.id)
        .collect();
    for (voter, choice) in voters
        .iter()
        .zip([candidates[0], candidates[1], candidates[0]])
    {
        elections::cast_ballot(app, admin, election, &[choice], Some(*voter)).await?;
    }
    // The group council meets on the 10th of every month.
    let today = gongzhi_domain::time::format_date(present.china_date());
    elections::schedule_series(
        app,
        admin,
        &NewSeries {
            council_id: council,
            title: "第三居民小组议事会例会",
            day: 10,
            time: "19:30",
            from: &today,
            meetings: 12,
        },
    )
    .await?;
    Ok(())
}

/// People who hold the money offices of 晋阳社区: the committee director, the accountant, and the
/// foundation's custodian of the community micro-fund.
struct Officers {
    staff: Actor,
    director: Actor,
    accountant: Actor,
    custodian: Actor,
}

async fn seed_officers(app: &App, admin: &Actor, jinyang: Uuid) -> Result<Officers, Failure> {
    let load = async |id: Uuid| -> Result<Actor, Failure> {
        let mut tx = app.db.read().await.map_err(AppError::from)?;
        let a = Actor::load(&mut tx, id).await?;
        tx.rollback().await.map_err(AppError::from)?;
        Ok(a)
    };
    let mut made = Vec::new();
    for (username, name, role, office) in [
        (
            "jinyang-director",
            "居委会主任 马德明",
            "staff",
            "committee_director",
        ),
        ("jinyang-accountant", "会计 何静", "staff", "accountant"),
        (
            "foundation",
            "武侯社区发展基金会 林芳",
            "org_staff",
            "custodian",
        ),
    ] {
        let id = account(app, admin, jinyang, role, Some(username), None, name).await?;
        accounts::assign_office(
            app,
            admin,
            jinyang,
            office,
            id,
            &gongzhi_domain::time::format_date(app.now().china_date()),
            Some("2028-12-31"),
        )
        .await?;
        made.push(load(id).await?);
    }
    let staff_id = {
        let mut tx = app.db.read().await.map_err(AppError::from)?;
        let found = gongzhi_store::repo::accounts_for_login(&mut tx, "jinyang-staff", None)
            .await
            .map_err(AppError::from)?;
        tx.rollback().await.map_err(AppError::from)?;
        found
            .first()
            .map(|a| a.id)
            .ok_or_else(|| Failure("demo account jinyang-staff missing".into()))?
    };
    let custodian = made.pop().ok_or_else(|| Failure("custodian".into()))?;
    let accountant = made.pop().ok_or_else(|| Failure("accountant".into()))?;
    let director = made.pop().ok_or_else(|| Failure("director".into()))?;
    Ok(Officers {
        staff: load(staff_id).await?,
        director,
        accountant,
        custodian,
    })
}

struct FundHistory {
    base: Uuid,
    micro: Uuid,
}

/// A year of 晋阳社区's funds: the base and incentive funds allocated by city and district in
/// shares, last year's balance carried over, donations into a micro-fund held by a foundation
/// (管用分离), and the quarterly statements posted as each quarter ended.
async fn seed_fund_history(
    app: &App,
    admin: &Actor,
    o: &Officers,
    (wuhou, jinyang): (Uuid, Uuid),
    present: Instant,
) -> Result<FundHistory, Failure> {
    use gongzhi_app::ledger::{self, NewFund, Receipt};
    // Steps dated after the present are left out (a demo started early in the year).
    let due = |at: Instant| at.0 < present.0 - 86_400_000_000;
    let year = i64::from(app.now().china_date().year());
    // The micro-fund's custodian is a foundation of the city's directory; its 林芳 holds the
    // custodian's office, so only she moves the fund's money (管用分离).
    let foundation = gongzhi_app::procurement::register_organisation(
        app,
        admin,
        &gongzhi_app::procurement::NewOrganisation {
            name_zh: "成都市武侯社区发展基金会",
            name_en: "Wuhou Community Development Foundation",
            kind: "foundation",
            credit_code: Some("53510107MJ000F0DN3"),
            registered_with: wuhou,
            registered_on: None,
            business_scope: "社区基金托管、公益项目资助",
            capacity: "专职人员 6 名",
            incubator_id: None,
            incubator_level: None,
            qualifications: &[],
        },
    )
    .await?;
    gongzhi_app::procurement::seat_org_staff(
        app,
        admin,
        foundation,
        o.custodian
            .account_id
            .ok_or_else(|| Failure("custodian".into()))?,
        "admin",
    )
    .await?;
    let fund = async |programme: &str, name_zh: &str, name_en: &str, custodian: Option<Uuid>| {
        ledger::create_fund(
            app,
            &o.staff,
            &NewFund {
                community_id: jinyang,
                programme,
                year,
                name_zh,
                name_en,
                custodian,
            },
        )
        .await
    };
    let base = fund(
        "base",
        &format!("晋阳社区保障资金{year}"),
        &format!("Jinyang base fund {year}"),
        None,
    )
    .await?;
    let incentive = fund(
        "incentive",
        &format!("晋阳社区激励资金{year}"),
        &format!("Jinyang incentive fund {year}"),
        None,
    )
    .await?;
    let micro = fund(
        "donation",
        "晋阳社区微基金",
        "Jinyang community micro-fund",
        Some(foundation),
    )
    .await?;
    let receive = async |fund_id: Uuid, source: &str, yuan: i64, code: &str, memo: &str| {
        ledger::receive(
            app,
            &o.staff,
            &Receipt {
                id: None,
                fund_id,
                source,
                amount: yuan * 100,
                code,
                memo,
            },
        )
        .await
    };
    let day = 86_400;
    app.clock.advance(3 * day)?;
    // City and district share the allocation by the district's rule (3:2 here): 150,000 + 100,000.
    ledger::allocate(
        app,
        &o.staff,
        None,
        base,
        250_000_00,
        "年度保障资金拨付（市、区按比例分担）",
    )
    .await?;
    receive(base, "carry_over", 12_345, "carry_over", "上年度结余结转").await?;
    app.clock.advance(60 * day)?;
    for (donor, yuan) in [("张建国", 5_000), ("何婷婷", 603), ("李秀英", 2_000)] {
        ledger::record_donation(app, &o.staff, None, micro, donor, yuan * 100).await?;
    }
    // Quarterly statements are posted a few days after each quarter ends.
    let statements = async |start: &str, end: &str| -> Result<(), Failure> {
        for f in [base, incentive, micro] {
            ledger::post_statement(app, &o.staff, f, start, end, "scheduled").await?;
        }
        Ok(())
    };
    let history = FundHistory { base, micro };
    if !due(quarter_day(year, 4, 10)) {
        return Ok(history);
    }
    clock_to(app, quarter_day(year, 4, 3))?;
    statements(&format!("{year}-01-01"), &format!("{year}-04-01")).await?;
    app.clock.advance(7 * day)?;
    receive(
        incentive,
        "district",
        60_000,
        "allocation",
        "激励资金（年度考核优秀）",
    )
    .await?;
    if !due(quarter_day(year, 7, 15)) {
        return Ok(history);
    }
    clock_to(app, quarter_day(year, 7, 3))?;
    statements(&format!("{year}-04-01"), &format!("{year}-07-01")).await?;
    app.clock.advance(12 * day)?;
    receive(
        incentive,
        "street",
        20_000,
        "allocation",
        "街道社区营造补助",
    )
    .await?;
    ledger::record_donation(
        app,
        &o.staff,
        None,
        micro,
        "成都某科技有限公司",
        20_000 * 100,
    )
    .await?;
    if due(quarter_day(year, 10, 9)) {
        clock_to(app, quarter_day(year, 10, 9))?;
        statements(&format!("{year}-07-01"), &format!("{year}-10-01")).await?;
    }
    Ok(history)
}

/// 09:00 China time on a day of the year.
fn quarter_day(year: i64, month: u8, day: u8) -> Instant {
    let month = time::Month::try_from(month).unwrap_or(time::Month::January);
    time::Date::from_calendar_date(year as i32, month, day)
        .map(|d| Instant::china_midnight(d).plus_seconds(9 * 3600))
        .unwrap_or_default()
}

/// The money story as it stands today: 北苑's renovation approved at the roadshow, its budget
/// reserved (half fund, half co-funded by the households), an expense waiting for the
/// supervisory board; and a hardship case paid from the micro-fund by the foundation only, the
/// hospital refunding what was not used.
async fn seed_money_now(
    app: &App,
    admin: &Actor,
    o: &Officers,
    history: &FundHistory,
    councils: &DemoCouncils,
    (jinyang, beiyuan): (Uuid, Uuid),
) -> Result<(), Failure> {
    use gongzhi_app::councils as c;
    use gongzhi_app::ledger::{self, Decision, NewBudget, NewExpense};
    let _ = beiyuan;
    let households: Vec<Uuid> = {
        let mut tx = app.db.read().await.map_err(AppError::from)?;
        let ids = gongzhi_store::repo::household_ids(&mut tx, jinyang)
            .await
            .map_err(AppError::from)?;
        tx.rollback().await.map_err(AppError::from)?;
        ids
    };
    use gongzhi_app::projects::{self, Evidence, Implementer};
    let share = 18_000_00 / households.len().max(1) as i64;
    let (_, lines) =
        projects::allocate_round(app, &o.staff, history.base, &[councils.renovation], &[]).await?;
    if !lines.iter().all(|l| l.funded) {
        return Err(Failure("the renovation was not funded".into()));
    }
    let renovation = projects::project_story(app, councils.renovation)
        .await?
        .project
        .budget_id
        .ok_or_else(|| Failure("no budget for the renovation".into()))?;
    for h in &households {
        ledger::pledge_cofunding(app, &o.staff, renovation, *h, share).await?;
    }
    for h in households.iter().take(3) {
        ledger::receive_cofunding(app, &o.staff, None, renovation, *h, share).await?;
    }
    // Three quotes compared (比选); the lowest wins and the contract is signed.
    let quote = gongzhi_app::uploads::store(app, &o.staff, jinyang, DEMO_INVOICE).await?;
    let mut chosen = None;
    for (supplier, yuan) in [
        ("成都锦城建筑工程有限公司", 34_500),
        ("四川安居装饰工程有限公司", 37_800),
        ("武侯区宏达维修服务部", 39_200),
    ] {
        let q = projects::add_quote(
            app,
            &o.staff,
            councils.renovation,
            supplier,
            yuan * 100,
            &quote.sha256,
        )
        .await?;
        chosen.get_or_insert(q);
    }
    projects::advance(
        app,
        &o.staff,
        councils.renovation,
        "implementer",
        Evidence::Implementer(Implementer {
            mode: "quotes",
            quote_id: chosen,
            contract_sha256: Some(&quote.sha256),
            ..Default::default()
        }),
    )
    .await?;
    projects::post_update(
        app,
        &o.staff,
        councils.renovation,
        "施工方进场，后门拆除旧门框；议事会第 5 次讨论后门方案后定稿。",
        None,
    )
    .await?;
    let builder = projects::project_story(app, councils.renovation)
        .await?
        .project
        .payee_id
        .ok_or_else(|| Failure("no contractor".into()))?;
    ledger::submit_expense(
        app,
        &o.staff,
        &NewExpense {
            id: None,
            budget_id: renovation,
            payee_id: builder,
            amount: 8_000_00,
            description: "后门维修首期款（三家比选后签约）",
            document_sha256: &quote.sha256,
        },
    )
    .await?;

    // A hardship case: the courtyard council decides, the foundation pays the hospital.
    let motion = c::open_motion(
        app,
        admin,
        &c::NewMotion {
            council_id: councils.beiyuan_council,
            meeting_id: Some(councils.beiyuan_meeting),
            kind: "project_approval",
            title: "使用社区微基金资助困境家庭住院治疗",
            body: "由社区微基金（基金会托管）直接支付医院，结余退回基金。",
            needs_notice: false,
            convention: None,
            approved_fund: Some(6_000_00),
        },
    )
    .await?;
    for s in &councils.beiyuan_seats {
        c::cast_vote(app, admin, motion, *s, "yes").await?;
    }
    let resolution = c::close_motion(app, admin, motion)
        .await?
        .resolution
        .ok_or_else(|| Failure("hardship motion did not pass".into()))?
        .0;
    let relief = ledger::reserve_budget(
        app,
        &o.staff,
        &NewBudget {
            id: None,
            resolution_id: resolution,
            jurisdiction_id: None,
            fund_id: history.micro,
            title: "困境家庭住院救助",
            reserved: 6_000_00,
            pledges: &[],
            reason: None,
        },
    )
    .await?;
    let hospital = ledger::register_payee(
        app,
        &o.staff,
        jinyang,
        "四川省某医院",
        "A hospital in Sichuan",
    )
    .await?;
    let bill = ledger::submit_expense(
        app,
        &o.staff,
        &NewExpense {
            id: None,
            budget_id: relief,
            payee_id: hospital,
            amount: 6_000_00,
            description: "住院押金（直接支付医院）",
            document_sha256: &quote.sha256,
        },
    )
    .await?;
    for signer in [&councils.supervisor, &o.director, &o.accountant] {
        ledger::sign_expense(app, signer, bill, Decision::Sign, None).await?;
    }
    ledger::pay_expense(app, &o.custodian, bill, None).await?;
    ledger::refund(
        app,
        &o.custodian,
        None,
        hospital,
        history.micro,
        1_200_00,
        "出院结算，押金结余退回基金",
    )
    .await?;
    Ok(())
}

/// A one-page PDF standing in for a scanned quote.
pub(crate) const DEMO_INVOICE: &[u8] =
    b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n";

/// The demo resident's account (田小余, who signs in by phone).
async fn tian_account(app: &App) -> Result<Uuid, Failure> {
    let mut tx = app.db.read().await.map_err(AppError::from)?;
    let found =
        gongzhi_store::repo::accounts_for_login(&mut tx, "13800000001", Some("13800000001"))
            .await
            .map_err(AppError::from)?;
    tx.rollback().await.map_err(AppError::from)?;
    found
        .first()
        .map(|a| a.id)
        .ok_or_else(|| Failure("demo account of 田小余 missing".into()))
}

/// 北苑's courtyard council of 5 meeting monthly (a convention revision in force, the renovation
/// project on notice), its supervisory board, and 晋阳's community council of 37 approving the
/// project with 25 votes (seed 002).
/// What the money story needs from the councils' story.
struct DemoCouncils {
    /// 北苑's renovation, through the roadshow and waiting for money.
    renovation: Uuid,
    beiyuan_council: Uuid,
    beiyuan_meeting: Uuid,
    beiyuan_seats: Vec<Uuid>,
    /// 田大山, the 北苑 supervisory board's member, who signs in as `beiyuan-supervisor`.
    supervisor: Actor,
}

async fn seed_councils(
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

use gongzhi_app::AppError;

/// A need heard on `channel`, entered by staff (or the system) for 北苑.
async fn demo_need(
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
async fn propose_renovation(
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
async fn propose_second_phase(
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

async fn seed_yudong(
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

/// More communities from the seeds, with their needs and claimed projects: 锦绣社区 (成华区,
/// seed 001: a lift repaired, rubbish and drains cleared, 蒋姐姐助老服务队 of 50+ retirees),
/// 凉水井街社区 (武侯区, seed 001: 同行社工's culture project) and 朱家庙社区's 金河苑小区 (双流区
/// 公兴街道, seed 002: relocated villagers asking for a lift repair and a tea room). Streets the
/// seeds do not name are labelled as such.
async fn seed_other_communities(
    app: &App,
    admin: &Actor,
    (city, wuhou): (Uuid, Uuid),
) -> Result<(), Failure> {
    use gongzhi_app::projects::{self, Evidence, NeedAction, NewProject};
    use gongzhi_domain::project::FundingSplit;
    let chenghua = place(
        app,
        admin,
        city,
        "district",
        "chenghua",
        "成华区",
        "Chenghua District",
    )
    .await?;
    let ch_street = place(
        app,
        admin,
        chenghua,
        "street",
        "chenghua-street",
        "成华区某街道（种子未载明）",
        "A street of Chenghua (not named in the seed)",
    )
    .await?;
    let jinxiu = place(
        app,
        admin,
        ch_street,
        "community",
        "jinxiu",
        "锦绣社区",
        "Jinxiu Community",
    )
    .await?;
    let jinxiu_east = place(
        app,
        admin,
        jinxiu,
        "courtyard",
        "jinxiu-dongfang",
        "锦绣东方小区",
        "Jinxiu Dongfang",
    )
    .await?;
    let wh_street = place(
        app,
        admin,
        wuhou,
        "street",
        "liangshuijing-street",
        "武侯区某街道（种子未载明）",
        "A street of Wuhou (not named in the seed)",
    )
    .await?;
    let liangshuijing = place(
        app,
        admin,
        wh_street,
        "community",
        "liangshuijing",
        "凉水井街社区",
        "Liangshuijing Street Community",
    )
    .await?;
    let shuangliu = place(
        app,
        admin,
        city,
        "district",
        "shuangliu",
        "双流区",
        "Shuangliu District",
    )
    .await?;
    let gongxing = place(
        app,
        admin,
        shuangliu,
        "street",
        "gongxing",
        "公兴街道",
        "Gongxing Street",
    )
    .await?;
    let zhujiamiao = place(
        app,
        admin,
        gongxing,
        "community",
        "zhujiamiao",
        "朱家庙社区",
        "Zhujiamiao Community",
    )
    .await?;
    let jinheyuan = place(
        app,
        admin,
        zhujiamiao,
        "courtyard",
        "jinheyuan",
        "金河苑小区",
        "Jinheyuan",
    )
    .await?;

    for (at, channel, category, title, close) in [
        (
            jinxiu_east,
            "yard_meeting",
            "infrastructure",
            "电梯经常停运",
            Some("电梯已由维保单位大修，9 月恢复运行。"),
        ),
        (
            jinxiu_east,
            "yard_meeting",
            "environment",
            "小区垃圾堆积无人清运",
            Some("居民自治小组与物业约定每日清运。"),
        ),
        (
            jinxiu_east,
            "phone",
            "environment",
            "下水道堵塞返水",
            Some("已疏通。"),
        ),
        (
            jinheyuan,
            "yard_meeting",
            "infrastructure",
            "我们楼的电梯又坏了",
            None,
        ),
        (
            jinheyuan,
            "yard_meeting",
            "community_building",
            "老人想要一间喝茶聊天的屋子",
            None,
        ),
    ] {
        let id = demo_need(
            app,
            admin,
            at,
            (channel, category),
            title,
            "议事会成员在院坝收集",
        )
        .await?;
        if let Some(reply) = close {
            projects::act_on_need(
                app,
                admin,
                id,
                NeedAction::Reply {
                    reply,
                    close: Some("resolved"),
                },
            )
            .await?;
        }
    }
    for (at, title, yuan, category, claimant, kind, offer) in [
        (
            jinxiu_east,
            "独居老人探访与邻里调解",
            6_000,
            "volunteering",
            "蒋姐姐助老服务队",
            "volunteer_team",
            "50 多名退休居民每周上门探访独居老人，调解邻里纠纷",
        ),
        (
            liangshuijing,
            "“饮水思源，奉献之泉”社区文化项目",
            20_000,
            "community_building",
            "同行社工",
            "social_org",
            "社工机构策划实施，组织居民志愿者参与",
        ),
    ] {
        let p = projects::propose_project(
            app,
            admin,
            &NewProject {
                place_id: at,
                title,
                scope: offer,
                category,
                split: FundingSplit {
                    total: yuan * 100,
                    fund: yuan * 100,
                    cofunding: 0,
                    other: 0,
                },
                cofunding_source: "",
                opinions: "",
                implementer_plan: "claim",
                needs: &[],
            },
        )
        .await?;
        projects::advance(app, admin, p, "screening", Evidence::Screening { note: "" }).await?;
        projects::claim_project(app, admin, p, claimant, kind, offer).await?;
    }
    Ok(())
}
