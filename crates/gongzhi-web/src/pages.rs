//! Server-rendered pages. They work without JavaScript: every action is a form POST that
//! redirects back (post/redirect/get), and every page action also exists in the JSON API.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongzhi_app::todo::Todo;
use gongzhi_app::{accounts, places, setup};
use gongzhi_domain::Fen;
use gongzhi_domain::audit::short_head;
use serde::Deserialize;

use crate::AppState;
use crate::api::session_cookie;
use crate::error::ApiError;
use crate::extract::{ApiForm, ClientAddr, DisplayPrefs, PageContext, SignedInVisitor, Visitor};
use crate::i18n::Lang;

/// What every page needs: language, large-text mode, who is signed in, messages.
pub struct Page {
    pub lang: Lang,
    pub large: bool,
    /// High contrast: black on white, thick outlines, underlined links.
    pub contrast: bool,
    pub user_name: Option<String>,
    /// "You are acting for the resident …", when the signed-in staff member acts for one.
    pub assisting: Option<String>,
    pub path: String,
    pub flash: Option<String>,
    pub error: Option<String>,
    /// The static files' version, for their long-cached addresses (`crate::ASSET_VERSION`).
    pub assets: &'static str,
    /// Where the page sits, from its community down: (name, link), the last one the page's
    /// parent (`Page::trail_to`, `Page::then`).
    pub trail: Vec<(String, String)>,
}

impl Page {
    pub(crate) fn new(lang: Lang, large: &DisplayPrefs, visitor: &Visitor, path: &str) -> Self {
        Page {
            lang,
            large: large.large,
            contrast: large.contrast,
            user_name: visitor.account.as_ref().map(|a| a.display_name.clone()),
            assisting: visitor
                .assisting
                .as_ref()
                .map(|name| lang.t_args("assist-banner", &[("name", name.clone())])),
            path: path.to_string(),
            flash: None,
            error: None,
            assets: crate::ASSET_VERSION.as_str(),
            trail: Vec::new(),
        }
    }

    /// Starts the trail at the community above `place` and walks down to `place` itself (its
    /// resident group, its courtyard), each a link to the place's page. A trail that cannot be
    /// read is left out: the page still helps.
    pub(crate) async fn trail_to(&mut self, state: &crate::AppState, place: uuid::Uuid) {
        let chain = places::chain_of(&state.app, place)
            .await
            .unwrap_or_default();
        let Some(community) = chain.iter().position(|j| j.level == "community") else {
            return;
        };
        self.trail = chain[..=community]
            .iter()
            .rev()
            .map(|j| (local_name(self.lang, j), format!("/c/{}", j.code)))
            .collect();
    }

    /// Adds a step to the trail (a list, a project, a budget…) below what is there.
    pub(crate) fn then(&mut self, label: impl Into<String>, href: impl Into<String>) {
        self.trail.push((label.into(), href.into()));
    }
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }
}

/// The broken rows of a refused import, one message a line: "第 3 行：…".
pub(crate) fn row_messages(
    lang: Lang,
    rows: &[(usize, gongzhi_domain::DomainError)],
) -> Vec<String> {
    rows.iter()
        .map(|(n, e)| {
            lang.t_args(
                "import-row",
                &[
                    ("line", n.to_string()),
                    (
                        "message",
                        ApiError::from_app(gongzhi_app::AppError::Invalid(e.clone()), lang)
                            .message(),
                    ),
                ],
            )
        })
        .collect()
}

pub(crate) fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// What base.html writes beside a page's error: a page form answered with it (and 200) was
/// refused, and `shape_answers` answers 422 instead.
pub(crate) const REFUSAL_MARK: &str = "role=\"alert\" data-refused";

/// The page for a signed-in visitor whose roles do not reach this work.
pub(crate) fn forbidden_page(lang: Lang, page: Page) -> Response {
    error_page(
        ApiError::from_app(gongzhi_app::AppError::Forbidden, lang),
        page,
    )
}

/// An error shown on an HTML page (status kept, message translated).
pub(crate) fn error_page(e: ApiError, page: Page) -> Response {
    let status = e.status;
    let mut page = page;
    page.error = Some(e.message());
    let mut r = render(&MessagePage { page });
    *r.status_mut() = status;
    r
}

