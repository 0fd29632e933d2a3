//! The core loop's pages: a community's project list (public), one page per project telling the
//! whole story (public; staff see the form for the step the project stands at), the needs ledger
//! for staff (filters, pages, a form for a need heard anywhere, a spreadsheet import, a proposal
//! made from ticked needs) and "my needs" for residents.
//!
//! Every form posts to one handler per page (`action` says what), multipart so photos, quotes
//! and contracts can come with it; works without JavaScript.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gongzhi_app::projects::{self, Advanced, NeedAction, NewNeed, PanelMember, StepInput};
use gongzhi_app::{AppError, councils, places, uploads};
use gongzhi_domain::Fen;
use gongzhi_domain::person::redact_numbers;
use gongzhi_domain::project::StepKind;
use gongzhi_domain::time::{Instant, format_date};
use uuid::Uuid;

use crate::AppState;
use crate::api_money::yuan;
use crate::api_projects::{NeedQuery, ProjectBody, propose};
use crate::error::ApiError;
use crate::extract::{DisplayPrefs, MultipartForm, SignedInVisitor, Visitor};
use crate::i18n::Lang;
use crate::pages::{Page, error_page, render, with_refusal_status};

pub fn routes() -> Router<AppState> {
    let limit = axum::extract::DefaultBodyLimit::max(uploads::MAX_FILE_BYTES + 64 * 1024);
    Router::new()
        .route("/c/{code}/projects", get(projects_page))
        .route(
            "/p/{id}",
            get(project_page).post(project_action).layer(limit),
        )
        .route(
            "/c/{code}/needs",
            get(needs_page).post(needs_action).layer(limit),
        )
        .route("/c/{code}/needs/{number}", get(need_page).post(need_action))
        .route(
            "/my/needs",
            get(my_needs_page).post(report_my_need).layer(limit),
        )
}

fn fen(v: i64) -> String {
    Fen(v).to_string()
}

/// A refused form of the project page, shown again: which form (its `action`), what was typed
/// in it, and the error next to the field it names. An error about anything the form does not
/// show (the project moved on, not allowed) stays at the top of the page.
#[derive(Default)]
pub struct Refused {
    action: String,
    typed: HashMap<String, String>,
    field: Option<String>,
    message: String,
}

/// The fields each form of the project page shows, by `action` (errors naming one go beside it).
const PROJECT_FORM_FIELDS: &[(&str, &[&str])] = &[
    ("table", &["meeting_id", "presenter"]),
    ("quote", &["supplier", "amount", "file"]),
    ("update", &["body", "file"]),
    (
        "step",
        &[
            "resolution_id",
            "reference",
            "mode",
            "quote_id",
            "claim_id",
            "contractor",
            "contract_amount",
            "file",
            "panel",
            "passed",
            "note",
        ],
    ),
    ("claim", &["claimant", "claimant_kind", "offer"]),
    ("rate", &["score", "comment"]),
];

impl Refused {
    fn new(f: &MultipartForm, e: &ApiError, page: &mut Page) -> Refused {
        let action = f.get("action");
        let shown = PROJECT_FORM_FIELDS
            .iter()
            .find(|(a, _)| *a == action)
            .map_or(&[][..], |(_, fields)| *fields);
        // The command names the stored evidence; the form calls it the file.
        let field = e.field.as_deref().map(|f| match f {
            "contract_sha256" | "document_sha256" => "file",
            other => other,
        });
        let field = field.filter(|f| shown.contains(f)).map(str::to_string);
        if field.is_none() {
            page.error = Some(e.message());
        }
        Refused {
            typed: shown
                .iter()
                .filter(|k| **k != "file")
                .map(|k| (k.to_string(), f.get(k)))
                .collect(),
            action,
            field,
            message: e.message(),
        }
    }
    /// What was typed into `name` of form `action`, if that form was refused.
    pub fn value(&self, action: &str, name: &str) -> &str {
        if self.action == action {
            self.typed.get(name).map_or("", String::as_str)
        } else {
            ""
        }
    }
    /// Why form `action` was refused, if it was because of `name`.
    pub fn error(&self, action: &str, name: &str) -> Option<&str> {
        (self.action == action && self.field.as_deref() == Some(name))
            .then_some(self.message.as_str())
    }
}

// ---- the project list ----

pub struct ProjectLine {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub total: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    page: Page,
    name: String,
    code: String,
    projects: Vec<ProjectLine>,
    next: Option<i64>,
}

#[derive(serde::Deserialize)]
struct Before {
    before: Option<i64>,
}

