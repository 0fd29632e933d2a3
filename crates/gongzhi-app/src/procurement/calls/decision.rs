//! A closed call's decision: seating the scoring panel (with declared ties), scoring bids, and deciding the call by the rule it was opened with.

use crate::authz::{Actor, Permission};
use crate::command::{Command, Record, Target};
use crate::input::{invalid, text};
use crate::{App, AppError};
use gongzhi_domain::DomainError;
use gongzhi_domain::lifecycle::CallStatus;
use gongzhi_domain::procurement::{self as dp, Method, Ranked, ScoredBid};
use gongzhi_domain::time::Instant;
use gongzhi_store::procurement::{self as repo_p, BidRow, PanelistRow, ScoreRow};
use gongzhi_store::repo;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;

/// A member of a scoring panel and the organisations they declare ties to.
#[derive(Debug, Clone)]
pub struct Panelist {
    pub account_id: Uuid,
    pub name: String,
    pub ties: Vec<Uuid>,
}

/// Seats a call's scoring panel (before any score is given). Each member's staff seats are added
/// to the ties they declare.
pub async fn seat_panel(
    app: &App,
    actor: &Actor,
    call: Uuid,
    members: &[Panelist],
) -> Result<(), AppError> {
    if members.is_empty() {
        return Err(invalid("panel_empty", "members"));
    }
    let mut cmd = Command::on(app, actor, Target::Record(Record::Call, call), "call.panel").await?;
    let read = &mut cmd.tx;
    let c = load_call(read, call).await?;
    actor
        .require(read, Permission::ManagePurchases, c.buyer_id)
        .await?;
    let mut rows = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let name = text(&m.name, "members", 60)?;
        if members[..i].iter().any(|o| o.account_id == m.account_id) {
            return Err(invalid("panelist_twice", "members"));
        }
        if repo::account_by_id(read, m.account_id).await?.is_none() {
            return Err(invalid("account_not_found", "members"));
        }
        let mut ties = m.ties.clone();
        ties.extend(repo_p::organisations_of_account(read, m.account_id).await?);
        ties.sort();
        ties.dedup();
        rows.push((m.account_id, name, ties));
    }
    let c = load_call(&mut cmd.tx, c.id).await?;
    if c.status != CallStatus::Open {
        return Err(invalid("call_decided", "call_id"));
    }
    if !repo_p::scores(&mut cmd.tx, c.tenant_id, c.id)
        .await?
        .is_empty()
    {
        return Err(invalid("panel_scoring_started", "call_id"));
    }
    if !repo_p::panel(&mut cmd.tx, c.tenant_id, c.id)
        .await?
        .is_empty()
    {
        return Err(invalid("panel_already_seated", "call_id"));
    }
    for (account, name, ties) in rows {
        cmd.insert(
            "call_panelists",
            &[
                ("tenant_id", c.tenant_id.into()),
                ("call_id", c.id.into()),
                ("account_id", account.into()),
                ("name", name.into()),
                (
                    "ties_json",
                    serde_json::to_string(&ties).unwrap_or_default().into(),
                ),
            ],
        )
        .await?;
    }
    cmd.commit().await?;
    Ok(())
}

pub(super) fn ties_of(p: &PanelistRow) -> Vec<Uuid> {
    serde_json::from_str(&p.ties_json).unwrap_or_default()
}

/// A panelist scores one bid after the call has closed: every criterion on the 0–100 scale. A
/// panelist tied to the bidding organisation cannot score it. A score may be corrected until the
/// call is decided.
pub async fn score_bid(
    app: &App,
    actor: &Actor,
    bid: Uuid,
    scores: &[(String, u32)],
) -> Result<u32, AppError> {
    let account = actor.account_id.ok_or(AppError::Unauthenticated)?;
    let now = app.now();
    let mut cmd = Command::on(app, actor, Target::Record(Record::Bid, bid), "call.score").await?;
    let tenant = cmd.tenant_id();
    let b = repo_p::bid(&mut cmd.tx, tenant, bid)
        .await?
        .ok_or(AppError::NotFound("bid"))?;
    let c = load_call(&mut cmd.tx, b.call_id).await?;
    let panel = repo_p::panel(&mut cmd.tx, tenant, c.id).await?;
    let me = panel
        .iter()
        .find(|p| p.account_id == account)
        .ok_or(AppError::Forbidden)?;
    if !awaits_decision(&c, now) {
        return Err(if c.status != CallStatus::Open {
            invalid("call_decided", "bid_id")
        } else {
            invalid("score_before_closing", "bid_id")
        });
    }
    let mut ties = ties_of(me);
    ties.extend(repo_p::organisations_of_account(&mut cmd.tx, account).await?);
    if ties.contains(&b.organisation_id) {
        return Err(invalid("score_own_organisation", "bid_id"));
    }
    let criteria = criteria_of(&c)?;
    let total = dp::weighted_score(&criteria, scores)?;
    let scores_json = serde_json::to_string(
        &scores
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
    .unwrap_or_default();
    let existing = repo_p::scores(&mut cmd.tx, tenant, c.id)
        .await?
        .into_iter()
        .any(|s| s.bid_id == b.id && s.account_id == account);
    let values = [
        ("call_id", c.id.into()),
        ("scores_json", scores_json.into()),
        ("total", i64::from(total).into()),
        ("scored_at", now.micros().into()),
    ];
    if existing {
        cmd.update(
            "bid_scores",
            &[tenant.into(), b.id.into(), account.into()],
            &values,
        )
        .await?;
    } else {
        let mut row = vec![
            ("tenant_id", tenant.into()),
            ("bid_id", b.id.into()),
            ("account_id", account.into()),
        ];
        row.extend(values);
        cmd.insert("bid_scores", &row).await?;
    }
    cmd.commit().await?;
    Ok(total)
}

/// The published result of a decided call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallResult {
    /// `Failed` or `Awarded` (the status the call closed with).
    pub outcome: CallStatus,
    pub bids: u32,
    pub min_bids: u32,
    /// Best first; empty when the call failed.
    pub ranking: Vec<Ranked<Uuid>>,
    /// The best-ranked bid.
    pub winner: Option<Uuid>,
    /// Every bid the call funds, in ranking order: the winner alone for a purchase, the grants
    /// that fit the pool for a venture round. (Absent from results stored before rounds existed:
    /// read it through `funded`.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub awarded: Vec<Uuid>,
}

