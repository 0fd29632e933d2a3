//! The demo's government purchases of services, told through the app's own commands: the city's
//! supplier directory (registered and filed organisations, a company, a blacklisting), 武侯区's
//! purchase plan, last year's elderly meal service from call to evaluation, 玉东's micro-venture
//! round (公益创投) with a donor's adoption, Beijing's 88-item service-station contract (seed
//! 003) in a second city, and a call open now.
//!
//! Last year's purchase is the district's: the ledger keeps community funds only, so its payments
//! are not in the fund ledger. 玉东's venture round is the community's own: its pool is a budget
//! on a fund, and the start-up half of each funded grant is paid through the fund's sign-off
//! chain, so a visitor follows it from call to contract to payment.

use gongzhi_app::authz::Actor;
use gongzhi_app::procurement::{
    self as pr, NewBid, NewCall, NewContract, NewEvaluation, NewItem, NewOrganisation, Panelist,
    PlanLine,
};
use gongzhi_app::{App, AppError};
use gongzhi_domain::procurement::Criterion;
use gongzhi_domain::time::Instant;
use uuid::Uuid;

use crate::Failure;

mod venture_round;
pub use venture_round::*;
mod beijing_station;
pub use beijing_station::*;

fn criteria() -> Vec<Criterion> {
    [
        ("plan", "服务方案", "Service plan", 40),
        ("price", "报价", "Price", 30),
        ("record", "以往绩效与信用", "Track record", 30),
    ]
    .into_iter()
    .map(|(k, zh, en, weight)| Criterion {
        key: k.into(),
        zh: zh.into(),
        en: en.into(),
        weight,
    })
    .collect()
}

fn scores(plan: u32, price: u32, record: u32) -> Vec<(String, u32)> {
    vec![
        ("plan".into(), plan),
        ("price".into(), price),
        ("record".into(), record),
    ]
}

