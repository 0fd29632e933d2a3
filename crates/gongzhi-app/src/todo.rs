//! A person's to-do list: what waits for *them* now, in every community they belong to or serve.
//!
//! Each item is found by the function its command refuses by, so the list never offers what the
//! command would refuse nor hides what it would accept: a ballot by the box's state and the
//! voter's roll entry (`elections::voter_standing`, `budget_votes::may_vote`), an objection by
//! `councils::may_object`, a signature by the expense's pinned signers (`expenses_awaiting`), a
//! payment by the custodian's office (`is_custodian_of`), an answer by `objection_desk`, a call's
//! decision by `awaits_decision` and the buyer's permission, a need by its reply date.

use gongzhi_domain::Fen;
use gongzhi_domain::council::NoticeState;
use gongzhi_domain::election::BoxState;
use gongzhi_domain::lifecycle::ExpenseStatus;
use gongzhi_domain::time::{Instant, format_date};
use gongzhi_store::repo;
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::{App, AppError};

/// One thing waiting for the person, with what its page needs to link to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Todo {
    /// Messages in her inbox she has not read (an answer, a notice, a vote opened).
    Messages { unread: i64 },
    /// An election open to her, not yet voted in; closes at `closes_at`.
    Vote {
        election: Uuid,
        council: String,
        closes_at: Instant,
    },
    /// A residents' budget vote open to her (or her household), not yet voted in.
    BudgetVote {
        vote: Uuid,
        title: String,
        closes_at: Instant,
    },
    /// A resolution on notice she may object to, until `notice_end`.
    Object {
        resolution: Uuid,
        label: String,
        title: String,
        notice_end: Instant,
    },
    /// An expense waiting for her signature at the step it stands at.
    Sign {
        expense: Uuid,
        description: String,
        amount: Fen,
    },
    /// An approved expense her custodian office pays.
    Pay {
        expense: Uuid,
        description: String,
        amount: Fen,
    },
    /// Objections to a resolution waiting for the council's answer (she chairs it or keeps it).
    Answer {
        resolution: Uuid,
        label: String,
        waiting: usize,
    },
    /// Needs past their reply date in a community she keeps the needs ledger of.
    OverdueNeeds { community: String, count: usize },
    /// A call closed for bids that waits for her decision as its buyer.
    Decide { call: Uuid, title: String },
    /// A meeting with motions still open, which she may run (she chairs the council or keeps
    /// it): record votes and close them.
    RunMeeting {
        meeting: Uuid,
        council: String,
        title: String,
        open_motions: usize,
    },
    /// A need she reported that the community answered lately (`ANSWERED_LATELY`).
    NeedAnswered { title: String },
}

/// How long an answer to a resident's need stays on her list: long enough to be seen by someone
/// who signs in once a week.
pub const ANSWERED_LATELY_DAYS: i64 = 14;

/// What waits for `actor` now. A visitor who is not signed in has nothing to do.
pub async fn todo_list(app: &App, actor: &Actor) -> Result<Vec<Todo>, AppError> {
    let Some(me) = actor.account_id else {
        return Ok(Vec::new());
    };
    let now = app.now();
    let mut out = Vec::new();
    let unread = crate::notify::unread(app, actor).await?;
    if unread > 0 {
        out.push(Todo::Messages { unread });
    }
    for community in communities_of(app, actor).await? {
        ballots(app, actor, community.id, now, &mut out).await?;
        notices(app, actor, community.id, &mut out).await?;
        for (_, v) in crate::ledger::expenses_awaiting(app, actor, community.id).await? {
            out.push(Todo::Sign {
                expense: v.expense.id,
                description: v.expense.description.clone(),
                amount: Fen::new(v.expense.amount),
            });
        }
        payments(app, me, community.id, &mut out).await?;
        meetings_to_run(app, actor, community.id, &mut out).await?;
        needs_answered(app, me, community.id, &mut out).await?;
        if actor
            .may(app, Permission::ManageProjects, community.id)
            .await
        {
            overdue_needs(app, &community, &mut out).await?;
        }
    }
    calls_to_decide(app, actor, now, &mut out).await?;
    Ok(out)
}

