//! The JSON API of council elections (secret ballot, assisted ballots, the count), by-elections,
//! the end of a seat (resignation and the like) and monthly meeting calendars.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use gongzhi_app::elections::{self, ElectionView, NewElection, NewSeries};
use gongzhi_domain::time::{Instant, parse_china_minute};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiResult, Route, created, err, obj, ok};
use crate::error::ApiError;
use crate::extract::{ApiJson, Authed};
use crate::i18n::Lang;

pub const ROUTES: &[Route] = &[
    Route {
        method: "post",
        path: "/elections",
        handler: || post(open_election),
        operation: "open_election",
        summary: "Open an election (general, or a by-election for vacant seats): snapshots the roll of the council's area and pins the election rule (staff)",
        body: Some(|| {
            obj(
                &[
                    "council_id",
                    "kind",
                    "title",
                    "seats",
                    "candidates",
                    "closes_at",
                ],
                &[
                    ("council_id", "string"),
                    ("kind", "string"),
                    ("title", "string"),
                    ("seats", "integer"),
                    ("candidates", "array"),
                    ("closes_at", "string"),
                    ("term_end", "string"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/elections/{id}",
        handler: || get(election),
        operation: "election",
        summary: "An election: candidates, electorate, ballots cast, and once closed the votes, who was elected and the rule that decided",
        body: None,
    },
    Route {
        method: "post",
        path: "/elections/{id}/ballots",
        handler: || post(cast_ballot),
        operation: "cast_ballot",
        summary: "Cast a secret ballot (a resident for themselves; staff enter an assisted or paper ballot with `resident_id`)",
        body: Some(|| {
            obj(
                &["choices"],
                &[("choices", "array"), ("resident_id", "string")],
            )
        }),
    },
    Route {
        method: "post",
        path: "/elections/{id}/close",
        handler: || post(close_election),
        operation: "close_election",
        summary: "After voting closes: open the ballot box, count, and seat the elected (chair or staff)",
        body: None,
    },
    Route {
        method: "get",
        path: "/councils/{id}/elections",
        handler: || get(council_elections),
        operation: "council_elections",
        summary: "A council's elections, newest first",
        body: None,
    },
    Route {
        method: "post",
        path: "/councils/{id}/seats/{seat_id}/end",
        handler: || post(end_seat),
        operation: "end_seat",
        summary: "End a seat before its term: a member resigns; staff record a removal, a move away or a death",
        body: Some(|| {
            obj(
                &["reason", "last_day"],
                &[("reason", "string"), ("last_day", "string")],
            )
        }),
    },
    Route {
        method: "post",
        path: "/councils/{id}/meeting-series",
        handler: || post(schedule_series),
        operation: "schedule_series",
        summary: "Schedule a monthly meeting calendar (e.g. the 10th of each month at 19:30) and its meetings",
        body: Some(|| {
            obj(
                &["title", "day", "time", "from", "meetings"],
                &[
                    ("title", "string"),
                    ("day", "integer"),
                    ("time", "string"),
                    ("from", "string"),
                    ("meetings", "integer"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/councils/{id}/meeting-series",
        handler: || get(council_series),
        operation: "council_series",
        summary: "A council's meeting calendars",
        body: None,
    },
];

#[derive(Deserialize)]
struct OpenBody {
    council_id: Uuid,
    kind: String,
    title: String,
    seats: u32,
    candidates: Vec<Uuid>,
    closes_at: String,
    term_end: Option<String>,
}

async fn open_election(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<OpenBody>,
) -> ApiResult {
    let closes_at = parse_china_minute(&b.closes_at).ok_or_else(|| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "datetime_invalid").lang(lang)
    })?;
    let id = elections::open_election(
        &state.app,
        &v.actor,
        &NewElection {
            council_id: b.council_id,
            kind: &b.kind,
            title: &b.title,
            seats: b.seats,
            candidates: &b.candidates,
            closes_at,
            term_end: b.term_end.as_deref(),
        },
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": id}))
}

/// An election as JSON: candidates are named (they stand for office); the votes appear only once
/// the box is opened.
pub(crate) fn election_json(v: &ElectionView) -> Value {
    let e = &v.election;
    let candidates: Vec<Value> = v
        .candidates
        .iter()
        .map(|c| json!({"resident_id": c.resident_id, "name": c.name, "votes": c.votes, "outcome": c.outcome}))
        .collect();
    json!({
        "id": e.id,
        "council_id": e.council_id,
        "council": v.council.name_zh,
        "kind": e.kind,
        "title": e.title,
        "seats": e.seats,
        "opened_at": Instant::from_micros(e.opened_at).china_minute(),
        "closes_at": Instant::from_micros(e.closes_at).china_minute(),
        "term_end": e.term_end,
        "status": e.status,
        "voting_open": v.voting_open,
        "electorate": e.electorate,
        "ballots_cast": e.ballots_cast,
        "rule": v.rule,
        "candidates": candidates,
        "result": v.result,
    })
}

async fn election(State(state): State<AppState>, lang: Lang, Path(id): Path<Uuid>) -> ApiResult {
    let v = elections::election_view(&state.app, id)
        .await
        .map_err(err(lang))?;
    ok(election_json(&v))
}

#[derive(Deserialize)]
struct BallotBody {
    choices: Vec<Uuid>,
    resident_id: Option<Uuid>,
}

async fn cast_ballot(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<BallotBody>,
) -> ApiResult {
    elections::cast_ballot(&state.app, &v.actor, id, &b.choices, b.resident_id)
        .await
        .map_err(err(lang))?;
    created(json!({"cast": true}))
}

async fn close_election(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let count = elections::close_election(&state.app, &v.actor, id)
        .await
        .map_err(err(lang))?;
    ok(json!(count))
}

async fn council_elections(
    State(state): State<AppState>,
    lang: Lang,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let list = elections::elections_of(&state.app, id)
        .await
        .map_err(err(lang))?;
    let list: Vec<Value> = list
        .iter()
        .map(|e| json!({"id": e.id, "kind": e.kind, "title": e.title, "seats": e.seats, "status": e.status, "closes_at": Instant::from_micros(e.closes_at).china_minute(), "electorate": e.electorate, "ballots_cast": e.ballots_cast}))
        .collect();
    ok(json!({"elections": list}))
}

#[derive(Deserialize)]
struct EndBody {
    reason: String,
    last_day: String,
}

async fn end_seat(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path((id, seat)): Path<(Uuid, Uuid)>,
    ApiJson(b): ApiJson<EndBody>,
) -> ApiResult {
    elections::end_seat(&state.app, &v.actor, id, seat, &b.reason, &b.last_day)
        .await
        .map_err(err(lang))?;
    ok(json!({"ended": true}))
}

#[derive(Deserialize)]
struct SeriesBody {
    title: String,
    day: u8,
    time: String,
    from: String,
    meetings: u32,
}

async fn schedule_series(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<SeriesBody>,
) -> ApiResult {
    let series = elections::schedule_series(
        &state.app,
        &v.actor,
        &NewSeries {
            council_id: id,
            title: &b.title,
            day: b.day,
            time: &b.time,
            from: &b.from,
            meetings: b.meetings,
        },
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": series}))
}

async fn council_series(
    State(state): State<AppState>,
    lang: Lang,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let list = elections::series_of(&state.app, id)
        .await
        .map_err(err(lang))?;
    let list: Vec<Value> = list
        .iter()
        .map(|s| json!({"id": s.id, "title": s.title, "day_of_month": s.day_of_month, "time": format!("{:02}:{:02}", s.minute_of_day / 60, s.minute_of_day % 60), "first_date": s.first_date, "meetings": s.meetings}))
        .collect();
    ok(json!({"series": list}))
}
