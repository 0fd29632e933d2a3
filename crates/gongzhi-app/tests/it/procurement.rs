//! Government purchase of services through the app layer, on the backend under test: a full
//! purchase from plan to OCDS export (validated by the real `ocds-check` and reconciled with the
//! ledger), a call that fails for too few bids and is run again, contract terms, the social
//! organisations' share, a venture-philanthropy round with a donor's adoption, and bad input that
//! changes nothing.

use std::path::PathBuf;

use gongzhi_app::AppError;
use gongzhi_app::authz::Actor;
use gongzhi_app::ledger::{self, ExpenseState};
use gongzhi_app::procurement::{
    self as pr, NewBid, NewCall, NewContract, NewEvaluation, NewItem, NewOrganisation, Panelist,
    PlanLine,
};
use gongzhi_domain::procurement::{Criterion, GrantRound};
use gongzhi_domain::time::Instant;
use uuid::Uuid;

use crate::ledger::{Money, approved, budget, code, money, sign_through};
use crate::{World, account, assert_record_verifies, event_count, settled};

const TONGXING: &str = "52510107MJ0000001B";
const BLACKLISTED: &str = "52510107MJ0000002E";
const CATERER: &str = "91510107MA6CAT0017";
const EVALUATOR: &str = "52510107MJ0000003H";

async fn org(
    w: &World,
    by: &Actor,
    name: &str,
    kind: &str,
    code: Option<&str>,
    at: Uuid,
) -> Result<Uuid, AppError> {
    pr::register_organisation(
        &w.app,
        by,
        &NewOrganisation {
            name_zh: name,
            name_en: "",
            kind,
            credit_code: code,
            registered_with: at,
            registered_on: Some("2015-06-01"),
            business_scope: "养老服务、社区服务",
            capacity: "社工 6 名",
            incubator_id: None,
            incubator_level: None,
            qualifications: &["A6-2".to_string()],
        },
    )
    .await
}

fn criteria() -> Vec<Criterion> {
    [
        ("plan", "服务方案", 40),
        ("price", "报价", 30),
        ("record", "以往绩效", 30),
    ]
    .into_iter()
    .map(|(k, zh, weight)| Criterion {
        key: k.into(),
        zh: zh.into(),
        en: k.into(),
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

fn call_for<'a>(
    w: &World,
    criteria: &'a [Criterion],
    budget: Option<Uuid>,
    stable: bool,
    months: u32,
) -> NewCall<'a> {
    NewCall {
        buyer_id: w.jinyang,
        plan_id: None,
        title: "晋阳社区长者助餐服务",
        description: "为 70 岁以上居民每日提供午餐并送餐上门",
        catalogue_code: "A6-2",
        method: "comparative_selection",
        justification: None,
        value: 96_000_00,
        new_service: true,
        eligible_kinds: &[],
        closes_at: Instant::from_micros(w.app.now().micros() + 10 * 86_400_000_000),
        contract_months: months,
        stable,
        criteria,
        budget_id: budget,
        round: None,
    }
}

fn bid(call: Uuid, org: Uuid, price: i64) -> NewBid<'static> {
    NewBid {
        call_id: call,
        organisation_id: org,
        price,
        cofunding: 0,
        plan: "中央厨房配餐，志愿者送餐",
        theme: None,
    }
}

/// The shared folder (see the PB tests): `GONGZHI_SHARED_DIR`, `../shared`, `/work/shared`.
fn shared() -> PathBuf {
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    std::env::var_os("GONGZHI_SHARED_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain([beside, PathBuf::from("/work/shared")])
        .find(|p| p.join("tools/ocds-check").is_file())
        .expect("../shared/tools/ocds-check (set GONGZHI_SHARED_DIR)")
}

/// Runs the real OCDS checker (libcoveocds, installed by `scripts/test` into the Python named by
/// `GONGZHI_OCDS_PYTHON`); a missing checker fails the test with the install line.
fn ocds_check(file: &std::path::Path) -> (bool, String) {
    let python = std::env::var("GONGZHI_OCDS_PYTHON").unwrap_or_else(|_| "python3".into());
    let s = shared();
    let o = std::process::Command::new(&python)
        .arg(s.join("tools/ocds-check"))
        .arg(s.join("data/ocds/standard-1__1__5-schema-only.zip"))
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{python} is needed for ocds-check ({e})"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        !text.contains("ModuleNotFoundError"),
        "libcoveocds is needed: python3 -m venv V && V/bin/pip install libcoveocds, then \
         GONGZHI_OCDS_PYTHON=V/bin/python ({text})"
    );
    (o.status.success(), text)
}

async fn panel_account(m: &Money, name: &str) -> Actor {
    account(&m.w.app, &m.w.admin, m.w.jinyang, "staff", name).await
}

/// 同行社工 and a catering company, registered with the district.
async fn two_suppliers(w: &World) -> (Uuid, Uuid) {
    let social = org(
        w,
        &w.official,
        "同行社工",
        "private_non_enterprise",
        Some(TONGXING),
        w.district,
    )
    .await
    .unwrap();
    let company = org(
        w,
        &w.official,
        "某餐饮管理有限公司",
        "company",
        Some(CATERER),
        w.district,
    )
    .await
    .unwrap();
    (social, company)
}

/// A one-member panel.
fn alone(p: &Actor) -> Panelist {
    Panelist {
        account_id: p.account_id.unwrap(),
        name: "评审甲".into(),
        ties: vec![],
    }
}