/// The communities at or above the actor's grants: a resident's own, a signer's, a keeper's.
/// Grants above community level (a street's, a district's) reach their calls, not every
/// community below them.
async fn communities_of(app: &App, actor: &Actor) -> Result<Vec<repo::JurisdictionRow>, AppError> {
    let mut read = app.db.read().await?;
    let mut out: Vec<repo::JurisdictionRow> = Vec::new();
    for (_, place) in &actor.grants {
        let chain = repo::ancestors(&mut read, *place).await?;
        if let Some(c) = chain.into_iter().find(|j| j.level == "community")
            && !out.iter().any(|o| o.id == c.id)
        {
            out.push(c);
        }
    }
    read.rollback().await?;
    Ok(out)
}

async fn ballots(
    app: &App,
    actor: &Actor,
    community: Uuid,
    now: Instant,
    out: &mut Vec<Todo>,
) -> Result<(), AppError> {
    for (e, c) in crate::elections::open_elections_in(app, community).await? {
        if crate::elections::box_state(&e, now) == BoxState::Voting
            && crate::elections::voter_standing(app, actor, e.id).await?
                == crate::elections::VoterStanding::MayVote
        {
            out.push(Todo::Vote {
                election: e.id,
                council: c.name_zh.clone(),
                closes_at: Instant::from_micros(e.closes_at),
            });
        }
    }
    for v in crate::budget_votes::votes_in(app, community).await? {
        if crate::budget_votes::box_state(&v, now) == BoxState::Voting
            && crate::budget_votes::may_vote(app, actor, v.id).await?
        {
            out.push(Todo::BudgetVote {
                vote: v.id,
                title: v.title.clone(),
                closes_at: Instant::from_micros(v.closes_at),
            });
        }
    }
    Ok(())
}

async fn notices(
    app: &App,
    actor: &Actor,
    community: Uuid,
    out: &mut Vec<Todo>,
) -> Result<(), AppError> {
    for r in crate::councils::notice_board(app, community).await? {
        if r.state == NoticeState::Open && crate::councils::may_object(app, actor, r.row.id).await?
        {
            out.push(Todo::Object {
                resolution: r.row.id,
                label: r.row.label.clone(),
                title: r.row.title.clone(),
                notice_end: Instant::from_micros(r.row.notice_end.unwrap_or_default()),
            });
        }
        let waiting = r.objections.iter().filter(|o| o.answer.is_none()).count();
        if waiting > 0
            && crate::councils::objection_desk(app, actor, r.row.id)
                .await?
                .is_some()
        {
            out.push(Todo::Answer {
                resolution: r.row.id,
                label: r.row.label.clone(),
                waiting,
            });
        }
    }
    Ok(())
}

/// Approved expenses, not lapsed, of funds whose custodian's office she holds: what
/// `pay_expense` accepts from her.
async fn payments(
    app: &App,
    me: Uuid,
    community: Uuid,
    out: &mut Vec<Todo>,
) -> Result<(), AppError> {
    let now = app.now();
    let mut read = app.db.read().await?;
    let expenses = gongzhi_store::ledger::expenses(&mut read, community).await?;
    let budgets = gongzhi_store::ledger::budgets(&mut read, community).await?;
    read.rollback().await?;
    for e in expenses.into_iter().filter(|e| {
        e.status == ExpenseStatus::Approved
            && !e.status.is_lapsed(Instant::from_micros(e.expires_at), now)
    }) {
        let Some(b) = budgets.iter().find(|b| b.id == e.budget_id) else {
            continue;
        };
        if crate::ledger::is_custodian_of(app, b.fund_id, Some(me)).await {
            out.push(Todo::Pay {
                expense: e.id,
                description: e.description,
                amount: Fen::new(e.amount),
            });
        }
    }
    Ok(())
}

