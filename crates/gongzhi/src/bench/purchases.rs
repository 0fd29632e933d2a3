//! `gongzhi bench purchases`: fills a fresh database with M organisations in the city's directory
//! and N completed contracting processes (call, bid, panel, score, award, contract, evaluation),
//! each through the app's commands, for `scripts/bench-purchases` to time the OCDS export and to
//! load the call board and the directory with wrk. Filling is not the measurement; its times are
//! printed for information.

use std::sync::Arc;
use std::time::Instant as Clock;

use gongzhi_app::procurement::{
    self as pr, NewBid, NewCall, NewContract, NewEvaluation, NewItem, NewOrganisation, Panelist,
};
use gongzhi_app::{App, ManualClock};
use gongzhi_domain::procurement::{Criterion, complete_credit_code};
use uuid::Uuid;

pub struct PurchasesBench {
    pub organisations: usize,
    pub processes: usize,
    pub target: String,
}

pub async fn run(b: PurchasesBench) -> Result<(), String> {
    let s = |e: gongzhi_app::AppError| format!("{e:?}");
    let (system, admin, community) = crate::bench::bench_world(&b.target).await?;
    // A clock of its own, so calls can close without waiting.
    let app = App::new(
        system.db.clone(),
        Arc::new(ManualClock::starting_at(system.now())),
        (*system.settings).clone(),
    );
    let district = {
        let mut tx = app.db.read().await.map_err(|e| e.to_string())?;
        let up = gongzhi_store::repo::ancestors(&mut tx, community)
            .await
            .map_err(|e| e.to_string())?;
        tx.rollback().await.map_err(|e| e.to_string())?;
        up.iter()
            .find(|j| j.level == "district")
            .map(|j| j.id)
            .ok_or("no district")?
    };

    let started = Clock::now();
    let quals = ["A6-1".to_string(), "A6-2".to_string()];
    let mut orgs = Vec::with_capacity(b.organisations);
    for i in 0..b.organisations.max(1) {
        // One in ten filed with the community (no code), the rest registered with the district.
        let filed = i % 10 == 0;
        let code = (!filed)
            .then(|| complete_credit_code(&format!("52510107MJ{i:07}")))
            .flatten();
        orgs.push(
            pr::register_organisation(
                &app,
                &admin,
                &NewOrganisation {
                    name_zh: &format!("基准社会工作服务中心{i:05}"),
                    name_en: &format!("Bench social work centre {i}"),
                    kind: if filed {
                        "community_org"
                    } else {
                        "private_non_enterprise"
                    },
                    credit_code: code.as_deref(),
                    registered_with: if filed { community } else { district },
                    registered_on: Some("2020-01-01"),
                    business_scope: "养老服务、社区服务",
                    capacity: "社工 6 名",
                    incubator_id: None,
                    incubator_level: None,
                    qualifications: &quals,
                },
            )
            .await
            .map_err(s)?,
        );
    }
    let registered = started.elapsed();

    let criteria = vec![Criterion {
        key: "plan".into(),
        zh: "服务方案".into(),
        en: "Plan".into(),
        weight: 100,
    }];
    let panelist = Panelist {
        account_id: admin.account_id.unwrap_or_default(),
        name: "评审".into(),
        ties: vec![],
    };
    let started = Clock::now();
    let closes = app.now().plus_seconds(60);
    let mut bids: Vec<(Uuid, Uuid)> = Vec::with_capacity(b.processes);
    for i in 0..b.processes {
        let call = pr::open_call(
            &app,
            &admin,
            &NewCall {
                buyer_id: community,
                plan_id: None,
                title: &format!("基准采购 {i}：长者助餐服务"),
                description: "每日午餐与送餐上门",
                catalogue_code: "A6-2",
                method: "single_source",
                justification: Some("基准：单一来源"),
                value: 100_000_00,
                new_service: i % 2 == 0,
                eligible_kinds: &[],
                closes_at: closes,
                contract_months: 12,
                stable: false,
                criteria: &criteria,
                budget_id: None,
                round: None,
            },
        )
        .await
        .map_err(s)?;
        let bid = pr::submit_bid(
            &app,
            &admin,
            &NewBid {
                call_id: call,
                organisation_id: orgs[i % orgs.len()],
                price: 90_000_00 + (i as i64 % 100) * 100_00,
                cofunding: 0,
                plan: "中央厨房配餐",
                theme: None,
            },
        )
        .await
        .map_err(s)?;
        pr::seat_panel(&app, &admin, call, std::slice::from_ref(&panelist))
            .await
            .map_err(s)?;
        bids.push((call, bid));
    }
    app.clock.advance(61).map_err(s)?;
    let start = app.now().china_date();
    let end = gongzhi_domain::procurement::add_months(start, 12)
        .previous_day()
        .unwrap_or(start);
    let (start, end) = (
        gongzhi_domain::time::format_date(start),
        gongzhi_domain::time::format_date(end),
    );
    let mut sample = None;
    for (i, (call, bid)) in bids.iter().enumerate() {
        pr::score_bid(&app, &admin, *bid, &[("plan".into(), 80)])
            .await
            .map_err(s)?;
        pr::decide_call(&app, &admin, *call).await.map_err(s)?;
        let price = 90_000_00 + (i as i64 % 100) * 100_00;
        let items = [
            NewItem {
                kind: "milestone".into(),
                catalogue_code: Some("A6-2".into()),
                title: "首期".into(),
                due_on: None,
                amount: price / 2,
                final_payment: false,
            },
            NewItem {
                kind: "milestone".into(),
                catalogue_code: None,
                title: "尾款".into(),
                due_on: None,
                amount: price - price / 2,
                final_payment: true,
            },
        ];
        let contract = pr::sign_contract(
            &app,
            &admin,
            &NewContract {
                call_id: *call,
                bid_id: None,
                starts_on: &start,
                ends_on: &end,
                items: &items,
                payment_rule: None,
                renews_id: None,
            },
        )
        .await
        .map_err(s)?;
        pr::evaluate_contract(
            &app,
            &admin,
            &NewEvaluation {
                contract_id: contract,
                score: 60 + (i as u32 % 40),
                evaluator_org_id: None,
                evaluator_name: "第三方评估",
                summary: "按期交付",
            },
        )
        .await
        .map_err(s)?;
        sample.get_or_insert(*call);
    }
    let processed = started.elapsed();
    app.db
        .refresh_statistics()
        .await
        .map_err(|e| e.to_string())?;
    eprintln!(
        "filled: {} organisations in {:.1}s, {} processes (7 commands each) in {:.1}s",
        orgs.len(),
        registered.as_secs_f64(),
        bids.len(),
        processed.as_secs_f64()
    );
    // For the load script: a community to address the directory by, an organisation, a call.
    println!("community={community}");
    println!("organisation={}", orgs[orgs.len() / 2]);
    if let Some(c) = sample {
        println!("call={c}");
    }
    Ok(())
}
