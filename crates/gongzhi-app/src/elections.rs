//! Electing councils by secret ballot, by-elections for vacant seats, resignations, and monthly
//! meeting calendars.
//!
//! **The secret ballot.** Casting is one command, one transaction, one audit event, like every
//! other change; but that event records only that the voter voted (their mark on the roll, with
//! who entered it for an assisted ballot) and the new count of ballots in the box. The ballot
//! itself goes into `sealed_ballots` with a random (v4, not time-ordered) id, no voter, no time,
//! and no image in the chain (`Kind::Sealed`). Closing the election opens the box: every ballot
//! is taken out, counted, checked against the number of marks, and put back imaged in the order of
//! the random ids, all in the closing event. So the chain proves every ballot after the count, and
//! no order of events pairs a voter with a ballot.

use gongzhi_domain::DomainError;
use gongzhi_domain::election::{self, BoxState, ElectionRule, MonthlySchedule};
use gongzhi_domain::lifecycle::{BallotBoxStatus, CouncilKind, ElectionKind};
use gongzhi_domain::rulebook::RuleValue;
use gongzhi_domain::time::{Instant, format_date, parse_date};
use gongzhi_store::councils::{self as repo_c, CouncilRow};
use gongzhi_store::elections::{self as repo_e, CandidateRow, ElectionRow, SeriesRow};
use gongzhi_store::{Tx, Value, repo};
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::ballot_box;
use crate::command::{Command, Record, Target};
use crate::input::{invalid, text};
use crate::rules::rule_in_force;
use crate::{App, AppError, new_id};

/// Why a seat ends before its term does.
pub const SEAT_END_REASONS: &[&str] = &["resigned", "removed", "moved_away", "deceased"];

/// The most meetings one calendar schedules at once (two years of monthly meetings).
const MAX_SERIES_MEETINGS: u32 = 24;

async fn election_and_tenant(tx: &mut Tx, id: Uuid) -> Result<(Uuid, ElectionRow), AppError> {
    let tenant = Record::Election.tenant(tx, id).await?;
    let e = repo_e::election(tx, tenant, id)
        .await?
        .ok_or(AppError::NotFound("election"))?;
    Ok((tenant, e))
}

/// The roll of a council's area: everyone living in it, and for a community council also the
/// residents with no courtyard recorded.
async fn roll_of(tx: &mut Tx, tenant: Uuid, c: &CouncilRow) -> Result<Vec<Uuid>, AppError> {
    let places: Vec<Uuid> = repo::descendants(tx, c.jurisdiction_id)
        .await?
        .into_iter()
        .map(|j| j.id)
        .collect();
    Ok(repo_e::roll(tx, tenant, &places, c.jurisdiction_id == tenant).await?)
}

pub struct NewElection<'a> {
    pub council_id: Uuid,
    /// `general` or `by_election`.
    pub kind: &'a str,
    pub title: &'a str,
    pub seats: u32,
    /// Residents standing, in ballot order.
    pub candidates: &'a [Uuid],
    pub closes_at: Instant,
    /// The last day of the term the elected serve (YYYY-MM-DD). A by-election defaults to the
    /// term of the last general election.
    pub term_end: Option<&'a str>,
}

