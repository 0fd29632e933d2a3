//! The needs pages: the needs ledger for staff (filters, pages, a form for a need heard
//! anywhere, a spreadsheet import, a proposal made from ticked needs), one need with its
//! history for staff, and "my needs" for residents. Routed with the projects' pages.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongzhi_app::projects::{self, NeedAction, NewNeed};
use gongzhi_app::{AppError, places, uploads};
use gongzhi_domain::time::{Instant, format_date};
use uuid::Uuid;

use crate::AppState;
use crate::api_projects::{NeedQuery, ProjectBody, propose};
use crate::error::ApiError;
use crate::extract::{MultipartForm, SignedInPage, Visitor};
use crate::form::Refused;
use crate::i18n::Lang;
use crate::pages::{Page, error_page, render, with_refusal_status};

pub struct NeedLine {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub place: String,
    pub category: String,
    pub channel: String,
    pub status: String,
    pub due: String,
    pub overdue: bool,
    pub reply: Option<String>,
    pub selectable: bool,
}

/// A need as a card: no place, not selectable (callers add those where they apply).
pub(super) fn need_line(lang: Lang, n: &gongzhi_app::records::NeedRow, today: &str) -> NeedLine {
    NeedLine {
        id: n.id.to_string(),
        number: n.number,
        title: n.title.clone(),
        place: String::new(),
        category: lang.t(&format!("category-{}", n.category)),
        channel: lang.t(&format!("channel-{}", n.channel)),
        status: lang.t(&format!("need-status-{}", n.status)),
        overdue: n.status.is_overdue(&n.reply_due, today),
        due: lang.date(&n.reply_due),
        reply: n.reply.clone(),
        selectable: false,
    }
}

#[derive(Template)]
#[template(path = "needs.html")]
pub(super) struct NeedsPage {
    page: Page,
    name: String,
    code: String,
    needs: Vec<NeedLine>,
    next: Option<String>,
    places: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    filter_status: String,
    filter_category: String,
    filter_channel: String,
    filter_place: String,
    filter_overdue: bool,
    row_errors: Vec<String>,
}

