//! Moving a project along its pinned pipeline: `advance` takes the current step with its
//! evidence (a resolution, an implementer chosen, progress finished, a review, acceptance,
//! close-out); `complete_step` is the pages' form of it.

use super::*;
use gongzhi_domain::lifecycle::{ClaimStatus, NeedStatus};

/// How the implementer is chosen.
#[derive(Debug, Clone, Default)]
pub struct Implementer<'a> {
    /// `self`, `quotes`, `call` or `claim`.
    pub mode: &'a str,
    /// The quote chosen, for `quotes`.
    pub quote_id: Option<Uuid>,
    /// The claim accepted, for `claim`.
    pub claim_id: Option<Uuid>,
    /// The contractor's name, for `call`.
    pub contractor: Option<&'a str>,
    /// The public call's reference, for `call`.
    pub reference: Option<&'a str>,
    pub contract_amount: Option<i64>,
    /// The signed contract (an upload).
    pub contract_sha256: Option<&'a str>,
}

/// What a step needs to be done.
#[derive(Debug, Clone)]
pub enum Evidence<'a> {
    Screening {
        note: &'a str,
    },
    /// The council's resolution on the motion tabled for this project, in force.
    Resolution(Uuid),
    /// The street office's filing reference (备案号).
    Filing {
        reference: &'a str,
    },
    Implementer(Implementer<'a>),
    /// The works are finished.
    Finished {
        note: &'a str,
    },
    /// A mid-term review or an acceptance: the panel, its verdict and an optional document.
    Review {
        panel: &'a [PanelMember],
        passed: bool,
        note: &'a str,
        document_sha256: Option<&'a str>,
    },
    CloseOut,
    Disclosure {
        note: &'a str,
    },
}

/// What a step command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Advanced {
    /// The step is done; the project now stands at this step (None when finished).
    Moved(Option<String>),
    /// Screening found a prohibited item: the project is declined with this reason.
    Declined(String),
    /// An acceptance that did not pass is recorded; the project stays at acceptance.
    NotAccepted,
}

