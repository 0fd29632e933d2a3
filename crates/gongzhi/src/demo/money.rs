//! The demo's money: the offices that sign, last years' fund history, and this year's fund with
//! its budgets, expenses in sign-off and statements.

use super::*;

/// People who hold the money offices of 晋阳社区: the committee director, the accountant, and the
/// foundation's custodian of the community micro-fund.
pub(super) struct Officers {
    pub(super) staff: Actor,
    pub(super) director: Actor,
    pub(super) accountant: Actor,
    pub(super) custodian: Actor,
}

pub(super) async fn seed_officers(
    app: &App,
    admin: &Actor,
    jinyang: Uuid,
) -> Result<Officers, Failure> {
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

pub(super) struct FundHistory {
    pub(super) base: Uuid,
    pub(super) micro: Uuid,
}

/// A year of 晋阳社区's funds: the base and incentive funds allocated by city and district in
/// shares, last year's balance carried over, donations into a micro-fund held by a foundation
/// (管用分离), and the quarterly statements posted as each quarter ended.
pub(super) async fn seed_fund_history(
    app: &App,
    admin: &Actor,
    o: &Officers,
    (wuhou, jinyang): (Uuid, Uuid),
    present: Instant,
) -> Result<FundHistory, Failure> {
    use gongzhi_app::ledger::{self, NewFund, Receipt};
    // Steps dated after the present are left out (a demo started early in the year).
    let due = |at: Instant| at.micros() < present.micros() - 86_400_000_000;
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
pub(super) fn quarter_day(year: i64, month: u8, day: u8) -> Instant {
    let month = time::Month::try_from(month).unwrap_or(time::Month::January);
    time::Date::from_calendar_date(year as i32, month, day)
        .map(|d| Instant::china_midnight(d).plus_seconds(9 * 3600))
        .unwrap_or_default()
}

/// The money story as it stands today: 北苑's renovation approved at the roadshow, its budget
/// reserved (half fund, half co-funded by the households), an expense waiting for the
/// supervisory board; and a hardship case paid from the micro-fund by the foundation only, the
/// hospital refunding what was not used.
pub(super) async fn seed_money_now(
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