pub(super) async fn needs_page(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, page): SignedInPage,
    Path(code): Path<String>,
    Query(q): Query<NeedQuery>,
) -> Response {
    needs_view(&state, lang, page, &visitor, &code, &q, Vec::new()).await
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn needs_view(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    code: &str,
    q: &NeedQuery,
    row_errors: Vec<String>,
) -> Response {
    let today = format_date(state.app.now().china_date());
    let filter = q.filter(&today);
    let ledger = match projects::ledger_page(&state.app, &visitor.actor, code, &filter).await {
        Ok(l) => l,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let j = ledger.community.clone();
    let rows = &ledger.needs;
    let area = &ledger.places;
    let place_name = |id: Uuid| {
        area.iter()
            .find(|(p, _)| *p == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let next = (rows.len() as i64 == filter.limit.clamp(1, 500))
        .then(|| rows.last().map(|n| n.number))
        .flatten()
        .map(|before| {
            let mut qs = format!("?before={before}");
            for (k, v) in [
                ("status", &q.status),
                ("category", &q.category),
                ("channel", &q.channel),
            ] {
                if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                    qs.push_str(&format!("&{k}={v}"));
                }
            }
            if let Some(p) = q.place {
                qs.push_str(&format!("&place={p}"));
            }
            if filter.overdue_before.is_some() {
                qs.push_str("&overdue=1");
            }
            qs
        });
    let categories = ledger
        .categories
        .iter()
        .map(|(c, zh, en)| {
            (
                c.clone(),
                if lang == Lang::En {
                    en.clone()
                } else {
                    zh.clone()
                },
            )
        })
        .collect();
    render(&NeedsPage {
        name: if lang == Lang::En {
            j.name_en
        } else {
            j.name_zh
        },
        code: code.to_string(),
        needs: rows
            .iter()
            .map(|n| NeedLine {
                place: place_name(n.jurisdiction_id),
                selectable: n.status.awaits_answer(),
                ..need_line(lang, n, &today)
            })
            .collect(),
        next,
        places: area
            .iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect(),
        categories,
        channels: gongzhi_domain::project::NEED_CHANNELS
            .iter()
            .map(|c| (c.to_string(), lang.t(&format!("channel-{c}"))))
            .collect(),
        statuses: gongzhi_domain::project::NEED_STATUSES
            .iter()
            .map(|s| (s.to_string(), lang.t(&format!("need-status-{s}"))))
            .collect(),
        filter_status: q.status.clone().unwrap_or_default(),
        filter_category: q.category.clone().unwrap_or_default(),
        filter_channel: q.channel.clone().unwrap_or_default(),
        filter_place: q.place.map(|p| p.to_string()).unwrap_or_default(),
        filter_overdue: filter.overdue_before.is_some(),
        row_errors,
        page,
    })
}

/// The needs page's forms: `action` is need (record one), import (a spreadsheet), reply, or
/// propose (a project from the ticked needs).
pub(super) async fn needs_action(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(code): Path<String>,
    multipart: Multipart,
) -> Response {
    // The page the form was on.
    page.path = format!("/c/{code}/needs");
    let f = match MultipartForm::read(multipart, lang).await {
        Ok(f) => f,
        Err(e) => return error_page(e, page),
    };
    let app = &state.app;
    let actor = &visitor.actor;
    let mut row_errors = Vec::new();
    let result: Result<Result<String, String>, AppError> = async {
        let j = places::jurisdiction_by_code(app, &code).await?;
        match f.get("action").as_str() {
            "need" => {
                let photos: Vec<String> = if f.file.is_empty() {
                    Vec::new()
                } else {
                    vec![uploads::store(app, actor, j.id, &f.file).await?.sha256]
                };
                let (_, number) = projects::report_need(
                    app,
                    actor,
                    &NewNeed {
                        place_id: f.id("place_id"),
                        building_id: None,
                        category: &f.get("category"),
                        channel: &f.get("channel"),
                        title: &f.get("title"),
                        body: &f.get("body"),
                        photos: &photos,
                        reporter_id: None,
                    },
                )
                .await?;
                Ok(Ok(lang.t_args(
                    "need-recorded",
                    &[("number", number.to_string())],
                )))
            }
            "import" => match projects::import_needs(app, actor, j.id, &f.file).await {
                Ok(n) => Ok(Ok(
                    lang.t_args("needs-imported", &[("count", n.to_string())])
                )),
                Err(AppError::Rows(rows)) => {
                    row_errors = crate::pages::row_messages(lang, &rows);
                    Ok(Err(lang.t("import_rows_invalid")))
                }
                Err(e) => Err(e),
            },
            "propose" => {
                let body = ProjectBody {
                    place_id: f
                        .id("place_id")
                        .ok_or_else(|| AppError::invalid("need_place_missing", "place_id"))?,
                    title: f.get("title"),
                    scope: f.get("scope"),
                    category: f.get("category"),
                    total: f.get("total"),
                    fund: f.get("fund"),
                    cofunding: f.get("cofunding"),
                    other: f.get("other"),
                    cofunding_source: f.get("cofunding_source"),
                    opinions: f.get("opinions"),
                    implementer_plan: f.get("implementer_plan"),
                    needs: f.ids("needs"),
                };
                let id = propose(&state, actor, &body).await?;
                Ok(Ok(format!("/p/{id}")))
            }
            _ => Err(AppError::invalid("action_unknown", "action")),
        }
    }
    .await;
    match result {
        Ok(Ok(msg)) if msg.starts_with("/p/") => return Redirect::to(&msg).into_response(),
        Ok(Ok(msg)) => page.flash = Some(msg),
        Ok(Err(msg)) => page.error = Some(msg),
        Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
    }
    needs_view(
        &state,
        lang,
        page,
        &visitor,
        &code,
        &NeedQuery::default(),
        row_errors,
    )
    .await
}

#[derive(Template)]
#[template(path = "my_needs.html")]
pub(super) struct MyNeedsPage {
    page: Page,
    needs: Vec<NeedLine>,
    /// The form to report a need, for residents: (id, name) of places, (code, name) of
    /// categories.
    places: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    /// What the resident typed, kept when the report is refused (empty after a report).
    typed: HashMap<String, String>,
    /// The refused field and its message, shown next to it.
    field_error: Option<(String, String)>,
}

impl MyNeedsPage {
    fn typed(&self, field: &str) -> &str {
        self.typed.get(field).map_or("", String::as_str)
    }
    fn error_for(&self, field: &str) -> Option<&str> {
        self.field_error
            .as_ref()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Template)]
#[template(path = "need.html")]
pub(super) struct NeedPage {
    page: Page,
    code: String,
    line: NeedLine,
    body: String,
    reported: String,
    merged_into: Option<i64>,
    project: Option<String>,
    open: bool,
    assigned_to_me: bool,
    assigned: bool,
    /// What was typed into the reply and merge forms when one was refused, and why.
    typed_reply: String,
    reply_error: Option<String>,
    typed_into: String,
    into_error: Option<String>,
    /// Colleagues it can be handed to: (account id, name, whether it is with them now).
    colleagues: Vec<(String, String, bool)>,
    assign_error: Option<String>,
}

pub(super) async fn need_page(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, page): SignedInPage,
    Path((code, number)): Path<(String, i64)>,
) -> Response {
    need_view(
        &state,
        lang,
        page,
        &visitor,
        &code,
        number,
        Refused::default(),
    )
    .await
}

pub(super) async fn need_view(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    code: &str,
    number: i64,
    refused: Refused,
) -> Response {
    let sheet = match projects::need_sheet(&state.app, &visitor.actor, code, number).await {
        Ok(s) => s,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let today = format_date(state.app.now().china_date());
    let n = &sheet.need;
    render(&NeedPage {
        code: code.to_string(),
        line: NeedLine {
            place: sheet.place.clone(),
            ..need_line(lang, n, &today)
        },
        body: n.body.clone(),
        reported: lang.minute(Instant::from_micros(n.created_at)),
        merged_into: sheet.merged_into,
        project: n.project_id.map(|p| p.to_string()),
        open: n.status.awaits_answer(),
        assigned: n.assigned_to.is_some(),
        assigned_to_me: n.assigned_to.is_some() && n.assigned_to == visitor.actor.account_id,
        typed_reply: refused.value("reply", "reply").to_string(),
        reply_error: refused.error("reply", "reply").map(str::to_string),
        typed_into: refused.value("merge", "into").to_string(),
        into_error: refused.error("merge", "into").map(str::to_string),
        colleagues: sheet
            .colleagues
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone(), n.assigned_to == Some(*id)))
            .collect(),
        assign_error: refused.error("assign", "assigned_to").map(str::to_string),
        page,
    })
}

#[derive(serde::Deserialize)]
pub(super) struct NeedForm {
    action: String,
    #[serde(default)]
    reply: String,
    #[serde(default)]
    close: String,
    #[serde(default)]
    into: String,
    #[serde(default)]
    assigned_to: String,
}

/// Staff act on one need: answer the resident (and close it or not), merge it into the need
/// it repeats (by number), or take it on themselves.
pub(super) async fn need_action(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path((code, number)): Path<(String, i64)>,
    crate::extract::ApiForm(f): crate::extract::ApiForm<NeedForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/c/{code}/needs/{number}");
    let app = &state.app;
    let actor = &visitor.actor;
    let result: Result<String, AppError> = async {
        let sheet = projects::need_sheet(app, actor, &code, number).await?;
        let need = sheet.need.id;
        match f.action.as_str() {
            "reply" => {
                let close = Some(f.close.as_str()).filter(|c| !c.is_empty());
                let reply = NeedAction::Reply {
                    reply: &f.reply,
                    close,
                };
                projects::act_on_need(app, actor, need, reply).await?;
                Ok(lang.t("need-replied"))
            }
            "merge" => {
                let into = f
                    .into
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| AppError::invalid("need_not_found", "into"))?;
                let into = match projects::need_sheet(app, actor, &code, into).await {
                    Ok(s) => s.need.id,
                    Err(AppError::NotFound(_)) => {
                        return Err(AppError::invalid("need_not_found", "into"));
                    }
                    Err(e) => return Err(e),
                };
                projects::act_on_need(app, actor, need, NeedAction::Merge { into }).await?;
                Ok(lang.t("need-merged"))
            }
            "assign_me" => {
                let me = actor.account_id.ok_or(AppError::Unauthenticated)?;
                projects::act_on_need(app, actor, need, NeedAction::Assign(me)).await?;
                Ok(lang.t("need-assigned"))
            }
            "assign" => {
                let to = f
                    .assigned_to
                    .trim()
                    .parse::<Uuid>()
                    .map_err(|_| AppError::invalid("account_not_found", "assigned_to"))?;
                projects::act_on_need(app, actor, need, NeedAction::Assign(to)).await?;
                let name = sheet
                    .colleagues
                    .iter()
                    .find(|(id, _)| *id == to)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                Ok(lang.t_args("need-assigned-to", &[("name", name)]))
            }
            _ => Err(AppError::invalid("action_unknown", "action")),
        }
    }
    .await;
    // Each form's fields, with what was typed (the choice of colleague is shown as it stands).
    let typed = match f.action.as_str() {
        "reply" => vec![("reply", f.reply)],
        "merge" => vec![("into", f.into)],
        "assign" => vec![("assigned_to", String::new())],
        _ => Vec::new(),
    };
    let result = result.map_err(|e| ApiError::from_app(e, lang));
    let refused = Refused::settle(result, &mut page, &f.action, typed);
    let status = refused.status();
    with_refusal_status(
        need_view(&state, lang, page, &visitor, &code, number, refused).await,
        status,
    )
}

