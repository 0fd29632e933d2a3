//! HTTP: the JSON API under `/api/v1`, the server-rendered pages, sessions, CSRF protection,
//! security headers and i18n. No SQL and no business rules here: handlers call `gongzhi-app`.

/// JSON API handlers.
pub mod api;
/// The JSON API of resident-wide budget votes.
pub mod api_budget_votes;
/// The JSON API of council elections, seats ending and meeting calendars.
pub mod api_elections;
/// JSON API of the community fund.
pub mod api_money;
/// The JSON API of the needs ledger and projects.
pub mod api_projects;
/// The JSON API of government purchase of services.
pub mod api_purchases;
/// Budget-vote pages: the public page with results and reasons, the secret ballot, the count.
pub mod budget_votes;
/// Election pages: the public election, the secret ballot, the count; resigning a seat.
pub mod elections;
/// Error → response (`{"error", "message", "fields"}`), translated.
pub mod error;
/// Extractors: visitor, language, client address, bodies.
pub mod extract;
/// Fluent messages (zh-CN default, English).
pub mod i18n;
/// The fund's pages.
pub mod money;
/// The OpenAPI document.
pub mod openapi;
/// Server-rendered pages.
pub mod pages;
/// The public portal of a community: front page, search, Atom feed of notices.
pub mod portal;
/// The core loop's pages: projects, the needs ledger, my needs.
pub mod projects;
/// Government purchase pages: the call board, a call (bid form, scoring screen, results), a
/// contract, an organisation's profile.
pub mod purchases;
pub mod purchases_staff;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use gongzhi_app::App;
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// Shared state of the web layer.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    /// Set once seeding is done: `/healthz` answers 200 only then.
    pub ready: Arc<AtomicBool>,
    /// Send session cookies with `Secure` (when served over HTTPS behind a proxy).
    pub secure_cookies: bool,
    /// Read the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    pub public_base_url: String,
}

impl AppState {
    pub fn new(app: App, public_base_url: String) -> Self {
        AppState {
            app,
            ready: Arc::new(AtomicBool::new(false)),
            secure_cookies: false,
            trust_forwarded_for: false,
            public_base_url,
        }
    }
}

/// Largest request body accepted by default (forms and JSON). Upload routes set their own.
pub const BODY_LIMIT: usize = 256 * 1024;

/// Largest spreadsheet accepted by an import (read only after the import is authorised; what it
/// unpacks to is bounded by `gongzhi_app::spreadsheet::SheetLimits`).
pub const IMPORT_BODY_LIMIT: usize = 20 * 1024 * 1024;

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.ready.load(Ordering::SeqCst) {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "starting")
    }
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
}

/// Keeps what people type into long forms on their device until it is accepted (drafts).
async fn drafts_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/drafts.js"),
    )
}

/// A trivial route of the same server, the baseline for load benchmarks.
async fn ping() -> &'static str {
    "pong"
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let csrf = CsrfLayer::new();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/ping", get(ping))
        .route("/static/app.css", get(css))
        .route("/static/drafts.js", get(drafts_js))
        .merge(pages::routes())
        .merge(portal::routes())
        .merge(money::routes())
        .merge(projects::routes())
        .merge(elections::routes())
        .merge(budget_votes::routes())
        .merge(purchases::routes())
        .merge(purchases_staff::routes())
        .nest("/api/v1", api::routes())
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            extract::body_needs_session,
        ))
        .layer(csrf)
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"),
        ))
        .with_state(state)
}
