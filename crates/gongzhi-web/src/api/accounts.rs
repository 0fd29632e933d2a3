//! The API of accounts: creating one, granting a role, assigning an office.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, Authed};
use crate::i18n::Lang;
use axum::extract::State;
use gongzhi_app::accounts as app_accounts;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::*;

#[derive(Deserialize)]
pub(super) struct AccountBody {
    jurisdiction_id: Uuid,
    role: String,
    username: Option<String>,
    phone: Option<String>,
    display_name: String,
    password: String,
}

pub(super) async fn create_account(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<AccountBody>,
) -> ApiResult {
    let id = app_accounts::create_account(
        &state.app,
        &v.actor,
        b.jurisdiction_id,
        &b.role,
        &app_accounts::NewAccount {
            username: b.username.as_deref(),
            phone: b.phone.as_deref(),
            display_name: &b.display_name,
            password: &b.password,
            locale: lang.code(),
        },
    )
    .await
    .map_err(|e| ApiError::from_app(e, lang))?;
    created(json!({"id": id}))
}

#[derive(Deserialize)]
pub(super) struct GrantBody {
    account_id: Uuid,
    jurisdiction_id: Uuid,
    role: String,
}

pub(super) async fn grant_role(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<GrantBody>,
) -> ApiResult {
    let id = app_accounts::grant_role(
        &state.app,
        &v.actor,
        b.account_id,
        b.jurisdiction_id,
        &b.role,
    )
    .await
    .map_err(|e| ApiError::from_app(e, lang))?;
    created(json!({"id": id}))
}

#[derive(Deserialize)]
pub(super) struct OfficeBody {
    jurisdiction_id: Uuid,
    office: String,
    account_id: Uuid,
    term_start: String,
    term_end: Option<String>,
}

pub(super) async fn assign_office(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<OfficeBody>,
) -> ApiResult {
    let id = app_accounts::assign_office(
        &state.app,
        &v.actor,
        b.jurisdiction_id,
        &b.office,
        b.account_id,
        &b.term_start,
        b.term_end.as_deref(),
    )
    .await
    .map_err(|e| ApiError::from_app(e, lang))?;
    created(json!({"id": id}))
}
