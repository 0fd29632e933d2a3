//! Election pages: the public page of an election (candidates, turnout, and after the count the
//! votes and who was elected, with the rule that decided), the secret ballot for a resident on the
//! roll (big tick boxes, no typing), and the count for the chair or staff once voting has closed.
//! Works without JavaScript.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use gongzhi_app::elections::{self, ElectionView, VoterStanding};
use gongzhi_domain::election::Share;
use gongzhi_domain::lifecycle::BallotBoxStatus;
use gongzhi_domain::threshold::Bound;
use gongzhi_domain::time::Instant;
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiForm, DisplayPrefs, PageContext, SignedInPage, SignedInVisitor, Visitor};
use crate::i18n::Lang;
use crate::pages::{Page, error_page, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/e/{id}", get(election_page))
        .route("/e/{id}/ballot", post(ballot))
        .route("/e/{id}/count", post(count))
        .route("/council/{id}/resign", post(resign))
}

#[derive(serde::Deserialize)]
struct ResignForm {
    seat: Uuid,
    last_day: String,
}

/// A member resigns their own seat from the council page.
async fn resign(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<ResignForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/council/{id}");
    match elections::end_seat(
        &state.app,
        &visitor.actor,
        id,
        f.seat,
        "resigned",
        &f.last_day,
    )
    .await
    {
        Ok(()) => page.flash = Some(lang.t("seat-resigned")),
        Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
    }
    crate::councils::council_view_page(&state, lang, page, &visitor, id).await
}

pub struct CandidateLine {
    pub id: String,
    pub name: String,
    pub votes: String,
    pub outcome: String,
    pub elected: bool,
}

#[derive(Template)]
#[template(path = "election.html")]
struct ElectionPage {
    page: Page,
    id: String,
    title: String,
    council: String,
    council_id: String,
    kind: String,
    facts: Vec<String>,
    rule: String,
    candidates: Vec<CandidateLine>,
    closed: bool,
    result: Option<String>,
    /// The ballot form is shown to a resident on the roll who has not voted.
    may_vote: bool,
    voted: bool,
    signed_in: bool,
    voting_open: bool,
    seats: i64,
    /// The count button, for the chair or staff once voting time is over.
    may_count: bool,
}

/// "more than 1/2" / "过半数", "at least 2/3" / "2/3以上".
fn share_text(lang: Lang, s: &Share) -> String {
    let key = match s.bound {
        Bound::AtLeast => "share-at-least",
        Bound::MoreThan => "share-more-than",
    };
    lang.t_args(
        key,
        &[("num", s.num.to_string()), ("den", s.den.to_string())],
    )
}

async fn election_view_page(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    id: Uuid,
) -> Response {
    let v: ElectionView = match elections::election_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let standing = elections::voter_standing(&state.app, &visitor.actor, id)
        .await
        .unwrap_or(VoterStanding::NotOnRoll);
    let e = &v.election;
    let closed = e.status == BallotBoxStatus::Closed;
    let mut facts = vec![
        lang.t_args("election-seats", &[("seats", e.seats.to_string())]),
        lang.t_args(
            "election-window",
            &[
                ("opened", lang.minute(Instant::from_micros(e.opened_at))),
                ("closes", lang.minute(Instant::from_micros(e.closes_at))),
            ],
        ),
        lang.t_args(
            "election-turnout",
            &[
                ("cast", e.ballots_cast.to_string()),
                ("electorate", e.electorate.to_string()),
            ],
        ),
    ];
    if let Some(t) = &e.term_end {
        facts.push(lang.t_args("election-term-end", &[("date", t.clone())]));
    }
    let rule = v
        .rule
        .map(|r| {
            lang.t_args(
                "election-rule",
                &[
                    ("turnout", share_text(lang, &r.turnout)),
                    ("winner", share_text(lang, &r.winner)),
                ],
            )
        })
        .unwrap_or_default();
    let result = v.result.as_ref().map(|r| {
        if r.valid {
            let mut text = lang.t_args(
                "election-result-valid",
                &[
                    ("ballots", r.ballots.to_string()),
                    ("min_votes", r.min_votes.to_string()),
                ],
            );
            if !r.tied.is_empty() {
                text.push_str(&lang.t("election-result-tied"));
            }
            text
        } else {
            lang.t_args(
                "election-result-invalid",
                &[
                    ("ballots", r.ballots.to_string()),
                    ("min_ballots", r.min_ballots.to_string()),
                ],
            )
        }
    });
    let candidates = v
        .candidates
        .iter()
        .map(|c| CandidateLine {
            id: c.resident_id.to_string(),
            name: c.name.clone(),
            votes: c.votes.map(|n| n.to_string()).unwrap_or_default(),
            outcome: c
                .outcome
                .as_ref()
                .map(|o| lang.t(&format!("election-outcome-{o}")))
                .unwrap_or_default(),
            elected: c.outcome.as_deref() == Some("elected"),
        })
        .collect();
    // Only whether to show the button: the count itself checks again.
    let may_count = !closed
        && !v.voting_open
        && gongzhi_app::councils::may_run_council(&state.app, &visitor.actor, v.council.id)
            .await
            .unwrap_or(false);
    render(&ElectionPage {
        page,
        id: id.to_string(),
        title: e.title.clone(),
        council: if lang == Lang::En {
            v.council.name_en.clone()
        } else {
            v.council.name_zh.clone()
        },
        council_id: v.council.id.to_string(),
        kind: lang.t(&format!("election-kind-{}", e.kind)),
        facts,
        rule,
        candidates,
        closed,
        result,
        may_vote: v.voting_open && standing == VoterStanding::MayVote,
        voted: standing == VoterStanding::Voted,
        signed_in: visitor.account.is_some(),
        voting_open: v.voting_open,
        seats: e.seats,
        may_count,
    })
}

async fn election_page(
    State(state): State<AppState>,
    PageContext(lang, visitor, page): PageContext,
    Path(id): Path<Uuid>,
) -> Response {
    election_view_page(&state, lang, page, &visitor, id).await
}

/// The ballot: repeated `choice` fields, one per ticked candidate (none is a blank ballot).
async fn ballot(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path(id): Path<Uuid>,
    ApiForm(fields): ApiForm<Vec<(String, String)>>,
) -> Response {
    let choices: Vec<Uuid> = fields
        .iter()
        .filter(|(k, _)| k == "choice")
        .filter_map(|(_, v)| Uuid::parse_str(v.trim()).ok())
        .collect();
    let mut page = Page::new(lang, &large, &visitor, &format!("/e/{id}"));
    match elections::cast_ballot(&state.app, &visitor.actor, id, &choices, None).await {
        Ok(()) => page.flash = Some(lang.t("ballot-cast")),
        Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
    }
    election_view_page(&state, lang, page, &visitor, id).await
}

async fn count(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
) -> Response {
    // The page the form was on.
    page.path = format!("/e/{id}");
    match elections::close_election(&state.app, &visitor.actor, id).await {
        Ok(_) => page.flash = Some(lang.t("election-counted")),
        Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
    }
    election_view_page(&state, lang, page, &visitor, id).await
}