pub(super) async fn my_needs_page(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, page): SignedInPage,
) -> Response {
    my_needs_view(&state, lang, page, &visitor, HashMap::new(), None).await
}

pub(super) async fn my_needs_view(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    mut typed: HashMap<String, String>,
    field_error: Option<(String, String)>,
) -> Response {
    let rows = match projects::my_needs(&state.app, &visitor.actor).await {
        Ok(r) => r,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let form = projects::resident_need_form(&state.app, &visitor.actor)
        .await
        .ok()
        .flatten();
    let (places, categories) = match &form {
        Some(f) => {
            typed
                .entry("place_id".into())
                .or_insert_with(|| f.home.to_string());
            (
                f.places
                    .iter()
                    .map(|(id, name)| (id.to_string(), name.clone()))
                    .collect(),
                // A resident need not know the council's categories: the form starts at "not
                // sure" (stored as `other`, for staff to classify), not at the list's first.
                std::iter::once(("other".to_string(), lang.t("need-category-unsure")))
                    .chain(
                        f.categories
                            .iter()
                            .filter(|(code, _, _)| code != "other")
                            .map(|(code, zh, en)| {
                                (code.clone(), if lang == Lang::En { en } else { zh }.clone())
                            }),
                    )
                    .collect(),
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    let today = format_date(state.app.now().china_date());
    render(&MyNeedsPage {
        needs: rows.iter().map(|n| need_line(lang, n, &today)).collect(),
        page,
        places,
        categories,
        typed,
        field_error,
    })
}

/// A resident reports a need online: the place (their own courtyard unless they pick another),
/// a category, one sentence, details and a photo if they like.
pub(super) async fn report_my_need(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    multipart: Multipart,
) -> Response {
    // The page the form was on.
    page.path = "/my/needs".to_string();
    let f = match MultipartForm::read(multipart, lang).await {
        Ok(f) => f,
        Err(e) => return error_page(e, page),
    };
    let app = &state.app;
    let actor = &visitor.actor;
    let result: Result<i64, AppError> = async {
        let form = projects::resident_need_form(app, actor)
            .await?
            .ok_or(AppError::Forbidden)?;
        let photos: Vec<String> = if f.file.is_empty() {
            Vec::new()
        } else {
            vec![
                uploads::store(app, actor, form.community, &f.file)
                    .await?
                    .sha256,
            ]
        };
        let (_, number) = projects::report_need(
            app,
            actor,
            &NewNeed {
                place_id: f.id("place_id"),
                building_id: None,
                category: &f.get("category"),
                channel: "online",
                title: &f.get("title"),
                body: &f.get("body"),
                photos: &photos,
                reporter_id: None,
            },
        )
        .await?;
        Ok(number)
    }
    .await;
    match result {
        Ok(number) => {
            page.flash = Some(lang.t_args("need-recorded", &[("number", number.to_string())]));
            my_needs_view(&state, lang, page, &visitor, HashMap::new(), None).await
        }
        Err(e) => {
            let e = ApiError::from_app(e, lang);
            let typed = ["place_id", "category", "title", "body"]
                .into_iter()
                .map(|k| (k.to_string(), f.get(k)))
                .collect();
            let field_error = e.field.clone().map(|field| (field, e.message()));
            if field_error.is_none() {
                page.error = Some(e.message());
            }
            let mut r = my_needs_view(&state, lang, page, &visitor, typed, field_error).await;
            *r.status_mut() = e.status;
            r
        }
    }
}
