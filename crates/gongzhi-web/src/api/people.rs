//! The API of the register of people: buildings, households, residents, imports, merges, amendments and voids.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, Authed};
use crate::i18n::Lang;
use axum::extract::{Path, Query, State};
use gongzhi_app::{people as app_people, places as app_places};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::*;

#[derive(Deserialize)]
pub(super) struct BuildingBody {
    courtyard_id: Uuid,
    label: String,
}

pub(super) async fn create_building(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<BuildingBody>,
) -> ApiResult {
    let id = app_places::create_building(&state.app, &v.actor, b.courtyard_id, &b.label)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    created(json!({"id": id}))
}

#[derive(Deserialize)]
pub(super) struct HouseholdBody {
    community_id: Uuid,
    building_id: Uuid,
    unit: String,
    room: String,
}

pub(super) async fn create_household(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<HouseholdBody>,
) -> ApiResult {
    let id = app_places::create_household(
        &state.app,
        &v.actor,
        b.community_id,
        b.building_id,
        &b.unit,
        &b.room,
    )
    .await
    .map_err(|e| ApiError::from_app(e, lang))?;
    created(json!({"id": id}))
}

#[derive(Deserialize)]
pub(super) struct ResidentBody {
    community_id: Uuid,
    name: String,
    phone: Option<String>,
    id_number: Option<String>,
    courtyard_id: Option<Uuid>,
    household_id: Option<Uuid>,
    #[serde(default)]
    representative: bool,
    account_id: Option<Uuid>,
}

pub(super) async fn register_resident(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<ResidentBody>,
) -> ApiResult {
    let new = app_people::NewResident {
        name: b.name,
        phone: b.phone,
        id_number: b.id_number,
        courtyard_id: b.courtyard_id,
        household_id: b.household_id,
        representative: b.representative,
        account_id: b.account_id,
        household_address: None,
    };
    let id = app_people::register_resident(&state.app, &v.actor, b.community_id, &new)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    created(json!({"id": id}))
}

#[derive(Deserialize)]
pub(super) struct ListQuery {
    limit: Option<i64>,
}

pub(super) fn resident_json(r: &gongzhi_app::records::ResidentRow) -> Value {
    json!({"id": r.id, "name": r.name, "phone": r.phone, "id_number": r.id_number, "courtyard_id": r.courtyard_id})
}

pub(super) async fn list_residents(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    Query(q): Query<ListQuery>,
) -> ApiResult {
    let rows = app_people::list_residents(&state.app, &v.actor, id, q.limit.unwrap_or(500))
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    ok(Value::Array(rows.iter().map(resident_json).collect()))
}

pub(super) async fn duplicates(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let groups = app_people::possible_duplicates(&state.app, &v.actor, id)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    ok(Value::Array(
        groups
            .iter()
            .map(|g| Value::Array(g.iter().map(resident_json).collect()))
            .collect(),
    ))
}

pub(super) async fn import_residents(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    body: axum::body::Body,
) -> ApiResult {
    app_people::authorize_import(&state.app, &v.actor, id)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    let body = crate::extract::read_body(body, crate::IMPORT_BODY_LIMIT, lang).await?;
    let report = app_people::import_residents_file(&state.app, &v.actor, id, &body)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    created(json!({"imported": report.imported}))
}

#[derive(Deserialize)]
pub(super) struct MergeBody {
    community_id: Uuid,
    keep_id: Uuid,
    duplicate_id: Uuid,
    reason: String,
}

pub(super) async fn merge_residents(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<MergeBody>,
) -> ApiResult {
    app_people::merge_residents(
        &state.app,
        &v.actor,
        b.community_id,
        b.keep_id,
        b.duplicate_id,
        &b.reason,
    )
    .await
    .map_err(|e| ApiError::from_app(e, lang))?;
    ok(json!({"merged": true}))
}

#[derive(Deserialize)]
pub(super) struct AmendBody {
    community_id: Uuid,
    resident_id: Uuid,
    name: Option<String>,
    phone: Option<String>,
    reason: String,
}

pub(super) async fn amend_resident(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<AmendBody>,
) -> ApiResult {
    app_people::amend_resident(
        &state.app,
        &v.actor,
        b.community_id,
        b.resident_id,
        b.name.as_deref(),
        b.phone.as_deref(),
        &b.reason,
    )
    .await
    .map_err(|e| ApiError::from_app(e, lang))?;
    ok(json!({"amended": true}))
}

#[derive(Deserialize)]
pub(super) struct VoidBody {
    tenant_id: Uuid,
    table: String,
    id: Uuid,
    reason: String,
}

pub(super) async fn void_record(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<VoidBody>,
) -> ApiResult {
    app_people::void_record(&state.app, &v.actor, b.tenant_id, &b.table, b.id, &b.reason)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    ok(json!({"voided": true}))
}