/// Completes the project's current step, which must be `step_id` (a project cannot skip a
/// step), with the evidence that step needs.
pub async fn advance(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    step_id: &str,
    evidence: Evidence<'_>,
) -> Result<Advanced, AppError> {
    let mut read = app.db.read().await?;
    let (tenant, p, pipeline) = load_project(&mut read, project_id).await?;
    let step = pipeline.expect(p.step_index as usize, step_id)?.clone();
    let permission = if step.kind == StepKind::Filing {
        Permission::FileProjects
    } else {
        Permission::ManageProjects
    };
    actor
        .require(&mut read, permission, p.jurisdiction_id)
        .await?;
    read.rollback().await?;
    // Read before the lock, to authorise first and to release lapsed holds before a close-out:
    // the step the caller names. The project is read again inside the command, and a step taken
    // meanwhile fails there (`expect` checks the named step is still the current one).
    if step.kind == StepKind::CloseOut {
        crate::ledger::sweep_lapsed(app, tenant).await?;
    }
    let mut cmd = Command::begin(app, actor, tenant, "project.advance").await?;
    let (p, pipeline) = reload(&mut cmd, project_id).await?;
    current_step(&p, &pipeline)?;
    let step = pipeline.expect(p.step_index as usize, step_id)?.clone();
    cmd.detail("step", step.id.clone());
    let index = p.step_index as usize;
    let outcome = match (step.kind, evidence) {
        (StepKind::Screening, Evidence::Screening { note }) => {
            let lists = lists_in_force(&mut cmd.tx, app, p.jurisdiction_id).await?;
            let s = screen(&lists, &p.category, &[&p.title, &p.scope]);
            let note = optional_text(note, "note", 1_000)?;
            let evidence = serde_json::to_value(&s).unwrap_or_default();
            cmd.update(
                "projects",
                &[tenant.into(), p.id.into()],
                &[("screening_json", evidence.to_string().into())],
            )
            .await?;
            if let Some(AppError::Invalid(e)) = prohibited_error(&lists, &s) {
                let reason = e
                    .args
                    .iter()
                    .find(|(k, _)| *k == "reason_zh")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                record_move(
                    &mut cmd,
                    actor,
                    p.id,
                    Move {
                        note: Some(&reason),
                        ..Move::new(&step, "declined")
                    }
                    .evidence(evidence),
                )
                .await?;
                decline_in(&mut cmd, app, &p, &reason).await?;
                Advanced::Declined(reason)
            } else {
                record_move(
                    &mut cmd,
                    actor,
                    p.id,
                    Move::done(&step).note(&note).evidence(evidence),
                )
                .await?;
                moved(&mut cmd, app, actor, &p, &pipeline, index).await?
            }
        }
        (StepKind::CouncilDecision, Evidence::Resolution(rid)) => {
            let (res_tenant, r) = resolution_in(&mut cmd.tx, app.now(), rid).await?;
            let tabled = repo_p::project_of_motion(&mut cmd.tx, tenant, r.row.motion_id).await?;
            if res_tenant != tenant || tabled != Some((p.id, step.id.clone())) {
                return Err(invalid("resolution_not_for_project", "resolution_id"));
            }
            if !matches!(r.state, gongzhi_domain::council::NoticeState::InForce(_)) {
                return Err(AppError::Invalid(
                    DomainError::field("project_resolution_not_in_force", "resolution_id")
                        .arg("state", r.state.key()),
                ));
            }
            let yes = yes_votes(&mut cmd.tx, tenant, r.row.motion_id).await?;
            record_move(
                &mut cmd,
                actor,
                p.id,
                Move {
                    resolution: Some(rid),
                    reference: Some(&r.row.label),
                    ..Move::done(&step)
                }
                .evidence(json!({"council": r.council.name_zh, "yes": yes})),
            )
            .await?;
            cmd.update(
                "projects",
                &[tenant.into(), p.id.into()],
                &[("motion_id", Value::Id(None))],
            )
            .await?;
            moved(&mut cmd, app, actor, &p, &pipeline, index).await?
        }
        (StepKind::Filing, Evidence::Filing { reference }) => {
            let reference = text(reference, "reference", 60)?;
            record_move(
                &mut cmd,
                actor,
                p.id,
                Move {
                    reference: Some(&reference),
                    ..Move::done(&step)
                },
            )
            .await?;
            moved(&mut cmd, app, actor, &p, &pipeline, index).await?
        }
        (StepKind::Allocation, _) => {
            return Err(invalid("project_needs_allocation_round", "step"));
        }
        (StepKind::ImplementerSelection, Evidence::Implementer(imp)) => {
            choose_implementer(&mut cmd, actor, &p, &step, &imp).await?;
            moved(&mut cmd, app, actor, &p, &pipeline, index).await?
        }
        (StepKind::Implementation, Evidence::Finished { note }) => {
            let progress = repo_p::updates(&mut cmd.tx, tenant, p.id)
                .await?
                .iter()
                .filter(|u| u.kind == "progress")
                .count();
            if progress == 0 {
                return Err(invalid("project_no_progress", "step"));
            }
            let note = optional_text(note, "note", 1_000)?;
            record_move(&mut cmd, actor, p.id, Move::done(&step).note(&note)).await?;
            moved(&mut cmd, app, actor, &p, &pipeline, index).await?
        }
        (
            kind @ (StepKind::MidtermReview | StepKind::Acceptance),
            Evidence::Review {
                panel,
                passed,
                note,
                document_sha256,
            },
        ) => {
            let score = check_panel(kind, panel)?;
            let panel_json = serde_json::to_string(panel).unwrap_or_default();
            let note = optional_text(note, "note", 2_000)?;
            require_upload(&mut cmd.tx, tenant, document_sha256, "document_sha256").await?;
            let kind_name = if kind == StepKind::Acceptance {
                "acceptance"
            } else {
                "midterm"
            };
            let update = insert_update(
                &mut cmd,
                actor,
                p.id,
                UpdateRecord {
                    kind: kind_name,
                    body: &note,
                    file: document_sha256,
                    score,
                    passed: Some(passed),
                    panel_json: Some(panel_json),
                },
            )
            .await?;
            if passed {
                record_move(
                    &mut cmd,
                    actor,
                    p.id,
                    Move::done(&step)
                        .note(&note)
                        .evidence(json!({"update": update, "score": score})),
                )
                .await?;
                moved(&mut cmd, app, actor, &p, &pipeline, index).await?
            } else if kind == StepKind::Acceptance {
                Advanced::NotAccepted
            } else {
                // A mid-term review that finds problems is recorded; the project goes on.
                record_move(
                    &mut cmd,
                    actor,
                    p.id,
                    Move::done(&step)
                        .note(&note)
                        .evidence(json!({"update": update, "score": score, "passed": false})),
                )
                .await?;
                moved(&mut cmd, app, actor, &p, &pipeline, index).await?
            }
        }
        (StepKind::CloseOut, Evidence::CloseOut) => {
            let budget = p
                .budget_id
                .ok_or_else(|| invalid("project_no_budget", "step"))?;
            actor
                .require(&mut cmd.tx, Permission::ManageFunds, p.jurisdiction_id)
                .await?;
            let released = close_in(&mut cmd, app, actor, budget).await?;
            for n in repo_p::needs_of_project(&mut cmd.tx, tenant, p.id).await? {
                if n.status == NeedStatus::InProject {
                    cmd.update(
                        "needs",
                        &[tenant.into(), n.id.into()],
                        &[
                            ("status", NeedStatus::Resolved.into()),
                            ("updated_at", app.now().micros().into()),
                        ],
                    )
                    .await?;
                }
            }
            record_move(
                &mut cmd,
                actor,
                p.id,
                Move::done(&step).evidence(json!({"released": released})),
            )
            .await?;
            moved(&mut cmd, app, actor, &p, &pipeline, index).await?
        }
        (StepKind::Disclosure, Evidence::Disclosure { note }) => {
            let note = optional_text(note, "note", 1_000)?;
            let accounts = final_accounts(&mut cmd.tx, tenant, &p).await?;
            record_move(
                &mut cmd,
                actor,
                p.id,
                Move::done(&step).note(&note).evidence(accounts),
            )
            .await?;
            moved(&mut cmd, app, actor, &p, &pipeline, index).await?
        }
        (StepKind::Rating, _) => return Err(invalid("project_rating_runs_by_itself", "step")),
        (kind, _) => {
            return Err(AppError::Invalid(
                DomainError::field("project_evidence_mismatch", "step").arg("kind", kind.as_str()),
            ));
        }
    };
    cmd.commit().await?;
    Ok(outcome)
}