/// Plan → call → 4 bids (the blacklisted one refused) → a panel whose member from 同行社工 cannot
/// score it → award → contract → milestones paid through sign-off → evaluation 85/100 → final
/// payment at 90% → OCDS export valid and reconciled with the ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_purchase_from_plan_to_open_data() {
    let m = money().await;
    let w = &m.w;
    let res = approved(&m, false).await;
    let b = budget(&m, res, 100_000_00, &[]).await.unwrap();

    // The directory: two registered with the district, one filed with the community, a company.
    let tongxing = org(
        w,
        &w.official,
        "同行社工",
        "private_non_enterprise",
        Some(TONGXING),
        w.district,
    )
    .await
    .unwrap();
    let blacklisted = org(
        w,
        &w.official,
        "某社工服务中心",
        "private_non_enterprise",
        Some(BLACKLISTED),
        w.district,
    )
    .await
    .unwrap();
    let mulin = org(
        w,
        &w.staff,
        "睦林长者互助社",
        "community_org",
        None,
        w.jinyang,
    )
    .await
    .unwrap();
    let caterer = org(
        w,
        &w.official,
        "某餐饮管理有限公司",
        "company",
        Some(CATERER),
        w.district,
    )
    .await
    .unwrap();
    let evaluator = org(
        w,
        &w.official,
        "第三方评估中心",
        "private_non_enterprise",
        Some(EVALUATOR),
        w.district,
    )
    .await
    .unwrap();
    // Community staff cannot register with the district's civil affairs, nor file a company
    // where a registered group belongs.
    assert_eq!(
        code(
            org(
                w,
                &w.staff,
                "越权登记",
                "private_non_enterprise",
                Some("52510107MJ0000004L"),
                w.district
            )
            .await
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            org(
                w,
                &w.official,
                "登记层级",
                "private_non_enterprise",
                Some("52510107MJ0000004L"),
                w.jinyang
            )
            .await
        ),
        "org_registered_at_wrong_level"
    );
    assert_eq!(
        code(
            org(
                w,
                &w.official,
                "重复",
                "private_non_enterprise",
                Some(TONGXING),
                w.district
            )
            .await
        ),
        "credit_code_taken"
    );
    pr::blacklist(
        &w.app,
        &w.official,
        blacklisted,
        "2025年评估中虚报服务人次",
        "2025-06-01",
        Some("2027-05-31"),
    )
    .await
    .unwrap();
    let tx_staff = account(&w.app, &w.admin, w.city, "org_staff", "tongxing-staff").await;
    pr::seat_org_staff(
        &w.app,
        &w.official,
        tongxing,
        tx_staff.account_id.unwrap(),
        "admin",
    )
    .await
    .unwrap();

    // Plan and call.
    pr::record_plan(
        &w.app,
        &w.staff,
        w.jinyang,
        2026,
        "晋阳社区2026年购买服务计划",
        &[PlanLine {
            catalogue_code: "A6-2".into(),
            description: "长者助餐".into(),
            amount: 96_000_00,
            new_service: true,
        }],
    )
    .await
    .unwrap();
    let crit = criteria();
    let call = pr::open_call(&w.app, &w.staff, &call_for(w, &crit, Some(b), false, 12))
        .await
        .unwrap();

    // Bids: 同行社工 by its own staff, 睦林 and the company entered from paper by the community.
    let b_tongxing = pr::submit_bid(&w.app, &tx_staff, &bid(call, tongxing, 90_000_00))
        .await
        .unwrap();
    let b_mulin = pr::submit_bid(&w.app, &w.staff, &bid(call, mulin, 86_400_00))
        .await
        .unwrap();
    let b_caterer = pr::submit_bid(&w.app, &w.staff, &bid(call, caterer, 92_000_00))
        .await
        .unwrap();
    let before = event_count(&w.app).await;
    let refused = pr::submit_bid(&w.app, &w.staff, &bid(call, blacklisted, 80_000_00)).await;
    let Err(AppError::Invalid(e)) = &refused else {
        panic!("{refused:?}")
    };
    assert_eq!(e.code.0, "bid_org_blacklisted");
    assert!(
        e.args
            .iter()
            .any(|(k, v)| *k == "reason" && v.contains("虚报")),
        "{e:?}"
    );
    assert_eq!(
        event_count(&w.app).await,
        before,
        "a refused bid writes nothing"
    );
    assert_eq!(
        code(pr::submit_bid(&w.app, &w.staff, &bid(call, tongxing, 1)).await),
        "bid_already_submitted"
    );
    assert_eq!(
        code(pr::submit_bid(&w.app, &w.staff, &bid(call, evaluator, 99_000_00)).await),
        "bid_above_ceiling"
    );
    // A supplier not qualified for the call's catalogue item (A6-2, meals) is refused.
    let visitors = pr::register_organisation(
        &w.app,
        &w.staff,
        &NewOrganisation {
            name_zh: "邻里探访队",
            name_en: "",
            kind: "volunteer_team",
            credit_code: None,
            registered_with: w.jinyang,
            registered_on: None,
            business_scope: "独居老人探访",
            capacity: "",
            incubator_id: None,
            incubator_level: None,
            qualifications: &["A6-1".to_string()],
        },
    )
    .await
    .unwrap();
    let before = event_count(&w.app).await;
    assert_eq!(
        code(pr::submit_bid(&w.app, &w.staff, &bid(call, visitors, 50_000_00)).await),
        "bid_not_qualified"
    );
    // Organisation staff bid only for their own organisation.
    assert_eq!(
        code(pr::submit_bid(&w.app, &tx_staff, &bid(call, evaluator, 80_000_00)).await),
        "forbidden"
    );
    assert_eq!(
        event_count(&w.app).await,
        before,
        "refused bids write nothing"
    );

    // The panel: two community staff and 同行社工's own staff member.
    let p1 = panel_account(&m, "panel-1").await;
    let p2 = panel_account(&m, "panel-2").await;
    let members: Vec<Panelist> = [(&p1, "评审甲"), (&p2, "评审乙"), (&tx_staff, "评审丙")]
        .into_iter()
        .map(|(a, n)| Panelist {
            account_id: a.account_id.unwrap(),
            name: n.into(),
            ties: vec![],
        })
        .collect();
    pr::seat_panel(&w.app, &w.staff, call, &members)
        .await
        .unwrap();
    assert_eq!(
        code(pr::score_bid(&w.app, &p1, b_mulin, &scores(90, 90, 90)).await),
        "score_before_closing"
    );
    w.app.clock.advance(10 * 86_400 + 60).unwrap();
    assert_eq!(
        code(pr::submit_bid(&w.app, &w.staff, &bid(call, evaluator, 80_000_00)).await),
        "bid_after_deadline"
    );
    let before = event_count(&w.app).await;
    assert_eq!(
        code(pr::score_bid(&w.app, &tx_staff, b_tongxing, &scores(100, 100, 100)).await),
        "score_own_organisation"
    );
    assert_eq!(
        code(pr::score_bid(&w.app, &p1, b_mulin, &scores(101, 90, 90)).await),
        "score_out_of_scale"
    );
    assert_eq!(
        code(pr::score_bid(&w.app, &w.staff, b_mulin, &scores(90, 90, 90)).await),
        "forbidden"
    );
    assert_eq!(event_count(&w.app).await, before);
    // Weighted 40/30/30. 同行社工: (85.5 + 83.5) / 2 = 84.50 by the two untied members; 睦林:
    // (82.1 + 80 + 83.8) / 3 = 81.97 (rounded half up to hundredths); the company: 70.
    for (p, bid_id, s) in [
        (&p1, b_tongxing, scores(90, 80, 85)),
        (&p2, b_tongxing, scores(85, 85, 80)),
        (&p1, b_mulin, scores(80, 85, 82)),
        (&p2, b_mulin, scores(80, 80, 80)),
        (&tx_staff, b_mulin, scores(85, 85, 81)),
        (&p1, b_caterer, scores(70, 70, 70)),
        (&p2, b_caterer, scores(70, 70, 70)),
    ] {
        pr::score_bid(&w.app, p, bid_id, &s).await.unwrap();
    }
    // The company still lacks the third member's score.
    assert_eq!(
        code(pr::decide_call(&w.app, &w.staff, call).await),
        "call_scores_incomplete"
    );
    pr::score_bid(&w.app, &tx_staff, b_caterer, &scores(70, 70, 70))
        .await
        .unwrap();
    let result = pr::decide_call(&w.app, &w.staff, call).await.unwrap();
    assert_eq!(result.outcome.as_str(), "awarded");
    assert_eq!(result.winner, Some(b_tongxing));
    let means: Vec<(Uuid, u32)> = result
        .ranking
        .iter()
        .map(|r| (r.bid, r.mean_centi))
        .collect();
    assert_eq!(
        means,
        vec![(b_tongxing, 8_450), (b_mulin, 8_197), (b_caterer, 7_000)]
    );
    let view = pr::call_view(&w.app, call).await.unwrap();
    assert!(view.decided());
    assert_eq!(view.bids.len(), 3);
    assert_eq!(view.scores.len(), 8);

    // The contract: 12 months, milestones 40% / 30% / final 30%.
    let items = vec![
        NewItem {
            kind: "deliverable".into(),
            catalogue_code: Some("A6-2".into()),
            title: "每日午餐（约 120 份）".into(),
            due_on: None,
            amount: 0,
            final_payment: false,
        },
        NewItem {
            kind: "milestone".into(),
            catalogue_code: None,
            title: "首期".into(),
            due_on: Some("2026-12-15".into()),
            amount: 36_000_00,
            final_payment: false,
        },
        NewItem {
            kind: "milestone".into(),
            catalogue_code: None,
            title: "中期".into(),
            due_on: Some("2027-06-15".into()),
            amount: 27_000_00,
            final_payment: false,
        },
        NewItem {
            kind: "milestone".into(),
            catalogue_code: None,
            title: "尾款（按绩效评估）".into(),
            due_on: Some("2027-12-15".into()),
            amount: 27_000_00,
            final_payment: true,
        },
    ];
    let too_long = NewContract {
        call_id: call,
        bid_id: None,
        starts_on: "2026-12-01",
        ends_on: "2027-12-31",
        items: &items,
        payment_rule: None,
        renews_id: None,
    };
    assert_eq!(
        code(pr::sign_contract(&w.app, &w.staff, &too_long).await),
        "contract_term_too_long"
    );
    let k = pr::sign_contract(
        &w.app,
        &w.staff,
        &NewContract {
            ends_on: "2027-11-30",
            ..too_long
        },
    )
    .await
    .unwrap();

    // Milestone payments go through the fund's sign-off chain.
    assert_eq!(
        code(pr::pay_milestone(&w.app, &w.staff, k, 2, Some(90_000_01), &m.invoice).await),
        "payment_above_contract_value"
    );
    assert_eq!(
        code(pr::pay_milestone(&w.app, &w.staff, k, 4, None, &m.invoice).await),
        "final_payment_needs_evaluation"
    );
    let e1 = pr::pay_milestone(&w.app, &w.staff, k, 2, None, &m.invoice)
        .await
        .unwrap();
    assert_eq!(
        sign_through(&m, e1, None).await,
        ExpenseState::Posted(36_000_00)
    );
    assert_eq!(
        code(pr::pay_milestone(&w.app, &w.staff, k, 2, None, &m.invoice).await),
        "milestone_already_paid"
    );
    let e2 = pr::pay_milestone(&w.app, &w.staff, k, 3, None, &m.invoice)
        .await
        .unwrap();
    sign_through(&m, e2, None).await;
    pr::record_delivery(&w.app, &w.staff, k, 1).await.unwrap();

    // The evaluation: 85/100 earns 90% of the final 27,000 = 24,300.
    assert_eq!(
        code(
            pr::evaluate_contract(
                &w.app,
                &w.staff,
                &NewEvaluation {
                    contract_id: k,
                    score: 101,
                    evaluator_org_id: Some(evaluator),
                    evaluator_name: "第三方评估中心",
                    summary: "—",
                },
            )
            .await
        ),
        "score_out_of_scale"
    );
    assert_eq!(
        code(
            pr::evaluate_contract(
                &w.app,
                &w.staff,
                &NewEvaluation {
                    contract_id: k,
                    score: 85,
                    evaluator_org_id: Some(tongxing),
                    evaluator_name: "同行社工",
                    summary: "自评",
                },
            )
            .await
        ),
        "evaluator_is_supplier"
    );
    pr::evaluate_contract(
        &w.app,
        &w.staff,
        &NewEvaluation {
            contract_id: k,
            score: 85,
            evaluator_org_id: Some(evaluator),
            evaluator_name: "第三方评估中心",
            summary: "服务覆盖 126 位老人，满意度 92%；台账不全扣分",
        },
    )
    .await
    .unwrap();
    let e3 = pr::pay_milestone(&w.app, &w.staff, k, 4, None, &m.invoice)
        .await
        .unwrap();
    assert_eq!(
        sign_through(&m, e3, None).await,
        ExpenseState::Posted(24_300_00)
    );
    // Completed six times at once: once (its state is read inside the command), the others
    // hear it is no longer active.
    let completes: Vec<_> = (0..6)
        .map(|_| {
            let (app, staff) = (w.app.clone(), w.staff.clone());
            tokio::spawn(async move { pr::complete_contract(&app, &staff, k).await })
        })
        .collect();
    assert_eq!(settled(completes, "contract_not_active").await.len(), 1);

    // The supplier's record now carries the evaluation.
    let profile = pr::org_profile(&w.app, tongxing).await.unwrap();
    assert_eq!(profile.mean_score, Some(85));
    assert_eq!(profile.contracts.len(), 1);
    let barred = pr::org_profile(&w.app, blacklisted).await.unwrap();
    assert!(barred.barred.is_some());

    // The open data: valid OCDS 1.1, and its transactions equal what the ledger paid.
    let mut out = Vec::new();
    let summary = pr::export_ocds(&w.app, "ocds-test01", "成都市", &mut out)
        .await
        .unwrap();
    assert_eq!((summary.processes, summary.transactions), (1, 3));
    assert_eq!(summary.paid, 36_000_00 + 27_000_00 + 24_300_00);
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let releases = json["releases"].as_array().unwrap();
    // Tender, award, contract, one evaluation, three payments.
    assert_eq!(releases.len(), 7);
    let mut exported = 0i64;
    for r in releases {
        for c in r["contracts"].as_array().into_iter().flatten() {
            for t in c["implementation"]["transactions"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let yuan = t["value"]["amount"].as_f64().unwrap();
                exported += (yuan * 100.0).round() as i64;
            }
        }
    }
    let mut posted = 0i64;
    for e in [e1, e2, e3] {
        let mut tx = w.app.db.read().await.unwrap();
        let row = gongzhi_store::ledger::expense(&mut tx, w.jinyang, e)
            .await
            .unwrap()
            .unwrap();
        let s = gongzhi_store::ledger::settlement_of(&mut tx, w.jinyang, row.transfer_id)
            .await
            .unwrap()
            .unwrap();
        tx.rollback().await.unwrap();
        posted += s.amount;
    }
    assert_eq!(exported, posted);
    let dir = std::env::temp_dir().join("gongzhi-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("ocds-{}.json", Uuid::new_v4().simple()));
    std::fs::write(&file, &out).unwrap();
    let (ok, text) = ocds_check(&file);
    assert!(ok, "ocds-check refused our export: {text}");
    // The checker can fail: a release with a closed-codelist value it does not know is refused.
    let broken = String::from_utf8(out).unwrap().replacen(
        "\"procurementMethod\":\"selective\"",
        "\"procurementMethod\":\"lottery\"",
        1,
    );
    std::fs::write(&file, broken).unwrap();
    let (ok, _) = ocds_check(&file);
    assert!(!ok, "ocds-check accepted a closed-codelist violation");
    std::fs::remove_file(&file).ok();
    let _ = ledger::sweep_lapsed(&w.app, w.jinyang).await.unwrap();
}