/// Opens an election: the roll is snapshotted, the candidates listed and the rule pinned, in one
/// command. Staff with council duties open elections.
pub async fn open_election(
    app: &App,
    actor: &Actor,
    new: &NewElection<'_>,
) -> Result<Uuid, AppError> {
    let Some(kind) = ElectionKind::parse(new.kind) else {
        return Err(invalid("election_kind_unknown", "kind"));
    };
    let title = text(new.title, "title", 120)?;
    if new.seats == 0 {
        return Err(invalid("election_seats_invalid", "seats"));
    }
    let mut distinct = new.candidates.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct.len() != new.candidates.len() {
        return Err(invalid("election_candidate_twice", "candidates"));
    }
    if new.candidates.len() < new.seats as usize {
        return Err(AppError::Invalid(
            DomainError::field("election_too_few_candidates", "candidates")
                .arg("seats", new.seats)
                .arg("candidates", new.candidates.len()),
        ));
    }
    let now = app.now();
    if new.closes_at <= now {
        return Err(invalid("election_closes_in_past", "closes_at"));
    }
    let mut term_end = match new.term_end {
        Some(t) if !t.trim().is_empty() => Some(format_date(
            parse_date(t.trim()).ok_or_else(|| invalid("date_invalid", "term_end"))?,
        )),
        _ => None,
    };
    let today = format_date(now.china_date());

    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Council, new.council_id),
        "election.open",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, c) = crate::councils::load_council(read, new.council_id).await?;
    actor
        .require(&mut cmd.tx, Permission::ManageCouncils, c.jurisdiction_id)
        .await?;
    if repo_e::elections_of(&mut cmd.tx, tenant, c.id)
        .await?
        .iter()
        .any(|e| e.status == BallotBoxStatus::Open)
    {
        return Err(invalid("election_already_open", "council_id"));
    }
    let size = crate::councils::size_rule(&mut cmd.tx, app, &c, now).await?;
    let seated = repo_c::count_voting_seats(&mut cmd.tx, tenant, c.id, &today).await?;
    if kind == ElectionKind::General {
        if size.max.is_some_and(|max| new.seats > max) {
            return Err(AppError::Invalid(
                DomainError::field("election_seats_above_maximum", "seats")
                    .arg("max", size.max.unwrap_or(0)),
            ));
        }
        if new.seats < size.min {
            return Err(AppError::Invalid(
                DomainError::field("election_seats_below_minimum", "seats").arg("min", size.min),
            ));
        }
    } else {
        // Vacant seats: the seats the last general election filled less the members seated now;
        // with no election on record, the seats of members who left early in the current term.
        let last = repo_e::last_general_election(&mut cmd.tx, tenant, c.id).await?;
        let vacant = match &last {
            Some(e) => u32::try_from(e.seats).unwrap_or(0).saturating_sub(seated),
            None => {
                let term_start = repo_c::seats(&mut cmd.tx, tenant, c.id, &today)
                    .await?
                    .into_iter()
                    .filter(|s| s.seat_role != "invitee")
                    .map(|s| s.term_start)
                    .min()
                    .unwrap_or_default();
                let left = repo_e::seats_left_early(&mut cmd.tx, tenant, c.id, &term_start, &today)
                    .await?;
                u32::try_from(left).unwrap_or(0)
            }
        };
        let vacant = match size.max {
            Some(max) => vacant.min(max.saturating_sub(seated)),
            None => vacant,
        };
        if new.seats > vacant {
            return Err(AppError::Invalid(
                DomainError::field("election_no_vacancy", "seats")
                    .arg("vacant", vacant)
                    .arg("seats", new.seats),
            ));
        }
        if term_end.is_none() {
            term_end = last.and_then(|e| e.term_end);
        }
    }
    let roll = roll_of(&mut cmd.tx, tenant, &c).await?;
    if roll.is_empty() {
        return Err(invalid("election_roll_empty", "council_id"));
    }
    for candidate in new.candidates {
        if roll.binary_search(candidate).is_err() {
            return Err(invalid("election_candidate_not_on_roll", "candidates"));
        }
        // Sitting members may stand again at a general election (their seat ends with the term);
        // a by-election fills vacant seats, so a sitting member cannot take a second one.
        if kind == ElectionKind::ByElection
            && repo_c::resident_seated(&mut cmd.tx, tenant, c.id, *candidate, &today).await?
        {
            return Err(invalid("seat_already_held", "candidates"));
        }
        if c.kind == CouncilKind::SupervisoryBoard {
            crate::councils::check_supervisor_eligible(&mut cmd.tx, tenant, *candidate, &today)
                .await?;
        }
    }
    let rule = match rule_in_force(
        &mut cmd.tx,
        c.jurisdiction_id,
        "election.rule",
        now.china_date(),
        now,
    )
    .await?
    {
        RuleValue::Election(r) => r,
        _ => return Err(invalid("rule_missing", "council_id")),
    };
    let id = new_id();
    cmd.insert(
        "elections",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("council_id", c.id.into()),
            ("kind", kind.into()),
            ("title", title.as_str().into()),
            ("seats", i64::from(new.seats).into()),
            ("opened_at", now.micros().into()),
            ("closes_at", new.closes_at.micros().into()),
            ("term_end", Value::from(term_end.as_deref())),
            ("status", BallotBoxStatus::Open.into()),
            ("electorate", (roll.len() as i64).into()),
            ("ballots_cast", 0i64.into()),
            (
                "rule_json",
                serde_json::to_string(&rule).unwrap_or_default().into(),
            ),
            ("opened_by", Value::from(actor.account_id)),
        ],
    )
    .await?;
    let candidates: Vec<Vec<Value>> = new
        .candidates
        .iter()
        .zip(1i64..)
        .map(|(r, pos)| vec![tenant.into(), id.into(), (*r).into(), pos.into()])
        .collect();
    cmd.insert_many(
        "election_candidates",
        &["tenant_id", "election_id", "resident_id", "position"],
        &candidates,
    )
    .await?;
    ballot_box::snapshot_roll(
        &mut cmd,
        "election_voters",
        ["tenant_id", "election_id", "resident_id"],
        (tenant, id),
        &roll,
        (
            gongzhi_domain::notification::Subject::Election,
            &title,
            new.closes_at.micros(),
        ),
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// Casts a secret ballot for the signed-in resident, or, with `for_resident`, enters an assisted or
/// paper ballot for a resident as staff (the mark records who entered it). `choices` are
/// candidates' resident ids; an empty list is a blank ballot.
pub async fn cast_ballot(
    app: &App,
    actor: &Actor,
    election: Uuid,
    choices: &[Uuid],
    for_resident: Option<Uuid>,
) -> Result<(), AppError> {
    // The ballot box's fast path: what is checked before the community's write lock cannot
    // change while voting is open, so ballots queue only for what must be serialised. The facts
    // it relies on: the election's community, council, candidates and number of seats (fixed
    // when it opened) and whose ballot this is (the resident an account stands for; their roll
    // entry is read again under the lock). Whether the box is still open, and whether this voter
    // has voted, are read under the lock.
    let mut read = app.db.read().await?;
    let (tenant, e) = election_and_tenant(&mut read, election).await?;
    let (_, c) = crate::councils::load_council(&mut read, e.council_id).await?;
    let (voter, entered_by) = ballot_box::ballot_holder(
        &mut read,
        actor,
        tenant,
        for_resident,
        (Permission::ManageCouncils, c.jurisdiction_id),
        "election_id",
    )
    .await?;
    let candidates: Vec<Uuid> = repo_e::candidates(&mut read, tenant, e.id)
        .await?
        .into_iter()
        .map(|c| c.resident_id)
        .collect();
    election::check_ballot(choices, &candidates, u32::try_from(e.seats).unwrap_or(0))?;
    read.rollback().await?;

    let mut cmd = Command::begin(app, actor, tenant, "election.ballot").await?;
    // Read again under the lock: a second ballot for the same voter, or the close, waits here.
    let e = repo_e::election(&mut cmd.tx, tenant, e.id)
        .await?
        .ok_or(AppError::NotFound("election"))?;
    let now = cmd.now();
    if box_state(&e, now) != BoxState::Voting {
        return Err(invalid("election_closed", "election_id"));
    }
    ballot_box::check_unmarked(
        repo_e::voter(&mut cmd.tx, tenant, e.id, voter).await?,
        "election_id",
    )?;
    cmd.update(
        "election_voters",
        &[tenant.into(), e.id.into(), voter.into()],
        &[
            ("voted_at", now.micros().into()),
            ("entered_by", Value::from(entered_by)),
        ],
    )
    .await?;
    cmd.update(
        "elections",
        &[tenant.into(), e.id.into()],
        &[("ballots_cast", (e.ballots_cast + 1).into())],
    )
    .await?;
    // Sorted, so the ballot does not keep the order the voter ticked the names in.
    let mut marked: Vec<String> = choices.iter().map(Uuid::to_string).collect();
    marked.sort();
    let choices = serde_json::to_string(&marked).unwrap_or_default();
    ballot_box::seal(&mut cmd, tenant, e.id, &choices).await?;
    cmd.commit().await?;
    Ok(())
}

/// The count of a closed election.
pub type Count = election::ElectionCount<Uuid>;

/// Where an election's ballot box stands now (the rule casting, counting and pages share).
pub fn box_state(e: &ElectionRow, now: Instant) -> BoxState {
    BoxState::of(e.status, Instant::from_micros(e.closes_at), now)
}

/// Closes an election once its voting time is over: opens the box, counts, seats the elected. A
/// general election starts a new term, so the members seated before it leave on the day before.
pub async fn close_election(app: &App, actor: &Actor, election: Uuid) -> Result<Count, AppError> {
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Election, election),
        "election.close",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, e) = election_and_tenant(read, election).await?;
    let (_, c) = crate::councils::load_council(&mut cmd.tx, e.council_id).await?;
    let now = cmd.now();
    let today = format_date(now.china_date());
    crate::councils::require_chair_or_staff(&mut cmd.tx, actor, tenant, &c, &today).await?;
    let e = repo_e::election(&mut cmd.tx, tenant, e.id)
        .await?
        .ok_or(AppError::NotFound("election"))?;
    match box_state(&e, now) {
        BoxState::AwaitingCount => {}
        BoxState::Counted => return Err(invalid("election_closed", "election_id")),
        BoxState::Voting => {
            return Err(AppError::Invalid(
                DomainError::field("election_still_open", "election_id")
                    .arg("closes", Instant::from_micros(e.closes_at).china_minute()),
            ));
        }
    }
    let rule: ElectionRule =
        serde_json::from_str(&e.rule_json).map_err(|_| AppError::Corrupt("election's rule"))?;
    let ballots =
        ballot_box::take(&mut cmd.tx, tenant, e.id, e.ballots_cast, "election_id").await?;
    let mut read_ballots = Vec::with_capacity(ballots.len());
    for (_, choices) in &ballots {
        let ids: Vec<String> = serde_json::from_str(choices)
            .map_err(|_| invalid("ballot_box_count_mismatch", "election_id"))?;
        read_ballots.push(
            ids.iter()
                .filter_map(|i| Uuid::parse_str(i).ok())
                .collect::<Vec<Uuid>>(),
        );
    }
    let candidates = repo_e::candidates(&mut cmd.tx, tenant, e.id).await?;
    let ids: Vec<Uuid> = candidates.iter().map(|c| c.resident_id).collect();
    let count = election::count(
        &rule,
        u32::try_from(e.seats).unwrap_or(0),
        u64::try_from(e.electorate).unwrap_or(0),
        &ids,
        &read_ballots,
    );
    // The box, opened: every ballot imaged in this event, in the order of its random id.
    ballot_box::put_back_opened(&mut cmd, tenant, e.id, &ballots).await?;
    let term_start = now.china_date();
    if e.kind == ElectionKind::General && !count.elected.is_empty() {
        let day_before = format_date(term_start.previous_day().unwrap_or(term_start));
        for s in repo_c::seats(&mut cmd.tx, tenant, c.id, &today).await? {
            if s.seat_role != "invitee" {
                cmd.update(
                    "council_seats",
                    &[tenant.into(), s.id.into()],
                    &[
                        ("term_end", day_before.as_str().into()),
                        ("end_reason", "term_ended".into()),
                    ],
                )
                .await?;
            }
        }
    }
    for cand in &candidates {
        let votes = count
            .votes
            .iter()
            .find(|(r, _)| *r == cand.resident_id)
            .map_or(0, |v| v.1);
        let outcome = if count.elected.contains(&cand.resident_id) {
            "elected"
        } else if count.tied.contains(&cand.resident_id) {
            "tied"
        } else {
            "not_elected"
        };
        let mut sets: Vec<(&str, Value)> = vec![
            ("votes", i64::try_from(votes).unwrap_or(i64::MAX).into()),
            ("outcome", outcome.into()),
        ];
        if outcome == "elected" {
            let seat = new_id();
            cmd.insert(
                "council_seats",
                &[
                    ("tenant_id", tenant.into()),
                    ("id", seat.into()),
                    ("council_id", c.id.into()),
                    ("resident_id", cand.resident_id.into()),
                    ("seat_role", "member".into()),
                    ("term_start", format_date(term_start).into()),
                    ("term_end", Value::from(e.term_end.as_deref())),
                ],
            )
            .await?;
            sets.push(("seat_id", seat.into()));
        }
        cmd.update(
            "election_candidates",
            &[tenant.into(), e.id.into(), cand.resident_id.into()],
            &sets,
        )
        .await?;
    }
    cmd.update(
        "elections",
        &[tenant.into(), e.id.into()],
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

/// An election as the public sees it: candidates by name (they stand for office), turnout, and,
/// once closed, the votes and who was elected.
#[derive(Debug, Clone)]
pub struct ElectionView {
    pub election: ElectionRow,
    pub council: CouncilRow,
    pub candidates: Vec<CandidateRow>,
    pub rule: Option<ElectionRule>,
    /// The count, once the box is opened.
    pub result: Option<Count>,
    /// Whether voting is open now (by the clock, not only the stored status).
    pub voting_open: bool,
}

pub async fn election_view(app: &App, election: Uuid) -> Result<ElectionView, AppError> {
    let mut read = app.db.read().await?;
    let (tenant, e) = election_and_tenant(&mut read, election).await?;
    let council = repo_c::council(&mut read, tenant, e.council_id)
        .await?
        .ok_or(AppError::NotFound("council"))?;
    let candidates = repo_e::candidates(&mut read, tenant, e.id).await?;
    read.rollback().await?;
    Ok(ElectionView {
        rule: serde_json::from_str(&e.rule_json).ok(),
        result: e
            .result_json
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok()),
        voting_open: box_state(&e, app.now()) == BoxState::Voting,
        election: e,
        council,
        candidates,
    })
}