#[derive(Template)]
#[template(
    source = "{% extends \"base.html\" %}{% block title %}{{ page.t(\"app-name\") }}{% endblock %}{% block content %}{% endblock %}",
    ext = "html"
)]
struct MessagePage {
    page: Page,
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/login", get(login_form).post(login_submit))
        .route("/logout", post(logout))
        .route("/home", get(home))
        .route("/password", post(password))
        .route("/prefs", post(prefs))
}

pub struct PlaceItem {
    pub depth: usize,
    pub level_key: String,
    pub name: String,
    pub code: String,
    pub link: bool,
    pub head: Option<String>,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    page: Page,
    places: Vec<PlaceItem>,
}

pub(crate) fn local_name(lang: Lang, j: &gongzhi_app::records::JurisdictionRow) -> String {
    if lang == Lang::En {
        j.name_en.clone()
    } else {
        j.name_zh.clone()
    }
}

/// The public page: every jurisdiction as a tree, communities with their chain head.
async fn index(State(state): State<AppState>, PageContext(lang, _, page): PageContext) -> Response {
    let all = match places::jurisdictions(&state.app).await {
        Ok(a) => a,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    // Depth-first order from the roots, so the list reads as a tree.
    let mut items = Vec::with_capacity(all.len());
    let mut stack: Vec<(Option<uuid::Uuid>, usize)> = vec![(None, 0)];
    let mut visited = std::collections::HashSet::new();
    while let Some((parent, depth)) = stack.pop() {
        let children: Vec<_> = all.iter().filter(|j| j.parent_id == parent).collect();
        for j in children.iter().rev() {
            if visited.insert(j.id) {
                stack.push((Some(j.id), depth + 1));
            }
        }
        if let Some(p) = parent.and_then(|p| all.iter().find(|j| j.id == p)) {
            let tenant = matches!(
                p.level.as_str(),
                "city" | "district" | "street" | "community"
            );
            let head = if p.level == "community" {
                setup::chain_head(&state.app, p.id)
                    .await
                    .ok()
                    .flatten()
                    .map(|h| short_head(h.seq, &h.hash))
            } else {
                None
            };
            items.push(PlaceItem {
                depth: depth.saturating_sub(1).min(5),
                level_key: format!("level-{}", p.level),
                name: local_name(lang, p),
                code: p.code.clone(),
                link: tenant,
                head,
            });
        }
    }
    render(&IndexPage {
        page,
        places: items,
    })
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    identifier: String,
    /// Where to go once signed in (the page the visitor came from).
    next: String,
}

/// A page of this site to return to after signing in; anything else (another site, `//host`)
/// is dropped, so a link cannot send someone elsewhere after they sign in.
pub(crate) fn local_return_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 300
        && !next.chars().any(|c| c.is_control() || c == '\\');
    ok.then_some(next)
}

#[derive(Deserialize, Default)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