/// A call with 2 bids fails when the rulebook asks for 3; it is run again and succeeds.
#[tokio::test]
async fn a_call_with_too_few_bids_fails_and_can_be_run_again() {
    let m = money().await;
    let w = &m.w;
    let (a, c) = two_suppliers(w).await;
    let crit = criteria();
    let call = pr::open_call(&w.app, &w.staff, &call_for(w, &crit, None, false, 12))
        .await
        .unwrap();
    pr::submit_bid(&w.app, &w.staff, &bid(call, a, 90_000_00))
        .await
        .unwrap();
    pr::submit_bid(&w.app, &w.staff, &bid(call, c, 91_000_00))
        .await
        .unwrap();
    assert_eq!(
        code(pr::decide_call(&w.app, &w.staff, call).await),
        "call_still_open"
    );
    w.app.clock.advance(10 * 86_400 + 60).unwrap();
    let r = pr::decide_call(&w.app, &w.staff, call).await.unwrap();
    assert_eq!((r.outcome.as_str(), r.bids, r.min_bids), ("failed", 2, 3));
    assert_eq!(
        code(pr::decide_call(&w.app, &w.staff, call).await),
        "call_decided"
    );
    let again = pr::rerun_call(
        &w.app,
        &w.staff,
        call,
        Instant::from_micros(w.app.now().micros() + 7 * 86_400_000_000),
    )
    .await
    .unwrap();
    let v = pr::call_view(&w.app, again).await.unwrap();
    assert_eq!(
        (v.call.rerun_of, v.call.status.as_str()),
        (Some(call), "open")
    );
    assert_eq!(v.call.value, 96_000_00);
    // A district that asks for 10% co-funding: the rule pinned on a new call, checked per bid.
    gongzhi_app::rules::set_rule(
        &w.app,
        &w.admin,
        w.district,
        "procurement.rules",
        r#"{"min_bidders":3,"min_cofunding":{"num":1,"den":10,"bound":"at_least"},"max_months":12,"stable_max_months":36,"social_org_share":{"num":3,"den":10,"bound":"at_least"}}"#,
        "2026-01-01",
        "区民政局：配套资金不少于10%",
    )
    .await
    .unwrap();
    let cofunded = pr::open_call(&w.app, &w.staff, &call_for(w, &crit, None, false, 12))
        .await
        .unwrap();
    let low = NewBid {
        cofunding: 8_999_99,
        ..bid(cofunded, a, 90_000_00)
    };
    assert_eq!(
        code(pr::submit_bid(&w.app, &w.staff, &low).await),
        "bid_cofunding_too_low"
    );
    pr::submit_bid(
        &w.app,
        &w.staff,
        &NewBid {
            cofunding: 9_000_00,
            ..low
        },
    )
    .await
    .unwrap();
}

