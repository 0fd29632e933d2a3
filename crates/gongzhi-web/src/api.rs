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
        .chain(crate::api_money::ROUTES)
        .chain(crate::api_projects::ROUTES)
        .chain(crate::api_elections::ROUTES)
        .chain(crate::api_budget_votes::ROUTES)
        .chain(crate::api_purchases::ROUTES)
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
    ok(json!({"now": now.china_minute(), "micros": now.0}))
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

// ---- councils ----

use gongzhi_app::{AppError, councils};
use gongzhi_domain::person::redact_numbers;

pub(crate) fn err(lang: Lang) -> impl Fn(gongzhi_app::AppError) -> ApiError {
    move |e| ApiError::from_app(e, lang)
}

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
        .map(|m| json!({"id": m.id, "title": m.title, "scheduled_for": gongzhi_domain::time::Instant(m.scheduled_for).china_minute(), "status": m.status}))
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
        .map(|a| crate::api_money::yuan(a, "approved_fund"))
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
    let at = |v: Option<i64>| v.map(|v| gongzhi_domain::time::Instant(v).china_minute());
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
                "filed_at": gongzhi_domain::time::Instant(o.filed_at).china_minute(),
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
            "filed_at": gongzhi_domain::time::Instant(o.filed_at).china_minute(),
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
        "scheduled_for": gongzhi_domain::time::Instant(v.meeting.scheduled_for).china_minute(), "status": v.meeting.status,
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