async fn login_form(
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Query(q): Query<NextQuery>,
) -> Response {
    render(&LoginPage {
        page: Page::new(lang, &large, &visitor, "/login"),
        identifier: String::new(),
        next: local_return_path(&q.next).unwrap_or("").to_string(),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    identifier: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn login_submit(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    addr: ClientAddr,
    ApiForm(f): ApiForm<LoginForm>,
) -> Response {
    match accounts::login(&state.app, &f.identifier, &f.password, &addr.0).await {
        Ok(session) => {
            let cookie =
                session_cookie(&state, &session.token, state.app.settings.session_ttl_secs);
            let to = local_return_path(&f.next).unwrap_or("/home");
            ([(header::SET_COOKIE, cookie)], Redirect::to(to)).into_response()
        }
        Err(e) => {
            let err = ApiError::from_app(e, lang);
            let mut page = Page::new(lang, &large, &visitor, "/login");
            page.error = Some(err.message());
            let mut r = render(&LoginPage {
                page,
                identifier: f.identifier,
                next: local_return_path(&f.next).unwrap_or("").to_string(),
            });
            *r.status_mut() = err.status;
            r
        }
    }
}

async fn logout(State(state): State<AppState>, visitor: Visitor) -> Response {
    if let Some(t) = &visitor.token {
        let _ = accounts::logout(&state.app, t).await;
    }
    (
        [(header::SET_COOKIE, session_cookie(&state, "", 0))],
        Redirect::to("/"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    /// (role message key, place name, link to the place's work page)
    roles: Vec<(String, String, Option<String>)>,
    /// The needs ledgers the visitor keeps: (name, link).
    ledgers: Vec<(String, String)>,
    is_resident: bool,
    /// What waits for the visitor now (`todo::todo_list`), as links.
    todo: Vec<TodoLine>,
}

/// One thing to do on the signed-in home page: where it is done, what it is, by when.
pub struct TodoLine {
    href: String,
    label: String,
    detail: Option<String>,
}

/// The to-do list in the page's language, each item linking to the page where it is done.
fn todo_lines(lang: Lang, now: gongzhi_domain::time::Instant, todo: Vec<Todo>) -> Vec<TodoLine> {
    let until = |end: gongzhi_domain::time::Instant| {
        let days = (end.micros() - now.micros()).div_euclid(86_400_000_000) + 1;
        Some(lang.t_args(
            "todo-until",
            &[("when", lang.end(end)), ("days", days.max(0).to_string())],
        ))
    };
    let expense_line =
        |key: &str, expense: uuid::Uuid, description: String, amount: Fen| TodoLine {
            href: format!("/expense/{expense}"),
            label: lang.t_args(
                key,
                &[("description", description), ("amount", amount.to_string())],
            ),
            detail: None,
        };
    todo.into_iter()
        .map(|t| match t {
            Todo::Messages { unread } => TodoLine {
                href: "/inbox".into(),
                label: lang.t_args("todo-messages", &[("count", unread.to_string())]),
                detail: None,
            },
            Todo::Vote {
                election,
                council,
                closes_at,
            } => TodoLine {
                href: format!("/e/{election}"),
                label: lang.t_args("todo-vote", &[("council", council)]),
                detail: until(closes_at),
            },
            Todo::BudgetVote {
                vote,
                title,
                closes_at,
            } => TodoLine {
                href: format!("/v/{vote}"),
                label: lang.t_args("todo-budget-vote", &[("title", title)]),
                detail: until(closes_at),
            },
            Todo::Object {
                resolution,
                label,
                title,
                notice_end,
            } => TodoLine {
                href: format!("/r/{resolution}"),
                label: lang.t_args("todo-object", &[("label", label), ("title", title)]),
                detail: until(notice_end),
            },
            Todo::Sign {
                expense,
                description,
                amount,
            } => expense_line("todo-sign", expense, description, amount),
            Todo::Pay {
                expense,
                description,
                amount,
            } => expense_line("todo-pay", expense, description, amount),
            Todo::Answer {
                resolution,
                label,
                waiting,
            } => TodoLine {
                href: format!("/r/{resolution}"),
                label: lang.t_args(
                    "todo-answer",
                    &[("label", label), ("count", waiting.to_string())],
                ),
                detail: None,
            },
            Todo::OverdueNeeds { community, count } => TodoLine {
                href: format!("/c/{community}/needs?overdue=1"),
                label: lang.t_args("todo-overdue-needs", &[("count", count.to_string())]),
                detail: None,
            },
            Todo::Decide { call, title } => TodoLine {
                href: format!("/call/{call}"),
                label: lang.t_args("todo-decide", &[("title", title)]),
                detail: None,
            },
            Todo::RunMeeting {
                meeting,
                council,
                title,
                open_motions,
            } => TodoLine {
                href: format!("/m/{meeting}"),
                label: lang.t_args(
                    "todo-run-meeting",
                    &[
                        ("council", council),
                        ("title", title),
                        ("count", open_motions.to_string()),
                    ],
                ),
                detail: None,
            },
            Todo::NeedAnswered { title } => TodoLine {
                href: "/my/needs".into(),
                label: lang.t_args("todo-need-answered", &[("title", title)]),
                detail: None,
            },
        })
        .collect()
}

async fn home(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
) -> Response {
    let all = places::jurisdictions(&state.app).await.unwrap_or_default();
    let roles = visitor
        .actor
        .grants
        .iter()
        .map(|(role, j)| {
            let place = all.iter().find(|p| p.id == *j);
            let link = place
                .filter(|p| p.level == "community" && matches!(role.as_str(), "staff" | "admin"))
                .map(|p| format!("/residents/{}", p.code));
            (
                format!("role-{role}"),
                place.map(|p| local_name(lang, p)).unwrap_or_default(),
                link,
            )
        })
        .collect();
    let ledgers = visitor
        .actor
        .grants
        .iter()
        .filter(|(role, _)| matches!(role.as_str(), "staff" | "admin"))
        .filter_map(|(_, j)| all.iter().find(|p| p.id == *j && p.level == "community"))
        .map(|p| (local_name(lang, p), format!("/c/{}/needs", p.code)))
        .collect();
    // A to-do list that cannot be read is left out; the rest of the page still helps.
    let todo = gongzhi_app::todo::todo_list(&state.app, &visitor.actor)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "the to-do list could not be read");
            Vec::new()
        });
    render(&HomePage {
        page: Page::new(lang, &large, &visitor, "/home"),
        roles,
        ledgers,
        is_resident: visitor.actor.has_role("resident"),
        todo: todo_lines(lang, state.app.now(), todo),
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    old_password: String,
    new_password: String,
}

async fn password(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    ApiForm(f): ApiForm<PasswordForm>,
) -> Response {
    let token = visitor.token.clone().unwrap_or_default();
    let result = accounts::change_password(
        &state.app,
        &visitor.actor,
        &token,
        &f.old_password,
        &f.new_password,
    )
    .await;
    let mut page = Page::new(lang, &large, &visitor, "/home");
    match result {
        Ok(()) => {
            page.flash = Some(lang.t("saved"));
            render(&MessagePage { page })
        }
        Err(e) => error_page(ApiError::from_app(e, lang), page),
    }
}

#[derive(Deserialize)]
struct PrefsForm {
    lang: Option<String>,
    large: Option<String>,
    contrast: Option<String>,
    back: Option<String>,
}

/// Language, large-text and high-contrast preferences, remembered on this device in cookies (no
/// account needed).
async fn prefs(ApiForm(f): ApiForm<PrefsForm>) -> Response {
    let mut headers = Vec::new();
    if let Some(l) = f.lang.as_deref().and_then(Lang::parse) {
        headers.push((
            header::SET_COOKIE,
            format!(
                "gz_lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
                l.code()
            ),
        ));
    }
    for (name, value) in [("gz_large", &f.large), ("gz_contrast", &f.contrast)] {
        if let Some(on) = value {
            let v = if on == "1" { "1" } else { "0" };
            headers.push((
                header::SET_COOKIE,
                format!("{name}={v}; Path=/; Max-Age=31536000; SameSite=Lax"),
            ));
        }
    }
    // Only local paths: never redirect off-site.
    let back = f.back.as_deref().and_then(local_return_path).unwrap_or("/");
    let mut r = Redirect::to(back).into_response();
    for (k, v) in headers {
        if let Ok(v) = v.parse() {
            r.headers_mut().append(k, v);
        }
    }
    r
}

/// A QR code (SVG) for a printed notice, linking to the page it was printed from. Encoding one
/// costs more than reading the page's rows, and an address's code never changes, so the codes of
/// the most recent addresses are kept (the cache is emptied when full: it stays small).
pub(crate) fn qr_svg(url: &str) -> String {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    const KEPT: usize = 1024;
    static CODES: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let codes = CODES.get_or_init(Default::default);
    if let Some(svg) = codes.lock().ok().and_then(|c| c.get(url).cloned()) {
        return svg;
    }
    let svg = match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(120, 120)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    };
    if let Ok(mut c) = codes.lock() {
        if c.len() >= KEPT {
            c.clear();
        }
        c.insert(url.to_string(), svg.clone());
    }
    svg
}

/// A page shown again after a refused form answers with the refusal's status (422, 403…), so
/// scripts and tests see the failure; a page that itself failed keeps its own.
pub(crate) fn with_refusal_status(
    mut page: Response,
    refusal: Option<axum::http::StatusCode>,
) -> Response {
    if let Some(status) = refusal
        && page.status().is_success()
    {
        *page.status_mut() = status;
    }
    page
}

#[cfg(test)]
mod tests {
    use super::local_return_path;

    #[test]
    fn sign_in_returns_only_to_pages_of_this_site() {
        assert_eq!(local_return_path("/r/01a2"), Some("/r/01a2"));
        assert_eq!(local_return_path("/my/needs"), Some("/my/needs"));
        for elsewhere in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "",
            "home",
            "/r/1\n",
        ] {
            assert_eq!(local_return_path(elsewhere), None, "{elsewhere:?}");
        }
    }
}
