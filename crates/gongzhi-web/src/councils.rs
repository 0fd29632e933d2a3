//! The councils' pages: a community's notice board, a resolution with its notice, objections
//! and the council's answers (public: members act in office and are named), a council with its
//! seats, a meeting with its roll call, a convention's versions, a member's record.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongzhi_app::councils::{self, PublicResolution};
use gongzhi_app::{places, setup};
use gongzhi_domain::audit::short_head;
use gongzhi_domain::council::NoticeState;
use gongzhi_domain::time::{Instant, format_date};
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiForm, DisplayPrefs, SignedInVisitor, Visitor};
use crate::i18n::Lang;
use crate::pages::{Page, beside_field, error_page, local_name, qr_svg, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{code}/notices", get(notices))
        .route("/r/{id}", get(resolution_page))
        .route("/r/{id}/object", post(object))
        .route(
            "/r/{id}/objections/{objection}/answer",
            post(answer_objection),
        )
        .route(
            "/r/{id}/objections/{objection}/review",
            post(review_objection),
        )
        .route("/council/{id}", get(council_page))
        .route("/m/{id}", get(meeting_page))
        .route("/m/{id}/roll", post(roll_action))
        .route("/m/{id}/close", post(roll_close))
        .route("/convention/{id}", get(convention_page))
        .route("/council/{id}/member/{seat}", get(member_page))
}

pub struct NoticeItem {
    pub id: String,
    pub council_id: String,
    pub label: String,
    pub council: String,
    pub title: String,
    pub state: &'static str,
    pub state_text: String,
    pub dates: String,
}

/// A notice's dates as the board shows them: its window, and while it is open and `now` is
/// given, the days left to object (a whole day counted for any part of one).
pub(crate) fn dates_text(lang: Lang, r: &PublicResolution, now: Option<Instant>) -> String {
    let at = |v: i64| lang.minute(Instant(v));
    let mut parts = Vec::new();
    if let (Some(start), Some(end)) = (r.row.notice_start, r.row.notice_end) {
        parts.push(lang.t_args(
            "notice-window",
            &[("start", at(start)), ("end", lang.end(Instant(end)))],
        ));
        if let (NoticeState::Open, Some(now)) = (r.state, now) {
            const DAY: i64 = 86_400 * 1_000_000;
            let days = (end - now.0 + DAY - 1).div_euclid(DAY).max(1);
            parts.push(lang.t_args("notice-days-left", &[("days", days.to_string())]));
        }
    }
    if let NoticeState::InForce(since) = r.state {
        parts.push(lang.t_args("notice-in-force-since", &[("at", lang.minute(since))]));
    }
    parts.join("；")
}

pub(crate) fn council_name(lang: Lang, c: &gongzhi_app::records::CouncilRow) -> String {
    if lang == Lang::En {
        c.name_en.clone()
    } else {
        c.name_zh.clone()
    }
}

#[derive(Template)]
#[template(path = "notices.html")]
pub(super) struct NoticesPage {
    page: Page,
    community: String,
    code: String,
    head: Option<String>,
    items: Vec<NoticeItem>,
    /// Posted fund statements: (id, fund, period).
    statements: Vec<(String, String, String)>,
    /// Elections not yet counted: (id, title, council, closes).
    elections: Vec<(String, String, String, String)>,
    /// Residents' budget votes, latest closing first: (id, title, state, closes).
    budget_votes: Vec<(String, String, String, String)>,
}

