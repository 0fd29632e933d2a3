//! The JSON API. Every page action has a call here. Handlers translate HTTP into a use-case call
//! and the result (or error) back; they hold no rules.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post};
use axum::{Json, Router};
use gongzhi_app::{accounts, people, places, rules, setup};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, Authed, ClientAddr, Visitor};
use crate::i18n::Lang;

pub(crate) type ApiResult = Result<Response, ApiError>;

/// One route of the API: the router and the OpenAPI document are both built from the table of
/// these, so a route exists exactly when it is documented.
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    /// The handler for `method` on `path` (with the route's own layers, such as a body limit).
    pub handler: fn() -> MethodRouter<AppState>,
    pub operation: &'static str,
    pub summary: &'static str,
    pub body: Option<fn() -> Value>,
}

pub(crate) fn obj(required: &[&str], props: &[(&str, &str)]) -> Value {
    let p: serde_json::Map<String, Value> = props
        .iter()
        .map(|(k, t)| ((*k).to_string(), json!({"type": t})))
        .collect();
    json!({"type": "object", "required": required, "properties": p})
}

pub const ROUTES: &[Route] = &[
    Route {
        method: "post",
        path: "/session",
        handler: || post(login),
        operation: "login",
        summary: "Sign in by username or phone and password; sets the session cookie",
        body: Some(|| {
            obj(
                &["identifier", "password"],
                &[("identifier", "string"), ("password", "string")],
            )
        }),
    },
    Route {
        method: "delete",
        path: "/session",
        handler: || delete(logout),
        operation: "logout",
        summary: "Sign out",
        body: None,
    },
    Route {
        method: "get",
        path: "/me",
        handler: || get(me),
        operation: "me",
        summary: "The signed-in account and its roles",
        body: None,
    },
    Route {
        method: "post",
        path: "/me/password",
        handler: || post(change_password),
        operation: "change_password",
        summary: "Change one's password (other sessions are signed out)",
        body: Some(|| {
            obj(
                &["old_password", "new_password"],
                &[("old_password", "string"), ("new_password", "string")],
            )
        }),
    },
    Route {
        method: "get",
        path: "/jurisdictions",
        handler: || get(list_jurisdictions),
        operation: "list_jurisdictions",
        summary: "Public list of jurisdictions with chain heads",
        body: None,
    },
    Route {
        method: "post",
        path: "/jurisdictions",
        handler: || post(create_jurisdiction),
        operation: "create_jurisdiction",
        summary: "Create a jurisdiction under a parent",
        body: Some(|| {
            obj(
                &["parent_id", "level", "code", "name_zh"],
                &[
                    ("parent_id", "string"),
                    ("level", "string"),
                    ("code", "string"),
                    ("name_zh", "string"),
                    ("name_en", "string"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/jurisdictions/{code}/rules",
        handler: || get(rules_in_force),
        operation: "rules_in_force",
        summary: "The rules in force today for a jurisdiction",
        body: None,
    },
    Route {
        method: "post",
        path: "/rules",
        handler: || post(set_rule),
        operation: "set_rule",
        summary: "Record a new version of a rule (audited)",
        body: Some(|| {
            obj(
                &[
                    "jurisdiction_id",
                    "key",
                    "value",
                    "effective_from",
                    "reason",
                ],
                &[
                    ("jurisdiction_id", "string"),
                    ("key", "string"),
                    ("value", "object"),
                    ("effective_from", "string"),
                    ("reason", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/accounts",
        handler: || post(create_account),
        operation: "create_account",
        summary: "Create an account with a role on a jurisdiction",
        body: Some(|| {
            obj(
                &["jurisdiction_id", "role", "display_name", "password"],
                &[
                    ("jurisdiction_id", "string"),
                    ("role", "string"),
                    ("username", "string"),
                    ("phone", "string"),
                    ("display_name", "string"),
                    ("password", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/role-grants",
        handler: || post(grant_role),
        operation: "grant_role",
        summary: "Grant a role on a jurisdiction",
        body: Some(|| {
            obj(
                &["account_id", "jurisdiction_id", "role"],
                &[
                    ("account_id", "string"),
                    ("jurisdiction_id", "string"),
                    ("role", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/offices",
        handler: || post(assign_office),
        operation: "assign_office",
        summary: "Record who holds an office for a term",
        body: Some(|| {
            obj(
                &["jurisdiction_id", "office", "account_id", "term_start"],
                &[
                    ("jurisdiction_id", "string"),
                    ("office", "string"),
                    ("account_id", "string"),
                    ("term_start", "string"),
                    ("term_end", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/buildings",
        handler: || post(create_building),
        operation: "create_building",
        summary: "Register a building in a courtyard",
        body: Some(|| {
            obj(
                &["courtyard_id", "label"],
                &[("courtyard_id", "string"), ("label", "string")],
            )
        }),
    },
    Route {
        method: "post",
        path: "/households",
        handler: || post(create_household),
        operation: "create_household",
        summary: "Register a household (unit, room) in a building",
        body: Some(|| {
            obj(
                &["community_id", "building_id", "unit", "room"],
                &[
                    ("community_id", "string"),
                    ("building_id", "string"),
                    ("unit", "string"),
                    ("room", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/residents",
        handler: || post(register_resident),
        operation: "register_resident",
        summary: "Register a resident of a community",
        body: Some(|| {
            obj(
                &["community_id", "name"],
                &[
                    ("community_id", "string"),
                    ("name", "string"),
                    ("phone", "string"),
                    ("id_number", "string"),
                    ("courtyard_id", "string"),
                    ("household_id", "string"),
                    ("representative", "boolean"),
                    ("account_id", "string"),
                ],
            )
        }),
    },
    Route {
        method: "get",
        path: "/communities/{id}/residents",
        handler: || get(list_residents),
        operation: "list_residents",
        summary: "Residents with personal data (staff; the read is logged)",
        body: None,
    },
    Route {
        method: "get",
        path: "/communities/{id}/residents/duplicates",
        handler: || get(duplicates),
        operation: "possible_duplicates",
        summary: "Groups of possibly duplicate residents",
        body: None,
    },
    Route {
        method: "post",
        path: "/communities/{id}/residents/import",
        handler: || post(import_residents),
        operation: "import_residents",
        summary: "Bulk import residents from a CSV or XLSX body; all or nothing with a row-by-row report",
        body: None,
    },
    Route {
        method: "post",
        path: "/residents/merge",
        handler: || post(merge_residents),
        operation: "merge_residents",
        summary: "Merge a duplicate resident into another",
        body: Some(|| {
            obj(
                &["community_id", "keep_id", "duplicate_id", "reason"],
                &[
                    ("community_id", "string"),
                    ("keep_id", "string"),
                    ("duplicate_id", "string"),
                    ("reason", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/residents/amend",
        handler: || post(amend_resident),
        operation: "amend_resident",
        summary: "Amend a resident's name or phone with a reason",
        body: Some(|| {
            obj(
                &["community_id", "resident_id", "reason"],
                &[
                    ("community_id", "string"),
                    ("resident_id", "string"),
                    ("name", "string"),
                    ("phone", "string"),
                    ("reason", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/records/void",
        handler: || post(void_record),
        operation: "void_record",
        summary: "Void a record with a reason (never deleted)",
        body: Some(|| {
            obj(
                &["tenant_id", "table", "id", "reason"],
                &[
                    ("tenant_id", "string"),
                    ("table", "string"),
                    ("id", "string"),
                    ("reason", "string"),
                ],
            )
        }),
    },
    Route {
        method: "post",
        path: "/admin/clock",
        handler: || post(advance_clock),
        operation: "advance_clock",
        summary: "Move the demo clock forward (only with --clock manual)",
        body: Some(|| obj(&["seconds"], &[("seconds", "integer")])),
    },
    Route {
        method: "post",
        path: "/communities/{id}/uploads",
        handler: || {
            post(upload).layer(axum::extract::DefaultBodyLimit::max(
                gongzhi_app::uploads::MAX_FILE_BYTES + 64 * 1024,
            ))
        },
        operation: "upload",
        summary: "Upload one photo (JPEG/PNG) or PDF as the raw body; location data is stripped; returns its SHA-256",
        body: None,
    },
    Route {
        method: "get",
        path: "/communities/{id}/uploads/{sha256}",
        handler: || get(fetch_upload),
        operation: "fetch_upload",
        summary: "Read an upload back (people with a role in the community)",
        body: None,
    },
    Route {
        method: "get",
        path: "/openapi.json",
        handler: || get(|| async { Json(crate::openapi::document()) }),
        operation: "openapi",
        summary: "This document",
        body: None,
    },
];

/// Every documented route: the foundation's and councils' (`ROUTES`) and the fund's.
pub fn all_routes() -> impl Iterator<Item = &'static Route> {
    ROUTES
        .iter()
        .chain(crate::api_councils::ROUTES)
        .chain(crate::api_ledger::ROUTES)
        .chain(crate::api_projects::ROUTES)
        .chain(crate::api_elections::ROUTES)
        .chain(crate::api_budget_votes::ROUTES)
        .chain(crate::api_procurement::ROUTES)
}

/// The API's router, built from the route table (`all_routes`) the OpenAPI document is made
/// from. Routes that share a path share one method router.
pub fn routes() -> Router<AppState> {
    let mut by_path: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
    for r in all_routes() {
        match by_path.iter_mut().find(|(path, _)| *path == r.path) {
            Some((_, methods)) => {
                let earlier = std::mem::replace(methods, MethodRouter::new());
                *methods = earlier.merge((r.handler)());
            }
            None => by_path.push((r.path, (r.handler)())),
        }
    }
    by_path
        .into_iter()
        .fold(Router::new(), |router, (path, methods)| {
            router.route(path, methods)
        })
}

pub(crate) fn ok(value: Value) -> ApiResult {
    Ok(Json(value).into_response())
}

pub(crate) fn created(value: Value) -> ApiResult {
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

/// Session cookie: HttpOnly, SameSite=Lax, Secure when served over HTTPS.
pub fn session_cookie(state: &AppState, token: &str, max_age: i64) -> String {
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        state.session_cookie_name(),
        if state.secure { "; Secure" } else { "" }
    )
}

#[derive(Deserialize)]
struct LoginBody {
    identifier: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    lang: Lang,
    addr: ClientAddr,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult {
    let session = accounts::login(&state.app, &body.identifier, &body.password, &addr.0)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    let cookie = session_cookie(&state, &session.token, state.app.settings.session_ttl_secs);
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(json!({"account_id": session.account_id})),
    )
        .into_response())
}

async fn logout(State(state): State<AppState>, lang: Lang, visitor: Visitor) -> ApiResult {
    if let Some(token) = &visitor.token {
        accounts::logout(&state.app, token)
            .await
            .map_err(|e| ApiError::from_app(e, lang))?;
    }
    Ok((
        [(header::SET_COOKIE, session_cookie(&state, "", 0))],
        StatusCode::NO_CONTENT,
    )
        .into_response())
}

async fn me(Authed(v): Authed) -> ApiResult {
    let a = v
        .account
        .as_ref()
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated"))?;
    let roles: Vec<Value> = v
        .actor
        .grants
        .iter()
        .map(|(r, j)| json!({"role": r, "jurisdiction_id": j}))
        .collect();
    ok(
        json!({"account_id": a.id, "display_name": a.display_name, "username": a.username, "locale": a.locale, "roles": roles}),
    )
}

#[derive(Deserialize)]
struct PasswordBody {
    old_password: String,
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<PasswordBody>,
) -> ApiResult {
    let token = v.token.clone().unwrap_or_default();
    accounts::change_password(
        &state.app,
        &v.actor,
        &token,
        &b.old_password,
        &b.new_password,
    )
    .await
    .map_err(|e| ApiError::from_app(e, lang))?;
    ok(json!({"changed": true}))
}

async fn list_jurisdictions(State(state): State<AppState>, lang: Lang) -> ApiResult {
    let all = places::jurisdictions(&state.app)
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
struct JurisdictionBody {
    parent_id: Uuid,
    level: String,
    code: String,
    name_zh: String,
    #[serde(default)]
    name_en: String,
}

async fn create_jurisdiction(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<JurisdictionBody>,
) -> ApiResult {
    let id = places::create_jurisdiction(
        &state.app,
        &v.actor,
        &places::NewJurisdiction {
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

async fn rules_in_force(
    State(state): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
) -> ApiResult {
    let j = places::jurisdiction_by_code(&state.app, &code)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    let rules = rules::rulebook_today(&state.app, j.id)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    let out: serde_json::Map<String, Value> = rules
        .into_iter()
        .map(|(s, v)| (s.key.to_string(), v.unwrap_or(Value::Null)))
        .collect();
    ok(Value::Object(out))
}

#[derive(Deserialize)]
struct RuleBody {
    jurisdiction_id: Uuid,
    key: String,
    value: Value,
    effective_from: String,
    reason: String,
}

async fn set_rule(
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

#[derive(Deserialize)]
struct AccountBody {
    jurisdiction_id: Uuid,
    role: String,
    username: Option<String>,
    phone: Option<String>,
    display_name: String,
    password: String,
}

async fn create_account(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<AccountBody>,
) -> ApiResult {
    let id = accounts::create_account(
        &state.app,
        &v.actor,
        b.jurisdiction_id,
        &b.role,
        &accounts::NewAccount {
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
struct GrantBody {
    account_id: Uuid,
    jurisdiction_id: Uuid,
    role: String,
}

async fn grant_role(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<GrantBody>,
) -> ApiResult {
    let id = accounts::grant_role(
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
struct OfficeBody {
    jurisdiction_id: Uuid,
    office: String,
    account_id: Uuid,
    term_start: String,
    term_end: Option<String>,
}

async fn assign_office(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<OfficeBody>,
) -> ApiResult {
    let id = accounts::assign_office(
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

#[derive(Deserialize)]
struct BuildingBody {
    courtyard_id: Uuid,
    label: String,
}

async fn create_building(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<BuildingBody>,
) -> ApiResult {
    let id = places::create_building(&state.app, &v.actor, b.courtyard_id, &b.label)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    created(json!({"id": id}))
}

#[derive(Deserialize)]
struct HouseholdBody {
    community_id: Uuid,
    building_id: Uuid,
    unit: String,
    room: String,
}

async fn create_household(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<HouseholdBody>,
) -> ApiResult {
    let id = places::create_household(
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
struct ResidentBody {
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

async fn register_resident(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<ResidentBody>,
) -> ApiResult {
    let new = people::NewResident {
        name: b.name,
        phone: b.phone,
        id_number: b.id_number,
        courtyard_id: b.courtyard_id,
        household_id: b.household_id,
        representative: b.representative,
        account_id: b.account_id,
    };
    let id = people::register_resident(&state.app, &v.actor, b.community_id, &new)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    created(json!({"id": id}))
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<i64>,
}

fn resident_json(r: &gongzhi_app::records::ResidentRow) -> Value {
    json!({"id": r.id, "name": r.name, "phone": r.phone, "id_number": r.id_number, "courtyard_id": r.courtyard_id})
}

async fn list_residents(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    Query(q): Query<ListQuery>,
) -> ApiResult {
    let rows = people::list_residents(&state.app, &v.actor, id, q.limit.unwrap_or(500))
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    ok(Value::Array(rows.iter().map(resident_json).collect()))
}

async fn duplicates(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
) -> ApiResult {
    let groups = people::possible_duplicates(&state.app, &v.actor, id)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    ok(Value::Array(
        groups
            .iter()
            .map(|g| Value::Array(g.iter().map(resident_json).collect()))
            .collect(),
    ))
}

async fn import_residents(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    body: axum::body::Body,
) -> ApiResult {
    people::authorize_import(&state.app, &v.actor, id)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    let body = crate::extract::read_body(body, crate::IMPORT_BODY_LIMIT, lang).await?;
    let report = people::import_residents_file(&state.app, &v.actor, id, &body)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    created(json!({"imported": report.imported}))
}

#[derive(Deserialize)]
struct MergeBody {
    community_id: Uuid,
    keep_id: Uuid,
    duplicate_id: Uuid,
    reason: String,
}

async fn merge_residents(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<MergeBody>,
) -> ApiResult {
    people::merge_residents(
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
struct AmendBody {
    community_id: Uuid,
    resident_id: Uuid,
    name: Option<String>,
    phone: Option<String>,
    reason: String,
}

async fn amend_resident(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<AmendBody>,
) -> ApiResult {
    people::amend_resident(
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
struct VoidBody {
    tenant_id: Uuid,
    table: String,
    id: Uuid,
    reason: String,
}

async fn void_record(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<VoidBody>,
) -> ApiResult {
    people::void_record(&state.app, &v.actor, b.tenant_id, &b.table, b.id, &b.reason)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    ok(json!({"voided": true}))
}

#[derive(Deserialize)]
struct ClockBody {
    seconds: i64,
}

async fn advance_clock(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<ClockBody>,
) -> ApiResult {
    if !state.app.clock.is_manual() {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "clock_not_manual").lang(lang));
    }
    let root = places::jurisdictions(&state.app)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    let city = root
        .iter()
        .find(|j| j.parent_id.is_none())
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found").lang(lang))?;
    let mut tx = state
        .app
        .db
        .read()
        .await
        .map_err(|e| ApiError::from_app(e.into(), lang))?;
    v.actor
        .require(
            &mut tx,
            gongzhi_app::authz::Permission::AdvanceClock,
            city.id,
        )
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    tx.rollback()
        .await
        .map_err(|e| ApiError::from_app(e.into(), lang))?;
    let now = state
        .app
        .clock
        .advance(b.seconds)
        .map_err(|e| ApiError::from_app(e, lang))?;
    ok(json!({"now": now.china_minute(), "micros": now.micros()}))
}

async fn upload(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> ApiResult {
    let stored = gongzhi_app::uploads::store(&state.app, &v.actor, id, &body)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    created(json!({"sha256": stored.sha256, "media_type": stored.media_type, "size": stored.size}))
}

async fn fetch_upload(
    State(state): State<AppState>,
    lang: Lang,
    v: Visitor,
    Path((id, sha)): Path<(Uuid, String)>,
) -> ApiResult {
    let (media_type, bytes) = gongzhi_app::uploads::fetch(&state.app, &v.actor, id, &sha)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    Ok((
        [
            (header::CONTENT_TYPE, media_type),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
        ],
        bytes,
    )
        .into_response())
}

pub(crate) fn err(lang: Lang) -> impl Fn(gongzhi_app::AppError) -> ApiError {
    move |e| ApiError::from_app(e, lang)
}
