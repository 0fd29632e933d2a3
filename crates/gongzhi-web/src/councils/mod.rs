//! The councils' pages: a community's notice board, a resolution with its notice, objections
//! and the council's answers (public: members act in office and are named), a council with its
//! seats, a meeting with its roll call, a convention's versions, a member's record.

mod meetings;

pub(crate) use meetings::council_view_page;
use meetings::*;

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
use crate::extract::{ApiForm, DisplayPrefs, PageContext, SignedInPage, SignedInVisitor, Visitor};
use crate::form::Refused;
use crate::i18n::Lang;
use crate::pages::{Page, error_page, local_name, qr_svg, render, with_refusal_status};

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
    let at = |v: i64| lang.minute(Instant::from_micros(v));
    let mut parts = Vec::new();
    if let (Some(start), Some(end)) = (r.row.notice_start, r.row.notice_end) {
        parts.push(lang.t_args(
            "notice-window",
            &[
                ("start", at(start)),
                ("end", lang.end(Instant::from_micros(end))),
            ],
        ));
        if let (NoticeState::Open, Some(now)) = (r.state, now) {
            const DAY: i64 = 86_400 * 1_000_000;
            let days = (end - now.micros() + DAY - 1).div_euclid(DAY).max(1);
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
    PageContext(lang, _, mut page): PageContext,
    Path(code): Path<String>,
) -> Response {
    let j = match places::jurisdiction_by_code(&state.app, &code).await {
        Ok(j) => j,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    page.trail_to(&state, j.id).await;
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
                crate::ledger::period(lang, &s.period_start, &s.period_end),
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
                lang.minute(Instant::from_micros(e.closes_at)),
            )
        })
        .collect();
    let now = state.app.now();
    let budget_votes = gongzhi_app::budget_votes::votes_in(&state.app, j.id)
        .await
        .unwrap_or_default()
        .iter()
        .map(|v| {
            let state_key = gongzhi_app::budget_votes::box_state(v, now).key();
            (
                v.id.to_string(),
                v.title.clone(),
                lang.t(state_key),
                lang.minute(Instant::from_micros(v.closes_at)),
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
    /// Where it came from and what it decides: the meeting it was voted in, the project
    /// (id, title) it decides a step of.
    meeting: Option<String>,
    project: Option<(String, String)>,
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

pub(super) async fn resolution_view(
    state: &AppState,
    lang: Lang,
    mut page: Page,
    visitor: &Visitor,
    id: uuid::Uuid,
    refused: Refused,
) -> Response {
    let councils::ResolutionSheet {
        resolution: r,
        result,
        head,
        meeting,
        project,
    } = match councils::resolution_sheet(&state.app, id).await {
        Ok(sheet) => sheet,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    // The way back: the council's place, then the council that decided.
    page.trail_to(state, r.council.jurisdiction_id).await;
    page.then(
        council_name(lang, &r.council),
        format!("/council/{}", r.council.id),
    );
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
                ("at", lang.minute(Instant::from_micros(o.filed_at))),
                ("answer", a.clone()),
            ],
        ),
        None => lang.t_args(
            "objection-pending",
            &[("at", lang.minute(Instant::from_micros(o.filed_at)))],
        ),
    };
    let answers = r
        .objections
        .iter()
        .map(|o| PublicObjection {
            filed: lang.minute(Instant::from_micros(o.filed_at)),
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
            let form = answer_form(o.id);
            let typed = refused.value(&form, "answer").to_string();
            let error = refused.error(&form, "answer").map(str::to_string);
            DeskLine {
                id: o.id.to_string(),
                filed: lang.minute(Instant::from_micros(o.filed_at)),
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
        typed_body: refused.value("object", "body").to_string(),
        body_error: refused.error("object", "body").map(str::to_string),
        desk,
        may_review,
        meeting: meeting.map(|m| m.to_string()),
        project: project.map(|(id, title)| (id.to_string(), title)),
    })
}

pub(super) async fn resolution_page(
    State(state): State<AppState>,
    PageContext(lang, visitor, page): PageContext,
    Path(id): Path<uuid::Uuid>,
) -> Response {
    resolution_view(&state, lang, page, &visitor, id, Refused::default()).await
}

#[derive(Deserialize)]
pub(super) struct ObjectionForm {
    body: String,
}

pub(super) async fn object(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<uuid::Uuid>,
    ApiForm(f): ApiForm<ObjectionForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/r/{id}");
    let result = councils::file_objection(&state.app, &visitor.actor, id, &f.body)
        .await
        .map(|_| lang.t("objection-filed"))
        .map_err(|e| ApiError::from_app(e, lang));
    // What is wrong with the text goes next to it; anything else (the notice closed, not a
    // resident here) at the top of the page.
    let refused = Refused::settle(result, &mut page, "object", vec![("body", f.body)]);
    let status = refused.status();
    with_refusal_status(
        resolution_view(&state, lang, page, &visitor, id, refused).await,
        status,
    )
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
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path((id, objection)): Path<(uuid::Uuid, uuid::Uuid)>,
    ApiForm(f): ApiForm<AnswerForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/r/{id}");
    let upheld = f.upheld.is_some_and(|v| !v.is_empty());
    let result =
        councils::answer_objection(&state.app, &visitor.actor, id, objection, &f.answer, upheld)
            .await
            .map(|()| lang.t("objection-answer-saved"))
            .map_err(|e| ApiError::from_app(e, lang));
    let form = answer_form(objection);
    let refused = Refused::settle(result, &mut page, &form, vec![("answer", f.answer)]);
    let status = refused.status();
    with_refusal_status(
        resolution_view(&state, lang, page, &visitor, id, refused).await,
        status,
    )
}

/// The answer form of one objection on the resolution page (there is one per objection).
fn answer_form(objection: uuid::Uuid) -> String {
    format!("answer-{objection}")
}

#[derive(Deserialize)]
pub(super) struct ReviewForm {
    publish: String,
}

/// Staff publish an objection's words (numbers redacted) or withhold them.
pub(super) async fn review_objection(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path((id, objection)): Path<(uuid::Uuid, uuid::Uuid)>,
    ApiForm(f): ApiForm<ReviewForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/r/{id}");
    let publish = f.publish == "1";
    let result = councils::review_objection(&state.app, &visitor.actor, id, objection, publish)
        .await
        .map(|()| {
            lang.t(if publish {
                "objection-published"
            } else {
                "objection-withheld"
            })
        })
        .map_err(|e| ApiError::from_app(e, lang));
    let refused = Refused::settle(result, &mut page, "review", Vec::new());
    let status = refused.status();
    with_refusal_status(
        resolution_view(&state, lang, page, &visitor, id, refused).await,
        status,
    )
}
