//! Residents' conventions (居民公约) and their versions, adopted by motion.

use super::*;

/// Creates a convention (its text comes with the first motion that adopts it).
pub async fn create_convention(
    app: &App,
    actor: &Actor,
    jurisdiction: Uuid,
    title: &str,
) -> Result<Uuid, AppError> {
    let title = text(title, "title", 120)?;
    let mut cmd = Command::on(app, actor, Target::Place(jurisdiction), "convention.create").await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManageCouncils, jurisdiction)
        .await?;
    let tenant = tenant_of(read, jurisdiction).await?;
    let id = new_id();
    cmd.insert(
        "conventions",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("jurisdiction_id", jurisdiction.into()),
            ("title", title.into()),
            ("created_at", app.now().micros().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// A convention with every version: (version, text, adopted at, resolution label).
pub struct ConventionView {
    pub convention: repo_c::ConventionRow,
    /// Every version in order: (version, text, adopted at, resolution label).
    pub versions: Vec<(i64, String, Instant, Option<String>)>,
    /// Each version's standing, by its resolution's notice: `in_force`, or while its resolution
    /// is on notice `open` / `awaiting_answers`, or `returned` when an objection was upheld.
    pub states: Vec<&'static str>,
    /// The version in force now (an index into `versions`): the latest whose resolution is in
    /// force. A revision on notice, or sent back, leaves the previous text in force.
    pub current: Option<usize>,
}

pub async fn convention_view(app: &App, id: Uuid) -> Result<ConventionView, AppError> {
    let mut tx = app.db.read().await?;
    let tenant = Record::Convention.tenant(&mut tx, id).await?;
    let convention = repo_c::convention(&mut tx, tenant, id)
        .await?
        .ok_or(AppError::NotFound("convention"))?;
    let mut versions = Vec::new();
    let mut states = Vec::new();
    for (v, body, at, label, resolution) in repo_c::convention_versions(&mut tx, tenant, id).await?
    {
        let state = match resolution {
            Some(r) => match repo_c::resolution(&mut tx, tenant, r).await? {
                Some(row) => {
                    let objections = repo_c::objections(&mut tx, tenant, r).await?;
                    state_of(app.now(), &row, &objections).key()
                }
                None => "in_force",
            },
            None => "in_force",
        };
        versions.push((v, body, Instant::from_micros(at), label));
        states.push(state);
    }
    tx.rollback().await?;
    let current = states.iter().rposition(|s| *s == "in_force");
    Ok(ConventionView {
        convention,
        versions,
        states,
        current,
    })
}

/// The conventions of a community (public).
pub async fn conventions_of(
    app: &App,
    community: Uuid,
) -> Result<Vec<repo_c::ConventionRow>, AppError> {
    let mut tx = app.db.reads().await?;
    let c = repo_c::conventions_of(&mut tx, community).await?;
    tx.rollback().await?;
    Ok(c)
}