/// Opens a staff account at `place` for each panelist (username, name) and seats them on the
/// call's panel; returns them with their names, to score as.
async fn seat_panel<'a>(
    app: &App,
    admin: &Actor,
    place: Uuid,
    call: Uuid,
    members: &[(&str, &'a str)],
) -> Result<Vec<(Actor, &'a str)>, Failure> {
    let mut panel = Vec::new();
    for (username, name) in members {
        let id =
            crate::demo::account(app, admin, place, "staff", Some(username), None, name).await?;
        panel.push((load(app, id).await?, *name));
    }
    let seated: Vec<Panelist> = panel
        .iter()
        .map(|(a, n)| Panelist {
            account_id: a.account_id.unwrap_or_default(),
            name: n.to_string(),
            ties: vec![],
        })
        .collect();
    pr::seat_panel(app, admin, call, &seated).await?;
    Ok(panel)
}

async fn load(app: &App, id: Uuid) -> Result<Actor, Failure> {
    let mut tx = app.db.read().await.map_err(AppError::from)?;
    let a = Actor::load(&mut tx, id).await?;
    tx.rollback().await.map_err(AppError::from)?;
    Ok(a)
}

/// The directory and last year's meal-service purchase (call, bids, panel, award, contract,
/// deliveries, evaluation). Runs early in the story, on its clock; returns the suppliers later
/// calls need.
pub async fn seed_directory_and_last_year(
    app: &App,
    admin: &Actor,
    (wuhou, jinyang, yudong): (Uuid, Uuid, Uuid),
    present: Instant,
) -> Result<Directory, Failure> {
    let mut orgs = Vec::new();
    for (name, en, kind, code, at, scope, capacity, quals) in [
        (
            "成都市武侯区同行社会工作服务中心",
            "Tongxing Social Work Centre",
            "private_non_enterprise",
            Some("52510107MJ0000001B"),
            wuhou,
            "社会工作服务、养老服务、社区营造",
            "专职社工 12 名",
            vec!["A6-1", "A6-2", "B3-2", "B3-4"],
        ),
        (
            "睦林长者互助社",
            "Mulin Elders' Mutual Aid Society",
            "community_org",
            None,
            yudong,
            "长寿食坊助餐、老年互助",
            "志愿者 40 余名",
            vec!["A6-2"],
        ),
        (
            "蒋姐姐助老服务队",
            "Sister Jiang's Elderly Care Team",
            "volunteer_team",
            None,
            jinyang,
            "独居老人探访、邻里调解",
            "退休志愿者 50 余名",
            vec!["A6-1", "B3-3"],
        ),
        (
            "成都某餐饮管理有限公司",
            "A Chengdu catering company",
            "company",
            Some("91510107MA6CAT0017"),
            wuhou,
            "餐饮管理、团餐配送",
            "中央厨房 1 处",
            vec!["A6-2"],
        ),
        (
            "成都某社会服务中心",
            "A social service centre (blacklisted)",
            "private_non_enterprise",
            Some("52510107MJ0000002E"),
            wuhou,
            "社会服务",
            "社工 3 名",
            vec!["A6-2"],
        ),
        (
            "武侯区社会组织评估中心",
            "Wuhou Social Organisation Evaluation Centre",
            "private_non_enterprise",
            Some("52510107MJ0000003H"),
            wuhou,
            "第三方评估",
            "评估员 8 名",
            vec!["B3-3"],
        ),
    ] {
        let quals: Vec<String> = quals.into_iter().map(String::from).collect();
        orgs.push(
            pr::register_organisation(
                app,
                admin,
                &NewOrganisation {
                    name_zh: name,
                    name_en: en,
                    kind,
                    credit_code: code,
                    registered_with: at,
                    registered_on: None,
                    business_scope: scope,
                    capacity,
                    incubator_id: None,
                    incubator_level: None,
                    qualifications: &quals,
                },
            )
            .await?,
        );
    }
    let [tongxing, mulin, jiang, caterer, barred, evaluator] = orgs[..] else {
        return Err(Failure("demo organisations".into()));
    };
    let today = app.now().china_date();
    pr::blacklist(
        app,
        admin,
        barred,
        "上一合同期内虚报服务人次，经区民政局核查属实（演示）",
        &gongzhi_domain::time::format_date(today),
        None,
    )
    .await?;
    let tx_staff = crate::demo::account(
        app,
        admin,
        wuhou,
        "org_staff",
        Some("tongxing"),
        None,
        "同行社工 陈社工",
    )
    .await?;
    pr::seat_org_staff(app, admin, tongxing, tx_staff, "admin").await?;
    let tx_staff = load(app, tx_staff).await?;

    let year = today.year();
    pr::record_plan(
        app,
        admin,
        wuhou,
        year,
        &format!("武侯区{year}年政府购买社会服务计划"),
        &[
            PlanLine {
                catalogue_code: "A6-2".into(),
                description: "社区长者助餐服务".into(),
                amount: 540_000_00,
                new_service: true,
            },
            PlanLine {
                catalogue_code: "B3-2".into(),
                description: "社区营造项目".into(),
                amount: 300_000_00,
                new_service: false,
            },
        ],
    )
    .await?;

    // The call: three suppliers bid; the blacklisted one is refused at the door.
    let crit = criteria();
    let call = pr::open_call(
        app,
        admin,
        &NewCall {
            buyer_id: wuhou,
            plan_id: None,
            title: "武侯区社区长者助餐服务（玉林片区）",
            description: "为玉林片区 70 岁以上居民每日提供午餐，80 岁以上送餐上门；按餐补贴。",
            catalogue_code: "A6-2",
            method: "open_tender",
            justification: None,
            value: 540_000_00,
            new_service: true,
            eligible_kinds: &[],
            closes_at: app.now().plus_seconds(14 * 86_400),
            contract_months: 12,
            stable: false,
            criteria: &crit,
            budget_id: None,
            round: None,
        },
    )
    .await?;
    let mut bids = Vec::new();
    for (who, by, price) in [
        (tongxing, &tx_staff, 528_000_00),
        (mulin, admin, 486_000_00),
        (caterer, admin, 535_000_00),
    ] {
        bids.push(
            pr::submit_bid(
                app,
                by,
                &NewBid {
                    call_id: call,
                    organisation_id: who,
                    price,
                    cofunding: 0,
                    plan: "中央厨房配餐，每日 11:30 前送达；志愿者上门送餐并探访",
                    theme: None,
                },
            )
            .await?,
        );
    }
    if pr::submit_bid(
        app,
        admin,
        &NewBid {
            call_id: call,
            organisation_id: barred,
            price: 450_000_00,
            cofunding: 0,
            plan: "—",
            theme: None,
        },
    )
    .await
    .is_ok()
    {
        return Err(Failure("a blacklisted supplier's bid was taken".into()));
    }
    let panel = seat_panel(
        app,
        admin,
        wuhou,
        call,
        &[
            ("panel-wang", "评审 王老师"),
            ("panel-li", "评审 李老师"),
            ("panel-zhao", "评审 赵老师"),
        ],
    )
    .await?;
    crate::demo::clock_to(app, app.now().plus_seconds(15 * 86_400))?;
    let sheet = [
        [scores(88, 82, 86), scores(86, 80, 90), scores(90, 84, 88)],
        [scores(84, 92, 80), scores(82, 90, 78), scores(85, 92, 82)],
        [scores(75, 80, 70), scores(72, 78, 74), scores(76, 80, 72)],
    ];
    for (b, row) in bids.iter().zip(&sheet) {
        for ((p, _), s) in panel.iter().zip(row) {
            pr::score_bid(app, p, *b, s).await?;
        }
    }
    pr::decide_call(app, admin, call).await?;
    let start = app.now().plus_seconds(86_400).china_date();
    let end = gongzhi_domain::procurement::add_months(start, 12)
        .previous_day()
        .unwrap_or(start);
    let d = gongzhi_domain::time::format_date;
    let items = vec![
        NewItem {
            kind: "deliverable".into(),
            catalogue_code: Some("A6-2".into()),
            title: "每日午餐（约 180 份），80 岁以上送餐上门".into(),
            due_on: None,
            amount: 0,
            final_payment: false,
        },
        NewItem {
            kind: "deliverable".into(),
            catalogue_code: Some("A6-1".into()),
            title: "独居老人每周探访一次".into(),
            due_on: None,
            amount: 0,
            final_payment: false,
        },
        NewItem {
            kind: "milestone".into(),
            catalogue_code: None,
            title: "首期（合同签订后）".into(),
            due_on: Some(d(start)),
            amount: 211_200_00,
            final_payment: false,
        },
        NewItem {
            kind: "milestone".into(),
            catalogue_code: None,
            title: "中期（半年评估后）".into(),
            due_on: None,
            amount: 158_400_00,
            final_payment: false,
        },
        NewItem {
            kind: "milestone".into(),
            catalogue_code: None,
            title: "尾款（按第三方绩效评估）".into(),
            due_on: Some(d(end)),
            amount: 158_400_00,
            final_payment: true,
        },
    ];
    let contract = pr::sign_contract(
        app,
        admin,
        &NewContract {
            call_id: call,
            bid_id: None,
            starts_on: &d(start),
            ends_on: &d(end),
            items: &items,
            payment_rule: None,
            renews_id: None,
        },
    )
    .await?;
    // The evaluation, near the end of the contract's year (before this year's story begins).
    crate::demo::clock_to(app, present.plus_seconds(-345 * 86_400))?;
    for position in [1, 2] {
        pr::record_delivery(app, admin, contract, position).await?;
    }
    pr::evaluate_contract(
        app,
        admin,
        &NewEvaluation {
            contract_id: contract,
            score: 85,
            evaluator_org_id: Some(evaluator),
            evaluator_name: "武侯区社会组织评估中心",
            summary: "全年供餐 6.1 万份，老人满意度 92%；部分送餐台账缺签字，扣分。",
        },
    )
    .await?;
    let _ = caterer;
    Ok(Directory {
        visitors: vec![tongxing, jiang],
        mulin,
    })
}

/// Suppliers the later calls need.
pub struct Directory {
    /// The two qualified for home visits (A6-1), who bid in this year's open call at 晋阳.
    pub visitors: Vec<Uuid>,
    /// 睦林长者互助社, filed with 玉东, which applies to 玉东's micro-venture round.
    pub mulin: Uuid,
}

/// A call open now at 晋阳社区, for volunteer-led home visits, with two bids in.
pub async fn seed_open_call(
    app: &App,
    admin: &Actor,
    jinyang: Uuid,
    suppliers: &[Uuid],
) -> Result<Uuid, Failure> {
    let crit = criteria();
    let call = pr::open_call(
        app,
        admin,
        &NewCall {
            buyer_id: jinyang,
            plan_id: None,
            title: "晋阳社区独居老人探访服务",
            description: "每周上门探访独居老人一次，建立探访台账，发现需求及时转介。",
            catalogue_code: "A6-1",
            method: "comparative_selection",
            justification: None,
            value: 60_000_00,
            new_service: true,
            eligible_kinds: &[],
            closes_at: Instant::from_micros(app.now().micros() + 12 * 86_400_000_000),
            contract_months: 12,
            stable: false,
            criteria: &crit,
            budget_id: None,
            round: None,
        },
    )
    .await?;
    for (org, price) in suppliers.iter().zip([58_000_00, 36_000_00]) {
        pr::submit_bid(
            app,
            admin,
            &NewBid {
                call_id: call,
                organisation_id: *org,
                price,
                cofunding: 0,
                plan: "两人一组上门，每月向社区报送探访台账",
                theme: None,
            },
        )
        .await?;
    }
    Ok(call)
}
