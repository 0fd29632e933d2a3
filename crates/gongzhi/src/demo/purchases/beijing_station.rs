//! A Beijing community service station run by a social organisation (seed 003): its 88 service items.

use crate::Failure;
use gongzhi_app::App;
use gongzhi_app::authz::Actor;
use gongzhi_app::procurement::{
    self as pr, NewBid, NewCall, NewContract, NewItem, NewOrganisation, Panelist,
};
use gongzhi_domain::time::Instant;
use uuid::Uuid;

use super::*;

/// The service areas of a community service station; with four kinds of work each they make the
/// 88 public-service items 盛德社工事务所 took over at 复兴南里 (seed 003). The source gives the
/// number, not the list: these titles are illustrative (U).
pub(super) const STATION_AREAS: [&str; 22] = [
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
pub(super) const STATION_WORK: [&str; 4] = ["政策咨询", "受理登记", "代办服务", "跟踪回访"];

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
