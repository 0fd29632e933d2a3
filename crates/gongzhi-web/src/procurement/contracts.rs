//! A contract's page: its items and milestones, deliveries, payments as fund expenses,
//! evaluations and completion.

use super::*;
use crate::extract::{PageContext, SignedInPage};
use gongzhi_domain::lifecycle::ItemKind;

pub struct ItemLine {
    /// A payment milestone (else a deliverable).
    pub payment: bool,
    pub title: String,
    pub due: String,
    pub amount: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "contract.html")]
pub(super) struct ContractPage {
    page: Page,
    id: String,
    title: String,
    call_id: String,
    call_number: String,
    org_id: String,
    org: String,
    facts: Vec<String>,
    payments: Vec<ItemLine>,
    deliverables: Vec<ItemLine>,
    fold_deliverables: bool,
    evaluations: Vec<String>,
    /// The buyer's staff manage the contract from this page.
    staff: Option<ContractForms>,
    /// What was typed into the evaluation form, when refused.
    typed: Typed,
}

/// What the buyer's staff may do on a contract's page now.
pub struct ContractForms {
    /// Deliverables not yet recorded as done: (position, title).
    pub undone: Vec<Choice>,
    /// Milestones not yet paid (none when the contract names no fund budget).
    pub unpaid: Vec<Choice>,
    /// Whether the contract can be paid through the fund ledger.
    pub has_budget: bool,
    pub active: bool,
}

pub(super) async fn contract_page(
    State(state): State<AppState>,
    PageContext(lang, visitor, page): PageContext,
    Path(id): Path<Uuid>,
) -> Response {
    contract_view_page(&state, lang, page, &visitor, id).await
}

pub(super) async fn contract_view_page(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    id: Uuid,
) -> Response {
    contract_view_page_typed(state, lang, page, visitor, id, Typed::default()).await
}

/// A contract's page with what was typed into its evaluation form shown again.
pub(super) async fn contract_view_page_typed(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    id: Uuid,
    typed: Typed,
) -> Response {
    let v = match pr::contract_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let k = &v.contract;
    let mut facts = vec![
        lang.t_args("contract-fact-value", &[("value", fen(k.value))]),
        lang.t_args(
            "contract-fact-term",
            &[
                ("from", lang.date(&k.starts_on)),
                ("to", lang.date(&k.ends_on)),
            ],
        ),
        lang.t(&format!("contract-status-{}", k.status)),
    ];
    let deliverables = v
        .items
        .iter()
        .filter(|(i, _)| i.kind == ItemKind::Deliverable);
    let total = deliverables.clone().count();
    if total > 0 {
        let done = deliverables.filter(|(i, _)| i.done_at.is_some()).count();
        facts.push(lang.t_args(
            "contract-deliverables-done",
            &[("done", done.to_string()), ("total", total.to_string())],
        ));
    }
    // Payments first; a long list of deliverables (a service station's 88 items) folds away.
    let (payments, deliverables): (Vec<ItemLine>, Vec<ItemLine>) = v
        .items
        .iter()
        .map(|(i, e)| ItemLine {
            payment: i.kind == ItemKind::Milestone,
            title: match &i.catalogue_code {
                Some(c) => format!("{} ({c})", i.title),
                None => i.title.clone(),
            },
            due: i
                .due_on
                .as_deref()
                .map(|d| lang.date(d))
                .unwrap_or_default(),
            amount: if i.kind == ItemKind::Milestone {
                fen(i.amount)
            } else {
                String::new()
            },
            state: match (e, i.done_at) {
                (Some(e), _) => lang.t_args(
                    "contract-item-expense",
                    &[
                        ("amount", fen(e.settled_amount.unwrap_or(e.amount))),
                        ("status", lang.t(&format!("expense-{}", e.status))),
                    ],
                ),
                (None, Some(_)) => lang.t("contract-item-done"),
                (None, None) => String::new(),
            },
        })
        .partition(|l| l.payment);
    let staff = if visitor
        .actor
        .may(&state.app, Permission::ManagePurchases, v.buyer_id)
        .await
    {
        let choice = |i: &gongzhi_app::records::ItemRow| Choice {
            id: i.position.to_string(),
            label: i.title.clone(),
        };
        Some(ContractForms {
            undone: v
                .items
                .iter()
                .filter(|(i, _)| i.kind == ItemKind::Deliverable && i.done_at.is_none())
                .map(|(i, _)| choice(i))
                .collect(),
            unpaid: v
                .items
                .iter()
                .filter(|(i, e)| pr::awaits_payment(i, e.as_ref()))
                .map(|(i, _)| choice(i))
                .collect(),
            has_budget: k.budget_id.is_some(),
            active: k.status.is_active(),
        })
    } else {
        None
    };
    let evaluations = v
        .evaluations
        .iter()
        .map(|e| {
            lang.t_args(
                "contract-evaluation",
                &[
                    ("score", e.score.to_string()),
                    ("evaluator", e.evaluator_name.clone()),
                    ("summary", e.summary.clone()),
                    (
                        "percent",
                        v.payment_rule
                            .percent_for(u32::try_from(e.score).unwrap_or(0))
                            .to_string(),
                    ),
                ],
            )
        })
        .collect();
    render(&ContractPage {
        page,
        id: k.id.to_string(),
        title: k.title.clone(),
        call_id: k.call_id.to_string(),
        call_number: v.call_number.clone(),
        org_id: v.organisation.id.to_string(),
        org: name(lang, &v.organisation.name_zh, &v.organisation.name_en),
        facts,
        fold_deliverables: deliverables.len() > FOLD_AFTER,
        payments,
        deliverables,
        evaluations,
        staff,
        typed,
    })
}

