//! The community fund through the app layer, on the backend under test: the 北苑 money story,
//! sign-off chains, custody apart from use, idempotent transfers, races for the last fen,
//! statements, and tampering caught by `audit verify`.

use gongzhi_app::authz::Actor;
use gongzhi_app::councils::{self, NewCouncil, NewMotion};
use gongzhi_app::ledger::{self, Decision, ExpenseState, NewBudget, NewExpense, NewFund, Receipt};
use gongzhi_app::people::{self, NewResident};
use gongzhi_app::verify::verify_database;
use gongzhi_app::{AppError, accounts, places, uploads};
use uuid::Uuid;

use crate::{World, account, assert_record_verifies, event_count, settled, world};

pub(crate) fn code<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    match r {
        Err(AppError::Invalid(d)) => d.code.0.to_string(),
        Err(other) => other.code().to_string(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

/// A one-page PDF standing in for an invoice.
pub(crate) const INVOICE: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// 晋阳 with a fund, 北苑's council and supervisory board (3 members who sign in), a committee
/// director and an accountant.
pub struct Money {
    pub w: World,
    pub fund: Uuid,
    pub council: Uuid,
    pub seats: Vec<Uuid>,
    pub members: Vec<Actor>,
    pub supervisors: Vec<Actor>,
    pub director: Actor,
    pub accountant: Actor,
    pub payee: Uuid,
    pub invoice: String,
}

pub(crate) async fn resident_with_account(w: &World, username: &str, name: &str) -> (Uuid, Actor) {
    let a = account(&w.app, &w.admin, w.beiyuan, "resident", username).await;
    let r = people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &NewResident {
            name: name.to_string(),
            account_id: a.account_id,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    (r, a)
}

pub async fn money() -> Money {
    let w = world().await;
    let fund = ledger::create_fund(
        &w.app,
        &w.staff,
        &NewFund {
            community_id: w.jinyang,
            programme: "base",
            year: 2026,
            name_zh: "晋阳社区保障资金2026",
            name_en: "Jinyang base fund 2026",
            custodian: None,
        },
    )
    .await
    .unwrap();
    ledger::receive(
        &w.app,
        &w.staff,
        &Receipt {
            id: None,
            fund_id: fund,
            source: "city",
            amount: 200_000_00,
            code: "allocation",
            memo: "2026年度保障资金",
        },
    )
    .await
    .unwrap();
    let council = councils::create_council(
        &w.app,
        &w.staff,
        &NewCouncil {
            jurisdiction_id: w.beiyuan,
            kind: "council",
            name_zh: "北苑小区议事会",
            name_en: "",
            short_name: "北苑小区",
        },
    )
    .await
    .unwrap();
    let mut seats = Vec::new();
    let mut members = Vec::new();
    for i in 0..5 {
        let (r, a) = resident_with_account(&w, &format!("member{i}"), &format!("议事{i}")).await;
        members.push(a);
        seats.push(
            councils::seat_member(
                &w.app,
                &w.staff,
                council,
                r,
                if i == 0 { "chair" } else { "member" },
                "2026-01-01",
                None,
            )
            .await
            .unwrap(),
        );
    }
    let board = councils::create_council(
        &w.app,
        &w.staff,
        &NewCouncil {
            jurisdiction_id: w.beiyuan,
            kind: "supervisory_board",
            name_zh: "北苑小区监事会",
            name_en: "",
            short_name: "北苑监事会",
        },
    )
    .await
    .unwrap();
    let mut supervisors = Vec::new();
    for i in 0..3 {
        let (r, a) =
            resident_with_account(&w, &format!("supervisor{i}"), &format!("监事{i}")).await;
        councils::seat_member(&w.app, &w.staff, board, r, "member", "2026-01-01", None)
            .await
            .unwrap();
        supervisors.push(a);
    }
    let director = account(&w.app, &w.admin, w.jinyang, "staff", "director").await;
    let accountant = account(&w.app, &w.admin, w.jinyang, "staff", "accountant").await;
    for (a, office) in [
        (&director, "committee_director"),
        (&accountant, "accountant"),
    ] {
        accounts::assign_office(
            &w.app,
            &w.admin,
            w.jinyang,
            office,
            a.account_id.unwrap(),
            "2026-11-22",
            None,
        )
        .await
        .unwrap();
    }
    let payee = ledger::register_payee(&w.app, &w.staff, w.jinyang, "成都某建筑工程公司", "")
        .await
        .unwrap();
    let invoice = uploads::store(&w.app, &w.staff, w.jinyang, INVOICE)
        .await
        .unwrap()
        .sha256;
    Money {
        w,
        fund,
        council,
        seats,
        members,
        supervisors,
        director,
        accountant,
        payee,
        invoice,
    }
}

/// A project-approval resolution of 北苑's council, in force (no notice needed) or on notice.
pub(crate) async fn approved(m: &Money, notice: bool) -> Uuid {
    // More than the fund holds, so that the fund's own limit can be tested too.
    approved_for(m, notice, Some(600_000_00)).await
}

/// The same, approving `amount` from the fund (or stating none).
pub(crate) async fn approved_for(m: &Money, notice: bool, amount: Option<i64>) -> Uuid {
    let w = &m.w;
    let mo = councils::open_motion(
        &w.app,
        &w.staff,
        &NewMotion {
            council_id: m.council,
            meeting_id: None,
            kind: "project_approval",
            title: "北苑后门、消防通道、围墙防攀爬",
            body: "预算 36,000 元，社区资金与居民自筹各半",
            needs_notice: notice,
            convention: None,
            approved_fund: amount,
        },
    )
    .await
    .unwrap();
    // Outside a meeting only the member casts their own vote.
    for (s, a) in m.seats.iter().zip(&m.members) {
        councils::cast_vote(&w.app, a, mo, *s, "yes").await.unwrap();
    }
    councils::close_motion(&w.app, &w.staff, mo)
        .await
        .unwrap()
        .resolution
        .unwrap()
        .0
}

/// A resolution approves a stated amount: the budgets on it never reserve more in total, a
/// second one needs a reason and fits in what is left, and a resolution that states no amount
/// reserves nothing (¥200,000 was once reserved on a resolution that approved ¥18,000).
#[tokio::test]
async fn budgets_stay_within_what_their_resolution_approved() {
    let m = money().await;
    let w = &m.w;
    let res = approved_for(&m, false, Some(18_000_00)).await;
    let before = event_count(&w.app).await;
    let refused = budget(&m, res, 200_000_00, &[]).await;
    let Err(AppError::Invalid(e)) = &refused else {
        panic!("{refused:?}");
    };
    assert_eq!(e.code.0, "budget_exceeds_approved");
    assert_eq!(
        e.args,
        vec![
            ("approved", "¥18,000.00".to_string()),
            ("reserved", "¥0.00".to_string()),
            ("left", "¥18,000.00".to_string())
        ]
    );
    assert_eq!(
        event_count(&w.app).await,
        before,
        "a refusal changes nothing"
    );
    budget(&m, res, 10_000_00, &[]).await.unwrap();
    assert_eq!(
        code(budget(&m, res, 8_000_00, &[]).await),
        "budget_second_needs_reason"
    );
    let second = |amount| async move {
        ledger::reserve_budget(
            &w.app,
            &w.staff,
            &NewBudget {
                id: None,
                resolution_id: res,
                jurisdiction_id: None,
                fund_id: m.fund,
                title: "北苑院落改造（追加）",
                reserved: amount,
                pledges: &[],
                reason: Some("围墙加高部分另行施工"),
            },
        )
        .await
    };
    assert_eq!(code(second(8_000_01).await), "budget_exceeds_approved");
    let b = second(8_000_00).await.unwrap();
    let mut read = w.app.db.read().await.unwrap();
    let tenant = gongzhi_store::rows::tenant_of(&mut read, "budgets", b)
        .await
        .unwrap()
        .unwrap();
    let row = gongzhi_store::ledger::budget(&mut read, tenant, b)
        .await
        .unwrap()
        .unwrap();
    read.rollback().await.unwrap();
    assert_eq!(row.reason.as_deref(), Some("围墙加高部分另行施工"));
    assert_eq!(code(second(1).await), "budget_exceeds_approved");
    let silent = approved_for(&m, false, None).await;
    assert_eq!(
        code(budget(&m, silent, 1_000_00, &[]).await),
        "budget_resolution_states_no_amount"
    );
}

pub(crate) async fn budget(
    m: &Money,
    resolution: Uuid,
    reserved: i64,
    pledges: &[(Uuid, i64)],
) -> Result<Uuid, AppError> {
    ledger::reserve_budget(
        &m.w.app,
        &m.w.staff,
        &NewBudget {
            id: None,
            resolution_id: resolution,
            jurisdiction_id: None,
            fund_id: m.fund,
            title: "北苑院落改造",
            reserved,
            pledges,
            reason: None,
        },
    )
    .await
}

async fn expense(m: &Money, budget: Uuid, amount: i64) -> Result<Uuid, AppError> {
    ledger::submit_expense(
        &m.w.app,
        &m.w.staff,
        &NewExpense {
            id: None,
            budget_id: budget,
            payee_id: m.payee,
            amount,
            description: "后门维修",
            document_sha256: &m.invoice,
        },
    )
    .await
}

/// Every supervisor, then the director, sign `e`: it waits for the accountant.
async fn board_and_director_sign(m: &Money, e: Uuid) {
    for s in &m.supervisors {
        ledger::sign_expense(&m.w.app, s, e, Decision::Sign, None)
            .await
            .unwrap();
    }
    ledger::sign_expense(&m.w.app, &m.director, e, Decision::Sign, None)
        .await
        .unwrap();
}

pub(crate) async fn sign_through(m: &Money, e: Uuid, settle: Option<i64>) -> ExpenseState {
    for s in &m.supervisors {
        assert!(matches!(
            ledger::sign_expense(&m.w.app, s, e, Decision::Sign, None)
                .await
                .unwrap(),
            ExpenseState::Waiting(_)
        ));
    }
    assert_eq!(
        ledger::sign_expense(&m.w.app, &m.director, e, Decision::Sign, None)
            .await
            .unwrap(),
        ExpenseState::Waiting(2)
    );
    ledger::sign_expense(&m.w.app, &m.accountant, e, Decision::Sign, settle)
        .await
        .unwrap()
}

async fn households(m: &Money, n: usize) -> Vec<Uuid> {
    let w = &m.w;
    let b = places::create_building(&w.app, &w.staff, w.beiyuan, "1栋")
        .await
        .unwrap();
    let mut out = Vec::new();
    for i in 0..n {
        out.push(
            places::create_household(&w.app, &w.staff, w.jinyang, b, "1", &format!("{}01", i + 1))
                .await
                .unwrap(),
        );
    }
    out
}

fn available(m: &Money, v: &ledger::FundView) -> i64 {
    let _ = m;
    v.account.balance.available()
}

/// 北苑: 36,000 yuan, half from the fund and half co-funded by 6 households; expenses held, signed
/// by every supervisor, the director and the accountant; 34,500 spent; 1,500 back to the fund.
#[tokio::test]
async fn beiyuan_money_story() {
    let m = money().await;
    let w = &m.w;
    let res = approved(&m, false).await;
    let homes = households(&m, 6).await;
    let pledges: Vec<(Uuid, i64)> = homes.iter().map(|h| (*h, 3_000_00)).collect();
    let b = budget(&m, res, 18_000_00, &pledges).await.unwrap();
    for h in &homes {
        ledger::receive_cofunding(&w.app, &w.staff, None, b, *h, 3_000_00)
            .await
            .unwrap();
    }
    let fv = ledger::fund_view(&w.app, m.fund).await.unwrap();
    assert_eq!(available(&m, &fv), 182_000_00);
    // Each payment has a receipt naming the household, for staff only.
    let receipts = ledger::cofunding_receipts(&w.app, &w.staff, b)
        .await
        .unwrap();
    assert_eq!(receipts.len(), 6);
    assert_eq!(
        (receipts[0].1.as_str(), receipts[0].2),
        ("1栋-1-101", 3_000_00)
    );
    let r = ledger::cofunding_receipt(&w.app, &w.staff, receipts[0].0)
        .await
        .unwrap();
    assert_eq!(
        gongzhi_domain::Fen::new(r.transfer.amount).to_capital(),
        "叁仟元整"
    );
    assert_eq!(
        code(ledger::cofunding_receipt(&w.app, &w.resident, receipts[0].0).await),
        "forbidden"
    );

    let e1 = expense(&m, b, 20_000_00).await.unwrap();
    let bv = ledger::budget_view(&w.app, b).await.unwrap();
    assert_eq!(
        bv.account.balance.available(),
        16_000_00,
        "the expense is held at once"
    );
    assert_eq!(
        sign_through(&m, e1, Some(19_500_00)).await,
        ExpenseState::Posted(19_500_00)
    );
    let e2 = expense(&m, b, 15_000_00).await.unwrap();
    assert_eq!(
        sign_through(&m, e2, None).await,
        ExpenseState::Posted(15_000_00)
    );

    let back = ledger::close_budget(&w.app, &w.staff, b).await.unwrap();
    assert_eq!(back, 1_500_00);
    let fv = ledger::fund_view(&w.app, m.fund).await.unwrap();
    assert_eq!(available(&m, &fv), 183_500_00);
    let bv = ledger::budget_view(&w.app, b).await.unwrap();
    assert_eq!(bv.account.balance.available(), 0);
    assert_eq!(bv.account.balance.debits_posted, 34_500_00 + 1_500_00);
    // What went back to the fund is not spent: 34,500 was.
    assert_eq!(
        ledger::budget_spent(bv.budget.released, &bv.account.balance),
        34_500_00
    );
    assert_eq!(bv.cofunding, (6, 6, 18_000_00, 18_000_00));
    assert_eq!(bv.budget.status.as_str(), "closed");

    let report = ledger_check(w).await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let v = verify_database(&w.app.db).await.unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
}

async fn ledger_check(w: &World) -> gongzhi_app::ledger::CheckReport {
    gongzhi_app::ledger::check(&w.app).await.unwrap()
}

#[tokio::test]
async fn signoff_is_in_order_by_the_right_people() {
    let m = money().await;
    let w = &m.w;
    let res = approved(&m, false).await;
    let b = budget(&m, res, 30_000_00, &[]).await.unwrap();
    let e = expense(&m, b, 1_000_00).await.unwrap();
    let before = event_count(&w.app).await;
    // The director cannot sign before the board; a stranger is no signer.
    assert_eq!(
        code(ledger::sign_expense(&w.app, &m.director, e, Decision::Sign, None).await),
        "signoff_not_your_turn"
    );
    assert_eq!(
        code(ledger::sign_expense(&w.app, &w.resident, e, Decision::Sign, None).await),
        "signoff_not_a_signer"
    );
    ledger::sign_expense(&w.app, &m.supervisors[0], e, Decision::Sign, None)
        .await
        .unwrap();
    let after_one = event_count(&w.app).await;
    assert_eq!(after_one, before + 1);
    assert_eq!(
        code(ledger::sign_expense(&w.app, &m.supervisors[0], e, Decision::Sign, None).await),
        "signoff_already_signed"
    );
    // Only the last step may settle a smaller amount.
    assert_eq!(
        code(ledger::sign_expense(&w.app, &m.supervisors[1], e, Decision::Sign, Some(10)).await),
        "settle_only_at_last_step"
    );
    assert_eq!(
        code(
            ledger::sign_expense(&w.app, &m.supervisors[1], e, Decision::Reject("  "), None).await
        ),
        "text_length_invalid"
    );
    assert_eq!(
        event_count(&w.app).await,
        after_one,
        "refusals change nothing"
    );
    // A rejection voids the hold.
    assert_eq!(
        ledger::sign_expense(
            &w.app,
            &m.supervisors[1],
            e,
            Decision::Reject("发票抬头不符"),
            None
        )
        .await
        .unwrap(),
        ExpenseState::Rejected
    );
    let bv = ledger::budget_view(&w.app, b).await.unwrap();
    assert_eq!(bv.account.balance.available(), 30_000_00);
    assert_eq!(
        code(ledger::sign_expense(&w.app, &m.supervisors[2], e, Decision::Sign, None).await),
        "expense_not_waiting"
    );
}

#[tokio::test]
async fn a_supervisor_cannot_sign_an_expense_they_submitted() {
    let m = money().await;
    let w = &m.w;
    let res = approved(&m, false).await;
    let b = budget(&m, res, 30_000_00, &[]).await.unwrap();
    // The first supervisor also works for the community office and submits the expense.
    let sup = &m.supervisors[0];
    accounts::grant_role(
        &w.app,
        &w.admin,
        sup.account_id.unwrap(),
        w.jinyang,
        "staff",
    )
    .await
    .unwrap();
    let sup = crate::actor(&w.app, sup.account_id.unwrap()).await;
    let e = ledger::submit_expense(
        &w.app,
        &sup,
        &NewExpense {
            id: None,
            budget_id: b,
            payee_id: m.payee,
            amount: 500_00,
            description: "材料费",
            document_sha256: &m.invoice,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        code(ledger::sign_expense(&w.app, &sup, e, Decision::Sign, None).await),
        "signoff_own_expense"
    );
}

#[tokio::test]
async fn director_and_party_secretary_co_sign_and_one_person_in_both_signs_once() {
    let m = money().await;
    let w = &m.w;
    gongzhi_app::rules::set_rule(
        &w.app,
        &w.admin,
        w.jinyang,
        "expense.signoff",
        r#"{"steps":[{"signers":["supervisory_board"],"all":true},{"signers":["committee_director","party_secretary"],"all":true},{"signers":["accountant"],"all":false}],"window_days":30}"#,
        "2026-01-01",
        "街道要求书记会签",
    )
    .await
    .unwrap();
    accounts::assign_office(
        &w.app,
        &w.admin,
        w.jinyang,
        "party_secretary",
        m.director.account_id.unwrap(),
        "2026-11-22",
        None,
    )
    .await
    .unwrap();
    let res = approved(&m, false).await;
    let b = budget(&m, res, 30_000_00, &[]).await.unwrap();
    let e = expense(&m, b, 1_000_00).await.unwrap();
    // The director holds both offices: one signature completes the step.
    assert_eq!(
        sign_through(&m, e, None).await,
        ExpenseState::Posted(1_000_00)
    );
}

#[tokio::test]
async fn expenses_need_an_effective_resolution_a_document_and_a_real_amount() {
    let m = money().await;
    let w = &m.w;
    let on_notice = approved(&m, true).await;
    assert_eq!(
        code(budget(&m, on_notice, 1_000_00, &[]).await),
        "budget_resolution_not_in_force"
    );
    let res = approved(&m, false).await;
    assert_eq!(code(budget(&m, res, 0, &[]).await), "amount_not_positive");
    assert_eq!(
        code(budget(&m, res, 500_000_00, &[]).await),
        "ledger_insufficient_funds"
    );
    let b = budget(&m, res, 10_000_00, &[]).await.unwrap();
    let before = event_count(&w.app).await;
    assert_eq!(code(expense(&m, b, -5).await), "amount_not_positive");
    assert_eq!(
        code(expense(&m, b, 10_000_01).await),
        "ledger_insufficient_funds"
    );
    let no_doc = ledger::submit_expense(
        &w.app,
        &w.staff,
        &NewExpense {
            id: None,
            budget_id: b,
            payee_id: m.payee,
            amount: 100,
            description: "无发票",
            document_sha256: "",
        },
    )
    .await;
    assert_eq!(code(no_doc), "expense_document_missing");
    let unknown_doc = ledger::submit_expense(
        &w.app,
        &w.staff,
        &NewExpense {
            id: None,
            budget_id: b,
            payee_id: m.payee,
            amount: 100,
            description: "发票未上传",
            document_sha256: &"0".repeat(64),
        },
    )
    .await;
    assert_eq!(code(unknown_doc), "expense_document_missing");
    // Another community's staff cannot spend here.
    let other = ledger::submit_expense(
        &w.app,
        &w.other_staff,
        &NewExpense {
            id: None,
            budget_id: b,
            payee_id: m.payee,
            amount: 100,
            description: "越权",
            document_sha256: &m.invoice,
        },
    )
    .await;
    assert_eq!(code(other), "forbidden");
    assert_eq!(event_count(&w.app).await, before, "nothing changed");
}

#[tokio::test]
async fn a_retry_with_the_same_id_posts_once() {
    let m = money().await;
    let w = &m.w;
    let id = Uuid::now_v7();
    let receipt = Receipt {
        id: Some(id),
        fund_id: m.fund,
        source: "district",
        amount: 5_000_00,
        code: "allocation",
        memo: "区级配套",
    };
    let first = ledger::receive(&w.app, &w.staff, &receipt).await.unwrap();
    let again = ledger::receive(&w.app, &w.staff, &receipt).await.unwrap();
    assert!(first.created && !again.created);
    assert_eq!(first.transfer_id, again.transfer_id);
    let fv = ledger::fund_view(&w.app, m.fund).await.unwrap();
    assert_eq!(fv.account.balance.credits_posted, 205_000_00);
    let different = ledger::receive(
        &w.app,
        &w.staff,
        &Receipt {
            amount: 6_000_00,
            ..receipt
        },
    )
    .await;
    assert_eq!(code(different), "ledger_transfer_id_reused");
}

#[tokio::test]
async fn lapsed_holds_are_released_and_corrections_reverse() {
    let m = money().await;
    let w = &m.w;
    let res = approved(&m, false).await;
    let b = budget(&m, res, 10_000_00, &[]).await.unwrap();
    let e = expense(&m, b, 4_000_00).await.unwrap();
    w.app.clock.advance(31 * 86_400).unwrap();
    let (_, v) = ledger::expense_view(&w.app, e).await.unwrap();
    assert!(v.lapsed);
    assert_eq!(
        code(ledger::sign_expense(&w.app, &m.supervisors[0], e, Decision::Sign, None).await),
        "expense_not_waiting"
    );
    let (_, v) = ledger::expense_view(&w.app, e).await.unwrap();
    assert_eq!(v.expense.status.as_str(), "expired");
    let bv = ledger::budget_view(&w.app, b).await.unwrap();
    assert_eq!(bv.account.balance.available(), 10_000_00);

    // A wrong allocation is corrected by a reversing transfer, once.
    let p = ledger::receive(
        &w.app,
        &w.staff,
        &Receipt {
            id: None,
            fund_id: m.fund,
            source: "street",
            amount: 1_000_00,
            code: "allocation",
            memo: "误入账",
        },
    )
    .await
    .unwrap();
    ledger::reverse_transfer(&w.app, &w.staff, p.transfer_id, "重复入账，冲正")
        .await
        .unwrap();
    assert_eq!(
        code(ledger::reverse_transfer(&w.app, &w.staff, p.transfer_id, "again").await),
        "transfer_already_reversed"
    );
    let report = ledger_check(w).await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

/// 管用分离: a donated fund held by a foundation. The council decides, the board signs, but only
/// the custodian pays the hospital; unspent money comes back to the fund; donors are masked.
#[tokio::test]
async fn custody_apart_from_use() {
    let m = money().await;
    let w = &m.w;
    let foundation = gongzhi_app::procurement::register_organisation(
        &w.app,
        &w.admin,
        &gongzhi_app::procurement::NewOrganisation {
            name_zh: "成都市武侯社区发展基金会",
            name_en: "",
            kind: "foundation",
            credit_code: Some("53510107MJ000F0DN3"),
            registered_with: w.district,
            registered_on: None,
            business_scope: "社区基金托管",
            capacity: "",
            incubator_id: None,
            incubator_level: None,
            qualifications: &[],
        },
    )
    .await
    .unwrap();
    let held = ledger::create_fund(
        &w.app,
        &w.staff,
        &NewFund {
            community_id: w.jinyang,
            programme: "donation",
            year: 2026,
            name_zh: "晋阳社区微基金",
            name_en: "",
            custodian: Some(foundation),
        },
    )
    .await
    .unwrap();
    ledger::record_donation(&w.app, &w.staff, None, held, "张三丰", 8_000_00)
        .await
        .unwrap();
    let custodian = account(&w.app, &w.admin, w.jinyang, "org_staff", "foundation").await;
    // Another holder of the custodian's office, who is not the foundation's: the office alone
    // does not move the foundation's money.
    let outsider = account(&w.app, &w.admin, w.jinyang, "org_staff", "outsider").await;
    for who in [&custodian, &outsider] {
        accounts::assign_office(
            &w.app,
            &w.admin,
            w.jinyang,
            "custodian",
            who.account_id.unwrap(),
            "2026-11-22",
            None,
        )
        .await
        .unwrap();
    }
    gongzhi_app::procurement::seat_org_staff(
        &w.app,
        &w.admin,
        foundation,
        custodian.account_id.unwrap(),
        "member",
    )
    .await
    .unwrap();
    let res = approved(&m, false).await;
    let b = ledger::reserve_budget(
        &w.app,
        &w.staff,
        &NewBudget {
            id: None,
            resolution_id: res,
            jurisdiction_id: None,
            fund_id: held,
            title: "困境儿童医疗救助",
            reserved: 6_000_00,
            pledges: &[],
            reason: None,
        },
    )
    .await
    .unwrap();
    let hospital = ledger::register_payee(&w.app, &w.staff, w.jinyang, "某医院", "")
        .await
        .unwrap();
    let e = ledger::submit_expense(
        &w.app,
        &w.staff,
        &NewExpense {
            id: None,
            budget_id: b,
            payee_id: hospital,
            amount: 6_000_00,
            description: "住院押金",
            document_sha256: &m.invoice,
        },
    )
    .await
    .unwrap();
    board_and_director_sign(&m, e).await;
    assert_eq!(
        ledger::sign_expense(&w.app, &m.accountant, e, Decision::Sign, None)
            .await
            .unwrap(),
        ExpenseState::Approved
    );
    assert_eq!(
        code(ledger::pay_expense(&w.app, &m.accountant, e, None).await),
        "custodian_only"
    );
    assert_eq!(
        code(ledger::pay_expense(&w.app, &outsider, e, None).await),
        "custodian_only"
    );
    assert_eq!(
        ledger::pay_expense(&w.app, &custodian, e, None)
            .await
            .unwrap(),
        6_000_00
    );
    assert_eq!(
        code(
            ledger::refund(
                &w.app,
                &w.staff,
                None,
                hospital,
                held,
                1_200_00,
                "出院结算退回"
            )
            .await
        ),
        "custodian_only"
    );
    ledger::refund(
        &w.app,
        &custodian,
        None,
        hospital,
        held,
        1_200_00,
        "出院结算退回",
    )
    .await
    .unwrap();
    let fv = ledger::fund_view(&w.app, held).await.unwrap();
    assert_eq!(fv.account.balance.available(), 2_000_00 + 1_200_00);
    assert_eq!(fv.donations.len(), 1);
    assert_eq!(fv.donations[0].1, "张*丰");
    let report = ledger_check(w).await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

/// 100 expenses race for a budget with room for exactly 10: exactly 10 are held.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_expenses_race_for_room_for_ten() {
    let m = money().await;
    let w = &m.w;
    let res = approved(&m, false).await;
    let b = budget(&m, res, 10 * 1_000_00, &[]).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..100 {
        let app = w.app.clone();
        let staff = w.staff.clone();
        let payee = m.payee;
        let invoice = m.invoice.clone();
        tasks.push(tokio::spawn(async move {
            ledger::submit_expense(
                &app,
                &staff,
                &NewExpense {
                    id: None,
                    budget_id: b,
                    payee_id: payee,
                    amount: 1_000_00,
                    description: &format!("第{i}笔"),
                    document_sha256: &invoice,
                },
            )
            .await
        }));
    }
    let mut held = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => held += 1,
            Err(AppError::Invalid(d)) if d.code.0 == "ledger_insufficient_funds" => refused += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((held, refused), (10, 90));
    let bv = ledger::budget_view(&w.app, b).await.unwrap();
    assert_eq!(bv.account.balance.debits_pending, 10 * 1_000_00);
    assert_eq!(bv.account.balance.available(), 0);
}

#[tokio::test]
async fn statements_are_due_on_schedule_and_recompute() {
    let m = money().await;
    let w = &m.w;
    let res = approved(&m, false).await;
    let b = budget(&m, res, 20_000_00, &[]).await.unwrap();
    let e = expense(&m, b, 2_000_00).await.unwrap();
    sign_through(&m, e, None).await;
    // Fund opened 2026-11-22: the quarter ends 2027-01-01.
    assert!(
        ledger::due_statements(&w.app, w.jinyang)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        code(
            ledger::post_statement(
                &w.app,
                &w.staff,
                m.fund,
                "2026-10-01",
                "2027-01-01",
                "scheduled"
            )
            .await
        ),
        "statement_period_not_over"
    );
    w.app.clock.advance(45 * 86_400).unwrap();
    let due = ledger::due_statements(&w.app, w.jinyang).await.unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(
        (due[0].period_start.as_str(), due[0].period_end.as_str()),
        ("2026-10-01", "2027-01-01")
    );
    let s = ledger::post_statement(
        &w.app,
        &w.staff,
        m.fund,
        "2026-10-01",
        "2027-01-01",
        "scheduled",
    )
    .await
    .unwrap();
    assert!(
        ledger::due_statements(&w.app, w.jinyang)
            .await
            .unwrap()
            .is_empty()
    );
    let fv = ledger::fund_view(&w.app, m.fund).await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&fv.statements[0].body_json).unwrap();
    assert_eq!(fv.statements[0].id, s);
    let fund_line = &body["lines"][0]["line"];
    assert_eq!(fund_line["inflows"], 200_000_00);
    assert_eq!(fund_line["outflows"], 20_000_00);
    assert_eq!(fund_line["closing"], 180_000_00);
    let project_line = &body["lines"][1]["line"];
    assert_eq!(project_line["outflows"], 2_000_00);
    assert_eq!(
        code(
            ledger::post_statement(
                &w.app,
                &w.staff,
                m.fund,
                "2026-10-01",
                "2027-01-01",
                "scheduled"
            )
            .await
        ),
        "statement_exists"
    );
    // Nothing else is due; when the next quarter ends and nobody clicks, the hourly task posts
    // it as Gongzhi itself.
    assert_eq!(ledger::post_due_statements(&w.app).await.unwrap(), 0);
    w.app.clock.advance(100 * 86_400).unwrap();
    assert_eq!(ledger::post_due_statements(&w.app).await.unwrap(), 1);
    let fv = ledger::fund_view(&w.app, m.fund).await.unwrap();
    assert_eq!(
        (
            fv.statements[0].period_start.as_str(),
            fv.statements[0].period_end.as_str()
        ),
        ("2027-01-01", "2027-04-01")
    );
    assert!(
        fv.statements[0].posted_by.is_none(),
        "posted by Gongzhi itself"
    );
    let report = ledger_check(w).await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

/// A ledger row changed behind the application's back is found by `audit verify` and by
/// `ledger check`.
#[tokio::test]
async fn tampering_with_a_ledger_row_is_caught() {
    let m = money().await;
    let w = &m.w;
    let mut tx = w.app.db.begin().await.unwrap();
    tx.exec(
        "UPDATE ledger_accounts SET credits_posted = credits_posted + 100 WHERE kind = 'fund'",
        &[],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let v = verify_database(&w.app.db).await.unwrap();
    assert!(
        v.problems.iter().any(|p| p.contains("ledger_accounts")),
        "{:?}",
        v.problems
    );
    let report = ledger_check(w).await;
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
}

/// A voucher file (记账凭证) from the community's bookkeeping: balanced vouchers post as linked
/// transfers in one command; an unbalanced voucher is reported with its line and nothing is posted.
#[tokio::test]
async fn voucher_import_posts_balanced_vouchers_and_refuses_the_rest() {
    let m = money().await;
    let w = &m.w;
    let fv = ledger::fund_view(&w.app, m.fund).await.unwrap();
    let fund_code = fv.account.code.clone();
    let incentive = ledger::create_fund(
        &w.app,
        &w.staff,
        &NewFund {
            community_id: w.jinyang,
            programme: "incentive",
            year: 2026,
            name_zh: "晋阳社区激励资金2026",
            name_en: "",
            custodian: None,
        },
    )
    .await
    .unwrap();
    let unbalanced = format!(
        "凭证号,摘要,账户,收入,支出\n\
         1,区级激励资金,晋阳社区激励资金2026,30000,\n\
         1,,区（市）县财政,,30000\n\
         2,调剂,晋阳社区激励资金2026,1000.00,\n\
         2,,{fund_code},,999.99\n\
         3,错行,晋阳社区激励资金2026,5,5\n"
    );
    // The district source is opened by its first receipt; the file refers to it by name.
    ledger::receive(
        &w.app,
        &w.staff,
        &Receipt {
            id: None,
            fund_id: incentive,
            source: "district",
            amount: 1,
            code: "allocation",
            memo: "开户",
        },
    )
    .await
    .unwrap();
    let events = event_count(&w.app).await;
    match ledger::import_vouchers(&w.app, &w.staff, w.jinyang, unbalanced.as_bytes()).await {
        Err(AppError::Rows(rows)) => {
            let codes: Vec<(usize, &str)> = rows.iter().map(|(l, e)| (*l, e.code.0)).collect();
            assert_eq!(
                codes,
                vec![
                    (4, "import_voucher_unbalanced"),
                    (6, "import_line_in_or_out")
                ]
            );
        }
        other => panic!("expected row errors, got {other:?}"),
    }
    assert_eq!(event_count(&w.app).await, events, "nothing posted");
    let good = format!(
        "voucher,memo,account,in,out,code\n\
         1,区级激励资金,晋阳社区激励资金2026,30000,,allocation\n\
         1,,区（市）县财政,,30000,allocation\n\
         2,调剂,晋阳社区激励资金2026,1000.00,,correction\n\
         2,,{fund_code},,1000,correction\n"
    );
    let report = ledger::import_vouchers(&w.app, &w.staff, w.jinyang, good.as_bytes())
        .await
        .unwrap();
    assert_eq!((report.vouchers, report.transfers), (2, 2));
    assert_eq!(
        event_count(&w.app).await,
        events + 1,
        "one command, one event"
    );
    let iv = ledger::fund_view(&w.app, incentive).await.unwrap();
    assert_eq!(iv.account.balance.available(), 31_000_00 + 1);
    // Money that is not there cannot be moved by a file either.
    let overdraw = "voucher,memo,account,in,out\n9,超支,晋阳社区保障资金2026,1,\n9,,晋阳社区激励资金2026,,99999999\n";
    match ledger::import_vouchers(&w.app, &w.staff, w.jinyang, overdraw.as_bytes()).await {
        Err(AppError::Rows(rows)) => assert_eq!(rows[0].1.code.0, "import_voucher_unbalanced"),
        other => panic!("{other:?}"),
    }
    let overdraw = "voucher,memo,account,in,out\n9,超支,晋阳社区保障资金2026,99999999,\n9,,晋阳社区激励资金2026,,99999999\n";
    match ledger::import_vouchers(&w.app, &w.staff, w.jinyang, overdraw.as_bytes()).await {
        Err(AppError::Rows(rows)) => assert_eq!(rows, vec![(2, rows[0].1.clone())]),
        other => panic!("{other:?}"),
    }
    // A file cannot pay a contractor behind the sign-off chain.
    let around = "voucher,memo,account,in,out,code\n7,绕过签批,成都某建筑工程公司,100,,correction\n7,,晋阳社区激励资金2026,,100,correction\n";
    match ledger::import_vouchers(&w.app, &w.staff, w.jinyang, around.as_bytes()).await {
        Err(AppError::Rows(rows)) => assert_eq!(rows[0].1.code.0, "ledger_direct_not_allowed"),
        other => panic!("{other:?}"),
    }
    let report = ledger_check(w).await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

/// An allocation is shared between the paying budgets by the rulebook's shares, to the fen; a
/// district that pays 3:2 with the city says so in its rulebook.
#[tokio::test]
async fn allocations_are_split_by_the_rulebook_shares() {
    let m = money().await;
    let w = &m.w;
    let id = Uuid::now_v7();
    let parts = ledger::allocate(
        &w.app,
        &w.staff,
        Some(id),
        m.fund,
        100_000_01,
        "2026年第二批",
    )
    .await
    .unwrap();
    assert_eq!(
        parts,
        vec![
            ("city".to_string(), 50_000_01),
            ("district".to_string(), 50_000_00)
        ]
    );
    let events = event_count(&w.app).await;
    ledger::allocate(
        &w.app,
        &w.staff,
        Some(id),
        m.fund,
        100_000_01,
        "2026年第二批",
    )
    .await
    .unwrap();
    assert_eq!(event_count(&w.app).await, events, "a retry posts nothing");
    gongzhi_app::rules::set_rule(
        &w.app,
        &w.admin,
        w.district,
        "fund.allocation_shares",
        r#"{"parts":[{"source":"city","share":3},{"source":"district","share":2}]}"#,
        "2026-01-01",
        "区县按 3:2 分担",
    )
    .await
    .unwrap();
    let parts = ledger::allocate(&w.app, &w.staff, None, m.fund, 1_000_00, "追加")
        .await
        .unwrap();
    assert_eq!(parts[0], ("city".to_string(), 600_00));
    let fv = ledger::fund_view(&w.app, m.fund).await.unwrap();
    assert_eq!(
        fv.account.balance.credits_posted,
        200_000_00 + 100_000_01 + 1_000_00
    );
    assert_eq!(
        code(ledger::allocate(&w.app, &w.staff, None, m.fund, 0, "零").await),
        "amount_not_positive"
    );
}

/// One person cannot pass two signatures: the director who also holds the accountant's office
/// signs one step, never two; a declared close relative of the submitter signs none.
#[tokio::test]
async fn one_person_signs_one_step_and_relatives_of_the_submitter_none() {
    let m = money().await;
    let w = &m.w;
    // The street's official gives the director the accountant's office as well.
    accounts::assign_office(
        &w.app,
        &w.official,
        w.jinyang,
        "accountant",
        m.director.account_id.unwrap(),
        "2026-11-22",
        None,
    )
    .await
    .unwrap();
    let res = approved(&m, false).await;
    let b = budget(&m, res, 10_000_00, &[]).await.unwrap();
    let e = expense(&m, b, 1_000_00).await.unwrap();
    for s in &m.supervisors {
        ledger::sign_expense(&w.app, s, e, Decision::Sign, None)
            .await
            .unwrap();
    }
    assert_eq!(
        ledger::sign_expense(&w.app, &m.director, e, Decision::Sign, None)
            .await
            .unwrap(),
        ExpenseState::Waiting(2)
    );
    let before = event_count(&w.app).await;
    let refused = ledger::sign_expense(&w.app, &m.director, e, Decision::Sign, None).await;
    let Err(AppError::Invalid(err)) = &refused else {
        panic!("{refused:?}");
    };
    assert_eq!(err.code.0, "signoff_signed_another_step");
    assert_eq!(err.args, vec![("step", "2".to_string())]);
    assert_eq!(event_count(&w.app).await, before);
    assert_eq!(
        ledger::sign_expense(&w.app, &m.accountant, e, Decision::Sign, None)
            .await
            .unwrap(),
        ExpenseState::Posted(1_000_00)
    );
    // A stranger (staff of the next community) learns nothing of its state by trying to sign.
    assert_eq!(
        code(ledger::sign_expense(&w.app, &w.other_staff, e, Decision::Sign, None).await),
        "signoff_not_a_signer"
    );

    // The director is the spouse of the staff member who submits the next expense.
    let register = |name: &'static str, account: Option<Uuid>| async move {
        people::register_resident(
            &w.app,
            &w.staff,
            w.jinyang,
            &NewResident {
                name: name.into(),
                account_id: account,
                ..Default::default()
            },
        )
        .await
        .unwrap()
    };
    let director = register("马德明", m.director.account_id).await;
    let submitter = register("王秀英", w.staff.account_id).await;
    councils::declare_relative(&w.app, &w.staff, w.jinyang, submitter, director, "spouse")
        .await
        .unwrap();
    let e = expense(&m, b, 2_000_00).await.unwrap();
    for s in &m.supervisors {
        ledger::sign_expense(&w.app, s, e, Decision::Sign, None)
            .await
            .unwrap();
    }
    assert_eq!(
        code(ledger::sign_expense(&w.app, &m.director, e, Decision::Sign, None).await),
        "signoff_relative_of_submitter"
    );
}

/// The offices that sign money are recorded by the body the rulebook names, never by the person
/// themselves, never back-dated beyond the rule's days; supervisors only by election.
#[tokio::test]
async fn offices_that_sign_money_are_recorded_only_by_the_body_entitled_to() {
    let m = money().await;
    let w = &m.w;
    let newcomer = account(&w.app, &w.admin, w.jinyang, "resident", "newcomer").await;
    let (staff, official) = (&w.staff, &w.official);
    let assign = async |by: &Actor, office: &str, to: Uuid, start: &str| {
        accounts::assign_office(&w.app, by, w.jinyang, office, to, start, None).await
    };
    let to = newcomer.account_id.unwrap();
    let before = event_count(&w.app).await;
    // Community staff cannot make an account they just created the accountant…
    assert_eq!(
        code(assign(staff, "accountant", to, "2026-11-22").await),
        "office_recorded_by_level"
    );
    // …nor themselves anything…
    assert_eq!(
        code(assign(staff, "evaluator", staff.account_id.unwrap(), "2026-11-22").await),
        "office_self_appointment"
    );
    // …and nobody records a supervisor: the residents elect them.
    assert_eq!(
        code(assign(official, "supervisor", to, "2026-11-22").await),
        "office_by_election_only"
    );
    // The street may, from today or a week back, not further.
    assert_eq!(
        code(assign(official, "accountant", to, "2026-11-14").await),
        "office_backdated"
    );
    assert_eq!(event_count(&w.app).await, before, "refusals change nothing");
    assign(official, "accountant", to, "2026-11-15")
        .await
        .unwrap();
    assign(staff, "evaluator", to, "2026-11-22").await.unwrap();
}

/// Who signs is pinned when the expense is submitted: an accountant appointed afterwards signs
/// it only after staff re-assign its signers, which is recorded with the reason.
#[tokio::test]
async fn signers_are_pinned_when_an_expense_is_submitted() {
    let m = money().await;
    let w = &m.w;
    let res = approved(&m, false).await;
    let b = budget(&m, res, 10_000_00, &[]).await.unwrap();
    let e = expense(&m, b, 1_000_00).await.unwrap();
    let newcomer = account(&w.app, &w.admin, w.jinyang, "staff", "new-accountant").await;
    accounts::assign_office(
        &w.app,
        &w.official,
        w.jinyang,
        "accountant",
        newcomer.account_id.unwrap(),
        "2026-11-22",
        None,
    )
    .await
    .unwrap();
    board_and_director_sign(&m, e).await;
    assert_eq!(
        code(ledger::sign_expense(&w.app, &newcomer, e, Decision::Sign, None).await),
        "signoff_not_a_signer"
    );
    assert_eq!(
        code(ledger::reassign_signers(&w.app, &w.resident, e, "新会计到任").await),
        "forbidden"
    );
    let before = event_count(&w.app).await;
    ledger::reassign_signers(&w.app, &w.staff, e, "新会计到任")
        .await
        .unwrap();
    assert_eq!(event_count(&w.app).await, before + 1);
    assert_eq!(
        ledger::sign_expense(&w.app, &newcomer, e, Decision::Sign, None)
            .await
            .unwrap(),
        ExpenseState::Posted(1_000_00)
    );
    let v = verify_database(&w.app.db).await.unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
}

/// A file is read by whoever may read the record it is attached to: an expense's invoice by its
/// signers and the fund's keepers, not by a resident who may upload photos, nor by staff of
/// another community; uploads are bounded per account and per community.
#[tokio::test]
async fn files_are_read_by_who_may_read_their_record_and_uploads_have_quotas() {
    let m = money().await;
    let w = &m.w;
    let res = approved(&m, false).await;
    let b = budget(&m, res, 10_000_00, &[]).await.unwrap();
    expense(&m, b, 1_000_00).await.unwrap();
    let fetch = async |who: &Actor| {
        uploads::fetch(&w.app, who, w.jinyang, &m.invoice)
            .await
            .map(|_| ())
    };
    fetch(&w.staff).await.unwrap();
    fetch(&m.supervisors[0]).await.unwrap();
    fetch(&w.auditor).await.unwrap();
    assert_eq!(code(fetch(&w.resident).await), "forbidden");
    assert_eq!(code(fetch(&w.other_staff).await), "forbidden");
    let uploader_elsewhere = account(&w.app, &w.admin, w.jinyang, "resident", "uploader").await;
    assert_eq!(code(fetch(&uploader_elsewhere).await), "forbidden");
    assert_eq!(code(fetch(&Actor::anonymous()).await), "unauthenticated");
    // A resident reads back what she uploaded herself, and only that.
    let neighbour = account(&w.app, &w.admin, w.jinyang, "resident", "neighbour").await;
    let photo: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n% her own\n";
    let own = uploads::store(&w.app, &neighbour, w.jinyang, photo)
        .await
        .unwrap();
    uploads::fetch(&w.app, &neighbour, w.jinyang, &own.sha256)
        .await
        .unwrap();
    assert_eq!(
        code(uploads::fetch(&w.app, &m.supervisors[1], w.jinyang, &own.sha256).await),
        "forbidden"
    );

    // Quotas. Today the staff member stored the invoice and the resident her file; an app whose
    // quotas leave the staff member room for one more small file, and the community for as much.
    let used = (INVOICE.len() + photo.len()) as i64;
    let file = |n: usize| {
        let mut f = INVOICE.to_vec();
        f.extend(std::iter::repeat_n(b'%', n));
        f
    };
    let tight = gongzhi_app::App::new(
        w.app.db.clone(),
        w.app.clock.clone(),
        gongzhi_app::Settings {
            upload_quota_account_bytes: 2 * INVOICE.len() as i64 + 5,
            upload_quota_community_bytes: used + INVOICE.len() as i64 + 5,
            ..(*w.app.settings).clone()
        },
    );
    let before = event_count(&w.app).await;
    assert_eq!(
        code(uploads::store(&tight, &w.staff, w.jinyang, &file(10)).await),
        "upload_quota_account"
    );
    uploads::store(&tight, &w.staff, w.jinyang, &file(1))
        .await
        .unwrap();
    assert_eq!(
        code(uploads::store(&tight, &w.admin, w.jinyang, &file(2)).await),
        "upload_quota_community"
    );
    assert_eq!(event_count(&w.app).await, before + 1);
    w.app.clock.advance(86_400 + 1).unwrap();
    uploads::store(&tight, &w.admin, w.jinyang, &file(2))
        .await
        .unwrap();
}

/// Two budgets of 10,000 reserved at once on a resolution that approved 18,000: one is
/// reserved, the other refused with what is left — never both (both backends).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_budgets_reserved_at_once_stay_within_the_approval() {
    let m = money().await;
    let res = approved_for(&m, false, Some(18_000_00)).await;
    let attempts: Vec<_> = (0..2)
        .map(|i| {
            let (app, staff, fund) = (m.w.app.clone(), m.w.staff.clone(), m.fund);
            tokio::spawn(async move {
                ledger::reserve_budget(
                    &app,
                    &staff,
                    &NewBudget {
                        id: None,
                        resolution_id: res,
                        jurisdiction_id: None,
                        fund_id: fund,
                        title: "北苑院落改造",
                        reserved: 10_000_00,
                        pledges: &[],
                        reason: Some(if i == 0 { "一期" } else { "二期" }),
                    },
                )
                .await
            })
        })
        .collect();
    let mut reserved = 0;
    for a in attempts {
        match a.await.unwrap() {
            Ok(_) => reserved += 1,
            Err(AppError::Invalid(e)) => assert_eq!(e.code.0, "budget_exceeds_approved"),
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(reserved, 1);
}

/// One supervisor's signature sent twelve times at once, then the director's and the
/// accountant's last signature each twelve times at once: every signature is recorded once, the
/// repeats hear it was given, the money moves once, and the record and the ledger verify (both
/// backends).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_signature_sent_twelve_times_at_once_is_recorded_once() {
    let m = money().await;
    let w = &m.w;
    let res = approved(&m, false).await;
    let b = budget(&m, res, 30_000_00, &[]).await.unwrap();
    let e = expense(&m, b, 1_000_00).await.unwrap();
    let at_once = |signer: Actor| -> Vec<_> {
        (0..12)
            .map(|_| {
                let (app, s) = (w.app.clone(), signer.clone());
                tokio::spawn(async move {
                    ledger::sign_expense(&app, &s, e, Decision::Sign, None).await
                })
            })
            .collect()
    };
    let before = event_count(&w.app).await;
    let first = settled(at_once(m.supervisors[0].clone()), "signoff_already_signed").await;
    assert_eq!(first.len(), 1);
    assert_eq!(event_count(&w.app).await, before + 1);
    for s in &m.supervisors[1..] {
        ledger::sign_expense(&w.app, s, e, Decision::Sign, None)
            .await
            .unwrap();
    }
    // The director's signature completes her step: the repeats hear she signed it.
    let director = settled(at_once(m.director.clone()), "signoff_signed_another_step").await;
    assert_eq!(director.len(), 1);
    // The accountant's signature settles the expense: the repeats find it no longer waiting.
    let last = settled(at_once(m.accountant.clone()), "expense_not_waiting").await;
    assert_eq!(last, vec![ExpenseState::Posted(1_000_00)]);
    let bv = ledger::budget_view(&w.app, b).await.unwrap();
    assert_eq!(bv.account.balance.available(), 29_000_00, "paid once");
    assert!(ledger_check(w).await.problems.is_empty());
    assert_record_verifies(&w.app).await;
}

/// The expense page shows the sign buttons by the command's own rule: for everyone who might
/// open it (each supervisor, the director, the accountant, the submitter, a resident, staff of
/// another community, a district official, a visitor signed out), `may_sign` says yes exactly
/// when `sign_expense` accepts, asked again after every signature until the expense is paid.
#[tokio::test]
async fn the_sign_hint_agrees_with_the_command_for_everyone_at_every_step() {
    let m = money().await;
    let w = &m.w;
    let res = approved(&m, false).await;
    let b = budget(&m, res, 30_000_00, &[]).await.unwrap();
    let e = expense(&m, b, 1_000_00).await.unwrap();
    let mut visitors: Vec<(String, Actor)> = m
        .supervisors
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("supervisor {i}"), s.clone()))
        .collect();
    visitors.extend([
        ("director".to_string(), m.director.clone()),
        ("accountant".to_string(), m.accountant.clone()),
        ("submitter".to_string(), w.staff.clone()),
        ("resident".to_string(), w.resident.clone()),
        ("staff elsewhere".to_string(), w.other_staff.clone()),
        ("official".to_string(), w.official.clone()),
        ("signed out".to_string(), Actor::anonymous()),
    ]);
    let mut signatures = 0;
    let mut last = None;
    for _round in 0..visitors.len() {
        for (who, v) in &visitors {
            let hint = ledger::may_sign(&w.app, v, e).await.unwrap();
            // The signer's to-do list offers the expense exactly when the command takes her
            // signature.
            let listed = gongzhi_app::todo::todo_list(&w.app, v)
                .await
                .unwrap()
                .iter()
                .any(
                    |t| matches!(t, gongzhi_app::todo::Todo::Sign { expense, .. } if *expense == e),
                );
            assert_eq!(
                listed, hint,
                "{who}'s to-do list after {signatures} signatures"
            );
            let signed = ledger::sign_expense(&w.app, v, e, Decision::Sign, None).await;
            assert_eq!(
                hint,
                signed.is_ok(),
                "{who} after {signatures} signatures: {signed:?}"
            );
            if let Ok(state) = signed {
                signatures += 1;
                last = Some(state);
            }
        }
    }
    assert_eq!(
        last,
        Some(ExpenseState::Posted(1_000_00)),
        "the chain ran to the end"
    );
    assert!(signatures >= 3, "{signatures}");
}
