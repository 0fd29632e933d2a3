//! Extractors: the signed-in user, the language, the client address, and JSON/form bodies whose
//! rejections become our bilingual errors instead of axum's plain text.

use std::net::SocketAddr;

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use gongzhi_app::authz::Actor;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "gz_session";

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Language: the `gz_lang` cookie, else `Accept-Language`, else Chinese.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(l) = cookie(parts, "gz_lang").and_then(Lang::parse) {
            return Ok(l);
        }
        let accept = parts
            .headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Ok(Lang::from_accept(accept))
    }
}

/// What the device asked for, remembered in cookies per device: large text, high contrast.
pub struct DisplayPrefs {
    pub large: bool,
    pub contrast: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for DisplayPrefs {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(DisplayPrefs {
            large: cookie(parts, "gz_large") == Some("1"),
            contrast: cookie(parts, "gz_contrast") == Some("1"),
        })
    }
}

/// The visitor: signed in or not. An invalid or expired session is treated as signed out.
#[derive(Clone)]
pub struct Visitor {
    pub actor: Actor,
    pub account: Option<gongzhi_app::accounts::SignedIn>,
    pub token: Option<String>,
    /// The name of the resident a staff member acts for (代办), shown on every page.
    pub assisting: Option<String>,
}

impl<S> FromRequestParts<S> for Visitor
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // The guard in front of every route that takes a body has resolved the session already.
        if let Some(v) = parts.extensions.get::<Visitor>() {
            return Ok(v.clone());
        }
        let state = AppState::from_ref(state);
        let lang = Lang::from_request_parts(parts, &())
            .await
            .unwrap_or_default();
        if let Some(token) = cookie(parts, state.session_cookie_name()).filter(|t| t.len() == 64) {
            match gongzhi_app::accounts::actor_for_token(&state.app, token).await {
                Ok(Some((actor, account))) => {
                    let assisting = match actor.on_behalf_of {
                        Some(_) => gongzhi_app::accounts::assisted_name(&state.app, &actor).await,
                        None => None,
                    };
                    return Ok(Visitor {
                        actor,
                        account: Some(account),
                        token: Some(token.to_string()),
                        assisting,
                    });
                }
                Ok(None) => {}
                Err(e) => return Err(ApiError::from_app(e, lang)),
            }
        }
        Ok(Visitor {
            actor: Actor::anonymous(),
            account: None,
            token: None,
            assisting: None,
        })
    }
}

/// Sends a visitor who is not signed in to sign in, and back afterwards: to the page they asked
/// for, or, for a form posted after the session ran out, to the page the form was on (its
/// action answers only POST). Only a local path is ever a way back.
fn sign_in_first(parts: &Parts) -> axum::response::Response {
    use axum::response::IntoResponse;
    let back = if parts.method == axum::http::Method::GET {
        parts.uri.path_and_query().map(|p| p.as_str())
    } else {
        parts
            .headers
            .get(axum::http::header::REFERER)
            .and_then(|r| r.to_str().ok())
            .and_then(|r| {
                r.find("://")
                    .map(|i| &r[i + 3..])
                    .and_then(|rest| rest.find('/').map(|j| &rest[j..]))
            })
    }
    .and_then(crate::pages::local_return_path)
    .unwrap_or("/");
    let next: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
    axum::response::Redirect::to(&format!("/login?next={next}")).into_response()
}

/// A signed-in visitor, for pages: anyone else is sent to sign in and brought back (see
/// `sign_in_first`). The one way a page says "sign in first".
pub struct SignedInVisitor(pub Visitor);

impl<S> FromRequestParts<S> for SignedInVisitor
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = axum::response::Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let v = Visitor::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if v.account.is_none() {
            return Err(sign_in_first(parts));
        }
        Ok(SignedInVisitor(v))
    }
}

/// What every page handler starts from: `PageContext(lang, visitor, page)` — the language, the
/// visitor, and the page frame (display preferences, who is signed in, the address "back"
/// returns to after a preference change: the address asked for). A handler that answers a form
/// frames the page the form was on by setting `page.path`.
pub struct PageContext(pub Lang, pub Visitor, pub crate::pages::Page);

