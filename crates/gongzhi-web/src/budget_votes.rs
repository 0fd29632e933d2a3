//! Budget-vote pages: the public page of a resident-wide vote (projects and costs, turnout, and
//! after the count every project's result with the reason, in words a resident can check), the
//! secret ballot for a resident on the roll (big tick boxes or point boxes), and the count for
//! staff once voting has closed. Works without JavaScript.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongzhi_app::authz::Permission;
use gongzhi_domain::lifecycle::BallotBoxStatus;
use std::collections::HashMap;

use gongzhi_app::AppError;
use gongzhi_app::budget_votes::{self, BudgetVoteView, NewBudgetVote};
use gongzhi_domain::Fen;
use gongzhi_domain::budget_vote::{BALLOT_KINDS, BallotForm, Why};
use gongzhi_domain::time::Instant;
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiForm, PageContext, SignedInPage, Visitor};
use crate::i18n::Lang;
use crate::pages::{Page, error_page, render};
use crate::procurement_staff::Typed;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v/new", get(new_vote).post(open_vote))
        .route("/v/{id}", get(vote_page))
        .route("/v/{id}/ballot", post(ballot))
        .route("/v/{id}/sheet", post(sheet))
        .route("/v/{id}/count", post(count))
}

pub struct ProjectLine {
    pub position: usize,
    pub title: String,
    pub cost: String,
    pub votes: String,
    pub outcome: String,
    pub why: String,
    pub chosen: bool,
}

#[derive(Template)]
#[template(path = "budget_vote.html")]
struct VotePage {
    page: Page,
    id: String,
    title: String,
    facts: Vec<String>,
    how: String,
    projects: Vec<ProjectLine>,
    closed: bool,
    result: Option<String>,
    may_vote: bool,
    points: bool,
    pick: String,
    signed_in: bool,
    voting_open: bool,
    may_count: bool,
    /// Staff after the close: the two clerks' entries of paper sheets, and where they stand.
    paper: Option<String>,
}

fn why_text(lang: Lang, why: &Why, cost: Fen) -> String {
    match why {
        Why::MostSupport => lang.t("bv-why-most-support"),
        Why::EqualShares { max_payment } => {
            lang.t_args("bv-why-equal-shares", &[("max", max_payment.to_string())])
        }
        Why::Completion => lang.t("bv-why-completion"),
        Why::DidNotFit { left } => lang.t_args(
            "bv-why-did-not-fit",
            &[("left", left.to_string()), ("cost", cost.to_string())],
        ),
        Why::SupportersRanOut { left } => lang.t_args(
            "bv-why-ran-out",
            &[("left", left.to_string()), ("cost", cost.to_string())],
        ),
        Why::NoSupport => lang.t("bv-why-no-support"),
    }
}

