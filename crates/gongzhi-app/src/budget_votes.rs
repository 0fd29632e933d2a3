//! Resident-wide budget votes: a community puts a pot of money to a vote of all its residents (or
//! households), counts it with the PB engine by the rule the rulebook names, and explains every
//! project's result.
//!
//! The secret ballot is the elections' one (see `elections`): casting records the voter's mark on
//! the roll (and, for a ballot entered by staff, who entered it) in the audit event, while the
//! ballot goes into `sealed_ballots` with a random id and no voter; closing opens the box, counts,
//! and images every ballot in the closing event in the order of the random ids.

use gongzhi_domain::allocation::rules::{self as pb_rules};
use gongzhi_domain::allocation::{Election, Rule};
use gongzhi_domain::budget_vote::{self, BallotForm, BudgetCount, BudgetVoteRule, Mark};
use gongzhi_domain::election::BoxState;
use gongzhi_domain::lifecycle::BallotBoxStatus;
use gongzhi_domain::rulebook::RuleValue;
use gongzhi_domain::time::Instant;
use gongzhi_domain::{DomainError, Fen};
use gongzhi_store::budget_votes::{self as repo_v, BudgetVoteRow};
use gongzhi_store::elections as repo_e;
use gongzhi_store::{Tx, Value, repo};
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::ballot_box;
use crate::command::{Command, Record, Target, tenant_of};
use crate::input::{invalid, text};
use crate::{App, AppError, new_id};

/// The most projects one ballot lists (a ballot must stay readable on a cheap phone).
const MAX_PROJECTS: usize = 60;

pub struct NewBudgetVote<'a> {
    /// The community, or a courtyard in it, whose residents vote.
    pub place_id: Uuid,
    pub title: &'a str,
    pub budget: Fen,
    pub form: BallotForm,
    /// Projects on the ballot: (title, cost).
    pub projects: &'a [(String, Fen)],
    pub closes_at: Instant,
}

/// Where a vote's ballot box stands now (the rule casting, paper entry, counting and pages share).
pub fn box_state(v: &BudgetVoteRow, now: Instant) -> BoxState {
    BoxState::of(v.status, Instant::from_micros(v.closes_at), now)
}

async fn vote_and_tenant(tx: &mut Tx, id: Uuid) -> Result<(Uuid, BudgetVoteRow), AppError> {
    let tenant = Record::BudgetVote.tenant(tx, id).await?;
    let v = repo_v::vote(tx, tenant, id)
        .await?
        .ok_or(AppError::NotFound("budget_vote"))?;
    Ok((tenant, v))
}

fn form_of(v: &BudgetVoteRow) -> Result<BallotForm, AppError> {
    serde_json::from_str(&v.form_json).map_err(|_| AppError::Corrupt("budget vote's ballot form"))
}

fn rule_of(v: &BudgetVoteRow) -> Result<Rule, AppError> {
    Rule::parse(&v.rule, None).map_err(|_| invalid("budget_vote_rule_unknown", "rule"))
}

/// The limits a vote is counted within: the add-one rounds pinned with its rule (votes opened
/// before they were pinned get the engine's default).
fn limits_of(v: &BudgetVoteRow) -> pb_rules::Limits {
    pb_rules::Limits {
        rounds: v
            .add_one_rounds
            .and_then(|r| u64::try_from(r).ok())
            .unwrap_or(pb_rules::DEFAULT_ADD_ONE_ROUNDS),
        deadline: None,
    }
}

async fn projects_of(
    tx: &mut Tx,
    tenant: Uuid,
    vote: Uuid,
) -> Result<Vec<(String, Fen)>, AppError> {
    Ok(repo_v::projects(tx, tenant, vote)
        .await?
        .into_iter()
        .map(|(t, c)| (t, Fen::new(c)))
        .collect())
}

