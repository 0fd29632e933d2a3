//! 玉东社区's micro-venture round (微创投): themes, applications, the roadshow panel, grants and a company's adoption.

use crate::Failure;
use gongzhi_app::App;
use gongzhi_app::authz::Actor;
use gongzhi_app::procurement::{
    self as pr, NewBid, NewCall, NewContract, NewItem, NewOrganisation,
};
use gongzhi_domain::time::Instant;
use uuid::Uuid;

use super::*;

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
pub(super) async fn venture_pool(
    app: &App,
    admin: &Actor,
    y: &crate::demo::Yudong,
) -> Result<Uuid, Failure> {
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
