//! The JSON API. Every page action has a call here. Handlers translate HTTP into a use-case call
//! and the result (or error) back; they hold no rules.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post};
use axum::{Json, Router};
use gongzhi_app::{accounts as app_accounts, places as app_places};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, Authed, ClientAddr, Visitor};
use crate::i18n::Lang;

mod places;
use places::*;
mod accounts;
use accounts::*;
mod people;
use people::*;

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
        method: "post",
        path: "/me/email",
        handler: || post(set_email),
        operation: "set_email",
        summary: "Set (or, empty, remove) the e-mail address notifications are sent to",
        body: Some(|| obj(&["email"], &[("email", "string")])),
    },
    Route {
        method: "get",
        path: "/me/messages",
        handler: || get(my_messages),
        operation: "my_messages",
        summary: "The signed-in person's newest messages, in the request's language, and how many are unread",
        body: None,
    },
    Route {
        method: "post",
        path: "/follows",
        handler: || post(follow),
        operation: "follow",
        summary: "Follow (or stop following) a place, a project or one's own need",
        body: Some(|| {
            obj(
                &["subject", "id", "following"],
                &[
                    ("subject", "string"),
                    ("id", "string"),
                    ("following", "boolean"),
                ],
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
    let session = app_accounts::login(&state.app, &body.identifier, &body.password, &addr.0)
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
        app_accounts::logout(&state.app, token)
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
    app_accounts::change_password(
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

#[derive(Deserialize)]
struct EmailBody {
    email: String,
}

async fn set_email(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<EmailBody>,
) -> ApiResult {
    gongzhi_app::notify::set_email(&state.app, &v.actor, &b.email)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    ok(json!({"email": b.email.trim()}))
}

async fn my_messages(State(state): State<AppState>, lang: Lang, Authed(v): Authed) -> ApiResult {
    let (messages, unread) = gongzhi_app::notify::inbox(&state.app, &v.actor, 100)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    let messages: Vec<Value> = messages
        .iter()
        .map(|m| {
            let w = crate::inbox::words(lang, m);
            json!({
                "id": m.id, "kind": m.kind, "subject": m.subject, "subject_id": m.subject_id,
                "title": w.title, "body": w.body, "href": w.href,
                "created_at": m.created_at.micros(), "read": m.read,
            })
        })
        .collect();
    ok(json!({"unread": unread, "messages": messages}))
}

#[derive(Deserialize)]
struct FollowBody {
    subject: String,
    id: uuid::Uuid,
    following: bool,
}

async fn follow(
    State(state): State<AppState>,
    lang: Lang,
    Authed(v): Authed,
    ApiJson(b): ApiJson<FollowBody>,
) -> ApiResult {
    let subject = gongzhi_domain::notification::Subject::parse(&b.subject).ok_or_else(|| {
        ApiError::from_app(
            gongzhi_app::AppError::invalid("follow_subject_unknown", "subject"),
            lang,
        )
    })?;
    gongzhi_app::notify::set_following(&state.app, &v.actor, subject, b.id, b.following)
        .await
        .map_err(|e| ApiError::from_app(e, lang))?;
    ok(json!({"subject": subject, "id": b.id, "following": b.following}))
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
    let root = app_places::jurisdictions(&state.app)
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
