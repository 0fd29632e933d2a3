//! The residents register for community staff: find a resident by name or phone, filter by
//! courtyard, page through thousands; register one with courtyard, ID number and household
//! (a confirmation names who was registered); import a spreadsheet; act for a resident with her
//! consent (代办).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use gongzhi_app::people::{self, ResidentFilter};
use gongzhi_app::{accounts, places};
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiForm, DisplayPrefs, PageContext, SignedInPage, Visitor};
use crate::form::{Refused, Typed};
use crate::i18n::Lang;
use crate::pages::{
    Page, error_page, local_name, local_return_path, render, row_messages, with_refusal_status,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/residents/{code}",
            axum::routing::get(residents).post(add_resident),
        )
        .route(
            "/residents/{code}/import",
            post(import_residents).layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024)),
        )
        .route("/assist/start", post(assist_start))
        .route("/assist/stop", post(assist_stop))
}

/// Residents shown on one page of the register.
const PAGE_SIZE: i64 = 50;

pub struct ResidentLine {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub courtyard: String,
}

#[derive(Template)]
#[template(path = "residents.html")]
struct ResidentsPage {
    page: Page,
    community: String,
    code: String,
    /// The search as asked: its words, its courtyard, and the next page's address.
    q: String,
    courtyard: String,
    next: Option<String>,
    count_text: String,
    residents: Vec<ResidentLine>,
    /// The courtyards of the community: (id, name).
    courtyards: Vec<(String, String)>,
    /// The ways a resident may consent to being assisted: (code, label).
    consents: Vec<(&'static str, String)>,
    register: Register,
}

impl ResidentsPage {
    fn typed(&self, name: &str) -> &str {
        self.register.refused.value("register", name)
    }
    fn error_for(&self, name: &str) -> Option<&str> {
        self.register.refused.error("register", name)
    }
}

/// The register's search, and what the registration and import forms came back with.
#[derive(Default)]
pub struct Register {
    search: RegisterQuery,
    refused: Refused,
    /// Row-by-row problems of a spreadsheet import, ready to show.
    row_errors: Vec<String>,
}

#[derive(Deserialize, Default, Clone)]
struct RegisterQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    courtyard: String,
    after: Option<uuid::Uuid>,
}