/// `PageContext` for a signed-in visitor: anyone else is sent to sign in and brought back
/// (`sign_in_first`).
pub struct SignedInPage(pub Lang, pub Visitor, pub crate::pages::Page);

impl<S> FromRequestParts<S> for PageContext
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(lang) = Lang::from_request_parts(parts, state).await;
        let Ok(prefs) = DisplayPrefs::from_request_parts(parts, state).await;
        let visitor = Visitor::from_request_parts(parts, state).await?;
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .and_then(crate::pages::local_return_path)
            .unwrap_or("/");
        let page = crate::pages::Page::new(lang, &prefs, &visitor, here);
        Ok(PageContext(lang, visitor, page))
    }
}

impl<S> FromRequestParts<S> for SignedInPage
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = axum::response::Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let PageContext(lang, visitor, page) = PageContext::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if visitor.account.is_none() {
            return Err(sign_in_first(parts));
        }
        Ok(SignedInPage(lang, visitor, page))
    }
}

/// A signed-in user; 401 otherwise.
pub struct Authed(pub Visitor);

impl<S> FromRequestParts<S> for Authed
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_request_parts(parts, &())
            .await
            .unwrap_or_default();
        let v = Visitor::from_request_parts(parts, state).await?;
        if v.account.is_none() {
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated").lang(lang));
        }
        Ok(Authed(v))
    }
}

/// The client's address, for login throttling: the socket's address, or behind `trusted_proxies`
/// reverse proxies of ours, the `X-Forwarded-For` entry written by the outermost of them (that
/// many from the right). Entries to the left of it are whatever the client wrote and are never
/// believed.
pub struct ClientAddr(pub String);

/// The address `trusted` proxies vouch for in an `X-Forwarded-For` value (all of a request's
/// headers joined by commas): the entry `trusted` from the right, or the leftmost when there are
/// fewer (the request came past fewer proxies than configured).
pub fn forwarded_client(forwarded: &str, trusted: usize) -> Option<String> {
    let hops: Vec<&str> = forwarded
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    if trusted == 0 || hops.is_empty() {
        return None;
    }
    let i = hops.len().saturating_sub(trusted);
    Some(hops[i].to_string())
}

impl<S> FromRequestParts<S> for ClientAddr
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        if state.trusted_proxies > 0 {
            let joined: Vec<&str> = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            if let Some(client) = forwarded_client(&joined.join(","), state.trusted_proxies) {
                return Ok(ClientAddr(client));
            }
        }
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientAddr(addr.unwrap_or_else(|| "local".into())))
    }
}

fn body_error(status: StatusCode, text: &str, lang: Lang) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(status, "body_too_large").lang(lang)
    } else if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        ApiError::new(status, "unsupported_media_type").lang(lang)
    } else if text.contains("UTF-8") || text.contains("utf-8") {
        ApiError::new(StatusCode::BAD_REQUEST, "body_invalid_utf8").lang(lang)
    } else {
        ApiError::new(StatusCode::BAD_REQUEST, "body_invalid")
            .arg("detail", text)
            .lang(lang)
    }
}

/// JSON body with our error format on rejection.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let lang = Lang::from_request_parts(&mut parts, state)
            .await
            .unwrap_or_default();
        let req = Request::from_parts(parts, body);
        let mut value = match axum::Json::<Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(rejection) => {
                let r: JsonRejection = rejection;
                return Err(body_error(r.status(), &r.body_text(), lang));
            }
        };
        whole_numbers(&mut value);
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| body_error(StatusCode::BAD_REQUEST, &e.to_string(), lang))
    }
}

/// JSON Schema counts `3.0` as the integer 3, and so does a client that computes in floating
/// point; serde would refuse it for an integer field. Numbers with no fraction that a double
/// holds exactly become integers before the body is read into its type.
fn whole_numbers(value: &mut Value) {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < EXACT
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// Form body with our error format on rejection.
pub struct ApiForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiForm<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let lang = Lang::from_request_parts(&mut parts, state)
            .await
            .unwrap_or_default();
        let req = Request::from_parts(parts, body);
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(ApiForm(v)),
            Err(rejection) => {
                let r: FormRejection = rejection;
                Err(body_error(r.status(), &r.body_text(), lang))
            }
        }
    }
}