pub(super) async fn notices(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path(code): Path<String>,
) -> Response {
    let page = Page::new(lang, &large, &visitor, &format!("/c/{code}/notices"));
    let j = match places::jurisdiction_by_code(&state.app, &code).await {
        Ok(j) => j,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let board = match councils::notice_board(&state.app, j.id).await {
        Ok(b) => b,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let items = board
        .iter()
        .map(|r| NoticeItem {
            id: r.row.id.to_string(),
            council_id: r.council.id.to_string(),
            label: r.row.label.clone(),
            council: council_name(lang, &r.council),
            title: r.row.title.clone(),
            state: r.state.key(),
            state_text: lang.t(&format!("notice-{}", r.state.key())),
            dates: dates_text(lang, r, Some(state.app.now())),
        })
        .collect();
    let head = setup::chain_head(&state.app, j.id)
        .await
        .ok()
        .flatten()
        .map(|h| short_head(h.seq, &h.hash));
    let statements = gongzhi_app::ledger::statements_of(&state.app, j.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .take(12)
        .map(|(f, s)| {
            (
                s.id.to_string(),
                if lang == Lang::En {
                    f.name_en
                } else {
                    f.name_zh
                },
                format!(
                    "{} – {}",
                    s.period_start,
                    crate::money::last_day(&s.period_end)
                ),
            )
        })
        .collect();
    let elections = gongzhi_app::elections::open_elections_in(&state.app, j.id)
        .await
        .unwrap_or_default()
        .iter()
        .map(|(e, c)| {
            (
                e.id.to_string(),
                e.title.clone(),
                council_name(lang, c),
                lang.minute(Instant(e.closes_at)),
            )
        })
        .collect();
    let now = state.app.now().0;
    let budget_votes = gongzhi_app::budget_votes::votes_in(&state.app, j.id)
        .await
        .unwrap_or_default()
        .iter()
        .map(|v| {
            let state_key = match (v.status.as_str(), now < v.closes_at) {
                ("closed", _) => "election-state-closed",
                (_, true) => "election-state-open",
                _ => "election-state-counting",
            };
            (
                v.id.to_string(),
                v.title.clone(),
                lang.t(state_key),
                lang.minute(Instant(v.closes_at)),
            )
        })
        .collect();
    render(&NoticesPage {
        page,
        community: local_name(lang, &j),
        code: code.clone(),
        head,
        items,
        statements,
        elections,
        budget_votes,
    })
}

#[derive(Template)]
#[template(path = "resolution.html")]
pub(super) struct ResolutionPage {
    page: Page,
    /// The page's public address and its QR code, for the printed notice on the courtyard board.
    url: String,
    qr: String,
    id: String,
    label: String,
    council: String,
    title: String,
    state_text: String,
    dates: String,
    vote: Option<String>,
    head: String,
    answers: Vec<PublicObjection>,
    open: bool,
    can_object: bool,
    /// The objection as typed, kept when it was refused, and why, shown next to it.
    typed_body: String,
    body_error: Option<String>,
    /// For the council's chair and staff: every objection with the resident's words, to answer
    /// and (staff) to publish or withhold.
    desk: Vec<DeskLine>,
    may_review: bool,
}

/// An objection as the public reads it: when, the resident's words once staff published them
/// (numbers redacted), and the council's answer.
pub struct PublicObjection {
    pub filed: String,
    pub body: Option<String>,
    pub answer: String,
}

pub struct DeskLine {
    pub id: String,
    pub filed: String,
    pub body: String,
    pub review: String,
    pub reviewed: bool,
    pub answer: Option<String>,
    /// The answer as typed when it was refused, and why (shown next to it).
    pub typed: String,
    pub error: Option<String>,
}

/// What a visitor typed into the resolution page's forms, kept when a form was refused.
#[derive(Default)]
pub(super) struct ResolutionTyped {
    body: String,
    body_error: Option<String>,
    /// (objection, answer as typed, why it was refused)
    answer: Option<(uuid::Uuid, String, Option<String>)>,
}

pub(super) async fn resolution_view(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    id: uuid::Uuid,
    typed: ResolutionTyped,
) -> Response {
    let (r, result, head) = match councils::resolution_sheet(&state.app, id).await {
        Ok(sheet) => sheet,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let desk = match councils::objection_desk(&state.app, &visitor.actor, id).await {
        Ok(d) => d,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let vote = result.map(|v| {
        let n = |k: &str| v.get(k).map(|x| x.to_string()).unwrap_or_default();
        lang.t_args(
            "vote-result",
            &[
                ("yes", n("yes")),
                ("no", n("no")),
                ("abstain", n("abstain")),
                ("recused", n("recused")),
                ("present", n("present")),
                ("seated", n("seated")),
                ("min_yes", n("min_yes")),
            ],
        )
    });
    let head = head.map(|h| short_head(h.seq, &h.hash)).unwrap_or_default();
    let answer_text = |o: &gongzhi_app::records::ObjectionRow| match &o.answer {
        Some(a) => lang.t_args(
            "objection-answered",
            &[
                ("at", lang.minute(Instant(o.filed_at))),
                ("answer", a.clone()),
            ],
        ),
        None => lang.t_args(
            "objection-pending",
            &[("at", lang.minute(Instant(o.filed_at)))],
        ),
    };
    let answers = r
        .objections
        .iter()
        .map(|o| PublicObjection {
            filed: lang.minute(Instant(o.filed_at)),
            body: o
                .published_body()
                .map(gongzhi_domain::person::redact_numbers),
            answer: answer_text(o),
        })
        .collect();
    let may_review = desk.as_ref().is_some_and(|d| d.may_review);
    let desk = desk
        .map(|d| d.objections)
        .unwrap_or_default()
        .into_iter()
        .map(|o| {
            let (typed, error) = match &typed.answer {
                Some((oid, t, e)) if *oid == o.id => (t.clone(), e.clone()),
                _ => (String::new(), None),
            };
            DeskLine {
                id: o.id.to_string(),
                filed: lang.minute(Instant(o.filed_at)),
                review: lang.t(&format!(
                    "objection-review-{}",
                    o.body_review.as_deref().unwrap_or("waiting")
                )),
                reviewed: o.body_review.is_some(),
                answer: o.answer.as_ref().map(|_| answer_text(&o)),
                body: o.body,
                typed,
                error,
            }
        })
        .collect();
    let open = r.state == NoticeState::Open;
    // By the command's own rule: residents of the council's area object themselves; staff
    // acting for one of them object in her name.
    let can_object = open
        && match councils::may_object(&state.app, &visitor.actor, id).await {
            Ok(may) => may,
            Err(e) => return error_page(ApiError::from_app(e, lang), page),
        };
    let url = format!("{}/r/{id}", state.public_base_url.trim_end_matches('/'));
    render(&ResolutionPage {
        page,
        qr: qr_svg(&url),
        url,
        id: id.to_string(),
        label: r.row.label.clone(),
        council: council_name(lang, &r.council),
        title: r.row.title.clone(),
        state_text: lang.t(&format!("notice-{}", r.state.key())),
        dates: dates_text(lang, &r, Some(state.app.now())),
        vote,
        head,
        answers,
        open,
        can_object,
        typed_body: typed.body,
        body_error: typed.body_error,
        desk,
        may_review,
    })
}

pub(super) async fn resolution_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path(id): Path<uuid::Uuid>,
) -> Response {
    let page = Page::new(lang, &large, &visitor, &format!("/r/{id}"));
    resolution_view(&state, lang, page, &visitor, id, ResolutionTyped::default()).await
}

#[derive(Deserialize)]
pub(super) struct ObjectionForm {
    body: String,
}

pub(super) async fn object(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path(id): Path<uuid::Uuid>,
    ApiForm(f): ApiForm<ObjectionForm>,
) -> Response {
    let mut page = Page::new(lang, &large, &visitor, &format!("/r/{id}"));
    let typed = match councils::file_objection(&state.app, &visitor.actor, id, &f.body).await {
        Ok(_) => {
            page.flash = Some(lang.t("objection-filed"));
            ResolutionTyped::default()
        }
        // What is wrong with the text goes next to it; anything else (the notice closed, not
        // a resident here) at the top of the page.
        Err(e) => {
            let e = ApiError::from_app(e, lang);
            let body_error = beside_field(e, "body", &mut page);
            ResolutionTyped {
                body: f.body,
                body_error,
                answer: None,
            }
        }
    };
    resolution_view(&state, lang, page, &visitor, id, typed).await
}

#[derive(Deserialize)]
pub(super) struct AnswerForm {
    #[serde(default)]
    answer: String,
    /// A checkbox: present ("1") when the council upholds the objection.
    upheld: Option<String>,
}

/// The council's chair or staff answer an objection from the resolution page.
pub(super) async fn answer_objection(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path((id, objection)): Path<(uuid::Uuid, uuid::Uuid)>,
    ApiForm(f): ApiForm<AnswerForm>,
) -> Response {
    let mut page = Page::new(lang, &large, &visitor, &format!("/r/{id}"));
    let upheld = f.upheld.is_some_and(|v| !v.is_empty());
    let typed = match councils::answer_objection(
        &state.app,
        &visitor.actor,
        id,
        objection,
        &f.answer,
        upheld,
    )
    .await
    {
        Ok(()) => {
            page.flash = Some(lang.t("objection-answer-saved"));
            ResolutionTyped::default()
        }
        Err(e) => {
            let e = ApiError::from_app(e, lang);
            let error = beside_field(e, "answer", &mut page);
            ResolutionTyped {
                answer: Some((objection, f.answer, error)),
                ..Default::default()
            }
        }
    };
    resolution_view(&state, lang, page, &visitor, id, typed).await
}

#[derive(Deserialize)]
pub(super) struct ReviewForm {
    publish: String,
}

/// Staff publish an objection's words (numbers redacted) or withhold them.
pub(super) async fn review_objection(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path((id, objection)): Path<(uuid::Uuid, uuid::Uuid)>,
    ApiForm(f): ApiForm<ReviewForm>,
) -> Response {
    let mut page = Page::new(lang, &large, &visitor, &format!("/r/{id}"));
    let publish = f.publish == "1";
    match councils::review_objection(&state.app, &visitor.actor, id, objection, publish).await {
        Ok(()) => {
            page.flash = Some(lang.t(if publish {
                "objection-published"
            } else {
                "objection-withheld"
            }))
        }
        Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
    }
    resolution_view(&state, lang, page, &visitor, id, ResolutionTyped::default()).await
}

#[derive(Template)]
#[template(path = "council.html")]
pub(super) struct CouncilPage {
    page: Page,
    id: String,
    name: String,
    /// (name, seat, term, seat id)
    members: Vec<(String, String, String, String)>,
    /// (id, title, when, status)
    meetings: Vec<(String, String, String, String)>,
    /// (id, title, state, closes)
    elections: Vec<(String, String, String, String)>,
    /// "每月 10 日 19:30" lines.
    calendars: Vec<String>,
    /// (id, label, title, state key, state text)
    resolutions: Vec<(String, String, String, &'static str, String)>,
    /// The visitor's own seat, which they may resign.
    own_seat: Option<String>,
    today: String,
}

pub(super) async fn council_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path(id): Path<uuid::Uuid>,
) -> Response {
    let page = Page::new(lang, &large, &visitor, &format!("/council/{id}"));
    council_view_page(&state, lang, page, &visitor, id).await
}

pub(crate) async fn council_view_page(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    id: uuid::Uuid,
) -> Response {
    let (c, seats, meetings) = match councils::council_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let members = seats
        .iter()
        .map(|s| {
            let term = format!(
                "{} – {}",
                s.term_start,
                s.term_end.clone().unwrap_or_default()
            );
            (
                s.resident_name.clone(),
                lang.t(&format!("seat-{}", s.seat_role)),
                term,
                s.id.to_string(),
            )
        })
        .collect();
    let meetings = meetings
        .iter()
        .map(|m| {
            (
                m.id.to_string(),
                m.title.clone(),
                lang.minute(Instant(m.scheduled_for)),
                lang.t(&format!("meeting-status-{}", m.status)),
            )
        })
        .collect();
    let elections = gongzhi_app::elections::elections_of(&state.app, id)
        .await
        .unwrap_or_default()
        .iter()
        .map(|e| {
            let open = e.status == "open" && state.app.now().0 < e.closes_at;
            (
                e.id.to_string(),
                e.title.clone(),
                lang.t(if open {
                    "election-state-open"
                } else if e.status == "open" {
                    "election-state-counting"
                } else {
                    "election-state-closed"
                }),
                lang.minute(Instant(e.closes_at)),
            )
        })
        .collect();
    let calendars = gongzhi_app::elections::series_of(&state.app, id)
        .await
        .unwrap_or_default()
        .iter()
        .map(|s| {
            lang.t_args(
                "calendar-line",
                &[
                    ("title", s.title.clone()),
                    ("day", s.day_of_month.to_string()),
                    (
                        "time",
                        format!("{:02}:{:02}", s.minute_of_day / 60, s.minute_of_day % 60),
                    ),
                    ("count", s.meetings.to_string()),
                ],
            )
        })
        .collect();
    let resolutions = councils::resolutions_of_council(&state.app, id)
        .await
        .unwrap_or_default()
        .iter()
        .rev()
        .map(|r| {
            (
                r.row.id.to_string(),
                r.row.label.clone(),
                r.row.title.clone(),
                r.state.key(),
                lang.t(&format!("notice-{}", r.state.key())),
            )
        })
        .collect();
    let own_seat = visitor.account.as_ref().and_then(|a| {
        seats
            .iter()
            .find(|s| s.account_id == Some(a.id))
            .map(|s| s.id.to_string())
    });
    render(&CouncilPage {
        page,
        id: id.to_string(),
        name: council_name(lang, &c),
        members,
        meetings,
        elections,
        calendars,
        resolutions,
        own_seat,
        today: format_date(state.app.now().china_date()),
    })
}

#[derive(Template)]
#[template(path = "meeting.html")]
pub(super) struct MeetingPage {
    page: Page,
    title: String,
    council: String,
    council_id: String,
    when: String,
    status: String,
    present_text: String,
    /// (name, present, signed)
    attendance: Vec<(String, String, String)>,
    minutes: Option<String>,
    approval: String,
    id: String,
    /// The chair's roll-call screen, when the visitor runs this meeting.
    roll: Option<RollScreen>,
    /// Projects tabled at this meeting (a roadshow): (project id, title, what the council reads).
    tabled: Vec<(String, String, String)>,
}

/// The roll-call screen: attendance buttons per member, and per open motion a yes / no / abstain
/// button per member present, recorded by the chair as the room votes.
pub struct RollScreen {
    /// (seat, name, present)
    pub members: Vec<(String, String, bool)>,
    pub motions: Vec<RollMotionLine>,
}

pub struct RollMotionLine {
    pub id: String,
    pub title: String,
    pub open: bool,
    /// Per member: (seat, name, present, choice or "").
    pub rows: Vec<(String, String, bool, String)>,
    pub tally: String,
}

pub(super) async fn meeting_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path(id): Path<uuid::Uuid>,
) -> Response {
    let page = Page::new(lang, &large, &visitor, &format!("/m/{id}"));
    meeting_view_page(&state, lang, page, &visitor, id).await
}

#[derive(Deserialize)]
pub(super) struct RollForm {
    seat: uuid::Uuid,
    /// `present` / `absent`, or a vote choice with `motion`.
    action: String,
    motion: Option<uuid::Uuid>,
}

/// One action of the chair's roll-call screen (post/redirect/get back to the meeting).
pub(super) async fn roll_action(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path(id): Path<uuid::Uuid>,
    ApiForm(f): ApiForm<RollForm>,
) -> Response {
    let result = match (f.action.as_str(), f.motion) {
        ("present" | "absent", _) => {
            councils::record_attendance(
                &state.app,
                &visitor.actor,
                id,
                f.seat,
                f.action == "present",
            )
            .await
        }
        (choice, Some(motion)) => {
            councils::cast_vote(&state.app, &visitor.actor, motion, f.seat, choice).await
        }
        _ => Err(gongzhi_app::AppError::Invalid(
            gongzhi_domain::DomainError::field("vote_choice_invalid", "action")
                .arg("value", &f.action),
        )),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/m/{id}#roll")).into_response(),
        Err(e) => {
            let mut page = Page::new(lang, &large, &visitor, &format!("/m/{id}"));
            page.error = Some(ApiError::from_app(e, lang).message());
            meeting_view_page(&state, lang, page, &visitor, id).await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct CloseForm {
    motion: uuid::Uuid,
}

pub(super) async fn roll_close(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path(id): Path<uuid::Uuid>,
    ApiForm(f): ApiForm<CloseForm>,
) -> Response {
    let mut page = Page::new(lang, &large, &visitor, &format!("/m/{id}"));
    match councils::close_motion(&state.app, &visitor.actor, f.motion).await {
        Ok(c) => {
            page.flash = Some(match c.resolution {
                Some((_, label)) => lang.t_args("roll-passed", &[("label", label)]),
                None => lang.t("roll-failed"),
            })
        }
        Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
    }
    meeting_view_page(&state, lang, page, &visitor, id).await
}

pub(super) async fn meeting_view_page(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    id: uuid::Uuid,
) -> Response {
    let roll = councils::roll_call(&state.app, &visitor.actor, id)
        .await
        .ok()
        .filter(|r| r.can_run)
        .map(|r| {
            let name_of = |seat: &uuid::Uuid| {
                r.members
                    .iter()
                    .find(|m| m.0 == *seat)
                    .map(|m| (m.1.clone(), m.2))
                    .unwrap_or_default()
            };
            RollScreen {
                members: r
                    .members
                    .iter()
                    .map(|(s, n, p)| (s.to_string(), n.clone(), *p))
                    .collect(),
                motions: r
                    .motions
                    .iter()
                    .map(|rm| {
                        let votes = &rm.votes;
                        let count = |c: &str| votes.iter().filter(|v| v.1 == c).count().to_string();
                        let rows = r
                            .members
                            .iter()
                            .map(|(seat, _, _)| {
                                let (name, present) = name_of(seat);
                                let choice = votes
                                    .iter()
                                    .find(|v| v.0 == *seat)
                                    .map(|v| v.1.clone())
                                    .unwrap_or_default();
                                (seat.to_string(), name, present, choice)
                            })
                            .collect();
                        let tally = lang.t_args(
                            "roll-tally",
                            &[
                                ("yes", count("yes")),
                                ("no", count("no")),
                                ("abstain", count("abstain")),
                            ],
                        );
                        RollMotionLine {
                            id: rm.id.to_string(),
                            title: rm.title.clone(),
                            open: rm.open,
                            rows,
                            tally,
                        }
                    })
                    .collect(),
            }
        });
    let v = match councils::meeting_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let yes_no = |b: bool| lang.t(if b { "yes" } else { "no" });
    let seated = v.attendance.len();
    let present_text = lang.t_args(
        "meeting-present-count",
        &[
            ("present", v.meeting.present_count.to_string()),
            ("seated", seated.to_string()),
        ],
    );
    render(&MeetingPage {
        title: v.meeting.title.clone(),
        council: council_name(lang, &v.council),
        council_id: v.council.id.to_string(),
        when: lang.minute(Instant(v.meeting.scheduled_for)),
        status: lang.t(&format!("meeting-status-{}", v.meeting.status)),
        present_text,
        attendance: v
            .attendance
            .iter()
            .map(|(n, p, s)| (n.clone(), yes_no(*p), yes_no(*s)))
            .collect(),
        minutes: v.minutes.as_ref().map(|(t, _)| t.clone()),
        id: id.to_string(),
        roll,
        tabled: gongzhi_app::projects::projects_at_meeting(&state.app, id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.project_id.to_string(), t.title, t.text))
            .collect(),
        approval: lang.t(if v.approved {
            "meeting-approved"
        } else {
            "meeting-awaiting-signatures"
        }),
        page,
    })
}

#[derive(Template)]
#[template(path = "convention.html")]
pub(super) struct ConventionPage {
    page: Page,
    title: String,
    current: Option<String>,
    current_label: String,
    history: Vec<String>,
    diff_title: String,
    /// (css class, line)
    diff: Vec<(&'static str, String)>,
}

#[derive(Deserialize)]
pub(super) struct DiffQuery {
    from: Option<i64>,
    to: Option<i64>,
}

pub(super) async fn convention_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path(id): Path<uuid::Uuid>,
    axum::extract::Query(q): axum::extract::Query<DiffQuery>,
) -> Response {
    use gongzhi_domain::convention::{DiffLine, diff_lines};
    let page = Page::new(lang, &large, &visitor, &format!("/convention/{id}"));
    let v = match councils::convention_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let last = v.versions.last();
    let in_force = v.current.map(|i| &v.versions[i]);
    let current_label = in_force
        .map(|(n, _, at, _)| {
            lang.t_args(
                "convention-current",
                &[("version", n.to_string()), ("at", lang.minute(*at))],
            )
        })
        .unwrap_or_default();
    let history = v
        .versions
        .iter()
        .zip(&v.states)
        .map(|((n, _, at, label), state)| {
            let mut line = lang.t_args(
                "convention-version",
                &[
                    ("version", n.to_string()),
                    ("at", lang.minute(*at)),
                    ("resolution", label.clone().unwrap_or_default()),
                ],
            );
            if *state != "in_force" {
                line.push_str(" · ");
                line.push_str(&lang.t(&format!("notice-{state}")));
            }
            line
        })
        .collect();
    // By default, the latest change: from the previous version to the current one.
    let to = q.to.or(last.map(|l| l.0)).unwrap_or(0);
    let from = q.from.unwrap_or(to - 1);
    let find = |n: i64| v.versions.iter().find(|x| x.0 == n).map(|x| x.1.clone());
    let (diff, diff_title) = match (find(from), find(to)) {
        (Some(a), Some(b)) => (
            diff_lines(&a, &b)
                .into_iter()
                .map(|d| match d {
                    DiffLine::Same(l) => ("same", l),
                    DiffLine::Added(l) => ("added", format!("+ {l}")),
                    DiffLine::Removed(l) => ("removed", format!("− {l}")),
                })
                .collect(),
            lang.t_args(
                "convention-diff",
                &[("from", from.to_string()), ("to", to.to_string())],
            ),
        ),
        _ => (Vec::new(), String::new()),
    };
    render(&ConventionPage {
        page,
        title: v.convention.title.clone(),
        current: in_force.map(|l| l.1.clone()),
        current_label,
        history,
        diff_title,
        diff,
    })
}

#[derive(Template)]
#[template(path = "member.html")]
pub(super) struct MemberPage {
    page: Page,
    name: String,
    council: String,
    council_id: String,
    meetings: Vec<(String, String, String)>,
    votes: Vec<(String, String)>,
}

pub(super) async fn member_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path((id, seat)): Path<(uuid::Uuid, uuid::Uuid)>,
) -> Response {
    let page = Page::new(
        lang,
        &large,
        &visitor,
        &format!("/council/{id}/member/{seat}"),
    );
    let r = match councils::member_record(&state.app, id, seat).await {
        Ok(r) => r,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let meetings = r
        .meetings
        .iter()
        .map(|(t, at, present)| {
            (
                t.clone(),
                lang.minute(*at),
                lang.t(if *present {
                    "meeting-present"
                } else {
                    "vote-missed"
                }),
            )
        })
        .collect();
    let votes = r
        .votes
        .iter()
        .map(|(t, _, choice)| {
            (
                t.clone(),
                lang.t(&format!("vote-{}", choice.as_deref().unwrap_or("missed"))),
            )
        })
        .collect();
    render(&MemberPage {
        page,
        name: r.name.clone(),
        council: council_name(lang, &r.council),
        council_id: r.council.id.to_string(),
        meetings,
        votes,
    })
}
