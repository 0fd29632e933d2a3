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

/// 玉东社区's "微创投" this year (R42's "1+3+N"): three themes, a pool of 50,000 for at most
/// three grants, five resident groups apply and present at the roadshow; the panel's ranking
/// funds three, a local company adopts the best one left over (the province's "+N"), and the
/// grant agreements are signed. The round names no fund budget (its money is the street's
/// grant, which the ledger does not keep), so the gift and the grants are recorded, not posted.
/// Moves the clock to the roadshow, 6 days on.
pub async fn seed_venture_round(
    app: &App,
    admin: &Actor,
    y: &crate::demo::Yudong,
    mulin: Uuid,
) -> Result<Uuid, Failure> {
    use gongzhi_domain::procurement::GrantRound;
    let yudong = y.community;
    let pool = venture_pool(app, admin, y).await?;
    pr::qualify(app, admin, mulin, &["B3-2".to_string()]).await?;
    let mut groups = vec![mulin];
    for (name, en, kind, scope) in [
        (
            "玉东花园自管小组",
            "Yudong Garden Self-Management Group",
            "community_org",
            "院落环境自治、楼道美化",
        ),
        (
            "玉东邻里守望队",
            "Yudong Neighbourhood Watch",
            "volunteer_team",
            "邻里互助、夜间巡查",
        ),
        (
            "玉东青年志愿者协会",
            "Yudong Young Volunteers",
            "volunteer_team",
            "社区公益服务、助老",
        ),
        (
            "玉东银龄读书会",
            "Yudong Silver Readers",
            "community_org",
            "老年读书、文化交流",
        ),
    ] {
        groups.push(
            pr::register_organisation(
                app,
                admin,
                &NewOrganisation {
                    name_zh: name,
                    name_en: en,
                    kind,
                    credit_code: None,
                    registered_with: yudong,
                    registered_on: None,
                    business_scope: scope,
                    capacity: "居民骨干 8–15 名",
                    incubator_id: None,
                    incubator_level: None,
                    qualifications: &["B3-2".to_string()],
                },
            )
            .await?,
        );
    }
    let crit = criteria();
    let closes = app.now().plus_seconds(5 * 86_400);
    let themes = ["院落美化", "邻里共融", "公益服务"];
    let call = pr::open_call(
        app,
        admin,
        &NewCall {
            buyer_id: yudong,
            plan_id: None,
            title: "玉东社区“微创投”",
            description: "围绕院落美化、邻里共融、公益服务三个主题，征集居民自组织的微项目；路演答辩后由评审打分，按排名在资金池内资助。",
            catalogue_code: "B3-2",
            method: "venture",
            justification: None,
            value: 50_000_00,
            new_service: true,
            eligible_kinds: &["community_org".to_string(), "volunteer_team".to_string()],
            closes_at: closes,
            contract_months: 12,
            stable: false,
            criteria: &crit,
            budget_id: Some(pool),
            round: Some(GrantRound {
                themes: themes.iter().map(|t| t.to_string()).collect(),
                max_awards: 3,
                roadshow_at: Some(closes.micros() + 86_400_000_000),
                roadshow_place: Some("玉东社区党群服务中心".into()),
            }),
        },
    )
    .await?;
    let mut bids = Vec::new();
    for (org, price, theme, plan) in [
        (
            groups[0],
            12_000_00,
            themes[2],
            "长寿食坊延伸：每周两次为行动不便的老人送餐上门",
        ),
        (
            groups[1],
            18_000_00,
            themes[0],
            "玉东一院花台改造，居民认养花草并轮值养护",
        ),
        (
            groups[2],
            15_000_00,
            themes[1],
            "楼栋“守望相助”名册和夜间巡查，每月一次邻里茶话",
        ),
        (
            groups[3],
            22_000_00,
            themes[2],
            "青年志愿者周末陪伴独居老人，教用智能手机",
        ),
        (
            groups[4],
            6_000_00,
            themes[1],
            "每月一次读书分享会，建社区小书架",
        ),
    ] {
        bids.push(
            pr::submit_bid(
                app,
                admin,
                &NewBid {
                    call_id: call,
                    organisation_id: org,
                    price,
                    cofunding: 0,
                    plan,
                    theme: Some(theme),
                },
            )
            .await?,
        );
    }
    let panel = seat_panel(
        app,
        admin,
        yudong,
        call,
        &[
            ("panel-venture-1", "评审 社区议事会代表"),
            ("panel-venture-2", "评审 街道社区营造顾问"),
        ],
    )
    .await?;
    crate::demo::clock_to(app, Instant::from_micros(closes.micros() + 86_400_000_000))?;
    // The roadshow: ranked 睦林, 花园, 守望, 青年, 读书会. 12,000 + 18,000 + 15,000 leave 5,000,
    // so three grants are funded; the young volunteers' 22,000 is adopted by a company.
    let sheet = [
        [scores(92, 88, 95), scores(90, 90, 93)],
        [scores(90, 85, 88), scores(88, 86, 90)],
        [scores(86, 84, 85), scores(85, 86, 84)],
        [scores(84, 80, 80), scores(83, 80, 82)],
        [scores(78, 90, 75), scores(76, 88, 74)],
    ];
    for (b, row) in bids.iter().zip(&sheet) {
        for ((p, _), s) in panel.iter().zip(row) {
            pr::score_bid(app, p, *b, s).await?;
        }
    }
    let result = pr::decide_call(app, admin, call).await?;
    pr::adopt_bid(app, admin, bids[3], "成都玉林某物业服务有限公司").await?;
    let start = app.now().plus_seconds(86_400).china_date();
    let end = gongzhi_domain::procurement::add_months(start, 12)
        .previous_day()
        .unwrap_or(start);
    let d = gongzhi_domain::time::format_date;
    let funded = result.funded();
    let mut granted = Vec::new();
    for bid in funded.iter().copied().chain([bids[3]]) {
        let price = [12_000_00, 18_000_00, 15_000_00, 22_000_00, 6_000_00]
            [bids.iter().position(|b| *b == bid).unwrap_or(0)];
        let items = vec![
            NewItem {
                kind: "milestone".into(),
                catalogue_code: None,
                title: "启动资金（协议签订后）".into(),
                due_on: Some(d(start)),
                amount: price / 2,
                final_payment: false,
            },
            NewItem {
                kind: "milestone".into(),
                catalogue_code: None,
                title: "结项资金（按结项评估）".into(),
                due_on: Some(d(end)),
                amount: price - price / 2,
                final_payment: true,
            },
        ];
        let contract = pr::sign_contract(
            app,
            admin,
            &NewContract {
                call_id: call,
                bid_id: Some(bid),
                starts_on: &d(start),
                ends_on: &d(end),
                items: &items,
                payment_rule: None,
                renews_id: None,
            },
        )
        .await?;
        if funded.contains(&bid) {
            granted.push(contract);
        }
    }
    // The start-up half of each grant the pool funds is paid through the fund: submitted by the
    // community's staff, signed by the supervisory board and then the director. (The adopted
    // application is paid by the company that adopted it, outside the fund.)
    let invoice = gongzhi_app::uploads::store(app, &y.staff, yudong, crate::demo::DEMO_INVOICE)
        .await?
        .sha256;
    for contract in granted {
        let expense = pr::pay_milestone(app, &y.staff, contract, 1, None, &invoice).await?;
        for signer in [&y.supervisor, &y.director] {
            gongzhi_app::ledger::sign_expense(
                app,
                signer,
                expense,
                gongzhi_app::ledger::Decision::Sign,
                None,
            )
            .await?;
        }
    }
    Ok(call)
}

