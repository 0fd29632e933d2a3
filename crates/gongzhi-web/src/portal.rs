//! The public portal of a community, for visitors who are not signed in: its front page (notices
//! with their countdown, projects, fund statements, councils and their records, conventions, the
//! organisations working in the area, the rulebook), a search across its record, and an Atom
//! feed of its notices.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gongzhi_app::councils;
use gongzhi_app::{places, portal, projects, rules, setup};
use gongzhi_domain::audit::short_head;
use gongzhi_domain::council::NoticeState;
use gongzhi_domain::time::Instant;
use serde::Deserialize;

use crate::AppState;
use crate::councils::{council_name, dates_text};
use crate::error::ApiError;
use crate::extract::PageContext;
use crate::i18n::Lang;
use crate::pages::{Page, error_page, local_name, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{code}", get(community))
        .route("/c/{code}/search", get(search))
        .route("/c/{code}/notices.atom", get(notices_feed))
        .route("/c/{code}/rules", get(rulebook))
}

/// How many items of each kind the front page shows before its "all" link.
const FRONT_PAGE_ITEMS: usize = 6;

/// A line of a list on the front page: link, title, a badge and a note.
struct Line {
    href: String,
    title: String,
    badge: String,
    note: String,
}

#[derive(Template)]
#[template(path = "community.html")]
struct CommunityPage {
    page: Page,
    code: String,
    name: String,
    level_key: String,
    head: Option<String>,
    notices: Vec<Line>,
    projects: Vec<Line>,
    statements: Vec<Line>,
    councils: Vec<Line>,
    /// (id, title)
    conventions: Vec<(String, String)>,
    organisations: Vec<Line>,
    children: Vec<(String, String)>,
    follow: Option<crate::inbox::FollowButton>,
}

async fn community(
    State(state): State<AppState>,
    PageContext(lang, visitor, page): PageContext,
    Path(code): Path<String>,
) -> Response {
    let app = &state.app;
    let j = match places::jurisdiction_by_code(app, &code).await {
        Ok(j) => j,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let children = places::children(app, j.id)
        .await
        .unwrap_or_default()
        .iter()
        .map(|c| (local_name(lang, c), format!("level-{}", c.level)))
        .collect();
    let head = setup::chain_head(app, j.id)
        .await
        .ok()
        .flatten()
        .map(|h| short_head(h.seq, &h.hash));
    let conventions = councils::conventions_of(app, j.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.id.to_string(), c.title))
        .collect();
    // Notices still under notice or awaiting answers first, then the latest in force.
    let mut board = councils::notice_board(app, j.id).await.unwrap_or_default();
    board.sort_by_key(|r| {
        (
            !matches!(r.state, NoticeState::Open | NoticeState::AwaitingAnswers),
            std::cmp::Reverse(r.row.created_at),
        )
    });
    let notices = board
        .iter()
        .take(FRONT_PAGE_ITEMS)
        .map(|r| Line {
            href: format!("/r/{}", r.row.id),
            title: format!("{} {}", r.row.label, r.row.title),
            badge: lang.t(&format!("notice-{}", r.state.key())),
            note: format!(
                "{} · {}",
                council_name(lang, &r.council),
                dates_text(lang, r, Some(app.now()))
            ),
        })
        .collect();
    let now = app.now();
    let projects = projects::projects_of(app, j.id, None, FRONT_PAGE_ITEMS as i64)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| Line {
            href: format!("/p/{}", p.id),
            title: format!("{} {}", p.number, p.title),
            badge: lang.t(&format!(
                "project-status-{}",
                projects::display_status(&p, now)
            )),
            note: lang.t(&format!("category-{}", p.category)),
        })
        .collect();
    let statements = gongzhi_app::ledger::statements_of(app, j.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .take(FRONT_PAGE_ITEMS)
        .map(|(f, s)| Line {
            href: format!("/statement/{}", s.id),
            title: if lang == Lang::En {
                f.name_en
            } else {
                f.name_zh
            },
            badge: String::new(),
            note: crate::ledger::period(lang, &s.period_start, &s.period_end),
        })
        .collect();
    let councils = councils::councils_of(app, j.id)
        .await
        .unwrap_or_default()
        .iter()
        .map(|c| Line {
            href: format!("/council/{}", c.id),
            title: council_name(lang, c),
            badge: lang.t(&format!("council-kind-{}", c.kind)),
            note: String::new(),
        })
        .collect();
    let organisations = gongzhi_app::procurement::organisations_working_in(app, j.id, 20)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|o| Line {
            href: format!("/org/{}", o.id),
            title: if lang == Lang::En {
                o.name_en
            } else {
                o.name_zh
            },
            badge: lang.t(&format!("org-kind-{}", o.kind)),
            note: String::new(),
        })
        .collect();
    let follow = crate::inbox::follow_button(
        &state,
        &visitor,
        gongzhi_domain::notification::Subject::Place,
        j.id,
        &page.path,
    )
    .await;
    render(&CommunityPage {
        follow,
        page,
        code: code.clone(),
        name: local_name(lang, &j),
        level_key: format!("level-{}", j.level),
        head,
        notices,
        projects,
        statements,
        councils,
        conventions,
        organisations,
        children,
    })
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    page: Page,
    code: String,
    name: String,
    /// (what the rule is, its value in force today as stored, the same in plain words where
    /// the page knows how to say it)
    rules: Vec<(String, String, Option<String>)>,
}

