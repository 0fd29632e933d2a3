//! HTTP: the JSON API under `/api/v1`, the server-rendered pages, sessions, CSRF protection,
//! security headers and i18n. No SQL and no business rules here: handlers call `gongzhi-app`.

/// JSON API handlers.
pub mod api;
/// The JSON API of resident-wide budget votes.
pub mod api_budget_votes;
/// The councils' routes of the JSON API (councils, meetings, motions, resolutions, objections).
pub mod api_councils;
/// The JSON API of council elections, seats ending and meeting calendars.
pub mod api_elections;
/// JSON API of the community fund.
pub mod api_ledger;
/// The JSON API of government purchase of services.
pub mod api_procurement;
/// The JSON API of the needs ledger and projects.
pub mod api_projects;
/// Budget-vote pages: the public page with results and reasons, the secret ballot, the count.
pub mod budget_votes;
/// The councils' pages: notices, resolutions and objections, councils, meetings, conventions.
pub mod councils;
/// Election pages: the public election, the secret ballot, the count; resigning a seat.
pub mod elections;
/// Error → response (`{"error", "message", "fields"}`), translated.
pub mod error;
/// Extractors: visitor, language, client address, bodies.
pub mod extract;
/// The one way a page answers a posted form: flash, or the refusal shown beside its field.
pub mod form;
/// Fluent messages (zh-CN default, English).
pub mod i18n;
/// The inbox, the e-mail address for notifications, and follow buttons.
pub mod inbox;
/// The fund's pages.
pub mod ledger;
/// The needs ledger's pages and residents' own needs.
pub mod needs;
/// The OpenAPI document.
pub mod openapi;
/// Server-rendered pages: the page kit and the foundation's pages.
pub mod pages;
/// The residents register and acting for a resident (代办).
pub mod people;
/// The public portal of a community: front page, search, Atom feed of notices.
/// Pictures of money and progress (server-rendered SVG with their words).
pub mod pictures;
pub mod portal;
/// Government purchase pages: the call board, a call (bid form, scoring screen, results), a
/// contract, an organisation's profile.
pub mod procurement;
pub mod procurement_staff;
/// The core loop's pages: the project list and one page per project.
pub mod projects;

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
    /// Served over HTTPS: the session cookie is `__Host-gz_session` with `Secure`, and every
    /// answer carries HSTS. Derived from the public address (`https://…`).
    pub secure: bool,
    /// How many reverse proxies of ours stand in front of the server: the client's address is
    /// the `X-Forwarded-For` entry that many from the right (0: the socket's address; the header
    /// is the client's to write and is never read).
    pub trusted_proxies: usize,
    /// Shared, not copied: the state is cloned for every request by each layer that reads it.
    pub public_base_url: Arc<str>,
}

impl AppState {
    pub fn new(app: App, public_base_url: String) -> Self {
        AppState {
            app,
            ready: Arc::new(AtomicBool::new(false)),
            secure: public_base_url.starts_with("https://"),
            trusted_proxies: 0,
            public_base_url: public_base_url.into(),
        }
    }

    /// The session cookie's name: with the `__Host-` prefix when served over HTTPS, so that no
    /// other site or path (nor plain HTTP) can set it.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-gz_session"
        } else {
            extract::SESSION_COOKIE
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

const APP_CSS: &str = include_str!("../static/app.css");
const DRAFTS_JS: &str = include_str!("../static/drafts.js");
const FAVICON_SVG: &str = include_str!("../static/favicon.svg");

/// The version of the static files pages link to (`/static/app.css?v=…`): a hash of their
/// content, so a phone keeps them for a year and fetches them again exactly when they change.
pub(crate) static ASSET_VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use sha2::Digest;
    let digest = sha2::Sha256::new()
        .chain_update(APP_CSS)
        .chain_update(DRAFTS_JS)
        .chain_update(FAVICON_SVG)
        .finalize();
    hex::encode(&digest[..6])
});

/// Static files: cached for a year (`immutable`), because pages name them by `ASSET_VERSION`.
fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
}

async fn css() -> impl IntoResponse {
    asset("text/css; charset=utf-8", APP_CSS)
}

/// Keeps what people type into long forms on their device until it is accepted (drafts).
async fn drafts_js() -> impl IntoResponse {
    asset("text/javascript; charset=utf-8", DRAFTS_JS)
}

