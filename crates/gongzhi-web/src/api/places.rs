//! The API of places and their rules: the jurisdiction tree, rules in force, setting a rule.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, Authed};
use crate::i18n::Lang;
use axum::extract::{Path, State};
use gongzhi_app::{places as app_places, rules, setup};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::*;

pub(super) async fn list_jurisdictions(State(state): State<AppState>, lang: Lang) -> ApiResult {
    let all = app_places::jurisdictions(&state.app)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    let mut out = Vec::with_capacity(all.len());
    for j in all {
        let head = setup::chain_head(&state.app, j.id)
            .await
            .map_err(|e| ApiError::from_app(e, lang))?;
        out.push(json!({
            "id": j.id, "parent_id": j.parent_id, "level": j.level, "code": j.code, "name_zh": j.name_zh, "name_en": j.name_en,
            "chain_head": head.map(|h| json!({"seq": h.seq, "hash": h.hash})),
        }));
    }
    ok(Value::Array(out))
}

#[derive(Deserialize)]
pub(super) struct JurisdictionBody {
    parent_id: Uuid,
    level: String,
    code: String,
    name_zh: String,
    #[serde(default)]
    name_en: String,
}

pub(super) async fn create_jurisdiction(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<JurisdictionBody>,
) -> ApiResult {
    let id = app_places::create_jurisdiction(
        &state.app,
        &v.actor,
        &app_places::NewJurisdiction {
            parent_id: Some(b.parent_id),
            level: &b.level,
            code: &b.code,
            name_zh: &b.name_zh,
            name_en: &b.name_en,
        },
    )
    .await
    .map_err(|e| ApiError::from_app(e, lang))?;
    created(json!({"id": id}))
}

pub(super) async fn rules_in_force(
    State(state): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
) -> ApiResult {
    let j = app_places::jurisdiction_by_code(&state.app, &code)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    let rules = rules::rulebook_today(&state.app, j.id)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    let out: serde_json::Map<String, Value> = rules
        .into_iter()
        .map(|(s, v)| (s.key.to_string(), v.map_or(Value::Null, |v| v.to_json())))
        .collect();
    ok(Value::Object(out))
}

#[derive(Deserialize)]
pub(super) struct RuleBody {
    jurisdiction_id: Uuid,
    key: String,
    value: Value,
    effective_from: String,
    reason: String,
}

pub(super) async fn set_rule(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<RuleBody>,
) -> ApiResult {
    let id = rules::set_rule(
        &state.app,
        &v.actor,
        b.jurisdiction_id,
        &b.key,
        &b.value.to_string(),
        &b.effective_from,
        &b.reason,
    )
    .await
    .map_err(|e| ApiError::from_app(e, lang))?;
    created(json!({"id": id}))
}