/// One year normally; a stable service may run three, never four; and a contract never runs
/// longer than its call announced (a call for two years signs no three-year contract).
#[tokio::test]
async fn a_stable_service_runs_at_most_three_years_and_never_beyond_its_call() {
    let m = money().await;
    let w = &m.w;
    let crit = criteria();
    assert_eq!(
        code(pr::open_call(&w.app, &w.staff, &call_for(w, &crit, None, false, 36)).await),
        "contract_term_too_long"
    );
    assert_eq!(
        code(pr::open_call(&w.app, &w.staff, &call_for(w, &crit, None, true, 48)).await),
        "contract_term_too_long"
    );
    // A stable service may be called for three years; this call announces two.
    assert!(
        pr::open_call(&w.app, &w.staff, &call_for(w, &crit, None, true, 36))
            .await
            .is_ok()
    );
    let single = NewCall {
        method: "single_source",
        ..call_for(w, &crit, None, true, 24)
    };
    assert_eq!(
        code(pr::open_call(&w.app, &w.staff, &single).await),
        "single_source_needs_justification"
    );
    let call = pr::open_call(
        &w.app,
        &w.staff,
        &NewCall {
            justification: Some("社区服务站88项公共服务由同一家社工机构连续承接，服务稳定"),
            ..single
        },
    )
    .await
    .unwrap();
    let a = org(
        w,
        &w.official,
        "盛德社工事务所",
        "private_non_enterprise",
        Some(TONGXING),
        w.district,
    )
    .await
    .unwrap();
    let bid_id = pr::submit_bid(&w.app, &w.staff, &bid(call, a, 96_000_00))
        .await
        .unwrap();
    let p1 = panel_account(&m, "panel-1").await;
    pr::seat_panel(&w.app, &w.staff, call, &[alone(&p1)])
        .await
        .unwrap();
    w.app.clock.advance(10 * 86_400 + 60).unwrap();
    pr::score_bid(&w.app, &p1, bid_id, &scores(80, 80, 80))
        .await
        .unwrap();
    assert_eq!(
        pr::decide_call(&w.app, &w.staff, call)
            .await
            .unwrap()
            .winner,
        Some(bid_id)
    );
    let items = vec![NewItem {
        kind: "milestone".into(),
        catalogue_code: Some("B3-1".into()),
        title: "年度服务费".into(),
        due_on: None,
        amount: 96_000_00,
        final_payment: false,
    }];
    let four = NewContract {
        call_id: call,
        bid_id: None,
        starts_on: "2027-01-01",
        ends_on: "2030-12-31",
        items: &items,
        payment_rule: None,
        renews_id: None,
    };
    assert_eq!(
        code(pr::sign_contract(&w.app, &w.staff, &four).await),
        "contract_term_too_long"
    );
    let three = NewContract {
        ends_on: "2029-12-31",
        payment_rule: None,
        ..four
    };
    assert_eq!(
        code(pr::sign_contract(&w.app, &w.staff, &three).await),
        "contract_term_beyond_call"
    );
    let k = pr::sign_contract(
        &w.app,
        &w.staff,
        &NewContract {
            ends_on: "2028-12-31",
            ..four
        },
    )
    .await
    .unwrap();
    // No fund budget named: payments cannot go through the ledger.
    assert_eq!(
        code(pr::pay_milestone(&w.app, &w.staff, k, 1, None, &m.invoice).await),
        "contract_no_budget"
    );
}

