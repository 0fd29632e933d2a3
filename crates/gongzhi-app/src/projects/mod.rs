//! The core loop (DESIGN.md §2): needs heard from residents become project proposals, screened
//! against the rulebook's lists, decided by councils, funded by an allocation round, implemented,
//! accepted, closed out with the savings back in the fund, disclosed and rated.
//!
//! Which steps a project walks is the rulebook's `project.pipeline`, pinned on the project when
//! it is proposed (a rule change never moves a project already under way). A project moves only
//! to its next step, by one audited command that carries the step's evidence: a resolution in
//! force, a filing reference, quotes and a contract, an acceptance panel.

use gongzhi_domain::project::{Lists, Pipeline};
use gongzhi_domain::rulebook::RuleValue;
use gongzhi_store::Tx;
use gongzhi_store::projects::{self as repo_p, ProjectRow};
use gongzhi_store::repo;
use uuid::Uuid;

use crate::{App, AppError};

mod needs;
mod pipeline;
mod views;

pub use needs::*;
pub use pipeline::*;
pub use views::*;

/// The rule `key` in force at `place` today.
pub(crate) async fn rule(
    tx: &mut Tx,
    app: &App,
    place: Uuid,
    key: &str,
) -> Result<RuleValue, AppError> {
    crate::rules::rule_in_force(tx, place, key, app.now().china_date(), app.now()).await
}

pub(crate) async fn lists_in_force(tx: &mut Tx, app: &App, place: Uuid) -> Result<Lists, AppError> {
    match rule(tx, app, place, "project.lists").await? {
        RuleValue::Lists(l) => Ok(l),
        _ => Err(AppError::invalid("rule_missing", "project.lists")),
    }
}

pub(crate) async fn pipeline_in_force(
    tx: &mut Tx,
    app: &App,
    place: Uuid,
) -> Result<Pipeline, AppError> {
    match rule(tx, app, place, "project.pipeline").await? {
        RuleValue::Pipeline(p) => Ok(p),
        _ => Err(AppError::invalid("rule_missing", "project.pipeline")),
    }
}

/// Whether `place` is `area` or lies within it.
pub(crate) async fn within(tx: &mut Tx, place: Uuid, area: Uuid) -> Result<bool, AppError> {
    Ok(repo::ancestors(tx, place)
        .await?
        .iter()
        .any(|j| j.id == area))
}

/// A project, its tenant and its pinned pipeline.
/// Opens a command on a place a need or a project names: a place that does not exist is the
/// caller's mistake (`need_place_unknown` on `place_id`), not a missing page.
pub(crate) async fn command_at<'a>(
    app: &'a App,
    actor: &'a crate::authz::Actor,
    place: Uuid,
    name: &'static str,
) -> Result<crate::command::Command<'a>, AppError> {
    use crate::command::{Command, Target};
    Command::on(app, actor, Target::Place(place), name)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::invalid("need_place_unknown", "place_id"),
            other => other,
        })
}

pub(crate) async fn load_project(
    tx: &mut Tx,
    id: Uuid,
) -> Result<(Uuid, ProjectRow, Pipeline), AppError> {
    let (tenant, p) = repo_p::project_by_id(tx, id)
        .await?
        .ok_or(AppError::NotFound("project"))?;
    let pipeline = pinned(&p)?;
    Ok((tenant, p, pipeline))
}

pub(crate) fn pinned(p: &ProjectRow) -> Result<Pipeline, AppError> {
    serde_json::from_str(&p.pipeline_json).map_err(|_| AppError::Corrupt("project's pipeline"))
}