async fn projects_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path(code): Path<String>,
    Query(q): Query<Before>,
) -> Response {
    let page = Page::new(lang, &large, &visitor, &format!("/c/{code}/projects"));
    let j = match places::jurisdiction_by_code(&state.app, &code).await {
        Ok(j) => j,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let rows = match projects::projects_of(&state.app, j.id, q.before, 50).await {
        Ok(r) => r,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let next = (rows.len() == 50)
        .then(|| rows.last().map(|p| p.number))
        .flatten();
    render(&ProjectsPage {
        name: if lang == Lang::En {
            j.name_en
        } else {
            j.name_zh
        },
        code,
        projects: rows
            .into_iter()
            .map(|p| ProjectLine {
                id: p.id.to_string(),
                number: p.number,
                title: p.title.clone(),
                total: fen(p.total),
                status: lang.t(&format!(
                    "project-status-{}",
                    projects::display_status(&p, state.app.now())
                )),
            })
            .collect(),
        next,
        page,
    })
}

// ---- one project ----

pub struct StepLine {
    pub name: String,
    pub state: String,
    pub state_text: String,
    pub details: Vec<String>,
}

pub struct DecisionLine {
    pub council: String,
    pub title: String,
    pub resolution: Option<(String, String, String)>,
    pub objections: Vec<String>,
    pub votes: Vec<(String, String, String)>,
    pub tally: String,
}

pub struct RoundRowView {
    pub position: usize,
    pub number: i64,
    pub title: String,
    pub cost: String,
    pub yes: u32,
    pub funded: bool,
    pub why: String,
}

pub struct PaymentLine {
    pub id: String,
    pub payee: String,
    pub description: String,
    pub amount: String,
    pub status: String,
}

pub struct UpdateLine {
    pub kind: String,
    pub at: String,
    pub body: String,
    pub panel: Vec<String>,
    pub verdict: Option<String>,
}

/// The form for the step a project stands at, for staff.
pub struct StepForm {
    pub step: String,
    pub kind: &'static str,
    pub meetings: Vec<(String, String)>,
    pub resolutions: Vec<(String, String)>,
    pub quotes: Vec<(String, String)>,
    pub claims: Vec<(String, String)>,
    pub min_quotes: u32,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    page: Page,
    id: String,
    number: i64,
    title: String,
    scope: String,
    place: String,
    status: String,
    category: String,
    total: String,
    fund: String,
    cofunding: String,
    other: String,
    cofunding_source: String,
    opinions: String,
    decline_reason: Option<String>,
    steps: Vec<StepLine>,
    needs: Vec<(i64, String, String)>,
    decisions: Vec<DecisionLine>,
    rounds: Vec<(String, String, Vec<RoundRowView>)>,
    quotes: Vec<(String, String, bool)>,
    claims: Vec<(String, String, String)>,
    contractor: Option<(String, String)>,
    updates: Vec<UpdateLine>,
    budget: Option<(String, String, Option<String>)>,
    payments: Vec<PaymentLine>,
    rating: Option<String>,
    comments: Vec<String>,
    /// (resident id, comment, when), for staff: comments waiting to be published or withheld.
    awaiting_review: Vec<(String, String, String)>,
    rating_open: bool,
    rating_until: Option<String>,
    signed_in: bool,
    form: Option<StepForm>,
    can_claim: bool,
    refused: Refused,
}

async fn project_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path(id): Path<Uuid>,
) -> Response {
    let page = Page::new(lang, &large, &visitor, &format!("/p/{id}"));
    project_view(&state, lang, page, &visitor, id, Refused::default()).await
}

fn step_name(lang: Lang, id: &str, kind: StepKind) -> String {
    let key = format!("step-{id}");
    let t = lang.t(&key);
    if t == key {
        lang.t(&format!("step-kind-{}", kind.as_str()))
    } else {
        t
    }
}

async fn project_view(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    id: Uuid,
    refused: Refused,
) -> Response {
    let s = match projects::project_story(&state.app, id).await {
        Ok(s) => s,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let p = &s.project;
    let staff = s.may_manage(&visitor.actor);
    let steps = s
        .steps
        .iter()
        .map(|st| StepLine {
            name: step_name(lang, &st.id, st.kind),
            state: st.state.to_string(),
            state_text: lang.t(&format!("step-state-{}", st.state)),
            details: st
                .moves
                .iter()
                .map(|m| {
                    let mut d = format!(
                        "{} · {}",
                        lang.minute(Instant(m.at)),
                        lang.t(&format!("move-{}", m.action))
                    );
                    if let Some(r) = &m.reference {
                        d.push_str(&format!(" · {r}"));
                    }
                    if let Some(n) = &m.note {
                        d.push_str(&format!(" · {n}"));
                    }
                    if let Some(released) = m
                        .evidence_json
                        .as_deref()
                        .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
                        .and_then(|e| e["released"].as_i64())
                    {
                        d.push_str(&format!(
                            " · {} {}",
                            lang.t("money-released"),
                            fen(released)
                        ));
                    }
                    d
                })
                .collect(),
        })
        .collect();
    let decisions = s
        .decisions
        .iter()
        .map(|d| {
            let yes = d.votes.iter().filter(|v| v.2 == "yes").count();
            let no = d.votes.iter().filter(|v| v.2 == "no").count();
            let abstain = d.votes.len() - yes - no;
            DecisionLine {
                council: d.council.clone(),
                title: d.title.clone(),
                resolution: d.resolution.as_ref().map(|r| {
                    (
                        r.row.id.to_string(),
                        r.row.label.clone(),
                        lang.t(&format!("notice-{}", r.state.key())),
                    )
                }),
                objections: d
                    .resolution
                    .as_ref()
                    .map(|r| {
                        r.objections
                            .iter()
                            .map(|o| {
                                // The resident's words only once staff published them.
                                let words = o
                                    .published_body()
                                    .map(|b| format!("「{}」 ", redact_numbers(b)))
                                    .unwrap_or_default();
                                format!(
                                    "{} · {words}{}",
                                    lang.minute(Instant(o.filed_at)),
                                    o.answer
                                        .clone()
                                        .unwrap_or_else(|| lang.t("objection-unanswered"))
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                votes: d
                    .votes
                    .iter()
                    .map(|(n, r, c)| {
                        (
                            n.clone(),
                            lang.t(&format!("seat-{r}")),
                            lang.t(&format!("vote-{c}")),
                        )
                    })
                    .collect(),
                tally: lang.t_args(
                    "project-tally",
                    &[
                        ("yes", yes.to_string()),
                        ("no", no.to_string()),
                        ("abstain", abstain.to_string()),
                    ],
                ),
            }
        })
        .collect();
    let rounds = s
        .rounds
        .iter()
        .map(|(r, lines)| {
            (
                lang.t(&format!("rule-{}", r.rule)),
                fen(r.available),
                lines
                    .iter()
                    .map(|l| RoundRowView {
                        position: l.position,
                        number: l.number,
                        title: l.title.clone(),
                        cost: fen(l.cost),
                        yes: l.yes,
                        funded: l.funded,
                        why: lang.t_args(
                            if l.funded {
                                "round-why-funded"
                            } else {
                                "round-why-not"
                            },
                            &[("cost", fen(l.cost)), ("left", fen(l.available_before))],
                        ),
                    })
                    .collect(),
            )
        })
        .collect();
    let updates = s
        .updates
        .iter()
        .map(|u| UpdateLine {
            kind: lang.t(&format!("update-{}", u.kind)),
            at: lang.minute(Instant(u.created_at)),
            body: u.body.clone(),
            panel: u
                .panel_json
                .as_deref()
                .and_then(|p| serde_json::from_str::<Vec<PanelMember>>(p).ok())
                .unwrap_or_default()
                .into_iter()
                .map(|m| {
                    let mut t = format!("{}（{}）", m.name, lang.t(&format!("panel-{}", m.role)));
                    if let Some(sc) = m.score {
                        t.push_str(&format!(" {sc}"));
                    }
                    t
                })
                .collect(),
            verdict: u.passed.map(|ok| {
                lang.t(if ok {
                    "review-passed"
                } else {
                    "review-not-passed"
                })
            }),
        })
        .collect();
    let form = if staff && s.status == "active" {
        step_form(state, &s).await
    } else {
        None
    };
    // Residents' comments wait for staff before they are published.
    let awaiting_review = s
        .comments_awaiting_review(&visitor.actor)
        .unwrap_or_default()
        .iter()
        .map(|(resident, comment, at)| {
            (
                resident.to_string(),
                comment.clone(),
                lang.minute(Instant(*at)),
            )
        })
        .collect();
    render(&ProjectPage {
        id: p.id.to_string(),
        number: p.number,
        title: p.title.clone(),
        scope: p.scope.clone(),
        place: s.place.clone(),
        status: lang.t(&format!("project-status-{}", s.status)),
        category: lang.t(&format!("category-{}", p.category)),
        total: fen(p.total),
        fund: fen(p.fund_share),
        cofunding: fen(p.cofunding_share),
        other: fen(p.other_share),
        cofunding_source: p.cofunding_source.clone(),
        opinions: p.opinions.clone(),
        decline_reason: p.decline_reason.clone(),
        steps,
        needs: s
            .needs
            .iter()
            .map(|(n, t, st)| (*n, t.clone(), lang.t(&format!("need-status-{st}"))))
            .collect(),
        decisions,
        rounds,
        quotes: s
            .quotes
            .iter()
            .map(|q| (q.supplier.clone(), fen(q.amount), q.selected))
            .collect(),
        claims: s
            .claims
            .iter()
            .map(|c| {
                (
                    c.claimant.clone(),
                    lang.t(&format!("claimant-{}", c.claimant_kind)),
                    c.offer.clone(),
                )
            })
            .collect(),
        contractor: s
            .contractor
            .clone()
            .map(|c| (c, p.contract_amount.map(fen).unwrap_or_default())),
        updates,
        budget: s
            .budget
            .as_ref()
            .map(|b| (b.id.to_string(), fen(b.reserved), b.released.map(fen))),
        payments: s
            .payments
            .iter()
            .map(|x| PaymentLine {
                id: x.expense_id.to_string(),
                payee: x.payee.clone(),
                description: x.description.clone(),
                amount: fen(x.amount),
                status: lang.t(&format!("expense-{}", x.status)),
            })
            .collect(),
        rating: s.rating_tenths().map(|t| {
            lang.t_args(
                "rating-mean",
                &[
                    ("mean", format!("{}.{}", t / 10, t % 10)),
                    ("count", s.ratings.len().to_string()),
                ],
            )
        }),
        comments: s.ratings.iter().filter_map(|r| r.1.clone()).collect(),
        awaiting_review,
        rating_open: s.rating_open,
        rating_until: p.rating_until.map(|u| lang.minute(Instant(u))),
        signed_in: visitor.account.is_some(),
        form,
        can_claim: visitor.account.is_some() && s.takes_claims,
        refused,
        page,
    })
}

async fn step_form(state: &AppState, s: &projects::ProjectStory) -> Option<StepForm> {
    let current = s.current.clone()?;
    let step = s.steps.iter().find(|st| st.id == current)?;
    let mut form = StepForm {
        step: current.clone(),
        kind: step.kind.as_str(),
        meetings: Vec::new(),
        resolutions: Vec::new(),
        quotes: s
            .quotes
            .iter()
            .map(|q| {
                (
                    q.id.to_string(),
                    format!("{} · {}", q.supplier, fen(q.amount)),
                )
            })
            .collect(),
        claims: s
            .claims
            .iter()
            .map(|c| (c.id.to_string(), c.claimant.clone()))
            .collect(),
        min_quotes: s.quotes_needed,
    };
    if step.kind == StepKind::CouncilDecision {
        form.meetings = councils::open_council_meetings(&state.app, s.tenant)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|(id, council, title)| (id.to_string(), format!("{council} · {title}")))
            .collect();
        form.resolutions = s
            .decisions
            .iter()
            .filter(|d| d.step_id == current)
            .filter_map(|d| d.resolution.as_ref())
            .map(|r| (r.row.id.to_string(), r.row.label.clone()))
            .collect();
    }
    Some(form)
}

/// Every form on the project page: `action` is table, step, quote, update, claim, rate or decline.
async fn project_action(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path(id): Path<Uuid>,
    multipart: Multipart,
) -> Response {
    let mut page = Page::new(lang, &large, &visitor, &format!("/p/{id}"));
    let f = match MultipartForm::read(multipart, lang).await {
        Ok(f) => f,
        Err(e) => return error_page(e, page),
    };
    let app = &state.app;
    let actor = &visitor.actor;
    let result: Result<String, AppError> = async {
        // A file comes with quotes, contracts, photos and acceptance records: stored first
        // (content-addressed, so a refused form leaves at most the file).
        let file = if f.file.is_empty() {
            None
        } else {
            let story = projects::project_story(app, id).await?;
            let tenant = projects::tenant_of_place(app, story.project.jurisdiction_id).await?;
            Some(uploads::store(app, actor, tenant, &f.file).await?.sha256)
        };
        match f.get("action").as_str() {
            "table" => {
                let meeting = f
                    .id("meeting_id")
                    .ok_or_else(|| AppError::invalid("meeting_required", "meeting_id"))?;
                projects::table_project(app, actor, id, meeting, &f.get("presenter")).await?;
                Ok(lang.t("project-tabled"))
            }
            "step" => {
                let mut input = StepInput {
                    note: f.get("note"),
                    resolution_id: f.id("resolution_id"),
                    reference: Some(f.get("reference")).filter(|s| !s.is_empty()),
                    mode: Some(f.get("mode")).filter(|s| !s.is_empty()),
                    quote_id: f.id("quote_id"),
                    claim_id: f.id("claim_id"),
                    contractor: Some(f.get("contractor")).filter(|s| !s.is_empty()),
                    contract_amount: None,
                    contract_sha256: file.clone(),
                    panel: Vec::new(),
                    passed: Some(f.get("passed") != "no"),
                    document_sha256: file.clone(),
                };
                if !f.get("contract_amount").trim().is_empty() {
                    input.contract_amount =
                        Some(yuan(&f.get("contract_amount"), "contract_amount")?);
                }
                // Panel: one member per line, "name, role[, score]".
                for line in f.get("panel").lines().filter(|l| !l.trim().is_empty()) {
                    let parts: Vec<&str> = line.split([',', '，']).map(str::trim).collect();
                    input.panel.push(PanelMember {
                        name: parts.first().copied().unwrap_or("").to_string(),
                        role: parts.get(1).copied().unwrap_or("").to_string(),
                        score: parts.get(2).and_then(|s| s.parse().ok()),
                    });
                }
                let a = projects::complete_step(app, actor, id, &f.get("step"), &input).await?;
                Ok(match a {
                    Advanced::Moved(_) => lang.t("project-step-done"),
                    Advanced::Declined(r) => {
                        lang.t_args("project-declined-at-screening", &[("reason", r)])
                    }
                    Advanced::NotAccepted => lang.t("review-not-passed"),
                })
            }
            "quote" => {
                let amount = yuan(&f.get("amount"), "amount")?;
                let sha = file.ok_or_else(|| AppError::invalid("upload_not_found", "file"))?;
                projects::add_quote(app, actor, id, &f.get("supplier"), amount, &sha).await?;
                Ok(lang.t("project-quote-added"))
            }
            "update" => {
                projects::post_update(app, actor, id, &f.get("body"), file.as_deref()).await?;
                Ok(lang.t("project-update-posted"))
            }
            "claim" => {
                projects::claim_project(
                    app,
                    actor,
                    id,
                    &f.get("claimant"),
                    &f.get("claimant_kind"),
                    &f.get("offer"),
                )
                .await?;
                Ok(lang.t("project-claimed"))
            }
            "rate" => {
                let score = f.get("score").trim().parse::<i64>().unwrap_or(0);
                projects::rate_project(app, actor, id, score, &f.get("comment")).await?;
                Ok(lang.t("project-rated"))
            }
            "review_comment" => {
                let resident = f
                    .id("resident_id")
                    .ok_or_else(|| AppError::invalid("resident_required", "resident_id"))?;
                let publish = f.get("decision") == "publish";
                projects::review_rating_comment(app, actor, id, resident, publish).await?;
                Ok(lang.t(if publish {
                    "comment-published"
                } else {
                    "comment-withheld"
                }))
            }
            "decline" => {
                projects::decline_project(app, actor, id, &f.get("reason")).await?;
                Ok(lang.t("project-declined"))
            }
            _ => Err(AppError::invalid("action_unknown", "action")),
        }
    }
    .await;
    let (refused, status) = match result {
        Ok(msg) => {
            page.flash = Some(msg);
            (Refused::default(), None)
        }
        Err(e) => {
            let e = ApiError::from_app(e, lang);
            (Refused::new(&f, &e, &mut page), Some(e.status))
        }
    };
    with_refusal_status(
        project_view(&state, lang, page, &visitor, id, refused).await,
        status,
    )
}

// ---- the needs ledger ----

pub struct NeedLine {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub place: String,
    pub category: String,
    pub channel: String,
    pub status: String,
    pub due: String,
    pub overdue: bool,
    pub reply: Option<String>,
    pub selectable: bool,
}

/// A need as a card: no place, not selectable (callers add those where they apply).
fn need_line(lang: Lang, n: &gongzhi_app::records::NeedRow, today: &str) -> NeedLine {
    NeedLine {
        id: n.id.to_string(),
        number: n.number,
        title: n.title.clone(),
        place: String::new(),
        category: lang.t(&format!("category-{}", n.category)),
        channel: lang.t(&format!("channel-{}", n.channel)),
        status: lang.t(&format!("need-status-{}", n.status)),
        overdue: matches!(n.status.as_str(), "new" | "assigned") && n.reply_due.as_str() < today,
        due: n.reply_due.clone(),
        reply: n.reply.clone(),
        selectable: false,
    }
}

#[derive(Template)]
#[template(path = "needs.html")]
struct NeedsPage {
    page: Page,
    name: String,
    code: String,
    needs: Vec<NeedLine>,
    next: Option<String>,
    places: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    filter_status: String,
    filter_category: String,
    filter_channel: String,
    filter_place: String,
    filter_overdue: bool,
    row_errors: Vec<String>,
}

async fn needs_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path(code): Path<String>,
    Query(q): Query<NeedQuery>,
) -> Response {
    let page = Page::new(lang, &large, &visitor, &format!("/c/{code}/needs"));
    needs_view(&state, lang, page, &visitor, &code, &q, Vec::new()).await
}

#[allow(clippy::too_many_arguments)]
async fn needs_view(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    code: &str,
    q: &NeedQuery,
    row_errors: Vec<String>,
) -> Response {
    let today = format_date(state.app.now().china_date());
    let filter = q.filter(&today);
    let ledger = match projects::ledger_page(&state.app, &visitor.actor, code, &filter).await {
        Ok(l) => l,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let j = ledger.community.clone();
    let rows = &ledger.needs;
    let area = &ledger.places;
    let place_name = |id: Uuid| {
        area.iter()
            .find(|(p, _)| *p == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let next = (rows.len() as i64 == filter.limit.clamp(1, 500))
        .then(|| rows.last().map(|n| n.number))
        .flatten()
        .map(|before| {
            let mut qs = format!("?before={before}");
            for (k, v) in [
                ("status", &q.status),
                ("category", &q.category),
                ("channel", &q.channel),
            ] {
                if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                    qs.push_str(&format!("&{k}={v}"));
                }
            }
            if let Some(p) = q.place {
                qs.push_str(&format!("&place={p}"));
            }
            if filter.overdue_before.is_some() {
                qs.push_str("&overdue=1");
            }
            qs
        });
    let categories = ledger
        .categories
        .iter()
        .map(|(c, zh, en)| {
            (
                c.clone(),
                if lang == Lang::En {
                    en.clone()
                } else {
                    zh.clone()
                },
            )
        })
        .collect();
    render(&NeedsPage {
        name: if lang == Lang::En {
            j.name_en
        } else {
            j.name_zh
        },
        code: code.to_string(),
        needs: rows
            .iter()
            .map(|n| NeedLine {
                place: place_name(n.jurisdiction_id),
                selectable: matches!(n.status.as_str(), "new" | "assigned"),
                ..need_line(lang, n, &today)
            })
            .collect(),
        next,
        places: area
            .iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect(),
        categories,
        channels: gongzhi_domain::project::NEED_CHANNELS
            .iter()
            .map(|c| (c.to_string(), lang.t(&format!("channel-{c}"))))
            .collect(),
        statuses: gongzhi_domain::project::NEED_STATUSES
            .iter()
            .map(|s| (s.to_string(), lang.t(&format!("need-status-{s}"))))
            .collect(),
        filter_status: q.status.clone().unwrap_or_default(),
        filter_category: q.category.clone().unwrap_or_default(),
        filter_channel: q.channel.clone().unwrap_or_default(),
        filter_place: q.place.map(|p| p.to_string()).unwrap_or_default(),
        filter_overdue: filter.overdue_before.is_some(),
        row_errors,
        page,
    })
}

/// The needs page's forms: `action` is need (record one), import (a spreadsheet), reply, or
/// propose (a project from the ticked needs).
async fn needs_action(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path(code): Path<String>,
    multipart: Multipart,
) -> Response {
    let mut page = Page::new(lang, &large, &visitor, &format!("/c/{code}/needs"));
    let f = match MultipartForm::read(multipart, lang).await {
        Ok(f) => f,
        Err(e) => return error_page(e, page),
    };
    let app = &state.app;
    let actor = &visitor.actor;
    let mut row_errors = Vec::new();
    let result: Result<Result<String, String>, AppError> = async {
        let j = places::jurisdiction_by_code(app, &code).await?;
        match f.get("action").as_str() {
            "need" => {
                let photos: Vec<String> = if f.file.is_empty() {
                    Vec::new()
                } else {
                    vec![uploads::store(app, actor, j.id, &f.file).await?.sha256]
                };
                let (_, number) = projects::report_need(
                    app,
                    actor,
                    &NewNeed {
                        place_id: f.id("place_id"),
                        building_id: None,
                        category: &f.get("category"),
                        channel: &f.get("channel"),
                        title: &f.get("title"),
                        body: &f.get("body"),
                        photos: &photos,
                        reporter_id: None,
                    },
                )
                .await?;
                Ok(Ok(lang.t_args(
                    "need-recorded",
                    &[("number", number.to_string())],
                )))
            }
            "import" => match projects::import_needs(app, actor, j.id, &f.file).await {
                Ok(n) => Ok(Ok(
                    lang.t_args("needs-imported", &[("count", n.to_string())])
                )),
                Err(AppError::Rows(rows)) => {
                    row_errors = crate::pages::row_messages(lang, &rows);
                    Ok(Err(lang.t("import_rows_invalid")))
                }
                Err(e) => Err(e),
            },
            "propose" => {
                let body = ProjectBody {
                    place_id: f
                        .id("place_id")
                        .ok_or_else(|| AppError::invalid("need_place_missing", "place_id"))?,
                    title: f.get("title"),
                    scope: f.get("scope"),
                    category: f.get("category"),
                    total: f.get("total"),
                    fund: f.get("fund"),
                    cofunding: f.get("cofunding"),
                    other: f.get("other"),
                    cofunding_source: f.get("cofunding_source"),
                    opinions: f.get("opinions"),
                    implementer_plan: f.get("implementer_plan"),
                    needs: f.ids("needs"),
                };
                let id = propose(&state, actor, &body).await?;
                Ok(Ok(format!("/p/{id}")))
            }
            _ => Err(AppError::invalid("action_unknown", "action")),
        }
    }
    .await;
    match result {
        Ok(Ok(msg)) if msg.starts_with("/p/") => return Redirect::to(&msg).into_response(),
        Ok(Ok(msg)) => page.flash = Some(msg),
        Ok(Err(msg)) => page.error = Some(msg),
        Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
    }
    needs_view(
        &state,
        lang,
        page,
        &visitor,
        &code,
        &NeedQuery::default(),
        row_errors,
    )
    .await
}

// ---- my needs ----

#[derive(Template)]
#[template(path = "my_needs.html")]
struct MyNeedsPage {
    page: Page,
    needs: Vec<NeedLine>,
    /// The form to report a need, for residents: (id, name) of places, (code, name) of
    /// categories.
    places: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    /// What the resident typed, kept when the report is refused (empty after a report).
    typed: HashMap<String, String>,
    /// The refused field and its message, shown next to it.
    field_error: Option<(String, String)>,
}

impl MyNeedsPage {
    fn typed(&self, field: &str) -> &str {
        self.typed.get(field).map_or("", String::as_str)
    }
    fn error_for(&self, field: &str) -> Option<&str> {
        self.field_error
            .as_ref()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

// ---- one need, for staff: what the resident wrote, the reply, merging, taking it on ----

#[derive(Template)]
#[template(path = "need.html")]
struct NeedPage {
    page: Page,
    code: String,
    line: NeedLine,
    body: String,
    reported: String,
    merged_into: Option<i64>,
    project: Option<String>,
    open: bool,
    assigned_to_me: bool,
    assigned: bool,
    /// What was typed into the reply and merge forms when one was refused, and why.
    typed_reply: String,
    reply_error: Option<String>,
    typed_into: String,
    into_error: Option<String>,
    /// Colleagues it can be handed to: (account id, name, whether it is with them now).
    colleagues: Vec<(String, String, bool)>,
    assign_error: Option<String>,
}

#[derive(Default)]
struct NeedTyped {
    reply: String,
    reply_error: Option<String>,
    into: String,
    into_error: Option<String>,
    assign_error: Option<String>,
}

async fn need_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path((code, number)): Path<(String, i64)>,
) -> Response {
    let page = Page::new(lang, &large, &visitor, &format!("/c/{code}/needs/{number}"));
    need_view(
        &state,
        lang,
        page,
        &visitor,
        &code,
        number,
        NeedTyped::default(),
    )
    .await
}

async fn need_view(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    code: &str,
    number: i64,
    typed: NeedTyped,
) -> Response {
    let sheet = match projects::need_sheet(&state.app, &visitor.actor, code, number).await {
        Ok(s) => s,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let today = format_date(state.app.now().china_date());
    let n = &sheet.need;
    render(&NeedPage {
        code: code.to_string(),
        line: NeedLine {
            place: sheet.place.clone(),
            ..need_line(lang, n, &today)
        },
        body: n.body.clone(),
        reported: lang.minute(Instant(n.created_at)),
        merged_into: sheet.merged_into,
        project: n.project_id.map(|p| p.to_string()),
        open: matches!(n.status.as_str(), "new" | "assigned"),
        assigned: n.assigned_to.is_some(),
        assigned_to_me: n.assigned_to.is_some() && n.assigned_to == visitor.actor.account_id,
        typed_reply: typed.reply,
        reply_error: typed.reply_error,
        typed_into: typed.into,
        into_error: typed.into_error,
        colleagues: sheet
            .colleagues
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone(), n.assigned_to == Some(*id)))
            .collect(),
        assign_error: typed.assign_error,
        page,
    })
}

#[derive(serde::Deserialize)]
struct NeedForm {
    action: String,
    #[serde(default)]
    reply: String,
    #[serde(default)]
    close: String,
    #[serde(default)]
    into: String,
    #[serde(default)]
    assigned_to: String,
}

/// Staff act on one need: answer the resident (and close it or not), merge it into the need
/// it repeats (by number), or take it on themselves.
async fn need_action(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path((code, number)): Path<(String, i64)>,
    crate::extract::ApiForm(f): crate::extract::ApiForm<NeedForm>,
) -> Response {
    let mut page = Page::new(lang, &large, &visitor, &format!("/c/{code}/needs/{number}"));
    let app = &state.app;
    let actor = &visitor.actor;
    let result: Result<String, AppError> = async {
        let sheet = projects::need_sheet(app, actor, &code, number).await?;
        let need = sheet.need.id;
        match f.action.as_str() {
            "reply" => {
                let close = Some(f.close.as_str()).filter(|c| !c.is_empty());
                let reply = NeedAction::Reply {
                    reply: &f.reply,
                    close,
                };
                projects::act_on_need(app, actor, need, reply).await?;
                Ok(lang.t("need-replied"))
            }
            "merge" => {
                let into = f
                    .into
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| AppError::invalid("need_not_found", "into"))?;
                let into = match projects::need_sheet(app, actor, &code, into).await {
                    Ok(s) => s.need.id,
                    Err(AppError::NotFound(_)) => {
                        return Err(AppError::invalid("need_not_found", "into"));
                    }
                    Err(e) => return Err(e),
                };
                projects::act_on_need(app, actor, need, NeedAction::Merge { into }).await?;
                Ok(lang.t("need-merged"))
            }
            "assign_me" => {
                let me = actor.account_id.ok_or(AppError::Unauthenticated)?;
                projects::act_on_need(app, actor, need, NeedAction::Assign(me)).await?;
                Ok(lang.t("need-assigned"))
            }
            "assign" => {
                let to = f
                    .assigned_to
                    .trim()
                    .parse::<Uuid>()
                    .map_err(|_| AppError::invalid("account_not_found", "assigned_to"))?;
                projects::act_on_need(app, actor, need, NeedAction::Assign(to)).await?;
                let name = sheet
                    .colleagues
                    .iter()
                    .find(|(id, _)| *id == to)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                Ok(lang.t_args("need-assigned-to", &[("name", name)]))
            }
            _ => Err(AppError::invalid("action_unknown", "action")),
        }
    }
    .await;
    let (typed, status) = match result {
        Ok(message) => {
            page.flash = Some(message);
            (NeedTyped::default(), None)
        }
        Err(e) => {
            let e = ApiError::from_app(e, lang);
            let status = e.status;
            let typed = match f.action.as_str() {
                "reply" => NeedTyped {
                    reply_error: crate::pages::beside_field(e, "reply", &mut page),
                    reply: f.reply,
                    ..Default::default()
                },
                "merge" => NeedTyped {
                    into_error: crate::pages::beside_field(e, "into", &mut page),
                    into: f.into,
                    ..Default::default()
                },
                "assign" => NeedTyped {
                    assign_error: crate::pages::beside_field(e, "assigned_to", &mut page),
                    ..Default::default()
                },
                _ => {
                    page.error = Some(e.message());
                    NeedTyped::default()
                }
            };
            (typed, Some(status))
        }
    };
    with_refusal_status(
        need_view(&state, lang, page, &visitor, &code, number, typed).await,
        status,
    )
}

async fn my_needs_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
) -> Response {
    let page = Page::new(lang, &large, &visitor, "/my/needs");
    my_needs_view(&state, lang, page, &visitor, HashMap::new(), None).await
}

async fn my_needs_view(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    mut typed: HashMap<String, String>,
    field_error: Option<(String, String)>,
) -> Response {
    let rows = match projects::my_needs(&state.app, &visitor.actor).await {
        Ok(r) => r,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let form = projects::resident_need_form(&state.app, &visitor.actor)
        .await
        .ok()
        .flatten();
    let (places, categories) = match &form {
        Some(f) => {
            typed
                .entry("place_id".into())
                .or_insert_with(|| f.home.to_string());
            (
                f.places
                    .iter()
                    .map(|(id, name)| (id.to_string(), name.clone()))
                    .collect(),
                f.categories
                    .iter()
                    .map(|(code, zh, en)| {
                        (code.clone(), if lang == Lang::En { en } else { zh }.clone())
                    })
                    .collect(),
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    let today = format_date(state.app.now().china_date());
    render(&MyNeedsPage {
        needs: rows.iter().map(|n| need_line(lang, n, &today)).collect(),
        page,
        places,
        categories,
        typed,
        field_error,
    })
}

/// A resident reports a need online: the place (their own courtyard unless they pick another),
/// a category, one sentence, details and a photo if they like.
async fn report_my_need(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    multipart: Multipart,
) -> Response {
    let mut page = Page::new(lang, &large, &visitor, "/my/needs");
    let f = match MultipartForm::read(multipart, lang).await {
        Ok(f) => f,
        Err(e) => return error_page(e, page),
    };
    let app = &state.app;
    let actor = &visitor.actor;
    let result: Result<i64, AppError> = async {
        let form = projects::resident_need_form(app, actor)
            .await?
            .ok_or(AppError::Forbidden)?;
        let photos: Vec<String> = if f.file.is_empty() {
            Vec::new()
        } else {
            vec![
                uploads::store(app, actor, form.community, &f.file)
                    .await?
                    .sha256,
            ]
        };
        let (_, number) = projects::report_need(
            app,
            actor,
            &NewNeed {
                place_id: f.id("place_id"),
                building_id: None,
                category: &f.get("category"),
                channel: "online",
                title: &f.get("title"),
                body: &f.get("body"),
                photos: &photos,
                reporter_id: None,
            },
        )
        .await?;
        Ok(number)
    }
    .await;
    match result {
        Ok(number) => {
            page.flash = Some(lang.t_args("need-recorded", &[("number", number.to_string())]));
            my_needs_view(&state, lang, page, &visitor, HashMap::new(), None).await
        }
        Err(e) => {
            let e = ApiError::from_app(e, lang);
            let typed = ["place_id", "category", "title", "body"]
                .into_iter()
                .map(|k| (k.to_string(), f.get(k)))
                .collect();
            let field_error = e.field.clone().map(|field| (field, e.message()));
            if field_error.is_none() {
                page.error = Some(e.message());
            }
            let mut r = my_needs_view(&state, lang, page, &visitor, typed, field_error).await;
            *r.status_mut() = e.status;
            r
        }
    }
}