/// Opens a vote: the projects are listed, the rule and the unit of the rulebook pinned, and the
/// roll snapshotted, in one command. Staff who carry projects open votes.
pub async fn open_vote(
    app: &App,
    actor: &Actor,
    new: &NewBudgetVote<'_>,
) -> Result<Uuid, AppError> {
    let title = text(new.title, "title", 120)?;
    if new.budget.fen() <= 0 {
        return Err(invalid("budget_vote_budget", "budget"));
    }
    if new.projects.is_empty() || new.projects.len() > MAX_PROJECTS {
        return Err(AppError::Invalid(
            DomainError::field("budget_vote_projects", "projects").arg("max", MAX_PROJECTS),
        ));
    }
    let mut projects = Vec::with_capacity(new.projects.len());
    for (name, cost) in new.projects {
        let name = text(name, "projects", 80)?;
        if cost.fen() <= 0 {
            return Err(invalid("budget_vote_project_cost", "projects"));
        }
        projects.push((name, *cost));
    }
    let mut cmd = Command::on(app, actor, Target::Place(new.place_id), "budget_vote.open").await?;
    let read = &mut cmd.tx;
    let tenant = tenant_of(read, new.place_id).await?;
    actor
        .require(&mut cmd.tx, Permission::ManageProjects, new.place_id)
        .await?;
    let now = cmd.now();
    if new.closes_at.micros() <= now.micros() {
        return Err(invalid("budget_vote_closes_in_past", "closes_at"));
    }
    let pinned = match crate::rules::rule_in_force(
        &mut cmd.tx,
        new.place_id,
        "budget_vote.rule",
        now.china_date(),
        now,
    )
    .await?
    {
        RuleValue::BudgetVote(r) => r,
        _ => return Err(invalid("rule_missing", "budget_vote.rule")),
    };
    let BudgetVoteRule {
        rule,
        per,
        add_one_rounds,
    } = pinned;
    let parsed =
        Rule::parse(&rule, None).map_err(|_| invalid("budget_vote_rule_unknown", "rule"))?;
    // The rule must fit the ballots (points rules need a points ballot, Phragmén approvals):
    // counting an empty box tells.
    budget_vote::count(
        &title,
        new.budget,
        new.form,
        &projects,
        &[],
        parsed,
        pb_rules::Limits::default(),
    )?;
    let places: Vec<Uuid> = repo::descendants(&mut cmd.tx, new.place_id)
        .await?
        .into_iter()
        .map(|j| j.id)
        .collect();
    let residents = repo_e::roll(&mut cmd.tx, tenant, &places, new.place_id == tenant).await?;
    let roll = if per == "household" {
        repo_v::households_of(&mut cmd.tx, tenant, &residents).await?
    } else {
        residents
    };
    let id = new_id();
    cmd.insert(
        "budget_votes",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("place_id", new.place_id.into()),
            ("title", title.as_str().into()),
            ("budget_fen", new.budget.fen().into()),
            (
                "form_json",
                serde_json::to_string(&new.form).unwrap_or_default().into(),
            ),
            ("rule", rule.as_str().into()),
            (
                "add_one_rounds",
                Value::from(add_one_rounds.and_then(|r| i64::try_from(r).ok())),
            ),
            ("per", per.as_str().into()),
            ("opens_at", now.micros().into()),
            ("closes_at", new.closes_at.micros().into()),
            ("status", BallotBoxStatus::Open.into()),
            (
                "electorate",
                i64::try_from(roll.len()).unwrap_or(i64::MAX).into(),
            ),
            ("ballots_cast", 0i64.into()),
            ("opened_by", Value::from(actor.account_id)),
        ],
    )
    .await?;
    for (i, (name, cost)) in projects.iter().enumerate() {
        cmd.insert(
            "budget_vote_projects",
            &[
                ("tenant_id", tenant.into()),
                ("vote_id", id.into()),
                ("position", (i as i64).into()),
                ("title", name.as_str().into()),
                ("cost_fen", cost.fen().into()),
            ],
        )
        .await?;
    }
    ballot_box::snapshot_roll(
        &mut cmd,
        "budget_vote_voters",
        ["tenant_id", "vote_id", "voter_id"],
        (tenant, id),
        &roll,
        (
            gongzhi_domain::notification::Subject::BudgetVote,
            &title,
            new.closes_at.micros(),
        ),
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// Casts a secret ballot for the signed-in resident (or their household), or, with
/// `for_resident`, enters an assisted or paper ballot as staff: the mark on the roll records who
/// entered it. `marks` are (project position, points); points are 1 on approval ballots.
pub async fn cast_vote(
    app: &App,
    actor: &Actor,
    vote: Uuid,
    marks: &[Mark],
    for_resident: Option<Uuid>,
) -> Result<(), AppError> {
    // The ballot box's fast path (as for elections): the vote's community, place, form,
    // projects, costs and budget are fixed when it opened, and whose ballot this is does not
    // change; the box's state and the voter's roll entry are read again under the lock.
    let mut read = app.db.read().await?;
    let (tenant, v) = vote_and_tenant(&mut read, vote).await?;
    let (resident, entered_by) = ballot_box::ballot_holder(
        &mut read,
        actor,
        tenant,
        for_resident,
        (Permission::ManageProjects, v.place_id),
        "vote_id",
    )
    .await?;
    let voter = voter_key(&mut read, tenant, &v, resident).await?;
    let form = form_of(&v)?;
    let projects = projects_of(&mut read, tenant, v.id).await?;
    let costs: Vec<Fen> = projects.iter().map(|p| p.1).collect();
    let mut marks = marks.to_vec();
    budget_vote::check_ballot(form, &costs, Fen::new(v.budget_fen), &marks)?;
    read.rollback().await?;

    let mut cmd = Command::begin(app, actor, tenant, "budget_vote.ballot").await?;
    let v = repo_v::vote(&mut cmd.tx, tenant, v.id)
        .await?
        .ok_or(AppError::NotFound("budget_vote"))?;
    let now = cmd.now();
    if box_state(&v, now) != BoxState::Voting {
        return Err(invalid("budget_vote_closed", "vote_id"));
    }
    ballot_box::check_unmarked(
        repo_v::voter(&mut cmd.tx, tenant, v.id, voter).await?,
        "vote_id",
    )?;
    cmd.update(
        "budget_vote_voters",
        &[tenant.into(), v.id.into(), voter.into()],
        &[
            ("voted_at", now.micros().into()),
            ("entered_by", Value::from(entered_by)),
            (
                "channel",
                if entered_by.is_some() {
                    "assisted"
                } else {
                    "online"
                }
                .into(),
            ),
        ],
    )
    .await?;
    cmd.update(
        "budget_votes",
        &[tenant.into(), v.id.into()],
        &[("ballots_cast", (v.ballots_cast + 1).into())],
    )
    .await?;
    // Sorted, so the ballot does not keep the order the voter ticked the projects in.
    marks.sort_unstable();
    let choices = serde_json::to_string(&marks).unwrap_or_default();
    ballot_box::seal(&mut cmd, tenant, v.id, &choices).await?;
    cmd.commit().await?;
    Ok(())
}

/// Marks a resident (or their household) as voted by paper at the polling table: staff hand out
/// a numbered paper ballot, and the sheet is entered after the polls close. The mark records who
/// handed it out; nothing links the sheet's number to the voter.
pub async fn mark_paper_voter(
    app: &App,
    actor: &Actor,
    vote: Uuid,
    resident: Uuid,
) -> Result<(), AppError> {
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::BudgetVote, vote),
        "budget_vote.paper_mark",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, v) = vote_and_tenant(read, vote).await?;
    actor
        .require(&mut cmd.tx, Permission::ManageProjects, v.place_id)
        .await?;
    let v = repo_v::vote(&mut cmd.tx, tenant, v.id)
        .await?
        .ok_or(AppError::NotFound("budget_vote"))?;
    let now = cmd.now();
    if box_state(&v, now) != BoxState::Voting {
        return Err(invalid("budget_vote_closed", "vote_id"));
    }
    let voter = voter_key(&mut cmd.tx, tenant, &v, resident).await?;
    ballot_box::check_unmarked(
        repo_v::voter(&mut cmd.tx, tenant, v.id, voter).await?,
        "vote_id",
    )?;
    cmd.update(
        "budget_vote_voters",
        &[tenant.into(), v.id.into(), voter.into()],
        &[
            ("voted_at", now.micros().into()),
            ("entered_by", Value::from(actor.account_id)),
            ("channel", "paper".into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// The resident's ballot holder: themselves, or their household when the vote is per household.
async fn voter_key(
    tx: &mut Tx,
    tenant: Uuid,
    v: &BudgetVoteRow,
    resident: Uuid,
) -> Result<Uuid, AppError> {
    if v.per != "household" {
        return Ok(resident);
    }
    repo_v::households_of(tx, tenant, &[resident])
        .await?
        .first()
        .copied()
        .ok_or_else(|| invalid("ballot_not_on_roll", "vote_id"))
}

/// Enters one paper sheet as one of two clerks (`entry` 1 or 2; the second must be another
/// person). Sheets are entered after the polls close, so the order of entry says nothing of who
/// voted when. Where the two entries disagree, either may be typed again from the sheet.
pub async fn enter_paper_sheet(
    app: &App,
    actor: &Actor,
    vote: Uuid,
    sheet: &str,
    marks: &[Mark],
    entry: u8,
) -> Result<(), AppError> {
    let sheet = text(sheet, "sheet", 20)?;
    if !(1..=2).contains(&entry) {
        return Err(invalid("paper_entry_number", "entry"));
    }
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::BudgetVote, vote),
        "budget_vote.paper_sheet",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, v) = vote_and_tenant(read, vote).await?;
    // Authorised before the sheet is judged against the vote's form.
    actor
        .require(read, Permission::ManageProjects, v.place_id)
        .await?;
    let form = form_of(&v)?;
    let projects = projects_of(read, tenant, v.id).await?;
    let costs: Vec<Fen> = projects.iter().map(|p| p.1).collect();
    let mut marks = marks.to_vec();
    budget_vote::check_ballot(form, &costs, Fen::new(v.budget_fen), &marks)?;
    marks.sort_unstable();
    let now = cmd.now();
    match box_state(&v, now) {
        BoxState::AwaitingCount => {}
        BoxState::Counted => return Err(invalid("budget_vote_closed", "vote_id")),
        BoxState::Voting => {
            return Err(AppError::Invalid(
                DomainError::field("paper_before_close", "vote_id")
                    .arg("closes", Instant::from_micros(v.closes_at).china_minute()),
            ));
        }
    }
    let clerk = actor.account_id.ok_or(AppError::Unauthenticated)?;
    let entered: Vec<_> = repo_v::sheets(&mut cmd.tx, tenant, v.id)
        .await?
        .into_iter()
        .filter(|(s, _, _, _)| *s == sheet)
        .collect();
    let this = entered.iter().find(|(_, e, _, _)| *e == i64::from(entry));
    let other = entered.iter().find(|(_, e, _, _)| *e != i64::from(entry));
    // An entry is typed again only to correct a disagreement, after looking at the sheet.
    let disagree = matches!((this, other), (Some(a), Some(b)) if a.2 != b.2);
    if this.is_some() && !disagree {
        return Err(invalid("paper_sheet_entered", "sheet"));
    }
    if other.is_some_and(|o| o.3 == clerk) {
        return Err(invalid("paper_same_clerk", "entry"));
    }
    let choices = serde_json::to_string(&marks).unwrap_or_default();
    cmd.upsert(
        "budget_vote_sheets",
        &[
            ("tenant_id", tenant.into()),
            ("vote_id", v.id.into()),
            ("sheet", sheet.as_str().into()),
            ("entry", i64::from(entry).into()),
        ],
        &[
            ("choices", choices.as_str().into()),
            ("entered_by", clerk.into()),
            ("entered_at", now.micros().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// Where the double entry of paper sheets stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaperCheck {
    /// Residents marked as voting on paper.
    pub marked: i64,
    /// Sheets whose two entries agree, with their marks.
    pub agreed: Vec<(String, Vec<Mark>)>,
    /// Sheets whose two entries differ: to be looked at again and entered afresh.
    pub disagree: Vec<String>,
    /// Sheets entered once only.
    pub single: Vec<String>,
}

async fn paper_check(tx: &mut Tx, tenant: Uuid, vote: Uuid) -> Result<PaperCheck, AppError> {
    let (_, _, marked) = repo_v::channels(tx, tenant, vote).await?;
    let mut check = PaperCheck {
        marked,
        ..PaperCheck::default()
    };
    let sheets = repo_v::sheets(tx, tenant, vote).await?;
    for group in sheets.chunk_by(|a, b| a.0 == b.0) {
        let sheet = group[0].0.clone();
        match group {
            [(_, _, a, _), (_, _, b, _)] if a == b => check.agreed.push((sheet, read_marks(a)?)),
            [_, _] => check.disagree.push(sheet),
            _ => check.single.push(sheet),
        }
    }
    Ok(check)
}

/// The double entry's state, for the staff who count the vote (the sheets' numbers and who
/// voted on paper are theirs to see, not every signed-in account's).
pub async fn paper_reconciliation(
    app: &App,
    actor: &Actor,
    vote: Uuid,
) -> Result<PaperCheck, AppError> {
    let mut read = app.db.read().await?;
    let (tenant, v) = vote_and_tenant(&mut read, vote).await?;
    actor
        .require(&mut read, Permission::ManageProjects, v.place_id)
        .await?;
    paper_check(&mut read, tenant, v.id).await
}

fn read_marks(choices: &str) -> Result<Vec<Mark>, AppError> {
    serde_json::from_str(choices).map_err(|_| invalid("ballot_box_count_mismatch", "vote_id"))
}

/// Closes a vote once its time is over: opens the box, counts by the pinned rule, and records the
/// result with every project's explanation.
pub async fn close_vote(app: &App, actor: &Actor, vote: Uuid) -> Result<BudgetCount, AppError> {
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::BudgetVote, vote),
        "budget_vote.close",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, v) = vote_and_tenant(read, vote).await?;
    actor
        .require(&mut cmd.tx, Permission::ManageProjects, v.place_id)
        .await?;
    let v = repo_v::vote(&mut cmd.tx, tenant, v.id)
        .await?
        .ok_or(AppError::NotFound("budget_vote"))?;
    let now = cmd.now();
    match box_state(&v, now) {
        BoxState::AwaitingCount => {}
        BoxState::Counted => return Err(invalid("budget_vote_closed", "vote_id")),
        BoxState::Voting => {
            return Err(AppError::Invalid(
                DomainError::field("budget_vote_still_open", "vote_id")
                    .arg("closes", Instant::from_micros(v.closes_at).china_minute()),
            ));
        }
    }
    let ballots = ballot_box::take(&mut cmd.tx, tenant, v.id, v.ballots_cast, "vote_id").await?;
    // Paper sheets count once both clerks' entries agree, and never more sheets than residents
    // marked as voting on paper.
    let paper = paper_check(&mut cmd.tx, tenant, v.id).await?;
    if !paper.disagree.is_empty() || !paper.single.is_empty() {
        let mut sheets = paper.disagree.clone();
        sheets.extend(paper.single.iter().cloned());
        return Err(AppError::Invalid(
            DomainError::field("paper_sheets_unreconciled", "vote_id")
                .arg("sheets", sheets.join(", ")),
        ));
    }
    if paper.agreed.len() as i64 > paper.marked {
        return Err(AppError::Invalid(
            DomainError::field("paper_sheets_exceed_marks", "vote_id")
                .arg("sheets", paper.agreed.len())
                .arg("marks", paper.marked),
        ));
    }
    let mut ballots = ballots;
    for (_, marks) in &paper.agreed {
        ballots.push((
            Uuid::new_v4(),
            serde_json::to_string(marks).unwrap_or_default(),
        ));
    }
    ballots.sort_by_key(|b| b.0);
    let read_ballots = ballots
        .iter()
        .map(|(_, c)| read_marks(c))
        .collect::<Result<Vec<_>, _>>()?;
    let projects = projects_of(&mut cmd.tx, tenant, v.id).await?;
    let count = budget_vote::count(
        &v.title,
        Fen::new(v.budget_fen),
        form_of(&v)?,
        &projects,
        &read_ballots,
        rule_of(&v)?,
        limits_of(&v),
    )?;
    ballot_box::put_back_opened(&mut cmd, tenant, v.id, &ballots).await?;
    cmd.update(
        "budget_votes",
        &[tenant.into(), v.id.into()],
        &[
            ("status", BallotBoxStatus::Closed.into()),
            ("closed_at", now.micros().into()),
            (
                "result_json",
                serde_json::to_string(&count).unwrap_or_default().into(),
            ),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(count)
}

/// A vote as anyone sees it: projects and costs, turnout, and once closed the result with why
/// each project won or lost. Nothing in it names a voter.
#[derive(Debug, Clone)]
pub struct BudgetVoteView {
    pub vote: BudgetVoteRow,
    pub form: BallotForm,
    pub projects: Vec<(String, Fen)>,
    pub result: Option<BudgetCount>,
    /// Whether voting is open now (by the clock, not only the stored status).
    pub voting_open: bool,
    /// Voters by channel: online, assisted (entered by staff), paper.
    pub channels: (i64, i64, i64),
}

pub async fn vote_view(app: &App, vote: Uuid) -> Result<BudgetVoteView, AppError> {
    let mut read = app.db.read().await?;
    let (tenant, v) = vote_and_tenant(&mut read, vote).await?;
    let projects = projects_of(&mut read, tenant, v.id).await?;
    let channels = repo_v::channels(&mut read, tenant, v.id).await?;
    read.rollback().await?;
    let form = form_of(&v)?;
    let result = v
        .result_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok());
    let voting_open = box_state(&v, app.now()) == BoxState::Voting;
    Ok(BudgetVoteView {
        vote: v,
        form,
        projects,
        result,
        voting_open,
        channels,
    })
}

/// Whether the signed-in resident (or their household) may still vote in this vote.
pub async fn may_vote(app: &App, actor: &Actor, vote: Uuid) -> Result<bool, AppError> {
    if actor.account_id.is_none() {
        return Ok(false);
    }
    let mut read = app.db.read().await?;
    let (tenant, v) = vote_and_tenant(&mut read, vote).await?;
    let Some(resident) = ballot_box::ballot_resident(&mut read, actor, tenant).await? else {
        return Ok(false);
    };
    let voter = if v.per == "household" {
        match repo_v::households_of(&mut read, tenant, &[resident])
            .await?
            .first()
        {
            Some(h) => *h,
            None => return Ok(false),
        }
    } else {
        resident
    };
    Ok(matches!(
        repo_v::voter(&mut read, tenant, v.id, voter).await?,
        Some(None)
    ))
}

/// A community's votes, latest closing first.
pub async fn votes_in(app: &App, community: Uuid) -> Result<Vec<BudgetVoteRow>, AppError> {
    let mut read = app.db.reads().await?;
    let tenant = tenant_of(&mut read, community).await?;
    Ok(repo_v::votes_of(&mut read, tenant).await?)
}

/// A closed vote as a Pabulib election, for `gongzhi pb export`: projects numbered in ballot
/// order, voters as pseudonyms in the order of the box's random ids. An open vote is refused:
/// its box is sealed.
pub async fn export_election(app: &App, vote: Uuid) -> Result<Election, AppError> {
    let mut read = app.db.read().await?;
    let (tenant, v) = vote_and_tenant(&mut read, vote).await?;
    if v.status != BallotBoxStatus::Closed {
        return Err(AppError::Invalid(
            DomainError::field("budget_vote_still_open", "vote_id")
                .arg("closes", Instant::from_micros(v.closes_at).china_minute()),
        ));
    }
    let projects = projects_of(&mut read, tenant, v.id).await?;
    let ballots = repo_e::opened_ballots(&mut read, tenant, v.id)
        .await?
        .iter()
        .map(|(_, c)| read_marks(c))
        .collect::<Result<Vec<_>, _>>()?;
    let mut election = budget_vote::to_election(
        &v.title,
        Fen::new(v.budget_fen),
        form_of(&v)?,
        &projects,
        &ballots,
    );
    // What the Pabulib format requires of every file: where, which edition, and when.
    let chain = repo::ancestors(&mut read, v.place_id).await?;
    let unit = chain
        .iter()
        .find(|j| j.id == v.place_id)
        .map(|j| j.name_zh.clone())
        .unwrap_or_default();
    let day = |at: i64| {
        let d = Instant::from_micros(at).china_date();
        format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
    };
    election.meta.splice(
        2..2,
        [
            ("unit".to_string(), unit),
            (
                "instance".to_string(),
                Instant::from_micros(v.opens_at)
                    .china_date()
                    .year()
                    .to_string(),
            ),
            ("date_begin".to_string(), day(v.opens_at)),
            ("date_end".to_string(), day(v.closes_at)),
        ],
    );
    if let Some(result) = v
        .result_json
        .as_deref()
        .and_then(|j| serde_json::from_str::<BudgetCount>(j).ok())
    {
        let winners: Vec<usize> = (0..projects.len())
            .filter(|&p| result.projects[p].chosen.is_some())
            .collect();
        let rule = rule_of(&v)?;
        election.mark_selected(&winners, rule.pabulib_name(form_of(&v)?.vote_type()));
    }
    Ok(election)
}
