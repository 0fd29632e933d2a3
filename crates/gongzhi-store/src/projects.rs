//! Reads for the needs ledger and projects: needs (filtered, paginated by number), projects and
//! their moves, motions, quotes, updates, claims, ratings and allocation rounds. Rows are selected
//! with the registry's column list, so a struct's fields follow the table's column order.

use gongzhi_domain::lifecycle::{ClaimStatus, MotionStatus, NeedStatus, ProjectStatus};
use uuid::Uuid;

use crate::StoreError;
use crate::councils::{CouncilRow, ResolutionRow};
use crate::db::Tx;
use crate::rows::{all, one, select};
use crate::schema::ColType;
use crate::value::{Row, Value};

/// The next number in a per-community sequence (needs, projects). Gapless because a community's
/// commands are serialised on its chain head.
pub async fn next_number(tx: &mut Tx, table_name: &str, tenant: Uuid) -> Result<i64, StoreError> {
    if !matches!(table_name, "needs" | "projects") {
        return Err(StoreError::Data(format!("no numbering for {table_name}")));
    }
    let r = tx
        .row(
            &format!("SELECT COALESCE(MAX(number), 0) FROM {table_name} WHERE tenant_id = $1"),
            &[tenant.into()],
            &[ColType::Int],
        )
        .await?;
    Ok(r.map(|r| r.int(0)).transpose()?.unwrap_or(0) + 1)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedRow {
    pub id: Uuid,
    pub number: i64,
    pub jurisdiction_id: Uuid,
    pub building_id: Option<Uuid>,
    pub category: String,
    pub channel: String,
    pub title: String,
    pub body: String,
    pub reporter_id: Option<Uuid>,
    pub reporter_account_id: Option<Uuid>,
    pub entered_by: Option<Uuid>,
    pub status: NeedStatus,
    pub assigned_to: Option<Uuid>,
    pub reply_due: String,
    pub reply: Option<String>,
    pub replied_at: Option<i64>,
    pub merged_into: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub created_at: i64,
    pub updated_at: i64,
}

fn need_row(r: &Row) -> Result<NeedRow, StoreError> {
    Ok(NeedRow {
        id: r.id(1)?,
        number: r.int(2)?,
        jurisdiction_id: r.id(3)?,
        building_id: r.opt_id(4)?,
        category: r.text(5)?,
        channel: r.text(6)?,
        title: r.text(7)?,
        body: r.text(8)?,
        reporter_id: r.opt_id(9)?,
        reporter_account_id: r.opt_id(10)?,
        entered_by: r.opt_id(11)?,
        status: r.word(12)?,
        assigned_to: r.opt_id(13)?,
        reply_due: r.text(14)?,
        reply: r.opt_text(15)?,
        replied_at: r.opt_int(16)?,
        merged_into: r.opt_id(17)?,
        project_id: r.opt_id(18)?,
        created_at: r.int(19)?,
        updated_at: r.int(20)?,
    })
}

pub async fn need(tx: &mut Tx, tenant: Uuid, id: Uuid) -> Result<Option<NeedRow>, StoreError> {
    one(
        select(
            tx,
            "needs",
            "tenant_id = $1 AND id = $2",
            &[tenant.into(), id.into()],
            "",
        )
        .await,
        need_row,
    )
    .await
}

/// A community's need by its number in the ledger (需求 12).
pub async fn need_by_number(
    tx: &mut Tx,
    tenant: Uuid,
    number: i64,
) -> Result<Option<NeedRow>, StoreError> {
    one(
        select(
            tx,
            "needs",
            "tenant_id = $1 AND number = $2",
            &[tenant.into(), number.into()],
            "",
        )
        .await,
        need_row,
    )
    .await
}

/// Which needs a list shows. Every filter is optional; `before` is the number of the last need
/// on the previous page (keyset pagination: newest first, constant cost per page).
#[derive(Debug, Clone, Default)]
pub struct NeedFilter {
    pub status: Option<String>,
    pub category: Option<String>,
    pub channel: Option<String>,
    pub place: Option<Uuid>,
    /// Needs still waiting for a reply whose reply date (YYYY-MM-DD) is before this day.
    pub overdue_before: Option<String>,
    pub reporter_account: Option<Uuid>,
    pub before: Option<i64>,
    pub limit: i64,
}

pub async fn needs_page(
    tx: &mut Tx,
    tenant: Uuid,
    f: &NeedFilter,
) -> Result<Vec<NeedRow>, StoreError> {
    let mut sql = String::from("tenant_id = $1");
    let mut args: Vec<Value> = vec![tenant.into()];
    let mut add = |clause: &str, v: Value, args: &mut Vec<Value>| {
        args.push(v);
        sql.push_str(&clause.replace('?', &format!("${}", args.len())));
    };
    if let Some(s) = &f.status {
        add(" AND status = ?", s.clone().into(), &mut args);
    }
    if let Some(c) = &f.category {
        add(" AND category = ?", c.clone().into(), &mut args);
    }
    if let Some(c) = &f.channel {
        add(" AND channel = ?", c.clone().into(), &mut args);
    }
    if let Some(p) = f.place {
        add(" AND jurisdiction_id = ?", p.into(), &mut args);
    }
    if let Some(d) = &f.overdue_before {
        add(
            " AND status IN ('new', 'assigned') AND reply_due < ?",
            d.clone().into(),
            &mut args,
        );
    }
    if let Some(a) = f.reporter_account {
        add(" AND reporter_account_id = ?", a.into(), &mut args);
    }
    if let Some(b) = f.before {
        add(" AND number < ?", b.into(), &mut args);
    }
    let order = format!("ORDER BY number DESC LIMIT {}", f.limit.clamp(1, 500));
    all(select(tx, "needs", &sql, &args, &order).await?, need_row)
}

pub async fn needs_of_project(
    tx: &mut Tx,
    tenant: Uuid,
    project: Uuid,
) -> Result<Vec<NeedRow>, StoreError> {
    all(
        select(
            tx,
            "needs",
            "tenant_id = $1 AND project_id = $2",
            &[tenant.into(), project.into()],
            "ORDER BY number",
        )
        .await?,
        need_row,
    )
}

pub async fn count_needs(tx: &mut Tx, tenant: Uuid) -> Result<i64, StoreError> {
    let r = tx
        .row(
            "SELECT COUNT(*) FROM needs WHERE tenant_id = $1",
            &[tenant.into()],
            &[ColType::Int],
        )
        .await?;
    Ok(r.map(|r| r.int(0)).transpose()?.unwrap_or(0))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRow {
    pub id: Uuid,
    pub number: i64,
    pub jurisdiction_id: Uuid,
    pub title: String,
    pub scope: String,
    pub category: String,
    pub total: i64,
    pub fund_share: i64,
    pub cofunding_share: i64,
    pub other_share: i64,
    pub cofunding_source: String,
    pub opinions: String,
    pub implementer_plan: String,
    pub pipeline_json: String,
    pub step_index: i64,
    pub status: ProjectStatus,
    pub screening_json: Option<String>,
    pub budget_id: Option<Uuid>,
    pub motion_id: Option<Uuid>,
    pub implement_mode: Option<String>,
    pub payee_id: Option<Uuid>,
    pub contract_amount: Option<i64>,
    pub contract_sha256: Option<String>,
    pub rating_from: Option<i64>,
    pub rating_until: Option<i64>,
    pub decline_reason: Option<String>,
    pub proposed_by: Option<Uuid>,
    pub submitted_at: i64,
    pub updated_at: i64,
}

fn project_row(r: &Row) -> Result<ProjectRow, StoreError> {
    Ok(ProjectRow {
        id: r.id(1)?,
        number: r.int(2)?,
        jurisdiction_id: r.id(3)?,
        title: r.text(4)?,
        scope: r.text(5)?,
        category: r.text(6)?,
        total: r.int(7)?,
        fund_share: r.int(8)?,
        cofunding_share: r.int(9)?,
        other_share: r.int(10)?,
        cofunding_source: r.text(11)?,
        opinions: r.text(12)?,
        implementer_plan: r.text(13)?,
        pipeline_json: r.text(14)?,
        step_index: r.int(15)?,
        status: r.word(16)?,
        screening_json: r.opt_text(17)?,
        budget_id: r.opt_id(18)?,
        motion_id: r.opt_id(19)?,
        implement_mode: r.opt_text(20)?,
        payee_id: r.opt_id(21)?,
        contract_amount: r.opt_int(22)?,
        contract_sha256: r.opt_text(23)?,
        rating_from: r.opt_int(24)?,
        rating_until: r.opt_int(25)?,
        decline_reason: r.opt_text(26)?,
        proposed_by: r.opt_id(27)?,
        submitted_at: r.int(28)?,
        updated_at: r.int(29)?,
    })
}

pub async fn project(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
) -> Result<Option<ProjectRow>, StoreError> {
    one(
        select(
            tx,
            "projects",
            "tenant_id = $1 AND id = $2",
            &[tenant.into(), id.into()],
            "",
        )
        .await,
        project_row,
    )
    .await
}

/// A project addressed by id alone (the public page), with its tenant, in one statement.
pub async fn project_by_id(
    tx: &mut Tx,
    id: Uuid,
) -> Result<Option<(Uuid, ProjectRow)>, StoreError> {
    let rows = select(tx, "projects", "id = $1", &[id.into()], "").await?;
    match rows.first() {
        Some(r) => Ok(Some((r.id(0)?, project_row(r)?))),
        None => Ok(None),
    }
}

/// A community's projects (or those of `places` in it), newest first, keyset-paginated by number.
pub async fn projects_page(
    tx: &mut Tx,
    tenant: Uuid,
    places: Option<&[Uuid]>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ProjectRow>, StoreError> {
    let mut filter = String::from("tenant_id = $1");
    let mut args: Vec<Value> = vec![tenant.into()];
    if let Some(places) = places {
        let start = args.len();
        args.extend(places.iter().map(|p| Value::from(*p)));
        let marks: Vec<String> = (start + 1..=args.len()).map(|i| format!("${i}")).collect();
        filter.push_str(&format!(" AND jurisdiction_id IN ({})", marks.join(", ")));
    }
    if let Some(b) = before {
        args.push(b.into());
        filter.push_str(&format!(" AND number < ${}", args.len()));
    }
    all(
        select(
            tx,
            "projects",
            &filter,
            &args,
            &format!("ORDER BY number DESC LIMIT {}", limit.clamp(1, 500)),
        )
        .await?,
        project_row,
    )
}

/// The project a budget pays for, if any.
pub async fn project_of_budget(
    tx: &mut Tx,
    tenant: Uuid,
    budget: Uuid,
) -> Result<Option<ProjectRow>, StoreError> {
    one(
        select(
            tx,
            "projects",
            "tenant_id = $1 AND budget_id = $2",
            &[tenant.into(), budget.into()],
            "",
        )
        .await,
        project_row,
    )
    .await
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveRow {
    pub seq: i64,
    pub step_id: String,
    pub kind: String,
    pub action: String,
    pub resolution_id: Option<Uuid>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub evidence_json: Option<String>,
    pub actor_id: Option<Uuid>,
    pub at: i64,
}

fn move_row(r: &Row) -> Result<MoveRow, StoreError> {
    Ok(MoveRow {
        seq: r.int(2)?,
        step_id: r.text(3)?,
        kind: r.text(4)?,
        action: r.text(5)?,
        resolution_id: r.opt_id(6)?,
        reference: r.opt_text(7)?,
        note: r.opt_text(8)?,
        evidence_json: r.opt_text(9)?,
        actor_id: r.opt_id(10)?,
        at: r.int(11)?,
    })
}

pub async fn moves(tx: &mut Tx, tenant: Uuid, project: Uuid) -> Result<Vec<MoveRow>, StoreError> {
    all(
        select(
            tx,
            "project_moves",
            "tenant_id = $1 AND project_id = $2",
            &[tenant.into(), project.into()],
            "ORDER BY seq",
        )
        .await?,
        move_row,
    )
}

/// The project a motion was tabled for, and at which step.
pub async fn project_of_motion(
    tx: &mut Tx,
    tenant: Uuid,
    motion: Uuid,
) -> Result<Option<(Uuid, String)>, StoreError> {
    tx.row(
        "SELECT project_id, step_id FROM project_motions WHERE tenant_id = $1 AND motion_id = $2",
        &[tenant.into(), motion.into()],
        &[ColType::Id, ColType::Text],
    )
    .await?
    .map(|r| Ok((r.id(0)?, r.text(1)?)))
    .transpose()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteRow {
    pub id: Uuid,
    pub supplier: String,
    pub amount: i64,
    pub document_sha256: String,
    pub selected: bool,
    pub created_at: i64,
}

fn quote_row(r: &Row) -> Result<QuoteRow, StoreError> {
    Ok(QuoteRow {
        id: r.id(1)?,
        supplier: r.text(3)?,
        amount: r.int(4)?,
        document_sha256: r.text(5)?,
        selected: r.bool(6)?,
        created_at: r.int(7)?,
    })
}

pub async fn quotes(tx: &mut Tx, tenant: Uuid, project: Uuid) -> Result<Vec<QuoteRow>, StoreError> {
    all(
        select(
            tx,
            "project_quotes",
            "tenant_id = $1 AND project_id = $2",
            &[tenant.into(), project.into()],
            "ORDER BY created_at, id",
        )
        .await?,
        quote_row,
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateRow {
    pub id: Uuid,
    pub kind: String,
    pub body: String,
    pub photo_sha256: Option<String>,
    pub score: Option<i64>,
    pub passed: Option<bool>,
    pub panel_json: Option<String>,
    pub created_at: i64,
}

fn update_row(r: &Row) -> Result<UpdateRow, StoreError> {
    Ok(UpdateRow {
        id: r.id(1)?,
        kind: r.text(3)?,
        body: r.text(4)?,
        photo_sha256: r.opt_text(5)?,
        score: r.opt_int(6)?,
        passed: if r.0[7].is_null() {
            None
        } else {
            Some(r.bool(7)?)
        },
        panel_json: r.opt_text(8)?,
        created_at: r.int(9)?,
    })
}

pub async fn updates(
    tx: &mut Tx,
    tenant: Uuid,
    project: Uuid,
) -> Result<Vec<UpdateRow>, StoreError> {
    all(
        select(
            tx,
            "project_updates",
            "tenant_id = $1 AND project_id = $2",
            &[tenant.into(), project.into()],
            "ORDER BY created_at, id",
        )
        .await?,
        update_row,
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRow {
    pub id: Uuid,
    pub claimant: String,
    pub claimant_kind: String,
    pub offer: String,
    pub account_id: Option<Uuid>,
    pub status: ClaimStatus,
    pub created_at: i64,
}

fn claim_row(r: &Row) -> Result<ClaimRow, StoreError> {
    Ok(ClaimRow {
        id: r.id(1)?,
        claimant: r.text(3)?,
        claimant_kind: r.text(4)?,
        offer: r.text(5)?,
        account_id: r.opt_id(6)?,
        status: r.word(7)?,
        created_at: r.int(8)?,
    })
}

pub async fn claims(tx: &mut Tx, tenant: Uuid, project: Uuid) -> Result<Vec<ClaimRow>, StoreError> {
    all(
        select(
            tx,
            "project_claims",
            "tenant_id = $1 AND project_id = $2",
            &[tenant.into(), project.into()],
            "ORDER BY created_at, id",
        )
        .await?,
        claim_row,
    )
}

/// A resident's rating of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingRow {
    pub resident_id: Uuid,
    pub score: i64,
    pub comment: Option<String>,
    /// `None` while a comment waits for staff, then `published` or `withheld`.
    pub comment_review: Option<String>,
    pub rated_at: i64,
}

/// Ratings of a project, oldest first.
pub async fn ratings(
    tx: &mut Tx,
    tenant: Uuid,
    project: Uuid,
) -> Result<Vec<RatingRow>, StoreError> {
    tx.rows(
        "SELECT resident_id, score, comment, comment_review, rated_at FROM project_ratings \
         WHERE tenant_id = $1 AND project_id = $2 ORDER BY rated_at, resident_id",
        &[tenant.into(), project.into()],
        &[
            ColType::Id,
            ColType::Int,
            ColType::Text,
            ColType::Text,
            ColType::Int,
        ],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(RatingRow {
            resident_id: r.id(0)?,
            score: r.int(1)?,
            comment: r.opt_text(2)?,
            comment_review: r.opt_text(3)?,
            rated_at: r.int(4)?,
        })
    })
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRow {
    pub id: Uuid,
    pub fund_id: Uuid,
    pub rule: String,
    pub available: i64,
    pub outcome_json: String,
    pub created_at: i64,
}

fn round_row(r: &Row) -> Result<RoundRow, StoreError> {
    Ok(RoundRow {
        id: r.id(1)?,
        fund_id: r.id(2)?,
        rule: r.text(3)?,
        available: r.int(4)?,
        outcome_json: r.text(5)?,
        created_at: r.int(6)?,
    })
}

pub async fn round(tx: &mut Tx, tenant: Uuid, id: Uuid) -> Result<Option<RoundRow>, StoreError> {
    one(
        select(
            tx,
            "allocation_rounds",
            "tenant_id = $1 AND id = $2",
            &[tenant.into(), id.into()],
            "",
        )
        .await,
        round_row,
    )
    .await
}

/// The resident record a signed-in account belongs to in a community: (resident, courtyard).
pub async fn resident_by_account(
    tx: &mut Tx,
    tenant: Uuid,
    account: Uuid,
) -> Result<Option<(Uuid, Option<Uuid>)>, StoreError> {
    tx.row(
        "SELECT id, courtyard_id FROM residents WHERE tenant_id = $1 AND account_id = $2 \
         AND merged_into IS NULL AND voided_at IS NULL ORDER BY id LIMIT 1",
        &[tenant.into(), account.into()],
        &[ColType::Id, ColType::Id],
    )
    .await?
    .map(|r| Ok((r.id(0)?, r.opt_id(1)?)))
    .transpose()
}

/// A council's decision on a project: the motion tabled for it at a step, the council that
/// voted, and the resolution it became if it passed.
#[derive(Debug, Clone)]
pub struct DecisionRow {
    pub step_id: String,
    pub motion_id: Uuid,
    pub title: String,
    pub status: MotionStatus,
    pub council: Option<CouncilRow>,
    pub resolution: Option<ResolutionRow>,
}

/// Every motion tabled for a project, oldest first, with its council and resolution: one read
/// for all of them (the page read five statements a motion before).
pub async fn decisions_of_project(
    tx: &mut Tx,
    tenant: Uuid,
    project: Uuid,
) -> Result<Vec<DecisionRow>, StoreError> {
    use ColType::{Id, Int, Text};
    tx.rows(
        "SELECT pm.step_id, m.id, m.title, m.status, \
           c.id, c.jurisdiction_id, c.kind, c.name_zh, c.name_en, c.short_name, \
           r.id, r.label, r.notice_start, r.notice_end, r.returned_at, r.created_at \
         FROM project_motions pm \
         JOIN motions m ON m.tenant_id = pm.tenant_id AND m.id = pm.motion_id \
         LEFT JOIN councils c ON c.tenant_id = m.tenant_id AND c.id = m.council_id \
         LEFT JOIN resolutions r ON r.tenant_id = m.tenant_id AND r.motion_id = m.id \
         WHERE pm.tenant_id = $1 AND pm.project_id = $2 ORDER BY pm.motion_id",
        &[tenant.into(), project.into()],
        &[
            Text, Id, Text, Text, Id, Id, Text, Text, Text, Text, Id, Text, Int, Int, Int, Int,
        ],
    )
    .await?
    .iter()
    .map(|r| {
        let motion_id = r.id(1)?;
        let council = match r.opt_id(4)? {
            Some(id) => Some(CouncilRow {
                id,
                jurisdiction_id: r.id(5)?,
                kind: r.word(6)?,
                name_zh: r.text(7)?,
                name_en: r.text(8)?,
                short_name: r.text(9)?,
            }),
            None => None,
        };
        let resolution = match (r.opt_id(10)?, &council) {
            (Some(id), Some(c)) => Some(ResolutionRow {
                id,
                council_id: c.id,
                motion_id,
                label: r.text(11)?,
                title: r.text(2)?,
                notice_start: r.opt_int(12)?,
                notice_end: r.opt_int(13)?,
                returned_at: r.opt_int(14)?,
                created_at: r.int(15)?,
            }),
            _ => None,
        };
        Ok(DecisionRow {
            step_id: r.text(0)?,
            motion_id,
            title: r.text(2)?,
            status: r.word(3)?,
            council,
            resolution,
        })
    })
    .collect()
}

/// Every vote on the motions tabled for a project, by motion, with the member's name and seat
/// role (council members voting in office are named on the public record): one read for all.
pub async fn votes_named_of_project(
    tx: &mut Tx,
    tenant: Uuid,
    project: Uuid,
) -> Result<std::collections::HashMap<Uuid, Vec<(String, String, String)>>, StoreError> {
    let mut out: std::collections::HashMap<Uuid, Vec<_>> = Default::default();
    for r in tx
        .rows(
            "SELECT v.motion_id, r.name, s.seat_role, v.choice FROM project_motions pm \
             JOIN votes v ON v.tenant_id = pm.tenant_id AND v.motion_id = pm.motion_id \
             JOIN council_seats s ON s.tenant_id = v.tenant_id AND s.id = v.seat_id \
             JOIN residents r ON r.tenant_id = s.tenant_id AND r.id = s.resident_id \
             WHERE pm.tenant_id = $1 AND pm.project_id = $2 ORDER BY v.motion_id, v.cast_at, v.seat_id",
            &[tenant.into(), project.into()],
            &[ColType::Id, ColType::Text, ColType::Text, ColType::Text],
        )
        .await?
    {
        out.entry(r.id(0)?)
            .or_default()
            .push((r.text(1)?, r.text(2)?, r.text(3)?));
    }
    Ok(out)
}