/// The icon a browser shows in its tab and a phone on its home screen.
async fn favicon() -> impl IntoResponse {
    asset("image/svg+xml", FAVICON_SVG)
}

/// A trivial route of the same server, the baseline for load benchmarks.
async fn ping() -> &'static str {
    "pong"
}

/// What every answer goes through on its way out, in one layer (each layer costs every request):
///
/// - **Private answers are not stored.** Every answer to a signed-in visitor (personal data is
///   shown only to the signed-in) and signing in itself are `Cache-Control: no-store`, unless the
///   handler chose a cache policy itself (static assets). Over HTTPS every answer carries HSTS.
/// - **One shape for every refusal.** Answers no handler wrote (a path whose id is not an id, a
///   method the route does not take, a wrong content type: axum's own rejections, in English
///   plain text) become `{"error", "message", "fields"}` in the request's language on the API,
///   and the site's own error page on pages. A page form that was refused, rendered with its
///   error beside what was typed, answers 422 rather than 200, so that the refusal is visible to
///   scripts, crawlers and tests without reading the page.
pub(crate) async fn shape_answers(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (mut parts, body) = req.into_parts();
    let lang =
        <i18n::Lang as axum::extract::FromRequestParts<()>>::from_request_parts(&mut parts, &())
            .await
            .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let is_post = parts.method == axum::http::Method::POST;
    let api = path.starts_with("/api/");
    // Only the cookies are kept: an error page needs the visitor and the display preferences.
    let cookies: Vec<HeaderValue> = parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .cloned()
        .collect();
    let signed_in = cookies
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.contains(state.session_cookie_name()));
    let personal = path.starts_with("/api/v1/session") || path == "/login";
    let mut resp = next
        .run(axum::extract::Request::from_parts(parts, body))
        .await;
    let headers = resp.headers_mut();
    if (signed_in || personal) && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.secure {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let shaped =
        content_type.starts_with("application/json") || content_type.starts_with("text/html");
    if (status.is_client_error() || status.is_server_error()) && !shaped {
        let code = match status {
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::UNAUTHORIZED => "unauthenticated",
            StatusCode::FORBIDDEN => "forbidden",
            s if s.is_server_error() => "internal",
            _ => "request_invalid",
        };
        let error = error::ApiError::new(status, code).lang(lang);
        if api {
            return error.into_response();
        }
        let mut head = axum::http::Request::new(());
        head.headers_mut()
            .extend(cookies.into_iter().map(|c| (header::COOKIE, c)));
        let (mut head, ()) = head.into_parts();
        let prefs =
            <extract::DisplayPrefs as axum::extract::FromRequestParts<()>>::from_request_parts(
                &mut head,
                &(),
            )
            .await
            .unwrap_or(extract::DisplayPrefs {
                large: false,
                contrast: false,
            });
        let visitor = match <extract::Visitor as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut head, &state,
        )
        .await
        {
            Ok(v) => v,
            Err(e) => return e.into_response(),
        };
        let page = pages::Page::new(lang, &prefs, &visitor, &path);
        return pages::error_page(error, page);
    }
    let html = content_type.starts_with("text/html");
    if is_post && !api && status == StatusCode::OK && html {
        let (mut parts, body) = resp.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, 4 * 1024 * 1024).await else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        if bytes
            .windows(pages::REFUSAL_MARK.len())
            .any(|w| w == pages::REFUSAL_MARK.as_bytes())
        {
            parts.status = StatusCode::UNPROCESSABLE_ENTITY;
        }
        return axum::response::Response::from_parts(parts, axum::body::Body::from(bytes));
    }
    resp
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let csrf = CsrfLayer::new();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/ping", get(ping))
        .route("/static/app.css", get(css))
        .route("/static/drafts.js", get(drafts_js))
        .route("/static/favicon.svg", get(favicon))
        .merge(pages::routes())
        .merge(inbox::routes())
        .merge(people::routes())
        .merge(councils::routes())
        .merge(portal::routes())
        .merge(ledger::routes())
        .merge(projects::routes())
        .merge(elections::routes())
        .merge(budget_votes::routes())
        .merge(procurement::routes())
        .merge(procurement_staff::routes())
        .nest("/api/v1", api::routes())
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            extract::body_needs_session,
        ))
        .layer(csrf)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            shape_answers,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"),
        ))
        // Outermost, so what is compressed is the finished answer: pages and JSON shrink to a
        // third or less on a slow phone network (gzip: small to build, read by every browser).
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}