/// The rulebook in force today for a community: every rule, from the community itself or the
/// nearest place above it that set one, or the catalogue's default.
async fn rulebook(
    State(state): State<AppState>,
    PageContext(lang, _, page): PageContext,
    Path(code): Path<String>,
) -> Response {
    let j = match places::jurisdiction_by_code(&state.app, &code).await {
        Ok(j) => j,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let rules = rules::rulebook_today(&state.app, j.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(spec, v)| {
            (
                if lang == Lang::En { spec.en } else { spec.zh }.to_string(),
                v.as_ref()
                    .map(|v| v.to_json().to_string())
                    .unwrap_or_else(|| "—".into()),
                v.as_ref().and_then(|v| plain_rule(lang, v)),
            )
        })
        .collect();
    render(&RulesPage {
        page,
        code: code.clone(),
        name: local_name(lang, &j),
        rules,
    })
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    page: Page,
    code: String,
    community: String,
    query: String,
    /// Next to the search field when the search is refused.
    error: Option<String>,
    /// "3 found" or "nothing found containing …", once something was searched.
    summary: Option<String>,
    hits: Vec<Line>,
}

/// Where a document of each kind is read.
fn hit_href(kind: &str, id: uuid::Uuid) -> String {
    let prefix = match kind {
        "resolution" => "r",
        "project" => "p",
        "convention" => "convention",
        "budget_vote" => "v",
        "council" => "council",
        _ => "call",
    };
    format!("/{prefix}/{id}")
}

async fn search(
    State(state): State<AppState>,
    PageContext(lang, _, page): PageContext,
    Path(code): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Response {
    let j = match places::jurisdiction_by_code(&state.app, &code).await {
        Ok(j) => j,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let (hits, error, status) = match portal::search_community(&state.app, j.id, &q.q).await {
        Ok(hits) => (hits, None, axum::http::StatusCode::OK),
        Err(e) => {
            let e = ApiError::from_app(e, lang);
            (Vec::new(), Some(e.message()), e.status)
        }
    };
    let summary = (error.is_none() && !q.q.trim().is_empty()).then(|| {
        if hits.is_empty() {
            lang.t_args("search-none", &[("q", q.q.trim().to_string())])
        } else {
            lang.t_args("search-count", &[("count", hits.len().to_string())])
        }
    });
    let hits = hits
        .into_iter()
        .map(|h| Line {
            href: hit_href(&h.kind, h.id),
            title: h.title,
            badge: lang.t(&format!("search-kind-{}", h.kind)),
            note: if h.at > 0 {
                lang.minute(Instant::from_micros(h.at))
            } else {
                String::new()
            },
        })
        .collect();
    let mut r = render(&SearchPage {
        page,
        code: code.clone(),
        community: local_name(lang, &j),
        query: q.q,
        error,
        summary,
        hits,
    });
    *r.status_mut() = status;
    r
}

/// Text for XML character data and attribute values.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// RFC 3339 in China's time (+08:00), as Atom's dates are written.
fn rfc3339(at: i64) -> String {
    let t = Instant::from_micros(at).to_offset_datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+08:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The community's notices as an Atom feed (RFC 4287), newest first: every resolution with its
/// notice window and state, so a feed reader or a neighbour's group bot can follow the board.
async fn notices_feed(
    State(state): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
) -> Response {
    let app = &state.app;
    let j = match places::jurisdiction_by_code(app, &code).await {
        Ok(j) => j,
        Err(e) => return ApiError::from_app(e, lang).into_response(),
    };
    let mut board = match councils::notice_board(app, j.id).await {
        Ok(b) => b,
        Err(e) => return ApiError::from_app(e, lang).into_response(),
    };
    board.sort_by_key(|r| std::cmp::Reverse((r.row.created_at, r.row.id)));
    let base = state.public_base_url.trim_end_matches('/');
    let name = local_name(lang, &j);
    // A feed's `updated` is its newest entry's; an empty board's is the epoch.
    let updated = board.first().map_or(0, |r| r.row.created_at);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n\
         <id>{base}/c/{code}/notices</id>\n\
         <title>{}</title>\n\
         <updated>{}</updated>\n\
         <author><name>{}</name></author>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{base}/c/{code}/notices.atom\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{base}/c/{code}/notices\"/>\n",
        lang.code(),
        xml_escape(&format!("{} · {}", lang.t("notices-title"), name)),
        rfc3339(updated),
        xml_escape(&name),
        code = xml_escape(&code),
    ));
    for r in &board {
        let summary = format!(
            "{} · {} · {}",
            lang.t(&format!("notice-{}", r.state.key())),
            council_name(lang, &r.council),
            dates_text(lang, r, None)
        );
        xml.push_str(&format!(
            "<entry>\n<id>urn:uuid:{id}</id>\n<title>{}</title>\n<updated>{}</updated>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{base}/r/{id}\"/>\n\
             <summary>{}</summary>\n</entry>\n",
            xml_escape(&format!("{} {}", r.row.label, r.row.title)),
            rfc3339(r.row.created_at),
            xml_escape(&summary),
            id = r.row.id,
        ));
    }
    xml.push_str("</feed>\n");
    (
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        xml,
    )
        .into_response()
}

/// A rule's value in plain words ("公示期：7 个自然日", "在任成员 2/3 以上同意"), for the kinds of
/// rule a resident asks about; `None` for the rest, whose exact value the page still shows.
pub(crate) fn plain_rule(lang: Lang, v: &gongzhi_domain::rulebook::RuleValue) -> Option<String> {
    use gongzhi_domain::rulebook::{DayCounting, RuleValue};
    use gongzhi_domain::threshold::{Base, Bound};
    let fraction = |num: u32, den: u32| {
        if num == den {
            lang.t("rule-share-all")
        } else {
            format!("{num}/{den}")
        }
    };
    let share = |num: u32, den: u32, bound: Bound| {
        let key = match bound {
            Bound::AtLeast => "rule-share-at-least",
            Bound::MoreThan => "rule-share-more-than",
        };
        lang.t_args(key, &[("share", fraction(num, den))])
    };
    Some(match v {
        RuleValue::NoticePeriod(p) => lang.t_args(
            "rule-plain-notice",
            &[
                ("days", p.days.to_string()),
                (
                    "counting",
                    lang.t(match p.counting {
                        DayCounting::Calendar => "rule-days-calendar",
                        DayCounting::Working => "rule-days-working",
                    }),
                ),
            ],
        ),
        RuleValue::CouncilSize(s) => match s.max {
            Some(max) => lang.t_args(
                "rule-plain-size",
                &[("min", s.min.to_string()), ("max", max.to_string())],
            ),
            None => lang.t_args("rule-plain-size-open", &[("min", s.min.to_string())]),
        },
        RuleValue::Threshold(t) => lang.t_args(
            match t.bound {
                Bound::AtLeast => "rule-plain-threshold-at-least",
                Bound::MoreThan => "rule-plain-threshold-more-than",
            },
            &[
                (
                    "base",
                    lang.t(match t.base {
                        Base::Present => "rule-base-present",
                        Base::Cast => "rule-base-cast",
                        Base::Seated => "rule-base-seated",
                    }),
                ),
                ("fraction", fraction(t.num, t.den)),
            ],
        ),
        RuleValue::Election(e) => lang.t_args(
            "rule-plain-election",
            &[
                (
                    "turnout",
                    share(e.turnout.num, e.turnout.den, e.turnout.bound),
                ),
                ("winner", share(e.winner.num, e.winner.den, e.winner.bound)),
            ],
        ),
        RuleValue::Flag(on) => lang.t(if *on { "rule-yes" } else { "rule-no" }),
        RuleValue::Calendar(c) => lang.t_args(
            "rule-plain-calendar",
            &[
                ("holidays", c.holidays.len().to_string()),
                ("workdays", c.workdays.len().to_string()),
                (
                    "last",
                    c.holidays
                        .iter()
                        .max()
                        .map(|d| d[..4.min(d.len())].to_string())
                        .unwrap_or_default(),
                ),
            ],
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped_and_dates_are_rfc3339() {
        assert_eq!(
            xml_escape("<a href=\"x\">&'\u{1}</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
        let at = Instant::china_midnight(gongzhi_domain::time::parse_date("2026-11-22").unwrap());
        assert_eq!(rfc3339(at.micros()), "2026-11-22T00:00:00+08:00");
        assert_eq!(
            rfc3339(at.plus_seconds(3_723).micros()),
            "2026-11-22T01:02:03+08:00"
        );
    }
}