/// The venture round's pool as 玉东's own money: the street allocates it to a fund, the council
/// approves spending it in a meeting, and a budget reserves it for the call.
async fn venture_pool(app: &App, admin: &Actor, y: &crate::demo::Yudong) -> Result<Uuid, Failure> {
    use gongzhi_app::councils::{self, NewMotion};
    use gongzhi_app::ledger::{self, NewBudget, NewFund, Receipt};
    let year = app.now().china_date().year();
    let fund = ledger::create_fund(
        app,
        &y.staff,
        &NewFund {
            community_id: y.community,
            programme: "base",
            year: i64::from(year),
            name_zh: &format!("玉东社区公益创投资金{year}"),
            name_en: &format!("Yudong micro-venture pool {year}"),
            custodian: None,
        },
    )
    .await?;
    ledger::receive(
        app,
        &y.staff,
        &Receipt {
            id: None,
            fund_id: fund,
            source: "street",
            amount: 50_000_00,
            code: "allocation",
            memo: "街道下达社区公益创投资金",
        },
    )
    .await?;
    let meeting = councils::schedule_meeting(
        app,
        admin,
        y.council,
        "玉东社区议事会：公益创投资金使用",
        app.now(),
    )
    .await?;
    for seat in &y.seats {
        councils::record_attendance(app, admin, meeting, *seat, true).await?;
    }
    let motion = councils::open_motion(
        app,
        admin,
        &NewMotion {
            council_id: y.council,
            meeting_id: Some(meeting),
            kind: "project_approval",
            title: "使用公益创投资金 5 万元开展社区“微创投”",
            body: "面向居民自组织征集微项目，路演评审后按排名资助，资金由社区公益创投资金支付。",
            needs_notice: false,
            convention: None,
            approved_fund: Some(50_000_00),
        },
    )
    .await?;
    for seat in &y.seats {
        councils::cast_vote(app, admin, motion, *seat, "yes").await?;
    }
    let resolution = councils::close_motion(app, admin, motion)
        .await?
        .resolution
        .ok_or_else(|| Failure("the venture pool motion did not pass".into()))?
        .0;
    Ok(ledger::reserve_budget(
        app,
        &y.staff,
        &NewBudget {
            id: None,
            resolution_id: resolution,
            jurisdiction_id: None,
            fund_id: fund,
            title: "玉东社区“微创投”资金池",
            reserved: 50_000_00,
            pledges: &[],
            reason: None,
        },
    )
    .await?)
}