async fn vote_view_page(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &crate::extract::Visitor,
    id: Uuid,
) -> Response {
    let v: BudgetVoteView = match budget_votes::vote_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let may_vote = v.voting_open
        && budget_votes::may_vote(&state.app, &visitor.actor, id)
            .await
            .unwrap_or(false);
    let row = &v.vote;
    let closed = row.status == BallotBoxStatus::Closed;
    let facts = vec![
        lang.t_args(
            "bv-pot",
            &[("budget", Fen::new(row.budget_fen).to_string())],
        ),
        lang.t_args(
            "election-window",
            &[
                ("opened", lang.minute(Instant::from_micros(row.opens_at))),
                ("closes", lang.minute(Instant::from_micros(row.closes_at))),
            ],
        ),
        lang.t_args(
            "bv-turnout",
            &[
                ("cast", row.ballots_cast.to_string()),
                ("electorate", row.electorate.to_string()),
                ("online", v.channels.0.to_string()),
                ("assisted", v.channels.1.to_string()),
                ("paper", v.channels.2.to_string()),
                ("per", lang.t(&format!("bv-per-{}", row.per))),
            ],
        ),
    ];
    let pick = match v.form {
        BallotForm::ApproveK { k } => lang.t_args("bv-pick-k", &[("k", k.to_string())]),
        BallotForm::ApproveBudget => lang.t_args(
            "bv-pick-budget",
            &[("budget", Fen::new(row.budget_fen).to_string())],
        ),
        BallotForm::Points { total } => {
            lang.t_args("bv-pick-points", &[("total", total.to_string())])
        }
    };
    let rule_key = format!("bv-rule-{}", row.rule);
    let rule = match lang.t(&rule_key) {
        t if t == rule_key => lang.t_args("bv-rule-other", &[("rule", row.rule.clone())]),
        t => t,
    };
    let how = format!("{pick} {rule}");
    let projects = v
        .projects
        .iter()
        .enumerate()
        .map(|(i, (title, cost))| {
            let line = v.result.as_ref().map(|r| &r.projects[i]);
            ProjectLine {
                position: i,
                title: title.clone(),
                cost: cost.to_string(),
                votes: line.map(|l| l.votes.to_string()).unwrap_or_default(),
                outcome: match line.and_then(|l| l.chosen) {
                    Some(n) => lang.t_args("bv-chosen", &[("n", n.to_string())]),
                    None if line.is_some() => lang.t("bv-not-chosen"),
                    None => String::new(),
                },
                why: line
                    .map(|l| why_text(lang, &l.why, *cost))
                    .unwrap_or_default(),
                chosen: line.is_some_and(|l| l.chosen.is_some()),
            }
        })
        .collect();
    let result = v.result.as_ref().map(|r| {
        lang.t_args(
            "bv-result",
            &[
                ("ballots", r.ballots.to_string()),
                ("spent", r.spent.to_string()),
                ("budget", Fen::new(row.budget_fen).to_string()),
            ],
        )
    });
    // Only whether to show the button and the sheet form: the commands check again.
    let may_count = !closed
        && !v.voting_open
        && visitor
            .actor
            .may(&state.app, Permission::ManageProjects, row.place_id)
            .await;
    let paper = match may_count {
        true => budget_votes::paper_reconciliation(&state.app, &visitor.actor, id)
            .await
            .ok()
            .map(|c| {
                lang.t_args(
                    "bv-paper-state",
                    &[
                        ("marked", c.marked.to_string()),
                        ("agreed", c.agreed.len().to_string()),
                        ("disagree", c.disagree.join(", ")),
                        ("single", c.single.join(", ")),
                    ],
                )
            }),
        false => None,
    };
    render(&VotePage {
        page,
        id: id.to_string(),
        title: row.title.clone(),
        facts,
        how,
        projects,
        closed,
        result,
        may_vote,
        points: matches!(v.form, BallotForm::Points { .. }),
        pick,
        signed_in: visitor.account.is_some(),
        voting_open: v.voting_open,
        may_count,
        paper,
    })
}

async fn vote_page(
    State(state): State<AppState>,
    PageContext(lang, visitor, page): PageContext,
    Path(id): Path<Uuid>,
) -> Response {
    vote_view_page(&state, lang, page, &visitor, id).await
}

/// The ballot: repeated `choice` fields (project positions) on approval ballots, or one
/// `points-N` field per project on points ballots (empty or 0 leaves the project out).
async fn ballot(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(fields): ApiForm<Vec<(String, String)>>,
) -> Response {
    // The page the form was on.
    page.path = format!("/v/{id}");
    let Some(marks) = marks_of(&fields) else {
        page.error = Some(lang.t("bv-points-number"));
        return vote_view_page(&state, lang, page, &visitor, id).await;
    };
    match budget_votes::cast_vote(&state.app, &visitor.actor, id, &marks, None).await {
        Ok(()) => page.flash = Some(lang.t("ballot-cast")),
        Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
    }
    vote_view_page(&state, lang, page, &visitor, id).await
}

/// The marks of a ballot form: repeated `choice` fields (project positions), or `points-N`
/// fields (empty or 0 leaves the project out). None if points are not whole numbers.
fn marks_of(fields: &[(String, String)]) -> Option<Vec<(usize, u32)>> {
    let mut marks = Vec::new();
    for (k, value) in fields {
        let value = value.trim();
        if k == "choice" {
            if let Ok(p) = value.parse() {
                marks.push((p, 1));
            }
        } else if let Some(p) = k.strip_prefix("points-").and_then(|p| p.parse().ok()) {
            match value {
                "" | "0" => {}
                v => marks.push((p, v.parse::<u32>().ok()?)),
            }
        }
    }
    Some(marks)
}