/// The 30% report on known data: 同行社工 30,000 and a company 70,000 of new services (30.00%,
/// met); a continuing service does not count.
#[tokio::test]
async fn the_social_organisations_share_report() {
    let m = money().await;
    let w = &m.w;
    let (social, company) = two_suppliers(w).await;
    let crit = criteria();
    let p1 = panel_account(&m, "panel-1").await;
    let mut calls = Vec::new();
    for (supplier, price, new_service) in [
        (social, 30_000_00, true),
        (company, 70_000_00, true),
        (company, 50_000_00, false),
    ] {
        let call = pr::open_call(
            &w.app,
            &w.staff,
            &NewCall {
                method: "single_source",
                justification: Some("唯一供应商"),
                value: 100_000_00,
                new_service,
                ..call_for(w, &crit, None, false, 12)
            },
        )
        .await
        .unwrap();
        let b = pr::submit_bid(&w.app, &w.staff, &bid(call, supplier, price))
            .await
            .unwrap();
        pr::seat_panel(&w.app, &w.staff, call, &[alone(&p1)])
            .await
            .unwrap();
        calls.push((call, b, price));
    }
    w.app.clock.advance(10 * 86_400 + 60).unwrap();
    for (call, b, price) in &calls {
        pr::score_bid(&w.app, &p1, *b, &scores(80, 80, 80))
            .await
            .unwrap();
        pr::decide_call(&w.app, &w.staff, *call).await.unwrap();
        let items = vec![NewItem {
            kind: "milestone".into(),
            catalogue_code: None,
            title: "服务费".into(),
            due_on: None,
            amount: *price,
            final_payment: false,
        }];
        pr::sign_contract(
            &w.app,
            &w.staff,
            &NewContract {
                call_id: *call,
                bid_id: None,
                starts_on: "2026-12-05",
                ends_on: "2027-12-04",
                items: &items,
                payment_rule: None,
                renews_id: None,
            },
        )
        .await
        .unwrap();
    }
    let (r, _) = pr::social_org_share_report(&w.app, &w.staff, w.jinyang, 2026)
        .await
        .unwrap();
    assert_eq!(
        (r.total, r.to_social_orgs, r.basis_points, r.met),
        (100_000_00, 30_000_00, 3_000, true)
    );
    let (r, _) = pr::social_org_share_report(&w.app, &w.staff, w.jinyang, 2025)
        .await
        .unwrap();
    assert_eq!((r.total, r.met), (0, false));
    assert_eq!(
        code(pr::social_org_share_report(&w.app, &w.other_staff, w.jinyang, 2026).await),
        "forbidden"
    );
}