/// The service areas of a community service station; with four kinds of work each they make the
/// 88 public-service items 盛德社工事务所 took over at 复兴南里 (seed 003). The source gives the
/// number, not the list: these titles are illustrative (U).
const STATION_AREAS: [&str; 22] = [
    "社会保障",
    "医疗保险",
    "就业创业",
    "养老服务",
    "残疾人服务",
    "社会救助",
    "优抚安置",
    "计划生育",
    "流动人口",
    "居住证",
    "住房保障",
    "老龄工作",
    "妇女儿童",
    "青少年",
    "卫生健康",
    "文化活动",
    "体育健身",
    "法律服务",
    "安全生产",
    "环境卫生",
    "志愿服务",
    "统计调查",
];
const STATION_WORK: [&str; 4] = ["政策咨询", "受理登记", "代办服务", "跟踪回访"];

/// The Beijing "三化" model (seed 003, SCENARIOS H) in a second city: 北苑街道 (通州区) buys the
/// running of 复兴南里社区's service station from 盛德社工事务所, a stable service on a three-year
/// contract whose 88 deliverables are catalogue items (B3-1), all handed over and tracked. The
/// method is not in the source: a single-source pilot is assumed and its justification says so.
/// Moves the clock 3 days on, past the call's closing.
pub async fn seed_beijing_station(app: &App) -> Result<(Uuid, Uuid), Failure> {
    use gongzhi_app::places::{self, NewJurisdiction};
    let system = Actor::system();
    let beijing = places::create_jurisdiction(
        app,
        &system,
        &NewJurisdiction {
            parent_id: None,
            level: "city",
            code: "beijing",
            name_zh: "北京市（演示）",
            name_en: "Beijing (demo)",
        },
    )
    .await?;
    let place =
        |parent, level, code, zh, en| crate::demo::place(app, &system, parent, level, code, zh, en);
    let tongzhou = place(
        beijing,
        "district",
        "tongzhou",
        "通州区",
        "Tongzhou District",
    )
    .await?;
    let beiyuan_street = place(
        tongzhou,
        "street",
        "beiyuan-street",
        "北苑街道",
        "Beiyuan Subdistrict",
    )
    .await?;
    // The community whose station is run: the contract's place of service.
    place(
        beiyuan_street,
        "community",
        "fuxingnanli",
        "复兴南里社区",
        "Fuxingnanli Community",
    )
    .await?;
    let code = gongzhi_domain::procurement::complete_credit_code("52110112MJ0000001")
        .ok_or_else(|| Failure("demo credit code".into()))?;
    let shengde = pr::register_organisation(
        app,
        &system,
        &NewOrganisation {
            name_zh: "通州区盛德社会工作事务所",
            name_en: "Shengde Social Work Agency (Tongzhou)",
            kind: "private_non_enterprise",
            credit_code: Some(&code),
            registered_with: tongzhou,
            registered_on: None,
            business_scope: "社会工作服务、社区服务站事项承接、志愿者培育",
            capacity: "专业社工 4 名承担原 7 名社区工作者的工作；志愿者 500 余名",
            incubator_id: None,
            incubator_level: None,
            qualifications: &["B3-1".to_string(), "B3-3".to_string()],
        },
    )
    .await?;
    let crit = criteria();
    let closes = app.now().plus_seconds(3 * 86_400);
    let call = pr::open_call(
        app,
        &system,
        &NewCall {
            buyer_id: beiyuan_street,
            plan_id: None,
            title: "复兴南里社区服务站公共服务事项承接（“三化”治理试点）",
            description: "社区服务站 88 项公共服务事项由专业社工机构承接；整合政府公共服务、社会组织专业服务、志愿服务和便民服务。",
            catalogue_code: "B3-1",
            method: "single_source",
            justification: Some("北苑街道“三化”治理试点，由入驻社区的试点社工机构承接（演示：原文未写明采购方式）"),
            value: 1_200_000_00,
            new_service: true,
            eligible_kinds: &[],
            closes_at: closes,
            contract_months: 36,
            stable: true,
            criteria: &crit,
            budget_id: None,
            round: None,
        },
    )
    .await?;
    pr::submit_bid(
        app,
        &system,
        &NewBid {
            call_id: call,
            organisation_id: shengde,
            price: 1_200_000_00,
            cofunding: 0,
            plan: "4 名专业社工经培训后承接服务站 88 项事项；培育志愿服务队，链接资源开展活动",
            theme: None,
        },
    )
    .await?;
    let reviewer = crate::demo::account(
        app,
        &system,
        beiyuan_street,
        "staff",
        Some("beiyuan-street-staff"),
        None,
        "北苑街道 评审",
    )
    .await?;
    let reviewer = load(app, reviewer).await?;
    pr::seat_panel(
        app,
        &system,
        call,
        &[Panelist {
            account_id: reviewer.account_id.unwrap_or_default(),
            name: "北苑街道 评审".into(),
            ties: vec![],
        }],
    )
    .await?;
    crate::demo::clock_to(app, Instant::from_micros(closes.micros() + 60_000_000))?;
    let bid = pr::call_view(app, call)
        .await?
        .bids
        .first()
        .map(|(b, _)| b.id)
        .ok_or_else(|| Failure("the station bid".into()))?;
    pr::score_bid(app, &reviewer, bid, &scores(88, 85, 90)).await?;
    pr::decide_call(app, &system, call).await?;

    let start = app.now().plus_seconds(86_400).china_date();
    let end = gongzhi_domain::procurement::add_months(start, 36)
        .previous_day()
        .unwrap_or(start);
    let d = gongzhi_domain::time::format_date;
    let mut items: Vec<NewItem> = STATION_AREAS
        .iter()
        .flat_map(|area| {
            STATION_WORK.iter().map(move |work| NewItem {
                kind: "deliverable".into(),
                catalogue_code: Some("B3-1".into()),
                title: format!("{area}·{work}"),
                due_on: None,
                amount: 0,
                final_payment: false,
            })
        })
        .collect();
    for (year, amount, last) in [
        (1, 400_000_00, false),
        (2, 400_000_00, false),
        (3, 400_000_00, true),
    ] {
        items.push(NewItem {
            kind: "milestone".into(),
            catalogue_code: None,
            title: format!(
                "第 {year} 年服务费{}",
                if last { "（按第三方评估）" } else { "" }
            ),
            due_on: Some(d(gongzhi_domain::procurement::add_months(
                start,
                12 * year - 1,
            ))),
            amount,
            final_payment: last,
        });
    }
    let contract = pr::sign_contract(
        app,
        &system,
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
    // Every item handed over in the first weeks.
    for position in 1..=(STATION_AREAS.len() * STATION_WORK.len()) as i64 {
        pr::record_delivery(app, &system, contract, position).await?;
    }
    Ok((call, contract))
}