/// A clerk's entry of one paper sheet (staff, after the close).
async fn sheet(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(fields): ApiForm<Vec<(String, String)>>,
) -> Response {
    // The page the form was on.
    page.path = format!("/v/{id}");
    let field = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let Some(marks) = marks_of(&fields) else {
        page.error = Some(lang.t("bv-points-number"));
        return vote_view_page(&state, lang, page, &visitor, id).await;
    };
    let entry = field("entry").parse::<u8>().unwrap_or(0);
    match budget_votes::enter_paper_sheet(
        &state.app,
        &visitor.actor,
        id,
        &field("sheet"),
        &marks,
        entry,
    )
    .await
    {
        Ok(()) => page.flash = Some(lang.t_args("bv-sheet-entered", &[("sheet", field("sheet"))])),
        Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
    }
    vote_view_page(&state, lang, page, &visitor, id).await
}

// ---- opening a vote (staff) ----

#[derive(Template)]
#[template(path = "budget_vote_new.html")]
struct NewVotePage {
    page: Page,
    places: Vec<crate::procurement::Choice>,
    kinds: Vec<crate::procurement::Choice>,
    typed: Typed,
}

async fn vote_form(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    typed: Typed,
) -> Response {
    let places =
        crate::procurement_staff::places_for(state, visitor, lang, Permission::ManageProjects)
            .await;
    if places.is_empty() {
        return crate::pages::forbidden_page(lang, page);
    }
    let kinds = BALLOT_KINDS
        .iter()
        .map(|k| crate::procurement::Choice {
            id: k.to_string(),
            label: lang.t(&format!("bv-kind-{k}")),
        })
        .collect();
    render(&NewVotePage {
        page,
        places,
        kinds,
        typed,
    })
}

async fn new_vote(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, page): SignedInPage,
) -> Response {
    let typed = Typed(HashMap::from([("number".to_string(), "3".to_string())]));
    vote_form(&state, lang, page, &visitor, typed).await
}

/// The projects box: one project a line, its title and then its cost in yuan after the last
/// comma, full-width comma or tab ("楼道灯，12000").
fn project_lines(text: &str) -> Result<Vec<(String, Fen)>, AppError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let at = line
                .rfind([',', '，', '\t'])
                .ok_or_else(|| AppError::invalid("budget_vote_project_line", "projects"))?;
            let cost = line[at..].trim_start_matches([',', '，', '\t']).trim();
            let fen = crate::api_ledger::yuan(cost, "projects")?;
            Ok((line[..at].trim().to_string(), Fen::new(fen)))
        })
        .collect()
}

async fn open_vote(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    ApiForm(f): ApiForm<HashMap<String, String>>,
) -> Response {
    // The page the form was on.
    page.path = "/v/new".to_string();
    let t = Typed(f);
    let result = async {
        let place = Uuid::parse_str(&t.trimmed("place_id"))
            .map_err(|_| AppError::invalid("jurisdiction_not_found", "place_id"))?;
        let number = t.trimmed("number").parse::<u32>().unwrap_or(0);
        let form =
            BallotForm::from_parts(&t.trimmed("ballot_kind"), number).map_err(AppError::Invalid)?;
        let budget = Fen::new(crate::api_ledger::yuan(&t.trimmed("budget"), "budget")?);
        let closes = crate::procurement_staff::datetime_local(&t.trimmed("closes_at"))
            .ok_or_else(|| AppError::invalid("datetime_invalid", "closes_at"))?;
        let projects = project_lines(t.get("projects"))?;
        budget_votes::open_vote(
            &state.app,
            &visitor.actor,
            &NewBudgetVote {
                place_id: place,
                title: t.get("title"),
                budget,
                form,
                projects: &projects,
                closes_at: closes,
            },
        )
        .await
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/v/{id}")).into_response(),
        Err(e) => {
            page.error = Some(ApiError::from_app(e, lang).message());
            vote_form(&state, lang, page, &visitor, t).await
        }
    }
}

async fn count(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
) -> Response {
    // The page the form was on.
    page.path = format!("/v/{id}");
    match budget_votes::close_vote(&state.app, &visitor.actor, id).await {
        Ok(_) => page.flash = Some(lang.t("bv-counted")),
        Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
    }
    vote_view_page(&state, lang, page, &visitor, id).await
}
