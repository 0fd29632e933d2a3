//! An organisation's public profile, with the staff's blacklisting and lifting.

use super::*;
use crate::extract::{PageContext, SignedInPage};

#[derive(Template)]
#[template(path = "org.html")]
pub(super) struct OrgPage {
    page: Page,
    name: String,
    facts: Vec<String>,
    scope: String,
    capacity: String,
    qualifications: Vec<String>,
    barred: Option<String>,
    contracts: Vec<(String, String, String)>,
    evaluations: Vec<String>,
    id: String,
    /// The directory's keeper (civil affairs where the organisation is registered) blacklists
    /// and lifts from this page: `Some(sanction in force, if any)`.
    keeper: Option<Option<String>>,
    today: String,
}

pub(super) async fn org_page(
    State(state): State<AppState>,
    PageContext(lang, visitor, page): PageContext,
    Path(id): Path<Uuid>,
) -> Response {
    org_view_page(&state, lang, page, &visitor, id).await
}

pub(super) async fn org_view_page(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    id: Uuid,
) -> Response {
    let p = match pr::org_profile(&state.app, id).await {
        Ok(p) => p,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let o = &p.org;
    let mut facts = vec![
        lang.t(&format!("org-kind-{}", o.kind)),
        lang.t_args(
            "org-fact-registered",
            &[("place", p.registered_with.clone())],
        ),
    ];
    if let Some(c) = &o.credit_code {
        facts.push(lang.t_args("org-fact-code", &[("code", c.clone())]));
    }
    if let Some(inc) = &p.incubator {
        facts.push(lang.t_args(
            "org-fact-incubator",
            &[("name", name(lang, &inc.name_zh, &inc.name_en))],
        ));
    }
    if let Some(m) = p.mean_score {
        facts.push(lang.t_args(
            "org-fact-mean-score",
            &[
                ("score", m.to_string()),
                ("n", p.evaluations.len().to_string()),
            ],
        ));
    }
    let barred = p.barred.as_ref().map(|s| {
        lang.t_args(
            "org-barred",
            &[
                ("reason", s.reason.clone()),
                ("from", s.starts_on.clone()),
                ("to", s.ends_on.clone().unwrap_or_else(|| "—".into())),
            ],
        )
    });
    let keeper = visitor
        .actor
        .may(
            &state.app,
            Permission::ManageOrganisations,
            o.registered_with,
        )
        .await
        .then(|| p.barred.as_ref().map(|s| s.id.to_string()));
    render(&OrgPage {
        page,
        id: o.id.to_string(),
        keeper,
        today: gongzhi_domain::time::format_date(state.app.now().china_date()),
        name: name(lang, &o.name_zh, &o.name_en),
        facts,
        scope: o.business_scope.clone(),
        capacity: o.capacity.clone(),
        qualifications: p
            .qualifications
            .iter()
            .map(|(c, zh, en)| format!("{c} {}", name(lang, zh, en)))
            .collect(),
        barred,
        contracts: p
            .contracts
            .iter()
            .map(|k| (k.id.to_string(), k.title.clone(), fen(k.value)))
            .collect(),
        evaluations: p
            .evaluations
            .iter()
            .map(|e| {
                lang.t_args(
                    "org-evaluation",
                    &[
                        ("score", e.score.to_string()),
                        ("evaluator", e.evaluator_name.clone()),
                        (
                            "at",
                            Instant::from_micros(e.evaluated_at)
                                .china_date()
                                .to_string(),
                        ),
                    ],
                )
            })
            .collect(),
    })
}

#[derive(serde::Deserialize)]
pub(super) struct BlacklistForm {
    reason: String,
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

/// The directory's keeper blacklists an organisation, with the reason it will be shown.
pub(super) async fn blacklist(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<BlacklistForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/org/{id}");
    let ends = Some(f.ends_on.as_str());
    let result = pr::blacklist(
        &state.app,
        &visitor.actor,
        id,
        &f.reason,
        &f.starts_on,
        ends,
    )
    .await;
    outcome(lang, &mut page, result.map(|_| lang.t("org-blacklisted")));
    org_view_page(&state, lang, page, &visitor, id).await
}

#[derive(serde::Deserialize)]
pub(super) struct LiftForm {
    sanction: Uuid,
    reason: String,
}

pub(super) async fn lift(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<Uuid>,
    ApiForm(f): ApiForm<LiftForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/org/{id}");
    let result = pr::lift_sanction(&state.app, &visitor.actor, id, f.sanction, &f.reason).await;
    outcome(lang, &mut page, result.map(|()| lang.t("org-lifted")));
    org_view_page(&state, lang, page, &visitor, id).await
}