async fn residents_page(
    state: &AppState,
    actor: &gongzhi_app::authz::Actor,
    lang: Lang,
    page: Page,
    code: &str,
    register: Register,
) -> Response {
    let j = match places::jurisdiction_by_code(&state.app, code).await {
        Ok(j) => j,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let courtyards: Vec<(String, String)> = places::courtyards_in(&state.app, j.id)
        .await
        .unwrap_or_default()
        .iter()
        .map(|p| (p.id.to_string(), local_name(lang, p)))
        .collect();
    let search = &register.search;
    let filter = ResidentFilter {
        text: search.q.clone(),
        courtyard_id: search.courtyard.parse().ok(),
        after: search.after,
        limit: PAGE_SIZE,
    };
    let rows = match people::find_residents(&state.app, actor, j.id, &filter).await {
        Ok(r) => r,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let next = (rows.len() as i64 == PAGE_SIZE)
        .then(|| rows.last())
        .flatten()
        .map(|last| {
            let q = form_urlencoded::Serializer::new(String::new())
                .append_pair("q", &search.q)
                .append_pair("courtyard", &search.courtyard)
                .append_pair("after", &last.id.to_string())
                .finish();
            format!("/residents/{code}?{q}")
        });
    let count_text = lang.t_args(
        if next.is_some() {
            "residents-page"
        } else if search.q.trim().is_empty() && search.courtyard.is_empty() {
            "residents-count"
        } else {
            "residents-found"
        },
        &[("count", rows.len().to_string())],
    );
    let residents = rows
        .iter()
        .map(|r| ResidentLine {
            id: r.id.to_string(),
            name: r.name.clone(),
            phone: r.phone.clone().unwrap_or_default(),
            courtyard: r
                .courtyard_id
                .and_then(|c| courtyards.iter().find(|(id, _)| *id == c.to_string()))
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
        })
        .collect();
    let consents = gongzhi_domain::person::CONSENT_METHODS
        .iter()
        .map(|c| (*c, lang.t(&format!("consent-{c}"))))
        .collect();
    let status = register.refused.status();
    with_refusal_status(
        render(&ResidentsPage {
            page,
            community: local_name(lang, &j),
            code: code.to_string(),
            q: search.q.clone(),
            courtyard: search.courtyard.clone(),
            next,
            count_text,
            residents,
            courtyards,
            consents,
            register,
        }),
        status,
    )
}

async fn residents(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, page): SignedInPage,
    Path(code): Path<String>,
    Query(search): Query<RegisterQuery>,
) -> Response {
    let register = Register {
        search,
        ..Register::default()
    };
    residents_page(&state, &visitor.actor, lang, page, &code, register).await
}

/// The fields the registration form shows (an error naming one goes beside it).
const REGISTER_FIELDS: &[&str] = &[
    "name",
    "phone",
    "id_number",
    "courtyard_id",
    "building",
    "unit",
    "room",
];

#[derive(Deserialize)]
struct ResidentForm {
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

async fn add_resident(
    State(state): State<AppState>,
    PageContext(lang, visitor, mut page): PageContext,
    Path(code): Path<String>,
    ApiForm(f): ApiForm<ResidentForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/residents/{code}");
    let j = match places::jurisdiction_by_code(&state.app, &code).await {
        Ok(j) => j,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let typed = Typed(f.fields);
    let opt = |k: &str| Some(typed.trimmed(k)).filter(|v| !v.is_empty());
    let address = match (opt("building"), opt("unit"), opt("room")) {
        (None, None, None) => None,
        (b, u, r) => Some((
            b.unwrap_or_default(),
            u.unwrap_or_default(),
            r.unwrap_or_default(),
        )),
    };
    let new = people::NewResident {
        name: typed.get("name").to_string(),
        phone: opt("phone"),
        id_number: opt("id_number"),
        courtyard_id: opt("courtyard_id").and_then(|c| c.parse().ok()),
        household_address: address,
        representative: typed.checked("representative"),
        ..Default::default()
    };
    let result = people::register_resident(&state.app, &visitor.actor, j.id, &new)
        .await
        .map(|_| lang.t_args("resident-registered", &[("name", typed.trimmed("name"))]))
        .map_err(|e| ApiError::from_app(e, lang));
    let shown: Vec<(&str, String)> = REGISTER_FIELDS
        .iter()
        .map(|k| (*k, typed.get(k).to_string()))
        .collect();
    let refused = Refused::settle(result, &mut page, "register", shown);
    // Registered: the register shows the new resident (searched by the name just typed).
    let search = if refused.status().is_none() {
        RegisterQuery {
            q: typed.trimmed("name"),
            ..RegisterQuery::default()
        }
    } else {
        RegisterQuery::default()
    };
    let register = Register {
        search,
        refused,
        ..Register::default()
    };
    residents_page(&state, &visitor.actor, lang, page, &code, register).await
}

#[derive(Deserialize)]
struct AssistForm {
    code: String,
    resident_id: String,
    #[serde(default)]
    consent: String,
}

/// Staff start acting for a resident, with the resident's consent (代办).
async fn assist_start(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    ApiForm(f): ApiForm<AssistForm>,
) -> Response {
    let (Some(token), Some(_)) = (visitor.token.as_deref(), visitor.account.as_ref()) else {
        return Redirect::to("/login").into_response();
    };
    let back = format!("/residents/{}", f.code);
    let result = match (
        places::jurisdiction_by_code(&state.app, &f.code).await,
        f.resident_id.parse::<uuid::Uuid>(),
    ) {
        (Ok(j), Ok(resident)) => {
            accounts::start_assisting(
                &state.app,
                &visitor.actor,
                token,
                j.id,
                resident,
                &f.consent,
            )
            .await
        }
        (Err(e), _) => Err(e),
        (_, Err(_)) => Err(gongzhi_app::AppError::NotFound("resident")),
    };
    match result {
        Ok(()) => Redirect::to("/home").into_response(),
        Err(e) => {
            let mut page = Page::new(lang, &large, &visitor, &back);
            page.error = Some(ApiError::from_app(e, lang).message());
            residents_page(
                &state,
                &visitor.actor,
                lang,
                page,
                &f.code,
                Register::default(),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct StopForm {
    #[serde(default)]
    back: String,
}

/// Staff stop acting for the resident.
async fn assist_stop(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    ApiForm(f): ApiForm<StopForm>,
) -> Response {
    let Some(token) = visitor.token.as_deref() else {
        return Redirect::to("/login").into_response();
    };
    match accounts::stop_assisting(&state.app, &visitor.actor, token).await {
        Ok(()) => Redirect::to(local_return_path(&f.back).unwrap_or("/home")).into_response(),
        Err(e) => error_page(
            ApiError::from_app(e, lang),
            Page::new(lang, &large, &visitor, "/home"),
        ),
    }
}

/// Spreadsheet import from the residents page (multipart form, no JavaScript needed).
async fn import_residents(
    State(state): State<AppState>,
    PageContext(lang, visitor, mut page): PageContext,
    Path(code): Path<String>,
    form: axum::extract::Multipart,
) -> Response {
    // The page the form was on.
    page.path = format!("/residents/{code}");
    let j = match places::jurisdiction_by_code(&state.app, &code).await {
        Ok(j) => j,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    // Authorised before a byte of the file is read.
    if let Err(e) = people::authorize_import(&state.app, &visitor.actor, j.id).await {
        return error_page(ApiError::from_app(e, lang), page);
    }
    let file = match crate::extract::MultipartForm::read(form, lang).await {
        Ok(f) => f.file,
        Err(e) => return error_page(e, page),
    };
    if file.is_empty() {
        page.error = Some(lang.t("upload_empty"));
        return residents_page(
            &state,
            &visitor.actor,
            lang,
            page,
            &code,
            Register::default(),
        )
        .await;
    }
    let mut row_errors = Vec::new();
    let mut refusal = None;
    match people::import_residents_file(&state.app, &visitor.actor, j.id, &file).await {
        Ok(report) => {
            page.flash = Some(lang.t_args("imported", &[("count", report.imported.to_string())]))
        }
        Err(gongzhi_app::AppError::Rows(rows)) => {
            page.error = Some(lang.t("import_rows_invalid"));
            row_errors = row_messages(lang, &rows);
            refusal = Some(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => {
            let e = ApiError::from_app(e, lang);
            refusal = Some(e.status);
            page.error = Some(e.message());
        }
    }
    let shown = residents_page(
        &state,
        &visitor.actor,
        lang,
        page,
        &code,
        Register {
            row_errors,
            ..Register::default()
        },
    )
    .await;
    with_refusal_status(shown, refusal)
}