/// A multipart form read whole: its text fields (repeated names kept in order, for checkbox
/// lists) and its one file (`file`, empty when none was chosen). The one multipart reader of
/// the pages: a body that cannot be read (cut short, over its size limit, not multipart) is an
/// error the page shows, never a form read as empty.
pub struct MultipartForm {
    pub fields: std::collections::HashMap<String, Vec<String>>,
    pub file: Vec<u8>,
}

impl MultipartForm {
    pub async fn read(mut form: axum::extract::Multipart, lang: Lang) -> Result<Self, ApiError> {
        let unreadable = |e: axum::extract::multipart::MultipartError| {
            body_error(e.status(), &e.body_text(), lang)
        };
        let mut fields: std::collections::HashMap<String, Vec<String>> = Default::default();
        let mut file = Vec::new();
        while let Some(field) = form.next_field().await.map_err(unreadable)? {
            let name = field.name().unwrap_or("").to_string();
            if name == "file" {
                file = field.bytes().await.map_err(unreadable)?.to_vec();
            } else {
                let text = field.text().await.map_err(unreadable)?;
                fields.entry(name).or_default().push(text);
            }
        }
        Ok(MultipartForm { fields, file })
    }

    /// The first value of a field, or "" when it was not sent.
    pub fn get(&self, k: &str) -> String {
        self.fields
            .get(k)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default()
    }

    pub fn id(&self, k: &str) -> Option<uuid::Uuid> {
        uuid::Uuid::parse_str(self.get(k).trim()).ok()
    }

    /// Every value of a repeated field that is an id (ticked boxes).
    pub fn ids(&self, k: &str) -> Vec<uuid::Uuid> {
        self.fields
            .get(k)
            .map(|v| {
                v.iter()
                    .filter_map(|s| uuid::Uuid::parse_str(s.trim()).ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Requests with a body that a visitor who is not signed in may send: signing in, choosing a
/// language or display size, signing out. Every other request with a body is refused before its
/// body is read unless it carries a live session ([`body_needs_session`]).
const OPEN_TO_VISITORS: &[(&str, &str)] = &[
    ("POST", "/login"),
    ("POST", "/prefs"),
    ("POST", "/logout"),
    ("POST", "/api/v1/session"),
    ("DELETE", "/api/v1/session"),
];

/// Whether a request of this method to this path may be sent without signing in.
pub fn open_to_visitors(method: &axum::http::Method, path: &str) -> bool {
    OPEN_TO_VISITORS
        .iter()
        .any(|(m, p)| *m == method.as_str() && *p == path)
}

/// The guard in front of every route: a request that may carry a body (anything but GET, HEAD
/// and OPTIONS) is answered before a byte of its body is read unless it comes with a live
/// session or is [open to visitors](open_to_visitors): 401 on the API, a redirect to the sign-in
/// page on pages. The visitor it resolved is handed on to the handler, so the session is read
/// once. Which permission a route needs is the handler's to check, before it reads the body
/// (uploads and imports do so explicitly).
pub async fn body_needs_session(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::Method;
    use axum::response::IntoResponse;
    let method = req.method().clone();
    if matches!(method, Method::GET | Method::HEAD | Method::OPTIONS)
        || open_to_visitors(&method, req.uri().path())
    {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let lang = Lang::from_request_parts(&mut parts, &())
        .await
        .unwrap_or_default();
    let visitor = match Visitor::from_request_parts(&mut parts, &state).await {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    if visitor.account.is_none() {
        let path = parts.uri.path();
        if path.starts_with("/api/") {
            return ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated")
                .lang(lang)
                .into_response();
        }
        return sign_in_first(&parts);
    }
    parts.extensions.insert(visitor);
    next.run(Request::from_parts(parts, body)).await
}

/// Reads a request body of at most `limit` bytes, after the handler has authorised the request.
/// Routes that take files use it instead of a body extractor, which would read the whole body
/// before the handler runs.
pub async fn read_body(
    body: axum::body::Body,
    limit: usize,
    lang: Lang,
) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large").lang(lang))
}
