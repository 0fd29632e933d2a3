//! The API of the needs ledger: reporting a need, listing, importing, assigning, replying to and merging needs.

use crate::AppState;
use crate::api::{ApiResult, created, err, ok};
use crate::extract::{ApiJson, Authed};
use crate::i18n::Lang;
use axum::extract::{Path, Query, State};
use gongzhi_app::projects::{self, NeedAction, NewNeed};
use gongzhi_app::records::{NeedFilter, NeedRow};
use gongzhi_domain::time::Instant;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

pub(crate) fn need_json(n: &NeedRow) -> Value {
    json!({
        "id": n.id, "number": n.number, "place_id": n.jurisdiction_id, "building_id": n.building_id,
        "category": n.category, "channel": n.channel, "title": n.title, "body": n.body,
        "status": n.status, "reply_due": n.reply_due, "reply": n.reply,
        "entered_by_staff": n.entered_by.is_some(), "assigned_to": n.assigned_to,
        "merged_into": n.merged_into, "project_id": n.project_id,
        "created_at": Instant::from_micros(n.created_at).china_minute(),
    })
}

#[derive(Deserialize)]
pub(super) struct NeedBody {
    place_id: Option<Uuid>,
    building_id: Option<Uuid>,
    category: String,
    #[serde(default = "online")]
    channel: String,
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    photos: Vec<String>,
    reporter_id: Option<Uuid>,
}

pub(super) fn online() -> String {
    "online".into()
}

pub(super) async fn report_need(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<NeedBody>,
) -> ApiResult {
    let (id, number) = projects::report_need(
        &state.app,
        &v.actor,
        &NewNeed {
            place_id: b.place_id,
            building_id: b.building_id,
            category: &b.category,
            channel: &b.channel,
            title: &b.title,
            body: &b.body,
            photos: &b.photos,
            reporter_id: b.reporter_id,
        },
    )
    .await
    .map_err(err(lang))?;
    created(json!({"id": id, "number": number}))
}

/// The needs list's filters, as query parameters.
#[derive(Deserialize, Default)]
pub(crate) struct NeedQuery {
    pub status: Option<String>,
    pub category: Option<String>,
    pub channel: Option<String>,
    pub place: Option<Uuid>,
    #[serde(default)]
    pub overdue: Option<String>,
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

impl NeedQuery {
    pub(crate) fn filter(&self, today: &str) -> NeedFilter {
        let some = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        NeedFilter {
            status: some(&self.status),
            category: some(&self.category),
            channel: some(&self.channel),
            place: self.place,
            overdue_before: self
                .overdue
                .as_deref()
                .filter(|o| matches!(*o, "1" | "true" | "on"))
                .map(|_| today.to_string()),
            reporter_account: None,
            before: self.before,
            limit: self.limit.unwrap_or(50),
        }
    }
}

pub(super) async fn list_needs(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    Query(q): Query<NeedQuery>,
) -> ApiResult {
    let today = gongzhi_domain::time::format_date(state.app.now().china_date());
    let rows = projects::needs_page(&state.app, &v.actor, id, &q.filter(&today))
        .await
        .map_err(err(lang))?;
    let next = (rows.len() as i64 == q.limit.unwrap_or(50).clamp(1, 500))
        .then(|| rows.last().map(|n| n.number))
        .flatten();
    ok(json!({"needs": rows.iter().map(need_json).collect::<Vec<_>>(), "next_before": next}))
}

pub(super) async fn import_needs(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    body: axum::body::Body,
) -> ApiResult {
    projects::authorize_needs_import(&state.app, &v.actor, id)
        .await
        .map_err(err(lang))?;
    let body = crate::extract::read_body(body, crate::IMPORT_BODY_LIMIT, lang).await?;
    let n = projects::import_needs(&state.app, &v.actor, id, &body)
        .await
        .map_err(err(lang))?;
    created(json!({"imported": n}))
}

pub(super) async fn my_needs(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
) -> ApiResult {
    let rows = projects::my_needs(&state.app, &v.actor)
        .await
        .map_err(err(lang))?;
    ok(Value::Array(rows.iter().map(need_json).collect()))
}

pub(super) async fn need(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let n = projects::need_view(&state.app, &v.actor, id)
        .await
        .map_err(err(lang))?;
    ok(need_json(&n))
}

#[derive(Deserialize)]
pub(super) struct AssignBody {
    account_id: Uuid,
}

pub(super) async fn assign_need(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<AssignBody>,
) -> ApiResult {
    projects::act_on_need(&state.app, &v.actor, id, NeedAction::Assign(b.account_id))
        .await
        .map_err(err(lang))?;
    ok(json!({"ok": true}))
}

#[derive(Deserialize)]
pub(super) struct ReplyBody {
    reply: String,
    close: Option<String>,
}

pub(super) async fn reply_need(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<ReplyBody>,
) -> ApiResult {
    projects::act_on_need(
        &state.app,
        &v.actor,
        id,
        NeedAction::Reply {
            reply: &b.reply,
            close: b.close.as_deref().filter(|c| !c.is_empty()),
        },
    )
    .await
    .map_err(err(lang))?;
    ok(json!({"ok": true}))
}

#[derive(Deserialize)]
pub(super) struct MergeBody {
    into: Uuid,
}

pub(super) async fn merge_need(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<MergeBody>,
) -> ApiResult {
    projects::act_on_need(&state.app, &v.actor, id, NeedAction::Merge { into: b.into })
        .await
        .map_err(err(lang))?;
    ok(json!({"ok": true}))
}