#[derive(serde::Deserialize)]
pub(super) struct PositionForm {
    position: i64,
}

pub(super) async fn delivered(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<PositionForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/contract/{id}");
    let result = pr::record_delivery(&state.app, &visitor.actor, id, f.position)
        .await
        .map(|()| lang.t("contract-delivered-done"));
    outcome(lang, &mut page, result);
    contract_view_page(&state, lang, page, &visitor, id).await
}

/// Pays a milestone: the invoice is stored, then the payment is submitted as a fund expense and
/// the page moves to the expense, where its sign-off is followed.
pub(super) async fn pay(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    form: axum::extract::Multipart,
) -> Response {
    // The page the form was on.
    page.path = format!("/contract/{id}");
    let form = match crate::extract::MultipartForm::read(form, lang).await {
        Ok(f) => f,
        Err(e) => return crate::pages::error_page(e, page),
    };
    let (get, file) = (|k: &str| form.get(k), &form.file);
    let result = async {
        let position = get("position")
            .trim()
            .parse::<i64>()
            .map_err(|_| gongzhi_app::AppError::invalid("contract_item_not_found", "position"))?;
        let amount = match get("amount").trim() {
            "" => None,
            a => Some(crate::api_ledger::yuan(a, "amount")?),
        };
        let k = pr::contract_view(&state.app, id).await?;
        let sha = gongzhi_app::uploads::store_attached(
            &state.app,
            &visitor.actor,
            k.contract.tenant_id,
            file,
        )
        .await?;
        pr::pay_milestone(&state.app, &visitor.actor, id, position, amount, &sha).await
    }
    .await;
    match result {
        Ok(e) => Redirect::to(&format!("/expense/{e}")).into_response(),
        Err(e) => {
            outcome(lang, &mut page, Err::<String, _>(e));
            contract_view_page(&state, lang, page, &visitor, id).await
        }
    }
}

pub(super) async fn evaluate(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<HashMap<String, String>>,
) -> Response {
    // The page the form was on.
    page.path = format!("/contract/{id}");
    let typed = Typed(f);
    let result = match typed.get("score").trim().parse::<u32>() {
        Ok(score) => pr::evaluate_contract(
            &state.app,
            &visitor.actor,
            &pr::NewEvaluation {
                contract_id: id,
                score,
                evaluator_org_id: None,
                evaluator_name: typed.get("evaluator_name"),
                summary: typed.get("summary"),
            },
        )
        .await
        .map(|_| lang.t("contract-evaluated")),
        Err(_) => Err(gongzhi_app::AppError::Invalid(
            gongzhi_domain::DomainError::field("score_out_of_scale", "score").arg("max", 100),
        )),
    };
    // A recorded evaluation clears the form; a refused one keeps what was typed.
    let keep = if result.is_ok() {
        Typed::default()
    } else {
        typed
    };
    outcome(lang, &mut page, result);
    contract_view_page_typed(&state, lang, page, &visitor, id, keep).await
}

pub(super) async fn complete(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
) -> Response {
    // The page the form was on.
    page.path = format!("/contract/{id}");
    let result = pr::complete_contract(&state.app, &visitor.actor, id)
        .await
        .map(|()| lang.t("contract-completed"));
    outcome(lang, &mut page, result);
    contract_view_page(&state, lang, page, &visitor, id).await
}