pub(super) async fn moved(
    cmd: &mut Command<'_>,
    app: &App,
    actor: &Actor,
    p: &ProjectRow,
    pipeline: &Pipeline,
    index: usize,
) -> Result<Advanced, AppError> {
    let at = settle(cmd, app, actor, p, pipeline, index + 1).await?;
    Ok(Advanced::Moved(
        pipeline.steps.get(at).map(|s| s.id.clone()),
    ))
}

pub(super) async fn yes_votes(tx: &mut Tx, tenant: Uuid, motion: Uuid) -> Result<u32, AppError> {
    Ok(repo_c::vote_counts(tx, tenant, motion)
        .await?
        .into_iter()
        .find(|(c, _)| c == "yes")
        .map(|(_, n)| n as u32)
        .unwrap_or(0))
}

pub(super) async fn choose_implementer(
    cmd: &mut Command<'_>,
    actor: &Actor,
    p: &ProjectRow,
    step: &Step,
    imp: &Implementer<'_>,
) -> Result<(), AppError> {
    let tenant = cmd.tenant_id();
    if !IMPLEMENTER_PLANS.contains(&imp.mode) {
        return Err(invalid("implementer_plan_unknown", "mode"));
    }
    require_upload(&mut cmd.tx, tenant, imp.contract_sha256, "contract_sha256").await?;
    let mut contractor: Option<String> = None;
    let mut amount = imp.contract_amount;
    let mut evidence = json!({"mode": imp.mode});
    match imp.mode {
        "self" => {}
        "quotes" => {
            let quotes = repo_p::quotes(&mut cmd.tx, tenant, p.id).await?;
            let min = step.quotes_needed() as usize;
            if quotes.len() < min {
                return Err(AppError::Invalid(
                    DomainError::field("project_quotes_too_few", "quote_id")
                        .arg("min", min)
                        .arg("have", quotes.len()),
                ));
            }
            let chosen = imp
                .quote_id
                .and_then(|q| quotes.iter().find(|x| x.id == q))
                .ok_or_else(|| invalid("quote_not_found", "quote_id"))?;
            cmd.update(
                "project_quotes",
                &[tenant.into(), chosen.id.into()],
                &[("selected", true.into())],
            )
            .await?;
            contractor = Some(chosen.supplier.clone());
            amount = amount.or(Some(chosen.amount));
            evidence = json!({
                "mode": "quotes",
                "chosen": chosen.id,
                "compared": quotes.iter().map(|q| json!({"supplier": q.supplier, "amount": q.amount})).collect::<Vec<_>>(),
            });
        }
        "call" => {
            let reference = text(imp.reference.unwrap_or(""), "reference", 60)?;
            contractor = Some(text(imp.contractor.unwrap_or(""), "contractor", 80)?);
            evidence = json!({"mode": "call", "reference": reference});
        }
        _ => {
            let claims = repo_p::claims(&mut cmd.tx, tenant, p.id).await?;
            let claim = imp
                .claim_id
                .and_then(|c| claims.iter().find(|x| x.id == c))
                .ok_or_else(|| invalid("claim_not_found", "claim_id"))?;
            cmd.update(
                "project_claims",
                &[tenant.into(), claim.id.into()],
                &[("status", ClaimStatus::Accepted.into())],
            )
            .await?;
            contractor = Some(claim.claimant.clone());
            evidence = json!({"mode": "claim", "claim": claim.id});
        }
    }
    if contractor.is_some()
        && matches!(imp.mode, "quotes" | "call")
        && imp.contract_sha256.is_none()
    {
        return Err(invalid("project_contract_missing", "contract_sha256"));
    }
    if let Some(a) = amount {
        if a <= 0 {
            return Err(invalid("amount_not_positive", "contract_amount"));
        }
        if a > p.total {
            return Err(AppError::Invalid(
                DomainError::field("project_contract_over_budget", "contract_amount")
                    .arg("total", Fen::new(p.total)),
            ));
        }
    }
    let payee = match &contractor {
        Some(name) => {
            let code = format!("Y-{}", crate::ledger::short(new_id()));
            Some(
                crate::ledger::open_account(
                    cmd,
                    gongzhi_domain::ledger::AccountKind::Payee,
                    &code,
                    name,
                    name,
                )
                .await?,
            )
        }
        None => None,
    };
    cmd.update(
        "projects",
        &[tenant.into(), p.id.into()],
        &[
            ("implement_mode", imp.mode.into()),
            ("payee_id", Value::from(payee)),
            ("contract_amount", Value::from(amount)),
            (
                "contract_sha256",
                Value::from(imp.contract_sha256.map(str::to_string)),
            ),
        ],
    )
    .await?;
    record_move(
        cmd,
        actor,
        p.id,
        Move {
            reference: contractor.as_deref(),
            ..Move::done(step)
        }
        .evidence(evidence),
    )
    .await
}

