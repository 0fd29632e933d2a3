//! Allocation rounds: the fund's money shared among the projects a council put forward, by
//! the rulebook's allocation rule, each funded project's budget reserved in the same command.

use super::*;

/// One project's place in an allocation round.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RoundLine {
    pub project: Uuid,
    pub number: i64,
    pub title: String,
    pub cost: i64,
    pub yes: u32,
    pub rank: Option<u32>,
    pub position: usize,
    pub funded: bool,
    pub available_before: i64,
}

/// Shares a fund between projects waiting at their allocation step, by the rulebook's
/// `allocation.rule` (greedy by yes-votes, or the council's `ranking`): funded projects get a
/// budget reserved on their last council resolution and move on; the others stay, with the
/// reason recorded. Returns the round's id and its lines in the rule's order.
pub async fn allocate_round(
    app: &App,
    actor: &Actor,
    fund_id: Uuid,
    projects: &[Uuid],
    ranking: &[Uuid],
) -> Result<(Uuid, Vec<RoundLine>), AppError> {
    if projects.is_empty() {
        return Err(invalid("round_empty", "projects"));
    }
    let mut cmd =
        crate::ledger::on_swept(app, actor, Record::Fund, fund_id, "allocation.round").await?;
    let (tenant, fund) = managed_fund(&mut cmd.tx, actor, fund_id).await?;
    let rule_value = match rule(&mut cmd.tx, app, tenant, "allocation.rule").await? {
        RuleValue::Allocation(r) => r,
        _ => AllocationRule::GreedyVotes,
    };
    let mut loaded = Vec::new();
    let mut candidates = Vec::new();
    // For equal shares: each council seat's yes votes among the candidates.
    let mut ballots: Vec<(Uuid, Vec<usize>)> = Vec::new();
    for (i, id) in projects.iter().enumerate() {
        if projects[..i].contains(id) {
            return Err(invalid("round_project_repeated", "projects"));
        }
        let (p, pipeline) = reload(&mut cmd, *id).await?;
        let step = current_step(&p, &pipeline)?.clone();
        if step.kind != StepKind::Allocation {
            return Err(AppError::Invalid(
                DomainError::field("project_not_at_allocation", "projects")
                    .arg("number", p.number)
                    .arg("step", &step.id),
            ));
        }
        let last = repo_p::moves(&mut cmd.tx, tenant, p.id)
            .await?
            .into_iter()
            .rev()
            .find_map(|m| m.resolution_id)
            .ok_or_else(|| invalid("project_no_resolution", "projects"))?;
        let (_, r) = resolution_in(&mut cmd.tx, app.now(), last).await?;
        let yes = yes_votes(&mut cmd.tx, tenant, r.row.motion_id).await?;
        if rule_value == AllocationRule::EqualShares {
            for (seat, choice) in repo_c::votes(&mut cmd.tx, tenant, r.row.motion_id).await? {
                if choice == "yes" {
                    let member = match ballots.iter().position(|(s, _)| *s == seat) {
                        Some(m) => m,
                        None => {
                            ballots.push((seat, Vec::new()));
                            ballots.len() - 1
                        }
                    };
                    ballots[member].1.push(loaded.len());
                }
            }
        }
        if rule_value == AllocationRule::CouncilRanking && !ranking.contains(id) {
            return Err(invalid("round_ranking_incomplete", "ranking"));
        }
        candidates.push(Candidate {
            key: loaded.len(),
            cost: p.fund_share,
            yes_votes: yes,
            rank: ranking.iter().position(|r| r == id).map(|i| i as u32 + 1),
            submitted_at: p.submitted_at,
        });
        loaded.push((p, pipeline, last, step));
    }
    let available = gongzhi_store::ledger::account(&mut cmd.tx, tenant, fund.account_id)
        .await?
        .ok_or(AppError::NotFound("account"))?
        .balance
        .available();
    let approvals: Vec<Vec<usize>> = ballots.into_iter().map(|(_, b)| b).collect();
    let outcome = allocate(rule_value, available, &candidates, &approvals);
    let round_id = new_id();
    let lines: Vec<RoundLine> = outcome
        .iter()
        .map(|o| {
            let (p, ..) = &loaded[o.key];
            RoundLine {
                project: p.id,
                number: p.number,
                title: p.title.clone(),
                cost: p.fund_share,
                yes: candidates[o.key].yes_votes,
                rank: candidates[o.key].rank,
                position: o.position,
                funded: o.funded,
                available_before: o.available_before,
            }
        })
        .collect();
    cmd.insert(
        "allocation_rounds",
        &[
            ("tenant_id", tenant.into()),
            ("id", round_id.into()),
            ("fund_id", fund_id.into()),
            (
                "rule",
                serde_json::to_value(rule_value)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
                    .into(),
            ),
            ("available", available.into()),
            (
                "outcome_json",
                serde_json::to_string(&lines).unwrap_or_default().into(),
            ),
            ("created_at", app.now().micros().into()),
            ("created_by", Value::from(actor.account_id)),
        ],
    )
    .await?;
    for o in &outcome {
        let (p, pipeline, resolution, step) = &loaded[o.key];
        let evidence = json!({"round": round_id, "position": o.position, "available_before": o.available_before, "cost": p.fund_share});
        if !o.funded {
            record_move(
                &mut cmd,
                actor,
                p.id,
                Move::new(step, "not_funded").evidence(evidence),
            )
            .await?;
            continue;
        }
        let budget_id = new_id();
        let new = NewBudget {
            id: Some(budget_id),
            resolution_id: *resolution,
            jurisdiction_id: Some(p.jurisdiction_id),
            fund_id,
            title: &p.title,
            reserved: p.fund_share,
            pledges: &[],
            reason: None,
        };
        let (title, _) = check_new_budget(&new)?;
        reserve_in(
            &mut cmd,
            app,
            actor,
            &fund,
            budget_id,
            &title,
            p.cofunding_share,
            &new,
        )
        .await?;
        cmd.update(
            "projects",
            &[tenant.into(), p.id.into()],
            &[("budget_id", budget_id.into())],
        )
        .await?;
        record_move(&mut cmd, actor, p.id, Move::done(step).evidence(evidence)).await?;
        settle(&mut cmd, app, actor, p, pipeline, p.step_index as usize + 1).await?;
    }
    cmd.commit().await?;
    Ok((round_id, lines))
}
