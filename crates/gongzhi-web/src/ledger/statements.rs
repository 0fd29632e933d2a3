//! Monthly statements: the page, and its CSV and spreadsheet files.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PageContext;
use crate::i18n::Lang;
use crate::pages::{Page, error_page, qr_svg, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use gongzhi_app::ledger::{self};
use gongzhi_domain::audit::short_head;
use gongzhi_domain::time::Instant;
use uuid::Uuid;

use super::*;

// ---- statements ----

#[derive(Template)]
#[template(path = "statement.html")]
pub(super) struct StatementPage {
    page: Page,
    id: String,
    title: String,
    fund_id: String,
    reason: String,
    posted: String,
    /// (account, opening, in, out, closing, held)
    lines: Vec<(String, String, String, String, String, String)>,
    /// (no., time, what, memo, from, to, amount)
    items: Vec<Vec<String>>,
    head: String,
    qr: String,
    url: String,
}

pub(super) async fn statement_page(
    State(state): State<AppState>,
    PageContext(lang, _, page): PageContext,
    Path(id): Path<Uuid>,
) -> Response {
    let (fund, s, head) = match ledger::statement_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let body: serde_json::Value = serde_json::from_str(&s.body_json).unwrap_or_default();
    let y = |v: &serde_json::Value| fen(v.as_i64().unwrap_or(0));
    let url = format!(
        "{}/statement/{id}",
        state.public_base_url.trim_end_matches('/')
    );
    render(&StatementPage {
        id: id.to_string(),
        title: lang.t_args(
            "statement-title",
            &[
                (
                    "fund",
                    if lang == Lang::En {
                        fund.name_en.clone()
                    } else {
                        fund.name_zh.clone()
                    },
                ),
                ("start", lang.date(&s.period_start)),
                ("end", lang.date(&last_day(&s.period_end))),
            ],
        ),
        fund_id: fund.id.to_string(),
        reason: lang.t(&format!("statement-{}", s.reason)),
        posted: lang.minute(Instant::from_micros(s.posted_at)),
        lines: body["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                let x = &l["line"];
                (
                    l["name"].as_str().unwrap_or("").to_string(),
                    y(&x["opening"]),
                    y(&x["inflows"]),
                    y(&x["outflows"]),
                    y(&x["closing"]),
                    y(&x["held"]),
                )
            })
            .collect(),
        items: body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| {
                vec![
                    i["seq"].to_string(),
                    i["at"].as_str().unwrap_or("").to_string(),
                    lang.t(&format!("code-{}", i["code"].as_str().unwrap_or(""))),
                    i["memo"].as_str().unwrap_or("").to_string(),
                    i["from"].as_str().unwrap_or("").to_string(),
                    i["to"].as_str().unwrap_or("").to_string(),
                    y(&i["amount"]),
                ]
            })
            .collect(),
        head: head.map(|h| short_head(h.seq, &h.hash)).unwrap_or_default(),
        qr: qr_svg(&url),
        url,
        page,
    })
}

/// A statement's period as pages write dates: "2026年1月1日 – 2026年3月31日" (the stored end
/// is the first day after the period).
pub(crate) fn period(lang: Lang, start: &str, end: &str) -> String {
    format!("{} – {}", lang.date(start), lang.date(&last_day(end)))
}

/// The last day of a period given by its first day after (`2026-10-01` → `2026-09-30`).
pub(crate) fn last_day(end: &str) -> String {
    gongzhi_domain::time::parse_date(end)
        .and_then(|d| d.previous_day())
        .map(gongzhi_domain::time::format_date)
        .unwrap_or_else(|| end.to_string())
}

pub(super) async fn statement_file(state: &AppState, lang: Lang, id: Uuid, xlsx: bool) -> Response {
    let (_, s, _) = match ledger::statement_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return ApiError::from_app(e, lang).into_response(),
    };
    let name = format!("statement-{}-{}", s.period_start, s.period_end);
    let (bytes, mime, ext) = if xlsx {
        match ledger::statement_xlsx(&s.body_json) {
            Ok(b) => (
                b,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
            Err(e) => return ApiError::from_app(e, lang).into_response(),
        }
    } else {
        (
            ledger::statement_csv(&s.body_json),
            "text/csv; charset=utf-8",
            "csv",
        )
    };
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub(super) async fn statement_csv(
    State(state): State<AppState>,
    lang: Lang,
    Path(id): Path<Uuid>,
) -> Response {
    statement_file(&state, lang, id, false).await
}

pub(super) async fn statement_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    Path(id): Path<Uuid>,
) -> Response {
    statement_file(&state, lang, id, true).await
}