/// The project's accounts as disclosed: received (fund and co-funding), spent, released.
pub(super) async fn final_accounts(
    tx: &mut Tx,
    tenant: Uuid,
    p: &ProjectRow,
) -> Result<Json, AppError> {
    let Some(b) = p.budget_id else {
        return Ok(json!({}));
    };
    let budget = gongzhi_store::ledger::budget(tx, tenant, b)
        .await?
        .ok_or(AppError::NotFound("budget"))?;
    let account = gongzhi_store::ledger::account(tx, tenant, budget.account_id)
        .await?
        .ok_or(AppError::NotFound("account"))?;
    let released = budget.released.unwrap_or(0);
    Ok(json!({
        "reserved": budget.reserved,
        "received": account.balance.credits_posted,
        "spent": account.balance.debits_posted - released,
        "released": released,
    }))
}

/// A step's evidence as forms and the API send it: every field optional, read according to the
/// kind of the step named.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct StepInput {
    #[serde(default)]
    pub note: String,
    pub resolution_id: Option<Uuid>,
    pub reference: Option<String>,
    pub mode: Option<String>,
    pub quote_id: Option<Uuid>,
    pub claim_id: Option<Uuid>,
    pub contractor: Option<String>,
    /// Fen.
    #[serde(skip)]
    pub contract_amount: Option<i64>,
    pub contract_sha256: Option<String>,
    #[serde(default)]
    pub panel: Vec<PanelMember>,
    pub passed: Option<bool>,
    pub document_sha256: Option<String>,
}