/// A wrong check character is refused with the expected one named; nothing is written.
#[tokio::test]
async fn a_credit_code_with_a_wrong_check_digit_is_refused() {
    let m = money().await;
    let w = &m.w;
    let before = event_count(&w.app).await;
    let r = org(
        w,
        &w.official,
        "同行社工",
        "private_non_enterprise",
        Some("52510107MJ0000001C"),
        w.district,
    )
    .await;
    let Err(AppError::Invalid(e)) = &r else {
        panic!("{r:?}")
    };
    assert_eq!(e.code.0, "credit_code_check_digit");
    assert!(e.args.contains(&("expected", "B".to_string())));
    assert_eq!(event_count(&w.app).await, before);
    // An unknown catalogue item in the qualifications is refused too.
    let r = pr::register_organisation(
        &w.app,
        &w.official,
        &NewOrganisation {
            name_zh: "同行社工",
            name_en: "",
            kind: "private_non_enterprise",
            credit_code: Some(TONGXING),
            registered_with: w.district,
            registered_on: None,
            business_scope: "社会工作服务",
            capacity: "",
            incubator_id: None,
            incubator_level: None,
            qualifications: &["Q9-9".to_string()],
        },
    )
    .await;
    assert_eq!(code(r), "catalogue_code_unknown");
    assert_eq!(event_count(&w.app).await, before);
}

/// A lifted blacklisting lets an organisation bid again; a qualification added by the
/// directory's keeper lets a group bid for that item.
#[tokio::test]
async fn lifting_a_blacklisting_and_adding_a_qualification() {
    let m = money().await;
    let w = &m.w;
    let (social, _) = two_suppliers(w).await;
    let team = pr::register_organisation(
        &w.app,
        &w.staff,
        &NewOrganisation {
            name_zh: "蒋姐姐助老服务队",
            name_en: "",
            kind: "volunteer_team",
            credit_code: None,
            registered_with: w.jinyang,
            registered_on: None,
            business_scope: "独居老人探访",
            capacity: "退休志愿者 50 余名",
            incubator_id: None,
            incubator_level: None,
            qualifications: &["A6-1".to_string()],
        },
    )
    .await
    .unwrap();
    let sanction = pr::blacklist(
        &w.app,
        &w.official,
        social,
        "虚报服务人次",
        "2026-01-01",
        None,
    )
    .await
    .unwrap();
    let crit = criteria();
    let call = pr::open_call(&w.app, &w.staff, &call_for(w, &crit, None, false, 12))
        .await
        .unwrap();
    assert_eq!(
        code(pr::submit_bid(&w.app, &w.staff, &bid(call, social, 90_000_00)).await),
        "bid_org_blacklisted"
    );
    // Only the keeper where it is registered (the district) may lift it.
    assert_eq!(
        code(pr::lift_sanction(&w.app, &w.staff, social, sanction, "复核撤销").await),
        "forbidden"
    );
    pr::lift_sanction(&w.app, &w.official, social, sanction, "复核后撤销")
        .await
        .unwrap();
    assert_eq!(
        code(pr::lift_sanction(&w.app, &w.official, social, sanction, "再次").await),
        "sanction_already_lifted"
    );
    pr::submit_bid(&w.app, &w.staff, &bid(call, social, 90_000_00))
        .await
        .unwrap();
    assert!(
        pr::org_profile(&w.app, social)
            .await
            .unwrap()
            .barred
            .is_none()
    );

    assert_eq!(
        code(pr::submit_bid(&w.app, &w.staff, &bid(call, team, 40_000_00)).await),
        "bid_not_qualified"
    );
    pr::qualify(&w.app, &w.staff, team, &["A6-2".to_string()])
        .await
        .unwrap();
    assert_eq!(
        code(pr::qualify(&w.app, &w.staff, team, &["A6-2".to_string()]).await),
        "qualification_nothing_new"
    );
    pr::submit_bid(&w.app, &w.staff, &bid(call, team, 40_000_00))
        .await
        .unwrap();
}

/// A community group filed with 晋阳, qualified for community building (B3-2).
async fn group(w: &World, name: &str) -> Uuid {
    pr::register_organisation(
        &w.app,
        &w.staff,
        &NewOrganisation {
            name_zh: name,
            name_en: "",
            kind: "community_org",
            credit_code: None,
            registered_with: w.jinyang,
            registered_on: None,
            business_scope: "社区营造、邻里互助",
            capacity: "居民骨干 10 名",
            incubator_id: None,
            incubator_level: None,
            qualifications: &["B3-2".to_string()],
        },
    )
    .await
    .unwrap()
}

fn application<'a>(call: Uuid, org: Uuid, price: i64, theme: &'a str) -> NewBid<'a> {
    NewBid {
        call_id: call,
        organisation_id: org,
        price,
        cofunding: 0,
        plan: "居民议事确定方案，分三期实施",
        theme: Some(theme),
    }
}

/// Signs a grant agreement for a year with one payment milestone for the whole grant.
async fn sign_grant(w: &World, call: Uuid, bid: Uuid, amount: i64) -> Result<Uuid, AppError> {
    let items = [NewItem {
        kind: "milestone".into(),
        catalogue_code: None,
        title: "资助款".into(),
        due_on: None,
        amount,
        final_payment: false,
    }];
    pr::sign_contract(
        &w.app,
        &w.staff,
        &NewContract {
            call_id: call,
            bid_id: Some(bid),
            starts_on: "2026-12-01",
            ends_on: "2027-11-30",
            items: &items,
            payment_rule: None,
            renews_id: None,
        },
    )
    .await
}

