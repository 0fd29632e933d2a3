//! The core loop's pages: a community's project list (public), one page per project telling the
//! whole story (public; staff see the form for the step the project stands at), the needs ledger
//! for staff (filters, pages, a form for a need heard anywhere, a spreadsheet import, a proposal
//! made from ticked needs) and "my needs" for residents.
//!
//! Every form posts to one handler per page (`action` says what), multipart so photos, quotes
//! and contracts can come with it; works without JavaScript.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use gongzhi_app::projects::{self, Advanced, PanelMember, StepInput};
use gongzhi_app::{AppError, councils, places, uploads};
use gongzhi_domain::Fen;
use gongzhi_domain::person::redact_numbers;
use gongzhi_domain::project::StepKind;
use gongzhi_domain::time::Instant;
use uuid::Uuid;

use crate::AppState;
use crate::api_ledger::yuan;
use crate::error::ApiError;
use crate::extract::{MultipartForm, PageContext, SignedInPage, Visitor};
use crate::form::Refused;
use crate::i18n::Lang;
use crate::needs::*;
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
    Fen::new(v).to_string()
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

/// What was typed into the form `action` names, for the fields it shows (a file cannot be
/// shown again), with an error about the stored evidence put beside the file it came from.
fn refused_project_form(
    result: Result<String, ApiError>,
    f: &MultipartForm,
    page: &mut Page,
) -> Refused {
    let action = f.get("action");
    let shown = PROJECT_FORM_FIELDS
        .iter()
        .find(|(a, _)| *a == action)
        .map_or(&[][..], |(_, fields)| *fields);
    let result = result.map_err(|mut e| {
        // The command names the stored evidence; the form calls it the file.
        if matches!(
            e.field.as_deref(),
            Some("contract_sha256" | "document_sha256")
        ) {
            e.field = Some("file".into());
        }
        e
    });
    let typed = shown
        .iter()
        .map(|k| {
            (
                *k,
                if *k == "file" {
                    String::new()
                } else {
                    f.get(k)
                },
            )
        })
        .collect();
    Refused::settle(result, page, &action, typed)
}

// ---- the project list ----

pub struct ProjectLine {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub total: String,
    pub status: String,
    /// "第 6/10 步" as a bar and its words.
    pub progress: Option<crate::pictures::Bar>,
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
    PageContext(lang, _, mut page): PageContext,
    Path(code): Path<String>,
    Query(q): Query<Before>,
) -> Response {
    let j = match places::jurisdiction_by_code(&state.app, &code).await {
        Ok(j) => j,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    page.trail_to(&state, j.id).await;
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
                progress: projects::progress(&p)
                    .map(|(at, of)| crate::pictures::steps(lang, at, of)),
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
    /// Whether the project may be put to its council for this step now (`tabling_refused`).
    pub may_table: bool,
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
    follow: Option<crate::inbox::FollowButton>,
    /// The budget as a bar: paid out, held, left, the contract marked.
    money_picture: Option<crate::pictures::Bar>,
    progress: Option<crate::pictures::Bar>,
}

async fn project_page(
    State(state): State<AppState>,
    PageContext(lang, visitor, page): PageContext,
    Path(id): Path<Uuid>,
) -> Response {
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
    mut page: Page,
    visitor: &Visitor,
    id: Uuid,
    refused: Refused,
) -> Response {
    let s = match projects::project_story(&state.app, id).await {
        Ok(s) => s,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    // The way back: the community down to the project's place, then the community's projects.
    page.trail_to(state, s.project.jurisdiction_id).await;
    if let Some((_, community)) = page.trail.first().cloned() {
        page.then(lang.t("projects-title"), format!("{community}/projects"));
    }
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
                        lang.minute(Instant::from_micros(m.at)),
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
                                    lang.minute(Instant::from_micros(o.filed_at)),
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
            at: lang.minute(Instant::from_micros(u.created_at)),
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
    let form = if staff && s.status.is_active() {
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
                lang.minute(Instant::from_micros(*at)),
            )
        })
        .collect();
    let follow = crate::inbox::follow_button(
        state,
        visitor,
        gongzhi_domain::notification::Subject::Project,
        p.id,
        &page.path,
    )
    .await;
    let money_picture = s.budget.as_ref().map(|b| {
        let sum = |f: fn(&gongzhi_domain::lifecycle::ExpenseStatus) -> bool| {
            s.payments
                .iter()
                .filter(|x| f(&x.status))
                .map(|x| x.amount)
                .sum::<i64>()
        };
        crate::pictures::project_money(
            lang,
            p.total,
            (
                b.reserved,
                sum(|st| *st == gongzhi_domain::lifecycle::ExpenseStatus::Posted),
                sum(|st| st.holds_money()),
            ),
            p.contract_amount,
        )
    });
    let progress = projects::progress(p).map(|(at, of)| crate::pictures::steps(lang, at, of));
    render(&ProjectPage {
        money_picture,
        progress,
        follow,
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
        rating_until: p.rating_until.map(|u| lang.minute(Instant::from_micros(u))),
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
        may_table: false,
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
        form.may_table = projects::tabling_refused(
            &current,
            s.decisions.iter().map(|d| {
                let returned = d
                    .resolution
                    .as_ref()
                    .is_some_and(|r| r.row.returned_at.is_some());
                (d.step_id.as_str(), d.status, returned)
            }),
        )
        .is_none();
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
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    multipart: Multipart,
) -> Response {
    // The page the form was on.
    page.path = format!("/p/{id}");
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
    let result = result.map_err(|e| ApiError::from_app(e, lang));
    let refused = refused_project_form(result, &f, &mut page);
    let status = refused.status();
    with_refusal_status(
        project_view(&state, lang, page, &visitor, id, refused).await,
        status,
    )
}

// ---- one need, for staff: what the resident wrote, the reply, merging, taking it on ----