/// Where the signed-in person stands in an election: not a resident on its roll, may vote, or has
/// voted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoterStanding {
    NotOnRoll,
    MayVote,
    Voted,
}

pub async fn voter_standing(
    app: &App,
    actor: &Actor,
    election: Uuid,
) -> Result<VoterStanding, AppError> {
    if actor.account_id.is_none() {
        return Ok(VoterStanding::NotOnRoll);
    }
    let mut read = app.db.read().await?;
    let (tenant, e) = election_and_tenant(&mut read, election).await?;
    let standing = match ballot_box::ballot_resident(&mut read, actor, tenant).await? {
        None => VoterStanding::NotOnRoll,
        Some(r) => match repo_e::voter(&mut read, tenant, e.id, r).await? {
            None => VoterStanding::NotOnRoll,
            Some(None) => VoterStanding::MayVote,
            Some(Some(_)) => VoterStanding::Voted,
        },
    };
    read.rollback().await?;
    Ok(standing)
}

/// A community's elections not yet counted, with their councils (for its notice board).
pub async fn open_elections_in(
    app: &App,
    community: Uuid,
) -> Result<Vec<(ElectionRow, CouncilRow)>, AppError> {
    let mut read = app.db.reads().await?;
    let tenant = crate::command::tenant_of(&mut read, community).await?;
    let councils = repo_c::councils(&mut read, tenant).await?;
    let out = repo_e::open_elections(&mut read, tenant)
        .await?
        .into_iter()
        .filter_map(|e| {
            let c = councils.iter().find(|c| c.id == e.council_id)?.clone();
            Some((e, c))
        })
        .collect();
    read.rollback().await?;
    Ok(out)
}

