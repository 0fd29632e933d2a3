//! The demo community, seeded once through the application's own commands (so it is audited like
//! real data): 成都市 → 武侯区 → 晋阳街道 → 晋阳社区 → 第三居民小组 → 北苑小区, from seed 002,
//! plus a second community (玉东社区) to show that communities cannot see each other's data.
//! Every issue extends this seed so the demo exercises what it built.

mod elections;
mod jinyang;
mod money;
mod others;
pub(crate) mod purchases;
pub(crate) mod votes;
mod yudong;

use elections::*;
use jinyang::*;
use money::*;
use others::*;
pub use yudong::*;

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
    let step = (at.micros() - app.now().micros()) / 1_000_000;
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
    let suppliers = crate::demo::purchases::seed_directory_and_last_year(
        app,
        &admin,
        (wuhou, jinyang, yudong),
        present,
    )
    .await?;
    let group_council = seed_group_election(app, &admin, (jinyang, group), present).await?;
    // Early in the year: 玉东's micro-venture round and, in Beijing, the service-station contract.
    clock_to(app, present.plus_seconds(-333 * 86_400))?;
    crate::demo::purchases::seed_beijing_station(app).await?;
    crate::demo::purchases::seed_venture_round(app, &admin, &yudong_council, suppliers.mulin)
        .await?;
    crate::demo::votes::seed_yudong_vote(app, &admin, yudong, yudong_court).await?;
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
    crate::demo::purchases::seed_open_call(app, &admin, jinyang, &suppliers.visitors).await?;
    // Whatever disclosure fell due on the way is posted now, as the running server would have
    // done: a demo starts with its record up to date (and the first `serve` has nothing to post).
    gongzhi_app::ledger::post_due_statements(app).await?;
    setup::anchor_heads(app).await?;
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

use gongzhi_app::AppError;