async fn overdue_needs(
    app: &App,
    community: &repo::JurisdictionRow,
    out: &mut Vec<Todo>,
) -> Result<(), AppError> {
    let filter = gongzhi_store::projects::NeedFilter {
        overdue_before: Some(format_date(app.now().china_date())),
        limit: 500,
        ..Default::default()
    };
    let mut read = app.db.reads().await?;
    let count = gongzhi_store::projects::needs_page(&mut read, community.id, &filter)
        .await?
        .len();
    read.rollback().await?;
    if count > 0 {
        out.push(Todo::OverdueNeeds {
            community: community.code.clone(),
            count,
        });
    }
    Ok(())
}

/// Calls closed for bids and not yet decided, at places where she buys (`ManagePurchases`).
async fn calls_to_decide(
    app: &App,
    actor: &Actor,
    now: Instant,
    out: &mut Vec<Todo>,
) -> Result<(), AppError> {
    let mut read = app.db.read().await?;
    for place in actor.granted_places(Permission::ManagePurchases) {
        let tenant = crate::command::tenant_of(&mut read, place).await?;
        for c in gongzhi_store::procurement::calls_of_buyer(&mut read, tenant, place).await? {
            if crate::procurement::awaits_decision(&c, now)
                && actor
                    .can(&mut read, Permission::ManagePurchases, c.buyer_id)
                    .await?
                && !out
                    .iter()
                    .any(|t| matches!(t, Todo::Decide { call, .. } if *call == c.id))
            {
                out.push(Todo::Decide {
                    call: c.id,
                    title: c.title.clone(),
                });
            }
        }
    }
    read.rollback().await?;
    Ok(())
}

/// Meetings not yet closed with motions still open, where `actor` passes the rule that votes
/// recorded for members and closes need (`councils::require_chair_or_staff`).
async fn meetings_to_run(
    app: &App,
    actor: &Actor,
    community: Uuid,
    out: &mut Vec<Todo>,
) -> Result<(), AppError> {
    let today = format_date(app.now().china_date());
    let mut read = app.db.read().await?;
    for (id, council, title) in
        gongzhi_store::councils::open_council_meetings(&mut read, community).await?
    {
        let open_motions = gongzhi_store::councils::motions_of_meeting(&mut read, community, id)
            .await?
            .iter()
            .filter(|(_, _, status)| status.is_open())
            .count();
        if open_motions == 0 {
            continue;
        }
        let Some(m) = gongzhi_store::councils::meeting(&mut read, community, id).await? else {
            continue;
        };
        let Some(c) = gongzhi_store::councils::council(&mut read, community, m.council_id).await?
        else {
            continue;
        };
        if crate::councils::require_chair_or_staff(&mut read, actor, community, &c, &today)
            .await
            .is_ok()
        {
            out.push(Todo::RunMeeting {
                meeting: id,
                council,
                title,
                open_motions,
            });
        }
    }
    read.rollback().await?;
    Ok(())
}

/// Her own needs the community answered in the last `ANSWERED_LATELY_DAYS`.
async fn needs_answered(
    app: &App,
    me: Uuid,
    community: Uuid,
    out: &mut Vec<Todo>,
) -> Result<(), AppError> {
    let since = app.now().micros() - ANSWERED_LATELY_DAYS * 86_400_000_000;
    let filter = gongzhi_store::projects::NeedFilter {
        reporter_account: Some(me),
        limit: 50,
        ..Default::default()
    };
    let mut read = app.db.reads().await?;
    let mine = gongzhi_store::projects::needs_page(&mut read, community, &filter).await?;
    read.rollback().await?;
    for n in mine {
        if n.replied_at.is_some_and(|at| at >= since) {
            out.push(Todo::NeedAnswered { title: n.title });
        }
    }
    Ok(())
}