pub async fn elections_of(app: &App, council: Uuid) -> Result<Vec<ElectionRow>, AppError> {
    let mut read = app.db.reads().await?;
    let (tenant, c) = crate::councils::load_council(&mut read, council).await?;
    let out = repo_e::elections_of(&mut read, tenant, c.id).await?;
    read.rollback().await?;
    Ok(out)
}

/// Ends a seat before its term: the member resigns (only they may, for themselves), or staff record
/// a removal, a move away or a death. `last_day` is the last day the member sits.
pub async fn end_seat(
    app: &App,
    actor: &Actor,
    council: Uuid,
    seat: Uuid,
    reason: &str,
    last_day: &str,
) -> Result<(), AppError> {
    if !SEAT_END_REASONS.contains(&reason) {
        return Err(invalid("seat_end_reason_unknown", "reason"));
    }
    let last = parse_date(last_day.trim()).ok_or_else(|| invalid("date_invalid", "last_day"))?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Council, council),
        "council.seat_end",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, c) = crate::councils::load_council(read, council).await?;
    let (seat_council, resident, _, term_start, term_end, ended) =
        repo_e::seat_any(&mut cmd.tx, tenant, seat)
            .await?
            .ok_or(AppError::NotFound("seat"))?;
    if seat_council != c.id {
        return Err(AppError::NotFound("seat"));
    }
    if ended.is_some() {
        return Err(invalid("seat_already_ended", "seat_id"));
    }
    let own = match actor.account_id {
        Some(a) => repo_c::resident_account(&mut cmd.tx, tenant, resident).await? == Some(a),
        None => false,
    };
    if !(own && reason == "resigned") {
        actor
            .require(&mut cmd.tx, Permission::ManageCouncils, c.jurisdiction_id)
            .await?;
    }
    let last_text = format_date(last);
    if last_text < term_start
        || term_end
            .as_deref()
            .is_some_and(|end| last_text.as_str() > end)
    {
        return Err(invalid("seat_end_out_of_term", "last_day"));
    }
    cmd.update(
        "council_seats",
        &[tenant.into(), seat.into()],
        &[
            ("term_end", last_text.into()),
            ("end_reason", reason.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

pub struct NewSeries<'a> {
    pub council_id: Uuid,
    pub title: &'a str,
    /// Day of the month (a day past a month's end falls on its last day).
    pub day: u8,
    /// "HH:MM", Beijing time.
    pub time: &'a str,
    /// First day the calendar may use (YYYY-MM-DD).
    pub from: &'a str,
    pub meetings: u32,
}

/// Schedules a monthly meeting calendar (e.g. 北苑's council on the 10th of every month): the
/// calendar and each of its meetings in one command.
pub async fn schedule_series(
    app: &App,
    actor: &Actor,
    new: &NewSeries<'_>,
) -> Result<Uuid, AppError> {
    let title = text(new.title, "title", 120)?;
    let minute_of_day = election::parse_time_of_day(new.time)
        .ok_or_else(|| invalid("schedule_time_invalid", "time"))?;
    let schedule = MonthlySchedule {
        day: new.day,
        minute_of_day,
    };
    schedule.validate()?;
    if new.meetings == 0 || new.meetings > MAX_SERIES_MEETINGS {
        return Err(AppError::Invalid(
            DomainError::field("schedule_count_invalid", "meetings")
                .arg("max", MAX_SERIES_MEETINGS),
        ));
    }
    let from = parse_date(new.from.trim()).ok_or_else(|| invalid("date_invalid", "from"))?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Council, new.council_id),
        "meeting.series",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, c) = crate::councils::load_council(read, new.council_id).await?;
    let today = format_date(cmd.now().china_date());
    crate::councils::require_chair_or_staff(&mut cmd.tx, actor, tenant, &c, &today).await?;
    let series = new_id();
    let dates = schedule.dates(from, new.meetings as usize);
    cmd.insert(
        "meeting_series",
        &[
            ("tenant_id", tenant.into()),
            ("id", series.into()),
            ("council_id", c.id.into()),
            ("title", title.as_str().into()),
            ("day_of_month", i64::from(new.day).into()),
            ("minute_of_day", i64::from(minute_of_day).into()),
            ("first_date", format_date(from).into()),
            ("meetings", (dates.len() as i64).into()),
            ("created_at", cmd.now().micros().into()),
        ],
    )
    .await?;
    let created = cmd.now().micros();
    let rows: Vec<Vec<Value>> = dates
        .iter()
        .map(|d| {
            let at = Instant::china_midnight(*d).plus_seconds(i64::from(minute_of_day) * 60);
            vec![
                tenant.into(),
                new_id().into(),
                c.id.into(),
                title.as_str().into(),
                at.micros().into(),
                "scheduled".into(),
                created.into(),
                0i64.into(),
                series.into(),
            ]
        })
        .collect();
    cmd.insert_many(
        "meetings",
        &[
            "tenant_id",
            "id",
            "council_id",
            "title",
            "scheduled_for",
            "status",
            "created_at",
            "present_count",
            "series_id",
        ],
        &rows,
    )
    .await?;
    cmd.commit().await?;
    Ok(series)
}

pub async fn series_of(app: &App, council: Uuid) -> Result<Vec<SeriesRow>, AppError> {
    let mut read = app.db.reads().await?;
    let (tenant, c) = crate::councils::load_council(&mut read, council).await?;
    let out = repo_e::series_of(&mut read, tenant, c.id).await?;
    read.rollback().await?;
    Ok(out)
}