/// Completes step `step_id` of a project with the evidence its kind needs, read from `input`.
pub async fn complete_step(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    step_id: &str,
    input: &StepInput,
) -> Result<Advanced, AppError> {
    let kind = {
        let mut read = app.db.read().await?;
        let (_, p, pipeline) = load_project(&mut read, project_id).await?;
        // Only those who may move some step of it learn anything of its steps (`advance` then
        // checks the permission of the step itself).
        if !actor
            .can(&mut read, Permission::FileProjects, p.jurisdiction_id)
            .await?
        {
            actor
                .require(&mut read, Permission::ManageProjects, p.jurisdiction_id)
                .await?;
        }
        read.rollback().await?;
        if !pipeline.steps.iter().any(|s| s.id == step_id) {
            return Err(AppError::Invalid(
                DomainError::field("project_step_unknown", "step").arg("step", step_id),
            ));
        }
        // Order first: a step out of turn is refused as such, whatever its evidence.
        current_step(&p, &pipeline)?;
        pipeline.expect(p.step_index as usize, step_id)?.kind
    };
    let evidence = match kind {
        StepKind::Screening => Evidence::Screening { note: &input.note },
        StepKind::CouncilDecision => Evidence::Resolution(
            input
                .resolution_id
                .ok_or_else(|| invalid("resolution_required", "resolution_id"))?,
        ),
        StepKind::Filing => Evidence::Filing {
            reference: input.reference.as_deref().unwrap_or(""),
        },
        StepKind::ImplementerSelection => Evidence::Implementer(Implementer {
            mode: input.mode.as_deref().unwrap_or(""),
            quote_id: input.quote_id,
            claim_id: input.claim_id,
            contractor: input.contractor.as_deref(),
            reference: input.reference.as_deref(),
            contract_amount: input.contract_amount,
            contract_sha256: input.contract_sha256.as_deref().filter(|s| !s.is_empty()),
        }),
        StepKind::Implementation => Evidence::Finished { note: &input.note },
        StepKind::MidtermReview | StepKind::Acceptance => Evidence::Review {
            panel: &input.panel,
            passed: input.passed.unwrap_or(true),
            note: &input.note,
            document_sha256: input.document_sha256.as_deref().filter(|s| !s.is_empty()),
        },
        StepKind::CloseOut => Evidence::CloseOut,
        StepKind::Disclosure => Evidence::Disclosure { note: &input.note },
        StepKind::Allocation | StepKind::Rating => Evidence::Finished { note: "" },
    };
    advance(app, actor, project_id, step_id, evidence).await
}
