//! What residents and organisations bring to a project: quotes, progress updates, claims to
//! carry it out, ratings and the staff review of rating comments.

use super::*;
use gongzhi_domain::lifecycle::ClaimStatus;

/// A quote for the comparison (比选), while the project is choosing its implementer.
pub async fn add_quote(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    supplier: &str,
    amount: i64,
    document_sha256: &str,
) -> Result<Uuid, AppError> {
    let supplier = text(supplier, "supplier", 80)?;
    gongzhi_domain::ledger::check_amount(amount, "amount")?;
    let (tenant, p, mut cmd) = begin_on_project(
        app,
        actor,
        project_id,
        "project.quote",
        Permission::ManageProjects,
    )
    .await?;
    let pipeline = super::super::pinned(&p)?;
    let step = current_step(&p, &pipeline)?;
    if step.kind != StepKind::ImplementerSelection {
        return Err(AppError::Invalid(
            DomainError::field("project_not_choosing_implementer", "project_id")
                .arg("step", &step.id),
        ));
    }
    require_upload(
        &mut cmd.tx,
        tenant,
        Some(document_sha256),
        "document_sha256",
    )
    .await?;
    let id = new_id();
    cmd.insert(
        "project_quotes",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("project_id", p.id.into()),
            ("supplier", supplier.into()),
            ("amount", amount.into()),
            ("document_sha256", document_sha256.into()),
            ("selected", false.into()),
            ("created_at", app.now().micros().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// A progress update with an optional photo, from the implementer's choice until acceptance.
pub async fn post_update(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    body: &str,
    photo_sha256: Option<&str>,
) -> Result<Uuid, AppError> {
    let body = text(body, "body", 2_000)?;
    let (tenant, p, mut cmd) = begin_on_project(
        app,
        actor,
        project_id,
        "project.progress",
        Permission::ManageProjects,
    )
    .await?;
    let pipeline = super::super::pinned(&p)?;
    let step = current_step(&p, &pipeline)?;
    let started = pipeline
        .index_of(StepKind::ImplementerSelection)
        .is_some_and(|i| (p.step_index as usize) > i);
    let closed = pipeline
        .index_of(StepKind::CloseOut)
        .is_some_and(|i| (p.step_index as usize) >= i);
    if !started || closed {
        return Err(AppError::Invalid(
            DomainError::field("project_not_under_way", "project_id").arg("step", &step.id),
        ));
    }
    require_upload(&mut cmd.tx, tenant, photo_sha256, "photo_sha256").await?;
    let id = insert_update(
        &mut cmd,
        actor,
        p.id,
        UpdateRecord {
            kind: "progress",
            body: &body,
            file: photo_sha256,
            score: None,
            passed: None,
            panel_json: None,
        },
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// An organisation, party unit or company offers to resource or deliver a project on the list
/// (项目认领), before it is under way.
pub async fn claim_project(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    claimant: &str,
    claimant_kind: &str,
    offer: &str,
) -> Result<Uuid, AppError> {
    let account = actor.account_id.ok_or(AppError::Unauthenticated)?;
    let claimant = text(claimant, "claimant", 80)?;
    let offer = text(offer, "offer", 1_000)?;
    if !CLAIMANT_KINDS.contains(&claimant_kind) {
        return Err(invalid("claimant_kind_unknown", "claimant_kind"));
    }
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Project, project_id),
        "project.claim",
    )
    .await?;
    let tenant = cmd.tenant_id();
    let (p, pipeline) = reload(&mut cmd, project_id).await?;
    claim_refused(&p, &pipeline)?;
    let id = new_id();
    cmd.insert(
        "project_claims",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("project_id", p.id.into()),
            ("claimant", claimant.into()),
            ("claimant_kind", claimant_kind.into()),
            ("offer", offer.into()),
            ("account_id", account.into()),
            ("status", ClaimStatus::Offered.into()),
            ("created_at", app.now().micros().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// A resident of the project's place rates it, 1 to 5, once, while the rating window is open.
pub async fn rate_project(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    score: i64,
    comment: &str,
) -> Result<(), AppError> {
    check_score(score)?;
    let comment = optional_text(comment, "comment", 500)?;
    let account = actor.account_id.ok_or(AppError::Unauthenticated)?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Project, project_id),
        "project.rate",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, _, _) = load_project(read, project_id).await?;
    let (p, pipeline) = reload(&mut cmd, project_id).await?;
    // Who may rate is decided first (a resident of the project's place), then whether now.
    // The resident rating: the signed-in resident, or the one staff act for with their consent.
    let rater = match actor.on_behalf_of {
        Some(r) => gongzhi_store::repo::resident_anywhere(&mut cmd.tx, r)
            .await?
            .filter(|(t, _, _)| *t == tenant)
            .map(|(_, _, courtyard)| (r, courtyard)),
        None => repo_p::resident_by_account(&mut cmd.tx, tenant, account).await?,
    };
    let (resident, courtyard) =
        rater.ok_or_else(|| invalid("rating_not_resident_here", "project_id"))?;
    let lives_here = match courtyard {
        Some(c) => within(&mut cmd.tx, c, p.jurisdiction_id).await?,
        None => false,
    };
    if !lives_here {
        return Err(invalid("rating_not_resident_here", "project_id"));
    }
    let open = pipeline
        .steps
        .get(p.step_index as usize)
        .is_some_and(|s| s.kind == StepKind::Rating)
        && rating_open(p.rating_from, p.rating_until, app.now().micros());
    if !open {
        return Err(invalid("rating_window_closed", "project_id"));
    }
    if gongzhi_store::rows::get(
        &mut cmd.tx,
        "project_ratings",
        &[tenant.into(), p.id.into(), resident.into()],
    )
    .await?
    .is_some()
    {
        return Err(invalid("rating_already_given", "project_id"));
    }
    cmd.insert(
        "project_ratings",
        &[
            ("tenant_id", tenant.into()),
            ("project_id", p.id.into()),
            ("resident_id", resident.into()),
            ("score", score.into()),
            (
                "comment",
                Value::from(Some(comment).filter(|c| !c.is_empty())),
            ),
            ("rated_at", app.now().micros().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// Staff publish a resident's rating comment on the project's public page (numbers still
/// redacted there) or withhold it; either way once, as one audited command.
pub async fn review_rating_comment(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
    resident_id: Uuid,
    publish: bool,
) -> Result<(), AppError> {
    let (tenant, _, mut cmd) = begin_on_project(
        app,
        actor,
        project_id,
        "project.review_comment",
        Permission::ManageProjects,
    )
    .await?;
    let key = [tenant.into(), project_id.into(), resident_id.into()];
    let rating = gongzhi_store::rows::get(&mut cmd.tx, "project_ratings", &key)
        .await?
        .ok_or(AppError::NotFound("rating"))?;
    // Columns by the registry's order: tenant, project, resident, score, comment, rated_at,
    // comment_review, reviewed_at.
    let comment = rating.opt_text(4)?;
    let review = rating.opt_text(6)?;
    if comment.is_none() {
        return Err(invalid("rating_has_no_comment", "resident_id"));
    }
    if review.is_some() {
        return Err(invalid("comment_already_reviewed", "resident_id"));
    }
    cmd.update(
        "project_ratings",
        &key,
        &[
            (
                "comment_review",
                if publish { "published" } else { "withheld" }.into(),
            ),
            ("reviewed_at", app.now().micros().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// Rating comments waiting for staff: (resident, comment, rated_at), oldest first. Staff of the
/// project's place only: residents' words are not public until reviewed.
pub async fn comments_awaiting_review(
    app: &App,
    actor: &Actor,
    project_id: Uuid,
) -> Result<Vec<(Uuid, String, i64)>, AppError> {
    // One snapshot: who may read the words, then the words.
    let mut read = app.db.read().await?;
    let (tenant, p, _) = load_project(&mut read, project_id).await?;
    actor
        .require(&mut read, Permission::ManageProjects, p.jurisdiction_id)
        .await?;
    let out = repo_p::ratings(&mut read, tenant, project_id)
        .await?
        .iter()
        .filter_map(super::super::views::awaiting_review)
        .collect();
    read.rollback().await?;
    Ok(out)
}