impl CallResult {
    /// The bids the call's own money funds (adoptions by donors come on top).
    pub fn funded(&self) -> Vec<Uuid> {
        if self.awarded.is_empty() {
            self.winner.into_iter().collect()
        } else {
            self.awarded.clone()
        }
    }
}

/// Decides a call after it has closed: with fewer valid bids than the pinned rule asks the call
/// fails (it can be run again); otherwise every panelist must have scored every bid they may
/// score, and the best-ranked bid wins. The ranking and every score are published.
pub async fn decide_call(app: &App, actor: &Actor, call: Uuid) -> Result<CallResult, AppError> {
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Call, call),
        "call.decide",
    )
    .await?;
    let read = &mut cmd.tx;
    let c = load_call(read, call).await?;
    actor
        .require(read, Permission::ManagePurchases, c.buyer_id)
        .await?;
    let now = app.now();
    let c = load_call(&mut cmd.tx, c.id).await?;
    if c.status != CallStatus::Open {
        return Err(invalid("call_decided", "call_id"));
    }
    if !awaits_decision(&c, now) {
        return Err(AppError::Invalid(
            DomainError::field("call_still_open", "call_id")
                .arg("closes", Instant::from_micros(c.closes_at).china_minute()),
        ));
    }
    let rule = rule_of(&c)?;
    let method = Method::parse(&c.method)?;
    let bids = repo_p::bids(&mut cmd.tx, c.tenant_id, c.id).await?;
    let min_bids = rule.min_bids(method);
    let n = u32::try_from(bids.len()).unwrap_or(u32::MAX);
    let result = if n < min_bids {
        CallResult {
            outcome: CallStatus::Failed,
            bids: n,
            min_bids,
            ranking: Vec::new(),
            winner: None,
            awarded: Vec::new(),
        }
    } else {
        let panel = repo_p::panel(&mut cmd.tx, c.tenant_id, c.id).await?;
        if panel.is_empty() {
            return Err(invalid("panel_empty", "call_id"));
        }
        let scores = repo_p::scores(&mut cmd.tx, c.tenant_id, c.id).await?;
        let ranking = dp::rank_bids(&scored(&bids, &panel, &scores)?)?;
        let winner = ranking.first().map(|r| r.bid);
        let awarded = match round_of(&c)? {
            Some(round) => {
                let price = |id: &Uuid| bids.iter().find(|b| b.id == *id).map_or(0, |b| b.price);
                dp::select_awards(&ranking, price, c.value, round.max_awards)
            }
            None => winner.into_iter().collect(),
        };
        CallResult {
            outcome: CallStatus::Awarded,
            bids: n,
            min_bids,
            winner: awarded.first().copied(),
            ranking,
            awarded,
        }
    };
    cmd.detail("outcome", result.outcome.as_str());
    cmd.update(
        "purchase_calls",
        &[c.tenant_id.into(), c.id.into()],
        &[
            ("status", result.outcome.into()),
            ("decided_at", now.micros().into()),
            (
                "result_json",
                serde_json::to_string(&result).unwrap_or_default().into(),
            ),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(result)
}

/// Each bid with the totals of the panelists who may score it; all of them must have.
pub(super) fn scored(
    bids: &[BidRow],
    panel: &[PanelistRow],
    scores: &[ScoreRow],
) -> Result<Vec<ScoredBid<Uuid>>, AppError> {
    let mut out = Vec::with_capacity(bids.len());
    for b in bids {
        let mut totals = Vec::new();
        for p in panel {
            if ties_of(p).contains(&b.organisation_id) {
                continue;
            }
            let s = scores
                .iter()
                .find(|s| s.bid_id == b.id && s.account_id == p.account_id)
                .ok_or_else(|| {
                    AppError::Invalid(
                        DomainError::field("call_scores_incomplete", "call_id")
                            .arg("panelist", &p.name),
                    )
                })?;
            totals.push(u32::try_from(s.total).unwrap_or(0));
        }
        out.push(ScoredBid {
            bid: b.id,
            price: b.price,
            submitted: b.submitted_at,
            totals,
        });
    }
    Ok(out)
}
