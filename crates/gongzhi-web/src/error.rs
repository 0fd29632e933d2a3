use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gongzhi_app::AppError;
use serde_json::{Map, Value, json};

use crate::i18n::Lang;

/// One entry of `fields`: its name, message code and message arguments.
pub type FieldError = (String, &'static str, Vec<(&'static str, String)>);

/// An error on its way to the client: `{"error": code, "message": …, "fields": {field: message}}`
/// in the request's language.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub field: Option<String>,
    /// Per-row or per-field errors (bulk import): field → message code with its args.
    pub fields: Vec<FieldError>,
    pub lang: Lang,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str) -> Self {
        ApiError {
            status,
            code,
            args: vec![],
            field: None,
            fields: vec![],
            lang: Lang::Zh,
        }
    }
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }
    pub fn message(&self) -> String {
        self.lang.t_args(self.code, &self.args)
    }

    pub fn from_app(e: AppError, lang: Lang) -> Self {
        let status = match &e {
            AppError::Invalid(_) | AppError::Rows(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Locked { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Store(_) | AppError::Corrupt(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut out = ApiError::new(status, e.code()).lang(lang);
        match e {
            AppError::Invalid(d) => {
                out.args = d.args.clone();
                out.field = d.field.map(str::to_string);
            }
            AppError::Locked { minutes } => out.args.push(("minutes", minutes.to_string())),
            AppError::Rows(rows) => {
                out.fields = rows
                    .into_iter()
                    .map(|(line, d)| (format!("row {line}"), d.code.0, d.args))
                    .collect();
            }
            AppError::Store(s) => tracing::error!(error = %s, "store error"),
            AppError::Corrupt(what) => tracing::error!(record = what, "stored record unreadable"),
            _ => {}
        }
        out
    }

    pub fn body(&self) -> Value {
        let mut fields = Map::new();
        if let Some(f) = &self.field {
            fields.insert(f.clone(), Value::String(self.message()));
        }
        for (name, code, args) in &self.fields {
            fields.insert(name.clone(), Value::String(self.lang.t_args(code, args)));
        }
        json!({"error": self.code, "message": self.message(), "fields": fields})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Cookie"),
            );
        }
        response
    }
}