/// A community 微创投 (R42's "1+3+N"): three themes, a pool of 60,000 for at most three grants,
/// five applications. The decision funds the best-ranked that fit (passing over one too large
/// for what is left); a donor adopts it at the roadshow, the gift goes into the round's budget,
/// and both grants are paid through the fund's sign-off chain. The export has one award per
/// grant and validates; the ledger replays clean. Bad input changes nothing.
#[tokio::test]
async fn a_venture_round_funds_grants_and_a_donor_adopts_one_more() {
    let m = money().await;
    let w = &m.w;
    let res = approved(&m, false).await;
    let pool = 60_000_00;
    let b = budget(&m, res, pool, &[]).await.unwrap();
    let crit = criteria();
    let themes = ["院落美化", "邻里共融", "公益服务"];
    let closes = Instant::from_micros(w.app.now().micros() + 10 * 86_400_000_000);
    let round = GrantRound {
        themes: themes.iter().map(|t| t.to_string()).collect(),
        max_awards: 3,
        roadshow_at: Some(closes.micros() + 2 * 86_400_000_000),
        roadshow_place: Some("晋阳社区党群服务中心".into()),
    };
    let terms = NewCall {
        title: "晋阳社区2026年“微创投”",
        description: "围绕三个主题征集居民自组织的微项目，路演评审后资助",
        catalogue_code: "B3-2",
        method: "venture",
        value: pool,
        closes_at: closes,
        round: Some(round.clone()),
        ..call_for(w, &crit, Some(b), false, 12)
    };

    // A round needs themes and the venture method; the roadshow comes after closing.
    let before = event_count(&w.app).await;
    let no_round = NewCall {
        round: None,
        ..terms.clone()
    };
    assert_eq!(
        code(pr::open_call(&w.app, &w.staff, &no_round).await),
        "round_themes_missing"
    );
    let not_venture = NewCall {
        method: "comparative_selection",
        ..terms.clone()
    };
    assert_eq!(
        code(pr::open_call(&w.app, &w.staff, &not_venture).await),
        "round_only_for_venture"
    );
    let early = NewCall {
        round: Some(GrantRound {
            roadshow_at: Some(closes.micros() - 1),
            ..round.clone()
        }),
        ..terms.clone()
    };
    assert_eq!(
        code(pr::open_call(&w.app, &w.staff, &early).await),
        "roadshow_before_closing"
    );
    assert_eq!(
        event_count(&w.app).await,
        before,
        "refused rounds write nothing"
    );
    let call = pr::open_call(&w.app, &w.staff, &terms).await.unwrap();

    let mut apps = Vec::new();
    for (name, price, theme) in [
        ("花园楼栋自管小组", 20_000_00, themes[0]),
        ("邻里守望队", 30_000_00, themes[1]),
        ("青年志愿者协会", 25_000_00, themes[2]),
        ("楼道美化队", 8_000_00, themes[0]),
        ("银龄读书会", 5_000_00, themes[2]),
    ] {
        let org = group(w, name).await;
        let id = pr::submit_bid(&w.app, &w.staff, &application(call, org, price, theme))
            .await
            .unwrap();
        apps.push((id, org, price));
    }
    let extra = group(w, "广场舞队").await;
    let before = event_count(&w.app).await;
    let mut untitled = application(call, extra, 4_000_00, "");
    untitled.theme = None;
    assert_eq!(
        code(pr::submit_bid(&w.app, &w.staff, &untitled).await),
        "bid_theme_missing"
    );
    assert_eq!(
        code(
            pr::submit_bid(
                &w.app,
                &w.staff,
                &application(call, extra, 4_000_00, "体育健身")
            )
            .await
        ),
        "bid_theme_unknown"
    );
    assert_eq!(
        code(pr::adopt_bid(&w.app, &w.staff, apps[2].0, "某企业").await),
        "call_not_awarded"
    );
    assert_eq!(event_count(&w.app).await, before);

    let p = panel_account(&m, "panel-venture").await;
    pr::seat_panel(&w.app, &w.staff, call, &[alone(&p)])
        .await
        .unwrap();
    w.app.clock.advance(10 * 86_400 + 60).unwrap();
    for ((id, _, _), s) in apps.iter().zip([95, 90, 85, 80, 75]) {
        pr::score_bid(&w.app, &p, *id, &scores(s, s, s))
            .await
            .unwrap();
    }
    let result = pr::decide_call(&w.app, &w.staff, call).await.unwrap();
    // 20,000 + 30,000 leave 10,000: the third (25,000) is passed over, the fourth (8,000) funded,
    // and the fifth would fit the 2,000 left... no: it asks 5,000, and three grants is the most.
    let ids: Vec<Uuid> = apps.iter().map(|a| a.0).collect();
    assert_eq!(result.awarded, vec![ids[0], ids[1], ids[3]]);
    assert_eq!(result.winner, Some(ids[0]));

    // A donor adopts the passed-over application at the roadshow; its gift goes into the budget.
    let before = event_count(&w.app).await;
    assert_eq!(
        code(pr::adopt_bid(&w.app, &w.staff, ids[0], "某企业").await),
        "bid_already_funded"
    );
    assert_eq!(
        code(sign_grant(w, call, ids[2], 25_000_00).await),
        "bid_not_funded"
    );
    assert_eq!(event_count(&w.app).await, before);
    let adoption = pr::adopt_bid(&w.app, &w.staff, ids[2], "成都某科技有限公司")
        .await
        .unwrap();
    assert_eq!(adoption.amount, 25_000_00);
    assert!(adoption.transfer_id.is_some());
    // The call's view is public: the app masks the donor's name once, for every page and API.
    let view = pr::call_view(&w.app, call).await.unwrap();
    assert_eq!(view.adoptions[0].donor_name, "成*司");
    assert_eq!(
        code(pr::adopt_bid(&w.app, &w.staff, ids[2], "又一位捐赠人").await),
        "bid_already_adopted"
    );
    let view = pr::call_view(&w.app, call).await.unwrap();
    assert_eq!(view.adoptions.len(), 1);
    assert_eq!(view.round.as_ref().map(|r| r.max_awards), Some(3));
    assert!(view.bids.iter().all(|(b, _)| b.theme.is_some()));

    // Grant agreements with the first grantee and the adopted one, paid through sign-off.
    let mut paid = 0;
    let mut contracts = Vec::new();
    for (i, amount) in [(0usize, 20_000_00), (2, 25_000_00)] {
        let k = sign_grant(w, call, ids[i], amount).await.unwrap();
        let e = pr::pay_milestone(&w.app, &w.staff, k, 1, None, &m.invoice)
            .await
            .unwrap();
        assert_eq!(
            sign_through(&m, e, None).await,
            ExpenseState::Posted(amount)
        );
        paid += amount;
        contracts.push(k);
    }
    let first = pr::contract_view(&w.app, contracts[0]).await.unwrap();
    assert!(first.contract.title.contains("花园楼栋自管小组"));
    assert_eq!(
        code(sign_grant(w, call, ids[0], 20_000_00).await),
        "contract_exists"
    );
    let budget_view = ledger::budget_view(&w.app, b).await.unwrap();
    assert_eq!(
        budget_view.account.balance.posted(),
        pool + 25_000_00 - paid,
        "the budget holds the pool and the donor's gift, less the grants paid"
    );
    let report = ledger::check(&w.app).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    // Open data: one award per grant at the decision, one for the adoption, each contract
    // pointing at its own award; the real checker accepts it.
    let mut out = Vec::new();
    let summary = pr::export_ocds(&w.app, "ocds-test01", "成都市", &mut out)
        .await
        .unwrap();
    assert_eq!((summary.transactions, summary.paid), (2, paid));
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let releases = json["releases"].as_array().unwrap();
    let award_ids: Vec<&str> = releases
        .iter()
        .flat_map(|r| r["awards"].as_array().into_iter().flatten())
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(award_ids.len(), 4, "{award_ids:?}");
    for r in releases {
        for c in r["contracts"].as_array().into_iter().flatten() {
            let award = c["awardID"].as_str().unwrap();
            assert!(award_ids.contains(&award), "{award} has no award");
        }
    }
    let adopted = releases
        .iter()
        .find(|r| r["id"].as_str().is_some_and(|id| id.contains("adoption")))
        .unwrap();
    let text = adopted.to_string();
    assert!(
        !text.contains("成都某科技有限公司"),
        "the donor is masked: {text}"
    );
    let dir = std::env::temp_dir().join("gongzhi-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("ocds-{}.json", Uuid::new_v4().simple()));
    std::fs::write(&file, &out).unwrap();
    let (ok, text) = ocds_check(&file);
    std::fs::remove_file(&file).ok();
    assert!(ok, "ocds-check refused the round's export: {text}");

    // The record package: one record per process, its releases embedded, and the compiled
    // release holding every award and, per contract, every payment merged from the releases.
    let mut records = Vec::new();
    let s = pr::export_ocds_package(
        &w.app,
        "ocds-test01",
        "成都市",
        pr::OcdsPackage::Records,
        &mut records,
    )
    .await
    .unwrap();
    assert_eq!(s.releases, releases.len());
    let json: serde_json::Value = serde_json::from_slice(&records).unwrap();
    let record = &json["records"][0];
    assert_eq!(
        record["releases"].as_array().unwrap().len(),
        releases.len(),
        "one process, every release embedded"
    );
    let compiled = &record["compiledRelease"];
    assert_eq!(compiled["tag"], serde_json::json!(["compiled"]));
    assert_eq!(compiled["awards"].as_array().unwrap().len(), 4);
    let contracts = compiled["contracts"].as_array().unwrap();
    assert_eq!(contracts.len(), 2);
    let compiled_paid: i64 = contracts
        .iter()
        .flat_map(|c| {
            c["implementation"]["transactions"]
                .as_array()
                .into_iter()
                .flatten()
        })
        .map(|t| (t["value"]["amount"].as_f64().unwrap() * 100.0).round() as i64)
        .sum();
    assert_eq!(
        compiled_paid, paid,
        "the compiled release keeps every payment"
    );
    let grantee = compiled["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "青年志愿者协会")
        .unwrap();
    assert_eq!(
        grantee["roles"],
        serde_json::json!(["tenderer", "supplier", "payee"])
    );
    let file = dir.join(format!("ocds-records-{}.json", Uuid::new_v4().simple()));
    std::fs::write(&file, &records).unwrap();
    let (ok, text) = ocds_check(&file);
    std::fs::remove_file(&file).ok();
    assert!(ok, "ocds-check refused the record package: {text}");

    // Adoption belongs to rounds: an ordinary purchase's bid cannot be adopted.
    let (a, _) = two_suppliers(w).await;
    let plain = pr::open_call(&w.app, &w.staff, &call_for(w, &crit, None, false, 12))
        .await
        .unwrap();
    let plain_bid = pr::submit_bid(&w.app, &w.staff, &bid(plain, a, 90_000_00))
        .await
        .unwrap();
    assert_eq!(
        code(pr::adopt_bid(&w.app, &w.staff, plain_bid, "某企业").await),
        "adoption_only_for_rounds"
    );
}

/// A call decided eight times at once after it closed: one decision is recorded, the others hear
/// it was decided, and the record verifies (both backends).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_call_decided_eight_times_at_once_is_decided_once() {
    let m = money().await;
    let w = &m.w;
    let (a, c) = two_suppliers(w).await;
    let crit = criteria();
    let call = pr::open_call(&w.app, &w.staff, &call_for(w, &crit, None, false, 12))
        .await
        .unwrap();
    for (org, price) in [(a, 90_000_00), (c, 91_000_00)] {
        pr::submit_bid(&w.app, &w.staff, &bid(call, org, price))
            .await
            .unwrap();
    }
    w.app.clock.advance(10 * 86_400 + 60).unwrap();
    let before = event_count(&w.app).await;
    let decisions: Vec<_> = (0..8)
        .map(|_| {
            let (app, staff) = (w.app.clone(), w.staff.clone());
            tokio::spawn(async move { pr::decide_call(&app, &staff, call).await })
        })
        .collect();
    let decided = settled(decisions, "call_decided").await;
    assert_eq!(decided.len(), 1, "one decision");
    assert_eq!(
        decided[0].outcome.as_str(),
        "failed",
        "two bids are too few"
    );
    assert_eq!(event_count(&w.app).await, before + 1);
    assert_record_verifies(&w.app).await;
}
