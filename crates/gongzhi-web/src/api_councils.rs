//! The councils' part of the JSON API: councils and seats, meetings with attendance, minutes and
//! requests for extraordinary meetings, motions, votes and recusals, resolutions on notice and the
//! objections to them, conventions and declared relatives.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use gongzhi_app::{AppError, councils, places};
use gongzhi_domain::person::redact_numbers;
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
        path: "/councils",
        handler: || post(create_council),
        operation: "create_council",
        summary: "Create a council or supervisory board at a community, resident group or courtyard",
        body: Some(|| {
            obj(
                &["jurisdiction_id", "kind", "name_zh", "short_name"],
                &[
                    ("jurisdiction_id", "string"),
                    ("kind", "string"),
                    ("name_zh", "string"),
                    ("name_en", "string"),
                    ("short_name", "string"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/councils/{id}",
        handler: || get(council),
        operation: "council",
        summary: "A council: members in office (named, acting in office) and meetings",
        body: None,
    },
    Route {
        method: "post",
        path: "/councils/{id}/seats",
        handler: || post(seat_member),
        operation: "seat_member",
        summary: "Seat a resident on a council for a term",
        body: Some(|| {
            obj(
                &["resident_id", "seat_role", "term_start"],
                &[
                    ("resident_id", "string"),
                    ("seat_role", "string"),
                    ("term_start", "string"),
                    ("term_end", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/councils/{id}/meetings",
        handler: || post(schedule_meeting),
        operation: "schedule_meeting",
        summary: "Schedule a meeting (time as YYYY-MM-DD HH:MM, China time)",
        body: Some(|| {
            obj(
                &["title", "scheduled_for"],
                &[("title", "string"), ("scheduled_for", "string")],
            )
        }),
    },
    Route {
        method: "post",
        path: "/meetings/{id}/attendance",
        handler: || post(record_attendance),
        operation: "record_attendance",
        summary: "Record a member present or absent",
        body: Some(|| {
            obj(
                &["seat_id", "present"],
                &[("seat_id", "string"), ("present", "boolean")],
            )
        }),
    },
    Route {
        method: "post",
        path: "/motions",
        handler: || post(open_motion),
        operation: "open_motion",
        summary: "Put a motion to the vote (the rulebook is pinned now)",
        body: Some(|| {
            obj(
                &["council_id", "kind", "title", "body"],
                &[
                    ("council_id", "string"),
                    ("meeting_id", "string"),
                    ("kind", "string"),
                    ("title", "string"),
                    ("body", "string"),
                    ("needs_notice", "boolean"),
                    ("approved_fund", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/motions/{id}/recusals",
        handler: || post(recuse),
        operation: "recuse",
        summary: "Declare a conflict of interest",
        body: Some(|| {
            obj(
                &["seat_id", "reason"],
                &[("seat_id", "string"), ("reason", "string")],
            )
        }),
    },
    Route {
        method: "post",
        path: "/motions/{id}/votes",
        handler: || post(cast_vote),
        operation: "cast_vote",
        summary: "Cast or change a vote (yes, no, abstain)",
        body: Some(|| {
            obj(
                &["seat_id", "choice"],
                &[("seat_id", "string"), ("choice", "string")],
            )
        }),
    },
    Route {
        method: "post",
        path: "/motions/{id}/close",
        handler: || post(close_motion),
        operation: "close_motion",
        summary: "Close the vote; a passed motion becomes a numbered resolution",
        body: None,
    },
    Route {
        method: "get",
        path: "/communities/{code}/notices",
        handler: || get(notice_board),
        operation: "notice_board",
        summary: "Public notice board: resolutions with their notice state",
        body: None,
    },
    Route {
        method: "get",
        path: "/resolutions/{id}",
        handler: || get(resolution),
        operation: "resolution",
        summary: "A resolution with its vote, notice and answered objections (public)",
        body: None,
    },
    Route {
        method: "post",
        path: "/resolutions/{id}/objections",
        handler: || post(file_objection),
        operation: "file_objection",
        summary: "Object to a resolution during its notice (residents of the area)",
        body: Some(|| obj(&["body"], &[("body", "string")])),
    },
    Route {
        method: "post",
        path: "/resolutions/{id}/objections/{objection_id}/answer",
        handler: || post(answer_objection),
        operation: "answer_objection",
        summary: "Answer an objection; upheld sends the resolution back",
        body: Some(|| {
            obj(
                &["answer", "upheld"],
                &[("answer", "string"), ("upheld", "boolean")],
            )
        }),
    },
    Route {
        method: "get",
        path: "/resolutions/{id}/objections",
        handler: || get(objection_desk),
        operation: "objection_desk",
        summary: "The objections with the residents' words and their review (the council's chair, staff)",
        body: None,
    },
    Route {
        method: "post",
        path: "/resolutions/{id}/objections/{objection_id}/review",
        handler: || post(review_objection),
        operation: "review_objection",
        summary: "Publish an objection's words beside its answer (numbers redacted) or withhold them (staff)",
        body: Some(|| obj(&["publish"], &[("publish", "boolean")])),
    },
    Route {
        method: "get",
        path: "/meetings/{id}",
        handler: || get(meeting),
        operation: "meeting",
        summary: "A meeting: attendance (members named, acting in office), minutes, signatures (public)",
        body: None,
    },
    Route {
        method: "post",
        path: "/meetings/{id}/minutes",
        handler: || post(write_minutes),
        operation: "write_minutes",
        summary: "Write the minutes (closes the meeting)",
        body: Some(|| obj(&["minutes"], &[("minutes", "string")])),
    },
    Route {
        method: "post",
        path: "/meetings/{id}/signatures",
        handler: || post(sign_minutes),
        operation: "sign_minutes",
        summary: "An attendee signs the minutes, as themselves",
        body: Some(|| obj(&["seat_id"], &[("seat_id", "string")])),
    },
    Route {
        method: "post",
        path: "/conventions",
        handler: || post(create_convention),
        operation: "create_convention",
        summary: "Create a convention; its text is adopted by motions of kind convention",
        body: Some(|| {
            obj(
                &["jurisdiction_id", "title"],
                &[("jurisdiction_id", "string"), ("title", "string")],
            )
        }),
    },
    Route {
        method: "get",
        path: "/conventions/{id}",
        handler: || get(convention),
        operation: "convention",
        summary: "A convention: current text and every version with the resolution that adopted it (public)",
        body: None,
    },
    Route {
        method: "post",
        path: "/communities/{id}/relatives",
        handler: || post(declare_relative),
        operation: "declare_relative",
        summary: "Record a declared close relationship between two residents (checked for supervisory-board independence)",
        body: Some(|| {
            obj(
                &["resident_id", "relative_id", "relation"],
                &[
                    ("resident_id", "string"),
                    ("relative_id", "string"),
                    ("relation", "string"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/councils/{id}/seats/{seat_id}/record",
        handler: || get(member_record),
        operation: "member_record",
        summary: "A member's record: meetings attended, votes cast or missed (public)",
        body: None,
    },
    Route {
        method: "post",
        path: "/councils/{id}/meeting-requests",
        handler: || post(request_meeting),
        operation: "request_meeting",
        summary: "A member requests an extraordinary meeting",
        body: Some(|| {
            obj(
                &["seat_id", "reason"],
                &[("seat_id", "string"), ("reason", "string")],
            )
        }),
    },
    Route {
        method: "post",
        path: "/meeting-requests/{id}/supports",
        handler: || post(support_request),
        operation: "support_request",
        summary: "Another member supports a meeting request",
        body: Some(|| obj(&["seat_id"], &[("seat_id", "string")])),
    },
    Route {
        method: "post",
        path: "/meeting-requests/{id}/call",
        handler: || post(call_requested_meeting),
        operation: "call_requested_meeting",
        summary: "A supporter calls the meeting once the rulebook's share of members supports it",
        body: Some(|| {
            obj(
                &["seat_id", "title", "scheduled_for"],
                &[
                    ("seat_id", "string"),
                    ("title", "string"),
                    ("scheduled_for", "string"),
                ],
            )
        }),
    },
];

#[derive(Deserialize)]
struct CouncilBody {
    jurisdiction_id: Uuid,
    kind: String,
    name_zh: String,
    #[serde(default)]
    name_en: String,
    short_name: String,
}

async fn create_council(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<CouncilBody>,
) -> ApiResult {
    let id = councils::create_council(
        &state.app,
        &v.actor,
        &councils::NewCouncil {
            jurisdiction_id: b.jurisdiction_id,
            kind: &b.kind,
            name_zh: &b.name_zh,
            name_en: &b.name_en,
            short_name: &b.short_name,
        },
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": id}))
}

async fn council(State(state): State<AppState>, lang: Lang, Path(id): Path<Uuid>) -> ApiResult {
    let (c, seats, meetings) = councils::council_view(&state.app, id)
        .await
        .map_err(err(lang))?;
    // Members act in office and are named in full; nothing else about them is shown.
    let seats: Vec<Value> = seats
        .iter()
        .map(|s| json!({"seat_id": s.id, "name": s.resident_name, "seat_role": s.seat_role, "term_start": s.term_start, "term_end": s.term_end}))
        .collect();
    let meetings: Vec<Value> = meetings
        .iter()
        .map(|m| json!({"id": m.id, "title": m.title, "scheduled_for": gongzhi_domain::time::Instant::from_micros(m.scheduled_for).china_minute(), "status": m.status}))
        .collect();
    ok(
        json!({"id": c.id, "jurisdiction_id": c.jurisdiction_id, "kind": c.kind, "name_zh": c.name_zh, "name_en": c.name_en, "short_name": c.short_name, "seats": seats, "meetings": meetings}),
    )
}

#[derive(Deserialize)]
struct SeatBody {
    resident_id: Uuid,
    seat_role: String,
    term_start: String,
    term_end: Option<String>,
}

async fn seat_member(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<SeatBody>,
) -> ApiResult {
    let seat = councils::seat_member(
        &state.app,
        &v.actor,
        id,
        b.resident_id,
        &b.seat_role,
        &b.term_start,
        b.term_end.as_deref(),
    )
    .await
    .map_err(err(lang))?;
    created(json!({"seat_id": seat}))
}

#[derive(Deserialize)]
struct MeetingBody {
    title: String,
    scheduled_for: String,
}

async fn schedule_meeting(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<MeetingBody>,
) -> ApiResult {
    let at = gongzhi_domain::time::parse_china_minute(&b.scheduled_for).ok_or_else(|| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "datetime_invalid").lang(lang)
    })?;
    let m = councils::schedule_meeting(&state.app, &v.actor, id, &b.title, at)
        .await
        .map_err(err(lang))?;
    created(json!({"id": m}))
}

#[derive(Deserialize)]
struct AttendanceBody {
    seat_id: Uuid,
    present: bool,
}

async fn record_attendance(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<AttendanceBody>,
) -> ApiResult {
    councils::record_attendance(&state.app, &v.actor, id, b.seat_id, b.present)
        .await
        .map_err(err(lang))?;
    ok(json!({"recorded": true}))
}

#[derive(Deserialize)]
struct MotionBody {
    council_id: Uuid,
    meeting_id: Option<Uuid>,
    kind: String,
    title: String,
    body: String,
    #[serde(default)]
    needs_notice: bool,
    convention_id: Option<Uuid>,
    proposed_text: Option<String>,
    /// A project approval without a project: what it approves from the fund, in yuan.
    approved_fund: Option<String>,
}

async fn open_motion(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<MotionBody>,
) -> ApiResult {
    let approved_fund = b
        .approved_fund
        .as_deref()
        .map(|a| crate::api_ledger::yuan(a, "approved_fund"))
        .transpose()
        .map_err(err(lang))?;
    let id = councils::open_motion(
        &state.app,
        &v.actor,
        &councils::NewMotion {
            council_id: b.council_id,
            meeting_id: b.meeting_id,
            kind: &b.kind,
            title: &b.title,
            body: &b.body,
            needs_notice: b.needs_notice,
            convention: b
                .convention_id
                .map(|id| (id, b.proposed_text.as_deref().unwrap_or(""))),
            approved_fund,
        },
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": id}))
}

#[derive(Deserialize)]
struct RecuseBody {
    seat_id: Uuid,
    reason: String,
}

async fn recuse(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<RecuseBody>,
) -> ApiResult {
    councils::recuse(&state.app, &v.actor, id, b.seat_id, &b.reason)
        .await
        .map_err(err(lang))?;
    ok(json!({"recused": true}))
}

#[derive(Deserialize)]
struct VoteBody {
    seat_id: Uuid,
    choice: String,
}

async fn cast_vote(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<VoteBody>,
) -> ApiResult {
    councils::cast_vote(&state.app, &v.actor, id, b.seat_id, &b.choice)
        .await
        .map_err(err(lang))?;
    ok(json!({"recorded": true}))
}

async fn close_motion(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let c = councils::close_motion(&state.app, &v.actor, id)
        .await
        .map_err(err(lang))?;
    let t = &c.tally;
    ok(json!({
        "passed": c.passed,
        "yes": t.counts.yes, "no": t.counts.no, "abstain": t.abstain, "recused": t.recused,
        "present": t.counts.present, "seated": t.counts.seated, "base": t.base, "min_yes": t.min_yes,
        "resolution": c.resolution.map(|(id, label)| json!({"id": id, "label": label})),
    }))
}

pub(crate) fn resolution_json(r: &councils::PublicResolution) -> Value {
    let at =
        |v: Option<i64>| v.map(|v| gongzhi_domain::time::Instant::from_micros(v).china_minute());
    let state = r.state.key();
    let in_force_since = match r.state {
        gongzhi_domain::council::NoticeState::InForce(i) => Some(i.china_minute()),
        _ => None,
    };
    // Objections are counted and their answers shown; a resident's own words appear only once
    // staff published them, with phone and ID numbers redacted.
    let answers: Vec<Value> = r
        .objections
        .iter()
        .map(|o| {
            json!({
                "id": o.id,
                "filed_at": gongzhi_domain::time::Instant::from_micros(o.filed_at).china_minute(),
                "body": o.published_body().map(redact_numbers),
                "answer": o.answer, "upheld": o.upheld,
            })
        })
        .collect();
    json!({
        "id": r.row.id, "label": r.row.label, "title": r.row.title, "council": r.council.name_zh, "council_id": r.council.id,
        "state": state, "in_force_since": in_force_since,
        "notice_start": at(r.row.notice_start), "notice_end": at(r.row.notice_end),
        "objections": answers,
    })
}

async fn notice_board(
    State(state): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
) -> ApiResult {
    let j = places::jurisdiction_by_code(&state.app, &code)
        .await
        .map_err(err(lang))?;
    let board = councils::notice_board(&state.app, j.id)
        .await
        .map_err(err(lang))?;
    ok(Value::Array(board.iter().map(resolution_json).collect()))
}

async fn resolution(State(state): State<AppState>, lang: Lang, Path(id): Path<Uuid>) -> ApiResult {
    let r = councils::resolution(&state.app, id)
        .await
        .map_err(err(lang))?;
    ok(resolution_json(&r))
}

#[derive(Deserialize)]
struct ObjectionBody {
    body: String,
}

async fn file_objection(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<ObjectionBody>,
) -> ApiResult {
    let o = councils::file_objection(&state.app, &v.actor, id, &b.body)
        .await
        .map_err(err(lang))?;
    created(json!({"id": o}))
}

async fn objection_desk(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let desk = councils::objection_desk(&state.app, &v.actor, id)
        .await
        .map_err(err(lang))?
        .ok_or_else(|| err(lang)(AppError::Forbidden))?;
    ok(json!({
        "may_review": desk.may_review,
        "objections": desk.objections.iter().map(|o| json!({
            "id": o.id,
            "filed_at": gongzhi_domain::time::Instant::from_micros(o.filed_at).china_minute(),
            "body": o.body, "review": o.body_review,
            "answer": o.answer, "upheld": o.upheld,
        })).collect::<Vec<_>>(),
    }))
}

#[derive(Deserialize)]
struct ReviewBody {
    publish: bool,
}

async fn review_objection(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path((id, objection)): Path<(Uuid, Uuid)>,
    ApiJson(b): ApiJson<ReviewBody>,
) -> ApiResult {
    councils::review_objection(&state.app, &v.actor, id, objection, b.publish)
        .await
        .map_err(err(lang))?;
    ok(json!({"review": if b.publish { "published" } else { "withheld" }}))
}

#[derive(Deserialize)]
struct AnswerBody {
    answer: String,
    upheld: bool,
}

async fn answer_objection(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path((id, objection)): Path<(Uuid, Uuid)>,
    ApiJson(b): ApiJson<AnswerBody>,
) -> ApiResult {
    councils::answer_objection(&state.app, &v.actor, id, objection, &b.answer, b.upheld)
        .await
        .map_err(err(lang))?;
    ok(json!({"answered": true}))
}

async fn meeting(State(state): State<AppState>, lang: Lang, Path(id): Path<Uuid>) -> ApiResult {
    let v = councils::meeting_view(&state.app, id)
        .await
        .map_err(err(lang))?;
    let attendance: Vec<Value> = v
        .attendance
        .iter()
        .map(|(name, present, signed)| json!({"name": name, "present": present, "signed": signed}))
        .collect();
    ok(json!({
        "id": v.meeting.id, "council": v.council.name_zh, "title": v.meeting.title,
        "scheduled_for": gongzhi_domain::time::Instant::from_micros(v.meeting.scheduled_for).china_minute(), "status": v.meeting.status,
        "attendance": attendance,
        "minutes": v.minutes.as_ref().map(|(t, at)| json!({"text": t, "written_at": at.china_minute()})),
        "minutes_approved": v.approved,
    }))
}

#[derive(Deserialize)]
struct MinutesBody {
    minutes: String,
}

async fn write_minutes(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<MinutesBody>,
) -> ApiResult {
    councils::write_minutes(&state.app, &v.actor, id, &b.minutes)
        .await
        .map_err(err(lang))?;
    ok(json!({"written": true}))
}

#[derive(Deserialize)]
struct SignBody {
    seat_id: Uuid,
}

async fn sign_minutes(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<SignBody>,
) -> ApiResult {
    councils::sign_minutes(&state.app, &v.actor, id, b.seat_id)
        .await
        .map_err(err(lang))?;
    ok(json!({"signed": true}))
}

#[derive(Deserialize)]
struct ConventionBody {
    jurisdiction_id: Uuid,
    title: String,
}

async fn create_convention(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<ConventionBody>,
) -> ApiResult {
    let id = councils::create_convention(&state.app, &v.actor, b.jurisdiction_id, &b.title)
        .await
        .map_err(err(lang))?;
    created(json!({"id": id}))
}

async fn convention(State(state): State<AppState>, lang: Lang, Path(id): Path<Uuid>) -> ApiResult {
    let v = councils::convention_view(&state.app, id)
        .await
        .map_err(err(lang))?;
    let versions: Vec<Value> = v
        .versions
        .iter()
        .zip(&v.states)
        .map(|((n, body, at, label), state)| json!({"version": n, "text": body, "adopted_at": at.china_minute(), "resolution": label, "state": state}))
        .collect();
    ok(
        json!({"id": v.convention.id, "title": v.convention.title, "current": v.current.map(|i| v.versions[i].1.clone()), "current_version": v.current.map(|i| v.versions[i].0), "versions": versions}),
    )
}

#[derive(Deserialize)]
struct RelativeBody {
    resident_id: Uuid,
    relative_id: Uuid,
    relation: String,
}

async fn declare_relative(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<RelativeBody>,
) -> ApiResult {
    let r = councils::declare_relative(
        &state.app,
        &v.actor,
        id,
        b.resident_id,
        b.relative_id,
        &b.relation,
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": r}))
}

async fn member_record(
    State(state): State<AppState>,
    lang: Lang,
    Path((id, seat)): Path<(Uuid, Uuid)>,
) -> ApiResult {
    let r = councils::member_record(&state.app, id, seat)
        .await
        .map_err(err(lang))?;
    let meetings: Vec<Value> = r
        .meetings
        .iter()
        .map(|(t, at, p)| json!({"meeting": t, "when": at.china_minute(), "present": p}))
        .collect();
    let votes: Vec<Value> = r
        .votes
        .iter()
        .map(|(t, outcome, c)| json!({"motion": t, "outcome": outcome, "vote": c}))
        .collect();
    ok(json!({"name": r.name, "council": r.council.name_zh, "meetings": meetings, "votes": votes}))
}

#[derive(Deserialize)]
struct MeetingRequestBody {
    seat_id: Uuid,
    reason: String,
}

async fn request_meeting(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<MeetingRequestBody>,
) -> ApiResult {
    let r = councils::request_meeting(&state.app, &v.actor, id, b.seat_id, &b.reason)
        .await
        .map_err(err(lang))?;
    created(json!({"id": r}))
}

async fn support_request(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<SignBody>,
) -> ApiResult {
    councils::support_request(&state.app, &v.actor, id, b.seat_id)
        .await
        .map_err(err(lang))?;
    ok(json!({"supported": true}))
}

#[derive(Deserialize)]
struct CallBody {
    seat_id: Uuid,
    title: String,
    scheduled_for: String,
}

async fn call_requested_meeting(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<CallBody>,
) -> ApiResult {
    let at = gongzhi_domain::time::parse_china_minute(&b.scheduled_for).ok_or_else(|| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "datetime_invalid").lang(lang)
    })?;
    let m = councils::call_requested_meeting(&state.app, &v.actor, id, b.seat_id, &b.title, at)
        .await
        .map_err(err(lang))?;
    created(json!({"meeting_id": m}))
}
